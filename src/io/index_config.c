/*
 * Reading an index definition (docs/index.md): YAML through libyaml or JSON through jansson,
 * both first turned into one small tree of text scalars with their YAML line, which a single
 * walker turns into struct cc_index_config, so both formats accept the same keys and report
 * the same errors. libyaml and jansson allocate with malloc: their memory is not counted by the
 * allocation-failure hooks (the tree and the configuration are).
 */
#include <concord/index.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/model.h>
#include <concord/text.h>

#include "core/banned.h"

#define CONFIG_MAX   (1u << 20) /* bytes of a definition file */
#define CONFIG_DEPTH 8

enum cn_kind { CN_SCALAR = 0, CN_MAP, CN_SEQ };

struct cn {
	enum cn_kind kind;
	char *text;       /* CN_SCALAR */
	struct cn **kids; /* CN_MAP: key, value, key, value …; CN_SEQ: items */
	size_t n_kids;
	long line; /* 1-based, 0 unknown (JSON) */
};

static void cn_free(struct cn *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n_kids; i++)
		cn_free(n->kids[i]);
	cc_free(n->kids);
	cc_free(n->text);
	cc_free(n);
}

static struct cn *cn_new(enum cn_kind kind, size_t n_kids, long line, const char *text, size_t len)
{
	struct cn *n = cc_calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->line = line;
	if ((n_kids && !(n->kids = cc_alloc_array(n_kids, sizeof(*n->kids)))) ||
	    (kind == CN_SCALAR && !(n->text = cc_strndup(text ? text : "", len)))) {
		cc_free(n->kids);
		cc_free(n);
		return NULL;
	}
	return n;
}

/* NULL: out of memory, or too deep (*deep set). */
static struct cn *cn_yaml(yaml_document_t *doc, yaml_node_t *y, int depth, bool *deep)
{
	long line = (long)y->start_mark.line + 1;
	struct cn *n;

	if (depth > CONFIG_DEPTH) {
		*deep = true;
		return NULL;
	}
	switch (y->type) {
	case YAML_SCALAR_NODE:
		return cn_new(CN_SCALAR, 0, line, (const char *)y->data.scalar.value,
		              y->data.scalar.length);
	case YAML_SEQUENCE_NODE:
		n = cn_new(CN_SEQ,
		           (size_t)(y->data.sequence.items.top - y->data.sequence.items.start),
		           line, NULL, 0);
		if (!n)
			return NULL;
		for (yaml_node_item_t *it = y->data.sequence.items.start;
		     it < y->data.sequence.items.top; it++) {
			struct cn *k =
			        cn_yaml(doc, yaml_document_get_node(doc, *it), depth + 1, deep);

			if (!k)
				goto out_fail;
			n->kids[n->n_kids++] = k;
		}
		return n;
	case YAML_MAPPING_NODE:
		n = cn_new(CN_MAP,
		           2 * (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start),
		           line, NULL, 0);
		if (!n)
			return NULL;
		for (yaml_node_pair_t *p = y->data.mapping.pairs.start;
		     p < y->data.mapping.pairs.top; p++) {
			struct cn *k =
			        cn_yaml(doc, yaml_document_get_node(doc, p->key), depth + 1, deep);
			struct cn *v;

			if (!k)
				goto out_fail;
			n->kids[n->n_kids++] = k;
			v = cn_yaml(doc, yaml_document_get_node(doc, p->value), depth + 1, deep);
			if (!v)
				goto out_fail;
			n->kids[n->n_kids++] = v;
		}
		return n;
	case YAML_NO_NODE:
		break;
	}
	return cn_new(CN_SCALAR, 0, line, "", 0);
out_fail:
	cn_free(n);
	return NULL;
}

static struct cn *cn_json(json_t *j, int depth, bool *deep)
{
	char num[64];
	struct cn *n;
	size_t i;

	if (depth > CONFIG_DEPTH) {
		*deep = true;
		return NULL;
	}
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *v;

		if (!(n = cn_new(CN_MAP, 2 * json_object_size(j), 0, NULL, 0)))
			return NULL;
		json_object_foreach(j, key, v)
		{
			struct cn *k = cn_new(CN_SCALAR, 0, 0, key, strlen(key)), *x;

			if (!k)
				goto out_fail;
			n->kids[n->n_kids++] = k;
			if (!(x = cn_json(v, depth + 1, deep)))
				goto out_fail;
			n->kids[n->n_kids++] = x;
		}
		return n;
	}
	case JSON_ARRAY: {
		json_t *v;

		if (!(n = cn_new(CN_SEQ, json_array_size(j), 0, NULL, 0)))
			return NULL;
		json_array_foreach(j, i, v)
		{
			struct cn *x = cn_json(v, depth + 1, deep);

			if (!x)
				goto out_fail;
			n->kids[n->n_kids++] = x;
		}
		return n;
	}
	case JSON_STRING:
		return cn_new(CN_SCALAR, 0, 0, json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		return cn_new(CN_SCALAR, 0, 0, num, strlen(num));
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(j));
		return cn_new(CN_SCALAR, 0, 0, num, strlen(num));
	case JSON_TRUE:
		return cn_new(CN_SCALAR, 0, 0, "true", 4);
	case JSON_FALSE:
		return cn_new(CN_SCALAR, 0, 0, "false", 5);
	case JSON_NULL:
		return cn_new(CN_SCALAR, 0, 0, "", 0);
	}
	return cn_new(CN_SCALAR, 0, 0, "", 0);
out_fail:
	cn_free(n);
	return NULL;
}

/* ---- the walker ---- */

struct ctx {
	const char *name;
	struct cc_err *err;
};

__attribute__((format(printf, 4, 5))) static int bad(const struct ctx *c, const struct cn *n,
                                                     const char *field, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cc_err_set(c->err, CC_EINVALID, "%s", msg);
	cc_err_at(c->err, c->name, n ? n->line : 0, field);
	return CC_EINVALID;
}

static int want(const struct ctx *c, const struct cn *n, enum cn_kind k, const char *field)
{
	static const char *const what[] = { "a value", "a mapping", "a list" };

	if (n->kind != k)
		return bad(c, n, field, "'%s' must be %s", field, what[k]);
	return 0;
}

static int number(const struct ctx *c, const struct cn *n, const char *field, double *out)
{
	struct cc_err e = { 0 };
	int ret;

	if ((ret = want(c, n, CN_SCALAR, field)) < 0)
		return ret;
	if (cc_parse_double(n->text, out, &e) < 0 || !isfinite(*out))
		return bad(c, n, field, "'%s' is not a number", n->text);
	return 0;
}

static int text(const struct ctx *c, const struct cn *n, const char *field, char *out, size_t size)
{
	int ret;

	if ((ret = want(c, n, CN_SCALAR, field)) < 0)
		return ret;
	if (strlen(n->text) >= size)
		return bad(c, n, field, "'%s' is longer than %zu bytes", field, size - 1);
	snprintf(out, size, "%s", n->text);
	return 0;
}

static int pillar_name(const struct ctx *c, const struct cn *n, const char *field, char *out)
{
	int ret = text(c, n, field, out, 32);

	if (ret == 0 && cc_pillar_parse(out) < 0)
		return bad(c, n, field,
		           "unknown pillar '%s' (security, governance, infrastructure, economy, "
		           "humanitarian, other)",
		           out);
	return ret;
}

static int item(const struct ctx *c, const struct cn *n, struct cc_index_item *it)
{
	bool have_code = false;
	int ret;

	if ((ret = want(c, n, CN_MAP, "indicators")) < 0)
		return ret;
	memset(it, 0, sizeof(*it));
	it->weight = 1;
	it->goal_min = it->goal_max = (double)NAN;
	it->in_index = true;
	it->higher_is_better = true;
	it->line = n->line;
	for (size_t k = 0; k + 1 < n->n_kids; k += 2) {
		const char *key = n->kids[k]->text;
		const struct cn *v = n->kids[k + 1];

		if (!key)
			return bad(c, n->kids[k], "indicators", "keys must be plain names");
		if (!strcmp(key, "code")) {
			ret = text(c, v, "code", it->code, sizeof(it->code));
			have_code = ret == 0 && it->code[0];
		} else if (!strcmp(key, "weight")) {
			ret = number(c, v, "weight", &it->weight);
			if (ret == 0 && it->weight < 0)
				ret = bad(c, v, "weight", "weight must be >= 0");
		} else if (!strcmp(key, "pillar")) {
			ret = pillar_name(c, v, "pillar", it->pillar);
		} else if (!strcmp(key, "goalposts")) {
			if ((ret = want(c, v, CN_SEQ, "goalposts")) < 0)
				return ret;
			if (v->n_kids != 2)
				return bad(c, v, "goalposts", "goalposts are a list [min, max]");
			if ((ret = number(c, v->kids[0], "goalposts", &it->goal_min)) < 0 ||
			    (ret = number(c, v->kids[1], "goalposts", &it->goal_max)) < 0)
				return ret;
			if (!(it->goal_min < it->goal_max))
				return bad(c, v, "goalposts",
				           "goalposts need min < max (got %g, %g)", it->goal_min,
				           it->goal_max);
		} else {
			ret = bad(c, n->kids[k], key,
			          "unknown key '%s' (code, weight, pillar, goalposts)", key);
		}
		if (ret < 0)
			return ret;
	}
	if (!have_code)
		return bad(c, n, "code", "an indicator needs a code");
	return 0;
}

/* "OPERAND OP NUMBER" */
static int condition(const struct ctx *c, const struct cn *n, struct cc_stage_cond *cd)
{
	static const struct {
		const char *s;
		enum cc_cond_op op;
	} ops[] = { { "<=", CC_OP_LE }, { ">=", CC_OP_GE }, { "==", CC_OP_EQ },
		    { "!=", CC_OP_NE }, { "<", CC_OP_LT },  { ">", CC_OP_GT } };
	const char *s, *p, *end, *name;
	char operand[80], num[64];
	size_t len;
	struct cc_err e = { 0 };
	int ret;

	if ((ret = want(c, n, CN_SCALAR, "condition")) < 0)
		return ret;
	memset(cd, 0, sizeof(*cd));
	s = n->text;
	while (*s == ' ')
		s++;
	for (p = s; *p && !strchr("<>=! ", *p); p++)
		;
	len = (size_t)(p - s);
	if (len == 0 || len >= sizeof(operand))
		return bad(c, n, "condition",
		           "condition '%s' is not 'OPERAND OP NUMBER' (e.g. 'SEC-INC <= 10')",
		           n->text);
	memcpy(operand, s, len);
	operand[len] = '\0';
	while (*p == ' ')
		p++;
	for (size_t i = 0;; i++) {
		if (i == sizeof(ops) / sizeof(ops[0]))
			return bad(c, n, "condition",
			           "condition '%s' has no operator (<, <=, >, >=, ==, !=)",
			           n->text);
		if (!strncmp(p, ops[i].s, strlen(ops[i].s))) {
			cd->op = ops[i].op;
			p += strlen(ops[i].s);
			break;
		}
	}
	while (*p == ' ')
		p++;
	for (end = p + strlen(p); end > p && end[-1] == ' '; end--)
		;
	len = (size_t)(end - p);
	if (len == 0 || len >= sizeof(num))
		return bad(c, n, "condition", "condition '%s' has no number", n->text);
	memcpy(num, p, len);
	num[len] = '\0';
	if (cc_parse_double(num, &cd->value, &e) < 0 || !isfinite(cd->value))
		return bad(c, n, "condition", "condition '%s': '%s' is not a number", n->text, num);
	if (!strcmp(operand, "overall")) {
		cd->kind = CC_OPERAND_OVERALL;
		name = "";
	} else if (!strncmp(operand, "pillar:", 7)) {
		cd->kind = CC_OPERAND_PILLAR;
		name = operand + 7;
	} else if (!strncmp(operand, "score:", 6)) {
		cd->kind = CC_OPERAND_SCORE;
		name = operand + 6;
	} else {
		cd->kind = CC_OPERAND_VALUE;
		name = operand;
	}
	if (strlen(name) >= sizeof(cd->name))
		return bad(c, n, "condition", "condition '%s': operand too long", n->text);
	memcpy(cd->name, name, strlen(name) + 1);
	if (cd->kind != CC_OPERAND_OVERALL && !cd->name[0])
		return bad(c, n, "condition", "condition '%s' names no operand", n->text);
	return 0;
}

static int rule(const struct ctx *c, const struct cn *n, size_t idx, struct cc_stage_rule *ru)
{
	bool have_stage = false, have_conds = false;
	struct cc_err e = { 0 };
	int ret;

	if ((ret = want(c, n, CN_MAP, "rules")) < 0)
		return ret;
	memset(ru, 0, sizeof(*ru));
	ru->line = n->line;
	snprintf(ru->name, sizeof(ru->name), "rule %zu", idx + 1);
	for (size_t k = 0; k + 1 < n->n_kids; k += 2) {
		const char *key = n->kids[k]->text;
		const struct cn *v = n->kids[k + 1];

		if (!key)
			return bad(c, n->kids[k], "rules", "keys must be plain names");
		if (!strcmp(key, "name")) {
			ret = text(c, v, "name", ru->name, sizeof(ru->name));
		} else if (!strcmp(key, "stage")) {
			if ((ret = want(c, v, CN_SCALAR, "stage")) == 0 &&
			    cc_stage_parse(v->text, &ru->stage, &e) < 0)
				ret = bad(c, v, "stage", "%s", e.msg);
			if (ret == 0 && ru->stage == CC_STAGE_NONE)
				ret = bad(c, v, "stage", "a rule must decide a stage");
			have_stage = true;
		} else if (!strcmp(key, "all") || !strcmp(key, "any")) {
			if (have_conds)
				return bad(c, v, key, "a rule has either 'all' or 'any', not both");
			have_conds = true;
			ru->any = key[1] == 'n';
			if (v->kind == CN_SCALAR) { /* one condition */
				ret = condition(c, v, &ru->conds[0]);
				ru->n_conds = 1;
			} else if ((ret = want(c, v, CN_SEQ, key)) == 0) {
				if (v->n_kids == 0 || v->n_kids > CC_INDEX_MAX_CONDS)
					return bad(c, v, key, "a rule needs 1 to %d conditions",
					           CC_INDEX_MAX_CONDS);
				for (size_t i = 0; i < v->n_kids && ret == 0; i++)
					ret = condition(c, v->kids[i], &ru->conds[ru->n_conds++]);
			}
			if (ret == 0) {
				size_t len = 0;

				for (size_t i = 0; i < ru->n_conds; i++) {
					const char *t =
					        v->kind == CN_SCALAR ? v->text : v->kids[i]->text;

					len += (size_t)snprintf(
					        ru->text + len,
					        len < sizeof(ru->text) ? sizeof(ru->text) - len : 0,
					        "%s%s", i ? (ru->any ? " or " : " and ") : "", t);
					if (len >= sizeof(ru->text))
						len = sizeof(ru->text) - 1;
				}
			}
		} else {
			ret = bad(c, n->kids[k], key, "unknown key '%s' (name, stage, all, any)",
			          key);
		}
		if (ret < 0)
			return ret;
	}
	if (!have_stage)
		return bad(c, n, "stage", "rule '%s' names no stage", ru->name);
	if (!have_conds)
		return bad(c, n, "all", "rule '%s' has no conditions ('all' or 'any')", ru->name);
	return 0;
}

static int stages(const struct ctx *c, const struct cn *n, struct cc_index_config *o)
{
	struct cc_err e = { 0 };
	int ret;

	if ((ret = want(c, n, CN_MAP, "stages")) < 0)
		return ret;
	for (size_t k = 0; k + 1 < n->n_kids; k += 2) {
		const char *key = n->kids[k]->text;
		const struct cn *v = n->kids[k + 1];

		if (!key)
			return bad(c, n->kids[k], "stages", "keys must be plain names");
		if (!strcmp(key, "default")) {
			if ((ret = want(c, v, CN_SCALAR, "default")) == 0 &&
			    cc_stage_parse(v->text, &o->default_stage, &e) < 0)
				ret = bad(c, v, "default", "%s", e.msg);
		} else if (!strcmp(key, "rules")) {
			if ((ret = want(c, v, CN_SEQ, "rules")) < 0)
				return ret;
			if (v->n_kids > CC_INDEX_MAX_RULES)
				return bad(c, v, "rules", "more than %d rules", CC_INDEX_MAX_RULES);
			cc_free(o->rules);
			o->n_rules = 0;
			if (!(o->rules = cc_alloc_array(v->n_kids + 1, sizeof(*o->rules))))
				return cc_err_set(c->err, CC_ENOMEM, "out of memory");
			for (size_t i = 0; i < v->n_kids && ret == 0; i++)
				if ((ret = rule(c, v->kids[i], i, &o->rules[i])) == 0)
					o->n_rules++;
		} else {
			ret = bad(c, n->kids[k], key, "unknown key '%s' (default, rules)", key);
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int indicators(const struct ctx *c, const struct cn *v, struct cc_index_config *o)
{
	int ret;

	if ((ret = want(c, v, CN_SEQ, "indicators")) < 0)
		return ret;
	if (v->n_kids > CC_INDEX_MAX_ITEMS)
		return bad(c, v, "indicators", "more than %d indicators", CC_INDEX_MAX_ITEMS);
	cc_free(o->items);
	o->n_items = 0;
	if (!(o->items = cc_alloc_array(v->n_kids + 1, sizeof(*o->items))))
		return cc_err_set(c->err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < v->n_kids; i++) {
		if ((ret = item(c, v->kids[i], &o->items[i])) < 0)
			return ret;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(o->items[j].code, o->items[i].code))
				return bad(c, v->kids[i], "code",
				           "indicator '%s' is listed twice (first on line %ld)",
				           o->items[i].code, o->items[j].line);
		o->n_items++;
	}
	return 0;
}

static int pillars(const struct ctx *c, const struct cn *v, struct cc_index_config *o)
{
	int ret;

	if ((ret = want(c, v, CN_MAP, "pillars")) < 0)
		return ret;
	cc_free(o->pillars);
	o->n_pillars = 0;
	if (!(o->pillars = cc_alloc_array(v->n_kids / 2 + 1, sizeof(*o->pillars))))
		return cc_err_set(c->err, CC_ENOMEM, "out of memory");
	for (size_t k = 0; k + 1 < v->n_kids; k += 2) {
		struct cc_index_pillar_weight *pw = &o->pillars[o->n_pillars];

		if ((ret = pillar_name(c, v->kids[k], "pillars", pw->pillar)) < 0 ||
		    (ret = number(c, v->kids[k + 1], "pillars", &pw->weight)) < 0)
			return ret;
		if (pw->weight < 0)
			return bad(c, v->kids[k + 1], "pillars", "weight must be >= 0");
		pw->line = v->kids[k]->line;
		o->n_pillars++;
	}
	return 0;
}

static int to_config(const struct ctx *c, const struct cn *root, struct cc_index_config *o)
{
	struct cc_err e = { 0 };
	int ret;

	if (root->kind != CN_MAP)
		return bad(c, root, "", "an index definition is a mapping of keys");
	for (size_t k = 0; k + 1 < root->n_kids; k += 2) {
		const char *key = root->kids[k]->text;
		const struct cn *v = root->kids[k + 1];

		if (!key)
			return bad(c, root->kids[k], "", "keys must be plain names");
		if (!strcmp(key, "name")) {
			ret = text(c, v, "name", o->name, sizeof(o->name));
		} else if (!strcmp(key, "method") || !strcmp(key, "overall_method")) {
			enum cc_index_method *m = key[0] == 'm' ? &o->method : &o->overall_method;

			if ((ret = want(c, v, CN_SCALAR, key)) == 0 &&
			    cc_index_method_parse(v->text, m, &e) < 0)
				ret = bad(c, v, key, "%s", e.msg);
		} else if (!strcmp(key, "epsilon")) {
			ret = number(c, v, "epsilon", &o->epsilon);
			if (ret == 0 && !(o->epsilon > 0 && o->epsilon < 1))
				ret = bad(c, v, "epsilon", "epsilon must be in (0, 1)");
		} else if (!strcmp(key, "sensitivity")) {
			ret = number(c, v, "sensitivity", &o->sensitivity);
			if (ret == 0 && !(o->sensitivity > 0 && o->sensitivity < 1))
				ret = bad(c, v, "sensitivity", "sensitivity must be in (0, 1)");
		} else if (!strcmp(key, "missing")) {
			if ((ret = want(c, v, CN_SCALAR, "missing")) == 0) {
				if (!strcmp(v->text, "reweight"))
					o->reweight_missing = true;
				else if (!strcmp(v->text, "exclude"))
					o->reweight_missing = false;
				else
					ret = bad(c, v, "missing",
					          "unknown missing rule '%s' (exclude, reweight)",
					          v->text);
			}
		} else if (!strcmp(key, "level")) {
			double d;

			ret = number(c, v, "level", &d);
			if (ret == 0 && (d < 0 || d > 5 || d != floor(d)))
				ret = bad(c, v, "level", "level must be a whole number 0..5");
			if (ret == 0)
				o->level = (int)d;
		} else if (!strcmp(key, "indicators")) {
			ret = indicators(c, v, o);
		} else if (!strcmp(key, "pillars")) {
			ret = pillars(c, v, o);
		} else if (!strcmp(key, "stages")) {
			ret = stages(c, v, o);
		} else {
			ret = bad(
			        c, root->kids[k], key,
			        "unknown key '%s' (name, method, overall_method, epsilon, missing, "
			        "level, sensitivity, indicators, pillars, stages)",
			        key);
		}
		if (ret < 0)
			return ret;
	}
	if (o->n_items == 0)
		return bad(c, root, "indicators", "the index lists no indicators");
	return 0;
}

static bool has_key(const struct cn *root, const char *key)
{
	if (root->kind != CN_MAP)
		return false;
	for (size_t k = 0; k + 1 < root->n_kids; k += 2)
		if (root->kids[k]->text && !strcmp(root->kids[k]->text, key))
			return true;
	return false;
}

void cc_index_config_release(struct cc_index_config *c)
{
	if (!c)
		return;
	cc_free(c->items);
	cc_free(c->pillars);
	cc_free(c->rules);
	memset(c, 0, sizeof(*c));
}

static bool looks_json(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && strchr(" \t\r\n", text[i]))
		i++;
	return i < len && text[i] == '{';
}

int cc_index_config_parse(const char *text, size_t len, const char *name,
                          struct cc_index_config *out, struct cc_err *err)
{
	struct ctx c = { .name = name, .err = err };
	struct cn *root = NULL;
	bool deep = false;
	int ret;

	memset(out, 0, sizeof(*out));
	out->level = -1;
	if (looks_json(text, len)) {
		json_error_t je;
		json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);

		if (!j) {
			if (json_error_code(&je) == json_error_out_of_memory)
				return cc_err_set(err, CC_ENOMEM, "out of memory");
			cc_err_set(err, CC_EPARSE, "malformed JSON: %s", je.text);
			cc_err_at(err, name, je.line > 0 ? je.line : 0, NULL);
			return CC_EPARSE;
		}
		root = cn_json(j, 0, &deep);
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
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			} else {
				ret = cc_err_set(err, CC_EPARSE, "malformed YAML: %s",
				                 parser.problem ? parser.problem : "syntax error");
				cc_err_at(err, name, (long)parser.problem_mark.line + 1, NULL);
			}
			yaml_parser_delete(&parser);
			return ret;
		}
		y = yaml_document_get_root_node(&doc);
		if (!y) {
			yaml_document_delete(&doc);
			yaml_parser_delete(&parser);
			cc_err_set(err, CC_EPARSE, "the index definition is empty");
			cc_err_at(err, name, 0, NULL);
			return CC_EPARSE;
		}
		root = cn_yaml(&doc, y, 0, &deep);
		yaml_document_delete(&doc);
		yaml_parser_delete(&parser);
	}
	if (!root) {
		if (deep) {
			cc_err_set(err, CC_EPARSE, "nested deeper than %d levels", CONFIG_DEPTH);
			cc_err_at(err, name, 0, NULL);
			return CC_EPARSE;
		}
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	ret = to_config(&c, root, out);
	if (ret == 0 && !has_key(root, "overall_method"))
		out->overall_method = out->method;
	cn_free(root);
	if (ret < 0)
		cc_index_config_release(out);
	return ret;
}

int cc_index_config_read(const char *path, struct cc_index_config *out, struct cc_err *err)
{
	struct cc_buf b = CC_BUF_INIT(CONFIG_MAX);
	char chunk[8192];
	FILE *f;
	size_t n;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!(f = fopen(path, "rb"))) {
		cc_err_set(err, CC_EIO, "cannot open: %s", strerror(errno));
		cc_err_at(err, path, 0, NULL);
		return CC_EIO;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((ret = cc_buf_add(&b, chunk, n)) < 0)
			break;
	if (ret == 0 && ferror(f))
		ret = cc_err_set(err, CC_EIO, "cannot read: %s", strerror(errno));
	else if (ret == CC_ETOOBIG)
		ret = cc_err_set(err, CC_ETOOBIG, "larger than %u bytes", CONFIG_MAX);
	else if (ret < 0)
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
	fclose(f);
	if (ret < 0)
		cc_err_at(err, path, 0, NULL);
	else
		ret = cc_index_config_parse(b.buf, b.len, path, out, err);
	cc_buf_release(&b);
	return ret;
}
