/*
 * The events domain of the SQLite backend: the incident table (migration 0003).
 */
#include "store/ops_events.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>

#include "store/sqlite_int.h"
#include "store/sqlite_visibility.h"

#include "core/banned.h"

enum {
	S_EV_FIND,
	S_EV_INSERT,
	S_EV_UPDATE,
	S_EV_COUNT,
	S_EV_COUNT_SRC,
	S_EV_LATEST,
	S_EV_LOAD,
	S_EV_PLACES,
	S_EV_EACH,
};

#define EV_COLS                                                                               \
	"source, source_id, date, date_end, date_prec, type, sub_type, actor1, actor2, lat, " \
	"lon, geo_prec, area_id, fatalities, fat_low, fat_high, revised, notes, digest, "     \
	"batch, line"

/*
 * The precision and the visibility of an incident (?1 … ?4 used before :v_). The box is
 * tested in C on the values read (sq_load_incidents): four comparisons in the VDBE for each of
 * up to millions of rows were a seventh of the read.
 */
#define EV_LOAD_FILTER                                                                        \
	"(?3 = 0 OR source <> 'acled' OR coalesce(geo_prec, 99) <= ?3) AND (?4 = 0 OR source <> " \
	"'ucdp' OR coalesce(geo_prec, 99) <= ?4) AND " CC__SQ_VISIBLE("incident", "incident")

static const char *const sql[] = {
	/*
	 * The writes of an import use anonymous parameters, bound by position: the viewer's
	 * named parameters are looked up by name on every statement fetch (cc__sq_stmt), a
	 * scan over the names of all numbered ones (?NNN are named), which cost 7 % of an
	 * import. An incident is inserted first (one probe of the unique index); only when its
	 * (source, source_id) exists is it found and compared.
	 */
	[S_EV_FIND] = "SELECT id, digest, batch, line FROM incident WHERE source = ? AND "
	              "source_id = ?",
	[S_EV_INSERT] = "INSERT INTO incident (" EV_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
	                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, source_id) DO "
	                "NOTHING",
	[S_EV_UPDATE] = "UPDATE incident SET date = ?, date_end = ?, date_prec = ?, type = ?, "
	                "sub_type = ?, actor1 = ?, actor2 = ?, lat = ?, lon = ?, geo_prec = ?, "
	                "area_id = ?, fatalities = ?, fat_low = ?, fat_high = ?, revised = ?, "
	                "notes = ?, digest = ?, batch = ?, line = ? WHERE id = ? AND source = ? "
	                "AND source_id = ?",
	[S_EV_COUNT] = "SELECT count(*) FROM incident",
	[S_EV_COUNT_SRC] = "SELECT count(*) FROM incident WHERE source = ?1",
	/*
	 * The latest last day, through the covering indexes (migration 18 dropped the index on
	 * date_end): an event of at most 31 days that ends last starts at most 31 days before
	 * the latest first day, so it is in the range of incident_expo_short from there; a
	 * longer one is in incident_expo_long. max() of the two skips a NULL (none of a kind).
	 */
	[S_EV_LATEST] = "SELECT max(d) FROM (SELECT max(date_end) AS d FROM incident INDEXED BY "
	                "incident_expo_short WHERE date >= (SELECT max(date) FROM incident INDEXED "
	                "BY incident_expo_short) - 31 UNION ALL SELECT max(date_end) FROM incident "
	                "INDEXED BY incident_expo_long WHERE date_end - date > 31)",
	/*
	 * The window through the covering indexes of migration 12: events of at most 31 days by
	 * first day, longer ones by last day; then the precision and the visibility, all from
	 * the index (the box in C). No order: the analysis sorts what it needs.
	 */
	[S_EV_LOAD] = "SELECT lat, lon, date, date_end, fatalities, type, area_id FROM incident "
	              "INDEXED BY incident_expo_short WHERE date BETWEEN ?1 - 31 AND ?2 AND "
	              "date_end >= ?1 AND date_end - date <= 31 AND " EV_LOAD_FILTER
	              " UNION ALL SELECT lat, lon, date, date_end, fatalities, type, area_id FROM "
	              "incident INDEXED BY incident_expo_long WHERE date_end >= ?1 AND date <= ?2 "
	              "AND date_end - date > 31 AND " EV_LOAD_FILTER,
	/* an exact site the reader may not see is left out: the area's centroid stands in */
	[S_EV_PLACES] = "SELECT a.id, a.area_id, ar.pcode, a.title, CASE WHEN "
	                CC__SQ_VISIBLE_SITE("a") " THEN a.lat END, CASE WHEN "
	                CC__SQ_VISIBLE_SITE("a") " THEN a.lon END, a.start_date, a.end_date "
	                "FROM activity a LEFT JOIN area ar ON ar.id = a.area_id WHERE "
	                "a.mission_id = :mission AND " CC__SQ_VISIBLE("a", "activity")
	                " ORDER BY a.id",
	/* what the events writer reads back: every stored field, the area and its ancestors */
	[S_EV_EACH] = "SELECT i.source, i.source_id, i.date, i.date_end, i.date_prec, i.type, "
	              "i.sub_type, i.actor1, i.actor2, i.lat, i.lon, i.geo_prec, i.area_id, "
	              "i.fatalities, i.fat_low, i.fat_high, i.revised, i.notes, i.line, a.pcode, "
	              "a.level, a.name, p.name, g.name FROM incident i LEFT JOIN area a ON a.id = "
	              "i.area_id LEFT JOIN area p ON p.id = a.parent_id LEFT JOIN area g ON g.id = "
	              "p.parent_id WHERE (?1 IS NULL OR i.source = ?1) AND "
	              CC__SQ_VISIBLE("i", "incident") " ORDER BY i.source, i.id",
};

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_EVENTS, id, sql[id], out, err);
}

static int bind_int0(sqlite3_stmt *s, int i, int64_t v)
{
	return v ? sqlite3_bind_int64(s, i, v) : sqlite3_bind_null(s, i);
}

/* The fields after source and source_id, from parameter k on (19 parameters). */
static int bind_fields(sqlite3_stmt *s, int k, const struct cc_incident *inc, int64_t batch)
{
	int rc;

	if ((rc = sqlite3_bind_int(s, k, inc->date)) ||
	    (rc = sqlite3_bind_int(s, k + 1, inc->date_end)) ||
	    (rc = bind_int0(s, k + 2, inc->date_prec)) ||
	    (rc = cc__sq_bind_text(s, k + 3, inc->type)) ||
	    (rc = cc__sq_bind_text(s, k + 4, inc->sub_type)) ||
	    (rc = cc__sq_bind_text(s, k + 5, inc->actor1)) ||
	    (rc = cc__sq_bind_text(s, k + 6, inc->actor2)) ||
	    (rc = sqlite3_bind_double(s, k + 7, inc->lat)) ||
	    (rc = sqlite3_bind_double(s, k + 8, inc->lon)) ||
	    (rc = bind_int0(s, k + 9, inc->geo_prec)) ||
	    (rc = cc__sq_bind_id(s, k + 10, inc->area_id)) ||
	    (rc = cc__sq_bind_num(s, k + 11, inc->fatalities)) ||
	    (rc = cc__sq_bind_num(s, k + 12, inc->fat_low)) ||
	    (rc = cc__sq_bind_num(s, k + 13, inc->fat_high)) ||
	    (rc = bind_int0(s, k + 14, inc->revised)) ||
	    (rc = cc__sq_bind_text(s, k + 15, inc->notes)) ||
	    (rc = sqlite3_bind_blob(s, k + 16, inc->digest, sizeof(inc->digest), SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int64(s, k + 17, batch)) ||
	    (rc = sqlite3_bind_int64(s, k + 18, inc->line)))
		return rc;
	return SQLITE_OK;
}

/* S_EV_INSERT: source, source_id, then the fields. */
static int bind_insert(sqlite3_stmt *s, const struct cc_incident *inc, int64_t batch)
{
	int rc;

	if ((rc = cc__sq_bind_text(s, 1, inc->source)) ||
	    (rc = cc__sq_bind_text(s, 2, inc->source_id)))
		return rc;
	return bind_fields(s, 3, inc, batch);
}

/* S_EV_UPDATE: the fields, then id, source and source_id. */
static int bind_update(sqlite3_stmt *s, const struct cc_incident *inc, int64_t batch,
                       int64_t id)
{
	int rc;

	if ((rc = bind_fields(s, 1, inc, batch)) || (rc = sqlite3_bind_int64(s, 20, id)) ||
	    (rc = cc__sq_bind_text(s, 21, inc->source)) ||
	    (rc = cc__sq_bind_text(s, 22, inc->source_id)))
		return rc;
	return SQLITE_OK;
}

static int sq_put_incident(struct cc_store *st, struct cc_incident *inc, int64_t batch,
                           enum cc_put_result *res_out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	bool own, same = false;
	int64_t id = 0;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	/* a new (source, source_id): one insert; an existing one: nothing written, found below */
	if ((ret = stmt(st, S_EV_INSERT, &s, err)) < 0)
		goto out_leave;
	if ((rc = bind_insert(s, inc, batch))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	if ((ret = cc__sq_step_done(st, s, err)) < 0)
		goto out_leave;
	if (sqlite3_changes(cc__sq_db(st)) > 0) {
		inc->id = sqlite3_last_insert_rowid(cc__sq_db(st));
		*res_out = CC_PUT_ADDED;
		goto out_leave;
	}
	if ((ret = stmt(st, S_EV_FIND, &s, err)) < 0)
		goto out_leave;
	if ((rc = cc__sq_bind_text(s, 1, inc->source)) ||
	    (rc = cc__sq_bind_text(s, 2, inc->source_id))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret < 0)
		goto out_leave;
	if (ret > 0) { /* the insert met a conflict, so the row exists */
		ret = cc_err_set(err, CC_ESTORE, "incident %s %s is neither new nor stored",
		                 inc->source, inc->source_id);
		goto out_leave;
	}
	{
		const void *d = sqlite3_column_blob(s, 1);

		id = sqlite3_column_int64(s, 0);
		same = d && sqlite3_column_bytes(s, 1) == (int)sizeof(inc->digest) &&
		       memcmp(d, inc->digest, sizeof(inc->digest)) == 0;
		if (batch && sqlite3_column_type(s, 2) != SQLITE_NULL &&
		    sqlite3_column_int64(s, 2) == batch) {
			/* written by this very batch: an id repeated within the import */
			inc->id = id;
			inc->line = (long)sqlite3_column_int64(s, 3);
			sqlite3_reset(s);
			*res_out = CC_PUT_DUPLICATE;
			ret = 0;
			goto out_leave;
		}
		sqlite3_reset(s);
	}
	ret = 0;
	if (same) {
		inc->id = id;
		*res_out = CC_PUT_UNCHANGED;
		goto out_leave;
	}
	if ((ret = stmt(st, S_EV_UPDATE, &s, err)) < 0)
		goto out_leave;
	if ((rc = bind_update(s, inc, batch, id))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	if ((ret = cc__sq_step_done(st, s, err)) < 0)
		goto out_leave;
	inc->id = id;
	*res_out = CC_PUT_UPDATED;
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

/* ---- bulk loads: the secondary indexes dropped, then rebuilt from their saved SQL ---- */

/*
 * The page cache of a bulk load, in KiB: with the wide indexes gone the load appends to the
 * table and its (source, source_id) index, and a larger cache only holds pages already written;
 * the rebuild's sorter takes as much memory again (SQLite sizes it by the cache). The store's
 * own cache size comes back with the indexes (it is part of the saved SQL); after a rollback
 * the handle keeps the small cache until it is closed (slower reads, never a wrong one).
 */
#define BULK_CACHE_KIB 4096

static int sq_drop_indexes(struct cc_store *st, char **saved, struct cc_err *err)
{
	struct cc_buf sqls = CC_BUF_INIT(1u << 20), drops = CC_BUF_INIT(1u << 20);
	sqlite3_stmt *s = NULL;
	int rc, ret = 0, cache = 0;

	*saved = NULL;
	if (sqlite3_get_autocommit(cc__sq_db(st)))
		return cc_err_set(err, CC_EUSAGE, "incident indexes are dropped only inside a "
		                                  "transaction");
	rc = sqlite3_prepare_v2(cc__sq_db(st),
	                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
	                        "tbl_name = 'incident' AND sql IS NOT NULL ORDER BY name",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return cc__sq_error(st, rc, err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && ret == 0) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *ddl = (const char *)sqlite3_column_text(s, 1);

		if (cc_buf_addf(&sqls, "%s;\n", ddl) < 0 ||
		    cc_buf_addf(&drops, "DROP INDEX \"%s\";", name) < 0)
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = cc__sq_error(st, rc, err);
	sqlite3_finalize(s);
	if (ret == 0 && drops.len)
		ret = cc__sq_exec(st, drops.buf, err);
	if (ret == 0) {
		rc = sqlite3_prepare_v2(cc__sq_db(st), "PRAGMA cache_size", -1, &s, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
			cache = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		if (rc != SQLITE_ROW)
			ret = cc__sq_error(st, rc, err);
	}
	/* smaller only: a cache given in pages (cache > 0) is compared in KiB of 16 KiB pages */
	if (ret == 0 && (cache < 0 ? -cache : cache * 16) > BULK_CACHE_KIB) {
		char pragma[64];

		snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = %d;", -BULK_CACHE_KIB);
		if ((ret = cc__sq_exec(st, pragma, err)) == 0 &&
		    cc_buf_addf(&sqls, "PRAGMA cache_size = %d;\n", cache) < 0)
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	if (ret == 0 && sqls.len)
		*saved = cc_buf_detach(&sqls, NULL);
	cc_buf_release(&sqls);
	cc_buf_release(&drops);
	return ret;
}

static int sq_restore_indexes(struct cc_store *st, const char *saved, struct cc_err *err)
{
	if (sqlite3_get_autocommit(cc__sq_db(st)))
		return cc_err_set(err, CC_EUSAGE, "incident indexes are restored only inside a "
		                                  "transaction");
	return cc__sq_exec(st, saved, err);
}

static int sq_count_incidents(struct cc_store *st, const char *source, int64_t *n_out,
                              struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(st, source ? S_EV_COUNT_SRC : S_EV_COUNT, &s, err)) < 0)
		return ret;
	if (source && (rc = sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC)))
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		return cc_err_set(err, CC_ESTORE, "cannot count incidents");
	if (ret == 0)
		*n_out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return ret;
}

static int sq_latest_incident(struct cc_store *st, int32_t *date_out, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int ret;

	if ((ret = stmt(st, S_EV_LATEST, &s, err)) < 0)
		return ret;
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		return cc_err_set(err, CC_ESTORE, "cannot read the latest incident");
	if (ret < 0)
		return ret;
	if (sqlite3_column_type(s, 0) == SQLITE_NULL)
		ret = cc_err_set(err, CC_ENOTFOUND, "no incidents stored");
	else
		*date_out = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return ret;
}

/* The index of type name t in *types (added when new); -1 for NULL or an error. */
static int type_index(const char *t, char (**types)[64], size_t *n, size_t *cap, int *last)
{
	if (!t)
		return -1;
	if (*last >= 0 && strcmp((*types)[*last], t) == 0)
		return *last;
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*types)[i], t) == 0)
			return *last = (int)i;
	}
	if (*n >= 100000 || cc__sq_grow((void **)types, cap, *n, sizeof(**types)) < 0)
		return -2;
	snprintf((*types)[*n], sizeof((*types)[*n]), "%s", t);
	return *last = (int)(*n)++;
}

struct named {
	char name[64];
	int orig;
};

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

/*
 * Puts the type names in byte order and renumbers the incidents' types to match, so the
 * numbering (the analysis breaks ties by it) does not depend on the order rows come in.
 */
static int sort_types(char (*types)[64], size_t n_types, struct cc_exposure_incident *inc,
                      size_t n, struct cc_err *err)
{
	struct named *nm;
	int *rank;

	if (n_types < 2)
		return 0;
	nm = cc_alloc_array(n_types, sizeof(*nm));
	rank = cc_alloc_array(n_types, sizeof(*rank));
	if (!nm || !rank) {
		cc_free(nm);
		cc_free(rank);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n_types; i++) {
		memcpy(nm[i].name, types[i], sizeof(nm[i].name));
		nm[i].orig = (int)i;
	}
	qsort(nm, n_types, sizeof(*nm), cmp_named);
	for (size_t i = 0; i < n_types; i++) {
		rank[nm[i].orig] = (int)i;
		memcpy(types[i], nm[i].name, sizeof(nm[i].name));
	}
	for (size_t i = 0; i < n; i++)
		if (inc[i].type >= 0)
			inc[i].type = rank[inc[i].type];
	cc_free(nm);
	cc_free(rank);
	return 0;
}

static int sq_load_incidents(struct cc_store *st, const struct cc_incident_query *q,
                             struct cc_exposure_incident **out, size_t *n_out,
                             char (**types_out)[64], size_t *n_types_out, struct cc_err *err)
{
	struct cc_exposure_incident *inc = NULL;
	char(*types)[64] = NULL;
	size_t n = 0, cap = 0, n_types = 0, cap_types = 0;
	sqlite3_stmt *s = NULL;
	int rc, ret, last = -1;
	bool own;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_EV_LOAD, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int(s, 1, q->from)) || (rc = sqlite3_bind_int(s, 2, q->to)) ||
	    (rc = sqlite3_bind_int(s, 3, q->max_geo_prec_acled)) ||
	    (rc = sqlite3_bind_int(s, 4, q->max_geo_prec_ucdp))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cc_exposure_incident *e;
		double lat = sqlite3_column_double(s, 0), lon = sqlite3_column_double(s, 1);
		int t;

		/* the box, bounds included (lat and lon are NOT NULL) */
		if (q->in_bbox && !(lat >= q->minlat && lat <= q->maxlat && lon >= q->minlon &&
		                    lon <= q->maxlon))
			continue;
		if (cc__sq_grow((void **)&inc, &cap, n, sizeof(*inc)) < 0) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out_reset;
		}
		e = &inc[n];
		e->lat = lat;
		e->lon = lon;
		e->date = sqlite3_column_int(s, 2);
		e->date_end = sqlite3_column_int(s, 3);
		e->fatalities = cc__sq_col_num(s, 4);
		t = type_index((const char *)sqlite3_column_text(s, 5), &types, &n_types,
		               &cap_types, &last);
		if (t < -1) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out_reset;
		}
		e->type = t;
		e->area_id = sqlite3_column_int64(s, 6);
		n++;
	}
	if (rc != SQLITE_DONE)
		ret = cc__sq_error(st, rc, err);
	if (ret == 0)
		ret = sort_types(types, n_types, inc, n, err);
out_reset:
	sqlite3_reset(s);
	if (ret == 0) {
		*out = inc;
		*n_out = n;
		*types_out = types;
		*n_types_out = n_types;
		inc = NULL;
		types = NULL;
	}
out_leave:
	cc_free(inc);
	cc_free(types);
	cc__sq_rx_leave(st, own);
	return ret;
}

static int sq_load_places(struct cc_store *st, int64_t mission_id, struct cc_exposure_place **out,
                          size_t *n_out, struct cc_err *err)
{
	struct cc_exposure_place *pl = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	int rc, ret;
	bool own;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_EV_PLACES, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":mission"), mission_id))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cc_exposure_place *p;

		if (cc__sq_grow((void **)&pl, &cap, n, sizeof(*pl)) < 0) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			break;
		}
		p = &pl[n++];
		memset(p, 0, sizeof(*p));
		p->activity_id = sqlite3_column_int64(s, 0);
		p->area_id = sqlite3_column_int64(s, 1);
		cc__sq_col_str(s, 2, p->pcode, sizeof(p->pcode));
		cc__sq_col_str(s, 3, p->title, sizeof(p->title));
		p->lat = cc__sq_col_num(s, 4);
		p->lon = cc__sq_col_num(s, 5);
		p->how = isnan(p->lat) || isnan(p->lon) ? CC_PLACE_NONE : CC_PLACE_POINT;
		p->start_date = sqlite3_column_type(s, 6) == SQLITE_NULL ? CC_DATE_NONE
		                                                         : sqlite3_column_int(s, 6);
		p->end_date = sqlite3_column_type(s, 7) == SQLITE_NULL ? CC_DATE_NONE
		                                                       : sqlite3_column_int(s, 7);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = cc__sq_error(st, rc, err);
	sqlite3_reset(s);
	if (ret == 0) {
		*out = pl;
		*n_out = n;
		pl = NULL;
	}
out_leave:
	cc_free(pl);
	cc__sq_rx_leave(st, own);
	return ret;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);

	return v ? v : "";
}

static int sq_each_incident(struct cc_store *st, const char *source, cc_incident_fn *fn,
                            void *ctx, struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;
	bool own;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_EV_EACH, &s, err)) < 0)
		goto out_leave;
	rc = source ? cc__sq_bind_text(s, 1, source) : sqlite3_bind_null(s, 1);
	if (rc) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cc_incident_row r = { 0 };
		struct cc_incident *inc = &r.inc;
		const char *names[4] = { "", "", "", "" };
		int level = sqlite3_column_int(s, 20);

		inc->source = col_text(s, 0);
		inc->source_id = col_text(s, 1);
		inc->date = sqlite3_column_int(s, 2);
		inc->date_end = sqlite3_column_int(s, 3);
		inc->date_prec = sqlite3_column_int(s, 4);
		inc->type = col_text(s, 5);
		inc->sub_type = col_text(s, 6);
		inc->actor1 = col_text(s, 7);
		inc->actor2 = col_text(s, 8);
		inc->lat = sqlite3_column_double(s, 9);
		inc->lon = sqlite3_column_double(s, 10);
		inc->geo_prec = sqlite3_column_int(s, 11);
		inc->area_id = sqlite3_column_int64(s, 12);
		inc->fatalities = cc__sq_col_num(s, 13);
		inc->fat_low = cc__sq_col_num(s, 14);
		inc->fat_high = cc__sq_col_num(s, 15);
		inc->revised = sqlite3_column_int64(s, 16);
		inc->notes = col_text(s, 17);
		inc->line = (long)sqlite3_column_int64(s, 18);
		r.pcode = col_text(s, 19);
		/* the area at its level, its parent one above, its grandparent two above */
		for (int k = 0; k < 3; k++)
			if (level - k >= 0 && level - k <= 3 &&
			    sqlite3_column_type(s, 21 + k) != SQLITE_NULL)
				names[level - k] = col_text(s, 21 + k);
		r.adm1 = inc->area_id ? names[1] : "";
		r.adm2 = inc->area_id ? names[2] : "";
		ret = fn(ctx, &r, err);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = cc__sq_error(st, rc, err);
	sqlite3_reset(s);
out_leave:
	cc__sq_rx_leave(st, own);
	return ret;
}

const struct cc__events_ops cc__sqlite_events = {
	.put_incident = sq_put_incident,
	.count_incidents = sq_count_incidents,
	.latest_incident = sq_latest_incident,
	.load_incidents = sq_load_incidents,
	.load_places = sq_load_places,
	.each_incident = sq_each_incident,
	.drop_indexes = sq_drop_indexes,
	.restore_indexes = sq_restore_indexes,
};
