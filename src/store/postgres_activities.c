/*
 * Activities read a page at a time on PostgreSQL, for the handle's viewer (see
 * <concord/activities.h>), as sqlite_activities.c does on SQLite: the same filters and order,
 * keyset-paginated on the id. Who may see a row, its exact site and its figures is decided in C
 * by cc_visible() and cc_visible_field(), the one rule, so candidate rows are read in id order a
 * batch at a time until the page is full or none are left.
 */
#include "store/ops_activities.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "store/backend_common.h"
#include "store/postgres_int.h"

#include "core/banned.h"

/*
 * $1 mission, $2 after, $3 id, $4 area P-code, $5 pillar, $6 organisation, $7 kind, $8 from,
 * $9 to, $10 batch size. Columns as on SQLite where they mean the same; the marking columns
 * follow (34 …).
 */
static const char list_sql[] =
        "WITH RECURSIVE sub(id) AS (SELECT id FROM area WHERE pcode = $4::text UNION "
        "SELECT c.id FROM area c JOIN sub ON c.parent_id = sub.id) "
        "SELECT a.id, a.kind, a.title, a.description, a.status, o.key, o.name, i.name, "
        "f.name, s.vocabulary, s.code, s.name, " CC__PG_PILLAR_OF("$1::bigint") ", ar.pcode, "
        "ar.name, a.lat, a.lon, "
        "coalesce((ar.minx + ar.maxx) / 2, (pa.minx + pa.maxx) / 2), "
        "coalesce((ar.miny + ar.maxy) / 2, (pa.miny + pa.maxy) / 2), a.start_date, a.end_date, "
        "0, a.targeted, a.reached, a.budget, a.currency, a.releasability, ow.key, a.deny, "
        "a.shared, src.name, a.line, a.digest, a.lat IS NOT NULL AND a.lon IS NOT NULL, "
        "a.mission_id, a.owner_id, a.geo_rel, a.figures_rel FROM activity a "
        "LEFT JOIN organisation o ON o.id = a.org_id "
        "LEFT JOIN organisation i ON i.id = a.impl_org_id "
        "LEFT JOIN organisation f ON f.id = a.funder_org_id "
        "LEFT JOIN organisation ow ON ow.id = a.owner_id "
        "LEFT JOIN sector s ON s.id = a.sector_id "
        "LEFT JOIN area ar ON ar.id = a.area_id LEFT JOIN area pa ON pa.id = ar.parent_id "
        "LEFT JOIN source src ON src.id = a.source_id "
        "WHERE a.mission_id = $1::bigint AND a.id > $2::bigint "
        "AND ($3::bigint IS NULL OR a.id = $3::bigint) "
        "AND ($4::text IS NULL OR a.area_id IN (SELECT id FROM sub)) "
        "AND ($5::text IS NULL OR " CC__PG_PILLAR_OF("$1::bigint") " = $5::text) "
        "AND ($6::bigint IS NULL OR $6::bigint IN (a.org_id, a.impl_org_id, a.funder_org_id)) "
        "AND ($7::integer IS NULL OR a.kind = $7::integer) "
        "AND ($8::integer IS NULL OR a.end_date IS NULL OR a.end_date >= $8::integer) "
        "AND ($9::integer IS NULL OR a.start_date IS NULL OR a.start_date <= $9::integer) "
        "ORDER BY a.id LIMIT $10::bigint";

static const int text_col[CC__AT_N] = {
	[CC__AT_TITLE] = 2,     [CC__AT_DESC] = 3,     [CC__AT_STATUS] = 4,
	[CC__AT_ORG_KEY] = 5,   [CC__AT_ORG_NAME] = 6, [CC__AT_IMPL] = 7,
	[CC__AT_FUNDER] = 8,    [CC__AT_VOC] = 9,      [CC__AT_CODE] = 10,
	[CC__AT_SECTOR] = 11,   [CC__AT_PCODE] = 13,   [CC__AT_AREA] = 14,
	[CC__AT_CURRENCY] = 25, [CC__AT_OWNER] = 27,   [CC__AT_SOURCE] = 30,
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Row r of res as row i of the page when the viewer may see it: 1 taken, 0 not visible, or
 * CC_ENOMEM.
 */
static int take_row(struct cc_store *st, const struct cc__pg_shares *sh, const PGresult *res,
                    int r, struct cc_activity_page *page, size_t i)
{
	struct cc_activity_row *row = &page->rows[i];
	int64_t id = cc__pg_col_i64(res, r, 0);
	struct cc_marking m = {
		.mission_id = cc__pg_col_i64(res, r, 34),
		.owner_id = cc__pg_col_i64(res, r, 35),
		.deny = (unsigned)cc__pg_col_i64(res, r, 28),
	};
	const char *rel = cc__pg_cstr(res, r, 26);
	size_t dlen = 0;
	unsigned char *digest = NULL;
	bool site, figures;
	int pl;

	if (cc_rel_parse(rel, &m.rel, NULL) < 0)
		m.rel = CC_REL_ORG; /* an unknown marking is the strictest */
	if (cc__pg_col_i64(res, r, 29) && sh->n &&
	    bsearch(&id, sh->ids, sh->n, sizeof(*sh->ids), cmp_i64)) {
		m.shares = &st->viewer.org_id;
		m.n_shares = 1;
	}
	if (!cc_visible(&st->viewer, &m))
		return 0;
	site = cc_visible_field(&st->viewer, &m, cc__pg_field_rel(res, r, 36, m.rel));
	figures = cc_visible_field(&st->viewer, &m, cc__pg_field_rel(res, r, 37, m.rel));

	memset(row, 0, sizeof(*row));
	for (int f = 0; f < CC__AT_N; f++) {
		const char *t = cc__pg_text_or_null(res, r, text_col[f]);

		if (cc__act_page_text(page, i, (enum cc__act_text)f, t,
		                      t ? (size_t)PQgetlength(res, r, text_col[f]) : 0) < 0)
			return CC_ENOMEM;
	}
	row->id = id;
	row->kind = cc__pg_col_i64(res, r, 1) == CC_KIND_PRESENCE ? CC_KIND_PRESENCE
	                                                            : CC_KIND_ACTIVITY;
	pl = cc_pillar_parse(cc__pg_cstr(res, r, 12));
	row->pillar = pl < 0 ? CC_PILLAR_OTHER : (enum cc_pillar)pl;
	/* a site the reader may not see is shown at its area's centre */
	row->lat = row->lon = NAN;
	row->site_exact = site && !cc__pg_col_null(res, r, 15);
	if (row->site_exact) {
		row->lat = cc__pg_col_num(res, r, 15);
		row->lon = cc__pg_col_num(res, r, 16);
	} else if (strcmp(cc__pg_cstr(res, r, 33), "t") == 0) {
		row->lat = cc__pg_col_num(res, r, 18);
		row->lon = cc__pg_col_num(res, r, 17);
		if (isnan(row->lat) || isnan(row->lon))
			row->lat = row->lon = NAN;
	}
	row->start_date = cc__pg_col_date(res, r, 19);
	row->end_date = cc__pg_col_date(res, r, 20);
	row->figures_hidden = !figures;
	row->targeted = figures ? cc__pg_col_num(res, r, 22) : (double)NAN;
	row->reached = figures ? cc__pg_col_num(res, r, 23) : (double)NAN;
	row->budget = figures ? cc__pg_col_num(res, r, 24) : (double)NAN;
	if (cc_rel_parse(rel, &row->rel, NULL) < 0)
		row->rel = CC_REL_ORG;
	row->deny = m.deny;
	row->shared = cc__pg_col_i64(res, r, 29) != 0;
	row->line = (long)cc__pg_col_i64(res, r, 31);
	/* the version, as on SQLite: the stored digest's bytes and the marking */
	if (!cc__pg_col_null(res, r, 32))
		digest = PQunescapeBytea((const unsigned char *)PQgetvalue(res, r, 32), &dlen);
	if (!cc__pg_col_null(res, r, 32) && !digest)
		return CC_ENOMEM;
	cc__act_version(page, i, digest, dlen, rel);
	PQfreemem(digest);
	return 1;
}

static int pg_list(struct cc_store *st, const struct cc_activity_query *q,
                   struct cc_activity_page *out, struct cc_err *err)
{
	struct cc__pg_shares sh = { 0 };
	/* rows the viewer may not see are skipped: read more than a page at once */
	size_t batch = q->limit < 64 ? 64 : q->limit;
	int64_t after = q->after;
	PGresult *res = NULL;
	bool own, more = true;
	int ret;

	if ((ret = cc__act_page_init(out, q->limit, err)) < 0)
		return ret;
	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "activity", &sh, err)) < 0)
		goto out;
	while (more && out->n_rows < q->limit) {
		struct cc__pg_params p = CC__PG_PARAMS_INIT;
		int rows;

		cc__pg_i64(&p, q->mission_id);
		cc__pg_i64(&p, after);
		cc__pg_id(&p, q->id);
		cc__pg_text(&p, q->area);
		cc__pg_text(&p, q->pillar >= 0 ? cc_pillar_name(q->pillar) : NULL);
		cc__pg_id(&p, q->org_id);
		if (q->kind >= 0)
			cc__pg_i64(&p, q->kind);
		else
			cc__pg_null(&p);
		cc__pg_date(&p, q->from);
		cc__pg_date(&p, q->to);
		cc__pg_i64(&p, (int64_t)batch);
		if ((ret = cc__pg_exec(st, list_sql, &p, false, &res, err)) < 0)
			goto out;
		rows = PQntuples(res);
		more = (size_t)rows == batch;
		for (int r = 0; r < rows && out->n_rows < q->limit; r++) {
			int took = take_row(st, &sh, res, r, out, out->n_rows);

			if (took < 0) {
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
				goto out;
			}
			out->n_rows += (size_t)took;
			after = cc__pg_col_i64(res, r, 0);
		}
		PQclear(res);
		res = NULL;
	}
	cc__act_page_fix(out);
out:
	PQclear(res);
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

const struct cc__activities_ops cc__pg_activities = {
	.list = pg_list,
};
