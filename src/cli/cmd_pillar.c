/* concord pillar CODE PILLAR: a mission's own pillar for a sector or cluster */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <concord/store.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

/* Sector vocabularies in the order a bare code is tried, with their code lists. */
static const struct {
	const char *vocabulary;
	const char *list;
	const char *label;
} vocabularies[] = {
	{ .vocabulary = "10", .list = "IASCCluster", .label = "IASC cluster" },
	{ .vocabulary = "1", .list = "Sector", .label = "DAC 5-digit sector" },
	{ .vocabulary = "2", .list = "SectorCategory", .label = "DAC 3-digit category" },
};

int cmd_pillar(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vocabulary", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *vocabulary = NULL, *label = NULL;
	struct cc_mission m;
	struct cc_err err = { 0 };
	char code[64], detail[160];
	int opt, pillar, ret = CC_ENOTFOUND;
	int64_t sector_id;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt != 'v')
			return cli_usage(cli, "unknown option");
		vocabulary = optarg;
	}
	if (argc - optind != 2)
		return cli_usage(cli, "give a sector or cluster code and a pillar");
	pillar = cc_pillar_parse(argv[optind + 1]);
	if (pillar < 0)
		return cli_usage(cli, "unknown pillar '%s'; the pillars are: security, governance, "
		                      "infrastructure, economy, humanitarian, other",
		                 argv[optind + 1]);
	ret = cc_store_get_mission(cli->st, cli->mission, &m, &err);
	if (ret < 0)
		return cli_fail(&err);
	ret = CC_ENOTFOUND;
	for (size_t i = 0; i < sizeof(vocabularies) / sizeof(vocabularies[0]) && ret; i++) {
		if (vocabulary && strcmp(vocabulary, vocabularies[i].vocabulary) != 0)
			continue;
		ret = cc_store_resolve_code(cli->st, vocabularies[i].list, argv[optind], m.country,
		                            code, sizeof(code), &err);
		if (ret == 0)
			ret = cc_store_sector_id(cli->st, vocabularies[i].vocabulary, code, &sector_id,
			                         &err);
		if (ret == 0) {
			vocabulary = vocabularies[i].vocabulary;
			label = vocabularies[i].label;
		} else if (ret != CC_ENOTFOUND) {
			return cli_fail(&err);
		}
	}
	if (ret == CC_ENOTFOUND) {
		cc_err_clear(&err);
		cc_err_set(&err, CC_EINVALID,
		           "unknown sector '%s' (not an IASC cluster, a DAC code or a known alias%s%s)",
		           argv[optind], vocabulary ? " of vocabulary " : "",
		           vocabulary ? vocabulary : "");
		return cli_fail(&err);
	}
	snprintf(detail, sizeof(detail), "%s %s -> %s", label, code, cc_pillar_name(pillar));
	if ((ret = cc_store_begin(cli->st, &err)) < 0 ||
	    (ret = cc_store_put_pillar(cli->st, m.id, vocabulary, code, pillar, &err)) < 0 ||
	    (ret = cc_store_log_change(cli->st,
	                               &(struct cc_change){ .table = "pillar_map", .op = "update",
	                                                    .count = 1, .mission_id = m.id,
	                                                    .detail = detail },
	                               &err)) < 0 ||
	    (ret = cc_store_commit(cli->st, &err)) < 0) {
		cc_store_rollback(cli->st);
		return cli_fail(&err);
	}
	printf("mission %s: %s\n", m.code, detail);
	return CLI_OK;
}
