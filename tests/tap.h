/*
 * A small TAP harness for unit tests (one header; meson runs each test program with
 * protocol 'tap'). TEST(name) { ... } defines a test; check_int(a, op, b), check_str(a, b),
 * check_dbl(a, b, tol) and check(cond) report both values and file:line when they fail.
 * skip_test("why") inside a test marks it skipped. main() is provided: it runs every test in
 * the order defined and prints the plan.
 */
#ifndef CC_TESTS_TAP_H
#define CC_TESTS_TAP_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tap_test {
	const char *name;
	void (*fn)(void);
	struct tap_test *next;
};

static struct tap_test *tap_head, **tap_tail = &tap_head;
static int tap_failed_checks;
static const char *tap_skip_reason;

#define TEST(name)                                                               \
	static void test_##name(void);                                           \
	__attribute__((constructor)) static void register_##name(void)           \
	{                                                                        \
		static struct tap_test t = { #name, test_##name, NULL };         \
		*tap_tail = &t;                                                  \
		tap_tail = &t.next;                                              \
	}                                                                        \
	static void test_##name(void)

#include <stdarg.h>

__attribute__((format(printf, 3, 4))) static bool tap_fail_at(const char *file, int line,
                                                              const char *fmt, ...)
{
	va_list ap;

	tap_failed_checks++;
	fprintf(stdout, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	return false;
}

#define tap_fail_(...) tap_fail_at(__FILE__, __LINE__, __VA_ARGS__)

#define check(cond)                                                              \
	((cond) ? true : (tap_fail_("check failed: %s", #cond), false))

#define check_int(a, op, b)                                                      \
	__extension__({                                                          \
		long long a_ = (long long)(a), b_ = (long long)(b);              \
		bool ok_ = a_ op b_;                                             \
		if (!ok_)                                                        \
			tap_fail_("check_int(%s %s %s): %lld vs %lld", #a, #op, #b, a_, b_); \
		ok_;                                                             \
	})

#define check_str(a, b)                                                          \
	__extension__({                                                          \
		const char *a_ = (a), *b_ = (b);                                 \
		bool ok_ = a_ && b_ && strcmp(a_, b_) == 0;                      \
		if (!ok_)                                                        \
			tap_fail_("check_str(%s, %s): \"%s\" vs \"%s\"", #a, #b,  \
			          a_ ? a_ : "(null)", b_ ? b_ : "(null)");       \
		ok_;                                                             \
	})

#define check_dbl(a, b, tol)                                                     \
	__extension__({                                                          \
		double a_ = (a), b_ = (b);                                       \
		bool ok_ = fabs(a_ - b_) <= (tol);                               \
		if (!ok_)                                                        \
			tap_fail_("check_dbl(%s, %s): %.9g vs %.9g (tol %g)", #a, #b, a_, b_, \
			          (double)(tol));                                \
		ok_;                                                             \
	})

#define skip_test(why) (tap_skip_reason = (why))

int main(void)
{
	int n = 0, i = 0, failed = 0;

	for (struct tap_test *t = tap_head; t; t = t->next)
		n++;
	printf("1..%d\n", n);
	for (struct tap_test *t = tap_head; t; t = t->next) {
		int before = tap_failed_checks;

		tap_skip_reason = NULL;
		t->fn();
		fflush(stderr);
		i++;
		if (tap_failed_checks != before) {
			printf("not ok %d - %s\n", i, t->name);
			failed++;
		} else if (tap_skip_reason) {
			printf("ok %d - %s # SKIP %s\n", i, t->name, tap_skip_reason);
		} else {
			printf("ok %d - %s\n", i, t->name);
		}
		fflush(stdout);
	}
	return failed ? 1 : 0;
}

#endif
