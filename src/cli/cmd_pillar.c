/*
 * concord pillar CODE PILLAR: a mission's own pillar for a sector or cluster; without CODE
 * PILLAR, the pillar of every sector for the mission.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/store.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

/* concord pillar [--vocabulary V] [--overrides] [--json]: the pillar of every sector */
static int list(struct cli *cli, const char *vocabulary, bool overrides, bool json)
{
	struct cc_pillar_row *rows = NULL;
	struct cc_buf b = CC_BUF_INIT(0);
	struct cc_mission m;
	struct cc_err err = { 0 };
	size_t n = 0;

	if (vocabulary && strcmp(vocabulary, "1") && strcmp(vocabulary, "2") &&
	    strcmp(vocabulary, "10"))
		return cli_usage(cli, "--vocabulary: '%s': choose 1, 2 or 10", vocabulary);
	if (cc_store_get_mission(cli->st, cli->mission, &m, &err) < 0 ||
	    cc_store_list_pillars(cli->st, m.code, vocabulary, overrides, &rows, &n, &err) < 0)
		return cli_fail(&err);
	if (json) {
		if (cc_pillar_list_json(m.code, rows, n, &b, &err) < 0) {
			cc_free(rows);
			return cli_fail(&err);
		}
		fwrite(b.buf, 1, b.len, stdout);
		cc_buf_release(&b);
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%-3s %-10s %s%s\n", rows[i].vocabulary, rows[i].code,
			       cc_pillar_name((int)rows[i].pillar),
			       rows[i].override ? " (this mission)" : "");
	}
	cc_free(rows);
	return fflush(stdout) != 0 || ferror(stdout) ? CLI_FAIL : CLI_OK;
}

int cmd_pillar(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vocabulary", required_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "overrides", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *vocabulary = NULL;
	struct cc_pillar_setting p;
	struct cc_err err = { 0 };
	bool json = false, overrides = false;
	int opt, pillar;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'j')
			json = true;
		else if (opt == 'v')
			vocabulary = optarg;
		else if (opt == 'o')
			overrides = true;
		else
			return cli_usage(cli, "unknown option");
	}
	if (argc == optind)
		return list(cli, vocabulary, overrides, json);
	if (argc - optind != 2)
		return cli_usage(cli, "give a sector or cluster code and a pillar, or neither");
	if (overrides)
		return cli_usage(cli, "--overrides goes with the list (no CODE PILLAR)");
	pillar = cc_pillar_parse(argv[optind + 1]);
	if (pillar < 0)
		return cli_usage(cli, "unknown pillar '%s'; the pillars are: security, governance, "
		                      "infrastructure, economy, humanitarian, other",
		                 argv[optind + 1]);
	if (cc_store_set_pillar(cli->st, cli->mission, argv[optind], vocabulary,
	                        (enum cc_pillar)pillar, &p, &err) < 0)
		return cli_fail(&err);
	if (json) {
		struct cc_buf b = CC_BUF_INIT(0);

		if (cc_pillar_setting_json(&p, &b, &err) < 0) {
			cc_buf_release(&b);
			return cli_fail(&err);
		}
		fwrite(b.buf, 1, b.len, stdout);
		cc_buf_release(&b);
	} else {
		printf("mission %s: %s %s -> %s\n", p.mission, p.label, p.code,
		       cc_pillar_name(p.pillar));
	}
	return fflush(stdout) != 0 || ferror(stdout) ? CLI_FAIL : CLI_OK;
}
