/* The part of cmocka's API that the suite uses, in one header, for the cross builds
 * (aarch64, i686, musl): Debian ships cmocka for the build machine only, and a static
 * cmocka per target would be a second library to build and keep. With -Itests/cross ahead
 * of the system headers, the suite's own sources compile unchanged against this.
 *
 * It prints what cmocka prints, so tests/run.sh counts it the same way:
 *   [ RUN      ] name / [       OK ] name / [  FAILED  ] name / [  SKIPPED ] name
 *   [  PASSED  ] N test(s).  and  [  FAILED  ] N test(s), listed below:
 * A failed assertion prints where and why, then jumps back to the runner, which runs the
 * test's teardown and goes on with the next test. Only the test's own thread may fail an
 * assertion, as with cmocka.
 *
 * CROSS_CMOCKA_SKIP="name,name" skips those tests (printed as SKIPPED, not counted as
 * passed): for the few whose expected text is the build machine's, such as cycles where
 * aarch64 prints ticks. */
#ifndef LINDPERF_TESTS_CROSS_CMOCKA_H
#define LINDPERF_TESTS_CROSS_CMOCKA_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f) {#f, f, NULL, NULL, NULL}
#define cmocka_unit_test_setup(f, setup) {#f, f, setup, NULL, NULL}
#define cmocka_unit_test_teardown(f, teardown) {#f, f, NULL, teardown, NULL}
#define cmocka_unit_test_setup_teardown(f, setup, teardown) {#f, f, setup, teardown, NULL}

enum { CROSS_CMOCKA_FAILED = 1, CROSS_CMOCKA_SKIPPED = 2 };

/* A test file uses some of these and not others. */
#define CROSS_CMOCKA_FN static __attribute__((unused))

/* One test runs at a time; these say where its failure goes. */
static jmp_buf cross_cmocka_jump;
static int cross_cmocka_in_test;

CROSS_CMOCKA_FN void cross_cmocka_stop(int why)
{
    fflush(stdout);
    if (cross_cmocka_in_test)
        longjmp(cross_cmocka_jump, why);
    fprintf(stderr, "cmocka stand-in: an assertion failed outside a test\n");
    _Exit(1);
}

CROSS_CMOCKA_FN void print_message(const char *format, ...) __attribute__((format(printf, 1, 2)));
CROSS_CMOCKA_FN void print_message(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
}

CROSS_CMOCKA_FN void print_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
CROSS_CMOCKA_FN void print_error(const char *format, ...)
{
    va_list args;
    fflush(stdout);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
}

CROSS_CMOCKA_FN void cross_cmocka_fail_at(const char *file, int line)
{
    print_error("[   LINE   ] --- %s:%d: error: Failure!\n", file, line);
    cross_cmocka_stop(CROSS_CMOCKA_FAILED);
}

#define fail() cross_cmocka_fail_at(__FILE__, __LINE__)
#define fail_msg(msg, ...) \
    do { print_error("ERROR: " msg "\n", ##__VA_ARGS__); fail(); } while (0)
#define skip() cross_cmocka_stop(CROSS_CMOCKA_SKIPPED)

CROSS_CMOCKA_FN void cross_cmocka_check(int ok, const char *what, const char *file, int line)
{
    if (!ok) {
        print_error("%s\n", what);
        cross_cmocka_fail_at(file, line);
    }
}

CROSS_CMOCKA_FN void cross_cmocka_int_equal(uintmax_t a, uintmax_t b, int want_equal,
                                            const char *file, int line)
{
    if ((a == b) != want_equal) {
        print_error("%" PRIuMAX " (%#" PRIxMAX ") %s %" PRIuMAX " (%#" PRIxMAX ")\n",
                    a, a, want_equal ? "!=" : "==", b, b);
        cross_cmocka_fail_at(file, line);
    }
}

CROSS_CMOCKA_FN void cross_cmocka_in_range(uintmax_t v, uintmax_t lo, uintmax_t hi,
                                           const char *file, int line)
{
    if (v < lo || v > hi) {
        print_error("%" PRIuMAX " is not within the range [%" PRIuMAX ", %" PRIuMAX "]\n",
                    v, lo, hi);
        cross_cmocka_fail_at(file, line);
    }
}

CROSS_CMOCKA_FN void cross_cmocka_string_equal(const char *a, const char *b, const char *file,
                                               int line)
{
    if (!a || !b || strcmp(a, b) != 0) {
        print_error("\"%s\" != \"%s\"\n", a ? a : "(null)", b ? b : "(null)");
        cross_cmocka_fail_at(file, line);
    }
}

CROSS_CMOCKA_FN void cross_cmocka_memory_equal(const void *a, const void *b, size_t size,
                                               const char *file, int line)
{
    if (memcmp(a, b, size) != 0) {
        print_error("%zu bytes at %p and %p differ\n", size, a, b);
        cross_cmocka_fail_at(file, line);
    }
}

#define assert_true(c) cross_cmocka_check(!!(c), #c, __FILE__, __LINE__)
#define assert_false(c) cross_cmocka_check(!(c), "!(" #c ")", __FILE__, __LINE__)
#define assert_non_null(p) cross_cmocka_check((p) != NULL, #p " is NULL", __FILE__, __LINE__)
#define assert_null(p) cross_cmocka_check((p) == NULL, #p " is not NULL", __FILE__, __LINE__)
#define assert_int_equal(a, b) \
    cross_cmocka_int_equal((uintmax_t)(a), (uintmax_t)(b), 1, __FILE__, __LINE__)
#define assert_int_not_equal(a, b) \
    cross_cmocka_int_equal((uintmax_t)(a), (uintmax_t)(b), 0, __FILE__, __LINE__)
#define assert_ptr_equal(a, b) \
    cross_cmocka_int_equal((uintmax_t)(uintptr_t)(a), (uintmax_t)(uintptr_t)(b), 1, __FILE__, \
                           __LINE__)
#define assert_in_range(v, lo, hi) \
    cross_cmocka_in_range((uintmax_t)(v), (uintmax_t)(lo), (uintmax_t)(hi), __FILE__, \
                          __LINE__)
#define assert_string_equal(a, b) cross_cmocka_string_equal((a), (b), __FILE__, __LINE__)
#define assert_memory_equal(a, b, size) \
    cross_cmocka_memory_equal((a), (b), (size), __FILE__, __LINE__)

CROSS_CMOCKA_FN int cross_cmocka_skipped_by_name(const char *name)
{
    const char *list = getenv("CROSS_CMOCKA_SKIP");
    size_t length = strlen(name);
    for (const char *p = list; p && *p; p += strcspn(p, ","), p += *p == ',')
        if (strncmp(p, name, length) == 0 && (p[length] == ',' || p[length] == 0))
            return 1;
    return 0;
}

/* One test with its fixtures: 0 passed, else CROSS_CMOCKA_FAILED or _SKIPPED. */
CROSS_CMOCKA_FN int cross_cmocka_run_one(const struct CMUnitTest *t, void *group_state)
{
    void *volatile state = t->initial_state ? t->initial_state : group_state;
    volatile int result = 0, set_up = 0;
    cross_cmocka_in_test = 1;
    int jumped = setjmp(cross_cmocka_jump);
    if (jumped == 0) {
        if (t->setup_func && t->setup_func((void **)&state) != 0) {
            print_error("[  ERROR   ] %s: the setup failed\n", t->name);
            result = CROSS_CMOCKA_FAILED;
        } else {
            set_up = 1;
            t->test_func((void **)&state);
        }
    } else {
        result = jumped;
    }
    /* As cmocka does: a test that was set up is torn down, whatever its result. */
    if (set_up && t->teardown_func) {
        if (setjmp(cross_cmocka_jump) != 0 || t->teardown_func((void **)&state) != 0) {
            print_error("[  ERROR   ] %s: the teardown failed\n", t->name);
            result = CROSS_CMOCKA_FAILED;
        }
    }
    cross_cmocka_in_test = 0;
    return result;
}

CROSS_CMOCKA_FN int cross_cmocka_run_group(const char *group, const struct CMUnitTest *tests,
                                           size_t count, CMFixtureFunction group_setup,
                                           CMFixtureFunction group_teardown)
{
    void *group_state = NULL;
    size_t passed = 0, failed = 0, skipped = 0;
    const char *failures[256];
    (void)group;
    printf("[==========] Running %zu test(s).\n", count);
    if (group_setup && group_setup(&group_state) != 0) {
        printf("[  ERROR   ] the group setup failed\n"
               "[  FAILED  ] %zu test(s), listed below:\n", count);
        return (int)count;
    }
    for (size_t i = 0; i < count; i++) {
        printf("[ RUN      ] %s\n", tests[i].name);
        fflush(stdout);
        int result = cross_cmocka_skipped_by_name(tests[i].name)
                         ? CROSS_CMOCKA_SKIPPED
                         : cross_cmocka_run_one(&tests[i], group_state);
        fflush(stderr);
        if (result == 0) {
            printf("[       OK ] %s\n", tests[i].name);
            passed++;
        } else if (result == CROSS_CMOCKA_SKIPPED) {
            printf("[  SKIPPED ] %s\n", tests[i].name);
            skipped++;
        } else {
            printf("[  FAILED  ] %s\n", tests[i].name);
            if (failed < sizeof failures / sizeof failures[0])
                failures[failed] = tests[i].name;
            failed++;
        }
    }
    if (group_teardown)
        group_teardown(&group_state);
    printf("[==========] %zu test(s) run.\n[  PASSED  ] %zu test(s).\n", count, passed);
    if (skipped)
        printf("[  SKIPPED ] %zu test(s).\n", skipped);
    if (failed) {
        printf("[  FAILED  ] %zu test(s), listed below:\n", failed);
        for (size_t i = 0; i < failed && i < sizeof failures / sizeof failures[0]; i++)
            printf("[  FAILED  ] %s\n", failures[i]);
        printf("\n %zu FAILED TEST(S)\n", failed);
    }
    fflush(stdout);
    return (int)failed;
}

#define cmocka_run_group_tests(tests, setup, teardown) \
    cross_cmocka_run_group(#tests, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)
#define cmocka_run_group_tests_name(name, tests, setup, teardown) \
    cross_cmocka_run_group(name, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)

#endif
