/*
 * HXL (Humanitarian Exchange Language) hashtag rows: finding the row of hashtags in the first
 * CC_LIMIT_HXL_SCAN rows of a CSV, parsing each column's tag and attributes, and selecting
 * columns with patterns such as "#org+impl" or "#adm1+code".
 *
 * Rules (HXL 1.1): a hashtag row is a row in which every non-empty cell is a hashtag and at least
 * one is; tags and attributes are case-insensitive (stored lowercase), attribute order does not
 * matter, and spaces between the tag and its attributes ("#org +acronym") are allowed. Columns
 * without a hashtag are ignored.
 */
#ifndef CC_IO_HXL_H
#define CC_IO_HXL_H

#include <stdbool.h>
#include <stddef.h>

#include <concord/error.h>

#define CC_HXL_MAX_ATTRS 8

struct cc_hxl_col {
	int index;                 /* column index in the CSV record */
	char tag[32];              /* "org", lowercase, without '#' */
	char attrs[CC_HXL_MAX_ATTRS][32]; /* lowercase, without '+' */
	size_t n_attrs;
	char text[96];             /* the hashtag as written, e.g. "#org +acronym" (for messages) */
};

struct cc_hxl {
	struct cc_hxl_col *cols; /* owned */
	size_t n_cols;
};

/* The header text of the tagged column at index col, for messages; "" when untagged. */
static inline const char *cc__hxl_col_text(const struct cc_hxl *h, int col)
{
	for (size_t i = 0; i < h->n_cols; i++)
		if (h->cols[i].index == col)
			return h->cols[i].text;
	return "";
}

/*
 * Parses a CSV record as a hashtag row. Returns 1 and fills *out when it is one, 0 when it is
 * not (out untouched), CC_EPARSE for a malformed hashtag (err names the column), CC_ENOMEM.
 *
 * A row with any non-empty cell that does not begin with '#' is not a hashtag row, so a human
 * header such as "# of people" is no error; when every non-empty cell begins with '#', one that
 * is not a valid hashtag ("#org+", "#1st") is CC_EPARSE with err->field "column N" (1-based).
 * Tag and attribute names begin with a letter, then [a-z0-9_], at most 31 characters; at most
 * CC_HXL_MAX_ATTRS attributes, a repeated one counted once. out->cols lists only the columns
 * with a hashtag, in file order.
 */
int cc_hxl_parse(char *const *fields, size_t n_fields, struct cc_hxl *out, struct cc_err *err);
void cc_hxl_release(struct cc_hxl *h);

/*
 * The first column matching pattern: a tag with "+attr" that must be present and "-attr" that
 * must be absent, e.g. "#org+impl", "#org-impl-funder", "#adm2+code". Returns the column or NULL.
 * Case and spaces do not matter and the '#' may be left out; a malformed pattern finds nothing.
 */
const struct cc_hxl_col *cc_hxl_find(const struct cc_hxl *h, const char *pattern);
/* True when col has attribute attr (lowercase, without '+'). */
bool cc_hxl_has_attr(const struct cc_hxl_col *col, const char *attr);

#endif
