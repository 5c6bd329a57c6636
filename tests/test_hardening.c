/* Bad conditions the header must survive with a documented result: a total that would
 * pass 64 bits, a workload that forks (with other threads busy in the registry), a
 * timestamp counter that is not there, and odd arguments to the host functions. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lindperf.h"

LINDPERF_COUNTER(hardening, forked);
LINDPERF_COUNTER(hardening, huge);
LINDPERF_COUNTER(hardening, huge_sum);

static const lindperf_counter *counter(const char *name)
{
    const lindperf_counter *c = lindperf_find(name);
    assert_non_null(c);
    return c;
}

static void scopes(int n)
{
    for (int i = 0; i < n; i++) {
        LINDPERF_SCOPE(hardening, forked);
        lindperf_black_box(&i);
    }
}

static void a_microsecond(void)
{
    struct timespec micro = {0, 1000};
    nanosleep(&micro, NULL);
}

static void huge_scope(void)
{
    LINDPERF_SCOPE(hardening, huge);
    a_microsecond();
}

static void huge_sum_scope(void)
{
    LINDPERF_SCOPE(hardening, huge_sum);
    a_microsecond();
}

/* Everything written to stderr while `run` runs. The caller frees it. */
static char *stderr_of(void (*run)(void *), void *arg)
{
    FILE *capture = tmpfile();
    assert_non_null(capture);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fileno(capture), STDERR_FILENO);
    run(arg);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    long size = ftell(capture);
    char *text = calloc(1, (size_t)(size > 0 ? size : 0) + 1);
    assert_non_null(text);
    rewind(capture);
    if (size > 0)
        assert_int_equal(fread(text, 1, (size_t)size, capture), (size_t)size);
    fclose(capture);
    return text;
}

static int fresh(void **state)
{
    (void)state;
    unsetenv("LINDPERF_NO_TSC");
    lindperf_set_detail(0);
    lindperf_set_net(0);
    lindperf_set_timer(LINDPERF_CLOCK);
    lindperf_enable_only(NULL);
    lindperf_reset_all();
    return 0;
}

/* ---- a timestamp counter that is not there (LINDPERF_NO_TSC=1 says so) */

static void ask_for_tsc(void *arg)
{
    (void)arg;
    lindperf_set_timer(LINDPERF_TSC);
}

static int workload_runs;

static int count_a_run(void *arg)
{
    (void)arg;
    workload_runs++;
    scopes(3);
    return 0;
}

static void run_each_with_tsc(void *arg)
{
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    *(int *)arg = lindperf_run_each(LINDPERF_TSC, count_a_run, NULL, out);
    fclose(out);
}

static void missing_tsc_gives_a_message_and_the_clock_still_counts(void **state)
{
    (void)state;
    assert_int_equal(setenv("LINDPERF_NO_TSC", "1", 1), 0);
    assert_true(lindperf_empty_scope(LINDPERF_TSC) == 0);

    char *said = stderr_of(ask_for_tsc, NULL);
    assert_memory_equal(said, "lindperf: ", 10);
    assert_non_null(strstr(said, "--perf"));
    free(said);

    /* The timer fell back to none, so enabling a counter times it with the clock. */
    lindperf_enable_only(counter("hardening::forked"));
    scopes(25);
    lindperf_enable_only(NULL);
    assert_int_equal(lindperf_counter_calls(counter("hardening::forked")), 25);

    int status = 0;
    workload_runs = 0;
    said = stderr_of(run_each_with_tsc, &status);
    assert_int_not_equal(status, 0);
    assert_memory_equal(said, "lindperf: ", 10);
    free(said);
}

/* ---- a total that would pass 64 bits */

static void total_past_64_bits_saturates_and_is_marked(void **state)
{
    (void)state;
    const lindperf_counter *huge = counter("hardening::huge");
    lindperf_enable_only(huge);
    huge_scope();   /* gives this thread its table */
    /* As if this thread had already spent all but a nanosecond of 2^64 in the scope. */
    lindperf__slot_add(lindperf__slot_of(lindperf__self, huge->index), UINT64_MAX - 1);
    huge_scope();
    lindperf_enable_only(NULL);
    assert_int_equal(lindperf_counter_calls(huge), 3);
    assert_true(lindperf_counter_total(huge) == UINT64_MAX);

    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    assert_int_equal(lindperf_report(out), 0);
    assert_int_equal(lindperf_write_json(out), 0);
    fclose(out);
    assert_non_null(strstr(text, "saturated    saturated\n"));
    assert_non_null(strstr(text, "\"saturated\": true"));
    free(text);
}

static void *inject_half(void *arg)
{
    const lindperf_counter *huge = arg;
    huge_sum_scope();
    lindperf__slot_add(lindperf__slot_of(lindperf__self, huge->index), (UINT64_MAX >> 1) + 1);
    return NULL;   /* the exit folds this table into the retired sums */
}

/* Two threads' totals that each fit but whose sum does not: the sum saturates, it does
 * not wrap round to a small number. */
static void sum_of_threads_past_64_bits_saturates(void **state)
{
    (void)state;
    const lindperf_counter *huge = counter("hardening::huge_sum");
    pthread_t first, second;
    lindperf_enable_only(huge);
    assert_int_equal(pthread_create(&first, NULL, inject_half, (void *)huge), 0);
    pthread_join(first, NULL);
    assert_true(lindperf_counter_total(huge) < UINT64_MAX);
    assert_int_equal(pthread_create(&second, NULL, inject_half, (void *)huge), 0);
    pthread_join(second, NULL);
    lindperf_enable_only(NULL);
    assert_int_equal(lindperf_counter_calls(huge), 4);
    assert_true(lindperf_counter_total(huge) == UINT64_MAX);
}

/* ---- a workload that forks */

static int stop_churning;

static void *short_thread(void *arg)
{
    (void)arg;
    scopes(10);
    return NULL;
}

/* Starts threads that attach and exit, so the registry lock is taken all the time. */
static void *churn(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop_churning, __ATOMIC_RELAXED)) {
        pthread_t t;
        if (pthread_create(&t, NULL, short_thread, NULL) != 0)
            break;
        pthread_join(t, NULL);
    }
    return NULL;
}

/* The child measures into its own copy, which the parent never sees. It must still be able
 * to report: a fork while another thread held the registry lock would leave it locked. */
static void child_scopes_and_reports(void)
{
    alarm(20);   /* a deadlock ends as SIGALRM, which the parent sees */
    uint64_t before = lindperf_counter_calls(lindperf_find("hardening::forked"));
    scopes(1000);
    FILE *out = fopen("/dev/null", "w");
    int reported = out && lindperf_report(out) == 0;
    if (out)
        fclose(out);
    uint64_t after = lindperf_counter_calls(lindperf_find("hardening::forked"));
    _exit(reported && after - before == 1000 ? 0 : 1);
}

/* The child must exit 0: it counted its own scopes exactly and could report. */
static void fork_a_child_that_scopes_and_reports(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        child_scopes_and_reports();
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void forked_child_leaves_the_parents_counts_exact(void **state)
{
    (void)state;
    const lindperf_counter *forked = counter("hardening::forked");
    lindperf_enable_only(forked);
    scopes(100);

    pthread_t churner;
    assert_int_equal(pthread_create(&churner, NULL, churn, NULL), 0);
    for (int i = 0; i < 20; i++) {
        fork_a_child_that_scopes_and_reports();
    }
    __atomic_store_n(&stop_churning, 1, __ATOMIC_RELAXED);
    pthread_join(churner, NULL);

    /* The churning threads added their own scopes; take them off by counting apart. */
    lindperf_enable_only(NULL);
    uint64_t with_churn = lindperf_counter_calls(forked);
    assert_int_equal(with_churn % 10, 0);
    lindperf_reset_all();
    lindperf_enable_only(forked);
    scopes(100);
    fork_a_child_that_scopes_and_reports();
    scopes(50);
    lindperf_enable_only(NULL);
    assert_int_equal(lindperf_counter_calls(forked), 150);
}

/* ---- odd arguments */

static void odd_arguments_give_documented_results(void **state)
{
    (void)state;
    const lindperf_counter *forked = counter("hardening::forked");
    lindperf_set_detail(1);
    lindperf_enable_only(forked);
    scopes(10);
    lindperf_enable_only(NULL);
    lindperf_set_detail(0);
    assert_int_equal(lindperf_counter_percentile(forked, NAN), 0);
    assert_true(lindperf_counter_percentile(forked, 1000) == lindperf_counter_max(forked));
    assert_true(lindperf_counter_percentile(forked, -5) <= lindperf_counter_min(forked));
    assert_int_equal(lindperf_write_json(NULL), -1);
    assert_int_equal(lindperf_write_csv(NULL), -1);
    assert_int_equal(lindperf_report(NULL), -1);
    assert_int_equal(lindperf_run_each(LINDPERF_CLOCK, NULL, NULL, stdout), -1);
    lindperf_set_module_order(NULL, 0);
    lindperf_enable_only(NULL);
    assert_int_equal(lindperf_counter_calls(forked), 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(missing_tsc_gives_a_message_and_the_clock_still_counts, fresh),
        cmocka_unit_test_setup(total_past_64_bits_saturates_and_is_marked, fresh),
        cmocka_unit_test_setup(sum_of_threads_past_64_bits_saturates, fresh),
        cmocka_unit_test_setup(forked_child_leaves_the_parents_counts_exact, fresh),
        cmocka_unit_test_setup(odd_arguments_give_documented_results, fresh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
