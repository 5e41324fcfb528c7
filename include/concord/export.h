/*
 * Writers: the mission's picture out in the standards partners exchange. Each writer streams
 * from the store (one record at a time, never the whole file in memory), writes FILE.tmp and
 * renames it to FILE at the end, so that a failed export leaves no partial file behind.
 *
 * Also the change log's head, for `concord audit verify`.
 */
#ifndef CONCORD_EXPORT_H
#define CONCORD_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/model.h>
#include <concord/store.h>

#define CC_EXPORT_MAX_LEVEL 3 /* #adm1 … #adm3 columns of the 3W */

/*
 * One activity with everything a 3W row shows, resolved by the store. Strings are borrowed for
 * the duration of the callback and never NULL ("" when absent). adm_code[l], adm_name[l] hold
 * the area's ancestor at level l (1 ≤ l ≤ CC_EXPORT_MAX_LEVEL), "" above or below it.
 */
struct cc_export_activity {
	int64_t id;
	int64_t source_id;
	long line;
	const char *source;
	const char *org_key, *org_acronym, *org_name, *org_type, *org_type_name;
	const char *impl_name, *funder_name;
	const char *sector_vocabulary, *sector_code, *sector_name;
	const char *adm_code[CC_EXPORT_MAX_LEVEL + 1];
	const char *adm_name[CC_EXPORT_MAX_LEVEL + 1];
	const char *title, *description, *status, *currency;
	int32_t start_date, end_date;
	double targeted, reached, budget, lat, lon; /* NAN when absent */
	enum cc_activity_kind kind; /* written as #meta+kind, so presence survives a round trip */
};

/* Called once per activity; a negative return stops the walk and is returned. */
typedef int cc_export_activity_fn(void *ctx, const struct cc_export_activity *a,
                                  struct cc_err *err);

/* Walks the mission's activities in a stable order (source, line, id) in one read transaction. */
CC_API int cc_store_export_activities(struct cc_store *st, int64_t mission_id,
                                      cc_export_activity_fn *fn, void *ctx, struct cc_err *err);

/* The hash of the change log's last entry (hex, "" for an empty log) and the entry count. */
CC_API int cc_store_log_head(struct cc_store *st, char out[static 65], int64_t *n_out,
                             struct cc_err *err);

/*
 * Writes the mission's activities (mission: its code, NULL for the only one) to path as an
 * HXL-tagged CSV (header row + hashtag row) that `concord import 3w` reads back. *n_rows_out:
 * the activity rows written. On any error path does not exist afterwards.
 */
CC_API int cc_export_3w(struct cc_store *st, const char *mission, const char *path,
                        size_t *n_rows_out, struct cc_err *err);

struct cc_export_areas_opts {
	int level;           /* admin level of the features; < 0: every level */
	bool with_coverage;  /* add the coverage counts per pillar (needs level ≥ 1) */
	const char *mission; /* for with_coverage: mission code, NULL for the only one */
};

/*
 * Writes the areas as a GeoJSON FeatureCollection: properties pcode, name, level, parent
 * (its parent's P-code or null) and, with_coverage, activities, organisations and one count of
 * activities per pillar ("security", …). Areas without geometry get "geometry": null.
 */
CC_API int cc_export_areas(struct cc_store *st, const struct cc_export_areas_opts *opts,
                           const char *path, size_t *n_features_out, struct cc_err *err);

/*
 * cc_export_3w and cc_export_areas appending the same bytes to out instead of writing a file
 * (for the API's downloads); on failure out holds part of it and must be discarded.
 */
struct cc_buf;
CC_API int cc_export_3w_buf(struct cc_store *st, const char *mission, struct cc_buf *out,
                            size_t *n_rows_out, struct cc_err *err);
CC_API int cc_export_areas_buf(struct cc_store *st, const struct cc_export_areas_opts *opts,
                               struct cc_buf *out, size_t *n_features_out, struct cc_err *err);

/*
 * Writes the incidents the store's reader may see (the viewer of cc_store_set_viewer) of source
 * ("acled" or "ucdp"; NULL: the only source stored, CC_EUSAGE when both are) to path as a CSV
 * in that source's own columns plus admin_pcode, which `concord import events` reads back to
 * the same records (src/io/export_events.c lists the columns). *n_rows_out: the incidents
 * written. On any error path does not exist afterwards.
 */
CC_API int cc_export_events(struct cc_store *st, const char *source, const char *path,
                            size_t *n_rows_out, struct cc_err *err);
/* cc_export_events appending the same bytes to out (on failure out must be discarded). */
CC_API int cc_export_events_buf(struct cc_store *st, const char *source, struct cc_buf *out,
                                size_t *n_rows_out, struct cc_err *err);

#endif
