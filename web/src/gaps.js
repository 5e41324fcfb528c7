// The gap ranking (GET /api/gaps, when the server offers it): needs against the coverage the
// caller may see, one row per area and sector, in the server's rank order, filtered by sector
// and area. Its people in need also colour the map.

function td(text, cls) {
	const c = document.createElement('td');
	c.textContent = text === null || text === undefined ? '—' : String(text);
	if (cls) c.className = cls;
	return c;
}

const fmt = (v) => (v === null || v === undefined ? null : typeof v === 'number' ? v.toLocaleString('en') : v);

export class GapsTable {
	constructor(table, countEl, sectorSel, ruleEl) {
		this.tbody = table.tBodies[0];
		this.countEl = countEl;
		this.sectorSel = sectorSel;
		this.ruleEl = ruleEl;
		this.data = null;
		this.sector = '';
		this.text = '';
	}

	setData(d) {
		this.data = d;
		const keep = this.sectorSel.value;
		while (this.sectorSel.options.length > 1) this.sectorSel.remove(1);
		const seen = new Map();
		for (const r of d.rows) if (!seen.has(r.key)) seen.set(r.key, r.key_name);
		for (const [k, name] of [...seen].sort((x, y) => x[1].localeCompare(y[1]))) this.sectorSel.add(new Option(name, k));
		this.sectorSel.value = keep;
		this.ruleEl.textContent = d.rank_rule || '';
		this.render();
	}

	setSector(k) {
		this.sector = k;
		this.render();
	}

	setText(t) {
		this.text = t.trim().toLowerCase();
		this.render();
	}

	rows() {
		let rows = this.data.rows;
		if (this.sector) rows = rows.filter((r) => r.key === this.sector);
		if (this.text) rows = rows.filter((r) => (r.area || '').toLowerCase().includes(this.text) || (r.pcode || '').toLowerCase().includes(this.text));
		return rows;
	}

	render() {
		if (!this.data) return;
		const rows = this.rows();
		const frag = document.createDocumentFragment();
		for (const r of rows) {
			const tr = document.createElement('tr');
			tr.dataset.pcode = r.pcode || '';
			tr.dataset.key = r.key;
			tr.append(td(r.rank, 'num'), td(r.area ? `${r.area} (${r.pcode})` : null), td(r.key_name), td(r.severity, 'num'),
				td(fmt(r.in_need), 'num'), td(fmt(r.covered), 'num'), td(r.n_orgs, 'num'),
				td(r.gap === null ? null : fmt(Math.round(r.gap)), 'num'), td(r.status));
			frag.append(tr);
		}
		this.tbody.replaceChildren(frag);
		this.countEl.textContent = `${rows.length} of ${this.data.rows.length} rows`;
	}
}

// People in need per area: the intersectoral row ("ALL") where there is one, else the largest
// sector's figure (sectors overlap: the same people are in need in several).
// Each area's gap score (the sum of its ranked cells' gap = severity x people in need x
// shortfall share, as the server ranks them): Map pcode -> number; areas with no scored cell
// are left out (no data, not 0).
export function gapScore(gaps) {
	const v = new Map();
	for (const r of gaps.rows) {
		if (!r.pcode || r.gap === null || r.gap === undefined) continue;
		v.set(r.pcode, (v.get(r.pcode) || 0) + r.gap);
	}
	return v;
}

export function peopleInNeed(gaps) {
	const all = new Map();
	const max = new Map();
	for (const r of gaps.rows) {
		if (!r.pcode || r.in_need === null) continue;
		if (r.key === 'ALL') all.set(r.pcode, r.in_need);
		max.set(r.pcode, Math.max(max.get(r.pcode) || 0, r.in_need));
	}
	const v = new Map(max);
	for (const [p, n] of all) v.set(p, n);
	return v;
}

// People reached per area: the "covered" of its intersectoral row ("ALL"), which GET /api/gaps
// compares with all the coverage of the area under its reach rule (reach_rule: by default the
// largest figure of any one organisation, each organisation's own records added up). Areas
// without that row, or whose records carry no people figures (covered null), are left out: no
// data, never 0.
export function peopleReached(gaps) {
	const v = new Map();
	for (const r of gaps.rows) if (r.pcode && r.key === 'ALL' && r.covered !== null && r.covered !== undefined) v.set(r.pcode, r.covered);
	return v;
}
