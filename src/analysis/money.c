/* Conversion of amounts between currencies through the euro (see <concord/money.h>). */
#include <concord/money.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/banned.h"

const char *cc_fx_status_text(enum cc_fx_status s)
{
	switch (s) {
	case CC_FX_OK:
		return "converted";
	case CC_FX_NO_CURRENCY:
		return "no currency";
	case CC_FX_NO_DATE:
		return "no value date";
	case CC_FX_UNKNOWN_CURRENCY:
		return "unknown currency";
	case CC_FX_NO_RATE:
		return "no rate near the date";
	}
	return "?";
}

static int cmp_key(const char *cur_a, enum cc_rate_kind ka, int32_t da, const char *cur_b,
                   enum cc_rate_kind kb, int32_t db)
{
	int c = strcmp(cur_a, cur_b);

	if (c)
		return c;
	if (ka != kb)
		return ka < kb ? -1 : 1;
	return da < db ? -1 : da > db;
}

static int cmp_rate(const void *a, const void *b)
{
	const struct cc_rate *x = a, *y = b;

	return cmp_key(x->currency, x->kind, x->date, y->currency, y->kind, y->date);
}

void cc_rates_sort(struct cc_rates *r)
{
	if (r->n > 1)
		qsort(r->rates, r->n, sizeof(r->rates[0]), cmp_rate);
}

void cc_rates_release(struct cc_rates *r)
{
	if (!r)
		return;
	cc_free(r->rates);
	r->rates = NULL;
	r->n = 0;
}

/* Three letters A–Z after upper-casing into out; false otherwise. */
static bool currency_code(const char *s, char out[static 4])
{
	for (int i = 0; i < 3; i++) {
		char ch = s[i];

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch < 'A' || ch > 'Z')
			return false;
		out[i] = ch;
	}
	out[3] = '\0';
	return s[3] == '\0';
}

/* Index of the first rate not before (currency, kind, day). */
static size_t lower_bound(const struct cc_rates *r, const char *cur, enum cc_rate_kind kind,
                          int32_t day)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cc_rate *m = &r->rates[mid];

		if (cmp_key(m->currency, m->kind, m->date, cur, kind, day) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void leg_of(const struct cc_rate *rt, struct cc_fx_leg *out)
{
	memcpy(out->currency, rt->currency, sizeof(out->currency));
	out->kind = rt->kind;
	out->date = rt->date;
	out->per_eur = rt->per_eur;
}

enum cc_fx_status cc_rates_find(const struct cc_rates *r, const char *currency, int32_t day,
                                int tolerance_days, struct cc_fx_leg *out)
{
	char cur[4];
	size_t i;
	int y, m, d;

	if (!currency_code(currency, cur))
		return CC_FX_UNKNOWN_CURRENCY;
	if (strcmp(cur, "EUR") == 0) {
		*out = (struct cc_fx_leg){ .currency = "EUR", .kind = CC_RATE_DAILY,
			                   .date = CC_DATE_NONE, .per_eur = 1.0 };
		return CC_FX_OK;
	}
	/* any rate of this currency at all? (the first one at or after its smallest key) */
	i = lower_bound(r, cur, CC_RATE_DAILY, INT32_MIN);
	if (i == r->n || strcmp(r->rates[i].currency, cur) != 0)
		return CC_FX_UNKNOWN_CURRENCY;
	/* the last daily fixing on or before day */
	i = lower_bound(r, cur, CC_RATE_DAILY, day == INT32_MAX ? day : day + 1);
	if (i > 0) {
		const struct cc_rate *p = &r->rates[i - 1];

		if (strcmp(p->currency, cur) == 0 && p->kind == CC_RATE_DAILY &&
		    (int64_t)day - p->date <= tolerance_days) {
			leg_of(p, out);
			return CC_FX_OK;
		}
	}
	/* the annual average of day's year */
	cc_date_to_ymd(day, &y, &m, &d);
	i = lower_bound(r, cur, CC_RATE_ANNUAL, cc_date_from_ymd(y, 1, 1));
	if (i < r->n && strcmp(r->rates[i].currency, cur) == 0 &&
	    r->rates[i].kind == CC_RATE_ANNUAL && r->rates[i].date == cc_date_from_ymd(y, 1, 1)) {
		leg_of(&r->rates[i], out);
		return CC_FX_OK;
	}
	return CC_FX_NO_RATE;
}

enum cc_fx_status cc_money_convert(const struct cc_rates *r, const struct cc_amount *a,
                                   const char *to, int tolerance_days, struct cc_fx *out)
{
	char from[4], target[4];
	enum cc_fx_status s;

	memset(out, 0, sizeof(*out));
	out->value = out->rate = NAN;
	if (!a->currency[0])
		return out->status = CC_FX_NO_CURRENCY;
	if (!currency_code(a->currency, from)) {
		snprintf(out->missing, sizeof(out->missing), "%.3s", a->currency);
		return out->status = CC_FX_UNKNOWN_CURRENCY;
	}
	if (!currency_code(to, target)) {
		snprintf(out->missing, sizeof(out->missing), "%.3s", to);
		return out->status = CC_FX_UNKNOWN_CURRENCY;
	}
	if (strcmp(from, target) == 0) {
		out->same = true;
		out->value = a->value;
		out->rate = 1.0;
		return out->status = CC_FX_OK;
	}
	if (a->value_date == CC_DATE_NONE)
		return out->status = CC_FX_NO_DATE;
	s = cc_rates_find(r, from, a->value_date, tolerance_days, &out->from);
	if (s != CC_FX_OK) {
		memcpy(out->missing, from, sizeof(from));
		return out->status = s;
	}
	s = cc_rates_find(r, target, a->value_date, tolerance_days, &out->to);
	if (s != CC_FX_OK) {
		memcpy(out->missing, target, sizeof(target));
		return out->status = s;
	}
	out->rate = out->to.per_eur / out->from.per_eur;
	out->value = a->value / out->from.per_eur * out->to.per_eur;
	return out->status = CC_FX_OK;
}

static void note_leg(struct cc_money_total *t, const struct cc_fx_leg *l, bool *annual)
{
	if (l->date == CC_DATE_NONE)
		return;
	if (l->kind == CC_RATE_ANNUAL) {
		*annual = true;
		return;
	}
	if (t->first_rate == CC_DATE_NONE || l->date < t->first_rate)
		t->first_rate = l->date;
	if (t->last_rate == CC_DATE_NONE || l->date > t->last_rate)
		t->last_rate = l->date;
}

void cc_money_sum(const struct cc_rates *r, const struct cc_amount *a, size_t n, const char *to,
                  int tolerance_days, struct cc_fx *fx, struct cc_money_total *out)
{
	memset(out, 0, sizeof(*out));
	if (!currency_code(to, out->currency))
		snprintf(out->currency, sizeof(out->currency), "%.3s", to);
	out->first_rate = out->last_rate = CC_DATE_NONE;
	for (size_t i = 0; i < n; i++) {
		struct cc_fx one;
		bool annual = false;

		cc_money_convert(r, &a[i], to, tolerance_days, &one);
		if (fx)
			fx[i] = one;
		if (one.status != CC_FX_OK) {
			out->n_unconverted++;
			continue;
		}
		out->total += one.value;
		out->n_converted++;
		if (!one.same) {
			note_leg(out, &one.from, &annual);
			note_leg(out, &one.to, &annual);
		}
		out->n_annual += annual;
	}
}
