/*
 * The lessons register's ranking for a store without lesson_fts (lessons_rank.h): SQLite's
 * FTS5 table of sqlite_lessons.c, made in a private in-memory database from the lessons'
 * text and asked the same question, so that the hits, their order, their bm25 and their
 * snippets are SQLite's whatever the backend. The in-memory index itself (cc__fts_rank) knows
 * nothing of lessons: another search gives it its own table and question.
 */
#include "store/lessons_rank.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <concord/alloc.h>

#include "store/backend_common.h"

#include "core/banned.h"

/* lesson_fts as migration 0005 of SQLite's store makes it; the query as sqlite_lessons.c's */
static const struct cc__fts_spec lessons_fts = {
	.create = "CREATE VIRTUAL TABLE lesson_fts USING fts5(title, observation, discussion, "
	          "conclusion, recommendation, tags, tokenize = 'porter unicode61 "
	          "remove_diacritics 2')",
	.insert = "INSERT INTO lesson_fts (rowid, title, observation, discussion, conclusion, "
	          "recommendation, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, replace(?7, ',', ' '))",
	.match = "SELECT rowid, bm25(lesson_fts, 10.0, 2.0, 1.0, 2.0, 3.0, 5.0), "
	         "snippet(lesson_fts, -1, '[', ']', '...', 16) FROM lesson_fts WHERE lesson_fts "
	         "MATCH ?1 ORDER BY rowid",
	.n_cols = 6,
};

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

/* ---- the in-memory index ---- */

static int fail(sqlite3 *db, int rc, struct cc_err *err)
{
	if (rc == SQLITE_NOMEM)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	return cc_err_set(err, CC_ESTORE, "full-text search: %s",
	                  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* "" as NULL, as the SQLite store binds text */
static int bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (!v || !*v)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* The table of spec holding docs, in one transaction. An SQLite result code. */
static int fill(sqlite3 *db, const struct cc__fts_spec *spec, const struct cc__fts_docs *docs)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_exec(db, spec->create, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, spec->insert, -1, &s, NULL);
	for (size_t i = 0; i < docs->n && rc == SQLITE_OK; i++) {
		rc = sqlite3_bind_int64(s, 1, docs->id(docs->ctx, i));
		for (int c = 0; c < spec->n_cols && rc == SQLITE_OK; c++)
			rc = bind_text(s, c + 2, docs->text(docs->ctx, i, c));
		if (rc == SQLITE_OK)
			rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			rc = sqlite3_reset(s);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(s);
	return rc;
}

/* spec's auxiliary function, registered through FTS5's own API. An SQLite result code. */
static int add_fn(sqlite3 *db, const struct cc__fts_spec *spec)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	if (rc == SQLITE_OK && sqlite3_step(s) != SQLITE_ROW)
		rc = sqlite3_errcode(db);
	sqlite3_finalize(s);
	if (rc == SQLITE_OK && !api)
		rc = SQLITE_ERROR;
	if (rc == SQLITE_OK)
		rc = api->xCreateFunction(api, spec->fn_name, spec->fn_data, spec->fn, NULL);
	return rc;
}

/* a doc's id and its index in the caller's docs */
struct doc_at {
	int64_t id;
	size_t doc;
};

static int cmp_at(const void *pa, const void *pb)
{
	const struct doc_at *a = pa, *b = pb;

	return (a->id > b->id) - (a->id < b->id);
}

int cc__fts_rank(const struct cc__fts_spec *spec, const struct cc__fts_docs *docs, const char *fts,
                 int64_t limit, cc__fts_hit_fn *hit, void *hit_ctx, struct cc_err *err)
{
	struct doc_at *by_id = NULL;
	sqlite3_stmt *s = NULL;
	sqlite3 *db = NULL;
	int rc, ret = 0;

	if (!docs->n)
		return 0;
	/* each doc's index by its id */
	by_id = cc_alloc_array(docs->n, sizeof(*by_id));
	if (!by_id)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < docs->n; i++)
		by_id[i] = (struct doc_at){ docs->id(docs->ctx, i), i };
	qsort(by_id, docs->n, sizeof(*by_id), cmp_at);
	rc = sqlite3_open_v2(":memory:", &db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                     NULL);
	if (rc == SQLITE_OK && spec->fn)
		rc = add_fn(db, spec);
	if (rc == SQLITE_OK)
		rc = fill(db, spec, docs);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, spec->match, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 1, fts, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && sqlite3_bind_parameter_count(s) >= 2)
		rc = sqlite3_bind_int64(s, 2, limit < 0 ? -1 : limit);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct doc_at key = { sqlite3_column_int64(s, 0), 0 };
		const struct doc_at *d = bsearch(&key, by_id, docs->n, sizeof(*by_id), cmp_at);

		if (!d) {
			ret = cc_err_set(err, CC_ESTORE, "full-text search: no document %lld",
			                 (long long)key.id);
			goto out;
		}
		if ((ret = hit(hit_ctx, d->doc, sqlite3_column_double(s, 1),
		               (const char *)sqlite3_column_text(s, 2), err)) < 0)
			goto out;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE)
		ret = fail(db, rc, err);
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	cc_free(by_id);
	return ret;
}

/* ---- the lessons register ---- */

static int64_t lesson_id(const void *ctx, size_t doc)
{
	const struct cc__lesson_doc *d = ctx;

	return d[doc].id;
}

static const char *lesson_text(const void *ctx, size_t doc, int col)
{
	const struct cc__lesson_doc *d = (const struct cc__lesson_doc *)ctx + doc;
	const char *cols[] = { d->title,      d->observation,    d->discussion,
		               d->conclusion, d->recommendation, d->tags };

	return cols[col];
}

/* the hits so far */
struct ranks {
	struct cc__lesson_rank *v;
	size_t n, cap;
};

static int add_rank(void *ctx, size_t doc, double rank, const char *snippet, struct cc_err *err)
{
	struct ranks *r = ctx;

	if (cc__grow((void **)&r->v, &r->cap, r->n, sizeof(*r->v)) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	memset(&r->v[r->n], 0, sizeof(r->v[r->n]));
	r->v[r->n].doc = doc;
	r->v[r->n].rank = rank;
	snprintf(r->v[r->n].snippet, sizeof(r->v[r->n].snippet), "%s", snippet ? snippet : "");
	r->n++;
	return 0;
}

int cc__lessons_rank(const struct cc__lesson_doc *docs, size_t n_docs, const char *fts,
                     struct cc__lesson_rank **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__fts_docs d = {
		.n = n_docs, .id = lesson_id, .text = lesson_text, .ctx = docs
	};
	struct ranks r = { 0 };
	int ret;

	*out = NULL;
	*n_out = 0;
	ret = cc__fts_rank(&lessons_fts, &d, fts, -1, add_rank, &r, err);
	if (ret < 0) {
		cc_free(r.v);
		return ret;
	}
	*out = r.v;
	*n_out = r.n;
	return 0;
}
