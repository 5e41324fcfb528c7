/* concord backup, concord restore, concord copy: a whole store into a portable archive and back */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <concord/backup.h>
#include <concord/store.h>

#include "cli/cli.h"

int cmd_backup(struct cli *cli, int argc, char **argv);
int cmd_restore(struct cli *cli, int argc, char **argv);
int cmd_copy(struct cli *cli, int argc, char **argv);

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

/* Rows per table on stderr: one line per table (and every 100,000 rows of a long one). */
static void progress(void *ctx, const char *table, int64_t rows, bool done)
{
	(void)ctx;
	fprintf(stderr, "  %-28s %12lld rows%s\n", table, (long long)rows, done ? "" : " ...");
}

static void summary(FILE *f, const char *what, const struct cc_backup_report *r)
{
	fprintf(f, "%s: %zu tables, %lld rows (%s schema %d)\n", what, r->n_tables,
	        (long long)r->n_rows, r->scheme, r->version);
	if (r->n_skipped)
		fprintf(f, "skipped: %zu tables this store lacks, empty or as a new store has them\n",
		        r->n_skipped);
	fprintf(f, "digest: %s\n", r->digest);
	if (r->loaded[0])
		fprintf(f, "store digest now: %s%s\n", r->loaded,
		        strcmp(r->loaded, r->digest) == 0 ? " (the same)" : "");
}

int cmd_backup(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "digest", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_backup_opts o = { 0 };
	struct cc_backup_report r;
	struct cc_err err = { 0 };
	const char *out = NULL;
	bool digest = false, verbose = cli->tty;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:v", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 'd':
			digest = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (digest) {
		char d[65];

		if (out)
			return cli_usage(cli, "--digest writes no archive");
		if (cc_store_digest(cli->st, d, &err) < 0)
			return cli_fail(&err);
		printf("%s\n", d);
		return CLI_OK;
	}
	if (!out)
		return cli_usage(cli, "-o FILE is required (- for standard output)");
	if (verbose)
		o.progress = progress;
	if (cc_backup(cli->st, out, &o, &r, &err) < 0)
		return cli_fail(&err);
	summary(strcmp(out, "-") == 0 ? stderr : stdout, "backed up", &r);
	return CLI_OK;
}

int cmd_restore(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_backup_opts o = { 0 };
	struct cc_backup_report r;
	struct cc_err err = { 0 };
	bool verbose = cli->tty;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o.force = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, optind < argc ? "one archive only" : "which archive?");
	if (verbose)
		o.progress = progress;
	if (cc_restore(cli->st, argv[optind], &o, &r, &err) < 0)
		return cli_fail(&err);
	summary(stdout, "restored", &r);
	return CLI_OK;
}

int cmd_copy(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "force", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_backup_opts o = { 0 };
	struct cc_backup_report r;
	struct cc_err err = { 0 };
	struct cc_store *from = NULL, *to = NULL;
	const char *src = NULL, *dst = NULL;
	bool verbose = cli->tty;
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (opt) {
		case 'F':
			src = optarg;
			break;
		case 'T':
			dst = optarg;
			break;
		case 'f':
			o.force = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (!src)
		src = cli->db; /* -d, CONCORD_DB or ./concord.db */
	if (!dst)
		return cli_usage(cli, "--to URI is required");
	if (strcmp(src, dst) == 0)
		return cli_usage(cli, "--from and --to name the same store");
	if (verbose)
		o.progress = progress;
	ret = cc_store_open(&from, src, &(struct cc_store_opts){ .flags = CC_STORE_READONLY }, &err);
	if (ret == 0)
		ret = cc_store_open(&to, dst, &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err);
	if (ret == 0)
		ret = cc_store_copy(from, to, &o, &r, &err);
	cc_store_close(to);
	cc_store_close(from);
	if (ret < 0)
		return cli_fail(&err);
	summary(stdout, "copied", &r);
	return CLI_OK;
}
