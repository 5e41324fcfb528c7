/*
 * concord import rates: the ECB's daily reference rates (one column per currency) or annual
 * averages (year, currency, units_per_eur) into fx_rate. See <concord/money.h>.
 */
#include <concord/money.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <concord/text.h>

#include "io/csv.h"
#include "io/import_util.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

enum layout { L_DAILY, L_ANNUAL };

#define MAX_CUR 256 /* currency columns of a daily file */

struct imp {
	struct cc_store *st;
	const struct cc_import_opts *o;
	struct cc_import_report *rep;
	const char *fname;
	const char *source;
	FILE *rejects;
	enum layout layout;
	size_t n_header;              /* fields of the header, a trailing empty one not counted */
	char cur[MAX_CUR][4];         /* daily: currency of column i + 1; "" for none */
	long year_col, cur_col, rate_col; /* annual */
	struct cc_map seen;           /* natural keys of this file's rows → line */
};

static bool code3(const char *s, char out[static 4])
{
	for (int i = 0; i < 3; i++) {
		char ch = s[i];

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch < 'A' || ch > 'Z')
			return false;
		out[i] = ch;
	}
	out[3] = '\0';
	return s[3] == '\0';
}

/* The fields --map may name (a daily file's currency columns are named by their code). */
static const char *const map_fields[] = { "date", "year", "currency", "units_per_eur", NULL };

/* The header's fields, not counting one empty field at the end (the ECB's trailing comma). */
static size_t width(const struct cc_csv_row *r)
{
	size_t n = r->n_fields;

	if (n > 1 && !r->fields[n - 1][0])
		n--;
	return n;
}

/* err (already set) placed at the header's line; CC_EPARSE */
static int header_error(struct imp *im, const struct cc_csv_row *h, struct cc_err *err,
                        const char *field)
{
	cc_err_at(err, im->fname, h->line, field);
	return CC_EPARSE;
}

static int map_header(struct imp *im, const struct cc_csv_row *h, struct cc_err *err)
{
	int ret;

	im->n_header = width(h);
	im->year_col = im->cur_col = im->rate_col = -1;
	if (strcasecmp(h->fields[0], "date") == 0) {
		im->layout = L_DAILY;
		if (im->n_header - 1 > MAX_CUR) {
			cc_err_set(err, CC_EPARSE, "more than %d currency columns", MAX_CUR);
			return header_error(im, h, err, NULL);
		}
		for (size_t i = 1; i < im->n_header; i++) {
			char col[32];

			snprintf(col, sizeof(col), "column %zu", i + 1);
			if (!code3(h->fields[i], im->cur[i - 1])) {
				cc_err_set(err, CC_EPARSE,
				           "'%s' is not a currency code (three letters)",
				           h->fields[i]);
				return header_error(im, h, err, col);
			}
			for (size_t k = 1; k < i; k++)
				if (strcmp(im->cur[k - 1], im->cur[i - 1]) == 0) {
					cc_err_set(err, CC_EPARSE, "currency %s has two columns",
					           im->cur[i - 1]);
					return header_error(im, h, err, col);
				}
		}
		return 0;
	}
	/* the annual layout: each column named once (the daily one names each currency once) */
	if ((ret = cc__header_unique(h->fields, im->n_header, im->fname, h->line, err)) < 0)
		return ret;
	for (size_t i = 0; i < im->n_header; i++) {
		long *slot = strcasecmp(h->fields[i], "year") == 0            ? &im->year_col
		             : strcasecmp(h->fields[i], "currency") == 0      ? &im->cur_col
		             : strcasecmp(h->fields[i], "units_per_eur") == 0 ? &im->rate_col
		                                                              : NULL;

		if (slot)
			*slot = (long)i;
	}
	if (im->year_col < 0 || im->cur_col < 0 || im->rate_col < 0) {
		cc_err_set(err, CC_EPARSE,
		           "not an exchange-rate file: the header needs 'Date' then currency "
		           "codes (ECB daily), or year, currency and units_per_eur");
		return header_error(im, h, err, NULL);
	}
	im->layout = L_ANNUAL;
	return 0;
}

/* A rate cell: 0 and *out set, 1 no rate ("" or N/A), CC_EINVALID with why. */
static int rate_cell(const char *s, const char *field, double *out, struct cc_err *why)
{
	struct cc_err e = { 0 };

	if (!s[0] || strcasecmp(s, "N/A") == 0)
		return 1;
	if (cc_parse_double(s, out, &e) < 0 || !isfinite(*out) || *out <= 0) {
		cc_err_set(why, CC_EINVALID, "rate '%s' is not a positive number", s);
		cc_err_at(why, NULL, 0, field);
		return CC_EINVALID;
	}
	return 0;
}

static int put(struct imp *im, const struct cc_rate *r, struct cc_err *err)
{
	enum cc_put_result res = CC_PUT_UNCHANGED;
	int ret = cc_store_put_rate(im->st, r, im->source, &res, err);

	if (ret < 0)
		return ret;
	if (res == CC_PUT_ADDED)
		im->rep->n_added++;
	else if (res == CC_PUT_UPDATED)
		im->rep->n_updated++;
	else
		im->rep->n_unchanged++;
	return 0;
}

/* Rejects a row whose key appeared before; returns CC_EINVALID with why, 0, CC_ENOMEM. */
static int unique(struct imp *im, const char *key, long line, const char *field,
                  struct cc_err *why)
{
	int64_t first;

	if (cc_map_get(&im->seen, key, &first) == 0) {
		cc_err_set(why, CC_EINVALID, "duplicate of line %lld", (long long)first);
		cc_err_at(why, NULL, 0, field);
		return CC_EINVALID;
	}
	return cc_map_put(&im->seen, key, line);
}

static int row_daily(struct imp *im, const struct cc_csv_row *row, struct cc_rate *rates,
                     size_t *n_out, struct cc_err *why)
{
	const char *ds = row->fields[0];
	struct cc_err e = { 0 };
	int32_t day;
	int ret;

	*n_out = 0;
	if (strlen(ds) != 10 || cc_date_parse(ds, &day, &e) < 0) {
		cc_err_set(why, CC_EINVALID, "'%s' is not a date (YYYY-MM-DD)", ds);
		cc_err_at(why, NULL, 0, "Date");
		return CC_EINVALID;
	}
	if ((ret = unique(im, ds, row->line, "Date", why)) != 0)
		return ret;
	for (size_t i = 1; i < im->n_header; i++) {
		double v;

		ret = rate_cell(cc__csv_cell(row, (long)i), im->cur[i - 1], &v, why);
		if (ret < 0)
			return ret;
		if (ret > 0)
			continue;
		rates[*n_out] = (struct cc_rate){ .kind = CC_RATE_DAILY, .date = day, .per_eur = v };
		memcpy(rates[*n_out].currency, im->cur[i - 1], 4);
		++*n_out;
	}
	return 0;
}

static int row_annual(struct imp *im, const struct cc_csv_row *row, struct cc_rate *rates,
                      size_t *n_out, struct cc_err *why)
{
	const char *ys = cc__csv_cell(row, im->year_col), *cs = cc__csv_cell(row, im->cur_col);
	struct cc_err e = { 0 };
	char cur[4], key[16];
	int64_t year;
	double v = 0;
	int ret, have;

	*n_out = 0;
	if (cc_parse_i64(ys, 1900, 2199, &year, &e) < 0) {
		cc_err_set(why, CC_EINVALID, "'%s' is not a year", ys);
		cc_err_at(why, NULL, 0, "year");
		return CC_EINVALID;
	}
	if (!code3(cs, cur)) {
		cc_err_set(why, CC_EINVALID, "'%s' is not a currency code (three letters)", cs);
		cc_err_at(why, NULL, 0, "currency");
		return CC_EINVALID;
	}
	have = rate_cell(cc__csv_cell(row, im->rate_col), "units_per_eur", &v, why);
	if (have < 0)
		return have;
	snprintf(key, sizeof(key), "%04d %s", (int)year, cur);
	if ((ret = unique(im, key, row->line, "currency", why)) != 0)
		return ret;
	if (have > 0)
		return 0; /* no rate that year */
	if (strcmp(cur, "EUR") == 0) {
		if (v != 1.0) {
			cc_err_set(why, CC_EINVALID, "the euro's rate is 1, not %s",
			           cc__csv_cell(row, im->rate_col));
			cc_err_at(why, NULL, 0, "units_per_eur");
			return CC_EINVALID;
		}
		return 0; /* 1 by definition: not stored */
	}
	rates[0] = (struct cc_rate){ .kind = CC_RATE_ANNUAL,
		                     .date = cc_date_from_ymd((int)year, 1, 1),
		                     .per_eur = v };
	memcpy(rates[0].currency, cur, 4);
	*n_out = 1;
	return 0;
}

static int import_row(struct imp *im, const struct cc_csv_row *row, struct cc_err *err)
{
	struct cc_rate rates[MAX_CUR];
	struct cc_err why = { 0 };
	size_t n = 0;
	int ret;

	if (width(row) > im->n_header || row->n_fields < im->n_header) {
		/* a cut row is rejected too: a rate not given is an empty or N/A cell */
		cc_err_set(&why, CC_EINVALID, "%zu fields; the header has %zu",
		           width(row) > im->n_header ? width(row) : row->n_fields, im->n_header);
		ret = CC_EINVALID;
	} else {
		ret = im->layout == L_DAILY ? row_daily(im, row, rates, &n, &why)
		                            : row_annual(im, row, rates, &n, &why);
	}
	if (ret == CC_EINVALID) {
		ret = cc__import_reject(im->o, im->rep, im->rejects, im->fname, row, &why);
		if (ret < 0)
			return cc_err_set(err, ret, "cannot write rejects file '%s'",
			                  im->o->rejects_path);
		return 0;
	}
	if (ret < 0)
		return cc_err_set(err, ret, "out of memory");
	for (size_t i = 0; i < n; i++)
		if ((ret = put(im, &rates[i], err)) < 0) {
			cc_err_at(err, im->fname, row->line, rates[i].currency);
			return ret;
		}
	return 0;
}

int cc_import_rates(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                    struct cc_import_report *rep, struct cc_err *err)
{
	static const struct cc_import_opts no_opts = { .period_from = CC_DATE_NONE,
		                                       .period_to = CC_DATE_NONE, .level = -1 };
	struct imp im = { .st = st, .o = opts ? opts : &no_opts, .rep = rep,
		          .seen = CC_MAP_INIT };
	struct cc_csv_opts copts = { 0 };
	struct cc_mission mission;
	struct cc_source src;
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	char digest[65];
	int64_t batch = 0;
	bool in_tx = false;
	int ret;

	memset(rep, 0, sizeof(*rep));
	im.fname = im.o->display_name ? im.o->display_name : path;
	ret = cc__import_source(st, path, im.o, &mission, &src, digest, rep, err);
	if (ret != 0)
		return ret > 0 ? 0 : ret;
	im.source = src.name;
	copts.encoding = im.o->encoding;
	copts.display_name = im.fname;
	copts.no_digest = digest[0] != '\0';
	copts.map = im.o->map; /* --map COLUMN=FIELD */
	copts.n_map = im.o->n_map;
	copts.map_fields = map_fields;
	if ((ret = cc_csv_open(&csv, path, &copts, err)) < 0)
		goto out;
	ret = cc_csv_next(csv, &row, err);
	if (ret > 0) {
		ret = cc_err_set(err, CC_EPARSE, "the file is empty; it needs a header row");
		cc_err_at(err, im.fname, 0, NULL);
	}
	if (ret < 0 || (ret = map_header(&im, &row, err)) < 0)
		goto out;
	if (im.o->rejects_path) {
		if ((ret = cc__rejects_open(im.o->rejects_path, &im.rejects, err)) < 0)
			goto out;
		if (cc__csv_write_record(im.rejects, row.fields, row.n_fields, "error") < 0) {
			ret = cc_err_set(err, CC_EIO, "cannot write rejects file '%s'",
			                 im.o->rejects_path);
			goto out;
		}
	}
	if ((ret = cc_store_begin(st, err)) < 0)
		goto out;
	in_tx = true;
	if ((ret = cc_store_new_batch(st, &batch, err)) < 0)
		goto out;
	while ((ret = cc_csv_next(csv, &row, err)) == 0) {
		rep->n_read++;
		if ((ret = import_row(&im, &row, err)) < 0)
			goto out;
	}
	if (ret < 0)
		goto out;
	if (!rep->n_read) { /* a header alone: refused, nothing stored */
		ret = cc_err_set(err, CC_EPARSE, "no rows after the header");
		cc_err_at(err, im.fname, 0, NULL);
		goto out;
	}
	if (!digest[0])
		snprintf(rep->digest, sizeof(rep->digest), "%s", cc_csv_digest(csv));
	ret = cc__import_finish(st, im.o, rep,
	                        &(struct cc__import_end){ .table = "fx_rate",
	                                                  .mission_id = mission.id,
	                                                  .batch = batch },
	                        &src, &in_tx, err);
out:
	if (in_tx)
		cc_store_rollback(st);
	if (im.rejects && fclose(im.rejects) != 0 && ret == 0)
		ret = cc_err_set(err, CC_EIO, "cannot write rejects file '%s'", im.o->rejects_path);
	cc_csv_close(csv);
	cc_map_release(&im.seen);
	return ret;
}
