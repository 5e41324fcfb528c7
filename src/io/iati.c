/*
 * The IATI importer: an IATI activity XML file (1.0x or 2.0x) → IATI activities, Concord
 * activities and result indicators (see <concord/iati.h>).
 *
 * Streamed with libxml2's xmlTextReader: each <iati-activity> is expanded into a small tree,
 * read into reused arrays, stored, and freed when the reader moves past it, so memory holds
 * one activity at a time plus the caches of organisations, sectors and area geometries.
 * Points are placed in admin areas by the locator the events importer uses too (io/locate.h:
 * R*Tree candidates per grid cell, GEOS prepared geometries decide, the deepest level wins).
 * GEOS and libxml2 allocate through the C library, not cc_malloc; Concord's own allocations
 * here go through it.
 *
 * Measured (-O2, loaded 2-core machine): the Iraq AIMS file (2.8 MB, 1,338 activities) in
 * 0.5–0.7 s for the whole command, peak RSS 40.5 MB (39.7 MB for `concord init` alone); the
 * same activities repeated with fresh identifiers: 56 MB in 4.4 s (59 MB RSS), 225 MB in 21 s
 * (113 MB), 449 MB in 61 s (117 MB). What grows up to there is SQLite's page cache of the
 * open transaction (cache_size 64 MiB), not the reader: doubling the file from 225 to 449 MB
 * added 4 MB.
 */
#include <concord/iati.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/indicators.h>
#include <concord/text.h>

#include "core/digest.h"
#include "io/import_util.h"
#include "io/locate.h"

#include "core/banned.h"

#define MAX_WARN      16  /* warnings kept per activity; more are summed up in one */

/* Where a result value goes in the indicator tables (parallel to the activity's values). */
struct vmap {
	int64_t area; /* 0: the whole mission */
	char sex[16], age[32];
	char why[160]; /* not "": kept in the IATI tables only, for this reason */
	long line;
	bool fed;
};

/* A growable array of items of one type. */
struct vec {
	void *p;
	size_t n, cap;
};

struct iimp {
	struct cc_store *st;
	const struct cc_import_opts *o;
	struct cc_import_report *rep;
	struct cc_iati_report *irep;
	const char *fname;
	struct cc_mission mission;
	struct cc_source src;
	int64_t batch;
	FILE *rejects;
	int64_t first_added, last_added;
	xmlTextReaderPtr r;
	/* the first XML error */
	bool xml_failed;
	char xml_msg[200];
	long xml_line;
	int xml_col;
	char file_version[8]; /* of the enclosing iati-activities, "" none */
	/* the activity being read */
	struct cc_iati_activity a;
	struct vec orgs, dates, rcps, secs, locs, buds, txs, inds, periods, vals, vmaps;
	struct cc_err warn[MAX_WARN];
	size_t n_warn;
	bool v1;
	/* caches */
	struct cc_map org_ids;    /* "ref\x1fname\x1ftype" → organisation id */
	struct cc_map sector_ids; /* "vocabulary\x1fcode" → sector id, -1 unknown */
	struct cc_map pcodes;     /* admin code → area id, 0 none */
	struct cc_map codes;      /* "list\x1fcode" → 1 known to the store's code list, 0 not */
	struct cc__locator loc; /* places points in areas */
	struct cc_buf norm, key;
	int64_t country_area; /* the mission's country as an area (level 0), 0 none */
	char country2[3];     /* its ISO alpha-2 code, "" unknown */
};

static int vec_push(struct vec *v, size_t size, void **out)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		void *p = cc_realloc(v->p, cap * size);

		if (!p)
			return CC_ENOMEM;
		v->p = p;
		v->cap = cap;
	}
	*out = (char *)v->p + v->n * size;
	memset(*out, 0, size);
	v->n++;
	return 0;
}

#define PUSH(vec, type, out) vec_push(&(vec), sizeof(type), (void **)(out))
#define AT(vec, type)        ((type *)(vec).p)

/* ---- XML helpers ---- */

static bool is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, name);
}

static long line_of(const xmlNode *n)
{
	long l = xmlGetLineNo(n);

	return l > 0 ? l : 0;
}

/* Copies s (trimmed) into buf of size n; returns buf. */
static char *copy_trim(const char *s, char *buf, size_t n)
{
	const char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	if ((size_t)(e - s) >= n) {
		e = s + n - 1;
		while (e > s && ((unsigned char)*e & 0xC0) == 0x80) /* keep UTF-8 whole */
			e--;
	}
	memmove(buf, s, (size_t)(e - s)); /* s may lie within buf (trimming in place) */
	buf[e - s] = '\0';
	return buf;
}

/* The attribute without namespace (trimmed; "" when absent) in buf of size n. */
static char *attr(const xmlNode *n, const char *name, char *buf, size_t len)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);

	buf[0] = '\0';
	if (v) {
		copy_trim((const char *)v, buf, len);
		xmlFree(v);
	}
	return buf;
}

/* The first element child named name, or NULL. */
static xmlNode *child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

/* Drops an incomplete UTF-8 sequence that truncation left at the end of buf (len bytes). */
static void utf8_cut(char *buf, size_t len)
{
	size_t i = len, need;
	unsigned char c;

	while (i > 0 && len - i < 4 && ((unsigned char)buf[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	c = (unsigned char)buf[i - 1];
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (i - 1 + need > len)
		buf[i - 1] = '\0';
}

/* The text of n's own text children (no descendants), trimmed, in buf. */
static char *own_text(const xmlNode *n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (xmlNode *c = n->children; c && off + 1 < len; c = c->next) {
		size_t k;

		if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) || !c->content)
			continue;
		k = strlen((const char *)c->content);
		if (k > len - 1 - off)
			k = len - 1 - off;
		memcpy(buf + off, c->content, k);
		off += k;
		buf[off] = '\0';
	}
	utf8_cut(buf, off);
	return copy_trim(buf, buf, len);
}

/*
 * The human text of an element: its English <narrative> (or one without xml:lang), else its
 * first narrative, else (IATI 1.0x) its own text.
 */
static char *text(const xmlNode *n, char *buf, size_t len)
{
	const xmlNode *first = NULL, *best = NULL;

	buf[0] = '\0';
	if (!n)
		return buf;
	for (xmlNode *c = n->children; c && !best; c = c->next) {
		xmlChar *lang;

		if (!is(c, "narrative"))
			continue;
		if (!first)
			first = c;
		lang = xmlNodeGetLang(c);
		if (!lang || !xmlStrcasecmp(lang, (const xmlChar *)"en"))
			best = c;
		xmlFree(lang);
	}
	if (!best)
		best = first;
	return own_text(best ? best : n, buf, len);
}

/* ---- problems ---- */

/* A warning about the activity being read: kept until the activity is stored. */
static void warn(struct iimp *im, long line, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void warn(struct iimp *im, long line, const char *field, const char *fmt, ...)
{
	struct cc_err *w;
	char msg[200];
	va_list ap;

	if (im->n_warn >= MAX_WARN) {
		im->n_warn++;
		return;
	}
	w = &im->warn[im->n_warn++];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cc_err_set(w, CC_EINVALID, "warning: %s", msg);
	cc_err_at(w, im->fname, line, field);
}

/* The row written to the rejects file for a problem of the current activity. */
static int problem_row(struct iimp *im, const struct cc_err *why, bool rejected)
{
	char *fields[2] = { im->a.identifier, (char *)why->field };
	struct cc_csv_row row = { .fields = fields, .n_fields = 2, .line = why->line };
	struct cc_err copy = *why;
	char msg[400];

	if (rejected)
		return cc__import_reject(im->o, im->rep, im->rejects, im->fname, &row, &copy);
	if (im->o->on_reject)
		im->o->on_reject(im->o->reject_ctx, why);
	if (!im->rejects)
		return 0;
	snprintf(msg, sizeof(msg), "%s", why->msg);
	return cc__csv_write_record(im->rejects, fields, 2, msg);
}

static int flush_warnings(struct iimp *im)
{
	size_t n = im->n_warn < MAX_WARN ? im->n_warn : MAX_WARN;
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++)
		ret = problem_row(im, &im->warn[i], false);
	if (ret == 0 && im->n_warn > MAX_WARN) {
		struct cc_err w = { 0 };

		cc_err_set(&w, CC_EINVALID, "warning: %zu more warnings for this activity",
		           im->n_warn - MAX_WARN);
		cc_err_at(&w, im->fname, im->a.line, "iati-activity");
		ret = problem_row(im, &w, false);
	}
	if (im->irep)
		im->irep->n_warnings += im->n_warn;
	return ret;
}

/* Sets why for a rejected activity; returns CC_EINVALID. */
static int bad(struct iimp *im, struct cc_err *why, long line, const char *field, const char *fmt,
               ...) __attribute__((format(printf, 5, 6)));

static int bad(struct iimp *im, struct cc_err *why, long line, const char *field, const char *fmt,
               ...)
{
	char msg[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cc_err_set(why, CC_EINVALID, "%s", msg);
	cc_err_at(why, im->fname, line, field);
	return CC_EINVALID;
}

/* ---- codes: 1.0x text codes onto 2.0x codes ---- */

struct code_map {
	const char *from, *to;
};

static const struct code_map date_types[] = {
	{ "start-planned", "1" },
	{ "start-actual", "2" },
	{ "end-planned", "3" },
	{ "end-actual", "4" },
};
static const struct code_map tx_types[] = {
	{ "IF", "1" }, { "C", "2" }, { "D", "3" },  { "E", "4" },  { "IR", "5" },
	{ "LR", "6" }, { "R", "7" }, { "QP", "8" }, { "QS", "9" }, { "CG", "10" },
};
static const struct code_map roles[] = {
	{ "Funding", "1" },
	{ "Accountable", "2" },
	{ "Extending", "3" },
	{ "Implementing", "4" },
};
static const struct code_map budget_types[] = { { "Original", "1" }, { "Revised", "2" } };
static const struct code_map sector_vocabs[] = {
	{ "DAC", "1" },  { "DAC-3", "2" }, { "COFOG", "3" }, { "NACE", "4" },
	{ "NTEE", "5" }, { "ADT", "6" },   { "RO2", "98" },  { "RO", "99" },
};
static const struct code_map statuses[] = { /* 1.0x ActivityStatus names */
	{ "Pipeline/identification", "1" },
	{ "Pipeline", "1" },
	{ "Implementation", "2" },
	{ "Completion", "3" },
	{ "Finalisation", "3" },
	{ "Post-completion", "4" },
	{ "Closed", "4" },
	{ "Cancelled", "5" },
	{ "Suspended", "6" },
};
static const struct code_map result_types[] = {
	{ "output", "1" },
	{ "outcome", "2" },
	{ "impact", "3" },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * The 2.0x code for s: s itself when numeric, else its 1.0x name mapped (case-insensitive),
 * else "" (unknown). Writes into out (size 8).
 */
static const char *code(const char *s, const struct code_map *m, size_t n, char out[static 8])
{
	out[0] = '\0';
	if (all_digits(s)) {
		snprintf(out, 8, "%s", s);
		return out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!strcasecmp(s, m[i].from)) {
			snprintf(out, 8, "%s", m[i].to);
			break;
		}
	}
	return out;
}

/* ---- values ---- */

/* An iso-date attribute: 0 (CC_DATE_NONE when absent) or CC_EINVALID with why set. */
static int date_attr(struct iimp *im, const xmlNode *n, const char *name, int32_t *out,
                     struct cc_err *why)
{
	char s[64];

	*out = CC_DATE_NONE;
	if (!n || !attr(n, name, s, sizeof(s))[0])
		return 0;
	if (strlen(s) < 10 || cc_date_parse(s, out, NULL) < 0)
		return bad(im, why, line_of(n), (const char *)n->name,
		           "%s '%s' is not a date (YYYY-MM-DD)", name, s);
	return 0;
}

/* A number written in an attribute or text; NAN when s is not one. */
static double number(const char *s)
{
	double v;

	if (!s[0] || cc_parse_double(s, &v, NULL) < 0 || !isfinite(v))
		return (double)NAN;
	return v;
}

/* The versions of the standard (1.01–1.05, 2.01–2.03); "1.0x" is Concord's mark for none. */
static bool known_version(const char *v)
{
	static const char *const ok[] = { "1.01", "1.02", "1.03", "1.04",
		                          "1.05", "2.01", "2.02", "2.03" };

	for (size_t i = 0; i < N_OF(ok); i++)
		if (!strcmp(v, ok[i]))
			return true;
	return false;
}

#define VERSIONS "1.01 to 1.05 or 2.01 to 2.03"

static bool no_ref(const char *ref)
{
	static const char *const none[] = { "N/A", "NA", "none", "null", "-", "0", "xx" };

	for (size_t i = 0; i < N_OF(none); i++)
		if (!strcasecmp(ref, none[i]))
			return true;
	return !ref[0];
}

/* An organisation element (reporting-org, participating-org, provider-org …). */
static void read_org(const xmlNode *n, struct cc_iati_org *o)
{
	char role[32];

	attr(n, "ref", o->ref, sizeof(o->ref));
	if (no_ref(o->ref))
		o->ref[0] = '\0';
	attr(n, "type", o->type, sizeof(o->type));
	code(attr(n, "role", role, sizeof(role)), roles, N_OF(roles), o->role);
	text(n, o->name, sizeof(o->name));
}

/* A <value> element: number, currency (else the default), value date. */
static int read_value(struct iimp *im, const xmlNode *v, double *value, char currency[static 4],
                      int32_t *value_date, struct cc_err *why)
{
	char s[64];

	if (!v)
		return bad(im, why, 0, "value", "value is missing");
	own_text(v, s, sizeof(s));
	*value = number(s);
	if (isnan(*value))
		return bad(im, why, line_of(v), "value", "value '%s' is not a number", s);
	attr(v, "currency", s, sizeof(s));
	copy_trim(s[0] ? s : im->a.default_currency, currency, 4);
	return date_attr(im, v, "value-date", value_date, why);
}

/* An administrative code that is a stored P-code: its area id, else 0. */
static int pcode_area(struct iimp *im, const char *code, int64_t *area_out, struct cc_err *err)
{
	struct cc_err cause = { 0 };
	struct cc_area a;
	int64_t v;
	int ret;

	*area_out = 0;
	if (!code[0])
		return 0;
	if (cc_map_get(&im->pcodes, code, &v) == 0) {
		*area_out = v;
		return 0;
	}
	ret = cc_store_find_area(im->st, code, &a, &cause);
	if (ret < 0 && ret != CC_ENOTFOUND)
		return cc_err_wrap(err, &cause, "cannot look up area '%s'", code);
	*area_out = ret == 0 ? a.id : 0;
	if (cc_map_put(&im->pcodes, code, *area_out) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	return 0;
}

/*
 * A code of a code list the schema does not check (OrganisationType, ActivityStatus): a
 * warning when the store's list does not know it (the schema tests' placeholder "xx", …).
 */
static int check_code(struct iimp *im, const char *list, const char *code, long line,
                      const char *field, struct cc_err *err)
{
	struct cc_err cause = { 0 };
	char out[16];
	int64_t known;
	int ret;

	if (!code[0])
		return 0;
	cc_buf_clear(&im->key);
	if ((ret = cc_buf_addf(&im->key, "%s\x1f%s", list, code)) < 0)
		return cc_err_set(err, ret, "out of memory");
	if (cc_map_get(&im->codes, im->key.buf, &known) != 0) {
		ret = cc_store_resolve_code(im->st, list, code, "", out, sizeof(out), &cause);
		if (ret < 0 && ret != CC_ENOTFOUND)
			return cc_err_wrap(err, &cause, "cannot look up %s '%s'", list, code);
		known = ret == 0;
		if (cc_map_put(&im->codes, im->key.buf, known) < 0)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	if (!known)
		warn(im, line, field, "'%s' is not a code of %s", code, list);
	return 0;
}

/* ---- one activity: reading ---- */

static void reset_activity(struct iimp *im)
{
	memset(&im->a, 0, sizeof(im->a));
	im->orgs.n = im->dates.n = im->rcps.n = im->secs.n = im->locs.n = 0;
	im->buds.n = im->txs.n = im->inds.n = im->periods.n = im->vals.n = im->vmaps.n = 0;
	im->n_warn = 0;
}

static int read_location(struct iimp *im, const xmlNode *n, struct cc_err *why, struct cc_err *err)
{
	struct cc_iati_location *l;
	const xmlNode *p = child(n, "point"), *c = child(n, "coordinates");
	char s[128], adm[96];
	size_t off = 0;
	int ret;

	if ((ret = PUSH(im->locs, struct cc_iati_location, &l)) < 0)
		return cc_err_set(err, ret, "out of memory");
	l->line = line_of(n);
	l->lat = l->lon = (double)NAN;
	attr(n, "ref", l->ref, sizeof(l->ref));
	text(child(n, "name"), l->name, sizeof(l->name));
	attr(child(n, "exactness"), "code", l->exactness, sizeof(l->exactness));
	if (p && child(p, "pos")) { /* 2.0x: "lat lon" */
		double lat, lon;
		char rest[8];

		own_text(child(p, "pos"), s, sizeof(s));
		for (char *q = s; (q = strstr(q, "\xc2\xa0"));) /* no-break space as separator */
			q[0] = q[1] = ' ';
		if (sscanf(s, "%lf %lf %7s", &lat, &lon, rest) != 2)
			return bad(im, why, line_of(p), "pos",
			           "point '%s' is not 'latitude longitude'", s);
		l->lat = lat;
		l->lon = lon;
	} else if (c) { /* 1.0x */
		char lo[64];

		attr(c, "latitude", s, sizeof(s));
		attr(c, "longitude", lo, sizeof(lo));
		if (s[0] || lo[0]) {
			l->lat = number(s);
			l->lon = number(lo);
			if (isnan(l->lat) || isnan(l->lon))
				return bad(im, why, line_of(c), "coordinates",
				           "latitude '%s' and longitude '%s' are not two numbers",
				           s, lo);
		}
		if (!l->exactness[0])
			attr(c, "precision", l->exactness, sizeof(l->exactness));
	}
	if (!isnan(l->lat) && (fabs(l->lat) > 90 || fabs(l->lon) > 180))
		return bad(im, why, l->line, p ? "pos" : "coordinates",
		           "coordinates %g %g out of range (latitude -90..90, longitude -180..180)",
		           l->lat, l->lon);
	for (const xmlNode *a = n->children; a; a = a->next) {
		char v[32], lv[16], cd[64];
		int k;

		if (!is(a, "administrative"))
			continue;
		attr(a, "code", cd, sizeof(cd));
		if (cd[0])
			k = snprintf(adm, sizeof(adm), "%s:%s:%s",
			             attr(a, "vocabulary", v, sizeof(v)),
			             attr(a, "level", lv, sizeof(lv)), cd);
		else /* 1.0x: country, adm1, adm2 */
			k = snprintf(adm, sizeof(adm), "country:%s;adm1:%s;adm2:%s",
			             attr(a, "country", v, sizeof(v)),
			             attr(a, "adm1", lv, sizeof(lv)),
			             attr(a, "adm2", s, sizeof(s)));
		if (k > 0 && off + (size_t)k + 2 < sizeof(l->admin)) {
			off += (size_t)snprintf(l->admin + off, sizeof(l->admin) - off, "%s%s",
			                        off ? ";" : "", adm);
		}
		if (!l->area_id && cd[0] && (ret = pcode_area(im, cd, &l->area_id, err)) < 0)
			return ret;
	}
	if (!isnan(l->lat)) {
		int64_t area = 0, swapped = 0;

		if ((ret = cc__locate(&im->loc, l->lat, l->lon, &area, NULL, err)) < 0)
			return ret;
		if (!area && fabs(l->lon) <= 90 && l->lat != l->lon &&
		    (ret = cc__locate(&im->loc, l->lon, l->lat, &swapped, NULL, err)) < 0)
			return ret;
		if (swapped)
			return bad(im, why, l->line, p ? "pos" : "coordinates",
			           "latitude and longitude look swapped: %g %g is in no area, "
			           "%g %g is",
			           l->lat, l->lon, l->lon, l->lat);
		if (area)
			l->area_id = area;
	}
	return 0;
}

static int read_budget(struct iimp *im, const xmlNode *n, enum cc_iati_budget_kind kind,
                       struct cc_err *why, struct cc_err *err)
{
	struct cc_iati_budget *b;
	char s[32];
	int ret;

	if ((ret = PUSH(im->buds, struct cc_iati_budget, &b)) < 0)
		return cc_err_set(err, ret, "out of memory");
	b->kind = kind;
	code(attr(n, "type", s, sizeof(s)), budget_types, N_OF(budget_types), b->type);
	if (s[0] && !b->type[0])
		warn(im, line_of(n), (const char *)n->name, "unknown type '%s'", s);
	attr(n, "status", b->status, sizeof(b->status));
	if ((ret = date_attr(im, child(n, "period-start"), "iso-date", &b->period_start, why)) <
	            0 ||
	    (ret = date_attr(im, child(n, "period-end"), "iso-date", &b->period_end, why)) < 0)
		return ret;
	ret = read_value(im, child(n, "value"), &b->value, b->currency, &b->value_date, why);
	if (ret < 0 && !why->line)
		cc_err_at(why, NULL, line_of(n), NULL);
	return ret;
}

static int read_transaction(struct iimp *im, const xmlNode *n, struct cc_err *why,
                            struct cc_err *err)
{
	struct cc_iati_transaction *t;
	const xmlNode *tt = child(n, "transaction-type");
	struct cc_iati_org o;
	char s[32];
	int ret;

	if ((ret = PUSH(im->txs, struct cc_iati_transaction, &t)) < 0)
		return cc_err_set(err, ret, "out of memory");
	code(attr(tt, "code", s, sizeof(s)), tx_types, N_OF(tx_types), t->type);
	if (!t->type[0])
		return bad(im, why, line_of(tt ? tt : n), "transaction-type",
		           s[0] ? "unknown transaction type '%s'" : "transaction type is missing%s",
		           s);
	if ((ret = date_attr(im, child(n, "transaction-date"), "iso-date", &t->date, why)) < 0)
		return ret;
	ret = read_value(im, child(n, "value"), &t->value, t->currency, &t->value_date, why);
	if (ret < 0) {
		if (!why->line)
			cc_err_at(why, NULL, line_of(n), NULL);
		return ret;
	}
	if (child(n, "provider-org")) {
		memset(&o, 0, sizeof(o));
		read_org(child(n, "provider-org"), &o);
		memcpy(t->provider_ref, o.ref, sizeof(t->provider_ref));
		copy_trim(o.name, t->provider_name, sizeof(t->provider_name));
	}
	if (child(n, "receiver-org")) {
		memset(&o, 0, sizeof(o));
		read_org(child(n, "receiver-org"), &o);
		memcpy(t->receiver_ref, o.ref, sizeof(t->receiver_ref));
		copy_trim(o.name, t->receiver_name, sizeof(t->receiver_name));
	}
	return 0;
}

/* A value of a result (baseline, target, actual): NAN with a warning when not a number. */
static double result_value(struct iimp *im, const xmlNode *n, const char *what)
{
	char s[64];
	double v;

	if (!n)
		return (double)NAN;
	attr(n, "value", s, sizeof(s));
	v = number(s);
	if (isnan(v) && s[0])
		warn(im, line_of(n), what, "%s value '%s' is not a number; not fed to indicators",
		     what, s);
	return v;
}

/* Appends "sep item" to buf (size n) when it fits; false when it did not. */
static bool append(char *buf, size_t n, const char *sep, const char *item)
{
	size_t off = strlen(buf);
	int k = snprintf(buf + off, n - off, "%s%s", off ? sep : "", item);

	if (k < 0 || (size_t)k >= n - off) {
		buf[off] = '\0';
		return false;
	}
	return true;
}

/*
 * A baseline, target or actual element into the activity's values: its value (none for a
 * qualitative indicator), the refs of its locations and its dimensions.
 */
static int read_result_value(struct iimp *im, const xmlNode *n, size_t ind, size_t period,
                             enum cc_iati_value_kind kind, int measure, struct cc_err *err)
{
	static const char *const what[] = { "baseline", "target", "actual" };
	struct cc_iati_result_value *v;
	struct vmap *m;
	bool dropped = false;
	int ret;

	if ((ret = PUSH(im->vals, struct cc_iati_result_value, &v)) < 0 ||
	    (ret = PUSH(im->vmaps, struct vmap, &m)) < 0)
		return cc_err_set(err, ret, "out of memory");
	v->indicator = ind;
	v->period = period;
	v->kind = kind;
	v->date = CC_DATE_NONE;
	v->value = measure != 5 ? result_value(im, n, what[kind]) : (double)NAN;
	m->line = line_of(n);
	for (const xmlNode *c = n->children; c; c = c->next) {
		char ref[128], name[128], val[128], item[260];

		if (is(c, "location") && attr(c, "ref", ref, sizeof(ref))[0]) {
			dropped |= !append(v->locations, sizeof(v->locations), ";", ref);
		} else if (is(c, "dimension")) {
			attr(c, "name", name, sizeof(name));
			attr(c, "value", val, sizeof(val));
			snprintf(item, sizeof(item), "%s=%s", name, val);
			dropped |= !append(v->dimensions, sizeof(v->dimensions), "\n", item);
		}
	}
	if (dropped)
		warn(im, m->line, what[kind],
		     "more locations or dimensions than Concord keeps; the rest are left out");
	return 0;
}

static int read_result(struct iimp *im, const xmlNode *n, int result, struct cc_err *why,
                       struct cc_err *err)
{
	char type[32], rtype[8] = "", s[64]; /* rtype whole into the digest: no stray tail */
	int position = 0, ret;

	code(attr(n, "type", type, sizeof(type)), result_types, N_OF(result_types), rtype);
	for (const xmlNode *c = n->children; c; c = c->next) {
		struct cc_iati_indicator *x;
		size_t ind;
		int measure;

		if (!is(c, "indicator"))
			continue;
		if ((ret = PUSH(im->inds, struct cc_iati_indicator, &x)) < 0)
			return cc_err_set(err, ret, "out of memory");
		ind = im->inds.n - 1;
		x->result = result;
		x->position = ++position;
		memcpy(x->result_type, rtype, sizeof(x->result_type));
		text(child(c, "title"), x->title, sizeof(x->title));
		attr(c, "ref", x->ref, sizeof(x->ref));
		if (!x->ref[0])
			attr(child(c, "reference"), "code", x->ref, sizeof(x->ref));
		attr(c, "measure", s, sizeof(s));
		x->measure = !strcasecmp(s, "percentage") ? 2
		             : all_digits(s)              ? (int)(s[0] - '0')
		                                          : 1;
		if (x->measure < 1 || x->measure > 5 || strlen(s) > 1) {
			if (all_digits(s))
				warn(im, line_of(c), "indicator",
				     "unknown measure '%s'; read as unit", s);
			x->measure = 1;
		}
		measure = x->measure;
		attr(c, "ascending", s, sizeof(s));
		x->ascending = !(s[0] == '0' || !strcasecmp(s, "false"));
		x->baseline_date = CC_DATE_NONE;
		x->baseline = (double)NAN;
		/* every baseline (2.03 allows several, by location and dimension) */
		for (const xmlNode *b = c->children; b; b = b->next) {
			struct cc_iati_result_value *v;
			int32_t date;
			int64_t y;

			if (!is(b, "baseline"))
				continue;
			if ((ret = date_attr(im, b, "iso-date", &date, why)) < 0)
				return ret;
			if (date == CC_DATE_NONE &&
			    cc_parse_i64(attr(b, "year", s, sizeof(s)), 1900, 2200, &y, NULL) == 0)
				date = cc_date_from_ymd((int)y, 1, 1);
			if ((ret = read_result_value(im, b, ind, SIZE_MAX, CC_IATI_VALUE_BASELINE,
			                             measure, err)) < 0)
				return ret;
			v = &AT(im->vals, struct cc_iati_result_value)[im->vals.n - 1];
			v->date = date;
			if (x->baseline_date == CC_DATE_NONE)
				x->baseline_date = date;
		}
		for (const xmlNode *p = c->children; p; p = p->next) {
			struct cc_iati_period *pe;
			size_t period;

			if (!is(p, "period"))
				continue;
			if ((ret = PUSH(im->periods, struct cc_iati_period, &pe)) < 0)
				return cc_err_set(err, ret, "out of memory");
			period = im->periods.n - 1;
			pe->indicator = ind;
			x->n_periods++;
			if ((ret = date_attr(im, child(p, "period-start"), "iso-date", &pe->start,
			                     why)) < 0 ||
			    (ret = date_attr(im, child(p, "period-end"), "iso-date", &pe->end,
			                     why)) < 0)
				return ret;
			pe->target = pe->actual = (double)NAN;
			for (const xmlNode *t = p->children; t; t = t->next) {
				if (is(t, "target"))
					ret = read_result_value(im, t, ind, period,
					                        CC_IATI_VALUE_TARGET, measure, err);
				else if (is(t, "actual"))
					ret = read_result_value(im, t, ind, period,
					                        CC_IATI_VALUE_ACTUAL, measure, err);
				if (ret < 0)
					return ret;
			}
		}
	}
	return 0;
}

/* ---- result values: their place in the indicator tables ---- */

/* s contains any of the words (case-insensitive). */
static bool has_any(const char *s, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasestr(s, words[i]))
			return true;
	return false;
}

static bool is_total(const char *s)
{
	return !s[0] || !strcasecmp(s, "total") || !strcasecmp(s, "all") || !strcasecmp(s, "both");
}

/* A dimension onto m's sex or age group; false (m->why set) when it is neither. */
static bool map_dimension(const char *name, const char *value, struct vmap *m)
{
	static const char *const sex_names[] = { "sex", "gender" };
	static const char *const female[] = { "female", "women", "woman", "girl", "feminin" };
	static const char *const male[] = { "male", "men", "boy", "masculin" };
	static const char *const age_names[] = { "age group", "age_group", "age-group",
		                                 "age range" };
	bool age = !strncasecmp(name, "age", 3) &&
	           !((name[3] >= 'a' && name[3] <= 'z') || (name[3] >= 'A' && name[3] <= 'Z'));
	const char *sex;

	if (has_any(name, sex_names, N_OF(sex_names))) {
		sex = is_total(value) ? ""
		      : !strcasecmp(value, "f") || has_any(value, female, N_OF(female))
		              ? "female" /* before "male", which "female" contains */
		      : !strcasecmp(value, "m") || has_any(value, male, N_OF(male)) ? "male"
		                                                                     : NULL;
		if (!sex) {
			snprintf(m->why, sizeof(m->why), "%s '%.40s' is neither female nor male",
			         name, value);
			return false;
		}
		if (m->sex[0] && sex[0] && strcmp(m->sex, sex) != 0) {
			snprintf(m->why, sizeof(m->why), "two sexes given");
			return false;
		}
		if (sex[0])
			snprintf(m->sex, sizeof(m->sex), "%s", sex);
		return true;
	}
	if (age || has_any(name, age_names, N_OF(age_names))) {
		if (is_total(value))
			return true;
		if (strlen(value) >= sizeof(m->age) || m->age[0]) {
			snprintf(m->why, sizeof(m->why), "age group '%.40s' %s", value,
			         m->age[0] ? "is a second age group" : "is too long");
			return false;
		}
		snprintf(m->age, sizeof(m->age), "%s", value);
		return true;
	}
	snprintf(m->why, sizeof(m->why), "broken down by '%.60s', neither sex nor age", name);
	return false;
}

/*
 * Where each value goes: the area of the activity locations it names (by point-in-polygon or
 * P-code; a location not placed is the whole mission), sex and age group from its dimensions.
 * A value naming a location the activity lacks, locations in different areas, or another
 * dimension stays in the IATI tables only (m->why says why). The periods' and indicators'
 * totals are the values for the whole mission with no dimension.
 */
static void map_values(struct iimp *im)
{
	struct cc_iati_result_value *v = AT(im->vals, struct cc_iati_result_value);
	struct vmap *m = AT(im->vmaps, struct vmap);
	const struct cc_iati_location *l = AT(im->locs, struct cc_iati_location);
	struct cc_iati_indicator *x = AT(im->inds, struct cc_iati_indicator);
	struct cc_iati_period *p = AT(im->periods, struct cc_iati_period);

	for (size_t k = 0; k < im->vals.n; k++) {
		char buf[512], *item, *next;
		int64_t area = -1;

		for (item = copy_trim(v[k].locations, buf, sizeof(buf)); *item && !m[k].why[0];
		     item = next) {
			size_t i;
			int64_t here;

			next = strchr(item, ';');
			next = next ? (*next = '\0', next + 1) : item + strlen(item);
			for (i = 0; i < im->locs.n && strcmp(l[i].ref, item) != 0; i++)
				;
			if (i == im->locs.n) {
				snprintf(m[k].why, sizeof(m[k].why),
				         "location '%.60s' is not one of the activity's", item);
				break;
			}
			here = l[i].area_id;
			if (area >= 0 && area != here)
				snprintf(m[k].why, sizeof(m[k].why),
				         "its locations lie in different areas");
			area = here;
		}
		m[k].area = area > 0 ? area : 0;
		for (item = copy_trim(v[k].dimensions, buf, sizeof(buf)); *item && !m[k].why[0];
		     item = next) {
			char *eq;

			next = strchr(item, '\n');
			next = next ? (*next = '\0', next + 1) : item + strlen(item);
			eq = strchr(item, '=');
			if (eq)
				*eq = '\0';
			map_dimension(item, eq ? eq + 1 : "", &m[k]);
		}
		if (m[k].why[0] || m[k].area || m[k].sex[0] || m[k].age[0] || isnan(v[k].value))
			continue;
		/* a total for the whole mission: the first one of its kind is the total */
		if (v[k].kind == CC_IATI_VALUE_BASELINE && isnan(x[v[k].indicator].baseline)) {
			x[v[k].indicator].baseline = v[k].value;
			if (v[k].date != CC_DATE_NONE)
				x[v[k].indicator].baseline_date = v[k].date;
		} else if (v[k].kind == CC_IATI_VALUE_TARGET && isnan(p[v[k].period].target)) {
			p[v[k].period].target = v[k].value;
		} else if (v[k].kind == CC_IATI_VALUE_ACTUAL && isnan(p[v[k].period].actual)) {
			p[v[k].period].actual = v[k].value;
		}
	}
}

/* Percentages of a group that do not sum to 100 (IATI's rule): a warning. */
static void check_percentages(struct iimp *im, const char *what, const char *field, long line,
                              size_t n, size_t n_given, double sum)
{
	if (n == 0 || (n == 1 && n_given == 0))
		return;
	if (n_given < n)
		warn(im, line, field, "%zu of %zu %s have no percentage", n - n_given, n, what);
	else if (fabs(sum - 100) > 0.01)
		warn(im, line, field, "%s percentages sum to %g, not 100", what, sum);
}

static void check_sectors(struct iimp *im)
{
	const struct cc_iati_sector *s = AT(im->secs, struct cc_iati_sector);

	for (size_t i = 0; i < im->secs.n; i++) {
		size_t n = 0, given = 0;
		double sum = 0;
		bool first = true;
		char what[48];

		for (size_t k = 0; k < i && first; k++)
			first = strcmp(s[k].vocabulary, s[i].vocabulary) != 0;
		if (!first)
			continue;
		for (size_t k = i; k < im->secs.n; k++) {
			if (strcmp(s[k].vocabulary, s[i].vocabulary) != 0)
				continue;
			n++;
			if (!isnan(s[k].percentage)) {
				given++;
				sum += s[k].percentage;
			}
		}
		snprintf(what, sizeof(what), "sectors of vocabulary %s", s[i].vocabulary);
		check_percentages(im, what, "sector", s[i].line, n, given, sum);
	}
}

/*
 * Reads the activity n into im->a and the arrays. 0, CC_EINVALID with why set (the activity is
 * rejected), or another error in err.
 */
static int read_activity(struct iimp *im, const xmlNode *n, struct cc_err *why, struct cc_err *err)
{
	struct cc_iati_activity *a = &im->a;
	const xmlNode *id = child(n, "iati-identifier"), *c1;
	size_t n_rcp_given = 0, n_empty_aid = 0;
	double rcp_sum = 0;
	long rcp_line = 0, empty_aid_line = 0;
	int result = 0, ret;
	int64_t hier;
	char s[64];
	xmlChar *v;

	reset_activity(im);
	a->line = line_of(n);
	a->mission_id = im->mission.id;
	a->source_id = im->src.id;
	/*
	 * The version: the activity's own, d-portal's copy of its file's, the file's (checked when
	 * the file was opened), else 1.0x. A version that is given must be one of the standard's.
	 */
	if ((v = xmlGetNoNsProp(n, (const xmlChar *)"version")) ||
	    (v = xmlGetProp(n, (const xmlChar *)"version"))) {
		char given[64];

		copy_trim((const char *)v, given, sizeof(given));
		xmlFree(v);
		if (!known_version(given))
			return bad(im, why, a->line, "version",
			           "version '%s' is not an IATI version (" VERSIONS ")", given);
		snprintf(a->version, sizeof(a->version), "%.7s", given);
	}
	if (!a->version[0])
		snprintf(a->version, sizeof(a->version), "%s",
		         im->file_version[0] ? im->file_version : "1.0x");
	im->v1 = a->version[0] == '1';
	if (id)
		own_text(id, a->identifier, sizeof(a->identifier));
	if (!a->identifier[0])
		return bad(im, why, id ? line_of(id) : a->line, "iati-identifier",
		           id ? "iati-identifier is empty" : "iati-identifier is missing");
	attr(n, "default-currency", a->default_currency, sizeof(a->default_currency));
	attr(n, "last-updated-datetime", a->last_updated, sizeof(a->last_updated));
	if (cc_parse_i64(attr(n, "hierarchy", s, sizeof(s)), 1, 99, &hier, NULL) == 0)
		a->hierarchy = (int)hier;
	attr(n, "humanitarian", s, sizeof(s));
	a->humanitarian = !strcmp(s, "1") || !strcasecmp(s, "true");
	text(child(n, "title"), a->title, sizeof(a->title));
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!is(c, "description"))
			continue;
		if (!a->description[0] || !strcmp(attr(c, "type", s, sizeof(s)), "1"))
			text(c, a->description, sizeof(a->description));
		if (!strcmp(s, "1"))
			break;
	}
	if ((c1 = child(n, "activity-status"))) {
		/* 1.0x may give the status as text only ("Implementation") */
		attr(c1, "code", s, sizeof(s));
		if (!s[0])
			own_text(c1, s, sizeof(s));
		code(s, statuses, N_OF(statuses), a->status);
		if (s[0] && !a->status[0])
			warn(im, line_of(c1), "activity-status", "unknown activity status '%s'", s);
		else if ((ret = check_code(im, "ActivityStatus", a->status, line_of(c1),
		                           "activity-status", err)) < 0)
			return ret;
	}
	if ((c1 = child(n, "reporting-org"))) {
		read_org(c1, &a->reporting);
		if ((ret = check_code(im, "OrganisationType", a->reporting.type, line_of(c1),
		                      "reporting-org", err)) < 0)
			return ret;
	}

	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || c->ns)
			continue;
		if (is(c, "participating-org")) {
			struct cc_iati_org *o;

			if ((ret = PUSH(im->orgs, struct cc_iati_org, &o)) < 0)
				return cc_err_set(err, ret, "out of memory");
			read_org(c, o);
			/*
			 * The rule the schema cannot state: an activity-id, when given, is not
			 * empty. A warning, not a rejection: real publishers write activity-id=""
			 * (12 of the 100 activities of the shared Ebola file), and Concord does not
			 * use the attribute.
			 */
			if (xmlHasNsProp(c, (const xmlChar *)"activity-id", NULL) &&
			    !attr(c, "activity-id", s, sizeof(s))[0] && !n_empty_aid++)
				empty_aid_line = line_of(c);
			if (!o->role[0])
				warn(im, line_of(c), "participating-org", "unknown role '%s'",
				     attr(c, "role", s, sizeof(s)));
			if ((ret = check_code(im, "OrganisationType", o->type, line_of(c),
			                      "participating-org", err)) < 0)
				return ret;
		} else if (is(c, "activity-date")) {
			struct cc_iati_date d = { 0 };
			char t[8];

			code(attr(c, "type", s, sizeof(s)), date_types, N_OF(date_types), t);
			if ((ret = date_attr(im, c, "iso-date", &d.date, why)) < 0)
				return ret;
			d.type = t[0] && !t[1] && t[0] >= '1' && t[0] <= '4' ? t[0] - '0' : 0;
			if (!d.type) {
				warn(im, line_of(c), "activity-date", "unknown date type '%s'", s);
				continue;
			}
			if (d.date == CC_DATE_NONE) {
				warn(im, line_of(c), "activity-date",
				     "activity-date of type %d has no iso-date", d.type);
				continue;
			}
			struct cc_iati_date *dp;

			if ((ret = PUSH(im->dates, struct cc_iati_date, &dp)) < 0)
				return cc_err_set(err, ret, "out of memory");
			*dp = d;
		} else if (is(c, "recipient-country") || is(c, "recipient-region")) {
			struct cc_iati_recipient *r;

			if (!attr(c, "code", s, sizeof(s))[0])
				continue; /* an empty code names nothing */
			if ((ret = PUSH(im->rcps, struct cc_iati_recipient, &r)) < 0)
				return cc_err_set(err, ret, "out of memory");
			r->region = is(c, "recipient-region");
			copy_trim(s, r->code, sizeof(r->code));
			if (r->region)
				attr(c, "vocabulary", r->vocabulary, sizeof(r->vocabulary));
			if (r->region && !r->vocabulary[0])
				snprintf(r->vocabulary, sizeof(r->vocabulary), "1");
			r->percentage = number(attr(c, "percentage", s, sizeof(s)));
			if (!rcp_line)
				rcp_line = line_of(c);
			if (!isnan(r->percentage)) {
				n_rcp_given++;
				rcp_sum += r->percentage;
			} else if (s[0]) {
				warn(im, line_of(c), (const char *)c->name,
				     "percentage '%s' is not a number", s);
			}
		} else if (is(c, "sector")) {
			struct cc_iati_sector *x;
			char voc[32];

			if (!attr(c, "code", s, sizeof(s))[0])
				continue;
			if ((ret = PUSH(im->secs, struct cc_iati_sector, &x)) < 0)
				return cc_err_set(err, ret, "out of memory");
			x->line = line_of(c);
			snprintf(x->code, sizeof(x->code), "%s", s);
			attr(c, "vocabulary", voc, sizeof(voc));
			if (!voc[0])
				snprintf(x->vocabulary, sizeof(x->vocabulary), "1");
			else if (!code(voc, sector_vocabs, N_OF(sector_vocabs), x->vocabulary)[0])
				copy_trim(voc, x->vocabulary, sizeof(x->vocabulary));
			x->percentage = number(attr(c, "percentage", s, sizeof(s)));
			if (isnan(x->percentage) && s[0])
				warn(im, x->line, "sector", "percentage '%s' is not a number", s);
		} else if (is(c, "location")) {
			if ((ret = read_location(im, c, why, err)) < 0)
				return ret;
		} else if (is(c, "budget")) {
			if ((ret = read_budget(im, c, CC_IATI_BUDGET, why, err)) < 0)
				return ret;
		} else if (is(c, "planned-disbursement")) {
			if ((ret = read_budget(im, c, CC_IATI_PLANNED_DISBURSEMENT, why, err)) < 0)
				return ret;
		} else if (is(c, "transaction")) {
			if ((ret = read_transaction(im, c, why, err)) < 0)
				return ret;
		} else if (is(c, "result")) {
			if ((ret = read_result(im, c, ++result, why, err)) < 0)
				return ret;
		}
	}
	if (n_empty_aid) /* one warning for them all */
		warn(im, empty_aid_line, "activity-id", "participating-org activity-id is empty%s",
		     n_empty_aid > 1 ? " (more than once in this activity)" : "");
	check_sectors(im);
	check_percentages(im, "recipient countries and regions", "recipient-country", rcp_line,
	                  im->rcps.n, n_rcp_given, rcp_sum);

	a->orgs = AT(im->orgs, struct cc_iati_org);
	a->n_orgs = im->orgs.n;
	a->dates = AT(im->dates, struct cc_iati_date);
	a->n_dates = im->dates.n;
	a->recipients = AT(im->rcps, struct cc_iati_recipient);
	a->n_recipients = im->rcps.n;
	a->sectors = AT(im->secs, struct cc_iati_sector);
	a->n_sectors = im->secs.n;
	a->locations = AT(im->locs, struct cc_iati_location);
	a->n_locations = im->locs.n;
	a->budgets = AT(im->buds, struct cc_iati_budget);
	a->n_budgets = im->buds.n;
	a->transactions = AT(im->txs, struct cc_iati_transaction);
	a->n_transactions = im->txs.n;
	a->indicators = AT(im->inds, struct cc_iati_indicator);
	a->n_indicators = im->inds.n;
	a->periods = AT(im->periods, struct cc_iati_period);
	a->n_periods = im->periods.n;
	a->values = AT(im->vals, struct cc_iati_result_value);
	a->n_values = im->vals.n;
	return 0;
}

/* The indicator codes: "IDENTIFIER#R.I", or "iati:HASH#R.I" when that is too long. */
static void indicator_codes(struct iimp *im)
{
	struct cc_iati_indicator *x = AT(im->inds, struct cc_iati_indicator);

	for (size_t i = 0; i < im->inds.n; i++) {
		int k = snprintf(x[i].code, sizeof(x[i].code), "%s#%d.%d", im->a.identifier,
		                 x[i].result, x[i].position);

		if (k < 0 || (size_t)k >= sizeof(x[i].code)) {
			struct cc_hash128 h;
			unsigned char d[16];
			char hex[33];

			cc_hash128_init(&h);
			cc_hash128_str(&h, im->a.identifier);
			cc_hash128_final(&h, d);
			cc_hex(d, 12, hex);
			snprintf(x[i].code, sizeof(x[i].code), "iati:%s#%d.%d", hex, x[i].result,
			         x[i].position);
		}
	}
}

/* Every field and detail (structs are zeroed before they are filled, so bytes are stable). */
static void activity_digest(struct iimp *im)
{
	struct cc_iati_activity *a = &im->a;
	const struct {
		const void *p;
		size_t n;
	} parts[] = {
		{ a->orgs, a->n_orgs * sizeof(*a->orgs) },
		{ a->dates, a->n_dates * sizeof(*a->dates) },
		{ a->recipients, a->n_recipients * sizeof(*a->recipients) },
		{ a->sectors, a->n_sectors * sizeof(*a->sectors) },
		{ a->locations, a->n_locations * sizeof(*a->locations) },
		{ a->budgets, a->n_budgets * sizeof(*a->budgets) },
		{ a->transactions, a->n_transactions * sizeof(*a->transactions) },
		{ a->indicators, a->n_indicators * sizeof(*a->indicators) },
		{ a->periods, a->n_periods * sizeof(*a->periods) },
		{ a->values, a->n_values * sizeof(*a->values) },
	};
	struct cc_hash128 h;

	cc_hash128_init(&h);
	cc_hash128_str(&h, a->identifier);
	cc_hash128_str(&h, a->version);
	cc_hash128_str(&h, a->title);
	cc_hash128_str(&h, a->description);
	cc_hash128_str(&h, a->status);
	cc_hash128_str(&h, a->default_currency);
	cc_hash128_i64(&h, a->hierarchy);
	cc_hash128_i64(&h, a->humanitarian);
	cc_hash128_str(&h, a->reporting.ref);
	cc_hash128_str(&h, a->reporting.type);
	cc_hash128_str(&h, a->reporting.name);
	cc_hash128_str(&h, a->last_updated);
	for (size_t i = 0; i < N_OF(parts); i++) {
		cc_hash128_i64(&h, (long long)parts[i].n);
		if (parts[i].n)
			crypto_generichash_update(&h.st, parts[i].p, parts[i].n);
	}
	cc_hash128_final(&h, a->digest);
}

/* ---- one activity: Concord records ---- */

/* The organisation (found by ref, else by name; created when new); 0 when o names none. */
static int resolve_org(struct iimp *im, const struct cc_iati_org *o, int64_t *id_out,
                       struct cc_err *err)
{
	struct cc_err cause = { 0 };
	struct cc_org org = { 0 };
	const char *probe[2] = { o->ref, o->name };
	int64_t id;
	int ret;

	*id_out = 0;
	if (!o->ref[0] && !o->name[0])
		return 0;
	cc_buf_clear(&im->key);
	if ((ret = cc_buf_addf(&im->key, "%s\x1f%s\x1f%s", o->ref, o->name, o->type)) < 0)
		return cc_err_set(err, ret, "out of memory");
	if (cc_map_get(&im->org_ids, im->key.buf, &id) == 0) {
		*id_out = id;
		return 0;
	}
	org.mission_id = im->mission.id;
	org.is_local = -1;
	for (size_t i = 0; i < 2 && !org.id; i++) {
		if (!probe[i][0])
			continue;
		if ((ret = cc_text_norm(probe[i], &im->norm)) < 0)
			return cc_err_set(err, ret, "organisation '%s' is not valid text",
			                  probe[i]);
		ret = cc_store_find_org(im->st, im->mission.id, im->norm.buf, &org, &cause);
		if (ret < 0 && ret != CC_ENOTFOUND)
			return cc_err_wrap(err, &cause, "cannot look up organisation '%s'",
			                   probe[i]);
	}
	if (!org.id) {
		if (o->ref[0])
			snprintf(org.key, sizeof(org.key), "%s", o->ref);
		else if ((ret = cc_text_norm(o->name, &im->norm)) == 0)
			snprintf(org.key, sizeof(org.key), "local:%s", im->norm.buf);
		else
			return cc_err_set(err, ret, "organisation '%s' is not valid text", o->name);
		snprintf(org.name, sizeof(org.name), "%s", o->name[0] ? o->name : o->ref);
		if (o->type[0]) {
			char t[8], kind[16];

			ret = cc_store_resolve_code(im->st, "OrganisationType", o->type, "", t,
			                            sizeof(t), &cause);
			if (ret == 0)
				snprintf(org.type, sizeof(org.type), "%s", t);
			else if (ret != CC_ENOTFOUND)
				return cc_err_wrap(err, &cause, "cannot resolve organisation type '%s'",
				                   o->type);
			ret = cc_store_resolve_code(im->st, "OrganisationKind", o->type, "", kind,
			                            sizeof(kind), &cause);
			if (ret == 0)
				snprintf(org.kind, sizeof(org.kind), "%s", kind);
			else if (ret != CC_ENOTFOUND)
				return cc_err_wrap(err, &cause, "cannot resolve organisation kind '%s'",
				                   o->type);
		}
		if ((ret = cc_store_put_org(im->st, &org, err)) < 0)
			return ret;
		for (size_t i = 0; i < 2; i++) {
			if (!probe[i][0])
				continue;
			if ((ret = cc_text_norm(probe[i], &im->norm)) < 0 ||
			    (ret = cc_store_put_org_alias(im->st, im->mission.id, org.id,
			                                  im->norm.buf, err)) < 0)
				return ret;
		}
	}
	if (cc_map_put(&im->org_ids, im->key.buf, org.id) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	*id_out = org.id;
	return 0;
}

/* The Concord sector of an IATI sector (vocabularies 1, 2, 10); 0 when the store has none. */
static int sector_id(struct iimp *im, const struct cc_iati_sector *s, int64_t *id_out,
                     struct cc_err *err)
{
	struct cc_err cause = { 0 };
	int64_t id;
	int ret;

	*id_out = 0;
	if (strcmp(s->vocabulary, "1") && strcmp(s->vocabulary, "2") && strcmp(s->vocabulary, "10"))
		return 0;
	cc_buf_clear(&im->key);
	if ((ret = cc_buf_addf(&im->key, "%s\x1f%s", s->vocabulary, s->code)) < 0)
		return cc_err_set(err, ret, "out of memory");
	if (cc_map_get(&im->sector_ids, im->key.buf, &id) == 0) {
		*id_out = id > 0 ? id : 0;
		return 0;
	}
	ret = cc_store_sector_id(im->st, s->vocabulary, s->code, &id, &cause);
	if (ret < 0 && ret != CC_ENOTFOUND)
		return cc_err_wrap(err, &cause, "cannot look up sector '%s'", s->code);
	if (ret == CC_ENOTFOUND)
		id = -1;
	if (cc_map_put(&im->sector_ids, im->key.buf, id) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	*id_out = id > 0 ? id : 0;
	return 0;
}

static int32_t first_date(const struct cc_iati_activity *a, int type1, int type2)
{
	int32_t d1 = CC_DATE_NONE, d2 = CC_DATE_NONE;

	for (size_t i = 0; i < a->n_dates; i++) {
		if (a->dates[i].type == type1 && d1 == CC_DATE_NONE)
			d1 = a->dates[i].date;
		if (a->dates[i].type == type2 && d2 == CC_DATE_NONE)
			d2 = a->dates[i].date;
	}
	return d1 != CC_DATE_NONE ? d1 : d2;
}

static bool seen_before(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/*
 * The sectors and areas of a's Concord activities (see the header): *n_areas 0 when the
 * activity is not the mission's.
 */
static int concord_keys(struct iimp *im, const struct cc_iati_activity *a,
                        int64_t secs[static 16], size_t *n_secs_out, int64_t areas[static 16],
                        size_t *n_areas_out, struct cc_err *err)
{
	size_t n_secs = 0, n_areas = 0;
	int ret;

	*n_secs_out = *n_areas_out = 0;
	for (size_t i = 0; i < a->n_sectors && n_secs < 16; i++) {
		int64_t id;

		if ((ret = sector_id(im, &a->sectors[i], &id, err)) < 0)
			return ret;
		if (id && !seen_before(secs, n_secs, id))
			secs[n_secs++] = id;
	}
	for (size_t i = 0; i < a->n_locations && n_areas < 16; i++) {
		int64_t id = a->locations[i].area_id;

		if (id && !seen_before(areas, n_areas, id))
			areas[n_areas++] = id;
	}
	if (!n_secs)
		secs[n_secs++] = 0;
	if (!n_areas) {
		/* not located: the mission's country when it is a recipient, else not the mission's
		 */
		bool here = false;

		for (size_t i = 0; i < a->n_recipients && !here; i++)
			here = !a->recipients[i].region && im->country2[0] &&
			       !strcasecmp(a->recipients[i].code, im->country2);
		if (!here || !im->country_area)
			return 0;
		areas[n_areas++] = im->country_area;
	}
	*n_secs_out = n_secs;
	*n_areas_out = n_areas;
	return 0;
}

/* The natural key of the Concord activity of an IATI activity for a sector and an area. */
static void concord_natkey(const char *identifier, int64_t sector, int64_t area,
                           unsigned char out[static 16])
{
	struct cc_hash128 h;

	cc_hash128_init(&h);
	cc_hash128_str(&h, "iati");
	cc_hash128_str(&h, identifier);
	cc_hash128_i64(&h, sector);
	cc_hash128_i64(&h, area);
	cc_hash128_final(&h, out);
}

/* The Concord activities of the IATI activity: one per sector × area (see the header). */
static int put_concord(struct iimp *im, struct cc_err *err)
{
	const struct cc_iati_activity *a = &im->a;
	int64_t secs[16], areas[16];
	size_t n_secs = 0, n_areas = 0;
	int64_t org = 0, impl = 0, funder = 0;
	struct cc_activity act;
	int ret;

	if ((ret = resolve_org(im, &a->reporting, &org, err)) < 0)
		return ret;
	for (size_t i = 0; i < a->n_orgs; i++) {
		int64_t *to = !strcmp(a->orgs[i].role, "4")   ? &impl
		              : !strcmp(a->orgs[i].role, "1") ? &funder
		                                              : NULL;

		if (to && !*to && (ret = resolve_org(im, &a->orgs[i], to, err)) < 0)
			return ret;
	}
	if (!org) /* no reporting-org: the first participating organisation leads */
		for (size_t i = 0; i < a->n_orgs && !org; i++)
			if ((ret = resolve_org(im, &a->orgs[i], &org, err)) < 0)
				return ret;
	if ((ret = concord_keys(im, a, secs, &n_secs, areas, &n_areas, err)) < 0)
		return ret;
	for (size_t s = 0; s < n_secs; s++) {
		for (size_t k = 0; k < n_areas; k++) {
			enum cc_put_result res;
			struct cc_hash128 h;
			long dup = 0;

			memset(&act, 0, sizeof(act));
			act.mission_id = im->mission.id;
			act.source_id = im->src.id;
			act.kind = CC_KIND_ACTIVITY;
			act.title = a->title;
			act.description = a->description;
			act.status = a->status;
			act.org_id = org;
			act.impl_org_id = impl;
			act.funder_org_id = funder;
			act.sector_id = secs[s];
			act.area_id = areas[k];
			act.lat = act.lon = (double)NAN;
			for (size_t i = 0; i < a->n_locations; i++) {
				if (a->locations[i].area_id == areas[k] &&
				    !isnan(a->locations[i].lat)) {
					act.lat = a->locations[i].lat;
					act.lon = a->locations[i].lon;
					break;
				}
			}
			act.start_date = first_date(a, 2, 1);
			act.end_date = first_date(a, 4, 3);
			act.targeted = act.reached = act.budget = (double)NAN;
			snprintf(act.currency, sizeof(act.currency), "%s", a->default_currency);
			act.releasability = "public";
			act.line = a->line;
			concord_natkey(a->identifier, act.sector_id, act.area_id, act.natkey);
			cc_hash128_init(&h);
			crypto_generichash_update(&h.st, act.natkey, sizeof(act.natkey));
			crypto_generichash_update(&h.st, a->digest, sizeof(a->digest));
			cc_hash128_i64(&h, org);
			cc_hash128_i64(&h, impl);
			cc_hash128_i64(&h, funder);
			cc_hash128_double(&h, act.lat);
			cc_hash128_double(&h, act.lon);
			cc_hash128_final(&h, act.digest);
			if ((ret = cc_store_put_activity(im->st, &act, im->batch, &res, &dup,
			                                 err)) < 0)
				return ret;
		}
	}
	return 0;
}

/*
 * The mission's country as an area and its alpha-2 code (recipient-country uses alpha-2, the
 * mission alpha-3): the country code of the P-codes below it (OCHA P-codes start with it), else
 * the first two letters of the alpha-3 code. NEEDSWORK: an ISO 3166 table would be exact.
 */
static int mission_country(struct iimp *im, struct cc_err *err)
{
	struct cc_err cause = { 0 };
	struct cc_area_filter f = { .level = 1 };
	struct cc_area country, *kids = NULL;
	size_t n = 0;
	int ret;

	if (!im->mission.country[0])
		return 0;
	ret = cc_store_find_area(im->st, im->mission.country, &country, &cause);
	if (ret == CC_ENOTFOUND)
		return 0;
	if (ret < 0)
		return cc_err_wrap(err, &cause, "cannot look up area '%s'", im->mission.country);
	im->country_area = country.id;
	memcpy(im->country2, im->mission.country, 2);
	f.parent_id = country.id;
	if ((ret = cc_store_list_areas(im->st, &f, &kids, &n, err)) < 0)
		return ret;
	if (n && kids[0].pcode[0] >= 'A' && kids[0].pcode[0] <= 'Z' && kids[0].pcode[1] >= 'A' &&
	    kids[0].pcode[1] <= 'Z')
		memcpy(im->country2, kids[0].pcode, 2);
	cc_free(kids);
	return 0;
}

/* Two fed values of the same kind for the same series and date. */
static bool same_slot(const struct cc_iati_result_value *v, const struct vmap *m,
                      const struct cc_iati_period *p, size_t a, size_t b)
{
	return v[a].kind == v[b].kind && m[a].area == m[b].area && !strcmp(m[a].sex, m[b].sex) &&
	       !strcmp(m[a].age, m[b].age) &&
	       (v[a].kind == CC_IATI_VALUE_BASELINE || p[v[a].period].end == p[v[b].period].end);
}

/* One value fed to the indicator ind_id (see the header). */
static int feed_value(struct iimp *im, int64_t ind_id, size_t k, enum cc_bench_kind kind,
                      struct cc_err *err)
{
	const struct cc_iati_result_value *v = &AT(im->vals, struct cc_iati_result_value)[k];
	const struct vmap *m = &AT(im->vmaps, struct vmap)[k];
	const struct cc_iati_period *p = AT(im->periods, struct cc_iati_period);
	enum cc_put_result res;

	if (v->kind == CC_IATI_VALUE_ACTUAL) {
		struct cc_observation o = { .indicator_id = ind_id,
			                    .area_id = m->area,
			                    .period_start = p[v->period].start,
			                    .period_end = p[v->period].end,
			                    .value = v->value };

		snprintf(o.sex, sizeof(o.sex), "%s", m->sex);
		snprintf(o.age_group, sizeof(o.age_group), "%s", m->age);
		copy_trim(im->src.name, o.source, sizeof(o.source));
		return cc_store_put_observation(im->st, &o, &res, err);
	}
	struct cc_benchmark b = { .indicator_id = ind_id,
		                  .area_id = m->area,
		                  .kind = kind,
		                  .date = v->kind == CC_IATI_VALUE_BASELINE ? v->date
		                                                            : p[v->period].end,
		                  .value = v->value };

	snprintf(b.sex, sizeof(b.sex), "%s", m->sex);
	snprintf(b.age_group, sizeof(b.age_group), "%s", m->age);
	return cc_store_put_benchmark(im->st, &b, &res, err);
}

/*
 * The results into the indicator tables: an indicator per result indicator; each value for
 * its area, sex and age group (map_values): a baseline benchmark per baseline, a milestone per
 * period target (at the period end) and the series' last target as the target, an observation
 * per period actual. Values that stay apart are summed up in one warning per indicator.
 */
static int put_indicators(struct iimp *im, struct cc_err *err)
{
	const struct cc_iati_indicator *x = AT(im->inds, struct cc_iati_indicator);
	const struct cc_iati_period *p = AT(im->periods, struct cc_iati_period);
	const struct cc_iati_result_value *v = AT(im->vals, struct cc_iati_result_value);
	struct vmap *m = AT(im->vmaps, struct vmap);
	enum cc_put_result res;
	int ret;

	for (size_t i = 0; i < im->inds.n; i++) {
		struct cc_indicator ind = { 0 };
		size_t n_apart = 0, first_apart = SIZE_MAX;

		ind.mission_id = im->mission.id;
		snprintf(ind.code, sizeof(ind.code), "%s", x[i].code);
		if (x[i].title[0])
			snprintf(ind.name, sizeof(ind.name), "%s", x[i].title);
		else
			snprintf(ind.name, sizeof(ind.name), "indicator %d.%d of %.150s",
			         x[i].result, x[i].position, im->a.identifier);
		ind.measure = (enum cc_measure)x[i].measure;
		ind.higher_is_better = x[i].ascending;
		ind.aggregation = x[i].measure == 1 ? CC_AGG_SUM : CC_AGG_MEAN;
		ind.goal_min = ind.goal_max = (double)NAN;
		if ((ret = cc_store_put_indicator(im->st, &ind, &res, err)) < 0)
			return ret;
		for (size_t k = 0; k < im->vals.n; k++) {
			bool dup = false;

			if (v[k].indicator != i || isnan(v[k].value))
				continue;
			if (m[k].why[0]) {
				if (!n_apart++)
					first_apart = k;
				continue;
			}
			if (v[k].kind == CC_IATI_VALUE_BASELINE ? v[k].date == CC_DATE_NONE
			                                        : p[v[k].period].end == CC_DATE_NONE)
				continue; /* no date to put it at */
			for (size_t j = 0; j < k && !dup; j++)
				dup = m[j].fed && v[j].indicator == i && same_slot(v, m, p, j, k);
			if (dup) {
				warn(im, m[k].line, "indicator",
				     "indicator %d.%d: a second value for the same date and breakdown; "
				     "the first one is fed to indicators",
				     x[i].result, x[i].position);
				continue;
			}
			ret = feed_value(im, ind.id, k,
			                 v[k].kind == CC_IATI_VALUE_BASELINE ? CC_BENCH_BASELINE
			                                                     : CC_BENCH_MILESTONE,
			                 err);
			if (ret < 0)
				return ret;
			m[k].fed = true;
		}
		/* the target of a series: its target of the latest period */
		for (size_t k = 0; k < im->vals.n; k++) {
			bool later = false;

			if (v[k].indicator != i || !m[k].fed || v[k].kind != CC_IATI_VALUE_TARGET)
				continue;
			for (size_t j = 0; j < im->vals.n && !later; j++)
				later = j != k && m[j].fed && v[j].indicator == i &&
				        v[j].kind == CC_IATI_VALUE_TARGET && m[j].area == m[k].area &&
				        !strcmp(m[j].sex, m[k].sex) && !strcmp(m[j].age, m[k].age) &&
				        p[v[j].period].end > p[v[k].period].end;
			if (!later && (ret = feed_value(im, ind.id, k, CC_BENCH_TARGET, err)) < 0)
				return ret;
		}
		if (n_apart)
			warn(im, m[first_apart].line, "indicator",
			     "indicator %d.%d: %zu value%s kept in the IATI tables only, not fed to "
			     "indicators (the first: %s)",
			     x[i].result, x[i].position, n_apart, n_apart == 1 ? "" : "s",
			     m[first_apart].why);
	}
	return 0;
}

/* last-updated-datetime in seconds (UTC, zone offsets applied); -HUGE_VAL absent or unreadable. */
static double updated_at(const char *s)
{
	int32_t day;
	int h = 0, mi = 0, n = 0, oh = 0, om = 0;
	double sec = 0, t;
	const char *p;

	if (strlen(s) < 10 || cc_date_parse(s, &day, NULL) < 0)
		return -HUGE_VAL;
	p = s + 10;
	if (*p == 'T' && sscanf(p + 1, "%2d:%2d:%lf%n", &h, &mi, &sec, &n) == 3)
		p += 1 + n;
	t = (double)day * 86400 + h * 3600 + mi * 60 + sec;
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2)
		t -= (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
	return t;
}

/* The natural keys of the Concord activities an activity stored earlier gave rise to. */
struct old_keys {
	struct iimp *im;
	unsigned char keys[256][16];
	size_t n;
};

static int collect_keys(void *ctx, const struct cc_iati_activity *a, struct cc_err *err)
{
	struct old_keys *k = ctx;
	int64_t secs[16], areas[16];
	size_t n_secs, n_areas;
	int ret;

	if ((ret = concord_keys(k->im, a, secs, &n_secs, areas, &n_areas, err)) < 0)
		return ret;
	for (size_t i = 0; i < n_secs; i++)
		for (size_t j = 0; j < n_areas && k->n < 256; j++)
			concord_natkey(a->identifier, secs[i], areas[j], k->keys[k->n++]);
	return 0;
}

/*
 * The same activity (iati-identifier) stored from another file of the mission: the copy
 * last updated (last-updated-datetime; none is older than any) is kept, the earlier one
 * stored stays on a tie. *skip_out: this copy is not stored (a warning says why); else any
 * older copy is removed with its Concord activities (a warning says so too).
 */
static int other_copy(struct iimp *im, bool *skip_out, struct cc_err *err)
{
	struct cc_iati_stored other;
	struct cc_err cause = { 0 };
	struct old_keys *k;
	int ret;

	*skip_out = false;
	ret = cc_store_find_other_iati(im->st, im->mission.id, im->a.identifier, im->src.id,
	                               &other, &cause);
	if (ret == CC_ENOTFOUND)
		return 0;
	if (ret < 0)
		return cc_err_wrap(err, &cause, "cannot look up activity '%s'", im->a.identifier);
	if (updated_at(im->a.last_updated) <= updated_at(other.last_updated)) {
		warn(im, im->a.line, "iati-identifier",
		     "the same activity is stored from %.100s (last updated %s), not older than "
		     "this copy (%s): that one is kept",
		     other.source, other.last_updated[0] ? other.last_updated : "not given",
		     im->a.last_updated[0] ? im->a.last_updated : "not given");
		*skip_out = true;
		return 0;
	}
	if (!(k = cc_calloc(1, sizeof(*k))))
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	k->im = im;
	ret = cc_store_get_iati_activity(im->st, other.id, collect_keys, k, err);
	if (ret == 0)
		ret = cc_store_remove_iati_activity(im->st, other.id,
		                                    (const unsigned char (*)[16])k->keys, k->n, err);
	cc_free(k);
	if (ret < 0)
		return ret;
	warn(im, im->a.line, "iati-identifier",
	     "replaces the copy stored from %.100s (last updated %s), this one is newer (%s)",
	     other.source, other.last_updated[0] ? other.last_updated : "not given",
	     im->a.last_updated);
	return 0;
}

static int import_activity(struct iimp *im, const xmlNode *n, struct cc_err *err)
{
	bool skip;
	struct cc_err why = { 0 };
	enum cc_put_result res;
	long dup = 0;
	int ret;

	im->rep->n_read++;
	ret = read_activity(im, n, &why, err);
	if (ret == CC_EINVALID)
		return problem_row(im, &why, true);
	if (ret < 0)
		return ret;
	indicator_codes(im);
	map_values(im);
	activity_digest(im);
	if ((ret = other_copy(im, &skip, err)) < 0)
		return ret;
	if (skip) {
		im->rep->n_unchanged++;
		return flush_warnings(im);
	}
	if ((ret = cc_store_put_iati_activity(im->st, &im->a, im->batch, &res, &dup, err)) < 0)
		return ret;
	if (res == CC_PUT_DUPLICATE) {
		bad(im, &why, im->a.line, "iati-identifier",
		    "duplicate of the activity at line %ld", dup);
		return problem_row(im, &why, true);
	}
	switch (res) {
	case CC_PUT_ADDED:
		im->rep->n_added++;
		if (!im->first_added)
			im->first_added = im->a.id;
		im->last_added = im->a.id;
		break;
	case CC_PUT_UPDATED:
		im->rep->n_updated++;
		break;
	case CC_PUT_UNCHANGED:
	case CC_PUT_DUPLICATE:
		im->rep->n_unchanged++;
		break;
	}
	if ((ret = put_concord(im, err)) < 0 || (ret = put_indicators(im, err)) < 0)
		return ret;
	if (im->irep) {
		struct cc_iati_report *r = im->irep;

		r->n_activities++;
		r->n_transactions += im->a.n_transactions;
		r->n_budgets += im->a.n_budgets;
		r->n_locations += im->a.n_locations;
		for (size_t i = 0; i < im->a.n_locations; i++)
			r->n_placed += im->a.locations[i].area_id != 0;
		r->n_indicators += im->a.n_indicators;
		r->n_v1 += im->v1;
	}
	return flush_warnings(im);
}

/* ---- the whole file ---- */

static void on_xml_error(void *ctx, const xmlError *e)
{
	struct iimp *im = ctx;

	if (im->xml_failed || !e || e->level < XML_ERR_ERROR)
		return;
	im->xml_failed = true;
	im->xml_line = e->line;
	im->xml_col = e->int2;
	copy_trim(e->message ? e->message : "unknown error", im->xml_msg, sizeof(im->xml_msg));
}

/* libxml2 2.9 passes a non-const error; 2.12 a const one. */
static void xml_error_handler(void *ctx, xmlErrorPtr e)
{
	on_xml_error(ctx, e);
}

static int xml_fault(struct iimp *im, struct cc_err *err)
{
	if (!im->xml_failed) {
		const xmlError *e = xmlGetLastError();

		if (e)
			on_xml_error(im, e);
	}
	cc_err_set(err, CC_EPARSE, "not well-formed XML at line %ld, column %d: %s", im->xml_line,
	           im->xml_col, im->xml_failed ? im->xml_msg : "cannot read the file");
	cc_err_at(err, im->fname, im->xml_line, NULL);
	return CC_EPARSE;
}

static int rejects_header(struct iimp *im, struct cc_err *err)
{
	char *head[2] = { "iati-identifier", "element" };
	int ret = cc__rejects_open(im->o->rejects_path, &im->rejects, err);

	if (ret == 0)
		ret = cc__csv_write_record(im->rejects, head, 2, "error");
	return ret < 0 ? cc_err_set(err, ret, "cannot write rejects file '%s'", im->o->rejects_path)
	               : 0;
}

/*
 * Reads the file: 0, or < 0 (CC_EPARSE for a fault of the XML or a file that is not IATI).
 * Activities are stored as they are read, inside the caller's transaction.
 */
static int read_file(struct iimp *im, const char *path, struct cc_err *err)
{
	char root[64] = "";
	long root_line = 0;
	struct stat sb;
	bool in_acts = false, seen_acts = false;
	int ret = 0, rr;

	if (stat(path, &sb) == 0 && sb.st_size == 0) {
		cc_err_set(err, CC_EPARSE, "empty file (0 bytes): not an IATI activity file");
		cc_err_at(err, im->fname, 0, NULL);
		return CC_EPARSE;
	}
	xmlResetLastError();
	im->r = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	if (!im->r)
		return cc_err_set(err, CC_EIO, "cannot open '%s'", im->fname);
	xmlTextReaderSetStructuredErrorHandler(im->r, xml_error_handler, im);
	rr = xmlTextReaderRead(im->r);
	while (rr == 1) {
		int type = xmlTextReaderNodeType(im->r);
		const char *name = (const char *)xmlTextReaderConstLocalName(im->r);
		bool plain = !xmlTextReaderConstNamespaceUri(im->r);
		int depth = xmlTextReaderDepth(im->r);

		if (type == XML_READER_TYPE_ELEMENT && depth == 0) {
			snprintf(root, sizeof(root), "%s", name ? name : "");
			root_line = line_of(xmlTextReaderCurrentNode(im->r));
			if (!strcmp(root, "iati-organisations")) {
				cc_err_set(err, CC_EPARSE,
				           "an IATI organisation file, not activities");
				cc_err_at(err, im->fname, root_line, root);
				return CC_EPARSE;
			}
		}
		if (type == XML_READER_TYPE_ELEMENT && plain && name &&
		    !strcmp(name, "iati-activities")) {
			xmlChar *v = xmlTextReaderGetAttribute(im->r, (const xmlChar *)"version");

			im->file_version[0] = '\0';
			if (v) {
				char given[64];

				copy_trim((const char *)v, given, sizeof(given));
				xmlFree(v);
				if (!known_version(given)) {
					cc_err_set(err, CC_EPARSE,
					           "version '%s' is not an IATI version (" VERSIONS
					           ")",
					           given);
					cc_err_at(err, im->fname,
					          line_of(xmlTextReaderCurrentNode(im->r)), "version");
					return CC_EPARSE;
				}
				snprintf(im->file_version, sizeof(im->file_version), "%.7s", given);
			}
			seen_acts = true;
			in_acts = !xmlTextReaderIsEmptyElement(im->r);
		} else if (type == XML_READER_TYPE_END_ELEMENT && plain && name &&
		           !strcmp(name, "iati-activities")) {
			in_acts = false;
		} else if (type == XML_READER_TYPE_ELEMENT && plain && in_acts && name &&
		           !strcmp(name, "iati-activity")) {
			xmlNode *n = xmlTextReaderExpand(im->r);

			if (!n)
				return xml_fault(im, err);
			if ((ret = import_activity(im, n, err)) < 0) {
				if (!err || !err->line)
					cc_err_at(err, im->fname, im->a.line, NULL);
				return ret;
			}
			if (im->o->on_progress && (im->rep->n_read & 0xff) == 0)
				im->o->on_progress(im->o->progress_ctx,
				                   (uint64_t)xmlTextReaderByteConsumed(im->r), 0,
				                   im->rep->n_read);
			rr = xmlTextReaderNext(im->r);
			continue;
		}
		rr = xmlTextReaderRead(im->r);
	}
	if (rr < 0 || im->xml_failed)
		return xml_fault(im, err);
	if (!seen_acts) {
		cc_err_set(err, CC_EPARSE,
		           "not an IATI activity file: no <iati-activities> element (the root is "
		           "<%s>)",
		           root[0] ? root : "nothing");
		cc_err_at(err, im->fname, root_line, root);
		return CC_EPARSE;
	}
	return 0;
}

static void release(struct iimp *im)
{
	struct vec *v[] = { &im->orgs, &im->dates, &im->rcps,    &im->secs,
		            &im->locs, &im->buds,  &im->txs,     &im->inds,
		            &im->periods, &im->vals, &im->vmaps };

	if (im->r)
		xmlFreeTextReader(im->r);
	for (size_t i = 0; i < N_OF(v); i++)
		cc_free(v[i]->p);
	cc_map_release(&im->org_ids);
	cc_map_release(&im->sector_ids);
	cc_map_release(&im->pcodes);
	cc_map_release(&im->codes);
	cc__locator_release(&im->loc);
	cc_buf_release(&im->norm);
	cc_buf_release(&im->key);
}

int cc_import_iati_ex(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                      struct cc_import_report *rep, struct cc_iati_report *irep, struct cc_err *err)
{
	static const struct cc_import_opts no_opts = { .period_from = CC_DATE_NONE,
		                                       .period_to = CC_DATE_NONE };
	struct iimp im = { .st = st, .o = opts ? opts : &no_opts, .rep = rep, .irep = irep };
	size_t n_stale = 0;
	bool in_tx = false;
	char digest[65] = "";
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (irep)
		memset(irep, 0, sizeof(*irep));
	im.fname = im.o->display_name ? im.o->display_name : path;
	cc__locator_init(&im.loc, st);
	cc_buf_init(&im.norm, 4096);
	cc_buf_init(&im.key, 4096);
	LIBXML_TEST_VERSION

	if (!strcmp(path, "-")) {
		ret = cc_err_set(err, CC_EUSAGE,
		                 "IATI files are read from a file, not standard input");
		goto out;
	}
	ret = cc__import_source(st, path, im.o, &im.mission, &im.src, digest, rep, err);
	if (ret != 0) {
		ret = ret > 0 ? 0 : ret; /* 1: the same file as last time, nothing to do */
		goto out;
	}
	if (im.o->rejects_path && (ret = rejects_header(&im, err)) < 0)
		goto out;
	if ((ret = mission_country(&im, err)) < 0)
		goto out;
	if ((ret = cc_store_begin(st, err)) < 0)
		goto out;
	in_tx = true;
	if ((ret = cc_store_put_source(st, &im.src, err)) < 0 ||
	    (ret = cc_store_new_batch(st, &im.batch, err)) < 0)
		goto out;
	if ((ret = read_file(&im, path, err)) < 0)
		goto out;
	if (rep->n_rejected == 0) {
		if ((ret = cc_store_remove_stale_iati(st, im.src.id, im.batch, &rep->n_removed,
		                                      err)) < 0 ||
		    (ret = cc_store_remove_stale(st, im.src.id, im.batch, &n_stale, err)) < 0)
			goto out;
	} else {
		rep->kept_stale = im.src.batch != 0;
	}
	ret = cc__import_finish(st, im.o, rep,
	                        &(struct cc__import_end){ .table = "iati_activity",
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
	release(&im);
	return ret;
}

int cc_import_iati(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                   struct cc_import_report *rep, struct cc_err *err)
{
	return cc_import_iati_ex(st, path, opts, rep, NULL, err);
}

/* ---- the writer: IATI 2.03 ---- */

struct writer {
	xmlTextWriterPtr w;
	size_t n;
	bool failed;
};

/* Each call adds to a failure flag, so that a writer function reads as a list of elements. */
static void wcheck(struct writer *wr, int rc)
{
	if (rc < 0)
		wr->failed = true;
}

static void start(struct writer *wr, const char *name)
{
	wcheck(wr, xmlTextWriterStartElement(wr->w, (const xmlChar *)name));
}

static void end(struct writer *wr)
{
	wcheck(wr, xmlTextWriterEndElement(wr->w));
}

static void wattr(struct writer *wr, const char *name, const char *value)
{
	if (value && value[0])
		wcheck(wr, xmlTextWriterWriteAttribute(wr->w, (const xmlChar *)name,
		                                       (const xmlChar *)value));
}

static void wdate_attr(struct writer *wr, const char *name, int32_t day)
{
	char buf[11];

	if (day != CC_DATE_NONE)
		wattr(wr, name, cc_date_format(day, buf));
}

/* A number as xsd:decimal (no exponent): whole numbers plainly, others to 10 places. */
static const char *decimal(double v, char buf[static 48])
{
	size_t n;

	if (fabs(v) < 1e15 && v == floor(v)) {
		snprintf(buf, 48, "%.0f", v);
		return buf;
	}
	snprintf(buf, 48, "%.10f", v);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

static void wnum_attr(struct writer *wr, const char *name, double v)
{
	char buf[48];

	if (!isnan(v))
		wattr(wr, name, decimal(v, buf));
}

/* <name><narrative>text</narrative></name> */
static void wnarrative(struct writer *wr, const char *name, const char *text)
{
	start(wr, name);
	start(wr, "narrative");
	wcheck(wr, xmlTextWriterWriteString(wr->w, (const xmlChar *)(text ? text : "")));
	end(wr);
	end(wr);
}

static void worg(struct writer *wr, const char *name, const struct cc_iati_org *o)
{
	start(wr, name);
	wattr(wr, "ref", o->ref);
	wattr(wr, "type", o->type);
	wattr(wr, "role", o->role);
	if (o->name[0]) {
		start(wr, "narrative");
		wcheck(wr, xmlTextWriterWriteString(wr->w, (const xmlChar *)o->name));
		end(wr);
	}
	end(wr);
}

static void wvalue(struct writer *wr, double value, const char *currency, int32_t value_date)
{
	char buf[48];

	start(wr, "value");
	wattr(wr, "currency", currency);
	wdate_attr(wr, "value-date", value_date);
	wcheck(wr, xmlTextWriterWriteString(wr->w, (const xmlChar *)decimal(value, buf)));
	end(wr);
}

static void wlocation(struct writer *wr, const struct cc_iati_location *l)
{
	const char *p = l->admin;

	start(wr, "location");
	wattr(wr, "ref", l->ref);
	if (l->name[0])
		wnarrative(wr, "name", l->name);
	while (*p) { /* "vocabulary:level:code" entries; 1.0x ones (two parts) are left out */
		const char *e = strchr(p, ';');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char item[256], *c1, *c2;

		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		c1 = strchr(item, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c1 && c2 && !strchr(c2 + 1, ':') && item[0] != 'c') {
			*c1 = *c2 = '\0';
			start(wr, "administrative");
			wattr(wr, "vocabulary", item);
			wattr(wr, "level", c1 + 1);
			wattr(wr, "code", c2 + 1);
			end(wr);
		}
		p += len + (e ? 1 : 0);
	}
	if (!isnan(l->lat)) {
		char pos[100], la[48], lo[48];

		snprintf(pos, sizeof(pos), "%s %s", decimal(l->lat, la), decimal(l->lon, lo));
		start(wr, "point");
		wattr(wr, "srsName", "http://www.opengis.net/def/crs/EPSG/0/4326");
		start(wr, "pos");
		wcheck(wr, xmlTextWriterWriteString(wr->w, (const xmlChar *)pos));
		end(wr);
		end(wr);
	}
	if (l->exactness[0]) {
		start(wr, "exactness");
		wattr(wr, "code", l->exactness);
		end(wr);
	}
	end(wr);
}

/* A baseline, target or actual with its locations and dimensions. */
static void wresult_value(struct writer *wr, const char *name,
                          const struct cc_iati_result_value *v)
{
	char buf[512], *item, *next;

	start(wr, name);
	if (v->kind == CC_IATI_VALUE_BASELINE) {
		char year[8];
		int y, mo, d;

		cc_date_to_ymd(v->date, &y, &mo, &d);
		snprintf(year, sizeof(year), "%d", y);
		wattr(wr, "year", year);
		wdate_attr(wr, "iso-date", v->date);
	}
	wnum_attr(wr, "value", v->value);
	snprintf(buf, sizeof(buf), "%s", v->locations);
	for (item = buf; *item; item = next) {
		next = strchr(item, ';');
		next = next ? (*next = '\0', next + 1) : item + strlen(item);
		start(wr, "location");
		wattr(wr, "ref", item);
		end(wr);
	}
	snprintf(buf, sizeof(buf), "%s", v->dimensions);
	for (item = buf; *item; item = next) {
		char *eq;

		next = strchr(item, '\n');
		next = next ? (*next = '\0', next + 1) : item + strlen(item);
		eq = strchr(item, '=');
		if (eq)
			*eq = '\0';
		start(wr, "dimension");
		/* both attributes are required: written even when empty */
		wcheck(wr, xmlTextWriterWriteAttribute(wr->w, (const xmlChar *)"name",
		                                       (const xmlChar *)item));
		wcheck(wr, xmlTextWriterWriteAttribute(wr->w, (const xmlChar *)"value",
		                                       (const xmlChar *)(eq ? eq + 1 : "")));
		end(wr);
	}
	end(wr);
}

/*
 * The results: every stored value of an indicator (a store from before values were kept has
 * only the totals of the indicator and its periods, which are written then).
 */
static void wresults(struct writer *wr, const struct cc_iati_activity *a)
{
	for (size_t i = 0; i < a->n_indicators;) {
		int result = a->indicators[i].result;

		start(wr, "result");
		wattr(wr, "type",
		      a->indicators[i].result_type[0] ? a->indicators[i].result_type : "9");
		wnarrative(wr, "title", "");
		for (; i < a->n_indicators && a->indicators[i].result == result; i++) {
			const struct cc_iati_indicator *x = &a->indicators[i];
			bool has_values = false;
			char m[8];

			for (size_t k = 0; k < a->n_values && !has_values; k++)
				has_values = a->values[k].indicator == i;
			start(wr, "indicator");
			snprintf(m, sizeof(m), "%d", x->measure);
			wattr(wr, "measure", m);
			wattr(wr, "ascending", x->ascending ? "1" : "0");
			wnarrative(wr, "title", x->title);
			for (size_t k = 0; k < a->n_values; k++) {
				const struct cc_iati_result_value *v = &a->values[k];

				/* the schema requires a baseline's year */
				if (v->indicator == i && v->kind == CC_IATI_VALUE_BASELINE &&
				    v->date != CC_DATE_NONE)
					wresult_value(wr, "baseline", v);
			}
			if (!has_values && x->baseline_date != CC_DATE_NONE) {
				struct cc_iati_result_value v = { .kind = CC_IATI_VALUE_BASELINE,
					                          .date = x->baseline_date,
					                          .value = x->baseline };

				wresult_value(wr, "baseline", &v);
			}
			for (size_t k = 0; k < a->n_periods; k++) {
				const struct cc_iati_period *p = &a->periods[k];

				if (p->indicator != i)
					continue;
				start(wr, "period");
				start(wr, "period-start");
				wdate_attr(wr, "iso-date", p->start);
				end(wr);
				start(wr, "period-end");
				wdate_attr(wr, "iso-date", p->end);
				end(wr);
				for (int kind = CC_IATI_VALUE_TARGET; kind <= CC_IATI_VALUE_ACTUAL;
				     kind++) {
					const char *name =
					        kind == CC_IATI_VALUE_TARGET ? "target" : "actual";
					double total = kind == CC_IATI_VALUE_TARGET ? p->target
					                                            : p->actual;

					for (size_t j = 0; j < a->n_values; j++)
						if (a->values[j].period == k &&
						    (int)a->values[j].kind == kind)
							wresult_value(wr, name, &a->values[j]);
					if (!has_values && !isnan(total)) {
						struct cc_iati_result_value v = {
							.kind = (enum cc_iati_value_kind)kind,
							.date = CC_DATE_NONE,
							.value = total
						};

						wresult_value(wr, name, &v);
					}
				}
				end(wr);
			}
			end(wr);
		}
		end(wr);
	}
}

static int write_activity(void *ctx, const struct cc_iati_activity *a, struct cc_err *err)
{
	struct writer *wr = ctx;
	char buf[16];

	start(wr, "iati-activity");
	/* an xsd:dateTime: a date, "T" and a time */
	if (strlen(a->last_updated) >= 19 && a->last_updated[10] == 'T' &&
	    updated_at(a->last_updated) > -HUGE_VAL)
		wattr(wr, "last-updated-datetime", a->last_updated);
	wattr(wr, "default-currency", a->default_currency);
	if (a->hierarchy) {
		snprintf(buf, sizeof(buf), "%d", a->hierarchy);
		wattr(wr, "hierarchy", buf);
	}
	if (a->humanitarian)
		wattr(wr, "humanitarian", "1");
	start(wr, "iati-identifier");
	wcheck(wr, xmlTextWriterWriteString(wr->w, (const xmlChar *)a->identifier));
	end(wr);
	worg(wr, "reporting-org", &a->reporting);
	wnarrative(wr, "title", a->title);
	/* the schema wants a description: an activity without one gets its title (see iati.h) */
	start(wr, "description");
	wattr(wr, "type", "1");
	start(wr, "narrative");
	wcheck(wr, xmlTextWriterWriteString(
	                   wr->w, (const xmlChar *)(a->description[0] ? a->description : a->title)));
	end(wr);
	end(wr);
	for (size_t i = 0; i < a->n_orgs; i++)
		worg(wr, "participating-org", &a->orgs[i]);
	if (a->status[0]) {
		start(wr, "activity-status");
		wattr(wr, "code", a->status);
		end(wr);
	}
	if (a->n_dates == 0) {
		/* the schema wants an activity-date: the earliest transaction date (else budget
		 * start) as the actual start (see iati.h) */
		int32_t first = CC_DATE_NONE;

		for (size_t i = 0; i < a->n_transactions; i++) {
			const struct cc_iati_transaction *t = &a->transactions[i];
			int32_t d = t->date != CC_DATE_NONE ? t->date : t->value_date;

			if (d != CC_DATE_NONE && (first == CC_DATE_NONE || d < first))
				first = d;
		}
		for (size_t i = 0; i < a->n_budgets && first == CC_DATE_NONE; i++)
			first = a->budgets[i].period_start;
		if (first != CC_DATE_NONE) {
			start(wr, "activity-date");
			wattr(wr, "type", "2");
			wdate_attr(wr, "iso-date", first);
			end(wr);
		}
	}
	for (size_t i = 0; i < a->n_dates; i++) {
		start(wr, "activity-date");
		snprintf(buf, sizeof(buf), "%d", a->dates[i].type);
		wattr(wr, "type", buf);
		wdate_attr(wr, "iso-date", a->dates[i].date);
		end(wr);
	}
	for (int region = 0; region < 2; region++) {
		for (size_t i = 0; i < a->n_recipients; i++) {
			const struct cc_iati_recipient *r = &a->recipients[i];

			if (r->region != (region == 1))
				continue;
			start(wr, r->region ? "recipient-region" : "recipient-country");
			wattr(wr, "code", r->code);
			wattr(wr, "vocabulary", r->vocabulary);
			wnum_attr(wr, "percentage", r->percentage);
			end(wr);
		}
	}
	for (size_t i = 0; i < a->n_locations; i++)
		wlocation(wr, &a->locations[i]);
	for (size_t i = 0; i < a->n_sectors; i++) {
		start(wr, "sector");
		wattr(wr, "vocabulary", a->sectors[i].vocabulary);
		wattr(wr, "code", a->sectors[i].code);
		wnum_attr(wr, "percentage", a->sectors[i].percentage);
		end(wr);
	}
	for (int planned = 0; planned < 2; planned++) {
		for (size_t i = 0; i < a->n_budgets; i++) {
			const struct cc_iati_budget *b = &a->budgets[i];

			if ((b->kind == CC_IATI_PLANNED_DISBURSEMENT) != (planned == 1))
				continue;
			start(wr, planned ? "planned-disbursement" : "budget");
			wattr(wr, "type", b->type);
			if (!planned)
				wattr(wr, "status", b->status);
			start(wr, "period-start");
			wdate_attr(wr, "iso-date", b->period_start);
			end(wr);
			if (b->period_end != CC_DATE_NONE) {
				start(wr, "period-end");
				wdate_attr(wr, "iso-date", b->period_end);
				end(wr);
			}
			/* value-date is required: the period's start when the source had none */
			wvalue(wr, b->value, b->currency,
			       b->value_date != CC_DATE_NONE ? b->value_date : b->period_start);
			end(wr);
		}
	}
	for (size_t i = 0; i < a->n_transactions; i++) {
		const struct cc_iati_transaction *t = &a->transactions[i];

		start(wr, "transaction");
		start(wr, "transaction-type");
		wattr(wr, "code", t->type);
		end(wr);
		/* transaction-date and value-date are both required: each stands in for the
		 * other when the source gave only one (see iati.h) */
		if (t->date != CC_DATE_NONE || t->value_date != CC_DATE_NONE) {
			start(wr, "transaction-date");
			wdate_attr(wr, "iso-date", t->date != CC_DATE_NONE ? t->date : t->value_date);
			end(wr);
		}
		wvalue(wr, t->value, t->currency,
		       t->value_date != CC_DATE_NONE ? t->value_date : t->date);
		if (t->provider_ref[0] || t->provider_name[0]) {
			struct cc_iati_org o = { 0 };

			memcpy(o.ref, t->provider_ref, sizeof(o.ref));
			copy_trim(t->provider_name, o.name, sizeof(o.name));
			worg(wr, "provider-org", &o);
		}
		if (t->receiver_ref[0] || t->receiver_name[0]) {
			struct cc_iati_org o = { 0 };

			memcpy(o.ref, t->receiver_ref, sizeof(o.ref));
			copy_trim(t->receiver_name, o.name, sizeof(o.name));
			worg(wr, "receiver-org", &o);
		}
		end(wr);
	}
	wresults(wr, a);
	end(wr);
	wr->n++;
	if (wr->failed)
		return cc_err_set(err, CC_EIO, "cannot write activity '%s'", a->identifier);
	return 0;
}

/* libxml2's output callback of the _buf variant: appends to the caller's buffer. */
static int mem_write(void *ctx, const char *data, int len)
{
	return len > 0 && cc_buf_add(ctx, data, (size_t)len) < 0 ? -1 : len;
}

/* The activities into a file (path) or into mem. */
static int export_iati(struct cc_store *st, const char *mission, const char *path,
                       struct cc_buf *mem, size_t *n_out, struct cc_err *err)
{
	struct writer wr = { 0 };
	struct cc_mission m;
	struct cc_buf tmp = CC_BUF_INIT(4096);
	xmlOutputBufferPtr ob = NULL;
	FILE *f = NULL;
	char now[32];
	int ret;

	*n_out = 0;
	if ((ret = cc_store_get_mission(st, mission, &m, err)) < 0)
		return ret;
	if (mem) {
		path = "the IATI export";
		ob = xmlOutputBufferCreateIO(mem_write, NULL, mem, NULL);
	} else {
		/* written to FILE.tmp and renamed into place when complete */
		if ((ret = cc_buf_addf(&tmp, "%s.tmp", path)) < 0)
			return cc_err_set(err, ret, "path too long");
		/* our own FILE, so that libxml2 says nothing on stderr when it cannot be opened */
		if (!(f = fopen(tmp.buf, "w"))) {
			ret = cc_err_set(err, CC_EIO, "cannot create %s", tmp.buf);
			goto out_free;
		}
		ob = xmlOutputBufferCreateFile(f, NULL);
	}
	wr.w = ob ? xmlNewTextWriter(ob) : NULL; /* the writer owns ob */
	if (!wr.w) {
		if (ob)
			xmlOutputBufferClose(ob);
		ret = cc_err_set(err, CC_ENOMEM, "cannot start the XML writer");
		goto out_free;
	}
	cc__now_iso(now);
	now[19] = '\0'; /* xsd:dateTime without the zone letter */
	wcheck(&wr, xmlTextWriterSetIndent(wr.w, 1));
	wcheck(&wr, xmlTextWriterSetIndentString(wr.w, (const xmlChar *)" "));
	wcheck(&wr, xmlTextWriterStartDocument(wr.w, "1.0", "UTF-8", NULL));
	start(&wr, "iati-activities");
	wattr(&wr, "version", "2.03");
	wattr(&wr, "generated-datetime", now);
	if (wr.failed) {
		ret = cc_err_set(err, CC_EIO, "cannot write '%s'", path);
		goto out_free;
	}
	if ((ret = cc_store_each_iati_activity(st, m.id, write_activity, &wr, err)) < 0)
		goto out_free;
	end(&wr);
	wcheck(&wr, xmlTextWriterEndDocument(wr.w));
	wcheck(&wr, xmlTextWriterFlush(wr.w));
	if (wr.failed)
		ret = cc_err_set(err, CC_EIO, "cannot write '%s'", path);
	*n_out = wr.n;
out_free:
	if (wr.w)
		xmlFreeTextWriter(wr.w); /* flushes; the FILE stays ours */
	if (f && fclose(f) != 0 && ret == 0)
		ret = cc_err_set(err, CC_EIO, "cannot write %s", tmp.buf);
	if (ret == 0 && !mem && rename(tmp.buf, path) != 0)
		ret = cc_err_set(err, CC_EIO, "cannot rename %s to %s", tmp.buf, path);
	if (ret < 0 && f)
		remove(tmp.buf); /* never leave half a file */
	cc_buf_release(&tmp);
	return ret;
}

int cc_export_iati(struct cc_store *st, const char *mission, const char *path, size_t *n_out,
                   struct cc_err *err)
{
	return export_iati(st, mission, path, NULL, n_out, err);
}

int cc_export_iati_buf(struct cc_store *st, const char *mission, struct cc_buf *out, size_t *n_out,
                       struct cc_err *err)
{
	return export_iati(st, mission, NULL, out, n_out, err);
}
