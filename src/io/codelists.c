/*
 * Loads the code lists compiled into the program (data/codelists/, embedded by
 * scripts/embed.py) into a store. One table says which file feeds which list.
 */
#include <concord/import.h>

#include <string.h>

#include <csv.h>

#include <concord/alloc.h>

#include "core/blob.h"
#include "core/banned.h"

enum loader {
	LOAD_CODES,   /* code,name[,category] → cc_store_put_code */
	LOAD_PILLARS, /* vocabulary,code,…,pillar → cc_store_put_pillar */
	LOAD_ALIASES, /* alias,list,code,scope,source → cc_store_put_code_alias */
};

static const struct {
	const char *file;
	const char *list;
	enum loader load;
} lists[] = {
	{ .file = "Sector.csv", .list = "Sector", .load = LOAD_CODES },
	{ .file = "SectorCategory.csv", .list = "SectorCategory", .load = LOAD_CODES },
	{ .file = "IASCCluster.csv", .list = "IASCCluster", .load = LOAD_CODES },
	{ .file = "OrganisationType.csv", .list = "OrganisationType", .load = LOAD_CODES },
	{ .file = "OrganisationRole.csv", .list = "OrganisationRole", .load = LOAD_CODES },
	{ .file = "ActivityStatus.csv", .list = "ActivityStatus", .load = LOAD_CODES },
	{ .file = "OrganisationKind.csv", .list = "OrganisationKind", .load = LOAD_CODES },
	{ .file = "pillars.csv", .list = NULL, .load = LOAD_PILLARS },
	{ .file = "aliases.csv", .list = NULL, .load = LOAD_ALIASES },
};

#define MAX_COLS 16

struct parse {
	struct cc_store *st;
	const char *file;
	const char *list;
	enum loader load;
	char *fields[MAX_COLS];
	size_t n_fields;
	long record;
	int col[6]; /* column of each needed header, by loader */
	int ret;
	struct cc_err *err;
};

static const char *const needed[][6] = {
	[LOAD_CODES] = { "code", "name", "category", NULL },
	[LOAD_PILLARS] = { "vocabulary", "code", "pillar", NULL },
	[LOAD_ALIASES] = { "alias", "list", "code", "scope", "source", NULL },
};

static void on_field(void *s, size_t len, void *data)
{
	struct parse *p = data;

	if (p->ret < 0)
		return;
	if (p->n_fields >= MAX_COLS) {
		p->ret = cc_err_set(p->err, CC_ETOOBIG, "too many columns");
		return;
	}
	p->fields[p->n_fields] = cc_strndup(s ? s : "", s ? len : 0);
	if (!p->fields[p->n_fields]) {
		p->ret = CC_ENOMEM;
		return;
	}
	p->n_fields++;
}

static const char *field(struct parse *p, int k)
{
	int c = p->col[k];

	return c >= 0 && (size_t)c < p->n_fields ? p->fields[c] : "";
}

static int header(struct parse *p)
{
	for (int k = 0; needed[p->load][k]; k++) {
		p->col[k] = -1;
		for (size_t i = 0; i < p->n_fields; i++) {
			const char *f = p->fields[i];

			if (i == 0 && (unsigned char)f[0] == 0xef) /* UTF-8 BOM */
				f += 3;
			if (strcmp(f, needed[p->load][k]) == 0)
				p->col[k] = (int)i;
		}
		if (p->col[k] < 0 && !(p->load == LOAD_CODES && k == 2))
			return cc_err_set(p->err, CC_EPARSE, "code list has no '%s' column",
			                  needed[p->load][k]);
	}
	return 0;
}

static int row(struct parse *p)
{
	int pillar;

	switch (p->load) {
	case LOAD_CODES:
		return cc_store_put_code(p->st, p->list, field(p, 0), field(p, 1), field(p, 2),
		                         p->err);
	case LOAD_PILLARS:
		pillar = cc_pillar_parse(field(p, 2));
		if (pillar < 0)
			return cc_err_set(p->err, CC_EINVALID, "unknown pillar '%s'", field(p, 2));
		return cc_store_put_pillar(p->st, 0, field(p, 0), field(p, 1), pillar, p->err);
	case LOAD_ALIASES:
		return cc_store_put_code_alias(p->st, field(p, 0), field(p, 1), field(p, 2),
		                               field(p, 3), field(p, 4), p->err);
	}
	return CC_EINVALID;
}

static void on_record(int c, void *data)
{
	struct parse *p = data;

	(void)c;
	p->record++;
	if (p->ret == 0)
		p->ret = p->record == 1 ? header(p) : row(p);
	if (p->ret < 0)
		cc_err_at(p->err, p->file, p->record, NULL);
	for (size_t i = 0; i < p->n_fields; i++)
		cc_free(p->fields[i]);
	p->n_fields = 0;
}

static void *csv_realloc(void *ptr, size_t n)
{
	return cc_realloc(ptr, n);
}

static int load_one(struct cc_store *st, const struct cc__blob *b, const char *list,
                    enum loader load, struct cc_err *err)
{
	struct parse p = { .st = st, .file = b->name, .list = list, .load = load, .err = err };
	struct csv_parser csv;

	if (csv_init(&csv, CSV_APPEND_NULL) != 0)
		return CC_ENOMEM;
	csv_set_realloc_func(&csv, csv_realloc);
	csv_set_free_func(&csv, cc_free);
	if (csv_parse(&csv, b->data, b->len, on_field, on_record, &p) != b->len && p.ret == 0)
		p.ret = cc_err_set(err, CC_EPARSE, "%s", csv_strerror(csv_error(&csv)));
	if (p.ret == 0 && csv_fini(&csv, on_field, on_record, &p) != 0)
		p.ret = cc_err_set(err, CC_EPARSE, "%s", csv_strerror(csv_error(&csv)));
	for (size_t i = 0; i < p.n_fields; i++)
		cc_free(p.fields[i]);
	csv_free(&csv);
	return p.ret;
}

int cc_import_codelists(struct cc_store *st, struct cc_err *err)
{
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const struct cc__blob *b = cc__codelists;
		int ret;

		while (b->name && strcmp(b->name, lists[i].file) != 0)
			b++;
		if (!b->name)
			return cc_err_set(err, CC_ENOTFOUND, "code list '%s' is not compiled in",
			                  lists[i].file);
		ret = load_one(st, b, lists[i].list, lists[i].load, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}
