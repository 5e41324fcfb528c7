/*
 * Gazetteer versions and reporting rounds on files: the area crosswalk importer (old_pcode,
 * new_pcode, share, date) and the blank 3W template written for partners.
 */
#include <concord/rounds.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/buf.h>

#include "core/limits.h"
#include "io/csv.h"
#include "io/import_util.h"

#include "core/banned.h"

/* ---- import crosswalk ---- */

enum { C_OLD, C_NEW, C_SHARE, C_DATE, C_N };

static const char *const col_names[C_N][3] = {
	[C_OLD] = { "old_pcode", "#adm+code+old", "old" },
	[C_NEW] = { "new_pcode", "#adm+code+new", "new" },
	[C_SHARE] = { "share", "#indicator+share", "weight" },
	[C_DATE] = { "date", "#date", "valid_from" },
};

/* The fields --map may name. */
static const char *const map_fields[] = { "old_pcode", "new_pcode", "share", "date", NULL };

struct cw_row {
	struct cc_crosswalk c;
	struct cc_csv_row row; /* a copy, for the rejects file */
	bool bad;
};

static void free_rows(struct cw_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < rows[i].row.n_fields; k++)
			cc_free(rows[i].row.fields[k]);
		cc_free(rows[i].row.fields);
	}
	cc_free(rows);
}

static int grow(struct cw_row **rows, size_t *cap, size_t n)
{
	struct cw_row *p;
	size_t c = *cap ? *cap * 2 : 64;

	if (n < *cap)
		return 0;
	p = cc_realloc(*rows, c * sizeof(*p));
	if (!p)
		return CC_ENOMEM;
	*rows = p;
	*cap = c;
	return 0;
}

static int copy_row(const struct cc_csv_row *in, struct cc_csv_row *out)
{
	*out = *in;
	out->fields = cc_alloc_array(in->n_fields ? in->n_fields : 1, sizeof(char *));
	if (!out->fields) {
		out->n_fields = 0;
		return CC_ENOMEM;
	}
	for (size_t i = 0; i < in->n_fields; i++)
		if (!(out->fields[i] = cc_strdup(in->fields[i])))
			return CC_ENOMEM;
	return 0;
}

/* Finds the columns by name (plain or HXL, case-insensitive); CC_EPARSE naming a missing one. */
static int map_header(const struct cc_csv_row *h, long col[C_N], struct cc_err *err)
{
	for (int c = 0; c < C_N; c++) {
		col[c] = -1;
		for (size_t i = 0; i < h->n_fields && col[c] < 0; i++)
			for (int k = 0; k < 3 && col[c] < 0; k++)
				if (strcasecmp(h->fields[i], col_names[c][k]) == 0)
					col[c] = (long)i;
		if (col[c] < 0)
			return cc_err_set(err, CC_EPARSE,
			                  "missing column '%s' (the columns are old_pcode, new_pcode, "
			                  "share, date)",
			                  col_names[c][0]);
	}
	return 0;
}

static int parse_row(struct cc_store *st, const struct cc_csv_row *r, const long col[C_N],
                     struct cc_crosswalk *c, struct cc_err *why)
{
	const char *old = cc__csv_cell(r, col[C_OLD]), *new = cc__csv_cell(r, col[C_NEW]);
	const char *share = cc__csv_cell(r, col[C_SHARE]);
	struct cc_area a;
	char *end;
	int ret;

	memset(c, 0, sizeof(*c));
	if ((ret = cc_store_find_area(st, old, &a, why)) < 0) {
		cc_err_set(why, ret, "unknown area '%s'", old);
		return cc_err_at(why, NULL, 0, col_names[C_OLD][0]), ret;
	}
	c->old_id = a.id;
	snprintf(c->old_pcode, sizeof(c->old_pcode), "%s", a.pcode);
	if ((ret = cc_store_find_area(st, new, &a, why)) < 0) {
		cc_err_set(why, ret, "unknown area '%s'", new);
		return cc_err_at(why, NULL, 0, col_names[C_NEW][0]), ret;
	}
	c->new_id = a.id;
	snprintf(c->new_pcode, sizeof(c->new_pcode), "%s", a.pcode);
	if (c->new_id == c->old_id) {
		cc_err_set(why, CC_EINVALID, "an area cannot map onto itself");
		return cc_err_at(why, NULL, 0, col_names[C_NEW][0]), CC_EINVALID;
	}
	errno = 0;
	c->share = strtod(share, &end);
	if (!*share || *end || errno || !(c->share > 0.0 && c->share <= 1.0)) {
		cc_err_set(why, CC_EINVALID, "'%s' is not a share in (0, 1]", share);
		return cc_err_at(why, NULL, 0, col_names[C_SHARE][0]), CC_EINVALID;
	}
	if ((ret = cc_date_parse(cc__csv_cell(r, col[C_DATE]), &c->date, why)) < 0)
		return cc_err_at(why, NULL, 0, col_names[C_DATE][0]), ret;
	return 0;
}

int cc_import_crosswalk(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                        struct cc_import_report *rep, struct cc_err *err)
{
	static const struct cc_import_opts no_opts = { .period_from = CC_DATE_NONE,
		                                       .period_to = CC_DATE_NONE };
	const struct cc_import_opts *o = opts ? opts : &no_opts;
	const char *fname = o->display_name ? o->display_name : path;
	struct cc_csv_opts copts = { .encoding = o->encoding, .display_name = fname };
	struct cc_crosswalk *old = NULL;
	size_t n_old = 0, n = 0, cap = 0;
	struct cw_row *rows = NULL;
	struct cc_mission mission;
	struct cc_source src;
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	FILE *rejects = NULL;
	char digest[65];
	long col[C_N];
	size_t n_header;
	bool in_tx = false;
	int64_t batch = 0;
	int ret;

	memset(rep, 0, sizeof(*rep));
	ret = cc__import_source(st, path, o, &mission, &src, digest, rep, err);
	if (ret != 0)
		return ret > 0 ? 0 : ret;
	copts.no_digest = digest[0] != '\0';
	copts.map = o->map; /* --map COLUMN=FIELD */
	copts.n_map = o->n_map;
	copts.map_fields = map_fields;
	if ((ret = cc_csv_open(&csv, path, &copts, err)) < 0)
		goto out;
	ret = cc_csv_next(csv, &row, err);
	if (ret > 0) {
		ret = cc_err_set(err, CC_EPARSE, "empty file: no header");
		cc_err_at(err, fname, 0, NULL);
	}
	if (ret < 0)
		goto out;
	if ((ret = cc__header_unique(row.fields, row.n_fields, fname, row.line, err)) < 0)
		goto out;
	n_header = row.n_fields;
	if ((ret = map_header(&row, col, err)) < 0) {
		cc_err_at(err, fname, row.line, NULL);
		goto out;
	}
	if (o->rejects_path) {
		if ((ret = cc__rejects_open(o->rejects_path, &rejects, err)) < 0 ||
		    (ret = cc__csv_write_record(rejects, row.fields, row.n_fields, "error")) < 0)
			goto out;
	}
	/* every row first: the shares of an old area are checked together */
	while ((ret = cc_csv_next(csv, &row, err)) == 0) {
		struct cc_err why = { 0 };

		if (row.n_fields && row.fields[0][0] == '#') /* an HXL hashtag row */
			continue;
		rep->n_read++;
		if (grow(&rows, &cap, n) < 0) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out;
		}
		memset(&rows[n], 0, sizeof(rows[n]));
		if ((ret = copy_row(&row, &rows[n].row)) < 0) {
			n++;
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out;
		}
		if (cc__row_width(&row, n_header, &why) != 0 ||
		    parse_row(st, &row, col, &rows[n].c, &why) < 0) {
			rows[n].bad = true;
			if ((ret = cc__import_reject(o, rep, rejects, fname, &row, &why)) < 0)
				goto out;
		}
		n++;
	}
	if (ret < 0)
		goto out;
	if (!rep->n_read) { /* a header alone: refused, nothing stored */
		ret = cc_err_set(err, CC_EPARSE, "no rows after the header");
		cc_err_at(err, fname, 0, NULL);
		goto out;
	}
	if (!digest[0])
		snprintf(rep->digest, sizeof(rep->digest), "%s", cc_csv_digest(csv));
	/* the shares of one old area at one date add up to 1: else every row of it is rejected */
	for (size_t i = 0; i < n; i++) {
		double sum = 0.0;
		struct cc_err why = { 0 };
		int64_t old_id = rows[i].c.old_id;
		int32_t date = rows[i].c.date;

		if (rows[i].bad)
			continue;
		for (size_t k = 0; k < n; k++)
			if (!rows[k].bad && rows[k].c.old_id == rows[i].c.old_id &&
			    rows[k].c.date == rows[i].c.date)
				sum += rows[k].c.share;
		if (fabs(sum - 1.0) <= 1e-6)
			continue;
		cc_err_set(&why, CC_EINVALID, "the shares of %s on this date add up to %g, not 1",
		           rows[i].c.old_pcode, sum);
		cc_err_at(&why, NULL, 0, col_names[C_SHARE][0]);
		for (size_t k = i; k < n; k++) {
			if (rows[k].bad || rows[k].c.old_id != old_id || rows[k].c.date != date)
				continue;
			rows[k].bad = true;
			if ((ret = cc__import_reject(o, rep, rejects, fname, &rows[k].row, &why)) < 0)
				goto out;
		}
	}
	if ((ret = cc_store_list_crosswalk(st, &old, &n_old, err)) < 0 ||
	    (ret = cc_store_begin(st, err)) < 0)
		goto out;
	in_tx = true;
	if ((ret = cc_store_put_source(st, &src, err)) < 0 ||
	    (ret = cc_store_new_batch(st, &batch, err)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		bool found = false, same = false;

		if (rows[i].bad)
			continue;
		for (size_t k = 0; k < n_old && !found; k++) {
			if (old[k].old_id == rows[i].c.old_id && old[k].new_id == rows[i].c.new_id &&
			    old[k].date == rows[i].c.date) {
				found = true;
				same = old[k].share == rows[i].c.share;
			}
		}
		if (same) {
			rep->n_unchanged++;
			continue;
		}
		if ((ret = cc_store_put_crosswalk(st, &rows[i].c, src.name, err)) < 0)
			goto out;
		if (found)
			rep->n_updated++;
		else
			rep->n_added++;
	}
	ret = cc__import_finish(st, o, rep,
	                        &(struct cc__import_end){ .table = "area_crosswalk",
	                                                  .mission_id = 0,
	                                                  .batch = batch },
	                        &src, &in_tx, err);
out:
	if (in_tx)
		cc_store_rollback(st);
	if (rejects && fclose(rejects) != 0 && ret == 0)
		ret = cc_err_set(err, CC_EIO, "cannot write rejects file '%s'", o->rejects_path);
	cc_csv_close(csv);
	free_rows(rows, n);
	cc_free(old);
	return ret;
}

/* ---- template 3w ---- */

/* The header and hashtag rows of the template: what `concord import 3w` reads. */
static const char *const tpl_cols[][2] = {
	{ "Province", "#adm1+name" },
	{ "Province P-code", "#adm1+code" },
	{ "District", "#adm2+name" },
	{ "District P-code", "#adm2+code" },
	{ "Organisation", "#org+acronym" },
	{ "Implementing partner", "#org+impl+name" },
	{ "Sector (cluster code)", "#sector+cluster+code" },
	{ "Activity", "#activity" },
	{ "Start date (YYYY-MM-DD)", "#date+start" },
	{ "End date (YYYY-MM-DD)", "#date+end" },
	{ "People targeted", "#targeted" },
	{ "People reached", "#reached" },
};

/* "3w.csv" -> "3w-lists.csv" (room n) */
static void lists_path(const char *path, char *out, size_t n)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (!dot || (slash && dot < slash))
		snprintf(out, n, "%s-lists.csv", path);
	else
		snprintf(out, n, "%.*s-lists%s", (int)(dot - path), path, dot);
}

/* One CSV record of fields into b, as cc__csv_write_record writes it to a file. */
static int put_fields(struct cc_buf *b, const char *const *fields, size_t n)
{
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++)
		if ((ret = i ? cc_buf_addch(b, ',') : 0) == 0)
			ret = cc_buf_add_csv(b, fields[i]);
	return ret == 0 ? cc_buf_addch(b, '\n') : ret;
}

static int put_record(struct cc_buf *b, const char *a, const char *c2, const char *c3,
                      const char *d)
{
	const char *fields[4] = { a, c2, c3, d };

	return put_fields(b, fields, 4);
}

int cc_template_3w_buf(struct cc_store *st, int64_t mission_id, struct cc_buf *tpl,
                       struct cc_buf *lists, size_t *n_areas_out, size_t *n_sectors_out,
                       size_t *n_orgs_out, struct cc_err *err)
{
	struct cc_area_filter f = { .level = -1 };
	struct cc_area *areas = NULL;
	struct cc_round_org *sectors = NULL, *orgs = NULL;
	size_t n_areas = 0, n_sectors = 0, n_orgs = 0;
	const char *fields[sizeof(tpl_cols) / sizeof(tpl_cols[0])];
	const size_t n_cols = sizeof(tpl_cols) / sizeof(tpl_cols[0]);
	size_t n_listed = 0;
	int32_t today;
	int ret;

	if ((ret = cc_store_list_areas(st, &f, &areas, &n_areas, err)) < 0 ||
	    (ret = cc_store_list_sector_codes(st, "10", &sectors, &n_sectors, err)) < 0 ||
	    (ret = cc_store_round_orgs(st, mission_id, true, &orgs, &n_orgs, err)) < 0)
		goto done;
	today = (int32_t)(time(NULL) / 86400);
	for (int row = 0; row < 2 && ret == 0; row++) {
		for (size_t i = 0; i < n_cols; i++)
			fields[i] = tpl_cols[i][row];
		ret = put_fields(tpl, fields, n_cols);
	}
	/* the lists: what each column may hold */
	if (ret == 0)
		ret = put_record(lists, "List", "Code", "Name", "Within");
	if (ret == 0)
		ret = put_record(lists, "#meta+list", "#meta+code", "#meta+name", "#meta+parent");
	for (size_t i = 0; i < n_areas && ret == 0; i++) {
		char list[16];
		const char *parent = "";
		int32_t from, to;

		/* only the layout in force today: areas that ended are left out */
		if (cc_store_area_validity(st, areas[i].pcode, &from, &to, err) == 0 &&
		    to != CC_DATE_NONE && to < today)
			continue;
		cc_err_clear(err);

		for (size_t k = 0; k < n_areas && areas[i].parent_id; k++)
			if (areas[k].id == areas[i].parent_id)
				parent = areas[k].pcode;
		snprintf(list, sizeof(list), "adm%d", areas[i].level);
		ret = put_record(lists, list, areas[i].pcode, areas[i].name, parent);
		n_listed++;
	}
	for (size_t i = 0; i < n_sectors && ret == 0; i++)
		ret = put_record(lists, "sector", sectors[i].key, sectors[i].name, "");
	for (size_t i = 0; i < n_orgs && ret == 0; i++)
		ret = put_record(lists, "organisation", orgs[i].name, orgs[i].key, "");
	if (ret < 0)
		ret = cc_err_set(err, ret, "cannot write the template");
done:
	if (n_areas_out)
		*n_areas_out = n_listed;
	if (n_sectors_out)
		*n_sectors_out = n_sectors;
	if (n_orgs_out)
		*n_orgs_out = n_orgs;
	cc_free(areas);
	cc_free(sectors);
	cc_free(orgs);
	return ret;
}

/* Writes the bytes of b to path; CC_EIO naming it. */
static int write_file(const char *path, const struct cc_buf *b, struct cc_err *err)
{
	FILE *f = fopen(path, "w");
	bool ok = f && fwrite(b->buf, 1, b->len, f) == b->len;

	if (f && fclose(f) != 0)
		ok = false;
	return ok ? 0 : cc_err_set(err, CC_EIO, "cannot write '%s'", path);
}

int cc_template_3w(struct cc_store *st, int64_t mission_id, const char *path,
                   size_t *n_areas_out, size_t *n_sectors_out, size_t *n_orgs_out,
                   struct cc_err *err)
{
	struct cc_buf tpl = CC_BUF_INIT(CC_LIMIT_TEXT_OUT), lists = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	char lpath[4096];
	int ret;

	lists_path(path, lpath, sizeof(lpath));
	if ((ret = cc_template_3w_buf(st, mission_id, &tpl, &lists, n_areas_out, n_sectors_out,
	                              n_orgs_out, err)) == 0 &&
	    (ret = write_file(path, &tpl, err)) == 0)
		ret = write_file(lpath, &lists, err);
	cc_buf_release(&tpl);
	cc_buf_release(&lists);
	return ret;
}
