/*
 * A composite index as JSON (see <concord/report.h>): the one formatter of `concord index
 * --json` and GET /api/index.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/analyses.h>
#include <concord/buf.h>
#include <concord/index.h>
#include <concord/report.h>

#include "core/limits.h"

#include "core/banned.h"

/* A number with 6 significant digits; null when not finite. */
static int num(struct cc_buf *b, double v)
{
	return isfinite(v) ? cc_buf_addf(b, "%.6g", v) : cc_buf_adds(b, "null");
}

/* "pillar NAME" or "CODE (PILLAR)": the weight a sensitivity row changed. */
static const char *sens_name(const struct cc_index_run *x, const struct cc_index_sens *s,
                             char buf[static 128])
{
	if (s->pillar)
		snprintf(buf, 128, "pillar %s", x->r.pillar_names[s->which]);
	else
		snprintf(buf, 128, "%s (%s)", x->items[s->which].code, x->items[s->which].pillar);
	return buf;
}

static const char *stage_text(const struct cc_index_run *x, size_t u, char *buf, size_t size)
{
	const struct cc_stage_result *s = &x->r.stages[u];

	if (s->rule < 0)
		snprintf(buf, size, "default (no rule true)");
	else if (s->undetermined)
		snprintf(buf, size, "%s: %s (missing %s)", x->c.rules[s->rule].name,
		         x->c.rules[s->rule].text, s->missing);
	else
		snprintf(buf, size, "%s: %s", x->c.rules[s->rule].name, x->c.rules[s->rule].text);
	return buf;
}

static int head_json(struct cc_buf *b, const struct cc_index_run *x)
{
	const struct cc_index_config *c = &x->c;
	char dt[11];
	int ret = cc_buf_adds(b, "{\"name\":");

	if (ret == 0)
		ret = cc_buf_add_json_str(b, c->name);
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"level\":%d,\"as_of\":", x->level);
	if (ret == 0)
		ret = x->at == CC_DATE_NONE ? cc_buf_adds(b, "null")
		                            : cc_buf_addf(b, "\"%s\"", cc_date_format(x->at, dt));
	if (ret == 0)
		ret = cc_buf_addf(b,
		                  ",\"method\":\"%s\",\"overall_method\":\"%s\",\"epsilon\":%g,"
		                  "\"missing\":\"%s\",\"sensitivity\":%g,\"indicators\":[",
		                  cc_index_method_name(c->method),
		                  cc_index_method_name(c->overall_method),
		                  c->epsilon > 0 ? c->epsilon : CC_INDEX_EPSILON,
		                  c->reweight_missing ? "reweight" : "exclude",
		                  c->sensitivity > 0 ? c->sensitivity : CC_INDEX_SENSITIVITY);
	for (size_t i = 0, first = 1; ret == 0 && i < x->n_items; i++) {
		const struct cc_index_item *it = &x->items[i];

		if (!it->in_index)
			continue;
		ret = cc_buf_adds(b, first ? "{\"code\":" : ",{\"code\":");
		first = 0;
		if (ret == 0)
			ret = cc_buf_add_json_str(b, it->code);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"pillar\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, it->pillar);
		if (ret == 0)
			ret = cc_buf_addf(b,
			                  ",\"weight\":%.6g,\"goalposts\":[%.6g,%.6g],"
			                  "\"higher_is_better\":%s}",
			                  x->r.item_w[i], it->goal_min, it->goal_max,
			                  it->higher_is_better ? "true" : "false");
	}
	if (ret == 0)
		ret = cc_buf_adds(b, "],\"pillars\":{");
	for (size_t p = 0; ret == 0 && p < x->r.n_pillars; p++) {
		ret = p ? cc_buf_addch(b, ',') : 0;
		if (ret == 0)
			ret = cc_buf_add_json_str(b, x->r.pillar_names[p]);
		if (ret == 0)
			ret = cc_buf_addf(b, ":%.6g", x->r.pillar_w[p]);
	}
	return ret == 0 ? cc_buf_addch(b, '}') : ret;
}

static int area_json(struct cc_buf *b, const struct cc_index_run *x, size_t u)
{
	const struct cc_index_result *r = &x->r;
	const struct cc_area *a = &x->areas[x->unit[u]];
	char line[512];
	int ret = cc_buf_adds(b, "{\"area\":");
	bool first = true;

	if (ret == 0)
		ret = cc_buf_add_json_str(b, a->pcode);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"name\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(b, a->name);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"values\":{");
	for (size_t i = 0; ret == 0 && i < x->n_items; i++) {
		if (!x->items[i].in_index)
			continue;
		ret = first ? 0 : cc_buf_addch(b, ',');
		first = false;
		if (ret == 0)
			ret = cc_buf_add_json_str(b, x->items[i].code);
		if (ret == 0)
			ret = cc_buf_addch(b, ':');
		if (ret == 0)
			ret = num(b, r->norm[u * x->n_items + i]);
	}
	if (ret == 0)
		ret = cc_buf_adds(b, "},\"pillars\":{");
	for (size_t p = 0; ret == 0 && p < r->n_pillars; p++) {
		ret = p ? cc_buf_addch(b, ',') : 0;
		if (ret == 0)
			ret = cc_buf_add_json_str(b, r->pillar_names[p]);
		if (ret == 0)
			ret = cc_buf_addch(b, ':');
		if (ret == 0)
			ret = num(b, r->pillar[u * r->n_pillars + p]);
	}
	if (ret == 0)
		ret = cc_buf_adds(b, "},\"overall\":");
	if (ret == 0)
		ret = num(b, r->overall[u]);
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"rank\":%d,\"missing\":[", r->rank[u]);
	first = true;
	for (size_t i = 0; ret == 0 && i < x->n_items; i++) {
		if (!x->items[i].in_index || !isnan(r->norm[u * x->n_items + i]))
			continue;
		ret = first ? 0 : cc_buf_addch(b, ',');
		first = false;
		if (ret == 0)
			ret = cc_buf_add_json_str(b, x->items[i].code);
	}
	if (ret == 0)
		ret = cc_buf_addch(b, ']');
	if (ret == 0 && r->stages) {
		const struct cc_stage_result *s = &r->stages[u];

		ret = cc_buf_addf(b, ",\"stage\":\"%s\",\"stage_rule\":", cc_stage_name(s->stage));
		if (ret == 0)
			ret = s->rule < 0 ? cc_buf_adds(b, "null")
			                  : cc_buf_add_json_str(b, x->c.rules[s->rule].name);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"stage_reason\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, stage_text(x, u, line, sizeof(line)));
	}
	return ret == 0 ? cc_buf_addch(b, '}') : ret;
}

static int sens_json(struct cc_buf *b, const struct cc_index_run *x, const struct cc_index_sens *s)
{
	char name[128];
	int ret = cc_buf_adds(b, "{\"weight\":");

	if (ret == 0)
		ret = cc_buf_add_json_str(b, sens_name(x, s, name));
	if (ret == 0)
		ret = cc_buf_addf(b,
		                  ",\"factor\":%.6g,\"re_ranked\":%zu,\"max_shift\":%d,\"ranks\":{",
		                  s->factor, s->n_changed, s->max_shift);
	for (size_t u = 0; ret == 0 && u < x->n_units; u++) {
		ret = u ? cc_buf_addch(b, ',') : 0;
		if (ret == 0)
			ret = cc_buf_add_json_str(b, x->areas[x->unit[u]].pcode);
		if (ret == 0)
			ret = cc_buf_addf(b, ":%d", s->rank[u]);
	}
	return ret == 0 ? cc_buf_adds(b, "}}") : ret;
}

int cc_index_format_json(const struct cc_index_run *x, struct cc_buf *out, struct cc_err *err)
{
	struct cc_buf b = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	int ret = head_json(&b, x);

	if (ret == 0)
		ret = cc_buf_adds(&b, ",\"areas\":[");
	for (size_t u = 0; ret == 0 && u < x->n_units; u++) {
		ret = u ? cc_buf_addch(&b, ',') : 0;
		if (ret == 0)
			ret = area_json(&b, x, u);
	}
	if (ret == 0)
		ret = cc_buf_adds(&b, "],\"sensitivity\":[");
	for (size_t k = 0; ret == 0 && k < x->r.n_sens; k++) {
		ret = k ? cc_buf_addch(&b, ',') : 0;
		if (ret == 0)
			ret = sens_json(&b, x, &x->r.sens[k]);
	}
	if (ret == 0)
		ret = cc_buf_adds(&b, "]}\n");
	if (ret == 0)
		ret = cc_buf_add(out, b.buf, b.len);
	cc_buf_release(&b);
	if (ret == CC_ENOMEM)
		return cc_err_set(err, ret, "out of memory formatting the index");
	if (ret < 0)
		return cc_err_set(err, ret, "index output exceeds %u bytes",
		                  (unsigned)CC_LIMIT_TEXT_OUT);
	return 0;
}
