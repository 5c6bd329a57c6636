#!/bin/sh
# The library's thread-locals in a dlopen'ed object: initial-exec, so that a thread's first
# access, which may be a scope in a signal handler, reads the static TLS block and never
# calls __tls_get_addr (which allocates on a thread's first access to a dlopen'ed object's
# general-dynamic variables). The object is dlopen'ed, and its first scope on a new thread
# runs in a signal handler.

. "$(dirname "$0")/lib.sh"

cat > "$tmp/object.c" <<'C'
#define LINDPERF_IMPLEMENTATION
#include "lindperf.h"
LINDPERF_COUNTER(object, scoped);
void object_scope(void) { LINDPERF_SCOPE(object, scoped); }
void object_enable(void) { lindperf_enable_only(lindperf_find("object::scoped")); }
unsigned long long object_calls(void)
{
    return lindperf_counter_calls(lindperf_find("object::scoped"));
}
C
cat > "$tmp/host.c" <<'C'
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
static void (*scope)(void);
static void on_signal(int sig) { (void)sig; scope(); }
static void *first_access_in_a_handler(void *arg) { (void)arg; raise(SIGUSR1); return NULL; }
int main(int argc, char **argv)
{
    void *object = dlopen(argc > 1 ? argv[1] : "", RTLD_NOW | RTLD_LOCAL);
    if (!object) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    scope = (void (*)(void))dlsym(object, "object_scope");
    void (*enable)(void) = (void (*)(void))dlsym(object, "object_enable");
    unsigned long long (*calls)(void) = (unsigned long long (*)(void))dlsym(object, "object_calls");
    signal(SIGUSR1, on_signal);
    enable();
    pthread_t t;
    pthread_create(&t, NULL, first_access_in_a_handler, NULL);
    pthread_join(t, NULL);
    return calls() == 1 ? 0 : 2;
}
C

check "an instrumented shared object builds" \
    quiet $CC -O2 -fPIC -shared -DLIND_PERF -I"$root/include" -o "$tmp/object.so" "$tmp/object.c" \
    -lpthread
check "its thread-locals never go through __tls_get_addr (initial-exec)" \
    sh -c "! nm -D --undefined-only '$tmp/object.so' | grep -q __tls_get_addr"
check "dlopen'ed, its first scope on a thread, in a signal handler, counts" \
    sh -c "$CC -O2 -o '$tmp/host' '$tmp/host.c' -ldl -lpthread && '$tmp/host' '$tmp/object.so'"
finish
