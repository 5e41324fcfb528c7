/*
 * The PostgreSQL backend (libpq): the connection, errors, parameters, transactions, numbered
 * migrations, digest and count, the change log and the coverage read. The records of the core
 * are in postgres_core.c, the reporting rounds in postgres_rounds.c; every other domain is not
 * on PostgreSQL yet (its pointer is NULL: CC_EUNSUPPORTED). See docs/postgres.md.
 *
 * One connection per handle. Statements are unnamed (PQexecParams), so a transaction-mode
 * pooler may stand between. Writes run in the caller's transaction or in one of their own, as
 * on SQLite; a write transaction that met an error is aborted by the server, and a later
 * write or commit reports so instead of committing half of it.
 *
 * libpq allocates with malloc() and, like GDAL and GEOS, cannot be routed through cc_malloc():
 * its own allocation failures come back as a NULL result (CC_ENOMEM here) but are out of reach
 * of the allocation-failure tests. Each statement costs one PGresult; the import path allocates
 * nothing else per row.
 */
#include "store/backend_common.h"
#include "store/ops_export.h"
#include "store/ops_rounds.h"
#include "store/postgres_int.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/visibility.h>

#include "core/blob.h"
#include "core/digest.h"

#include "core/banned.h"

/* src/store/migrations/pg/NNNN_*.sql, embedded at build time (src/meson.build) */
extern const struct cc__blob cc__pg_migrations[];

/* Every transaction that migrates or appends to the change log holds this lock. */
#define LOCK_MIGRATE "SELECT pg_advisory_xact_lock(4242001)"
#define LOCK_CHANGE  "SELECT pg_advisory_xact_lock(4242002)"

/* The tables cc_store_count() knows (as on SQLite). */
static const char *const user_tables[] = {
	"activity", "area",      "area_alias",   "change",     "code_alias", "codelist",
	"mission",  "org_alias", "organisation", "pillar_map", "sector",     "source",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define PG_HOLDERS 4 /* domains whose rows may be held back at once */

struct pg_store {
	struct cc_store base;
	PGconn *conn;
	bool in_tx; /* between cc_store_begin() and its commit or rollback */
	bool expect_known; /* the last activity stored was known: look it up first */
	/* rows held back to send at once and their keepers, in the order they were held */
	const struct cc__pg_holder *holder[PG_HOLDERS];
	void *held[PG_HOLDERS];
	size_t n_held;
	char who[64];
	char name[128]; /* the database, for messages */
	/* the API's role (db_role= of the URI), quoted; "": none. Reads for a viewer other than
	 * the operator run under it, with the viewer in concord.* (row-level security) */
	char role[80];
	bool listening; /* LISTEN concord_feed was sent (cc_store_wait_change) */
	/* a read transaction begun but not sent yet (cc__pg_rx_enter): it goes with the first
	   statement of the read, in the same round trip */
	bool pending;
	struct begin_stmts {
		char begin[48];
		char viewer[640]; /* the role and the viewer's settings; "": none */
	} pend;
	/* a ROLLBACK sent but its answer not read yet (cc__pg_rx_leave) */
	bool draining;
};

static struct pg_store *to_pg(struct cc_store *st)
{
	return (struct pg_store *)st;
}

static PGconn *conn_of(struct pg_store *s);
static int send_pending(struct pg_store *s, struct cc_err *err);

/*
 * A caller that talks to the connection itself (COPY) gets it inside the read transaction the
 * handle has begun: what was pending is sent first. Should that fail, the transaction is aborted
 * (or the connection broken), so whatever the caller sends next fails too instead of running
 * outside the transaction and its role.
 */
PGconn *cc__pg_conn(struct cc_store *st)
{
	struct pg_store *s = to_pg(st);
	PGconn *c = conn_of(s);

	if (s->pending)
		(void)send_pending(s, NULL);
	return c;
}

bool *cc__pg_expect_known(struct cc_store *st)
{
	return &to_pg(st)->expect_known;
}

/* ---- rows held back (postgres_int.h) ---- */

static void drop_held(struct pg_store *s)
{
	size_t n = s->n_held;

	s->n_held = 0;
	for (size_t i = 0; i < n; i++)
		s->holder[i]->drop(s->held[i]);
}

int cc__pg_flush(struct cc_store *st, struct cc_err *err)
{
	struct pg_store *s = to_pg(st);
	const struct cc__pg_holder *h[PG_HOLDERS];
	void *held[PG_HOLDERS];
	size_t n = s->n_held;
	int ret = 0;

	/* their statements run as any other: nothing is held while they go, in order */
	for (size_t i = 0; i < n; i++) {
		h[i] = s->holder[i];
		held[i] = s->held[i];
	}
	s->n_held = 0;
	for (size_t i = 0; i < n; i++) {
		if (ret == 0)
			ret = h[i]->flush(st, held[i], err);
		h[i]->drop(held[i]);
	}
	return ret;
}

/* The slot of h's rows, or s->n_held. */
static size_t held_slot(const struct pg_store *s, const struct cc__pg_holder *h)
{
	size_t i = 0;

	while (i < s->n_held && s->holder[i] != h)
		i++;
	return i;
}

int cc__pg_hold(struct cc_store *st, const struct cc__pg_holder *h, void *held,
                struct cc_err *err)
{
	struct pg_store *s = to_pg(st);
	size_t i = held_slot(s, h);
	int ret;

	if (i < s->n_held) {
		if (s->held[i] != held)
			h->drop(s->held[i]);
		s->held[i] = held;
		return 0;
	}
	if (s->n_held == PG_HOLDERS && (ret = cc__pg_flush(st, err)) < 0) {
		h->drop(held);
		return ret;
	}
	s->holder[s->n_held] = h;
	s->held[s->n_held++] = held;
	return 0;
}

/* Whether sql names a table of the rows h holds (a word of it: "need" is not "needs"). */
static bool names_held(const struct cc__pg_holder *h, const char *sql)
{
	for (const char *const *t = h->tables; t && *t; t++) {
		size_t n = strlen(*t);

		for (const char *p = strstr(sql, *t); p; p = strstr(p + 1, *t)) {
			char before = p > sql ? p[-1] : ' ', after = p[n];

			if (!(before == '_' || (before >= 'a' && before <= 'z')) &&
			    !(after == '_' || (after >= 'a' && after <= 'z')))
				return true;
		}
	}
	return false;
}

/*
 * Whether the write sql may run before h's rows are sent: h keeps writes (writes_kept), sql
 * does not name its tables, and every table sql inserts into or updates is one h keeps (the
 * statement begins INSERT, UPDATE or WITH and deletes nothing; keywords in capitals, as this
 * code writes them). Anything else sends the rows first.
 */
static bool keeps_write(const struct cc__pg_holder *h, const char *sql)
{
	static const char *const verbs[] = { "INSERT INTO ", "UPDATE " };
	bool any = false;

	if (!h->writes_kept || names_held(h, sql) ||
	    (strncmp(sql, "INSERT INTO ", 12) != 0 && strncmp(sql, "UPDATE ", 7) != 0 &&
	     strncmp(sql, "WITH ", 5) != 0) ||
	    strstr(sql, "DELETE") || strstr(sql, "TRUNCATE"))
		return false;
	for (size_t v = 0; v < N_OF(verbs); v++) {
		size_t vn = strlen(verbs[v]);

		for (const char *p = strstr(sql, verbs[v]); p; p = strstr(p + vn, verbs[v])) {
			const char *t = p + vn;
			size_t n = strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789_");
			char c = p > sql ? p[-1] : ' ';
			bool listed = false;

			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '_')
				continue; /* the end of another word */
			if (!strncmp(t, "SET ", 4))
				continue; /* ON CONFLICT … DO UPDATE SET: the insert's own table */
			for (const char *const *k = h->writes_kept; *k && !listed; k++)
				listed = n && strlen(*k) == n && !strncmp(*k, t, n);
			if (!listed)
				return false;
			any = true;
		}
	}
	return any;
}

/* Whether sql must wait for the held rows: a write not every holder keeps, or a read that
 * names a held table. */
static bool waits_for_held(const struct pg_store *s, const char *sql)
{
	/* a statement that opens with a parenthesis is a query too ("(SELECT …) UNION …") */
	bool read = strncmp(sql, "SELECT", 6) == 0 || strncmp(sql, "(SELECT", 7) == 0;

	for (size_t i = 0; i < s->n_held; i++)
		if (read ? names_held(s->holder[i], sql) : !keeps_write(s->holder[i], sql))
			return true;
	return false;
}

void *cc__pg_held(struct cc_store *st, const struct cc__pg_holder *h)
{
	struct pg_store *s = to_pg(st);
	size_t i = held_slot(s, h);

	return i < s->n_held ? s->held[i] : NULL;
}

void *cc__pg_unhold(struct cc_store *st, const struct cc__pg_holder *h)
{
	struct pg_store *s = to_pg(st);
	size_t i = held_slot(s, h);
	void *held;

	if (i == s->n_held)
		return NULL;
	held = s->held[i];
	for (s->n_held--; i < s->n_held; i++) {
		s->holder[i] = s->holder[i + 1];
		s->held[i] = s->held[i + 1];
	}
	return held;
}

/* ---- parameters ---- */

static void add(struct cc__pg_params *p, const char *v, int len, int format)
{
	assert(p->n < CC__PG_MAX_PARAMS);
	p->values[p->n] = v;
	p->lengths[p->n] = len;
	p->formats[p->n] = format;
	p->n++;
}

void cc__pg_text(struct cc__pg_params *p, const char *v)
{
	add(p, v && *v ? v : NULL, 0, 0);
}

void cc__pg_str(struct cc__pg_params *p, const char *v)
{
	add(p, v ? v : "", 0, 0);
}

void cc__pg_i64(struct cc__pg_params *p, int64_t v)
{
	assert(p->n < CC__PG_MAX_PARAMS);
	snprintf(p->buf[p->n], sizeof(p->buf[0]), "%" PRId64, v);
	add(p, p->buf[p->n], 0, 0);
}

void cc__pg_id(struct cc__pg_params *p, int64_t v)
{
	if (v == 0)
		cc__pg_null(p);
	else
		cc__pg_i64(p, v);
}

void cc__pg_date(struct cc__pg_params *p, int32_t v)
{
	if (v == CC_DATE_NONE)
		cc__pg_null(p);
	else
		cc__pg_i64(p, v);
}

void cc__pg_num(struct cc__pg_params *p, double v)
{
	assert(p->n < CC__PG_MAX_PARAMS);
	if (isnan(v)) {
		cc__pg_null(p);
		return;
	}
	if (isinf(v))
		snprintf(p->buf[p->n], sizeof(p->buf[0]), "%s", v > 0 ? "Infinity" : "-Infinity");
	else /* 17 significant digits: the same double on the server */
		snprintf(p->buf[p->n], sizeof(p->buf[0]), "%.17g", v);
	add(p, p->buf[p->n], 0, 0);
}

void cc__pg_bool(struct cc__pg_params *p, bool v)
{
	add(p, v ? "true" : "false", 0, 0);
}

void cc__pg_null(struct cc__pg_params *p)
{
	add(p, NULL, 0, 0);
}

void cc__pg_blob(struct cc__pg_params *p, const void *v, size_t len)
{
	if (!v) {
		cc__pg_null(p);
		return;
	}
	assert(len <= INT32_MAX);
	add(p, v, (int)len, 1);
}

/* ---- errors ---- */

int cc__pg_error(struct cc_store *st, const PGresult *res, struct cc_err *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (!msg || !*msg)
		msg = PQerrorMessage(to_pg(st)->conn);
	if (!res || PQstatus(to_pg(st)->conn) == CONNECTION_BAD)
		return cc_err_set(err, CC_EIO, "PostgreSQL: %s", msg && *msg ? msg : "no connection");
	if (!state)
		return cc_err_set(err, CC_ESTORE, "PostgreSQL: %s", msg);
	/* serialization failure, deadlock, lock timeout: try again */
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
		return cc_err_set(err, CC_EBUSY, "PostgreSQL: %s", msg);
	if (!strcmp(state, "53200"))
		return cc_err_set(err, CC_ENOMEM, "out of memory (PostgreSQL server)");
	/* the server's disk: said as SQLite says a full store, so that the same words mean the
	   same on both backends */
	if (!strcmp(state, "53100"))
		return cc_err_set(err, CC_EIO,
		                  "the store is full (the PostgreSQL server's disk: %s); nothing of "
		                  "this transaction was stored",
		                  msg);
	/* insufficient resources (disk full), connection exceptions, operator intervention */
	if (!strncmp(state, "53", 2) || !strncmp(state, "08", 2) || !strncmp(state, "57", 2))
		return cc_err_set(err, CC_EIO,
		                  "PostgreSQL: %s; nothing of this transaction was stored", msg);
	return cc_err_set(err, CC_ESTORE, "PostgreSQL: %s", msg);
}

int cc__pg_unsupported(struct cc_err *err, const char *what)
{
	return cc_err_set(err, CC_EUNSUPPORTED, "%s: not yet supported on PostgreSQL", what);
}

static void rollback_now(struct pg_store *s);
static bool as_role(const struct pg_store *s);

/* One statement of a pipeline: sql with p (NULL: none); *out (NULL: not wanted) its rows. */
struct pl_stmt {
	const char *sql;
	const struct cc__pg_params *p;
	bool binary;
	PGresult **out;
};

/* The error of a pipeline that could not be sent or read: the connection's. */
static int pipeline_error(struct pg_store *s, struct cc_err *err)
{
	return cc__pg_error(&s->base, NULL, err);
}

/*
 * Runs the n statements of q in one round trip: libpq's pipeline mode with one Sync at the end,
 * so that a transaction-mode pooler sees a single exchange (and keeps the server connection
 * only while a transaction stays open after it). After an error the server skips the rest up to
 * the Sync; the first error is returned and every *out is NULL. A transaction begun by one of
 * the statements stays as the server left it (aborted after an error): the caller rolls back.
 */
static int exec_pipeline(struct pg_store *s, const struct pl_stmt *q, int n, struct cc_err *err)
{
	PGconn *c = conn_of(s);
	int ret = 0, i;

	for (i = 0; i < n; i++)
		if (q[i].out)
			*q[i].out = NULL;
	if (!PQenterPipelineMode(c))
		return pipeline_error(s, err);
	for (i = 0; i < n; i++) {
		const struct cc__pg_params *p = q[i].p;

		if (!PQsendQueryParams(c, q[i].sql, p ? p->n : 0, NULL, p ? p->values : NULL,
		                       p ? p->lengths : NULL, p ? p->formats : NULL,
		                       q[i].binary ? 1 : 0))
			break;
	}
	if (i < n || !PQpipelineSync(c)) {
		/* nothing can be read back in order: the connection is unusable */
		ret = pipeline_error(s, err);
		PQexitPipelineMode(c);
		return ret;
	}
	/* each statement's result, then NULL; then the Sync's */
	for (i = 0; i <= n; i++) {
		PGresult *res = PQgetResult(c);
		ExecStatusType rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

		if (!res) {
			ret = ret < 0 ? ret : pipeline_error(s, err);
			break;
		}
		if (i == n || rs == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			if (rs != PGRES_PIPELINE_SYNC && ret == 0)
				ret = cc_err_set(err, CC_EIO,
				                 "PostgreSQL: unexpected result in a pipeline");
			break;
		}
		if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK) {
			if (q[i].out && ret == 0) {
				*q[i].out = res;
				res = NULL;
			}
		} else if (rs != PGRES_PIPELINE_ABORTED && ret == 0) {
			ret = cc__pg_error(&s->base, res, err);
		}
		PQclear(res);
		while ((res = PQgetResult(c))) /* the end of statement i */
			PQclear(res);
	}
	if (!PQexitPipelineMode(c) && ret == 0)
		ret = pipeline_error(s, err);
	if (ret < 0)
		for (i = 0; i < n; i++)
			if (q[i].out) {
				PQclear(*q[i].out);
				*q[i].out = NULL;
			}
	return ret;
}

/*
 * The statements that begin a transaction with begin ("BEGIN …"): for a read under the API's
 * role also one that takes the role and sets the viewer as the settings the row-level security
 * policies read (pg/0009_rls.sql), set_config(…, true) being SET LOCAL. All of it ends with the
 * transaction, so a transaction-mode pooler may stand between.
 */
static void begin_stmts(const struct pg_store *s, const char *begin, struct begin_stmts *b)
{
	const struct cc_viewer *v = &s->base.viewer;
	const char *kind = "public";
	char org[24] = "", mission[24] = "";

	snprintf(b->begin, sizeof(b->begin), "%s", begin);
	b->viewer[0] = '\0';
	if (!as_role(s))
		return;
	switch (v->kind) {
	case CC_VIEWER_OPERATOR:
		kind = "operator";
		break;
	case CC_VIEWER_ORG:
		kind = "org";
		break;
	case CC_VIEWER_PARTNERS:
		kind = "partners";
		break;
	case CC_VIEWER_PUBLIC:
		kind = "public";
		break;
	}
	if (v->kind == CC_VIEWER_ORG && v->org_id)
		snprintf(org, sizeof(org), "%lld", (long long)v->org_id);
	if (v->mission_id)
		snprintf(mission, sizeof(mission), "%lld", (long long)v->mission_id);
	/* s->role is the name quoted (take_role: letters, digits and _ only); set_config() takes
	   it bare */
	snprintf(b->viewer, sizeof(b->viewer),
	         "SELECT set_config('role', '%.*s', true), set_config('concord.viewer', '%s', "
	         "true), set_config('concord.org_id', '%s', true), set_config('concord.mission_id', "
	         "'%s', true), set_config('concord.kinds', '%u', true), "
	         "set_config('concord.member', '%s', true)",
	         (int)strlen(s->role) - 2, s->role + 1, kind, org, mission, v->kinds,
	         v->member ? "true" : "false");
}

/* Adds the statements of b to q (at most 2), the BEGIN unless begin is false; how many. */
static int add_begin(const struct begin_stmts *b, bool begin, struct pl_stmt *q)
{
	int n = 0;

	if (begin)
		q[n++] = (struct pl_stmt){ .sql = b->begin };
	if (b->viewer[0])
		q[n++] = (struct pl_stmt){ .sql = b->viewer };
	return n;
}

/* Sends the pending read transaction's beginning on its own (before a COPY or a script). */
static int send_pending(struct pg_store *s, struct cc_err *err)
{
	struct pl_stmt q[2];

	s->pending = false;
	return exec_pipeline(s, q, add_begin(&s->pend, true, q), err);
}

/*
 * The connection, ready for a statement: the answer of a ROLLBACK sent without waiting
 * (cc__pg_rx_leave) is read first. Every statement sent on the connection goes through here.
 */
static PGconn *conn_of(struct pg_store *s)
{
	PGresult *res;

	if (s->draining) {
		s->draining = false;
		while ((res = PQgetResult(s->conn)))
			PQclear(res);
	}
	return s->conn;
}

/* The transaction status as the handle's callers see it: a pending beginning counts as begun. */
static PGTransactionStatusType tx_status(struct pg_store *s)
{
	PGconn *c = conn_of(s);

	return s->pending ? PQTRANS_INTRANS : PQtransactionStatus(c);
}

static int exec_now(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                    bool binary, PGresult **out, struct cc_err *err)
{
	struct pg_store *s = to_pg(st);
	PGresult *res;
	ExecStatusType rs;
	int ret;

	if (out)
		*out = NULL;
	/* rows held back go first, unless this only reads other tables or writes tables every
	   holder keeps (postgres_int.h) */
	if (s->n_held && waits_for_held(s, sql) && (ret = cc__pg_flush(st, err)) < 0)
		return ret;
	/* the first statement of a read transaction takes its beginning along */
	if (s->pending) {
		struct pl_stmt q[3];
		int n = add_begin(&s->pend, true, q);

		s->pending = false;
		q[n++] = (struct pl_stmt){ .sql = sql, .p = p, .binary = binary, .out = out };
		return exec_pipeline(s, q, n, err);
	}
	res = PQexecParams(conn_of(s), sql, p ? p->n : 0, NULL, p ? p->values : NULL,
	                   p ? p->lengths : NULL, p ? p->formats : NULL, binary ? 1 : 0);
	if (!res)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	rs = PQresultStatus(res);
	if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
		ret = cc__pg_error(st, res, err);
		PQclear(res);
		return ret;
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return 0;
}

/* Whether the handle reads under the API's role: a role is set and the viewer is not the
 * operator (the operator, and every write, run as the tables' owner). */
static bool as_role(const struct pg_store *s)
{
	return s->role[0] && s->base.viewer.kind != CC_VIEWER_OPERATOR;
}

/* A statement that only reads: SELECT, or WITH without a data-modifying part. */
static bool only_reads(const char *sql)
{
	if (strncmp(sql, "SELECT", 6) == 0)
		return true;
	return strncmp(sql, "WITH", 4) == 0 && !strstr(sql, "INSERT INTO") &&
	       !strstr(sql, "UPDATE ") && !strstr(sql, "DELETE FROM");
}

int cc__pg_exec(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                bool binary, PGresult **out, struct cc_err *err)
{
	struct pg_store *s = to_pg(st);

	/*
	 * A read outside any transaction, for a viewer, under the API's role: in a transaction of
	 * its own that sets the role and the viewer (SET LOCAL), so row-level security applies to
	 * it as to the reads of a snapshot (cc__pg_rx_enter). Both statements go in one pipeline,
	 * which the server runs as one implicit transaction ending at its Sync: one round trip,
	 * and no BEGIN or COMMIT to send.
	 */
	if (as_role(s) && !s->n_held && tx_status(s) == PQTRANS_IDLE && only_reads(sql)) {
		struct begin_stmts b;
		struct pl_stmt q[2];
		int n;

		begin_stmts(s, "BEGIN", &b);
		n = add_begin(&b, false, q);
		q[n++] = (struct pl_stmt){ .sql = sql, .p = p, .binary = binary, .out = out };
		return exec_pipeline(s, q, n, err);
	}
	return exec_now(st, sql, p, binary, out, err);
}

/* Runs SQL text of several statements (a migration): the simple query protocol. */
static int exec_script(struct pg_store *s, const char *sql, const char *what, struct cc_err *err)
{
	PGresult *res;
	ExecStatusType rs;
	int ret = 0;

	if (s->pending && (ret = send_pending(s, err)) < 0)
		return ret;
	res = PQexec(conn_of(s), sql);
	rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
		struct cc_err e = { 0 };

		ret = cc__pg_error(&s->base, res, &e);
		cc_err_set(err, ret, "%s%s%s", what ? what : "", what ? ": " : "", e.msg);
	}
	PQclear(res);
	return ret;
}

/* ---- columns ---- */

bool cc__pg_col_null(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) != 0;
}

const char *cc__pg_cstr(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? "" : PQgetvalue(res, r, c);
}

const char *cc__pg_text_or_null(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
}

void cc__pg_col_str(const PGresult *res, int r, int c, char *dst, size_t n)
{
	snprintf(dst, n, "%s", cc__pg_cstr(res, r, c));
}

int64_t cc__pg_col_i64(const PGresult *res, int r, int c)
{
	const char *v = PQgetvalue(res, r, c);

	if (PQgetisnull(res, r, c))
		return 0;
	if (*v == 't' || *v == 'f') /* a boolean */
		return *v == 't';
	return (int64_t)strtoll(v, NULL, 10);
}

int32_t cc__pg_col_date(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? CC_DATE_NONE : (int32_t)cc__pg_col_i64(res, r, c);
}

double cc__pg_col_num(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? (double)NAN : strtod(PQgetvalue(res, r, c), NULL);
}

int64_t cc__pg_changes(const PGresult *res)
{
	const char *n = res ? PQcmdTuples((PGresult *)res) : "";

	return *n ? (int64_t)strtoll(n, NULL, 10) : 0;
}

/* ---- transactions ---- */

static int run(struct pg_store *s, const char *sql, struct cc_err *err)
{
	return cc__pg_exec(&s->base, sql, NULL, false, NULL, err);
}

static int aborted_error(struct cc_err *err)
{
	return cc_err_set(err, CC_ESTORE, "the transaction was rolled back after an earlier error");
}

static void rollback_now(struct pg_store *s)
{
	s->pending = false; /* nothing of it was sent */
	drop_held(s);
	if (tx_status(s) != PQTRANS_IDLE)
		(void)run(s, "ROLLBACK", NULL);
}

int cc__pg_tx_enter(struct cc_store *st, bool *own, struct cc_err *err)
{
	struct pg_store *s = to_pg(st);
	PGTransactionStatusType ts = tx_status(s);
	int ret;

	*own = false;
	if (ts == PQTRANS_INERROR)
		return aborted_error(err);
	if (s->in_tx) {
		if (ts != PQTRANS_INTRANS)
			return aborted_error(err);
		return 0;
	}
	if (ts == PQTRANS_INTRANS)
		return 0; /* inside a write that began its own transaction: join it */
	ret = run(s, "BEGIN", err);
	if (ret == 0)
		*own = true;
	return ret;
}

int cc__pg_tx_leave(struct cc_store *st, bool own, int ret, struct cc_err *err)
{
	struct pg_store *s = to_pg(st);

	if (!own)
		return ret;
	if (ret == 0 && tx_status(s) == PQTRANS_INERROR)
		ret = aborted_error(err);
	if (ret == 0)
		ret = run(s, "COMMIT", err);
	if (ret < 0)
		rollback_now(s);
	return ret;
}

/*
 * One snapshot for every statement of the read (under the API's role, if any). Nothing is sent
 * yet: the beginning goes with the read's first statement (exec_now), and a read that sends
 * none costs no round trip at all.
 */
int cc__pg_rx_enter(struct cc_store *st, bool *own, struct cc_err *err)
{
	struct pg_store *s = to_pg(st);
	int ret;

	*own = false;
	if (tx_status(s) != PQTRANS_IDLE)
		return 0;
	/* rows held back are sent as the owner, before the role is taken */
	if (as_role(s) && (ret = cc__pg_flush(st, err)) < 0)
		return ret;
	begin_stmts(s, "BEGIN ISOLATION LEVEL REPEATABLE READ", &s->pend);
	s->pending = true;
	*own = true;
	return 0;
}

/*
 * The read wrote nothing: its ROLLBACK is sent without waiting for the answer, which the next
 * use of the connection reads (conn_of), so the caller's request does not wait for that round
 * trip. The server ends the transaction as soon as the ROLLBACK arrives, which is all a
 * transaction-mode pooler waits for.
 */
void cc__pg_rx_leave(struct cc_store *st, bool own)
{
	struct pg_store *s = to_pg(st);

	if (!own)
		return;
	s->pending = false;
	drop_held(s);
	if (tx_status(s) == PQTRANS_IDLE)
		return;
	if (PQsendQuery(conn_of(s), "ROLLBACK"))
		s->draining = true;
	else
		rollback_now(s);
}

int cc__pg_write(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                 struct cc_err *err)
{
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = cc__pg_exec(st, sql, p, false, NULL, err);
	return cc__pg_tx_leave(st, own, ret, err);
}

int cc__pg_upsert_id(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                     int64_t *id_out, const char *what, const char *key, struct cc_err *err)
{
	PGresult *res = NULL;
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = cc__pg_exec(st, sql, p, false, &res, err);
	if (ret == 0 && PQntuples(res) < 1)
		ret = cc_err_set(err, CC_ESTORE, "%s '%s' was not stored", what, key);
	if (ret == 0)
		*id_out = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return cc__pg_tx_leave(st, own, ret, err);
}

int cc__pg_rows(struct cc_store *st, const char *sql, const struct cc__pg_params *p, size_t size,
                PGresult **res, void **out, size_t *n_out, struct cc_err *err)
{
	void *rows = NULL;
	int ret, n;

	*res = NULL;
	if ((ret = cc__pg_exec(st, sql, p, false, res, err)) < 0)
		return ret;
	n = PQntuples(*res);
	if (n > 0 && !(rows = cc_alloc_array((size_t)n, size))) {
		PQclear(*res);
		*res = NULL;
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	*out = rows;
	*n_out = (size_t)n;
	return 0;
}

static int pg_begin(struct cc_store *st, struct cc_err *err)
{
	struct pg_store *s = to_pg(st);
	int ret;

	if (s->in_tx)
		return cc_err_set(err, CC_EUSAGE, "a transaction is already open");
	ret = run(s, "BEGIN", err);
	if (ret == 0)
		s->in_tx = true;
	return ret;
}

static int pg_commit(struct cc_store *st, struct cc_err *err)
{
	struct pg_store *s = to_pg(st);
	int ret;

	if (!s->in_tx)
		return cc_err_set(err, CC_EUSAGE, "no transaction is open");
	s->in_tx = false;
	/* COMMIT of an aborted transaction rolls back without an error: say so */
	if (tx_status(s) != PQTRANS_INTRANS) {
		rollback_now(s);
		return aborted_error(err);
	}
	ret = run(s, "COMMIT", err);
	if (ret < 0)
		rollback_now(s);
	return ret;
}

static void pg_rollback(struct cc_store *st)
{
	struct pg_store *s = to_pg(st);

	s->in_tx = false;
	rollback_now(s);
}

/* The store's one writer lock: the change log's, which every write takes before it commits. */
static int pg_lock_writers(struct cc_store *st, struct cc_err *err)
{
	return run(to_pg(st), LOCK_CHANGE, err);
}

static int pg_savepoint(struct cc_store *st, int what, struct cc_err *err)
{
	struct pg_store *s = to_pg(st);
	int ret;

	if (what == 0)
		return run(s, "SAVEPOINT cc_nest", err);
	if (what == 1)
		return run(s, "RELEASE SAVEPOINT cc_nest", err);
	drop_held(s); /* rows held back for the rolled-back part */
	if ((ret = run(s, "ROLLBACK TO SAVEPOINT cc_nest", err)) < 0)
		return ret;
	return run(s, "RELEASE SAVEPOINT cc_nest", err);
}

/* ---- schema ---- */

/*
 * The applied version: the highest of schema_migration, 0 when the table is absent. *empty_out
 * says whether the schema holds no table of its own (a database fit to become a store).
 */
static int applied_version(struct pg_store *s, int *out, bool *empty_out, struct cc_err *err)
{
	PGresult *res = NULL;
	int ret;

	*out = 0;
	if (empty_out)
		*empty_out = false;
	ret = cc__pg_exec(&s->base,
	                  "SELECT to_regclass('schema_migration') IS NOT NULL, (SELECT count(*) "
	                  "FROM pg_class c WHERE c.relnamespace = "
	                  "current_schema()::text::regnamespace AND c.relkind IN ('r', 'p') AND "
	                  "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
	                  "'pg_class'::regclass AND d.objid = c.oid AND "
	                  "d.deptype = 'e'))",
	                  NULL, false, &res, err);
	if (ret < 0)
		return ret;
	if (empty_out)
		*empty_out = cc__pg_col_i64(res, 0, 1) == 0;
	if (cc__pg_col_i64(res, 0, 0)) {
		PQclear(res);
		ret = cc__pg_exec(&s->base, "SELECT coalesce(max(version), 0) FROM schema_migration",
		                  NULL, false, &res, err);
		if (ret < 0)
			return ret;
		*out = (int)cc__pg_col_i64(res, 0, 0);
	}
	PQclear(res);
	return 0;
}

static int pg_schema_version(struct cc_store *st, int *have_out, int *want_out,
                             struct cc_err *err)
{
	int want = cc__migrations_count(cc__pg_migrations, err);

	*have_out = 0;
	*want_out = 0;
	if (want < 0)
		return want;
	*want_out = want;
	return applied_version(to_pg(st), have_out, NULL, err);
}

/* Applies the missing migrations, each recorded in schema_migration, in one transaction. */
static int pg_migrate(struct cc_store *st, int *from_out, int *to_out, struct cc_err *err)
{
	struct pg_store *s = to_pg(st);
	int want = cc__migrations_count(cc__pg_migrations, err), have = 0, ret;
	bool empty = false;
	char what[160], at[32];

	*from_out = 0;
	*to_out = 0;
	if (want < 0)
		return want;
	if (s->in_tx)
		return cc_err_set(err, CC_EUSAGE, "cannot migrate inside a transaction");
	if ((ret = run(s, "BEGIN", err)) < 0)
		return ret;
	/* two programs migrating at once: the second waits, then finds nothing to do */
	if ((ret = run(s, LOCK_MIGRATE, err)) < 0 ||
	    (ret = applied_version(s, &have, &empty, err)) < 0)
		goto out_rollback;
	*from_out = have;
	*to_out = have;
	if (have > want) {
		ret = cc__schema_newer(have, want, err);
		goto out_rollback;
	}
	if (have == want)
		goto out_rollback; /* nothing to do */
	if (have == 0 && !empty) {
		ret = cc_err_set(err, CC_ESCHEMA,
		                 "database '%s' is not a concord store: its schema holds tables "
		                 "but no schema version",
		                 s->name);
		goto out_rollback;
	}
	if (have == 0 &&
	    (ret = run(s,
	               "CREATE TABLE schema_migration (version integer PRIMARY KEY, "
	               "name text NOT NULL, applied_at text NOT NULL)",
	               err)) < 0)
		goto out_rollback;
	cc__store_now_iso(at);
	for (int v = have; v < want; v++) {
		struct cc__pg_params p = CC__PG_PARAMS_INIT;

		snprintf(what, sizeof(what), "migration '%s' failed", cc__pg_migrations[v].name);
		ret = exec_script(s, (const char *)cc__pg_migrations[v].data, what, err);
		if (ret < 0)
			goto out_rollback;
		cc__pg_i64(&p, v + 1);
		cc__pg_str(&p, cc__pg_migrations[v].name);
		cc__pg_str(&p, at);
		ret = cc__pg_exec(st,
		                  "INSERT INTO schema_migration (version, name, applied_at) "
		                  "VALUES ($1, $2, $3)",
		                  &p, false, NULL, err);
		if (ret < 0)
			goto out_rollback;
	}
	if ((ret = run(s, "COMMIT", err)) < 0)
		goto out_rollback;
	*to_out = want;
	return 0;
out_rollback:
	rollback_now(s);
	return ret;
}

/* ---- open and close ---- */

static void pg_close(struct cc_store *st)
{
	struct pg_store *s = to_pg(st);

	if (!s)
		return;
	drop_held(s);
	PQfinish(s->conn); /* the server rolls back an open transaction */
	cc_free(s);
}

/*
 * Where the password of dsn ("//user:password@host…") starts and its length, 0 when it has
 * none: it never goes into a message.
 */
static size_t dsn_password(const char *dsn, size_t *len_out)
{
	size_t end, at, colon;

	*len_out = 0;
	if (strncmp(dsn, "//", 2) != 0)
		return 0;
	end = 2 + strcspn(dsn + 2, "/?#");
	at = 2 + strcspn(dsn + 2, "@");
	if (at >= end)
		return 0;
	colon = 2 + strcspn(dsn + 2, ":");
	if (colon >= at)
		return 0;
	*len_out = at - colon - 1;
	return colon + 1;
}

/*
 * The database of dsn for messages, without a password: "host:port/db", or, for a URI libpq
 * could not take apart, the URI as given without its password and options.
 */
static void describe(const char *dsn, PGconn *conn, char *out, size_t n)
{
	const char *db = conn ? PQdb(conn) : NULL;
	const char *host = conn ? PQhost(conn) : NULL;
	const char *port = conn ? PQport(conn) : NULL;
	size_t len = strcspn(dsn, "?"), pw_len, pw = dsn_password(dsn, &pw_len);

	if (db && *db)
		snprintf(out, n, "%s:%s/%s", host && *host ? host : "localhost",
		         port && *port ? port : "5432", db);
	else if (pw && pw < len)
		snprintf(out, n, "postgresql:%.*s%.*s", (int)(pw - 1), dsn,
		         (int)(len - pw - pw_len), dsn + pw + pw_len);
	else
		snprintf(out, n, "postgresql:%.*s", (int)len, dsn);
}

/* msg with every copy of dsn's password replaced by stars (libpq quotes a bad URI whole). */
static void hide_password(const char *dsn, char *msg)
{
	size_t pw_len, pw = dsn_password(dsn, &pw_len);

	if (!pw || !pw_len)
		return;
	for (char *p = msg; *p; p++) {
		if (strncmp(p, dsn + pw, pw_len) != 0)
			continue;
		if (pw_len < 3) { /* never longer than before */
			memset(p, '*', pw_len);
		} else {
			memcpy(p, "***", 3);
			memmove(p + 3, p + pw_len, strlen(p + pw_len) + 1);
		}
		p += (pw_len < 3 ? pw_len : 3) - 1;
	}
}

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * Takes "db_role=ROLE" out of the query of uri (libpq does not know it) into s->role, quoted.
 * A role name is letters, digits and '_' (as the operator creates it: unquoted, lower case).
 */
static int take_role(char *uri, size_t size, struct pg_store *s, struct cc_err *err)
{
	char *q = strchr(uri, '?'), rest[1024] = "";
	size_t n_rest = 0;

	if (!q)
		return 0;
	for (char *p = q + 1; *p;) {
		size_t n = strcspn(p, "&");

		if (n >= 8 && strncmp(p, "db_role=", 8) == 0) {
			size_t k = n - 8;

			if (k == 0 || k >= 64 || strspn(p + 8, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
			                              "XYZ0123456789_") < k)
				return cc_err_set(err, CC_EUSAGE,
				                  "db_role: '%.*s' is not a role name (letters, digits, "
				                  "'_')",
				                  (int)(k < 64 ? k : 64), p + 8);
			snprintf(s->role, sizeof(s->role), "\"%.*s\"", (int)k, p + 8);
		} else if (n) {
			n_rest += (size_t)snprintf(rest + n_rest, sizeof(rest) - n_rest, "%s%.*s",
			                           n_rest ? "&" : "", (int)n, p);
		}
		p += n + (p[n] == '&');
	}
	snprintf(q, size - (size_t)(q - uri), "%s%s", n_rest ? "?" : "", rest);
	return 0;
}

/*
 * With db_role: the role is one row-level security applies to (not a superuser, not BYPASSRLS,
 * not the tables' owner), the store's user may SET ROLE to it, the store has the policies and
 * the role may read its tables. Else reads under it would show everything, or fail later.
 */
static int check_role(struct pg_store *s, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	char name[64];
	PGresult *res = NULL;
	int ret;

	snprintf(name, sizeof(name), "%.*s", (int)strlen(s->role) - 2, s->role + 1);
	cc__pg_str(&p, name);
	ret = cc__pg_exec(
	        &s->base,
	        "SELECT r.oid IS NOT NULL, coalesce(r.rolsuper OR r.rolbypassrls, false), "
	        "r.oid IS NOT NULL AND pg_has_role(current_user, r.oid, 'MEMBER'), "
	        "coalesce(c.relowner = r.oid, false), coalesce(c.relrowsecurity, false), "
	        "(SELECT min(t.relname) FROM pg_class t WHERE t.relnamespace = "
	        "current_schema()::text::regnamespace AND t.relkind IN ('r', 'p') AND NOT "
	        "t.relispartition AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
	        "'pg_class'::regclass AND d.objid = t.oid AND d.deptype = 'e') AND r.oid IS NOT "
	        "NULL AND NOT has_table_privilege(r.oid, t.oid, 'SELECT')), current_user FROM "
	        "(SELECT $1::text AS n) x LEFT JOIN pg_roles r ON r.rolname = x.n LEFT JOIN "
	        "pg_class c ON c.oid = to_regclass('activity')",
	        &p, false, &res, err);
	if (ret < 0)
		return ret;
	if (!cc__pg_col_i64(res, 0, 0))
		ret = cc_err_set(err, CC_EUSAGE,
		                 "db_role: role '%s' does not exist in the database's cluster", name);
	else if (cc__pg_col_i64(res, 0, 1))
		ret = cc_err_set(err, CC_EUSAGE,
		                 "db_role: role '%s' is a superuser or has BYPASSRLS: row-level "
		                 "security would not apply to it",
		                 name);
	else if (cc__pg_col_i64(res, 0, 3))
		ret = cc_err_set(err, CC_EUSAGE,
		                 "db_role: role '%s' owns the store's tables: row-level security "
		                 "does not apply to it; give the API a role that owns nothing",
		                 name);
	else if (!cc__pg_col_i64(res, 0, 2))
		ret = cc_err_set(err, CC_EUSAGE,
		                 "db_role: user '%s' may not SET ROLE %s (GRANT %s TO %s)",
		                 cc__pg_cstr(res, 0, 6), name, name, cc__pg_cstr(res, 0, 6));
	else if (!cc__pg_col_i64(res, 0, 4))
		ret = cc_err_set(err, CC_ESCHEMA,
		                 "db_role: the store has no row-level security yet; run 'concord "
		                 "migrate'");
	else if (!cc__pg_col_null(res, 0, 5))
		ret = cc_err_set(err, CC_EUSAGE,
		                 "db_role: role '%s' may not read table '%s'; as the store's owner "
		                 "run: SELECT concord_grant_api('%s')",
		                 name, cc__pg_cstr(res, 0, 5), name);
	PQclear(res);
	return ret;
}

static int pg_open(struct cc_store **out, const char *dsn, const struct cc_store_opts *opts,
                   struct cc_err *err)
{
	static const char *const keys[] = { "dbname", "client_encoding",
		                             "fallback_application_name", NULL };
	struct pg_store *s;
	char uri[1024];
	const char *values[4];
	int ret, have = 0, want, from, to;

	*out = NULL;
	want = cc__migrations_count(cc__pg_migrations, err);
	if (want < 0)
		return want;
	/* store.c took the scheme off: "//host:port/db?options" */
	if ((size_t)snprintf(uri, sizeof(uri), "postgresql:%s", dsn) >= sizeof(uri))
		return cc_err_set(err, CC_EUSAGE, "PostgreSQL URI too long");
	s = cc_alloc_array(1, sizeof(*s));
	if (!s)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	s->base.ops = &cc__store_postgres;
	snprintf(s->who, sizeof(s->who), "%s", opts->who);
	if ((ret = take_role(uri, sizeof(uri), s, err)) < 0) {
		cc_free(s);
		return ret;
	}
	values[0] = uri;
	values[1] = "UTF8";
	values[2] = "concord";
	values[3] = NULL;
	s->conn = PQconnectdbParams(keys, values, 1);
	describe(dsn, s->conn, s->name, sizeof(s->name));
	if (!s->conn) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_close;
	}
	if (PQstatus(s->conn) != CONNECTION_OK) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(s->conn));
		msg[strcspn(msg, "\n")] = '\0';
		hide_password(dsn, msg);
		ret = cc_err_set(err, CC_EIO, "cannot connect to PostgreSQL store '%s': %s", s->name,
		                 msg);
		goto out_close;
	}
	/* the server's notices ("extension ... already exists, skipping") are not the user's
	   business: libpq would print them on stderr */
	PQsetNoticeProcessor(s->conn, ignore_notice, NULL);
	/* dates are day numbers and times are written by the program: the session's zone and
	   style matter only to messages, but keep them fixed */
	if ((ret = run(s, "SET TIME ZONE 'UTC'", err)) < 0)
		goto out_close;
	if ((opts->flags & CC_STORE_READONLY) &&
	    (ret = run(s, "SET default_transaction_read_only = on", err)) < 0)
		goto out_close;
	if ((ret = applied_version(s, &have, NULL, err)) < 0)
		goto out_close;
	if (have == 0 && (opts->flags & CC_STORE_CREATE)) {
		ret = pg_migrate(&s->base, &from, &to, err);
		if (ret < 0)
			goto out_close;
	} else if (have == 0) {
		ret = cc_err_set(err, CC_ENOTFOUND,
		                 "no concord store in PostgreSQL database '%s'; run 'concord init'",
		                 s->name);
		goto out_close;
	} else if ((ret = cc__schema_usable(have, want, opts->flags, err)) < 0) {
		goto out_close;
	}
	if (s->role[0] && (ret = check_role(s, err)) < 0)
		goto out_close;
	*out = &s->base;
	return 0;
out_close:
	pg_close(&s->base);
	return ret;
}

/* ---- digest and count ---- */

/*
 * The digest hashes every row of every table of the store's schema (but meta and
 * schema_migration) in key order, each value as SQLite's digest hashes it: its SQLite type
 * (integer, float, text, blob or null) and its bytes. Geometry is hashed as its WKB, as SQLite
 * stores it. So a table holding the same rows hashes alike on both backends; the store's
 * digests are equal when both hold the same tables, which they will once every domain is on
 * PostgreSQL (docs/postgres.md).
 */
enum { T_INTEGER = 1, T_FLOAT = 2, T_TEXT = 3, T_BLOB = 4, T_NULL = 5 }; /* SQLite's codes */

static void hash_u64(struct cc_sha256 *h, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	cc_sha256_update(h, b, sizeof(b));
}

/* PostgreSQL type oids (pg_type.h) as SQLite types. */
static unsigned char sqlite_type(Oid type)
{
	switch (type) {
	case 16: /* bool */
	case 20: /* int8 */
	case 21: /* int2 */
	case 23: /* int4 */
		return T_INTEGER;
	case 700:  /* float4 */
	case 701:  /* float8 */
	case 1700: /* numeric */
		return T_FLOAT;
	case 17: /* bytea */
		return T_BLOB;
	default:
		return T_TEXT;
	}
}

static void hash_value(struct cc_sha256 *h, const PGresult *res, int r, int c)
{
	unsigned char type = PQgetisnull(res, r, c) ? T_NULL : sqlite_type(PQftype(res, c));
	const char *v = PQgetvalue(res, r, c);
	double d;
	uint64_t u;
	size_t n;

	cc_sha256_update(h, &type, 1);
	switch (type) {
	case T_INTEGER:
		hash_u64(h, (uint64_t)cc__pg_col_i64(res, r, c));
		break;
	case T_FLOAT:
		d = strtod(v, NULL);
		memcpy(&u, &d, sizeof(u));
		hash_u64(h, u);
		break;
	case T_TEXT:
	case T_BLOB: /* binary results: bytea as its bytes */
		n = (size_t)PQgetlength(res, r, c);
		hash_u64(h, n);
		if (n)
			cc_sha256_update(h, v, n);
		break;
	default:
		break;
	}
}

/* Hashes every row of one table in key order. */
static int digest_table(struct pg_store *s, struct cc_sha256 *h, const char *table,
                        struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_buf sql = CC_BUF_INIT(0);
	PGresult *res = NULL;
	int ret;

	/* the select list (geometry as WKB) and the key, from the catalogue */
	cc__pg_str(&p, table);
	ret = cc__pg_exec(
	        &s->base,
	        "SELECT (SELECT string_agg(CASE WHEN t.typname = 'geometry' THEN "
	        "format('ST_AsBinary(%1$I, ''NDR'') AS %1$I', a.attname) ELSE format('%I', "
	        "a.attname) END, ', ' ORDER BY a.attnum) FROM pg_attribute a JOIN pg_type t ON "
	        "t.oid = a.atttypid WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT "
	        "a.attisdropped), (SELECT string_agg(CASE WHEN $1 = 'code_alias' AND "
	        "a.attname = 'alias' THEN 'lower(alias)' ELSE format('%I', a.attname) END, ', ' "
	        "ORDER BY k.n) FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH "
	        "ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum "
	        "= k.attnum WHERE i.indrelid = c.oid AND i.indisprimary) FROM pg_class c WHERE "
	        "c.oid = format('%I', $1::text)::regclass",
	        &p, false, &res, err);
	if (ret < 0)
		return ret;
	ret = cc_buf_addf(&sql, "SELECT %s FROM \"%s\" ORDER BY %s", cc__pg_cstr(res, 0, 0),
	                  table,
	                  !cc__pg_col_null(res, 0, 1) ? cc__pg_cstr(res, 0, 1)
	                  : strcmp(table, "code_alias") == 0 ? "list, lower(alias), scope"
	                                                      : "1");
	PQclear(res);
	res = NULL;
	if (ret < 0) {
		ret = cc_err_set(err, ret, "out of memory");
		goto out_free;
	}
	/* text results: numbers parsed, bytea (and WKB) unescaped to their bytes */
	if ((ret = cc__pg_exec(&s->base, sql.buf, NULL, false, &res, err)) < 0)
		goto out_free;
	cc_sha256_update(h, table, strlen(table) + 1);
	for (int r = 0; r < PQntuples(res); r++) {
		for (int c = 0; c < PQnfields(res); c++) {
			if (PQftype(res, c) == 17 && !PQgetisnull(res, r, c)) {
				/* a bytea in text form: its bytes */
				size_t n = 0;
				unsigned char *b = PQunescapeBytea(
				        (const unsigned char *)PQgetvalue(res, r, c), &n);
				unsigned char type = T_BLOB;

				if (!b) {
					ret = cc_err_set(err, CC_ENOMEM, "out of memory");
					goto out_free;
				}
				cc_sha256_update(h, &type, 1);
				hash_u64(h, n);
				if (n)
					cc_sha256_update(h, b, n);
				PQfreemem(b);
				continue;
			}
			hash_value(h, res, r, c);
		}
		cc_sha256_update(h, "\n", 1);
	}
out_free:
	PQclear(res);
	cc_buf_release(&sql);
	return ret;
}

static int pg_digest(struct cc_store *st, char out[static 65], struct cc_err *err)
{
	struct pg_store *s = to_pg(st);
	struct cc_sha256 h;
	PGresult *res = NULL;
	bool own;
	int ret;

	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	/* the schema's own tables, not an extension's (PostGIS's spatial_ref_sys); not a
	 * partition (its rows hash through its parent) nor incident_key (derived from incident);
	 * nor feedback_fts (the search's tsvector, as SQLite's digest leaves FTS5 tables out) */
	ret = cc__pg_exec(st,
	                  "SELECT c.relname FROM pg_class c WHERE c.relnamespace = "
	                  "current_schema()::text::regnamespace AND c.relkind IN ('r', 'p') AND "
	                  "NOT c.relispartition AND c.relname NOT IN ('meta', 'schema_migration', "
	                  "'incident_key', 'feedback_fts') AND NOT EXISTS (SELECT "
	                  "1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid "
	                  "= c.oid AND d.deptype = 'e') ORDER BY c.relname COLLATE \"C\"",
	                  NULL, false, &res, err);
	if (ret < 0)
		goto out_leave;
	cc_sha256_init(&h);
	for (int r = 0; r < PQntuples(res) && ret == 0; r++)
		ret = digest_table(s, &h, PQgetvalue(res, r, 0), err);
	if (ret == 0)
		cc_sha256_final_hex(&h, out);
out_leave:
	PQclear(res);
	cc__pg_rx_leave(st, own);
	return ret;
}

static int pg_count(struct cc_store *st, const char *table, int64_t *n_out, struct cc_err *err)
{
	PGresult *res = NULL;
	char sql[96];
	size_t i;
	int ret;

	for (i = 0; i < N_OF(user_tables); i++)
		if (strcmp(table, user_tables[i]) == 0)
			break;
	if (i == N_OF(user_tables))
		return cc_err_set(err, CC_EINVALID, "unknown table '%s'", table);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", user_tables[i]);
	if ((ret = cc__pg_exec(st, sql, NULL, false, &res, err)) < 0)
		return ret;
	*n_out = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

/* ---- the change log: the same chain as SQLite's (backend_common.c) ---- */

#define CHANGE_COLS                                                                      \
	"id, at, who, tbl, op, record_id, first_id, last_id, batch, count, mission_id, " \
	"releasability, detail, prev_hash, hash"

static int log_change(struct pg_store *s, const struct cc_change *c, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	char prev[65] = "", hash[65], at[32];
	PGresult *res = NULL;
	struct cc__change_entry e;
	int64_t id;
	int ret;

	/* one writer at a time appends: the chain has no forks */
	if ((ret = run(s, LOCK_CHANGE, err)) < 0 ||
	    (ret = cc__pg_exec(&s->base, "SELECT id, hash FROM change ORDER BY id DESC LIMIT 1",
	                       NULL, false, &res, err)) < 0)
		return ret;
	id = 1;
	if (PQntuples(res) > 0) {
		id = cc__pg_col_i64(res, 0, 0) + 1;
		cc__pg_col_str(res, 0, 1, prev, sizeof(prev));
	}
	PQclear(res);
	cc__change_entry_make(&e, id, c, s->base.actor[0] ? s->base.actor : s->who, prev, at);
	cc__change_hash(&e, hash);

	cc__pg_i64(&p, e.id);
	cc__pg_text(&p, e.at);
	cc__pg_str(&p, e.who);
	cc__pg_str(&p, e.tbl);
	cc__pg_str(&p, e.op);
	cc__pg_id(&p, e.record_id);
	cc__pg_id(&p, e.first_id);
	cc__pg_id(&p, e.last_id);
	cc__pg_id(&p, e.batch);
	cc__pg_i64(&p, e.count);
	cc__pg_id(&p, e.mission_id);
	cc__pg_str(&p, e.releasability);
	cc__pg_text(&p, e.detail);
	cc__pg_str(&p, e.prev_hash);
	cc__pg_str(&p, hash);
	return cc__pg_exec(&s->base,
	                   "INSERT INTO change (" CHANGE_COLS ") VALUES ($1, $2, $3, $4, $5, $6, "
	                   "$7, $8, $9, $10, $11, $12, $13, $14, $15)",
	                   &p, false, NULL, err);
}

static int pg_log_change(struct cc_store *st, const struct cc_change *c, struct cc_err *err)
{
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = log_change(to_pg(st), c, err);
	return cc__pg_tx_leave(st, own, ret, err);
}

/*
 * Waits for a commit to the change log: the migration's trigger NOTIFYs concord_feed with each
 * append, delivered at commit. The handle LISTENs from its first call on (a session of its own:
 * through a transaction-mode pooler the LISTEN would be lost, and the caller's poll remains).
 * Notifications that arrived during other statements are queued by libpq and count too.
 */
static bool notified(PGconn *conn)
{
	PGnotify *n;
	bool any = false;

	while ((n = PQnotifies(conn))) {
		any = true;
		PQfreemem(n);
	}
	return any;
}

static int pg_wait_change(struct cc_store *st, int fd, int timeout_ms, struct cc_err *err)
{
	struct pg_store *s = to_pg(st);
	PGconn *c = conn_of(s);
	struct pollfd p[2] = { { .fd = PQsocket(c), .events = POLLIN },
		               { .fd = fd, .events = POLLIN } };
	int ret;

	if (!s->listening) {
		if (tx_status(s) != PQTRANS_IDLE)
			return cc_err_set(err, CC_EUSAGE, "cannot listen inside a transaction");
		if ((ret = run(s, "LISTEN concord_feed", err)) < 0)
			return ret;
		s->listening = true;
	}
	if (notified(c))
		return 1;
	if (p[0].fd < 0)
		return cc_err_set(err, CC_EIO, "PostgreSQL: no connection");
	ret = poll(p, fd >= 0 ? 2 : 1, timeout_ms);
	if (ret < 0)
		return errno == EINTR ? 0 : cc_err_set(err, CC_EIO, "poll: %s", strerror(errno));
	if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !PQconsumeInput(c)) {
		s->listening = false;
		return cc__pg_error(st, NULL, err);
	}
	return notified(c) ? 1 : 0;
}

/* Entries are read a page at a time (by id), so a long log never sits in memory at once. */
#define LOG_PAGE 10000

static int pg_verify_log(struct cc_store *st, int64_t *n_entries_out, struct cc_err *err)
{
	char prev[65] = "";
	int64_t n = 0, after = 0;
	PGresult *res = NULL;
	bool own, more = true;
	int ret;

	*n_entries_out = 0;
	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	while (more && ret == 0) {
		struct cc__pg_params p = CC__PG_PARAMS_INIT;
		int rows;

		cc__pg_i64(&p, after);
		cc__pg_i64(&p, LOG_PAGE);
		ret = cc__pg_exec(st,
		                  "SELECT " CHANGE_COLS " FROM change WHERE id > $1 ORDER BY id "
		                  "LIMIT $2",
		                  &p, false, &res, err);
		if (ret < 0)
			break;
		rows = PQntuples(res);
		more = rows == LOG_PAGE;
		for (int r = 0; r < rows; r++) {
			struct cc__change_entry e = {
				.id = cc__pg_col_i64(res, r, 0),
				.at = cc__pg_cstr(res, r, 1),
				.who = cc__pg_cstr(res, r, 2),
				.tbl = cc__pg_cstr(res, r, 3),
				.op = cc__pg_cstr(res, r, 4),
				.record_id = cc__pg_col_i64(res, r, 5),
				.first_id = cc__pg_col_i64(res, r, 6),
				.last_id = cc__pg_col_i64(res, r, 7),
				.batch = cc__pg_col_i64(res, r, 8),
				.count = cc__pg_col_i64(res, r, 9),
				.mission_id = cc__pg_col_i64(res, r, 10),
				.releasability = cc__pg_cstr(res, r, 11),
				.detail = cc__pg_cstr(res, r, 12),
				.prev_hash = cc__pg_cstr(res, r, 13),
			};

			if ((ret = cc__change_check(&e, cc__pg_cstr(res, r, 14), prev, err)) < 0)
				break;
			after = e.id;
			n++;
		}
		PQclear(res);
		res = NULL;
	}
	*n_entries_out = n;
	cc__pg_rx_leave(st, own);
	return ret;
}

/* The export domain (the change log's head, the 3W read) is in postgres_export.c. */

/* ---- coverage ---- */

/*
 * The records of the coverage read, with their markings: who may see a record and its figures
 * is decided by cc_visible() and cc_visible_field() in C (src/store/visibility.c), the one rule,
 * not by a second copy of it in SQL. $1 mission, $2/$3 period (NULL: open), $4 within area
 * (NULL: all).
 */
static const char sql_cov_records[] =
        "WITH RECURSIVE sub(id) AS (SELECT id FROM area WHERE id = $4::bigint UNION SELECT c.id "
        "FROM area c JOIN sub ON c.parent_id = sub.id), sp AS MATERIALIZED (SELECT s.id, "
        "s.vocabulary, s.code, s.name, " CC__PG_PILLAR_OF("$1::bigint") " AS pillar FROM sector s) "
        "SELECT a.id, a.org_id, a.area_id, a.sector_id, a.kind, a.targeted, a.reached, "
        "sp.vocabulary, sp.code, sp.name, sp.pillar, a.id, a.mission_id, a.owner_id, "
        "a.releasability, a.deny, a.shared, a.figures_rel FROM activity a LEFT JOIN sp ON sp.id = "
        "a.sector_id WHERE a.mission_id = $1::bigint AND ($2::integer IS NULL OR a.end_date IS "
        "NULL OR a.end_date >= $2::integer) AND ($3::integer IS NULL OR a.start_date IS NULL OR "
        "a.start_date <= $3::integer) AND ($4::bigint IS NULL OR a.area_id IN (SELECT id FROM "
        "sub)) ORDER BY a.id";

/* $1: the records' areas as an array; they and all their ancestors */
static const char sql_cov_areas[] =
        "WITH RECURSIVE anc(id) AS (SELECT unnest($1::bigint[]) UNION SELECT p.parent_id FROM "
        "area p JOIN anc ON p.id = anc.id WHERE p.parent_id IS NOT NULL) SELECT " CC__PG_AREA_COLS
        " FROM area WHERE id IN (SELECT id FROM anc) ORDER BY pcode";

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

struct cov_read {
	struct cc__cov_read cov; /* the records and their sectors */
	int64_t *areas; /* the records' areas, sorted and unique once read */
	size_t n_areas, cap_areas;
	struct cc__pg_shares sh; /* records shared with the viewer's organisation */
};

/* the marking columns of sql_cov_records for cc__pg_row_visible(), then figures_rel */
enum { COV_MARK = 11, COV_FIGURES_REL = COV_MARK + 6 };

/* The viewer's verdict on row i: whether it sees the record (of marking m), and its figures. */
static bool row_visible(struct cc_store *st, const struct cov_read *r, const PGresult *res, int i,
                        struct cc_marking *m, bool *figures_out)
{
	if (!cc__pg_row_visible(st, &r->sh, res, i, COV_MARK, m))
		return false;
	*figures_out = cc_visible_field(&st->viewer, m,
	                                cc__pg_field_rel(res, i, COV_FIGURES_REL, m->rel));
	return true;
}

static int read_records(struct cc_store *st, const PGresult *res, enum cc_coverage_by by,
                        struct cov_read *r, struct cc_err *err)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct cc_coverage_record *rec;
		struct cc_marking m;
		bool figures = false;

		if (!row_visible(st, r, res, i, &m, &figures))
			continue;
		if (!(rec = cc__cov_add(&r->cov)))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		rec->activity_id = cc__pg_col_i64(res, i, 0);
		rec->org_id = cc__pg_col_i64(res, i, 1);
		rec->area_id = cc__pg_col_i64(res, i, 2);
		rec->sector_id = cc__pg_col_i64(res, i, 3);
		rec->kind = cc__pg_col_i64(res, i, 4) == CC_KIND_ACTIVITY ? CC_KIND_ACTIVITY
		                                                          : CC_KIND_PRESENCE;
		rec->targeted = figures ? cc__pg_col_num(res, i, 5) : (double)NAN;
		rec->reached = figures ? cc__pg_col_num(res, i, 6) : (double)NAN;
		rec->rel = m.rel;
		rec->column = 0;
		if (rec->area_id > 0) {
			if (cc__grow((void **)&r->areas, &r->cap_areas, r->n_areas,
			             sizeof(*r->areas)) < 0)
				return cc_err_set(err, CC_ENOMEM, "out of memory");
			r->areas[r->n_areas++] = rec->area_id;
		}
		if (cc__cov_place(&r->cov, rec, by, cc__pg_text_or_null(res, i, 10),
		                  cc__pg_cstr(res, i, 7), cc__pg_text_or_null(res, i, 8),
		                  cc__pg_cstr(res, i, 9)) < 0)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	return 0;
}

/* The areas as a PostgreSQL array literal, "{1,2,3}" (sorted, each once). */
static int areas_array(struct cov_read *r, struct cc_buf *out)
{
	size_t k = 0;
	int ret;

	if (r->n_areas)
		qsort(r->areas, r->n_areas, sizeof(*r->areas), cmp_i64);
	for (size_t i = 0; i < r->n_areas; i++)
		if (k == 0 || r->areas[k - 1] != r->areas[i])
			r->areas[k++] = r->areas[i];
	r->n_areas = k;
	ret = cc_buf_addch(out, '{');
	for (size_t i = 0; i < k && ret == 0; i++)
		ret = cc_buf_addf(out, i ? ",%lld" : "%lld", (long long)r->areas[i]);
	return ret < 0 ? ret : cc_buf_addch(out, '}');
}

static int pg_load_coverage(struct cc_store *st, const struct cc_coverage_query *q,
                            struct cc_coverage_record **records_out, size_t *n_records_out,
                            struct cc_coverage_column **columns_out, size_t *n_columns_out,
                            struct cc_area **areas_out, size_t *n_areas_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cov_read r = { 0 };
	struct cc_buf ids = CC_BUF_INIT(0);
	struct cc_coverage_column *cols = NULL;
	struct cc_area *areas = NULL;
	size_t n_cols = 0, n_areas = 0;
	PGresult *res = NULL;
	bool own;
	int ret;

	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "activity", &r.sh, err)) < 0)
		goto out_free;
	cc__pg_i64(&p, q->mission_id);
	cc__pg_date(&p, q->from);
	cc__pg_date(&p, q->to);
	cc__pg_id(&p, q->within_area);
	if ((ret = cc__pg_exec(st, sql_cov_records, &p, false, &res, err)) < 0)
		goto out_free;
	ret = read_records(st, res, q->by, &r, err);
	PQclear(res);
	res = NULL;
	if (ret < 0 || (ret = cc__cov_columns(&r.cov, q->by, &cols, &n_cols, err)) < 0)
		goto out_free;
	if ((ret = areas_array(&r, &ids)) < 0) {
		ret = cc_err_set(err, ret, ret == CC_ENOMEM ? "out of memory" : "too many areas");
		goto out_free;
	}
	p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
	cc__pg_str(&p, ids.buf);
	if ((ret = cc__pg_exec(st, sql_cov_areas, &p, false, &res, err)) < 0 ||
	    (ret = cc__pg_read_areas(res, &areas, &n_areas, err)) < 0)
		goto out_free;
	*records_out = r.cov.recs;
	*n_records_out = r.cov.n_recs;
	*columns_out = cols;
	*n_columns_out = n_cols;
	*areas_out = areas;
	*n_areas_out = n_areas;
	r.cov.recs = NULL;
	cols = NULL;
	areas = NULL;
out_free:
	PQclear(res);
	cc__cov_release(&r.cov);
	cc_free(r.areas);
	cc_free(r.sh.ids);
	cc_buf_release(&ids);
	cc_free(cols);
	cc_free(areas);
	cc__pg_rx_leave(st, own);
	return ret;
}

const struct cc_store_ops cc__store_postgres = {
	.scheme = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.schema_version = pg_schema_version,
	.migrate = pg_migrate,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.lock_writers = pg_lock_writers,
	.savepoint = pg_savepoint,
	.digest = pg_digest,
	.count = pg_count,
	.put_mission = cc__pg_put_mission,
	.get_mission = cc__pg_get_mission,
	.put_code = cc__pg_put_code,
	.put_code_alias = cc__pg_put_code_alias,
	.put_pillar = cc__pg_put_pillar,
	.list_pillars = cc__pg_list_pillars,
	.resolve_code = cc__pg_resolve_code,
	.sector_id = cc__pg_sector_id,
	.put_area = cc__pg_put_area,
	.find_area = cc__pg_find_area,
	.find_area_by_name = cc__pg_find_area_by_name,
	.put_area_alias = cc__pg_put_area_alias,
	.set_area_parent = cc__pg_set_area_parent,
	.list_areas = cc__pg_list_areas,
	.area_geometry = cc__pg_area_geometry,
	.put_org = cc__pg_put_org,
	.find_org = cc__pg_find_org,
	.put_org_alias = cc__pg_put_org_alias,
	.get_source = cc__pg_get_source,
	.put_source = cc__pg_put_source,
	.list_sources = cc__pg_list_sources,
	.new_batch = cc__pg_new_batch,
	.put_activity = cc__pg_put_activity,
	.remove_stale = cc__pg_remove_stale,
	.log_change = pg_log_change,
	.verify_log = pg_verify_log,
	.wait_change = pg_wait_change,
	.load_coverage = pg_load_coverage,
	/* the domains on PostgreSQL so far; the others are NULL (CC_EUNSUPPORTED) */
	.export = &cc__pg_export,
	.iati = &cc__pg_iati,
	.rounds = &cc__pg_rounds,
	/* not yet, but saying so in PostgreSQL's words */
	.events = &cc__pg_events,
	.needs = &cc__pg_needs,
	.indicators = &cc__pg_indicators,
	.rates = &cc__pg_rates,
	.computed = &cc__pg_computed,
	.auth = &cc__pg_auth,
	.sharing = &cc__pg_sharing,
	.activities = &cc__pg_activities,
	.lessons = &cc__pg_lessons,
	.status_rule = &cc__pg_status_rule,
	.edits = &cc__pg_edits,
	.registry = &cc__pg_registry,
	.webhooks = &cc__pg_webhooks,
	.survey = &cc__pg_survey,
	.overlap = &cc__pg_overlap,
};
