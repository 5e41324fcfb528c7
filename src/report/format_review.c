/*
 * Plan-review findings as JSON (see <concord/report.h>): the one formatter of `concord review
 * --json` and POST /api/review.
 */
#include <stdio.h>

#include <concord/buf.h>
#include <concord/overlap.h>
#include <concord/report.h>
#include <concord/review.h>

#include "core/limits.h"

#include "core/banned.h"

static int format_json(const struct cc_plan *p, const struct cc_review_result *r, struct cc_buf *b)
{
	int rc = cc_buf_adds(b, "{\"plan\":");

	rc = rc ? rc : cc_buf_add_json_str(b, p->file);
	rc = rc ? rc
	        : cc_buf_addf(b,
	                      ",\"activities\":%zu,\"errors\":%zu,\"warnings\":%zu,"
	                      "\"info\":%zu,\"findings\":[",
	                      p->n_acts, r->n_errors, r->n_warnings, r->n_infos);
	for (size_t i = 0; i < r->n_findings && !rc; i++) {
		const struct cc_finding *f = &r->findings[i];
		rc = cc_buf_addf(b, "%s{\"rule\":\"%s\",\"severity\":\"%s\",\"activity\":",
		                 i ? "," : "", f->rule, cc_severity_name(f->severity));
		rc = rc ? rc : cc_buf_add_json_str(b, f->activity);
		rc = rc ? rc : cc_buf_adds(b, ",\"item\":");
		rc = rc ? rc : cc_buf_add_json_str(b, f->item);
		rc = rc ? rc : cc_buf_adds(b, ",\"evidence\":");
		rc = rc ? rc : cc_buf_add_json_str(b, f->evidence);
		if (f->match.id) {
			const struct cc_review_match *m = &f->match;
			char d0[11], d1[11];

			rc = rc ? rc
			        : cc_buf_addf(b,
			                      ",\"match\":{\"id\":%lld,\"org\":", (long long)m->id);
			rc = rc ? rc : cc_buf_add_json_str(b, m->org);
			rc = rc ? rc : cc_buf_adds(b, ",\"title\":");
			rc = rc ? rc : cc_buf_add_json_str(b, m->title);
			rc = rc ? rc : cc_buf_adds(b, ",\"sector\":");
			rc = rc ? rc : cc_buf_add_json_str(b, m->sector);
			rc = rc ? rc : cc_buf_adds(b, ",\"pcode\":");
			rc = rc ? rc : cc_buf_add_json_str(b, m->pcode);
			rc = rc ? rc
			        : cc_buf_addf(b,
			                      ",\"start\":\"%s\",\"end\":\"%s\",\"score\":%.6f,"
			                      "\"text\":%.6f,\"dates\":%.6f,\"place\":%.6f,"
			                      "\"same_sector\":%s,\"same_area\":%s,\"more\":%zu}",
			                      cc_date_format(m->start, d0),
			                      cc_date_format(m->end, d1), m->score, m->text,
			                      m->dates, m->place,
			                      (m->facts & CC_OV_SAME_SECTOR) ? "true" : "false",
			                      (m->facts & CC_OV_SAME_AREA) ? "true" : "false",
			                      m->n_more);
		}
		rc = rc ? rc : cc_buf_adds(b, ",\"lessons\":[");
		for (size_t j = 0; j < f->n_lessons && !rc; j++) {
			rc = cc_buf_addf(b, "%s{\"key\":", j ? "," : "");
			rc = rc ? rc : cc_buf_add_json_str(b, f->lessons[j].key);
			rc = rc ? rc : cc_buf_adds(b, ",\"title\":");
			rc = rc ? rc : cc_buf_add_json_str(b, f->lessons[j].title);
			rc = rc ? rc : cc_buf_adds(b, "}");
		}
		rc = rc ? rc : cc_buf_adds(b, "]}");
	}
	rc = rc ? rc : cc_buf_adds(b, "],\"disabled\":[");
	for (size_t i = 0; i < r->n_disabled && !rc; i++) {
		rc = cc_buf_addf(b, "%s{\"rule\":", i ? "," : "");
		rc = rc ? rc : cc_buf_add_json_str(b, r->disabled[i].rule);
		rc = rc ? rc : cc_buf_adds(b, ",\"reason\":");
		rc = rc ? rc : cc_buf_add_json_str(b, r->disabled[i].reason);
		rc = rc ? rc : cc_buf_adds(b, "}");
	}
	return rc ? rc : cc_buf_adds(b, "]}\n");
}

int cc_review_format_json(const struct cc_plan *plan, const struct cc_review_result *r,
                          struct cc_buf *out, struct cc_err *err)
{
	struct cc_buf b = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	int ret = format_json(plan, r, &b);

	if (ret == 0)
		ret = cc_buf_add(out, b.buf, b.len);
	cc_buf_release(&b);
	if (ret == CC_ENOMEM)
		return cc_err_set(err, ret, "out of memory formatting the review");
	if (ret < 0)
		return cc_err_set(err, ret, "review output exceeds %u bytes",
		                  (unsigned)CC_LIMIT_TEXT_OUT);
	return 0;
}
