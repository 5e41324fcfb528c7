/*
 * The answer of `concord allocate` and POST /api/allocate as text, CSV or JSON: the allocation,
 * the binding constraints with their shadow prices, the rounding of the teams, or for an
 * infeasible problem the conflicting constraints (docs/allocate.md).
 */
#include <math.h>
#include <stdio.h>

#include <concord/allocate.h>
#include <concord/buf.h>
#include <concord/report.h>
#include <concord/text.h>

#include "core/banned.h"

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

int cc_alloc_format(const struct cc_alloc_problem *p, const struct cc_alloc_result *r,
                    size_t n_no_severity, double seconds, int fmt, struct cc_buf *out)
{
	switch ((enum cc_format)fmt) {
	case CC_FORMAT_JSON:
		return format_json(p, r, seconds, out);
	case CC_FORMAT_CSV:
		return format_csv(p, r, out);
	case CC_FORMAT_TABLE:
		return format_table(p, r, n_no_severity, out);
	}
	return CC_EINVALID;
}
