/* --perf-repeat=N: lindperf_run_each times every run once, then all of them again, N
 * times in all (rotation), and keeps one sample per counter and repetition; the report
 * shows the median over them. Under --perf-net the intervals stay gross and the run's
 * interleaved control pairs come off afterwards. Nothing here is timed: the tests check
 * which counters were live in which invocation, counts, and figures derived exactly from
 * the samples. Runs are solo (--perf-solo) unless a test says otherwise, so that each
 * invocation has one live counter. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lindperf.h"
#include "run_fixture.h"

LINDPERF_COUNTER(rep, first);
LINDPERF_COUNTER(rep, second);
LINDPERF_COUNTER(rep, third);

#define CALLS_PER_RUN 100
#define MAX_INVOCATIONS 64

/* Which counter was live in each invocation: its index, or -1 for none or several. */
static int live_in[MAX_INVOCATIONS];
static int invocations;

static lindperf_counter *const counters[] = {
    &LINDPERF__SYMBOL(rep, first), &LINDPERF__SYMBOL(rep, second), &LINDPERF__SYMBOL(rep, third)};
#define COUNTERS 3

static int workload(void *arg)
{
    (void)arg;
    int live = -1;
    for (int i = 0; i < COUNTERS; i++)
        if (__atomic_load_n(&counters[i]->mode, __ATOMIC_RELAXED) & LINDPERF__MODE_LIVE)
            live = live == -1 ? i : -2;
    if (invocations < MAX_INVOCATIONS)
        live_in[invocations] = live;
    invocations++;
    for (int i = 0; i < CALLS_PER_RUN; i++) {
        { LINDPERF_SCOPE(rep, first); lindperf_black_box(&i); }
        { LINDPERF_SCOPE(rep, second); lindperf_black_box(&i); }
        { LINDPERF_SCOPE(rep, third); lindperf_black_box(&i); }
    }
    return 0;
}

static lindperf_timer parse3(const char *a, const char *b, const char *c)
{
    return parse_flags(a, b, c, (const char *)NULL);
}

static char *run(lindperf_timer timer)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    invocations = 0;
    assert_int_equal(lindperf_run_each(timer, workload, NULL, f), 0);
    assert_int_equal(fclose(f), 0);
    return text;
}

static void runs_rotate_through_every_counter_before_repeating(void **state)
{
    (void)state;
    free(run(parse3("--perf", "--perf-solo", "--perf-repeat=3")));
    assert_int_equal(invocations, 1 + 3 * COUNTERS);
    assert_int_equal(live_in[0], -1);                 /* discovery: nothing timed */
    for (int r = 0; r < 3; r++)
        for (int i = 0; i < COUNTERS; i++)
            assert_int_equal(live_in[1 + r * COUNTERS + i], i);
    assert_int_equal(lindperf__g.runs, 3 * COUNTERS);
}

static void each_counter_keeps_one_sample_per_repetition(void **state)
{
    (void)state;
    free(run(parse3("--perf", "--perf-solo", "--perf-repeat=4")));
    lindperf__snapshot *s = lindperf__snapshot_take();
    assert_non_null(s);
    for (int i = 0; i < COUNTERS; i++) {
        const lindperf__row *r = row_of(s, counters[i]->name);
        assert_int_equal(r->sample_count, 4);
        for (unsigned j = 0; j < 4; j++) {
            assert_int_equal(r->samples[j].calls, CALLS_PER_RUN);
            assert_false(r->samples[j].has_net);
            assert_false(r->samples[j].has_p50);
        }
        /* the report's calls are one repetition's; the counter's own sum holds all four */
        assert_int_equal(r->calls, CALLS_PER_RUN);
        assert_int_equal(lindperf_counter_calls(counters[i]), 4 * CALLS_PER_RUN);
    }
    lindperf__snapshot_free(s);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The row's avg is the median of the samples' gross figures (of five: the third), and the
 * spread their range; total is avg times calls. */
static void the_report_shows_the_median_over_the_repetitions(void **state)
{
    (void)state;
    free(run(parse3("--perf", "--perf-solo", "--perf-repeat=5")));
    lindperf__snapshot *s = lindperf__snapshot_take();
    assert_non_null(s);
    for (int i = 0; i < COUNTERS; i++) {
        const lindperf__row *r = row_of(s, counters[i]->name);
        double v[5];
        for (int j = 0; j < 5; j++)
            v[j] = r->samples[j].gross;
        qsort(v, 5, sizeof v[0], by_value);
        assert_true(lindperf__avg(r) == v[2]);
        assert_true(r->spread == v[4] - v[0]);
        assert_int_equal(r->total, (uint64_t)(v[2] * CALLS_PER_RUN + 0.5));
    }
    lindperf__snapshot_free(s);
}

/* One repetition, gross: the row is the counter's own sums, as before repetitions. */
static void one_repetition_keeps_the_counters_own_sums(void **state)
{
    (void)state;
    free(run(parse3("--perf", "--perf-solo", NULL)));
    assert_int_equal(invocations, 1 + COUNTERS);
    lindperf__snapshot *s = lindperf__snapshot_take();
    assert_non_null(s);
    for (int i = 0; i < COUNTERS; i++) {
        const lindperf__row *r = row_of(s, counters[i]->name);
        assert_int_equal(r->sample_count, 1);
        assert_int_equal(r->calls, lindperf_counter_calls(counters[i]));
        assert_int_equal(r->total, lindperf_counter_total(counters[i]));
    }
    lindperf__snapshot_free(s);
}

/* Net, batched: the three counters never nest, so each repetition is one run of all three.
 * Each sample's net is the trimmed mean of its run's intervals less the floor of that run
 * (the trimmed mean of its control pairs, here 18 or 19 of them), and the run took one
 * control pair every LINDPERF__CONTROL_EVERY live scopes (the thread's countdown carries
 * over from run to run, so one more or less). */
static void net_samples_subtract_their_own_runs_controls(void **state)
{
    (void)state;
    free(run(parse3("--perf", "--perf-net", "--perf-repeat=2")));
    assert_int_equal(lindperf__g.runs, 2);
    uint64_t controls = lindperf__load(&lindperf__g.control->count);
    uint64_t live_scopes = COUNTERS * CALLS_PER_RUN;
    assert_true(controls + 1 >= live_scopes / LINDPERF__CONTROL_EVERY);
    assert_true(controls <= live_scopes / LINDPERF__CONTROL_EVERY + 1);
    lindperf__snapshot *s = lindperf__snapshot_take();
    assert_non_null(s);
    for (int i = 0; i < COUNTERS; i++) {
        const lindperf__row *r = row_of(s, counters[i]->name);
        assert_int_equal(r->sample_count, 2);
        for (unsigned j = 0; j < 2; j++) {
            assert_true(r->samples[j].has_net);
            assert_true(r->samples[j].floor > 0);
        }
        /* the last run's intervals are still kept: net is their trimmed mean less the floor */
        const lindperf__histogram *intervals = lindperf__g.intervals[r->counter->index];
        assert_int_equal(intervals->count, CALLS_PER_RUN);
        /* Within rounding: i386's x87 keeps a wider intermediate than the stored double. */
        double want = lindperf__trimmed_mean(intervals, LINDPERF__CONTROL_TRIM) -
                      r->samples[1].floor;
        double error = r->samples[1].net - want;
        assert_true(error <= 1e-9 * (want > 0 ? want : -want) + 1e-9 &&
                    -error <= 1e-9 * (want > 0 ? want : -want) + 1e-9);
    }
    lindperf__snapshot_free(s);
    /* afterwards, the low-level API subtracts per interval again */
    assert_int_equal(lindperf__g.net_afterwards, 0);
    assert_true(lindperf__net_floor > 0);
    lindperf_set_net(0);
}

/* The control pairs only run in run_each's net runs: a gross run's scopes take none. */
static void gross_runs_take_no_control_pairs(void **state)
{
    (void)state;
    free(run(parse3("--perf", "--perf-repeat=2", NULL)));
    assert_int_equal(lindperf__load(&lindperf__g.control->count), 0);
}

static void detail_keeps_a_p50_per_sample_and_shows_the_spread(void **state)
{
    (void)state;
    char *text = run(parse3("--perf", "--perf-detail", "--perf-repeat=3"));
    lindperf__snapshot *s = lindperf__snapshot_take();
    assert_non_null(s);
    for (int i = 0; i < COUNTERS; i++) {
        const lindperf__row *r = row_of(s, counters[i]->name);
        for (unsigned j = 0; j < 3; j++)
            assert_true(r->samples[j].has_p50);
    }
    lindperf__snapshot_free(s);
    assert_non_null(strstr(text, "  spread\n"));
    assert_non_null(
        strstr(text, "; 9 timed runs, solo, each figure the median of 3 repetitions\n"));
    free(text);
    lindperf_set_detail(0);
}

static void the_json_has_each_counters_samples_and_the_run_fields(void **state)
{
    (void)state;
    free(run(parse3("--perf", "--perf-solo", "--perf-repeat=2")));
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    assert_int_equal(lindperf_write_json(f), 0);
    assert_int_equal(fclose(f), 0);
    assert_non_null(strstr(text, "\"schema\": 2,"));
    assert_non_null(strstr(text, "\"mode\": \"solo\",\n  \"repetitions\": 2,\n  \"runs\": 6,\n"
                                 "  \"detail\": false,\n"));
    /* parse3 leaves no program argument */
    assert_non_null(strstr(text, "\"program\": null,"));
    size_t samples = 0;
    for (const char *p = text; (p = strstr(p, "{\"gross\": ")); p++) {
        assert_int_equal(
            strncmp(strstr(p, ", \"net\": "), ", \"net\": null, \"p50\": null}", 27), 0);
        samples++;
    }
    assert_int_equal(samples, 2 * COUNTERS);
    free(text);
}

static void repeat_flag_takes_a_count_from_1_to_1000_once(void **state)
{
    (void)state;
    static const char *const bad[] = {"--perf-repeat=0", "--perf-repeat=", "--perf-repeat=x",
                                      "--perf-repeat=-2", "--perf-repeat=1001", "--perf-repeat=3x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = {(char *)"host", (char *)"--perf", (char *)bad[i], NULL};
        int argc = 3;
        char why[256] = "";
        lindperf_timer timer;
        assert_int_equal(lindperf_try_parse_args(&argc, argv, &timer, why, sizeof why), -1);
        assert_non_null(strstr(why, "lindperf: "));
        assert_non_null(strstr(why, "--perf-repeat=5"));
    }
    static const char *const twice[][2] = {{"--perf-repeat=2", "--perf-repeat=3"},
                                           {"--perf-solo", "--perf-solo"},
                                           {"--perf-gbench=a", "--perf-gbench=b"}};
    for (size_t i = 0; i < 3; i++) {
        char *argv[] = {(char *)"host", (char *)"--perf", (char *)twice[i][0],
                        (char *)twice[i][1], NULL};
        int argc = 4;
        char why[256] = "";
        lindperf_timer timer;
        assert_int_equal(lindperf_try_parse_args(&argc, argv, &timer, why, sizeof why), -1);
        assert_non_null(strstr(why, "is given twice; give it once"));
    }
    parse3("--perf", "--perf-repeat=1000", NULL);
    assert_int_equal(lindperf__g.repeat, 1000);
    parse3("--perf", NULL, NULL);
    assert_int_equal(lindperf__repetitions(), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(runs_rotate_through_every_counter_before_repeating),
        cmocka_unit_test(each_counter_keeps_one_sample_per_repetition),
        cmocka_unit_test(the_report_shows_the_median_over_the_repetitions),
        cmocka_unit_test(one_repetition_keeps_the_counters_own_sums),
        cmocka_unit_test(net_samples_subtract_their_own_runs_controls),
        cmocka_unit_test(gross_runs_take_no_control_pairs),
        cmocka_unit_test(detail_keeps_a_p50_per_sample_and_shows_the_spread),
        cmocka_unit_test(the_json_has_each_counters_samples_and_the_run_fields),
        cmocka_unit_test(repeat_flag_takes_a_count_from_1_to_1000_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
