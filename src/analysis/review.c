/*
 * Plan review rules: pure over a plan and plain inputs (no I/O, no store). The rule table is
 * the one place a rule is named; docs/plan-review.md documents each row.
 */
#include <concord/review.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <concord/alloc.h>
#include <concord/overlap.h>

#include "core/banned.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct cc_review_rule rules[] = {
	{ "R1", CC_SEV_ERROR, "governance-civilian-lead",
	  "a governance activity has no lead organisation, or only military leads",
	  "governance civilian military lead" },
	{ "R2", CC_SEV_WARNING, "local-partner",
	  "an activity has no local partner (IATI type 11, 22, 24 or 72, or local: true)",
	  "local partner ownership" },
	{ "R3", CC_SEV_WARNING, "exposure-security",
	  "an area with many recent incidents has no security activity in the plan",
	  "security incidents insecurity" },
	{ "R4", CC_SEV_ERROR, "budget", "an activity has no budget (absent or not above 0)",
	  "budget funding" },
	{ "R5", CC_SEV_ERROR, "dates", "an activity ends before it starts", "timeline planning" },
	{ "R6", CC_SEV_ERROR, "unknown-reference", "an activity names an unknown P-code or pillar",
	  "planning data" },
	{ "R7", CC_SEV_WARNING, "duplicate-activity",
	  "an activity duplicates one already registered by another organisation (overlap score)",
	  "duplication coordination overlap" },
	{ "R8", CC_SEV_WARNING, "indicator-baseline",
	  "a pillar of the plan has no indicator with a baseline",
	  "indicator baseline monitoring evaluation" },
};

_Static_assert(N_OF(rules) == CC_REVIEW_N_RULES, "CC_REVIEW_N_RULES is the rule count");

void cc_review_config_default(struct cc_review_config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < N_OF(rules); i++) {
		c->rule[i].enabled = true;
		c->rule[i].severity = rules[i].severity;
	}
	c->threshold = 10;
	c->window_days = 90;
	c->min_score = 0.5;
	c->level = 2;
}

int cc_review_config_disable(struct cc_review_config *c, const char *id, const char *reason,
                             struct cc_err *err)
{
	const struct cc_review_rule *rule = cc_review_rule_find(id);

	if (!rule)
		return cc_err_set(err, CC_EUSAGE, "unknown rule '%s'", id ? id : "");
	if (!reason || !reason[0])
		return cc_err_set(err, CC_EUSAGE, "rule %s is disabled without a reason", rule->id);
	c->rule[rule - rules].enabled = false;
	snprintf(c->rule[rule - rules].reason, sizeof(c->rule[0].reason), "%s", reason);
	return 0;
}

const struct cc_review_rule *cc_review_rules(size_t *n_out)
{
	if (n_out)
		*n_out = N_OF(rules);
	return rules;
}

const struct cc_review_rule *cc_review_rule_find(const char *id)
{
	for (size_t i = 0; id && i < N_OF(rules); i++)
		if (strcasecmp(rules[i].id, id) == 0)
			return &rules[i];
	return NULL;
}

static const char *const sev_names[] = { "error", "warning", "info" };

const char *cc_severity_name(int sev)
{
	return sev >= 0 && sev < (int)N_OF(sev_names) ? sev_names[sev] : NULL;
}

int cc_severity_parse(const char *s)
{
	for (size_t i = 0; s && i < N_OF(sev_names); i++)
		if (strcmp(s, sev_names[i]) == 0)
			return (int)i;
	return -1;
}

/* IATI OrganisationType names and the 3W words for them; local ones marked. */
static const struct {
	const char *word;
	const char *code;
} org_types[] = {
	{ "Government", "10" },
	{ "Local Government", "11" },
	{ "Other Public Sector", "15" },
	{ "International NGO", "21" },
	{ "INGO", "21" },
	{ "National NGO", "22" },
	{ "NNGO", "22" },
	{ "Local NGO", "24" },
	{ "Regional NGO", "23" },
	{ "Partner Country based NGO", "24" },
	{ "Public Private Partnership", "30" },
	{ "Multilateral", "40" },
	{ "United Nations", "40" },
	{ "UN Agency", "40" },
	{ "Foundation", "60" },
	{ "Private Sector", "70" },
	{ "Private Sector in Provider Country", "71" },
	{ "Private Sector in Aid Recipient Country", "72" },
	{ "Private Sector in Third Country", "73" },
	{ "Academic", "80" },
	{ "Other", "90" },
};

static const char *org_type_code(const char *type)
{
	for (size_t i = 0; i < N_OF(org_types); i++)
		if (strcmp(type, org_types[i].code) == 0 || strcasecmp(type, org_types[i].word) == 0)
			return org_types[i].code;
	return NULL;
}

static bool org_is_local(const struct cc_plan_org *o)
{
	const char *code;

	if (o->is_local >= 0)
		return o->is_local == 1;
	code = org_type_code(o->type);
	return code && (strcmp(code, "11") == 0 || strcmp(code, "22") == 0 ||
	                strcmp(code, "24") == 0 || strcmp(code, "72") == 0);
}

static bool org_is_military(const struct cc_plan_org *o)
{
	return strcasecmp(o->kind, "military") == 0 || strcasecmp(o->type, "military") == 0 ||
	       strcasecmp(o->type, "armed forces") == 0;
}

static bool act_has_pillar(const struct cc_plan_activity *a, int pillar)
{
	for (size_t i = 0; i < a->n_pillars; i++)
		if (cc_pillar_parse(a->pillars[i]) == pillar)
			return true;
	return false;
}

static int act_pillar(const struct cc_plan_activity *a)
{
	for (size_t i = 0; i < a->n_pillars; i++)
		if (cc_pillar_parse(a->pillars[i]) >= 0)
			return cc_pillar_parse(a->pillars[i]);
	return -1;
}

static bool act_has_area(const struct cc_plan_activity *a, const char *pcode)
{
	for (size_t i = 0; i < a->n_areas; i++)
		if (strcmp(a->areas[i], pcode) == 0)
			return true;
	return false;
}

static void copy(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s);
}

struct run {
	struct cc_review_result *out;
	size_t cap;
	bool off[N_OF(rules)];
	enum cc_severity sev[N_OF(rules)];
	size_t threshold;
	int window_days;
};

static int add(struct run *r, size_t rule, const struct cc_plan_activity *a, int pillar,
               const char *item, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int add(struct run *r, size_t rule, const struct cc_plan_activity *a, int pillar,
               const char *item, const char *fmt, ...)
{
	struct cc_review_result *o = r->out;
	struct cc_finding *f;
	va_list ap;

	if (o->n_findings == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct cc_finding *p = cc_realloc(o->findings, cap * sizeof(*p));
		if (!p)
			return CC_ENOMEM;
		o->findings = p;
		r->cap = cap;
	}
	f = &o->findings[o->n_findings++];
	memset(f, 0, sizeof(*f));
	f->rule = rules[rule].id;
	f->severity = r->sev[rule];
	f->pillar = pillar;
	if (a) {
		copy(f->activity, sizeof(f->activity), a->id);
		copy(f->title, sizeof(f->title), a->title);
	}
	copy(f->item, sizeof(f->item), item);
	va_start(ap, fmt);
	vsnprintf(f->evidence, sizeof(f->evidence), fmt, ap);
	va_end(ap);
	if (f->severity == CC_SEV_ERROR)
		o->n_errors++;
	else if (f->severity == CC_SEV_WARNING)
		o->n_warnings++;
	else
		o->n_infos++;
	return 0;
}

static int cmp_pcode(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int rule_governance(struct run *r, const struct cc_plan_activity *a)
{
	size_t n_lead = 0, n_mil = 0;
	const char *mil = "";

	if (!act_has_pillar(a, CC_PILLAR_GOVERNANCE))
		return 0;
	for (size_t i = 0; i < a->n_orgs; i++) {
		if (a->orgs[i].role != CC_ROLE_LEAD)
			continue;
		n_lead++;
		if (org_is_military(&a->orgs[i])) {
			n_mil++;
			mil = a->orgs[i].name;
		}
	}
	if (n_lead == 0)
		return add(r, 0, a, CC_PILLAR_GOVERNANCE, "organisations",
		           "governance activity with no lead organisation");
	if (n_mil == n_lead)
		return add(r, 0, a, CC_PILLAR_GOVERNANCE, "organisations",
		           "governance activity led by military organisation '%s' only", mil);
	return 0;
}

static int rule_local(struct run *r, const struct cc_plan_activity *a)
{
	for (size_t i = 0; i < a->n_orgs; i++)
		if (org_is_local(&a->orgs[i]))
			return 0;
	return add(r, 1, a, act_pillar(a), "organisations",
	           "none of its %zu organisations is local (IATI type 11, 22, 24, 72 or local: true)",
	           a->n_orgs);
}

static int rule_budget(struct run *r, const struct cc_plan_activity *a)
{
	if (!a->has_budget)
		return add(r, 3, a, act_pillar(a), "budget", "no budget given");
	if (!(a->budget > 0))
		return add(r, 3, a, act_pillar(a), "budget", "budget is %g %s", a->budget,
		           a->currency);
	return 0;
}

static int rule_dates(struct run *r, const struct cc_plan_activity *a)
{
	char s[11], e[11];

	if (a->start == CC_DATE_NONE || a->end == CC_DATE_NONE || a->end >= a->start)
		return 0;
	return add(r, 4, a, act_pillar(a), "end", "ends %s, before it starts %s",
	           cc_date_format(a->end, e), cc_date_format(a->start, s));
}

static int rule_refs(struct run *r, const struct cc_plan_activity *a,
                     const struct cc_review_inputs *in)
{
	char item[128];
	int rc;

	for (size_t i = 0; i < a->n_pillars; i++) {
		if (cc_pillar_parse(a->pillars[i]) >= 0)
			continue;
		snprintf(item, sizeof(item), "pillar %s", a->pillars[i]);
		rc = add(r, 5, a, -1, item, "unknown pillar '%s' (security, governance, "
		         "infrastructure, economy, humanitarian, other)", a->pillars[i]);
		if (rc)
			return rc;
	}
	if (in->n_known_pcodes == 0)
		return 0;
	for (size_t i = 0; i < a->n_areas; i++) {
		if (bsearch(a->areas[i], in->known_pcodes, in->n_known_pcodes,
		            sizeof(in->known_pcodes[0]), cmp_pcode))
			continue;
		snprintf(item, sizeof(item), "area %s", a->areas[i]);
		rc = add(r, 5, a, act_pillar(a), item, "unknown P-code '%s' (not among the %zu "
		         "stored areas)", a->areas[i], in->n_known_pcodes);
		if (rc)
			return rc;
	}
	return 0;
}

static size_t area_count(const struct cc_review_inputs *in, const char *pcode)
{
	for (size_t i = 0; i < in->n_counts; i++)
		if (strcmp(in->counts[i].pcode, pcode) == 0)
			return in->counts[i].n;
	return 0;
}

/* Makes the last finding an info (a rule that could not be checked says so). */
static void make_info(struct run *r)
{
	struct cc_finding *f = &r->out->findings[r->out->n_findings - 1];

	if (f->severity == CC_SEV_ERROR)
		r->out->n_errors--;
	else if (f->severity == CC_SEV_WARNING)
		r->out->n_warnings--;
	else
		return;
	f->severity = CC_SEV_INFO;
	r->out->n_infos++;
}

/* R3 over the plan's distinct areas, each reported at the first activity naming it. */
static int rule_exposure(struct run *r, const struct cc_plan *p, const struct cc_review_inputs *in)
{
	size_t thr = r->threshold;
	int win = r->window_days;
	char d[11], item[128];

	if (!in->have_events) {
		/* a rule that could not be checked says so, as information */
		int rc = add(r, 2, NULL, CC_PILLAR_SECURITY, "incidents",
		             "could not be checked: no incidents are loaded");
		if (rc)
			return rc;
		make_info(r);
		return 0;
	}
	for (size_t i = 0; i < p->n_acts; i++) {
		const struct cc_plan_activity *a = &p->acts[i];
		for (size_t j = 0; j < a->n_areas; j++) {
			const char *pc = a->areas[j];
			bool seen = false, covered = false;
			size_t n;
			int rc;

			for (size_t k = 0; k < i && !seen; k++)
				seen = act_has_area(&p->acts[k], pc);
			for (size_t k = 0; k < j && !seen; k++)
				seen = strcmp(a->areas[k], pc) == 0;
			if (seen)
				continue;
			n = area_count(in, pc);
			if (n < thr)
				continue;
			for (size_t k = 0; k < p->n_acts && !covered; k++)
				covered = act_has_area(&p->acts[k], pc) &&
				          act_has_pillar(&p->acts[k], CC_PILLAR_SECURITY);
			if (covered)
				continue;
			snprintf(item, sizeof(item), "area %s", pc);
			rc = add(r, 2, a, CC_PILLAR_SECURITY, item,
			         "%zu incidents in the %d days to %s (threshold %zu) and no security "
			         "activity in the plan for this area", n, win,
			         cc_date_format(in->as_of, d), thr);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* R8: each pillar of the plan, at the first activity naming it. */
static int rule_baseline(struct run *r, const struct cc_plan *p, const struct cc_review_inputs *in)
{
	bool done[CC_N_PILLARS] = { false };
	char item[64];

	for (size_t i = 0; i < p->n_acts; i++) {
		const struct cc_plan_activity *a = &p->acts[i];

		for (size_t j = 0; j < a->n_pillars; j++) {
			int pl = cc_pillar_parse(a->pillars[j]);
			int rc;

			if (pl < 0 || done[pl])
				continue;
			done[pl] = true;
			if (in->baselines[pl] > 0)
				continue;
			snprintf(item, sizeof(item), "pillar %s", cc_pillar_name(pl));
			if (in->indicators[pl] == 0)
				rc = add(r, 7, a, pl, item, "no indicator of the %s pillar is "
				         "registered, so none has a baseline", cc_pillar_name(pl));
			else
				rc = add(r, 7, a, pl, item, "none of the %zu indicators of the %s pillar "
				         "has a baseline", in->indicators[pl], cc_pillar_name(pl));
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* Does the plan activity name an organisation called name (ASCII case-insensitive)? */
static bool act_has_org(const struct cc_plan_activity *a, const char *name)
{
	for (size_t i = 0; name && name[0] && i < a->n_orgs; i++)
		if (strcasecmp(a->orgs[i].name, name) == 0)
			return true;
	return false;
}

/* One (plan activity, registered activity) pair of R7 with its best overlap pair. */
struct dup {
	size_t act, reg, pair;
};

static int cmp_dup(const void *x, const void *y)
{
	const struct dup *a = x, *b = y;

	if (a->act != b->act)
		return a->act < b->act ? -1 : 1;
	if (a->reg != b->reg)
		return a->reg < b->reg ? -1 : 1;
	return (a->pair > b->pair) - (a->pair < b->pair);
}

/*
 * R7: the overlap analysis over the registered activities and the plan's items; a pair of a
 * plan item and a registered activity of an organisation the plan activity does not name, at
 * or above min_score, makes the plan activity a duplicate. best[k] gets the index into dups of
 * the best pair of plan activity k (SIZE_MAX none) and more[k] the other registered activities.
 */
struct dups {
	struct cc_overlap ov;
	struct cc_overlap_activity *all;
	struct dup *d;
	size_t *best, *more;
};

static void dups_release(struct dups *x)
{
	cc_overlap_release(&x->ov);
	cc_free(x->all);
	cc_free(x->d);
	cc_free(x->best);
	cc_free(x->more);
}

static int find_dups(const struct cc_plan *p, const struct cc_review_inputs *in,
                     const struct cc_review_config *cfg, struct dups *x, struct cc_err *err)
{
	size_t n = in->n_registered + in->n_planned, m = 0;
	int rc;

	x->best = cc_alloc_array(p->n_acts + 1, sizeof(*x->best));
	x->more = cc_alloc_array(p->n_acts + 1, sizeof(*x->more));
	if (!x->best || !x->more)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t k = 0; k < p->n_acts; k++) {
		x->best[k] = SIZE_MAX;
		x->more[k] = 0;
	}
	if (!in->n_registered || !in->n_planned)
		return 0;
	x->all = cc_alloc_array(n, sizeof(*x->all));
	if (!x->all)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	memcpy(x->all, in->registered, in->n_registered * sizeof(*x->all));
	memcpy(x->all + in->n_registered, in->planned, in->n_planned * sizeof(*x->all));
	rc = cc_overlap_compute(x->all, n,
	                        &(struct cc_overlap_opts){ .distance_km = 0,
	                                                   .min_score = cfg->min_score,
	                                                   .level = cfg->level },
	                        &x->ov, err);
	if (rc)
		return rc;
	x->d = cc_alloc_array(x->ov.n_pairs + 1, sizeof(*x->d));
	if (!x->d)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < x->ov.n_pairs; i++) {
		const struct cc_overlap_pair *q = &x->ov.pairs[i];
		size_t reg, item, act;

		if ((q->a < in->n_registered) == (q->b < in->n_registered))
			continue; /* two registered activities, or two plan items */
		reg = q->a < in->n_registered ? q->a : q->b;
		item = (q->a < in->n_registered ? q->b : q->a) - in->n_registered;
		act = in->planned_act[item];
		if (act >= p->n_acts || act_has_org(&p->acts[act], x->all[reg].org))
			continue; /* the organisation's own activity: not duplicated effort */
		x->d[m++] = (struct dup){ .act = act, .reg = reg, .pair = i };
	}
	/* by plan activity, registered activity, then best pair first (pairs are by score) */
	qsort(x->d, m, sizeof(*x->d), cmp_dup);
	for (size_t i = 0; i < m; i++) {
		size_t k = x->d[i].act;

		if (i > 0 && x->d[i - 1].act == k && x->d[i - 1].reg == x->d[i].reg)
			continue;
		if (x->best[k] == SIZE_MAX) {
			x->best[k] = i;
			continue;
		}
		x->more[k]++;
		if (x->d[i].pair < x->d[x->best[k]].pair) /* a better score (or same, lower ids) */
			x->best[k] = i;
	}
	return 0;
}

static void add_why(char *buf, size_t n, unsigned facts)
{
	snprintf(buf, n, "%s; %s; %s%s", (facts & CC_OV_SAME_SECTOR) ? "same sector" : "same category",
	         (facts & CC_OV_SAME_AREA) ? "same area" : "same area at the level",
	         (facts & CC_OV_UNDATED) ? "no dates: assumed overlapping" : "dates overlap",
	         (facts & CC_OV_SAME_IMPL) ? "; same implementing partner" : "");
}

static int rule_duplicate(struct run *r, const struct cc_plan_activity *a, size_t k,
                          const struct dups *x, const struct cc_review_config *cfg)
{
	const struct cc_overlap_pair *q;
	const struct cc_overlap_activity *g;
	struct cc_review_match *m;
	char item[128], why[160], more[96] = "";
	int rc;

	if (!x->best || x->best[k] == SIZE_MAX)
		return 0;
	q = &x->ov.pairs[x->d[x->best[k]].pair];
	g = &x->all[x->d[x->best[k]].reg];
	add_why(why, sizeof(why), q->facts);
	if (x->more[k])
		snprintf(more, sizeof(more), "; %zu more registered %s at or above %.2f", x->more[k],
		         x->more[k] == 1 ? "activity scores" : "activities score", cfg->min_score);
	snprintf(item, sizeof(item), "sector %s, area %s", g->sector, g->pcode);
	rc = add(r, 6, a, act_pillar(a), item,
	         "duplicates registered activity %lld '%.80s' of %.60s: score %.2f (text %.2f, "
	         "dates %.2f, place %.2f); %s%s",
	         (long long)g->id, g->title, g->org, q->score, q->text, q->dates, q->place, why,
	         more);
	if (rc)
		return rc;
	m = &r->out->findings[r->out->n_findings - 1].match;
	m->id = g->id;
	copy(m->org, sizeof(m->org), g->org);
	copy(m->title, sizeof(m->title), g->title);
	copy(m->sector, sizeof(m->sector), g->sector);
	copy(m->pcode, sizeof(m->pcode), g->pcode);
	m->start = g->start;
	m->end = g->end;
	m->score = q->score;
	m->text = q->text;
	m->dates = q->dates;
	m->place = q->place;
	m->facts = q->facts;
	m->n_more = x->more[k];
	return 0;
}

void cc_review_release(struct cc_review_result *r)
{
	if (!r)
		return;
	cc_free(r->findings);
	memset(r, 0, sizeof(*r));
}

int cc_review_run(const struct cc_plan *plan, const struct cc_review_inputs *in,
                  struct cc_review_result *out, struct cc_err *err)
{
	struct cc_review_config def;
	const struct cc_review_config *cfg = in->config;
	struct run r = { .out = out };
	struct dups x = { 0 };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!cfg) {
		cc_review_config_default(&def);
		cfg = &def;
	}
	for (size_t i = 0; i < N_OF(rules); i++) {
		r.off[i] = !cfg->rule[i].enabled;
		r.sev[i] = cfg->rule[i].severity;
	}
	r.threshold = in->threshold ? in->threshold : cfg->threshold ? cfg->threshold : 10;
	r.window_days = in->window_days > 0 ? in->window_days
	                : cfg->window_days > 0 ? cfg->window_days : 90;
	for (size_t i = 0; i < in->n_disabled; i++) {
		const struct cc_review_rule *rule = cc_review_rule_find(in->disabled[i].rule);
		if (!rule)
			return cc_err_set(err, CC_EUSAGE, "unknown rule '%s'", in->disabled[i].rule);
		if (!in->disabled[i].reason || !in->disabled[i].reason[0])
			return cc_err_set(err, CC_EUSAGE, "rule %s is disabled without a reason",
			                  rule->id);
	}
	for (size_t i = 0; i < N_OF(rules); i++) {
		const char *reason = r.off[i] ? cfg->rule[i].reason : NULL;

		for (size_t j = 0; j < in->n_disabled; j++)
			if (cc_review_rule_find(in->disabled[j].rule) == &rules[i])
				reason = in->disabled[j].reason;
		if (!reason)
			continue;
		r.off[i] = true;
		out->disabled[out->n_disabled].rule = rules[i].id;
		copy(out->disabled[out->n_disabled].reason, sizeof(out->disabled[0].reason),
		     reason[0] ? reason : "(no reason given)");
		out->n_disabled++;
	}
	if (!r.off[6]) {
		rc = find_dups(plan, in, cfg, &x, err);
		if (rc) {
			dups_release(&x);
			memset(out, 0, sizeof(*out));
			return rc;
		}
	}
	for (size_t i = 0; i < plan->n_acts && !rc; i++) {
		const struct cc_plan_activity *a = &plan->acts[i];
		if (!rc && !r.off[0])
			rc = rule_governance(&r, a);
		if (!rc && !r.off[1])
			rc = rule_local(&r, a);
		if (!rc && !r.off[3])
			rc = rule_budget(&r, a);
		if (!rc && !r.off[4])
			rc = rule_dates(&r, a);
		if (!rc && !r.off[5])
			rc = rule_refs(&r, a, in);
		if (!rc && !r.off[6])
			rc = rule_duplicate(&r, a, i, &x, cfg);
	}
	dups_release(&x);
	if (!rc && !r.off[2])
		rc = rule_exposure(&r, plan, in);
	if (!rc && !r.off[7])
		rc = rule_baseline(&r, plan, in);
	if (rc) {
		cc_review_release(out);
		return cc_err_set(err, rc, "out of memory");
	}
	return 0;
}
