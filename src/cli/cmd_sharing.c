/* --as READER, concord member, mark and watch: who may see what, from the command line */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <concord/admin.h>
#include <concord/alloc.h>
#include <concord/auth.h>
#include <concord/feed.h>
#include <concord/report.h>
#include <concord/sharing.h>
#include <concord/text.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

/* The organisation of the mission named by key or alias. */
static int find_org(struct cc_store *st, int64_t mission_id, const char *name, const char *field,
                    struct cc_org *out, struct cc_err *err)
{
	struct cc_buf norm = CC_BUF_INIT(0);
	int ret = cc_text_norm(name, &norm);

	if (ret == 0)
		ret = cc_store_find_org(st, mission_id, norm.buf, out, NULL);
	cc_buf_release(&norm);
	if (ret < 0) {
		cc_err_set(err, CC_ENOTFOUND, "no organisation '%s' in the mission", name);
		cc_err_at(err, NULL, 0, field);
		return CC_ENOTFOUND;
	}
	return 0;
}

int cli_read_as(struct cli *cli, const char *reader, struct cc_err *err)
{
	struct cc_mission m;
	struct cc_viewer v;
	struct cc_org org;
	char name[256];
	const char *colon = strrchr(reader, ':');
	enum cc_role role;
	int ret;

	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, err)) < 0)
		return ret;
	if (strcmp(reader, "public") == 0) {
		v = cc_viewer_public();
	} else if (strcmp(reader, "partners") == 0) {
		v = cc_viewer_partners(m.id);
	} else {
		snprintf(name, sizeof(name), "%.*s",
		         (int)(colon && colon > reader ? (size_t)(colon - reader) : strlen(reader)),
		         reader);
		if (colon && colon > reader && cc_role_parse(colon + 1, &role, err) < 0) {
			cc_err_at(err, NULL, 0, "--as");
			return cc_err_set(err, CC_EUSAGE, "--as %s: %s", reader, err->msg);
		}
		if ((ret = find_org(cli->st, m.id, name, "--as", &org, err)) < 0 ||
		    (ret = cc_store_org_viewer(cli->st, m.id, org.id, &v, err)) < 0)
			return ret;
	}
	cc_store_set_viewer(cli->st, &v);
	return 0;
}

/*
 * The organisation named on the command line, registered when it is new and kind or name say
 * what it is: key "local:NAME" (as the 3W importer makes them), NAME as its alias.
 */
static int find_or_add_org(struct cc_store *st, const struct cc_mission *m, const char *name,
                           const char *full_name, const char *kind, struct cc_org *out,
                           struct cc_err *err)
{
	struct cc_buf norm = CC_BUF_INIT(0);
	int ret;

	ret = find_org(st, m->id, name, "ORG", out, err);
	if (ret == 0 || (!kind && !full_name))
		return ret;
	cc_err_clear(err);
	if (kind && !cc_kind_bit(kind)) {
		cc_err_set(err, CC_EUSAGE, "unknown organisation kind '%s' (military, un, eu, "
		           "government, ngo, rcrc, private, other)", kind);
		cc_err_at(err, NULL, 0, "--kind");
		return CC_EUSAGE;
	}
	memset(out, 0, sizeof(*out));
	out->mission_id = m->id;
	out->is_local = -1;
	snprintf(out->key, sizeof(out->key), "%s%s", strchr(name, ':') ? "" : "local:", name);
	snprintf(out->name, sizeof(out->name), "%s", full_name ? full_name : name);
	snprintf(out->acronym, sizeof(out->acronym), "%s", name);
	snprintf(out->kind, sizeof(out->kind), "%s", kind ? kind : "");
	if ((ret = cc_store_put_org(st, out, err)) < 0)
		return ret;
	ret = cc_text_norm(name, &norm);
	if (ret == 0)
		ret = cc_store_put_org_alias(st, m->id, out->id, norm.buf, err);
	cc_buf_release(&norm);
	return ret < 0 ? cc_err_set(err, ret, "cannot register organisation '%s'", name) : 0;
}

int cmd_member(struct cli *cli, int argc, char **argv)
{
	enum { O_NAME = 256, O_KIND };
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, O_NAME },
		{ "kind", required_argument, NULL, O_KIND },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_err err = { 0 };
	struct cc_mission m;
	struct cc_org *orgs = NULL, org;
	const char *name = NULL, *kind = NULL;
	size_t n = 0;
	bool add;
	int opt, ret;

	if (argc < 2)
		return cli_usage(cli, "say add, remove or list");
	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, &err)) < 0)
		return cli_fail(&err);
	if (strcmp(argv[1], "list") == 0) {
		if (argc > 2)
			return cli_usage(cli, "list takes no arguments");
		if ((ret = cc_store_list_members(cli->st, m.id, &orgs, &n, &err)) < 0)
			return cli_fail(&err);
		for (size_t i = 0; i < n; i++)
			printf("%-32s %-12s %s\n", orgs[i].key, orgs[i].kind[0] ? orgs[i].kind : "-",
			       orgs[i].name);
		printf("%zu member%s of mission %s\n", n, n == 1 ? "" : "s", m.code);
		cc_free(orgs);
		return CLI_OK;
	}
	if (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "remove") != 0)
		return cli_usage(cli, "unknown action '%s': add, remove or list", argv[1]);
	add = argv[1][0] == 'a';
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_NAME:
			name = optarg;
			break;
		case O_KIND:
			kind = optarg;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (!add && (name || kind))
		return cli_usage(cli, "--name and --kind go with add");
	if (optind >= argc)
		return cli_usage(cli, "name the organisation(s) to %s", argv[1]);
	if (name && argc - optind > 1)
		return cli_usage(cli, "--name names one organisation; give one");
	for (int i = optind; i < argc; i++) {
		if ((ret = add ? find_or_add_org(cli->st, &m, argv[i], name, kind, &org, &err)
		               : find_org(cli->st, m.id, argv[i], "ORG", &org, &err)) < 0 ||
		    (ret = cc_store_set_member(cli->st, m.id, org.id, add, &err)) < 0)
			return cli_fail(&err);
		printf("%s: %s\n", org.key, add ? "member" : "not a member");
	}
	return CLI_OK;
}

int cmd_mark(struct cli *cli, int argc, char **argv)
{
	enum { O_REL = 256, O_OWNER, O_DENY, O_SHARE, O_UNSHARE };
	static const struct option longopts[] = {
		{ "releasability", required_argument, NULL, O_REL },
		{ "owner", required_argument, NULL, O_OWNER },
		{ "deny", required_argument, NULL, O_DENY },
		{ "share", required_argument, NULL, O_SHARE },
		{ "unshare", required_argument, NULL, O_UNSHARE },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_err err = { 0 };
	struct cc_record_marking m;
	struct cc_mission mission;
	const char *rel_s = NULL, *owner = NULL, *deny_s = NULL;
	const char *shares[16], *unshares[16];
	size_t n_sh = 0, n_un = 0;
	enum cc_rel rel;
	unsigned deny;
	int64_t id, owner_id;
	struct cc_org org;
	char kinds[96];
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_REL:
			rel_s = optarg;
			break;
		case O_OWNER:
			owner = optarg;
			break;
		case O_DENY:
			deny_s = optarg;
			break;
		case O_SHARE:
			if (n_sh == 16)
				return cli_usage(cli, "at most 16 --share at once");
			shares[n_sh++] = optarg;
			break;
		case O_UNSHARE:
			if (n_un == 16)
				return cli_usage(cli, "at most 16 --unshare at once");
			unshares[n_un++] = optarg;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (argc - optind != 2)
		return cli_usage(cli, "give TABLE and ID");
	if (cc_parse_i64(argv[optind + 1], 1, INT64_MAX, &id, NULL) < 0)
		return cli_usage(cli, "'%s' is not a record id", argv[optind + 1]);
	if ((ret = cc_store_get_mission(cli->st, cli->mission, &mission, &err)) < 0 ||
	    (ret = cc_store_get_marking(cli->st, argv[optind], id, &m, &err)) < 0)
		return cli_fail(&err);
	rel = m.rel;
	deny = m.deny;
	owner_id = m.owner_id;
	if (rel_s && cc_rel_parse(rel_s, &rel, &err) < 0)
		return cli_usage(cli, "--releasability: %s", err.msg);
	if (owner) {
		if ((ret = find_org(cli->st, mission.id, owner, "--owner", &org, &err)) < 0)
			return cli_fail(&err);
		owner_id = org.id;
		if (!deny_s)
			deny = cc_default_deny(org.kind);
	}
	if (deny_s && cc_kinds_parse(deny_s, &deny, &err) < 0)
		return cli_usage(cli, "--deny: %s", err.msg);
	if ((rel_s || owner || deny_s) &&
	    (ret = cc_store_set_marking(cli->st, argv[optind], id, rel, owner_id, deny, &err)) < 0)
		return cli_fail(&err);
	for (size_t i = 0; i < n_sh + n_un; i++) {
		bool on = i < n_sh;
		const char *name = on ? shares[i] : unshares[i - n_sh];

		if ((ret = find_org(cli->st, mission.id, name, on ? "--share" : "--unshare", &org,
		                    &err)) < 0 ||
		    (ret = cc_store_share(cli->st, argv[optind], id, org.id, on, &err)) < 0)
			return cli_fail(&err);
	}
	if ((ret = cc_store_get_marking(cli->st, argv[optind], id, &m, &err)) < 0)
		return cli_fail(&err);
	printf("%s %lld: %s, owner %lld, deny %s, shared with %zu organisation%s\n", argv[optind],
	       (long long)id, cc_rel_name(m.rel), (long long)m.owner_id,
	       m.deny ? cc_kinds_format(m.deny, kinds, sizeof(kinds)) : "none", m.n_shares,
	       m.n_shares == 1 ? "" : "s");
	return CLI_OK;
}

/* concord watch: the live feed in the terminal, read from the store's change log */
static volatile sig_atomic_t watch_stop;

static void on_watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

int cmd_watch(struct cli *cli, int argc, char **argv)
{
	enum { O_AFTER = 256, O_ONCE, O_JSON, O_INTERVAL };
	static const struct option longopts[] = {
		{ "after", required_argument, NULL, O_AFTER },
		{ "once", no_argument, NULL, O_ONCE },
		{ "json", no_argument, NULL, O_JSON },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_feed_entry e[100];
	struct cc_err err = { 0 };
	struct cc_buf line = CC_BUF_INIT(0);
	int64_t cursor = -1, interval = 500;
	bool once = false, json = false;
	int opt, ret = 0;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_AFTER:
			if (cc_parse_i64(optarg, 0, INT64_MAX, &cursor, NULL) < 0)
				return cli_usage(cli, "--after: '%s' is not a change-log id", optarg);
			break;
		case O_ONCE:
			once = true;
			break;
		case O_JSON:
			json = true;
			break;
		case O_INTERVAL:
			if (cc_parse_i64(optarg, 10, 60000, &interval, NULL) < 0)
				return cli_usage(cli, "--interval: 10 to 60000 milliseconds");
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (cursor < 0 && (ret = cc_store_feed_head(cli->st, &cursor, &err)) < 0)
		return cli_fail(&err);
	signal(SIGINT, on_watch_signal);
	signal(SIGTERM, on_watch_signal);
	while (!watch_stop) {
		size_t n = 0;
		int64_t next = cursor;

		if ((ret = cc_store_read_feed(cli->st, cursor, 100, e, &n, &next, &err)) < 0)
			break;
		for (size_t i = 0; i < n; i++) {
			if (json) {
				line.len = 0;
				if (cc_feed_entry_json(&e[i], &line) < 0)
					return cli_fail(&(struct cc_err){ .code = CC_ENOMEM,
					                                  .msg = "out of memory" });
				printf("%.*s\n", (int)line.len, (const char *)line.buf);
			} else {
				printf("%lld %s %s %s %s %s%lld %s\n", (long long)e[i].id, e[i].at,
				       e[i].who, e[i].op, e[i].table, e[i].record_id ? "#" : "×",
				       (long long)(e[i].record_id ? e[i].record_id : e[i].count),
				       e[i].detail);
			}
		}
		fflush(stdout);
		if (once && next == cursor)
			break;
		cursor = next;
		if (!once && n == 0)
			nanosleep(&(struct timespec){ .tv_sec = interval / 1000,
			                              .tv_nsec = (interval % 1000) * 1000000L },
			          NULL);
	}
	cc_buf_release(&line);
	return ret < 0 ? cli_fail(&err) : CLI_OK;
}

/* concord retention: redact the most sensitive fields after a stated time */
int cmd_retention(struct cli *cli, int argc, char **argv)
{
	enum { O_SITES = 256, O_PERSONAL, O_AT, O_DRY, O_JSON };
	static const struct option longopts[] = {
		{ "sites", required_argument, NULL, O_SITES },
		{ "personal", required_argument, NULL, O_PERSONAL },
		{ "at", required_argument, NULL, O_AT },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_retention r = { .sites_days = -1, .personal_days = -1, .at = CC_DATE_NONE };
	struct cc_buf out = CC_BUF_INIT(0);
	struct cc_err err = { 0 };
	bool json = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "n", longopts, NULL)) != -1) {
		switch (opt) {
		case O_SITES:
		case O_PERSONAL:
			if (cc_parse_i64(optarg, 0, 36500,
			                 opt == O_SITES ? &r.sites_days : &r.personal_days,
			                 NULL) < 0)
				return cli_usage(cli, "--%s: a number of days, 0 to 36500",
				                 opt == O_SITES ? "sites" : "personal");
			break;
		case O_AT:
			if (cc_date_parse(optarg, &r.at, &err) < 0)
				return cli_usage(cli, "--at: %s", err.msg);
			break;
		case 'n':
		case O_DRY:
			r.dry_run = true;
			break;
		case O_JSON:
			json = true;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	ret = cc_retention_apply(cli->st, cli->mission, &r, &err);
	if (ret == CC_EUSAGE)
		return cli_usage(cli, "%s", err.msg);
	if (ret == 0)
		ret = cc_retention_format(&r, json ? CC_FORMAT_JSON : CC_FORMAT_TABLE, &out, &err);
	ret = ret < 0 ? cli_fail(&err) : cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}
