/*
 * Reporting rounds and gazetteer versions.
 *
 * Rounds: a 3W import is a submission by the organisations of its rows for the period of its
 * source (--period). For an organisation and a period the latest submission counts: a partner
 * that sends its quarter twice (a corrected file under another name) is counted once, from the
 * later file. cc_rounds_compute() says per period which organisations reported and which of
 * the organisations known to the mission did not; cc_store_rounds_excluded() names the activity
 * records that do not count (superseded, or not yet imported at an --as-of date), and
 * cc_rounds_filter() drops them from a coverage read.
 *
 * Gazetteer versions: areas carry valid-from/valid-to dates and name aliases (used by every
 * importer's name fallback), and a crosswalk maps old areas onto new ones with shares, so that
 * figures of an old layout (population, indicator values) can be carried onto a new one by
 * cc_crosswalk_apply().
 *
 * The cc_rounds_* and cc_crosswalk_* functions without a store are pure: no I/O.
 */
#ifndef CONCORD_ROUNDS_H
#define CONCORD_ROUNDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/coverage.h>
#include <concord/error.h>
#include <concord/import.h>
#include <concord/model.h>
#include <concord/store.h>

/* One submission as read back: the latest import of one source for one organisation. */
struct cc_submission {
	int64_t source_id;
	int64_t org_id;
	char source[256];
	char org[128];        /* the organisation's key */
	char org_name[256];
	int32_t period_from;  /* CC_DATE_NONE: the source has no period */
	int32_t period_to;
	char imported_at[32]; /* ISO 8601 UTC */
	int64_t n_rows;       /* activity rows of the organisation in the source then */
};

/* An organisation of the mission (the population of "who should report"). */
struct cc_round_org {
	int64_t id;
	char key[128];
	char name[256];
};

/* One organisation in one period: reported (from which source, when) or missing. */
struct cc_round_entry {
	int64_t org_id;
	bool reported;
	size_t submission;   /* index into the submissions when reported */
	size_t n_superseded; /* earlier submissions of the same organisation and period */
};

struct cc_round {
	int32_t period_from, period_to;
	struct cc_round_entry *entries; /* n_orgs entries, reported first, each by key */
	size_t n_entries;
	size_t n_reported;
};

struct cc_rounds {
	struct cc_round *rounds; /* owned; by period_from, period_to */
	size_t n_rounds;
	struct cc_round_entry *block; /* owned: every round's entries */
};

/*
 * Per period (submissions without a period are left out): which of orgs reported (the latest
 * submission of each, the earlier ones counted as superseded) and which did not. Submissions
 * and orgs are borrowed; the result refers to them by index. 0 or CC_ENOMEM.
 */
CC_API int cc_rounds_compute(const struct cc_submission *subs, size_t n_subs,
                             const struct cc_round_org *orgs, size_t n_orgs,
                             struct cc_rounds *out, struct cc_err *err);
CC_API void cc_rounds_release(struct cc_rounds *r);

/*
 * Appends the rounds as `concord rounds` prints them (src/report/format_rounds.c): fmt 0 the
 * text, 1 CSV, 2 JSON (the values of enum cc_format). 0, CC_ENOMEM or CC_ETOOBIG.
 */
struct cc_buf;
CC_API int cc_rounds_format(const struct cc_rounds *rr, const struct cc_submission *subs,
                            const struct cc_round_org *orgs, size_t n_orgs, int fmt,
                            struct cc_buf *out, struct cc_err *err);

/*
 * Drops from records (in place) those whose activity_id is in excluded (sorted ascending);
 * *n_records is updated. Pure.
 */
CC_API void cc_rounds_filter(struct cc_coverage_record *records, size_t *n_records,
                             const int64_t *excluded, size_t n_excluded);

/* Records the submissions of a 3W import of source_id in batch (one per organisation). */
CC_API int cc_store_record_submissions(struct cc_store *st, int64_t source_id, int64_t batch,
                                       struct cc_err *err);
/* The latest submission of each source and organisation of the mission, as known at as_of
   (CC_DATE_NONE: now), by period, organisation key, import time. *out owned (cc_free). */
CC_API int cc_store_list_submissions(struct cc_store *st, int64_t mission_id, int32_t as_of,
                                     struct cc_submission **out, size_t *n_out,
                                     struct cc_err *err);
/*
 * The organisations expected to report, by key: the mission's members and every organisation
 * that ever reported; with all, every organisation of the mission (name: its acronym, else its
 * name). *out owned (cc_free).
 */
CC_API int cc_store_round_orgs(struct cc_store *st, int64_t mission_id, bool all,
                               struct cc_round_org **out, size_t *n_out, struct cc_err *err);
/* The sectors of a vocabulary ("10": IASC clusters) as key = code, name. *out owned. */
CC_API int cc_store_list_sector_codes(struct cc_store *st, const char *vocabulary,
                                      struct cc_round_org **out, size_t *n_out,
                                      struct cc_err *err);
/*
 * The activity ids of the mission that do not count (sorted): rows of a submission superseded
 * by a later one of the same organisation and period, and, with as_of, rows of sources not yet
 * imported by the end of that day. *out owned (cc_free), NULL when none.
 */
CC_API int cc_store_rounds_excluded(struct cc_store *st, int64_t mission_id, int32_t as_of,
                                    int64_t **out, size_t *n_out, struct cc_err *err);

/* ---- gazetteer versions ---- */

/* The dates an area is valid (CC_DATE_NONE: open); CC_ENOTFOUND for an unknown P-code. */
CC_API int cc_store_set_area_validity(struct cc_store *st, const char *pcode, int32_t from,
                                      int32_t to, struct cc_err *err);
CC_API int cc_store_area_validity(struct cc_store *st, const char *pcode, int32_t *from,
                                  int32_t *to, struct cc_err *err);

/* One crosswalk row: from date on, share of the old area belongs to the new one. */
struct cc_crosswalk {
	int64_t old_id, new_id;
	char old_pcode[32], new_pcode[32];
	double share;
	int32_t date;
};

CC_API int cc_store_put_crosswalk(struct cc_store *st, const struct cc_crosswalk *c,
                                  const char *source, struct cc_err *err);
/* Every crosswalk row, by date, old P-code, new P-code. *out owned (cc_free). */
CC_API int cc_store_list_crosswalk(struct cc_store *st, struct cc_crosswalk **out, size_t *n_out,
                                   struct cc_err *err);

/* A value of one area (population, an indicator's count). */
struct cc_area_value {
	int64_t area_id;
	double value;
};

/*
 * Carries values onto the layout valid at date at: a value of an area that a crosswalk row
 * (date <= at) maps onward is split by the shares onto the new areas, repeatedly (a new area
 * may itself be split later); other values stay where they are. Values of one area are summed.
 * *out (owned, cc_free) is sorted by area id. Shares of one old area at one date must add up to
 * 1 within 1e-6, else CC_EINVALID naming the area. Pure.
 */
CC_API int cc_crosswalk_apply(const struct cc_crosswalk *cw, size_t n_cw,
                              const struct cc_area_value *in, size_t n_in, int32_t at,
                              struct cc_area_value **out, size_t *n_out, struct cc_err *err);

/*
 * Imports a crosswalk CSV (old_pcode,new_pcode,share,date; HXL or plain header): both areas
 * must exist, shares in (0, 1] adding up to 1 per old area and date. Each old area gets
 * valid_to = date - 1 and each new one valid_from = date unless already set. As cc_import_3w.
 */
CC_API int cc_import_crosswalk(struct cc_store *st, const char *path,
                               const struct cc_import_opts *opts, struct cc_import_report *rep,
                               struct cc_err *err);

/*
 * Writes a blank HXL 3W for partners to path: the header and hashtag rows that
 * `concord import 3w` reads, then no data rows, then the lists of valid P-codes (with names),
 * sectors (IASC clusters) and organisations of the mission as '#'-comment lines below. The
 * counts written are returned in n_*_out (may be NULL).
 */
CC_API int cc_template_3w(struct cc_store *st, int64_t mission_id, const char *path,
                          size_t *n_areas_out, size_t *n_sectors_out, size_t *n_orgs_out,
                          struct cc_err *err);
/*
 * The same two files into buffers: tpl the blank 3W, lists what its columns may hold (the file
 * cc_template_3w writes beside it as FILE-lists.csv); GET /api/template/3w and /3w-lists.
 */
struct cc_buf;
CC_API int cc_template_3w_buf(struct cc_store *st, int64_t mission_id, struct cc_buf *tpl,
                              struct cc_buf *lists, size_t *n_areas_out, size_t *n_sectors_out,
                              size_t *n_orgs_out, struct cc_err *err);

#endif
