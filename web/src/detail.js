// One activity: its fields, and for editors the forms that change who may see it (marking,
// sharing with an organisation by name). Values are checked here first and again by the
// server; the server's error is shown next to the field it names.

import { api, ApiError } from './api.js';

const RELS = ['public', 'partners', 'org'];
const ROLES = ['viewer', 'editor', 'coordinator', 'admin'];

function el(tag, attrs = {}, ...kids) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (k === 'text') e.textContent = v;
		else e.setAttribute(k, v);
	}
	e.append(...kids);
	return e;
}

export class ActivityDetail {
	constructor(box, me, onChanged) {
		this.box = box;
		this.me = me;
		this.onChanged = onChanged;
		this.rec = null;
	}

	close() {
		this.rec = null;
		this.box.hidden = true;
		this.box.textContent = '';
	}

	async open(id) {
		this.rec = await api(`/api/activities/${encodeURIComponent(id)}`);
		this.render();
		this.box.hidden = false;
		this.box.querySelector('h3').focus();
	}

	render() {
		const a = this.rec;
		this.box.textContent = '';
		const h = el('h3', { tabindex: '-1', text: a.title || '(untitled)' });
		const close = el('button', { type: 'button', class: 'close', 'aria-label': 'Close the activity', text: '×' });
		close.addEventListener('click', () => this.close());
		const dl = el('dl', { class: 'fields' });
		const add = (k, v) => {
			if (v === null || v === undefined || v === '') return;
			dl.append(el('dt', { text: k }), el('dd', { text: String(v) }));
		};
		add('Organisation', a.organisation && a.organisation.name);
		add('Implementer', a.implementer);
		add('Funder', a.funder);
		add('Sector', a.sector && `${a.sector.name} (${a.sector.code})`);
		add('Pillar', a.pillar);
		add('Area', a.area && `${a.area.name} (${a.area.pcode})`);
		add('Period', `${a.start || '?'} to ${a.end || '?'}`);
		add('Targeted', a.targeted);
		add('Reached', a.reached);
		add('Status', a.status);
		add('Releasability', a.releasability + (a.deny && a.deny.length ? `, not for ${a.deny.join(', ')}` : ''));
		add('Owner', a.owner);
		add('Source', `${a.source}, line ${a.line}`);
		this.box.append(el('div', { class: 'detail-head' }, h, close), dl);
		if (ROLES.indexOf(this.me.role) >= 1) this.box.append(this.markingForm(), this.shareForm());
	}

	markingForm() {
		const a = this.rec;
		const sel = el('select', { id: 'mk-rel', name: 'releasability', 'aria-describedby': 'mk-rel-error' });
		for (const r of RELS) sel.add(new Option(r, r, false, r === a.releasability));
		const err = el('p', { id: 'mk-rel-error', class: 'error', role: 'alert' });
		const f = el('form', { id: 'marking-form', class: 'inline-form', novalidate: '' },
			el('label', { for: 'mk-rel', text: 'Who may see it' }), sel,
			el('button', { type: 'submit', text: 'Save marking' }), err);
		f.addEventListener('submit', async (e) => {
			e.preventDefault();
			err.textContent = '';
			if (!RELS.includes(sel.value)) {
				err.textContent = 'choose public, partners or org';
				return;
			}
			try {
				const r = await api(`/api/activities/${a.id}/marking`, {
					method: 'PUT',
					headers: { 'If-Match': `"${a.version}"` },
					body: { releasability: sel.value },
				});
				if (r.visible === false) {
					this.close();
				} else {
					this.rec = r;
					this.render();
					this.box.querySelector('#mk-rel-error').textContent = 'Saved.';
				}
				this.onChanged();
			} catch (x) {
				this.fieldError(x, { releasability: err, 'If-Match': err }, err);
			}
		});
		return f;
	}

	shareForm() {
		const a = this.rec;
		const input = el('input', { id: 'mk-org', name: 'org', type: 'text', required: '', autocomplete: 'off', 'aria-describedby': 'mk-org-error', placeholder: 'organisation' });
		const err = el('p', { id: 'mk-org-error', class: 'error', role: 'alert' });
		const f = el('form', { id: 'share-form', class: 'inline-form', novalidate: '' },
			el('label', { for: 'mk-org', text: 'Share with' }), input,
			el('button', { type: 'submit', text: 'Share' }), err);
		f.addEventListener('submit', async (e) => {
			e.preventDefault();
			err.textContent = '';
			input.removeAttribute('aria-invalid');
			const org = input.value.trim();
			if (!org) {
				input.setAttribute('aria-invalid', 'true');
				err.textContent = 'name an organisation';
				return;
			}
			try {
				await api(`/api/activities/${a.id}/shares`, { method: 'POST', body: { org } });
				err.textContent = `Shared with ${org}.`;
				input.value = '';
				this.onChanged();
			} catch (x) {
				input.setAttribute('aria-invalid', 'true');
				this.fieldError(x, { org: err }, err);
			}
		});
		return f;
	}

	// The server's message next to the field it names (else next to the form's button).
	fieldError(x, byField, fallback) {
		const where = (x instanceof ApiError && x.field && byField[x.field]) || fallback;
		where.textContent = x instanceof ApiError && x.status === 412 ? `${x.message}: reopen the activity to read its new version` : x.message;
	}
}
