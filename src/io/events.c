/*
 * The events importer: an ACLED export or a UCDP GED CSV → incidents (see <concord/events.h>).
 *
 * Streamed one record at a time; memory holds the cache of area geometries and SQLite's pages,
 * whatever the file's size: an id repeated within the file is found by the store (a row this
 * import's batch already wrote), not by keeping every id seen. A large load drops the incident
 * table's secondary indexes and rebuilds them at the end (bulk_after, cc_events_opts). Points are placed in admin
 * areas by point-in-polygon: the store's R*Tree gives the areas whose box holds the point,
 * then GEOS prepared geometries decide (a point on a border is placed in the first area by
 * P-code that covers it); the deepest level wins. When that is a province (level 1), the file's
 * district name (admin2, adm_2) places it in the district of that name within the province,
 * since district boundaries are often missing where names are not. A point no stored geometry
 * covers falls
 * back to the file's admin names (UCDP's "Kabul province" is matched as "Kabul"); an
 * incident placed nowhere is still stored, with no area. GEOS's allocations cannot be
 * routed through cc_malloc (it calls the C library); Concord's own are.
 *
 * Measured (-O3, loaded 2-core machine): the 1,848-row CAR GED file in 0.05 s for the whole
 * command; 200,000 GED-like rows in Afghanistan with the 34 province boundaries in 1.3 s of
 * CPU, 2,000,000 in about 12 s, peak RSS about 33 MiB at any size (bench/import_events has
 * the current figures). Of the CPU time, SQLite takes about three quarters: inserting the row
 * and its (source, source_id) key, then rebuilding the two secondary indexes at the end
 * (the covering ones that exposure reads); this file's own work (CSV, checks, numbers,
 * point-in-polygon, digest) about a fifth.
 */
#include <concord/events.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>


#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/text.h>

#include "core/digest.h"
#include "core/limits.h"
#include "io/csv.h"
#include "io/import_util.h"
#include "io/locate.h"
#include "io/row_check.h"

#include "core/banned.h"

/* Columns of the file; -1 when absent. */
struct cols {
	int id, date, date_end, date_prec, type, sub_type, actor1, actor2, lat, lon, geo_prec;
	int fat, fat_low, fat_high, revised, notes, adm1, adm2, wkt, where_prec, best;
};

struct evimp {
	struct cc_store *st;
	const struct cc_import_opts *o;
	struct cc_import_report *rep;
	enum cc_events_format format;
	const char *fname;
	struct cc_mission mission;
	struct cc_source src;
	int64_t batch;
	struct cols c;
	char **header; /* owned copies of the header's names */
	size_t n_header;
	struct cc_csv_row *row; /* the current record (borrowed from the reader) */
	struct cc_csv *csv;     /* the reader, for the bytes read so far */
	size_t bulk_after;      /* rows added before a bulk load is weighed */
	bool bulk_weighed;
	int64_t existing;       /* incidents stored before this import */
	char *saved_ix;         /* the dropped indexes' SQL, while a bulk load runs; owned */
	struct cc_map names;    /* "level\x1fparent\x1fname" → area id + 1 (1: none) */
	struct cc__locator loc; /* places points in areas */
	struct cc_buf norm, key;
	FILE *rejects;
	int64_t first_added, last_added;
	int64_t given_area; /* a single record's area given by P-code: no placement (0: place) */
};

static const char *cell(const struct evimp *im, int col)
{
	return cc__csv_cell(im->row, col);
}

static const char *col_name(const struct evimp *im, int col)
{
	return col >= 0 && (size_t)col < im->n_header ? im->header[col] : "";
}

/* Sets the field of why to the column's name and returns CC_EINVALID. */
static int bad(const struct evimp *im, struct cc_err *why, int col)
{
	cc_err_at(why, NULL, 0, col_name(im, col));
	return CC_EINVALID;
}

static int reject(struct evimp *im, struct cc_err *why)
{
	return cc__import_reject(im->o, im->rep, im->rejects, im->fname, im->row, why);
}

/* ---- header ---- */

static int find_col(const struct cc_csv_row *h, const char *name)
{
	for (size_t i = 0; i < h->n_fields; i++)
		if (strcasecmp(h->fields[i], name) == 0)
			return (int)i;
	return -1;
}

/* The columns --map may name: ACLED's and UCDP GED's. */
static const char *const map_fields[] = {
	"event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
	"actor2", "admin1", "admin2", "latitude", "longitude", "geo_precision", "fatalities",
	"notes", "timestamp", "id", "date_start", "date_end", "date_prec", "type_of_violence",
	"side_a", "side_b", "adm_1", "adm_2", "where_prec", "best", "low", "high", "geom_wkt",
	NULL
};

static int map_header(struct evimp *im, const struct cc_csv_row *h, struct cc_err *err)
{
	struct cols *c = &im->c;
	bool acled = find_col(h, "event_id_cnty") >= 0;
	bool ucdp = find_col(h, "id") >= 0 && find_col(h, "best") >= 0 &&
	            find_col(h, "where_prec") >= 0;
	const char *need_acled[] = { "event_id_cnty", "event_date", "latitude", "longitude" };
	const char *need_ucdp[] = { "id", "date_start", "latitude", "longitude", "best" };
	const char *const *need;
	size_t n_need;

	if (im->format == CC_EVENTS_AUTO) {
		if (!acled && !ucdp)
			return cc_err_set(err, CC_EPARSE,
			                  "not an ACLED or UCDP GED file: the header has neither "
			                  "event_id_cnty nor id, best and where_prec");
		im->format = acled ? CC_EVENTS_ACLED : CC_EVENTS_UCDP;
	} else if (im->format == CC_EVENTS_ACLED && !acled) {
		return cc_err_set(err, CC_EPARSE, "not an ACLED file (no event_id_cnty column)%s",
		                  ucdp ? "; it looks like UCDP GED: use --format ucdp" : "");
	} else if (im->format == CC_EVENTS_UCDP && !ucdp) {
		return cc_err_set(err, CC_EPARSE,
		                  "not a UCDP GED file (no id, best and where_prec columns)%s",
		                  acled ? "; it looks like ACLED: use --format acled" : "");
	}
	need = im->format == CC_EVENTS_ACLED ? need_acled : need_ucdp;
	n_need = im->format == CC_EVENTS_ACLED ? 4 : 5;
	for (size_t i = 0; i < n_need; i++)
		if (find_col(h, need[i]) < 0)
			return cc_err_set(err, CC_EPARSE, "required column '%s' is missing",
			                  need[i]);
	memset(c, -1, sizeof(*c));
	c->lat = find_col(h, "latitude");
	c->lon = find_col(h, "longitude");
	if (im->format == CC_EVENTS_ACLED) {
		c->id = find_col(h, "event_id_cnty");
		c->date = find_col(h, "event_date");
		c->date_prec = find_col(h, "time_precision");
		c->type = find_col(h, "event_type");
		c->sub_type = find_col(h, "sub_event_type");
		c->actor1 = find_col(h, "actor1");
		c->actor2 = find_col(h, "actor2");
		c->geo_prec = find_col(h, "geo_precision");
		c->fat = find_col(h, "fatalities");
		c->revised = find_col(h, "timestamp");
		c->notes = find_col(h, "notes");
		c->adm1 = find_col(h, "admin1");
		c->adm2 = find_col(h, "admin2");
	} else {
		c->id = find_col(h, "id");
		c->date = find_col(h, "date_start");
		c->date_end = find_col(h, "date_end");
		c->date_prec = find_col(h, "date_prec");
		c->type = find_col(h, "type_of_violence");
		c->actor1 = find_col(h, "side_a");
		c->actor2 = find_col(h, "side_b");
		c->geo_prec = find_col(h, "where_prec");
		c->fat = find_col(h, "best");
		c->fat_low = find_col(h, "low");
		c->fat_high = find_col(h, "high");
		c->adm1 = find_col(h, "adm_1");
		c->adm2 = find_col(h, "adm_2");
		c->wkt = find_col(h, "geom_wkt");
	}
	im->header = cc_alloc_array(h->n_fields ? h->n_fields : 1, sizeof(char *));
	if (!im->header)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < h->n_fields; i++) {
		im->header[i] = cc_strdup(h->fields[i]);
		if (!im->header[i])
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		im->n_header = i + 1;
	}
	return 0;
}

/* ---- values ---- */

/* "15 January 2023" (older ACLED exports); 0 or CC_EPARSE. */
static int date_words(const char *s, int32_t *out)
{
	static const char *const months[] = { "january",   "february", "march",    "april",
		                              "may",       "june",     "july",     "august",
		                              "september", "october",  "november", "december" };
	char mon[16];
	int d, y, n = 0;

	if (sscanf(s, "%2d %15[A-Za-z] %4d%n", &d, mon, &y, &n) != 3 || s[n] != '\0')
		return CC_EPARSE;
	for (int m = 0; m < 12; m++) {
		if (strcasecmp(mon, months[m]) != 0 &&
		    !(strlen(mon) == 3 && strncasecmp(mon, months[m], 3) == 0))
			continue;
		*out = cc_date_from_ymd(y, m + 1, d);
		if (d < 1 || d > 31 || *out == CC_DATE_NONE)
			return CC_EPARSE;
		return 0;
	}
	return CC_EPARSE;
}

static int day(struct evimp *im, int col, int32_t *out, struct cc_err *why)
{
	const char *s = cell(im, col);

	*out = CC_DATE_NONE;
	if (!s[0]) {
		cc_err_set(why, CC_EINVALID, "date is missing");
		return bad(im, why, col);
	}
	if (strlen(s) >= 10 && cc_date_parse(s, out, NULL) == 0)
		return 0;
	if (date_words(s, out) == 0)
		return 0;
	cc_err_set(why, CC_EINVALID, "'%s' is not a date (YYYY-MM-DD%s)", s,
	           im->format == CC_EVENTS_ACLED ? " or 15 January 2023" : "");
	return bad(im, why, col);
}

/*
 * A decimal number as strtod reads it, without strtod for the plain forms every events file
 * uses ("-12.345678", "3"): at most 15 digits in all, so the digits are an exact integer below
 * 2^53 and the power of ten is exact, and one correctly rounded division gives the value
 * strtod gives (the fast path of Clinger's algorithm). Anything else: -1, and number() asks
 * cc_parse_double.
 */
static int plain_number(const char *s, double *out)
{
	static const double p10[] = { 1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
		                        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	const char *p = s + (s[0] == '-' || s[0] == '+');
	uint64_t mant = 0;
	int digits = 0, frac = 0;
	double v;

	for (; *p >= '0' && *p <= '9'; p++, digits++)
		mant = mant * 10 + (uint64_t)(*p - '0');
	if (digits && *p == '.' && p[1] >= '0' && p[1] <= '9') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++, frac++)
			mant = mant * 10 + (uint64_t)(*p - '0');
	}
	if (!digits || *p || digits > 15)
		return -1;
	v = (double)mant / p10[frac];
	*out = s[0] == '-' ? -v : v;
	return 0;
}

static int number(const char *s, double *out)
{
	return plain_number(s, out) == 0 ? 0 : cc_parse_double(s, out, NULL);
}

/*
 * geom_wkt's point as sscanf(s, "POINT (%lf %lf)%n") reads it: true when both numbers and the
 * closing parenthesis were read. The usual "POINT (69.16 34.53)" of two plain decimals is read
 * without sscanf and strtod (which took a fortieth of an import of real files); anything else
 * still goes through sscanf.
 */
static bool wkt_point(const char *s, double *x, double *y)
{
	const char *sp = strncmp(s, "POINT (", 7) == 0 ? strchr(s + 7, ' ') : NULL;
	const char *close = sp ? strchr(sp + 1, ')') : NULL;
	char a[32], b[32];
	int n = 0;

	if (close && !close[1] && sp - (s + 7) < (long)sizeof(a) &&
	    close - (sp + 1) < (long)sizeof(b)) {
		memcpy(a, s + 7, (size_t)(sp - (s + 7)));
		a[sp - (s + 7)] = '\0';
		memcpy(b, sp + 1, (size_t)(close - (sp + 1)));
		b[close - (sp + 1)] = '\0';
		if (plain_number(a, x) == 0 && plain_number(b, y) == 0)
			return true;
	}
	return sscanf(s, "POINT (%lf %lf)%n", x, y, &n) == 2 && n > 0;
}

/* An optional number >= 0; NAN when empty. */
static int count(struct evimp *im, int col, double *out, struct cc_err *why)
{
	const char *s = cell(im, col);

	*out = (double)NAN;
	if (!s[0])
		return 0;
	if (number(s, out) < 0 || !isfinite(*out)) {
		*out = (double)NAN;
		cc_err_set(why, CC_EINVALID, "'%s' is not a number", s);
		return bad(im, why, col);
	}
	if (*out < 0) {
		cc_err_set(why, CC_EINVALID, "'%s' is negative", s);
		return bad(im, why, col);
	}
	return 0;
}

/* An optional small code 1..max; 0 when empty. */
static int code(struct evimp *im, int col, int max, int *out, struct cc_err *why)
{
	const char *s = cell(im, col);
	int64_t v;

	*out = 0;
	if (!s[0])
		return 0;
	if (s[0] >= '1' && s[0] <= '9' && !s[1] && s[0] - '0' <= max) { /* the usual "2" */
		*out = s[0] - '0';
		return 0;
	}
	if (cc_parse_i64(s, 1, max, &v, NULL) < 0) {
		cc_err_set(why, CC_EINVALID, "'%s' is not a code 1..%d", s, max);
		return bad(im, why, col);
	}
	*out = (int)v;
	return 0;
}

static int point(struct evimp *im, struct cc_incident *inc, struct cc_err *why)
{
	const char *slat = cell(im, im->c.lat), *slon = cell(im, im->c.lon);
	double wx, wy;

	if (!slat[0] || !slon[0]) {
		cc_err_set(why, CC_EINVALID, "coordinates are missing");
		return bad(im, why, slat[0] ? im->c.lon : im->c.lat);
	}
	if (number(slat, &inc->lat) < 0 || !isfinite(inc->lat)) {
		cc_err_set(why, CC_EINVALID, "'%s' is not a number", slat);
		return bad(im, why, im->c.lat);
	}
	if (number(slon, &inc->lon) < 0 || !isfinite(inc->lon)) {
		cc_err_set(why, CC_EINVALID, "'%s' is not a number", slon);
		return bad(im, why, im->c.lon);
	}
	if (fabs(inc->lat) > 90) {
		cc_err_set(why, CC_EINVALID, "latitude %s is not in -90..90", slat);
		return bad(im, why, im->c.lat);
	}
	if (fabs(inc->lon) > 180) {
		cc_err_set(why, CC_EINVALID, "longitude %s is not in -180..180", slon);
		return bad(im, why, im->c.lon);
	}
	/* UCDP also gives the point as WKT "POINT (lon lat)": swapped columns disagree with it */
	if (cell(im, im->c.wkt)[0] && wkt_point(cell(im, im->c.wkt), &wx, &wy) &&
	    fabs(wx - inc->lat) < 1e-3 && fabs(wy - inc->lon) < 1e-3 &&
	    !(fabs(wx - inc->lon) < 1e-3 && fabs(wy - inc->lat) < 1e-3)) {
		cc_err_set(why, CC_EINVALID,
		           "latitude and longitude are swapped: geom_wkt is POINT (%s %s)", slon,
		           slat);
		return bad(im, why, im->c.lat);
	}
	return 0;
}

/* v in decimal at out (at least 21 bytes), as "%lld" writes it; the length. */
static size_t dec(char *out, int64_t v)
{
	char tmp[24];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		out[len++] = '-';
	while (n)
		out[len++] = tmp[--n];
	return len;
}

/* The area of a level named in the file (within parent; 0 any); 0 when none or ambiguous. */
static int area_by_name(struct evimp *im, const char *name, int level, int64_t parent,
                        int64_t *id_out, struct cc_err *err)
{
	struct cc_err cause = { 0 };
	static const char *const suffixes[] = { " province",     " district",    " region", " city",
		                                " municipality", " governorate", " county" };
	struct cc_area a;
	char prefix[48];
	size_t n;
	int64_t v;
	int ret;

	*id_out = 0;
	if (!name[0])
		return 0;
	ret = cc_text_norm(name, &im->norm);
	if (ret == CC_EPARSE)
		return 0; /* not UTF-8: cannot match a name */
	if (ret < 0)
		return cc_err_set(err, ret, "cannot normalise area name");
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t ls = strlen(suffixes[i]);

		if (im->norm.len > ls &&
		    strcmp(im->norm.buf + im->norm.len - ls, suffixes[i]) == 0) {
			im->norm.len -= ls;
			im->norm.buf[im->norm.len] = '\0';
			break;
		}
	}
	/* the key "level\x1fparent\x1fname", without printf (a row's district is looked up) */
	n = dec(prefix, level);
	prefix[n++] = '\x1f';
	n += dec(prefix + n, parent);
	prefix[n++] = '\x1f';
	cc_buf_clear(&im->key);
	if ((ret = cc_buf_add(&im->key, prefix, n)) < 0 ||
	    (ret = cc_buf_add(&im->key, im->norm.buf, im->norm.len)) < 0)
		return cc_err_set(err, ret, "out of memory");
	if (cc_map_get(&im->names, im->key.buf, &v) == 0) {
		*id_out = v - 1;
		return 0;
	}
	ret = cc_store_find_area_by_name(im->st, parent, level, im->norm.buf, &a, &cause);
	if (ret < 0 && ret != CC_ENOTFOUND && ret != CC_EINVALID)
		return cc_err_wrap(err, &cause, "cannot look up area '%s'", name);
	*id_out = ret == 0 ? a.id : 0;
	if (cc_map_put(&im->names, im->key.buf, *id_out + 1) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	return 0;
}

/* Places inc; 1 when no area covers the point but one covers it with lat and lon swapped. */
static int place(struct evimp *im, struct cc_incident *inc, struct cc_err *err)
{
	int64_t adm1 = 0, adm2 = 0, swapped = 0;
	int level, ret;

	if ((ret = cc__locate(&im->loc, inc->lat, inc->lon, &inc->area_id, &level, err)) < 0)
		return ret;
	if (inc->area_id) {
		/* provinces have boundaries, districts often only names: go one level down */
		if (level == 1 &&
		    (ret = area_by_name(im, cell(im, im->c.adm2), 2, inc->area_id, &adm2, err)) < 0)
			return ret;
		if (adm2)
			inc->area_id = adm2;
		return 0;
	}
	if (fabs(inc->lon) <= 90 && inc->lat != inc->lon &&
	    (ret = cc__locate(&im->loc, inc->lon, inc->lat, &swapped, NULL, err)) < 0)
		return ret;
	if (swapped)
		return 1;
	if ((ret = area_by_name(im, cell(im, im->c.adm1), 1, 0, &adm1, err)) < 0)
		return ret;
	if (adm1 && (ret = area_by_name(im, cell(im, im->c.adm2), 2, adm1, &adm2, err)) < 0)
		return ret;
	inc->area_id = adm2 ? adm2 : adm1;
	return 0;
}

/* ---- the row's digest ---- */

/*
 * The bytes cc_hash128_i64, _double and _str feed the hash, gathered in one buffer so that a
 * row is hashed by one call rather than seventeen updates (a quarter less time for the digest,
 * which was a twentieth of an import): the same digest. A row too long for the buffer is
 * hashed field by field, as before.
 */
struct dig_in {
	unsigned char b[2048];
	size_t n;
	bool over; /* did not fit */
};

static void dig_i64(struct dig_in *d, long long v)
{
	if (d->n + 8 > sizeof(d->b)) {
		d->over = true;
		return;
	}
	for (int i = 0; i < 8; i++)
		d->b[d->n++] = (unsigned char)((unsigned long long)v >> (8 * i));
}

static void dig_double(struct dig_in *d, double v)
{
	uint64_t u;

	if (isnan(v))
		v = (double)NAN; /* one NaN pattern, as cc_hash128_double */
	memcpy(&u, &v, sizeof(u));
	dig_i64(d, (long long)u);
}

static void dig_str(struct dig_in *d, const char *s)
{
	size_t len = s ? strlen(s) : 0;

	if (len >= sizeof(d->b) - d->n) {
		d->over = true;
		return;
	}
	memcpy(d->b + d->n, s ? s : "", len);
	d->n += len;
	d->b[d->n++] = 0x1f; /* cc_hash128_str's separator */
}

/* sodium_init() picks the fastest implementation (the hash is the same without it); its
 * result only says whether it ran before. */
static void hash_ready(void)
{
	if (sodium_init() < 0)
		return;
}

/* inc->digest: the 128-bit hash of the fields an update compares. */
static void row_digest(struct cc_incident *inc)
{
	struct dig_in d;
	struct cc_hash128 h;

	d.n = 0;
	d.over = false;
	dig_i64(&d, inc->date);
	dig_i64(&d, inc->date_end);
	dig_i64(&d, inc->date_prec);
	dig_str(&d, inc->type);
	dig_str(&d, inc->sub_type);
	dig_str(&d, inc->actor1);
	dig_str(&d, inc->actor2);
	dig_double(&d, inc->lat);
	dig_double(&d, inc->lon);
	dig_i64(&d, inc->geo_prec);
	dig_i64(&d, inc->area_id);
	dig_double(&d, inc->fatalities);
	dig_double(&d, inc->fat_low);
	dig_double(&d, inc->fat_high);
	dig_i64(&d, inc->revised);
	dig_str(&d, inc->notes);
	if (!d.over) {
		crypto_generichash(inc->digest, sizeof(inc->digest), d.b, d.n, NULL, 0);
		return;
	}
	cc_hash128_init(&h);
	cc_hash128_i64(&h, inc->date);
	cc_hash128_i64(&h, inc->date_end);
	cc_hash128_i64(&h, inc->date_prec);
	cc_hash128_str(&h, inc->type);
	cc_hash128_str(&h, inc->sub_type);
	cc_hash128_str(&h, inc->actor1);
	cc_hash128_str(&h, inc->actor2);
	cc_hash128_double(&h, inc->lat);
	cc_hash128_double(&h, inc->lon);
	cc_hash128_i64(&h, inc->geo_prec);
	cc_hash128_i64(&h, inc->area_id);
	cc_hash128_double(&h, inc->fatalities);
	cc_hash128_double(&h, inc->fat_low);
	cc_hash128_double(&h, inc->fat_high);
	cc_hash128_i64(&h, inc->revised);
	cc_hash128_str(&h, inc->notes);
	cc_hash128_final(&h, inc->digest);
}

/* ---- one row ---- */

static const char *violence_type(int code)
{
	switch (code) {
	case 1:
		return "state-based";
	case 2:
		return "non-state";
	case 3:
		return "one-sided";
	default:
		return "";
	}
}

static int row_to_incident(struct evimp *im, struct cc_incident *inc, struct cc_err *why,
                           struct cc_err *err)
{
	const struct cols *c = &im->c;
	int64_t ts;
	int tv = 0, ret;

	memset(inc, 0, sizeof(*inc));
	inc->line = im->row->line;
	inc->source = cc_events_format_name(im->format);
	inc->source_id = cell(im, c->id);
	inc->fat_low = inc->fat_high = (double)NAN;
	if (!inc->source_id[0]) {
		cc_err_set(why, CC_EINVALID, "event id is missing");
		return bad(im, why, c->id);
	}
	if ((ret = day(im, c->date, &inc->date, why)) < 0)
		return ret;
	inc->date_end = inc->date;
	if (cell(im, c->date_end)[0]) {
		if ((ret = day(im, c->date_end, &inc->date_end, why)) < 0)
			return ret;
		if (inc->date_end < inc->date) {
			cc_err_set(why, CC_EINVALID, "end %s is before start %s",
			           cell(im, c->date_end), cell(im, c->date));
			return bad(im, why, c->date_end);
		}
	}
	if ((ret = code(im, c->date_prec, 5, &inc->date_prec, why)) < 0 ||
	    (ret = code(im, c->geo_prec, 7, &inc->geo_prec, why)) < 0 ||
	    (ret = point(im, inc, why)) < 0 ||
	    (ret = count(im, c->fat, &inc->fatalities, why)) < 0 ||
	    (ret = count(im, c->fat_low, &inc->fat_low, why)) < 0 ||
	    (ret = count(im, c->fat_high, &inc->fat_high, why)) < 0)
		return ret;
	if (im->format == CC_EVENTS_UCDP) {
		if ((ret = code(im, c->type, 3, &tv, why)) < 0)
			return ret;
		inc->type = violence_type(tv);
	} else {
		inc->type = cell(im, c->type);
	}
	inc->sub_type = cell(im, c->sub_type);
	inc->actor1 = cell(im, c->actor1);
	inc->actor2 = cell(im, c->actor2);
	inc->notes = cell(im, c->notes);
	if (cell(im, c->revised)[0]) {
		if (cc_parse_i64(cell(im, c->revised), 0, INT64_MAX, &ts, NULL) < 0) {
			cc_err_set(why, CC_EINVALID, "'%s' is not a Unix time",
			           cell(im, c->revised));
			return bad(im, why, c->revised);
		}
		inc->revised = ts;
	}
	if (im->given_area) {
		inc->area_id = im->given_area;
		ret = 0;
	} else if ((ret = place(im, inc, err)) < 0) {
		return ret == CC_EINVALID ? CC_ESTORE : ret; /* a store fault, not the row's */
	}
	if (ret > 0) {
		cc_err_set(why, CC_EINVALID,
		           "latitude and longitude look swapped: %s, %s is in no area, %s, %s is",
		           cell(im, c->lat), cell(im, c->lon), cell(im, c->lon), cell(im, c->lat));
		return bad(im, why, c->lat);
	}

	row_digest(inc);
	return 0;
}

/*
 * Once bulk_after rows were added: when the rest of the file will add at least half as many
 * again as the table then holds (the rest estimated from the bytes read so far), the secondary
 * indexes are dropped now and rebuilt after the last row (or brought back by the rollback).
 */
static int weigh_bulk(struct evimp *im, struct cc_err *err)
{
	double read = (double)cc_csv_bytes_read(im->csv), total = (double)cc_csv_bytes_total(im->csv);
	double added = (double)im->rep->n_added, rest;

	im->bulk_weighed = true;
	if (!(read > 0) || !(total > read))
		return 0;
	rest = added * (total - read) / read;
	if (rest < ((double)im->existing + added) / 2)
		return 0;
	im->rep->bulk_load = true;
	return cc_store_incident_indexes_drop(im->st, &im->saved_ix, err);
}

static int import_row(struct evimp *im, struct cc_err *err)
{
	struct cc_err why = { 0 };
	struct cc_incident inc;
	enum cc_put_result res;
	int ret;

	ret = cc__row_width(im->row, im->n_header, &why);
	if (ret == 0)
		ret = row_to_incident(im, &inc, &why, err);
	if (ret == CC_EINVALID)
		return reject(im, &why);
	if (ret < 0)
		goto out_fail;
	inc.line = im->row->line;
	ret = cc_store_put_incident(im->st, &inc, im->batch, &res, err);
	if (ret < 0)
		goto out_fail;
	if (res == CC_PUT_DUPLICATE) {
		cc_err_set(&why, CC_EINVALID, "duplicate of line %ld", inc.line);
		bad(im, &why, im->c.id);
		return reject(im, &why);
	}
	switch (res) {
	case CC_PUT_ADDED:
		im->rep->n_added++;
		if (!im->first_added)
			im->first_added = inc.id;
		im->last_added = inc.id;
		break;
	case CC_PUT_UPDATED:
		im->rep->n_updated++;
		break;
	case CC_PUT_UNCHANGED:
	case CC_PUT_DUPLICATE:
		im->rep->n_unchanged++;
		break;
	}
	if (!im->bulk_weighed && (size_t)im->rep->n_added >= im->bulk_after &&
	    (ret = weigh_bulk(im, err)) < 0)
		goto out_fail;
	return 0;
out_fail:
	if (err && !err->line)
		cc_err_at(err, im->fname, im->row->line, NULL);
	return ret;
}

/* ---- the whole file ---- */

static int rejects_header(struct evimp *im, struct cc_err *err)
{
	int ret = cc__rejects_open(im->o->rejects_path, &im->rejects, err);

	if (ret == 0)
		ret = cc__csv_write_record(im->rejects, im->header, im->n_header, "error");
	return ret < 0 ? cc_err_set(err, ret, "cannot write rejects file '%s'", im->o->rejects_path)
	               : 0;
}

static void release(struct evimp *im)
{
	cc__locator_release(&im->loc);
	for (size_t i = 0; i < im->n_header; i++)
		cc_free(im->header[i]);
	cc_free(im->header);
	cc_free(im->saved_ix);
	cc_map_release(&im->names);
	cc_buf_release(&im->norm);
	cc_buf_release(&im->key);
}

int cc_import_events(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                     const struct cc_events_opts *eopts, struct cc_import_report *rep,
                     struct cc_err *err)
{
	static const struct cc_import_opts no_opts = { .period_from = CC_DATE_NONE,
		                                       .period_to = CC_DATE_NONE };
	struct evimp im = { .st = st, .o = opts ? opts : &no_opts, .rep = rep };
	struct cc_csv_opts copts = { 0 };
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	bool in_tx = false;
	char digest[65] = "";
	int ret, same;

	memset(rep, 0, sizeof(*rep));
	hash_ready();
	cc__locator_init(&im.loc, st);
	im.format = eopts ? eopts->format : CC_EVENTS_AUTO;
	im.fname = im.o->display_name ? im.o->display_name : path;
	cc_buf_init(&im.norm, CC_LIMIT_CSV_FIELD * 4);
	cc_buf_init(&im.key, CC_LIMIT_CSV_FIELD * 4 + 64);

	/* 1: the same file as the source's last import; decided after the header is checked */
	if ((same = cc__import_source(st, path, im.o, &im.mission, &im.src, digest, rep, err)) < 0) {
		ret = same;
		goto out;
	}
	rep->same_file = false;

	/* the header first: a file of the wrong format is refused even if it was seen before */
	copts.encoding = im.o->encoding;
	copts.display_name = im.fname;
	copts.no_digest = digest[0] != '\0';
	copts.map = im.o->map;
	copts.n_map = im.o->n_map;
	copts.map_fields = map_fields;
	if ((ret = cc_csv_open(&csv, path, &copts, err)) < 0)
		goto out;
	ret = cc_csv_next(csv, &row, err);
	if (ret > 0) {
		ret = cc_err_set(err, CC_EPARSE, "empty file: no header");
		cc_err_at(err, im.fname, 0, NULL);
		goto out;
	}
	if (ret < 0)
		goto out;
	if ((ret = cc__header_unique(row.fields, row.n_fields, im.fname, row.line, err)) < 0)
		goto out;
	if ((ret = map_header(&im, &row, err)) < 0) {
		cc_err_at(err, im.fname, row.line, NULL);
		goto out;
	}

	if (same) {
		rep->same_file = true;
		ret = 0;
		goto out;
	}
	if (im.o->rejects_path && (ret = rejects_header(&im, err)) < 0)
		goto out;

	if ((ret = cc_store_begin(st, err)) < 0)
		goto out;
	in_tx = true;
	im.csv = csv;
	/*
	 * Weighed early: until the indexes are dropped the store's page cache (64 MiB) fills with
	 * the indexed rows, and the peak memory of the whole import is reached there (after
	 * 100,000 rows: 80 MiB at any file size; after 10,000: 50 MiB).
	 */
	im.bulk_after = eopts && eopts->bulk_after ? eopts->bulk_after : 10000;
	if ((ret = cc_store_put_source(st, &im.src, err)) < 0 ||
	    (ret = cc_store_new_batch(st, &im.batch, err)) < 0 ||
	    (ret = cc_store_count_incidents(st, NULL, &im.existing, err)) < 0)
		goto out;
	while ((ret = cc_csv_next(csv, &row, err)) == 0) {
		im.row = &row;
		rep->n_read++;
		if ((ret = import_row(&im, err)) < 0)
			goto out;
		if (im.o->on_progress && (rep->n_read & 0x3fff) == 0)
			im.o->on_progress(im.o->progress_ctx, cc_csv_bytes_read(csv),
			                  cc_csv_bytes_total(csv), rep->n_read);
	}
	if (ret < 0)
		goto out;
	if (im.o->on_progress)
		im.o->on_progress(im.o->progress_ctx, cc_csv_bytes_read(csv),
		                  cc_csv_bytes_total(csv), rep->n_read);
	if (!digest[0])
		snprintf(rep->digest, sizeof(rep->digest), "%s", cc_csv_digest(csv));
	if (im.saved_ix && (ret = cc_store_incident_indexes_restore(st, im.saved_ix, err)) < 0)
		goto out;
	ret = cc__import_finish(st, im.o, rep,
	                        &(struct cc__import_end){ .table = "incident",
	                                                  .mission_id = im.mission.id,
	                                                  .batch = im.batch,
	                                                  .first_added = im.first_added,
	                                                  .last_added = im.last_added },
	                        &im.src, &in_tx, err);
out:
	if (in_tx)
		cc_store_rollback(st);
	if (im.rejects && fclose(im.rejects) != 0 && ret == 0)
		ret = cc_err_set(err, CC_EIO, "cannot write rejects file '%s'", im.o->rejects_path);
	cc_csv_close(csv);
	release(&im);
	return ret;
}

/* ---- one row given as fields (src/io/row_check.h) ---- */

int cc__event_row_check(struct cc_store *st, const struct cc__row_fields *f,
                        enum cc_events_format format, int64_t area_id, struct cc_incident *inc,
                        struct cc_err *why)
{
	struct cc_csv_row header = { .fields = (char **)f->names, .n_fields = f->n, .line = 1 };
	struct cc_csv_row row = { .fields = (char **)f->values, .n_fields = f->n, .line = 2 };
	struct evimp im = { .st = st, .format = format, .fname = "body", .given_area = area_id };
	int ret;

	cc__locator_init(&im.loc, st);
	cc_buf_init(&im.norm, CC_LIMIT_CSV_FIELD * 4);
	cc_buf_init(&im.key, CC_LIMIT_CSV_FIELD * 4 + 64);
	ret = map_header(&im, &header, why);
	if (ret == 0) {
		im.row = &row;
		ret = row_to_incident(&im, inc, why, why);
		inc->line = 0;
	}
	release(&im);
	return ret;
}
