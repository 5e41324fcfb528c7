/*
 * Webhook delivery: one thread, started and stopped with the server, with its own store
 * handle. Every CC__HOOK_POLL_MS it takes each active webhook in turn, reads the change log
 * after the webhook's cursor for the webhook's organisation (the handle's viewer is set to it,
 * so the entries are exactly those that organisation may see, as the live feed shows them) and
 * POSTs them one by one (libcurl). An entry answered 2xx moves the cursor past it; any other
 * outcome is recorded and the webhook waits 1 s, 2 s, 4 s … (at most 60 s) before the same
 * entry is tried again, so a receiver gets each entry once it acknowledges it, in order. The
 * cursor is kept in the store, so a restarted server goes on where the last one stopped.
 * Every attempt is a row of the delivery log.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include <concord/alloc.h>
#include <concord/feed.h>
#include <concord/sharing.h>
#include <concord/webhooks.h>

#include "server/server.h"

#include "core/banned.h"

#define CC__HOOK_POLL_MS     200
#define CC__HOOK_BATCH       50
#define CC__HOOK_BACKOFF_MS  1000
#define CC__HOOK_BACKOFF_MAX 60000
#define CC__HOOK_CONNECT_MS  2000
#define CC__HOOK_TIMEOUT_MS  5000

/* A webhook's retry state, kept while the server runs. */
struct hook_state {
	int64_t id;
	unsigned failures; /* consecutive failed attempts */
	uint64_t next_ms;  /* no attempt before this */
	bool seen;         /* still active in the last round */
};

struct cc__webhooks {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	atomic_bool stopping;
	pthread_t thread;
	bool running;
	bool any_host;
	bool curl_init;
	char *store_uri;
	struct cc_store *st; /* the thread's own handle, opened by the thread */
	CURL *curl;
	struct hook_state *states;
	size_t n_states, cap_states;
};

static atomic_bool any_host_flag;

bool cc__webhooks_any_host(void)
{
	return atomic_load(&any_host_flag);
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static struct hook_state *state_of(struct cc__webhooks *w, int64_t id)
{
	for (size_t i = 0; i < w->n_states; i++)
		if (w->states[i].id == id)
			return &w->states[i];
	if (w->n_states == w->cap_states) {
		size_t cap = w->cap_states ? 2 * w->cap_states : 16;
		struct hook_state *p = cc_realloc(w->states, cap * sizeof(*p));

		if (!p)
			return NULL;
		w->states = p;
		w->cap_states = cap;
	}
	w->states[w->n_states] = (struct hook_state){ .id = id };
	return &w->states[w->n_states++];
}

/* Forgets the states of webhooks no longer active. */
static void prune_states(struct cc__webhooks *w)
{
	size_t n = 0;

	for (size_t i = 0; i < w->n_states; i++) {
		if (w->states[i].seen) {
			w->states[i].seen = false;
			w->states[n++] = w->states[i];
		}
	}
	w->n_states = n;
}

static size_t discard(char *p, size_t size, size_t n, void *cls)
{
	(void)p;
	(void)cls;
	return size * n;
}

/* Cuts a transfer short when the server stops. */
static int on_progress(void *cls, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct cc__webhooks *w = cls;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return atomic_load(&w->stopping) ? 1 : 0;
}

/* POSTs body; fills d's status, error and duration. */
static void post(struct cc__webhooks *w, const struct cc_webhook *h, const char *secret,
                 int64_t event, const struct cc_buf *body, struct cc_webhook_delivery *d)
{
	char errbuf[CURL_ERROR_SIZE] = "", sig[CC_WEBHOOK_SIG_LEN], hdr[2][128];
	/* "Expect:" turns off libcurl's Expect: 100-continue */
	const char *const lines[] = { "Content-Type: application/json", hdr[0], hdr[1], "Expect:" };
	struct curl_slist *headers = NULL, *l;
	struct cc_err err = { 0 };
	uint64_t t0 = now_ms();
	long status = 0;
	CURLcode rc;

	if (cc_webhook_check_url(h->url, w->any_host, &err) < 0) {
		snprintf(d->error, sizeof(d->error), "%s", err.msg);
		return;
	}
	cc_webhook_sign(secret, body->buf, body->len, sig);
	snprintf(hdr[0], sizeof(hdr[0]), "X-Concord-Event-Id: %lld", (long long)event);
	snprintf(hdr[1], sizeof(hdr[1]), "X-Concord-Signature: %s", sig);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (!(l = curl_slist_append(headers, lines[i]))) {
			curl_slist_free_all(headers);
			snprintf(d->error, sizeof(d->error), "out of memory");
			return;
		}
		headers = l;
	}
	curl_easy_reset(w->curl);
	curl_easy_setopt(w->curl, CURLOPT_URL, h->url);
	curl_easy_setopt(w->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)CC__HOOK_CONNECT_MS);
	curl_easy_setopt(w->curl, CURLOPT_TIMEOUT_MS, (long)CC__HOOK_TIMEOUT_MS);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, body->buf);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	curl_easy_setopt(w->curl, CURLOPT_USERAGENT, "concord/" CC_VERSION " webhooks");
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(w->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(w->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(w->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(w->curl, CURLOPT_XFERINFODATA, w);
	rc = curl_easy_perform(w->curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &status);
	d->duration_ms = (int64_t)(now_ms() - t0);
	d->status = (int)status;
	if (rc != CURLE_OK)
		snprintf(d->error, sizeof(d->error), "%s",
		         errbuf[0] ? errbuf : curl_easy_strerror(rc));
	else if (status < 200 || status > 299)
		snprintf(d->error, sizeof(d->error), "answered HTTP %ld", status);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
}

/* The wait after the n-th failure in a row (n >= 1): 1 s, 2 s, 4 s … at most 60 s. */
static uint64_t backoff_ms(unsigned n)
{
	uint64_t delay = CC__HOOK_BACKOFF_MS;

	for (unsigned i = 1; i < n && delay < CC__HOOK_BACKOFF_MAX; i++)
		delay *= 2;
	return delay < CC__HOOK_BACKOFF_MAX ? delay : CC__HOOK_BACKOFF_MAX;
}

static void failed(struct hook_state *s)
{
	s->failures++;
	s->next_ms = now_ms() + backoff_ms(s->failures);
}

/* Sends what is pending for one webhook, until it is done, a delivery fails or we stop. */
static void deliver(struct cc__webhooks *w, int64_t id, struct hook_state *s)
{
	struct cc_feed_entry e[CC__HOOK_BATCH];
	struct cc_buf body = CC_BUF_INIT(0);
	char secret[CC_WEBHOOK_SECRET_HEX];
	struct cc_webhook h;
	struct cc_viewer v;
	struct cc_err err = { 0 };
	int64_t next = 0;
	size_t n = 0;
	bool all = true;

	secret[0] = '\0';
	if (cc_store_get_webhook(w->st, id, &h, secret, &err) < 0 || !h.active ||
	    cc_store_org_viewer(w->st, h.mission_id, h.org_id, &v, &err) < 0) {
		sodium_memzero(secret, sizeof(secret));
		return;
	}
	cc_store_set_viewer(w->st, &v);
	if (cc_store_read_feed(w->st, h.cursor, CC__HOOK_BATCH, e, &n, &next, &err) < 0) {
		n = 0; /* a busy store: next round */
		all = false;
	}
	cc_store_set_viewer(w->st, NULL);
	for (size_t i = 0; i < n && !atomic_load(&w->stopping); i++) {
		struct cc_webhook_delivery d = { .webhook_id = h.id, .change_id = e[i].id };

		body.len = 0;
		if (cc_feed_entry_json(&e[i], &body) < 0) {
			all = false;
			break;
		}
		post(w, &h, secret, e[i].id, &body, &d);
		(void)cc_store_log_delivery(w->st, &d, &err);
		if (d.error[0]) {
			failed(s);
			all = false;
			break;
		}
		s->failures = 0;
		s->next_ms = 0;
		if (cc_store_webhook_advance(w->st, h.id, e[i].id, &err) < 0) {
			all = false; /* sent again next round: a receiver keys on the event id */
			break;
		}
	}
	if (all && !atomic_load(&w->stopping) && next > h.cursor)
		(void)cc_store_webhook_advance(w->st, h.id, next, &err);
	sodium_memzero(secret, sizeof(secret));
	cc_buf_release(&body);
}

static void round_robin(struct cc__webhooks *w)
{
	struct cc_webhook *hooks = NULL;
	struct cc_err err = { 0 };
	size_t n = 0;
	uint64_t now = now_ms();

	if (cc_store_list_webhooks(w->st, 0, 0, true, &hooks, &n, &err) < 0)
		return;
	for (size_t i = 0; i < n && !atomic_load(&w->stopping); i++) {
		struct hook_state *s = state_of(w, hooks[i].id);

		if (!s)
			break;
		s->seen = true;
		if (now >= s->next_ms)
			deliver(w, hooks[i].id, s);
	}
	cc_free(hooks);
	prune_states(w);
}

static void *run(void *cls)
{
	struct cc__webhooks *w = cls;

	for (;;) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += CC__HOOK_POLL_MS * 1000L * 1000L;
		if (until.tv_nsec >= 1000L * 1000L * 1000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000L * 1000L * 1000L;
		}
		pthread_mutex_lock(&w->lock);
		while (!atomic_load(&w->stopping) &&
		       pthread_cond_timedwait(&w->wake, &w->lock, &until) == 0)
			;
		pthread_mutex_unlock(&w->lock);
		if (atomic_load(&w->stopping))
			return NULL;
		/* opened here, not at start: a store that cannot be opened now is tried again */
		if (!w->st && cc_store_open(&w->st, w->store_uri,
		                            &(struct cc_store_opts){ .who = "webhooks" }, NULL) < 0)
			continue;
		round_robin(w);
	}
}

int cc__webhooks_start(struct cc__webhooks **out, const char *store_uri, bool any_host,
                       struct cc_err *err)
{
	struct cc__webhooks *w = cc_calloc(1, sizeof(*w));
	int ret = 0;

	*out = NULL;
	if (!w)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	w->any_host = any_host;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		ret = cc_err_set(err, CC_EIO, "cannot initialise libcurl");
	else
		w->curl_init = true;
	if (ret == 0 && !(w->curl = curl_easy_init()))
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	if (ret == 0 && !(w->store_uri = cc_strdup(store_uri)))
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	if (ret == 0 && pthread_create(&w->thread, NULL, run, w) != 0)
		ret = cc_err_set(err, CC_EIO, "cannot start the webhook delivery thread");
	if (ret < 0) {
		cc__webhooks_free(w);
		return ret;
	}
	w->running = true;
	atomic_store(&any_host_flag, any_host);
	*out = w;
	return 0;
}

void cc__webhooks_free(struct cc__webhooks *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	atomic_store(&w->stopping, true);
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	if (w->running)
		pthread_join(w->thread, NULL);
	w->running = false;
	cc_store_close(w->st);
	cc_free(w->store_uri);
	if (w->curl)
		curl_easy_cleanup(w->curl);
	if (w->curl_init)
		curl_global_cleanup();
	cc_free(w->states);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	cc_free(w);
}
