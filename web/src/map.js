// The map: the stored boundaries of the admin areas (GET /api/areas.geojson) drawn by Leaflet
// without any tile layer (no request leaves the server), each area filled by the chosen
// measure of the coverage matrix.

import L from 'leaflet';

// ColorBrewer YlGnBu, 5 classes; the first colour is for areas with none
const COLOURS = ['#f0f0f0', '#c7e9b4', '#7fcdbb', '#41b6c4', '#2c7fb8', '#253494'];

// Upper bounds of 5 classes of the positive values: equal steps up to the largest, whole
// numbers for counts, two significant digits for rates and shares (incidents per 100k).
export function classBreaks(values) {
	const max = Math.max(0, ...values);
	if (max <= 0) return [];
	const whole = max >= 5 && values.every((v) => Number.isInteger(v));
	const step = max / 5;
	const b = [];
	for (let i = 1; i <= 5; i++) b.push(whole ? Math.ceil(step * i) : Number((step * i).toPrecision(2)));
	return b.filter((v, i) => i === 0 || v !== b[i - 1]);
}

export function colourFor(v, breaks) {
	if (!v || v <= 0 || !breaks.length) return COLOURS[0];
	for (let i = 0; i < breaks.length; i++) if (v <= breaks[i]) return COLOURS[1 + i];
	return COLOURS[breaks.length];
}

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
		div.textContent = `${f.properties.name} (${f.properties.pcode}): ${v === undefined ? 'no data' : v} ${this.measure || ''}`;
		return div;
	}

	style(f) {
		const p = f.properties.pcode;
		return {
			className: 'area area-' + p, // for tests and styles; set once, when drawn
			fillColor: colourFor(this.values.get(p), this.breaks || []),
			fillOpacity: 0.8,
			color: p === this.selected ? '#d7301f' : '#555',
			weight: p === this.selected ? 3 : 1,
		};
	}

	// values: Map pcode → number; measure: its name for the legend and tooltips
	setValues(values, measure) {
		this.values = values;
		this.measure = measure;
		this.breaks = classBreaks([...values.values()]);
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
		add(COLOURS[0], `no ${this.measure}`);
		const whole = this.breaks.every((b) => Number.isInteger(b));
		let lo = whole ? 1 : 0;
		this.breaks.forEach((hi) => {
			add(colourFor(hi, this.breaks), lo === hi ? `${hi}` : `${lo}–${hi}`);
			lo = whole ? hi + 1 : hi;
		});
	}

	// Activity sites (those with coordinates) as small circles above the areas.
	setSites(activities, show) {
		if (!this.sites) this.sites = L.layerGroup();
		this.sites.clearLayers();
		for (const a of activities) {
			if (!a.site) continue;
			const m = L.circleMarker([a.site.lat, a.site.lon], {
				radius: a.site.exact ? 5 : 3,
				className: 'site',
				color: '#7a0177',
				weight: 1,
				fillColor: '#f768a1',
				fillOpacity: 0.9,
			});
			m.bindTooltip(() => {
				const d = document.createElement('div');
				d.textContent = `${a.title || a.sector.name} (${a.organisation.name})`;
				return d;
			});
			this.sites.addLayer(m);
		}
		if (show && !this.map.hasLayer(this.sites)) this.sites.addTo(this.map);
		if (!show && this.map.hasLayer(this.sites)) this.sites.remove();
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
