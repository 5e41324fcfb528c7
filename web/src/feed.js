// The live feed: GET /api/feed as Server-Sent Events read through fetch(), since EventSource
// cannot send the Authorization header. Each event's id is a change-log id; after a dropped
// connection the stream resumes with Last-Event-ID, so no change is missed or seen twice.

import { authHeaders } from './api.js';

export class Feed {
	constructor(onEntry, onState) {
		this.onEntry = onEntry;
		this.onState = onState || (() => {});
		this.lastId = null;
		this.ctrl = null;
		this.stopped = true;
		this.retryMs = 1000;
		this.onUnauthorized = null;
	}

	start() {
		this.stopped = false;
		this.connect();
	}

	stop() {
		this.stopped = true;
		if (this.ctrl) this.ctrl.abort();
		this.ctrl = null;
		this.onState('offline');
	}

	async connect() {
		if (this.stopped) return;
		this.ctrl = new AbortController();
		const headers = authHeaders({ Accept: 'text/event-stream' });
		if (this.lastId !== null) headers['Last-Event-ID'] = String(this.lastId);
		try {
			const r = await fetch('/api/feed', { headers, signal: this.ctrl.signal, cache: 'no-store' });
			if (r.status === 401) {
				// the token was revoked or expired: no use trying again
				this.stop();
				if (this.onUnauthorized) this.onUnauthorized();
				return;
			}
			if (!r.ok || !r.body) throw new Error('feed: HTTP ' + r.status);
			this.onState('live');
			this.retryMs = 1000;
			await this.read(r.body.getReader());
		} catch (e) {
			if (this.stopped) return;
		}
		if (this.stopped) return;
		this.onState('reconnecting');
		setTimeout(() => this.connect(), this.retryMs);
		this.retryMs = Math.min(this.retryMs * 2, 15000);
	}

	async read(reader) {
		const dec = new TextDecoder();
		let buf = '';
		for (;;) {
			const { value, done } = await reader.read();
			if (done) return;
			buf += dec.decode(value, { stream: true });
			let cut;
			while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
				const block = buf.slice(0, cut);
				buf = buf.slice(cut).replace(/^\r?\n\r?\n/, '');
				this.event(block);
			}
		}
	}

	event(block) {
		let id = null;
		let type = 'message';
		const data = [];
		for (const line of block.split(/\r?\n/)) {
			if (!line || line[0] === ':') continue; // a comment: the keep-alive
			const colon = line.indexOf(':');
			const field = colon < 0 ? line : line.slice(0, colon);
			let value = colon < 0 ? '' : line.slice(colon + 1);
			if (value[0] === ' ') value = value.slice(1);
			if (field === 'id') id = value;
			else if (field === 'event') type = value;
			else if (field === 'data') data.push(value);
		}
		if (id !== null) this.lastId = id;
		if (type !== 'change' || !data.length) return;
		try {
			this.onEntry(JSON.parse(data.join('\n')));
		} catch (e) {
			/* not JSON: ignore it */
		}
	}
}
