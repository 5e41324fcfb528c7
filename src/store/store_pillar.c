/*
 * A mission's own pillar for a sector or cluster (`concord pillar`, PUT /api/pillar): the text
 * resolved to a sector of one of the sector vocabularies, the override stored with its
 * change-log entry in one transaction; and the pillars of the mission's sectors listed
 * (`concord pillar --json`, GET /api/pillar).
 */
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/store.h>

#include "store/backend.h"

#include "core/banned.h"

/* Sector vocabularies in the order a bare code is tried, with their code lists. */
static const struct {
	const char *vocabulary;
	const char *list;
	const char *label;
} vocabularies[] = {
	{ .vocabulary = "10", .list = "IASCCluster", .label = "IASC cluster" },
	{ .vocabulary = "1", .list = "Sector", .label = "DAC 5-digit sector" },
	{ .vocabulary = "2", .list = "SectorCategory", .label = "DAC 3-digit category" },
};

int cc_store_set_pillar(struct cc_store *st, const char *mission, const char *text,
                        const char *vocabulary, enum cc_pillar pillar,
                        struct cc_pillar_setting *out, struct cc_err *err)
{
	struct cc_mission m;
	char detail[160];
	int64_t sector_id;
	int ret = CC_ENOTFOUND;

	memset(out, 0, sizeof(*out));
	if (cc_pillar_name(pillar) == NULL || cc_pillar_parse(cc_pillar_name(pillar)) < 0)
		return cc_err_set(err, CC_EUSAGE, "unknown pillar %d", (int)pillar);
	if ((ret = cc_store_get_mission(st, mission, &m, err)) < 0)
		return ret;
	ret = CC_ENOTFOUND;
	for (size_t i = 0; i < sizeof(vocabularies) / sizeof(vocabularies[0]) && ret; i++) {
		if (vocabulary && strcmp(vocabulary, vocabularies[i].vocabulary) != 0)
			continue;
		ret = cc_store_resolve_code(st, vocabularies[i].list, text, m.country, out->code,
		                            sizeof(out->code), err);
		if (ret == 0)
			ret = cc_store_sector_id(st, vocabularies[i].vocabulary, out->code,
			                         &sector_id, err);
		if (ret == 0) {
			snprintf(out->vocabulary, sizeof(out->vocabulary), "%s",
			         vocabularies[i].vocabulary);
			out->label = vocabularies[i].label;
		} else if (ret != CC_ENOTFOUND) {
			return ret;
		}
	}
	if (ret == CC_ENOTFOUND) {
		cc_err_clear(err);
		return cc_err_set(err, CC_EINVALID,
		                  "unknown sector '%s' (not an IASC cluster, a DAC code or a known "
		                  "alias%s%s)",
		                  text, vocabulary ? " of vocabulary " : "",
		                  vocabulary ? vocabulary : "");
	}
	snprintf(out->mission, sizeof(out->mission), "%s", m.code);
	out->pillar = pillar;
	snprintf(detail, sizeof(detail), "%s %s -> %s", out->label, out->code,
	         cc_pillar_name(pillar));
	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	if ((ret = cc_store_put_pillar(st, m.id, out->vocabulary, out->code, pillar, err)) < 0 ||
	    (ret = cc_store_log_change(st,
	                               &(struct cc_change){ .table = "pillar_map",
	                                                    .op = "update",
	                                                    .count = 1,
	                                                    .mission_id = m.id,
	                                                    .detail = detail },
	                               err)) < 0 ||
	    (ret = cc_store_commit(st, err)) < 0) {
		cc_store_rollback(st);
		return ret;
	}
	return 0;
}

int cc_store_list_pillars(struct cc_store *st, const char *mission, const char *vocabulary,
                          bool overrides_only, struct cc_pillar_row **out, size_t *n_out,
                          struct cc_err *err)
{
	struct cc_mission m;
	int ret;

	*out = NULL;
	*n_out = 0;
	if (!st->ops->list_pillars)
		return cc_err_set(err, CC_EUNSUPPORTED, "this store cannot list the pillars");
	if ((ret = cc_store_get_mission(st, mission, &m, err)) < 0)
		return ret;
	return st->ops->list_pillars(st, m.id, vocabulary, overrides_only, out, n_out, err);
}
