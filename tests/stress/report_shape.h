/* Whether a text report is well formed: the timer line, then each module's section (title
 * rule, column header, rule, rows, blank line) in the expected order, then the optional
 * CALL PATH section, then the "never reached"-style lines. Every table line is exactly
 * LINDPERF_REPORT_WIDTH columns (LINDPERF_REPORT_WIDTH_DETAIL under --perf-detail; the
 * CALL PATH stays in the base width). Include after lindperf.h with LIND_PERF on. */
#ifndef REPORT_SHAPE_H
#define REPORT_SHAPE_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Display columns of the first len bytes: UTF-8 continuation bytes take none. */
/* The lines after the tables: the call path's legend, and those that name counters. */
static int report_shape_trailer(const char *line)
{
    static const char *const starts[] = {
        "never reached: ", "reached, but no scope ended in its timed run ",
        "not timed (left out by --perf-only): ", "recursed (", "\xe2\x89\x88: ", "~0: ",
        "lindperf: the discovery run could not record "};
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (strncmp(line, starts[i], strlen(starts[i])) == 0)
            return 1;
    return 0;
}

static size_t report_shape_columns(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

static int report_shape_fail(char *why, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int report_shape_fail(char *why, size_t size, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vsnprintf(why, size, format, ap);
    va_end(ap);
    return -1;
}

static int report_shape_all_dashes(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != '-')
            return 0;
    return len > 0;
}

/* The title of a section line ("-----STRESS-B-----" gives "STRESS-B"), or 0 when the line
 * is not one. */
static int report_shape_title(const char *line, size_t len, char *title, size_t size)
{
    size_t start = 0, end = len;
    while (start < len && line[start] == '-')
        start++;
    while (end > start && line[end - 1] == '-')
        end--;
    if (start == 0 || end == len || end == start || end - start >= size)
        return 0;
    memcpy(title, line + start, end - start);
    title[end - start] = 0;
    return 1;
}

/* sections: the module section titles, as printed, in the order they must appear; any
 * subset of them may be present. 0 when well formed, else -1 with the reason in why. */
static int report_shape_check(const char *text, const char *const *sections, size_t section_count,
                              int detail, char *why, size_t why_size)
{
    const size_t base = LINDPERF_REPORT_WIDTH;
    const size_t wide = detail ? LINDPERF_REPORT_WIDTH_DETAIL : LINDPERF_REPORT_WIDTH;
    enum { BETWEEN, HEADER, RULE, ROWS, TRAILER } state = BETWEEN;
    size_t width = wide, next_section = 0, number = 0;
    int seen_tree = 0;
    for (const char *line = text; *line;) {
        const char *newline = strchr(line, '\n');
        if (!newline)
            return report_shape_fail(why, why_size, "the report does not end with a newline");
        size_t len = (size_t)(newline - line), cols = report_shape_columns(line, len);
        char title[64];
        number++;
        if (number == 1 && strncmp(line, "timer: ", 7) == 0) {   /* absent when no timer is set */
            line = newline + 1;
            continue;
        }
        switch (state) {
        case BETWEEN:
        case TRAILER:
            if (state == BETWEEN && report_shape_title(line, len, title, sizeof title)) {
                if (strncmp(title, "CALL PATH", 9) == 0) {   /* "CALL PATH (NET)" */
                    if (seen_tree)
                        return report_shape_fail(why, why_size, "line %zu: CALL PATH twice",
                                                 number);
                    seen_tree = 1;
                    width = base;
                } else {
                    size_t i = next_section;
                    while (i < section_count && strcmp(sections[i], title) != 0)
                        i++;
                    if (seen_tree || i == section_count)
                        return report_shape_fail(why, why_size, "line %zu: section %s out of order",
                                                 number, title);
                    next_section = i + 1;
                    width = wide;
                }
                if (cols != width)
                    return report_shape_fail(why, why_size,
                                             "line %zu: title is %zu columns, not %zu", number,
                                             cols, width);
                state = HEADER;
            } else if (report_shape_trailer(line)) {
                state = TRAILER;
            } else {
                return report_shape_fail(why, why_size, "line %zu: unexpected \"%.*s\"", number,
                                         (int)(len < 60 ? len : 60), line);
            }
            break;
        case HEADER:
            if (strncmp(line, "name ", 5) != 0 || cols != width)
                return report_shape_fail(why, why_size, "line %zu: bad column header (%zu columns)",
                                         number, cols);
            state = RULE;
            break;
        case RULE:
            if (!report_shape_all_dashes(line, len) || cols != width)
                return report_shape_fail(why, why_size, "line %zu: bad rule", number);
            state = ROWS;
            break;
        case ROWS:
            if (len == 0) {
                state = BETWEEN;
            } else if (cols != width) {
                return report_shape_fail(why, why_size,
                                         "line %zu: row is %zu columns, not %zu: \"%.*s\"",
                                         number, cols, width, (int)len, line);
            }
            break;
        }
        line = newline + 1;
    }
    if (state != BETWEEN && state != TRAILER)
        return report_shape_fail(why, why_size, "the report stops inside a section");
    return 0;
}

#endif
