/*
 * The needs and population importers: an HNO-style CSV → need records of one source, and a
 * population table → population by area of one source.
 *
 * Columns are found by HXL hashtag (the first row of the first CC_LIMIT_HXL_SCAN made of
 * hashtags). A file without a hashtag row is read through the built-in table of header names
 * below (header_aliases), which covers the OCHA HPC caseload export ("Admin 1 PCode", "Cluster",
 * "Category", "In Need", …) and OCHA's population statistics ("ADM_PCODE", "alpha_3",
 * "Population"): each known header is given the hashtag it stands for and the file is then read
 * as HXL. JIAF district tables (one column per sector, a "Final Severity" or "Final PiN"
 * column) are read cell by cell: each non-empty sector cell is one need of that sector, a bad
 * cell is rejected alone (so n_rejected counts cells there), and the severity and PiN tables
 * give separate records that the gap analysis joins per area and sector. A severity of 0 there
 * (JIAF 2025 writes it for Mine Action in 100 Afghan districts) is outside the 1–5 scale and
 * means that the sector was not classified in that area: the cell is stored as a need without a
 * severity, and one warning per column says how many such cells there were and where the first
 * is. Elsewhere (a #severity column) 0 is rejected like any value outside 1–5.
 *
 * Needs: a row is a total when its breakdown columns (#gender, #age_group, #population_group,
 * #is_disabled, or the caseload export's "Category") say "all" (gender "t"/"total", empty cells
 * too); every other row is kept as a breakdown and never added into a total. Sector "ALL" is
 * intersectoral: stored with no sector. Sector codes resolve as in the 3W importer (IASC cluster
 * code or alias, DAC 5 or 3 digits); a code written with '_' where the cluster list has '-'
 * (PRO_GBV for PRO-GBV) is tried with '-' as well. A missing number stays missing (NAN), never 0;
 * "N/A", negative and non-numeric figures reject the row, as do severities outside 1–5, unknown
 * P-codes and unknown sectors.
 */
#include <concord/needs.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/text.h>

#include "core/digest.h"
#include "core/limits.h"
#include "io/csv.h"
#include "io/hxl.h"
#include "io/import_util.h"
#include "io/row_check.h"

#include "core/banned.h"

#define MAX_LEVEL 5

/* Header names (lowercase, compared after trimming) of files without a hashtag row. */
static const struct {
	const char *header;
	const char *tag;
} header_aliases[] = {
	{ .header = "admin 1 pcode", .tag = "#adm1+code" },
	{ .header = "admin 1 p-code", .tag = "#adm1+code" },
	{ .header = "adm1_pcode", .tag = "#adm1+code" },
	{ .header = "admin 2 pcode", .tag = "#adm2+code" },
	{ .header = "admin 2 p-code", .tag = "#adm2+code" },
	{ .header = "adm2_pcode", .tag = "#adm2+code" },
	{ .header = "admin 3 pcode", .tag = "#adm3+code" },
	{ .header = "admin 3 p-code", .tag = "#adm3+code" },
	{ .header = "adm3_pcode", .tag = "#adm3+code" },
	{ .header = "adm_pcode", .tag = "#adm+code" },
	{ .header = "alpha_3", .tag = "#country+code" },
	{ .header = "iso3", .tag = "#country+code" },
	{ .header = "cluster", .tag = "#sector+code" },
	{ .header = "sector", .tag = "#sector+code" },
	{ .header = "category", .tag = "#category" },
	{ .header = "description", .tag = "#description" },
	{ .header = "gender", .tag = "#gender+code" },
	{ .header = "age group", .tag = "#age_group+code" },
	{ .header = "population group", .tag = "#population_group+code" },
	{ .header = "disabled", .tag = "#is_disabled" },
	{ .header = "population", .tag = "#population" },
	{ .header = "in need", .tag = "#inneed" },
	{ .header = "people in need", .tag = "#inneed" },
	{ .header = "pin", .tag = "#inneed" },
	{ .header = "targeted", .tag = "#targeted" },
	{ .header = "affected", .tag = "#affected" },
	{ .header = "reached", .tag = "#reached" },
	{ .header = "severity", .tag = "#severity" },
	{ .header = "year", .tag = "#date+year" },
};

/*
 * JIAF district tables (one column per sector, no sector column): recognised by a "Final
 * Severity" column (every sector column holds a severity) or a "Final PiN" column (people in
 * need). Each non-empty cell becomes one need of its sector; "Final …" is intersectoral.
 */
static const struct {
	const char *header;
	const char *code;
} wide_sectors[] = {
	{ .header = "cccm", .code = "CCM" },
	{ .header = "education", .code = "EDU" },
	{ .header = "nutrition", .code = "NUT" },
	{ .header = "food security", .code = "FSC" },
	{ .header = "health", .code = "HEA" },
	{ .header = "protection", .code = "PRO" },
	{ .header = "general protection", .code = "PRO" },
	{ .header = "shelter", .code = "SHL" },
	{ .header = "nfi", .code = "SHL" },
	{ .header = "wash", .code = "WSH" },
	{ .header = "early recovery", .code = "ERY" },
	{ .header = "child protection", .code = "PRO-CPN" },
	{ .header = "gbv", .code = "PRO-GBV" },
	{ .header = "mine action", .code = "PRO-MIN" },
	{ .header = "hlp", .code = "PRO-HLP" },
	{ .header = "final severity", .code = "ALL" },
	{ .header = "final pin", .code = "ALL" },
};

#define MAX_WIDE 32

enum kind { K_NEEDS, K_POPULATION };
enum wide { WIDE_NONE, WIDE_SEVERITY, WIDE_PIN };

struct cols {
	int adm[MAX_LEVEL + 1]; /* #admN+code; adm[0]: #adm+code (population layout) */
	int country;
	int sector;
	int category, label;
	int gender, age, group, disabled;
	int population, in_need, targeted, affected, reached, severity;
	int year;
};

struct imp {
	struct cc_store *st;
	const struct cc_import_opts *o;
	struct cc_import_report *rep;
	enum kind kind;
	const char *fname;
	struct cc_mission mission;
	struct cc_source src;
	int64_t batch;
	struct cc_hxl hxl;
	struct cols c;
	struct cc_csv_row *row;
	size_t n_header;       /* fields of the widest header record */
	struct cc_map areas;   /* "pcode" → id, "^pcode" → parent id */
	struct cc_map sectors; /* sector text → id, -1 unknown */
	struct cc_map seen;    /* population: "area/year" → line */
	struct cc_buf key, norm;
	enum wide wide;
	struct {
		int col;
		const char *code;
		char header[64];
		size_t n_zero;   /* severity tables: cells of 0, read as "not classified" */
		long first_zero; /* the line of the first of them */
	} wide_cols[MAX_WIDE];
	size_t n_wide;
	FILE *rejects;
	int64_t first_added, last_added;
};

static const char *cell(const struct imp *im, int col)
{
	return cc__csv_cell(im->row, col);
}

static const char *col_text(const struct imp *im, int col)
{
	return cc__hxl_col_text(&im->hxl, col);
}

/* The rejected row: why has message and field (or col names it); the location is added here. */
static int reject(struct imp *im, struct cc_err *why, int col)
{
	if (col >= 0 && !why->field[0])
		cc_err_at(why, NULL, 0, col_text(im, col));
	return cc__import_reject(im->o, im->rep, im->rejects, im->fname, im->row, why);
}

/* A rejection with a message: evaluates to CC_EINVALID so the caller passes it up. */
#define bad(why, im, col, ...)                        \
	(cc_err_set((why), CC_EINVALID, __VA_ARGS__), \
	 cc_err_at((why), NULL, 0, col_text((im), (col))), CC_EINVALID)

/* Copies src into dst (size n), cutting it short when it does not fit. */
static void copy(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* ---- columns ---- */

static int find(const struct cc_hxl *h, const char *pattern)
{
	const struct cc_hxl_col *col = cc_hxl_find(h, pattern);

	return col ? col->index : -1;
}

static void map_columns(struct imp *im)
{
	const struct cc_hxl *h = &im->hxl;
	struct cols *c = &im->c;
	char pat[32];

	c->adm[0] = find(h, "#adm+code");
	for (int l = 1; l <= MAX_LEVEL; l++) {
		snprintf(pat, sizeof(pat), "#adm%d+code", l);
		c->adm[l] = find(h, pat);
	}
	c->country = find(h, "#country+code");
	c->sector = find(h, "#sector+code");
	if (c->sector < 0)
		c->sector = find(h, "#sector");
	c->category = find(h, "#category");
	c->label = find(h, "#description");
	c->gender = find(h, "#gender");
	c->age = find(h, "#age_group");
	c->group = find(h, "#population_group");
	c->disabled = find(h, "#is_disabled");
	c->population = find(h, "#population");
	c->in_need = find(h, "#inneed");
	c->targeted = find(h, "#targeted");
	c->affected = find(h, "#affected");
	c->reached = find(h, "#reached");
	c->severity = find(h, "#severity");
	c->year = find(h, "#date+year");
}

static int check_columns(struct imp *im, struct cc_err *err)
{
	const struct cols *c = &im->c;
	bool area = false;

	for (int l = 0; l <= MAX_LEVEL; l++)
		area = area || c->adm[l] >= 0;
	if (im->kind == K_POPULATION) {
		if (!area)
			return cc_err_set(err, CC_EPARSE,
			                  "no admin-area P-code column (#adm1+code … "
			                  "or ADM_PCODE)");
		if (c->population < 0)
			return cc_err_set(err, CC_EPARSE, "no population column (#population)");
		return 0;
	}
	if (im->wide != WIDE_NONE) {
		if (!area)
			return cc_err_set(err, CC_EPARSE, "no admin-area P-code column");
		return 0;
	}
	if (c->sector < 0)
		return cc_err_set(err, CC_EPARSE, "no sector column (#sector+code)");
	if (c->in_need < 0 && c->targeted < 0 && c->reached < 0 && c->severity < 0)
		return cc_err_set(err, CC_EPARSE,
		                  "no people-in-need, targeted, reached or severity "
		                  "column (#inneed, #targeted, #reached, #severity)");
	return 0;
}

/* The header cell s trimmed and lowercased into h (size n). */
static void header_key(const char *s, char *h, size_t n)
{
	size_t k = 0;

	while (*s == ' ')
		s++;
	for (; *s && k + 1 < n; s++)
		h[k++] = (char)tolower((unsigned char)*s);
	while (k && h[k - 1] == ' ')
		k--;
	h[k] = '\0';
}

/* Finds the sector columns of a JIAF district table (see wide_sectors). */
static void detect_wide(struct imp *im, const struct cc_csv_row *header)
{
	char h[64];

	im->wide = WIDE_NONE;
	im->n_wide = 0;
	for (size_t i = 0; i < header->n_fields; i++) {
		header_key(header->fields[i], h, sizeof(h));
		if (!strcmp(h, "final severity"))
			im->wide = WIDE_SEVERITY;
		else if (!strcmp(h, "final pin"))
			im->wide = WIDE_PIN;
	}
	if (im->wide == WIDE_NONE)
		return;
	for (size_t i = 0; i < header->n_fields && im->n_wide < MAX_WIDE; i++) {
		header_key(header->fields[i], h, sizeof(h));
		for (size_t k = 0; k < sizeof(wide_sectors) / sizeof(wide_sectors[0]); k++) {
			if (strcmp(h, wide_sectors[k].header) != 0)
				continue;
			im->wide_cols[im->n_wide].col = (int)i;
			im->wide_cols[im->n_wide].code = wide_sectors[k].code;
			copy(im->wide_cols[im->n_wide].header, sizeof(im->wide_cols[0].header),
			     header->fields[i]);
			im->n_wide++;
			break;
		}
	}
}

/* Translates a header row by header_aliases into hashtags (unknown headers stay empty). */
static int alias_header(const struct cc_csv_row *row, const struct cc_column_map *map, size_t n_map,
                        struct cc_hxl *out, size_t *n_known, struct cc_err *err)
{
	char **tags = cc_alloc_array(row->n_fields ? row->n_fields : 1, sizeof(char *));
	static char empty[] = "";
	int ret;

	*n_known = 0;
	if (!tags)
		return CC_ENOMEM;
	for (size_t i = 0; i < row->n_fields; i++) {
		char h[64];

		header_key(row->fields[i], h, sizeof(h));
		tags[i] = empty;
		for (size_t m = 0; m < n_map && tags[i] == empty; m++) {
			char k[64];

			header_key(map[m].column, k, sizeof(k));
			if (!strcmp(h, k)) {
				tags[i] = (char *)map[m].tag;
				(*n_known)++;
			}
		}
		for (size_t a = 0;
		     tags[i] == empty && a < sizeof(header_aliases) / sizeof(header_aliases[0]);
		     a++)
			if (!strcmp(h, header_aliases[a].header)) {
				tags[i] = (char *)header_aliases[a].tag;
				(*n_known)++;
				break;
			}
	}
	ret = *n_known ? cc_hxl_parse(tags, row->n_fields, out, err) : 0;
	cc_free(tags);
	return ret;
}

/* Checks that every --map column is in the header row and every tag a hashtag. */
static int check_map(const struct cc_csv_row *row, const struct cc_column_map *map, size_t n_map,
                     struct cc_err *err)
{
	for (size_t m = 0; m < n_map; m++) {
		char k[64], h[64];
		bool found = false;

		if (!map[m].column || !map[m].tag || map[m].tag[0] != '#')
			return cc_err_set(err, CC_EUSAGE, "--map: write COLUMN=#tag");
		header_key(map[m].column, k, sizeof(k));
		for (size_t i = 0; i < row->n_fields && !found; i++) {
			header_key(row->fields[i], h, sizeof(h));
			found = !strcmp(h, k);
		}
		if (!found)
			return cc_err_set(err, CC_EUSAGE, "--map: no column '%s' in the header row",
			                  map[m].column);
	}
	return 0;
}

/* ---- areas and sectors ---- */

/* The area with this P-code (cached); CC_EINVALID with why set when unknown. */
static int area_by_code(struct imp *im, int col, int64_t *id_out, int64_t *parent_out,
                        struct cc_err *why)
{
	const char *pcode = cell(im, col);
	struct cc_area a = { 0 };
	int ret;

	if (cc_map_get(&im->areas, pcode, id_out) == 0) {
		cc_buf_clear(&im->key);
		if ((ret = cc_buf_addf(&im->key, "^%s", pcode)) < 0)
			return ret;
		return cc_map_get(&im->areas, im->key.buf, parent_out) == 0 ? 0 : CC_ENOMEM;
	}
	ret = cc_store_find_area(im->st, pcode, &a, NULL);
	if (ret == CC_ENOTFOUND)
		return bad(why, im, col, "unknown P-code '%s'", pcode);
	if (ret < 0)
		return cc_err_set(why, ret, "cannot look up P-code '%s'", pcode);
	if ((ret = cc_map_put(&im->areas, pcode, a.id)) < 0)
		return ret;
	cc_buf_clear(&im->key);
	if ((ret = cc_buf_addf(&im->key, "^%s", pcode)) < 0 ||
	    (ret = cc_map_put(&im->areas, im->key.buf, a.parent_id)) < 0)
		return ret;
	*id_out = a.id;
	*parent_out = a.parent_id;
	return 0;
}

/* The deepest P-code given; 0 when none (the whole country). Checks the levels nest. */
static int resolve_area(struct imp *im, int64_t *id_out, struct cc_err *why)
{
	int64_t id = 0, parent = 0, child_parent = 0;
	int child_col = -1;
	int ret;

	*id_out = 0;
	for (int l = MAX_LEVEL; l >= 0; l--) {
		int col = im->c.adm[l];

		if (col < 0 || !cell(im, col)[0])
			continue;
		if ((ret = area_by_code(im, col, &id, &parent, why)) < 0)
			return ret;
		if (!*id_out) {
			*id_out = id;
		} else if (child_parent != id) {
			cc_err_set(why, CC_EINVALID, "P-code '%s' is not in '%s'",
			           cell(im, child_col), cell(im, col));
			cc_err_at(why, NULL, 0, col_text(im, child_col));
			return CC_EINVALID;
		}
		child_parent = parent;
		child_col = col;
	}
	return 0;
}

static int try_sector(struct imp *im, const char *code, int64_t *id_out, struct cc_err *why)
{
	static const struct {
		const char *list, *vocabulary;
	} tries[] = {
		{ .list = "IASCCluster", .vocabulary = "10" },
		{ .list = "Sector", .vocabulary = "1" },
		{ .list = "SectorCategory", .vocabulary = "2" },
	};
	char resolved[64];
	int ret;

	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		ret = cc_store_resolve_code(im->st, tries[i].list, code, im->mission.country,
		                            resolved, sizeof(resolved), NULL);
		if (ret == CC_ENOTFOUND)
			continue;
		if (ret < 0)
			return cc_err_set(why, ret, "cannot resolve sector '%s'", code);
		return cc_store_sector_id(im->st, tries[i].vocabulary, resolved, id_out, why);
	}
	return CC_ENOTFOUND;
}

/* The sector id of code; 0 for "ALL" (intersectoral); why names col when unknown. */
static int sector_of(struct imp *im, const char *code, int col, int64_t *id_out, struct cc_err *why)
{
	char alt[64];
	int64_t id;
	int ret;

	*id_out = 0;
	if (!code[0])
		return bad(why, im, col, "sector is empty");
	if (!strcmp(code, "ALL") || !strcmp(code, "all"))
		return 0;
	if (cc_map_get(&im->sectors, code, &id) == 0) {
		if (id > 0) {
			*id_out = id;
			return 0;
		}
		goto unknown;
	}
	ret = try_sector(im, code, &id, why);
	if (ret == CC_ENOTFOUND && strchr(code, '_') && strlen(code) < sizeof(alt)) {
		snprintf(alt, sizeof(alt), "%s", code);
		for (char *p = alt; *p; p++)
			if (*p == '_')
				*p = '-';
		ret = try_sector(im, alt, &id, why);
	}
	if (ret == CC_ENOTFOUND)
		id = -1;
	else if (ret < 0)
		return ret;
	if ((ret = cc_map_put(&im->sectors, code, id)) < 0)
		return ret;
	if (id > 0) {
		*id_out = id;
		return 0;
	}
unknown:
	return bad(why, im, col,
	           "unknown sector code '%s' (not an IASC cluster, a DAC code or a known alias)",
	           code);
}

static int resolve_sector(struct imp *im, int64_t *id_out, struct cc_err *why)
{
	return sector_of(im, cell(im, im->c.sector), im->c.sector, id_out, why);
}

/* ---- values ---- */

/* A people figure: "" → NAN; N/A, non-numeric and negative are rejected. */
static int people(struct imp *im, int col, double *out, struct cc_err *why)
{
	const char *s = cell(im, col);

	*out = NAN;
	if (!s[0])
		return 0;
	if (!strcmp(s, "N/A") || !strcmp(s, "n/a") || !strcmp(s, "NA") || !strcmp(s, "-"))
		return bad(why, im, col,
		           "'%s' is not a number (leave the cell empty when the "
		           "figure is not given)",
		           s);
	if (cc_parse_double(s, out, NULL) < 0 || !isfinite(*out)) {
		*out = NAN;
		return bad(why, im, col, "'%s' is not a number", s);
	}
	if (*out < 0)
		return bad(why, im, col, "'%s' is negative", s);
	return 0;
}

static int severity(struct imp *im, int col, int *out, struct cc_err *why)
{
	const char *s = cell(im, col);
	double v;

	*out = 0;
	if (!s[0])
		return 0;
	if (cc_parse_double(s, &v, NULL) < 0 || v != floor(v) || v < 1 || v > 5)
		return bad(why, im, col, "severity '%s' is not a whole number in 1..5", s);
	*out = (int)v;
	return 0;
}

/* A severity cell that says 0 ("0", "0.0"). */
static bool is_zero(const char *s)
{
	double v;

	return s[0] && cc_parse_double(s, &v, NULL) == 0 && v == 0;
}

/*
 * The note on the 0 severities of a JIAF table, one per column that has them: handed to
 * on_reject as a warning (not counted as rejected: the cells are stored, without a severity).
 */
static void note_zeros(const struct imp *im)
{
	for (size_t i = 0; i < im->n_wide; i++) {
		struct cc_err w = { 0 };

		if (!im->wide_cols[i].n_zero || !im->o->on_reject)
			continue;
		cc_err_set(&w, CC_EINVALID,
		           "warning: %zu cell%s of severity 0 (the first on this line) read "
		           "as 'not classified' and stored without a severity",
		           im->wide_cols[i].n_zero, im->wide_cols[i].n_zero == 1 ? "" : "s");
		cc_err_at(&w, im->fname, im->wide_cols[i].first_zero, im->wide_cols[i].header);
		im->o->on_reject(im->o->reject_ctx, &w);
	}
}

/* Lowercase copy of a breakdown cell; "" for the values that mean "all". */
static void breakdown(const char *s, char *dst, size_t n, bool gender)
{
	size_t k = 0;

	for (; *s && k + 1 < n; s++)
		dst[k++] = (char)tolower((unsigned char)*s);
	dst[k] = '\0';
	if (!strcmp(dst, "all") || !strcmp(dst, "total") || (gender && !strcmp(dst, "t")))
		dst[0] = '\0';
}

/*
 * The caseload export's "Category": parts joined by " - " such as "Children - Male - IDP";
 * "total" or empty is the total row. Ages (children, adult, elderly) and sexes (male, female)
 * go to their columns, "People with Disabilities" to disability, the rest to the group.
 */
static void category(const char *s, struct cc_need *n)
{
	char part[128];

	while (*s) {
		const char *e = strstr(s, " - ");
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char low[128];

		if (len >= sizeof(part))
			len = sizeof(part) - 1;
		memcpy(part, s, len);
		part[len] = '\0';
		breakdown(part, low, sizeof(low), false);
		if (!strcmp(low, "male") || !strcmp(low, "female"))
			snprintf(n->sex, sizeof(n->sex), "%c", low[0]);
		else if (!strcmp(low, "children") || !strcmp(low, "adult") ||
		         !strcmp(low, "elderly"))
			copy(n->age_group, sizeof(n->age_group), low);
		else if (!strcmp(low, "people with disabilities"))
			snprintf(n->disability, sizeof(n->disability), "y");
		else if (low[0] && !n->pop_group[0])
			copy(n->pop_group, sizeof(n->pop_group), low);
		s += len;
		if (e)
			s = e + 3;
		else
			break;
	}
}

/* ---- one needs row ---- */

static int keys(struct imp *im, struct cc_need *n, int label_col, struct cc_err *why);

static int row_to_need(struct imp *im, struct cc_need *n, struct cc_err *why)
{
	const struct cols *c = &im->c;
	int ret;

	memset(n, 0, sizeof(*n));
	n->mission_id = im->mission.id;
	n->source_id = im->src.id;
	n->line = im->row->line;
	n->period_from = im->o->period_from;
	n->period_to = im->o->period_to;
	if ((ret = resolve_area(im, &n->area_id, why)) < 0 ||
	    (ret = resolve_sector(im, &n->sector_id, why)) < 0 ||
	    (ret = people(im, c->population, &n->population, why)) < 0 ||
	    (ret = people(im, c->in_need, &n->in_need, why)) < 0 ||
	    (ret = people(im, c->targeted, &n->targeted, why)) < 0 ||
	    (ret = people(im, c->affected, &n->affected, why)) < 0 ||
	    (ret = people(im, c->reached, &n->reached, why)) < 0 ||
	    (ret = severity(im, c->severity, &n->severity, why)) < 0)
		return ret;
	if (isnan(n->population) && isnan(n->in_need) && isnan(n->targeted) &&
	    isnan(n->affected) && isnan(n->reached) && !n->severity)
		return bad(why, im, c->in_need >= 0 ? c->in_need : c->sector,
		           "the row gives no figure (people in need, targeted, affected, "
		           "reached, population or severity)");
	breakdown(cell(im, c->gender), n->sex, sizeof(n->sex), true);
	breakdown(cell(im, c->age), n->age_group, sizeof(n->age_group), false);
	breakdown(cell(im, c->group), n->pop_group, sizeof(n->pop_group), false);
	breakdown(cell(im, c->disabled), n->disability, sizeof(n->disability), false);
	if (!strcmp(n->disability, "n") || !strcmp(n->disability, "no"))
		n->disability[0] = '\0';
	category(cell(im, c->category), n);
	n->is_total = !n->sex[0] && !n->age_group[0] && !n->pop_group[0] && !n->disability[0];
	copy(n->label, sizeof(n->label), cell(im, c->label));
	return keys(im, n, c->label, why);
}

/* The natural key (area, sector, period, breakdown, label) and the digest of n. */
static int keys(struct imp *im, struct cc_need *n, int label_col, struct cc_err *why)
{
	struct cc_hash128 h;

	if (cc_text_norm(n->label, &im->norm) < 0)
		return bad(why, im, label_col, "'%s' is not valid text", n->label);
	cc_hash128_init(&h);
	cc_hash128_i64(&h, n->area_id);
	cc_hash128_i64(&h, n->sector_id);
	cc_hash128_i64(&h, n->period_from);
	cc_hash128_i64(&h, n->period_to);
	cc_hash128_str(&h, n->sex);
	cc_hash128_str(&h, n->age_group);
	cc_hash128_str(&h, n->pop_group);
	cc_hash128_str(&h, n->disability);
	cc_hash128_str(&h, im->norm.buf);
	cc_hash128_final(&h, n->natkey);

	cc_hash128_init(&h);
	crypto_generichash_update(&h.st, n->natkey, sizeof(n->natkey));
	cc_hash128_str(&h, n->label);
	cc_hash128_i64(&h, n->is_total);
	cc_hash128_double(&h, n->population);
	cc_hash128_double(&h, n->in_need);
	cc_hash128_double(&h, n->targeted);
	cc_hash128_double(&h, n->affected);
	cc_hash128_double(&h, n->reached);
	cc_hash128_i64(&h, n->severity);
	cc_hash128_final(&h, n->digest);
	return 0;
}

static void count(struct imp *im, enum cc_put_result res, int64_t id)
{
	switch (res) {
	case CC_PUT_ADDED:
		im->rep->n_added++;
		if (!im->first_added)
			im->first_added = id;
		im->last_added = id;
		break;
	case CC_PUT_UPDATED:
		im->rep->n_updated++;
		break;
	case CC_PUT_UNCHANGED:
		im->rep->n_unchanged++;
		break;
	case CC_PUT_DUPLICATE:
		break;
	}
}

static int fail_row(struct imp *im, int ret, struct cc_err *why, struct cc_err *err)
{
	if (!why->msg[0])
		cc_err_set(why, ret, "%s", cc_code_text(ret));
	cc_err_at(why, im->fname, im->row->line, NULL);
	if (err)
		*err = *why;
	return ret;
}

static int import_need(struct imp *im, struct cc_err *err)
{
	struct cc_err why = { 0 };
	struct cc_need n;
	enum cc_put_result res;
	long dup_line = 0;
	int ret;

	ret = row_to_need(im, &n, &why);
	if (ret == CC_EINVALID || ret == CC_EPARSE)
		return reject(im, &why, -1);
	if (ret < 0)
		return fail_row(im, ret, &why, err);
	ret = cc_store_put_need(im->st, &n, im->batch, &res, &dup_line, &why);
	if (ret < 0)
		return fail_row(im, ret, &why, err);
	if (res == CC_PUT_DUPLICATE) {
		cc_err_set(&why, CC_EINVALID,
		           "duplicate of line %ld (same area, sector and "
		           "breakdown)",
		           dup_line);
		return reject(im, &why, im->c.sector);
	}
	count(im, res, n.id);
	return 0;
}

/* A JIAF row: one need per non-empty sector cell; a bad cell is rejected alone. */
static int import_wide(struct imp *im, struct cc_err *err)
{
	struct cc_err why = { 0 };
	int64_t area_id;
	int ret;

	ret = resolve_area(im, &area_id, &why);
	if (ret == CC_EINVALID)
		return reject(im, &why, -1);
	if (ret < 0)
		return fail_row(im, ret, &why, err);
	for (size_t i = 0; i < im->n_wide; i++) {
		int col = im->wide_cols[i].col;
		struct cc_need n = { 0 };
		enum cc_put_result res;
		long dup_line = 0;

		if (!cell(im, col)[0])
			continue; /* not given: no record, never 0 */
		memset(&why, 0, sizeof(why));
		n.mission_id = im->mission.id;
		n.source_id = im->src.id;
		n.line = im->row->line;
		n.period_from = im->o->period_from;
		n.period_to = im->o->period_to;
		n.is_total = true;
		n.area_id = area_id;
		n.population = n.in_need = n.targeted = n.affected = n.reached = NAN;
		copy(n.label, sizeof(n.label), im->wide_cols[i].header);
		ret = sector_of(im, im->wide_cols[i].code, col, &n.sector_id, &why);
		if (ret == 0 && im->wide == WIDE_SEVERITY && is_zero(cell(im, col))) {
			/* JIAF's 0: the sector was not classified in this area (Mine Action
			   where no contamination is known); kept as a record without a
			   severity, and counted for the note at the end of the file */
			if (!im->wide_cols[i].n_zero++)
				im->wide_cols[i].first_zero = im->row->line;
		} else if (ret == 0)
			ret = im->wide == WIDE_SEVERITY ? severity(im, col, &n.severity, &why)
			                                : people(im, col, &n.in_need, &why);
		if (ret == 0 && !n.sector_id && im->wide == WIDE_PIN)
			ret = people(im, im->c.population, &n.population, &why);
		if (ret == 0)
			ret = keys(im, &n, col, &why);
		if (ret == CC_EINVALID) {
			cc_err_at(&why, NULL, 0, im->wide_cols[i].header);
			if ((ret = reject(im, &why, -1)) < 0)
				return ret;
			continue;
		}
		if (ret < 0)
			return fail_row(im, ret, &why, err);
		ret = cc_store_put_need(im->st, &n, im->batch, &res, &dup_line, &why);
		if (ret < 0)
			return fail_row(im, ret, &why, err);
		if (res == CC_PUT_DUPLICATE) {
			cc_err_set(&why, CC_EINVALID,
			           "duplicate of line %ld (same area and sector)", dup_line);
			cc_err_at(&why, NULL, 0, im->wide_cols[i].header);
			if ((ret = reject(im, &why, -1)) < 0)
				return ret;
			continue;
		}
		count(im, res, n.id);
	}
	return 0;
}

/* ---- one population row ---- */

static int import_population(struct imp *im, struct cc_err *err)
{
	const struct cols *c = &im->c;
	struct cc_err why = { 0 };
	struct cc_population p = { 0 };
	enum cc_put_result res;
	const char *country = cell(im, c->country);
	const char *v;
	int col = -1;
	int64_t parent, line;
	double value;
	int ret;

	/* another country's row (global tables hold some sixty countries): skipped before any
	   check of its values, not rejected; it counts in n_read only (see needs.h) */
	if (c->country >= 0 && im->mission.country[0] && country[0] &&
	    strcasecmp(country, im->mission.country) != 0)
		return 0;
	v = cell(im, c->population);
	if (!v[0]) {
		(void)bad(&why, im, c->population, "population is empty");
		return reject(im, &why, -1);
	}
	if ((ret = people(im, c->population, &value, &why)) < 0)
		return reject(im, &why, -1);
	if (value > 1e12) {
		(void)bad(&why, im, c->population, "population '%s' is implausibly large", v);
		return reject(im, &why, -1);
	}
	for (int l = MAX_LEVEL; l >= 0 && col < 0; l--)
		if (c->adm[l] >= 0 && cell(im, c->adm[l])[0])
			col = c->adm[l];
	if (col < 0) {
		ret = bad(&why, im, c->adm[0] >= 0 ? c->adm[0] : c->adm[1], "P-code is empty");
		return reject(im, &why, -1);
	}
	ret = area_by_code(im, col, &p.area_id, &parent, &why);
	if (ret == CC_EINVALID)
		return reject(im, &why, -1);
	if (ret < 0)
		return fail_row(im, ret, &why, err);
	p.value = (int64_t)llround(value);
	if (c->year >= 0 && cell(im, c->year)[0]) {
		int64_t y;

		if (cc_parse_i64(cell(im, c->year), 1900, 2200, &y, NULL) < 0) {
			(void)bad(&why, im, c->year, "year '%s' is not a year in 1900..2200",
			          cell(im, c->year));
			return reject(im, &why, -1);
		}
		p.year = (int)y;
	} else if (im->o->period_from != CC_DATE_NONE) {
		int y, m, d;

		cc_date_to_ymd(im->o->period_from, &y, &m, &d);
		p.year = y;
	}
	p.source_id = im->src.id;
	p.line = im->row->line;
	cc_buf_clear(&im->key);
	if ((ret = cc_buf_addf(&im->key, "%lld/%d", (long long)p.area_id, p.year)) < 0)
		return fail_row(im, ret, &why, err);
	if (cc_map_get(&im->seen, im->key.buf, &line) == 0) {
		cc_err_set(&why, CC_EINVALID, "duplicate of line %lld (same area and year)",
		           (long long)line);
		return reject(im, &why, col);
	}
	if ((ret = cc_map_put(&im->seen, im->key.buf, p.line)) < 0)
		return fail_row(im, ret, &why, err);
	ret = cc_store_put_population(im->st, &p, im->batch, &res, &why);
	if (ret < 0)
		return fail_row(im, ret, &why, err);
	count(im, res, 0);
	return 0;
}

/* ---- the whole file ---- */

/* Copies a record (for the rejects file's header lines). */
static int keep_row(struct cc_csv_row *dst, const struct cc_csv_row *row)
{
	dst->n_fields = 0;
	dst->line = row->line;
	dst->fields = cc_alloc_array(row->n_fields ? row->n_fields : 1, sizeof(char *));
	if (!dst->fields)
		return CC_ENOMEM;
	for (size_t i = 0; i < row->n_fields; i++) {
		dst->fields[i] = cc_strdup(row->fields[i]);
		if (!dst->fields[i])
			return CC_ENOMEM;
		dst->n_fields++;
	}
	return 0;
}

static int run(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
               const struct cc_column_map *map, size_t n_map, struct cc_import_report *rep,
               enum kind kind, struct cc_err *err)
{
	static const struct cc_import_opts no_opts = { .period_from = CC_DATE_NONE,
		                                       .period_to = CC_DATE_NONE };
	struct imp im = { .st = st, .o = opts ? opts : &no_opts, .rep = rep, .kind = kind };
	struct cc_csv_opts copts = { 0 };
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	struct cc_csv_row pre[CC_LIMIT_HXL_SCAN];
	struct cc_csv_row first_data = { 0 }; /* a data row read while looking at the header */
	bool have_first = false, in_tx = false, names_hdr = false;
	struct cc_err why = { 0 };
	struct cc_column_map *own_map = NULL; /* opts->map as this reader's map */
	size_t n_pre = 0, n_known = 0;
	char digest[65] = "";
	int ret;

	memset(rep, 0, sizeof(*rep));
	memset(pre, 0, sizeof(pre));
	im.fname = im.o->display_name ? im.o->display_name : path;
	if (!n_map && im.o->n_map) {
		/* the generic --map (struct cc_import_map) is this reader's COLUMN=#tag map */
		own_map = cc_alloc_array(im.o->n_map, sizeof(*own_map));
		if (!own_map)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		for (size_t m = 0; m < im.o->n_map; m++)
			own_map[m] = (struct cc_column_map){ .column = im.o->map[m].column,
				                             .tag = im.o->map[m].field };
		map = own_map;
		n_map = im.o->n_map;
	}
	cc_buf_init(&im.key, 4096);
	cc_buf_init(&im.norm, CC_LIMIT_CSV_FIELD * 4);

	ret = cc__import_source(st, path, im.o, &im.mission, &im.src, digest, rep, err);
	if (ret != 0) {
		ret = ret > 0 ? 0 : ret; /* 1: the same file as last time, nothing to do */
		goto out;
	}

	copts.encoding = im.o->encoding;
	copts.display_name = im.fname;
	copts.no_digest = digest[0] != '\0';
	ret = cc_csv_open(&csv, path, &copts, err);
	if (ret < 0)
		goto out;

	/*
	 * The header: a hashtag row within the first CC_LIMIT_HXL_SCAN rows; or, when the first
	 * row is made of known header names and the second is no hashtag row, those names.
	 */
	for (;;) {
		ret = cc_csv_next(csv, &row, err);
		if (ret > 0 && n_pre == 1 && n_known >= 2 && !n_map) {
			/* a header of known names and no row: the file has no records */
			names_hdr = true;
			ret = alias_header(&pre[0], NULL, 0, &im.hxl, &n_known, err);
			if (ret < 0)
				goto out;
			if (kind == K_NEEDS)
				detect_wide(&im, &pre[0]);
			break;
		}
		if (ret > 0 || n_pre == CC_LIMIT_HXL_SCAN) {
			if (n_pre)
				ret = cc_err_set(err, CC_EPARSE,
				                 "no HXL hashtag row in the first %d "
				                 "rows and no known header names",
				                 CC_LIMIT_HXL_SCAN);
			else
				ret = cc_err_set(err, CC_EPARSE, "empty file: no header row");
			cc_err_at(err, im.fname, 0, NULL);
			goto out;
		}
		if (ret < 0)
			goto out;
		if (n_map) {
			/* --map: the first row is the header; mapped names, then known names */
			names_hdr = true;
			n_pre++;
			if ((ret = keep_row(&pre[0], &row)) < 0)
				goto out;
			if ((ret = check_map(&row, map, n_map, err)) < 0 ||
			    (ret = alias_header(&row, map, n_map, &im.hxl, &n_known, err)) < 0) {
				cc_err_at(err, im.fname, row.line, NULL);
				goto out;
			}
			if (kind == K_NEEDS)
				detect_wide(&im, &pre[0]);
			break;
		}
		ret = cc_hxl_parse(row.fields, row.n_fields, &im.hxl, err);
		if (ret < 0) {
			cc_err_at(err, im.fname, row.line, NULL);
			goto out;
		}
		if (ret == 0 && n_pre == 1 && n_known >= 2) {
			/* the first row named the columns and this one is data */
			names_hdr = true;
			if ((ret = keep_row(&first_data, &row)) < 0)
				goto out;
			have_first = true;
			ret = alias_header(&pre[0], NULL, 0, &im.hxl, &n_known, err);
			if (ret < 0)
				goto out;
			if (kind == K_NEEDS)
				detect_wide(&im, &pre[0]);
			break;
		}
		n_pre++;
		if ((ret = keep_row(&pre[n_pre - 1], &row)) < 0)
			goto out;
		if (im.hxl.n_cols) {
			if ((ret = cc__hxl_unique(&im.hxl, im.fname, row.line, err)) < 0)
				goto out;
			break;
		}
		if (n_pre == 1) {
			struct cc_hxl probe = { 0 };

			ret = alias_header(&pre[0], NULL, 0, &probe, &n_known, NULL);
			cc_hxl_release(&probe);
			if (ret == CC_ENOMEM)
				goto out;
			if (ret < 0)
				n_known = 0;
		}
	}
	for (size_t i = 0; i < n_pre; i++)
		if (pre[i].n_fields > im.n_header)
			im.n_header = pre[i].n_fields;
	/* a header of names (not hashtags): each named once */
	if (names_hdr &&
	    (ret = cc__header_unique(pre[0].fields, pre[0].n_fields, im.fname, pre[0].line,
	                             err)) < 0)
		goto out;
	map_columns(&im);
	ret = check_columns(&im, err);
	if (ret < 0) {
		cc_err_at(err, im.fname, pre[n_pre - 1].line, NULL);
		goto out;
	}
	if (im.o->rejects_path) {
		ret = cc__rejects_open(im.o->rejects_path, &im.rejects, err);
		for (size_t i = 0; ret == 0 && i < n_pre; i++)
			ret = cc__csv_write_record(im.rejects, pre[i].fields, pre[i].n_fields,
			                           i + 1 == n_pre && !have_first ? "#meta+error"
			                                                         : "error");
		if (ret < 0)
			goto out;
	}

	ret = cc_store_begin(st, err);
	if (ret < 0)
		goto out;
	in_tx = true;
	if (im.o->period_from != CC_DATE_NONE) {
		im.src.period_from = im.o->period_from;
		im.src.period_to = im.o->period_to;
	} else if (!im.src.id) {
		im.src.period_from = im.src.period_to = CC_DATE_NONE;
	}
	if ((ret = cc_store_put_source(st, &im.src, err)) < 0 ||
	    (ret = cc_store_new_batch(st, &im.batch, err)) < 0)
		goto out;

	for (;;) {
		if (have_first) {
			row = first_data;
			have_first = false;
			ret = 0;
		} else {
			ret = cc_csv_next(csv, &row, err);
		}
		if (ret != 0)
			break;
		im.row = &row;
		rep->n_read++;
		if (cc__row_width(&row, im.n_header, &why) != 0) {
			if ((ret = reject(&im, &why, -1)) < 0)
				goto out;
			memset(&why, 0, sizeof(why));
			continue;
		}
		ret = kind == K_POPULATION   ? import_population(&im, err)
		      : im.wide != WIDE_NONE ? import_wide(&im, err)
		                             : import_need(&im, err);
		if (ret < 0)
			goto out;
		if (im.o->on_progress && (rep->n_read & 0x3fff) == 0)
			im.o->on_progress(im.o->progress_ctx, cc_csv_bytes_read(csv),
			                  cc_csv_bytes_total(csv), rep->n_read);
	}
	if (ret < 0)
		goto out;
	if (!rep->n_read) { /* a header alone: refused, nothing stored or removed */
		ret = cc_err_set(err, CC_EPARSE, "no rows after the header");
		cc_err_at(err, im.fname, 0, NULL);
		goto out;
	}
	if (!digest[0])
		snprintf(rep->digest, sizeof(rep->digest), "%s", cc_csv_digest(csv));
	note_zeros(&im);
	if (rep->n_rejected == 0) {
		ret = kind == K_NEEDS ? cc_store_remove_stale_needs(st, im.src.id, im.batch,
		                                                    &rep->n_removed, err)
		                      : cc_store_remove_stale_population(st, im.src.id, im.batch,
		                                                         &rep->n_removed, err);
		if (ret < 0)
			goto out;
	} else {
		rep->kept_stale = im.src.batch != 0;
	}
	ret = cc__import_finish(st, im.o, rep,
	                        &(struct cc__import_end){ .table = im.kind == K_NEEDS ? "need"
	                                                                           : "population",
	                                                  .mission_id = im.mission.id,
	                                                  .batch = im.batch,
	                                                  .first_added = im.first_added,
	                                                  .last_added = im.last_added },
	                        &im.src, &in_tx, err);
out:
	if (ret == CC_ENOMEM && err && !err->msg[0])
		cc_err_set(err, CC_ENOMEM, "out of memory");
	if (in_tx)
		cc_store_rollback(st);
	if (im.rejects && fclose(im.rejects) != 0 && ret == 0)
		ret = cc_err_set(err, CC_EIO, "cannot write rejects file '%s'", im.o->rejects_path);
	for (size_t i = 0; i < n_pre; i++) {
		for (size_t k = 0; k < pre[i].n_fields; k++)
			cc_free(pre[i].fields[k]);
		cc_free(pre[i].fields);
	}
	for (size_t k = 0; k < first_data.n_fields; k++)
		cc_free(first_data.fields[k]);
	cc_free(first_data.fields);
	cc_csv_close(csv);
	cc_hxl_release(&im.hxl);
	cc_map_release(&im.areas);
	cc_map_release(&im.sectors);
	cc_map_release(&im.seen);
	cc_buf_release(&im.key);
	cc_buf_release(&im.norm);
	cc_free(own_map);
	return ret;
}

int cc_import_needs(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                    struct cc_import_report *rep, struct cc_err *err)
{
	return run(st, path, opts, NULL, 0, rep, K_NEEDS, err);
}

int cc_import_population(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                         struct cc_import_report *rep, struct cc_err *err)
{
	return run(st, path, opts, NULL, 0, rep, K_POPULATION, err);
}

int cc_import_needs_map(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                        const struct cc_column_map *map, size_t n_map, struct cc_import_report *rep,
                        struct cc_err *err)
{
	return run(st, path, opts, map, n_map, rep, K_NEEDS, err);
}

int cc_import_population_map(struct cc_store *st, const char *path,
                             const struct cc_import_opts *opts, const struct cc_column_map *map,
                             size_t n_map, struct cc_import_report *rep, struct cc_err *err)
{
	return run(st, path, opts, map, n_map, rep, K_POPULATION, err);
}

/* ---- one row given as fields (src/io/row_check.h) ---- */

int cc__need_row_check(struct cc_store *st, const struct cc_mission *m,
                       const struct cc__row_fields *f, int32_t period_from, int32_t period_to,
                       struct cc_need *n, struct cc_err *why)
{
	struct cc_import_opts o = { .period_from = period_from, .period_to = period_to };
	struct cc_import_report rep = { 0 };
	struct cc_csv_row row = { .fields = (char **)f->values, .n_fields = f->n };
	struct imp im = { .st = st, .o = &o, .rep = &rep, .kind = K_NEEDS, .fname = "body",
		          .mission = *m, .row = &row, .n_header = f->n };
	int ret;

	cc_buf_init(&im.key, 4096);
	cc_buf_init(&im.norm, CC_LIMIT_CSV_FIELD * 4);
	ret = cc_hxl_parse(f->names, f->n, &im.hxl, why);
	if (ret == 0)
		ret = cc_err_set(why, CC_EPARSE, "no HXL hashtag row");
	if (ret > 0) {
		map_columns(&im);
		ret = check_columns(&im, why);
	}
	if (ret == 0)
		ret = row_to_need(&im, n, why);
	cc_hxl_release(&im.hxl);
	cc_map_release(&im.areas);
	cc_map_release(&im.sectors);
	cc_map_release(&im.seen);
	cc_buf_release(&im.key);
	cc_buf_release(&im.norm);
	return ret;
}
