/* concord coverage, concord report */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/analyses.h>
#include <concord/coverage.h>
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
	int32_t as_of;       /* coverage --as-of DATE, CC_DATE_NONE now */
	enum cc_format fmt;
	const char *output; /* report only */
	const char *plan;   /* report only: --plan FILE */
	const char *survey[8]; /* report only: --survey QUESTION, repeatable */
	size_t n_survey;
	bool md;            /* report only: --format md */
	int map_measure;    /* report only: --map-measure, enum cc_map_measure */
};

/* Parses the options shared by coverage and report; returns CLI_OK or an exit status. */
static int parse_args(struct cli *cli, int argc, char **argv, struct coverage_args *a,
                      bool report)
{
	enum {
		O_LEVEL = 256,
		O_BY,
		O_FROM,
		O_TO,
		O_JSON,
		O_CSV,
		O_PLAN,
		O_FORMAT,
		O_SURVEY,
		O_AS_OF,
		O_MAP_MEASURE
	};
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
		{ "as-of", required_argument, NULL, O_AS_OF },
		{ "map-measure", required_argument, NULL, O_MAP_MEASURE },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_err err = { 0 };
	int64_t v;
	int opt;

	*a = (struct coverage_args){ .level = 1, .by = CC_BY_PILLAR, .from = CC_DATE_NONE,
		                     .to = CC_DATE_NONE, .as_of = CC_DATE_NONE,
		                     .fmt = CC_FORMAT_TABLE };
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
		case O_AS_OF:
			if (report)
				return cli_usage(cli, "unknown option");
			if (cc_date_parse(optarg, &a->as_of, &err) < 0)
				return cli_usage(cli, "--as-of: %s", err.msg);
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
		case O_MAP_MEASURE:
			if (!report)
				return cli_usage(cli, "unknown option");
			a->map_measure = cc_map_measure_parse(optarg);
			if (a->map_measure < 0)
				return cli_usage(
				        cli,
				        "--map-measure '%s': choose activities, organisations, "
				        "incidents, people-in-need or gap",
				        optarg);
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

/* The date whose admin layout the matrix is shown on: the end of the period asked, else the
   --as-of date, else today's (every crosswalk row). */
static int32_t layout_date(const struct coverage_args *a)
{
	return a->to != CC_DATE_NONE ? a->to : a->as_of;
}

/* Loads and computes the matrix for the mission; 0 or an error in err. *n_carried: records
   the store's coverage read carried through the crosswalk onto the layout of layout_date(). */
static int compute(struct cli *cli, const struct coverage_args *a, struct cc_mission *m,
                   struct cc_coverage *cov, size_t *n_carried, struct cc_err *err)
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
	                                                          .from = a->from, .to = a->to,
	                                                          .as_of = a->as_of,
	                                                          .layout = layout_date(a),
	                                                          .n_carried = n_carried },
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
	size_t n_carried = 0;
	int ret;

	ret = parse_args(cli, argc, argv, &a, false);
	if (ret != CLI_OK)
		return ret;
	ret = compute(cli, &a, &m, &cov, &n_carried, &err);
	if (ret == 0)
		ret = cc_coverage_format(&cov, a.fmt, &out, &err);
	if (ret == 0 && n_carried) {
		char d[11], note[320];
		int32_t at = layout_date(&a);

		/* the rule, with the matrix in text; beside it (stderr) for CSV and JSON */
		snprintf(note, sizeof(note),
		         "%zu activity records of areas changed by a re-districting carried onto "
		         "the layout of %s through the crosswalk: an activity counts whole in each "
		         "new area, its people targeted and reached split by the shares",
		         n_carried, at == CC_DATE_NONE ? "today" : cc_date_format(at, d));
		if (a.fmt == CC_FORMAT_TABLE) {
			if (cc_buf_addf(&out, "# %s\n", note) < 0)
				ret = cc_err_set(&err, CC_ETOOBIG, "the output is too large");
		} else {
			fprintf(stderr, "concord: note: %s\n", note);
		}
	}
	cc_coverage_release(&cov);
	if (ret < 0) {
		cc_buf_release(&out);
		return cli_fail(&err);
	}
	ret = cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}

/*
 * concord report: the review report of cc_report_build (the same the API serves), written to
 * -o FILE. The plan of --plan is read here (a file is the command line's business).
 */
int cmd_report(struct cli *cli, int argc, char **argv)
{
	struct coverage_args a;
	struct cc_plan plan = { 0 };
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
		a.output = a.md ? "report.md" : "report.html";
	gmtime_r(&t, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	snprintf(version, sizeof(version), "concord %s", CC_VERSION);
	ret = a.plan ? cc_plan_read(a.plan, &plan, &err) : 0;
	if (ret == 0)
		ret = cc_report_build(cli->st,
		                      &(struct cc_report_query){ .mission = cli->mission,
		                                                 .level = a.level,
		                                                 .by = a.by,
		                                                 .from = a.from,
		                                                 .to = a.to,
		                                                 .survey = a.survey,
		                                                 .n_survey = a.n_survey,
		                                                 .plan = a.plan ? &plan : NULL,
		                                                 .generated_on = today,
		                                                 .generator = version,
		                                                 .md = a.md,
		                                                 .map_measure = a.map_measure },
		                      &out, &err);
	cc_plan_release(&plan);
	if (ret < 0) {
		cc_buf_release(&out);
		return cli_fail(&err);
	}
	f = fopen(a.output, "w");
	if (f) {
		bool written = fwrite(out.buf, 1, out.len, f) == out.len;

		if (fclose(f) != 0 || !written)
			f = NULL;
	}
	if (!f) {
		perror(a.output);
		cc_buf_release(&out);
		return CLI_FAIL;
	}
	printf("wrote %s (%zu bytes)\n", a.output, out.len);
	cc_buf_release(&out);
	return CLI_OK;
}
