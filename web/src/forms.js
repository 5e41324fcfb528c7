// Forms to add and edit activities, observations, feedback and lessons (editors and above; a
// viewer gets no "Add / edit" tab). Each field has its label and an error line next to it:
// values are checked here first (required fields, dates, numbers) and again by the server,
// whose error ({error:{code,message,field}}) is shown next to the field it names. An edit
// loads the record by id and sends the version read as If-Match.

const RELS = ['public', 'partners', 'org'];
const ROLES = ['viewer', 'editor', 'coordinator', 'admin'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

// A field: name (the API's), label, type (text, textarea, date, number, select), and checks.
const KINDS = {
	activity: {
		label: 'Activity',
		path: '/api/activities',
		fields: [
			{ name: 'organisation', label: 'Organisation', help: 'yours when left empty' },
			{ name: 'sector', label: 'Sector or cluster', required: true, help: 'an IASC cluster (WASH, HEA…) or DAC code' },
			{ name: 'area', label: 'Area (P-code)', required: true },
			{ name: 'title', label: 'Title' },
			{ name: 'description', label: 'Description', type: 'textarea' },
			{ name: 'start', label: 'Start', type: 'date' },
			{ name: 'end', label: 'End', type: 'date' },
			{ name: 'status', label: 'Status', type: 'select', options: [['', '(not given)'], ['1', 'Pipeline'], ['2', 'Implementation'], ['3', 'Finalisation'], ['4', 'Closed'], ['5', 'Cancelled'], ['6', 'Suspended']] },
			{ name: 'targeted', label: 'People targeted', type: 'number', min: 0 },
			{ name: 'reached', label: 'People reached', type: 'number', min: 0 },
			{ name: 'budget', label: 'Budget', type: 'number', min: 0 },
			{ name: 'currency', label: 'Currency', pattern: /^[A-Z]{3}$/, patternText: 'three capital letters (USD, EUR…)' },
			{ name: 'lat', label: 'Site latitude', type: 'number', min: -90, max: 90 },
			{ name: 'lon', label: 'Site longitude', type: 'number', min: -180, max: 180 },
		],
		// the record as GET answers it → the form's values
		load: (a) => ({
			organisation: a.organisation && a.organisation.name,
			sector: a.sector && a.sector.code,
			area: a.area && a.area.pcode,
			title: a.title,
			description: a.description,
			start: a.start,
			end: a.end,
			status: a.status,
			targeted: a.targeted,
			reached: a.reached,
			budget: a.budget,
			currency: a.currency,
			lat: a.site && a.site.exact ? a.site.lat : null,
			lon: a.site && a.site.exact ? a.site.lon : null,
			releasability: a.releasability,
		}),
		check: (v) => (v.start && v.end && v.end < v.start ? { end: 'the end is before the start' } : {}),
	},
	observation: {
		label: 'Observation',
		path: '/api/observations',
		fields: [
			{ name: 'indicator', label: 'Indicator (code)', required: true },
			{ name: 'area', label: 'Area (P-code)' },
			{ name: 'sex', label: 'Sex', type: 'select', options: [['', 'total'], ['female', 'female'], ['male', 'male']] },
			{ name: 'age_group', label: 'Age group' },
			{ name: 'period_start', label: 'Period start', type: 'date' },
			{ name: 'period_end', label: 'Period end', type: 'date', required: true },
			{ name: 'value', label: 'Value', type: 'number' },
			{ name: 'source', label: 'Source' },
			{ name: 'confidence', label: 'Confidence', type: 'select', options: [['', '(not given)'], ['high', 'high'], ['medium', 'medium'], ['low', 'low']] },
		],
		load: (o) => Object.assign({}, o),
		check: (v) => (v.period_start && v.period_end && v.period_start > v.period_end ? { period_start: 'the period starts after it ends' } : {}),
	},
	feedback: {
		label: 'Feedback',
		path: '/api/feedback',
		fields: [
			{ name: 'date', label: 'Date', type: 'date', required: true },
			{ name: 'area', label: 'Area (P-code or name)' },
			{ name: 'channel', label: 'Channel', help: 'hotline, meeting, SMS…' },
			{ name: 'organisation', label: 'Received by' },
			{ name: 'text', label: 'What was said', type: 'textarea', required: true },
			{ name: 'category', label: 'Category' },
			{ name: 'sentiment', label: 'Sentiment', type: 'select', options: [['', '(not given)'], ['positive', 'positive'], ['neutral', 'neutral'], ['negative', 'negative']] },
		],
		load: (f) => Object.assign({}, f),
		check: () => ({}),
	},
	lesson: {
		label: 'Lesson',
		path: '/api/lessons',
		fields: [
			{ name: 'title', label: 'Title', required: true },
			{ name: 'observation', label: 'Observation', type: 'textarea', required: true },
			{ name: 'discussion', label: 'Discussion', type: 'textarea' },
			{ name: 'conclusion', label: 'Conclusion', type: 'textarea' },
			{ name: 'recommendation', label: 'Recommendation', type: 'textarea' },
			{ name: 'pillars', label: 'Pillars', help: 'comma-separated', list: true },
			{ name: 'areas', label: 'Areas (P-codes)', help: 'comma-separated', list: true },
			{ name: 'tags', label: 'Tags', help: 'comma-separated', list: true },
			{ name: 'date', label: 'Date', type: 'date' },
			{ name: 'source', label: 'Source' },
			{ name: 'status', label: 'Status', type: 'select', options: [['observed', 'observed'], ['analysed', 'analysed'], ['action-assigned', 'action assigned'], ['implemented', 'implemented'], ['validated', 'validated']] },
		],
		load: (l) => Object.assign({}, l),
		check: () => ({}),
		// its marking changes with PUT /api/lessons/{id}/marking, not with the lesson
		markingOnCreateOnly: true,
	},
};

function el(tag, attrs = {}, ...kids) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (v === undefined || v === null || v === false) continue;
		if (k === 'text') e.textContent = v;
		else e.setAttribute(k, v === true ? '' : v);
	}
	e.append(...kids);
	return e;
}

// The tab and its panel, added before the tabs are set up (main.js calls this first).
export function addFormsTab() {
	const nav = document.querySelector('nav.tabs');
	const app = document.getElementById('app');
	if (!nav || !app || document.getElementById('tab-forms')) return;
	nav.append(el('button', { role: 'tab', id: 'tab-forms', 'aria-controls': 'view-forms', 'aria-selected': 'false', tabindex: '-1', hidden: true, text: 'Add / edit' }));
	app.append(el('section', { id: 'view-forms', class: 'view', role: 'tabpanel', 'aria-labelledby': 'tab-forms', hidden: true }));
}

export class Forms {
	// api, ApiError: the client (api.js); onSaved(kind, record): after every successful write
	constructor(api, ApiError, onSaved) {
		this.api = api;
		this.ApiError = ApiError;
		this.onSaved = onSaved || (() => {});
		this.box = document.getElementById('view-forms');
		this.kind = 'activity';
		this.editing = null; // { id, version } of the record being edited, null: a new one
	}

	// Shows the tab to editors and above; a viewer has none.
	start(me) {
		this.me = me;
		const tab = document.getElementById('tab-forms');
		const may = ROLES.indexOf(me.role) >= 1;
		if (tab) tab.hidden = !may;
		if (may) this.render();
		else if (this.box) this.box.textContent = '';
	}

	render() {
		const k = KINDS[this.kind];
		this.box.textContent = '';
		const kindSel = el('select', { id: 'form-kind' });
		for (const [key, d] of Object.entries(KINDS)) kindSel.add(new Option(d.label, key, false, key === this.kind));
		kindSel.addEventListener('change', () => {
			this.kind = kindSel.value;
			this.editing = null;
			this.render();
			document.getElementById('form-kind').focus();
		});
		const idIn = el('input', { id: 'form-edit-id', type: 'number', min: '1', step: '1', inputmode: 'numeric', 'aria-describedby': 'form-edit-id-error' });
		const idErr = el('span', { id: 'form-edit-id-error', class: 'error', role: 'alert' });
		const loadBtn = el('button', { type: 'button', id: 'form-load', text: 'Load for editing' });
		const newBtn = el('button', { type: 'button', id: 'form-new', text: 'New' });
		loadBtn.addEventListener('click', () => this.load(idIn.value.trim()));
		idIn.addEventListener('keydown', (e) => {
			if (e.key === 'Enter') {
				e.preventDefault();
				this.load(idIn.value.trim());
			}
		});
		newBtn.addEventListener('click', () => {
			this.editing = null;
			this.render();
		});
		this.box.append(
			el('div', { class: 'controls' },
				el('label', { for: 'form-kind', text: 'Record' }), kindSel,
				el('label', { for: 'form-edit-id', text: 'Edit the record with id' }), idIn, loadBtn, newBtn, idErr),
		);

		const form = el('form', { id: 'record-form', class: 'record-form', novalidate: true, 'aria-labelledby': 'record-form-title' });
		form.append(el('h2', { id: 'record-form-title', tabindex: '-1', text: this.editing ? `Edit ${k.label.toLowerCase()} ${this.editing.id}` : `New ${k.label.toLowerCase()}` }));
		const grid = el('div', { class: 'form-grid' });
		for (const f of k.fields) grid.append(this.fieldRow(f));
		const relDisabled = k.markingOnCreateOnly && this.editing;
		grid.append(this.fieldRow({ name: 'releasability', label: 'Who may see it', type: 'select', options: RELS.map((r) => [r, r]), help: relDisabled ? 'change it with the record\'s marking' : 'public, the mission\'s partners, or your organisation only', disabled: relDisabled }));
		form.append(grid);
		const status = el('p', { id: 'form-status', class: 'form-status', role: 'status', 'aria-live': 'polite' });
		const formErr = el('p', { id: 'form-error', class: 'error', role: 'alert' });
		form.append(el('div', { class: 'form-actions' }, el('button', { type: 'submit', id: 'form-save', text: this.editing ? 'Save changes' : `Add ${k.label.toLowerCase()}` })), formErr, status);
		form.addEventListener('submit', (e) => {
			e.preventDefault();
			this.submit().catch((x) => this.showError(x));
		});
		this.box.append(form);
		if (this.editing) this.fill(this.editing.values);
		else this.input('releasability').value = this.kind === 'activity' ? 'partners' : 'public';
	}

	fieldRow(f) {
		const id = `f-${f.name}`;
		const errId = `${id}-error`;
		const helpId = f.help ? `${id}-help` : null;
		const describedby = [helpId, errId].filter(Boolean).join(' ');
		let input;
		if (f.type === 'textarea') {
			input = el('textarea', { id, name: f.name, rows: '3', required: f.required, 'aria-describedby': describedby });
		} else if (f.type === 'select') {
			input = el('select', { id, name: f.name, 'aria-describedby': describedby, disabled: f.disabled });
			for (const [v, t] of f.options) input.add(new Option(t, v));
		} else {
			input = el('input', {
				id,
				name: f.name,
				type: f.type === 'date' ? 'date' : f.type === 'number' ? 'number' : 'text',
				step: f.type === 'number' ? 'any' : undefined,
				min: f.min,
				max: f.max,
				required: f.required,
				autocomplete: 'off',
				'aria-describedby': describedby,
			});
		}
		const label = el('label', { for: id, text: f.label + (f.required ? ' (required)' : '') });
		return el('div', { class: 'form-field' }, label, input,
			helpId ? el('span', { id: helpId, class: 'help', text: f.help }) : '',
			el('span', { id: errId, class: 'error field-error', role: 'alert' }));
	}

	input(name) {
		return this.box.querySelector(`#f-${name}`);
	}

	fill(values) {
		const k = KINDS[this.kind];
		for (const f of k.fields.concat([{ name: 'releasability' }])) {
			const v = values[f.name];
			const i = this.input(f.name);
			if (!i) continue;
			i.value = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v);
		}
	}

	clearErrors() {
		for (const e of this.box.querySelectorAll('.field-error, #form-error')) e.textContent = '';
		for (const i of this.box.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
		this.box.querySelector('#form-status').textContent = '';
	}

	// The message next to field (its error line), or under the form when no field has that name.
	fieldError(field, message) {
		const i = field && this.input(field);
		const line = i && this.box.querySelector(`#f-${field}-error`);
		if (line) {
			line.textContent = message;
			i.setAttribute('aria-invalid', 'true');
			return i;
		}
		this.box.querySelector('#form-error').textContent = (field ? field + ': ' : '') + message;
		return null;
	}

	showError(x) {
		if (x instanceof this.ApiError) {
			const text = x.status === 412 ? `${x.message}: load the record again to read its new version` : x.status === 403 ? `Not allowed: ${x.message}` : x.message;
			const i = this.fieldError(x.status === 412 ? null : x.field, text);
			if (i) i.focus();
		} else {
			this.box.querySelector('#form-error').textContent = String(x.message || x);
		}
	}

	// The form's values as the API's body (empty text: null), and the browser's checks.
	values() {
		const k = KINDS[this.kind];
		const body = {};
		const errors = {};
		for (const f of k.fields) {
			const i = this.input(f.name);
			const raw = i.value.trim();
			if (f.required && !raw) {
				errors[f.name] = 'required';
				continue;
			}
			if (!raw) {
				body[f.name] = f.list ? [] : null;
				continue;
			}
			if (f.type === 'date' && !DATE.test(raw)) errors[f.name] = 'a date (YYYY-MM-DD)';
			else if (f.type === 'number') {
				const n = Number(raw);
				if (!Number.isFinite(n) || (i.validity && i.validity.badInput)) errors[f.name] = 'a number';
				else if (f.min !== undefined && n < f.min) errors[f.name] = `at least ${f.min}`;
				else if (f.max !== undefined && n > f.max) errors[f.name] = `at most ${f.max}`;
				else body[f.name] = n;
				continue;
			} else if (f.pattern && !f.pattern.test(raw)) errors[f.name] = f.patternText;
			body[f.name] = f.list ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
		}
		for (const [n, m] of Object.entries(k.check(body))) if (!errors[n]) errors[n] = m;
		const rel = this.input('releasability');
		if (!rel.disabled) body.releasability = rel.value;
		return { body, errors };
	}

	async submit() {
		const k = KINDS[this.kind];
		this.clearErrors();
		const { body, errors } = this.values();
		const bad = Object.entries(errors);
		if (bad.length) {
			for (const [n, m] of bad) this.fieldError(n, m);
			this.input(bad[0][0]).focus();
			return;
		}
		const rec = this.editing
			? await this.api(`${k.path}/${this.editing.id}`, { method: 'PUT', headers: { 'If-Match': `"${this.editing.version}"` }, body })
			: await this.api(k.path, { method: 'POST', body });
		const what = `${k.label} ${rec.id}`;
		if (rec.visible === false) {
			this.editing = null;
			this.render();
			this.box.querySelector('#form-status').textContent = `${what} saved; you no longer see it.`;
		} else {
			this.editing = { id: rec.id, version: rec.version, values: k.load(rec) };
			this.render();
			this.box.querySelector('#form-status').textContent = `${what} saved.`;
		}
		this.box.querySelector('#record-form-title').focus();
		this.onSaved(this.kind, rec);
	}

	async load(id) {
		const k = KINDS[this.kind];
		const err = this.box.querySelector('#form-edit-id-error');
		err.textContent = '';
		if (!/^[1-9][0-9]*$/.test(id)) {
			err.textContent = 'a record id (a whole number)';
			return;
		}
		try {
			const rec = await this.api(`${k.path}/${id}`);
			this.editing = { id: rec.id, version: rec.version, values: k.load(rec) };
			this.render();
			this.box.querySelector('#record-form-title').focus();
		} catch (x) {
			this.box.querySelector('#form-edit-id-error').textContent = x.message;
		}
	}
}
