/*
 * The needs domain on PostgreSQL: tables need and population (migration pg/0003), SQLite's
 * statements (sqlite_needs.c) in PostgreSQL's dialect. Who may see a need is decided in C by
 * cc_visible() from the row's marking (postgres_visible.c).
 */
#include "store/ops_needs.h"
#include "store/postgres_held.h"
#include "store/postgres_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>

#include "core/banned.h"

/* ---- needs ---- */

#define NEED_COLS                                                                            \
	"mission_id, source_id, area_id, sector_id, period_from, period_to, is_total, sex, " \
	"age_group, pop_group, disability, label, population, in_need, targeted, affected, " \
	"reached, severity, line, natkey, digest, batch"

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
#define NEED_SEND_ROWS CC__HELD_SEND_ROWS
#define LOCK_NEED      "SELECT pg_advisory_xact_lock(4242004)"

/* A stored (or held) need: its key and what a put compares. */
struct need_row {
	struct cc__held_natkey k; /* first: the table's key */
	int64_t id, batch;
	long line;
	unsigned char digest[16];
};

/* A held change: for inserts and updates every value (a seen need's come from its row). */
struct need_change {
	struct cc__held_change c;
	int64_t batch;
	struct cc_need n;
};

static const struct cc__held_ops need_ops = { .row_size = sizeof(struct need_row),
	                                      .change_size = sizeof(struct need_change),
	                                      .hash = cc__held_natkey_hash,
	                                      .same = cc__held_natkey_same };

/* The needs held: the table (a group is a source) and nothing else. */
struct needs_held {
	struct cc__held_table t; /* first: cc__held_put makes it */
};

static void needs_drop(void *p)
{
	struct needs_held *h = p;

	if (!h)
		return;
	cc__held_release(&h->t);
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

/* the columns of one held need, in the order of NEED_COLS after the id */
enum {
	N_ID, N_MISSION, N_SOURCE, N_AREA, N_SECTOR, N_FROM, N_TO, N_TOTAL, N_SEX, N_AGE, N_POP,
	N_DIS, N_LABEL, N_POPULATION, N_IN_NEED, N_TARGETED, N_AFFECTED, N_REACHED, N_SEVERITY,
	N_LINE, N_NATKEY, N_DIGEST, N_BATCH, N_COLS
};

/* The arrays of a held insert or update (ctx: the needs held). */
static int need_elements(void *ctx, const void *change, struct cc_buf *a)
{
	const struct need_change *e = change;
	const struct need_row *r = cc__held_row_of(&((struct needs_held *)ctx)->t, e);
	const struct cc_need *n = &e->n;
	char key[33], dig[33];
	int ret;

	cc__held_hex16(n->natkey, key);
	cc__held_hex16(n->digest, dig);
	if ((ret = cc__pg_arr_i64(&a[N_ID], r->id, false)) < 0 ||
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
	return cc__pg_arr_i64(&a[N_BATCH], e->batch, !e->batch);
}

/* The arrays of a held "seen by this batch" (id, batch, line): from the row. */
static int need_seen(void *ctx, const void *change, struct cc_buf *a)
{
	const struct need_row *r = cc__held_row_of(&((struct needs_held *)ctx)->t, change);
	int ret;

	if ((ret = cc__pg_arr_i64(&a[0], r->id, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[1], r->batch, !r->batch)) < 0)
		return ret;
	return cc__pg_arr_i64(&a[2], r->line, false);
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

static const struct cc__held_stmt need_stmts[] = {
	{ .kinds = 1u << CC__HELD_INSERT,
	  .n_cols = N_COLS,
	  .sql = "INSERT INTO need (id, " NEED_COLS ") SELECT v.id, " NEED_V " FROM " NEED_UNNEST,
	  .what = "needs",
	  .cols = need_elements },
	{ .kinds = 1u << CC__HELD_UPDATE,
	  .n_cols = N_COLS,
	  .sql = "UPDATE need t SET (" NEED_COLS ") = (" NEED_V ") FROM " NEED_UNNEST
	         " WHERE t.id = v.id",
	  .what = "needs",
	  .cols = need_elements },
	{ .kinds = 1u << CC__HELD_SEEN,
	  .n_cols = 3,
	  .sql = "UPDATE need t SET batch = v.batch, line = v.line FROM unnest($1::bigint[], "
	         "$2::bigint[], $3::bigint[]) AS v(id, batch, line) WHERE t.id = v.id",
	  .what = "needs",
	  .cols = need_seen },
};

/* Sends every held change, NEED_SEND_ROWS at a time; the table stays (it is what is stored). */
static int needs_send(struct cc_store *st, void *held, struct cc_err *err)
{
	struct needs_held *h = held;
	int ret = cc__held_send(st, &h->t, need_stmts, sizeof(need_stmts) / sizeof(need_stmts[0]),
	                        h, err);

	cc__held_forget(&h->t);
	return ret;
}

static const char *const needs_tables[] = { "need", NULL };
static const struct cc__pg_holder needs_holder = { .flush = needs_send, .drop = needs_drop,
	                                           .tables = needs_tables };

#define NEED_KEY_COLS "id, source_id, encode(natkey, 'hex'), encode(digest, 'hex'), batch, line"

/* Adds the rows of res the table does not have (it may hold newer versions of some). */
static int need_add_rows(struct needs_held *h, const PGresult *res, struct cc_err *err)
{
	for (int r = 0; r < PQntuples(res); r++) {
		struct need_row row = { .k.source_id = cc__pg_col_i64(res, r, 1),
			                .id = cc__pg_col_i64(res, r, 0),
			                .batch = cc__pg_col_i64(res, r, 4),
			                .line = (long)cc__pg_col_i64(res, r, 5) };

		col_key16(res, r, 2, row.k.natkey);
		col_key16(res, r, 3, row.digest);
		if (!cc__held_find_natkey(&h->t, row.k.source_id, row.k.natkey) &&
		    !cc__held_add(&h->t, &row))
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
	PGresult *res = NULL;
	int ret = cc__held_look_up(&h->t, n->source_id, 1);

	if (ret < 0)
		return cc_err_set(err, ret, "out of memory");
	if (ret == CC__HELD_KNOWN ||
	    (ret == CC__HELD_READ_ONE && cc__held_find_natkey(&h->t, n->source_id, n->natkey)))
		return 0;
	cc__pg_i64(&p, n->source_id);
	if (ret == CC__HELD_READ_ALL) {
		ret = cc__pg_exec(st, "SELECT " NEED_KEY_COLS " FROM need WHERE source_id = $1", &p,
		                  false, &res, err);
	} else {
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

static const struct cc__held_domain needs_domain = {
	.holder = &needs_holder,
	.lock_sql = LOCK_NEED,
	.max_sql = "SELECT coalesce(max(id), 0) FROM need",
	.size = sizeof(struct needs_held),
	.ops = &need_ops,
};

/* Holds a change of row r: a new entry, or new values for the entry it has. */
static int need_hold(struct needs_held *h, struct need_row *r, enum cc__held_kind kind,
                     const struct cc_need *n, int64_t batch, struct cc_err *err)
{
	struct need_change *e = cc__held_mark(&h->t, r, kind);

	if (!e)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	e->batch = batch;
	if (kind != CC__HELD_SEEN)
		e->n = *n;
	else if (e->c.kind != CC__HELD_SEEN)
		e->n.line = n->line; /* a held insert or update: seen again by this batch */
	return 0;
}

static int put_one(struct cc_store *st, void *held, void *put, int64_t batch,
                   enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	struct needs_held *h = held;
	struct cc_need *n = put;
	struct need_row *r;
	int ret;

	if ((ret = need_look_up(st, h, n, err)) < 0)
		return ret;
	r = cc__held_find_natkey(&h->t, n->source_id, n->natkey);
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
		ret = need_hold(h, r, CC__HELD_SEEN, n, batch, err);
	} else if (r) {
		*res_out = CC_PUT_UPDATED;
		n->id = r->id;
		r->batch = batch;
		r->line = n->line;
		memcpy(r->digest, n->digest, sizeof(r->digest));
		ret = need_hold(h, r, CC__HELD_UPDATE, n, batch, err);
	} else {
		struct need_row row = { .k.source_id = n->source_id, .id = h->t.next_id,
			                .batch = batch, .line = n->line };

		memcpy(row.k.natkey, n->natkey, sizeof(row.k.natkey));
		memcpy(row.digest, n->digest, sizeof(row.digest));
		if (!(r = cc__held_add(&h->t, &row)))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		n->id = h->t.next_id++;
		*res_out = CC_PUT_ADDED;
		ret = need_hold(h, r, CC__HELD_INSERT, n, batch, err);
	}
	if (ret < 0 || h->t.n_changes < NEED_SEND_ROWS)
		return ret;
	return needs_send(st, h, err);
}

static int pg_put_need(struct cc_store *st, struct cc_need *n, int64_t batch,
                       enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	return cc__held_put(st, &needs_domain, put_one, n, batch, res_out, dup_line_out, err);
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
