// Lessons (GET /api/lessons/search, when the server offers it): the register's full-text search.
// The hits come ranked by the server (bm25), each with its snippet, whose matched words the
// server puts in [brackets]; they are shown highlighted with <mark>, built as text nodes, never
// as HTML. The facet counts (pillar, mission, status) cover every match; a pillar or status
// facet is a button that narrows the hits to it (pressed again, it lets go).

const FACETS = [
	['pillar', 'Pillar'],
	['status', 'Status'],
	['mission', 'Mission'],
];

// The snippet as nodes: text, and each [matched] word in a <mark>.
export function snippetNodes(s) {
	const frag = document.createDocumentFragment();
	const re = /\[([^[\]]*)\]/g;
	let at = 0;
	let m;
	while ((m = re.exec(s)) !== null) {
		if (m.index > at) frag.append(document.createTextNode(s.slice(at, m.index)));
		const mark = document.createElement('mark');
		mark.textContent = m[1];
		frag.append(mark);
		at = re.lastIndex;
	}
	if (at < s.length) frag.append(document.createTextNode(s.slice(at)));
	return frag;
}

function el(tag, cls, text) {
	const e = document.createElement(tag);
	if (cls) e.className = cls;
	if (text !== undefined) e.textContent = text;
	return e;
}

export class LessonsView {
	constructor(api, ApiError, showError) {
		this.api = api;
		this.ApiError = ApiError;
		this.showError = showError;
		this.form = document.getElementById('lesson-form');
		this.q = document.getElementById('lesson-q');
		this.err = document.getElementById('lesson-error');
		this.hits = document.getElementById('lesson-hits');
		this.facets = document.getElementById('lesson-facets');
		this.count = document.getElementById('lesson-count');
		this.filters = { pillar: '', status: '' };
		this.query = '';
		this.form.addEventListener('submit', (e) => {
			e.preventDefault();
			this.query = this.q.value.trim();
			this.filters = { pillar: '', status: '' };
			this.search();
		});
	}

	// a new session: nothing searched yet
	async start() {
		this.query = '';
		this.filters = { pillar: '', status: '' };
		this.q.value = '';
		this.hits.replaceChildren();
		this.facets.replaceChildren();
		this.count.textContent = '';
		this.setError('');
	}

	// the search on screen again (a change came through the feed)
	async reload() {
		if (this.query) await this.search();
	}

	setError(m) {
		this.err.textContent = m;
		if (m) this.q.setAttribute('aria-invalid', 'true');
		else this.q.removeAttribute('aria-invalid');
	}

	async search() {
		this.setError('');
		if (!this.query) {
			this.setError('give the words to search for');
			return;
		}
		const p = new URLSearchParams({ q: this.query, limit: '50' });
		for (const [k, v] of Object.entries(this.filters)) if (v) p.set(k, v);
		let d;
		try {
			d = await this.api('/api/lessons/search?' + p.toString());
		} catch (x) {
			if (x instanceof this.ApiError && x.status === 400) return this.setError(x.message);
			return this.showError(x);
		}
		this.render(d);
	}

	render(d) {
		const frag = document.createDocumentFragment();
		for (const h of d.hits) {
			const li = el('li', 'hit');
			li.dataset.key = h.key;
			const head = el('h3');
			head.append(el('span', 'key', h.key), document.createTextNode(' ' + h.title));
			const meta = el('p', 'meta', [h.pillars.replace(/,/g, ', ') || 'no pillar', h.status.replace(/-/g, ' '), h.mission || 'no mission'].join(' · '));
			meta.title = `bm25 rank ${h.rank} (smaller is better)`;
			const snip = el('p', 'snippet');
			snip.append(snippetNodes(h.snippet));
			li.append(head, meta, snip);
			if (h.source) li.append(el('p', 'source', h.source));
			frag.append(li);
		}
		this.hits.replaceChildren(frag);
		const narrowed = Object.values(this.filters).some(Boolean);
		this.count.textContent = d.n_matched === 0 ? `No lesson you may see matches “${d.query}”.`
			: `${d.hits.length} of ${d.n_hits} hits${narrowed ? ` (of ${d.n_matched} matches)` : ''} for “${d.query}”, best first`;
		this.renderFacets(d.facets);
	}

	renderFacets(f) {
		// the facet button that had the focus keeps it (the keyboard's place)
		const a = document.activeElement;
		const had = a && a.classList.contains('facet-value') && this.facets.contains(a) ? [a.parentNode.dataset.facet, a.dataset.value] : null;
		const frag = document.createDocumentFragment();
		for (const [k, label] of FACETS) {
			const values = Object.entries(f[k] || {});
			if (!values.length) continue;
			const group = el('div', 'facet');
			group.setAttribute('role', 'group');
			group.setAttribute('aria-label', label);
			group.dataset.facet = k;
			group.append(el('span', 'facet-name', label));
			for (const [v, n] of values) {
				const text = `${v ? v.replace(/-/g, ' ') : 'none'} (${n})`;
				if (k === 'mission') {
					const s = el('span', 'facet-value', text);
					s.dataset.value = v;
					s.dataset.count = String(n);
					group.append(s);
					continue;
				}
				const b = el('button', 'facet-value', text);
				b.type = 'button';
				b.dataset.value = v;
				b.dataset.count = String(n);
				b.setAttribute('aria-pressed', this.filters[k] === v ? 'true' : 'false');
				b.addEventListener('click', () => {
					this.filters[k] = this.filters[k] === v ? '' : v;
					this.search();
				});
				group.append(b);
			}
			frag.append(group);
		}
		this.facets.replaceChildren(frag);
		if (had) {
			const b = [...this.facets.querySelectorAll('button.facet-value')].find((x) => x.parentNode.dataset.facet === had[0] && x.dataset.value === had[1]);
			if (b) b.focus();
		}
	}
}
