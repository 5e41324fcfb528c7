/*
 * Reading a plan file (YAML through libyaml, JSON through jansson) into a struct cc_plan, and
 * cc_review_plan: the store reads plan review needs, the rules, and the lessons per finding.
 *
 * Both formats are first read into one small tree (struct pn: scalars as text, with the YAML
 * line of each node), which one converter turns into the plan; so the two formats accept the
 * same fields and report the same errors. libyaml and jansson allocate with malloc: their
 * memory is not counted by the allocation-failure tests (the tree and the plan are).
 */
#include <concord/review.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/events.h>
#include <concord/exposure.h>
#include <concord/indicators.h>
#include <concord/lessons.h>
#include <concord/overlap.h>
#include <concord/text.h>

#include "core/banned.h"

#define PLAN_MAX   (8u << 20) /* bytes of a plan file */
#define PLAN_DEPTH 16

enum pn_kind { PN_SCALAR = 0, PN_MAP, PN_SEQ };

struct pn {
	enum pn_kind kind;
	char *text;       /* PN_SCALAR; map keys are scalars */
	struct pn **kids; /* PN_MAP: key, value, key, value …; PN_SEQ: items */
	size_t n_kids;
	long line; /* 1-based, 0 unknown */
};

static void pn_free(struct pn *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n_kids; i++)
		pn_free(n->kids[i]);
	cc_free(n->kids);
	cc_free(n->text);
	cc_free(n);
}

static struct pn *pn_new(enum pn_kind kind, size_t n_kids, long line)
{
	struct pn *n = cc_calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->line = line;
	if (n_kids) {
		n->kids = cc_calloc(n_kids, sizeof(*n->kids));
		if (!n->kids) {
			cc_free(n);
			return NULL;
		}
	}
	return n;
}

static struct pn *pn_scalar(const char *s, size_t len, long line)
{
	struct pn *n = pn_new(PN_SCALAR, 0, line);

	if (n && !(n->text = cc_strndup(s, len))) {
		cc_free(n);
		return NULL;
	}
	return n;
}

/* YAML document node → tree; NULL on ENOMEM (*bad set when the input is too deep). */
static struct pn *from_yaml(yaml_document_t *doc, yaml_node_t *y, int depth, bool *bad)
{
	struct pn *n = NULL;
	long line = (long)y->start_mark.line + 1;
	size_t i = 0;

	if (depth > PLAN_DEPTH) {
		*bad = true;
		return NULL;
	}
	switch (y->type) {
	case YAML_SCALAR_NODE:
		return pn_scalar((const char *)y->data.scalar.value, y->data.scalar.length, line);
	case YAML_SEQUENCE_NODE:
		n = pn_new(PN_SEQ, (size_t)(y->data.sequence.items.top -
		                            y->data.sequence.items.start), line);
		if (!n)
			return NULL;
		for (yaml_node_item_t *it = y->data.sequence.items.start;
		     it < y->data.sequence.items.top; it++, i++) {
			n->kids[i] = from_yaml(doc, yaml_document_get_node(doc, *it), depth + 1, bad);
			n->n_kids = i + 1;
			if (!n->kids[i])
				goto out_fail;
		}
		return n;
	case YAML_MAPPING_NODE:
		n = pn_new(PN_MAP, 2 * (size_t)(y->data.mapping.pairs.top -
		                                y->data.mapping.pairs.start), line);
		if (!n)
			return NULL;
		for (yaml_node_pair_t *p = y->data.mapping.pairs.start;
		     p < y->data.mapping.pairs.top; p++) {
			yaml_node_t *key = yaml_document_get_node(doc, p->key);

			/* a key that is a list or a mapping has no name: read as "", an unknown field */
			n->kids[i] = key && key->type == YAML_SCALAR_NODE
			                     ? from_yaml(doc, key, depth + 1, bad)
			                     : pn_scalar("", 0, key ? (long)key->start_mark.line + 1
			                                             : line);
			n->n_kids = ++i;
			if (!n->kids[i - 1])
				goto out_fail;
			n->kids[i] = from_yaml(doc, yaml_document_get_node(doc, p->value),
			                       depth + 1, bad);
			n->n_kids = ++i;
			if (!n->kids[i - 1])
				goto out_fail;
		}
		return n;
	case YAML_NO_NODE:
		return pn_scalar("", 0, line);
	}
	return pn_scalar("", 0, line);
out_fail:
	pn_free(n);
	return NULL;
}

static struct pn *from_json(json_t *j, int depth, bool *bad)
{
	struct pn *n = NULL;
	char num[64];
	size_t i = 0;

	if (depth > PLAN_DEPTH) {
		*bad = true;
		return NULL;
	}
	switch (json_typeof(j)) {
	case JSON_STRING:
		return pn_scalar(json_string_value(j), json_string_length(j), 0);
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		return pn_scalar(num, strlen(num), 0);
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(j));
		return pn_scalar(num, strlen(num), 0);
	case JSON_TRUE:
		return pn_scalar("true", 4, 0);
	case JSON_FALSE:
		return pn_scalar("false", 5, 0);
	case JSON_NULL:
		return pn_scalar("", 0, 0);
	case JSON_ARRAY: {
		json_t *v;
		size_t k;

		n = pn_new(PN_SEQ, json_array_size(j), 0);
		if (!n)
			return NULL;
		json_array_foreach(j, k, v) {
			n->kids[k] = from_json(v, depth + 1, bad);
			n->n_kids = k + 1;
			if (!n->kids[k])
				goto out_fail;
		}
		return n;
	}
	case JSON_OBJECT: {
		const char *key;
		json_t *v;

		n = pn_new(PN_MAP, 2 * json_object_size(j), 0);
		if (!n)
			return NULL;
		json_object_foreach(j, key, v) {
			n->kids[i] = pn_scalar(key, strlen(key), 0);
			n->n_kids = ++i;
			if (!n->kids[i - 1])
				goto out_fail;
			n->kids[i] = from_json(v, depth + 1, bad);
			n->n_kids = ++i;
			if (!n->kids[i - 1])
				goto out_fail;
		}
		return n;
	}
	}
	return pn_scalar("", 0, 0);
out_fail:
	pn_free(n);
	return NULL;
}

/* ---- tree → plan ---- */

struct conv {
	const char *file;
	struct cc_err *err;
};

static int bad(struct conv *c, const struct pn *n, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad(struct conv *c, const struct pn *n, const char *field, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cc_err_set(c->err, CC_EINVALID, "%s", msg);
	cc_err_at(c->err, c->file, n ? n->line : 0, field);
	return CC_EINVALID;
}

static int text(struct conv *c, const struct pn *v, const char *field, char *dst, size_t n,
                bool lower)
{
	if (v->kind != PN_SCALAR)
		return bad(c, v, field, "expected text");
	if (strlen(v->text) >= n)
		return bad(c, v, field, "longer than %zu bytes", n - 1);
	for (size_t i = 0; v->text[i]; i++)
		dst[i] = lower && v->text[i] >= 'A' && v->text[i] <= 'Z' ? (char)(v->text[i] + 32)
		                                                         : v->text[i];
	dst[strlen(v->text)] = '\0';
	return 0;
}

/* A list of text (or one text) into rows of width w: *n_out items, at most max. */
static int list(struct conv *c, const struct pn *v, const char *field, char *rows, size_t w,
                size_t max, size_t *n_out, bool lower)
{
	size_t n = v->kind == PN_SEQ ? v->n_kids : 1;
	int rc;

	if (v->kind == PN_MAP)
		return bad(c, v, field, "expected text or a list of text");
	if (n > max)
		return bad(c, v, field, "more than %zu items", max);
	for (size_t i = 0; i < n; i++) {
		const struct pn *x = v->kind == PN_SEQ ? v->kids[i] : v;
		rc = text(c, x, field, rows + i * w, w, lower);
		if (rc)
			return rc;
		cc_text_trim(rows + i * w);
	}
	*n_out = n;
	return 0;
}

static int org(struct conv *c, const struct pn *m, struct cc_plan_org *o)
{
	char role[32] = "", local[8] = "";
	int rc = 0;

	o->is_local = -1;
	if (m->kind != PN_MAP)
		return bad(c, m, "organisations", "expected a mapping (name, type, role, …)");
	for (size_t i = 0; i + 1 < m->n_kids && !rc; i += 2) {
		const char *k = m->kids[i]->text;
		const struct pn *v = m->kids[i + 1];

		if (strcmp(k, "name") == 0)
			rc = text(c, v, k, o->name, sizeof(o->name), false);
		else if (strcmp(k, "type") == 0)
			rc = text(c, v, k, o->type, sizeof(o->type), false);
		else if (strcmp(k, "kind") == 0)
			rc = text(c, v, k, o->kind, sizeof(o->kind), true);
		else if (strcmp(k, "role") == 0)
			rc = text(c, v, k, role, sizeof(role), true);
		else if (strcmp(k, "local") == 0)
			rc = text(c, v, k, local, sizeof(local), true);
		else
			rc = bad(c, m->kids[i], k, "unknown field");
	}
	if (rc)
		return rc;
	if (!o->name[0])
		return bad(c, m, "name", "an organisation has no name");
	if (strcmp(local, "true") == 0 || strcmp(local, "yes") == 0)
		o->is_local = 1;
	else if (strcmp(local, "false") == 0 || strcmp(local, "no") == 0)
		o->is_local = 0;
	else if (local[0])
		return bad(c, m, "local", "expected true or false, not '%s'", local);
	if (strcmp(role, "lead") == 0)
		o->role = CC_ROLE_LEAD;
	else if (strcmp(role, "implementing") == 0)
		o->role = CC_ROLE_IMPLEMENTING;
	else if (strcmp(role, "funding") == 0)
		o->role = CC_ROLE_FUNDING;
	else if (role[0])
		return bad(c, m, "role", "unknown role '%s' (lead, implementing, funding)", role);
	return 0;
}

static int date(struct conv *c, const struct pn *v, const char *field, int32_t *out)
{
	char s[40];
	int rc = text(c, v, field, s, sizeof(s), false);

	if (rc)
		return rc;
	if (cc_date_parse(s, out, NULL))
		return bad(c, v, field, "not a date (YYYY-MM-DD): '%s'", s);
	return 0;
}

static int activity(struct conv *c, const struct pn *m, struct cc_plan_activity *a)
{
	char tmp[64];
	int rc = 0;

	a->start = a->end = CC_DATE_NONE;
	a->line = m->line;
	if (m->kind != PN_MAP)
		return bad(c, m, "activities", "an activity is not a mapping");
	for (size_t i = 0; i + 1 < m->n_kids && !rc; i += 2) {
		const char *k = m->kids[i]->text;
		const struct pn *v = m->kids[i + 1];

		if (strcmp(k, "id") == 0) {
			rc = text(c, v, k, a->id, sizeof(a->id), false);
		} else if (strcmp(k, "title") == 0) {
			rc = text(c, v, k, a->title, sizeof(a->title), false);
		} else if (strcmp(k, "pillar") == 0 || strcmp(k, "pillars") == 0) {
			rc = list(c, v, k, a->pillars[0], sizeof(a->pillars[0]),
			          CC_PLAN_MAX_PILLARS, &a->n_pillars, true);
		} else if (strcmp(k, "sector") == 0) {
			rc = text(c, v, k, a->sector, sizeof(a->sector), false);
		} else if (strcmp(k, "areas") == 0 || strcmp(k, "area") == 0) {
			rc = list(c, v, k, a->areas[0], sizeof(a->areas[0]), CC_PLAN_MAX_AREAS,
			          &a->n_areas, false);
		} else if (strcmp(k, "organisations") == 0) {
			if (v->kind != PN_SEQ)
				rc = bad(c, v, k, "expected a list of organisations");
			else if (v->n_kids > CC_PLAN_MAX_ORGS - a->n_orgs) /* the key may come twice */
				rc = bad(c, v, k, "more than %d organisations", CC_PLAN_MAX_ORGS);
			for (size_t j = 0; !rc && j < v->n_kids; j++)
				rc = org(c, v->kids[j], &a->orgs[a->n_orgs++]);
		} else if (strcmp(k, "budget") == 0) {
			rc = text(c, v, k, tmp, sizeof(tmp), false);
			if (!rc && tmp[0]) {
				if (cc_parse_double(tmp, &a->budget, NULL) || !isfinite(a->budget))
					rc = bad(c, v, k, "not a number: '%s'", tmp);
				a->has_budget = true;
			}
		} else if (strcmp(k, "currency") == 0) {
			rc = text(c, v, k, a->currency, sizeof(a->currency), false);
		} else if (strcmp(k, "start") == 0) {
			rc = date(c, v, k, &a->start);
		} else if (strcmp(k, "end") == 0) {
			rc = date(c, v, k, &a->end);
		} else if (strcmp(k, "risks") == 0) {
			struct cc_buf b = CC_BUF_INIT(sizeof(a->risks) - 1);
			size_t n = v->kind == PN_SEQ ? v->n_kids : 1;
			for (size_t j = 0; !rc && j < n; j++) {
				const struct pn *x = v->kind == PN_SEQ ? v->kids[j] : v;
				if (x->kind != PN_SCALAR)
					rc = bad(c, x, k, "expected text or a list of text");
				else if (cc_buf_adds(&b, j ? "; " : "") || cc_buf_adds(&b, x->text))
					rc = bad(c, x, k, "longer than %zu bytes",
					         sizeof(a->risks) - 1);
			}
			if (!rc)
				snprintf(a->risks, sizeof(a->risks), "%s", b.buf);
			cc_buf_release(&b);
		} else {
			rc = bad(c, m->kids[i], k, "unknown field");
		}
	}
	if (rc)
		return rc;
	if (!a->id[0])
		return bad(c, m, "id", "an activity has no id");
	return 0;
}

static int to_plan(struct conv *c, const struct pn *root, struct cc_plan *p)
{
	const struct pn *acts = NULL;
	int rc = 0;

	if (root->kind != PN_MAP)
		return bad(c, root, "", "a plan is a mapping with mission and activities");
	for (size_t i = 0; i + 1 < root->n_kids && !rc; i += 2) {
		const char *k = root->kids[i]->text;
		if (strcmp(k, "mission") == 0)
			rc = text(c, root->kids[i + 1], k, p->mission, sizeof(p->mission), false);
		else if (strcmp(k, "activities") == 0)
			acts = root->kids[i + 1];
		else
			rc = bad(c, root->kids[i], k, "unknown field");
	}
	if (rc)
		return rc;
	if (!acts || acts->kind != PN_SEQ || acts->n_kids == 0)
		return bad(c, acts ? acts : root, "activities", "a plan needs a list of activities");
	p->acts = cc_calloc(acts->n_kids, sizeof(*p->acts));
	if (!p->acts)
		return cc_err_set(c->err, CC_ENOMEM, "out of memory");
	p->n_acts = acts->n_kids;
	for (size_t i = 0; i < acts->n_kids && !rc; i++)
		rc = activity(c, acts->kids[i], &p->acts[i]);
	for (size_t i = 0; i < p->n_acts && !rc; i++)
		for (size_t j = 0; j < i && !rc; j++)
			if (strcmp(p->acts[i].id, p->acts[j].id) == 0)
				rc = bad(c, acts->kids[i], "id", "activity id '%s' used twice",
				         p->acts[i].id);
	return rc;
}

void cc_plan_release(struct cc_plan *p)
{
	if (!p)
		return;
	cc_free(p->acts);
	memset(p, 0, sizeof(*p));
}

static bool looks_json(const char *name, const char *text, size_t len)
{
	size_t n = strlen(name), i = 0;

	if (n >= 5 && strcmp(name + n - 5, ".json") == 0)
		return true;
	if (n >= 5 && (strcmp(name + n - 5, ".yaml") == 0 || strcmp(name + n - 4, ".yml") == 0))
		return false;
	while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
		i++;
	return i < len && text[i] == '{';
}

/* Parses YAML or JSON text into the tree; *root NULL on error (err set). */
static int load_tree(const char *name, const char *text, size_t len, bool json,
                     const char *what, struct pn **root, struct cc_err *err)
{
	struct conv c = { .file = name, .err = err };
	bool too_deep = false;
	int rc = 0;

	*root = NULL;
	if (json) {
		json_error_t je;
		json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
		if (!j) {
			if (json_error_code(&je) == json_error_out_of_memory)
				return cc_err_set(err, CC_ENOMEM, "out of memory");
			cc_err_set(err, CC_EPARSE, "malformed JSON: %s", je.text);
			cc_err_at(err, name, je.line > 0 ? je.line : 0, NULL);
			return CC_EPARSE;
		}
		*root = from_json(j, 0, &too_deep);
		json_decref(j);
	} else {
		yaml_parser_t parser;
		yaml_document_t doc;
		yaml_node_t *y;

		if (!yaml_parser_initialize(&parser))
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
		if (!yaml_parser_load(&parser, &doc)) {
			if (parser.error == YAML_MEMORY_ERROR) {
				rc = cc_err_set(err, CC_ENOMEM, "out of memory");
			} else {
				rc = cc_err_set(err, CC_EPARSE, "malformed YAML: %s%s%s",
				                parser.problem ? parser.problem : "syntax error",
				                parser.context ? " " : "",
				                parser.context ? parser.context : "");
				cc_err_at(err, name, (long)(parser.context ? parser.context_mark.line
				                                           : parser.problem_mark.line) + 1,
				          NULL);
			}
			yaml_parser_delete(&parser);
			return rc;
		}
		y = yaml_document_get_root_node(&doc);
		if (!y) {
			yaml_document_delete(&doc);
			yaml_parser_delete(&parser);
			return bad(&c, NULL, "", "the %s is empty", what);
		}
		*root = from_yaml(&doc, y, 0, &too_deep);
		yaml_document_delete(&doc);
		yaml_parser_delete(&parser);
	}
	if (!*root) {
		if (too_deep)
			return bad(&c, NULL, "", "nested deeper than %d levels", PLAN_DEPTH);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	return 0;
}

int cc_plan_parse(const char *name, const char *text, size_t len, struct cc_plan *out,
                  struct cc_err *err)
{
	struct conv c = { .file = name, .err = err };
	struct pn *root = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->file, sizeof(out->file), "%s", name);
	rc = load_tree(name, text, len, looks_json(name, text, len), "plan", &root, err);
	if (rc)
		return rc;
	rc = to_plan(&c, root, out);
	pn_free(root);
	if (rc)
		cc_plan_release(out);
	return rc;
}

/* The whole file into b (at most PLAN_MAX bytes); err names the file on failure. */
static int slurp(const char *path, struct cc_buf *b, struct cc_err *err)
{
	char chunk[8192];
	FILE *f;
	size_t n;
	int rc = 0;

	f = fopen(path, "rb");
	if (!f) {
		cc_err_set(err, CC_EIO, "cannot open: %s", strerror(errno));
		cc_err_at(err, path, 0, NULL);
		return CC_EIO;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && !rc)
		rc = cc_buf_add(b, chunk, n);
	if (!rc && ferror(f))
		rc = CC_EIO;
	fclose(f);
	if (rc) {
		cc_err_set(err, rc, "%s", rc == CC_ETOOBIG ? "file too big" : cc_code_text(rc));
		cc_err_at(err, path, 0, NULL);
	}
	return rc;
}

int cc_plan_read(const char *path, struct cc_plan *out, struct cc_err *err)
{
	struct cc_buf b = CC_BUF_INIT(PLAN_MAX);
	int rc;

	memset(out, 0, sizeof(*out));
	rc = slurp(path, &b, err);
	if (!rc)
		rc = cc_plan_parse(path, b.buf ? b.buf : "", b.len, out, err);
	cc_buf_release(&b);
	return rc;
}

/* ---- rules file ---- */

/* A number in [lo, hi] (an integer when integer is set). */
static int number(struct conv *c, const struct pn *v, const char *field, double lo, double hi,
                  bool integer, double *out)
{
	char s[64];
	int rc = text(c, v, field, s, sizeof(s), false);

	if (rc)
		return rc;
	if (cc_parse_double(s, out, NULL) || !isfinite(*out))
		return bad(c, v, field, "not a number: '%s'", s);
	if (integer && *out != floor(*out))
		return bad(c, v, field, "not a whole number: '%s'", s);
	if (*out < lo || *out > hi)
		return bad(c, v, field, "%s is out of range (%g to %g)", s, lo, hi);
	return 0;
}

static int rule_cfg(struct conv *c, const struct pn *key, const struct pn *m,
                    struct cc_review_config *cfg)
{
	const struct cc_review_rule *rule =
	        key->kind == PN_SCALAR ? cc_review_rule_find(key->text) : NULL;
	const struct cc_review_rule *all = cc_review_rules(NULL);
	struct cc_review_rule_cfg *rc_;
	const struct pn *reason_at = m;
	char field[64], tmp[32];
	bool reason_given = false;
	double v;
	int rc = 0;

	if (key->kind != PN_SCALAR)
		return bad(c, key, "rules", "a rule id is text (R1 to R%d)", CC_REVIEW_N_RULES);
	if (!rule || strcmp(rule->id, key->text) != 0)
		return bad(c, key, key->text, "unknown rule '%s' (R1 to R%d)", key->text,
		           CC_REVIEW_N_RULES);
	rc_ = &cfg->rule[rule - all];
	if (m->kind != PN_MAP)
		return bad(c, m, rule->id, "expected a mapping (enabled, severity, …)");
	for (size_t i = 0; i + 1 < m->n_kids && !rc; i += 2) {
		const char *k = m->kids[i]->text;
		const struct pn *val = m->kids[i + 1];
		bool r3 = strcmp(rule->id, "R3") == 0, r7 = strcmp(rule->id, "R7") == 0;

		snprintf(field, sizeof(field), "%s.%s", rule->id, k);
		if (strcmp(k, "enabled") == 0) {
			rc = text(c, val, field, tmp, sizeof(tmp), true);
			if (!rc && (strcmp(tmp, "true") == 0 || strcmp(tmp, "yes") == 0))
				rc_->enabled = true;
			else if (!rc && (strcmp(tmp, "false") == 0 || strcmp(tmp, "no") == 0))
				rc_->enabled = false;
			else if (!rc)
				rc = bad(c, val, field, "expected true or false, not '%s'", tmp);
		} else if (strcmp(k, "severity") == 0) {
			rc = text(c, val, field, tmp, sizeof(tmp), true);
			if (!rc && cc_severity_parse(tmp) < 0)
				rc = bad(c, val, field, "unknown severity '%s' (error, warning, info)",
				         tmp);
			if (!rc)
				rc_->severity = (enum cc_severity)cc_severity_parse(tmp);
		} else if (strcmp(k, "reason") == 0) {
			rc = text(c, val, field, rc_->reason, sizeof(rc_->reason), false);
			cc_text_trim(rc_->reason);
			reason_given = true;
			reason_at = val;
		} else if (r3 && strcmp(k, "threshold") == 0) {
			rc = number(c, val, field, 1, 1000000, true, &v);
			cfg->threshold = rc ? cfg->threshold : (size_t)v;
		} else if (r3 && strcmp(k, "window_days") == 0) {
			rc = number(c, val, field, 1, 3650, true, &v);
			cfg->window_days = rc ? cfg->window_days : (int)v;
		} else if (r7 && strcmp(k, "min_score") == 0) {
			rc = number(c, val, field, 0, 1, false, &v);
			cfg->min_score = rc ? cfg->min_score : v;
		} else if (r7 && strcmp(k, "level") == 0) {
			rc = number(c, val, field, 0, 5, true, &v);
			cfg->level = rc ? cfg->level : (int)v;
		} else {
			rc = bad(c, m->kids[i], field, "unknown field '%s' for rule %s", k, rule->id);
		}
	}
	if (rc)
		return rc;
	if (!rc_->enabled && !rc_->reason[0]) {
		snprintf(field, sizeof(field), "%s.reason", rule->id);
		return bad(c, reason_given ? reason_at : key, field,
		           "rule %s is turned off without a reason", rule->id);
	}
	if (rc_->enabled)
		rc_->reason[0] = '\0';
	return 0;
}

int cc_review_config_parse(const char *name, const char *text, size_t len,
                           struct cc_review_config *cfg, struct cc_err *err)
{
	struct conv c = { .file = name, .err = err };
	struct cc_review_config work = *cfg;
	struct pn *root = NULL;
	int rc;

	rc = load_tree(name, text, len, looks_json(name, text, len), "rules file", &root, err);
	if (rc)
		return rc;
	if (root->kind != PN_MAP)
		rc = bad(&c, root, "", "a rules file is a mapping with 'rules'");
	for (size_t i = 0; !rc && i + 1 < root->n_kids; i += 2) {
		const struct pn *k = root->kids[i], *v = root->kids[i + 1];

		if (k->kind != PN_SCALAR || strcmp(k->text, "rules") != 0) {
			rc = k->kind != PN_SCALAR ? bad(&c, k, "", "a field name is text")
			                          : bad(&c, k, k->text, "unknown field");
			break;
		}
		if (v->kind != PN_MAP) {
			rc = bad(&c, v, "rules", "expected a mapping of rule ids (R1: …)");
			break;
		}
		for (size_t j = 0; !rc && j + 1 < v->n_kids; j += 2)
			rc = rule_cfg(&c, v->kids[j], v->kids[j + 1], &work);
	}
	pn_free(root);
	if (!rc)
		*cfg = work;
	return rc;
}

int cc_review_config_read(const char *path, struct cc_review_config *cfg, struct cc_err *err)
{
	struct cc_buf b = CC_BUF_INIT(PLAN_MAX);
	int rc = slurp(path, &b, err);

	if (!rc)
		rc = cc_review_config_parse(path, b.buf ? b.buf : "", b.len, cfg, err);
	cc_buf_release(&b);
	return rc;
}

/* ---- review against the store ---- */

static int cmp_area_pcode(const void *a, const void *b)
{
	return strcmp(((const struct cc_area *)a)->pcode, ((const struct cc_area *)b)->pcode);
}

struct id_ix {
	int64_t id;
	size_t ix;
};

static int cmp_id(const void *a, const void *b)
{
	int64_t x = ((const struct id_ix *)a)->id, y = ((const struct id_ix *)b)->id;
	return (x > y) - (x < y);
}

static const struct cc_area *area_by_id(const struct cc_area *areas, const struct id_ix *ids,
                                        size_t n, int64_t id)
{
	struct id_ix key = { .id = id };
	const struct id_ix *hit = bsearch(&key, ids, n, sizeof(*ids), cmp_id);
	return hit ? &areas[hit->ix] : NULL;
}

/* Counts the window's incidents in each of the plan's areas (an incident counts upwards). */
static int count_incidents(struct cc_store *st, const struct cc_plan *plan,
                           const struct cc_area *areas, size_t n_areas,
                           const struct cc_review_opts *o, struct cc_review_inputs *in,
                           struct cc_area_count **counts_out, struct cc_err *err)
{
	struct cc_incident_query q = { 0 };
	struct cc_exposure_incident *inc = NULL;
	char (*types)[64] = NULL;
	struct id_ix *ids = NULL;
	struct cc_area_count *counts = NULL;
	int64_t *count_ids = NULL;
	size_t n_inc = 0, n_types = 0, n_counts = 0, total = 0;
	int32_t latest;
	int rc;

	in->window_days = o->window_days > 0 ? o->window_days : 90;
	rc = cc_store_latest_incident(st, &latest, err);
	if (rc == CC_ENOTFOUND) {
		cc_err_clear(err);
		in->have_events = false;
		return 0;
	}
	if (rc)
		return rc;
	in->have_events = true;
	in->as_of = o->as_of != CC_DATE_NONE ? o->as_of : latest;
	for (size_t i = 0; i < plan->n_acts; i++)
		total += plan->acts[i].n_areas;
	counts = cc_calloc(total ? total : 1, sizeof(*counts));
	count_ids = cc_calloc(total ? total : 1, sizeof(*count_ids));
	ids = cc_calloc(n_areas ? n_areas : 1, sizeof(*ids));
	if (!counts || !count_ids || !ids) {
		rc = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < n_areas; i++)
		ids[i] = (struct id_ix){ .id = areas[i].id, .ix = i };
	qsort(ids, n_areas, sizeof(*ids), cmp_id);
	/* the plan's distinct P-codes that are stored */
	for (size_t i = 0; i < plan->n_acts; i++) {
		for (size_t j = 0; j < plan->acts[i].n_areas; j++) {
			struct cc_area key;
			const struct cc_area *a;
			bool seen = false;

			snprintf(key.pcode, sizeof(key.pcode), "%s", plan->acts[i].areas[j]);
			a = bsearch(&key, areas, n_areas, sizeof(*areas), cmp_area_pcode);
			if (!a)
				continue;
			for (size_t k = 0; k < n_counts && !seen; k++)
				seen = count_ids[k] == a->id;
			if (seen)
				continue;
			snprintf(counts[n_counts].pcode, sizeof(counts[n_counts].pcode), "%s",
			         a->pcode);
			count_ids[n_counts++] = a->id;
		}
	}
	q.to = in->as_of;
	q.from = in->as_of - in->window_days + 1;
	rc = cc_store_load_incidents(st, &q, &inc, &n_inc, &types, &n_types, err);
	if (rc)
		goto out_free;
	for (size_t i = 0; i < n_inc; i++) {
		int64_t id = inc[i].area_id;
		for (int depth = 0; id && depth < 16; depth++) {
			const struct cc_area *a = area_by_id(areas, ids, n_areas, id);
			for (size_t k = 0; k < n_counts; k++)
				if (count_ids[k] == id)
					counts[k].n++;
			id = a ? a->parent_id : 0;
		}
	}
	in->counts = counts;
	in->n_counts = n_counts;
	*counts_out = counts;
	counts = NULL;
out_free:
	cc_free(inc);
	cc_free(types);
	cc_free(ids);
	cc_free(count_ids);
	cc_free(counts);
	return rc;
}

static const char *const stop_words[] = {
	"and", "for", "the", "with", "from", "into", "of", "in", "to", "on", "by", "at", "an",
	"or", "not", "near", "its", "their", "this", "that", "new",
};

struct agg {
	struct cc_review_lesson l;
	size_t n_words;
	bool in_area; /* one of the lesson's areas is a place of the finding (see finding_places) */
	double rank;
};

/* Words matched (more first), then the area (a lesson of the finding's place first), then bm25. */
static int cmp_agg(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;

	if (x->n_words != y->n_words)
		return x->n_words > y->n_words ? -1 : 1;
	if (x->in_area != y->in_area)
		return x->in_area ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->l.key, y->l.key);
}

/* The words of s (ASCII letters and digits, >= 3 long, lowercased, no stop words) into w. */
static size_t words(const char *s, char (*w)[32], size_t n, size_t max)
{
	for (const char *p = s; *p && n < max;) {
		char word[32];
		size_t len = 0;
		bool dup = false;

		while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		               (*p >= '0' && *p <= '9')))
			p++;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		       (*p >= '0' && *p <= '9')) {
			if (len + 1 < sizeof(word))
				word[len++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			p++;
		}
		word[len] = '\0';
		if (len < 3)
			continue;
		for (size_t i = 0; i < sizeof(stop_words) / sizeof(stop_words[0]) && !dup; i++)
			dup = strcmp(word, stop_words[i]) == 0;
		for (size_t i = 0; i < n && !dup; i++)
			dup = strcmp(word, w[i]) == 0;
		if (!dup)
			memcpy(w[n++], word, len + 1);
	}
	return n;
}

#define MAX_PLACES 64

/* The stored areas of the review, sorted by P-code, and their ids (for the climb to parents). */
struct places_ctx {
	const struct cc_area *areas;
	const struct id_ix *ids;
	size_t n_areas;
	const struct cc_plan *plan;
};

/* Adds the P-code and, when it is stored, each of its ancestors to places (no duplicates). */
static size_t add_place(const struct places_ctx *c, const char *pcode, char (*places)[32], size_t n)
{
	struct cc_area key;
	const struct cc_area *a;

	for (size_t depth = 0; pcode && pcode[0] && n < MAX_PLACES && depth < 16; depth++) {
		bool dup = false;

		for (size_t i = 0; i < n && !dup; i++)
			dup = strcmp(places[i], pcode) == 0;
		if (!dup)
			snprintf(places[n++], sizeof(places[0]), "%s", pcode);
		snprintf(key.pcode, sizeof(key.pcode), "%s", pcode);
		a = c->areas
		            ? bsearch(&key, c->areas, c->n_areas, sizeof(*c->areas), cmp_area_pcode)
		            : NULL;
		if (!a || !a->parent_id)
			break;
		a = area_by_id(c->areas, c->ids, c->n_areas, a->parent_id);
		pcode = a ? a->pcode : NULL;
	}
	return n;
}

/*
 * The places of a finding: the P-code its item names ("area AF0101"), else the areas of its
 * activity, each with its stored ancestors.
 */
static size_t finding_places(const struct places_ctx *c, const struct cc_finding *f,
                             char (*places)[32])
{
	size_t n = 0;

	if (!strncmp(f->item, "area ", 5))
		return add_place(c, f->item + 5, places, 0);
	for (size_t i = 0; c->plan && f->activity[0] && i < c->plan->n_acts; i++) {
		const struct cc_plan_activity *a = &c->plan->acts[i];

		if (strcmp(a->id, f->activity) != 0)
			continue;
		for (size_t j = 0; j < a->n_areas; j++)
			n = add_place(c, a->areas[j], places, n);
		break;
	}
	return n;
}

/*
 * Does the lesson's area list (comma-separated) name one of the places? A two-letter area is a
 * country (ISO 3166-1 alpha-2), with which the P-codes of its areas begin (AF for AF0601).
 */
static bool lesson_in_places(const char *list, char (*places)[32], size_t n)
{
	char buf[32];

	while (n && *list) {
		size_t len = strcspn(list, ",");
		const char *part;

		snprintf(buf, sizeof(buf), "%.*s", (int)(len < 31 ? len : 31), list);
		part = cc_text_trim(buf);
		for (size_t i = 0; part[0] && i < n; i++) {
			if (!strcasecmp(part, places[i]))
				return true;
			if (strlen(part) == 2 && !strncasecmp(part, places[i], 2) &&
			    strlen(places[i]) > 2)
				return true;
		}
		list += len + (list[len] == ',');
	}
	return false;
}

static int match_lessons(struct cc_store *st, const struct places_ctx *pc, struct cc_finding *f,
                         int pillar, struct cc_err *err)
{
	char places[MAX_PLACES][32];
	size_t n_places = finding_places(pc, f, places);
	const struct cc_review_rule *rule = cc_review_rule_find(f->rule);
	struct cc_lesson_filter flt = { .pillar = pillar, .status = -1, .mission_id = 0 };
	char w[24][32];
	struct agg *agg = NULL;
	size_t n_w, n_agg = 0, cap = 0;
	int rc = 0;

	n_w = words(rule ? rule->keywords : "", w, 0, 24);
	n_w = words(f->title, w, n_w, 24);
	for (size_t i = 0; i < n_w && !rc; i++) {
		struct cc_lesson_search s;

		rc = cc_lessons_search(st, w[i], &flt, &s, err);
		if (rc)
			break;
		for (size_t h = 0; h < s.n_hits && !rc; h++) {
			const struct cc_lesson *l = &s.hits[h].lesson;
			size_t k = 0;

			while (k < n_agg && strcmp(agg[k].l.key, l->key) != 0)
				k++;
			if (k == n_agg) {
				if (n_agg == cap) {
					size_t nc = cap ? 2 * cap : 16;
					struct agg *p = cc_realloc(agg, nc * sizeof(*p));
					if (!p) {
						rc = cc_err_set(err, CC_ENOMEM, "out of memory");
						break;
					}
					agg = p;
					cap = nc;
				}
				memset(&agg[k], 0, sizeof(agg[k]));
				snprintf(agg[k].l.key, sizeof(agg[k].l.key), "%s", l->key);
				snprintf(agg[k].l.title, sizeof(agg[k].l.title), "%s", l->title);
				agg[k].in_area = lesson_in_places(l->areas, places, n_places);
				n_agg++;
			}
			agg[k].n_words++;
			agg[k].rank += s.hits[h].rank;
		}
		cc_lesson_search_release(&s);
	}
	if (!rc && n_agg) {
		qsort(agg, n_agg, sizeof(*agg), cmp_agg);
		f->n_lessons = n_agg < 3 ? n_agg : 3;
		for (size_t i = 0; i < f->n_lessons; i++)
			f->lessons[i] = agg[i].l;
	}
	cc_free(agg);
	return rc;
}

/* The plan's items for R7: one per activity and stored P-code (see cc_review_inputs). */
struct planned {
	struct cc_overlap_input reg;
	struct cc_overlap_activity *items;
	size_t *act;
	size_t n;
};

static void planned_release(struct planned *x)
{
	cc_overlap_input_release(&x->reg);
	cc_free(x->items);
	cc_free(x->act);
}

static bool dac_code(const char *s)
{
	size_t n = strlen(s);

	if (n != 3 && n != 5)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * The sector and category of a plan activity as the registered activities number them: the
 * sector_id of a registered activity with the same sector code, and the category_id of one
 * whose DAC code has the same first three digits; else a sector id of its own (that no stored
 * sector has) and no category.
 */
static void plan_sector(const struct cc_overlap_input *reg, const char *code, size_t k,
                        struct cc_overlap_activity *it)
{
	it->sector_id = INT64_MAX - (int64_t)k - 1;
	it->category_id = 0;
	for (size_t i = 0; code[0] && i < reg->n; i++)
		if (strcmp(reg->acts[i].sector, code) == 0) {
			it->sector_id = reg->acts[i].sector_id;
			break;
		}
	if (!dac_code(code))
		return;
	for (size_t i = 0; i < reg->n; i++)
		if (reg->acts[i].category_id > 0 && dac_code(reg->acts[i].sector) &&
		    strncmp(reg->acts[i].sector, code, 3) == 0) {
			it->category_id = reg->acts[i].category_id;
			break;
		}
}

/*
 * The code a plan's sector text stands for, as an import resolves it: the text itself when it is
 * a code of the DAC sector, DAC category or IASC cluster lists, else the code of its alias in
 * one of them ("WASH" → "WSH"); else the text as written.
 */
static void sector_code(struct cc_store *st, const char *text, char *code, size_t n)
{
	static const char *const lists[] = { "Sector", "SectorCategory", "IASCCluster" };

	snprintf(code, n, "%s", text);
	for (size_t i = 0; text[0] && i < sizeof(lists) / sizeof(lists[0]); i++)
		if (cc_store_resolve_code(st, lists[i], text, "", code, n, NULL) == 0)
			return;
	snprintf(code, n, "%s", text);
}

static int build_planned(struct cc_store *st, int64_t mission_id, const struct cc_plan *plan,
                         const struct cc_area *areas, const struct id_ix *ids, size_t n_areas,
                         struct planned *x, struct cc_err *err)
{
	size_t total = 0;
	int rc;

	if (!mission_id)
		return 0;
	rc = cc_store_load_overlap(st, mission_id, &x->reg, err);
	if (rc == CC_EUNSUPPORTED) {
		cc_err_clear(err);
		return 0;
	}
	if (rc || x->reg.n == 0)
		return rc;
	for (size_t i = 0; i < plan->n_acts; i++)
		total += plan->acts[i].n_areas;
	x->items = cc_calloc(total ? total : 1, sizeof(*x->items));
	x->act = cc_calloc(total ? total : 1, sizeof(*x->act));
	if (!x->items || !x->act)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t k = 0; k < plan->n_acts; k++) {
		const struct cc_plan_activity *a = &plan->acts[k];
		char code[64];

		sector_code(st, a->sector, code, sizeof(code));
		for (size_t j = 0; j < a->n_areas; j++) {
			struct cc_overlap_activity *it = &x->items[x->n];
			struct cc_area key;
			const struct cc_area *ar, *up;

			snprintf(key.pcode, sizeof(key.pcode), "%s", a->areas[j]);
			ar = bsearch(&key, areas, n_areas, sizeof(*areas), cmp_area_pcode);
			if (!ar)
				continue; /* an unknown P-code is R6's */
			memset(it, 0, sizeof(*it));
			it->id = -(int64_t)x->n - 1;
			it->org_id = -(int64_t)k - 1;
			plan_sector(&x->reg, code, k, it);
			it->area_id = ar->id;
			it->area_level = ar->level;
			up = ar;
			for (int hop = 0; up && hop < 16; hop++) {
				if (up->level >= 0 && up->level < CC_OV_LEVELS && !it->path[up->level])
					it->path[up->level] = up->id;
				up = up->parent_id ? area_by_id(areas, ids, n_areas, up->parent_id)
				                   : NULL;
			}
			it->start = a->start;
			it->end = a->end;
			it->lat = it->lon = (double)NAN;
			it->targeted = it->reached = (double)NAN;
			it->title = a->title;
			it->description = "";
			it->org = a->n_orgs ? a->orgs[0].name : "";
			it->sector = a->sector;
			it->pcode = ar->pcode;
			x->act[x->n++] = k;
		}
	}
	return 0;
}

/* R8's counts: the mission's indicators per pillar, and those with a baseline benchmark. */
static int count_baselines(struct cc_store *st, int64_t mission_id, struct cc_review_inputs *in,
                           struct cc_err *err)
{
	struct cc_indicator_data d = { 0 };
	int rc;

	if (!mission_id)
		return 0;
	rc = cc_store_load_indicator_data(
	        st, &(struct cc_indicator_query){ .mission_id = mission_id, .at = CC_DATE_NONE },
	        &d, err);
	if (rc == CC_EUNSUPPORTED) {
		cc_err_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	for (size_t i = 0; i < d.n_indicators; i++) {
		int pl = cc_pillar_parse(d.indicators[i].pillar);
		bool base = false;

		if (pl < 0)
			continue;
		in->indicators[pl]++;
		for (size_t j = 0; j < d.n_benchmarks && !base; j++)
			base = d.benchmarks[j].kind == CC_BENCH_BASELINE &&
			       strcmp(d.benchmarks[j].indicator, d.indicators[i].code) == 0;
		in->baselines[pl] += base;
	}
	cc_indicator_data_release(&d);
	return 0;
}

int cc_review_plan(struct cc_store *st, const struct cc_plan *plan,
                   const struct cc_review_opts *opts, struct cc_review_result *out,
                   struct cc_err *err)
{
	struct cc_review_opts def = { .as_of = CC_DATE_NONE };
	const struct cc_review_opts *o = opts ? opts : &def;
	struct cc_review_config cfg;
	struct cc_area_filter af = { .level = -1 };
	struct cc_review_inputs in = { 0 };
	struct cc_area *areas = NULL;
	struct cc_area_count *counts = NULL;
	struct planned pl = { 0 };
	struct id_ix *ids = NULL;
	char (*known)[32] = NULL;
	size_t n_areas = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (o->config)
		cfg = *o->config;
	else
		cc_review_config_default(&cfg);
	rc = cc_store_list_areas(st, &af, &areas, &n_areas, err);
	if (rc)
		return rc;
	qsort(areas, n_areas, sizeof(*areas), cmp_area_pcode);
	known = cc_calloc(n_areas ? n_areas : 1, sizeof(*known));
	ids = cc_calloc(n_areas ? n_areas : 1, sizeof(*ids));
	if (!known || !ids) {
		rc = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < n_areas; i++) {
		snprintf(known[i], sizeof(known[i]), "%s", areas[i].pcode);
		ids[i] = (struct id_ix){ .id = areas[i].id, .ix = i };
	}
	qsort(ids, n_areas, sizeof(*ids), cmp_id);
	in.config = &cfg;
	in.known_pcodes = (const char (*)[32])known;
	in.n_known_pcodes = n_areas;
	in.threshold = o->threshold;
	in.disabled = o->disabled;
	in.n_disabled = o->n_disabled;
	{
		struct cc_review_opts oo = *o;

		oo.window_days = o->window_days > 0 ? o->window_days : cfg.window_days;
		rc = count_incidents(st, plan, areas, n_areas, &oo, &in, &counts, err);
	}
	if (!rc && cfg.rule[6].enabled)
		rc = build_planned(st, o->mission_id, plan, areas, ids, n_areas, &pl, err);
	if (!rc && cfg.rule[7].enabled)
		rc = count_baselines(st, o->mission_id, &in, err);
	if (rc)
		goto out_free;
	in.registered = pl.reg.acts;
	in.n_registered = pl.reg.n;
	in.planned = pl.items;
	in.planned_act = pl.act;
	in.n_planned = pl.n;
	rc = cc_review_run(plan, &in, out, err);
	if (rc)
		goto out_free;
	for (size_t i = 0; i < out->n_findings && !rc; i++) {
		struct cc_finding *f = &out->findings[i];
		struct places_ctx pc = {
			.areas = areas, .ids = ids, .n_areas = n_areas, .plan = plan
		};

		rc = match_lessons(st, &pc, f, f->pillar, err);
		if (!rc && f->n_lessons == 0 && f->pillar >= 0)
			rc = match_lessons(st, &pc, f, -1, err);
	}
	if (rc)
		cc_review_release(out);
out_free:
	planned_release(&pl);
	cc_free(counts);
	cc_free(ids);
	cc_free(known);
	cc_free(areas);
	return rc;
}
