/*
 * The administration of a mission (include/concord/admin.h): its settings, the gazetteer's
 * aliases, validity dates, crosswalk and carried population, users and retention, each done
 * once here for `concord mission|area|user|retention` and the HTTP API, and formatted once.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <concord/admin.h>
#include <concord/alloc.h>
#include <concord/money.h>
#include <concord/needs.h>
#include <concord/report.h>
#include <concord/rounds.h>
#include <concord/text.h>

#include "core/banned.h"

/* The error of a failed cc_buf_add*: out of memory or too large. */
static int buf_fail(struct cc_err *err, int ret, const char *what)
{
	if (ret == CC_ENOMEM)
		return cc_err_set(err, ret, "out of memory");
	if (ret == CC_ETOOBIG)
		return cc_err_set(err, ret, "%s is too large to print", what);
	return cc_err_set(err, ret, "unknown format");
}

/* A date as a JSON string, or null when CC_DATE_NONE. */
static int add_json_date(struct cc_buf *b, int32_t d)
{
	char s[11];

	if (d == CC_DATE_NONE)
		return cc_buf_adds(b, "null");
	return cc_buf_addf(b, "\"%s\"", cc_date_format(d, s));
}

/* ---- mission settings ---- */

int cc_mission_settings_load(struct cc_store *st, const char *mission,
                             struct cc_mission_settings *out, struct cc_err *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = cc_store_get_mission(st, mission, &out->mission, err)) < 0)
		return ret;
	ret = cc_store_get_money(st, out->mission.id, out->currency, &out->rate_tolerance, err);
	if (ret == CC_ENOTFOUND) {
		out->currency[0] = '\0';
		cc_err_clear(err);
		ret = 0;
	}
	if (ret == 0)
		ret = cc_store_get_status_rule(st, out->mission.id, &out->status_rule, err);
	return ret;
}

/* One threshold of a change: > 0 set, < 0 back to the default, 0 kept. */
static double change(double cur, double set)
{
	return set > 0 ? set : set < 0 ? 0 : cur;
}

int cc_mission_status_rule_set(struct cc_store *st, const char *mission,
                               const struct cc_status_rule *set, struct cc_mission_settings *out,
                               struct cc_err *err)
{
	struct cc_mission_settings cur;
	struct cc_status_rule r;
	int ret;

	if ((ret = cc_mission_settings_load(st, mission, &cur, err)) < 0)
		return ret;
	if (!set->on_track && !set->at_risk && !set->alpha && !set->max_age_days) {
		cc_err_set(err, CC_EUSAGE, "give --on-track, --at-risk, --max-age or --alpha");
		cc_err_at(err, NULL, 0, "on_track");
		return CC_EUSAGE;
	}
	r.on_track = change(cur.status_rule.on_track, set->on_track);
	r.at_risk = change(cur.status_rule.at_risk, set->at_risk);
	r.alpha = change(cur.status_rule.alpha, set->alpha);
	r.max_age_days = (int)change(cur.status_rule.max_age_days, set->max_age_days);
	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	if ((ret = cc_store_set_status_rule(st, cur.mission.id, &r, err)) == 0 &&
	    (ret = cc_store_log_change(st,
	                               &(struct cc_change){ .table = "mission_status_rule",
	                                                    .op = "update",
	                                                    .mission_id = cur.mission.id,
	                                                    .count = 1 },
	                               err)) == 0)
		ret = cc_store_commit(st, err);
	if (ret < 0) {
		cc_store_rollback(st);
		return ret;
	}
	return cc_mission_settings_load(st, cur.mission.code, out, err);
}

int cc_mission_settings_set(struct cc_store *st, const char *mission, const char *currency,
                            int rate_tolerance, struct cc_mission_settings *out, struct cc_err *err)
{
	struct cc_mission_settings cur;
	const char *code;
	int ret;

	if ((ret = cc_mission_settings_load(st, mission, &cur, err)) < 0)
		return ret;
	if (!currency && rate_tolerance < 0) {
		cc_err_set(err, CC_EUSAGE, "give --currency CODE or --rate-tolerance DAYS");
		cc_err_at(err, NULL, 0, "currency");
		return CC_EUSAGE;
	}
	if (!currency && !cur.currency[0]) {
		cc_err_set(err, CC_EUSAGE, "give --currency CODE (the mission has none yet)");
		cc_err_at(err, NULL, 0, "currency");
		return CC_EUSAGE;
	}
	if (rate_tolerance > 31) {
		cc_err_set(err, CC_EINVALID, "rate tolerance %d is not 0..31 days", rate_tolerance);
		cc_err_at(err, NULL, 0, "rate_tolerance");
		return CC_EINVALID;
	}
	code = currency ? currency : cur.currency;
	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	if ((ret = cc_store_set_money(st, cur.mission.id, code,
	                              rate_tolerance >= 0 ? rate_tolerance : cur.rate_tolerance,
	                              err)) < 0) {
		if (ret == CC_EINVALID)
			cc_err_at(err, NULL, 0, "currency");
	} else if ((ret = cc_store_log_change(st,
	                                      &(struct cc_change){ .table = "mission_money",
	                                                           .op = "update",
	                                                           .mission_id = cur.mission.id,
	                                                           .detail = code,
	                                                           .count = 1 },
	                                      err)) == 0) {
		ret = cc_store_commit(st, err);
	}
	if (ret < 0) {
		cc_store_rollback(st);
		return ret;
	}
	return cc_mission_settings_load(st, cur.mission.code, out, err);
}

int cc_mission_settings_format(const struct cc_mission_settings *s, int fmt, struct cc_buf *out,
                               struct cc_err *err)
{
	const struct cc_mission *m = &s->mission;
	struct cc_progress_opts rule = { .at = CC_DATE_NONE };
	int ret = CC_EINVALID;

	cc_progress_opts_apply_rule(&rule, &s->status_rule);
	switch ((enum cc_format)fmt) {
	case CC_FORMAT_TABLE: {
		char from[11], to[11];

		ret = cc_buf_addf(out,
		                  "mission: %s\nname: %s\ncountry: %s\ndates: %s to %s\n"
		                  "reporting currency: %s\nrate tolerance: %d days\nstatus rule: ",
		                  m->code, m->name, m->country,
		                  m->start_date == CC_DATE_NONE ? "(none)" : cc_date_format(m->start_date, from),
		                  m->end_date == CC_DATE_NONE ? "(none)" : cc_date_format(m->end_date, to),
		                  s->currency[0] ? s->currency
		                                 : "(none: concord mission set --currency CODE)",
		                  s->rate_tolerance);
		if (ret == 0)
			ret = cc_progress_rule_text(&rule, out);
		if (ret == 0)
			ret = cc_buf_addch(out, '\n');
		break;
	}
	case CC_FORMAT_JSON:
		if ((ret = cc_buf_adds(out, "{\"mission\":")) < 0 ||
		    (ret = cc_buf_add_json_str(out, m->code)) < 0 ||
		    (ret = cc_buf_adds(out, ",\"name\":")) < 0 ||
		    (ret = cc_buf_add_json_str(out, m->name)) < 0 ||
		    (ret = cc_buf_adds(out, ",\"country\":")) < 0 ||
		    (ret = m->country[0] ? cc_buf_add_json_str(out, m->country)
		                         : cc_buf_adds(out, "null")) < 0 ||
		    (ret = cc_buf_adds(out, ",\"start\":")) < 0 ||
		    (ret = add_json_date(out, m->start_date)) < 0 ||
		    (ret = cc_buf_adds(out, ",\"end\":")) < 0 ||
		    (ret = add_json_date(out, m->end_date)) < 0 ||
		    (ret = cc_buf_adds(out, ",\"currency\":")) < 0 ||
		    (ret = s->currency[0] ? cc_buf_add_json_str(out, s->currency)
		                          : cc_buf_adds(out, "null")) < 0)
			break;
		ret = cc_buf_addf(out,
		                  ",\"rate_tolerance\":%d,\"status_rule\":", s->rate_tolerance);
		if (ret == 0)
			ret = cc_progress_rule_json(&rule, out);
		if (ret == 0)
			ret = cc_buf_adds(out, "}\n");
		break;
	case CC_FORMAT_CSV:
		break;
	}
	return ret < 0 ? buf_fail(err, ret, "the mission") : 0;
}

/* ---- aliases ---- */

int cc_area_alias_add(struct cc_store *st, const char *pcode, const char *name, const char *source,
                      struct cc_area *area, struct cc_buf *norm, struct cc_err *err)
{
	struct cc_buf own = CC_BUF_INIT(0);
	struct cc_buf *nb = norm ? norm : &own;
	int ret;

	if ((ret = cc_store_find_area(st, pcode, area, err)) < 0) {
		if (ret == CC_ENOTFOUND)
			cc_err_at(err, NULL, 0, "pcode");
		return ret;
	}
	cc_buf_clear(nb);
	if (cc_text_norm(name, nb) < 0 || nb->len == 0) {
		cc_buf_release(&own);
		cc_err_set(err, CC_EUSAGE, "alias '%s' is empty or not UTF-8", name);
		cc_err_at(err, NULL, 0, "name");
		return CC_EUSAGE;
	}
	if ((ret = cc_store_begin(st, err)) == 0 &&
	    (ret = cc_store_put_area_alias(st, area->id, nb->buf, source, err)) == 0 &&
	    (ret = cc_store_log_change(st,
	                               &(struct cc_change){ .table = "area_alias",
	                                                    .op = "insert",
	                                                    .record_id = area->id,
	                                                    .count = 1,
	                                                    .detail = name },
	                               err)) == 0)
		ret = cc_store_commit(st, err);
	if (ret < 0)
		cc_store_rollback(st);
	cc_buf_release(&own);
	return ret;
}

int cc_area_alias_format(const struct cc_area *area, const char *alias, const char *matched_as,
                         int fmt, struct cc_buf *out, struct cc_err *err)
{
	int ret = CC_EINVALID;

	switch ((enum cc_format)fmt) {
	case CC_FORMAT_TABLE:
		ret = cc_buf_addf(out, "%s %s: alias '%s' (matched as '%s')\n", area->pcode,
		                  area->name, alias, matched_as);
		break;
	case CC_FORMAT_JSON:
		if ((ret = cc_buf_adds(out, "{\"pcode\":")) < 0 ||
		    (ret = cc_buf_add_json_str(out, area->pcode)) < 0 ||
		    (ret = cc_buf_adds(out, ",\"name\":")) < 0 ||
		    (ret = cc_buf_add_json_str(out, area->name)) < 0 ||
		    (ret = cc_buf_adds(out, ",\"alias\":")) < 0 ||
		    (ret = cc_buf_add_json_str(out, alias)) < 0 ||
		    (ret = cc_buf_adds(out, ",\"matched_as\":")) < 0 ||
		    (ret = cc_buf_add_json_str(out, matched_as)) < 0)
			break;
		ret = cc_buf_adds(out, "}\n");
		break;
	case CC_FORMAT_CSV:
		break;
	}
	return ret < 0 ? buf_fail(err, ret, "the alias") : 0;
}

/* ---- validity ---- */

int cc_area_validity_set(struct cc_store *st, const char *pcode, int32_t from, int32_t to,
                         struct cc_err *err)
{
	struct cc_area a;
	char detail[64], d1[11], d2[11];
	int ret;

	if ((ret = cc_store_find_area(st, pcode, &a, err)) < 0) {
		if (ret == CC_ENOTFOUND)
			cc_err_at(err, NULL, 0, "pcode");
		return ret;
	}
	if (from != CC_DATE_NONE && to != CC_DATE_NONE && to < from) {
		cc_err_set(err, CC_EINVALID, "area %s: valid-to is before valid-from", a.pcode);
		cc_err_at(err, NULL, 0, "to");
		return CC_EINVALID;
	}
	snprintf(detail, sizeof(detail), "valid %s..%s",
	         from == CC_DATE_NONE ? "" : cc_date_format(from, d1),
	         to == CC_DATE_NONE ? "" : cc_date_format(to, d2));
	if ((ret = cc_store_begin(st, err)) == 0 &&
	    (ret = cc_store_set_area_validity(st, a.pcode, from, to, err)) == 0 &&
	    (ret = cc_store_log_change(st,
	                               &(struct cc_change){ .table = "area",
	                                                    .op = "update",
	                                                    .record_id = a.id,
	                                                    .count = 1,
	                                                    .detail = detail },
	                               err)) == 0)
		ret = cc_store_commit(st, err);
	if (ret < 0)
		cc_store_rollback(st);
	return ret;
}

int cc_area_validity_format(const char *pcode, int32_t from, int32_t to, int fmt,
                            struct cc_buf *out, struct cc_err *err)
{
	char a[11], b[11];
	int ret = CC_EINVALID;

	switch ((enum cc_format)fmt) {
	case CC_FORMAT_TABLE:
		ret = cc_buf_addf(out, "%s valid from %s to %s\n", pcode,
		                  from == CC_DATE_NONE ? "(open)" : cc_date_format(from, a),
		                  to == CC_DATE_NONE ? "(open)" : cc_date_format(to, b));
		break;
	case CC_FORMAT_JSON:
		if ((ret = cc_buf_adds(out, "{\"pcode\":")) < 0 ||
		    (ret = cc_buf_add_json_str(out, pcode)) < 0 ||
		    (ret = cc_buf_adds(out, ",\"from\":")) < 0 ||
		    (ret = add_json_date(out, from)) < 0 ||
		    (ret = cc_buf_adds(out, ",\"to\":")) < 0 || (ret = add_json_date(out, to)) < 0)
			break;
		ret = cc_buf_adds(out, "}\n");
		break;
	case CC_FORMAT_CSV:
		break;
	}
	return ret < 0 ? buf_fail(err, ret, "the validity") : 0;
}

/* ---- the crosswalk ---- */

int cc_crosswalk_format(const struct cc_crosswalk *cw, size_t n, int fmt, struct cc_buf *out,
                        struct cc_err *err)
{
	int ret = CC_EINVALID;
	char d[11];

	switch ((enum cc_format)fmt) {
	case CC_FORMAT_CSV:
		ret = cc_buf_adds(out, "old_pcode,new_pcode,share,date\n");
		for (size_t i = 0; i < n && ret == 0; i++)
			if ((ret = cc_buf_add_csv(out, cw[i].old_pcode)) == 0 &&
			    (ret = cc_buf_addch(out, ',')) == 0 &&
			    (ret = cc_buf_add_csv(out, cw[i].new_pcode)) == 0)
				ret = cc_buf_addf(out, ",%.6g,%s\n", cw[i].share,
				                  cc_date_format(cw[i].date, d));
		break;
	case CC_FORMAT_JSON:
		ret = cc_buf_addf(out, "{\"count\":%zu,\"rows\":[", n);
		for (size_t i = 0; i < n && ret == 0; i++)
			if ((ret = cc_buf_adds(out, i ? ",{\"old_pcode\":" : "{\"old_pcode\":")) ==
			            0 &&
			    (ret = cc_buf_add_json_str(out, cw[i].old_pcode)) == 0 &&
			    (ret = cc_buf_adds(out, ",\"new_pcode\":")) == 0 &&
			    (ret = cc_buf_add_json_str(out, cw[i].new_pcode)) == 0)
				ret = cc_buf_addf(out, ",\"share\":%.6g,\"date\":\"%s\"}",
				                  cw[i].share, cc_date_format(cw[i].date, d));
		if (ret == 0)
			ret = cc_buf_adds(out, "]}\n");
		break;
	case CC_FORMAT_TABLE:
		break;
	}
	return ret < 0 ? buf_fail(err, ret, "the crosswalk") : 0;
}

/* ---- population on a layout ---- */

int cc_area_population_load(struct cc_store *st, int year, int32_t at,
                            struct cc_area_population **out, size_t *n_out, struct cc_err *err)
{
	struct cc_area_filter f = { .level = -1 };
	struct cc_population *pop = NULL;
	struct cc_crosswalk *cw = NULL;
	struct cc_area_value *in = NULL, *vals = NULL;
	struct cc_area *areas = NULL;
	struct cc_area_population *res = NULL;
	size_t n_pop = 0, n_cw = 0, n_in = 0, n_vals = 0, n_areas = 0;
	int64_t last_area = 0;
	int ret;

	*out = NULL;
	*n_out = 0;
	if (at == CC_DATE_NONE)
		at = INT32_MAX - 1; /* every crosswalk row */
	if ((ret = cc_store_list_population(st, 0, &pop, &n_pop, err)) < 0 ||
	    (ret = cc_store_list_crosswalk(st, &cw, &n_cw, err)) < 0 ||
	    (ret = cc_store_list_areas(st, &f, &areas, &n_areas, err)) < 0)
		goto out;
	in = cc_alloc_array(n_pop + 1, sizeof(*in));
	if (!in) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out;
	}
	/* per area the newest year (the list gives it first), or the year asked for */
	for (size_t i = 0; i < n_pop; i++) {
		if (year ? pop[i].year != year : pop[i].area_id == last_area)
			continue;
		if (year && n_in && in[n_in - 1].area_id == pop[i].area_id)
			continue;
		last_area = pop[i].area_id;
		in[n_in++] = (struct cc_area_value){ pop[i].area_id, (double)pop[i].value };
	}
	if ((ret = cc_crosswalk_apply(cw, n_cw, in, n_in, at, &vals, &n_vals, err)) < 0)
		goto out;
	res = cc_alloc_array(n_vals + 1, sizeof(*res));
	if (!res) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_vals; i++) {
		struct cc_area_population *p = &res[i];
		const struct cc_area *a = NULL;

		for (size_t k = 0; k < n_areas && !a; k++)
			if (areas[k].id == vals[i].area_id)
				a = &areas[k];
		snprintf(p->pcode, sizeof(p->pcode), "%s", a ? a->pcode : "?");
		snprintf(p->name, sizeof(p->name), "%s", a ? a->name : "");
		p->population = vals[i].value;
		p->carried = true;
		for (size_t k = 0; k < n_in && p->carried; k++)
			if (in[k].area_id == vals[i].area_id && in[k].value == vals[i].value)
				p->carried = false;
	}
	*out = res;
	*n_out = n_vals;
	res = NULL;
out:
	cc_free(pop);
	cc_free(cw);
	cc_free(in);
	cc_free(vals);
	cc_free(areas);
	cc_free(res);
	return ret;
}

int cc_area_population_format(const struct cc_area_population *p, size_t n, int year, int32_t at,
                              int fmt, struct cc_buf *out, struct cc_err *err)
{
	int ret = CC_EINVALID;

	switch ((enum cc_format)fmt) {
	case CC_FORMAT_CSV:
		ret = cc_buf_adds(out, "pcode,name,population,carried\n");
		for (size_t i = 0; i < n && ret == 0; i++)
			if ((ret = cc_buf_add_csv(out, p[i].pcode)) == 0 &&
			    (ret = cc_buf_addch(out, ',')) == 0 &&
			    (ret = cc_buf_add_csv(out, p[i].name)) == 0)
				ret = cc_buf_addf(out, ",%.0f,%s\n", p[i].population,
				                  p[i].carried ? "yes" : "no");
		break;
	case CC_FORMAT_JSON:
		ret = year ? cc_buf_addf(out, "{\"year\":%d,\"at\":", year)
		           : cc_buf_adds(out, "{\"year\":null,\"at\":");
		if (ret == 0)
			ret = add_json_date(out, at);
		if (ret == 0)
			ret = cc_buf_addf(out, ",\"count\":%zu,\"areas\":[", n);
		for (size_t i = 0; i < n && ret == 0; i++)
			if ((ret = cc_buf_adds(out, i ? ",{\"pcode\":" : "{\"pcode\":")) == 0 &&
			    (ret = cc_buf_add_json_str(out, p[i].pcode)) == 0 &&
			    (ret = cc_buf_adds(out, ",\"name\":")) == 0 &&
			    (ret = cc_buf_add_json_str(out, p[i].name)) == 0)
				ret = cc_buf_addf(out, ",\"population\":%.0f,\"carried\":%s}",
				                  p[i].population, p[i].carried ? "true" : "false");
		if (ret == 0)
			ret = cc_buf_adds(out, "]}\n");
		break;
	case CC_FORMAT_TABLE:
		break;
	}
	return ret < 0 ? buf_fail(err, ret, "the population") : 0;
}

/* ---- users ---- */

int cc_user_add(struct cc_store *st, const struct cc_user_spec *spec, struct cc_user *out,
                char org_key[static 128], struct cc_err *err)
{
	struct cc_round_org *orgs = NULL;
	size_t n = 0;
	int ret;

	org_key[0] = '\0';
	if ((ret = cc_auth_add_user(st, spec, out, err)) < 0) {
		if (err && !err->field[0])
			cc_err_at(err, NULL, 0,
			          ret == CC_ENOTFOUND ? "org"
			          : ret == CC_EUSAGE && (spec->role < CC_ROLE_VIEWER ||
			                                 spec->role > CC_ROLE_ADMIN)
			                  ? "role"
			          : ret == CC_EUSAGE && (!spec->org || !*spec->org) ? "org"
			                                                            : "name");
		return ret;
	}
	if ((ret = cc_store_round_orgs(st, out->mission_id, true, &orgs, &n, err)) < 0)
		return ret;
	for (size_t i = 0; i < n; i++)
		if (orgs[i].id == out->org_id)
			snprintf(org_key, 128, "%s", orgs[i].key);
	cc_free(orgs);
	return 0;
}

int cc_user_format(const struct cc_user *u, const char *org_key, const char *mission, int fmt,
                   struct cc_buf *out, struct cc_err *err)
{
	int ret = CC_EINVALID;

	switch ((enum cc_format)fmt) {
	case CC_FORMAT_TABLE:
		ret = cc_buf_addf(out, "user %lld '%s' added as %s\n", (long long)u->id, u->name,
		                  cc_role_name(u->role));
		break;
	case CC_FORMAT_JSON:
		if ((ret = cc_buf_addf(out, "{\"id\":%lld,\"name\":", (long long)u->id)) < 0 ||
		    (ret = cc_buf_add_json_str(out, u->name)) < 0 ||
		    (ret = cc_buf_addf(out, ",\"role\":\"%s\",\"organisation\":",
		                       cc_role_name(u->role))) < 0 ||
		    (ret = org_key ? cc_buf_add_json_str(out, org_key) : cc_buf_adds(out, "null")) <
		            0 ||
		    (ret = cc_buf_adds(out, ",\"mission\":")) < 0 ||
		    (ret = mission ? cc_buf_add_json_str(out, mission) : cc_buf_adds(out, "null")) <
		            0)
			break;
		ret = cc_buf_adds(out, "}\n");
		break;
	case CC_FORMAT_CSV:
		break;
	}
	return ret < 0 ? buf_fail(err, ret, "the user") : 0;
}

/* ---- retention ---- */

int cc_retention_apply(struct cc_store *st, const char *mission, struct cc_retention *r,
                       struct cc_err *err)
{
	struct cc_mission m;
	int32_t at;
	int ret;

	r->sites_before = r->personal_before = CC_DATE_NONE;
	memset(&r->n, 0, sizeof(r->n));
	if (r->sites_days < 0 && r->personal_days < 0) {
		cc_err_set(err, CC_EUSAGE,
		           "say what to redact: --sites DAYS and/or --personal DAYS");
		cc_err_at(err, NULL, 0, "sites");
		return CC_EUSAGE;
	}
	if (r->sites_days > 36500 || r->personal_days > 36500) {
		const char *f = r->sites_days > 36500 ? "sites" : "personal";

		cc_err_set(err, CC_EUSAGE, "--%s: a number of days, 0 to 36500", f);
		cc_err_at(err, NULL, 0, f);
		return CC_EUSAGE;
	}
	at = r->at != CC_DATE_NONE ? r->at : (int32_t)(time(NULL) / 86400);
	r->at = at;
	if (r->sites_days >= 0)
		r->sites_before = at - (int32_t)r->sites_days;
	if (r->personal_days >= 0)
		r->personal_before = at - (int32_t)r->personal_days;
	if ((ret = cc_store_get_mission(st, mission, &m, err)) < 0)
		return ret;
	return cc_store_apply_retention(st, m.id, r->sites_before, r->personal_before, r->dry_run,
	                                &r->n, err);
}

int cc_retention_format(const struct cc_retention *r, int fmt, struct cc_buf *out,
                        struct cc_err *err)
{
	const char *how = r->dry_run ? "would be redacted" : "redacted";
	char d1[11], d2[11];
	int ret = CC_EINVALID;

	switch ((enum cc_format)fmt) {
	case CC_FORMAT_TABLE:
		ret = 0;
		if (r->sites_before != CC_DATE_NONE)
			ret = cc_buf_addf(
			        out, "exact sites of activities ended before %s: %lld %s\n",
			        cc_date_format(r->sites_before, d1), (long long)r->n.sites, how);
		if (ret == 0 && r->personal_before != CC_DATE_NONE)
			ret = cc_buf_addf(
			        out,
			        "personal data before %s: %lld feedback givers, %lld survey "
			        "respondents %s\n",
			        cc_date_format(r->personal_before, d2), (long long)r->n.givers,
			        (long long)r->n.respondents, how);
		break;
	case CC_FORMAT_JSON:
		ret = cc_buf_addf(out, "{\"dry_run\":%s,\"at\":", r->dry_run ? "true" : "false");
		if (ret == 0)
			ret = add_json_date(out, r->at);
		if (ret == 0)
			ret = cc_buf_adds(out, ",\"sites\":");
		if (ret == 0)
			ret = r->sites_before == CC_DATE_NONE
			              ? cc_buf_adds(out, "null")
			              : cc_buf_addf(out, "{\"before\":\"%s\",\"activities\":%lld}",
			                            cc_date_format(r->sites_before, d1),
			                            (long long)r->n.sites);
		if (ret == 0)
			ret = cc_buf_adds(out, ",\"personal\":");
		if (ret == 0)
			ret = r->personal_before == CC_DATE_NONE
			              ? cc_buf_adds(out, "null")
			              : cc_buf_addf(out,
			                            "{\"before\":\"%s\",\"feedback_givers\":%lld,"
			                            "\"survey_respondents\":%lld}",
			                            cc_date_format(r->personal_before, d2),
			                            (long long)r->n.givers,
			                            (long long)r->n.respondents);
		if (ret == 0)
			ret = cc_buf_adds(out, "}\n");
		break;
	case CC_FORMAT_CSV:
		break;
	}
	return ret < 0 ? buf_fail(err, ret, "the retention") : 0;
}
