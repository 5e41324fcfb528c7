/*
 * The lessons register's full-text ranking outside SQLite's own store (internal), and the
 * in-memory FTS5 index it is made with, for any search that must rank as SQLite does.
 *
 * SQLite's store ranks lessons with its FTS5 index lesson_fts (porter stemming, diacritics
 * folded, bm25 weighted by column, snippets): see sqlite_lessons.c. Another backend gets the
 * same hits, in the same order, with the same ranks and snippets, by handing every lesson's
 * indexed text to cc__lessons_rank(), which builds the same FTS5 table in a private in-memory
 * SQLite database and runs the same query on it (cc__fts_rank()). bm25 reads the whole index
 * (the number of lessons, the average length of each column, how many lessons hold each
 * word), so the index holds every lesson, not only the ones a reader may see, as lesson_fts
 * does.
 */
#ifndef CC_STORE_LESSONS_RANK_H
#define CC_STORE_LESSONS_RANK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include <concord/buf.h>
#include <concord/error.h>

/* ---- an in-memory FTS5 index ---- */

/*
 * A search's table and questions, as SQL of the in-memory database (borrowed):
 *   create  makes the FTS5 table: its columns, tokenizer and options as the store's own;
 *   insert  adds one document: ?1 its rowid, ?2 … ?n_cols+1 its columns ("" bound as NULL);
 *   match   the hits of the FTS5 query ?1 (and at most ?2 of them, when it has a ?2): rowid,
 *           rank, snippet, in the order the caller wants them;
 *   fn, fn_name, fn_data  an auxiliary function match may call (fn NULL: none), as when the
 *           rank is bm25 fed with counts the in-memory table does not hold.
 */
struct cc__fts_spec {
	const char *create, *insert, *match;
	int n_cols;
	const char *fn_name;
	fts5_extension_function fn;
	void *fn_data;
};

/* The documents to index: n of them, each with its rowid (distinct) and its columns. */
struct cc__fts_docs {
	size_t n;
	int64_t (*id)(const void *ctx, size_t doc);
	/* column col (0 …) of doc, borrowed until cc__fts_rank returns; NULL as "" */
	const char *(*text)(const void *ctx, size_t doc, int col);
	const void *ctx;
};

/* One hit, in match's order: doc its index in the docs, its rank and snippet. 0 to go on, or a
 * negative enum cc_code (its err set) that ends the search. */
typedef int cc__fts_hit_fn(void *ctx, size_t doc, double rank, const char *snippet,
                           struct cc_err *err);

/*
 * Indexes docs in a new in-memory FTS5 table as spec makes it, asks it match with the FTS5
 * query fts and limit (< 0: none), and hands each hit to hit(hit_ctx, …). 0; CC_ENOMEM;
 * CC_ESTORE when SQLite fails (a malformed query too) or a hit names no doc; or hit's error.
 */
int cc__fts_rank(const struct cc__fts_spec *spec, const struct cc__fts_docs *docs, const char *fts,
                 int64_t limit, cc__fts_hit_fn *hit, void *hit_ctx, struct cc_err *err);

/* ---- the lessons register ---- */

/* One lesson's indexed text (borrowed; NULL or "" an empty column). tags as stored ("a,b"). */
struct cc__lesson_doc {
	int64_t id;
	const char *title, *observation, *discussion, *conclusion, *recommendation, *tags;
};

/* One lesson matching the query: its index in the docs given, its bm25, its snippet. */
struct cc__lesson_rank {
	size_t doc;
	double rank;
	char snippet[512];
};

/*
 * Plain words to an FTS5 query, as the lessons search reads them: each run of letters and
 * digits one quoted string (no word taken as an operator), a '*' right after it a prefix
 * query; the words ANDed. CC_EUSAGE for a query with no word.
 */
int cc__lessons_fts_query(const char *q, struct cc_buf *b, struct cc_err *err);

/*
 * The docs (ids distinct) matching the FTS5 query fts (from cc__lessons_fts_query), ranked
 * as lesson_fts ranks them (bm25 with title 10, observation 2, discussion 1, conclusion 2,
 * recommendation 3, tags 5; smaller is better), in the order of the index (by id); *out owned
 * (cc_free), NULL when none.
 */
int cc__lessons_rank(const struct cc__lesson_doc *docs, size_t n_docs, const char *fts,
                     struct cc__lesson_rank **out, size_t *n_out, struct cc_err *err);

#endif
