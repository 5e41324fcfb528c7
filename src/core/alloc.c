#include <concord/alloc.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The one file of libconcord that calls malloc and free; banned.h is therefore not included. */

static _Thread_local long fail_after = -1;
static _Thread_local long n_allocs;

void cc_test_fail_alloc_after(long n)
{
	fail_after = n;
}

long cc_test_alloc_count(void)
{
	return n_allocs;
}

int cc__alloc_should_fail(void)
{
	if (fail_after < 0)
		return 0;
	if (fail_after == 0)
		return 1;
	fail_after--;
	return 0;
}

void *cc_malloc(size_t n)
{
	if (cc__alloc_should_fail())
		return NULL;
	n_allocs++;
	return malloc(n ? n : 1);
}

void *cc_calloc(size_t n, size_t size)
{
	return cc_alloc_array(n, size);
}

void *cc_alloc_array(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	if (cc__alloc_should_fail())
		return NULL;
	n_allocs++;
	return calloc(n ? n : 1, size ? size : 1);
}

void *cc_realloc(void *p, size_t n)
{
	if (cc__alloc_should_fail())
		return NULL;
	n_allocs++;
	return realloc(p, n ? n : 1);
}

void cc_free(void *p)
{
	free(p);
}

char *cc_strndup(const char *s, size_t n)
{
	char *d;

	if (!s)
		return NULL;
	d = cc_malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *cc_strdup(const char *s)
{
	if (!s)
		return NULL;
	return cc_strndup(s, strlen(s));
}
