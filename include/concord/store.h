/*
 * The store: where Concord keeps its records. One interface, several backends: SQLite (the
 * embedded default, a file) and later PostgreSQL. Only src/store knows SQL; everything else calls
 * these domain operations.
 *
 * Lifecycle: cc_store_open() → operations → cc_store_close(). A handle is used by one thread at
 * a time. Writes happen inside cc_store_begin()/cc_store_commit() (cc_store_rollback() undoes
 * everything since begin); an operation called outside a transaction runs in its own.
 *
 * Every change to stored records is appended to the change log in the same transaction
 * (cc_store_log_change); the change log is hash-chained (the audit log).
 *
 * Strings in arguments are borrowed for the call. Arrays returned through **out are owned by the
 * caller and freed with cc_free().
 */
#ifndef CONCORD_STORE_H
#define CONCORD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/coverage.h>
#include <concord/error.h>
#include <concord/model.h>

struct cc_store;

enum cc_store_flags {
	CC_STORE_CREATE = 1 << 0,    /* create the store and its schema if it does not exist */
	CC_STORE_ANY_SCHEMA = 1 << 1, /* open an older schema (for `concord migrate`) */
	CC_STORE_READONLY = 1 << 2,
};

struct cc_store_opts {
	unsigned flags;         /* enum cc_store_flags */
	int busy_timeout_ms;    /* 0: 5000 */
	const char *who;        /* actor recorded in the change log; NULL: "cli" */
	int64_t max_bytes;      /* the store may not grow past this size; 0: no limit */
	bool sync_full;         /* every commit synced to disk (power-loss durable); slower */
};

/*
 * Opens the store named by uri: a path or "sqlite:PATH" (SQLite), "postgresql://…" (reserved).
 * A "sqlite:" URI may end in options, "sqlite:PATH?max_size=64M&synchronous=full":
 * max_size (bytes, or with K, M, G: a quota; a write past it fails with CC_EIO and stores
 * nothing) and synchronous (normal: durable against a crash of the process; full: also
 * against power loss). They override opts->max_bytes and opts->sync_full; an unknown option or
 * value is CC_EUSAGE. A plain path takes no options.
 * Without CC_STORE_CREATE a missing store is CC_ENOTFOUND; without CC_STORE_ANY_SCHEMA a schema
 * older or newer than this program is CC_ESCHEMA with a message saying what to run.
 */
CC_API int cc_store_open(struct cc_store **out, const char *uri, const struct cc_store_opts *opts,
                         struct cc_err *err);
CC_API void cc_store_close(struct cc_store *st);

/* The schema version of the open store and the one this program writes. */
CC_API int cc_store_schema_version(struct cc_store *st, int *have_out, int *want_out,
                                   struct cc_err *err);
/* Applies the missing migrations in one transaction; from_out and to_out say what happened. */
CC_API int cc_store_migrate(struct cc_store *st, int *from_out, int *to_out, struct cc_err *err);

CC_API int cc_store_begin(struct cc_store *st, struct cc_err *err);
CC_API int cc_store_commit(struct cc_store *st, struct cc_err *err);
CC_API void cc_store_rollback(struct cc_store *st);

/*
 * A request: one transaction around everything a caller does that checks and then writes (an
 * API write that compares a version, or looks for a duplicate, before it writes), holding the
 * store's one writer lock from the start, so that no other writer — another thread, or another
 * server on the same database — can come between the check and the write. Inside it,
 * cc_store_begin/commit/rollback nest as savepoints. cc_store_end_request commits when commit is
 * true (and says when that fails), else rolls everything back.
 */
CC_API int cc_store_begin_request(struct cc_store *st, struct cc_err *err);
CC_API int cc_store_end_request(struct cc_store *st, bool commit, struct cc_err *err);
/* Whether a request is open on the handle. */
CC_API bool cc_store_in_request(const struct cc_store *st);

/*
 * A digest (hex SHA-256) of every row of every table, in a stable order; two stores with equal
 * digests hold the same records. Used by tests to prove that a failed import changed nothing.
 */
CC_API int cc_store_digest(struct cc_store *st, char out[static 65], struct cc_err *err);
/* Rows in a table of the store (for tests and summaries); CC_EINVALID for an unknown table. */
CC_API int cc_store_count(struct cc_store *st, const char *table, int64_t *n_out,
                          struct cc_err *err);

/* ---- missions ---- */

/* Inserts or updates the mission with m->code; sets m->id. */
CC_API int cc_store_put_mission(struct cc_store *st, struct cc_mission *m, struct cc_err *err);
/*
 * The mission with this code; with code NULL or "", the only mission of the store (CC_EUSAGE
 * "store holds N missions; choose one with -m CODE" when there are several, CC_ENOTFOUND none).
 */
CC_API int cc_store_get_mission(struct cc_store *st, const char *code, struct cc_mission *out,
                                struct cc_err *err);

/* ---- code lists ---- */

/*
 * Code lists are named after their IATI files: "Sector" (DAC 5-digit), "SectorCategory" (DAC
 * 3-digit), "IASCCluster", "OrganisationType", "OrganisationRole", "ActivityStatus", plus Concord's
 * "OrganisationKind". Sectors of the three sector lists also get a row in the sector table under
 * their IATI SectorVocabulary code ("1", "2", "10").
 */
CC_API int cc_store_put_code(struct cc_store *st, const char *list, const char *code,
                             const char *name, const char *category, struct cc_err *err);
/* An alias (text a real file uses) for a code of a list; scope is an ISO3 country or "" (any). */
CC_API int cc_store_put_code_alias(struct cc_store *st, const char *alias, const char *list,
                                   const char *code, const char *scope, const char *source,
                                   struct cc_err *err);
/* The default pillar of a sector (mission_id 0) or a mission's override. */
CC_API int cc_store_put_pillar(struct cc_store *st, int64_t mission_id, const char *vocabulary,
                               const char *code, enum cc_pillar pillar, struct cc_err *err);
/*
 * Resolves text to a code of list: the code itself (exact, case-sensitive), else an alias whose
 * scope is "" or the given scope (exact, case-insensitive for ASCII). No guessing. Writes the
 * code into code_out (size n). Returns 0 or CC_ENOTFOUND (message names the text and list).
 */
CC_API int cc_store_resolve_code(struct cc_store *st, const char *list, const char *text,
                                 const char *scope, char *code_out, size_t n, struct cc_err *err);
/* The id of the sector (vocabulary "1", "2" or "10", code); CC_ENOTFOUND. */
CC_API int cc_store_sector_id(struct cc_store *st, const char *vocabulary, const char *code,
                              int64_t *id_out, struct cc_err *err);

/* A mission's pillar for a sector, as `concord pillar` and PUT /api/pillar set it. */
struct cc_pillar_setting {
	char mission[32];      /* the mission's code */
	char vocabulary[4];    /* "10" IASC cluster, "1" DAC 5-digit, "2" DAC 3-digit */
	const char *label;     /* "IASC cluster", … (static) */
	char code[64];         /* the code text resolved to */
	enum cc_pillar pillar;
};
/*
 * Puts the sector text names (a cluster, a DAC code or an alias, tried in the vocabularies
 * 10, 1, 2, or only in vocabulary when not NULL) in pillar for the mission of that code (NULL:
 * the only one), with its change-log
 * entry, in one transaction. An unknown sector is CC_EINVALID; out describes what was set.
 */
CC_API int cc_store_set_pillar(struct cc_store *st, const char *mission, const char *text,
                               const char *vocabulary, enum cc_pillar pillar,
                               struct cc_pillar_setting *out, struct cc_err *err);
struct cc_buf;
/* A sector's pillar in a mission: its own (override), else the shipped default. */
struct cc_pillar_row {
	char vocabulary[4]; /* "10", "1", "2" */
	char code[64];
	enum cc_pillar pillar;
	bool override; /* the mission's own decision */
};
/*
 * The pillar of every sector for the mission of that code (NULL: the only one), by vocabulary
 * and code: the mission's overrides and the defaults it keeps; of one vocabulary when not NULL;
 * only the overrides when overrides_only. *out owned (cc_free).
 */
CC_API int cc_store_list_pillars(struct cc_store *st, const char *mission, const char *vocabulary,
                                 bool overrides_only, struct cc_pillar_row **out, size_t *n_out,
                                 struct cc_err *err);
/* The list as JSON (`concord pillar --json`, GET /api/pillar): {"mission", "pillars": [{
 * "vocabulary", "code", "pillar", "override"}, ..]} and a newline. */
CC_API int cc_pillar_list_json(const char *mission, const struct cc_pillar_row *rows, size_t n,
                               struct cc_buf *out, struct cc_err *err);
/* out as JSON: {"mission", "vocabulary", "label", "code", "pillar"} and a newline. */
CC_API int cc_pillar_setting_json(const struct cc_pillar_setting *p, struct cc_buf *out,
                                  struct cc_err *err);

/* ---- areas ---- */

/*
 * Inserts or updates the area with a->pcode; sets a->id. wkb (borrowed, len bytes, may be NULL)
 * replaces the geometry when given, with the bounding box a->minx… indexed in the R*Tree; with
 * wkb NULL an existing geometry is kept. parent_id 0 keeps an existing parent.
 */
CC_API int cc_store_put_area(struct cc_store *st, struct cc_area *a, const void *wkb, size_t len,
                             struct cc_err *err);
CC_API int cc_store_find_area(struct cc_store *st, const char *pcode, struct cc_area *out,
                              struct cc_err *err);
/*
 * The area of this level whose normalised name (see cc_text_norm) or alias equals name_norm,
 * within parent_id (0: any parent). CC_ENOTFOUND none; CC_EINVALID when several match (the
 * message lists their P-codes).
 */
CC_API int cc_store_find_area_by_name(struct cc_store *st, int64_t parent_id, int level,
                                      const char *name_norm, struct cc_area *out,
                                      struct cc_err *err);
CC_API int cc_store_put_area_alias(struct cc_store *st, int64_t area_id, const char *alias_norm,
                                   const char *source, struct cc_err *err);
CC_API int cc_store_set_area_parent(struct cc_store *st, int64_t area_id, int64_t parent_id,
                                    struct cc_err *err);

struct cc_area_filter {
	int level;           /* -1: any */
	int64_t parent_id;   /* 0: any */
	bool in_bbox;        /* only areas whose box intersects minx… (R*Tree) */
	double minx, miny, maxx, maxy;
};
/* Areas matching the filter, sorted by P-code; *out owned (cc_free). */
CC_API int cc_store_list_areas(struct cc_store *st, const struct cc_area_filter *f,
                               struct cc_area **out, size_t *n_out, struct cc_err *err);
/* The stored geometry (WKB, owned, cc_free) of an area; *wkb_out NULL when it has none. */
CC_API int cc_store_area_geometry(struct cc_store *st, int64_t area_id, void **wkb_out,
                                  size_t *len_out, struct cc_err *err);

/* ---- organisations ---- */

/* Inserts or updates the organisation (mission_id, key); sets o->id. Never deletes. */
CC_API int cc_store_put_org(struct cc_store *st, struct cc_org *o, struct cc_err *err);
/* The organisation of the mission whose key or alias equals alias_norm; CC_ENOTFOUND. */
CC_API int cc_store_find_org(struct cc_store *st, int64_t mission_id, const char *alias_norm,
                             struct cc_org *out, struct cc_err *err);
CC_API int cc_store_put_org_alias(struct cc_store *st, int64_t mission_id, int64_t org_id,
                                  const char *alias_norm, struct cc_err *err);

/* ---- sources and imports ---- */

CC_API int cc_store_get_source(struct cc_store *st, int64_t mission_id, const char *name,
                               struct cc_source *out, struct cc_err *err);
/* Inserts or updates (mission_id, name); sets s->id. n_read/n_rejected < 0 are stored as unknown. */
CC_API int cc_store_put_source(struct cc_store *st, struct cc_source *s, struct cc_err *err);
/*
 * The sources of a mission and those shared by all missions (mission_id 0, e.g. boundary files),
 * sorted by name, each with n_records counted. *out owned (cc_free).
 */
CC_API int cc_store_list_sources(struct cc_store *st, int64_t mission_id, struct cc_source **out,
                                 size_t *n_out, struct cc_err *err);
/* A new change-log batch number for an import (one per import run). */
CC_API int cc_store_new_batch(struct cc_store *st, int64_t *batch_out, struct cc_err *err);

/*
 * Stores one activity of an import of a->source_id in batch: added when its natural key is new
 * to the source, updated when the key exists with another digest, unchanged when the digest is
 * equal, duplicate when the key was already stored by this batch (then *dup_line_out is the
 * line that stored it and nothing changes). Sets a->id (except for duplicates).
 */
CC_API int cc_store_put_activity(struct cc_store *st, struct cc_activity *a, int64_t batch,
                                 enum cc_put_result *res_out, long *dup_line_out,
                                 struct cc_err *err);
/* Removes the activities of the source not seen by batch (rows gone from the new file). */
CC_API int cc_store_remove_stale(struct cc_store *st, int64_t source_id, int64_t batch,
                                 size_t *n_removed_out, struct cc_err *err);

/* One entry of the change log. Strings borrowed. */
struct cc_change {
	const char *table;         /* "activity", "area", … */
	const char *op;            /* "insert", "update", "delete" */
	int64_t record_id;         /* one record, or 0 for a batch range */
	int64_t first_id, last_id; /* batch range of record ids (inclusive), 0 when not a range */
	int64_t batch;             /* import batch, 0 none */
	int64_t count;             /* records affected */
	int64_t mission_id;        /* 0 none */
	const char *releasability; /* NULL: "public" */
	const char *detail;        /* free text: source name, summary; NULL none */
};
/*
 * The actor the change log records for writes through st from now on ("api:amina"); NULL or
 * "": the one the store was opened with (struct cc_store_opts.who).
 */
CC_API void cc_store_set_actor(struct cc_store *st, const char *who);
/* Appends to the change log, chaining its hash to the previous entry. */
CC_API int cc_store_log_change(struct cc_store *st, const struct cc_change *c, struct cc_err *err);
/* Verifies the hash chain of the whole change log; CC_EINVALID names the first broken entry. */
CC_API int cc_store_verify_log(struct cc_store *st, int64_t *n_entries_out, struct cc_err *err);

/* ---- reads for analyses ---- */

struct cc_coverage_query {
	int64_t mission_id;
	enum cc_coverage_by by;
	int32_t from, to;      /* period overlap filter, CC_DATE_NONE open */
	int64_t within_area;   /* only activities in this area or below; 0 all */
	int32_t as_of;         /* the picture as imported by the end of this day (reporting
	                          rounds, <concord/rounds.h>); 0 or CC_DATE_NONE: now */
	int32_t layout;        /* the date whose admin layout the records are shown on: records
	                          of areas retired by then are carried through the crosswalk
	                          (<concord/crosswalk.h>); 0: `to`, else `as_of`, else today's
	                          (every crosswalk row); CC_DATE_NONE: today's */
	size_t *n_carried;     /* NULL, or set to the number of records so carried */
};

/*
 * Loads what cc_coverage_compute needs: one record per activity of the mission (pillar resolved
 * from its sector at query time, with the mission's overrides), the columns for q->by, and every
 * area referenced plus all their ancestors. All three arrays owned (cc_free). Across a
 * re-districting the records are on the layout of q->layout: a record of a retired area becomes
 * one per successor, the activity whole in each, its people split by the crosswalk's shares
 * (cc_crosswalk_coverage); the areas then hold the successors, not the retired areas.
 */
CC_API int cc_store_load_coverage(struct cc_store *st, const struct cc_coverage_query *q,
                                  struct cc_coverage_record **records_out, size_t *n_records_out,
                                  struct cc_coverage_column **columns_out, size_t *n_columns_out,
                                  struct cc_area **areas_out, size_t *n_areas_out,
                                  struct cc_err *err);

#endif
