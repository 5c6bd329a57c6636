/* The threads of test_lossless.c and test_overflow.c: each records scopes on one counter,
 * either plain ones or ones whose interval it pins between its own clock readings, and
 * can stay parked, its table still live, until the main thread has looked.
 *
 * Before including it, after cmocka.h, define
 *   HAMMERED   the counter as "module, ident" (it is defined here, with LINDPERF_COUNTER)
 *   THREADS    how many threads a crowd holds
 * Nothing here asserts a speed: a bounded scope's interval contains every clock reading
 * taken inside it and is contained by readings taken just outside it. */
#ifndef LINDPERF_TESTS_THREADED_SCOPES_H
#define LINDPERF_TESTS_THREADED_SCOPES_H

#if !defined(HAMMERED) || !defined(THREADS)
#error "define HAMMERED (module, ident) and THREADS before including threaded_scopes.h"
#endif

#include <pthread.h>
#include <stdint.h>

#include "lindperf.h"
#include "now_ns.h"

#define SCOPES_PER_THREAD 20000
#define BOUNDED_SCOPES 200       /* scopes that also note their inner and outer bounds */
#define INNER_NS 2000            /* each bounded scope holds at least this long */

/* HAMMERED is one macro argument until it is expanded; these hand on its two halves. */
#define THREADED_COUNTER(...) LINDPERF_COUNTER(__VA_ARGS__)
#define THREADED_SCOPE(...) LINDPERF_SCOPE(__VA_ARGS__)
#define THREADED_SCOPE_VAR(var, ...) LINDPERF_SCOPE_VAR(var, __VA_ARGS__)
#define THREADED_NAME_(module, ident) #module "::" #ident
#define THREADED_NAME(...) THREADED_NAME_(__VA_ARGS__)

THREADED_COUNTER(HAMMERED);

static inline const lindperf_counter *hammered(void)
{
    return lindperf_find(THREADED_NAME(HAMMERED));
}

static inline int fresh_clock_counter(void **state)
{
    (void)state;
    lindperf_set_net(0);
    lindperf_set_detail(0);
    lindperf_set_timer(LINDPERF_CLOCK);
    lindperf_enable_only(hammered());
    lindperf_reset_all();
    return 0;
}

/* ---- What each thread does, and what it knows about its own scopes. ---- */

typedef struct worker {
    pthread_t thread;
    int scopes;
    int bounded;                 /* also note the bounds of each scope */
    pthread_barrier_t *parked;   /* when set: wait here twice after the scopes (see work) */
    int more_scopes;             /* made after the main thread has looked */
    uint64_t inner_sum;          /* sum of what each scope surely contains */
    uint64_t outer_sum;          /* sum of what surely contains each scope */
} worker;

static inline void plain_scopes(int n)
{
    for (int i = 0; i < n; i++) {
        THREADED_SCOPE(HAMMERED);
        lindperf_black_box(&i);
    }
}

/* A scope whose interval is pinned between two pairs of clock readings. */
static inline void bounded_scope(worker *w)
{
    uint64_t outer_start = now_ns();
    THREADED_SCOPE_VAR(scope, HAMMERED);
    uint64_t inner_start = now_ns(), inner_end;
    do
        inner_end = now_ns();
    while (inner_end - inner_start < INNER_NS);
    lindperf_scope_end(&scope);
    uint64_t outer_end = now_ns();
    w->inner_sum += inner_end - inner_start;
    w->outer_sum += outer_end - outer_start;
}

static inline void *work(void *arg)
{
    worker *w = (worker *)arg;
    if (w->bounded)
        for (int i = 0; i < w->scopes; i++)
            bounded_scope(w);
    else
        plain_scopes(w->scopes);
    if (w->parked) {
        pthread_barrier_wait(w->parked);   /* the scopes are done ... */
        pthread_barrier_wait(w->parked);   /* ... and the main thread has looked */
    }
    plain_scopes(w->more_scopes);
    return NULL;
}

/* ---- A crowd: THREADS parked threads, all alive at once. ---- */

typedef struct crowd {
    worker w[THREADS];
    pthread_barrier_t parked;
} crowd;

/* Starts the threads and returns when all have made their first scopes. */
static inline void gather(crowd *c, int scopes, int bounded, int more_scopes)
{
    assert_int_equal(pthread_barrier_init(&c->parked, NULL, THREADS + 1), 0);
    for (int i = 0; i < THREADS; i++) {
        c->w[i] = (worker){.scopes = scopes, .bounded = bounded, .more_scopes = more_scopes,
                           .parked = &c->parked};
        assert_int_equal(pthread_create(&c->w[i].thread, NULL, work, &c->w[i]), 0);
    }
    pthread_barrier_wait(&c->parked);
}

/* Lets the threads make their more_scopes and exit, and joins them. */
static inline void dismiss(crowd *c)
{
    pthread_barrier_wait(&c->parked);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(c->w[i].thread, NULL), 0);
    pthread_barrier_destroy(&c->parked);
}

#endif
