/*
 * Conflict events (incidents) from ACLED and UCDP GED files: the importer and the store's
 * operations on the incident table.
 *
 * An incident is identified by its source ("acled" or "ucdp") and the source's own id
 * (ACLED event_id_cnty, UCDP GED id): importing a file again updates the incidents whose values
 * changed and never duplicates one. Incidents missing from a later file are kept (feeds are
 * often incremental downloads), so nothing is removed by an import.
 *
 * Strings in struct cc_incident are borrowed for the call that takes it. Arrays returned
 * through **out are owned by the caller and freed with cc_free().
 */
#ifndef CONCORD_EVENTS_H
#define CONCORD_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/exposure.h>
#include <concord/import.h>
#include <concord/model.h>
#include <concord/store.h>

enum cc_events_format {
	CC_EVENTS_AUTO = 0, /* decided by the header */
	CC_EVENTS_ACLED,    /* has event_id_cnty */
	CC_EVENTS_UCDP,     /* has id, best and where_prec */
};

/* "acled", "ucdp"; NULL for others. */
CC_API const char *cc_events_format_name(enum cc_events_format f);

/* One incident as the importer hands it to the store. */
struct cc_incident {
	int64_t id;
	const char *source;    /* borrowed: "acled" or "ucdp" */
	const char *source_id; /* borrowed: event_id_cnty or GED id */
	int32_t date;          /* first day */
	int32_t date_end;      /* last day (UCDP date_end; = date for ACLED) */
	int date_prec;         /* ACLED time_precision 1–3, UCDP date_prec 1–5; 0 unknown */
	const char *type;      /* borrowed: ACLED event_type, UCDP "state-based", … */
	const char *sub_type;  /* borrowed: ACLED sub_event_type; "" none */
	const char *actor1;    /* borrowed: ACLED actor1, UCDP side_a */
	const char *actor2;    /* borrowed: ACLED actor2, UCDP side_b */
	double lat, lon;
	int geo_prec;             /* ACLED geo_precision 1–3, UCDP where_prec 1–7; 0 unknown */
	int64_t area_id;          /* 0: not placed */
	double fatalities;        /* ACLED fatalities, UCDP best */
	double fat_low, fat_high; /* UCDP low and high; NAN for ACLED */
	int64_t revised;          /* ACLED timestamp (Unix time of last change); 0 unknown */
	const char *notes;        /* borrowed; "" none */
	long line;                /* line of the record in its file */
	unsigned char digest[16]; /* over every stored field: tells updated from unchanged */
};

/*
 * Stores an incident: added when (source, source_id) is new, updated when stored with
 * another digest, unchanged otherwise. Sets inc->id. batch is the import's change-log batch;
 * an incident this batch already stored is CC_PUT_DUPLICATE (nothing written), with inc->id and
 * inc->line set to the earlier row's, so that an importer needs no memory of the ids it saw.
 */
CC_API int cc_store_put_incident(struct cc_store *st, struct cc_incident *inc, int64_t batch,
                                 enum cc_put_result *res_out, struct cc_err *err);
/* Incidents stored (of one source when source is not NULL). */
CC_API int cc_store_count_incidents(struct cc_store *st, const char *source, int64_t *n_out,
                                    struct cc_err *err);
/*
 * For a bulk load inside a transaction: drops the incident table's secondary indexes and
 * returns their definitions in *saved (owned, cc_free); restore recreates them from it in the
 * same transaction (a rollback brings them back by itself). Building an index once from sorted
 * rows costs far less than keeping it up to date through millions of inserts in random order.
 * CC_EUSAGE outside a transaction.
 */
CC_API int cc_store_incident_indexes_drop(struct cc_store *st, char **saved, struct cc_err *err);
CC_API int cc_store_incident_indexes_restore(struct cc_store *st, const char *saved,
                                             struct cc_err *err);
/* The last day of the latest incident the store's viewer may see; CC_ENOTFOUND when there
   is none. */
CC_API int cc_store_latest_incident(struct cc_store *st, int32_t *date_out, struct cc_err *err);

struct cc_incident_query {
	int32_t from, to; /* incidents whose days overlap from … to (inclusive) */
	bool in_bbox;     /* only incidents with minlat <= lat <= maxlat, … */
	double minlat, maxlat, minlon, maxlon;
	int max_geo_prec_acled; /* keep ACLED geo_precision <= this (0: all) */
	int max_geo_prec_ucdp;  /* keep UCDP where_prec <= this (0: all) */
};

/*
 * What cc_exposure_* needs: the incidents matching q, with their type as an index into
 * *types_out (n_types_out names of at most 63 bytes each, sorted by first appearance).
 * Both arrays owned (cc_free). The date window and the box are applied in the store.
 */
CC_API int cc_store_load_incidents(struct cc_store *st, const struct cc_incident_query *q,
                                   struct cc_exposure_incident **out, size_t *n_out,
                                   char (**types_out)[64], size_t *n_types_out, struct cc_err *err);

/*
 * One stored incident as a writer reads it back: every stored field, with the P-code of its
 * area and the names of that area's ancestors at admin levels 1 and 2 (the area itself when it
 * is of that level; "" none). Strings are borrowed for the call.
 */
struct cc_incident_row {
	struct cc_incident inc; /* digest not filled */
	const char *pcode;      /* its area's P-code, "" when not placed */
	const char *adm1, *adm2;
};

/* Called once per incident; a negative return stops the walk and is returned. */
typedef int cc_incident_fn(void *ctx, const struct cc_incident_row *r, struct cc_err *err);

/*
 * Walks the incidents the store's reader may see (cc_store_set_viewer; every one for the
 * operator) of source ("acled", "ucdp"; NULL: both), by source and id, in one read
 * transaction.
 */
CC_API int cc_store_each_incident(struct cc_store *st, const char *source, cc_incident_fn *fn,
                                  void *ctx, struct cc_err *err);

/* An activity site for exposure. */
struct cc_exposure_place {
	int64_t activity_id;
	int64_t area_id;      /* the activity's area, 0 none */
	char pcode[32];       /* its P-code, "" none */
	char title[128];      /* activity title (truncated), "" none */
	double lat, lon;      /* the site */
	int how;              /* CC_PLACE_POINT, CC_PLACE_CENTROID; CC_PLACE_NONE: no site */
	char centroid_of[32]; /* P-code of the area whose centroid stands in, when CENTROID */
	int32_t start_date, end_date; /* the activity's dates; CC_DATE_NONE unknown */
};

enum { CC_PLACE_NONE = 0, CC_PLACE_POINT, CC_PLACE_CENTROID };

/*
 * The sites of the mission's activities: the activity's own point, else the centroid of its
 * area's geometry (or of the nearest ancestor that has one: centroid_of says which), else
 * CC_PLACE_NONE. *out owned (cc_free).
 */
CC_API int cc_store_load_exposure_places(struct cc_store *st, int64_t mission_id,
                                         struct cc_exposure_place **out, size_t *n_out,
                                         struct cc_err *err);

struct cc_events_opts {
	enum cc_events_format format; /* CC_EVENTS_AUTO: decided by the header */
	/*
	 * Rows added before the importer weighs a bulk load: when the rest of the file (estimated
	 * from the bytes read) will add at least half as many incidents again as the table then
	 * holds, the secondary indexes are dropped and rebuilt at the end. 0: 10,000.
	 */
	size_t bulk_after;
};

/*
 * Imports an ACLED or UCDP GED CSV into incidents, in one transaction, with the conventions of
 * <concord/import.h> (dry run, strict, rejects, progress; a file whose digest equals the
 * source's last import changes nothing). Each point is placed in the deepest admin area whose
 * stored geometry covers it (refined to the district named by the file within a province),
 * else in the area named by the file's admin columns, else nowhere.
 * Rejected rows: missing or duplicated id, bad dates, coordinates out of range (or swapped),
 * fatalities that are not numbers. A file of the other format than declared, or missing a
 * required column, is refused as a whole. Returns as cc_import_3w.
 */
CC_API int cc_import_events(struct cc_store *st, const char *path,
                            const struct cc_import_opts *opts, const struct cc_events_opts *eopts,
                            struct cc_import_report *rep, struct cc_err *err);

#endif
