/* concord coverage, concord report */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
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

int cmd_report(struct cli *cli, int argc, char **argv)
{
	struct coverage_args a;
	struct cc_report_input in = { 0 };
	struct cc_report_source *rsrcs = NULL;
	struct cc_source *srcs = NULL;
	size_t n_srcs = 0;
	struct cc_coverage cov = { 0 };
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
		ret = cc_report_html(&in, &out, &err);
	}
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
