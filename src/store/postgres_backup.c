/*
 * Backup, restore and copy on PostgreSQL (ops_backup.h). Tables are read with COPY (SELECT … in
 * the digest's key order) TO STDOUT, geometry as its WKB, and loaded with COPY FROM STDIN inside
 * the caller's transaction, with the foreign keys deferred to the end and the user triggers
 * (the change log's guards) set aside, then put back. What the digest leaves out is rebuilt
 * afterwards: the incidents' partitions (made as the rows of a new year arrive, by the events
 * domain's rule: incident_yYYYY), incident_key (derived from incident), the identity sequences
 * (set past the highest id).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/model.h>

#include "store/ops_backup.h"
#include "store/postgres_int.h"

#include "core/blob.h"

#include "core/banned.h"

enum kind { K_TEXT, K_INT, K_BOOL, K_REAL, K_BYTEA, K_GEOM };

struct col {
	enum kind kind;
	int srid; /* geometry: the column's SRID, 0 when free */
};

#define YEAR_MAX 10000
#define SEND_AT  (1 << 20) /* bytes of COPY text sent at once */

struct pg_loader {
	struct cc_store *st;
	struct cc__bk_names fk_tables, fk_names; /* constraints deferred for the load */
	struct cc__bk_names trig_tables, trig_names; /* triggers set aside */
	/* the open table */
	bool open, copying, is_meta;
	char table[128];
	struct cc__bk_names cols;
	struct col *types;
	struct cc_buf copy_sql, line;
	/* incident: the column of date and the years that have a partition */
	int date_col;
	unsigned char *years;
};

static void names_free2(struct cc__bk_names *a, struct cc__bk_names *b)
{
	cc__bk_names_free(a);
	cc__bk_names_free(b);
}

/* Rows of sql (one text parameter arg, or none) as strings: column c of each row into out[c]. */
static int query(struct cc_store *st, const char *sql, const char *arg, struct cc__bk_names *out,
                 int ncols, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	if (arg)
		cc__pg_str(&p, arg);
	if ((ret = cc__pg_exec(st, sql, arg ? &p : NULL, false, &res, err)) < 0)
		return ret;
	for (int r = 0; ret == 0 && r < PQntuples(res); r++)
		for (int c = 0; ret == 0 && c < ncols; c++)
			ret = cc__bk_names_add(&out[c], cc__pg_cstr(res, r, c),
			                       strlen(cc__pg_cstr(res, r, c)), err);
	PQclear(res);
	return ret;
}

extern const struct cc__blob cc__pg_migrations[]; /* embedded at build time */

static const struct cc__blob *pg_migrations(void)
{
	return cc__pg_migrations;
}

/*
 * Tables the digest leaves out (postgres.c, pg_digest) but an archive keeps, as they are: meta
 * and the derived tables that are not SQLite's. Must stay pg_digest's list but schema_migration
 * and incident_key (rebuilt from incident after a load).
 */
static const char *const not_digested[] = { "meta", "feedback_fts", NULL };

static bool pg_digested(const char *table)
{
	for (const char *const *n = not_digested; *n; n++)
		if (strcmp(*n, table) == 0)
			return false;
	return true;
}

static int pg_tables(struct cc_store *st, struct cc__bk_names *out, struct cc_err *err)
{
	/* the digest's, meta and the derived ones */
	return query(st,
	             "SELECT c.relname FROM pg_class c WHERE c.relnamespace = "
	             "current_schema()::text::regnamespace AND c.relkind IN ('r', 'p') AND "
	             "NOT c.relispartition AND c.relname NOT IN ('schema_migration', "
	             "'incident_key') AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
	             "'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') "
	             "ORDER BY c.relname COLLATE \"C\"",
	             NULL, out, 1, err);
}

/* The columns of table, with their kinds when types is not NULL (owned). */
static int columns(struct cc_store *st, const char *table, struct cc__bk_names *out,
                   struct col **types, struct cc_err *err)
{
	struct cc__bk_names q[3] = { 0 };
	int ret;

	ret = query(st,
	            "SELECT a.attname, t.typname, CASE WHEN t.typname = 'geometry' THEN "
	            "postgis_typmod_srid(a.atttypmod) ELSE 0 END FROM pg_attribute a JOIN pg_type "
	            "t ON t.oid = a.atttypid WHERE a.attrelid = to_regclass(format('%I', $1::text)) "
	            "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
	            table, q, 3, err);
	if (ret == 0 && q[0].n == 0)
		ret = cc_err_set(err, CC_ENOTFOUND, "no table '%s'", table);
	if (ret == 0 && types && !(*types = cc_alloc_array(q[0].n, sizeof(**types))))
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; ret == 0 && types && i < q[0].n; i++) {
		const char *t = q[1].v[i];
		struct col *c = &(*types)[i];

		c->kind = !strcmp(t, "int2") || !strcmp(t, "int4") || !strcmp(t, "int8") ? K_INT
		          : !strcmp(t, "bool")                                          ? K_BOOL
		          : !strcmp(t, "float4") || !strcmp(t, "float8") || !strcmp(t, "numeric")
		                  ? K_REAL
		          : !strcmp(t, "bytea")    ? K_BYTEA
		          : !strcmp(t, "geometry") ? K_GEOM
		                                   : K_TEXT;
		c->srid = (int)strtol(q[2].v[i], NULL, 10);
	}
	if (ret == 0) {
		*out = q[0];
		q[0] = (struct cc__bk_names){ 0 };
	}
	for (int i = 0; i < 3; i++)
		cc__bk_names_free(&q[i]);
	return ret;
}

static int pg_columns(struct cc_store *st, const char *table, struct cc__bk_names *out,
                      struct cc_err *err)
{
	return columns(st, table, out, NULL, err);
}

static int pg_snapshot(struct cc_store *st, bool *own, struct cc_err *err)
{
	return cc__pg_rx_enter(st, own, err);
}

static void pg_snapshot_end(struct cc_store *st, bool own)
{
	cc__pg_rx_leave(st, own);
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	                                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                                                           : -1;
}

/* One field of COPY text, unescaped in place; its length. */
static size_t unescape(char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 1 < n) {
			c = s[++i];
			switch (c) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'v': c = '\v'; break;
			default:
				if (c >= '0' && c <= '7') {
					int v = c - '0';

					for (int k = 0; k < 2 && i + 1 < n && s[i + 1] >= '0' &&
					                s[i + 1] <= '7'; k++)
						v = v * 8 + (s[++i] - '0');
					c = (char)v;
				}
				break;
			}
		}
		s[o++] = c;
	}
	return o;
}

/* bytea's text form "\x0a1b…" as its bytes, in place; false when it is not that form. */
static bool unhex(char *s, size_t n, size_t *len_out)
{
	if (n < 2 || s[0] != '\\' || s[1] != 'x' || n % 2)
		return false;
	for (size_t i = 2; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		s[(i - 2) / 2] = (char)(hi * 16 + lo);
	}
	*len_out = (n - 2) / 2;
	return true;
}

static int add_ident(struct cc_buf *b, const char *name)
{
	int ret = cc_buf_addch(b, '"');

	for (const char *p = name; ret == 0 && *p; p++)
		ret = *p == '"' ? cc_buf_adds(b, "\"\"") : cc_buf_addch(b, *p);
	return ret ? ret : cc_buf_addch(b, '"');
}

/* The digest's key order of table (postgres.c, digest_table). */
static int key_order(struct cc_store *st, const char *table, struct cc_buf *out,
                     struct cc_err *err)
{
	struct cc__bk_names k = { 0 };
	int ret = query(st,
	                "SELECT (SELECT string_agg(CASE WHEN $1 = 'code_alias' AND a.attname = "
	                "'alias' THEN 'lower(alias)' ELSE format('%I', a.attname) END, ', ' ORDER "
	                "BY k.n) FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH "
	                "ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.oid AND "
	                "a.attnum = k.attnum WHERE i.indrelid = c.oid AND i.indisprimary) FROM "
	                "pg_class c WHERE c.oid = format('%I', $1::text)::regclass",
	                table, &k, 1, err);

	if (ret == 0)
		ret = cc_buf_adds(out, k.n && *k.v[0] ? k.v[0]
		                       : strcmp(table, "code_alias") == 0 ? "list, lower(alias), scope"
		                                                         : "1")
		              ? cc_err_set(err, CC_ENOMEM, "out of memory")
		              : 0;
	cc__bk_names_free(&k);
	return ret;
}

static int pg_read(struct cc_store *st, const char *table, const struct cc__bk_names *cols,
                   cc__bk_row_fn *fn, void *ctx, struct cc_err *err)
{
	PGconn *conn = cc__pg_conn(st);
	struct cc__bk_names all = { 0 };
	struct col *types = NULL, *sel = NULL;
	struct cc_buf sql = CC_BUF_INIT(0);
	struct cc__bk_value *v = NULL;
	PGresult *res = NULL;
	char *row = NULL;
	int ret, n;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = columns(st, table, &all, &types, err)) < 0)
		goto out;
	sel = cc_alloc_array(cols->n ? cols->n : 1, sizeof(*sel));
	v = cc_alloc_array(cols->n ? cols->n : 1, sizeof(*v));
	if (!sel || !v || cc_buf_adds(&sql, "COPY (SELECT ")) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; ret == 0 && i < cols->n; i++) {
		size_t j = 0;

		while (j < all.n && strcmp(all.v[j], cols->v[i]) != 0)
			j++;
		if (j == all.n) {
			ret = cc_err_set(err, CC_ENOTFOUND, "table '%s' has no column '%s'", table,
			                 cols->v[i]);
			goto out;
		}
		sel[i] = types[j];
		if ((i && cc_buf_adds(&sql, ", ")) ||
		    (sel[i].kind == K_GEOM && cc_buf_adds(&sql, "ST_AsBinary(")) ||
		    add_ident(&sql, cols->v[i]) ||
		    (sel[i].kind == K_GEOM && cc_buf_adds(&sql, ", 'NDR')")))
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	if (ret == 0 && (cc_buf_adds(&sql, " FROM ") || add_ident(&sql, table) ||
	                 cc_buf_adds(&sql, " ORDER BY ")))
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	if (ret < 0 || (ret = key_order(st, table, &sql, err)) < 0)
		goto out;
	if (cc_buf_adds(&sql, ") TO STDOUT")) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out;
	}
	res = PQexec(conn, sql.buf);
	if (!res || PQresultStatus(res) != PGRES_COPY_OUT) {
		ret = cc__pg_error(st, res, err);
		goto out;
	}
	PQclear(res);
	res = NULL;
	while ((n = PQgetCopyData(conn, &row, 0)) > 0) {
		size_t len = (size_t)n, start = 0, c = 0;

		if (len && row[len - 1] == '\n')
			len--;
		for (size_t i = 0; i <= len && ret == 0; i++) {
			size_t flen;
			char *f;

			if (i < len && row[i] != '\t')
				continue;
			if (c >= cols->n) {
				ret = cc_err_set(err, CC_ESTORE, "table '%s': too many columns", table);
				break;
			}
			f = row + start;
			flen = i - start;
			start = i + 1;
			memset(&v[c], 0, sizeof(v[c]));
			if (flen == 2 && f[0] == '\\' && f[1] == 'N') {
				v[c++].type = CC__BK_NULL;
				continue;
			}
			flen = unescape(f, flen);
			f[flen] = '\0'; /* over the tab or the newline */
			switch (sel[c].kind) {
			case K_INT:
				v[c].type = CC__BK_INT;
				v[c].i = strtoll(f, NULL, 10);
				break;
			case K_BOOL:
				v[c].type = CC__BK_INT;
				v[c].i = f[0] == 't';
				break;
			case K_REAL:
				v[c].type = CC__BK_REAL;
				v[c].d = strtod(f, NULL);
				break;
			case K_BYTEA:
			case K_GEOM:
				v[c].type = CC__BK_BLOB;
				v[c].p = f;
				if (!unhex(f, flen, &v[c].n))
					ret = cc_err_set(err, CC_ESTORE, "table '%s': column '%s': "
					                 "unexpected bytea form", table, cols->v[c]);
				break;
			case K_TEXT:
				v[c].type = CC__BK_TEXT;
				v[c].p = f;
				v[c].n = flen;
				break;
			}
			c++;
		}
		if (ret == 0 && c != cols->n)
			ret = cc_err_set(err, CC_ESTORE, "table '%s': a row of %zu columns", table, c);
		if (ret == 0)
			ret = fn(ctx, v, cols->n, err);
		PQfreemem(row);
		row = NULL;
		if (ret != 0)
			break;
	}
	if (ret != 0) {
		/* stop the COPY: cancel it and drain what is left */
		PGcancel *cn = PQgetCancel(conn);
		char buf[64];

		if (cn) {
			PQcancel(cn, buf, sizeof(buf));
			PQfreeCancel(cn);
		}
		while ((n = PQgetCopyData(conn, &row, 0)) > 0) {
			PQfreemem(row);
			row = NULL;
		}
	}
	while ((res = PQgetResult(conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && ret == 0)
			ret = cc__pg_error(st, res, err);
		PQclear(res);
	}
	res = NULL;
out:
	PQclear(res);
	cc_free(v);
	cc_free(sel);
	cc_free(types);
	cc__bk_names_free(&all);
	cc_buf_release(&sql);
	return ret;
}

/* ---- loading ---- */

static int exec(struct cc_store *st, const char *sql, struct cc_err *err)
{
	return cc__pg_exec(st, sql, NULL, false, NULL, err);
}

/* ALTER TABLE t <pre> name <post> for each (table, name) pair. */
static int alter_each(struct cc_store *st, const struct cc__bk_names *tables,
                      const struct cc__bk_names *names, const char *pre, const char *post,
                      struct cc_err *err)
{
	struct cc_buf sql = CC_BUF_INIT(0);
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < tables->n && i < names->n; i++) {
		cc_buf_clear(&sql);
		if (cc_buf_addf(&sql, "ALTER TABLE %s %s %s %s", tables->v[i], pre, names->v[i],
		                post))
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		else
			ret = exec(st, sql.buf, err);
	}
	cc_buf_release(&sql);
	return ret;
}

static void loader_free(struct pg_loader *ld)
{
	names_free2(&ld->fk_tables, &ld->fk_names);
	names_free2(&ld->trig_tables, &ld->trig_names);
	cc__bk_names_free(&ld->cols);
	cc_free(ld->types);
	cc_free(ld->years);
	cc_buf_release(&ld->copy_sql);
	cc_buf_release(&ld->line);
	cc_free(ld);
}

static int pg_load_begin(struct cc_store *st, void **out, struct cc_err *err)
{
	struct pg_loader *ld = cc_alloc_array(1, sizeof(*ld));
	struct cc__bk_names q[2] = { 0 };
	int ret;

	*out = NULL;
	if (!ld)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	ld->st = st;
	cc_buf_init(&ld->copy_sql, 0);
	cc_buf_init(&ld->line, 0);
	/* foreign keys checked once everything is in (a partitioned table's recurse) */
	ret = query(st,
	            "SELECT c.conrelid::regclass::text, quote_ident(c.conname) FROM pg_constraint c "
	            "JOIN pg_class r ON r.oid = c.conrelid WHERE c.contype = 'f' AND NOT "
	            "c.condeferrable AND r.relnamespace = current_schema()::text::regnamespace AND "
	            "NOT r.relispartition ORDER BY 1, 2",
	            NULL, q, 2, err);
	if (ret == 0) {
		ld->fk_tables = q[0];
		ld->fk_names = q[1];
		memset(q, 0, sizeof(q));
		ret = alter_each(st, &ld->fk_tables, &ld->fk_names,
		                 "ALTER CONSTRAINT", "DEFERRABLE INITIALLY DEFERRED", err);
	}
	/* the user triggers (the change log's guards): the archive holds what they allowed */
	if (ret == 0)
		ret = query(st,
		            "SELECT t.tgrelid::regclass::text, quote_ident(t.tgname) FROM pg_trigger t "
		            "JOIN pg_class r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal AND "
		            "t.tgenabled <> 'D' AND r.relnamespace = "
		            "current_schema()::text::regnamespace AND t.tgparentid = 0 ORDER BY 1, 2",
		            NULL, q, 2, err);
	if (ret == 0) {
		ld->trig_tables = q[0];
		ld->trig_names = q[1];
		memset(q, 0, sizeof(q));
		ret = alter_each(st, &ld->trig_tables, &ld->trig_names, "DISABLE TRIGGER", "", err);
	}
	if (ret == 0)
		ret = exec(st, "SET CONSTRAINTS ALL DEFERRED", err);
	names_free2(&q[0], &q[1]);
	if (ret < 0) {
		loader_free(ld);
		return ret;
	}
	*out = ld;
	return 0;
}

static int pg_clear(void *p, const struct cc__bk_names *tables, struct cc_err *err)
{
	struct pg_loader *ld = p;
	struct cc_buf sql = CC_BUF_INIT(0);
	int ret = 0;

	if (!tables->n)
		return 0;
	ret = cc_buf_adds(&sql, "TRUNCATE ");
	for (size_t i = 0; ret == 0 && i < tables->n; i++)
		if (!(ret = i ? cc_buf_adds(&sql, ", ") : 0))
			ret = add_ident(&sql, tables->v[i]);
	if (ret == 0)
		ret = cc_buf_adds(&sql, " CASCADE");
	ret = ret ? cc_err_set(err, CC_ENOMEM, "out of memory") : exec(ld->st, sql.buf, err);
	cc_buf_release(&sql);
	return ret;
}

/* Ends the open COPY; error (the server's, with its line) when it failed. */
static int copy_end(struct pg_loader *ld, const char *abort_msg, struct cc_err *err)
{
	PGconn *conn = cc__pg_conn(ld->st);
	PGresult *res;
	int ret = 0;

	if (!ld->copying)
		return 0;
	ld->copying = false;
	if (!abort_msg && ld->line.len &&
	    PQputCopyData(conn, ld->line.buf, (int)ld->line.len) != 1)
		abort_msg = "sending the rows failed";
	cc_buf_clear(&ld->line);
	if (PQputCopyEnd(conn, abort_msg) != 1)
		ret = cc_err_set(err, CC_EIO, "PostgreSQL: %s", PQerrorMessage(conn));
	while ((res = PQgetResult(conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && ret == 0 && !abort_msg) {
			const char *ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
			struct cc_err e = { 0 };

			ret = cc__pg_error(ld->st, res, &e);
			cc_err_set(err, ret, "table '%s': %s%s%s%s", ld->table, e.msg,
			           ctx ? " (" : "", ctx ? ctx : "", ctx ? ")" : "");
		}
		PQclear(res);
	}
	return ret;
}

static int copy_start(struct pg_loader *ld, struct cc_err *err)
{
	PGresult *res = PQexec(cc__pg_conn(ld->st), ld->copy_sql.buf);
	int ret = 0;

	if (!res || PQresultStatus(res) != PGRES_COPY_IN)
		ret = cc__pg_error(ld->st, res, err);
	else
		ld->copying = true;
	PQclear(res);
	return ret;
}

static int pg_load_table(void *p, const char *table, const struct cc__bk_names *cols,
                         struct cc_err *err)
{
	struct pg_loader *ld = p;
	struct cc__bk_names all = { 0 };
	struct col *types = NULL;
	int ret;

	ret = copy_end(ld, NULL, err);
	ld->open = false;
	cc__bk_names_free(&ld->cols);
	cc_free(ld->types);
	ld->types = NULL;
	cc_free(ld->years);
	ld->years = NULL;
	if (ret < 0 || !table)
		return ret;
	snprintf(ld->table, sizeof(ld->table), "%s", table);
	if ((ret = columns(ld->st, table, &all, &types, err)) < 0)
		goto out;
	if (!(ld->types = cc_alloc_array(cols->n ? cols->n : 1, sizeof(*ld->types)))) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out;
	}
	ld->date_col = -1;
	for (size_t i = 0; i < cols->n; i++) {
		size_t j = 0;

		while (j < all.n && strcmp(all.v[j], cols->v[i]) != 0)
			j++;
		if (j == all.n) {
			ret = cc_err_set(err, CC_ENOTFOUND,
			                 "table '%s' of the archive has a column '%s' this store lacks",
			                 table, cols->v[i]);
			goto out;
		}
		ld->types[i] = types[j];
		if ((ret = cc__bk_names_add(&ld->cols, cols->v[i], strlen(cols->v[i]), err)) < 0)
			goto out;
		if (strcmp(table, "incident") == 0 && strcmp(cols->v[i], "date") == 0)
			ld->date_col = (int)i;
	}
	ld->is_meta = strcmp(table, "meta") == 0;
	ld->open = true;
	if (ld->is_meta)
		goto out;
	if (ld->date_col >= 0) {
		/* the years that have a partition already */
		struct cc__bk_names parts = { 0 };

		if (!(ld->years = cc_alloc_array(YEAR_MAX, 1))) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out;
		}
		ret = query(ld->st,
		            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = "
		            "i.inhrelid WHERE i.inhparent = 'incident'::regclass",
		            NULL, &parts, 1, err);
		for (size_t i = 0; ret == 0 && i < parts.n; i++) {
			long y = strncmp(parts.v[i], "incident_y", 10) == 0
			                 ? strtol(parts.v[i] + 10, NULL, 10)
			                 : -1;

			if (y >= 0 && y < YEAR_MAX)
				ld->years[y] = 1;
		}
		cc__bk_names_free(&parts);
		if (ret < 0)
			goto out;
	}
	cc_buf_clear(&ld->copy_sql);
	ret = cc_buf_adds(&ld->copy_sql, "COPY ") || add_ident(&ld->copy_sql, table) ||
	      cc_buf_adds(&ld->copy_sql, " (");
	for (size_t i = 0; ret == 0 && i < cols->n; i++)
		ret = (i && cc_buf_adds(&ld->copy_sql, ", ")) || add_ident(&ld->copy_sql, cols->v[i]);
	if (ret == 0)
		ret = cc_buf_adds(&ld->copy_sql, ") FROM STDIN");
	if (ret)
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	else
		ret = copy_start(ld, err);
out:
	cc_free(types);
	cc__bk_names_free(&all);
	return ret;
}

static int add_text(struct cc_buf *b, const char *s, size_t n)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < n; i++) {
		switch (s[i]) {
		case '\\': ret = cc_buf_adds(b, "\\\\"); break;
		case '\t': ret = cc_buf_adds(b, "\\t"); break;
		case '\n': ret = cc_buf_adds(b, "\\n"); break;
		case '\r': ret = cc_buf_adds(b, "\\r"); break;
		default: ret = cc_buf_addch(b, s[i]); break;
		}
	}
	return ret;
}

static int add_hex(struct cc_buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < n; i++)
		if (!(ret = cc_buf_addch(b, hex[p[i] >> 4])))
			ret = cc_buf_addch(b, hex[p[i] & 15]);
	return ret;
}

/* WKB as EWKB hex with the column's SRID (the type's flag 0x20000000 and the SRID after it). */
static int add_ewkb(struct cc_buf *b, const unsigned char *p, size_t n, int srid)
{
	unsigned char head[9];
	uint32_t type;
	bool le;
	int ret;

	if (srid <= 0 || n < 5)
		return add_hex(b, p, n);
	le = p[0] == 1;
	type = le ? (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 |
	                    (uint32_t)p[4] << 24
	          : (uint32_t)p[4] | (uint32_t)p[3] << 8 | (uint32_t)p[2] << 16 |
	                    (uint32_t)p[1] << 24;
	if (type & 0x20000000u)
		return add_hex(b, p, n); /* EWKB with its SRID already */
	type |= 0x20000000u;
	head[0] = p[0];
	for (int i = 0; i < 4; i++) {
		head[le ? 1 + i : 4 - i] = (unsigned char)(type >> (8 * i));
		head[le ? 5 + i : 8 - i] = (unsigned char)((uint32_t)srid >> (8 * i));
	}
	if ((ret = add_hex(b, head, sizeof(head))) == 0)
		ret = add_hex(b, p + 5, n - 5);
	return ret;
}

static int make_partition(struct pg_loader *ld, int y, struct cc_err *err)
{
	char sql[256];
	int ret;

	snprintf(sql, sizeof(sql),
	         "CREATE TABLE incident_y%04d (LIKE incident INCLUDING DEFAULTS INCLUDING "
	         "CONSTRAINTS)",
	         y);
	if ((ret = exec(ld->st, sql, err)) < 0)
		return ret;
	snprintf(sql, sizeof(sql),
	         "ALTER TABLE incident ATTACH PARTITION incident_y%04d FOR VALUES FROM (%d) TO (%d)",
	         y, cc_date_from_ymd(y, 1, 1), cc_date_from_ymd(y + 1, 1, 1));
	if ((ret = exec(ld->st, sql, err)) == 0)
		ld->years[y] = 1;
	return ret;
}

static int meta_row(struct pg_loader *ld, const struct cc__bk_value *v, size_t ncols,
                    struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	char key[128], val[64];
	size_t ik = 0, iv = 0;

	while (ik < ncols && strcmp(ld->cols.v[ik], "key") != 0)
		ik++;
	while (iv < ncols && strcmp(ld->cols.v[iv], "value") != 0)
		iv++;
	if (ik == ncols || iv == ncols || v[ik].type != CC__BK_TEXT || v[ik].n >= sizeof(key))
		return cc_err_set(err, CC_EINVALID, "table 'meta' of the archive: not (key, value)");
	memcpy(key, v[ik].p, v[ik].n);
	key[v[ik].n] = '\0';
	if (v[iv].type == CC__BK_INT)
		snprintf(val, sizeof(val), "%lld", (long long)v[iv].i);
	else if (v[iv].type == CC__BK_TEXT && v[iv].n < sizeof(val))
		snprintf(val, sizeof(val), "%.*s", (int)v[iv].n, (const char *)v[iv].p);
	else
		return cc_err_set(err, CC_EINVALID, "table 'meta' of the archive: value of '%s'",
		                  key);
	cc__pg_str(&p, key);
	cc__pg_str(&p, val);
	return cc__pg_exec(ld->st,
	                   "INSERT INTO meta (key, value) VALUES ($1, $2::bigint) ON CONFLICT "
	                   "(key) DO UPDATE SET value = excluded.value",
	                   &p, false, NULL, err);
}

static int pg_load_row(void *p, const struct cc__bk_value *v, size_t ncols, struct cc_err *err)
{
	struct pg_loader *ld = p;
	struct cc_buf *b = &ld->line;
	char num[40];
	int ret = 0;

	if (!ld->open || ncols != ld->cols.n)
		return cc_err_set(err, CC_EINVALID, "a row outside a table");
	if (ld->is_meta)
		return meta_row(ld, v, ncols, err);
	if (ld->date_col >= 0 && v[ld->date_col].type == CC__BK_INT) {
		int y, m, d;

		cc_date_to_ymd((int32_t)v[ld->date_col].i, &y, &m, &d);
		if (y < 0 || y >= YEAR_MAX)
			return cc_err_set(err, CC_EINVALID, "table 'incident': date %lld out of range",
			                  (long long)v[ld->date_col].i);
		if (!ld->years[y] && ((ret = copy_end(ld, NULL, err)) < 0 ||
		                      (ret = make_partition(ld, y, err)) < 0 ||
		                      (ret = copy_start(ld, err)) < 0))
			return ret;
	}
	for (size_t i = 0; ret == 0 && i < ncols; i++) {
		if (i && (ret = cc_buf_addch(b, '\t')))
			break;
		switch (v[i].type) {
		case CC__BK_INT:
			snprintf(num, sizeof(num), "%lld", (long long)v[i].i);
			ret = cc_buf_adds(b, num);
			break;
		case CC__BK_REAL:
			if (isnan(v[i].d))
				snprintf(num, sizeof(num), "NaN");
			else if (isinf(v[i].d))
				snprintf(num, sizeof(num), v[i].d > 0 ? "Infinity" : "-Infinity");
			else
				snprintf(num, sizeof(num), "%.17g", v[i].d);
			ret = cc_buf_adds(b, num);
			break;
		case CC__BK_TEXT:
			ret = add_text(b, v[i].p, v[i].n);
			break;
		case CC__BK_BLOB:
			if (ld->types[i].kind == K_GEOM)
				ret = add_ewkb(b, v[i].p, v[i].n, ld->types[i].srid);
			else if (!(ret = cc_buf_adds(b, "\\\\x")))
				ret = add_hex(b, v[i].p, v[i].n);
			break;
		default:
			ret = cc_buf_adds(b, "\\N");
			break;
		}
	}
	if (ret == 0)
		ret = cc_buf_addch(b, '\n');
	if (ret)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if (b->len >= SEND_AT) {
		PGconn *conn = cc__pg_conn(ld->st);

		if (PQputCopyData(conn, b->buf, (int)b->len) != 1) {
			int ret2 = cc_err_set(err, CC_EIO, "PostgreSQL: %s", PQerrorMessage(conn));

			copy_end(ld, "sending the rows failed", NULL);
			return ret2;
		}
		cc_buf_clear(b);
	}
	return 0;
}

static int pg_load_end(void *p, bool ok, struct cc_err *err)
{
	struct pg_loader *ld = p;
	struct cc__bk_names q[2] = { 0 };
	struct cc_buf sql = CC_BUF_INIT(0);
	int ret = 0;

	if (!ld)
		return 0;
	if (!ok) {
		copy_end(ld, "restore abandoned", err);
		loader_free(ld);
		return 0; /* the caller rolls back */
	}
	ret = copy_end(ld, NULL, err);
	/* incident_key: one row per incident, as the events writer makes it */
	if (ret == 0)
		ret = query(ld->st,
		            "SELECT to_regclass('incident_key') IS NOT NULL AND to_regclass('incident') "
		            "IS NOT NULL",
		            NULL, q, 1, err);
	if (ret == 0 && q[0].n && strcmp(q[0].v[0], "t") == 0 &&
	    !(ret = exec(ld->st, "TRUNCATE incident_key", err)))
		ret = exec(ld->st,
		           "INSERT INTO incident_key (source, source_id, id, year, digest, batch) "
		           "SELECT source, source_id, id, extract(year FROM date '1970-01-01' + "
		           "date)::integer, digest, batch FROM incident",
		           err);
	cc__bk_names_free(&q[0]);
	/* feedback_fts: the search's tokens, which an archive from SQLite does not carry */
	if (ret == 0)
		ret = cc__pg_feedback_fts_rebuild(ld->st, err);
	/* the foreign keys checked now, then as they were */
	if (ret == 0 && (ret = exec(ld->st, "SET CONSTRAINTS ALL IMMEDIATE", err)) < 0 && err) {
		struct cc_err cause = *err;

		ret = cc_err_wrap(err, &cause, "the archive's rows break a foreign key");
	}
	if (ret == 0)
		ret = alter_each(ld->st, &ld->fk_tables, &ld->fk_names,
		                 "ALTER CONSTRAINT", "NOT DEFERRABLE", err);
	if (ret == 0)
		ret = alter_each(ld->st, &ld->trig_tables, &ld->trig_names, "ENABLE TRIGGER", "", err);
	/* identity sequences past the highest id */
	if (ret == 0)
		ret = query(ld->st,
		            "SELECT quote_ident(c.relname), quote_ident(a.attname) FROM pg_attribute a "
		            "JOIN pg_class c ON c.oid = a.attrelid WHERE a.attidentity <> '' AND "
		            "c.relnamespace = current_schema()::text::regnamespace AND c.relkind IN "
		            "('r', 'p') AND NOT c.relispartition ORDER BY 1",
		            NULL, q, 2, err);
	for (size_t i = 0; ret == 0 && i < q[0].n; i++) {
		cc_buf_clear(&sql);
		if (cc_buf_addf(&sql,
		                "SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce(max(%s), "
		                "0) + 1, false) FROM %s",
		                q[0].v[i], q[1].v[i], q[1].v[i], q[0].v[i]))
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		else
			ret = exec(ld->st, sql.buf, err);
	}
	names_free2(&q[0], &q[1]);
	cc_buf_release(&sql);
	loader_free(ld);
	return ret;
}

const struct cc__backup_ops cc__postgres_backup = {
	.migrations = pg_migrations,
	.tables = pg_tables,
	.digested = pg_digested,
	.columns = pg_columns,
	.snapshot = pg_snapshot,
	.snapshot_end = pg_snapshot_end,
	.read = pg_read,
	.load_begin = pg_load_begin,
	.clear = pg_clear,
	.load_table = pg_load_table,
	.load_row = pg_load_row,
	.load_end = pg_load_end,
};
