/* lindperf-run.h: loads one lindperf results file (the JSON of --perf-json, schema 1 or 2)
 * for lindperf-compare and lindperf-plot, and formats its figures the way the text
 * report does.
 *
 *     lindperf_run run;
 *     if (lindperf_run_load("run.json", &run) != 0) exit(2);    (the message is printed)
 *     for (size_t i = 0; i < run.count; i++) ... run.counters[i].avg ...
 *     lindperf_run_free(&run);
 *
 * Loading checks everything the tools rely on, so that they can trust the struct:
 * a schema they know, a unit, and for each counter a module, a name, calls, total and
 * avg. Fields that a run may lack (p50 without --perf-detail, parent for roots) are
 * flagged, never guessed. Strings point into the parsed document and live as long as
 * the run.
 *
 * Schema 2 (docs/design.md) adds the run's mode, repetitions, runs, detail and program,
 * and per counter one sample per repetition ({"gross", "net", "p50"}, the last two null
 * when not measured); they are read when present and checked like the rest. A schema-1
 * file was written by a host that timed one counter per run, once: it reads as mode
 * "solo", one repetition, and no samples.
 */
#ifndef LINDPERF_RUN_H
#define LINDPERF_RUN_H

#include <math.h>
#include "lindperf-json.h"

#define LINDPERF_RUN_SCHEMA 2   /* and schema 1, whose fields schema 2 keeps */

typedef struct {
    const char *module;
    const char *name;               /* "module::name"; may hold NUL bytes, hence the length */
    size_t name_length;
    const char *parent;             /* the enclosing counter's name; NULL for a root or unknown */
    size_t parent_length;
    double calls, total, avg;
    int has_p50;
    double p50;
    size_t line;                    /* where the counter's object starts in the file */
    struct lindperf_run_sample *samples;    /* one per repetition; NULL in schema 1 */
    size_t sample_count;
} lindperf_run_counter;

/* One repetition's figures of a counter (schema 2): has_net and has_p50 say whether the
 * run measured them (--perf-net, --perf-detail). */
typedef struct lindperf_run_sample {
    double gross, net, p50;
    int has_net, has_p50;
} lindperf_run_sample;

typedef struct {
    const char *path;
    const char *unit;               /* "ns", "cycles" or "ticks"; others are passed through */
    const char *timer;              /* NULL when absent */
    int net;                        /* 1 net, 0 gross, -1 not said */
    const char *host, *cpu, *date, *command;   /* NULL when absent or null */
    int schema;
    double tsc_hz;                  /* cycles or ticks per second; 0 when not known */
    const char *mode;               /* "solo" or "batched"; NULL when not said */
    double repetitions, runs;       /* 0 when not said */
    int detail;                     /* 1, 0, or -1 when not said */
    const char *program;            /* the host's arguments after the perf flags, or NULL */
    lindperf_run_counter *counters;
    size_t count;
    lindperf_json *doc;
} lindperf_run;

/* The string value of `key`, or NULL when it is absent, null or not a string. */
static const char *lindperf_run__string(const lindperf_json *object, const char *key,
                                        size_t *length)
{
    const lindperf_json *v = lindperf_json_get(object, key);
    if (!v || v->type != LINDPERF_JSON_STRING)
        return NULL;
    if (length)
        *length = v->length;
    return v->string;
}

/* A figure that a file may leave out: a number, or null or absent for "not measured"
 * (*present 0, *value 0). 0, or -1 when it is something else. */
static inline int lindperf_run_optional_number(const lindperf_json *object, const char *key,
                                               double *value, int *present)
{
    const lindperf_json *v = lindperf_json_get(object, key);
    *present = v && v->type == LINDPERF_JSON_NUMBER;
    *value = *present ? v->number : 0;
    return !v || *present || v->type == LINDPERF_JSON_NULL ? 0 : -1;
}

/* A sample's "net" or "p50", with a message when it is neither a number nor null. */
static int lindperf_run__optional(const lindperf_run *run, const lindperf_run_counter *c,
                                  const lindperf_json *sample, const char *key, double *value,
                                  int *present)
{
    if (lindperf_run_optional_number(sample, key, value, present) != 0) {
        const lindperf_json *v = lindperf_json_get(sample, key);
        fprintf(stderr, "lindperf: %s:%zu: a sample of %s has \"%s\" %s, not a number or null; "
                "is this a lindperf --perf-json file?\n", run->path, sample->line, c->name, key,
                lindperf_json_type_name(v->type));
        return -1;
    }
    return 0;
}

static int lindperf_run__samples(const lindperf_run *run, const lindperf_json *item,
                                 lindperf_run_counter *c)
{
    const lindperf_json *samples = lindperf_json_get(item, "samples");
    if (!samples || samples->type == LINDPERF_JSON_NULL)
        return 0;
    if (samples->type != LINDPERF_JSON_ARRAY) {
        fprintf(stderr, "lindperf: %s:%zu: \"samples\" of %s is %s, not an array\n",
                run->path, samples->line, c->name, lindperf_json_type_name(samples->type));
        return -1;
    }
    c->samples = calloc(samples->count ? samples->count : 1, sizeof *c->samples);
    if (!c->samples) {
        fprintf(stderr, "lindperf: out of memory reading %s\n", run->path);
        return -1;
    }
    c->sample_count = samples->count;
    for (size_t i = 0; i < samples->count; i++) {
        const lindperf_json *s = &samples->items[i];
        const lindperf_json *gross = lindperf_json_get(s, "gross");
        if (!gross || gross->type != LINDPERF_JSON_NUMBER) {
            fprintf(stderr, "lindperf: %s:%zu: sample %zu of %s has no number \"gross\"; "
                    "is this a lindperf --perf-json file?\n", run->path, s->line, i + 1, c->name);
            return -1;
        }
        lindperf_run_sample *sample = &c->samples[i];
        sample->gross = gross->number;
        if (lindperf_run__optional(run, c, s, "net", &sample->net, &sample->has_net) != 0 ||
            lindperf_run__optional(run, c, s, "p50", &sample->p50, &sample->has_p50) != 0)
            return -1;
    }
    return 0;
}

static int lindperf_run__counter(const lindperf_run *run, size_t index, const lindperf_json *item,
                                 lindperf_run_counter *c)
{
    static const char *const required[] = {"calls", "total", "avg"};
    double *fields[] = {&c->calls, &c->total, &c->avg};

    c->line = item->line;
    if (item->type != LINDPERF_JSON_OBJECT) {
        fprintf(stderr,
                "lindperf: %s:%zu: counter %zu is %s, not an object; "
                "is this a lindperf --perf-json file?\n",
                run->path, item->line, index + 1, lindperf_json_type_name(item->type));
        return -1;
    }
    c->name = lindperf_run__string(item, "name", &c->name_length);
    c->module = lindperf_run__string(item, "module", NULL);
    if (!c->name || !c->module) {
        fprintf(stderr,
                "lindperf: %s:%zu: counter %zu has no string \"%s\"; "
                "is this a lindperf --perf-json file?\n",
                run->path, item->line, index + 1, c->name ? "module" : "name");
        return -1;
    }
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const lindperf_json *v = lindperf_json_get(item, required[i]);
        if (!v || v->type != LINDPERF_JSON_NUMBER) {
            fprintf(stderr,
                    "lindperf: %s:%zu: counter %s has no number \"%s\"; "
                    "is this a lindperf --perf-json file?\n",
                    run->path, item->line, c->name, required[i]);
            return -1;
        }
        *fields[i] = v->number;
    }
    /* The status is dropped on purpose: a counter's p50 of another type reads as absent. */
    (void)lindperf_run_optional_number(item, "p50", &c->p50, &c->has_p50);
    c->parent = lindperf_run__string(item, "parent", &c->parent_length);
    return lindperf_run__samples(run, item, c);
}

static inline void lindperf_run_free(lindperf_run *run)
{
    for (size_t i = 0; run->counters && i < run->count; i++)
        free(run->counters[i].samples);
    free(run->counters);
    lindperf_json_free(run->doc);
    memset(run, 0, sizeof *run);
}

/* 0, or -1 after printing a "lindperf:" message that names the file and the problem. */
static inline int lindperf_run_load(const char *path, lindperf_run *run)
{
    lindperf_json_error err;

    memset(run, 0, sizeof *run);
    run->path = path;
    run->net = -1;
    run->doc = lindperf_json_read_file(path, &err);
    if (!run->doc) {
        if (err.line == 0)
            fprintf(stderr, "lindperf: cannot read %s: %s\n", path, err.message);
        else
            fprintf(stderr, "lindperf: %s:%zu:%zu: invalid JSON: %s\n", path, err.line, err.column,
                    err.message);
        return -1;
    }

    const lindperf_json *doc = run->doc;
    const lindperf_json *schema = lindperf_json_get(doc, "schema");
    const lindperf_json *counters = lindperf_json_get(doc, "counters");
    if (doc->type != LINDPERF_JSON_OBJECT || !schema || !counters) {
        fprintf(stderr,
                "lindperf: %s is not a lindperf results file (no \"schema\" or no \"counters\"); "
                "write one with --perf-json=FILE\n", path);
        goto fail;
    }
    if (schema->type != LINDPERF_JSON_NUMBER) {
        fprintf(stderr,
                "lindperf: %s:%zu: \"schema\" is %s, not a number; "
                "is this a lindperf results file?\n",
                path, schema->line, lindperf_json_type_name(schema->type));
        goto fail;
    }
    if (schema->number != 1 && schema->number != LINDPERF_RUN_SCHEMA) {
        fprintf(stderr, "lindperf: %s uses results schema %g, but this tool reads schemas 1 to %d; "
                "use the tools of the lindperf that wrote it\n",
                path, schema->number, LINDPERF_RUN_SCHEMA);
        goto fail;
    }
    run->unit = lindperf_run__string(doc, "unit", NULL);
    if (!run->unit || !run->unit[0]) {
        fprintf(stderr, "lindperf: %s has no \"unit\"; it must say \"ns\", \"cycles\" or "
                "\"ticks\"\n", path);
        goto fail;
    }
    if (counters->type != LINDPERF_JSON_ARRAY) {
        fprintf(stderr, "lindperf: %s:%zu: \"counters\" is %s, not an array\n",
                path, counters->line, lindperf_json_type_name(counters->type));
        goto fail;
    }

    const lindperf_json *net = lindperf_json_get(doc, "net");
    if (net && (net->type == LINDPERF_JSON_TRUE || net->type == LINDPERF_JSON_FALSE))
        run->net = net->type == LINDPERF_JSON_TRUE;
    run->timer = lindperf_run__string(doc, "timer", NULL);
    run->host = lindperf_run__string(doc, "host", NULL);
    run->cpu = lindperf_run__string(doc, "cpu", NULL);
    run->date = lindperf_run__string(doc, "date", NULL);
    run->command = lindperf_run__string(doc, "command", NULL);
    run->schema = (int)schema->number;
    run->program = lindperf_run__string(doc, "program", NULL);
    run->mode = lindperf_run__string(doc, "mode", NULL);
    if (!run->mode && run->schema == 1)
        run->mode = "solo";
    const lindperf_json *v = lindperf_json_get(doc, "tsc_hz");
    run->tsc_hz = v && v->type == LINDPERF_JSON_NUMBER && v->number > 0 ? v->number : 0;
    v = lindperf_json_get(doc, "repetitions");
    run->repetitions = v && v->type == LINDPERF_JSON_NUMBER ? v->number : run->schema == 1;
    v = lindperf_json_get(doc, "runs");
    run->runs = v && v->type == LINDPERF_JSON_NUMBER ? v->number : 0;
    v = lindperf_json_get(doc, "detail");
    run->detail = v && (v->type == LINDPERF_JSON_TRUE || v->type == LINDPERF_JSON_FALSE)
                      ? v->type == LINDPERF_JSON_TRUE
                      : -1;

    run->count = counters->count;
    run->counters = calloc(run->count ? run->count : 1, sizeof *run->counters);
    if (!run->counters) {
        fprintf(stderr, "lindperf: out of memory reading %s\n", path);
        goto fail;
    }
    for (size_t i = 0; i < run->count; i++)
        if (lindperf_run__counter(run, i, &counters->items[i], &run->counters[i]) != 0)
            goto fail;
    return 0;

fail:
    lindperf_run_free(run);
    return -1;
}

static inline int lindperf_run_same_name(const char *a, size_t a_length, const char *b,
                                         size_t b_length)
{
    return a && b && a_length == b_length && memcmp(a, b, a_length) == 0;
}

/* The index of the counter called `name`, or -1. */
static inline long lindperf_run_find(const lindperf_run *run, const char *name, size_t length)
{
    for (size_t i = 0; i < run->count; i++)
        if (lindperf_run_same_name(run->counters[i].name, run->counters[i].name_length, name,
                                   length))
            return (long)i;
    return -1;
}

/* Writes `value` (in `unit`) scaled like the text report: 94.000ns, 12.482µs, 111.282ms,
 * 1.250s; 123.000cyc, 94.274Mcyc. `decimals` is 3 in tables, 0 on chart axes. A unit the
 * tools do not know is printed after the raw number. */
static inline void lindperf_run_format(double value, const char *unit, int decimals, char *buf,
                                       size_t size)
{
    static const char *const time_units[] = {"ns", "µs", "ms", "s"};
    static const char *const cycle_units[] = {"cyc", "Kcyc", "Mcyc", "Gcyc"};
    static const char *const tick_units[] = {"tick", "Ktick", "Mtick", "Gtick"};
    const char *const *names;
    size_t step = 0, last = 3;

    if (strcmp(unit, "ns") == 0) {
        names = time_units;
    } else if (strcmp(unit, "cycles") == 0) {
        names = cycle_units;
    } else if (strcmp(unit, "ticks") == 0) {
        names = tick_units;
    } else {
        snprintf(buf, size, "%.*f %s", decimals, value, unit);
        return;
    }
    double scaled = value;
    /* Round first, so that 999.9996ns prints as 1.000µs rather than 1000.000ns. */
    double round_at = 1000.0 - 0.5 * pow(10.0, -decimals);
    while (step < last && fabs(scaled) >= round_at) {
        scaled /= 1000.0;
        step++;
    }
    snprintf(buf, size, "%.*f%s", decimals, scaled, names[step]);
}

#endif
