/*
 * The survey importer: a respondent-level CSV (KoboToolbox or ODK export, or a plain CSV with a
 * header) → respondents and their answers (see <concord/survey.h>).
 *
 * Each row is checked whole before anything of it is stored: the respondent id, the weight,
 * the area (through the map, then as a P-code, then by name within the previous area column),
 * and every answer against the form when one is given. A bad row is reported with file, line
 * and column and nothing of it is stored. The file's own bookkeeping columns (start, end,
 * _uuid, _submission_time …) are not questions; personal columns go, as one JSON object, to
 * the respondent's sensitive column and never into answers.
 *
 * A file that is plainly something else is refused whole before anything is stored: markup or
 * JSON, an HXL file (hashtags in the header or the row under it), a conflict-events file (UCDP
 * or ACLED header), and, when a form is given, a file none of whose question columns the form
 * names (the export of another form).
 */
#include <concord/survey.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/text.h>

#include "core/limits.h"
#include "io/csv.h"
#include "io/import_util.h"

#include "core/banned.h"

#define MAX_AREA_COLS 4

enum role { R_QUESTION = 0, R_SKIP, R_ID, R_WEIGHT, R_AREA, R_PERSONAL };

enum qtype { T_ANY = 0, T_NUMBER, T_INTEGER, T_SELECT_ONE, T_SELECT_MULTIPLE };

/* A question of the form's survey sheet. */
struct fq {
	char *name, *type, *list, *label; /* owned */
};

/* A choice of the form's choices sheet. */
struct fc {
	char *list, *code, *label; /* owned */
	enum cc_answer_status status;
};

struct form {
	struct fq *q;
	size_t n_q, cap_q;
	struct cc_map q_ix; /* name → index */
	struct fc *c;
	size_t n_c, cap_c;
	struct cc_map c_ix; /* list \x1f code → index */
};

struct column {
	enum role role;
	int area_level;   /* R_AREA: 0 for the first area column … */
	int64_t question; /* R_QUESTION: its id */
	enum qtype type;
	const char *list; /* choice list (in the form), NULL none */
};

struct simp {
	struct cc_store *st;
	const struct cc_import_opts *o;
	const struct cc_survey_import_opts *so;
	struct cc_import_report *rep;
	const char *fname;
	const char *wave;
	struct cc_mission mission;
	struct cc_source src;
	int64_t batch;
	char **header; /* owned copies */
	size_t n_header;
	struct column *cols; /* owned, n_header */
	int area_cols[MAX_AREA_COLS];
	size_t n_area_cols;
	struct form form;
	struct cc_map area_map;   /* normalised name → area id (from so->area_map) */
	struct cc_map area_cache; /* level \x1f parent \x1f normalised name → area id */
	struct cc_map seen;       /* respondent key → line */
	struct cc_csv_row *row;
	FILE *rejects;
	struct cc_survey_answer *answers; /* owned, n_header */
	struct cc_buf norm, personal, key;
	int64_t first_added, last_added;
};

/* ---- answers ---- */

static bool any_of(const char *s, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

/* The status text alone says: missing, don't know, refused, or answered (a real answer). */
static enum cc_answer_status word_status(const char *s)
{
	static const char *const missing[] = { "", "NA", "N/A", "NaN", "#N/A", "null" };
	static const char *const dk[] = { "don't know", "dont know",   "don\xe2\x80\x99t know",
		                          "dont_know",  "do_not_know", "do not know",
		                          "dk",         "don't_know",  "unknown_dk" };
	static const char *const refused[] = { "refused",
		                               "refuse",
		                               "ref",
		                               "refused_to_answer",
		                               "prefer not to say",
		                               "prefer_not_to_say",
		                               "prefer not to answer",
		                               "prefer_not_to_answer" };

	if (any_of(s, missing, sizeof(missing) / sizeof(missing[0])))
		return CC_MISSING;
	if (any_of(s, dk, sizeof(dk) / sizeof(dk[0])))
		return CC_DONT_KNOW;
	if (any_of(s, refused, sizeof(refused) / sizeof(refused[0])))
		return CC_REFUSED;
	return CC_ANSWERED;
}

static const char *cell(const struct simp *im, size_t col)
{
	return col < im->row->n_fields ? im->row->fields[col] : "";
}

static int bad(struct cc_err *why, const char *field, int code)
{
	cc_err_at(why, NULL, 0, field);
	return code;
}

/* Classifies one answer (borrowing the cell's text); CC_EINVALID with why set. */
static int answer(struct simp *im, size_t col, struct cc_survey_answer *a, struct cc_err *why)
{
	const struct column *c = &im->cols[col];
	const char *s = cell(im, col);
	char key[512];
	int64_t ix;

	a->question_id = c->question;
	a->value = (double)NAN;
	a->code = s;
	a->status = word_status(s);
	if (a->status == CC_MISSING)
		a->code = "";
	if (a->status != CC_ANSWERED)
		return 0;
	if (c->list && c->type == T_SELECT_ONE) {
		snprintf(key, sizeof(key), "%s\x1f%s", c->list, s);
		if (cc_map_get(&im->form.c_ix, key, &ix) != 0) {
			cc_err_set(why, CC_EINVALID, "'%s' is not a choice of list '%s'", s,
			           c->list);
			return bad(why, im->header[col], CC_EINVALID);
		}
		a->status = im->form.c[ix].status;
		if (a->status != CC_ANSWERED)
			return 0;
	}
	if (cc_parse_double(s, &a->value, NULL) < 0) {
		a->value = (double)NAN;
		if (c->type == T_NUMBER || c->type == T_INTEGER) {
			cc_err_set(why, CC_EINVALID, "'%s' is not a number", s);
			return bad(why, im->header[col], CC_EINVALID);
		}
	} else if (c->type == T_INTEGER && a->value != floor(a->value)) {
		cc_err_set(why, CC_EINVALID, "'%s' is not a whole number", s);
		return bad(why, im->header[col], CC_EINVALID);
	}
	return 0;
}

/* ---- areas ---- */

static int norm(struct simp *im, const char *s, struct cc_err *why)
{
	int ret = cc_text_norm(s, &im->norm);

	if (ret < 0)
		return cc_err_set(why, ret == CC_ENOMEM ? CC_ENOMEM : CC_EINVALID,
		                  "cannot normalise '%s'", s);
	return 0;
}

/* The area named by the area columns: through the map, as a P-code, else by name. */
static int find_area(struct simp *im, int64_t *area_id, struct cc_err *why)
{
	int64_t parent = 0, id;
	struct cc_area a;
	char key[600];
	int ret;

	*area_id = 0;
	for (size_t k = 0; k < im->n_area_cols; k++) {
		size_t col = (size_t)im->area_cols[k];
		const char *s = cell(im, col);
		struct cc_err e = { 0 };

		if (word_status(s) == CC_MISSING)
			break;
		if ((ret = norm(im, s, why)) < 0)
			return bad(why, im->header[col], ret);
		snprintf(key, sizeof(key), "%zu\x1f%lld\x1f%s", k, (long long)parent, im->norm.buf);
		if (cc_map_get(&im->area_cache, key, &id) == 0) {
			parent = id;
			continue;
		}
		if (cc_map_get(&im->area_map, im->norm.buf, &id) == 0) {
			ret = 0;
		} else if ((ret = cc_store_find_area(im->st, s, &a, &e)) == 0) {
			id = a.id;
		} else if (ret == CC_ENOTFOUND) {
			cc_err_clear(&e);
			ret = cc_store_find_area_by_name(im->st, parent, -1, im->norm.buf, &a, &e);
			id = a.id;
		}
		if (ret == CC_ENOTFOUND) {
			cc_err_set(why, CC_EINVALID,
			           "unknown area '%s'%s (give its P-code, or map "
			           "the name with --area-map)",
			           s, parent ? " within the area before" : "");
			return bad(why, im->header[col], CC_EINVALID);
		}
		if (ret == CC_EINVALID) {
			cc_err_set(why, CC_EINVALID, "%s", e.msg);
			return bad(why, im->header[col], CC_EINVALID);
		}
		if (ret < 0) {
			*why = e;
			return ret;
		}
		if (cc_map_put(&im->area_cache, key, id) < 0)
			return cc_err_set(why, CC_ENOMEM, "out of memory");
		parent = id;
	}
	*area_id = parent;
	return 0;
}

/* ---- the form ---- */

static int find_col(const struct cc_csv_row *h, const char *name)
{
	for (size_t i = 0; i < h->n_fields; i++)
		if (!strcasecmp(h->fields[i], name))
			return (int)i;
	return -1;
}

static int label_col(const struct cc_csv_row *h)
{
	int c = find_col(h, "label");

	for (size_t i = 0; i < h->n_fields && c < 0; i++)
		if (!strncasecmp(h->fields[i], "label::", 7))
			c = (int)i;
	return c;
}

static const char *field(const struct cc_csv_row *r, int c)
{
	return c >= 0 && (size_t)c < r->n_fields ? r->fields[c] : "";
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	q = cc_realloc(*p, nc * size);
	if (!q)
		return CC_ENOMEM;
	*p = q;
	*cap = nc;
	return 0;
}

/* A choice's status from its code or label ("98" labelled "Don't know" is don't know). */
static enum cc_answer_status choice_status(const char *code, const char *label)
{
	enum cc_answer_status s = word_status(code);

	if (s == CC_DONT_KNOW || s == CC_REFUSED)
		return s;
	s = word_status(label);
	return s == CC_DONT_KNOW || s == CC_REFUSED ? s : CC_ANSWERED;
}

static int read_form_file(struct simp *im, const char *path, struct cc_err *err)
{
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	int c_type, c_name, c_list, c_label, ret;
	struct form *f = &im->form;
	char key[512];

	if ((ret = cc_csv_open(&csv, path, &(struct cc_csv_opts){ .no_digest = true }, err)) < 0)
		return ret;
	ret = cc_csv_next(csv, &row, err);
	if (ret > 0) {
		ret = cc_err_set(err, CC_EPARSE, "empty form file");
		cc_err_at(err, path, 0, NULL);
	}
	if (ret < 0)
		goto out;
	c_type = find_col(&row, "type");
	c_name = find_col(&row, "name");
	c_list = find_col(&row, "list_name");
	if (c_list < 0)
		c_list = find_col(&row, "list name");
	c_label = label_col(&row);
	if (c_name < 0 || (c_type < 0 && c_list < 0)) {
		ret = cc_err_set(err, CC_EPARSE,
		                 "not an XLSForm sheet: the header needs 'name' and "
		                 "'type' (survey) or 'list_name' (choices)");
		cc_err_at(err, path, row.line, NULL);
		goto out;
	}
	while ((ret = cc_csv_next(csv, &row, err)) == 0) {
		const char *name = field(&row, c_name), *label = field(&row, c_label);

		if (!name[0])
			continue;
		if (c_type >= 0) {
			const char *type = field(&row, c_type), *sp = strchr(type, ' ');
			struct fq *q;

			if ((ret = grow((void **)&f->q, &f->cap_q, f->n_q, sizeof(*f->q))) < 0)
				break;
			q = &f->q[f->n_q];
			memset(q, 0, sizeof(*q));
			q->name = cc_strdup(name);
			q->type = sp ? cc_strndup(type, (size_t)(sp - type)) : cc_strdup(type);
			q->list = cc_strdup(sp ? cc_text_trim((char *)sp + 1) : "");
			q->label = cc_strdup(label);
			f->n_q++;
			if (!q->name || !q->type || !q->list || !q->label ||
			    (ret = cc_map_put(&f->q_ix, name, (int64_t)(f->n_q - 1))) < 0) {
				ret = CC_ENOMEM;
				break;
			}
		} else {
			const char *list = field(&row, c_list);
			struct fc *c;

			if ((ret = grow((void **)&f->c, &f->cap_c, f->n_c, sizeof(*f->c))) < 0)
				break;
			c = &f->c[f->n_c];
			memset(c, 0, sizeof(*c));
			c->list = cc_strdup(list);
			c->code = cc_strdup(name);
			c->label = cc_strdup(label);
			c->status = choice_status(name, label);
			f->n_c++;
			snprintf(key, sizeof(key), "%s\x1f%s", list, name);
			if (!c->list || !c->code || !c->label ||
			    (ret = cc_map_put(&f->c_ix, key, (int64_t)(f->n_c - 1))) < 0) {
				ret = CC_ENOMEM;
				break;
			}
		}
	}
	if (ret == CC_ENOMEM)
		cc_err_set(err, ret, "out of memory reading the form");
	if (ret > 0)
		ret = 0;
out:
	cc_csv_close(csv);
	return ret;
}

static void form_release(struct form *f)
{
	for (size_t i = 0; i < f->n_q; i++) {
		cc_free(f->q[i].name);
		cc_free(f->q[i].type);
		cc_free(f->q[i].list);
		cc_free(f->q[i].label);
	}
	for (size_t i = 0; i < f->n_c; i++) {
		cc_free(f->c[i].list);
		cc_free(f->c[i].code);
		cc_free(f->c[i].label);
	}
	cc_free(f->q);
	cc_free(f->c);
	cc_map_release(&f->q_ix);
	cc_map_release(&f->c_ix);
}

/* The form's question for a column: its full name, else the part after the last '/'. */
static const struct fq *form_question(const struct simp *im, const char *name)
{
	const char *slash = strrchr(name, '/');
	int64_t ix;

	if (cc_map_get(&im->form.q_ix, name, &ix) == 0 ||
	    (slash && cc_map_get(&im->form.q_ix, slash + 1, &ix) == 0))
		return &im->form.q[ix];
	return NULL;
}

/* ---- the area map ---- */

static int read_area_map(struct simp *im, const char *path, struct cc_err *err)
{
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	struct cc_area a;
	int ret;

	if ((ret = cc_csv_open(&csv, path, &(struct cc_csv_opts){ .no_digest = true }, err)) < 0)
		return ret;
	ret = cc_csv_next(csv, &row, err); /* the header */
	while (ret == 0 && (ret = cc_csv_next(csv, &row, err)) == 0) {
		if (row.n_fields < 2 || !row.fields[0][0])
			continue;
		ret = cc_store_find_area(im->st, row.fields[1], &a, err);
		if (ret == CC_ENOTFOUND) {
			ret = cc_err_set(err, CC_EINVALID, "unknown P-code '%s'", row.fields[1]);
			cc_err_at(err, path, row.line, "pcode");
			break;
		}
		if (ret < 0 || (ret = norm(im, row.fields[0], err)) < 0)
			break;
		if ((ret = cc_map_put(&im->area_map, im->norm.buf, a.id)) < 0) {
			cc_err_set(err, ret, "out of memory");
			break;
		}
	}
	cc_csv_close(csv);
	return ret > 0 ? 0 : ret;
}

/* ---- the header ---- */

static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (list && *list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);

		while (len && *list == ' ') {
			list++;
			len--;
		}
		while (len && list[len - 1] == ' ')
			len--;
		if (len == n && !strncasecmp(list, name, n))
			return true;
		list = end ? end + 1 : NULL;
	}
	return false;
}

/* Columns an export adds for its own bookkeeping: not questions. */
static bool bookkeeping(const char *name)
{
	static const char *const names[] = {
		"start",
		"end",
		"today",
		"deviceid",
		"subscriberid",
		"simserial",
		"username",
		"audit",
		"instanceID",
		"KEY",
		"SubmissionDate",
		"SubmitterID",
		"SubmitterName",
		"AttachmentsPresent",
		"AttachmentsExpected",
		"Status",
		"ReviewState",
		"DeviceID",
		"Edits",
		"FormVersion",
		"__version__",
	};

	if (name[0] == '_' || !strncasecmp(name, "meta/", 5) || !strncasecmp(name, "meta-", 5))
		return true;
	return any_of(name, names, sizeof(names) / sizeof(names[0]));
}

static int id_column(const struct simp *im)
{
	static const char *const ids[] = { "_uuid",           "KEY",        "meta/instanceID",
		                           "meta-instanceID", "instanceID", "_id",
		                           "_index" };

	if (im->so->id_column) {
		for (size_t i = 0; i < im->n_header; i++)
			if (!strcasecmp(im->header[i], im->so->id_column))
				return (int)i;
		return -2;
	}
	for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++)
		for (size_t i = 0; i < im->n_header; i++)
			if (!strcasecmp(im->header[i], ids[k]))
				return (int)i;
	return -1;
}

__attribute__((format(printf, 4, 5))) static int
header_fail(struct simp *im, long line, struct cc_err *err, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cc_err_set(err, CC_EPARSE, "%s", msg);
	cc_err_at(err, im->fname, line, NULL);
	return CC_EPARSE;
}

/* A row of HXL hashtags: at least half its cells start with '#'. */
static bool hashtag_row(const struct cc_csv_row *r)
{
	size_t tags = 0;

	for (size_t i = 0; i < r->n_fields; i++)
		tags += r->fields[i][0] == '#';
	return tags && tags * 2 >= r->n_fields;
}

/*
 * A file that is plainly no respondent export, told by its header: markup or JSON (an XML file
 * given as a survey), an HXL hashtag row, or the header of a conflict-events file. CC_EPARSE with
 * the reason, else 0. (A hashtag row under the header is caught at the first data row.)
 */
static int not_respondents(struct simp *im, const struct cc_csv_row *h, struct cc_err *err)
{
	static const struct {
		const char *column, *what;
	} other[] = {
		{ .column = "type_of_violence", .what = "a UCDP GED events file (import events)" },
		{ .column = "event_id_cnty", .what = "an ACLED events file (import events)" },
	};
	const char *first = h->n_fields ? h->fields[0] : "";

	while (*first == ' ' || *first == '\t')
		first++;
	if (first[0] == '<' || first[0] == '{' || first[0] == '[')
		return header_fail(im, h->line, err,
		                   "not a respondent CSV: the file starts with '%c' (%s), not a "
		                   "header of question names",
		                   first[0], first[0] == '<' ? "XML or HTML markup" : "JSON");
	for (size_t i = 0; i < h->n_fields; i++) {
		for (size_t k = 0; k < sizeof(other) / sizeof(other[0]); k++)
			if (!strcasecmp(h->fields[i], other[k].column))
				return header_fail(im, h->line, err,
				                   "not a respondent CSV: column '%s' makes it %s",
				                   h->fields[i], other[k].what);
	}
	if (hashtag_row(h))
		return header_fail(im, h->line, err,
		                   "not a respondent CSV: the header is a row of HXL hashtags");
	return 0;
}

/*
 * With a form: at least one column must be a question the form names, else the file is the
 * export of another form (or no export at all). CC_EPARSE with the reason, else 0.
 */
static int form_columns(struct simp *im, long line, struct cc_err *err)
{
	size_t n_q = 0;

	if (!im->form.n_q)
		return 0;
	for (size_t i = 0; i < im->n_header; i++) {
		if (im->cols[i].role != R_QUESTION)
			continue;
		if (form_question(im, im->header[i]))
			return 0;
		n_q++;
	}
	return header_fail(im, line, err,
	                   "not an export of this form: none of its %zu question columns is a "
	                   "question of the form (%zu questions, the first '%s')",
	                   n_q, im->form.n_q, im->form.q[0].name);
}

static int map_header(struct simp *im, const struct cc_csv_row *h, struct cc_err *err)
{
	const char *list = im->so->area_columns;
	int idc;
	int ret;

	if ((ret = not_respondents(im, h, err)) < 0)
		return ret;
	im->header = cc_calloc(h->n_fields, sizeof(*im->header));
	im->cols = cc_calloc(h->n_fields, sizeof(*im->cols));
	im->answers = cc_calloc(h->n_fields, sizeof(*im->answers));
	if (!im->header || !im->cols || !im->answers)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	im->n_header = h->n_fields;
	for (size_t i = 0; i < h->n_fields; i++) {
		if (!(im->header[i] = cc_strdup(h->fields[i])))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		if (!h->fields[i][0])
			return header_fail(im, h->line, err, "column %zu has no name", i + 1);
	}
	if ((ret = cc__header_unique(h->fields, h->n_fields, im->fname, h->line, err)) < 0)
		return ret;
	idc = id_column(im);
	if (idc == -2)
		return header_fail(im, h->line, err, "no id column '%s' in the header",
		                   im->so->id_column);
	if (idc >= 0)
		im->cols[idc].role = R_ID;
	while (list && *list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);
		char name[256];
		bool found = false;

		snprintf(name, sizeof(name), "%.*s", (int)(len < 255 ? len : 255), list);
		cc_text_trim(name);
		for (size_t i = 0; i < im->n_header && !found; i++) {
			if (strcasecmp(im->header[i], name) != 0)
				continue;
			if (im->n_area_cols == MAX_AREA_COLS)
				return header_fail(im, h->line, err, "more than %d area columns",
				                   MAX_AREA_COLS);
			im->cols[i].role = R_AREA;
			im->cols[i].area_level = (int)im->n_area_cols;
			im->area_cols[im->n_area_cols++] = (int)i;
			found = true;
		}
		if (!found)
			return header_fail(im, h->line, err, "no area column '%s' in the header",
			                   name);
		list = end ? end + 1 : NULL;
	}
	if (im->so->weight_column) {
		bool found = false;

		for (size_t i = 0; i < im->n_header; i++) {
			if (!strcasecmp(im->header[i], im->so->weight_column)) {
				im->cols[i].role = R_WEIGHT;
				found = true;
			}
		}
		if (!found)
			return header_fail(im, h->line, err, "no weight column '%s' in the header",
			                   im->so->weight_column);
	}
	for (size_t i = 0; i < im->n_header; i++) {
		if (in_list(im->so->personal, im->header[i]))
			im->cols[i].role = R_PERSONAL;
		else if (im->cols[i].role == R_QUESTION && bookkeeping(im->header[i]))
			im->cols[i].role = R_SKIP;
	}
	for (const char *p = im->so->personal; p && *p;) {
		const char *end = strchr(p, ',');
		char name[256];
		bool found = false;

		snprintf(name, sizeof(name), "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
		cc_text_trim(name);
		for (size_t i = 0; i < im->n_header && !found; i++)
			found = !strcasecmp(im->header[i], name);
		if (name[0] && !found)
			return header_fail(im, h->line, err,
			                   "no personal column '%s' in the header", name);
		p = end ? end + 1 : NULL;
	}
	return form_columns(im, h->line, err);
}

/* Stores the questions of the file's columns (with what the form says of them). */
static int put_questions(struct simp *im, struct cc_err *err)
{
	size_t n_q = 0;

	for (size_t i = 0; i < im->n_header; i++) {
		struct column *c = &im->cols[i];
		struct cc_survey_question q = { .mission_id = im->mission.id };
		const struct fq *f;
		enum cc_put_result res;
		int ret;

		if (c->role != R_QUESTION)
			continue;
		n_q++;
		if (strlen(im->header[i]) >= sizeof(q.name))
			return header_fail(im, 1, err, "column name '%s' is too long",
			                   im->header[i]);
		snprintf(q.name, sizeof(q.name), "%s", im->header[i]);
		f = form_question(im, im->header[i]);
		if (f) {
			snprintf(q.label, sizeof(q.label), "%s", f->label);
			snprintf(q.type, sizeof(q.type), "%s", f->type);
			snprintf(q.list_name, sizeof(q.list_name), "%s", f->list);
			if (!strcasecmp(f->type, "integer"))
				c->type = T_INTEGER;
			else if (!strcasecmp(f->type, "decimal") || !strcasecmp(f->type, "range"))
				c->type = T_NUMBER;
			else if (!strcasecmp(f->type, "select_one"))
				c->type = T_SELECT_ONE;
			else if (!strcasecmp(f->type, "select_multiple"))
				c->type = T_SELECT_MULTIPLE;
			c->list = f->list[0] ? f->list : NULL;
		}
		if ((ret = cc_store_put_survey_question(im->st, &q, &res, err)) < 0)
			return ret;
		c->question = q.id;
		for (size_t k = 0; c->list && k < im->form.n_c; k++) {
			if (strcmp(im->form.c[k].list, c->list) != 0)
				continue;
			if ((ret = cc_store_put_survey_choice(im->st, q.id, im->form.c[k].code,
			                                      im->form.c[k].label, &res, err)) < 0)
				return ret;
		}
	}
	if (!n_q)
		return header_fail(im, 1, err, "no question columns in the header");
	return 0;
}

/* ---- rows ---- */

static int personal_json(struct simp *im, const char **out, struct cc_err *why)
{
	size_t n = 0;
	int ret = 0;

	*out = NULL;
	cc_buf_clear(&im->personal);
	for (size_t i = 0; i < im->n_header && ret == 0; i++) {
		const char *s = cell(im, i);

		if (im->cols[i].role != R_PERSONAL || !s[0])
			continue;
		ret = cc_buf_adds(&im->personal, n++ ? "," : "{");
		if (ret == 0)
			ret = cc_buf_add_json_str(&im->personal, im->header[i]);
		if (ret == 0)
			ret = cc_buf_addch(&im->personal, ':');
		if (ret == 0)
			ret = cc_buf_add_json_str(&im->personal, s);
	}
	if (ret == 0 && n)
		ret = cc_buf_addch(&im->personal, '}');
	if (ret < 0)
		return cc_err_set(why, ret, "%s", cc_code_text(ret));
	if (n)
		*out = im->personal.buf;
	return 0;
}

/* Checks the whole row; 0 with r and im->answers filled, CC_EINVALID (why set) or an error. */
static int check_row(struct simp *im, struct cc_survey_respondent *r, struct cc_err *why)
{
	int64_t line;
	int ret;

	memset(r, 0, sizeof(*r));
	r->mission_id = im->mission.id;
	r->source_id = im->src.id;
	r->line = im->row->line;
	r->weight = 1;
	snprintf(r->wave, sizeof(r->wave), "%s", im->wave);
	cc_buf_clear(&im->key);
	for (size_t i = 0; i < im->n_header; i++) {
		const char *s = cell(im, i);

		switch (im->cols[i].role) {
		case R_ID:
			if (word_status(s) == CC_MISSING) {
				cc_err_set(why, CC_EINVALID, "the respondent id is empty");
				return bad(why, im->header[i], CC_EINVALID);
			}
			if (strlen(s) >= sizeof(r->key)) {
				cc_err_set(why, CC_EINVALID, "the respondent id is too long");
				return bad(why, im->header[i], CC_EINVALID);
			}
			snprintf(r->key, sizeof(r->key), "%s", s);
			if (cc_map_get(&im->seen, s, &line) == 0) {
				cc_err_set(why, CC_EINVALID, "respondent '%s' repeats line %lld", s,
				           (long long)line);
				return bad(why, im->header[i], CC_EINVALID);
			}
			break;
		case R_WEIGHT:
			if (word_status(s) == CC_MISSING) {
				cc_err_set(why, CC_EINVALID, "the weight is missing");
				return bad(why, im->header[i], CC_EINVALID);
			}
			if (cc_parse_double(s, &r->weight, NULL) < 0 || !(r->weight >= 0) ||
			    isinf(r->weight)) {
				cc_err_set(why, CC_EINVALID, "weight '%s' is not a number >= 0", s);
				return bad(why, im->header[i], CC_EINVALID);
			}
			break;
		case R_QUESTION:
			if ((ret = answer(im, i, &im->answers[i], why)) < 0)
				return ret;
			break;
		case R_AREA:
		case R_PERSONAL:
		case R_SKIP:
			break;
		}
	}
	if (!r->key[0])
		snprintf(r->key, sizeof(r->key), "%.100s:%ld", im->src.name, im->row->line);
	if ((ret = find_area(im, &r->area_id, why)) < 0)
		return ret;
	return personal_json(im, &r->personal, why);
}

static int import_row(struct simp *im, struct cc_err *err)
{
	struct cc_survey_respondent r;
	struct cc_err why = { 0 };
	enum cc_put_result res, ares;
	bool changed;
	int ret;

	ret = cc__row_width(im->row, im->n_header, &why);
	if (ret == 0)
		ret = check_row(im, &r, &why);
	if (ret == CC_EINVALID) {
		ret = cc__import_reject(im->o, im->rep, im->rejects, im->fname, im->row, &why);
		return ret < 0 ? cc_err_set(err, ret, "cannot write rejects file '%s'",
		                            im->o->rejects_path)
		               : 0;
	}
	if (ret < 0)
		goto out_fail_why;
	if (cc_map_put(&im->seen, r.key, im->row->line) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	if ((ret = cc_store_put_survey_respondent(im->st, &r, im->batch, &res, err)) < 0)
		goto out_fail;
	changed = res != CC_PUT_UNCHANGED;
	for (size_t i = 0; i < im->n_header; i++) {
		if (im->cols[i].role != R_QUESTION)
			continue;
		im->answers[i].respondent_id = r.id;
		if ((ret = cc_store_put_survey_answer(im->st, &im->answers[i], &ares, err)) < 0)
			goto out_fail;
		changed |= ares != CC_PUT_UNCHANGED;
	}
	if (res == CC_PUT_ADDED) {
		im->rep->n_added++;
		if (!im->first_added)
			im->first_added = r.id;
		im->last_added = r.id;
	} else if (changed) {
		im->rep->n_updated++;
	} else {
		im->rep->n_unchanged++;
	}
	return 0;
out_fail_why:
	if (err)
		*err = why;
out_fail:
	if (err && !err->line)
		cc_err_at(err, im->fname, im->row->line, NULL);
	return ret;
}

/* ---- the whole file ---- */

/* ';' when the first line has more semicolons than commas outside quotes (Kobo's default). */
static char sniff_delimiter(const char *path)
{
	FILE *f;
	int c, commas = 0, semis = 0;
	bool quoted = false;

	if (!strcmp(path, "-") || !(f = fopen(path, "rb")))
		return ',';
	while ((c = fgetc(f)) != EOF && (quoted || (c != '\n' && c != '\r'))) {
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && c == ',')
			commas++;
		else if (!quoted && c == ';')
			semis++;
	}
	fclose(f);
	return semis > commas ? ';' : ',';
}

static void release(struct simp *im)
{
	for (size_t i = 0; im->header && i < im->n_header; i++)
		cc_free(im->header[i]);
	cc_free(im->header);
	cc_free(im->cols);
	cc_free(im->answers);
	form_release(&im->form);
	cc_map_release(&im->area_map);
	cc_map_release(&im->area_cache);
	cc_map_release(&im->seen);
	cc_buf_release(&im->norm);
	cc_buf_release(&im->personal);
	cc_buf_release(&im->key);
}

int cc_import_survey(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                     const struct cc_survey_import_opts *sopts, struct cc_import_report *rep,
                     struct cc_err *err)
{
	static const struct cc_import_opts no_opts = { .period_from = CC_DATE_NONE,
		                                       .period_to = CC_DATE_NONE };
	static const struct cc_survey_import_opts no_sopts = { 0 };
	struct simp im = {
		.st = st, .o = opts ? opts : &no_opts, .so = sopts ? sopts : &no_sopts, .rep = rep
	};
	struct cc_csv_opts copts = { 0 };
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	bool in_tx = false, known_source;
	char digest[65] = "";
	int ret, same;

	memset(rep, 0, sizeof(*rep));
	im.fname = im.o->display_name ? im.o->display_name : path;
	im.wave = im.so->wave && im.so->wave[0] ? im.so->wave : "1";
	cc_buf_init(&im.norm, CC_LIMIT_CSV_FIELD * 4);
	cc_buf_init(&im.personal, CC_LIMIT_CSV_RECORD * 2);
	cc_buf_init(&im.key, 4096);
	if (strlen(im.wave) >= 64) {
		ret = cc_err_set(err, CC_EUSAGE, "--wave: '%s' is longer than 63 bytes", im.wave);
		goto out;
	}
	if ((same = cc__import_source(st, path, im.o, &im.mission, &im.src, digest, rep, err)) <
	    0) {
		ret = same;
		goto out;
	}
	rep->same_file = false;
	known_source = im.src.id != 0;
	for (const char *const *f = im.so->forms; f && *f; f++)
		if ((ret = read_form_file(&im, *f, err)) < 0)
			goto out;
	if (im.so->area_map && (ret = read_area_map(&im, im.so->area_map, err)) < 0)
		goto out;

	copts.encoding = im.o->encoding;
	copts.display_name = im.fname;
	copts.no_digest = digest[0] != '\0';
	copts.delimiter = sniff_delimiter(path);
	/* --map COLUMN=NAME: any name (a question of the form, the id, weight or area column) */
	copts.map = im.o->map;
	copts.n_map = im.o->n_map;
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
	    (ret = cc_store_new_batch(st, &im.batch, err)) < 0 ||
	    (ret = put_questions(&im, err)) < 0)
		goto out;
	while ((ret = cc_csv_next(csv, &row, err)) == 0) {
		im.row = &row;
		rep->n_read++;
		if (rep->n_read == 1 && hashtag_row(&row)) {
			ret = header_fail(&im, row.line, err,
			                  "not a respondent CSV: a row of HXL hashtags under the "
			                  "header (an HXL file: import 3w, needs or population)");
			goto out;
		}
		if ((ret = import_row(&im, err)) < 0)
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
	if (rep->n_rejected)
		rep->kept_stale = known_source; /* respondents missing from the file stay */
	else if ((ret = cc_store_remove_stale_respondents(st, im.src.id, im.batch, &rep->n_removed,
	                                                  err)) < 0)
		goto out;
	ret = cc__import_finish(st, im.o, rep,
	                        &(struct cc__import_end){ .table = "survey_respondent",
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
