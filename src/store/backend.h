/*
 * The store's backend interface (internal). src/store/store.c implements the public
 * <concord/store.h> by picking a backend from the URI scheme and dispatching every call through
 * its ops table; a backend (src/store/sqlite.c, later postgres.c) fills one const table.
 *
 * The operations are domain operations, not SQL: a backend is free to lay out its tables as it
 * likes as long as these calls behave as <concord/store.h> documents. store.c does what does
 * not depend on the backend (argument checks, name normalisation) before it calls a backend.
 *
 * A backend's handle begins with struct cc_store, so store.c can find the ops:
 *
 *	struct sqlite_store { struct cc_store base; sqlite3 *db; ... };
 */
#ifndef CC_STORE_BACKEND_H
#define CC_STORE_BACKEND_H

#include <concord/store.h>
#include <concord/visibility.h>

#include "core/blob.h"

struct cc_store {
	const struct cc_store_ops *ops;
	/* who the reads are for (cc_store_set_viewer): every read of records filters by it */
	struct cc_viewer viewer;
	/* who the writes are by, for the change log (cc_store_set_actor); "" the opener's */
	char actor[64];
	/* inside cc_store_begin_request: begin/commit/rollback are savepoints, nest deep */
	bool in_request;
	int nest;
};

/* Domain tables of later issues: each declared in src/store/ops_<domain>.h. */
struct cc__events_ops;
struct cc__needs_ops;
struct cc__lessons_ops;
struct cc__auth_ops;
struct cc__indicators_ops;
struct cc__overlap_ops;
struct cc__export_ops;
struct cc__sharing_ops;
struct cc__activities_ops;
struct cc__iati_ops;
struct cc__survey_ops;
struct cc__webhooks_ops;
struct cc__rounds_ops;
struct cc__rates_ops;
struct cc__computed_ops;
struct cc__registry_ops;
struct cc__edits_ops;
struct cc__status_rule_ops;

struct cc_store_ops {
	const char *scheme; /* "sqlite", "postgresql": matched against the store URI */

	/* dsn is the URI without "scheme:"; opts is never NULL (store.c passes defaults) */
	int (*open)(struct cc_store **out, const char *dsn, const struct cc_store_opts *opts,
	            struct cc_err *err);
	void (*close)(struct cc_store *st);
	int (*schema_version)(struct cc_store *st, int *have_out, int *want_out,
	                      struct cc_err *err);
	int (*migrate)(struct cc_store *st, int *from_out, int *to_out, struct cc_err *err);

	int (*begin)(struct cc_store *st, struct cc_err *err);
	int (*commit)(struct cc_store *st, struct cc_err *err);
	void (*rollback)(struct cc_store *st);
	/*
	 * Inside a transaction begun by begin: takes the lock every writer of the store takes
	 * before its first write (NULL: begin takes it already, as SQLite's BEGIN IMMEDIATE does).
	 */
	int (*lock_writers)(struct cc_store *st, struct cc_err *err);
	/* A savepoint of the open transaction: 0 makes one, 1 releases the newest, 2 rolls back
	 * to the newest and releases it. */
	int (*savepoint)(struct cc_store *st, int what, struct cc_err *err);
	int (*digest)(struct cc_store *st, char out[static 65], struct cc_err *err);
	int (*count)(struct cc_store *st, const char *table, int64_t *n_out, struct cc_err *err);

	int (*put_mission)(struct cc_store *st, struct cc_mission *m, struct cc_err *err);
	int (*get_mission)(struct cc_store *st, const char *code, struct cc_mission *out,
	                   struct cc_err *err);

	/* vocabulary: "1", "2", "10" for the three sector lists, NULL for the others */
	int (*put_code)(struct cc_store *st, const char *list, const char *vocabulary,
	                const char *code, const char *name, const char *category,
	                struct cc_err *err);
	int (*put_code_alias)(struct cc_store *st, const char *alias, const char *list,
	                      const char *code, const char *scope, const char *source,
	                      struct cc_err *err);
	int (*put_pillar)(struct cc_store *st, int64_t mission_id, const char *vocabulary,
	                  const char *code, enum cc_pillar pillar, struct cc_err *err);
	/* the mission's pillars of sectors (cc_store_list_pillars); NULL: not supported */
	int (*list_pillars)(struct cc_store *st, int64_t mission_id, const char *vocabulary,
	                    bool overrides_only, struct cc_pillar_row **out, size_t *n_out,
	                    struct cc_err *err);
	int (*resolve_code)(struct cc_store *st, const char *list, const char *text,
	                    const char *scope, char *code_out, size_t n, struct cc_err *err);
	int (*sector_id)(struct cc_store *st, const char *vocabulary, const char *code,
	                 int64_t *id_out, struct cc_err *err);

	/* name_norm: cc_text_norm(a->name), computed by store.c */
	int (*put_area)(struct cc_store *st, struct cc_area *a, const char *name_norm,
	                const void *wkb, size_t len, struct cc_err *err);
	int (*find_area)(struct cc_store *st, const char *pcode, struct cc_area *out,
	                 struct cc_err *err);
	int (*find_area_by_name)(struct cc_store *st, int64_t parent_id, int level,
	                         const char *name_norm, struct cc_area *out, struct cc_err *err);
	int (*put_area_alias)(struct cc_store *st, int64_t area_id, const char *alias_norm,
	                      const char *source, struct cc_err *err);
	int (*set_area_parent)(struct cc_store *st, int64_t area_id, int64_t parent_id,
	                       struct cc_err *err);
	int (*list_areas)(struct cc_store *st, const struct cc_area_filter *f, struct cc_area **out,
	                  size_t *n_out, struct cc_err *err);
	int (*area_geometry)(struct cc_store *st, int64_t area_id, void **wkb_out, size_t *len_out,
	                     struct cc_err *err);

	int (*put_org)(struct cc_store *st, struct cc_org *o, struct cc_err *err);
	int (*find_org)(struct cc_store *st, int64_t mission_id, const char *alias_norm,
	                struct cc_org *out, struct cc_err *err);
	int (*put_org_alias)(struct cc_store *st, int64_t mission_id, int64_t org_id,
	                     const char *alias_norm, struct cc_err *err);

	int (*get_source)(struct cc_store *st, int64_t mission_id, const char *name,
	                  struct cc_source *out, struct cc_err *err);
	int (*put_source)(struct cc_store *st, struct cc_source *s, struct cc_err *err);
	int (*list_sources)(struct cc_store *st, int64_t mission_id, struct cc_source **out,
	                    size_t *n_out, struct cc_err *err);
	int (*new_batch)(struct cc_store *st, int64_t *batch_out, struct cc_err *err);
	/* the import hot path: called once per row, must not allocate per row */
	int (*put_activity)(struct cc_store *st, struct cc_activity *a, int64_t batch,
	                    enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err);
	int (*remove_stale)(struct cc_store *st, int64_t source_id, int64_t batch,
	                    size_t *n_removed_out, struct cc_err *err);

	int (*log_change)(struct cc_store *st, const struct cc_change *c, struct cc_err *err);
	int (*verify_log)(struct cc_store *st, int64_t *n_entries_out, struct cc_err *err);
	/* cc_store_wait_change (store_notify.c); NULL: the backend cannot say (callers poll) */
	int (*wait_change)(struct cc_store *st, int fd, int timeout_ms, struct cc_err *err);

	int (*load_coverage)(struct cc_store *st, const struct cc_coverage_query *q,
	                     struct cc_coverage_record **records_out, size_t *n_records_out,
	                     struct cc_coverage_column **columns_out, size_t *n_columns_out,
	                     struct cc_area **areas_out, size_t *n_areas_out, struct cc_err *err);

	/*
	 * Domains added by later issues, one table each (src/store/ops_<domain>.h, implemented
	 * by src/store/sqlite_<domain>.c); NULL when the backend lacks it (CC_EUNSUPPORTED).
	 */
	const struct cc__events_ops *events;
	const struct cc__needs_ops *needs;
	const struct cc__lessons_ops *lessons;
	const struct cc__auth_ops *auth;
	const struct cc__indicators_ops *indicators;
	const struct cc__overlap_ops *overlap;
	const struct cc__export_ops *export;
	const struct cc__sharing_ops *sharing;
	const struct cc__activities_ops *activities;
	const struct cc__iati_ops *iati;
	const struct cc__survey_ops *survey;
	const struct cc__webhooks_ops *webhooks;
	const struct cc__rates_ops *rates;
	const struct cc__computed_ops *computed;
	const struct cc__registry_ops *registry;
	const struct cc__rounds_ops *rounds;
	const struct cc__edits_ops *edits;
	const struct cc__status_rule_ops *status_rule;
};

extern const struct cc_store_ops cc__store_sqlite; /* src/store/sqlite.c */
#if defined(CC_WITH_POSTGRES) && CC_WITH_POSTGRES
extern const struct cc_store_ops cc__store_postgres; /* src/store/postgres.c */
#endif

/*
 * The migrations the SQLite backend applies, in version order, ended by a NULL name: by default
 * cc__migrations (src/store/migrations/NNNN_*.sql, embedded at build time). Tests point it at
 * a longer table to play a newer program; nothing else may change it.
 */
extern const struct cc__blob *cc__sqlite_migrations;

#endif
