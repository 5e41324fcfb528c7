/*
 * The live feed over HTTP: GET /api/feed as Server-Sent Events, or as a JSON page.
 *
 * The change log is the only source: a subscriber's connection reads the entries after its
 * cursor through its own request's store handle (which reads for the caller, so it sees only
 * what the caller may see) and sends each as an event whose id is the entry's id, so a client
 * that reconnects with Last-Event-ID resumes exactly where it stopped. With nothing to send,
 * the connection is suspended (it costs no thread); one poller thread watches the head of the
 * change log — whoever wrote it, this server, another server or the command line — and resumes
 * every subscriber that is behind, and each one idle for CC__FEED_KEEPALIVE_MS so that it can
 * send a keep-alive comment through proxies.
 *
 * Where the store announces commits (PostgreSQL: NOTIFY concord_feed with each append, see
 * cc_store_wait_change), the poller waits on that announcement, so a change made through
 * another server wakes it at once; its round every CC__FEED_POLL_MS remains as the fallback
 * (and is all there is on SQLite, or with CONCORD_FEED_NOTIFY=off in the environment).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include <concord/alloc.h>
#include <concord/feed.h>
#include <concord/sharing.h>
#include <concord/text.h>

#include "server/server.h"

#include "core/banned.h"

#define CC__FEED_POLL_MS      200
#define CC__FEED_KEEPALIVE_MS 15000
#define CC__FEED_BATCH        100

struct sub {
	struct cc__feed *f;
	struct MHD_Connection *c;
	struct cc_store *st; /* the request's handle, reading for the caller */
	struct cc_viewer v;
	atomic_int_fast64_t cursor;   /* the last entry examined (read by the poller) */
	bool suspended;               /* under f->lock */
	struct cc_buf out;            /* events not yet handed to libmicrohttpd */
	size_t off;
	atomic_uint_fast64_t last_ms; /* when it last sent something (read by the poller) */
	struct sub *next;    /* under f->lock */
};

struct cc__feed {
	pthread_mutex_t lock;
	struct sub *subs;
	atomic_bool stopping;
	pthread_t poller;
	bool poller_running;
	/* a write of this server asks the poller to look now rather than at its next round */
	pthread_cond_t wake; /* with lock */
	bool nudged;         /* under lock */
	struct cc_store *st; /* the poller's own handle */
	/* the store's announcements of commits (cc_store_wait_change): waited for with the read
	 * end of wake_fd, to which a nudge or the shutdown writes a byte */
	bool listen;
	int wake_fd[2];
};

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* ---- the entry as JSON (also `concord watch`) ---- */

int cc_feed_entry_json(const struct cc_feed_entry *e, struct cc_buf *out)
{
	int ret = cc_buf_addf(out, "{\"id\":%lld,\"at\":", (long long)e->id);

	if (ret == 0)
		ret = cc_buf_add_json_str(out, e->at);
	if (ret == 0)
		ret = cc_buf_adds(out, ",\"who\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(out, e->who);
	if (ret == 0)
		ret = cc_buf_adds(out, ",\"table\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(out, e->table);
	if (ret == 0)
		ret = cc_buf_addf(out, ",\"op\":\"%s\",\"record\":", e->op);
	if (ret == 0)
		ret = e->record_id ? cc_buf_addf(out, "%lld", (long long)e->record_id)
		                   : cc_buf_adds(out, "null");
	if (ret == 0)
		ret = e->batch ? cc_buf_addf(out, ",\"batch\":%lld", (long long)e->batch)
		               : cc_buf_adds(out, ",\"batch\":null");
	if (ret == 0)
		ret = cc_buf_addf(out, ",\"count\":%lld,\"releasability\":", (long long)e->count);
	if (ret == 0)
		ret = cc_buf_add_json_str(out, e->releasability);
	if (ret == 0)
		ret = cc_buf_adds(out, ",\"detail\":");
	if (ret == 0)
		ret = e->detail[0] ? cc_buf_add_json_str(out, e->detail) : cc_buf_adds(out, "null");
	if (ret == 0)
		ret = cc_buf_addch(out, '}');
	return ret;
}

/* ---- the JSON page: GET /api/feed?after=N&limit=N ---- */

int cc__api_feed_page(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_feed_entry *e;
	const char *v;
	int64_t after = 0, limit = 100, next = 0;
	size_t n = 0;
	int ret;

	if ((v = cc__req_query(req, "after")) && cc_parse_i64(v, 0, INT64_MAX, &after, NULL) < 0) {
		cc_err_set(err, CC_EUSAGE, "after: '%s' is not a cursor of the feed", v);
		cc_err_at(err, NULL, 0, "after");
		return CC_EUSAGE;
	}
	if ((v = cc__req_query(req, "limit")) &&
	    cc_parse_i64(v, 1, CC_FEED_PAGE_MAX, &limit, NULL) < 0) {
		cc_err_set(err, CC_EUSAGE, "limit: '%s' is not a whole number from 1 to %d", v,
		           CC_FEED_PAGE_MAX);
		cc_err_at(err, NULL, 0, "limit");
		return CC_EUSAGE;
	}
	e = cc_alloc_array((size_t)limit, sizeof(*e));
	if (!e)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	ret = cc_store_read_feed(req->st, after, (size_t)limit, e, &n, &next, err);
	if (ret == 0)
		ret = cc_buf_addf(out, "{\"next\":%lld,\"entries\":[", (long long)next);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		if (i)
			ret = cc_buf_addch(out, ',');
		if (ret == 0)
			ret = cc_feed_entry_json(&e[i], out);
	}
	if (ret == 0)
		ret = cc_buf_adds(out, "]}\n");
	cc_free(e);
	if (ret == CC_ENOMEM)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	return ret;
}

/* ---- the stream ---- */

/* Appends the entries after the cursor as events; 0 or an error. */
static int fill(struct sub *s)
{
	struct cc_feed_entry e[CC__FEED_BATCH];
	struct cc_err err = { 0 };
	size_t n = 0;
	int64_t next = atomic_load(&s->cursor);
	int ret;

	cc_store_set_viewer(s->st, &s->v);
	ret = cc_store_read_feed(s->st, next, CC__FEED_BATCH, e, &n, &next, &err);
	if (ret < 0)
		return ret;
	atomic_store(&s->cursor, next);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		ret = cc_buf_addf(&s->out, "id: %lld\nevent: change\ndata: ", (long long)e[i].id);
		if (ret == 0)
			ret = cc_feed_entry_json(&e[i], &s->out);
		if (ret == 0)
			ret = cc_buf_adds(&s->out, "\n\n");
	}
	return ret;
}

static ssize_t read_events(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sub *s = cls;
	struct cc__feed *f = s->f;
	size_t n;

	(void)pos;
	if (s->off == s->out.len) {
		s->out.len = s->off = 0;
		if (f->stopping)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (fill(s) < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (s->out.len == 0 && now_ms() - atomic_load(&s->last_ms) >= CC__FEED_KEEPALIVE_MS &&
		    cc_buf_adds(&s->out, ": keep-alive\n\n") < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	if (s->out.len == 0) {
		/* nothing to say: park the connection until the poller sees something new */
		pthread_mutex_lock(&f->lock);
		if (f->stopping) {
			pthread_mutex_unlock(&f->lock);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		s->suspended = true;
		MHD_suspend_connection(s->c);
		pthread_mutex_unlock(&f->lock);
		return 0;
	}
	n = s->out.len - s->off < max ? s->out.len - s->off : max;
	memcpy(buf, s->out.buf + s->off, n);
	s->off += n;
	atomic_store(&s->last_ms, now_ms());
	return (ssize_t)n;
}

static void free_sub(void *cls)
{
	struct sub *s = cls;
	struct cc__feed *f = s->f;

	pthread_mutex_lock(&f->lock);
	for (struct sub **p = &f->subs; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&f->lock);
	cc_buf_release(&s->out);
	cc_free(s);
}

static void *poll_head(void *cls)
{
	struct cc__feed *f = cls;

	for (;;) {
		int64_t head = 0;
		uint64_t now;
		bool waited = false;

		/* the store's announcement of a commit (any process's), a nudge, or the round */
		if (f->listen) {
			struct cc_err e = { 0 };
			char drain[64];

			if (cc_store_wait_change(f->st, f->wake_fd[0], CC__FEED_POLL_MS, &e) < 0)
				f->listen = false; /* cannot listen (a pooler?): poll from now on */
			else
				waited = true;
			while (read(f->wake_fd[0], drain, sizeof(drain)) > 0)
				;
		}
		pthread_mutex_lock(&f->lock);
		if (!waited) {
			/* a round every CC__FEED_POLL_MS (writes of other processes), or at once
			 * when a write of this server nudges */
			struct timespec until;

			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_nsec += CC__FEED_POLL_MS * 1000L * 1000L;
			until.tv_sec += until.tv_nsec / 1000000000L;
			until.tv_nsec %= 1000000000L;
			while (!f->nudged && !f->stopping &&
			       pthread_cond_timedwait(&f->wake, &f->lock, &until) == 0)
				;
		}
		f->nudged = false;
		pthread_mutex_unlock(&f->lock);
		if (cc_store_feed_head(f->st, &head, NULL) < 0)
			head = 0; /* a busy store: the subscribers wait for the next round */
		now = now_ms();
		pthread_mutex_lock(&f->lock);
		for (struct sub *s = f->subs; s; s = s->next) {
			if (s->suspended &&
			    (f->stopping || atomic_load(&s->cursor) < head ||
			     now - atomic_load(&s->last_ms) >= CC__FEED_KEEPALIVE_MS)) {
				s->suspended = false;
				MHD_resume_connection(s->c);
			}
		}
		if (f->stopping) {
			pthread_mutex_unlock(&f->lock);
			return NULL;
		}
		pthread_mutex_unlock(&f->lock);
	}
}

/* CONCORD_FEED_NOTIFY=off: poll only, even where the store announces commits (to compare). */
static bool no_notify(void)
{
	const char *v = getenv("CONCORD_FEED_NOTIFY");

	return v && strcmp(v, "off") == 0;
}

/* Wakes the poller out of cc_store_wait_change. */
static void wake(struct cc__feed *f)
{
	if (f->wake_fd[1] >= 0 && write(f->wake_fd[1], "", 1) < 0 && errno != EAGAIN)
		return; /* the poller's round wakes it anyway */
}

static void close_wake(struct cc__feed *f)
{
	for (int i = 0; i < 2; i++)
		if (f->wake_fd[i] >= 0)
			close(f->wake_fd[i]);
	f->wake_fd[0] = f->wake_fd[1] = -1;
}

int cc__feed_start(struct cc__feed **out, const char *store_uri, struct cc_err *err)
{
	struct cc__feed *f = cc_calloc(1, sizeof(*f));
	int ret;

	*out = NULL;
	if (!f)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	f->wake_fd[0] = f->wake_fd[1] = -1;
	pthread_mutex_init(&f->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&f->wake, &ca);
		pthread_condattr_destroy(&ca);
	}
	ret = cc_store_open(&f->st, store_uri,
	                    &(struct cc_store_opts){ .flags = CC_STORE_READONLY, .who = "api" }, err);
	if (ret == 0 && !no_notify() && pipe(f->wake_fd) == 0 &&
	    fcntl(f->wake_fd[0], F_SETFL, O_NONBLOCK) == 0 &&
	    fcntl(f->wake_fd[1], F_SETFL, O_NONBLOCK) == 0)
		f->listen = true;
	if (ret == 0 && pthread_create(&f->poller, NULL, poll_head, f) != 0)
		ret = cc_err_set(err, CC_EIO, "cannot start the feed's poller thread");
	if (ret < 0) {
		cc_store_close(f->st);
		close_wake(f);
		pthread_cond_destroy(&f->wake);
		pthread_mutex_destroy(&f->lock);
		cc_free(f);
		return ret;
	}
	f->poller_running = true;
	*out = f;
	return 0;
}

void cc__feed_nudge(struct cc__feed *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->nudged = true;
	pthread_cond_signal(&f->wake);
	pthread_mutex_unlock(&f->lock);
	wake(f);
}

void cc__feed_shutdown(struct cc__feed *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->stopping = true;
	pthread_cond_signal(&f->wake);
	wake(f);
	for (struct sub *s = f->subs; s; s = s->next) {
		if (s->suspended) {
			s->suspended = false;
			MHD_resume_connection(s->c);
		}
	}
	pthread_mutex_unlock(&f->lock);
	if (f->poller_running)
		pthread_join(f->poller, NULL);
	f->poller_running = false;
}

void cc__feed_free(struct cc__feed *f)
{
	if (!f)
		return;
	cc__feed_shutdown(f);
	cc_store_close(f->st);
	close_wake(f);
	pthread_cond_destroy(&f->wake);
	pthread_mutex_destroy(&f->lock);
	cc_free(f);
}

struct MHD_Response *cc__feed_response(struct cc__feed *f, struct cc__req *req,
                                       struct cc_err *err)
{
	const char *last = cc__req_header(req, "Last-Event-ID");
	const char *after = last ? last : cc__req_query(req, "after");
	struct MHD_Response *resp;
	struct sub *s;
	int64_t cursor = 0;

	if (after && cc_parse_i64(after, 0, INT64_MAX, &cursor, NULL) < 0) {
		cc_err_set(err, CC_EUSAGE, "'%s' is not a cursor of the feed", after);
		cc_err_at(err, NULL, 0, last ? "Last-Event-ID" : "after");
		return NULL;
	}
	/* a new subscriber starts at the head: only what changes from now on */
	if (!after && cc_store_feed_head(req->st, &cursor, err) < 0)
		return NULL;
	s = cc_calloc(1, sizeof(*s));
	if (!s) {
		cc_err_set(err, CC_ENOMEM, "out of memory");
		return NULL;
	}
	s->f = f;
	s->c = req->conn;
	s->st = req->st;
	s->v = cc_store_get_viewer(req->st);
	atomic_init(&s->cursor, cursor);
	atomic_init(&s->last_ms, now_ms());
	cc_buf_init(&s->out, (size_t)CC__FEED_BATCH * 4096); /* an entry is well under 4 KiB */
	if (cc_buf_addf(&s->out, ": concord feed after %lld\n\n", (long long)cursor) < 0 ||
	    !(resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, read_events, s,
	                                               free_sub))) {
		cc_buf_release(&s->out);
		cc_free(s);
		cc_err_set(err, CC_ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_lock(&f->lock);
	s->next = f->subs;
	f->subs = s;
	pthread_mutex_unlock(&f->lock);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	return resp;
}
