/*
 * concord: the command-line program. Global options (-d/--db, -m/--mission) may stand before or
 * after the command name; everything else belongs to the command.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <concord/store.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

static int cmd_help(struct cli *cli, int argc, char **argv);

static const struct cli_cmd commands[] = {
	{ .name = "init", .run = cmd_init, .flags = CLI_STORE | CLI_CREATE,
	  .usage = "init [--mission CODE] [--name NAME] [--country ISO3] [--start DATE] [--end DATE]",
	  .summary = "create a store (or refresh its code lists) and a mission",
	  .help = "Creates the store with the current schema, loads the code lists compiled into\n"
	          "the program (DAC sectors, IASC clusters, pillars, IATI organisation types and\n"
	          "roles, activity status, aliases) and creates or updates the mission. Without\n"
	          "--mission a new store gets the mission DEFAULT. Running it again is harmless.\n" },
	{ .name = "migrate", .run = cmd_migrate, .flags = CLI_STORE | CLI_ANY_SCHEMA,
	  .usage = "migrate",
	  .summary = "upgrade a store made by an older version",
	  .help = "Applies the schema migrations the store lacks, in one transaction.\n" },
	{ .name = "import", .run = cmd_import, .flags = CLI_STORE,
	  .usage = "import 3w|areas FILE... [--dry-run] [--strict] [--rejects FILE.csv] [options]",
	  .summary = "load 3W files or admin areas",
	  .help = "import 3w FILE... [--source NAME] [--period FROM/TO] [--add-areas]\n"
	          "                  [--encoding ENC]\n"
	          "    An HXL-tagged 3W CSV. Each row is an operational presence or an activity of\n"
	          "    the source (default: the file's base name). Re-importing a source updates\n"
	          "    and removes its rows by natural key; an identical file changes nothing.\n"
	          "    --period is needed when the file has no #date columns.\n"
	          "import areas FILE --level N [--code-field F] [--name-field F]\n"
	          "                  [--parent-field F] [--code-map FILE]\n"
	          "    Admin areas from GeoJSON, Shapefile, GeoPackage or a P-code gazetteer CSV.\n"
	          "Common options:\n"
	          "    --dry-run        validate and report; store nothing\n"
	          "    --strict         store nothing if any row is rejected\n"
	          "    --rejects FILE   write rejected rows, with the reason, as CSV to fix and\n"
	          "                     re-import\n"
	          "Every rejected row is printed as FILE:LINE: FIELD: reason. Exit status 3 means\n"
	          "the good rows were stored and some were rejected.\n" },
	{ .name = "coverage", .run = cmd_coverage, .flags = CLI_STORE,
	  .usage = "coverage [--level N] [--by pillar|sector|cluster] [--from DATE] [--to DATE] "
	           "[--json|--csv]",
	  .summary = "the 3W/4W matrix: activities and organisations by area and pillar",
	  .help = "Rows are the areas of admin level N (default 1) with at least one record;\n"
	          "records located above that level appear in an 'unspecified below admN' row.\n"
	          "Each cell shows distinct activities / distinct organisations, recounted at each\n"
	          "level (never summed from children). Operational-presence rows count as\n"
	          "presence, never as people reached.\n" },
	{ .name = "pillar", .run = cmd_pillar, .flags = CLI_STORE,
	  .usage = "pillar CODE PILLAR [--vocabulary 1|2|10]",
	  .summary = "put a sector or cluster in another pillar for this mission",
	  .help = "The shipped mapping (data/codelists/pillars.csv) puts each DAC sector and IASC\n"
	          "cluster in one of the six pillars: security, governance, infrastructure,\n"
	          "economy, humanitarian, other. A mission may decide otherwise: the override is\n"
	          "used by every analysis from then on, since pillars are resolved when read.\n"
	          "CODE is a cluster (WSH), a DAC code (15240, 152) or an alias (WASH_OP); with\n"
	          "--vocabulary only that vocabulary is searched.\n" },
	{ .name = "report", .run = cmd_report, .flags = CLI_STORE,
	  .usage = "report [-o FILE] [--level N]",
	  .summary = "write a self-contained HTML report (default report.html)",
	  .help = "One HTML file with no external requests: the coverage table and charts.\n" },
	{ .name = "help", .run = cmd_help, .flags = 0, .usage = "help [COMMAND]",
	  .summary = "show help for a command", .help = "" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Names match exactly; an unknown one is a usage error listing the valid ones. */
static int unknown_command(const char *name)
{
	fprintf(stderr, "concord: unknown command '%s'; the commands are:", name);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(stderr, " %s", commands[i].name);
	fputc('\n', stderr);
	return CLI_USAGE;
}

static void print_help(FILE *f)
{
	fprintf(f, "usage: concord [-d DB] [-m MISSION] COMMAND [ARGS]\n\n"
	           "Concord: who does what where, for the organisations rebuilding a region\n"
	           "after armed conflict.\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nGlobal options:\n"
	           "  -d, --db DB          the store: a path or sqlite:PATH (default: $CONCORD_DB,\n"
	           "                       else ./concord.db)\n"
	           "  -m, --mission CODE   the mission, when the store holds several\n"
	           "  -h, --help           this help; `concord help COMMAND` for one command\n"
	           "  -V, --version        the version\n\n"
	           "Exit status: 0 ok, 1 failure (nothing stored), 2 usage, 3 import stored with\n"
	           "rejected rows.\n");
}

static void print_command_help(FILE *f, const struct cli_cmd *c)
{
	fprintf(f, "usage: concord %s\n\n%s.\n\n%s", c->usage, c->summary, c->help);
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd *c;

	(void)cli;
	if (argc < 2) {
		print_help(stdout);
		return CLI_OK;
	}
	c = find_command(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	print_command_help(stdout, c);
	return CLI_OK;
}

int cli_fail(const struct cc_err *err)
{
	char buf[1024];

	fprintf(stderr, "concord: %s\n", cc_err_format(err, buf, sizeof(buf)));
	switch ((enum cc_code)err->code) {
	case CC_EUSAGE:
		return CLI_USAGE;
	case CC_EREJECTED:
	case CC_OK:
	case CC_ENOMEM:
	case CC_EIO:
	case CC_EPARSE:
	case CC_EINVALID:
	case CC_ETOOBIG:
	case CC_ENOTFOUND:
	case CC_EDENIED:
	case CC_ESTORE:
	case CC_ESCHEMA:
	case CC_EEXIST:
	case CC_EBUSY:
	case CC_EUNSUPPORTED:
		return CLI_FAIL;
	}
	return CLI_FAIL;
}

int cli_usage(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "concord %s: ", cli->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: concord %s\n", cli->cmd->usage);
	return CLI_USAGE;
}

int cli_write(const char *s, size_t len)
{
	if (fwrite(s, 1, len, stdout) != len || fflush(stdout) != 0) {
		perror("concord: cannot write output");
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* Removes the global options from argv wherever they stand; returns the new argc or -1. */
static int take_global(struct cli *cli, int argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;

		if (!strcmp(a, "-d") || !strcmp(a, "--db"))
			slot = &cli->db;
		else if (!strcmp(a, "-m") || !strcmp(a, "--mission"))
			slot = &cli->mission;
		if (slot) {
			if (i + 1 >= argc) {
				fprintf(stderr, "concord: option '%s' needs a value\n", a);
				return -1;
			}
			*slot = argv[++i];
			continue;
		}
		if (!strncmp(a, "--db=", 5)) {
			cli->db = a + 5;
			continue;
		}
		if (!strncmp(a, "--mission=", 10)) {
			cli->mission = a + 10;
			continue;
		}
		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	struct cli cli = { .tty = isatty(STDERR_FILENO) };
	struct cc_err err = { 0 };
	const struct cli_cmd *c;
	int ret;

	argc = take_global(&cli, argc, argv);
	if (argc < 0)
		return CLI_USAGE;
	if (argc < 2) {
		print_help(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		print_help(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("concord %s\n", CC_VERSION);
		return CLI_OK;
	}
	c = find_command(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	cli.cmd = c;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			print_command_help(stdout, c);
			return CLI_OK;
		}
	}
	if (!cli.db)
		cli.db = getenv("CONCORD_DB");
	if (!cli.db || !cli.db[0])
		cli.db = "concord.db";
	if (c->flags & CLI_STORE) {
		unsigned flags = 0;

		if (c->flags & CLI_CREATE)
			flags |= CC_STORE_CREATE;
		if (c->flags & CLI_ANY_SCHEMA)
			flags |= CC_STORE_ANY_SCHEMA;
		ret = cc_store_open(&cli.st, cli.db, &(struct cc_store_opts){ .flags = flags }, &err);
		if (ret < 0)
			return cli_fail(&err);
	}
	ret = c->run(&cli, argc - 1, argv + 1);
	cc_store_close(cli.st);
	return ret;
}
