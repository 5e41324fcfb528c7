/* The rounds domain on SQLite: submissions, the records that do not count, area validity and
   the area crosswalk (migration 0014). */
#include "store/ops_rounds.h"

#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "store/sqlite_int.h"

#include "core/banned.h"

enum {
	S_GONE,
	S_RECORD,
	S_LIST,
	S_ORGS,
	S_ALL_ORGS,
	S_SECTORS,
	S_ANY,
	S_EXCLUDED,
	S_VALID_SET,
	S_VALID_FILL,
	S_VALID_GET,
	S_CW_PUT,
	S_CW_LIST,
	S_N,
};

#define NOW "coalesce(?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
/* the latest submission of each source and organisation known before ?2 (NULL: all) */
#define LATEST                                                                          \
	"SELECT max(id) FROM submission WHERE mission_id = ?1 AND (?2 IS NULL OR " \
	"imported_at < ?2) GROUP BY source_id, org_id"

static const char *const sql[S_N] = {
	/* organisations whose rows this import removed from the source: a submission of 0 rows */
	[S_GONE] = "INSERT INTO submission (mission_id, source_id, org_id, period_from, period_to, "
	           "imported_at, batch, n_rows) SELECT s.mission_id, s.id, x.org_id, "
	           "s.period_from, s.period_to, " NOW ", ?2, 0 FROM submission x JOIN source s "
	           "ON s.id = x.source_id WHERE x.id IN (SELECT max(id) FROM submission WHERE "
	           "source_id = ?1 GROUP BY org_id) AND x.n_rows > 0 AND NOT EXISTS (SELECT 1 "
	           "FROM activity a WHERE a.source_id = ?1 AND a.org_id = x.org_id)",
	[S_RECORD] = "INSERT INTO submission (mission_id, source_id, org_id, period_from, "
	             "period_to, imported_at, batch, n_rows) SELECT s.mission_id, s.id, a.org_id, "
	             "s.period_from, s.period_to, " NOW ", ?2, count(*) FROM activity a JOIN "
	             "source s ON s.id = a.source_id WHERE a.source_id = ?1 AND a.org_id IS NOT "
	             "NULL GROUP BY a.org_id",
	[S_LIST] = "SELECT x.source_id, x.org_id, s.name, o.key, o.name, x.period_from, "
	           "x.period_to, x.imported_at, x.n_rows FROM submission x JOIN source s ON "
	           "s.id = x.source_id JOIN organisation o ON o.id = x.org_id WHERE x.id IN "
	           "(" LATEST ") AND x.n_rows > 0 ORDER BY x.period_from, x.period_to, o.key, "
	           "x.imported_at, x.id",
	/* who is expected to report: the mission's members and every organisation that did */
	[S_ORGS] = "SELECT id, key, name FROM organisation WHERE mission_id = ?1 AND (id IN "
	           "(SELECT org_id FROM mission_member WHERE mission_id = ?1) OR id IN (SELECT "
	           "org_id FROM submission WHERE mission_id = ?1)) ORDER BY key",
	[S_ALL_ORGS] = "SELECT id, key, coalesce(nullif(acronym, ''), name) FROM organisation "
	               "WHERE mission_id = ?1 ORDER BY key",
	[S_SECTORS] = "SELECT id, code, name FROM sector WHERE vocabulary = ?1 ORDER BY code",
	/* can anything be superseded at all? (the common case is no: then nothing is read) */
	[S_ANY] = "SELECT 1 FROM submission WHERE mission_id = ?1 AND period_from IS NOT NULL "
	          "GROUP BY org_id, period_from, period_to HAVING count(DISTINCT source_id) > 1 "
	          "LIMIT 1",
	/* ?2 NULL: the rows of superseded submissions; with a time, also what was not imported
	   before it. Each part reads the rows of the sources concerned once (the natkey index
	   finds them) and tests (source, organisation) against a small set: measured on 600,000
	   rows of two sources and 238 submissions, a join per submission instead took minutes.
	   The three parts are disjoint; the caller sorts the ids. */
	[S_EXCLUDED] =
	        "WITH sub AS MATERIALIZED (SELECT * FROM submission WHERE id IN (" LATEST ") AND "
	        "n_rows > 0), lose AS MATERIALIZED (SELECT s.source_id, s.org_id FROM sub s WHERE "
	        "s.period_from IS NOT NULL AND EXISTS (SELECT 1 FROM sub t WHERE t.org_id = "
	        "s.org_id AND t.period_from = s.period_from AND t.period_to IS s.period_to AND "
	        "t.source_id <> s.source_id AND (t.imported_at > s.imported_at OR (t.imported_at "
	        "= s.imported_at AND t.id > s.id)))), tracked AS MATERIALIZED (SELECT DISTINCT "
	        "source_id FROM submission WHERE mission_id = ?1) "
	        "SELECT a.id FROM activity a WHERE a.source_id IN (SELECT source_id FROM lose) "
	        "AND (a.source_id, a.org_id) IN (SELECT source_id, org_id FROM lose) "
	        "UNION ALL SELECT a.id FROM activity a WHERE ?2 IS NOT NULL AND a.source_id IN "
	        "tracked AND (a.source_id, a.org_id) NOT IN (SELECT source_id, org_id FROM sub) "
	        "UNION ALL SELECT a.id FROM source src JOIN activity a ON a.source_id = src.id WHERE "
	        "?2 IS NOT NULL AND src.mission_id IN (0, ?1) AND src.id NOT IN tracked AND "
	        "(src.imported_at IS NULL OR src.imported_at >= ?2) AND a.mission_id = ?1",
	[S_VALID_SET] = "UPDATE area SET valid_from = ?2, valid_to = ?3 WHERE id = ?1",
	[S_VALID_FILL] = "UPDATE area SET valid_from = coalesce(valid_from, ?2), valid_to = "
	                 "coalesce(valid_to, ?3) WHERE id = ?1",
	[S_VALID_GET] = "SELECT valid_from, valid_to FROM area WHERE id = ?1",
	[S_CW_PUT] = "INSERT INTO area_crosswalk (old_id, new_id, share, date, source) VALUES "
	             "(?1, ?2, ?3, ?4, ?5) ON CONFLICT (old_id, new_id, date) DO UPDATE SET "
	             "share = excluded.share, source = excluded.source",
	[S_CW_LIST] = "SELECT c.old_id, c.new_id, o.pcode, n.pcode, c.share, c.date FROM "
	              "area_crosswalk c JOIN area o ON o.id = c.old_id JOIN area n ON n.id = "
	              "c.new_id ORDER BY c.date, o.pcode, n.pcode",
};

_Static_assert(S_N <= CC__SQ_MODULE_STMTS, "too many statements for one module");

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_ROUNDS, id, sql[id], out, err);
}

static int sq_record(struct cc_store *st, int64_t source_id, int64_t batch, const char *now,
                     struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	bool own;
	int rc, ret = 0;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	for (int id = S_GONE; id <= S_RECORD && ret == 0; id++) {
		if ((ret = stmt(st, id, &s, err)) < 0)
			break;
		if ((rc = sqlite3_bind_int64(s, 1, source_id)) || (rc = cc__sq_bind_id(s, 2, batch)) ||
		    (rc = cc__sq_bind_text(s, 3, now))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			break;
		}
		ret = cc__sq_step_done(st, s, err);
	}
	return cc__sq_tx_leave(st, own, ret, err);
}

static int bind_mission_before(struct cc_store *st, sqlite3_stmt *s, int64_t mission_id,
                               const char *before, struct cc_err *err)
{
	int rc;

	if ((rc = sqlite3_bind_int64(s, 1, mission_id)) || (rc = cc__sq_bind_text(s, 2, before)))
		return cc__sq_bind_fail(st, s, rc, err);
	return 0;
}

static int sq_list(struct cc_store *st, int64_t mission_id, const char *before,
                   struct cc_submission **out, size_t *n_out, struct cc_err *err)
{
	struct cc_submission *list = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	int ret;

	if ((ret = stmt(st, S_LIST, &s, err)) < 0 ||
	    (ret = bind_mission_before(st, s, mission_id, before, err)) < 0)
		return ret;
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		struct cc_submission *x;

		if (cc__sq_grow((void **)&list, &cap, n, sizeof(*list)) < 0) {
			sqlite3_reset(s);
			cc_free(list);
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		}
		x = &list[n++];
		memset(x, 0, sizeof(*x));
		x->source_id = sqlite3_column_int64(s, 0);
		x->org_id = sqlite3_column_int64(s, 1);
		cc__sq_col_str(s, 2, x->source, sizeof(x->source));
		cc__sq_col_str(s, 3, x->org, sizeof(x->org));
		cc__sq_col_str(s, 4, x->org_name, sizeof(x->org_name));
		x->period_from = cc__sq_col_date(s, 5);
		x->period_to = cc__sq_col_date(s, 6);
		cc__sq_col_str(s, 7, x->imported_at, sizeof(x->imported_at));
		x->n_rows = sqlite3_column_int64(s, 8);
	}
	if (ret < 0) {
		cc_free(list);
		return ret;
	}
	*out = list;
	*n_out = n;
	return 0;
}

/* rows of (id, key, name) into *out */
static int read_names(struct cc_store *st, sqlite3_stmt *s, struct cc_round_org **out,
                      size_t *n_out, struct cc_err *err)
{
	struct cc_round_org *list = NULL;
	size_t n = 0, cap = 0;
	int ret;

	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		if (cc__sq_grow((void **)&list, &cap, n, sizeof(*list)) < 0) {
			sqlite3_reset(s);
			cc_free(list);
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		}
		memset(&list[n], 0, sizeof(list[n]));
		list[n].id = sqlite3_column_int64(s, 0);
		cc__sq_col_str(s, 1, list[n].key, sizeof(list[n].key));
		cc__sq_col_str(s, 2, list[n].name, sizeof(list[n].name));
		n++;
	}
	if (ret < 0) {
		cc_free(list);
		return ret;
	}
	*out = list;
	*n_out = n;
	return 0;
}

static int sq_orgs(struct cc_store *st, int64_t mission_id, bool all, struct cc_round_org **out,
                   size_t *n_out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(st, all ? S_ALL_ORGS : S_ORGS, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)))
		return cc__sq_bind_fail(st, s, rc, err);
	return read_names(st, s, out, n_out, err);
}

static int sq_sectors(struct cc_store *st, const char *vocabulary, struct cc_round_org **out,
                      size_t *n_out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(st, S_SECTORS, &s, err)) < 0)
		return ret;
	if ((rc = cc__sq_bind_text(s, 1, vocabulary)))
		return cc__sq_bind_fail(st, s, rc, err);
	return read_names(st, s, out, n_out, err);
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int sq_excluded(struct cc_store *st, int64_t mission_id, const char *before, int64_t **out,
                       size_t *n_out, struct cc_err *err)
{
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if (!before) {
		if ((ret = stmt(st, S_ANY, &s, err)) < 0)
			goto out;
		if ((rc = sqlite3_bind_int64(s, 1, mission_id))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			goto out;
		}
		ret = cc__sq_step_row(st, s, err);
		if (ret == 0)
			sqlite3_reset(s);
		if (ret != 0) /* 1: nothing can be superseded */
			goto out;
	}
	if ((ret = stmt(st, S_EXCLUDED, &s, err)) < 0 ||
	    (ret = bind_mission_before(st, s, mission_id, before, err)) < 0)
		goto out;
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		if (cc__sq_grow((void **)&ids, &cap, n, sizeof(*ids)) < 0) {
			sqlite3_reset(s);
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out;
		}
		ids[n++] = sqlite3_column_int64(s, 0);
	}
out:
	cc__sq_rx_leave(st, own);
	if (ret < 0) {
		cc_free(ids);
		return ret;
	}
	if (n > 1)
		qsort(ids, n, sizeof(*ids), cmp_id);
	*out = ids;
	*n_out = n;
	return 0;
}

static int sq_set_validity(struct cc_store *st, int64_t area_id, int32_t from, int32_t to,
                           bool keep_set, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, keep_set ? S_VALID_FILL : S_VALID_SET, &s, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, area_id)) || (rc = cc__sq_bind_date(s, 2, from)) ||
	    (rc = cc__sq_bind_date(s, 3, to))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	ret = cc__sq_step_done(st, s, err);
out:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_validity(struct cc_store *st, int64_t area_id, int32_t *from, int32_t *to,
                       struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(st, S_VALID_GET, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, area_id)))
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "no area %lld", (long long)area_id);
	if (ret < 0)
		return ret;
	*from = cc__sq_col_date(s, 0);
	*to = cc__sq_col_date(s, 1);
	sqlite3_reset(s);
	return 0;
}

static int sq_put_crosswalk(struct cc_store *st, const struct cc_crosswalk *c, const char *source,
                            struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_CW_PUT, &s, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, c->old_id)) || (rc = sqlite3_bind_int64(s, 2, c->new_id)) ||
	    (rc = sqlite3_bind_double(s, 3, c->share)) || (rc = sqlite3_bind_int(s, 4, c->date)) ||
	    (rc = cc__sq_bind_text(s, 5, source))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	ret = cc__sq_step_done(st, s, err);
out:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_list_crosswalk(struct cc_store *st, struct cc_crosswalk **out, size_t *n_out,
                             struct cc_err *err)
{
	struct cc_crosswalk *list = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	int ret;

	if ((ret = stmt(st, S_CW_LIST, &s, err)) < 0)
		return ret;
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		struct cc_crosswalk *c;

		if (cc__sq_grow((void **)&list, &cap, n, sizeof(*list)) < 0) {
			sqlite3_reset(s);
			cc_free(list);
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		}
		c = &list[n++];
		memset(c, 0, sizeof(*c));
		c->old_id = sqlite3_column_int64(s, 0);
		c->new_id = sqlite3_column_int64(s, 1);
		cc__sq_col_str(s, 2, c->old_pcode, sizeof(c->old_pcode));
		cc__sq_col_str(s, 3, c->new_pcode, sizeof(c->new_pcode));
		c->share = sqlite3_column_double(s, 4);
		c->date = sqlite3_column_int(s, 5);
	}
	if (ret < 0) {
		cc_free(list);
		return ret;
	}
	*out = list;
	*n_out = n;
	return 0;
}

const struct cc__rounds_ops cc__sqlite_rounds = {
	.record = sq_record,
	.list = sq_list,
	.orgs = sq_orgs,
	.sectors = sq_sectors,
	.excluded = sq_excluded,
	.set_validity = sq_set_validity,
	.validity = sq_validity,
	.put_crosswalk = sq_put_crosswalk,
	.list_crosswalk = sq_list_crosswalk,
};
