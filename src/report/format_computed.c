/*
 * A run of the computed indicators as JSON, for `concord indicators compute --json` and
 * POST /api/indicators/compute: what was computed, what was stored, what could not be counted.
 */
#include <math.h>
#include <stdio.h>

#include <concord/buf.h>
#include <concord/computed.h>
#include <concord/text.h>

#include "core/banned.h"

static const char *pcode_of(const struct cc_area *areas, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (areas[i].id == id)
			return areas[i].pcode;
	return "?";
}

/* The shortest of %.10g that the CSV output also prints; null for a missing value. */
static int add_value(struct cc_buf *b, double v)
{
	if (isnan(v))
		return cc_buf_adds(b, "null");
	return cc_buf_addf(b, "%.10g", v);
}

int cc_computed_format_json(const struct cc_computed_run *x, struct cc_buf *out, struct cc_err *err)
{
	const struct cc_computed_result *r = &x->r;
	const struct cc_computed_def *defs;
	size_t n_defs;
	char d1[11], d2[11];
	int ret;

	defs = cc_computed_defs(&n_defs);
	ret = cc_buf_addf(out, "{\"level\":%d,\"unit\":\"%s\",\"from\":", r->level,
	                  cc_period_unit_name(r->unit));
	if (ret == 0)
		ret = r->n_periods
		              ? cc_buf_addf(out, "\"%s\",\"to\":\"%s\"",
		                            cc_date_format(r->from, d1), cc_date_format(r->to, d2))
		              : cc_buf_adds(out, "null,\"to\":null");
	if (ret == 0)
		ret = cc_buf_addf(out, ",\"periods\":%zu,\"events\":", r->n_periods);
	if (ret == 0)
		ret = x->events ? cc_buf_addf(out, "\"%s\"", x->events)
		                : cc_buf_adds(out, "\"all\"");
	if (ret == 0)
		ret = cc_buf_addf(out, ",\"incidents_counted\":%zu,\"dry_run\":%s,\"stored\":",
		                  r->n_incidents_used, x->dry_run ? "true" : "false");
	if (ret == 0)
		ret = x->dry_run || r->n_periods == 0
		              ? cc_buf_adds(out, "null")
		              : cc_buf_addf(out,
		                            "{\"source\":\"%s\",\"added\":%zu,\"updated\":%zu,"
		                            "\"unchanged\":%zu,\"removed\":%zu}",
		                            CC_COMPUTED_SOURCE, x->counts.added, x->counts.updated,
		                            x->counts.unchanged, x->counts.removed);
	if (ret == 0)
		ret = cc_buf_adds(out, ",\"warnings\":{\"no_population\":[");
	for (size_t i = 0; ret == 0 && i < r->n_no_population; i++) {
		if (i)
			ret = cc_buf_addch(out, ',');
		if (ret == 0)
			ret = cc_buf_add_json_str(
			        out, pcode_of(x->areas, x->n_areas, r->no_population[i]));
	}
	if (ret == 0)
		ret = cc_buf_addf(out,
		                  "],\"incidents_above\":%zu,\"activities_above\":%zu,"
		                  "\"activities_undated\":%zu},\"values\":[",
		                  r->n_incidents_above, r->n_activities_above,
		                  r->n_activities_undated);
	for (size_t i = 0; ret == 0 && i < r->n_values; i++) {
		const struct cc_computed_value *v = &r->values[i];

		ret = cc_buf_addf(out, "%s{\"indicator\":", i ? "," : "");
		if (ret == 0)
			ret = cc_buf_add_json_str(out, defs[v->def].ind.code);
		if (ret == 0)
			ret = cc_buf_adds(out, ",\"area\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(out, v->area);
		if (ret == 0)
			ret = cc_buf_addf(
			        out, ",\"period_start\":\"%s\",\"period_end\":\"%s\",\"value\":",
			        cc_date_format(v->period_start, d1),
			        cc_date_format(v->period_end, d2));
		if (ret == 0)
			ret = add_value(out, v->value);
		if (ret == 0)
			ret = cc_buf_addch(out, '}');
	}
	if (ret == 0)
		ret = cc_buf_adds(out, "]}\n");
	return ret < 0 ? cc_err_set(err, ret, "out of memory formatting the computed indicators")
	               : 0;
}
