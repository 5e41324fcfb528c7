/*
 * Needs and population: what a needs assessment (HNO, JIAF) says about people in need, targeted
 * and reached by area × sector, and how many people live in each area.
 *
 * A need record is one figure row of a file. Files broken down by sex, age group, population
 * group or disability keep each breakdown as its own record (is_total false) and take totals
 * only from their total rows (is_total true): analyses read totals only and never add up
 * breakdowns, which overlap. A missing number is NAN, never 0; severity 0 means not given.
 * area_id 0 is the mission's whole country; sector_id 0 is intersectoral (HNO code "ALL").
 *
 * Population is kept per area and year (year 0: the source does not say); cc_store_list_population
 * reads it (it could fill the area's population field, which this module does not write).
 *
 * Strings in arguments are borrowed for the call; arrays returned through **out are owned by
 * the caller (cc_free).
 */
#ifndef CONCORD_NEEDS_H
#define CONCORD_NEEDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/gaps.h>
#include <concord/import.h>
#include <concord/model.h>
#include <concord/store.h>

struct cc_need {
	int64_t id;
	int64_t mission_id;
	int64_t source_id;
	int64_t area_id;     /* 0: the whole country */
	int64_t sector_id;   /* 0: intersectoral */
	int32_t period_from; /* CC_DATE_NONE unknown */
	int32_t period_to;
	bool is_total;
	char sex[16];        /* "f", "m", … "" for a total over sexes */
	char age_group[32];  /* "0-17", "children", … "" for all ages */
	char pop_group[64];  /* "idps", "refugees", … "" for all groups */
	char disability[16]; /* "y" people with disabilities, "" all */
	char label[128];     /* the file's own description of the row, "" none */
	double population;   /* people; NAN when not given */
	double in_need;
	double targeted;
	double affected;
	double reached;
	int severity;        /* 1..5, 0 not given */
	long line;           /* physical line in the source file */
	unsigned char natkey[16]; /* area, sector, period, breakdown, label */
	unsigned char digest[16]; /* every stored field */
};

/*
 * Stores one need of an import of n->source_id in batch, as cc_store_put_activity does:
 * added, updated (same natural key, other digest), unchanged, or duplicate (key stored by this
 * batch already: *dup_line_out is its line, nothing changes). Sets n->id except for duplicates.
 */
CC_API int cc_store_put_need(struct cc_store *st, struct cc_need *n, int64_t batch,
                             enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err);
/* Removes the needs of the source not seen by batch. */
CC_API int cc_store_remove_stale_needs(struct cc_store *st, int64_t source_id, int64_t batch,
                                       size_t *n_removed_out, struct cc_err *err);

struct cc_need_query {
	int64_t mission_id;
	int min_level;       /* only needs of areas at this admin level or deeper (0: also the
	                        whole-country needs) */
	int32_t from, to;    /* period overlap; CC_DATE_NONE open (needs without a period match) */
	bool with_breakdown; /* cc_store_list_needs: also the breakdown rows */
};

/*
 * The total needs of the mission for the gap analysis (pillar resolved from the sector with the
 * mission's overrides), the areas they refer to with all their ancestors, and the sectors they
 * name. All arrays owned (cc_free).
 */
CC_API int cc_store_load_needs(struct cc_store *st, const struct cc_need_query *q,
                               struct cc_gap_need **needs_out, size_t *n_needs_out,
                               struct cc_area **areas_out, size_t *n_areas_out,
                               struct cc_gap_sector **sectors_out, size_t *n_sectors_out,
                               struct cc_err *err);
/* The need records of the mission matching q (all of them, by source and line). *out owned. */
CC_API int cc_store_list_needs(struct cc_store *st, const struct cc_need_query *q,
                               struct cc_need **out, size_t *n_out, struct cc_err *err);

struct cc_population {
	int64_t area_id;
	int64_t source_id;
	int year;          /* 0: not stated */
	int64_t value;     /* people */
	long line;
};

/* Inserts or updates (source, area, year): *res_out added, updated or unchanged. */
CC_API int cc_store_put_population(struct cc_store *st, const struct cc_population *p,
                                   int64_t batch, enum cc_put_result *res_out,
                                   struct cc_err *err);
/* Removes the population rows of the source not seen by batch. */
CC_API int cc_store_remove_stale_population(struct cc_store *st, int64_t source_id,
                                            int64_t batch, size_t *n_removed_out,
                                            struct cc_err *err);
/* Population of areas (area_id 0: all), newest year first per area, then by source. *out owned. */
CC_API int cc_store_list_population(struct cc_store *st, int64_t area_id,
                                    struct cc_population **out, size_t *n_out,
                                    struct cc_err *err);

/*
 * Sets each of the n areas' population to its figure for the year of at (CC_DATE_NONE: the
 * newest): the newest year not after it (a year-0 figure, "year not stated", counts), else the
 * earliest later one; -1 when the area has none.
 */
CC_API int cc_store_fill_population(struct cc_store *st, struct cc_area *areas, size_t n,
                                    int32_t at, struct cc_err *err);

/*
 * Imports needs from an HXL CSV (#adm1+code/#adm2+code, #sector+code, #inneed, #targeted,
 * #reached, #affected, #population, #severity, breakdown columns #gender+code, #age_group+code,
 * #population_group+code, #is_disabled). A file with no hashtag row is read through a built-in
 * table of known header names (see src/io/needs.c): the HPC caseload export ("Admin 1 PCode",
 * "Cluster", "Category", "In Need", …) and JIAF district tables (one column per sector, read
 * cell by cell; there rep->n_added and n_rejected count cells). Returns as cc_import_3w.
 */
CC_API int cc_import_needs(struct cc_store *st, const char *path,
                           const struct cc_import_opts *opts, struct cc_import_report *rep,
                           struct cc_err *err);
/*
 * Imports population by area from a CSV: HXL (#adm1+code … , #population) or the OCHA
 * "Population Statistics" layout (ADM_PCODE, alpha_3, Population). Rows of other countries than
 * the mission's are skipped, not rejected: they count in rep->n_read only, so the skipped rows
 * are n_read − (n_added + n_updated + n_unchanged + n_rejected). The year is the file's
 * #date+year column, else the year of opts->period_from, else 0. Returns as cc_import_3w.
 */
CC_API int cc_import_population(struct cc_store *st, const char *path,
                                const struct cc_import_opts *opts, struct cc_import_report *rep,
                                struct cc_err *err);

/* One --map entry: a header name of the file (case and outer spaces do not matter) and the
 * HXL hashtag it stands for ("In Need" → "#inneed"). Strings borrowed. */
struct cc_column_map {
	const char *column;
	const char *tag;
};

/*
 * As cc_import_needs and cc_import_population, for files with other headers: the first row is
 * the header; a column named in map gets its hashtag, the others the built-in names' (unknown
 * ones are ignored). A map column missing from the header or a tag that is not a hashtag is
 * CC_EUSAGE before anything is read.
 */
CC_API int cc_import_needs_map(struct cc_store *st, const char *path,
                               const struct cc_import_opts *opts,
                               const struct cc_column_map *map, size_t n_map,
                               struct cc_import_report *rep, struct cc_err *err);
CC_API int cc_import_population_map(struct cc_store *st, const char *path,
                                    const struct cc_import_opts *opts,
                                    const struct cc_column_map *map, size_t n_map,
                                    struct cc_import_report *rep, struct cc_err *err);

#endif
