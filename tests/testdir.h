/*
 * Files of a unit test: tmp_path() names a file in the test's own temporary folder (made on
 * first use as /tmp/<program>-XXXXXX, removed with everything in it when the program exits),
 * data() a file of the source tree ($CC_SOURCE_ROOT, set by meson).
 */
#ifndef CC_TESTS_TESTDIR_H
#define CC_TESTS_TESTDIR_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char testdir[128];

static const char *tmp_path(const char *name, char buf[static 160])
{
	if (!testdir[0]) {
		snprintf(testdir, sizeof(testdir), "/tmp/%s-XXXXXX", program_invocation_short_name);
		if (!mkdtemp(testdir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	snprintf(buf, 160, "%s/%s", testdir, name);
	return buf;
}

__attribute__((destructor)) static void testdir_remove(void)
{
	char cmd[160];

	if (testdir[0] && strncmp(testdir, "/tmp/", 5) == 0 && !strchr(testdir, '\'')) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", testdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", testdir);
	}
}

static const char *data(const char *rel, char buf[static 512])
{
	const char *root = getenv("CC_SOURCE_ROOT");

	snprintf(buf, 512, "%s/%s", root ? root : ".", rel);
	return buf;
}

#endif
