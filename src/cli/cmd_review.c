/* concord review PLAN: checks a plan against the review rules and lists matching lessons */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/buf.h>
#include <concord/report.h>
#include <concord/review.h>
#include <concord/text.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

#define MAX_DISABLED CC_REVIEW_N_RULES
#define CLI_FINDINGS 4 /* exit status when there are findings of severity error */

enum { O_JSON = 256, O_DISABLE, O_REASON, O_RULES, O_THRESHOLD, O_WINDOW, O_AS_OF };

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

/* The mission R7 and R8 read: -m, else the plan's mission code, else the store's only one. */
static int mission_of(struct cli *cli, const struct cc_plan *p, int64_t *id, struct cc_err *err)
{
	struct cc_mission m;
	int ret;

	*id = 0;
	if (cli->mission) {
		ret = cc_store_get_mission(cli->st, cli->mission, &m, err);
		if (ret == 0)
			*id = m.id;
		return ret;
	}
	if (p->mission[0] && cc_store_get_mission(cli->st, p->mission, &m, NULL) == 0) {
		*id = m.id;
		return 0;
	}
	if (cc_store_get_mission(cli->st, NULL, &m, NULL) == 0)
		*id = m.id;
	return 0;
}

/* --disable LIST[=REASON]: each rule id of the comma-separated LIST, with REASON or --reason. */
static int disable(struct cli *cli, struct cc_review_config *cfg, char *arg, const char *reason)
{
	struct cc_err err = { 0 };
	char *eq = strchr(arg, '=');

	if (eq) {
		*eq = '\0';
		reason = eq + 1;
	}
	if (!reason || !reason[0])
		return cli_usage(cli, "--disable %s: give a reason (RULE=REASON or --reason TEXT)",
		                 arg);
	for (char *id = arg, *next; id; id = next) {
		next = strchr(id, ',');
		if (next)
			*next++ = '\0';
		if (cc_review_config_disable(cfg, id, reason, &err))
			return cli_usage(cli, "--disable: %s", err.msg);
	}
	return CLI_OK;
}

int cmd_review(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "disable", required_argument, NULL, O_DISABLE },
		{ "reason", required_argument, NULL, O_REASON },
		{ "rules", required_argument, NULL, O_RULES },
		{ "threshold", required_argument, NULL, O_THRESHOLD },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "as-of", required_argument, NULL, O_AS_OF },
		{ NULL, 0, NULL, 0 },
	};
	char *dis[MAX_DISABLED * 4];
	size_t n_dis = 0;
	const char *reason = NULL, *rules = NULL;
	struct cc_review_config cfg;
	struct cc_review_opts o = { .as_of = CC_DATE_NONE, .config = &cfg };
	struct cc_review_result r;
	struct cc_plan plan;
	struct cc_buf out = CC_BUF_INIT(64u << 20);
	struct cc_err err = { 0 };
	bool json = false;
	int64_t v;
	int opt, ret;

	cc_review_config_default(&cfg);
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_JSON:
			json = true;
			break;
		case O_DISABLE:
			if (n_dis == sizeof(dis) / sizeof(dis[0]))
				return cli_usage(cli, "--disable: too many");
			dis[n_dis++] = optarg;
			break;
		case O_REASON:
			reason = optarg;
			break;
		case O_RULES:
			rules = optarg;
			break;
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
	/* the rules file first, then --disable over it */
	if (rules && cc_review_config_read(rules, &cfg, &err))
		return cli_fail(&err);
	for (size_t i = 0; i < n_dis; i++) {
		ret = disable(cli, &cfg, dis[i], reason);
		if (ret != CLI_OK)
			return ret;
	}
	if (cc_plan_read(argv[optind], &plan, &err))
		return cli_fail(&err);
	ret = mission_of(cli, &plan, &o.mission_id, &err);
	if (!ret)
		ret = cc_review_plan(cli->st, &plan, &o, &r, &err);
	if (ret) {
		cc_plan_release(&plan);
		return cli_fail(&err);
	}
	ret = json ? cc_review_format_json(&plan, &r, &out, &err) : format_text(&plan, &r, &out);
	if (ret) {
		if (!err.code)
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
