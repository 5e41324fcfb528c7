/*
 * GDAL, loaded on first use: see gdal.h.
 *
 * The library is opened RTLD_LOCAL (its symbols serve only the table) and never closed: GDAL
 * keeps its driver registrations for the life of the process, as it does when linked.
 */
#include "io/gdal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

#ifndef CC_GDAL_SONAME
#define CC_GDAL_SONAME "libgdal.so"
#endif

/* dlsym's void * is copied into the function pointers: they must be the same size */
_Static_assert(sizeof(void (*)(void)) == sizeof(void *), "function and data pointers differ");

struct cc_gdal cc__gdal;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_msg[200]; /* "" when loaded */

static void load(void)
{
	void *h = dlopen(CC_GDAL_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *why;

	if (!h) {
		why = dlerror();
		snprintf(load_msg, sizeof(load_msg), "cannot load GDAL (%s): %s", CC_GDAL_SONAME,
		         why ? why : "unknown error");
		return;
	}
	/*
	 * dlsym returns void *; ISO C has no conversion from it to a function pointer, POSIX
	 * guarantees it works, and copying the bytes is the form -Wpedantic accepts.
	 */
#define CC_GDAL_RESOLVE(fn)                                                                 \
	{                                                                                   \
		void *p = dlsym(h, #fn);                                                    \
		if (!p) {                                                                   \
			snprintf(load_msg, sizeof(load_msg),                                \
			         "cannot load GDAL (%s): no function %s", CC_GDAL_SONAME, #fn); \
			return;                                                             \
		}                                                                           \
		memcpy(&cc__gdal.fn, &p, sizeof(p));                                        \
	}
	CC_GDAL_FUNCTIONS(CC_GDAL_RESOLVE)
#undef CC_GDAL_RESOLVE
	cc__gdal.GDALAllRegister();
}

int cc__gdal_load(struct cc_err *err)
{
	pthread_once(&load_once, load);
	if (load_msg[0])
		return cc_err_set(err, CC_EUNSUPPORTED, "%s", load_msg);
	return 0;
}
