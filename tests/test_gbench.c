/* --perf-gbench=FILE: Google Benchmark's JSON format, field by field, as its
 * tools/compare.py reads it: a "context" object, and in "benchmarks" one "iteration"
 * entry per counter and repetition (name, run_name, run_type, repetitions,
 * repetition_index, iterations, real_time, cpu_time, time_unit "ns"), followed, with
 * repetitions, by the NAME_mean, NAME_median and NAME_stddev "aggregate" entries. The file
 * is read back with the tools' own JSON reader; the figures are checked against the
 * samples that lindperf kept, not against time. */
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
#include "lindperf-json.h"

LINDPERF_COUNTER(gb, parse);
LINDPERF_COUNTER(gb, emit);

#define CALLS_PER_RUN 50
#define ROUNDING 0.001   /* the file gives three decimals */

static int workload(void *arg)
{
    (void)arg;
    for (int i = 0; i < CALLS_PER_RUN; i++) {
        { LINDPERF_SCOPE(gb, parse); lindperf_black_box(&i); }
        { LINDPERF_SCOPE(gb, emit); lindperf_black_box(&i); }
    }
    return 0;
}

/* Runs run_each with the flags and --perf-gbench; returns the file, parsed. */
static lindperf_json *run(const char *a, const char *b)
{
    char path[] = "/tmp/lindperf-gbench-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char flag[64];
    snprintf(flag, sizeof flag, "--perf-gbench=%s", path);
    lindperf_timer timer = parse_flags(flag, a, b, (const char *)NULL);
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_int_equal(lindperf_run_each(timer, workload, NULL, out), 0);
    fclose(out);
    lindperf_json_error err;
    lindperf_json *doc = lindperf_json_read_file(path, &err);
    if (!doc)
        fail_msg("%s:%zu:%zu: %s", path, err.line, err.column, err.message);
    unlink(path);
    lindperf__g.gbench_path = NULL;
    return doc;
}

static const lindperf_json *field(const lindperf_json *o, const char *key, lindperf_json_type type)
{
    const lindperf_json *v = lindperf_json_get(o, key);
    if (!v || v->type != type)
        fail_msg("\"%s\" is missing or not a %s", key, lindperf_json_type_name(type));
    return v;
}

static const char *text_of(const lindperf_json *o, const char *key)
{
    return field(o, key, LINDPERF_JSON_STRING)->string;
}

static double number_of(const lindperf_json *o, const char *key)
{
    return field(o, key, LINDPERF_JSON_NUMBER)->number;
}

static void assert_near(double got, double want)
{
    if (!(got - want <= ROUNDING && want - got <= ROUNDING))
        fail_msg("%.6f is not %.6f", got, want);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Checks the entries of one counter from *at on; moves *at past them. to_ns: the unit. */
static void check_counter(const lindperf_json *benchmarks, size_t *at, const lindperf__row *r,
                          unsigned repetitions, double to_ns)
{
    const char *name = r->counter->name;
    double v[16], sum = 0;
    assert_true(repetitions <= 16);
    for (unsigned j = 0; j < repetitions; j++) {
        assert_true(*at < benchmarks->count);
        const lindperf_json *e = &benchmarks->items[(*at)++];
        const lindperf__sample *sample = &r->samples[j];
        assert_string_equal(text_of(e, "name"), name);
        assert_string_equal(text_of(e, "run_name"), name);
        assert_string_equal(text_of(e, "run_type"), "iteration");
        assert_true(number_of(e, "repetitions") == repetitions);
        assert_true(number_of(e, "repetition_index") == j);
        assert_true(number_of(e, "iterations") == (double)sample->calls);
        assert_string_equal(text_of(e, "time_unit"), "ns");
        v[j] = (sample->has_net ? sample->net : sample->gross) * to_ns;
        assert_near(number_of(e, "real_time"), v[j]);
        assert_true(number_of(e, "cpu_time") == number_of(e, "real_time"));
        sum += v[j];
    }
    if (repetitions == 1)
        return;
    double mean = sum / repetitions, squares = 0;
    for (unsigned j = 0; j < repetitions; j++)
        squares += (v[j] - mean) * (v[j] - mean);
    qsort(v, repetitions, sizeof v[0], by_value);
    double median = repetitions % 2 ? v[repetitions / 2]
                                    : (v[repetitions / 2 - 1] + v[repetitions / 2]) / 2;
    static const char *const aggregates[] = {"mean", "median", "stddev"};
    double want[] = {mean, median, lindperf__sqrt(squares / (repetitions - 1))};
    for (int a = 0; a < 3; a++) {
        assert_true(*at < benchmarks->count);
        const lindperf_json *e = &benchmarks->items[(*at)++];
        char aggregate_name[128];
        snprintf(aggregate_name, sizeof aggregate_name, "%s_%s", name, aggregates[a]);
        assert_string_equal(text_of(e, "name"), aggregate_name);
        assert_string_equal(text_of(e, "run_name"), name);
        assert_string_equal(text_of(e, "run_type"), "aggregate");
        assert_string_equal(text_of(e, "aggregate_name"), aggregates[a]);
        assert_true(number_of(e, "repetitions") == repetitions);
        assert_string_equal(text_of(e, "time_unit"), "ns");
        assert_near(number_of(e, "real_time"), want[a]);
        assert_true(number_of(e, "cpu_time") == number_of(e, "real_time"));
    }
}

static void check_file(const lindperf_json *doc, unsigned repetitions, double to_ns)
{
    const lindperf_json *context = field(doc, "context", LINDPERF_JSON_OBJECT);
    text_of(context, "date");
    text_of(context, "host_name");
    text_of(context, "executable");
    assert_true(number_of(context, "num_cpus") >= 1);
    number_of(context, "mhz_per_cpu");
    field(context, "caches", LINDPERF_JSON_ARRAY);
    text_of(context, "library_build_type");
    const lindperf_json *benchmarks = field(doc, "benchmarks", LINDPERF_JSON_ARRAY);
    lindperf__snapshot *s = lindperf__snapshot_take();
    assert_non_null(s);
    size_t at = 0;
    check_counter(benchmarks, &at, row_of(s, "gb::parse"), repetitions, to_ns);
    check_counter(benchmarks, &at, row_of(s, "gb::emit"), repetitions, to_ns);
    assert_int_equal(at, benchmarks->count);
    lindperf__snapshot_free(s);
}

static void each_repetition_is_an_iteration_entry_then_three_aggregates(void **state)
{
    (void)state;
    lindperf_json *doc = run("--perf", "--perf-repeat=3");
    check_file(doc, 3, 1);
    lindperf_json_free(doc);
}

static void one_repetition_has_no_aggregates(void **state)
{
    (void)state;
    lindperf_json *doc = run("--perf", NULL);
    check_file(doc, 1, 1);
    lindperf_json_free(doc);
}

static void net_runs_give_the_net_figure(void **state)
{
    (void)state;
    lindperf_json *doc = run("--perf", "--perf-net");
    check_file(doc, 1, 1);
    lindperf_json_free(doc);
    lindperf_set_net(0);
}

static void cycles_are_converted_to_ns(void **state)
{
    (void)state;
    if (!lindperf__tsc_available())
        skip();
    lindperf_json *doc = run("--perftsc", "--perf-repeat=2");
    double to_ns = 1e9 / lindperf_tsc_hz();
    check_file(doc, 2, to_ns);
    lindperf_json_free(doc);
}

static void the_flag_needs_a_file_name(void **state)
{
    (void)state;
    char *argv[] = {(char *)"host", (char *)"--perf", (char *)"--perf-gbench=", NULL};
    int argc = 3;
    char why[256] = "";
    lindperf_timer timer;
    assert_int_equal(lindperf_try_parse_args(&argc, argv, &timer, why, sizeof why), -1);
    assert_non_null(strstr(why, "lindperf: --perf-gbench= needs a file name"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_repetition_is_an_iteration_entry_then_three_aggregates),
        cmocka_unit_test(one_repetition_has_no_aggregates),
        cmocka_unit_test(net_runs_give_the_net_figure),
        cmocka_unit_test(cycles_are_converted_to_ns),
        cmocka_unit_test(the_flag_needs_a_file_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
