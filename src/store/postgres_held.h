/*
 * Rows a PostgreSQL importer holds in C inside a write transaction (internal; the activities of
 * a 3W, needs, observations, survey respondents and answers, feedback).
 *
 * An import decides each put in C, as SQLite decides it, against a table of what is stored:
 * struct cc__held_table keeps fixed-size rows of the domain's choosing under a key of its
 * choosing (open addressing over the rows, which never move between a find and the next add),
 * the rows with a change not sent yet (insert, update, or only "seen by this batch"), in the
 * order of the puts, and which groups of rows (a source, an indicator) it has read from the
 * store. The changes go many at a time, one statement of each kind over unnest() of array
 * literals (cc__pg_arr_*), CC__HELD_SEND_ROWS rows to a statement: cc__held_send() writes the
 * arrays from the rows when it sends (the rows keep every value), struct cc__held_batch takes
 * them as each put comes (the activities, whose strings a put only borrows).
 *
 * Lifecycle: cc__held_init(), then find/add/mark as puts come, cc__held_send() or the domain's
 * own batches, cc__held_forget() after each send, cc__held_release() at the end. The table
 * lives in the domain's struct given to cc__pg_hold(); one thread, as the handle.
 */
#ifndef CC_STORE_POSTGRES_HELD_H
#define CC_STORE_POSTGRES_HELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/buf.h>

#include "store/postgres_int.h"

/* held changes sent in one statement */
#define CC__HELD_SEND_ROWS 2000

enum cc__held_kind { CC__HELD_NONE, CC__HELD_INSERT, CC__HELD_UPDATE, CC__HELD_SEEN };

/* The head of a change: the row's index and what it waits for; the domain's part follows. */
struct cc__held_change {
	size_t row;
	enum cc__held_kind kind;
};

/* What a table holds and how it finds it (a static const of the domain). */
struct cc__held_ops {
	size_t row_size;    /* bytes of a row */
	size_t change_size; /* bytes of a change: struct cc__held_change first, then the domain's */
	uint64_t (*hash)(const void *row);            /* of the row's key */
	bool (*same)(const void *row, const void *b); /* whether rows row and b have one key */
};

/* A group of rows (a source's, an indicator's) and how much of it the table has read. */
struct cc__held_group {
	int64_t id;
	int n_looked_up; /* puts of it that read their one row */
	bool loaded;     /* every stored row of it is in the table */
};

struct cc__held_table {
	const struct cc__held_ops *ops; /* borrowed: static */
	unsigned char *rows;            /* owned: n_rows of ops->row_size bytes */
	size_t n_rows, cap_rows;
	uint32_t *change_of; /* owned: per row, the index + 1 of its change, 0 none */
	size_t cap_change_of;
	uint32_t *slots;        /* owned: open addressing, index + 1 into rows, 0 empty */
	size_t n_slots;         /* 0 or a power of two, at least twice n_rows */
	unsigned char *changes; /* owned: n_changes of ops->change_size bytes, in the order held */
	size_t n_changes, cap_changes;
	struct cc__held_group *groups; /* owned */
	size_t n_groups, cap_groups;
	int64_t next_id; /* of the next new row: the highest stored plus one, as SQLite's rowid */
};

void cc__held_init(struct cc__held_table *t, const struct cc__held_ops *ops);
/* Frees what the table owns (not what its rows own: the domain frees that first). NULL ok. */
void cc__held_release(struct cc__held_table *t);

static inline void *cc__held_row(const struct cc__held_table *t, size_t i)
{
	return t->rows + i * t->ops->row_size;
}

static inline size_t cc__held_index(const struct cc__held_table *t, const void *row)
{
	return (size_t)((const unsigned char *)row - t->rows) / t->ops->row_size;
}

/* The row with probe's key (a row whose key fields alone are set), NULL when there is none. */
void *cc__held_find(const struct cc__held_table *t, const void *probe);
/* Adds a copy of row, whose key the table does not have; the copy, or NULL out of memory. */
void *cc__held_add(struct cc__held_table *t, const void *row);

/* What row waits for: CC__HELD_NONE when it has no held change. */
enum cc__held_kind cc__held_kind_of(const struct cc__held_table *t, const void *row);
/*
 * Holds a change of kind for row: a new change (zeroed after its head) when it has none; "seen"
 * then changed becomes an update, which carries both; otherwise its change stays as it is (a
 * held insert or update writes the row's latest values). The change, or NULL out of memory.
 */
void *cc__held_mark(struct cc__held_table *t, const void *row, enum cc__held_kind kind);
static inline void *cc__held_change(const struct cc__held_table *t, size_t i)
{
	return t->changes + i * t->ops->change_size;
}
/* The row of change c. */
static inline void *cc__held_row_of(const struct cc__held_table *t, const void *c)
{
	return cc__held_row(t, ((const struct cc__held_change *)c)->row);
}
/* Forgets every change (after a send, sent or failed); the rows stay: they are what is stored. */
void cc__held_forget(struct cc__held_table *t);

/*
 * What the table must read from the store before a put of group id is decided: the first
 * n_alone puts of a group read their one row (CC__HELD_READ_ONE: unless the table has its key
 * already), the next reads every row of the group (CC__HELD_READ_ALL, once), the rest nothing
 * (CC__HELD_KNOWN). Or CC_ENOMEM.
 */
enum { CC__HELD_KNOWN, CC__HELD_READ_ONE, CC__HELD_READ_ALL };
int cc__held_look_up(struct cc__held_table *t, int64_t id, int n_alone);

/* The head of a row keyed by its source (or any id) and a 16-byte hash of its natural key. */
struct cc__held_natkey {
	int64_t source_id;
	unsigned char natkey[16];
};
/* ops->hash and ops->same of such rows */
uint64_t cc__held_natkey_hash(const void *row);
bool cc__held_natkey_same(const void *row, const void *b);
/* The row of such a key, NULL when the table has none. */
void *cc__held_find_natkey(const struct cc__held_table *t, int64_t source_id,
                           const unsigned char natkey[16]);
/* Hashes of other keys (FNV-1a): from CC__HELD_HASH_SEED, mix in each integer and text. */
#define CC__HELD_HASH_SEED 1469598103934665603u
uint64_t cc__held_mix(uint64_t h, uint64_t v);
uint64_t cc__held_mix_text(uint64_t h, const char *s);
/* The 16 bytes as 32 lowercase hex digits (decode(…, 'hex') on the server). */
void cc__held_hex16(const unsigned char v[16], char out[33]);

/* ---- sending ---- */

/* One array literal per column of a statement over unnest(), and how many rows they hold. */
struct cc__held_batch {
	struct cc_buf col[CC__PG_MAX_PARAMS];
	size_t n;
};

void cc__held_batch_init(struct cc__held_batch *b);
void cc__held_batch_release(struct cc__held_batch *b);
/* Empties b, keeping its memory. */
void cc__held_batch_clear(struct cc__held_batch *b);
/*
 * Sends the rows of b, if any, with sql over its first n_cols arrays ($1 …), and empties it
 * (the memory stays for the next). A failure names the send: "sending 2,000 held activities:
 * PostgreSQL: …" (what: "activities"). 0, CC_ENOMEM or the server's error.
 */
int cc__held_batch_send(struct cc_store *st, struct cc__held_batch *b, int n_cols, const char *sql,
                        const char *what, struct cc_err *err);

/* One statement of held changes: the kinds it sends and how a change becomes its arrays. */
struct cc__held_stmt {
	unsigned kinds; /* 1 << CC__HELD_INSERT | …: the changes it sends */
	int n_cols;     /* arrays, sent as $1 … $n_cols */
	const char *sql;
	const char *what; /* the rows, for the error ("activities") */
	/* adds change c's row to the arrays cols (ctx: cc__held_send's); 0 or CC_ENOMEM */
	int (*cols)(void *ctx, const void *c, struct cc_buf *cols);
};

/*
 * Sends every held change of t, CC__HELD_SEND_ROWS changes at a time, each group of them
 * through stmts in order (a statement with no row of its kinds in the group is not sent).
 * The changes stay: the caller forgets them (cc__held_forget) when it has done with them.
 * 0, CC_ENOMEM or the first statement's error.
 */
int cc__held_send(struct cc_store *st, const struct cc__held_table *t,
                  const struct cc__held_stmt *stmts, size_t n_stmts, void *ctx, struct cc_err *err);

/* ---- a domain's held rows on the handle ---- */

/* How a domain holds its rows (a static const of the domain). */
struct cc__held_domain {
	const struct cc__pg_holder *holder;
	const char *lock_sql; /* an advisory lock every writer of the table takes */
	const char *max_sql;  /* the highest id stored, for the table's next_id */
	size_t size; /* of the domain's struct, whose first member is its table (made with ops) */
	const struct cc__held_ops *ops;
	int (*made)(void *held, struct cc_err *err); /* NULL or the rest of a new one: 0 or error */
};

/*
 * Puts row (the domain's record: an activity, a need …) on d's held rows, let go of while put
 * runs, or on new ones (after d->lock_sql), in the caller's write transaction or in one of its
 * own, which sends the rows before it commits. A failed put drops the held rows: the
 * transaction fails with them. dup_line_out may be NULL (set to 0 first otherwise). 0 or an
 * error.
 */
typedef int cc__held_put_fn(struct cc_store *st, void *held, void *row, int64_t batch,
                            enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err);
int cc__held_put(struct cc_store *st, const struct cc__held_domain *d, cc__held_put_fn *put,
                 void *row, int64_t batch, enum cc_put_result *res_out, long *dup_line_out,
                 struct cc_err *err);

#endif
