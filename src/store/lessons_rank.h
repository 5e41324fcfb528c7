/*
 * The lessons register's full-text ranking outside SQLite's own store (internal).
 *
 * SQLite's store ranks lessons with its FTS5 index lesson_fts (porter stemming, diacritics
 * folded, bm25 weighted by column, snippets): see sqlite_lessons.c. Another backend gets the
 * same hits, in the same order, with the same ranks and snippets, by handing every lesson's
 * indexed text to cc__lessons_rank(), which builds the same FTS5 table in a private in-memory
 * SQLite database and runs the same query on it. bm25 reads the whole index (the number of
 * lessons, the average length of each column, how many lessons hold each word), so the index
 * holds every lesson, not only the ones a reader may see, as lesson_fts does.
 */
#ifndef CC_STORE_LESSONS_RANK_H
#define CC_STORE_LESSONS_RANK_H

#include <stddef.h>
#include <stdint.h>

#include <concord/buf.h>
#include <concord/error.h>

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
