/*
 * The allocation LP on cases whose optimum is worked out by hand in the comments; shadow
 * prices against re-solves with a bound moved a little (finite differences); the deletion
 * filter on infeasible cases whose only conflict is known by construction; the rounding of
 * teams; GLPK's hooks; the JSON reader and the command-line specs; allocation failures.
 */
#include <concord/alloc.h>
#include <concord/allocate.h>
#include <concord/model.h>

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "testdir.h"

#define P_SEC (1u << CC_PILLAR_SECURITY)
#define P_GOV (1u << CC_PILLAR_GOVERNANCE)
#define P_ECO (1u << CC_PILLAR_ECONOMY)
#define P_HUM (1u << CC_PILLAR_HUMANITARIAN)

static struct cc_alloc_cell cell(const char *area, int pillar, double need, int severity)
{
	struct cc_alloc_cell c = { .pillar = pillar, .need = need, .severity = severity };

	snprintf(c.area, sizeof(c.area), "%s", area);
	return c;
}

static struct cc_alloc_donor donor(const char *name, double budget)
{
	struct cc_alloc_donor d = { .budget_usd = budget };

	snprintf(d.name, sizeof(d.name), "%s", name);
	return d;
}

static struct cc_alloc_org org(const char *name, double teams, double ppt, unsigned pillars)
{
	struct cc_alloc_org o = { .teams = teams,
		                  .people_per_team = ppt,
		                  .mandate = { .pillars = pillars } };

	snprintf(o.name, sizeof(o.name), "%s", name);
	return o;
}

static double solve_obj(const struct cc_alloc_problem *p)
{
	struct cc_alloc_result r;
	struct cc_err err = { 0 };
	double v = (double)NAN;

	if (cc_allocate(p, &r, &err) < 0) {
		printf("# cc_allocate: %s\n", err.msg);
		return v;
	}
	if (r.status == CC_ALLOC_OPTIMAL)
		v = r.objective;
	cc_alloc_result_release(&r);
	return v;
}

static const struct cc_alloc_row *find_row(const struct cc_alloc_result *r,
                                           enum cc_alloc_row_kind kind, size_t index)
{
	for (size_t i = 0; i < r->n_rows; i++)
		if (r->rows[i].kind == kind && r->rows[i].index == index)
			return &r->rows[i];
	return NULL;
}

static double funding_of(const struct cc_alloc_result *r, size_t donor, size_t c)
{
	for (size_t i = 0; i < r->n_funding; i++)
		if (r->funding[i].donor == donor && r->funding[i].cell == c)
			return r->funding[i].usd;
	return 0;
}

/* Two cells, one donor at 10 USD a person: A (severity 4) buys 0.4 weighted people per USD,
 * B (severity 1) 0.1. A is filled first: 100 people for 1000 USD (400), the other 2000 USD
 * cover 200 people in B (200). Optimum 600. */
TEST(two_cells_one_donor_by_hand)
{
	struct cc_alloc_cell cells[] = { cell("A", CC_PILLAR_SECURITY, 100, 4),
		                         cell("B", CC_PILLAR_GOVERNANCE, 1000, 1) };
	struct cc_alloc_donor donors[] = { donor("D", 3000) };
	struct cc_alloc_problem p;
	struct cc_alloc_result r;
	struct cc_err err = { 0 };
	const struct cc_alloc_row *budget, *need_a, *need_b;

	cc_alloc_problem_init(&p);
	p.cells = cells;
	p.n_cells = 2;
	p.donors = donors;
	p.n_donors = 1;
	p.cost_per_person_usd = 10;
	if (!check_int(cc_allocate(&p, &r, &err), ==, 0))
		return;
	check_int(r.status, ==, CC_ALLOC_OPTIMAL);
	check_int(r.n_vars, ==, 2);
	check_int(r.n_rows, ==, 3); /* budget, need A, need B */
	check_dbl(r.objective, 600, 1e-6);
	check_dbl(r.people_covered, 300, 1e-6);
	check_dbl(funding_of(&r, 0, 0), 1000, 1e-6);
	check_dbl(funding_of(&r, 0, 1), 2000, 1e-6);
	budget = find_row(&r, CC_ALLOC_ROW_BUDGET, 0);
	need_a = find_row(&r, CC_ALLOC_ROW_NEED, 0);
	need_b = find_row(&r, CC_ALLOC_ROW_NEED, 1);
	check(budget && budget->binding);
	check(need_a && need_a->binding);
	check(need_b && !need_b->binding);
	/* one more USD buys 0.1 (in B); one more person of need in A buys 4 - 10 x 0.1 = 3 */
	if (budget && need_a) {
		check_dbl(budget->shadow, 0.1, 1e-9);
		check_dbl(need_a->shadow, 3, 1e-9);
		check_str(budget->unit, "USD");
		check_str(budget->label, "budget of donor 'D'");
	}
	cc_alloc_result_release(&r);
	/* and the same by re-solving: the finite differences equal the hand values */
	donors[0].budget_usd = 3001;
	check_dbl(solve_obj(&p) - 600, 0.1, 1e-6);
	donors[0].budget_usd = 3000;
	cells[0].need = 101;
	check_dbl(solve_obj(&p) - 600, 3, 1e-6);
}

/* As above with at most 500 USD for security: A gets 500 (50 people, 200), B 2500 (250).
 * Optimum 450; the earmark binds at 0.4 - 0.1 = 0.3 per USD; A's need no longer binds. */
TEST(earmark_binds)
{
	struct cc_alloc_cell cells[] = { cell("A", CC_PILLAR_SECURITY, 100, 4),
		                         cell("B", CC_PILLAR_GOVERNANCE, 1000, 1) };
	struct cc_alloc_earmark em = { .scope = { .pillars = P_SEC },
		                       .min_usd = 0,
		                       .max_usd = 500 };
	struct cc_alloc_donor donors[] = { donor("D", 3000) };
	struct cc_alloc_problem p;
	struct cc_alloc_result r;
	const struct cc_alloc_row *row;

	donors[0].earmarks = &em;
	donors[0].n_earmarks = 1;
	cc_alloc_problem_init(&p);
	p.cells = cells;
	p.n_cells = 2;
	p.donors = donors;
	p.n_donors = 1;
	p.cost_per_person_usd = 10;
	if (!check_int(cc_allocate(&p, &r, NULL), ==, 0))
		return;
	check_dbl(r.objective, 450, 1e-6);
	check_dbl(funding_of(&r, 0, 0), 500, 1e-6);
	check_dbl(funding_of(&r, 0, 1), 2500, 1e-6);
	row = find_row(&r, CC_ALLOC_ROW_EARMARK, 0);
	if (check(row != NULL)) {
		check(row->binding);
		check_dbl(row->shadow, 0.3, 1e-9);
		check_dbl(row->activity, 500, 1e-6);
	}
	row = find_row(&r, CC_ALLOC_ROW_NEED, 0);
	check(row && !row->binding);
	cc_alloc_result_release(&r);
	em.max_usd = 501;
	check_dbl(solve_obj(&p) - 450, 0.3, 1e-6);
	/* a minimum earmark above what the optimum would give forces money the other way:
	   at least 2000 USD to governance leaves 1000 for A: 400 + 200 = 600 still (A needs only
	   1000); at least 2500 leaves 500 for A: 200 + 250 = 450 */
	em = (struct cc_alloc_earmark){ .scope = { .pillars = P_GOV },
		                        .min_usd = 2500,
		                        .max_usd = (double)INFINITY };
	check_dbl(solve_obj(&p), 450, 1e-6);
}

/* An organisation whose mandate excludes security never works there, however severe: its 3
 * teams of 10 go to governance (30 people, severity 1). No variable exists for the excluded
 * cell. */
TEST(mandate_excludes_a_pillar)
{
	struct cc_alloc_cell cells[] = { cell("A", CC_PILLAR_SECURITY, 100, 5),
		                         cell("B", CC_PILLAR_GOVERNANCE, 1000, 1) };
	struct cc_alloc_org orgs[] = { org("O", 3, 10, P_GOV) };
	struct cc_alloc_problem p;
	struct cc_alloc_result r;

	cc_alloc_problem_init(&p);
	p.cells = cells;
	p.n_cells = 2;
	p.orgs = orgs;
	p.n_orgs = 1;
	if (!check_int(cc_allocate(&p, &r, NULL), ==, 0))
		return;
	check_int(r.n_vars, ==, 1);
	check_dbl(r.objective, 30, 1e-9);
	check_dbl(r.cells[0].teams_lp, 0, 0);
	check_dbl(r.cells[1].teams_lp, 3, 1e-9);
	check_int(r.cells[1].teams_rounded, ==, 3);
	cc_alloc_result_release(&r);
	/* an area mandate likewise: only area A allowed, and A's pillar is outside: nothing */
	char areas[1][32] = { "A" };
	orgs[0].mandate.areas = areas;
	orgs[0].mandate.n_areas = 1;
	if (!check_int(cc_allocate(&p, &r, NULL), ==, 0))
		return;
	check_int(r.n_vars, ==, 0);
	check_dbl(r.objective, 0, 0);
	cc_alloc_result_release(&r);
}

/* 10 teams of 100 people for a need of 250 (severity 2): the LP stops at 2.5 teams (no cell
 * above its need), objective 500; the need binds at 2 per person, the capacity does not.
 * Rounding 2.5 gives 3 teams, 50 people above the need: reported, and the rounded coverage is
 * capped at 250. */
TEST(no_cell_above_its_need)
{
	struct cc_alloc_cell cells[] = { cell("A", CC_PILLAR_ECONOMY, 250, 2) };
	struct cc_alloc_org orgs[] = { org("O", 10, 100, 0) };
	struct cc_alloc_problem p;
	struct cc_alloc_result r;
	const struct cc_alloc_row *row;

	cc_alloc_problem_init(&p);
	p.cells = cells;
	p.n_cells = 1;
	p.orgs = orgs;
	p.n_orgs = 1;
	if (!check_int(cc_allocate(&p, &r, NULL), ==, 0))
		return;
	check_dbl(r.objective, 500, 1e-9);
	check_dbl(r.cells[0].covered, 250, 1e-9);
	check_dbl(r.cells[0].teams_lp, 2.5, 1e-9);
	row = find_row(&r, CC_ALLOC_ROW_NEED, 0);
	check(row && row->binding && fabs(row->shadow - 2) < 1e-9);
	row = find_row(&r, CC_ALLOC_ROW_CAPACITY, 0);
	check(row && !row->binding && row->shadow == 0);
	check_int(r.cells[0].teams_rounded, ==, 3);
	check_dbl(r.cells[0].over_need_rounded, 50, 1e-9);
	check_int(r.n_over_need, ==, 1);
	check_dbl(r.cells[0].covered_rounded, 250, 1e-9);
	check_dbl(r.objective_rounded, 500, 1e-9);
	check_int(r.n_rounded_up, ==, 1);
	check_dbl(r.rounding_abs, 0.5, 1e-9);
	cc_alloc_result_release(&r);
}

/* Zero need: nothing can be placed; the optimum is 0 and nothing is funded. */
TEST(zero_need)
{
	struct cc_alloc_cell cells[] = { cell("A", CC_PILLAR_HUMANITARIAN, 0, 5) };
	struct cc_alloc_donor donors[] = { donor("D", 1000) };
	struct cc_alloc_org orgs[] = { org("O", 2, 50, 0) };
	struct cc_alloc_problem p;
	struct cc_alloc_result r;

	cc_alloc_problem_init(&p);
	p.cells = cells;
	p.n_cells = 1;
	p.donors = donors;
	p.n_donors = 1;
	p.orgs = orgs;
	p.n_orgs = 1;
	if (!check_int(cc_allocate(&p, &r, NULL), ==, 0))
		return;
	check_int(r.status, ==, CC_ALLOC_OPTIMAL);
	check_dbl(r.objective, 0, 1e-12);
	check_int(r.n_funding, ==, 0);
	check_int(r.n_teams, ==, 0);
	check_dbl(r.objective_rounded, 0, 1e-12);
	cc_alloc_result_release(&r);
	/* no cells at all, and no resources at all: empty but valid */
	p.n_cells = 0;
	check_dbl(solve_obj(&p), 0, 0);
	p.n_cells = 1;
	p.n_donors = p.n_orgs = 0;
	check_dbl(solve_obj(&p), 0, 0);
}

/* Two equal cells of 15 people and severity 2, one organisation of 3 teams of 10: the LP gives
 * 1.5 teams to each (objective 60). Largest remainder: floors 1 + 1, round(3) = 3, the third
 * team goes to the first cell on the tie: 2 and 1. A is 5 people above its need; rounded
 * coverage 15 + 10 = 25 people, 50 weighted. */
TEST(rounding_largest_remainder)
{
	struct cc_alloc_cell cells[] = { cell("A", CC_PILLAR_ECONOMY, 15, 2),
		                         cell("B", CC_PILLAR_ECONOMY, 15, 2) };
	struct cc_alloc_org orgs[] = { org("O", 3, 10, 0) };
	struct cc_alloc_problem p;
	struct cc_alloc_result r;

	cc_alloc_problem_init(&p);
	snprintf(cells[1].area, sizeof(cells[1].area), "B");
	p.cells = cells;
	p.n_cells = 2;
	p.orgs = orgs;
	p.n_orgs = 1;
	if (!check_int(cc_allocate(&p, &r, NULL), ==, 0))
		return;
	check_dbl(r.objective, 60, 1e-9);
	check_dbl(r.cells[0].teams_lp, 1.5, 1e-9);
	check_dbl(r.cells[1].teams_lp, 1.5, 1e-9);
	check_int(r.cells[0].teams_rounded, ==, 2);
	check_int(r.cells[1].teams_rounded, ==, 1);
	check_int(r.n_rounded_up, ==, 1);
	check_int(r.n_rounded_down, ==, 1);
	check_dbl(r.rounding_abs, 1, 1e-9);
	check_dbl(r.people_covered_rounded, 25, 1e-9);
	check_dbl(r.objective_rounded, 50, 1e-9);
	check_int(r.n_over_need, ==, 1);
	cc_alloc_result_release(&r);
}

static bool same_set(const struct cc_alloc_result *r, const size_t *want, size_t n)
{
	if (r->n_conflict != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (r->conflict[i] != want[i])
			return false;
	return true;
}

/* Donor T must spend all of its 1000 USD in area A, whose need of 50 people at 10 USD takes
 * only 500. Other rows (another donor, an organisation, other cells) are satisfiable with any
 * subset of rows dropped as long as one of these two goes: the conflict is exactly {budget of
 * T, need of A}. */
TEST(infeasible_budget_conflict_is_exact)
{
	struct cc_alloc_cell cells[] = { cell("A", CC_PILLAR_SECURITY, 50, 3),
		                         cell("B", CC_PILLAR_GOVERNANCE, 1000, 2),
		                         cell("B", CC_PILLAR_ECONOMY, 400, 1) };
	char only_a[1][32] = { "A" };
	struct cc_alloc_donor donors[] = { donor("T", 1000), donor("F", 700) };
	struct cc_alloc_org orgs[] = { org("O", 4, 20, P_GOV | P_ECO) };
	struct cc_alloc_problem p;
	struct cc_alloc_result r;
	size_t want[2];
	const struct cc_alloc_row *budget_t, *need_a;

	donors[0].min_spend_usd = 1000;
	donors[0].scope.areas = only_a;
	donors[0].scope.n_areas = 1;
	cc_alloc_problem_init(&p);
	p.cells = cells;
	p.n_cells = 3;
	p.donors = donors;
	p.n_donors = 2;
	p.orgs = orgs;
	p.n_orgs = 1;
	p.cost_per_person_usd = 10;
	if (!check_int(cc_allocate(&p, &r, NULL), ==, 0))
		return;
	check_int(r.status, ==, CC_ALLOC_INFEASIBLE);
	budget_t = find_row(&r, CC_ALLOC_ROW_BUDGET, 0);
	need_a = find_row(&r, CC_ALLOC_ROW_NEED, 0);
	if (check(budget_t && need_a)) {
		want[0] = (size_t)(budget_t - r.rows);
		want[1] = (size_t)(need_a - r.rows);
		if (!check(same_set(&r, want, 2)))
			for (size_t i = 0; i < r.n_conflict; i++)
				printf("# conflict: %s\n", r.rows[r.conflict[i]].label);
		check_dbl(budget_t->lo, 1000, 0);
		check_dbl(budget_t->hi, 1000, 0);
	}
	cc_alloc_result_release(&r);
	/* one USD less to spend than the need can absorb is feasible: the conflict is real */
	donors[0].min_spend_usd = 500;
	check(!isnan(solve_obj(&p)));
}

/* A high-exposure security cell must have 3 teams, but the only organisation allowed there
 * has 2: the conflict is {security presence in the cell, capacity of that organisation}. */
TEST(infeasible_security_minimum)
{
	struct cc_alloc_cell cells[] = { cell("A", CC_PILLAR_SECURITY, 1000, 5),
		                         cell("B", CC_PILLAR_SECURITY, 1000, 5),
		                         cell("C", CC_PILLAR_GOVERNANCE, 1000, 2) };
	struct cc_alloc_donor donors[] = { donor("F", 5000) };
	struct cc_alloc_org orgs[] = { org("Police", 2, 10, P_SEC), org("Civil", 9, 10, P_GOV) };
	struct cc_alloc_problem p;
	struct cc_alloc_result r;
	const struct cc_alloc_row *sec, *cap;
	size_t want[2];

	cells[0].exposure = 12; /* above the threshold */
	cells[1].exposure = 3;  /* below: no minimum */
	cc_alloc_problem_init(&p);
	p.cells = cells;
	p.n_cells = 3;
	p.donors = donors;
	p.n_donors = 1;
	p.orgs = orgs;
	p.n_orgs = 2;
	p.exposure_threshold = 10;
	p.min_security_teams = 3;
	if (!check_int(cc_allocate(&p, &r, NULL), ==, 0))
		return;
	check_int(r.status, ==, CC_ALLOC_INFEASIBLE);
	sec = find_row(&r, CC_ALLOC_ROW_SECURITY, 0);
	cap = find_row(&r, CC_ALLOC_ROW_CAPACITY, 0);
	check(find_row(&r, CC_ALLOC_ROW_SECURITY, 1) == NULL);
	if (check(sec && cap)) {
		want[0] = (size_t)(cap - r.rows);
		want[1] = (size_t)(sec - r.rows);
		if (!check(same_set(&r, want, 2)))
			for (size_t i = 0; i < r.n_conflict; i++)
				printf("# conflict: %s\n", r.rows[r.conflict[i]].label);
		check_str(sec->label, "security presence in cell A security");
	}
	cc_alloc_result_release(&r);
	/* with 2 teams required it holds, and both Police teams go to A */
	p.min_security_teams = 2;
	if (!check_int(cc_allocate(&p, &r, NULL), ==, 0))
		return;
	check_int(r.status, ==, CC_ALLOC_OPTIMAL);
	check_dbl(r.cells[0].teams_lp, 2, 1e-9);
	sec = find_row(&r, CC_ALLOC_ROW_SECURITY, 0);
	check(sec && sec->binding);
	cc_alloc_result_release(&r);
}

/* Moves the bound of row w of p by delta (for the finite differences). */
static bool move_bound(struct cc_alloc_problem *p, const struct cc_alloc_row *w, double delta)
{
	bool lower = isfinite(w->lo) &&
	             (!isfinite(w->hi) || fabs(w->activity - w->lo) < fabs(w->activity - w->hi));

	switch (w->kind) {
	case CC_ALLOC_ROW_BUDGET:
		if (lower)
			p->donors[w->index].min_spend_usd += delta;
		else
			p->donors[w->index].budget_usd += delta;
		return true;
	case CC_ALLOC_ROW_EARMARK:
		if (lower)
			p->donors[w->index].earmarks[w->sub].min_usd += delta;
		else
			p->donors[w->index].earmarks[w->sub].max_usd += delta;
		return true;
	case CC_ALLOC_ROW_CAPACITY:
		p->orgs[w->index].teams += delta;
		return true;
	case CC_ALLOC_ROW_NEED:
		p->cells[w->index].need += delta;
		return true;
	case CC_ALLOC_ROW_SECURITY:
		p->min_security_teams += delta; /* one security row in the case below */
		return true;
	}
	return false;
}

/* The mixed case of the JSON file: for every binding row the dual must lie between the right
 * and the left derivative of the optimum in the row's bound (the value function of a maximum
 * is concave in each bound), and equal both where they agree. */
TEST(shadow_prices_match_finite_differences)
{
	char path[512];
	struct cc_alloc_problem p;
	struct cc_alloc_result r;
	struct cc_err err = { 0 };
	size_t n_checked = 0, n_security = 0;

	data("tests/data/allocate/mixed.json", path);
	if (!check_int(cc_alloc_problem_read_json(path, &p, &err), ==, 0)) {
		printf("# %s: %s: %s\n", err.file, err.field, err.msg);
		return;
	}
	/* the weights: severity x (need / 9000)^0.5, 9000 the largest need */
	if (!check_int(cc_allocate(&p, &r, &err), ==, 0))
		goto out;
	for (size_t c = 0; c < p.n_cells; c++)
		check_dbl(r.cells[c].weight, p.cells[c].severity * sqrt(p.cells[c].need / 9000),
		          1e-12);
	/* the model's own bookkeeping: the objective is the weighted coverage, no cell above its
	   need */
	double sum = 0;
	for (size_t c = 0; c < p.n_cells; c++) {
		sum += r.cells[c].weight * r.cells[c].covered;
		check(r.cells[c].covered <= p.cells[c].need + 1e-6);
	}
	check_dbl(sum, r.objective, 1e-6 * r.objective);
	cc_alloc_result_release(&r);
	/* with a need weight, moving a need moves a weight too; the finite differences are
	   taken with need_weight 0 so that only the bound moves */
	p.need_weight = 0;
	if (!check_int(cc_allocate(&p, &r, &err), ==, 0))
		goto out;
	check_int(r.status, ==, CC_ALLOC_OPTIMAL);
	for (size_t i = 0; i < r.n_rows; i++)
		n_security += r.rows[i].kind == CC_ALLOC_ROW_SECURITY;
	check_int(n_security, ==, 1);
	for (size_t i = 0; i < r.n_rows; i++) {
		const struct cc_alloc_row *w = &r.rows[i];
		double h = 1e-3 * (fabs(w->activity) > 1 ? fabs(w->activity) : 1), up, down;
		bool lower =
		        isfinite(w->lo) &&
		        (!isfinite(w->hi) || fabs(w->activity - w->lo) < fabs(w->activity - w->hi));

		if (!w->binding)
			continue;
		if (lower && w->lo - h < 0)
			h = w->lo / 2;
		move_bound(&p, w, h);
		up = (solve_obj(&p) - r.objective) / h;
		move_bound(&p, w, -h);
		/* an upper bound of 0 (a cell without need) cannot go lower: one side only */
		down = (double)INFINITY;
		if (lower || w->hi - h >= 0) {
			move_bound(&p, w, -h);
			down = (r.objective - solve_obj(&p)) / h;
			move_bound(&p, w, h);
		}
		/* right derivative <= dual <= left derivative, up to rounding */
		if (!check(up <= w->shadow + 1e-6 * (1 + fabs(w->shadow)) &&
		           w->shadow <= down + 1e-6 * (1 + fabs(w->shadow))))
			printf("# %s: up %.9g dual %.9g down %.9g\n", w->label, up, w->shadow,
			       down);
		if (fabs(up - down) < 1e-7 * (1 + fabs(up)))
			check_dbl(w->shadow, up, 1e-6 * (1 + fabs(up)));
		n_checked++;
	}
	check_int(n_checked, >=, 4);
	cc_alloc_result_release(&r);
out:
	cc_alloc_problem_release(&p);
}

static int glpk_misuse(void *ctx, struct cc_err *err)
{
	glp_prob *P = glp_create_prob();

	(void)ctx;
	(void)err;
	glp_add_rows(P, 2);
	glp_set_row_bnds(P, 7, GLP_UP, 0, 1); /* row 7 does not exist: a GLPK fatal error */
	return 0;
}

/* A GLPK fatal error comes back as an error value with GLPK's message, not an abort; GLPK
 * works again afterwards. Writing to a folder that does not exist is CC_EIO with GLPK's
 * reason. */
TEST(glpk_errors_become_cc_errors)
{
	struct cc_err err = { 0 };
	struct cc_alloc_cell cells[] = { cell("A", CC_PILLAR_ECONOMY, 250, 2) };
	struct cc_alloc_org orgs[] = { org("O", 10, 100, 0) };
	struct cc_alloc_problem p;
	char path[160];

	check_int(cc__alloc_glpk(glpk_misuse, NULL, NULL, 0, &err), ==, CC_EINVALID);
	if (!check(strstr(err.msg, "row number out of range") != NULL))
		printf("# message: %s\n", err.msg);
	cc_alloc_problem_init(&p);
	p.cells = cells;
	p.n_cells = 1;
	p.orgs = orgs;
	p.n_orgs = 1;
	check_dbl(solve_obj(&p), 500, 1e-9);
	cc_err_clear(&err);
	check_int(cc_alloc_write_model(&p, "/nonexistent-dir/m.lp", CC_ALLOC_MODEL_LP, &err), ==,
	          CC_EIO);
	check(strstr(err.msg, "nonexistent-dir") != NULL);
	check_str(err.file, "/nonexistent-dir/m.lp");
	/* and a writable path works, in each format */
	check_int(cc_alloc_write_model(&p, tmp_path("m.lp", path), CC_ALLOC_MODEL_LP, NULL), ==, 0);
	check_int(cc_alloc_write_model(&p, tmp_path("m.mps", path), CC_ALLOC_MODEL_MPS, NULL), ==,
	          0);
	check_int(cc_alloc_model_format_for("x.mps"), ==, CC_ALLOC_MODEL_MPS);
	check_int(cc_alloc_model_format_for("x.glp"), ==, CC_ALLOC_MODEL_GLP);
	check_int(cc_alloc_model_format_for("x.lp"), ==, CC_ALLOC_MODEL_LP);
}

/* The JSON file of the two-cell case gives the hand optimum; errors name file and field. */
TEST(json_reader)
{
	char path[512];
	struct cc_alloc_problem p;
	struct cc_err err = { 0 };
	static const char unknown[] = "{\"cells\":[{\"area\":\"A\",\"pillar\":\"security\","
	                              "\"need\":1,\"severity\":2,\"sevrity\":3}]}";
	static const char pillar[] = "{\"organisations\":[{\"name\":\"O\",\"teams\":1,"
	                             "\"people_per_team\":5,\"pillars\":[\"police\"]}]}";
	static const char broken[] = "{\n\"cells\": [\n}";

	data("tests/data/allocate/two_cells.json", path);
	if (check_int(cc_alloc_problem_read_json(path, &p, &err), ==, 0)) {
		check_int(p.n_cells, ==, 2);
		check_str(p.cells[1].name, "Bravo");
		check_dbl(p.cost_per_person_usd, 10, 0);
		check_dbl(solve_obj(&p), 600, 1e-6);
		cc_alloc_problem_release(&p);
	}
	data("tests/data/allocate/bad_field.json", path);
	check_int(cc_alloc_problem_read_json(path, &p, &err), ==, CC_EINVALID);
	check_str(err.field, "donors[1].earmarks[0].max_usd");
	check_str(err.file, path);
	check_int(cc_alloc_problem_parse_json("u.json", unknown, strlen(unknown), &p, &err), ==,
	          CC_EINVALID);
	check_str(err.field, "cells[0].sevrity");
	check_int(cc_alloc_problem_parse_json("p.json", pillar, strlen(pillar), &p, &err), ==,
	          CC_EINVALID);
	check_str(err.field, "organisations[0].pillars[0]");
	check(strstr(err.msg, "'police'") != NULL);
	check_int(cc_alloc_problem_parse_json("b.json", broken, strlen(broken), &p, &err), ==,
	          CC_EPARSE);
	check_int(err.line, ==, 3);
	check_int(cc_alloc_problem_read_json("/nonexistent.json", &p, &err), ==, CC_EIO);
	/* a duplicate cell is caught by the problem check */
	static const char dup[] = "{\"cells\":[{\"area\":\"A\",\"pillar\":\"economy\",\"need\":1},"
	                          "{\"area\":\"A\",\"pillar\":\"economy\",\"need\":2}]}";
	check_int(cc_alloc_problem_parse_json("d.json", dup, strlen(dup), &p, &err), ==,
	          CC_EINVALID);
	check_str(err.field, "cells[1]");
}

TEST(command_line_specs)
{
	struct cc_alloc_problem p;
	struct cc_err err = { 0 };

	cc_alloc_problem_init(&p);
	check_int(cc_alloc_add_budget(&p,
	                              "ECHO=250000:min=1000:pillars=security+economy:"
	                              "areas=AF01+AF02",
	                              &err),
	          ==, 0);
	check_int(cc_alloc_add_teams(&p, "NRC=12.5:ppt=400:areas=AF03", &err), ==, 0);
	check_int(cc_alloc_set_weights(&p, "severity=2,need=0.5,cost=80,threshold=10,security=1",
	                               &err),
	          ==, 0);
	if (check_int(p.n_donors, ==, 1) && check_int(p.n_orgs, ==, 1)) {
		check_str(p.donors[0].name, "ECHO");
		check_dbl(p.donors[0].budget_usd, 250000, 0);
		check_dbl(p.donors[0].min_spend_usd, 1000, 0);
		check_int(p.donors[0].scope.pillars, ==, P_SEC | P_ECO);
		check_int(p.donors[0].scope.n_areas, ==, 2);
		check_str(p.donors[0].scope.areas[1], "AF02");
		check_dbl(p.orgs[0].teams, 12.5, 0);
		check_dbl(p.orgs[0].people_per_team, 400, 0);
		check_str(p.orgs[0].mandate.areas[0], "AF03");
	}
	check_dbl(p.severity_weight, 2, 0);
	check_dbl(p.need_weight, 0.5, 0);
	check_dbl(p.cost_per_person_usd, 80, 0);
	check_dbl(p.exposure_threshold, 10, 0);
	check_dbl(p.min_security_teams, 1, 0);
	check_int(cc_alloc_add_budget(&p, "X", &err), ==, CC_EUSAGE);
	check_int(cc_alloc_add_budget(&p, "X=10:pillars=police", &err), ==, CC_EUSAGE);
	check_int(cc_alloc_add_budget(&p, "X=10:min=20", &err), ==, CC_EUSAGE);
	check_int(cc_alloc_add_teams(&p, "Y=-1", &err), ==, CC_EUSAGE);
	check_int(cc_alloc_set_weights(&p, "colour=3", &err), ==, CC_EUSAGE);
	check_int(p.n_donors, ==, 1);
	cc_alloc_problem_release(&p);
}

/* Every allocation of cc_allocate and of the reader failing in turn: CC_ENOMEM, nothing
 * leaked (ASan), until the call succeeds with the full answer. */
TEST(allocation_failures)
{
	char path[512];
	struct cc_alloc_problem p, q;
	struct cc_alloc_result r;
	struct cc_err err = { 0 };
	int ret = CC_ENOMEM;
	long n;

	data("tests/data/allocate/mixed.json", path);
	for (n = 0; n < 200 && ret == CC_ENOMEM; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_alloc_problem_read_json(path, &q, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			cc_alloc_problem_release(&q);
		else if (!check_int(ret, ==, CC_ENOMEM))
			return;
	}
	check_int(ret, ==, 0);
	if (!check_int(cc_alloc_problem_read_json(path, &p, &err), ==, 0))
		return;
	ret = CC_ENOMEM;
	for (n = 0; n < 200 && ret == CC_ENOMEM; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_allocate(&p, &r, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0) {
			check_int(r.status, ==, CC_ALLOC_OPTIMAL);
			check(r.objective > 0);
			cc_alloc_result_release(&r);
		} else if (!check_int(ret, ==, CC_ENOMEM)) {
			break;
		}
	}
	check_int(ret, ==, 0);
	check_int(n, >, 3);
	cc_alloc_problem_release(&p);
	/* and through the deletion filter of an infeasible problem */
	data("tests/data/allocate/infeasible.json", path);
	if (!check_int(cc_alloc_problem_read_json(path, &p, &err), ==, 0))
		return;
	ret = CC_ENOMEM;
	for (n = 0; n < 200 && ret == CC_ENOMEM; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_allocate(&p, &r, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0) {
			check_int(r.status, ==, CC_ALLOC_INFEASIBLE);
			check_int(r.n_conflict, ==, 2);
			cc_alloc_result_release(&r);
		} else if (!check_int(ret, ==, CC_ENOMEM)) {
			break;
		}
	}
	check_int(ret, ==, 0);
	cc_alloc_problem_release(&p);
}
