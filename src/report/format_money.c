/*
 * `concord money` and GET /api/money: every amount of money of the mission — 3W budgets and
 * IATI budgets, planned disbursements and transactions — converted into the reporting currency,
 * with the rates used and the amounts that could not be converted (money.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/activities.h>
#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/iati.h>
#include <concord/money.h>
#include <concord/report.h>
#include <concord/text.h>

#include "core/banned.h"

static const char *const kind_label[CC_MONEY_N] = {
	[CC_MONEY_3W] = "3W budgets",
	[CC_MONEY_IATI_BUDGET] = "IATI budgets",
	[CC_MONEY_IATI_PLANNED] = "IATI planned disbursements",
	[CC_MONEY_IATI_COMMIT] = "IATI commitments",
	[CC_MONEY_IATI_DISB] = "IATI disbursements",
	[CC_MONEY_IATI_EXP] = "IATI expenditures",
};

const char *cc_money_kind_label(enum cc_money_kind k)
{
	return k < CC_MONEY_N ? kind_label[k] : "?";
}

/* ---- reading ---- */

struct items {
	struct cc_money_item *v;
	size_t n, cap;
};

static int add_item(struct items *it, enum cc_money_kind k, double value, const char *currency,
                    int32_t date, const char *where)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 256;
		struct cc_money_item *p = cc_realloc(it->v, cap * sizeof(*p));

		if (!p)
			return CC_ENOMEM;
		it->v = p;
		it->cap = cap;
	}
	it->v[it->n] =
	        (struct cc_money_item){ .kind = k, .a = { .value = value, .value_date = date } };
	snprintf(it->v[it->n].a.currency, sizeof(it->v[it->n].a.currency), "%.3s",
	         currency ? currency : "");
	snprintf(it->v[it->n].where, sizeof(it->v[it->n].where), "%s", where);
	it->n++;
	return 0;
}

static int load_3w(struct cc_store *st, int64_t mission_id, struct items *it, struct cc_err *err)
{
	struct cc_activity_query q = { .mission_id = mission_id,
		                       .pillar = -1,
		                       .kind = -1,
		                       .from = CC_DATE_NONE,
		                       .to = CC_DATE_NONE,
		                       .limit = 1000 };
	int ret;

	for (;;) {
		struct cc_activity_page page = { 0 };

		if ((ret = cc_store_list_activities(st, &q, &page, err)) < 0)
			return ret;
		for (size_t i = 0; i < page.n_rows && ret == 0; i++) {
			const struct cc_activity_row *r = &page.rows[i];
			char where[300];

			if (isnan(r->budget))
				continue;
			snprintf(where, sizeof(where), "%s:%ld", r->source, r->line);
			/* a 3W row has no value date: its budget is valued at the activity's start
			 */
			ret = add_item(it, CC_MONEY_3W, r->budget, r->currency, r->start_date,
			               where);
		}
		q.after = page.next_after;
		cc_activity_page_release(&page);
		if (ret < 0)
			return cc_err_set(err, ret, "out of memory");
		if (!q.after)
			return 0;
	}
}

static int each_iati(void *ctx, const struct cc_iati_activity *a, struct cc_err *err)
{
	struct items *it = ctx;
	int ret = 0;

	for (size_t i = 0; i < a->n_budgets && ret == 0; i++) {
		const struct cc_iati_budget *b = &a->budgets[i];
		int32_t d = b->value_date != CC_DATE_NONE ? b->value_date : b->period_start;

		ret = add_item(it,
		               b->kind == CC_IATI_BUDGET ? CC_MONEY_IATI_BUDGET
		                                         : CC_MONEY_IATI_PLANNED,
		               b->value, b->currency[0] ? b->currency : a->default_currency, d,
		               a->identifier);
	}
	for (size_t i = 0; i < a->n_transactions && ret == 0; i++) {
		const struct cc_iati_transaction *t = &a->transactions[i];
		int32_t d = t->value_date != CC_DATE_NONE ? t->value_date : t->date;
		enum cc_money_kind k = strcmp(t->type, "2") == 0   ? CC_MONEY_IATI_COMMIT
		                       : strcmp(t->type, "3") == 0 ? CC_MONEY_IATI_DISB
		                       : strcmp(t->type, "4") == 0 ? CC_MONEY_IATI_EXP
		                                                   : CC_MONEY_N;

		if (k == CC_MONEY_N || isnan(t->value))
			continue;
		ret = add_item(it, k, t->value, t->currency[0] ? t->currency : a->default_currency,
		               d, a->identifier);
	}
	if (ret < 0)
		return cc_err_set(err, ret, "out of memory");
	return 0;
}

int cc_money_report_load(struct cc_store *st, const char *mission, const char *currency,
                         int tolerance_days, struct cc_money_report *out, struct cc_err *err)
{
	struct cc_rates rates = { 0 };
	struct items it = { 0 };
	struct cc_amount *as = NULL;
	struct cc_mission m;
	int have_tol = CC_FX_TOLERANCE_DAYS, ret;
	char cur[4] = "";

	memset(out, 0, sizeof(*out));
	if (currency) {
		bool ok = strlen(currency) == 3;

		for (int i = 0; ok && i < 3; i++) {
			char c = currency[i];

			ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
			cur[i] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
		}
		if (!ok) {
			cc_err_set(err, CC_EUSAGE, "currency: '%s' is not a currency code",
			           currency);
			cc_err_at(err, NULL, 0, "currency");
			return CC_EUSAGE;
		}
		cur[3] = '\0';
	}
	if ((ret = cc_store_get_mission(st, mission, &m, err)) < 0)
		return ret;
	ret = cc_store_get_money(st, m.id, currency ? (char[4]){ 0 } : cur, &have_tol, err);
	if (ret < 0 && !(ret == CC_ENOTFOUND && currency))
		return ret;
	cc_err_clear(err);
	snprintf(out->mission, sizeof(out->mission), "%s", m.code);
	memcpy(out->currency, cur, sizeof(cur));
	out->tolerance_days = tolerance_days >= 0 ? tolerance_days : have_tol;
	if ((ret = cc_store_load_rates(st, NULL, &rates, err)) < 0 ||
	    (ret = load_3w(st, m.id, &it, err)) < 0 ||
	    (ret = cc_store_each_iati_activity(st, m.id, each_iati, &it, err)) < 0)
		goto out_free;
	out->items = it.v;
	out->n_items = it.n;
	it.v = NULL;
	if (!(as = cc_alloc_array(out->n_items + 1, sizeof(*as)))) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	for (int k = 0; k < CC_MONEY_N; k++) {
		size_t n = 0;

		for (size_t i = 0; i < out->n_items; i++)
			if (out->items[i].kind == (enum cc_money_kind)k)
				as[n++] = out->items[i].a;
		out->n_per_kind[k] = n;
		if (n)
			cc_money_sum(&rates, as, n, out->currency, out->tolerance_days, NULL,
			             &out->totals[k]);
	}
	for (size_t i = 0; i < out->n_items; i++)
		cc_money_convert(&rates, &out->items[i].a, out->currency, out->tolerance_days,
		                 &out->items[i].fx);
out_free:
	cc_free(as);
	cc_free(it.v);
	cc_rates_release(&rates);
	if (ret < 0)
		cc_money_report_release(out);
	return ret;
}

void cc_money_report_release(struct cc_money_report *r)
{
	if (!r)
		return;
	cc_free(r->items);
	memset(r, 0, sizeof(*r));
}

/* ---- writing ---- */

static const char *day_text(int32_t d, char buf[static 11])
{
	if (d == CC_DATE_NONE) {
		snprintf(buf, 11, "-");
		return buf;
	}
	return cc_date_format(d, buf);
}

static int add_leg(struct cc_buf *b, const struct cc_fx_leg *l)
{
	char d[11];

	if (l->date == CC_DATE_NONE)
		return cc_buf_addf(b, "%s 1", l->currency);
	if (l->kind == CC_RATE_ANNUAL)
		return cc_buf_addf(b, "%s %g (annual average %.4s)", l->currency, l->per_eur,
		                   day_text(l->date, d));
	return cc_buf_addf(b, "%s %g of %s", l->currency, l->per_eur, day_text(l->date, d));
}

static int money_table(const struct cc_money_report *r, bool show_rates, struct cc_buf *b)
{
	int ret = cc_buf_addf(b,
	                      "Money of mission %s in %s (rates at the value date, or up to %d "
	                      "days before)\n",
	                      r->mission, r->currency, r->tolerance_days);

	for (int k = 0; k < CC_MONEY_N && ret == 0; k++) {
		const struct cc_money_total *t = &r->totals[k];
		char d1[11], d2[11];

		if (!r->n_per_kind[k])
			continue;
		ret = cc_buf_addf(b, "  %-28s %18.2f %s  %zu converted, %zu not", kind_label[k],
		                  t->total, r->currency, t->n_converted, t->n_unconverted);
		if (ret == 0 && t->first_rate != CC_DATE_NONE)
			ret = cc_buf_addf(b, "; daily rates of %s..%s", day_text(t->first_rate, d1),
			                  day_text(t->last_rate, d2));
		if (ret == 0 && t->n_annual)
			ret = cc_buf_addf(b, "; %zu by annual averages", t->n_annual);
		if (ret == 0)
			ret = cc_buf_addch(b, '\n');
	}
	for (int pass = 0; pass < 2 && ret == 0; pass++) {
		bool first = true;

		if (pass == 0 && !show_rates)
			continue;
		for (size_t i = 0; i < r->n_items && ret == 0; i++) {
			const struct cc_money_item *x = &r->items[i];
			char d[11];

			if ((x->fx.status == CC_FX_OK) != (pass == 0))
				continue;
			if (first)
				ret = cc_buf_adds(b,
				                  pass == 0 ? "Converted:\n" : "Not converted:\n");
			first = false;
			if (ret == 0)
				ret = cc_buf_addf(b, "  %s %s: %.2f %s of %s", kind_label[x->kind],
				                  x->where, x->a.value,
				                  x->a.currency[0] ? x->a.currency
				                                   : "(no currency)",
				                  day_text(x->a.value_date, d));
			if (ret < 0)
				break;
			if (pass == 1) {
				ret = cc_buf_addf(b, ": %s%s%s\n", cc_fx_status_text(x->fx.status),
				                  x->fx.missing[0] ? " " : "", x->fx.missing);
				continue;
			}
			ret = cc_buf_addf(b, " = %.2f %s", x->fx.value, r->currency);
			if (ret == 0 && !x->fx.same) {
				if ((ret = cc_buf_adds(b, " (")) == 0 &&
				    (ret = add_leg(b, &x->fx.from)) == 0 &&
				    (ret = cc_buf_adds(b, ", ")) == 0 &&
				    (ret = add_leg(b, &x->fx.to)) == 0)
					ret = cc_buf_adds(b, " per EUR)");
			}
			if (ret == 0)
				ret = cc_buf_addch(b, '\n');
		}
	}
	return ret;
}

static int money_csv(const struct cc_money_report *r, struct cc_buf *b)
{
	int ret = cc_buf_adds(b, "kind,total,currency,converted,not_converted,first_rate,"
	                         "last_rate,annual_averages\n");

	for (int k = 0; k < CC_MONEY_N && ret == 0; k++) {
		const struct cc_money_total *t = &r->totals[k];
		char d1[11], d2[11];

		if (!r->n_per_kind[k])
			continue;
		if ((ret = cc_buf_add_csv(b, kind_label[k])) == 0)
			ret = cc_buf_addf(
			        b, ",%.2f,%s,%zu,%zu,%s,%s,%zu\n", t->total, r->currency,
			        t->n_converted, t->n_unconverted,
			        t->first_rate == CC_DATE_NONE ? "" : day_text(t->first_rate, d1),
			        t->last_rate == CC_DATE_NONE ? "" : day_text(t->last_rate, d2),
			        t->n_annual);
	}
	return ret;
}

/* A day as a JSON string, or null. */
static int json_day(struct cc_buf *b, int32_t d)
{
	char s[11];

	return d == CC_DATE_NONE ? cc_buf_adds(b, "null")
	                         : cc_buf_addf(b, "\"%s\"", cc_date_format(d, s));
}

static int json_leg(struct cc_buf *b, const struct cc_fx_leg *l)
{
	int ret = cc_buf_addf(b, "{\"currency\":\"%s\",\"per_eur\":%.12g,\"kind\":\"%s\",\"date\":",
	                      l->currency, l->per_eur,
	                      l->date == CC_DATE_NONE     ? "euro"
	                      : l->kind == CC_RATE_ANNUAL ? "annual"
	                                                  : "daily");

	return ret < 0 ? ret : (ret = json_day(b, l->date)) < 0 ? ret : cc_buf_addch(b, '}');
}

static int money_json(const struct cc_money_report *r, struct cc_buf *b)
{
	int ret = cc_buf_adds(b, "{\"mission\":");
	bool first = true;

	if (ret == 0 && (ret = cc_buf_add_json_str(b, r->mission)) == 0)
		ret = cc_buf_addf(b, ",\"currency\":\"%s\",\"tolerance_days\":%d,\"totals\":[",
		                  r->currency, r->tolerance_days);
	for (int k = 0; k < CC_MONEY_N && ret == 0; k++) {
		const struct cc_money_total *t = &r->totals[k];

		if (!r->n_per_kind[k])
			continue;
		if ((ret = cc_buf_addf(b,
		                       "%s{\"kind\":\"%s\",\"total\":%.2f,\"converted\":%zu,"
		                       "\"not_converted\":%zu,\"first_rate\":",
		                       first ? "" : ",", kind_label[k], t->total, t->n_converted,
		                       t->n_unconverted)) < 0 ||
		    (ret = json_day(b, t->first_rate)) < 0 ||
		    (ret = cc_buf_adds(b, ",\"last_rate\":")) < 0 ||
		    (ret = json_day(b, t->last_rate)) < 0)
			break;
		ret = cc_buf_addf(b, ",\"annual_averages\":%zu}", t->n_annual);
		first = false;
	}
	for (int pass = 0; pass < 2 && ret == 0; pass++) {
		ret = cc_buf_adds(b, pass == 0 ? "],\"converted\":[" : "],\"not_converted\":[");
		first = true;
		for (size_t i = 0; i < r->n_items && ret == 0; i++) {
			const struct cc_money_item *x = &r->items[i];

			if ((x->fx.status == CC_FX_OK) != (pass == 0))
				continue;
			if ((ret = cc_buf_addf(b, "%s{\"kind\":\"%s\",\"where\":", first ? "" : ",",
			                       kind_label[x->kind])) < 0 ||
			    (ret = cc_buf_add_json_str(b, x->where)) < 0 ||
			    (ret = cc_buf_addf(b, ",\"value\":%.12g,\"currency\":", x->a.value)) <
			            0 ||
			    (ret = x->a.currency[0] ? cc_buf_add_json_str(b, x->a.currency)
			                            : cc_buf_adds(b, "null")) < 0 ||
			    (ret = cc_buf_adds(b, ",\"value_date\":")) < 0 ||
			    (ret = json_day(b, x->a.value_date)) < 0)
				break;
			first = false;
			if (pass == 1) {
				ret = cc_buf_addf(b, ",\"reason\":\"%s\",\"missing\":",
				                  cc_fx_status_text(x->fx.status));
				if (ret == 0)
					ret = x->fx.missing[0]
					              ? cc_buf_add_json_str(b, x->fx.missing)
					              : cc_buf_adds(b, "null");
				if (ret == 0)
					ret = cc_buf_addch(b, '}');
				continue;
			}
			ret = cc_buf_addf(b, ",\"converted\":%.12g,\"rate\":%.12g,\"from\":",
			                  x->fx.value, x->fx.same ? 1.0 : x->fx.rate);
			if (ret == 0)
				ret = x->fx.same ? cc_buf_adds(b, "null")
				                 : json_leg(b, &x->fx.from);
			if (ret == 0)
				ret = cc_buf_adds(b, ",\"to\":");
			if (ret == 0)
				ret = x->fx.same ? cc_buf_adds(b, "null") : json_leg(b, &x->fx.to);
			if (ret == 0)
				ret = cc_buf_addch(b, '}');
		}
	}
	if (ret == 0)
		ret = cc_buf_adds(b, "]}\n");
	return ret;
}

int cc_money_report_format(const struct cc_money_report *r, int fmt, bool show_rates,
                           struct cc_buf *out, struct cc_err *err)
{
	int ret = fmt == CC_FORMAT_CSV    ? money_csv(r, out)
	          : fmt == CC_FORMAT_JSON ? money_json(r, out)
	                                  : money_table(r, show_rates, out);

	if (ret < 0)
		return cc_err_set(err, ret,
		                  ret == CC_ENOMEM ? "out of memory"
		                                   : "the money report is too large");
	return 0;
}
