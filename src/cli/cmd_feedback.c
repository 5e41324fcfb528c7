/* concord feedback add|import|list|search: the stakeholder feedback register */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/feedback.h>
#include <concord/import.h>
#include <concord/text.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

static int copy_opt(struct cli *cli, char *dst, size_t n, const char *opt, const char *v)
{
	if (strlen(v) >= n)
		return cli_usage(cli, "%s is longer than %zu bytes", opt, n - 1);
	snprintf(dst, n, "%s", v);
	return CLI_OK;
}

/* ---- add ---- */

static int feedback_add(struct cli *cli, int argc, char **argv)
{
	enum {
		O_DATE = 256,
		O_AREA,
		O_CHANNEL,
		O_ORG,
		O_TEXT,
		O_CATEGORY,
		O_SENTIMENT,
		O_ID,
		O_GIVER_NAME,
		O_GIVER_CONTACT
	};
	static const struct option longopts[] = {
		{ "date", required_argument, NULL, O_DATE },
		{ "area", required_argument, NULL, O_AREA },
		{ "channel", required_argument, NULL, O_CHANNEL },
		{ "org", required_argument, NULL, O_ORG },
		{ "organisation", required_argument, NULL, O_ORG },
		{ "text", required_argument, NULL, O_TEXT },
		{ "category", required_argument, NULL, O_CATEGORY },
		{ "sentiment", required_argument, NULL, O_SENTIMENT },
		{ "id", required_argument, NULL, O_ID },
		{ "giver-name", required_argument, NULL, O_GIVER_NAME },
		{ "giver-contact", required_argument, NULL, O_GIVER_CONTACT },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_feedback *f = cc_calloc(1, sizeof(*f));
	struct cc_buf giver = CC_BUF_INIT(65536);
	const char *gname = NULL, *gcontact = NULL, *area = NULL;
	struct cc_mission m;
	struct cc_area a;
	struct cc_err err = { 0 };
	enum cc_put_result res;
	int opt, ret, status = CLI_OK;

	if (!f)
		return CLI_FAIL;
	f->date = CC_DATE_NONE;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1 && status == CLI_OK) {
		switch (opt) {
		case O_DATE:
			if (cc_date_parse(optarg, &f->date, &err) < 0)
				status = cli_usage(cli, "--date: %s", err.msg);
			break;
		case O_AREA:
			area = optarg;
			break;
		case O_CHANNEL:
			status = copy_opt(cli, f->channel, sizeof(f->channel), "--channel", optarg);
			break;
		case O_ORG:
			status = copy_opt(cli, f->organisation, sizeof(f->organisation), "--org",
			                  optarg);
			break;
		case O_TEXT:
			status = copy_opt(cli, f->text, sizeof(f->text), "--text", optarg);
			break;
		case O_CATEGORY:
			status = copy_opt(cli, f->category, sizeof(f->category), "--category",
			                  optarg);
			break;
		case O_SENTIMENT:
			if (cc_feedback_sentiment(optarg, f->sentiment, &err) < 0)
				status = cli_usage(cli, "--sentiment: %s", err.msg);
			break;
		case O_ID:
			status = copy_opt(cli, f->key, sizeof(f->key), "--id", optarg);
			break;
		case O_GIVER_NAME:
			gname = optarg;
			break;
		case O_GIVER_CONTACT:
			gcontact = optarg;
			break;
		default:
			status = cli_usage(cli, "unknown option");
			break;
		}
	}
	if (status != CLI_OK)
		goto out;
	if (optind < argc) {
		status = cli_usage(cli, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (f->date == CC_DATE_NONE || !f->text[0]) {
		status = cli_usage(cli, "feedback add needs --date and --text");
		goto out;
	}
	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, &err)) < 0)
		goto out_fail;
	f->mission_id = m.id;
	if (area) {
		if ((ret = cc_store_find_area(cli->st, area, &a, &err)) < 0)
			goto out_fail;
		f->area_id = a.id;
	}
	if (gname || gcontact) {
		ret = cc_buf_addch(&giver, '{');
		if (ret == 0 && gname)
			ret = cc_buf_addf(&giver, "\"name\":");
		if (ret == 0 && gname)
			ret = cc_buf_add_json_str(&giver, gname);
		if (ret == 0 && gcontact)
			ret = cc_buf_addf(&giver, "%s\"contact\":", gname ? "," : "");
		if (ret == 0 && gcontact)
			ret = cc_buf_add_json_str(&giver, gcontact);
		if (ret == 0)
			ret = cc_buf_addch(&giver, '}');
		if (ret < 0) {
			cc_err_set(&err, ret, "%s", cc_code_text(ret));
			goto out_fail;
		}
		f->giver = giver.buf;
	}
	cc_feedback_key(f);
	if ((ret = cc_store_begin(cli->st, &err)) < 0)
		goto out_fail;
	ret = cc_store_put_feedback(cli->st, f, &res, &err);
	if (ret == 0 && res != CC_PUT_UNCHANGED)
		ret = cc_store_log_change(
		        cli->st,
		        &(struct cc_change){ .table = "feedback",
		                             .op = res == CC_PUT_ADDED ? "insert" : "update",
		                             .record_id = f->id,
		                             .count = 1,
		                             .mission_id = m.id },
		        &err);
	if (ret == 0)
		ret = cc_store_commit(cli->st, &err);
	if (ret < 0) {
		cc_store_rollback(cli->st);
		goto out_fail;
	}
	printf("feedback %lld %s (key %s)\n", (long long)f->id,
	       res == CC_PUT_ADDED     ? "added"
	       : res == CC_PUT_UPDATED ? "updated"
	                               : "unchanged",
	       f->key);
	goto out;
out_fail:
	status = cli_fail(&err);
out:
	cc_buf_release(&giver);
	cc_free(f);
	return status;
}

/* ---- import ---- */

static void print_reject(void *ctx, const struct cc_err *why)
{
	char buf[1024];

	(void)ctx;
	fprintf(stderr, "%s\n", cc_err_format(why, buf, sizeof(buf)));
}

static int feedback_import(struct cli *cli, int argc, char **argv)
{
	enum { O_PERSONAL = 256, O_DRY_RUN, O_STRICT, O_REJECTS, O_SOURCE };
	static const struct option longopts[] = {
		{ "personal", required_argument, NULL, O_PERSONAL },
		{ "dry-run", no_argument, NULL, O_DRY_RUN },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "rejects", required_argument, NULL, O_REJECTS },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "map", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_import_map map[CLI_MAX_MAP];
	struct cc_import_opts o = { .period_from = CC_DATE_NONE,
		                    .period_to = CC_DATE_NONE,
		                    .level = -1 };
	const char *personal = NULL;
	struct cc_err err = { 0 };
	int opt, ret, status = CLI_OK;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "n", longopts, NULL)) != -1) {
		switch (opt) {
		case O_PERSONAL:
			personal = optarg;
			break;
		case 'n':
		case O_DRY_RUN:
			o.flags |= CC_IMPORT_DRY_RUN;
			break;
		case O_STRICT:
			o.flags |= CC_IMPORT_STRICT;
			break;
		case O_REJECTS:
			o.rejects_path = optarg;
			break;
		case O_SOURCE:
			o.source = optarg;
			break;
		case 'M':
			if (o.n_map == CLI_MAX_MAP || cli_parse_map(optarg, &map[o.n_map]) != CLI_OK)
				return cli_usage(cli, "--map '%s': write COLUMN=FIELD", optarg);
			o.map = map;
			o.n_map++;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage(cli, "no file given");
	if (o.source && argc - optind > 1)
		return cli_usage(cli, "--source names one file's source; give one file");
	o.mission = cli->mission;
	o.on_reject = print_reject;
	for (int i = optind; i < argc; i++) {
		struct cc_import_report rep = { 0 };

		cc_err_clear(&err);
		ret = cc_import_feedback(cli->st, argv[i], &o, personal, &rep, &err);
		if (ret < 0 && ret != CC_EREJECTED)
			return cli_fail(&err);
		if (rep.same_file) {
			printf("%s: unchanged since the last import of this source; nothing to "
			       "do\n",
			       argv[i]);
			continue;
		}
		printf("%s: read %zu, added %zu, updated %zu, unchanged %zu, rejected %zu%s\n",
		       argv[i], rep.n_read, rep.n_added, rep.n_updated, rep.n_unchanged,
		       rep.n_rejected,
		       (o.flags & CC_IMPORT_DRY_RUN) ? " (dry run: nothing stored)"
		       : ret == CC_EREJECTED         ? " (strict: nothing stored)"
		                                     : "");
		if (ret == CC_EREJECTED)
			return cli_fail(&err);
		if (rep.n_rejected)
			status = (o.flags & CC_IMPORT_DRY_RUN) ? CLI_FAIL : CLI_REJECTED;
	}
	return status;
}

/* ---- list and search ---- */

enum fmt { F_TABLE, F_CSV, F_JSON };

/* The formatter's JSON (the API's bytes) to standard output; CLI_OK or its failure. */
static int print_json(int ret, struct cc_buf *b, const struct cc_err *err)
{
	if (ret == 0)
		fwrite(b->buf, 1, b->len, stdout);
	cc_buf_release(b);
	return ret < 0 ? cli_fail(err) : CLI_OK;
}

static int print_items(const struct cc_feedback *f, size_t n, enum fmt fmt, bool search)
{
	static const char *const head[] = { "id",           "date",     "area",      "channel",
		                            "organisation", "category", "sentiment", "text" };
	struct cc_buf b = CC_BUF_INIT(0);
	struct cc_err err = { 0 };
	char d[11];

	switch (fmt) {
	case F_CSV:
		for (size_t i = 0; i < 8; i++)
			cli_csv_field(head[i], i == 7);
		for (size_t i = 0; i < n; i++) {
			char id[24];

			snprintf(id, sizeof(id), "%lld", (long long)f[i].id);
			cli_csv_field(id, false);
			cli_csv_field(cc_date_format(f[i].date, d), false);
			cli_csv_field(f[i].area, false);
			cli_csv_field(f[i].channel, false);
			cli_csv_field(f[i].organisation, false);
			cli_csv_field(f[i].category, false);
			cli_csv_field(f[i].sentiment, false);
			cli_csv_field(f[i].text, true);
		}
		break;
	case F_JSON:
		return print_json(cc_feedback_format_json(f, n, search, &b, &err), &b, &err);
	case F_TABLE:
		for (size_t i = 0; i < n; i++)
			printf("%-5lld %s %-10s %-12.12s %-16.16s %-14.14s %-8s %s\n",
			       (long long)f[i].id, cc_date_format(f[i].date, d),
			       f[i].area[0] ? f[i].area : "-", f[i].channel, f[i].organisation,
			       f[i].category, f[i].sentiment, search ? f[i].snippet : f[i].text);
		printf("%zu item%s\n", n, n == 1 ? "" : "s");
		break;
	}
	return CLI_OK;
}

static int print_counts(const struct cc_feedback_count *c, size_t n, enum fmt fmt)
{
	struct cc_buf b = CC_BUF_INIT(0);
	struct cc_err err = { 0 };

	switch (fmt) {
	case F_CSV:
		printf("category,area,month,n,negative\n");
		for (size_t i = 0; i < n; i++) {
			char num[2][24];

			snprintf(num[0], 24, "%lld", (long long)c[i].n);
			snprintf(num[1], 24, "%lld", (long long)c[i].negative);
			cli_csv_field(c[i].category, false);
			cli_csv_field(c[i].area, false);
			cli_csv_field(c[i].month, false);
			cli_csv_field(num[0], false);
			cli_csv_field(num[1], true);
		}
		break;
	case F_JSON:
		return print_json(cc_feedback_counts_format_json(c, n, &b, &err), &b, &err);
	case F_TABLE:
		printf("%-20s %-10s %-7s %6s %8s\n", "category", "area", "month", "n", "negative");
		for (size_t i = 0; i < n; i++)
			printf("%-20.20s %-10s %-7s %6lld %8lld\n",
			       c[i].category[0] ? c[i].category : "(none)",
			       c[i].area[0] ? c[i].area : "(none)", c[i].month, (long long)c[i].n,
			       (long long)c[i].negative);
		break;
	}
	return CLI_OK;
}

static int feedback_list(struct cli *cli, int argc, char **argv, bool search)
{
	enum { O_CATEGORY = 256, O_AREA, O_FROM, O_TO, O_COUNTS, O_LIMIT, O_CSV, O_JSON };
	static const struct option longopts[] = {
		{ "category", required_argument, NULL, O_CATEGORY },
		{ "area", required_argument, NULL, O_AREA },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "counts", no_argument, NULL, O_COUNTS },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "csv", no_argument, NULL, O_CSV },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_feedback_query q = { .from = CC_DATE_NONE, .to = CC_DATE_NONE };
	struct cc_buf words = CC_BUF_INIT(8192);
	struct cc_mission m;
	struct cc_err err = { 0 };
	enum fmt fmt = F_TABLE;
	bool counts = false;
	int64_t v;
	int opt, ret, status = CLI_OK;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_CATEGORY:
			q.category = optarg;
			break;
		case O_AREA:
			q.area = optarg;
			break;
		case O_FROM:
		case O_TO:
			if (cc_date_parse(optarg, opt == O_FROM ? &q.from : &q.to, &err) < 0)
				return cli_usage(cli, "%s: %s", opt == O_FROM ? "--from" : "--to",
				                 err.msg);
			break;
		case O_COUNTS:
			counts = true;
			break;
		case O_LIMIT:
			if (cc_parse_i64(optarg, 1, 1000000, &v, &err) < 0)
				return cli_usage(cli, "--limit: %s", err.msg);
			q.limit = (size_t)v;
			break;
		case O_CSV:
			fmt = F_CSV;
			break;
		case O_JSON:
			fmt = F_JSON;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (counts && search)
		return cli_usage(cli, "--counts goes with list");
	if (!search && optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (search) {
		if (optind >= argc)
			return cli_usage(cli, "say what to search for");
		for (int i = optind; i < argc; i++)
			if (cc_buf_addf(&words, "%s%s", i > optind ? " " : "", argv[i]) < 0)
				return cli_usage(cli, "the search words are too long");
		q.words = words.buf;
	}
	if ((ret = cc_store_get_mission(cli->st, cli->mission, &m, &err)) < 0) {
		status = cli_fail(&err);
		goto out;
	}
	q.mission_id = m.id;
	if (counts) {
		struct cc_feedback_count *c;
		size_t n;

		if ((ret = cc_store_count_feedback(cli->st, &q, &c, &n, &err)) < 0) {
			status = cli_fail(&err);
			goto out;
		}
		status = print_counts(c, n, fmt);
		cc_free(c);
	} else {
		struct cc_feedback *f;
		size_t n;

		if ((ret = cc_store_list_feedback(cli->st, &q, &f, &n, &err)) < 0) {
			status = cli_fail(&err);
			goto out;
		}
		status = print_items(f, n, fmt, search);
		cc_free(f);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		status = CLI_FAIL;
out:
	cc_buf_release(&words);
	return status;
}

int cmd_feedback(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(cli, "say add, import, list or search");
	if (!strcmp(argv[1], "add"))
		return feedback_add(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "import"))
		return feedback_import(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return feedback_list(cli, argc - 1, argv + 1, false);
	if (!strcmp(argv[1], "search"))
		return feedback_list(cli, argc - 1, argv + 1, true);
	return cli_usage(cli,
	                 "unknown subcommand '%s'; the subcommands are: add, import, list, "
	                 "search",
	                 argv[1]);
}
