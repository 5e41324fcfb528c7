/*
 * The events domain on PostgreSQL: incidents (migration pg/0002), partitioned by the year of
 * their first day, with incident_key, one row per (source, source id), as the unique key that a
 * partitioned table cannot have (docs/postgres.md, "Incidents").
 *
 * Writes. An events file brings up to millions of rows, so a put does not cost a round trip.
 * Inside a write transaction the puts are held (cc__pg_hold): the first put of a transaction
 * takes the incidents' lock (an advisory lock every writer of the table takes, held to the end
 * of the transaction), the highest id and the years that have a partition. Each put is then
 * decided in C against a table in memory of the keys it has seen: the first few of a source
 * are looked up one by one (so that one write through the API does not read a whole source),
 * then all the source's keys are read at once, a page at a time. The answer (added, updated,
 * unchanged, or a duplicate of an earlier line of the same batch) is SQLite's; a new incident
 * takes the next id, as SQLite gives a rowid. The rows wait as COPY text and go 10,000 at a
 * time (and the rest before the next statement that is not a read, such as the change log or
 * the COMMIT, or a read of this domain): the partitions of the new years first, then the new
 * incidents by COPY straight into incident (the server routes each row to its partition) and
 * their keys into incident_key, and the changed ones by COPY into a temporary table of the
 * transaction and one UPDATE … FROM of each table (a date that changes its year moves the row
 * to that year's partition).
 *
 * Reads stream, so that neither a big exposure window nor an export sits in one result: the
 * exposure window (bulk: most incidents for per-site windows) as one binary COPY, its numbers
 * decoded here from network order (nothing printed by the server and parsed here, no round trip
 * a page), the export through a cursor, a page at a time. Who may see an incident is decided
 * in C by cc_visible(), from the row's marking, as the other PostgreSQL reads do.
 *
 * Every statement is unnamed and the temporary table and cursor live within one transaction,
 * so a pooler in transaction mode (pgbouncer) may stand between.
 */
#include "store/ops_events.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/text.h>
#include <concord/visibility.h>

#include "store/postgres_int.h"

#include "core/banned.h"

/* every writer of incidents holds it (transaction-scoped) */
#define LOCK_INCIDENT "SELECT pg_advisory_xact_lock(4242010)"
/* held rows are sent when there are this many, or this many bytes of them */
#define SEND_ROWS  10000
#define SEND_BYTES (8u << 20)
/* puts of a source looked up one by one before all its keys are read */
#define LOOKUPS 32
/* rows of a read fetched at once */
#define PAGE 20000
/* the years a partition may be made for */
#define YEAR_MIN 1
#define YEAR_MAX 9999

/* ---- held writes ---- */

struct evkey {
	int64_t id;
	int64_t batch;            /* the batch that last wrote it */
	long line;                /* its line in that batch, when line_known */
	int32_t year;             /* the year of its date as it will be stored */
	int32_t db_year;          /* the year of its date on the server (when stored) */
	int32_t pend;             /* its held row, -1 none */
	bool stored;              /* on the server (else only held) */
	bool line_known;
	unsigned char digest[16]; /* as it will be stored */
};

struct pend {
	size_t off, len;   /* its line of incident_in in rows */
	size_t koff, klen; /* a new incident's line of incident_key in key_rows */
	size_t key;        /* alive while keys[key].pend is this row */
	bool insert;       /* a new incident, else a change */
};

struct ev_held {
	int64_t next_id;
	struct evkey *keys;
	size_t n_keys, cap_keys;
	struct cc_map map; /* "source\x1fsource_id" → index in keys */
	bool loaded[2];    /* acled, ucdp: every key of the source is in the map */
	int lookups[2];
	struct cc_buf rows;     /* COPY text of the held rows (incident_in) */
	struct cc_buf key_rows; /* COPY text of the new incidents' keys (incident_key) */
	struct pend *pend;
	size_t n_pend, cap_pend;
	unsigned char parts[YEAR_MAX / 8 + 1]; /* years that have a partition */
	struct cc_buf key;                     /* scratch: a map key */
};

static void drop_held(void *p)
{
	struct ev_held *h = p;

	if (!h)
		return;
	cc_free(h->keys);
	cc_map_release(&h->map);
	cc_buf_release(&h->rows);
	cc_buf_release(&h->key_rows);
	cc_free(h->pend);
	cc_buf_release(&h->key);
	cc_free(h);
}

static int send_held(struct cc_store *st, struct ev_held *h, struct cc_err *err);

static int flush_held(struct cc_store *st, void *p, struct cc_err *err)
{
	return send_held(st, p, err);
}

static const struct cc__pg_holder holder = { .flush = flush_held, .drop = drop_held };

static int src_index(const char *source)
{
	return strcmp(source, "ucdp") == 0;
}

static int year_of(int32_t date)
{
	int y, m, d;

	cc_date_to_ymd(date, &y, &m, &d);
	return y;
}

static bool has_part(const struct ev_held *h, int y)
{
	return (h->parts[y / 8] >> (y % 8)) & 1;
}

static void set_part(struct ev_held *h, int y)
{
	h->parts[y / 8] |= (unsigned char)(1u << (y % 8));
}

static int hex_digest(const char *hex, unsigned char out[16])
{
	memset(out, 0, 16);
	if (strlen(hex) != 32)
		return -1;
	for (int i = 0; i < 32; i++) {
		char c = hex[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (v < 0)
			return -1;
		out[i / 2] = (unsigned char)(out[i / 2] | (i % 2 ? v : v << 4));
	}
	return 0;
}

/* The handle's held incidents, begun when there are none: the lock, the next id, the years. */
static int held_state(struct cc_store *st, struct ev_held **out, struct cc_err *err)
{
	struct ev_held *h = cc__pg_held(st, &holder);
	PGresult *res = NULL, *parts = NULL;
	int ret;

	*out = h;
	if (h)
		return 0;
	if ((ret = cc__pg_exec(st, LOCK_INCIDENT, NULL, false, NULL, err)) < 0 ||
	    (ret = cc__pg_exec(st, "SELECT coalesce(max(id), 0) FROM incident_key", NULL, false,
	                       &res, err)) < 0 ||
	    (ret = cc__pg_exec(st,
	                       "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = "
	                       "i.inhrelid WHERE i.inhparent = 'incident'::regclass",
	                       NULL, false, &parts, err)) < 0)
		goto out_clear;
	if (!(h = cc_alloc_array(1, sizeof(*h)))) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_clear;
	}
	h->next_id = cc__pg_col_i64(res, 0, 0) + 1;
	h->rows = (struct cc_buf)CC_BUF_INIT(SEND_BYTES * 2 + (1u << 20));
	h->key_rows = (struct cc_buf)CC_BUF_INIT(SEND_BYTES * 2 + (1u << 20));
	h->key = (struct cc_buf)CC_BUF_INIT(0);
	for (int r = 0; r < PQntuples(parts); r++) {
		const char *name = PQgetvalue(parts, r, 0);
		long y;

		if (strncmp(name, "incident_y", 10) != 0)
			continue;
		y = strtol(name + 10, NULL, 10);
		if (y >= YEAR_MIN && y <= YEAR_MAX)
			set_part(h, (int)y);
	}
	if ((ret = cc__pg_hold(st, &holder, h, err)) < 0)
		goto out_clear; /* h dropped by the hold */
	*out = h;
out_clear:
	PQclear(res);
	PQclear(parts);
	return ret;
}

/* The map key of (source, source_id) in h->key. */
static int map_key(struct ev_held *h, const char *source, const char *source_id)
{
	cc_buf_clear(&h->key);
	return cc_buf_addf(&h->key, "%s\x1f%s", source, source_id);
}

/* Adds a key; *idx its index. 0 or CC_ENOMEM. */
static int add_key(struct ev_held *h, const char *source, const char *source_id,
                   const struct evkey *k, size_t *idx)
{
	if (map_key(h, source, source_id) < 0 ||
	    cc__grow((void **)&h->keys, &h->cap_keys, h->n_keys, sizeof(*h->keys)) < 0 ||
	    cc_map_put(&h->map, h->key.buf, (int64_t)h->n_keys) < 0)
		return CC_ENOMEM;
	h->keys[h->n_keys] = *k;
	*idx = h->n_keys++;
	return 0;
}

/* A stored key from columns c … c + 3 of row r: id, year, hex digest, batch. */
static int stored_key(const PGresult *res, int r, int c, struct evkey *k, struct cc_err *err)
{
	*k = (struct evkey){ .id = cc__pg_col_i64(res, r, c),
		             .year = (int32_t)cc__pg_col_i64(res, r, c + 1),
		             .batch = cc__pg_col_i64(res, r, c + 3),
		             .pend = -1,
		             .stored = true };
	k->db_year = k->year;
	if (hex_digest(cc__pg_cstr(res, r, c + 2), k->digest) < 0)
		return cc_err_set(err, CC_ESTORE, "incident %lld has a bad digest",
		                  (long long)k->id);
	return 0;
}

/* Reads every stored key of source into the map, a page at a time (known keys kept). */
static int load_source(struct cc_store *st, struct ev_held *h, const char *source,
                       struct cc_err *err)
{
	char *after = NULL;
	int ret = 0, n;

	do {
		struct cc__pg_params p = CC__PG_PARAMS_INIT;
		PGresult *res = NULL;

		cc__pg_str(&p, source);
		cc__pg_str(&p, after ? after : "");
		cc__pg_i64(&p, PAGE);
		ret = cc__pg_exec(st,
		                  "SELECT source_id, id, year, encode(digest, 'hex'), batch FROM "
		                  "incident_key WHERE source = $1 AND source_id > $2 ORDER BY "
		                  "source_id LIMIT $3",
		                  &p, false, &res, err);
		if (ret < 0)
			break;
		n = PQntuples(res);
		for (int r = 0; r < n && ret == 0; r++) {
			const char *sid = PQgetvalue(res, r, 0);
			struct evkey k;
			int64_t v;
			size_t idx;

			if (map_key(h, source, sid) < 0) {
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
				break;
			}
			if (cc_map_get(&h->map, h->key.buf, &v) == 0)
				continue; /* seen in this transaction: what the map says is newer */
			if ((ret = stored_key(res, r, 1, &k, err)) < 0)
				break;
			if (add_key(h, source, sid, &k, &idx) < 0)
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		}
		cc_free(after);
		after = NULL;
		if (ret == 0 && n > 0 && !(after = cc_strdup(PQgetvalue(res, n - 1, 0))))
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		PQclear(res);
		if (n < PAGE)
			break;
	} while (ret == 0);
	cc_free(after);
	if (ret == 0)
		h->loaded[src_index(source)] = true;
	return ret;
}

/* Finds (source, source_id): 0 found (*idx), 1 not stored, or an error. */
static int find_key(struct cc_store *st, struct ev_held *h, const char *source,
                    const char *source_id, size_t *idx, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int s = src_index(source), ret;
	struct evkey k;
	int64_t v;

	if (map_key(h, source, source_id) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if (cc_map_get(&h->map, h->key.buf, &v) == 0) {
		*idx = (size_t)v;
		return 0;
	}
	if (h->loaded[s])
		return 1;
	if (++h->lookups[s] > LOOKUPS) {
		if ((ret = load_source(st, h, source, err)) < 0)
			return ret;
		return find_key(st, h, source, source_id, idx, err);
	}
	cc__pg_str(&p, source);
	cc__pg_str(&p, source_id);
	ret = cc__pg_exec(st,
	                  "SELECT id, year, encode(digest, 'hex'), batch FROM incident_key WHERE "
	                  "source = $1 AND source_id = $2",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) < 1) {
		PQclear(res);
		return 1;
	}
	ret = stored_key(res, 0, 0, &k, err);
	PQclear(res);
	if (ret < 0)
		return ret;
	if (add_key(h, source, source_id, &k, idx) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	return 0;
}

/* ---- the COPY text of a row ---- */

static int enc_null(struct cc_buf *b)
{
	return cc_buf_adds(b, "\\N\t");
}

/* Text: "" and NULL as NULL; backslash, tab, newline and carriage return escaped. */
static int enc_text(struct cc_buf *b, const char *v)
{
	int ret = 0;

	if (!v || !*v)
		return enc_null(b);
	for (; *v && ret == 0; v++) {
		switch (*v) {
		case '\\':
			ret = cc_buf_adds(b, "\\\\");
			break;
		case '\t':
			ret = cc_buf_adds(b, "\\t");
			break;
		case '\n':
			ret = cc_buf_adds(b, "\\n");
			break;
		case '\r':
			ret = cc_buf_adds(b, "\\r");
			break;
		default:
			ret = cc_buf_addch(b, *v);
			break;
		}
	}
	return ret < 0 ? ret : cc_buf_addch(b, '\t');
}

static int enc_i64(struct cc_buf *b, int64_t v)
{
	return cc_buf_addf(b, "%lld\t", (long long)v);
}

/* 0 as NULL */
static int enc_i64_0(struct cc_buf *b, int64_t v)
{
	return v ? enc_i64(b, v) : enc_null(b);
}

/* NAN as NULL; 17 significant digits: the same double on the server */
static int enc_num(struct cc_buf *b, double v)
{
	if (isnan(v))
		return enc_null(b);
	if (isinf(v))
		return cc_buf_adds(b, v > 0 ? "Infinity\t" : "-Infinity\t");
	return cc_buf_addf(b, "%.17g\t", v);
}

/*
 * The row of incident_in (SEND_COLS) for inc as key k: op 'i' inserts, 'u' updates the row
 * whose date is in [lo, hi), the bounds of its year on the server.
 */
static int encode(struct cc_buf *b, const struct cc_incident *inc, const struct evkey *k,
                  int64_t batch)
{
	char hex[33];
	int ret;

	cc_hex(inc->digest, sizeof(inc->digest), hex);
	if (k->stored)
		ret = cc_buf_addf(b, "u\t%d\t%d\t", cc_date_from_ymd(k->db_year, 1, 1),
		                  cc_date_from_ymd(k->db_year + 1, 1, 1));
	else
		ret = cc_buf_adds(b, "i\t\\N\t\\N\t");
	if (ret < 0 || (ret = enc_i64(b, k->year)) < 0 || (ret = enc_i64(b, k->id)) < 0 ||
	    (ret = enc_text(b, inc->source)) < 0 || (ret = enc_text(b, inc->source_id)) < 0 ||
	    (ret = enc_i64(b, inc->date)) < 0 || (ret = enc_i64(b, inc->date_end)) < 0 ||
	    (ret = enc_i64_0(b, inc->date_prec)) < 0 || (ret = enc_text(b, inc->type)) < 0 ||
	    (ret = enc_text(b, inc->sub_type)) < 0 || (ret = enc_text(b, inc->actor1)) < 0 ||
	    (ret = enc_text(b, inc->actor2)) < 0 || (ret = enc_num(b, inc->lat)) < 0 ||
	    (ret = enc_num(b, inc->lon)) < 0 || (ret = enc_i64_0(b, inc->geo_prec)) < 0 ||
	    (ret = enc_i64_0(b, inc->area_id)) < 0 || (ret = enc_num(b, inc->fatalities)) < 0 ||
	    (ret = enc_num(b, inc->fat_low)) < 0 || (ret = enc_num(b, inc->fat_high)) < 0 ||
	    (ret = enc_i64_0(b, inc->revised)) < 0 || (ret = enc_text(b, inc->notes)) < 0 ||
	    (ret = cc_buf_addf(b, "\\\\x%s\t", hex)) < 0 || (ret = enc_i64(b, batch)) < 0 ||
	    (ret = cc_buf_addf(b, "%ld\n", inc->line)) < 0)
		return ret;
	return 0;
}

/* The line of incident_key (KEY_COLS) of a new incident. */
static int encode_key(struct cc_buf *b, const struct cc_incident *inc, const struct evkey *k,
                      int64_t batch)
{
	char hex[33];
	int ret;

	cc_hex(inc->digest, sizeof(inc->digest), hex);
	if ((ret = enc_text(b, inc->source)) < 0 || (ret = enc_text(b, inc->source_id)) < 0 ||
	    (ret = enc_i64(b, k->id)) < 0 || (ret = enc_i64(b, k->year)) < 0 ||
	    (ret = cc_buf_addf(b, "\\\\x%s\t%lld\n", hex, (long long)batch)) < 0)
		return ret;
	return 0;
}

/* ---- sending the held rows ---- */

#define DATA_COLS                                                                             \
	"id, source, source_id, date, date_end, date_prec, type, sub_type, actor1, actor2, lat, " \
	"lon, geo_prec, area_id, fatalities, fat_low, fat_high, revised, notes, digest, batch, "  \
	"line"
#define KEY_COLS "source, source_id, id, year, digest, batch"

/* The partition of year y: made like the parent, then attached (docs/postgres.md). */
static int make_partition(struct cc_store *st, int y, struct cc_err *err)
{
	char sql[256];
	int ret;

	snprintf(sql, sizeof(sql),
	         "CREATE TABLE incident_y%04d (LIKE incident INCLUDING DEFAULTS INCLUDING "
	         "CONSTRAINTS)",
	         y);
	if ((ret = cc__pg_exec(st, sql, NULL, false, NULL, err)) < 0)
		return ret;
	snprintf(sql, sizeof(sql),
	         "ALTER TABLE incident ATTACH PARTITION incident_y%04d FOR VALUES FROM (%d) TO (%d)",
	         y, cc_date_from_ymd(y, 1, 1), cc_date_from_ymd(y + 1, 1, 1));
	return cc__pg_exec(st, sql, NULL, false, NULL, err);
}

enum { COPY_CHANGES, COPY_NEW, COPY_NEW_KEYS };

/* The start of DATA_COLS in a line of incident_in: after op, lo, hi and year. */
static size_t data_start(const char *line, size_t len)
{
	size_t i = 0;

	for (int tabs = 0; i < len && tabs < 4; i++)
		if (line[i] == '\t')
			tabs++;
	return i;
}

/*
 * COPY (sql) of live held rows: the changes into incident_in, the new incidents into incident
 * (DATA_COLS of their line of incident_in) or their keys into incident_key.
 */
static int copy_in(struct cc_store *st, struct ev_held *h, const char *sql, int what,
                   struct cc_err *err)
{
	PGconn *c = cc__pg_conn(st);
	PGresult *res = PQexec(c, sql);
	bool failed = false;
	int ret = 0;

	if (!res)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		ret = cc__pg_error(st, res, err);
		PQclear(res);
		return ret;
	}
	PQclear(res);
	for (size_t i = 0; i < h->n_pend && !failed; i++) {
		const struct pend *p = &h->pend[i];
		const char *line = h->rows.buf + p->off;
		size_t skip = 0;

		if (h->keys[p->key].pend != (int32_t)i || p->insert != (what != COPY_CHANGES))
			continue;
		if (what == COPY_NEW_KEYS) {
			failed = PQputCopyData(c, h->key_rows.buf + p->koff, (int)p->klen) != 1;
			continue;
		}
		if (what == COPY_NEW)
			skip = data_start(line, p->len);
		failed = PQputCopyData(c, line + skip, (int)(p->len - skip)) != 1;
	}
	if (PQputCopyEnd(c, failed ? "sending the rows failed" : NULL) != 1)
		failed = true;
	while ((res = PQgetResult(c))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && ret == 0)
			ret = cc__pg_error(st, res, err);
		PQclear(res);
	}
	if (ret == 0 && failed)
		ret = cc_err_set(err, CC_EIO, "PostgreSQL: %s", PQerrorMessage(c));
	return ret;
}

/* Runs sql, which must change want rows. */
static int exec_n(struct cc_store *st, const char *sql, int64_t want, struct cc_err *err)
{
	PGresult *res = NULL;
	int64_t got;
	int ret;

	if ((ret = cc__pg_exec(st, sql, NULL, false, &res, err)) < 0)
		return ret;
	got = cc__pg_changes(res);
	PQclear(res);
	if (got != want)
		return cc_err_set(err, CC_ESTORE,
		                  "incidents: %lld rows written where %lld were expected",
		                  (long long)got, (long long)want);
	return 0;
}

/*
 * Sends every live held row (the holder let go of them: these statements must not flush them
 * again) and empties the held rows; the keys stay, now stored.
 */
static int send_held(struct cc_store *st, struct ev_held *h, struct cc_err *err)
{
	PGresult *res = NULL;
	int64_t n_ins = 0, n_upd = 0;
	int ret = 0;

	for (size_t i = 0; i < h->n_pend && ret == 0; i++) {
		const struct evkey *k = &h->keys[h->pend[i].key];

		if (k->pend != (int32_t)i)
			continue;
		if (h->pend[i].insert)
			n_ins++;
		else
			n_upd++;
		if (!has_part(h, k->year)) {
			if ((ret = make_partition(st, k->year, err)) == 0)
				set_part(h, k->year);
		}
	}
	if (ret < 0 || n_ins + n_upd == 0)
		goto out_clear;
	/* new incidents straight into their partitions, and their keys */
	if (n_ins && ((ret = copy_in(st, h, "COPY incident (" DATA_COLS ") FROM STDIN", COPY_NEW,
	                             err)) < 0 ||
	              (ret = copy_in(st, h, "COPY incident_key (" KEY_COLS ") FROM STDIN",
	                             COPY_NEW_KEYS, err)) < 0))
		goto out_clear;
	if (!n_upd)
		goto out_stored;
	/* changes through a temporary table of this transaction */
	ret = cc__pg_exec(st, "SELECT to_regclass('pg_temp.incident_in') IS NULL", NULL, false, &res,
	                  err);
	if (ret == 0 && cc__pg_col_i64(res, 0, 0))
		ret = cc__pg_exec(st,
		                  "CREATE TEMP TABLE incident_in (op text, lo integer, hi integer, "
		                  "year integer, id bigint, source text COLLATE \"C\", source_id text "
		                  "COLLATE \"C\", date integer, date_end integer, date_prec integer, "
		                  "type text COLLATE \"C\", sub_type text COLLATE \"C\", actor1 text "
		                  "COLLATE \"C\", actor2 text COLLATE \"C\", lat double precision, lon "
		                  "double precision, geo_prec integer, area_id bigint, fatalities "
		                  "double precision, fat_low double precision, fat_high double "
		                  "precision, revised bigint, notes text COLLATE \"C\", digest bytea, "
		                  "batch bigint, line bigint) ON COMMIT DROP",
		                  NULL, false, NULL, err);
	PQclear(res);
	if (ret < 0 || (ret = copy_in(st, h, "COPY incident_in FROM STDIN", COPY_CHANGES, err)) < 0 ||
	    (ret = cc__pg_exec(st, "ANALYZE incident_in", NULL, false, NULL, err)) < 0)
		goto out_clear;
	/* an update whose date moves to another year moves the row to that year's partition */
	if ((ret = exec_n(st,
	                  "UPDATE incident i SET date = n.date, date_end = n.date_end, date_prec "
	                  "= n.date_prec, type = n.type, sub_type = n.sub_type, actor1 = n.actor1, "
	                  "actor2 = n.actor2, lat = n.lat, lon = n.lon, geo_prec = n.geo_prec, "
	                  "area_id = n.area_id, fatalities = n.fatalities, fat_low = n.fat_low, "
	                  "fat_high = n.fat_high, revised = n.revised, notes = n.notes, digest = "
	                  "n.digest, batch = n.batch, line = n.line FROM incident_in n WHERE n.op "
	                  "= 'u' AND i.id = n.id AND i.date >= n.lo AND i.date < n.hi AND "
	                  "i.source = n.source AND i.source_id = n.source_id",
	                  n_upd, err)) < 0 ||
	    (ret = exec_n(st,
	                  "UPDATE incident_key k SET year = n.year, digest = n.digest, batch = "
	                  "n.batch FROM incident_in n WHERE n.op = 'u' AND k.source = n.source AND "
	                  "k.source_id = n.source_id AND k.id = n.id",
	                  n_upd, err)) < 0)
		goto out_clear;
	ret = cc__pg_exec(st, "TRUNCATE incident_in", NULL, false, NULL, err);
out_stored:
	for (size_t i = 0; i < h->n_pend && ret == 0; i++) {
		struct evkey *k = &h->keys[h->pend[i].key];

		if (k->pend != (int32_t)i)
			continue;
		k->stored = true;
		k->db_year = k->year;
	}
out_clear:
	for (size_t i = 0; i < h->n_pend; i++)
		h->keys[h->pend[i].key].pend = -1;
	h->n_pend = 0;
	cc_buf_clear(&h->rows);
	cc_buf_clear(&h->key_rows);
	return ret;
}

/* ---- put ---- */

static int put_incident(struct cc_store *st, struct cc_incident *inc, int64_t batch,
                        enum cc_put_result *res_out, struct cc_err *err)
{
	int y = year_of(inc->date), ret;
	struct ev_held *h = NULL;
	struct evkey *k;
	size_t idx, off, koff;

	if (y < YEAR_MIN || y > YEAR_MAX)
		return cc_err_set(err, CC_EINVALID, "incident '%s': year %d is out of range",
		                  inc->source_id, y);
	if ((ret = held_state(st, &h, err)) < 0 ||
	    (ret = find_key(st, h, inc->source, inc->source_id, &idx, err)) < 0)
		return ret;
	if (ret == 0) {
		k = &h->keys[idx];
		inc->id = k->id;
		if (batch && k->batch == batch) {
			/* written by this very batch: an id repeated within the import */
			if (!k->line_known) {
				struct cc__pg_params p = CC__PG_PARAMS_INIT;
				PGresult *res = NULL;

				cc__pg_i64(&p, k->id);
				cc__pg_i64(&p, cc_date_from_ymd(k->db_year, 1, 1));
				cc__pg_i64(&p, cc_date_from_ymd(k->db_year + 1, 1, 1));
				if ((ret = cc__pg_exec(st,
				                       "SELECT line FROM incident WHERE id = $1 AND date "
				                       ">= $2 AND date < $3",
				                       &p, false, &res, err)) < 0)
					return ret;
				k->line = PQntuples(res) ? (long)cc__pg_col_i64(res, 0, 0) : 0;
				k->line_known = true;
				PQclear(res);
			}
			inc->line = k->line;
			*res_out = CC_PUT_DUPLICATE;
			return 0;
		}
		if (memcmp(k->digest, inc->digest, sizeof(k->digest)) == 0) {
			*res_out = CC_PUT_UNCHANGED;
			return 0;
		}
		*res_out = CC_PUT_UPDATED;
	} else {
		struct evkey n = { .id = h->next_id, .pend = -1 };

		if (add_key(h, inc->source, inc->source_id, &n, &idx) < 0)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		k = &h->keys[idx];
		inc->id = h->next_id++;
		*res_out = CC_PUT_ADDED;
	}
	memcpy(k->digest, inc->digest, sizeof(k->digest));
	k->batch = batch;
	k->line = inc->line;
	k->line_known = true;
	k->year = y;
	off = h->rows.len;
	koff = h->key_rows.len;
	if (cc__grow((void **)&h->pend, &h->cap_pend, h->n_pend, sizeof(*h->pend)) < 0 ||
	    encode(&h->rows, inc, k, batch) < 0 ||
	    (!k->stored && encode_key(&h->key_rows, inc, k, batch) < 0))
		return cc_err_set(err, CC_ENOMEM, "incident '%s': out of memory", inc->source_id);
	/* a row held earlier for the same incident is superseded by this one */
	h->pend[h->n_pend] = (struct pend){ .off = off,
		                            .len = h->rows.len - off,
		                            .koff = koff,
		                            .klen = h->key_rows.len - koff,
		                            .key = idx,
		                            .insert = !k->stored };
	k->pend = (int32_t)h->n_pend++;
	if (h->n_pend < SEND_ROWS && h->rows.len + h->key_rows.len < SEND_BYTES)
		return 0;
	/* its own statements must not flush it again: let go, send, hold on */
	cc__pg_unhold(st, &holder);
	if ((ret = send_held(st, h, err)) < 0) {
		drop_held(h);
		return ret;
	}
	return cc__pg_hold(st, &holder, h, err);
}

static int pg_put_incident(struct cc_store *st, struct cc_incident *inc, int64_t batch,
                           enum cc_put_result *res_out, struct cc_err *err)
{
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = put_incident(st, inc, batch, res_out, err);
	/* a write of its own sends its row now */
	if (own && ret == 0)
		ret = cc__pg_flush(st, err);
	return cc__pg_tx_leave(st, own, ret, err);
}

/* ---- reads ---- */

static int pg_count_incidents(struct cc_store *st, const char *source, int64_t *n_out,
                              struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0)
		return ret;
	cc__pg_text(&p, source);
	ret = cc__pg_exec(st,
	                  "SELECT count(*) FROM incident_key WHERE $1::text IS NULL OR source = $1",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	*n_out = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

/*
 * The last day of the latest incident, through the two indexes of the window read: an event of
 * at most 31 days ends at most 31 days after the latest first day; the longer ones are in the
 * partial index by last day.
 */
static int pg_latest_incident(struct cc_store *st, int32_t *date_out, struct cc_err *err)
{
	PGresult *res = NULL;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0 ||
	    (ret = cc__pg_exec(st,
	                       "SELECT greatest((SELECT max(date_end) FROM incident WHERE "
	                       "date_end - date > 31), (SELECT max(date_end) FROM incident WHERE "
	                       "date >= (SELECT max(date) FROM incident) - 31))",
	                       NULL, false, &res, err)) < 0)
		return ret;
	if (cc__pg_col_null(res, 0, 0))
		ret = cc_err_set(err, CC_ENOTFOUND, "no incidents stored");
	else
		*date_out = (int32_t)cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	return ret;
}

typedef int row_fn(void *ctx, const PGresult *res, int r, struct cc_err *err);

/*
 * Runs the query "DECLARE cc_incident_rows … CURSOR FOR …" sql with p and calls fn for each row,
 * PAGE rows fetched at a time, inside the caller's transaction (which it must have).
 */
static int each_row(struct cc_store *st, const char *sql, const struct cc__pg_params *p,
                    row_fn *fn, void *ctx, struct cc_err *err)
{
	int ret, n;

	/* plan for every row, not for the first tenth as a cursor is by default */
	if ((ret = cc__pg_exec(st, "SET LOCAL cursor_tuple_fraction = 1", NULL, false, NULL,
	                       err)) < 0 ||
	    (ret = cc__pg_exec(st, sql, p, false, NULL, err)) < 0)
		return ret;
	do {
		PGresult *res = NULL;

		ret = cc__pg_exec(st, "FETCH 20000 FROM cc_incident_rows", NULL, false, &res, err);
		if (ret < 0)
			break;
		n = PQntuples(res);
		for (int r = 0; r < n && ret == 0; r++)
			ret = fn(ctx, res, r, err);
		PQclear(res);
	} while (ret == 0 && n == PAGE);
	if (ret == 0)
		ret = cc__pg_exec(st, "CLOSE cc_incident_rows", NULL, false, NULL, err);
	else
		(void)cc__pg_exec(st, "CLOSE cc_incident_rows", NULL, false, NULL, NULL);
	return ret;
}

/* The index of type name t in *types (added when new); -1 for NULL, -2 out of memory. */
static int type_index(const char *t, char (**types)[64], size_t *n, size_t *cap, int *last)
{
	if (!t)
		return -1;
	if (*last >= 0 && strcmp((*types)[*last], t) == 0)
		return *last;
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*types)[i], t) == 0)
			return *last = (int)i;
	}
	if (*n >= 100000 || cc__grow((void **)types, cap, *n, sizeof(**types)) < 0)
		return -2;
	snprintf((*types)[*n], sizeof((*types)[*n]), "%s", t);
	return *last = (int)(*n)++;
}

struct named {
	char name[64];
	int orig;
};

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

/* Puts the type names in byte order and renumbers the incidents' types to match (as SQLite). */
static int sort_types(char (*types)[64], size_t n_types, struct cc_exposure_incident *inc,
                      size_t n, struct cc_err *err)
{
	struct named *nm;
	int *rank;

	if (n_types < 2)
		return 0;
	nm = cc_alloc_array(n_types, sizeof(*nm));
	rank = cc_alloc_array(n_types, sizeof(*rank));
	if (!nm || !rank) {
		cc_free(nm);
		cc_free(rank);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n_types; i++) {
		memcpy(nm[i].name, types[i], sizeof(nm[i].name));
		nm[i].orig = (int)i;
	}
	qsort(nm, n_types, sizeof(*nm), cmp_named);
	for (size_t i = 0; i < n_types; i++) {
		rank[nm[i].orig] = (int)i;
		memcpy(types[i], nm[i].name, sizeof(nm[i].name));
	}
	for (size_t i = 0; i < n; i++)
		if (inc[i].type >= 0)
			inc[i].type = rank[inc[i].type];
	cc_free(nm);
	cc_free(rank);
	return 0;
}

struct load {
	struct cc_store *st;
	struct cc__pg_shares sh;
	bool all; /* the operator: every row */
	struct cc_exposure_incident *inc;
	size_t n, cap;
	char (*types)[64];
	size_t n_types, cap_types;
	int last;
};

/* The marking columns of a read, for cc__pg_row_visible(): id, mission_id, … shared. */
#define MARK_COLS "id, mission_id, owner_id, releasability, deny, shared"

/* ---- binary COPY out: COPY (SELECT …) TO STDOUT (FORMAT binary) ---- */

/* the fields a row of a binary COPY may have */
#define COPY_FIELDS 32

static uint32_t be32(const unsigned char *b)
{
	return (uint32_t)cc__pg_be(b, 4);
}

/*
 * Calls fn for each row of the binary COPY data b[0 … n) (one or more whole rows of a CopyData
 * message, the file header before the first: *header says it was seen).
 */
static int copy_rows(const unsigned char *b, size_t n, bool *header, cc__pg_copy_fn *fn,
                     void *ctx, struct cc_err *err)
{
	static const unsigned char sig[11] = "PGCOPY\n\377\r\n";
	const unsigned char *v[COPY_FIELDS];
	int32_t len[COPY_FIELDS];
	size_t o = 0;
	int ret;

	if (!*header) {
		/* signature, flags, the length of the header extension, the extension */
		if (n < 19 || memcmp(b, sig, sizeof(sig)) != 0 || 19 + (size_t)be32(b + 15) > n)
			return cc_err_set(err, CC_ESTORE, "PostgreSQL: not a binary COPY");
		o = 19 + (size_t)be32(b + 15);
		*header = true;
	}
	while (o < n) {
		int nf;

		if (n - o < 2)
			return cc_err_set(err, CC_ESTORE, "PostgreSQL: binary COPY row cut short");
		nf = (int16_t)(uint16_t)cc__pg_be(b + o, 2);
		o += 2;
		if (nf == -1) /* the trailer */
			return 0;
		if (nf < 0 || nf > COPY_FIELDS)
			return cc_err_set(err, CC_ESTORE, "PostgreSQL: binary COPY row of %d fields", nf);
		for (int i = 0; i < nf; i++) {
			if (n - o < 4)
				return cc_err_set(err, CC_ESTORE, "PostgreSQL: binary COPY row cut short");
			len[i] = (int32_t)be32(b + o);
			o += 4;
			v[i] = len[i] < 0 ? NULL : b + o;
			if (len[i] < 0)
				len[i] = -1;
			else if ((size_t)len[i] > n - o)
				return cc_err_set(err, CC_ESTORE, "PostgreSQL: binary COPY row cut short");
			else
				o += (size_t)len[i];
		}
		if ((ret = fn(ctx, nf, v, len, err)) < 0)
			return ret;
	}
	return 0;
}

int cc__pg_copy_binary(struct cc_store *st, const char *query, cc__pg_copy_fn *fn, void *ctx,
                       struct cc_err *err)
{
	PGconn *conn = cc__pg_conn(st);
	PGresult *res;
	char *buf = NULL;
	bool header = false;
	int n, ret = 0;

	/* no parameters: COPY takes none, so the caller writes its values into the query */
	res = PQexecParams(conn, query, 0, NULL, NULL, NULL, NULL, 1);
	if (!res)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		ret = cc__pg_error(st, res, err);
		PQclear(res);
		return ret;
	}
	PQclear(res);
	/* every row is read, even after an error of fn, so that the connection is ready again */
	while ((n = PQgetCopyData(conn, &buf, 0)) > 0) {
		if (ret == 0)
			ret = copy_rows((const unsigned char *)buf, (size_t)n, &header, fn, ctx, err);
		PQfreemem(buf);
	}
	if (n == -2 && ret == 0)
		ret = cc__pg_error(st, NULL, err);
	while ((res = PQgetResult(conn))) {
		if (ret == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
			ret = cc__pg_error(st, res, err);
		PQclear(res);
	}
	return ret;
}

/* A text field of a binary COPY row into dst (truncated; "" for NULL). */
static void copy_str(const unsigned char *v, int32_t len, char *dst, size_t n)
{
	size_t k = len > 0 ? (size_t)len : 0;

	if (k >= n)
		k = n - 1;
	if (k)
		memcpy(dst, v, k);
	dst[k] = '\0';
}

/*
 * One row of the window read: lat, lon, date, date_end, fatalities, type, area_id, then
 * MARK_COLS unless the reader is the operator.
 */
static int load_row(void *ctx, int nf, const unsigned char *const *v, const int32_t *len,
                    struct cc_err *err)
{
	struct load *l = ctx;
	struct cc_exposure_incident *e;
	char type[64]; /* as the types array keeps them */
	int t;

	if (nf != (l->all ? 7 : 13))
		return cc_err_set(err, CC_ESTORE, "PostgreSQL: an incident row of %d fields", nf);
	if (!l->all && !cc__pg_bin_visible(l->st, &l->sh, v, len, 7, NULL))
		return 0;
	if (cc__grow((void **)&l->inc, &l->cap, l->n, sizeof(*l->inc)) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	e = &l->inc[l->n];
	memset(e, 0, sizeof(*e));
	e->lat = cc__pg_bin_f8(v[0], len[0]);
	e->lon = cc__pg_bin_f8(v[1], len[1]);
	e->date = (int32_t)cc__pg_bin_i64(v[2], len[2]);
	e->date_end = (int32_t)cc__pg_bin_i64(v[3], len[3]);
	e->fatalities = cc__pg_bin_f8(v[4], len[4]);
	copy_str(v[5], len[5], type, sizeof(type));
	t = type_index(len[5] < 0 ? NULL : type, &l->types, &l->n_types, &l->cap_types, &l->last);
	if (t < -1)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	e->type = t;
	e->area_id = cc__pg_bin_i64(v[6], len[6]);
	l->n++;
	return 0;
}

/* A number as an SQL literal of type float8 (NULL for NAN), exactly (17 digits). */
static int add_f8(struct cc_buf *b, double v)
{
	if (isnan(v))
		return cc_buf_adds(b, "NULL::float8");
	if (isinf(v))
		return cc_buf_adds(b, v > 0 ? "'Infinity'::float8" : "'-Infinity'::float8");
	return cc_buf_addf(b, "'%.17g'::float8", v);
}

/* The box and the precision, written into the query (COPY takes no parameters). */
static int load_filter(struct cc_buf *b, const struct cc_incident_query *q)
{
	int ret = 0;

	if (q->in_bbox) {
		ret |= cc_buf_adds(b, " AND lat BETWEEN ");
		ret |= add_f8(b, q->minlat);
		ret |= cc_buf_adds(b, " AND ");
		ret |= add_f8(b, q->maxlat);
		ret |= cc_buf_adds(b, " AND lon BETWEEN ");
		ret |= add_f8(b, q->minlon);
		ret |= cc_buf_adds(b, " AND ");
		ret |= add_f8(b, q->maxlon);
	}
	if (q->max_geo_prec_acled)
		ret |= cc_buf_addf(b, " AND (source <> 'acled' OR coalesce(geo_prec, 99) <= %d)",
		                   (int)q->max_geo_prec_acled);
	if (q->max_geo_prec_ucdp)
		ret |= cc_buf_addf(b, " AND (source <> 'ucdp' OR coalesce(geo_prec, 99) <= %d)",
		                   (int)q->max_geo_prec_ucdp);
	return ret ? CC_ENOMEM : 0;
}

#define LOAD_COLS "lat, lon, date, date_end, fatalities, type, area_id"

/*
 * The window's query: events of at most 31 days by first day (the partitions of the window's
 * years and the one before), longer ones by last day. No order: the analysis sorts what it
 * needs. Every column it names (the window, the box, the precision filter, MARK_COLS) is in
 * the covering indexes of migration pg/0010, so a partition the window covers in part, and
 * the partial index of the long events, are read by index-only scans; a partition it covers
 * whole the planner reads by a (parallel) sequential scan, which costs no more there.
 */
static int load_query(struct cc_buf *b, const struct cc_incident_query *q, bool all)
{
	const char *cols = all ? LOAD_COLS : LOAD_COLS ", " MARK_COLS;
	long long from = q->from, to = q->to;

	if (cc_buf_addf(b, "COPY (SELECT %s FROM incident WHERE date BETWEEN %lld AND %lld AND "
	                   "date_end >= %lld AND date_end - date <= 31",
	                cols, from - 31, to, from) < 0 ||
	    load_filter(b, q) < 0 ||
	    cc_buf_addf(b, " UNION ALL SELECT %s FROM incident WHERE date_end >= %lld AND date <= "
	                   "%lld AND date_end - date > 31",
	                cols, from, to) < 0 ||
	    load_filter(b, q) < 0 || cc_buf_adds(b, ") TO STDOUT (FORMAT binary)") < 0)
		return CC_ENOMEM;
	return 0;
}

static int pg_load_incidents(struct cc_store *st, const struct cc_incident_query *q,
                             struct cc_exposure_incident **out, size_t *n_out,
                             char (**types_out)[64], size_t *n_types_out, struct cc_err *err)
{
	struct cc_buf sql = CC_BUF_INIT(1u << 20);
	struct load l = { .st = st, .last = -1 };
	bool own;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	l.all = st->viewer.kind == CC_VIEWER_OPERATOR;
	if (!l.all && (ret = cc__pg_load_shares(st, "incident", &l.sh, err)) < 0)
		goto out_leave;
	/*
	 * No JIT: a window of most incidents costs enough to be compiled, a set of functions for
	 * every partition in the leader and again in each parallel worker (about a quarter of the
	 * server's CPU time for the read at 2,000,000 incidents), which a few comparisons a row
	 * never earn back. LOCAL: to the end of the read's transaction (or the caller's).
	 */
	if ((ret = cc__pg_exec(st, "SET LOCAL jit = off", NULL, false, NULL, err)) < 0)
		goto out_leave;
	/*
	 * The rows come as one binary COPY (no number printed by the server and parsed here, no
	 * round trip a page, nothing held in a result), without the marking columns for the
	 * operator, who sees every row.
	 */
	if (load_query(&sql, q, l.all) < 0) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_leave;
	}
	ret = cc__pg_copy_binary(st, sql.buf, load_row, &l, err);
	if (ret == 0)
		ret = sort_types(l.types, l.n_types, l.inc, l.n, err);
	if (ret == 0) {
		*out = l.inc;
		*n_out = l.n;
		*types_out = l.types;
		*n_types_out = l.n_types;
		l.inc = NULL;
		l.types = NULL;
	}
out_leave:
	cc_buf_release(&sql);
	cc_free(l.inc);
	cc_free(l.types);
	cc_free(l.sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

struct each {
	struct cc_store *st;
	struct cc__pg_shares sh;
	bool all;
	cc_incident_fn *fn;
	void *ctx;
};

/* One row of the export read: the columns of SQLite's S_EV_EACH, then MARK_COLS. */
static int each_one(void *ctx, const PGresult *res, int r, struct cc_err *err)
{
	struct each *e = ctx;
	struct cc_incident_row row = { 0 };
	struct cc_incident *inc = &row.inc;
	const char *names[4] = { "", "", "", "" };
	int level = (int)cc__pg_col_i64(res, r, 20);

	if (!e->all && !cc__pg_row_visible(e->st, &e->sh, res, r, 24, NULL))
		return 0;
	inc->id = cc__pg_col_i64(res, r, 24);
	inc->source = cc__pg_cstr(res, r, 0);
	inc->source_id = cc__pg_cstr(res, r, 1);
	inc->date = (int32_t)cc__pg_col_i64(res, r, 2);
	inc->date_end = (int32_t)cc__pg_col_i64(res, r, 3);
	inc->date_prec = (int)cc__pg_col_i64(res, r, 4);
	inc->type = cc__pg_cstr(res, r, 5);
	inc->sub_type = cc__pg_cstr(res, r, 6);
	inc->actor1 = cc__pg_cstr(res, r, 7);
	inc->actor2 = cc__pg_cstr(res, r, 8);
	inc->lat = cc__pg_col_num(res, r, 9);
	inc->lon = cc__pg_col_num(res, r, 10);
	inc->geo_prec = (int)cc__pg_col_i64(res, r, 11);
	inc->area_id = cc__pg_col_i64(res, r, 12);
	inc->fatalities = cc__pg_col_num(res, r, 13);
	inc->fat_low = cc__pg_col_num(res, r, 14);
	inc->fat_high = cc__pg_col_num(res, r, 15);
	inc->revised = cc__pg_col_i64(res, r, 16);
	inc->notes = cc__pg_cstr(res, r, 17);
	inc->line = (long)cc__pg_col_i64(res, r, 18);
	row.pcode = cc__pg_cstr(res, r, 19);
	/* the area at its level, its parent one above, its grandparent two above */
	for (int k = 0; k < 3; k++)
		if (level - k >= 0 && level - k <= 3 && !cc__pg_col_null(res, r, 21 + k))
			names[level - k] = cc__pg_cstr(res, r, 21 + k);
	row.adm1 = inc->area_id ? names[1] : "";
	row.adm2 = inc->area_id ? names[2] : "";
	return e->fn(e->ctx, &row, err);
}

static int pg_each_incident(struct cc_store *st, const char *source, cc_incident_fn *fn,
                            void *ctx, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct each e = { .st = st, .fn = fn, .ctx = ctx };
	bool own;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	e.all = st->viewer.kind == CC_VIEWER_OPERATOR;
	if (!e.all && (ret = cc__pg_load_shares(st, "incident", &e.sh, err)) < 0)
		goto out_leave;
	cc__pg_text(&p, source);
	ret = each_row(st,
	               "DECLARE cc_incident_rows NO SCROLL CURSOR FOR SELECT i.source, "
	               "i.source_id, i.date, i.date_end, i.date_prec, i.type, i.sub_type, "
	               "i.actor1, i.actor2, i.lat, i.lon, i.geo_prec, i.area_id, i.fatalities, "
	               "i.fat_low, i.fat_high, i.revised, i.notes, i.line, a.pcode, a.level, "
	               "a.name, p.name, g.name, i.id, i.mission_id, i.owner_id, i.releasability, "
	               "i.deny, i.shared FROM incident i LEFT JOIN area a ON a.id = i.area_id LEFT "
	               "JOIN area p ON p.id = a.parent_id LEFT JOIN area g ON g.id = p.parent_id "
	               "WHERE $1::text IS NULL OR i.source = $1::text ORDER BY i.source, i.id",
	               &p, each_one, &e, err);
out_leave:
	cc_free(e.sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

/* ---- the sites of exposure ---- */

/*
 * The places of exposure: every activity of the mission (a country's mission has a million),
 * read as one binary COPY as the overlap read does; the marking from field 0, the site's own
 * marking at 6. The mission's id is written in (%lld): COPY takes no parameters.
 */
static const char places_sql[] =
        "COPY (SELECT a.id, a.mission_id, a.owner_id, a.releasability, a.deny, a.shared, "
        "a.geo_rel, a.area_id, ar.pcode, a.title, a.lat, a.lon, a.start_date, a.end_date "
        "FROM activity a LEFT JOIN area ar ON ar.id = a.area_id WHERE a.mission_id = %lld "
        "ORDER BY a.id) TO STDOUT (FORMAT binary)";

struct places_load {
	struct cc_store *st;
	struct cc__pg_shares sh;
	struct cc_exposure_place *pl;
	size_t n, cap;
};

static int place_row(void *ctx, int nf, const unsigned char *const *v, const int32_t *len,
                     struct cc_err *err)
{
	struct places_load *l = ctx;
	struct cc_exposure_place *q;
	struct cc_marking m;

	if (nf != 14)
		return cc_err_set(err, CC_ESTORE, "PostgreSQL: a place row of %d fields", nf);
	if (!cc__pg_bin_visible(l->st, &l->sh, v, len, 0, &m))
		return 0;
	if (cc__grow((void **)&l->pl, &l->cap, l->n, sizeof(*l->pl)) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	q = &l->pl[l->n++];
	memset(q, 0, sizeof(*q));
	q->activity_id = cc__pg_bin_i64(v[0], len[0]);
	q->area_id = cc__pg_bin_i64(v[7], len[7]);
	copy_str(v[8], len[8], q->pcode, sizeof(q->pcode));
	copy_str(v[9], len[9], q->title, sizeof(q->title));
	/* an exact site the reader may not see is left out: the area's centroid stands in */
	if (cc_visible_field(&l->st->viewer, &m, cc__pg_bin_rel(v[6], len[6], m.rel))) {
		q->lat = cc__pg_bin_f8(v[10], len[10]);
		q->lon = cc__pg_bin_f8(v[11], len[11]);
	} else {
		q->lat = q->lon = (double)NAN;
	}
	q->how = isnan(q->lat) || isnan(q->lon) ? CC_PLACE_NONE : CC_PLACE_POINT;
	q->start_date = len[12] < 0 ? CC_DATE_NONE : (int32_t)cc__pg_bin_i64(v[12], len[12]);
	q->end_date = len[13] < 0 ? CC_DATE_NONE : (int32_t)cc__pg_bin_i64(v[13], len[13]);
	return 0;
}

static int pg_load_places(struct cc_store *st, int64_t mission_id, struct cc_exposure_place **out,
                          size_t *n_out, struct cc_err *err)
{
	struct places_load l = { .st = st };
	char sql[sizeof(places_sql) + 32];
	bool own;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	snprintf(sql, sizeof(sql), places_sql, (long long)mission_id);
	if ((ret = cc__pg_load_shares(st, "activity", &l.sh, err)) == 0 &&
	    (ret = cc__pg_copy_binary(st, sql, place_row, &l, err)) == 0) {
		*out = l.pl;
		*n_out = l.n;
		l.pl = NULL;
	}
	cc_free(l.pl);
	cc_free(l.sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

/*
 * drop_indexes and restore_indexes are left out (NULL: nothing to do). On SQLite they spare a
 * bulk load the upkeep of three indexes over the whole table; here the rows of a big file come
 * in set-based statements of 10,000 and each partition's indexes are the size of a year.
 */
const struct cc__events_ops cc__pg_events = {
	.put_incident = pg_put_incident,
	.count_incidents = pg_count_incidents,
	.latest_incident = pg_latest_incident,
	.load_incidents = pg_load_incidents,
	.each_incident = pg_each_incident,
	.load_places = pg_load_places,
};
