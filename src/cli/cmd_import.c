/* concord import KIND FILE...: one table of importers and the options each takes */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <concord/import.h>
#include <concord/needs.h>
#include <concord/indicators.h>
#include <concord/iati.h>
#include <concord/rounds.h>
#include <concord/money.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "io/csv.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

typedef int import_fn(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                      struct cc_import_report *rep, struct cc_err *err);

/* Options that only some kinds take; the common ones (--dry-run, --strict, --rejects) any. */
enum kind_opt {
	K_SOURCE = 1 << 0,
	K_PERIOD = 1 << 1,
	K_ADD_AREAS = 1 << 2,
	K_ENCODING = 1 << 3,
	K_AREAS = 1 << 4, /* --level, --code-field, --name-field, --parent-field, --code-map */
	K_FORMAT = 1 << 5,
	K_MAP = 1 << 6,
	K_MARKING = 1 << 7, /* --releasability, --owner, --deny, --geo-/--figures-releasability */
	K_SURVEY = 1 << 8, /* the options of import survey (cmd_survey.c) */
};

/*
 * A file with a header and no rows is a fault of the whole file for every kind ("FILE: no rows
 * after the header", exit 1, nothing stored): an import of nothing is never what was meant,
 * and for the kinds whose re-import removes what a source no longer has it would empty the
 * source. The 3W, needs, population, survey, rates, crosswalk and gazetteer readers refuse such
 * a file themselves; for the kinds marked one_header below (one header row, no hashtag row)
 * the command looks at the first two records before the importer runs.
 */
static const struct {
	const char *kind;
	import_fn *run;
	unsigned opts; /* enum kind_opt: the options this kind takes */
	bool one_header; /* check here that a row follows the header (see above) */
} importers[] = {
	{ .kind = "3w", .run = cc_import_3w,
	  .opts = K_SOURCE | K_PERIOD | K_ADD_AREAS | K_ENCODING | K_MARKING | K_MAP },
	{ .kind = "areas", .run = cc_import_areas,
	  .opts = K_SOURCE | K_AREAS | K_ENCODING | K_MAP },
	{ .kind = "needs", .run = cli_import_needs,
	  .opts = K_SOURCE | K_PERIOD | K_ENCODING | K_MAP },
	{ .kind = "population", .run = cli_import_population,
	  .opts = K_SOURCE | K_PERIOD | K_ENCODING | K_MAP },
	{ .kind = "indicators", .run = cc_import_indicators, .opts = K_SOURCE | K_ENCODING | K_MAP,
	  .one_header = true },
	{ .kind = "benchmarks", .run = cc_import_benchmarks, .opts = K_SOURCE | K_ENCODING | K_MAP,
	  .one_header = true },
	{ .kind = "observations", .run = cc_import_observations,
	  .opts = K_SOURCE | K_ENCODING | K_MAP, .one_header = true },
	{ .kind = "events", .run = cli_import_events,
	  .opts = K_SOURCE | K_ENCODING | K_FORMAT | K_MAP, .one_header = true },
	{ .kind = "iati", .run = cc_import_iati, .opts = K_SOURCE },
	{ .kind = "crosswalk", .run = cc_import_crosswalk, .opts = K_SOURCE | K_ENCODING | K_MAP },
	{ .kind = "rates", .run = cc_import_rates, .opts = K_SOURCE | K_ENCODING | K_MAP },
	{ .kind = "survey", .run = cli_import_survey,
	  .opts = K_SOURCE | K_ENCODING | K_SURVEY | K_MAP },
};

static const struct {
	enum kind_opt opt;
	const char *names;
} kind_opt_names[] = {
	{ .opt = K_SOURCE, .names = "--source" },
	{ .opt = K_PERIOD, .names = "--period" },
	{ .opt = K_ADD_AREAS, .names = "--add-areas" },
	{ .opt = K_ENCODING, .names = "--encoding" },
	{ .opt = K_AREAS, .names = "--level, --code-field, --name-field, --parent-field, --code-map" },
	{ .opt = K_FORMAT, .names = "--format" },
	{ .opt = K_MAP, .names = "--map" },
	{ .opt = K_MARKING,
	  .names = "--releasability, --owner, --deny, --geo-releasability, --figures-releasability" },
	{ .opt = K_SURVEY, .names = "--wave, --weight, --area-column, --area-map, --questions, "
	                            "--personal, --id-column" },
};

/* "3w, areas, …": the kinds of the table, for messages. */
static const char *kinds(char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(importers) / sizeof(importers[0]) && off < n; i++) {
		int k = snprintf(buf + off, n - off, "%s%s", i ? ", " : "", importers[i].kind);

		if (k < 0)
			break;
		off += (size_t)k;
	}
	return buf;
}

int cli_parse_map(const char *arg, struct cc_import_map *out)
{
	static char copies[CLI_MAX_MAP][512];
	static size_t n;
	char *eq;

	if (n == CLI_MAX_MAP || strlen(arg) >= sizeof(copies[0]))
		return CLI_USAGE;
	snprintf(copies[n], sizeof(copies[0]), "%s", arg);
	eq = strrchr(copies[n], '=');
	if (!eq || eq == copies[n] || !eq[1])
		return CLI_USAGE;
	*eq = '\0';
	out->column = copies[n];
	out->field = eq + 1;
	n++;
	return CLI_OK;
}

static void print_reject(void *ctx, const struct cc_err *why)
{
	char buf[1024];
	bool *tty = ctx;

	if (*tty)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "%s\n", cc_err_format(why, buf, sizeof(buf)));
}

static void print_progress(void *ctx, uint64_t done, uint64_t total, size_t rows)
{
	(void)ctx;
	if (total)
		fprintf(stderr, "\r%zu rows, %3.0f%%", rows, 100.0 * (double)done / (double)total);
	else
		fprintf(stderr, "\r%zu rows", rows);
	fflush(stderr);
}

int cmd_import(struct cli *cli, int argc, char **argv)
{
	enum { O_SOURCE = 256, O_PERIOD, O_ADD_AREAS, O_ENCODING, O_REJECTS, O_LEVEL, O_CODE_FIELD,
	       O_NAME_FIELD, O_PARENT_FIELD, O_CODE_MAP, O_DRY_RUN, O_STRICT, O_REL, O_OWNER,
	       O_DENY, O_GEO_REL, O_FIG_REL };
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, O_SOURCE },
		{ "period", required_argument, NULL, O_PERIOD },
		{ "add-areas", no_argument, NULL, O_ADD_AREAS },
		{ "encoding", required_argument, NULL, O_ENCODING },
		{ "rejects", required_argument, NULL, O_REJECTS },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "code-field", required_argument, NULL, O_CODE_FIELD },
		{ "name-field", required_argument, NULL, O_NAME_FIELD },
		{ "parent-field", required_argument, NULL, O_PARENT_FIELD },
		{ "code-map", required_argument, NULL, O_CODE_MAP },
		{ "dry-run", no_argument, NULL, O_DRY_RUN },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "format", required_argument, NULL, 'f' }, /* import events */
		{ "map", required_argument, NULL, 'M' }, /* import needs|population */
		{ "releasability", required_argument, NULL, O_REL },
		{ "owner", required_argument, NULL, O_OWNER },
		{ "deny", required_argument, NULL, O_DENY },
		{ "geo-releasability", required_argument, NULL, O_GEO_REL },
		{ "figures-releasability", required_argument, NULL, O_FIG_REL },
		{ "wave", required_argument, NULL, CLI_SO_WAVE }, /* import survey */
		{ "weight", required_argument, NULL, CLI_SO_WEIGHT },
		{ "area-column", required_argument, NULL, CLI_SO_AREA },
		{ "area-map", required_argument, NULL, CLI_SO_AREA_MAP },
		{ "questions", required_argument, NULL, CLI_SO_FORM },
		{ "form", required_argument, NULL, CLI_SO_FORM },
		{ "personal", required_argument, NULL, CLI_SO_PERSONAL },
		{ "id-column", required_argument, NULL, CLI_SO_ID },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_import_opts o = { .period_from = CC_DATE_NONE, .period_to = CC_DATE_NONE,
		                    .level = -1 };
	struct cc_err err = { 0 };
	const char *map_args[CLI_MAX_MAP];
	struct cc_import_map map[CLI_MAX_MAP];
	size_t n_map_args = 0;
	import_fn *run = NULL;
	const char *kind;
	bool one_header = false;
	int opt, ret, status = CLI_OK;
	unsigned given = 0, takes = 0;
	int64_t level;
	char list[256];

	while ((opt = getopt_long(argc, argv, "n", longopts, NULL)) != -1) {
		switch (opt) {
		case O_SOURCE:
			given |= K_SOURCE;
			o.source = optarg;
			break;
		case O_PERIOD:
			given |= K_PERIOD;
			if (cc_period_parse(optarg, &o.period_from, &o.period_to, &err) < 0)
				return cli_usage(cli, "--period: %s", err.msg);
			break;
		case O_ADD_AREAS:
			given |= K_ADD_AREAS;
			o.flags |= CC_IMPORT_ADD_AREAS;
			break;
		case O_ENCODING:
			given |= K_ENCODING;
			o.encoding = optarg;
			break;
		case O_REJECTS:
			o.rejects_path = optarg;
			break;
		case O_LEVEL:
			if (cc_parse_i64(optarg, 0, 5, &level, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			o.level = (int)level;
			given |= K_AREAS;
			break;
		case O_CODE_FIELD:
			o.code_field = optarg;
			given |= K_AREAS;
			break;
		case O_NAME_FIELD:
			o.name_field = optarg;
			given |= K_AREAS;
			break;
		case O_PARENT_FIELD:
			o.parent_field = optarg;
			given |= K_AREAS;
			break;
		case O_CODE_MAP:
			o.code_map = optarg;
			given |= K_AREAS;
			break;
		case 'f':
			given |= K_FORMAT;
			cli_events_format = optarg;
			break;
		case 'M':
			given |= K_MAP;
			if (n_map_args == CLI_MAX_MAP)
				return cli_usage(cli, "--map: at most %d", CLI_MAX_MAP);
			map_args[n_map_args++] = optarg;
			break;
		case O_REL:
			given |= K_MARKING;
			o.marking.releasability = optarg;
			break;
		case O_OWNER:
			given |= K_MARKING;
			o.marking.owner = optarg;
			break;
		case O_DENY:
			given |= K_MARKING;
			o.marking.deny = optarg;
			break;
		case O_GEO_REL:
			given |= K_MARKING;
			o.marking.geo = optarg;
			break;
		case O_FIG_REL:
			given |= K_MARKING;
			o.marking.figures = optarg;
			break;
		case CLI_SO_WAVE:
		case CLI_SO_WEIGHT:
		case CLI_SO_AREA:
		case CLI_SO_AREA_MAP:
		case CLI_SO_FORM:
		case CLI_SO_PERSONAL:
		case CLI_SO_ID:
			given |= K_SURVEY;
			if (cli_survey_option(opt, optarg) != CLI_OK)
				return cli_usage(cli, "%s: at most 8 form files", argv[optind - 1]);
			break;
		case 'n':
		case O_DRY_RUN:
			o.flags |= CC_IMPORT_DRY_RUN;
			break;
		case O_STRICT:
			o.flags |= CC_IMPORT_STRICT;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage(cli, "say what to import: %s", kinds(list, sizeof(list)));
	for (size_t i = 0; i < sizeof(importers) / sizeof(importers[0]); i++) {
		if (!strcmp(argv[optind], importers[i].kind)) {
			run = importers[i].run;
			takes = importers[i].opts;
			one_header = importers[i].one_header;
		}
	}
	if (!run)
		return cli_usage(cli, "unknown kind '%s'; the kinds are: %s", argv[optind],
		                 kinds(list, sizeof(list)));
	kind = argv[optind];
	for (size_t i = 0; i < sizeof(kind_opt_names) / sizeof(kind_opt_names[0]); i++)
		if ((given & kind_opt_names[i].opt) && !(takes & kind_opt_names[i].opt))
			return cli_usage(cli, "'import %s' does not take %s", argv[optind],
			                 kind_opt_names[i].names);
	/* --map: needs and population keep their own COLUMN=#tag map (known names still
	   recognised); the other kinds take the generic one (struct cc_import_map) */
	for (size_t i = 0; i < n_map_args; i++) {
		bool own = !strcmp(argv[optind], "needs") || !strcmp(argv[optind], "population");

		if (own && cli_needs_map(map_args[i]) != CLI_OK)
			return cli_usage(cli, "--map '%s': write COLUMN=#tag", map_args[i]);
		if (!own && cli_parse_map(map_args[i], &map[i]) != CLI_OK)
			return cli_usage(cli, "--map '%s': write COLUMN=FIELD", map_args[i]);
	}
	if (n_map_args && strcmp(argv[optind], "needs") && strcmp(argv[optind], "population")) {
		o.map = map;
		o.n_map = n_map_args;
	}
	if (++optind >= argc)
		return cli_usage(cli, "no file given");
	if (o.source && argc - optind > 1)
		return cli_usage(cli, "--source names one file's source; give one file");
	o.mission = cli->mission;
	o.on_reject = print_reject;
	o.reject_ctx = &cli->tty;
	if (cli->tty) {
		o.on_progress = print_progress;
	}

	for (int i = optind; i < argc; i++) {
		struct cc_import_report rep = { 0 };

		cc_err_clear(&err);
		if (one_header &&
		    cc_csv_header_only(argv[i], o.encoding,
		                       o.display_name ? o.display_name : argv[i], &err) < 0)
			return cli_fail(&err);
		ret = run(cli->st, argv[i], &o, &rep, &err);
		if (cli->tty)
			fputs("\r\033[K", stderr);
		if (ret < 0 && ret != CC_EREJECTED)
			return cli_fail(&err);
		if (rep.same_file) {
			printf("%s: unchanged since the last import of this source; nothing to do\n",
			       argv[i]);
			continue;
		}
		printf("%s: read %zu, added %zu, updated %zu, removed %zu, unchanged %zu, "
		       "rejected %zu%s\n",
		       argv[i], rep.n_read, rep.n_added, rep.n_updated, rep.n_removed,
		       rep.n_unchanged, rep.n_rejected,
		       (o.flags & CC_IMPORT_DRY_RUN) ? " (dry run: nothing stored)"
		       : ret == CC_EREJECTED          ? " (strict: nothing stored)"
		                                      : "");
		if (!strcmp(kind, "population") && rep.n_read > rep.n_added + rep.n_updated +
		                                                  rep.n_unchanged + rep.n_rejected)
			printf("%s: skipped %zu rows of other countries than the mission's\n", argv[i],
			       rep.n_read - rep.n_added - rep.n_updated - rep.n_unchanged -
			               rep.n_rejected);
		if (rep.kept_stale)
			printf("%s: rows missing from this file were kept because rows were "
			       "rejected; fix them and import again\n",
			       argv[i]);
		if (ret == CC_EREJECTED)
			return cli_fail(&err);
		if (rep.n_rejected)
			status = (o.flags & CC_IMPORT_DRY_RUN) ? CLI_FAIL : CLI_REJECTED;
	}
	fflush(stdout);
	return status;
}
