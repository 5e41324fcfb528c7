/*
 * I/O errors during an import: a SQLite VFS that wraps the default one fails the Nth read,
 * write, sync, truncate, size or shared-memory call, for every N from the first until the
 * import goes through without meeting one. Each failed import must end in CC_EIO saying that
 * nothing of the transaction was stored, and the store, opened again without the fault,
 * must pass integrity_check with the digest it had before; LeakSanitizer checks nothing leaks.
 * A 3W import, an events import that takes the bulk path (secondary indexes dropped and
 * rebuilt) and an IATI import are run through it, and so are API requests, each handler called
 * in-process as the server calls it: a new activity, new feedback and a 3W file uploaded.
 */
#include <concord/alloc.h>
#include <concord/auth.h>
#include <concord/events.h>
#include <concord/iati.h>
#include <concord/import.h>
#include <concord/store.h>

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "server/server.h"
#include "tap.h"
#include "testdir.h"
#include "fixtures.h"

/* ---- the faulty VFS ---- */

static sqlite3_vfs *real_vfs;
static long io_calls;    /* calls counted since armed */
static long fail_at = -1; /* the call (1-based) that fails; -1 disarmed */
static long io_failed;   /* how many calls were failed */

struct shim_file {
	sqlite3_file base;
	sqlite3_file *real; /* the wrapped file, right after this struct */
};

/* True when this call is the one to fail. */
static int fault(void)
{
	if (fail_at < 0)
		return 0;
	if (++io_calls == fail_at) {
		io_failed++;
		return 1;
	}
	return 0;
}

#define REAL(f) (((struct shim_file *)(f))->real)

static int sh_close(sqlite3_file *f)
{
	return REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
}

static int sh_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	if (fault())
		return SQLITE_IOERR_READ;
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int sh_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	if (fault())
		return SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int sh_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (fault())
		return SQLITE_IOERR_TRUNCATE;
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int sh_sync(sqlite3_file *f, int flags)
{
	if (fault())
		return SQLITE_IOERR_FSYNC;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int sh_size(sqlite3_file *f, sqlite3_int64 *size)
{
	if (fault())
		return SQLITE_IOERR_FSTAT;
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int sh_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int sh_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int sh_check_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int sh_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int sh_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int sh_caps(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int sh_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **out)
{
	if (fault())
		return SQLITE_IOERR_SHMMAP;
	return REAL(f)->pMethods->xShmMap(REAL(f), page, size, extend, out);
}

static int sh_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void sh_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int sh_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

/* Memory-mapped reads would bypass xRead: refused, so SQLite reads through the shim. */
static int sh_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
	(void)f;
	(void)off;
	(void)n;
	*out = NULL;
	return SQLITE_OK;
}

static int sh_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	(void)f;
	(void)off;
	(void)p;
	return SQLITE_OK;
}

static const sqlite3_io_methods shim_methods = {
	.iVersion = 3,
	.xClose = sh_close,
	.xRead = sh_read,
	.xWrite = sh_write,
	.xTruncate = sh_truncate,
	.xSync = sh_sync,
	.xFileSize = sh_size,
	.xLock = sh_lock,
	.xUnlock = sh_unlock,
	.xCheckReservedLock = sh_check_lock,
	.xFileControl = sh_control,
	.xSectorSize = sh_sector,
	.xDeviceCharacteristics = sh_caps,
	.xShmMap = sh_shm_map,
	.xShmLock = sh_shm_lock,
	.xShmBarrier = sh_shm_barrier,
	.xShmUnmap = sh_shm_unmap,
	.xFetch = sh_fetch,
	.xUnfetch = sh_unfetch,
};

static int sh_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	struct shim_file *s = (struct shim_file *)f;
	int rc;

	(void)vfs;
	s->real = (sqlite3_file *)(s + 1);
	memset(s->real, 0, (size_t)real_vfs->szOsFile);
	rc = real_vfs->xOpen(real_vfs, name, s->real, flags, out_flags);
	s->base.pMethods = s->real->pMethods ? &shim_methods : NULL;
	return rc;
}

static int sh_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int sh_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int sh_full_path(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int sh_random(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int sh_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int sh_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int sh_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}

static int sh_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static sqlite3_vfs shim_vfs = {
	.iVersion = 2,
	.zName = "concord-faulty",
	.xOpen = sh_open,
	.xDelete = sh_delete,
	.xAccess = sh_access,
	.xFullPathname = sh_full_path,
	.xRandomness = sh_random,
	.xSleep = sh_sleep,
	.xCurrentTime = sh_time,
	.xGetLastError = sh_last_error,
	.xCurrentTimeInt64 = sh_time64,
};

/* Every store opened from now on goes through the shim (registered as the default VFS). */
static int shim_install(void)
{
	if (!real_vfs) {
		real_vfs = sqlite3_vfs_find(NULL);
		if (!real_vfs)
			return -1;
		shim_vfs.szOsFile = (int)sizeof(struct shim_file) + real_vfs->szOsFile;
		shim_vfs.mxPathname = real_vfs->mxPathname;
	}
	return sqlite3_vfs_register(&shim_vfs, 1) == SQLITE_OK ? 0 : -1;
}

/* ---- the store around it ---- */

static void digest(struct cc_store *st, char out[static 65])
{
	struct cc_err err = { 0 };

	if (cc_store_digest(st, out, &err) != 0)
		snprintf(out, 65, "error");
}

/* The integrity_check of the file at path, read with SQLite directly (no fault armed). */
static int integrity_ok(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int ok = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		ok = !strcmp((const char *)sqlite3_column_text(q, 0), "ok");
	sqlite3_finalize(q);
	sqlite3_close(db);
	return ok;
}

/* The indexes of a table, by name, as one string (a bulk load drops and rebuilds some). */
static void indexes(const char *path, const char *table, char *out, size_t n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	size_t len = 0;

	out[0] = '\0';
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db,
	                       "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
	                       " ORDER BY name",
	                       -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
		while (sqlite3_step(q) == SQLITE_ROW && len + 80 < n)
			len += (size_t)snprintf(out + len, n - len, "%s ",
			                        (const char *)sqlite3_column_text(q, 0));
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
}

typedef int (*import_fn)(struct cc_store *st, const char *file, struct cc_import_report *rep,
                         struct cc_err *err);

static int import_3w(struct cc_store *st, const char *file, struct cc_import_report *rep,
                     struct cc_err *err)
{
	return cc_import_3w(st, file,
	                    &(struct cc_import_opts){ .period_from = CC_DATE_NONE,
	                                              .period_to = CC_DATE_NONE,
	                                              .source = "partners" },
	                    rep, err);
}

static int import_events(struct cc_store *st, const char *file, struct cc_import_report *rep,
                         struct cc_err *err)
{
	return cc_import_events(st, file,
	                        &(struct cc_import_opts){ .level = -1,
	                                                  .period_from = CC_DATE_NONE,
	                                                  .period_to = CC_DATE_NONE },
	                        &(struct cc_events_opts){ .bulk_after = 10 }, rep, err);
}

static int import_iati(struct cc_store *st, const char *file, struct cc_import_report *rep,
                       struct cc_err *err)
{
	return cc_import_iati(st, file,
	                      &(struct cc_import_opts){ .level = -1,
	                                                .period_from = CC_DATE_NONE,
	                                                .period_to = CC_DATE_NONE },
	                      rep, err);
}

/* The store file's bytes, to start every run from the same store. */
struct pristine {
	char *bytes;
	size_t len;
};

static int keep(const char *path, struct pristine *p)
{
	FILE *f = fopen(path, "rb");
	long len;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(p->bytes = malloc((size_t)len)) || fread(p->bytes, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		return -1;
	}
	p->len = (size_t)len;
	return fclose(f);
}

static int restore(const char *path, const struct pristine *p)
{
	char side[200];
	FILE *f;

	snprintf(side, sizeof(side), "%s-wal", path);
	remove(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	remove(side);
	f = fopen(path, "wb");
	if (!f || fwrite(p->bytes, 1, p->len, f) != p->len) {
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

/*
 * Runs imp on file against the fixture store at name, failing the 1st, 2nd, … I/O call (each
 * run from the same store) until the import meets none. A failed import must leave the store
 * as it was; a fault SQLite absorbs must leave the import wholly stored. Returns the number of
 * faults injected, -1 after a failed check. *final: the report of the clean import; *absorbed:
 * faults after which the import still went through.
 */
static long every_io_fault(const char *name, int (*setup)(struct cc_store *), import_fn imp,
                           const char *file, const char *table, struct cc_import_report *final,
                           long *absorbed)
{
	char path[160], before[65], after[65], idx_before[1024], idx_after[1024];
	int64_t rows = -1, rows_absorbed[64];
	bool clean = false;
	struct cc_store *st = afg_fixture(name, 0, NULL, NULL, NULL);
	struct pristine pr = { 0 };
	struct cc_import_report rep;
	struct cc_err err;
	long n, faults = 0;
	int ret = -1;

	*absorbed = 0;
	if (!st)
		return -1;
	if (setup && !check_int(setup(st), ==, 0)) {
		cc_store_close(st);
		return -1;
	}
	digest(st, before);
	cc_store_close(st);
	tmp_path(name, path);
	indexes(path, table, idx_before, sizeof(idx_before));
	if (!check_int(keep(path, &pr), ==, 0) || !check_int(shim_install(), ==, 0)) {
		free(pr.bytes);
		return -1;
	}
	for (n = 1; n < 200000; n++) {
		st = NULL;
		memset(&err, 0, sizeof(err));
		if (!check_int(restore(path, &pr), ==, 0) ||
		    !check_int(cc_store_open(&st, path, &(struct cc_store_opts){ 0 }, &err), ==, 0))
			break;
		io_calls = 0;
		io_failed = 0;
		fail_at = n;
		ret = imp(st, file, &rep, &err);
		fail_at = -1;
		cc_store_close(st);
		if (io_failed == 0) {
			/* no call left to fail: the import went through untouched */
			if (check_int(ret, ==, 0)) {
				st = NULL;
				cc_store_open(&st, path, &(struct cc_store_opts){ 0 }, &err);
				cc_store_count(st, table, &rows, NULL);
				cc_store_close(st);
				*final = rep;
				clean = true;
			}
			break;
		}
		faults++;
		if (ret < 0 && (!check_int(ret, ==, CC_EIO) ||
		                !check(strstr(err.msg, "nothing of this transaction was stored")))) {
			char buf[512];

			printf("# I/O call %ld: %s\n", n, cc_err_format(&err, buf, sizeof(buf)));
			break;
		}
		if (ret < 0 && (n == 1 || n % 100 == 0)) {
			char buf[512];

			printf("# I/O call %ld failed: %s\n", n, cc_err_format(&err, buf, sizeof(buf)));
		}
		/* the store, opened again without faults: consistent, and unchanged after an
		 * error (after an absorbed fault: changed, checked against the clean run below) */
		st = NULL;
		if (!check_int(cc_store_open(&st, path, &(struct cc_store_opts){ 0 }, &err), ==, 0))
			break;
		digest(st, after);
		if (ret == 0 && *absorbed < 64)
			cc_store_count(st, table, &rows_absorbed[*absorbed], NULL);
		cc_store_close(st);
		indexes(path, table, idx_after, sizeof(idx_after));
		if (ret == 0) {
			(*absorbed)++;
			printf("# the fault at I/O call %ld was absorbed; the import went through\n", n);
			if (!check(strcmp(after, before) != 0))
				break;
		} else if (!check_str(after, before)) {
			printf("# after the fault at I/O call %ld\n", n);
			break;
		}
		if (!check(integrity_ok(path)) || !check_str(idx_after, idx_before)) {
			printf("# after the fault at I/O call %ld\n", n);
			break;
		}
	}
	free(pr.bytes);
	/* every absorbed fault left the import wholly stored: the rows of the clean run */
	for (long i = 0; clean && i < *absorbed && i < 64; i++)
		if (!check_int(rows_absorbed[i], ==, rows))
			return -1;
	return clean ? faults : -1;
}

TEST(every_io_fault_of_a_3w_import_leaves_the_store_unchanged)
{
	char file[512];
	struct cc_import_report rep = { 0 };
	long absorbed = 0;
	long faults = every_io_fault("io3w.db", NULL, import_3w, data("tests/data/3w/small.csv", file),
	                             "activity", &rep, &absorbed);

	printf("# %ld I/O faults injected one at a time, %ld absorbed by SQLite\n", faults,
	       absorbed);
	check(faults > 20); /* the import does I/O: faults really were injected */
	check_int(rep.n_added, ==, 8);
}

/*
 * The UCDP excerpt three times over, each copy's event ids moved by a million (copies are new
 * events to the importer): big enough (250 KB) for the importer to weigh a bulk load after a
 * few rows. Record starts are found outside quotes, so quoted line breaks stay inside a row.
 */
static int tripled(const char *src, const char *dst)
{
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	static char buf[1 << 20];
	size_t n = 0, body;
	int ret = -1;

	if (in && out && (n = fread(buf, 1, sizeof(buf) - 1, in)) > 0 && feof(in)) {
		buf[n] = '\0';
		body = (size_t)(strchr(buf, '\n') - buf) + 1;
		fwrite(buf, 1, body, out);
		for (int k = 1; k <= 3; k++) {
			bool quoted = false, start = true;

			for (size_t i = body; i < n; i++) {
				if (start && buf[i] >= '0' && buf[i] <= '9')
					fprintf(out, "%d", k);
				start = false;
				if (buf[i] == '"')
					quoted = !quoted;
				else if (buf[i] == '\n' && !quoted)
					start = true;
				fputc(buf[i], out);
			}
		}
		ret = 0;
	}
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		ret = -1;
	return ret;
}

TEST(every_io_fault_of_a_bulk_events_import_leaves_the_store_unchanged)
{
	char src[512], file[160];
	struct cc_import_report rep = { 0 };
	long absorbed = 0;
	long faults;

	if (!check_int(tripled(data("tests/data/events/ucdp_ged_v23_1_afg.csv", src),
	                       tmp_path("ucdp3.csv", file)),
	               ==, 0))
		return;
	faults = every_io_fault("ioev.db", NULL, import_events, file, "incident", &rep, &absorbed);

	printf("# %ld I/O faults injected one at a time, %ld absorbed by SQLite\n", faults,
	       absorbed);
	check(faults > 20);
	check_int(rep.n_added, ==, 3 * 135); /* the Afghan events of the excerpt (data MANIFEST) */
	check(rep.bulk_load);             /* the indexes were dropped and rebuilt */
}

TEST(every_io_fault_of_an_iati_import_leaves_the_store_unchanged)
{
	char file[512];
	struct cc_import_report rep = { 0 };
	long absorbed = 0;
	long faults = every_io_fault("ioiati.db", NULL, import_iati,
	                             data("tests/data/iati/mixed_versions.xml", file), "activity",
	                             &rep, &absorbed);

	printf("# %ld I/O faults injected one at a time, %ld absorbed by SQLite\n", faults,
	       absorbed);
	check(faults > 20);
	/* the file's 7 activities, each added or rejected (which depends on the mission) */
	check_int(rep.n_read, ==, 7);
	check_int(rep.n_added + rep.n_rejected, ==, 7);
	check(rep.n_added > 0);
}

/* ---- API requests ---- */

/* The editor the requests come from, made by api_setup in the fixture (same ids in every run). */
static struct cc_principal editor;

static int api_setup(struct cc_store *st)
{
	struct cc_mission m;
	struct cc_org org = { .key = "local:AADA", .name = "AADA", .is_local = 1 };
	struct cc_user u;
	struct cc_err err = { 0 };
	char hex[CC_TOKEN_HEX];
	int64_t id;
	int ret = cc_store_get_mission(st, "AFG", &m, &err);

	org.mission_id = m.id;
	if (ret == 0)
		ret = cc_store_put_org(st, &org, &err);
	if (ret == 0)
		ret = cc_auth_add_user(st,
		                       &(struct cc_user_spec){ .org = "local:AADA",
		                                               .name = "editor",
		                                               .role = CC_ROLE_EDITOR },
		                       &u, &err);
	if (ret == 0)
		ret = cc_auth_create_token(st, u.id, 0, 0, hex, &id, &err);
	if (ret == 0)
		ret = cc_auth_check_token(st, hex, 0, &editor, &err);
	if (ret != 0)
		printf("# api setup: %s\n", err.msg);
	return ret;
}

/*
 * Calls the handler of method path as the editor with body (JSON text, or the raw bytes of
 * the file at body for an upload); rep->n_added counts the record written (or the upload's).
 */
static int api_call(struct cc_store *st, const char *method, const char *path, const char *body,
                    bool upload, struct cc_import_report *rep, struct cc_err *err)
{
	struct cc__req req = { .method = method, .path = path, .st = st, .who = &editor };
	struct cc_buf allow = CC_BUF_INIT(64), out = CC_BUF_INIT(0);
	const struct cc__route *r;
	char *raw = NULL;
	bool known;
	int ret;

	memset(rep, 0, sizeof(*rep));
	r = cc__route_find(method, path, &req, &known, &allow);
	cc_buf_release(&allow);
	if (!r)
		return cc_err_set(err, CC_ENOTFOUND, "no route %s %s", method, path);
	if (upload) {
		FILE *f = fopen(body, "rb");
		long len = -1;

		if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
		    fseek(f, 0, SEEK_SET) == 0 && (raw = malloc((size_t)len)) &&
		    fread(raw, 1, (size_t)len, f) == (size_t)len) {
			req.raw = raw;
			req.raw_len = (size_t)len;
		}
		if (f)
			fclose(f);
		if (!req.raw) {
			free(raw);
			return cc_err_set(err, CC_EIO, "cannot read %s", body);
		}
	} else if (!(req.body = json_loads(body, 0, NULL))) {
		return cc_err_set(err, CC_EINVALID, "bad JSON in the test");
	}
	ret = r->run(&req, &out, err);
	if (ret == 0) {
		json_t *j = json_loadb(out.buf, out.len, 0, NULL);
		json_t *added = json_object_get(j, "added");

		/* a created record answers itself (its id); an upload answers its counts */
		rep->n_added = added ? (size_t)json_integer_value(added)
		                     : json_integer_value(json_object_get(j, "id")) > 0;
		json_decref(j);
	}
	json_decref(req.body);
	cc_buf_release(&out);
	free(raw);
	return ret;
}

static int post_activity(struct cc_store *st, const char *body, struct cc_import_report *rep,
                         struct cc_err *err)
{
	return api_call(st, "POST", "/api/activities", body, false, rep, err);
}

static int post_feedback(struct cc_store *st, const char *body, struct cc_import_report *rep,
                         struct cc_err *err)
{
	return api_call(st, "POST", "/api/feedback", body, false, rep, err);
}

static int upload_3w(struct cc_store *st, const char *file, struct cc_import_report *rep,
                     struct cc_err *err)
{
	return api_call(st, "POST", "/api/imports/3w", file, true, rep, err);
}

TEST(every_io_fault_of_an_api_write_leaves_the_store_unchanged)
{
	static const char activity[] =
	        "{\"sector\": \"WASH\", \"area\": \"AF0101\", \"title\": \"Water trucking\","
	        " \"start\": \"2021-07-01\", \"end\": \"2021-09-30\", \"targeted\": 6000,"
	        " \"budget\": 50000, \"currency\": \"USD\", \"lat\": 34.5, \"lon\": 69.2}";
	static const char feedback[] =
	        "{\"date\": \"2024-01-05\", \"area\": \"AF01\", \"channel\": \"hotline\","
	        " \"text\": \"The water point in the camp is broken\", \"sentiment\": \"negative\"}";
	struct cc_import_report rep = { 0 };
	long absorbed = 0, faults;

	faults = every_io_fault("ioapia.db", api_setup, post_activity, activity, "activity", &rep,
	                        &absorbed);
	printf("# POST /api/activities: %ld I/O faults injected one at a time, %ld absorbed\n",
	       faults, absorbed);
	check(faults > 10);
	check_int(rep.n_added, ==, 1);

	faults = every_io_fault("ioapif.db", api_setup, post_feedback, feedback, "feedback", &rep,
	                        &absorbed);
	printf("# POST /api/feedback: %ld I/O faults injected one at a time, %ld absorbed\n",
	       faults, absorbed);
	check(faults > 10);
	check_int(rep.n_added, ==, 1);
}

TEST(every_io_fault_of_an_api_upload_leaves_the_store_unchanged)
{
	char file[512];
	struct cc_import_report rep = { 0 };
	long absorbed = 0;
	long faults = every_io_fault("ioapiu.db", api_setup, upload_3w,
	                             data("tests/data/3w/small.csv", file), "activity", &rep,
	                             &absorbed);

	printf("# POST /api/imports/3w: %ld I/O faults injected one at a time, %ld absorbed\n",
	       faults, absorbed);
	check(faults > 20);
	check_int(rep.n_added, ==, 8); /* as the same file imported from the command line */
}
