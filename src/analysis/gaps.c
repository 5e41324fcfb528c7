/*
 * Gaps: needs against coverage per area × sector or pillar (see <concord/gaps.h> for the rules).
 *
 * Everything is done by sorting plain arrays and binary search: needs are merged per area × key,
 * mapped up to the requested level (an entry counts only when no area between it and the level
 * has a figure of its own), and coverage records are grouped per area × key × organisation.
 */
#include <concord/gaps.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

#define MAX_DEPTH 16 /* admin levels walked up before a parent chain counts as broken */

struct area_ix {
	int64_t id;
	size_t i; /* index in the caller's areas */
};

/* A need merged per area × key. */
struct entry {
	int64_t area_id;
	int64_t key; /* sector id or pillar + 1; 0 intersectoral */
	int level;
	double pin; /* NAN unknown */
	int severity;
};

/* One coverage record placed at the level: area × key × organisation. */
struct cov {
	int64_t area_id;
	int64_t key;
	int64_t org_id;
	double figure;        /* NAN when the record has none */
	double budget;        /* NAN when the activity has none */
	const char *currency; /* with a budget: its currency ("" none), borrowed from the input */
	bool is_activity;     /* kind activity (presence rows have no budget to count) */
	size_t bud;           /* with a budget: its index in the input's budgets */
};

/* A budget of the input, sorted by activity (then input order, so the first one wins). */
struct bud {
	int64_t activity_id;
	size_t i;
};

const char *cc_gap_reach_rule(enum cc_gap_reach reach)
{
	switch (reach) {
	case CC_REACH_MAX:
		return "covered = the largest figure of any one organisation (each organisation's "
		       "own records added up), since partners in one area and sector often reach "
		       "the same people";
	case CC_REACH_SUM:
		return "covered = the sum over organisations (an upper bound: people reached by "
		       "several partners count several times)";
	}
	return "unknown";
}

const char *cc_gap_rank_rule(void)
{
	return "gap = severity x people in need x shortfall share, shortfall share = "
	       "max(0, 1 - covered / people in need); ranked by gap, highest first";
}

const char *cc_gap_budget_rule(void)
{
	return "budget = the sum of the budgets of the activities in the cell, one sum per "
	       "currency (amounts in different currencies are never added or converted); "
	       "budgets add up across organisations; activities without a budget are counted, "
	       "not taken as 0; presence rows carry no budget";
}

const char *cc_gap_status_name(enum cc_gap_status s)
{
	switch (s) {
	case CC_GAP_SCORED:
		return "scored";
	case CC_GAP_NO_SEVERITY:
		return "no severity";
	case CC_GAP_NO_FIGURES:
		return "no figures";
	case CC_GAP_NO_DATA:
		return "no data";
	case CC_GAP_NO_PIN:
		return "no PIN";
	}
	return "unknown";
}

static int cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static int cmp_area_ix(const void *a, const void *b)
{
	return cmp_i64(((const struct area_ix *)a)->id, ((const struct area_ix *)b)->id);
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = cmp_i64(a->area_id, b->area_id);

	return c ? c : cmp_i64(a->key, b->key);
}

static int cmp_cov(const void *pa, const void *pb)
{
	const struct cov *a = pa, *b = pb;
	int c = cmp_i64(a->area_id, b->area_id);

	if (!c)
		c = cmp_i64(a->key, b->key);
	return c ? c : cmp_i64(a->org_id, b->org_id);
}

static int cmp_bud(const void *pa, const void *pb)
{
	const struct bud *a = pa, *b = pb;
	int c = cmp_i64(a->activity_id, b->activity_id);

	return c ? c : (a->i > b->i) - (a->i < b->i);
}

/* Currencies by code, the unnamed one ("") last. */
static int cmp_money(const void *pa, const void *pb)
{
	const struct cc_gap_money *a = pa, *b = pb;

	if (!a->currency[0] || !b->currency[0])
		return !a->currency[0] - !b->currency[0];
	return strcmp(a->currency, b->currency);
}

/* Rates used: by currency, kind, date. */
static int cmp_rate(const void *pa, const void *pb)
{
	const struct cc_gap_rate *a = pa, *b = pb;
	int c = strcmp(a->currency, b->currency);

	if (!c)
		c = (int)a->kind - (int)b->kind;
	return c ? c : (a->date > b->date) - (a->date < b->date);
}

const char *cc_gap_money_rule(int tolerance_days, char *buf, size_t n)
{
	snprintf(buf, n,
	         "converted = the budgets of the cell converted to the reporting currency at "
	         "each activity's value date (a 3W activity's start date) and added up; the "
	         "rate is the ECB fixing of that day or of up to %d days before, else the "
	         "year's average, any pair through the euro; a budget without currency, value "
	         "date or rate is not converted: it is listed, left out of the sum, never "
	         "taken as 0",
	         tolerance_days);
	return buf;
}

/* Converts one budget (an amount in a currency of more than three letters has no rate). */
static void convert_budget(const struct cc_gap_input *in, const struct cc_gap_budget *b,
                           struct cc_fx *fx)
{
	struct cc_amount a = { .value = b->amount, .value_date = b->value_date };
	size_t len = strnlen(b->currency, sizeof(b->currency));

	if (len > 3) {
		memset(fx, 0, sizeof(*fx));
		fx->status = CC_FX_UNKNOWN_CURRENCY;
		fx->value = fx->rate = (double)NAN;
		return;
	}
	memcpy(a.currency, b->currency, len);
	a.currency[len] = '\0';
	cc_money_convert(in->rates, &a, in->currency, in->tolerance_days, fx);
}

/* Counts a use of the rate leg in the list (*blk, *n of *cap) from index from on, growing it. */
static int add_rate(struct cc_gap_rate **blk, size_t *n, size_t *cap, size_t from,
                    const struct cc_fx_leg *leg)
{
	struct cc_gap_rate *r;

	if (leg->date == CC_DATE_NONE) /* the euro: 1 by definition, no fixing */
		return 0;
	for (size_t i = from; i < *n; i++) {
		r = &(*blk)[i];
		if (!strcmp(r->currency, leg->currency) && r->kind == leg->kind &&
		    r->date == leg->date) {
			r->n_uses++;
			return 0;
		}
	}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;

		r = c > SIZE_MAX / sizeof(*r) ? NULL : cc_realloc(*blk, c * sizeof(*r));
		if (!r)
			return CC_ENOMEM;
		*blk = r;
		*cap = c;
	}
	r = &(*blk)[(*n)++];
	memset(r, 0, sizeof(*r));
	memcpy(r->currency, leg->currency, sizeof(r->currency));
	r->currency[3] = '\0';
	r->kind = leg->kind;
	r->date = leg->date;
	r->per_eur = leg->per_eur;
	r->n_uses = 1;
	return 0;
}

/* The budget b, not converted for the reason in f, appended to *blk (*n of *cap). */
static int add_unconverted(struct cc_gap_unconverted **blk, size_t *n, size_t *cap,
                           const struct cc_gap_budget *b, const struct cc_fx *f)
{
	struct cc_gap_unconverted *u;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;

		u = c > SIZE_MAX / sizeof(*u) ? NULL : cc_realloc(*blk, c * sizeof(*u));
		if (!u)
			return CC_ENOMEM;
		*blk = u;
		*cap = c;
	}
	u = &(*blk)[(*n)++];
	*u = (struct cc_gap_unconverted){ .activity_id = b->activity_id,
		                          .amount = b->amount,
		                          .value_date = b->value_date,
		                          .status = f->status };
	memcpy(u->currency, b->currency, sizeof(u->currency));
	u->currency[sizeof(u->currency) - 1] = '\0';
	memcpy(u->missing, f->missing, sizeof(u->missing));
	u->missing[sizeof(u->missing) - 1] = '\0';
	return 0;
}

/*
 * The rates used by, and the list of, the budgets the rows counted (used[i]), each activity
 * once, in activity order.
 */
static int list_conversions(struct cc_gaps *g, const struct cc_gap_budget *budgets,
                            const struct bud *bix, size_t n_budgets, const struct cc_fx *fx,
                            const bool *used)
{
	size_t cap_rates = 0, cap_bad = 0;

	for (size_t k = 0; k < n_budgets; k++) {
		size_t i = bix[k].i;
		const struct cc_fx *f = &fx[i];

		if (!used[i])
			continue;
		if (f->status != CC_FX_OK) {
			if (add_unconverted(&g->unconverted, &g->n_unconverted, &cap_bad, &budgets[i],
			                    f) < 0)
				return CC_ENOMEM;
		} else if (!f->same && (add_rate(&g->rates_used, &g->n_rates_used, &cap_rates, 0,
		                                 &f->from) < 0 ||
		                        add_rate(&g->rates_used, &g->n_rates_used, &cap_rates, 0,
		                                 &f->to) < 0)) {
			return CC_ENOMEM;
		}
	}
	if (g->n_rates_used > 1)
		qsort(g->rates_used, g->n_rates_used, sizeof(*g->rates_used), cmp_rate);
	return 0;
}

/* The first budget entry of the activity, NULL when none. */
static const struct cc_gap_budget *find_budget(const struct bud *ix, size_t n,
                                               const struct cc_gap_budget *budgets, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix[mid].activity_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ix[lo].activity_id == id ? &budgets[ix[lo].i] : NULL;
}

/* Adds a budget to the sums of the row that start at money[from]; grows the block. */
static int add_money(struct cc_gap_money **money, size_t *n, size_t *cap, size_t from,
                     const char *currency, double amount)
{
	for (size_t i = from; i < *n; i++)
		if (!strcmp((*money)[i].currency, currency)) {
			(*money)[i].amount += amount;
			(*money)[i].n_activities++;
			return 0;
		}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct cc_gap_money *m =
		        c > SIZE_MAX / sizeof(*m) ? NULL : cc_realloc(*money, c * sizeof(*m));

		if (!m)
			return CC_ENOMEM;
		*money = m;
		*cap = c;
	}
	memset(&(*money)[*n], 0, sizeof(**money));
	snprintf((*money)[*n].currency, sizeof((*money)[*n].currency), "%s", currency);
	(*money)[*n].amount = amount;
	(*money)[*n].n_activities = 1;
	(*n)++;
	return 0;
}

static const struct cc_area *find_area(const struct area_ix *ix, size_t n,
                                       const struct cc_area *areas, int64_t id)
{
	struct area_ix k = { .id = id };
	const struct area_ix *f = bsearch(&k, ix, n, sizeof(*ix), cmp_area_ix);

	return f ? &areas[f->i] : NULL;
}

static const struct entry *find_entry(const struct entry *e, size_t n, int64_t area, int64_t key)
{
	struct entry k = { .area_id = area, .key = key };

	return bsearch(&k, e, n, sizeof(*e), cmp_entry);
}

/* Sorts entries by area × key and merges equal ones (largest PIN, highest severity). */
static size_t merge_max(struct entry *e, size_t n)
{
	size_t w = 0;

	if (!n)
		return 0;
	qsort(e, n, sizeof(*e), cmp_entry);
	for (size_t r = 1; r < n; r++) {
		if (cmp_entry(&e[w], &e[r]) == 0) {
			if (isnan(e[w].pin) || (!isnan(e[r].pin) && e[r].pin > e[w].pin))
				e[w].pin = e[r].pin;
			if (e[r].severity > e[w].severity)
				e[w].severity = e[r].severity;
		} else {
			e[++w] = e[r];
		}
	}
	return w + 1;
}

/* Sorts by area × key and adds equal ones up (known PINs summed, highest severity). */
static size_t merge_sum(struct entry *e, size_t n)
{
	size_t w = 0;

	if (!n)
		return 0;
	qsort(e, n, sizeof(*e), cmp_entry);
	for (size_t r = 1; r < n; r++) {
		if (cmp_entry(&e[w], &e[r]) == 0) {
			if (isnan(e[w].pin))
				e[w].pin = e[r].pin;
			else if (!isnan(e[r].pin))
				e[w].pin += e[r].pin;
			if (e[r].severity > e[w].severity)
				e[w].severity = e[r].severity;
		} else {
			e[++w] = e[r];
		}
	}
	return w + 1;
}

/*
 * The ancestor of area at level (the area itself when it is at that level): 0 and *above when
 * the area is above the level, 0 when the chain breaks.
 */
static int64_t at_level(const struct area_ix *ix, size_t n_ix, const struct cc_area *areas,
                        const struct cc_area *a, int level, bool *above)
{
	*above = a->level < level;
	for (int d = 0; a && d < MAX_DEPTH; d++) {
		if (a->level == level)
			return a->id;
		if (a->level < level || !a->parent_id)
			return 0;
		a = find_area(ix, n_ix, areas, a->parent_id);
	}
	return 0;
}

static int row_rank(const struct cc_gap_row *r)
{
	switch (r->status) {
	case CC_GAP_SCORED:
		return 0;
	case CC_GAP_NO_SEVERITY:
		return 1;
	case CC_GAP_NO_FIGURES:
	case CC_GAP_NO_DATA:
		return 2;
	case CC_GAP_NO_PIN:
		return 3;
	}
	return 4;
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct cc_gap_row *a = pa, *b = pb;
	int c = row_rank(a) - row_rank(b);
	double va = 0, vb = 0;

	if (c)
		return c;
	switch (a->status) {
	case CC_GAP_SCORED:
		va = a->gap;
		vb = b->gap;
		break;
	case CC_GAP_NO_SEVERITY:
		va = a->unmet;
		vb = b->unmet;
		break;
	case CC_GAP_NO_FIGURES:
	case CC_GAP_NO_DATA:
		va = a->in_need;
		vb = b->in_need;
		break;
	case CC_GAP_NO_PIN:
		break;
	}
	if (va != vb)
		return va > vb ? -1 : 1;
	if ((c = strcmp(a->pcode, b->pcode)) != 0)
		return c;
	return strcmp(a->key_code, b->key_code);
}

static int cmp_sector(const void *a, const void *b)
{
	return cmp_i64(((const struct cc_gap_sector *)a)->id,
	               ((const struct cc_gap_sector *)b)->id);
}

static void name_key(struct cc_gap_row *r, int64_t key, const struct cc_gap_opts *o,
                     const struct cc_gap_sector *sectors, size_t n_sectors)
{
	r->sector_id = 0;
	r->pillar = -1;
	if (key == 0) {
		snprintf(r->key_code, sizeof(r->key_code), "ALL");
		snprintf(r->key_name, sizeof(r->key_name), "all sectors (intersectoral)");
		return;
	}
	if (o->by == CC_GAP_BY_PILLAR) {
		const char *p = cc_pillar_name((int)(key - 1));

		r->pillar = (int)(key - 1);
		snprintf(r->key_code, sizeof(r->key_code), "%s", p ? p : "other");
		snprintf(r->key_name, sizeof(r->key_name), "%s", p ? p : "other");
		return;
	}
	r->sector_id = key;
	const struct cc_gap_sector k = { .id = key };
	const struct cc_gap_sector *s =
	        sectors ? bsearch(&k, sectors, n_sectors, sizeof(*s), cmp_sector) : NULL;
	if (s) {
		snprintf(r->key_code, sizeof(r->key_code), "%s", s->code);
		snprintf(r->key_name, sizeof(r->key_name), "%s", s->name);
	} else {
		snprintf(r->key_code, sizeof(r->key_code), "sector:%lld", (long long)key);
	}
}

int cc_gaps_compute(const struct cc_gap_need *needs, size_t n_needs,
                    const struct cc_coverage_record *records, size_t n_records,
                    const struct cc_area *areas, size_t n_areas,
                    const struct cc_gap_sector *sectors, size_t n_sectors,
                    const struct cc_gap_opts *opts, struct cc_gaps *out, struct cc_err *err)
{
	return cc_gaps_compute_ex(&(struct cc_gap_input){ .needs = needs,
	                                                  .n_needs = n_needs,
	                                                  .records = records,
	                                                  .n_records = n_records,
	                                                  .areas = areas,
	                                                  .n_areas = n_areas,
	                                                  .sectors = sectors,
	                                                  .n_sectors = n_sectors },
	                          opts, out, err);
}

int cc_gaps_compute_ex(const struct cc_gap_input *in, const struct cc_gap_opts *opts,
                       struct cc_gaps *out, struct cc_err *err)
{
	const struct cc_gap_need *needs = in->needs;
	const struct cc_coverage_record *records = in->records;
	const struct cc_area *areas = in->areas;
	const struct cc_gap_sector *sectors = in->sectors;
	const struct cc_gap_budget *budgets = in->budgets;
	size_t n_needs = in->n_needs, n_records = in->n_records, n_areas = in->n_areas,
	       n_sectors = in->n_sectors, n_budgets = budgets ? in->n_budgets : 0;
	struct cc_gap_opts o = opts ? *opts : (struct cc_gap_opts){ 0 };
	struct area_ix *ix = NULL;
	struct entry *e = NULL, *lv = NULL;
	struct cov *cv = NULL;
	struct cc_gap_sector *sec = NULL;
	struct cc_gap_row *rows = NULL;
	struct bud *bix = NULL;
	struct cc_gap_money *money = NULL;
	struct cc_fx *fx = NULL;
	bool *used = NULL;
	struct cc_gap_rate *rrates = NULL;
	struct cc_gap_unconverted *rbad = NULL;
	size_t *roff = NULL, *uoff = NULL;
	size_t n_rrates = 0, cap_rrates = 0, n_rbad = 0, cap_rbad = 0;
	bool conv = in->rates && in->currency && in->currency[0] && budgets;
	size_t *moff = NULL;
	size_t n_ix = 0, n_e = 0, n_lv = 0, n_cv = 0, n_money = 0, cap_money = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (o.level <= 0)
		o.level = 1;
	out->opts = o;
	out->n_needs = n_needs;
	out->has_budget = budgets != NULL;

	/* areas by id */
	ix = cc_alloc_array(n_areas ? n_areas : 1, sizeof(*ix));
	e = cc_alloc_array(n_needs ? n_needs : 1, sizeof(*e));
	cv = cc_alloc_array(n_records ? n_records * 2 : 1, sizeof(*cv));
	sec = cc_alloc_array(n_sectors ? n_sectors : 1, sizeof(*sec));
	bix = cc_alloc_array(n_budgets ? n_budgets : 1, sizeof(*bix));
	if (!ix || !e || !cv || !sec || !bix)
		goto out_nomem;
	for (size_t i = 0; i < n_budgets; i++)
		bix[i] = (struct bud){ .activity_id = budgets[i].activity_id, .i = i };
	qsort(bix, n_budgets, sizeof(*bix), cmp_bud);
	if (conv) {
		out->has_conversion = true;
		snprintf(out->currency, sizeof(out->currency), "%.3s", in->currency);
		out->tolerance_days = in->tolerance_days;
		fx = cc_alloc_array(n_budgets ? n_budgets : 1, sizeof(*fx));
		used = cc_alloc_array(n_budgets ? n_budgets : 1, sizeof(*used));
		if (!fx || !used)
			goto out_nomem;
		for (size_t i = 0; i < n_budgets; i++) {
			used[i] = false;
			if (!isnan(budgets[i].amount))
				convert_budget(in, &budgets[i], &fx[i]);
		}
	}
	for (size_t i = 0; i < n_areas; i++)
		ix[i] = (struct area_ix){ .id = areas[i].id, .i = i };
	qsort(ix, n_areas, sizeof(*ix), cmp_area_ix);
	for (size_t i = 0; i < n_areas; i++)
		if (!n_ix || ix[n_ix - 1].id != ix[i].id)
			ix[n_ix++] = ix[i];
	if (n_sectors)
		memcpy(sec, sectors, n_sectors * sizeof(*sec));
	qsort(sec, n_sectors, sizeof(*sec), cmp_sector);

	/* needs: one entry per area × key (the larger of two totals for the same cell) */
	for (size_t i = 0; i < n_needs; i++) {
		const struct cc_gap_need *nd = &needs[i];
		const struct cc_area *a;

		if (!nd->area_id) {
			out->n_needs_above++;
			continue;
		}
		if (!(a = find_area(ix, n_ix, areas, nd->area_id))) {
			ret = cc_err_set(err, CC_EINVALID,
			                 "need names area %lld, which is not in the "
			                 "areas given",
			                 (long long)nd->area_id);
			goto out_free;
		}
		if (a->level < o.level) {
			out->n_needs_above++;
			continue;
		}
		e[n_e++] = (struct entry){
			.area_id = nd->area_id,
			.key = !nd->sector_id             ? 0
			       : o.by == CC_GAP_BY_PILLAR ? (int64_t)nd->pillar + 1
			                                  : nd->sector_id,
			.level = a->level,
			.pin = nd->in_need,
			.severity = nd->severity >= 1 && nd->severity <= 5 ? nd->severity : 0,
		};
	}
	n_e = merge_max(e, n_e);

	/* up to the level: an entry counts unless an area between it and the level has its own */
	lv = cc_alloc_array(n_e ? n_e : 1, sizeof(*lv));
	if (!lv)
		goto out_nomem;
	for (size_t i = 0; i < n_e; i++) {
		const struct cc_area *a = find_area(ix, n_ix, areas, e[i].area_id);
		bool shadowed = false, above;
		int64_t top = a ? at_level(ix, n_ix, areas, a, o.level, &above) : 0;

		if (!a || !top) {
			out->n_needs_unplaced++;
			continue;
		}
		for (int d = 0; a->id != top && d < MAX_DEPTH && !shadowed; d++) {
			a = find_area(ix, n_ix, areas, a->parent_id);
			if (!a)
				break;
			shadowed = find_entry(e, n_e, a->id, e[i].key) != NULL;
		}
		if (shadowed)
			continue;
		lv[n_lv] = e[i];
		lv[n_lv].area_id = top;
		lv[n_lv].level = o.level;
		n_lv++;
	}
	n_lv = merge_sum(lv, n_lv);

	/* coverage: each record at the level, under its key and under "all sectors" */
	for (size_t i = 0; i < n_records; i++) {
		const struct cc_coverage_record *r = &records[i];
		const struct cc_area *a = find_area(ix, n_ix, areas, r->area_id);
		double fig = r->kind == CC_KIND_PRESENCE ? (double)NAN
		             : o.planning                ? r->targeted
		                                         : r->reached;
		const struct cc_gap_budget *bg =
		        r->kind == CC_KIND_ACTIVITY
		                ? find_budget(bix, n_budgets, budgets, r->activity_id)
		                : NULL;
		double budget = bg ? bg->amount : (double)NAN;
		const char *cur = bg ? bg->currency : "";
		bool above;
		int64_t top;

		if (!a) {
			ret = cc_err_set(err, CC_EINVALID,
			                 "coverage record names area %lld, which is "
			                 "not in the areas given",
			                 (long long)r->area_id);
			goto out_free;
		}
		top = at_level(ix, n_ix, areas, a, o.level, &above);
		if (!top) {
			out->n_records_above++;
			continue;
		}
		cv[n_cv++] = (struct cov){
			.area_id = top,
			.key = o.by == CC_GAP_BY_PILLAR ? (int64_t)r->column + 1 : r->sector_id,
			.org_id = r->org_id,
			.figure = fig,
			.budget = budget,
			.currency = cur,
			.is_activity = r->kind == CC_KIND_ACTIVITY,
			.bud = bg ? (size_t)(bg - budgets) : SIZE_MAX,
		};
		cv[n_cv] = cv[n_cv - 1];
		cv[n_cv++].key = 0;
	}
	qsort(cv, n_cv, sizeof(*cv), cmp_cov);

	rows = cc_alloc_array(n_lv ? n_lv : 1, sizeof(*rows));
	moff = cc_alloc_array(n_lv ? n_lv : 1, sizeof(*moff));
	roff = cc_alloc_array(n_lv ? n_lv : 1, sizeof(*roff));
	uoff = cc_alloc_array(n_lv ? n_lv : 1, sizeof(*uoff));
	if (!rows || !moff || !roff || !uoff)
		goto out_nomem;
	for (size_t i = 0; i < n_lv; i++) {
		struct cc_gap_row *row = &rows[i];
		const struct cc_area *a = find_area(ix, n_ix, areas, lv[i].area_id);
		struct cov k = { .area_id = lv[i].area_id, .key = lv[i].key, .org_id = INT64_MIN };
		size_t lo = 0, hi = n_cv;
		double covered = NAN;

		if (!a) { /* cannot happen: lv areas come from ix */
			ret = cc_err_set(err, CC_EINVALID, "area %lld vanished",
			                 (long long)lv[i].area_id);
			goto out_free;
		}
		memset(row, 0, sizeof(*row));
		moff[i] = n_money;
		roff[i] = n_rrates;
		uoff[i] = n_rbad;
		row->area_id = a->id;
		snprintf(row->pcode, sizeof(row->pcode), "%s", a->pcode);
		snprintf(row->name, sizeof(row->name), "%s", a->name);
		name_key(row, lv[i].key, &o, sec, n_sectors);
		row->severity = lv[i].severity;
		row->in_need = lv[i].pin;
		row->budget_converted = (double)NAN;
		/* the first coverage of area × key */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (cmp_cov(&cv[mid], &k) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t j = lo; j < n_cv && cv[j].area_id == k.area_id && cv[j].key == k.key;) {
			int64_t org = cv[j].org_id;
			double sum = NAN;

			for (; j < n_cv && cv[j].area_id == k.area_id && cv[j].key == k.key &&
			       cv[j].org_id == org;
			     j++) {
				row->n_records++;
				if (!isnan(cv[j].figure))
					sum = isnan(sum) ? cv[j].figure : sum + cv[j].figure;
				if (!budgets || !cv[j].is_activity)
					continue;
				if (isnan(cv[j].budget)) {
					row->n_unbudgeted++;
					continue;
				}
				row->n_budgeted++;
				if (add_money(&money, &n_money, &cap_money, moff[i], cv[j].currency,
				              cv[j].budget) < 0)
					goto out_nomem;
				if (!conv)
					continue;
				used[cv[j].bud] = true;
				if (fx[cv[j].bud].status != CC_FX_OK) {
					row->n_not_converted++;
					if (add_unconverted(&rbad, &n_rbad, &cap_rbad,
					                    &budgets[cv[j].bud], &fx[cv[j].bud]) < 0)
						goto out_nomem;
					continue;
				}
				if (!fx[cv[j].bud].same &&
				    (add_rate(&rrates, &n_rrates, &cap_rrates, roff[i],
				              &fx[cv[j].bud].from) < 0 ||
				     add_rate(&rrates, &n_rrates, &cap_rrates, roff[i],
				              &fx[cv[j].bud].to) < 0))
					goto out_nomem;
				row->n_converted++;
				row->budget_converted = isnan(row->budget_converted)
				                                ? fx[cv[j].bud].value
				                                : row->budget_converted +
				                                          fx[cv[j].bud].value;
			}
			if (isnan(sum))
				continue;
			row->n_orgs++;
			if (isnan(covered))
				covered = sum;
			else if (o.reach == CC_REACH_SUM)
				covered += sum;
			else if (sum > covered)
				covered = sum;
		}
		row->covered = covered;
		row->n_budget = n_money - moff[i];
		row->n_rates = n_rrates - roff[i];
		if (row->n_rates > 1)
			qsort(rrates + roff[i], row->n_rates, sizeof(*rrates), cmp_rate);
		if (row->n_budget > 1)
			qsort(money + moff[i], row->n_budget, sizeof(*money), cmp_money);
		row->shortfall = row->unmet = row->gap = NAN;
		if (isnan(row->in_need)) {
			row->status = CC_GAP_NO_PIN;
		} else if (!row->n_records) {
			row->status = CC_GAP_NO_DATA;
		} else if (!row->n_orgs) {
			row->status = CC_GAP_NO_FIGURES;
		} else {
			row->shortfall =
			        row->in_need > 0 ? fmax(0.0, 1.0 - covered / row->in_need) : 0.0;
			row->unmet = row->in_need * row->shortfall;
			if (row->severity) {
				row->status = CC_GAP_SCORED;
				row->gap = row->severity * row->in_need * row->shortfall;
				out->n_scored++;
			} else {
				row->status = CC_GAP_NO_SEVERITY;
			}
		}
	}
	/* the money block no longer moves: point the rows into it, then rank them */
	for (size_t i = 0; i < n_lv; i++) {
		rows[i].budget = rows[i].n_budget ? money + moff[i] : NULL;
		rows[i].rates = rows[i].n_rates ? rrates + roff[i] : NULL;
		rows[i].not_converted = rows[i].n_not_converted ? rbad + uoff[i] : NULL;
	}
	qsort(rows, n_lv, sizeof(*rows), cmp_row);
	if (conv && list_conversions(out, budgets, bix, n_budgets, fx, used) < 0)
		goto out_nomem;
	out->rows = rows;
	out->n_rows = n_lv;
	out->money = money;
	out->n_money = n_money;
	out->row_rates = rrates;
	out->n_row_rates = n_rrates;
	out->row_unconverted = rbad;
	out->n_row_unconverted = n_rbad;
	rows = NULL;
	money = NULL;
	rrates = NULL;
	rbad = NULL;
	ret = 0;
	goto out_free;
out_nomem:
	ret = cc_err_set(err, CC_ENOMEM, "out of memory");
out_free:
	if (ret < 0) {
		struct cc_gap_opts keep = out->opts;

		cc_free(out->rates_used);
		cc_free(out->unconverted);
		cc_free(out->row_rates);
		cc_free(out->row_unconverted);
		memset(out, 0, sizeof(*out));
		out->opts = keep;
	}
	cc_free(rows);
	cc_free(money);
	cc_free(moff);
	cc_free(fx);
	cc_free(used);
	cc_free(rrates);
	cc_free(rbad);
	cc_free(roff);
	cc_free(uoff);
	cc_free(bix);
	cc_free(ix);
	cc_free(e);
	cc_free(lv);
	cc_free(cv);
	cc_free(sec);
	return ret;
}

void cc_gaps_release(struct cc_gaps *g)
{
	if (!g)
		return;
	cc_free(g->rows);
	cc_free(g->money);
	cc_free(g->rates_used);
	cc_free(g->unconverted);
	cc_free(g->row_rates);
	cc_free(g->row_unconverted);
	g->rates_used = NULL;
	g->unconverted = NULL;
	g->row_rates = NULL;
	g->row_unconverted = NULL;
	g->n_rates_used = g->n_unconverted = g->n_row_rates = g->n_row_unconverted = 0;
	g->rows = NULL;
	g->n_rows = 0;
	g->money = NULL;
	g->n_money = 0;
}
