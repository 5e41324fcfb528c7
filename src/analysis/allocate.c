/*
 * Allocation of money and teams over area × pillar cells as a linear program (GLPK); the model
 * is described in include/concord/allocate.h and docs/allocate.md. Pure: no I/O, no store.
 */
#include <concord/allocate.h>

#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/model.h>

#include "core/banned.h"

#define MAX_VARS  20000000 /* GLPK indexes with int; keeps the matrix arrays reasonable */
#define MAX_ROWS  5000000
#define ROUND_EPS 1e-9 /* an LP value of 2.9999999999 is 3 teams */
#define REL_EPS   1e-7 /* relative slack when checking a rounded plan against a row */
#define ZERO_EPS  1e-9 /* duals and row values closer to 0 are 0 */

/* ---- problem lifecycle and checks ---- */

void cc_alloc_problem_init(struct cc_alloc_problem *p)
{
	*p = (struct cc_alloc_problem){ .severity_weight = 1,
		                        .need_weight = 0,
		                        .cost_per_person_usd = 100,
		                        .exposure_threshold = (double)INFINITY,
		                        .min_security_teams = 0 };
}

static void scope_release(struct cc_alloc_scope *s)
{
	cc_free(s->areas);
	cc_free(s->sectors);
	*s = (struct cc_alloc_scope){ 0 };
}

void cc_alloc_problem_release(struct cc_alloc_problem *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_donors; i++) {
		scope_release(&p->donors[i].scope);
		for (size_t e = 0; e < p->donors[i].n_earmarks; e++)
			scope_release(&p->donors[i].earmarks[e].scope);
		cc_free(p->donors[i].earmarks);
	}
	for (size_t i = 0; i < p->n_orgs; i++)
		scope_release(&p->orgs[i].mandate);
	cc_free(p->cells);
	cc_free(p->donors);
	cc_free(p->orgs);
	cc_alloc_problem_init(p);
}

static bool in_list(char (*list)[32], size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], key) == 0)
			return true;
	return false;
}

bool cc_alloc_scope_has(const struct cc_alloc_scope *s, const struct cc_alloc_cell *c)
{
	if (s->pillars && (c->pillar < 0 || c->pillar >= 32 || !(s->pillars & (1u << c->pillar))))
		return false;
	if (s->n_areas && !in_list(s->areas, s->n_areas, c->area))
		return false;
	if (s->n_sectors && !in_list(s->sectors, s->n_sectors, c->sector))
		return false;
	return true;
}

static int bad(struct cc_err *err, const char *field, const char *what)
{
	cc_err_set(err, CC_EINVALID, "%s", what);
	cc_err_at(err, NULL, 0, field);
	return CC_EINVALID;
}

static bool nonneg(double v)
{
	return isfinite(v) && v >= 0;
}

static int check_scope(const struct cc_alloc_scope *s, const char *field, struct cc_err *err)
{
	if (s->pillars >> CC_N_PILLARS)
		return bad(err, field, "unknown pillar in scope");
	if ((s->n_areas && !s->areas) || (s->n_sectors && !s->sectors))
		return bad(err, field, "scope list missing");
	return 0;
}

int cc_alloc_problem_check(const struct cc_alloc_problem *p, struct cc_err *err)
{
	char f[64];
	int ret;

	if ((p->n_cells && !p->cells) || (p->n_donors && !p->donors) || (p->n_orgs && !p->orgs))
		return bad(err, "", "problem arrays missing");
	if (!isfinite(p->severity_weight) || !isfinite(p->need_weight))
		return bad(err, "weights", "weights must be finite numbers");
	if (!(isfinite(p->cost_per_person_usd) && p->cost_per_person_usd > 0))
		return bad(err, "cost_per_person_usd", "cost per person must be > 0");
	if (isnan(p->exposure_threshold))
		return bad(err, "security.exposure_threshold",
		           "exposure threshold is not a number");
	if (!nonneg(p->min_security_teams))
		return bad(err, "security.min_teams", "minimum security teams must be >= 0");
	if (!nonneg(p->time_limit_s))
		return bad(err, "time_limit", "the time limit must be a number of seconds >= 0");
	for (size_t i = 0; i < p->n_cells; i++) {
		const struct cc_alloc_cell *c = &p->cells[i];

		snprintf(f, sizeof(f), "cells[%zu]", i);
		if (!c->area[0])
			return bad(err, f, "cell without an area");
		if (c->pillar < 0 || c->pillar >= CC_N_PILLARS)
			return bad(err, f, "unknown pillar");
		if (!nonneg(c->need))
			return bad(err, f, "need must be a number >= 0");
		if (c->severity < 1 || c->severity > 5)
			return bad(err, f, "severity must be 1 to 5");
		if (!nonneg(c->exposure))
			return bad(err, f, "exposure must be a number >= 0");
		if (!nonneg(c->cost_per_person_usd))
			return bad(err, f, "cost per person must be >= 0 (0: the default)");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->cells[j].area, c->area) && p->cells[j].pillar == c->pillar &&
			    !strcmp(p->cells[j].sector, c->sector))
				return bad(err, f, "duplicate cell (same area, pillar and sector)");
	}
	for (size_t i = 0; i < p->n_donors; i++) {
		const struct cc_alloc_donor *d = &p->donors[i];

		snprintf(f, sizeof(f), "donors[%zu]", i);
		if (!nonneg(d->budget_usd))
			return bad(err, f, "budget must be a number >= 0");
		if (!nonneg(d->min_spend_usd) || d->min_spend_usd > d->budget_usd)
			return bad(err, f, "minimum spend must be between 0 and the budget");
		if ((ret = check_scope(&d->scope, f, err)) < 0)
			return ret;
		if (d->n_earmarks && !d->earmarks)
			return bad(err, f, "earmarks missing");
		for (size_t e = 0; e < d->n_earmarks; e++) {
			const struct cc_alloc_earmark *m = &d->earmarks[e];

			snprintf(f, sizeof(f), "donors[%zu].earmarks[%zu]", i, e);
			if (!nonneg(m->min_usd) || isnan(m->max_usd) || m->max_usd < m->min_usd)
				return bad(err, f, "earmark needs 0 <= min_usd <= max_usd");
			if ((ret = check_scope(&m->scope, f, err)) < 0)
				return ret;
		}
	}
	for (size_t i = 0; i < p->n_orgs; i++) {
		const struct cc_alloc_org *o = &p->orgs[i];

		snprintf(f, sizeof(f), "organisations[%zu]", i);
		if (!nonneg(o->teams))
			return bad(err, f, "teams must be a number >= 0");
		if (!(isfinite(o->people_per_team) && o->people_per_team > 0))
			return bad(err, f, "people per team must be > 0");
		if ((ret = check_scope(&o->mandate, f, err)) < 0)
			return ret;
	}
	return 0;
}

/* ---- the model ---- */

static double cell_cost(const struct cc_alloc_problem *p, const struct cc_alloc_cell *c)
{
	return c->cost_per_person_usd > 0 ? c->cost_per_person_usd : p->cost_per_person_usd;
}

static double max_need(const struct cc_alloc_problem *p)
{
	double m = 0;

	for (size_t i = 0; i < p->n_cells; i++)
		if (p->cells[i].need > m)
			m = p->cells[i].need;
	return m;
}

static double cell_weight(const struct cc_alloc_problem *p, const struct cc_alloc_cell *c,
                          double need_max)
{
	double w = pow((double)c->severity, p->severity_weight);

	if (p->need_weight != 0)
		w *= need_max > 0 && c->need > 0 ? pow(c->need / need_max, p->need_weight) : 0;
	return w;
}

static bool has_security_row(const struct cc_alloc_problem *p, const struct cc_alloc_cell *c)
{
	return p->min_security_teams > 0 && c->pillar == CC_PILLAR_SECURITY &&
	       c->exposure >= p->exposure_threshold;
}

/* Where things are in the GLPK problem (1-based indices, 0: none). */
struct layout {
	size_t n_cols, n_rows;
	size_t *budget_row;   /* per donor */
	size_t *earmark_row0; /* per donor: row of its first earmark */
	size_t *capacity_row; /* per org */
	size_t *need_row;     /* per cell */
	size_t *security_row; /* per cell, 0 none */
	/* per column (index 1 … n_cols): 'x' or 'y', donor or org, cell */
	char *col_kind;
	size_t *col_who, *col_cell;
};

static void layout_release(struct layout *l)
{
	cc_free(l->budget_row);
	cc_free(l->earmark_row0);
	cc_free(l->capacity_row);
	cc_free(l->need_row);
	cc_free(l->security_row);
	cc_free(l->col_kind);
	cc_free(l->col_who);
	cc_free(l->col_cell);
	*l = (struct layout){ 0 };
}

static int layout_make(const struct cc_alloc_problem *p, struct layout *l, struct cc_err *err)
{
	size_t nc = 0, nr = 0, k;

	*l = (struct layout){ 0 };
	for (size_t c = 0; c < p->n_cells; c++) {
		for (size_t d = 0; d < p->n_donors; d++)
			nc += cc_alloc_scope_has(&p->donors[d].scope, &p->cells[c]);
		for (size_t o = 0; o < p->n_orgs; o++)
			nc += cc_alloc_scope_has(&p->orgs[o].mandate, &p->cells[c]);
	}
	nr = p->n_donors + p->n_orgs + p->n_cells;
	for (size_t d = 0; d < p->n_donors; d++)
		nr += p->donors[d].n_earmarks;
	for (size_t c = 0; c < p->n_cells; c++)
		nr += has_security_row(p, &p->cells[c]);
	if (nc > MAX_VARS || nr > MAX_ROWS)
		return cc_err_set(err, CC_ETOOBIG,
		                  "allocation problem too large: %zu variables, %zu constraints "
		                  "(at most %d and %d)",
		                  nc, nr, MAX_VARS, MAX_ROWS);
	l->n_cols = nc;
	l->n_rows = nr;
	l->budget_row = cc_alloc_array(p->n_donors + 1, sizeof(size_t));
	l->earmark_row0 = cc_alloc_array(p->n_donors + 1, sizeof(size_t));
	l->capacity_row = cc_alloc_array(p->n_orgs + 1, sizeof(size_t));
	l->need_row = cc_alloc_array(p->n_cells + 1, sizeof(size_t));
	l->security_row = cc_alloc_array(p->n_cells + 1, sizeof(size_t));
	l->col_kind = cc_alloc_array(nc + 1, 1);
	l->col_who = cc_alloc_array(nc + 1, sizeof(size_t));
	l->col_cell = cc_alloc_array(nc + 1, sizeof(size_t));
	if (!l->budget_row || !l->earmark_row0 || !l->capacity_row || !l->need_row ||
	    !l->security_row || !l->col_kind || !l->col_who || !l->col_cell) {
		layout_release(l);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	k = 1;
	for (size_t d = 0; d < p->n_donors; d++) {
		l->budget_row[d] = k++;
		l->earmark_row0[d] = k;
		k += p->donors[d].n_earmarks;
	}
	for (size_t o = 0; o < p->n_orgs; o++)
		l->capacity_row[o] = k++;
	for (size_t c = 0; c < p->n_cells; c++)
		l->need_row[c] = k++;
	for (size_t c = 0; c < p->n_cells; c++)
		if (has_security_row(p, &p->cells[c]))
			l->security_row[c] = k++;
	/* columns: money by donor then cell, then teams by organisation then cell */
	k = 1;
	for (size_t d = 0; d < p->n_donors; d++)
		for (size_t c = 0; c < p->n_cells; c++)
			if (cc_alloc_scope_has(&p->donors[d].scope, &p->cells[c])) {
				l->col_kind[k] = 'x';
				l->col_who[k] = d;
				l->col_cell[k++] = c;
			}
	for (size_t o = 0; o < p->n_orgs; o++)
		for (size_t c = 0; c < p->n_cells; c++)
			if (cc_alloc_scope_has(&p->orgs[o].mandate, &p->cells[c])) {
				l->col_kind[k] = 'y';
				l->col_who[k] = o;
				l->col_cell[k++] = c;
			}
	return 0;
}

static void set_bounds(glp_prob *P, int i, double lo, double hi)
{
	if (lo == -(double)INFINITY && hi == (double)INFINITY)
		glp_set_row_bnds(P, i, GLP_FR, 0, 0);
	else if (lo == -(double)INFINITY)
		glp_set_row_bnds(P, i, GLP_UP, 0, hi);
	else if (hi == (double)INFINITY)
		glp_set_row_bnds(P, i, GLP_LO, lo, 0);
	else if (lo == hi)
		glp_set_row_bnds(P, i, GLP_FX, lo, hi);
	else
		glp_set_row_bnds(P, i, GLP_DB, lo, hi);
}

/* Row bounds as the result reports them: a lower bound of 0 on a sum of non-negative
 * variables is implied and left out of the model. */
static void row_bounds(const struct cc_alloc_problem *p, enum cc_alloc_row_kind kind, size_t i,
                       size_t sub, double *lo, double *hi)
{
	*lo = -(double)INFINITY;
	*hi = (double)INFINITY;
	switch (kind) {
	case CC_ALLOC_ROW_BUDGET:
		*hi = p->donors[i].budget_usd;
		if (p->donors[i].min_spend_usd > 0)
			*lo = p->donors[i].min_spend_usd;
		break;
	case CC_ALLOC_ROW_EARMARK:
		*hi = p->donors[i].earmarks[sub].max_usd;
		if (p->donors[i].earmarks[sub].min_usd > 0)
			*lo = p->donors[i].earmarks[sub].min_usd;
		break;
	case CC_ALLOC_ROW_CAPACITY:
		*hi = p->orgs[i].teams;
		break;
	case CC_ALLOC_ROW_NEED:
		*hi = p->cells[i].need;
		break;
	case CC_ALLOC_ROW_SECURITY:
		*lo = p->min_security_teams;
		break;
	}
}

/* The kind, owner and earmark of every row, in model order. */
static void row_identity(const struct cc_alloc_problem *p, const struct layout *l,
                         struct cc_alloc_row *rows)
{
	for (size_t d = 0; d < p->n_donors; d++) {
		rows[l->budget_row[d] - 1] =
		        (struct cc_alloc_row){ .kind = CC_ALLOC_ROW_BUDGET, .index = d };
		for (size_t e = 0; e < p->donors[d].n_earmarks; e++)
			rows[l->earmark_row0[d] + e - 1] = (struct cc_alloc_row){
				.kind = CC_ALLOC_ROW_EARMARK, .index = d, .sub = e
			};
	}
	for (size_t o = 0; o < p->n_orgs; o++)
		rows[l->capacity_row[o] - 1] =
		        (struct cc_alloc_row){ .kind = CC_ALLOC_ROW_CAPACITY, .index = o };
	for (size_t c = 0; c < p->n_cells; c++) {
		rows[l->need_row[c] - 1] =
		        (struct cc_alloc_row){ .kind = CC_ALLOC_ROW_NEED, .index = c };
		if (l->security_row[c])
			rows[l->security_row[c] - 1] =
			        (struct cc_alloc_row){ .kind = CC_ALLOC_ROW_SECURITY, .index = c };
	}
}

static void row_name(const struct cc_alloc_row *r, char *buf, size_t n)
{
	switch (r->kind) {
	case CC_ALLOC_ROW_BUDGET:
		snprintf(buf, n, "budget_d%zu", r->index + 1);
		break;
	case CC_ALLOC_ROW_EARMARK:
		snprintf(buf, n, "earmark_d%zu_%zu", r->index + 1, r->sub + 1);
		break;
	case CC_ALLOC_ROW_CAPACITY:
		snprintf(buf, n, "capacity_o%zu", r->index + 1);
		break;
	case CC_ALLOC_ROW_NEED:
		snprintf(buf, n, "need_c%zu", r->index + 1);
		break;
	case CC_ALLOC_ROW_SECURITY:
		snprintf(buf, n, "security_c%zu", r->index + 1);
		break;
	}
}

/* The matrix as (row, column, value) triplets, 1-based as glp_load_matrix wants them. */
struct triplets {
	int *ia, *ja;
	double *ar;
	size_t n, cap;
};

static void trip_add(struct triplets *t, size_t i, size_t j, double v)
{
	t->n++;
	t->ia[t->n] = (int)i;
	t->ja[t->n] = (int)j;
	t->ar[t->n] = v;
}

static int build(const struct cc_alloc_problem *p, const struct layout *l, bool names,
                 glp_prob **prob_out, struct cc_err *err)
{
	struct triplets t = { 0 };
	struct cc_alloc_row *rows = NULL;
	double need_max = max_need(p);
	glp_prob *P;
	size_t cap = 0;
	int ret = 0;

	/* an x meets its budget, its earmarks and its cell's need; a y its capacity, its need and
	   perhaps a security row */
	for (size_t j = 1; j <= l->n_cols; j++)
		cap += l->col_kind[j] == 'x' ? 2 + p->donors[l->col_who[j]].n_earmarks : 3;
	t.ia = cc_alloc_array(cap + 1, sizeof(int));
	t.ja = cc_alloc_array(cap + 1, sizeof(int));
	t.ar = cc_alloc_array(cap + 1, sizeof(double));
	rows = cc_alloc_array(l->n_rows + 1, sizeof(*rows));
	if (!t.ia || !t.ja || !t.ar || !rows) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	P = glp_create_prob();
	*prob_out = P;
	glp_set_obj_dir(P, GLP_MAX);
	if (l->n_rows)
		glp_add_rows(P, (int)l->n_rows);
	if (l->n_cols)
		glp_add_cols(P, (int)l->n_cols);
	row_identity(p, l, rows);
	for (size_t i = 0; i < l->n_rows; i++) {
		double lo, hi;

		row_bounds(p, rows[i].kind, rows[i].index, rows[i].sub, &lo, &hi);
		set_bounds(P, (int)i + 1, lo, hi);
		if (names) {
			char nm[64];

			row_name(&rows[i], nm, sizeof(nm));
			glp_set_row_name(P, (int)i + 1, nm);
		}
	}
	if (names)
		glp_set_obj_name(P, "weighted_people_covered");
	for (size_t j = 1; j <= l->n_cols; j++) {
		size_t who = l->col_who[j], c = l->col_cell[j];
		const struct cc_alloc_cell *cell = &p->cells[c];
		double w = cell_weight(p, cell, need_max);

		glp_set_col_bnds(P, (int)j, GLP_LO, 0, 0);
		if (l->col_kind[j] == 'x') {
			const struct cc_alloc_donor *d = &p->donors[who];
			double per_usd = 1 / cell_cost(p, cell);

			glp_set_obj_coef(P, (int)j, w * per_usd);
			trip_add(&t, l->budget_row[who], j, 1);
			for (size_t e = 0; e < d->n_earmarks; e++)
				if (cc_alloc_scope_has(&d->earmarks[e].scope, cell))
					trip_add(&t, l->earmark_row0[who] + e, j, 1);
			trip_add(&t, l->need_row[c], j, per_usd);
		} else {
			double ppt = p->orgs[who].people_per_team;

			glp_set_obj_coef(P, (int)j, w * ppt);
			trip_add(&t, l->capacity_row[who], j, 1);
			trip_add(&t, l->need_row[c], j, ppt);
			if (l->security_row[c])
				trip_add(&t, l->security_row[c], j, 1);
		}
		if (names) {
			char nm[64];

			snprintf(nm, sizeof(nm), "%c_%c%zu_c%zu", l->col_kind[j],
			         l->col_kind[j] == 'x' ? 'd' : 'o', who + 1, c + 1);
			glp_set_col_name(P, (int)j, nm);
		}
	}
	if (t.n)
		glp_load_matrix(P, (int)t.n, t.ia, t.ja, t.ar);
out_free:
	cc_free(t.ia);
	cc_free(t.ja);
	cc_free(t.ar);
	cc_free(rows);
	return ret;
}

int cc__alloc_build(const struct cc_alloc_problem *p, bool names, struct glp_prob **prob_out,
                    struct cc_err *err)
{
	struct layout l;
	int ret;

	*prob_out = NULL;
	if ((ret = cc_alloc_problem_check(p, err)) < 0)
		return ret;
	if ((ret = layout_make(p, &l, err)) < 0)
		return ret;
	ret = build(p, &l, names, prob_out, err);
	layout_release(&l);
	return ret;
}

/* ---- GLPK's hooks ---- */

struct guard {
	jmp_buf jb;
	char msg[512]; /* the last of GLPK's output, newlines as "; " */
	size_t len;
};

/* Static storage: the hooks change it between setjmp and longjmp. */
static _Thread_local struct guard guard;

static int term_hook(void *info, const char *s)
{
	struct guard *g = info;

	for (; *s; s++) {
		char ch = *s == '\n' ? ' ' : *s;

		if (ch == ' ' && (g->len == 0 || g->msg[g->len - 1] == ' '))
			continue;
		if (g->len + 1 >= sizeof(g->msg)) { /* keep the latest text */
			memmove(g->msg, g->msg + sizeof(g->msg) / 2, sizeof(g->msg) / 2);
			g->len -= sizeof(g->msg) / 2;
		}
		g->msg[g->len++] = ch;
	}
	g->msg[g->len] = '\0';
	return 1; /* GLPK prints nothing itself */
}

static void error_hook(void *info)
{
	struct guard *g = info;

	longjmp(g->jb, 1);
}

int cc__alloc_glpk(int (*fn)(void *ctx, struct cc_err *err), void *ctx, char *msg_out, size_t msg_n,
                   struct cc_err *err)
{
	volatile int ret = 0;

	guard.len = 0;
	guard.msg[0] = '\0';
	glp_term_hook(term_hook, &guard);
	glp_error_hook(error_hook, &guard);
	if (setjmp(guard.jb) == 0) {
		ret = fn(ctx, err);
	} else {
		while (guard.len && guard.msg[guard.len - 1] == ' ')
			guard.msg[--guard.len] = '\0';
		ret = cc_err_set(err, CC_EINVALID, "linear solver failed: %s", guard.msg);
	}
	if (msg_out && msg_n) {
		while (guard.len && guard.msg[guard.len - 1] == ' ')
			guard.msg[--guard.len] = '\0';
		snprintf(msg_out, msg_n, "%s", guard.msg);
	}
	/* frees every GLPK object, and the hooks with them, after an error as after success */
	glp_free_env();
	return ret;
}

/* ---- solving ---- */

struct solve_ctx {
	double deadline; /* CLOCK_MONOTONIC seconds the solver must finish by; 0 none */
	const struct cc_alloc_problem *p;
	struct layout l;
	struct cc_alloc_result *r;
	double *x; /* column values, 1-based */
	size_t *order;
};

static void solver_parm(glp_smcp *parm)
{
	glp_init_smcp(parm);
	parm->msg_lev = GLP_MSG_OFF;
	parm->meth = GLP_PRIMAL;
	parm->presolve = GLP_OFF;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int out_of_time(const struct solve_ctx *s, struct cc_err *err)
{
	return cc_err_set(err, CC_ETOOBIG,
	                  "the allocation did not finish within its time limit of %g s (a smaller "
	                  "problem, or the command line without a limit)",
	                  s->p->time_limit_s);
}

/* Solves P within s's deadline; *status_out is GLP_OPT, GLP_NOFEAS or another status. */
static int run_simplex(const struct solve_ctx *s, glp_prob *P, int *status_out,
                       struct cc_err *err)
{
	glp_smcp parm;
	int rc;

	solver_parm(&parm);
	if (s->deadline > 0) {
		double left = s->deadline - now_s();

		if (left <= 0)
			return out_of_time(s, err);
		parm.tm_lim = left * 1000 < INT_MAX ? (int)(left * 1000) + 1 : INT_MAX;
	}
	rc = glp_simplex(P, &parm);
	if (rc != 0 && rc != GLP_ETMLIM) { /* a singular basis after many changes: start again */
		glp_std_basis(P);
		rc = glp_simplex(P, &parm);
	}
	if (rc == GLP_ETMLIM)
		return out_of_time(s, err);
	if (rc != 0)
		return cc_err_set(err, CC_EINVALID, "linear solver failed (glp_simplex code %d)",
		                  rc);
	*status_out = glp_get_status(P);
	return 0;
}

/* The deletion filter: a minimal set of rows that cannot all hold. The objective is dropped
 * (a feasibility problem), then each row in turn is freed; rows whose removal leaves the
 * problem infeasible stay removed. */
static int conflict_set(struct solve_ctx *s, glp_prob *P, struct cc_err *err)
{
	struct cc_alloc_result *r = s->r;
	size_t n = 0;
	int status, ret;

	for (size_t j = 1; j <= s->l.n_cols; j++)
		glp_set_obj_coef(P, (int)j, 0);
	r->conflict = cc_alloc_array(r->n_rows + 1, sizeof(size_t));
	if (!r->conflict)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->n_rows; i++) {
		glp_set_row_bnds(P, (int)i + 1, GLP_FR, 0, 0);
		if ((ret = run_simplex(s, P, &status, err)) < 0)
			return ret;
		if (status == GLP_NOFEAS)
			continue; /* still infeasible without row i: it is not needed */
		set_bounds(P, (int)i + 1, r->rows[i].lo, r->rows[i].hi);
		r->conflict[n++] = i;
	}
	r->n_conflict = n;
	return 0;
}

static const char *row_unit(enum cc_alloc_row_kind k)
{
	switch (k) {
	case CC_ALLOC_ROW_BUDGET:
	case CC_ALLOC_ROW_EARMARK:
		return "USD";
	case CC_ALLOC_ROW_CAPACITY:
	case CC_ALLOC_ROW_SECURITY:
		return "team";
	case CC_ALLOC_ROW_NEED:
		return "person";
	}
	return "";
}

static void describe_scope(const struct cc_alloc_scope *s, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	if (s->pillars)
		for (int k = 0; k < CC_N_PILLARS; k++)
			if (s->pillars & (1u << k))
				len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s",
				                        len ? "+" : "pillar ", cc_pillar_name(k));
	for (size_t i = 0; i < s->n_areas && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
		                        i     ? "+"
		                        : len ? ", area "
		                              : "area ",
		                        s->areas[i]);
	for (size_t i = 0; i < s->n_sectors && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
		                        i     ? "+"
		                        : len ? ", sector "
		                              : "sector ",
		                        s->sectors[i]);
	if (!buf[0])
		snprintf(buf, n, "every cell");
}

static void cell_label(const struct cc_alloc_cell *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s %s%s%s", c->area, cc_pillar_name(c->pillar), c->sector[0] ? "/" : "",
	         c->sector);
}

/* A label, cut when too long (names are long enough to tell rows apart). */
static void labelf(struct cc_alloc_row *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void labelf(struct cc_alloc_row *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->label, sizeof(r->label), fmt, ap);
	va_end(ap);
}

static void row_label(const struct cc_alloc_problem *p, struct cc_alloc_row *r)
{
	char s[160];

	switch (r->kind) {
	case CC_ALLOC_ROW_BUDGET:
		labelf(r, "budget of donor '%s'", p->donors[r->index].name);
		break;
	case CC_ALLOC_ROW_EARMARK:
		describe_scope(&p->donors[r->index].earmarks[r->sub].scope, s, sizeof(s));
		labelf(r, "earmark %zu of donor '%s' (%s)", r->sub + 1, p->donors[r->index].name,
		       s);
		break;
	case CC_ALLOC_ROW_CAPACITY:
		labelf(r, "teams of organisation '%s'", p->orgs[r->index].name);
		break;
	case CC_ALLOC_ROW_NEED:
		cell_label(&p->cells[r->index], s, sizeof(s));
		labelf(r, "need of cell %s", s);
		break;
	case CC_ALLOC_ROW_SECURITY:
		cell_label(&p->cells[r->index], s, sizeof(s));
		labelf(r, "security presence in cell %s", s);
		break;
	}
}

static int cmp_frac(const void *a, const void *b, void *arg)
{
	const double *x = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	double fi = x[i] - floor(x[i] + ROUND_EPS), fj = x[j] - floor(x[j] + ROUND_EPS);

	if (fi != fj)
		return fi > fj ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* Largest remainder per organisation; fills the rounded teams of every y column in rnd. */
static void round_teams(struct solve_ctx *s, long *rnd)
{
	const struct cc_alloc_problem *p = s->p;
	size_t j = 1;

	while (j <= s->l.n_cols && s->l.col_kind[j] != 'y')
		j++;
	while (j <= s->l.n_cols) {
		size_t o = s->l.col_who[j], n = 0;
		double sum = 0;
		long floors = 0, target, left;

		for (; j <= s->l.n_cols && s->l.col_who[j] == o; j++) {
			double v = s->x[j] > 0 ? s->x[j] : 0;

			rnd[j] = (long)floor(v + ROUND_EPS);
			floors += rnd[j];
			sum += v;
			s->order[n++] = j;
		}
		target = lround(sum);
		if ((double)target > floor(p->orgs[o].teams + ROUND_EPS))
			target = (long)floor(p->orgs[o].teams + ROUND_EPS);
		left = target - floors;
		qsort_r(s->order, n, sizeof(size_t), cmp_frac, s->x);
		for (size_t k = 0; k < n && left > 0; k++, left--)
			rnd[s->order[k]]++;
	}
}

/* How close to a bound a row's value must be to count as tight. */
static double tight(double bound)
{
	return REL_EPS * (fabs(bound) > 1 ? fabs(bound) : 1);
}

static int extract(struct solve_ctx *s, glp_prob *P, struct cc_err *err)
{
	const struct cc_alloc_problem *p = s->p;
	struct cc_alloc_result *r = s->r;
	double need_max = max_need(p);
	long *rnd = NULL;
	size_t nf = 0, nt = 0;

	r->objective = glp_get_obj_val(P);
	for (size_t j = 1; j <= s->l.n_cols; j++) {
		s->x[j] = glp_get_col_prim(P, (int)j);
		if (s->x[j] < 0) /* within GLPK's tolerance below 0 */
			s->x[j] = 0;
	}
	for (size_t i = 0; i < r->n_rows; i++) {
		struct cc_alloc_row *w = &r->rows[i];
		int st = glp_get_row_stat(P, (int)i + 1);

		w->activity = glp_get_row_prim(P, (int)i + 1);
		/* tight at a bound, whether GLPK left the row non-basic or (degenerate) basic */
		w->binding = st == GLP_NL || st == GLP_NU || st == GLP_NS ||
		             (isfinite(w->lo) && fabs(w->activity - w->lo) <= tight(w->lo)) ||
		             (isfinite(w->hi) && fabs(w->activity - w->hi) <= tight(w->hi));
		w->shadow = st == GLP_BS ? 0 : glp_get_row_dual(P, (int)i + 1);
		if (fabs(w->shadow) < ZERO_EPS) /* 1e-17 is round-off, not a price */
			w->shadow = 0;
		if (fabs(w->activity) < ZERO_EPS)
			w->activity = 0;
	}
	rnd = cc_alloc_array(s->l.n_cols + 1, sizeof(long));
	if (!rnd)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	round_teams(s, rnd);
	for (size_t j = 1; j <= s->l.n_cols; j++) {
		if (s->l.col_kind[j] == 'x')
			nf += s->x[j] > 0;
		else
			nt += s->x[j] > 0 || rnd[j] > 0;
	}
	r->funding = cc_alloc_array(nf + 1, sizeof(*r->funding));
	r->teams = cc_alloc_array(nt + 1, sizeof(*r->teams));
	if (!r->funding || !r->teams) {
		cc_free(rnd);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	for (size_t c = 0; c < p->n_cells; c++)
		r->cells[c].weight = cell_weight(p, &p->cells[c], need_max);
	for (size_t j = 1; j <= s->l.n_cols; j++) {
		size_t c = s->l.col_cell[j], who = s->l.col_who[j];
		struct cc_alloc_cell_result *cr = &r->cells[c];

		if (s->l.col_kind[j] == 'x') {
			if (s->x[j] > 0)
				r->funding[r->n_funding++] = (struct cc_alloc_funding){
					.donor = who, .cell = c, .usd = s->x[j]
				};
			cr->funded_usd += s->x[j];
			cr->covered += s->x[j] / cell_cost(p, &p->cells[c]);
			continue;
		}
		if (s->x[j] > 0 || rnd[j] > 0)
			r->teams[r->n_teams++] = (struct cc_alloc_teams){
				.org = who, .cell = c, .lp = s->x[j], .rounded = rnd[j]
			};
		cr->teams_lp += s->x[j];
		cr->teams_rounded += rnd[j];
		cr->covered += s->x[j] * p->orgs[who].people_per_team;
		cr->covered_rounded += (double)rnd[j] * p->orgs[who].people_per_team;
		if (rnd[j] > s->x[j] + ROUND_EPS)
			r->n_rounded_up++;
		else if (rnd[j] < s->x[j] - ROUND_EPS)
			r->n_rounded_down++;
		r->rounding_abs += fabs((double)rnd[j] - s->x[j]);
	}
	for (size_t c = 0; c < p->n_cells; c++) {
		struct cc_alloc_cell_result *cr = &r->cells[c];
		double need = p->cells[c].need;
		double raw = cr->covered_rounded + cr->funded_usd / cell_cost(p, &p->cells[c]);

		if (raw > need + REL_EPS * (need > 1 ? need : 1)) {
			cr->over_need_rounded = raw - need;
			r->n_over_need++;
		}
		cr->covered_rounded = raw < need ? raw : need;
		if (s->l.security_row[c] &&
		    (double)cr->teams_rounded < p->min_security_teams - ROUND_EPS) {
			cr->security_short = true;
			r->n_security_short++;
		}
		r->people_covered += cr->covered;
		r->people_covered_rounded += cr->covered_rounded;
		r->objective_rounded += cr->weight * cr->covered_rounded;
	}
	cc_free(rnd);
	return 0;
}

static int solve_fn(void *ctx, struct cc_err *err)
{
	struct solve_ctx *s = ctx;
	struct cc_alloc_result *r = s->r;
	glp_prob *P = NULL;
	int status, ret;

	if ((ret = build(s->p, &s->l, false, &P, err)) < 0)
		return ret; /* P, if made, goes with the environment */
	if (s->l.n_cols == 0 && s->l.n_rows == 0) {
		r->status = CC_ALLOC_OPTIMAL;
		return 0;
	}
	glp_scale_prob(P, GLP_SF_AUTO);
	glp_adv_basis(P, 0);
	if ((ret = run_simplex(s, P, &status, err)) < 0)
		return ret;
	switch (status) {
	case GLP_OPT:
		r->status = CC_ALLOC_OPTIMAL;
		ret = extract(s, P, err);
		break;
	case GLP_NOFEAS:
		r->status = CC_ALLOC_INFEASIBLE;
		for (size_t i = 0; i < r->n_rows; i++)
			r->rows[i].activity = (double)NAN;
		ret = conflict_set(s, P, err);
		break;
	default:
		ret = cc_err_set(err, CC_EINVALID, "linear solver ended with status %d", status);
		break;
	}
	glp_delete_prob(P);
	return ret;
}

int cc_allocate(const struct cc_alloc_problem *p, struct cc_alloc_result *out, struct cc_err *err)
{
	struct solve_ctx s = { .p = p, .r = out };
	int ret;

	if (p->time_limit_s > 0)
		s.deadline = now_s() + p->time_limit_s;
	*out = (struct cc_alloc_result){ 0 };
	if ((ret = cc_alloc_problem_check(p, err)) < 0)
		return ret;
	if ((ret = layout_make(p, &s.l, err)) < 0)
		return ret;
	out->n_vars = s.l.n_cols;
	out->n_rows = s.l.n_rows;
	out->n_cells = p->n_cells;
	out->rows = cc_alloc_array(s.l.n_rows + 1, sizeof(*out->rows));
	out->cells = cc_alloc_array(p->n_cells + 1, sizeof(*out->cells));
	s.x = cc_alloc_array(s.l.n_cols + 1, sizeof(double));
	s.order = cc_alloc_array(s.l.n_cols + 1, sizeof(size_t));
	if (!out->rows || !out->cells || !s.x || !s.order) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	row_identity(p, &s.l, out->rows);
	for (size_t i = 0; i < out->n_rows; i++) {
		struct cc_alloc_row *row = &out->rows[i];

		row_bounds(p, row->kind, row->index, row->sub, &row->lo, &row->hi);
		row->unit = row_unit(row->kind);
		row_label(p, row);
	}
	ret = cc__alloc_glpk(solve_fn, &s, NULL, 0, err);
out_free:
	cc_free(s.x);
	cc_free(s.order);
	layout_release(&s.l);
	if (ret < 0)
		cc_alloc_result_release(out);
	return ret;
}

void cc_alloc_result_release(struct cc_alloc_result *r)
{
	if (!r)
		return;
	cc_free(r->rows);
	cc_free(r->funding);
	cc_free(r->teams);
	cc_free(r->cells);
	cc_free(r->conflict);
	*r = (struct cc_alloc_result){ 0 };
}
