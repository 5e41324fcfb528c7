/*
 * concord mission show|set: the mission's settings (its reporting currency);
 * concord money: every stored amount of money converted to the reporting currency, with the
 * rates used and the amounts that could not be converted.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/activities.h>
#include <concord/alloc.h>
#include <concord/iati.h>
#include <concord/money.h>
#include <concord/text.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

int cmd_mission(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "currency", required_argument, NULL, 'c' },
		{ "rate-tolerance", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *currency = NULL, *sub;
	struct cc_err err = { 0 };
	struct cc_mission m;
	char cur[4];
	int opt, tol = -1, have_tol, ret;
	int64_t v;

	if (argc < 2)
		return cli_usage(cli, "give show or set");
	sub = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			currency = optarg;
			break;
		case 't':
			if (cc_parse_i64(optarg, 0, 31, &v, &err) < 0)
				return cli_usage(cli, "--rate-tolerance: '%s' is not 0..31 days",
				                 optarg);
			tol = (int)v;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, &err)) < 0)
		return cli_fail(&err);
	ret = cc_store_get_money(cli->st, m.id, cur, &have_tol, &err);
	if (ret < 0 && ret != CC_ENOTFOUND)
		return cli_fail(&err);
	cc_err_clear(&err);
	if (strcmp(sub, "show") == 0) {
		if (currency || tol >= 0)
			return cli_usage(cli, "mission show takes no options");
		printf("mission: %s\nname: %s\ncountry: %s\n", m.code, m.name, m.country);
		printf("reporting currency: %s\nrate tolerance: %d days\n",
		       ret == 0 ? cur : "(none: concord mission set --currency CODE)", have_tol);
		return CLI_OK;
	}
	if (strcmp(sub, "set") != 0)
		return cli_usage(cli, "unknown subcommand '%s' (show, set)", sub);
	if (!currency && ret != 0)
		return cli_usage(cli, "give --currency CODE (the mission has none yet)");
	if (!currency && tol < 0)
		return cli_usage(cli, "give --currency CODE or --rate-tolerance DAYS");
	if ((ret = cc_store_begin(cli->st, &err)) < 0 ||
	    (ret = cc_store_set_money(cli->st, m.id, currency ? currency : cur,
	                              tol >= 0 ? tol : have_tol, &err)) < 0 ||
	    (ret = cc_store_log_change(cli->st,
	                               &(struct cc_change){ .table = "mission_money",
	                                                    .op = "update", .mission_id = m.id,
	                                                    .detail = currency ? currency : cur,
	                                                    .count = 1 },
	                               &err)) < 0 ||
	    (ret = cc_store_commit(cli->st, &err)) < 0) {
		cc_store_rollback(cli->st);
		if (ret == CC_EINVALID)
			return cli_usage(cli, "%s", err.msg);
		return cli_fail(&err);
	}
	ret = cc_store_get_money(cli->st, m.id, cur, &have_tol, &err);
	if (ret < 0)
		return cli_fail(&err);
	printf("mission %s reports money in %s (rates up to %d days before the value date)\n",
	       m.code, cur, have_tol);
	return CLI_OK;
}

/* ---- concord money ---- */

enum line_kind { LK_3W, LK_IATI_BUDGET, LK_IATI_PLANNED, LK_IATI_COMMIT, LK_IATI_DISB,
	         LK_IATI_EXP, LK_N };

static const char *const kind_label[LK_N] = {
	[LK_3W] = "3W budgets",
	[LK_IATI_BUDGET] = "IATI budgets",
	[LK_IATI_PLANNED] = "IATI planned disbursements",
	[LK_IATI_COMMIT] = "IATI commitments",
	[LK_IATI_DISB] = "IATI disbursements",
	[LK_IATI_EXP] = "IATI expenditures",
};

/* One amount and where it comes from. */
struct item {
	enum line_kind kind;
	struct cc_amount a;
	char where[300]; /* "source:line" or the IATI identifier */
};

struct items {
	struct item *v;
	size_t n, cap;
};

static int add_item(struct items *it, enum line_kind k, double value, const char *currency,
                    int32_t date, const char *where)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 256;
		struct item *p = cc_realloc(it->v, cap * sizeof(*p));

		if (!p)
			return CC_ENOMEM;
		it->v = p;
		it->cap = cap;
	}
	it->v[it->n] = (struct item){ .kind = k, .a = { .value = value, .value_date = date } };
	snprintf(it->v[it->n].a.currency, sizeof(it->v[it->n].a.currency), "%.3s",
	         currency ? currency : "");
	snprintf(it->v[it->n].where, sizeof(it->v[it->n].where), "%s", where);
	it->n++;
	return 0;
}

static int load_3w(struct cli *cli, int64_t mission_id, struct items *it, struct cc_err *err)
{
	struct cc_activity_query q = { .mission_id = mission_id, .pillar = -1, .kind = -1,
		                       .from = CC_DATE_NONE, .to = CC_DATE_NONE, .limit = 1000 };
	int ret;

	for (;;) {
		struct cc_activity_page page = { 0 };

		if ((ret = cc_store_list_activities(cli->st, &q, &page, err)) < 0)
			return ret;
		for (size_t i = 0; i < page.n_rows && ret == 0; i++) {
			const struct cc_activity_row *r = &page.rows[i];
			char where[300];

			if (isnan(r->budget))
				continue;
			snprintf(where, sizeof(where), "%s:%ld", r->source, r->line);
			/* a 3W row has no value date: its budget is valued at the activity's start */
			ret = add_item(it, LK_3W, r->budget, r->currency, r->start_date, where);
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

		ret = add_item(it, b->kind == CC_IATI_BUDGET ? LK_IATI_BUDGET : LK_IATI_PLANNED,
		               b->value, b->currency[0] ? b->currency : a->default_currency, d,
		               a->identifier);
	}
	for (size_t i = 0; i < a->n_transactions && ret == 0; i++) {
		const struct cc_iati_transaction *t = &a->transactions[i];
		int32_t d = t->value_date != CC_DATE_NONE ? t->value_date : t->date;
		enum line_kind k = strcmp(t->type, "2") == 0   ? LK_IATI_COMMIT
		                   : strcmp(t->type, "3") == 0 ? LK_IATI_DISB
		                   : strcmp(t->type, "4") == 0 ? LK_IATI_EXP
		                                               : LK_N;

		if (k == LK_N || isnan(t->value))
			continue;
		ret = add_item(it, k, t->value, t->currency[0] ? t->currency : a->default_currency,
		               d, a->identifier);
	}
	if (ret < 0)
		return cc_err_set(err, ret, "out of memory");
	return 0;
}

static const char *day_text(int32_t d, char buf[static 11])
{
	if (d == CC_DATE_NONE) {
		snprintf(buf, 11, "-");
		return buf;
	}
	return cc_date_format(d, buf);
}

static void print_leg(const struct cc_fx_leg *l)
{
	char d[11];

	if (l->date == CC_DATE_NONE)
		printf("%s 1", l->currency);
	else if (l->kind == CC_RATE_ANNUAL)
		printf("%s %g (annual average %.4s)", l->currency, l->per_eur, day_text(l->date, d));
	else
		printf("%s %g of %s", l->currency, l->per_eur, day_text(l->date, d));
}

int cmd_money(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "currency", required_argument, NULL, 'c' },
		{ "rate-tolerance", required_argument, NULL, 't' },
		{ "rates", no_argument, NULL, 'r' },
		{ "csv", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_err err = { 0 };
	struct cc_mission m;
	struct cc_rates rates = { 0 };
	struct items it = { 0 };
	struct cc_fx *fx = NULL;
	const char *to = NULL;
	char cur[4] = "";
	bool show_rates = false, csv = false;
	int opt, tol = -1, have_tol = CC_FX_TOLERANCE_DAYS, ret, status = CLI_OK;
	int64_t v;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			to = optarg;
			break;
		case 't':
			if (cc_parse_i64(optarg, 0, 31, &v, &err) < 0)
				return cli_usage(cli, "--rate-tolerance: '%s' is not 0..31 days",
				                 optarg);
			tol = (int)v;
			break;
		case 'r':
			show_rates = true;
			break;
		case 'C':
			csv = true;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, &err)) < 0)
		return cli_fail(&err);
	ret = cc_store_get_money(cli->st, m.id, cur, &have_tol, &err);
	if (ret < 0 && !(ret == CC_ENOTFOUND && to))
		return cli_fail(&err);
	cc_err_clear(&err);
	if (to) {
		if (strlen(to) != 3)
			return cli_usage(cli, "--currency: '%s' is not a currency code", to);
		for (int i = 0; i < 3; i++)
			cur[i] = (char)(to[i] >= 'a' && to[i] <= 'z' ? to[i] - 'a' + 'A' : to[i]);
		cur[3] = '\0';
	}
	if (tol < 0)
		tol = have_tol;
	if ((ret = cc_store_load_rates(cli->st, NULL, &rates, &err)) < 0 ||
	    (ret = load_3w(cli, m.id, &it, &err)) < 0 ||
	    (ret = cc_store_each_iati_activity(cli->st, m.id, each_iati, &it, &err)) < 0) {
		status = cli_fail(&err);
		goto out;
	}
	fx = cc_calloc(it.n ? it.n : 1, sizeof(*fx));
	if (!fx) {
		cc_err_set(&err, CC_ENOMEM, "out of memory");
		status = cli_fail(&err);
		goto out;
	}
	if (csv)
		printf("kind,total,currency,converted,not_converted,first_rate,last_rate,"
		       "annual_averages\n");
	else
		printf("Money of mission %s in %s (rates at the value date, or up to %d days "
		       "before)\n",
		       m.code, cur, tol);
	for (int k = 0; k < LK_N; k++) {
		struct cc_amount *as = NULL;
		struct cc_money_total t;
		size_t n = 0;
		char d1[11], d2[11];

		for (size_t i = 0; i < it.n; i++)
			n += it.v[i].kind == (enum line_kind)k;
		if (!n)
			continue;
		as = cc_calloc(n, sizeof(*as));
		if (!as) {
			cc_err_set(&err, CC_ENOMEM, "out of memory");
			status = cli_fail(&err);
			goto out;
		}
		n = 0;
		for (size_t i = 0; i < it.n; i++)
			if (it.v[i].kind == (enum line_kind)k)
				as[n++] = it.v[i].a;
		cc_money_sum(&rates, as, n, cur, tol, NULL, &t);
		cc_free(as);
		if (csv) {
			cli_csv_field(kind_label[k], false);
			printf("%.2f,%s,%zu,%zu,%s,%s,%zu\n", t.total, cur, t.n_converted,
			       t.n_unconverted, t.first_rate == CC_DATE_NONE ? "" : day_text(t.first_rate, d1),
			       t.last_rate == CC_DATE_NONE ? "" : day_text(t.last_rate, d2), t.n_annual);
		} else {
			printf("  %-28s %18.2f %s  %zu converted, %zu not", kind_label[k], t.total, cur,
			       t.n_converted, t.n_unconverted);
			if (t.first_rate != CC_DATE_NONE)
				printf("; daily rates of %s..%s", day_text(t.first_rate, d1),
				       day_text(t.last_rate, d2));
			if (t.n_annual)
				printf("; %zu by annual averages", t.n_annual);
			printf("\n");
		}
	}
	if (csv)
		goto out;
	for (size_t i = 0; i < it.n; i++)
		cc_money_convert(&rates, &it.v[i].a, cur, tol, &fx[i]);
	for (int pass = 0; pass < 2; pass++) {
		bool first = true;

		if (pass == 0 && !show_rates)
			continue;
		for (size_t i = 0; i < it.n; i++) {
			const struct item *x = &it.v[i];
			char d[11];

			if ((fx[i].status == CC_FX_OK) != (pass == 0))
				continue;
			if (first)
				printf(pass == 0 ? "Converted:\n" : "Not converted:\n");
			first = false;
			printf("  %s %s: %.2f %s of %s", kind_label[x->kind], x->where, x->a.value,
			       x->a.currency[0] ? x->a.currency : "(no currency)",
			       day_text(x->a.value_date, d));
			if (pass == 1) {
				printf(": %s%s%s\n", cc_fx_status_text(fx[i].status),
				       fx[i].missing[0] ? " " : "", fx[i].missing);
				continue;
			}
			printf(" = %.2f %s", fx[i].value, cur);
			if (!fx[i].same) {
				printf(" (");
				print_leg(&fx[i].from);
				printf(", ");
				print_leg(&fx[i].to);
				printf(" per EUR)");
			}
			printf("\n");
		}
	}
out:
	cc_free(fx);
	cc_free(it.v);
	cc_rates_release(&rates);
	return status;
}
