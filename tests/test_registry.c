/* The registry: counters defined in several .c files (tests/parts/registry/) all show up,
 * under their display names, in module order then definition order, and a counter defined
 * in one file is usable from another through LINDPERF_DECLARE. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lindperf.h"

/* Defined in tests/parts/registry/. */
int registry_fdtables_alloc(void);
int registry_lind_common_make_syscall(int nr);
int registry_threei_make_syscall(int nr);

/* A second file defining a counter of module threei: it sorts after parts/registry/threei.c
 * because the registry orders a module's counters by file, then line. */
LINDPERF_COUNTER(threei, dispatch);
LINDPERF_DECLARE(lind_common, make_syscall);

static int dispatch(int nr)
{
    LINDPERF_SCOPE(threei, dispatch);
    return nr + 1;
}

static int make_syscall_from_here(void)
{
    LINDPERF_SCOPE(lind_common, make_syscall);
    return 5;
}

/* Every counter linked into this program, in the order the registry must list them. */
static const char *const registry_order[] = {
    "fdtables::close_virtualfd",
    "fdtables::alloc",
    "lind_common::add_to_linker::make-syscall",
    "threei::make_syscall",
    "threei::dispatch",
};
static const char *const registry_modules[] = {
    "fdtables", "fdtables", "lind_common", "threei", "threei",
};
#define REGISTERED (sizeof registry_order / sizeof registry_order[0])

static const lindperf_counter *counter(const char *name)
{
    const lindperf_counter *c = lindperf_find(name);
    if (!c)
        fail_msg("no counter named %s in the registry", name);
    return c;
}

static int fresh_counters(void **state)
{
    (void)state;
    lindperf_set_timer(LINDPERF_CLOCK);
    lindperf_enable_only(NULL);
    lindperf_reset_all();
    return 0;
}

static void counters_from_every_file_are_registered(void **state)
{
    (void)state;
    assert_int_equal(lindperf_counter_count(), REGISTERED);
    for (size_t i = 0; i < REGISTERED; i++)
        assert_non_null(counter(registry_order[i]));
}

static void registry_lists_module_then_definition_order(void **state)
{
    (void)state;
    assert_int_equal(lindperf_counter_count(), REGISTERED);
    for (size_t i = 0; i < REGISTERED; i++)
        assert_string_equal(lindperf_counter_name(lindperf_counter_at(i)), registry_order[i]);
}

static void counter_at_past_the_end_is_null(void **state)
{
    (void)state;
    assert_null(lindperf_counter_at(lindperf_counter_count()));
    assert_null(lindperf_counter_at((size_t)-1));
}

static void find_returns_the_counter_that_counter_at_lists(void **state)
{
    (void)state;
    for (size_t i = 0; i < lindperf_counter_count(); i++) {
        const lindperf_counter *c = lindperf_counter_at(i);
        assert_ptr_equal(lindperf_find(lindperf_counter_name(c)), c);
    }
}

static void display_name_replaces_module_and_ident(void **state)
{
    (void)state;
    const lindperf_counter *c = counter("lind_common::add_to_linker::make-syscall");
    assert_string_equal(lindperf_counter_name(c), "lind_common::add_to_linker::make-syscall");
    assert_string_equal(lindperf_counter_module(c), "lind_common");
    assert_null(lindperf_find("lind_common::make_syscall"));
}

static void default_name_is_module_colon_colon_ident(void **state)
{
    (void)state;
    const lindperf_counter *c = counter("threei::make_syscall");
    assert_string_equal(lindperf_counter_name(c), "threei::make_syscall");
}

static void module_getter_names_each_counters_module(void **state)
{
    (void)state;
    for (size_t i = 0; i < REGISTERED; i++)
        assert_string_equal(lindperf_counter_module(counter(registry_order[i])),
                            registry_modules[i]);
}

static void find_rejects_partial_unknown_and_null_names(void **state)
{
    (void)state;
    const char *const not_names[] = {
        "", "threei", "threei::", "::make_syscall", "threei::make_syscal", "threei::make_syscallx",
        "THREEI::make_syscall", " threei::make_syscall", "fdtables:alloc",
    };
    for (size_t i = 0; i < sizeof not_names / sizeof not_names[0]; i++)
        if (lindperf_find(not_names[i]))
            fail_msg("lindperf_find(\"%s\") found a counter", not_names[i]);
    assert_null(lindperf_find(NULL));
}

static void getters_given_null_return_zero_or_null(void **state)
{
    (void)state;
    assert_null(lindperf_counter_name(NULL));
    assert_null(lindperf_counter_module(NULL));
    assert_int_equal(lindperf_counter_calls(NULL), 0);
    assert_int_equal(lindperf_counter_total(NULL), 0);
    assert_int_equal(lindperf_counter_min(NULL), 0);
    assert_int_equal(lindperf_counter_max(NULL), 0);
    assert_int_equal(lindperf_counter_percentile(NULL, 50), 0);
    assert_int_equal(lindperf_counter_reached(NULL), 0);
    assert_null(lindperf_counter_parent(NULL));
}

static void declared_counter_records_into_the_defining_files_counter(void **state)
{
    (void)state;
    /* fdtables::close_virtualfd is defined in fdtables.c and timed in threei.c. */
    const lindperf_counter *c = counter("fdtables::close_virtualfd");
    lindperf_enable_only(c);
    assert_int_equal(registry_threei_make_syscall(4), -9);
    assert_int_equal(registry_threei_make_syscall(4), -9);
    lindperf_enable_only(NULL);
    assert_int_equal(lindperf_counter_calls(c), 2);
    assert_int_equal(lindperf_counter_calls(counter("threei::make_syscall")), 0);
}

static void named_counter_is_usable_from_another_file_by_its_ident(void **state)
{
    (void)state;
    /* lind_common.c times it, and so does this file through LINDPERF_DECLARE. */
    const lindperf_counter *c = counter("lind_common::add_to_linker::make-syscall");
    lindperf_enable_only(c);
    assert_int_equal(make_syscall_from_here(), 5);
    assert_int_equal(registry_lind_common_make_syscall(1), -9);
    lindperf_enable_only(NULL);
    assert_int_equal(lindperf_counter_calls(c), 2);
}

static void each_file_records_into_its_own_counter(void **state)
{
    (void)state;
    for (size_t i = 0; i < REGISTERED; i++) {
        lindperf_reset_all();
        lindperf_enable_only(counter(registry_order[i]));
        registry_fdtables_alloc();
        registry_lind_common_make_syscall(2);
        dispatch(1);
        lindperf_enable_only(NULL);
        for (size_t j = 0; j < REGISTERED; j++) {
            uint64_t calls = lindperf_counter_calls(counter(registry_order[j]));
            if (calls != (i == j))
                fail_msg("with only %s enabled, %s has %llu calls", registry_order[i],
                         registry_order[j], (unsigned long long)calls);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(counters_from_every_file_are_registered, fresh_counters),
        cmocka_unit_test_setup(registry_lists_module_then_definition_order, fresh_counters),
        cmocka_unit_test_setup(counter_at_past_the_end_is_null, fresh_counters),
        cmocka_unit_test_setup(find_returns_the_counter_that_counter_at_lists, fresh_counters),
        cmocka_unit_test_setup(display_name_replaces_module_and_ident, fresh_counters),
        cmocka_unit_test_setup(default_name_is_module_colon_colon_ident, fresh_counters),
        cmocka_unit_test_setup(module_getter_names_each_counters_module, fresh_counters),
        cmocka_unit_test_setup(find_rejects_partial_unknown_and_null_names, fresh_counters),
        cmocka_unit_test_setup(getters_given_null_return_zero_or_null, fresh_counters),
        cmocka_unit_test_setup(declared_counter_records_into_the_defining_files_counter,
                               fresh_counters),
        cmocka_unit_test_setup(named_counter_is_usable_from_another_file_by_its_ident,
                               fresh_counters),
        cmocka_unit_test_setup(each_file_records_into_its_own_counter, fresh_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
