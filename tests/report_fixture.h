/* What the report, JSON and CSV tests share: output captured in memory, hand-made
 * snapshots written with the header's own writers, and a few real counters. Included by one
 * file per test program; everything is static inline so a program may use any part. */
#ifndef REPORT_FIXTURE_H
#define REPORT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lindperf.h"

/* Real counters for the lindperf_report and lindperf_run_each path. Within a module they
 * are defined out of alphabetical order: rows must follow the definition. */
LINDPERF_COUNTER(zeta, last);
LINDPERF_COUNTER(alpha, parse);
LINDPERF_COUNTER(alpha, lex);
LINDPERF_COUNTER(mid, step);
LINDPERF_COUNTER(beta, one);
LINDPERF_COUNTER(beta, unused);

/* Output captured in memory. The buffer lives in file-scope variables, not in a caller's
 * locals, so no pointer into a stack frame outlives it. */
static char *captured;
static size_t captured_size;

static inline FILE *capture(void)
{
    captured = NULL;
    captured_size = 0;
    FILE *out = open_memstream(&captured, &captured_size);
    assert_non_null(out);
    return out;
}

/* The text written to `out` since capture(); the caller frees it. */
static inline char *captured_text(FILE *out)
{
    assert_int_equal(fclose(out), 0);
    char *text = captured;
    captured = NULL;
    return text;
}

static inline char *written(int (*write)(FILE *, const lindperf__snapshot *),
                            const lindperf__snapshot *s)
{
    FILE *out = capture();
    assert_int_equal(write(out, s), 0);
    return captured_text(out);
}

static inline char *written_by(int (*write)(FILE *))
{
    FILE *out = capture();
    assert_int_equal(write(out), 0);
    return captured_text(out);
}

static inline void assert_text_equal(const char *got, const char *expected)
{
    if (strcmp(got, expected) != 0) {
        size_t at = 0;
        while (got[at] && got[at] == expected[at])
            at++;
        fail_msg("text differs at byte %zu\n--- expected:\n%s--- got:\n%s---", at, expected, got);
    }
}

/* The golden text `name` of tests/data/reports.txt: from the line after "=== name" up to
 * the next "=== " line. A report line is 97 columns, too wide to quote in C within 100. */
static inline char *golden(const char *name)
{
    FILE *f = fopen(TEST_DATA_DIR "/reports.txt", "r");
    if (!f)
        fail_msg("cannot read %s/reports.txt", TEST_DATA_DIR);
    char line[256], *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    int in_block = 0, found = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "=== ", 4) == 0) {
            in_block = strcspn(line + 4, "\n") == strlen(name) &&
                       strncmp(line + 4, name, strlen(name)) == 0;
            found |= in_block;
        } else if (in_block) {
            fputs(line, out);
        }
    }
    fclose(f);
    assert_int_equal(fclose(out), 0);
    if (!found)
        fail_msg("no block \"=== %s\" in %s/reports.txt", name, TEST_DATA_DIR);
    return text;
}

static inline void assert_golden(const char *got, const char *name)
{
    char *expected = golden(name);
    assert_text_equal(got, expected);
    free(expected);
}

/* Display columns, counted here independently of the header: UTF-8 continuation bytes
 * take none. */
static inline size_t columns_of(const char *line, size_t bytes)
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

static inline void hand_init(hand_snapshot *h, lindperf_timer timer, double floor)
{
    memset(h, 0, sizeof *h);
    h->s.timer = timer;
    h->s.floor = floor;
    h->s.floor_low = floor;
    h->s.floor_high = floor;
    h->s.rows = h->rows;
}

static inline lindperf__row *hand_row(hand_snapshot *h, const char *module, const char *name,
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
    h->rows[i].outer_calls = calls;
    h->rows[i].parent = -1;
    h->rows[i].floor = h->s.floor;
    h->rows[i].reached = calls > 0;
    h->rows[i].timed = calls > 0;
    return &h->rows[i];
}

static inline const char *formatted(double v, lindperf_timer timer)
{
    static char buf[64];
    lindperf__format_value(buf, sizeof buf, v, timer);
    return buf;
}

static inline char *cell(const char *s, size_t width, int align_right)
{
    FILE *out = capture();
    lindperf__put_cell(out, s, width, align_right);
    return captured_text(out);
}

static inline char *section(const char *title)
{
    FILE *out = capture();
    lindperf__put_section(out, title, "total", "avg", 0);
    return captured_text(out);
}

static inline char *json_string(const char *s)
{
    FILE *out = capture();
    lindperf__json_string(out, s);
    return captured_text(out);
}

static inline int fresh(void **state)
{
    (void)state;
    lindperf_set_timer(LINDPERF_CLOCK);
    lindperf_set_module_order(NULL, 0);
    lindperf_enable_only(NULL);
    lindperf_reset_all();
    lindperf__g.only_count = 0;
    return 0;
}

/* What the code under test says on stderr, caught in a temporary file. */
static int saved_stderr = -1;
static FILE *caught_stderr;

static inline void catch_stderr(void)
{
    fflush(stderr);
    caught_stderr = tmpfile();
    assert_non_null(caught_stderr);
    saved_stderr = dup(STDERR_FILENO);
    assert_true(saved_stderr >= 0);
    assert_true(dup2(fileno(caught_stderr), STDERR_FILENO) >= 0);
}

/* The text caught since catch_stderr(), with stderr given back; the caller frees it. */
static inline char *release_stderr(void)
{
    fflush(stderr);
    assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
    close(saved_stderr);
    long size = ftell(caught_stderr);
    assert_true(size >= 0);
    char *text = (char *)calloc(1, (size_t)size + 1);
    assert_non_null(text);
    rewind(caught_stderr);
    assert_int_equal(fread(text, 1, (size_t)size, caught_stderr), (size_t)size);
    fclose(caught_stderr);
    return text;
}

static inline void record(const char *name, int times)
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
static inline void outline(const char *report, char *out, size_t size)
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

#define TEST(name) cmocka_unit_test_setup(name, fresh)

#endif
