/*
 * The HTTP layer: libmicrohttpd daemon, per-request state, authentication, the mapping of
 * Concord's error codes to HTTP statuses, JSON error bodies, the request log and graceful
 * shutdown. Routes and handlers are in routes.c.
 */
#include <concord/server.h>

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <zlib.h>

#include <concord/alloc.h>
#include <concord/auth.h>
#include <concord/feed.h>
#include <concord/sharing.h>
#include <concord/store.h>
#include <concord/text.h>

#include "core/limits.h"
#include "server/server.h"

#include "core/banned.h"

#define DEFAULT_THREADS   4
#define DEFAULT_TIMEOUT_S 30
#define DEFAULT_GRACE_MS  30000
#define MAX_THREADS       256

struct cc_server {
	struct MHD_Daemon *d;
	struct cc_server_opts o;
	char *store_uri; /* owned */
	char host[INET_ADDRSTRLEN];
	uint16_t port;

	pthread_mutex_t pool_lock;
	struct cc_store **pool; /* idle store handles, owned */
	size_t n_pool, cap_pool;

	atomic_uint_fast64_t next_id;
	atomic_int in_flight;
	atomic_int n_conns; /* open connections (on_connection) */
	struct cc__feed *feed;
	struct cc__webhooks *hooks;
	struct cache *cache;
};

/* One request, from its first callback to its completion notice. */
struct rq {
	struct cc__req req;
	struct cc_server *srv;
	struct cc_buf body; /* request body as received, capped by max_body */
	bool too_big;
	bool close;    /* answer with Connection: close (an overloaded connection) */
	bool answered; /* a response is queued */
	int status;
	size_t bytes_out;
	char user[128]; /* for the log line */
	struct timespec t0;
	struct cc_principal who;
	struct cc_viewer viewer; /* the caller's, once authorised */
	int64_t head;            /* the change-log head when the request began */
	bool has_head;
	const char *cached; /* "hit" or "miss" for a cacheable GET, else NULL (X-Cache) */
};

/* ---- status codes ---- */

/* The HTTP status of an error code: one switch, no default, so a new code must be placed. */
static unsigned http_status(enum cc_code code)
{
	switch (code) {
	case CC_OK:
		return MHD_HTTP_OK;
	case CC_EPARSE:
	case CC_EINVALID:
	case CC_EUSAGE:
		return MHD_HTTP_BAD_REQUEST;
	case CC_ETOOBIG:
		return MHD_HTTP_CONTENT_TOO_LARGE;
	case CC_ENOTFOUND:
		return MHD_HTTP_NOT_FOUND;
	case CC_EDENIED:
		return MHD_HTTP_FORBIDDEN;
	case CC_EEXIST:
		return MHD_HTTP_CONFLICT;
	case CC_EREJECTED:
		return MHD_HTTP_UNPROCESSABLE_CONTENT;
	case CC_EBUSY:
	case CC_ESCHEMA:
	case CC_ENOMEM:
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	case CC_EUNSUPPORTED:
		return MHD_HTTP_NOT_IMPLEMENTED;
	case CC_ECHANGED:
		return MHD_HTTP_PRECONDITION_FAILED;
	case CC_EIO:
	case CC_ESTORE:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

/* ---- store pool ---- */

static int pool_get(struct cc_server *srv, struct cc_store **out, struct cc_err *err)
{
	pthread_mutex_lock(&srv->pool_lock);
	if (srv->n_pool > 0) {
		*out = srv->pool[--srv->n_pool];
		pthread_mutex_unlock(&srv->pool_lock);
		return 0;
	}
	pthread_mutex_unlock(&srv->pool_lock);
	return cc_store_open(out, srv->store_uri, &(struct cc_store_opts){ .who = "api" }, err);
}

static void pool_put(struct cc_server *srv, struct cc_store *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&srv->pool_lock);
	if (srv->n_pool == srv->cap_pool) {
		size_t cap = srv->cap_pool ? 2 * srv->cap_pool : 8;
		struct cc_store **p = cc_realloc(srv->pool, cap * sizeof(*p));

		if (p) {
			srv->pool = p;
			srv->cap_pool = cap;
		}
	}
	if (srv->n_pool < srv->cap_pool) {
		srv->pool[srv->n_pool++] = st;
		st = NULL;
	}
	pthread_mutex_unlock(&srv->pool_lock);
	cc_store_close(st); /* no room to keep it */
}

/* ---- response cache ----
 *
 * Answers of the read routes that are worth keeping (cacheable_route), keyed by the request
 * (path and query arguments, sorted) and by everything visibility depends on (the caller's
 * viewer, mission, organisation and role), together with the callers whose token was checked.
 * Everything kept is valid for one head of the change log: every write to the store, by this
 * server or by another process, appends to the change log in its own transaction, so a request
 * that reads the head before anything else and finds it moved drops the whole cache. An answer
 * computed after the head was read may be newer than that head, never older: it is kept under
 * the older head and dropped when the next request sees the head move.
 */

#define RC_SLOTS     512u        /* answers kept at most (a power of two; direct-mapped) */
#define RC_MAX_BODY  (4u << 20)  /* larger answers are not kept */
#define RC_MAX_BYTES (64u << 20) /* all kept bodies together */
#define AC_SLOTS     256u        /* callers kept at most (a power of two) */
#define RC_MAX_ARGS  32          /* a request with more query arguments is not cached */

struct rc_entry {
	char *key; /* NULL: free */
	size_t key_len;
	uint64_t hash;
	char *body, *gz; /* gz: its gzip form once a client asked for it, else NULL */
	size_t len, gz_len;
	char tag[40]; /* '"' and 32 hex digits of the body's BLAKE2b-128, unterminated by '"' */
};

struct ac_entry {
	bool used;
	unsigned char digest[32]; /* keyed BLAKE2b of the token */
	int64_t expires;          /* 0: never */
	struct cc_principal who;
	struct cc_viewer viewer;
};

struct cache {
	pthread_mutex_t lock;
	int64_t head; /* the change-log head of everything kept */
	size_t bytes; /* of the bodies kept */
	unsigned char key[crypto_generichash_KEYBYTES];
	struct rc_entry slot[RC_SLOTS];
	struct ac_entry caller[AC_SLOTS];
};

/* The read routes whose answers depend only on the request, the caller's visibility and the
 * store: no clock, no user name. */
static bool cacheable_route(const struct cc__route *route)
{
	static const char *const paths[] = { "/api/activities", "/api/activities/{id}",
		                             "/api/coverage" };

	if (strcmp(route->method, "GET") != 0 || route->stream || route->role == CC_ROLE_NONE)
		return false;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (strcmp(route->path, paths[i]) == 0)
			return true;
	return false;
}

static void rc_entry_free(struct cache *k, struct rc_entry *e)
{
	if (!e->key)
		return;
	k->bytes -= e->len + e->gz_len;
	cc_free(e->key);
	cc_free(e->body);
	cc_free(e->gz);
	memset(e, 0, sizeof(*e));
}

static void cache_flush_locked(struct cache *k)
{
	for (size_t i = 0; i < RC_SLOTS; i++)
		rc_entry_free(k, &k->slot[i]);
	sodium_memzero(k->caller, sizeof(k->caller));
}

/* Under the lock: drops everything when head is past the cache's; true when head is its. */
static bool cache_at(struct cache *k, int64_t head)
{
	if (head > k->head) {
		cache_flush_locked(k);
		k->head = head;
	}
	return head == k->head;
}

static struct cache *cache_new(void)
{
	struct cache *k = cc_calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	pthread_mutex_init(&k->lock, NULL);
	k->head = -1;
	crypto_generichash_keygen(k->key);
	return k;
}

static void cache_free(struct cache *k)
{
	if (!k)
		return;
	cache_flush_locked(k);
	pthread_mutex_destroy(&k->lock);
	cc_free(k);
}

static void token_digest(const struct cache *k, const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), k->key,
	                   sizeof(k->key));
}

/* The caller of token as checked at head, if kept and not expired by now. */
static bool caller_get(struct cache *k, int64_t head, const char *token, int64_t now,
                       struct cc_principal *who, struct cc_viewer *viewer)
{
	unsigned char d[32];
	struct ac_entry *e;
	bool hit = false;

	token_digest(k, token, d);
	e = &k->caller[d[0] % AC_SLOTS];
	pthread_mutex_lock(&k->lock);
	if (cache_at(k, head) && e->used && sodium_memcmp(e->digest, d, sizeof(d)) == 0 &&
	    (e->expires == 0 || now < e->expires)) {
		*who = e->who;
		*viewer = e->viewer;
		hit = true;
	}
	pthread_mutex_unlock(&k->lock);
	return hit;
}

static void caller_put(struct cache *k, int64_t head, const char *token, int64_t expires,
                       const struct cc_principal *who, const struct cc_viewer *viewer)
{
	unsigned char d[32];
	struct ac_entry *e;

	token_digest(k, token, d);
	e = &k->caller[d[0] % AC_SLOTS];
	pthread_mutex_lock(&k->lock);
	if (cache_at(k, head)) {
		memcpy(e->digest, d, sizeof(d));
		e->expires = expires;
		e->who = *who;
		e->viewer = *viewer;
		e->used = true;
	}
	pthread_mutex_unlock(&k->lock);
}

struct arg {
	const char *name, *value;
};

struct args {
	struct arg a[RC_MAX_ARGS];
	size_t n;
	bool too_many;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
	struct args *as = cls;

	(void)kind;
	if (as->n == RC_MAX_ARGS) {
		as->too_many = true;
		return MHD_NO;
	}
	as->a[as->n++] = (struct arg){ key, value ? value : "" };
	return MHD_YES;
}

/* Appends n in decimal and a space (no printf: this runs for every request). */
static int key_num(struct cc_buf *b, int64_t n)
{
	char d[24];
	size_t i = sizeof(d);
	uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;

	d[--i] = ' ';
	do
		d[--i] = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (n < 0)
		d[--i] = '-';
	return cc_buf_add(b, d + i, sizeof(d) - i);
}

/* Appends s with its length first, so that no two sequences of strings share a key. */
static int key_str(struct cc_buf *b, const char *s)
{
	size_t n = strlen(s);
	int ret = key_num(b, (int64_t)n);

	return ret < 0 ? ret : cc_buf_add(b, s, n);
}

/*
 * The cache key of a request: its path, its query arguments sorted by name (the order of
 * repeated names kept: the first one counts), and the caller's visibility class. Every part
 * carries its length, so that no two requests share a key. CC_EINVALID: not to be cached.
 */
static int cache_key(const struct rq *r, struct MHD_Connection *c, struct cc_buf *key,
                     uint64_t *hash)
{
	const struct cc_viewer *v = &r->viewer;
	const struct cc_user *u = &r->who.user;
	struct args as = { .n = 0 };
	uint64_t h = 14695981039346656037u; /* FNV-1a */
	int ret;

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &as);
	if (as.too_many)
		return CC_EINVALID;
	for (size_t i = 1; i < as.n; i++) /* insertion sort: stable, and n is small */
		for (size_t j = i; j > 0 && strcmp(as.a[j - 1].name, as.a[j].name) > 0; j--) {
			struct arg t = as.a[j];

			as.a[j] = as.a[j - 1];
			as.a[j - 1] = t;
		}
	ret = key_str(key, r->req.path);
	if (ret == 0)
		ret = key_num(key, (int64_t)as.n);
	for (size_t i = 0; ret == 0 && i < as.n; i++)
		if ((ret = key_str(key, as.a[i].name)) == 0)
			ret = key_str(key, as.a[i].value);
	/* the viewer, and the user's mission, organisation and role */
	if (ret == 0 && (ret = key_num(key, (int64_t)v->kind)) == 0 &&
	    (ret = key_num(key, v->mission_id)) == 0 && (ret = key_num(key, v->org_id)) == 0 &&
	    (ret = key_num(key, (int64_t)v->kinds)) == 0 &&
	    (ret = key_num(key, (int64_t)v->member)) == 0 &&
	    (ret = key_num(key, u->mission_id)) == 0 && (ret = key_num(key, u->org_id)) == 0 &&
	    (ret = key_num(key, (int64_t)u->role)) == 0)
		ret = key_str(key, r->who.mission_code);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < key->len; i++)
		h = (h ^ (unsigned char)key->buf[i]) * 1099511628211u;
	*hash = h;
	return 0;
}

static struct rc_entry *rc_find_locked(struct cache *k, const struct cc_buf *key, uint64_t hash)
{
	struct rc_entry *e = &k->slot[hash & (RC_SLOTS - 1)];

	return e->key && e->hash == hash && e->key_len == key->len &&
	                       memcmp(e->key, key->buf, key->len) == 0
	               ? e
	               : NULL;
}

/*
 * The answer kept for key at head: a copy of its body in *body, of its gzip form in *gz when
 * want_gz and kept, and its tag. False when none is kept (or memory is short).
 */
static bool rc_get(struct cache *k, int64_t head, const struct cc_buf *key, uint64_t hash,
                   bool want_gz, struct cc_buf *body, struct cc_buf *gz, char tag[40])
{
	struct rc_entry *e;
	bool hit = false;

	pthread_mutex_lock(&k->lock);
	if (cache_at(k, head) && (e = rc_find_locked(k, key, hash)) &&
	    cc_buf_add(body, e->body, e->len) == 0 &&
	    (!want_gz || !e->gz || cc_buf_add(gz, e->gz, e->gz_len) == 0)) {
		memcpy(tag, e->tag, 40);
		hit = true;
	}
	pthread_mutex_unlock(&k->lock);
	if (!hit) {
		cc_buf_release(body);
		cc_buf_release(gz);
	}
	return hit;
}

static char *dup_bytes(const char *p, size_t n)
{
	char *d = cc_malloc(n ? n : 1);

	if (d && n)
		memcpy(d, p, n);
	return d;
}

/* Keeps a copy of body (and its tag) for key at head; nothing when it does not fit. */
static void rc_put(struct cache *k, int64_t head, const struct cc_buf *key, uint64_t hash,
                   const struct cc_buf *body, const char tag[40])
{
	struct rc_entry *e = &k->slot[hash & (RC_SLOTS - 1)];
	char *kc, *bc;

	if (body->len > RC_MAX_BODY)
		return;
	kc = dup_bytes(key->buf, key->len);
	bc = dup_bytes(body->buf, body->len);
	pthread_mutex_lock(&k->lock);
	if (kc && bc && cache_at(k, head)) {
		rc_entry_free(k, e);
		if (k->bytes + body->len <= RC_MAX_BYTES) {
			*e = (struct rc_entry){ .key = kc, .key_len = key->len, .hash = hash,
				                .body = bc, .len = body->len };
			memcpy(e->tag, tag, 40);
			k->bytes += body->len;
			kc = bc = NULL;
		}
	}
	pthread_mutex_unlock(&k->lock);
	cc_free(kc);
	cc_free(bc);
}

/* Adds the gzip form to the answer kept for key at head, if it is still kept without one. */
static void rc_put_gz(struct cache *k, int64_t head, const struct cc_buf *key, uint64_t hash,
                      const struct cc_buf *gz)
{
	char *gc = dup_bytes(gz->buf, gz->len);
	struct rc_entry *e;

	pthread_mutex_lock(&k->lock);
	if (gc && cache_at(k, head) && (e = rc_find_locked(k, key, hash)) && !e->gz &&
	    k->bytes + gz->len <= RC_MAX_BYTES) {
		e->gz = gc;
		e->gz_len = gz->len;
		k->bytes += gz->len;
		gc = NULL;
	}
	pthread_mutex_unlock(&k->lock);
	cc_free(gc);
}

/* ---- responses ---- */

int cc__reply_json(struct cc_buf *out, json_t *j, struct cc_err *err)
{
	const size_t flags = JSON_COMPACT | JSON_ENSURE_ASCII;
	size_t n;
	int ret;

	if (!j)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	n = json_dumpb(j, NULL, 0, flags);
	if (n == 0) {
		json_decref(j);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	ret = cc_buf_grow(out, n + 1);
	if (ret < 0) {
		json_decref(j);
		return cc_err_set(err, ret, "response too large");
	}
	/* dumping allocates too (cycle detection), so the second pass can fail as well */
	if (json_dumpb(j, out->buf + out->len, n, flags) != n) {
		out->buf[out->len] = '\0';
		json_decref(j);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	out->len += n;
	out->buf[out->len++] = '\n';
	out->buf[out->len] = '\0';
	json_decref(j);
	return 0;
}

static void free_body(void *p)
{
	cc_free(p);
}

static bool add_headers(struct MHD_Response *resp, const char *const *headers)
{
	for (size_t i = 0; headers && headers[i]; i += 2)
		if (MHD_add_response_header(resp, headers[i], headers[i + 1]) != MHD_YES)
			return false;
	return true;
}

/*
 * Queues body (taken: released here) with status, the common headers and the given ones
 * (name, value, …, NULL: ETag, Allow, WWW-Authenticate). Returns MHD_YES or MHD_NO (drop the
 * connection).
 */
static enum MHD_Result send_with(struct rq *r, struct MHD_Connection *c, unsigned status,
                                 struct cc_buf *body, const char *const *headers)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;
	char id[32];
	size_t len;
	char *data;

	data = cc_buf_detach(body, &len);
	if (!data)
		return MHD_NO;
	resp = MHD_create_response_from_buffer_with_free_callback(len, data, free_body);
	if (!resp) {
		cc_free(data);
		return MHD_NO;
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)r->req.id);
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                            r->req.content_type && status < 300 ? r->req.content_type
	                                                                : "application/json") !=
	            MHD_YES ||
	    (r->req.disposition && status < 300 &&
	     MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
	                             r->req.disposition) != MHD_YES) ||
	    (r->req.location[0] && status == MHD_HTTP_CREATED &&
	     MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->req.location) !=
	             MHD_YES) ||
	    MHD_add_response_header(resp, "X-Request-Id", id) != MHD_YES ||
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") != MHD_YES ||
	    (r->cached && MHD_add_response_header(resp, "X-Cache", r->cached) != MHD_YES) ||
	    (r->close && MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close") !=
	                         MHD_YES) ||
	    !add_headers(resp, headers)) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	ok = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	r->status = (int)status;
	r->bytes_out = len;
	r->answered = true;
	return ok;
}

/* send_with() and one optional header (name NULL: none). */
static enum MHD_Result send_body(struct rq *r, struct MHD_Connection *c, unsigned status,
                                 struct cc_buf *body, const char *name, const char *value)
{
	const char *const headers[] = { name, value, NULL };

	return send_with(r, c, status, body, name ? headers : NULL);
}

/* An error body {"error":{"code","message","field"}} with the given status. */
static enum MHD_Result send_error(struct rq *r, struct MHD_Connection *c, unsigned status,
                                  const struct cc_err *e, const char *extra_name,
                                  const char *extra_value)
{
	struct cc_buf body = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	enum cc_code code = e->code ? e->code : CC_ESTORE;
	const char *msg = e->msg[0] ? e->msg : cc_code_text(code);

	/* built by hand, so that an error can be reported when memory is short */
	if (cc_buf_adds(&body, "{\"error\":{\"code\":") < 0 ||
	    cc_buf_add_json_str(&body, cc_code_name(code)) < 0 ||
	    cc_buf_adds(&body, ",\"message\":") < 0 || cc_buf_add_json_str(&body, msg) < 0 ||
	    cc_buf_adds(&body, ",\"field\":") < 0 ||
	    (e->field[0] ? cc_buf_add_json_str(&body, e->field) : cc_buf_adds(&body, "null")) < 0 ||
	    cc_buf_adds(&body, "}}\n") < 0)
		return MHD_NO;
	return send_body(r, c, status, &body, extra_name, extra_value);
}

static enum MHD_Result fail(struct rq *r, struct MHD_Connection *c, const struct cc_err *e)
{
	unsigned status = http_status(e->code);
	char retry[16];

	/* 503 is "come back later": say when */
	snprintf(retry, sizeof(retry), "%u", CC_SERVER_RETRY_AFTER_S);
	return send_error(r, c, status, e,
	                  status == MHD_HTTP_SERVICE_UNAVAILABLE ? MHD_HTTP_HEADER_RETRY_AFTER : NULL,
	                  retry);
}

/* ---- requests ---- */

const char *cc__req_query(const struct cc__req *req, const char *name)
{
	/* no connection: a handler called directly, by a test */
	return req->conn ? MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name)
	                 : NULL;
}

const char *cc__req_header(const struct cc__req *req, const char *name)
{
	return req->conn ? MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name) : NULL;
}

const char *cc__req_param(const struct cc__req *req, const char *name)
{
	for (size_t i = 0; i < req->n_params; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	return "";
}

/* The token of "Authorization: Bearer TOKEN", or NULL. */
static const char *bearer(struct MHD_Connection *c)
{
	const char *h =
	        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return h;
}

/*
 * The caller of token at the request's head: from the cache, else checked against the store
 * (and then kept until the change log moves or the token expires).
 */
static int find_caller(struct rq *r, const char *token, struct cc_err *e)
{
	struct cache *k = r->srv->cache;
	int64_t now = (int64_t)time(NULL);
	struct cc_err ignored = { 0 };
	struct cc_token t;
	int ret;

	if (token && caller_get(k, r->head, token, now, &r->who, &r->viewer))
		return 0;
	ret = cc_auth_check_token(r->req.st, token, now, &r->who, e);
	if (ret < 0)
		return ret;
	ret = cc_store_org_viewer(r->req.st, r->who.user.mission_id, r->who.user.org_id,
	                          &r->viewer, e);
	if (ret < 0)
		return ret;
	/* its expiry; not kept when that cannot be read */
	if (cc_auth_get_token(r->req.st, r->who.token_id, &t, &ignored) == 0 && !t.revoked)
		caller_put(k, r->head, token, t.expires, &r->who, &r->viewer);
	return 0;
}

/* Authenticates the caller and checks its role against the route's. */
static enum MHD_Result authorise(struct rq *r, struct MHD_Connection *c,
                                 const struct cc__route *route, bool *done)
{
	struct cc_err e = { 0 };
	char actor[64];
	int ret;

	*done = true;
	/* first of all: whatever is read after it is at least as new */
	ret = cc_store_feed_head(r->req.st, &r->head, &e);
	if (ret < 0)
		return fail(r, c, &e);
	r->has_head = true;
	ret = find_caller(r, bearer(c), &e);
	if (ret == CC_EDENIED)
		return send_error(r, c, MHD_HTTP_UNAUTHORIZED, &e, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		                  "Bearer realm=\"concord\"");
	if (ret < 0)
		return fail(r, c, &e);
	memcpy(r->user, r->who.user.name, sizeof(r->user));
	if (r->who.user.role < route->role) {
		cc_err_set(&e, CC_EDENIED, "this needs the role %s; user '%s' is %s",
		           cc_role_name(route->role), r->who.user.name,
		           cc_role_name(r->who.user.role));
		return fail(r, c, &e);
	}
	/* from here every read of the handle is for the caller's organisation */
	cc_store_set_viewer(r->req.st, &r->viewer);
	snprintf(actor, sizeof(actor), "api:%.59s", r->who.user.name);
	cc_store_set_actor(r->req.st, actor);
	r->req.who = &r->who;
	*done = false;
	return MHD_YES;
}

/*
 * Whether the request's body is a file sent as it is: its Content-Type names a media type other
 * than JSON (or the form encoding clients send by default), as text/csv or application/xml do.
 */
static bool body_is_file(struct MHD_Connection *c)
{
	const char *h =
	        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

	return h && *h && strncasecmp(h, "application/json", 16) != 0 && !strstr(h, "+json") &&
	       strncasecmp(h, "application/x-www-form-urlencoded", 33) != 0;
}

/*
 * Parses the body as JSON; a malformed body is 400 naming where it breaks. On an upload route
 * (raw_body) a file sent as it is (body_is_file) is handed over as it came, in req.raw.
 */
static enum MHD_Result parse_body(struct rq *r, struct MHD_Connection *c,
                                  const struct cc__route *route, bool *done)
{
	struct cc_err e = { 0 };
	json_error_t je;

	*done = false;
	if (r->body.len == 0)
		return MHD_YES;
	if (route->raw_body && body_is_file(c)) {
		r->req.raw = r->body.buf;
		r->req.raw_len = r->body.len;
		return MHD_YES;
	}
	r->req.body = json_loadb(r->body.buf, r->body.len, JSON_REJECT_DUPLICATES, &je);
	if (r->req.body)
		return MHD_YES;
	*done = true;
	if (json_error_code(&je) == json_error_out_of_memory)
		cc_err_set(&e, CC_ENOMEM, "out of memory");
	else
		cc_err_set(&e, CC_EPARSE, "malformed JSON at line %d, column %d (byte %d): %s",
		           je.line, je.column, je.position, je.text);
	cc_err_at(&e, NULL, 0, "body");
	return fail(r, c, &e);
}

struct query_check {
	const struct cc__route *route;
	const char *unknown; /* the first argument the route does not take */
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
	struct query_check *qc = cls;

	(void)kind;
	(void)value;
	for (const struct cc__query_param *q = qc->route->query; q && q->name; q++)
		if (strcmp(q->name, key) == 0)
			return MHD_YES;
	qc->unknown = key;
	return MHD_NO;
}

/* A query argument the route does not document is an error, not silently ignored. */
static bool unknown_arg(struct MHD_Connection *c, const struct cc__route *route, struct cc_err *e)
{
	struct query_check qc = { .route = route };

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_arg, &qc);
	if (!qc.unknown)
		return false;
	cc_err_set(e, CC_EUSAGE, "unknown query argument '%s'", qc.unknown);
	cc_err_at(e, NULL, 0, qc.unknown);
	return true;
}

static void *z_alloc(void *opaque, unsigned items, unsigned size)
{
	(void)opaque;
	return cc_alloc_array(items, size);
}

static void z_free(void *opaque, void *p)
{
	(void)opaque;
	cc_free(p);
}

/* True when Accept-Encoding names gzip without refusing it ("gzip;q=0"). */
static bool accepts_gzip(struct MHD_Connection *c)
{
	const char *h =
	        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	const char *p = h ? strcasestr(h, "gzip") : NULL;

	if (!p)
		return false;
	p += 4;
	while (*p == ' ')
		p++;
	if (strncmp(p, ";q=0", 4) != 0)
		return true;
	p += 4;
	if (*p == '.')
		p += strspn(p + 1, "0") + 1;
	return !(*p == '\0' || *p == ',' || *p == ' ');
}

/* Compresses in into *gz (gzip format); 0, or CC_ENOMEM/CC_EIO with *gz released. */
static int gzip_body(const struct cc_buf *in, struct cc_buf *gz)
{
	z_stream z = { .zalloc = z_alloc, .zfree = z_free };
	int ret;

	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return CC_ENOMEM;
	ret = cc_buf_grow(gz, deflateBound(&z, in->len));
	if (ret == 0) {
		z.next_in = (unsigned char *)in->buf;
		z.avail_in = (unsigned)in->len;
		z.next_out = (unsigned char *)gz->buf;
		z.avail_out = (unsigned)(gz->alloc - 1);
		if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
			gz->len = z.total_out;
			gz->buf[gz->len] = '\0';
		} else {
			ret = CC_EIO;
			cc_buf_release(gz);
		}
	}
	deflateEnd(&z);
	return ret;
}

#define GZIP_MIN 1024 /* smaller bodies go as they are */

/* The tag of a body: '"' and the 32 hex digits of its BLAKE2b-128, with room for 7 more. */
static void body_tag(const struct cc_buf *out, char tag[40])
{
	unsigned char h[16];

	crypto_generichash(h, sizeof(h), (const unsigned char *)out->buf, out->len, NULL, 0);
	tag[0] = '"';
	cc_hex(h, sizeof(h), tag + 1);
}

/* Whether If-None-Match names tag (either representation) or is "*". */
static bool not_modified(struct MHD_Connection *c, const char *tag)
{
	const char *inm =
	        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);

	return inm && (strstr(inm, tag) || strcmp(inm, "*") == 0);
}

/*
 * Answers a successful GET: with its ETag, or 304 Not Modified and no body when If-None-Match
 * names that tag; gzip-compressed when the client accepts it and the body is worth it (the tag
 * then ends in "-gzip"; an uncompressed answer is the fallback when compression fails). out
 * and gz (the compressed body when known, else empty) are taken; tag as body_tag made it.
 */
static enum MHD_Result send_get(struct rq *r, struct MHD_Connection *c, struct cc_buf *out,
                                struct cc_buf *gz, char tag[40])
{
	const size_t end = 1 + 32;

	if (not_modified(c, tag)) {
		memcpy(tag + end, "\"", 2);
		cc_buf_release(out);
		cc_buf_release(gz);
		return send_body(r, c, MHD_HTTP_NOT_MODIFIED, out, MHD_HTTP_HEADER_ETAG, tag);
	}
	if (out->len >= GZIP_MIN && accepts_gzip(c) && (gz->len > 0 || gzip_body(out, gz) == 0)) {
		const char *const headers[] = { MHD_HTTP_HEADER_ETAG,
			                        tag,
			                        MHD_HTTP_HEADER_CONTENT_ENCODING,
			                        "gzip",
			                        MHD_HTTP_HEADER_VARY,
			                        "Accept-Encoding",
			                        NULL };

		memcpy(tag + end, "-gzip\"", 7);
		cc_buf_release(out);
		return send_with(r, c, MHD_HTTP_OK, gz, headers);
	}
	cc_buf_release(gz);
	memcpy(tag + end, "\"", 2);
	return send_body(r, c, MHD_HTTP_OK, out, MHD_HTTP_HEADER_ETAG, tag);
}

static enum MHD_Result send_tagged(struct rq *r, struct MHD_Connection *c, struct cc_buf *out)
{
	struct cc_buf gz = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	char tag[40];

	body_tag(out, tag);
	return send_get(r, c, out, &gz, tag);
}

/*
 * Answers a cacheable GET from the cache, or runs its route and keeps the answer; key (taken)
 * and hash as cache_key made them.
 */
static enum MHD_Result send_cached(struct rq *r, struct MHD_Connection *c,
                                   const struct cc__route *route, struct cc_buf *key,
                                   uint64_t hash)
{
	struct cache *k = r->srv->cache;
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_buf gz = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_err e = { 0 };
	bool want_gz = accepts_gzip(c);
	char tag[40];
	int ret;

	if (rc_get(k, r->head, key, hash, want_gz, &out, &gz, tag)) {
		r->cached = "hit";
	} else {
		r->cached = "miss";
		ret = route->run(&r->req, &out, &e);
		if (ret < 0) {
			cc_buf_release(&out);
			cc_buf_release(key);
			if (!e.code)
				e.code = (enum cc_code)ret;
			return fail(r, c, &e);
		}
		if (r->req.status != MHD_HTTP_OK) {
			cc_buf_release(key);
			return send_body(r, c, (unsigned)r->req.status, &out, NULL, NULL);
		}
		body_tag(&out, tag);
		rc_put(k, r->head, key, hash, &out, tag);
	}
	/* compressed once, then kept with the answer */
	if (want_gz && gz.len == 0 && out.len >= GZIP_MIN && !not_modified(c, tag) &&
	    gzip_body(&out, &gz) == 0)
		rc_put_gz(k, r->head, key, hash, &gz);
	cc_buf_release(key);
	return send_get(r, c, &out, &gz, tag);
}

/* Whether the client asks for Server-Sent Events. */
static bool accepts_events(struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

	return h && strstr(h, "text/event-stream");
}

/* Answers with the live feed: a response that lasts as long as the client listens. */
static enum MHD_Result stream(struct rq *r, struct MHD_Connection *c)
{
	struct cc_err e = { 0 };
	struct MHD_Response *resp = cc__feed_response(r->srv->feed, &r->req, &e);
	enum MHD_Result ok;
	char id[32];

	if (!resp)
		return fail(r, c, &e);
	snprintf(id, sizeof(id), "%llu", (unsigned long long)r->req.id);
	MHD_add_response_header(resp, "X-Request-Id", id);
	ok = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	r->status = MHD_HTTP_OK;
	r->answered = true;
	return ok;
}

static enum MHD_Result dispatch(struct rq *r, struct MHD_Connection *c)
{
	struct cc_buf allow = CC_BUF_INIT(256);
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	const struct cc__route *route;
	struct cc_err e = { 0 };
	enum MHD_Result res;
	bool known = false, done;
	int ret;

	route = cc__route_find(r->req.method, r->req.path, &r->req, &known, &allow);
	if (!route && known) {
		cc_err_set(&e, CC_EUSAGE, "method %s not allowed on %s", r->req.method,
		           r->req.path);
		res = send_error(r, c, MHD_HTTP_METHOD_NOT_ALLOWED, &e, MHD_HTTP_HEADER_ALLOW,
		                 allow.buf);
		cc_buf_release(&allow);
		return res;
	}
	cc_buf_release(&allow);
	/* not an API route: maybe one of the dashboard's files (static.c) */
	if (!route && (ret = cc__static_answer(c, r->srv->o.web_dir, r->req.method, r->req.path,
	                                       &r->status, &r->bytes_out)) != 0)
		return (r->answered = ret > 0) ? MHD_YES : MHD_NO;
	if (!route) {
		cc_err_set(&e, CC_ENOTFOUND, "no route %s %s", r->req.method, r->req.path);
		return fail(r, c, &e);
	}
	if ((ret = pool_get(r->srv, &r->req.st, &e)) < 0)
		return fail(r, c, &e);
	/* a handle reads for nobody in particular until the caller is known */
	cc_store_set_viewer(r->req.st, &(struct cc_viewer){ .kind = CC_VIEWER_PUBLIC,
	                                                    .kinds = CC_KIND_ALL });
	cc_store_set_actor(r->req.st, NULL);
	if (route->role > CC_ROLE_NONE) {
		res = authorise(r, c, route, &done);
		if (done)
			return res;
	}
	if (unknown_arg(c, route, &e))
		return fail(r, c, &e);
	res = parse_body(r, c, route, &done);
	if (done)
		return res;
	r->req.status = route->status ? route->status : MHD_HTTP_OK;
	if (route->stream && accepts_events(c))
		return stream(r, c);
	if (r->has_head && cacheable_route(route)) {
		struct cc_buf key = CC_BUF_INIT(64u << 10);
		uint64_t hash;

		if (cache_key(r, c, &key, &hash) == 0)
			return send_cached(r, c, route, &key, hash);
		cc_buf_release(&key);
	}
	ret = route->run(&r->req, &out, &e);
	if (ret < 0) {
		cc_buf_release(&out);
		if (!e.code)
			e.code = (enum cc_code)ret;
		return fail(r, c, &e);
	}
	if (strcmp(r->req.method, "GET") != 0)
		cc__feed_nudge(r->srv->feed); /* a write is on the change log: tell the streams */
	if (r->req.status == MHD_HTTP_OK && strcmp(r->req.method, "GET") == 0)
		return send_tagged(r, c, &out);
	return send_body(r, c, (unsigned)r->req.status, &out, NULL, NULL);
}

static bool content_length_over(struct MHD_Connection *c, size_t max)
{
	const char *h =
	        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	int64_t n;

	return h && cc_parse_i64(h, 0, INT64_MAX, &n, NULL) == 0 && (uint64_t)n > max;
}

static enum MHD_Result too_big(struct rq *r, struct MHD_Connection *c)
{
	struct cc_err e = { 0 };

	cc_err_set(&e, CC_ETOOBIG, "request body exceeds %zu bytes", r->srv->o.max_body);
	cc_err_at(&e, NULL, 0, "body");
	return fail(r, c, &e);
}

/*
 * Overload: a connection opened while max_connections others are open is marked (its socket
 * context points here) and its requests are answered 503 with Retry-After, then it is closed.
 * The work waiting for the workers is thus bounded; a client told to retry comes back when
 * connections have closed. MHD refuses connections beyond a small margin above the limit.
 */
static char over_capacity;

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	struct cc_server *srv = cls;

	(void)c;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		int n = atomic_fetch_add(&srv->n_conns, 1) + 1;

		*socket_context = n > (int)srv->o.max_connections ? &over_capacity : NULL;
	} else {
		atomic_fetch_sub(&srv->n_conns, 1);
	}
}

static bool over_limit(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci && ci->socket_context == &over_capacity;
}

static enum MHD_Result overloaded(struct rq *r, struct MHD_Connection *c)
{
	struct cc_err e = { 0 };

	cc_err_set(&e, CC_EBUSY, "the server is at its limit of %u connections; retry in %u s",
	           r->srv->o.max_connections, CC_SERVER_RETRY_AFTER_S);
	r->close = true;
	return fail(r, c, &e);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct cc_server *srv = cls;
	struct rq *r = *con_cls;

	(void)version;
	if (!r) {
		r = cc_calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		r->srv = srv;
		r->req.id = atomic_fetch_add(&srv->next_id, 1) + 1;
		r->req.method = method;
		r->req.path = url;
		r->req.conn = c;
		r->req.opts = &srv->o;
		cc_buf_init(&r->body, srv->o.max_body + 1);
		atomic_fetch_add(&srv->in_flight, 1);
		*con_cls = r;
		if (over_limit(c)) {
			r->too_big = true; /* whatever body follows is dropped */
			return overloaded(r, c);
		}
		if (content_length_over(c, srv->o.max_body)) {
			r->too_big = true;
			return too_big(r, c);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!r->too_big && !r->answered &&
		    (r->body.len + *upload_data_size > srv->o.max_body ||
		     cc_buf_add(&r->body, upload_data, *upload_data_size) < 0))
			r->too_big = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->answered)
		return MHD_YES;
	if (r->too_big)
		return too_big(r, c);
	return dispatch(r, c);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct cc_server *srv = cls;
	struct rq *r = *con_cls;
	char line[1024];

	(void)c;
	if (!r)
		return;
	if (srv->o.log) {
		/* tenths of a millisecond, rounded, in integers: cheaper than %.1f */
		uint64_t tenths = (uint64_t)(ms_since(&r->t0) * 10.0 + 0.5);

		snprintf(line, sizeof(line), "req=%llu %s %s %d %zuB %llu.%ums user=%s%s",
		         (unsigned long long)r->req.id, r->req.method, r->req.path, r->status,
		         r->bytes_out, (unsigned long long)(tenths / 10), (unsigned)(tenths % 10),
		         r->user[0] ? r->user : "-",
		         toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
		srv->o.log(srv->o.log_ctx, line);
	}
	if (r->req.body)
		json_decref(r->req.body);
	pool_put(srv, r->req.st);
	cc_buf_release(&r->body);
	cc_free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct cc_server *srv = cls;
	char line[512];

	if (!srv->o.log)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	srv->o.log(srv->o.log_ctx, line);
}

/* ---- lifecycle ---- */

static void *json_alloc(size_t n)
{
	return cc_malloc(n);
}

static void json_free(void *p)
{
	cc_free(p);
}

static void free_server(struct cc_server *srv)
{
	cc__webhooks_free(srv->hooks);
	cc__feed_free(srv->feed);
	cache_free(srv->cache);
	for (size_t i = 0; i < srv->n_pool; i++)
		cc_store_close(srv->pool[i]);
	cc_free(srv->pool);
	pthread_mutex_destroy(&srv->pool_lock);
	cc_free(srv->store_uri);
	cc_free(srv);
}

int cc_server_start(struct cc_server **out, const struct cc_server_opts *opts, struct cc_err *err)
{
	struct cc_server *srv;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in bound;
	socklen_t blen = sizeof(bound);
	const union MHD_DaemonInfo *info;
	struct cc_store *st = NULL;
	unsigned flags;
	int ret;

	*out = NULL;
	if (!opts || !opts->store || !*opts->store)
		return cc_err_set(err, CC_EUSAGE, "no store given");
	srv = cc_calloc(1, sizeof(*srv));
	if (!srv)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	srv->o = *opts;
	if (!srv->o.host || !*srv->o.host)
		srv->o.host = "127.0.0.1";
	if (srv->o.threads == 0)
		srv->o.threads = DEFAULT_THREADS;
	if (srv->o.max_body == 0)
		srv->o.max_body = CC_SERVER_MAX_BODY;
	if (srv->o.timeout_s == 0)
		srv->o.timeout_s = DEFAULT_TIMEOUT_S;
	if (srv->o.grace_ms == 0)
		srv->o.grace_ms = DEFAULT_GRACE_MS;
	if (srv->o.max_connections == 0)
		srv->o.max_connections = CC_SERVER_MAX_CONNECTIONS;
	pthread_mutex_init(&srv->pool_lock, NULL);
	srv->store_uri = cc_strdup(opts->store);
	srv->cache = cache_new();
	if (!srv->store_uri || !srv->cache) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	if (srv->o.threads > MAX_THREADS) {
		ret = cc_err_set(err, CC_EUSAGE, "at most %d threads", MAX_THREADS);
		goto out_free;
	}
	if (inet_pton(AF_INET, srv->o.host, &sin.sin_addr) != 1) {
		ret = cc_err_set(err, CC_EUSAGE, "'%s' is not an IPv4 address", srv->o.host);
		goto out_free;
	}
	sin.sin_port = htons(srv->o.port);
	/* a store that cannot be opened fails here, not on every request */
	if ((ret = pool_get(srv, &st, err)) < 0)
		goto out_free;
	pool_put(srv, st);
	json_set_alloc_funcs(json_alloc, json_free);
	/*
	 * A request allocates and frees a few hundred kilobytes at most: keep them in the heap
	 * rather than give them back to the kernel after every request (glibc trims the heap top
	 * beyond 128 KiB and maps larger blocks afresh each time: page faults and madvise).
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);

	if ((ret = cc__feed_start(&srv->feed, srv->store_uri, err)) < 0)
		goto out_free;
	if ((ret = cc__webhooks_start(&srv->hooks, srv->store_uri, srv->o.webhook_any_host,
	                              err)) < 0)
		goto out_free;
	/* suspend and resume: the feed parks idle subscribers */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
	        MHD_USE_ERROR_LOG;
	srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
	                          on_mhd_log, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	                          MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)srv->o.threads,
	                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)srv->o.timeout_s,
	                          MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	                          MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
	                          /* room above the limit to say 503, a margin a worker */
	                          MHD_OPTION_CONNECTION_LIMIT,
	                          (unsigned int)(srv->o.max_connections + 8 * srv->o.threads + 8),
	                          MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)srv->o.per_ip,
	                          MHD_OPTION_END);
	if (!srv->d) {
		ret = cc_err_set(err, CC_EIO, "cannot listen on %s:%u: %s", srv->o.host,
		                 (unsigned)srv->o.port, strerror(errno));
		goto out_free;
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_LISTEN_FD);
	if (!info || getsockname(info->listen_fd, (struct sockaddr *)&bound, &blen) != 0) {
		ret = cc_err_set(err, CC_EIO, "cannot read the listening port: %s",
		                 strerror(errno));
		MHD_stop_daemon(srv->d);
		goto out_free;
	}
	srv->port = ntohs(bound.sin_port);
	*out = srv;
	return 0;
out_free:
	free_server(srv);
	return ret;
}

uint16_t cc_server_port(const struct cc_server *srv)
{
	return srv->port;
}

void cc_server_stop(struct cc_server *srv)
{
	MHD_socket s;
	unsigned waited_ms = 0;

	if (!srv)
		return;
	cc__feed_shutdown(srv->feed); /* the streams end; their connections finish */
	s = MHD_quiesce_daemon(srv->d); /* no new connections from here on */
	if (s != MHD_INVALID_SOCKET)
		close(s);
	while (atomic_load(&srv->in_flight) > 0 && waited_ms < srv->o.grace_ms) {
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
		waited_ms += 10;
	}
	MHD_stop_daemon(srv->d);
	free_server(srv);
}
