/*
 * The 3W importer through the library: allocation failure at every allocation of an import
 * (each ends in CC_ENOMEM and leaves the store unchanged), strict and dry runs that change no
 * digest, the rejects file, and the real Afghanistan file's counts computed here from the file.
 */
#include <concord/alloc.h>
#include <concord/import.h>
#include <concord/store.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "testdir.h"
#include "fixtures.h"

static struct cc_store *afg_store(const char *name)
{
	return afg_fixture(name, 0, NULL, NULL, NULL);
}

static int64_t count(struct cc_store *st, const char *table)
{
	int64_t n = -1;

	cc_store_count(st, table, &n, NULL);
	return n;
}

static void digest(struct cc_store *st, char out[static 65])
{
	struct cc_err err = { 0 };

	if (cc_store_digest(st, out, &err) != 0)
		snprintf(out, 65, "error");
}

struct rejects {
	int n;
	char first[512];
};

static void on_reject(void *ctx, const struct cc_err *why)
{
	struct rejects *r = ctx;

	if (r->n++ == 0)
		cc_err_format(why, r->first, sizeof(r->first));
}

TEST(every_allocation_failure_leaves_the_store_unchanged)
{
	struct cc_store *st = afg_store("oom.db");
	char small[512], before[65], after[65];
	struct cc_import_opts o = { .period_from = CC_DATE_NONE, .period_to = CC_DATE_NONE,
		                    .source = "partners" };
	struct cc_import_report rep;
	struct cc_err err;
	long n;
	int ret = -1, n_fail = 0;

	if (!st)
		return;
	data("tests/data/3w/small.csv", small);
	digest(st, before);
	for (n = 0; n < 100000; n++) {
		memset(&err, 0, sizeof(err));
		cc_test_fail_alloc_after(n);
		ret = cc_import_3w(st, small, &o, &rep, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM)) {
			char buf[512];

			printf("# failing allocation %ld: %s\n", n, cc_err_format(&err, buf, sizeof(buf)));
			break;
		}
		digest(st, after);
		if (!check_str(after, before))
			break;
	}
	check_int(ret, ==, 0);
	check(n_fail > 10); /* the import allocates: failures really were injected */
	check_int(rep.n_added, ==, 8);
	check_int(count(st, "activity"), ==, 8);
	cc_store_close(st);
}

TEST(strict_and_dry_run_change_no_digest)
{
	struct cc_store *st = afg_store("strict.db");
	char bad[512], before[65], after[65];
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct rejects rj = { 0 };
	int ret;

	if (!st)
		return;
	data("tests/data/3w/bad.csv", bad);
	digest(st, before);
	ret = cc_import_3w(st, bad,
	                   &(struct cc_import_opts){ .flags = CC_IMPORT_STRICT,
	                                             .period_from = CC_DATE_NONE,
	                                             .period_to = CC_DATE_NONE,
	                                             .on_reject = on_reject, .reject_ctx = &rj },
	                   &rep, &err);
	check_int(ret, ==, CC_EREJECTED);
	check_int(rep.n_rejected, ==, 12);
	check_int(rj.n, ==, 12);
	check(strstr(rj.first, "bad.csv:4: #adm2+code: unknown P-code 'AF0199'") != NULL);
	check(!rep.stored);
	digest(st, after);
	check_str(after, before);

	ret = cc_import_3w(st, bad,
	                   &(struct cc_import_opts){ .flags = CC_IMPORT_DRY_RUN,
	                                             .period_from = CC_DATE_NONE,
	                                             .period_to = CC_DATE_NONE },
	                   &rep, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_added, ==, 2);
	check(!rep.stored);
	digest(st, after);
	check_str(after, before);
	check_int(count(st, "activity"), ==, 0);
	cc_store_close(st);
}

TEST(rejects_file_can_be_fixed_and_reimported)
{
	struct cc_store *st = afg_store("rejects.db");
	char bad[512], rpath[160], line[4096];
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	FILE *f;
	int n = 0, ret;

	if (!st)
		return;
	data("tests/data/3w/bad.csv", bad);
	tmp_path("rejects.csv", rpath);
	ret = cc_import_3w(st, bad,
	                   &(struct cc_import_opts){ .period_from = CC_DATE_NONE,
	                                             .period_to = CC_DATE_NONE,
	                                             .rejects_path = rpath },
	                   &rep, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_added, ==, 2);
	f = fopen(rpath, "r");
	if (!check(f != NULL))
		goto out;
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (n == 1)
			check(strstr(line, "Organisation,Org type,") == line &&
			      strstr(line, ",error\n") != NULL);
		if (n == 2)
			check(strstr(line, "#org+acronym,") == line &&
			      strstr(line, ",#meta+error\n") != NULL);
		if (n == 3)
			check_str(line, "UNICEF,United Nations,,WASH,Kabul,AF01,AF0199,Water trucking,"
			                "2021-07-01,2021-09-30,6000,4500,Ongoing,,,"
			                "#adm2+code: unknown P-code 'AF0199'\n");
	}
	fclose(f);
	check_int(n, ==, 14); /* header, HXL row and 12 rejected rows */
out:
	cc_store_close(st);
}

TEST(real_afghanistan_file)
{
	struct cc_store *st = afg_store("afg.db");
	char path[512];
	struct cc_import_opts o = { .period_from = 0, .period_to = 0 };
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct rejects rj = { 0 };
	FILE *f;
	char line[2048];
	long n_lines = 0;
	int ret;

	if (!st)
		return;
	data("data/cases/afghanistan/afg_3w_operational_presence_2021q3.csv", path);
	/* physical lines, counted here: header + HXL row + data rows, no multi-line fields */
	f = fopen(path, "r");
	if (!check(f != NULL))
		goto out;
	while (fgets(line, sizeof(line), f))
		n_lines++;
	fclose(f);
	check(cc_period_parse("2021-07-01/2021-09-30", &o.period_from, &o.period_to, &err) == 0);
	o.on_reject = on_reject;
	o.reject_ctx = &rj;
	ret = cc_import_3w(st, path, &o, &rep, &err);
	check_int(ret, ==, 0);
	check_int(rep.n_read, ==, n_lines - 2);
	check_int(rep.n_added + rep.n_rejected, ==, rep.n_read); /* no row disappears */
	check_int(rep.n_rejected, ==, 79);
	check_int(rj.n, ==, 79);
	check_int(count(st, "activity"), ==, (int64_t)rep.n_added);
	check_int(count(st, "organisation"), ==, 119);
out:
	cc_store_close(st);
}
