/* scripts/lindperf-stats.h, the statistics of lindperf-compare's decision: exact
 * Mann-Whitney p-values counted by hand for small samples, ties and zeros, Holm's
 * ordering, and the sample counts at which a flag becomes possible. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lindperf-stats.h"

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

/* This cmocka has no assert_double_equal; the message names the line and both values. */
#define assert_double_equal(got, want, tolerance) near((got), (want), (tolerance), __LINE__)

static void near(double got, double want, double tolerance, int line)
{
    if (!(fabs(got - want) <= tolerance))
        fail_msg("line %d: %.17g is not %.17g (within %g)", line, got, want, tolerance);
}

static void tails(const double *old, size_t n_old, const double *new_, size_t n_new, double *upper,
                  double *lower)
{
    int exact = 0;
    assert_int_equal(lindperf_stats_mann_whitney(old, n_old, new_, n_new, upper, lower, &exact), 0);
    assert_true(exact);
}

/* Of the C(10, 5) = 252 ways to split ten samples, only one puts all five new ones on top. */
static void five_against_five_fully_apart_gives_one_in_252(void **state)
{
    (void)state;
    double old[] = {20.1, 20.4, 19.8, 20.0, 20.2}, new_[] = {25.0, 24.1, 26.3, 24.8, 25.5};
    double upper, lower;
    tails(old, COUNT(old), new_, COUNT(new_), &upper, &lower);
    assert_double_equal(upper, 1.0 / 252, 1e-15);
    assert_double_equal(lower, 1.0, 1e-15);
    tails(new_, COUNT(new_), old, COUNT(old), &upper, &lower);
    assert_double_equal(upper, 1.0, 1e-15);
    assert_double_equal(lower, 1.0 / 252, 1e-15);
}

/* 1/70 = 0.0143 > 0.01: four runs a side can never flag at alpha 0.01. */
static void four_against_four_fully_apart_gives_one_in_70(void **state)
{
    (void)state;
    double old[] = {1, 2, 3, 4}, new_[] = {5, 6, 7, 8};
    double upper, lower;
    tails(old, COUNT(old), new_, COUNT(new_), &upper, &lower);
    assert_double_equal(upper, 1.0 / 70, 1e-15);
    assert_false(lindperf_stats_significant(upper, 0.01));
}

/* One overlap: the new rank sum is one below the top, reached by the top pick and by the
 * one pick that swaps the lowest new sample with the highest old one: 2/252. */
static void one_overlap_doubles_the_p_value(void **state)
{
    (void)state;
    double old[] = {1, 2, 3, 4, 6}, new_[] = {5, 7, 8, 9, 10};
    double upper, lower;
    tails(old, COUNT(old), new_, COUNT(new_), &upper, &lower);
    assert_double_equal(upper, 2.0 / 252, 1e-15);
}

/* old {1, 2} new {2, 3}: mid-ranks 1, 2.5, 2.5, 4, new sum 6.5. Of the six pairs of
 * {1, 2.5, 2.5, 4}, two reach 6.5 (2.5+4 twice): p = 1/3; every pair is at most 6.5. */
static void ties_take_the_mid_rank(void **state)
{
    (void)state;
    double old[] = {1, 2}, new_[] = {2, 3};
    double upper, lower;
    tails(old, COUNT(old), new_, COUNT(new_), &upper, &lower);
    assert_double_equal(upper, 1.0 / 3, 1e-15);
    assert_double_equal(lower, 1.0, 1e-15);
}

/* Net p50s: four old zeros and a one, against five ones. The zeros share rank 2.5 and the
 * ones rank 7.5; the new sum 37.5 is reached only by picks of five ones, C(6, 5) = 6 of
 * the 252: p = 1/42, so the ties cost the test its significance. */
static void zeros_against_ones_count_the_tied_picks(void **state)
{
    (void)state;
    double old[] = {0, 0, 0, 0, 1}, new_[] = {1, 1, 1, 1, 1};
    double upper, lower;
    tails(old, COUNT(old), new_, COUNT(new_), &upper, &lower);
    assert_double_equal(upper, 6.0 / 252, 1e-15);
    assert_double_equal(lower, 1.0, 1e-15);
}

static void all_zero_samples_are_no_evidence_either_way(void **state)
{
    (void)state;
    double zeros[6] = {0};
    double upper, lower;
    tails(zeros, 6, zeros, 6, &upper, &lower);
    assert_double_equal(upper, 1.0, 1e-15);
    assert_double_equal(lower, 1.0, 1e-15);
}

/* Unequal sides: 3 old below 6 new, C(9, 6) = 84 splits, one on top. */
static void unequal_sides_count_their_own_splits(void **state)
{
    (void)state;
    double old[] = {1, 2, 3}, new_[] = {4, 5, 6, 7, 8, 9};
    double upper, lower;
    tails(old, COUNT(old), new_, COUNT(new_), &upper, &lower);
    assert_double_equal(upper, 1.0 / 84, 1e-15);
}

/* Beyond the exact limit the normal approximation takes over; it must still see a
 * complete separation as overwhelming, identical samples as nothing, and all ties as 1. */
static void many_samples_use_the_normal_approximation(void **state)
{
    (void)state;
    enum { N = 40 };
    double old[N], new_[N], upper, lower;
    int exact = 1;
    for (int i = 0; i < N; i++) {
        old[i] = 20 + i * 0.01;
        new_[i] = 30 + i * 0.01;
    }
    assert_int_equal(lindperf_stats_mann_whitney(old, N, new_, N, &upper, &lower, &exact), 0);
    assert_false(exact);
    assert_true(upper < 1e-12);
    assert_true(lower > 0.999);
    assert_int_equal(lindperf_stats_mann_whitney(old, N, old, N, &upper, &lower, &exact), 0);
    assert_true(upper > 0.5 && lower > 0.5);
    for (int i = 0; i < N; i++)
        old[i] = new_[i] = 0;
    assert_int_equal(lindperf_stats_mann_whitney(old, N, new_, N, &upper, &lower, &exact), 0);
    assert_double_equal(upper, 1.0, 0);
    assert_double_equal(lower, 1.0, 0);
}

static void an_empty_side_is_refused(void **state)
{
    (void)state;
    double one[] = {1}, upper, lower;
    assert_int_equal(lindperf_stats_mann_whitney(one, 1, one, 0, &upper, &lower, NULL), -1);
    assert_int_equal(lindperf_stats_mann_whitney(one, 0, one, 1, &upper, &lower, NULL), -1);
}

/* p = {0.01, 0.04, 0.03, 0.005}: sorted 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06,
 * 0.04*1 = 0.04 raised to 0.06 (the step-down stops at the first failure, so a later p
 * never passes where an earlier one failed). At 0.05 the first two are rejected. */
static void holm_scales_by_rank_and_never_decreases(void **state)
{
    (void)state;
    double p[] = {0.01, 0.04, 0.03, 0.005}, adjusted[4];
    assert_int_equal(lindperf_stats_holm(p, 4, adjusted), 0);
    assert_double_equal(adjusted[0], 0.03, 1e-15);
    assert_double_equal(adjusted[1], 0.06, 1e-15);
    assert_double_equal(adjusted[2], 0.06, 1e-15);
    assert_double_equal(adjusted[3], 0.02, 1e-15);
    int rejected = 0;
    for (int i = 0; i < 4; i++)
        rejected += lindperf_stats_significant(adjusted[i], 0.05);
    assert_int_equal(rejected, 2);
}

static void holm_caps_at_one_and_keeps_ties_in_order(void **state)
{
    (void)state;
    double p[] = {0.6, 0.002, 0.002}, adjusted[3];
    assert_int_equal(lindperf_stats_holm(p, 3, adjusted), 0);
    assert_double_equal(adjusted[1], 0.006, 1e-15);
    assert_double_equal(adjusted[2], 0.006, 1e-15); /* max(0.006, 2 * 0.002) */
    assert_double_equal(adjusted[0], 0.6, 1e-15);
    double one[] = {0.7}, one_adjusted[1] = {0};
    assert_int_equal(lindperf_stats_holm(one, 1, one_adjusted), 0);
    assert_double_equal(one_adjusted[0], 0.7, 0);
}

/* Six counters of the close program at 5 runs a side: Holm asks the best of them for
 * 0.01 / 6 = 0.00167, and 1/252 = 0.00397 cannot get there; 6 a side (1/924) can. */
static void a_flag_is_possible_only_with_enough_samples_for_the_counters(void **state)
{
    (void)state;
    assert_true(lindperf_stats_can_flag(5, 5, 1, 0.01));
    assert_false(lindperf_stats_can_flag(4, 4, 1, 0.01));
    assert_true(lindperf_stats_can_flag(5, 5, 2, 0.01));  /* 2/252 = 0.0079 */
    assert_false(lindperf_stats_can_flag(5, 5, 3, 0.01)); /* 3/252 = 0.0119 */
    assert_true(lindperf_stats_can_flag(6, 6, 6, 0.01));  /* 6/924 = 0.0065 */
    assert_false(lindperf_stats_can_flag(6, 6, 10, 0.01));
    assert_true(lindperf_stats_can_flag(3, 6, 1, 0.012)); /* 1/84 = 0.0119 */
    assert_false(lindperf_stats_can_flag(0, 6, 1, 0.01));
    assert_int_equal(lindperf_stats_samples_needed(1, 0.01), 5);
    assert_int_equal(lindperf_stats_samples_needed(2, 0.01), 5);
    assert_int_equal(lindperf_stats_samples_needed(3, 0.01), 6);
    assert_int_equal(lindperf_stats_samples_needed(9, 0.01), 6);
    assert_int_equal(lindperf_stats_samples_needed(10, 0.01), 7);
    assert_int_equal(lindperf_stats_samples_needed(34, 0.01), 7); /* 34/3432 = 0.0099 */
    assert_int_equal(lindperf_stats_samples_needed(35, 0.01), 8);
}

static void choose_and_median_are_exact(void **state)
{
    (void)state;
    assert_double_equal(lindperf_stats_choose(10, 5), 252, 0);
    assert_double_equal(lindperf_stats_choose(12, 6), 924, 0);
    assert_double_equal(lindperf_stats_choose(8, 4), 70, 0);
    assert_double_equal(lindperf_stats_choose(3, 4), 0, 0);
    double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2};
    assert_double_equal(lindperf_stats_median(odd, 3), 2, 0);
    assert_double_equal(lindperf_stats_median(even, 4), 2.5, 0);
    assert_double_equal(odd[0], 3, 0); /* left as it was */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(five_against_five_fully_apart_gives_one_in_252),
        cmocka_unit_test(four_against_four_fully_apart_gives_one_in_70),
        cmocka_unit_test(one_overlap_doubles_the_p_value),
        cmocka_unit_test(ties_take_the_mid_rank),
        cmocka_unit_test(zeros_against_ones_count_the_tied_picks),
        cmocka_unit_test(all_zero_samples_are_no_evidence_either_way),
        cmocka_unit_test(unequal_sides_count_their_own_splits),
        cmocka_unit_test(many_samples_use_the_normal_approximation),
        cmocka_unit_test(an_empty_side_is_refused),
        cmocka_unit_test(holm_scales_by_rank_and_never_decreases),
        cmocka_unit_test(holm_caps_at_one_and_keeps_ties_in_order),
        cmocka_unit_test(a_flag_is_possible_only_with_enough_samples_for_the_counters),
        cmocka_unit_test(choose_and_median_are_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
