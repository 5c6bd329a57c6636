/* The host role of the compile matrix: every host function, run, with exact counts when
 * LIND_PERF is on and nothing at all when it is off. A scope of its own on a counter it
 * only declares covers LINDPERF_DECLARE. Exits 0 when every check passed. */
#define _POSIX_C_SOURCE 200809L   /* open_memstream, under the strict standards */
#define LINDPERF_IMPLEMENTATION   /* the host: the library's code, once */
#include "lindperf.h"

#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "matrix_check.h"

LINDPERF_DECLARE(matrix, add);

static int host_add(int a, int b)
{
    LINDPERF_SCOPE(matrix, add);
    return a + b;
}

/* The workload that lindperf_run_each repeats: a fixed number of calls per counter. */
enum { WORKLOAD_ADDS = 7 };

typedef struct workload_state {
    int runs;
    int status;
} workload_state;

static int workload(void *arg)
{
    workload_state *state = (workload_state *)arg;
    int sum = 0;
    for (int i = 0; i < WORKLOAD_ADDS; i++)
        sum = matrix_add(sum, i);
    sum += matrix_outer(2);
    state->runs++;
    return sum == 21 + 5 ? state->status : 99;
}

/* A report, JSON or CSV written to memory; NULL when writing failed. Free the result. */
static char *written(int (*write)(FILE *), int *status)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    *status = write(f);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static void check_module_results(void)
{
    const int values[] = {4, 8, 15, 16, 23, 42};
    CHECK(matrix_add(2, 3) == 5);
    CHECK(host_add(2, 3) == 5);
    CHECK(matrix_find(values, 6, 15) == 2);
    CHECK(matrix_find(values, 6, 7) == -1);
    CHECK(matrix_goto(3) == 3);
    CHECK(matrix_goto(-3) == 3);
    CHECK(matrix_early(1) == 4);
    CHECK(matrix_outer(3) == 10);
    CHECK(matrix_two_scopes(3) == 2);
}

static void check_null_getters(void)
{
    CHECK(lindperf_counter_name(NULL) == NULL);
    CHECK(lindperf_counter_module(NULL) == NULL);
    CHECK(lindperf_counter_calls(NULL) == 0);
    CHECK(lindperf_counter_total(NULL) == 0);
    CHECK(lindperf_counter_min(NULL) == 0);
    CHECK(lindperf_counter_max(NULL) == 0);
    CHECK(lindperf_counter_percentile(NULL, 50) == 0);
    CHECK(lindperf_counter_reached(NULL) == 0);
    CHECK(lindperf_counter_parent(NULL) == NULL);
    CHECK(lindperf_find(NULL) == NULL);
    CHECK(lindperf_find("matrix::no_such_counter") == NULL);
    CHECK(lindperf_counter_at((size_t)-1) == NULL);
    CHECK(lindperf_report(NULL) != 0 || !LINDPERF_ENABLED);
}

static void check_parse_args(void)
{
    char prog[] = "host", perf[] = "--perf", detail[] = "--perf-detail", other[] = "-v",
         program[] = "guest", late[] = "--perf", bogus[] = "--perf=sundial";
    char *argv[] = {prog, perf, other, detail, program, late, NULL};
    int argc = 6;
    lindperf_timer timer = LINDPERF_OFF;
    char why[256] = "";
    int status = lindperf_try_parse_args(&argc, argv, &timer, why, sizeof why);
    if (LINDPERF_ENABLED) {
        CHECK(status == 0);
        CHECK(timer == LINDPERF_CLOCK);
        CHECK(argc == 4);
        CHECK(argv[1] == other && argv[2] == program && argv[3] == late && argv[4] == NULL);
    } else {
        CHECK(status == -1);
        CHECK(strncmp(why, "lindperf: ", 10) == 0);
        CHECK(argc == 6 && argv[1] == perf && argv[6] == NULL);
    }
    lindperf_set_detail(0);

    char *bad[] = {prog, bogus, program, NULL};
    int bad_argc = 3;
    why[0] = 0;
    CHECK(lindperf_try_parse_args(&bad_argc, bad, &timer, why, sizeof why) == -1);
    CHECK(strncmp(why, "lindperf: ", 10) == 0);
    CHECK(bad_argc == 3 && bad[1] == bogus);

    char *plain[] = {prog, program, late, NULL};
    int plain_argc = 3;
    CHECK(lindperf_parse_args(&plain_argc, plain) == LINDPERF_OFF);
    CHECK(plain_argc == 3 && plain[2] == late);
}

#ifdef LIND_PERF
static const lindperf_counter *counter(const char *name)
{
    const lindperf_counter *c = lindperf_find(name);
    CHECK(c != NULL);
    return c;
}

static void check_registry(void)
{
    CHECK(LINDPERF_ENABLED == 1);
    CHECK(lindperf_counter_count() == MATRIX_MODULE_COUNTERS);
    for (size_t i = 0; i < lindperf_counter_count(); i++) {
        const lindperf_counter *c = lindperf_counter_at(i);
        CHECK(c != NULL && lindperf_find(lindperf_counter_name(c)) == c);
        CHECK(c != NULL && strcmp(lindperf_counter_module(c), "matrix") == 0);
    }
    CHECK(lindperf_counter_at(lindperf_counter_count()) == NULL);
    CHECK(strcmp(lindperf_counter_name(counter("matrix::add")), "matrix::add") == 0);
    CHECK(lindperf_find(MATRIX_LONG_NAME) != NULL);
}

/* Exactly the calls made while a counter is live, and none of any other counter's. */
static void check_exact_counts(lindperf_timer timer)
{
    const lindperf_counter *add = counter("matrix::add"), *early = counter("matrix::early");
    const lindperf_counter *named = lindperf_find(MATRIX_LONG_NAME);
    const int values[] = {1, 2, 3, 4};
    lindperf_set_timer(timer);
    lindperf_reset_all();

    lindperf_enable_only(add);
    for (int i = 0; i < 1000; i++)
        matrix_add(i, i);
    for (int i = 0; i < 10; i++)
        host_add(i, i);
    for (int i = 0; i < 5; i++)
        matrix_two_scopes(i);
    matrix_early(1);
    lindperf_enable_only(NULL);
    matrix_add(1, 1);
    CHECK(lindperf_counter_calls(add) == 1015);
    CHECK(lindperf_counter_total(add) > 0);
    CHECK(lindperf_counter_calls(early) == 0);

    lindperf_enable_only(early);
    for (int i = 0; i < 20; i++)
        matrix_early(i);
    matrix_two_scopes(1);
    lindperf_enable_only(NULL);
    CHECK(lindperf_counter_calls(early) == 21);
    CHECK(lindperf_counter_calls(add) == 1015);

    lindperf_enable_only(named);
    matrix_find(values, 4, 3);   /* three iterations, the last left by break */
    matrix_goto(1);              /* left by goto */
    matrix_goto(-1);
    lindperf_enable_only(NULL);
    CHECK(lindperf_counter_calls(named) == 5);

    lindperf_reset_all();
    for (size_t i = 0; i < lindperf_counter_count(); i++)
        CHECK(lindperf_counter_calls(lindperf_counter_at(i)) == 0);
    lindperf_set_timer(LINDPERF_CLOCK);
}

static void check_discovery(void)
{
    const lindperf_counter *outer = counter("matrix::outer"), *inner = counter("matrix::inner");
    lindperf_reset_all();
    lindperf_enable_discovery();
    for (int i = 0; i < 3; i++)
        matrix_outer(i);
    lindperf_enable_only(NULL);
    CHECK(lindperf_counter_reached(outer) && lindperf_counter_reached(inner));
    CHECK(!lindperf_counter_reached(counter("matrix::early")));
    CHECK(lindperf_counter_parent(inner) == outer);
    CHECK(lindperf_counter_parent(outer) == NULL);
    CHECK(lindperf_counter_calls(outer) == 0);
}

static void check_detail_and_net(void)
{
    const lindperf_counter *add = counter("matrix::add");
    lindperf_set_detail(1);
    lindperf_reset_all();
    lindperf_enable_only(add);
    for (int i = 0; i < 100; i++)
        matrix_add(i, 1);
    lindperf_enable_only(NULL);
    lindperf_set_detail(0);
    uint64_t lo = lindperf_counter_min(add), mid = lindperf_counter_percentile(add, 50),
             hi = lindperf_counter_max(add);
    CHECK(lindperf_counter_calls(add) == 100);
    CHECK(lo <= mid && mid <= hi && hi > 0);

    CHECK(lindperf_empty_scope(LINDPERF_CLOCK) > 0);
    CHECK(lindperf_empty_scope(LINDPERF_OFF) == 0);
    CHECK(lindperf_calibrate(LINDPERF_CLOCK) > 0);
    CHECK(lindperf_calibrate(LINDPERF_OFF) == 0);
    lindperf_set_net(1);
    lindperf_reset_all();
    lindperf_enable_only(add);
    for (int i = 0; i < 10; i++)
        matrix_add(i, 1);
    lindperf_enable_only(NULL);
    lindperf_set_net(0);
    CHECK(lindperf_counter_calls(add) == 10);
}

static void check_outputs(void)
{
    static const char *const order[] = {"matrix"};
    int status = -1;
    lindperf_enable_only(lindperf_find(MATRIX_LONG_NAME));
    matrix_goto(1);
    lindperf_enable_only(NULL);
    lindperf_set_tree(1);
    lindperf_set_module_order(order, 1);
    char *text = written(lindperf_report, &status);
    CHECK(text && status == 0);
    CHECK(text && strstr(text, "MATRIX") && strstr(text, "CALL PATH"));
    CHECK(text &&
          strstr(text, "matrix::named, a display name that is longer than sixty col\xe2\x80\xa6"));
    free(text);
    lindperf_set_tree(0);

    text = written(lindperf_write_json, &status);
    CHECK(text && status == 0 && strstr(text, "\"schema\": 2"));
    free(text);
    text = written(lindperf_write_csv, &status);
    CHECK(text && status == 0 && strncmp(text, "module,name,calls", 17) == 0);
    free(text);
}

static void check_run_each(void)
{
    workload_state state = {0, 0};
    int status = -1;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    CHECK(out != NULL);
    if (!out)
        return;
    lindperf_set_batching(0);   /* one counter per run, so that the runs can be counted */
    status = lindperf_run_each(LINDPERF_CLOCK, workload, &state, out);
    fclose(out);
    CHECK(status == 0);
    CHECK(state.runs == 1 + 3);   /* discovery, then add, outer and inner */
    CHECK(lindperf_counter_calls(counter("matrix::add")) == WORKLOAD_ADDS);
    CHECK(lindperf_counter_calls(counter("matrix::outer")) == 1);
    CHECK(lindperf_counter_calls(counter("matrix::inner")) == 1);
    CHECK(lindperf_counter_calls(counter("matrix::early")) == 0);
    CHECK(strstr(text, "never reached: ") != NULL);
    free(text);

    state.status = 3;
    out = fopen("/dev/null", "w");
    CHECK(out && lindperf_run_each(LINDPERF_CLOCK, workload, &state, out) == 3);
    if (out)
        fclose(out);
    CHECK(lindperf_run_each(LINDPERF_CLOCK, NULL, NULL, stdout) == -1);
}

static void check_tsc(void)
{
    if (lindperf_tsc_hz() <= 0)
        return;   /* no timestamp counter here: the clock checks stand alone */
    check_exact_counts(LINDPERF_TSC);
}

#else

static void check_off(void)
{
    workload_state state = {0, 5};
    int status = -1;
    CHECK(LINDPERF_ENABLED == 0);
    CHECK(lindperf_counter_count() == 0);
    CHECK(lindperf_counter_at(0) == NULL);
    CHECK(lindperf_find("matrix::add") == NULL);
    lindperf_set_timer(LINDPERF_CLOCK);
    lindperf_set_net(1);
    lindperf_set_detail(1);
    lindperf_set_tree(1);
    lindperf_set_module_order(NULL, 0);
    lindperf_reset_all();
    lindperf_enable_discovery();
    lindperf_enable_only(NULL);
    CHECK(lindperf_tsc_hz() == 0);
    CHECK(lindperf_empty_scope(LINDPERF_CLOCK) == 0);
    CHECK(lindperf_calibrate(LINDPERF_CLOCK) == 0);
    char *text = written(lindperf_report, &status);
    CHECK(text && status == 0 && text[0] == 0);
    free(text);
    CHECK(lindperf_write_json(stdout) == 0 && lindperf_write_csv(stdout) == 0);
    CHECK(lindperf_run_each(LINDPERF_CLOCK, workload, &state, stdout) == 5);
    CHECK(state.runs == 1);
}
#endif

int main(void)
{
    check_module_results();
    check_null_getters();
    check_parse_args();
#ifdef LIND_PERF
    check_registry();
    check_exact_counts(LINDPERF_CLOCK);
    check_tsc();
    check_discovery();
    check_detail_and_net();
    check_outputs();
    check_run_each();
#else
    check_off();
#endif
    return matrix_failures ? 1 : 0;
}
