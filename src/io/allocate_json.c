/*
 * Allocation problems in and out: the JSON problem file (jansson), the command-line budget,
 * teams and weights specs, and the model written for glpsol (CPLEX LP, free MPS or GLPK's
 * format). The format is documented in docs/allocate.md. jansson allocates with malloc: its
 * memory is not counted by the allocation-failure tests (the problem's arrays are).
 */
#include <concord/allocate.h>

#include <glpk.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/model.h>
#include <concord/text.h>

#include "core/banned.h"

#define PATH_MAX_LEN 64 /* "donors[12].earmarks[3].min_usd" */

struct rd {
	const char *file;
	struct cc_err *err;
};

static int fail(struct rd *r, int code, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int fail(struct rd *r, int code, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cc_err_set(r->err, code, "%s", msg);
	cc_err_at(r->err, r->file, 0, path);
	return code;
}

static void scope_release(struct cc_alloc_scope *s)
{
	cc_free(s->areas);
	cc_free(s->sectors);
	*s = (struct cc_alloc_scope){ 0 };
}

/* A field path into out (PATH_MAX_LEN bytes), cut when too long. */
static void pathf(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void pathf(char *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, PATH_MAX_LEN, fmt, ap);
	va_end(ap);
}

static void sub(char *out, const char *path, const char *key)
{
	pathf(out, "%s%s%s", path, path[0] ? "." : "", key);
}

/* Every member of o must be one of keys (a typo is an error, not a silent default). */
static int only_keys(struct rd *r, json_t *o, const char *path, const char *const *keys)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
	{
		bool ok = false;

		for (size_t i = 0; keys[i]; i++)
			ok = ok || !strcmp(k, keys[i]);
		if (!ok) {
			char p[PATH_MAX_LEN];

			sub(p, path, k);
			return fail(r, CC_EINVALID, p, "unknown member '%s'", k);
		}
	}
	return 0;
}

/* A number member; absent: *out keeps its default. */
static int get_num(struct rd *r, json_t *o, const char *path, const char *key, double min,
                   double *out)
{
	json_t *v = json_object_get(o, key);
	char p[PATH_MAX_LEN];

	if (!v)
		return 0;
	sub(p, path, key);
	if (!json_is_number(v))
		return fail(r, CC_EINVALID, p, "%s must be a number", key);
	*out = json_number_value(v);
	if (!isfinite(*out) || *out < min)
		return fail(r, CC_EINVALID, p, "%s is out of range", key);
	return 0;
}

static int get_str(struct rd *r, json_t *o, const char *path, const char *key, bool required,
                   char *buf, size_t n)
{
	json_t *v = json_object_get(o, key);
	char p[PATH_MAX_LEN];

	sub(p, path, key);
	if (!v) {
		if (required)
			return fail(r, CC_EINVALID, p, "missing member '%s'", key);
		return 0;
	}
	if (!json_is_string(v))
		return fail(r, CC_EINVALID, p, "%s must be a string", key);
	if (json_string_length(v) >= n)
		return fail(r, CC_EINVALID, p, "%s is too long", key);
	snprintf(buf, n, "%s", json_string_value(v));
	if (required && !buf[0])
		return fail(r, CC_EINVALID, p, "%s is empty", key);
	return 0;
}

static int parse_pillar(struct rd *r, const char *path, const char *name, int *out)
{
	*out = cc_pillar_parse(name);
	if (*out < 0) {
		char m[128];

		snprintf(m, sizeof(m), "%.60s", name);
		return fail(r, CC_EINVALID, path,
		            "unknown pillar '%s' (security, governance, infrastructure, economy, "
		            "humanitarian, other)",
		            m);
	}
	return 0;
}

/* A list of strings (areas, sectors) into an owned array. */
static int get_list(struct rd *r, json_t *o, const char *path, const char *key, char (**out)[32],
                    size_t *n_out)
{
	json_t *v = json_object_get(o, key), *e;
	char p[PATH_MAX_LEN];
	size_t i;

	if (!v)
		return 0;
	sub(p, path, key);
	if (!json_is_array(v))
		return fail(r, CC_EINVALID, p, "%s must be a list of strings", key);
	if (json_array_size(v) == 0)
		return 0;
	*out = cc_alloc_array(json_array_size(v), sizeof(**out));
	if (!*out)
		return cc_err_set(r->err, CC_ENOMEM, "out of memory");
	json_array_foreach(v, i, e)
	{
		char q[PATH_MAX_LEN];

		pathf(q, "%s[%zu]", p, i);
		if (!json_is_string(e) || json_string_length(e) == 0 || json_string_length(e) >= 32)
			return fail(r, CC_EINVALID, q, "%s",
			            "must be a non-empty string (at most 31 bytes)");
		snprintf((*out)[i], 32, "%s", json_string_value(e));
		*n_out = i + 1;
	}
	return 0;
}

static int get_scope(struct rd *r, json_t *o, const char *path, struct cc_alloc_scope *s,
                     bool sectors)
{
	json_t *v = json_object_get(o, "pillars"), *e;
	size_t i;
	int ret;

	if (v) {
		char p[PATH_MAX_LEN];

		sub(p, path, "pillars");
		if (!json_is_array(v))
			return fail(r, CC_EINVALID, p, "%s must be a list of pillar names",
			            "pillars");
		json_array_foreach(v, i, e)
		{
			char q[PATH_MAX_LEN];
			int pillar;

			pathf(q, "%s[%zu]", p, i);
			if (!json_is_string(e))
				return fail(r, CC_EINVALID, q, "%s", "must be a pillar name");
			if ((ret = parse_pillar(r, q, json_string_value(e), &pillar)) < 0)
				return ret;
			s->pillars |= 1u << pillar;
		}
	}
	if ((ret = get_list(r, o, path, "areas", &s->areas, &s->n_areas)) < 0)
		return ret;
	if (sectors && (ret = get_list(r, o, path, "sectors", &s->sectors, &s->n_sectors)) < 0)
		return ret;
	return 0;
}

static int get_array(struct rd *r, json_t *root, const char *key, json_t **out)
{
	*out = json_object_get(root, key);
	if (*out && !json_is_array(*out))
		return fail(r, CC_EINVALID, key, "%s must be a list", key);
	return 0;
}

static int read_cell(struct rd *r, json_t *o, const char *path, struct cc_alloc_cell *c)
{
	static const char *const keys[] = { "area", "name",     "pillar",   "sector",
		                            "need", "severity", "exposure", "cost_per_person_usd",
		                            NULL };
	char pillar[32] = "", p[PATH_MAX_LEN];
	double sev = 1;
	int ret;

	if (!json_is_object(o))
		return fail(r, CC_EINVALID, path, "%s", "a cell must be an object");
	if ((ret = only_keys(r, o, path, keys)) < 0 ||
	    (ret = get_str(r, o, path, "area", true, c->area, sizeof(c->area))) < 0 ||
	    (ret = get_str(r, o, path, "name", false, c->name, sizeof(c->name))) < 0 ||
	    (ret = get_str(r, o, path, "pillar", true, pillar, sizeof(pillar))) < 0 ||
	    (ret = get_str(r, o, path, "sector", false, c->sector, sizeof(c->sector))) < 0)
		return ret;
	sub(p, path, "pillar");
	if ((ret = parse_pillar(r, p, pillar, &c->pillar)) < 0)
		return ret;
	sub(p, path, "need");
	if (!json_object_get(o, "need"))
		return fail(r, CC_EINVALID, p, "missing member '%s'", "need");
	if ((ret = get_num(r, o, path, "need", 0, &c->need)) < 0 ||
	    (ret = get_num(r, o, path, "severity", 1, &sev)) < 0 ||
	    (ret = get_num(r, o, path, "exposure", 0, &c->exposure)) < 0 ||
	    (ret = get_num(r, o, path, "cost_per_person_usd", 0, &c->cost_per_person_usd)) < 0)
		return ret;
	sub(p, path, "severity");
	if (sev != floor(sev) || sev > 5)
		return fail(r, CC_EINVALID, p, "%s must be a whole number from 1 to 5", "severity");
	c->severity = (int)sev;
	return 0;
}

static int read_donor(struct rd *r, json_t *o, const char *path, struct cc_alloc_donor *d)
{
	static const char *const keys[] = { "name",  "budget_usd", "min_spend_usd", "pillars",
		                            "areas", "sectors",    "earmarks",      NULL };
	static const char *const ekeys[] = { "pillars", "areas",   "sectors",
		                             "min_usd", "max_usd", NULL };
	char p[PATH_MAX_LEN];
	json_t *ems, *e;
	size_t i;
	int ret;

	if (!json_is_object(o))
		return fail(r, CC_EINVALID, path, "%s", "a donor must be an object");
	sub(p, path, "budget_usd");
	if (!json_object_get(o, "budget_usd"))
		return fail(r, CC_EINVALID, p, "missing member '%s'", "budget_usd");
	if ((ret = only_keys(r, o, path, keys)) < 0 ||
	    (ret = get_str(r, o, path, "name", true, d->name, sizeof(d->name))) < 0 ||
	    (ret = get_num(r, o, path, "budget_usd", 0, &d->budget_usd)) < 0 ||
	    (ret = get_num(r, o, path, "min_spend_usd", 0, &d->min_spend_usd)) < 0 ||
	    (ret = get_scope(r, o, path, &d->scope, true)) < 0)
		return ret;
	sub(p, path, "min_spend_usd");
	if (d->min_spend_usd > d->budget_usd)
		return fail(r, CC_EINVALID, p, "%s is above the budget", "min_spend_usd");
	sub(p, path, "earmarks");
	ems = json_object_get(o, "earmarks");
	if (!ems || json_array_size(ems) == 0)
		return ems && !json_is_array(ems)
		               ? fail(r, CC_EINVALID, p, "%s must be a list", "earmarks")
		               : 0;
	d->earmarks = cc_alloc_array(json_array_size(ems), sizeof(*d->earmarks));
	if (!d->earmarks)
		return cc_err_set(r->err, CC_ENOMEM, "out of memory");
	json_array_foreach(ems, i, e)
	{
		struct cc_alloc_earmark *m = &d->earmarks[i];
		char q[PATH_MAX_LEN], f[PATH_MAX_LEN];

		pathf(q, "%s[%zu]", p, i);
		d->n_earmarks = i + 1;
		m->max_usd = (double)INFINITY;
		if (!json_is_object(e))
			return fail(r, CC_EINVALID, q, "%s", "an earmark must be an object");
		if ((ret = only_keys(r, e, q, ekeys)) < 0 ||
		    (ret = get_scope(r, e, q, &m->scope, true)) < 0 ||
		    (ret = get_num(r, e, q, "min_usd", 0, &m->min_usd)) < 0 ||
		    (ret = get_num(r, e, q, "max_usd", 0, &m->max_usd)) < 0)
			return ret;
		sub(f, q, "max_usd");
		if (m->max_usd < m->min_usd)
			return fail(r, CC_EINVALID, f, "%s is below min_usd", "max_usd");
		if (!json_object_get(e, "min_usd") && !json_object_get(e, "max_usd"))
			return fail(r, CC_EINVALID, q, "%s", "an earmark needs min_usd or max_usd");
	}
	return 0;
}

static int read_org(struct rd *r, json_t *o, const char *path, struct cc_alloc_org *g)
{
	static const char *const keys[] = { "name",    "teams", "people_per_team",
		                            "pillars", "areas", NULL };
	char p[PATH_MAX_LEN];
	int ret;

	if (!json_is_object(o))
		return fail(r, CC_EINVALID, path, "%s", "an organisation must be an object");
	sub(p, path, "teams");
	if (!json_object_get(o, "teams"))
		return fail(r, CC_EINVALID, p, "missing member '%s'", "teams");
	sub(p, path, "people_per_team");
	if (!json_object_get(o, "people_per_team"))
		return fail(r, CC_EINVALID, p, "missing member '%s'", "people_per_team");
	if ((ret = only_keys(r, o, path, keys)) < 0 ||
	    (ret = get_str(r, o, path, "name", true, g->name, sizeof(g->name))) < 0 ||
	    (ret = get_num(r, o, path, "teams", 0, &g->teams)) < 0 ||
	    (ret = get_num(r, o, path, "people_per_team", 0, &g->people_per_team)) < 0 ||
	    (ret = get_scope(r, o, path, &g->mandate, false)) < 0)
		return ret;
	if (g->people_per_team <= 0)
		return fail(r, CC_EINVALID, p, "%s must be > 0", "people_per_team");
	return 0;
}

static int read_root(struct rd *r, json_t *root, struct cc_alloc_problem *out)
{
	static const char *const keys[] = {
		"cost_per_person_usd", "weights",     "security", "cells", "donors",
		"organisations",       "description", NULL
	};
	static const char *const wkeys[] = { "severity", "need", NULL };
	static const char *const skeys[] = { "exposure_threshold", "min_teams", NULL };
	json_t *cells, *donors, *orgs, *w, *v;
	char p[PATH_MAX_LEN];
	size_t i;
	int ret;

	if (!json_is_object(root))
		return fail(r, CC_EINVALID, "", "%s", "the problem must be a JSON object");
	if ((ret = only_keys(r, root, "", keys)) < 0 ||
	    (ret = get_num(r, root, "", "cost_per_person_usd", 0, &out->cost_per_person_usd)) < 0)
		return ret;
	if (out->cost_per_person_usd <= 0)
		return fail(r, CC_EINVALID, "cost_per_person_usd", "%s must be > 0",
		            "cost_per_person_usd");
	if ((w = json_object_get(root, "weights"))) {
		if (!json_is_object(w))
			return fail(r, CC_EINVALID, "weights", "%s must be an object", "weights");
		if ((ret = only_keys(r, w, "weights", wkeys)) < 0 ||
		    (ret = get_num(r, w, "weights", "severity", -100, &out->severity_weight)) < 0 ||
		    (ret = get_num(r, w, "weights", "need", -100, &out->need_weight)) < 0)
			return ret;
	}
	if ((w = json_object_get(root, "security"))) {
		if (!json_is_object(w))
			return fail(r, CC_EINVALID, "security", "%s must be an object", "security");
		if ((ret = only_keys(r, w, "security", skeys)) < 0 ||
		    (ret = get_num(r, w, "security", "exposure_threshold", 0,
		                   &out->exposure_threshold)) < 0 ||
		    (ret = get_num(r, w, "security", "min_teams", 0, &out->min_security_teams)) < 0)
			return ret;
	}
	if ((ret = get_array(r, root, "cells", &cells)) < 0 ||
	    (ret = get_array(r, root, "donors", &donors)) < 0 ||
	    (ret = get_array(r, root, "organisations", &orgs)) < 0)
		return ret;
	if (cells && json_array_size(cells)) {
		out->cells = cc_alloc_array(json_array_size(cells), sizeof(*out->cells));
		if (!out->cells)
			return cc_err_set(r->err, CC_ENOMEM, "out of memory");
		json_array_foreach(cells, i, v)
		{
			pathf(p, "cells[%zu]", i);
			out->n_cells = i + 1;
			if ((ret = read_cell(r, v, p, &out->cells[i])) < 0)
				return ret;
		}
	}
	if (donors && json_array_size(donors)) {
		out->donors = cc_alloc_array(json_array_size(donors), sizeof(*out->donors));
		if (!out->donors)
			return cc_err_set(r->err, CC_ENOMEM, "out of memory");
		json_array_foreach(donors, i, v)
		{
			pathf(p, "donors[%zu]", i);
			out->n_donors = i + 1;
			if ((ret = read_donor(r, v, p, &out->donors[i])) < 0)
				return ret;
		}
	}
	if (orgs && json_array_size(orgs)) {
		out->orgs = cc_alloc_array(json_array_size(orgs), sizeof(*out->orgs));
		if (!out->orgs)
			return cc_err_set(r->err, CC_ENOMEM, "out of memory");
		json_array_foreach(orgs, i, v)
		{
			pathf(p, "organisations[%zu]", i);
			out->n_orgs = i + 1;
			if ((ret = read_org(r, v, p, &out->orgs[i])) < 0)
				return ret;
		}
	}
	/* what the member checks cannot see: duplicate cells and the like */
	if ((ret = cc_alloc_problem_check(out, r->err)) < 0)
		cc_err_at(r->err, r->file, 0, NULL);
	return ret;
}

static int from_json(const char *name, json_t *root, json_error_t *je, struct cc_alloc_problem *out,
                     struct cc_err *err)
{
	struct rd r = { .file = name, .err = err };
	int ret;

	cc_alloc_problem_init(out);
	if (!root) {
		enum json_error_code code = json_error_code(je);

		if (code == json_error_out_of_memory)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		if (code == json_error_cannot_open_file) {
			cc_err_set(err, CC_EIO, "cannot read the problem file");
			cc_err_at(err, name, 0, NULL);
			return CC_EIO;
		}
		cc_err_set(err, CC_EPARSE, "malformed JSON: %s", je->text);
		cc_err_at(err, name, je->line > 0 ? je->line : 0, NULL);
		return CC_EPARSE;
	}
	ret = read_root(&r, root, out);
	json_decref(root);
	if (ret < 0)
		cc_alloc_problem_release(out);
	return ret;
}

int cc_alloc_problem_read_json(const char *path, struct cc_alloc_problem *out, struct cc_err *err)
{
	json_error_t je;

	return from_json(path, json_load_file(path, JSON_REJECT_DUPLICATES, &je), &je, out, err);
}

int cc_alloc_problem_parse_json(const char *name, const char *text, size_t len,
                                struct cc_alloc_problem *out, struct cc_err *err)
{
	json_error_t je;

	return from_json(name, json_loadb(text, len, JSON_REJECT_DUPLICATES, &je), &je, out, err);
}

/* ---- command-line specs ---- */

/* The next ':'-separated part of *cur into buf; false at the end. */
static bool next_part(const char **cur, char *buf, size_t n)
{
	const char *s = *cur, *e;
	size_t len;

	if (!s)
		return false;
	e = strchr(s, ':');
	len = e ? (size_t)(e - s) : strlen(s);
	if (len >= n)
		len = n - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*cur = e ? e + 1 : NULL;
	return true;
}

/* "a+b+c" into an owned list (or a pillar mask when pillars is not NULL). */
static int parse_items(const char *v, char (**list)[32], size_t *n, unsigned *pillars,
                       struct cc_err *err)
{
	size_t count = 1, k = 0;
	const char *s = v;

	for (const char *q = v; *q; q++)
		count += *q == '+';
	if (!pillars) {
		cc_free(*list);
		*list = cc_alloc_array(count, sizeof(**list));
		if (!*list)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	while (s) {
		const char *e = strchr(s, '+');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char item[32];

		if (len == 0 || len >= sizeof(item))
			return cc_err_set(err, CC_EUSAGE, "empty or too long item in '%s'", v);
		memcpy(item, s, len);
		item[len] = '\0';
		if (pillars) {
			int pl = cc_pillar_parse(item);

			if (pl < 0)
				return cc_err_set(err, CC_EUSAGE, "unknown pillar '%s'", item);
			*pillars |= 1u << pl;
		} else {
			snprintf((*list)[k++], 32, "%s", item);
			*n = k;
		}
		s = e ? e + 1 : NULL;
	}
	return 0;
}

/* "NAME=NUMBER" of a spec: the name into name, the number into *v. */
static int head(const char *part, char *name, size_t n, double *v, const char *what,
                struct cc_err *err)
{
	const char *eq = strchr(part, '=');
	size_t len;

	if (!eq || eq == part)
		return cc_err_set(err, CC_EUSAGE, "'%s': expected NAME=%s", part, what);
	len = (size_t)(eq - part);
	if (len >= n)
		return cc_err_set(err, CC_EUSAGE, "'%s': name too long", part);
	memcpy(name, part, len);
	name[len] = '\0';
	if (cc_parse_double(eq + 1, v, NULL) < 0 || !isfinite(*v) || *v < 0)
		return cc_err_set(err, CC_EUSAGE, "'%s': %s must be a number >= 0", part, what);
	return 0;
}

static int grow(void **arr, size_t n, size_t size, struct cc_err *err)
{
	void *p = cc_realloc(*arr, (n + 1) * size);

	if (!p)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	*arr = p;
	memset((char *)p + n * size, 0, size);
	return 0;
}

/* key=value options after the head; keys allowed by the caller. */
static int scope_option(const char *part, struct cc_alloc_scope *s, bool sectors, double *min,
                        double *ppt, struct cc_err *err)
{
	const char *eq = strchr(part, '=');
	double v;

	if (!eq)
		return cc_err_set(err, CC_EUSAGE, "'%s': expected KEY=VALUE", part);
	if (!strncmp(part, "pillars=", 8))
		return parse_items(eq + 1, NULL, NULL, &s->pillars, err);
	if (!strncmp(part, "areas=", 6))
		return parse_items(eq + 1, &s->areas, &s->n_areas, NULL, err);
	if (sectors && !strncmp(part, "sectors=", 8))
		return parse_items(eq + 1, &s->sectors, &s->n_sectors, NULL, err);
	if ((min && !strncmp(part, "min=", 4)) || (ppt && !strncmp(part, "ppt=", 4))) {
		if (cc_parse_double(eq + 1, &v, NULL) < 0 || !isfinite(v) || v < 0)
			return cc_err_set(err, CC_EUSAGE, "'%s': not a number >= 0", part);
		if (min && part[0] == 'm')
			*min = v;
		else if (ppt)
			*ppt = v;
		return 0;
	}
	return cc_err_set(err, CC_EUSAGE, "'%s': unknown option (%s)", part,
	                  min ? "min, pillars, areas, sectors" : "ppt, pillars, areas");
}

int cc_alloc_add_budget(struct cc_alloc_problem *p, const char *spec, struct cc_err *err)
{
	struct cc_alloc_donor d = { 0 };
	const char *cur = spec;
	char part[256];
	int ret;

	next_part(&cur, part, sizeof(part));
	if ((ret = head(part, d.name, sizeof(d.name), &d.budget_usd, "USD", err)) < 0)
		return ret;
	while (ret == 0 && next_part(&cur, part, sizeof(part)))
		ret = scope_option(part, &d.scope, true, &d.min_spend_usd, NULL, err);
	if (ret == 0 && d.min_spend_usd > d.budget_usd)
		ret = cc_err_set(err, CC_EUSAGE, "'%s': min is above the budget", spec);
	if (ret == 0)
		ret = grow((void **)&p->donors, p->n_donors, sizeof(d), err);
	if (ret < 0) {
		scope_release(&d.scope);
		return ret;
	}
	p->donors[p->n_donors++] = d;
	return 0;
}

int cc_alloc_add_teams(struct cc_alloc_problem *p, const char *spec, struct cc_err *err)
{
	struct cc_alloc_org o = { .people_per_team = 0 };
	const char *cur = spec;
	char part[256];
	int ret;

	next_part(&cur, part, sizeof(part));
	if ((ret = head(part, o.name, sizeof(o.name), &o.teams, "TEAMS", err)) < 0)
		return ret;
	o.people_per_team = 1000;
	while (ret == 0 && next_part(&cur, part, sizeof(part)))
		ret = scope_option(part, &o.mandate, false, NULL, &o.people_per_team, err);
	if (ret == 0 && !(o.people_per_team > 0))
		ret = cc_err_set(err, CC_EUSAGE, "'%s': ppt must be > 0", spec);
	if (ret == 0)
		ret = grow((void **)&p->orgs, p->n_orgs, sizeof(o), err);
	if (ret < 0) {
		scope_release(&o.mandate);
		return ret;
	}
	p->orgs[p->n_orgs++] = o;
	return 0;
}

int cc_alloc_set_weights(struct cc_alloc_problem *p, const char *spec, struct cc_err *err)
{
	const char *s = spec;

	while (s && *s) {
		const char *e = strchr(s, ','), *eq;
		char part[128], key[32];
		size_t len = e ? (size_t)(e - s) : strlen(s);
		double v;

		if (len >= sizeof(part))
			return cc_err_set(err, CC_EUSAGE, "weights: part too long");
		memcpy(part, s, len);
		part[len] = '\0';
		s = e ? e + 1 : NULL;
		eq = strchr(part, '=');
		if (!eq || (size_t)(eq - part) >= sizeof(key))
			return cc_err_set(err, CC_EUSAGE, "weights: '%s': expected KEY=NUMBER",
			                  part);
		memcpy(key, part, (size_t)(eq - part));
		key[eq - part] = '\0';
		if (cc_parse_double(eq + 1, &v, NULL) < 0 || !isfinite(v))
			return cc_err_set(err, CC_EUSAGE, "weights: '%s' is not a number", eq + 1);
		if (!strcmp(key, "severity"))
			p->severity_weight = v;
		else if (!strcmp(key, "need"))
			p->need_weight = v;
		else if (!strcmp(key, "cost") && v > 0)
			p->cost_per_person_usd = v;
		else if (!strcmp(key, "threshold") && v >= 0)
			p->exposure_threshold = v;
		else if (!strcmp(key, "security") && v >= 0)
			p->min_security_teams = v;
		else
			return cc_err_set(err, CC_EUSAGE,
			                  "weights: '%s': choose severity=, need=, cost=(>0), "
			                  "threshold=(>=0) or security=(>=0)",
			                  part);
	}
	return 0;
}

/* ---- the model as a file ---- */

enum cc_alloc_model_format cc_alloc_model_format_for(const char *path)
{
	size_t n = strlen(path);

	if (n >= 4 && !strcmp(path + n - 4, ".mps"))
		return CC_ALLOC_MODEL_MPS;
	if (n >= 4 && !strcmp(path + n - 4, ".glp"))
		return CC_ALLOC_MODEL_GLP;
	return CC_ALLOC_MODEL_LP;
}

struct write_ctx {
	const struct cc_alloc_problem *p;
	const char *path;
	enum cc_alloc_model_format fmt;
};

static int write_fn(void *ctx, struct cc_err *err)
{
	struct write_ctx *w = ctx;
	struct glp_prob *P;
	int ret, rc = 1;

	if ((ret = cc__alloc_build(w->p, true, &P, err)) < 0)
		return ret;
	switch (w->fmt) {
	case CC_ALLOC_MODEL_LP:
		rc = glp_write_lp(P, NULL, w->path);
		break;
	case CC_ALLOC_MODEL_MPS:
		rc = glp_write_mps(P, GLP_MPS_FILE, NULL, w->path);
		break;
	case CC_ALLOC_MODEL_GLP:
		rc = glp_write_prob(P, 0, w->path);
		break;
	}
	glp_delete_prob(P);
	return rc ? CC_EIO : 0;
}

int cc_alloc_write_model(const struct cc_alloc_problem *p, const char *path,
                         enum cc_alloc_model_format fmt, struct cc_err *err)
{
	struct write_ctx w = { .p = p, .path = path, .fmt = fmt };
	char msg[512];
	int ret = cc__alloc_glpk(write_fn, &w, msg, sizeof(msg), err);

	if (ret == CC_EIO) {
		/* GLPK said why ("Unable to create `x' - No such file or directory") */
		const char *why = strstr(msg, "Unable");

		cc_err_set(err, CC_EIO, "cannot write the model: %s", why ? why : msg);
		cc_err_at(err, path, 0, NULL);
	}
	return ret;
}
