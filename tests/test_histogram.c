/* The log-linear histogram behind --perf-detail: the bucket map (lindperf__bucket_of and
 * lindperf__bucket_low) and the percentile read from it (lindperf__percentile_of).
 * The bucket map is checked exhaustively for small values, around every power of two, and
 * on a fixed pseudo-random sample of the whole 64-bit range. Nothing here is timed. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "lindperf.h"

/* What the manual promises: a bucket is at most 1/32 of its lower bound wide, so its
 * midpoint is within 1/64 (1.5625%) of any value in it; the issue asks for 3% at most. */
#define SUB_BUCKETS 32
#define MIDPOINT_ERROR 0.016
#define EXHAUSTIVE_BELOW (1u << 22)
#define AROUND_POWERS 4096
#define SAMPLES 2000000

static uint64_t midpoint(uint32_t b)
{
    uint64_t width, low = lindperf__bucket_low(b, &width);
    return low + width / 2;
}

/* xorshift64*, fixed seed: the same sample on every run. */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 2685821657736338717ull;
}

/* v lies in its bucket, and the bucket's midpoint stands for it within the bound. */
static void check_value(uint64_t v)
{
    uint32_t b = lindperf__bucket_of(v);
    uint64_t width, low = lindperf__bucket_low(b, &width);
    if (b >= LINDPERF__BUCKETS || v < low || v - low >= width)
        fail_msg("value %llu: bucket %u [%llu, +%llu) does not hold it", (unsigned long long)v, b,
                 (unsigned long long)low, (unsigned long long)width);
    double mid = (double)midpoint(b), error = mid > (double)v ? mid - (double)v : (double)v - mid;
    if (v >= LINDPERF__EXACT_BELOW ? error > MIDPOINT_ERROR * (double)v : error != 0)
        fail_msg("value %llu: midpoint %.0f is %.4f%% off", (unsigned long long)v, mid,
                 100.0 * error / (double)v);
}

static void values_below_64_have_a_bucket_each(void **state)
{
    (void)state;
    assert_int_equal(LINDPERF__EXACT_BELOW, 64);
    for (uint32_t v = 0; v < LINDPERF__EXACT_BELOW; v++) {
        uint64_t width;
        assert_int_equal(lindperf__bucket_of(v), v);
        assert_int_equal(lindperf__bucket_low(v, &width), v);
        assert_int_equal(width, 1);
    }
}

static void every_bucket_is_at_most_a_32nd_of_its_low_wide(void **state)
{
    (void)state;
    for (uint32_t b = LINDPERF__EXACT_BELOW; b < LINDPERF__BUCKETS; b++) {
        uint64_t width, low = lindperf__bucket_low(b, &width);
        if (width > low / SUB_BUCKETS)
            fail_msg("bucket %u: width %llu over low %llu is more than 1/32", b,
                     (unsigned long long)width, (unsigned long long)low);
    }
}

static void each_bucket_low_maps_back_to_its_bucket(void **state)
{
    (void)state;
    for (uint32_t b = 0; b < LINDPERF__BUCKETS; b++) {
        uint64_t width, low = lindperf__bucket_low(b, &width);
        assert_int_equal(lindperf__bucket_of(low), b);
        assert_int_equal(lindperf__bucket_of(low + (width - 1)), b);
    }
}

/* Together with the test above: the buckets tile 0..UINT64_MAX with no gap and no overlap. */
static void buckets_are_contiguous_up_to_the_largest_value(void **state)
{
    (void)state;
    for (uint32_t b = 0; b + 1 < LINDPERF__BUCKETS; b++) {
        uint64_t width, next_width;
        uint64_t low = lindperf__bucket_low(b, &width);
        assert_int_equal(low + width, lindperf__bucket_low(b + 1, &next_width));
    }
    uint64_t width, low = lindperf__bucket_low(LINDPERF__BUCKETS - 1, &width);
    assert_int_equal(low + (width - 1), UINT64_MAX);
    assert_int_equal(lindperf__bucket_of(UINT64_MAX), LINDPERF__BUCKETS - 1);
}

static void bucket_of_is_monotonic_and_misses_no_bucket(void **state)
{
    (void)state;
    uint32_t previous = 0;
    for (uint64_t v = 1; v < EXHAUSTIVE_BELOW; v++) {
        uint32_t b = lindperf__bucket_of(v);
        if (b != previous && b != previous + 1)
            fail_msg("value %llu: bucket %u after %u", (unsigned long long)v, b, previous);
        previous = b;
    }
    uint64_t seed = 0x9e3779b97f4a7c15ull, a = 0;
    for (int i = 0; i < SAMPLES; i++) {
        uint64_t b = next_random(&seed) >> (next_random(&seed) % 64);
        uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
        if (lindperf__bucket_of(lo) > lindperf__bucket_of(hi))
            fail_msg("bucket of %llu is above the bucket of %llu", (unsigned long long)lo,
                     (unsigned long long)hi);
        a = b;
    }
}

static void midpoint_is_within_1_6_percent_exhaustively_below_4_million(void **state)
{
    (void)state;
    for (uint64_t v = 0; v < EXHAUSTIVE_BELOW; v++)
        check_value(v);
}

static void midpoint_is_within_1_6_percent_around_every_power_of_two(void **state)
{
    (void)state;
    for (int bit = 6; bit < 64; bit++) {
        uint64_t power = (uint64_t)1 << bit;
        for (uint64_t d = 0; d < AROUND_POWERS; d++) {
            check_value(power + d);
            check_value(power - 1 - d);
        }
    }
    check_value(UINT64_MAX);
}

/* Every magnitude is sampled alike: a random value shifted right by a random amount. */
static void midpoint_is_within_1_6_percent_on_a_64_bit_sample(void **state)
{
    (void)state;
    uint64_t seed = 0x243f6a8885a308d3ull;
    for (int i = 0; i < SAMPLES; i++)
        check_value(next_random(&seed) >> (next_random(&seed) % 64));
}

/* Percentiles. */
static lindperf__histogram *new_histogram(void)
{
    lindperf__histogram *h = malloc(sizeof *h);
    assert_non_null(h);
    h->owner = 0;
    lindperf__histogram_clear(h);
    return h;
}

static void add_many(lindperf__histogram *h, uint64_t v, int times)
{
    for (int i = 0; i < times; i++)
        lindperf__histogram_add(h, v);
}

static void assert_within_bucket_error(uint64_t got, uint64_t want)
{
    double error = got > want ? (double)(got - want) : (double)(want - got);
    if (error > MIDPOINT_ERROR * (double)want)
        fail_msg("got %llu, want %llu within 1.6%%", (unsigned long long)got,
                 (unsigned long long)want);
}

static void empty_histogram_gives_zero_for_every_percentile(void **state)
{
    (void)state;
    lindperf__histogram *h = new_histogram();
    assert_int_equal(lindperf__percentile_of(h, 0), 0);
    assert_int_equal(lindperf__percentile_of(h, 50), 0);
    assert_int_equal(lindperf__percentile_of(h, 100), 0);
    free(h);
}

static void min_and_max_are_exact_and_percentiles_stay_between_them(void **state)
{
    (void)state;
    lindperf__histogram *h = new_histogram();
    lindperf__histogram_add(h, 1001);
    lindperf__histogram_add(h, 123457);
    assert_int_equal(h->count, 2);
    assert_int_equal(lindperf__percentile_of(h, 0), 1001);
    assert_int_equal(lindperf__percentile_of(h, 100), 123457);
    assert_int_equal(lindperf__percentile_of(h, 1), 1001);      /* clamped up to the min */
    assert_int_equal(lindperf__percentile_of(h, 99.9), 123457); /* clamped down to the max */
    free(h);
}

static void one_value_is_every_percentile(void **state)
{
    (void)state;
    lindperf__histogram *h = new_histogram();
    add_many(h, 777777, 10);
    for (double p = 0; p <= 100; p += 12.5)
        assert_int_equal(lindperf__percentile_of(h, p), 777777);
    free(h);
}

/* Nearest rank: the smallest value with at least p% of the samples at or below it. */
static void percentile_is_the_nearest_rank(void **state)
{
    (void)state;
    lindperf__histogram *h = new_histogram();
    for (uint64_t v = 1; v <= 50; v++)      /* exact buckets: the answer is the sample */
        lindperf__histogram_add(h, v);
    assert_int_equal(lindperf__percentile_of(h, 50), 25);
    assert_int_equal(lindperf__percentile_of(h, 51), 26);
    assert_int_equal(lindperf__percentile_of(h, 0.1), 1);
    assert_int_equal(lindperf__percentile_of(h, 98), 49);
    assert_int_equal(lindperf__percentile_of(h, 99), 50);
    free(h);
}

static void percentiles_of_a_uniform_spread_are_within_bucket_error(void **state)
{
    (void)state;
    lindperf__histogram *h = new_histogram();
    for (uint64_t v = 1; v <= 100000; v++)
        lindperf__histogram_add(h, v * 10);
    assert_within_bucket_error(lindperf__percentile_of(h, 50), 500000);
    assert_within_bucket_error(lindperf__percentile_of(h, 90), 900000);
    assert_within_bucket_error(lindperf__percentile_of(h, 99), 990000);
    assert_within_bucket_error(lindperf__percentile_of(h, 99.9), 999000);
    free(h);
}

/* The distribution of the issue: 98% short, 2% a hundred times longer. */
static void rare_long_calls_show_in_p99_and_not_in_p50(void **state)
{
    (void)state;
    lindperf__histogram *h = new_histogram();
    add_many(h, 1000, 980);
    add_many(h, 100000, 20);
    assert_within_bucket_error(lindperf__percentile_of(h, 50), 1000);
    assert_within_bucket_error(lindperf__percentile_of(h, 98), 1000);
    assert_within_bucket_error(lindperf__percentile_of(h, 99), 100000);
    assert_int_equal(lindperf__percentile_of(h, 100), 100000);
    free(h);
}

static void percentile_out_of_range_is_clamped_and_nan_is_zero(void **state)
{
    (void)state;
    lindperf__histogram *h = new_histogram();
    add_many(h, 5000, 3);
    lindperf__histogram_add(h, 9000);
    assert_int_equal(lindperf__percentile_of(h, -1), 0);
    assert_int_equal(lindperf__percentile_of(h, NAN), 0);
    assert_int_equal(lindperf__percentile_of(h, 101), 9000);
    assert_int_equal(lindperf__percentile_of(h, 1e300), 9000);
    free(h);
}

static void largest_values_neither_overflow_nor_leave_the_table(void **state)
{
    (void)state;
    lindperf__histogram *h = new_histogram();
    lindperf__histogram_add(h, UINT64_MAX);
    lindperf__histogram_add(h, UINT64_MAX - 1);
    lindperf__histogram_add(h, (uint64_t)1 << 63);
    assert_int_equal(h->buckets[LINDPERF__BUCKETS - 1], 2);
    assert_int_equal(lindperf__percentile_of(h, 100), UINT64_MAX);
    assert_int_equal(lindperf__percentile_of(h, 0), (uint64_t)1 << 63);
    assert_within_bucket_error(lindperf__percentile_of(h, 50), UINT64_MAX - 1);
    free(h);
}

static void merge_adds_counts_and_widens_min_and_max(void **state)
{
    (void)state;
    lindperf__histogram *a = new_histogram(), *b = new_histogram();
    add_many(a, 2000, 3);
    add_many(b, 50, 1);
    add_many(b, 80000, 1);
    lindperf__histogram_merge(a, b);
    assert_int_equal(a->count, 5);
    assert_int_equal(a->min, 50);
    assert_int_equal(a->max, 80000);
    assert_int_equal(a->buckets[lindperf__bucket_of(2000)], 3);
    assert_within_bucket_error(lindperf__percentile_of(a, 50), 2000);
    lindperf__histogram_clear(a);
    assert_int_equal(a->count, 0);
    assert_int_equal(lindperf__percentile_of(a, 50), 0);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values_below_64_have_a_bucket_each),
        cmocka_unit_test(every_bucket_is_at_most_a_32nd_of_its_low_wide),
        cmocka_unit_test(each_bucket_low_maps_back_to_its_bucket),
        cmocka_unit_test(buckets_are_contiguous_up_to_the_largest_value),
        cmocka_unit_test(bucket_of_is_monotonic_and_misses_no_bucket),
        cmocka_unit_test(midpoint_is_within_1_6_percent_exhaustively_below_4_million),
        cmocka_unit_test(midpoint_is_within_1_6_percent_around_every_power_of_two),
        cmocka_unit_test(midpoint_is_within_1_6_percent_on_a_64_bit_sample),
        cmocka_unit_test(empty_histogram_gives_zero_for_every_percentile),
        cmocka_unit_test(min_and_max_are_exact_and_percentiles_stay_between_them),
        cmocka_unit_test(one_value_is_every_percentile),
        cmocka_unit_test(percentile_is_the_nearest_rank),
        cmocka_unit_test(percentiles_of_a_uniform_spread_are_within_bucket_error),
        cmocka_unit_test(rare_long_calls_show_in_p99_and_not_in_p50),
        cmocka_unit_test(percentile_out_of_range_is_clamped_and_nan_is_zero),
        cmocka_unit_test(largest_values_neither_overflow_nor_leave_the_table),
        cmocka_unit_test(merge_adds_counts_and_widens_min_and_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
