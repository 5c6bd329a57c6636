/* lindperf-plot: draws a lindperf results file (--perf-json) as a self-contained SVG.
 *
 *     lindperf-plot IN.json -o OUT.svg
 *
 * Part 1, "average per call": one horizontal bar per counter, grouped under its module and
 * coloured by it, with the value written after the bar. When the averages span more than
 * two decades (a 100 ms boot next to a 20 ns syscall) the axis is logarithmic, and says so.
 *
 * Part 2, "call path", only when the file knows parents: for every root counter with
 * children, one stacked bar of self times per call of the root. A counter's self time is
 * its total minus its children's totals, clamped at 0 (the totals come from separate timed
 * runs, so noise can make the difference negative), divided by the root's calls.
 *
 * Markup contract (the tests and other tools may rely on it): every counter's bar in part 1
 * is a <rect class="bar">, every stacked piece in part 2 a <rect class="segment">, and both
 * carry data-counter="module::name" and data-module="module"; one module has one fill.
 * Legend swatches are class="swatch". Only presentation attributes are used (no CSS), so
 * simple renderers draw it the way a browser does.
 */
#define _POSIX_C_SOURCE 200809L   /* open_memstream */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lindperf-run.h"

#define CHART_WIDTH 960
#define MARGIN 16
#define FONT_SIZE 12
#define CHAR_WIDTH 7.3              /* of FONT_SIZE monospace, to size the label column */
#define LABEL_MAX_CHARS 56          /* longer names are cut with an ellipsis; <title> has all */
#define COMMAND_MAX_CHARS 124       /* of the command line under the title */
#define SUM_SLACK 1.05              /* self times may exceed the root by this before a note */
#define VALUE_COLUMN_WIDTH 96
#define ROW_HEIGHT 20
#define BAR_HEIGHT 14
#define MODULE_HEADING_HEIGHT 22
#define MODULE_GAP 6
#define STACK_HEIGHT 26
#define LOG_AXIS_RATIO 100.0        /* max/min avg beyond which a linear axis hides the small bars */
#define MONO_FONT "DejaVu Sans Mono, Menlo, Consolas, monospace"
#define SANS_FONT "DejaVu Sans, Helvetica, Arial, sans-serif"

/* Tableau 10: distinct in hue and still distinct for most colour-blind readers. */
static const char *const palette[] = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};
#define PALETTE_SIZE (sizeof palette / sizeof palette[0])

static const char usage[] =
    "usage: lindperf-plot IN.json -o OUT.svg\n"
    "  Draws a lindperf results file (written with --perf-json=FILE) as an SVG chart:\n"
    "  average per counter by module, and the call path's self times when parents are known.\n"
    "  -o FILE   where to write the SVG (- for stdout)\n";

typedef struct {
    const lindperf_run *run;
    const char **modules;           /* distinct modules in order of first appearance */
    size_t module_count;
    size_t *module_of;              /* counter -> index into modules */
    long *parent_of;                /* counter -> parent counter, or -1 */
    int *depth;                     /* counter -> depth below its root, -1 when unreachable */
} chart;

/* ---- text --------------------------------------------------------------------------- */

static size_t char_count(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    return chars;
}

/* Decodes one UTF-8 sequence at s[0..n). Returns its length and the code point, or 0 when
 * the bytes are not valid UTF-8 (overlong, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *code)
{
    static const unsigned min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t length = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : s[0] >= 0xE0 && s[0] < 0xF0 ? 3
                  : s[0] >= 0xF0 && s[0] < 0xF5 ? 4 : 0;
    if (length == 0 || length > n)
        return 0;
    unsigned c = length == 1 ? s[0] : s[0] & (0x7F >> length);
    for (size_t i = 1; i < length; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if (c < min_for_length[length] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
        return 0;
    *code = c;
    return length;
}

/* A broken sequence is one bad character, not one per byte. */
static size_t continuation_bytes(const unsigned char *s, size_t n)
{
    size_t k = 0;
    while (k < n && k < 3 && (s[k] & 0xC0) == 0x80)
        k++;
    return k;
}

/* XML 1.0 forbids most control characters even as references, and the file must be
 * UTF-8; counter names may hold any byte. Such characters become U+FFFD. */
static int xml_allowed(unsigned c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
        || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000;
}

/* Writes s[0..n) as XML character data or attribute text. With max_chars (0: no limit),
 * a longer text keeps its first max_chars - 1 characters and an ellipsis. */
static void xml_text(FILE *out, const char *s, size_t n, size_t max_chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t keep = max_chars && char_count(s, n) > max_chars ? max_chars - 1 : (size_t)-1;
    for (size_t i = 0, chars = 0; i < n; chars++) {
        if (chars == keep) {
            fputs("…", out);
            return;
        }
        unsigned c;
        size_t len = utf8_decode(p + i, n - i, &c);
        if (len == 0 || !xml_allowed(c)) {
            fputs("\xEF\xBF\xBD", out);
            i += len ? len : 1 + continuation_bytes(p + i + 1, n - i - 1);
            continue;
        }
        switch (c) {
        case '&':  fputs("&amp;", out);  break;
        case '<':  fputs("&lt;", out);   break;
        case '>':  fputs("&gt;", out);   break;
        case '"':  fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        case '\t': case '\n': case '\r': fprintf(out, "&#%u;", c); break;
        default:   fwrite(p + i, 1, len, out);
        }
        i += len;
    }
}

static void xml_string(FILE *out, const char *s)
{
    xml_text(out, s, strlen(s), 0);
}

/* Dark text on light fills, white on dark ones (ITU-R BT.601 luma). */
static const char *text_colour_on(const char *fill)
{
    unsigned r, g, b;
    if (sscanf(fill, "#%2x%2x%2x", &r, &g, &b) != 3)
        return "#000000";
    return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#222222" : "#ffffff";
}

/* ---- the model ---------------------------------------------------------------------- */

static void chart_free(chart *c)
{
    free(c->modules);
    free(c->module_of);
    free(c->parent_of);
    free(c->depth);
}

static int chart_init(chart *c, const lindperf_run *run)
{
    size_t n = run->count ? run->count : 1;
    memset(c, 0, sizeof *c);
    c->run = run;
    c->modules = calloc(n, sizeof *c->modules);
    c->module_of = calloc(n, sizeof *c->module_of);
    c->parent_of = calloc(n, sizeof *c->parent_of);
    c->depth = calloc(n, sizeof *c->depth);
    if (!c->modules || !c->module_of || !c->parent_of || !c->depth) {
        chart_free(c);
        return -1;
    }
    for (size_t i = 0; i < run->count; i++) {
        const lindperf_run_counter *k = &run->counters[i];
        size_t m = 0;
        while (m < c->module_count && strcmp(c->modules[m], k->module) != 0)
            m++;
        if (m == c->module_count)
            c->modules[c->module_count++] = k->module;
        c->module_of[i] = m;
        c->parent_of[i] = k->parent ? lindperf_run_find(run, k->parent, k->parent_length) : -1;
        if (c->parent_of[i] == (long)i)
            c->parent_of[i] = -1;   /* a counter cannot enclose itself; treat it as a root */
    }
    /* Depth by walking up; a walk longer than the counter count has met a loop. */
    size_t looped = 0;
    for (size_t i = 0; i < run->count; i++) {
        long p = c->parent_of[i];
        int d = 0;
        while (p >= 0 && (size_t)d <= run->count) {
            p = c->parent_of[p];
            d++;
        }
        c->depth[i] = p < 0 ? d : -1;
        looped += p >= 0;
    }
    if (looped)
        fprintf(stderr, "lindperf: note: %s: %zu counters have a loop among their parents; "
                "they are left out of the call path\n", run->path, looped);
    return 0;
}

static const char *module_colour(const chart *c, size_t counter)
{
    return palette[c->module_of[counter] % PALETTE_SIZE];
}

static int has_children(const chart *c, size_t counter)
{
    for (size_t i = 0; i < c->run->count; i++)
        if (c->parent_of[i] == (long)counter && c->depth[i] > 0)
            return 1;
    return 0;
}

/* Self time per call of the root: own total minus the children's totals, never below 0. */
static double self_per_root_call(const chart *c, size_t counter, double root_calls)
{
    double self = c->run->counters[counter].total;
    for (size_t i = 0; i < c->run->count; i++)
        if (c->parent_of[i] == (long)counter && c->depth[i] > 0)
            self -= c->run->counters[i].total;
    return self > 0 && root_calls > 0 ? self / root_calls : 0;
}

/* ---- drawing ------------------------------------------------------------------------ */

typedef struct {
    int logarithmic;
    double lo, hi;                  /* the axis spans [lo, hi] */
    double x0, width;               /* in pixels */
} axis;

static double nice_ceiling(double v)
{
    double decade = pow(10.0, floor(log10(v)));
    double steps[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] * decade >= v)
            return steps[i] * decade;
    return 10 * decade;
}

static axis make_axis(const lindperf_run *run, double x0, double width)
{
    double max = 0, min = INFINITY;
    for (size_t i = 0; i < run->count; i++) {
        double v = run->counters[i].avg;
        if (v > max) max = v;
        if (v > 0 && v < min) min = v;
    }
    axis a = {0, 0, 1, x0, width};
    if (max <= 0)
        return a;
    if (max / min > LOG_AXIS_RATIO) {
        a.logarithmic = 1;
        a.lo = pow(10.0, floor(log10(min / 3)));  /* the smallest bar keeps half a decade */
        a.hi = pow(10.0, ceil(log10(max)));
    } else {
        a.hi = nice_ceiling(max);
    }
    return a;
}

static double axis_length(const axis *a, double v)
{
    if (v <= a->lo)
        return 0;
    double f = a->logarithmic ? (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo)) : (v - a->lo) / (a->hi - a->lo);
    return (f > 1 ? 1 : f) * a->width;
}

/* An axis label: the table format without its trailing zeros (0.1ns, 1.5µs, 10ms). */
static void format_tick(double v, const char *unit, char *buf, size_t size)
{
    lindperf_run_format(v, unit, 3, buf, size);
    char *dot = strchr(buf, '.');
    if (!dot)
        return;
    char *digits_end = dot + 1;
    while (*digits_end >= '0' && *digits_end <= '9')
        digits_end++;
    char *keep = digits_end;
    while (keep > dot + 1 && keep[-1] == '0')
        keep--;
    if (keep == dot + 1)
        keep = dot;
    memmove(keep, digits_end, strlen(digits_end) + 1);
}

static void draw_axis(FILE *out, const axis *a, const char *unit, double top, double bottom)
{
    int ticks = a->logarithmic ? (int)lround(log10(a->hi / a->lo)) : 5;
    for (int t = 0; t <= ticks; t++) {
        double v = a->logarithmic ? a->lo * pow(10.0, t) : a->lo + (a->hi - a->lo) * t / ticks;
        double x = a->x0 + axis_length(a, v);
        char label[32];
        format_tick(v, unit, label, sizeof label);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\" stroke-width=\"1\"/>\n",
                x, top, x, bottom);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%d\" fill=\"#666666\">%s</text>\n",
                x, top - 4, FONT_SIZE - 1, label);
    }
}

static void data_attributes(FILE *out, const lindperf_run_counter *k)
{
    fputs(" data-counter=\"", out);
    xml_text(out, k->name, k->name_length, 0);
    fputs("\" data-module=\"", out);
    xml_string(out, k->module);
    fputs("\"", out);
}

static void tooltip(FILE *out, const lindperf_run_counter *k, const char *unit)
{
    char avg[32], total[32];
    lindperf_run_format(k->avg, unit, 3, avg, sizeof avg);
    lindperf_run_format(k->total, unit, 3, total, sizeof total);
    fputs("<title>", out);
    xml_text(out, k->name, k->name_length, 0);
    fprintf(out, ": avg %s, %.0f calls, total %s</title>", avg, k->calls, total);
}

/* Returns the y below what it drew. */
static double draw_averages(FILE *out, const chart *c, double y)
{
    const lindperf_run *run = c->run;
    size_t longest = 8;
    for (size_t i = 0; i < run->count; i++) {
        size_t n = char_count(run->counters[i].name, run->counters[i].name_length);
        if (n > longest)
            longest = n;
    }
    if (longest > LABEL_MAX_CHARS)
        longest = LABEL_MAX_CHARS;
    double label_width = longest * CHAR_WIDTH + 24;
    axis a = make_axis(run, MARGIN + label_width, CHART_WIDTH - 2 * MARGIN - label_width - VALUE_COLUMN_WIDTH);

    fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" font-weight=\"bold\">Average per call</text>\n",
            MARGIN, y, FONT_SIZE + 3);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" fill=\"#666666\" text-anchor=\"end\">%s axis, %s per call</text>\n",
            CHART_WIDTH - MARGIN - 0.0, y, FONT_SIZE - 1, a.logarithmic ? "logarithmic" : "linear",
            strcmp(run->unit, "cycles") == 0 ? "cycles" : "time");
    y += 28;

    double rows = c->module_count * (MODULE_HEADING_HEIGHT + MODULE_GAP) + run->count * ROW_HEIGHT;
    draw_axis(out, &a, run->unit, y, y + rows);
    y += 4;

    for (size_t m = 0; m < c->module_count; m++) {
        const char *fill = palette[m % PALETTE_SIZE];
        y += MODULE_HEADING_HEIGHT;
        fprintf(out, "<rect class=\"swatch\" x=\"%d\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>\n",
                MARGIN, y - 10, fill);
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" font-weight=\"bold\">", MARGIN + 16, y, FONT_SIZE);
        xml_string(out, c->modules[m]);
        fputs("</text>\n", out);
        for (size_t i = 0; i < run->count; i++) {
            if (c->module_of[i] != m)
                continue;
            const lindperf_run_counter *k = &run->counters[i];
            double length = axis_length(&a, k->avg);
            char value[32];
            lindperf_run_format(k->avg, run->unit, 3, value, sizeof value);
            y += ROW_HEIGHT;
            fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-family=\"%s\" font-size=\"%d\">", MARGIN + 16, y - 3,
                    MONO_FONT, FONT_SIZE);
            xml_text(out, k->name, k->name_length, LABEL_MAX_CHARS);
            fputs("</text>\n", out);
            fprintf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"",
                    a.x0, y - BAR_HEIGHT, length, BAR_HEIGHT, fill);
            data_attributes(out, k);
            fputs(">", out);
            tooltip(out, k, run->unit);
            fputs("</rect>\n", out);
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\">%s</text>\n",
                    a.x0 + length + 5, y - 3, FONT_SIZE, value);
        }
        y += MODULE_GAP;
    }
    return y;
}

/* The counters of root's tree in depth-first order, children in file order. */
static size_t tree_order(const chart *c, size_t root, size_t *order, size_t n)
{
    order[n++] = root;
    for (size_t i = 0; i < c->run->count; i++)
        if (c->parent_of[i] == (long)root && c->depth[i] > 0)
            n = tree_order(c, i, order, n);
    return n;
}

static double draw_call_path(FILE *out, const chart *c, size_t root, size_t *order, double y)
{
    const lindperf_run *run = c->run;
    const lindperf_run_counter *r = &run->counters[root];
    size_t n = tree_order(c, root, order, 0);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += self_per_root_call(c, order[i], r->calls);

    char inclusive[32];
    lindperf_run_format(r->calls > 0 ? r->total / r->calls : 0, run->unit, 3, inclusive, sizeof inclusive);
    y += 24;
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\">per call of <tspan font-family=\"%s\">", MARGIN, y,
            FONT_SIZE, MONO_FONT);
    xml_text(out, r->name, r->name_length, 0);
    fprintf(out, "</tspan> (%.0f call%s): %s inclusive</text>\n", r->calls, r->calls == 1 ? "" : "s", inclusive);
    double root_inclusive = r->calls > 0 ? r->total / r->calls : 0;
    if (sum > root_inclusive * SUM_SLACK) {
        /* Each total carries its own run's timer floor, so gross children can outweigh
         * their root. Say so rather than draw a bar that silently disagrees. */
        char sum_text[32];
        lindperf_run_format(sum, run->unit, 3, sum_text, sizeof sum_text);
        y += 16;
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" fill=\"#b03a2e\">The self times add up to %s, "
                "more than the root's %s: each total comes from its own timed run%s.</text>\n",
                MARGIN, y, FONT_SIZE - 1, sum_text, inclusive,
                run->net == 1 ? ", and the runs' noise does not cancel" : " and carries its timer floor (--perf-net subtracts it)");
    }
    y += 8;

    double x = MARGIN, width = CHART_WIDTH - 2 * MARGIN;
    for (size_t i = 0; i < n; i++) {
        const lindperf_run_counter *k = &run->counters[order[i]];
        double self = self_per_root_call(c, order[i], r->calls);
        double w = sum > 0 ? self / sum * width : 0;
        char value[32];
        lindperf_run_format(self, run->unit, 3, value, sizeof value);
        fprintf(out, "<rect class=\"segment\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                "stroke=\"#ffffff\" stroke-width=\"1\"", x, y, w, STACK_HEIGHT, module_colour(c, order[i]));
        data_attributes(out, k);
        fputs("><title>", out);
        xml_text(out, k->name, k->name_length, 0);
        fprintf(out, ": self %s per call of the root</title></rect>\n", value);
        if (w >= 34)
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%d\" fill=\"%s\">%.0f%%</text>\n",
                    x + w / 2, y + STACK_HEIGHT / 2.0 + 4, FONT_SIZE - 1, text_colour_on(module_colour(c, order[i])),
                    self / sum * 100);
        x += w;
    }
    y += STACK_HEIGHT + 18;

    /* The legend doubles as the indented tree, with the figures the bar cannot show. */
    double col_self = CHART_WIDTH - MARGIN - 200, col_share = CHART_WIDTH - MARGIN - 130, col_incl = CHART_WIDTH - MARGIN;
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" fill=\"#666666\" text-anchor=\"end\">self</text>\n",
            col_self, y, FONT_SIZE - 1);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" fill=\"#666666\" text-anchor=\"end\">share</text>\n",
            col_share, y, FONT_SIZE - 1);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" fill=\"#666666\" text-anchor=\"end\">inclusive</text>\n",
            col_incl, y, FONT_SIZE - 1);
    for (size_t i = 0; i < n; i++) {
        const lindperf_run_counter *k = &run->counters[order[i]];
        double self = self_per_root_call(c, order[i], r->calls);
        double indent = (c->depth[order[i]] - c->depth[root]) * 14.0;
        char self_text[32], incl_text[32];
        lindperf_run_format(self, run->unit, 3, self_text, sizeof self_text);
        lindperf_run_format(r->calls > 0 ? k->total / r->calls : 0, run->unit, 3, incl_text, sizeof incl_text);
        y += ROW_HEIGHT - 2;
        fprintf(out, "<rect class=\"swatch\" x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>\n",
                MARGIN + indent, y - 10, module_colour(c, order[i]));
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-family=\"%s\" font-size=\"%d\">", MARGIN + indent + 16, y,
                MONO_FONT, FONT_SIZE);
        xml_text(out, k->name, k->name_length, LABEL_MAX_CHARS);
        fputs("</text>\n", out);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"end\">%s</text>\n",
                col_self, y, FONT_SIZE, self_text);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"end\">%.1f%%</text>\n",
                col_share, y, FONT_SIZE, sum > 0 ? self / sum * 100 : 0);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"end\">%s</text>\n",
                col_incl, y, FONT_SIZE, incl_text);
    }
    return y + 8;
}

static double draw_call_paths(FILE *out, const chart *c, double y)
{
    const lindperf_run *run = c->run;
    size_t *order = malloc((run->count ? run->count : 1) * sizeof *order);
    int any = 0;
    if (!order)
        return -1;
    for (size_t i = 0; i < run->count; i++) {
        if (c->depth[i] != 0 || !has_children(c, i))
            continue;
        if (!any) {
            y += 30;
            fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" font-weight=\"bold\">Call path: self time</text>\n",
                    MARGIN, y, FONT_SIZE + 3);
            y += 18;
            fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" fill=\"#666666\">A counter's self time is its "
                    "total minus its children's totals (at least 0), per call of the root. Each counter's total "
                    "comes from its own timed run.</text>\n", MARGIN, y, FONT_SIZE - 1);
            any = 1;
        }
        y = draw_call_path(out, c, i, order, y);
    }
    free(order);
    return y;
}

static double draw_title(FILE *out, const lindperf_run *run, double y)
{
    y += 22;
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" font-weight=\"bold\">lindperf results</text>\n",
            MARGIN, y, FONT_SIZE + 6);
    if (run->command) {
        y += 20;
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-family=\"%s\" font-size=\"%d\">", MARGIN, y, MONO_FONT, FONT_SIZE);
        xml_text(out, run->command, strlen(run->command), COMMAND_MAX_CHARS);
        fputs("</text>\n", out);
    }
    y += 18;
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" fill=\"#444444\">", MARGIN, y, FONT_SIZE);
    xml_string(out, run->timer ? run->timer : "timer not said");
    fputs(" timer, ", out);
    xml_string(out, run->unit);
    fputs(run->net == 1 ? ", net of the empty-scope floor" : run->net == 0 ? ", gross" : "", out);
    const char *facts[] = {run->host, run->cpu, run->date};
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        if (!facts[i])
            continue;
        fputs(" · ", out);
        xml_string(out, facts[i]);
    }
    fputs("</text>\n", out);
    return y + 12;
}

static int plot(const lindperf_run *run, FILE *out)
{
    chart c;
    char *body = NULL;
    size_t body_size = 0;
    FILE *b;

    if (chart_init(&c, run) != 0)
        return -1;
    /* The height is known only after drawing, so the body goes to memory first. */
    if (!(b = open_memstream(&body, &body_size))) {
        chart_free(&c);
        return -1;
    }
    double y = draw_title(b, run, 0);
    if (run->count == 0) {
        y += 24;
        fprintf(b, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\">No counter was reached in this run.</text>\n",
                MARGIN, y, FONT_SIZE);
    } else {
        y = draw_averages(b, &c, y + 12);
        y = draw_call_paths(b, &c, y);
    }
    int failed = y < 0 || fclose(b) != 0;
    chart_free(&c);
    if (failed) {
        free(body);
        return -1;
    }

    int height = (int)ceil(y) + MARGIN;
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"%s\" font-size=\"%d\">\n<title>lindperf results: ",
            CHART_WIDTH, height, CHART_WIDTH, height, SANS_FONT, FONT_SIZE);
    xml_string(out, run->path);
    fprintf(out, "</title>\n<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", CHART_WIDTH, height);
    fwrite(body, 1, body_size, out);
    fputs("</svg>\n", out);
    free(body);
    return 0;
}

int main(int argc, char **argv)
{
    const char *in = NULL, *out_path = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "lindperf: %s needs a file name, for example -o chart.svg\n", a);
                return 2;
            }
            out_path = argv[++i];
        } else if (strncmp(a, "--output=", 9) == 0) {
            out_path = a + 9;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "lindperf: unknown option '%s'\n%s", a, usage);
            return 2;
        } else if (!in) {
            in = a;
        } else {
            fprintf(stderr, "lindperf: one input file only ('%s' is a second); plot each run on its own\n", a);
            return 2;
        }
    }
    if (!in || !out_path || !out_path[0]) {
        fprintf(stderr, "lindperf: give a results file and an output file: lindperf-plot IN.json -o OUT.svg\n");
        return 2;
    }

    lindperf_run run;
    if (lindperf_run_load(in, &run) != 0)
        return 2;
    int to_stdout = strcmp(out_path, "-") == 0;
    FILE *out = to_stdout ? stdout : fopen(out_path, "w");
    if (!out) {
        fprintf(stderr, "lindperf: cannot write %s: %s\n", out_path, strerror(errno));
        lindperf_run_free(&run);
        return 2;
    }
    int status = plot(&run, out);
    if (status != 0)
        fprintf(stderr, "lindperf: out of memory drawing %s\n", in);
    if ((to_stdout ? fflush(out) : fclose(out)) != 0 || (to_stdout && ferror(out))) {
        fprintf(stderr, "lindperf: could not write %s; check the disk space and the directory\n", out_path);
        status = -1;
    }
    lindperf_run_free(&run);
    return status == 0 ? 0 : 2;
}
