/*
 * Money: exchange rates, and amounts converted to the mission's reporting currency.
 *
 * Rates are quoted as the European Central Bank quotes them: units of a currency for one euro
 * (USD 1.1836 on 2021-07-01 means 1 EUR = 1.1836 USD). Any pair converts through the euro:
 *
 *	amount in B = amount in A / per_eur(A, d) * per_eur(B, d)
 *
 * with each rate taken at the value date d: the fixing of that day, or else of the last earlier
 * day with a fixing no more than tolerance_days before d (there are none on weekends and TARGET
 * holidays). When a currency has no daily fixing within the tolerance, the annual average of
 * d's year is used if one is stored, and the conversion says so. EUR's rate is 1 on every day,
 * and an amount already in the target currency is never converted (no rate, no date needed).
 * Anything else is not converted, and says why: no currency, no value date, a currency with no
 * rate at all, or no rate near enough to the date. Nothing is ever guessed.
 *
 * A conversion names the rates it used (dates, kind), so every total can say which rate made it.
 */
#ifndef CONCORD_MONEY_H
#define CONCORD_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/import.h>
#include <concord/model.h>
#include <concord/store.h>

#define CC_FX_TOLERANCE_DAYS 5 /* default: Friday's fixing for a Wednesday after Easter */

enum cc_rate_kind {
	CC_RATE_DAILY = 0,  /* the fixing of one day */
	CC_RATE_ANNUAL = 1, /* the average over a calendar year, dated 1 January */
};

struct cc_rate {
	char currency[4];  /* ISO 4217, upper case; never "EUR" */
	enum cc_rate_kind kind;
	int32_t date;      /* the fixing's day; annual: 1 January of the year */
	double per_eur;    /* units of the currency for 1 EUR, > 0 */
};

/* A table of rates; cc_rates_sort() before any lookup (the store's loads come sorted). */
struct cc_rates {
	struct cc_rate *rates; /* owned */
	size_t n;
};

enum cc_fx_status {
	CC_FX_OK = 0,           /* converted */
	CC_FX_NO_CURRENCY,      /* the amount has no currency */
	CC_FX_NO_DATE,          /* the amount has no value date */
	CC_FX_UNKNOWN_CURRENCY, /* not a currency code, or no rate for it at all */
	CC_FX_NO_RATE,          /* rates for it, but none within the tolerance of the date */
};

/* One rate as used by a conversion. */
struct cc_fx_leg {
	char currency[4];
	enum cc_rate_kind kind;
	int32_t date;   /* the rate's date; CC_DATE_NONE for EUR (1 by definition) */
	double per_eur;
};

struct cc_fx {
	enum cc_fx_status status;
	double value;          /* in the target currency; NAN unless CC_FX_OK */
	double rate;           /* target units per unit of the amount's currency; NAN unless OK */
	bool same;             /* already in the target currency: no rate used */
	struct cc_fx_leg from; /* the amount's currency's rate (valid when OK and !same) */
	struct cc_fx_leg to;   /* the target's */
	char missing[4];       /* NO_RATE / UNKNOWN_CURRENCY: the currency lacking a rate */
};

/* One amount to convert. */
struct cc_amount {
	double value;
	char currency[4];   /* "" unknown */
	int32_t value_date; /* CC_DATE_NONE unknown */
};

/* "converted", "no currency", "no value date", "unknown currency", "no rate near the date" */
CC_API const char *cc_fx_status_text(enum cc_fx_status s);

/* Sorts by currency, kind, date (required before lookups of a table built by hand). */
CC_API void cc_rates_sort(struct cc_rates *r);
CC_API void cc_rates_release(struct cc_rates *r);

/*
 * The rate of currency for day: the daily fixing of that day or the last earlier one at most
 * tolerance_days before it, else the annual average of day's year. EUR gives per_eur 1 with
 * date CC_DATE_NONE. Returns CC_FX_OK with *out filled, CC_FX_UNKNOWN_CURRENCY or
 * CC_FX_NO_RATE.
 */
CC_API enum cc_fx_status cc_rates_find(const struct cc_rates *r, const char *currency,
                                       int32_t day, int tolerance_days, struct cc_fx_leg *out);

/* Converts amount a into currency to (see the top of this file); returns out->status. */
CC_API enum cc_fx_status cc_money_convert(const struct cc_rates *r, const struct cc_amount *a,
                                          const char *to, int tolerance_days, struct cc_fx *out);

/* A sum of amounts in one currency, and what could not be added to it. */
struct cc_money_total {
	char currency[4];
	double total;          /* of the converted amounts */
	size_t n_converted;    /* amounts in the total (same currency included) */
	size_t n_unconverted;  /* amounts left out, each listed in fx[] with its reason */
	int32_t first_rate, last_rate; /* range of the daily rate dates used; CC_DATE_NONE none */
	size_t n_annual;       /* conversions that used an annual average */
};

/*
 * Converts n amounts into to and adds them up. fx (n entries, may be NULL) receives each
 * conversion, so the caller can list the amounts left out (status != CC_FX_OK).
 */
CC_API void cc_money_sum(const struct cc_rates *r, const struct cc_amount *a, size_t n,
                         const char *to, int tolerance_days, struct cc_fx *fx,
                         struct cc_money_total *out);

/* ---- the store ---- */

/* Adds or updates one rate (natural key: currency, kind, date); source may be NULL. */
CC_API int cc_store_put_rate(struct cc_store *st, const struct cc_rate *r, const char *source,
                             enum cc_put_result *res_out, struct cc_err *err);
/* Every stored rate, sorted (or those of currencies, a NULL-ended list; NULL: all). */
CC_API int cc_store_load_rates(struct cc_store *st, const char *const *currencies,
                               struct cc_rates *out, struct cc_err *err);
/* The mission's reporting currency and tolerance; CC_ENOTFOUND when none was set. */
CC_API int cc_store_get_money(struct cc_store *st, int64_t mission_id, char currency[static 4],
                              int *tolerance_days_out, struct cc_err *err);
/* Sets them (currency: three letters A–Z, any case; tolerance_days 0..31). */
CC_API int cc_store_set_money(struct cc_store *st, int64_t mission_id, const char *currency,
                              int tolerance_days, struct cc_err *err);

/*
 * Imports exchange rates from a CSV file, in one of two layouts told apart by the header:
 *	daily  (the ECB's eurofxref-hist.csv): Date, then one column per currency (units per EUR),
 *	       "N/A" where a currency has no fixing that day; a trailing empty column is allowed;
 *	annual: year, currency, units_per_eur (other columns ignored).
 * A row is rejected (file, line, field) for a bad date or year, or a rate that is not a positive
 * number; "N/A" and empty cells are no rate, not an error. Re-importing updates changed rates
 * and adds new ones; it never removes rates. rep counts rates (added, updated, unchanged) and
 * rows (read, rejected). One transaction; --dry-run and --strict as for every import.
 */
CC_API int cc_import_rates(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                           struct cc_import_report *rep, struct cc_err *err);

/* ---- `concord money` and GET /api/money (src/report/format_money.c) ---- */

/* Where an amount comes from. */
enum cc_money_kind {
	CC_MONEY_3W = 0,         /* a 3W activity's budget, valued at its start */
	CC_MONEY_IATI_BUDGET,    /* an IATI budget */
	CC_MONEY_IATI_PLANNED,   /* an IATI planned disbursement */
	CC_MONEY_IATI_COMMIT,    /* IATI transactions of type 2, 3, 4 */
	CC_MONEY_IATI_DISB,
	CC_MONEY_IATI_EXP,
	CC_MONEY_N
};

/* "3W budgets", "IATI budgets", … */
CC_API const char *cc_money_kind_label(enum cc_money_kind k);

/* One amount, where it comes from ("source:line" or the IATI identifier) and its conversion. */
struct cc_money_item {
	enum cc_money_kind kind;
	struct cc_amount a;
	char where[300];
	struct cc_fx fx;
};

/* Every amount of a mission the reader may see, converted into one currency. */
struct cc_money_report {
	char mission[32];
	char currency[4];
	int tolerance_days;
	struct cc_money_item *items; /* owned, n_items: 3W budgets first, then IATI by activity */
	size_t n_items;
	size_t n_per_kind[CC_MONEY_N];
	struct cc_money_total totals[CC_MONEY_N]; /* of the kinds with n_per_kind > 0 */
};

/*
 * Reads the amounts of mission (NULL: the only one) through st's viewer (3W budgets of the
 * activities it may see; IATI activities are published data) and converts them into currency
 * (NULL: the mission's reporting currency, CC_ENOTFOUND when it has none; else three letters,
 * CC_EUSAGE with field "currency") with rates up to tolerance_days (< 0: the mission's, else
 * CC_FX_TOLERANCE_DAYS) before each value date. Release with cc_money_report_release.
 */
CC_API int cc_money_report_load(struct cc_store *st, const char *mission, const char *currency,
                                int tolerance_days, struct cc_money_report *out,
                                struct cc_err *err);
CC_API void cc_money_report_release(struct cc_money_report *r);

/*
 * Appends the report as `concord money` prints it: fmt 0 the text (with show_rates every
 * converted amount with its rates, then every amount not converted with the reason), 1 CSV
 * (the totals per kind), 2 JSON (totals, then every converted amount with the rates used and
 * every amount not converted with the reason) — the values of enum cc_format. 0 or CC_ENOMEM,
 * CC_ETOOBIG.
 */
struct cc_buf;
CC_API int cc_money_report_format(const struct cc_money_report *r, int fmt, bool show_rates,
                                  struct cc_buf *out, struct cc_err *err);

#endif
