/* The module side of the compile matrix, as its hosts (C and C++) see it. */
#ifndef MATRIX_H
#define MATRIX_H

#ifdef __cplusplus
extern "C" {
#endif

/* Counters defined by matrix_module.c, all in the module "matrix". */
#define MATRIX_MODULE_COUNTERS 5
/* matrix::named's display name, longer than the report's name column: the report cuts it. */
#define MATRIX_LONG_NAME "matrix::named, a display name that is longer than sixty columns"

int matrix_add(int a, int b);                          /* matrix::add */
int matrix_find(const int *values, int n, int wanted); /* matrix::named, once per element seen */
int matrix_goto(int x);                                /* matrix::named, left by goto or not */
int matrix_early(int x);                               /* matrix::early, ended by hand */
int matrix_outer(int x);                               /* matrix::outer around matrix::inner */
int matrix_two_scopes(int x);                          /* matrix::add and matrix::early at once */

#ifdef __cplusplus
}
#endif

#endif
