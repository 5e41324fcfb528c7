/*
 * Incidents written one at a time, the computed indicators, a mission's pillar for a sector,
 * the feedback register's counts and search, and the events export, as endpoints: each calls
 * the library function its command calls and answers the bytes the command's --json prints.
 *
 * Incidents (POST /api/incidents, PUT /api/incidents/{id}): the body's fields are laid out as
 * the row of an ACLED or a UCDP GED file (the "source" member decides which) and checked by the
 * events importer's own row function (cc__event_row_check): the dates and their precision,
 * the type, the actors, the point and its precision, the fatalities, the source's id. The point
 * is placed in the deepest admin area whose boundary covers it, as an import places it, unless
 * the body names the area by P-code. An incident is identified by its source and the source's
 * id, as in an import: a POST of an incident that exists already does what a re-import does,
 * it updates the stored one (200; unchanged values change nothing), when the caller may change
 * it (its owner's editors or a coordinator); otherwise it is refused with 409 naming the
 * existing id. PUT needs If-Match with the version the caller read (412 when stale); the source
 * and its id never change. Markings, owners and versions as the other single-record writes
 * (records_body.h): "releasability", "deny" and "owner" on the body.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/computed.h>
#include <concord/edits.h>
#include <concord/events.h>
#include <concord/export.h>
#include <concord/feedback.h>
#include <concord/registry.h>
#include <concord/sharing.h>
#include <concord/text.h>
#include <concord/visibility.h>

#include "io/row_check.h"
#include "server/records_body.h"
#include "server/server.h"

#include "core/banned.h"

/* ---- incidents: the body as an events row ---- */

/* A JSON field and its column in an ACLED and in a UCDP GED file (NULL: none there). */
static const struct {
	const char *json, *acled, *ucdp;
} inc_fields[] = {
	{ "source_id", "event_id_cnty", "id" },
	{ "date", "event_date", "date_start" },
	{ "date_end", NULL, "date_end" },
	{ "date_prec", "time_precision", "date_prec" },
	{ "type", "event_type", "type_of_violence" },
	{ "sub_type", "sub_event_type", NULL },
	{ "actor1", "actor1", "side_a" },
	{ "actor2", "actor2", "side_b" },
	{ "admin1", "admin1", "adm_1" },
	{ "admin2", "admin2", "adm_2" },
	{ "lat", "latitude", "latitude" },
	{ "lon", "longitude", "longitude" },
	{ "geo_prec", "geo_precision", "where_prec" },
	{ "fatalities", "fatalities", "best" },
	{ "fat_low", NULL, "low" },
	{ "fat_high", NULL, "high" },
	{ "revised", "timestamp", NULL },
	{ "notes", "notes", NULL },
};
#define N_INC_FIELDS (sizeof(inc_fields) / sizeof(inc_fields[0]))

/* Members a body may carry besides the fields: what GET answers, and the marking. */
static const char *const inc_extra[] = { "source", "area",    "releasability", "deny", "owner",
	                                 "id",     "version", "shared",        NULL };

/* The fields' values (owned), then the row of the source's columns handed to the check. */
struct inc_row {
	char *values[N_INC_FIELDS];
	bool given[N_INC_FIELDS];                        /* in the body */
	char *names[N_INC_FIELDS], *cells[N_INC_FIELDS]; /* borrowed from values, inc_fields */
	const char *json[N_INC_FIELDS];                  /* the cells' fields */
	size_t n;
	bool ucdp;
};

static void inc_row_release(struct inc_row *r)
{
	for (size_t i = 0; i < N_INC_FIELDS; i++)
		cc_free(r->values[i]);
	memset(r, 0, sizeof(*r));
}

static int inc_field(const char *json)
{
	for (size_t i = 0; i < N_INC_FIELDS; i++)
		if (strcmp(inc_fields[i].json, json) == 0)
			return (int)i;
	return -1;
}

/* Lays the fields of object j over r (given: they came in the request's body). */
static int inc_overlay(struct inc_row *r, const json_t *j, bool given, struct cc_err *err)
{
	const char *key, *text;
	char buf[64];
	json_t *v;
	int ret;

	json_object_foreach((json_t *)j, key, v)
	{
		int i = inc_field(key);

		if (i < 0) {
			if (!cc__name_in(inc_extra, key) && given)
				return cc__bad_arg(err, key, "%s: not a field of an incident", key);
			continue;
		}
		if ((ret = cc__json_text(v, key, buf, sizeof(buf), &text, err)) < 0 ||
		    (ret = cc__set_text(&r->values[i], text, err)) < 0)
			return ret;
		if (given)
			r->given[i] = true;
	}
	return 0;
}

/* The UCDP type's code for the name a stored incident carries ("state-based" is 1). */
static const char *ucdp_type_code(const char *v)
{
	static const char *const names[] = { "state-based", "non-state", "one-sided" };
	static const char *const codes[] = { "1", "2", "3" };

	for (size_t i = 0; i < 3; i++)
		if (strcmp(v, names[i]) == 0)
			return codes[i];
	return v;
}

/*
 * The row of the source's columns. A field the source's files do not have must be empty (an
 * ACLED incident is of one day: its date_end, when given, is its date).
 */
static int inc_layout(struct inc_row *r, struct cc_err *err)
{
	const char *what = r->ucdp ? "a UCDP GED" : "an ACLED";
	int t = inc_field("type"), d = inc_field("date"), de = inc_field("date_end");

	for (size_t i = 0; i < N_INC_FIELDS; i++)
		if (!r->values[i] && cc__set_text(&r->values[i], "", err) < 0)
			return CC_ENOMEM;
	if (r->ucdp && cc__set_text(&r->values[t], ucdp_type_code(r->values[t]), err) < 0)
		return CC_ENOMEM;
	r->n = 0;
	for (size_t i = 0; i < N_INC_FIELDS; i++) {
		const char *col = r->ucdp ? inc_fields[i].ucdp : inc_fields[i].acled;

		if (!col) {
			if (!r->values[i][0] ||
			    ((int)i == de && !strcmp(r->values[i], r->values[d])))
				continue;
			if ((int)i == de)
				return cc__bad_arg(
				        err, "date_end",
				        "date_end: an ACLED incident is of one day (its date)%s",
				        "");
			return cc__bad_arg(err, inc_fields[i].json,
			                   "%s: not a field of %s incident", inc_fields[i].json,
			                   what);
		}
		r->names[r->n] = (char *)col;
		r->cells[r->n] = r->values[i];
		r->json[r->n] = inc_fields[i].json;
		r->n++;
	}
	return 0;
}

/* The body's "source" (create) or the stored one, which never changes (update). */
static int inc_source(const struct cc__req *req, const json_t *cur, bool *ucdp, struct cc_err *err)
{
	const json_t *v = json_object_get(req->body, "source");
	const char *was = cur ? json_string_value(json_object_get(cur, "source")) : NULL;
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	if (v && !json_is_null(v) && !s)
		return cc__bad_arg(err, "source", "source: acled or ucdp%s", "");
	if (!s)
		s = was;
	if (!s || (strcmp(s, "acled") != 0 && strcmp(s, "ucdp") != 0))
		return cc__bad_arg(err, "source", "source: '%s': choose acled or ucdp",
		                   s ? s : "(none)");
	if (was && strcmp(s, was) != 0)
		return cc__bad_arg(err, "source",
		                   "source: the source and source id of an incident do not change; "
		                   "remove it and add another%s",
		                   "");
	*ucdp = strcmp(s, "ucdp") == 0;
	return 0;
}

/*
 * The area the body names by P-code (given: "area" in the body); on an edit that moves neither
 * the point nor the area, the stored area (it may have come from the file's admin names);
 * else 0: the point is placed as the importer places it.
 */
static int inc_area(struct cc__req *req, const json_t *cur, int64_t *area_id, struct cc_err *err)
{
	const json_t *v = json_object_get(req->body, "area");
	const char *pcode = NULL;
	struct cc_area a;
	int ret;

	*area_id = 0;
	if (v) {
		if (!json_is_null(v) && !json_is_string(v))
			return cc__bad_arg(err, "area", "area: a P-code%s", "");
		pcode = json_is_string(v) ? json_string_value(v) : NULL;
	} else if (cur && !json_object_get(req->body, "lat") &&
	           !json_object_get(req->body, "lon")) {
		pcode = json_string_value(json_object_get(cur, "area"));
	}
	if (!pcode || !pcode[0])
		return 0;
	ret = cc_store_find_area(req->st, pcode, &a, err);
	if (ret == CC_ENOTFOUND || ret == CC_EINVALID)
		return cc__bad_arg(err, "area", "area: unknown area '%s'", pcode);
	if (ret < 0)
		return ret;
	*area_id = a.id;
	return 0;
}

static int incident_write(struct cc__req *req, bool create, struct cc_buf *out, struct cc_err *err)
{
	/* a new record is held by the caller's organisation, kept from military readers when it
	 * is a humanitarian one, as an import with --owner marks it */
	struct cc_record_marking mk = { .rel = CC_REL_PUBLIC,
		                        .owner_id = req->who->user.org_id,
		                        .deny = cc_default_deny(req->who->org_kind) };
	struct cc_record_marking old = mk;
	struct cc_reg_page page = { 0 };
	struct cc_incident inc;
	enum cc_put_result res = CC_PUT_ADDED;
	struct cc_mission m;
	struct inc_row r = { 0 };
	json_t *cur = NULL;
	char source_id[128] = "";
	int64_t id = 0, area_id = 0, batch = 0;
	bool in_tx = false;
	int ret;

	if (!req->body || !json_is_object(req->body))
		return cc__bad_arg(err, "body",
		                   "expected a JSON object with the fields of an "
		                   "incident%s",
		                   "");
	if ((ret = cc__caller_mission(req, &m, err)) < 0)
		goto out;
	if (!create) {
		if ((ret = cc__reg_current(req, CC_REG_INCIDENT, m.id, "incident record", &page,
		                           &cur, err)) < 0 ||
		    (ret = cc_store_get_marking(req->st, "incident", page.last_id, &old, err)) <
		            0 ||
		    (ret = cc__may_change(req, old.owner_id, "this record", err)) < 0 ||
		    (ret = cc__check_version(req, page.version, "record", err)) < 0 ||
		    (ret = inc_overlay(&r, cur, false, err)) < 0)
			goto out;
		mk = old;
		id = page.last_id;
		snprintf(source_id, sizeof(source_id), "%s",
		         json_string_value(json_object_get(cur, "source_id")));
	}
	if ((ret = inc_source(req, cur, &r.ucdp, err)) < 0 ||
	    (ret = inc_overlay(&r, req->body, true, err)) < 0 || (ret = inc_layout(&r, err)) < 0 ||
	    (ret = inc_area(req, cur, &area_id, err)) < 0 ||
	    (ret = cc__marking_from_body(req, m.id, create, &mk, NULL, err)) < 0)
		goto out;
	if (!create && strcmp(source_id, r.values[inc_field("source_id")]) != 0) {
		ret = cc__bad_arg(
		        err, "source_id",
		        "source_id: the source and source id of an incident do not change "
		        "(%s)",
		        source_id);
		goto out;
	}
	if ((ret = cc_store_begin(req->st, err)) < 0)
		goto out;
	in_tx = true;
	ret = cc__event_row_check(
	        req->st, &(struct cc__row_fields){ .names = r.names, .values = r.cells, .n = r.n },
	        r.ucdp ? CC_EVENTS_UCDP : CC_EVENTS_ACLED, area_id, &inc, err);
	if ((ret = cc__row_refused(ret, r.names, r.json, r.n, err)) < 0 ||
	    (ret = cc_store_new_batch(req->st, &batch, err)) < 0 ||
	    (ret = cc_store_put_incident(req->st, &inc, batch, &res, err)) < 0)
		goto out;
	if (create && res != CC_PUT_ADDED) {
		/* a re-import of the row: the stored incident, when the caller may change it */
		id = inc.id;
		ret = cc_store_get_marking(req->st, "incident", id, &old, err);
		if (ret == CC_ENOTFOUND ||
		    (ret == 0 && cc__may_change(req, old.owner_id, "this record", err) < 0)) {
			cc_err_clear(err);
			ret = cc_err_set(
			        err, CC_EEXIST,
			        "an incident of source %s with id '%s' exists already (%lld), "
			        "which you may not change",
			        inc.source, inc.source_id, (long long)id);
			cc_err_at(err, NULL, 0, "source_id");
		}
		if (ret < 0)
			goto out;
		/* the marking the body gives over the stored one */
		mk = old;
		if ((ret = cc__marking_from_body(req, m.id, false, &mk, NULL, err)) < 0)
			goto out;
		req->status = 200;
	} else if (!create && inc.id != id) {
		ret = cc_err_set(err, CC_ESTORE, "incident %lld changed its identity",
		                 (long long)id);
		goto out;
	}
	if ((ret = cc__record_written(req, res == CC_PUT_ADDED, "incident", inc.id, m.id, batch,
	                              res, &old, &mk, err)) < 0 ||
	    (ret = cc_store_commit(req->st, err)) < 0)
		goto out;
	in_tx = false;
	cc_reg_page_release(&page);
	ret = cc__reply_written(req, cc__api_reg_get, "/api/incidents", inc.id, mk.rel, out, err);
out:
	if (in_tx)
		cc_store_rollback(req->st);
	cc_reg_page_release(&page);
	json_decref(cur);
	inc_row_release(&r);
	return ret;
}

/* POST /api/incidents */
CC__LOCKED_WRITE(cc__api_incident_create, incident_write, true)

/* PUT /api/incidents/{id} with If-Match */
CC__LOCKED_WRITE(cc__api_incident_update, incident_write, false)

/* ---- options from the JSON body or the query ---- */

/*
 * The option name of a command run over the API: the body's member (text, number or
 * true/false) when the body has it, else the query argument; NULL when neither.
 */
static int option(const struct cc__req *req, const char *name, char *buf, size_t n,
                  const char **out, struct cc_err *err)
{
	const json_t *v = req->body ? json_object_get(req->body, name) : NULL;

	*out = cc__req_query(req, name);
	if (!v || json_is_null(v))
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v) ? "true" : "false";
		return 0;
	}
	return cc__json_text(v, name, buf, n, out, err);
}

/* The body, when there is one, is an object of the options named (NULL-ended) only. */
static int options_only(const struct cc__req *req, const char *const *names, struct cc_err *err)
{
	const char *key;
	json_t *v;

	if (!req->body)
		return 0;
	if (!json_is_object(req->body))
		return cc__bad_arg(err, "body", "expected a JSON object of options%s", "");
	json_object_foreach(req->body, key, v)
	{
		if (!cc__name_in(names, key))
			return cc__bad_arg(err, key, "%s: not an option of this command", key);
	}
	return 0;
}

static int option_bool(const char *v, const char *name, bool *out, struct cc_err *err)
{
	if (!v)
		return 0;
	if (!strcmp(v, "1") || !strcmp(v, "true"))
		*out = true;
	else if (!strcmp(v, "0") || !strcmp(v, "false"))
		*out = false;
	else
		return cc__bad_arg(err, name, "%s: '%s': choose true or false", name, v);
	return 0;
}

/* ---- POST /api/indicators/compute ---- */

const struct cc__query_param cc__compute_query[] = {
	{ .name = "period",
	  .type = "string",
	  .enum_values = "month|quarter|year",
	  .description = "the calendar periods (month)" },
	{ .name = "from",
	  .type = "string",
	  .format = "date",
	  .description = "the first period's day" },
	{ .name = "to",
	  .type = "string",
	  .format = "date",
	  .description = "the last period's day" },
	{ .name = "level",
	  .type = "integer",
	  .description = "admin level of the areas, 1 to 9 (1)" },
	{ .name = "events",
	  .type = "string",
	  .enum_values = "ucdp|acled|all",
	  .description = "the incidents counted (ucdp when the store has UCDP incidents, else "
	                 "acled)" },
	{ .name = "dry_run",
	  .type = "string",
	  .enum_values = "true|false|1|0",
	  .description = "compute, store nothing" },
	{ .name = NULL },
};

/* What `concord indicators compute --json` does and prints, for the caller. */
static int compute(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	static const char *const names[] = { "period", "from",    "to", "level",
		                             "events", "dry_run", NULL };
	struct cc_computed_request q = { .opts = { .level = 1,
		                                   .unit = CC_PERIOD_MONTH,
		                                   .from = CC_DATE_NONE,
		                                   .to = CC_DATE_NONE } };
	struct cc_computed_run x;
	struct cc_mission m;
	char buf[6][64];
	const char *v[6];
	int64_t level;
	int ret;

	if ((ret = options_only(req, names, err)) < 0)
		return ret;
	for (size_t i = 0; i < 6; i++)
		if ((ret = option(req, names[i], buf[i], sizeof(buf[i]), &v[i], err)) < 0)
			return ret;
	if (v[0] && cc_period_unit_parse(v[0], &q.opts.unit, NULL) < 0)
		return cc__bad_arg(err, "period", "period: '%s': choose month, quarter or year",
		                   v[0]);
	if (v[1] && cc_date_parse(v[1], &q.opts.from, NULL) < 0)
		return cc__bad_arg(err, "from", "from: '%s' is not a date (YYYY-MM-DD)", v[1]);
	if (v[2] && cc_date_parse(v[2], &q.opts.to, NULL) < 0)
		return cc__bad_arg(err, "to", "to: '%s' is not a date (YYYY-MM-DD)", v[2]);
	if (v[3]) {
		if (cc_parse_i64(v[3], 1, 9, &level, NULL) < 0)
			return cc__bad_arg(err, "level",
			                   "level: '%s' is not a whole number from 1 to 9", v[3]);
		q.opts.level = (int)level;
	}
	if (v[4]) {
		if (strcmp(v[4], "ucdp") && strcmp(v[4], "acled") && strcmp(v[4], "all"))
			return cc__bad_arg(err, "events", "events: '%s': choose ucdp, acled or all",
			                   v[4]);
		q.events = strcmp(v[4], "all") ? v[4] : NULL;
		q.events_given = true;
	}
	if ((ret = option_bool(v[5], "dry_run", &q.dry_run, err)) < 0)
		return ret;
	if (q.opts.from != CC_DATE_NONE && q.opts.to != CC_DATE_NONE && q.opts.from > q.opts.to)
		return cc__bad_arg(err, "to", "to: %s is before from %s", v[2], v[1]);
	if ((ret = cc__caller_mission(req, &m, err)) < 0 ||
	    (ret = cc_computed_run(req->st, m.id, &q, &x, err)) < 0)
		return ret;
	ret = cc_computed_format_json(&x, out, err);
	cc_computed_run_release(&x);
	return ret;
}

int cc__api_indicators_compute(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	return cc__run_locked(compute, req, out, err);
}

/* ---- PUT /api/pillar ---- */

/* What `concord pillar CODE PILLAR [--vocabulary V] --json` does and prints. */
int cc__api_pillar_set(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	static const char *const names[] = { "code", "pillar", "vocabulary", NULL };
	struct cc_pillar_setting p;
	char buf[3][64];
	const char *v[3];
	int pillar, ret;

	if ((ret = options_only(req, names, err)) < 0)
		return ret;
	for (size_t i = 0; i < 3; i++)
		if ((ret = option(req, names[i], buf[i], sizeof(buf[i]), &v[i], err)) < 0)
			return ret;
	if (!v[0] || !v[0][0])
		return cc__bad_arg(err, "code", "code: give a sector or cluster code%s", "");
	if (!v[1] || (pillar = cc_pillar_parse(v[1])) < 0)
		return cc__bad_arg(err, "pillar",
		                   "pillar: '%s': the pillars are security, governance, "
		                   "infrastructure, economy, humanitarian, other",
		                   v[1] ? v[1] : "");
	if (v[2] && strcmp(v[2], "1") && strcmp(v[2], "2") && strcmp(v[2], "10"))
		return cc__bad_arg(err, "vocabulary", "vocabulary: '%s': choose 1, 2 or 10", v[2]);
	ret = cc_store_set_pillar(req->st, req->who->mission_code, v[0], v[2],
	                          (enum cc_pillar)pillar, &p, err);
	if (ret == CC_EINVALID)
		cc_err_at(err, NULL, 0, "code");
	if (ret < 0)
		return ret;
	return cc_pillar_setting_json(&p, out, err);
}

/* ---- GET /api/pillar ---- */

const struct cc__query_param cc__pillar_query[] = {
	{ .name = "vocabulary",
	  .type = "string",
	  .enum_values = "1|2|10",
	  .description = "only the sectors of this vocabulary (10 IASC clusters, 1 DAC 5-digit, 2 "
	                 "DAC 3-digit)" },
	{ .name = "overrides",
	  .type = "string",
	  .enum_values = "true|false|1|0",
	  .description = "only the mission's own decisions" },
	{ .name = NULL },
};

/* What `concord pillar [--vocabulary V] [--overrides] --json` prints. */
int cc__api_pillar_list(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	static const char *const vocabularies = "1|2|10";
	struct cc_pillar_row *rows = NULL;
	struct cc_mission m;
	bool overrides = false;
	int v = -1;
	size_t n = 0;
	int ret;

	if ((ret = cc__arg_choice(req, "vocabulary", vocabularies, &v, err)) < 0 ||
	    (ret = option_bool(cc__req_query(req, "overrides"), "overrides", &overrides, err)) < 0 ||
	    (ret = cc__caller_mission(req, &m, err)) < 0 ||
	    (ret = cc_store_list_pillars(req->st, m.code, cc__req_query(req, "vocabulary"),
	                                 overrides, &rows, &n, err)) < 0)
		return ret;
	ret = cc_pillar_list_json(m.code, rows, n, out, err);
	cc_free(rows);
	return ret;
}

/* ---- GET /api/feedback/counts and /api/feedback/search ---- */

const struct cc__query_param cc__feedback_counts_query[] = {
	{ .name = "category", .type = "string", .description = "only this category" },
	{ .name = "area", .type = "string", .description = "only this area (P-code)" },
	{ .name = "from", .type = "string", .format = "date", .description = "from this day" },
	{ .name = "to", .type = "string", .format = "date", .description = "up to this day" },
	{ .name = NULL },
};

const struct cc__query_param cc__feedback_search_query[] = {
	{ .name = "q", .type = "string", .description = "the words (all of them, stemmed)" },
	{ .name = "limit", .type = "integer", .description = "the best N, 1 to 10000 (100)" },
	{ .name = "category", .type = "string", .description = "only this category" },
	{ .name = "area", .type = "string", .description = "only this area (P-code)" },
	{ .name = "from", .type = "string", .format = "date", .description = "from this day" },
	{ .name = "to", .type = "string", .format = "date", .description = "up to this day" },
	{ .name = NULL },
};

/* The filters `concord feedback list|search` takes, from the query. */
static int feedback_query(struct cc__req *req, struct cc_feedback_query *q, struct cc_mission *m,
                          struct cc_err *err)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->from = q->to = CC_DATE_NONE;
	q->category = cc__req_query(req, "category");
	q->area = cc__req_query(req, "area");
	if ((ret = cc__arg_date(req, "from", &q->from, err)) < 0 ||
	    (ret = cc__arg_date(req, "to", &q->to, err)) < 0 ||
	    (ret = cc__caller_mission(req, m, err)) < 0)
		return ret;
	q->mission_id = m->id;
	return 0;
}

/* As `concord feedback list --counts --json`: the items the caller may see, counted. */
int cc__api_feedback_counts(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_feedback_query q;
	struct cc_feedback_count *c = NULL;
	struct cc_mission m;
	size_t n = 0;
	int ret;

	if ((ret = feedback_query(req, &q, &m, err)) < 0 ||
	    (ret = cc_store_count_feedback(req->st, &q, &c, &n, err)) < 0)
		return ret;
	ret = cc_feedback_counts_format_json(c, n, out, err);
	cc_free(c);
	return ret;
}

/* As `concord feedback search WORDS --limit N --json`: the items the caller may see. */
int cc__api_feedback_search(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_feedback_query q;
	struct cc_feedback *f = NULL;
	struct cc_mission m;
	const char *words = cc__req_query(req, "q");
	int64_t limit = 100;
	size_t n = 0;
	int ret;

	if (!words || !words[strspn(words, " \t")])
		return cc__bad_arg(err, "q", "q: say what to search for%s", "");
	if ((ret = cc__arg_int(req, "limit", 1, 10000, &limit, err)) < 0 ||
	    (ret = feedback_query(req, &q, &m, err)) < 0)
		return ret;
	q.words = words;
	q.limit = (size_t)limit;
	if ((ret = cc_store_list_feedback(req->st, &q, &f, &n, err)) < 0)
		return ret;
	ret = cc_feedback_format_json(f, n, true, out, err);
	cc_free(f);
	return ret;
}

/* ---- GET /api/export/events (api_more.c routes it) ---- */

int cc__export_events(struct cc__req *req, struct cc_buf *out, size_t *n, struct cc_err *err)
{
	const char *source = cc__req_query(req, "source");
	int ret;

	if (source && strcmp(source, "acled") != 0 && strcmp(source, "ucdp") != 0)
		return cc__bad_arg(err, "source", "source: '%s': choose acled or ucdp", source);
	ret = cc_export_events_buf(req->st, source, out, n, err);
	if (ret == CC_EUSAGE)
		cc_err_at(err, NULL, 0, "source");
	if (ret < 0)
		return ret;
	req->content_type = "text/csv; charset=utf-8";
	req->disposition = "attachment; filename=\"events.csv\"";
	return 0;
}
