/*
 * concord index: composite indices per area × pillar and overall from goalpost-normalised
 * indicators (rolled up to the level), ranks, the weight sensitivity table and stages of
 * transition. The definition comes from --config (docs/index.md), else every indicator with
 * goalposts at weight 1, arithmetic.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/analyses.h>
#include <concord/index.h>
#include <concord/indicators.h>
#include <concord/report.h>
#include <concord/rollup.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "core/limits.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

enum fmt { F_TABLE, F_CSV, F_JSON };

static const char *num3(double v, char buf[static 32])
{
	if (isnan(v))
		return "n/a";
	snprintf(buf, 32, "%.3f", v);
	return buf;
}

struct view {
	const struct cc_index_config *c;
	const struct cc_index_item *items;
	size_t n_items;
	const struct cc_area *areas;
	const size_t *unit; /* unit → area index */
	size_t n_units;
	size_t n_empty; /* areas of the level with no value of any item */
	const struct cc_index_result *r;
	int level;
	int32_t at;
};

static const char *sens_name(const struct view *v, const struct cc_index_sens *s,
                             char buf[static 128])
{
	if (s->pillar)
		snprintf(buf, 128, "pillar %s", v->r->pillar_names[s->which]);
	else
		snprintf(buf, 128, "%s (%s)", v->items[s->which].code, v->items[s->which].pillar);
	return buf;
}

static const char *missing_of(const struct view *v, size_t u, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < v->n_items; i++) {
		if (!v->items[i].in_index || !isnan(v->r->norm[u * v->n_items + i]))
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ";" : "",
		                        v->items[i].code);
		if (len >= size)
			len = size - 1;
	}
	return buf;
}

static const char *stage_text(const struct view *v, size_t u, char *buf, size_t size)
{
	const struct cc_stage_result *s = &v->r->stages[u];

	if (s->rule < 0)
		snprintf(buf, size, "default (no rule true)");
	else if (s->undetermined)
		snprintf(buf, size, "%s: %s (missing %s)", v->c->rules[s->rule].name,
		         v->c->rules[s->rule].text, s->missing);
	else
		snprintf(buf, size, "%s: %s", v->c->rules[s->rule].name, v->c->rules[s->rule].text);
	return buf;
}

static void print_header(const struct view *v)
{
	const struct cc_index_result *r = v->r;
	const struct cc_index_config *c = v->c;
	double eps = c->epsilon > 0 ? c->epsilon : CC_INDEX_EPSILON;
	char dt[11];

	printf("Index \"%s\" at admin level %d", c->name[0] ? c->name : "index", v->level);
	if (v->at != CC_DATE_NONE)
		printf(" as of %s", cc_date_format(v->at, dt));
	printf(".\nPillar scores: %s mean of the indicators normalised between their goalposts;\n"
	       "overall: %s mean of the pillar scores. Weights are divided by their sum.\n",
	       cc_index_method_name(c->method), cc_index_method_name(c->overall_method));
	if (c->method == CC_INDEX_GEOMETRIC || c->overall_method == CC_INDEX_GEOMETRIC)
		printf("Geometric inputs below %g are raised to %g (marked *).\n", eps, eps);
	printf("Missing indicator: %s.\n\n",
	       c->reweight_missing ? "score over the others, weights rescaled (reweight)"
	                           : "no pillar or overall score (exclude)");
	printf("%-16s %-14s %8s %21s %s\n", "indicator", "pillar", "weight", "goalposts", "better");
	for (size_t i = 0; i < v->n_items; i++) {
		const struct cc_index_item *it = &v->items[i];

		if (!it->in_index)
			continue;
		printf("%-16s %-14s %8.4f %10g..%-10g %s\n", it->code, it->pillar, r->item_w[i],
		       it->goal_min, it->goal_max, it->higher_is_better ? "higher" : "lower");
	}
	printf("Pillar weights:");
	for (size_t p = 0; p < r->n_pillars; p++)
		printf(" %s %.4f", r->pillar_names[p], r->pillar_w[p]);
	printf("\n\n");
}

static void print_table(const struct view *v)
{
	const struct cc_index_result *r = v->r;
	char b[32], line[512], miss[512];
	double sh = v->c->sensitivity > 0 ? v->c->sensitivity : CC_INDEX_SENSITIVITY;

	print_header(v);
	printf("%-4s %-10s %-18s", "rank", "area", "name");
	for (size_t p = 0; p < r->n_pillars; p++)
		printf(" %14.14s", r->pillar_names[p]);
	printf(" %9s%s\n", "overall", r->stages ? "  stage" : "");
	for (size_t u = 0; u < v->n_units; u++) {
		const struct cc_area *a = &v->areas[v->unit[u]];

		if (r->rank[u])
			printf("%-4d", r->rank[u]);
		else
			printf("%-4s", "-");
		printf(" %-10s %-18.18s", a->pcode, a->name);
		for (size_t p = 0; p < r->n_pillars; p++)
			printf(" %13s%s", num3(r->pillar[u * r->n_pillars + p], b),
			       r->floored[u * r->n_pillars + p] ? "*" : " ");
		printf(" %8s%s", num3(r->overall[u], b),
		       r->floored[r->n_units * r->n_pillars + u] ? "*" : " ");
		if (r->stages)
			printf(" %s [%s]", cc_stage_name(r->stages[u].stage),
			       stage_text(v, u, line, sizeof(line)));
		putchar('\n');
	}
	if (v->n_units == 0)
		printf("(no area of level %d has a value of the index's indicators)\n", v->level);
	if (v->n_empty)
		printf("%zu more areas of level %d have no value of any of its indicators.\n",
		       v->n_empty, v->level);
	for (size_t u = 0, first = 1; u < v->n_units; u++) {
		missing_of(v, u, miss, sizeof(miss));
		if (!miss[0])
			continue;
		if (first)
			printf("\nMissing indicators (not imputed):\n");
		first = 0;
		printf("  %-10s %s\n", v->areas[v->unit[u]].pcode, miss);
	}
	if (r->n_sens == 0)
		return;
	printf("\nSensitivity: each weight times %.2f and %.2f, its group's weights divided again "
	       "by their sum;\nranks recomputed (areas with an overall score).\n",
	       1 - sh, 1 + sh);
	printf("%-32s %7s %9s %9s  %s\n", "weight", "change", "re-ranked", "max shift",
	       "rank changes");
	for (size_t k = 0; k < r->n_sens; k++) {
		const struct cc_index_sens *s = &r->sens[k];
		size_t len = 0;

		line[0] = '\0';
		for (size_t u = 0; u < v->n_units && len + 1 < sizeof(line); u++) {
			if (s->rank[u] == r->rank[u])
				continue;
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s %d->%d",
			                        len ? ", " : "", v->areas[v->unit[u]].pcode,
			                        r->rank[u], s->rank[u]);
		}
		printf("%-32s %+6.0f%% %9zu %9d  %s\n", sens_name(v, s, (char[128]){ 0 }),
		       (s->factor - 1) * 100, s->n_changed, s->max_shift, line[0] ? line : "-");
	}
}

static void print_csv(const struct view *v)
{
	const struct cc_index_result *r = v->r;
	char b[32], line[512];

	cli_csv_field("area", false);
	cli_csv_field("name", false);
	for (size_t p = 0; p < r->n_pillars; p++)
		cli_csv_field(r->pillar_names[p], false);
	cli_csv_field("overall", false);
	cli_csv_field("rank", false);
	cli_csv_field("floored", false);
	cli_csv_field("stage", false);
	cli_csv_field("stage_rule", false);
	cli_csv_field("missing", true);
	for (size_t u = 0; u < v->n_units; u++) {
		bool fl = r->floored[r->n_units * r->n_pillars + u];

		cli_csv_field(v->areas[v->unit[u]].pcode, false);
		cli_csv_field(v->areas[v->unit[u]].name, false);
		for (size_t p = 0; p < r->n_pillars; p++) {
			double x = r->pillar[u * r->n_pillars + p];

			fl = fl || r->floored[u * r->n_pillars + p];
			snprintf(b, sizeof(b), "%.6g", x);
			cli_csv_field(isnan(x) ? "" : b, false);
		}
		snprintf(b, sizeof(b), "%.6g", r->overall[u]);
		cli_csv_field(isnan(r->overall[u]) ? "" : b, false);
		snprintf(b, sizeof(b), "%d", r->rank[u]);
		cli_csv_field(r->rank[u] ? b : "", false);
		cli_csv_field(fl ? "yes" : "no", false);
		cli_csv_field(r->stages ? cc_stage_name(r->stages[u].stage) : "", false);
		cli_csv_field(r->stages ? stage_text(v, u, line, sizeof(line)) : "", false);
		cli_csv_field(missing_of(v, u, line, sizeof(line)), true);
	}
}

int cmd_index(struct cli *cli, int argc, char **argv)
{
	enum { O_CONFIG = 256, O_LEVEL, O_AT, O_CSV, O_JSON };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, O_CONFIG },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "at", required_argument, NULL, O_AT },
		{ "csv", no_argument, NULL, O_CSV },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_index_run x = { 0 };
	struct cc_mission m;
	struct cc_err err = { 0 };
	const char *config = NULL;
	enum fmt fmt = F_TABLE;
	int32_t at = CC_DATE_NONE;
	int level = -1, opt, ret = CLI_OK;
	int64_t v;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_CONFIG:
			config = optarg;
			break;
		case O_LEVEL:
			if (cc_parse_i64(optarg, 0, 5, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			level = (int)v;
			break;
		case O_AT:
			if (cc_date_parse(optarg, &at, &err) < 0)
				return cli_usage(cli, "--at: %s", err.msg);
			break;
		case O_CSV:
			fmt = F_CSV;
			break;
		case O_JSON:
			fmt = F_JSON;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (cc_store_get_mission(cli->st, cli->mission, &m, &err) < 0)
		return cli_fail(&err);
	if (cc_index_run(cli->st, m.id, config, level, at, &x, &err) < 0)
		return cli_fail(&err);
	{
		struct view vw = { .c = &x.c,
			           .items = x.items,
			           .n_items = x.n_items,
			           .areas = x.areas,
			           .unit = x.unit,
			           .n_units = x.n_units,
			           .n_empty = x.n_empty,
			           .r = &x.r,
			           .level = x.level,
			           .at = at };

		switch (fmt) {
		case F_TABLE:
			print_table(&vw);
			break;
		case F_CSV:
			print_csv(&vw);
			break;
		case F_JSON: {
			struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);

			if (cc_index_format_json(&x, &out, &err) < 0)
				ret = cli_fail(&err);
			else
				ret = cli_write(out.buf, out.len);
			cc_buf_release(&out);
			break;
		}
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		ret = CLI_FAIL;
	cc_index_run_release(&x);
	return ret;
}
