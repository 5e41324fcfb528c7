/*
 * Indicators, benchmarks and observations: how a mission measures success.
 *
 * An indicator (mission × code) says what is measured, in which unit, which direction is better
 * and how values of child areas roll up. Benchmarks (baseline, milestones, target, each with a
 * date and value) and observations (a value for a period) belong to one series: indicator ×
 * area × disaggregation. Area "" is the whole mission; sex and age group "" are the total.
 * A missing observed value is NAN (stored as NULL), never 0.
 *
 * Natural keys, so that re-importing a file updates rather than duplicates:
 *	indicator   mission, code
 *	benchmark   series, kind (one baseline and one target per series), date for milestones
 *	observation series, period end
 *
 * CSV files (a header row; column names case-insensitive, in any order; * = required):
 *	indicators:   code*, name*, pillar, unit, measure* (unit|percentage|nominal|ordinal|
 *	              qualitative or IATI IndicatorMeasure 1–5), direction* (higher|lower),
 *	              aggregation* (sum|mean|population_weighted_mean|max|latest), period_days,
 *	              goal_min, goal_max
 *	benchmarks:   indicator*, area (P-code), sex, age_group, kind* (baseline|milestone|target),
 *	              date*, value*
 *	observations: indicator*, area (P-code), sex, age_group, period_start, period_end* (or
 *	              date), value (empty: missing), source, confidence (high|medium|low)
 * Values are typed by the indicator's measure: numbers (text such as "Yes" or "N/A" rejects the
 * row); a percentage is 0..100 and may end in '%'; nominal and ordinal values are whole numbers;
 * values of qualitative indicators are not stored yet (rejected with that reason). An empty
 * observed value is stored as missing. A row with the natural key of an earlier row of the same
 * file is rejected ("duplicate of line N"). Sex is female, male (also f, m) or total; age group
 * is free text ("total" or empty: the total). opts->rejects_path, --dry-run and --strict work as
 * for cc_import_3w; these files carry no source digest, so a re-import is compared row by row.
 *
 * Structs are plain values; arrays returned by the store are owned by the caller.
 */
#ifndef CONCORD_INDICATORS_H
#define CONCORD_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/import.h>
#include <concord/model.h>
#include <concord/store.h>

/* IATI IndicatorMeasure codes. */
enum cc_measure {
	CC_MEASURE_UNIT = 1,
	CC_MEASURE_PERCENTAGE = 2,
	CC_MEASURE_NOMINAL = 3,
	CC_MEASURE_ORDINAL = 4,
	CC_MEASURE_QUALITATIVE = 5,
};

enum cc_aggregation {
	CC_AGG_SUM = 0,
	CC_AGG_MEAN,
	CC_AGG_POP_WEIGHTED_MEAN,
	CC_AGG_MAX,
	CC_AGG_LATEST,
};

enum cc_bench_kind {
	CC_BENCH_BASELINE = 0,
	CC_BENCH_MILESTONE,
	CC_BENCH_TARGET,
};

struct cc_indicator {
	int64_t id;
	int64_t mission_id;
	char code[64];
	char name[200];
	char pillar[32];  /* "" none */
	char unit[32];    /* "" none */
	enum cc_measure measure;
	bool higher_is_better;
	enum cc_aggregation aggregation;
	int period_days;  /* reporting period in days, 0 unknown */
	double goal_min;  /* goalposts, NAN unset */
	double goal_max;
};

struct cc_benchmark {
	int64_t id;
	int64_t indicator_id;
	int64_t area_id;    /* 0: the whole mission */
	char indicator[64]; /* indicator code (filled by reads) */
	char area[32];      /* P-code (filled by reads), "" the whole mission */
	char sex[16];       /* "" total */
	char age_group[32]; /* "" total */
	enum cc_bench_kind kind;
	int32_t date;
	double value;
};

struct cc_observation {
	int64_t id;
	int64_t indicator_id;
	int64_t area_id;
	char indicator[64];
	char area[32];
	char sex[16];
	char age_group[32];
	int32_t period_start; /* CC_DATE_NONE unknown */
	int32_t period_end;   /* the date of the value */
	double value;         /* NAN missing */
	char source[128];
	char confidence[8];   /* "high", "medium", "low" or "" */
};

/* Names of the enums as stored and printed ("percentage", "population_weighted_mean", …). */
CC_API const char *cc_measure_name(enum cc_measure m);
CC_API const char *cc_aggregation_name(enum cc_aggregation a);
CC_API const char *cc_bench_kind_name(enum cc_bench_kind k);
/* Parses those names (and IATI measure codes "1".."5"); 0 or CC_EINVALID. */
CC_API int cc_measure_parse(const char *s, enum cc_measure *out, struct cc_err *err);
CC_API int cc_aggregation_parse(const char *s, enum cc_aggregation *out, struct cc_err *err);
CC_API int cc_bench_kind_parse(const char *s, enum cc_bench_kind *out, struct cc_err *err);

/* ---- store ---- */

/*
 * Stores an indicator by (mission_id, code): added, updated or unchanged in *res_out; sets
 * ind->id. CC_EUNSUPPORTED when the backend has no indicators.
 */
CC_API int cc_store_put_indicator(struct cc_store *st, struct cc_indicator *ind,
                                  enum cc_put_result *res_out, struct cc_err *err);
/* The mission's indicator with this code: 0, CC_ENOTFOUND or an error. */
CC_API int cc_store_find_indicator(struct cc_store *st, int64_t mission_id, const char *code,
                                   struct cc_indicator *out, struct cc_err *err);
/* Stores a benchmark by its natural key (see above); sets b->id. */
CC_API int cc_store_put_benchmark(struct cc_store *st, struct cc_benchmark *b,
                                  enum cc_put_result *res_out, struct cc_err *err);
/* Stores an observation by its natural key (see above); sets o->id. */
CC_API int cc_store_put_observation(struct cc_store *st, struct cc_observation *o,
                                    enum cc_put_result *res_out, struct cc_err *err);

/* What cc_store_load_indicator_data reads. NULL/CC_DATE_NONE fields: no filter. */
struct cc_indicator_query {
	int64_t mission_id;
	const char *indicator; /* one indicator code */
	const char *area;      /* one P-code ("" would not filter; use NULL) */
	int32_t at;            /* observations with period_end <= at only */
	bool indicators_only;  /* the indicators only: no benchmarks, no observations */
};

/*
 * Everything a progress computation needs, sorted: indicators by code; benchmarks and
 * observations by indicator code, area P-code, sex, age group, then date (bytewise order, ""
 * first). Each array owned; release with cc_indicator_data_release().
 */
struct cc_indicator_data {
	struct cc_indicator *indicators;
	size_t n_indicators;
	struct cc_benchmark *benchmarks;
	size_t n_benchmarks;
	struct cc_observation *observations;
	size_t n_observations;
};

CC_API int cc_store_load_indicator_data(struct cc_store *st, const struct cc_indicator_query *q,
                                        struct cc_indicator_data *out, struct cc_err *err);
CC_API void cc_indicator_data_release(struct cc_indicator_data *d);

/* ---- importers (as cc_import_3w; see the CSV columns above) ---- */

CC_API int cc_import_indicators(struct cc_store *st, const char *path,
                                const struct cc_import_opts *opts, struct cc_import_report *rep,
                                struct cc_err *err);
CC_API int cc_import_benchmarks(struct cc_store *st, const char *path,
                                const struct cc_import_opts *opts, struct cc_import_report *rep,
                                struct cc_err *err);
CC_API int cc_import_observations(struct cc_store *st, const char *path,
                                  const struct cc_import_opts *opts,
                                  struct cc_import_report *rep, struct cc_err *err);

#endif
