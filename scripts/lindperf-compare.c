/* lindperf-compare: compares two lindperf results files (--perf-json) counter by counter,
 * so that a CI job can gate on performance regressions.
 *
 *     lindperf-compare OLD.json NEW.json [--threshold PCT]
 *
 * For each counter it prints the old and the new figure, the change in percent, and a
 * marker when the change is beyond the threshold (5% by default). The figure is p50 when
 * both files have it for that counter (it shrugs off the rare preempted call that drags
 * an average), avg otherwise. Counters present in only one file are listed, not errors.
 *
 * Exit status: 0 no counter got slower beyond the threshold; 1 at least one did;
 * 2 the comparison could not be made (bad arguments, unreadable or invalid files, or
 * files in different units).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lindperf-run.h"

#define DEFAULT_THRESHOLD_PCT 5.0
#define NAME_COLUMN_MIN 7
#define NAME_COLUMN_MAX 60
#define VALUE_COLUMN 13

static const char usage[] =
    "usage: lindperf-compare OLD.json NEW.json [--threshold PCT]\n"
    "  Compares two lindperf results files (written with --perf-json=FILE) per counter.\n"
    "  --threshold PCT  mark changes beyond PCT percent (default 5); exit 1 when a\n"
    "                   counter got slower by more than that\n"
    "  Exit status: 0 no slowdown, 1 slowdown beyond the threshold, 2 cannot compare.\n";

/* Counts display columns, not bytes: UTF-8 continuation bytes take none. */
static size_t display_width(const char *s, size_t length)
{
    size_t width = 0;
    for (size_t i = 0; i < length; i++)
        width += ((unsigned char)s[i] & 0xC0) != 0x80;
    return width;
}

/* Counter names may hold any byte; control bytes would garble the table, so they are
 * shown as \xNN. Returns the columns written. */
static size_t print_name(const char *s, size_t length)
{
    size_t width = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) {
            printf("\\x%02X", c);
            width += 4;
        } else {
            putchar(c);
            width += (c & 0xC0) != 0x80;
        }
    }
    return width;
}

/* printf pads by bytes, and "µs" is two bytes in one column. */
static void print_right(const char *text, size_t column)
{
    size_t width = display_width(text, strlen(text));
    printf("%*s%s", (int)(width < column ? column - width : 0), "", text);
}

static void print_padded_name(const char *s, size_t length, size_t column)
{
    size_t width = print_name(s, length);
    printf("%*s", (int)(width < column ? column - width : 0), "");
}

static int parse_threshold(const char *text, double *pct)
{
    char *end;
    double v = strtod(text, &end);
    if (end != text && *end == '%')
        end++;
    if (end == text || *end != '\0' || !isfinite(v) || v < 0) {
        fprintf(stderr, "lindperf: --threshold needs a percentage such as 5 or 2.5, not '%s'\n", text);
        return -1;
    }
    *pct = v;
    return 0;
}

static void print_run_line(const char *label, const lindperf_run *run)
{
    printf("%s: %s (%s, %s", label, run->path, run->timer ? run->timer : "timer not said", run->unit);
    if (run->net != -1)
        printf(", %s", run->net ? "net" : "gross");
    if (run->host)
        printf("; %s", run->host);
    if (run->date)
        printf("; %s", run->date);
    printf(")\n");
}

typedef struct {
    size_t slower, faster, compared, unmeasurable;
} tally;

static void compare_counter(const lindperf_run_counter *o, const lindperf_run_counter *n, const char *unit,
                            double threshold, size_t name_column, tally *t)
{
    int use_p50 = o->has_p50 && n->has_p50;
    double before = use_p50 ? o->p50 : o->avg;
    double after = use_p50 ? n->p50 : n->avg;
    char old_text[32], new_text[32];

    lindperf_run_format(before, unit, 3, old_text, sizeof old_text);
    lindperf_run_format(after, unit, 3, new_text, sizeof new_text);
    print_padded_name(n->name, n->name_length, name_column);
    printf("  %s  ", use_p50 ? "p50" : "avg");
    print_right(old_text, VALUE_COLUMN);
    print_right(new_text, VALUE_COLUMN);

    t->compared++;
    double pct = before > 0 ? (after - before) / before * 100.0 : NAN;
    if (!isfinite(pct)) {
        /* A zero floor (net figures, or p50 of a scope cheaper than one tick) has no
         * percentage; it is shown, not judged. */
        printf("%10s\n", "n/a");
        t->unmeasurable++;
        return;
    }
    printf("%+9.1f%%", pct);
    if (pct > threshold) {
        printf("  ! slower");
        t->slower++;
    } else if (pct < -threshold) {
        printf("    faster");
        t->faster++;
    }
    putchar('\n');
}

static void list_missing(const char *label, const lindperf_run *from, const lindperf_run *other)
{
    int first = 1;
    for (size_t i = 0; i < from->count; i++) {
        const lindperf_run_counter *c = &from->counters[i];
        if (lindperf_run_find(other, c->name, c->name_length) >= 0)
            continue;
        printf(first ? "%s: " : ", ", label);
        print_name(c->name, c->name_length);
        first = 0;
    }
    if (!first)
        putchar('\n');
}

static int compare(const lindperf_run *old, const lindperf_run *new, double threshold)
{
    size_t name_column = NAME_COLUMN_MIN;
    tally t = {0, 0, 0, 0};

    if (old->net != -1 && new->net != -1 && old->net != new->net)
        fprintf(stderr, "lindperf: note: %s has %s figures but %s has %s figures; the change includes "
                "the empty-scope floor. Run both with the same --perf-net setting.\n",
                old->path, old->net ? "net" : "gross", new->path, new->net ? "net" : "gross");

    for (size_t i = 0; i < new->count; i++) {
        size_t w = display_width(new->counters[i].name, new->counters[i].name_length);
        if (w > name_column)
            name_column = w < NAME_COLUMN_MAX ? w : NAME_COLUMN_MAX;
    }

    print_run_line("old", old);
    print_run_line("new", new);
    putchar('\n');
    printf("%-*s  fig  %*s%*s%10s\n", (int)name_column, "counter", VALUE_COLUMN, "old", VALUE_COLUMN, "new", "change");
    for (size_t i = 0; i < new->count; i++) {
        const lindperf_run_counter *n = &new->counters[i];
        if (lindperf_run_find(new, n->name, n->name_length) != (long)i)
            continue;               /* a repeated name: the first one stands for it */
        long j = lindperf_run_find(old, n->name, n->name_length);
        if (j >= 0)
            compare_counter(&old->counters[j], n, new->unit, threshold, name_column, &t);
    }
    putchar('\n');
    list_missing("added (only in new)", new, old);
    list_missing("removed (only in old)", old, new);

    printf("threshold %g%%: %zu of %zu counters slower, %zu faster", threshold, t.slower, t.compared, t.faster);
    if (t.unmeasurable)
        printf(", %zu without a percentage (old figure 0)", t.unmeasurable);
    printf("; figures are p50 where both runs have it, avg otherwise\n");
    if (t.slower)
        fprintf(stderr, "lindperf: %zu counter%s got slower by more than %g%%; see the rows marked '! slower'\n",
                t.slower, t.slower == 1 ? "" : "s", threshold);
    return t.slower ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *paths[2];
    int npaths = 0, options_done = 0;
    double threshold = DEFAULT_THRESHOLD_PCT;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = 1;
        } else if (!options_done && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            fputs(usage, stdout);
            return 0;
        } else if (!options_done && strcmp(a, "--threshold") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "lindperf: --threshold needs a percentage, for example --threshold 5\n");
                return 2;
            }
            if (parse_threshold(argv[++i], &threshold) != 0)
                return 2;
        } else if (!options_done && strncmp(a, "--threshold=", 12) == 0) {
            if (parse_threshold(a + 12, &threshold) != 0)
                return 2;
        } else if (!options_done && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "lindperf: unknown option '%s'\n%s", a, usage);
            return 2;
        } else if (npaths < 2) {
            paths[npaths++] = a;
        } else {
            fprintf(stderr, "lindperf: too many files ('%s'); give exactly OLD.json and NEW.json\n%s", a, usage);
            return 2;
        }
    }
    if (npaths != 2) {
        fprintf(stderr, "lindperf: give two results files, OLD.json and NEW.json\n%s", usage);
        return 2;
    }

    lindperf_run old, new;
    if (lindperf_run_load(paths[0], &old) != 0)
        return 2;
    if (lindperf_run_load(paths[1], &new) != 0) {
        lindperf_run_free(&old);
        return 2;
    }
    int status;
    if (strcmp(old.unit, new.unit) != 0) {
        fprintf(stderr, "lindperf: %s is in %s but %s is in %s; compare runs made with the same timer "
                "(both --perf or both --perftsc)\n", old.path, old.unit, new.path, new.unit);
        status = 2;
    } else {
        status = compare(&old, &new, threshold);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "lindperf: could not write the comparison to stdout\n");
            status = 2;
        }
    }
    lindperf_run_free(&old);
    lindperf_run_free(&new);
    return status;
}
