/* The stress check: 16 threads, half of them started and ended again and again, hammer
 * four counters in two modules while this thread enables, resets, reports and reads, all
 * at once. Every report must be well formed and no total may go back between two resets.
 * Then, with everything quiet, an exact phase: known scopes per thread, exact counts, from
 * threads still alive and from threads that exited.
 *
 *   stress [SECONDS]     the chaotic phase lasts SECONDS (3 by default, at most 50)
 *
 * Prints one "ok - ..." or "not ok - ..." line per check, and exits nonzero on a failure. */
#define _POSIX_C_SOURCE 200809L
#define LINDPERF_IMPLEMENTATION   /* the program: the library's code, once */
#include "lindperf.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_shape.h"

LINDPERF_COUNTER(stress_a, outer);
LINDPERF_COUNTER(stress_a, inner);
LINDPERF_COUNTER(stress_b, leaf);
LINDPERF_COUNTER_NAMED(stress_b, long_name,
                       "stress_b::a display name well past the sixty columns of the name column");

enum { COUNTERS = 4, THREADS = 16, STEADY_THREADS = 8, TRANSIENT_SCOPES = 2000 };
enum { EXACT_ROUNDS = 5000 };

/* The modules' sections, in the order lindperf_set_module_order asks for. */
static const char *const module_order[] = {"stress_b", "stress_a"};
static const char *const section_titles[] = {"STRESS-B", "STRESS-A"};

static int stop;                      /* the chaotic phase is over */
static int failures;

static void result(int ok, const char *what)
{
    printf("%s - %s\n", ok ? "ok" : "not ok", what);
    failures += !ok;
}

/* One round: each counter's scope once, two of them nested. */
static unsigned round_of_scopes(unsigned seed)
{
    {
        LINDPERF_SCOPE(stress_a, outer);
        {
            LINDPERF_SCOPE(stress_a, inner);
            seed = seed * 1103515245u + 12345u;
        }
    }
    {
        LINDPERF_SCOPE(stress_b, leaf);
        seed ^= seed >> 7;
    }
    {
        LINDPERF_SCOPE(stress_b, long_name);
        lindperf_black_box(&seed);
    }
    return seed;
}

static void *steady_worker(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
        seed = round_of_scopes(seed);
    return NULL;
}

static void *transient_worker(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    for (int i = 0; i < TRANSIENT_SCOPES; i++)
        seed = round_of_scopes(seed);
    return NULL;
}

/* Keeps one short-lived thread running at a time, starting the next as each one exits. */
static void *transient_spawner(void *arg)
{
    uintptr_t seed = (uintptr_t)arg, spawned = 0;
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
        pthread_t t;
        if (pthread_create(&t, NULL, transient_worker, (void *)(seed + spawned++)) != 0)
            break;
        pthread_join(t, NULL);
    }
    return (void *)spawned;
}

static const lindperf_counter *counter_at(unsigned i)
{
    return lindperf_counter_at(i % COUNTERS);
}

/* A report written while the workers run, checked for shape. 0 when it is well formed.
 * Counts the reports that had a table at all in *with_rows, when given. */
static int report_is_well_formed(int detail, char *why, size_t size, unsigned *with_rows)
{
    char *text = NULL;
    size_t length = 0;
    FILE *f = open_memstream(&text, &length);
    if (!f)
        return report_shape_fail(why, size, "open_memstream failed");
    int status = lindperf_report(f);
    if (fclose(f) != 0 || status != 0) {
        free(text);
        return report_shape_fail(why, size, "lindperf_report returned %d", status);
    }
    status = report_shape_check(text, section_titles, 2, detail, why, size);
    if (with_rows && strstr(text, "\n-----"))
        ++*with_rows;
    if (status != 0)
        fprintf(stderr, "%s\n", text);
    free(text);
    return status;
}

typedef struct chaos_result {
    unsigned reports, with_rows, resets, enables, reads;
    int backwards;            /* a total went back between two resets */
    char why[256];            /* the first malformed report */
} chaos_result;

/* The host's side of the chaotic phase, for `seconds`. */
static void chaos(double seconds, chaos_result *r)
{
    uint64_t last_calls[COUNTERS] = {0}, last_total[COUNTERS] = {0};
    unsigned seed = 12345;
    int detail = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    memset(r, 0, sizeof *r);
    do {
        seed = seed * 1103515245u + 12345u;
        switch ((seed >> 16) % 8) {
        case 0:
            lindperf_reset_all();
            memset(last_calls, 0, sizeof last_calls);
            memset(last_total, 0, sizeof last_total);
            r->resets++;
            break;
        case 1:
            detail = (seed >> 20) & 1;
            lindperf_set_detail(detail);
            lindperf_set_tree((seed >> 21) & 1);
            /* fall through */
        case 2:
            lindperf_enable_only((seed >> 22) % 5 == 4 ? NULL : counter_at(seed >> 22));
            r->enables++;
            break;
        case 3:
            lindperf_enable_discovery();
            r->enables++;
            break;
        case 4:
            if (!r->why[0])
                report_is_well_formed(detail, r->why, sizeof r->why, &r->with_rows);
            r->reports++;
            break;
        default:
            for (unsigned i = 0; i < COUNTERS; i++) {
                uint64_t calls = lindperf_counter_calls(counter_at(i));
                uint64_t total = lindperf_counter_total(counter_at(i));
                if (calls < last_calls[i] || total < last_total[i])
                    r->backwards = 1;
                last_calls[i] = calls;
                last_total[i] = total;
            }
            r->reads++;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9 <
             seconds);
    lindperf_enable_only(NULL);
    lindperf_set_detail(0);
    lindperf_set_tree(0);
}

/* The exact phase's threads: EXACT_ROUNDS rounds, then wait at the barrier so the host can
 * read their live tables, then exit so it can read them folded. */
static pthread_barrier_t rounds_done, may_exit;

static void *exact_worker(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    for (int i = 0; i < EXACT_ROUNDS; i++)
        seed = round_of_scopes(seed);
    pthread_barrier_wait(&rounds_done);
    pthread_barrier_wait(&may_exit);
    return NULL;
}

/* Every counter, live alone in turn, counts THREADS * EXACT_ROUNDS: while its threads are
 * alive and after they exit. The other counters count nothing. */
static int exact_phase(void)
{
    const uint64_t expected = (uint64_t)THREADS * EXACT_ROUNDS;
    int exact = 1;
    for (unsigned c = 0; c < COUNTERS; c++) {
        pthread_t threads[THREADS];
        lindperf_reset_all();
        lindperf_enable_only(counter_at(c));
        pthread_barrier_init(&rounds_done, NULL, THREADS + 1);
        pthread_barrier_init(&may_exit, NULL, THREADS + 1);
        for (uintptr_t t = 0; t < THREADS; t++)
            if (pthread_create(&threads[t], NULL, exact_worker, (void *)t) != 0)
                return 0;
        pthread_barrier_wait(&rounds_done);
        uint64_t alive = lindperf_counter_calls(counter_at(c));
        pthread_barrier_wait(&may_exit);
        for (unsigned t = 0; t < THREADS; t++)
            pthread_join(threads[t], NULL);
        lindperf_enable_only(NULL);
        uint64_t exited = lindperf_counter_calls(counter_at(c));
        if (alive != expected || exited != expected) {
            fprintf(stderr, "stress: %s counted %llu with its threads alive and %llu after they "
                    "exited, not %llu\n", lindperf_counter_name(counter_at(c)),
                    (unsigned long long)alive, (unsigned long long)exited,
                    (unsigned long long)expected);
            exact = 0;
        }
        for (unsigned other = 0; other < COUNTERS; other++)
            if (other != c && lindperf_counter_calls(counter_at(other)) != 0)
                exact = 0;
        pthread_barrier_destroy(&rounds_done);
        pthread_barrier_destroy(&may_exit);
    }
    return exact;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3;
    if (!(seconds > 0 && seconds <= 50)) {
        fprintf(stderr, "lindperf: stress: SECONDS must be above 0 and at most 50, not %s\n",
                argv[1]);
        return 2;
    }
    lindperf_set_timer(LINDPERF_CLOCK);
    lindperf_set_module_order(module_order, 2);
    result(lindperf_counter_count() == COUNTERS, "the four stress counters are registered");

    pthread_t steady[STEADY_THREADS], spawners[THREADS - STEADY_THREADS];
    for (uintptr_t i = 0; i < STEADY_THREADS; i++)
        if (pthread_create(&steady[i], NULL, steady_worker, (void *)i) != 0)
            return 1;
    for (uintptr_t i = 0; i < THREADS - STEADY_THREADS; i++)
        if (pthread_create(&spawners[i], NULL, transient_spawner, (void *)(1000 * i)) != 0)
            return 1;

    chaos_result r;
    chaos(seconds, &r);
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    uintptr_t spawned = 0;
    for (unsigned i = 0; i < STEADY_THREADS; i++)
        pthread_join(steady[i], NULL);
    for (unsigned i = 0; i < THREADS - STEADY_THREADS; i++) {
        void *n = NULL;
        pthread_join(spawners[i], &n);
        spawned += (uintptr_t)n;
    }
    printf("# %.1f s: %u reports (%u with a table), %u resets, %u enables, %u reads; "
           "%lu short-lived threads\n", seconds, r.reports, r.with_rows, r.resets, r.enables,
           r.reads, (unsigned long)spawned);
    if (r.why[0])
        fprintf(stderr, "stress: a report written during the run is malformed: %s\n", r.why);
    result(!r.why[0] && r.with_rows > 0,
           "every report written while 16 threads ran is well formed");
    result(!r.backwards, "no total went back between two resets");
    result(spawned >= THREADS - STEADY_THREADS, "threads started and exited during the run");

    char why[256] = "";
    result(report_is_well_formed(0, why, sizeof why, NULL) == 0,
           "the report after the run is well formed");
    result(exact_phase(), "quiet again, each counter counts exactly the scopes of 16 threads, "
                          "alive and exited");
    return failures ? 1 : 0;
}
