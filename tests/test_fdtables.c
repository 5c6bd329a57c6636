/* The example's per-cage virtual fd table: allocation, translation, close, the bound that
 * rejects out-of-range fds before the kernel, and double close. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "fdtables.h"
#include "lindperf.h"   /* the module under test measures: the library's code is here */

enum { CAGE = 1, OTHER_CAGE = 2 };

static int fresh_tables(void **state)
{
    (void)state;
    fdtables_init_cage(CAGE);
    fdtables_init_cage(OTHER_CAGE);
    return 0;
}

static void allocation_starts_at_zero_and_counts_up(void **state)
{
    (void)state;
    assert_int_equal(fdtables_get_unused_virtualfd(CAGE, 100), 0);
    assert_int_equal(fdtables_get_unused_virtualfd(CAGE, 101), 1);
    assert_int_equal(fdtables_get_unused_virtualfd(CAGE, 102), 2);
}

static void allocation_reuses_the_lowest_closed_fd(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++)
        fdtables_get_unused_virtualfd(CAGE, 200 + i);
    assert_int_equal(fdtables_close_virtualfd(CAGE, 1), 201);
    assert_int_equal(fdtables_get_unused_virtualfd(CAGE, 300), 1);
    assert_int_equal(fdtables_translate_virtualfd(CAGE, 1), 300);
}

static void translation_returns_the_real_fd(void **state)
{
    (void)state;
    int a = fdtables_get_unused_virtualfd(CAGE, 17);
    int b = fdtables_get_unused_virtualfd(CAGE, 42);
    assert_int_equal(fdtables_translate_virtualfd(CAGE, (uint64_t)a), 17);
    assert_int_equal(fdtables_translate_virtualfd(CAGE, (uint64_t)b), 42);
}

static void cages_have_separate_tables(void **state)
{
    (void)state;
    assert_int_equal(fdtables_get_unused_virtualfd(CAGE, 10), 0);
    assert_int_equal(fdtables_get_unused_virtualfd(OTHER_CAGE, 20), 0);
    assert_int_equal(fdtables_translate_virtualfd(CAGE, 0), 10);
    assert_int_equal(fdtables_translate_virtualfd(OTHER_CAGE, 0), 20);
    fdtables_close_virtualfd(CAGE, 0);
    assert_int_equal(fdtables_translate_virtualfd(OTHER_CAGE, 0), 20);
}

static void close_returns_the_real_fd_and_forgets_it(void **state)
{
    (void)state;
    int vfd = fdtables_get_unused_virtualfd(CAGE, 55);
    assert_int_equal(fdtables_close_virtualfd(CAGE, (uint64_t)vfd), 55);
    assert_int_equal(fdtables_translate_virtualfd(CAGE, (uint64_t)vfd), -EBADF);
}

static void double_close_is_ebadf(void **state)
{
    (void)state;
    int vfd = fdtables_get_unused_virtualfd(CAGE, 55);
    assert_int_equal(fdtables_close_virtualfd(CAGE, (uint64_t)vfd), 55);
    assert_int_equal(fdtables_close_virtualfd(CAGE, (uint64_t)vfd), -EBADF);
}

static void unopened_fd_is_ebadf(void **state)
{
    (void)state;
    assert_int_equal(fdtables_translate_virtualfd(CAGE, 5), -EBADF);
    assert_int_equal(fdtables_close_virtualfd(CAGE, 5), -EBADF);
}

static void out_of_range_fds_are_ebadf(void **state)
{
    (void)state;
    uint64_t minus_one = (uint64_t)(int64_t)-1;
    assert_int_equal(fdtables_close_virtualfd(CAGE, minus_one), -EBADF);
    assert_int_equal(fdtables_translate_virtualfd(CAGE, minus_one), -EBADF);
    assert_int_equal(fdtables_close_virtualfd(CAGE, FDTABLES_MAX_FDS), -EBADF);
    assert_int_equal(fdtables_translate_virtualfd(CAGE, FDTABLES_MAX_FDS), -EBADF);
    assert_int_equal(fdtables_translate_virtualfd(CAGE, UINT64_MAX / 2), -EBADF);
}

static void last_fd_in_range_works(void **state)
{
    (void)state;
    for (int i = 0; i < FDTABLES_MAX_FDS; i++)
        assert_int_equal(fdtables_get_unused_virtualfd(CAGE, 1000 + i), i);
    assert_int_equal(fdtables_translate_virtualfd(CAGE, FDTABLES_MAX_FDS - 1),
                     1000 + FDTABLES_MAX_FDS - 1);
}

static void full_table_is_emfile(void **state)
{
    (void)state;
    for (int i = 0; i < FDTABLES_MAX_FDS; i++)
        fdtables_get_unused_virtualfd(CAGE, i);
    assert_int_equal(fdtables_get_unused_virtualfd(CAGE, 9999), -EMFILE);
    fdtables_close_virtualfd(CAGE, 7);
    assert_int_equal(fdtables_get_unused_virtualfd(CAGE, 9999), 7);
}

static void cage_outside_the_tables_is_ebadf(void **state)
{
    (void)state;
    assert_int_equal(fdtables_get_unused_virtualfd(FDTABLES_MAX_CAGES, 3), -EBADF);
    assert_int_equal(fdtables_translate_virtualfd(FDTABLES_MAX_CAGES, 0), -EBADF);
    assert_int_equal(fdtables_close_virtualfd(FDTABLES_MAX_CAGES, 0), -EBADF);
}

static void init_cage_empties_the_table(void **state)
{
    (void)state;
    fdtables_get_unused_virtualfd(CAGE, 3);
    fdtables_init_cage(CAGE);
    assert_int_equal(fdtables_translate_virtualfd(CAGE, 0), -EBADF);
    assert_int_equal(fdtables_get_unused_virtualfd(CAGE, 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(allocation_starts_at_zero_and_counts_up, fresh_tables),
        cmocka_unit_test_setup(allocation_reuses_the_lowest_closed_fd, fresh_tables),
        cmocka_unit_test_setup(translation_returns_the_real_fd, fresh_tables),
        cmocka_unit_test_setup(cages_have_separate_tables, fresh_tables),
        cmocka_unit_test_setup(close_returns_the_real_fd_and_forgets_it, fresh_tables),
        cmocka_unit_test_setup(double_close_is_ebadf, fresh_tables),
        cmocka_unit_test_setup(unopened_fd_is_ebadf, fresh_tables),
        cmocka_unit_test_setup(out_of_range_fds_are_ebadf, fresh_tables),
        cmocka_unit_test_setup(last_fd_in_range_works, fresh_tables),
        cmocka_unit_test_setup(full_table_is_emfile, fresh_tables),
        cmocka_unit_test_setup(cage_outside_the_tables_is_ebadf, fresh_tables),
        cmocka_unit_test_setup(init_cage_empties_the_table, fresh_tables),
    };
    return cmocka_run_group_tests_name("fdtables", tests, NULL, NULL);
}
