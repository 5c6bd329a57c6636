/* Batched runs, lindperf_run_each's default: counters that never nested in the discovery
 * run are timed in one run, so that no live scope ever sits inside another. --perf-solo
 * restores one counter per run. A nest that discovery missed is found at a scope's end,
 * warned about, and that batch is timed again one counter per run. The workload notes
 * which counters were live in each invocation; nothing is timed. */
#define _GNU_SOURCE
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lindperf.h"
#include "run_fixture.h"

/* outer encloses left and right, which are siblings; alone, p and q enclose nothing. q
 * runs after p, except in timed runs while `sneak` is set, when it runs inside p. */
LINDPERF_COUNTER(bat, outer);
LINDPERF_COUNTER(bat, left);
LINDPERF_COUNTER(bat, right);
LINDPERF_COUNTER(bat, alone);
LINDPERF_COUNTER(bat, p);
LINDPERF_COUNTER(bat, q);

static lindperf_counter *const counters[] = {
    &LINDPERF__SYMBOL(bat, outer), &LINDPERF__SYMBOL(bat, left), &LINDPERF__SYMBOL(bat, right),
    &LINDPERF__SYMBOL(bat, alone), &LINDPERF__SYMBOL(bat, p), &LINDPERF__SYMBOL(bat, q)};
enum { OUTER, LEFT, RIGHT, ALONE, P, Q, COUNTERS };
#define BIT(i) (1u << (i))

#define MAX_INVOCATIONS 64
static unsigned live_in[MAX_INVOCATIONS];    /* a bit per live counter */
static unsigned modes_in[MAX_INVOCATIONS];   /* the union of the live counters' modes */
static int invocations, sneak;

static void q_scope(void)
{
    LINDPERF_SCOPE(bat, q);
    lindperf_black_box(&invocations);
}

static int workload(void *arg)
{
    (void)arg;
    unsigned live = 0, modes = 0;
    for (int i = 0; i < COUNTERS; i++) {
        unsigned mode = __atomic_load_n(&counters[i]->mode, __ATOMIC_RELAXED);
        if (mode & LINDPERF__MODE_LIVE) {
            live |= BIT(i);
            modes |= mode;
        }
    }
    if (invocations < MAX_INVOCATIONS) {
        live_in[invocations] = live;
        modes_in[invocations] = modes;
    }
    invocations++;
    {
        LINDPERF_SCOPE(bat, outer);
        { LINDPERF_SCOPE(bat, left); lindperf_black_box(&live); }
        { LINDPERF_SCOPE(bat, right); lindperf_black_box(&live); }
    }
    { LINDPERF_SCOPE(bat, alone); lindperf_black_box(&live); }
    {
        LINDPERF_SCOPE(bat, p);
        if (sneak && invocations > 1)
            q_scope();
    }
    if (!sneak || invocations == 1)
        q_scope();
    return 0;
}

static lindperf_timer parse(const char *a, const char *b)
{
    return parse_flags(a, b, (const char *)NULL);
}

static uint64_t min_calls;   /* the batching threshold of the next run */

/* Runs the workload under run_each; returns what it wrote on stderr. */
static char *run(lindperf_timer timer)
{
    FILE *err = tmpfile();
    assert_non_null(err);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fileno(err), STDERR_FILENO);
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    invocations = 0;
    /* The workload calls each counter once: let counters of few calls batch like the rest,
     * which is what these tests look at (few_calls_run_alone below looks at the rule). */
    lindperf_counter_count();
    lindperf__g.batch_min_calls = min_calls;
    int status = lindperf_run_each(timer, workload, NULL, out);
    fclose(out);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    assert_int_equal(status, 0);
    long size = ftell(err);
    char *text = (char *)calloc((size_t)(size > 0 ? size : 0) + 1, 1);
    assert_non_null(text);
    rewind(err);
    size_t got = fread(text, 1, (size_t)(size > 0 ? size : 0), err);
    text[got] = 0;
    fclose(err);
    return text;
}

/* How many timed invocations had counter i live. */
static int runs_of(int i)
{
    int n = 0;
    for (int k = 1; k < invocations && k < MAX_INVOCATIONS; k++)
        n += (live_in[k] & BIT(i)) != 0;
    return n;
}

/* First fit in registry order: outer starts batch 0, left and right conflict with it and
 * share batch 1, and alone, p and q join batch 0. */
static void counters_that_never_nest_share_a_run(void **state)
{
    (void)state;
    char *err = run(parse("--perf", NULL));
    assert_int_equal(invocations, 1 + 2);
    assert_int_equal(live_in[0], 0);
    assert_int_equal(live_in[1], BIT(OUTER) | BIT(ALONE) | BIT(P) | BIT(Q));
    assert_int_equal(live_in[2], BIT(LEFT) | BIT(RIGHT));
    assert_int_equal(lindperf__g.runs, 2);
    assert_true(lindperf__g.batched);
    assert_string_equal(err, "");
    for (int i = 0; i < COUNTERS; i++)
        assert_int_equal(lindperf_counter_calls(counters[i]), 1);
    free(err);
}

static void a_batch_never_holds_a_counter_and_one_it_encloses(void **state)
{
    (void)state;
    free(run(parse("--perf", "--perf-repeat=3")));
    assert_int_equal(invocations, 1 + 3 * 2);
    for (int k = 1; k < invocations; k++) {
        int has_outer = (live_in[k] & BIT(OUTER)) != 0;
        assert_false(has_outer && (live_in[k] & (BIT(LEFT) | BIT(RIGHT))));
    }
    for (int i = 0; i < COUNTERS; i++)
        assert_int_equal(runs_of(i), 3);   /* once per repetition */
}

static void solo_times_one_counter_per_run_without_the_batch_check(void **state)
{
    (void)state;
    free(run(parse("--perf", "--perf-solo")));
    assert_int_equal(invocations, 1 + COUNTERS);
    assert_false(lindperf__g.batched);
    for (int k = 1; k < invocations; k++) {
        assert_int_equal(live_in[k], BIT(k - 1));
        /* the scope's fast path: no mode bit beyond live */
        assert_int_equal(modes_in[k], LINDPERF__MODE_LIVE);
    }
}

/* Only a batch of two or more pays for the check, and only net runs take control pairs. */
static void only_batches_check_for_nesting(void **state)
{
    (void)state;
    free(run(parse("--perf", NULL)));
    assert_int_equal(modes_in[1], LINDPERF__MODE_LIVE | LINDPERF__MODE_BATCH);
    free(run(parse("--perf", "--perf-net")));
    assert_int_equal(modes_in[1],
                     LINDPERF__MODE_LIVE | LINDPERF__MODE_BATCH | LINDPERF__MODE_CONTROL);
    lindperf_set_net(0);
}

/* A thread keeps one counter's distribution at a time, so --perf-detail runs are solo. */
static void detail_runs_are_solo(void **state)
{
    (void)state;
    free(run(parse("--perf", "--perf-detail")));
    assert_int_equal(invocations, 1 + COUNTERS);
    assert_false(lindperf__g.batched);
    lindperf_set_detail(0);
}

static void a_nest_that_discovery_missed_is_warned_and_timed_apart(void **state)
{
    (void)state;
    sneak = 1;
    char *err = run(parse("--perf", NULL));
    sneak = 0;
    assert_non_null(strstr(err, "lindperf: in a batched run, a scope of bat::q ended inside one "
                                "of bat::p, which the discovery run never saw nested; timing "
                                "those 4 counters one per run instead"));
    /* batch 0, its four counters one per run, then batch 1 */
    assert_int_equal(invocations, 1 + 2 + 4);
    assert_int_equal(lindperf__g.runs, 2 + 4);
    assert_int_equal(live_in[2], BIT(OUTER));
    assert_int_equal(live_in[3], BIT(ALONE));
    assert_int_equal(live_in[4], BIT(P));
    assert_int_equal(live_in[5], BIT(Q));
    assert_int_equal(live_in[6], BIT(LEFT) | BIT(RIGHT));
    lindperf__snapshot *s = lindperf__snapshot_take();
    assert_non_null(s);
    for (size_t i = 0; i < s->count; i++) {
        const lindperf__row *r = &s->rows[i];
        if (strncmp(r->counter->name, "bat::", 5) != 0)
            continue;
        /* the nested run's figures are left out: the row is the solo run's */
        assert_int_equal(r->sample_count, 1);
        assert_int_equal(r->calls, 1);
        assert_int_equal(r->samples[0].calls, 1);
    }
    lindperf__snapshot_free(s);
    free(err);
}

/* The conflicts come from the discovery run's calling contexts: outer encloses left and
 * right, which never nest with each other or with the rest. */
/* Under the default rule, a counter with fewer than LINDPERF__BATCH_MIN_CALLS scopes in
 * the discovery run (here every counter: one call each) gets a run of its own. */
static void few_calls_run_alone(void **state)
{
    (void)state;
    min_calls = LINDPERF__BATCH_MIN_CALLS;
    free(run(parse("--perf", NULL)));
    min_calls = 0;
    assert_int_equal(invocations, 1 + COUNTERS);
    for (int k = 1; k <= COUNTERS; k++)
        assert_int_equal(__builtin_popcount(live_in[k]), 1);
}

static void conflicts_follow_the_calling_contexts(void **state)
{
    (void)state;
    free(run(parse("--perf", "--perf-solo")));
    uint32_t outer = counters[OUTER]->index, left = counters[LEFT]->index;
    uint32_t right = counters[RIGHT]->index, alone = counters[ALONE]->index;
    uint32_t p = counters[P]->index, q = counters[Q]->index;
    assert_true(lindperf__conflict(outer, left));
    assert_true(lindperf__conflict(right, outer));
    assert_false(lindperf__conflict(left, right));
    assert_false(lindperf__conflict(alone, outer));
    assert_false(lindperf__conflict(p, q));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counters_that_never_nest_share_a_run),
        cmocka_unit_test(a_batch_never_holds_a_counter_and_one_it_encloses),
        cmocka_unit_test(solo_times_one_counter_per_run_without_the_batch_check),
        cmocka_unit_test(only_batches_check_for_nesting),
        cmocka_unit_test(detail_runs_are_solo),
        cmocka_unit_test(a_nest_that_discovery_missed_is_warned_and_timed_apart),
        cmocka_unit_test(conflicts_follow_the_calling_contexts),
        cmocka_unit_test(few_calls_run_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
