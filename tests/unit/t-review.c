/*
 * Plan review: every rule firing and not firing on small plans (tests/data/review, YAML and
 * JSON, and inline), the rule table, disabling with a reason, malformed plans reported with
 * file and line, and allocation failure at every allocation of the parser and the rule engine.
 * The expected findings are worked out by hand in the comments of the data files.
 */
#include <concord/alloc.h>
#include <concord/overlap.h>
#include <concord/review.h>

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "testdir.h"

static const char *review_data(const char *name, char buf[static 512])
{
	char rel[256];

	snprintf(rel, sizeof(rel), "tests/data/review/%s", name);
	return data(rel, buf);
}

/* The inputs of the data files: two known areas, 12 incidents in AF0601, threshold 10. */
static const char known[][32] = { "AF0101", "AF0601" };
static const struct cc_area_count counts[] = { { "AF0601", 12 }, { "AF0101", 9 } };

static struct cc_review_inputs inputs(void)
{
	return (struct cc_review_inputs){ .known_pcodes = known,
		                          .n_known_pcodes = 2,
		                          .have_events = true,
		                          .counts = counts,
		                          .n_counts = 2,
		                          .as_of = cc_date_from_ymd(2022, 3, 31),
		                          .threshold = 10,
		                          /* every pillar has an indicator with a baseline: R8 quiet */
		                          .indicators = { 1, 1, 1, 1, 1, 1 },
		                          .baselines = { 1, 1, 1, 1, 1, 1 } };
}

/* Findings of rule (and activity, NULL any) in r. */
static size_t count(const struct cc_review_result *r, const char *rule, const char *act)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_findings; i++)
		if (strcmp(r->findings[i].rule, rule) == 0 &&
		    (!act || strcmp(r->findings[i].activity, act) == 0))
			n++;
	return n;
}

/* The first finding of rule in r, NULL none. */
static const struct cc_finding *first(const struct cc_review_result *r, const char *rule)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (strcmp(r->findings[i].rule, rule) == 0)
			return &r->findings[i];
	return NULL;
}

static bool read_plan(const char *name, struct cc_plan *p)
{
	struct cc_err err = { 0 };
	char path[512];

	if (cc_plan_read(review_data(name, path), p, &err)) {
		printf("# %s: %s (line %ld)\n", name, err.msg, err.line);
		return false;
	}
	return true;
}

static bool parse(const char *yaml, struct cc_plan *p)
{
	struct cc_err err = { 0 };

	if (cc_plan_parse("inline.yaml", yaml, strlen(yaml), p, &err)) {
		printf("# inline: %s (line %ld)\n", err.msg, err.line);
		return false;
	}
	return true;
}

static void check_findings_file(const char *name)
{
	struct cc_review_inputs in = inputs();
	struct cc_review_result r;
	struct cc_plan p;

	if (!check(read_plan(name, &p)))
		return;
	check_int(p.n_acts, ==, 2);
	check_str(p.acts[1].pillars[1], "relief");
	check_int(p.acts[1].start, ==, cc_date_from_ymd(2022, 2, 1));
	if (!check_int(cc_review_run(&p, &in, &r, NULL), ==, 0))
		goto out_plan;
	/* see the comment of findings.yaml */
	check_int(r.n_findings, ==, 7);
	check_int(count(&r, "R1", "G-1"), ==, 1);
	check_int(count(&r, "R2", "G-1"), ==, 1);
	check_int(count(&r, "R2", "E-1"), ==, 0); /* type "22" is a National NGO: local */
	check_int(count(&r, "R3", "G-1"), ==, 1);
	check_int(count(&r, "R4", "E-1"), ==, 1);
	check_int(count(&r, "R5", "E-1"), ==, 1);
	check_int(count(&r, "R6", "E-1"), ==, 2);
	check_int(r.n_errors, ==, 5); /* R1, R4, R5 and R6 twice */
	check_int(r.n_errors + r.n_warnings + r.n_infos, ==, 7);
	check_int(r.n_warnings, ==, 2); /* R2, R3 */
	/* order: plan order, rule order; R3 last */
	check_str(r.findings[0].rule, "R1");
	check_str(r.findings[6].rule, "R3");
	check_str(r.findings[6].item, "area AF0601");
	check(strstr(r.findings[6].evidence, "12 incidents in the 90 days to 2022-03-31") != NULL);
	check_str(r.findings[4].item, "pillar relief");
	check_str(r.findings[5].item, "area AF9999");
	check(strstr(r.findings[3].evidence, "ends 2022-01-31, before it starts 2022-02-01"));
	check_int(r.findings[0].pillar, ==, CC_PILLAR_GOVERNANCE);
	check_int(r.findings[6].pillar, ==, CC_PILLAR_SECURITY);
	cc_review_release(&r);
out_plan:
	cc_plan_release(&p);
}

TEST(every_rule_fires_yaml)
{
	check_findings_file("findings.yaml");
}

TEST(every_rule_fires_json)
{
	check_findings_file("findings.json");
}

static void check_clean(const char *name)
{
	struct cc_review_inputs in = inputs();
	struct cc_review_result r;
	struct cc_plan p;

	if (!check(read_plan(name, &p)))
		return;
	if (check_int(cc_review_run(&p, &in, &r, NULL), ==, 0)) {
		for (size_t i = 0; i < r.n_findings; i++)
			printf("# unexpected %s %s %s\n", r.findings[i].rule, r.findings[i].activity,
			       r.findings[i].evidence);
		check_int(r.n_findings, ==, 0);
		cc_review_release(&r);
	}
	check(p.acts[1].has_budget);
	check_int(p.acts[1].orgs[0].is_local, ==, 1);
	cc_plan_release(&p);
}

TEST(no_rule_fires_yaml)
{
	check_clean("clean.yaml");
}

TEST(no_rule_fires_json)
{
	check_clean("clean.json");
}

/* One activity; the fields under test come from the caller. */
#define ACT(body) "activities:\n  - id: X\n    title: t\n" body

static size_t fires(const char *yaml, const char *rule)
{
	struct cc_review_inputs in = inputs();
	struct cc_review_result r;
	struct cc_plan p;
	size_t n = 99;

	if (!parse(yaml, &p))
		return 99;
	if (cc_review_run(&p, &in, &r, NULL) == 0) {
		n = count(&r, rule, NULL);
		cc_review_release(&r);
	}
	cc_plan_release(&p);
	return n;
}

#define ORGS_LOCAL "    organisations: [{name: n, type: National NGO, role: lead}]\n"

TEST(rule_by_rule)
{
	/* R1: no lead at all; a civilian lead beside a military one; not governance */
	check_int(fires(ACT("    pillars: [governance]\n" ORGS_LOCAL
	                    "    budget: 1\n"), "R1"), ==, 0);
	check_int(fires(ACT("    pillars: [governance]\n"
	                    "    organisations: [{name: n, type: National NGO}]\n"), "R1"), ==, 1);
	check_int(fires(ACT("    pillars: [governance]\n    organisations:\n"
	                    "      - {name: a, kind: military, role: lead}\n"
	                    "      - {name: b, type: Local Government, role: lead}\n"), "R1"), ==,
	          0);
	check_int(fires(ACT("    pillars: [security]\n    organisations:\n"
	                    "      - {name: a, type: Armed Forces, role: lead}\n"), "R1"), ==, 0);
	check_int(fires(ACT("    pillars: [security, governance]\n    organisations:\n"
	                    "      - {name: a, type: Armed Forces, role: lead}\n"), "R1"), ==, 1);
	/* R2: each local type, the flag both ways, no organisation at all */
	check_int(fires(ACT("    organisations: [{name: a, type: \"11\"}]\n"), "R2"), ==, 0);
	check_int(fires(ACT("    organisations: [{name: a, type: \"24\"}]\n"), "R2"), ==, 0);
	check_int(fires(ACT("    organisations: [{name: a, type: \"72\"}]\n"), "R2"), ==, 0);
	check_int(fires(ACT("    organisations: [{name: a, type: \"21\"}]\n"), "R2"), ==, 1);
	check_int(fires(ACT("    organisations: [{name: a, type: \"21\", local: yes}]\n"), "R2"),
	          ==, 0);
	check_int(fires(ACT("    organisations: [{name: a, type: \"22\", local: false}]\n"), "R2"),
	          ==, 1);
	check_int(fires(ACT("    pillars: [economy]\n"), "R2"), ==, 1);
	/* R3: 9 < 10 in AF0101; 12 in AF0601 covered by a security activity of another id */
	check_int(fires(ACT("    areas: [AF0101]\n"), "R3"), ==, 0);
	check_int(fires(ACT("    areas: [AF0601, AF0601]\n"), "R3"), ==, 1);
	check_int(fires("activities:\n  - {id: A, areas: [AF0601]}\n"
	                "  - {id: B, pillars: [security], areas: [AF0601]}\n", "R3"), ==, 0);
	/* R4: absent, zero, negative, positive */
	check_int(fires(ACT("    currency: USD\n"), "R4"), ==, 1);
	check_int(fires(ACT("    budget: 0\n"), "R4"), ==, 1);
	check_int(fires(ACT("    budget: -5\n"), "R4"), ==, 1);
	check_int(fires(ACT("    budget: 0.01\n"), "R4"), ==, 0);
	/* R5: before, same day, one date missing */
	check_int(fires(ACT("    start: 2022-05-02\n    end: 2022-05-01\n"), "R5"), ==, 1);
	check_int(fires(ACT("    start: 2022-05-02\n    end: 2022-05-02\n"), "R5"), ==, 0);
	check_int(fires(ACT("    end: 2022-05-01\n"), "R5"), ==, 0);
	/* R6: known and unknown P-codes and pillars (pillars are lowercased when read) */
	check_int(fires(ACT("    areas: [AF0101]\n    pillars: [Humanitarian]\n"), "R6"), ==, 0);
	check_int(fires(ACT("    areas: [af0101]\n    pillars: [relief, other]\n"), "R6"), ==, 2);
}

TEST(threshold_is_inclusive)
{
	const char *y = ACT("    areas: [AF0601]\n");
	struct cc_review_inputs in = inputs();
	struct cc_review_result r;
	struct cc_plan p;

	if (!check(parse(y, &p)))
		return;
	/* AF0601 holds 12 incidents: 12 >= 12 fires, 12 >= 13 does not */
	in.threshold = 12;
	if (check_int(cc_review_run(&p, &in, &r, NULL), ==, 0)) {
		check_int(count(&r, "R3", "X"), ==, 1);
		check(strstr(r.findings[r.n_findings - 1].evidence, "(threshold 12)") != NULL);
		cc_review_release(&r);
	}
	in.threshold = 13;
	in.window_days = 30;
	if (check_int(cc_review_run(&p, &in, &r, NULL), ==, 0)) {
		check_int(count(&r, "R3", NULL), ==, 0);
		cc_review_release(&r);
	}
	cc_plan_release(&p);
}

TEST(unchecked_inputs_are_said)
{
	struct cc_review_inputs in = { 0 };
	struct cc_review_result r;
	struct cc_plan p;

	if (!check(parse(ACT("    areas: [ZZ01]\n    budget: 3\n" ORGS_LOCAL), &p)))
		return;
	/* no areas loaded: R6 cannot tell; no events: R3 says it could not check, as info */
	if (check_int(cc_review_run(&p, &in, &r, NULL), ==, 0)) {
		check_int(r.n_findings, ==, 1);
		check_str(r.findings[0].rule, "R3");
		check_int(r.findings[0].severity, ==, CC_SEV_INFO);
		check_int(r.n_infos, ==, 1);
		check_int(r.n_warnings, ==, 0);
		check(strstr(r.findings[0].evidence, "could not be checked") != NULL);
		cc_review_release(&r);
	}
	cc_plan_release(&p);
}

TEST(disable_with_reason)
{
	struct cc_review_disable d[] = { { "R2", "no local partners exist yet" }, { "r6", "x" } };
	struct cc_review_disable bad[] = { { "R9", "why" } };
	struct cc_review_disable noreason[] = { { "R1", "" } };
	struct cc_review_inputs in = inputs();
	struct cc_review_result r;
	struct cc_err err = { 0 };
	struct cc_plan p;

	(void)tmp_path; /* testdir.h: this test writes no files */
	if (!check(read_plan("findings.yaml", &p)))
		return;
	in.disabled = d;
	in.n_disabled = 2;
	if (check_int(cc_review_run(&p, &in, &r, NULL), ==, 0)) {
		/* 7 findings less R2 (1) and R6 (2) */
		check_int(r.n_findings, ==, 4);
		check_int(count(&r, "R2", NULL), ==, 0);
		check_int(count(&r, "R6", NULL), ==, 0);
		check_int(r.n_disabled, ==, 2);
		check_str(r.disabled[0].rule, "R2");
		check_str(r.disabled[0].reason, "no local partners exist yet");
		check_str(r.disabled[1].rule, "R6");
		cc_review_release(&r);
	}
	in.disabled = bad;
	in.n_disabled = 1;
	check_int(cc_review_run(&p, &in, &r, &err), ==, CC_EUSAGE);
	check_str(err.msg, "unknown rule 'R9'");
	in.disabled = noreason;
	check_int(cc_review_run(&p, &in, &r, &err), ==, CC_EUSAGE);
	cc_plan_release(&p);
}

TEST(rule_table)
{
	size_t n;
	const struct cc_review_rule *t = cc_review_rules(&n);

	check_int(n, ==, 8);
	check_int(n, ==, CC_REVIEW_N_RULES);
	for (size_t i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof(id), "R%zu", i + 1);
		check_str(t[i].id, id);
		check(cc_review_rule_find(id) == &t[i]);
		check(t[i].keywords[0] != '\0');
	}
	check(cc_review_rule_find("R9") == NULL);
	check_str(cc_review_rule_find("R7")->name, "duplicate-activity");
	check_str(cc_review_rule_find("R8")->name, "indicator-baseline");
	check_int(cc_severity_parse("info"), ==, CC_SEV_INFO);
	check_int(cc_severity_parse("fatal"), ==, -1);
	check_str(cc_severity_name(CC_SEV_WARNING), "warning");
}

static void check_bad(const char *name, int code, long line, const char *field, const char *msg)
{
	struct cc_err err = { 0 };
	struct cc_plan p;
	char path[512];

	review_data(name, path);
	check_int(cc_plan_read(path, &p, &err), ==, code);
	check_str(err.file, path);
	check_int(err.line, ==, line);
	if (field)
		check_str(err.field, field);
	if (!check(strstr(err.msg, msg) != NULL))
		printf("# got '%s'\n", err.msg);
	check(p.acts == NULL);
}

TEST(malformed_plans)
{
	/* the quoted scalar opened on line 4 never ends */
	check_bad("malformed.yaml", CC_EPARSE, 4, NULL, "malformed YAML");
	/* the comma before '}' on line 3 */
	check_bad("malformed.json", CC_EPARSE, 3, NULL, "malformed JSON");
	check_bad("unknown_field.yaml", CC_EINVALID, 5, "budjet", "unknown field");
	check_bad("no-such-plan.yaml", CC_EIO, 0, NULL, "cannot open");
}

TEST(bad_fields)
{
	struct cc_err err = { 0 };
	struct cc_plan p;
	const char *y1 = "activities:\n  - id: A\n    start: 2022-13-01\n";
	const char *y2 = "activities:\n  - id: A\n    organisations: [{name: a, role: boss}]\n";
	const char *y3 = "activities:\n  - {id: A}\n  - {id: A}\n";
	const char *y4 = "activities:\n  - title: no id\n";

	check_int(cc_plan_parse("p.yaml", y1, strlen(y1), &p, &err), ==, CC_EINVALID);
	check_int(err.line, ==, 3);
	check_str(err.field, "start");
	check_int(cc_plan_parse("p.yaml", y2, strlen(y2), &p, &err), ==, CC_EINVALID);
	check_str(err.field, "role");
	check_int(cc_plan_parse("p.yaml", y3, strlen(y3), &p, &err), ==, CC_EINVALID);
	check_int(err.line, ==, 3);
	check_int(cc_plan_parse("p.yaml", y4, strlen(y4), &p, &err), ==, CC_EINVALID);
	check_str(err.field, "id");
}

TEST(allocation_failure)
{
	struct cc_review_inputs in = inputs();
	struct cc_review_result r;
	struct cc_plan p;
	char path[512];
	long n;
	int rc = -1;

	review_data("findings.yaml", path);
	/* the parser: every failure CC_ENOMEM and nothing kept */
	for (n = 0; n < 10000; n++) {
		struct cc_err err = { 0 };
		cc_test_fail_alloc_after(n);
		rc = cc_plan_read(path, &p, &err);
		cc_test_fail_alloc_after(-1);
		if (rc == 0)
			break;
		if (!check_int(rc, ==, CC_ENOMEM))
			break;
		check(p.acts == NULL);
	}
	check_int(rc, ==, 0);
	check(n > 0);
	/* the rule engine */
	for (n = 0; rc == 0 && n < 10000; n++) {
		struct cc_err err = { 0 };
		int r2;
		cc_test_fail_alloc_after(n);
		r2 = cc_review_run(&p, &in, &r, &err);
		cc_test_fail_alloc_after(-1);
		if (r2 == 0) {
			check_int(r.n_findings, ==, 7);
			cc_review_release(&r);
			break;
		}
		if (!check_int(r2, ==, CC_ENOMEM))
			break;
		check(r.findings == NULL);
		check_int(r.n_findings, ==, 0);
	}
	check(n > 0);
	cc_plan_release(&p);
}

/* ---- R7: duplicated effort, through the overlap analysis ---- */

/* A registered activity: sector 7, area 42 (level 2, under 4 at level 1), dates given. */
static struct cc_overlap_activity reg_act(int64_t id, int64_t org, const char *org_name,
                                          const char *title, int32_t start, int32_t end)
{
	return (struct cc_overlap_activity){ .id = id,
		                             .org_id = org,
		                             .sector_id = 7,
		                             .area_id = 42,
		                             .area_level = 2,
		                             .path = { 0, 4, 42 },
		                             .start = start,
		                             .end = end,
		                             .lat = NAN,
		                             .lon = NAN,
		                             .targeted = NAN,
		                             .reached = NAN,
		                             .title = title,
		                             .description = "",
		                             .org = org_name,
		                             .sector = "15150",
		                             .pcode = "AF0601" };
}

struct dup_case {
	struct cc_plan plan;
	struct cc_overlap_activity reg[3], item[1];
	size_t item_act[1];
	struct cc_review_inputs in;
};

/* One plan activity "Council support" in AF0601, 2022-01-01 … 2022-06-30, by "Plan NGO". */
static bool dup_case(struct dup_case *c, const char *yaml_orgs)
{
	char y[512];
	int32_t s22 = cc_date_from_ymd(2022, 1, 1), e22 = cc_date_from_ymd(2022, 12, 31);

	snprintf(y, sizeof(y),
	         "activities:\n  - id: D-1\n    title: Council support\n    pillars: [governance]\n"
	         "    sector: \"15150\"\n    areas: [AF0601]\n    start: 2022-01-01\n"
	         "    end: 2022-06-30\n    budget: 5\n%s",
	         yaml_orgs);
	if (!parse(y, &c->plan))
		return false;
	/* 11: the same title all year by Other INGO; 12: other words; 13: last year */
	c->reg[0] = reg_act(11, 100, "Other INGO", "Council support", s22, e22);
	c->reg[1] = reg_act(12, 101, "Third NGO", "Road repair", s22, e22);
	c->reg[2] = reg_act(13, 102, "Old NGO", "Council support", cc_date_from_ymd(2020, 1, 1),
	                    cc_date_from_ymd(2020, 12, 31));
	c->item[0] = reg_act(-1, -1, "Plan NGO", c->plan.acts[0].title, c->plan.acts[0].start,
	                     c->plan.acts[0].end);
	c->item_act[0] = 0;
	c->in = inputs();
	c->in.n_counts = 0; /* no exposure: R3 quiet */
	c->in.registered = c->reg;
	c->in.n_registered = 3;
	c->in.planned = c->item;
	c->in.planned_act = c->item_act;
	c->in.n_planned = 1;
	return true;
}

TEST(r7_duplicate_fires)
{
	struct dup_case c;
	struct cc_review_result r;
	/* by hand: identical titles (cosine 1), 181 of 365 days shared, same area, same sector,
	 * no people: 0.5 × 1 + 0.2 × 181/365 + 0.2 × 1 + 0.1 × 0 (the analysis's TF-IDF vectors
	 * are single precision: compared to 1e-6) */
	double want = 0.5 + 0.2 * 181.0 / 365.0 + 0.2;

	if (!check(dup_case(&c, "    organisations: [{name: Plan NGO, type: \"22\", role: lead}]\n")))
		return;
	if (check_int(cc_review_run(&c.plan, &c.in, &r, NULL), ==, 0)) {
		const struct cc_finding *f = r.n_findings ? &r.findings[0] : NULL;

		for (size_t i = 0; r.n_findings != 1 && i < r.n_findings; i++)
			printf("# %s %s %s: %s\n", r.findings[i].rule, r.findings[i].activity,
			       r.findings[i].item, r.findings[i].evidence);

		check_int(r.n_findings, ==, 1);
		if (check(f != NULL)) {
			check_str(f->rule, "R7");
			check_int(f->severity, ==, CC_SEV_WARNING);
			check_str(f->activity, "D-1");
			check_str(f->item, "sector 15150, area AF0601");
			check_int(f->match.id, ==, 11);
			check_str(f->match.org, "Other INGO");
			check(fabs(f->match.score - want) < 1e-6);
			check(fabs(f->match.dates - 181.0 / 365.0) < 1e-9);
			check(fabs(f->match.text - 1) < 1e-6);
			check_int(f->match.n_more, ==, 0); /* 12: text 0 scores 0.3 < 0.5 */
			check(strstr(f->evidence, "duplicates registered activity 11 'Council support' "
			                          "of Other INGO: score 0.80") != NULL);
			check(strstr(f->evidence, "same sector; same area; dates overlap") != NULL);
			check_int(f->pillar, ==, CC_PILLAR_GOVERNANCE);
		}
		check_int(r.n_warnings, ==, 1);
		cc_review_release(&r);
	}
	/* a lower minimum score takes in 12 (0.5 × 0 + 0.2 × 181/365 + 0.2 = 0.299) as well */
	{
		struct cc_review_config cfg;

		cc_review_config_default(&cfg);
		cfg.min_score = 0.25;
		cfg.rule[6].severity = CC_SEV_ERROR;
		c.in.config = &cfg;
		if (check_int(cc_review_run(&c.plan, &c.in, &r, NULL), ==, 0)) {
			check_int(count(&r, "R7", "D-1"), ==, 1);
			check_int(r.findings[0].match.id, ==, 11);
			check_int(r.findings[0].match.n_more, ==, 1);
			check_int(r.findings[0].severity, ==, CC_SEV_ERROR);
			check_int(r.n_errors, ==, 1);
			check(strstr(r.findings[0].evidence, "1 more registered activity scores at or "
			                                     "above 0.25") != NULL);
			cc_review_release(&r);
		}
		/* above the best score: nothing */
		cfg.min_score = want + 0.001;
		if (check_int(cc_review_run(&c.plan, &c.in, &r, NULL), ==, 0)) {
			check_int(count(&r, "R7", NULL), ==, 0);
			cc_review_release(&r);
		}
	}
	cc_plan_release(&c.plan);
}

TEST(r7_duplicate_does_not_fire)
{
	struct dup_case c;
	struct cc_review_result r;

	/* the plan names Other INGO itself: its own activity continues, no duplicated effort */
	if (!check(dup_case(&c, "    organisations:\n      - {name: Plan NGO, type: \"22\"}\n"
	                        "      - {name: other ingo, role: implementing}\n")))
		return;
	if (check_int(cc_review_run(&c.plan, &c.in, &r, NULL), ==, 0)) {
		check_int(count(&r, "R7", NULL), ==, 0);
		cc_review_release(&r);
	}
	cc_plan_release(&c.plan);
	/* another sector of no shared category: no candidate at all */
	if (!check(dup_case(&c, "    organisations: [{name: Plan NGO, type: \"22\"}]\n")))
		return;
	c.item[0].sector_id = 8;
	if (check_int(cc_review_run(&c.plan, &c.in, &r, NULL), ==, 0)) {
		check_int(count(&r, "R7", NULL), ==, 0);
		cc_review_release(&r);
	}
	/* another district (area 43 under the same province 4): not the same area at level 2 */
	c.item[0].sector_id = 7;
	c.item[0].area_id = 43;
	c.item[0].path[2] = 43;
	if (check_int(cc_review_run(&c.plan, &c.in, &r, NULL), ==, 0)) {
		check_int(count(&r, "R7", NULL), ==, 0);
		cc_review_release(&r);
	}
	/* at level 1 the province is shared: place 0.5, score 0.5 + 0.2 × 181/365 + 0.1 */
	{
		struct cc_review_config cfg;

		cc_review_config_default(&cfg);
		cfg.level = 1;
		c.in.config = &cfg;
		if (check_int(cc_review_run(&c.plan, &c.in, &r, NULL), ==, 0)) {
			check_int(count(&r, "R7", NULL), ==, 1);
			if (check(first(&r, "R7") != NULL))
				check(fabs(first(&r, "R7")->match.score -
				           (0.5 + 0.2 * 181.0 / 365.0 + 0.1)) < 1e-6);
			cc_review_release(&r);
		}
		/* disabled by the config: no finding, and the reason is kept */
		check_int(cc_review_config_disable(&cfg, "R7", "checked by hand", NULL), ==, 0);
		if (check_int(cc_review_run(&c.plan, &c.in, &r, NULL), ==, 0)) {
			check_int(count(&r, "R7", NULL), ==, 0);
			check_int(r.n_disabled, ==, 1);
			check_str(r.disabled[0].rule, "R7");
			check_str(r.disabled[0].reason, "checked by hand");
			cc_review_release(&r);
		}
	}
	/* nothing registered: nothing to duplicate */
	c.in.config = NULL;
	c.in.n_registered = 0;
	if (check_int(cc_review_run(&c.plan, &c.in, &r, NULL), ==, 0)) {
		check_int(count(&r, "R7", NULL), ==, 0);
		check_int(count(&r, "R1", "D-1"), ==, 1); /* no lead: the other rules still run */
		cc_review_release(&r);
	}
	cc_plan_release(&c.plan);
}

/* ---- R8: an indicator with a baseline for each pillar of the plan ---- */

TEST(r8_indicator_baseline)
{
	const char *y = "activities:\n"
	                "  - {id: A, pillars: [governance, security], budget: 1}\n"
	                "  - {id: B, pillars: [economy, governance], budget: 1}\n";
	struct cc_review_inputs in = inputs();
	struct cc_review_result r;
	struct cc_plan p;

	if (!check(parse(y, &p)))
		return;
	/* governance: 2 indicators, no baseline; economy: none at all; security: has one */
	in.indicators[CC_PILLAR_GOVERNANCE] = 2;
	in.baselines[CC_PILLAR_GOVERNANCE] = 0;
	in.indicators[CC_PILLAR_ECONOMY] = 0;
	in.baselines[CC_PILLAR_ECONOMY] = 0;
	if (check_int(cc_review_run(&p, &in, &r, NULL), ==, 0)) {
		size_t k = r.n_findings;

		check_int(count(&r, "R8", NULL), ==, 2);
		check_int(count(&r, "R8", "A"), ==, 1); /* governance, at its first activity */
		check_int(count(&r, "R8", "B"), ==, 1); /* economy */
		if (check(k >= 2)) {
			check_str(r.findings[k - 2].item, "pillar governance");
			check_str(r.findings[k - 2].evidence,
			          "none of the 2 indicators of the governance pillar has a baseline");
			check_int(r.findings[k - 2].pillar, ==, CC_PILLAR_GOVERNANCE);
			check_str(r.findings[k - 1].item, "pillar economy");
			check_str(r.findings[k - 1].evidence,
			          "no indicator of the economy pillar is registered, so none has a "
			          "baseline");
			check_int(r.findings[k - 1].severity, ==, CC_SEV_WARNING);
		}
		cc_review_release(&r);
	}
	/* with a baseline for each: quiet */
	in.baselines[CC_PILLAR_GOVERNANCE] = 1;
	in.baselines[CC_PILLAR_ECONOMY] = 1;
	if (check_int(cc_review_run(&p, &in, &r, NULL), ==, 0)) {
		check_int(count(&r, "R8", NULL), ==, 0);
		cc_review_release(&r);
	}
	cc_plan_release(&p);
}

/* ---- rules as data ---- */

TEST(rules_file_default_matches_builtin)
{
	struct cc_review_config def, cfg;
	struct cc_err err = { 0 };
	char path[512];

	cc_review_config_default(&def);
	memset(&cfg, 0x5a, sizeof(cfg));
	cfg.min_score = 0.9;
	cfg.threshold = 3;
	cfg.window_days = 7;
	cfg.level = 0;
	for (size_t i = 0; i < CC_REVIEW_N_RULES; i++) {
		cfg.rule[i].enabled = false;
		cfg.rule[i].severity = CC_SEV_INFO;
		snprintf(cfg.rule[i].reason, sizeof(cfg.rule[i].reason), "x");
	}
	/* the shipped file names every rule and parameter with the built-in value */
	if (!check_int(cc_review_config_read(data("data/review/rules.yaml", path), &cfg, &err), ==,
	               0)) {
		printf("# %s:%ld: %s: %s\n", err.file, err.line, err.field, err.msg);
		return;
	}
	for (size_t i = 0; i < CC_REVIEW_N_RULES; i++) {
		check(cfg.rule[i].enabled);
		check_int(cfg.rule[i].severity, ==, def.rule[i].severity);
		check_str(cfg.rule[i].reason, "");
	}
	check_int(cfg.threshold, ==, 10);
	check_int(cfg.window_days, ==, 90);
	check(cfg.min_score == 0.5);
	check_int(cfg.level, ==, 2);
	check_int(def.threshold, ==, 10);
	check(def.min_score == 0.5);
}

static int cfg_parse(const char *yaml, struct cc_review_config *cfg, struct cc_err *err)
{
	cc_review_config_default(cfg);
	return cc_review_config_parse("rules.yaml", yaml, strlen(yaml), cfg, err);
}

TEST(rules_file_changes_the_review)
{
	const char *y = "rules:\n"
	                "  R2: {severity: error}\n"
	                "  R3:\n"
	                "    threshold: 13\n"
	                "  R6:\n"
	                "    enabled: false\n"
	                "    reason: P-codes checked by the GIS team\n";
	struct cc_review_config cfg;
	struct cc_review_inputs in = inputs();
	struct cc_review_result r;
	struct cc_err err = { 0 };
	struct cc_plan p;

	if (!check_int(cfg_parse(y, &cfg, &err), ==, 0)) {
		printf("# %s\n", err.msg);
		return;
	}
	check_int(cfg.rule[1].severity, ==, CC_SEV_ERROR);
	check_int(cfg.threshold, ==, 13);
	check(!cfg.rule[5].enabled);
	check_str(cfg.rule[5].reason, "P-codes checked by the GIS team");
	check(cfg.rule[0].enabled);
	if (!check(read_plan("findings.yaml", &p)))
		return;
	in.config = &cfg;
	in.threshold = 0; /* the config's 13: AF0601's 12 incidents no longer fire R3 */
	if (check_int(cc_review_run(&p, &in, &r, NULL), ==, 0)) {
		/* the 7 findings less R6 (2) and R3 (1); R2 now an error: R1, R2, R4, R5 */
		check_int(r.n_findings, ==, 4);
		check_int(r.n_errors, ==, 4);
		check_int(r.n_warnings, ==, 0);
		check_int(count(&r, "R2", "G-1"), ==, 1);
		check_int(r.findings[1].severity, ==, CC_SEV_ERROR);
		check_int(r.n_disabled, ==, 1);
		check_str(r.disabled[0].rule, "R6");
		check_str(r.disabled[0].reason, "P-codes checked by the GIS team");
		cc_review_release(&r);
	}
	/* the inputs' threshold overrides the file's (the command line over the file) */
	in.threshold = 12;
	if (check_int(cc_review_run(&p, &in, &r, NULL), ==, 0)) {
		check_int(count(&r, "R3", "G-1"), ==, 1);
		check(strstr(r.findings[r.n_findings - 1].evidence, "(threshold 12)") != NULL);
		cc_review_release(&r);
	}
	cc_plan_release(&p);
}

static void check_rules_error(const char *yaml, long line, const char *field, const char *msg)
{
	struct cc_review_config cfg, before;
	struct cc_err err = { 0 };

	cc_review_config_default(&before);
	if (!check_int(cfg_parse(yaml, &cfg, &err), !=, 0))
		return;
	check_str(err.file, "rules.yaml");
	check_int(err.line, ==, line);
	check_str(err.field, field);
	if (!check(strstr(err.msg, msg) != NULL))
		printf("# got '%s'\n", err.msg);
	/* on error the config is unchanged */
	check(memcmp(&cfg, &before, sizeof(cfg)) == 0);
}

TEST(rules_file_errors)
{
	struct cc_review_config cfg;
	struct cc_err err = { 0 };

	check_rules_error("rules:\n  R1: {severity: warning}\n  R9: {enabled: false}\n", 3, "R9",
	                  "unknown rule 'R9'");
	check_rules_error("rules:\n  r1: {severity: warning}\n", 2, "r1", "unknown rule 'r1'");
	check_rules_error("rules:\n  R2:\n    severity: fatal\n", 3, "R2.severity",
	                  "unknown severity 'fatal'");
	check_rules_error("rules:\n  R2:\n    enabled: maybe\n", 3, "R2.enabled",
	                  "expected true or false");
	check_rules_error("rules:\n  R4:\n    enabled: false\n", 2, "R4.reason",
	                  "turned off without a reason");
	check_rules_error("rules:\n  R4:\n    enabled: false\n    reason: \"  \"\n", 4, "R4.reason",
	                  "turned off without a reason");
	check_rules_error("rules:\n  R1:\n    threshold: 5\n", 3, "R1.threshold",
	                  "unknown field 'threshold' for rule R1");
	check_rules_error("rules:\n  R3:\n    threshold: 0\n", 3, "R3.threshold", "out of range");
	check_rules_error("rules:\n  R3:\n    window_days: 2.5\n", 3, "R3.window_days",
	                  "not a whole number");
	check_rules_error("rules:\n  R7:\n    min_score: 1.5\n", 3, "R7.min_score", "out of range");
	check_rules_error("rules:\n  R7:\n    min_score: high\n", 3, "R7.min_score",
	                  "not a number");
	check_rules_error("rules:\n  R7:\n    level: 6\n", 3, "R7.level", "out of range");
	check_rules_error("rulez:\n  R1: {}\n", 1, "rulez", "unknown field");
	check_rules_error("rules: [R1]\n", 1, "rules", "expected a mapping");
	check_rules_error("rules:\n  R1: off\n", 2, "R1", "expected a mapping");
	/* malformed YAML: CC_EPARSE with the line */
	check_int(cfg_parse("rules:\n  R1: {severity: error\n", &cfg, &err), ==, CC_EPARSE);
	check(strstr(err.msg, "malformed YAML") != NULL);
	check_int(cc_review_config_read("no-such-rules.yaml", &cfg, &err), ==, CC_EIO);
	check_str(err.file, "no-such-rules.yaml");
	/* disabling by id */
	cc_review_config_default(&cfg);
	check_int(cc_review_config_disable(&cfg, "R10", "x", &err), ==, CC_EUSAGE);
	check_str(err.msg, "unknown rule 'R10'");
	check_int(cc_review_config_disable(&cfg, "R3", "", &err), ==, CC_EUSAGE);
	check(cfg.rule[2].enabled);
	check_int(cc_review_config_disable(&cfg, "r3", "pilot", &err), ==, 0);
	check(!cfg.rule[2].enabled);
	check_str(cfg.rule[2].reason, "pilot");
	/* a rule turned back on forgets its reason */
	{
		const char *on = "rules: {R3: {enabled: yes}}";

		check_int(cc_review_config_parse("r.yaml", on, strlen(on), &cfg, &err), ==, 0);
	}
	check(cfg.rule[2].enabled);
	check_str(cfg.rule[2].reason, "");
}
