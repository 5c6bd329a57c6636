/* The report, JSON and CSV. Exact figures come from snapshots built by hand and written
 * with the header's own writers (lindperf__report_snapshot and its kin), so the golden
 * text needs no timer; the path from real counters (lindperf_report, lindperf_run_each)
 * is checked for its structure: sections, their order, widths and call counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lindperf.h"

/* Real counters for the lindperf_report and lindperf_run_each path. Within a module they
 * are defined out of alphabetical order: rows must follow the definition. */
LINDPERF_COUNTER(zeta, last);
LINDPERF_COUNTER(alpha, parse);
LINDPERF_COUNTER(alpha, lex);
LINDPERF_COUNTER(mid, step);
LINDPERF_COUNTER(beta, one);
LINDPERF_COUNTER(beta, unused);

#define RULE \
    "-------------------------------------------------------------------------------------------------\n"
#define COLUMNS \
    "name                                                              calls        total          avg\n"

/* --- helpers */

/* What a writer produced, as a string the caller frees. */
/* Output captured in memory. The buffer lives in file-scope variables, not in a caller's
 * locals, so no pointer into a stack frame outlives it. */
static char *captured;
static size_t captured_size;

static FILE *capture(void)
{
    captured = NULL;
    captured_size = 0;
    FILE *out = open_memstream(&captured, &captured_size);
    assert_non_null(out);
    return out;
}

/* The text written to `out` since capture(); the caller frees it. */
static char *captured_text(FILE *out)
{
    assert_int_equal(fclose(out), 0);
    char *text = captured;
    captured = NULL;
    return text;
}

static char *written(int (*write)(FILE *, const lindperf__snapshot *), const lindperf__snapshot *s)
{
    FILE *out = capture();
    assert_int_equal(write(out, s), 0);
    return captured_text(out);
}

static char *written_by(int (*write)(FILE *))
{
    FILE *out = capture();
    assert_int_equal(write(out), 0);
    return captured_text(out);
}

static void assert_text_equal(const char *got, const char *expected)
{
    if (strcmp(got, expected) != 0) {
        size_t at = 0;
        while (got[at] && got[at] == expected[at])
            at++;
        fail_msg("text differs at byte %zu\n--- expected:\n%s--- got:\n%s---", at, expected, got);
    }
}

/* Display columns, counted here independently of the header: UTF-8 continuation bytes
 * take none. */
static size_t columns_of(const char *line, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++)
        n += ((unsigned char)line[i] & 0xc0) != 0x80;
    return n;
}

/* A snapshot of hand-made counters. */
#define MAX_ROWS 16
typedef struct hand_snapshot {
    lindperf_counter counters[MAX_ROWS];
    lindperf__row rows[MAX_ROWS];
    lindperf__snapshot s;
} hand_snapshot;

static void hand_init(hand_snapshot *h, lindperf_timer timer, double floor)
{
    memset(h, 0, sizeof *h);
    h->s.timer = timer;
    h->s.floor = floor;
    h->s.floor_low = floor;
    h->s.floor_high = floor;
    h->s.rows = h->rows;
}

static lindperf__row *hand_row(hand_snapshot *h, const char *module, const char *name,
                               uint64_t calls, uint64_t total)
{
    size_t i = h->s.count++;
    assert_true(i < MAX_ROWS);
    h->counters[i].module = module;
    h->counters[i].name = name;
    h->counters[i].index = (uint32_t)i;
    h->rows[i].counter = &h->counters[i];
    h->rows[i].calls = calls;
    h->rows[i].total = total;
    h->rows[i].parent = -1;
    h->rows[i].floor = h->s.floor;
    h->rows[i].reached = calls > 0;
    h->rows[i].timed = calls > 0;
    return &h->rows[i];
}

static const char *formatted(double v, lindperf_timer timer)
{
    static char buf[64];
    lindperf__format_value(buf, sizeof buf, v, timer);
    return buf;
}

static char *cell(const char *s, size_t width, int align_right)
{
    FILE *out = capture();
    lindperf__put_cell(out, s, width, align_right);
    return captured_text(out);
}

static char *section(const char *title)
{
    FILE *out = capture();
    lindperf__put_section(out, title, "total", "avg", 0);
    return captured_text(out);
}

static char *json_string(const char *s)
{
    FILE *out = capture();
    lindperf__json_string(out, s);
    return captured_text(out);
}

/* --- a JSON checker (RFC 8259), strict about UTF-8, so the JSON tests can fail */

static void json_ws(const unsigned char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
        (*p)++;
}

static int json_utf8(const unsigned char **p)
{
    const unsigned char *s = *p;
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;
    else
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    *p += len;
    return 1;
}

static int json_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int json_string_ok(const unsigned char **p)
{
    if (**p != '"')
        return 0;
    (*p)++;
    while (**p != '"') {
        unsigned char c = **p;
        if (c < 0x20)
            return 0;
        if (c == '\\') {
            c = *++*p;
            if (c == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!json_hex((*p)[i]))
                        return 0;
                *p += 5;
            } else if (c && strchr("\"\\/bfnrt", c)) {
                (*p)++;
            } else {
                return 0;
            }
        } else if (c >= 0x80) {
            if (!json_utf8(p))
                return 0;
        } else {
            (*p)++;
        }
    }
    (*p)++;
    return 1;
}

static int json_digits(const unsigned char **p)
{
    if (**p < '0' || **p > '9')
        return 0;
    while (**p >= '0' && **p <= '9')
        (*p)++;
    return 1;
}

static int json_number_ok(const unsigned char **p)
{
    if (**p == '-')
        (*p)++;
    if (**p == '0')
        (*p)++;
    else if (!json_digits(p))
        return 0;
    if (**p == '.') {
        (*p)++;
        if (!json_digits(p))
            return 0;
    }
    if (**p == 'e' || **p == 'E') {
        (*p)++;
        if (**p == '+' || **p == '-')
            (*p)++;
        if (!json_digits(p))
            return 0;
    }
    return 1;
}

static int json_value_ok(const unsigned char **p, int depth);

static int json_members_ok(const unsigned char **p, int depth, unsigned char close, int keyed)
{
    (*p)++;
    json_ws(p);
    if (**p == close) {
        (*p)++;
        return 1;
    }
    for (;;) {
        if (keyed) {
            if (!json_string_ok(p))
                return 0;
            json_ws(p);
            if (**p != ':')
                return 0;
            (*p)++;
            json_ws(p);
        }
        if (!json_value_ok(p, depth + 1))
            return 0;
        json_ws(p);
        if (**p == close) {
            (*p)++;
            return 1;
        }
        if (**p != ',')
            return 0;
        (*p)++;
        json_ws(p);
    }
}

static int json_value_ok(const unsigned char **p, int depth)
{
    if (depth > 64)
        return 0;
    switch (**p) {
    case '{': return json_members_ok(p, depth, '}', 1);
    case '[': return json_members_ok(p, depth, ']', 0);
    case '"': return json_string_ok(p);
    case 't': return strncmp((const char *)*p, "true", 4) == 0 ? (*p += 4, 1) : 0;
    case 'f': return strncmp((const char *)*p, "false", 5) == 0 ? (*p += 5, 1) : 0;
    case 'n': return strncmp((const char *)*p, "null", 4) == 0 ? (*p += 4, 1) : 0;
    default: return json_number_ok(p);
    }
}

static int json_valid(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    json_ws(&p);
    if (!json_value_ok(&p, 0))
        return 0;
    json_ws(&p);
    return *p == 0;
}

static void assert_json_valid(const char *text)
{
    if (!json_valid(text))
        fail_msg("not valid JSON:\n%s", text);
}

static int fresh(void **state)
{
    (void)state;
    lindperf_set_timer(LINDPERF_CLOCK);
    lindperf_set_module_order(NULL, 0);
    lindperf_enable_only(NULL);
    lindperf_reset_all();
    return 0;
}

/* --- the layout, golden */

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
    assert_text_equal(text,
        "timer: clock CLOCK_MONOTONIC; empty scope 18.5 ns; figures gross\n"
        "--------------------------------------------LIND-BOOT--------------------------------------------\n"
        "name                                                              calls        total          avg\n"
        "-------------------------------------------------------------------------------------------------\n"
        "lind_boot::load_main_module                                           1    111.482ms    111.482ms\n"
        "lind_boot::invoke_func                                                1    111.282ms    111.282ms\n"
        "\n"
        "-------------------------------------------LIND-COMMON-------------------------------------------\n"
        "name                                                              calls        total          avg\n"
        "-------------------------------------------------------------------------------------------------\n"
        "lind_common::add_to_linker::make-syscall                        1000000     94.274ms     94.274ns\n"
        "\n"
        "---------------------------------------------THREEI----------------------------------------------\n"
        "name                                                              calls        total          avg\n"
        "-------------------------------------------------------------------------------------------------\n"
        "threei::make_syscall                                            1000000     90.815ms     90.815ns\n"
        "\n"
        "--------------------------------------------RAWPOSIX---------------------------------------------\n"
        "name                                                              calls        total          avg\n"
        "-------------------------------------------------------------------------------------------------\n"
        "rawposix::close_syscall                                         1000000     21.255ms     21.255ns\n"
        "\n"
        "--------------------------------------------FDTABLES---------------------------------------------\n"
        "name                                                              calls        total          avg\n"
        "-------------------------------------------------------------------------------------------------\n"
        "fdtables::close_virtualfd                                       1000000     14.372ms     14.372ns\n"
        "\n");
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
    assert_text_equal(text,
        "timer: tsc 3.000 GHz (cpuid 0x15); empty scope 30.0 cycles = 10.0 ns; figures gross\n"
        "---------------------------------------------THREEI----------------------------------------------\n"
        COLUMNS
        RULE
        "threei::make_syscall                                                  3    10.000cyc     3.333cyc\n"
        "threei::copy                                                    1000000    2.500Gcyc    2.500Kcyc\n"
        "\n");
    free(text);
}

static void rows_with_micro_seconds_are_97_display_columns(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    hand_row(&h, "m", "m::micro", 2, 3000);
    char *text = written(lindperf__report_snapshot, &h.s);
    assert_text_equal(text,
        "timer: clock CLOCK_MONOTONIC; empty scope 20.0 ns; figures gross\n"
        "------------------------------------------------M------------------------------------------------\n"
        COLUMNS
        RULE
        "m::micro                                                              2      3.000\xc2\xb5s      1.500\xc2\xb5s\n"
        "\n");
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
    hand_row(&h, "m", "m::\xc2\xb5s_in_the_name_and_a_name_far_longer_than_sixty_columns_of_text", 1, 2000);
    char *text = written(lindperf__report_snapshot, &h.s);
    size_t table_lines = 0;
    for (char *line = strchr(text, '\n') + 1, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        if (end == line)
            continue;   /* the blank line after the section */
        table_lines++;
        if (columns_of(line, (size_t)(end - line)) != LINDPERF_REPORT_WIDTH)
            fail_msg("this line is %zu columns wide, not 97:\n%.*s", columns_of(line, (size_t)(end - line)),
                     (int)(end - line), line);
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
    assert_text_equal(text,
        "--------------------------------------------FDTABLES---------------------------------------------\n"
        COLUMNS
        RULE);
    char expected[128];
    snprintf(expected, sizeof expected, "%-60s %10s %12s %12s\n", "name", "calls", "total", "avg");
    assert_string_equal(COLUMNS, expected);
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

/* --- figures */

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
    assert_non_null(strstr(text,
        "m::overflowed                                                         5    saturated    saturated\n"));
    free(text);
    text = written(lindperf__json_snapshot, &h.s);
    assert_non_null(strstr(text, "\"total\": 18446744073709551615, \"saturated\": true,"));
    assert_json_valid(text);
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
    assert_non_null(strstr(text,
        "m::a_name_that_goes_on_and_on_well_past_the_sixty_columns_i\xe2\x80\xa6          4      4.000\xc2\xb5s      1.000\xc2\xb5s\n"));
    free(text);
}

/* --- which rows and sections */

static void counters_without_calls_get_no_row_and_silent_modules_no_section(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    hand_row(&h, "quiet", "quiet::one", 0, 0);
    hand_row(&h, "busy", "busy::idle", 0, 0);
    hand_row(&h, "busy", "busy::work", 2, 10);
    char *text = written(lindperf__report_snapshot, &h.s);
    assert_text_equal(text,
        "timer: clock CLOCK_MONOTONIC; empty scope 20.0 ns; figures gross\n"
        "----------------------------------------------BUSY-----------------------------------------------\n"
        COLUMNS
        RULE
        "busy::work                                                            2     10.000ns      5.000ns\n"
        "\n"
        "never reached: quiet::one, busy::idle\n");
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
    assert_text_equal(text,
        "timer: clock CLOCK_MONOTONIC; empty scope 20.0 ns; figures gross\n"
        "------------------------------------------------A------------------------------------------------\n"
        COLUMNS
        RULE
        "a::timed                                                              1      7.000ns      7.000ns\n"
        "\n"
        "------------------------------------------------C------------------------------------------------\n"
        COLUMNS
        RULE
        "c::timed                                                              1      8.000ns      8.000ns\n"
        "\n"
        "never reached: a::misplaced, c::also_misplaced\n"
        "reached, but no scope ended in its timed run (longjmp, thread cancellation, exit, or not reached again): b::cold_path\n"
        "not timed (left out by --perf-only): b::left_out\n");
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

/* --- the real path: module order, rows, widths */

static void record(const char *name, int times)
{
    lindperf_enable_only(lindperf_find(name));
    for (int i = 0; i < times; i++) {
        if (strcmp(name, "zeta::last") == 0) {
            LINDPERF_SCOPE(zeta, last);
        } else if (strcmp(name, "alpha::parse") == 0) {
            LINDPERF_SCOPE(alpha, parse);
        } else if (strcmp(name, "alpha::lex") == 0) {
            LINDPERF_SCOPE(alpha, lex);
        } else if (strcmp(name, "mid::step") == 0) {
            LINDPERF_SCOPE(mid, step);
        } else if (strcmp(name, "beta::one") == 0) {
            LINDPERF_SCOPE(beta, one);
        }
    }
    lindperf_enable_only(NULL);
}

/* The section titles and row names of a report, in order, one per line of `out`. */
static void outline(const char *report, char *out, size_t size)
{
    out[0] = 0;
    for (const char *line = report, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        size_t len = (size_t)(end - line);
        char item[128];
        if (len > 0 && line[0] == '-' && line[len - 1] == '-' && strspn(line, "-") < len) {
            size_t left = strspn(line, "-");
            size_t title = strcspn(line + left, "-\n");
            snprintf(item, sizeof item, "[%.*s]\n", (int)title, line + left);
        } else if (len > 0 && line[0] != '-' && strncmp(line, "name ", 5) != 0 &&
                   strncmp(line, "timer: ", 7) != 0) {
            snprintf(item, sizeof item, "%.*s\n", (int)strcspn(line, " \n"), line);
        } else {
            continue;
        }
        strncat(out, item, size - strlen(out) - 1);
    }
}

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

/* --- JSON */

static void json_escapes_quotes_backslashes_and_control_characters(void **state)
{
    (void)state;
    char *text = json_string("say \"hi\" \\ back");
    assert_string_equal(text, "\"say \\\"hi\\\" \\\\ back\"");
    free(text);
    text = json_string("tab\tnew\nline\rbell\x01" "del\x7f" "esc\x1b");
    assert_string_equal(text, "\"tab\\u0009new\\u000aline\\u000dbell\\u0001del\\u007fesc\\u001b\"");
    free(text);
    text = json_string(NULL);
    assert_string_equal(text, "null");
    free(text);
}

static void json_keeps_valid_utf8_and_escapes_invalid_bytes(void **state)
{
    (void)state;
    char *text = json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_string_equal(text, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    free(text);
    const struct { const char *in, *out; } invalid[] = {
        {"bad\xff", "\"bad\\u00ff\""},
        {"lone\x80", "\"lone\\u0080\""},
        {"cut\xc3(", "\"cut\\u00c3(\""},
        {"overlong\xc0\xaf", "\"overlong\\u00c0\\u00af\""},
        {"surrogate\xed\xa0\x80", "\"surrogate\\u00ed\\u00a0\\u0080\""},
        {"too_big\xf4\x90\x80\x80", "\"too_big\\u00f4\\u0090\\u0080\\u0080\""},
        {"short\xe2\x82", "\"short\\u00e2\\u0082\""},
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        text = json_string(invalid[i].in);
        assert_string_equal(text, invalid[i].out);
        assert_json_valid(text);
        free(text);
    }
}

static void json_of_awkward_names_is_well_formed(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    hand_row(&h, "m\"q", "m\"q::quote\"back\\slash", 3, 10);
    hand_row(&h, "m\"q", "m\"q::control\x01\t\n", 1, 5);
    hand_row(&h, "bytes", "bytes::bad\xff\xc3(\xed\xa0\x80", 2, 8);
    hand_row(&h, "bytes", "bytes::never", 0, 0);
    char *text = written(lindperf__json_snapshot, &h.s);
    assert_json_valid(text);
    assert_non_null(strstr(text,
        "{\"module\": \"m\\\"q\", \"name\": \"m\\\"q::quote\\\"back\\\\slash\", \"calls\": 3, "
        "\"total\": 10, \"saturated\": false, \"avg\": 3.333, \"min\": null, \"p50\": null, "
        "\"p99\": null, \"max\": null, \"empty_scope\": 20.000, \"parent\": null}"));
    assert_non_null(strstr(text, "\"name\": \"m\\\"q::control\\u0001\\u0009\\u000a\""));
    assert_non_null(strstr(text, "\"name\": \"bytes::bad\\u00ff\\u00c3(\\u00ed\\u00a0\\u0080\""));
    assert_null(strstr(text, "bytes::never"));
    assert_non_null(strstr(text, "\"timer\": \"clock\""));
    assert_non_null(strstr(text, "\"unit\": \"ns\""));
    free(text);
}

static void json_of_the_real_counters_is_well_formed(void **state)
{
    (void)state;
    record("alpha::parse", 2);
    record("beta::one", 1);
    char *text = written_by(lindperf_write_json);
    assert_json_valid(text);
    assert_non_null(strstr(text, "\"name\": \"alpha::parse\", \"calls\": 2,"));
    assert_non_null(strstr(text, "\"name\": \"beta::one\", \"calls\": 1,"));
    assert_null(strstr(text, "beta::unused"));
    free(text);
}

static void json_checker_rejects_malformed_text(void **state)
{
    (void)state;
    assert_true(json_valid("{\"a\": [1, -2.5e3, true, null, \"\\u00e9\"]}"));
    const char *const bad[] = {
        "", "{", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "\"raw\ttab\"", "\"bad \\x escape\"",
        "\"bad\xff\"", "\"surrogate\xed\xa0\x80\"", "01", "1.", "nul", "{} {}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (json_valid(bad[i]))
            fail_msg("the checker accepted %s", bad[i]);
}

/* --- CSV */

static void csv_quotes_fields_with_commas_quotes_and_line_breaks(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    hand_row(&h, "plain", "plain::name", 3, 10);
    hand_row(&h, "odd,mod", "odd,mod::say \"hi\"", 1, 5);
    hand_row(&h, "odd,mod", "odd,mod::two\nlines\r", 2, 7);
    hand_row(&h, "odd,mod", "odd,mod::never", 0, 0);
    char *text = written(lindperf__csv_snapshot, &h.s);
    assert_text_equal(text,
        "module,name,calls,total,avg,min,p50,p99,max,parent\n"
        "plain,plain::name,3,10,3.333,,,,,\n"
        "\"odd,mod\",\"odd,mod::say \"\"hi\"\"\",1,5,5.000,,,,,\n"
        "\"odd,mod\",\"odd,mod::two\nlines\r\",2,7,3.500,,,,,\n");
    free(text);
}

static void csv_of_the_real_counters_has_one_line_per_called_counter(void **state)
{
    (void)state;
    record("zeta::last", 4);
    record("alpha::lex", 1);
    char *text = written_by(lindperf_write_csv);
    char *second = strchr(text, '\n') + 1;
    assert_int_equal(strncmp(text, "module,name,calls,total,avg,min,p50,p99,max,parent\n",
                             (size_t)(second - text)), 0);
    assert_int_equal(strncmp(second, "alpha,alpha::lex,1,", 19), 0);
    char *third = strchr(second, '\n') + 1;
    assert_int_equal(strncmp(third, "zeta,zeta::last,4,", 18), 0);
    assert_string_equal(strchr(third, '\n'), "\n");
    free(text);
}

/* --- lindperf_run_each */

typedef struct workload_log {
    int runs;
    int fail_on_run;       /* return a status on this run (1-based), 0: never */
} workload_log;

static int workload(void *arg)
{
    workload_log *log = (workload_log *)arg;
    log->runs++;
    for (int i = 0; i < 3; i++) {
        LINDPERF_SCOPE(alpha, parse);
    }
    {
        LINDPERF_SCOPE(alpha, lex);
    }
    for (int i = 0; i < 2; i++) {
        LINDPERF_SCOPE(mid, step);
        LINDPERF_SCOPE(zeta, last);
    }
    if (log->fail_on_run && log->runs >= log->fail_on_run)
        return 40 + log->runs;
    return 0;
}

static void run_each_runs_discovery_then_once_per_reached_counter(void **state)
{
    (void)state;
    workload_log log = {0, 0};
    FILE *out = capture();
    assert_int_equal(lindperf_run_each(LINDPERF_CLOCK, workload, &log, out), 0);
    char *text = captured_text(out);
    /* discovery, then alpha::parse, alpha::lex, mid::step, zeta::last */
    assert_int_equal(log.runs, 1 + 4);
    assert_int_equal(lindperf_counter_calls(lindperf_find("alpha::parse")), 3);
    assert_int_equal(lindperf_counter_calls(lindperf_find("alpha::lex")), 1);
    assert_int_equal(lindperf_counter_calls(lindperf_find("mid::step")), 2);
    assert_int_equal(lindperf_counter_calls(lindperf_find("zeta::last")), 2);
    assert_int_equal(lindperf_counter_calls(lindperf_find("beta::one")), 0);
    char got[1024];
    outline(text, got, sizeof got);
    assert_text_equal(got,
        "[ALPHA]\nalpha::parse\nalpha::lex\n"
        "[MID]\nmid::step\n"
        "[ZETA]\nzeta::last\n"
        "never\n");
    assert_non_null(strstr(text, "\nnever reached: beta::one, beta::unused\n"));
    free(text);
}

static void run_each_returns_the_first_nonzero_workload_status(void **state)
{
    (void)state;
    workload_log log = {0, 3};
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_int_equal(lindperf_run_each(LINDPERF_CLOCK, workload, &log, out), 43);
    fclose(out);
    assert_int_equal(log.runs, 5);   /* a failing run does not stop the others */
    assert_int_equal(lindperf_counter_calls(lindperf_find("zeta::last")), 2);
}

static void run_each_returns_minus_one_when_the_report_cannot_be_written(void **state)
{
    (void)state;
    workload_log log = {0, 0};
    FILE *full = fopen("/dev/full", "w");
    if (!full)
        skip();
    assert_int_equal(lindperf_run_each(LINDPERF_CLOCK, workload, &log, full), -1);
    fclose(full);
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
    assert_text_equal(text, "timer: clock CLOCK_MONOTONIC; empty scope 22.0 to 28.5 ns; figures gross\n");
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

#define TEST(name) cmocka_unit_test_setup(name, fresh)

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
        TEST(clock_values_scale_through_ns_us_ms_and_s),
        TEST(values_that_round_to_1000_move_to_the_next_unit),
        TEST(cycle_values_scale_through_cyc_to_tcyc),
        TEST(average_is_the_exact_quotient),
        TEST(saturated_total_is_marked_not_printed_as_a_number),
        TEST(long_name_is_cut_to_60_columns_with_an_ellipsis),
        TEST(name_of_exactly_60_columns_is_not_cut),
        TEST(multibyte_name_is_cut_between_characters),
        TEST(report_row_with_a_long_name_keeps_its_columns),
        TEST(counters_without_calls_get_no_row_and_silent_modules_no_section),
        TEST(unreached_counters_are_named_after_the_last_section),
        TEST(report_to_a_full_device_returns_minus_one),
        TEST(report_to_no_stream_returns_minus_one),
        TEST(modules_follow_the_set_order_then_the_rest_alphabetically),
        TEST(without_a_set_order_modules_are_alphabetical),
        TEST(real_report_rows_carry_exact_calls_in_97_columns),
        TEST(json_escapes_quotes_backslashes_and_control_characters),
        TEST(json_keeps_valid_utf8_and_escapes_invalid_bytes),
        TEST(json_of_awkward_names_is_well_formed),
        TEST(json_of_the_real_counters_is_well_formed),
        TEST(json_checker_rejects_malformed_text),
        TEST(csv_quotes_fields_with_commas_quotes_and_line_breaks),
        TEST(csv_of_the_real_counters_has_one_line_per_called_counter),
        TEST(run_each_runs_discovery_then_once_per_reached_counter),
        TEST(run_each_returns_the_first_nonzero_workload_status),
        TEST(run_each_returns_minus_one_when_the_report_cannot_be_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
