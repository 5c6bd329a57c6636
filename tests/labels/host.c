/* Scopes that do not end at their block's end. Each run: a thread is cancelled while inside
 * a scope of labels::cancelled (blocked in a cancellation point), and a scope of
 * labels::jumped is left by longjmp; labels::normal ends normally, twice. Built as plain C,
 * neither left scope ends, so both counters were reached but completed no scope in their
 * timed runs. Built with -fexceptions, cancellation unwinds the thread and runs the scope's
 * end, so labels::cancelled is counted once per run. tests/test_labels.sh reads the report. */
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdio.h>
#include <unistd.h>

#define LINDPERF_IMPLEMENTATION   /* the host: the library's code, once */
#include "lindperf.h"

LINDPERF_COUNTER(labels, normal);
LINDPERF_COUNTER(labels, cancelled);
LINDPERF_COUNTER(labels, jumped);

static sem_t inside;
static jmp_buf back;

static void *wait_to_be_cancelled(void *arg)
{
    LINDPERF_SCOPE(labels, cancelled);
    (void)arg;
    sem_post(&inside);
    for (;;)
        pause();   /* a cancellation point */
    return NULL;
}

static void jump_out(void)
{
    LINDPERF_SCOPE(labels, jumped);
    longjmp(back, 1);
}

static void normal(void)
{
    LINDPERF_SCOPE(labels, normal);
}

static int workload(void *arg)
{
    pthread_t thread;
    (void)arg;
    normal();
    if (pthread_create(&thread, NULL, wait_to_be_cancelled, NULL) != 0)
        return 1;
    sem_wait(&inside);
    pthread_cancel(thread);
    pthread_join(thread, NULL);
    if (!setjmp(back))
        jump_out();
    normal();
    return 0;
}

int main(int argc, char **argv)
{
    lindperf_timer t = lindperf_parse_args(&argc, argv);
    sem_init(&inside, 0, 0);
    return lindperf_run_each(t, workload, NULL, stdout);
}
