/*
 * The PostgreSQL backend's internals shared by its files (internal).
 *
 * src/store/postgres.c holds the connection, errors, transactions, migrations, digest, the
 * change log and the coverage read; src/store/postgres_core.c the records of the core
 * (missions, code lists, areas, organisations, sources, activities); postgres_<domain>.c one
 * domain each, as on SQLite.
 *
 * Every statement goes through PQexecParams() as an unnamed statement with its parameters
 * apart from its text, so that a connection pooler in transaction mode (pgbouncer) can sit
 * between Concord and the server: no named prepared statements, no session state beyond one
 * transaction. Parameters are sent as text except blobs (binary); results come as text unless
 * a caller asks for binary. Conventions as on SQLite: text "" and NULL are SQL NULL, ids 0 are
 * NULL, dates CC_DATE_NONE are NULL, numbers NAN are NULL.
 */
#ifndef CC_STORE_POSTGRES_INT_H
#define CC_STORE_POSTGRES_INT_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libpq-fe.h>

#include <concord/error.h>
#include <concord/store.h>

#include "store/backend.h"
#include "store/backend_common.h"

#define CC__PG_MAX_PARAMS 32

/* The parameters of one statement: $1 is the first added. Text lives in buf unless borrowed. */
struct cc__pg_params {
	int n;
	const char *values[CC__PG_MAX_PARAMS];
	int lengths[CC__PG_MAX_PARAMS];
	int formats[CC__PG_MAX_PARAMS];
	char buf[CC__PG_MAX_PARAMS][32];
};

#define CC__PG_PARAMS_INIT { .n = 0 }

/* Borrowed text ("" and NULL as NULL); the caller keeps it alive until the statement ran. */
void cc__pg_text(struct cc__pg_params *p, const char *v);
/* Borrowed text, "" kept as "" (NOT NULL columns whose empty value means something). */
void cc__pg_str(struct cc__pg_params *p, const char *v);
void cc__pg_i64(struct cc__pg_params *p, int64_t v);
void cc__pg_id(struct cc__pg_params *p, int64_t v);   /* 0 as NULL */
void cc__pg_date(struct cc__pg_params *p, int32_t v); /* CC_DATE_NONE as NULL */
void cc__pg_num(struct cc__pg_params *p, double v);   /* NAN as NULL */
void cc__pg_bool(struct cc__pg_params *p, bool v);
void cc__pg_null(struct cc__pg_params *p);
/* Borrowed bytes, sent binary (a bytea parameter). */
void cc__pg_blob(struct cc__pg_params *p, const void *v, size_t len);

/* The connection of a PostgreSQL store (borrowed). */
PGconn *cc__pg_conn(struct cc_store *st);
/* The handle's guess that the next activity of an import is known (sqlite.c: expect_known). */
bool *cc__pg_expect_known(struct cc_store *st);

/*
 * Runs sql with p (NULL: none); binary asks for binary results. *out (owned, PQclear) holds
 * the rows of a query; NULL out for a statement whose result is not wanted. 0 or an error.
 */
int cc__pg_exec(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                bool binary, PGresult **out, struct cc_err *err);
/* A failed result as a Concord error (CC_EBUSY, CC_EIO, CC_ENOMEM, CC_ESTORE). */
int cc__pg_error(struct cc_store *st, const PGresult *res, struct cc_err *err);

/* Enters the caller's write transaction or begins one (*own); leave commits what it began. */
int cc__pg_tx_enter(struct cc_store *st, bool *own, struct cc_err *err);
int cc__pg_tx_leave(struct cc_store *st, bool own, int ret, struct cc_err *err);
/* A read transaction, so that several statements see one state. */
int cc__pg_rx_enter(struct cc_store *st, bool *own, struct cc_err *err);
void cc__pg_rx_leave(struct cc_store *st, bool own);

/* Columns of row r (text results): NULL as "", 0, CC_DATE_NONE, NAN, -1 (counts). */
const char *cc__pg_cstr(const PGresult *res, int r, int c);
/* Column c of row r as text, NULL for SQL NULL. */
const char *cc__pg_text_or_null(const PGresult *res, int r, int c);
void cc__pg_col_str(const PGresult *res, int r, int c, char *dst, size_t n);
int64_t cc__pg_col_i64(const PGresult *res, int r, int c);
int32_t cc__pg_col_date(const PGresult *res, int r, int c);
double cc__pg_col_num(const PGresult *res, int r, int c);
bool cc__pg_col_null(const PGresult *res, int r, int c);

/* Rows a statement changed (UPDATE, DELETE, INSERT). */
int64_t cc__pg_changes(const PGresult *res);

/*
 * Runs the query sql with p (NULL: none) and makes *out a new array (owned) of one zeroed item
 * of size per row, NULL when there are none, for the caller to fill from the rows of *res
 * (owned, PQclear). 0, or an error with *res NULL and *out, *n_out untouched.
 */
int cc__pg_rows(struct cc_store *st, const char *sql, const struct cc__pg_params *p, size_t size,
                PGresult **res, void **out, size_t *n_out, struct cc_err *err);
/* Runs sql with p, whose result is not wanted, in the caller's write transaction or its own. */
int cc__pg_write(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                 struct cc_err *err);
/*
 * Runs the upsert sql with p, which returns the id of the row it stored, in the caller's write
 * transaction or its own, and sets *id_out to it; no id is the error "<what> '<key>' was not
 * stored".
 */
int cc__pg_upsert_id(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                     int64_t *id_out, const char *what, const char *key, struct cc_err *err);

/*
 * Rows a domain holds back inside a write transaction to send many in one statement (the
 * needs and observations of an import: postgres_needs.c, postgres_indicators.c). Before any
 * statement of the handle that is not a read ("SELECT …"), so before the COMMIT, or that names
 * a table of the holder's, the holder's flush sends them; then, and at a rollback or close,
 * drop frees them. A read that must see them may also call cc__pg_flush() first. Several
 * domains may hold rows at once (an IATI import holds its activities, the Concord activities and
 * the observations they feed); a flush sends every holder's, in the order they were held.
 */
struct cc__pg_holder {
	int (*flush)(struct cc_store *st, void *held, struct cc_err *err);
	void (*drop)(void *held);
	/* NULL or the tables of the rows held (NULL-terminated): a read whose text names one of
	   them flushes too (the holder detaches, cc__pg_unhold, while it runs its own) */
	const char *const *tables;
	/* NULL or the tables (NULL-terminated) another domain may insert into or update while the
	   rows stay held: tables the held rows refer to only by rows written before them (the
	   organisations, indicators and benchmarks an import adds between its puts); a write that
	   every holder keeps sends nothing first */
	const char *const *writes_kept;
};
/* Makes held (owned from now on) the rows h holds on the handle. 0 or an error. */
int cc__pg_hold(struct cc_store *st, const struct cc__pg_holder *h, void *held,
                struct cc_err *err);
/* The rows h holds, NULL when none. */
void *cc__pg_held(struct cc_store *st, const struct cc__pg_holder *h);
/* Lets go of the rows h holds without sending or freeing them (the caller's now). */
void *cc__pg_unhold(struct cc_store *st, const struct cc__pg_holder *h);
/* Sends the held rows of any holder now and frees them; 0 when there are none. */
int cc__pg_flush(struct cc_store *st, struct cc_err *err);

/*
 * Visibility of the rows a read returns (postgres_visible.c), decided in C by cc_visible():
 * the ids of table tbl shared by name with the viewer's organisation (sorted, owned; none for
 * another viewer), and whether the viewer sees row r whose marking is in columns c … c + 5
 * (id, mission_id, owner_id, releasability, deny, shared); *m_out (may be NULL) the marking.
 */
struct cc__pg_shares {
	int64_t *ids;
	size_t n;
};
int cc__pg_load_shares(struct cc_store *st, const char *tbl, struct cc__pg_shares *out,
                       struct cc_err *err);
struct cc_marking;
bool cc__pg_row_visible(struct cc_store *st, const struct cc__pg_shares *sh, const PGresult *res,
                        int r, int c, struct cc_marking *m_out);
/* column c of row r as a field's releasability: def when NULL, the strictest when unknown */
enum cc_rel cc__pg_field_rel(const PGresult *res, int r, int c, enum cc_rel def);

/*
 * Array literals for statements over unnest() of many rows (postgres_held.c): each adds one
 * element to b ('{' before the first, ',' between), cc__pg_arr_close() ends it ("{}" when
 * empty). Text "" and NULL are NULL, else quoted; null (or NAN) is NULL. 0 or CC_ENOMEM.
 */
struct cc_buf;
int cc__pg_arr_text(struct cc_buf *b, const char *v);
int cc__pg_arr_i64(struct cc_buf *b, int64_t v, bool null);
int cc__pg_arr_num(struct cc_buf *b, double v);
int cc__pg_arr_close(struct cc_buf *b);

/* The message of an operation this backend does not have yet. */
int cc__pg_unsupported(struct cc_err *err, const char *what);

/* The core records (postgres_core.c), in the order of struct cc_store_ops. */
int cc__pg_put_mission(struct cc_store *st, struct cc_mission *m, struct cc_err *err);
int cc__pg_get_mission(struct cc_store *st, const char *code, struct cc_mission *out,
                       struct cc_err *err);
int cc__pg_put_code(struct cc_store *st, const char *list, const char *vocabulary,
                    const char *code, const char *name, const char *category,
                    struct cc_err *err);
int cc__pg_put_code_alias(struct cc_store *st, const char *alias, const char *list,
                          const char *code, const char *scope, const char *source,
                          struct cc_err *err);
int cc__pg_put_pillar(struct cc_store *st, int64_t mission_id, const char *vocabulary,
                      const char *code, enum cc_pillar pillar, struct cc_err *err);
int cc__pg_list_pillars(struct cc_store *st, int64_t mission_id, const char *vocabulary,
                        bool overrides_only, struct cc_pillar_row **out, size_t *n_out,
                        struct cc_err *err);
int cc__pg_resolve_code(struct cc_store *st, const char *list, const char *text,
                        const char *scope, char *code_out, size_t n, struct cc_err *err);
int cc__pg_sector_id(struct cc_store *st, const char *vocabulary, const char *code,
                     int64_t *id_out, struct cc_err *err);
int cc__pg_put_area(struct cc_store *st, struct cc_area *a, const char *name_norm,
                    const void *wkb, size_t len, struct cc_err *err);
int cc__pg_find_area(struct cc_store *st, const char *pcode, struct cc_area *out,
                     struct cc_err *err);
int cc__pg_find_area_by_name(struct cc_store *st, int64_t parent_id, int level,
                             const char *name_norm, struct cc_area *out, struct cc_err *err);
int cc__pg_put_area_alias(struct cc_store *st, int64_t area_id, const char *alias_norm,
                          const char *source, struct cc_err *err);
int cc__pg_set_area_parent(struct cc_store *st, int64_t area_id, int64_t parent_id,
                           struct cc_err *err);
int cc__pg_list_areas(struct cc_store *st, const struct cc_area_filter *f, struct cc_area **out,
                      size_t *n_out, struct cc_err *err);
int cc__pg_area_geometry(struct cc_store *st, int64_t area_id, void **wkb_out, size_t *len_out,
                         struct cc_err *err);
int cc__pg_put_org(struct cc_store *st, struct cc_org *o, struct cc_err *err);
int cc__pg_find_org(struct cc_store *st, int64_t mission_id, const char *alias_norm,
                    struct cc_org *out, struct cc_err *err);
int cc__pg_put_org_alias(struct cc_store *st, int64_t mission_id, int64_t org_id,
                         const char *alias_norm, struct cc_err *err);
int cc__pg_get_source(struct cc_store *st, int64_t mission_id, const char *name,
                      struct cc_source *out, struct cc_err *err);
int cc__pg_put_source(struct cc_store *st, struct cc_source *s, struct cc_err *err);
int cc__pg_list_sources(struct cc_store *st, int64_t mission_id, struct cc_source **out,
                        size_t *n_out, struct cc_err *err);
int cc__pg_new_batch(struct cc_store *st, int64_t *batch_out, struct cc_err *err);
int cc__pg_put_activity(struct cc_store *st, struct cc_activity *a, int64_t batch,
                        enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err);
int cc__pg_remove_stale(struct cc_store *st, int64_t source_id, int64_t batch,
                        size_t *n_removed_out, struct cc_err *err);

/* Reads the rows of an area query (columns CC__PG_AREA_COLS) into a new array (owned). */
#define CC__PG_AREA_COLS \
	"id, pcode, name, level, parent_id, population, minx, miny, maxx, maxy"
int cc__pg_read_areas(const PGresult *res, struct cc_area **out, size_t *n_out,
                      struct cc_err *err);

/*
 * The pillar of sector s (an alias in the query) in mission m: the twin of CC__SQ_PILLAR_OF in
 * sqlite_int.h (the mission's mapping, then the default of mission 0; for each the sector's own
 * code, then for a DAC-5 code its DAC-3 category; else "other"). Change one, change the other.
 */
#define CC__PG_PM(m, voc, code)                                                                  \
	"(SELECT p.pillar FROM pillar_map p WHERE p.mission_id = " m " AND p.vocabulary = " voc \
	" AND p.code = " code ")"
#define CC__PG_DAC3      "coalesce(s.category, substr(s.code, 1, 3))"
#define CC__PG_PM_CAT(m) "CASE WHEN s.vocabulary = '1' THEN " CC__PG_PM(m, "'2'", CC__PG_DAC3) " END"
#define CC__PG_PILLAR_OF(m)                                                                 \
	"coalesce(" CC__PG_PM(m, "s.vocabulary", "s.code") ", " CC__PG_PM_CAT(m) ", "        \
	CC__PG_PM("0", "s.vocabulary", "s.code") ", " CC__PG_PM_CAT("0") ", 'other')"

/* The domain tables this backend has. */
struct cc__rounds_ops;
struct cc__export_ops;
struct cc__events_ops;
extern const struct cc__rounds_ops cc__pg_rounds; /* postgres_rounds.c */
extern const struct cc__export_ops cc__pg_export; /* postgres_export.c */
extern const struct cc__events_ops cc__pg_events; /* postgres_events.c: not yet */
struct cc__needs_ops;
struct cc__indicators_ops;
struct cc__rates_ops;
struct cc__computed_ops;
extern const struct cc__needs_ops cc__pg_needs;           /* postgres_needs.c */
extern const struct cc__indicators_ops cc__pg_indicators; /* postgres_indicators.c */
extern const struct cc__rates_ops cc__pg_rates;           /* postgres_rates.c */
extern const struct cc__computed_ops cc__pg_computed;     /* postgres_computed.c */
struct cc__auth_ops;
extern const struct cc__auth_ops cc__pg_auth; /* postgres_auth.c */
struct cc__sharing_ops;
extern const struct cc__sharing_ops cc__pg_sharing; /* postgres_sharing.c */
struct cc__activities_ops;
extern const struct cc__activities_ops cc__pg_activities; /* postgres_activities.c */
struct cc__iati_ops;
extern const struct cc__iati_ops cc__pg_iati; /* postgres_iati.c */
struct cc__registry_ops;
extern const struct cc__registry_ops cc__pg_registry; /* postgres_registry.c */
struct cc__webhooks_ops;
extern const struct cc__webhooks_ops cc__pg_webhooks; /* postgres_webhooks.c */
struct cc__lessons_ops;
extern const struct cc__lessons_ops cc__pg_lessons; /* postgres_lessons.c */
struct cc__status_rule_ops;
extern const struct cc__status_rule_ops cc__pg_status_rule; /* postgres_status_rule.c */
struct cc__edits_ops;
extern const struct cc__edits_ops cc__pg_edits; /* postgres_edits.c */
struct cc__survey_ops;
extern const struct cc__survey_ops cc__pg_survey; /* postgres_survey.c */

/* The fields of a binary result or COPY row, in network order: n bytes as an unsigned integer;
 * an integer field (int2, int4, int8; 0 for NULL, len -1); a double precision (NAN for NULL). */
static inline uint64_t cc__pg_be(const unsigned char *b, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

static inline int64_t cc__pg_bin_i64(const unsigned char *v, int32_t len)
{
	if (len == 8)
		return (int64_t)cc__pg_be(v, 8);
	if (len == 4)
		return (int32_t)(uint32_t)cc__pg_be(v, 4);
	return len == 2 ? (int16_t)(uint16_t)cc__pg_be(v, 2) : 0;
}

static inline double cc__pg_bin_f8(const unsigned char *v, int32_t len)
{
	uint64_t u;
	double d;

	if (len != 8)
		return (double)NAN;
	u = cc__pg_be(v, 8);
	memcpy(&d, &u, sizeof(d));
	return d;
}

/*
 * Runs query, a "COPY (SELECT …) TO STDOUT (FORMAT binary)" with its values written in (COPY
 * takes no parameters), and calls fn with each row's fields: nf of them, v[i] the bytes of
 * field i in network order (NULL for SQL NULL) and len[i] their length (-1 for NULL). Streams:
 * no result holds the rows. 0, fn's error or the server's. In postgres_events.c.
 */
typedef int cc__pg_copy_fn(void *ctx, int nf, const unsigned char *const *v, const int32_t *len,
                           struct cc_err *err);
int cc__pg_copy_binary(struct cc_store *st, const char *query, cc__pg_copy_fn *fn, void *ctx,
                       struct cc_err *err);

/*
 * Fields of a binary COPY row (postgres_visible.c): a marking's text as a releasability (def for
 * NULL, the strictest for one unknown); whether the reader sees the row whose marking columns
 * (id, mission_id, owner_id, releasability, deny, shared) begin at field c, as
 * cc__pg_row_visible() decides it for a text result, *m_out (may be NULL) the marking.
 */
enum cc_rel cc__pg_bin_rel(const unsigned char *v, int32_t len, enum cc_rel def);
bool cc__pg_bin_visible(struct cc_store *st, const struct cc__pg_shares *sh,
                        const unsigned char *const *v, const int32_t *len, int c,
                        struct cc_marking *m_out);

/* feedback_fts made again from feedback, as the writes make it (after a restore) */
int cc__pg_feedback_fts_rebuild(struct cc_store *st, struct cc_err *err);
struct cc__overlap_ops;
extern const struct cc__overlap_ops cc__pg_overlap; /* postgres_overlap.c */

#endif
