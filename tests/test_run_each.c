/* lindperf_run_each: one discovery run, then one timed run per reached counter, and the
 * status it returns. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include "report_fixture.h"
#include "now_ns.h"
#include "run_fixture.h"

typedef struct workload_log {
    int runs;
    int fail_on_run;       /* return a status on this run (1-based), 0: never */
} workload_log;

static int workload(void *arg)
{
    workload_log *log = (workload_log *)arg;
    log->runs++;
    for (int i = 0; i < 3; i++) {
        LINDPERF_SCOPE(alpha, parse);
    }
    {
        LINDPERF_SCOPE(alpha, lex);
    }
    for (int i = 0; i < 2; i++) {
        LINDPERF_SCOPE(mid, step);
        LINDPERF_SCOPE(zeta, last);
    }
    if (log->fail_on_run && log->runs >= log->fail_on_run)
        return 40 + log->runs;
    return 0;
}

static void run_each_runs_discovery_then_once_per_reached_counter(void **state)
{
    (void)state;
    lindperf_set_batching(0);   /* the solo mode: one counter per run */
    workload_log log = {0, 0};
    FILE *out = capture();
    assert_int_equal(lindperf_run_each(LINDPERF_CLOCK, workload, &log, out), 0);
    char *text = captured_text(out);
    /* discovery, then alpha::parse, alpha::lex, mid::step, zeta::last */
    assert_int_equal(log.runs, 1 + 4);
    assert_int_equal(lindperf_counter_calls(lindperf_find("alpha::parse")), 3);
    assert_int_equal(lindperf_counter_calls(lindperf_find("alpha::lex")), 1);
    assert_int_equal(lindperf_counter_calls(lindperf_find("mid::step")), 2);
    assert_int_equal(lindperf_counter_calls(lindperf_find("zeta::last")), 2);
    assert_int_equal(lindperf_counter_calls(lindperf_find("beta::one")), 0);
    char got[1024];
    outline(text, got, sizeof got);
    assert_text_equal(got,
        "[ALPHA]\nalpha::parse\nalpha::lex\n"
        "[MID]\nmid::step\n"
        "[ZETA]\nzeta::last\n"
        "never\n");
    assert_non_null(strstr(text, "\nnever reached: beta::one, beta::unused\n"));
    free(text);
}

static void run_each_returns_the_first_nonzero_workload_status(void **state)
{
    (void)state;
    lindperf_set_batching(0);   /* the solo mode: one counter per run */
    workload_log log = {0, 3};
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_int_equal(lindperf_run_each(LINDPERF_CLOCK, workload, &log, out), 43);
    fclose(out);
    assert_int_equal(log.runs, 5);   /* a failing run does not stop the others */
    assert_int_equal(lindperf_counter_calls(lindperf_find("zeta::last")), 2);
}

static void run_each_returns_minus_one_when_the_report_cannot_be_written(void **state)
{
    (void)state;
    workload_log log = {0, 0};
    FILE *full = fopen("/dev/full", "w");
    if (!full)
        skip();
    assert_int_equal(lindperf_run_each(LINDPERF_CLOCK, workload, &log, full), -1);
    fclose(full);
}

/* Takes perf flags as a host would, so that --perf-only is set the way users set it. */
static void parse(const char *first, const char *second, const char *third)
{
    assert_int_equal(parse_flags(first, second, third, (const char *)NULL), LINDPERF_CLOCK);
}

/* lindperf_run_each over the workload with its report thrown away: its status, and in
 * *said what it wrote to stderr (the caller frees it). */
static int run_each_saying(workload_log *log, char **said)
{
    FILE *out = capture();
    catch_stderr();
    int status = lindperf_run_each(LINDPERF_CLOCK, workload, log, out);
    *said = release_stderr();
    free(captured_text(out));
    return status;
}

static void perf_only_matching_only_unreached_counters_says_so_and_fails(void **state)
{
    (void)state;
    parse("--perf", "--perf-only=beta::*", NULL);
    workload_log log = {0, 0};
    char *said;
    int status = run_each_saying(&log, &said);
    assert_int_equal(status, -1);
    assert_int_equal(log.runs, 1);   /* the discovery run, and nothing to time after it */
    assert_non_null(strstr(said, "lindperf: --perf-only=beta::* matches only counters that the "
                                 "workload never reached"));
    free(said);
}

static void perf_only_naming_one_unreached_pattern_among_others_warns_and_runs(void **state)
{
    (void)state;
    parse("--perf", "--perf-only=alpha::lex", "--perf-only=beta::one");
    workload_log log = {0, 0};
    char *said;
    int status = run_each_saying(&log, &said);
    assert_int_equal(status, 0);
    assert_int_equal(log.runs, 1 + 1);
    assert_int_equal(lindperf_counter_calls(lindperf_find("alpha::lex")), 1);
    assert_non_null(strstr(said, "lindperf: --perf-only=beta::one matches only counters"));
    assert_null(strstr(said, "alpha::lex"));
    free(said);
}

/* One call a run, long enough to fall in a wide bucket of the histogram (about 1/32 of its
 * value): the net p50 is a bucket's midpoint less the floor, the min and max exact values
 * less the floor. */
static int one_long_call(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        LINDPERF_SCOPE(alpha, parse);
    }
    LINDPERF_SCOPE(alpha, lex);
    for (uint64_t start = now_ns(); now_ns() - start < 50000;)
        ;
    return 0;
}

/* The JSON's "min", "p50", "p99" and "max" of counter `name`, or 0 when it is not there. */
static int json_distribution(const char *json, const char *name, unsigned long long v[4])
{
    char key[128];
    snprintf(key, sizeof key, "\"name\": \"%s\",", name);
    const char *row = strstr(json, key), *min = row ? strstr(row, "\"min\": ") : NULL;
    return min && sscanf(min, "\"min\": %llu, \"p50\": %llu, \"p99\": %llu, \"max\": %llu",
                         &v[0], &v[1], &v[2], &v[3]) == 4;
}

static void net_percentiles_keep_their_order_and_one_call_reads_one_figure(void **state)
{
    (void)state;
    parse("--perf", "--perf-net", "--perf-detail");
    FILE *out = capture();
    int status = lindperf_run_each(LINDPERF_CLOCK, one_long_call, NULL, out);
    free(captured_text(out));
    out = capture();
    assert_int_equal(lindperf_write_json(out), 0);
    char *json = captured_text(out);
    lindperf_set_net(0);
    lindperf_set_detail(0);
    assert_int_equal(status, 0);
    unsigned long long lex[4], parse_figures[4];
    assert_true(json_distribution(json, "alpha::lex", lex));
    assert_true(json_distribution(json, "alpha::parse", parse_figures));
    free(json);
    assert_true(lex[0] == lex[1] && lex[1] == lex[2] && lex[2] == lex[3]);
    assert_true(lex[0] >= 40000);   /* the 50 us spin, less a floor of nanoseconds */
    assert_true(parse_figures[0] <= parse_figures[1] && parse_figures[1] <= parse_figures[2] &&
                parse_figures[2] <= parse_figures[3]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(run_each_runs_discovery_then_once_per_reached_counter),
        TEST(run_each_returns_the_first_nonzero_workload_status),
        TEST(run_each_returns_minus_one_when_the_report_cannot_be_written),
        TEST(perf_only_matching_only_unreached_counters_says_so_and_fails),
        TEST(perf_only_naming_one_unreached_pattern_among_others_warns_and_runs),
        TEST(net_percentiles_keep_their_order_and_one_call_reads_one_figure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
