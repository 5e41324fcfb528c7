/*
 * Gaps: people in need against the coverage reported for them, per area × sector (or pillar).
 *
 * For each area at the requested admin level and each sector (or pillar) with needs:
 *   covered  = people reached (targeted with CC_GAP_PLANNING) by the activities of that area and
 *              sector, de-duplicated across organisations: each organisation's own figures are
 *              added up (its records are taken to be different people), then the organisations
 *              are combined by the largest single figure (CC_REACH_MAX, the default: partners in
 *              the same area and sector often reach the same people) or by their sum
 *              (CC_REACH_SUM, an upper bound);
 *   shortfall share = max(0, 1 − covered / PIN)  (0 when PIN is 0);
 *   gap      = severity × PIN × shortfall share  (DOMAIN.md §2.12).
 * Rows are ranked by gap, highest first. A row without coverage records is "no data", one
 * whose records carry no people figures (presence rows, activities without numbers) is "no
 * figures": neither is scored as zero coverage. A row without severity keeps its shortfall but
 * has no gap and ranks after the scored rows (by unmet people).
 *
 * Levels: a need recorded below the requested level is mapped up to its ancestor at that level.
 * An area uses its own figure when it has one, else the sum of its children's (recursively), so
 * a province total and its districts are never added together; the severity of a sum is the
 * highest of its parts. Needs above the requested level are not distributed: they are counted in
 * n_needs_above. Coverage records below the level map up likewise; records above it count in
 * n_records_above.
 *
 * Two total rows for the same area and sector (or pillar) are not added: the larger PIN and the
 * higher severity count.
 *
 * By pillar: the PIN of an area × pillar is the largest PIN of its sectors (people in need of
 * several sectors are the same people, so sectors are never added), its severity the highest;
 * an organisation's figures in the pillar's sectors are added up as its figures in one sector
 * are, then organisations are combined by the reach rule.
 *
 * Intersectoral needs (sector_id 0, key "ALL") are compared with all coverage of the area,
 * whatever the sector, under the same rule.
 *
 * Budget (cc_gaps_compute_ex with budgets): the budgets of the activities (kind activity;
 * presence rows carry none) whose records fall in the cell, one sum per currency. Money is
 * added across organisations (unlike people, one budget is not another's), but amounts in
 * different currencies are never added or converted: a cell funded in USD and EUR has two sums.
 * An activity without a budget adds nothing and is counted in n_unbudgeted, so "no budget
 * reported" stays apart from a budget of 0. The budget does not enter the gap or its rank.
 *
 * Converted budget (cc_gaps_compute_ex with a reporting currency and rates): each budget is
 * also converted to the reporting currency at its activity's value date (<concord/money.h>: the
 * rate of that day or up to tolerance_days before, else the year's average), and the converted
 * amounts of a cell are added into budget_converted. An amount that cannot be converted (no
 * currency, no value date, no rate for its currency near the date) is left out of that sum,
 * counted in the row's n_not_converted and listed once in the result's unconverted list with
 * its reason: never dropped, never taken as 0. The rates used are listed (rates_used), so every
 * converted total says which rates made it. The sums per currency stay as they are.
 *
 * cc_gaps_compute() is a pure function: no I/O, no store.
 */
#ifndef CONCORD_GAPS_H
#define CONCORD_GAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/coverage.h>
#include <concord/error.h>
#include <concord/model.h>
#include <concord/money.h>

enum cc_gap_reach {
	CC_REACH_MAX = 0, /* largest single organisation's figure (default) */
	CC_REACH_SUM,     /* sum over organisations */
};

enum cc_gap_by {
	CC_GAP_BY_SECTOR = 0,
	CC_GAP_BY_PILLAR,
};

enum cc_gap_status {
	CC_GAP_SCORED = 0,   /* gap computed */
	CC_GAP_NO_SEVERITY,  /* shortfall known, severity not given: no gap */
	CC_GAP_NO_FIGURES,   /* coverage records exist but none has a people figure */
	CC_GAP_NO_DATA,      /* no coverage record at all */
	CC_GAP_NO_PIN,       /* the need has no people-in-need figure */
};

/* One total need as the analysis reads it (from the store's needs read). */
struct cc_gap_need {
	int64_t area_id;   /* any level */
	int64_t sector_id; /* 0: intersectoral */
	int pillar;        /* enum cc_pillar of the sector; ignored for sector_id 0 */
	double in_need;    /* people; NAN when not given */
	int severity;      /* 1..5, 0 when not given */
};

/* The names shown for a sector id (code and name); the caller supplies them. */
struct cc_gap_sector {
	int64_t id;
	char code[32];
	char name[128];
};

/* The budget of one activity, as the caller read it (joined to records by activity_id). */
struct cc_gap_budget {
	int64_t activity_id;
	double amount;    /* NAN when absent (or hidden from the reader) */
	char currency[8]; /* ISO 4217 code as stored; "" when not given */
	int32_t value_date; /* the amount's value date, read only when converting (a 3W activity
	                       has none: its start date); CC_DATE_NONE unknown */
};

/* A rate that converted at least one budget of the table (the target currency's too). */
struct cc_gap_rate {
	char currency[4];
	enum cc_rate_kind kind;
	int32_t date; /* the fixing's day; annual: 1 January */
	double per_eur;
	size_t n_uses; /* budgets it converted (as their currency's or the target's rate) */
};

/* A budget of the table that could not be converted, and why. */
struct cc_gap_unconverted {
	int64_t activity_id;
	double amount;
	char currency[8];    /* as stored; "" none */
	int32_t value_date;  /* CC_DATE_NONE none */
	enum cc_fx_status status;
	char missing[4];     /* the currency lacking a rate, when that is the reason */
};

/* One currency's sum in a cell. */
struct cc_gap_money {
	char currency[8];    /* "" for budgets given without a currency */
	double amount;       /* sum of the budgets in this currency */
	size_t n_activities; /* activities that gave it */
};

struct cc_gap_opts {
	int level;               /* admin level of the rows; 0 or less means 1 */
	enum cc_gap_reach reach;
	enum cc_gap_by by;
	bool planning;           /* compare with people targeted instead of reached */
};

struct cc_gap_row {
	int64_t area_id;
	char pcode[32];
	char name[160];
	int64_t sector_id;     /* by sector: the sector (0 intersectoral); by pillar: 0 */
	int pillar;            /* by pillar: the pillar (-1 intersectoral); by sector: -1 */
	char key_code[32];     /* sector code, pillar name, or "ALL" */
	char key_name[128];
	int severity;          /* 0 when not given */
	double in_need;        /* NAN when not given */
	double covered;        /* NAN for no data / no figures */
	size_t n_orgs;         /* organisations with a figure in the cell */
	size_t n_records;      /* coverage records in the cell (with or without figures) */
	double shortfall;      /* share in [0, 1]; NAN when unknown */
	double unmet;          /* in_need × shortfall; NAN when unknown */
	double gap;            /* severity × in_need × shortfall; NAN unless scored */
	enum cc_gap_status status;
	/* budget (only with budgets given to cc_gaps_compute_ex; else all zero) */
	const struct cc_gap_money *budget; /* n_budget sums, by currency ("" last); in the
	                                      result's money block; NULL when n_budget is 0 */
	size_t n_budget;
	size_t n_budgeted;   /* activities of the cell with a budget */
	size_t n_unbudgeted; /* activities of the cell without one (presence rows not counted) */
	/* converted budget (only when the result has_conversion) */
	double budget_converted; /* sum of the budgets converted, in the reporting currency; NAN
	                            when none was */
	size_t n_converted;      /* budgets in that sum */
	size_t n_not_converted;  /* budgets of the cell left out of it (listed in unconverted) */
	const struct cc_gap_rate *rates; /* the n_rates rates that converted the cell's budgets
	                                    (n_uses: in this cell), in the result's blocks */
	size_t n_rates;
	const struct cc_gap_unconverted *not_converted; /* the n_not_converted budgets left out */
};

struct cc_gaps {
	struct cc_gap_opts opts;
	/* owned: scored rows by gap (desc), then no severity (by unmet), then no figures and no
	   data (by PIN), then no PIN; ties by P-code and key */
	struct cc_gap_row *rows;
	size_t n_rows;
	size_t n_scored;
	size_t n_needs;          /* need records read */
	size_t n_needs_above;    /* needs above the requested level (not distributed) */
	size_t n_needs_unplaced; /* needs whose area has no ancestor at the level */
	size_t n_records_above;  /* coverage records above the level (not attributed) */
	bool has_budget;         /* budgets were given: the rows' budget fields mean something */
	struct cc_gap_money *money; /* owned: the rows' budget sums */
	size_t n_money;
	/* converted budget: with a reporting currency and rates given */
	bool has_conversion;
	char currency[4];       /* the reporting currency */
	int tolerance_days;
	struct cc_gap_rate *rates_used; /* owned: by currency, kind, date */
	size_t n_rates_used;
	struct cc_gap_unconverted *unconverted; /* owned: by activity */
	size_t n_unconverted;
	struct cc_gap_rate *row_rates;               /* owned: the rows' rates */
	struct cc_gap_unconverted *row_unconverted;  /* owned: the rows' not_converted */
	size_t n_row_rates, n_row_unconverted;
};

/* The inputs of cc_gaps_compute_ex; see cc_gaps_compute for each array. */
struct cc_gap_input {
	const struct cc_gap_need *needs;
	size_t n_needs;
	const struct cc_coverage_record *records;
	size_t n_records;
	const struct cc_gap_budget *budgets; /* NULL: budget not read (rows carry none) */
	size_t n_budgets;
	const struct cc_area *areas;
	size_t n_areas;
	const struct cc_gap_sector *sectors;
	size_t n_sectors;
	/* conversion of the budgets: the reporting currency (NULL or "": none) and the rates */
	const char *currency;
	const struct cc_rates *rates; /* sorted (cc_rates_sort); NULL: no conversion */
	int tolerance_days;
};

/* "largest single organisation's figure (partners in one area and sector may reach the same
 * people)", "sum over organisations (an upper bound)". Static strings. */
CC_API const char *cc_gap_reach_rule(enum cc_gap_reach reach);
/* The ranking rule as text. Static string. */
CC_API const char *cc_gap_rank_rule(void);
CC_API const char *cc_gap_status_name(enum cc_gap_status s);
/* The budget rule as text (one sum per currency, never converted). Static string. */
CC_API const char *cc_gap_budget_rule(void);
/* The conversion rule of budget_converted for a tolerance, as text into buf (size n). */
CC_API const char *cc_gap_money_rule(int tolerance_days, char *buf, size_t n);

/*
 * Computes the gap table. needs: total needs (breakdown rows must not be passed); records: the
 * coverage read (cc_store_load_coverage with by = CC_BY_PILLAR, so record.column is the
 * pillar); areas: every area either refers to and all their ancestors (duplicates allowed);
 * sectors: names for sector ids (may be incomplete: a missing one shows its id). Returns 0,
 * CC_ENOMEM, or CC_EINVALID when a need or record names an area not in areas; on error *out is
 * empty.
 */
CC_API int cc_gaps_compute(const struct cc_gap_need *needs, size_t n_needs,
                           const struct cc_coverage_record *records, size_t n_records,
                           const struct cc_area *areas, size_t n_areas,
                           const struct cc_gap_sector *sectors, size_t n_sectors,
                           const struct cc_gap_opts *opts, struct cc_gaps *out,
                           struct cc_err *err);
/*
 * cc_gaps_compute with the budget: in->budgets gives each activity's budget (an activity of
 * the records missing from it counts as without budget; the first of two entries for one
 * activity counts). Same returns.
 */
CC_API int cc_gaps_compute_ex(const struct cc_gap_input *in, const struct cc_gap_opts *opts,
                              struct cc_gaps *out, struct cc_err *err);
/* Frees what cc_gaps_compute allocated; accepts NULL and a released result. */
CC_API void cc_gaps_release(struct cc_gaps *g);

#endif
