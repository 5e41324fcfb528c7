/*
 * Allocation in libconcord. Every allocation of the library goes through these functions so that
 * tests can make the Nth allocation fail (cc_test_fail_alloc_after) and check that each failure
 * ends in CC_ENOMEM, with nothing leaked and nothing half-stored. SQLite's allocator is routed
 * here too (see src/store/sqlite.c); GDAL and GEOS cannot be hooked.
 *
 * The failure counter is thread-local: a test that sets it affects only its own thread.
 */
#ifndef CONCORD_ALLOC_H
#define CONCORD_ALLOC_H

#include <stddef.h>

#include <concord/error.h>

/* As malloc/realloc/free; NULL on failure (including an injected one). cc_free(NULL) is a no-op. */
CC_API void *cc_malloc(size_t n);
CC_API void *cc_calloc(size_t n, size_t size);
CC_API void *cc_realloc(void *p, size_t n);
CC_API void cc_free(void *p);

/* n * size bytes, zeroed; NULL if the product overflows or on failure. */
CC_API void *cc_alloc_array(size_t n, size_t size);

/* Owned copies (cc_free); NULL on failure. cc_strdup(NULL) returns NULL. */
CC_API char *cc_strdup(const char *s);
CC_API char *cc_strndup(const char *s, size_t n);

/*
 * Test hook: after n more successful allocations on this thread, every allocation fails until
 * the hook is reset with n < 0. cc_test_alloc_count() returns allocations made on this thread.
 */
CC_API void cc_test_fail_alloc_after(long n);
CC_API long cc_test_alloc_count(void);

/* True when the current thread's next allocation is set to fail (used by the SQLite shim). */
int cc__alloc_should_fail(void);

#endif
