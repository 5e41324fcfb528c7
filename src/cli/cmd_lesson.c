/* concord lesson add|edit|import|list|show|search: the lessons-learned register */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/lessons.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

enum {
	O_KEY = 256,
	O_TITLE,
	O_OBS,
	O_DISC,
	O_CONC,
	O_REC,
	O_PILLAR,
	O_AREA,
	O_TAG,
	O_DATE,
	O_SOURCE,
	O_STATUS,
	O_OWNER,
	O_REL,
	O_EVIDENCE,
	O_DRY_RUN,
	O_STRICT,
	O_JSON,
	O_LIMIT
};

static const struct option edit_opts[] = {
	{ "key", required_argument, NULL, O_KEY },
	{ "title", required_argument, NULL, O_TITLE },
	{ "observation", required_argument, NULL, O_OBS },
	{ "discussion", required_argument, NULL, O_DISC },
	{ "conclusion", required_argument, NULL, O_CONC },
	{ "recommendation", required_argument, NULL, O_REC },
	{ "pillar", required_argument, NULL, O_PILLAR },
	{ "area", required_argument, NULL, O_AREA },
	{ "tag", required_argument, NULL, O_TAG },
	{ "date", required_argument, NULL, O_DATE },
	{ "source", required_argument, NULL, O_SOURCE },
	{ "status", required_argument, NULL, O_STATUS },
	{ "owner", required_argument, NULL, O_OWNER },
	{ "releasability", required_argument, NULL, O_REL },
	{ "evidence", required_argument, NULL, O_EVIDENCE },
	{ NULL, 0, NULL, 0 },
};

static int usage_err(struct cc_err *err, const char *field, const char *what, const char *v)
{
	cc_err_set(err, CC_EUSAGE, "%s '%s'", what, v);
	cc_err_at(err, NULL, 0, field);
	return CC_EUSAGE;
}

static int set_text(char *dst, size_t n, const char *v, const char *field, struct cc_err *err)
{
	if (strlen(v) >= n) {
		cc_err_set(err, CC_EUSAGE, "longer than %zu bytes", n - 1);
		cc_err_at(err, NULL, 0, field);
		return CC_EUSAGE;
	}
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* Appends v to a comma list kept in dst; the first use of an option replaces the stored list. */
static int add_list(char *dst, size_t n, bool *fresh, const char *v, bool lower, struct cc_err *err)
{
	char joined[1024];

	if (*fresh) {
		dst[0] = '\0';
		*fresh = false;
	}
	snprintf(joined, sizeof(joined), "%s%s%s", dst, dst[0] ? "," : "", v);
	return cc_lesson_list_set(dst, n, joined, lower, err);
}

/*
 * The evidence given to add or edit must be a record of the store (cc_store_evidence_exists):
 * a lesson cites what happened, not what might be imported later. Lessons imported from files
 * are not checked (the seed register cites public reports that no store holds).
 */
static int check_evidence(struct cli *cli, const struct cc_lesson_link *ln, struct cc_err *err)
{
	static const char *const what[CC_N_EVIDENCE_KINDS] = {
		[CC_EVIDENCE_ACTIVITY] = "no activity numbered",
		[CC_EVIDENCE_INDICATOR] = "no indicator with the code",
		[CC_EVIDENCE_INCIDENT] = "no incident with the number or event id",
		[CC_EVIDENCE_AREA] = "no area with the P-code",
		[CC_EVIDENCE_REPORT] = "no imported source, nor report cited by a lesson, named",
	};
	bool found = false;
	int ret = cc_store_evidence_exists(cli->st, ln->kind, ln->ref, &found, err);

	if (ret < 0)
		return ret;
	if (found)
		return 0;
	cc_err_set(err, CC_ENOTFOUND, "%s:%s: %s '%s' in the store",
	           cc_evidence_kind_name((int)ln->kind), ln->ref, what[ln->kind], ln->ref);
	cc_err_at(err, NULL, 0, "evidence");
	return CC_ENOTFOUND;
}

/* Applies the options of add and edit to l (and links); 0 or an error in err. */
static int apply_opts(struct cli *cli, int argc, char **argv, struct cc_lesson *l,
                      struct cc_lesson_link *links, size_t *n_links, size_t max_links,
                      struct cc_err *err)
{
	bool fresh_p = true, fresh_a = true, fresh_t = true;
	int opt, ret = 0, k;

	optind = 1;
	while (ret == 0 && (opt = getopt_long(argc, argv, "", edit_opts, NULL)) != -1) {
		switch (opt) {
		case O_KEY:
			ret = set_text(l->key, sizeof(l->key), optarg, "key", err);
			break;
		case O_TITLE:
			ret = set_text(l->title, sizeof(l->title), optarg, "title", err);
			break;
		case O_OBS:
			ret = set_text(l->observation, sizeof(l->observation), optarg,
			               "observation", err);
			break;
		case O_DISC:
			ret = set_text(l->discussion, sizeof(l->discussion), optarg, "discussion",
			               err);
			break;
		case O_CONC:
			ret = set_text(l->conclusion, sizeof(l->conclusion), optarg, "conclusion",
			               err);
			break;
		case O_REC:
			ret = set_text(l->recommendation, sizeof(l->recommendation), optarg,
			               "recommendation", err);
			break;
		case O_PILLAR:
			if (cc_pillar_parse(optarg) < 0)
				return usage_err(
				        err, "pillar",
				        "unknown pillar (security, governance, infrastructure, "
				        "economy, humanitarian, other)",
				        optarg);
			ret = add_list(l->pillars, sizeof(l->pillars), &fresh_p, optarg, true, err);
			break;
		case O_AREA:
			ret = add_list(l->areas, sizeof(l->areas), &fresh_a, optarg, false, err);
			break;
		case O_TAG:
			ret = add_list(l->tags, sizeof(l->tags), &fresh_t, optarg, true, err);
			break;
		case O_DATE:
			ret = cc_date_parse(optarg, &l->date, err);
			if (ret < 0)
				return usage_err(err, "date", "invalid date", optarg);
			break;
		case O_SOURCE:
			ret = set_text(l->source, sizeof(l->source), optarg, "source", err);
			break;
		case O_STATUS:
			k = cc_lesson_status_parse(optarg);
			if (k < 0)
				return usage_err(
				        err, "status",
				        "unknown status (observed, analysed, action-assigned, "
				        "implemented, validated)",
				        optarg);
			l->status = (enum cc_lesson_status)k;
			break;
		case O_OWNER:
			ret = set_text(l->owner, sizeof(l->owner), optarg, "owner", err);
			break;
		case O_REL:
			ret = set_text(l->releasability, sizeof(l->releasability), optarg,
			               "releasability", err);
			break;
		case O_EVIDENCE:
			if (*n_links == max_links)
				return usage_err(err, "evidence", "too many evidence items at",
				                 optarg);
			ret = cc_lesson_link_parse(optarg, &links[*n_links], err);
			if (ret < 0)
				return usage_err(err, "evidence", "evidence must be KIND:REF, not",
				                 optarg);
			ret = check_evidence(cli, &links[*n_links], err);
			if (ret < 0)
				return ret;
			(*n_links)++;
			break;
		default:
			return cc_err_set(err, CC_EUSAGE, "unknown option");
		}
	}
	return ret;
}

#define MAX_LINKS 64

static int lesson_add(struct cli *cli, int argc, char **argv)
{
	struct cc_lesson *l = calloc(1, sizeof(*l));
	struct cc_lesson_link links[MAX_LINKS];
	struct cc_mission m;
	struct cc_err err = { 0 };
	size_t n_links = 0;
	int ret;

	if (!l)
		return cli_fail(&(struct cc_err){ .code = CC_ENOMEM, .msg = "out of memory" });
	l->date = CC_DATE_NONE;
	ret = apply_opts(cli, argc, argv, l, links, &n_links, MAX_LINKS, &err);
	if (ret == 0 && optind != argc)
		ret = cc_err_set(&err, CC_EUSAGE, "unexpected argument '%s'", argv[optind]);
	if (ret == 0 && cli->mission) {
		ret = cc_store_get_mission(cli->st, cli->mission, &m, &err);
		l->mission_id = m.id;
	}
	if (ret == 0)
		ret = cc_store_put_lesson(cli->st, l, links, n_links, false, NULL, &err);
	if (ret == 0)
		printf("added lesson %s\n", l->key);
	free(l);
	return ret < 0 ? cli_fail(&err) : CLI_OK;
}

static int lesson_edit(struct cli *cli, int argc, char **argv)
{
	struct cc_lesson *l = calloc(1, sizeof(*l));
	struct cc_lesson_link links[MAX_LINKS], *old = NULL;
	struct cc_err err = { 0 };
	enum cc_lesson_put res = CC_LESSON_UNCHANGED;
	size_t n_links = 0, n_old = 0;
	char key[64];
	int ret;

	if (!l)
		return cli_fail(&(struct cc_err){ .code = CC_ENOMEM, .msg = "out of memory" });
	if (argc < 2 || argv[1][0] == '-') {
		free(l);
		return cli_usage(cli, "give the key of the lesson to edit");
	}
	snprintf(key, sizeof(key), "%s", argv[1]);
	ret = cc_store_get_lesson(cli->st, key, l, &err);
	if (ret == 0)
		ret = cc_store_lesson_links(cli->st, key, &old, &n_old, &err);
	for (size_t i = 0; ret == 0 && i < n_old && n_links < MAX_LINKS; i++)
		links[n_links++] = old[i];
	cc_free(old);
	if (ret == 0)
		ret = apply_opts(cli, argc - 1, argv + 1, l, links, &n_links, MAX_LINKS, &err);
	if (ret == 0 && optind != argc - 1)
		ret = cc_err_set(&err, CC_EUSAGE, "unexpected argument '%s'", argv[optind + 1]);
	if (ret == 0 && strcmp(l->key, key) != 0)
		ret = cc_err_set(&err, CC_EUSAGE, "a lesson's key cannot change");
	if (ret == 0)
		ret = cc_store_put_lesson(cli->st, l, links, n_links, false, &res, &err);
	if (ret == 0)
		printf("%s lesson %s (%s)\n", res == CC_LESSON_UNCHANGED ? "unchanged" : "updated",
		       l->key, cc_lesson_status_name((int)l->status));
	free(l);
	return ret < 0 ? cli_fail(&err) : CLI_OK;
}

static void print_reject(void *ctx, const struct cc_err *why)
{
	char buf[1024];

	(void)ctx;
	fprintf(stderr, "%s\n", cc_err_format(why, buf, sizeof(buf)));
}

static int lesson_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, O_DRY_RUN },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "map", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_import_opts o = { .mission = cli->mission, .on_reject = print_reject };
	struct cc_import_map map[CLI_MAX_MAP];
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == O_DRY_RUN)
			o.flags |= CC_IMPORT_DRY_RUN;
		else if (opt == O_STRICT)
			o.flags |= CC_IMPORT_STRICT;
		else if (opt == 'M') {
			if (o.n_map == CLI_MAX_MAP || cli_parse_map(optarg, &map[o.n_map]) != CLI_OK)
				return cli_usage(cli, "--map '%s': write COLUMN=FIELD", optarg);
			o.map = map;
			o.n_map++;
		} else
			return cli_usage(cli, "unknown option");
	}
	if (optind >= argc)
		return cli_usage(cli, "give one or more .csv or .md files");
	ret = cc_import_lessons(cli->st, (const char *const *)(argv + optind),
	                        (size_t)(argc - optind), &o, &rep, &err);
	if (ret < 0)
		return cli_fail(&err);
	printf("read %zu, added %zu, updated %zu, unchanged %zu, rejected %zu%s\n", rep.n_read,
	       rep.n_added, rep.n_updated, rep.n_unchanged, rep.n_rejected,
	       rep.stored ? "" : " (dry run: nothing stored)");
	if (rep.n_rejected)
		return rep.stored ? CLI_REJECTED : CLI_FAIL;
	return CLI_OK;
}

/* Reads --pillar and --status into a filter; 0 or a usage error printed. */
static int filter_opt(struct cli *cli, int opt, struct cc_lesson_filter *f)
{
	if (opt == O_PILLAR) {
		f->pillar = cc_pillar_parse(optarg);
		if (f->pillar < 0)
			return cli_usage(cli, "unknown pillar '%s'", optarg);
	} else {
		f->status = cc_lesson_status_parse(optarg);
		if (f->status < 0)
			return cli_usage(cli, "unknown status '%s'", optarg);
	}
	return 0;
}

static int lesson_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pillar", required_argument, NULL, O_PILLAR },
		{ "status", required_argument, NULL, O_STATUS },
		{ "evidence", required_argument, NULL, O_EVIDENCE },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_lesson_filter f = { .pillar = -1, .status = -1 };
	struct cc_lesson_link ev = { .ref = "" }, *cited = NULL;
	struct cc_lesson *ls = NULL;
	struct cc_err err = { 0 };
	struct cc_mission m;
	size_t n = 0, n_cited = 0, shown = 0;
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == O_PILLAR || opt == O_STATUS) {
			if (filter_opt(cli, opt, &f))
				return CLI_USAGE;
		} else if (opt == O_EVIDENCE) {
			if (cc_lesson_link_parse(optarg, &ev, &err) < 0)
				return cli_usage(cli, "%s", err.msg);
		} else {
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (cli->mission) {
		ret = cc_store_get_mission(cli->st, cli->mission, &m, &err);
		if (ret < 0)
			return cli_fail(&err);
		f.mission_id = m.id;
	}
	ret = cc_store_list_lessons(cli->st, &f, &ls, &n, &err);
	if (ret == 0 && ev.ref[0])
		ret = cc_store_evidence_lessons(cli->st, ev.kind, ev.ref, &cited, &n_cited, &err);
	if (ret < 0) {
		cc_free(ls);
		return cli_fail(&err);
	}
	for (size_t i = 0; i < n; i++) {
		bool keep = !ev.ref[0];

		for (size_t k = 0; k < n_cited && !keep; k++)
			keep = !strcmp(cited[k].key, ls[i].key);
		if (!keep)
			continue;
		printf("%-10s %-15s %-28s %s\n", ls[i].key,
		       cc_lesson_status_name((int)ls[i].status),
		       ls[i].pillars[0] ? ls[i].pillars : "-", ls[i].title);
		shown++;
	}
	printf("%zu lesson%s\n", shown, shown == 1 ? "" : "s");
	cc_free(ls);
	cc_free(cited);
	return CLI_OK;
}

static void print_section(const char *name, const char *text)
{
	const char *p = text;

	if (!text[0])
		return;
	printf("\n%s\n", name);
	while (*p) {
		const char *e = strchr(p, '\n');
		int n = e ? (int)(e - p) : (int)strlen(p);

		printf("  %.*s\n", n, p);
		p += n + (e ? 1 : 0);
	}
}

static int lesson_show(struct cli *cli, int argc, char **argv)
{
	struct cc_lesson *l = calloc(1, sizeof(*l));
	struct cc_lesson_link *links = NULL;
	struct cc_err err = { 0 };
	size_t n_links = 0;
	char date[11];
	int ret;

	if (!l)
		return cli_fail(&(struct cc_err){ .code = CC_ENOMEM, .msg = "out of memory" });
	if (argc != 2) {
		free(l);
		return cli_usage(cli, "give the key of one lesson");
	}
	ret = cc_store_get_lesson(cli->st, argv[1], l, &err);
	if (ret == 0)
		ret = cc_store_lesson_links(cli->st, argv[1], &links, &n_links, &err);
	if (ret < 0) {
		free(l);
		return cli_fail(&err);
	}
	printf("%s: %s\n", l->key, l->title);
	printf("mission: %s\nstatus: %s\nowner: %s\npillars: %s\nareas: %s\ntags: %s\n",
	       l->mission[0] ? l->mission : "-", cc_lesson_status_name((int)l->status),
	       l->owner[0] ? l->owner : "-", l->pillars[0] ? l->pillars : "-",
	       l->areas[0] ? l->areas : "-", l->tags[0] ? l->tags : "-");
	printf("date: %s\nsource: %s\nreleasability: %s\n",
	       l->date != CC_DATE_NONE ? cc_date_format(l->date, date) : "-",
	       l->source[0] ? l->source : "-", l->releasability);
	print_section("Observation", l->observation);
	print_section("Discussion", l->discussion);
	print_section("Conclusion", l->conclusion);
	print_section("Recommendation", l->recommendation);
	printf("\nEvidence (%zu)\n", n_links);
	for (size_t i = 0; i < n_links && ret == 0; i++) {
		struct cc_lesson_link *back = NULL;
		size_t n_back = 0, shown = 0;

		ret = cc_store_evidence_lessons(cli->st, links[i].kind, links[i].ref, &back,
		                                &n_back, &err);
		if (ret < 0)
			break;
		printf("  %s:%s", cc_evidence_kind_name((int)links[i].kind), links[i].ref);
		if (links[i].kind == CC_EVIDENCE_AREA) {
			struct cc_area a;
			struct cc_err e = { 0 };

			if (cc_store_find_area(cli->st, links[i].ref, &a, &e) == 0)
				printf(" (%s)", a.name);
		}
		for (size_t k = 0; k < n_back; k++) {
			if (!strcmp(back[k].key, l->key))
				continue;
			printf("%s%s", shown++ ? ", " : "  also cited by: ", back[k].key);
		}
		putchar('\n');
		cc_free(back);
	}
	cc_free(links);
	free(l);
	return ret < 0 ? cli_fail(&err) : CLI_OK;
}

static int add_facets(struct cc_buf *b, const char *name, const struct cc_facet *f, size_t n,
                      bool json)
{
	int ret = json ? cc_buf_addf(b, "%s\"%s\":{", strcmp(name, "pillar") ? "," : "", name)
	               : cc_buf_addf(b, "  %-8s", name);

	for (size_t i = 0; i < n && ret == 0; i++) {
		if (json) {
			ret = cc_buf_adds(b, i ? "," : "");
			if (ret == 0)
				ret = cc_buf_add_json_str(b, f[i].value);
			if (ret == 0)
				ret = cc_buf_addf(b, ":%zu", f[i].count);
		} else {
			ret = cc_buf_addf(b, "%s%s %zu", i ? ", " : "",
			                  f[i].value[0] ? f[i].value : "(none)", f[i].count);
		}
	}
	if (ret == 0)
		ret = cc_buf_adds(b, json ? "}" : "\n");
	return ret;
}

static int search_json(struct cc_buf *b, const char *query, const struct cc_lesson_search *s,
                       size_t limit)
{
	int ret = cc_buf_adds(b, "{\"query\":");

	if (ret == 0)
		ret = cc_buf_add_json_str(b, query);
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"n_matched\":%zu,\"n_hits\":%zu,\"hits\":[", s->n_matched,
		                  s->n_hits);
	for (size_t i = 0; i < s->n_hits && i < limit && ret == 0; i++) {
		const struct cc_lesson *l = &s->hits[i].lesson;

		ret = cc_buf_adds(b, i ? ",{\"key\":" : "{\"key\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, l->key);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"title\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, l->title);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"mission\":");
		if (ret == 0)
			ret = l->mission[0] ? cc_buf_add_json_str(b, l->mission)
			                    : cc_buf_adds(b, "null");
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"pillars\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, l->pillars);
		if (ret == 0)
			ret = cc_buf_addf(b, ",\"status\":\"%s\",\"rank\":%.6f,\"snippet\":",
			                  cc_lesson_status_name((int)l->status), s->hits[i].rank);
		if (ret == 0)
			ret = cc_buf_add_json_str(b, s->hits[i].snippet);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"source\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, l->source);
		if (ret == 0)
			ret = cc_buf_adds(b, "}");
	}
	if (ret == 0)
		ret = cc_buf_adds(b, "],\"facets\":{");
	if (ret == 0)
		ret = add_facets(b, "pillar", s->by_pillar, s->n_by_pillar, true);
	if (ret == 0)
		ret = add_facets(b, "mission", s->by_mission, s->n_by_mission, true);
	if (ret == 0)
		ret = add_facets(b, "status", s->by_status, s->n_by_status, true);
	if (ret == 0)
		ret = cc_buf_adds(b, "}}\n");
	return ret;
}

static int search_text(struct cc_buf *b, const struct cc_lesson_search *s, size_t limit)
{
	int ret = 0;

	for (size_t i = 0; i < s->n_hits && i < limit && ret == 0; i++) {
		const struct cc_lesson *l = &s->hits[i].lesson;

		ret = cc_buf_addf(b, "%zu. %s  %s  [%s]  %s  (bm25 %.3f)\n   %s\n", i + 1, l->key,
		                  l->title, l->pillars, cc_lesson_status_name((int)l->status),
		                  s->hits[i].rank, s->hits[i].snippet);
	}
	if (ret == 0)
		ret = cc_buf_addf(b, "%zu of %zu matching lessons shown\nfacets (all %zu):\n",
		                  s->n_hits < limit ? s->n_hits : limit, s->n_matched,
		                  s->n_matched);
	if (ret == 0)
		ret = add_facets(b, "pillar", s->by_pillar, s->n_by_pillar, false);
	if (ret == 0)
		ret = add_facets(b, "mission", s->by_mission, s->n_by_mission, false);
	if (ret == 0)
		ret = add_facets(b, "status", s->by_status, s->n_by_status, false);
	return ret;
}

static int lesson_search(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pillar", required_argument, NULL, O_PILLAR },
		{ "status", required_argument, NULL, O_STATUS },
		{ "json", no_argument, NULL, O_JSON },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_lesson_filter f = { .pillar = -1, .status = -1 };
	struct cc_lesson_search s;
	struct cc_buf q = CC_BUF_INIT(4096), out = CC_BUF_INIT(64u << 20);
	struct cc_err err = { 0 };
	struct cc_mission m;
	bool json = false;
	long long limit = 20;
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == O_PILLAR || opt == O_STATUS) {
			if (filter_opt(cli, opt, &f))
				return CLI_USAGE;
		} else if (opt == O_JSON) {
			json = true;
		} else if (opt == O_LIMIT) {
			char *end;

			limit = strtoll(optarg, &end, 10);
			if (*end || limit < 1)
				return cli_usage(cli, "--limit needs a positive number");
		} else {
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage(cli, "give the words to search for");
	for (int i = optind; i < argc; i++)
		if (cc_buf_addf(&q, "%s%s", i > optind ? " " : "", argv[i]) < 0)
			return cli_usage(cli, "query too long");
	if (cli->mission) {
		ret = cc_store_get_mission(cli->st, cli->mission, &m, &err);
		if (ret < 0) {
			cc_buf_release(&q);
			return cli_fail(&err);
		}
		f.mission_id = m.id;
	}
	ret = cc_lessons_search(cli->st, q.buf, &f, &s, &err);
	if (ret < 0) {
		cc_buf_release(&q);
		return cli_fail(&err);
	}
	ret = json ? search_json(&out, q.buf, &s, (size_t)limit)
	           : search_text(&out, &s, (size_t)limit);
	cc_lesson_search_release(&s);
	cc_buf_release(&q);
	if (ret < 0) {
		cc_err_set(&err, ret, "%s", cc_code_text(ret));
		return cli_fail(&err);
	}
	ret = cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}

static const struct {
	const char *name;
	cli_cmd_fn *run;
} subcommands[] = {
	{ .name = "add", .run = lesson_add },       { .name = "edit", .run = lesson_edit },
	{ .name = "import", .run = lesson_import }, { .name = "list", .run = lesson_list },
	{ .name = "show", .run = lesson_show },     { .name = "search", .run = lesson_search },
};

int cmd_lesson(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(cli, "give a subcommand: add, edit, import, list, show, search");
	for (size_t i = 0; i < N_OF(subcommands); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(cli, argc - 1, argv + 1);
	return cli_usage(cli,
	                 "unknown subcommand '%s'; the subcommands are: add, edit, import, "
	                 "list, show, search",
	                 argv[1]);
}
