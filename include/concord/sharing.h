/*
 * Sharing in the store: who reads (the handle's viewer), which organisations are members of a
 * mission (the `partners` audience), and the markings of records (releasability, owner, kinds
 * denied, named sharing). The rule itself is <concord/visibility.h>.
 *
 * A store handle reads for one viewer at a time: cc_store_set_viewer() sets it and every read of
 * records through the handle (lists, single reads, searches, the loads of analyses, exports,
 * the change feed) returns only what that viewer may see. A new handle reads for the operator.
 * The server sets the caller's viewer on its handle for each request; the CLI sets one with
 * --as ORG or --audience.
 *
 * Writes run in a transaction of their own with their change-log entry, or in the caller's.
 */
#ifndef CONCORD_SHARING_H
#define CONCORD_SHARING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/store.h>
#include <concord/visibility.h>

/* Reads through st are for v from now on (NULL: the operator). */
CC_API void cc_store_set_viewer(struct cc_store *st, const struct cc_viewer *v);
/* The handle's viewer. */
CC_API struct cc_viewer cc_store_get_viewer(const struct cc_store *st);

/*
 * The viewer of an organisation of a mission: its kind and whether it is a member. Returns 0,
 * CC_ENOTFOUND for an organisation not of that mission.
 */
CC_API int cc_store_org_viewer(struct cc_store *st, int64_t mission_id, int64_t org_id,
                               struct cc_viewer *out, struct cc_err *err);

/* Makes the organisation a member of the mission (member true) or not; idempotent. */
CC_API int cc_store_set_member(struct cc_store *st, int64_t mission_id, int64_t org_id,
                               bool member, struct cc_err *err);
/* The member organisations of a mission, sorted by key; *out owned (cc_free). */
CC_API int cc_store_list_members(struct cc_store *st, int64_t mission_id, struct cc_org **out,
                                 size_t *n_out, struct cc_err *err);

/* The tables whose records carry a marking. */
#define CC_MARKED_TABLES \
	"activity, incident, need, lesson, indicator, observation, feedback, survey_respondent"

/* A record's marking as stored, with its named sharing. */
struct cc_record_marking {
	int64_t mission_id; /* 0 none */
	int64_t owner_id;   /* 0 the coordination cell */
	enum cc_rel rel;
	unsigned deny;
	int64_t shares[32]; /* organisations it is shared with, ascending */
	size_t n_shares;
};

/*
 * The marking of record id of table (one of CC_MARKED_TABLES). CC_ENOTFOUND for a missing
 * record or one the handle's viewer may not see (the two answer alike); CC_EINVALID for a table
 * without markings.
 */
CC_API int cc_store_get_marking(struct cc_store *st, const char *table, int64_t id,
                                struct cc_record_marking *out, struct cc_err *err);
/*
 * Sets the releasability, owner and kinds denied of a record (shares untouched); logged as an
 * update of the record with the new releasability. Errors as cc_store_get_marking.
 */
CC_API int cc_store_set_marking(struct cc_store *st, const char *table, int64_t id,
                                enum cc_rel rel, int64_t owner_id, unsigned deny,
                                struct cc_err *err);
/*
 * Shares the record with an organisation of its mission by name (on true) or stops (false);
 * at most 32 organisations per record (CC_ETOOBIG). Logged; errors as cc_store_get_marking.
 */
CC_API int cc_store_share(struct cc_store *st, const char *table, int64_t id, int64_t org_id,
                          bool on, struct cc_err *err);

/*
 * Do no harm: retention of the most sensitive fields. Redacts (sets to absent) the exact sites
 * of the mission's activities that ended (or, without an end, started) before sites_before, and
 * the personal data of feedback givers dated before personal_before and of survey respondents
 * imported before it (days since 1970-01-01; CC_DATE_NONE: that part not applied). The areas,
 * figures and answers stay. With dry_run nothing changes; the counts say what would. Each
 * redaction is one entry of the audit log.
 */
struct cc_retention_counts {
	int64_t sites;       /* activities whose exact site was redacted */
	int64_t givers;      /* feedback entries whose giver's data was redacted */
	int64_t respondents; /* survey respondents whose personal data was redacted */
};
CC_API int cc_store_apply_retention(struct cc_store *st, int64_t mission_id, int32_t sites_before,
                                    int32_t personal_before, bool dry_run,
                                    struct cc_retention_counts *out, struct cc_err *err);

/* The marking as struct cc_marking (borrowing m's shares), for cc_visible(). */
CC_API struct cc_marking cc_record_marking_view(const struct cc_record_marking *m);

#endif
