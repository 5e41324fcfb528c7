/*
 * Backup, restore and copy (<concord/backup.h>): the same for every backend, on the backend's
 * table reads and loads (ops_backup.h).
 *
 * One mechanism: a producer (the tables of a store, or an archive being read) feeds a consumer
 * (an archive being written, or a loader into a store). backup = store → archive, restore =
 * archive → loader, copy = store → loader. Every value is hashed as it passes, as the store's
 * digest hashes it, so each table's digest (and the store's) is known at its end; a loader reads
 * each loaded table back and compares.
 *
 * The archive (zlib, gzip framing) is a sequence of records, integers little-endian:
 *   "CCBACKUP" u32 format (1)
 *   'H' str scheme, u64 schema version
 *   per table: 'T' str name, u8 flags (1: in the store's digest), u64 ncols, ncols × str column
 *              'R' per row: per column a type byte (1 integer: i64, 2 real: its 8 bytes of
 *                  IEEE 754 bits, 3 text and 4 blob: u64 length and the bytes, 5 null)
 *              'E' u64 rows, u8 flags (1: the rows a new store's schema makes), 64 hex digest
 *   'Z' u64 tables, 64 hex store digest
 * where str is a u64 length and the bytes.
 */
#include <concord/backup.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include <concord/alloc.h>
#include <concord/buf.h>

#include "store/backend.h"
#include "store/ops_backup.h"

#include "core/blob.h"

#include "core/digest.h"

#include "core/banned.h"

#define FORMAT        1u
#define MAX_STR       (UINT64_C(1) << 31)
#define MAX_COLS      4096
#define PROGRESS_EACH 100000

/* ---- names ---- */

void cc__bk_names_free(struct cc__bk_names *n)
{
	for (size_t i = 0; i < n->n; i++)
		cc_free(n->v[i]);
	cc_free(n->v);
	n->v = NULL;
	n->n = 0;
}

int cc__bk_names_add(struct cc__bk_names *n, const char *s, size_t len, struct cc_err *err)
{
	char **v;
	char *c;

	if ((n->n & (n->n - 1)) == 0) { /* grow at powers of two */
		v = cc_realloc(n->v, (n->n ? n->n * 2 : 1) * sizeof(*v));
		if (!v)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		n->v = v;
	}
	if (!(c = cc_strndup(s ? s : "", s ? len : 0)))
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	n->v[n->n++] = c;
	return 0;
}

/* Puts "table 'x'" (and the row) before err's message, unless it names the table already. */
static void name_table(struct cc_err *err, const char *table, int64_t row)
{
	struct cc_err cause;

	if (!err || strstr(err->msg, table))
		return;
	cause = *err;
	if (row > 0)
		cc_err_wrap(err, &cause, "table '%s', row %lld", table, (long long)row);
	else
		cc_err_wrap(err, &cause, "table '%s'", table);
}

static bool names_has(const struct cc__bk_names *n, const char *s)
{
	for (size_t i = 0; i < n->n; i++)
		if (strcmp(n->v[i], s) == 0)
			return true;
	return false;
}

static const struct cc__backup_ops *bk_ops(struct cc_store *st)
{
	if (st->ops == &cc__store_sqlite)
		return &cc__sqlite_backup;
#if defined(CC_WITH_POSTGRES) && CC_WITH_POSTGRES
	if (st->ops == &cc__store_postgres)
		return &cc__postgres_backup;
#endif
	return NULL;
}

/* ---- hashing, as the store's digest ---- */

static void hash_u64(struct cc_sha256 *h, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	cc_sha256_update(h, b, sizeof(b));
}

static void hash_row(struct cc_sha256 *h, const struct cc__bk_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char t = v[i].type;
		uint64_t u;

		cc_sha256_update(h, &t, 1);
		switch (t) {
		case CC__BK_INT:
			hash_u64(h, (uint64_t)v[i].i);
			break;
		case CC__BK_REAL:
			memcpy(&u, &v[i].d, sizeof(u));
			hash_u64(h, u);
			break;
		case CC__BK_TEXT:
		case CC__BK_BLOB:
			hash_u64(h, v[i].n);
			if (v[i].n)
				cc_sha256_update(h, v[i].p, v[i].n);
			break;
		default:
			break;
		}
	}
	cc_sha256_update(h, "\n", 1);
}

/* ---- the consumer interface ---- */

struct consumer {
	void *ctx;
	int (*header)(void *ctx, const char *scheme, int version, struct cc_err *err);
	/* digested: the table is in the store's digest (not meta, not a derived index) */
	int (*table)(void *ctx, const char *name, bool digested, const struct cc__bk_names *cols,
	             struct cc_err *err);
	cc__bk_row_fn *row;
	int (*end_table)(void *ctx, int64_t rows, bool seeded, const char digest[65],
	                 struct cc_err *err);
	int (*end)(void *ctx, uint64_t tables, const char digest[65], struct cc_err *err);
};

/* ---- the rows a new store's schema makes (SQLite's code of personal-data columns, say) ---- */

struct seeded {
	struct cc__bk_names names, digests;
};

static void seeded_free(struct seeded *s)
{
	cc__bk_names_free(&s->names);
	cc__bk_names_free(&s->digests);
}

struct hash_ctx {
	struct cc_sha256 h;
	int64_t rows;
};

static int hash_only(void *ctx, const struct cc__bk_value *v, size_t n, struct cc_err *err)
{
	struct hash_ctx *hc = ctx;

	(void)err;
	hash_row(&hc->h, v, n);
	hc->rows++;
	return 0;
}

/* The digest of one table's rows (cols of it) in st, and its row count. */
static int table_digest(struct cc_store *st, const struct cc__backup_ops *bk, const char *table,
                        const struct cc__bk_names *cols, char out[static 65], int64_t *rows,
                        struct cc_err *err)
{
	struct hash_ctx hc;
	int ret;

	cc_sha256_init(&hc.h);
	hc.rows = 0;
	cc_sha256_update(&hc.h, table, strlen(table) + 1);
	if ((ret = bk->read(st, table, cols, hash_only, &hc, err)) < 0)
		return ret;
	cc_sha256_final_hex(&hc.h, out);
	if (rows)
		*rows = hc.rows;
	return 0;
}

/* The tables holding rows in a new store of st's backend, and their digests. */
static int seeded_of(struct cc_store *like, struct seeded *out, struct cc_err *err)
{
	struct cc_store_opts o = { .flags = CC_STORE_CREATE };
	struct cc__bk_names tables = { 0 }, cols = { 0 };
	struct cc_store *st = NULL;
	const struct cc__backup_ops *bk;
	int ret;

	/* PostgreSQL's schema fills no table the digest covers */
	if (like->ops != &cc__store_sqlite)
		return 0;
	if ((ret = cc_store_open(&st, "sqlite::memory:", &o, err)) < 0)
		return ret;
	bk = &cc__sqlite_backup;
	ret = bk->tables(st, &tables, err);
	for (size_t i = 0; ret == 0 && i < tables.n; i++) {
		char d[65];
		int64_t rows = 0;

		if (!bk->digested(tables.v[i]))
			continue;
		cc__bk_names_free(&cols);
		if ((ret = bk->columns(st, tables.v[i], &cols, err)) < 0 ||
		    (ret = table_digest(st, bk, tables.v[i], &cols, d, &rows, err)) < 0)
			break;
		if (rows > 0 &&
		    ((ret = cc__bk_names_add(&out->names, tables.v[i], strlen(tables.v[i]), err)) <
		             0 ||
		     (ret = cc__bk_names_add(&out->digests, d, 64, err)) < 0))
			break;
	}
	cc__bk_names_free(&cols);
	cc__bk_names_free(&tables);
	cc_store_close(st);
	return ret;
}

static bool seeded_same(const struct seeded *s, const char *table, const char *digest)
{
	for (size_t i = 0; i < s->names.n; i++)
		if (strcmp(s->names.v[i], table) == 0)
			return strcmp(s->digests.v[i], digest) == 0;
	return false;
}

/* ---- producer: a store's tables ---- */

struct produce {
	const struct consumer *c;
	const struct cc_backup_opts *opts;
	struct cc_sha256 store, table;
	const char *name;
	int64_t rows;
	bool in_store; /* hashed into the store's digest */
};

static int produce_row(void *ctx, const struct cc__bk_value *v, size_t n, struct cc_err *err)
{
	struct produce *p = ctx;

	hash_row(&p->table, v, n);
	if (p->in_store)
		hash_row(&p->store, v, n);
	p->rows++;
	if (p->opts->progress && p->rows % PROGRESS_EACH == 0)
		p->opts->progress(p->opts->ctx, p->name, p->rows, false);
	return p->c->row(p->c->ctx, v, n, err);
}

static int produce_store(struct cc_store *st, const struct consumer *c,
                         const struct cc_backup_opts *opts, struct cc_backup_report *rep,
                         struct cc_err *err)
{
	const struct cc__backup_ops *bk = bk_ops(st);
	struct cc__bk_names tables = { 0 }, cols = { 0 };
	struct seeded seeded = { 0 };
	struct produce p = { .c = c, .opts = opts };
	char digest[65];
	int have = 0, want = 0, ret;
	bool own = false;

	if (!bk)
		return cc_err_set(err, CC_EUNSUPPORTED, "this store cannot be backed up");
	if ((ret = cc_store_schema_version(st, &have, &want, err)) < 0 ||
	    (ret = seeded_of(st, &seeded, err)) < 0)
		goto out;
	snprintf(rep->scheme, sizeof(rep->scheme), "%s", st->ops->scheme);
	rep->version = have;
	if ((ret = bk->snapshot(st, &own, err)) < 0)
		goto out;
	if ((ret = c->header(c->ctx, st->ops->scheme, have, err)) < 0 ||
	    (ret = bk->tables(st, &tables, err)) < 0)
		goto out_snap;
	cc_sha256_init(&p.store);
	for (size_t i = 0; i < tables.n; i++) {
		const char *t = tables.v[i];

		cc__bk_names_free(&cols);
		if ((ret = bk->columns(st, t, &cols, err)) < 0 ||
		    (ret = c->table(c->ctx, t, bk->digested(t), &cols, err)) < 0)
			goto out_snap;
		p.name = t;
		p.rows = 0;
		p.in_store = bk->digested(t);
		cc_sha256_init(&p.table);
		cc_sha256_update(&p.table, t, strlen(t) + 1);
		if (p.in_store)
			cc_sha256_update(&p.store, t, strlen(t) + 1);
		if ((ret = bk->read(st, t, &cols, produce_row, &p, err)) < 0) {
			name_table(err, t, 0);
			goto out_snap;
		}
		cc_sha256_final_hex(&p.table, digest);
		if (opts->progress)
			opts->progress(opts->ctx, t, p.rows, true);
		if ((ret = c->end_table(c->ctx, p.rows,
		                        p.rows > 0 && seeded_same(&seeded, t, digest), digest, err)) <
		    0)
			goto out_snap;
		rep->n_tables++;
		rep->n_rows += p.rows;
	}
	cc_sha256_final_hex(&p.store, rep->digest);
	ret = c->end(c->ctx, tables.n, rep->digest, err);
out_snap:
	bk->snapshot_end(st, own);
out:
	seeded_free(&seeded);
	cc__bk_names_free(&cols);
	cc__bk_names_free(&tables);
	return ret;
}

/* ---- consumer: an archive being written ---- */

struct writer {
	gzFile gz;
	const char *path;
};

static int w_bytes(struct writer *w, const void *p, size_t n, struct cc_err *err)
{
	while (n > 0) {
		unsigned chunk = n > (1u << 30) ? 1u << 30 : (unsigned)n;
		int wrote = gzwrite(w->gz, p, chunk);

		if (wrote <= 0) {
			int zerr = 0;
			const char *msg = gzerror(w->gz, &zerr);

			return cc_err_set(err, CC_EIO, "cannot write '%s': %s", w->path,
			                  zerr == Z_ERRNO ? strerror(errno) : msg);
		}
		p = (const char *)p + wrote;
		n -= (size_t)wrote;
	}
	return 0;
}

static int w_u64(struct writer *w, uint64_t v, struct cc_err *err)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return w_bytes(w, b, 8, err);
}

static int w_str(struct writer *w, const void *s, size_t n, struct cc_err *err)
{
	int ret = w_u64(w, n, err);

	return ret ? ret : w_bytes(w, s, n, err);
}

static int w_tag(struct writer *w, char tag, struct cc_err *err)
{
	return w_bytes(w, &tag, 1, err);
}

static int w_header(void *ctx, const char *scheme, int version, struct cc_err *err)
{
	struct writer *w = ctx;
	unsigned char fmt[4] = { FORMAT & 0xff, 0, 0, 0 };
	int ret;

	if ((ret = w_bytes(w, "CCBACKUP", 8, err)) < 0 || (ret = w_bytes(w, fmt, 4, err)) < 0 ||
	    (ret = w_tag(w, 'H', err)) < 0 || (ret = w_str(w, scheme, strlen(scheme), err)) < 0)
		return ret;
	return w_u64(w, (uint64_t)version, err);
}

static int w_table(void *ctx, const char *name, bool digested, const struct cc__bk_names *cols,
                   struct cc_err *err)
{
	struct writer *w = ctx;
	unsigned char flags = digested ? 1 : 0;
	int ret;

	if ((ret = w_tag(w, 'T', err)) < 0 || (ret = w_str(w, name, strlen(name), err)) < 0 ||
	    (ret = w_bytes(w, &flags, 1, err)) < 0 ||
	    (ret = w_u64(w, cols->n, err)) < 0)
		return ret;
	for (size_t i = 0; i < cols->n; i++)
		if ((ret = w_str(w, cols->v[i], strlen(cols->v[i]), err)) < 0)
			return ret;
	return 0;
}

static int w_row(void *ctx, const struct cc__bk_value *v, size_t n, struct cc_err *err)
{
	struct writer *w = ctx;
	int ret = w_tag(w, 'R', err);

	for (size_t i = 0; ret == 0 && i < n; i++) {
		uint64_t u;

		if ((ret = w_bytes(w, &v[i].type, 1, err)) < 0)
			break;
		switch (v[i].type) {
		case CC__BK_INT:
			ret = w_u64(w, (uint64_t)v[i].i, err);
			break;
		case CC__BK_REAL:
			memcpy(&u, &v[i].d, sizeof(u));
			ret = w_u64(w, u, err);
			break;
		case CC__BK_TEXT:
		case CC__BK_BLOB:
			ret = w_str(w, v[i].p, v[i].n, err);
			break;
		default:
			break;
		}
	}
	return ret;
}

static int w_end_table(void *ctx, int64_t rows, bool seeded, const char digest[65],
                       struct cc_err *err)
{
	struct writer *w = ctx;
	unsigned char flags = seeded ? 1 : 0;
	int ret;

	if ((ret = w_tag(w, 'E', err)) < 0 || (ret = w_u64(w, (uint64_t)rows, err)) < 0 ||
	    (ret = w_bytes(w, &flags, 1, err)) < 0)
		return ret;
	return w_bytes(w, digest, 64, err);
}

static int w_end(void *ctx, uint64_t tables, const char digest[65], struct cc_err *err)
{
	struct writer *w = ctx;
	int ret;

	if ((ret = w_tag(w, 'Z', err)) < 0 || (ret = w_u64(w, tables, err)) < 0)
		return ret;
	return w_bytes(w, digest, 64, err);
}

int cc_backup(struct cc_store *st, const char *path, const struct cc_backup_opts *opts,
              struct cc_backup_report *rep, struct cc_err *err)
{
	static const struct cc_backup_opts none = { 0 };
	struct cc_backup_report r0;
	struct writer w = { .path = path };
	struct consumer c = { .ctx = &w, .header = w_header, .table = w_table, .row = w_row,
		              .end_table = w_end_table, .end = w_end };
	char tmp[4096];
	bool std = strcmp(path, "-") == 0;
	int ret, zret;

	if (!rep)
		rep = &r0;
	memset(rep, 0, sizeof(*rep));
	if (!opts)
		opts = &none;
	if (!std && snprintf(tmp, sizeof(tmp), "%s.part", path) >= (int)sizeof(tmp))
		return cc_err_set(err, CC_ETOOBIG, "path too long: '%s'", path);
	w.gz = std ? gzdopen(dup(STDOUT_FILENO), "wb3") : gzopen(tmp, "wb3");
	if (!w.gz)
		return cc_err_set(err, CC_EIO, "cannot write '%s': %s", path, strerror(errno));
	gzbuffer(w.gz, 1 << 17);
	ret = produce_store(st, &c, opts, rep, err);
	zret = gzclose(w.gz);
	if (ret == 0 && zret != Z_OK)
		ret = cc_err_set(err, CC_EIO, "cannot write '%s': %s", path,
		                 zret == Z_ERRNO ? strerror(errno) : "compression failed");
	if (!std) {
		if (ret == 0 && rename(tmp, path) != 0)
			ret = cc_err_set(err, CC_EIO, "cannot write '%s': %s", path, strerror(errno));
		if (ret < 0)
			unlink(tmp);
	}
	return ret;
}

/* ---- consumer: a loader into a store ---- */

struct loaded {
	char *name;
	struct cc__bk_names cols;
	char digest[65];
};

struct loader {
	struct cc_store *st;
	const struct cc__backup_ops *bk;
	const struct cc_backup_opts *opts;
	struct cc_backup_report *rep;
	void *ld;
	bool began;
	struct cc__bk_names tables; /* the target's */
	struct cc__bk_names filled; /* tables the target's migrations write rows into */
	/* the table being received */
	char name[128];
	struct cc__bk_names cols;
	bool skipping; /* a table the target lacks */
	bool digested; /* in the store's digest */
	int64_t rows;
	struct loaded *done;
	size_t n_done;
};

/* Stops a read at its first row: the table holds rows. */
static int first_row(void *ctx, const struct cc__bk_value *v, size_t n, struct cc_err *err)
{
	(void)ctx;
	(void)v;
	(void)n;
	(void)err;
	return 1;
}

/*
 * The tables a migration of st's backend writes rows into ("INSERT [OR …] INTO name"): a new
 * store may hold rows there (meta aside), which neither make it a store with records nor are
 * emptied unless the archive brings the table.
 */
static int schema_filled(const struct cc__blob *migs, struct cc__bk_names *out,
                         struct cc_err *err)
{
	for (const struct cc__blob *m = migs; m && m->name; m++) {
		const char *s = (const char *)m->data;

		for (const char *p = s; (p = strstr(p, "INSERT ")) != NULL;) {
			const char *q = p + 7, *e;
			int ret;

			p = q;
			if (strncmp(q, "OR ", 3) == 0 && (q = strchr(q + 3, ' ')) != NULL)
				q++;
			if (!q || strncmp(q, "INTO ", 5) != 0)
				continue;
			q += 5;
			for (e = q; (*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '_';
			     e++)
				;
			if (e == q || (e - q == 4 && strncmp(q, "meta", 4) == 0))
				continue;
			{
				char name[128];

				snprintf(name, sizeof(name), "%.*s", (int)(e - q), q);
				if (!names_has(out, name) &&
				    (ret = cc__bk_names_add(out, name, strlen(name), err)) < 0)
					return ret;
			}
		}
	}
	return 0;
}

static int l_header(void *ctx, const char *scheme, int version, struct cc_err *err)
{
	struct loader *l = ctx;
	struct cc__bk_names clear = { 0 };
	int have = 0, want = 0, ret;

	if ((ret = cc_store_schema_version(l->st, &have, &want, err)) < 0)
		return ret;
	if (strcmp(scheme, l->st->ops->scheme) == 0 && version > want)
		return cc_err_set(err, CC_ESCHEMA,
		                  "the archive is of schema %d, newer than this program's %d: "
		                  "restore it with a newer concord",
		                  version, want);
	if ((ret = schema_filled(l->bk->migrations(), &l->filled, err)) < 0 ||
	    (ret = cc_store_begin(l->st, err)) < 0)
		return ret;
	l->began = true;
	if (l->st->ops->lock_writers && (ret = l->st->ops->lock_writers(l->st, err)) < 0)
		return ret;
	if ((ret = l->bk->tables(l->st, &l->tables, err)) < 0)
		return ret;
	/* empty unless --force: no rows but those of the schema */
	for (size_t i = 0; ret == 0 && i < l->tables.n; i++) {
		const char *t = l->tables.v[i];
		struct cc__bk_names cols = { 0 };

		if (strcmp(t, "meta") == 0 || names_has(&l->filled, t))
			continue;
		if (l->opts->force) {
			ret = cc__bk_names_add(&clear, t, strlen(t), err);
			continue;
		}
		if ((ret = l->bk->columns(l->st, t, &cols, err)) == 0 &&
		    (ret = l->bk->read(l->st, t, &cols, first_row, NULL, err)) > 0)
			ret = cc_err_set(err, CC_EEXIST,
			                 "the store is not empty (table '%s' holds rows): restore into "
			                 "a new store, or give --force to replace its contents",
			                 t);
		cc__bk_names_free(&cols);
	}
	if (ret == 0)
		ret = l->bk->load_begin(l->st, &l->ld, err);
	if (ret == 0 && clear.n)
		ret = l->bk->clear(l->ld, &clear, err);
	cc__bk_names_free(&clear);
	return ret;
}

static int l_table(void *ctx, const char *name, bool digested, const struct cc__bk_names *cols,
                   struct cc_err *err)
{
	struct loader *l = ctx;
	struct cc__bk_names have = { 0 };
	int ret = 0;

	snprintf(l->name, sizeof(l->name), "%s", name);
	l->rows = 0;
	cc__bk_names_free(&l->cols);
	for (size_t i = 0; i < cols->n; i++)
		if ((ret = cc__bk_names_add(&l->cols, cols->v[i], strlen(cols->v[i]), err)) < 0)
			return ret;
	l->digested = digested;
	l->skipping = !names_has(&l->tables, name);
	if (l->skipping)
		return 0;
	/* every column of the archive must be in the target's table */
	if ((ret = l->bk->columns(l->st, name, &have, err)) < 0)
		return ret;
	for (size_t i = 0; ret == 0 && i < cols->n; i++)
		if (!names_has(&have, cols->v[i]))
			ret = cc_err_set(err, CC_ENOTFOUND,
			                 "table '%s' of the archive has a column '%s' this store lacks",
			                 name, cols->v[i]);
	cc__bk_names_free(&have);
	if (ret == 0 && names_has(&l->filled, name)) {
		struct cc__bk_names one = { 0 };

		if ((ret = cc__bk_names_add(&one, name, strlen(name), err)) == 0)
			ret = l->bk->clear(l->ld, &one, err);
		cc__bk_names_free(&one);
	}
	if (ret == 0)
		ret = l->bk->load_table(l->ld, name, cols, err);
	return ret;
}

static int l_row(void *ctx, const struct cc__bk_value *v, size_t n, struct cc_err *err)
{
	struct loader *l = ctx;
	int ret;

	l->rows++;
	if (l->skipping)
		return 0;
	if ((ret = l->bk->load_row(l->ld, v, n, err)) < 0)
		name_table(err, l->name, l->rows);
	return ret;
}

static int l_end_table(void *ctx, int64_t rows, bool seeded, const char digest[65],
                       struct cc_err *err)
{
	struct loader *l = ctx;
	struct loaded *d;
	int ret;

	if (l->skipping) {
		if (rows > 0 && !seeded && l->digested)
			return cc_err_set(err, CC_ENOTFOUND,
			                  "table '%s' of the archive (%lld rows) has no counterpart in "
			                  "this store",
			                  l->name, (long long)rows);
		l->rep->n_skipped++;
		return 0;
	}
	if ((ret = l->bk->load_table(l->ld, NULL, NULL, err)) < 0)
		return ret;
	if (l->opts->progress)
		l->opts->progress(l->opts->ctx, l->name, rows, true);
	l->rep->n_tables++;
	l->rep->n_rows += rows;
	if (!l->digested)
		return 0; /* meta merged, derived tables as they came: not compared */
	d = cc_realloc(l->done, (l->n_done + 1) * sizeof(*d));
	if (!d)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	l->done = d;
	d = &l->done[l->n_done];
	memset(d, 0, sizeof(*d));
	if (!(d->name = cc_strdup(l->name)))
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	l->n_done++;
	d->cols = l->cols;
	l->cols = (struct cc__bk_names){ 0 };
	memcpy(d->digest, digest, 65);
	return 0;
}

/* Hashes rows into a table's and the store's digest at once. */
struct hash2 {
	struct cc_sha256 table, *store;
};

static int hash_both(void *ctx, const struct cc__bk_value *v, size_t n, struct cc_err *err)
{
	struct hash2 *h = ctx;

	(void)err;
	hash_row(&h->table, v, n);
	if (h->store)
		hash_row(h->store, v, n);
	return 0;
}

static bool same_names(const struct cc__bk_names *a, const struct cc__bk_names *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

/*
 * Every table loaded, read back, must give the archive's digest; the target's own digest is
 * made in the same pass (as cc_store_digest makes it, table by table, streamed).
 */
static int verify(struct loader *l, struct cc_err *err)
{
	struct cc__bk_names cols = { 0 };
	struct cc_sha256 store;
	int ret = 0;

	cc_sha256_init(&store);
	for (size_t i = 0; ret == 0 && i < l->tables.n; i++) {
		const char *t = l->tables.v[i];
		const struct loaded *d = NULL;
		struct hash2 h;
		char got[65];

		if (!l->bk->digested(t))
			continue;
		for (size_t j = 0; j < l->n_done && !d; j++)
			if (strcmp(l->done[j].name, t) == 0)
				d = &l->done[j];
		cc__bk_names_free(&cols);
		if ((ret = l->bk->columns(l->st, t, &cols, err)) < 0)
			break;
		cc_sha256_update(&store, t, strlen(t) + 1);
		cc_sha256_init(&h.table);
		cc_sha256_update(&h.table, t, strlen(t) + 1);
		h.store = &store;
		if (d && !same_names(&cols, &d->cols)) {
			/* an older archive's columns: the store's digest over all of them apart */
			if ((ret = l->bk->read(l->st, t, &cols, hash_both, &h, err)) < 0)
				break;
			cc_sha256_init(&h.table);
			cc_sha256_update(&h.table, t, strlen(t) + 1);
			h.store = NULL;
		}
		if ((ret = l->bk->read(l->st, t, d ? &d->cols : &cols, hash_both, &h, err)) < 0)
			break;
		cc_sha256_final_hex(&h.table, got);
		if (d && strcmp(got, d->digest) != 0)
			ret = cc_err_set(err, CC_ESTORE,
			                 "table '%s' differs from the archive once loaded (digest %.12s, "
			                 "the archive's %.12s): nothing restored",
			                 t, got, d->digest);
	}
	cc__bk_names_free(&cols);
	if (ret == 0)
		cc_sha256_final_hex(&store, l->rep->loaded);
	return ret;
}

static int l_end(void *ctx, uint64_t tables, const char digest[65], struct cc_err *err)
{
	struct loader *l = ctx;
	void *ld = l->ld;
	int ret;

	(void)tables;
	memcpy(l->rep->digest, digest, 65);
	l->ld = NULL;
	if ((ret = l->bk->load_end(ld, true, err)) < 0)
		return ret;
	return verify(l, err);
}

static void loader_release(struct loader *l)
{
	if (l->ld)
		l->bk->load_end(l->ld, false, NULL);
	l->ld = NULL;
	cc__bk_names_free(&l->tables);
	cc__bk_names_free(&l->cols);
	cc__bk_names_free(&l->filled);
	for (size_t i = 0; i < l->n_done; i++) {
		cc_free(l->done[i].name);
		cc__bk_names_free(&l->done[i].cols);
	}
	cc_free(l->done);
}

/* Runs produce into a loader into st: one transaction, committed when all went well. */
static int load(struct cc_store *st, const struct cc_backup_opts *opts,
                struct cc_backup_report *rep,
                int (*produce)(void *pctx, const struct consumer *c, struct cc_err *err),
                void *pctx, struct cc_err *err)
{
	struct loader l = { .st = st, .bk = bk_ops(st), .opts = opts, .rep = rep };
	struct consumer c = { .ctx = &l, .header = l_header, .table = l_table, .row = l_row,
		              .end_table = l_end_table, .end = l_end };
	int ret;

	if (!l.bk)
		return cc_err_set(err, CC_EUNSUPPORTED, "this store cannot be restored into");
	if (cc_store_in_request(st))
		return cc_err_set(err, CC_EUSAGE, "cannot restore inside a request");
	ret = produce(pctx, &c, err);
	if (ret == 0 && !l.began)
		ret = cc_err_set(err, CC_EPARSE, "the archive is empty");
	if (l.ld) {
		l.bk->load_end(l.ld, false, NULL);
		l.ld = NULL;
	}
	if (ret == 0)
		ret = cc_store_commit(st, err);
	else if (l.began)
		cc_store_rollback(st);
	loader_release(&l);
	return ret;
}

/* ---- producer: an archive being read ---- */

struct reader {
	gzFile gz;
	const char *path;
	struct cc_buf buf; /* the current row's text and blobs */
};

static int r_bytes(struct reader *r, void *p, size_t n, struct cc_err *err)
{
	while (n > 0) {
		unsigned chunk = n > (1u << 30) ? 1u << 30 : (unsigned)n;
		int got = gzread(r->gz, p, chunk);

		if (got < 0) {
			int zerr = 0;
			const char *msg = gzerror(r->gz, &zerr);

			return cc_err_set(err, CC_EPARSE, "'%s' is damaged: %s", r->path,
			                  zerr == Z_ERRNO ? strerror(errno) : msg);
		}
		if (got == 0)
			return cc_err_set(err, CC_EPARSE, "'%s' is truncated", r->path);
		p = (char *)p + got;
		n -= (size_t)got;
	}
	return 0;
}

static int r_u64(struct reader *r, uint64_t *v, struct cc_err *err)
{
	unsigned char b[8];
	int ret = r_bytes(r, b, 8, err);

	*v = 0;
	for (int i = 0; ret == 0 && i < 8; i++)
		*v |= (uint64_t)b[i] << (8 * i);
	return ret;
}

/* A string appended to r->buf (with a NUL after it); its offset. */
static int r_str(struct reader *r, size_t *off, size_t *len, struct cc_err *err)
{
	uint64_t n;
	int ret = r_u64(r, &n, err);

	if (ret < 0)
		return ret;
	if (n > MAX_STR)
		return cc_err_set(err, CC_EPARSE, "'%s' is damaged: a value of %llu bytes", r->path,
		                  (unsigned long long)n);
	if (cc_buf_grow(&r->buf, (size_t)n + 1))
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	*off = r->buf.len;
	*len = (size_t)n;
	if ((ret = r_bytes(r, r->buf.buf + r->buf.len, (size_t)n, err)) < 0)
		return ret;
	r->buf.len += (size_t)n;
	r->buf.buf[r->buf.len++] = '\0';
	return 0;
}

static int damaged(struct reader *r, const char *what, struct cc_err *err)
{
	return cc_err_set(err, CC_EPARSE, "'%s' is damaged or not a concord archive: %s", r->path,
	                  what);
}

struct archive_run {
	struct reader *r;
	struct cc_backup_report *rep;
	const struct cc_backup_opts *opts;
};

static int produce_archive(void *ctx, const struct consumer *c, struct cc_err *err)
{
	struct archive_run *run = ctx;
	struct reader *r = run->r;
	struct cc__bk_names cols = { 0 };
	struct cc__bk_value *v = NULL;
	struct cc_sha256 store, table;
	char magic[12], name[128] = "", digest[65];
	size_t off, len, *offs = NULL;
	uint64_t u, ntables = 0, version;
	int64_t rows = 0;
	bool in_table = false, in_store = false;
	unsigned char tflags = 0;
	int ret;

	if ((ret = r_bytes(r, magic, sizeof(magic), err)) < 0)
		return ret == CC_EPARSE ? damaged(r, "too short", err) : ret;
	if (memcmp(magic, "CCBACKUP", 8) != 0)
		return damaged(r, "no archive header", err);
	if ((unsigned char)magic[8] != FORMAT || magic[9] || magic[10] || magic[11])
		return cc_err_set(err, CC_ESCHEMA, "'%s' is an archive of a newer format (%u)",
		                  r->path, (unsigned)(unsigned char)magic[8]);
	cc_sha256_init(&store);
	for (;;) {
		char tag;

		if ((ret = r_bytes(r, &tag, 1, err)) < 0)
			goto out;
		cc_buf_clear(&r->buf);
		switch (tag) {
		case 'H':
			if ((ret = r_str(r, &off, &len, err)) < 0 || (ret = r_u64(r, &version, err)) < 0)
				goto out;
			if (len >= sizeof(run->rep->scheme) || version > 1000000) {
				ret = damaged(r, "bad header", err);
				goto out;
			}
			snprintf(run->rep->scheme, sizeof(run->rep->scheme), "%s", r->buf.buf + off);
			run->rep->version = (int)version;
			if ((ret = c->header(c->ctx, run->rep->scheme, (int)version, err)) < 0)
				goto out;
			break;
		case 'T':
			if (in_table) {
				ret = damaged(r, "a table inside a table", err);
				goto out;
			}
			if ((ret = r_str(r, &off, &len, err)) < 0)
				goto out;
			if (len == 0 || len >= sizeof(name)) {
				ret = damaged(r, "bad table name", err);
				goto out;
			}
			memcpy(name, r->buf.buf + off, len + 1);
			if ((ret = r_bytes(r, &tflags, 1, err)) < 0 || (ret = r_u64(r, &u, err)) < 0)
				goto out;
			if (u == 0 || u > MAX_COLS) {
				ret = damaged(r, "bad column count", err);
				goto out;
			}
			cc__bk_names_free(&cols);
			for (uint64_t i = 0; i < u; i++) {
				cc_buf_clear(&r->buf);
				if ((ret = r_str(r, &off, &len, err)) < 0 ||
				    (ret = cc__bk_names_add(&cols, r->buf.buf + off, len, err)) < 0)
					goto out;
			}
			cc_free(v);
			cc_free(offs);
			v = cc_alloc_array(cols.n, sizeof(*v));
			offs = cc_alloc_array(cols.n, sizeof(*offs));
			if (!v || !offs) {
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
				goto out;
			}
			in_table = true;
			in_store = tflags & 1;
			rows = 0;
			cc_sha256_init(&table);
			cc_sha256_update(&table, name, strlen(name) + 1);
			if (in_store)
				cc_sha256_update(&store, name, strlen(name) + 1);
			if ((ret = c->table(c->ctx, name, in_store, &cols, err)) < 0)
				goto out;
			break;
		case 'R':
			if (!in_table) {
				ret = damaged(r, "a row outside a table", err);
				goto out;
			}
			for (size_t i = 0; i < cols.n; i++) {
				memset(&v[i], 0, sizeof(v[i]));
				if ((ret = r_bytes(r, &v[i].type, 1, err)) < 0)
					goto out;
				switch (v[i].type) {
				case CC__BK_INT:
				case CC__BK_REAL:
					if ((ret = r_u64(r, &u, err)) < 0)
						goto out;
					v[i].i = (int64_t)u;
					memcpy(&v[i].d, &u, sizeof(u));
					break;
				case CC__BK_TEXT:
				case CC__BK_BLOB:
					if ((ret = r_str(r, &offs[i], &v[i].n, err)) < 0)
						goto out;
					break;
				case CC__BK_NULL:
					break;
				default:
					ret = damaged(r, "bad value type", err);
					goto out;
				}
			}
			/* the buffer may have moved: point the values at it now */
			for (size_t i = 0; i < cols.n; i++)
				if (v[i].type == CC__BK_TEXT || v[i].type == CC__BK_BLOB)
					v[i].p = r->buf.buf + offs[i];
			hash_row(&table, v, cols.n);
			if (in_store)
				hash_row(&store, v, cols.n);
			rows++;
			if (run->opts->progress && rows % PROGRESS_EACH == 0)
				run->opts->progress(run->opts->ctx, name, rows, false);
			if ((ret = c->row(c->ctx, v, cols.n, err)) < 0)
				goto out;
			break;
		case 'E': {
			unsigned char flags;
			char mine[65];

			if (!in_table) {
				ret = damaged(r, "a table's end outside a table", err);
				goto out;
			}
			if ((ret = r_u64(r, &u, err)) < 0 || (ret = r_bytes(r, &flags, 1, err)) < 0 ||
			    (ret = r_bytes(r, digest, 64, err)) < 0)
				goto out;
			digest[64] = '\0';
			cc_sha256_final_hex(&table, mine);
			if (u != (uint64_t)rows || strcmp(mine, digest) != 0) {
				ret = cc_err_set(err, CC_EPARSE,
				                 "'%s' is damaged: table '%s' does not match its digest",
				                 r->path, name);
				goto out;
			}
			in_table = false;
			ntables++;
			if ((ret = c->end_table(c->ctx, rows, flags & 1, digest, err)) < 0)
				goto out;
			break;
		}
		case 'Z': {
			char mine[65];

			if (in_table || (ret = r_u64(r, &u, err)) < 0 ||
			    (ret = r_bytes(r, digest, 64, err)) < 0) {
				if (ret == 0)
					ret = damaged(r, "the end inside a table", err);
				goto out;
			}
			digest[64] = '\0';
			cc_sha256_final_hex(&store, mine);
			if (u != ntables || strcmp(mine, digest) != 0) {
				ret = cc_err_set(err, CC_EPARSE,
				                 "'%s' is damaged: the store's digest does not match",
				                 r->path);
				goto out;
			}
			/* nothing may follow; the gzip trailer's check is read here */
			{
				char extra;
				int got = gzread(r->gz, &extra, 1);

				if (got != 0) {
					ret = got < 0 ? damaged(r, "bad compressed data", err)
					              : damaged(r, "data after the end", err);
					goto out;
				}
				if (gzclose_r(r->gz) != Z_OK) {
					r->gz = NULL;
					ret = damaged(r, "bad compressed data", err);
					goto out;
				}
				r->gz = NULL;
			}
			ret = c->end(c->ctx, u, digest, err);
			goto out;
		}
		default:
			ret = damaged(r, "unknown record", err);
			goto out;
		}
	}
out:
	cc_free(v);
	cc_free(offs);
	cc__bk_names_free(&cols);
	return ret;
}

int cc_restore(struct cc_store *st, const char *path, const struct cc_backup_opts *opts,
               struct cc_backup_report *rep, struct cc_err *err)
{
	static const struct cc_backup_opts none = { 0 };
	struct cc_backup_report r0;
	struct reader r = { .path = path };
	struct archive_run run = { .r = &r };
	int ret;

	if (!rep)
		rep = &r0;
	memset(rep, 0, sizeof(*rep));
	if (!opts)
		opts = &none;
	run.rep = rep;
	run.opts = opts;
	r.gz = strcmp(path, "-") == 0 ? gzdopen(dup(STDIN_FILENO), "rb") : gzopen(path, "rb");
	if (!r.gz)
		return cc_err_set(err, errno == ENOENT ? CC_ENOTFOUND : CC_EIO, "cannot read '%s': %s",
		                  path, strerror(errno));
	gzbuffer(r.gz, 1 << 17);
	cc_buf_init(&r.buf, 0);
	ret = load(st, opts, rep, produce_archive, &run, err);
	if (r.gz)
		gzclose_r(r.gz);
	cc_buf_release(&r.buf);
	return ret;
}

/* ---- copy ---- */

struct copy_run {
	struct cc_store *from;
	const struct cc_backup_opts *opts;
	struct cc_backup_report src;
};

static int produce_copy(void *ctx, const struct consumer *c, struct cc_err *err)
{
	struct copy_run *run = ctx;

	return produce_store(run->from, c, run->opts, &run->src, err);
}

int cc_store_copy(struct cc_store *from, struct cc_store *to, const struct cc_backup_opts *opts,
                  struct cc_backup_report *rep, struct cc_err *err)
{
	static const struct cc_backup_opts none = { 0 };
	/* progress reported once per table, by the loader */
	struct cc_backup_opts quiet = { 0 };
	struct cc_backup_report r0;
	struct copy_run run = { .from = from, .opts = &quiet };
	int ret;

	if (!rep)
		rep = &r0;
	memset(rep, 0, sizeof(*rep));
	if (!opts)
		opts = &none;
	if (from == to)
		return cc_err_set(err, CC_EUSAGE, "cannot copy a store onto itself");
	quiet.progress = NULL;
	ret = load(to, opts, rep, produce_copy, &run, err);
	snprintf(rep->scheme, sizeof(rep->scheme), "%s", run.src.scheme);
	rep->version = run.src.version;
	return ret;
}
