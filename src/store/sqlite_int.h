/*
 * The SQLite backend's internals shared by its domain modules (internal).
 *
 * src/store/sqlite.c holds the core (open, migrations, transactions, missions, code lists,
 * areas, organisations, sources, activities, change log, coverage). Later domains (events,
 * needs, lessons, users and tokens, indicators, …) each live in a file of their own,
 * src/store/sqlite_<domain>.c, built on these helpers, so that adding a domain touches no other
 * domain's file. A module keeps its prepared statements in the handle under its own module
 * number: cc__sq_stmt(st, CC__SQ_EVENTS, S_EV_PUT, sql, &stmt, err).
 *
 * Conventions as in sqlite.c: every write runs inside cc__sq_tx_enter()/cc__sq_tx_leave() (the
 * caller's transaction, or its own); text "" and NULL are SQL NULL; ids 0 are NULL; dates
 * CC_DATE_NONE are NULL; numbers NAN are NULL.
 */
#ifndef CC_STORE_SQLITE_INT_H
#define CC_STORE_SQLITE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include <concord/error.h>
#include <concord/store.h>

enum cc__sq_module {
	CC__SQ_EVENTS = 0,
	CC__SQ_NEEDS,
	CC__SQ_LESSONS,
	CC__SQ_AUTH,
	CC__SQ_INDICATORS,
	CC__SQ_IATI,
	CC__SQ_OVERLAP,
	CC__SQ_EXPORT,
	CC__SQ_SHARING,
	CC__SQ_ACTIVITIES,
	CC__SQ_SURVEY,
	CC__SQ_WEBHOOKS,
	CC__SQ_RATES,
	CC__SQ_COMPUTED,
	CC__SQ_ROUNDS,
	CC__SQ_REGISTRY,
	CC__SQ_EDITS,
	CC__SQ_N_MODULES
};

#define CC__SQ_MODULE_STMTS 64 /* prepared statements per module */

/*
 * The pillar of sector s (an alias in the query) in mission m (SQL text: "?1", "0"): the
 * mission's mapping, then the default (mission 0); for each, the sector's own code first, then
 * for a DAC-5 code its DAC-3 category; else "other". Resolved at query time, never stored.
 */
#define CC__SQ_PM(m, voc, code)                                                                  \
	"(SELECT p.pillar FROM pillar_map p WHERE p.mission_id = " m " AND p.vocabulary = " voc \
	" AND p.code = " code ")"
#define CC__SQ_DAC3      "coalesce(s.category, substr(s.code, 1, 3))"
#define CC__SQ_PM_CAT(m) "CASE WHEN s.vocabulary = '1' THEN " CC__SQ_PM(m, "'2'", CC__SQ_DAC3) " END"
#define CC__SQ_PILLAR_OF(m)                                                                 \
	"coalesce(" CC__SQ_PM(m, "s.vocabulary", "s.code") ", " CC__SQ_PM_CAT(m) ", "        \
	CC__SQ_PM("0", "s.vocabulary", "s.code") ", " CC__SQ_PM_CAT("0") ", 'other')"

/* The connection of a SQLite store (borrowed). */
sqlite3 *cc__sq_db(struct cc_store *st);

/*
 * The module's statement number id (< CC__SQ_MODULE_STMTS), prepared from sql on first use and
 * kept until the store closes; *out is reset by the step helpers. The handle's viewer is bound
 * to the statement's :v_ parameters (sqlite_visibility.h), so a statement that reads marked
 * records only needs CC__SQ_VISIBLE in its text. 0 or an error.
 */
int cc__sq_stmt(struct cc_store *st, enum cc__sq_module module, int id, const char *sql,
                sqlite3_stmt **out, struct cc_err *err);

/* An SQLite result code as a Concord error (CC_ENOMEM, CC_EBUSY, CC_EIO, CC_ESTORE). */
int cc__sq_error(struct cc_store *st, int rc, struct cc_err *err);
/* A failed bind: resets stmt, returns the error. */
int cc__sq_bind_fail(struct cc_store *st, sqlite3_stmt *stmt, int rc, struct cc_err *err);
/* Steps a statement returning no row (or ignoring it) and resets it: 0 or an error. */
int cc__sq_step_done(struct cc_store *st, sqlite3_stmt *stmt, struct cc_err *err);
/* Steps a query: 0 a row (not reset), 1 no row (reset), < 0 an error (reset). */
int cc__sq_step_row(struct cc_store *st, sqlite3_stmt *stmt, struct cc_err *err);
/* Runs SQL text with no result (DDL, pragmas); 0 or an error. */
int cc__sq_exec(struct cc_store *st, const char *sql, struct cc_err *err);

/* Enters the caller's write transaction or begins one (*own); leave commits what it began. */
int cc__sq_tx_enter(struct cc_store *st, bool *own, struct cc_err *err);
int cc__sq_tx_leave(struct cc_store *st, bool own, int ret, struct cc_err *err);
/* A read transaction, so that several statements see one state. */
int cc__sq_rx_enter(struct cc_store *st, bool *own, struct cc_err *err);
void cc__sq_rx_leave(struct cc_store *st, bool own);

/* Binding: borrowed text ("" and NULL as NULL), ids (0 as NULL), dates, numbers (NAN as NULL). */
int cc__sq_bind_text(sqlite3_stmt *stmt, int i, const char *v);
int cc__sq_bind_id(sqlite3_stmt *stmt, int i, int64_t v);
int cc__sq_bind_date(sqlite3_stmt *stmt, int i, int32_t v);
int cc__sq_bind_num(sqlite3_stmt *stmt, int i, double v);

/* Columns: text copied into dst (size n, "" for NULL), dates (CC_DATE_NONE), numbers (NAN). */
void cc__sq_col_str(sqlite3_stmt *stmt, int i, char *dst, size_t n);
int32_t cc__sq_col_date(sqlite3_stmt *stmt, int i);
double cc__sq_col_num(sqlite3_stmt *stmt, int i);

/* Makes room for one more item in *arr (capacity *cap, n used); 0 or CC_ENOMEM. */
int cc__sq_grow(void **arr, size_t *cap, size_t n, size_t size);

#endif
