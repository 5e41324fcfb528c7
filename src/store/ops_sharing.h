/*
 * The sharing domain's backend operations (internal): struct cc_store_ops.sharing points at one
 * of these; src/store/store_sharing.c implements <concord/sharing.h> over it. table is always
 * one of CC_MARKED_TABLES, checked by store_sharing.c.
 */
#ifndef CC_STORE_OPS_SHARING_H
#define CC_STORE_OPS_SHARING_H

#include <concord/feed.h>
#include <concord/sharing.h>

#include "store/backend.h"

struct cc__sharing_ops {
	/* kind of the organisation and its membership; CC_ENOTFOUND when not of the mission */
	int (*org_viewer)(struct cc_store *st, int64_t mission_id, int64_t org_id,
	                  char kind_out[static 16], bool *member_out, struct cc_err *err);
	int (*set_member)(struct cc_store *st, int64_t mission_id, int64_t org_id, bool member,
	                  bool *changed_out, struct cc_err *err);
	int (*list_members)(struct cc_store *st, int64_t mission_id, struct cc_org **out,
	                    size_t *n_out, struct cc_err *err);
	/* the marking of a record the handle's viewer may see; CC_ENOTFOUND otherwise */
	int (*get_marking)(struct cc_store *st, const char *table, int64_t id,
	                   struct cc_record_marking *out, struct cc_err *err);
	int (*set_marking)(struct cc_store *st, const char *table, int64_t id, enum cc_rel rel,
	                   int64_t owner_id, unsigned deny, struct cc_err *err);
	int (*share)(struct cc_store *st, const char *table, int64_t id, int64_t org_id, bool on,
	             struct cc_err *err);
	/* the change log for the handle's viewer (see <concord/feed.h>); limit checked */
	int (*read_feed)(struct cc_store *st, int64_t after, size_t limit,
	                 struct cc_feed_entry *out, size_t *n_out, int64_t *next_out,
	                 struct cc_err *err);
	int (*feed_head)(struct cc_store *st, int64_t *head_out, struct cc_err *err);
	/* redactions (see cc_store_apply_retention): what = 0 sites, 1 givers, 2 respondents;
	   before is a day number (respondents: of their source's import); count only when dry */
	int (*redact)(struct cc_store *st, int what, int64_t mission_id, int32_t before, bool dry,
	              int64_t *n_out, struct cc_err *err);
	/* the mission of an organisation; CC_ENOTFOUND */
	int (*org_mission)(struct cc_store *st, int64_t org_id, int64_t *mission_out,
	                   struct cc_err *err);
};

extern const struct cc__sharing_ops cc__sqlite_sharing; /* src/store/sqlite_sharing.c */

#endif
