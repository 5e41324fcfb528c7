/*
 * Backup, restore and copy on SQLite (ops_backup.h): the tables the digest covers read in its
 * order, and loading with the constraints deferred, the triggers set aside (the archive holds
 * what they made) and the indexes dropped, then the indexes made again (a unique one checks
 * its rows then), the spatial index and the full-text tables rebuilt from their tables.
 */
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>

#include "store/backend.h"
#include "store/ops_backup.h"
#include "store/sqlite_int.h"

#include "core/banned.h"

/* The digest's tables (sqlite.c, sq_digest) and meta. */
static const char tables_sql[] =
        "SELECT t.name FROM sqlite_schema t WHERE t.type = 'table' "
        "AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "AND t.sql NOT LIKE 'CREATE VIRTUAL %' AND NOT EXISTS (SELECT 1 FROM sqlite_schema v "
        "WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL %' "
        "AND substr(t.name, 1, length(v.name) + 1) = v.name || '_') ORDER BY t.name";

/* What the digest leaves out and the store's writes keep in step: rebuilt after a load. */
static const char *const rebuild_sql[] = {
	"INSERT INTO area_rtree (id, minx, maxx, miny, maxy) SELECT id, minx, maxx, miny, maxy "
	"FROM area WHERE geom IS NOT NULL AND minx IS NOT NULL",
	"INSERT INTO lesson_fts (rowid, title, observation, discussion, conclusion, "
	"recommendation, tags) SELECT id, title, observation, discussion, conclusion, "
	"recommendation, replace(tags, ',', ' ') FROM lesson",
	"INSERT INTO feedback_fts (rowid, text, category, channel, organisation) SELECT id, text, "
	"category, channel, organisation FROM feedback",
};
static const char *const rebuilt[] = { "area_rtree", "lesson_fts", "feedback_fts" };

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

struct sq_loader {
	struct cc_store *st;
	sqlite3_stmt *ins; /* the open table's insert */
	char table[128];
	struct cc__bk_names trig_names, trig_sql; /* triggers set aside */
	struct cc__bk_names idx_names, idx_sql;   /* indexes dropped for the load, made after */
};

static int prepare(struct cc_store *st, const char *sql, sqlite3_stmt **out, struct cc_err *err)
{
	int rc = sqlite3_prepare_v2(cc__sq_db(st), sql, -1, out, NULL);

	if (rc != SQLITE_OK) {
		*out = NULL;
		return cc__sq_error(st, rc, err);
	}
	return 0;
}

/* The first column of every row of sql (with ?1 = arg when not NULL). */
static int strings(struct cc_store *st, const char *sql, const char *arg,
                   struct cc__bk_names *out, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = prepare(st, sql, &s, err)) < 0)
		return ret;
	if (arg && (rc = sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC)) != SQLITE_OK) {
		ret = cc__sq_error(st, rc, err);
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(s, 0);

		if ((ret = cc__bk_names_add(out, (const char *)v, (size_t)sqlite3_column_bytes(s, 0),
		                            err)) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		ret = cc__sq_error(st, rc, err);
out:
	sqlite3_finalize(s);
	return ret;
}

static const struct cc__blob *sq_migrations(void)
{
	return cc__sqlite_migrations;
}

static int sq_tables(struct cc_store *st, struct cc__bk_names *out, struct cc_err *err)
{
	return strings(st, tables_sql, NULL, out, err);
}

static bool sq_digested(const char *table)
{
	return strcmp(table, "meta") != 0;
}

static int sq_columns(struct cc_store *st, const char *table, struct cc__bk_names *out,
                      struct cc_err *err)
{
	int ret = strings(st, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", table, out,
	                  err);

	if (ret == 0 && out->n == 0)
		return cc_err_set(err, CC_ENOTFOUND, "no table '%s'", table);
	return ret;
}

static int sq_snapshot(struct cc_store *st, bool *own, struct cc_err *err)
{
	return cc__sq_rx_enter(st, own, err);
}

static void sq_snapshot_end(struct cc_store *st, bool own)
{
	cc__sq_rx_leave(st, own);
}

static int add_quoted(struct cc_buf *b, const char *name)
{
	int ret = cc_buf_addch(b, '"');

	for (const char *p = name; ret == 0 && *p; p++)
		ret = *p == '"' ? cc_buf_adds(b, "\"\"") : cc_buf_addch(b, *p);
	return ret ? ret : cc_buf_addch(b, '"');
}

static int sq_read(struct cc_store *st, const char *table, const struct cc__bk_names *cols,
                   cc__bk_row_fn *fn, void *ctx, struct cc_err *err)
{
	struct cc__bk_names key = { 0 };
	struct cc_buf sql = CC_BUF_INIT(0);
	struct cc__bk_value *v = NULL;
	sqlite3_stmt *s = NULL;
	int rc, ret;

	/* the digest's order: the primary key, else the rowid */
	if ((ret = strings(st,
	                   "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk",
	                   table, &key, err)) < 0)
		goto out;
	ret = cc_buf_adds(&sql, "SELECT ");
	for (size_t i = 0; ret == 0 && i < cols->n; i++)
		if (!(ret = i ? cc_buf_adds(&sql, ", ") : 0))
			ret = add_quoted(&sql, cols->v[i]);
	if (!ret && !(ret = cc_buf_adds(&sql, " FROM ")) && !(ret = add_quoted(&sql, table)))
		ret = cc_buf_adds(&sql, key.n ? " ORDER BY " : " ORDER BY rowid");
	for (size_t i = 0; ret == 0 && i < key.n; i++)
		if (!(ret = i ? cc_buf_adds(&sql, ", ") : 0))
			ret = add_quoted(&sql, key.v[i]);
	if (ret || !(v = cc_alloc_array(cols->n ? cols->n : 1, sizeof(*v)))) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out;
	}
	if ((ret = prepare(st, sql.buf, &s, err)) < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (size_t i = 0; i < cols->n; i++) {
			int c = (int)i;

			memset(&v[i], 0, sizeof(v[i]));
			switch (sqlite3_column_type(s, c)) {
			case SQLITE_INTEGER:
				v[i].type = CC__BK_INT;
				v[i].i = sqlite3_column_int64(s, c);
				break;
			case SQLITE_FLOAT:
				v[i].type = CC__BK_REAL;
				v[i].d = sqlite3_column_double(s, c);
				break;
			case SQLITE_TEXT:
				v[i].type = CC__BK_TEXT;
				v[i].p = sqlite3_column_text(s, c);
				v[i].n = (size_t)sqlite3_column_bytes(s, c);
				break;
			case SQLITE_BLOB:
				v[i].type = CC__BK_BLOB;
				v[i].p = sqlite3_column_blob(s, c);
				v[i].n = (size_t)sqlite3_column_bytes(s, c);
				break;
			default:
				v[i].type = CC__BK_NULL;
				break;
			}
		}
		if ((ret = fn(ctx, v, cols->n, err)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		ret = cc__sq_error(st, rc, err);
out:
	sqlite3_finalize(s);
	cc_free(v);
	cc_buf_release(&sql);
	cc__bk_names_free(&key);
	return ret;
}

/* ---- loading ---- */

static int sq_load_begin(struct cc_store *st, void **out, struct cc_err *err)
{
	struct sq_loader *ld = cc_alloc_array(1, sizeof(*ld));
	struct cc_buf sql = CC_BUF_INIT(0);
	int ret;

	*out = NULL;
	if (!ld)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	ld->st = st;
	/* foreign keys checked at the commit; the triggers' work is in the archive already */
	if ((ret = cc__sq_exec(st, "PRAGMA defer_foreign_keys = ON", err)) < 0 ||
	    (ret = strings(st, "SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name",
	                   NULL, &ld->trig_names, err)) < 0 ||
	    (ret = strings(st, "SELECT sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name",
	                   NULL, &ld->trig_sql, err)) < 0)
		goto fail;
	/* the indexes (not the keys): made once at the end, not row by row */
	if ((ret = strings(st,
	                   "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL "
	                   "ORDER BY name",
	                   NULL, &ld->idx_names, err)) < 0 ||
	    (ret = strings(st,
	                   "SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL "
	                   "ORDER BY name",
	                   NULL, &ld->idx_sql, err)) < 0)
		goto fail;
	if (ld->trig_names.n != ld->trig_sql.n || ld->idx_names.n != ld->idx_sql.n) {
		ret = cc_err_set(err, CC_ESTORE, "cannot read the store's triggers");
		goto fail;
	}
	for (size_t i = 0; i < ld->trig_names.n; i++) {
		cc_buf_clear(&sql);
		if (cc_buf_adds(&sql, "DROP TRIGGER ") || add_quoted(&sql, ld->trig_names.v[i])) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto fail;
		}
		if ((ret = cc__sq_exec(st, sql.buf, err)) < 0)
			goto fail;
	}
	for (size_t i = 0; i < ld->idx_names.n; i++) {
		cc_buf_clear(&sql);
		if (cc_buf_adds(&sql, "DROP INDEX ") || add_quoted(&sql, ld->idx_names.v[i])) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto fail;
		}
		if ((ret = cc__sq_exec(st, sql.buf, err)) < 0)
			goto fail;
	}
	cc_buf_release(&sql);
	*out = ld;
	return 0;
fail:
	cc_buf_release(&sql);
	cc__bk_names_free(&ld->trig_names);
	cc__bk_names_free(&ld->trig_sql);
	cc__bk_names_free(&ld->idx_names);
	cc__bk_names_free(&ld->idx_sql);
	cc_free(ld);
	return ret;
}

static int sq_clear(void *p, const struct cc__bk_names *tables, struct cc_err *err)
{
	struct sq_loader *ld = p;
	struct cc_buf sql = CC_BUF_INIT(0);
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < tables->n + N_OF(rebuilt); i++) {
		const char *t = i < tables->n ? tables->v[i] : rebuilt[i - tables->n];

		cc_buf_clear(&sql);
		if (cc_buf_adds(&sql, "DELETE FROM ") || add_quoted(&sql, t))
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		else
			ret = cc__sq_exec(ld->st, sql.buf, err);
	}
	cc_buf_release(&sql);
	return ret;
}

static int sq_load_table(void *p, const char *table, const struct cc__bk_names *cols,
                         struct cc_err *err)
{
	struct sq_loader *ld = p;
	struct cc_buf sql = CC_BUF_INIT(0);
	int ret;

	sqlite3_finalize(ld->ins);
	ld->ins = NULL;
	if (!table)
		return 0;
	snprintf(ld->table, sizeof(ld->table), "%s", table);
	/* meta holds the store's counters: the archive's replace the target's, others stay */
	ret = cc_buf_adds(&sql, strcmp(table, "meta") == 0 ? "INSERT OR REPLACE INTO "
	                                                      : "INSERT INTO ");
	if (!ret)
		ret = add_quoted(&sql, table);
	for (size_t i = 0; ret == 0 && i < cols->n; i++)
		if (!(ret = cc_buf_adds(&sql, i ? ", " : " (")))
			ret = add_quoted(&sql, cols->v[i]);
	if (!ret)
		ret = cc_buf_adds(&sql, ") VALUES (");
	for (size_t i = 0; ret == 0 && i < cols->n; i++)
		ret = cc_buf_addf(&sql, i ? ", ?%zu" : "?%zu", i + 1);
	if (!ret)
		ret = cc_buf_adds(&sql, ")");
	if (ret)
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	else
		ret = prepare(ld->st, sql.buf, &ld->ins, err);
	cc_buf_release(&sql);
	return ret;
}

static int sq_load_row(void *p, const struct cc__bk_value *v, size_t ncols, struct cc_err *err)
{
	struct sq_loader *ld = p;
	sqlite3_stmt *s = ld->ins;
	int rc = SQLITE_OK;

	for (size_t i = 0; rc == SQLITE_OK && i < ncols; i++) {
		int c = (int)i + 1;

		switch (v[i].type) {
		case CC__BK_INT:
			rc = sqlite3_bind_int64(s, c, v[i].i);
			break;
		case CC__BK_REAL:
			rc = sqlite3_bind_double(s, c, v[i].d);
			break;
		case CC__BK_TEXT:
			rc = sqlite3_bind_text64(s, c, v[i].p, v[i].n, SQLITE_STATIC, SQLITE_UTF8);
			break;
		case CC__BK_BLOB:
			rc = sqlite3_bind_blob64(s, c, v[i].n ? v[i].p : "", v[i].n, SQLITE_STATIC);
			break;
		default:
			rc = sqlite3_bind_null(s, c);
			break;
		}
	}
	if (rc != SQLITE_OK)
		return cc__sq_bind_fail(ld->st, s, rc, err);
	return cc__sq_step_done(ld->st, s, err);
}

static int sq_load_end(void *p, bool ok, struct cc_err *err)
{
	struct sq_loader *ld = p;
	int ret = 0;

	if (!ld)
		return 0;
	sqlite3_finalize(ld->ins);
	ld->ins = NULL;
	for (size_t i = 0; ok && ret == 0 && i < N_OF(rebuild_sql); i++)
		ret = cc__sq_exec(ld->st, rebuild_sql[i], err);
	for (size_t i = 0; ok && ret == 0 && i < ld->idx_sql.n; i++)
		ret = cc__sq_exec(ld->st, ld->idx_sql.v[i], err);
	for (size_t i = 0; ok && ret == 0 && i < ld->trig_sql.n; i++)
		ret = cc__sq_exec(ld->st, ld->trig_sql.v[i], err);
	cc__bk_names_free(&ld->trig_names);
	cc__bk_names_free(&ld->trig_sql);
	cc__bk_names_free(&ld->idx_names);
	cc__bk_names_free(&ld->idx_sql);
	cc_free(ld);
	return ret;
}

const struct cc__backup_ops cc__sqlite_backup = {
	.migrations = sq_migrations,
	.tables = sq_tables,
	.digested = sq_digested,
	.columns = sq_columns,
	.snapshot = sq_snapshot,
	.snapshot_end = sq_snapshot_end,
	.read = sq_read,
	.load_begin = sq_load_begin,
	.clear = sq_clear,
	.load_table = sq_load_table,
	.load_row = sq_load_row,
	.load_end = sq_load_end,
};
