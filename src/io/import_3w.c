/*
 * The 3W importer: an HXL-tagged "who does what where" CSV → activities of one source.
 *
 * Each data row becomes one activity of kind "presence" (organisation × area × sector, nothing
 * else) or "activity" (it has activity text, dates or people figures). Codes are resolved
 * exactly, then through the alias code list, else the row is rejected; nothing is guessed.
 * The store does the diff against the source's previous import by natural key
 * (organisation and implementing partner, area, sector, activity, start date), so memory stays
 * flat whatever the size of the file.
 *
 * A point (#geo+lat, #geo+lon) must lie in -90..90 and -180..180. When the store holds
 * boundaries, a point that lies in none of them while the same point with latitude and longitude
 * exchanged lies in one is rejected as swapped, naming both readings and the area (as the events
 * and IATI readers do); a store without boundaries cannot tell, and takes the point as given.
 */
#include <concord/import.h>
#include <concord/rounds.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/text.h>

#include "core/digest.h"
#include "core/limits.h"
#include "io/csv.h"
#include "io/hxl.h"
#include "io/import_util.h"
#include "io/locate.h"
#include "io/row_check.h"

#include "core/banned.h"

#define MAX_LEVEL 5

/* Columns the importer understands; -1 when the file has none. */
struct cols {
	int org_code, org_acronym, org_name, org_type;
	int impl_code, impl_acronym, impl_name;
	int funder_code, funder_acronym, funder_name;
	int sector_code, sector_name;
	int adm_code[MAX_LEVEL + 1], adm_name[MAX_LEVEL + 1];
	int activity, activity_code, description;
	int date_start, date_end;
	int targeted, reached;
	int status;
	int budget, currency;
	int lat, lon;
	int kind; /* #meta+kind: presence or activity, as concord export writes it */
};

struct imp {
	struct cc_store *st;
	const struct cc_import_opts *o;
	struct cc_import_report *rep;
	const char *fname;
	struct cc_mission mission;
	struct cc_source src;
	struct cc__marking mark;
	int64_t batch;
	struct cc_hxl hxl;
	struct cols c;
	struct cc_csv_row *row; /* the current record (borrowed from the reader) */
	size_t n_header;         /* fields of the widest header record */
	struct cc_map orgs;     /* "code\x1facronym\x1fname" → organisation id */
	struct cc_map sectors;  /* raw sector text → sector id (or -1 unknown) */
	struct cc_map areas;    /* "pcode" or "level\x1fparent\x1fname" → area id */
	int64_t *parents;       /* parent id by area id, n_parents entries (owned) */
	size_t n_parents;
	struct cc_buf key, norm, norm2, title;
	struct cc__locator loc; /* points in the stored boundaries (swapped lat/lon) */
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

/* ---- columns ---- */

/* The hashtags --map may name (any attributes). */
static const char *const map_fields[] = { "#org",      "#sector", "#adm1",     "#adm2",
	                                  "#adm3",     "#adm4",   "#adm5",     "#date",
	                                  "#targeted", "#reached", "#geo",     "#activity",
	                                  "#status",   "#value",  "#currency", "#meta",
	                                  NULL };

static int find(const struct cc_hxl *h, const char *pattern)
{
	const struct cc_hxl_col *col = cc_hxl_find(h, pattern);

	return col ? col->index : -1;
}

/* The first #tag column without disaggregation attributes (for #targeted, #reached). */
static int find_total(const struct cc_hxl *h, const char *tag)
{
	static const char *const parts[] = { "f", "m", "i", "children", "adults", "elderly",
		                             "boys", "girls", "men", "women", "hh", "pct" };

	for (size_t i = 0; i < h->n_cols; i++) {
		const struct cc_hxl_col *col = &h->cols[i];
		bool part = false;

		if (strcmp(col->tag, tag) != 0)
			continue;
		for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
			part = part || cc_hxl_has_attr(col, parts[k]);
		if (!part)
			return col->index;
	}
	return -1;
}

static void map_columns(struct imp *im)
{
	const struct cc_hxl *h = &im->hxl;
	struct cols *c = &im->c;
	static const char *const roles = "-impl-funder-partner-type";
	char pat[96];

	c->org_code = find(h, (snprintf(pat, sizeof(pat), "#org+code%s", roles), pat));
	c->org_acronym = find(h, (snprintf(pat, sizeof(pat), "#org+acronym%s", roles), pat));
	c->org_name = find(h, (snprintf(pat, sizeof(pat), "#org+name%s", roles), pat));
	if (c->org_name < 0)
		c->org_name =
		        find(h, (snprintf(pat, sizeof(pat), "#org-code-acronym%s", roles), pat));
	c->org_type = find(h, "#org+type-impl-funder-partner");
	c->impl_code = find(h, "#org+impl+code");
	c->impl_acronym = find(h, "#org+impl+acronym");
	c->impl_name = find(h, "#org+impl+name");
	if (c->impl_name < 0)
		c->impl_name = find(h, "#org+impl-code-acronym-type");
	c->funder_code = find(h, "#org+funder+code");
	c->funder_acronym = find(h, "#org+funder+acronym");
	c->funder_name = find(h, "#org+funder+name");
	if (c->funder_name < 0)
		c->funder_name = find(h, "#org+funder-code-acronym-type");
	c->sector_code = find(h, "#sector+code");
	c->sector_name = find(h, "#sector+name");
	if (c->sector_code < 0)
		c->sector_code = find(h, "#sector-name");
	for (int l = 1; l <= MAX_LEVEL; l++) {
		snprintf(pat, sizeof(pat), "#adm%d+code", l);
		c->adm_code[l] = find(h, pat);
		snprintf(pat, sizeof(pat), "#adm%d+name", l);
		c->adm_name[l] = find(h, pat);
		if (c->adm_name[l] < 0) {
			snprintf(pat, sizeof(pat), "#adm%d-code", l);
			c->adm_name[l] = find(h, pat);
		}
	}
	c->activity = find(h, "#activity-code-description");
	c->activity_code = find(h, "#activity+code");
	c->description = find(h, "#activity+description");
	c->date_start = find(h, "#date+start");
	c->date_end = find(h, "#date+end");
	c->targeted = find_total(h, "targeted");
	c->reached = find_total(h, "reached");
	c->status = find(h, "#status");
	c->budget = find(h, "#value+budget");
	if (c->budget < 0)
		c->budget = find(h, "#value");
	c->currency = find(h, "#currency");
	c->kind = find(h, "#meta+kind");
	c->lat = find(h, "#geo+lat");
	c->lon = find(h, "#geo+lon");
}

static int check_columns(struct imp *im, struct cc_err *err)
{
	const struct cols *c = &im->c;
	bool area = false;

	for (int l = 1; l <= MAX_LEVEL; l++)
		area = area || c->adm_code[l] >= 0 || c->adm_name[l] >= 0;
	if (c->org_code < 0 && c->org_acronym < 0 && c->org_name < 0)
		return cc_err_set(err, CC_EPARSE, "no organisation column (#org)");
	if (c->sector_code < 0 && c->sector_name < 0)
		return cc_err_set(err, CC_EPARSE, "no sector column (#sector)");
	if (!area)
		return cc_err_set(err, CC_EPARSE, "no admin-area column (#adm1 … #adm5)");
	if (c->date_start < 0 && c->date_end < 0 && im->o->period_from == CC_DATE_NONE)
		return cc_err_set(err, CC_EUSAGE,
		                  "file has no #date columns; give the reporting period with "
		                  "--period FROM/TO");
	return 0;
}

/* ---- resolving codes, organisations, areas ---- */

static int resolve_sector(struct imp *im, int64_t *id_out, struct cc_err *why)
{
	struct cc_err cause = { 0 };
	const char *code = cell(im, im->c.sector_code);
	int col = im->c.sector_code;
	static const struct {
		const char *list, *vocabulary;
	} tries[] = {
		{ .list = "IASCCluster", .vocabulary = "10" },
		{ .list = "Sector", .vocabulary = "1" },
		{ .list = "SectorCategory", .vocabulary = "2" },
	};
	char resolved[64];
	int64_t id;
	int ret;

	if (!code[0]) {
		code = cell(im, im->c.sector_name);
		col = im->c.sector_name;
	}
	if (!code[0]) {
		cc_err_set(why, CC_EINVALID, "sector is empty");
		cc_err_at(why, NULL, 0, col_text(im, im->c.sector_code >= 0 ? im->c.sector_code
		                                                           : im->c.sector_name));
		return CC_EINVALID;
	}
	if (cc_map_get(&im->sectors, code, &id) == 0) {
		if (id > 0) {
			*id_out = id;
			return 0;
		}
		goto unknown;
	}
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		ret = cc_store_resolve_code(im->st, tries[i].list, code, im->mission.country,
		                            resolved, sizeof(resolved), &cause);
		if (ret == CC_ENOTFOUND)
			continue;
		if (ret < 0)
			return cc_err_wrap(why, &cause, "cannot resolve sector '%s'", code);
		ret = cc_store_sector_id(im->st, tries[i].vocabulary, resolved, &id, why);
		if (ret < 0)
			return ret;
		if ((ret = cc_map_put(&im->sectors, code, id)) < 0)
			return ret;
		*id_out = id;
		return 0;
	}
	if ((ret = cc_map_put(&im->sectors, code, -1)) < 0)
		return ret;
unknown:
	cc_err_set(why, CC_EINVALID,
	           "unknown sector code '%s' (not an IASC cluster, a DAC code or a known alias)",
	           code);
	cc_err_at(why, NULL, 0, col_text(im, col));
	return CC_EINVALID;
}

/* The organisation named by the three columns (code, acronym, name); 0 when all are empty. */
static int resolve_org(struct imp *im, int c_code, int c_acr, int c_name, int c_type,
                       int64_t *id_out, struct cc_err *why)
{
	struct cc_err cause = { 0 };
	const char *code = cell(im, c_code), *acr = cell(im, c_acr), *name = cell(im, c_name);
	const char *type = c_type >= 0 ? cell(im, c_type) : "";
	struct cc_org org = { 0 };
	int64_t id;
	int ret;

	*id_out = 0;
	if (!code[0] && !acr[0] && !name[0])
		return 0;
	cc_buf_clear(&im->key); /* plain appends: this runs for every row */
	if ((ret = cc_buf_adds(&im->key, code)) < 0 || (ret = cc_buf_addch(&im->key, 0x1f)) < 0 ||
	    (ret = cc_buf_adds(&im->key, acr)) < 0 || (ret = cc_buf_addch(&im->key, 0x1f)) < 0 ||
	    (ret = cc_buf_adds(&im->key, name)) < 0 || (ret = cc_buf_addch(&im->key, 0x1f)) < 0 ||
	    (ret = cc_buf_adds(&im->key, type)) < 0)
		return ret;
	if (cc_map_get(&im->orgs, im->key.buf, &id) == 0) {
		*id_out = id;
		return 0;
	}
	/* a new spelling in this import: find the organisation by code, acronym or name */
	org.mission_id = im->mission.id;
	org.is_local = -1;
	const char *probe[] = { code, acr, name };
	for (size_t i = 0; i < 3 && !org.id; i++) {
		if (!probe[i][0])
			continue;
		if ((ret = cc_text_norm(probe[i], &im->norm)) < 0)
			return cc_err_set(why, ret, "organisation '%s' is not valid text", probe[i]);
		ret = cc_store_find_org(im->st, im->mission.id, im->norm.buf, &org, &cause);
		if (ret < 0 && ret != CC_ENOTFOUND)
			return cc_err_wrap(why, &cause, "cannot look up organisation '%s'",
			                   probe[i]);
	}
	/* a failed look-up clears org: the mission is set again for a new organisation */
	org.mission_id = im->mission.id;
	if (!org.id) {
		org.is_local = -1;
		if (code[0])
			snprintf(org.key, sizeof(org.key), "%s", code);
		else if (acr[0])
			snprintf(org.key, sizeof(org.key), "local:%s", acr);
		else if ((ret = cc_text_norm(name, &im->norm)) == 0)
			snprintf(org.key, sizeof(org.key), "local:%s", im->norm.buf);
		else
			return ret;
	}
	if (name[0])
		snprintf(org.name, sizeof(org.name), "%s", name);
	else if (!org.name[0])
		snprintf(org.name, sizeof(org.name), "%s", acr[0] ? acr : code);
	if (acr[0])
		snprintf(org.acronym, sizeof(org.acronym), "%s", acr);
	if (type[0]) {
		char t[8], kind[16];

		ret = cc_store_resolve_code(im->st, "OrganisationType", type, im->mission.country,
		                            t, sizeof(t), &cause);
		if (ret == CC_ENOTFOUND) {
			cc_err_set(why, CC_EINVALID, "unknown organisation type '%s'", type);
			cc_err_at(why, NULL, 0, col_text(im, c_type));
			return CC_EINVALID;
		}
		if (ret < 0)
			return cc_err_wrap(why, &cause, "cannot resolve organisation type '%s'",
			                   type);
		snprintf(org.type, sizeof(org.type), "%s", t);
		ret = cc_store_resolve_code(im->st, "OrganisationKind", type, im->mission.country,
		                            kind, sizeof(kind), &cause);
		if (ret == 0)
			snprintf(org.kind, sizeof(org.kind), "%s", kind);
		else if (ret != CC_ENOTFOUND)
			return cc_err_wrap(why, &cause, "cannot resolve organisation kind '%s'",
			                   type);
		/* IATI types that say where the organisation is from */
		if (!strcmp(t, "22") || !strcmp(t, "24") || !strcmp(t, "11") || !strcmp(t, "72"))
			org.is_local = 1;
		else if (!strcmp(t, "21") || !strcmp(t, "40") || !strcmp(t, "71"))
			org.is_local = 0;
	}
	if ((ret = cc_store_put_org(im->st, &org, why)) < 0)
		return ret;
	for (size_t i = 0; i < 3; i++) {
		if (!probe[i][0])
			continue;
		if ((ret = cc_text_norm(probe[i], &im->norm)) < 0 ||
		    (ret = cc_store_put_org_alias(im->st, im->mission.id, org.id, im->norm.buf,
		                                  why)) < 0)
			return ret;
	}
	if ((ret = cc_map_put(&im->orgs, im->key.buf, org.id)) < 0)
		return ret;
	*id_out = org.id;
	return 0;
}

/*
 * Cache of areas seen in this import: "pcode" → id in im->areas, and the parent of each area by
 * id in im->parents (ids are small, dense integers).
 */
static int cache_area(struct imp *im, const struct cc_area *a)
{
	int ret = cc_map_put(&im->areas, a->pcode, a->id);

	if (ret < 0)
		return ret;
	if (a->id <= 0)
		return 0;
	if (a->id >= (int64_t)1 << 26) /* 64 M areas: far beyond any country's gazetteer */
		return CC_ETOOBIG;
	if ((size_t)a->id >= im->n_parents) {
		size_t n = (size_t)a->id * 2 + 64;
		int64_t *p = cc_realloc(im->parents, n * sizeof(*p));

		if (!p)
			return CC_ENOMEM;
		memset(p + im->n_parents, 0, (n - im->n_parents) * sizeof(*p));
		im->parents = p;
		im->n_parents = n;
	}
	im->parents[a->id] = a->parent_id;
	return 0;
}

static int64_t cached_parent(const struct imp *im, int64_t id)
{
	return id > 0 && (size_t)id < im->n_parents ? im->parents[id] : 0;
}

/* The area with this P-code at level; creates it with --add-areas. 0 or CC_EINVALID. */
static int area_by_code(struct imp *im, int level, int64_t parent, int64_t *id_out,
                        struct cc_err *why)
{
	struct cc_err cause = { 0 };
	const char *pcode = cell(im, im->c.adm_code[level]);
	struct cc_area a = { 0 };
	int ret;

	if (cc_map_get(&im->areas, pcode, id_out) == 0)
		return 0;
	ret = cc_store_find_area(im->st, pcode, &a, &cause);
	if (ret == CC_ENOTFOUND && (im->o->flags & CC_IMPORT_ADD_AREAS)) {
		const char *name = cell(im, im->c.adm_name[level]);

		memset(&a, 0, sizeof(a));
		snprintf(a.pcode, sizeof(a.pcode), "%s", pcode);
		snprintf(a.name, sizeof(a.name), "%s", name[0] ? name : pcode);
		a.level = level;
		a.parent_id = parent;
		a.population = -1;
		ret = cc_store_put_area(im->st, &a, NULL, 0, why);
		if (ret < 0)
			return ret;
		if ((ret = cc_text_norm(a.name, &im->norm)) == 0)
			ret = cc_store_put_area_alias(im->st, a.id, im->norm.buf, im->src.name, why);
		if (ret < 0)
			return ret;
	} else if (ret == CC_ENOTFOUND) {
		cc_err_set(why, CC_EINVALID, "unknown P-code '%s'", pcode);
		cc_err_at(why, NULL, 0, col_text(im, im->c.adm_code[level]));
		return CC_EINVALID;
	} else if (ret < 0) {
		return cc_err_wrap(why, &cause, "cannot look up P-code '%s'", pcode);
	}
	if (a.level != level) {
		cc_err_set(why, CC_EINVALID, "P-code '%s' is an admin level %d area, not level %d",
		           pcode, a.level, level);
		cc_err_at(why, NULL, 0, col_text(im, im->c.adm_code[level]));
		return CC_EINVALID;
	}
	if ((ret = cache_area(im, &a)) < 0)
		return ret;
	*id_out = a.id;
	return 0;
}

/* The area named at level within parent (names only, no P-code column). */
static int area_by_name(struct imp *im, int level, int64_t parent, int64_t *id_out,
                        struct cc_err *why)
{
	const char *name = cell(im, im->c.adm_name[level]);
	struct cc_area a = { 0 };
	int ret;

	if ((ret = cc_text_norm(name, &im->norm)) < 0)
		return cc_err_set(why, ret, "area name '%s' is not valid text", name);
	cc_buf_clear(&im->key);
	if ((ret = cc_buf_addf(&im->key, "%d\x1f%lld\x1f%s", level, (long long)parent,
	                       im->norm.buf)) < 0)
		return ret;
	if (cc_map_get(&im->areas, im->key.buf, id_out) == 0)
		return 0;
	ret = cc_store_find_area_by_name(im->st, parent, level, im->norm.buf, &a, why);
	if (ret == CC_ENOTFOUND) {
		cc_err_set(why, CC_EINVALID, "no admin level %d area named '%s'%s", level, name,
		           parent ? " within the row's parent area" : "");
	}
	if (ret < 0) {
		cc_err_at(why, NULL, 0, col_text(im, im->c.adm_name[level]));
		return ret == CC_ENOTFOUND ? CC_EINVALID : ret;
	}
	if ((ret = cc_map_put(&im->areas, im->key.buf, a.id)) < 0 || (ret = cache_area(im, &a)) < 0)
		return ret;
	*id_out = a.id;
	return 0;
}

/*
 * The row's area: the deepest level it names. Codes win over names; each given level must be
 * the parent of the next (a district under another province is rejected).
 */
static int resolve_area(struct imp *im, int64_t *id_out, struct cc_err *why)
{
	int64_t parent = 0, id = 0;
	int prev_level = 0;
	int ret;

	for (int l = 1; l <= MAX_LEVEL; l++) {
		bool code = cell(im, im->c.adm_code[l])[0] != '\0';
		bool name = cell(im, im->c.adm_name[l])[0] != '\0';

		if (!code && !name)
			continue;
		if (code)
			ret = area_by_code(im, l, parent, &id, why);
		else
			ret = area_by_name(im, l, parent, &id, why);
		if (ret < 0)
			return ret;
		if (parent && prev_level == l - 1 && cached_parent(im, id) != parent) {
			int c = im->c.adm_code[l] >= 0 ? im->c.adm_code[l] : im->c.adm_name[l];

			cc_err_set(why, CC_EINVALID, "area '%s' is not within the row's admin level %d area '%s'",
			           cell(im, c), l - 1,
			           cell(im, im->c.adm_code[l - 1]) [0] ? cell(im, im->c.adm_code[l - 1])
			                                                : cell(im, im->c.adm_name[l - 1]));
			cc_err_at(why, NULL, 0, col_text(im, c));
			return CC_EINVALID;
		}
		parent = id;
		prev_level = l;
	}
	if (!id) {
		int c = im->c.adm_code[1] >= 0 ? im->c.adm_code[1] : im->c.adm_name[1];

		cc_err_set(why, CC_EINVALID, "no admin area given");
		cc_err_at(why, NULL, 0, c >= 0 ? col_text(im, c) : "#adm1");
		return CC_EINVALID;
	}
	*id_out = id;
	return 0;
}

/* ---- one row ---- */

static int number(struct imp *im, int col, double *out, struct cc_err *why)
{
	const char *s = cell(im, col);

	*out = NAN;
	if (!s[0])
		return 0;
	if (cc_parse_double(s, out, why) < 0 || *out < 0) {
		if (*out < 0)
			cc_err_set(why, CC_EINVALID, "'%s' is negative", s);
		cc_err_at(why, NULL, 0, col_text(im, col));
		return CC_EINVALID;
	}
	return 0;
}

static int date(struct imp *im, int col, int32_t fallback, int32_t *out, struct cc_err *why)
{
	const char *s = cell(im, col);

	*out = fallback;
	if (!s[0])
		return 0;
	if (cc_date_parse(s, out, why) < 0) {
		cc_err_at(why, NULL, 0, col_text(im, col));
		return CC_EINVALID;
	}
	return 0;
}

/*
 * CC_EINVALID with why set when act's point lies in no stored boundary while the point with
 * latitude and longitude exchanged lies in one (named, with the row's own area when that is
 * where it falls); 0 otherwise, also when the store holds no boundaries at all.
 */
static int swapped_point(struct imp *im, const struct cc_activity *act, struct cc_err *why)
{
	struct cc_area_filter f = { .level = -1, .in_bbox = true };
	struct cc_area *cand = NULL;
	const char *pcode = "", *name = "";
	int64_t given = 0, other = 0;
	bool row_area = false;
	size_t n = 0;
	int ret;

	if (fabs(act->lon) > 90 || act->lat == act->lon)
		return 0; /* no latitude on the other side */
	if ((ret = cc__locate(&im->loc, act->lat, act->lon, &given, NULL, why)) < 0 || given)
		return ret;
	if ((ret = cc__locate(&im->loc, act->lon, act->lat, &other, NULL, why)) < 0 || !other)
		return ret;
	/* the row's area, or one of its parents, is where the exchanged point lies */
	for (int64_t a = act->area_id; a > 0 && !row_area; a = cached_parent(im, a))
		row_area = a == other;
	/* the name of that area, for the message: the areas whose box holds the point */
	f.minx = f.maxx = act->lat;
	f.miny = f.maxy = act->lon;
	if ((ret = cc_store_list_areas(im->st, &f, &cand, &n, why)) < 0)
		return ret;
	for (size_t i = 0; i < n; i++)
		if (cand[i].id == other) {
			pcode = cand[i].pcode;
			name = cand[i].name;
		}
	cc_err_set(why, CC_EINVALID,
	           "latitude and longitude look swapped: %s %s lies in no stored area, %s %s "
	           "in %s (%s)%s",
	           cell(im, im->c.lat), cell(im, im->c.lon), cell(im, im->c.lon),
	           cell(im, im->c.lat), pcode, name, row_area ? ", the row's area" : "");
	cc_free(cand);
	cc_err_at(why, NULL, 0, col_text(im, im->c.lat));
	return CC_EINVALID;
}

/* Fills act from the current row; < 0 with why set when the row must be rejected. */
static int row_to_activity(struct imp *im, struct cc_activity *act, char status[static 16],
                           struct cc_err *why)
{
	struct cc_err cause = { 0 };
	const struct cols *c = &im->c;
	struct cc_hash128 h;
	const char *title = cell(im, c->activity);
	int ret;

	memset(act, 0, sizeof(*act));
	act->mission_id = im->mission.id;
	act->source_id = im->src.id;
	act->line = im->row->line;
	act->lat = act->lon = NAN;
	act->releasability = im->mark.rel;
	act->owner_id = im->mark.owner_id;
	act->deny = im->mark.deny;
	act->geo_rel = im->mark.geo;
	act->figures_rel = im->mark.figures;
	if ((ret = resolve_org(im, c->org_code, c->org_acronym, c->org_name, c->org_type,
	                       &act->org_id, why)) < 0)
		return ret;
	if (!act->org_id) {
		cc_err_set(why, CC_EINVALID, "organisation is empty");
		cc_err_at(why, NULL, 0,
		          col_text(im, c->org_acronym >= 0 ? c->org_acronym
		                       : c->org_name >= 0 ? c->org_name : c->org_code));
		return CC_EINVALID;
	}
	if ((ret = resolve_org(im, c->impl_code, c->impl_acronym, c->impl_name, -1,
	                       &act->impl_org_id, why)) < 0 ||
	    (ret = resolve_org(im, c->funder_code, c->funder_acronym, c->funder_name, -1,
	                       &act->funder_org_id, why)) < 0 ||
	    (ret = resolve_sector(im, &act->sector_id, why)) < 0 ||
	    (ret = resolve_area(im, &act->area_id, why)) < 0)
		return ret;
	if ((ret = date(im, c->date_start, im->o->period_from, &act->start_date, why)) < 0 ||
	    (ret = date(im, c->date_end, im->o->period_to, &act->end_date, why)) < 0)
		return ret;
	if (act->start_date != CC_DATE_NONE && act->end_date != CC_DATE_NONE &&
	    act->end_date < act->start_date) {
		cc_err_set(why, CC_EINVALID, "end date %s is before start date %s",
		           cell(im, c->date_end), cell(im, c->date_start));
		cc_err_at(why, NULL, 0, col_text(im, c->date_end >= 0 ? c->date_end : c->date_start));
		return CC_EINVALID;
	}
	if ((ret = number(im, c->targeted, &act->targeted, why)) < 0 ||
	    (ret = number(im, c->reached, &act->reached, why)) < 0 ||
	    (ret = number(im, c->budget, &act->budget, why)) < 0)
		return ret;
	if (c->lat >= 0 && c->lon >= 0 && cell(im, c->lat)[0] && cell(im, c->lon)[0]) {
		if (cc_parse_double(cell(im, c->lat), &act->lat, why) < 0 || fabs(act->lat) > 90) {
			cc_err_set(why, CC_EINVALID, "latitude '%s' is not in -90..90", cell(im, c->lat));
			cc_err_at(why, NULL, 0, col_text(im, c->lat));
			return CC_EINVALID;
		}
		if (cc_parse_double(cell(im, c->lon), &act->lon, why) < 0 || fabs(act->lon) > 180) {
			cc_err_set(why, CC_EINVALID, "longitude '%s' is not in -180..180",
			           cell(im, c->lon));
			cc_err_at(why, NULL, 0, col_text(im, c->lon));
			return CC_EINVALID;
		}
	}
	if (!isnan(act->lat) && (ret = swapped_point(im, act, why)) < 0)
		return ret;
	status[0] = '\0';
	if (cell(im, c->status)[0]) {
		ret = cc_store_resolve_code(im->st, "ActivityStatus", cell(im, c->status),
		                            im->mission.country, status, 16, &cause);
		if (ret < 0 && ret != CC_ENOTFOUND)
			return cc_err_wrap(why, &cause, "cannot resolve activity status");
		if (ret < 0) {
			cc_err_set(why, CC_EINVALID, "unknown activity status '%s'",
			           cell(im, c->status));
			cc_err_at(why, NULL, 0, col_text(im, c->status));
			return CC_EINVALID;
		}
	}
	{
		/* ISO 4217: three letters, stored in upper case; anything else is refused, not cut */
		const char *cur = cell(im, c->currency);
		size_t n = strlen(cur);

		if (n && (n != 3 || !isalpha((unsigned char)cur[0]) ||
		          !isalpha((unsigned char)cur[1]) || !isalpha((unsigned char)cur[2]))) {
			cc_err_set(why, CC_EINVALID,
			           "currency '%s' is not an ISO 4217 code (three letters, as USD)",
			           cur);
			cc_err_at(why, NULL, 0, col_text(im, c->currency));
			return CC_EINVALID;
		}
		for (size_t i = 0; i < n; i++)
			act->currency[i] = (char)toupper((unsigned char)cur[i]);
		act->currency[n] = '\0';
	}
	act->status = status;
	cc_buf_clear(&im->title);
	if (cell(im, c->activity_code)[0] && !title[0])
		title = cell(im, c->activity_code);
	if ((ret = cc_buf_adds(&im->title, title)) < 0)
		return ret;
	act->title = im->title.buf;
	act->description = cell(im, c->description);
	act->kind = (title[0] || cell(im, c->date_start)[0] || cell(im, c->date_end)[0] ||
	             !isnan(act->targeted) || !isnan(act->reached))
	                    ? CC_KIND_ACTIVITY
	                    : CC_KIND_PRESENCE;
	if (cell(im, c->kind)[0]) { /* said by the file: wins over the rule above */
		if (!strcmp(cell(im, c->kind), "presence")) {
			act->kind = CC_KIND_PRESENCE;
		} else if (!strcmp(cell(im, c->kind), "activity")) {
			act->kind = CC_KIND_ACTIVITY;
		} else {
			cc_err_set(why, CC_EINVALID, "unknown kind '%s' (presence or activity)",
			           cell(im, c->kind));
			cc_err_at(why, NULL, 0, col_text(im, c->kind));
			return CC_EINVALID;
		}
	}

	/* natural key: who (and through whom), where, what sector, which activity, from when */
	if ((ret = cc_text_norm(title, &im->norm2)) < 0)
		return cc_err_set(why, ret, "activity text is not valid UTF-8");
	cc_hash128_init(&h);
	cc_hash128_i64(&h, act->org_id);
	cc_hash128_i64(&h, act->impl_org_id);
	cc_hash128_i64(&h, act->area_id);
	cc_hash128_i64(&h, act->sector_id);
	cc_hash128_str(&h, im->norm2.buf);
	cc_hash128_str(&h, cell(im, c->activity_code));
	cc_hash128_i64(&h, act->start_date);
	cc_hash128_final(&h, act->natkey);

	/* digest: everything stored, so a re-import tells updated from unchanged */
	cc_hash128_init(&h);
	crypto_generichash_update(&h.st, act->natkey, sizeof(act->natkey));
	cc_hash128_i64(&h, act->kind);
	cc_hash128_str(&h, act->title);
	cc_hash128_str(&h, act->description);
	cc_hash128_str(&h, act->status);
	cc_hash128_i64(&h, act->funder_org_id);
	cc_hash128_i64(&h, act->end_date);
	cc_hash128_double(&h, act->lat);
	cc_hash128_double(&h, act->lon);
	cc_hash128_double(&h, act->targeted);
	cc_hash128_double(&h, act->reached);
	cc_hash128_double(&h, act->budget);
	cc_hash128_str(&h, act->currency);
	cc_hash128_str(&h, act->releasability);
	cc_hash128_i64(&h, act->owner_id);
	cc_hash128_i64(&h, act->deny);
	cc_hash128_str(&h, act->geo_rel ? act->geo_rel : "");
	cc_hash128_str(&h, act->figures_rel ? act->figures_rel : "");
	cc_hash128_final(&h, act->digest);
	return 0;
}

static int import_row(struct imp *im, struct cc_err *err)
{
	struct cc_err why = { 0 };
	struct cc_activity act;
	enum cc_put_result res;
	char status[16];
	long dup_line = 0;
	int ret;

	ret = cc__row_width(im->row, im->n_header, &why);
	if (ret == 0)
		ret = row_to_activity(im, &act, status, &why);
	if (ret == CC_EINVALID || ret == CC_EPARSE)
		return reject(im, &why, -1);
	if (ret < 0)
		goto out_fail;
	ret = cc_store_put_activity(im->st, &act, im->batch, &res, &dup_line, &why);
	if (ret < 0)
		goto out_fail;
	switch (res) {
	case CC_PUT_ADDED:
		im->rep->n_added++;
		if (!im->first_added)
			im->first_added = act.id;
		im->last_added = act.id;
		break;
	case CC_PUT_UPDATED:
		im->rep->n_updated++;
		break;
	case CC_PUT_UNCHANGED:
		im->rep->n_unchanged++;
		break;
	case CC_PUT_DUPLICATE:
		cc_err_set(&why, CC_EINVALID, "duplicate of line %ld", dup_line);
		cc_err_at(&why, NULL, 0,
		          col_text(im, im->c.org_acronym >= 0 ? im->c.org_acronym
		                       : im->c.org_name >= 0  ? im->c.org_name
		                                              : im->c.org_code));
		return reject(im, &why, -1);
	}
	return 0;
out_fail:
	if (!why.msg[0])
		cc_err_set(&why, ret, "%s", cc_code_text(ret));
	cc_err_at(&why, im->fname, im->row->line, NULL);
	if (err)
		*err = why;
	return ret;
}

/* ---- the whole file ---- */

int cc_import_3w(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                 struct cc_import_report *rep, struct cc_err *err)
{
	static const struct cc_import_opts no_opts = { .period_from = CC_DATE_NONE,
		                                       .period_to = CC_DATE_NONE };
	struct imp im = { .st = st, .o = opts ? opts : &no_opts, .rep = rep };
	struct cc_csv_opts copts = { 0 };
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	struct cc_csv_row pre[CC_LIMIT_HXL_SCAN];
	size_t n_pre = 0;
	bool in_tx = false;
	char digest[65] = "";
	int ret;

	memset(rep, 0, sizeof(*rep));
	memset(pre, 0, sizeof(pre));
	im.fname = im.o->display_name ? im.o->display_name : path;
	cc_buf_init(&im.key, 4096);
	cc_buf_init(&im.norm, CC_LIMIT_CSV_FIELD * 4);
	cc_buf_init(&im.norm2, CC_LIMIT_CSV_FIELD * 4);
	cc_buf_init(&im.title, CC_LIMIT_CSV_FIELD);
	cc__locator_init(&im.loc, st);

	ret = cc__import_source(st, path, im.o, &im.mission, &im.src, digest, rep, err);
	if (ret != 0) {
		ret = ret > 0 ? 0 : ret; /* 1: the same file as last time, nothing to do */
		goto out;
	}
	if ((ret = cc__import_marking(st, &im.mission, im.o, &im.mark, err)) < 0)
		goto out;

	copts.encoding = im.o->encoding;
	copts.display_name = im.fname;
	copts.no_digest = digest[0] != '\0'; /* hashed above */
	copts.map = im.o->map;
	copts.n_map = im.o->n_map;
	copts.map_fields = map_fields;
	ret = cc_csv_open(&csv, path, &copts, err);
	if (ret < 0)
		goto out;

	/* the hashtag row: the first of the first CC_LIMIT_HXL_SCAN records made of hashtags */
	for (;;) {
		ret = cc_csv_next(csv, &row, err);
		if (ret > 0 || n_pre == CC_LIMIT_HXL_SCAN) {
			ret = cc_err_set(err, CC_EPARSE, "no HXL hashtag row in the first %d rows",
			                 CC_LIMIT_HXL_SCAN);
			cc_err_at(err, im.fname, 0, NULL);
			goto out;
		}
		if (ret < 0)
			goto out;
		ret = cc_hxl_parse(row.fields, row.n_fields, &im.hxl, err);
		if (ret < 0) {
			cc_err_at(err, im.fname, row.line, NULL);
			goto out;
		}
		/* keep the header records for the rejects file */
		pre[n_pre].n_fields = row.n_fields;
		pre[n_pre].line = row.line;
		pre[n_pre].fields = cc_alloc_array(row.n_fields ? row.n_fields : 1, sizeof(char *));
		if (!pre[n_pre].fields) {
			ret = CC_ENOMEM;
			goto out;
		}
		n_pre++;
		for (size_t i = 0; i < row.n_fields; i++) {
			pre[n_pre - 1].fields[i] = cc_strdup(row.fields[i]);
			if (!pre[n_pre - 1].fields[i]) {
				ret = CC_ENOMEM;
				goto out;
			}
		}
		if (ret == 1)
			break;
	}
	for (size_t i = 0; i < n_pre; i++)
		if (pre[i].n_fields > im.n_header)
			im.n_header = pre[i].n_fields;
	if ((ret = cc__hxl_unique(&im.hxl, im.fname, pre[n_pre - 1].line, err)) < 0)
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
			                           i + 1 == n_pre ? "#meta+error" : "error");
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

	while ((ret = cc_csv_next(csv, &row, err)) == 0) {
		im.row = &row;
		rep->n_read++;
		ret = import_row(&im, err);
		if (ret < 0)
			goto out;
		if (im.o->on_progress && (rep->n_read & 0x3fff) == 0)
			im.o->on_progress(im.o->progress_ctx, cc_csv_bytes_read(csv),
			                  cc_csv_bytes_total(csv), rep->n_read);
	}
	if (ret < 0)
		goto out;
	if (!rep->n_read) { /* a header alone is no 3W: refused, nothing stored or removed */
		ret = cc_err_set(err, CC_EPARSE, "no rows after the header");
		cc_err_at(err, im.fname, 0, NULL);
		goto out;
	}
	if (im.o->on_progress)
		im.o->on_progress(im.o->progress_ctx, cc_csv_bytes_read(csv), cc_csv_bytes_total(csv),
		                  rep->n_read);
	if (!digest[0])
		snprintf(rep->digest, sizeof(rep->digest), "%s", cc_csv_digest(csv));

	if (rep->n_rejected == 0) {
		ret = cc_store_remove_stale(st, im.src.id, im.batch, &rep->n_removed, err);
		if (ret < 0)
			goto out;
	} else {
		/* a rejected row may be the new version of a stored one: keep what is stored */
		rep->kept_stale = im.src.batch != 0;
	}
	/* reporting rounds: what changed is a new submission of its organisations */
	if (rep->n_added + rep->n_updated + rep->n_removed > 0 &&
	    (ret = cc_store_record_submissions(st, im.src.id, im.batch, err)) < 0)
		goto out;
	ret = cc__import_finish(st, im.o, rep,
	                        &(struct cc__import_end){ .table = "activity",
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
	for (size_t i = 0; i < n_pre; i++) {
		for (size_t k = 0; pre[i].fields && k < pre[i].n_fields; k++)
			cc_free(pre[i].fields[k]);
		cc_free(pre[i].fields);
	}
	cc_csv_close(csv);
	cc_hxl_release(&im.hxl);
	cc_map_release(&im.orgs);
	cc_map_release(&im.sectors);
	cc_map_release(&im.areas);
	cc_free(im.parents);
	cc_buf_release(&im.key);
	cc_buf_release(&im.norm);
	cc_buf_release(&im.norm2);
	cc_buf_release(&im.title);
	cc__locator_release(&im.loc);
	return ret;
}

/* ---- one row given as fields (src/io/row_check.h) ---- */

int cc__3w_row_check(struct cc_store *st, const struct cc_mission *m,
                     const struct cc__row_fields *f, struct cc__3w_row *out, struct cc_err *why)
{
	static const struct cc_import_opts no_opts = { .period_from = CC_DATE_NONE,
		                                       .period_to = CC_DATE_NONE };
	struct cc_import_report rep = { 0 };
	struct cc_csv_row row = { .fields = (char **)f->values, .n_fields = f->n };
	struct imp im = { .st = st, .o = &no_opts, .rep = &rep, .fname = "body", .mission = *m,
		          .mark = { .rel = "public" }, .row = &row, .n_header = f->n };
	int ret;

	memset(out, 0, sizeof(*out));
	cc_buf_init(&out->title, CC_LIMIT_CSV_FIELD);
	cc_buf_init(&im.key, 4096);
	cc_buf_init(&im.norm, CC_LIMIT_CSV_FIELD * 4);
	cc_buf_init(&im.norm2, CC_LIMIT_CSV_FIELD * 4);
	cc_buf_init(&im.title, CC_LIMIT_CSV_FIELD);
	cc__locator_init(&im.loc, st);
	ret = cc_hxl_parse(f->names, f->n, &im.hxl, why);
	if (ret == 0)
		ret = cc_err_set(why, CC_EPARSE, "no HXL hashtag row");
	if (ret > 0) {
		map_columns(&im);
		ret = check_columns(&im, why);
	}
	if (ret == 0)
		ret = row_to_activity(&im, &out->act, out->status, why);
	if (ret == 0)
		ret = cc_buf_adds(&out->title, im.title.buf ? im.title.buf : "");
	if (ret == 0) {
		out->act.title = out->title.buf ? out->title.buf : "";
		out->act.status = out->status;
	}
	cc_hxl_release(&im.hxl);
	cc_map_release(&im.orgs);
	cc_map_release(&im.sectors);
	cc_map_release(&im.areas);
	cc_free(im.parents);
	cc_buf_release(&im.key);
	cc_buf_release(&im.norm);
	cc_buf_release(&im.norm2);
	cc_buf_release(&im.title);
	cc__locator_release(&im.loc);
	return ret;
}

void cc__3w_row_release(struct cc__3w_row *r)
{
	cc_buf_release(&r->title);
}
