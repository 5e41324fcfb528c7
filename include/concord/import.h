/*
 * Importers: files a mission already has → validated, normalised records in the store.
 *
 * Every import runs in one transaction and is idempotent: importing a file whose digest equals
 * the source's last import changes nothing. A bad row never disappears silently: each rejected
 * row is handed to opts->on_reject with file, line, field and reason (and written to
 * opts->rejects_path when set), and counted in the report. With CC_IMPORT_STRICT any rejected row
 * makes the import store nothing (CC_EREJECTED); with CC_IMPORT_DRY_RUN nothing is ever stored.
 */
#ifndef CONCORD_IMPORT_H
#define CONCORD_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/store.h>

enum cc_import_flags {
	CC_IMPORT_DRY_RUN = 1 << 0,  /* validate and report; store nothing */
	CC_IMPORT_STRICT = 1 << 1,   /* store nothing if any row is rejected */
	CC_IMPORT_ADD_AREAS = 1 << 2, /* 3W: create unknown areas (no geometry) from #admN columns */
};

/* Called once per rejected row; why has file, line, field and message set. */
typedef void cc_reject_fn(void *ctx, const struct cc_err *why);
/* Called now and then during long imports: bytes read of total (0 when unknown), rows so far. */
typedef void cc_progress_fn(void *ctx, uint64_t bytes_done, uint64_t bytes_total, size_t rows);

/*
 * The marking of the records an import stores (<concord/visibility.h>). Strings borrowed;
 * NULL takes the default: public, held by the coordination cell (no owner), denied to the
 * kinds the owner's kind denies by default (cc_default_deny).
 */
struct cc_import_marking {
	const char *releasability; /* public, partners, org, or a TLP label */
	const char *owner;         /* key or alias of an organisation of the mission */
	const char *deny;          /* organisation kinds, "military,private"; "none" */
	const char *geo;           /* stricter marking of exact sites; NULL: partners for a
	                              public record (exact sites are sensitive by default) */
	const char *figures;       /* stricter marking of people targeted/reached and budget */
};

/*
 * One --map entry, for CSV files with other headers: the file's column (its header text; case
 * and outer spaces do not matter) and the field it holds, named as the importer names it — a
 * column name for files read by name (events, indicators, lessons, feedback), a hashtag for HXL
 * files (3W: "#org+acronym"). A map naming a field the importer does not read is a usage error.
 */
struct cc_import_map {
	const char *column;
	const char *field;
};

struct cc_import_opts {
	unsigned flags;          /* enum cc_import_flags */
	const char *mission;     /* mission code; NULL: the store's only mission */
	const char *source;      /* source name; NULL: the file's base name */
	int32_t period_from;     /* --period, CC_DATE_NONE when not given */
	int32_t period_to;
	const char *encoding;    /* input encoding when not UTF-8 ("latin1", "windows-1252"); NULL */
	const char *rejects_path; /* write rejected rows here as CSV; NULL: don't */
	const char *display_name; /* file name used in messages; NULL: the path */
	cc_reject_fn *on_reject;
	void *reject_ctx;
	cc_progress_fn *on_progress;
	void *progress_ctx;
	struct cc_import_marking marking; /* 3w so far: who may see what is stored */
	const struct cc_import_map *map;  /* --map for CSV files (see struct cc_import_map) */
	size_t n_map;

	/* areas only */
	int level;                /* admin level of the features (required for boundary files,
	                             0 countries); a gazetteer imports levels <= N when N >= 1;
	                             -1: not given */
	const char *code_field;   /* attribute with the P-code */
	const char *name_field;   /* attribute with the name */
	const char *parent_field; /* attribute with the parent's P-code */
	const char *code_map;     /* CSV mapping feature names or ids to P-codes */
};

struct cc_import_report {
	size_t n_read;      /* data rows (or features) read */
	size_t n_added;
	size_t n_updated;
	size_t n_removed;
	size_t n_unchanged;
	size_t n_rejected;
	bool same_file;     /* digest equal to the source's last import: nothing was done */
	bool stored;        /* the transaction was committed */
	bool kept_stale;    /* rows were rejected, so rows missing from the file were kept */
	bool bulk_load;     /* indexes were dropped during the load and rebuilt after it */
	int64_t batch;      /* change-log batch, 0 when nothing stored */
	char digest[65];    /* hex BLAKE2b-256 of the file */
};

/*
 * Imports an HXL-tagged 3W CSV. Returns 0 (rows may have been rejected: see rep->n_rejected),
 * CC_EREJECTED (strict and rows rejected: nothing stored), or another error (nothing stored).
 */
CC_API int cc_import_3w(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                        struct cc_import_report *rep, struct cc_err *err);

/*
 * Imports admin areas from a boundary file (GeoJSON, Shapefile, GeoPackage: GDAL) or a P-code
 * gazetteer CSV. Returns as cc_import_3w.
 */
CC_API int cc_import_areas(struct cc_store *st, const char *path,
                           const struct cc_import_opts *opts, struct cc_import_report *rep,
                           struct cc_err *err);

/*
 * Loads the code lists compiled into the program (DAC sectors, IASC clusters, pillar mapping,
 * IATI organisation types and roles, activity status, aliases) into the store. Idempotent.
 */
CC_API int cc_import_codelists(struct cc_store *st, struct cc_err *err);

#endif
