/* The report's layout: the reference's golden text, the 97-column lines, the section header
 * and the timer line. Exact figures come from snapshots built by hand and written with
 * lindperf__report_snapshot, so the golden text needs no timer. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include "report_fixture.h"

static void report_matches_the_reference_layout_with_exact_averages(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 18.5);
    hand_row(&h, "lind_boot", "lind_boot::load_main_module", 1, 111482000);
    hand_row(&h, "lind_boot", "lind_boot::invoke_func", 1, 111282000);
    hand_row(&h, "lind_common", "lind_common::add_to_linker::make-syscall", 1000000, 94274000);
    hand_row(&h, "threei", "threei::make_syscall", 1000000, 90815000);
    hand_row(&h, "rawposix", "rawposix::close_syscall", 1000000, 21255000);
    hand_row(&h, "fdtables", "fdtables::close_virtualfd", 1000000, 14372000);
    char *text = written(lindperf__report_snapshot, &h.s);
    /* The reference's sample output, with the averages it truncated now exact. */
    assert_golden(text, "reference");
    free(text);
}

static void tsc_report_prints_cycles_and_keeps_avg_decimals(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_TSC, 30);
    h.s.tsc_hz = 3e9;
    h.s.tsc_hz_source = "cpuid 0x15";
    hand_row(&h, "threei", "threei::make_syscall", 3, 10);
    hand_row(&h, "threei", "threei::copy", 1000000, 2500000000u);
    char *text = written(lindperf__report_snapshot, &h.s);
    assert_golden(text, "tsc");
    free(text);
}

/* Every timed run measures its own floor; the timer line gives their range. */
static void timer_line_gives_the_range_of_the_runs_floors(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 22);
    h.s.floor_low = 22.04;
    h.s.floor_high = 28.46;
    char *text = written(lindperf__report_snapshot, &h.s);
    assert_text_equal(text,
                      "timer: clock CLOCK_MONOTONIC; empty scope 22.0 to 28.5 ns; figures gross\n");
    free(text);

    hand_init(&h, LINDPERF_TSC, 36.8);
    h.s.tsc_hz = 2.3e9;
    h.s.tsc_hz_source = "cpuid 0x15";
    h.s.floor_high = 43.7;
    h.s.net = 1;
    text = written(lindperf__report_snapshot, &h.s);
    assert_text_equal(text, "timer: tsc 2.300 GHz (cpuid 0x15); empty scope 36.8 to 43.7 cycles"
                            " = 16.0 to 19.0 ns; figures net (the empty scope subtracted)\n");
    free(text);
}

static void rows_with_micro_seconds_are_97_display_columns(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    hand_row(&h, "m", "m::micro", 2, 3000);
    char *text = written(lindperf__report_snapshot, &h.s);
    assert_golden(text, "micro");
    free(text);
}

static void every_table_line_is_97_display_columns(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    const uint64_t totals[] = {1, 999, 1000, 1500, 999999, 1000000, 123456789, 1000000000,
                               98765432100u, UINT64_MAX - 1, UINT64_MAX};
    char names[sizeof totals / sizeof totals[0]][40];
    for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++) {
        snprintf(names[i], sizeof names[i], "m::row%zu", i);
        hand_row(&h, "m", names[i], i + 1, totals[i]);
    }
    hand_row(&h, "m", "m::\xc2\xb5s_in_the_name_and_a_name_far_longer_than_sixty_columns_of_text",
             1, 2000);
    char *text = written(lindperf__report_snapshot, &h.s);
    size_t table_lines = 0;
    for (char *line = strchr(text, '\n') + 1, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        if (end == line)
            continue;   /* the blank line after the section */
        table_lines++;
        if (columns_of(line, (size_t)(end - line)) != LINDPERF_REPORT_WIDTH)
            fail_msg("this line is %zu columns wide, not 97:\n%.*s",
                     columns_of(line, (size_t)(end - line)), (int)(end - line), line);
    }
    assert_int_equal(table_lines, 3 + h.s.count);
    free(text);
}

static void report_width_is_97(void **state)
{
    (void)state;
    assert_int_equal(LINDPERF_REPORT_WIDTH, 97);
    assert_int_equal(LINDPERF_NAME_WIDTH, 60);
}

/* --- the section header */

static void section_title_is_centred_with_the_odd_dash_on_the_right(void **state)
{
    (void)state;
    char title[97];
    for (size_t len = 1; len < sizeof title; len++) {
        memset(title, 'A', len);
        title[len] = 0;
        char *text = section(title);
        size_t left = strspn(text, "-");
        size_t right = strspn(text + left + len, "-");
        assert_int_equal(left, (97 - len) / 2);
        assert_int_equal(left + len + right, 97);
        assert_int_equal(strncmp(text + left, title, len), 0);
        assert_int_equal(text[97], '\n');
        free(text);
    }
}

static void section_is_title_then_column_line_then_rule(void **state)
{
    (void)state;
    char *text = section("fdtables");
    assert_golden(text, "section-fdtables");
    char expected[128];
    snprintf(expected, sizeof expected, "%-60s %10s %12s %12s\n", "name", "calls", "total", "avg");
    assert_int_equal(strncmp(strchr(text, '\n') + 1, expected, strlen(expected)), 0);
    free(text);
}

static void section_title_is_upper_case_with_dashes_for_underscores(void **state)
{
    (void)state;
    char *text = section("lind_common_2x");
    assert_non_null(strstr(text, "-LIND-COMMON-2X-"));
    free(text);
    text = section("_a_");
    assert_non_null(strstr(text, "---A---"));
    free(text);
}

/* --- names */

static void long_name_is_cut_to_60_columns_with_an_ellipsis(void **state)
{
    (void)state;
    const char *name = "module::a_name_that_goes_on_and_on_well_past_the_sixty_columns_it_gets";
    char *text = cell(name, 60, 0);
    char expected[128];
    snprintf(expected, sizeof expected, "%.59s\xe2\x80\xa6", name);
    assert_string_equal(text, expected);
    assert_int_equal(columns_of(text, strlen(text)), 60);
    free(text);
}

static void name_of_exactly_60_columns_is_not_cut(void **state)
{
    (void)state;
    const char *name = "m::this_name_is_exactly_sixty_columns_wide_no_more_no_less__";
    assert_int_equal(strlen(name), 60);
    char *text = cell(name, 60, 0);
    assert_string_equal(text, name);
    free(text);
}

static void multibyte_name_is_cut_between_characters(void **state)
{
    (void)state;
    char name[64 * 2 + 1] = "", expected[64 * 2 + 4] = "";
    for (int i = 0; i < 64; i++)
        strcat(name, "\xc2\xb5");
    for (int i = 0; i < 59; i++)
        strcat(expected, "\xc2\xb5");
    strcat(expected, "\xe2\x80\xa6");
    char *text = cell(name, 60, 0);
    assert_string_equal(text, expected);
    free(text);
    text = cell("\xc2\xb5s", 5, 1);   /* the micro sign is one column */
    assert_string_equal(text, "   \xc2\xb5s");
    free(text);
}

static void report_row_with_a_long_name_keeps_its_columns(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    hand_row(&h, "m", "m::a_name_that_goes_on_and_on_well_past_the_sixty_columns_it_gets", 4, 4000);
    char *text = written(lindperf__report_snapshot, &h.s);
    assert_non_null(strstr(text, /* the name cut to 60 columns, then the calls, total and avg */
        "m::a_name_that_goes_on_and_on_well_past_the_sixty_columns_i\xe2\x80\xa6"
        "          4      4.000\xc2\xb5s      1.000\xc2\xb5s\n"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(report_matches_the_reference_layout_with_exact_averages),
        TEST(tsc_report_prints_cycles_and_keeps_avg_decimals),
        TEST(timer_line_gives_the_range_of_the_runs_floors),
        TEST(rows_with_micro_seconds_are_97_display_columns),
        TEST(every_table_line_is_97_display_columns),
        TEST(report_width_is_97),
        TEST(section_title_is_centred_with_the_odd_dash_on_the_right),
        TEST(section_is_title_then_column_line_then_rule),
        TEST(section_title_is_upper_case_with_dashes_for_underscores),
        TEST(long_name_is_cut_to_60_columns_with_an_ellipsis),
        TEST(name_of_exactly_60_columns_is_not_cut),
        TEST(multibyte_name_is_cut_between_characters),
        TEST(report_row_with_a_long_name_keeps_its_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
