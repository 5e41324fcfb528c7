/* concord review PLAN: checks a plan against the review rules and lists matching lessons */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/buf.h>
#include <concord/review.h>
#include <concord/text.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

#define MAX_DISABLED 16
#define CLI_FINDINGS 4 /* exit status when there are findings of severity error */

enum { O_JSON = 256, O_DISABLE, O_THRESHOLD, O_WINDOW, O_AS_OF };

static int format_text(const struct cc_plan *p, const struct cc_review_result *r,
                       struct cc_buf *b)
{
	int rc = 0;

	for (size_t i = 0; i < r->n_findings && !rc; i++) {
		const struct cc_finding *f = &r->findings[i];
		rc = cc_buf_addf(b, "%s %s %s %s: %s\n", f->rule, cc_severity_name(f->severity),
		                 f->activity[0] ? f->activity : "(plan)", f->item, f->evidence);
		for (size_t j = 0; j < f->n_lessons && !rc; j++)
			rc = cc_buf_addf(b, "    lesson %s: %s\n", f->lessons[j].key,
			                 f->lessons[j].title);
	}
	for (size_t i = 0; i < r->n_disabled && !rc; i++)
		rc = cc_buf_addf(b, "disabled %s: %s\n", r->disabled[i].rule, r->disabled[i].reason);
	if (!rc)
		rc = cc_buf_addf(b, "%s: %zu activities, %zu errors, %zu warnings, %zu info\n",
		                 p->file, p->n_acts, r->n_errors, r->n_warnings, r->n_infos);
	return rc;
}

static int format_json(const struct cc_plan *p, const struct cc_review_result *r,
                       struct cc_buf *b)
{
	int rc = cc_buf_adds(b, "{\"plan\":");

	rc = rc ? rc : cc_buf_add_json_str(b, p->file);
	rc = rc ? rc : cc_buf_addf(b, ",\"activities\":%zu,\"errors\":%zu,\"warnings\":%zu,"
	                           "\"info\":%zu,\"findings\":[", p->n_acts, r->n_errors,
	                           r->n_warnings, r->n_infos);
	for (size_t i = 0; i < r->n_findings && !rc; i++) {
		const struct cc_finding *f = &r->findings[i];
		rc = cc_buf_addf(b, "%s{\"rule\":\"%s\",\"severity\":\"%s\",\"activity\":",
		                 i ? "," : "", f->rule, cc_severity_name(f->severity));
		rc = rc ? rc : cc_buf_add_json_str(b, f->activity);
		rc = rc ? rc : cc_buf_adds(b, ",\"item\":");
		rc = rc ? rc : cc_buf_add_json_str(b, f->item);
		rc = rc ? rc : cc_buf_adds(b, ",\"evidence\":");
		rc = rc ? rc : cc_buf_add_json_str(b, f->evidence);
		rc = rc ? rc : cc_buf_adds(b, ",\"lessons\":[");
		for (size_t j = 0; j < f->n_lessons && !rc; j++) {
			rc = cc_buf_addf(b, "%s{\"key\":", j ? "," : "");
			rc = rc ? rc : cc_buf_add_json_str(b, f->lessons[j].key);
			rc = rc ? rc : cc_buf_adds(b, ",\"title\":");
			rc = rc ? rc : cc_buf_add_json_str(b, f->lessons[j].title);
			rc = rc ? rc : cc_buf_adds(b, "}");
		}
		rc = rc ? rc : cc_buf_adds(b, "]}");
	}
	rc = rc ? rc : cc_buf_adds(b, "],\"disabled\":[");
	for (size_t i = 0; i < r->n_disabled && !rc; i++) {
		rc = cc_buf_addf(b, "%s{\"rule\":", i ? "," : "");
		rc = rc ? rc : cc_buf_add_json_str(b, r->disabled[i].rule);
		rc = rc ? rc : cc_buf_adds(b, ",\"reason\":");
		rc = rc ? rc : cc_buf_add_json_str(b, r->disabled[i].reason);
		rc = rc ? rc : cc_buf_adds(b, "}");
	}
	return rc ? rc : cc_buf_adds(b, "]}\n");
}

int cmd_review(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "disable", required_argument, NULL, O_DISABLE },
		{ "threshold", required_argument, NULL, O_THRESHOLD },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "as-of", required_argument, NULL, O_AS_OF },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_review_disable dis[MAX_DISABLED];
	char dis_rule[MAX_DISABLED][16];
	struct cc_review_opts o = { .as_of = CC_DATE_NONE, .disabled = dis };
	struct cc_review_result r;
	struct cc_plan plan;
	struct cc_buf out = CC_BUF_INIT(64u << 20);
	struct cc_err err = { 0 };
	bool json = false;
	int64_t v;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_JSON:
			json = true;
			break;
		case O_DISABLE: {
			const char *eq = strchr(optarg, '=');
			size_t n = eq ? (size_t)(eq - optarg) : 0;

			if (!eq || n == 0 || !eq[1])
				return cli_usage(cli, "--disable '%s': write RULE=REASON", optarg);
			if (o.n_disabled == MAX_DISABLED || n >= sizeof(dis_rule[0]))
				return cli_usage(cli, "--disable '%s': too many or too long", optarg);
			optarg[n] = '\0';
			if (!cc_review_rule_find(optarg))
				return cli_usage(cli, "--disable: unknown rule '%s'", optarg);
			memcpy(dis_rule[o.n_disabled], optarg, n + 1);
			dis[o.n_disabled].rule = dis_rule[o.n_disabled];
			dis[o.n_disabled].reason = eq + 1;
			o.n_disabled++;
			break;
		}
		case O_THRESHOLD:
			if (cc_parse_i64(optarg, 1, 1000000, &v, &err))
				return cli_usage(cli, "--threshold: %s", err.msg);
			o.threshold = (size_t)v;
			break;
		case O_WINDOW:
			if (cc_parse_i64(optarg, 1, 3650, &v, &err))
				return cli_usage(cli, "--window: %s", err.msg);
			o.window_days = (int)v;
			break;
		case O_AS_OF:
			if (cc_date_parse(optarg, &o.as_of, &err))
				return cli_usage(cli, "--as-of: %s", err.msg);
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "give one PLAN file");
	if (cc_plan_read(argv[optind], &plan, &err))
		return cli_fail(&err);
	ret = cc_review_plan(cli->st, &plan, &o, &r, &err);
	if (ret) {
		cc_plan_release(&plan);
		return cli_fail(&err);
	}
	ret = json ? format_json(&plan, &r, &out) : format_text(&plan, &r, &out);
	if (ret) {
		cc_err_set(&err, ret, "cannot format the result");
		ret = cli_fail(&err);
	} else {
		ret = cli_write(out.buf, out.len);
		if (ret == CLI_OK && r.n_errors > 0)
			ret = CLI_FINDINGS;
	}
	cc_buf_release(&out);
	cc_review_release(&r);
	cc_plan_release(&plan);
	return ret;
}
