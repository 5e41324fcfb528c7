/*
 * The lessons-learned register: lessons in the observation / discussion / conclusion /
 * recommendation (ODCR) form, the evidence behind them, and full-text search over them.
 *
 * A lesson is identified by its key ("KOS-001"); its mission is optional (the shipped seed
 * register belongs to no mission). Its status moves one step at a time along
 * observed -> analysed -> action-assigned -> implemented -> validated; a write that tries any
 * other move fails with CC_EINVALID naming both states (a new lesson may start in any state).
 * Every write is logged in the change log, in the same transaction as the write.
 *
 * struct cc_lesson owns nothing (fixed arrays), so it copies freely. Arrays returned through
 * **out are owned by the caller (cc_free, or the _free function named).
 */
#ifndef CONCORD_LESSONS_H
#define CONCORD_LESSONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/import.h>
#include <concord/model.h>
#include <concord/store.h>

enum cc_lesson_status {
	CC_LESSON_OBSERVED = 0,
	CC_LESSON_ANALYSED,
	CC_LESSON_ACTION_ASSIGNED,
	CC_LESSON_IMPLEMENTED,
	CC_LESSON_VALIDATED,
	CC_N_LESSON_STATUS
};

/* "observed", "analysed", "action-assigned", …; NULL out of range. */
CC_API const char *cc_lesson_status_name(int status);
/* The status named s ("action assigned", "action_assigned" and "action-assigned" alike), or -1. */
CC_API int cc_lesson_status_parse(const char *s);
/* True when a lesson may move from one status to the other: the same, or the next one. */
CC_API bool cc_lesson_transition_ok(int from, int to);

#define CC_LESSON_TEXT 4096 /* bytes of each ODCR section, NUL included */

struct cc_lesson {
	int64_t id;
	int64_t mission_id; /* 0: no mission */
	char mission[32];   /* the mission's code (reads only), "" none */
	char key[64];       /* "" on cc_store_put_lesson: a new key "LL-0001" is given */
	char title[256];
	char observation[CC_LESSON_TEXT];
	char discussion[CC_LESSON_TEXT];
	char conclusion[CC_LESSON_TEXT];
	char recommendation[CC_LESSON_TEXT];
	char pillars[128]; /* comma-separated pillar names (cc_pillar_name), "" none */
	char areas[256];   /* comma-separated P-codes */
	char tags[256];    /* comma-separated, lowercase */
	int32_t date;      /* when observed; CC_DATE_NONE unknown */
	char source[512];  /* the public source cited */
	enum cc_lesson_status status;
	char owner[128];        /* who owns the action, "" none */
	char releasability[16]; /* "public", "partners", "org"; "" means "public" */
};

/* One piece of evidence behind a lesson. */
enum cc_evidence_kind {
	CC_EVIDENCE_ACTIVITY = 0,
	CC_EVIDENCE_INDICATOR,
	CC_EVIDENCE_INCIDENT,
	CC_EVIDENCE_AREA,
	CC_EVIDENCE_REPORT,
	CC_N_EVIDENCE_KINDS
};
CC_API const char *cc_evidence_kind_name(int kind);
CC_API int cc_evidence_kind_parse(const char *s);

struct cc_lesson_link {
	char key[64];    /* the lesson */
	char title[256]; /* the lesson's title (reads only) */
	enum cc_evidence_kind kind;
	char ref[128]; /* the evidence's id or key: activity id, P-code, report name, … */
};
/* Parses "KIND:REF" ("area:AF0101"); 0 or CC_EINVALID. */
CC_API int cc_lesson_link_parse(const char *s, struct cc_lesson_link *out, struct cc_err *err);

/*
 * Writes the list in (items separated by ',' or ';', or a YAML-style "[a, b]") into dst (size
 * n) as "a,b": items trimmed, empty ones dropped, lowercased when lower. CC_ETOOBIG when it
 * does not fit.
 */
CC_API int cc_lesson_list_set(char *dst, size_t n, const char *in, bool lower, struct cc_err *err);

/* What a put did. */
enum cc_lesson_put {
	CC_LESSON_ADDED = 0,
	CC_LESSON_UPDATED,
	CC_LESSON_UNCHANGED,
};

/*
 * Checks a lesson's fields: title and observation present, pillars known, status and
 * releasability valid. CC_EINVALID with field set.
 */
CC_API int cc_lesson_check(const struct cc_lesson *l, struct cc_err *err);

/*
 * Inserts the lesson, or updates the lesson with l->key, with its evidence (links, n_links;
 * they replace the stored ones; links NULL with n_links 0 and keep_links true keeps them).
 * An update checks the status move (CC_EINVALID naming both states, field "status"). Unchanged
 * lessons are not written. Sets l->id (and l->key when it was ""); *res_out may be NULL.
 */
CC_API int cc_store_put_lesson(struct cc_store *st, struct cc_lesson *l,
                               const struct cc_lesson_link *links, size_t n_links, bool keep_links,
                               enum cc_lesson_put *res_out, struct cc_err *err);
/* The lesson with this key; CC_ENOTFOUND. */
CC_API int cc_store_get_lesson(struct cc_store *st, const char *key, struct cc_lesson *out,
                               struct cc_err *err);

struct cc_lesson_filter {
	int pillar;         /* enum cc_pillar, -1 any */
	int status;         /* enum cc_lesson_status, -1 any */
	int64_t mission_id; /* 0 any */
};
/* Lessons matching the filter, by key; *out owned (cc_free). */
CC_API int cc_store_list_lessons(struct cc_store *st, const struct cc_lesson_filter *f,
                                 struct cc_lesson **out, size_t *n_out, struct cc_err *err);

/* The evidence of a lesson (by kind, then ref); *out owned (cc_free). */
CC_API int cc_store_lesson_links(struct cc_store *st, const char *key, struct cc_lesson_link **out,
                                 size_t *n_out, struct cc_err *err);
/* The other way: the lessons citing this evidence, by key; *out owned (cc_free). */
CC_API int cc_store_evidence_lessons(struct cc_store *st, enum cc_evidence_kind kind,
                                     const char *ref, struct cc_lesson_link **out, size_t *n_out,
                                     struct cc_err *err);

/*
 * Is the evidence a record of the store (for the viewer)? activity: an activity's number;
 * indicator: an indicator's code; incident: an incident's number or its source's event id
 * (UCDP, ACLED); area: a stored P-code; report: the name of an imported source, or a report a
 * lesson of the register already cites. *found says; returns 0 or the store's error.
 */
CC_API int cc_store_evidence_exists(struct cc_store *st, enum cc_evidence_kind kind,
                                    const char *ref, bool *found, struct cc_err *err);

/* ---- search ---- */

struct cc_lesson_hit {
	struct cc_lesson lesson;
	double rank;       /* bm25 (smaller is better), title and tags weighted up */
	char snippet[512]; /* the best fragment, matches in [brackets] */
};

struct cc_facet {
	char value[64]; /* a pillar, mission code ("" none) or status */
	size_t count;
};

struct cc_lesson_search {
	struct cc_lesson_hit *hits; /* owned; best first */
	size_t n_hits;
	size_t n_matched; /* lessons matching the text, before the filters */
	/* counts over every lesson matching the text, before the pillar and status filters */
	struct cc_facet *by_pillar, *by_mission, *by_status; /* owned */
	size_t n_by_pillar, n_by_mission, n_by_status;
};

/*
 * Full-text search: query is plain words (every word must match, stemmed, case and diacritics
 * folded; "word*" a prefix). Hits are ranked with bm25; the filter narrows the hits, not the
 * facets. CC_EUSAGE for a query with no word. Release *out with cc_lesson_search_release.
 */
CC_API int cc_lessons_search(struct cc_store *st, const char *query,
                             const struct cc_lesson_filter *f, struct cc_lesson_search *out,
                             struct cc_err *err);
CC_API void cc_lesson_search_release(struct cc_lesson_search *s);

/* ---- import ---- */

/*
 * Imports lessons from CSV files (a header row naming the columns key, title, observation,
 * discussion, conclusion, recommendation, pillars, areas, tags, date, source, status, owner,
 * releasability, mission, evidence; lists separated by ';') and Markdown files (.md: a front
 * matter between "---" lines with those fields, lists as [a, b], then "## Observation",
 * "## Discussion", "## Conclusion" and "## Recommendation" sections). All files in one
 * transaction; idempotent (an unchanged lesson is not written). A bad row (a bad .md file) is
 * reported through opts->on_reject as FILE:LINE: FIELD: reason and counted; the others are
 * stored unless opts has CC_IMPORT_STRICT (then CC_EREJECTED and nothing stored) or
 * CC_IMPORT_DRY_RUN. Lessons take the mission given in the row, else opts->mission, else none.
 */
CC_API int cc_import_lessons(struct cc_store *st, const char *const *paths, size_t n_paths,
                             const struct cc_import_opts *opts, struct cc_import_report *rep,
                             struct cc_err *err);

#endif
