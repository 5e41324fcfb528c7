/* concord allocate: spread budgets and teams over area × pillar cells (a linear program) */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/allocate.h>
#include <concord/buf.h>
#include <concord/crosswalk.h>
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
	double time_limit_s; /* 0: none */
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
	/* across a re-districting: on today's layout, as the cells' coverage */
	if (ret == 0)
		ret = cc_store_layout_incidents(st, CC_DATE_NONE, inc, n_inc, NULL, NULL, err);
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
	        cli->st,
	        &(struct cc_coverage_query){ .mission_id = m.id,
	                                     .by = CC_BY_PILLAR,
	                                     .from = CC_DATE_NONE, /* every period, not 1970's */
	                                     .to = CC_DATE_NONE },
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
		O_JSON,
		O_TIME_LIMIT
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
		{ "time-limit", required_argument, NULL, O_TIME_LIMIT },
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
		case O_TIME_LIMIT:
			if (cc_parse_double(optarg, &a->time_limit_s, &err) < 0 ||
			    !(a->time_limit_s > 0) || isinf(a->time_limit_s))
				return cli_usage(cli, "--time-limit: '%s' is not a number of seconds > 0",
				                 optarg);
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
	p.time_limit_s = a.time_limit_s;
	if (cc_allocate(&p, &r, &err) < 0) {
		cc_err_at(&err, a.problem, 0, NULL);
		ret = cli_fail(&err);
		goto out_release;
	}
	ret = cc_alloc_format(&p, &r, n_no_severity, now_s() - t0, (int)a.fmt, &out);
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
