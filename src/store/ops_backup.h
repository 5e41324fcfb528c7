/*
 * Backup, restore and copy (internal): what a backend gives store_backup.c, which does the rest
 * (the archive, the digests, the checks) the same way for every backend.
 *
 * A store is seen as its tables: those the store's digest covers (cc_store_digest), in the
 * digest's order (by name, bytewise), plus "meta" (the store's counters, not digested). A table
 * is read as rows of typed values in the digest's key order, each value typed as SQLite's
 * digest types it, so that hashing the values as they pass gives the table's part of the store's
 * digest on either backend.
 */
#ifndef CC_STORE_OPS_BACKUP_H
#define CC_STORE_OPS_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/store.h>

struct cc__blob;

/* SQLite's type codes, as the digest hashes them */
enum cc__bk_type { CC__BK_INT = 1, CC__BK_REAL = 2, CC__BK_TEXT = 3, CC__BK_BLOB = 4,
                   CC__BK_NULL = 5 };

struct cc__bk_value {
	unsigned char type; /* enum cc__bk_type */
	int64_t i;
	double d;
	const void *p; /* text (not terminated) or blob bytes, borrowed until the next row */
	size_t n;
};

/* Called once per row with ncols values; a nonzero return stops the read and is returned. */
typedef int cc__bk_row_fn(void *ctx, const struct cc__bk_value *v, size_t ncols,
                          struct cc_err *err);

/* Column names of one table (owned: cc__bk_names_free). */
struct cc__bk_names {
	char **v;
	size_t n;
};
void cc__bk_names_free(struct cc__bk_names *n);
int cc__bk_names_add(struct cc__bk_names *n, const char *s, size_t len, struct cc_err *err);

struct cc__backup_ops {
	/* The backend's migrations (the rows a new store's schema holds are found in them). */
	const struct cc__blob *(*migrations)(void);
	/* The tables of a store: the digest's, "meta" and derived tables kept as they are (a
	   full-text index), by name bytewise. */
	int (*tables)(struct cc_store *st, struct cc__bk_names *out, struct cc_err *err);
	/* Whether table is one of the digest's. */
	bool (*digested)(const char *table);
	/* The columns of table in its order; CC_ENOTFOUND when there is no such table. */
	int (*columns)(struct cc_store *st, const char *table, struct cc__bk_names *out,
	               struct cc_err *err);
	/* One read snapshot around several reads (unless a transaction is open: *own false). */
	int (*snapshot)(struct cc_store *st, bool *own, struct cc_err *err);
	void (*snapshot_end)(struct cc_store *st, bool own);
	/* Rows of table (cols of it, in that order) in the digest's key order. */
	int (*read)(struct cc_store *st, const char *table, const struct cc__bk_names *cols,
	            cc__bk_row_fn *fn, void *ctx, struct cc_err *err);
	/*
	 * Loading, inside the caller's write transaction: load_begin makes a loader (*ld), clear
	 * empties the tables listed, load_table opens a table with the columns that follow (NULL
	 * ends the open one), load_row loads one row, and load_end finishes (ok: what the digest
	 * does not cover is rebuilt: spatial and text indexes, sequences, derived tables, deferred
	 * constraints checked) and frees the loader in every case.
	 */
	int (*load_begin)(struct cc_store *st, void **ld, struct cc_err *err);
	int (*clear)(void *ld, const struct cc__bk_names *tables, struct cc_err *err);
	int (*load_table)(void *ld, const char *table, const struct cc__bk_names *cols,
	                  struct cc_err *err);
	int (*load_row)(void *ld, const struct cc__bk_value *v, size_t ncols, struct cc_err *err);
	int (*load_end)(void *ld, bool ok, struct cc_err *err);
};

extern const struct cc__backup_ops cc__sqlite_backup; /* sqlite_backup.c */
#if defined(CC_WITH_POSTGRES) && CC_WITH_POSTGRES
extern const struct cc__backup_ops cc__postgres_backup; /* postgres_backup.c */
#endif

#endif
