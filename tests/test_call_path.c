/* The call path: a calling-context tree learned by the discovery run. A counter shared by
 * several callers sits under each of them with the calls made there, its own children are
 * split by context, self times add up to their root, and recursion makes no cycle. */
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

#include "lindperf.h"
#include "run_fixture.h"
#include "busy_work.h"

LINDPERF_COUNTER(path, root);
LINDPERF_COUNTER(path, one);
LINDPERF_COUNTER(path, two);
LINDPERF_COUNTER(path, three);
LINDPERF_COUNTER(path, shared);
LINDPERF_COUNTER(path, leaf);

LINDPERF_COUNTER(rec, top);
LINDPERF_COUNTER(rec, self);
LINDPERF_COUNTER(rec, ping);
LINDPERF_COUNTER(rec, pong);

LINDPERF_COUNTER(far, a);
LINDPERF_COUNTER(far, b);
LINDPERF_COUNTER(far, hub);

/* shared does a little work and calls leaf; three callers call it 1, 2 and 3 times. */
static void shared_call(void)
{
    LINDPERF_SCOPE(path, shared);
    busy(20);
    LINDPERF_SCOPE(path, leaf);
    busy(5);
}

static void caller(int calls)
{
    for (int i = 0; i < calls; i++)
        shared_call();
}

#define ROUNDS 100

static int three_callers(void *arg)
{
    (void)arg;
    LINDPERF_SCOPE(path, root);
    for (int r = 0; r < ROUNDS; r++) {
        {
            LINDPERF_SCOPE(path, one);
            caller(1);
        }
        {
            LINDPERF_SCOPE(path, two);
            caller(2);
        }
        {
            LINDPERF_SCOPE(path, three);
            caller(3);
        }
    }
    return 0;
}

#define DEPTH 10

static void recurse(int depth)
{
    LINDPERF_SCOPE(rec, self);
    busy(10);
    if (depth > 1)
        recurse(depth - 1);
}

static void ping(int n);
static void pong(int n)
{
    LINDPERF_SCOPE(rec, pong);
    if (n > 0)
        ping(n - 1);
}

static void ping(int n)
{
    LINDPERF_SCOPE(rec, ping);
    if (n > 0)
        pong(n);
}

static int recursive(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        LINDPERF_SCOPE(rec, top);
        recurse(DEPTH);
    }
    ping(3);   /* ping -> pong -> ping -> pong -> ping -> pong -> ping */
    return 0;
}

/* a and b each nest with hub, never with each other. */
static int hub_between(void *arg)
{
    (void)arg;
    {
        LINDPERF_SCOPE(far, a);
        LINDPERF_SCOPE(far, hub);
    }
    {
        LINDPERF_SCOPE(far, hub);
        LINDPERF_SCOPE(far, b);
    }
    return 0;
}

static const lindperf_counter *counter(const char *name)
{
    const lindperf_counter *c = lindperf_find(name);
    assert_non_null(c);
    return c;
}

/* run_each under --perf and up to one more flag, as a host would. */
static void run(int (*workload)(void *), const char *flag)
{
    lindperf_timer timer = parse_flags("--perf", flag, (const char *)NULL);
    FILE *devnull = fopen("/dev/null", "w");
    assert_non_null(devnull);
    assert_int_equal(lindperf_run_each(timer, workload, NULL, devnull), 0);
    fclose(devnull);
}

/* The context whose counter is name and whose parent context's counter is parent (NULL:
 * a root); -1 when there is none, and a failure when there are two. */
static long context_of(const char *name, const char *parent)
{
    long found = -1;
    lindperf_context c, p;
    for (size_t i = 0; lindperf_context_at(i, &c) == 0; i++) {
        if (strcmp(lindperf_counter_name(c.counter), name) != 0)
            continue;
        if (parent ? c.parent < 0 : c.parent >= 0)
            continue;
        if (parent) {
            assert_int_equal(lindperf_context_at((size_t)c.parent, &p), 0);
            if (strcmp(lindperf_counter_name(p.counter), parent) != 0)
                continue;
        }
        assert_int_equal(found, -1);
        found = (long)i;
    }
    return found;
}

static uint64_t calls_at(long context)
{
    lindperf_context c;
    assert_true(context >= 0);
    assert_int_equal(lindperf_context_at((size_t)context, &c), 0);
    return c.calls;
}

static size_t contexts_of(const char *name)
{
    size_t n = 0;
    lindperf_context c;
    for (size_t i = 0; lindperf_context_at(i, &c) == 0; i++)
        n += strcmp(lindperf_counter_name(c.counter), name) == 0;
    return n;
}

static void a_shared_counter_sits_under_each_caller_with_its_own_calls(void **state)
{
    (void)state;
    run(three_callers, NULL);
    assert_int_equal(contexts_of("path::shared"), 3);
    assert_int_equal(calls_at(context_of("path::shared", "path::one")), 1 * ROUNDS);
    assert_int_equal(calls_at(context_of("path::shared", "path::two")), 2 * ROUNDS);
    assert_int_equal(calls_at(context_of("path::shared", "path::three")), 3 * ROUNDS);
    assert_int_equal(lindperf_counter_calls(counter("path::shared")), 6 * ROUNDS);
}

/* leaf is called by shared alone, but shared has three contexts: leaf's calls follow them. */
static void a_shared_counter_splits_its_own_child_by_context(void **state)
{
    (void)state;
    run(three_callers, NULL);
    assert_int_equal(contexts_of("path::leaf"), 3);
    const char *callers[] = {"path::one", "path::two", "path::three"};
    lindperf_context leaf, shared;
    for (int k = 0; k < 3; k++) {
        long at = context_of("path::shared", callers[k]);
        long found = -1;
        for (size_t i = 0; lindperf_context_at(i, &leaf) == 0; i++)
            if (leaf.parent == at && strcmp(lindperf_counter_name(leaf.counter), "path::leaf") == 0)
                found = (long)i;
        assert_int_equal(lindperf_context_at((size_t)at, &shared), 0);
        assert_int_equal(calls_at(found), shared.calls);
        assert_int_equal(calls_at(found), (uint64_t)(k + 1) * ROUNDS);
    }
}

/* The tree's CSV, read back: one row per context. */
typedef struct path_row {
    long parent;
    char name[64];
    unsigned long long calls;
    double total, self;
    int has_total, has_self;
    char kind[16];
} path_row;

static size_t read_tree_csv(path_row *rows, size_t max)
{
    char *text = NULL;
    size_t size = 0, n = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    assert_int_equal(lindperf_write_tree_csv(f), 0);
    fclose(f);
    char *line = strtok(text, "\n");
    assert_string_equal(line, "id,parent,depth,module,name,calls,total,self,time");
    while ((line = strtok(NULL, "\n")) && n < max) {
        path_row *r = &rows[n++];
        char *field[9];
        int k = 0;
        for (char *p = line; k < 9; k++) {
            field[k] = p;
            p = strchr(p, ',');
            if (!p)
                break;
            *p++ = 0;
        }
        assert_int_equal(k, 8);
        r->parent = *field[1] ? atol(field[1]) : -1;
        snprintf(r->name, sizeof r->name, "%s", field[4]);
        r->calls = strtoull(field[5], NULL, 10);
        r->has_total = *field[6] != 0;
        r->has_self = *field[7] != 0;
        r->total = atof(field[6]);
        r->self = atof(field[7]);
        snprintf(r->kind, sizeof r->kind, "%s", field[8]);
    }
    free(text);
    return n;
}

/* Self time is a context's time less its children's, so over a root's subtree the self
 * times add up to the root's own time. The rule it replaces, each counter under its most
 * frequent caller with self clamped at zero, fails this: shared's 600 calls all came off
 * path::three, whose self went below zero and was clamped. */
static void self_times_add_up_to_their_root(void **state)
{
    (void)state;
    run(three_callers, NULL);
    path_row rows[64];
    size_t n = read_tree_csv(rows, 64);
    assert_true(n >= 1 + 3 + 3 + 3);
    double sum = 0;
    size_t root = n;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].name, "path::root") == 0)
            root = i;
        assert_true(rows[i].has_total && rows[i].has_self);
    }
    assert_true(root < n);
    for (size_t i = 0; i < n; i++) {
        size_t up = i;
        while (up != root && rows[up].parent >= 0)
            up = (size_t)rows[up].parent;
        if (up == root)
            sum += rows[i].self;
    }
    double floor = lindperf_empty_scope(LINDPERF_CLOCK);
    assert_true(sum <= rows[root].total + floor * (double)rows[root].calls + 1e-6);
    assert_true(sum >= rows[root].total - floor * (double)rows[root].calls - 1e-6);
}

/* The timed run of a counter reached in several contexts keeps each context apart. */
static void every_context_is_timed_exactly(void **state)
{
    (void)state;
    run(three_callers, NULL);
    path_row rows[64];
    size_t n = read_tree_csv(rows, 64);
    assert_int_equal(n, 1 + 3 + 3 + 3);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(rows[i].kind, "exact");
        if (strcmp(rows[i].name, "path::shared") == 0 || strcmp(rows[i].name, "path::leaf") == 0)
            assert_true(rows[i].calls == ROUNDS || rows[i].calls == 2 * ROUNDS ||
                        rows[i].calls == 3 * ROUNDS);
    }
}

/* Repetitions keep each context's calls, and its time exact, repetition by repetition. */
static void contexts_hold_their_calls_over_repetitions(void **state)
{
    (void)state;
    run(three_callers, "--perf-repeat=3");
    lindperf_set_repeat(1);
    path_row rows[64];
    size_t n = read_tree_csv(rows, 64);
    assert_int_equal(n, 1 + 3 + 3 + 3);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(rows[i].kind, "exact");
        if (strcmp(rows[i].name, "path::leaf") == 0)
            assert_int_equal(rows[i].calls, rows[rows[i].parent].calls);
    }
}

/* weigh does ten times the work under heavy as under light: its two contexts must say so,
 * where one per-call figure for both would say they cost the same. The bound is wide (3x
 * for 10x), and a noisy attempt is retried at most twice. */
static int weight;

static void weigh(void)
{
    LINDPERF_SCOPE(path, shared);
    busy((uint64_t)weight);
}

static int heavy_and_light(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        {
            LINDPERF_SCOPE(path, one);
            weight = 2000;
            weigh();
        }
        {
            LINDPERF_SCOPE(path, two);
            weight = 200;
            weigh();
        }
    }
    return 0;
}

static void a_shared_counter_is_timed_in_each_context_apart(void **state)
{
    (void)state;
    double heavy = 0, light = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        run(heavy_and_light, NULL);
        path_row rows[16];
        size_t n = read_tree_csv(rows, 16);
        for (size_t i = 0; i < n; i++) {
            if (strcmp(rows[i].name, "path::shared") != 0 || rows[i].parent < 0)
                continue;
            assert_string_equal(rows[i].kind, "exact");
            assert_int_equal(rows[i].calls, ROUNDS);
            if (strcmp(rows[rows[i].parent].name, "path::one") == 0)
                heavy = rows[i].total;
            else
                light = rows[i].total;
        }
        if (heavy > 3 * light)
            break;
    }
    assert_true(heavy > 3 * light);
}

static void a_recursive_counter_is_never_its_own_parent(void **state)
{
    (void)state;
    run(recursive, "--perf-only=rec::*");
    assert_int_equal(contexts_of("rec::self"), 1);
    assert_int_equal(calls_at(context_of("rec::self", "rec::top")), ROUNDS);
    assert_ptr_equal(lindperf_counter_parent(counter("rec::self")), counter("rec::top"));
}

/* Calls count every activation; the time counts the outermost ones, so the total of a
 * counter that recurses ten deep stays near the total of the scope around it instead of
 * adding up each level (seven times as much, before). The bound is loose on purpose: the
 * two totals come from two runs. */
static void a_recursive_counter_counts_its_time_once(void **state)
{
    (void)state;
    run(recursive, "--perf-only=rec::*");
    assert_int_equal(lindperf_counter_calls(counter("rec::self")), DEPTH * ROUNDS);
    uint64_t top = lindperf_counter_total(counter("rec::top"));
    uint64_t self = lindperf_counter_total(counter("rec::self"));
    assert_true(self <= 2 * top);
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_int_equal(lindperf_write_json(f), 0);
    fclose(f);
    char expected[128];
    snprintf(expected, sizeof expected, "\"recursed\": true, \"outer_calls\": %d}", ROUNDS);
    assert_non_null(strstr(text, expected));
    free(text);
}

/* ping -> pong -> ping: the second ping makes no node, so the tree has no cycle. */
static void mutual_recursion_makes_no_cycle(void **state)
{
    (void)state;
    run(recursive, "--perf-only=rec::*");
    assert_int_equal(contexts_of("rec::ping"), 1);
    assert_int_equal(contexts_of("rec::pong"), 1);
    assert_true(context_of("rec::ping", NULL) >= 0);
    assert_true(context_of("rec::pong", "rec::ping") >= 0);
    assert_int_equal(lindperf_counter_calls(counter("rec::ping")), 4);
}

static void counters_nest_only_along_a_path(void **state)
{
    (void)state;
    run(hub_between, "--perf-only=far::*");
    const lindperf_counter *a = counter("far::a"), *b = counter("far::b");
    const lindperf_counter *hub = counter("far::hub");
    assert_true(lindperf__conflict(a->index, hub->index));
    assert_true(lindperf__conflict(hub->index, b->index));
    assert_false(lindperf__conflict(a->index, b->index));
    assert_int_equal(calls_at(context_of("far::hub", "far::a")), 1);
    assert_int_equal(calls_at(context_of("far::hub", NULL)), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_shared_counter_sits_under_each_caller_with_its_own_calls),
        cmocka_unit_test(a_shared_counter_splits_its_own_child_by_context),
        cmocka_unit_test(self_times_add_up_to_their_root),
        cmocka_unit_test(every_context_is_timed_exactly),
        cmocka_unit_test(a_shared_counter_is_timed_in_each_context_apart),
        cmocka_unit_test(contexts_hold_their_calls_over_repetitions),
        cmocka_unit_test(a_recursive_counter_is_never_its_own_parent),
        cmocka_unit_test(a_recursive_counter_counts_its_time_once),
        cmocka_unit_test(mutual_recursion_makes_no_cycle),
        cmocka_unit_test(counters_nest_only_along_a_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
