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
/* "error", "warning", "info" → the severity, or -1. */
CC_API int cc_severity_parse(const char *s);

#define CC_REVIEW_N_RULES 8 /* R1 … R8 */

/* One rule of the table (docs/plan-review.md): its defaults. */
struct cc_review_rule {
	const char *id;       /* "R1" */
	enum cc_severity severity;
	const char *name;     /* "governance-civilian-lead" */
	const char *summary;  /* one line */
	const char *keywords; /* words added to the lessons query */
};
/* The rule table, in order (CC_REVIEW_N_RULES rows). */
CC_API const struct cc_review_rule *cc_review_rules(size_t *n_out);
CC_API const struct cc_review_rule *cc_review_rule_find(const char *id);

/*
 * The rules as data: for each rule whether it runs (with the stated reason when not) and its
 * severity, and the parameters of the rules that have some. cc_review_config_default() gives
 * the built-in values, which data/review/rules.yaml repeats; a rules file (docs/plan-review.md)
 * changes only what it names.
 */
struct cc_review_rule_cfg {
	bool enabled;
	enum cc_severity severity;
	char reason[256]; /* why it is off; "" when enabled */
};

struct cc_review_config {
	struct cc_review_rule_cfg rule[CC_REVIEW_N_RULES]; /* in rule-table order */
	size_t threshold;  /* R3: fires at >= threshold incidents (default 10) */
	int window_days;   /* R3: the exposure window (default 90) */
	double min_score;  /* R7: overlap score at or above which a plan item duplicates (0.5) */
	int level;         /* R7: admin level of "the same area" for the overlap analysis (2) */
};

CC_API void cc_review_config_default(struct cc_review_config *c);
/*
 * Applies a rules file (YAML, see docs/plan-review.md) over *c. An unknown rule id, field or
 * severity, a value out of range, or a rule turned off without a reason is CC_EINVALID with the
 * file, line and field; malformed YAML is CC_EPARSE. On error *c is unchanged.
 */
CC_API int cc_review_config_read(const char *path, struct cc_review_config *c,
                                 struct cc_err *err);
CC_API int cc_review_config_parse(const char *name, const char *text, size_t len,
                                  struct cc_review_config *c, struct cc_err *err);
/* Turns rule id off with reason (non-empty): 0, or CC_EUSAGE naming the problem. */
CC_API int cc_review_config_disable(struct cc_review_config *c, const char *id,
                                    const char *reason, struct cc_err *err);

struct cc_review_disable {
	const char *rule;   /* borrowed: "R2" */
	const char *reason; /* borrowed: the stated reason, non-empty */
};

/* Recent incidents counted in an area (and the areas below it). */
struct cc_area_count {
	char pcode[32];
	size_t n;
};

struct cc_overlap_activity;

/* The inputs of the rules besides the plan. */
struct cc_review_inputs {
	const struct cc_review_config *config; /* NULL: cc_review_config_default() */
	const char (*known_pcodes)[32]; /* sorted (strcmp); NULL with n 0: no areas loaded */
	size_t n_known_pcodes;
	bool have_events;                   /* false: R3 cannot be checked */
	const struct cc_area_count *counts; /* areas of the plan with their counts */
	size_t n_counts;
	int32_t as_of;   /* last day of the exposure window (for the evidence) */
	int window_days; /* R3, 0: the config's */
	size_t threshold; /* R3, 0: the config's */
	const struct cc_review_disable *disabled; /* turned off on top of the config */
	size_t n_disabled;
	/*
	 * R7: the registered activities (cc_store_load_overlap) and the plan's items in the same
	 * form (one per plan activity and P-code; org_id unique and negative, so never equal to a
	 * stored organisation's), with the index of each item's plan activity.
	 */
	const struct cc_overlap_activity *registered;
	size_t n_registered;
	const struct cc_overlap_activity *planned;
	const size_t *planned_act;
	size_t n_planned;
	/* R8: indicators per pillar (stored for the mission), and those with a baseline */
	size_t indicators[CC_N_PILLARS];
	size_t baselines[CC_N_PILLARS];
};

struct cc_review_lesson {
	char key[64];
	char title[256];
};

/* R7's evidence in fields: the registered activity duplicated and the overlap score. */
struct cc_review_match {
	int64_t id;        /* the registered activity, 0 none (not an R7 finding) */
	char org[128];     /* its organisation */
	char title[256];
	char sector[32];
	char pcode[32];
	int32_t start, end;
	double score, text, dates, place; /* the overlap analysis's score and parts */
	unsigned facts;                   /* CC_OV_* */
	size_t n_more;                    /* further registered activities at or above min_score */
};

struct cc_finding {
	const char *rule; /* static: the rule's id */
	enum cc_severity severity;
	char activity[64]; /* offending activity id, "" the plan */
	char item[128];    /* the offending item: "organisations", "area AF0101", "end", … */
	char evidence[512];
	int pillar; /* enum cc_pillar the lessons are filtered by, -1 any */
	char title[256]; /* the activity's title (for the lessons query) */
	struct cc_review_match match; /* R7 only */
	struct cc_review_lesson lessons[3];
	size_t n_lessons;
};

struct cc_review_off {
	const char *rule; /* static: the rule's id */
	char reason[256];
};

struct cc_review_result {
	struct cc_finding *findings; /* owned */
	size_t n_findings;
	size_t n_errors, n_warnings, n_infos;
	struct cc_review_off disabled[CC_REVIEW_N_RULES]; /* the rules that did not run */
	size_t n_disabled;
};

/*
 * Runs every rule not disabled (by the config or in->disabled) over the plan. A disabled rule
 * id not in the table is CC_EUSAGE, as is an empty reason; the overlap analysis's errors pass
 * through. Findings come in plan order, then rule order; R3 and R8 (per area, per pillar) last.
 * Release with cc_review_release.
 */
CC_API int cc_review_run(const struct cc_plan *plan, const struct cc_review_inputs *in,
                         struct cc_review_result *out, struct cc_err *err);
CC_API void cc_review_release(struct cc_review_result *r);

struct cc_review_opts {
	const struct cc_review_config *config; /* NULL: the defaults */
	int64_t mission_id; /* R7 and R8 read this mission's activities and indicators; 0 none */
	size_t threshold;  /* R3: 0 means the config's */
	int window_days;   /* R3: 0 means the config's */
	int32_t as_of;     /* last day of the window; CC_DATE_NONE: the latest stored incident */
	const struct cc_review_disable *disabled;
	size_t n_disabled;
};

/*
 * Reviews the plan against the store: known P-codes from the stored areas, incidents of the
 * window counted per area (an incident counts in its area and every ancestor), the mission's
 * activities for R7 and its indicators and baselines per pillar for R8, then the rules, then up
 * to 3 lessons per finding (cc_lessons_search with the finding's pillar; each word of the rule's
 * keywords and the activity's title searched alone, lessons ranked by words matched, then
 * summed bm25).
 */
CC_API int cc_review_plan(struct cc_store *st, const struct cc_plan *plan,
                          const struct cc_review_opts *opts, struct cc_review_result *out,
                          struct cc_err *err);

#endif
