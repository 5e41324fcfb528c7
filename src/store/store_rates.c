/* The public face of the rates domain: checks, then the backend's table. */
#include <concord/money.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>

#include "store/backend.h"
#include "store/ops_rates.h"

#include "core/banned.h"

static const struct cc__rates_ops *ops(struct cc_store *st, struct cc_err *err)
{
	if (!st->ops->rates)
		cc_err_set(err, CC_EUNSUPPORTED, "this store backend has no exchange rates");
	return st->ops->rates;
}

/* Upper-cases a three-letter code into out; false when s is not one. */
static bool code3(const char *s, char out[static 4])
{
	if (!s)
		return false;
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

int cc_store_put_rate(struct cc_store *st, const struct cc_rate *r, const char *source,
                      enum cc_put_result *res_out, struct cc_err *err)
{
	const struct cc__rates_ops *o = ops(st, err);
	struct cc_rate c = *r;

	if (!o)
		return CC_EUNSUPPORTED;
	if (!code3(r->currency, c.currency) || strcmp(c.currency, "EUR") == 0)
		return cc_err_set(err, CC_EINVALID, "'%s' is not a currency code other than EUR",
		                  r->currency);
	if (!(r->per_eur > 0) || !isfinite(r->per_eur))
		return cc_err_set(err, CC_EINVALID, "rate %g of %s is not a positive number",
		                  r->per_eur, c.currency);
	if (r->date == CC_DATE_NONE)
		return cc_err_set(err, CC_EINVALID, "a rate of %s without a date", c.currency);
	return o->put_rate(st, &c, source, res_out, err);
}

int cc_store_load_rates(struct cc_store *st, const char *const *currencies,
                        struct cc_rates *out, struct cc_err *err)
{
	const struct cc__rates_ops *o = ops(st, err);
	struct cc_rates all = { 0 };
	int ret;

	out->rates = NULL;
	out->n = 0;
	if (!o)
		return CC_EUNSUPPORTED;
	if (!currencies)
		return o->load_rates(st, NULL, out, err);
	for (size_t i = 0; currencies[i]; i++) {
		struct cc_rates one = { 0 };
		struct cc_rate *p;
		char cur[4];

		if (!code3(currencies[i], cur))
			continue;
		if ((ret = o->load_rates(st, cur, &one, err)) < 0)
			goto out_fail;
		if (!one.n)
			continue;
		p = cc_realloc(all.rates, (all.n + one.n) * sizeof(*p));
		if (!p) {
			cc_rates_release(&one);
			ret = cc_err_set(err, CC_ENOMEM, "out of memory loading rates");
			goto out_fail;
		}
		memcpy(p + all.n, one.rates, one.n * sizeof(*p));
		all.rates = p;
		all.n += one.n;
		cc_rates_release(&one);
	}
	cc_rates_sort(&all);
	*out = all;
	return 0;
out_fail:
	cc_rates_release(&all);
	return ret;
}

int cc_store_get_money(struct cc_store *st, int64_t mission_id, char currency[static 4],
                       int *tolerance_days_out, struct cc_err *err)
{
	const struct cc__rates_ops *o = ops(st, err);

	currency[0] = '\0';
	if (tolerance_days_out)
		*tolerance_days_out = CC_FX_TOLERANCE_DAYS;
	if (!o)
		return CC_EUNSUPPORTED;
	return o->get_money(st, mission_id, currency, tolerance_days_out, err);
}

int cc_store_set_money(struct cc_store *st, int64_t mission_id, const char *currency,
                       int tolerance_days, struct cc_err *err)
{
	const struct cc__rates_ops *o = ops(st, err);
	char cur[4];

	if (!o)
		return CC_EUNSUPPORTED;
	if (!code3(currency, cur))
		return cc_err_set(err, CC_EINVALID,
		                  "currency '%s' is not an ISO 4217 code (three letters, e.g. USD)",
		                  currency ? currency : "");
	if (tolerance_days < 0 || tolerance_days > 31)
		return cc_err_set(err, CC_EINVALID, "rate tolerance %d is not 0..31 days",
		                  tolerance_days);
	return o->set_money(st, mission_id, cur, tolerance_days, err);
}
