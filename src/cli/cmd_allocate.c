/* concord allocate: spread budgets and teams over area × pillar cells (a linear program) */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/allocate.h>
#include <concord/buf.h>
#include <concord/events.h>
#include <concord/exposure.h>
#include <concord/gaps.h>
#include <concord/needs.h>
#include <concord/report.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "core/limits.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

struct alloc_args {
	const char *problem;
	const char *write_model;
	int level;
	int days;
	enum cc_format fmt;
};

/* ---- cells from the store: unmet need per area × pillar (as `gaps --by pillar`), exposure as
   incidents in the area in the last D days to the latest stored incident ---- */

static int store_exposure(struct cc_store *st, int days, int level, const struct cc_area *areas,
                          size_t n_areas, double *out, struct cc_err *err)
{
	/* as `exposure --by area`: districts count precisely placed events only (DOMAIN.md §3.5) */
	struct cc_incident_query q = { .max_geo_prec_acled = level >= 2 ? 2 : 0,
		                       .max_geo_prec_ucdp = level >= 2 ? 3 : 0 };
	struct cc_exposure_incident *inc = NULL;
	struct cc_exposure_area *xa = NULL;
	struct cc_exposure_area_result *res = NULL;
	char(*types)[64] = NULL;
	size_t n_inc = 0, n_types = 0;
	int32_t at;
	int ret = cc_store_latest_incident(st, &at, err);

	if (ret == CC_ENOTFOUND) { /* no incidents: no exposure anywhere */
		cc_err_clear(err);
		return 0;
	}
	if (ret < 0)
		return ret;
	q.from = at - days + 1;
	q.to = at;
	ret = cc_store_load_incidents(st, &q, &inc, &n_inc, &types, &n_types, err);
	if (ret < 0)
		goto out_free;
	xa = cc_alloc_array(n_areas + 1, sizeof(*xa));
	res = cc_alloc_array(n_areas + 1, sizeof(*res));
	if (!xa || !res) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < n_areas; i++)
		xa[i] = (struct cc_exposure_area){ .id = areas[i].id,
			                           .parent_id = areas[i].parent_id,
			                           .population = areas[i].population };
	ret = cc_exposure_areas(xa, n_areas, inc, n_inc,
	                        &(struct cc_exposure_opts){ .window_days = days, .at = at }, res,
	                        err);
	for (size_t i = 0; ret == 0 && i < n_areas; i++)
		out[i] = (double)res[i].n_now;
out_free:
	cc_free(inc);
	cc_free(types);
	cc_free(xa);
	cc_free(res);
	return ret;
}

static int store_cells(struct cli *cli, const struct alloc_args *a, struct cc_alloc_problem *p,
                       size_t *n_no_severity, struct cc_err *err)
{
	struct cc_mission m;
	struct cc_coverage_record *recs = NULL;
	struct cc_coverage_column *cols = NULL;
	struct cc_area *cov_areas = NULL, *need_areas = NULL, *areas = NULL, *all = NULL;
	struct cc_gap_need *needs = NULL;
	struct cc_gap_sector *sectors = NULL;
	struct cc_gaps g = { 0 };
	size_t n_recs = 0, n_cols = 0, n_cov_areas = 0, n_need_areas = 0, n_needs = 0,
	       n_sectors = 0, n_all = 0;
	double *expo = NULL;
	int ret;

	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, err)) < 0)
		return ret;
	ret = cc_store_load_coverage(
	        cli->st, &(struct cc_coverage_query){ .mission_id = m.id, .by = CC_BY_PILLAR },
	        &recs, &n_recs, &cols, &n_cols, &cov_areas, &n_cov_areas, err);
	if (ret == 0)
		ret = cc_store_load_needs(cli->st,
		                          &(struct cc_need_query){ .mission_id = m.id,
		                                                   .min_level = 0,
		                                                   .from = CC_DATE_NONE,
		                                                   .to = CC_DATE_NONE },
		                          &needs, &n_needs, &need_areas, &n_need_areas, &sectors,
		                          &n_sectors, err);
	if (ret == 0) {
		areas = cc_alloc_array(n_cov_areas + n_need_areas + 1, sizeof(*areas));
		if (!areas)
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	if (ret == 0) {
		if (n_cov_areas)
			memcpy(areas, cov_areas, n_cov_areas * sizeof(*areas));
		if (n_need_areas)
			memcpy(areas + n_cov_areas, need_areas, n_need_areas * sizeof(*areas));
		ret = cc_gaps_compute(
		        needs, n_needs, recs, n_recs, areas, n_cov_areas + n_need_areas, sectors,
		        n_sectors,
		        &(struct cc_gap_opts){ .level = a->level, .by = CC_GAP_BY_PILLAR }, &g,
		        err);
	}
	if (ret == 0)
		ret = cc_store_list_areas(cli->st, &(struct cc_area_filter){ .level = -1 }, &all,
		                          &n_all, err);
	if (ret == 0 && !(expo = cc_alloc_array(n_all + 1, sizeof(double))))
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	if (ret == 0)
		ret = store_exposure(cli->st, a->days, a->level, all, n_all, expo, err);
	if (ret == 0 && !(p->cells = cc_alloc_array(g.n_rows + 1, sizeof(*p->cells))))
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; ret == 0 && i < g.n_rows; i++) {
		const struct cc_gap_row *r = &g.rows[i];
		struct cc_alloc_cell *c = &p->cells[p->n_cells];

		if (r->pillar < 0 || r->pillar >= CC_N_PILLARS || isnan(r->in_need))
			continue; /* intersectoral needs and needs without a figure have no cell */
		snprintf(c->area, sizeof(c->area), "%s", r->pcode);
		snprintf(c->name, sizeof(c->name), "%s", r->name);
		c->pillar = r->pillar;
		c->need = !isnan(r->unmet) ? r->unmet : r->in_need;
		c->severity = r->severity ? r->severity : 1;
		*n_no_severity += r->severity == 0;
		for (size_t k = 0; k < n_all; k++)
			if (all[k].id == r->area_id)
				c->exposure = expo[k];
		p->n_cells++;
	}
	cc_gaps_release(&g);
	cc_free(recs);
	cc_free(cols);
	cc_free(cov_areas);
	cc_free(need_areas);
	cc_free(areas);
	cc_free(all);
	cc_free(needs);
	cc_free(sectors);
	cc_free(expo);
	return ret;
}

/* ---- output ---- */

static const char *kind_name(enum cc_alloc_row_kind k)
{
	switch (k) {
	case CC_ALLOC_ROW_BUDGET:
		return "budget";
	case CC_ALLOC_ROW_EARMARK:
		return "earmark";
	case CC_ALLOC_ROW_CAPACITY:
		return "capacity";
	case CC_ALLOC_ROW_NEED:
		return "need";
	case CC_ALLOC_ROW_SECURITY:
		return "security";
	}
	return "?";
}

static bool at_lower(const struct cc_alloc_row *r)
{
	return isfinite(r->lo) &&
	       (!isfinite(r->hi) || fabs(r->activity - r->lo) < fabs(r->activity - r->hi));
}

static void bounds_text(const struct cc_alloc_row *r, char *buf, size_t n)
{
	if (isfinite(r->lo) && isfinite(r->hi) && r->lo == r->hi)
		snprintf(buf, n, "= %.6g", r->lo);
	else if (isfinite(r->lo) && isfinite(r->hi))
		snprintf(buf, n, "%.6g .. %.6g", r->lo, r->hi);
	else if (isfinite(r->lo))
		snprintf(buf, n, ">= %.6g", r->lo);
	else if (isfinite(r->hi))
		snprintf(buf, n, "<= %.6g", r->hi);
	else
		snprintf(buf, n, "free");
}

/* After the row's label: "one more USD buys 0.02 weighted people" */
static int meaning(struct cc_buf *b, const struct cc_alloc_row *r)
{
	if (at_lower(r))
		return cc_buf_addf(b, "requiring one %s more costs %.6g weighted people", r->unit,
		                   -r->shadow);
	return cc_buf_addf(b, "one more %s buys %.6g weighted people", r->unit, r->shadow);
}

static void cell_key(const struct cc_alloc_cell *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", cc_pillar_name(c->pillar), c->sector[0] ? "/" : "", c->sector);
}

static int format_table(const struct cc_alloc_problem *p, const struct cc_alloc_result *r,
                        size_t n_no_severity, struct cc_buf *b)
{
	char key[64], bnd[64];
	size_t nb = 0;

	cc_buf_addf(b,
	            "Allocation of %zu donors' money and %zu organisations' teams over %zu cells\n"
	            "Objective: maximise weighted people covered, weight = severity^%g x (need / "
	            "max need)^%g\n"
	            "Model: %zu variables, %zu constraints; %s\n",
	            p->n_donors, p->n_orgs, p->n_cells, p->severity_weight, p->need_weight,
	            r->n_vars, r->n_rows, r->status == CC_ALLOC_OPTIMAL ? "optimal" : "infeasible");
	if (n_no_severity)
		cc_buf_addf(b, "%zu cells without a severity count as severity 1\n", n_no_severity);
	if (r->status == CC_ALLOC_INFEASIBLE) {
		cc_buf_addf(b,
		            "\nNo allocation satisfies every constraint. These %zu cannot all hold "
		            "(an irreducible set,\nfound by dropping constraints one at a time; "
		            "loosen any one of them):\n",
		            r->n_conflict);
		for (size_t k = 0; k < r->n_conflict; k++) {
			const struct cc_alloc_row *w = &r->rows[r->conflict[k]];

			bounds_text(w, bnd, sizeof(bnd));
			cc_buf_addf(b, "  %-56.56s %s %s\n", w->label, bnd, w->unit);
		}
		return 0;
	}
	cc_buf_addf(b,
	            "\nObjective (LP)         %14.2f weighted people, %.0f people covered\n"
	            "After rounding teams   %14.2f weighted people, %.0f people covered\n",
	            r->objective, r->people_covered, r->objective_rounded,
	            r->people_covered_rounded);
	cc_buf_addf(b, "\nFunding\n%-24s %-12s %-22s %14s\n", "donor", "area", "pillar", "USD");
	for (size_t i = 0; i < r->n_funding; i++) {
		const struct cc_alloc_funding *f = &r->funding[i];

		cell_key(&p->cells[f->cell], key, sizeof(key));
		cc_buf_addf(b, "%-24.24s %-12s %-22.22s %14.2f\n", p->donors[f->donor].name,
		            p->cells[f->cell].area, key, f->usd);
	}
	cc_buf_addf(b, "\nTeams (LP relaxation, then rounded)\n%-24s %-12s %-22s %10s %8s\n",
	            "organisation", "area", "pillar", "LP", "rounded");
	for (size_t i = 0; i < r->n_teams; i++) {
		const struct cc_alloc_teams *t = &r->teams[i];

		cell_key(&p->cells[t->cell], key, sizeof(key));
		cc_buf_addf(b, "%-24.24s %-12s %-22.22s %10.3f %8ld\n", p->orgs[t->org].name,
		            p->cells[t->cell].area, key, t->lp, t->rounded);
	}
	cc_buf_addf(b, "\nCells\n%-12s %-20s %-16s %10s %3s %7s %12s %8s %10s %10s  %s\n", "area",
	            "name", "pillar", "need", "sev", "weight", "funded USD", "teams", "covered",
	            "rounded", "note");
	for (size_t c = 0; c < p->n_cells; c++) {
		const struct cc_alloc_cell *cell = &p->cells[c];
		const struct cc_alloc_cell_result *cr = &r->cells[c];

		cell_key(cell, key, sizeof(key));
		cc_buf_addf(b,
		            "%-12s %-20.20s %-16.16s %10.0f %3d %7.3g %12.2f %8ld %10.0f %10.0f  "
		            "%s%s\n",
		            cell->area, cell->name, key, cell->need, cell->severity, cr->weight,
		            cr->funded_usd, cr->teams_rounded, cr->covered, cr->covered_rounded,
		            cr->over_need_rounded > 0 ? "rounded teams above need " : "",
		            cr->security_short ? "rounded below security minimum" : "");
	}
	cc_buf_addf(b, "\nBinding constraints and shadow prices\n");
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct cc_alloc_row *w = &r->rows[i];

		if (!w->binding)
			continue;
		bounds_text(w, bnd, sizeof(bnd));
		cc_buf_addf(b, "  %-56.56s %-20s ", w->label, bnd);
		meaning(b, w);
		cc_buf_addch(b, '\n');
		nb++;
	}
	if (!nb)
		cc_buf_adds(b, "  none\n");
	return cc_buf_addf(b,
	                   "\nRounding: %zu team values rounded up, %zu down (sum of changes "
	                   "%.3f teams); %zu cells above their need and %zu security cells "
	                   "below the minimum after rounding\n",
	                   r->n_rounded_up, r->n_rounded_down, r->rounding_abs, r->n_over_need,
	                   r->n_security_short);
}

static void json_num(struct cc_buf *b, double v)
{
	if (isfinite(v))
		cc_buf_addf(b, "%.12g", v);
	else
		cc_buf_adds(b, "null");
}

static void json_row(struct cc_buf *b, const struct cc_alloc_row *w)
{
	cc_buf_addf(b, "{\"kind\":\"%s\",\"label\":", kind_name(w->kind));
	cc_buf_add_json_str(b, w->label);
	cc_buf_addf(b, ",\"unit\":\"%s\",\"lo\":", w->unit);
	json_num(b, w->lo);
	cc_buf_adds(b, ",\"hi\":");
	json_num(b, w->hi);
	cc_buf_adds(b, ",\"activity\":");
	json_num(b, w->activity);
	cc_buf_addf(b, ",\"binding\":%s,\"shadow_price\":", w->binding ? "true" : "false");
	json_num(b, w->shadow);
	cc_buf_addch(b, '}');
}

static void json_cell_ref(struct cc_buf *b, const struct cc_alloc_cell *c)
{
	cc_buf_adds(b, "\"area\":");
	cc_buf_add_json_str(b, c->area);
	cc_buf_addf(b, ",\"pillar\":\"%s\",\"sector\":", cc_pillar_name(c->pillar));
	cc_buf_add_json_str(b, c->sector);
}

static int format_json(const struct cc_alloc_problem *p, const struct cc_alloc_result *r,
                       double seconds, struct cc_buf *b)
{
	cc_buf_addf(b,
	            "{\"status\":\"%s\",\"n_variables\":%zu,\"n_constraints\":%zu,\"weights\":{"
	            "\"severity\":%g,\"need\":%g},\"solve_seconds\":%.6f,\"objective\":",
	            r->status == CC_ALLOC_OPTIMAL ? "optimal" : "infeasible", r->n_vars, r->n_rows,
	            p->severity_weight, p->need_weight, seconds);
	json_num(b, r->status == CC_ALLOC_OPTIMAL ? r->objective : (double)NAN);
	cc_buf_adds(b, ",\"people_covered\":");
	json_num(b, r->status == CC_ALLOC_OPTIMAL ? r->people_covered : (double)NAN);
	cc_buf_adds(b, ",\"objective_rounded\":");
	json_num(b, r->status == CC_ALLOC_OPTIMAL ? r->objective_rounded : (double)NAN);
	cc_buf_adds(b, ",\"people_covered_rounded\":");
	json_num(b, r->status == CC_ALLOC_OPTIMAL ? r->people_covered_rounded : (double)NAN);
	cc_buf_adds(b, ",\"funding\":[");
	for (size_t i = 0; i < r->n_funding; i++) {
		const struct cc_alloc_funding *f = &r->funding[i];

		cc_buf_adds(b, i ? ",{\"donor\":" : "{\"donor\":");
		cc_buf_add_json_str(b, p->donors[f->donor].name);
		cc_buf_addch(b, ',');
		json_cell_ref(b, &p->cells[f->cell]);
		cc_buf_addf(b, ",\"usd\":%.12g}", f->usd);
	}
	cc_buf_adds(b, "],\"teams\":[");
	for (size_t i = 0; i < r->n_teams; i++) {
		const struct cc_alloc_teams *t = &r->teams[i];

		cc_buf_adds(b, i ? ",{\"organisation\":" : "{\"organisation\":");
		cc_buf_add_json_str(b, p->orgs[t->org].name);
		cc_buf_addch(b, ',');
		json_cell_ref(b, &p->cells[t->cell]);
		cc_buf_addf(b, ",\"lp\":%.12g,\"rounded\":%ld}", t->lp, t->rounded);
	}
	cc_buf_adds(b, "],\"cells\":[");
	for (size_t c = 0; r->status == CC_ALLOC_OPTIMAL && c < p->n_cells; c++) {
		const struct cc_alloc_cell_result *cr = &r->cells[c];

		cc_buf_adds(b, c ? ",{" : "{");
		json_cell_ref(b, &p->cells[c]);
		cc_buf_addf(
		        b,
		        ",\"need\":%.12g,\"severity\":%d,\"exposure\":%.12g,\"weight\":%.12g,"
		        "\"funded_usd\":%.12g,\"teams_lp\":%.12g,\"teams_rounded\":%ld,"
		        "\"covered\":%.12g,\"covered_rounded\":%.12g,\"over_need_rounded\":%.12g,"
		        "\"security_short\":%s}",
		        p->cells[c].need, p->cells[c].severity, p->cells[c].exposure, cr->weight,
		        cr->funded_usd, cr->teams_lp, cr->teams_rounded, cr->covered,
		        cr->covered_rounded, cr->over_need_rounded,
		        cr->security_short ? "true" : "false");
	}
	cc_buf_adds(b, "],\"constraints\":[");
	for (size_t i = 0; i < r->n_rows; i++) {
		if (i)
			cc_buf_addch(b, ',');
		json_row(b, &r->rows[i]);
	}
	cc_buf_addf(b,
	            "],\"rounding\":{\"rule\":\"largest remainder per organisation\",\"up\":%zu,"
	            "\"down\":%zu,\"abs_change\":%.12g,\"cells_over_need\":%zu,"
	            "\"security_short\":%zu},\"conflict\":[",
	            r->n_rounded_up, r->n_rounded_down, r->rounding_abs, r->n_over_need,
	            r->n_security_short);
	for (size_t k = 0; k < r->n_conflict; k++) {
		if (k)
			cc_buf_addch(b, ',');
		json_row(b, &r->rows[r->conflict[k]]);
	}
	return cc_buf_adds(b, "]}\n");
}

static int format_csv(const struct cc_alloc_problem *p, const struct cc_alloc_result *r,
                      struct cc_buf *b)
{
	cc_buf_adds(b, "kind,name,area,pillar,sector,value,rounded\n");
	for (size_t i = 0; i < r->n_funding; i++) {
		const struct cc_alloc_funding *f = &r->funding[i];
		const struct cc_alloc_cell *c = &p->cells[f->cell];

		cc_buf_adds(b, "funding,");
		cc_buf_add_csv(b, p->donors[f->donor].name);
		cc_buf_addch(b, ',');
		cc_buf_add_csv(b, c->area);
		cc_buf_addf(b, ",%s,", cc_pillar_name(c->pillar));
		cc_buf_add_csv(b, c->sector);
		cc_buf_addf(b, ",%.12g,\n", f->usd);
	}
	for (size_t i = 0; i < r->n_teams; i++) {
		const struct cc_alloc_teams *t = &r->teams[i];
		const struct cc_alloc_cell *c = &p->cells[t->cell];

		cc_buf_adds(b, "teams,");
		cc_buf_add_csv(b, p->orgs[t->org].name);
		cc_buf_addch(b, ',');
		cc_buf_add_csv(b, c->area);
		cc_buf_addf(b, ",%s,", cc_pillar_name(c->pillar));
		cc_buf_add_csv(b, c->sector);
		cc_buf_addf(b, ",%.12g,%ld\n", t->lp, t->rounded);
	}
	for (size_t k = 0; k < r->n_conflict; k++) {
		cc_buf_adds(b, "conflict,");
		cc_buf_add_csv(b, r->rows[r->conflict[k]].label);
		cc_buf_adds(b, ",,,,,\n");
	}
	return cc_buf_adds(b, "");
}

/* ---- the command ---- */

static int parse_args(struct cli *cli, int argc, char **argv, struct alloc_args *a,
                      struct cc_alloc_problem *extra, const char **weights)
{
	enum {
		O_PROBLEM = 256,
		O_BUDGET,
		O_TEAMS,
		O_WEIGHTS,
		O_WRITE,
		O_LEVEL,
		O_DAYS,
		O_CSV,
		O_JSON
	};
	static const struct option longopts[] = {
		{ "problem", required_argument, NULL, O_PROBLEM },
		{ "budget", required_argument, NULL, O_BUDGET },
		{ "teams", required_argument, NULL, O_TEAMS },
		{ "weights", required_argument, NULL, O_WEIGHTS },
		{ "write-model", required_argument, NULL, O_WRITE },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "days", required_argument, NULL, O_DAYS },
		{ "csv", no_argument, NULL, O_CSV },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_err err = { 0 };
	int64_t v;
	int opt;

	*a = (struct alloc_args){ .level = 1, .days = 90, .fmt = CC_FORMAT_TABLE };
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_PROBLEM:
			a->problem = optarg;
			break;
		case O_BUDGET:
			if (cc_alloc_add_budget(extra, optarg, &err) < 0)
				return err.code == CC_ENOMEM
				               ? cli_fail(&err)
				               : cli_usage(cli, "--budget: %s", err.msg);
			break;
		case O_TEAMS:
			if (cc_alloc_add_teams(extra, optarg, &err) < 0)
				return err.code == CC_ENOMEM
				               ? cli_fail(&err)
				               : cli_usage(cli, "--teams: %s", err.msg);
			break;
		case O_WEIGHTS:
			*weights = optarg;
			break;
		case O_WRITE:
			a->write_model = optarg;
			break;
		case O_LEVEL:
			if (cc_parse_i64(optarg, 1, 5, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			a->level = (int)v;
			break;
		case O_DAYS:
			if (cc_parse_i64(optarg, 1, 36500, &v, &err) < 0)
				return cli_usage(cli, "--days: %s", err.msg);
			a->days = (int)v;
			break;
		case O_CSV:
			a->fmt = CC_FORMAT_CSV;
			break;
		case O_JSON:
			a->fmt = CC_FORMAT_JSON;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	return CLI_OK;
}

/* Moves the donors and organisations of the options onto the end of p's lists. */
static int merge(struct cc_alloc_problem *p, struct cc_alloc_problem *extra, struct cc_err *err)
{
	struct cc_alloc_donor *d;
	struct cc_alloc_org *o;

	d = cc_realloc(p->donors, (p->n_donors + extra->n_donors + 1) * sizeof(*d));
	if (d)
		p->donors = d;
	o = cc_realloc(p->orgs, (p->n_orgs + extra->n_orgs + 1) * sizeof(*o));
	if (o)
		p->orgs = o;
	if (!d || !o)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if (extra->n_donors)
		memcpy(p->donors + p->n_donors, extra->donors, extra->n_donors * sizeof(*d));
	if (extra->n_orgs)
		memcpy(p->orgs + p->n_orgs, extra->orgs, extra->n_orgs * sizeof(*o));
	p->n_donors += extra->n_donors;
	p->n_orgs += extra->n_orgs;
	extra->n_donors = extra->n_orgs = 0; /* the scope lists now belong to p */
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cmd_allocate(struct cli *cli, int argc, char **argv)
{
	struct alloc_args a;
	struct cc_alloc_problem p, extra;
	struct cc_alloc_result r = { 0 };
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_err err = { 0 };
	const char *weights = NULL;
	size_t n_no_severity = 0;
	double t0;
	int ret;

	cc_alloc_problem_init(&p);
	cc_alloc_problem_init(&extra);
	ret = parse_args(cli, argc, argv, &a, &extra, &weights);
	if (ret != CLI_OK)
		goto out_release;
	if (a.problem) {
		ret = cc_alloc_problem_read_json(a.problem, &p, &err);
	} else {
		ret = cc_store_open(&cli->st, cli->db, &(struct cc_store_opts){ 0 }, &err);
		if (ret == 0)
			ret = store_cells(cli, &a, &p, &n_no_severity, &err);
	}
	if (ret == 0)
		ret = merge(&p, &extra, &err);
	if (ret < 0) {
		ret = cli_fail(&err);
		goto out_release;
	}
	if (weights && cc_alloc_set_weights(&p, weights, &err) < 0) {
		ret = cli_usage(cli, "--weights: %s", err.msg);
		goto out_release;
	}
	if (!a.problem && p.n_donors == 0 && p.n_orgs == 0) {
		ret = cli_usage(cli, "nothing to allocate: give --budget and/or --teams, or "
		                     "--problem FILE.json");
		goto out_release;
	}
	if (a.write_model &&
	    cc_alloc_write_model(&p, a.write_model, cc_alloc_model_format_for(a.write_model),
	                         &err) < 0) {
		ret = cli_fail(&err);
		goto out_release;
	}
	t0 = now_s();
	if (cc_allocate(&p, &r, &err) < 0) {
		cc_err_at(&err, a.problem, 0, NULL);
		ret = cli_fail(&err);
		goto out_release;
	}
	switch (a.fmt) {
	case CC_FORMAT_JSON:
		ret = format_json(&p, &r, now_s() - t0, &out);
		break;
	case CC_FORMAT_CSV:
		ret = format_csv(&p, &r, &out);
		break;
	case CC_FORMAT_TABLE:
		ret = format_table(&p, &r, n_no_severity, &out);
		break;
	}
	if (ret < 0 || out.len == 0) {
		cc_err_set(&err, ret < 0 ? ret : CC_ENOMEM, "cannot format the result");
		ret = cli_fail(&err);
		goto out_release;
	}
	ret = cli_write(out.buf, out.len);
	if (ret == CLI_OK && r.status == CC_ALLOC_INFEASIBLE) {
		fprintf(stderr,
		        "concord: the allocation problem is infeasible (%zu conflicting "
		        "constraints listed)\n",
		        r.n_conflict);
		ret = CLI_FAIL;
	}
out_release:
	cc_buf_release(&out);
	cc_alloc_result_release(&r);
	cc_alloc_problem_release(&p);
	cc_alloc_problem_release(&extra);
	return ret;
}
