/* The module role of the compile matrix: counters and scopes, left in every way a block
 * can be left. It includes nothing before lindperf.h and defines no feature macro, as a
 * plain module would. Built with -DMATRIX_BARE, every lindperf line is gone, which is the
 * code the off build must compile to (the matrix compares the two). */
#ifdef MATRIX_BARE
#define LINDPERF_COUNTER(module, ident) struct matrix_bare_##module##_##ident
#define LINDPERF_COUNTER_NAMED(module, ident, display) struct matrix_bare_##module##_##ident
#define LINDPERF_SCOPE(module, ident) struct matrix_bare_scope
#define LINDPERF_SCOPE_VAR(var, module, ident) struct matrix_bare_scope
#define lindperf_scope_end(scope) ((void)0)
#define lindperf_black_box(ptr) ((void)0)
#else
#include "lindperf.h"
#endif
#include "matrix.h"

LINDPERF_COUNTER(matrix, add);
LINDPERF_COUNTER_NAMED(matrix, named, MATRIX_LONG_NAME);
LINDPERF_COUNTER(matrix, early);
LINDPERF_COUNTER(matrix, outer);
LINDPERF_COUNTER(matrix, inner);

static int matrix_square(int x)
{
    LINDPERF_SCOPE(matrix, inner);
    return x * x;
}

int matrix_add(int a, int b)
{
    LINDPERF_SCOPE(matrix, add);
    return a + b;
}

int matrix_find(const int *values, int n, int wanted)
{
    int found = -1;
    for (int i = 0; i < n; i++) {
        LINDPERF_SCOPE(matrix, named);
        if (values[i] == wanted) {
            found = i;
            break;
        }
    }
    return found;
}

int matrix_goto(int x)
{
    {
        LINDPERF_SCOPE(matrix, named);
        if (x >= 0)
            goto done;
    }
    x = -x;
done:
    return x;
}

int matrix_early(int x)
{
    LINDPERF_SCOPE_VAR(timed, matrix, early);
    int y = x + 1;
    lindperf_black_box(&y);
    lindperf_scope_end(&timed);
    return y * 2;
}

int matrix_outer(int x)
{
    LINDPERF_SCOPE(matrix, outer);
    return matrix_square(x) + 1;
}

int matrix_two_scopes(int x)
{
    LINDPERF_SCOPE(matrix, add);
    LINDPERF_SCOPE(matrix, early);
    return x - 1;
}
