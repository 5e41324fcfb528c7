/*
 * Stakeholder feedback: what people tell the mission, through which channel, about what.
 *
 * An item has a date, an area (optional), a channel (hotline, meeting, SMS, …), the
 * organisation that received it, the text, a category and a sentiment set by the user
 * (positive, neutral, negative; never guessed by Concord). The giver's personal data (a name,
 * a phone number) sit apart in a sensitive column so that retention can redact them; they are
 * never printed by list or search.
 *
 * Natural key: the file's id (column id), else a digest of date, area, channel, organisation
 * and text, so that re-importing a file changes nothing.
 *
 * CSV import (a header row; names case-insensitive; * required): date*, text*, area (P-code or
 * name), channel, organisation, category, sentiment, id; the columns named by personal
 * ("name,phone") go to the sensitive column.
 */
#ifndef CONCORD_FEEDBACK_H
#define CONCORD_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/import.h>
#include <concord/store.h>

struct cc_feedback {
	int64_t id;
	int64_t mission_id;
	char key[128];
	int32_t date;
	int64_t area_id;     /* 0 none */
	char area[32];       /* P-code (filled by reads) */
	char area_name[160]; /* (filled by reads) */
	char channel[64];
	char organisation[128];
	char text[4096];
	char category[64];
	char sentiment[16]; /* "positive", "neutral", "negative" or "" */
	const char *giver;  /* JSON object of personal data or NULL; borrowed; never read back */
	char snippet[256];  /* search hits only: the matching text, terms in [ ] */
};

/* Stores an item by (mission, key); sets f->id and f->key when it was empty. */
CC_API int cc_store_put_feedback(struct cc_store *st, struct cc_feedback *f,
                                 enum cc_put_result *res_out, struct cc_err *err);

struct cc_feedback_query {
	int64_t mission_id;
	const char *category; /* NULL: any */
	const char *area;     /* P-code; NULL: any */
	int32_t from, to;     /* CC_DATE_NONE: open */
	const char *words;    /* full-text search (stemmed, AND of the words); NULL: list */
	size_t limit;         /* 0: no limit */
};

/* Items matching q: by date then id, or by relevance when q->words is set. *out owned. */
CC_API int cc_store_list_feedback(struct cc_store *st, const struct cc_feedback_query *q,
                                  struct cc_feedback **out, size_t *n_out, struct cc_err *err);

struct cc_feedback_count {
	char category[64]; /* "" uncategorised */
	char area[32];     /* P-code, "" none */
	char month[8];     /* "YYYY-MM" */
	int64_t n;
	int64_t negative; /* of which negative */
};

/* Counts by category × area × month (q->words ignored), sorted so. *out owned. */
CC_API int cc_store_count_feedback(struct cc_store *st, const struct cc_feedback_query *q,
                                   struct cc_feedback_count **out, size_t *n_out,
                                   struct cc_err *err);

/*
 * Items as a JSON array (`concord feedback list|search --json`, GET /api/feedback/search):
 * id, date, area, channel, organisation, category, sentiment, text and, search, the snippet;
 * and counts as {category, area, month, n, negative} objects. Each ends with a newline.
 */
struct cc_buf;
CC_API int cc_feedback_format_json(const struct cc_feedback *f, size_t n, bool search,
                                   struct cc_buf *out, struct cc_err *err);
CC_API int cc_feedback_counts_format_json(const struct cc_feedback_count *c, size_t n,
                                          struct cc_buf *out, struct cc_err *err);

/* Sets f->key, when empty, to a digest of date, area, channel, organisation and text. */
CC_API void cc_feedback_key(struct cc_feedback *f);

/* Checks and normalises a sentiment ("" allowed); CC_EINVALID naming the choices. */
CC_API int cc_feedback_sentiment(const char *s, char out[static 16], struct cc_err *err);

/*
 * Imports feedback from CSV (columns above); personal: "name,phone" or NULL. Returns as
 * cc_import_3w.
 */
CC_API int cc_import_feedback(struct cc_store *st, const char *path,
                              const struct cc_import_opts *opts, const char *personal,
                              struct cc_import_report *rep, struct cc_err *err);

#endif
