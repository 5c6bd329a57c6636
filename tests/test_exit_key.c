/* The thread-exit hook when the program made 32 keys before lindperf: glibc's
 * pthread_setspecific may then allocate, so it must not run where a handler may be, and a
 * thread's table is not folded at its exit. Its figures must stay exact all the same (the
 * table stays on the list, summed like a live one). A constructor that runs before
 * lindperf's makes the 32 keys. Other C libraries never allocate there: nothing to check. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "lindperf.h"

LINDPERF_COUNTER(exit_key, timed);

#define EARLIER_KEYS 40
#define SCOPES 1000

static pthread_key_t earlier[EARLIER_KEYS];

__attribute__((constructor(101))) static void make_keys_before_lindperf(void)
{
    for (int i = 0; i < EARLIER_KEYS; i++)
        pthread_key_create(&earlier[i], NULL);
}

static void *time_and_exit(void *arg)
{
    (void)arg;
    for (int i = 0; i < SCOPES; i++) {
        LINDPERF_SCOPE(exit_key, timed);
        lindperf_black_box(&i);
    }
    return NULL;
}

static void late_key_leaves_exited_threads_tables_summed_and_exact(void **state)
{
    (void)state;
#if !defined(__GLIBC__)
    skip();
#endif
    assert_true((unsigned long)lindperf__g.exit_key >= 32);
    assert_false(lindperf__exit_hook_is_signal_safe());
    const lindperf_counter *c = lindperf_find("exit_key::timed");
    lindperf_set_timer(LINDPERF_CLOCK);
    lindperf_enable_only(c);
    lindperf_reset_all();
    for (int round = 0; round < 3; round++) {
        pthread_t thread;
        assert_int_equal(pthread_create(&thread, NULL, time_and_exit, NULL), 0);
        assert_int_equal(pthread_join(thread, NULL), 0);
    }
    lindperf_enable_only(NULL);
    assert_int_equal(lindperf_counter_calls(c), 3 * SCOPES);
    assert_int_equal(__atomic_load_n(&lindperf__g.thread_count, __ATOMIC_RELAXED), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(late_key_leaves_exited_threads_tables_summed_and_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
