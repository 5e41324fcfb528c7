/*
 * Rows a PostgreSQL importer holds in C (postgres_held.h): the keyed table, its changes and
 * the statements that send them.
 */
#include "store/postgres_held.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

void cc__held_init(struct cc__held_table *t, const struct cc__held_ops *ops)
{
	*t = (struct cc__held_table){ .ops = ops };
}

void cc__held_release(struct cc__held_table *t)
{
	if (!t)
		return;
	cc_free(t->rows);
	cc_free(t->change_of);
	cc_free(t->slots);
	cc_free(t->changes);
	cc_free(t->groups);
	cc__held_init(t, t->ops);
}

void *cc__held_find(const struct cc__held_table *t, const void *probe)
{
	size_t mask = t->n_slots - 1;

	if (!t->n_slots)
		return NULL;
	for (size_t i = (size_t)t->ops->hash(probe) & mask; t->slots[i]; i = (i + 1) & mask) {
		void *r = cc__held_row(t, t->slots[i] - 1);

		if (t->ops->same(r, probe))
			return r;
	}
	return NULL;
}

static void place(struct cc__held_table *t, size_t k)
{
	size_t mask = t->n_slots - 1, i = (size_t)t->ops->hash(cc__held_row(t, k)) & mask;

	while (t->slots[i])
		i = (i + 1) & mask;
	t->slots[i] = (uint32_t)(k + 1);
}

void *cc__held_add(struct cc__held_table *t, const void *row)
{
	size_t size = t->ops->row_size;
	void *r;

	if ((t->n_rows + 1) * 2 > t->n_slots) {
		size_t n = t->n_slots ? t->n_slots * 2 : 1024;
		uint32_t *sl;

		if (n > UINT32_MAX || !(sl = cc_alloc_array(n, sizeof(*sl))))
			return NULL;
		cc_free(t->slots);
		t->slots = sl;
		t->n_slots = n;
		for (size_t k = 0; k < t->n_rows; k++)
			place(t, k);
	}
	if (cc__grow((void **)&t->rows, &t->cap_rows, t->n_rows, size) < 0 ||
	    cc__grow((void **)&t->change_of, &t->cap_change_of, t->n_rows, sizeof(*t->change_of)) <
	            0)
		return NULL;
	r = cc__held_row(t, t->n_rows);
	memcpy(r, row, size);
	t->change_of[t->n_rows] = 0;
	place(t, t->n_rows++);
	return r;
}

enum cc__held_kind cc__held_kind_of(const struct cc__held_table *t, const void *row)
{
	uint32_t c = t->change_of[cc__held_index(t, row)];

	return c ? ((const struct cc__held_change *)cc__held_change(t, c - 1))->kind
	         : CC__HELD_NONE;
}

void *cc__held_mark(struct cc__held_table *t, const void *row, enum cc__held_kind kind)
{
	size_t k = cc__held_index(t, row), size = t->ops->change_size;
	struct cc__held_change *c;

	if (t->change_of[k]) {
		c = cc__held_change(t, t->change_of[k] - 1);
		if (c->kind == CC__HELD_SEEN && kind == CC__HELD_UPDATE)
			c->kind = CC__HELD_UPDATE; /* seen, then changed: the update carries both */
		return c;
	}
	if (t->n_changes >= UINT32_MAX ||
	    cc__grow((void **)&t->changes, &t->cap_changes, t->n_changes, size) < 0)
		return NULL;
	c = cc__held_change(t, t->n_changes);
	memset(c, 0, size);
	c->row = k;
	c->kind = kind;
	t->change_of[k] = (uint32_t)++t->n_changes;
	return c;
}

void cc__held_forget(struct cc__held_table *t)
{
	for (size_t i = 0; i < t->n_changes; i++)
		t->change_of[((struct cc__held_change *)cc__held_change(t, i))->row] = 0;
	t->n_changes = 0;
}

int cc__held_look_up(struct cc__held_table *t, int64_t id, int n_alone)
{
	struct cc__held_group *g = NULL;

	for (size_t i = 0; i < t->n_groups && !g; i++)
		if (t->groups[i].id == id)
			g = &t->groups[i];
	if (!g) {
		if (cc__grow((void **)&t->groups, &t->cap_groups, t->n_groups, sizeof(*t->groups)) <
		    0)
			return CC_ENOMEM;
		g = &t->groups[t->n_groups++];
		*g = (struct cc__held_group){ .id = id };
	}
	if (g->loaded)
		return CC__HELD_KNOWN;
	if (g->n_looked_up < n_alone) {
		g->n_looked_up++;
		return CC__HELD_READ_ONE;
	}
	g->loaded = true;
	return CC__HELD_READ_ALL;
}

uint64_t cc__held_natkey_hash(const void *row)
{
	const struct cc__held_natkey *k = row;
	uint64_t h;

	memcpy(&h, k->natkey, sizeof(h)); /* the key is a hash already */
	return h ^ ((uint64_t)k->source_id * 0x9e3779b97f4a7c15u);
}

bool cc__held_natkey_same(const void *row, const void *probe)
{
	const struct cc__held_natkey *a = row, *b = probe;

	return a->source_id == b->source_id && !memcmp(a->natkey, b->natkey, sizeof(a->natkey));
}

void *cc__held_find_natkey(const struct cc__held_table *t, int64_t source_id,
                           const unsigned char natkey[16])
{
	struct cc__held_natkey k = { .source_id = source_id };

	memcpy(k.natkey, natkey, sizeof(k.natkey));
	return cc__held_find(t, &k);
}

uint64_t cc__held_mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 1099511628211u;
}

uint64_t cc__held_mix_text(uint64_t h, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		h = cc__held_mix(h, *c);
	return cc__held_mix(h, 0xff); /* the end: ("ab", "c") is not ("a", "bc") */
}

void cc__held_hex16(const unsigned char v[16], char out[33])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 16; i++) {
		out[2 * i] = digits[v[i] >> 4];
		out[2 * i + 1] = digits[v[i] & 15];
	}
	out[32] = '\0';
}

/* ---- sending ---- */

void cc__held_batch_init(struct cc__held_batch *b)
{
	for (int k = 0; k < CC__PG_MAX_PARAMS; k++)
		cc_buf_init(&b->col[k], 0);
	b->n = 0;
}

void cc__held_batch_release(struct cc__held_batch *b)
{
	for (int k = 0; k < CC__PG_MAX_PARAMS; k++)
		cc_buf_release(&b->col[k]);
	b->n = 0;
}

void cc__held_batch_clear(struct cc__held_batch *b)
{
	for (int k = 0; k < CC__PG_MAX_PARAMS; k++)
		cc_buf_clear(&b->col[k]);
	b->n = 0;
}

/* n with a comma between thousands ("2,000"), as people read counts */
static void count_text(size_t n, char out[32])
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%zu", n), o = 0;

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

int cc__held_batch_send(struct cc_store *st, struct cc__held_batch *b, int n_cols, const char *sql,
                        const char *what, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_err cause = { 0 };
	char n[32];
	int ret = 0;

	if (!b->n)
		return 0;
	for (int k = 0; k < n_cols && ret == 0; k++) {
		if ((ret = cc__pg_arr_close(&b->col[k])) == 0)
			cc__pg_str(&p, b->col[k].buf);
	}
	if (ret < 0) {
		cc__held_batch_clear(b);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	ret = cc__pg_exec(st, sql, &p, false, NULL, &cause);
	count_text(b->n, n);
	cc__held_batch_clear(b);
	if (ret == 0)
		return 0;
	/* the statement that made these rows go is not the one that failed: say which did */
	ret = cc_err_wrap(err, &cause, "sending %s held %s", n, what);
	if (err)
		err->src = cause.src; /* where the server's answer was read */
	return ret;
}

/* Sends the changes [from, to) of t that statement s sends, through b. */
static int send_stmt(struct cc_store *st, const struct cc__held_table *t, size_t from, size_t to,
                     const struct cc__held_stmt *s, void *ctx, struct cc__held_batch *b,
                     struct cc_err *err)
{
	for (size_t i = from; i < to; i++) {
		const struct cc__held_change *c = cc__held_change(t, i);

		if (!(s->kinds & (1u << c->kind)))
			continue;
		b->n++;
		if (s->cols(ctx, c, b->col) < 0) {
			cc__held_batch_clear(b);
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		}
	}
	return cc__held_batch_send(st, b, s->n_cols, s->sql, s->what, err);
}

int cc__held_send(struct cc_store *st, const struct cc__held_table *t,
                  const struct cc__held_stmt *stmts, size_t n_stmts, void *ctx, struct cc_err *err)
{
	struct cc__held_batch b;
	int ret = 0;

	cc__held_batch_init(&b);
	for (size_t from = 0; from < t->n_changes && ret == 0; from += CC__HELD_SEND_ROWS) {
		size_t to = t->n_changes - from > CC__HELD_SEND_ROWS ? from + CC__HELD_SEND_ROWS
		                                                     : t->n_changes;

		for (size_t s = 0; s < n_stmts && ret == 0; s++)
			ret = send_stmt(st, t, from, to, &stmts[s], ctx, &b, err);
	}
	cc__held_batch_release(&b);
	return ret;
}

/* The rows d holds, or new ones: 0 with *held_out set, or an error. */
static int held_get(struct cc_store *st, const struct cc__held_domain *d, void **held_out,
                    struct cc_err *err)
{
	struct cc__held_table *t;
	PGresult *res = NULL;
	int ret;

	if ((*held_out = cc__pg_unhold(st, d->holder)))
		return 0;
	if ((ret = cc__pg_exec(st, d->lock_sql, NULL, false, NULL, err)) < 0 ||
	    (ret = cc__pg_exec(st, d->max_sql, NULL, false, &res, err)) < 0)
		return ret;
	if (!(t = cc_alloc_array(1, d->size))) {
		PQclear(res);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	cc__held_init(t, d->ops);
	t->next_id = cc__pg_col_i64(res, 0, 0) + 1;
	PQclear(res);
	if (d->made && (ret = d->made(t, err)) < 0) {
		d->holder->drop(t);
		return ret;
	}
	*held_out = t;
	return 0;
}

int cc__held_put(struct cc_store *st, const struct cc__held_domain *d, cc__held_put_fn *put,
                 void *row, int64_t batch, enum cc_put_result *res_out, long *dup_line_out,
                 struct cc_err *err)
{
	void *held = NULL;
	bool own;
	int ret;

	if (dup_line_out)
		*dup_line_out = 0;
	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = held_get(st, d, &held, err)) == 0) {
		if ((ret = put(st, held, row, batch, res_out, dup_line_out, err)) < 0)
			d->holder->drop(held); /* the transaction fails with it */
		else
			ret = cc__pg_hold(st, d->holder, held, err);
	}
	/* a write of its own sends its rows now */
	if (own && ret == 0)
		ret = cc__pg_flush(st, err);
	return cc__pg_tx_leave(st, own, ret, err);
}

/* ---- array literals (postgres_int.h) ---- */

static int arr_sep(struct cc_buf *b)
{
	return cc_buf_addch(b, b->len ? ',' : '{');
}

int cc__pg_arr_text(struct cc_buf *b, const char *v)
{
	int ret = arr_sep(b);

	if (ret < 0)
		return ret;
	if (!v || !*v)
		return cc_buf_addf(b, "NULL");
	if ((ret = cc_buf_addch(b, '"')) < 0)
		return ret;
	for (; *v && ret == 0; v++)
		ret = (*v == '"' || *v == '\\') ? cc_buf_addf(b, "\\%c", *v) : cc_buf_addch(b, *v);
	return ret < 0 ? ret : cc_buf_addch(b, '"');
}

int cc__pg_arr_i64(struct cc_buf *b, int64_t v, bool null)
{
	int ret = arr_sep(b);

	if (ret < 0)
		return ret;
	return null ? cc_buf_addf(b, "NULL") : cc_buf_addf(b, "%lld", (long long)v);
}

int cc__pg_arr_num(struct cc_buf *b, double v)
{
	int ret = arr_sep(b);

	if (ret < 0)
		return ret;
	return isnan(v) ? cc_buf_addf(b, "NULL") : cc_buf_addf(b, "%.17g", v);
}

int cc__pg_arr_close(struct cc_buf *b)
{
	return b->len ? cc_buf_addch(b, '}') : cc_buf_addf(b, "{}");
}
