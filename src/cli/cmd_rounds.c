/*
 * concord rounds (who reported for which period), concord template 3w (a blank 3W for
 * partners) and concord area (aliases, validity dates, the crosswalk).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/needs.h>
#include <concord/report.h>
#include <concord/rounds.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "core/limits.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

/* ---- rounds ---- */

int cli_rounds(struct cli *cli, int argc, char **argv)
{
	enum { O_AS_OF = 256, O_CSV, O_JSON };
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, O_AS_OF },
		{ "csv", no_argument, NULL, O_CSV },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	enum cc_format fmt = CC_FORMAT_TABLE;
	struct cc_err err = { 0 };
	struct cc_mission m;
	struct cc_submission *subs = NULL;
	struct cc_round_org *orgs = NULL;
	struct cc_rounds rr = { 0 };
	size_t n_subs = 0, n_orgs = 0;
	int32_t as_of = CC_DATE_NONE;
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_AS_OF:
			if (cc_date_parse(optarg, &as_of, &err) < 0)
				return cli_usage(cli, "--as-of: %s", err.msg);
			break;
		case O_CSV:
			fmt = CC_FORMAT_CSV;
			break;
		case O_JSON:
			fmt = CC_FORMAT_JSON;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, &err)) < 0 ||
	    (ret = cc_store_list_submissions(cli->st, m.id, as_of, &subs, &n_subs, &err)) < 0 ||
	    (ret = cc_store_round_orgs(cli->st, m.id, false, &orgs, &n_orgs, &err)) < 0 ||
	    (ret = cc_rounds_compute(subs, n_subs, orgs, n_orgs, &rr, &err)) < 0 ||
	    (ret = cc_rounds_format(&rr, subs, orgs, n_orgs, (int)fmt, &out, &err)) < 0)
		ret = cli_fail(&err);
	else
		ret = cli_write(out.buf, out.len);
	cc_buf_release(&out);
	cc_rounds_release(&rr);
	cc_free(subs);
	cc_free(orgs);
	return ret;
}

/* ---- template 3w ---- */

int cli_template(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_err err = { 0 };
	struct cc_mission m;
	const char *path = NULL;
	size_t n_areas, n_sectors, n_orgs;
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (opt != 'o')
			return cli_usage(cli, "unknown option");
		path = optarg;
	}
	if (optind >= argc || strcmp(argv[optind], "3w") != 0)
		return cli_usage(cli, "say which template: 3w");
	if (optind + 1 < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind + 1]);
	if (!path)
		return cli_usage(cli, "give the file to write with -o FILE");
	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, &err)) < 0 ||
	    (ret = cc_template_3w(cli->st, m.id, path, &n_areas, &n_sectors, &n_orgs, &err)) < 0)
		return cli_fail(&err);
	printf("wrote %s: a blank HXL 3W; lists of %zu areas, %zu sectors, %zu organisations "
	       "beside it (-lists.csv)\n",
	       path, n_areas, n_sectors, n_orgs);
	return CLI_OK;
}

/* ---- area ---- */

static int area_alias(struct cli *cli, int argc, char **argv)
{
	struct cc_buf norm = CC_BUF_INIT(0);
	struct cc_err err = { 0 };
	struct cc_area a;
	int ret;

	if (argc != 4 || strcmp(argv[1], "add") != 0)
		return cli_usage(cli, "area alias add PCODE NAME");
	if ((ret = cc_store_find_area(cli->st, argv[2], &a, &err)) < 0)
		return cli_fail(&err);
	if ((ret = cc_text_norm(argv[3], &norm)) < 0 || norm.len == 0) {
		cc_buf_release(&norm);
		return cli_usage(cli, "alias '%s' is empty or not UTF-8", argv[3]);
	}
	if ((ret = cc_store_begin(cli->st, &err)) == 0 &&
	    (ret = cc_store_put_area_alias(cli->st, a.id, norm.buf, "cli", &err)) == 0 &&
	    (ret = cc_store_log_change(cli->st,
	                               &(struct cc_change){ .table = "area_alias", .op = "insert",
	                                                    .record_id = a.id, .count = 1,
	                                                    .detail = argv[3] },
	                               &err)) == 0)
		ret = cc_store_commit(cli->st, &err);
	if (ret < 0) {
		cc_store_rollback(cli->st);
		cc_buf_release(&norm);
		return cli_fail(&err);
	}
	printf("%s %s: alias '%s' (matched as '%s')\n", a.pcode, a.name, argv[3], norm.buf);
	cc_buf_release(&norm);
	return CLI_OK;
}

static int area_valid(struct cli *cli, int argc, char **argv)
{
	enum { O_FROM = 256, O_TO };
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_err err = { 0 };
	int32_t from = CC_DATE_NONE, to = CC_DATE_NONE;
	bool set = false;
	char a[11], b[11];
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt != O_FROM && opt != O_TO)
			return cli_usage(cli, "unknown option");
		if (cc_date_parse(optarg, opt == O_FROM ? &from : &to, &err) < 0)
			return cli_usage(cli, "%s: %s", opt == O_FROM ? "--from" : "--to", err.msg);
		set = true;
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "area valid PCODE [--from DATE] [--to DATE]");
	if (set && cc_store_set_area_validity(cli->st, argv[optind], from, to, &err) < 0)
		return cli_fail(&err);
	if (cc_store_area_validity(cli->st, argv[optind], &from, &to, &err) < 0)
		return cli_fail(&err);
	printf("%s valid from %s to %s\n", argv[optind],
	       from == CC_DATE_NONE ? "(open)" : cc_date_format(from, a),
	       to == CC_DATE_NONE ? "(open)" : cc_date_format(to, b));
	return CLI_OK;
}

static int area_crosswalk(struct cli *cli)
{
	struct cc_crosswalk *cw = NULL;
	struct cc_err err = { 0 };
	size_t n = 0;
	char d[11];

	if (cc_store_list_crosswalk(cli->st, &cw, &n, &err) < 0)
		return cli_fail(&err);
	printf("old_pcode,new_pcode,share,date\n");
	for (size_t i = 0; i < n; i++)
		printf("%s,%s,%.6g,%s\n", cw[i].old_pcode, cw[i].new_pcode, cw[i].share,
		       cc_date_format(cw[i].date, d));
	cc_free(cw);
	return CLI_OK;
}

/* area population [--year Y] [--at DATE]: population per area, carried onto the layout of
   DATE through the crosswalk */
static int area_population(struct cli *cli, int argc, char **argv)
{
	enum { O_YEAR = 256, O_AT };
	static const struct option longopts[] = {
		{ "year", required_argument, NULL, O_YEAR },
		{ "at", required_argument, NULL, O_AT },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_area_filter f = { .level = -1 };
	struct cc_population *pop = NULL;
	struct cc_crosswalk *cw = NULL;
	struct cc_area_value *in = NULL, *out = NULL;
	struct cc_area *areas = NULL;
	size_t n_pop = 0, n_cw = 0, n_in = 0, n_out = 0, n_areas = 0;
	struct cc_err err = { 0 };
	int32_t at = CC_DATE_NONE;
	int64_t year = 0, last_area = 0;
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == O_YEAR) {
			if (cc_parse_i64(optarg, 1900, 2200, &year, &err) < 0)
				return cli_usage(cli, "--year: %s", err.msg);
		} else if (opt == O_AT) {
			if (cc_date_parse(optarg, &at, &err) < 0)
				return cli_usage(cli, "--at: %s", err.msg);
		} else {
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (at == CC_DATE_NONE)
		at = INT32_MAX - 1; /* every crosswalk row */
	if ((ret = cc_store_list_population(cli->st, 0, &pop, &n_pop, &err)) < 0 ||
	    (ret = cc_store_list_crosswalk(cli->st, &cw, &n_cw, &err)) < 0 ||
	    (ret = cc_store_list_areas(cli->st, &f, &areas, &n_areas, &err)) < 0)
		goto out;
	in = cc_alloc_array(n_pop + 1, sizeof(*in));
	if (!in) {
		ret = cc_err_set(&err, CC_ENOMEM, "out of memory");
		goto out;
	}
	/* per area the newest year (the list gives it first), or the year asked for */
	for (size_t i = 0; i < n_pop; i++) {
		if (year ? pop[i].year != year : pop[i].area_id == last_area)
			continue;
		if (year && n_in && in[n_in - 1].area_id == pop[i].area_id)
			continue;
		last_area = pop[i].area_id;
		in[n_in++] = (struct cc_area_value){ pop[i].area_id, (double)pop[i].value };
	}
	if ((ret = cc_crosswalk_apply(cw, n_cw, in, n_in, at, &out, &n_out, &err)) < 0)
		goto out;
	printf("pcode,name,population,carried\n");
	for (size_t i = 0; i < n_out; i++) {
		const struct cc_area *a = NULL;
		bool carried = true;
		char v[32];

		for (size_t k = 0; k < n_areas && !a; k++)
			if (areas[k].id == out[i].area_id)
				a = &areas[k];
		for (size_t k = 0; k < n_in && carried; k++)
			if (in[k].area_id == out[i].area_id && in[k].value == out[i].value)
				carried = false;
		snprintf(v, sizeof(v), "%.0f", out[i].value);
		cli_csv_field(a ? a->pcode : "?", false);
		cli_csv_field(a ? a->name : "", false);
		cli_csv_field(v, false);
		cli_csv_field(carried ? "yes" : "no", true);
	}
out:
	cc_free(pop);
	cc_free(cw);
	cc_free(in);
	cc_free(out);
	cc_free(areas);
	return ret < 0 ? cli_fail(&err) : CLI_OK;
}

int cli_area(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(cli, "say what to do: alias, valid, crosswalk or population");
	if (!strcmp(argv[1], "alias"))
		return area_alias(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "valid"))
		return area_valid(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "crosswalk") && argc == 2)
		return area_crosswalk(cli);
	if (!strcmp(argv[1], "population"))
		return area_population(cli, argc - 1, argv + 1);
	return cli_usage(cli, "unknown subcommand '%s'", argv[1]);
}
