/* The matrix programs' one assertion: report and count, never abort, so that one run
 * names every check that failed. */
#ifndef MATRIX_CHECK_H
#define MATRIX_CHECK_H

#include <stdio.h>

static int matrix_failures;

#define CHECK(cond)                                                                         \
    ((cond) ? (void)0                                                                       \
            : (void)(matrix_failures++,                                                     \
                     fprintf(stderr, "matrix: %s:%d: check failed: %s\n", __FILE__, __LINE__, \
                             #cond)))

#endif
