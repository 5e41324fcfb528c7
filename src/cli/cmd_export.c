/*
 * `concord export 3w|areas|iati|events -o FILE` and `concord audit verify`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <concord/export.h>
#include <concord/iati.h>
#include <concord/text.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

int cmd_export(struct cli *cli, int argc, char **argv)
{
	enum { O_LEVEL = 256, O_COVERAGE, O_SOURCE };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "with-coverage", no_argument, NULL, O_COVERAGE },
		{ "source", required_argument, NULL, O_SOURCE },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_export_areas_opts ao = { .level = -1, .mission = cli->mission };
	struct cc_err err = { 0 };
	const char *kind, *path = NULL, *source = NULL;
	bool level_given = false;
	size_t n = 0;
	int64_t v;
	int opt, ret;

	if (argc < 2 || argv[1][0] == '-')
		return cli_usage(cli, "give what to export: 3w, areas, iati or events");
	kind = argv[1];
	optind = 1;
	while ((opt = getopt_long(argc - 1, argv + 1, "o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			path = optarg;
			break;
		case O_LEVEL:
			if (cc_parse_i64(optarg, 0, 5, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			ao.level = (int)v;
			level_given = true;
			break;
		case O_COVERAGE:
			ao.with_coverage = true;
			break;
		case O_SOURCE:
			source = optarg;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind + 1]);
	if (!path)
		return cli_usage(cli, "give the output file with -o FILE");
	if (source && strcmp(kind, "events") != 0)
		return cli_usage(cli, "--source is for events");
	if (!strcmp(kind, "events")) {
		if (level_given || ao.with_coverage)
			return cli_usage(cli, "--level and --with-coverage are for areas");
		ret = cc_export_events(cli->st, source, path, &n, &err);
		if (ret < 0)
			return cli_fail(&err);
		printf("%zu incidents written to %s\n", n, path);
		return CLI_OK;
	}
	if (!strcmp(kind, "3w")) {
		if (level_given || ao.with_coverage)
			return cli_usage(cli, "--level and --with-coverage are for areas");
		ret = cc_export_3w(cli->st, cli->mission, path, &n, &err);
		if (ret < 0)
			return cli_fail(&err);
		printf("%zu activities written to %s\n", n, path);
		return CLI_OK;
	}
	if (!strcmp(kind, "areas")) {
		if (ao.with_coverage && !level_given)
			ao.level = 1;
		ret = cc_export_areas(cli->st, &ao, path, &n, &err);
		if (ret < 0)
			return cli_fail(&err);
		printf("%zu areas written to %s\n", n, path);
		return CLI_OK;
	}
	if (!strcmp(kind, "iati")) {
		if (level_given || ao.with_coverage)
			return cli_usage(cli, "--level and --with-coverage are for areas");
		ret = cc_export_iati(cli->st, cli->mission, path, &n, &err);
		if (ret < 0)
			return cli_fail(&err);
		printf("%zu IATI activities written to %s\n", n, path);
		return CLI_OK;
	}
	return cli_usage(cli, "cannot export '%s': choose 3w, areas, iati or events", kind);
}

int cmd_audit(struct cli *cli, int argc, char **argv)
{
	struct cc_err err = { 0 };
	char head[65];
	int64_t n = 0, n_head = 0;
	int ret;

	if (argc != 2 || strcmp(argv[1], "verify") != 0)
		return cli_usage(cli, "the audit command is: audit verify");
	ret = cc_store_verify_log(cli->st, &n, &err);
	if (ret < 0) {
		fprintf(stderr, "concord: audit: %s (%lld entries before it verified)\n", err.msg,
		        (long long)n);
		return CLI_FAIL;
	}
	ret = cc_store_log_head(cli->st, head, &n_head, &err);
	if (ret < 0)
		return cli_fail(&err);
	printf("change log verified: %lld entries, head %s\n", (long long)n,
	       head[0] ? head : "(empty)");
	return CLI_OK;
}
