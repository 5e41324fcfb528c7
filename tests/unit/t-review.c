/*
 * Plan review: every rule firing and not firing on small plans (tests/data/review, YAML and
 * JSON, and inline), the rule table, disabling with a reason, malformed plans reported with
 * file and line, and allocation failure at every allocation of the parser and the rule engine.
 * The expected findings are worked out by hand in the comments of the data files.
 */
#include <concord/alloc.h>
#include <concord/review.h>

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
		                          .threshold = 10 };
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
		check_str(r.disabled[0].reason, "no local partners exist yet");
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

	check_int(n, ==, 6);
	for (size_t i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof(id), "R%zu", i + 1);
		check_str(t[i].id, id);
		check(cc_review_rule_find(id) == &t[i]);
		check(t[i].keywords[0] != '\0');
	}
	check(cc_review_rule_find("R7") == NULL);
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
