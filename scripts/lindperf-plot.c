/* lindperf-plot: draws a lindperf results file (--perf-json) as a self-contained SVG.
 *
 *     lindperf-plot IN.json -o OUT.svg
 *
 * Part 1, "average per call": one horizontal bar per counter, grouped under its module and
 * coloured by it, with the value written after the bar. When the averages span more than
 * two decades (a 100 ms boot next to a 20 ns syscall) the axis is logarithmic, and says so.
 *
 * Part 2, "call path": the whole call path (scripts/lindperf-tree.h), one icicle per root.
 * A node's width is its net total, its children sit under it from the left, and the gap
 * they leave is its self time. A counter reached from two callers is drawn under both,
 * with the calls and time it had under each. When noise makes the children outweigh their
 * parent (its self time is below zero), they are scaled to fit it, so its self time is
 * drawn as zero width and the node is marked; nothing is ever drawn wider than its root.
 * A table under each icicle gives every node's calls, avg, total, self and share.
 * Files without a calling-context tree are drawn from each counter's parent, made net here
 * when the file names its empty scope; a gross file that does not is labelled gross.
 *
 * Markup contract (the tests and other tools may rely on it): every counter's bar in part 1
 * is a <rect class="bar">, every node of part 2 a <rect class="node">, and both carry
 * data-counter="module::name" and data-module="module"; one module has one fill. A node
 * also carries data-node and data-parent-node (node numbers, depth first; none on a root),
 * data-parent (its caller's name), data-calls, data-total and data-self (the file's unit,
 * "unknown" when not timed) and data-time="exact" or "estimated". A node whose self time is
 * below zero has a <path class="negative-self"> mark with the same data-node. Legend
 * swatches are class="swatch". Only presentation attributes are used (no CSS), so simple
 * renderers draw it the way a browser does.
 */
#define _POSIX_C_SOURCE 200809L   /* open_memstream */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lindperf-run.h"
#include "lindperf-tree.h"

#define CHART_WIDTH 960
#define MARGIN 16
#define FONT_SIZE 12
#define CHAR_WIDTH 7.3              /* of FONT_SIZE monospace, to size the label column */
#define LABEL_MAX_CHARS 56          /* longer names are cut with an ellipsis; <title> has all */
#define COMMAND_MAX_CHARS 124       /* of the command line under the title */
#define VALUE_COLUMN_WIDTH 96
#define ROW_HEIGHT 20
#define BAR_HEIGHT 14
#define MODULE_HEADING_HEIGHT 22
#define MODULE_GAP 6
#define ICICLE_ROW_HEIGHT 22
#define NODE_LABEL_MIN_WIDTH 40     /* narrower nodes keep their name in the tooltip only */
#define NODE_STROKE_MIN_WIDTH 3     /* a thinner node's white outline would hide its fill */
#define MARK_SIZE 9                 /* the negative-self corner */
#define TABLE_INDENT 14             /* per level of the call path's table */
#define LOG_AXIS_RATIO 100.0        /* max/min avg beyond which a linear axis hides small bars */
#define MONO_FONT "DejaVu Sans Mono, Menlo, Consolas, monospace"
#define SANS_FONT "DejaVu Sans, Helvetica, Arial, sans-serif"
#define NOTE_COLOUR "#b03a2e"
#define UNKNOWN_MODULE_COLOUR "#bbbbbb"

/* Tableau 10: distinct in hue and still distinct for most colour-blind readers. */
static const char *const palette[] = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};
#define PALETTE_SIZE (sizeof palette / sizeof palette[0])

static const char usage[] =
    "usage: lindperf-plot IN.json -o OUT.svg\n"
    "  Draws a lindperf results file (written with --perf-json=FILE) as an SVG chart:\n"
    "  average per counter by module, and the whole call path, one icicle per root.\n"
    "  -o FILE   where to write the SVG (- for stdout)\n";

typedef struct {
    const lindperf_run *run;
    lindperf_tree tree;
    const char **modules;           /* distinct modules in order of first appearance */
    size_t module_count;
    size_t *module_of;              /* counter -> index into modules */
    double *extent;                 /* node -> the time its width stands for */
    double *children_extent;        /* node -> the sum of its children's extents */
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
    size_t length = s[0] < 0x80                  ? 1
                  : s[0] >= 0xC2 && s[0] < 0xE0 ? 2
                  : s[0] >= 0xE0 && s[0] < 0xF0 ? 3
                  : s[0] >= 0xF0 && s[0] < 0xF5 ? 4
                                                : 0;
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
    lindperf_tree_free(&c->tree);
    free(c->modules);
    free(c->module_of);
    free(c->extent);
    free(c->children_extent);
}

/* A node's width stands for its total; a node that was not timed stands for its children,
 * the least it can have spent. Children follow their parent, so one pass from the end. */
static void measure_nodes(chart *c)
{
    const lindperf_tree *t = &c->tree;
    for (size_t i = t->count; i-- > 0;) {
        const lindperf_tree_node *n = &t->nodes[i];
        c->extent[i] = !n->has_total ? c->children_extent[i] : n->total > 0 ? n->total : 0;
        if (n->parent != LINDPERF_TREE_NONE)
            c->children_extent[n->parent] += c->extent[i];
    }
}

/* The index of `module` in c->modules, or c->module_count when it is not there. */
static size_t module_index(const chart *c, const char *module)
{
    size_t m = 0;
    while (m < c->module_count && strcmp(c->modules[m], module) != 0)
        m++;
    return m;
}

/* 0; -1 when out of memory; 1 when the call path is malformed (the message is printed). */
static int chart_init(chart *c, const lindperf_run *run)
{
    size_t n = run->count ? run->count : 1;
    memset(c, 0, sizeof *c);
    c->run = run;
    if (lindperf_tree_load(run, &c->tree) != 0)
        return 1;
    size_t nodes = c->tree.count ? c->tree.count : 1;
    c->modules = calloc(n, sizeof *c->modules);
    c->module_of = calloc(n, sizeof *c->module_of);
    c->extent = calloc(nodes, sizeof *c->extent);
    c->children_extent = calloc(nodes, sizeof *c->children_extent);
    if (!c->modules || !c->module_of || !c->extent || !c->children_extent) {
        chart_free(c);
        return -1;
    }
    for (size_t i = 0; i < run->count; i++) {
        const char *module = run->counters[i].module;
        size_t m = module_index(c, module);
        if (m == c->module_count)
            c->modules[c->module_count++] = module;
        c->module_of[i] = m;
    }
    measure_nodes(c);
    return 0;
}

/* A call-path node's module is NULL when no counter of the run has its name. */
static const char *module_colour(const chart *c, const char *module)
{
    size_t m = module ? module_index(c, module) : c->module_count;
    return m < c->module_count ? palette[m % PALETTE_SIZE] : UNKNOWN_MODULE_COLOUR;
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
        if (v > max)
            max = v;
        if (v > 0 && v < min)
            min = v;
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
    double f = a->logarithmic ? (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo))
                              : (v - a->lo) / (a->hi - a->lo);
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
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\" "
                "stroke-width=\"1\"/>\n", x, top, x, bottom);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%d\" "
                "fill=\"#666666\">%s</text>\n", x, top - 4, FONT_SIZE - 1, label);
    }
}

static void name_attributes(FILE *out, const char *name, size_t name_length, const char *module)
{
    fputs(" data-counter=\"", out);
    xml_text(out, name, name_length, 0);
    if (module) {
        fputs("\" data-module=\"", out);
        xml_string(out, module);
    }
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

/* A line of small text under a heading, for what a part means. Returns the y below it. */
static double note(FILE *out, double y, const char *colour, const char *text)
{
    y += 16;
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" fill=\"%s\">", MARGIN, y,
            FONT_SIZE - 1, colour);
    xml_string(out, text);
    fputs("</text>\n", out);
    return y;
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
    axis a = make_axis(run, MARGIN + label_width,
                       CHART_WIDTH - 2 * MARGIN - label_width - VALUE_COLUMN_WIDTH);

    fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" font-weight=\"bold\">Average per "
            "call</text>\n", MARGIN, y, FONT_SIZE + 3);
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" fill=\"#666666\" text-anchor=\"end\">"
            "%s axis, %s per call</text>\n", CHART_WIDTH - MARGIN, y, FONT_SIZE - 1,
            a.logarithmic ? "logarithmic" : "linear",
            strcmp(run->unit, "cycles") == 0 ? "cycles" : "time");
    y += 28;

    double rows = c->module_count * (MODULE_HEADING_HEIGHT + MODULE_GAP) + run->count * ROW_HEIGHT;
    draw_axis(out, &a, run->unit, y, y + rows);
    y += 4;

    for (size_t m = 0; m < c->module_count; m++) {
        const char *fill = palette[m % PALETTE_SIZE];
        y += MODULE_HEADING_HEIGHT;
        fprintf(out, "<rect class=\"swatch\" x=\"%d\" y=\"%.1f\" width=\"10\" height=\"10\" "
                "fill=\"%s\"/>\n", MARGIN, y - 10, fill);
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" font-weight=\"bold\">",
                MARGIN + 16, y, FONT_SIZE);
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
            fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-family=\"%s\" font-size=\"%d\">",
                    MARGIN + 16, y - 3, MONO_FONT, FONT_SIZE);
            xml_text(out, k->name, k->name_length, LABEL_MAX_CHARS);
            fputs("</text>\n", out);
            fprintf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
                    "fill=\"%s\"", a.x0, y - BAR_HEIGHT, length, BAR_HEIGHT, fill);
            name_attributes(out, k->name, k->name_length, k->module);
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

/* ---- the call path ------------------------------------------------------------------ */

#define TABLE_CALLS_END (CHART_WIDTH - MARGIN - 340)   /* right edges of the table's columns */
#define TABLE_AVG_END (CHART_WIDTH - MARGIN - 250)
#define TABLE_TOTAL_END (CHART_WIDTH - MARGIN - 160)
#define TABLE_SELF_END (CHART_WIDTH - MARGIN - 70)
#define TABLE_SHARE_END (CHART_WIDTH - MARGIN)
#define TABLE_NAME_END (TABLE_CALLS_END - 80)

static int self_below_zero(const lindperf_tree_node *n)
{
    return n->has_self && n->self < 0;
}

/* A self time leans on the children's totals too, so it is an estimate if any of them is. */
static int self_estimated(const lindperf_tree *t, size_t i)
{
    int estimated = t->nodes[i].estimated;
    for (long k = t->nodes[i].first_child; k != LINDPERF_TREE_NONE; k = t->nodes[k].next_sibling)
        estimated |= t->nodes[k].estimated;
    return estimated;
}

/* A node's figures as its tooltip and its table row show them. */
typedef struct {
    char total[48], avg[48], self[48];
} node_figures;

static node_figures figures_of(const chart *c, size_t i)
{
    const lindperf_tree_node *n = &c->tree.nodes[i];
    const char *unit = c->run->unit;
    node_figures f;
    lindperf_tree_format(n->has_total, n->total, n->estimated, unit, f.total, sizeof f.total);
    lindperf_tree_format(n->has_total && n->calls > 0, n->calls > 0 ? n->total / n->calls : 0,
                         n->estimated, unit, f.avg, sizeof f.avg);
    lindperf_tree_format(n->has_self, n->self, self_estimated(&c->tree, i), unit, f.self,
                         sizeof f.self);
    return f;
}

static void node_title(FILE *out, const chart *c, size_t i)
{
    const lindperf_tree_node *n = &c->tree.nodes[i];
    node_figures f = figures_of(c, i);
    fputs("<title>", out);
    xml_text(out, n->name, n->name_length, 0);
    fprintf(out, ": %.0f call%s, total %s, avg %s, self %s%s%s</title>", n->calls,
            n->calls == 1 ? "" : "s", f.total, f.avg, f.self,
            self_below_zero(n) ? " (below zero from noise: drawn as zero width)" : "",
            n->estimated ? " (estimated from the counter's per-call figure)" : "");
}

static void figure_attribute(FILE *out, const char *key, int known, double v)
{
    if (known)
        fprintf(out, " %s=\"%.3f\"", key, v);
    else
        fprintf(out, " %s=\"unknown\"", key);
}

static void draw_node(FILE *out, const chart *c, size_t i, double x, double width, double y)
{
    const lindperf_tree_node *n = &c->tree.nodes[i];
    const char *fill = module_colour(c, n->module);
    fprintf(out, "<rect class=\"node\" x=\"%.3f\" y=\"%.1f\" width=\"%.3f\" height=\"%d\" "
            "fill=\"%s\"%s data-node=\"%zu\"", x, y, width, ICICLE_ROW_HEIGHT - 2, fill,
            n->estimated ? " fill-opacity=\"0.5\" stroke=\"#333333\" stroke-dasharray=\"3 2\""
            : width >= NODE_STROKE_MIN_WIDTH ? " stroke=\"#ffffff\"" : "", i);
    if (n->parent != LINDPERF_TREE_NONE) {
        const lindperf_tree_node *p = &c->tree.nodes[n->parent];
        fprintf(out, " data-parent-node=\"%ld\" data-parent=\"", n->parent);
        xml_text(out, p->name, p->name_length, 0);
        fputs("\"", out);
    }
    name_attributes(out, n->name, n->name_length, n->module);
    fprintf(out, " data-calls=\"%.0f\"", n->calls);
    figure_attribute(out, "data-total", n->has_total, n->total);
    figure_attribute(out, "data-self", n->has_self, n->self);
    fprintf(out, " data-time=\"%s\">", n->estimated ? "estimated" : "exact");
    node_title(out, c, i);
    fputs("</rect>\n", out);
    if (width >= NODE_LABEL_MIN_WIDTH) {
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-family=\"%s\" font-size=\"%d\" "
                "fill=\"%s\">%s", x + 4, y + 14, MONO_FONT, FONT_SIZE - 1,
                n->estimated ? "#222222" : text_colour_on(fill),
                n->estimated ? LINDPERF_TREE_ESTIMATE_MARK : "");
        xml_text(out, n->name, n->name_length, (size_t)((width - 8) / CHAR_WIDTH) - n->estimated);
        fputs("</text>\n", out);
    }
    if (self_below_zero(n)) {
        fprintf(out, "<path class=\"negative-self\" data-node=\"%zu\" d=\"M%.3f %.1fh-%dl%d %dz\" "
                "fill=\"%s\">", i, x + width, y, MARK_SIZE, MARK_SIZE, MARK_SIZE, NOTE_COLOUR);
        node_title(out, c, i);
        fputs("</path>\n", out);
    }
}

/* The nodes [root, end) are root's subtree, depth first. Children are laid out from their
 * parent's left edge, each as wide as its share of the parent: of the parent's total, or
 * of the children's sum when that is larger (the parent's self time below zero). So no
 * node is ever wider than its parent, and the gaps, the self times, never exceed the root. */
static double draw_icicle(FILE *out, const chart *c, size_t root, size_t end, double *layout,
                          double y)
{
    const lindperf_tree *t = &c->tree;
    double *x = layout, *width = layout + t->count;
    double *cursor = layout + 2 * t->count;   /* the next free x under each node */
    int depth = 0;
    x[root] = MARGIN;
    width[root] = CHART_WIDTH - 2 * MARGIN;
    for (size_t i = root; i < end; i++) {
        const lindperf_tree_node *n = &t->nodes[i];
        if (i != root) {
            long p = n->parent;
            double whole = c->extent[p] > c->children_extent[p] ? c->extent[p]
                                                                : c->children_extent[p];
            width[i] = whole > 0 ? width[p] * c->extent[i] / whole : 0;
            x[i] = cursor[p];
            cursor[p] += width[i];
        }
        cursor[i] = x[i];
        int level = n->depth - t->nodes[root].depth;
        if (level > depth)
            depth = level;
        draw_node(out, c, i, x[i], width[i], y + level * ICICLE_ROW_HEIGHT);
    }
    return y + (depth + 1) * ICICLE_ROW_HEIGHT;
}

static void table_cell(FILE *out, double x, double y, const char *colour, const char *text)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"end\" fill=\"%s\">",
            x, y, FONT_SIZE, colour);
    xml_string(out, text);
    fputs("</text>\n", out);
}

/* The part of the root's width that a node's self time takes in the icicle: its self time
 * over the root's total, less where children were scaled to fit a parent they outweigh. So
 * a root's shares add up to at most 100%, as its picture does. */
static double drawn_share(const chart *c, const double *layout, size_t root, size_t i)
{
    const lindperf_tree *t = &c->tree;
    const double *width = layout + t->count;
    double gap = width[i];
    for (long k = t->nodes[i].first_child; k != LINDPERF_TREE_NONE; k = t->nodes[k].next_sibling)
        gap -= width[k];
    return width[root] > 0 && gap > 0 ? gap / width[root] : 0;
}

/* Every node of the subtree, indented under its caller, with the figures the icicle
 * cannot show. */
static double draw_table(FILE *out, const chart *c, size_t root, size_t end,
                         const double *layout, double y)
{
    const lindperf_tree *t = &c->tree;
    static const struct {
        double end;
        const char *heading;
    } columns[] = {{TABLE_CALLS_END, "calls"}, {TABLE_AVG_END, "avg"},
                   {TABLE_TOTAL_END, "total"}, {TABLE_SELF_END, "self"},
                   {TABLE_SHARE_END, "share"}};
    y += 18;
    for (size_t k = 0; k < sizeof columns / sizeof columns[0]; k++)
        table_cell(out, columns[k].end, y, "#666666", columns[k].heading);
    for (size_t i = root; i < end; i++) {
        const lindperf_tree_node *n = &t->nodes[i];
        double indent = (n->depth - t->nodes[root].depth) * TABLE_INDENT;
        double name_x = MARGIN + indent + 16;
        size_t name_chars = name_x < TABLE_NAME_END ? (TABLE_NAME_END - name_x) / CHAR_WIDTH : 0;
        char calls[32], share[32];
        node_figures f = figures_of(c, i);
        int below_zero = self_below_zero(n);
        snprintf(calls, sizeof calls, "%.0f", n->calls);
        if (below_zero)
            snprintf(f.self, sizeof f.self, "~0");
        snprintf(share, sizeof share, "%.1f%%", drawn_share(c, layout, root, i) * 100);
        y += ROW_HEIGHT - 2;
        fprintf(out, "<rect class=\"swatch\" x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" "
                "fill=\"%s\"/>\n", MARGIN + indent, y - 10, module_colour(c, n->module));
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-family=\"%s\" font-size=\"%d\">", name_x,
                y, MONO_FONT, FONT_SIZE);
        xml_text(out, n->name, n->name_length, name_chars > 4 ? name_chars : 4);
        fputs("</text>\n", out);
        table_cell(out, TABLE_CALLS_END, y, "#222222", calls);
        table_cell(out, TABLE_AVG_END, y, "#222222", f.avg);
        table_cell(out, TABLE_TOTAL_END, y, "#222222", f.total);
        table_cell(out, TABLE_SELF_END, y, below_zero ? NOTE_COLOUR : "#222222", f.self);
        table_cell(out, TABLE_SHARE_END, y, "#222222", share);
    }
    return y + 8;
}

/* What the figures are, in words: whether they are net above all. */
static double draw_call_path_notes(FILE *out, const chart *c, double y)
{
    const lindperf_tree *t = &c->tree;
    size_t below_zero = 0, estimated = 0;
    char text[320];
    for (size_t i = 0; i < t->count; i++) {
        below_zero += self_below_zero(&t->nodes[i]);
        estimated += t->nodes[i].estimated;
    }
    y = note(out, y, "#666666", t->from_parents
             ? "This file has no calling-context tree, so each counter is drawn under one "
               "parent, its most frequent caller, with all of its calls."
             : "Each calling context under its caller: a counter called from two places is "
               "drawn under both, with the calls and time it had there.");
    y = note(out, y, "#666666", "A node is as wide as its total; the gap its children leave "
             "under it is its self time (its total less its children's), and share is that gap "
             "over the root's width.");
    if (t->net < 0)
        y = note(out, y, NOTE_COLOUR, "The file does not say whether its figures are net, so "
                 "they are drawn as written; gross figures include the timer's own cost.");
    else if (!t->net)
        y = note(out, y, NOTE_COLOUR, "Figures are gross: each includes the timer's own cost, "
                 "about one empty scope per call, and the file names no empty scope to take out.");
    else if (t->netted_here)
        y = note(out, y, "#666666", "Figures are net: the file is gross, so each counter's "
                 "calls x its empty scope are taken out here (at least 0 left), as the text "
                 "report's call path does.");
    else
        y = note(out, y, "#666666", "Figures are net: the timer's own cost, the empty scope, "
                 "is taken out of each.");
    if (below_zero) {
        snprintf(text, sizeof text, "~0, red corner: in %zu node%s the children add up to more "
                 "than the node, from noise between separately timed runs:", below_zero,
                 below_zero == 1 ? "" : "s");
        y = note(out, y, NOTE_COLOUR, text);
        y = note(out, y, NOTE_COLOUR, "its self time is below zero, drawn as zero width, and "
                 "the children are scaled to fit it.");
    }
    if (estimated) {
        snprintf(text, sizeof text, LINDPERF_TREE_ESTIMATE_MARK ", faded and dashed: %zu node%s "
                 "could not keep %s context in the timed run, so %s the counter's per-call figure "
                 "times %s calls.", estimated, estimated == 1 ? "" : "s",
                 estimated == 1 ? "its" : "their", estimated == 1 ? "it gets" : "they get",
                 estimated == 1 ? "its" : "their");
        y = note(out, y, "#666666", text);
    }
    const lindperf_json *missed = lindperf_json_get(c->run->doc, "not_recorded");
    if (missed && missed->type == LINDPERF_JSON_NUMBER && missed->number > 0) {
        snprintf(text, sizeof text, "The discovery run could not record %.0f scope%s; the call "
                 "path may miss them.", missed->number, missed->number == 1 ? "" : "s");
        y = note(out, y, NOTE_COLOUR, text);
    }
    return y;
}

/* Returns the y below what it drew, or -1 when out of memory. */
static double draw_call_path(FILE *out, const chart *c, double y)
{
    const lindperf_tree *t = &c->tree;
    if (t->count == 0)
        return y;
    double *layout = malloc(3 * t->count * sizeof *layout);   /* see draw_icicle */
    if (!layout)
        return -1;
    y += 30;
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" font-weight=\"bold\">Call path"
            "</text>\n", MARGIN, y, FONT_SIZE + 3);
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" fill=\"%s\" text-anchor=\"end\">"
            "%s</text>\n", CHART_WIDTH - MARGIN, y, FONT_SIZE - 1,
            t->net == 1 ? "#666666" : NOTE_COLOUR,
            t->net == 1 ? "net figures" : t->net == 0 ? "gross figures" : "figures as written");
    y = draw_call_path_notes(out, c, y);
    for (size_t root = 0; root < t->count;) {
        size_t end = root + 1;
        while (end < t->count && t->nodes[end].parent != LINDPERF_TREE_NONE)
            end++;
        const lindperf_tree_node *r = &t->nodes[root];
        char total[48];
        lindperf_tree_format(r->has_total, r->total, r->estimated, c->run->unit, total,
                             sizeof total);
        y += 30;
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\"><tspan font-family=\"%s\" "
                "font-weight=\"bold\">", MARGIN, y, FONT_SIZE, MONO_FONT);
        xml_text(out, r->name, r->name_length, 0);
        fprintf(out, "</tspan>: %.0f call%s, total %s</text>\n", r->calls,
                r->calls == 1 ? "" : "s", total);
        y = draw_icicle(out, c, root, end, layout, y + 8);
        y = draw_table(out, c, root, end, layout, y);
        root = end;
    }
    free(layout);
    return y;
}

static double draw_title(FILE *out, const lindperf_run *run, double y)
{
    y += 22;
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" font-weight=\"bold\">lindperf "
            "results</text>\n", MARGIN, y, FONT_SIZE + 6);
    if (run->command) {
        y += 20;
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-family=\"%s\" font-size=\"%d\">", MARGIN,
                y, MONO_FONT, FONT_SIZE);
        xml_text(out, run->command, strlen(run->command), COMMAND_MAX_CHARS);
        fputs("</text>\n", out);
    }
    y += 18;
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" fill=\"#444444\">", MARGIN, y,
            FONT_SIZE);
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

/* 0, or -1 when out of memory. */
static int plot(const chart *c, FILE *out)
{
    const lindperf_run *run = c->run;
    char *body = NULL;
    size_t body_size = 0;
    FILE *b;

    /* The height is known only after drawing, so the body goes to memory first. */
    if (!(b = open_memstream(&body, &body_size)))
        return -1;
    double y = draw_title(b, run, 0);
    if (run->count == 0) {
        y += 24;
        fprintf(b, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\">No counter was reached in this "
                "run.</text>\n", MARGIN, y, FONT_SIZE);
    } else {
        y = draw_averages(b, c, y + 12);
        y = draw_call_path(b, c, y);
    }
    if (y < 0 || fclose(b) != 0) {
        free(body);
        return -1;
    }

    int height = (int)ceil(y) + MARGIN;
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"%s\" font-size=\"%d\">\n"
            "<title>lindperf results: ", CHART_WIDTH, height, CHART_WIDTH, height, SANS_FONT,
            FONT_SIZE);
    xml_string(out, run->path);
    fprintf(out, "</title>\n<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
            CHART_WIDTH, height);
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
            fprintf(stderr, "lindperf: one input file only ('%s' is a second); plot each run "
                    "on its own\n", a);
            return 2;
        }
    }
    if (!in || !out_path || !out_path[0]) {
        fprintf(stderr, "lindperf: give a results file and an output file: "
                "lindperf-plot IN.json -o OUT.svg\n");
        return 2;
    }

    /* Everything is read and checked before the output is opened, so bad input leaves no
     * file behind. */
    lindperf_run run;
    chart c;
    if (lindperf_run_load(in, &run) != 0)
        return 2;
    int status = chart_init(&c, &run);
    if (status != 0) {
        if (status < 0)
            fprintf(stderr, "lindperf: out of memory reading %s\n", in);
        lindperf_run_free(&run);
        return 2;
    }
    int to_stdout = strcmp(out_path, "-") == 0;
    FILE *out = to_stdout ? stdout : fopen(out_path, "w");
    if (!out) {
        fprintf(stderr, "lindperf: cannot write %s: %s\n", out_path, strerror(errno));
        chart_free(&c);
        lindperf_run_free(&run);
        return 2;
    }
    status = plot(&c, out);
    if (status != 0)
        fprintf(stderr, "lindperf: out of memory drawing %s\n", in);
    if ((to_stdout ? fflush(out) : fclose(out)) != 0 || (to_stdout && ferror(out))) {
        fprintf(stderr, "lindperf: could not write %s; check the disk space and the "
                "directory\n", out_path);
        status = -1;
    }
    chart_free(&c);
    lindperf_run_free(&run);
    return status == 0 ? 0 : 2;
}
