/*
 * The feedback importer: a CSV of stakeholder feedback (columns in <concord/feedback.h>) →
 * feedback items, one transaction per file, every bad row reported as FILE:LINE: FIELD:
 * reason, re-imports changing nothing (items are keyed by the file's id or a digest).
 */
#include <concord/feedback.h>

#include <stdarg.h>
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
#include "io/row_check.h"

#include "core/banned.h"

enum col { C_ID, C_DATE, C_AREA, C_CHANNEL, C_ORG, C_TEXT, C_CATEGORY, C_SENTIMENT, C_N };

static const char *const col_names[C_N][3] = {
	[C_ID] = { "id", "feedback_id", NULL },
	[C_DATE] = { "date", "received", NULL },
	[C_AREA] = { "area", "pcode", "location" },
	[C_CHANNEL] = { "channel", NULL, NULL },
	[C_ORG] = { "organisation", "organization", "org" },
	[C_TEXT] = { "text", "feedback", "comment" },
	[C_CATEGORY] = { "category", NULL, NULL },
	[C_SENTIMENT] = { "sentiment", NULL, NULL },
};

/* The columns --map may name. */
static const char *const map_fields[] = { "id",      "date",     "area",     "channel",
	                                  "organisation", "text", "category", "sentiment",
	                                  NULL };

struct fimp {
	struct cc_store *st;
	const struct cc_import_opts *o;
	struct cc_import_report *rep;
	const char *fname;
	const char *personal;
	struct cc_mission mission;
	struct cc_source src;
	int64_t batch;
	int col[C_N];
	char **header;
	size_t n_header;
	struct cc_csv_row *row;
	struct cc_map seen;
	struct cc_buf norm, giver;
	FILE *rejects;
	int64_t first_added, last_added;
};

static const char *cell(const struct fimp *im, int c)
{
	return cc__csv_cell(im->row, im->col[c]);
}

__attribute__((format(printf, 3, 4))) static int bad(struct cc_err *why, enum col c,
                                                     const char *fmt, ...)
{
	char msg[sizeof(why->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cc_err_set(why, CC_EINVALID, "%s", msg);
	cc_err_at(why, NULL, 0, col_names[c][0]);
	return CC_EINVALID;
}

static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (list && *list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);

		if (len == n && !strncasecmp(list, name, n))
			return true;
		list = end ? end + 1 : NULL;
	}
	return false;
}

static int copy(char *dst, size_t n, const char *s, enum col c, struct cc_err *why)
{
	if (strlen(s) >= n)
		return bad(why, c, "'%.40s…' is too long", s);
	snprintf(dst, n, "%s", s);
	return 0;
}

/* An area by P-code, else by name at any level. */
static int area(struct fimp *im, const char *s, int64_t *id, struct cc_err *why)
{
	struct cc_area a;
	struct cc_err e = { 0 };
	int ret;

	*id = 0;
	if (!s[0])
		return 0;
	ret = cc_store_find_area(im->st, s, &a, &e);
	if (ret == CC_ENOTFOUND) {
		if (cc_text_norm(s, &im->norm) < 0)
			return bad(why, C_AREA, "cannot read area '%s'", s);
		cc_err_clear(&e);
		ret = cc_store_find_area_by_name(im->st, 0, -1, im->norm.buf, &a, &e);
	}
	if (ret == CC_ENOTFOUND)
		return bad(why, C_AREA, "unknown area '%s' (give its P-code)", s);
	if (ret == CC_EINVALID)
		return bad(why, C_AREA, "%s", e.msg);
	if (ret < 0) {
		*why = e;
		return ret;
	}
	*id = a.id;
	return 0;
}

/* The natural key of an item with no id: a digest of what identifies it. */
void cc_feedback_key(struct cc_feedback *f)
{
	struct cc_hash128 h;
	unsigned char d[16];

	if (f->key[0])
		return;
	cc_hash128_init(&h);
	cc_hash128_i64(&h, f->date);
	cc_hash128_i64(&h, f->area_id);
	cc_hash128_str(&h, f->channel);
	cc_hash128_str(&h, f->organisation);
	cc_hash128_str(&h, f->text);
	cc_hash128_final(&h, d);
	memcpy(f->key, "h:", 2);
	cc_hex(d, sizeof(d), f->key + 2);
}

static int check_row(struct fimp *im, struct cc_feedback *f, struct cc_err *why)
{
	struct cc_err e = { 0 };
	size_t n = 0;
	int ret = 0;

	memset(f, 0, sizeof(*f));
	f->mission_id = im->mission.id;
	if (!cell(im, C_DATE)[0])
		return bad(why, C_DATE, "the date is empty");
	if (cc_date_parse(cell(im, C_DATE), &f->date, &e) < 0)
		return bad(why, C_DATE, "'%s' is not a date (YYYY-MM-DD)", cell(im, C_DATE));
	if (!cell(im, C_TEXT)[0])
		return bad(why, C_TEXT, "the text is empty");
	if ((ret = copy(f->text, sizeof(f->text), cell(im, C_TEXT), C_TEXT, why)) < 0 ||
	    (ret = copy(f->channel, sizeof(f->channel), cell(im, C_CHANNEL), C_CHANNEL, why)) < 0 ||
	    (ret = copy(f->organisation, sizeof(f->organisation), cell(im, C_ORG), C_ORG, why)) <
	            0 ||
	    (ret = copy(f->category, sizeof(f->category), cell(im, C_CATEGORY), C_CATEGORY, why)) <
	            0 ||
	    (ret = copy(f->key, sizeof(f->key), cell(im, C_ID), C_ID, why)) < 0)
		return ret;
	if (cc_feedback_sentiment(cell(im, C_SENTIMENT), f->sentiment, &e) < 0)
		return bad(why, C_SENTIMENT, "%s", e.msg);
	if ((ret = area(im, cell(im, C_AREA), &f->area_id, why)) < 0)
		return ret;
	cc_feedback_key(f);
	cc_buf_clear(&im->giver);
	for (size_t i = 0; i < im->n_header && ret == 0; i++) {
		const char *s = i < im->row->n_fields ? im->row->fields[i] : "";

		if (!in_list(im->personal, im->header[i]) || !s[0])
			continue;
		ret = cc_buf_adds(&im->giver, n++ ? "," : "{");
		if (ret == 0)
			ret = cc_buf_add_json_str(&im->giver, im->header[i]);
		if (ret == 0)
			ret = cc_buf_addch(&im->giver, ':');
		if (ret == 0)
			ret = cc_buf_add_json_str(&im->giver, s);
	}
	if (ret == 0 && n)
		ret = cc_buf_addch(&im->giver, '}');
	if (ret < 0)
		return cc_err_set(why, ret, "%s", cc_code_text(ret));
	f->giver = n ? im->giver.buf : NULL;
	return 0;
}

static int import_row(struct fimp *im, struct cc_err *err)
{
	struct cc_feedback *f = cc_malloc(sizeof(*f));
	struct cc_err why = { 0 };
	enum cc_put_result res;
	int64_t line;
	int ret;

	if (!f)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	ret = cc__row_width(im->row, im->n_header, &why);
	if (ret == 0)
		ret = check_row(im, f, &why);
	if (ret == 0 && cc_map_get(&im->seen, f->key, &line) == 0) {
		cc_err_set(&why, CC_EINVALID, "repeats line %lld", (long long)line);
		cc_err_at(&why, NULL, 0, im->col[C_ID] >= 0 ? "id" : "text");
		ret = CC_EINVALID;
	}
	if (ret == CC_EINVALID) {
		ret = cc__import_reject(im->o, im->rep, im->rejects, im->fname, im->row, &why);
		if (ret < 0)
			cc_err_set(err, ret, "cannot write rejects file '%s'", im->o->rejects_path);
		goto out;
	}
	if (ret < 0) {
		if (err)
			*err = why;
		goto out_at;
	}
	if ((ret = cc_map_put(&im->seen, f->key, im->row->line)) < 0) {
		cc_err_set(err, ret, "out of memory");
		goto out;
	}
	if ((ret = cc_store_put_feedback(im->st, f, &res, err)) < 0)
		goto out_at;
	switch (res) {
	case CC_PUT_ADDED:
		im->rep->n_added++;
		if (!im->first_added)
			im->first_added = f->id;
		im->last_added = f->id;
		break;
	case CC_PUT_UPDATED:
		im->rep->n_updated++;
		break;
	case CC_PUT_UNCHANGED:
	case CC_PUT_DUPLICATE:
		im->rep->n_unchanged++;
		break;
	}
	goto out;
out_at:
	if (err && !err->line)
		cc_err_at(err, im->fname, im->row->line, NULL);
out:
	cc_free(f);
	return ret;
}

static int map_header(struct fimp *im, const struct cc_csv_row *h, struct cc_err *err)
{
	int ret = cc__header_unique(h->fields, h->n_fields, im->fname, h->line, err);

	if (ret < 0)
		return ret;
	im->header = cc_calloc(h->n_fields ? h->n_fields : 1, sizeof(*im->header));
	if (!im->header)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	im->n_header = h->n_fields;
	for (size_t i = 0; i < h->n_fields; i++)
		if (!(im->header[i] = cc_strdup(h->fields[i])))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (int c = 0; c < C_N; c++) {
		im->col[c] = -1;
		for (size_t k = 0; k < 3 && col_names[c][k] && im->col[c] < 0; k++)
			for (size_t i = 0; i < h->n_fields && im->col[c] < 0; i++)
				if (!strcasecmp(h->fields[i], col_names[c][k]))
					im->col[c] = (int)i;
	}
	if (im->col[C_DATE] < 0 || im->col[C_TEXT] < 0) {
		cc_err_set(err, CC_EPARSE, "no '%s' column in the header",
		           im->col[C_DATE] < 0 ? "date" : "text");
		cc_err_at(err, im->fname, h->line, NULL);
		return CC_EPARSE;
	}
	return 0;
}

int cc_import_feedback(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                       const char *personal, struct cc_import_report *rep, struct cc_err *err)
{
	static const struct cc_import_opts no_opts = { .period_from = CC_DATE_NONE,
		                                       .period_to = CC_DATE_NONE };
	struct fimp im = {
		.st = st, .o = opts ? opts : &no_opts, .rep = rep, .personal = personal
	};
	struct cc_csv_opts copts = { 0 };
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	bool in_tx = false;
	char digest[65] = "";
	int ret, same;

	memset(rep, 0, sizeof(*rep));
	im.fname = im.o->display_name ? im.o->display_name : path;
	cc_buf_init(&im.norm, CC_LIMIT_CSV_FIELD * 4);
	cc_buf_init(&im.giver, CC_LIMIT_CSV_RECORD * 2);
	if ((same = cc__import_source(st, path, im.o, &im.mission, &im.src, digest, rep, err)) <
	    0) {
		ret = same;
		goto out;
	}
	rep->same_file = false;
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
	if (ret < 0 || (ret = map_header(&im, &row, err)) < 0)
		goto out;
	if (same) {
		rep->same_file = true;
		ret = 0;
		goto out;
	}
	if (im.o->rejects_path) {
		if ((ret = cc__rejects_open(im.o->rejects_path, &im.rejects, err)) < 0)
			goto out;
		if ((ret = cc__csv_write_record(im.rejects, im.header, im.n_header, "error")) < 0) {
			cc_err_set(err, ret, "cannot write rejects file '%s'", im.o->rejects_path);
			goto out;
		}
	}
	if ((ret = cc_store_begin(st, err)) < 0)
		goto out;
	in_tx = true;
	if ((ret = cc_store_put_source(st, &im.src, err)) < 0 ||
	    (ret = cc_store_new_batch(st, &im.batch, err)) < 0)
		goto out;
	while ((ret = cc_csv_next(csv, &row, err)) == 0) {
		im.row = &row;
		rep->n_read++;
		if ((ret = import_row(&im, err)) < 0)
			goto out;
	}
	if (ret < 0)
		goto out;
	if (!digest[0])
		snprintf(rep->digest, sizeof(rep->digest), "%s", cc_csv_digest(csv));
	ret = cc__import_finish(st, im.o, rep,
	                        &(struct cc__import_end){ .table = "feedback",
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
	for (size_t i = 0; im.header && i < im.n_header; i++)
		cc_free(im.header[i]);
	cc_free(im.header);
	cc_map_release(&im.seen);
	cc_buf_release(&im.norm);
	cc_buf_release(&im.giver);
	return ret;
}

/* ---- one row given as fields (src/io/row_check.h) ---- */

int cc__feedback_row_check(struct cc_store *st, const struct cc_mission *m,
                           const struct cc__row_fields *f, struct cc_feedback *fb,
                           struct cc_err *why)
{
	struct cc_csv_row header = { .fields = (char **)f->names, .n_fields = f->n, .line = 1 };
	struct cc_csv_row row = { .fields = (char **)f->values, .n_fields = f->n, .line = 2 };
	struct fimp im = { .st = st, .fname = "body", .mission = *m };
	int ret;

	cc_buf_init(&im.norm, CC_LIMIT_CSV_FIELD * 4);
	cc_buf_init(&im.giver, CC_LIMIT_CSV_RECORD * 2);
	ret = map_header(&im, &header, why);
	if (ret == 0) {
		im.row = &row;
		ret = check_row(&im, fb, why);
	}
	for (size_t i = 0; im.header && i < im.n_header; i++)
		cc_free(im.header[i]);
	cc_free(im.header);
	cc_buf_release(&im.norm);
	cc_buf_release(&im.giver);
	return ret;
}
