// Survey (GET /api/survey, when the server offers it): a question's weighted shares with their
// Wilson intervals, drawn as one SVG bar per answer (per cell: all respondents, an area or a
// wave) with its interval as a whisker, small cells (effective n below the threshold) flagged,
// the server's rule above and the same numbers in a table below. The questions offered are
// those answered by the survey responses the caller may see (GET /api/survey-responses).

const SVG = 'http://www.w3.org/2000/svg';
const W = 720; // the chart's width in user units (it scales to the page)
const LABEL = 150; // left margin: the answers
const BAR = 300; // the share axis, 0 to 1
const ROW = 24;
const HEAD = 26;

const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
const fix = (v, d) => (v === null || v === undefined ? '—' : v.toFixed(d));

function svg(tag, attrs, text) {
	const e = document.createElementNS(SVG, tag);
	for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
	if (text !== undefined) e.textContent = text;
	return e;
}

export class SurveyView {
	constructor(api, ApiError, showError) {
		this.api = api;
		this.ApiError = ApiError;
		this.showError = showError;
		this.question = document.getElementById('survey-question');
		this.by = document.getElementById('survey-by');
		this.minNeff = document.getElementById('survey-min-neff');
		this.err = document.getElementById('survey-error');
		this.rule = document.getElementById('survey-rule');
		this.chart = document.getElementById('survey-chart');
		this.table = document.getElementById('survey-table');
		this.count = document.getElementById('survey-count');
		this.data = null;
		const load = () => this.load().catch(this.showError);
		this.question.addEventListener('change', load);
		this.by.addEventListener('change', load);
		this.minNeff.addEventListener('change', load);
	}

	// a new session: the questions of the responses this caller may see
	async start() {
		this.clear();
		while (this.question.options.length > 1) this.question.remove(1);
		const names = new Set();
		let after = null;
		for (let page = 0; page < 20; page++) {
			const r = await this.api('/api/survey-responses?limit=1000' + (after ? '&after=' + after : ''));
			for (const it of r.items) for (const k of Object.keys(it.answers || {})) names.add(k);
			after = r.next;
			if (!after) break;
		}
		for (const n of [...names].sort()) this.question.add(new Option(n, n));
		this.count.textContent = names.size ? '' : 'No survey responses you may see.';
	}

	async reload() {
		if (this.question.value) await this.load();
	}

	clear() {
		this.data = null;
		this.err.textContent = '';
		this.question.removeAttribute('aria-invalid');
		this.minNeff.removeAttribute('aria-invalid');
		this.rule.textContent = '';
		this.chart.replaceChildren();
		this.table.tBodies[0].replaceChildren();
	}

	async load() {
		const q = this.question.value;
		this.clear();
		if (!q) return;
		const p = new URLSearchParams({ question: q });
		if (this.by.value !== 'all') p.set('by', this.by.value);
		if (this.minNeff.value.trim() !== '') p.set('min_neff', this.minNeff.value.trim());
		try {
			this.data = await this.api('/api/survey?' + p.toString());
		} catch (x) {
			if (x instanceof this.ApiError && (x.status === 400 || x.status === 404)) {
				this.err.textContent = x.message;
				(x.field === 'min_neff' ? this.minNeff : this.question).setAttribute('aria-invalid', 'true');
				return;
			}
			throw x;
		}
		this.render();
	}

	render() {
		const d = this.data;
		this.rule.textContent = d.rule || '';
		const rows = d.cells.reduce((n, c) => n + c.estimates.length, 0);
		const small = d.cells.reduce((n, c) => n + c.estimates.filter((e) => e.small).length, 0);
		this.count.textContent = `${d.question}${d.label ? ' (' + d.label + ')' : ''}: ${rows} estimates in ${d.cells.length} cell${d.cells.length === 1 ? '' : 's'}` +
			(small ? `, ${small} flagged small (n_eff < ${d.min_neff})` : '');
		this.drawChart(d);
		this.fillTable(d);
	}

	drawChart(d) {
		const rows = d.cells.reduce((n, c) => n + c.estimates.length, 0);
		const height = d.cells.length * HEAD + rows * ROW + 30;
		const x = (v) => LABEL + v * BAR;
		const s = svg('svg', { viewBox: `0 0 ${W} ${height}`, width: '100%', role: 'img', 'aria-labelledby': 'survey-chart-title', class: 'survey-svg' });
		s.append(svg('title', { id: 'survey-chart-title' }, `Weighted shares of ${d.question} with ${Math.round(d.confidence * 100)}% Wilson intervals`));
		// the share axis: 0, 25, 50, 75, 100 %
		for (const t of [0, 0.25, 0.5, 0.75, 1]) {
			s.append(svg('line', { x1: x(t), x2: x(t), y1: 4, y2: height - 18, class: 'grid-line' }));
			s.append(svg('text', { x: x(t), y: height - 4, 'text-anchor': 'middle', class: 'axis' }, `${t * 100}%`));
		}
		let y = 4;
		for (const c of d.cells) {
			s.append(svg('text', { x: 4, y: y + 16, class: 'cell-name' }, `${c.cell} (answered ${c.answered}${c.dont_know ? `, don't know ${c.dont_know}` : ''}${c.refused ? `, refused ${c.refused}` : ''}${c.missing ? `, missing ${c.missing}` : ''})`));
			y += HEAD;
			for (const e of c.estimates) {
				const g = svg('g', { class: 'estimate' + (e.small ? ' small' : '') });
				const mid = y + ROW / 2;
				const text = e.share === null ? `${e.answer}: no estimate (${e.note})`
					: `${e.answer}: ${pct(e.share)} [${pct(e.lo)}, ${pct(e.hi)}], ${e.count} of ${e.n}, n_eff ${fix(e.n_eff, 1)}, deff ${fix(e.deff, 2)}${e.small ? ', small cell' : ''}`;
				g.append(svg('title', {}, `${c.cell} – ${text}`));
				g.append(svg('text', { x: LABEL - 6, y: mid + 4, 'text-anchor': 'end', class: 'answer' }, e.answer.length > 22 ? e.answer.slice(0, 21) + '…' : e.answer));
				const bar = svg('rect', { x: LABEL, y: y + 4, width: Math.max(0, (e.share || 0) * BAR), height: ROW - 8, class: 'bar' + (e.small ? ' small' : '') });
				bar.dataset.cell = c.cell;
				bar.dataset.answer = e.answer;
				bar.dataset.share = String(e.share);
				bar.dataset.lo = String(e.lo);
				bar.dataset.hi = String(e.hi);
				bar.dataset.small = String(e.small);
				g.append(bar);
				if (e.lo !== null && e.hi !== null) {
					g.append(svg('line', { x1: x(e.lo), x2: x(e.hi), y1: mid, y2: mid, class: 'ci' }));
					g.append(svg('line', { x1: x(e.lo), x2: x(e.lo), y1: mid - 5, y2: mid + 5, class: 'ci' }));
					g.append(svg('line', { x1: x(e.hi), x2: x(e.hi), y1: mid - 5, y2: mid + 5, class: 'ci' }));
				}
				g.append(svg('text', { x: LABEL + BAR + 8, y: mid + 4, class: 'value' }, e.share === null ? 'no estimate' : `${pct(e.share)} [${pct(e.lo)}–${pct(e.hi)}]${e.small ? ' * small' : ''}`));
				s.append(g);
				y += ROW;
			}
		}
		this.chart.replaceChildren(s);
	}

	fillTable(d) {
		const frag = document.createDocumentFragment();
		for (const c of d.cells) {
			for (const e of c.estimates) {
				const tr = document.createElement('tr');
				tr.dataset.cell = c.cell;
				tr.dataset.answer = e.answer;
				if (e.small) tr.className = 'small';
				for (const [v, cls] of [[c.cell], [e.answer], [String(e.count), 'num'], [String(e.n), 'num'], [pct(e.share), 'num'],
					[e.lo === null ? '—' : `${pct(e.lo)} – ${pct(e.hi)}`, 'num'], [fix(e.n_eff, 1), 'num'], [fix(e.deff, 3), 'num'],
					[e.note || (e.small ? 'small cell' : '')]]) {
					const td = document.createElement('td');
					td.textContent = v;
					if (cls) td.className = cls;
					tr.append(td);
				}
				frag.append(tr);
			}
		}
		this.table.tBodies[0].replaceChildren(frag);
	}
}
