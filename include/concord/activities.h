/*
 * Reading activities one page at a time, as the API lists them: filtered by area (and
 * everything below it), pillar, organisation, kind and period, in id order, with keyset
 * pagination (a page starts after the last id of the previous one, so a page costs the same
 * wherever it is and nothing is skipped or repeated when rows are added meanwhile).
 *
 * Only what the store handle's viewer may see is read (<concord/sharing.h>), so pages are full.
 * A reader who may see an activity but not its exact site (its geo marking) gets the centre of
 * the bounding box of the activity's admin area (or of its parent, when the area has no
 * boundary) instead (site_exact false); one who may not see its figures gets
 * them as absent (figures_hidden true).
 */
#ifndef CONCORD_ACTIVITIES_H
#define CONCORD_ACTIVITIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/model.h>
#include <concord/store.h>
#include <concord/visibility.h>

#define CC_ACTIVITY_PAGE_MAX 1000

struct cc_activity_query {
	int64_t mission_id;
	const char *area;    /* P-code: activities in it or below; NULL all */
	int pillar;          /* enum cc_pillar, -1 any */
	int64_t org_id;      /* reporting, implementing or funding organisation; 0 any */
	int kind;            /* enum cc_activity_kind, -1 any */
	int32_t from, to;    /* overlapping the period; CC_DATE_NONE open */
	int64_t after;       /* keyset: only ids above this (0: from the start) */
	int64_t id;          /* only this activity (a single read); 0 any */
	size_t limit;        /* rows per page, 1 … CC_ACTIVITY_PAGE_MAX; 0: 100 */
};

/* One activity as listed; strings point into the page and live as long as it. */
struct cc_activity_row {
	int64_t id;
	enum cc_activity_kind kind;
	const char *title, *description, *status;
	const char *org_key, *org_name, *impl_name, *funder_name;
	const char *sector_vocabulary, *sector_code, *sector_name;
	enum cc_pillar pillar;
	const char *area_pcode, *area_name; /* "" when not located */
	double lat, lon;   /* NAN when none */
	bool site_exact;   /* false: lat/lon are the area's centre (or none) */
	int32_t start_date, end_date;
	double targeted, reached, budget; /* NAN when absent or hidden */
	bool figures_hidden;
	const char *currency;
	enum cc_rel rel;
	const char *owner_key; /* "" the coordination cell */
	unsigned deny;
	bool shared;
	const char *source;
	long line;
	char version[33]; /* hex digest of the stored content and marking: an ETag */
};

struct cc_activity_page {
	struct cc_activity_row *rows;
	size_t n_rows;
	int64_t next_after; /* pass as after for the next page; 0 when this was the last */
	void *priv;         /* the strings; freed by cc_activity_page_release */
};

/*
 * A page of activities for the handle's viewer. Returns 0 (possibly no rows), CC_EUSAGE for a
 * limit out of range, CC_ENOTFOUND for an unknown area P-code. Release the page with
 * cc_activity_page_release() whatever the result.
 */
CC_API int cc_store_list_activities(struct cc_store *st, const struct cc_activity_query *q,
                                    struct cc_activity_page *out, struct cc_err *err);
CC_API void cc_activity_page_release(struct cc_activity_page *p);

#endif
