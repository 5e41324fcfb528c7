#include "io/hxl.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

/*
 * Grammar, after libhxl's TAG_PATTERN (HXL 1.1): optional white space, '#', a name, then any
 * number of (optional white space, '+', name), optional white space. A name is a letter
 * followed by letters, digits or underscores; case is folded to lowercase. Patterns for
 * cc_hxl_find() use the same grammar with '-' as well as '+', and the '#' is optional.
 */

#define NAME_MAX_LEN 31 /* sizeof(tag) - 1 */

enum cell_kind {
	CELL_EMPTY, /* nothing but white space */
	CELL_TEXT,  /* does not begin with '#': a human header or data */
	CELL_HASH   /* begins with '#': a hashtag, or a malformed one */
};

struct tag_spec {
	char tag[32];
	char attrs[CC_HXL_MAX_ATTRS][32];
	char signs[CC_HXL_MAX_ATTRS]; /* '+' or '-' */
	size_t n_attrs;
};

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static bool is_alpha(char ch)
{
	ch = lower(ch);
	return ch >= 'a' && ch <= 'z';
}

static bool is_name_char(char ch)
{
	return is_alpha(ch) || (ch >= '0' && ch <= '9') || ch == '_';
}

/*
 * Reads a name at *sp into out (lowercase). Returns NULL or a static reason why not; *sp is
 * moved past the name.
 */
static const char *read_name(const char **sp, char out[32])
{
	const char *s = *sp;
	size_t n = 0;

	if (!is_alpha(*s))
		return *s ? "a name must begin with a letter" : "a name is missing";
	while (is_name_char(*s)) {
		if (n == NAME_MAX_LEN)
			return "a name is longer than 31 characters";
		out[n++] = lower(*s++);
	}
	out[n] = '\0';
	*sp = s;
	return NULL;
}

/*
 * Parses s into spec. signs lists the attribute prefixes allowed ("+" for hashtags, "+-" for
 * patterns). Returns NULL or a reason for the message.
 */
static const char *parse_spec(const char *s, const char *signs, bool need_hash,
                              struct tag_spec *spec)
{
	const char *why;

	memset(spec, 0, sizeof(*spec));
	while (is_space(*s))
		s++;
	if (*s == '#')
		s++;
	else if (need_hash)
		return "a hashtag begins with '#'";
	why = read_name(&s, spec->tag);
	if (why)
		return why;
	for (;;) {
		char sign, name[32];
		bool dup = false;

		while (is_space(*s))
			s++;
		if (!*s)
			return NULL;
		if (!strchr(signs, *s))
			return strchr(signs, '-') ? "expected '+' or '-' before an attribute"
			                          : "expected '+' before an attribute";
		sign = *s++;
		why = read_name(&s, name);
		if (why)
			return why;
		for (size_t i = 0; i < spec->n_attrs; i++)
			dup |= spec->signs[i] == sign && strcmp(spec->attrs[i], name) == 0;
		if (dup)
			continue; /* "+impl+impl" is "+impl": attributes are a set */
		if (spec->n_attrs == CC_HXL_MAX_ATTRS)
			return "more than 8 attributes";
		memcpy(spec->attrs[spec->n_attrs], name, sizeof(name));
		spec->signs[spec->n_attrs++] = sign;
	}
}

static enum cell_kind classify(const char *cell)
{
	while (is_space(*cell))
		cell++;
	if (!*cell)
		return CELL_EMPTY;
	return *cell == '#' ? CELL_HASH : CELL_TEXT;
}

/* The cell without surrounding white space, truncated to fit out (for messages). */
static void copy_text(char *out, size_t n, const char *cell)
{
	size_t len;

	while (is_space(*cell))
		cell++;
	len = strlen(cell);
	while (len > 0 && is_space(cell[len - 1]))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(out, cell, len);
	out[len] = '\0';
}

int cc_hxl_parse(char *const *fields, size_t n_fields, struct cc_hxl *out, struct cc_err *err)
{
	struct tag_spec spec;
	struct cc_hxl_col *cols;
	size_t n_tags = 0, k = 0;

	/* first pass: is this a hashtag row at all? a human header with "# of people" is not */
	for (size_t i = 0; i < n_fields; i++) {
		switch (classify(fields[i])) {
		case CELL_EMPTY:
			break;
		case CELL_TEXT:
			return 0;
		case CELL_HASH:
			n_tags++;
			break;
		}
	}
	if (n_tags == 0)
		return 0;
	for (size_t i = 0; i < n_fields; i++) {
		const char *why;

		if (classify(fields[i]) != CELL_HASH)
			continue;
		why = parse_spec(fields[i], "+", true, &spec);
		if (why) {
			char col[32], text[64];

			snprintf(col, sizeof(col), "column %zu", i + 1);
			copy_text(text, sizeof(text), fields[i]);
			cc_err_clear(err);
			cc_err_set(err, CC_EPARSE, "malformed hashtag '%s' in column %zu: %s", text,
			           i + 1, why);
			cc_err_at(err, NULL, 0, col);
			return CC_EPARSE;
		}
	}
	if (n_tags > (size_t)INT_MAX)
		return cc_err_set(err, CC_ETOOBIG, "too many columns");
	cols = cc_alloc_array(n_tags, sizeof(*cols));
	if (!cols)
		return cc_err_set(err, CC_ENOMEM, "out of memory reading the hashtag row");
	for (size_t i = 0; i < n_fields; i++) {
		struct cc_hxl_col *col = &cols[k];

		if (classify(fields[i]) != CELL_HASH)
			continue;
		parse_spec(fields[i], "+", true, &spec); /* checked above */
		col->index = (int)i;
		memcpy(col->tag, spec.tag, sizeof(col->tag));
		memcpy(col->attrs, spec.attrs, sizeof(col->attrs));
		col->n_attrs = spec.n_attrs;
		copy_text(col->text, sizeof(col->text), fields[i]);
		k++;
	}
	out->cols = cols;
	out->n_cols = k;
	return 1;
}

void cc_hxl_release(struct cc_hxl *h)
{
	if (!h)
		return;
	cc_free(h->cols);
	h->cols = NULL;
	h->n_cols = 0;
}

bool cc_hxl_has_attr(const struct cc_hxl_col *col, const char *attr)
{
	for (size_t i = 0; i < col->n_attrs; i++) {
		if (strcmp(col->attrs[i], attr) == 0)
			return true;
	}
	return false;
}

static bool col_matches(const struct cc_hxl_col *col, const struct tag_spec *spec)
{
	if (strcmp(col->tag, spec->tag) != 0)
		return false;
	for (size_t i = 0; i < spec->n_attrs; i++) {
		if (cc_hxl_has_attr(col, spec->attrs[i]) != (spec->signs[i] == '+'))
			return false;
	}
	return true;
}

const struct cc_hxl_col *cc_hxl_find(const struct cc_hxl *h, const char *pattern)
{
	struct tag_spec spec;

	if (!h || !pattern || parse_spec(pattern, "+-", false, &spec))
		return NULL;
	for (size_t i = 0; i < h->n_cols; i++) {
		if (col_matches(&h->cols[i], &spec))
			return &h->cols[i];
	}
	return NULL;
}
