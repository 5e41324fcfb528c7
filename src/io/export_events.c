/*
 * The events writer: incidents back out as CSV in the columns of the source they came from
 * (ACLED or UCDP GED), so that `concord import events` — or anything else that reads those
 * files — reads them back as the same records. One source per file: the importer decides the
 * format by the header, and the source is part of an incident's identity.
 *
 *	ACLED   event_id_cnty, event_date, time_precision, event_type, sub_event_type, actor1,
 *	        actor2, admin1, admin2, latitude, longitude, geo_precision, fatalities,
 *	        timestamp, notes
 *	UCDP    id, type_of_violence, side_a, side_b, date_start, date_end, date_prec, adm_1,
 *	        adm_2, latitude, longitude, where_prec, best, low, high
 * and, last, admin_pcode: the P-code of the area the incident was placed in (the importers
 * ignore it; they place the point again, with admin1/admin2 as the fallback names, which are
 * the stored area's own and its ancestors' names). Unknown values are empty cells, never 0.
 * The UCDP type goes back to its code (state-based 1, non-state 2, one-sided 3).
 *
 * Only the incidents the store's reader may see are written (cc_store_each_incident applies
 * the viewer of `--as`). The file is written as FILE.tmp and renamed at the end; on any error
 * nothing is left behind. cc_export_events_buf appends the same bytes to a buffer instead (the
 * API's download): both go through write_row, so the file and the download cannot differ.
 */
#include <concord/export.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/events.h>

#include "core/banned.h"

#define ROW_MAX ((size_t)1 << 20) /* one CSV row */

struct ev_out {
	FILE *fp;          /* the file written, or: */
	struct cc_buf *to; /* the buffer appended to (cc_export_events_buf) */
	char *tmp;
	bool ucdp;
	size_t n;
	struct cc_buf row;
};

static const char acled_header[] =
        "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,"
        "admin1,admin2,latitude,longitude,geo_precision,fatalities,timestamp,notes,"
        "admin_pcode\n";
static const char ucdp_header[] =
        "id,type_of_violence,side_a,side_b,date_start,date_end,date_prec,adm_1,adm_2,latitude,"
        "longitude,where_prec,best,low,high,admin_pcode\n";

/* The shortest decimal that reads back as v exactly; "" for NAN. */
static int add_num(struct cc_buf *b, double v)
{
	char s[40];

	if (isnan(v))
		return 0;
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	return cc_buf_adds(b, s);
}

/* A small code; "" for 0 (unknown). */
static int add_code(struct cc_buf *b, int64_t v)
{
	return v ? cc_buf_addf(b, "%lld", (long long)v) : 0;
}

static int add_date(struct cc_buf *b, int32_t day)
{
	char s[11];

	return cc_buf_adds(b, cc_date_format(day, s));
}

/* Fields in order, each followed by sep. */
static int field(struct cc_buf *b, const char *s)
{
	return cc_buf_add_csv(b, s) < 0 || cc_buf_adds(b, ",") < 0 ? -1 : 0;
}

static int sep(struct cc_buf *b, int ret)
{
	return ret < 0 || cc_buf_adds(b, ",") < 0 ? -1 : 0;
}

static int ucdp_type_code(const char *type)
{
	static const char *const names[] = { "", "state-based", "non-state", "one-sided" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(type, names[i]))
			return i;
	return -1;
}

static int write_row(void *ctx, const struct cc_incident_row *r, struct cc_err *err)
{
	struct ev_out *o = ctx;
	const struct cc_incident *inc = &r->inc;
	struct cc_buf *b = &o->row;
	int ok;

	cc_buf_clear(b);
	if (o->ucdp) {
		int tv = ucdp_type_code(inc->type);

		if (tv < 0)
			return cc_err_set(err, CC_EINVALID,
			                  "UCDP incident %s: type '%s' is not state-based, "
			                  "non-state or one-sided",
			                  inc->source_id, inc->type);
		ok = field(b, inc->source_id) == 0 && sep(b, add_code(b, tv)) == 0 &&
		     field(b, inc->actor1) == 0 && field(b, inc->actor2) == 0 &&
		     sep(b, add_date(b, inc->date)) == 0 && sep(b, add_date(b, inc->date_end)) == 0 &&
		     sep(b, add_code(b, inc->date_prec)) == 0 && field(b, r->adm1) == 0 &&
		     field(b, r->adm2) == 0 && sep(b, add_num(b, inc->lat)) == 0 &&
		     sep(b, add_num(b, inc->lon)) == 0 && sep(b, add_code(b, inc->geo_prec)) == 0 &&
		     sep(b, add_num(b, inc->fatalities)) == 0 && sep(b, add_num(b, inc->fat_low)) == 0 &&
		     sep(b, add_num(b, inc->fat_high)) == 0;
	} else {
		if (inc->date_end != inc->date)
			return cc_err_set(err, CC_EINVALID,
			                  "ACLED incident %s spans several days, which ACLED's "
			                  "columns cannot say",
			                  inc->source_id);
		ok = field(b, inc->source_id) == 0 && sep(b, add_date(b, inc->date)) == 0 &&
		     sep(b, add_code(b, inc->date_prec)) == 0 && field(b, inc->type) == 0 &&
		     field(b, inc->sub_type) == 0 && field(b, inc->actor1) == 0 &&
		     field(b, inc->actor2) == 0 && field(b, r->adm1) == 0 && field(b, r->adm2) == 0 &&
		     sep(b, add_num(b, inc->lat)) == 0 && sep(b, add_num(b, inc->lon)) == 0 &&
		     sep(b, add_code(b, inc->geo_prec)) == 0 &&
		     sep(b, add_num(b, inc->fatalities)) == 0 &&
		     sep(b, add_code(b, inc->revised)) == 0 && field(b, inc->notes) == 0;
	}
	if (!ok || cc_buf_add_csv(b, r->pcode) < 0 || cc_buf_adds(b, "\n") < 0)
		return cc_err_set(err, CC_ENOMEM, "incident %s: row too long or out of memory",
		                  inc->source_id);
	if (o->to) {
		int rc = cc_buf_add(o->to, b->buf, b->len);

		if (rc < 0)
			return cc_err_set(err, rc, "%s after %zu incidents",
			                  rc == CC_ETOOBIG ? "the export exceeds the size of an answer"
			                                   : "out of memory",
			                  o->n);
	} else if (fwrite(b->buf, 1, b->len, o->fp) != b->len) {
		return cc_err_set(err, CC_EIO, "cannot write %s: %s", o->tmp, strerror(errno));
	}
	o->n++;
	return 0;
}

/* The source to write when none is given: the only one stored. */
static int only_source(struct cc_store *st, const char **source, struct cc_err *err)
{
	int64_t n_acled = 0, n_ucdp = 0;
	int ret;

	if ((ret = cc_store_count_incidents(st, "acled", &n_acled, err)) < 0 ||
	    (ret = cc_store_count_incidents(st, "ucdp", &n_ucdp, err)) < 0)
		return ret;
	if (n_acled && n_ucdp)
		return cc_err_set(err, CC_EUSAGE,
		                  "the store holds ACLED (%lld) and UCDP (%lld) incidents: choose "
		                  "one with --source acled|ucdp (a file holds one source)",
		                  (long long)n_acled, (long long)n_ucdp);
	*source = n_acled ? "acled" : "ucdp";
	return 0;
}

/* The source to write (given, else the only one stored) into o->ucdp. */
static int pick_source(struct cc_store *st, const char **source, struct ev_out *o,
                       struct cc_err *err)
{
	int ret;

	if (!*source && (ret = only_source(st, source, err)) < 0)
		return ret;
	if (strcmp(*source, "acled") != 0 && strcmp(*source, "ucdp") != 0)
		return cc_err_set(err, CC_EUSAGE, "source '%s': choose acled or ucdp", *source);
	o->ucdp = !strcmp(*source, "ucdp");
	return 0;
}

int cc_export_events_buf(struct cc_store *st, const char *source, struct cc_buf *out,
                         size_t *n_rows_out, struct cc_err *err)
{
	struct ev_out o = { .to = out, .row = CC_BUF_INIT(ROW_MAX) };
	int ret;

	*n_rows_out = 0;
	if ((ret = pick_source(st, &source, &o, err)) < 0)
		return ret;
	if ((ret = cc_buf_adds(out, o.ucdp ? ucdp_header : acled_header)) < 0)
		ret = cc_err_set(err, ret, "out of memory");
	else
		ret = cc_store_each_incident(st, source, write_row, &o, err);
	cc_buf_release(&o.row);
	if (ret == 0)
		*n_rows_out = o.n;
	return ret;
}

int cc_export_events(struct cc_store *st, const char *source, const char *path,
                     size_t *n_rows_out, struct cc_err *err)
{
	struct ev_out o = { .row = CC_BUF_INIT(ROW_MAX) };
	size_t n = strlen(path) + 5;
	int ret;

	*n_rows_out = 0;
	if ((ret = pick_source(st, &source, &o, err)) < 0)
		return ret;
	if (!(o.tmp = cc_malloc(n)))
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	snprintf(o.tmp, n, "%s.tmp", path);
	if (!(o.fp = fopen(o.tmp, "w"))) {
		ret = cc_err_set(err, CC_EIO, "cannot create %s: %s", o.tmp, strerror(errno));
		cc_free(o.tmp);
		return ret;
	}
	if (fputs(o.ucdp ? ucdp_header : acled_header, o.fp) < 0)
		ret = cc_err_set(err, CC_EIO, "cannot write %s: %s", o.tmp, strerror(errno));
	else
		ret = cc_store_each_incident(st, source, write_row, &o, err);
	if (fclose(o.fp) != 0 && ret == 0)
		ret = cc_err_set(err, CC_EIO, "cannot write %s: %s", o.tmp, strerror(errno));
	if (ret == 0 && rename(o.tmp, path) != 0)
		ret = cc_err_set(err, CC_EIO, "cannot rename %s to %s: %s", o.tmp, path,
		                 strerror(errno));
	if (ret < 0)
		remove(o.tmp);
	cc_free(o.tmp);
	cc_buf_release(&o.row);
	if (ret == 0)
		*n_rows_out = o.n;
	return ret;
}
