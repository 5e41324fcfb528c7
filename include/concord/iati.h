/*
 * IATI activity files: donors' published activities → the store.
 *
 * cc_import_iati() reads an IATI activity XML file (versions 1.0x and 2.0x, decided per
 * activity: the activity's version attribute, else d-portal's iati-activities:version on it,
 * else the version of the enclosing iati-activities, and a missing version means 1.0x; a version
 * that is given must be one of the standard's, 1.01–1.05 or 2.01–2.03). It is
 * streamed with libxml2's xmlTextReader: one <iati-activity> is expanded at a time and freed
 * before the next, so memory stays flat whatever the size of the file. 1.0x text codes
 * (activity-date type "start-planned", transaction-type "C", budget type "Revised",
 * participating-org role "Funding", sector vocabulary "DAC") are mapped onto 2.0x codes; text is
 * taken from <narrative> (English first) or, in 1.0x, from the element itself. API wrappers
 * around <iati-activities> (<result><ok>True</ok><iati-activities>…) are accepted.
 *
 * What is stored, per activity (natural key: source × iati-identifier):
 *	the activity     identifier, version, title, description, status, reporting
 *	                 organisation (ref, type, name), default currency, hierarchy,
 *	                 humanitarian flag
 *	iati_org         participating organisations with role and type
 *	iati_date        every activity-date (type 1–4)
 *	iati_recipient   recipient countries and regions with percentages
 *	iati_sector      sectors with vocabulary and percentage
 *	iati_location    locations: point (lat, lon), exactness, administrative codes, and the admin
 *	                 area the point lies in (deepest stored area whose polygon covers it, by
 *	                 point-in-polygon behind the R*Tree; else an administrative code equal to
 *	                 a stored P-code)
 *	iati_budget      budgets and planned disbursements: period, value, currency, value date
 *	iati_transaction type, date, value, currency, value date, provider and receiver
 *	iati_indicator   results and their indicators: title, measure, ascending, the total
 *	                 baseline, and the Concord indicator code that feeds the indicator tables
 *	iati_period      each indicator period with its total target and actual
 *	iati_result_value every baseline, target and actual as read, with the refs of the
 *	                 activity locations and the dimensions (name=value) it names
 *	last_updated     the activity's last-updated-datetime
 * Each activity in the mission's country also becomes Concord activities (struct cc_activity of
 * the same source), one per activity × sector of vocabulary 1, 2 or 10 known to the store (sector
 * 0 when there is none) × admin area of its located points (at most 16 of each), so that
 * coverage, gaps and overlap count it. An activity with no located point counts in the
 * country's area (level 0) when the mission's country is one of its recipient countries; an
 * activity neither located in a mission area nor naming the mission's country is not the
 * mission's and gets no Concord activity (its IATI records are stored all the same).
 * Results feed <concord/indicators.h>: an indicator per result indicator, coded
 * "IDENTIFIER#R.I" (result and indicator positions, 1-based; "iati:HASH#R.I" when the identifier
 * is too long). Every value goes to the series of its breakdown: the area is that of the
 * activity locations it names (placed by point or P-code; a location not placed, such as a
 * country-wide one, and no location mean the whole mission); a dimension whose name says sex or
 * gender gives the sex (values containing female/women/girl/feminin or "F": female;
 * male/men/boy/masculin or "M": male; total/all/both: total), one whose name is "age…" or an
 * age group gives the age group (its value as written). A value naming a location the activity
 * lacks, locations in different areas, an unknown sex or any other dimension ("Direct/
 * Indirect", disability …) is kept in iati_result_value only, not fed: one warning per
 * indicator says how many and why. Each series gets a baseline benchmark per baseline, a
 * milestone per period target (at the period end) and its latest period's target as the
 * target, and an observation per period actual; a second value for the same series and date is
 * reported and the first one kept.
 *
 * Faults:
 *	whole file   not well-formed XML, or no <iati-activities> in it: CC_EPARSE with the line and
 *	             column of the fault (err->line; the column is in the message); nothing stored
 *	activity     no or empty iati-identifier, an identifier repeated in the file, a date or
 *	             money value that is not one, coordinates out of range or swapped (no
 *	             stored area covers the point but one covers it with latitude and
 *	             longitude exchanged), a transaction without a known type, a version
 *	             attribute that is not 1.01–1.05 or 2.01–2.03 (field "version"): the activity
 *	             is rejected (on_reject with file:line: element: reason; the rejects file gets
 *	             iati-identifier, element, error), nothing of it stored. A wrong version on
 *	             iati-activities is the whole file's fault (CC_EPARSE, field "version").
 *	warning      sector percentages of a vocabulary (or recipient country and region
 *	             percentages) that do not sum to 100, result values that are not numbers,
 *	             result values not fed to indicators (see above), unknown 1.0x codes and
 *	             activity statuses, an empty participating-org activity-id (a rule of the
 *	             standard the XSD cannot state; real files break it, and Concord does not use
 *	             the attribute, so the activity is kept): reported through on_reject the same
 *	             way (message starts "warning:"), counted in cc_iati_report.n_warnings, the
 *	             activity is stored
 * The same activity in two files: an iati-identifier is stored once per mission. When it is
 * already stored from another file, the copy with the later last-updated-datetime (compared
 * as instants, zone offsets applied; a copy without one is older than any that has one) is
 * kept; on a tie the copy stored first stays. A newer copy replaces the older one (its IATI
 * rows and the Concord activities it gave rise to are removed) and an older copy is not
 * stored and counts as unchanged; both cases are reported as warnings naming the other file.
 * Imports are atomic and idempotent as for cc_import_3w (same-file digest, one transaction,
 * --strict, --dry-run; activities gone from the file are removed when nothing was rejected).
 * NEEDSWORK: indicators, benchmarks and observations of a removed activity are kept.
 */
#ifndef CONCORD_IATI_H
#define CONCORD_IATI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/import.h>
#include <concord/model.h>
#include <concord/store.h>

struct cc_iati_org {
	char role[8]; /* OrganisationRole 1 funding, 2 accountable, 3 extending, 4 implementing */
	char type[8]; /* OrganisationType code, "" unknown */
	char ref[128];
	char name[256];
};

struct cc_iati_date {
	int type; /* ActivityDateType: 1 planned start, 2 actual start, 3 planned end, 4 actual end
	           */
	int32_t date;
};

struct cc_iati_recipient {
	bool region; /* recipient-region, else recipient-country */
	char code[16];
	char vocabulary[8]; /* regions: RegionVocabulary, "" for countries */
	double percentage;  /* NAN when not given */
};

struct cc_iati_sector {
	char vocabulary[8]; /* 2.0x SectorVocabulary ("1" DAC 5-digit, "2", "10", "99" …) */
	char code[64];
	double percentage; /* NAN when not given */
	long line;
};

struct cc_iati_location {
	char ref[64];
	char name[200];
	double lat, lon;   /* NAN when no point */
	char exactness[8]; /* 2.0x exactness code, or 1.0x coordinates precision */
	char admin[256];   /* "vocabulary:level:code" of each administrative element, ';' between */
	int64_t area_id;   /* 0: not placed */
	long line;
};

enum cc_iati_budget_kind {
	CC_IATI_BUDGET = 0,
	CC_IATI_PLANNED_DISBURSEMENT = 1,
};

struct cc_iati_budget {
	enum cc_iati_budget_kind kind;
	char type[8];   /* BudgetType 1 original, 2 revised */
	char status[8]; /* BudgetStatus 1 indicative, 2 committed; "" */
	int32_t period_start, period_end;
	double value;
	char currency[4]; /* the value's, else the activity's default; "" unknown */
	int32_t value_date;
};

struct cc_iati_transaction {
	char type[8]; /* 2.0x TransactionType code ("1".."13") */
	int32_t date;
	double value;
	char currency[4];
	int32_t value_date;
	char provider_ref[128], provider_name[200];
	char receiver_ref[128], receiver_name[200];
};

struct cc_iati_indicator {
	int result;          /* 1-based position of its result in the activity */
	int position;        /* 1-based position within the result */
	char result_type[8]; /* ResultType 1 output, 2 outcome, 3 impact, 9 other */
	char code[64];       /* the Concord indicator code (see above) */
	char ref[64];        /* the indicator's own reference code, "" none */
	char title[200];
	int measure; /* IndicatorMeasure 1–5 */
	bool ascending;
	int32_t baseline_date;
	double baseline;  /* NAN none or not a number */
	size_t n_periods; /* periods as read (in the activity's periods) */
};

/*
 * A period of an indicator: its total target and actual (NAN none or not a number): the value
 * of the period with no dimension and no location placed in an area (the whole mission). Every
 * value, broken down or not, is in the activity's values.
 */
struct cc_iati_period {
	size_t indicator; /* index into the activity's indicators */
	int32_t start, end;
	double target, actual;
};

enum cc_iati_value_kind {
	CC_IATI_VALUE_BASELINE = 0,
	CC_IATI_VALUE_TARGET = 1,
	CC_IATI_VALUE_ACTUAL = 2,
};

/* Every baseline, target and actual of a result indicator as read, with its breakdown. */
struct cc_iati_result_value {
	size_t indicator; /* index into the activity's indicators */
	size_t period;    /* index into the activity's periods; SIZE_MAX for a baseline */
	enum cc_iati_value_kind kind;
	double value;         /* NAN absent or not a number */
	int32_t date;         /* a baseline's iso-date, else 1 January of its year; else none */
	char locations[256];  /* refs of the activity's locations it names, ';' between */
	char dimensions[512]; /* its dimensions as "name=value", '\n' between */
};

/*
 * One activity as the importer hands it to the store. Arrays are borrowed for the call; the
 * store writes them all, replacing what the activity had, when the digest differs.
 */
struct cc_iati_activity {
	int64_t id;
	int64_t mission_id;
	int64_t source_id;
	char identifier[256];
	char version[8]; /* "1.03", "2.03" … as decided; "1.0x" when none given */
	char title[512];
	char description[2048]; /* the general description (type 1, else the first) */
	char status[8];         /* ActivityStatus code, "" */
	char default_currency[4];
	int hierarchy; /* 0 not given */
	bool humanitarian;
	struct cc_iati_org reporting;
	long line;
	const struct cc_iati_org *orgs;
	size_t n_orgs;
	const struct cc_iati_date *dates;
	size_t n_dates;
	const struct cc_iati_recipient *recipients;
	size_t n_recipients;
	const struct cc_iati_sector *sectors;
	size_t n_sectors;
	const struct cc_iati_location *locations;
	size_t n_locations;
	const struct cc_iati_budget *budgets;
	size_t n_budgets;
	const struct cc_iati_transaction *transactions;
	size_t n_transactions;
	const struct cc_iati_indicator *indicators;
	size_t n_indicators;
	const struct cc_iati_period *periods;
	size_t n_periods;
	const struct cc_iati_result_value *values;
	size_t n_values;
	char last_updated[40]; /* last-updated-datetime as given, "" none */
	unsigned char digest[16]; /* covers every field above */
};

/* Extra counts of one IATI import (beyond struct cc_import_report). */
struct cc_iati_report {
	size_t n_activities;   /* activities stored (added, updated or unchanged) */
	size_t n_transactions; /* of the stored activities */
	size_t n_budgets;      /* budgets and planned disbursements */
	size_t n_locations;
	size_t n_placed; /* locations placed in an admin area */
	size_t n_indicators;
	size_t n_warnings;
	size_t n_v1; /* activities read as 1.0x */
};

/*
 * Imports the IATI activity file at path (see above). Returns 0 (activities may have been
 * rejected: rep->n_rejected), CC_EREJECTED (strict), CC_EPARSE for a file that is not IATI or
 * not well-formed (nothing stored), or another error (nothing stored).
 */
CC_API int cc_import_iati(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                          struct cc_import_report *rep, struct cc_err *err);
/* The same, also filling *irep (may be NULL). */
CC_API int cc_import_iati_ex(struct cc_store *st, const char *path,
                             const struct cc_import_opts *opts, struct cc_import_report *rep,
                             struct cc_iati_report *irep, struct cc_err *err);

/*
 * Writes the mission's IATI activities (every source; mission NULL: the store's only one) as an
 * IATI 2.03 activity file at path, with xmlTextWriter, in the order the schema wants; *n_out
 * gets the number of activities. What was read is written back (text as English narratives,
 * 1.0x codes as 2.0x codes, every result value with its locations and dimensions, the
 * last-updated-datetime), so importing the file gives the same records. Where the schema
 * requires an element the source lacked, a stated rule fills it from the activity's own data:
 *	description       the title, as a description of type 1 (general)
 *	activity-date     the earliest transaction date (else the first budget's start) as the
 *	                  actual start (type 2)
 *	transaction-date  the value-date; and a missing value-date is the transaction-date
 *	value-date        of a budget or planned disbursement: its period start
 * So importing the export gives the same records but for those filled-in fields (and the
 * version, 2.03, and an indicator's reference code, which is not written). Other required
 * elements the store lacks (a reporting-org without ref or type, no activity-status) are left
 * out: every real file checked (the shared IATI files and the repository's excerpts) has them,
 * and their exports validate against the IATI 2.03 XSD.
 */
CC_API int cc_export_iati(struct cc_store *st, const char *mission, const char *path, size_t *n_out,
                          struct cc_err *err);
/* The same document appended to out (no file): for the API's download. */
struct cc_buf;
CC_API int cc_export_iati_buf(struct cc_store *st, const char *mission, struct cc_buf *out,
                              size_t *n_out, struct cc_err *err);

/* ---- store ---- */

/*
 * Stores one activity of an import of a->source_id in batch, by (source, identifier): added,
 * updated (digest differs: every detail row replaced), unchanged, or duplicate (already stored
 * by this batch: *dup_line_out is the line that stored it, nothing changes). Sets a->id.
 */
CC_API int cc_store_put_iati_activity(struct cc_store *st, struct cc_iati_activity *a,
                                      int64_t batch, enum cc_put_result *res_out,
                                      long *dup_line_out, struct cc_err *err);
/* Removes the source's IATI activities (and their details) not seen by batch. */
CC_API int cc_store_remove_stale_iati(struct cc_store *st, int64_t source_id, int64_t batch,
                                      size_t *n_removed_out, struct cc_err *err);
/*
 * Calls fn for each IATI activity of the mission (0: all), by id, with every detail filled
 * (arrays owned by the store, valid during the call). fn returns 0 to go on, < 0 to stop with
 * that error.
 */
typedef int cc_iati_activity_fn(void *ctx, const struct cc_iati_activity *a, struct cc_err *err);
CC_API int cc_store_each_iati_activity(struct cc_store *st, int64_t mission_id,
                                       cc_iati_activity_fn *fn, void *ctx, struct cc_err *err);

/* Where an activity is stored (see cc_store_find_other_iati). */
struct cc_iati_stored {
	int64_t id;
	int64_t source_id;
	char source[128];      /* the source's name */
	char last_updated[40]; /* "" none */
	long line;
};
/*
 * The mission's activity with this identifier stored from another source than source_id: 0
 * with *out filled, or CC_ENOTFOUND.
 */
CC_API int cc_store_find_other_iati(struct cc_store *st, int64_t mission_id,
                                    const char *identifier, int64_t source_id,
                                    struct cc_iati_stored *out, struct cc_err *err);
/* Calls fn once for the activity id (details filled); CC_ENOTFOUND when there is none. */
CC_API int cc_store_get_iati_activity(struct cc_store *st, int64_t id, cc_iati_activity_fn *fn,
                                      void *ctx, struct cc_err *err);
/*
 * Removes the activity id with its details, and the Concord activities of its source whose
 * natural keys are natkeys (those it gave rise to).
 */
CC_API int cc_store_remove_iati_activity(struct cc_store *st, int64_t id,
                                         const unsigned char (*natkeys)[16], size_t n_natkeys,
                                         struct cc_err *err);

/*
 * Rows of one IATI table ("iati_activity", "iati_org", "iati_date", "iati_recipient",
 * "iati_sector", "iati_location", "iati_budget", "iati_transaction", "iati_indicator",
 * "iati_period", "iati_result_value") of the
 * mission (0: all missions); CC_EINVALID for another name.
 */
CC_API int cc_store_count_iati(struct cc_store *st, int64_t mission_id, const char *table,
                               int64_t *n_out, struct cc_err *err);

#endif
