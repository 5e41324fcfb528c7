/*
 * The registry's public functions (<concord/registry.h>): the kinds' names, argument checks,
 * the version of a record, and removals as one transaction with their change-log entry; the
 * reads and writes themselves dispatch to st->ops->registry.
 */
#include <concord/registry.h>

#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/lessons.h>
#include <concord/text.h>

#include "core/digest.h"
#include "store/backend.h"
#include "store/ops_registry.h"

#include "core/banned.h"

static const struct {
	const char *name, *table;
	bool marked;
} kinds[CC_N_REG_KINDS] = {
	[CC_REG_MISSION] = { "missions", "mission", false },
	[CC_REG_ORG] = { "organisations", "organisation", false },
	[CC_REG_NEED] = { "needs", "need", true },
	[CC_REG_INCIDENT] = { "incidents", "incident", true },
	[CC_REG_INDICATOR] = { "indicators", "indicator", true },
	[CC_REG_BENCHMARK] = { "benchmarks", "benchmark", false },
	[CC_REG_OBSERVATION] = { "observations", "observation", true },
	[CC_REG_LESSON] = { "lessons", "lesson", true },
	[CC_REG_FEEDBACK] = { "feedback", "feedback", true },
	[CC_REG_RESPONDENT] = { "survey-responses", "survey_respondent", true },
};

const char *cc_reg_kind_name(enum cc_reg_kind k)
{
	return (unsigned)k < CC_N_REG_KINDS ? kinds[k].name : NULL;
}

const char *cc_reg_kind_table(enum cc_reg_kind k)
{
	return (unsigned)k < CC_N_REG_KINDS ? kinds[k].table : NULL;
}

bool cc_reg_kind_marked(enum cc_reg_kind k)
{
	return (unsigned)k < CC_N_REG_KINDS && kinds[k].marked;
}

static const struct cc__registry_ops *ops(struct cc_store *st, struct cc_err *err)
{
	if (!st->ops->registry)
		cc_err_set(err, CC_EUNSUPPORTED, "this store backend has no registry");
	return st->ops->registry;
}

void cc_reg_page_release(struct cc_reg_page *p)
{
	cc_buf_release(&p->rows);
	memset(p, 0, sizeof(*p));
}

int cc_store_reg_list(struct cc_store *st, const struct cc_reg_query *q, struct cc_reg_page *out,
                      struct cc_err *err)
{
	const struct cc__registry_ops *o = ops(st, err);
	int ret;

	memset(out, 0, sizeof(*out));
	cc_buf_init(&out->rows, 0);
	if (!o)
		return CC_EUNSUPPORTED;
	if ((unsigned)q->kind >= CC_N_REG_KINDS)
		return cc_err_set(err, CC_EINVALID, "no record kind %d", (int)q->kind);
	if (q->limit > CC_REG_PAGE_MAX)
		return cc_err_set(err, CC_EUSAGE, "limit: at most %d records a page",
		                  CC_REG_PAGE_MAX);
	if ((ret = o->list(st, q, out, err)) < 0) {
		cc_reg_page_release(out);
		return ret;
	}
	if (out->n_rows == 1) {
		struct cc_digest h;
		char hex[65];

		/* the record without the array's brackets */
		cc_digest_init(&h);
		cc_digest_update(&h, out->rows.buf + 1, out->rows.len - 2);
		cc_digest_final_hex(&h, hex);
		memcpy(out->version, hex, 32);
		out->version[32] = '\0';
	}
	return 0;
}

int cc_store_reg_delete(struct cc_store *st, enum cc_reg_kind kind, int64_t mission_id, int64_t id,
                        struct cc_err *err)
{
	const struct cc__registry_ops *o = ops(st, err);
	struct cc_reg_page page;
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	if (kind == CC_REG_MISSION || kind == CC_REG_ORG)
		return cc_err_set(err, CC_EUNSUPPORTED, "%s are never removed",
		                  cc_reg_kind_name(kind));
	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	ret = cc_store_reg_list(
	        st,
	        &(struct cc_reg_query){
	                .kind = kind, .mission_id = mission_id, .id = id, .limit = 1 },
	        &page, err);
	if (ret == 0 && page.n_rows == 0)
		ret = cc_err_set(err, CC_ENOTFOUND, "no %s record %lld", cc_reg_kind_table(kind),
		                 (long long)id);
	if (ret == 0)
		ret = o->remove(st, kind, id, err);
	if (ret == 0)
		ret = cc_store_log_change(st,
		                          &(struct cc_change){ .table = cc_reg_kind_table(kind),
		                                               .op = "delete",
		                                               .record_id = id,
		                                               .count = 1,
		                                               .mission_id = page.last_mission,
		                                               .releasability = page.last_rel,
		                                               .detail = "removed one record" },
		                          err);
	cc_reg_page_release(&page);
	if (ret < 0) {
		cc_store_rollback(st);
		return ret;
	}
	return cc_store_commit(st, err);
}

/* Adds text (normalised) as an alias of org, unless it names another organisation already. */
static int add_alias(struct cc_store *st, const struct cc_org *o, const char *text,
                     struct cc_err *err)
{
	struct cc_buf norm = CC_BUF_INIT(0);
	struct cc_org other;
	int ret;

	if (!text || !*text)
		return 0;
	if (cc_text_norm(text, &norm) < 0)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	ret = norm.len ? cc_store_find_org(st, o->mission_id, norm.buf, &other, err) : 0;
	if (ret == CC_ENOTFOUND)
		ret = cc_store_put_org_alias(st, o->mission_id, o->id, norm.buf, err);
	else if (ret == CC_EINVALID)
		ret = 0;
	cc_buf_release(&norm);
	return ret;
}

int cc_store_reg_put_org(struct cc_store *st, struct cc_org *o, struct cc_err *err)
{
	struct cc_org old;
	bool create = o->id == 0;
	const char *bare = strncmp(o->key, "local:", 6) == 0 ? o->key + 6 : NULL;
	int ret;

	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	/* the key exactly, else as an alias */
	ret = cc_store_find_org(st, o->mission_id, o->key, &old, err);
	if (ret == CC_ENOTFOUND) {
		struct cc_buf norm = CC_BUF_INIT(0);

		ret = cc_text_norm(o->key, &norm) < 0
		              ? cc_err_set(err, CC_ENOMEM, "out of memory")
		              : cc_store_find_org(st, o->mission_id, norm.buf, &old, err);
		cc_buf_release(&norm);
	}
	if (ret == 0 && create)
		ret = cc_err_set(err, CC_EEXIST, "organisation '%s' exists already (id %lld)",
		                 o->key, (long long)old.id);
	else if (ret == 0 && old.id != o->id)
		ret = cc_err_set(err, CC_EEXIST, "'%s' is the key or alias of organisation %lld",
		                 o->key, (long long)old.id);
	else if (ret == 0 && strcmp(old.key, o->key) != 0)
		ret = cc_err_set(err, CC_EINVALID, "the key of an organisation does not change");
	else if ((ret == CC_ENOTFOUND || ret == CC_EINVALID) && !create)
		ret = cc_err_set(err, CC_EINVALID, "the key of an organisation does not change");
	else if (ret == CC_ENOTFOUND || ret == CC_EINVALID)
		ret = 0;
	if (ret == 0)
		ret = cc_store_put_org(st, o, err);
	/* the names it goes by, as imports and `member add` give them */
	if (ret == 0)
		ret = add_alias(st, o, o->key, err);
	if (ret == 0)
		ret = add_alias(st, o, bare, err);
	if (ret == 0)
		ret = add_alias(st, o, o->acronym, err);
	if (ret == 0)
		ret = add_alias(st, o, o->name, err);
	if (ret == 0)
		ret = cc_store_log_change(st,
		                          &(struct cc_change){ .table = "organisation",
		                                               .op = create ? "insert" : "update",
		                                               .record_id = o->id,
		                                               .count = 1,
		                                               .mission_id = o->mission_id,
		                                               .detail = o->key },
		                          err);
	if (ret < 0) {
		cc_store_rollback(st);
		return ret;
	}
	return cc_store_commit(st, err);
}

int cc_store_reg_put_lesson(struct cc_store *st, struct cc_lesson *l,
                            const struct cc_lesson_link *links, size_t n_links, bool keep_links,
                            int64_t owner_id, struct cc_err *err)
{
	const struct cc__registry_ops *o = ops(st, err);
	enum cc_lesson_put res;
	bool create = l->id == 0;
	struct cc_lesson old;
	int ret = 0;

	if (!o)
		return CC_EUNSUPPORTED;
	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	/* a new lesson gets a new key: whether another one holds a key is nobody's business */
	if (create)
		l->key[0] = '\0';
	else if ((ret = cc_store_get_lesson(st, l->key, &old, err)) == 0 && old.id != l->id)
		ret = cc_err_set(err, CC_EINVALID, "the key of a lesson does not change");
	if (ret == 0)
		ret = keep_links && !create
		              ? cc_store_put_lesson(st, l, NULL, 0, true, &res, err)
		              : cc_store_put_lesson(st, l, links, n_links, false, &res, err);
	if (ret == 0 && create)
		ret = o->lesson_owner(st, l->id, owner_id, err);
	/* the put wrote its change-log entry; the owner goes with it in this transaction */
	if (ret < 0) {
		cc_store_rollback(st);
		return ret;
	}
	return cc_store_commit(st, err);
}
