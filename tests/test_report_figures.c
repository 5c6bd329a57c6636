/* The report's figures: units from ns to s and from cyc to Tcyc, the exact average, and
 * a saturated total. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include "report_fixture.h"

static void clock_values_scale_through_ns_us_ms_and_s(void **state)
{
    (void)state;
    assert_string_equal(formatted(0, LINDPERF_CLOCK), "0.000ns");
    assert_string_equal(formatted(1, LINDPERF_CLOCK), "1.000ns");
    assert_string_equal(formatted(999, LINDPERF_CLOCK), "999.000ns");
    assert_string_equal(formatted(999.5, LINDPERF_CLOCK), "999.500ns");
    assert_string_equal(formatted(1000, LINDPERF_CLOCK), "1.000\xc2\xb5s");
    assert_string_equal(formatted(1500, LINDPERF_CLOCK), "1.500\xc2\xb5s");
    assert_string_equal(formatted(999999, LINDPERF_CLOCK), "999.999\xc2\xb5s");
    assert_string_equal(formatted(1000000, LINDPERF_CLOCK), "1.000ms");
    assert_string_equal(formatted(94274000, LINDPERF_CLOCK), "94.274ms");
    assert_string_equal(formatted(1000000000, LINDPERF_CLOCK), "1.000s");
    assert_string_equal(formatted(3723000000000.0, LINDPERF_CLOCK), "3723.000s");
}

/* A value that rounds up to 1000 of a unit is shown in the next unit, not as "1000.000". */
static void values_that_round_to_1000_move_to_the_next_unit(void **state)
{
    (void)state;
    assert_string_equal(formatted(999.9996, LINDPERF_CLOCK), "1.000\xc2\xb5s");
    assert_string_equal(formatted(999999.9996, LINDPERF_CLOCK), "1.000ms");
    assert_string_equal(formatted(999999500.0, LINDPERF_CLOCK), "1.000s");
    assert_string_equal(formatted(999999.5, LINDPERF_TSC), "1.000Mcyc");
    assert_string_equal(formatted(999.9994, LINDPERF_CLOCK), "999.999ns");
}

static void cycle_values_scale_through_cyc_to_tcyc(void **state)
{
    (void)state;
    assert_string_equal(formatted(0, LINDPERF_TSC), "0.000cyc");
    assert_string_equal(formatted(999, LINDPERF_TSC), "999.000cyc");
    assert_string_equal(formatted(1000, LINDPERF_TSC), "1.000Kcyc");
    assert_string_equal(formatted(2500000, LINDPERF_TSC), "2.500Mcyc");
    assert_string_equal(formatted(3000000000.0, LINDPERF_TSC), "3.000Gcyc");
    assert_string_equal(formatted(4e12, LINDPERF_TSC), "4.000Tcyc");
    assert_string_equal(formatted(5e15, LINDPERF_TSC), "5000.000Tcyc");
}

static void average_is_the_exact_quotient(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 0);
    const lindperf__row *reference = hand_row(&h, "m", "m::a", 1000000, 94274000);
    const lindperf__row *thirds = hand_row(&h, "m", "m::b", 3, 10);
    const lindperf__row *two_thirds = hand_row(&h, "m", "m::c", 3, 2);
    const lindperf__row *eighth = hand_row(&h, "m", "m::d", 8, 1);
    assert_string_equal(formatted(lindperf__avg(reference), LINDPERF_CLOCK), "94.274ns");
    assert_string_equal(formatted(lindperf__avg(thirds), LINDPERF_CLOCK), "3.333ns");
    assert_string_equal(formatted(lindperf__avg(two_thirds), LINDPERF_CLOCK), "0.667ns");
    assert_string_equal(formatted(lindperf__avg(eighth), LINDPERF_CLOCK), "0.125ns");
    assert_string_equal(formatted(lindperf__avg(thirds), LINDPERF_TSC), "3.333cyc");
}

static void saturated_total_is_marked_not_printed_as_a_number(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    hand_row(&h, "m", "m::overflowed", 5, UINT64_MAX);
    char *text = written(lindperf__report_snapshot, &h.s);
    assert_non_null(strstr(text, /* the name, then the calls, total and avg */
        "m::overflowed                                               "
        "          5    saturated    saturated\n"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(clock_values_scale_through_ns_us_ms_and_s),
        TEST(values_that_round_to_1000_move_to_the_next_unit),
        TEST(cycle_values_scale_through_cyc_to_tcyc),
        TEST(average_is_the_exact_quotient),
        TEST(saturated_total_is_marked_not_printed_as_a_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
