/*
 * The reporting rounds of `concord rounds` and GET /api/rounds as text, CSV or JSON: per
 * period, which organisations reported (from which file, when, how many rows, how many earlier
 * files of theirs it supersedes) and which did not.
 */
#include <stdio.h>

#include <concord/buf.h>
#include <concord/report.h>
#include <concord/rounds.h>
#include <concord/text.h>

#include "core/banned.h"

static const struct cc_round_org *org_of(const struct cc_round_org *orgs, size_t n, int64_t id)
{
	for (size_t k = 0; k < n; k++)
		if (orgs[k].id == id)
			return &orgs[k];
	return NULL;
}

static int rounds_csv(const struct cc_rounds *rr, const struct cc_submission *subs,
                      const struct cc_round_org *orgs, size_t n_orgs, struct cc_buf *b)
{
	int ret = cc_buf_adds(b, "period_from,period_to,organisation,name,status,source,"
	                         "imported_at,rows,superseded\n");

	for (size_t r = 0; r < rr->n_rounds && ret == 0; r++) {
		const struct cc_round *rd = &rr->rounds[r];
		char from[11], to[11];

		cc_date_format(rd->period_from, from);
		cc_date_format(rd->period_to, to);
		for (size_t i = 0; i < rd->n_entries && ret == 0; i++) {
			const struct cc_round_entry *e = &rd->entries[i];
			const struct cc_round_org *o = org_of(orgs, n_orgs, e->org_id);
			const struct cc_submission *s = e->reported ? &subs[e->submission] : NULL;

			if (!o)
				continue;
			if ((ret = cc_buf_addf(b, "%s,%s,", from, to)) < 0 ||
			    (ret = cc_buf_add_csv(b, o->key)) < 0 ||
			    (ret = cc_buf_addch(b, ',')) < 0 ||
			    (ret = cc_buf_add_csv(b, o->name)) < 0 ||
			    (ret = cc_buf_adds(b, s ? ",reported," : ",missing,")) < 0 ||
			    (ret = cc_buf_add_csv(b, s ? s->source : "")) < 0 ||
			    (ret = cc_buf_addch(b, ',')) < 0 ||
			    (ret = cc_buf_add_csv(b, s ? s->imported_at : "")) < 0 ||
			    (ret = cc_buf_addch(b, ',')) < 0)
				break;
			if (s)
				ret = cc_buf_addf(b, "%lld", (long long)s->n_rows);
			if (ret == 0)
				ret = cc_buf_addf(b, ",%zu\n", e->n_superseded);
		}
	}
	return ret;
}

static int rounds_table(const struct cc_rounds *rr, const struct cc_submission *subs,
                        const struct cc_round_org *orgs, size_t n_orgs, struct cc_buf *b)
{
	int ret = 0;

	for (size_t r = 0; r < rr->n_rounds && ret == 0; r++) {
		const struct cc_round *rd = &rr->rounds[r];
		char from[11], to[11];

		ret = cc_buf_addf(b, "%s/%s: %zu of %zu organisations reported\n",
		                  cc_date_format(rd->period_from, from),
		                  cc_date_format(rd->period_to, to), rd->n_reported, n_orgs);
		for (size_t i = 0; i < rd->n_entries && ret == 0; i++) {
			const struct cc_round_entry *e = &rd->entries[i];
			const struct cc_round_org *o = org_of(orgs, n_orgs, e->org_id);
			const struct cc_submission *s = e->reported ? &subs[e->submission] : NULL;

			if (!o)
				continue;
			if (!s) {
				ret = cc_buf_addf(b, "  missing   %-24s %s\n", o->key, o->name);
				continue;
			}
			ret = cc_buf_addf(b, "  reported  %-24s %s, %lld row(s), imported %s",
			                  o->key, s->source, (long long)s->n_rows, s->imported_at);
			if (ret == 0 && e->n_superseded)
				ret = cc_buf_addf(b, " (supersedes %zu earlier)", e->n_superseded);
			if (ret == 0)
				ret = cc_buf_addch(b, '\n');
		}
	}
	if (ret == 0 && rr->n_rounds == 0)
		ret = cc_buf_adds(b,
		                  "no 3W submissions with a reporting period (import 3w --period "
		                  "FROM/TO)\n");
	return ret;
}

static int rounds_json(const struct cc_rounds *rr, const struct cc_submission *subs,
                       const struct cc_round_org *orgs, size_t n_orgs, struct cc_buf *b)
{
	int ret = cc_buf_addf(b, "{\"organisations\":%zu,\"rounds\":[", n_orgs);

	for (size_t r = 0; r < rr->n_rounds && ret == 0; r++) {
		const struct cc_round *rd = &rr->rounds[r];
		char from[11], to[11];
		bool first = true;

		ret = cc_buf_addf(b,
		                  "%s{\"period_from\":\"%s\",\"period_to\":\"%s\",\"reported\":%zu,"
		                  "\"missing\":%zu,\"organisations\":[",
		                  r ? "," : "", cc_date_format(rd->period_from, from),
		                  cc_date_format(rd->period_to, to), rd->n_reported,
		                  n_orgs - rd->n_reported);
		for (size_t i = 0; i < rd->n_entries && ret == 0; i++) {
			const struct cc_round_entry *e = &rd->entries[i];
			const struct cc_round_org *o = org_of(orgs, n_orgs, e->org_id);
			const struct cc_submission *s = e->reported ? &subs[e->submission] : NULL;

			if (!o)
				continue;
			if ((ret = cc_buf_adds(b, first ? "{\"organisation\":"
			                                : ",{\"organisation\":")) < 0 ||
			    (ret = cc_buf_add_json_str(b, o->key)) < 0 ||
			    (ret = cc_buf_adds(b, ",\"name\":")) < 0 ||
			    (ret = cc_buf_add_json_str(b, o->name)) < 0)
				break;
			first = false;
			if (!s) {
				ret = cc_buf_adds(b, ",\"status\":\"missing\"}");
				continue;
			}
			if ((ret = cc_buf_adds(b, ",\"status\":\"reported\",\"source\":")) < 0 ||
			    (ret = cc_buf_add_json_str(b, s->source)) < 0 ||
			    (ret = cc_buf_adds(b, ",\"imported_at\":")) < 0 ||
			    (ret = cc_buf_add_json_str(b, s->imported_at)) < 0)
				break;
			ret = cc_buf_addf(b, ",\"rows\":%lld,\"superseded\":%zu}",
			                  (long long)s->n_rows, e->n_superseded);
		}
		if (ret == 0)
			ret = cc_buf_adds(b, "]}");
	}
	if (ret == 0)
		ret = cc_buf_adds(b, "]}\n");
	return ret;
}

int cc_rounds_format(const struct cc_rounds *rr, const struct cc_submission *subs,
                     const struct cc_round_org *orgs, size_t n_orgs, int fmt, struct cc_buf *out,
                     struct cc_err *err)
{
	int ret = CC_EINVALID;

	switch ((enum cc_format)fmt) {
	case CC_FORMAT_TABLE:
		ret = rounds_table(rr, subs, orgs, n_orgs, out);
		break;
	case CC_FORMAT_CSV:
		ret = rounds_csv(rr, subs, orgs, n_orgs, out);
		break;
	case CC_FORMAT_JSON:
		ret = rounds_json(rr, subs, orgs, n_orgs, out);
		break;
	}
	if (ret < 0)
		return cc_err_set(err, ret,
		                  ret == CC_ENOMEM    ? "out of memory"
		                  : ret == CC_ETOOBIG ? "the rounds are too large to print"
		                                      : "unknown format");
	return 0;
}
