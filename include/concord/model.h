/*
 * The domain model of Concord as plain structs with public fields (see DESIGN.md "Domain model").
 * Strings in these structs are fixed-size arrays, so the structs own nothing and copy freely,
 * except where a field says "borrowed": those point into the caller's memory.
 *
 * Dates are day numbers: days since 1970-01-01 (proleptic Gregorian), CC_DATE_NONE when unknown.
 */
#ifndef CONCORD_MODEL_H
#define CONCORD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>

#define CC_DATE_NONE INT32_MIN

/* The four pillars of the comprehensive approach, plus relief and other: six output columns. */
enum cc_pillar {
	CC_PILLAR_SECURITY = 0,
	CC_PILLAR_GOVERNANCE,
	CC_PILLAR_INFRASTRUCTURE,
	CC_PILLAR_ECONOMY,
	CC_PILLAR_HUMANITARIAN,
	CC_PILLAR_OTHER,
	CC_N_PILLARS
};

/* "security", "governance", …; NULL for an out-of-range value. */
CC_API const char *cc_pillar_name(int pillar);
/* The pillar named s (exact, lowercase), or -1. */
CC_API int cc_pillar_parse(const char *s);

/* An activity row is operational presence (org × area × sector only) or a real activity. */
enum cc_activity_kind {
	CC_KIND_PRESENCE = 0,
	CC_KIND_ACTIVITY = 1,
};

struct cc_mission {
	int64_t id;
	char code[32];     /* "AFG-2021" */
	char name[200];
	char country[4];   /* ISO 3166-1 alpha-3, "" unknown */
	int32_t start_date;
	int32_t end_date;
};

struct cc_area {
	int64_t id;
	char pcode[32];     /* OCHA P-code, opaque */
	char name[160];
	int level;          /* 0 country, 1 province, 2 district, … */
	int64_t parent_id;  /* 0: none */
	int64_t population; /* -1: unknown */
	bool has_geom;
	double minx, miny, maxx, maxy; /* WGS84 degrees; valid when has_geom */
};

struct cc_org {
	int64_t id;
	int64_t mission_id;
	char key[128];     /* IATI organisation reference, else "local:ACRONYM" */
	char name[256];
	char acronym[64];
	char type[8];      /* IATI OrganisationType code, "" unknown */
	char kind[16];     /* military, un, eu, government, ngo, rcrc, private, other, "" unknown */
	int is_local;      /* 1 local, 0 international, -1 unknown */
	char nation[4];    /* ISO alpha-3 of the home country, "" unknown */
};

struct cc_source {
	int64_t id;
	int64_t mission_id;
	char name[256];
	char digest[65];     /* hex BLAKE2b-256 of the last imported file, "" never */
	int64_t batch;       /* change-log batch of the last import that changed it, 0 none */
	int32_t period_from; /* reporting period, CC_DATE_NONE unknown */
	int32_t period_to;
	char imported_at[32]; /* ISO 8601 UTC */
	int64_t n_read;       /* rows the last import read, -1 unknown */
	int64_t n_rejected;   /* rows it rejected, -1 unknown */
	int64_t n_records;    /* records stored from the source now (filled by reads only) */
};

/*
 * One activity as an importer hands it to the store. Pointer fields are borrowed for the
 * duration of the call. natkey identifies the row within its source (a hash of organisation,
 * area, sector, activity and start date); digest covers every stored field, so an import can
 * tell "updated" from "unchanged".
 */
struct cc_activity {
	int64_t id;
	int64_t mission_id;
	int64_t source_id;
	enum cc_activity_kind kind;
	const char *title;        /* borrowed; "" none */
	const char *description;  /* borrowed; "" none */
	const char *status;       /* borrowed; IATI ActivityStatus code or "" */
	int64_t org_id;           /* the reporting (lead) organisation */
	int64_t impl_org_id;      /* implementing partner, 0 none */
	int64_t funder_org_id;    /* funding organisation, 0 none */
	int64_t sector_id;
	int64_t area_id;
	double lat, lon;          /* site, NAN when absent */
	int32_t start_date;       /* CC_DATE_NONE when unknown */
	int32_t end_date;
	double targeted;          /* people; NAN when absent */
	double reached;           /* people; NAN when absent */
	double budget;            /* NAN when absent */
	char currency[4];
	const char *releasability; /* borrowed; "public", "partners" or "org"; NULL means "public" */
	int64_t owner_id;          /* organisation holding the record; 0 the coordination cell */
	unsigned deny;             /* organisation kinds denied (<concord/visibility.h>) */
	const char *geo_rel;       /* stricter marking of the exact site; NULL the record's */
	const char *figures_rel;   /* stricter marking of targeted, reached, budget; NULL */
	long line;                /* physical line of the record in its source file */
	unsigned char natkey[16];
	unsigned char digest[16];
};

/* Outcome of storing one activity of an import. */
enum cc_put_result {
	CC_PUT_ADDED = 0,
	CC_PUT_UPDATED,
	CC_PUT_UNCHANGED,
	CC_PUT_DUPLICATE, /* same natural key as an earlier row of this import: nothing stored */
};

/* Dates. cc_date_parse accepts YYYY-MM-DD (also with a time part) and YYYY-MM; 0 or CC_EPARSE. */
CC_API int cc_date_parse(const char *s, int32_t *out, struct cc_err *err);
CC_API int32_t cc_date_from_ymd(int y, int m, int d);
CC_API void cc_date_to_ymd(int32_t day, int *y, int *m, int *d);
/* Writes YYYY-MM-DD (or "" for CC_DATE_NONE) into buf, which must hold 11 bytes. */
CC_API const char *cc_date_format(int32_t day, char buf[static 11]);
/* Parses "FROM/TO" (two dates); 0 or CC_EPARSE. */
CC_API int cc_period_parse(const char *s, int32_t *from, int32_t *to, struct cc_err *err);

#endif
