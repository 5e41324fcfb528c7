/* concord coverage, concord report */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/coverage.h>
#include <concord/events.h>
#include <concord/gaps.h>
#include <concord/lessons.h>
#include <concord/needs.h>
#include <concord/report.h>
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
};

/* Parses the options shared by coverage and report; returns CLI_OK or an exit status. */
static int parse_args(struct cli *cli, int argc, char **argv, struct coverage_args *a,
                      bool report)
{
	enum { O_LEVEL = 256, O_BY, O_FROM, O_TO, O_JSON, O_CSV };
	static const struct option longopts[] = {
		{ "level", required_argument, NULL, O_LEVEL },
		{ "by", required_argument, NULL, O_BY },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "json", no_argument, NULL, O_JSON },
		{ "csv", no_argument, NULL, O_CSV },
		{ "output", required_argument, NULL, 'o' },
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
	char today[11], version[64];
	struct tm tm;
	time_t t = time(NULL);
	FILE *f;
	int ret;

	ret = parse_args(cli, argc, argv, &a, true);
	if (ret != CLI_OK)
		return ret;
	if (!a.output)
		a.output = "report.html";
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
		ret = cc_report_html(&in, &out, &err);
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
