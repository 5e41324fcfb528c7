/*
 * Small answers the CLI and the API give in the same bytes: feedback lists, searches and counts
 * (`concord feedback list|search --json`, `feedback list --counts --json`, GET /api/feedback/
 * search and /counts), a pillar setting (`concord pillar CODE PILLAR --json`, PUT /api/pillar)
 * and the pillars of a mission (`concord pillar --json`, GET /api/pillar).
 */
#include <stdio.h>

#include <concord/buf.h>
#include <concord/feedback.h>
#include <concord/store.h>
#include <concord/text.h>

#include "core/banned.h"

static int nomem(int ret, struct cc_err *err)
{
	return ret < 0 ? cc_err_set(err, ret, "out of memory formatting the answer") : 0;
}

/* ,"name":"value" */
static int member(struct cc_buf *b, const char *name, const char *value)
{
	int ret = cc_buf_addf(b, ",\"%s\":", name);

	return ret < 0 ? ret : cc_buf_add_json_str(b, value);
}

int cc_feedback_format_json(const struct cc_feedback *f, size_t n, bool search, struct cc_buf *out,
                            struct cc_err *err)
{
	char d[11];
	int ret = cc_buf_addch(out, '[');

	for (size_t i = 0; ret == 0 && i < n; i++) {
		ret = cc_buf_addf(out, "%s{\"id\":%lld,\"date\":\"%s\"", i ? "," : "",
		                  (long long)f[i].id, cc_date_format(f[i].date, d));
		if (ret == 0)
			ret = member(out, "area", f[i].area);
		if (ret == 0)
			ret = member(out, "channel", f[i].channel);
		if (ret == 0)
			ret = member(out, "organisation", f[i].organisation);
		if (ret == 0)
			ret = member(out, "category", f[i].category);
		if (ret == 0)
			ret = member(out, "sentiment", f[i].sentiment);
		if (ret == 0)
			ret = member(out, "text", f[i].text);
		if (ret == 0 && search)
			ret = member(out, "snippet", f[i].snippet);
		if (ret == 0)
			ret = cc_buf_addch(out, '}');
	}
	if (ret == 0)
		ret = cc_buf_adds(out, "]\n");
	return nomem(ret, err);
}

int cc_feedback_counts_format_json(const struct cc_feedback_count *c, size_t n, struct cc_buf *out,
                                   struct cc_err *err)
{
	int ret = cc_buf_addch(out, '[');

	for (size_t i = 0; ret == 0 && i < n; i++) {
		ret = cc_buf_addf(out, "%s{\"category\":", i ? "," : "");
		if (ret == 0)
			ret = cc_buf_add_json_str(out, c[i].category);
		if (ret == 0)
			ret = member(out, "area", c[i].area);
		if (ret == 0)
			ret = member(out, "month", c[i].month);
		if (ret == 0)
			ret = cc_buf_addf(out, ",\"n\":%lld,\"negative\":%lld}", (long long)c[i].n,
			                  (long long)c[i].negative);
	}
	if (ret == 0)
		ret = cc_buf_adds(out, "]\n");
	return nomem(ret, err);
}

int cc_pillar_setting_json(const struct cc_pillar_setting *p, struct cc_buf *out,
                           struct cc_err *err)
{
	int ret = cc_buf_adds(out, "{\"mission\":");

	if (ret == 0)
		ret = cc_buf_add_json_str(out, p->mission);
	if (ret == 0)
		ret = member(out, "vocabulary", p->vocabulary);
	if (ret == 0)
		ret = member(out, "label", p->label ? p->label : "");
	if (ret == 0)
		ret = member(out, "code", p->code);
	if (ret == 0)
		ret = member(out, "pillar", cc_pillar_name(p->pillar));
	if (ret == 0)
		ret = cc_buf_adds(out, "}\n");
	return nomem(ret, err);
}

int cc_pillar_list_json(const char *mission, const struct cc_pillar_row *rows, size_t n,
                        struct cc_buf *out, struct cc_err *err)
{
	int ret = cc_buf_adds(out, "{\"mission\":");

	if (ret == 0)
		ret = cc_buf_add_json_str(out, mission);
	if (ret == 0)
		ret = cc_buf_adds(out, ",\"pillars\":[");
	for (size_t i = 0; ret == 0 && i < n; i++) {
		ret = cc_buf_addf(out, "%s{\"vocabulary\":", i ? "," : "");
		if (ret == 0)
			ret = cc_buf_add_json_str(out, rows[i].vocabulary);
		if (ret == 0)
			ret = member(out, "code", rows[i].code);
		if (ret == 0)
			ret = member(out, "pillar", cc_pillar_name((int)rows[i].pillar));
		if (ret == 0)
			ret = cc_buf_addf(out, ",\"override\":%s}",
			                  rows[i].override ? "true" : "false");
	}
	if (ret == 0)
		ret = cc_buf_adds(out, "]}\n");
	return nomem(ret, err);
}
