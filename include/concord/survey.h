/*
 * Perception surveys: respondent-level answers, weighted estimates with honest intervals.
 *
 * A survey is stored per respondent × question: the respondent carries the mission, the wave,
 * the area, the weight and (apart, marked sensitive) personal data; each answer has a status
 * (answered, don't know, refused, missing) and the answer itself, numeric (value) and as
 * written (code). "Don't know", "refused" and NA are kept as such and never become 0.
 *
 * The statistics (DOMAIN 2.7-2.9) are pure functions over plain arrays:
 *	weighted proportion   p = sum(w y) / sum(w) over the answers not missing (y 0 or 1)
 *	Kish                  n_eff = sum(w)^2 / sum(w^2), deff = n sum(w^2) / sum(w)^2
 *	                      (weighting only); with a cluster per respondent (villages),
 *	                      the linearised variance by cluster instead (see
 *	                      cc_survey_proportion_cl): deff and n_eff cover both
 *	Wilson interval       on n = n_eff, z = Pinv(1 - (1 - level)/2) (1.959964 at 95 %)
 *	small cell            n_eff < min_neff (default 30): flagged, still shown
 *	Likert index          (weighted mean - 1)/(k - 1) x 100; reverse items k + 1 - x first;
 *	                      top-two-box share with its Wilson interval; the index's interval
 *	                      is the normal one, mean +- z s_w / sqrt(n_eff), s_w the weighted
 *	                      standard deviation sqrt(sum(w (x - mean)^2) / sum(w))
 *	change between waves  a two-sided z test on the difference of two independent
 *	                      estimates with design-effect adjusted standard errors (for
 *	                      proportions sqrt(p (1 - p) / n_eff), for Likert means
 *	                      s_w / sqrt(n_eff)): z = (e2 - e1) / sqrt(se1^2 + se2^2),
 *	                      p = 2 Q(|z|) (unpooled, as for two independent samples)
 *	Cronbach's alpha      k/(k - 1) (1 - sum of item variances / variance of the total),
 *	                      sample variances (n - 1), respondents with any item missing
 *	                      dropped (listwise)
 * Normal quantiles and tails come from GSL.
 *
 * Structs are plain values; arrays returned are owned by the caller (cc_free or the _release
 * named next to them).
 */
#ifndef CONCORD_SURVEY_H
#define CONCORD_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/import.h>
#include <concord/store.h>

#define CC_SURVEY_MIN_NEFF 30.0 /* default small-cell threshold on the effective n */
#define CC_SURVEY_LEVEL    0.95 /* default confidence level */

enum cc_answer_status {
	CC_ANSWERED = 0,
	CC_DONT_KNOW,
	CC_REFUSED,
	CC_MISSING,
};

/* "answered", "dont_know", "refused", "missing". */
CC_API const char *cc_answer_status_name(enum cc_answer_status s);
CC_API int cc_answer_status_parse(const char *s, enum cc_answer_status *out);

/* ---- statistics (src/analysis/survey.c) ---- */

/* The two-sided normal quantile for a confidence level in (0, 1): 1.959964 for 0.95. */
CC_API double cc_survey_z(double level);
/* Kish's effective sample size (Σ w)² / Σ w² of the weights; NAN when all are zero or n = 0. */
CC_API double cc_kish_neff(const double *w, size_t n);
/*
 * The Wilson score interval of proportion p on n (may be fractional: an effective n) at
 * confidence level. 0, or CC_EINVALID when n <= 0 or p is outside [0, 1].
 */
CC_API int cc_wilson(double p, double n, double level, double *lo_out, double *hi_out,
                     struct cc_err *err);

struct cc_survey_prop {
	size_t n;      /* answers used (not missing) */
	size_t n_yes;  /* of which y = 1 */
	double sum_w;  /* Σ w */
	double sum_w2; /* Σ w² */
	double p;      /* weighted proportion; NAN when it cannot be estimated */
	double deff;   /* Kish design effect n Σw² / (Σw)² (clustered: the linearised one) */
	double n_eff;  /* (Σ w)² / Σ w² */
	double lo, hi; /* Wilson interval on n_eff */
	bool small;    /* n_eff < min_neff */
	/* with clusters (cc_survey_proportion_cl): deff and n_eff are the linearised ones */
	size_t n_clusters; /* clusters with an answer; 0: no clustering */
	double deff_kish;  /* the weighting-only design effect */
	double icc;        /* intraclass correlation implied by deff; NAN unknown */
};

/*
 * The weighted proportion of y (0 or 1; NAN missing, skipped) with weights w (>= 0). level 0:
 * CC_SURVEY_LEVEL; min_neff 0: CC_SURVEY_MIN_NEFF. Returns 0; CC_EINVALID with out->p NAN and
 * the reason in err when there is no answer, all weights are zero, or a y or w is invalid.
 */
CC_API int cc_survey_proportion(const double *w, const double *y, size_t n, double level,
                                double min_neff, struct cc_survey_prop *out, struct cc_err *err);

/*
 * As cc_survey_proportion, for a clustered sample: cluster[i] (< n_clusters) is the cluster of
 * answer i (NULL: none, the Kish figures). The variance is linearised by cluster (clusters as
 * primary units, with replacement): Var(p) = C/(C − 1) Σ_c (Σ_{i in c} w_i (y_i − p)/Σw)²; then
 * deff = n Var(p)/(p(1 − p)), n_eff = p(1 − p)/Var(p), the Wilson interval on that n_eff, and
 * the implied ICC from deff = deff_kish (1 + (m − 1) ICC), m = n/C. With fewer than 2 clusters
 * or p at 0 or 1 the Kish figures stay. CC_ENOMEM besides cc_survey_proportion's errors.
 */
CC_API int cc_survey_proportion_cl(const double *w, const double *y, const size_t *cluster,
                                   size_t n_clusters, size_t n, double level, double min_neff,
                                   struct cc_survey_prop *out, struct cc_err *err);

struct cc_survey_likert {
	size_t n; /* answers used */
	int k;    /* points of the scale */
	double sum_w;
	double n_eff, deff;
	double mean;     /* weighted mean on 1..k (reverse-coded first) */
	double sd_w;     /* weighted standard deviation, Σ w (x − mean)² / Σ w, square root */
	double index;    /* (mean − 1)/(k − 1) × 100 */
	double index_lo; /* mean ± z sd_w/√n_eff, as an index */
	double index_hi;
	struct cc_survey_prop top2; /* share answering k − 1 or k */
	bool small;
};

/*
 * The Likert index of answers x (1..k, whole numbers; NAN missing) with weights w. reverse:
 * the item is reverse-coded (k + 1 − x). Returns 0 or CC_EINVALID (no answers, weights all zero,
 * k < 2, an answer off the scale: err names it).
 */
CC_API int cc_survey_likert(const double *w, const double *x, size_t n, int k, bool reverse,
                            double level, double min_neff, struct cc_survey_likert *out,
                            struct cc_err *err);

struct cc_survey_change {
	double diff; /* e2 − e1 */
	double se;   /* √(se1² + se2²) */
	double z;
	double p; /* two-sided */
};

/*
 * The z test of e2 − e1 for two independent estimates with standard errors se1, se2. Returns 0
 * or CC_EINVALID when an input is NAN or both standard errors are 0 (no variation to test).
 */
CC_API int cc_survey_ztest(double e1, double se1, double e2, double se2,
                           struct cc_survey_change *out, struct cc_err *err);
/* The standard error √(p(1 − p)/n_eff) a proportion uses in that test. */
CC_API double cc_survey_prop_se(const struct cc_survey_prop *p);

struct cc_alpha {
	size_t k;         /* items */
	size_t n_used;    /* respondents with every item */
	size_t n_dropped; /* respondents with some item missing */
	double sum_item_var;
	double total_var;
	double alpha;
};

/*
 * Cronbach's alpha of x, n rows (respondents) × k columns (items), row-major, NAN missing.
 * item_var_out (k values, may be NULL) receives each item's sample variance. Returns 0 or
 * CC_EINVALID (k < 2, fewer than 2 complete respondents, no variance in the total).
 */
CC_API int cc_cronbach_alpha(const double *x, size_t n, size_t k, double *item_var_out,
                             struct cc_alpha *out, struct cc_err *err);

/* ---- tables of estimates (src/analysis/survey.c) ---- */

/* One answer of one respondent to the question tabulated, as cc_survey_tabulate reads it. */
struct cc_survey_response {
	const char *cell; /* the cell it counts in (an area, a group, a wave; "" all); borrowed */
	const char *code; /* the answer as written ("" none); borrowed */
	double value;     /* numeric answer, NAN none */
	double weight;
	enum cc_answer_status status;
};

struct cc_survey_tab_opts {
	double level;    /* 0: CC_SURVEY_LEVEL */
	double min_neff; /* 0: CC_SURVEY_MIN_NEFF */
	int likert_k;    /* > 0: also the Likert index on 1..k */
	bool reverse;    /* the Likert item is reverse-coded */
	bool changes;    /* test each cell against the previous one (cells are waves in order) */
	const char *const *clusters; /* NULL, or per response its cluster (a village …; NULL or ""
	                                none: a cluster of its own): proportions then take the
	                                variance linearised by cluster; borrowed */
	bool multiple;   /* select_multiple: codes are space-separated sets; each category's
	                    estimate is the share of substantive answers that include it */
};

/* What one cell holds apart from its estimates. */
struct cc_survey_cell {
	char cell[96];
	size_t n_answered, n_dont_know, n_refused, n_missing;
	double w_answered, w_dont_know, w_refused; /* Σ w of each */
	double dont_know_share; /* Σw(don't know) / Σw(answered + don't know + refused) */
	double refused_share;
	bool has_likert;
	struct cc_survey_likert likert;
	char likert_note[128]; /* why there is no index, "" when there is one */
	bool has_change;       /* Likert change against the previous cell */
	struct cc_survey_change likert_change;
	char change_note[128];
};

/* One category of one cell: the share of the cell's substantive answers that are this one. */
struct cc_survey_estimate {
	size_t cell; /* index into cells */
	char category[96];
	struct cc_survey_prop prop;
	char note[128];  /* why there is no estimate (all weights zero …), "" none */
	bool has_change; /* against the same category in the previous cell */
	struct cc_survey_change change;
	char change_note[128];
};

struct cc_survey_table {
	struct cc_survey_cell *cells; /* owned, in order of first appearance */
	size_t n_cells;
	struct cc_survey_estimate *estimates; /* owned, by cell then category */
	size_t n_estimates;
	double z; /* the quantile used */
};

/*
 * Tabulates responses: per cell, the weighted share of each category among the substantive
 * answers (don't know and refused apart, missing skipped) with Kish n_eff, Wilson interval and
 * the small-cell flag; the Likert index when o->likert_k > 0; with o->changes each cell
 * against the previous one. Categories are ordered numerically when every code is a number,
 * else bytewise. Returns 0, CC_ENOMEM, or CC_EINVALID for invalid weights.
 */
CC_API int cc_survey_tabulate(const struct cc_survey_response *r, size_t n,
                              const struct cc_survey_tab_opts *o, struct cc_survey_table *out,
                              struct cc_err *err);
CC_API void cc_survey_table_release(struct cc_survey_table *t);

/* ---- store ---- */

struct cc_survey_question {
	int64_t id;
	int64_t mission_id;
	char name[128];
	char label[256];
	char type[32];      /* "" unknown */
	char list_name[64]; /* "" none */
};

struct cc_survey_respondent {
	int64_t id;
	int64_t mission_id;
	char wave[64];
	char key[128];
	int64_t source_id;
	long line;
	int64_t area_id;      /* 0 none */
	double weight;        /* >= 0 */
	const char *personal; /* JSON object or NULL; borrowed */
};

struct cc_survey_answer {
	int64_t respondent_id;
	int64_t question_id;
	enum cc_answer_status status;
	double value;     /* NAN none */
	const char *code; /* "" or NULL none; borrowed */
};

/* Stores a question by (mission, name); sets q->id. */
CC_API int cc_store_put_survey_question(struct cc_store *st, struct cc_survey_question *q,
                                        enum cc_put_result *res_out, struct cc_err *err);
CC_API int cc_store_find_survey_question(struct cc_store *st, int64_t mission_id, const char *name,
                                         struct cc_survey_question *out, struct cc_err *err);
CC_API int cc_store_put_survey_choice(struct cc_store *st, int64_t question_id, const char *code,
                                      const char *label, enum cc_put_result *res_out,
                                      struct cc_err *err);
/* Stores a respondent by (mission, wave, key) and marks it seen by batch; sets r->id. */
CC_API int cc_store_put_survey_respondent(struct cc_store *st, struct cc_survey_respondent *r,
                                          int64_t batch, enum cc_put_result *res_out,
                                          struct cc_err *err);
CC_API int cc_store_put_survey_answer(struct cc_store *st, const struct cc_survey_answer *a,
                                      enum cc_put_result *res_out, struct cc_err *err);
/* Removes the respondents of the source not seen by batch, and their answers. */
CC_API int cc_store_remove_stale_respondents(struct cc_store *st, int64_t source_id, int64_t batch,
                                             size_t *n_removed_out, struct cc_err *err);

/* Respondents and answers of the mission's surveys, and its feedback items. */
CC_API int cc_store_survey_counts(struct cc_store *st, int64_t mission_id, int64_t *respondents_out,
                                  int64_t *answers_out, int64_t *feedback_out, struct cc_err *err);

/* What cc_store_load_survey reads. */
struct cc_survey_query {
	int64_t mission_id;
	const char *question; /* required */
	const char *wave;     /* NULL: every wave */
	const char *group;    /* NULL, or a question whose answer groups respondents */
	int level;            /* >= 0: fill area_cell with the ancestor at this admin level */
};

struct cc_survey_row {
	int64_t respondent_id;
	char wave[64];
	int64_t area_id;
	char area[32];       /* P-code of the area, "" none */
	char area_cell[200]; /* "PCODE name" of its ancestor at q->level; "" none or above it */
	double weight;
	enum cc_answer_status status;
	double value;
	char code[96];
	char group[96]; /* the answer to q->group as written ("" none) */
};

struct cc_survey_data {
	struct cc_survey_question question;
	struct cc_survey_row *rows; /* owned; one per respondent of the waves asked, by wave order
	                               then respondent id; respondents with no stored answer are
	                               there with status missing */
	size_t n_rows;
	char (*waves)[64]; /* owned; the mission's waves in import order */
	size_t n_waves;
};

/* Loads a question's answers. CC_ENOTFOUND for an unknown question, group or wave. */
CC_API int cc_store_load_survey(struct cc_store *st, const struct cc_survey_query *q,
                                struct cc_survey_data *out, struct cc_err *err);
CC_API void cc_survey_data_release(struct cc_survey_data *d);

/* ---- importer ---- */

struct cc_survey_import_opts {
	const char *wave;          /* NULL: "1" */
	const char *weight_column; /* NULL: every weight 1 */
	const char *area_columns;  /* "province" or "province,district" (each within the previous);
	                              NULL: no area */
	const char *area_map;      /* CSV "name,pcode": names of the file to P-codes; NULL none */
	const char *id_column;     /* NULL: _uuid, KEY, meta/instanceID, instanceID, _id, _index,
	                              else the source and line */
	const char *personal;      /* "name,phone": columns kept apart as sensitive; NULL none */
	const char *const *forms;  /* XLSForm sheets saved as CSV (survey: type,name,label;
	                              choices: list_name,name,label), NULL-terminated; NULL none */
};

/*
 * Imports a respondent-level survey CSV (a KoboToolbox/ODK export, comma or semicolon
 * separated, or a plain CSV with a header): one respondent per row, one answer per question
 * column. Columns of the export's own bookkeeping (start, end, _uuid, _submission_time …) are
 * not questions. An answer that is empty, NA, N/A or NaN is missing; "don't know", "dk",
 * "dont_know", "refused", "prefer not to say" (and choices so labelled in the form) keep that
 * status. With a form, select_one answers must be codes of the question's list and integer or
 * decimal answers numbers, else the row is rejected naming the column. An unknown area, a bad
 * or negative weight, or a repeated respondent id rejects the row. Returns as cc_import_3w.
 */
CC_API int cc_import_survey(struct cc_store *st, const char *path,
                            const struct cc_import_opts *opts,
                            const struct cc_survey_import_opts *sopts, struct cc_import_report *rep,
                            struct cc_err *err);

#endif
