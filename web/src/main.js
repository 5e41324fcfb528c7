// The dashboard: sign in with a token, then the map, the coverage matrix and the activities
// list of what the caller's organisation may see, kept current by the live feed.

import uPlot from 'uplot';
import { api, ApiError, getToken, hasRoute, setToken } from './api.js';
import { ActivityDetail } from './detail.js';
import { Feed } from './feed.js';
import { addFormsTab, Forms } from './forms.js';
import { AllocateView } from './allocate.js';
import { GapsTable, gapScore, peopleInNeed, peopleReached } from './gaps.js';
import { IndicatorsView } from './indicators.js';
import { LessonsView } from './lessons.js';
import { SurveyView } from './survey.js';
import { IncidentLayer } from './incidents.js';
import { RecordsView } from './records.js';
import { AreaMap } from './map.js';
import { ActivitiesTable, CoverageTable, covValue } from './tables.js';

const $ = (id) => document.getElementById(id);

// the lessons search and the survey results, where the server has them (lessons.js, survey.js)
const learning = [];

const state = {
	me: null,
	coverage: null,
	areasGeo: null,
	feed: null,
	map: null,
	cov: null,
	acts: null,
	chart: null,
	detail: null,
	gaps: null,
	gapsData: null,
	indicators: null,
	records: [], // the analyses offered: { view, path }
	refreshTimer: null,
	pending: [],
	session: 0, // bumped by sign-out: work of an ended session stops
	indexData: null,
	hasIndex: false,
	sitesKey: null,
	sitesSeq: 0,
	allocate: null,
};

// ---- sign-in ----

function showSignIn(message) {
	$('app').hidden = true;
	$('who').hidden = true;
	$('signin').hidden = false;
	$('token-error').textContent = message || '';
	$('token').setAttribute('aria-invalid', message ? 'true' : 'false');
	$('token').focus();
}

async function signIn(token) {
	setToken(token);
	try {
		state.me = await api('/api/me');
	} catch (e) {
		setToken(null);
		showSignIn(e instanceof ApiError && e.status === 401 ? 'This token is not valid (unknown, revoked or expired).' : `Cannot sign in: ${e.message}`);
		return;
	}
	$('signin').hidden = true;
	$('who-user').textContent = state.me.user;
	$('who-org').textContent = state.me.organisation.name;
	$('who-org').title = state.me.organisation.key + (state.me.organisation.kind ? ` (${state.me.organisation.kind})` : '');
	$('who-role').textContent = state.me.role;
	$('who-mission').textContent = state.me.mission;
	$('who').hidden = false;
	$('app').hidden = false;
	await start();
}

function signOut() {
	state.session++;
	if (state.feed) state.feed.stop();
	state.feed = null;
	state.sitesKey = null;
	state.indexData = null;
	setToken(null);
	state.me = null;
	$('token').value = '';
	showSignIn('');
}

// ---- tabs ----

function selectTab(tab) {
	for (const t of document.querySelectorAll('[role="tab"]')) {
		const on = t === tab;
		t.setAttribute('aria-selected', on ? 'true' : 'false');
		t.tabIndex = on ? 0 : -1;
		$(t.getAttribute('aria-controls')).hidden = !on;
	}
	if (tab.id === 'tab-map' && state.map) state.map.invalidate();
	if (tab.id === 'tab-activities') drawChart();
	location.hash = tab.id.slice(4);
}

function setupTabs() {
	for (const t of document.querySelectorAll('[role="tab"]')) {
		t.addEventListener('click', () => selectTab(t));
		t.addEventListener('keydown', (e) => {
			const tabs = [...document.querySelectorAll('[role="tab"]:not([hidden])')];
			const i = tabs.indexOf(t);
			let j = null;
			if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
			else if (e.key === 'ArrowLeft') j = (i + tabs.length - 1) % tabs.length;
			else if (e.key === 'Home') j = 0;
			else if (e.key === 'End') j = tabs.length - 1;
			if (j === null) return;
			e.preventDefault();
			tabs[j].focus();
			selectTab(tabs[j]);
		});
	}
}

// ---- data ----

function fillPillars(columns) {
	for (const sel of document.querySelectorAll('.pillar-select')) {
		const keep = sel.value;
		while (sel.options.length > 1) sel.remove(1);
		for (const c of columns) sel.add(new Option(c.name, c.code));
		sel.value = keep;
	}
}

function fillAreas(rows) {
	const sel = $('map-area');
	const keep = sel.value;
	while (sel.options.length > 1) sel.remove(1);
	for (const r of rows) if (!r.unspecified) sel.add(new Option(`${r.name} (${r.pcode})`, r.pcode));
	sel.value = keep;
}

function mapValues() {
	const measure = $('map-measure').value;
	const pillar = $('map-pillar').value;
	const v = new Map();
	$('map-pillar').disabled = ['in_need', 'gap', 'inc100k', 'reached'].includes(measure);
	const g = state.gapsData;
	if (measure === 'in_need') {
		if (g) state.map.setValues(peopleInNeed(g), 'people in need', { unit: 'people', zero: true, source: 'GET /api/gaps: each area\'s intersectoral figure, else its largest sector\'s (HNO)' });
		return;
	}
	if (measure === 'gap') {
		if (g) state.map.setValues(gapScore(g), 'gap score', { zero: true, source: 'GET /api/gaps: the sum of the area\'s ranked gaps', rule: g.rank_rule });
		return;
	}
	if (measure === 'reached') {
		if (g)
			state.map.setValues(peopleReached(g), 'people reached', {
				unit: 'people',
				zero: true,
				source: `GET /api/gaps: the intersectoral (ALL) row of each area, from the figures of the activities you may see (${g.compared_with || 'reached'}); an area without that row or without people figures has no data`,
				rule: g.reach_rule,
			});
		return;
	}
	if (measure === 'index') {
		const x = state.indexData;
		if (!x) return;
		for (const a of x.areas || []) {
			const val = pillar ? (a.pillars || {})[pillar] : a.overall;
			if (typeof val === 'number') v.set(a.area, val);
		}
		const inds = (x.indicators || []).filter((i) => !pillar || i.pillar === pillar);
		const what = pillar ? `the ${pillar} pillar's score` : 'the overall score';
		state.map.setValues(v, pillar ? `index: ${pillar}` : 'index', {
			unit: 'score 0–1, 1 best',
			zero: true,
			breaks: [0.2, 0.4, 0.6, 0.8, 1],
			source: `GET /api/index${x.as_of ? ' at ' + x.as_of : ''}: ${what} of "${x.name}", the ${x.method} mean of ${inds.length} indicators normalised between their goalposts (${inds.map((i) => `${i.code} ${i.goalposts[0]}–${i.goalposts[1]}${i.higher_is_better ? '' : ', lower is better'}`).join('; ') || 'none in this pillar'})`,
			rule: `missing: ${x.missing}${x.missing === 'exclude' ? ' (an area missing an indicator gets no score: no data)' : ' (the indicators it has, their weights rescaled)'}`,
		});
		return;
	}
	if (measure === 'inc100k') {
		if (state.inc100k) state.map.setValues(state.inc100k, 'incidents per 100,000 people', { zero: true, source: 'GET /api/rollup: the computed indicator cc.incidents_per_100k, its latest value per province' });
		return;
	}
	if (!state.coverage) return;
	for (const r of state.coverage.rows) if (!r.unspecified) v.set(r.pcode, covValue(r, pillar || 'total', measure));
	const label = pillar ? `${measure} in ${pillar}` : measure;
	state.map.setValues(v, label, { source: `GET /api/coverage: the ${measure} you may see in each area` });
}

// The composite index per area (GET /api/index, the server's definition: every indicator with
// goalposts), at the end of the period when one is chosen. The map offers it once the server
// has given one: a mission whose indicators have no goalposts has none (404), which is no error.
async function loadIndex() {
	if (!state.hasIndex) return;
	const to = $('period-to').value;
	try {
		state.indexData = await api('/api/index?level=1' + (to ? '&at=' + to : ''));
	} catch (e) {
		if (!(e instanceof ApiError && e.status === 404)) throw e;
		state.indexData = null;
	}
	const opt = [...$('map-measure').options].find((o) => o.value === 'index');
	if (state.indexData && !opt) $('map-measure').add(new Option('index (composite)', 'index'));
	if (!state.indexData && opt) {
		if ($('map-measure').value === 'index') $('map-measure').value = 'activities';
		opt.remove();
		mapValues();
	}
	if ($('map-measure').value === 'index') mapValues();
}

// The sites layer: every activity site the caller may see under the list's filters (pillar,
// area, organisation, period), all pages of GET /api/activities; none loaded while it is off.
const SITE_PAGES = 20;
async function loadSites(force) {
	const on = $('map-sites').checked;
	const key = JSON.stringify(state.acts ? state.acts.filters : {});
	if (!on) {
		state.map.setSites([], false);
		$('map-sites-count').textContent = '';
		state.sitesKey = null;
		return;
	}
	if (!force && key === state.sitesKey) return;
	state.sitesKey = key;
	const seq = ++state.sitesSeq;
	const rows = [];
	let after = null;
	let pages = 0;
	do {
		const q = new URLSearchParams({ limit: '1000' });
		for (const [k, v] of Object.entries(state.acts.filters)) if (v) q.set(k, v);
		if (after) q.set('after', after);
		const j = await api('/api/activities?' + q.toString());
		if (seq !== state.sitesSeq) return;
		rows.push(...j.activities.filter((a) => a.site));
		after = j.next || null;
	} while (after && ++pages < SITE_PAGES);
	if (!$('map-sites').checked) return;
	const n = state.map.setSites(rows, true);
	$('map-sites-count').textContent = `${n.exact + n.approximate} sites${n.approximate ? `, ${n.approximate} approximate (hollow: the area's centre)` : ''}${after ? ` (the first ${SITE_PAGES * 1000} activities)` : ''}`;
}

function showArea(pcode) {
	const box = $('area-info');
	const r = state.coverage && state.coverage.rows.find((x) => x.pcode === pcode);
	box.textContent = '';
	$('map-area').value = pcode || '';
	if (!r) {
		const p = document.createElement('p');
		p.className = 'help';
		p.textContent = pcode ? `${pcode}: nothing recorded.` : 'Click an area, or choose it above, for its 3W.';
		box.append(p);
		return;
	}
	const h = document.createElement('h3');
	h.textContent = `${r.name} (${r.pcode})`;
	const t = document.createElement('table');
	t.className = 'grid small';
	const head = t.createTHead().insertRow();
	for (const s of ['Pillar', 'Activities', 'Organisations']) {
		const th = document.createElement('th');
		th.scope = 'col';
		th.textContent = s;
		head.append(th);
	}
	const body = t.createTBody();
	for (const c of state.coverage.columns) {
		const tr = body.insertRow();
		tr.insertCell().textContent = c.name;
		tr.insertCell().textContent = covValue(r, c.code, 'activities');
		tr.insertCell().textContent = covValue(r, c.code, 'organisations');
	}
	const tr = body.insertRow();
	tr.className = 'total';
	tr.insertCell().textContent = 'Total';
	tr.insertCell().textContent = r.totals.activities;
	tr.insertCell().textContent = r.totals.organisations;
	const list = document.createElement('button');
	list.type = 'button';
	list.textContent = 'List its activities';
	list.addEventListener('click', () => {
		$('act-area').value = r.pcode;
		state.acts.filters.area = r.pcode;
		state.acts.load().catch(showError);
		selectTab($('tab-activities'));
	});
	box.append(h, t, list);
	// its needs and indicators, where the server offers them
	const needs = state.gapsData ? state.gapsData.rows.filter((g) => g.pcode === r.pcode && g.in_need !== null) : [];
	if (needs.length) {
		const p = document.createElement('p');
		p.className = 'area-needs';
		const top = needs.sort((x, y) => y.in_need - x.in_need).slice(0, 4);
		p.textContent = 'People in need: ' + top.map((g) => `${g.key_name} ${g.in_need.toLocaleString('en')}`).join('; ');
		box.append(p);
	}
	const inds = state.indicators && state.indicators.data ? state.indicators.data.results.filter((x) => x.area === r.pcode) : [];
	if (inds.length) {
		const p = document.createElement('p');
		p.className = 'area-indicators';
		p.textContent = 'Indicators: ' + inds.map((x) => `${x.indicator}${x.sex ? ' (' + x.sex + ')' : ''} ${x.status.replace('_', ' ')}`).join('; ');
		box.append(p);
	}
	// its people reached (the gaps' intersectoral row) and its index scores
	const all = state.gapsData ? state.gapsData.rows.find((g) => g.pcode === r.pcode && g.key === 'ALL') : null;
	if (all) {
		const p = document.createElement('p');
		p.className = 'area-reached';
		p.textContent = `People reached: ${all.covered === null ? 'no figures (no data)' : all.covered.toLocaleString('en')} of ${all.in_need === null ? '?' : all.in_need.toLocaleString('en')} in need`;
		box.append(p);
	}
	const ix = state.indexData ? (state.indexData.areas || []).find((x) => x.area === r.pcode) : null;
	if (ix) {
		const p = document.createElement('p');
		p.className = 'area-index';
		const score = (v) => (typeof v === 'number' ? String(Number(v.toFixed(3))) : 'no score');
		const pillars = Object.entries(ix.pillars || {}).map(([k, v]) => `${k} ${score(v)}`).join(', ');
		p.textContent = `Index: overall ${score(ix.overall)}${ix.rank ? ` (rank ${ix.rank})` : ''}; ${pillars}${ix.missing && ix.missing.length ? `; missing ${ix.missing.join(', ')}` : ''}`;
		box.append(p);
	}
	state.map.select(pcode);
}

// The period chosen, as query arguments ("" when none).
function period() {
	const q = new URLSearchParams();
	if ($('period-from').value) q.set('from', $('period-from').value);
	if ($('period-to').value) q.set('to', $('period-to').value);
	const s = q.toString();
	return s ? '&' + s : '';
}

async function loadCoverage() {
	state.coverage = await api('/api/coverage?level=1' + period());
	fillPillars(state.coverage.columns);
	fillAreas(state.coverage.rows);
	state.cov.setData(state.coverage);
	mapValues();
	if ($('map-area').value) showArea($('map-area').value);
}

async function loadRecords() {
	await Promise.all(state.records.map(async (r) => r.view.setData(await api(r.path))));
}

async function loadIndicators() {
	if (!state.indicators) return;
	state.progress = await api('/api/progress');
	state.indicators.setData(state.progress);
}

async function loadGaps() {
	if (!state.gaps) return;
	state.gapsData = await api('/api/gaps?level=1' + period());
	state.gaps.setData(state.gapsData);
	if (['in_need', 'gap', 'reached'].includes($('map-measure').value)) mapValues();
}

// Incidents per 100,000 people by province, the latest value of the computed indicator
// (`concord indicators compute`), as the roll-up gives it; no option when it is not stored.
async function loadIncidentRate() {
	const code = 'cc.incidents_per_100k';
	if (!state.progress || !(state.progress.results || []).some((x) => x.indicator === code)) return;
	if (!(await hasRoute('/api/rollup'))) return;
	const r = await api(`/api/rollup?indicator=${code}&level=1`);
	const v = new Map();
	for (const x of r.results || []) if (!x.sex && !x.age_group && x.value !== null) v.set(x.area, x.value);
	const had = !!state.inc100k;
	state.inc100k = v;
	if (v.size && !had) $('map-measure').add(new Option('incidents per 100k people', 'inc100k'));
	if ($('map-measure').value === 'inc100k') mapValues();
}

// Activities running in each month, of those listed (start and end dates known).
function drawChart() {
	const el = $('act-chart');
	if (el.hidden || $('view-activities').hidden) return;
	const rows = (state.acts && state.acts.rows) || [];
	const months = new Map();
	const key = (d) => d.slice(0, 7);
	for (const a of rows) {
		if (!a.start || !a.end) continue;
		let [y, m] = a.start.split('-').map(Number);
		const end = key(a.end);
		for (let k = 0; k < 600; k++) {
			const s = `${y}-${String(m).padStart(2, '0')}`;
			if (s > end) break;
			months.set(s, (months.get(s) || 0) + 1);
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	const ks = [...months.keys()].sort();
	if (state.chart) {
		state.chart.destroy();
		state.chart = null;
	}
	el.textContent = '';
	if (ks.length < 2) return;
	const xs = ks.map((s) => Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, 1) / 1000);
	const ys = ks.map((s) => months.get(s));
	const width = Math.max(280, el.clientWidth || 600);
	state.chart = new uPlot(
		{
			width,
			height: 180,
			title: 'Activities running each month (of those listed)',
			scales: { x: { time: true } },
			// one tick a month (at most about twelve), labelled year-month
			axes: [
				{
					splits: () => xs.filter((_, i) => i % Math.ceil(xs.length / 12) === 0),
					values: (u, splits) => splits.map((t) => new Date(t * 1000).toISOString().slice(0, 7)),
				},
				{ label: 'activities' },
			],
			series: [{}, { label: 'activities', stroke: '#2c7fb8', fill: 'rgba(44,127,184,0.15)', width: 2, paths: uPlot.paths.stepped({ align: 1 }) }],
		},
		[xs, ys],
		el,
	);
}

// ---- plan review ----

const MAX_PLAN_BYTES = 512 * 1024;

async function reviewPlan(e) {
	e.preventDefault();
	const err = $('review-error');
	const input = $('review-file');
	err.textContent = '';
	input.removeAttribute('aria-invalid');
	const file = input.files && input.files[0];
	const bad = (m) => {
		err.textContent = m;
		input.setAttribute('aria-invalid', 'true');
	};
	if (!file) return bad('choose a plan file');
	if (file.size > MAX_PLAN_BYTES) return bad(`the file is over ${MAX_PLAN_BYTES / 1024} KiB`);
	let r;
	try {
		r = await api('/api/review', { method: 'POST', body: { text: await file.text() } });
	} catch (x) {
		if (x instanceof ApiError && x.status < 500 && x.status !== 401) return bad(x.message);
		return showError(x);
	}
	$('review-summary').textContent = `${file.name}: ${r.activities} activities, ${r.errors} errors, ${r.warnings} warnings, ${r.info} notes`;
	const frag = document.createDocumentFragment();
	for (const f of r.findings) {
		const tr = document.createElement('tr');
		tr.dataset.rule = f.rule;
		tr.dataset.severity = f.severity;
		const lessons = (f.lessons || []).map((l) => (typeof l === 'string' ? l : l.title || l.key)).join('; ');
		for (const [v, cls] of [[f.rule], [f.severity, 'sev sev-' + f.severity], [f.activity], [f.item], [f.evidence], [lessons || '—']]) {
			const td = document.createElement('td');
			td.textContent = v === null || v === undefined ? '—' : String(v);
			if (cls) td.className = cls;
			tr.append(td);
		}
		frag.append(tr);
	}
	$('review-table').tBodies[0].replaceChildren(frag);
}

// ---- live ----

function describe(e) {
	const what = e.count > 1 ? `${e.count} ${e.table} rows` : `${e.table}${e.record ? ' ' + e.record : ''}`;
	const op = { insert: 'added', update: 'changed', delete: 'removed' }[e.op] || e.op;
	return `${what} ${op} by ${e.who}`;
}

function notice(text) {
	const n = $('notice');
	n.textContent = text;
	n.hidden = false;
	clearTimeout(notice.timer);
	notice.timer = setTimeout(() => {
		n.hidden = true;
	}, 15000);
}

function onChange(entry) {
	state.pending.push(entry);
	clearTimeout(state.refreshTimer);
	// a burst of changes (an import) refreshes once
	state.refreshTimer = setTimeout(refresh, 300);
}

async function refresh() {
	const entries = state.pending;
	state.pending = [];
	if (!entries.length || !getToken()) return;
	try {
		await Promise.all([loadCoverage(), state.acts.load(), loadGaps(), loadIndicators(), loadRecords(), loadIndex()]);
		await loadSites(true);
		await Promise.all(learning.map((v) => v.reload()));
		if (state.incidents && entries.some((e) => e.table === 'incident')) await state.incidents.reload();
	} catch (e) {
		showError(e);
		return;
	}
	const open = state.detail && state.detail.rec;
	if (open && entries.some((e) => e.table === 'activity' && e.record === open.id)) state.detail.open(open.id).catch(() => state.detail.close());
	const last = entries[entries.length - 1];
	const more = entries.length > 1 ? ` and ${entries.length - 1} more change${entries.length > 2 ? 's' : ''}` : '';
	notice(`Updated: ${describe(last)}${more} (${last.at}).`);
}

function showError(e) {
	if (e instanceof ApiError && e.status === 401) {
		signOut();
		showSignIn('Your token is no longer valid; sign in again.');
		return;
	}
	notice(`Error: ${e.message}${e.field ? ` (${e.field})` : ''}`);
}

// ---- start ----

async function start() {
	const session = state.session;
	const ended = () => session !== state.session;
	if (!state.map) {
		state.map = new AreaMap($('map'), $('legend'), showArea);
		state.cov = new CoverageTable($('coverage-table'), $('cov-count'));
		state.acts = new ActivitiesTable($('activities-table'), $('act-count'), $('act-more'), api);
		state.acts.onRows = () => {
			drawChart();
			loadSites(false).catch(showError);
		};
		state.acts.onOpen = (id) => state.detail.open(id).catch(showError);
	}
	if (state.detail) state.detail.close();
	state.detail = new ActivityDetail($('act-detail'), state.me, () => {});
	try {
		const [geo] = await Promise.all([api('/api/areas.geojson?level=1'), loadCoverage(), state.acts.load()]);
		if (ended()) return;
		state.areasGeo = geo;
		state.map.setAreas(geo);
		mapValues();
	} catch (e) {
		showError(e);
	}
	// the gap ranking, where the server has it
	if (ended()) return;
	if (!state.gaps && (await hasRoute('/api/gaps'))) {
		state.gaps = new GapsTable($('gaps-table'), $('gap-count'), $('gap-sector'), $('gap-rule'));
		$('tab-gaps').hidden = false;
		$('map-measure').add(new Option('people in need (HNO)', 'in_need'));
		$('map-measure').add(new Option('gap score', 'gap'));
		$('map-measure').add(new Option('people reached', 'reached'));
		$('gap-sector').addEventListener('change', (e) => state.gaps.setSector(e.target.value));
		$('gap-filter').addEventListener('input', debounce((e) => state.gaps.setText(e.target.value), 150));
	}
	if (state.gaps) await loadGaps().catch(showError);
	// the composite index, where the server has it
	if (ended()) return;
	if (!state.hasIndex && (await hasRoute('/api/index'))) state.hasIndex = true;
	await loadIndex().catch(showError);
	// indicators' progress, where the server has it
	if (ended()) return;
	if (!state.indicators && (await hasRoute('/api/progress'))) {
		state.indicators = new IndicatorsView($('indicators-table'), $('ind-chart'), $('ind-count'));
		$('tab-indicators').hidden = false;
	}
	if (state.indicators) await loadIndicators().catch(showError);
	await loadIncidentRate().catch(showError);
	if (ended()) return;
	// overlap pairs and exposure, where the server has them
	if (!state.records.length) {
		for (const [k, path, rows, what] of [
			['overlap', '/api/overlap', 'pairs', 'pairs'],
			['exposure', '/api/exposure', 'sites', 'sites'],
		]) {
			if (!(await hasRoute(path))) continue;
			state.records.push({ path, view: new RecordsView($(k + '-table'), $(k + '-rules'), $(k + '-count'), rows, what) });
			$('tab-' + k).hidden = false;
		}
	}
	await loadRecords().catch(showError);
	if (ended()) return;
	if (await hasRoute('/api/review')) $('tab-review').hidden = false;
	// the allocation, where the server has it: its form for coordinators, why not for others
	if (ended()) return;
	if (await hasRoute('/api/allocate')) {
		if (!state.allocate) {
			state.allocate = new AllocateView(api, ApiError, showError);
			state.allocate.period = period;
			state.allocate.periodEnd = () => $('period-to').value;
		}
		state.allocate.start(state.me);
		$('tab-allocate').hidden = false;
	}
	if (ended()) return;
	for (const [path, View, k] of [['/api/lessons/search', LessonsView, 'lessons'], ['/api/survey', SurveyView, 'survey']]) {
		if (!learning.some((v) => v instanceof View) && (await hasRoute(path))) learning.push(new View(api, ApiError, showError));
		if (learning.some((v) => v instanceof View)) $('tab-' + k).hidden = false;
	}
	await Promise.all(learning.map((v) => v.start())).catch(showError);
	if (ended()) return;
	// incidents as a clustered layer of the map (incidents.js)
	if (!state.incidents) state.incidents = new IncidentLayer(state.map.map, api, showError);
	await state.incidents.start().catch(showError);
	if (ended()) return;
	// the forms to add and edit records, for editors and above (forms.js)
	if (!state.forms) state.forms = new Forms(api, ApiError, () => {});
	state.forms.start(state.me);
	const tab = $('tab-' + (location.hash.slice(1) || 'map'));
	selectTab(tab && !tab.hidden ? tab : $('tab-map'));
	if (state.feed) state.feed.stop();
	state.feed = new Feed(onChange, (s) => {
		const live = $('live');
		live.textContent = s;
		live.className = 'live ' + s;
	});
	state.feed.onUnauthorized = () => showError(new ApiError(401, 'EDENIED', 'token refused', null));
	state.feed.start();
}

function debounce(fn, ms) {
	let t;
	return (...a) => {
		clearTimeout(t);
		t = setTimeout(() => fn(...a), ms);
	};
}

	addFormsTab(); // before the tabs are set up: its tab is one of them
function setup() {
	setupTabs();
	$('signin-form').addEventListener('submit', (e) => {
		e.preventDefault();
		const t = $('token').value.trim();
		if (!/^[0-9a-fA-F]{64}$/.test(t)) {
			showSignIn('A token is 64 hexadecimal digits.');
			return;
		}
		signIn(t);
	});
	$('signout').addEventListener('click', signOut);
	$('review-form').addEventListener('submit', reviewPlan);
	$('map-measure').addEventListener('change', mapValues);
	$('map-pillar').addEventListener('change', mapValues);
	$('map-area').addEventListener('change', (e) => showArea(e.target.value));
	$('map-sites').addEventListener('change', () => loadSites(false).catch(showError));
	$('cov-pillar').addEventListener('change', (e) => state.cov.setPillar(e.target.value));
	$('cov-filter').addEventListener('input', debounce((e) => state.cov.setText(e.target.value), 150));
	$('act-pillar').addEventListener('change', (e) => {
		state.acts.filters.pillar = e.target.value;
		state.acts.load().catch(showError);
	});
	const periodChanged = async () => {
		$('period-error').textContent = '';
		state.acts.filters.from = $('period-from').value;
		state.acts.filters.to = $('period-to').value;
		try {
			await Promise.all([loadCoverage(), state.acts.load(), loadGaps(), loadIndex()]);
		} catch (e) {
			if (e instanceof ApiError && (e.field === 'from' || e.field === 'to')) $('period-error').textContent = e.message;
			else showError(e);
		}
	};
	$('period-from').addEventListener('change', periodChanged);
	$('period-to').addEventListener('change', periodChanged);
	$('act-org').addEventListener(
		'input',
		debounce(async (e) => {
			$('act-org-error').textContent = '';
			state.acts.filters.org = e.target.value.trim();
			try {
				await state.acts.load();
			} catch (x) {
				if (x instanceof ApiError && x.field === 'org') $('act-org-error').textContent = x.message;
				else showError(x);
			}
		}, 400),
	);
	$('act-area').addEventListener(
		'input',
		debounce((e) => {
			state.acts.filters.area = e.target.value.trim();
			state.acts.load().catch(showError);
		}, 300),
	);
	window.addEventListener('resize', debounce(drawChart, 200));
	const t = getToken();
	if (t) signIn(t);
	else showSignIn('');
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setup);
else setup();
