/*
 * Survey results as JSON (see <concord/report.h>): the one formatter of `concord survey results
 * --json` and GET /api/survey.
 */
#include <math.h>
#include <string.h>

#include <concord/analyses.h>
#include <concord/buf.h>
#include <concord/report.h>
#include <concord/survey.h>

#include "core/banned.h"

/* A number as every JSON output of Concord writes it: 6 significant digits, null when not finite. */
static int add_num(struct cc_buf *b, double v)
{
	return isnan(v) || isinf(v) ? cc_buf_adds(b, "null") : cc_buf_addf(b, "%.6g", v);
}

static int add_prop(struct cc_buf *b, const struct cc_survey_prop *p)
{
	int ret = cc_buf_addf(b, "\"count\":%zu,\"n\":%zu,\"sum_w\":", p->n_yes, p->n);

	if (ret == 0)
		ret = add_num(b, p->sum_w);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"share\":");
	if (ret == 0)
		ret = add_num(b, p->p);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"lo\":");
	if (ret == 0)
		ret = add_num(b, p->lo);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"hi\":");
	if (ret == 0)
		ret = add_num(b, p->hi);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"n_eff\":");
	if (ret == 0)
		ret = add_num(b, p->n_eff);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"deff\":");
	if (ret == 0)
		ret = add_num(b, p->deff);
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"small\":%s", p->small ? "true" : "false");
	if (ret == 0 && p->n_clusters) {
		ret = cc_buf_addf(b, ",\"clusters\":%zu,\"deff_kish\":", p->n_clusters);
		if (ret == 0)
			ret = add_num(b, p->deff_kish);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"icc\":");
		if (ret == 0)
			ret = add_num(b, p->icc);
	}
	return ret;
}

static int add_change(struct cc_buf *b, const char *key, bool has,
                      const struct cc_survey_change *ch, const char *why)
{
	int ret = cc_buf_addf(b, ",\"%s\":", key);

	if (ret == 0 && !has && !why[0])
		return cc_buf_adds(b, "null");
	if (ret == 0)
		ret = cc_buf_adds(b, "{\"diff\":");
	if (ret == 0)
		ret = add_num(b, has ? ch->diff : (double)NAN);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"z\":");
	if (ret == 0)
		ret = add_num(b, has ? ch->z : (double)NAN);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"p\":");
	if (ret == 0)
		ret = add_num(b, has ? ch->p : (double)NAN);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"note\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(b, why);
	return ret == 0 ? cc_buf_adds(b, "}") : ret;
}

static int add_likert(struct cc_buf *b, const struct cc_survey_cell *cell,
                      const struct cc_survey_tab_opts *o)
{
	int ret = cc_buf_adds(b, ",\"likert\":");

	if (ret == 0 && !cell->has_likert) {
		ret = cc_buf_adds(b, "{\"note\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, cell->likert_note);
		if (ret == 0)
			ret = cc_buf_adds(b, "}");
	} else if (ret == 0) {
		ret = cc_buf_addf(b, "{\"k\":%d,\"reverse\":%s,\"mean\":", o->likert_k,
		                  o->reverse ? "true" : "false");
		if (ret == 0)
			ret = add_num(b, cell->likert.mean);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"index\":");
		if (ret == 0)
			ret = add_num(b, cell->likert.index);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"index_lo\":");
		if (ret == 0)
			ret = add_num(b, cell->likert.index_lo);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"index_hi\":");
		if (ret == 0)
			ret = add_num(b, cell->likert.index_hi);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"top2\":{");
		if (ret == 0)
			ret = add_prop(b, &cell->likert.top2);
		if (ret == 0)
			ret = cc_buf_adds(b, "}}");
	}
	if (ret == 0)
		ret = add_change(b, "likert_change", cell->has_change, &cell->likert_change,
		                 cell->change_note);
	return ret;
}

/* The rule of the estimates, in the words of the command's table. */
static int add_rule(struct cc_buf *b, const struct cc_survey_results_query *a,
                    const struct cc_survey_tab_opts *o, double z)
{
	int ret = cc_buf_addf(
	        b,
	        "Weighted shares of the substantive answers (don't know and refused apart, missing "
	        "skipped), %.0f%% Wilson intervals on the Kish effective n = (sum w)^2 / sum w^2 "
	        "(z = %.6f); small marks n_eff < %g.",
	        o->level * 100, z, o->min_neff);

	if (ret == 0 && a->cluster)
		ret = cc_buf_adds(b, " Clustered by ");
	if (ret == 0 && a->cluster)
		ret = cc_buf_add(b, a->cluster, strlen(a->cluster));
	if (ret == 0 && a->cluster)
		ret = cc_buf_adds(b,
		                  ": n_eff = p(1-p) / Var(p), Var(p) linearised by cluster "
		                  "(clusters as primary units); deff = n / n_eff covers weighting "
		                  "and clustering; C clusters, implied ICC from deff = deff_kish "
		                  "(1 + (m-1) ICC).");
	if (ret == 0 && o->multiple)
		ret = cc_buf_adds(b, " Select multiple: each choice's share of the respondents who "
		                     "answered (shares add up to more than 1).");
	if (ret == 0 && o->changes)
		ret = cc_buf_adds(b, " Change between consecutive waves: two-sided z test of the "
		                     "difference, se = sqrt(p1(1-p1)/n_eff1 + p2(1-p2)/n_eff2).");
	return ret;
}

static int survey_json(struct cc_buf *b, const struct cc_survey_results_query *a,
                       const struct cc_survey_results *r)
{
	const struct cc_survey_data *d = &r->data;
	const struct cc_survey_table *t = &r->table;
	const struct cc_survey_tab_opts *o = &r->opts;
	int ret = cc_buf_adds(b, "{\"question\":");

	if (ret == 0)
		ret = cc_buf_add_json_str(b, d->question.name);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"label\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(b, d->question.label);
	if (ret == 0)
		ret = cc_buf_addf(b,
		                  ",\"by\":\"%s\",\"confidence\":%.6g,\"z\":%.9g,\"min_neff\":%.6g,"
		                  "\"method\":{\"share\":\"weighted share of substantive answers\","
		                  "\"interval\":\"Wilson on Kish n_eff\",\"change\":\"two-sided z "
		                  "test, unpooled, design-adjusted standard errors\"},\"rule\":",
		                  cc_survey_by_name(a->by), o->level, t->z, o->min_neff);
	if (ret == 0) {
		struct cc_buf rule = CC_BUF_INIT(4096);

		ret = add_rule(&rule, a, o, t->z);
		if (ret == 0)
			ret = cc_buf_add_json_str(b, rule.buf);
		cc_buf_release(&rule);
	}
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"cells\":[");
	for (size_t c = 0; c < t->n_cells && ret == 0; c++) {
		const struct cc_survey_cell *cell = &t->cells[c];
		bool first = true;

		ret = cc_buf_adds(b, c ? ",{\"cell\":" : "{\"cell\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, cell->cell);
		if (ret == 0)
			ret = cc_buf_addf(b,
			                  ",\"answered\":%zu,\"dont_know\":%zu,\"refused\":%zu,"
			                  "\"missing\":%zu,\"dont_know_share\":",
			                  cell->n_answered, cell->n_dont_know, cell->n_refused,
			                  cell->n_missing);
		if (ret == 0)
			ret = add_num(b, cell->dont_know_share);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"refused_share\":");
		if (ret == 0)
			ret = add_num(b, cell->refused_share);
		if (ret == 0 && o->likert_k > 0)
			ret = add_likert(b, cell, o);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"estimates\":[");
		for (size_t i = 0; i < t->n_estimates && ret == 0; i++) {
			const struct cc_survey_estimate *e = &t->estimates[i];

			if (e->cell != c)
				continue;
			ret = cc_buf_adds(b, first ? "{\"answer\":" : ",{\"answer\":");
			first = false;
			if (ret == 0)
				ret = cc_buf_add_json_str(b, e->category);
			if (ret == 0)
				ret = cc_buf_adds(b, ",");
			if (ret == 0)
				ret = add_prop(b, &e->prop);
			if (ret == 0)
				ret = cc_buf_adds(b, ",\"note\":");
			if (ret == 0)
				ret = cc_buf_add_json_str(b, e->note);
			if (ret == 0)
				ret = add_change(b, "change", e->has_change, &e->change,
				                 e->change_note);
			if (ret == 0)
				ret = cc_buf_adds(b, "}");
		}
		if (ret == 0)
			ret = cc_buf_adds(b, "]}");
	}
	return ret == 0 ? cc_buf_adds(b, "]}\n") : ret;
}


int cc_survey_format_json(const struct cc_survey_results_query *q,
                          const struct cc_survey_results *r, struct cc_buf *out, struct cc_err *err)
{
	if (survey_json(out, q, r) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory writing the survey results");
	return 0;
}

int cc_survey_alpha_format_json(const struct cc_survey_alpha_run *a, struct cc_buf *out,
                                struct cc_err *err)
{
	int ret = cc_buf_adds(out, "{\"items\":[");

	for (size_t j = 0; j < a->k && ret == 0; j++) {
		ret = cc_buf_adds(out, j ? ",{\"item\":" : "{\"item\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(out, a->items[j]);
		if (ret == 0)
			ret = cc_buf_adds(out, ",\"variance\":");
		if (ret == 0)
			ret = add_num(out, a->var[j]);
		if (ret == 0)
			ret = cc_buf_adds(out, "}");
	}
	if (ret == 0)
		ret = cc_buf_addf(out, "],\"asked\":%zu,\"used\":%zu,\"dropped\":%zu,\"sum_item_var\":",
		                  a->asked, a->alpha.n_used, a->alpha.n_dropped);
	if (ret == 0)
		ret = add_num(out, a->alpha.sum_item_var);
	if (ret == 0)
		ret = cc_buf_adds(out, ",\"total_var\":");
	if (ret == 0)
		ret = add_num(out, a->alpha.total_var);
	if (ret == 0)
		ret = cc_buf_adds(out, ",\"alpha\":");
	if (ret == 0)
		ret = add_num(out, a->alpha.alpha);
	if (ret == 0)
		ret = cc_buf_adds(out, ",\"note\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(out, a->note);
	if (ret == 0)
		ret = cc_buf_adds(out, "}\n");
	return ret < 0 ? cc_err_set(err, CC_ENOMEM, "out of memory writing the alpha") : 0;
}
