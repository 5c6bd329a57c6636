/* Scopes in signal handlers: a timer (setitimer) sends SIGALRM at a high rate into threads
 * that sit inside scopes of the counter the handler times too. Each thread's first scope
 * waits until a handler's scope has run inside it, so that handler is the first of the
 * thread to record (it gets the table, the page and under detail the histogram), and the
 * waiting calls malloc, so handlers often land inside it. Nothing may hang, and the count is
 * exact: every scope of the threads and of the handlers.
 *
 * Nothing here depends on speed: each thread waits for a number of interruptions, not for
 * a time, and PATIENCE_NS only bounds a hang. */
#define _GNU_SOURCE
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "lindperf.h"
#include "now_ns.h"

LINDPERF_COUNTER(signals, hammered);

#define WAVES 4                      /* fresh threads, so that first scopes recur */
#define THREADS 6                    /* per wave */
#define INTERRUPTIONS_PER_THREAD 25  /* handler scopes that land inside the thread's scopes */
#define TIGHT_SCOPES 32               /* empty scopes after each one that churns */
#define SIGNAL_PERIOD_US 100
#define PATIENCE_NS (60ull * 1000000000u)   /* only a hang takes this long */

static __thread volatile sig_atomic_t inside_scope;      /* the thread is in a scope */
static __thread volatile sig_atomic_t interrupted_inside;   /* handler scopes landed in one */
static uint64_t handler_scopes;

static const lindperf_counter *hammered(void)
{
    return lindperf_find("signals::hammered");
}

static void on_alarm(int sig)
{
    int was_inside = inside_scope;
    {
        LINDPERF_SCOPE(signals, hammered);
        lindperf_black_box(&sig);
    }
    __atomic_fetch_add(&handler_scopes, 1, __ATOMIC_RELAXED);
    if (was_inside)
        interrupted_inside = interrupted_inside + 1;
}

/* What a thread does inside its scopes: malloc, where a handler that allocated would wait
 * for the lock the thread holds. */
static void churn(void)
{
    for (int i = 0; i < 8; i++) {
        void *p = malloc(24 + (size_t)i * 40);
        lindperf_black_box(p);
        free(p);
    }
}

typedef struct worker {
    pthread_t thread;
    uint64_t scopes;           /* the thread's own, ended */
    int interrupted;           /* handler scopes inside them */
} worker;

static void *work(void *arg)
{
    worker *w = (worker *)arg;
    sigset_t alarm_only;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    uint64_t give_up = now_ns() + PATIENCE_NS;
    {
        LINDPERF_SCOPE_VAR(first, signals, hammered);
        inside_scope = 1;
        pthread_sigmask(SIG_UNBLOCK, &alarm_only, NULL);
        while (interrupted_inside < 1 && now_ns() < give_up)
            churn();
        inside_scope = 0;
        lindperf_scope_end(&first);
        w->scopes++;
    }
    while (interrupted_inside < INTERRUPTIONS_PER_THREAD && now_ns() < give_up) {
        LINDPERF_SCOPE_VAR(scope, signals, hammered);
        inside_scope = 1;
        churn();
        inside_scope = 0;
        lindperf_scope_end(&scope);
        w->scopes++;
        /* Empty scopes, so that handlers also land inside the slot update of an end. */
        inside_scope = 1;
        for (int i = 0; i < TIGHT_SCOPES; i++) {
            LINDPERF_SCOPE(signals, hammered);
            lindperf_black_box(&i);
        }
        inside_scope = 0;
        w->scopes += TIGHT_SCOPES;
    }
    pthread_sigmask(SIG_BLOCK, &alarm_only, NULL);
    w->interrupted = interrupted_inside;
    return NULL;
}

static void set_alarm_period(long us)
{
    struct itimerval period = {{0, us}, {0, us}};
    assert_int_equal(setitimer(ITIMER_REAL, &period, NULL), 0);
}

/* The waves of threads under the timer. Returns the threads' own scopes. */
static uint64_t run_waves(void)
{
    uint64_t scopes = 0;
    sigset_t alarm_only;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    /* Blocked here and inherited: each thread takes signals only once inside its first scope. */
    pthread_sigmask(SIG_BLOCK, &alarm_only, NULL);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_alarm;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &action, NULL), 0);
    __atomic_store_n(&handler_scopes, 0, __ATOMIC_RELAXED);
    set_alarm_period(SIGNAL_PERIOD_US);

    for (int wave = 0; wave < WAVES; wave++) {
        worker w[THREADS];
        for (int i = 0; i < THREADS; i++) {
            w[i] = (worker){.scopes = 0};
            assert_int_equal(pthread_create(&w[i].thread, NULL, work, &w[i]), 0);
        }
        for (int i = 0; i < THREADS; i++) {
            struct timespec deadline;
            clock_gettime(CLOCK_REALTIME, &deadline);
            deadline.tv_sec += (time_t)(PATIENCE_NS / 1000000000u) + 5;
            if (pthread_timedjoin_np(w[i].thread, NULL, &deadline) != 0)
                fail_msg("a thread whose scopes were interrupted by scopes in signal handlers "
                         "hung (wave %d, thread %d)", wave, i);
            if (w[i].interrupted < INTERRUPTIONS_PER_THREAD)
                fail_msg("thread %d of wave %d saw %d handler scopes inside its own in %llu s, "
                         "not %d: the timer's signals did not reach it", i, wave, w[i].interrupted,
                         PATIENCE_NS / 1000000000u, INTERRUPTIONS_PER_THREAD);
            scopes += w[i].scopes;
        }
    }
    set_alarm_period(0);
    signal(SIGALRM, SIG_IGN);   /* drops one still pending */
    return scopes;
}

static int time_hammered(int detail)
{
    lindperf_set_net(0);
    lindperf_set_detail(detail);
    lindperf_set_timer(LINDPERF_CLOCK);
    lindperf_enable_only(hammered());
    lindperf_reset_all();
    return 0;
}

static int plain(void **state)
{
    (void)state;
    return time_hammered(0);
}

static int in_detail(void **state)
{
    (void)state;
    return time_hammered(1);
}

static void handler_scopes_lose_no_call_and_never_hang(void **state)
{
    (void)state;
    uint64_t own = run_waves();
    lindperf_enable_only(NULL);
    uint64_t handlers = __atomic_load_n(&handler_scopes, __ATOMIC_RELAXED);
    assert_true(handlers >= (uint64_t)WAVES * THREADS * INTERRUPTIONS_PER_THREAD);
    assert_int_equal(lindperf_counter_calls(hammered()), own + handlers);
}

/* Under --perf-detail every call is counted too, and every sample is either in the
 * distribution or counted as dropped (a handler that interrupted its thread's own detail
 * code), never lost without a word. */
static void handler_scopes_in_detail_lose_no_call_and_no_sample_silently(void **state)
{
    (void)state;
    uint64_t own = run_waves();
    lindperf_enable_only(NULL);
    uint64_t handlers = __atomic_load_n(&handler_scopes, __ATOMIC_RELAXED);
    uint64_t calls = lindperf_counter_calls(hammered());
    assert_int_equal(calls, own + handlers);

    uint32_t index = hammered()->index;   /* lindperf_find takes the lock: not under it */
    lindperf__histogram *h = (lindperf__histogram *)malloc(sizeof *h);
    assert_non_null(h);
    pthread_mutex_lock(&lindperf__lock);
    lindperf__distribution_locked(index, h);
    uint64_t dropped = lindperf__g.stats[index].detail_dropped;
    pthread_mutex_unlock(&lindperf__lock);
    assert_int_equal(h->count + dropped, calls);
    assert_true(h->count > 0);
    free(h);
}

/* The exit of every thread above folded its table and took it off the list, while
 * signals were arriving: the main thread never recorded, so no table is left. */
static void exited_threads_leave_no_table(void **state)
{
    (void)state;
    assert_int_equal(__atomic_load_n(&lindperf__g.thread_count, __ATOMIC_RELAXED), 0);
    assert_null(__atomic_load_n(&lindperf__g.threads, __ATOMIC_ACQUIRE));
}

/* The thread-exit hook is set with pthread_setspecific, which may run in a handler; it
 * must be a key that glibc keeps in the thread's descriptor (below 32), where it never
 * allocates. The constructor makes the key before main for that. */
static void exit_key_is_one_that_never_allocates(void **state)
{
    (void)state;
    assert_true(lindperf__exit_hook_is_signal_safe());
#if defined(__GLIBC__)
    assert_true((unsigned long)lindperf__g.exit_key < 32);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exit_key_is_one_that_never_allocates),
        cmocka_unit_test_setup(handler_scopes_lose_no_call_and_never_hang, plain),
        cmocka_unit_test_setup(handler_scopes_in_detail_lose_no_call_and_no_sample_silently,
                               in_detail),
        cmocka_unit_test(exited_threads_leave_no_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
