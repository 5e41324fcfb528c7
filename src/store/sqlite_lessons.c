/*
 * The lessons register in the SQLite store: tables lesson and lesson_link, and the FTS5 index
 * lesson_fts (porter stemming, diacritics folded), kept in step by the writes below.
 */
#include "store/ops_lessons.h"

#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>

#include "store/sqlite_int.h"
#include "store/sqlite_visibility.h"

#include "core/banned.h"

enum {
	S_FIND,
	S_INSERT,
	S_UPDATE,
	S_FTS_DEL,
	S_FTS_ADD,
	S_LINKS_OF,
	S_LINK_DEL,
	S_LINK_ADD,
	S_GET,
	S_LIST,
	S_LINKS,
	S_EVIDENCE,
	S_SEARCH,
	S_HAS_ACTIVITY,
	S_HAS_INDICATOR,
	S_HAS_INCIDENT,
	S_HAS_AREA,
	S_HAS_REPORT,
};

#define L_COLS                                                                                    \
	"l.id, l.mission_id, m.code, l.key, l.title, l.observation, l.discussion, l.conclusion, " \
	"l.recommendation, l.pillars, l.areas, l.tags, l.date, l.source, l.status, l.owner, "     \
	"l.releasability"
#define L_FROM   " FROM lesson l LEFT JOIN mission m ON m.id = l.mission_id "
#define L_N_COLS 17

static const char *const sql[] = {
	[S_FIND] = "SELECT id, digest, status FROM lesson WHERE key = ?1",
	[S_INSERT] = "INSERT INTO lesson (mission_id, key, title, observation, discussion, "
	             "conclusion, recommendation, pillars, areas, tags, date, source, status, "
	             "owner, releasability, digest) VALUES (?1, coalesce(?2, printf('LL-%04d', "
	             "(SELECT coalesce(max(id), 0) + 1 FROM lesson))), ?3, ?4, ?5, ?6, ?7, ?8, "
	             "?9, ?10, ?11, ?12, ?13, ?14, coalesce(?15, 'public'), ?16) RETURNING id, key",
	[S_UPDATE] = "UPDATE lesson SET mission_id = ?1, title = ?3, observation = ?4, "
	             "discussion = ?5, conclusion = ?6, recommendation = ?7, pillars = ?8, "
	             "areas = ?9, tags = ?10, date = ?11, source = ?12, status = ?13, owner = ?14, "
	             "releasability = coalesce(?15, 'public'), digest = ?16 WHERE key = ?2",
	[S_FTS_DEL] = "DELETE FROM lesson_fts WHERE rowid = ?1",
	[S_FTS_ADD] =
	        "INSERT INTO lesson_fts (rowid, title, observation, discussion, conclusion, "
	        "recommendation, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, replace(?7, ',', ' '))",
	[S_LINKS_OF] = "SELECT kind, ref FROM lesson_link WHERE lesson_id = ?1",
	[S_LINK_DEL] = "DELETE FROM lesson_link WHERE lesson_id = ?1",
	[S_LINK_ADD] =
	        "INSERT OR IGNORE INTO lesson_link (lesson_id, kind, ref) VALUES (?1, ?2, ?3)",
	[S_GET] = "SELECT " L_COLS L_FROM "WHERE l.key = ?1 AND " CC__SQ_VISIBLE("l", "lesson"),
	[S_LIST] = "SELECT " L_COLS L_FROM
	           "WHERE (?1 IS NULL OR instr(',' || l.pillars || ',', ',' || ?1 || ',') > 0) "
	           "AND (?2 IS NULL OR l.status = ?2) AND (?3 IS NULL OR l.mission_id = ?3) "
	           "AND " CC__SQ_VISIBLE("l", "lesson") " ORDER BY l.key",
	[S_LINKS] = "SELECT l.key, l.title, k.kind, k.ref FROM lesson_link k "
	            "JOIN lesson l ON l.id = k.lesson_id WHERE l.key = ?1 ORDER BY k.kind, k.ref",
	[S_EVIDENCE] = "SELECT l.key, l.title, k.kind, k.ref FROM lesson_link k "
	               "JOIN lesson l ON l.id = k.lesson_id WHERE k.kind = ?1 AND k.ref = ?2 "
	               "AND " CC__SQ_VISIBLE("l", "lesson") " ORDER BY l.key",
	/* weights: title 10, observation 2, discussion 1, conclusion 2, recommendation 3, tags 5 */
	[S_SEARCH] =
	        "SELECT " L_COLS ", bm25(lesson_fts, 10.0, 2.0, 1.0, 2.0, 3.0, 5.0) AS r, "
	        "snippet(lesson_fts, -1, '[', ']', '...', 16) "
	        "FROM lesson_fts JOIN lesson l ON l.id = lesson_fts.rowid "
	        "LEFT JOIN mission m ON m.id = l.mission_id "
	        "WHERE lesson_fts MATCH ?1 AND " CC__SQ_VISIBLE("l", "lesson") " ORDER BY r, l.key",
	/* the evidence a lesson may cite (sq_evidence_exists): ?1 the ref, ?2 it as an id */
	[S_HAS_ACTIVITY] =
	        "SELECT 1 FROM activity a WHERE a.id = ?2 AND " CC__SQ_VISIBLE("a", "activity"),
	[S_HAS_INDICATOR] = "SELECT 1 FROM indicator WHERE code = ?1",
	[S_HAS_INCIDENT] = "SELECT 1 FROM incident WHERE id = ?2 OR (source IN ('acled', 'ucdp') "
	                   "AND source_id = ?1)",
	[S_HAS_AREA] = "SELECT 1 FROM area WHERE pcode = ?1",
	[S_HAS_REPORT] = "SELECT 1 FROM source WHERE name = ?1 UNION ALL SELECT 1 FROM lesson_link "
	                 "WHERE kind = 'report' AND ref = ?1",
};

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_LESSONS, id, sql[id], out, err);
}

static void read_lesson(sqlite3_stmt *s, struct cc_lesson *l)
{
	char status[32];

	memset(l, 0, sizeof(*l));
	l->id = sqlite3_column_int64(s, 0);
	l->mission_id = sqlite3_column_int64(s, 1);
	cc__sq_col_str(s, 2, l->mission, sizeof(l->mission));
	cc__sq_col_str(s, 3, l->key, sizeof(l->key));
	cc__sq_col_str(s, 4, l->title, sizeof(l->title));
	cc__sq_col_str(s, 5, l->observation, sizeof(l->observation));
	cc__sq_col_str(s, 6, l->discussion, sizeof(l->discussion));
	cc__sq_col_str(s, 7, l->conclusion, sizeof(l->conclusion));
	cc__sq_col_str(s, 8, l->recommendation, sizeof(l->recommendation));
	cc__sq_col_str(s, 9, l->pillars, sizeof(l->pillars));
	cc__sq_col_str(s, 10, l->areas, sizeof(l->areas));
	cc__sq_col_str(s, 11, l->tags, sizeof(l->tags));
	l->date = cc__sq_col_date(s, 12);
	cc__sq_col_str(s, 13, l->source, sizeof(l->source));
	cc__sq_col_str(s, 14, status, sizeof(status));
	l->status = (enum cc_lesson_status)(
	        cc_lesson_status_parse(status) < 0 ? 0 : cc_lesson_status_parse(status));
	cc__sq_col_str(s, 15, l->owner, sizeof(l->owner));
	cc__sq_col_str(s, 16, l->releasability, sizeof(l->releasability));
}

static int bind_lesson(sqlite3_stmt *s, const struct cc_lesson *l, const char *digest)
{
	int rc;

	if ((rc = cc__sq_bind_id(s, 1, l->mission_id)) || (rc = cc__sq_bind_text(s, 2, l->key)) ||
	    (rc = cc__sq_bind_text(s, 3, l->title)) ||
	    (rc = cc__sq_bind_text(s, 4, l->observation)) ||
	    (rc = cc__sq_bind_text(s, 5, l->discussion)) ||
	    (rc = cc__sq_bind_text(s, 6, l->conclusion)) ||
	    (rc = cc__sq_bind_text(s, 7, l->recommendation)) ||
	    (rc = cc__sq_bind_text(s, 8, l->pillars)) || (rc = cc__sq_bind_text(s, 9, l->areas)) ||
	    (rc = cc__sq_bind_text(s, 10, l->tags)) || (rc = cc__sq_bind_date(s, 11, l->date)) ||
	    (rc = cc__sq_bind_text(s, 12, l->source)) ||
	    (rc = cc__sq_bind_text(s, 13, cc_lesson_status_name(l->status))) ||
	    (rc = cc__sq_bind_text(s, 14, l->owner)) ||
	    (rc = cc__sq_bind_text(s, 15, l->releasability)) ||
	    (rc = cc__sq_bind_text(s, 16, digest)))
		return rc;
	return SQLITE_OK;
}

static int write_fts(struct cc_store *st, const struct cc_lesson *l, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	ret = stmt(st, S_FTS_DEL, &s, err);
	if (ret < 0)
		return ret;
	rc = sqlite3_bind_int64(s, 1, l->id);
	if (rc != SQLITE_OK)
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_done(st, s, err);
	if (ret < 0)
		return ret;
	ret = stmt(st, S_FTS_ADD, &s, err);
	if (ret < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, l->id)) || (rc = cc__sq_bind_text(s, 2, l->title)) ||
	    (rc = cc__sq_bind_text(s, 3, l->observation)) ||
	    (rc = cc__sq_bind_text(s, 4, l->discussion)) ||
	    (rc = cc__sq_bind_text(s, 5, l->conclusion)) ||
	    (rc = cc__sq_bind_text(s, 6, l->recommendation)) ||
	    (rc = cc__sq_bind_text(s, 7, l->tags)))
		return cc__sq_bind_fail(st, s, rc, err);
	return cc__sq_step_done(st, s, err);
}

static bool has_link(const struct cc_lesson_link *links, size_t n, const char *kind,
                     const char *ref)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cc_evidence_kind_name((int)links[i].kind), kind) &&
		    !strcmp(links[i].ref, ref))
			return true;
	return false;
}

/* True when the stored links of lesson id are exactly links (as sets). */
static int same_links(struct cc_store *st, int64_t id, const struct cc_lesson_link *links,
                      size_t n_links, bool *same_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	size_t n_stored = 0;
	int rc, ret;

	*same_out = true;
	ret = stmt(st, S_LINKS_OF, &s, err);
	if (ret < 0)
		return ret;
	rc = sqlite3_bind_int64(s, 1, id);
	if (rc != SQLITE_OK)
		return cc__sq_bind_fail(st, s, rc, err);
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		const char *kind = (const char *)sqlite3_column_text(s, 0);
		const char *ref = (const char *)sqlite3_column_text(s, 1);

		n_stored++;
		if (!kind || !ref || !has_link(links, n_links, kind, ref))
			*same_out = false;
	}
	if (ret < 0)
		return ret;
	/* links has no duplicates (the caller's set may: then the counts differ and we rewrite) */
	if (n_stored != n_links)
		*same_out = false;
	return 0;
}

static int write_links(struct cc_store *st, int64_t id, const struct cc_lesson_link *links,
                       size_t n_links, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	ret = stmt(st, S_LINK_DEL, &s, err);
	if (ret < 0)
		return ret;
	rc = sqlite3_bind_int64(s, 1, id);
	if (rc != SQLITE_OK)
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_done(st, s, err);
	if (ret < 0)
		return ret;
	ret = stmt(st, S_LINK_ADD, &s, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n_links; i++) {
		if ((rc = sqlite3_bind_int64(s, 1, id)) ||
		    (rc = cc__sq_bind_text(s, 2, cc_evidence_kind_name((int)links[i].kind))) ||
		    (rc = cc__sq_bind_text(s, 3, links[i].ref)))
			return cc__sq_bind_fail(st, s, rc, err);
		ret = cc__sq_step_done(st, s, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int log_put(struct cc_store *st, const struct cc_lesson *l, const char *table,
                   const char *op, struct cc_err *err)
{
	char detail[128];
	struct cc_change c = { .table = table,
		               .op = op,
		               .record_id = l->id,
		               .count = 1,
		               .mission_id = l->mission_id,
		               .releasability = l->releasability[0] ? l->releasability : NULL,
		               .detail = detail };

	snprintf(detail, sizeof(detail), "lesson %s", l->key);
	return cc_store_log_change(st, &c, err);
}

/* Finds the stored lesson with l->key: 0 found (id, digest, status), 1 none, < 0 error. */
static int find(struct cc_store *st, const char *key, int64_t *id, char digest[static 65],
                int *status, struct cc_err *err)
{
	sqlite3_stmt *s;
	char text[32];
	int rc, ret;

	if (!key[0])
		return 1;
	ret = stmt(st, S_FIND, &s, err);
	if (ret < 0)
		return ret;
	rc = cc__sq_bind_text(s, 1, key);
	if (rc != SQLITE_OK)
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_row(st, s, err);
	if (ret != 0)
		return ret;
	*id = sqlite3_column_int64(s, 0);
	cc__sq_col_str(s, 1, digest, 65);
	cc__sq_col_str(s, 2, text, sizeof(text));
	*status = cc_lesson_status_parse(text);
	sqlite3_reset(s);
	return 0;
}

static int put_in_tx(struct cc_store *st, struct cc_lesson *l, const char *digest,
                     const struct cc_lesson_link *links, size_t n_links, bool keep_links,
                     enum cc_lesson_put *res, struct cc_err *err)
{
	sqlite3_stmt *s;
	char old_digest[65];
	int64_t id = 0;
	int old_status = 0, rc, ret;
	bool same = true;

	ret = find(st, l->key, &id, old_digest, &old_status, err);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		l->id = id;
		if (old_status >= 0 && !cc_lesson_transition_ok(old_status, (int)l->status)) {
			ret = cc_err_set(err, CC_EINVALID,
			                 "lesson '%s' cannot move from '%s' to '%s'", l->key,
			                 cc_lesson_status_name(old_status),
			                 cc_lesson_status_name((int)l->status));
			cc_err_at(err, NULL, 0, "status");
			return ret;
		}
		if (!keep_links) {
			ret = same_links(st, id, links, n_links, &same, err);
			if (ret < 0)
				return ret;
		}
		if (!strcmp(old_digest, digest) && same) {
			*res = CC_LESSON_UNCHANGED;
			return 0;
		}
		if (strcmp(old_digest, digest) != 0) {
			ret = stmt(st, S_UPDATE, &s, err);
			if (ret < 0)
				return ret;
			rc = bind_lesson(s, l, digest);
			if (rc != SQLITE_OK)
				return cc__sq_bind_fail(st, s, rc, err);
			if ((ret = cc__sq_step_done(st, s, err)) < 0 ||
			    (ret = write_fts(st, l, err)) < 0 ||
			    (ret = log_put(st, l, "lesson", "update", err)) < 0)
				return ret;
		}
		*res = CC_LESSON_UPDATED;
	} else {
		ret = stmt(st, S_INSERT, &s, err);
		if (ret < 0)
			return ret;
		rc = bind_lesson(s, l, digest);
		if (rc != SQLITE_OK)
			return cc__sq_bind_fail(st, s, rc, err);
		ret = cc__sq_step_row(st, s, err);
		if (ret > 0)
			ret = cc_err_set(err, CC_ESTORE, "lesson insert returned no row");
		if (ret < 0)
			return ret;
		l->id = sqlite3_column_int64(s, 0);
		cc__sq_col_str(s, 1, l->key, sizeof(l->key));
		ret = cc__sq_step_done(st, s, err); /* finishes the RETURNING statement */
		if (ret < 0)
			return ret;
		if ((ret = write_fts(st, l, err)) < 0 ||
		    (ret = log_put(st, l, "lesson", "insert", err)) < 0)
			return ret;
		*res = CC_LESSON_ADDED;
		same = n_links == 0;
	}
	if (!keep_links && !same) {
		if ((ret = write_links(st, l->id, links, n_links, err)) < 0 ||
		    (ret = log_put(st, l, "lesson_link", "update", err)) < 0)
			return ret;
	}
	return 0;
}

static int sq_put(struct cc_store *st, struct cc_lesson *l, const char *digest,
                  const struct cc_lesson_link *links, size_t n_links, bool keep_links,
                  enum cc_lesson_put *res_out, struct cc_err *err)
{
	enum cc_lesson_put res = CC_LESSON_UNCHANGED;
	bool own = sqlite3_get_autocommit(cc__sq_db(st)) != 0;
	int ret;

	/*
	 * Not cc__sq_tx_enter(): the change log enters the transaction again, which only works
	 * in one begun by cc_store_begin().
	 */
	if (own) {
		ret = cc_store_begin(st, err);
		if (ret < 0)
			return ret;
	}
	ret = put_in_tx(st, l, digest, links, n_links, keep_links, &res, err);
	if (own) {
		if (ret == 0)
			ret = cc_store_commit(st, err);
		else
			cc_store_rollback(st);
	}
	if (ret == 0 && res_out)
		*res_out = res;
	return ret;
}

static int sq_get(struct cc_store *st, const char *key, struct cc_lesson *out, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	ret = stmt(st, S_GET, &s, err);
	if (ret < 0)
		return ret;
	rc = cc__sq_bind_text(s, 1, key);
	if (rc != SQLITE_OK)
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "no lesson '%s'", key);
	if (ret < 0)
		return ret;
	read_lesson(s, out);
	sqlite3_reset(s);
	return 0;
}

/* Collects every row of s (bound, not stepped) with read into a new array. */
static int collect(struct cc_store *st, sqlite3_stmt *s, size_t size,
                   void (*read)(sqlite3_stmt *, void *), void **out, size_t *n_out,
                   struct cc_err *err)
{
	void *arr = NULL;
	size_t n = 0, cap = 0;
	int ret;

	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		if (cc__sq_grow(&arr, &cap, n, size) < 0) {
			sqlite3_reset(s);
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			break;
		}
		read(s, (char *)arr + n * size);
		n++;
	}
	if (ret < 0) {
		cc_free(arr);
		return ret;
	}
	*out = arr;
	*n_out = n;
	return 0;
}

static void read_lesson_v(sqlite3_stmt *s, void *p)
{
	read_lesson(s, p);
}

static void read_link_v(sqlite3_stmt *s, void *p)
{
	struct cc_lesson_link *k = p;
	char kind[32];

	memset(k, 0, sizeof(*k));
	cc__sq_col_str(s, 0, k->key, sizeof(k->key));
	cc__sq_col_str(s, 1, k->title, sizeof(k->title));
	cc__sq_col_str(s, 2, kind, sizeof(kind));
	k->kind = (enum cc_evidence_kind)(
	        cc_evidence_kind_parse(kind) < 0 ? 0 : cc_evidence_kind_parse(kind));
	cc__sq_col_str(s, 3, k->ref, sizeof(k->ref));
}

static void read_hit_v(sqlite3_stmt *s, void *p)
{
	struct cc_lesson_hit *h = p;

	read_lesson(s, &h->lesson);
	h->rank = sqlite3_column_double(s, L_N_COLS);
	cc__sq_col_str(s, L_N_COLS + 1, h->snippet, sizeof(h->snippet));
}

static int read_all(struct cc_store *st, sqlite3_stmt *s, size_t size,
                    void (*read)(sqlite3_stmt *, void *), void **out, size_t *n_out,
                    struct cc_err *err)
{
	bool own;
	int ret;

	ret = cc__sq_rx_enter(st, &own, err);
	if (ret < 0) {
		sqlite3_reset(s);
		return ret;
	}
	ret = collect(st, s, size, read, out, n_out, err);
	cc__sq_rx_leave(st, own);
	return ret;
}

static int sq_list(struct cc_store *st, const struct cc_lesson_filter *f, struct cc_lesson **out,
                   size_t *n_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	ret = stmt(st, S_LIST, &s, err);
	if (ret < 0)
		return ret;
	if ((rc = cc__sq_bind_text(s, 1, f->pillar >= 0 ? cc_pillar_name(f->pillar) : NULL)) ||
	    (rc = cc__sq_bind_text(s, 2,
	                           f->status >= 0 ? cc_lesson_status_name(f->status) : NULL)) ||
	    (rc = cc__sq_bind_id(s, 3, f->mission_id)))
		return cc__sq_bind_fail(st, s, rc, err);
	return read_all(st, s, sizeof(**out), read_lesson_v, (void **)out, n_out, err);
}

static int sq_links(struct cc_store *st, const char *key, struct cc_lesson_link **out,
                    size_t *n_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	ret = stmt(st, S_LINKS, &s, err);
	if (ret < 0)
		return ret;
	rc = cc__sq_bind_text(s, 1, key);
	if (rc != SQLITE_OK)
		return cc__sq_bind_fail(st, s, rc, err);
	return read_all(st, s, sizeof(**out), read_link_v, (void **)out, n_out, err);
}

static int sq_evidence(struct cc_store *st, enum cc_evidence_kind kind, const char *ref,
                       struct cc_lesson_link **out, size_t *n_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	ret = stmt(st, S_EVIDENCE, &s, err);
	if (ret < 0)
		return ret;
	if ((rc = cc__sq_bind_text(s, 1, cc_evidence_kind_name((int)kind))) ||
	    (rc = cc__sq_bind_text(s, 2, ref)))
		return cc__sq_bind_fail(st, s, rc, err);
	return read_all(st, s, sizeof(**out), read_link_v, (void **)out, n_out, err);
}

/* Is ref a whole decimal number? Its value in *id. */
static bool ref_id(const char *ref, int64_t *id)
{
	int64_t v = 0;

	if (!ref[0] || strlen(ref) > 18)
		return false;
	for (const char *p = ref; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	*id = v;
	return true;
}

static int sq_evidence_exists(struct cc_store *st, enum cc_evidence_kind kind, const char *ref,
                              bool *found, struct cc_err *err)
{
	static const int by_kind[CC_N_EVIDENCE_KINDS] = {
		[CC_EVIDENCE_ACTIVITY] = S_HAS_ACTIVITY, [CC_EVIDENCE_INDICATOR] = S_HAS_INDICATOR,
		[CC_EVIDENCE_INCIDENT] = S_HAS_INCIDENT, [CC_EVIDENCE_AREA] = S_HAS_AREA,
		[CC_EVIDENCE_REPORT] = S_HAS_REPORT,
	};
	sqlite3_stmt *s;
	int64_t id = -1;
	int rc, ret;

	*found = false;
	if ((int)kind < 0 || kind >= CC_N_EVIDENCE_KINDS)
		return cc_err_set(err, CC_EINVALID, "unknown evidence kind %d", (int)kind);
	if (kind == CC_EVIDENCE_ACTIVITY && !ref_id(ref, &id))
		return 0; /* an activity is cited by its number */
	if (kind == CC_EVIDENCE_INCIDENT)
		ref_id(ref, &id);
	ret = stmt(st, by_kind[kind], &s, err);
	if (ret < 0)
		return ret;
	if ((rc = cc__sq_bind_text(s, 1, ref)) != SQLITE_OK ||
	    (sqlite3_bind_parameter_count(s) >= 2 &&
	     (rc = sqlite3_bind_int64(s, 2, id)) != SQLITE_OK))
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_row(st, s, err);
	if (ret < 0)
		return ret;
	*found = ret == 0;
	sqlite3_reset(s);
	return 0;
}

static bool word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c >= 0x80;
}

/*
 * Plain words to an FTS5 query: each run of letters and digits becomes a quoted string (so no
 * word is taken as an operator), a '*' right after it a prefix query; words are ANDed.
 */
static int fts_query(const char *q, struct cc_buf *b, struct cc_err *err)
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

static int sq_search(struct cc_store *st, const char *query, struct cc_lesson_hit **out,
                     size_t *n_out, struct cc_err *err)
{
	struct cc_buf q = CC_BUF_INIT(4096);
	sqlite3_stmt *s;
	int rc, ret;

	ret = fts_query(query, &q, err);
	if (ret < 0)
		goto out_release;
	ret = stmt(st, S_SEARCH, &s, err);
	if (ret < 0)
		goto out_release;
	rc = cc__sq_bind_text(s, 1, q.buf);
	if (rc != SQLITE_OK) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_release;
	}
	ret = read_all(st, s, sizeof(**out), read_hit_v, (void **)out, n_out, err);
out_release:
	cc_buf_release(&q);
	return ret;
}

const struct cc__lessons_ops cc__sqlite_lessons = {
	.put = sq_put,
	.get = sq_get,
	.list = sq_list,
	.links = sq_links,
	.evidence = sq_evidence,
	.search = sq_search,
	.evidence_exists = sq_evidence_exists,
};
