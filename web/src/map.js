// The map: the stored boundaries of the admin areas (GET /api/areas.geojson) drawn by Leaflet
// without any tile layer (no request leaves the server), each area filled by the chosen
// measure of the coverage matrix.

import L from 'leaflet';

// ColorBrewer YlGnBu, 5 classes; the first colour is for areas with none (or no data)
export const COLOURS = ['#f0f0f0', '#c7e9b4', '#7fcdbb', '#41b6c4', '#2c7fb8', '#253494'];

// Upper bounds of 5 classes of the positive values: equal steps up to the largest, whole
// numbers for counts, two significant digits for rates and shares (incidents per 100k).
// With zero a value (zero: true) and every value 0, one class holds them.
export function classBreaks(values, zero = false) {
	const max = Math.max(0, ...values);
	if (max <= 0) return zero && values.length ? [0] : [];
	const whole = max >= 5 && values.every((v) => Number.isInteger(v));
	const step = max / 5;
	const b = [];
	for (let i = 1; i <= 5; i++) b.push(whole ? Math.ceil(step * i) : Number((step * i).toPrecision(2)));
	return b.filter((v, i) => i === 0 || v !== b[i - 1]);
}

// The colour of a value: the first colour for no value (undefined, null) and, unless zero is
// a value of the measure (zero: true), for 0 and below.
export function colourFor(v, breaks, zero = false) {
	if (v === undefined || v === null || Number.isNaN(v) || !breaks.length) return COLOURS[0];
	if (!zero && v <= 0) return COLOURS[0];
	for (let i = 0; i < breaks.length; i++) if (v <= breaks[i]) return COLOURS[1 + i];
	return COLOURS[breaks.length];
}

const fmtNum = (v) => (Number.isInteger(v) ? v.toLocaleString('en') : String(Number(v.toPrecision(3))));

export class AreaMap {
	constructor(el, legendEl, onSelect) {
		this.legendEl = legendEl;
		this.onSelect = onSelect;
		this.map = L.map(el, {
			attributionControl: false,
			zoomSnap: 0.25,
			keyboard: true,
			preferCanvas: false,
		});
		this.map.setView([34, 66], 5);
		this.layer = null;
		this.values = new Map(); // pcode → value
		this.opts = {};
		this.selected = null;
	}

	setAreas(geojson) {
		if (this.layer) this.layer.remove();
		this.layer = L.geoJSON(geojson, {
			style: (f) => this.style(f),
			onEachFeature: (f, layer) => {
				layer.on('click', () => this.onSelect(f.properties.pcode));
				layer.bindTooltip(() => this.tooltip(f), { sticky: true });
			},
		}).addTo(this.map);
		const b = this.layer.getBounds();
		if (b.isValid()) this.map.fitBounds(b, { padding: [8, 8] });
	}

	tooltip(f) {
		const v = this.values.get(f.properties.pcode);
		const div = document.createElement('div');
		const none = v === undefined || v === null;
		div.textContent = `${f.properties.name} (${f.properties.pcode}): ${none ? 'no data' : fmtNum(v)}${none ? '' : ' ' + (this.measure || '')}`;
		return div;
	}

	style(f) {
		const p = f.properties.pcode;
		return {
			className: 'area area-' + p, // for tests and styles; set once, when drawn
			fillColor: colourFor(this.values.get(p), this.breaks || [], this.opts.zero),
			fillOpacity: 0.8,
			color: p === this.selected ? '#d7301f' : '#555',
			weight: p === this.selected ? 3 : 1,
		};
	}

	// values: Map pcode → number (an area left out has no data); measure: its name for the
	// legend and tooltips; opts: { unit, source, rule: text for the legend; zero: 0 is a value
	// (else it is shown with the areas that have none); breaks: fixed upper bounds of the
	// classes (else equal steps up to the largest value) }
	setValues(values, measure, opts = {}) {
		this.values = values;
		this.measure = measure;
		this.opts = opts;
		const vs = [...values.values()].filter((v) => v !== null && v !== undefined && !Number.isNaN(v));
		this.breaks = opts.breaks ? opts.breaks.slice() : classBreaks(vs, opts.zero);
		if (this.layer) this.layer.setStyle((f) => this.style(f));
		this.legend();
	}

	select(pcode) {
		this.selected = pcode;
		if (!this.layer) return;
		this.layer.setStyle((f) => this.style(f));
		this.layer.eachLayer((l) => {
			if (l.feature && l.feature.properties.pcode === pcode) {
				l.bringToFront();
				this.map.fitBounds(l.getBounds(), { maxZoom: 7, padding: [20, 20] });
			}
		});
	}

	legend() {
		const el = this.legendEl;
		el.textContent = '';
		const add = (colour, text) => {
			const item = document.createElement('span');
			item.className = 'legend-item';
			const sw = document.createElement('span');
			sw.className = 'swatch';
			sw.style.backgroundColor = colour;
			item.append(sw, document.createTextNode(text));
			el.append(item);
		};
		const o = this.opts;
		const title = document.createElement('span');
		title.className = 'legend-title';
		title.textContent = o.unit ? `${this.measure} (${o.unit})` : this.measure;
		el.append(title);
		add(COLOURS[0], o.zero ? 'no data' : `no ${this.measure}`);
		const whole = this.breaks.every((b) => Number.isInteger(b)) && !o.breaks;
		let lo = whole && !o.zero ? 1 : 0;
		this.breaks.forEach((hi) => {
			add(colourFor(hi, this.breaks, o.zero), lo === hi ? `${fmtNum(hi)}` : `${fmtNum(lo)}–${fmtNum(hi)}`);
			lo = whole ? hi + 1 : hi;
		});
		for (const [k, text] of [['source', o.source], ['rule', o.rule]]) {
			if (!text) continue;
			const p = document.createElement('span');
			p.className = 'legend-' + k;
			p.textContent = (k === 'source' ? 'Source: ' : 'Rule: ') + text;
			el.append(p);
		}
	}

	// Activity sites (those with coordinates) as small circles above the areas: an exact site
	// filled, one the caller may not see exactly (the server gives its area's centre) hollow and
	// dashed, and said to be approximate. Returns the counts { exact, approximate }.
	setSites(activities, show) {
		if (!this.sites) this.sites = L.layerGroup();
		this.sites.clearLayers();
		const n = { exact: 0, approximate: 0 };
		for (const a of activities) {
			if (!a.site) continue;
			const exact = !!a.site.exact;
			n[exact ? 'exact' : 'approximate']++;
			const m = L.circleMarker([a.site.lat, a.site.lon], {
				radius: exact ? 5 : 6,
				className: exact ? 'site site-exact' : 'site site-approx',
				color: '#7a0177',
				weight: exact ? 1 : 2,
				dashArray: exact ? null : '3 2',
				fillColor: '#f768a1',
				fillOpacity: exact ? 0.9 : 0.15,
			});
			m.bindTooltip(() => {
				const d = document.createElement('div');
				const what = `${a.title || (a.sector ? a.sector.name : 'activity')} (${a.organisation ? a.organisation.name : ''})`;
				d.textContent = exact ? what : `${what}: approximate, the centre of ${a.area ? a.area.name : 'its area'} (the exact site is not released to you)`;
				return d;
			});
			this.sites.addLayer(m);
		}
		if (show && !this.map.hasLayer(this.sites)) this.sites.addTo(this.map);
		if (!show && this.map.hasLayer(this.sites)) this.sites.remove();
		return n;
	}

	invalidate() {
		this.map.invalidateSize();
		if (this.layer && !this.fitted) {
			const b = this.layer.getBounds();
			if (b.isValid()) {
				this.map.fitBounds(b, { padding: [8, 8] });
				this.fitted = true;
			}
		}
	}
}
