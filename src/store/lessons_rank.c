/*
 * The lessons register's ranking for a store without lesson_fts (lessons_rank.h): SQLite's
 * FTS5 table of sqlite_lessons.c, made in a private in-memory database from the lessons'
 * text and asked the same question, so that the hits, their order, their bm25 and their
 * snippets are SQLite's whatever the backend.
 */
#include "store/lessons_rank.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <concord/alloc.h>

#include "core/banned.h"

/* lesson_fts as migration 0005 of SQLite's store makes it; the query as sqlite_lessons.c's */
static const char sql_table[] =
        "CREATE VIRTUAL TABLE lesson_fts USING fts5(title, observation, discussion, conclusion, "
        "recommendation, tags, tokenize = 'porter unicode61 remove_diacritics 2')";
static const char sql_add[] =
        "INSERT INTO lesson_fts (rowid, title, observation, discussion, conclusion, "
        "recommendation, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, replace(?7, ',', ' '))";
static const char sql_match[] =
        "SELECT rowid, bm25(lesson_fts, 10.0, 2.0, 1.0, 2.0, 3.0, 5.0), "
        "snippet(lesson_fts, -1, '[', ']', '...', 16) FROM lesson_fts WHERE lesson_fts "
        "MATCH ?1 ORDER BY rowid";

static bool word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c >= 0x80;
}

int cc__lessons_fts_query(const char *q, struct cc_buf *b, struct cc_err *err)
{
	const unsigned char *p = (const unsigned char *)q;
	size_t n_words = 0;
	int ret = 0;

	while (*p && ret == 0) {
		const unsigned char *w = p;

		if (!word_byte(*p)) {
			p++;
			continue;
		}
		while (*p && word_byte(*p))
			p++;
		if (n_words++)
			ret = cc_buf_addch(b, ' ');
		if (ret == 0)
			ret = cc_buf_addf(b, "\"%.*s\"", (int)(p - w), (const char *)w);
		if (ret == 0 && *p == '*') {
			ret = cc_buf_addch(b, '*');
			p++;
		}
	}
	if (ret < 0)
		return cc_err_set(err, ret, "%s", cc_code_text(ret));
	if (!n_words)
		return cc_err_set(err, CC_EUSAGE, "the query '%s' has no word to search for", q);
	return 0;
}

static int fail(sqlite3 *db, int rc, struct cc_err *err)
{
	if (rc == SQLITE_NOMEM)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	return cc_err_set(err, CC_ESTORE, "lessons search: %s",
	                  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* "" as NULL, as the SQLite store binds text */
static int bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (!v || !*v)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static int fill(sqlite3 *db, const struct cc__lesson_doc *docs, size_t n_docs,
                struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_exec(db, sql_table, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, sql_add, -1, &s, NULL);
	for (size_t i = 0; i < n_docs && rc == SQLITE_OK; i++) {
		const struct cc__lesson_doc *d = &docs[i];

		if ((rc = sqlite3_bind_int64(s, 1, d->id)) || (rc = bind_text(s, 2, d->title)) ||
		    (rc = bind_text(s, 3, d->observation)) ||
		    (rc = bind_text(s, 4, d->discussion)) ||
		    (rc = bind_text(s, 5, d->conclusion)) ||
		    (rc = bind_text(s, 6, d->recommendation)) || (rc = bind_text(s, 7, d->tags)))
			break;
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			rc = sqlite3_reset(s);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		rc = fail(db, rc, err);
	sqlite3_finalize(s);
	return rc;
}

/* a doc's id and its index in the caller's array */
struct doc_at {
	int64_t id;
	size_t doc;
};

static int cmp_at(const void *pa, const void *pb)
{
	const struct doc_at *a = pa, *b = pb;

	return (a->id > b->id) - (a->id < b->id);
}

int cc__lessons_rank(const struct cc__lesson_doc *docs, size_t n_docs, const char *fts,
                     struct cc__lesson_rank **out, size_t *n_out, struct cc_err *err)
{
	struct doc_at *by_id = NULL;
	struct cc__lesson_rank *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	sqlite3 *db = NULL;
	int rc, ret = 0;

	*out = NULL;
	*n_out = 0;
	if (!n_docs)
		return 0;
	/* each doc's index by its id */
	by_id = cc_alloc_array(n_docs, sizeof(*by_id));
	if (!by_id)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < n_docs; i++)
		by_id[i] = (struct doc_at){ docs[i].id, i };
	qsort(by_id, n_docs, sizeof(*by_id), cmp_at);
	rc = sqlite3_open_v2(":memory:", &db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		ret = fail(db, rc, err);
		goto out;
	}
	if ((ret = fill(db, docs, n_docs, err)) < 0)
		goto out;
	rc = sqlite3_prepare_v2(db, sql_match, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 1, fts, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct doc_at key = { sqlite3_column_int64(s, 0), 0 };
		const struct doc_at *d = bsearch(&key, by_id, n_docs, sizeof(*by_id), cmp_at);
		const char *snip = (const char *)sqlite3_column_text(s, 2);

		if (!d) {
			ret = cc_err_set(err, CC_ESTORE, "lessons search: no lesson %lld",
			                 (long long)key.id);
			goto out;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct cc__lesson_rank *nv = cc_realloc(v, ncap * sizeof(*v));

			if (!nv) {
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
				goto out;
			}
			v = nv;
			cap = ncap;
		}
		memset(&v[n], 0, sizeof(v[n]));
		v[n].doc = d->doc;
		v[n].rank = sqlite3_column_double(s, 1);
		snprintf(v[n].snippet, sizeof(v[n].snippet), "%s", snip ? snip : "");
		n++;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		ret = fail(db, rc, err);
		goto out;
	}
	*out = v;
	*n_out = n;
	v = NULL;
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	cc_free(v);
	cc_free(by_id);
	return ret;
}
