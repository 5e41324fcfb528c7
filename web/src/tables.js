// The coverage matrix (sortable by any column, filtered by pillar and by area name) and the
// activities list (a keyset page at a time).

function cell(tag, text, cls) {
	const c = document.createElement(tag);
	if (text !== undefined && text !== null) c.textContent = String(text);
	if (cls) c.className = cls;
	return c;
}

// The value of a coverage row for a column key: "name", "pcode", "total" or a pillar code.
export function covValue(row, key, measure = 'activities') {
	if (key === 'name' || key === 'pcode') return row[key];
	if (key === 'total') return row.totals[measure];
	const c = row.cells.find((x) => x.column === key);
	return c ? c[measure] : 0;
}

export class CoverageTable {
	constructor(table, countEl) {
		this.table = table;
		this.countEl = countEl;
		this.data = null;
		this.sortKey = 'pcode';
		this.sortDir = 1;
		this.pillar = '';
		this.text = '';
	}

	setData(data) {
		this.data = data;
		this.render();
	}

	setPillar(p) {
		this.pillar = p;
		if (p && this.sortKey !== 'name' && this.sortKey !== 'pcode') this.sortKey = p;
		this.render();
	}

	setText(t) {
		this.text = t.trim().toLowerCase();
		this.render();
	}

	sortBy(key) {
		if (this.sortKey === key) this.sortDir = -this.sortDir;
		else {
			this.sortKey = key;
			this.sortDir = key === 'name' || key === 'pcode' ? 1 : -1;
		}
		this.render();
		const b = this.table.querySelector(`th[data-key="${key}"] button`);
		if (b) b.focus();
	}

	columns() {
		const cols = [
			{ key: 'pcode', name: 'P-code' },
			{ key: 'name', name: 'Area' },
		];
		for (const c of this.data.columns) if (!this.pillar || c.code === this.pillar) cols.push({ key: c.code, name: c.name, num: true });
		if (!this.pillar) cols.push({ key: 'total', name: 'Total', num: true });
		return cols;
	}

	rows() {
		let rows = this.data.rows.filter((r) => !r.unspecified || covValue(r, 'total') > 0);
		if (this.pillar) rows = rows.filter((r) => covValue(r, this.pillar) > 0);
		if (this.text) rows = rows.filter((r) => r.name.toLowerCase().includes(this.text) || r.pcode.toLowerCase().includes(this.text));
		const k = this.sortKey;
		const d = this.sortDir;
		return rows.sort((a, b) => {
			const x = covValue(a, k);
			const y = covValue(b, k);
			if (x < y) return -d;
			if (x > y) return d;
			return a.pcode < b.pcode ? -1 : a.pcode > b.pcode ? 1 : 0;
		});
	}

	render() {
		if (!this.data) return;
		const cols = this.columns();
		const thead = this.table.tHead;
		const tbody = this.table.tBodies[0];
		const hr = document.createElement('tr');
		for (const c of cols) {
			const th = cell('th', null, c.num ? 'num' : '');
			th.scope = 'col';
			th.dataset.key = c.key;
			const sorted = this.sortKey === c.key;
			th.setAttribute('aria-sort', sorted ? (this.sortDir > 0 ? 'ascending' : 'descending') : 'none');
			const b = cell('button', c.name + (sorted ? (this.sortDir > 0 ? ' ▲' : ' ▼') : ''), 'sort');
			b.type = 'button';
			b.title = `sort by ${c.name}`;
			b.addEventListener('click', () => this.sortBy(c.key));
			th.append(b);
			hr.append(th);
		}
		thead.replaceChildren(hr);
		const rows = this.rows();
		const frag = document.createDocumentFragment();
		for (const r of rows) {
			const tr = document.createElement('tr');
			tr.dataset.pcode = r.pcode;
			for (const c of cols) {
				if (!c.num) {
					tr.append(cell(c.key === 'pcode' ? 'th' : 'td', c.key === 'pcode' && r.unspecified ? '—' : r[c.key]));
					continue;
				}
				const a = covValue(r, c.key, 'activities');
				const o = covValue(r, c.key, 'organisations');
				const td = cell('td', null, 'num' + (a ? '' : ' zero'));
				td.textContent = a ? `${a} (${o})` : '0';
				tr.append(td);
			}
			frag.append(tr);
		}
		tbody.replaceChildren(frag);
		this.countEl.textContent = `${rows.length} of ${this.data.rows.length} areas`;
	}
}

export class ActivitiesTable {
	constructor(table, countEl, moreBtn, api) {
		this.tbody = table.tBodies[0];
		this.countEl = countEl;
		this.moreBtn = moreBtn;
		this.api = api;
		this.filters = {};
		this.next = null;
		this.rows = [];
		this.seq = 0;
		this.onRows = () => {};
		this.onOpen = () => {};
		moreBtn.addEventListener('click', () => this.load(true));
	}

	query(after) {
		const q = new URLSearchParams({ limit: '100' });
		for (const [k, v] of Object.entries(this.filters)) if (v) q.set(k, v);
		if (after) q.set('after', after);
		return '/api/activities?' + q.toString();
	}

	async load(more = false) {
		const seq = ++this.seq; // a newer load wins over one still in flight
		const j = await this.api(this.query(more ? this.next : null));
		if (seq !== this.seq) return;
		if (!more) this.rows = [];
		this.rows.push(...j.activities);
		this.next = j.next || null;
		this.render(more ? j.activities : this.rows, more);
		this.onRows(this.rows);
	}

	render(rows, append) {
		const frag = document.createDocumentFragment();
		for (const a of rows) {
			const tr = document.createElement('tr');
			tr.dataset.id = a.id;
			const t = cell('td', null, 'title');
			// presence rows have no title: name them by sector and place
			const name = a.title || `(${a.sector ? a.sector.name : 'activity'}${a.area ? ', ' + a.area.name : ''})`;
			const open = cell('button', name, a.title ? 'link' : 'link untitled');
			open.type = 'button';
			open.title = 'details';
			open.addEventListener('click', () => this.onOpen(a.id));
			t.append(open);
			tr.append(
				t,
				cell('td', a.organisation ? a.organisation.name : ''),
				cell('td', a.sector ? a.sector.name : ''),
				cell('td', a.pillar),
				cell('td', a.area ? `${a.area.name} (${a.area.pcode})` : '—'),
				cell('td', a.start || ''),
				cell('td', a.end || ''),
				cell('td', a.releasability, 'rel rel-' + a.releasability),
			);
			frag.append(tr);
		}
		if (append) this.tbody.append(frag);
		else this.tbody.replaceChildren(frag);
		this.moreBtn.hidden = !this.next;
		this.countEl.textContent = `${this.rows.length} shown${this.next ? ', more to load' : ''}`;
	}
}
