// A table of one analysis' rows as the server gives them (GET /api/overlap's pairs,
// GET /api/exposure's sites): one column per member of the rows, the answer's rules (its text
// members) above it. Built from the answer, so it follows the server's output as it grows.

function text(v) {
	if (v === null || v === undefined) return '—';
	if (Array.isArray(v)) return v.map(text).join('; ');
	if (typeof v === 'object') {
		if (v.name) return v.name + (v.pcode ? ` (${v.pcode})` : '');
		if (v.title) return v.title;
		return Object.entries(v).map(([k, x]) => `${k}: ${text(x)}`).join(', ');
	}
	if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en') : String(Math.round(v * 1000) / 1000);
	return String(v);
}

const label = (k) => k.replace(/_/g, ' ');

export class RecordsView {
	// rowsKey: the member holding the rows ("pairs", "sites")
	constructor(table, rulesEl, countEl, rowsKey, what) {
		this.table = table;
		this.rulesEl = rulesEl;
		this.countEl = countEl;
		this.rowsKey = rowsKey;
		this.what = what;
	}

	setData(d) {
		const rows = Array.isArray(d[this.rowsKey]) ? d[this.rowsKey] : [];
		this.rulesEl.textContent = '';
		for (const [k, v] of Object.entries(d)) {
			if (k === this.rowsKey || v === null || typeof v === 'object') continue;
			const item = document.createElement('span');
			item.className = 'rule';
			item.textContent = `${label(k)}: ${v}`;
			this.rulesEl.append(item);
		}
		const cols = [];
		for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
		const hr = document.createElement('tr');
		for (const k of cols) {
			const th = document.createElement('th');
			th.scope = 'col';
			th.textContent = label(k);
			if (rows.length && typeof rows[0][k] === 'number') th.className = 'num';
			hr.append(th);
		}
		this.table.tHead.replaceChildren(hr);
		const frag = document.createDocumentFragment();
		for (const r of rows) {
			const tr = document.createElement('tr');
			for (const k of cols) {
				const td = document.createElement('td');
				td.textContent = text(r[k]);
				if (typeof r[k] === 'number') td.className = 'num';
				tr.append(td);
			}
			frag.append(tr);
		}
		this.table.tBodies[0].replaceChildren(frag);
		this.countEl.textContent = rows.length ? `${rows.length} ${this.what}` : `no ${this.what}`;
	}
}
