/* Which rows and sections the report prints, in which order, from hand-made snapshots and
 * from the real counters (checked for structure: sections, order, widths, call counts),
 * and what a writer returns when it cannot write. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include "report_fixture.h"

static void counters_without_calls_get_no_row_and_silent_modules_no_section(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    hand_row(&h, "quiet", "quiet::one", 0, 0);
    hand_row(&h, "busy", "busy::idle", 0, 0);
    hand_row(&h, "busy", "busy::work", 2, 10);
    char *text = written(lindperf__report_snapshot, &h.s);
    assert_golden(text, "without-calls");
    free(text);
}

static void unreached_counters_are_named_after_the_last_section(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    hand_row(&h, "a", "a::timed", 1, 7);
    hand_row(&h, "a", "a::misplaced", 0, 0);
    lindperf__row *only_discovered = hand_row(&h, "b", "b::cold_path", 0, 0);
    only_discovered->reached = 1;
    only_discovered->timed = 1;
    lindperf__row *left_out = hand_row(&h, "b", "b::left_out", 0, 0);
    left_out->reached = 1;
    hand_row(&h, "c", "c::timed", 1, 8);
    hand_row(&h, "c", "c::also_misplaced", 0, 0);
    char *text = written(lindperf__report_snapshot, &h.s);
    assert_golden(text, "unreached");
    free(text);
}

/* --- the real path: module order, rows, widths */

static void modules_follow_the_set_order_then_the_rest_alphabetically(void **state)
{
    (void)state;
    static const char *const order[] = {"mid", "zeta", "not_a_module"};
    lindperf_set_module_order(order, 3);
    record("zeta::last", 1);
    record("alpha::lex", 2);
    record("alpha::parse", 3);
    record("mid::step", 1);
    record("beta::one", 1);
    char *text = written_by(lindperf_report);
    char got[1024];
    outline(text, got, sizeof got);
    assert_text_equal(got,
        "[MID]\nmid::step\n"
        "[ZETA]\nzeta::last\n"
        "[ALPHA]\nalpha::parse\nalpha::lex\n"
        "[BETA]\nbeta::one\n"
        "never\n");
    assert_non_null(strstr(text, "\nnever reached: beta::unused\n"));
    free(text);
}

static void without_a_set_order_modules_are_alphabetical(void **state)
{
    (void)state;
    record("zeta::last", 1);
    record("alpha::lex", 1);
    record("beta::one", 1);
    record("mid::step", 1);
    char *text = written_by(lindperf_report);
    char got[1024];
    outline(text, got, sizeof got);
    assert_text_equal(got,
        "[ALPHA]\nalpha::lex\n"
        "[BETA]\nbeta::one\n"
        "[MID]\nmid::step\n"
        "[ZETA]\nzeta::last\n"
        "never\n");
    assert_non_null(strstr(text, "\nnever reached: alpha::parse, beta::unused\n"));
    free(text);
}

static void real_report_rows_carry_exact_calls_in_97_columns(void **state)
{
    (void)state;
    record("alpha::parse", 3);
    record("mid::step", 12345);
    char *text = written_by(lindperf_report);
    assert_int_equal(strncmp(text, "timer: clock CLOCK_MONOTONIC; empty scope ", 42), 0);
    const char *row = strstr(text, "\nalpha::parse ");
    assert_non_null(row);
    assert_int_equal(strncmp(row + 1 + 60, "          3 ", 12), 0);
    row = strstr(text, "\nmid::step ");
    assert_non_null(row);
    assert_int_equal(strncmp(row + 1 + 60, "      12345 ", 12), 0);
    for (const char *line = strchr(text, '\n') + 1, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        if (end == line || strncmp(line, "never reached: ", 15) == 0)
            continue;
        assert_int_equal(columns_of(line, (size_t)(end - line)), 97);
    }
    free(text);
}

/* --- failure to write */

static void report_to_a_full_device_returns_minus_one(void **state)
{
    (void)state;
    lindperf_enable_only(lindperf_find("mid::step"));
    {
        LINDPERF_SCOPE(mid, step);
    }
    lindperf_enable_only(NULL);
    FILE *full = fopen("/dev/full", "w");
    if (!full)
        skip();
    assert_int_equal(lindperf_report(full), -1);
    assert_int_equal(lindperf_write_json(full), -1);
    assert_int_equal(lindperf_write_csv(full), -1);
    fclose(full);
}

static void report_to_no_stream_returns_minus_one(void **state)
{
    (void)state;
    assert_int_equal(lindperf_report(NULL), -1);
    assert_int_equal(lindperf_write_json(NULL), -1);
    assert_int_equal(lindperf_write_csv(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(counters_without_calls_get_no_row_and_silent_modules_no_section),
        TEST(unreached_counters_are_named_after_the_last_section),
        TEST(modules_follow_the_set_order_then_the_rest_alphabetically),
        TEST(without_a_set_order_modules_are_alphabetical),
        TEST(real_report_rows_carry_exact_calls_in_97_columns),
        TEST(report_to_a_full_device_returns_minus_one),
        TEST(report_to_no_stream_returns_minus_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
