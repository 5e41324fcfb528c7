/*
 * The needs domain on PostgreSQL: tables need and population (migration pg/0003), SQLite's
 * statements (sqlite_needs.c) in PostgreSQL's dialect. Who may see a need is decided in C by
 * cc_visible() from the row's marking (cc__pg_row_visible below, shared with the other
 * measurement files), not by a second copy of the rule in SQL.
 */
#include "store/ops_needs.h"
#include "store/postgres_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/visibility.h>

#include "core/banned.h"

/* ---- visibility (postgres_int.h) ---- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int cc__pg_load_shares(struct cc_store *st, const char *tbl, struct cc__pg_shares *out,
                       struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	out->ids = NULL;
	out->n = 0;
	if (st->viewer.kind != CC_VIEWER_ORG || !st->viewer.org_id)
		return 0;
	cc__pg_str(&p, tbl);
	cc__pg_i64(&p, st->viewer.org_id);
	ret = cc__pg_rows(st,
	                  "SELECT record_id FROM share WHERE tbl = $1 AND org_id = $2 ORDER BY "
	                  "record_id",
	                  &p, sizeof(*out->ids), &res, (void **)&out->ids, &out->n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < out->n; i++)
		out->ids[i] = cc__pg_col_i64(res, (int)i, 0);
	PQclear(res);
	return 0;
}

bool cc__pg_row_visible(struct cc_store *st, const struct cc__pg_shares *sh, const PGresult *res,
                        int r, int c, struct cc_marking *m_out)
{
	int64_t id = cc__pg_col_i64(res, r, c);
	struct cc_marking m = {
		.mission_id = cc__pg_col_i64(res, r, c + 1),
		.owner_id = cc__pg_col_i64(res, r, c + 2),
		.deny = (unsigned)cc__pg_col_i64(res, r, c + 4),
	};
	enum cc_rel rel;

	/* an unknown marking is the strictest */
	if (cc_rel_parse(cc__pg_cstr(res, r, c + 3), &rel, NULL) < 0)
		rel = CC_REL_ORG;
	m.rel = rel;
	if (cc__pg_col_i64(res, r, c + 5) && sh && sh->n &&
	    bsearch(&id, sh->ids, sh->n, sizeof(*sh->ids), cmp_i64)) {
		m.shares = &st->viewer.org_id;
		m.n_shares = 1;
	}
	if (m_out)
		*m_out = m;
	return cc_visible(&st->viewer, &m);
}

/* ---- needs ---- */

#define NEED_COLS                                                                            \
	"mission_id, source_id, area_id, sector_id, period_from, period_to, is_total, sex, " \
	"age_group, pop_group, disability, label, population, in_need, targeted, affected, " \
	"reached, severity, line, natkey, digest, batch"

/* ---- array literals (postgres_int.h) ---- */

static int arr_sep(struct cc_buf *b)
{
	return cc_buf_addch(b, b->len ? ',' : '{');
}

int cc__pg_arr_text(struct cc_buf *b, const char *v)
{
	int ret = arr_sep(b);

	if (ret < 0)
		return ret;
	if (!v || !*v)
		return cc_buf_addf(b, "NULL");
	if ((ret = cc_buf_addch(b, '"')) < 0)
		return ret;
	for (; *v && ret == 0; v++)
		ret = (*v == '"' || *v == '\\') ? cc_buf_addf(b, "\\%c", *v) : cc_buf_addch(b, *v);
	return ret < 0 ? ret : cc_buf_addch(b, '"');
}

int cc__pg_arr_i64(struct cc_buf *b, int64_t v, bool null)
{
	int ret = arr_sep(b);

	if (ret < 0)
		return ret;
	return null ? cc_buf_addf(b, "NULL") : cc_buf_addf(b, "%lld", (long long)v);
}

int cc__pg_arr_num(struct cc_buf *b, double v)
{
	int ret = arr_sep(b);

	if (ret < 0)
		return ret;
	return isnan(v) ? cc_buf_addf(b, "NULL") : cc_buf_addf(b, "%.17g", v);
}

int cc__pg_arr_close(struct cc_buf *b)
{
	return b->len ? cc_buf_addch(b, '}') : cc_buf_addf(b, "{}");
}

/*
 * ---- needs: held, decided in C, sent many at a time ----
 *
 * As observations (postgres_indicators.c): inside a write transaction the first put takes the
 * needs' advisory lock and the highest id; a source's first put is looked up alone, its second
 * reads all the source's needs (key, digest, batch, line) into a hash table; the rest are
 * decided in C exactly as SQLite decides (duplicate of this batch, unchanged, updated, added).
 * New needs take the next id, as SQLite gives a rowid; inserts, updates and the "seen by this
 * batch" marks wait and go NEED_SEND_ROWS at a time, one statement of each kind.
 */
#define NEED_SEND_ROWS 2000
#define LOCK_NEED      "SELECT pg_advisory_xact_lock(4242004)"

enum { H_NONE, H_INSERT, H_UPDATE, H_SEEN };

/* A stored (or held) need: its key and what a put compares. */
struct need_row {
	int64_t id, source_id, batch;
	long line;
	unsigned char natkey[16], digest[16];
	int held;    /* H_… */
	size_t pend; /* its entry in pend when held */
};

/* A held change: the row, and for inserts and updates every value. */
struct need_pend {
	size_t row;
	int64_t batch;
	struct cc_need n;
};

struct source_seen {
	int64_t id;
	bool loaded;
};

struct needs_held {
	struct need_row *rows;
	size_t n_rows, cap_rows;
	uint32_t *slots; /* open addressing: index + 1 into rows, 0 empty */
	size_t n_slots;
	struct source_seen *sources;
	size_t n_sources, cap_sources;
	struct need_pend *pend;
	size_t n_pend, cap_pend;
	int64_t next_id;
};

static size_t need_hash(int64_t source_id, const unsigned char natkey[16])
{
	uint64_t h;

	memcpy(&h, natkey, sizeof(h)); /* the key is a hash already */
	return (size_t)(h ^ ((uint64_t)source_id * 0x9e3779b97f4a7c15u));
}

static struct need_row *need_find(struct needs_held *h, int64_t source_id,
                                  const unsigned char natkey[16])
{
	size_t mask = h->n_slots - 1, i;

	if (!h->n_slots)
		return NULL;
	for (i = need_hash(source_id, natkey) & mask; h->slots[i]; i = (i + 1) & mask) {
		struct need_row *r = &h->rows[h->slots[i] - 1];

		if (r->source_id == source_id && !memcmp(r->natkey, natkey, 16))
			return r;
	}
	return NULL;
}

static void need_place(struct needs_held *h, size_t k)
{
	size_t mask = h->n_slots - 1,
	       i = need_hash(h->rows[k].source_id, h->rows[k].natkey) & mask;

	while (h->slots[i])
		i = (i + 1) & mask;
	h->slots[i] = (uint32_t)(k + 1);
}

/* Adds a row whose key the table does not have; NULL when out of memory. */
static struct need_row *need_add(struct needs_held *h, const struct need_row *r)
{
	if ((h->n_rows + 1) * 2 > h->n_slots) {
		size_t n = h->n_slots ? h->n_slots * 2 : 1024;
		uint32_t *sl;

		if (n > UINT32_MAX || !(sl = cc_alloc_array(n, sizeof(*sl))))
			return NULL;
		cc_free(h->slots);
		h->slots = sl;
		h->n_slots = n;
		for (size_t k = 0; k < h->n_rows; k++)
			need_place(h, k);
	}
	if (cc__grow((void **)&h->rows, &h->cap_rows, h->n_rows, sizeof(*h->rows)) < 0)
		return NULL;
	h->rows[h->n_rows] = *r;
	need_place(h, h->n_rows);
	return &h->rows[h->n_rows++];
}

static void needs_drop(void *p)
{
	struct needs_held *h = p;

	if (!h)
		return;
	cc_free(h->rows);
	cc_free(h->slots);
	cc_free(h->sources);
	cc_free(h->pend);
	cc_free(h);
}

/* a 16-byte key from its hex form (encode(…, 'hex')) */
static void col_key16(const PGresult *res, int r, int c, unsigned char out[16])
{
	const char *x = cc__pg_cstr(res, r, c);

	if (strlen(x) != 32)
		return;
	for (int i = 0; i < 16; i++) {
		char b[3] = { x[2 * i], x[2 * i + 1], '\0' };

		out[i] = (unsigned char)strtoul(b, NULL, 16);
	}
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

/* the columns of one held need, in the order of NEED_COLS after the id */
enum {
	N_ID, N_MISSION, N_SOURCE, N_AREA, N_SECTOR, N_FROM, N_TO, N_TOTAL, N_SEX, N_AGE, N_POP,
	N_DIS, N_LABEL, N_POPULATION, N_IN_NEED, N_TARGETED, N_AFFECTED, N_REACHED, N_SEVERITY,
	N_LINE, N_NATKEY, N_DIGEST, N_BATCH, N_COLS
};

static int need_elements(struct cc_buf *a, int64_t id, const struct cc_need *n, int64_t batch)
{
	char key[33], dig[33];
	int ret;

	hex16(n->natkey, key);
	hex16(n->digest, dig);
	if ((ret = cc__pg_arr_i64(&a[N_ID], id, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[N_MISSION], n->mission_id, !n->mission_id)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[N_SOURCE], n->source_id, !n->source_id)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[N_AREA], n->area_id, !n->area_id)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[N_SECTOR], n->sector_id, !n->sector_id)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[N_FROM], n->period_from, n->period_from == CC_DATE_NONE)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[N_TO], n->period_to, n->period_to == CC_DATE_NONE)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[N_TOTAL], n->is_total ? 1 : 0, false)) < 0 ||
	    (ret = cc__pg_arr_text(&a[N_SEX], n->sex)) < 0 ||
	    (ret = cc__pg_arr_text(&a[N_AGE], n->age_group)) < 0 ||
	    (ret = cc__pg_arr_text(&a[N_POP], n->pop_group)) < 0 ||
	    (ret = cc__pg_arr_text(&a[N_DIS], n->disability)) < 0 ||
	    (ret = cc__pg_arr_text(&a[N_LABEL], n->label)) < 0 ||
	    (ret = cc__pg_arr_num(&a[N_POPULATION], n->population)) < 0 ||
	    (ret = cc__pg_arr_num(&a[N_IN_NEED], n->in_need)) < 0 ||
	    (ret = cc__pg_arr_num(&a[N_TARGETED], n->targeted)) < 0 ||
	    (ret = cc__pg_arr_num(&a[N_AFFECTED], n->affected)) < 0 ||
	    (ret = cc__pg_arr_num(&a[N_REACHED], n->reached)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[N_SEVERITY], n->severity, !n->severity)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[N_LINE], n->line, false)) < 0 ||
	    (ret = cc__pg_arr_text(&a[N_NATKEY], key)) < 0 ||
	    (ret = cc__pg_arr_text(&a[N_DIGEST], dig)) < 0)
		return ret;
	return cc__pg_arr_i64(&a[N_BATCH], batch, !batch);
}

#define NEED_UNNEST                                                                          \
	"unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], "         \
	"$6::integer[], $7::integer[], $8::integer[], $9::text[], $10::text[], $11::text[], "   \
	"$12::text[], $13::text[], $14::float8[], $15::float8[], $16::float8[], $17::float8[], " \
	"$18::float8[], $19::integer[], $20::bigint[], $21::text[], $22::text[], $23::bigint[]) " \
	"AS v(id, mission_id, source_id, area_id, sector_id, period_from, period_to, is_total, " \
	"sex, age_group, pop_group, disability, label, population, in_need, targeted, "        \
	"affected, reached, severity, line, natkey, digest, batch)"
#define NEED_V                                                                               \
	"v.mission_id, v.source_id, v.area_id, v.sector_id, v.period_from, v.period_to, "       \
	"v.is_total, v.sex, v.age_group, v.pop_group, v.disability, v.label, v.population, "    \
	"v.in_need, v.targeted, v.affected, v.reached, v.severity, v.line, decode(v.natkey, "   \
	"'hex'), decode(v.digest, 'hex'), v.batch"

/* Sends the held changes of kind want among pend[from, to). */
static int need_send_kind(struct cc_store *st, struct needs_held *h, size_t from, size_t to,
                          int want, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_buf a[N_COLS];
	int n_cols = want == H_SEEN ? 3 : N_COLS;
	size_t n = 0;
	int ret = 0;

	for (int k = 0; k < N_COLS; k++)
		a[k] = (struct cc_buf)CC_BUF_INIT(0);
	for (size_t i = from; i < to && ret == 0; i++) {
		const struct need_pend *e = &h->pend[i];
		const struct need_row *r = &h->rows[e->row];

		if (r->held != want)
			continue;
		n++;
		if (want != H_SEEN)
			ret = need_elements(a, r->id, &e->n, e->batch);
		else if ((ret = cc__pg_arr_i64(&a[0], r->id, false)) == 0 &&
		         (ret = cc__pg_arr_i64(&a[1], r->batch, !r->batch)) == 0)
			ret = cc__pg_arr_i64(&a[2], r->line, false);
	}
	for (int k = 0; k < n_cols && ret == 0; k++)
		ret = cc__pg_arr_close(&a[k]);
	if (ret < 0) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out;
	}
	if (!n)
		goto out;
	for (int k = 0; k < n_cols; k++)
		cc__pg_str(&p, a[k].buf);
	if (want == H_INSERT)
		ret = cc__pg_exec(st,
		                  "INSERT INTO need (id, " NEED_COLS ") SELECT v.id, " NEED_V
		                  " FROM " NEED_UNNEST,
		                  &p, false, NULL, err);
	else if (want == H_UPDATE)
		ret = cc__pg_exec(st,
		                  "UPDATE need t SET (" NEED_COLS ") = (" NEED_V ") FROM " NEED_UNNEST
		                  " WHERE t.id = v.id",
		                  &p, false, NULL, err);
	else
		ret = cc__pg_exec(st,
		                  "UPDATE need t SET batch = v.batch, line = v.line FROM "
		                  "unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS v(id, batch, "
		                  "line) WHERE t.id = v.id",
		                  &p, false, NULL, err);
out:
	for (int k = 0; k < N_COLS; k++)
		cc_buf_release(&a[k]);
	return ret;
}

/* Sends every held change, NEED_SEND_ROWS at a time; the table stays (it is what is stored). */
static int needs_send(struct cc_store *st, struct needs_held *h, struct cc_err *err)
{
	int ret = 0;

	for (size_t from = 0; from < h->n_pend && ret == 0; from += NEED_SEND_ROWS) {
		size_t to = from + NEED_SEND_ROWS < h->n_pend ? from + NEED_SEND_ROWS : h->n_pend;

		if ((ret = need_send_kind(st, h, from, to, H_INSERT, err)) == 0 &&
		    (ret = need_send_kind(st, h, from, to, H_UPDATE, err)) == 0)
			ret = need_send_kind(st, h, from, to, H_SEEN, err);
	}
	for (size_t i = 0; i < h->n_pend; i++)
		h->rows[h->pend[i].row].held = H_NONE;
	h->n_pend = 0;
	return ret;
}

static int needs_flush(struct cc_store *st, void *p, struct cc_err *err)
{
	return needs_send(st, p, err);
}

static const char *const needs_tables[] = { "need", NULL };
static const struct cc__pg_holder needs_holder = { .flush = needs_flush, .drop = needs_drop,
	                                           .tables = needs_tables };

#define NEED_KEY_COLS "id, source_id, encode(natkey, 'hex'), encode(digest, 'hex'), batch, line"

/* Adds the rows of res the table does not have (it may hold newer versions of some). */
static int need_add_rows(struct needs_held *h, const PGresult *res, struct cc_err *err)
{
	for (int r = 0; r < PQntuples(res); r++) {
		struct need_row row = { .id = cc__pg_col_i64(res, r, 0),
			                .source_id = cc__pg_col_i64(res, r, 1),
			                .batch = cc__pg_col_i64(res, r, 4),
			                .line = (long)cc__pg_col_i64(res, r, 5) };

		col_key16(res, r, 2, row.natkey);
		col_key16(res, r, 3, row.digest);
		if (!need_find(h, row.source_id, row.natkey) && !need_add(h, &row))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	return 0;
}

/* Makes sure the table knows whether n's key is stored: one row the first time a source is
 * met, all of the source's needs the second time. */
static int need_look_up(struct cc_store *st, struct needs_held *h, const struct cc_need *n,
                        struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct source_seen *seen = NULL;
	PGresult *res = NULL;
	int ret;

	for (size_t i = 0; i < h->n_sources; i++)
		if (h->sources[i].id == n->source_id)
			seen = &h->sources[i];
	if (seen && seen->loaded)
		return 0;
	cc__pg_i64(&p, n->source_id);
	if (seen) {
		seen->loaded = true;
		ret = cc__pg_exec(st, "SELECT " NEED_KEY_COLS " FROM need WHERE source_id = $1", &p,
		                  false, &res, err);
	} else {
		if (cc__grow((void **)&h->sources, &h->cap_sources, h->n_sources,
		             sizeof(*h->sources)) < 0)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		h->sources[h->n_sources++] = (struct source_seen){ .id = n->source_id };
		if (need_find(h, n->source_id, n->natkey))
			return 0;
		cc__pg_blob(&p, n->natkey, sizeof(n->natkey));
		ret = cc__pg_exec(st,
		                  "SELECT " NEED_KEY_COLS " FROM need WHERE source_id = $1 AND natkey "
		                  "= $2::bytea",
		                  &p, false, &res, err);
	}
	if (ret < 0)
		return ret;
	ret = need_add_rows(h, res, err);
	PQclear(res);
	return ret;
}

/* The handle's held needs, let go of while a put runs its own statements (which name the
 * table), or new ones when there are none: the lock and the next id. */
static int needs_state(struct cc_store *st, struct needs_held **out, struct cc_err *err)
{
	struct needs_held *h = cc__pg_unhold(st, &needs_holder);
	PGresult *res = NULL;
	int ret;

	if (h) {
		*out = h;
		return 0;
	}
	if ((ret = cc__pg_exec(st, LOCK_NEED, NULL, false, NULL, err)) < 0 ||
	    (ret = cc__pg_exec(st, "SELECT coalesce(max(id), 0) FROM need", NULL, false, &res,
	                       err)) < 0)
		return ret;
	if (!(h = cc_alloc_array(1, sizeof(*h)))) {
		PQclear(res);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	h->next_id = cc__pg_col_i64(res, 0, 0) + 1;
	PQclear(res);
	*out = h;
	return 0;
}

/* Holds a change of row r: a new entry, or new values for the entry it has. */
static int need_hold(struct needs_held *h, struct need_row *r, int kind, const struct cc_need *n,
                     int64_t batch, struct cc_err *err)
{
	struct need_pend *e;

	if (r->held == H_NONE) {
		if (cc__grow((void **)&h->pend, &h->cap_pend, h->n_pend, sizeof(*h->pend)) < 0)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		r->pend = h->n_pend++;
		h->pend[r->pend].row = (size_t)(r - h->rows);
		r->held = kind;
	} else if (r->held == H_SEEN && kind == H_UPDATE) {
		r->held = H_UPDATE; /* seen, then changed: the update carries both */
	}
	e = &h->pend[r->pend];
	e->batch = batch;
	if (kind != H_SEEN) {
		e->n = *n;
	} else if (r->held != H_SEEN) {
		e->n.line = n->line; /* a held insert or update: seen again by this batch */
	}
	return 0;
}

static int put_one(struct cc_store *st, struct needs_held *h, struct cc_need *n, int64_t batch,
                   enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	struct need_row *r;
	int ret;

	if ((ret = need_look_up(st, h, n, err)) < 0)
		return ret;
	r = need_find(h, n->source_id, n->natkey);
	if (r && r->batch == batch) {
		*res_out = CC_PUT_DUPLICATE;
		*dup_line_out = r->line;
		return 0;
	}
	if (r && !memcmp(r->digest, n->digest, sizeof(r->digest))) {
		*res_out = CC_PUT_UNCHANGED;
		n->id = r->id;
		r->batch = batch;
		r->line = n->line;
		ret = need_hold(h, r, H_SEEN, n, batch, err);
	} else if (r) {
		*res_out = CC_PUT_UPDATED;
		n->id = r->id;
		r->batch = batch;
		r->line = n->line;
		memcpy(r->digest, n->digest, sizeof(r->digest));
		ret = need_hold(h, r, H_UPDATE, n, batch, err);
	} else {
		struct need_row row = { .id = h->next_id, .source_id = n->source_id,
			                .batch = batch, .line = n->line };

		memcpy(row.natkey, n->natkey, sizeof(row.natkey));
		memcpy(row.digest, n->digest, sizeof(row.digest));
		if (!(r = need_add(h, &row)))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		n->id = h->next_id++;
		*res_out = CC_PUT_ADDED;
		ret = need_hold(h, r, H_INSERT, n, batch, err);
	}
	if (ret < 0 || h->n_pend < NEED_SEND_ROWS)
		return ret;
	return needs_send(st, h, err);
}

static int put_need(struct cc_store *st, struct cc_need *n, int64_t batch,
                    enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	struct needs_held *h = NULL;
	int ret;

	if ((ret = needs_state(st, &h, err)) < 0)
		return ret;
	if (!h) /* needs_state sets it when it succeeds */
		return cc_err_set(err, CC_ESTORE, "no held needs");
	if ((ret = put_one(st, h, n, batch, res_out, dup_line_out, err)) < 0) {
		needs_drop(h); /* the transaction fails with it */
		return ret;
	}
	return cc__pg_hold(st, &needs_holder, h, err);
}

static int pg_put_need(struct cc_store *st, struct cc_need *n, int64_t batch,
                       enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	bool own;
	int ret;

	*dup_line_out = 0;
	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = put_need(st, n, batch, res_out, dup_line_out, err);
	/* a write of its own sends its row now */
	if (own && ret == 0)
		ret = cc__pg_flush(st, err);
	return cc__pg_tx_leave(st, own, ret, err);
}

/* Deletes the rows of the source that batch did not see (sql: $1 source, $2 batch). */
static int remove_stale(struct cc_store *st, const char *sql, int64_t source_id, int64_t batch,
                        size_t *n_removed_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool own;
	int ret;

	*n_removed_out = 0;
	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_i64(&p, source_id);
	cc__pg_id(&p, batch);
	ret = cc__pg_exec(st, sql, &p, false, &res, err);
	if (ret == 0)
		*n_removed_out = (size_t)cc__pg_changes(res);
	PQclear(res);
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_remove_stale_needs(struct cc_store *st, int64_t source_id, int64_t batch,
                                 size_t *n_removed_out, struct cc_err *err)
{
	return remove_stale(st,
	                    "DELETE FROM need WHERE source_id = $1 AND batch IS DISTINCT FROM "
	                    "$2::bigint",
	                    source_id, batch, n_removed_out, err);
}

static void query_params(struct cc__pg_params *p, const struct cc_need_query *q)
{
	cc__pg_i64(p, q->mission_id);
	cc__pg_i64(p, q->min_level);
	cc__pg_date(p, q->from);
	cc__pg_date(p, q->to);
}

/* the marking of need n, for cc__pg_row_visible */
#define NEED_MARKING "n.id, n.mission_id, n.owner_id, n.releasability, n.deny, n.shared"

#define NEED_WHERE                                                                         \
	"n.mission_id = $1 AND (CASE WHEN n.area_id IS NULL THEN 0 ELSE (SELECT a.level FROM " \
	"area a WHERE a.id = n.area_id) END) >= $2::integer AND ($3::integer IS NULL OR "      \
	"n.period_to IS NULL OR n.period_to >= $3::integer) AND ($4::integer IS NULL OR "     \
	"n.period_from IS NULL OR n.period_from <= $4::integer)"

/* $1 mission, $2 min level, $3/$4 period (NULL open); the pillar as the coverage read's */
static const char sql_load[] =
        "SELECT n.area_id, n.sector_id, n.in_need, n.severity, " CC__PG_PILLAR_OF("$1::bigint")
        ", " NEED_MARKING " FROM need n LEFT JOIN sector s ON s.id = n.sector_id WHERE "
        "n.is_total = 1 AND " NEED_WHERE " ORDER BY n.id";

/* Appends id to the array literal ids ("{1,2"; closed by the caller). */
static int add_id(struct cc_buf *ids, int64_t id)
{
	return cc_buf_addf(ids, "%s%lld", ids->len > 1 ? "," : "", (long long)id);
}

static int pg_load_needs(struct cc_store *st, const struct cc_need_query *q,
                         struct cc_gap_need **needs_out, size_t *n_needs_out,
                         struct cc_area **areas_out, size_t *n_areas_out,
                         struct cc_gap_sector **sectors_out, size_t *n_sectors_out,
                         struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	struct cc_buf aids = CC_BUF_INIT(0), sids = CC_BUF_INIT(0);
	struct cc_gap_need *needs = NULL;
	struct cc_area *areas = NULL;
	struct cc_gap_sector *sectors = NULL;
	size_t n = 0, n_areas = 0, n_sec = 0;
	PGresult *res = NULL;
	bool own;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "need", &sh, err)) < 0)
		goto out;
	if (cc_buf_addch(&aids, '{') < 0 || cc_buf_addch(&sids, '{') < 0)
		goto out_nomem;
	query_params(&p, q);
	if ((ret = cc__pg_exec(st, sql_load, &p, false, &res, err)) < 0)
		goto out;
	if (PQntuples(res) > 0 &&
	    !(needs = cc_alloc_array((size_t)PQntuples(res), sizeof(*needs))))
		goto out_nomem;
	for (int r = 0; r < PQntuples(res); r++) {
		struct cc_gap_need *g;

		if (!cc__pg_row_visible(st, &sh, res, r, 5, NULL))
			continue;
		g = &needs[n++];
		g->area_id = cc__pg_col_i64(res, r, 0);
		g->sector_id = cc__pg_col_i64(res, r, 1);
		g->in_need = cc__pg_col_num(res, r, 2);
		g->severity = (int)cc__pg_col_i64(res, r, 3);
		g->pillar = cc_pillar_parse(cc__pg_col_null(res, r, 4) ? "other"
		                                                        : cc__pg_cstr(res, r, 4));
		if (g->pillar < 0)
			g->pillar = CC_PILLAR_OTHER;
		if ((g->area_id && add_id(&aids, g->area_id) < 0) ||
		    (g->sector_id && add_id(&sids, g->sector_id) < 0))
			goto out_nomem;
	}
	PQclear(res);
	res = NULL;
	if (cc_buf_addch(&aids, '}') < 0 || cc_buf_addch(&sids, '}') < 0)
		goto out_nomem;

	p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
	cc__pg_str(&p, aids.buf);
	if ((ret = cc__pg_exec(st,
	                       "WITH RECURSIVE anc(id) AS (SELECT unnest($1::bigint[]) UNION "
	                       "SELECT p.parent_id FROM area p JOIN anc ON p.id = anc.id WHERE "
	                       "p.parent_id IS NOT NULL) SELECT " CC__PG_AREA_COLS " FROM area "
	                       "WHERE id IN (SELECT id FROM anc) ORDER BY pcode",
	                       &p, false, &res, err)) < 0 ||
	    (ret = cc__pg_read_areas(res, &areas, &n_areas, err)) < 0)
		goto out;
	PQclear(res);
	res = NULL;

	p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
	cc__pg_str(&p, sids.buf);
	if ((ret = cc__pg_rows(st,
	                       "SELECT id, code, name FROM sector WHERE id = ANY($1::bigint[]) "
	                       "ORDER BY id",
	                       &p, sizeof(*sectors), &res, (void **)&sectors, &n_sec, err)) < 0)
		goto out;
	for (size_t i = 0; i < n_sec; i++) {
		sectors[i].id = cc__pg_col_i64(res, (int)i, 0);
		cc__pg_col_str(res, (int)i, 1, sectors[i].code, sizeof(sectors[i].code));
		cc__pg_col_str(res, (int)i, 2, sectors[i].name, sizeof(sectors[i].name));
	}
	*needs_out = n ? needs : NULL;
	*n_needs_out = n;
	*areas_out = areas;
	*n_areas_out = n_areas;
	*sectors_out = sectors;
	*n_sectors_out = n_sec;
	if (!n)
		cc_free(needs);
	needs = NULL;
	areas = NULL;
	sectors = NULL;
	ret = 0;
	goto out;
out_nomem:
	ret = cc_err_set(err, CC_ENOMEM, "out of memory");
out:
	PQclear(res);
	cc_free(needs);
	cc_free(areas);
	cc_free(sectors);
	cc_free(sh.ids);
	cc_buf_release(&aids);
	cc_buf_release(&sids);
	cc__pg_rx_leave(st, own);
	return ret;
}

static void row_need(const PGresult *res, int r, struct cc_need *n)
{
	memset(n, 0, sizeof(*n));
	n->id = cc__pg_col_i64(res, r, 0);
	n->mission_id = cc__pg_col_i64(res, r, 1);
	n->source_id = cc__pg_col_i64(res, r, 2);
	n->area_id = cc__pg_col_i64(res, r, 3);
	n->sector_id = cc__pg_col_i64(res, r, 4);
	n->period_from = cc__pg_col_date(res, r, 5);
	n->period_to = cc__pg_col_date(res, r, 6);
	n->is_total = cc__pg_col_i64(res, r, 7) != 0;
	cc__pg_col_str(res, r, 8, n->sex, sizeof(n->sex));
	cc__pg_col_str(res, r, 9, n->age_group, sizeof(n->age_group));
	cc__pg_col_str(res, r, 10, n->pop_group, sizeof(n->pop_group));
	cc__pg_col_str(res, r, 11, n->disability, sizeof(n->disability));
	cc__pg_col_str(res, r, 12, n->label, sizeof(n->label));
	n->population = cc__pg_col_num(res, r, 13);
	n->in_need = cc__pg_col_num(res, r, 14);
	n->targeted = cc__pg_col_num(res, r, 15);
	n->affected = cc__pg_col_num(res, r, 16);
	n->reached = cc__pg_col_num(res, r, 17);
	n->severity = (int)cc__pg_col_i64(res, r, 18);
	n->line = (long)cc__pg_col_i64(res, r, 19);
	col_key16(res, r, 20, n->natkey);
	col_key16(res, r, 21, n->digest);
}

static int pg_list_needs(struct cc_store *st, const struct cc_need_query *q, struct cc_need **out,
                         size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	struct cc_need *v = NULL;
	PGresult *res = NULL;
	size_t n_rows = 0, n = 0;
	bool own;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "need", &sh, err)) < 0)
		goto out;
	query_params(&p, q);
	cc__pg_bool(&p, q->with_breakdown);
	ret = cc__pg_rows(st,
	                  "SELECT n.id, n.mission_id, n.source_id, n.area_id, n.sector_id, "
	                  "n.period_from, n.period_to, n.is_total, n.sex, n.age_group, n.pop_group, "
	                  "n.disability, n.label, n.population, n.in_need, n.targeted, n.affected, "
	                  "n.reached, n.severity, n.line, encode(n.natkey, 'hex'), "
	                  "encode(n.digest, 'hex'), " NEED_MARKING " FROM need n WHERE ($5::boolean "
	                  "OR n.is_total = 1) AND " NEED_WHERE " ORDER BY n.source_id, n.line, n.id",
	                  &p, sizeof(*v), &res, (void **)&v, &n_rows, err);
	if (ret < 0)
		goto out;
	for (size_t r = 0; r < n_rows; r++)
		if (cc__pg_row_visible(st, &sh, res, (int)r, 22, NULL))
			row_need(res, (int)r, &v[n++]);
	PQclear(res);
	if (!n) {
		cc_free(v);
		v = NULL;
	}
	*out = v;
	*n_out = n;
out:
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

/* ---- population ---- */

static int put_population(struct cc_store *st, const struct cc_population *pop, int64_t batch,
                          enum cc_put_result *res_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int64_t id = 0, old = -1;
	int ret;

	cc__pg_i64(&p, pop->source_id);
	cc__pg_i64(&p, pop->area_id);
	cc__pg_i64(&p, pop->year);
	ret = cc__pg_exec(st,
	                  "SELECT id, value FROM population WHERE source_id = $1 AND area_id = $2 "
	                  "AND year = $3",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) > 0) {
		id = cc__pg_col_i64(res, 0, 0);
		old = cc__pg_col_i64(res, 0, 1);
	}
	PQclear(res);
	*res_out = !id ? CC_PUT_ADDED : old != pop->value ? CC_PUT_UPDATED : CC_PUT_UNCHANGED;
	p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
	if (id) {
		cc__pg_i64(&p, id);
		cc__pg_i64(&p, pop->value);
		cc__pg_i64(&p, pop->line);
		cc__pg_id(&p, batch);
		return cc__pg_exec(st,
		                   "UPDATE population SET value = $2, line = $3, batch = $4 WHERE id "
		                   "= $1",
		                   &p, false, NULL, err);
	}
	cc__pg_i64(&p, pop->area_id);
	cc__pg_i64(&p, pop->year);
	cc__pg_i64(&p, pop->value);
	cc__pg_i64(&p, pop->source_id);
	cc__pg_i64(&p, pop->line);
	cc__pg_id(&p, batch);
	return cc__pg_exec(st,
	                   "INSERT INTO population (area_id, year, value, source_id, line, batch) "
	                   "VALUES ($1, $2, $3, $4, $5, $6)",
	                   &p, false, NULL, err);
}

static int pg_put_population(struct cc_store *st, const struct cc_population *pop,
                             int64_t batch, enum cc_put_result *res_out, struct cc_err *err)
{
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = put_population(st, pop, batch, res_out, err);
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_remove_stale_population(struct cc_store *st, int64_t source_id, int64_t batch,
                                      size_t *n_removed_out, struct cc_err *err)
{
	return remove_stale(st,
	                    "DELETE FROM population WHERE source_id = $1 AND batch IS DISTINCT "
	                    "FROM $2::bigint",
	                    source_id, batch, n_removed_out, err);
}

static int pg_list_population(struct cc_store *st, int64_t area_id, struct cc_population **out,
                              size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_population *v = NULL;
	PGresult *res = NULL;
	size_t n = 0;
	int ret;

	cc__pg_id(&p, area_id);
	ret = cc__pg_rows(st,
	                  "SELECT area_id, source_id, year, value, line FROM population WHERE "
	                  "$1::bigint IS NULL OR area_id = $1 ORDER BY area_id, year DESC, "
	                  "source_id",
	                  &p, sizeof(*v), &res, (void **)&v, &n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		v[i].area_id = cc__pg_col_i64(res, (int)i, 0);
		v[i].source_id = cc__pg_col_i64(res, (int)i, 1);
		v[i].year = (int)cc__pg_col_i64(res, (int)i, 2);
		v[i].value = cc__pg_col_i64(res, (int)i, 3);
		v[i].line = (long)cc__pg_col_i64(res, (int)i, 4);
	}
	PQclear(res);
	*out = v;
	*n_out = n;
	return 0;
}

const struct cc__needs_ops cc__pg_needs = {
	.put_need = pg_put_need,
	.remove_stale_needs = pg_remove_stale_needs,
	.load_needs = pg_load_needs,
	.list_needs = pg_list_needs,
	.put_population = pg_put_population,
	.remove_stale_population = pg_remove_stale_population,
	.list_population = pg_list_population,
};
