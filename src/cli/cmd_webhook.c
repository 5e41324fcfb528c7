/* concord webhook add|list|remove|deliveries: partner systems that are sent the live feed */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/text.h>
#include <concord/webhooks.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

static int hook_add(struct cli *cli, int argc, char **argv)
{
	enum { O_ORG = 256, O_ANY_HOST };
	static const struct option longopts[] = {
		{ "org", required_argument, NULL, O_ORG },
		{ "any-host", no_argument, NULL, O_ANY_HOST },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_buf norm = CC_BUF_INIT(0);
	char secret[CC_WEBHOOK_SECRET_HEX];
	struct cc_err err = { 0 };
	struct cc_webhook h;
	struct cc_mission m;
	struct cc_org org;
	const char *org_name = NULL;
	bool any_host = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_ORG:
			org_name = optarg;
			break;
		case O_ANY_HOST:
			any_host = true;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "expected one URL");
	if (!org_name)
		return cli_usage(cli, "--org is required: the organisation the webhook reads for");
	if (cc_store_get_mission(cli->st, cli->mission, &m, &err) < 0)
		return cli_fail(&err);
	ret = cc_text_norm(org_name, &norm);
	if (ret == 0 && cc_store_find_org(cli->st, m.id, norm.buf, &org, NULL) < 0)
		ret = CC_ENOTFOUND;
	cc_buf_release(&norm);
	if (ret < 0) {
		cc_err_set(&err, CC_ENOTFOUND, "no organisation '%s' in the mission", org_name);
		cc_err_at(&err, NULL, 0, "--org");
		return cli_fail(&err);
	}
	if (cc_store_add_webhook(cli->st, m.id, org.id, 0, argv[optind], any_host, &h, secret,
	                         &err) < 0)
		return cli_fail(&err);
	printf("%s\n", secret);
	fflush(stdout);
	fprintf(stderr,
	        "webhook %lld for %s: %s, from change %lld on; the secret is shown only now\n",
	        (long long)h.id, h.org_key, h.url, (long long)h.cursor);
	return CLI_OK;
}

static int hook_list(struct cli *cli, int argc, char **argv)
{
	struct cc_webhook *hooks = NULL;
	struct cc_err err = { 0 };
	struct cc_mission m;
	size_t n = 0;

	(void)argv;
	if (argc != 1)
		return cli_usage(cli, "list takes no arguments");
	if (cc_store_get_mission(cli->st, cli->mission, &m, &err) < 0 ||
	    cc_store_list_webhooks(cli->st, m.id, 0, false, &hooks, &n, &err) < 0)
		return cli_fail(&err);
	for (size_t i = 0; i < n; i++)
		printf("%lld\t%s\t%s\t%lld\t%s\n", (long long)hooks[i].id, hooks[i].org_key,
		       hooks[i].active ? "active" : "removed", (long long)hooks[i].cursor,
		       hooks[i].url);
	cc_free(hooks);
	return CLI_OK;
}

static int hook_id(struct cli *cli, const char *s, int64_t *out)
{
	if (cc_parse_i64(s, 1, INT64_MAX, out, NULL) < 0)
		return cli_usage(cli, "'%s' is not a webhook ID", s);
	return CLI_OK;
}

static int hook_remove(struct cli *cli, int argc, char **argv)
{
	struct cc_err err = { 0 };
	int64_t id;
	int ret;

	if (argc != 2)
		return cli_usage(cli, "expected one webhook ID");
	if ((ret = hook_id(cli, argv[1], &id)) != CLI_OK)
		return ret;
	if (cc_store_remove_webhook(cli->st, id, &err) < 0)
		return cli_fail(&err);
	printf("webhook %lld removed\n", (long long)id);
	return CLI_OK;
}

static int hook_deliveries(struct cli *cli, int argc, char **argv)
{
	enum { O_LIMIT = 256 };
	static const struct option longopts[] = {
		{ "limit", required_argument, NULL, O_LIMIT },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_webhook_delivery *d = NULL;
	struct cc_err err = { 0 };
	struct cc_webhook h;
	int64_t id, limit = 100;
	size_t n = 0;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_LIMIT:
			if (cc_parse_i64(optarg, 1, 10000, &limit, NULL) < 0)
				return cli_usage(cli, "--limit: 1 to 10000 attempts");
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "expected one webhook ID");
	if ((ret = hook_id(cli, argv[optind], &id)) != CLI_OK)
		return ret;
	if (cc_store_get_webhook(cli->st, id, &h, NULL, &err) < 0 ||
	    cc_store_list_deliveries(cli->st, id, (size_t)limit, &d, &n, &err) < 0)
		return cli_fail(&err);
	for (size_t i = 0; i < n; i++) {
		time_t at = (time_t)d[i].at;
		struct tm tm;
		char when[32];

		gmtime_r(&at, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%lld\t%lld\t%s\t%d\t%lldms\t%s\n", (long long)d[i].change_id,
		       (long long)d[i].attempt, when, d[i].status, (long long)d[i].duration_ms,
		       d[i].error[0] ? d[i].error : "delivered");
	}
	cc_free(d);
	return CLI_OK;
}

int cmd_webhook(struct cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return hook_add(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return hook_list(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "remove") == 0)
		return hook_remove(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "deliveries") == 0)
		return hook_deliveries(cli, argc - 1, argv + 1);
	return cli_usage(cli, "expected 'add', 'list', 'remove' or 'deliveries'");
}
