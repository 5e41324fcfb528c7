/*
 * Replays, with the ordinary compiler and sanitizers, the inputs that once crashed a fuzz target
 * (or broke a promise it checks) and were fixed: tests/data/fuzz-regressions/TARGET-CODE-what,
 * where TARGET names the entry point of fuzz/targets.h and CODE the result it must give now
 * (OK, EPARSE, EREJECTED, ...). Then every seed of fuzz/corpus/TARGET/, which must end in
 * success or a clean error with a message. A crash ends the program, which the harness reports.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../../fuzz/targets.h"

/* The whole file; NULL when it cannot be read. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	size_t cap = 0, n = 0, k;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			uint8_t *nb = realloc(b, cap = cap ? cap * 2 : 4096);

			if (!nb) {
				free(b);
				fclose(f);
				return NULL;
			}
			b = nb;
		}
		k = fread(b + n, 1, cap - n, f);
		n += k;
	} while (k > 0);
	fclose(f);
	*len = n;
	return b;
}

/* The target whose name starts file (followed by '-'); NULL for none. */
static int (*target_of(const char *file, const char **rest))(const uint8_t *, size_t)
{
	for (size_t i = 0; i < sizeof(fz_targets) / sizeof(fz_targets[0]); i++) {
		size_t n = strlen(fz_targets[i].name);

		if (!strncmp(file, fz_targets[i].name, n) && file[n] == '-') {
			*rest = file + n + 1;
			return fz_targets[i].run;
		}
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir, sorted; *n_out of them. */
static char **list_dir(const char *dir, size_t *n_out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	*n_out = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		char **nn;

		if (e->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			break;
		names = nn;
		if (!(names[n] = strdup(e->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	*n_out = n;
	return names;
}

static void free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

TEST(fixed_crashes_give_the_result_named_in_their_file_name)
{
	char dir[512], path[1024];
	size_t n, n_run = 0;
	char **names = list_dir(fz_source("tests/data/fuzz-regressions", dir), &n);

	for (size_t i = 0; i < n; i++) {
		const char *rest = NULL;
		int (*run)(const uint8_t *, size_t) = target_of(names[i], &rest);
		uint8_t *bytes;
		size_t len = 0;
		char want[32];
		int ret;

		if (!strcmp(names[i], "README.md"))
			continue;
		if (!check(run != NULL)) {
			printf("# %s: no target of that name\n", names[i]);
			continue;
		}
		snprintf(want, sizeof(want), "%.*s", (int)strcspn(rest, "-."), rest);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		bytes = slurp(path, &len);
		if (!check(bytes != NULL))
			continue;
		ret = run(bytes, len);
		free(bytes);
		n_run++;
		if (!check_str(cc_code_name(ret), want))
			printf("# %s\n", names[i]);
	}
	free_list(names, n);
	check_int(n_run, >, 0);
}

TEST(every_seed_ends_in_success_or_a_clean_error)
{
	size_t n_run = 0;

	for (size_t t = 0; t < sizeof(fz_targets) / sizeof(fz_targets[0]); t++) {
		char rel[128], dir[512], path[1024];
		size_t n;
		char **names;

		snprintf(rel, sizeof(rel), "fuzz/corpus/%s", fz_targets[t].name);
		names = list_dir(fz_source(rel, dir), &n);
		check_int(n, >, 0);
		for (size_t i = 0; i < n; i++) {
			uint8_t *bytes;
			size_t len = 0;
			int ret;

			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			bytes = slurp(path, &len);
			if (!check(bytes != NULL))
				continue;
			ret = fz_targets[t].run(bytes, len);
			free(bytes);
			n_run++;
			/* fz_* abort on an error without a message; any code is a clean end */
			if (!check(ret <= 0 && strcmp(cc_code_name(ret), "unknown")))
				printf("# %s/%s: %d\n", fz_targets[t].name, names[i], ret);
		}
		free_list(names, n);
	}
	check_int(n_run, >, 60);
}
