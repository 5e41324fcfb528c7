// Incidents on the map (GET /api/incidents, the ones the caller may see): a layer of circle
// markers grouped into clusters by Leaflet.markercluster, each cluster labelled with the number
// of incidents it holds and opened by a click (or Enter: the clusters are focusable markers).
// Shown on request; loaded a keyset page at a time, again when a change comes through the feed.

import L from 'leaflet';
import 'leaflet.markercluster';

const PAGE = 1000;
const MAX_PAGES = 50; // 50,000 incidents at most on the map

export class IncidentLayer {
	constructor(map, api, showError) {
		this.map = map;
		// clustering needs a deepest zoom, which a map without tiles does not have
		if (!Number.isFinite(map.getMaxZoom())) map.setMaxZoom(14);
		this.api = api;
		this.showError = showError;
		this.box = document.getElementById('map-incidents');
		this.countEl = document.getElementById('map-incidents-count');
		this.group = L.markerClusterGroup({ showCoverageOnHover: false, chunkedLoading: true, maxClusterRadius: 50 });
		this.loaded = false;
		this.box.addEventListener('change', () => this.show(this.box.checked).catch(this.showError));
	}

	// a new session: nothing loaded for this caller yet
	start() {
		this.loaded = false;
		this.group.clearLayers();
		if (this.box.checked) return this.show(true);
		return Promise.resolve();
	}

	async show(on) {
		if (on && !this.loaded) await this.load();
		if (on && !this.map.hasLayer(this.group)) {
			this.group.addTo(this.map);
			// turned on: the map shows them all
			const bounds = this.group.getBounds();
			if (bounds.isValid()) this.map.fitBounds(bounds, { padding: [12, 12], maxZoom: 9, animate: false });
		}
		if (!on && this.map.hasLayer(this.group)) this.group.remove();
	}

	async reload() {
		this.loaded = false;
		if (this.box.checked) await this.load();
	}

	async load() {
		const rows = [];
		let after = null;
		for (let p = 0; p < MAX_PAGES; p++) {
			const r = await this.api(`/api/incidents?limit=${PAGE}` + (after ? `&after=${after}` : ''));
			rows.push(...r.items);
			after = r.next;
			if (!after) break;
		}
		const markers = [];
		let fatalities = 0;
		for (const e of rows) {
			if (typeof e.lat !== 'number' || typeof e.lon !== 'number') continue;
			const m = L.circleMarker([e.lat, e.lon], {
				radius: 5,
				className: 'incident',
				color: '#67000d',
				weight: 1,
				fillColor: '#ef3b2c',
				fillOpacity: 0.85,
			});
			m.incident = e;
			m.bindTooltip(() => {
				const d = document.createElement('div');
				const who = [e.actor1, e.actor2].filter(Boolean).join(' – ');
				d.textContent = `${e.date || 'no date'}: ${e.type || 'incident'}${e.sub_type ? ' (' + e.sub_type + ')' : ''}` +
					`${e.fatalities ? `, ${e.fatalities} killed` : ''}${who ? ` — ${who}` : ''}`;
				return d;
			});
			fatalities += e.fatalities || 0;
			markers.push(m);
		}
		this.group.clearLayers();
		this.group.addLayers(markers);
		this.count = markers.length;
		this.countEl.textContent = `${markers.length} incidents placed${rows.length > markers.length ? ` (${rows.length - markers.length} without coordinates)` : ''}, ${fatalities.toLocaleString('en')} killed`;
		this.loaded = true;
	}
}
