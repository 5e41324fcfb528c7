#include "io/import_util.h"

#include <string.h>
#include <strings.h>
#include <time.h>

#include <concord/buf.h>
#include <concord/text.h>
#include <concord/visibility.h>

#include "core/limits.h"

#include "core/banned.h"

const char *cc__base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

void cc__now_iso(char out[static 32])
{
	struct tm tm;
	time_t t = time(NULL);

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool has_marking(const struct cc_import_opts *o)
{
	const struct cc_import_marking *m = &o->marking;

	return m->releasability || m->owner || m->deny || m->geo || m->figures;
}

int cc__import_source(struct cc_store *st, const char *path, const struct cc_import_opts *o,
                      struct cc_mission *mission, struct cc_source *src,
                      char digest_out[static 65], struct cc_import_report *rep,
                      struct cc_err *err)
{
	const char *name = o->source ? o->source : cc__base_name(path);
	int ret;

	digest_out[0] = '\0';
	ret = cc_store_get_mission(st, o->mission, mission, err);
	if (ret < 0)
		return ret;
	if (strcmp(path, "-") != 0) {
		ret = cc_file_digest(path, digest_out, err);
		if (ret < 0)
			return ret;
	}
	snprintf(rep->digest, sizeof(rep->digest), "%s", digest_out);
	ret = cc_store_get_source(st, mission->id, name, src, err);
	if (ret < 0 && ret != CC_ENOTFOUND)
		return ret;
	cc_err_clear(err);
	/* a marking given again may differ from the stored one: then the rows are compared */
	if (ret == 0 && digest_out[0] && strcmp(src->digest, digest_out) == 0 && !has_marking(o)) {
		rep->same_file = true;
		return 1;
	}
	if (ret == CC_ENOTFOUND) {
		memset(src, 0, sizeof(*src));
		src->mission_id = mission->id;
		src->period_from = src->period_to = CC_DATE_NONE;
		src->n_read = src->n_rejected = -1;
		snprintf(src->name, sizeof(src->name), "%s", name);
	}
	return 0;
}

int cc__csv_write_record(FILE *f, char *const *fields, size_t n_fields, const char *extra)
{
	struct cc_buf line = CC_BUF_INIT(CC_LIMIT_CSV_RECORD * 2);
	int ret = 0;

	for (size_t i = 0; i < n_fields && ret == 0; i++) {
		if (i)
			ret = cc_buf_addch(&line, ',');
		if (ret == 0)
			ret = cc_buf_add_csv(&line, fields[i]);
	}
	if (ret == 0 && extra) {
		ret = cc_buf_addch(&line, ',');
		if (ret == 0)
			ret = cc_buf_add_csv(&line, extra);
	}
	if (ret == 0)
		ret = cc_buf_addch(&line, '\n');
	if (ret == 0 && fwrite(line.buf, 1, line.len, f) != line.len)
		ret = CC_EIO;
	cc_buf_release(&line);
	return ret;
}

int cc__rejects_open(const char *path, FILE **out, struct cc_err *err)
{
	*out = fopen(path, "w");
	if (!*out)
		return cc_err_set(err, CC_EIO, "cannot write rejects file '%s'", path);
	return 0;
}

int cc__import_reject(const struct cc_import_opts *o, struct cc_import_report *rep,
                      FILE *rejects, const char *fname, const struct cc_csv_row *row,
                      struct cc_err *why)
{
	char msg[512];

	cc_err_at(why, fname, row->line, NULL);
	rep->n_rejected++;
	if (o->on_reject)
		o->on_reject(o->reject_ctx, why);
	if (!rejects)
		return 0;
	snprintf(msg, sizeof(msg), "%s%s%s", why->field, why->field[0] ? ": " : "", why->msg);
	return cc__csv_write_record(rejects, row->fields, row->n_fields, msg);
}

int cc__import_finish(struct cc_store *st, const struct cc_import_opts *o,
                      struct cc_import_report *rep, const struct cc__import_end *e,
                      struct cc_source *src, bool *in_tx, struct cc_err *err)
{
	const struct {
		const char *op;
		size_t n;
	} ops[] = {
		{ .op = "insert", .n = rep->n_added },
		{ .op = "update", .n = rep->n_updated },
		{ .op = "delete", .n = rep->n_removed },
	};
	struct cc_change ch = { .table = e->table, .batch = e->batch, .mission_id = e->mission_id,
		                .detail = src->name };
	bool changed = false;
	int ret = 0;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]) && ret == 0; i++) {
		if (!ops[i].n)
			continue;
		changed = true;
		ch.op = ops[i].op;
		ch.first_id = i == 0 ? e->first_added : 0;
		ch.last_id = i == 0 ? e->last_added : 0;
		ch.count = (int64_t)ops[i].n;
		ret = cc_store_log_change(st, &ch, err);
	}
	if (ret < 0)
		return ret;
	snprintf(src->digest, sizeof(src->digest), "%s", rep->n_rejected ? "" : rep->digest);
	if (changed)
		src->batch = e->batch;
	src->n_read = (int64_t)rep->n_read;
	src->n_rejected = (int64_t)rep->n_rejected;
	cc__now_iso(src->imported_at);
	ret = cc_store_put_source(st, src, err);
	if (ret < 0)
		return ret;
	if (rep->n_rejected && (o->flags & CC_IMPORT_STRICT))
		return cc_err_set(err, CC_EREJECTED, "%zu of %zu rows rejected; nothing stored",
		                  rep->n_rejected, rep->n_read);
	if (o->flags & CC_IMPORT_DRY_RUN)
		return 0;
	ret = cc_store_commit(st, err);
	if (ret < 0)
		return ret;
	*in_tx = false;
	rep->stored = true;
	rep->batch = e->batch;
	return 0;
}

/* A releasability option: "" and NULL are none (*out NULL). */
static int marking_rel(const char *s, const char *option, const char **out, struct cc_err *err)
{
	enum cc_rel rel;

	*out = NULL;
	if (!s || !*s)
		return 0;
	if (cc_rel_parse(s, &rel, err) < 0) {
		cc_err_at(err, NULL, 0, option);
		return cc_err_set(err, CC_EUSAGE, "%s: %s", option, err->msg);
	}
	*out = cc_rel_name(rel);
	return 0;
}

int cc__import_marking(struct cc_store *st, const struct cc_mission *mission,
                       const struct cc_import_opts *o, struct cc__marking *out,
                       struct cc_err *err)
{
	const struct cc_import_marking *m = &o->marking;
	struct cc_org owner = { 0 };
	struct cc_buf norm = CC_BUF_INIT(0);
	int ret;

	*out = (struct cc__marking){ .rel = "public" };
	if ((ret = marking_rel(m->releasability, "--releasability", &out->rel, err)) < 0 ||
	    (ret = marking_rel(m->geo, "--geo-releasability", &out->geo, err)) < 0 ||
	    (ret = marking_rel(m->figures, "--figures-releasability", &out->figures, err)) < 0)
		return ret;
	if (!out->rel)
		out->rel = "public";
	/* do no harm: a public record's exact site is for the partners unless said otherwise */
	if (!m->geo && strcmp(out->rel, "public") == 0)
		out->geo = "partners";
	if (m->owner && *m->owner) {
		ret = cc_text_norm(m->owner, &norm);
		if (ret == 0)
			ret = cc_store_find_org(st, mission->id, norm.buf, &owner, NULL);
		cc_buf_release(&norm);
		if (ret < 0) {
			cc_err_set(err, CC_EUSAGE, "--owner: no organisation '%s' in mission %s",
			           m->owner, mission->code);
			cc_err_at(err, NULL, 0, "--owner");
			return CC_EUSAGE;
		}
		out->owner_id = owner.id;
		out->deny = cc_default_deny(owner.kind);
	}
	if (m->deny && cc_kinds_parse(m->deny, &out->deny, err) < 0) {
		cc_err_set(err, CC_EUSAGE, "--deny: %s", err->msg);
		cc_err_at(err, NULL, 0, "--deny");
		return CC_EUSAGE;
	}
	return 0;
}

int cc__row_width(const struct cc_csv_row *row, size_t n_header, struct cc_err *why)
{
	size_t n = row->n_fields;

	while (n > n_header && !row->fields[n - 1][0])
		n--;
	if (n <= n_header)
		return 0;
	cc_err_set(why, CC_EINVALID, "%zu fields; the header has %zu", n, n_header);
	return CC_EINVALID;
}

/* s without the spaces around it, compared case-insensitively with t likewise */
static bool same_name(const char *s, const char *t)
{
	size_t ns, nt;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*t == ' ' || *t == '\t')
		t++;
	ns = strlen(s);
	nt = strlen(t);
	while (ns && (s[ns - 1] == ' ' || s[ns - 1] == '\t'))
		ns--;
	while (nt && (t[nt - 1] == ' ' || t[nt - 1] == '\t'))
		nt--;
	return ns && ns == nt && strncasecmp(s, t, ns) == 0;
}

int cc__header_unique(char *const *fields, size_t n_fields, const char *fname, long line,
                      struct cc_err *err)
{
	for (size_t j = 1; j < n_fields; j++)
		for (size_t i = 0; i < j; i++)
			if (same_name(fields[i], fields[j])) {
				cc_err_set(err, CC_EPARSE,
				           "column '%s' appears twice (columns %zu and %zu)",
				           fields[j], i + 1, j + 1);
				cc_err_at(err, fname, line, fields[j]);
				return CC_EPARSE;
			}
	return 0;
}

static bool same_hashtag(const struct cc_hxl_col *a, const struct cc_hxl_col *b)
{
	if (strcmp(a->tag, b->tag) != 0 || a->n_attrs != b->n_attrs)
		return false;
	for (size_t i = 0; i < a->n_attrs; i++)
		if (!cc_hxl_has_attr(b, a->attrs[i]))
			return false;
	return true;
}

int cc__hxl_unique(const struct cc_hxl *h, const char *fname, long line, struct cc_err *err)
{
	for (size_t j = 1; j < h->n_cols; j++)
		for (size_t i = 0; i < j; i++)
			if (same_hashtag(&h->cols[i], &h->cols[j])) {
				cc_err_set(err, CC_EPARSE,
				           "hashtag '%s' appears twice (columns %d and %d)",
				           h->cols[j].text, h->cols[i].index + 1,
				           h->cols[j].index + 1);
				cc_err_at(err, fname, line, h->cols[j].text);
				return CC_EPARSE;
			}
	return 0;
}
