/*
 * The live feed: the change log read for one reader. Every committed change to stored records
 * is an entry of the change log (the audit log); a reader is shown the entries about records it
 * may see (<concord/sharing.h>: the store handle's viewer), in commit order, with a cursor to
 * resume from. The server streams it as Server-Sent Events (GET /api/feed); `concord watch`
 * prints it.
 *
 * What a reader sees of an entry:
 *   - an entry about records of a marked table (activity, incident, need, lesson) that still
 *     exist: shown when the reader may see at least one of them, with the count of those it
 *     may see (an import of 300 rows of which it may see 12 says 12);
 *   - any other entry (records since deleted, tables without markings: areas, members, users):
 *     by the entry's own releasability within its mission — public to anyone, partners to the
 *     members, org to the operator only.
 */
#ifndef CONCORD_FEED_H
#define CONCORD_FEED_H

#include <stddef.h>
#include <stdint.h>

#include <concord/buf.h>
#include <concord/error.h>
#include <concord/store.h>

struct cc_feed_entry {
	int64_t id;            /* the change-log entry: the cursor */
	char at[32];           /* ISO 8601 UTC */
	char who[64];
	char table[32];
	char op[16];           /* insert, update, delete */
	int64_t record_id;     /* one record, 0 for a batch */
	int64_t batch;         /* import batch, 0 none */
	int64_t count;         /* records the reader may see that the entry is about */
	int64_t mission_id;
	char releasability[16];
	char detail[256];
};

#define CC_FEED_PAGE_MAX 500

/*
 * The entries after cursor `after` that the handle's viewer may see, at most limit (1 …
 * CC_FEED_PAGE_MAX) of them, into out (room for limit). *next_out is the cursor to read on
 * from: the last entry examined, seen or not, so a reader never re-reads what it may not see.
 * Returns 0, CC_EUSAGE for a limit out of range, or a store error.
 */
CC_API int cc_store_read_feed(struct cc_store *st, int64_t after, size_t limit,
                              struct cc_feed_entry *out, size_t *n_out, int64_t *next_out,
                              struct cc_err *err);
/* The id of the newest change-log entry (0 when empty): where a new subscriber starts. */
CC_API int cc_store_feed_head(struct cc_store *st, int64_t *head_out, struct cc_err *err);
/*
 * Waits until a writer (any process) commits an entry to the change log, file descriptor fd is
 * readable (-1: none) or timeout_ms passes, whichever comes first: 1 when a commit was
 * announced, 0 otherwise. Use a handle of its own (it keeps listening between calls). Returns
 * CC_EUNSUPPORTED where the store cannot announce commits (SQLite: poll the head instead).
 */
CC_API int cc_store_wait_change(struct cc_store *st, int fd, int timeout_ms, struct cc_err *err);

/* An entry as one line of JSON (no newline) into out. */
CC_API int cc_feed_entry_json(const struct cc_feed_entry *e, struct cc_buf *out);

#endif
