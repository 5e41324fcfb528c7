/*
 * concord rounds (who reported for which period), concord template 3w (a blank 3W for
 * partners) and concord area (aliases, validity dates, the crosswalk).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <concord/admin.h>
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

/* Prints what fmt of a cc_*_format call gave, or the error. */
static int put_out(struct cc_buf *out, int ret, const struct cc_err *err)
{
	ret = ret < 0 ? cli_fail(err) : cli_write(out->buf, out->len);
	cc_buf_release(out);
	return ret;
}

/* --json as the only option of a subcommand; -1 after printing the usage error. */
static int json_only(struct cli *cli, int argc, char **argv, bool *json)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*json = false;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt != 'J') {
			cli_usage(cli, "unknown option");
			return -1;
		}
		*json = true;
	}
	return 0;
}

static int area_alias(struct cli *cli, int argc, char **argv)
{
	struct cc_buf norm = CC_BUF_INIT(0), out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_err err = { 0 };
	struct cc_area a;
	bool json;
	int ret;

	if (json_only(cli, argc, argv, &json) < 0)
		return CLI_USAGE;
	if (argc - optind != 3 || strcmp(argv[optind], "add") != 0)
		return cli_usage(cli, "area alias add PCODE NAME [--json]");
	ret = cc_area_alias_add(cli->st, argv[optind + 1], argv[optind + 2], "cli", &a, &norm,
	                        &err);
	if (ret == CC_EUSAGE) {
		cc_buf_release(&norm);
		return cli_usage(cli, "%s", err.msg);
	}
	if (ret == 0)
		ret = cc_area_alias_format(&a, argv[optind + 2], norm.buf,
		                           json ? CC_FORMAT_JSON : CC_FORMAT_TABLE, &out, &err);
	cc_buf_release(&norm);
	return put_out(&out, ret, &err);
}

static int area_valid(struct cli *cli, int argc, char **argv)
{
	enum { O_FROM = 256, O_TO, O_JSON };
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_err err = { 0 };
	int32_t from = CC_DATE_NONE, to = CC_DATE_NONE;
	bool set = false, json = false;
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == O_JSON) {
			json = true;
			continue;
		}
		if (opt != O_FROM && opt != O_TO)
			return cli_usage(cli, "unknown option");
		if (cc_date_parse(optarg, opt == O_FROM ? &from : &to, &err) < 0)
			return cli_usage(cli, "%s: %s", opt == O_FROM ? "--from" : "--to", err.msg);
		set = true;
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "area valid PCODE [--from DATE] [--to DATE] [--json]");
	if (set && (ret = cc_area_validity_set(cli->st, argv[optind], from, to, &err)) < 0)
		return cli_fail(&err);
	if ((ret = cc_store_area_validity(cli->st, argv[optind], &from, &to, &err)) == 0)
		ret = cc_area_validity_format(argv[optind], from, to,
		                              json ? CC_FORMAT_JSON : CC_FORMAT_TABLE, &out, &err);
	return put_out(&out, ret, &err);
}

static int area_crosswalk(struct cli *cli, int argc, char **argv)
{
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_crosswalk *cw = NULL;
	struct cc_err err = { 0 };
	size_t n = 0;
	bool json;
	int ret;

	if (json_only(cli, argc, argv, &json) < 0)
		return CLI_USAGE;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((ret = cc_store_list_crosswalk(cli->st, &cw, &n, &err)) == 0)
		ret = cc_crosswalk_format(cw, n, json ? CC_FORMAT_JSON : CC_FORMAT_CSV, &out, &err);
	cc_free(cw);
	return put_out(&out, ret, &err);
}

/* area population [--year Y] [--at DATE] [--json]: population per area, carried onto the
   layout of DATE through the crosswalk */
static int area_population(struct cli *cli, int argc, char **argv)
{
	enum { O_YEAR = 256, O_AT, O_JSON };
	static const struct option longopts[] = {
		{ "year", required_argument, NULL, O_YEAR },
		{ "at", required_argument, NULL, O_AT },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_area_population *pop = NULL;
	struct cc_err err = { 0 };
	size_t n = 0;
	int32_t at = CC_DATE_NONE;
	int64_t year = 0;
	bool json = false;
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == O_YEAR) {
			if (cc_parse_i64(optarg, 1900, 2200, &year, &err) < 0)
				return cli_usage(cli, "--year: %s", err.msg);
		} else if (opt == O_AT) {
			if (cc_date_parse(optarg, &at, &err) < 0)
				return cli_usage(cli, "--at: %s", err.msg);
		} else if (opt == O_JSON) {
			json = true;
		} else {
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((ret = cc_area_population_load(cli->st, (int)year, at, &pop, &n, &err)) == 0)
		ret = cc_area_population_format(pop, n, (int)year, at,
		                                json ? CC_FORMAT_JSON : CC_FORMAT_CSV, &out, &err);
	cc_free(pop);
	return put_out(&out, ret, &err);
}

int cli_area(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(cli, "say what to do: alias, valid, crosswalk or population");
	if (!strcmp(argv[1], "alias"))
		return area_alias(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "valid"))
		return area_valid(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "crosswalk"))
		return area_crosswalk(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "population"))
		return area_population(cli, argc - 1, argv + 1);
	return cli_usage(cli, "unknown subcommand '%s'", argv[1]);
}
