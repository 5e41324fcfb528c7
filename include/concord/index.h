/*
 * Composite indices and stages of transition (DOMAIN.md §2.5, §2.6; docs/index.md). Pure
 * functions over plain arrays, plus the reader of an index definition file (YAML or JSON).
 *
 *	normalised  x' = (x − min)/(max − min) (higher is better) or (max − x)/(max − min) (lower
 *	            is better), clamped to [0, 1], with fixed goalposts min < max
 *	arithmetic  Σ w_i x'_i                 weights divided by their sum first, so they sum
 *	geometric   Π max(x'_i, ε)^{w_i}       to 1; ε (default 0.01) floors zeros, and a floored
 *	                                        input is flagged in the result
 * A unit (an area) gets one score per pillar (its indicators combined with their weights) and
 * an overall score (the pillar scores combined with the pillar weights). A unit missing an
 * indicator gets no score for that pillar, nor overall (missing "exclude", the default), or a
 * score over the indicators it has with their weights rescaled (missing "reweight"); either
 * way the missing indicators are listed, never imputed. All weights zero is refused.
 *
 * Ranks: by overall score, highest first; equal scores (within 1e-12) share the best rank
 * (1, 2, 2, 4). Units without an overall score have rank 0.
 * Sensitivity: each weight in turn is multiplied by 1 − s and 1 + s (s = 0.2 by default), the
 * weights of its group divided again by their sum, every unit's overall score and rank
 * recomputed; the result lists the new ranks.
 *
 * Stages: rules in order, each a list of conditions "OPERAND OP NUMBER" joined by all (and) or
 * any (or). OPERAND is an indicator code (its raw value), score:CODE (its normalised value),
 * pillar:NAME (the pillar score) or overall; OP is <, <=, >, >=, ==, !=. A condition on a
 * missing operand is unknown; all/any use three-valued logic. The first rule that is true
 * decides the stage; a rule that is unknown before it makes the stage undetermined (decided by
 * that rule, whose missing operands are named); with no rule true the default stage applies
 * (CC_STAGE_NONE, "undetermined", if none is set).
 */
#ifndef CONCORD_INDEX_H
#define CONCORD_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>

#define CC_INDEX_EPSILON     0.01 /* geometric floor */
#define CC_INDEX_SENSITIVITY 0.20 /* weights move by ± this share */
#define CC_INDEX_MAX_ITEMS   256
#define CC_INDEX_MAX_RULES   64
#define CC_INDEX_MAX_CONDS   16

enum cc_index_method {
	CC_INDEX_ARITHMETIC = 0,
	CC_INDEX_GEOMETRIC,
};

enum cc_stage {
	CC_STAGE_NONE = 0,        /* undetermined */
	CC_STAGE_IMPOSED,         /* imposed stability */
	CC_STAGE_ASSISTED,        /* assisted stability */
	CC_STAGE_SELF_SUSTAINING, /* self-sustaining peace */
};

enum cc_cond_op { CC_OP_LT = 0, CC_OP_LE, CC_OP_GT, CC_OP_GE, CC_OP_EQ, CC_OP_NE };

enum cc_operand {
	CC_OPERAND_VALUE = 0, /* an indicator's raw value */
	CC_OPERAND_SCORE,     /* score:CODE */
	CC_OPERAND_PILLAR,    /* pillar:NAME */
	CC_OPERAND_OVERALL,   /* overall */
};

/* "arithmetic", "geometric"; "undetermined", "imposed stability", …; "<", "<=", …. */
CC_API const char *cc_index_method_name(enum cc_index_method m);
CC_API const char *cc_stage_name(enum cc_stage s);
CC_API const char *cc_cond_op_name(enum cc_cond_op op);
/* Parses those names (stages also as "imposed", "assisted", "self-sustaining"); 0 or
   CC_EINVALID naming the valid ones. */
CC_API int cc_index_method_parse(const char *s, enum cc_index_method *out, struct cc_err *err);
CC_API int cc_stage_parse(const char *s, enum cc_stage *out, struct cc_err *err);

/* §2.5: the normalised value; NAN when x is NAN or the goalposts are not min < max. */
CC_API double cc_index_normalise(double x, double min, double max, bool higher_is_better);
/*
 * §2.6: the composite of x[i] (each in [0, 1]) with weights w[i] >= 0 (divided by their sum).
 * *floored_out (may be NULL) tells whether a geometric input was raised to eps (<= 0: 0.01).
 * 0, or CC_EINVALID: n = 0, a NAN or negative input or weight, all weights zero.
 */
CC_API int cc_index_composite(const double *x, const double *w, size_t n, enum cc_index_method m,
                              double eps, double *out, bool *floored_out, struct cc_err *err);

struct cc_stage_cond {
	enum cc_operand kind;
	char name[64]; /* indicator code or pillar; "" for overall */
	enum cc_cond_op op;
	double value;
};

struct cc_stage_rule {
	char name[64];
	enum cc_stage stage;
	bool any; /* conditions joined by or; else by and */
	struct cc_stage_cond conds[CC_INDEX_MAX_CONDS];
	size_t n_conds;
	char text[256]; /* the conditions as written, for the output */
	long line;      /* in the definition file, 0 unknown */
};

/* One indicator of an index, or only of its stage rules (in_index false). */
struct cc_index_item {
	char code[64];
	char pillar[32];
	double weight;   /* >= 0, within its pillar */
	double goal_min; /* goalposts: NAN unset (then the item cannot be scored) */
	double goal_max;
	bool higher_is_better;
	bool in_index;
	long line; /* in the definition file, 0 unknown */
};

struct cc_index_pillar_weight {
	char pillar[32];
	double weight;
	long line;
};

/*
 * An index definition. Read from a file by cc_index_config_read (format in docs/index.md); the
 * items' goalposts and pillar may be left for the caller to fill from the stored indicators
 * (goal_min and goal_max NAN, pillar ""); the direction always comes from the indicator.
 */
struct cc_index_config {
	char name[128];
	enum cc_index_method method;         /* indicators into pillar scores */
	enum cc_index_method overall_method; /* pillar scores into the overall score */
	double epsilon;                      /* 0: CC_INDEX_EPSILON */
	double sensitivity;                  /* 0: CC_INDEX_SENSITIVITY */
	bool reweight_missing;
	int level;                   /* -1: not set */
	struct cc_index_item *items; /* owned */
	size_t n_items;
	struct cc_index_pillar_weight *pillars; /* owned; none: equal weights */
	size_t n_pillars;
	struct cc_stage_rule *rules; /* owned */
	size_t n_rules;
	enum cc_stage default_stage;
};

/*
 * Reads an index definition: JSON when the file starts with '{' after blanks, else YAML.
 * Unknown keys, bad numbers, stages, methods and conditions are CC_EPARSE/CC_EINVALID with
 * the file, line and field in err. *out owned: cc_index_config_release().
 */
CC_API int cc_index_config_read(const char *path, struct cc_index_config *out, struct cc_err *err);
/* As cc_index_config_read from text in memory; name is used in messages. */
CC_API int cc_index_config_parse(const char *text, size_t len, const char *name,
                                 struct cc_index_config *out, struct cc_err *err);
CC_API void cc_index_config_release(struct cc_index_config *c);

/* The index of n_units units: raw[u * n_items + i] is unit u's value of item i (NAN missing). */
struct cc_index_spec {
	const struct cc_index_item *items;
	size_t n_items;
	const struct cc_index_pillar_weight *pillars; /* NULL/0: equal weights */
	size_t n_pillars;
	enum cc_index_method method, overall_method;
	double epsilon;     /* 0: CC_INDEX_EPSILON */
	double sensitivity; /* 0: CC_INDEX_SENSITIVITY; < 0: no sensitivity table */
	bool reweight_missing;
	const struct cc_stage_rule *rules;
	size_t n_rules;
	enum cc_stage default_stage;
};

/* One row of the sensitivity table: weight `which` (an item, or a pillar) times factor. */
struct cc_index_sens {
	bool pillar; /* which indexes pillar_names, else items */
	size_t which;
	double factor;    /* 1 − s or 1 + s */
	int *rank;        /* owned: n_units new ranks (0: unranked) */
	size_t n_changed; /* units whose rank differs from the base rank */
	int max_shift;    /* largest |new − base| */
};

struct cc_stage_result {
	enum cc_stage stage;
	int rule;          /* index into rules; -1 the default (no rule true) */
	bool undetermined; /* decided by an unknown rule */
	char missing[128]; /* with undetermined: the operands that were missing */
};

struct cc_index_result {
	size_t n_units, n_items, n_pillars;
	char (*pillar_names)[32]; /* owned: pillars in order of first item */
	double *pillar_w;         /* owned: n_pillars, normalised */
	double *item_w;      /* owned: n_items, normalised within each pillar (0 outside index) */
	size_t *item_pillar; /* owned: n_items, index into pillar_names (SIZE_MAX outside index) */
	double *norm;        /* owned: n_units × n_items normalised values, NAN missing */
	double *pillar;      /* owned: n_units × n_pillars scores, NAN none */
	bool *floored;   /* owned: n_units × n_pillars, plus n_units for the overall at the end */
	double *overall; /* owned: n_units, NAN none */
	int *rank;       /* owned: n_units, 0 unranked */
	struct cc_index_sens *sens; /* owned */
	size_t n_sens;
	struct cc_stage_result *stages; /* owned: n_units; NULL without rules */
};

/*
 * Computes spec over the units. 0, CC_ENOMEM, or CC_EINVALID: an item in the index without
 * goalposts min < max or with a negative weight, all weights of a pillar (or all pillar
 * weights) zero, a pillar weight for a pillar without items or a pillar without a weight when
 * some are given, a rule naming an unknown operand (err->line is the rule's line). On error
 * *out is empty.
 */
CC_API int cc_index_compute(const struct cc_index_spec *spec, const double *raw, size_t n_units,
                            struct cc_index_result *out, struct cc_err *err);
CC_API void cc_index_result_release(struct cc_index_result *r);

/*
 * Ranks of the n scores (highest first, equal within 1e-12 share the best rank, NAN: 0) into
 * rank[n]. Exposed for tests and the report.
 */
CC_API void cc_index_rank(const double *score, size_t n, int *rank);

#endif
