/* What the docs' code fragments take as given: the names their examples use for things
 * that a real program defines elsewhere. tests/test_docs.sh includes this file before
 * every fragment (see the conventions at the top of that script); add a name here when a
 * new example needs one.
 *
 * Nothing here includes a system header, on purpose: a fragment must include what it uses
 * itself, or it would not compile for a reader either (the Quick start once used EBADF
 * without <errno.h>, which only the measuring build's header happened to include). */
#ifndef LINDPERF_DOC_FRAGMENTS_H
#define LINDPERF_DOC_FRAGMENTS_H

/* The Quick start's module: the example runtime's fd table. */
struct fdtable;
#define FD_MAX 1024
int release(struct fdtable *t, int vfd);

/* The Quick start's host: the program it runs. A host fragment is linked and run, so the
 * harness defines this stub after the fragment: the workload succeeds at once. */
int run_program(void *arg);
#define LINDPERF_DOC_STUB_DEFINITIONS \
    int run_program(void *arg) { (void)arg; return 0; }

/* A statements fragment is the body of a function with these parameters. */
#define LINDPERF_DOC_STATEMENT_PARAMETERS void *dst, const void *src, size_t n

#endif
