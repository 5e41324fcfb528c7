/*
 * The store most unit tests start from (include after tap.h and testdir.h): the shipped code
 * lists, mission AFG ("Afghanistan", country AFG) and the OCHA P-code gazetteer of
 * data/cases/afghanistan; with AFG_BOUNDARIES also its 34 province polygons (attached by name
 * through the case's code map, as make demo does); with threew (a file of the source tree, NULL
 * none) that 3W file imported as source threew_source (NULL: the file's name).
 * Returns the store in tmp_path(name), or NULL after a failed check that prints why.
 */
#ifndef CC_TESTS_FIXTURES_H
#define CC_TESTS_FIXTURES_H

#include <concord/import.h>
#include <concord/store.h>

enum { AFG_BOUNDARIES = 1 << 0 };

static struct cc_store *afg_fixture(const char *name, unsigned flags, const char *threew,
                                    const char *threew_source, int64_t *mission_out)
{
	const struct cc_import_opts plain = { .level = -1, .period_from = CC_DATE_NONE,
		                              .period_to = CC_DATE_NONE };
	struct cc_mission m = { .code = "AFG", .name = "Afghanistan", .country = "AFG",
		                .start_date = CC_DATE_NONE, .end_date = CC_DATE_NONE };
	struct cc_import_opts bo = plain, wo = plain;
	struct cc_store *st = NULL;
	struct cc_err err = { 0 };
	struct cc_import_report rep;
	char path[160], gaz[512], geo[512], map[512], tw[512];
	int ret;

	bo.level = 1;
	bo.name_field = "shapeName";
	bo.code_map = data("data/cases/afghanistan/adm1_code_map.csv", map);
	wo.source = threew_source;
	ret = cc_store_open(&st, tmp_path(name, path),
	                    &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err);
	if (ret == 0)
		ret = cc_store_begin(st, &err);
	if (ret == 0)
		ret = cc_import_codelists(st, &err);
	if (ret == 0)
		ret = cc_store_put_mission(st, &m, &err);
	if (ret == 0)
		ret = cc_store_commit(st, &err);
	if (ret == 0)
		ret = cc_import_areas(
		        st, data("data/cases/afghanistan/afg_global_pcodes_subset.csv", gaz), &plain,
		        &rep, &err);
	if (ret == 0 && (flags & AFG_BOUNDARIES))
		ret = cc_import_areas(
		        st, data("data/cases/afghanistan/afg_adm1_geoboundaries.geojson", geo), &bo,
		        &rep, &err);
	if (ret == 0 && threew)
		ret = cc_import_3w(st, data(threew, tw), &wo, &rep, &err);
	if (mission_out)
		*mission_out = m.id;
	if (!check_int(ret, ==, 0)) {
		char buf[512];

		printf("# %s\n", cc_err_format(&err, buf, sizeof(buf)));
		cc_store_close(st);
		return NULL;
	}
	return st;
}

#endif
