/* A host with its own counter, optionally linked with libone.so (-DLINKED_ONE), that
 * dlopens the objects named on its command line RTLD_LOCAL. Each run calls host::own 4
 * times, one::work 6, two::work 7 and three::work 9; tests/test_shared_objects.sh checks
 * the reports. With "late" first, it runs once before loading anything, so the objects'
 * counters arrive after the threads' tables were sized. With "during" first, that first
 * run's workload loads them, so they are counted from the next run. After the run it
 * dlcloses the objects and reports again: their counters must still be there, with their
 * figures. Then it loads the first object again and runs once more: its counter takes
 * back its row. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINDPERF_IMPLEMENTATION   /* the host: the library's code, once */
#include "lindperf.h"

LINDPERF_COUNTER(host, own);

#ifdef LINKED_ONE
int one_work(int x);
#endif

typedef int work_fn(int);
static const char *const symbols[2] = {"two_work", "three_work"};
static const char *paths[2];      /* the objects to load */
static int load_in_workload;      /* "during": the workload loads them */
static void *handles[2];
static work_fn *loaded[2];
static const int loaded_calls[2] = {7, 9};

static void *load(const char *path, const char *symbol, work_fn **fn);

static int own(int x)
{
    LINDPERF_SCOPE(host, own);
    return x + 1;
}

static int workload(void *arg)
{
    volatile int sum = 0;
    (void)arg;
    for (int k = 0; k < 2 && load_in_workload; k++)
        if (paths[k] && !handles[k])
            handles[k] = load(paths[k], symbols[k], &loaded[k]);
    for (int i = 0; i < 4; i++)
        sum += own(i);
#ifdef LINKED_ONE
    for (int i = 0; i < 6; i++)
        sum += one_work(i);
#endif
    for (int k = 0; k < 2; k++)
        for (int i = 0; loaded[k] && i < loaded_calls[k]; i++)
            sum += loaded[k](i);
    return sum < 0;
}

static void *load(const char *path, const char *symbol, work_fn **fn)
{
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    void *address = handle ? dlsym(handle, symbol) : NULL;
    if (!address) {
        fprintf(stderr, "host: %s\n", dlerror());
        exit(3);
    }
    memcpy(fn, &address, sizeof *fn);
    return handle;
}

int main(int argc, char **argv)
{
    lindperf_timer t = lindperf_parse_args(&argc, argv);
    int first = 1, status = 0;
    if (argc > 1 && (strcmp(argv[1], "late") == 0 || strcmp(argv[1], "during") == 0))
        first = 2;
    for (int k = 0; k < 2 && first + k < argc; k++)
        paths[k] = argv[first + k];
    if (first == 2) {
        load_in_workload = strcmp(argv[1], "during") == 0;
        printf("first run:\n");
        status = lindperf_run_each(t, workload, NULL, stdout);
        load_in_workload = 0;
    }
    for (int k = 0; k < 2; k++)
        if (paths[k] && !handles[k])
            handles[k] = load(paths[k], symbols[k], &loaded[k]);
    printf("run:\n");
    if (!status)
        status = lindperf_run_each(t, workload, NULL, stdout);
    for (int k = 0; k < 2; k++) {
        loaded[k] = NULL;
        if (handles[k])
            dlclose(handles[k]);
        handles[k] = NULL;
    }
    printf("after dlclose:\n");
    lindperf_report(stdout);
    if (paths[0]) {
        handles[0] = load(paths[0], symbols[0], &loaded[0]);
        printf("reloaded:\n");
        if (!status)
            status = lindperf_run_each(t, workload, NULL, stdout);
        loaded[0] = NULL;
        dlclose(handles[0]);
    }
    return status;
}
