/*
 * The analyses as every face runs them (see <concord/analyses.h>): inputs read through the
 * store handle, for its viewer, then the pure analysis and, for the report, the formatter.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <concord/activities.h>
#include <concord/admin.h>
#include <concord/alloc.h>
#include <concord/analyses.h>
#include <concord/coverage.h>
#include <concord/crosswalk.h>
#include <concord/events.h>
#include <concord/export.h>
#include <concord/exposure.h>
#include <concord/gaps.h>
#include <concord/index.h>
#include <concord/indicators.h>
#include <concord/lessons.h>
#include <concord/needs.h>
#include <concord/progress.h>
#include <concord/report.h>
#include <concord/review.h>
#include <concord/rollup.h>
#include <concord/text.h>

#include "core/banned.h"

/* ---- gaps ---- */

/*
 * The budget of every activity (kind activity) of the period the reader may see, a page at a
 * time: the same mission, period and visibility as the coverage read.
 */
static int load_budgets(struct cc_store *st, const struct cc_gaps_query *a,
                        struct cc_gap_budget **out, size_t *n_out, struct cc_err *err)
{
	struct cc_activity_query q = { .mission_id = a->mission_id,
		                       .pillar = -1,
		                       .kind = CC_KIND_ACTIVITY,
		                       .from = a->from,
		                       .to = a->to,
		                       .limit = CC_ACTIVITY_PAGE_MAX };
	struct cc_gap_budget *b = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	do {
		struct cc_activity_page page = { 0 };

		ret = cc_store_list_activities(st, &q, &page, err);
		if (ret == 0 && n + page.n_rows > cap) {
			size_t c = cap ? cap : 1024;
			struct cc_gap_budget *nb;

			while (c < n + page.n_rows)
				c *= 2;
			nb = cc_realloc(b, c * sizeof(*nb));
			if (nb) {
				b = nb;
				cap = c;
			} else {
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			}
		}
		for (size_t i = 0; ret == 0 && i < page.n_rows; i++) {
			const struct cc_activity_row *r = &page.rows[i];

			/* a 3W row has no value date: its budget is valued at its start */
			b[n] = (struct cc_gap_budget){ .activity_id = r->id,
				                       .amount = r->budget,
				                       .value_date = r->start_date };
			snprintf(b[n].currency, sizeof(b[n].currency), "%s",
			         r->currency ? r->currency : "");
			n++;
		}
		q.after = page.next_after;
		cc_activity_page_release(&page);
	} while (ret == 0 && q.after);
	if (ret < 0) {
		cc_free(b);
		return ret;
	}
	*out = b;
	*n_out = n;
	return 0;
}

/* The rates of the budgets' currencies and the reporting one (all rates past 32 currencies). */
static int load_rates(struct cc_store *st, const char *to, const struct cc_gap_budget *b,
                      size_t n, struct cc_rates *out, struct cc_err *err)
{
	enum { MAX_CUR = 32 };
	char cur[MAX_CUR][4];
	const char *list[MAX_CUR + 1];
	size_t n_cur = 0;
	bool all = false;

	snprintf(cur[n_cur++], sizeof(cur[0]), "%.3s", to);
	for (size_t i = 0; i < n && !all; i++) {
		size_t k = 0;

		if (!b[i].currency[0] || strlen(b[i].currency) > 3)
			continue;
		while (k < n_cur && strcmp(cur[k], b[i].currency) != 0)
			k++;
		if (k < n_cur)
			continue;
		if (n_cur == MAX_CUR)
			all = true;
		else
			snprintf(cur[n_cur++], sizeof(cur[0]), "%.3s", b[i].currency);
	}
	for (size_t k = 0; k < n_cur; k++)
		list[k] = cur[k];
	list[n_cur] = NULL;
	return cc_store_load_rates(st, all ? NULL : list, out, err);
}

int cc_gaps_load(struct cc_store *st, const struct cc_gaps_query *a, const struct cc_gap_opts *opts,
                 struct cc_gaps *g, struct cc_err *err)
{
	struct cc_coverage_record *recs = NULL;
	struct cc_coverage_column *cols = NULL;
	struct cc_area *cov_areas = NULL, *need_areas = NULL, *areas = NULL;
	struct cc_gap_need *needs = NULL;
	struct cc_gap_sector *sectors = NULL;
	struct cc_gap_budget *budgets = NULL;
	size_t n_recs = 0, n_cols = 0, n_cov_areas = 0, n_need_areas = 0, n_needs = 0,
	       n_sectors = 0, n_budgets = 0;
	struct cc_rates rates = { 0 };
	char currency[4] = "";
	int tolerance = CC_FX_TOLERANCE_DAYS;
	int ret;

	ret = cc_store_load_coverage(st,
	                             &(struct cc_coverage_query){ .mission_id = a->mission_id,
	                                                          .by = CC_BY_PILLAR,
	                                                          .from = a->from,
	                                                          .to = a->to },
	                             &recs, &n_recs, &cols, &n_cols, &cov_areas, &n_cov_areas, err);
	if (ret == 0)
		ret = cc_store_load_needs(st,
		                          &(struct cc_need_query){ .mission_id = a->mission_id,
		                                                   .min_level = 0,
		                                                   .from = a->from,
		                                                   .to = a->to },
		                          &needs, &n_needs, &need_areas, &n_need_areas, &sectors,
		                          &n_sectors, err);
	if (ret == 0)
		ret = load_budgets(st, a, &budgets, &n_budgets, err);
	/* the mission's reporting currency, when it has one, and the rates to convert into it */
	if (ret == 0) {
		ret = cc_store_get_money(st, a->mission_id, currency, &tolerance, err);
		if (ret == CC_ENOTFOUND) {
			currency[0] = '\0';
			memset(err, 0, sizeof(*err));
			ret = 0;
		} else if (ret == 0) {
			ret = load_rates(st, currency, budgets, n_budgets, &rates, err);
		}
	}
	if (ret == 0) {
		areas = cc_alloc_array(n_cov_areas + n_need_areas + 1, sizeof(*areas));
		if (!areas)
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	if (ret == 0) {
		if (n_cov_areas)
			memcpy(areas, cov_areas, n_cov_areas * sizeof(*areas));
		if (n_need_areas)
			memcpy(areas + n_cov_areas, need_areas, n_need_areas * sizeof(*areas));
		ret = cc_gaps_compute_ex(
		        &(struct cc_gap_input){ .needs = needs,
		                                .n_needs = n_needs,
		                                .records = recs,
		                                .n_records = n_recs,
		                                /* never NULL: the budget was read */
		                                .budgets = budgets ? budgets
		                                                   : &(struct cc_gap_budget){ 0 },
		                                .n_budgets = n_budgets,
		                                .areas = areas,
		                                .n_areas = n_cov_areas + n_need_areas,
		                                .sectors = sectors,
		                                .n_sectors = n_sectors,
		                                .currency = currency,
		                                .rates = currency[0] ? &rates : NULL,
		                                .tolerance_days = tolerance },
		        opts, g, err);
	}
	cc_rates_release(&rates);
	cc_free(recs);
	cc_free(cols);
	cc_free(cov_areas);
	cc_free(need_areas);
	cc_free(areas);
	cc_free(needs);
	cc_free(sectors);
	cc_free(budgets);
	return ret;
}

/* ---- indicator roll-up ---- */

/*
 * Leaves out the observations of areas not on the admin layout of date at (an area created
 * later that holds values of earlier periods, as computed indicators carried onto a newer
 * layout): the layout's areas are the ones rolled up.
 */
static int drop_off_layout(struct cc_store *st, int32_t at, struct cc_indicator_data *d,
                           struct cc_err *err)
{
	struct cc_crosswalk *cw = NULL;
	size_t n_cw = 0, k = 0;
	int ret = cc_store_crosswalk_rows(st, &cw, &n_cw, err);

	if (ret == 0 && n_cw) {
		for (size_t i = 0; i < d->n_observations; i++) {
			const struct cc_observation *ob = &d->observations[i];

			if (ob->area_id > 0 && !cc_crosswalk_on_layout(cw, n_cw, ob->area_id, at))
				continue;
			if (k != i)
				d->observations[k] = *ob;
			k++;
		}
		d->n_observations = k;
	}
	cc_free(cw);
	return ret;
}

int cc_rollup_load(struct cc_store *st, int64_t mission_id, const char *indicator, int level,
                   int32_t at, struct cc_indicator_data *data, struct cc_area **areas,
                   size_t *n_areas, struct cc_rollup *out, struct cc_err *err)
{
	struct cc_indicator_query q = { .mission_id = mission_id,
		                        .indicator = indicator,
		                        .at = at };
	struct cc_area_filter f = { .level = -1 };
	int ret;

	*areas = NULL;
	*n_areas = 0;
	memset(out, 0, sizeof(*out));
	if ((ret = cc_store_load_indicator_data(st, &q, data, err)) < 0)
		return ret;
	if (indicator && data->n_indicators == 0) {
		cc_indicator_data_release(data);
		return cc_err_set(err, CC_ENOTFOUND, "unknown indicator '%s'", indicator);
	}
	/* the areas of the layout of at: across a re-districting the retired children are not
	   listed (their values were carried to their successors by the indicator data's read),
	   and a new area without a population of its own takes its shares of the old ones' */
	if ((ret = cc_store_list_areas(st, &f, areas, n_areas, err)) < 0 ||
	    (ret = cc_store_fill_population(st, *areas, *n_areas, at, err)) < 0 ||
	    (ret = cc_store_layout_areas(st, at, *areas, n_areas, err)) < 0 ||
	    (ret = drop_off_layout(st, at, data, err)) < 0 ||
	    (ret = cc_rollup_compute(data, *areas, *n_areas,
	                             &(struct cc_rollup_opts){ .level = level, .at = at }, out,
	                             err)) < 0) {
		cc_free(*areas);
		*areas = NULL;
		*n_areas = 0;
		cc_indicator_data_release(data);
		return ret;
	}
	return 0;
}

/* ---- composite indices ---- */

static const struct cc_indicator *find_ind(const struct cc_indicator_data *d, const char *code)
{
	for (size_t i = 0; i < d->n_indicators; i++)
		if (!strcmp(d->indicators[i].code, code))
			return &d->indicators[i];
	return NULL;
}

/* The definition used without --config: every indicator with goalposts, weight 1. */
static int default_config(const struct cc_indicator_data *d, struct cc_index_config *c,
                          struct cc_err *err)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "default index");
	c->level = -1;
	if (!(c->items = cc_alloc_array(d->n_indicators + 1, sizeof(*c->items))))
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < d->n_indicators; i++) {
		const struct cc_indicator *ind = &d->indicators[i];
		struct cc_index_item *it = &c->items[c->n_items];

		if (!(ind->goal_min < ind->goal_max) || ind->measure == CC_MEASURE_QUALITATIVE)
			continue;
		snprintf(it->code, sizeof(it->code), "%s", ind->code);
		it->weight = 1;
		it->goal_min = it->goal_max = (double)NAN;
		it->in_index = true;
		c->n_items++;
	}
	if (c->n_items == 0)
		return cc_err_set(err, CC_ENOTFOUND,
		                  "no indicator has goalposts (goal_min, goal_max): give them in "
		                  "the indicators file or use --config FILE");
	return 0;
}

/*
 * Fills the items from the stored indicators (pillar, goalposts, direction) and appends, not
 * in the index, the indicators the stage rules name. *items owned.
 */
static int resolve_items(const struct cc_index_config *c, const char *path,
                         const struct cc_indicator_data *d, struct cc_index_item **items,
                         size_t *n_items, struct cc_err *err)
{
	size_t cap = c->n_items + c->n_rules * CC_INDEX_MAX_CONDS + 1, n = 0;
	struct cc_index_item *it = cc_alloc_array(cap, sizeof(*it));

	if (!it)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < c->n_items; i++) {
		const struct cc_indicator *ind = find_ind(d, c->items[i].code);

		if (!ind) {
			cc_free(it);
			cc_err_set(err, CC_ENOTFOUND, "unknown indicator '%s'", c->items[i].code);
			cc_err_at(err, path, c->items[i].line, "code");
			return CC_ENOTFOUND;
		}
		it[n] = c->items[i];
		if (!it[n].pillar[0])
			snprintf(it[n].pillar, sizeof(it[n].pillar), "%s",
			         ind->pillar[0] ? ind->pillar : "other");
		if (isnan(it[n].goal_min)) {
			it[n].goal_min = ind->goal_min;
			it[n].goal_max = ind->goal_max;
		}
		it[n].higher_is_better = ind->higher_is_better;
		n++;
	}
	for (size_t k = 0; k < c->n_rules; k++)
		for (size_t j = 0; j < c->rules[k].n_conds; j++) {
			const struct cc_stage_cond *cd = &c->rules[k].conds[j];
			const struct cc_indicator *ind;
			bool have = false;

			if (cd->kind != CC_OPERAND_VALUE && cd->kind != CC_OPERAND_SCORE)
				continue;
			for (size_t i = 0; i < n && !have; i++)
				have = !strcmp(it[i].code, cd->name);
			if (have)
				continue;
			if (!(ind = find_ind(d, cd->name))) {
				cc_free(it);
				cc_err_set(err, CC_ENOTFOUND, "rule '%s': unknown indicator '%s'",
				           c->rules[k].name, cd->name);
				cc_err_at(err, path, c->rules[k].line, "stages");
				return CC_ENOTFOUND;
			}
			memset(&it[n], 0, sizeof(it[n]));
			snprintf(it[n].code, sizeof(it[n].code), "%s", ind->code);
			snprintf(it[n].pillar, sizeof(it[n].pillar), "%s", ind->pillar);
			it[n].goal_min = ind->goal_min;
			it[n].goal_max = ind->goal_max;
			it[n].higher_is_better = ind->higher_is_better;
			n++;
		}
	*items = it;
	*n_items = n;
	return 0;
}

void cc_index_run_release(struct cc_index_run *x)
{
	cc_index_result_release(&x->r);
	cc_free(x->raw);
	cc_free(x->unit);
	cc_free(x->items);
	cc_rollup_release(&x->ru);
	cc_free(x->areas);
	cc_indicator_data_release(&x->data);
	cc_index_config_release(&x->c);
}

/* Units: areas of the level with a total value of some item; raw values by unit × item. */
static int matrix(struct cc_index_run *x, int level, size_t *n_units, size_t *n_empty,
                  struct cc_err *err)
{
	size_t nu = 0, ni = x->n_items;

	*n_empty = 0;
	x->unit = cc_alloc_array(x->n_areas + 1, sizeof(size_t));
	x->raw = cc_alloc_array(x->n_areas * ni + 1, sizeof(double));
	if (!x->unit || !x->raw)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	/* areas come sorted by P-code; rollup results by indicator, disaggregation, P-code */
	for (size_t a = 0; a < x->n_areas; a++) {
		bool any = false;

		if (x->areas[a].level != level)
			continue;
		for (size_t i = 0; i < ni; i++)
			x->raw[nu * ni + i] = (double)NAN;
		for (size_t k = 0; k < x->ru.n_results; k++) {
			const struct cc_rollup_result *res = &x->ru.results[k];
			const char *code = x->data.indicators[res->indicator].code;

			if (res->area != a || res->sex[0] || res->age_group[0] || isnan(res->value))
				continue;
			for (size_t i = 0; i < ni; i++)
				if (!strcmp(x->items[i].code, code)) {
					x->raw[nu * ni + i] = res->value;
					any = any || x->items[i].in_index;
				}
		}
		if (any)
			x->unit[nu++] = a;
		else
			(*n_empty)++;
	}
	*n_units = nu;
	return 0;
}

int cc_index_run(struct cc_store *st, int64_t mission_id, const char *config, int level, int32_t at,
                 struct cc_index_run *x, struct cc_err *err)
{
	memset(x, 0, sizeof(*x));
	x->at = at;
	if (config && cc_index_config_read(config, &x->c, err) < 0)
		return err->code;
	if (level < 0)
		level = x->c.level >= 0 && config ? x->c.level : 1;
	x->level = level;
	if (cc_rollup_load(st, mission_id, NULL, level, at, &x->data, &x->areas, &x->n_areas,
	                   &x->ru, err) < 0)
		goto out_fail;
	if (!config && default_config(&x->data, &x->c, err) < 0)
		goto out_fail;
	if (resolve_items(&x->c, config, &x->data, &x->items, &x->n_items, err) < 0)
		goto out_fail;
	if (matrix(x, level, &x->n_units, &x->n_empty, err) < 0)
		goto out_fail;
	{
		struct cc_index_spec spec = {
			.items = x->items,
			.n_items = x->n_items,
			.pillars = x->c.pillars,
			.n_pillars = x->c.n_pillars,
			.method = x->c.method,
			.overall_method = x->c.overall_method,
			.epsilon = x->c.epsilon,
			.sensitivity = x->c.sensitivity,
			.reweight_missing = x->c.reweight_missing,
			.rules = x->c.rules,
			.n_rules = x->c.n_rules,
			.default_stage = x->c.default_stage,
		};

		if (cc_index_compute(&spec, x->raw, x->n_units, &x->r, err) < 0) {
			cc_err_at(err, config, 0, NULL);
			goto out_fail;
		}
	}
	return 0;
out_fail:
	cc_index_run_release(x);
	return err->code ? err->code : CC_ENOMEM;
}

/* ---- the mission review report ---- */

/* Loads and computes the matrix for the mission; 0 or an error in err. */
static int compute(struct cc_store *st, const struct cc_report_query *a, struct cc_mission *m,
                   struct cc_coverage *cov, struct cc_err *err)
{
	struct cc_coverage_record *recs = NULL;
	struct cc_coverage_column *cols = NULL;
	struct cc_area *areas = NULL;
	size_t n_recs = 0, n_cols = 0, n_areas = 0;
	int ret;

	ret = cc_store_get_mission(st, a->mission, m, err);
	if (ret < 0)
		return ret;
	ret = cc_store_load_coverage(
	        st,
	        &(struct cc_coverage_query){
	                .mission_id = m->id, .by = a->by, .from = a->from, .to = a->to },
	        &recs, &n_recs, &cols, &n_cols, &areas, &n_areas, err);
	if (ret == 0)
		ret = cc_coverage_compute(
		        recs, n_recs, areas, n_areas, cols, n_cols,
		        &(struct cc_coverage_opts){ .level = a->level, .by = a->by }, cov, err);
	cc_free(recs);
	cc_free(cols);
	cc_free(areas);
	return ret;
}

/* The inputs of the report's later sections, loaded from the store; all owned. */
struct extras {
	struct cc_area *areas;
	struct cc_report_area *map;
	size_t n_areas, n_map;
	struct cc_lesson *lessons;
	size_t n_lessons;
	char lessons_rule[256];
	char map_note[512];
	struct cc_gaps gaps;
	int32_t *dates;
	size_t n_dates;
	struct cc_report_span *spans;
	size_t n_spans;
	struct cc_indicator_data ind;
	struct cc_progress_result *progress;
	size_t n_progress;
	struct cc_review_result review;
	bool have_review;
	struct cc_feedback_count *fb;
	size_t n_fb;
	struct cc_survey_data sdata[8];
	struct cc_survey_table stab[8];
	struct cc_report_survey surveys[8];
	size_t n_surveys;
};

static void extras_release(struct extras *x)
{
	for (size_t i = 0; i < x->n_map; i++)
		cc_free((void *)x->map[i].wkb);
	cc_free(x->map);
	cc_free(x->areas);
	cc_free(x->lessons);
	cc_gaps_release(&x->gaps);
	cc_free(x->dates);
	cc_free(x->spans);
	cc_indicator_data_release(&x->ind);
	cc_free(x->progress);
	cc_review_release(&x->review);
	cc_free(x->fb);
	for (size_t i = 0; i < x->n_surveys; i++) {
		cc_survey_table_release(&x->stab[i]);
		cc_survey_data_release(&x->sdata[i]);
	}
}

/* Each --survey question tabulated by wave (in import order), with changes between waves. */
static int load_surveys(struct cc_store *st, const struct cc_report_query *a,
                        const struct cc_mission *m, struct extras *x, struct cc_err *err)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < a->n_survey; i++) {
		struct cc_survey_data *d = &x->sdata[i];
		struct cc_survey_response *resp;

		ret = cc_store_load_survey(st,
		                           &(struct cc_survey_query){ .mission_id = m->id,
		                                                      .question = a->survey[i],
		                                                      .level = -1 },
		                           d, err);
		if (ret < 0)
			break;
		memset(&x->stab[i], 0, sizeof(x->stab[i]));
		x->n_surveys++;
		resp = cc_alloc_array(d->n_rows + 1, sizeof(*resp));
		if (!resp)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		for (size_t k = 0; k < d->n_rows; k++)
			resp[k] = (struct cc_survey_response){ .cell = d->rows[k].wave,
				                               .code = d->rows[k].code,
				                               .value = d->rows[k].value,
				                               .weight = d->rows[k].weight,
				                               .status = d->rows[k].status };
		ret = cc_survey_tabulate(resp, d->n_rows,
		                         &(struct cc_survey_tab_opts){ .changes = true },
		                         &x->stab[i], err);
		cc_free(resp);
		x->surveys[i] = (struct cc_report_survey){ .question = d->question.name,
			                                   .label = d->question.label,
			                                   .table = &x->stab[i] };
	}
	return ret;
}

/* Feedback counts of the mission in the period, for the themes. */
static int load_feedback(struct cc_store *st, const struct cc_report_query *a,
                         const struct cc_mission *m, struct extras *x, struct cc_err *err)
{
	int ret = cc_store_count_feedback(
	        st,
	        &(struct cc_feedback_query){ .mission_id = m->id, .from = a->from, .to = a->to },
	        &x->fb, &x->n_fb, err);

	if (ret == CC_EUNSUPPORTED) {
		cc_err_clear(err);
		ret = 0;
	}
	return ret;
}

/* The walk of load_spans. */
struct spans_walk {
	struct extras *x;
	size_t cap;
	const struct cc_source *srcs;
	size_t n_srcs;
	size_t *visible; /* per source: the activities the reader may see (n_srcs, or NULL) */
	int32_t from, to;
};

static int add_span(void *ctx, const struct cc_export_activity *a, struct cc_err *err)
{
	struct spans_walk *w = ctx;
	struct cc_report_span sp = { a->start_date, a->end_date };

	for (size_t j = 0; w->visible && j < w->n_srcs; j++)
		if (w->srcs[j].id == a->source_id)
			w->visible[j]++;
	for (size_t j = 0; sp.start == CC_DATE_NONE && sp.end == CC_DATE_NONE && j < w->n_srcs; j++)
		if (w->srcs[j].id == a->source_id) {
			sp.start = w->srcs[j].period_from;
			sp.end = w->srcs[j].period_to;
		}
	/* in the period: as the coverage reads it, an undated end or start is open */
	if ((w->from != CC_DATE_NONE && sp.end != CC_DATE_NONE && sp.end < w->from) ||
	    (w->to != CC_DATE_NONE && sp.start != CC_DATE_NONE && sp.start > w->to))
		return 0;
	if (w->x->n_spans == w->cap) {
		size_t nc = w->cap ? 2 * w->cap : 1024;
		struct cc_report_span *p = cc_realloc(w->x->spans, nc * sizeof(*p));

		if (!p)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		w->x->spans = p;
		w->cap = nc;
	}
	w->x->spans[w->x->n_spans++] = sp;
	return 0;
}

/*
 * The dates of the mission's activities in the period, for the timeline; an activity without
 * dates (operational presence) takes the reporting period of its source when that is known.
 */
static int load_spans(struct cc_store *st, const struct cc_report_query *a,
                      const struct cc_mission *m, const struct cc_source *srcs, size_t n_srcs,
                      size_t *visible, struct extras *x, struct cc_err *err)
{
	struct spans_walk w = { .x = x,
		                .srcs = srcs,
		                .n_srcs = n_srcs,
		                .visible = visible,
		                .from = a->from,
		                .to = a->to };
	int ret = cc_store_export_activities(st, m->id, add_span, &w, err);

	if (ret == CC_EUNSUPPORTED) {
		cc_err_clear(err);
		for (size_t j = 0; visible && j < n_srcs; j++) /* no walk: the stored counts */
			visible[j] = (size_t)(srcs[j].n_records > 0 ? srcs[j].n_records : 0);
		ret = 0;
	}
	return ret;
}

/* Progress of the mission's indicators (as `concord progress` computes it, without options). */
static int load_progress(struct cc_store *st, const struct cc_mission *m, struct extras *x,
                         struct cc_err *err)
{
	int ret = cc_store_load_indicator_data(
	        st, &(struct cc_indicator_query){ .mission_id = m->id, .at = CC_DATE_NONE },
	        &x->ind, err);

	if (ret == CC_EUNSUPPORTED) {
		cc_err_clear(err);
		return 0;
	}
	if (ret == 0 && x->ind.n_indicators) {
		/* the mission's status thresholds where it set them (`concord mission set`) */
		struct cc_progress_opts o = { .at = CC_DATE_NONE };

		ret = cc_progress_opts_for_mission(st, m->id, &o, err);
		if (ret == CC_EUNSUPPORTED) { /* a backend without mission rules: the defaults */
			cc_err_clear(err);
			o = (struct cc_progress_opts){ .at = CC_DATE_NONE };
			ret = 0;
		}
		if (ret == 0)
			ret = cc_progress_compute(&x->ind, &o, &x->progress, &x->n_progress, err);
	}
	return ret;
}

/* The review of the caller's plan against this mission. */
static int load_review(struct cc_store *st, const struct cc_plan *plan, const struct cc_mission *m,
                       struct extras *x, struct cc_err *err)
{
	int ret = cc_review_plan(
	        st, plan, &(struct cc_review_opts){ .mission_id = m->id, .as_of = CC_DATE_NONE },
	        &x->review, err);

	x->have_review = ret == 0;
	return ret;
}

/* The date of the admin layout the report shows (as its coverage): its end, else today's. */
static int32_t report_layout(const struct cc_report_query *a)
{
	return a->to != 0 ? a->to : CC_DATE_NONE;
}

/* The areas at the report's level that have a stored boundary, with their WKB: those of the
   admin layout of the report's end (today's without one), as the coverage shows them. */
static int load_map(struct cc_store *st, int level, int32_t layout, struct extras *x,
                    struct cc_err *err)
{
	int ret = cc_store_list_areas(st, &(struct cc_area_filter){ .level = level }, &x->areas,
	                              &x->n_areas, err);

	if (ret == 0)
		ret = cc_store_layout_areas(st, layout, x->areas, &x->n_areas, err);
	if (ret < 0 || !x->n_areas)
		return ret;
	x->map = cc_alloc_array(x->n_areas, sizeof(*x->map));
	if (!x->map)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < x->n_areas; i++) {
		const struct cc_area *a = &x->areas[i];
		void *wkb = NULL;
		size_t len = 0;

		if (!a->has_geom)
			continue;
		ret = cc_store_area_geometry(st, a->id, &wkb, &len, err);
		if (ret < 0)
			return ret;
		if (!wkb)
			continue;
		x->map[x->n_map++] = (struct cc_report_area){
			.pcode = a->pcode, .name = a->name, .wkb = wkb, .wkb_len = len
		};
	}
	return 0;
}

/*
 * The map's values for incidents, people in need and gap (activities and organisations come
 * from the coverage), each from the library call of the command that shows it, and the note
 * that says how.
 */
static int load_map_values(struct cc_store *st, const struct cc_report_query *a,
                           const struct cc_mission *m, struct extras *x, struct cc_err *err)
{
	int measure = a->map_measure;
	int ret = 0;

	if (measure == CC_MAP_INCIDENTS) {
		/* `concord exposure --by area`: the incidents whose days meet the window, in their
		   area and each ancestor; below the provinces the precisely placed ones */
		int32_t from = a->from != CC_DATE_NONE ? a->from : m->start_date;
		int32_t to = a->to != CC_DATE_NONE ? a->to : m->end_date;
		struct cc_incident_query q = { .from = from != CC_DATE_NONE ? from : INT32_MIN + 1,
			                       .to = to != CC_DATE_NONE ? to : INT32_MAX };
		struct cc_exposure_incident *inc = NULL;
		struct cc_exposure_area *xa = NULL;
		struct cc_exposure_area_result *res = NULL;
		struct cc_area *all = NULL;
		char(*types)[64] = NULL;
		size_t n_inc = 0, n_types = 0, n_all = 0;
		char d0[11], d1[11];

		if (a->level >= 2) {
			q.max_geo_prec_acled = 2;
			q.max_geo_prec_ucdp = 3;
		}
		ret = cc_store_load_incidents(st, &q, &inc, &n_inc, &types, &n_types, err);
		/* across a re-districting: incidents of areas not on the map's layout placed in its
		   areas by their point (as `concord exposure --by area` does) */
		if (ret == 0)
			ret = cc_store_layout_incidents(st, report_layout(a), inc, n_inc, NULL,
			                                NULL, err);
		if (ret == 0)
			ret = cc_store_list_areas(st, &(struct cc_area_filter){ .level = -1 }, &all,
			                          &n_all, err);
		/* an open end: the first or last incident's day */
		for (size_t i = 0; ret == 0 && i < n_inc; i++) {
			if (from == CC_DATE_NONE && (i == 0 || inc[i].date < q.from))
				q.from = inc[i].date;
			if (to == CC_DATE_NONE && (i == 0 || inc[i].date_end > q.to))
				q.to = inc[i].date_end;
		}
		if (ret == 0 && n_inc && n_all) {
			xa = cc_calloc(n_all, sizeof(*xa));
			res = cc_calloc(n_all, sizeof(*res));
			if (!xa || !res)
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			for (size_t i = 0; ret == 0 && i < n_all; i++)
				xa[i] = (struct cc_exposure_area){ .id = all[i].id,
					                           .parent_id = all[i].parent_id,
					                           .population = -1 };
			if (ret == 0)
				ret = cc_exposure_areas(
				        xa, n_all, inc, n_inc,
				        &(struct cc_exposure_opts){
				                .window_days = q.to - q.from + 1, .at = q.to },
				        res, err);
			for (size_t k = 0; ret == 0 && k < x->n_map; k++)
				for (size_t i = 0; i < n_all; i++)
					if (!strcmp(all[i].pcode, x->map[k].pcode)) {
						x->map[k].value = (double)res[i].n_now;
						break;
					}
			snprintf(x->map_note, sizeof(x->map_note),
			         "Incidents whose days meet %s to %s, counted in their area and "
			         "each "
			         "area above it%s: as `concord exposure --by area --level %d --at "
			         "%s "
			         "--days %ld` counts them.",
			         cc_date_format(q.from, d0), cc_date_format(q.to, d1),
			         a->level >= 2 ? " (the precisely placed ones, as below provinces)"
			                       : "",
			         a->level, d1, (long)q.to - q.from + 1);
		} else if (ret == 0) {
			snprintf(x->map_note, sizeof(x->map_note), "No incident is stored%s.",
			         from != CC_DATE_NONE || to != CC_DATE_NONE ? " for the period"
			                                                    : "");
		}
		cc_free(inc);
		cc_free(types);
		cc_free(all);
		cc_free(xa);
		cc_free(res);
	} else if (measure == CC_MAP_PEOPLE_IN_NEED || measure == CC_MAP_GAP) {
		/* `concord gaps` (by sector): the largest figure among the area's sectors */
		struct cc_gaps g = { 0 };

		ret = cc_gaps_load(st,
		                   &(struct cc_gaps_query){
		                           .mission_id = m->id, .from = a->from, .to = a->to },
		                   &(struct cc_gap_opts){ .level = a->level,
		                                          .reach = CC_REACH_MAX,
		                                          .by = CC_GAP_BY_SECTOR },
		                   &g, err);
		for (size_t k = 0; ret == 0 && k < x->n_map; k++) {
			double v = (double)NAN;

			for (size_t r = 0; r < g.n_rows; r++) {
				double f =
				        measure == CC_MAP_GAP ? g.rows[r].gap : g.rows[r].in_need;

				if (!strcmp(g.rows[r].pcode, x->map[k].pcode) && !isnan(f) &&
				    (isnan(v) || f > v))
					v = f;
			}
			x->map[k].value = measure == CC_MAP_GAP && !isnan(v) ? round(v) : v;
		}
		if (ret == 0)
			snprintf(x->map_note, sizeof(x->map_note),
			         "%s among the area's sectors in `concord gaps --level %d`%s: the "
			         "same people are in need in several sectors, so sectors are not "
			         "added.%s",
			         measure == CC_MAP_GAP
			                 ? "The largest gap (severity \xc3\x97 people "
			                   "in need not covered), rounded,"
			                 : "The largest number of people in need",
			         a->level,
			         a->from != CC_DATE_NONE || a->to != CC_DATE_NONE
			                 ? " with the report's --from and --to"
			                 : "",
			         g.n_rows ? "" : " No need is stored: every area is 0.");
		cc_gaps_release(&g);
	}
	return ret;
}

/* Does the comma-separated pillar list name a pillar marked in active? */
static bool any_pillar(const char *list, const bool *active)
{
	char name[32];

	while (*list) {
		size_t n = strcspn(list, ",");
		int p;

		snprintf(name, sizeof(name), "%.*s", (int)n, list);
		p = cc_pillar_parse(cc_text_trim(name));
		if (p >= 0 && p < CC_N_PILLARS && active[p])
			return true;
		list += n + (list[n] == ',');
	}
	return false;
}

/*
 * The lessons of the report. With a period (the query's --from/--to, else the mission's dates):
 * the lessons of this mission or of the register (no mission) dated within it, undated ones
 * left out. Without any date: the mission's own lessons and those of the register on a pillar
 * with activity in the coverage (every pillar when coverage is not by pillar). By key; the rule
 * in words into x->lessons_rule.
 */
static int load_lessons(struct cc_store *st, const struct cc_report_query *a,
                        const struct cc_mission *m, const struct cc_coverage *cov, struct extras *x,
                        struct cc_err *err)
{
	int32_t from = a->from != CC_DATE_NONE ? a->from : m->start_date;
	int32_t to = a->to != CC_DATE_NONE ? a->to : m->end_date;
	bool by_date = from != CC_DATE_NONE || to != CC_DATE_NONE;
	bool active[CC_N_PILLARS];
	size_t n = 0;
	int ret;

	for (int p = 0; p < CC_N_PILLARS; p++)
		active[p] = cov->by != CC_BY_PILLAR;
	if (cov->by == CC_BY_PILLAR)
		for (size_t c = 0; c < cov->n_columns; c++) {
			int p = cc_pillar_parse(cov->columns[c].code);

			if (p >= 0 && p < CC_N_PILLARS && cov->col_totals[c].n_activities > 0)
				active[p] = true;
		}
	if (by_date) {
		char d0[11], d1[11];

		snprintf(x->lessons_rule, sizeof(x->lessons_rule),
		         "lessons of this mission or of the register dated from %s to %s (%s); "
		         "undated lessons are not listed",
		         from != CC_DATE_NONE ? cc_date_format(from, d0) : "the first",
		         to != CC_DATE_NONE ? cc_date_format(to, d1) : "the last",
		         a->from != CC_DATE_NONE || a->to != CC_DATE_NONE ? "the reporting period"
		                                                          : "the mission's dates");
	} else {
		snprintf(x->lessons_rule, sizeof(x->lessons_rule),
		         "lessons of this mission, or of the register on a pillar with activity "
		         "here (no period was given and the mission has no dates)");
	}
	ret = cc_store_list_lessons(st, &(struct cc_lesson_filter){ .pillar = -1, .status = -1 },
	                            &x->lessons, &x->n_lessons, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < x->n_lessons; i++) {
		const struct cc_lesson *l = &x->lessons[i];
		bool keep;

		if (by_date)
			keep = (l->mission_id == m->id || l->mission_id == 0) &&
			       l->date != CC_DATE_NONE &&
			       (from == CC_DATE_NONE || l->date >= from) &&
			       (to == CC_DATE_NONE || l->date <= to);
		else
			keep = l->mission_id == m->id ||
			       (l->mission_id == 0 && any_pillar(l->pillars, active));
		if (keep)
			memmove(&x->lessons[n++], l, sizeof(*l));
	}
	x->n_lessons = n;
	return 0;
}

/* The gap ranking as `concord gaps` computes it by default; no rows without needs. */
static int load_gaps(struct cc_store *st, const struct cc_report_query *a,
                     const struct cc_mission *m, struct extras *x, struct cc_err *err)
{
	struct cc_coverage_record *recs = NULL;
	struct cc_coverage_column *cols = NULL;
	struct cc_area *cov_areas = NULL, *need_areas = NULL, *areas = NULL;
	struct cc_gap_need *needs = NULL;
	struct cc_gap_sector *sectors = NULL;
	size_t n_recs = 0, n_cols = 0, n_cov_areas = 0, n_need_areas = 0, n_needs = 0,
	       n_sectors = 0;
	int ret;

	ret = cc_store_load_needs(
	        st, &(struct cc_need_query){ .mission_id = m->id, .from = a->from, .to = a->to },
	        &needs, &n_needs, &need_areas, &n_need_areas, &sectors, &n_sectors, err);
	if (ret < 0 || n_needs == 0)
		goto out_free;
	ret = cc_store_load_coverage(
	        st,
	        &(struct cc_coverage_query){
	                .mission_id = m->id, .by = CC_BY_PILLAR, .from = a->from, .to = a->to },
	        &recs, &n_recs, &cols, &n_cols, &cov_areas, &n_cov_areas, err);
	if (ret == 0) {
		areas = cc_alloc_array(n_cov_areas + n_need_areas + 1, sizeof(*areas));
		if (!areas)
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	if (ret == 0) {
		if (n_cov_areas)
			memcpy(areas, cov_areas, n_cov_areas * sizeof(*areas));
		if (n_need_areas)
			memcpy(areas + n_cov_areas, need_areas, n_need_areas * sizeof(*areas));
		ret = cc_gaps_compute(needs, n_needs, recs, n_recs, areas,
		                      n_cov_areas + n_need_areas, sectors, n_sectors,
		                      &(struct cc_gap_opts){ .level = a->level,
		                                             .reach = CC_REACH_MAX,
		                                             .by = CC_GAP_BY_SECTOR },
		                      &x->gaps, err);
	}
out_free:
	cc_free(recs);
	cc_free(cols);
	cc_free(cov_areas);
	cc_free(need_areas);
	cc_free(areas);
	cc_free(needs);
	cc_free(sectors);
	return ret;
}

/*
 * First days of the incidents in the reporting period, else in the mission's dates, else all of
 * them.
 */
static int load_incidents(struct cc_store *st, const struct cc_report_query *a,
                          const struct cc_mission *m, struct extras *x, struct cc_err *err)
{
	int32_t from = a->from != CC_DATE_NONE ? a->from : m->start_date;
	int32_t to = a->to != CC_DATE_NONE ? a->to : m->end_date;
	struct cc_exposure_incident *inc = NULL;
	char(*types)[64] = NULL;
	size_t n = 0, n_types = 0;
	int ret;

	ret = cc_store_load_incidents(
	        st,
	        &(struct cc_incident_query){ .from = from != CC_DATE_NONE ? from : INT32_MIN + 1,
	                                     .to = to != CC_DATE_NONE ? to : INT32_MAX },
	        &inc, &n, &types, &n_types, err);
	if (ret == 0 && n) {
		x->dates = cc_alloc_array(n, sizeof(*x->dates));
		if (!x->dates)
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		for (size_t i = 0; x->dates && i < n; i++)
			x->dates[i] = inc[i].date;
		x->n_dates = x->dates ? n : 0;
	}
	cc_free(inc);
	cc_free(types);
	return ret;
}

int cc_report_build(struct cc_store *st, const struct cc_report_query *a, struct cc_buf *out,
                    struct cc_err *err)
{
	struct cc_report_input in = { 0 };
	struct cc_report_source *rsrcs = NULL;
	struct cc_source *srcs = NULL;
	size_t n_srcs = 0, *visible = NULL;
	struct cc_coverage cov = { 0 };
	struct extras x = { 0 };
	char period[32];
	int ret;

	if (a->n_survey > sizeof(x.surveys) / sizeof(x.surveys[0]))
		return cc_err_set(err, CC_EUSAGE, "at most %zu survey questions",
		                  sizeof(x.surveys) / sizeof(x.surveys[0]));
	ret = compute(st, a, &in.mission, &cov, err);
	if (ret == 0)
		ret = cc_store_list_sources(st, in.mission.id, &srcs, &n_srcs, err);
	if (ret == 0 && n_srcs && !(visible = cc_alloc_array(n_srcs, sizeof(*visible))))
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	if (ret == 0)
		ret = load_map(st, a->level, report_layout(a), &x, err);
	if (ret == 0)
		ret = load_map_values(st, a, &in.mission, &x, err);
	if (ret == 0)
		ret = load_lessons(st, a, &in.mission, &cov, &x, err);
	if (ret == 0)
		ret = load_gaps(st, a, &in.mission, &x, err);
	if (ret == 0)
		ret = load_incidents(st, a, &in.mission, &x, err);
	if (ret == 0)
		ret = load_spans(st, a, &in.mission, srcs, n_srcs, visible, &x, err);
	if (ret == 0)
		ret = load_progress(st, &in.mission, &x, err);
	if (ret == 0)
		ret = load_feedback(st, a, &in.mission, &x, err);
	if (ret == 0)
		ret = load_surveys(st, a, &in.mission, &x, err);
	if (ret == 0 && a->plan)
		ret = load_review(st, a->plan, &in.mission, &x, err);
	if (ret == 0 && n_srcs) {
		rsrcs = cc_alloc_array(n_srcs, sizeof(*rsrcs));
		if (!rsrcs)
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	if (ret == 0) {
		size_t k = 0;

		for (size_t i = 0; i < n_srcs; i++) {
			const struct cc_source *s = &srcs[i];

			/*
			 * a source of activities counts those the reader may see; one of which it
			 * may see none is not named (its name and size would tell of records it
			 * may not see)
			 */
			if (s->n_records > 0 && visible && visible[i] == 0)
				continue;
			rsrcs[k].name = s->name;
			rsrcs[k].imported_at = s->imported_at;
			/* records of the source, or for areas (no activities) the rows kept */
			rsrcs[k].rows =
			        (size_t)(s->n_records > 0 && visible ? (int64_t)visible[i]
			                 : s->n_records > 0 || s->n_read < 0
			                         ? s->n_records
			                         : s->n_read -
			                                   (s->n_rejected > 0 ? s->n_rejected : 0));
			k++;
		}
		n_srcs = k;
		in.generated_on = a->generated_on;
		in.generator = a->generator;
		in.coverage = &cov;
		in.sources = rsrcs;
		in.n_sources = n_srcs;
		in.map_areas = x.map;
		in.n_map_areas = x.n_map;
		in.map_measure = (enum cc_map_measure)a->map_measure;
		in.map_note = x.map_note[0] ? x.map_note : NULL;
		in.lessons = x.lessons;
		in.n_lessons = x.n_lessons;
		in.lessons_rule = x.lessons_rule;
		in.all_sections = true;
		in.gaps = x.gaps.n_rows ? &x.gaps : NULL;
		in.incident_dates = x.dates;
		in.n_incidents = x.n_dates;
		in.activity_spans = x.spans;
		in.n_activity_spans = x.n_spans;
		in.period_from = a->from != CC_DATE_NONE ? a->from : in.mission.start_date;
		in.period_to = a->to != CC_DATE_NONE ? a->to : in.mission.end_date;
		in.period_set = in.period_from != CC_DATE_NONE && in.period_to != CC_DATE_NONE;
		if (a->from != CC_DATE_NONE || a->to != CC_DATE_NONE) {
			char d0[11], d1[11];

			snprintf(period, sizeof(period), "%s/%s",
			         a->from != CC_DATE_NONE ? cc_date_format(a->from, d0) : "..",
			         a->to != CC_DATE_NONE ? cc_date_format(a->to, d1) : "..");
			in.period = period;
		}
		in.indicator_data = &x.ind;
		in.progress = x.progress;
		in.n_progress = x.n_progress;
		in.feedback = x.fb;
		in.n_feedback = x.n_fb;
		in.surveys = x.surveys;
		in.n_surveys = x.n_surveys;
		if (x.have_review) {
			in.plan = a->plan;
			in.review = &x.review;
		}
		ret = a->md ? cc_report_md(&in, out, err) : cc_report_html(&in, out, err);
	}
	extras_release(&x);
	cc_free(rsrcs);
	cc_free(srcs);
	cc_free(visible);
	cc_coverage_release(&cov);
	return ret;
}

/* ---- survey results ---- */

const char *cc_survey_by_name(enum cc_survey_by by)
{
	switch (by) {
	case CC_SURVEY_BY_ALL:
		return "all";
	case CC_SURVEY_BY_AREA:
		return "area";
	case CC_SURVEY_BY_GROUP:
		return "group";
	case CC_SURVEY_BY_WAVE:
		return "wave";
	}
	return "all";
}

struct survey_sorted {
	const struct cc_survey_row *row;
	const char *cell;
	size_t ix;
};

static int cmp_survey_sorted(const void *a, const void *b)
{
	const struct survey_sorted *x = a, *y = b;
	int c = strcmp(x->cell, y->cell);

	if (c)
		return c;
	return x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* The cell of a respondent: "all", its wave, its group's answer or its area at the level. */
static const char *survey_cell_of(const struct cc_survey_results_query *q,
                                  const struct cc_survey_row *r, char buf[static 32])
{
	switch (q->by) {
	case CC_SURVEY_BY_ALL:
		return "all";
	case CC_SURVEY_BY_WAVE:
		return r->wave;
	case CC_SURVEY_BY_GROUP:
		return r->group[0] ? r->group : "(no answer)";
	case CC_SURVEY_BY_AREA:
		if (r->area_cell[0])
			return r->area_cell;
		if (!r->area_id)
			return "(no area)";
		snprintf(buf, 32, "(above adm%d)", q->level);
		return buf;
	}
	return "all";
}

/* A respondent's answer to the cluster question (cd's rows); NULL none. */
static const char *survey_cluster_of(const struct cc_survey_data *cd, int64_t respondent_id)
{
	size_t lo = 0, hi = cd->n_rows;

	/* rows are by wave, then respondent id; ids grow with the import, so one binary search
	 * finds it when waves were imported in order; a scan otherwise */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cd->rows[mid].respondent_id < respondent_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < cd->n_rows && cd->rows[lo].respondent_id == respondent_id)
		return cd->rows[lo].status == CC_ANSWERED ? cd->rows[lo].code : NULL;
	for (size_t i = 0; i < cd->n_rows; i++)
		if (cd->rows[i].respondent_id == respondent_id)
			return cd->rows[i].status == CC_ANSWERED ? cd->rows[i].code : NULL;
	return NULL;
}

int cc_survey_results_load(struct cc_store *st, const struct cc_survey_results_query *q,
                           struct cc_survey_results *out, struct cc_err *err)
{
	struct cc_survey_data d = { 0 }, cd = { 0 };
	struct cc_survey_response *resp = NULL;
	struct survey_sorted *srt = NULL;
	const char **clusters = NULL;
	char(*cells)[32] = NULL;
	size_t n;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = cc_store_load_survey(
	        st,
	        &(struct cc_survey_query){ .mission_id = q->mission_id,
	                                   .question = q->question,
	                                   .wave = q->wave,
	                                   .group = q->group,
	                                   .level = q->by == CC_SURVEY_BY_AREA ? q->level : -1 },
	        &d, err);
	if (ret < 0)
		return ret;
	if (q->cluster)
		ret = cc_store_load_survey(st,
		                           &(struct cc_survey_query){ .mission_id = q->mission_id,
		                                                      .question = q->cluster,
		                                                      .wave = q->wave,
		                                                      .level = -1 },
		                           &cd, err);
	n = d.n_rows ? d.n_rows : 1;
	if (ret == 0) {
		resp = cc_calloc(n, sizeof(*resp));
		srt = cc_calloc(n, sizeof(*srt));
		cells = cc_calloc(n, sizeof(*cells));
		if (q->cluster)
			clusters = cc_calloc(n, sizeof(*clusters));
		if (!resp || !srt || !cells || (q->cluster && !clusters))
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < d.n_rows; i++) {
		srt[i].row = &d.rows[i];
		srt[i].cell = survey_cell_of(q, &d.rows[i], cells[i]);
		srt[i].ix = i;
	}
	/* waves stay in import order (the rows' order); areas and groups sort by name */
	if (q->by == CC_SURVEY_BY_AREA || q->by == CC_SURVEY_BY_GROUP)
		qsort(srt, d.n_rows, sizeof(*srt), cmp_survey_sorted);
	for (size_t i = 0; i < d.n_rows; i++) {
		const struct cc_survey_row *r = srt[i].row;

		resp[i] = (struct cc_survey_response){ .cell = srt[i].cell,
			                               .code = r->code,
			                               .value = r->value,
			                               .weight = r->weight,
			                               .status = r->status };
		if (clusters)
			clusters[i] = survey_cluster_of(&cd, r->respondent_id);
	}
	out->opts = (struct cc_survey_tab_opts){
		.level = q->conf,
		.min_neff = q->min_neff,
		.likert_k = q->likert_k,
		.reverse = q->reverse,
		.changes = q->by == CC_SURVEY_BY_WAVE,
		.clusters = clusters,
		.multiple = q->multiple || !strcasecmp(d.question.type, "select_multiple"),
	};
	ret = cc_survey_tabulate(resp, d.n_rows, &out->opts, &out->table, err);
	out->opts.clusters = NULL;
	out->clustered = clusters != NULL;
out:
	cc_survey_data_release(&cd);
	cc_free(clusters);
	cc_free(resp);
	cc_free(srt);
	cc_free(cells);
	if (ret < 0) {
		cc_survey_table_release(&out->table);
		cc_survey_data_release(&d);
		memset(out, 0, sizeof(*out));
		return ret;
	}
	out->data = d;
	return 0;
}

void cc_survey_results_release(struct cc_survey_results *r)
{
	if (!r)
		return;
	cc_survey_table_release(&r->table);
	cc_survey_data_release(&r->data);
	memset(r, 0, sizeof(*r));
}

static int bad_items(struct cc_err *err, const char *why)
{
	cc_err_set(err, CC_EUSAGE, "%s", why);
	cc_err_at(err, NULL, 0, "items");
	return CC_EUSAGE;
}

int cc_survey_alpha_load(struct cc_store *st, int64_t mission_id, const char *items,
                         const char *wave, struct cc_survey_alpha_run *out, struct cc_err *err)
{
	struct cc_survey_data d = { 0 };
	size_t k = 0, n = 0;
	double *x = NULL;
	int64_t *ids = NULL;
	bool *asked = NULL;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (const char *p = items; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (k == CC_ALPHA_MAX_ITEMS)
			return bad_items(err, "at most " CC__STR(CC_ALPHA_MAX_ITEMS) " items");
		if (len == 0 || len >= sizeof(out->items[0]))
			return bad_items(err, "an empty or too long item name");
		snprintf(out->items[k++], sizeof(out->items[0]), "%.*s", (int)len, p);
		p = end ? end + 1 : NULL;
	}
	if (k == 0)
		return bad_items(err, "name the items of the scale");
	out->k = k;
	for (size_t j = 0; j < k && ret == 0; j++) {
		ret = cc_store_load_survey(st,
		                           &(struct cc_survey_query){ .mission_id = mission_id,
		                                                      .question = out->items[j],
		                                                      .wave = wave,
		                                                      .level = -1 },
		                           &d, err);
		if (ret < 0)
			break;
		if (j == 0) {
			n = d.n_rows;
			x = cc_calloc((n * k) != 0 ? n * k : 1, sizeof(*x));
			ids = cc_calloc(n ? n : 1, sizeof(*ids));
			asked = cc_calloc(n ? n : 1, sizeof(*asked));
			if (!x || !ids || !asked) {
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
				break;
			}
		}
		for (size_t r = 0; r < n && r < d.n_rows; r++) {
			const struct cc_survey_row *row = &d.rows[r];

			if (j == 0)
				ids[r] = row->respondent_id;
			/* the same query gives the same respondents in the same order */
			x[r * k + j] = row->respondent_id == ids[r] && row->status == CC_ANSWERED
			                       ? row->value
			                       : (double)NAN;
			asked[r] |= row->respondent_id == ids[r] && row->status != CC_MISSING;
		}
		cc_survey_data_release(&d);
	}
	if (ret == 0) {
		/* respondents asked none of the items (other waves, other forms) are no respondents
		   of the scale; those asked some and lacking one are dropped by the alpha */
		size_t kept = 0;
		struct cc_err why = { 0 };

		for (size_t r = 0; r < n; r++)
			if (asked[r])
				memmove(x + kept++ * k, x + r * k, k * sizeof(*x));
		out->asked = kept;
		out->status = cc_cronbach_alpha(x, kept, k, out->var, &out->alpha, &why);
		if (out->status < 0) {
			snprintf(out->note, sizeof(out->note), "%s", why.msg);
			for (size_t j = 0; j < k; j++)
				out->var[j] = (double)NAN;
		}
	}
	cc_survey_data_release(&d);
	cc_free(x);
	cc_free(ids);
	cc_free(asked);
	return ret;
}
