/* The rounds domain on PostgreSQL: submissions, the records that do not count, area validity
   and the area crosswalk; the statements of sqlite_rounds.c in PostgreSQL's dialect. */
#include "store/ops_rounds.h"

#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "store/postgres_int.h"

#include "core/banned.h"

#define NOW "coalesce($3, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
/* the latest submission of each source and organisation known before $2 (NULL: all) */
#define LATEST                                                                          \
	"SELECT max(id) FROM submission WHERE mission_id = $1::bigint AND ($2::text IS NULL " \
	"OR imported_at < $2::text) GROUP BY source_id, org_id"

/* organisations whose rows this import removed from the source: a submission of 0 rows */
static const char sql_gone[] =
        "INSERT INTO submission (mission_id, source_id, org_id, period_from, period_to, "
        "imported_at, batch, n_rows) SELECT s.mission_id, s.id, x.org_id, s.period_from, "
        "s.period_to, " NOW ", $2::bigint, 0 FROM submission x JOIN source s ON s.id = "
        "x.source_id WHERE x.id IN (SELECT max(id) FROM submission WHERE source_id = $1::bigint "
        "GROUP BY org_id) AND x.n_rows > 0 AND NOT EXISTS (SELECT 1 FROM activity a WHERE "
        "a.source_id = $1::bigint AND a.org_id = x.org_id) ORDER BY x.org_id";
static const char sql_record[] =
        "INSERT INTO submission (mission_id, source_id, org_id, period_from, period_to, "
        "imported_at, batch, n_rows) SELECT s.mission_id, s.id, a.org_id, s.period_from, "
        "s.period_to, " NOW ", $2::bigint, count(*) FROM activity a JOIN source s ON s.id = "
        "a.source_id WHERE a.source_id = $1::bigint AND a.org_id IS NOT NULL GROUP BY "
        "s.mission_id, s.id, a.org_id, s.period_from, s.period_to ORDER BY a.org_id";
/* can anything be superseded at all? */
static const char sql_any[] =
        "SELECT 1 FROM submission WHERE mission_id = $1::bigint AND period_from IS NOT NULL "
        "GROUP BY org_id, period_from, period_to HAVING count(DISTINCT source_id) > 1 LIMIT 1";
static const char sql_excluded[] =
        "WITH sub AS MATERIALIZED (SELECT * FROM submission WHERE id IN (" LATEST ") AND "
        "n_rows > 0), lose AS MATERIALIZED (SELECT s.source_id, s.org_id FROM sub s WHERE "
        "s.period_from IS NOT NULL AND EXISTS (SELECT 1 FROM sub t WHERE t.org_id = s.org_id "
        "AND t.period_from = s.period_from AND t.period_to IS NOT DISTINCT FROM s.period_to AND "
        "t.source_id <> s.source_id AND (t.imported_at > s.imported_at OR (t.imported_at = "
        "s.imported_at AND t.id > s.id)))), tracked AS MATERIALIZED (SELECT DISTINCT source_id "
        "FROM submission WHERE mission_id = $1::bigint) "
        "SELECT a.id FROM activity a WHERE a.source_id IN (SELECT source_id FROM lose) AND "
        "(a.source_id, a.org_id) IN (SELECT source_id, org_id FROM lose) "
        "UNION ALL SELECT a.id FROM activity a WHERE $2::text IS NOT NULL AND a.source_id IN "
        "(SELECT source_id FROM tracked) AND (a.source_id, a.org_id) NOT IN (SELECT source_id, "
        "org_id FROM sub) "
        "UNION ALL SELECT a.id FROM source src JOIN activity a ON a.source_id = src.id WHERE "
        "$2::text IS NOT NULL AND src.mission_id IN (0, $1::bigint) AND src.id NOT IN (SELECT "
        "source_id FROM tracked) AND (src.imported_at IS NULL OR src.imported_at >= $2::text) "
        "AND a.mission_id = $1::bigint";

static int pg_record(struct cc_store *st, int64_t source_id, int64_t batch, const char *now,
                     struct cc_err *err)
{
	static const char *const sql[] = { sql_gone, sql_record };
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]) && ret == 0; i++) {
		struct cc__pg_params p = CC__PG_PARAMS_INIT;

		cc__pg_i64(&p, source_id);
		cc__pg_id(&p, batch);
		cc__pg_text(&p, now);
		ret = cc__pg_exec(st, sql[i], &p, false, NULL, err);
	}
	return cc__pg_tx_leave(st, own, ret, err);
}

static void mission_before(struct cc__pg_params *p, int64_t mission_id, const char *before)
{
	cc__pg_i64(p, mission_id);
	cc__pg_text(p, before);
}

static int pg_list(struct cc_store *st, int64_t mission_id, const char *before,
                   struct cc_submission **out, size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_submission *list;
	PGresult *res = NULL;
	int ret;

	mission_before(&p, mission_id, before);
	ret = cc__pg_rows(st,
	                  "SELECT x.source_id, x.org_id, s.name, o.key, o.name, x.period_from, "
	                  "x.period_to, x.imported_at, x.n_rows FROM submission x JOIN source s ON "
	                  "s.id = x.source_id JOIN organisation o ON o.id = x.org_id WHERE x.id IN "
	                  "(" LATEST ") AND x.n_rows > 0 ORDER BY x.period_from, x.period_to, "
	                  "o.key, x.imported_at, x.id",
	                  &p, sizeof(*list), &res, (void **)out, n_out, err);
	if (ret < 0)
		return ret;
	list = *out;
	for (int r = 0; r < (int)*n_out; r++) {
		struct cc_submission *x = &list[r];

		x->source_id = cc__pg_col_i64(res, r, 0);
		x->org_id = cc__pg_col_i64(res, r, 1);
		cc__pg_col_str(res, r, 2, x->source, sizeof(x->source));
		cc__pg_col_str(res, r, 3, x->org, sizeof(x->org));
		cc__pg_col_str(res, r, 4, x->org_name, sizeof(x->org_name));
		x->period_from = cc__pg_col_date(res, r, 5);
		x->period_to = cc__pg_col_date(res, r, 6);
		cc__pg_col_str(res, r, 7, x->imported_at, sizeof(x->imported_at));
		x->n_rows = cc__pg_col_i64(res, r, 8);
	}
	PQclear(res);
	return 0;
}

/* rows of (id, key, name) into *out */
static int read_names(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                      struct cc_round_org **out, size_t *n_out, struct cc_err *err)
{
	struct cc_round_org *list;
	PGresult *res = NULL;
	int ret;

	if ((ret = cc__pg_rows(st, sql, p, sizeof(*list), &res, (void **)out, n_out, err)) < 0)
		return ret;
	list = *out;
	for (int r = 0; r < (int)*n_out; r++) {
		list[r].id = cc__pg_col_i64(res, r, 0);
		cc__pg_col_str(res, r, 1, list[r].key, sizeof(list[r].key));
		cc__pg_col_str(res, r, 2, list[r].name, sizeof(list[r].name));
	}
	PQclear(res);
	return 0;
}

static int pg_orgs(struct cc_store *st, int64_t mission_id, bool all, struct cc_round_org **out,
                   size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_i64(&p, mission_id);
	if (all)
		return read_names(st,
		                  "SELECT id, key, coalesce(nullif(acronym, ''), name) FROM "
		                  "organisation WHERE mission_id = $1 ORDER BY key",
		                  &p, out, n_out, err);
	/* who is expected to report: the mission's members and every organisation that did */
	return read_names(st,
	                  "SELECT id, key, name FROM organisation WHERE mission_id = $1 AND (id IN "
	                  "(SELECT org_id FROM mission_member WHERE mission_id = $1) OR id IN "
	                  "(SELECT org_id FROM submission WHERE mission_id = $1)) ORDER BY key",
	                  &p, out, n_out, err);
}

static int pg_sectors(struct cc_store *st, const char *vocabulary, struct cc_round_org **out,
                      size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_text(&p, vocabulary);
	return read_names(st, "SELECT id, code, name FROM sector WHERE vocabulary = $1 ORDER BY code",
	                  &p, out, n_out, err);
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int pg_excluded(struct cc_store *st, int64_t mission_id, const char *before, int64_t **out,
                       size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	int64_t *ids = NULL;
	PGresult *res = NULL;
	bool own;
	int ret, n = 0;

	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if (!before) {
		cc__pg_i64(&p, mission_id);
		if ((ret = cc__pg_exec(st, sql_any, &p, false, &res, err)) < 0)
			goto out;
		n = PQntuples(res);
		PQclear(res);
		res = NULL;
		if (n == 0) /* nothing can be superseded */
			goto out;
		p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
	}
	mission_before(&p, mission_id, before);
	if ((ret = cc__pg_exec(st, sql_excluded, &p, false, &res, err)) < 0)
		goto out;
	n = PQntuples(res);
	if (n > 0) {
		ids = cc_alloc_array((size_t)n, sizeof(*ids));
		if (!ids) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out;
		}
		for (int r = 0; r < n; r++)
			ids[r] = cc__pg_col_i64(res, r, 0);
		qsort(ids, (size_t)n, sizeof(*ids), cmp_id);
	}
out:
	PQclear(res);
	cc__pg_rx_leave(st, own);
	if (ret < 0) {
		cc_free(ids);
		return ret;
	}
	*out = ids;
	*n_out = ids ? (size_t)n : 0;
	return 0;
}

static int pg_set_validity(struct cc_store *st, int64_t area_id, int32_t from, int32_t to,
                           bool keep_set, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_i64(&p, area_id);
	cc__pg_date(&p, from);
	cc__pg_date(&p, to);
	return cc__pg_write(st,
	                    keep_set ? "UPDATE area SET valid_from = coalesce(valid_from, "
	                               "$2::integer), valid_to = coalesce(valid_to, $3::integer) "
	                               "WHERE id = $1"
	                             : "UPDATE area SET valid_from = $2::integer, valid_to = "
	                               "$3::integer WHERE id = $1",
	                    &p, err);
}

static int pg_validity(struct cc_store *st, int64_t area_id, int32_t *from, int32_t *to,
                       struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, area_id);
	ret = cc__pg_exec(st, "SELECT valid_from, valid_to FROM area WHERE id = $1", &p, false,
	                  &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) < 1) {
		ret = cc_err_set(err, CC_ENOTFOUND, "no area %lld", (long long)area_id);
	} else {
		*from = cc__pg_col_date(res, 0, 0);
		*to = cc__pg_col_date(res, 0, 1);
	}
	PQclear(res);
	return ret;
}

static int pg_put_crosswalk(struct cc_store *st, const struct cc_crosswalk *c, const char *source,
                            struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	cc__pg_i64(&p, c->old_id);
	cc__pg_i64(&p, c->new_id);
	cc__pg_num(&p, c->share);
	cc__pg_i64(&p, c->date);
	cc__pg_text(&p, source);
	return cc__pg_write(st,
	                    "INSERT INTO area_crosswalk (old_id, new_id, share, date, source) "
	                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (old_id, new_id, date) DO "
	                    "UPDATE SET "
	                    "share = excluded.share, source = excluded.source",
	                    &p, err);
}

static int pg_list_crosswalk(struct cc_store *st, struct cc_crosswalk **out, size_t *n_out,
                             struct cc_err *err)
{
	struct cc_crosswalk *list;
	PGresult *res = NULL;
	int ret;

	ret = cc__pg_rows(st,
	                  "SELECT c.old_id, c.new_id, o.pcode, n.pcode, c.share, c.date FROM "
	                  "area_crosswalk c JOIN area o ON o.id = c.old_id JOIN area n ON n.id = "
	                  "c.new_id ORDER BY c.date, o.pcode, n.pcode",
	                  NULL, sizeof(*list), &res, (void **)out, n_out, err);
	if (ret < 0)
		return ret;
	list = *out;
	for (int r = 0; r < (int)*n_out; r++) {
		list[r].old_id = cc__pg_col_i64(res, r, 0);
		list[r].new_id = cc__pg_col_i64(res, r, 1);
		cc__pg_col_str(res, r, 2, list[r].old_pcode, sizeof(list[r].old_pcode));
		cc__pg_col_str(res, r, 3, list[r].new_pcode, sizeof(list[r].new_pcode));
		list[r].share = cc__pg_col_num(res, r, 4);
		list[r].date = cc__pg_col_date(res, r, 5);
	}
	PQclear(res);
	return 0;
}

const struct cc__rounds_ops cc__pg_rounds = {
	.record = pg_record,
	.list = pg_list,
	.orgs = pg_orgs,
	.sectors = pg_sectors,
	.excluded = pg_excluded,
	.set_validity = pg_set_validity,
	.validity = pg_validity,
	.put_crosswalk = pg_put_crosswalk,
	.list_crosswalk = pg_list_crosswalk,
};
