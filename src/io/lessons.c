/*
 * Importing lessons: CSV files with a header row, and Markdown files with a front matter (read
 * with libyaml) followed by "## Observation", "## Discussion", "## Conclusion" and
 * "## Recommendation" sections. All files of one call go in one transaction.
 *
 * libyaml allocates with malloc and has no allocator hook: its memory is not counted by
 * cc_test_fail_alloc_after(), but it is freed on every path.
 */
#include <concord/lessons.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/text.h>

#include "io/csv.h"
#include "io/import_util.h"

#include "core/banned.h"

#define MD_MAX (1u << 20) /* one Markdown lesson file */

enum field_type {
	F_TEXT,
	F_LIST,
	F_LIST_LOWER,
	F_PILLARS,
	F_DATE,
	F_STATUS,
	F_MISSION,
	F_EVIDENCE
};

struct field {
	const char *name;
	enum field_type type;
	size_t off, size; /* F_TEXT and lists: the member of struct cc_lesson */
};

#define MEMBER(m) offsetof(struct cc_lesson, m), sizeof(((struct cc_lesson *)0)->m)

/* The columns of a CSV and the keys of a front matter: one table. */
static const struct field fields[] = {
	{ .name = "key", .type = F_TEXT, MEMBER(key) },
	{ .name = "title", .type = F_TEXT, MEMBER(title) },
	{ .name = "observation", .type = F_TEXT, MEMBER(observation) },
	{ .name = "discussion", .type = F_TEXT, MEMBER(discussion) },
	{ .name = "conclusion", .type = F_TEXT, MEMBER(conclusion) },
	{ .name = "recommendation", .type = F_TEXT, MEMBER(recommendation) },
	{ .name = "pillars", .type = F_PILLARS, MEMBER(pillars) },
	{ .name = "areas", .type = F_LIST, MEMBER(areas) },
	{ .name = "tags", .type = F_LIST_LOWER, MEMBER(tags) },
	{ .name = "date", .type = F_DATE, 0, 0 },
	{ .name = "source", .type = F_TEXT, MEMBER(source) },
	{ .name = "status", .type = F_STATUS, 0, 0 },
	{ .name = "owner", .type = F_TEXT, MEMBER(owner) },
	{ .name = "releasability", .type = F_TEXT, MEMBER(releasability) },
	{ .name = "mission", .type = F_MISSION, 0, 0 },
	{ .name = "evidence", .type = F_EVIDENCE, 0, 0 },
};

#define N_FIELDS  (sizeof(fields) / sizeof(fields[0]))
#define MAX_LINKS 64

struct seen {
	char key[64];
	const char *file; /* borrowed from the caller's paths */
	long line;
};

struct im {
	struct cc_store *st;
	const struct cc_import_opts *o;
	struct cc_import_report *rep;
	const char *fname;  /* the file being read */
	int64_t mission_id; /* default for rows without one */
	struct cc_lesson l;
	struct cc_lesson_link links[MAX_LINKS];
	size_t n_links;
	struct seen *seen;
	size_t n_seen, cap_seen;
};

static int find_field(const char *name)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (!strcmp(fields[i].name, name))
			return (int)i;
	return -1;
}

/* Reports a rejected row; returns 1 (the row is skipped). */
__attribute__((format(printf, 4, 5))) static int reject(struct im *im, long line, const char *field,
                                                        const char *fmt, ...)
{
	struct cc_err why;
	va_list ap;

	cc_err_clear(&why);
	why.code = CC_EINVALID;
	va_start(ap, fmt);
	vsnprintf(why.msg, sizeof(why.msg), fmt, ap);
	va_end(ap);
	cc_err_at(&why, im->fname, line, field);
	im->rep->n_rejected++;
	if (im->o->on_reject)
		im->o->on_reject(im->o->reject_ctx, &why);
	return 1;
}

/* Rejects with the message of a library error (err, a local) at line and field. */
static int reject_err(struct im *im, long line, const char *field, const struct cc_err *e)
{
	return reject(im, line, e->field[0] ? e->field : field, "%s", e->msg);
}

/* Rejects a list of pillars (as "a,b") naming an unknown one: 0 or 1. */
static int check_pillars(struct im *im, const char *list, long line)
{
	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		char name[32];

		if (len >= sizeof(name))
			len = sizeof(name) - 1;
		memcpy(name, p, len);
		name[len] = '\0';
		if (cc_pillar_parse(name) < 0)
			return reject(im, line, "pillars",
			              "unknown pillar '%s' (security, governance, infrastructure, "
			              "economy, humanitarian, other)",
			              name);
		p = c ? c + 1 : p + strlen(p);
	}
	return 0;
}

/* Sets one field from text: 0, 1 rejected, < 0 error. */
static int set_field(struct im *im, const struct field *f, const char *v, long line,
                     struct cc_err *err)
{
	char *dst = (char *)&im->l + f->off;
	struct cc_err e;
	struct cc_mission m;
	int k, ret;

	cc_err_clear(&e);
	switch (f->type) {
	case F_TEXT:
		if (strlen(v) >= f->size)
			return reject(im, line, f->name, "longer than %zu bytes", f->size - 1);
		memcpy(dst, v, strlen(v) + 1);
		cc_text_trim(dst);
		return 0;
	case F_LIST:
	case F_LIST_LOWER:
	case F_PILLARS:
		if (cc_lesson_list_set(dst, f->size, v, f->type != F_LIST, &e) < 0)
			return reject_err(im, line, f->name, &e);
		if (f->type == F_PILLARS)
			return check_pillars(im, dst, line);
		return 0;
	case F_DATE:
		if (!*v) {
			im->l.date = CC_DATE_NONE;
			return 0;
		}
		if (cc_date_parse(v, &im->l.date, &e) < 0)
			return reject(im, line, f->name, "invalid date '%s'", v);
		return 0;
	case F_STATUS:
		k = *v ? cc_lesson_status_parse(v) : 0;
		if (k < 0)
			return reject(im, line, f->name,
			              "unknown status '%s' (observed, analysed, action-assigned, "
			              "implemented, validated)",
			              v);
		im->l.status = (enum cc_lesson_status)k;
		return 0;
	case F_MISSION:
		if (!*v)
			return 0;
		ret = cc_store_get_mission(im->st, v, &m, &e);
		if (ret == CC_ENOTFOUND)
			return reject(im, line, f->name, "unknown mission '%s'", v);
		if (ret < 0) {
			if (err)
				*err = e;
			return ret;
		}
		im->l.mission_id = m.id;
		return 0;
	case F_EVIDENCE: {
		char list[2048];
		const char *p = list;

		if (cc_lesson_list_set(list, sizeof(list), v, false, &e) < 0)
			return reject_err(im, line, f->name, &e);
		im->n_links = 0;
		while (*p) {
			const char *c = strchr(p, ',');
			size_t len = c ? (size_t)(c - p) : strlen(p);
			char item[256];

			if (len >= sizeof(item))
				return reject(im, line, f->name, "evidence item too long");
			memcpy(item, p, len);
			item[len] = '\0';
			if (im->n_links == MAX_LINKS)
				return reject(im, line, f->name, "more than %d evidence items",
				              MAX_LINKS);
			if (cc_lesson_link_parse(item, &im->links[im->n_links], &e) < 0)
				return reject_err(im, line, f->name, &e);
			im->n_links++;
			p += len + (c ? 1 : 0);
		}
		return 0;
	}
	}
	return 0;
}

static void row_init(struct im *im)
{
	memset(&im->l, 0, sizeof(im->l));
	im->l.mission_id = im->mission_id;
	im->l.date = CC_DATE_NONE;
	im->l.status = CC_LESSON_OBSERVED;
	im->n_links = 0;
}

/* Stores the lesson read at line: 0 stored, 1 rejected, < 0 error. */
static int store_row(struct im *im, long line, struct cc_err *err)
{
	enum cc_lesson_put res;
	struct cc_err e;
	int ret;

	if (!im->l.key[0])
		return reject(im, line, "key", "a lesson needs a key");
	for (size_t i = 0; i < im->n_seen; i++)
		if (!strcmp(im->seen[i].key, im->l.key))
			return reject(im, line, "key", "duplicate key '%s' (first at %s:%ld)",
			              im->l.key, im->seen[i].file, im->seen[i].line);
	cc_err_clear(&e);
	if (cc_lesson_check(&im->l, &e) < 0)
		return reject_err(im, line, "", &e);
	if (im->n_seen == im->cap_seen) {
		size_t ncap = im->cap_seen ? im->cap_seen * 2 : 64;
		struct seen *s = cc_realloc(im->seen, ncap * sizeof(*s));

		if (!s)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		im->seen = s;
		im->cap_seen = ncap;
	}
	ret = cc_store_put_lesson(im->st, &im->l, im->links, im->n_links, false, &res, &e);
	if (ret == CC_EINVALID)
		return reject_err(im, line, "", &e);
	if (ret < 0) {
		if (err)
			*err = e;
		return ret;
	}
	snprintf(im->seen[im->n_seen].key, sizeof(im->seen[0].key), "%s", im->l.key);
	im->seen[im->n_seen].file = im->fname;
	im->seen[im->n_seen].line = line;
	im->n_seen++;
	switch (res) {
	case CC_LESSON_ADDED:
		im->rep->n_added++;
		break;
	case CC_LESSON_UPDATED:
		im->rep->n_updated++;
		break;
	case CC_LESSON_UNCHANGED:
		im->rep->n_unchanged++;
		break;
	}
	return 0;
}

/* ---- CSV ---- */

static int import_csv(struct im *im, const char *path, struct cc_err *err)
{
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	int map[N_FIELDS * 2];
	size_t n_cols, n_rows = 0;
	int ret;

	const char *map_fields[N_FIELDS + 1];

	for (size_t i = 0; i < N_FIELDS; i++)
		map_fields[i] = fields[i].name;
	map_fields[N_FIELDS] = NULL;
	ret = cc_csv_open(&csv, path,
	                  &(struct cc_csv_opts){ .no_digest = true, .map = im->o->map,
	                                         .n_map = im->o->n_map, .map_fields = map_fields },
	                  err);
	if (ret < 0)
		return ret;
	ret = cc_csv_next(csv, &row, err);
	if (ret > 0)
		ret = cc_err_set(err, CC_EPARSE, "empty file: no header row");
	if (ret < 0)
		goto out_close;
	n_cols = row.n_fields;
	if ((ret = cc__header_unique(row.fields, n_cols, im->fname, row.line, err)) < 0)
		goto out_close;
	if (n_cols > N_FIELDS * 2) {
		ret = cc_err_set(err, CC_EPARSE, "%zu columns; a lesson has at most %zu", n_cols,
		                 N_FIELDS);
		cc_err_at(err, im->fname, row.line, NULL);
		goto out_close;
	}
	for (size_t i = 0; i < n_cols; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s", row.fields[i]);
		cc_text_trim(name);
		for (char *p = name; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		map[i] = find_field(name);
		if (map[i] < 0) {
			ret = cc_err_set(err, CC_EPARSE, "unknown column '%s'", row.fields[i]);
			cc_err_at(err, im->fname, row.line, row.fields[i]);
			goto out_close;
		}
	}
	/* without a key column no row could be stored: one error for the file, not one a row */
	{
		bool has_key = false;

		for (size_t i = 0; i < n_cols; i++)
			has_key |= map[i] == find_field("key");
		if (!has_key) {
			ret = cc_err_set(err, CC_EPARSE, "no 'key' column in the header");
			cc_err_at(err, im->fname, row.line, NULL);
			goto out_close;
		}
	}
	while ((ret = cc_csv_next(csv, &row, err)) == 0) {
		struct cc_err why = { 0 };
		long line = row.line;

		n_rows++;
		im->rep->n_read++;
		row_init(im);
		for (size_t i = 0; i < n_cols && i < row.n_fields && ret == 0; i++)
			ret = set_field(im, &fields[map[i]], row.fields[i], line, err);
		if (ret == 0 && cc__row_width(&row, n_cols, &why) != 0)
			ret = reject(im, line, "", "%s", why.msg);
		if (ret == 0)
			ret = store_row(im, line, err);
		if (ret < 0)
			goto out_close;
		ret = 0;
	}
	/* a header and nothing else is a fault of the whole file, as for every importer: an
	   import of nothing is never what was meant */
	if (ret > 0)
		ret = n_rows ? 0 : cc_err_set(err, CC_EPARSE, "no rows after the header");
out_close:
	cc_csv_close(csv);
	return ret;
}

/* ---- Markdown with a front matter ---- */

static int read_file(const char *path, char **out, size_t *len_out, struct cc_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return cc_err_set(err, CC_EIO, "cannot open '%s': %s", path, strerror(errno));
	buf = cc_malloc(MD_MAX + 1);
	if (!buf) {
		fclose(f);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	n = fread(buf, 1, MD_MAX + 1, f);
	if (ferror(f) || n > MD_MAX) {
		int ret = ferror(f) ? cc_err_set(err, CC_EIO, "cannot read '%s'", path)
		                    : cc_err_set(err, CC_ETOOBIG, "'%s' is larger than %u bytes",
		                                 path, MD_MAX);
		fclose(f);
		cc_free(buf);
		return ret;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len_out = n;
	return 0;
}

/* Length of the line at p without its end; *next the following line. */
static size_t line_len(const char *p, const char **next)
{
	const char *e = strchr(p, '\n');
	size_t n = e ? (size_t)(e - p) : strlen(p);

	*next = e ? e + 1 : p + n;
	if (n && p[n - 1] == '\r')
		n--;
	return n;
}

static bool is_fence(const char *p, size_t n)
{
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == 3 && !memcmp(p, "---", 3);
}

/* The value node as text: a scalar, or a sequence of scalars joined with ','. 0, 1 bad. */
static int node_text(yaml_document_t *doc, yaml_node_t *v, struct cc_buf *b)
{
	if (v->type == YAML_SCALAR_NODE)
		return cc_buf_add(b, v->data.scalar.value, v->data.scalar.length);
	if (v->type != YAML_SEQUENCE_NODE)
		return 1;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *x = yaml_document_get_node(doc, *it);
		int ret;

		if (!x || x->type != YAML_SCALAR_NODE)
			return 1;
		if (it != v->data.sequence.items.start && (ret = cc_buf_addch(b, ',')) < 0)
			return ret;
		if ((ret = cc_buf_add(b, x->data.scalar.value, x->data.scalar.length)) < 0)
			return ret;
	}
	return 0;
}

/* Reads the front matter text fm (first_line: its first line in the file): 0, 1, < 0. */
static int front_matter(struct im *im, const char *fm, size_t len, long first_line,
                        struct cc_err *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct cc_buf b = CC_BUF_INIT(1u << 20);
	int ret = 0;

	if (!yaml_parser_initialize(&parser))
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)fm, len);
	if (!yaml_parser_load(&parser, &doc)) {
		if (parser.error == YAML_MEMORY_ERROR)
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		else
			/* where the broken construct began (a quote, a list) is what to fix */
			ret = reject(im,
			             first_line + (long)(parser.context ? parser.context_mark.line
			                                                : parser.problem_mark.line),
			             "front matter", "%s%s%s",
			             parser.problem ? parser.problem : "malformed YAML",
			             parser.context ? " " : "",
			             parser.context ? parser.context : "");
		goto out_parser;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		ret = reject(im, first_line, "front matter", "the front matter is not a mapping");
		goto out_doc;
	}
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top && ret == 0; pr++) {
		yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
		long line = first_line + (long)(v ? v->start_mark.line : 0);
		const char *name;
		int fi;

		if (!k || !v || k->type != YAML_SCALAR_NODE) {
			ret = reject(im, line, "front matter", "a key is not plain text");
			break;
		}
		name = (const char *)k->data.scalar.value;
		fi = find_field(name);
		if (fi < 0) {
			ret = reject(im, first_line + (long)k->start_mark.line, name,
			             "unknown field");
			break;
		}
		cc_buf_clear(&b);
		ret = node_text(&doc, v, &b);
		if (ret > 0) {
			ret = reject(im, line, name, "expected text or a list of text");
			break;
		}
		if (ret < 0) {
			ret = cc_err_set(err, ret, "%s", cc_code_text(ret));
			break;
		}
		ret = set_field(im, &fields[fi], b.buf, line, err);
	}
out_doc:
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
	cc_buf_release(&b);
	return ret;
}

static const char *const sections[] = { "observation", "discussion", "conclusion",
	                                "recommendation" };

/* Appends line p[0..n) to the section's text (dst of size cap): 0 or 1 (too long). */
static int add_text(char *dst, size_t cap, const char *p, size_t n)
{
	size_t len = strlen(dst);

	if (!len) {
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		if (!n)
			return 0; /* leading blank lines */
	}
	if (len + n + 2 > cap)
		return 1;
	if (len)
		dst[len++] = '\n';
	memcpy(dst + len, p, n);
	dst[len + n] = '\0';
	return 0;
}

static int md_body(struct im *im, const char *p, long line)
{
	char title[256] = "";
	char *dst = NULL;
	const char *sec = NULL;
	long sec_line = 0;

	while (*p) {
		const char *next;
		size_t n = line_len(p, &next);

		if (n > 3 && !memcmp(p, "## ", 3)) {
			char name[32];
			size_t k = 0;

			for (const char *q = p + 3; q < p + n && k + 1 < sizeof(name); q++)
				if (*q != ' ' && *q != '\t')
					name[k++] = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a'
					                                          : *q);
			name[k] = '\0';
			dst = NULL;
			for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
				if (!strcmp(name, sections[i])) {
					dst = (char *)&im->l + fields[find_field(name)].off;
					sec = sections[i];
				}
			}
			if (!dst)
				return reject(im, line, "section",
				              "unknown section '%.*s' (Observation, Discussion, "
				              "Conclusion, Recommendation)",
				              (int)(n - 3), p + 3);
			if (dst[0])
				return reject(im, line, sec, "section given twice");
			sec_line = line;
		} else if (!dst && n > 2 && !memcmp(p, "# ", 2) && !title[0]) {
			snprintf(title, sizeof(title), "%.*s", (int)(n - 2), p + 2);
		} else if (dst && add_text(dst, CC_LESSON_TEXT, p, n)) {
			return reject(im, sec_line, sec, "longer than %d bytes",
			              CC_LESSON_TEXT - 1);
		}
		p = next;
		line++;
	}
	if (!im->l.title[0] && title[0]) {
		snprintf(im->l.title, sizeof(im->l.title), "%s", title);
		cc_text_trim(im->l.title);
	}
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		cc_text_trim((char *)&im->l + fields[find_field(sections[i])].off);
	return 0;
}

/* The key a Markdown file gets when its front matter has none: its base name without ".md". */
static void key_from_name(char *key, size_t n, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 3 && !strcmp(base + len - 3, ".md"))
		len -= 3;
	snprintf(key, n, "%.*s", (int)len, base);
}

static int import_md(struct im *im, const char *path, struct cc_err *err)
{
	char *text = NULL;
	const char *p, *next, *fm;
	size_t len = 0, bad = 0, n;
	long line = 1;
	int ret;

	ret = read_file(path, &text, &len, err);
	if (ret < 0)
		return ret;
	im->rep->n_read++;
	row_init(im);
	if (!cc_text_valid_utf8(text, len, &bad)) {
		long l = 1;

		for (size_t i = 0; i < bad; i++)
			l += text[i] == '\n';
		ret = reject(im, l, "", "not valid UTF-8 (byte %zu)", bad + 1);
		goto out_free;
	}
	p = text;
	if (!strncmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	n = line_len(p, &next);
	if (!is_fence(p, n)) {
		ret = reject(im, 1, "front matter", "the file does not start with a '---' line");
		goto out_free;
	}
	fm = next;
	p = next;
	line = 2;
	while (*p) {
		n = line_len(p, &next);
		if (is_fence(p, n))
			break;
		p = next;
		line++;
	}
	if (!*p) {
		ret = reject(im, 1, "front matter", "no '---' line closes the front matter");
		goto out_free;
	}
	ret = front_matter(im, fm, (size_t)(p - fm), 2, err);
	if (ret != 0)
		goto out_free;
	ret = md_body(im, next, line + 1);
	if (ret != 0)
		goto out_free;
	if (!im->l.key[0])
		key_from_name(im->l.key, sizeof(im->l.key), path);
	ret = store_row(im, 1, err);
out_free:
	cc_free(text);
	return ret < 0 ? ret : 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

int cc_import_lessons(struct cc_store *st, const char *const *paths, size_t n_paths,
                      const struct cc_import_opts *opts, struct cc_import_report *rep,
                      struct cc_err *err)
{
	static const struct cc_import_opts no_opts;
	struct im im = { .st = st, .o = opts ? opts : &no_opts, .rep = rep };
	struct cc_mission m;
	bool in_tx = false;
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (im.o->mission && im.o->mission[0]) {
		ret = cc_store_get_mission(st, im.o->mission, &m, err);
		if (ret < 0)
			return ret;
		im.mission_id = m.id;
	}
	ret = cc_store_begin(st, err);
	if (ret < 0)
		return ret;
	in_tx = true;
	for (size_t i = 0; i < n_paths; i++) {
		im.fname = paths[i];
		if (ends_with(paths[i], ".md") || ends_with(paths[i], ".markdown"))
			ret = import_md(&im, paths[i], err);
		else
			ret = import_csv(&im, paths[i], err);
		if (ret < 0) {
			if (err && !err->file[0])
				cc_err_at(err, paths[i], 0, NULL);
			goto out;
		}
	}
	if (rep->n_rejected && (im.o->flags & CC_IMPORT_STRICT)) {
		ret = cc_err_set(err, CC_EREJECTED, "%zu of %zu lessons rejected; nothing stored",
		                 rep->n_rejected, rep->n_read);
		goto out;
	}
	if (im.o->flags & CC_IMPORT_DRY_RUN) {
		ret = 0;
		goto out;
	}
	ret = cc_store_commit(st, err);
	if (ret < 0)
		goto out;
	in_tx = false;
	rep->stored = true;
out:
	if (in_tx)
		cc_store_rollback(st);
	cc_free(im.seen);
	return ret;
}
