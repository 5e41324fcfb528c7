/*
 * The registry: the records of a mission read, changed and removed one at a time, as the HTTP
 * API's record endpoints do (GET /api/needs, DELETE /api/lessons/{id}, …).
 *
 * Records are read as JSON objects built by the store, a keyset page at a time (ordered by id;
 * "after" is the last id of the previous page), and only those the handle's viewer may see
 * (cc_store_set_viewer): a record it may not see reads exactly like a missing one. A record's
 * version is a digest of its JSON: a writer names the version it read, so that no update is
 * lost between partners.
 *
 * Every write is one transaction with its entry in the change log (the audit log), by the
 * handle's actor (cc_store_set_actor).
 */
#ifndef CONCORD_REGISTRY_H
#define CONCORD_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/buf.h>
#include <concord/error.h>
#include <concord/store.h>

enum cc_reg_kind {
	CC_REG_MISSION = 0,
	CC_REG_ORG,
	CC_REG_NEED,
	CC_REG_INCIDENT,
	CC_REG_INDICATOR,
	CC_REG_BENCHMARK,
	CC_REG_OBSERVATION,
	CC_REG_LESSON,
	CC_REG_FEEDBACK,
	CC_REG_RESPONDENT,
	CC_N_REG_KINDS
};

/* The plural name of a kind as the API spells it ("needs", "survey-responses"). */
CC_API const char *cc_reg_kind_name(enum cc_reg_kind k);
/* The store table of a kind ("need", "survey_respondent"). */
CC_API const char *cc_reg_kind_table(enum cc_reg_kind k);
/* Whether records of the kind carry a marking of their own (benchmarks take their indicator's). */
CC_API bool cc_reg_kind_marked(enum cc_reg_kind k);

#define CC_REG_PAGE_MAX 1000

struct cc_reg_query {
	enum cc_reg_kind kind;
	int64_t mission_id; /* the records of this mission (incidents: of any, as they have none) */
	int64_t id;         /* only this record; 0 all */
	int64_t after;      /* keyset cursor: records with a greater id */
	size_t limit;       /* 0: 100; at most CC_REG_PAGE_MAX */
};

struct cc_reg_page {
	struct cc_buf rows; /* a JSON array of the records */
	size_t n_rows;
	int64_t next_after; /* the cursor of the next page, 0 when this is the last */
	/* of the last record, for one-record reads: */
	int64_t last_id, last_owner, last_mission; /* owner 0: the coordination cell */
	char last_rel[16];                         /* its releasability */
	char version[33]; /* a digest of its JSON (hex): changes whenever the record does */
};

/* A page of records; rows released with cc_reg_page_release. */
CC_API int cc_store_reg_list(struct cc_store *st, const struct cc_reg_query *q,
                             struct cc_reg_page *out, struct cc_err *err);
CC_API void cc_reg_page_release(struct cc_reg_page *p);

/*
 * Removes record id of the kind (with what hangs on it: a lesson's links, an indicator's
 * benchmarks and observations), when the viewer may see it (CC_ENOTFOUND otherwise), logging
 * the removal. Organisations and missions are never removed (CC_EUNSUPPORTED).
 */
CC_API int cc_store_reg_delete(struct cc_store *st, enum cc_reg_kind kind, int64_t mission_id,
                               int64_t id, struct cc_err *err);

/*
 * Creates (o->id 0: CC_EEXIST when the mission has the key already) or updates (o->id: the
 * organisation of that id, whose key may not change) an organisation of o->mission_id, with
 * its change-log entry; its key is also an alias, as imports make it. Sets o->id.
 */
CC_API int cc_store_reg_put_org(struct cc_store *st, struct cc_org *o, struct cc_err *err);

struct cc_lesson;
struct cc_lesson_link;
/*
 * Creates (l->id 0; it gets a new key, "LL-0001") or updates (l->id: the lesson of that
 * id, whose key does not change) a lesson, with its evidence (keep_links: an update keeps the
 * stored evidence), as cc_store_put_lesson does; a
 * new lesson is held by owner_id (0: the coordination cell). One transaction with its
 * change-log entry. Sets l->id and l->key.
 */
CC_API int cc_store_reg_put_lesson(struct cc_store *st, struct cc_lesson *l,
                                   const struct cc_lesson_link *links, size_t n_links,
                                   bool keep_links, int64_t owner_id, struct cc_err *err);

#endif
