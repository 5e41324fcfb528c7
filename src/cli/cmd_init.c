/* concord init, concord migrate */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <concord/import.h>
#include <concord/store.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

int cmd_init(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mission", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "country", required_argument, NULL, 'c' },
		{ "start", required_argument, NULL, 's' },
		{ "end", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_mission m = { .start_date = CC_DATE_NONE, .end_date = CC_DATE_NONE };
	struct cc_err err = { 0 };
	const char *code = cli->mission, *name = NULL, *country = NULL;
	int32_t start = CC_DATE_NONE, end = CC_DATE_NONE;
	int opt, ret, have, want;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			code = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'c':
			country = optarg;
			break;
		case 's':
		case 'e':
			if (cc_date_parse(optarg, opt == 's' ? &start : &end, &err) < 0)
				return cli_usage(cli, "--%s: %s", opt == 's' ? "start" : "end",
				                 err.msg);
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (country && (strlen(country) != 3 || strspn(country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3))
		return cli_usage(cli, "country '%s' is not an ISO 3166 alpha-3 code (e.g. AFG)",
		                 country);

	ret = cc_store_begin(cli->st, &err);
	if (ret == 0)
		ret = cc_import_codelists(cli->st, &err);
	if (ret < 0)
		goto out_fail;
	if (start != CC_DATE_NONE && end != CC_DATE_NONE && end < start)
		return cli_usage(cli, "--end is before --start");
	if (code || name || country || start != CC_DATE_NONE || end != CC_DATE_NONE) {
		if (cc_store_get_mission(cli->st, code, &m, NULL) < 0) {
			if (!code) {
				ret = cc_err_set(&err, CC_EUSAGE,
				                 "give the mission's code with --mission");
				goto out_fail;
			}
			m = (struct cc_mission){ .start_date = CC_DATE_NONE,
				                 .end_date = CC_DATE_NONE };
		}
		if (start != CC_DATE_NONE)
			m.start_date = start;
		if (end != CC_DATE_NONE)
			m.end_date = end;
		if (code)
			snprintf(m.code, sizeof(m.code), "%s", code);
		if (name)
			snprintf(m.name, sizeof(m.name), "%s", name);
		if (country)
			snprintf(m.country, sizeof(m.country), "%s", country);
		if (!m.name[0])
			snprintf(m.name, sizeof(m.name), "%s", m.code);
		ret = cc_store_put_mission(cli->st, &m, &err);
	} else if ((ret = cc_store_get_mission(cli->st, NULL, &m, NULL)) == CC_ENOTFOUND) {
		snprintf(m.code, sizeof(m.code), "DEFAULT");
		snprintf(m.name, sizeof(m.name), "Default mission");
		ret = cc_store_put_mission(cli->st, &m, &err);
	} else {
		ret = 0; /* several missions, or one: nothing to create */
	}
	if (ret < 0)
		goto out_fail;
	ret = cc_store_commit(cli->st, &err);
	if (ret < 0)
		goto out_fail;
	cc_store_schema_version(cli->st, &have, &want, NULL);
	printf("store %s ready (schema %d)", cli->db, have);
	if (m.code[0])
		printf("; mission %s: %s%s%s", m.code, m.name, m.country[0] ? ", " : "", m.country);
	printf("\n");
	return CLI_OK;
out_fail:
	cc_store_rollback(cli->st);
	return cli_fail(&err);
}

int cmd_migrate(struct cli *cli, int argc, char **argv)
{
	struct cc_err err = { 0 };
	int from, to, ret;

	(void)argv;
	if (argc > 1)
		return cli_usage(cli, "unexpected argument '%s'", argv[1]);
	ret = cc_store_migrate(cli->st, &from, &to, &err);
	if (ret < 0)
		return cli_fail(&err);
	if (from == to)
		printf("store %s is up to date (schema %d)\n", cli->db, to);
	else
		printf("store %s migrated from schema %d to %d\n", cli->db, from, to);
	return CLI_OK;
}
