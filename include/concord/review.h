/*
 * Plan review: a plan (a YAML or JSON file of intended activities, see docs/plan-review.md) is
 * checked against named rules; each finding has a rule id, a severity, the offending item and
 * the evidence, and the lessons of the register that match it.
 *
 * The rules themselves (cc_review_run) are pure over a struct cc_plan and plain inputs (the
 * known P-codes, the recent incident counts per area). cc_review_plan gathers those inputs from
 * the store, runs the rules and attaches the matching lessons.
 *
 * Structs own nothing except where a field says "owned".
 */
#ifndef CONCORD_REVIEW_H
#define CONCORD_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/model.h>
#include <concord/store.h>

#define CC_PLAN_MAX_AREAS   16 /* P-codes per activity */
#define CC_PLAN_MAX_ORGS    16 /* organisations per activity */
#define CC_PLAN_MAX_PILLARS 6  /* pillar names per activity */

enum cc_plan_role { CC_ROLE_OTHER = 0, CC_ROLE_LEAD, CC_ROLE_IMPLEMENTING, CC_ROLE_FUNDING };

struct cc_plan_org {
	char name[256];
	char type[64];  /* as written: an IATI code ("22") or 3W words ("National NGO"), "" none */
	char kind[16];  /* "military", "un", "ngo", …: as written, lowercase, "" none */
	int is_local;   /* the "local" flag: 1 yes, 0 no, -1 not given */
	enum cc_plan_role role;
};

struct cc_plan_activity {
	char id[64];
	char title[256];
	char pillars[CC_PLAN_MAX_PILLARS][32]; /* as written, lowercase */
	size_t n_pillars;
	char sector[64];
	char areas[CC_PLAN_MAX_AREAS][32];
	size_t n_areas;
	struct cc_plan_org orgs[CC_PLAN_MAX_ORGS];
	size_t n_orgs;
	bool has_budget;
	double budget;
	char currency[8];
	int32_t start, end; /* CC_DATE_NONE when absent */
	char risks[1024];
	long line; /* line of the activity in the plan file (YAML), 0 unknown (JSON) */
};

struct cc_plan {
	char mission[256];
	char file[256];
	struct cc_plan_activity *acts; /* owned: cc_plan_release */
	size_t n_acts;
};

/*
 * Reads a plan: YAML (.yaml, .yml) or JSON (.json, or a file starting with '{'). Malformed input
 * and bad fields are CC_EPARSE / CC_EINVALID with the file, line (when known) and field set.
 */
CC_API int cc_plan_read(const char *path, struct cc_plan *out, struct cc_err *err);
/* The same from memory; name is used in messages. */
CC_API int cc_plan_parse(const char *name, const char *text, size_t len, struct cc_plan *out,
                         struct cc_err *err);
CC_API void cc_plan_release(struct cc_plan *p);

enum cc_severity { CC_SEV_ERROR = 0, CC_SEV_WARNING, CC_SEV_INFO };
CC_API const char *cc_severity_name(int sev);

/* One rule of the table (docs/plan-review.md). */
struct cc_review_rule {
	const char *id;       /* "R1" */
	enum cc_severity severity;
	const char *name;     /* "governance-civilian-lead" */
	const char *summary;  /* one line */
	const char *keywords; /* words added to the lessons query */
};
/* The rule table, in order. */
CC_API const struct cc_review_rule *cc_review_rules(size_t *n_out);
CC_API const struct cc_review_rule *cc_review_rule_find(const char *id);

struct cc_review_disable {
	const char *rule;   /* borrowed: "R2" */
	const char *reason; /* borrowed: the stated reason, non-empty */
};

/* Recent incidents counted in an area (and the areas below it). */
struct cc_area_count {
	char pcode[32];
	size_t n;
};

/* The inputs of the rules besides the plan. */
struct cc_review_inputs {
	const char (*known_pcodes)[32]; /* sorted (strcmp); NULL with n 0: no areas loaded */
	size_t n_known_pcodes;
	bool have_events;                   /* false: R3 cannot be checked */
	const struct cc_area_count *counts; /* areas of the plan with their counts */
	size_t n_counts;
	int32_t as_of;   /* last day of the exposure window (for the evidence) */
	int window_days; /* 0: 90 */
	size_t threshold; /* R3 fires at >= threshold incidents; 0: 10 */
	const struct cc_review_disable *disabled;
	size_t n_disabled;
};

struct cc_review_lesson {
	char key[64];
	char title[256];
};

struct cc_finding {
	const char *rule; /* static: the rule's id */
	enum cc_severity severity;
	char activity[64]; /* offending activity id, "" the plan */
	char item[128];    /* the offending item: "organisations", "area AF0101", "end", … */
	char evidence[512];
	int pillar; /* enum cc_pillar the lessons are filtered by, -1 any */
	char title[256]; /* the activity's title (for the lessons query) */
	struct cc_review_lesson lessons[3];
	size_t n_lessons;
};

struct cc_review_result {
	struct cc_finding *findings; /* owned */
	size_t n_findings;
	size_t n_errors, n_warnings, n_infos;
	const struct cc_review_disable *disabled; /* borrowed from the inputs */
	size_t n_disabled;
};

/*
 * Runs every rule not disabled over the plan. A disabled rule id not in the table is CC_EUSAGE,
 * as is an empty reason. Findings come in plan order, then rule order. Release with
 * cc_review_release.
 */
CC_API int cc_review_run(const struct cc_plan *plan, const struct cc_review_inputs *in,
                         struct cc_review_result *out, struct cc_err *err);
CC_API void cc_review_release(struct cc_review_result *r);

struct cc_review_opts {
	size_t threshold;  /* R3: 0 means 10 */
	int window_days;   /* R3: 0 means 90 */
	int32_t as_of;     /* last day of the window; CC_DATE_NONE: the latest stored incident */
	const struct cc_review_disable *disabled;
	size_t n_disabled;
};

/*
 * Reviews the plan against the store: known P-codes from the stored areas, incidents of the
 * window counted per area (an incident counts in its area and every ancestor), then the rules,
 * then up to 3 lessons per finding (cc_lessons_search with the finding's pillar; each word of
 * the rule's keywords and the activity's title searched alone, lessons ranked by words matched,
 * then summed bm25).
 */
CC_API int cc_review_plan(struct cc_store *st, const struct cc_plan *plan,
                          const struct cc_review_opts *opts, struct cc_review_result *out,
                          struct cc_err *err);

#endif
