// Indicators (GET /api/progress, when the server offers it): each series' latest value against
// its baseline and target, progress and expected progress, status and Theil–Sen trend, and for
// the series chosen a uPlot chart of where the trend leads: the trend line (value = intercept +
// slope × days since 1970-01-01, as the server computes it), the baseline and the target, and
// the latest observation.

import uPlot from 'uplot';

const DAY = 86400;
const pct = (v) => (v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`);
const num = (v) => (v === null || v === undefined ? '—' : v.toLocaleString('en'));
const days = (iso) => Date.parse(iso + 'T00:00:00Z') / 1000 / DAY;

function td(text, cls) {
	const c = document.createElement('td');
	c.textContent = text;
	if (cls) c.className = cls;
	return c;
}

export class IndicatorsView {
	constructor(table, chartEl, countEl) {
		this.tbody = table.tBodies[0];
		this.chartEl = chartEl;
		this.countEl = countEl;
		this.data = null;
		this.chosen = null;
		this.chart = null;
	}

	setData(d) {
		this.data = d;
		this.render();
		const again = this.chosen && d.results.findIndex((r) => this.key(r) === this.chosen);
		if (again !== null && again >= 0) this.draw(d.results[again]);
	}

	key(r) {
		return [r.indicator, r.area, r.sex, r.age_group].join('|');
	}

	render() {
		const frag = document.createDocumentFragment();
		for (const r of this.data.results) {
			const tr = document.createElement('tr');
			tr.dataset.indicator = r.indicator;
			tr.dataset.status = r.status;
			const name = document.createElement('td');
			const b = document.createElement('button');
			b.type = 'button';
			b.className = 'link';
			b.textContent = r.indicator;
			b.title = 'chart';
			b.addEventListener('click', () => this.draw(r));
			name.append(b);
			const dis = [r.sex, r.age_group].filter(Boolean).join(', ');
			tr.append(name, td(r.area || 'all'), td(dis || '—'), td(r.latest_date ? `${num(r.latest_value)} (${r.latest_date})` : '—'),
				td(num(r.baseline), 'num'), td(num(r.target), 'num'), td(pct(r.progress), 'num'), td(pct(r.expected), 'num'),
				td(r.status.replace('_', ' '), 'status status-' + r.status),
				td(r.trend ? r.trend.direction + (r.trend.p !== null && r.trend.p !== undefined ? ` (p ${r.trend.p.toPrecision(2)})` : '') : '—'),
				td(r.projected_date || r.projection || '—'));
			frag.append(tr);
		}
		this.tbody.replaceChildren(frag);
		this.countEl.textContent = `${this.data.results.length} series as of ${this.data.as_of}`;
	}

	draw(r) {
		this.chosen = this.key(r);
		if (this.chart) this.chart.destroy();
		this.chart = null;
		this.chartEl.textContent = '';
		if (!r.latest_date) return;
		const latest = days(r.latest_date);
		const start = latest - 365;
		const end = Math.max(latest + 180, r.projected_date ? days(r.projected_date) : 0, days(this.data.as_of));
		const xs = [start, latest, end];
		const t = r.trend && r.trend.n >= 2 && r.trend.slope_per_day !== null;
		const line = (v) => xs.map(() => v);
		const data = [
			xs.map((d) => d * DAY),
			t ? xs.map((d) => r.trend.intercept + r.trend.slope_per_day * d) : line(null),
			line(r.target),
			line(r.baseline),
			[null, r.latest_value, null],
		];
		const label = `${r.indicator}${r.area ? ' in ' + r.area : ''}${r.sex ? ', ' + r.sex : ''}${r.age_group ? ', ' + r.age_group : ''}: ${r.status.replace('_', ' ')}`;
		this.chart = new uPlot(
			{
				width: Math.max(280, Math.min(900, this.chartEl.clientWidth || 600)),
				height: 220,
				title: label,
				scales: { x: { time: true } },
				series: [
					{},
					{ label: 'trend', stroke: '#2c7fb8', width: 2, dash: [6, 4] },
					{ label: 'target', stroke: '#2e7d32', width: 2 },
					{ label: 'baseline', stroke: '#8a949c', width: 1 },
					{ label: 'latest', stroke: '#d7301f', width: 0, points: { show: true, size: 9, fill: '#d7301f' } },
				],
			},
			data,
			this.chartEl,
		);
		this.chartEl.dataset.indicator = r.indicator;
	}
}
