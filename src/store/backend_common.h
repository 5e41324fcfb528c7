/*
 * The logic both store backends share, apart from their database (internal): growing arrays,
 * the change log's hash chain, the columns of the coverage read, pages of activities and what
 * an edit of one record comes to. SQL and the reading of rows stay in each backend (sqlite.c,
 * postgres.c); what is here sees plain values only (or the store's public calls, as the edits'
 * change-log entry), so that the two backends cannot drift apart in what they compute.
 */
#ifndef CC_STORE_BACKEND_COMMON_H
#define CC_STORE_BACKEND_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/activities.h>
#include <concord/coverage.h>
#include <concord/error.h>
#include <concord/indicators.h>
#include <concord/model.h>
#include <concord/store.h>

#include "core/blob.h"

/* Makes room for one more item in *arr (capacity *cap, n used); 0 or CC_ENOMEM. */
int cc__grow(void **arr, size_t *cap, size_t n, size_t size);

/* ---- the schema ---- */

/* How many migrations list holds (up to its entry with a NULL name), checking they are numbered
 * 0001_, 0002_, … in order; or CC_ESTORE. */
int cc__migrations_count(const struct cc__blob *list, struct cc_err *err);
/* The error of a schema newer than this program's (have > want). */
int cc__schema_newer(int have, int want, struct cc_err *err);
/* Whether a store at schema version have (> 0) may be opened by a program at want with flags
 * (enum cc_store_flags): 0, or CC_ESCHEMA when it is newer, or older without
 * CC_STORE_ANY_SCHEMA. */
int cc__schema_usable(int have, int want, unsigned flags, struct cc_err *err);

/* ---- the change log ---- */

/* One entry as stored: ids 0 and empty text are NULL in the table and hash as 0 and "". */
struct cc__change_entry {
	int64_t id;
	const char *at, *who, *tbl, *op;
	int64_t record_id, first_id, last_id, batch, count, mission_id;
	const char *releasability, *detail, *prev_hash;
};

/*
 * Fills e for change c as entry id after the entry whose hash is prev, written now (into at)
 * by who; then its hash is cc__change_hash(e). e points into c, prev, who and at.
 */
void cc__change_entry_make(struct cc__change_entry *e, int64_t id, const struct cc_change *c,
                           const char *who, const char *prev, char at[static 32]);

/* hash = hex SHA-256 over the previous entry's hash and every field of this one, in order. */
void cc__change_hash(const struct cc__change_entry *e, char out[static 65]);

/* The time now as ISO 8601 UTC, "2024-05-01T12:00:00Z" ("" if it cannot be written). */
void cc__store_now_iso(char out[static 32]);

/*
 * Checks entry e, read back with its stored hash, against the chain: prev is the hash of the
 * entry before it ("" for the first) and becomes e's. 0 or CC_EINVALID.
 */
int cc__change_check(const struct cc__change_entry *e, const char *stored_hash,
                     char prev[static 65], struct cc_err *err);

/* ---- the columns of the coverage read ---- */

/* A sector seen by the coverage read: its column once the columns are known. */
struct cc__cov_seen {
	int64_t sector_id;
	bool cluster; /* vocabulary "10" */
	int column;
	struct cc_coverage_column col;
};

/* The records read so far and the sectors they name. */
struct cc__cov_read {
	struct cc_coverage_record *recs;
	size_t n_recs, cap_recs;
	struct cc__cov_seen *seen; /* sorted by sector_id */
	size_t n_seen, cap_seen;
	bool sectorless; /* some record has no sector, or one missing from the sector table */
};

/* A new record at the end of r->recs (its fields for the caller to fill), or NULL. */
struct cc_coverage_record *cc__cov_add(struct cc__cov_read *r);

/*
 * Notes what rec's column depends on for by: with CC_BY_PILLAR its pillar (NULL: none) sets
 * rec->column; otherwise the record's sector (code NULL: no sector) is noted for
 * cc__cov_columns(). 0 or CC_ENOMEM.
 */
int cc__cov_place(struct cc__cov_read *r, struct cc_coverage_record *rec, enum cc_coverage_by by,
                  const char *pillar, const char *vocabulary, const char *code, const char *name);

/*
 * The columns for by (a new array, owned), and each record's column: the pillars in their
 * order; else the sectors (CC_BY_CLUSTER: those of vocabulary "10") by code, then "other"
 * where a record falls in none.
 */
int cc__cov_columns(struct cc__cov_read *r, enum cc_coverage_by by, struct cc_coverage_column **out,
                    size_t *n_out, struct cc_err *err);

/* Frees what r holds (the records too, unless the caller took them and set recs NULL). */
void cc__cov_release(struct cc__cov_read *r);

/* ---- pages of activities (cc_store_list_activities) ---- */

/* The text fields of an activity row, in the order a backend gives them. */
enum cc__act_text {
	CC__AT_TITLE, CC__AT_DESC, CC__AT_STATUS, CC__AT_ORG_KEY, CC__AT_ORG_NAME, CC__AT_IMPL,
	CC__AT_FUNDER, CC__AT_VOC, CC__AT_CODE, CC__AT_SECTOR, CC__AT_PCODE, CC__AT_AREA,
	CC__AT_CURRENCY, CC__AT_OWNER, CC__AT_SOURCE, CC__AT_N
};

/* Makes out a page of room for limit rows, its texts kept in out->priv. 0 or CC_ENOMEM. */
int cc__act_page_init(struct cc_activity_page *out, size_t limit, struct cc_err *err);
/* Keeps the n bytes of t (NULL: "") as text field f of row i. 0 or CC_ENOMEM. */
int cc__act_page_text(struct cc_activity_page *out, size_t i, enum cc__act_text f, const char *t,
                      size_t n);
/* Points the texts of the out->n_rows rows into the page, once every row is in. */
void cc__act_page_fix(struct cc_activity_page *out);
/*
 * Row i's version (its ETag): a digest of the stored content's digest (len bytes, none when
 * NULL), its releasability as stored, deny, shared and its owner's key (text field CC__AT_OWNER,
 * already kept).
 */
void cc__act_version(struct cc_activity_page *out, size_t i, const void *digest, size_t len,
                     const char *rel);

/* ---- edits of one record (cc_store_update_activity, cc_store_update_observation) ---- */

/*
 * What an edit comes to once the backend has run it in its transaction: ret is the update's
 * result and other the id of the record that already has the edited one's natural key (0:
 * none, then the update ran). ret when it failed; CC_EEXIST naming other; else the change-log
 * entry of the edit is written: 0 or its error.
 */
int cc__edit_activity_done(struct cc_store *st, const struct cc_activity *a, int ret, int64_t other,
                           struct cc_err *err);
/* The same for observation o of an indicator of mission_id. */
int cc__edit_observation_done(struct cc_store *st, int64_t mission_id,
                              const struct cc_observation *o, int ret, int64_t other,
                              struct cc_err *err);

#endif
