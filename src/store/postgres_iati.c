/*
 * The IATI domain on PostgreSQL: tables iati_activity and its ten detail tables (migration
 * pg/0006), SQLite's operations (sqlite_iati.c) in PostgreSQL's dialect.
 *
 * Writes. An activity is found by (source, identifier) and decided exactly as on SQLite by its
 * digest: duplicate of this batch, unchanged (only batch and line touched), updated (the row
 * rewritten, every detail row replaced) or added (the next id, the highest stored plus one as
 * SQLite gives a rowid, under an advisory lock every writer of the table takes). Inside a write
 * transaction the decided writes are held (cc__pg_hold) as JSON documents, one per table, and go
 * IATI_SEND_ROWS rows at a time in one statement (json_to_recordset() into each table, as
 * data-modifying CTEs), preceded by one statement deleting the old details of the updated
 * activities: an activity of a 30 MB file costs a look-up at most, never a round trip per
 * element. The holder names no table, so reads of this domain do not send the held rows; each
 * read either sends them first (cc__pg_flush) or answers from them (the look-ups below). The
 * stored keys of the mission and the source are read once a transaction, under the lock
 * (struct key_cache), so that the look-up of a key the transaction has not written costs no
 * statement.
 *
 * Reads (each activity with every detail, for the export and money) go 500 activities a page:
 * the page's activities, then each detail table for all of them in one statement.
 */
#include "store/ops_iati.h"
#include "store/postgres_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>

#include "core/banned.h"

#define LOCK_IATI       "SELECT pg_advisory_xact_lock(4242006)"
#define LOCK_IATI_KEY   "4242006"
#define IATI_SEND_ROWS  2000
#define IATI_READ_PAGE  500
/* the most stored activities of a mission read at once for the look-ups of an import */
#define IATI_CACHE_ROWS 100000

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const detail_tables[] = {
	"iati_org",    "iati_date",        "iati_recipient", "iati_sector", "iati_location",
	"iati_budget", "iati_transaction", "iati_indicator", "iati_period", "iati_result_value",
};
#define N_DETAIL N_OF(detail_tables)

enum { D_ORG, D_DATE, D_RCP, D_SEC, D_LOC, D_BUD, D_TX, D_IND, D_PER, D_VAL };

/* ---- JSON rows ---- */

struct jrow {
	struct cc_buf *b;
	bool first;
	int ret;
};

static void jr_start(struct jrow *r, struct cc_buf *b)
{
	r->b = b;
	r->first = true;
	r->ret = cc_buf_adds(b, b->len ? ",{" : "[{");
}

static void jr_key(struct jrow *r, const char *k)
{
	if (r->ret == 0)
		r->ret = cc_buf_addf(r->b, "%s\"%s\":", r->first ? "" : ",", k);
	r->first = false;
}

/* text: "" as NULL, as SQLite's binding */
static void jr_text(struct jrow *r, const char *k, const char *v)
{
	jr_key(r, k);
	if (r->ret == 0)
		r->ret = v && *v ? cc_buf_add_json_str(r->b, v) : cc_buf_adds(r->b, "null");
}

static void jr_i64(struct jrow *r, const char *k, int64_t v, bool null)
{
	jr_key(r, k);
	if (r->ret == 0)
		r->ret = null ? cc_buf_adds(r->b, "null") : cc_buf_addf(r->b, "%lld", (long long)v);
}

/* a number, NAN (and the infinities JSON cannot carry) as NULL */
static void jr_num(struct jrow *r, const char *k, double v)
{
	jr_key(r, k);
	if (r->ret == 0)
		r->ret = !isfinite(v) ? cc_buf_adds(r->b, "null") : cc_buf_addf(r->b, "%.17g", v);
}

static void jr_date(struct jrow *r, const char *k, int32_t v)
{
	jr_i64(r, k, v, v == CC_DATE_NONE);
}

static int jr_end(struct jrow *r)
{
	if (r->ret == 0)
		r->ret = cc_buf_addch(r->b, '}');
	return r->ret;
}

static void hex16(const unsigned char v[16], char out[33])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 16; i++) {
		out[2 * i] = digits[v[i] >> 4];
		out[2 * i + 1] = digits[v[i] & 15];
	}
	out[32] = '\0';
}

/* a 16-byte value from its hex form (encode(…, 'hex')); false when it is not one */
static bool col_key16(const PGresult *res, int r, int c, unsigned char out[16])
{
	const char *x = cc__pg_cstr(res, r, c);

	if (strlen(x) != 32)
		return false;
	for (int i = 0; i < 16; i++) {
		char b[3] = { x[2 * i], x[2 * i + 1], '\0' };

		out[i] = (unsigned char)strtoul(b, NULL, 16);
	}
	return true;
}

/* ---- held writes ---- */

/* An activity whose write is held: what a later put or look-up of this handle must know. */
struct held_act {
	int64_t id, source_id, mission_id, batch;
	long line;
	char *identifier;
	char last_updated[40];
};

/* The stored row of an activity's key, as a put needs it. */
struct stored {
	bool found, has_digest;
	int64_t id, batch;
	long line;
	unsigned char digest[16];
};

/*
 * The mission's and the source's stored activities, read once under the writers' lock so that
 * the look-up of each activity's key costs no statement: nobody else writes the table until
 * the transaction ends, and the keys this transaction writes (touched) are looked up on the
 * server as before, so the copy never has to follow the held writes.
 */
struct key_cache {
	int state; /* 0: not read, 1: read, -1: too many rows or keys, look up on the server */
	int64_t mission_id, source_id;
	PGresult *rows;                /* owned: cache_load's rows, by identifier (bytes), id */
	uint64_t *touched;             /* owned: hashes of the identifiers put; 0 an empty slot */
	size_t n_touched, cap_touched; /* cap a power of two, at most half full */
};

struct iati_held {
	int64_t next_id;
	bool need_max; /* next_id unknown: the state only keeps the keys (keys_hold) */
	size_t n_puts;
	struct key_cache cache;
	/* the stored row of the key find_other looked at last, for the put that follows it */
	bool has_probe;
	int64_t probe_source;
	char *probe_identifier;
	struct stored probe;
	struct held_act *acts;
	size_t n_acts, cap_acts;
	struct cc_buf acts_json;         /* activity rows: op i (insert), u (update), t (touch) */
	struct cc_buf det_json[N_DETAIL]; /* detail rows */
	struct cc_buf replaced;          /* ids of updated activities: "{1,2" (closed at send) */
	size_t n_rows;
};

static void cache_release(struct key_cache *c)
{
	PQclear(c->rows);
	cc_free(c->touched);
	memset(c, 0, sizeof(*c));
}

static void iati_drop(void *p)
{
	struct iati_held *h = p;

	if (!h)
		return;
	for (size_t i = 0; i < h->n_acts; i++)
		cc_free(h->acts[i].identifier);
	cc_free(h->acts);
	cc_free(h->probe_identifier);
	cache_release(&h->cache);
	cc_buf_release(&h->acts_json);
	for (size_t k = 0; k < N_DETAIL; k++)
		cc_buf_release(&h->det_json[k]);
	cc_buf_release(&h->replaced);
	cc_free(h);
}

#define ACT_JSON_COLS                                                                         \
	"op text, id bigint, mission_id bigint, source_id bigint, identifier text, digest text, " \
	"batch bigint, line bigint, version text, title text, description text, status text, "    \
	"default_currency text, hierarchy bigint, humanitarian integer, reporting_ref text, "      \
	"reporting_type text, reporting_name text, last_updated text"
#define ACT_COLS_W                                                                          \
	"mission_id, source_id, identifier, digest, batch, line, version, title, description, " \
	"status, default_currency, hierarchy, humanitarian, reporting_ref, reporting_type, "    \
	"reporting_name, last_updated"
#define ACT_VALS_W                                                                          \
	"x.mission_id, x.source_id, x.identifier, decode(x.digest, 'hex'), x.batch, x.line, "   \
	"x.version, x.title, x.description, x.status, x.default_currency, x.hierarchy, "         \
	"x.humanitarian, x.reporting_ref, x.reporting_type, x.reporting_name, x.last_updated"

/* The record types of the detail tables' JSON rows, in the order of detail_tables. */
static const char *const det_json_cols[N_DETAIL] = {
	"activity_id bigint, seq bigint, role text, type text, ref text, name text",
	"activity_id bigint, seq bigint, type integer, date integer",
	"activity_id bigint, seq bigint, kind text, code text, vocabulary text, percentage float8",
	"activity_id bigint, seq bigint, vocabulary text, code text, percentage float8",
	"activity_id bigint, seq bigint, ref text, name text, lat float8, lon float8, exactness "
	"text, admin text, area_id bigint",
	"activity_id bigint, seq bigint, kind text, type text, status text, period_start integer, "
	"period_end integer, value float8, currency text, value_date integer",
	"activity_id bigint, seq bigint, type text, date integer, value float8, currency text, "
	"value_date integer, provider_ref text, provider_name text, receiver_ref text, "
	"receiver_name text",
	"activity_id bigint, seq bigint, result bigint, position bigint, result_type text, "
	"indicator_code text, ref text, title text, measure integer, ascending integer, "
	"baseline_date integer, baseline float8, n_periods bigint",
	"activity_id bigint, seq bigint, indicator bigint, period_start integer, period_end "
	"integer, target float8, actual float8",
	"activity_id bigint, seq bigint, indicator bigint, period bigint, kind text, value float8, "
	"date integer, locations text, dimensions text",
};

static void act_row(struct jrow *j, struct cc_buf *b, const char *op,
                    const struct cc_iati_activity *a, int64_t batch)
{
	char dig[33];

	hex16(a->digest, dig);
	jr_start(j, b);
	jr_text(j, "op", op);
	jr_i64(j, "id", a->id, false);
	jr_i64(j, "batch", batch, false);
	jr_i64(j, "line", a->line, a->line == 0);
	if (op[0] == 't')
		return;
	jr_i64(j, "mission_id", a->mission_id, false);
	jr_i64(j, "source_id", a->source_id, false);
	jr_text(j, "identifier", a->identifier);
	jr_text(j, "digest", dig);
	jr_text(j, "version", a->version);
	jr_text(j, "title", a->title);
	jr_text(j, "description", a->description);
	jr_text(j, "status", a->status);
	jr_text(j, "default_currency", a->default_currency);
	jr_i64(j, "hierarchy", a->hierarchy, a->hierarchy == 0);
	jr_i64(j, "humanitarian", a->humanitarian ? 1 : 0, false);
	jr_text(j, "reporting_ref", a->reporting.ref);
	jr_text(j, "reporting_type", a->reporting.type);
	jr_text(j, "reporting_name", a->reporting.name);
	jr_text(j, "last_updated", a->last_updated);
}

static void head(struct jrow *j, struct cc_buf *b, int64_t id, size_t i)
{
	jr_start(j, b);
	jr_i64(j, "activity_id", id, false);
	jr_i64(j, "seq", (int64_t)i + 1, false);
}

static const char *const value_kinds[] = { "baseline", "target", "actual" };

/* Adds the detail rows of a (a->id set) to the held documents. */
static int detail_rows(struct iati_held *h, const struct cc_iati_activity *a)
{
	struct jrow j = { .ret = 0 };
	struct cc_buf *d = h->det_json;

	for (size_t i = 0; i < a->n_orgs && j.ret == 0; i++) {
		const struct cc_iati_org *o = &a->orgs[i];

		head(&j, &d[D_ORG], a->id, i);
		jr_text(&j, "role", o->role);
		jr_text(&j, "type", o->type);
		jr_text(&j, "ref", o->ref);
		jr_text(&j, "name", o->name);
		jr_end(&j);
	}
	for (size_t i = 0; i < a->n_dates && j.ret == 0; i++) {
		head(&j, &d[D_DATE], a->id, i);
		jr_i64(&j, "type", a->dates[i].type, false);
		jr_date(&j, "date", a->dates[i].date);
		jr_end(&j);
	}
	for (size_t i = 0; i < a->n_recipients && j.ret == 0; i++) {
		const struct cc_iati_recipient *r = &a->recipients[i];

		head(&j, &d[D_RCP], a->id, i);
		jr_text(&j, "kind", r->region ? "region" : "country");
		jr_text(&j, "code", r->code);
		jr_text(&j, "vocabulary", r->vocabulary);
		jr_num(&j, "percentage", r->percentage);
		jr_end(&j);
	}
	for (size_t i = 0; i < a->n_sectors && j.ret == 0; i++) {
		const struct cc_iati_sector *x = &a->sectors[i];

		head(&j, &d[D_SEC], a->id, i);
		jr_text(&j, "vocabulary", x->vocabulary);
		jr_text(&j, "code", x->code);
		jr_num(&j, "percentage", x->percentage);
		jr_end(&j);
	}
	for (size_t i = 0; i < a->n_locations && j.ret == 0; i++) {
		const struct cc_iati_location *l = &a->locations[i];

		head(&j, &d[D_LOC], a->id, i);
		jr_text(&j, "ref", l->ref);
		jr_text(&j, "name", l->name);
		jr_num(&j, "lat", l->lat);
		jr_num(&j, "lon", l->lon);
		jr_text(&j, "exactness", l->exactness);
		jr_text(&j, "admin", l->admin);
		jr_i64(&j, "area_id", l->area_id, l->area_id == 0);
		jr_end(&j);
	}
	for (size_t i = 0; i < a->n_budgets && j.ret == 0; i++) {
		const struct cc_iati_budget *b = &a->budgets[i];

		head(&j, &d[D_BUD], a->id, i);
		jr_text(&j, "kind", b->kind == CC_IATI_BUDGET ? "budget" : "planned-disbursement");
		jr_text(&j, "type", b->type);
		jr_text(&j, "status", b->status);
		jr_date(&j, "period_start", b->period_start);
		jr_date(&j, "period_end", b->period_end);
		jr_num(&j, "value", b->value);
		jr_text(&j, "currency", b->currency);
		jr_date(&j, "value_date", b->value_date);
		jr_end(&j);
	}
	for (size_t i = 0; i < a->n_transactions && j.ret == 0; i++) {
		const struct cc_iati_transaction *t = &a->transactions[i];

		head(&j, &d[D_TX], a->id, i);
		jr_text(&j, "type", t->type);
		jr_date(&j, "date", t->date);
		jr_num(&j, "value", t->value);
		jr_text(&j, "currency", t->currency);
		jr_date(&j, "value_date", t->value_date);
		jr_text(&j, "provider_ref", t->provider_ref);
		jr_text(&j, "provider_name", t->provider_name);
		jr_text(&j, "receiver_ref", t->receiver_ref);
		jr_text(&j, "receiver_name", t->receiver_name);
		jr_end(&j);
	}
	for (size_t i = 0; i < a->n_indicators && j.ret == 0; i++) {
		const struct cc_iati_indicator *x = &a->indicators[i];

		head(&j, &d[D_IND], a->id, i);
		jr_i64(&j, "result", x->result, false);
		jr_i64(&j, "position", x->position, false);
		jr_text(&j, "result_type", x->result_type);
		jr_text(&j, "indicator_code", x->code);
		jr_text(&j, "ref", x->ref);
		jr_text(&j, "title", x->title);
		jr_i64(&j, "measure", x->measure, false);
		jr_i64(&j, "ascending", x->ascending ? 1 : 0, false);
		jr_date(&j, "baseline_date", x->baseline_date);
		jr_num(&j, "baseline", x->baseline);
		jr_i64(&j, "n_periods", (int64_t)x->n_periods, false);
		jr_end(&j);
	}
	for (size_t i = 0; i < a->n_periods && j.ret == 0; i++) {
		const struct cc_iati_period *p = &a->periods[i];

		head(&j, &d[D_PER], a->id, i);
		jr_i64(&j, "indicator", (int64_t)p->indicator + 1, false);
		jr_date(&j, "period_start", p->start);
		jr_date(&j, "period_end", p->end);
		jr_num(&j, "target", p->target);
		jr_num(&j, "actual", p->actual);
		jr_end(&j);
	}
	for (size_t i = 0; i < a->n_values && j.ret == 0; i++) {
		const struct cc_iati_result_value *v = &a->values[i];
		int kind = v->kind == CC_IATI_VALUE_ACTUAL   ? 2
		           : v->kind == CC_IATI_VALUE_TARGET ? 1
		                                             : 0;

		head(&j, &d[D_VAL], a->id, i);
		jr_i64(&j, "indicator", (int64_t)v->indicator + 1, false);
		jr_i64(&j, "period", (int64_t)v->period + 1, v->period == SIZE_MAX);
		jr_text(&j, "kind", value_kinds[kind]);
		jr_num(&j, "value", v->value);
		jr_date(&j, "date", v->date);
		jr_text(&j, "locations", v->locations);
		jr_text(&j, "dimensions", v->dimensions);
		jr_end(&j);
	}
	h->n_rows += a->n_orgs + a->n_dates + a->n_recipients + a->n_sectors + a->n_locations +
	             a->n_budgets + a->n_transactions + a->n_indicators + a->n_periods + a->n_values;
	return j.ret;
}

/* A JSON document ("[]" when empty), as the statement's parameter. */
static int close_json(struct cc_buf *b)
{
	return b->len ? cc_buf_addch(b, ']') : cc_buf_adds(b, "[]");
}

/* Sends every held write: the old details of updated activities go, then one statement. */
static int iati_send(struct cc_store *st, struct iati_held *h, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_buf sql = CC_BUF_INIT(0);
	int ret = 0;

	if (!h->n_acts)
		return 0;
	if (h->replaced.len) {
		if (cc_buf_addch(&h->replaced, '}') < 0 ||
		    cc_buf_adds(&sql, "WITH ") < 0)
			goto out_nomem;
		for (size_t k = 0; k < N_DETAIL; k++)
			if (cc_buf_addf(&sql,
			                "%sd%zu AS (DELETE FROM %s WHERE activity_id = "
			                "ANY($1::bigint[]))",
			                k ? ", " : "", k, detail_tables[k]) < 0)
				goto out_nomem;
		if (cc_buf_adds(&sql, " SELECT 1") < 0)
			goto out_nomem;
		cc__pg_str(&p, h->replaced.buf);
		if ((ret = cc__pg_exec(st, sql.buf, &p, false, NULL, err)) < 0)
			goto out;
		cc_buf_clear(&sql);
		p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
	}
	if (close_json(&h->acts_json) < 0)
		goto out_nomem;
	cc__pg_str(&p, h->acts_json.buf);
	if (cc_buf_adds(&sql,
	                "WITH x AS MATERIALIZED (SELECT * FROM json_to_recordset($1::json) AS x("
	                ACT_JSON_COLS ")), "
	                "ins AS (INSERT INTO iati_activity (id, " ACT_COLS_W ") SELECT x.id, "
	                ACT_VALS_W " FROM x WHERE x.op = 'i'), "
	                "upd AS (UPDATE iati_activity t SET (" ACT_COLS_W ") = (" ACT_VALS_W
	                ") FROM x WHERE x.op = 'u' AND t.id = x.id), "
	                "tch AS (UPDATE iati_activity t SET batch = x.batch, line = x.line FROM x "
	                "WHERE x.op = 't' AND t.id = x.id)") < 0)
		goto out_nomem;
	for (size_t k = 0; k < N_DETAIL; k++) {
		if (!h->det_json[k].len)
			continue;
		if (close_json(&h->det_json[k]) < 0)
			goto out_nomem;
		cc__pg_str(&p, h->det_json[k].buf);
		if (cc_buf_addf(&sql,
		                ", i%zu AS (INSERT INTO %s SELECT * FROM json_to_recordset($%d::json) "
		                "AS v(%s))",
		                k, detail_tables[k], p.n, det_json_cols[k]) < 0)
			goto out_nomem;
	}
	if (cc_buf_adds(&sql, " SELECT 1") < 0)
		goto out_nomem;
	ret = cc__pg_exec(st, sql.buf, &p, false, NULL, err);
	goto out;
out_nomem:
	ret = cc_err_set(err, CC_ENOMEM, "out of memory");
out:
	cc_buf_release(&sql);
	for (size_t i = 0; i < h->n_acts; i++)
		cc_free(h->acts[i].identifier);
	h->n_acts = 0;
	h->n_rows = 0;
	cc_buf_clear(&h->acts_json);
	cc_buf_clear(&h->replaced);
	for (size_t k = 0; k < N_DETAIL; k++)
		cc_buf_clear(&h->det_json[k]);
	return ret;
}

static int iati_flush(struct cc_store *st, void *p, struct cc_err *err)
{
	return iati_send(st, p, err);
}

/*
 * No tables: reads of this domain send the held rows themselves or answer from them. The
 * writes of an IATI import between its puts (the organisations, the Concord activities,
 * indicators, benchmarks and observations an activity feeds) need none of its rows: they stay
 * held, and go many to a statement.
 */
static const char *const iati_kept[] = { "organisation", "org_alias", "indicator", "benchmark",
	                                 "activity", "observation", NULL };
static const struct cc__pg_holder iati_holder = { .flush = iati_flush, .drop = iati_drop,
	                                          .tables = NULL, .writes_kept = iati_kept };

#define LOOK_UP_COLS                                                                        \
	"a.id, a.batch, a.line, encode(a.digest, 'hex') FROM (SELECT 1) AS one LEFT JOIN "  \
	"iati_activity a ON a.source_id = $1 AND a.identifier = $2"

/*
 * Looks up a's key ($1 source, $2 identifier). With first (no held state yet), the same
 * statement also says whether this transaction holds the writers' lock (pg_locks) and reads the
 * highest id; a transaction that does not hold it yet takes it, then looks again (the first
 * look's snapshot is older than the lock). So a put costs one statement, its transaction's first
 * two more.
 */
static int look_up(struct cc_store *st, const struct cc_iati_activity *a, bool first,
                   struct stored *out, int64_t *max_id, struct cc_err *err)
{
	for (int pass = 0;; pass++) {
		struct cc__pg_params p = CC__PG_PARAMS_INIT;
		PGresult *res = NULL;
		bool locked = true;
		int ret;

		cc__pg_i64(&p, a->source_id);
		cc__pg_str(&p, a->identifier);
		ret = cc__pg_exec(st,
		                  first ? "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = "
		                          "'advisory' AND pid = pg_backend_pid() AND granted AND "
		                          "classid = 0 AND objid = " LOCK_IATI_KEY " AND objsubid = "
		                          "1), (SELECT coalesce(max(id), 0) FROM iati_activity), "
		                          LOOK_UP_COLS
		                        : "SELECT true, 0, " LOOK_UP_COLS,
		                  &p, false, &res, err);
		if (ret < 0)
			return ret;
		memset(out, 0, sizeof(*out));
		locked = strcmp(cc__pg_cstr(res, 0, 0), "t") == 0;
		*max_id = cc__pg_col_i64(res, 0, 1);
		if (!cc__pg_col_null(res, 0, 2)) {
			out->found = true;
			out->id = cc__pg_col_i64(res, 0, 2);
			out->batch = cc__pg_col_i64(res, 0, 3);
			out->line = (long)cc__pg_col_i64(res, 0, 4);
			out->has_digest = col_key16(res, 0, 5, out->digest);
		}
		PQclear(res);
		if (locked || pass > 0)
			return 0;
		if ((ret = cc__pg_exec(st, LOCK_IATI, NULL, false, NULL, err)) < 0)
			return ret;
	}
}

static struct iati_held *held_new(int64_t next_id)
{
	struct iati_held *h = cc_calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->next_id = next_id;
	for (size_t k = 0; k < N_DETAIL; k++)
		cc_buf_init(&h->det_json[k], 0);
	cc_buf_init(&h->acts_json, 0);
	cc_buf_init(&h->replaced, 0);
	return h;
}

/* ---- the stored keys, read once a transaction ---- */

/* The other copy (the first other source's, by id) among the rows of res, from column c on. */
static void other_row(const PGresult *res, int r, int c, struct cc_iati_stored *out)
{
	out->id = cc__pg_col_i64(res, r, c);
	out->source_id = cc__pg_col_i64(res, r, c + 1);
	cc__pg_col_str(res, r, c + 2, out->source, sizeof(out->source));
	cc__pg_col_str(res, r, c + 3, out->last_updated, sizeof(out->last_updated));
	out->line = (long)cc__pg_col_i64(res, r, c + 4);
}

/* FNV-1a of an identifier; 0 marks an empty slot, so it is never a hash */
static uint64_t key_hash(const char *s)
{
	uint64_t v = 14695981039346656037u;

	for (; *s; s++)
		v = (v ^ (unsigned char)*s) * 1099511628211u;
	return v ? v : 1;
}

static bool touched_has(const struct key_cache *c, uint64_t k)
{
	for (size_t i = c->cap_touched ? k & (c->cap_touched - 1) : 0; c->cap_touched;
	     i = (i + 1) & (c->cap_touched - 1)) {
		if (c->touched[i] == k)
			return true;
		if (!c->touched[i])
			return false;
	}
	return false;
}

static void touched_put(uint64_t *t, size_t cap, uint64_t k)
{
	size_t i = k & (cap - 1);

	while (t[i] && t[i] != k)
		i = (i + 1) & (cap - 1);
	t[i] = k;
}

/*
 * Notes that identifier is put in this transaction: its look-ups go to the server. Past
 * IATI_CACHE_ROWS of them every look-up does, so that the memory stays bounded.
 */
static int touch(struct key_cache *c, const char *identifier)
{
	uint64_t k = key_hash(identifier);

	if (c->state < 0 || touched_has(c, k))
		return 0;
	if (c->n_touched >= IATI_CACHE_ROWS) {
		cache_release(c);
		c->state = -1;
		return 0;
	}
	if (2 * (c->n_touched + 1) > c->cap_touched) {
		size_t cap = c->cap_touched ? 2 * c->cap_touched : 256;
		uint64_t *t = cc_calloc(cap, sizeof(*t));

		if (!t)
			return CC_ENOMEM;
		for (size_t i = 0; i < c->cap_touched; i++)
			if (c->touched[i])
				touched_put(t, cap, c->touched[i]);
		cc_free(c->touched);
		c->touched = t;
		c->cap_touched = cap;
	}
	touched_put(c->touched, c->cap_touched, k);
	c->n_touched++;
	return 0;
}

/*
 * Reads every stored activity of the mission or the source: the rows the probe statement of
 * find_other_probe would look among. Called under the writers' lock only (a held state exists);
 * held and sent writes of this transaction are touched, so the rows need not show them.
 */
static int cache_load(struct cc_store *st, struct key_cache *c, int64_t mission_id,
                      int64_t source_id, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	int ret;

	PQclear(c->rows);
	c->rows = NULL;
	c->state = 0;
	cc__pg_i64(&p, mission_id);
	cc__pg_i64(&p, source_id);
	cc__pg_i64(&p, IATI_CACHE_ROWS + 1);
	ret = cc__pg_exec(st,
	                  "SELECT a.identifier, a.id, a.source_id, s.name, a.last_updated, a.line, "
	                  "a.mission_id, a.batch, encode(a.digest, 'hex') FROM iati_activity a "
	                  "JOIN source s ON s.id = a.source_id WHERE a.mission_id = $1 OR "
	                  "a.source_id = $2 ORDER BY a.identifier COLLATE \"C\", a.id LIMIT $3",
	                  &p, false, &c->rows, err);
	if (ret < 0)
		return ret;
	c->mission_id = mission_id;
	c->source_id = source_id;
	c->state = 1;
	if (PQntuples(c->rows) > IATI_CACHE_ROWS) {
		/* a mission this big is looked up an activity at a time */
		PQclear(c->rows);
		c->rows = NULL;
		c->state = -1;
	}
	return 0;
}

/*
 * Reads the stored keys for the look-ups of (mission_id, source_id) unless they are read
 * already: once a put has gone with this held state (it has held the writers' lock since, and
 * a state let go of after every put would pay for the read each time), and unless the mission
 * has too many.
 */
static int cache_ready(struct cc_store *st, struct iati_held *h, int64_t mission_id,
                       int64_t source_id, struct cc_err *err)
{
	const struct key_cache *c = &h->cache;

	if (!h->n_puts || c->state < 0 ||
	    (c->state == 1 && c->mission_id == mission_id && c->source_id == source_id))
		return 0;
	return cache_load(st, &h->cache, mission_id, source_id, err);
}

/*
 * The answer of the probe statement (the copy of identifier in this source, *same; the first
 * other source's copy in the mission, *out and *found) from the rows read; false when they
 * cannot tell (not read, read for another key, or the identifier written since).
 */
static bool cache_probe(const struct key_cache *c, int64_t mission_id, const char *identifier,
                        int64_t source_id, struct stored *same, struct cc_iati_stored *out,
                        bool *found)
{
	const PGresult *res = c->rows;
	int lo = 0, hi;

	if (c->state != 1 || c->mission_id != mission_id || c->source_id != source_id ||
	    touched_has(c, key_hash(identifier)))
		return false;
	/* the first row of identifier: the rows are in byte order, as strcmp() compares */
	for (hi = PQntuples(res); lo < hi;) {
		int mid = lo + (hi - lo) / 2;

		if (strcmp(cc__pg_cstr(res, mid, 0), identifier) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memset(same, 0, sizeof(*same));
	*found = false;
	for (int r = lo; r < PQntuples(res) && !strcmp(cc__pg_cstr(res, r, 0), identifier); r++) {
		if (cc__pg_col_i64(res, r, 2) == source_id) {
			same->found = true;
			same->id = cc__pg_col_i64(res, r, 1);
			same->line = (long)cc__pg_col_i64(res, r, 5);
			same->batch = cc__pg_col_i64(res, r, 7);
			same->has_digest = col_key16(res, r, 8, same->digest);
		} else if (!*found && cc__pg_col_i64(res, r, 6) == mission_id) {
			*found = true;
			other_row(res, r, 1, out);
		}
	}
	return true;
}

/*
 * Sends every held row (cc__pg_flush), which lets go of the held state, but keeps its stored
 * keys (or that there are too many) in *keep for keys_hold(): reading and removing an older
 * copy of an activity send the rows, and the next look-up need not read the keys again.
 */
static int flush_keeping_keys(struct cc_store *st, struct key_cache *keep, struct cc_err *err)
{
	struct iati_held *h = cc__pg_held(st, &iati_holder);
	int ret;

	memset(keep, 0, sizeof(*keep));
	if (h && h->cache.state != 0) {
		*keep = h->cache;
		memset(&h->cache, 0, sizeof(h->cache));
	}
	if ((ret = cc__pg_flush(st, err)) < 0)
		cache_release(keep);
	return ret;
}

/*
 * Holds the keys flush_keeping_keys() kept on a held state without rows, whose next put reads
 * the highest id again (a removal may have lowered it: ids follow SQLite's rowids). Without
 * memory the keys are let go of, and the look-ups go to the server.
 */
static int keys_hold(struct cc_store *st, struct key_cache *keep, struct cc_err *err)
{
	struct iati_held *h;

	if (!keep->state || cc__pg_held(st, &iati_holder) || !(h = held_new(0))) {
		cache_release(keep);
		return 0;
	}
	h->need_max = true;
	h->cache = *keep;
	memset(keep, 0, sizeof(*keep));
	return cc__pg_hold(st, &iati_holder, h, err);
}

/* Marks the identifier of stored activity id written: it was removed. */
static int touch_id(struct key_cache *c, int64_t id)
{
	for (int r = 0; c->state == 1 && r < PQntuples(c->rows); r++)
		if (cc__pg_col_i64(c->rows, r, 1) == id)
			return touch(c, cc__pg_cstr(c->rows, r, 0));
	return 0;
}

static struct held_act *held_find(struct iati_held *h, int64_t source_id, const char *identifier)
{
	for (size_t i = 0; h && i < h->n_acts; i++)
		if (h->acts[i].source_id == source_id && !strcmp(h->acts[i].identifier, identifier))
			return &h->acts[i];
	return NULL;
}

static int held_add(struct iati_held *h, const struct cc_iati_activity *a, int64_t batch)
{
	struct held_act *x;

	if (cc__grow((void **)&h->acts, &h->cap_acts, h->n_acts, sizeof(*h->acts)) < 0)
		return CC_ENOMEM;
	x = &h->acts[h->n_acts];
	memset(x, 0, sizeof(*x));
	if (!(x->identifier = cc_strdup(a->identifier)))
		return CC_ENOMEM;
	x->id = a->id;
	x->source_id = a->source_id;
	x->mission_id = a->mission_id;
	x->batch = batch;
	x->line = a->line;
	snprintf(x->last_updated, sizeof(x->last_updated), "%s", a->last_updated);
	h->n_acts++;
	return 0;
}

/*
 * Decides the put of a as SQLite does and holds its writes; *hp is the held state (NULL: none
 * yet, made here). The caller holds *hp again, or drops it when this fails.
 */
static int put_one(struct cc_store *st, struct iati_held **hp, struct cc_iati_activity *a,
                   int64_t batch, enum cc_put_result *res_out, long *dup_line_out,
                   struct cc_err *err)
{
	struct iati_held *h = *hp;
	struct held_act *x = held_find(h, a->source_id, a->identifier);
	struct stored old;
	struct jrow j = { .ret = 0 };
	int64_t max_id = 0;
	const char *op;
	int ret;

	if (x && x->batch == batch) {
		*res_out = CC_PUT_DUPLICATE;
		*dup_line_out = x->line;
		a->id = x->id;
		return 0;
	}
	/* held by another batch of this transaction: the stored row is the truth once sent */
	if (x && (ret = iati_send(st, h, err)) < 0)
		return ret;
	if (!x && h && !h->need_max && h->has_probe && h->probe_source == a->source_id &&
	    !strcmp(h->probe_identifier, a->identifier)) {
		old = h->probe; /* find_other just read it, under the lock */
		h->has_probe = false;
	} else if ((ret = look_up(st, a, !h || h->need_max, &old, &max_id, err)) < 0) {
		return ret;
	}
	if (h)
		h->has_probe = false;
	if (!h && !(h = *hp = held_new(max_id + 1)))
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if (h->need_max) {
		h->next_id = max_id + 1;
		h->need_max = false;
	}
	h->n_puts++;
	if (touch(&h->cache, a->identifier) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if (old.found && old.batch == batch) {
		*res_out = CC_PUT_DUPLICATE;
		*dup_line_out = old.line;
		a->id = old.id;
		return 0;
	}
	if (old.found && old.has_digest && !memcmp(old.digest, a->digest, sizeof(old.digest))) {
		*res_out = CC_PUT_UNCHANGED;
		op = "t";
		a->id = old.id;
	} else if (old.found) {
		*res_out = CC_PUT_UPDATED;
		op = "u";
		a->id = old.id;
		if (cc_buf_addf(&h->replaced, "%s%lld", h->replaced.len ? "," : "{",
		                (long long)a->id) < 0)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
	} else {
		*res_out = CC_PUT_ADDED;
		op = "i";
		a->id = h->next_id++;
	}
	act_row(&j, &h->acts_json, op, a, batch);
	if (jr_end(&j) < 0 || held_add(h, a, batch) < 0 || (op[0] != 't' && detail_rows(h, a) < 0))
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	h->n_rows++;
	if (h->n_rows < IATI_SEND_ROWS)
		return 0;
	return iati_send(st, h, err);
}

static int pg_put_activity(struct cc_store *st, struct cc_iati_activity *a, int64_t batch,
                           enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	struct iati_held *h;
	bool own;
	int ret;

	*dup_line_out = 0;
	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	/* let go of while the put runs its own statements */
	h = cc__pg_unhold(st, &iati_holder);
	if ((ret = put_one(st, &h, a, batch, res_out, dup_line_out, err)) < 0) {
		iati_drop(h); /* the transaction fails with it */
		goto out_leave;
	}
	if (h && (ret = cc__pg_hold(st, &iati_holder, h, err)) < 0)
		goto out_leave;
	/* a write of its own sends its rows now */
	if (own)
		ret = cc__pg_flush(st, err);
out_leave:
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_remove_stale(struct cc_store *st, int64_t source_id, int64_t batch,
                           size_t *n_removed_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_buf sql = CC_BUF_INIT(0);
	PGresult *res = NULL;
	bool own;
	int ret;

	*n_removed_out = 0;
	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_flush(st, err)) < 0)
		goto out_leave;
	if (cc_buf_adds(&sql, "WITH gone AS MATERIALIZED (SELECT id FROM iati_activity WHERE "
	                      "source_id = $1 AND batch <> $2)") < 0)
		goto out_nomem;
	for (size_t k = 0; k < N_DETAIL; k++)
		if (cc_buf_addf(&sql,
		                ", d%zu AS (DELETE FROM %s WHERE activity_id IN (SELECT id FROM "
		                "gone))",
		                k, detail_tables[k]) < 0)
			goto out_nomem;
	if (cc_buf_adds(&sql, " DELETE FROM iati_activity WHERE id IN (SELECT id FROM gone)") < 0)
		goto out_nomem;
	cc__pg_i64(&p, source_id);
	cc__pg_i64(&p, batch);
	ret = cc__pg_exec(st, sql.buf, &p, false, &res, err);
	if (ret == 0)
		*n_removed_out = (size_t)cc__pg_changes(res);
	PQclear(res);
	goto out_leave;
out_nomem:
	ret = cc_err_set(err, CC_ENOMEM, "out of memory");
out_leave:
	cc_buf_release(&sql);
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_remove_activity(struct cc_store *st, int64_t id, const unsigned char (*natkeys)[16],
                              size_t n_natkeys, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_buf keys = CC_BUF_INIT(0), sql = CC_BUF_INIT(0);
	struct key_cache keep;
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = flush_keeping_keys(st, &keep, err)) < 0)
		goto out_leave;
	/* the Concord activities first: their source is found through the IATI row */
	for (size_t i = 0; i < n_natkeys; i++) {
		char hex[33];

		hex16(natkeys[i], hex);
		if (cc__pg_arr_text(&keys, hex) < 0)
			goto out_nomem;
	}
	if (cc__pg_arr_close(&keys) < 0)
		goto out_nomem;
	cc__pg_i64(&p, id);
	cc__pg_str(&p, keys.buf);
	if (n_natkeys &&
	    (ret = cc__pg_exec(st,
	                       "DELETE FROM activity WHERE source_id = (SELECT source_id FROM "
	                       "iati_activity WHERE id = $1) AND natkey IN (SELECT decode(k, 'hex') "
	                       "FROM unnest($2::text[]) AS k)",
	                       &p, false, NULL, err)) < 0)
		goto out_keys;
	if (cc_buf_adds(&sql, "WITH ") < 0)
		goto out_nomem;
	for (size_t k = 0; k < N_DETAIL; k++)
		if (cc_buf_addf(&sql, "%sd%zu AS (DELETE FROM %s WHERE activity_id = $1)",
		                k ? ", " : "", k, detail_tables[k]) < 0)
			goto out_nomem;
	if (cc_buf_adds(&sql, " DELETE FROM iati_activity WHERE id = $1") < 0)
		goto out_nomem;
	p.n = 1;
	ret = cc__pg_exec(st, sql.buf, &p, false, NULL, err);
	if (ret == 0 && touch_id(&keep, id) < 0)
		cache_release(&keep); /* the look-ups go to the server */
	if (ret == 0)
		ret = keys_hold(st, &keep, err);
	goto out_keys;
out_nomem:
	ret = cc_err_set(err, CC_ENOMEM, "out of memory");
out_keys:
	cache_release(&keep);
out_leave:
	cc_buf_release(&keys);
	cc_buf_release(&sql);
	return cc__pg_tx_leave(st, own, ret, err);
}

/* ---- reading ---- */

#define ACT_COLS                                                                            \
	"id, mission_id, source_id, identifier, line, version, title, status, "             \
	"default_currency, hierarchy, humanitarian, reporting_ref, reporting_type, "        \
	"reporting_name, encode(digest, 'hex'), description, last_updated"

/* The columns each detail read selects after activity_id, in the order of detail_tables. */
static const char *const det_read_cols[N_DETAIL] = {
	"role, type, ref, name",
	"type, date",
	"kind, code, vocabulary, percentage",
	"vocabulary, code, percentage",
	"ref, name, lat, lon, exactness, admin, area_id",
	"kind, type, status, period_start, period_end, value, currency, value_date",
	"type, date, value, currency, value_date, provider_ref, provider_name, receiver_ref, "
	"receiver_name",
	"result, position, result_type, indicator_code, ref, title, measure, ascending, "
	"baseline_date, baseline, n_periods",
	"indicator, period_start, period_end, target, actual",
	"indicator, period, kind, value, date, locations, dimensions",
};

static void fill_org(const PGresult *res, int r, void *item)
{
	struct cc_iati_org *o = item;

	cc__pg_col_str(res, r, 1, o->role, sizeof(o->role));
	cc__pg_col_str(res, r, 2, o->type, sizeof(o->type));
	cc__pg_col_str(res, r, 3, o->ref, sizeof(o->ref));
	cc__pg_col_str(res, r, 4, o->name, sizeof(o->name));
}

static void fill_date(const PGresult *res, int r, void *item)
{
	struct cc_iati_date *d = item;

	d->type = (int)cc__pg_col_i64(res, r, 1);
	d->date = cc__pg_col_date(res, r, 2);
}

static void fill_rcp(const PGresult *res, int r, void *item)
{
	struct cc_iati_recipient *x = item;

	x->region = !strcmp(cc__pg_cstr(res, r, 1), "region");
	cc__pg_col_str(res, r, 2, x->code, sizeof(x->code));
	cc__pg_col_str(res, r, 3, x->vocabulary, sizeof(x->vocabulary));
	x->percentage = cc__pg_col_num(res, r, 4);
}

static void fill_sec(const PGresult *res, int r, void *item)
{
	struct cc_iati_sector *x = item;

	cc__pg_col_str(res, r, 1, x->vocabulary, sizeof(x->vocabulary));
	cc__pg_col_str(res, r, 2, x->code, sizeof(x->code));
	x->percentage = cc__pg_col_num(res, r, 3);
}

static void fill_loc(const PGresult *res, int r, void *item)
{
	struct cc_iati_location *l = item;

	cc__pg_col_str(res, r, 1, l->ref, sizeof(l->ref));
	cc__pg_col_str(res, r, 2, l->name, sizeof(l->name));
	l->lat = cc__pg_col_num(res, r, 3);
	l->lon = cc__pg_col_num(res, r, 4);
	cc__pg_col_str(res, r, 5, l->exactness, sizeof(l->exactness));
	cc__pg_col_str(res, r, 6, l->admin, sizeof(l->admin));
	l->area_id = cc__pg_col_i64(res, r, 7);
}

/* a NOT NULL number: 0 as SQLite's sqlite3_column_double() of a NULL would give */
static double col_double(const PGresult *res, int r, int c)
{
	double v = cc__pg_col_num(res, r, c);

	return isnan(v) ? 0 : v;
}

static void fill_bud(const PGresult *res, int r, void *item)
{
	struct cc_iati_budget *b = item;

	b->kind = !strcmp(cc__pg_cstr(res, r, 1), "budget") ? CC_IATI_BUDGET
	                                                     : CC_IATI_PLANNED_DISBURSEMENT;
	cc__pg_col_str(res, r, 2, b->type, sizeof(b->type));
	cc__pg_col_str(res, r, 3, b->status, sizeof(b->status));
	b->period_start = cc__pg_col_date(res, r, 4);
	b->period_end = cc__pg_col_date(res, r, 5);
	b->value = col_double(res, r, 6);
	cc__pg_col_str(res, r, 7, b->currency, sizeof(b->currency));
	b->value_date = cc__pg_col_date(res, r, 8);
}

static void fill_tx(const PGresult *res, int r, void *item)
{
	struct cc_iati_transaction *t = item;

	cc__pg_col_str(res, r, 1, t->type, sizeof(t->type));
	t->date = cc__pg_col_date(res, r, 2);
	t->value = col_double(res, r, 3);
	cc__pg_col_str(res, r, 4, t->currency, sizeof(t->currency));
	t->value_date = cc__pg_col_date(res, r, 5);
	cc__pg_col_str(res, r, 6, t->provider_ref, sizeof(t->provider_ref));
	cc__pg_col_str(res, r, 7, t->provider_name, sizeof(t->provider_name));
	cc__pg_col_str(res, r, 8, t->receiver_ref, sizeof(t->receiver_ref));
	cc__pg_col_str(res, r, 9, t->receiver_name, sizeof(t->receiver_name));
}

static void fill_ind(const PGresult *res, int r, void *item)
{
	struct cc_iati_indicator *x = item;

	x->result = (int)cc__pg_col_i64(res, r, 1);
	x->position = (int)cc__pg_col_i64(res, r, 2);
	cc__pg_col_str(res, r, 3, x->result_type, sizeof(x->result_type));
	cc__pg_col_str(res, r, 4, x->code, sizeof(x->code));
	cc__pg_col_str(res, r, 5, x->ref, sizeof(x->ref));
	cc__pg_col_str(res, r, 6, x->title, sizeof(x->title));
	x->measure = (int)cc__pg_col_i64(res, r, 7);
	x->ascending = cc__pg_col_i64(res, r, 8) != 0;
	x->baseline_date = cc__pg_col_date(res, r, 9);
	x->baseline = cc__pg_col_num(res, r, 10);
	x->n_periods = (size_t)cc__pg_col_i64(res, r, 11);
}

static void fill_per(const PGresult *res, int r, void *item)
{
	struct cc_iati_period *p = item;
	int64_t ind = cc__pg_col_i64(res, r, 1);

	p->indicator = ind > 0 ? (size_t)(ind - 1) : 0;
	p->start = cc__pg_col_date(res, r, 2);
	p->end = cc__pg_col_date(res, r, 3);
	p->target = cc__pg_col_num(res, r, 4);
	p->actual = cc__pg_col_num(res, r, 5);
}

static void fill_val(const PGresult *res, int r, void *item)
{
	struct cc_iati_result_value *v = item;
	int64_t ind = cc__pg_col_i64(res, r, 1);
	const char *kind = cc__pg_cstr(res, r, 3);

	v->indicator = ind > 0 ? (size_t)(ind - 1) : 0;
	v->period = cc__pg_col_null(res, r, 2) ? SIZE_MAX : (size_t)(cc__pg_col_i64(res, r, 2) - 1);
	v->kind = !strcmp(kind, "actual")   ? CC_IATI_VALUE_ACTUAL
	          : !strcmp(kind, "target") ? CC_IATI_VALUE_TARGET
	                                    : CC_IATI_VALUE_BASELINE;
	v->value = cc__pg_col_num(res, r, 4);
	v->date = cc__pg_col_date(res, r, 5);
	cc__pg_col_str(res, r, 6, v->locations, sizeof(v->locations));
	cc__pg_col_str(res, r, 7, v->dimensions, sizeof(v->dimensions));
}

typedef void fill_fn(const PGresult *res, int r, void *item);

static fill_fn *const fills[N_DETAIL] = {
	fill_org, fill_date, fill_rcp, fill_sec, fill_loc,
	fill_bud, fill_tx,   fill_ind, fill_per, fill_val,
};

static const size_t item_size[N_DETAIL] = {
	sizeof(struct cc_iati_org),         sizeof(struct cc_iati_date),
	sizeof(struct cc_iati_recipient),   sizeof(struct cc_iati_sector),
	sizeof(struct cc_iati_location),    sizeof(struct cc_iati_budget),
	sizeof(struct cc_iati_transaction), sizeof(struct cc_iati_indicator),
	sizeof(struct cc_iati_period),      sizeof(struct cc_iati_result_value),
};

/* One page of activities with the rows of each detail table for all of them. */
struct page {
	PGresult *acts;
	PGresult *det[N_DETAIL];
	int next[N_DETAIL]; /* the next row of each detail result */
	void *arr[N_DETAIL];
	size_t cap[N_DETAIL];
};

static void page_clear(struct page *pg)
{
	PQclear(pg->acts);
	pg->acts = NULL;
	for (size_t k = 0; k < N_DETAIL; k++) {
		PQclear(pg->det[k]);
		pg->det[k] = NULL;
		pg->next[k] = 0;
	}
}

/* The details of activity id in table k: the rows at pg->next[k] (ordered by activity, seq). */
static int take_rows(struct page *pg, size_t k, int64_t id, size_t *n_out)
{
	const PGresult *res = pg->det[k];
	int r = pg->next[k];

	*n_out = 0;
	for (; r < PQntuples(res) && cc__pg_col_i64(res, r, 0) == id; r++) {
		void *item;

		if (cc__grow(&pg->arr[k], &pg->cap[k], *n_out, item_size[k]) < 0)
			return CC_ENOMEM;
		item = (char *)pg->arr[k] + *n_out * item_size[k];
		memset(item, 0, item_size[k]);
		fills[k](res, r, item);
		(*n_out)++;
	}
	pg->next[k] = r;
	return 0;
}

static void row_activity(const PGresult *res, int r, struct cc_iati_activity *a)
{
	memset(a, 0, sizeof(*a));
	a->id = cc__pg_col_i64(res, r, 0);
	a->mission_id = cc__pg_col_i64(res, r, 1);
	a->source_id = cc__pg_col_i64(res, r, 2);
	cc__pg_col_str(res, r, 3, a->identifier, sizeof(a->identifier));
	a->line = (long)cc__pg_col_i64(res, r, 4);
	cc__pg_col_str(res, r, 5, a->version, sizeof(a->version));
	cc__pg_col_str(res, r, 6, a->title, sizeof(a->title));
	cc__pg_col_str(res, r, 7, a->status, sizeof(a->status));
	cc__pg_col_str(res, r, 8, a->default_currency, sizeof(a->default_currency));
	a->hierarchy = (int)cc__pg_col_i64(res, r, 9);
	a->humanitarian = cc__pg_col_i64(res, r, 10) != 0;
	cc__pg_col_str(res, r, 11, a->reporting.ref, sizeof(a->reporting.ref));
	cc__pg_col_str(res, r, 12, a->reporting.type, sizeof(a->reporting.type));
	cc__pg_col_str(res, r, 13, a->reporting.name, sizeof(a->reporting.name));
	(void)col_key16(res, r, 14, a->digest);
	cc__pg_col_str(res, r, 15, a->description, sizeof(a->description));
	cc__pg_col_str(res, r, 16, a->last_updated, sizeof(a->last_updated));
}

/* Reads the details of the page's activities and calls fn for each. */
static int page_walk(struct cc_store *st, struct page *pg, cc_iati_activity_fn *fn, void *ctx,
                     struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_buf ids = CC_BUF_INIT(0), sql = CC_BUF_INIT(0);
	struct cc_iati_activity a;
	int n = PQntuples(pg->acts), ret = 0;

	for (int r = 0; r < n; r++)
		if (cc__pg_arr_i64(&ids, cc__pg_col_i64(pg->acts, r, 0), false) < 0)
			goto out_nomem;
	if (cc__pg_arr_close(&ids) < 0)
		goto out_nomem;
	cc__pg_str(&p, ids.buf);
	for (size_t k = 0; k < N_DETAIL; k++) {
		cc_buf_clear(&sql);
		if (cc_buf_addf(&sql,
		                "SELECT activity_id, %s FROM %s WHERE activity_id = ANY($1::bigint[]) "
		                "ORDER BY activity_id, seq",
		                det_read_cols[k], detail_tables[k]) < 0)
			goto out_nomem;
		if ((ret = cc__pg_exec(st, sql.buf, &p, false, &pg->det[k], err)) < 0)
			goto out;
	}
	for (int r = 0; r < n && ret == 0; r++) {
		size_t cnt[N_DETAIL];

		row_activity(pg->acts, r, &a);
		for (size_t k = 0; k < N_DETAIL; k++)
			if (take_rows(pg, k, a.id, &cnt[k]) < 0)
				goto out_nomem;
		a.orgs = pg->arr[D_ORG];
		a.n_orgs = cnt[D_ORG];
		a.dates = pg->arr[D_DATE];
		a.n_dates = cnt[D_DATE];
		a.recipients = pg->arr[D_RCP];
		a.n_recipients = cnt[D_RCP];
		a.sectors = pg->arr[D_SEC];
		a.n_sectors = cnt[D_SEC];
		a.locations = pg->arr[D_LOC];
		a.n_locations = cnt[D_LOC];
		a.budgets = pg->arr[D_BUD];
		a.n_budgets = cnt[D_BUD];
		a.transactions = pg->arr[D_TX];
		a.n_transactions = cnt[D_TX];
		a.indicators = pg->arr[D_IND];
		a.n_indicators = cnt[D_IND];
		a.periods = pg->arr[D_PER];
		a.n_periods = cnt[D_PER];
		a.values = pg->arr[D_VAL];
		a.n_values = cnt[D_VAL];
		ret = fn(ctx, &a, err);
	}
	goto out;
out_nomem:
	ret = cc_err_set(err, CC_ENOMEM, "out of memory");
out:
	cc_buf_release(&ids);
	cc_buf_release(&sql);
	return ret;
}

/* Calls fn for each activity of the mission (0: all; one: only activity one), by id. */
static int each_activity(struct cc_store *st, int64_t mission_id, int64_t one,
                         cc_iati_activity_fn *fn, void *ctx, size_t *n_out, struct cc_err *err)
{
	struct page pg = { 0 };
	struct key_cache keep;
	int64_t after = 0;
	bool own, more = true;
	int ret;

	*n_out = 0;
	if ((ret = flush_keeping_keys(st, &keep, err)) < 0)
		return ret;
	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0) {
		cache_release(&keep);
		return ret;
	}
	while (more && ret == 0) {
		struct cc__pg_params p = CC__PG_PARAMS_INIT;
		int n;

		cc__pg_i64(&p, mission_id);
		cc__pg_i64(&p, after);
		cc__pg_id(&p, one);
		cc__pg_i64(&p, IATI_READ_PAGE);
		ret = cc__pg_exec(st,
		                  "SELECT " ACT_COLS " FROM iati_activity WHERE ($1::bigint = 0 OR "
		                  "mission_id = $1::bigint) AND id > $2::bigint AND ($3::bigint IS "
		                  "NULL OR id = $3::bigint) ORDER BY id LIMIT $4::bigint",
		                  &p, false, &pg.acts, err);
		if (ret < 0)
			break;
		n = PQntuples(pg.acts);
		more = n == IATI_READ_PAGE;
		if (n) {
			after = cc__pg_col_i64(pg.acts, n - 1, 0);
			*n_out += (size_t)n;
			ret = page_walk(st, &pg, fn, ctx, err);
		}
		page_clear(&pg);
	}
	page_clear(&pg);
	for (size_t k = 0; k < N_DETAIL; k++)
		cc_free(pg.arr[k]);
	cc__pg_rx_leave(st, own);
	if (ret == 0)
		return keys_hold(st, &keep, err);
	cache_release(&keep);
	return ret;
}

static int pg_each_activity(struct cc_store *st, int64_t mission_id, cc_iati_activity_fn *fn,
                            void *ctx, struct cc_err *err)
{
	size_t n;

	return each_activity(st, mission_id, 0, fn, ctx, &n, err);
}

static int pg_get_activity(struct cc_store *st, int64_t id, cc_iati_activity_fn *fn, void *ctx,
                           struct cc_err *err)
{
	size_t n = 0;
	int ret;

	if (id <= 0)
		return cc_err_set(err, CC_ENOTFOUND, "no IATI activity %lld", (long long)id);
	ret = each_activity(st, 0, id, fn, ctx, &n, err);
	if (ret == 0 && n == 0)
		return cc_err_set(err, CC_ENOTFOUND, "no IATI activity %lld", (long long)id);
	return ret;
}

/*
 * Inside a write transaction that holds the writers' lock, the look-up of the importer's next
 * put is made by the same statement (every copy of the identifier: the mission's and the
 * source's) and kept on the held state for it: one statement an activity instead of two. From
 * the second activity of a transaction on, the copies come from the stored keys read once
 * (cache_ready), and an identifier not written in the transaction costs no statement at all.
 */
static int find_other_probe(struct cc_store *st, int64_t mission_id, const char *identifier,
                            int64_t source_id, struct cc_iati_stored *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct iati_held *h = cc__pg_unhold(st, &iati_holder);
	struct stored same = { .found = false };
	PGresult *res = NULL;
	bool locked, found = false;
	int ret = 0;

	if (h && (ret = cache_ready(st, h, mission_id, source_id, err)) < 0)
		goto out_drop;
	if (h && cache_probe(&h->cache, mission_id, identifier, source_id, &same, out, &found)) {
		locked = true;
		goto out_probe;
	}
	/* a held write of this identifier from another source is sent first */
	for (size_t i = 0; h && i < h->n_acts && ret == 0; i++)
		if (h->acts[i].source_id != source_id && !strcmp(h->acts[i].identifier, identifier))
			ret = iati_send(st, h, err);
	if (ret < 0)
		goto out_drop;
	cc__pg_i64(&p, mission_id);
	cc__pg_str(&p, identifier);
	cc__pg_i64(&p, source_id);
	ret = cc__pg_exec(st,
	                  "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND "
	                  "pid = pg_backend_pid() AND granted AND classid = 0 AND objid = "
	                  LOCK_IATI_KEY " AND objsubid = 1), (SELECT coalesce(max(id), 0) FROM "
	                  "iati_activity), a.id, a.source_id, s.name, a.last_updated, a.line, "
	                  "a.mission_id, a.batch, encode(a.digest, 'hex') FROM (SELECT 1) AS one "
	                  "LEFT JOIN (iati_activity a JOIN source s ON s.id = a.source_id) ON "
	                  "a.identifier = $2 AND (a.mission_id = $1 OR a.source_id = $3) ORDER BY "
	                  "a.id",
	                  &p, false, &res, err);
	if (ret < 0)
		goto out_drop;
	locked = strcmp(cc__pg_cstr(res, 0, 0), "t") == 0;
	for (int r = 0; r < PQntuples(res); r++) {
		if (cc__pg_col_null(res, r, 2))
			continue;
		if (cc__pg_col_i64(res, r, 3) == source_id) {
			same.found = true;
			same.id = cc__pg_col_i64(res, r, 2);
			same.line = (long)cc__pg_col_i64(res, r, 6);
			same.batch = cc__pg_col_i64(res, r, 8);
			same.has_digest = col_key16(res, r, 9, same.digest);
		} else if (!found && cc__pg_col_i64(res, r, 7) == mission_id) {
			found = true;
			other_row(res, r, 2, out);
		}
	}
	if (locked && !h && !(h = held_new(cc__pg_col_i64(res, 0, 1) + 1))) {
		PQclear(res);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	PQclear(res);
out_probe:
	if (locked) {
		cc_free(h->probe_identifier);
		if (!(h->probe_identifier = cc_strdup(identifier))) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out_drop;
		}
		h->has_probe = true;
		h->probe_source = source_id;
		h->probe = same;
	}
	if (h && (ret = cc__pg_hold(st, &iati_holder, h, err)) < 0)
		return ret;
	return found ? 0 : CC_ENOTFOUND;
out_drop:
	iati_drop(h); /* the transaction fails with it */
	return ret;
}

static int pg_find_other(struct cc_store *st, int64_t mission_id, const char *identifier,
                         int64_t source_id, struct cc_iati_stored *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool own;
	int ret;

	if (PQtransactionStatus(cc__pg_conn(st)) == PQTRANS_INTRANS)
		return find_other_probe(st, mission_id, identifier, source_id, out, err);
	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_i64(&p, mission_id);
	cc__pg_str(&p, identifier);
	cc__pg_i64(&p, source_id);
	ret = cc__pg_exec(st,
	                  "SELECT a.id, a.source_id, s.name, a.last_updated, a.line FROM "
	                  "iati_activity a JOIN source s ON s.id = a.source_id WHERE a.mission_id "
	                  "= $1 AND a.identifier = $2 AND a.source_id <> $3 ORDER BY a.id LIMIT 1",
	                  &p, false, &res, err);
	if (ret == 0 && PQntuples(res) == 0)
		ret = CC_ENOTFOUND;
	if (ret == 0)
		other_row(res, 0, 0, out);
	PQclear(res);
	cc__pg_rx_leave(st, own);
	return ret;
}

static int pg_count(struct cc_store *st, int64_t mission_id, const char *table, int64_t *n_out,
                    struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	char q[256];
	bool known = !strcmp(table, "iati_activity");
	int ret;

	for (size_t i = 0; i < N_DETAIL && !known; i++)
		known = !strcmp(table, detail_tables[i]);
	if (!known)
		return cc_err_set(err, CC_EINVALID, "unknown IATI table '%s'", table);
	if ((ret = cc__pg_flush(st, err)) < 0)
		return ret;
	if (!strcmp(table, "iati_activity"))
		snprintf(q, sizeof(q),
		         "SELECT count(*) FROM iati_activity WHERE $1::bigint = 0 OR mission_id = "
		         "$1::bigint");
	else
		snprintf(q, sizeof(q),
		         "SELECT count(*) FROM \"%s\" d JOIN iati_activity a ON a.id = "
		         "d.activity_id WHERE $1::bigint = 0 OR a.mission_id = $1::bigint",
		         table);
	cc__pg_i64(&p, mission_id);
	if ((ret = cc__pg_exec(st, q, &p, false, &res, err)) < 0)
		return ret;
	*n_out = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

const struct cc__iati_ops cc__pg_iati = {
	.put_activity = pg_put_activity,
	.remove_stale = pg_remove_stale,
	.each_activity = pg_each_activity,
	.count = pg_count,
	.find_other = pg_find_other,
	.get_activity = pg_get_activity,
	.remove_activity = pg_remove_activity,
};
