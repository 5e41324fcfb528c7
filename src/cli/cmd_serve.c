/* concord serve, concord user, concord token */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <concord/admin.h>
#include <concord/alloc.h>
#include <concord/auth.h>
#include <concord/buf.h>
#include <concord/index.h>
#include <concord/report.h>
#include <concord/server.h>
#include <concord/text.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
}

/* "HOST:PORT" into host (size n) and port. */
static int parse_listen(const char *s, char *host, size_t n, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	int64_t v;

	if (!colon || (size_t)(colon - s) >= n || cc_parse_i64(colon + 1, 0, 65535, &v, NULL) < 0)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	*port = (uint16_t)v;
	return 0;
}

static int print_table(int (*fn)(struct cc_buf *, struct cc_err *))
{
	struct cc_buf out = CC_BUF_INIT(0);
	struct cc_err err = { 0 };
	int ret;

	if (fn(&out, &err) < 0)
		return cli_fail(&err);
	ret = cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}

int cmd_serve(struct cli *cli, int argc, char **argv)
{
	enum { O_LISTEN = 256, O_THREADS, O_TIMEOUT, O_ROUTES, O_OPENAPI, O_WEBHOOK_ANY_HOST,
	       O_WEB, O_MAX_CONN, O_PER_IP, O_INDEX };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "routes", no_argument, NULL, O_ROUTES },
		{ "openapi", no_argument, NULL, O_OPENAPI },
		{ "webhook-any-host", no_argument, NULL, O_WEBHOOK_ANY_HOST },
		{ "web", required_argument, NULL, O_WEB },
		{ "max-connections", required_argument, NULL, O_MAX_CONN },
		{ "per-ip", required_argument, NULL, O_PER_IP },
		{ "index", required_argument, NULL, O_INDEX },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_server_opts o = { .store = cli->db, .log = log_line };
	struct cc_server *srv;
	struct cc_err err = { 0 };
	char host[64] = "127.0.0.1";
	char web[4096];
	sigset_t sigs;
	int64_t v;
	int opt, sig;

	o.port = 8080;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_LISTEN:
			if (parse_listen(optarg, host, sizeof(host), &o.port) < 0)
				return cli_usage(cli, "--listen '%s': expected HOST:PORT", optarg);
			break;
		case O_THREADS:
			if (cc_parse_i64(optarg, 1, 256, &v, &err) < 0)
				return cli_usage(cli, "--threads: %s", err.msg);
			o.threads = (unsigned)v;
			break;
		case O_TIMEOUT:
			if (cc_parse_i64(optarg, 1, 3600, &v, &err) < 0)
				return cli_usage(cli, "--timeout: %s", err.msg);
			o.timeout_s = (unsigned)v;
			break;
		case O_MAX_CONN:
			if (cc_parse_i64(optarg, 1, 65536, &v, &err) < 0)
				return cli_usage(cli, "--max-connections: %s", err.msg);
			o.max_connections = (unsigned)v;
			break;
		case O_PER_IP:
			if (cc_parse_i64(optarg, 1, 65536, &v, &err) < 0)
				return cli_usage(cli, "--per-ip: %s", err.msg);
			o.per_ip = (unsigned)v;
			break;
		case O_ROUTES:
			return print_table(cc_server_routes_text);
		case O_OPENAPI:
			return print_table(cc_server_openapi);
		case O_WEBHOOK_ANY_HOST:
			o.webhook_any_host = true;
			break;
		case O_WEB:
			o.web_dir = optarg;
			break;
		case O_INDEX: {
			struct cc_index_config c;

			/* a definition that does not read fails now, not on the first request */
			if (cc_index_config_read(optarg, &c, &err) < 0) {
				cc_err_at(&err, optarg, 0, NULL);
				return cli_fail(&err);
			}
			cc_index_config_release(&c);
			o.index_config = optarg;
			break;
		}
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	o.host = host;
	if (!o.web_dir && cc_server_default_web_dir(web, sizeof(web)) == 0)
		o.web_dir = web;

	/* the workers inherit this mask, so only sigwait() below sees the signals */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (cc_server_start(&srv, &o, &err) < 0)
		return cli_fail(&err);
	printf("listening on %s:%u\n", host, (unsigned)cc_server_port(srv));
	if (o.web_dir)
		fprintf(stderr, "concord serve: the dashboard is at http://%s:%u/ (files from %s)\n",
		        host, (unsigned)cc_server_port(srv), o.web_dir);
	else
		fprintf(stderr, "concord serve: no dashboard: web/ is not built next to the program "
		                "(--web DIR names one)\n");
	fflush(stdout);
	while (sigwait(&sigs, &sig) != 0)
		;
	fprintf(stderr, "concord serve: %s: finishing requests in flight\n",
	        sig == SIGTERM ? "SIGTERM" : "SIGINT");
	cc_server_stop(srv);
	fprintf(stderr, "concord serve: stopped\n");
	return CLI_OK;
}

int cmd_user(struct cli *cli, int argc, char **argv)
{
	enum { O_ORG = 256, O_ROLE, O_JSON };
	static const struct option longopts[] = {
		{ "org", required_argument, NULL, O_ORG },
		{ "role", required_argument, NULL, O_ROLE },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_user_spec spec = { .mission = cli->mission, .role = CC_ROLE_VIEWER };
	struct cc_buf out = CC_BUF_INIT(0);
	struct cc_err err = { 0 };
	struct cc_user u;
	char org_key[128];
	bool json = false;
	int opt, ret;

	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return cli_usage(cli, "expected 'add'");
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_ORG:
			spec.org = optarg;
			break;
		case O_ROLE:
			if (cc_role_parse(optarg, &spec.role, &err) < 0)
				return cli_usage(cli, "--role: %s", err.msg);
			break;
		case O_JSON:
			json = true;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "expected one user NAME");
	if (!spec.org)
		return cli_usage(cli, "--org is required");
	spec.name = argv[optind];
	if ((ret = cc_user_add(cli->st, &spec, &u, org_key, &err)) == 0) {
		struct cc_mission m;

		if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, &err)) == 0)
			ret = cc_user_format(&u, org_key, m.code,
			                     json ? CC_FORMAT_JSON : CC_FORMAT_TABLE, &out, &err);
	}
	ret = ret < 0 ? cli_fail(&err) : cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}

static int token_create(struct cli *cli, int argc, char **argv)
{
	enum { O_EXPIRES = 256 };
	static const struct option longopts[] = {
		{ "expires", required_argument, NULL, O_EXPIRES },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_err err = { 0 };
	struct cc_user u;
	struct cc_token t;
	char hex[CC_TOKEN_HEX], until[64] = "never expires";
	int64_t days = 0, id;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_EXPIRES:
			if (cc_parse_i64(optarg, 0, 36600, &days, &err) < 0)
				return cli_usage(cli, "--expires: %s", err.msg);
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "expected one USER");
	if (cc_auth_find_user(cli->st, cli->mission, argv[optind], &u, &err) < 0 ||
	    cc_auth_create_token(cli->st, u.id, days, 0, hex, &id, &err) < 0)
		return cli_fail(&err);
	printf("%s\n", hex);
	fflush(stdout);
	if (days && cc_auth_get_token(cli->st, id, &t, &err) == 0) {
		time_t when = (time_t)t.expires;
		struct tm tm;

		gmtime_r(&when, &tm);
		strftime(until, sizeof(until), "expires %Y-%m-%d %H:%M UTC", &tm);
	}
	fprintf(stderr, "token %lld for user '%s' (%s); it is shown only now\n", (long long)id,
	        u.name, until);
	return CLI_OK;
}

int cmd_token(struct cli *cli, int argc, char **argv)
{
	struct cc_err err = { 0 };
	int64_t id;

	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return token_create(cli, argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "revoke") != 0)
		return cli_usage(cli, "expected 'create' or 'revoke'");
	if (argc != 3 || cc_parse_i64(argv[2], 1, INT64_MAX, &id, &err) < 0)
		return cli_usage(cli, "expected one token ID");
	if (cc_auth_revoke_token(cli->st, id, 0, &err) < 0)
		return cli_fail(&err);
	printf("token %lld revoked\n", (long long)id);
	return CLI_OK;
}
