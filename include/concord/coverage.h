/*
 * Coverage: the 3W/4W matrix. For each area at a requested admin level and each column (a pillar,
 * a sector or a cluster), the number of distinct activities and distinct organisations working
 * there, and the people targeted and reached where the data has them.
 *
 * Counts are recomputed at each level from the records, never summed from children: an
 * organisation working in two districts of a province counts once for the province. Records
 * located above the requested level (a province-level record when districts are asked for) go to
 * one extra row per parent area, "unspecified below admN", so nothing silently disappears.
 * Presence rows (kind CC_KIND_PRESENCE) count as activities and organisations but never as people.
 *
 * cc_coverage_compute() is a pure function of its arguments: no I/O, no store.
 */
#ifndef CONCORD_COVERAGE_H
#define CONCORD_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/model.h>
#include <concord/visibility.h>

enum cc_coverage_by {
	CC_BY_PILLAR = 0, /* six columns, one per enum cc_pillar */
	CC_BY_SECTOR,     /* one column per sector code seen (any vocabulary) */
	CC_BY_CLUSTER,    /* one column per IASC cluster (vocabulary 10); other sectors: "other" */
};

/* One activity as coverage needs it: where, who, which column, how many people. */
struct cc_coverage_record {
	int64_t activity_id;
	int64_t org_id;
	int64_t area_id;   /* the activity's own area, at any level */
	int64_t sector_id; /* index into nothing: an id; columns are chosen by `column` */
	int column;        /* column index in [0, n_columns) chosen by the store for `by` */
	enum cc_activity_kind kind;
	double targeted;   /* NAN when absent */
	double reached;    /* NAN when absent */
	enum cc_rel rel;   /* the record's releasability: the matrix takes the strictest */
};

/* One column of the matrix. */
struct cc_coverage_column {
	char code[32];  /* "security", "15240", "WSH", … */
	char name[128]; /* human name */
};

/* One row × column cell. */
struct cc_coverage_cell {
	size_t n_activities;
	size_t n_orgs;
	double targeted; /* sum over activity records with a figure; NAN when none had one */
	double reached;
};

/* One row: an area at the requested level, or "unspecified below admN" under a parent. */
struct cc_coverage_row {
	int64_t area_id;     /* the area; for an unspecified row, the area the records sit in */
	char pcode[32];
	char name[160];
	int level;           /* the requested level; for an unspecified row the records' level */
	bool unspecified;    /* true: records located above the requested level */
	size_t n_activities; /* distinct over all columns */
	size_t n_orgs;       /* distinct over all columns */
	struct cc_coverage_cell *cells; /* n_columns cells; in the result's cell block */
};

struct cc_coverage_opts {
	int level;                 /* admin level of the rows; 0 or less means 1 */
	enum cc_coverage_by by;
};

struct cc_coverage {
	int level;
	enum cc_coverage_by by;
	struct cc_coverage_column *columns; /* owned */
	size_t n_columns;
	struct cc_coverage_row *rows;       /* owned; sorted by pcode, unspecified rows after areas */
	size_t n_rows;
	struct cc_coverage_cell *col_totals; /* owned, n_columns: distinct over all rows */
	size_t n_activities;                 /* distinct over everything */
	size_t n_orgs;
	size_t n_records;                    /* records read */
	enum cc_rel marking; /* the strictest releasability of the records counted */
};

/*
 * Computes the matrix. areas must include every area a record refers to and all their
 * ancestors (the store's coverage read guarantees it). Returns 0, CC_ENOMEM, or CC_EINVALID when
 * a record names an area or column that is not in the inputs; on error *out is empty.
 */
CC_API int cc_coverage_compute(const struct cc_coverage_record *records, size_t n_records,
                               const struct cc_area *areas, size_t n_areas,
                               const struct cc_coverage_column *columns, size_t n_columns,
                               const struct cc_coverage_opts *opts, struct cc_coverage *out,
                               struct cc_err *err);

/* Frees what cc_coverage_compute allocated; accepts NULL and an already released result. */
CC_API void cc_coverage_release(struct cc_coverage *cov);

#endif
