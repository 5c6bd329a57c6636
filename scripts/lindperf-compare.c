/* lindperf-compare: compares two lindperf results files (--perf-json) counter by counter,
 * or runs two builds of a host alternately and compares them, so that a CI job can gate
 * on performance regressions without crying wolf.
 *
 *     lindperf-compare OLD.json NEW.json [--threshold PCT] [--min-ns NS]
 *     lindperf-compare --ab OLD_HOST NEW_HOST [-n N] [--threshold PCT] [--min-ns NS]
 *                      -- HOST_ARGS...
 *
 * For each counter it prints the old and the new figure, the change in percent, the
 * p-value of the change, and a marker. A counter is marked slower only when all three hold:
 *   - the change is beyond the threshold (5% by default);
 *   - it is more than the absolute floor, --min-ns (1 ns by default; cycles and ticks are
 *     converted with the file's tsc_hz), so that 1 ns more on a 2 ns figure is no 50% loss;
 *   - it is beyond noise: the one-sided exact Mann-Whitney U test on the counter's samples
 *     (lindperf-stats.h) gives p <= 0.01 after Holm's adjustment over the counters tested
 *     in this comparison, so an unchanged build fails with a chance of at most 1%.
 * The samples are the per-repetition figures of a results file (schema 2, --perf-repeat=N),
 * or under --ab one per invocation (its avg, the median of its own repetitions). With too
 * few samples for the test to ever reach its level (1 / C(n_old + n_new, n_new) above
 * 0.01 / counters; 5 a side for one counter, 6 for up to 9), and for schema-1 files, the
 * decision rests on the threshold and the floor alone, and the output says it has no
 * estimate of noise.
 *
 * The figure is the net one when both runs have net samples, else p50 when both have it
 * (it shrugs off the rare preempted call that drags an average), else avg. Counters present
 * in only one run are listed, not errors. Differences between the two runs that make the
 * figures differ for other reasons (program, flags, mode, repetitions, detail, machine)
 * are warned about on stderr.
 *
 * When both runs have a calling-context tree (schema 2's "tree"), a call-path section
 * follows: one row per calling context of either run, keyed by its path of counter names
 * from the root (node ids differ between runs), with the old and the new time per call
 * (total / calls) and the change, judged on the threshold and the floor alone: tree nodes
 * carry no per-repetition samples, so there is no noise estimate, and these rows never
 * change the exit status. Contexts in one run only are listed as added or removed.
 *
 * --ab runs OLD_HOST and NEW_HOST N times each, alternating (old-new, then new-old, so that
 * slow drift falls on both alike), each as HOST --perf-json=TMPFILE HOST_ARGS... with its
 * report discarded. By default N is the smallest count at which the test can flag one of
 * the counters that the first pair of runs reached.
 *
 * Exit status: 0 no counter got slower; 1 at least one did; 2 the comparison could not be
 * made (bad arguments, unreadable or invalid files, files in different units, a host that
 * cannot be run or fails).
 * The call-path rows never change it: a tree that cannot be read is said on stderr and its
 * section left out.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lindperf-run.h"
#include "lindperf-stats.h"
#include "lindperf-tree.h"

#define DEFAULT_THRESHOLD_PCT 5.0
#define DEFAULT_MIN_NS        1.0
#define ALPHA                 0.01
#define AB_MAX_INVOCATIONS    1000
#define NAME_COLUMN_MIN       7
#define NAME_COLUMN_MAX       60
#define VALUE_COLUMN          13
#define PATH_INDENT           2    /* columns per level of the call path */
#define PATH_COLUMN_MAX       46   /* so that a call-path row fits in 100 columns */
#define HOST_ERROR_LINES      20

static const char usage[] =
    "usage: lindperf-compare OLD.json NEW.json [--threshold PCT] [--min-ns NS]\n"
    "       lindperf-compare --ab OLD_HOST NEW_HOST [-n N] [--threshold PCT] [--min-ns NS]\n"
    "                        -- HOST_ARGS...\n"
    "  Compares two lindperf results files (written with --perf-json=FILE) per counter, or\n"
    "  runs two host builds alternately (--ab) and compares their results.\n"
    "  --threshold PCT  a counter is slower only when it grew by more than PCT percent\n"
    "                   (default 5)\n"
    "  --min-ns NS      ... and by more than NS nanoseconds (default 1; cycles and ticks are\n"
    "                   converted with the run's tsc_hz)\n"
    "  --ab             run OLD_HOST and NEW_HOST N times each, alternating, each with\n"
    "                   --perf-json=TMPFILE before HOST_ARGS (which must hold --perf\n"
    "                   or --perftsc)\n"
    "  -n N             invocations per host under --ab (default: the fewest at which the\n"
    "                   test can flag, 5 for one counter, 6 for 2 to 9)\n"
    "  With enough samples (--perf-repeat=N runs, or --ab), a counter is also slower only\n"
    "  when a one-sided exact Mann-Whitney U test gives p <= 0.01 after Holm's adjustment.\n"
    "  When both runs have a call-path tree (schema 2), a section after the counters compares\n"
    "  each calling context's time per call, keyed by its path of names from the root. Tree\n"
    "  nodes have no samples: these rows are judged on the threshold and --min-ns alone, with\n"
    "  no noise estimate, and never change the exit status.\n"
    "  Exit status (decided by the counters alone): 0 no slowdown, 1 slowdown, 2 cannot\n"
    "  compare.\n";

typedef struct {
    double threshold, min_ns;
    int min_ns_given;
} rule;

/* The runs of one side: one results file, or under --ab one file per invocation. */
typedef struct {
    const char *label; /* "old" or "new" */
    const char *shown; /* the file, or the host under --ab */
    lindperf_run *runs;
    size_t count;
    int per_invocation;                 /* --ab: each run gives one sample per counter, its avg */
    const lindperf_run_counter **names; /* each counter once, in the order first seen */
    size_t name_count;
} side;

typedef struct {
    const lindperf_run_counter *counter;
    const char *figure; /* "net", "p50", "gross" or "avg" */
    double *old_samples, *new_samples;
    size_t n_old, n_new;
    double before, after, pct;
    int tested, exact;
    double p_slower, p_faster, holm_slower, holm_faster;
} row;

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

static int parse_amount(const char *flag, const char *text, int percent, double *value)
{
    char *end;
    double v = strtod(text, &end);
    if (percent && end != text && *end == '%')
        end++;
    if (end == text || *end != '\0' || !isfinite(v) || v < 0) {
        if (percent)
            fprintf(stderr, "lindperf: --threshold needs a percentage such as 5 or 2.5, not '%s'\n",
                    text);
        else
            fprintf(stderr,
                    "lindperf: %s needs a number of nanoseconds such as 1 or 0.5, not '%s'\n", flag,
                    text);
        return -1;
    }
    *value = v;
    return 0;
}

static int parse_invocations(const char *text, size_t *n)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno || v < 1 || v > AB_MAX_INVOCATIONS) {
        fprintf(stderr, "lindperf: -n needs a count of invocations from 1 to %d, not '%s'\n",
                AB_MAX_INVOCATIONS, text);
        return -1;
    }
    *n = (size_t)v;
    return 0;
}

/* ---- what the two runs were ---------------------------------------------------------- */

static void print_run_line(const side *s)
{
    const lindperf_run *run = &s->runs[0];
    printf("%s: %s (", s->label, s->shown);
    if (s->per_invocation)
        printf("%zu invocations; ", s->count);
    printf("%s, %s", run->timer ? run->timer : "timer not said", run->unit);
    if (run->net != -1)
        printf(", %s", run->net ? "net" : "gross");
    if (run->schema >= 2 && run->mode)
        printf(", %s", run->mode);
    if (run->schema >= 2 && run->repetitions > 0)
        printf(", %g repetition%s", run->repetitions, run->repetitions == 1 ? "" : "s");
    if (run->host)
        printf("; %s", run->host);
    if (run->date && !s->per_invocation)
        printf("; %s", run->date);
    printf(")\n");
}

/* The words of a recorded command line after the program's own path: with `perf` 1 the
 * perf flags (less the output files, whose names say nothing about the run), with 0 the
 * rest, which is the program and its arguments. A malloc'ed string, or NULL. */
static char *command_words(const char *command, int perf)
{
    if (!command)
        return NULL;
    size_t length = strlen(command);
    char *out = malloc(length + 1), *end = out;
    if (!out)
        return NULL;
    const char *p = command;
    int first = 1;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *word = p;
        while (*p && *p != ' ')
            p++;
        size_t n = (size_t)(p - word);
        if (n == 0)
            break;
        int is_perf = n >= 6 && strncmp(word, "--perf", 6) == 0;
        int is_output = strncmp(word, "--perf-json=", 12) == 0 ||
                        strncmp(word, "--perf-csv=", 11) == 0 ||
                        strncmp(word, "--perf-gbench=", 14) == 0;
        if (first) {
            first = 0;
            continue;
        }
        if (perf ? is_perf && !is_output : !is_perf) {
            if (end != out)
                *end++ = ' ';
            memcpy(end, word, n);
            end += n;
        }
    }
    *end = '\0';
    return out;
}

static char *program_of(const lindperf_run *run)
{
    if (run->program) {
        char *copy = malloc(strlen(run->program) + 1);
        return copy ? strcpy(copy, run->program) : NULL;
    }
    return command_words(run->command, 0);
}

static void warn_if_differ(const side *o, const side *n, const char *what, const char *a,
                           const char *b, const char *consequence)
{
    if (!a || !b || strcmp(a, b) == 0)
        return;
    fprintf(stderr, "lindperf: warning: %s and %s differ in %s ('%s' against '%s'); %s\n", o->shown,
            n->shown, what, a, b, consequence);
}

/* Everything besides the code under test that moves the figures: said, not refused,
 * because a comparison across them can still be what the user wants. */
static void warn_about_differences(const side *o, const side *n)
{
    const lindperf_run *a = &o->runs[0], *b = &n->runs[0];
    char *program_a = program_of(a), *program_b = program_of(b);
    char *flags_a = command_words(a->command, 1), *flags_b = command_words(b->command, 1);
    char count_a[32], count_b[32];

    warn_if_differ(o, n, "program", program_a, program_b,
                   "they measured different work; compare runs of the same program and arguments");
    warn_if_differ(o, n, "perf flags", flags_a, flags_b,
                   "the figures may differ for that alone; run both with the same flags");
    if (a->net != -1 && b->net != -1)
        warn_if_differ(
            o, n, "figures", a->net ? "net" : "gross", b->net ? "net" : "gross",
            "the change includes the empty-scope floor; run both with the same --perf-net setting");
    warn_if_differ(o, n, "run mode", a->mode, b->mode,
                   "batched and solo runs time a counter in different company; use the same mode "
                   "(--perf-solo on both or neither)");
    if (a->repetitions > 0 && b->repetitions > 0) {
        snprintf(count_a, sizeof count_a, "%g", a->repetitions);
        snprintf(count_b, sizeof count_b, "%g", b->repetitions);
        warn_if_differ(o, n, "repetitions", count_a, count_b, "use the same --perf-repeat on both");
    }
    if (a->detail != -1 && b->detail != -1)
        warn_if_differ(
            o, n, "detail", a->detail ? "on" : "off", b->detail ? "on" : "off",
            "--perf-detail adds a histogram update to every call; use it on both or neither");
    warn_if_differ(
        o, n, "cpu", a->cpu, b->cpu,
        "figures from different processors are not comparable; compare runs of one machine");
    warn_if_differ(o, n, "host", a->host, b->host,
                   "another machine's figures differ for that alone; compare runs of one machine");
    free(program_a);
    free(program_b);
    free(flags_a);
    free(flags_b);
}

static const char *unit_origin(const char *unit)
{
    if (strcmp(unit, "ticks") == 0)
        return " (the aarch64 generic timer, --perftsc there)";
    if (strcmp(unit, "cycles") == 0)
        return " (the x86 timestamp counter, --perftsc)";
    if (strcmp(unit, "ns") == 0)
        return " (the clock, --perf)";
    return "";
}

/* 0 when every run of both sides is in one unit; else says why not. */
static int check_units(const side *o, const side *n)
{
    const char *unit = o->runs[0].unit;
    const side *sides[] = {o, n};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < sides[k]->count; i++) {
            const lindperf_run *run = &sides[k]->runs[i];
            if (strcmp(run->unit, unit) == 0)
                continue;
            int clocks = (strcmp(unit, "ticks") == 0 && strcmp(run->unit, "cycles") == 0) ||
                         (strcmp(unit, "cycles") == 0 && strcmp(run->unit, "ticks") == 0);
            fprintf(
                stderr, "lindperf: %s is in %s%s but %s is in %s%s; %s\n", o->runs[0].path, unit,
                unit_origin(unit), run->path, run->unit, unit_origin(run->unit),
                clocks
                    ? "these count different clocks on different machines and cannot be compared; "
                      "compare runs of one kind of machine made with the same timer"
                    : "compare runs made with the same timer (both --perf or both --perftsc)");
            return -1;
        }
    return 0;
}

/* ---- the rows ------------------------------------------------------------------------ */

static const lindperf_run_counter *find_name(const side *s, const lindperf_run_counter *c)
{
    for (size_t k = 0; k < s->name_count; k++)
        if (lindperf_run_same_name(s->names[k]->name, s->names[k]->name_length, c->name,
                                   c->name_length))
            return s->names[k];
    return NULL;
}

static int collect_names(side *s)
{
    size_t capacity = 0;
    for (size_t i = 0; i < s->count; i++)
        capacity += s->runs[i].count;
    s->names = malloc((capacity ? capacity : 1) * sizeof *s->names);
    if (!s->names)
        return -1;
    for (size_t i = 0; i < s->count; i++)
        for (size_t j = 0; j < s->runs[i].count; j++) {
            const lindperf_run_counter *c = &s->runs[i].counters[j];
            if (!find_name(s, c))
                s->names[s->name_count++] = c;
        }
    return 0;
}

static int every_sample_has(const lindperf_run_counter *c, int net)
{
    for (size_t i = 0; i < c->sample_count; i++)
        if (net ? !c->samples[i].has_net : !c->samples[i].has_p50)
            return 0;
    return 1;
}

static int every_run_is_net(const side *s)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->runs[i].net != 1)
            return 0;
    return 1;
}

static double sample_figure(const lindperf_run_sample *s, const char *figure)
{
    if (strcmp(figure, "net") == 0)
        return s->net;
    return strcmp(figure, "p50") == 0 ? s->p50 : s->gross;
}

/* One sample per repetition of a stored run, of the figure the row compares. */
static double *stored_samples(const lindperf_run_counter *c, const char *figure)
{
    double *v = malloc(c->sample_count * sizeof *v);
    for (size_t i = 0; v && i < c->sample_count; i++)
        v[i] = sample_figure(&c->samples[i], figure);
    return v;
}

/* One sample per invocation: its avg. */
static double *invocation_samples(const side *s, const lindperf_run_counter *c, size_t *count)
{
    double *v = malloc((s->count ? s->count : 1) * sizeof *v);
    *count = 0;
    for (size_t i = 0; v && i < s->count; i++) {
        long j = lindperf_run_find(&s->runs[i], c->name, c->name_length);
        if (j >= 0)
            v[(*count)++] = s->runs[i].counters[j].avg;
    }
    return v;
}

static int fill_row(const side *o, const side *n, const lindperf_run_counter *co,
                    const lindperf_run_counter *cn, row *r)
{
    memset(r, 0, sizeof *r);
    r->counter = cn;
    if (n->per_invocation) {
        r->figure = every_run_is_net(o) && every_run_is_net(n) ? "net" : "avg";
        r->old_samples = invocation_samples(o, co, &r->n_old);
        r->new_samples = invocation_samples(n, cn, &r->n_new);
    } else if (co->sample_count && cn->sample_count) {
        r->figure = every_sample_has(co, 1) && every_sample_has(cn, 1)   ? "net"
                    : every_sample_has(co, 0) && every_sample_has(cn, 0) ? "p50"
                                                                         : "gross";
        r->old_samples = stored_samples(co, r->figure);
        r->new_samples = stored_samples(cn, r->figure);
        r->n_old = co->sample_count;
        r->n_new = cn->sample_count;
    } else {
        int use_p50 = co->has_p50 && cn->has_p50;
        r->figure = use_p50 ? "p50" : "avg";
        r->before = use_p50 ? co->p50 : co->avg;
        r->after = use_p50 ? cn->p50 : cn->avg;
        return 0;
    }
    if (!r->old_samples || !r->new_samples)
        return -1;
    r->before = lindperf_stats_median(r->old_samples, r->n_old);
    r->after = lindperf_stats_median(r->new_samples, r->n_new);
    return 0;
}

/* Which rows the test can decide, their p-values, and Holm's adjustment of each direction
 * over them. */
static int test_rows(row *rows, size_t count, size_t *with_samples, size_t *tested)
{
    *with_samples = *tested = 0;
    for (size_t i = 0; i < count; i++)
        *with_samples += rows[i].n_old && rows[i].n_new;
    double *p = malloc(2 * (count ? count : 1) * sizeof *p), *adjusted = p ? p + count : NULL;
    size_t *which = malloc((count ? count : 1) * sizeof *which);
    int status = p && which ? 0 : -1;
    for (size_t i = 0; status == 0 && i < count; i++) {
        row *r = &rows[i];
        if (!lindperf_stats_can_flag(r->n_old, r->n_new, *with_samples, ALPHA))
            continue;
        r->tested = 1;
        which[(*tested)++] = i;
        status = lindperf_stats_mann_whitney(r->old_samples, r->n_old, r->new_samples, r->n_new,
                                             &r->p_slower, &r->p_faster, &r->exact);
    }
    for (int direction = 0; status == 0 && direction < 2; direction++) {
        for (size_t k = 0; k < *tested; k++)
            p[k] = direction ? rows[which[k]].p_faster : rows[which[k]].p_slower;
        status = lindperf_stats_holm(p, *tested, adjusted);
        for (size_t k = 0; status == 0 && k < *tested; k++)
            *(direction ? &rows[which[k]].holm_faster : &rows[which[k]].holm_slower) = adjusted[k];
    }
    free(p);
    free(which);
    return status;
}

/* ---- the decision and the table ------------------------------------------------------ */

typedef struct {
    size_t slower, faster, compared, unmeasurable, noise, under_floor;
    size_t untested_with_values, untested_with_samples, normal;
    size_t min_old, max_old, min_new, max_new;
} tally;

/* A change of `change` in the run's unit is more than --min-ns. With no tsc_hz to convert
 * --min-ns (ns_per_unit 0), there is no floor, and every change is. */
static int beyond_floor(double change, const rule *how, double ns_per_unit)
{
    return ns_per_unit <= 0 || change * ns_per_unit > how->min_ns;
}

static void judge_row(row *r, const rule *how, const char *unit, double ns_per_unit,
                      size_t name_column, tally *t)
{
    char old_text[32], new_text[32];
    lindperf_run_format(r->before, unit, 3, old_text, sizeof old_text);
    lindperf_run_format(r->after, unit, 3, new_text, sizeof new_text);
    print_padded_name(r->counter->name, r->counter->name_length, name_column);
    printf("  %-5s  ", r->figure);
    print_right(old_text, VALUE_COLUMN);
    print_right(new_text, VALUE_COLUMN);

    t->compared++;
    r->pct = r->before > 0 ? (r->after - r->before) / r->before * 100.0 : NAN;
    int measurable = isfinite(r->pct);
    if (measurable)
        printf("%+9.1f%%", r->pct);
    else
        printf("%10s", "n/a");
    if (r->tested) {
        int up = r->after >= r->before;
        printf("  %9.3g  %9.3g", up ? r->p_slower : r->p_faster,
               up ? r->holm_slower : r->holm_faster);
        if (!r->exact)
            t->normal++;
        if (!t->max_old || r->n_old < t->min_old)
            t->min_old = r->n_old;
        if (!t->max_new || r->n_new < t->min_new)
            t->min_new = r->n_new;
        t->max_old = r->n_old > t->max_old ? r->n_old : t->max_old;
        t->max_new = r->n_new > t->max_new ? r->n_new : t->max_new;
    } else {
        printf("  %9s  %9s", "-", "-");
        t->untested_with_values++;
        t->untested_with_samples += r->n_old && r->n_new;
    }
    if (!measurable && !r->tested) {
        /* A zero floor (net figures, or p50 of a scope cheaper than one tick) has no
         * percentage, and without samples nothing else to judge it by: shown, not judged. */
        putchar('\n');
        t->unmeasurable++;
        return;
    }
    int grew = measurable ? r->pct > how->threshold : r->after > r->before;
    int shrank = measurable && r->pct < -how->threshold;
    int grew_enough = grew && beyond_floor(r->after - r->before, how, ns_per_unit);
    int shrank_enough = shrank && beyond_floor(r->before - r->after, how, ns_per_unit);
    if (grew_enough && (!r->tested || lindperf_stats_significant(r->holm_slower, ALPHA))) {
        printf("  ! slower");
        t->slower++;
    } else if (grew_enough) {
        printf("  ~ within noise");
        t->noise++;
    } else if (grew) {
        printf("  ~ under --min-ns");
        t->under_floor++;
    } else if (shrank_enough && (!r->tested || lindperf_stats_significant(r->holm_faster, ALPHA))) {
        printf("    faster");
        t->faster++;
    }
    putchar('\n');
}

static void list_missing(const char *label, const side *from, const side *other)
{
    int first = 1;
    for (size_t i = 0; i < from->name_count; i++) {
        const lindperf_run_counter *c = from->names[i];
        if (find_name(other, c))
            continue;
        printf(first ? "%s: " : ", ", label);
        print_name(c->name, c->name_length);
        first = 0;
    }
    if (!first)
        putchar('\n');
}

static void print_range(size_t low, size_t high)
{
    if (low == high)
        printf("%zu", low);
    else
        printf("%zu to %zu", low, high);
}

/* The summary, one clause a line, so that it fits a terminal of 100 columns. */
static void print_footer(const side *n, const rule *how, double ns_per_unit, const tally *t,
                         size_t with_samples, size_t tested, size_t rows)
{
    printf("threshold %g%%, ", how->threshold);
    if (ns_per_unit > 0)
        printf("floor %gns", how->min_ns);
    else
        printf("no floor (no tsc_hz to convert --min-ns)");
    printf(": %zu of %zu counters slower, %zu faster\n", t->slower, t->compared, t->faster);
    if (t->unmeasurable)
        printf("  %zu without a percentage (old figure 0)\n", t->unmeasurable);
    if (t->noise)
        printf("  %zu beyond the threshold but within noise\n", t->noise);
    if (t->under_floor)
        printf("  %zu beyond the threshold but not beyond --min-ns\n", t->under_floor);

    if (tested) {
        printf("test: one-sided exact Mann-Whitney U on ");
        print_range(t->min_old, t->max_old);
        printf(" old against ");
        print_range(t->min_new, t->max_new);
        printf(" new samples, Holm over %zu counter%s\n", tested, tested == 1 ? "" : "s");
        printf("  slower needs p(holm) <= %g; p is for the direction of the change\n", ALPHA);
        if (t->normal)
            printf("  normal approximation for %zu counters with more than %d samples\n", t->normal,
                   LINDPERF_STATS_EXACT_MAX);
    }
    if (t->untested_with_values) {
        size_t needed = lindperf_stats_samples_needed(with_samples ? with_samples : rows, ALPHA);
        printf("no noise estimate for %zu counter%s: decided on the threshold and floor alone\n",
               t->untested_with_values, t->untested_with_values == 1 ? "" : "s");
        if (n->per_invocation)
            printf("  too few invocations for p <= %g over %zu counters: use -n %zu or more\n",
                   ALPHA, with_samples, needed);
        else if (t->untested_with_samples)
            printf("  too few samples for p <= %g over %zu counters: record %zu or more "
                   "repetitions\n  (--perf-repeat=%zu) on both sides, or use --ab\n",
                   ALPHA, with_samples, needed, needed);
        else
            printf("  the runs have no per-repetition samples: record with --perf-repeat=%zu or\n"
                   "  more (results schema 2), or use --ab\n",
                   needed);
    }
    if (n->per_invocation)
        printf("figures: the median over the invocations of each one's avg\n");
    else if (with_samples)
        printf("figures: the median over the repetitions; net where both runs have it, else p50,\n"
               "  else gross\n");
    if (with_samples < rows && !n->per_invocation)
        printf("figures are p50 where both runs have it, avg otherwise\n");
}

static void free_rows(row *rows, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(rows[i].old_samples);
        free(rows[i].new_samples);
    }
    free(rows);
}

/* ---- the call path ------------------------------------------------------------------- */

/* One calling context of either run: a path of counter names from a root. Contexts are
 * matched by that path, never by node id, which each run numbers on its own. */
typedef struct {
    long parent, first_child, next_sibling;    /* context indexes, or LINDPERF_TREE_NONE */
    int depth;
    const char *name;
    size_t name_length;
    int present[2], estimated[2];              /* [0] old, [1] new */
    double *per_call[2];                       /* one per run whose node has a known time */
    size_t known[2];
} context;

typedef struct {
    context *items;
    size_t count, capacity;
    size_t runs[2];                            /* runs per side: the room of per_call */
} context_set;

typedef struct {
    size_t compared, slower, faster, under_floor, unknown, unmeasurable, added, removed;
    size_t estimated;
} path_tally;

static void free_contexts(context_set *all)
{
    for (size_t i = 0; i < all->count; i++) {
        free(all->items[i].per_call[0]);
        free(all->items[i].per_call[1]);
    }
    free(all->items);
}

/* The context under `parent` called `name`, made when it is new; -1 when out of memory. */
static long find_context(context_set *all, long parent, const lindperf_tree_node *n)
{
    for (size_t k = 0; k < all->count; k++)
        if (all->items[k].parent == parent &&
            lindperf_run_same_name(all->items[k].name, all->items[k].name_length, n->name,
                                   n->name_length))
            return (long)k;
    if (all->count == all->capacity) {
        size_t capacity = all->capacity ? 2 * all->capacity : 64;
        context *items = realloc(all->items, capacity * sizeof *items);
        if (!items)
            return -1;
        all->items = items;
        all->capacity = capacity;
    }
    context *c = &all->items[all->count];
    memset(c, 0, sizeof *c);
    c->parent = parent;
    c->depth = parent == LINDPERF_TREE_NONE ? 0 : all->items[parent].depth + 1;
    c->name = n->name;
    c->name_length = n->name_length;
    c->per_call[0] = malloc(all->runs[0] * sizeof *c->per_call[0]);
    c->per_call[1] = malloc(all->runs[1] * sizeof *c->per_call[1]);
    if (!c->per_call[0] || !c->per_call[1]) {
        free(c->per_call[0]);
        free(c->per_call[1]);
        return -1;
    }
    return (long)all->count++;
}

/* Adds one run's tree to side `which` (0 old, 1 new). */
static int add_tree(context_set *all, const lindperf_tree *tree, int which)
{
    long *context_of = malloc((tree->count ? tree->count : 1) * sizeof *context_of);
    if (!context_of)
        return -1;
    for (size_t i = 0; i < tree->count; i++) {
        const lindperf_tree_node *n = &tree->nodes[i];
        long parent = n->parent == LINDPERF_TREE_NONE ? LINDPERF_TREE_NONE
                                                      : context_of[n->parent];
        long k = find_context(all, parent, n);
        if (k < 0) {
            free(context_of);
            return -1;
        }
        context_of[i] = k;
        context *c = &all->items[k];
        c->present[which] = 1;
        if (n->has_total && n->calls > 0 && c->known[which] < all->runs[which]) {
            c->per_call[which][c->known[which]++] = n->total / n->calls;
            c->estimated[which] |= n->estimated;
        }
    }
    free(context_of);
    return 0;
}

static int every_run_has_tree(const side *s)
{
    for (size_t i = 0; i < s->count; i++)
        if (!lindperf_json_get(s->runs[i].doc, "tree"))
            return 0;
    return 1;
}

/* The contexts of every run of both sides, the new side's first, so that rows follow the
 * new tree and a removed context sits after its new siblings. -1 after a message. */
static int collect_contexts(const side *o, const side *n, context_set *all)
{
    const side *sides[] = {n, o};
    all->runs[0] = o->count;
    all->runs[1] = n->count;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sides[k]->count; i++) {
            lindperf_tree tree;
            if (lindperf_tree_load(&sides[k]->runs[i], &tree) != 0)
                return -1;
            int status = add_tree(all, &tree, k == 0);
            lindperf_tree_free(&tree);
            if (status != 0) {
                fprintf(stderr, "lindperf: out of memory comparing the call paths of %s and "
                        "%s\n", o->shown, n->shown);
                return -1;
            }
        }
    for (size_t i = 0; i < all->count; i++)
        all->items[i].first_child = all->items[i].next_sibling = LINDPERF_TREE_NONE;
    for (size_t i = all->count; i-- > 0;) {
        context *c = &all->items[i];
        if (c->parent == LINDPERF_TREE_NONE)
            continue;
        c->next_sibling = all->items[c->parent].first_child;
        all->items[c->parent].first_child = (long)i;
    }
    return 0;
}

/* "-" when the side has no known time here, else the median per call, an estimate marked. */
static int context_figure(const context *c, int which, const char *unit, double *value,
                          char *buf, size_t size)
{
    int known = c->known[which] > 0;
    if (known)
        *value = lindperf_stats_median(c->per_call[which], c->known[which]);
    lindperf_tree_format(known, known ? *value : 0, c->estimated[which], unit, buf, size);
    return known;
}

/* The counters' rule without the test: beyond the threshold and beyond --min-ns. */
static const char *judge_context(double before, double after, const rule *how,
                                 double ns_per_unit, path_tally *t)
{
    double pct = (after - before) / before * 100.0;
    if (pct > how->threshold && beyond_floor(after - before, how, ns_per_unit)) {
        t->slower++;
        return "  slower";
    }
    if (pct > how->threshold) {
        t->under_floor++;
        return "  ~ under --min-ns";
    }
    if (pct < -how->threshold && beyond_floor(before - after, how, ns_per_unit)) {
        t->faster++;
        return "  faster";
    }
    return "";
}

static void print_context(const context_set *all, long k, const char *unit, const rule *how,
                          double ns_per_unit, size_t name_column, path_tally *t)
{
    const context *c = &all->items[k];
    char old_text[40], new_text[40];
    double before = 0, after = 0;
    int has_old = context_figure(c, 0, unit, &before, old_text, sizeof old_text);
    int has_new = context_figure(c, 1, unit, &after, new_text, sizeof new_text);
    size_t indent = PATH_INDENT * (size_t)(c->depth + 1);

    printf("%*s", (int)indent, "");
    print_padded_name(c->name, c->name_length, name_column > indent ? name_column - indent : 0);
    print_right(old_text, VALUE_COLUMN);
    print_right(new_text, VALUE_COLUMN);
    t->estimated += c->estimated[0] || c->estimated[1];
    if (!c->present[0] || !c->present[1]) {
        printf("%10s  %s\n", "", c->present[1] ? "added" : "removed");
        *(c->present[1] ? &t->added : &t->removed) += 1;
    } else if (!has_old || !has_new) {
        printf("%10s\n", "-");
        t->compared++;
        t->unknown++;
    } else if (before > 0) {
        printf("%+9.1f%%%s\n", (after - before) / before * 100.0,
               judge_context(before, after, how, ns_per_unit, t));
        t->compared++;
    } else {
        printf("%10s\n", "n/a");   /* no percentage of 0, and no samples to judge it by */
        t->compared++;
        t->unmeasurable++;
    }
    for (long child = c->first_child; child != LINDPERF_TREE_NONE;
         child = all->items[child].next_sibling)
        print_context(all, child, unit, how, ns_per_unit, name_column, t);
}

static void print_path_footer(const side *n, const path_tally *t)
{
    printf("call path: %zu of %zu contexts slower, %zu faster; %zu added, %zu removed\n",
           t->slower, t->compared, t->faster, t->added, t->removed);
    if (t->under_floor)
        printf("  %zu beyond the threshold but not beyond --min-ns\n", t->under_floor);
    if (t->unmeasurable)
        printf("  %zu without a percentage (old figure 0)\n", t->unmeasurable);
    if (t->unknown)
        printf("  %zu without a time on one side or both (-): not compared\n", t->unknown);
    if (t->estimated)
        printf("  %s: estimated, the counter's per-call figure (its contexts were not all kept)\n",
               LINDPERF_TREE_ESTIMATE_MARK);
    printf("  no noise estimate: tree nodes carry no per-repetition samples, so a context is\n"
           "  judged on the threshold and floor alone; these rows never change the exit status\n");
    if (n->per_invocation)
        printf("  figures: the median over the invocations of each one's time per call\n");
}

/* The call-path section, when every run of both sides has a tree. It only informs: the
 * exit status stays the counters', so a tree it cannot read is said and left out. */
static void compare_call_paths(const side *o, const side *n, const rule *how,
                               double ns_per_unit)
{
    context_set all;
    path_tally t;
    const char *unit = n->runs[0].unit;
    memset(&all, 0, sizeof all);
    memset(&t, 0, sizeof t);
    if (!every_run_has_tree(o) || !every_run_has_tree(n))
        return;
    if (collect_contexts(o, n, &all) != 0) {
        fprintf(stderr, "lindperf: note: the call-path section is left out; the counters are "
                "compared as usual\n");
        free_contexts(&all);
        return;
    }
    size_t name_column = NAME_COLUMN_MIN;
    for (size_t i = 0; i < all.count; i++) {
        size_t w = PATH_INDENT * (size_t)(all.items[i].depth + 1) +
                   display_width(all.items[i].name, all.items[i].name_length);
        if (w > name_column)
            name_column = w < PATH_COLUMN_MAX ? w : PATH_COLUMN_MAX;
    }
    printf("\ncall path: time per call (total / calls) per calling context, keyed by its path "
           "from the root\n");
    printf("%-*s%*s%*s%10s\n", (int)name_column, "context", VALUE_COLUMN, "old", VALUE_COLUMN,
           "new", "change");
    for (size_t i = 0; i < all.count; i++)
        if (all.items[i].parent == LINDPERF_TREE_NONE)
            print_context(&all, (long)i, unit, how, ns_per_unit, name_column, &t);
    putchar('\n');
    print_path_footer(n, &t);
    free_contexts(&all);
}

/* 0 no slowdown, 1 slowdown, 2 cannot compare. */
static int compare(side *o, side *n, const rule *how)
{
    if (check_units(o, n) != 0)
        return 2;
    if (collect_names(o) != 0 || collect_names(n) != 0) {
        fprintf(stderr, "lindperf: out of memory comparing %s and %s\n", o->shown, n->shown);
        return 2;
    }
    warn_about_differences(o, n);

    row *rows = calloc(n->name_count ? n->name_count : 1, sizeof *rows);
    size_t count = 0, with_samples = 0, tested = 0;
    int status = rows ? 0 : -1;
    for (size_t i = 0; status == 0 && i < n->name_count; i++) {
        const lindperf_run_counter *co = find_name(o, n->names[i]);
        if (co)
            status = fill_row(o, n, co, n->names[i], &rows[count++]);
    }
    if (status == 0)
        status = test_rows(rows, count, &with_samples, &tested);
    if (status != 0) {
        fprintf(stderr, "lindperf: out of memory comparing %s and %s\n", o->shown, n->shown);
        free_rows(rows, count);
        return 2;
    }

    const char *unit = n->runs[0].unit;
    double hz = n->runs[0].tsc_hz > 0 ? n->runs[0].tsc_hz : o->runs[0].tsc_hz;
    double ns_per_unit = strcmp(unit, "ns") == 0 ? 1 : hz > 0 ? 1e9 / hz : 0;
    if (ns_per_unit == 0 && how->min_ns_given)
        fprintf(
            stderr,
            "lindperf: warning: %s and %s have no tsc_hz, so --min-ns cannot be converted to %s; "
            "the floor is not applied\n",
            o->shown, n->shown, unit);

    size_t name_column = NAME_COLUMN_MIN;
    for (size_t i = 0; i < count; i++) {
        size_t w = display_width(rows[i].counter->name, rows[i].counter->name_length);
        if (w > name_column)
            name_column = w < NAME_COLUMN_MAX ? w : NAME_COLUMN_MAX;
    }
    print_run_line(o);
    print_run_line(n);
    putchar('\n');
    printf("%-*s  fig    %*s%*s%10s  %9s  %9s\n", (int)name_column, "counter", VALUE_COLUMN, "old",
           VALUE_COLUMN, "new", "change", "p", "p(holm)");
    tally t;
    memset(&t, 0, sizeof t);
    for (size_t i = 0; i < count; i++)
        judge_row(&rows[i], how, unit, ns_per_unit, name_column, &t);
    putchar('\n');
    list_missing("added (only in new)", n, o);
    list_missing("removed (only in old)", o, n);
    print_footer(n, how, ns_per_unit, &t, with_samples, tested, count);
    compare_call_paths(o, n, how, ns_per_unit);

    if (t.slower)
        fprintf(
            stderr,
            "lindperf: %zu counter%s got slower by more than %g%% and %gns%s; see the rows marked "
            "'! slower'\n",
            t.slower, t.slower == 1 ? "" : "s", how->threshold, how->min_ns,
            tested ? ", beyond noise" : "");
    free_rows(rows, count);
    return t.slower ? 1 : 0;
}

/* ---- --ab ---------------------------------------------------------------------------- */

typedef struct {
    const char *hosts[2]; /* old, new */
    char **args;          /* HOST_ARGS */
    size_t arg_count;
    size_t invocations; /* per host; 0 for the default */
    char dir[4096];
    char *paths[2][AB_MAX_INVOCATIONS];
    lindperf_run runs[2][AB_MAX_INVOCATIONS];
    size_t done[2];
} ab_plan;

static void show_host_errors(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int shown = 0;
    if (!f)
        return;
    while (shown < HOST_ERROR_LINES && fgets(line, sizeof line, f)) {
        fprintf(stderr, "  %s", line);
        shown += strchr(line, '\n') != NULL;
    }
    fclose(f);
}

/* Runs HOST --perf-json=JSON HOST_ARGS... with its report thrown away and its messages in
 * err_path. Returns its exit status, 128 + the signal that ended it, or -1. */
static int spawn_host(const ab_plan *plan, const char *host, const char *json_flag,
                      const char *err_path)
{
    char **argv = malloc((plan->arg_count + 3) * sizeof *argv);
    if (!argv)
        return -1;
    argv[0] = (char *)host;
    argv[1] = (char *)json_flag;
    for (size_t i = 0; i < plan->arg_count; i++)
        argv[2 + i] = plan->args[i];
    argv[plan->arg_count + 2] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY), out = open("/dev/null", O_WRONLY);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(126);
        execvp(host, argv);
        fprintf(stderr, "lindperf: cannot run %s: %s\n", host, strerror(errno));
        _exit(127);
    }
    free(argv);
    if (pid < 0)
        return -1;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status)
                             : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static int invoke(ab_plan *plan, int which, size_t total)
{
    static const char *const labels[] = {"old", "new"};
    size_t k = plan->done[which];
    char flag[4200], err_path[4200];
    size_t length = strlen(plan->dir) + 32;
    char *path = malloc(length);
    if (!path)
        return -1;
    snprintf(path, length, "%s/%s-%zu.json", plan->dir, labels[which], k + 1);
    snprintf(flag, sizeof flag, "--perf-json=%s", path);
    snprintf(err_path, sizeof err_path, "%s/host.err", plan->dir);
    plan->paths[which][k] = path;
    if (isatty(2))
        fprintf(stderr, "\rlindperf: --ab: invocation %zu of %zu (%s)  ",
                plan->done[0] + plan->done[1] + 1, total, labels[which]);

    int status = spawn_host(plan, plan->hosts[which], flag, err_path);
    if (isatty(2))
        fprintf(stderr, "\r%60s\r", "");
    if (status != 0) {
        if (status < 0)
            fprintf(stderr, "lindperf: --ab: could not start %s: %s\n", plan->hosts[which],
                    strerror(errno));
        else
            fprintf(stderr,
                    "lindperf: --ab: the %s host %s failed (status %d) in its invocation %zu; "
                    "its messages:\n",
                    labels[which], plan->hosts[which], status, k + 1);
        show_host_errors(err_path);
        fprintf(stderr, "lindperf: check the host and its arguments after -- (they need --perf or "
                        "--perftsc); a host run by hand with them must succeed\n");
        unlink(path);
        return -1;
    }
    if (lindperf_run_load(path, &plan->runs[which][k]) != 0) {
        fprintf(stderr,
                "lindperf: --ab: the %s host %s wrote no usable results with --perf-json; "
                "is it built with -DLIND_PERF and lindperf's host API?\n",
                labels[which], plan->hosts[which]);
        unlink(path);
        return -1;
    }
    plan->done[which]++;
    return 0;
}

static size_t common_counters(const lindperf_run *a, const lindperf_run *b)
{
    size_t common = 0;
    for (size_t i = 0; i < b->count; i++)
        common +=
            lindperf_run_find(b, b->counters[i].name, b->counters[i].name_length) == (long)i &&
            lindperf_run_find(a, b->counters[i].name, b->counters[i].name_length) >= 0;
    return common;
}

static void ab_cleanup(ab_plan *plan)
{
    char err_path[4200];
    for (int which = 0; which < 2; which++)
        for (size_t k = 0; k < AB_MAX_INVOCATIONS && plan->paths[which][k]; k++) {
            if (k < plan->done[which])
                lindperf_run_free(&plan->runs[which][k]);
            unlink(plan->paths[which][k]);
            free(plan->paths[which][k]);
        }
    snprintf(err_path, sizeof err_path, "%s/host.err", plan->dir);
    unlink(err_path);
    rmdir(plan->dir);
}

static int run_ab(ab_plan *plan, const rule *how)
{
    for (int which = 0; which < 2; which++) {
        const char *host = plan->hosts[which];
        if (strchr(host, '/') && access(host, X_OK) != 0) {
            fprintf(stderr,
                    "lindperf: --ab: cannot run the %s host %s: %s; give the path of a host built "
                    "with -DLIND_PERF\n",
                    which ? "new" : "old", host, strerror(errno));
            return 2;
        }
    }
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    snprintf(plan->dir, sizeof plan->dir, "%s/lindperf-ab.XXXXXX", tmp);
    if (!mkdtemp(plan->dir)) {
        fprintf(stderr,
                "lindperf: --ab: cannot make a folder for the results in %s: %s; set TMPDIR to a "
                "writable folder\n",
                tmp, strerror(errno));
        return 2;
    }

    size_t per_host = plan->invocations ? plan->invocations : 1;
    int status = 0;
    for (size_t pair = 0; status == 0 && pair < per_host; pair++) {
        /* old-new, then new-old: a drift over the session weighs on both hosts alike. */
        int first = (int)(pair % 2);
        status = invoke(plan, first, 2 * per_host);
        if (status == 0)
            status = invoke(plan, !first, 2 * per_host);
        if (status == 0 && pair == 0 && !plan->invocations) {
            size_t counters = common_counters(&plan->runs[0][0], &plan->runs[1][0]);
            per_host = lindperf_stats_samples_needed(counters, ALPHA);
            fprintf(
                stderr,
                "lindperf: --ab: %zu invocations of each host, the fewest at which the test can "
                "flag one of %zu counters at p <= %g (set -n to change)\n",
                per_host, counters, ALPHA);
        }
    }
    if (status == 0) {
        side o = {"old", plan->hosts[0], plan->runs[0], plan->done[0], 1, NULL, 0};
        side n = {"new", plan->hosts[1], plan->runs[1], plan->done[1], 1, NULL, 0};
        if (plan->invocations &&
            !lindperf_stats_can_flag(per_host, per_host, common_counters(&o.runs[0], &n.runs[0]),
                                     ALPHA))
            fprintf(stderr,
                    "lindperf: warning: -n %zu is too few for the test to flag any counter; the "
                    "decision rests on the threshold alone\n",
                    per_host);
        status = compare(&o, &n, how);
        free(o.names);
        free(n.names);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "lindperf: could not write the comparison to stdout\n");
            status = 2;
        }
    } else {
        status = 2;
    }
    ab_cleanup(plan);
    return status;
}

/* ---- the command line ---------------------------------------------------------------- */

/* The value of a flag given as "--flag VALUE" or "--flag=VALUE" (or "-nVALUE" for short
 * flags); NULL when argv[*i] is not that flag, and "" after a message when it lacks one. */
static const char *flag_value(int argc, char **argv, int *i, const char *flag, const char *example)
{
    const char *a = argv[*i];
    size_t n = strlen(flag);
    if (strncmp(a, flag, n) != 0)
        return NULL;
    if (a[n] == '=' || (a[n] != '\0' && flag[1] != '-'))
        return a + n + (a[n] == '=');
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 == argc) {
        fprintf(stderr, "lindperf: %s needs a value, for example %s\n", flag, example);
        return "";
    }
    return argv[++*i];
}

int main(int argc, char **argv)
{
    const char *paths[2];
    int npaths = 0, options_done = 0, ab = 0;
    size_t invocations = 0;
    rule how = {DEFAULT_THRESHOLD_PCT, DEFAULT_MIN_NS, 0};
    char **host_args = NULL;
    size_t host_arg_count = 0;

    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        ab |= strcmp(argv[i], "--ab") == 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *value;
        if (!options_done && strcmp(a, "--") == 0) {
            if (ab) {
                host_args = argv + i + 1;
                host_arg_count = (size_t)(argc - i - 1);
                break;
            }
            options_done = 1;
        } else if (!options_done && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            fputs(usage, stdout);
            return 0;
        } else if (!options_done && strcmp(a, "--ab") == 0) {
            continue;
        } else if (!options_done &&
                   (value = flag_value(argc, argv, &i, "--threshold", "--threshold 5"))) {
            if (parse_amount("--threshold", value, 1, &how.threshold) != 0)
                return 2;
        } else if (!options_done &&
                   (value = flag_value(argc, argv, &i, "--min-ns", "--min-ns 1"))) {
            if (parse_amount("--min-ns", value, 0, &how.min_ns) != 0)
                return 2;
            how.min_ns_given = 1;
        } else if (!options_done && (value = flag_value(argc, argv, &i, "-n", "-n 6"))) {
            if (!ab) {
                fprintf(
                    stderr,
                    "lindperf: -n counts the invocations of --ab; a comparison of two files takes "
                    "its samples from the files (record them with --perf-repeat=N)\n");
                return 2;
            }
            if (parse_invocations(value, &invocations) != 0)
                return 2;
        } else if (!options_done && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "lindperf: unknown option '%s'\n%s", a, usage);
            return 2;
        } else if (npaths < 2) {
            paths[npaths++] = a;
        } else {
            fprintf(stderr, "lindperf: too many %s ('%s'); give exactly %s\n%s",
                    ab ? "hosts" : "files", a,
                    ab ? "OLD_HOST and NEW_HOST, then -- and the host's arguments"
                       : "OLD.json and NEW.json",
                    usage);
            return 2;
        }
    }
    if (ab) {
        if (npaths != 2) {
            fprintf(stderr, "lindperf: --ab needs two hosts, OLD_HOST and NEW_HOST\n%s", usage);
            return 2;
        }
        if (!host_arg_count) {
            fprintf(stderr, "lindperf: --ab needs the host's arguments after --, for example -- "
                            "--perf close\n");
            return 2;
        }
        ab_plan *plan = calloc(1, sizeof *plan);
        if (!plan) {
            fprintf(stderr, "lindperf: out of memory\n");
            return 2;
        }
        plan->hosts[0] = paths[0];
        plan->hosts[1] = paths[1];
        plan->args = host_args;
        plan->arg_count = host_arg_count;
        plan->invocations = invocations;
        int status = run_ab(plan, &how);
        free(plan);
        return status;
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
    side o = {"old", old.path, &old, 1, 0, NULL, 0};
    side n = {"new", new.path, &new, 1, 0, NULL, 0};
    int status = compare(&o, &n, &how);
    if (status != 2 && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "lindperf: could not write the comparison to stdout\n");
        status = 2;
    }
    free(o.names);
    free(n.names);
    lindperf_run_free(&old);
    lindperf_run_free(&new);
    return status;
}
