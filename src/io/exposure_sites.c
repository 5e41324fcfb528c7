/*
 * The sites file of concord exposure --sites: CSV rows label,lat,lon[,date], an optional
 * header row (its second field is not a number). See <concord/exposure.h>.
 */
#include <concord/exposure.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/model.h>
#include <concord/text.h>

#include "io/csv.h"

#include "core/banned.h"

#define MAX_SITES 10000000

static int field_fail(struct cc_err *err, const char *path, long line, const char *field,
                      const char *value, const char *what)
{
	cc_err_set(err, CC_EPARSE, "'%.40s' is not %s", value, what);
	cc_err_at(err, path, line, field);
	return CC_EPARSE;
}

int cc_exposure_read_sites(const char *path, struct cc_exposure_site_row **out, size_t *n_out,
                           struct cc_err *err)
{
	struct cc_exposure_site_row *rows = NULL, *grown;
	struct cc_csv *c = NULL;
	struct cc_csv_row row;
	size_t n = 0, cap = 0;
	bool first = true;
	int ret;

	*out = NULL;
	*n_out = 0;
	if ((ret = cc_csv_open(&c, path, &(struct cc_csv_opts){ .no_digest = true }, err)) < 0)
		return ret;
	while ((ret = cc_csv_next(c, &row, err)) == 0) {
		const char *label = cc__csv_cell(&row, 0), *slat = cc__csv_cell(&row, 1);
		const char *slon = cc__csv_cell(&row, 2), *sdate = cc__csv_cell(&row, 3);
		struct cc_exposure_site_row *r;
		double lat, lon;

		if (first) {
			first = false;
			if (cc_parse_double(slat, &lat, NULL) < 0)
				continue; /* a header */
		}
		if (row.n_fields < 3 || row.n_fields > 4) {
			ret = cc_err_set(err, CC_EPARSE, "%zu fields, want label,lat,lon[,date]",
			                 row.n_fields);
			cc_err_at(err, path, row.line, NULL);
			goto out_free;
		}
		if (cc_parse_double(slat, &lat, NULL) < 0 || !(fabs(lat) <= 90)) {
			ret = field_fail(err, path, row.line, "lat", slat, "a latitude (-90 … 90)");
			goto out_free;
		}
		if (cc_parse_double(slon, &lon, NULL) < 0 || !(fabs(lon) <= 180)) {
			ret = field_fail(err, path, row.line, "lon", slon,
			                 "a longitude (-180 … 180)");
			goto out_free;
		}
		if (n == cap) {
			if (cap >= MAX_SITES) {
				ret = cc_err_set(err, CC_ETOOBIG, "more than %d sites", MAX_SITES);
				cc_err_at(err, path, row.line, NULL);
				goto out_free;
			}
			cap = cap ? cap * 2 : 256;
			grown = cc_realloc(rows, cap * sizeof(*rows));
			if (!grown) {
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
				goto out_free;
			}
			rows = grown;
		}
		r = &rows[n];
		memset(r, 0, sizeof(*r));
		r->lat = lat;
		r->lon = lon;
		r->line = row.line;
		r->at = CC_DATE_NONE;
		if (*sdate && cc_date_parse(sdate, &r->at, NULL) < 0) {
			ret = field_fail(err, path, row.line, "date", sdate, "a date (YYYY-MM-DD)");
			goto out_free;
		}
		if (strlen(label) >= sizeof(r->label)) {
			ret = field_fail(err, path, row.line, "label", label,
			                 "a label of at most 63 bytes");
			goto out_free;
		}
		snprintf(r->label, sizeof(r->label), "%s", label);
		n++;
	}
	if (ret < 0)
		goto out_free;
	ret = 0;
	*out = rows;
	*n_out = n;
	rows = NULL;
out_free:
	cc_csv_close(c);
	cc_free(rows);
	return ret;
}
