/*
 * concord survey results|alpha, and the `import survey` row of cmd_import.c: perception
 * surveys, weighted estimates with their intervals, changes between waves, scale reliability.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <concord/alloc.h>
#include <concord/analyses.h>
#include <concord/import.h>
#include <concord/report.h>
#include <concord/survey.h>
#include <concord/text.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

/* ---- import survey ---- */

#define MAX_FORMS 8

static struct cc_survey_import_opts survey_opts;
static const char *survey_forms[MAX_FORMS + 1];
static size_t n_survey_forms;

int cli_survey_option(int opt, const char *arg)
{
	switch (opt) {
	case CLI_SO_WAVE:
		survey_opts.wave = arg;
		break;
	case CLI_SO_WEIGHT:
		survey_opts.weight_column = arg;
		break;
	case CLI_SO_AREA:
		survey_opts.area_columns = arg;
		break;
	case CLI_SO_AREA_MAP:
		survey_opts.area_map = arg;
		break;
	case CLI_SO_FORM:
		if (n_survey_forms == MAX_FORMS)
			return CLI_USAGE;
		survey_forms[n_survey_forms++] = arg;
		survey_opts.forms = survey_forms;
		break;
	case CLI_SO_PERSONAL:
		survey_opts.personal = arg;
		break;
	case CLI_SO_ID:
		survey_opts.id_column = arg;
		break;
	default:
		return CLI_USAGE;
	}
	return CLI_OK;
}

int cli_import_survey(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                      struct cc_import_report *rep, struct cc_err *err)
{
	return cc_import_survey(st, path, opts, &survey_opts, rep, err);
}

/* ---- output helpers ---- */

enum fmt { F_TABLE, F_CSV, F_JSON };

/* v with prec decimals (prec < 0: 6 significant digits), "" for NAN */
static const char *num(double v, int prec, char buf[static 32])
{
	if (isnan(v))
		return "";
	if (prec < 0)
		snprintf(buf, 32, "%.6g", v);
	else
		snprintf(buf, 32, "%.*f", prec, v);
	return buf;
}

/* ---- survey results ---- */

struct rargs {
	struct cc_survey_results_query q;
	enum fmt fmt;
};

static const char *clusters_text(const struct cc_survey_prop *p, char buf[static 32])
{
	if (isnan(p->icc))
		snprintf(buf, 32, "C=%zu", p->n_clusters);
	else
		snprintf(buf, 32, "C=%zu ICC=%.3f", p->n_clusters, p->icc);
	return buf;
}

static void print_table(const struct cc_survey_results_query *a, const struct cc_survey_results *r)
{
	const struct cc_survey_data *d = &r->data;
	const struct cc_survey_table *t = &r->table;
	const struct cc_survey_tab_opts *o = &r->opts;
	char b[8][32];

	printf("Question %s%s%s%s. Weighted shares of the substantive answers (don't know and "
	       "refused apart, missing skipped),\n",
	       d->question.name, d->question.label[0] ? " (" : "", d->question.label,
	       d->question.label[0] ? ")" : "");
	printf("%.0f%% Wilson intervals on the Kish effective n = (sum w)^2 / sum w^2 "
	       "(z = %.6f); '*' marks n_eff < %g.\n",
	       o->level * 100, t->z, o->min_neff);
	if (r->clustered)
		printf("Clustered by %s: n_eff = p(1-p) / Var(p), Var(p) linearised by cluster "
		       "(clusters as primary units);\ndeff = n / n_eff covers weighting and "
		       "clustering; C clusters, implied ICC from deff = deff_kish (1 + (m-1) ICC).\n",
		       a->cluster);
	if (o->multiple)
		printf("Select multiple: each choice's share of the respondents who answered (a "
		       "respondent may give several; shares add up to more than 1).\n");
	if (o->changes)
		printf("Change between consecutive waves: two-sided z test of the difference, "
		       "se = sqrt(p1(1-p1)/n_eff1 + p2(1-p2)/n_eff2).\n");
	printf("\n%-28s %-16s %6s %6s %9s %7s %17s %8s %6s %s\n", cc_survey_by_name(a->by), "answer", "count",
	       "of n", "sum_w", "share", "interval", "n_eff", "deff", "");
	for (size_t c = 0; c < t->n_cells; c++) {
		const struct cc_survey_cell *cell = &t->cells[c];

		for (size_t i = 0; i < t->n_estimates; i++) {
			const struct cc_survey_estimate *e = &t->estimates[i];
			char ci[48];

			if (e->cell != c)
				continue;
			snprintf(ci, sizeof(ci), "[%.4f, %.4f]", e->prop.lo, e->prop.hi);
			if (e->note[0])
				printf("%-28.28s %-16.16s %6zu %6zu %9s %7s  %s\n", cell->cell,
				       e->category, e->prop.n_yes, e->prop.n,
				       num(e->prop.sum_w, 2, b[0]), "-", e->note);
			else
				printf("%-28.28s %-16.16s %6zu %6zu %9.2f %7.4f %17s %8.1f %6.3f "
				       "%s%s%s\n",
				       cell->cell, e->category, e->prop.n_yes, e->prop.n,
				       e->prop.sum_w, e->prop.p, ci, e->prop.n_eff, e->prop.deff,
				       e->prop.small ? "*" : "",
				       r->clustered ? (e->prop.small ? " " : "  ") : "",
				       r->clustered ? clusters_text(&e->prop, b[3]) : "");
			if (e->has_change)
				printf("%-28s   change from %s: %+.4f (z = %.3f, p = %.4f)\n", "",
				       t->cells[c - 1].cell, e->change.diff, e->change.z,
				       e->change.p);
			else if (e->change_note[0])
				printf("%-28s   change from %s: no test (%s)\n", "",
				       t->cells[c - 1].cell, e->change_note);
		}
		printf("%-28.28s answered %zu, don't know %zu (%s), refused %zu (%s), missing "
		       "%zu\n",
		       cell->cell, cell->n_answered, cell->n_dont_know,
		       num(cell->dont_know_share, 4, b[1]), cell->n_refused,
		       num(cell->refused_share, 4, b[2]), cell->n_missing);
		if (o->likert_k > 0) {
			if (cell->has_likert)
				printf("%-28.28s Likert 1..%d%s: mean %.3f, index %.2f [%.2f, "
				       "%.2f], "
				       "top-two-box %.4f [%.4f, %.4f], n_eff %.1f%s\n",
				       cell->cell, o->likert_k, o->reverse ? " reversed" : "",
				       cell->likert.mean, cell->likert.index, cell->likert.index_lo,
				       cell->likert.index_hi, cell->likert.top2.p,
				       cell->likert.top2.lo, cell->likert.top2.hi,
				       cell->likert.n_eff, cell->likert.small ? " *" : "");
			else
				printf("%-28.28s Likert index: none (%s)\n", cell->cell,
				       cell->likert_note);
			if (cell->has_change)
				printf("%-28s   index change from %s: %+.2f (z = %.3f, p = %.4f)\n",
				       "", t->cells[c - 1].cell, cell->likert_change.diff,
				       cell->likert_change.z, cell->likert_change.p);
			else if (cell->change_note[0])
				printf("%-28s   index change from %s: no test (%s)\n", "",
				       t->cells[c - 1].cell, cell->change_note);
		}
	}
}

static void print_csv(const struct cc_survey_data *d, const struct cc_survey_table *t)
{
	static const char *const head[] = {
		"question", "cell",     "answer",    "count",           "n",       "sum_w",
		"share",    "lo",       "hi",        "n_eff",           "deff",    "small",
		"note",     "answered", "dont_know", "dont_know_share", "refused", "refused_share",
		"missing",  "change",   "change_z",  "change_p", "clusters", "icc",
	};
	char b[18][32];

	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		cli_csv_field(head[i], i + 1 == sizeof(head) / sizeof(head[0]));
	for (size_t i = 0; i < t->n_estimates; i++) {
		const struct cc_survey_estimate *e = &t->estimates[i];
		const struct cc_survey_cell *c = &t->cells[e->cell];

		snprintf(b[0], 32, "%zu", e->prop.n);
		snprintf(b[1], 32, "%zu", c->n_answered);
		snprintf(b[2], 32, "%zu", c->n_dont_know);
		snprintf(b[3], 32, "%zu", c->n_refused);
		snprintf(b[4], 32, "%zu", c->n_missing);
		cli_csv_field(d->question.name, false);
		cli_csv_field(c->cell, false);
		cli_csv_field(e->category, false);
		snprintf(b[1], 32, "%zu", e->prop.n_yes);
		cli_csv_field(b[1], false);
		cli_csv_field(b[0], false);
		snprintf(b[1], 32, "%zu", c->n_answered);
		cli_csv_field(num(e->prop.sum_w, -1, b[5]), false);
		cli_csv_field(num(e->prop.p, 6, b[6]), false);
		cli_csv_field(num(e->prop.lo, 6, b[7]), false);
		cli_csv_field(num(e->prop.hi, 6, b[8]), false);
		cli_csv_field(num(e->prop.n_eff, 4, b[9]), false);
		cli_csv_field(num(e->prop.deff, 4, b[10]), false);
		cli_csv_field(e->note[0] ? "" : e->prop.small ? "yes" : "no", false);
		cli_csv_field(e->note, false);
		cli_csv_field(b[1], false);
		cli_csv_field(b[2], false);
		cli_csv_field(num(c->dont_know_share, 6, b[11]), false);
		cli_csv_field(b[3], false);
		cli_csv_field(num(c->refused_share, 6, b[12]), false);
		cli_csv_field(b[4], false);
		cli_csv_field(e->has_change ? num(e->change.diff, 6, b[13]) : "", false);
		cli_csv_field(e->has_change ? num(e->change.z, 4, b[14]) : "", false);
		cli_csv_field(e->has_change ? num(e->change.p, 6, b[15]) : "", false);
		snprintf(b[16], 32, "%zu", e->prop.n_clusters);
		cli_csv_field(e->prop.n_clusters ? b[16] : "", false);
		cli_csv_field(num(e->prop.icc, 6, b[17]), true);
	}
}

static int survey_results(struct cli *cli, int argc, char **argv)
{
	enum {
		O_QUESTION = 256,
		O_BY,
		O_GROUP,
		O_LEVEL,
		O_WAVE,
		O_LIKERT,
		O_REVERSE,
		O_CONF,
		O_MIN_NEFF,
		O_CSV,
		O_JSON,
		O_CLUSTER,
		O_MULTIPLE
	};
	static const struct option longopts[] = {
		{ "cluster", required_argument, NULL, O_CLUSTER },
		{ "multiple", no_argument, NULL, O_MULTIPLE },
		{ "question", required_argument, NULL, O_QUESTION },
		{ "by", required_argument, NULL, O_BY },
		{ "group", required_argument, NULL, O_GROUP },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "wave", required_argument, NULL, O_WAVE },
		{ "likert", required_argument, NULL, O_LIKERT },
		{ "reverse", no_argument, NULL, O_REVERSE },
		{ "confidence", required_argument, NULL, O_CONF },
		{ "min-neff", required_argument, NULL, O_MIN_NEFF },
		{ "csv", no_argument, NULL, O_CSV },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct rargs ra = {
		.q = { .level = 1, .conf = CC_SURVEY_LEVEL, .min_neff = CC_SURVEY_MIN_NEFF },
	};
	struct cc_survey_results_query *a = &ra.q;
	struct cc_survey_results r;
	struct cc_mission m;
	struct cc_err err = { 0 };
	struct cc_buf json = CC_BUF_INIT(1 << 20);
	int64_t v;
	int opt, ret, status = CLI_OK;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_QUESTION:
			a->question = optarg;
			break;
		case O_CLUSTER:
			a->cluster = optarg;
			break;
		case O_MULTIPLE:
			a->multiple = true;
			break;
		case O_BY:
			if (!strcmp(optarg, "area"))
				a->by = CC_SURVEY_BY_AREA;
			else if (!strcmp(optarg, "group"))
				a->by = CC_SURVEY_BY_GROUP;
			else if (!strcmp(optarg, "wave"))
				a->by = CC_SURVEY_BY_WAVE;
			else
				return cli_usage(cli, "--by: '%s' is not area, group or wave",
				                 optarg);
			break;
		case O_GROUP:
			a->group = optarg;
			break;
		case O_LEVEL:
			if (cc_parse_i64(optarg, 0, 5, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			a->level = (int)v;
			break;
		case O_WAVE:
			a->wave = optarg;
			break;
		case O_LIKERT:
			if (cc_parse_i64(optarg, 2, 11, &v, &err) < 0)
				return cli_usage(cli, "--likert: %s", err.msg);
			a->likert_k = (int)v;
			break;
		case O_REVERSE:
			a->reverse = true;
			break;
		case O_CONF:
			if (cc_parse_double(optarg, &a->conf, &err) < 0 ||
			    !(a->conf > 0 && a->conf < 1))
				return cli_usage(cli, "--confidence: '%s' is not in (0, 1)",
				                 optarg);
			break;
		case O_MIN_NEFF:
			if (cc_parse_double(optarg, &a->min_neff, &err) < 0 || !(a->min_neff > 0))
				return cli_usage(cli, "--min-neff: '%s' is not a number > 0",
				                 optarg);
			break;
		case O_CSV:
			ra.fmt = F_CSV;
			break;
		case O_JSON:
			ra.fmt = F_JSON;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (!a->question)
		return cli_usage(cli, "say which question: --question NAME");
	if (a->by == CC_SURVEY_BY_GROUP && !a->group)
		return cli_usage(cli, "--by group needs --group QUESTION (the column to group by)");
	if (a->group && a->by != CC_SURVEY_BY_GROUP)
		return cli_usage(cli, "--group goes with --by group");
	if (a->reverse && !a->likert_k)
		return cli_usage(cli, "--reverse goes with --likert K");
	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, &err)) < 0)
		return cli_fail(&err);
	a->mission_id = m.id;
	if ((ret = cc_survey_results_load(cli->st, a, &r, &err)) < 0)
		return cli_fail(&err);
	switch (ra.fmt) {
	case F_TABLE:
		if (!r.data.n_rows)
			printf("No respondents%s%s.\n", a->wave ? " in wave " : "",
			       a->wave ? a->wave : "");
		print_table(a, &r);
		break;
	case F_CSV:
		print_csv(&r.data, &r.table);
		break;
	case F_JSON:
		if ((ret = cc_survey_format_json(a, &r, &json, &err)) < 0)
			status = cli_fail(&err);
		else
			fwrite(json.buf, 1, json.len, stdout);
		break;
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		status = CLI_FAIL;
	cc_buf_release(&json);
	cc_survey_results_release(&r);
	return status;
}

/* ---- survey alpha ---- */

static int survey_alpha(struct cli *cli, int argc, char **argv)
{
	enum { O_ITEMS = 256, O_WAVE, O_JSON };
	static const struct option longopts[] = {
		{ "items", required_argument, NULL, O_ITEMS },
		{ "wave", required_argument, NULL, O_WAVE },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	const char *items = NULL, *wave = NULL;
	struct cc_survey_alpha_run a;
	struct cc_buf out = CC_BUF_INIT(64u << 10);
	struct cc_mission m;
	struct cc_err err = { 0 };
	bool json = false;
	int opt, status = CLI_OK;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_ITEMS:
			items = optarg;
			break;
		case O_WAVE:
			wave = optarg;
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
	if (!items)
		return cli_usage(cli, "name the items: --items Q1,Q2,...");
	if (cc_store_get_mission(cli->st, cli->mission, &m, &err) < 0)
		return cli_fail(&err);
	if (cc_survey_alpha_load(cli->st, m.id, items, wave, &a, &err) < 0)
		return err.code == CC_EUSAGE ? cli_usage(cli, "--items: %s", err.msg) : cli_fail(&err);
	if (json) {
		if (cc_survey_alpha_format_json(&a, &out, &err) < 0)
			status = cli_fail(&err);
		else
			fwrite(out.buf, 1, out.len, stdout);
	} else if (a.status == 0) {
		printf("Cronbach's alpha of %zu items: %.4f (%s)\n", a.k, a.alpha.alpha,
		       a.alpha.alpha >= 0.7   ? "acceptable: >= 0.7"
		       : a.alpha.alpha >= 0.6 ? "questionable: 0.6-0.7"
		                              : "below 0.6: do not combine the items");
		printf("respondents asked %zu, with every item %zu, dropped (an item missing) %zu\n",
		       a.asked, a.alpha.n_used, a.alpha.n_dropped);
		for (size_t j = 0; j < a.k; j++)
			printf("  %-32s variance %.4f\n", a.items[j], a.var[j]);
		printf("sum of item variances %.4f, variance of the total %.4f (sample, n - 1)\n",
		       a.alpha.sum_item_var, a.alpha.total_var);
	} else {
		cc_err_set(&err, a.status, "%s", a.note);
		status = cli_fail(&err);
	}
	cc_buf_release(&out);
	return status;
}

int cmd_survey(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(cli, "say results or alpha");
	if (!strcmp(argv[1], "results"))
		return survey_results(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "alpha"))
		return survey_alpha(cli, argc - 1, argv + 1);
	return cli_usage(cli, "unknown subcommand '%s'; the subcommands are: results, alpha",
	                 argv[1]);
}
