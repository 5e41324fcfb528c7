/*
 * The command-line face of Concord: one table of subcommands (main.c), one file per command.
 * A command parses its arguments, calls one library function and formats the result. Only this
 * folder prints and chooses exit statuses.
 */
#ifndef CC_CLI_H
#define CC_CLI_H

#include <stdbool.h>

#include <concord/error.h>
#include <concord/store.h>

/* Exit statuses of `concord`. */
enum cli_exit {
	CLI_OK = 0,       /* success */
	CLI_FAIL = 1,     /* failure; nothing was stored */
	CLI_USAGE = 2,    /* invalid command line */
	CLI_REJECTED = 3, /* an import stored its good rows and rejected others */
};

enum cli_cmd_flags {
	CLI_STORE = 1 << 0,  /* open the store before running */
	CLI_CREATE = 1 << 1, /* … creating it if needed */
	CLI_ANY_SCHEMA = 1 << 2, /* … whatever its schema version */
};

struct cli {
	const char *db;      /* store URI: -d/--db, else $CONCORD_DB, else ./concord.db */
	const char *mission; /* -m/--mission or NULL */
	const char *as;      /* --as/--audience READER or NULL (the operator) */
	struct cc_store *st; /* open when the command has CLI_STORE */
	bool tty;            /* stderr is a terminal: show progress */
	const struct cli_cmd *cmd;
};

typedef int cli_cmd_fn(struct cli *cli, int argc, char **argv);

struct cli_cmd {
	const char *name;
	cli_cmd_fn *run;
	unsigned flags;
	const char *usage;   /* synopsis after "concord " */
	const char *summary; /* one line for `concord --help` */
	const char *help;    /* the rest of `concord help CMD` */
};

/* Prints err as "concord: file:line: field: message" and returns the exit status for it. */
int cli_fail(const struct cc_err *err);
/* Prints "concord CMD: message" and the command's usage; returns CLI_USAGE. */
int cli_usage(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Makes every read of cli->st one for reader: "public", "partners" (of the mission) or an
 * organisation of the mission (key or alias, optionally ":ROLE", which is checked and kept for
 * the record). CC_ENOTFOUND / CC_EUSAGE naming --as otherwise. (cmd_sharing.c)
 */
int cli_read_as(struct cli *cli, const char *reader, struct cc_err *err);
int cmd_member(struct cli *cli, int argc, char **argv);
int cmd_mark(struct cli *cli, int argc, char **argv);
int cmd_watch(struct cli *cli, int argc, char **argv);
int cmd_retention(struct cli *cli, int argc, char **argv);
int cmd_webhook(struct cli *cli, int argc, char **argv); /* cmd_webhook.c */
/* out.c: a CSV field (quoted when needed) and ',' or, when last, '\n'; a JSON string; a JSON
   number with 6 significant digits, null for NAN and infinities. All on stdout. */
void cli_csv_field(const char *s, bool last);
void cli_json_str(const char *s);
void cli_json_num(double v);
/* Writes s to stdout; CLI_FAIL on a write error. */
int cli_write(const char *s, size_t len);

int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_migrate(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_coverage(struct cli *cli, int argc, char **argv);
int cmd_progress(struct cli *cli, int argc, char **argv);
int cmd_report(struct cli *cli, int argc, char **argv);
int cmd_pillar(struct cli *cli, int argc, char **argv);
int cmd_gaps(struct cli *cli, int argc, char **argv);
int cmd_overlap(struct cli *cli, int argc, char **argv);
/* cmd_gaps.c: `import needs|population` rows of cmd_import.c and their --map COLUMN=#tag
   (cli_needs_map returns CLI_OK or CLI_USAGE) */
int cli_needs_map(const char *arg);
/* cmd_import.c: one generic --map COLUMN=FIELD into *out (strings kept for the run); CLI_OK or
   CLI_USAGE. Used by every CSV import command. */
#define CLI_MAX_MAP 64
struct cc_import_map;
int cli_parse_map(const char *arg, struct cc_import_map *out);
struct cc_import_opts;
struct cc_import_report;
int cli_import_needs(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                     struct cc_import_report *rep, struct cc_err *err);
int cli_import_population(struct cc_store *st, const char *path,
                          const struct cc_import_opts *opts, struct cc_import_report *rep,
                          struct cc_err *err);
int cmd_serve(struct cli *cli, int argc, char **argv);
int cmd_user(struct cli *cli, int argc, char **argv);
int cmd_token(struct cli *cli, int argc, char **argv);
/* cmd_events.c: exposure, and the `import events` row of cmd_import.c (--format sets the
   format, NULL: decided by the header) */
int cmd_exposure(struct cli *cli, int argc, char **argv);
int cmd_lesson(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv); /* cmd_export.c: export, audit */
int cmd_audit(struct cli *cli, int argc, char **argv);
int cmd_review(struct cli *cli, int argc, char **argv); /* cmd_review.c: plan review */
int cmd_allocate(struct cli *cli, int argc, char **argv); /* cmd_allocate.c: the allocation LP */
int cmd_rollup(struct cli *cli, int argc, char **argv); /* cmd_rollup.c */
int cmd_index(struct cli *cli, int argc, char **argv);  /* cmd_index.c */
int cmd_indicators(struct cli *cli, int argc, char **argv); /* cmd_compute.c */
/* cmd_rollup.c: indicator data, areas (with populations for the year of at) and their roll-up
   to level; on success all three are owned by the caller */
struct cc_indicator_data;
struct cc_area;
struct cc_rollup;
int cli_rollup_load(struct cc_store *st, int64_t mission_id, const char *indicator, int level,
                    int32_t at, struct cc_indicator_data *data, struct cc_area **areas,
                    size_t *n_areas, struct cc_rollup *out, struct cc_err *err);
/* cmd_survey.c: survey results|alpha, and the `import survey` row of cmd_import.c with its
   options (cli_survey_option returns CLI_OK or CLI_USAGE); cmd_feedback.c */
int cmd_survey(struct cli *cli, int argc, char **argv);
int cmd_feedback(struct cli *cli, int argc, char **argv);
int cmd_mission(struct cli *cli, int argc, char **argv); /* cmd_money.c: mission, money */
int cmd_money(struct cli *cli, int argc, char **argv);
/* cmd_rounds.c: rounds, template, area; cmd_demo.c: demo load; main.c: the whole program on
   argv (global options, command, store), which demo load runs once per step */
int cli_rounds(struct cli *cli, int argc, char **argv);
int cli_template(struct cli *cli, int argc, char **argv);
int cli_area(struct cli *cli, int argc, char **argv);
int cli_demo(struct cli *cli, int argc, char **argv);
int cli_main(int argc, char **argv);
enum { CLI_SO_WAVE = 1100, CLI_SO_WEIGHT, CLI_SO_AREA, CLI_SO_AREA_MAP, CLI_SO_FORM,
       CLI_SO_PERSONAL, CLI_SO_ID };
int cli_survey_option(int opt, const char *arg);
struct cc_import_opts;
struct cc_import_report;
int cli_import_survey(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                      struct cc_import_report *rep, struct cc_err *err);
extern const char *cli_events_format;
struct cc_import_opts;
struct cc_import_report;
int cli_import_events(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                      struct cc_import_report *rep, struct cc_err *err);

#endif
