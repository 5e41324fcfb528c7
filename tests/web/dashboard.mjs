// The dashboard end to end: the static files and their headers over plain HTTP, then the page
// in headless chromium (playwright-core) signed in as a military team's editor (ISAF-PRT) and a
// national NGO's viewer (AADA). Expected values come from the API read here with the same
// tokens, from the fixture files, or from the built files on disk, never from the page itself.
// Started by web-dashboard.sh, which makes the store, starts the server and exports:
//   WEB_URL TOKEN_ISAF TOKEN_AADA OUT_DIR CHROMIUM CONCORD CONCORD_DB WEB_DIR FIXTURE_DIR
//   TAP_COUNT_FILE (where the number of test points is written; the shell prints the plan)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const env = process.env;
const URL0 = env.WEB_URL;
const require = createRequire(join(env.CC_SOURCE_ROOT, 'web', 'package.json'));
const { chromium } = require('playwright-core');

let n = Number(env.TAP_FIRST || 1) - 1; // the shell's test points come first
let failed = 0;
function ok(cond, desc, diag) {
	n++;
	if (!cond) failed++;
	console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${desc}`);
	if (!cond && diag !== undefined) for (const l of String(diag).split('\n')) console.log('# ' + l);
}
function is(got, want, desc) {
	ok(got === want, desc, `got:      ${JSON.stringify(got)}\nexpected: ${JSON.stringify(want)}`);
}
function finish() {
	writeFileSync(env.TAP_COUNT_FILE, String(n));
	process.exit(failed ? 1 : 0);
}

async function api(token, path, init = {}) {
	const r = await fetch(URL0 + path, {
		...init,
		headers: { Authorization: 'Bearer ' + token, ...(init.headers || {}) },
	});
	const body = await r.text();
	return { status: r.status, headers: r.headers, json: body ? JSON.parse(body) : null };
}

// A request with the path sent exactly as given (fetch would normalise "/../").
function raw(method, path, headers = {}) {
	return new Promise((resolve, reject) => {
		const u = new URL(URL0);
		const req = http.request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
		});
		req.on('error', reject);
		req.end();
	});
}

async function waitFor(fn, ms) {
	const t0 = Date.now();
	for (;;) {
		const v = await fn();
		if (v) return Date.now() - t0;
		if (Date.now() - t0 > ms) return -1;
		await new Promise((r) => setTimeout(r, 100));
	}
}

// ---- the files over HTTP ----

async function httpTests() {
	const index = readFileSync(join(env.WEB_DIR, 'index.html'));
	let r = await raw('GET', '/');
	is(r.status, 200, 'GET / answers 200');
	is(r.headers['content-type'], 'text/html; charset=utf-8', '... as text/html');
	ok(r.body.equals(index), '... with the built index.html');
	const csp = r.headers['content-security-policy'] || '';
	ok(/default-src 'none'/.test(csp) && /connect-src 'self'/.test(csp) && /script-src 'self'/.test(csp),
		'... and a Content-Security-Policy allowing this server only', csp);
	is(r.headers['x-content-type-options'], 'nosniff', '... and nosniff');
	const tag = r.headers.etag;
	ok(/^"[0-9a-f]+-[0-9a-f]+\.[0-9a-f]+"$/.test(tag || ''), '... and an ETag', tag);
	r = await raw('GET', '/', { 'If-None-Match': tag });
	is(r.status, 304, 'If-None-Match with that ETag answers 304');
	is(r.body.length, 0, '... without a body');

	for (const [file, type] of [['app.js', 'text/javascript; charset=utf-8'], ['app.css', 'text/css; charset=utf-8']]) {
		r = await raw('GET', '/' + file);
		is(`${r.status} ${r.headers['content-type']}`, `200 ${type}`, `GET /${file}: 200 ${type}`);
		is(r.body.length, statSync(join(env.WEB_DIR, file)).size, `... the whole built ${file}`);
	}
	r = await raw('HEAD', '/app.js');
	is(`${r.status} ${r.headers['content-length']} ${r.body.length}`,
		`200 ${statSync(join(env.WEB_DIR, 'app.js')).size} 0`, 'HEAD /app.js: its length, no body');

	// nothing outside the directory, however the path is spelled
	const secret = readFileSync(join(env.CC_SOURCE_ROOT, 'meson.build'));
	for (const p of ['/../meson.build', '/%2e%2e/meson.build', '/..%2fmeson.build', '/%2E%2E/%2E%2E/meson.build',
		'/web/../../meson.build', '//etc/passwd', '/./index.html', '/.hidden', '/app.js/']) {
		r = await raw('GET', p);
		ok(r.status === 404 && !r.body.includes(secret.subarray(0, 40)) && !r.body.includes('root:'),
			`GET ${p} is 404`, `${r.status} ${r.body.subarray(0, 80)}`);
	}
	r = await raw('GET', '/api/nope');
	ok(r.status === 404 && /no route/.test(r.body.toString()), 'an unknown /api/ path is still the API\'s JSON 404',
		r.body.toString());
	r = await raw('POST', '/index.html');
	is(r.status, 404, 'POST to a file is not served');

	// the map's layer: every province with a boundary, as in the imported file
	const src = JSON.parse(readFileSync(join(env.CC_SOURCE_ROOT, 'data/cases/afghanistan/afg_adm1_geoboundaries.geojson')));
	r = await raw('GET', '/api/areas.geojson');
	is(r.status, 401, 'GET /api/areas.geojson needs a token');
	const g = await api(env.TOKEN_AADA, '/api/areas.geojson?level=1');
	is(g.status, 200, 'GET /api/areas.geojson?level=1 with a token');
	is(g.json.type, 'FeatureCollection', '... a FeatureCollection');
	is(g.json.features.length, src.features.length, '... with one feature per boundary imported');
	const codes = readFileSync(join(env.CC_SOURCE_ROOT, 'data/cases/afghanistan/afg_global_pcodes_subset.csv'), 'utf8');
	ok(g.json.features.every((f) => /Polygon$/.test(f.geometry.type) && codes.includes(f.properties.pcode)),
		'... each a polygon named by a P-code of the gazetteer');
	const bad = await api(env.TOKEN_AADA, '/api/areas.geojson?level=x');
	ok(bad.status === 400 && bad.json.error.field === 'level', 'a bad level is a 400 naming it', JSON.stringify(bad.json));
	return g.json;
}

// ---- the page ----

async function main() {
	const geo = await httpTests();
	const me = { isaf: (await api(env.TOKEN_ISAF, '/api/me')).json, aada: (await api(env.TOKEN_AADA, '/api/me')).json };
	const coverage = (await api(env.TOKEN_AADA, '/api/coverage?level=1')).json;

	const browser = await chromium.launch({
		executablePath: env.CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
	});
	const external = [];
	const problems = [];
	const refused = [];
	const open = async (name) => {
		const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
		ctx.on('request', (q) => {
			if (!q.url().startsWith(URL0) && !q.url().startsWith('data:')) external.push(q.url());
		});
		const page = await ctx.newPage();
		page.on('console', (m) => {
			// failed loads are checked below, from the responses themselves
			if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) problems.push(`${name}: ${m.text()}`);
		});
		page.on('response', (r) => {
			if (r.status() >= 400) refused.push(`${name}: ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
		});
		page.on('pageerror', (e) => problems.push(`${name}: ${e.message}`));
		await page.goto(URL0 + '/');
		return page;
	};
	// a screenshot is an output for people to look at, not a check: on a machine too busy to
	// take one within 90 s the session goes on, saying so
	const shot = (page, name) =>
		page.screenshot({ path: join(env.OUT_DIR, name + '.png'), fullPage: true, timeout: 90000 })
			.catch((e) => console.log(`# screenshot ${name} not written: ${String(e.message).split('\n')[0]}`));
	const tableText = (page, sel) => page.$eval(sel, (t) => t.tBodies[0].textContent);
	// a checkbox set from the keyboard (focus, Space), then its state waited for: no pointer
	// that a panel or an animation of the map could intercept on a slow machine
	const toggle = async (page, sel, on) => {
		await page.focus(sel);
		if ((await page.isChecked(sel)) !== on) await page.keyboard.press('Space');
		await page.waitForFunction(([q, v]) => document.querySelector(q).checked === v, [sel, on], { timeout: 10000 });
	};

	try {
		// sign-in, as the NGO's viewer, with the keyboard only
		const a = await open('aada');
		ok(await a.isVisible('#signin-form'), 'the page opens on the sign-in form');
		await a.focus('#token');
		await a.keyboard.type('0'.repeat(64));
		await a.keyboard.press('Enter');
		await a.waitForFunction(() => document.getElementById('token-error').textContent !== '', null, { timeout: 10000 });
		ok(/not valid/.test(await a.textContent('#token-error')), 'an unknown token is refused with a message');
		await a.fill('#token', '');
		await a.focus('#token');
		await a.keyboard.type(env.TOKEN_AADA);
		await a.keyboard.press('Enter');
		await a.waitForSelector('#who:not([hidden])', { timeout: 10000 });
		is(await a.textContent('#who-org'), me.aada.organisation.name, 'signed in: the organisation is shown');
		is(await a.textContent('#who-role'), 'viewer', '... and the role');
		is(await a.textContent('#who-user'), 'aada-v', '... and the user');
		is(await a.evaluate(() => sessionStorage.getItem('concord.token')), env.TOKEN_AADA, 'the token is kept in sessionStorage');

		// the map
		await a.waitForFunction((k) => document.querySelectorAll('#map path.area').length === k, geo.features.length, { timeout: 15000 });
		is(await a.$$eval('#map path.area', (p) => p.length), geo.features.length, 'the map draws one path per area boundary');
		const rows = coverage.rows.filter((r) => !r.unspecified);
		const top = rows.reduce((x, y) => (y.totals.activities > x.totals.activities ? y : x));
		const none = rows.find((r) => r.totals.activities === 0);
		is(await a.getAttribute(`#map path.area-${top.pcode}`, 'fill'), '#253494', `the area with most activities (${top.pcode}) has the darkest colour`);
		if (none) is(await a.getAttribute(`#map path.area-${none.pcode}`, 'fill'), '#f0f0f0', `an area without any (${none.pcode}) is grey`);
		const fills = await a.$$eval('#map path.area', (p) => new Set(p.map((x) => x.getAttribute('fill'))).size);
		ok(fills >= 3, `the areas are shaded in several colours (${fills})`);
		await a.click(`#map path.area-${top.pcode}`, { force: true });
		await a.waitForFunction((p) => document.querySelector('#area-info h3') && document.querySelector('#area-info h3').textContent.includes(p), top.pcode);
		ok((await a.textContent('#area-info')).includes(String(top.totals.activities)), 'clicking an area shows its 3W with its total');
		// the sites layer: every site of GET /api/activities (all pages) the NGO may see, those
		// whose exact site is not released to it at its area's centre, drawn as approximate
		const sites = [];
		for (let after = null, p = 0; p < 50; p++) {
			const r = (await api(env.TOKEN_AADA, '/api/activities?limit=1000' + (after ? `&after=${after}` : ''))).json;
			sites.push(...r.activities.filter((x) => x.site));
			after = r.next;
			if (!after) break;
		}
		const approx = sites.filter((x) => !x.site.exact).length;
		is(await a.$$eval('#map path.site', (p) => p.length), 0, 'the sites layer is off at first');
		await toggle(a, '#map-sites', true);
		await a.waitForFunction((k) => document.querySelectorAll('#map path.site').length === k, sites.length, { timeout: 10000 }).catch(() => {});
		ok(sites.length > 0 && (await a.$$eval('#map path.site', (p) => p.length)) === sites.length, `switched on from the keyboard, the sites layer draws the ${sites.length} sites of GET /api/activities`);
		ok(approx > 0 && (await a.$$eval('#map path.site-approx', (p) => p.length)) === approx, `... ${approx} of them approximate (the area's centre), drawn apart`);
		like(await a.textContent('#map-sites-count'), new RegExp(`^${sites.length} sites, ${approx} approximate`), '... and counted next to the switch');
		await shot(a, 'map');
		await shot(a, 'map-sites');
		await toggle(a, '#map-sites', false);
		await a.waitForFunction(() => document.querySelectorAll('#map path.site').length === 0, null, { timeout: 5000 }).catch(() => {});
		is(await a.$$eval('#map path.site', (p) => p.length), 0, '... and hidden again');

		// the coverage matrix: filter and sort
		await a.click('#tab-coverage');
		const shown = () => a.$$eval('#coverage-table tbody tr', (t) => t.length);
		const all = coverage.rows.filter((r) => !r.unspecified || r.totals.activities > 0).length;
		is(await shown(), all, 'the coverage matrix lists every area');
		// a pillar some areas have and others not, so that filtering must change the table
		const inPillar = (code) => coverage.rows.filter((r) => r.cells.find((c) => c.column === code).activities > 0).length;
		const pillar = coverage.columns.map((c) => c.code).find((c) => inPillar(c) > 0 && inPillar(c) < all);
		const sec = inPillar(pillar);
		await a.selectOption('#cov-pillar', pillar);
		is(await shown(), sec, `filtered by the ${pillar} pillar: the ${sec} areas with ${pillar} activities`);
		ok(sec !== all && sec > 0, '... which changes the table');
		is(await a.$$eval('#coverage-table thead th', (t) => t.length), 3, '... and shows that pillar\'s column only');
		ok((await a.$$eval('#coverage-table tbody td.num', (t) => t.map((x) => x.textContent))).every((x) => x !== '0'),
			'... each row with some');
		await shot(a, 'coverage-pillar');
		await a.selectOption('#cov-pillar', '');
		await a.click('#coverage-table th[data-key="total"] button');
		is(await a.$eval('#coverage-table tbody tr', (t) => t.dataset.pcode), top.pcode, 'sorting by Total puts the area with most activities first');
		is(await a.getAttribute('#coverage-table th[data-key="total"]', 'aria-sort'), 'descending', '... and says so to assistive technology');
		await a.fill('#cov-filter', top.name);
		await a.waitForFunction(() => document.querySelectorAll('#coverage-table tbody tr').length < 10);
		ok((await tableText(a, '#coverage-table')).includes(top.pcode), 'the area filter finds an area by name');
		await a.fill('#cov-filter', '');
		await shot(a, 'coverage');

		// the gap ranking, when the server offers it
		const offered = (await (await fetch(URL0 + '/api/openapi.json')).json()).paths;
		if (!offered['/api/gaps']) {
			skip('the gap ranking', 'this server has no GET /api/gaps');
		} else {
			const gaps = (await api(env.TOKEN_AADA, '/api/gaps?level=1')).json;
			ok(await a.isVisible('#tab-gaps'), 'the server has /api/gaps: the Gaps view is offered');
			await a.click('#tab-gaps');
			const gapRows = () => a.$$eval('#gaps-table tbody tr', (t) => t.length);
			await a.waitForFunction((k) => document.querySelectorAll('#gaps-table tbody tr').length === k, gaps.rows.length, { timeout: 5000 }).catch(() => {});
			is(await gapRows(), gaps.rows.length, `it lists the ${gaps.rows.length} rows of the ranking`);
			is(await a.$$eval('#gaps-table tbody tr', (t) => t.slice(0, 5).map((r) => r.dataset.pcode + '/' + r.dataset.key).join(' ')),
				gaps.rows.slice(0, 5).map((r) => `${r.pcode || ''}/${r.key}`).join(' '), '... in the server\'s rank order');
			const key = 'HEA';
			await a.selectOption('#gap-sector', key);
			is(await gapRows(), gaps.rows.filter((r) => r.key === key).length, 'filtered by sector (Health): its rows only');
			await shot(a, 'gaps');
			await a.selectOption('#gap-sector', '');
			// the map by people in need: the intersectoral figure of each area
			const pin = gaps.rows.filter((r) => r.key === 'ALL' && r.in_need !== null);
			const most = pin.reduce((x, y) => (y.in_need > x.in_need ? y : x));
			await a.click('#tab-map');
			await a.selectOption('#map-measure', 'in_need');
			is(await a.getAttribute(`#map path.area-${most.pcode}`, 'fill'), '#253494',
				`coloured by people in need, the area with most (${most.pcode}, ${most.in_need}) is darkest`);
			await shot(a, 'map-in-need');
			// the map by incidents per 100k people: the computed indicator's roll-up by province
			const rate = (await api(env.TOKEN_AADA, '/api/rollup?indicator=cc.incidents_per_100k&level=1')).json.results
				.filter((r) => !r.sex && !r.age_group && r.value !== null);
			const worst = rate.reduce((x, y) => (y.value > x.value ? y : x));
			await a.selectOption('#map-measure', 'inc100k');
			is(await a.getAttribute(`#map path.area-${worst.area}`, 'fill'), '#253494',
				`coloured by incidents per 100k, the area with the highest rate (${worst.area}, ${worst.value}) is darkest`);
			ok((await a.textContent('#legend')).includes('incidents per 100,000 people'), '... and the legend names the measure');
			await shot(a, 'map-incidents-per-100k');
			// and by gap score: the areas with a scored cell (a gap of 0 is a score), none other
			await a.selectOption('#map-measure', 'gap');
			const scored = new Set(gaps.rows.filter((r) => r.pcode && r.gap !== null).map((r) => r.pcode));
			is(await a.$$eval('#map path[class*="area-"]', (ps) => ps.filter((p) => p.getAttribute('fill') !== '#f0f0f0').length),
				scored.size, `coloured by gap score: the ${scored.size} areas with a scored cell, no other (no data)`);
			like(await a.textContent('#legend'), /no data/, '... the others said to have no data');
			// and by people reached: each area's intersectoral row, organisations combined by
			// the largest figure (the rule the server states); no figures is no data, not 0
			const reached = gaps.rows.filter((r) => r.pcode && r.key === 'ALL');
			// the rule, checked against the fixture file: AF02's figures per organisation
			const per = {};
			for (const l of readFileSync(join(env.FIXTURE_DIR, 'reach-3w.csv'), 'utf8').split('\n').slice(2)) {
				const f = l.split(',');
				if (f[3] === 'AF02' && f[9]) per[f[0]] = (per[f[0]] || 0) + Number(f[9]);
			}
			const af02 = reached.find((r) => r.pcode === 'AF02');
			is(af02 && af02.covered, Math.max(...Object.values(per)), `GET /api/gaps: AF02's people reached are its largest organisation's figures (${JSON.stringify(per)})`);
			await a.selectOption('#map-measure', 'reached');
			const withFig = reached.filter((r) => r.covered !== null);
			const noFig = reached.filter((r) => r.covered === null);
			const mostR = withFig.reduce((x, y) => (y.covered > x.covered ? y : x));
			await a.waitForFunction((p) => document.querySelector(`#map path.area-${p}`).getAttribute('fill') === '#253494', mostR.pcode, { timeout: 5000 }).catch(() => {});
			is(await a.getAttribute(`#map path.area-${mostR.pcode}`, 'fill'), '#253494',
				`coloured by people reached, the area with most (${mostR.pcode}, ${mostR.covered}) is darkest`);
			const zero = withFig.find((r) => r.covered === 0);
			if (zero) is(await a.getAttribute(`#map path.area-${zero.pcode}`, 'fill'), '#c7e9b4', `... one with 0 reached (${zero.pcode}) in the first class, not as no data`);
			const fills2 = await a.$$eval('#map path[class*="area-"]', (ps) => Object.fromEntries(ps.map((p) => [p.getAttribute('class').match(/area-(\S+)/)[1], p.getAttribute('fill')])));
			ok(noFig.length > 0 && noFig.every((r) => fills2[r.pcode] === '#f0f0f0'), `... those without figures (${noFig.map((r) => r.pcode).join(', ')}) shown as no data`);
			is(Object.values(fills2).filter((f) => f !== '#f0f0f0').length, withFig.length, `... and only the ${withFig.length} areas with a figure coloured`);
			const legend = await a.textContent('#legend');
			ok(legend.includes('people reached (people)') && legend.includes('no data') && legend.includes(gaps.reach_rule) && legend.includes('GET /api/gaps'),
				'... the legend states the measure, its unit, its source and the rule for several organisations', legend);
			await shot(a, 'map-reached');
			await a.selectOption('#map-area', 'AF02');
			is(await a.textContent('#area-info .area-reached'), `People reached: ${af02.covered.toLocaleString('en')} of ${af02.in_need.toLocaleString('en')} in need`,
				'choosing AF02 shows its people reached against its people in need');
			await a.selectOption('#map-measure', 'activities');
			await a.selectOption('#map-measure', 'activities');
		}

		// the map by the composite index (GET /api/index): fixed classes of the 0–1 score, an
		// area with no score (an indicator missing) as no data, a score of 0 in the first class
		if (!offered['/api/index']) {
			skip('the map by the index', 'this server has no GET /api/index');
		} else {
			const COL = ['#f0f0f0', '#c7e9b4', '#7fcdbb', '#41b6c4', '#2c7fb8', '#253494'];
			const cls = (v) => (typeof v !== 'number' ? COL[0] : COL[1 + [0.2, 0.4, 0.6, 0.8, 1].findIndex((b) => v <= b)]);
			const idx = (await api(env.TOKEN_AADA, '/api/index?level=1')).json;
			// AF03 from the fixture, by the documented formula: LIT-F 90 between 0 and 100, SEC-INC
			// 3 between 0 and 60 (lower is better), the two pillars weighted equally
			const af03 = idx.areas.find((x) => x.area === 'AF03');
			ok(af03 && Math.abs(af03.overall - (0.9 + (1 - 3 / 60)) / 2) < 1e-9, `GET /api/index: AF03's overall score is (0.9 + 0.95) / 2 (${af03 && af03.overall})`);
			await a.click('#tab-map');
			await a.selectOption('#map-pillar', '');
			await a.selectOption('#map-measure', 'index');
			const scoredI = idx.areas.filter((x) => typeof x.overall === 'number');
			const best = scoredI.reduce((x, y) => (y.overall > x.overall ? y : x));
			await a.waitForFunction((p) => document.querySelector(`#map path.area-${p}`).getAttribute('fill') === '#253494', best.area, { timeout: 5000 }).catch(() => {});
			is(await a.getAttribute(`#map path.area-${best.area}`, 'fill'), '#253494', `coloured by the index, the area with the best overall score (${best.area}, ${best.overall}) is darkest`);
			const fillsI = await a.$$eval('#map path[class*="area-"]', (ps) => Object.fromEntries(ps.map((p) => [p.getAttribute('class').match(/area-(\S+)/)[1], p.getAttribute('fill')])));
			const want = Object.fromEntries(Object.keys(fillsI).map((p) => [p, cls((idx.areas.find((x) => x.area === p) || {}).overall)]));
			is(JSON.stringify(fillsI), JSON.stringify(want), `... every area in the class of its score (${scoredI.map((x) => `${x.area} ${x.overall}`).join(', ')}), the others no data`);
			const unscored = idx.areas.filter((x) => x.overall === null);
			ok(unscored.length > 0 && unscored.every((x) => fillsI[x.area] === '#f0f0f0'), `... an area missing an indicator (${unscored.map((x) => `${x.area}: ${x.missing.join(' ')}`).join(', ')}) shown as no data`);
			const zeroI = scoredI.find((x) => x.overall === 0);
			if (zeroI) is(fillsI[zeroI.area], '#c7e9b4', `... a score of 0 (${zeroI.area}) in the first class, not as no data`);
			const legend = await a.textContent('#legend');
			ok(legend.includes('index (score 0–1, 1 best)') && legend.includes('no data') && legend.includes('GET /api/index') && idx.indicators.every((i) => legend.includes(i.code)),
				'... the legend states the measure, its unit and its source with its indicators', legend);
			await shot(a, 'map-index');
			// one pillar's score: AF01 has the security pillar's only
			await a.selectOption('#map-pillar', 'security');
			const af01 = idx.areas.find((x) => x.area === 'AF01');
			await a.waitForFunction(([p, f]) => document.querySelector(`#map path.area-${p}`).getAttribute('fill') === f, ['AF01', cls(af01.pillars.security)], { timeout: 5000 }).catch(() => {});
			is(await a.getAttribute('#map path.area-AF01', 'fill'), cls(af01.pillars.security), `with the security pillar chosen, AF01 is coloured by that pillar's score (${af01.pillars.security})`);
			await a.selectOption('#map-pillar', '');
			// an area chosen: its scores in its panel
			const af02 = idx.areas.find((x) => x.area === 'AF02');
			await a.selectOption('#map-area', 'AF02');
			like(await a.textContent('#area-info .area-index'), new RegExp(`^Index: overall ${af02.overall} \\(rank ${af02.rank}\\); governance ${af02.pillars.governance}, security ${af02.pillars.security}$`),
				`choosing AF02 shows its index scores (${af02.overall}, rank ${af02.rank})`);
			await a.selectOption('#map-measure', 'activities');
		}

		// indicators, when the server offers them
		if (!offered['/api/progress']) {
			skip('the indicators', 'this server has no GET /api/progress');
		} else {
			const prog = (await api(env.TOKEN_AADA, '/api/progress')).json;
			await a.click('#tab-indicators');
			await a.waitForFunction((k) => document.querySelectorAll('#indicators-table tbody tr').length === k, prog.results.length, { timeout: 5000 }).catch(() => {});
			is(await a.$$eval('#indicators-table tbody tr', (t) => t.map((r) => `${r.dataset.indicator}:${r.dataset.status}`).join(' ')),
				prog.results.map((r) => `${r.indicator}:${r.status}`).join(' '), `the indicators view lists the ${prog.results.length} series with their status`);
			const first = prog.results.find((r) => r.latest_date);
			const i = prog.results.indexOf(first);
			await a.click(`#indicators-table tbody tr:nth-child(${i + 1}) button.link`);
			await a.waitForSelector('#ind-chart .uplot canvas', { timeout: 5000 }).catch(() => {});
			ok((await a.$$('#ind-chart .uplot canvas')).length === 1 && (await a.textContent('#ind-chart .u-title')).startsWith(first.indicator),
				`choosing ${first.indicator} draws its chart`);
			is(await a.$$eval('#ind-chart .u-legend .u-series th', (t) => t.map((x) => x.textContent.trim()).filter(Boolean).join(',')),
				'Time,trend,target,baseline,latest', '... with its trend, target, baseline and latest value');
			await shot(a, 'indicators');
		}

		// an area chosen from the list (the keyboard's way to the map): its needs and indicators
		if (offered['/api/gaps'] && offered['/api/progress']) {
			const g1 = (await api(env.TOKEN_AADA, '/api/gaps?level=1')).json.rows.filter((r) => r.pcode === 'AF01' && r.in_need !== null);
			const biggest = g1.reduce((x, y) => (y.in_need > x.in_need ? y : x));
			const inds = (await api(env.TOKEN_AADA, '/api/progress')).json.results.filter((r) => r.area === 'AF01');
			await a.click('#tab-map');
			await a.selectOption('#map-area', 'AF01');
			const info = await a.textContent('#area-info');
			ok(info.includes(`${biggest.key_name} ${biggest.in_need.toLocaleString('en')}`), `choosing AF01 shows its largest need (${biggest.key_name})`, info);
			ok(inds.length > 0 && inds.every((x) => info.includes(x.indicator)), `... and its ${inds.length} indicator series`, info);
			await shot(a, 'area-af01');
		} else {
			skip('an area\'s needs and indicators', 'this server has no GET /api/gaps or /api/progress');
		}

		// overlap pairs and exposure, when the server offers them: the server's rows and rules
		for (const [k, path, rowsKey] of [['overlap', '/api/overlap', 'pairs'], ['exposure', '/api/exposure', 'sites']]) {
			if (!offered[path]) {
				skip(`the ${k} view`, `this server has no GET ${path}`);
				continue;
			}
			const j = (await api(env.TOKEN_AADA, path)).json;
			const rows = j[rowsKey] || [];
			await a.click(`#tab-${k}`);
			is(await a.$$eval(`#${k}-table tbody tr`, (t) => t.length), rows.length, `the ${k} view lists the ${rows.length} ${rowsKey} of GET ${path}`);
			const firstText = Object.entries(j).find(([key, v]) => key !== rowsKey && typeof v === 'string');
			ok(!firstText || (await a.textContent(`#${k}-rules`)).includes(firstText[1]), '... under the rules the server states');
			if (rows.length) {
				const col = Object.keys(rows[0])[0];
				// shown as the view shows numbers: whole ones grouped, others to three decimals
				const v0 = rows[0][col];
				is(await a.$eval(`#${k}-table tbody tr td`, (t) => t.textContent),
					typeof v0 === 'number' && !Number.isInteger(v0) ? String(Math.round(v0 * 1000) / 1000) : String(v0).replace(/^(\d+)$/, (x) => Number(x).toLocaleString('en')),
					`... its first row first (${col})`);
			}
			await shot(a, k);
		}

		// the period: every view reads only activities overlapping it
		{
			const n_all = coverage.rows.reduce((x, r) => x + r.totals.activities, 0);
			const from = '2021-10-01';
			const to = '2021-12-31';
			const cov = (await api(env.TOKEN_AADA, `/api/coverage?level=1&from=${from}&to=${to}`)).json;
			const acts = (await api(env.TOKEN_AADA, `/api/activities?limit=100&from=${from}&to=${to}`)).json;
			const listed = cov.rows.filter((r) => !r.unspecified || r.totals.activities > 0);
			const sum = listed.reduce((x, r) => x + r.totals.activities, 0);
			await a.click('#tab-coverage');
			await a.fill('#period-from', from);
			await a.fill('#period-to', to);
			await a.dispatchEvent('#period-to', 'change');
			const pageSum = () => a.$$eval('#coverage-table tbody tr td:last-child', (c) => c.reduce((x, td) => x + Number(td.textContent.split(' ')[0]), 0));
			let ms = await waitFor(async () => (await pageSum()) === sum && (await a.$$eval('#coverage-table tbody tr', (r) => r.length)) === listed.length, 10000);
			ok(ms >= 0 && sum < n_all, `a period (${from} to ${to}) changes the matrix: ${listed.length} rows, ${sum} activities in all`, `${await pageSum()}`);
			await a.click('#tab-activities');
			ms = await waitFor(async () => (await a.$$eval('#activities-table tbody tr', (r) => r.length)) === acts.activities.length, 10000);
			ok(ms >= 0, `... and the list: the ${acts.activities.length} activities of that period`);
			// a period that ends before it starts: the server's error, next to the period
			const bad = (await api(env.TOKEN_AADA, `/api/coverage?level=1&from=${to}&to=${from}`)).json;
			await a.fill('#period-from', to);
			await a.fill('#period-to', from);
			await a.dispatchEvent('#period-to', 'change');
			await a.waitForFunction(() => document.getElementById('period-error').textContent !== '', null, { timeout: 10000 }).catch(() => {});
			is(await a.textContent('#period-error'), bad.error.message, 'a period ending before it starts shows the server\'s error next to it');
			await shot(a, 'period-error');
			await a.fill('#period-from', '');
			await a.fill('#period-to', '');
			await a.dispatchEvent('#period-to', 'change');
			await a.waitForFunction(() => document.getElementById('period-error').textContent === '');
			// an organisation the server does not know: its error next to the field
			const noOrg = (await api(env.TOKEN_AADA, '/api/activities?org=NO-SUCH-ORG')).json;
			await a.fill('#act-org', 'NO-SUCH-ORG');
			await a.waitForFunction(() => document.getElementById('act-org-error').textContent !== '', null, { timeout: 10000 }).catch(() => {});
			is(await a.textContent('#act-org-error'), noOrg.error.message, 'filtering by an unknown organisation shows the server\'s error next to the field');
			await a.fill('#act-org', 'AADA');
			await a.waitForFunction(() => document.getElementById('act-org-error').textContent === '' &&
				[...document.querySelectorAll('#activities-table tbody tr td:nth-child(2)')].every((c) => /Assistance and Development/.test(c.textContent)), null, { timeout: 10000 }).catch(() => {});
			const aada = (await api(env.TOKEN_AADA, '/api/activities?org=AADA&limit=100')).json.activities;
			is(await a.$$eval('#activities-table tbody tr', (r) => r.length), aada.length, `... and by a known one: its ${aada.length} activities`);
			await a.fill('#act-org', '');
			await a.waitForFunction(() => document.querySelectorAll('#activities-table tbody tr').length >= 100, null, { timeout: 10000 }).catch(() => {});
			// the next page, by its cursor
			const p1 = (await api(env.TOKEN_AADA, '/api/activities?limit=100')).json;
			const p2 = (await api(env.TOKEN_AADA, `/api/activities?limit=100&after=${p1.next}`)).json;
			await a.click('#act-more');
			ms = await waitFor(async () => (await a.$$eval('#activities-table tbody tr', (r) => r.length)) === p1.activities.length + p2.activities.length, 10000);
			is(await a.$$eval('#activities-table tbody tr:last-child', (r) => r[0].dataset.id), String(p2.activities[p2.activities.length - 1].id),
				`"Load more" appends the next page (${p2.activities.length} rows, up to id ${p2.activities[p2.activities.length - 1].id})`);
		}

		// a plan reviewed: the file chosen on the page, the findings as the server gives them
		if (!offered['/api/review']) {
			skip('the plan review', 'this server has no POST /api/review');
		} else {
			const post = (file) => api(env.TOKEN_AADA, '/api/review', { method: 'POST', headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ text: readFileSync(file, 'utf8') }) });
			const planFile = join(env.CC_SOURCE_ROOT, 'data/cases/afghanistan/sample_plan.yaml');
			const want = (await post(planFile)).json;
			await a.click('#tab-review');
			await a.setInputFiles('#review-file', planFile);
			await a.click('#review-form button[type="submit"]');
			await a.waitForFunction(() => document.getElementById('review-summary').textContent !== '', null, { timeout: 10000 }).catch(() => {});
			is(await a.$$eval('#review-table tbody tr', (t) => t.map((r) => `${r.dataset.rule}:${r.dataset.severity}`).join(' ')),
				want.findings.map((f) => `${f.rule}:${f.severity}`).join(' '), `a plan uploaded is reviewed: its ${want.findings.length} findings in the server's order`);
			ok((await a.textContent('#review-summary')).includes(`${want.errors} errors`), '... with the count of errors');
			await shot(a, 'review');
			const badFile = join(env.FIXTURE_DIR, 'bad-plan.yaml');
			const badWant = await post(badFile);
			await a.setInputFiles('#review-file', badFile);
			await a.click('#review-form button[type="submit"]');
			await a.waitForFunction(() => document.getElementById('review-error').textContent !== '', null, { timeout: 10000 }).catch(() => {});
			is(await a.textContent('#review-error'), badWant.json.error.message, `a plan that does not parse: the server's error (${badWant.status}) next to the file field`);
		}

		// the lessons search, when the server offers it: the ranked hits, their snippets with the
		// matched words highlighted (as text: a title with markup stays text), the facets
		if (!offered['/api/lessons/search']) {
			skip('the lessons search', 'this server has no GET /api/lessons/search');
		} else {
			const want = (await api(env.TOKEN_AADA, '/api/lessons/search?q=police%20training&limit=50')).json;
			// independently of the server: the seed lesson with both words in its title
			const seeds = spawnSync('sh', ['-c', 'grep -l -i "^title:.*police.*training" "$0"/*.md', join(env.CC_SOURCE_ROOT, 'data/lessons')], { encoding: 'utf8' }).stdout.trim().split('\n');
			const seedKey = seeds.length === 1 ? /^key: (.*)$/m.exec(readFileSync(seeds[0], 'utf8'))[1] : `${seeds.length} files`;
			ok(await a.isVisible('#tab-lessons'), 'the server has /api/lessons/search: the Lessons view is offered');
			await a.click('#tab-lessons');
			await a.focus('#lesson-q');
			await a.keyboard.type('police training');
			await a.keyboard.press('Enter');
			const hitKeys = () => a.$$eval('#lesson-hits li', (l) => l.map((x) => x.dataset.key).join(' '));
			await waitFor(async () => (await hitKeys()) !== '', 10000);
			is(await hitKeys(), want.hits.map((h) => h.key).join(' '), `searching "police training" lists the ${want.hits.length} hits in the server's rank order`);
			is(await a.$eval('#lesson-hits li', (l) => l.dataset.key), seedKey, `... the first is ${seedKey}, the seed lesson with both words in its title`);
			const brackets = [...want.hits[0].snippet.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]);
			is(JSON.stringify(await a.$$eval('#lesson-hits li:first-child .snippet mark', (m) => m.map((x) => x.textContent))), JSON.stringify(brackets),
				`... its snippet highlights the matched words (${brackets.join(', ')})`);
			is(await a.$eval('#lesson-hits li:first-child .snippet', (p) => p.textContent), want.hits[0].snippet.replace(/\[([^[\]]*)\]/g, '$1'),
				'... in the text of the server\'s snippet, brackets taken off');
			const facetText = (k) => a.$$eval(`#lesson-facets [data-facet="${k}"] .facet-value`, (b) => b.map((x) => `${x.dataset.value}:${x.dataset.count}`).join(' '));
			is(await facetText('pillar'), Object.entries(want.facets.pillar).map(([k, v]) => `${k}:${v}`).join(' '), '... with the facet counts per pillar');
			is(await facetText('status'), Object.entries(want.facets.status).map(([k, v]) => `${k}:${v}`).join(' '), '... and per status');
			// a pillar facet narrows the hits, by keyboard
			const pil = Object.keys(want.facets.pillar).find((k) => want.facets.pillar[k] < want.n_matched) || Object.keys(want.facets.pillar)[0];
			const narrowed = (await api(env.TOKEN_AADA, `/api/lessons/search?q=police%20training&limit=50&pillar=${pil}`)).json;
			await a.focus(`#lesson-facets [data-facet="pillar"] button[data-value="${pil}"]`);
			await a.keyboard.press('Enter');
			await waitFor(async () => (await hitKeys()) === narrowed.hits.map((h) => h.key).join(' '), 10000);
			is(await hitKeys(), narrowed.hits.map((h) => h.key).join(' '), `the ${pil} facet, pressed with the keyboard, narrows the hits to the server's ${narrowed.hits.length}`);
			is(await a.getAttribute(`#lesson-facets [data-facet="pillar"] button[data-value="${pil}"]`, 'aria-pressed'), 'true', '... and shows itself pressed');
			await shot(a, 'lessons');
			// a lesson whose title and text hold markup: shown as text, never as elements
			await a.fill('#lesson-q', 'quokka');
			await a.press('#lesson-q', 'Enter');
			await waitFor(async () => (await a.textContent('#lesson-hits')).includes('QUOKKA'), 10000);
			ok((await a.textContent('#lesson-hits h3')).includes('<img src=x onerror=alert(1)>') && (await a.$$('#lesson-hits img, #lesson-hits b')).length === 0,
				'a lesson with markup in its title and text is shown as text, no element made of it');
			// a search with no word: the server's error next to the box
			const noWord = (await api(env.TOKEN_AADA, '/api/lessons/search?q=%21%3F')).json;
			await a.fill('#lesson-q', '!?');
			await a.press('#lesson-q', 'Enter');
			await a.waitForFunction(() => document.getElementById('lesson-error').textContent !== '', null, { timeout: 10000 }).catch(() => {});
			is(await a.textContent('#lesson-error'), noWord.error.message, 'a search with no word shows the server\'s error next to the box');
			is(await a.getAttribute('#lesson-q', 'aria-invalid'), 'true', '... and marks the box invalid');
		}

		// survey results, when the server offers them: one bar per answer with its interval
		if (!offered['/api/survey']) {
			skip('the survey results', 'this server has no GET /api/survey');
		} else {
			const bars = () => a.$$eval('#survey-chart rect.bar', (r) => r.map((x) => [x.dataset.cell, x.dataset.answer, x.dataset.share, x.dataset.lo, x.dataset.hi, x.dataset.small]));
			const expect = (j) => j.cells.flatMap((c) => c.estimates.map((e) => [c.cell, e.answer, String(e.share), String(e.lo), String(e.hi), String(e.small)]));
			const want = (await api(env.TOKEN_AADA, '/api/survey?question=employed')).json;
			ok(await a.isVisible('#tab-survey'), 'the server has /api/survey: the Survey view is offered');
			await a.click('#tab-survey');
			await a.waitForFunction(() => [...document.querySelectorAll('#survey-question option')].some((o) => o.value === 'employed'), null, { timeout: 10000 }).catch(() => {});
			await a.selectOption('#survey-question', 'employed');
			const nb = expect(want).length;
			await a.waitForFunction((k) => document.querySelectorAll('#survey-chart rect.bar').length === k, nb, { timeout: 10000 }).catch(() => {});
			is(JSON.stringify(await bars()), JSON.stringify(expect(want)), `choosing "employed" draws one bar per answer (${nb}) with the share and interval of GET /api/survey`);
			const widths = await a.$$eval('#survey-chart rect.bar', (r) => r.map((x) => Number(x.getAttribute('width'))));
			const shares = want.cells[0].estimates.map((e) => e.share);
			ok(Math.abs(widths[0] / widths[1] - shares[0] / shares[1]) < 1e-6, '... each bar as long as its share', `${widths} ${shares}`);
			is(await a.$$eval('#survey-chart line.ci', (l) => l.length), 3 * nb, '... each with its interval (a line and two whiskers)');
			is(await a.textContent('#survey-rule'), want.rule, '... under the rule the server states');
			// by province, small below 50: the small cells flagged as the server flags them
			const byArea = (await api(env.TOKEN_AADA, '/api/survey?question=employed&by=area&min_neff=50')).json;
			await a.selectOption('#survey-by', 'area');
			await a.fill('#survey-min-neff', '50');
			await a.dispatchEvent('#survey-min-neff', 'change');
			await waitFor(async () => JSON.stringify(await bars()) === JSON.stringify(expect(byArea)), 10000);
			is(JSON.stringify(await bars()), JSON.stringify(expect(byArea)), `by province with n_eff below 50 flagged: the server's ${expect(byArea).length} bars`);
			const nSmall = expect(byArea).filter((b) => b[5] === 'true').length;
			ok(nSmall > 0 && (await a.$$eval('#survey-chart rect.bar.small', (r) => r.length)) === nSmall &&
				(await a.$$eval('#survey-table tbody tr.small', (r) => r.length)) === nSmall, `... the ${nSmall} of small cells marked in the chart and the table`);
			await shot(a, 'survey');
			await a.selectOption('#survey-by', 'all');
			await a.fill('#survey-min-neff', '30');
			await a.dispatchEvent('#survey-min-neff', 'change');
		}

		// incidents as a clustered layer of the map: every incident AADA may see, in clusters
		{
			const inc = [];
			for (let after = null, p = 0; p < 50; p++) {
				const r = (await api(env.TOKEN_AADA, '/api/incidents?limit=1000' + (after ? `&after=${after}` : ''))).json;
				inc.push(...r.items);
				after = r.next;
				if (!after) break;
			}
			const placed = inc.filter((e) => typeof e.lat === 'number' && typeof e.lon === 'number').length;
			const onMap = () => a.evaluate(() => [...document.querySelectorAll('#map .marker-cluster span')].reduce((x, s) => x + Number(s.textContent), 0) +
				document.querySelectorAll('#map path.incident').length);
			await a.click('#tab-map');
			await toggle(a, '#map-incidents', true);
			await waitFor(async () => (await onMap()) === placed, 10000);
			is(await onMap(), placed, `the incidents layer: the ${placed} incidents of GET /api/incidents with coordinates, the clusters labelled with their counts`);
			const nClusters = await a.$$eval('#map .marker-cluster', (c) => c.length);
			ok(nClusters > 0 && nClusters < placed, `... grouped into ${nClusters} clusters`);
			ok(await a.$$eval('#map .marker-cluster', (c) => c.every((x) => x.getAttribute('tabindex') === '0')), '... each reachable with the keyboard');
			like(await a.textContent('#map-incidents-count'), new RegExp(`^${placed} incidents placed`), '... and counted next to the switch');
			await shot(a, 'map-incidents');
			await toggle(a, '#map-incidents', false);
			is(await a.$$eval('#map .marker-cluster, #map path.incident', (c) => c.length), 0, '... hidden again');
		}

		// the allocation: a viewer is told why it cannot run one; a coordinator runs it on the
		// mission's needs and sees what the server answers for the same body
		if (!offered['/api/allocate']) {
			skip('the allocation', 'this server has no POST /api/allocate');
		} else {
			await a.focus('#tab-survey');
			await a.click('#tab-allocate');
			ok(await a.isVisible('#alloc-role'), 'a viewer opening the Allocation view is told why it cannot run one');
			like(await a.textContent('#alloc-role'), /needs the coordinator role.*signed in as a viewer of /, '... its role named');
			ok(!(await a.isVisible('#alloc-form')) && !(await a.isVisible('#alloc-form button[type="submit"]')), '... and has no form to send');
			await shot(a, 'allocate-viewer');

			const c = await open('coord');
			await c.fill('#token', env.TOKEN_COORD);
			await c.press('#token', 'Enter');
			await c.waitForSelector('#who:not([hidden])', { timeout: 10000 });
			is(await c.textContent('#who-role'), 'coordinator', 'a coordinator signs in');
			await c.waitForSelector('#tab-allocate:not([hidden])', { timeout: 15000 });
			await c.click('#tab-allocate');
			ok(await c.isVisible('#alloc-form') && !(await c.isVisible('#alloc-role')), '... and gets the allocation form');
			// a bad line: the error next to its box, nothing sent
			await c.fill('#alloc-budgets', 'Fund A=lots');
			await c.click('#alloc-form button[type="submit"]');
			like(await c.textContent('#alloc-budgets-error'), /^line 1: the budget must be a number/, 'a budget that is not a number is refused next to its box');
			is(await c.getAttribute('#alloc-budgets', 'aria-invalid'), 'true', '... which is marked invalid');
			// a problem on the mission's needs
			await c.fill('#alloc-cost', '40');
			await c.fill('#alloc-budgets', 'Fund A=2000000:pillars=humanitarian\nFund B=300000:min=100000');
			await c.fill('#alloc-teams', 'Mentors=3:ppt=500:pillars=security+governance');
			// a security minimum needs its threshold too
			await c.fill('#alloc-secmin', '1');
			await c.click('#alloc-form button[type="submit"]');
			like(await c.textContent('#alloc-security-error'), /^give both/, 'a security minimum without its threshold is refused next to it');
			await c.fill('#alloc-secthr', '1');
			await c.fill('#alloc-days', '3650');
			const sent = c.waitForRequest((q) => q.method() === 'POST' && new URL(q.url()).pathname === '/api/allocate', { timeout: 15000 });
			await c.click('#alloc-form button[type="submit"]');
			const body = JSON.parse((await sent).postData());
			// the cells, built here from the needs the coordinator may see
			const gp = (await api(env.TOKEN_COORD, '/api/gaps?level=1&by=pillar')).json;
			const cellsWant = gp.rows.filter((r) => r.pcode && r.key !== 'ALL' && r.in_need !== null)
				.map((r) => `${r.pcode}/${r.key}/${r.unmet === null ? r.in_need : r.unmet}/${r.severity || 1}`);
			is(body.cells.map((x) => `${x.area}/${x.pillar}/${x.need}/${x.severity}`).join(' '), cellsWant.join(' '),
				`the problem sent has one cell per area x pillar with people in need (${cellsWant.length}), its unmet need and severity`);
			is(JSON.stringify([body.donors, body.organisations, body.cost_per_person_usd]),
				JSON.stringify([[{ name: 'Fund A', budget_usd: 2000000, pillars: ['humanitarian'] }, { name: 'Fund B', budget_usd: 300000, min_spend_usd: 100000 }],
					[{ name: 'Mentors', teams: 3, people_per_team: 500, pillars: ['security', 'governance'] }], 40]),
				'... and the budgets and teams of the boxes');
			const exArea = new Map((await api(env.TOKEN_COORD, '/api/exposure?by=area&level=1&days=3650')).json.areas.map((x) => [x.pcode, x.incidents]));
			is(JSON.stringify([body.security, body.cells.map((x) => x.exposure)]), JSON.stringify([{ exposure_threshold: 1, min_teams: 1 }, body.cells.map((x) => exArea.get(x.area) || 0)]),
				`... the security minimum, each cell's exposure the incidents of its area in GET /api/exposure?by=area (${[...exArea.values()].reduce((x, y) => x + y, 0)} in all)`);
			const want = (await api(env.TOKEN_COORD, '/api/allocate', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json;
			await c.waitForFunction(() => document.getElementById('alloc-summary').textContent !== '', null, { timeout: 15000 }).catch(() => {});
			const summary = await c.textContent('#alloc-summary');
			const en = (v) => v.toLocaleString('en', { maximumFractionDigits: 0 });
			ok(want.status === 'optimal' && summary.startsWith('optimal: ' + en(want.people_covered) + ' people covered'),
				`the result shows the server's people covered for the same body (${en(want.people_covered)})`, summary);
			const totalRow = await c.$$eval('#alloc-cells tbody tr.total td', (t) => t.map((x) => x.textContent));
			is(totalRow[4], en(want.cells.reduce((x, y) => x + y.funded_usd, 0)), '... the total funding of its cells');
			is(totalRow[6], en(want.cells.reduce((x, y) => x + y.teams_rounded, 0)), '... and its whole teams');
			is(await c.$$eval('#alloc-cells tbody tr:not(.total)', (t) => t.map((r) => `${r.dataset.area}/${r.dataset.pillar}:${r.children[4].textContent}`).join(' ')),
				want.cells.map((x) => `${x.area}/${x.pillar}:${en(x.funded_usd)}`).join(' '), `... the funding of each of its ${want.cells.length} cells`);
			const bindWant = want.constraints.filter((x) => x.binding);
			is(await c.$$eval('#alloc-binding tbody tr', (t) => t.map((r) => `${r.dataset.label}=${r.dataset.shadow}`).join('; ')),
				bindWant.map((x) => `${x.label}=${x.shadow_price}`).join('; '), `... its ${bindWant.length} binding constraints with their shadow prices`);
			ok(bindWant.length > 0, '... (some bind)');
			await shot(c, 'allocate');
			// an infeasible problem file: the conflicting constraints the server finds
			const infFile = join(env.CC_SOURCE_ROOT, 'tests/data/allocate/infeasible.json');
			const infWant = (await api(env.TOKEN_COORD, '/api/allocate', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: readFileSync(infFile, 'utf8') })).json;
			await c.selectOption('#alloc-source', 'file');
			await c.setInputFiles('#alloc-file', infFile);
			await c.click('#alloc-form button[type="submit"]');
			await c.waitForFunction(() => document.getElementById('alloc-summary').dataset.status === 'infeasible', null, { timeout: 15000 }).catch(() => {});
			is(await c.$$eval('#alloc-conflict tbody tr', (t) => t.map((r) => r.dataset.label).join('; ')), infWant.conflict.map((x) => x.label).join('; '),
				`an infeasible problem file: the ${infWant.conflict.length} conflicting constraints of the server's answer`);
			ok(await c.isVisible('#alloc-conflict') && !(await c.isVisible('#alloc-binding')), '... shown instead of an allocation');
			await shot(c, 'allocate-infeasible');
			// a file the server refuses: its error next to the file field
			const badFile = join(env.CC_SOURCE_ROOT, 'tests/data/allocate/bad_field.json');
			const badWant = (await api(env.TOKEN_COORD, '/api/allocate', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: readFileSync(badFile, 'utf8') }));
			await c.setInputFiles('#alloc-file', badFile);
			await c.click('#alloc-form button[type="submit"]');
			await c.waitForFunction(() => document.getElementById('alloc-file-error').textContent !== '', null, { timeout: 10000 }).catch(() => {});
			ok(badWant.status === 400 && (await c.textContent('#alloc-file-error')).includes(badWant.json.error.message),
				`a problem the server refuses (${badWant.status}): its error next to the file field`, await c.textContent('#alloc-file-error'));
			// a tablet: the view fits its width
			await c.setViewportSize({ width: 768, height: 1024 });
			await c.waitForTimeout(300);
			const cw = await c.evaluate(() => document.documentElement.scrollWidth);
			ok(cw <= 768, `at tablet width the allocation view does not scroll sideways (${cw} px)`);
			await shot(c, 'tablet-allocate');
			await c.context().close();
		}

		// tabs by keyboard
		await a.focus('#tab-coverage');
		await a.keyboard.press('ArrowRight');
		is(await a.getAttribute('#tab-activities', 'aria-selected'), 'true', 'the arrow keys move between the views');

		// what each organisation may see
		await a.waitForFunction(() => document.querySelectorAll('#activities-table tbody tr').length > 0);
		let ta = await tableText(a, '#activities-table');
		ok(ta.includes('MARKER AADA only'), 'AADA sees its own record marked org');
		ok(!ta.includes('MARKER ISAF only'), 'AADA does not see the military team\'s record marked org');
		await shot(a, 'activities-aada');

		const b = await open('isaf');
		await b.fill('#token', env.TOKEN_ISAF);
		await b.click('#signin-form button[type="submit"]');
		await b.waitForSelector('#who:not([hidden])', { timeout: 10000 });
		is(await b.textContent('#who-org'), me.isaf.organisation.name, 'the team\'s editor: its organisation is shown');
		is(await b.textContent('#who-role'), 'editor', '... and its role');
		await b.click('#tab-activities');
		await b.waitForFunction(() => document.querySelectorAll('#activities-table tbody tr').length > 0);
		const tb = await tableText(b, '#activities-table');
		ok(tb.includes('MARKER ISAF only'), 'ISAF-PRT sees its own record marked org');
		ok(!tb.includes('MARKER AADA only'), 'ISAF-PRT does not see the NGO\'s record marked org');
		await shot(b, 'activities-isaf');

		// live: the team gives its record to the partners; the NGO's open page shows it
		await a.waitForFunction(() => document.getElementById('live').textContent === 'live', null, { timeout: 10000 });
		await b.waitForFunction(() => document.getElementById('live').textContent === 'live', null, { timeout: 10000 });
		// the editor opens its record from the list; a bad organisation to share with is
		// refused by the server, whose message shows next to that field
		const list = (await api(env.TOKEN_ISAF, '/api/activities?limit=10')).json.activities;
		const rec = list.find((x) => x.title.startsWith('MARKER ISAF only'));
		await b.click(`#activities-table tr[data-id="${rec.id}"] button.link`);
		await b.waitForSelector('#act-detail:not([hidden]) #marking-form');
		is(await b.$eval('#mk-rel', (s) => s.value), 'org', 'the editor opens its record: the form shows its marking');
		ok(!(await a.$('#act-detail #marking-form')), '... a viewer gets no such form');
		const bad = await api(env.TOKEN_ISAF, `/api/activities/${rec.id}/shares`, {
			method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ org: 'NO-SUCH-ORG' }) });
		await b.fill('#mk-org', 'NO-SUCH-ORG');
		await b.click('#share-form button[type="submit"]');
		await b.waitForFunction(() => document.getElementById('mk-org-error').textContent !== '');
		is(await b.textContent('#mk-org-error'), bad.json.error.message, 'sharing with an unknown organisation shows the server\'s error next to the field');
		is(`${bad.status} ${bad.json.error.field}`, '404 org', '... which the server gave for that field');
		is(await b.getAttribute('#mk-org', 'aria-invalid'), 'true', '... and marks the field invalid');
		await shot(b, 'form-error');

		// live: the team gives its record to the partners with the form; the NGO's open page
		// shows it
		await b.selectOption('#mk-rel', 'partners');
		await b.click('#marking-form button[type="submit"]');
		await b.waitForFunction(() => document.getElementById('mk-rel-error').textContent === 'Saved.', null, { timeout: 10000 });
		const after = (await api(env.TOKEN_ISAF, `/api/activities/${rec.id}`)).json;
		is(after.releasability, 'partners', 'the team\'s editor marks its record partners with the form');
		ok(after.version !== rec.version, '... a new version of it is stored');
		let ms = await waitFor(async () => (await tableText(a, '#activities-table')).includes('MARKER ISAF only'), 10000);
		ok(ms >= 0, `... and it appears on the NGO's open page through the feed (${ms} ms)`);
		ok((await waitFor(() => a.isVisible('#notice'), 10000)) >= 0, '... with a notice');
		like(await a.textContent('#notice'), /activity .*changed by api:isaf-ed|activity .*by api:isaf-ed/, '... naming the change and who made it');
		await shot(a, 'live-notice');

		// live: a write from the command line reaches both pages (the coverage of AF03)
		const af03 = (p) => p.$eval('#coverage-table tbody tr[data-pcode="AF03"]', (t) => t.textContent).catch(() => '');
		await a.click('#tab-coverage');
		await b.click('#tab-coverage');
		const before = coverage.rows.find((r) => r.pcode === 'AF03').totals.activities;
		const lastCell = (p) => p.$eval('#coverage-table tbody tr[data-pcode="AF03"] td:last-child', (t) => t.textContent);
		is((await lastCell(a)).split(' ')[0], String(before), `AF03 shows ${before} activities before`);
		const w = spawnSync(env.CONCORD, ['import', '3w', join(env.FIXTURE_DIR, 'cli-write.csv')], { encoding: 'utf8' });
		is(w.status, 0, 'a partner adds an activity in AF03 from the command line', w.stderr);
		for (const [p, who] of [[a, 'NGO'], [b, 'team']]) {
			ms = await waitFor(async () => (await lastCell(p)).split(' ')[0] === String(before + 1), 10000);
			ok(ms >= 0, `... the ${who}'s open page counts ${before + 1} in AF03 within 10 s (${ms} ms)`, await af03(p));
		}

		// a tablet held upright
		await a.setViewportSize({ width: 768, height: 1024 });
		await a.click('#tab-map');
		await a.waitForTimeout(300);
		const sw = await a.evaluate(() => document.documentElement.scrollWidth);
		ok(sw <= 768, `at tablet width nothing scrolls sideways (${sw} px)`);
		const box = await a.$eval('#map', (m) => m.getBoundingClientRect().width);
		ok(box > 600 && box <= 768, `... and the map takes the width (${Math.round(box)} px)`);
		await shot(a, 'tablet-map');

		// the token stays with the tab; signing out forgets it
		await a.reload();
		await a.waitForSelector('#who:not([hidden])', { timeout: 10000 });
		ok((await waitFor(async () => (await a.textContent('#live')) === 'live', 10000)) >= 0, 'a reload keeps the tab signed in, and live');
		await a.click('#signout');
		ok(await a.isVisible('#signin-form'), 'sign out returns to the form');
		is(await a.evaluate(() => sessionStorage.getItem('concord.token')), null, '... and forgets the token');

		// the team's token is revoked while its page is open: the next change it hears of
		// sends it back to the sign-in form, saying why
		const rv = spawnSync(env.CONCORD, ['token', 'revoke', env.TOKEN_ISAF_ID], { encoding: 'utf8' });
		is(rv.status, 0, 'the team\'s token is revoked from the command line', rv.stderr);
		const mk = spawnSync(env.CONCORD, ['mark', 'activity', String(rec.id), '--releasability', 'public'], { encoding: 'utf8' });
		is(mk.status, 0, '... and a record changes', mk.stderr);
		ms = await waitFor(() => b.isVisible('#signin-form'), 10000);
		ok(ms >= 0 && /no longer valid/.test(await b.textContent('#token-error')), `... the team's open page returns to the sign-in form, saying why (${ms} ms)`);
		is(await b.evaluate(() => sessionStorage.getItem('concord.token')), null, '... and forgets the token');
		await shot(b, 'revoked');

		is(external.join(' '), '', 'the page made no request to another host');
		is(problems.join('\n'), '', 'no script error or Content-Security-Policy violation in the console');
		// the refusals provoked above, and no other
		const meant = [
			/^aada: 401 GET \/api\/me$/,
			new RegExp(`^isaf: 404 POST /api/activities/${rec.id}/shares$`),
			/^aada: 400 GET \/api\/(coverage|gaps|activities)$/,
			/^aada: 404 GET \/api\/activities$/,
			/^aada: 4\d\d POST \/api\/review$/,
			/^aada: 400 GET \/api\/lessons\/search$/,
			/^isaf: 401 GET \/api\/[a-z./]+$/, // after its token was revoked
			/^coord: 400 POST \/api\/allocate$/, // the problem file the server refuses
		];
		is(refused.filter((x) => !meant.some((re) => re.test(x))).join('\n'), '',
			'the only requests refused were the bad token, the bad period and the unknown organisations');
	} catch (e) {
		ok(false, 'the browser session ran to its end', e.stack || String(e));
	} finally {
		await browser.close();
	}
	finish();
}

function skip(desc, why) {
	n++;
	console.log(`ok ${n} - ${desc} # SKIP ${why}`);
}

function like(got, re, desc) {
	ok(re.test(got || ''), desc, `no ${re} in: ${got}`);
}

main().catch((e) => {
	ok(false, 'the browser tests ran', e.stack || String(e));
	finish();
});
