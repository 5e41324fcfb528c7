/* concord coverage, concord report */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/coverage.h>
#include <concord/events.h>
#include <concord/export.h>
#include <concord/gaps.h>
#include <concord/lessons.h>
#include <concord/needs.h>
#include <concord/progress.h>
#include <concord/report.h>
#include <concord/review.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "core/limits.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

struct coverage_args {
	int level;
	enum cc_coverage_by by;
	int32_t from, to;
	enum cc_format fmt;
	const char *output; /* report only */
	const char *plan;   /* report only: --plan FILE */
	const char *survey[8]; /* report only: --survey QUESTION, repeatable */
	size_t n_survey;
	bool md;            /* report only: --format md */
};

/* Parses the options shared by coverage and report; returns CLI_OK or an exit status. */
static int parse_args(struct cli *cli, int argc, char **argv, struct coverage_args *a,
                      bool report)
{
	enum { O_LEVEL = 256, O_BY, O_FROM, O_TO, O_JSON, O_CSV, O_PLAN, O_FORMAT, O_SURVEY };
	static const struct option longopts[] = {
		{ "level", required_argument, NULL, O_LEVEL },
		{ "by", required_argument, NULL, O_BY },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "json", no_argument, NULL, O_JSON },
		{ "csv", no_argument, NULL, O_CSV },
		{ "output", required_argument, NULL, 'o' },
		{ "plan", required_argument, NULL, O_PLAN },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "survey", required_argument, NULL, O_SURVEY },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_err err = { 0 };
	int64_t v;
	int opt;

	*a = (struct coverage_args){ .level = 1, .by = CC_BY_PILLAR, .from = CC_DATE_NONE,
		                     .to = CC_DATE_NONE, .fmt = CC_FORMAT_TABLE };
	while ((opt = getopt_long(argc, argv, report ? "o:" : "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_LEVEL:
			if (cc_parse_i64(optarg, 0, 5, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			a->level = (int)v;
			break;
		case O_BY:
			if (!strcmp(optarg, "pillar"))
				a->by = CC_BY_PILLAR;
			else if (!strcmp(optarg, "sector"))
				a->by = CC_BY_SECTOR;
			else if (!strcmp(optarg, "cluster"))
				a->by = CC_BY_CLUSTER;
			else
				return cli_usage(cli, "--by '%s': choose pillar, sector or cluster",
				                 optarg);
			break;
		case O_FROM:
		case O_TO:
			if (cc_date_parse(optarg, opt == O_FROM ? &a->from : &a->to, &err) < 0)
				return cli_usage(cli, "%s: %s", opt == O_FROM ? "--from" : "--to",
				                 err.msg);
			break;
		case O_JSON:
			a->fmt = CC_FORMAT_JSON;
			break;
		case O_CSV:
			a->fmt = CC_FORMAT_CSV;
			break;
		case 'o':
			if (!report)
				return cli_usage(cli, "unknown option");
			a->output = optarg;
			break;
		case O_PLAN:
			if (!report)
				return cli_usage(cli, "unknown option");
			a->plan = optarg;
			break;
		case O_SURVEY:
			if (!report)
				return cli_usage(cli, "unknown option");
			if (a->n_survey == sizeof(a->survey) / sizeof(a->survey[0]))
				return cli_usage(cli, "--survey: at most 8 questions");
			a->survey[a->n_survey++] = optarg;
			break;
		case O_FORMAT:
			if (!report)
				return cli_usage(cli, "unknown option");
			if (!strcmp(optarg, "md") || !strcmp(optarg, "markdown"))
				a->md = true;
			else if (!strcmp(optarg, "html"))
				a->md = false;
			else
				return cli_usage(cli, "--format '%s': choose html or md", optarg);
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (a->from != CC_DATE_NONE && a->to != CC_DATE_NONE && a->to < a->from)
		return cli_usage(cli, "--to is before --from");
	return CLI_OK;
}

/* Loads and computes the matrix for the mission; 0 or an error in err. */
static int compute(struct cli *cli, const struct coverage_args *a, struct cc_mission *m,
                   struct cc_coverage *cov, struct cc_err *err)
{
	struct cc_coverage_record *recs = NULL;
	struct cc_coverage_column *cols = NULL;
	struct cc_area *areas = NULL;
	size_t n_recs = 0, n_cols = 0, n_areas = 0;
	int ret;

	ret = cc_store_get_mission(cli->st, cli->mission, m, err);
	if (ret < 0)
		return ret;
	ret = cc_store_load_coverage(cli->st,
	                             &(struct cc_coverage_query){ .mission_id = m->id, .by = a->by,
	                                                          .from = a->from, .to = a->to },
	                             &recs, &n_recs, &cols, &n_cols, &areas, &n_areas, err);
	if (ret == 0)
		ret = cc_coverage_compute(recs, n_recs, areas, n_areas, cols, n_cols,
		                          &(struct cc_coverage_opts){ .level = a->level, .by = a->by },
		                          cov, err);
	cc_free(recs);
	cc_free(cols);
	cc_free(areas);
	return ret;
}

int cmd_coverage(struct cli *cli, int argc, char **argv)
{
	struct coverage_args a;
	struct cc_mission m;
	struct cc_coverage cov = { 0 };
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_err err = { 0 };
	int ret;

	ret = parse_args(cli, argc, argv, &a, false);
	if (ret != CLI_OK)
		return ret;
	ret = compute(cli, &a, &m, &cov, &err);
	if (ret == 0)
		ret = cc_coverage_format(&cov, a.fmt, &out, &err);
	cc_coverage_release(&cov);
	if (ret < 0) {
		cc_buf_release(&out);
		return cli_fail(&err);
	}
	ret = cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}

/* The inputs of the report's later sections, loaded from the store; all owned. */
struct extras {
	struct cc_area *areas;
	struct cc_report_area *map;
	size_t n_areas, n_map;
	struct cc_lesson *lessons;
	size_t n_lessons;
	struct cc_gaps gaps;
	int32_t *dates;
	size_t n_dates;
	struct cc_report_span *spans;
	size_t n_spans;
	struct cc_indicator_data ind;
	struct cc_progress_result *progress;
	size_t n_progress;
	struct cc_plan plan;
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
	cc_plan_release(&x->plan);
	cc_free(x->fb);
	for (size_t i = 0; i < x->n_surveys; i++) {
		cc_survey_table_release(&x->stab[i]);
		cc_survey_data_release(&x->sdata[i]);
	}
}

/* Each --survey question tabulated by wave (in import order), with changes between waves. */
static int load_surveys(struct cli *cli, const struct coverage_args *a,
                        const struct cc_mission *m, struct extras *x, struct cc_err *err)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < a->n_survey; i++) {
		struct cc_survey_data *d = &x->sdata[i];
		struct cc_survey_response *resp;

		ret = cc_store_load_survey(cli->st,
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
static int load_feedback(struct cli *cli, const struct coverage_args *a,
                         const struct cc_mission *m, struct extras *x, struct cc_err *err)
{
	int ret = cc_store_count_feedback(
	        cli->st,
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
	int32_t from, to;
};

static int add_span(void *ctx, const struct cc_export_activity *a, struct cc_err *err)
{
	struct spans_walk *w = ctx;
	struct cc_report_span sp = { a->start_date, a->end_date };

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
static int load_spans(struct cli *cli, const struct coverage_args *a, const struct cc_mission *m,
                      const struct cc_source *srcs, size_t n_srcs, struct extras *x,
                      struct cc_err *err)
{
	struct spans_walk w = { .x = x, .srcs = srcs, .n_srcs = n_srcs, .from = a->from,
		                .to = a->to };
	int ret = cc_store_export_activities(cli->st, m->id, add_span, &w, err);

	if (ret == CC_EUNSUPPORTED) {
		cc_err_clear(err);
		ret = 0;
	}
	return ret;
}

/* Progress of the mission's indicators (as `concord progress` computes it by default). */
static int load_progress(struct cli *cli, const struct cc_mission *m, struct extras *x,
                         struct cc_err *err)
{
	int ret = cc_store_load_indicator_data(
	        cli->st, &(struct cc_indicator_query){ .mission_id = m->id, .at = CC_DATE_NONE },
	        &x->ind, err);

	if (ret == CC_EUNSUPPORTED) {
		cc_err_clear(err);
		return 0;
	}
	if (ret == 0 && x->ind.n_indicators)
		ret = cc_progress_compute(&x->ind,
		                          &(struct cc_progress_opts){ .at = CC_DATE_NONE },
		                          &x->progress, &x->n_progress, err);
	return ret;
}

/* The plan review of --plan, against this mission. */
static int load_review(struct cli *cli, const char *path, const struct cc_mission *m,
                       struct extras *x, struct cc_err *err)
{
	int ret = cc_plan_read(path, &x->plan, err);

	if (ret == 0)
		ret = cc_review_plan(cli->st, &x->plan,
		                     &(struct cc_review_opts){ .mission_id = m->id,
		                                               .as_of = CC_DATE_NONE },
		                     &x->review, err);
	x->have_review = ret == 0;
	return ret;
}

/* The areas at the report's level that have a stored boundary, with their WKB. */
static int load_map(struct cli *cli, int level, struct extras *x, struct cc_err *err)
{
	int ret = cc_store_list_areas(cli->st, &(struct cc_area_filter){ .level = level },
	                              &x->areas, &x->n_areas, err);

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
		ret = cc_store_area_geometry(cli->st, a->id, &wkb, &len, err);
		if (ret < 0)
			return ret;
		if (!wkb)
			continue;
		x->map[x->n_map++] = (struct cc_report_area){
			.pcode = a->pcode, .name = a->name, .wkb = wkb, .wkb_len = len };
	}
	return 0;
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
 * The mission's own lessons and those of the register (no mission) on a pillar with activity in
 * the coverage (every pillar when coverage is not by pillar), by key.
 */
static int load_lessons(struct cli *cli, const struct cc_mission *m, const struct cc_coverage *cov,
                        struct extras *x, struct cc_err *err)
{
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
	ret = cc_store_list_lessons(cli->st,
	                            &(struct cc_lesson_filter){ .pillar = -1, .status = -1 },
	                            &x->lessons, &x->n_lessons, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < x->n_lessons; i++) {
		const struct cc_lesson *l = &x->lessons[i];

		if (l->mission_id == m->id || (l->mission_id == 0 && any_pillar(l->pillars, active)))
			memmove(&x->lessons[n++], l, sizeof(*l));
	}
	x->n_lessons = n;
	return 0;
}

/* The gap ranking as `concord gaps` computes it by default; no rows without needs. */
static int load_gaps(struct cli *cli, const struct coverage_args *a, const struct cc_mission *m,
                     struct extras *x, struct cc_err *err)
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
	        cli->st,
	        &(struct cc_need_query){ .mission_id = m->id, .from = a->from, .to = a->to },
	        &needs, &n_needs, &need_areas, &n_need_areas, &sectors, &n_sectors, err);
	if (ret < 0 || n_needs == 0)
		goto out_free;
	ret = cc_store_load_coverage(
	        cli->st,
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
static int load_incidents(struct cli *cli, const struct coverage_args *a,
                          const struct cc_mission *m, struct extras *x, struct cc_err *err)
{
	int32_t from = a->from != CC_DATE_NONE ? a->from : m->start_date;
	int32_t to = a->to != CC_DATE_NONE ? a->to : m->end_date;
	struct cc_exposure_incident *inc = NULL;
	char(*types)[64] = NULL;
	size_t n = 0, n_types = 0;
	int ret;

	ret = cc_store_load_incidents(
	        cli->st,
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

int cmd_report(struct cli *cli, int argc, char **argv)
{
	struct coverage_args a;
	struct cc_report_input in = { 0 };
	struct cc_report_source *rsrcs = NULL;
	struct cc_source *srcs = NULL;
	size_t n_srcs = 0;
	struct cc_coverage cov = { 0 };
	struct extras x = { 0 };
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT);
	struct cc_err err = { 0 };
	char today[11], version[64], period[32];
	struct tm tm;
	time_t t = time(NULL);
	FILE *f;
	int ret;

	ret = parse_args(cli, argc, argv, &a, true);
	if (ret != CLI_OK)
		return ret;
	if (!a.output)
		a.output = a.md ? "report.md" : "report.html";
	gmtime_r(&t, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	snprintf(version, sizeof(version), "concord %s", CC_VERSION);
	ret = compute(cli, &a, &in.mission, &cov, &err);
	if (ret == 0)
		ret = cc_store_list_sources(cli->st, in.mission.id, &srcs, &n_srcs, &err);
	if (ret == 0)
		ret = load_map(cli, a.level, &x, &err);
	if (ret == 0)
		ret = load_lessons(cli, &in.mission, &cov, &x, &err);
	if (ret == 0)
		ret = load_gaps(cli, &a, &in.mission, &x, &err);
	if (ret == 0)
		ret = load_incidents(cli, &a, &in.mission, &x, &err);
	if (ret == 0)
		ret = load_spans(cli, &a, &in.mission, srcs, n_srcs, &x, &err);
	if (ret == 0)
		ret = load_progress(cli, &in.mission, &x, &err);
	if (ret == 0)
		ret = load_feedback(cli, &a, &in.mission, &x, &err);
	if (ret == 0)
		ret = load_surveys(cli, &a, &in.mission, &x, &err);
	if (ret == 0 && a.plan)
		ret = load_review(cli, a.plan, &in.mission, &x, &err);
	if (ret == 0 && n_srcs) {
		rsrcs = cc_alloc_array(n_srcs, sizeof(*rsrcs));
		if (!rsrcs)
			ret = cc_err_set(&err, CC_ENOMEM, "out of memory");
	}
	if (ret == 0) {
		for (size_t i = 0; i < n_srcs; i++) {
			const struct cc_source *s = &srcs[i];

			rsrcs[i].name = s->name;
			rsrcs[i].imported_at = s->imported_at;
			/* records of the source, or for areas (no activities) the rows kept */
			rsrcs[i].rows = (size_t)(s->n_records > 0 || s->n_read < 0
			                                 ? s->n_records
			                                 : s->n_read - (s->n_rejected > 0 ? s->n_rejected : 0));
		}
		in.generated_on = today;
		in.generator = version;
		in.coverage = &cov;
		in.sources = rsrcs;
		in.n_sources = n_srcs;
		in.map_areas = x.map;
		in.n_map_areas = x.n_map;
		in.lessons = x.lessons;
		in.n_lessons = x.n_lessons;
		in.gaps = x.gaps.n_rows ? &x.gaps : NULL;
		in.incident_dates = x.dates;
		in.n_incidents = x.n_dates;
		in.activity_spans = x.spans;
		in.n_activity_spans = x.n_spans;
		in.period_from = a.from != CC_DATE_NONE ? a.from : in.mission.start_date;
		in.period_to = a.to != CC_DATE_NONE ? a.to : in.mission.end_date;
		in.period_set = in.period_from != CC_DATE_NONE && in.period_to != CC_DATE_NONE;
		if (a.from != CC_DATE_NONE || a.to != CC_DATE_NONE) {
			char d0[11], d1[11];

			snprintf(period, sizeof(period), "%s/%s",
			         a.from != CC_DATE_NONE ? cc_date_format(a.from, d0) : "..",
			         a.to != CC_DATE_NONE ? cc_date_format(a.to, d1) : "..");
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
			in.plan = &x.plan;
			in.review = &x.review;
		}
		ret = a.md ? cc_report_md(&in, &out, &err) : cc_report_html(&in, &out, &err);
	}
	extras_release(&x);
	cc_free(rsrcs);
	cc_free(srcs);
	cc_coverage_release(&cov);
	if (ret < 0) {
		cc_buf_release(&out);
		return cli_fail(&err);
	}
	f = fopen(a.output, "w");
	if (!f || fwrite(out.buf, 1, out.len, f) != out.len || fclose(f) != 0) {
		perror(a.output);
		cc_buf_release(&out);
		return CLI_FAIL;
	}
	printf("wrote %s (%zu bytes)\n", a.output, out.len);
	cc_buf_release(&out);
	return CLI_OK;
}
