/*
 * Who sees a row read from PostgreSQL, decided in C by cc_visible() from the row's marking,
 * not by a second copy of the rule in SQL: the marking's six columns (id, mission_id,
 * owner_id, releasability, deny, shared) come in a text result (cc__pg_row_visible) or a
 * binary COPY row (cc__pg_bin_visible); a row marked shared is seen by an organisation the
 * share table names for it (cc__pg_load_shares, read once per read).
 */
#include "store/postgres_int.h"

#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/visibility.h>

#include "core/banned.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int cc__pg_load_shares(struct cc_store *st, const char *tbl, struct cc__pg_shares *out,
                       struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	out->ids = NULL;
	out->n = 0;
	if (st->viewer.kind != CC_VIEWER_ORG || !st->viewer.org_id)
		return 0;
	cc__pg_str(&p, tbl);
	cc__pg_i64(&p, st->viewer.org_id);
	ret = cc__pg_rows(st,
	                  "SELECT record_id FROM share WHERE tbl = $1 AND org_id = $2 ORDER BY "
	                  "record_id",
	                  &p, sizeof(*out->ids), &res, (void **)&out->ids, &out->n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < out->n; i++)
		out->ids[i] = cc__pg_col_i64(res, (int)i, 0);
	PQclear(res);
	return 0;
}

/* The decision for row id of marking m, whose shared column is `shared`. */
static bool decide(struct cc_store *st, const struct cc__pg_shares *sh, int64_t id, bool shared,
                   struct cc_marking m, struct cc_marking *m_out)
{
	if (shared && sh && sh->n && bsearch(&id, sh->ids, sh->n, sizeof(*sh->ids), cmp_i64)) {
		m.shares = &st->viewer.org_id;
		m.n_shares = 1;
	}
	if (m_out)
		*m_out = m;
	return cc_visible(&st->viewer, &m);
}

/* A releasability's text, the strictest when it is unknown. */
static enum cc_rel rel_of(const char *t)
{
	enum cc_rel rel;

	return cc_rel_parse(t, &rel, NULL) < 0 ? CC_REL_ORG : rel;
}

bool cc__pg_row_visible(struct cc_store *st, const struct cc__pg_shares *sh, const PGresult *res,
                        int r, int c, struct cc_marking *m_out)
{
	struct cc_marking m = {
		.mission_id = cc__pg_col_i64(res, r, c + 1),
		.owner_id = cc__pg_col_i64(res, r, c + 2),
		.rel = rel_of(cc__pg_cstr(res, r, c + 3)),
		.deny = (unsigned)cc__pg_col_i64(res, r, c + 4),
	};

	return decide(st, sh, cc__pg_col_i64(res, r, c), cc__pg_col_i64(res, r, c + 5) != 0, m,
	              m_out);
}

enum cc_rel cc__pg_field_rel(const PGresult *res, int r, int c, enum cc_rel def)
{
	return cc__pg_col_null(res, r, c) ? def : rel_of(cc__pg_cstr(res, r, c));
}

enum cc_rel cc__pg_bin_rel(const unsigned char *v, int32_t len, enum cc_rel def)
{
	char t[32];
	size_t k = (size_t)len;

	if (len < 0)
		return def;
	if (k >= sizeof(t))
		k = sizeof(t) - 1; /* longer than any releasability: unknown */
	if (k)
		memcpy(t, v, k);
	t[k] = '\0';
	return rel_of(t);
}

bool cc__pg_bin_visible(struct cc_store *st, const struct cc__pg_shares *sh,
                        const unsigned char *const *v, const int32_t *len, int c,
                        struct cc_marking *m_out)
{
	struct cc_marking m = { .mission_id = cc__pg_bin_i64(v[c + 1], len[c + 1]),
		                .owner_id = cc__pg_bin_i64(v[c + 2], len[c + 2]),
		                .rel = cc__pg_bin_rel(v[c + 3], len[c + 3], CC_REL_ORG),
		                .deny = (unsigned)cc__pg_bin_i64(v[c + 4], len[c + 4]) };

	return decide(st, sh, cc__pg_bin_i64(v[c], len[c]), cc__pg_bin_i64(v[c + 5], len[c + 5]) != 0,
	              m, m_out);
}
