/*
 * The single-record writes of the API (src/server/api_writes.c, api_events.c, api_registry.c,
 * api_records.c) share these: a body's member as the text of a CSV cell, the importer's refusal
 * as a 400 naming the JSON field, the organisation a body names, the marking members of a body,
 * who may change a record, the If-Match check, and the record read before and answered after
 * a write. Defined in records_body.c; internal to the server.
 */
#ifndef CC_SERVER_RECORDS_BODY_H
#define CC_SERVER_RECORDS_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/edits.h>
#include <concord/registry.h>
#include <concord/sharing.h>

#include "server/server.h"

/* ---- the body ---- */

/*
 * A JSON value as the text a CSV cell would hold (null or absent: ""; a number as written
 * back exactly, in buf of n bytes); CC_EUSAGE naming name for true/false, a list or an object.
 */
int cc__json_text(const json_t *v, const char *name, char *buf, size_t n, const char **out,
                  struct cc_err *err);

/* Replaces the owned text *slot by a copy of v (NULL: ""); CC_ENOMEM. */
int cc__set_text(char **slot, const char *v, struct cc_err *err);

/* Whether name is one of the NULL-ended names (the members a body may carry besides fields). */
bool cc__name_in(const char *const *names, const char *name);

/*
 * The importer's refusal of a row as the API's: a CC_EINVALID or CC_EPARSE becomes CC_EUSAGE
 * (400) with no file or line, its field renamed from the column columns[i] to the JSON field
 * json[i] (n of each); any other ret is returned as it is.
 */
int cc__row_refused(int ret, char *const *columns, const char *const *json, size_t n,
                    struct cc_err *err);

/* ---- owners, markings, versions ---- */

/*
 * The organisation of the mission named by key or alias (compared as the importers compare
 * names); CC_EUSAGE naming field when the mission has none.
 */
int cc__find_org(const struct cc__req *req, int64_t mission_id, const char *key, const char *field,
                 struct cc_org *out, struct cc_err *err);

/*
 * The marking members of the body ("releasability", "deny", "owner") over m; only a
 * coordinator may name another organisation than the record's or its own as the owner. As an
 * import's owner does, a new record's owner (create: the caller's organisation unless the body
 * names another), or a new owner of a record, denies the organisation kinds its kind denies by
 * default (a humanitarian owner's records are kept from military readers: civil-military
 * separation) unless the body gives "deny". *given (when not NULL): the body had a member.
 */
int cc__marking_from_body(const struct cc__req *req, int64_t mission_id, bool create,
                          struct cc_record_marking *m, bool *given, struct cc_err *err);

/*
 * Who may change a record: an editor of the organisation that owns it, or a coordinator (and
 * admin) of the mission. CC_EDENIED otherwise: "only the owner's editors or a coordinator may
 * change <what>" (what: "this record", "who sees this record").
 */
int cc__may_change(const struct cc__req *req, int64_t owner_id, const char *what,
                   struct cc_err *err);

/*
 * If-Match must name the version the caller read ("*": any): no lost update between partners.
 * Absent: CC_EUSAGE (400); another version: CC_ECHANGED (412) "the <what> changed since…".
 */
int cc__check_version(const struct cc__req *req, const char *version, const char *what,
                      struct cc_err *err);

/* CC_ENOTFOUND "no <what> '<id>'" naming the path's id: also for a record out of sight. */
int cc__no_record(const struct cc__req *req, const char *what, struct cc_err *err);

/*
 * The registry record of kind of the path's id as the caller sees it: its page (one row, the
 * version) and its JSON as GET answers it (*cur, to json_decref); cc__no_record(what) when
 * there is none the caller may see.
 */
int cc__reg_current(struct cc__req *req, enum cc_reg_kind kind, int64_t mission_id,
                    const char *what, struct cc_reg_page *page, json_t **cur, struct cc_err *err);

/* Sets the record's new marking mk when it differs from old (in the caller's transaction). */
int cc__apply_marking(struct cc__req *req, const char *table, int64_t id, int64_t mission_id,
                      const struct cc_record_marking *old, const struct cc_record_marking *mk,
                      struct cc_err *err);

/*
 * After a record's write, in its transaction: a created record gets its marking with its
 * "insert" entry; an edited one its "update" entry when it changed (with the releasability it
 * had, so that those who could see it learn of the change), then its new marking when the body
 * changed it.
 */
int cc__record_written(struct cc__req *req, bool create, const char *table, int64_t id,
                       int64_t mission_id, int64_t batch, enum cc_put_result res,
                       const struct cc_record_marking *old, const struct cc_record_marking *mk,
                       struct cc_err *err);

/*
 * The answer of a write: the record as the caller now reads it (get, the handler of GET
 * path/{id}; 201 also sets Location), or, when the caller gave it out of its own sight, its id
 * and releasability with "visible": false.
 */
int cc__reply_written(struct cc__req *req, cc__route_fn *get, const char *path, int64_t id,
                      enum cc_rel rel, struct cc_buf *out, struct cc_err *err);

/* Runs the handler write under the one write lock (server.h): for a write that checks first. */
int cc__run_locked(cc__route_fn *write, struct cc__req *req, struct cc_buf *out,
                   struct cc_err *err);

/* A route handler name that runs write(req, create, out, err) under the one write lock. */
#define CC__LOCKED_WRITE(name, write, create)                                 \
	int name(struct cc__req *req, struct cc_buf *out, struct cc_err *err) \
	{                                                                     \
		int ret;                                                      \
                                                                              \
		if ((ret = cc__writes_lock(req, err)) == 0)                   \
			ret = write(req, create, out, err);                   \
		if ((ret = cc__writes_unlock(req, ret, err)) < 0)             \
			cc_buf_clear(out);                                    \
		return ret;                                                   \
	}

#endif
