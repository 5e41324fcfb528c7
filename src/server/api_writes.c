/*
 * Single-record writes over the API: activities (a 3W row), needs, observations, feedback,
 * indicators and benchmarks created (POST) and edited (PUT with If-Match).
 *
 * A body is turned into the header and row its importer reads (JSON names are the importer's
 * column names; for a 3W row, HXL hashtags) and checked by the importer's own row function
 * (src/io/row_check.h), so that no write stores what an import of the same row would refuse;
 * a refused field answers 400 naming the JSON field. The write, the organisations a 3W row
 * may add, the marking and the change-log entry go through the store in one transaction.
 *
 * Markings: the body may carry "releasability" (public, partners, org), "deny" (organisation
 * kinds) and "owner"; the owner is the caller's organisation unless a coordinator names
 * another. Only the owner's editors or a coordinator may edit a record, and a record the caller
 * may not see answers 404 exactly like a missing one.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/activities.h>
#include <concord/alloc.h>
#include <concord/edits.h>
#include <concord/feedback.h>
#include <concord/indicators.h>
#include <concord/needs.h>
#include <concord/registry.h>
#include <concord/rounds.h>
#include <concord/sharing.h>
#include <concord/text.h>
#include <concord/visibility.h>

#include "io/row_check.h"
#include "server/records_body.h"
#include "server/server.h"

#include "core/banned.h"


#define MAX_FIELDS 24
#define API_SOURCE "api" /* the source of the activities created over the API */

/* ---- the kinds ---- */

/* A JSON field and the importer's column for it. */
struct field {
	const char *json;
	const char *column;
};

static const struct field activity_fields[] = {
	{ "organisation", "#org+name" },
	{ "implementer", "#org+impl+name" },
	{ "funder", "#org+funder+name" },
	{ "sector", "#sector" },
	{ "area", "#adm1+code" }, /* the level of the area given replaces 1 */
	{ "title", "#activity" },
	{ "description", "#activity+description" },
	{ "start", "#date+start" },
	{ "end", "#date+end" },
	{ "status", "#status" },
	{ "targeted", "#targeted" },
	{ "reached", "#reached" },
	{ "budget", "#value+budget" },
	{ "currency", "#currency" },
	{ "lat", "#geo+lat" },
	{ "lon", "#geo+lon" },
	{ "kind", "#meta+kind" },
	{ NULL, NULL },
};

static const struct field observation_fields[] = {
	{ "indicator", "indicator" },
	{ "area", "area" },
	{ "sex", "sex" },
	{ "age_group", "age_group" },
	{ "period_start", "period_start" },
	{ "period_end", "period_end" },
	{ "value", "value" },
	{ "source", "source" },
	{ "confidence", "confidence" },
	{ NULL, NULL },
};

static const struct field indicator_fields[] = {
	{ "code", "code" },
	{ "name", "name" },
	{ "pillar", "pillar" },
	{ "unit", "unit" },
	{ "measure", "measure" },
	{ "direction", "direction" },
	{ "aggregation", "aggregation" },
	{ "period_days", "period_days" },
	{ "goal_min", "goal_min" },
	{ "goal_max", "goal_max" },
	{ NULL, NULL },
};

static const struct field benchmark_fields[] = {
	{ "indicator", "indicator" }, { "area", "area" }, { "sex", "sex" },
	{ "age_group", "age_group" }, { "kind", "kind" }, { "date", "date" },
	{ "value", "value" },         { NULL, NULL },
};

static const struct field need_fields[] = {
	{ "area", "#adm1+code" },
	{ "sector", "#sector+code" },
	{ "sex", "#gender+code" },
	{ "age_group", "#age_group+code" },
	{ "pop_group", "#population_group+code" },
	{ "disability", "#is_disabled" },
	{ "label", "#description" },
	{ "population", "#population" },
	{ "in_need", "#inneed" },
	{ "targeted", "#targeted" },
	{ "affected", "#affected" },
	{ "reached", "#reached" },
	{ "severity", "#severity" },
	{ NULL, NULL },
};

static const struct field feedback_fields[] = {
	{ "date", "date" },           { "area", "area" },
	{ "channel", "channel" },     { "organisation", "organisation" },
	{ "text", "text" },           { "category", "category" },
	{ "sentiment", "sentiment" }, { NULL, NULL },
};

/* Members a body may carry besides the fields: the marking, and what GET answered. */
static const char *const extra_members[] = {
	"releasability", "deny", "owner", "id", "version", NULL
};

/* ---- the row handed to the importer's check ---- */

struct row {
	const struct field *fields;
	char *names[MAX_FIELDS];
	char *values[MAX_FIELDS]; /* owned */
	const char *json[MAX_FIELDS]; /* the fields' JSON names */
	size_t n;
};

static void row_release(struct row *r)
{
	for (size_t i = 0; i < r->n; i++) {
		cc_free(r->names[i]);
		cc_free(r->values[i]);
	}
	r->n = 0;
}

static int row_init(struct row *r, const struct field *fields, struct cc_err *err)
{
	memset(r, 0, sizeof(*r));
	r->fields = fields;
	for (size_t i = 0; fields[i].json; i++) {
		r->json[i] = fields[i].json;
		r->names[i] = cc_strdup(fields[i].column);
		r->values[i] = cc_strdup("");
		r->n = i + 1;
		if (!r->names[i] || !r->values[i])
			return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	return 0;
}

static int row_index(const struct row *r, const char *json)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->fields[i].json, json) == 0)
			return (int)i;
	return -1;
}

static int row_set(struct row *r, const char *json, const char *value, struct cc_err *err)
{
	int i = row_index(r, json);

	return i < 0 ? 0 : cc__set_text(&r->values[i], value, err);
}

static int row_setf(struct row *r, const char *json, double v, struct cc_err *err)
{
	char buf[64];

	if (isnan(v))
		return row_set(r, json, "", err);
	snprintf(buf, sizeof(buf), "%.17g", v);
	return row_set(r, json, buf, err);
}

static const char *row_get(const struct row *r, const char *json)
{
	int i = row_index(r, json);

	return i < 0 ? "" : r->values[i];
}

/* Checks the body's members and lays its fields over r. */
static int row_from_body(const struct cc__req *req, struct row *r, const char *what,
                         struct cc_err *err)
{
	const char *key, *text;
	json_t *v;
	char buf[64];
	int ret;

	if (!req->body || !json_is_object(req->body))
		return cc__bad_arg(err, "body", "expected a JSON object with the fields of %s", what);
	json_object_foreach(req->body, key, v)
	{
		if (cc__name_in(extra_members, key))
			continue;
		/* a need's period is no column of its rows but of the import (need_period) */
		if (r->fields == need_fields &&
		    (strcmp(key, "period_from") == 0 || strcmp(key, "period_to") == 0))
			continue;
		if (row_index(r, key) < 0)
			return cc__bad_arg(err, key, "%s: not a field of %s", key, what);
		if ((ret = cc__json_text(v, key, buf, sizeof(buf), &text, err)) < 0 ||
		    (ret = row_set(r, key, text, err)) < 0)
			return ret;
	}
	return 0;
}

/* ---- activities ---- */

/* The area column for the level of the area the row names ("#adm2+code"). */
static int area_column(struct cc__req *req, struct row *r, struct cc_err *err)
{
	int i = row_index(r, "area");
	struct cc_area a;
	char tag[32];
	char *name;
	int ret = cc_store_find_area(req->st, r->values[i], &a, err);

	if (ret == CC_ENOTFOUND || ret == CC_EINVALID) {
		cc_err_clear(err);
		return 0; /* the importer says what is wrong with it */
	}
	if (ret < 0)
		return ret; /* the store failed: not a fault of the row */
	if (a.level < 1 || a.level > 5)
		return 0;
	snprintf(tag, sizeof(tag), "#adm%d+code", a.level);
	if (!(name = cc_strdup(tag)))
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	cc_free(r->names[i]);
	r->names[i] = name;
	return 0;
}

/* The row's activity checked as the 3W importer checks a row; call inside the transaction. */
static int check_activity(struct cc__req *req, const struct cc_mission *m, struct row *r,
                          struct cc__3w_row *out, struct cc_err *err)
{
	const char *cur = row_get(r, "currency");
	int ret;

	if (cur[0] && (strlen(cur) != 3 || cur[strspn(cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")]))
		return cc__bad_arg(err, "currency",
		               "currency: '%s' is not an ISO 4217 code (USD, EUR…)", cur);
	if ((ret = area_column(req, r, err)) < 0)
		return ret;
	ret = cc__3w_row_check(
	        req->st, m,
	        &(struct cc__row_fields){ .names = r->names, .values = r->values, .n = r->n }, out,
	        err);
	return cc__row_refused(ret, r->names, r->json, r->n, err);
}

/* The activity source of the API in the mission, made on first use. */
static int api_source(struct cc__req *req, const struct cc_mission *m, struct cc_source *src,
                      struct cc_err *err)
{
	int ret = cc_store_get_source(req->st, m->id, API_SOURCE, src, err);

	if (ret == CC_ENOTFOUND) {
		cc_err_clear(err);
		memset(src, 0, sizeof(*src));
		src->mission_id = m->id;
		snprintf(src->name, sizeof(src->name), API_SOURCE);
		src->period_from = src->period_to = CC_DATE_NONE;
		src->n_read = src->n_rejected = -1;
		ret = cc_store_put_source(req->st, src, err);
	}
	return ret;
}

static int activity_create(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_record_marking mk = { .rel = CC_REL_PUBLIC, .owner_id = req->who->user.org_id };
	struct cc__3w_row a = { 0 };
	struct cc_mission m;
	struct cc_source src;
	enum cc_put_result res = CC_PUT_ADDED;
	struct row r;
	int64_t batch = 0;
	long dup = 0;
	bool given, in_tx = false;
	int ret;

	if ((ret = row_init(&r, activity_fields, err)) < 0)
		goto out;
	if ((ret = cc__caller_mission(req, &m, err)) < 0 ||
	    (ret = row_from_body(req, &r, "an activity", err)) < 0 ||
	    (ret = cc__marking_from_body(req, m.id, true, &mk, &given, err)) < 0)
		goto out;
	/* the caller's organisation reports it unless the body names another */
	if (!row_get(&r, "organisation")[0] &&
	    (ret = row_set(&r, "organisation", req->who->org_name, err)) < 0)
		goto out;
	if ((ret = cc_store_begin(req->st, err)) < 0)
		goto out;
	in_tx = true;
	if ((ret = check_activity(req, &m, &r, &a, err)) < 0 ||
	    (ret = api_source(req, &m, &src, err)) < 0 ||
	    (ret = cc_store_new_batch(req->st, &batch, err)) < 0)
		goto out;
	a.act.source_id = src.id;
	a.act.releasability = cc_rel_name(mk.rel);
	a.act.owner_id = mk.owner_id;
	a.act.deny = mk.deny;
	if ((ret = cc_store_put_activity(req->st, &a.act, batch, &res, &dup, err)) < 0)
		goto out;
	if (res != CC_PUT_ADDED) {
		ret = cc_err_set(err, CC_EEXIST,
		                 "an activity of this organisation, area, sector, title and start "
		                 "date exists already (%lld)",
		                 (long long)a.act.id);
		cc_err_at(err, NULL, 0, "title");
		goto out;
	}
	if ((ret = cc_store_record_submissions(req->st, src.id, batch, err)) < 0 ||
	    (ret = cc_store_log_change(req->st,
	                               &(struct cc_change){ .table = "activity",
	                                                    .op = "insert",
	                                                    .record_id = a.act.id,
	                                                    .batch = batch,
	                                                    .count = 1,
	                                                    .mission_id = m.id,
	                                                    .releasability = a.act.releasability,
	                                                    .detail = "created over the API" },
	                               err)) < 0 ||
	    (ret = cc_store_commit(req->st, err)) < 0)
		goto out;
	in_tx = false;
	ret = cc__reply_written(req, cc__api_activity_get, "/api/activities", a.act.id, mk.rel, out,
	                        err);
out:
	if (in_tx)
		cc_store_rollback(req->st);
	cc__3w_row_release(&a);
	row_release(&r);
	return ret;
}

/* POST /api/activities */
int cc__api_activity_create(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	return cc__run_locked(activity_create, req, out, err);
}

/* The stored activity's fields as the row a PUT overlays. */
static int row_from_activity(struct row *r, const struct cc_activity_row *a, struct cc_err *err)
{
	char d[16];
	int ret;

	if ((ret = row_set(r, "organisation", a->org_name, err)) < 0 ||
	    (ret = row_set(r, "implementer", a->impl_name, err)) < 0 ||
	    (ret = row_set(r, "funder", a->funder_name, err)) < 0 ||
	    (ret = row_set(r, "sector", a->sector_code, err)) < 0 ||
	    (ret = row_set(r, "area", a->area_pcode, err)) < 0 ||
	    (ret = row_set(r, "title", a->title, err)) < 0 ||
	    (ret = row_set(r, "description", a->description, err)) < 0 ||
	    (ret = row_set(r, "status", a->status, err)) < 0 ||
	    (ret = row_set(r, "start",
	                   a->start_date == CC_DATE_NONE ? "" : cc_date_format(a->start_date, d),
	                   err)) < 0 ||
	    (ret = row_set(r, "end",
	                   a->end_date == CC_DATE_NONE ? "" : cc_date_format(a->end_date, d),
	                   err)) < 0 ||
	    (ret = row_setf(r, "targeted", a->targeted, err)) < 0 ||
	    (ret = row_setf(r, "reached", a->reached, err)) < 0 ||
	    (ret = row_setf(r, "budget", a->budget, err)) < 0 ||
	    (ret = row_set(r, "currency", a->currency, err)) < 0 ||
	    (ret = row_set(r, "kind", a->kind == CC_KIND_PRESENCE ? "presence" : "activity", err)) <
	            0)
		return ret;
	if (a->site_exact && (ret = row_setf(r, "lat", a->lat, err)) == 0)
		ret = row_setf(r, "lon", a->lon, err);
	return ret;
}

static int activity_update(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_activity_page page = { 0 };
	struct cc_record_marking old, mk;
	struct cc__3w_row a = { 0 };
	struct cc_mission m;
	struct row r;
	int64_t id = 0;
	bool given, in_tx = false;
	unsigned flags = 0;
	int ret;

	if ((ret = row_init(&r, activity_fields, err)) < 0 ||
	    (ret = cc__caller_mission(req, &m, err)) < 0)
		goto out;
	if (cc_parse_i64(cc__req_param(req, "id"), 1, INT64_MAX, &id, NULL) < 0) {
		ret = cc__no_record(req, "activity", err);
		goto out;
	}
	ret = cc_store_list_activities(req->st,
	                               &(struct cc_activity_query){ .mission_id = m.id,
	                                                            .pillar = -1,
	                                                            .kind = -1,
	                                                            .from = CC_DATE_NONE,
	                                                            .to = CC_DATE_NONE,
	                                                            .id = id,
	                                                            .limit = 1 },
	                               &page, err);
	if (ret == 0 && page.n_rows == 0)
		ret = cc__no_record(req, "activity", err);
	if (ret == 0)
		ret = cc_store_get_marking(req->st, "activity", id, &old, err);
	if (ret == CC_ENOTFOUND)
		ret = cc__no_record(req, "activity", err);
	if (ret < 0 || (ret = cc__may_change(req, old.owner_id, "this record", err)) < 0 ||
	    (ret = cc__check_version(req, page.rows[0].version, "record", err)) < 0)
		goto out;
	/* an edit writes every field: figures the caller may not read cannot be kept */
	if (page.rows[0].figures_hidden) {
		ret = cc_err_set(err, CC_EDENIED,
		                 "the figures of this activity are hidden from you");
		goto out;
	}
	/* a site the caller may not read (or none) stays as stored unless the body gives one */
	if (!page.rows[0].site_exact && !json_object_get(req->body, "lat") &&
	    !json_object_get(req->body, "lon"))
		flags |= CC_EDIT_KEEP_SITE;
	mk = old;
	if ((ret = row_from_activity(&r, &page.rows[0], err)) < 0 ||
	    (ret = row_from_body(req, &r, "an activity", err)) < 0 ||
	    (ret = cc__marking_from_body(req, m.id, false, &mk, &given, err)) < 0)
		goto out;
	if ((ret = cc_store_begin(req->st, err)) < 0)
		goto out;
	in_tx = true;
	if ((ret = check_activity(req, &m, &r, &a, err)) < 0)
		goto out;
	a.act.id = id;
	a.act.mission_id = m.id;
	a.act.releasability = cc_rel_name(mk.rel);
	ret = cc_store_update_activity(req->st, &a.act, flags, err);
	if (ret == CC_EEXIST)
		cc_err_at(err, NULL, 0, "title");
	if (ret < 0 || (ret = cc__apply_marking(req, "activity", id, m.id, &old, &mk, err)) < 0 ||
	    (ret = cc_store_commit(req->st, err)) < 0)
		goto out;
	in_tx = false;
	ret = cc__reply_written(req, cc__api_activity_get, "/api/activities", id, mk.rel, out, err);
out:
	if (in_tx)
		cc_store_rollback(req->st);
	cc_activity_page_release(&page);
	cc__3w_row_release(&a);
	row_release(&r);
	return ret;
}

/* PUT /api/activities/{id} with If-Match */
int cc__api_activity_update(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	return cc__run_locked(activity_update, req, out, err);
}

/* ---- observations and feedback (registry kinds) ---- */

/* The stored record's fields (JSON as GET answers it) as the row a PUT overlays. */
static int row_from_json(struct row *r, const json_t *cur, struct cc_err *err)
{
	char buf[64];
	const char *text;
	int ret;

	for (size_t i = 0; i < r->n; i++) {
		const char *name = r->fields[i].json;

		if ((ret = cc__json_text(json_object_get(cur, name), name, buf, sizeof(buf), &text,
		                         err)) < 0 ||
		    (ret = row_set(r, name, text, err)) < 0)
			return ret;
	}
	return 0;
}

static int observation_write(struct cc__req *req, bool create, struct cc_buf *out,
                             struct cc_err *err)
{
	struct cc_record_marking mk = { .rel = CC_REL_PUBLIC, .owner_id = req->who->user.org_id };
	struct cc_record_marking old = mk;
	struct cc_reg_page page = { 0 };
	struct cc_observation o;
	enum cc_put_result res = CC_PUT_ADDED;
	struct cc_mission m;
	json_t *cur = NULL;
	struct row r;
	bool given, in_tx = false;
	int ret;

	if ((ret = row_init(&r, observation_fields, err)) < 0 ||
	    (ret = cc__caller_mission(req, &m, err)) < 0)
		goto out;
	if (!create) {
		if ((ret = cc__reg_current(req, CC_REG_OBSERVATION, m.id,
		                           cc_reg_kind_table(CC_REG_OBSERVATION), &page, &cur,
		                           err)) < 0 ||
		    (ret = cc_store_get_marking(req->st, "observation", page.last_id, &old, err)) <
		            0 ||
		    (ret = cc__may_change(req, old.owner_id, "this record", err)) < 0 ||
		    (ret = cc__check_version(req, page.version, "record", err)) < 0 ||
		    (ret = row_from_json(&r, cur, err)) < 0)
			goto out;
		mk = old;
	}
	if ((ret = row_from_body(req, &r, "an observation", err)) < 0 ||
	    (ret = cc__marking_from_body(req, m.id, create, &mk, &given, err)) < 0)
		goto out;
	if ((ret = cc_store_begin(req->st, err)) < 0)
		goto out;
	in_tx = true;
	ret = cc__observation_row_check(
	        req->st, &m,
	        &(struct cc__row_fields){ .names = r.names, .values = r.values, .n = r.n }, &o,
	        err);
	if ((ret = cc__row_refused(ret, r.names, r.json, r.n, err)) < 0)
		goto out;
	if (create) {
		ret = cc_store_put_observation(req->st, &o, &res, err);
		if (ret == 0 && res != CC_PUT_ADDED) {
			ret = cc_err_set(
			        err, CC_EEXIST,
			        "an observation of this indicator, area, sex, age group and "
			        "period_end exists already (%lld)",
			        (long long)o.id);
			cc_err_at(err, NULL, 0, "period_end");
		}
		if (ret == 0)
			ret = cc__record_written(req, true, "observation", o.id, m.id, 0, res, &old,
			                         &mk, err);
	} else {
		o.id = page.last_id;
		ret = cc_store_update_observation(req->st, m.id, &o, err);
		if (ret == CC_EEXIST)
			cc_err_at(err, NULL, 0, "period_end");
		if (ret == 0)
			ret = cc__apply_marking(req, "observation", o.id, m.id, &old, &mk, err);
	}
	if (ret < 0 || (ret = cc_store_commit(req->st, err)) < 0)
		goto out;
	in_tx = false;
	cc_reg_page_release(&page);
	ret = cc__reply_written(req, cc__api_reg_get, "/api/observations", o.id, mk.rel, out, err);
out:
	if (in_tx)
		cc_store_rollback(req->st);
	cc_reg_page_release(&page);
	json_decref(cur);
	row_release(&r);
	return ret;
}

/* POST /api/observations */
CC__LOCKED_WRITE(cc__api_observation_create, observation_write, true)

/* PUT /api/observations/{id} with If-Match */
CC__LOCKED_WRITE(cc__api_observation_update, observation_write, false)

static int feedback_write(struct cc__req *req, bool create, struct cc_buf *out, struct cc_err *err)
{
	struct cc_record_marking mk = { .rel = CC_REL_PUBLIC, .owner_id = req->who->user.org_id };
	struct cc_record_marking old = mk;
	struct cc_reg_page page = { 0 };
	struct cc_feedback *f = cc_calloc(1, sizeof(*f));
	enum cc_put_result res = CC_PUT_ADDED;
	struct cc_mission m;
	json_t *cur = NULL;
	struct row r;
	bool given, in_tx = false;
	int64_t id = 0;
	int ret;

	if (!f)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if ((ret = row_init(&r, feedback_fields, err)) < 0 ||
	    (ret = cc__caller_mission(req, &m, err)) < 0)
		goto out;
	if (!create) {
		if ((ret = cc__reg_current(req, CC_REG_FEEDBACK, m.id,
		                           cc_reg_kind_table(CC_REG_FEEDBACK), &page, &cur, err)) <
		            0 ||
		    (ret = cc_store_get_marking(req->st, "feedback", page.last_id, &old, err)) <
		            0 ||
		    (ret = cc__may_change(req, old.owner_id, "this record", err)) < 0 ||
		    (ret = cc__check_version(req, page.version, "record", err)) < 0 ||
		    (ret = row_from_json(&r, cur, err)) < 0)
			goto out;
		mk = old;
		id = page.last_id;
	}
	if ((ret = row_from_body(req, &r, "a feedback entry", err)) < 0 ||
	    (ret = cc__marking_from_body(req, m.id, create, &mk, &given, err)) < 0)
		goto out;
	if ((ret = cc_store_begin(req->st, err)) < 0)
		goto out;
	in_tx = true;
	ret = cc__feedback_row_check(
	        req->st, &m,
	        &(struct cc__row_fields){ .names = r.names, .values = r.values, .n = r.n }, f, err);
	if ((ret = cc__row_refused(ret, r.names, r.json, r.n, err)) < 0)
		goto out;
	if (!create) /* the record keeps its key, whatever its text becomes */
		snprintf(f->key, sizeof(f->key), "%s",
		         json_string_value(json_object_get(cur, "key")));
	if ((ret = cc_store_put_feedback(req->st, f, &res, err)) < 0)
		goto out;
	if (create && res != CC_PUT_ADDED) {
		ret = cc_err_set(err, CC_EEXIST,
		                 "the same feedback (date, area, channel, organisation and text) "
		                 "exists already (%lld)",
		                 (long long)f->id);
		cc_err_at(err, NULL, 0, "text");
		goto out;
	}
	if (!create && f->id != id) {
		ret = cc_err_set(err, CC_ESTORE, "feedback %lld changed its key", (long long)id);
		goto out;
	}
	ret = cc__record_written(req, create, "feedback", create ? f->id : id, m.id, 0, res, &old,
	                         &mk, err);
	if (ret < 0 || (ret = cc_store_commit(req->st, err)) < 0)
		goto out;
	in_tx = false;
	cc_reg_page_release(&page);
	ret = cc__reply_written(req, cc__api_reg_get, "/api/feedback", f->id, mk.rel, out, err);
out:
	if (in_tx)
		cc_store_rollback(req->st);
	cc_reg_page_release(&page);
	json_decref(cur);
	row_release(&r);
	cc_free(f);
	return ret;
}

/* POST /api/feedback */
CC__LOCKED_WRITE(cc__api_feedback_create, feedback_write, true)

/* PUT /api/feedback/{id} with If-Match */
CC__LOCKED_WRITE(cc__api_feedback_update, feedback_write, false)

/* ---- indicators and their benchmarks ---- */

static int indicator_write(struct cc__req *req, bool create, struct cc_buf *out, struct cc_err *err)
{
	struct cc_record_marking mk = { .rel = CC_REL_PUBLIC, .owner_id = req->who->user.org_id };
	struct cc_record_marking old = mk;
	struct cc_reg_page page = { 0 };
	struct cc_indicator ind;
	enum cc_put_result res = CC_PUT_ADDED;
	struct cc_mission m;
	json_t *cur = NULL;
	struct row r;
	char code[sizeof(ind.code)] = "";
	bool given, in_tx = false;
	int64_t id = 0;
	int ret;

	if ((ret = row_init(&r, indicator_fields, err)) < 0 ||
	    (ret = cc__caller_mission(req, &m, err)) < 0)
		goto out;
	if (!create) {
		if ((ret = cc__reg_current(req, CC_REG_INDICATOR, m.id,
		                           cc_reg_kind_table(CC_REG_INDICATOR), &page, &cur, err)) <
		            0 ||
		    (ret = cc_store_get_marking(req->st, "indicator", page.last_id, &old, err)) <
		            0 ||
		    (ret = cc__may_change(req, old.owner_id, "this record", err)) < 0 ||
		    (ret = cc__check_version(req, page.version, "record", err)) < 0 ||
		    (ret = row_from_json(&r, cur, err)) < 0 ||
		    (ret = row_set(&r, "direction",
		                   json_is_true(json_object_get(cur, "higher_is_better")) ? "higher"
		                                                                          : "lower",
		                   err)) < 0)
			goto out;
		mk = old;
		id = page.last_id;
		snprintf(code, sizeof(code), "%s", row_get(&r, "code"));
	}
	if ((ret = row_from_body(req, &r, "an indicator", err)) < 0 ||
	    (ret = cc__marking_from_body(req, m.id, create, &mk, &given, err)) < 0)
		goto out;
	if (!create && strcmp(code, row_get(&r, "code")) != 0) {
		ret = cc__bad_arg(err, "code", "code: the code of an indicator does not change (%s)",
		              code);
		goto out;
	}
	if ((ret = cc_store_begin(req->st, err)) < 0)
		goto out;
	in_tx = true;
	ret = cc__indicator_row_check(
	        req->st, &m,
	        &(struct cc__row_fields){ .names = r.names, .values = r.values, .n = r.n }, &ind,
	        err);
	if ((ret = cc__row_refused(ret, r.names, r.json, r.n, err)) < 0 ||
	    (ret = cc_store_put_indicator(req->st, &ind, &res, err)) < 0)
		goto out;
	if (create && res != CC_PUT_ADDED) {
		ret = cc_err_set(err, CC_EEXIST, "the mission has an indicator '%s' already (%lld)",
		                 ind.code, (long long)ind.id);
		cc_err_at(err, NULL, 0, "code");
		goto out;
	}
	if (!create && ind.id != id) {
		ret = cc_err_set(err, CC_ESTORE, "indicator %lld changed its code", (long long)id);
		goto out;
	}
	ret = cc__record_written(req, create, "indicator", create ? ind.id : id, m.id, 0, res, &old,
	                         &mk, err);
	if (ret < 0 || (ret = cc_store_commit(req->st, err)) < 0)
		goto out;
	in_tx = false;
	cc_reg_page_release(&page);
	ret = cc__reply_written(req, cc__api_reg_get, "/api/indicators", ind.id, mk.rel, out, err);
out:
	if (in_tx)
		cc_store_rollback(req->st);
	cc_reg_page_release(&page);
	json_decref(cur);
	row_release(&r);
	return ret;
}

/* POST /api/indicators */
CC__LOCKED_WRITE(cc__api_indicator_create, indicator_write, true)

/* PUT /api/indicators/{id} with If-Match */
CC__LOCKED_WRITE(cc__api_indicator_update, indicator_write, false)

/* Whether two benchmarks are the same series point (their natural key); the field that differs. */
static const char *benchmark_key_change(const struct cc_benchmark *a, const struct cc_benchmark *b)
{
	if (a->indicator_id != b->indicator_id)
		return "indicator";
	if (a->area_id != b->area_id)
		return "area";
	if (strcmp(a->sex, b->sex) != 0)
		return "sex";
	if (strcmp(a->age_group, b->age_group) != 0)
		return "age_group";
	if (a->kind != b->kind)
		return "kind";
	if (a->kind == CC_BENCH_MILESTONE && a->date != b->date)
		return "date";
	return NULL;
}

/*
 * A benchmark is written by whoever may write its indicator; it is seen with it and carries its
 * marking. An edit keeps the benchmark's series, kind (and a milestone's date): its value (and a
 * baseline's or target's date) change.
 */
static int benchmark_write(struct cc__req *req, bool create, struct cc_buf *out, struct cc_err *err)
{
	struct cc_reg_page page = { 0 };
	struct cc_record_marking ind_mk;
	struct cc_benchmark b, was = { 0 };
	enum cc_put_result res = CC_PUT_ADDED;
	struct cc_mission m;
	json_t *cur = NULL;
	struct row r;
	const char *changed;
	bool in_tx = false;
	int64_t id = 0;
	int ret;

	if ((ret = row_init(&r, benchmark_fields, err)) < 0 ||
	    (ret = cc__caller_mission(req, &m, err)) < 0)
		goto out;
	if (!create) {
		if ((ret = cc__reg_current(req, CC_REG_BENCHMARK, m.id,
		                           cc_reg_kind_table(CC_REG_BENCHMARK), &page, &cur, err)) <
		            0 ||
		    (ret = cc__may_change(req, page.last_owner, "this record", err)) < 0 ||
		    (ret = cc__check_version(req, page.version, "record", err)) < 0 ||
		    (ret = row_from_json(&r, cur, err)) < 0)
			goto out;
		id = page.last_id;
	}
	if (req->body &&
	    (json_object_get(req->body, "releasability") || json_object_get(req->body, "owner") ||
	     json_object_get(req->body, "deny"))) {
		ret = cc__bad_arg(
		        err, "releasability",
		        "releasability: a benchmark is seen with its indicator and carries its "
		        "marking%s",
		        "");
		goto out;
	}
	if ((ret = row_from_body(req, &r, "a benchmark", err)) < 0 ||
	    (ret = cc_store_begin(req->st, err)) < 0)
		goto out;
	in_tx = true;
	if (!create) {
		/* the series as stored, checked as a row, to compare with the new one */
		struct row w;

		if ((ret = row_init(&w, benchmark_fields, err)) == 0 &&
		    (ret = row_from_json(&w, cur, err)) == 0)
			ret = cc__benchmark_row_check(req->st, &m,
			                              &(struct cc__row_fields){ .names = w.names,
			                                                        .values = w.values,
			                                                        .n = w.n },
			                              &was, err);
		row_release(&w);
		if (ret < 0)
			goto out;
	}
	ret = cc__benchmark_row_check(
	        req->st, &m,
	        &(struct cc__row_fields){ .names = r.names, .values = r.values, .n = r.n }, &b,
	        err);
	if ((ret = cc__row_refused(ret, r.names, r.json, r.n, err)) < 0)
		goto out;
	if (!create && (changed = benchmark_key_change(&was, &b))) {
		ret = cc__bad_arg(
		        err, changed,
		        "%s: the series, kind and milestone date of a benchmark do not change; "
		        "remove it and add another",
		        changed);
		goto out;
	}
	/* written by whoever may write its indicator (one the caller cannot see is unknown) */
	ret = cc_store_get_marking(req->st, "indicator", b.indicator_id, &ind_mk, err);
	if (ret == CC_ENOTFOUND) {
		ret = cc__bad_arg(err, "indicator", "unknown indicator '%s'", row_get(&r, "indicator"));
		goto out;
	}
	if (ret < 0 || (ret = cc__may_change(req, ind_mk.owner_id, "this record", err)) < 0 ||
	    (ret = cc_store_put_benchmark(req->st, &b, &res, err)) < 0)
		goto out;
	if (create && res != CC_PUT_ADDED) {
		ret = cc_err_set(err, CC_EEXIST,
		                 "the indicator has this benchmark already (%lld): same area, sex, "
		                 "age group and kind (and date, for a milestone)",
		                 (long long)b.id);
		cc_err_at(err, NULL, 0, "kind");
		goto out;
	}
	if (!create && b.id != id) {
		ret = cc_err_set(err, CC_ESTORE, "benchmark %lld changed its key", (long long)id);
		goto out;
	}
	if (create || res == CC_PUT_UPDATED)
		ret = cc_store_log_change(
		        req->st,
		        &(struct cc_change){ .table = "benchmark",
		                             .op = create ? "insert" : "update",
		                             .record_id = b.id,
		                             .count = 1,
		                             .mission_id = m.id,
		                             .releasability = cc_rel_name(ind_mk.rel),
		                             .detail = create ? "created over the API"
		                                              : "edited one record" },
		        err);
	if (ret < 0 || (ret = cc_store_commit(req->st, err)) < 0)
		goto out;
	in_tx = false;
	cc_reg_page_release(&page);
	ret = cc__reply_written(req, cc__api_reg_get, "/api/benchmarks", b.id, ind_mk.rel, out,
	                        err);
out:
	if (in_tx)
		cc_store_rollback(req->st);
	cc_reg_page_release(&page);
	json_decref(cur);
	row_release(&r);
	return ret;
}

/* POST /api/benchmarks */
CC__LOCKED_WRITE(cc__api_benchmark_create, benchmark_write, true)

/* PUT /api/benchmarks/{id} with If-Match */
CC__LOCKED_WRITE(cc__api_benchmark_update, benchmark_write, false)

/* ---- needs ---- */

/* The need's period from the body (over *from, *to): its own members, checked here. */
static int need_period(const struct cc__req *req, int32_t *from, int32_t *to, struct cc_err *err)
{
	static const char *const names[] = { "period_from", "period_to" };
	int32_t *dst[] = { from, to };

	for (size_t i = 0; i < 2; i++) {
		json_t *v = json_object_get(req->body, names[i]);

		if (!v)
			continue;
		if (json_is_null(v) || (json_is_string(v) && !json_string_value(v)[0])) {
			*dst[i] = CC_DATE_NONE;
			continue;
		}
		if (!json_is_string(v) || cc_date_parse(json_string_value(v), dst[i], NULL) < 0)
			return cc__bad_arg(err, names[i], "%s: '%s' is not a date (YYYY-MM-DD)",
			               names[i], json_is_string(v) ? json_string_value(v) : "?");
	}
	if (*from != CC_DATE_NONE && *to != CC_DATE_NONE && *to < *from)
		return cc__bad_arg(err, "period_to", "period_to: the period ends before it starts%s",
		               "");
	return 0;
}

/*
 * A need is stored under a source as an import stores it: created ones under the mission's
 * "api" source. An edit keeps its natural key (area, sector, period, breakdown, label): its
 * figures and severity change.
 */
static int need_write(struct cc__req *req, bool create, struct cc_buf *out, struct cc_err *err)
{
	struct cc_record_marking mk = { .rel = CC_REL_PUBLIC, .owner_id = req->who->user.org_id };
	struct cc_record_marking old = mk;
	struct cc_reg_page page = { 0 };
	struct cc_need n;
	struct cc_source src;
	enum cc_put_result res = CC_PUT_ADDED;
	struct cc_mission m;
	json_t *cur = NULL;
	struct row r;
	int32_t from = CC_DATE_NONE, to = CC_DATE_NONE;
	int64_t batch = 0, id = 0;
	long dup = 0;
	bool given, in_tx = false;
	int ret;

	if ((ret = row_init(&r, need_fields, err)) < 0 || (ret = cc__caller_mission(req, &m, err)) < 0)
		goto out;
	if (!create) {
		const char *f;

		if ((ret = cc__reg_current(req, CC_REG_NEED, m.id, cc_reg_kind_table(CC_REG_NEED),
		                           &page, &cur, err)) < 0 ||
		    (ret = cc_store_get_marking(req->st, "need", page.last_id, &old, err)) < 0 ||
		    (ret = cc__may_change(req, old.owner_id, "this record", err)) < 0 ||
		    (ret = cc__check_version(req, page.version, "record", err)) < 0 ||
		    (ret = row_from_json(&r, cur, err)) < 0)
			goto out;
		mk = old;
		id = page.last_id;
		f = json_string_value(json_object_get(cur, "period_from"));
		if (f && cc_date_parse(f, &from, NULL) < 0)
			from = CC_DATE_NONE;
		f = json_string_value(json_object_get(cur, "period_to"));
		if (f && cc_date_parse(f, &to, NULL) < 0)
			to = CC_DATE_NONE;
	}
	if ((ret = row_from_body(req, &r, "a need", err)) < 0 ||
	    (ret = need_period(req, &from, &to, err)) < 0 ||
	    (ret = cc__marking_from_body(req, m.id, create, &mk, &given, err)) < 0)
		goto out;
	if ((ret = cc_store_begin(req->st, err)) < 0)
		goto out;
	in_tx = true;
	ret = cc__need_row_check(
	        req->st, &m,
	        &(struct cc__row_fields){ .names = r.names, .values = r.values, .n = r.n }, from,
	        to, &n, err);
	if ((ret = cc__row_refused(ret, r.names, r.json, r.n, err)) < 0)
		goto out;
	if (create) {
		ret = api_source(req, &m, &src, err);
	} else {
		const char *name = json_string_value(json_object_get(cur, "source"));

		ret = name ? cc_store_get_source(req->st, m.id, name, &src, err)
		           : cc_err_set(err, CC_ESTORE, "need %lld has no source", (long long)id);
	}
	if (ret < 0 || (ret = cc_store_new_batch(req->st, &batch, err)) < 0)
		goto out;
	n.source_id = src.id;
	n.line = 0;
	if ((ret = cc_store_put_need(req->st, &n, batch, &res, &dup, err)) < 0)
		goto out;
	if (create && res != CC_PUT_ADDED) {
		ret = cc_err_set(err, CC_EEXIST,
		                 "a need of this area, sector, period, breakdown and label exists "
		                 "already (%lld)",
		                 (long long)n.id);
		cc_err_at(err, NULL, 0, "sector");
		goto out;
	}
	if (!create && (res == CC_PUT_ADDED || n.id != id)) {
		ret = cc__bad_arg(
		        err, "area",
		        "area: the area, sector, period, breakdown and label of a need do not "
		        "change; remove it and add another%s",
		        "");
		goto out;
	}
	ret = cc__record_written(req, create, "need", create ? n.id : id, m.id, batch, res, &old,
	                         &mk, err);
	if (ret < 0 || (ret = cc_store_commit(req->st, err)) < 0)
		goto out;
	in_tx = false;
	cc_reg_page_release(&page);
	ret = cc__reply_written(req, cc__api_reg_get, "/api/needs", n.id, mk.rel, out, err);
out:
	if (in_tx)
		cc_store_rollback(req->st);
	cc_reg_page_release(&page);
	json_decref(cur);
	row_release(&r);
	return ret;
}

/* POST /api/needs */
CC__LOCKED_WRITE(cc__api_need_create, need_write, true)

/* PUT /api/needs/{id} with If-Match */
CC__LOCKED_WRITE(cc__api_need_update, need_write, false)
