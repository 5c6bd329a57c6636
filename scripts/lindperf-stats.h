/* lindperf-stats.h: the statistics behind lindperf-compare's decision.
 *
 * A counter is flagged slower only when its samples say so beyond chance. The samples
 * of one counter are the per-repetition figures of a results file (schema 2), or one
 * figure per invocation under lindperf-compare --ab. Their distribution is unknown,
 * skewed by preemption, and full of ties (net p50s are integers and often 0), so the
 * test is rank-based and exact:
 *
 *   - the one-sided Mann-Whitney U test, as the rank sum W of the new samples among all
 *     samples, ties given their mid-rank. Its p-value is the share of all C(n_old + n_new,
 *     n_new) ways to pick n_new of the pooled samples whose rank sum reaches W: the
 *     permutation distribution, counted exactly with the tied ranks as they are. All-tied
 *     samples (all zeros) give p = 1 in both directions.
 *   - beyond LINDPERF_STATS_EXACT_MAX pooled samples, the normal approximation with the
 *     tie correction of the variance and a continuity correction of half a rank.
 *   - Holm's step-down method across the counters of one comparison, so that the chance
 *     of flagging any counter of an unchanged build stays at most alpha however many
 *     counters there are.
 *
 * The smallest p-value n_old against n_new samples can give is 1 / C(n_old + n_new, n_new):
 * 1/70 = 0.0143 at 4 against 4, 1/252 = 0.00397 at 5 against 5, 1/924 at 6 against 6. Under
 * Holm the first counter of m must reach alpha / m, so a flag is possible only when
 * C(n_old + n_new, n_new) >= m / alpha: lindperf_stats_can_flag says so, and
 * lindperf_stats_samples_needed gives the smallest equal count per side.
 *
 * Every function is static inline; the caller links -lm.
 */
#ifndef LINDPERF_STATS_H
#define LINDPERF_STATS_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Pooled samples up to which the rank-sum distribution is counted exactly. The count
 * takes n_new * N * (N + 1) steps for N pooled samples, a few million at 60. */
#define LINDPERF_STATS_EXACT_MAX 60

/* Comparisons of exactly representable p-values (k / C(n, r)) with alpha must not fail
 * on the last bit of a division. */
#define LINDPERF_STATS_EPSILON 1e-9

typedef struct {
    double value;
    int is_new;
} lindperf_stats__item;

static int lindperf_stats__by_value(const void *a, const void *b)
{
    double x = ((const lindperf_stats__item *)a)->value,
           y = ((const lindperf_stats__item *)b)->value;
    return (x > y) - (x < y);
}

static int lindperf_stats__double_order(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of values[0..count), without changing them; 0 for no values. */
static inline double lindperf_stats_median(const double *values, size_t count)
{
    if (count == 0)
        return 0;
    double *sorted = (double *)malloc(count * sizeof *sorted);
    if (!sorted)
        return NAN;
    memcpy(sorted, values, count * sizeof *sorted);
    qsort(sorted, count, sizeof *sorted, lindperf_stats__double_order);
    double median = count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    free(sorted);
    return median;
}

/* C(n, k) as a double: exact while it fits in 53 bits, close beyond. */
static inline double lindperf_stats_choose(size_t n, size_t k)
{
    double c = 1;
    if (k > n)
        return 0;
    if (k > n - k)
        k = n - k;
    for (size_t i = 1; i <= k; i++)
        c = c * (double)(n - k + i) / (double)i;
    return floor(c + 0.5);
}

/* 1 when n_old against n_new samples can reach p <= alpha / counters, the first step of
 * Holm's method over that many counters. */
static inline int lindperf_stats_can_flag(size_t n_old, size_t n_new, size_t counters, double alpha)
{
    if (n_old == 0 || n_new == 0 || counters == 0)
        return 0;
    return (double)counters / lindperf_stats_choose(n_old + n_new, n_new) <=
           alpha * (1 + LINDPERF_STATS_EPSILON);
}

/* The smallest n such that n against n samples can flag one of `counters` counters. */
static inline size_t lindperf_stats_samples_needed(size_t counters, double alpha)
{
    size_t n = 1;
    while (!lindperf_stats_can_flag(n, n, counters ? counters : 1, alpha))
        n++;
    return n;
}

/* The exact tails of the rank sum, counted in doubled ranks so that mid-ranks are
 * integers: ways[k * (span + 1) + s] is the number of ways to pick k of the items seen so
 * far with doubled rank sum s. */
static int lindperf_stats__exact_tails(const unsigned long *twice_rank, size_t total, size_t n_new,
                                       unsigned long observed, double *upper, double *lower)
{
    unsigned long span = 0;
    for (size_t i = 0; i < total; i++)
        span += twice_rank[i];
    size_t width = (size_t)span + 1;
    double *ways = (double *)calloc((n_new + 1) * width, sizeof *ways);
    if (!ways)
        return -1;
    ways[0] = 1;
    unsigned long reach = 0;
    for (size_t i = 0; i < total; i++) {
        unsigned long r = twice_rank[i];
        reach += r;
        for (size_t k = i + 1 < n_new ? i + 1 : n_new; k >= 1; k--) {
            double *row = ways + k * width, *below = ways + (k - 1) * width;
            for (unsigned long s = reach; s >= r; s--)
                row[s] += below[s - r];
        }
    }
    double all = 0, at_least = 0, at_most = 0;
    const double *picked = ways + n_new * width;
    for (unsigned long s = 0; s <= span; s++) {
        all += picked[s];
        if (s >= observed)
            at_least += picked[s];
        if (s <= observed)
            at_most += picked[s];
    }
    free(ways);
    *upper = at_least / all;
    *lower = at_most / all;
    return 0;
}

/* The normal approximation, for samples too many to count: the variance of the rank sum
 * shrinks by sum(t^3 - t) over the tie groups, and half a rank corrects for continuity. */
static void lindperf_stats__normal_tails(size_t n_old, size_t n_new, double tie_sum,
                                         double rank_sum, double *upper, double *lower)
{
    double total = (double)(n_old + n_new);
    double mean = (double)n_new * (total + 1) / 2;
    double variance =
        (double)n_old * (double)n_new / 12 * ((total + 1) - tie_sum / (total * (total - 1)));
    if (!(variance > 0)) {
        *upper = *lower = 1;
        return;
    }
    double sd = sqrt(variance);
    *upper = fmin(1, 0.5 * erfc((rank_sum - mean - 0.5) / sd / sqrt(2.0)));
    *lower = fmin(1, 0.5 * erfc((mean - rank_sum - 0.5) / sd / sqrt(2.0)));
}

/* The one-sided p-values of the Mann-Whitney U test on old[] against new_[]: *upper for
 * "new is larger" (slower), *lower for "new is smaller". 0, or -1 when a side is empty or
 * memory runs out. `exact` (may be NULL) says which method gave them. */
static inline int lindperf_stats_mann_whitney(const double *old, size_t n_old, const double *new_,
                                              size_t n_new, double *upper, double *lower,
                                              int *exact)
{
    size_t total = n_old + n_new;
    if (n_old == 0 || n_new == 0)
        return -1;
    lindperf_stats__item *items = (lindperf_stats__item *)malloc(total * sizeof *items);
    unsigned long *twice_rank = (unsigned long *)malloc(total * sizeof *twice_rank);
    if (!items || !twice_rank) {
        free(items);
        free(twice_rank);
        return -1;
    }
    for (size_t i = 0; i < n_old; i++)
        items[i] = (lindperf_stats__item){old[i], 0};
    for (size_t i = 0; i < n_new; i++)
        items[n_old + i] = (lindperf_stats__item){new_[i], 1};
    qsort(items, total, sizeof *items, lindperf_stats__by_value);

    unsigned long observed = 0;
    double tie_sum = 0;
    for (size_t start = 0, end; start < total; start = end) {
        for (end = start + 1; end < total && items[end].value == items[start].value; end++)
            ;
        double t = (double)(end - start);
        tie_sum += t * t * t - t;
        for (size_t i = start; i < end; i++) {
            twice_rank[i] = (unsigned long)(start + 1 + end); /* ranks start+1..end, doubled mean */
            if (items[i].is_new)
                observed += twice_rank[i];
        }
    }
    int status = 0, counted = total <= LINDPERF_STATS_EXACT_MAX;
    if (counted)
        status = lindperf_stats__exact_tails(twice_rank, total, n_new, observed, upper, lower);
    else
        lindperf_stats__normal_tails(n_old, n_new, tie_sum, (double)observed / 2, upper, lower);
    if (exact)
        *exact = counted;
    free(items);
    free(twice_rank);
    return status;
}

/* Holm's adjusted p-values: adjusted[i] <= alpha exactly when Holm's step-down method at
 * level alpha rejects the hypothesis of p[i]. Sorted ascending, the j-th smallest (from
 * 0) is multiplied by count - j, and the products are made non-decreasing. 0, or -1 when
 * memory runs out. */
static inline int lindperf_stats_holm(const double *p, size_t count, double *adjusted)
{
    size_t *order = (size_t *)malloc((count ? count : 1) * sizeof *order);
    if (!order)
        return -1;
    for (size_t i = 0; i < count; i++) {
        size_t j = i;
        for (; j > 0 && p[order[j - 1]] > p[i]; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    double running = 0;
    for (size_t j = 0; j < count; j++) {
        double scaled = fmin(1, (double)(count - j) * p[order[j]]);
        running = fmax(running, scaled);
        adjusted[order[j]] = running;
    }
    free(order);
    return 0;
}

/* p <= alpha, forgiving the rounding of an exactly representable p. */
static inline int lindperf_stats_significant(double p, double alpha)
{
    return p <= alpha * (1 + LINDPERF_STATS_EPSILON);
}

#endif
