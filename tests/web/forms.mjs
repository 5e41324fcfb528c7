// The dashboard's forms end to end in headless chromium (playwright-core): an editor of AADA adds
// an activity through the form with the keyboard, sees it in the 3W matrix and reads it back
// through the API; a value the browser lets through but the server refuses shows the server's
// message next to that field (and nothing is stored); a value the browser refuses never leaves
// the page; the activity is edited with the version read; an observation, a feedback entry and a
// lesson are added; a viewer gets no forms. Expected values come from the API read here with the
// same tokens, never from the page. Started by web-forms.sh, which exports:
//   WEB_URL TOKEN_EDITOR TOKEN_VIEWER OUT_DIR CHROMIUM TAP_COUNT_FILE TAP_FIRST
import { writeFileSync } from 'node:fs';
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
		headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json', ...(init.headers || {}) },
	});
	const body = await r.text();
	return { status: r.status, json: body ? JSON.parse(body) : null };
}

// The number of activities of the AF01 row's infrastructure cell as the API counts them.
async function af01Infrastructure(token) {
	const c = (await api(token, '/api/coverage')).json;
	const row = c.rows.find((r) => r.pcode === 'AF01');
	const cell = row && row.cells.find((x) => x.column === 'infrastructure');
	return cell ? cell.activities : 0;
}

async function main() {
	const browser = await chromium.launch({
		executablePath: env.CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
	});
	const problems = [];
	const open = async (name, token) => {
		const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
		const page = await ctx.newPage();
		page.on('console', (m) => {
			if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) problems.push(`${name}: ${m.text()}`);
		});
		page.on('pageerror', (e) => problems.push(`${name}: ${e.message}`));
		await page.goto(URL0 + '/');
		await page.focus('#token');
		await page.keyboard.type(token);
		await page.keyboard.press('Enter');
		await page.waitForSelector('#who:not([hidden])', { timeout: 15000 });
		return page;
	};
	// an output for people, not a check: a machine too busy to take it goes on, saying so
	const shot = (page, name) =>
		page.screenshot({ path: join(env.OUT_DIR, name + '.png'), fullPage: true, timeout: 90000 })
			.catch((e) => console.log(`# screenshot ${name} not written: ${String(e.message).split('\n')[0]}`));
	const status = (page) => page.textContent('#form-status');
	const waitStatus = (page) => page.waitForFunction(() => /saved/.test(document.getElementById('form-status').textContent), null, { timeout: 10000 });
	const waitError = (page, sel) => page.waitForFunction((s) => document.querySelector(s) && document.querySelector(s).textContent !== '', sel, { timeout: 10000 });

	try {
		const e = await open('editor', env.TOKEN_EDITOR);
		await e.waitForSelector('#tab-forms:not([hidden])', { timeout: 15000 });
		ok(true, "an editor has the 'Add / edit' tab");
		// to the tab with the keyboard: focus the first tab, End goes to the last (ours)
		await e.focus('#tab-map');
		await e.keyboard.press('End');
		is(await e.evaluate(() => document.activeElement.id), 'tab-forms', '... reached with the keyboard (End on the tab list)');
		await e.keyboard.press('Enter');
		await e.waitForSelector('#view-forms:not([hidden]) #record-form', { timeout: 5000 });
		ok(true, '... and opened with Enter');
		const unlabelled = await e.$$eval('#view-forms input, #view-forms select, #view-forms textarea', (xs) => xs.filter((x) => !x.labels || x.labels.length === 0).map((x) => x.id));
		is(unlabelled.join(','), '', 'every input of the form has a label');

		// a bad value the browser cannot know: the server's error next to the field
		const posts = [];
		e.on('request', (q) => {
			if (q.method() === 'POST' && q.url().endsWith('/api/activities')) posts.push(q.url());
		});
		const before = (await api(env.TOKEN_EDITOR, '/api/activities?limit=1000')).json;
		const nBefore = (before.activities || before.items || []).length;
		await e.fill('#f-sector', 'NOPE');
		await e.fill('#f-area', 'AF0101');
		await e.fill('#f-title', 'Bad sector');
		await e.click('#form-save');
		await waitError(e, '#f-sector-error');
		const server = await api(env.TOKEN_EDITOR, '/api/activities', { method: 'POST', body: JSON.stringify({ sector: 'NOPE', area: 'AF0101', title: 'Bad sector' }) });
		is(server.status, 400, 'the API refuses sector NOPE (400)');
		is(await e.textContent('#f-sector-error'), server.json.error.message, "the form shows the server's message next to the sector field");
		is(await e.getAttribute('#f-sector', 'aria-invalid'), 'true', '... and marks the field invalid');
		is(await e.evaluate(() => document.activeElement.id), 'f-sector', '... and puts the focus on it');
		const after = (await api(env.TOKEN_EDITOR, '/api/activities?limit=1000')).json;
		is((after.activities || after.items || []).length, nBefore, '... and nothing was stored');
		await shot(e, 'forms-server-error');

		// values the browser refuses: no request leaves the page
		const nPosts = posts.length;
		await e.fill('#f-sector', 'WASH');
		await e.fill('#f-area', '');
		await e.fill('#f-targeted', '-3');
		await e.click('#form-save');
		await waitError(e, '#f-area-error');
		is(await e.textContent('#f-area-error'), 'required', 'an empty required field: said next to it');
		is(await e.textContent('#f-targeted-error'), 'at least 0', 'a negative number of people: said next to it');
		is(posts.length, nPosts, '... and nothing was sent');

		// a good activity, typed with the keyboard
		const inf0 = await af01Infrastructure(env.TOKEN_EDITOR);
		await e.fill('#f-area', '');
		await e.focus('#f-area');
		await e.keyboard.type('AF0101');
		await e.fill('#f-title', 'Water points repaired by form');
		await e.fill('#f-start', '2021-07-01');
		await e.fill('#f-end', '2021-09-30');
		await e.fill('#f-targeted', '800');
		await e.fill('#f-reached', '120');
		await e.selectOption('#f-status', '2');
		await e.selectOption('#f-releasability', 'partners');
		await e.focus('#f-reached');
		await e.keyboard.press('Enter'); // submits the form
		await waitStatus(e);
		const id = Number((/Activity (\d+) saved/.exec(await status(e)) || [])[1]);
		ok(id > 0, `the form says the activity was saved (${await status(e)})`);
		const got = await api(env.TOKEN_EDITOR, `/api/activities/${id}`);
		is(got.status, 200, '... and the API has it');
		const a = got.json;
		is([a.title, a.sector.code, a.area.pcode, a.start, a.end, a.status, a.targeted, a.reached, a.releasability, a.organisation.name].join('|'),
			'Water points repaired by form|WSH|AF0101|2021-07-01|2021-09-30|2|800|120|partners|AADA', '... with the values typed, held by the editor\'s organisation');
		const inf1 = await af01Infrastructure(env.TOKEN_EDITOR);
		is(inf1, inf0 + 1, 'the API counts it in the 3W matrix (AF01, infrastructure)');
		await e.click('#tab-coverage');
		const col = await e.$$eval('#coverage-table thead th', (ths) => ths.findIndex((t) => t.dataset.key === 'infrastructure'));
		const seen = await e
			.waitForFunction(([c, want]) => {
				const tr = document.querySelector('#coverage-table tbody tr[data-pcode="AF01"]');
				return tr && tr.children[c] && tr.children[c].textContent.split(' ')[0] === String(want);
			}, [col, inf1], { timeout: 10000 })
			.then(() => true, () => false);
		ok(seen, `the page's 3W matrix shows it (AF01, infrastructure: ${inf1})`);
		await shot(e, 'forms-coverage');

		// the same activity edited through the form, with the version read
		await e.click('#tab-forms');
		await e.fill('#form-edit-id', String(id));
		await e.click('#form-load');
		// the title names the record already since the save: the form drawn again by the load
		// has an empty status line, where the save's "saved" stood
		await e.waitForFunction((t) => document.getElementById('record-form-title').textContent.includes(t) &&
			document.getElementById('form-status').textContent === '', String(id), { timeout: 10000 });
		is(await e.inputValue('#f-title'), 'Water points repaired by form', 'Load for editing fills the form from the record');
		await e.fill('#f-reached', '450');
		await e.click('#form-save');
		await waitStatus(e);
		const edited = (await api(env.TOKEN_EDITOR, `/api/activities/${id}`)).json;
		is(`${edited.id} ${edited.reached} ${edited.title}`, `${id} 450 Water points repaired by form`, 'the edit is stored in place (same id, new figure)');
		// a stale version: someone else changed it meanwhile
		await api(env.TOKEN_EDITOR, `/api/activities/${id}`, { method: 'PUT', headers: { 'If-Match': `"${edited.version}"` }, body: JSON.stringify({ reached: 460 }) });
		await e.fill('#f-reached', '470');
		await e.click('#form-save');
		await waitError(e, '#form-error');
		ok(/changed since/.test(await e.textContent('#form-error')), 'a stale version: the server\'s 412 message is shown', await e.textContent('#form-error'));
		is((await api(env.TOKEN_EDITOR, `/api/activities/${id}`)).json.reached, 460, '... and the other edit is kept');

		// an observation
		await e.click('#form-new');
		await e.selectOption('#form-kind', 'observation');
		await e.fill('#f-indicator', 'NO-SUCH-INDICATOR');
		await e.fill('#f-area', 'AF01');
		await e.fill('#f-period_start', '2026-01-01');
		await e.fill('#f-period_end', '2025-12-31');
		await e.fill('#f-value', '1500');
		await e.click('#form-save');
		await waitError(e, '#f-period_start-error');
		is(await e.textContent('#f-period_start-error'), 'the period starts after it ends', 'observation: a period ending before it starts is refused next to its start');
		await e.fill('#f-period_start', '2025-10-01');
		await e.click('#form-save');
		await waitError(e, '#f-indicator-error');
		ok(/unknown indicator 'NO-SUCH-INDICATOR'/.test(await e.textContent('#f-indicator-error')), "observation: an unknown indicator gets the server's message next to it", await e.textContent('#f-indicator-error'));
		await e.fill('#f-indicator', 'POL-TRAINED');
		await e.selectOption('#f-confidence', 'high');
		await e.click('#form-save');
		await waitStatus(e);
		const oid = Number((/Observation (\d+) saved/.exec(await status(e)) || [])[1]);
		const o = (await api(env.TOKEN_EDITOR, `/api/observations/${oid}`)).json;
		is(o && [o.indicator, o.area, o.period_end, o.value, o.confidence].join('|'), 'POL-TRAINED|AF01|2025-12-31|1500|high', 'observation: added through the form, read back by the API');

		// feedback, marked for the organisation only
		await e.click('#form-new');
		await e.selectOption('#form-kind', 'feedback');
		await e.fill('#f-date', '2024-02-01');
		await e.fill('#f-area', 'AF01');
		await e.fill('#f-channel', 'hotline');
		await e.fill('#f-text', 'The new water point works well');
		await e.selectOption('#f-sentiment', 'positive');
		await e.selectOption('#f-releasability', 'org');
		await e.click('#form-save');
		await waitStatus(e);
		const fid = Number((/Feedback (\d+) saved/.exec(await status(e)) || [])[1]);
		const f = (await api(env.TOKEN_EDITOR, `/api/feedback/${fid}`)).json;
		is(f && [f.date, f.area, f.text, f.sentiment, f.releasability].join('|'), '2024-02-01|AF01|The new water point works well|positive|org', 'feedback: added through the form, marked org');
		is((await api(env.TOKEN_VIEWER, `/api/feedback/${fid}`)).status, 404, '... so another organisation does not see it');

		// a lesson, with a server error on a field first
		await e.click('#form-new');
		await e.selectOption('#form-kind', 'lesson');
		await e.fill('#f-title', 'Repair before you build');
		await e.fill('#f-observation', 'Broken water points were cheaper to repair than to replace.');
		await e.fill('#f-pillars', 'infrastructure');
		await e.fill('#f-areas', 'AF01');
		await e.fill('#f-date', '2024-03-01');
		await e.click('#form-save');
		await waitStatus(e);
		const lid = Number((/Lesson (\d+) saved/.exec(await status(e)) || [])[1]);
		const l = (await api(env.TOKEN_EDITOR, `/api/lessons/${lid}`)).json;
		is(l && [l.title, l.date, l.releasability].join('|'), 'Repair before you build|2024-03-01|public', 'lesson: added through the form');
		await shot(e, 'forms-lesson');

		// a viewer: no forms
		const v = await open('viewer', env.TOKEN_VIEWER);
		await v.waitForSelector('#tab-map[aria-selected="true"]', { timeout: 15000 });
		await v.waitForFunction(() => document.getElementById('tab-activities') !== null);
		is(await v.$eval('#tab-forms', (t) => t.hidden), true, "a viewer has no 'Add / edit' tab");
		is(await v.$$eval('#view-forms form', (f) => f.length), 0, '... and no form on the page');
		is((await api(env.TOKEN_VIEWER, '/api/activities', { method: 'POST', body: JSON.stringify({ sector: 'WASH', area: 'AF0101' }) })).status, 403, '... and the API refuses its writes (403)');

		is(problems.join('\n'), '', 'no console error on any page');
	} finally {
		await browser.close();
	}
}

main().then(finish, (x) => {
	ok(false, 'the browser tests ran to the end', x && x.stack ? x.stack : String(x));
	finish();
});
