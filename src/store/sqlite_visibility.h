/*
 * The visibility rule as SQL for the SQLite backend (internal): the twin of cc_visible() in
 * src/store/visibility.c. Change one, change the other; tests/unit/t-visibility.c fails when
 * they disagree.
 *
 * CC__SQ_VISIBLE(x, tbl) is a predicate on the row of alias x of table tbl, which must have the
 * columns id, mission_id, owner_id, releasability, deny and shared; CC__SQ_VISIBLE_FIELD is the
 * test of a field with a marking of its own (cc_visible_field). All are string
 * literals, so statements that use them are prepared once and cached like any other; the
 * reader comes in through named parameters that cc__sq_bind_viewer() binds from the store
 * handle's viewer (cc_store_set_viewer):
 *   :v_op      1 for the operator (sees everything), else 0
 *   :v_org     the reader's organisation, NULL for an audience
 *   :v_kinds   its kind bits (all bits for an audience)
 *   :v_member  1 when it is a member of :v_mission
 *   :v_mission its mission
 * SQLite numbers a named parameter after the highest "?N" seen before it in the text: a
 * statement that uses "?N" parameters must use them all before its first :v_ parameter (or
 * use named parameters only), else two parameters share a number.
 */
#ifndef CC_STORE_SQLITE_VISIBILITY_H
#define CC_STORE_SQLITE_VISIBILITY_H

#include <sqlite3.h>

#include <concord/store.h>

/* The marking part of the rule: no kind of the reader denied, and the releasability rel lets
 * it in. */
#define CC__SQ_BY_MARKING(x, rel)                                                            \
	"((" x ".deny & :v_kinds) = 0 AND (" rel " = 'public' OR (" rel " = 'partners' AND "     \
	":v_member AND (" x ".mission_id IS NULL OR " x ".mission_id = :v_mission))))"

/* The record: the operator, its owner, an organisation it is shared with, or its marking. */
#define CC__SQ_VISIBLE(x, tbl)                                                                 \
	"(:v_op OR " x ".owner_id = :v_org OR (" x ".shared AND EXISTS (SELECT 1 FROM share sh_"  \
	" WHERE sh_.tbl = '" tbl "' AND sh_.record_id = " x ".id AND sh_.org_id = :v_org)) OR "  \
	CC__SQ_BY_MARKING(x, x ".releasability") ")"

/* Whether the field marking f (a column, NULL: none) is stricter than the record's. */
#define CC__SQ_STRICTER(x, f)                                                                  \
	"(" f " IS NOT NULL AND " f " <> " x ".releasability AND " x ".releasability <> 'org' AND " \
	"NOT (" x ".releasability = 'partners' AND " f " = 'public'))"

/*
 * A field of a record the reader may see (use it in the select list of a statement whose WHERE
 * has CC__SQ_VISIBLE): visible unless its marking is stricter and lets the reader out. Named
 * sharing releases the record, not its stricter fields.
 */
#define CC__SQ_VISIBLE_FIELD(x, f)                                                             \
	"(NOT " CC__SQ_STRICTER(x, f) " OR :v_op OR " x ".owner_id = :v_org OR "               \
	CC__SQ_BY_MARKING(x, f) ")"

/* An activity's exact site and its figures (people targeted and reached, budget). */
#define CC__SQ_VISIBLE_SITE(x)    CC__SQ_VISIBLE_FIELD(x, x ".geo_rel")
#define CC__SQ_VISIBLE_FIGURES(x) CC__SQ_VISIBLE_FIELD(x, x ".figures_rel")

/* Binds the handle's viewer to whichever of the :v_ parameters stmt has; 0 or an SQLite code. */
int cc__sq_bind_viewer(struct cc_store *st, sqlite3_stmt *stmt);

#endif
