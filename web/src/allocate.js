// The allocation view (POST /api/allocate, coordinators and above; docs/allocate.md): money and
// teams spread over area x pillar cells by the server's linear program. The cells come from the
// mission's needs as the caller may see them (GET /api/gaps?by=pillar: the unmet need where
// coverage is known, else the people in need; severity as recorded, 1 when missing), the
// budgets and teams from two boxes written as `concord allocate --budget/--teams` takes them;
// or a whole problem file is sent as it is. The answer is shown as the server gives it: the
// allocation per cell, who funds and sends what, the binding constraints with their shadow
// prices, or for an infeasible problem the conflicting constraints. A viewer or an editor is
// told why it cannot run one; no request is made for it.

const ROLES = ['viewer', 'editor', 'coordinator', 'admin'];
export const PILLARS = ['security', 'governance', 'infrastructure', 'economy', 'humanitarian', 'other'];
const MAX_FILE_BYTES = 1024 * 1024;

const $ = (id) => document.getElementById(id);

function fmt(v, digits = 0) {
	if (v === null || v === undefined) return '—';
	if (typeof v !== 'number') return String(v);
	return v.toLocaleString('en', { maximumFractionDigits: digits });
}

function sig(v) {
	return v === null || v === undefined ? '—' : String(Number(v.toPrecision(6)));
}

function td(text, cls) {
	const c = document.createElement('td');
	c.textContent = text === null || text === undefined ? '—' : String(text);
	if (cls) c.className = cls;
	return c;
}

// "A+B" lists of an option; pillars checked against the six.
function list(v, what, line) {
	const items = v.split('+').map((x) => x.trim()).filter(Boolean);
	if (!items.length) throw new Error(`line ${line}: ${what} is empty`);
	if (what === 'pillars') for (const p of items) if (!PILLARS.includes(p)) throw new Error(`line ${line}: '${p}' is not a pillar (${PILLARS.join(', ')})`);
	return items;
}

function number(v, what, line) {
	const s = v.trim();
	const n = Number(s);
	if (!s || !Number.isFinite(n) || n < 0) throw new Error(`line ${line}: ${what} must be a number of at least 0 ('${s}')`);
	return n;
}

// One budget or team a line, as `concord allocate` takes them:
//   budgets: NAME=USD[:min=USD][:pillars=P+P][:areas=A+A][:sectors=S+S]
//   teams:   NAME=N[:ppt=PEOPLE_PER_TEAM][:pillars=P+P][:areas=A+A]   (ppt default 1000)
// Returns the donors' or organisations' objects of the problem; throws Error naming the line.
export function parseLines(text, kind) {
	const out = [];
	const opts = kind === 'budgets' ? ['min', 'pillars', 'areas', 'sectors'] : ['ppt', 'pillars', 'areas'];
	text.split('\n').forEach((raw, i) => {
		const line = i + 1;
		const s = raw.trim();
		if (!s || s.startsWith('#')) return;
		const parts = s.split(':');
		const head = parts[0];
		const eq = head.lastIndexOf('=');
		if (eq <= 0) throw new Error(`line ${line}: expected NAME=${kind === 'budgets' ? 'USD' : 'TEAMS'}`);
		const name = head.slice(0, eq).trim();
		const o = kind === 'budgets'
			? { name, budget_usd: number(head.slice(eq + 1), 'the budget', line) }
			: { name, teams: number(head.slice(eq + 1), 'the number of teams', line), people_per_team: 1000 };
		for (const p of parts.slice(1)) {
			const k = p.slice(0, p.indexOf('=')).trim();
			const v = p.slice(p.indexOf('=') + 1);
			if (p.indexOf('=') < 0 || !opts.includes(k)) throw new Error(`line ${line}: unknown option '${p.trim()}' (${opts.join(', ')})`);
			if (k === 'min') o.min_spend_usd = number(v, 'min', line);
			else if (k === 'ppt') o.people_per_team = number(v, 'ppt', line);
			else o[k] = list(v, k, line);
		}
		if (o.min_spend_usd !== undefined && o.min_spend_usd > o.budget_usd) throw new Error(`line ${line}: min is above the budget`);
		out.push(o);
	});
	return out;
}

// The cells of the mission's needs: one per area x pillar row of GET /api/gaps?by=pillar with
// people in need (intersectoral rows have no pillar, hence no cell). Also counts the cells
// without a severity (taken as 1).
export function cellsFromGaps(gaps) {
	const cells = [];
	let noSeverity = 0;
	for (const r of gaps.rows) {
		if (!r.pcode || !PILLARS.includes(r.key) || r.in_need === null || r.in_need === undefined) continue;
		const need = r.unmet === null || r.unmet === undefined ? r.in_need : r.unmet;
		const sev = Number.isInteger(r.severity) && r.severity >= 1 && r.severity <= 5 ? r.severity : null;
		if (sev === null) noSeverity++;
		cells.push({ area: r.pcode, name: r.area || r.pcode, pillar: r.key, need, severity: sev || 1 });
	}
	return { cells, noSeverity };
}

// "one more USD buys 0.02 weighted people", as the command's table says it.
export function meaning(c) {
	const lo = c.lo !== null && c.lo !== undefined;
	const hi = c.hi !== null && c.hi !== undefined;
	const atLower = lo && (!hi || Math.abs(c.activity - c.lo) < Math.abs(c.activity - c.hi));
	if (atLower) return `requiring one ${c.unit} more costs ${sig(-c.shadow_price)} weighted people`;
	return `one more ${c.unit} buys ${sig(c.shadow_price)} weighted people`;
}

function bounds(c) {
	const lo = c.lo !== null && c.lo !== undefined;
	const hi = c.hi !== null && c.hi !== undefined;
	if (lo && hi && c.lo === c.hi) return `= ${fmt(c.lo, 2)}`;
	if (lo && hi) return `${fmt(c.lo, 2)} .. ${fmt(c.hi, 2)}`;
	if (lo) return `>= ${fmt(c.lo, 2)}`;
	if (hi) return `<= ${fmt(c.hi, 2)}`;
	return 'free';
}

// The form field a server error's field path belongs to.
function fieldOf(path) {
	if (!path) return 'form';
	if (/^donors/.test(path)) return 'budgets';
	if (/^organisations/.test(path)) return 'teams';
	if (/^cost_per_person_usd/.test(path)) return 'cost';
	if (/^weights/.test(path)) return 'weights';
	return 'form';
}

// The inputs of a field of the form ("weights": both weights; "form": none).
function inputsOf(k) {
	if (k === 'weights') return [$('alloc-wsev'), $('alloc-wneed')];
	if (k === 'security') return [$('alloc-secmin'), $('alloc-secthr'), $('alloc-days')];
	const input = k === 'form' ? null : $(`alloc-${k}`);
	return input ? [input] : [];
}

export class AllocateView {
	// api, ApiError: the client (api.js); showError: for what is not the form's
	constructor(api, ApiError, showError) {
		this.api = api;
		this.ApiError = ApiError;
		this.showError = showError;
		this.period = () => '';
		this.periodEnd = () => '';
		this.exposureNote = '';
		this.gaps = null;
		this.wired = false;
	}

	// Shown to every role: coordinators and admins get the form, the others why they have none.
	start(me) {
		this.me = me;
		const may = ROLES.indexOf(me.role) >= 2;
		$('alloc-form').hidden = !may;
		$('alloc-result').hidden = true;
		const why = $('alloc-role');
		why.hidden = may;
		why.textContent = may
			? ''
			: `Running an allocation needs the coordinator role (POST /api/allocate is for coordinators and administrators of the mission). You are signed in as ${me.role === 'editor' ? 'an' : 'a'} ${me.role} of ${me.organisation.name}: ask a coordinator of the mission to run it.`;
		if (!may) return;
		if (!this.wired) {
			this.wired = true;
			$('alloc-form').addEventListener('submit', (e) => {
				e.preventDefault();
				this.run().catch(this.showError);
			});
			$('alloc-source').addEventListener('change', () => this.sourceChanged());
		}
		this.sourceChanged();
	}

	sourceChanged() {
		const file = $('alloc-source').value === 'file';
		$('alloc-file-row').hidden = !file;
		$('alloc-needs').hidden = file;
	}

	clearErrors() {
		for (const k of ['form', 'budgets', 'teams', 'cost', 'weights', 'security', 'file']) {
			$(`alloc-${k}-error`).textContent = '';
			for (const input of inputsOf(k)) input.removeAttribute('aria-invalid');
		}
	}

	// An error next to its field, which is marked invalid and given the focus.
	bad(k, message) {
		$(`alloc-${k}-error`).textContent = message;
		const inputs = inputsOf(k);
		for (const input of inputs) input.setAttribute('aria-invalid', 'true');
		if (inputs.length) inputs[0].focus();
	}

	// The problem of the form: a file's object as it is, or the mission's cells with the boxes'
	// budgets and teams. null (with the error shown) when the form is not right.
	async problem() {
		if ($('alloc-source').value === 'file') {
			const f = $('alloc-file').files && $('alloc-file').files[0];
			if (!f) return this.bad('file', 'choose a problem file (JSON)');
			if (f.size > MAX_FILE_BYTES) return this.bad('file', `the file is over ${MAX_FILE_BYTES / 1024} KiB`);
			try {
				const p = JSON.parse(await f.text());
				if (!p || typeof p !== 'object' || Array.isArray(p)) return this.bad('file', 'the file holds no JSON object');
				return p;
			} catch (e) {
				return this.bad('file', `${f.name} is not JSON: ${e.message}`);
			}
		}
		const cost = Number($('alloc-cost').value);
		if ($('alloc-cost').value === '' || !(cost > 0)) return this.bad('cost', 'a cost per person above 0 (USD)');
		const sev = Number($('alloc-wsev').value);
		const need = Number($('alloc-wneed').value);
		if ($('alloc-wsev').value === '' || $('alloc-wneed').value === '' || !Number.isFinite(sev) || !Number.isFinite(need) || sev < 0 || need < 0)
			return this.bad('weights', 'the weights are numbers of at least 0');
		let donors, organisations;
		try {
			donors = parseLines($('alloc-budgets').value, 'budgets');
		} catch (e) {
			return this.bad('budgets', e.message);
		}
		try {
			organisations = parseLines($('alloc-teams').value, 'teams');
		} catch (e) {
			return this.bad('teams', e.message);
		}
		if (!donors.length && !organisations.length) return this.bad('budgets', 'give at least one budget or one team');
		// the security minimum, with each cell's exposure, when both figures are given
		const secMin = $('alloc-secmin').value;
		const secThr = $('alloc-secthr').value;
		const days = $('alloc-days').value;
		let security = null;
		if (secMin !== '' || secThr !== '') {
			if (secMin === '' || secThr === '') return this.bad('security', 'give both the minimum of teams and the incidents that call for it, or neither');
			if (!(Number(secMin) >= 0) || !(Number(secThr) >= 0)) return this.bad('security', 'the minimum and the incidents are numbers of at least 0');
			if (!/^\d+$/.test(days) || Number(days) < 1 || Number(days) > 36500) return this.bad('security', 'the days are a whole number from 1 to 36500');
			security = { exposure_threshold: Number(secThr), min_teams: Number(secMin) };
		}
		this.gaps = await this.api('/api/gaps?level=1&by=pillar' + this.period());
		const { cells, noSeverity } = cellsFromGaps(this.gaps);
		this.noSeverity = noSeverity;
		if (!cells.length) return this.bad('form', 'the needs you may see have no area x pillar cell with people in need');
		const body = {
			description: 'the mission\'s needs by area and pillar (GET /api/gaps?by=pillar), from the dashboard',
			cost_per_person_usd: cost,
			weights: { severity: sev, need },
		};
		if (security) {
			const to = this.periodEnd();
			const ex = await this.api(`/api/exposure?by=area&level=1&days=${days}${to ? '&at=' + to : ''}`);
			const inc = new Map((ex.areas || []).map((x) => [x.pcode, x.incidents]));
			for (const c of cells) c.exposure = inc.get(c.area) || 0;
			body.security = security;
			this.exposureNote = `exposure: the incidents of the ${days} days up to ${ex.at}`;
		} else {
			this.exposureNote = '';
		}
		return Object.assign(body, { cells, donors, organisations });
	}

	async run() {
		this.clearErrors();
		$('alloc-result').hidden = true; // no answer of another problem stays on screen
		const body = await this.problem();
		if (!body) return;
		$('alloc-body').textContent = JSON.stringify(body, null, 1);
		$('alloc-status').textContent = 'Solving…';
		let r;
		try {
			r = await this.api('/api/allocate', { method: 'POST', body });
		} catch (e) {
			$('alloc-status').textContent = '';
			if (e instanceof this.ApiError && e.status < 500 && e.status !== 401) {
				const k = $('alloc-source').value === 'file' ? 'file' : fieldOf(e.field);
				return this.bad(k, e.field && e.field !== 'body' ? `${e.field}: ${e.message}` : e.message);
			}
			throw e;
		}
		$('alloc-status').textContent = '';
		this.render(r, body);
	}

	render(r, body) {
		$('alloc-result').hidden = false;
		const infeasible = r.status === 'infeasible';
		const sum = $('alloc-summary');
		sum.dataset.status = r.status;
		const funded = (r.cells || []).reduce((x, c) => x + c.funded_usd, 0);
		const teams = (r.cells || []).reduce((x, c) => x + c.teams_rounded, 0);
		const binding = (r.constraints || []).filter((c) => c.binding);
		if (infeasible) {
			sum.textContent = `Infeasible: no allocation meets every constraint. The ${r.conflict.length} constraints below cannot hold together; loosening any one of them removes this conflict (others may remain).`;
		} else {
			sum.textContent = `${r.status}: ${fmt(r.people_covered)} people covered (${fmt(r.people_covered_rounded)} with whole teams), ` +
				`weighted objective ${fmt(r.objective, 1)} (${fmt(r.objective_rounded, 1)}); ${fmt(funded)} USD and ${fmt(teams)} teams allocated over ` +
				`${r.cells.filter((c) => c.funded_usd > 0 || c.teams_lp > 0).length} of ${r.cells.length} cells; ${binding.length} binding constraints.`;
		}
		const src = $('alloc-source').value === 'file' ? 'a problem file' : `${body.cells.length} cells of the mission's needs${this.noSeverity ? ` (${this.noSeverity} without a severity, taken as 1)` : ''}`;
		$('alloc-source-note').textContent = `Solved in ${sig(r.solve_seconds)} s: ${r.n_variables} variables, ${r.n_constraints} constraints, from ${src}. Weights: severity ${r.weights.severity}, need ${r.weights.need}${this.exposureNote && $('alloc-source').value !== 'file' ? `; ${this.exposureNote}` : ''}. Teams are rounded by ${r.rounding.rule}.`;
		$('alloc-cells-wrap').hidden = infeasible;
		$('alloc-who-wrap').hidden = infeasible;
		$('alloc-binding-wrap').hidden = infeasible;
		$('alloc-conflict-wrap').hidden = !infeasible;

		// the cells
		let frag = document.createDocumentFragment();
		for (const c of r.cells || []) {
			const tr = document.createElement('tr');
			tr.dataset.area = c.area;
			tr.dataset.pillar = c.pillar;
			const name = (body.cells || []).find((x) => x.area === c.area && x.pillar === c.pillar && (x.sector || '') === (c.sector || ''));
			tr.append(td(name && name.name && name.name !== c.area ? `${name.name} (${c.area})` : c.area), td(c.pillar + (c.sector ? ` / ${c.sector}` : '')),
				td(fmt(c.need), 'num'), td(c.severity, 'num'), td(fmt(c.funded_usd), 'num'), td(fmt(c.teams_lp, 2), 'num'),
				td(fmt(c.teams_rounded), 'num'), td(fmt(c.covered), 'num'), td(fmt(c.covered_rounded), 'num'),
				td(c.over_need_rounded > 0 ? 'above its need after rounding' : c.security_short ? 'below the security minimum after rounding' : ''));
			frag.append(tr);
		}
		if (!infeasible) {
			const tr = document.createElement('tr');
			tr.className = 'total';
			tr.append(td('Total'), td(''), td(fmt(r.cells.reduce((x, c) => x + c.need, 0)), 'num'), td(''), td(fmt(funded), 'num'),
				td(fmt(r.cells.reduce((x, c) => x + c.teams_lp, 0), 2), 'num'), td(fmt(teams), 'num'), td(fmt(r.people_covered), 'num'),
				td(fmt(r.people_covered_rounded), 'num'), td(''));
			frag.append(tr);
		}
		$('alloc-cells').tBodies[0].replaceChildren(frag);

		// who funds and sends what
		frag = document.createDocumentFragment();
		for (const f of r.funding || []) {
			const tr = document.createElement('tr');
			tr.dataset.kind = 'funding';
			tr.append(td(f.donor), td(f.area), td(f.pillar + (f.sector ? ` / ${f.sector}` : '')), td(`${fmt(f.usd)} USD`, 'num'));
			frag.append(tr);
		}
		for (const t of r.teams || []) {
			const tr = document.createElement('tr');
			tr.dataset.kind = 'teams';
			tr.append(td(t.organisation), td(t.area), td(t.pillar + (t.sector ? ` / ${t.sector}` : '')), td(`${fmt(t.rounded)} ${t.rounded === 1 ? 'team' : 'teams'} (LP ${fmt(t.lp, 2)})`, 'num'));
			frag.append(tr);
		}
		$('alloc-who').tBodies[0].replaceChildren(frag);

		// binding constraints with their shadow prices, or the conflict
		const rows = (list2, withPrice) => {
			const fr = document.createDocumentFragment();
			for (const c of list2) {
				const tr = document.createElement('tr');
				tr.dataset.kind = c.kind;
				tr.dataset.label = c.label;
				if (withPrice) tr.dataset.shadow = String(c.shadow_price);
				tr.append(td(c.label), td(c.kind), td(bounds(c)), td(c.unit));
				if (withPrice) tr.append(td(fmt(c.activity, 2), 'num'), td(sig(c.shadow_price), 'num'), td(meaning(c)));
				fr.append(tr);
			}
			return fr;
		};
		$('alloc-binding').tBodies[0].replaceChildren(rows(binding, true));
		$('alloc-conflict').tBodies[0].replaceChildren(rows(r.conflict || [], false));
		$('alloc-summary').focus();
	}
}
