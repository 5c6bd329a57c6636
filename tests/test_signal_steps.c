/* A handler's scope between every two instructions of a scope of the same counter: the
 * scope runs with the x86 trap flag set, so the CPU raises SIGTRAP after each of its
 * instructions (the timer reads, the slot update, and on the rare path the whole attach,
 * the page and histogram mapping), and the SIGTRAP handler times a scope of that counter
 * each time. Where test_signals.c sends signals at random points, this one tries every
 * point, so a window of one instruction cannot hide. The count must be exact: the stepped
 * scope plus one per trap.
 *
 * The single thread of this program is stepped, so that its first scope is a stepped one.
 * Other platforms skip: aarch64 has no single-step flag that user code can set. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lindperf.h"

LINDPERF_COUNTER(steps, first);
LINDPERF_COUNTER(steps, detail);
LINDPERF_COUNTER(steps, other_detail);

#define STEPPED_SCOPES 3

static volatile sig_atomic_t stepping;
static volatile sig_atomic_t stepped_counter;   /* 0: steps::first, 1: steps::detail, 2: other */
static uint64_t trap_scopes;

static void on_trap(int sig)
{
    if (!stepping)
        return;
    if (stepped_counter == 0) {
        LINDPERF_SCOPE(steps, first);
        lindperf_black_box(&sig);
    } else if (stepped_counter == 1) {
        LINDPERF_SCOPE(steps, detail);
        lindperf_black_box(&sig);
    } else {
        LINDPERF_SCOPE(steps, other_detail);
        lindperf_black_box(&sig);
    }
    trap_scopes++;   /* SIGTRAP is blocked in its own handler: no other writer */
}

#if defined(__x86_64__)
/* Below the red zone, which pushf would overwrite. */
#define TRAP_FLAG(op)                                                                   \
    __asm__ __volatile__("sub $128, %%rsp\n\tpushfq\n\t" op " (%%rsp)\n\tpopfq\n\t" \
                         "add $128, %%rsp" : : : "memory", "cc")
#define TRAP_ON() TRAP_FLAG("orq $0x100,")
#define TRAP_OFF() TRAP_FLAG("andq $~0x100,")
#elif defined(__i386__)
#define TRAP_FLAG(op) \
    __asm__ __volatile__("pushfl\n\t" op " (%%esp)\n\tpopfl" : : : "memory", "cc")
#define TRAP_ON() TRAP_FLAG("orl $0x100,")
#define TRAP_OFF() TRAP_FLAG("andl $~0x100,")
#endif

static const lindperf_counter *counter(const char *name)
{
    const lindperf_counter *c = lindperf_find(name);
    assert_non_null(c);
    return c;
}

/* One scope of the stepped counter with a handler's scope after each of its instructions.
 * Returns the handlers' scopes. */
static uint64_t stepped_scope(int which)
{
#if defined(TRAP_ON)
    trap_scopes = 0;
    stepped_counter = which;
    stepping = 1;
    TRAP_ON();
    if (which == 0) {
        LINDPERF_SCOPE(steps, first);
        lindperf_black_box(&which);
    } else if (which == 1) {
        LINDPERF_SCOPE(steps, detail);
        lindperf_black_box(&which);
    } else {
        LINDPERF_SCOPE(steps, other_detail);
        lindperf_black_box(&which);
    }
    TRAP_OFF();
    stepping = 0;
    return trap_scopes;
#else
    (void)which;
    return 0;
#endif
}

static int set_up(void **state)
{
    (void)state;
#if !defined(TRAP_ON)
    skip();
#endif
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_trap;
    sigemptyset(&action.sa_mask);
    assert_int_equal(sigaction(SIGTRAP, &action, NULL), 0);
    lindperf_set_net(0);
    lindperf_set_timer(LINDPERF_CLOCK);
    return 0;
}

/* First: this thread has no table yet, so the stepped scope's end attaches it, and the
 * first handler's scope, one instruction into that, attaches it instead. */
static void every_instruction_of_the_threads_first_scopes_may_be_interrupted(void **state)
{
    (void)state;
    const lindperf_counter *c = counter("steps::first");
    lindperf_set_detail(0);
    lindperf_enable_only(c);
    lindperf_reset_all();
    assert_null(lindperf__self);
    uint64_t handlers = 0;
    for (int i = 0; i < STEPPED_SCOPES; i++)
        handlers += stepped_scope(0);
    lindperf_enable_only(NULL);
    assert_true(handlers > 20);   /* many instructions, each interrupted */
    assert_int_equal(lindperf_counter_calls(c), STEPPED_SCOPES + handlers);
}

static uint64_t distribution_count(const lindperf_counter *c, uint64_t *dropped)
{
    lindperf__histogram *h = (lindperf__histogram *)malloc(sizeof *h);
    assert_non_null(h);
    pthread_mutex_lock(&lindperf__lock);
    lindperf__distribution_locked(c->index, h);
    *dropped = lindperf__g.stats[c->index].detail_dropped;
    pthread_mutex_unlock(&lindperf__lock);
    uint64_t count = h->count;
    free(h);
    return count;
}

/* Under detail the first record maps the histogram, and the second counter's first record
 * hands the first one's histogram over: each instruction of both is interrupted by a
 * handler's scope of the same counter. Every call counts, and every sample is in the
 * distribution or counted as dropped. */
static void every_instruction_of_a_detail_scope_may_be_interrupted(void **state)
{
    (void)state;
    const lindperf_counter *detail = counter("steps::detail");
    const lindperf_counter *other = counter("steps::other_detail");
    lindperf_set_detail(1);
    lindperf_reset_all();
    uint64_t handlers = 0, other_handlers = 0, dropped = 0, other_dropped = 0;
    lindperf_enable_only(detail);
    for (int i = 0; i < STEPPED_SCOPES; i++)
        handlers += stepped_scope(1);
    lindperf_enable_only(other);
    for (int i = 0; i < STEPPED_SCOPES; i++)
        other_handlers += stepped_scope(2);
    lindperf_enable_only(NULL);
    lindperf_set_detail(0);

    assert_int_equal(lindperf_counter_calls(detail), STEPPED_SCOPES + handlers);
    assert_int_equal(lindperf_counter_calls(other), STEPPED_SCOPES + other_handlers);
    uint64_t samples = distribution_count(detail, &dropped);
    uint64_t other_samples = distribution_count(other, &other_dropped);
    assert_int_equal(samples + dropped, STEPPED_SCOPES + handlers);
    assert_int_equal(other_samples + other_dropped, STEPPED_SCOPES + other_handlers);
    assert_true(samples > 0 && other_samples > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(every_instruction_of_the_threads_first_scopes_may_be_interrupted,
                               set_up),
        cmocka_unit_test_setup(every_instruction_of_a_detail_scope_may_be_interrupted, set_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
