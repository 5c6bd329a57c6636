/* libFuzzer target: lindperf_try_parse_args over argument vectors made from the input,
 * in the measuring build and in the off build.
 *
 * The input's first byte picks the size of the message buffer (none, 1, 16 or 512 bytes);
 * the rest, split at each NUL byte, is the argument vector: argv[0] first, empty strings,
 * any byte, as many arguments as the input holds.
 *
 * Invariants, for both builds:
 *   success  argc never grows and argv[argc] == NULL; argv is the input less exactly the
 *            --perf* arguments before the first non-option ("-" is one) or "--", in order;
 *            no string is changed; the off build removes nothing at all.
 *   failure  argc, argv and every string are untouched, and the message starts with
 *            "lindperf:" (as far as the buffer holds it).
 * And for the measuring build, on success: every --perf* option taken is spelled as the
 * manual lists it, and the settings of --perf-repeat, --perf-solo, --perf-gbench and
 * --perf-tree-csv are the ones given, read here independently of the header's table. */
#define LINDPERF_IMPLEMENTATION   /* the program: the library's code, once */
#include "lindperf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int fuzz_off_try_parse_args(int *argc, char **argv, lindperf_timer *timer, char *why, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Some counters, so that --perf-only patterns can match. */
LINDPERF_COUNTER(fuzz, alpha);
LINDPERF_COUNTER(fuzz, beta);
LINDPERF_COUNTER(other, gamma);

static const size_t why_sizes[] = {0, 1, 16, 512};

typedef int parse_fn(int *argc, char **argv, lindperf_timer *timer, char *why, size_t size);

/* An option, as the manual has it: "-x..." but not "-" (an argument) nor "--" (the end). */
static int is_option(const char *arg)
{
    return arg[0] == '-' && arg[1] != 0 && strcmp(arg, "--") != 0;
}

/* The argument vector the parse must leave: argv[0], then the input's options before the
 * first non-option less the --perf* ones, then all the rest. */
static int expected_vector(int argc, char **in, char **out, int perf_removed)
{
    int kept = 0, i = 1;
    if (argc == 0)
        return 0;
    out[kept++] = in[0];
    for (; i < argc && is_option(in[i]); i++)
        if (!perf_removed || strncmp(in[i], "--perf", 6) != 0)
            out[kept++] = in[i];
    for (; i < argc; i++)
        out[kept++] = in[i];
    return kept;
}

/* The manual's flags: exact, or NAME= followed by a value. */
static const char *const exact_flags[] = {
    "--perf", "--perftsc", "--perf=clock", "--perf=tsc", "--perf-net", "--perf-detail",
    "--perf-tree", "--perf-solo",
};
static const char *const valued_flags[] = {
    "--perf-json=", "--perf-csv=", "--perf-gbench=", "--perf-tree-csv=", "--perf-only=",
    "--perf-repeat=",
};

static int listed_in_the_manual(const char *arg)
{
    for (size_t i = 0; i < sizeof exact_flags / sizeof exact_flags[0]; i++)
        if (strcmp(arg, exact_flags[i]) == 0)
            return 1;
    for (size_t i = 0; i < sizeof valued_flags / sizeof valued_flags[0]; i++)
        if (strncmp(arg, valued_flags[i], strlen(valued_flags[i])) == 0 &&
            arg[strlen(valued_flags[i])] != 0)
            return 1;
    return 0;
}

/* --perf-repeat's N: decimal digits worth 1 to 1000; 0 when it is not. */
static unsigned repeat_count(const char *digits)
{
    unsigned long n = 0;
    if (!*digits)
        return 0;
    for (; *digits; digits++) {
        if (*digits < '0' || *digits > '9')
            return 0;
        n = n * 10 + (unsigned long)(*digits - '0');
        if (n > 1000)
            return 0;
    }
    return (unsigned)n;
}

/* The value of `flag` among the options taken, or NULL. */
static const char *given(int argc, char **in, const char *flag)
{
    for (int i = 1; i < argc && is_option(in[i]); i++)
        if (strncmp(in[i], flag, strlen(flag)) == 0)
            return in[i] + strlen(flag);
    return NULL;
}

static void reset_settings(void)
{
    lindperf__g.repeat = 0;
    lindperf__g.solo = 0;
    lindperf__g.gbench_path = NULL;
    lindperf__g.tree_csv_path = NULL;
}

static void check_settings(int argc, char **in)
{
    for (int i = 1; i < argc && is_option(in[i]); i++)
        if (strncmp(in[i], "--perf", 6) == 0 && !listed_in_the_manual(in[i]))
            abort();
    const char *repeat = given(argc, in, "--perf-repeat=");
    if (repeat ? repeat_count(repeat) != lindperf__g.repeat || !lindperf__g.repeat
               : lindperf__g.repeat != 0)
        abort();
    if (lindperf__g.solo != (given(argc, in, "--perf-solo") ? 1 : 0))
        abort();
    if (lindperf__g.gbench_path != given(argc, in, "--perf-gbench="))
        abort();
    if (lindperf__g.tree_csv_path != given(argc, in, "--perf-tree-csv="))
        abort();
}

static void check(parse_fn *parse, int removes, int argc, char **original, char **argv,
                  const char *copy, size_t copy_size, size_t why_size)
{
    char why_buffer[512];
    char *why = why_size ? why_buffer : NULL;
    lindperf_timer timer = LINDPERF_OFF;
    int new_argc = argc;
    memset(why_buffer, 'x', sizeof why_buffer);
    memcpy(argv, original, ((size_t)argc + 1) * sizeof *argv);

    if (removes)
        reset_settings();
    int status = parse(&new_argc, argv, &timer, why, why_size);

    /* No string changes, whatever the result: they are the caller's. */
    size_t at = 0;
    for (int i = 0; i < argc; i++) {
        size_t len = strlen(original[i]);
        if (at + len >= copy_size + 1 || memcmp(original[i], copy + at, len + 1) != 0)
            abort();
        at += len + 1;
    }
    if (status == 0) {
        char **expected = malloc(((size_t)argc + 1) * sizeof *expected);
        if (!expected)
            abort();
        int kept = expected_vector(argc, original, expected, removes);
        if (new_argc > argc || new_argc != kept || argv[new_argc] != NULL)
            abort();
        for (int i = 0; i < kept; i++)
            if (argv[i] != expected[i])
                abort();
        for (int i = 1; i < new_argc && is_option(argv[i]); i++)
            if (strncmp(argv[i], "--perf", 6) == 0)
                abort();
        free(expected);
        if (removes)
            check_settings(argc, original);
    } else {
        if (status != -1 || new_argc != argc)
            abort();
        for (int i = 0; i <= argc; i++)
            if (argv[i] != original[i])
                abort();
        if (why_size) {
            size_t shown = why_size - 1 < 9 ? why_size - 1 : 9;
            if (memcmp(why, "lindperf:", shown) != 0 || !memchr(why, 0, why_size))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t why_size = why_sizes[data[0] % 4];
    data++;
    size--;

    /* The strings, NUL-terminated, in one block the parser could scribble on, and a copy. */
    char *strings = malloc(size + 1), *copy = malloc(size + 1);
    if (!strings || !copy)
        abort();
    memcpy(strings, data, size);
    strings[size] = 0;
    memcpy(copy, strings, size + 1);

    int argc = size ? 1 : 0;
    for (size_t i = 0; i < size; i++)
        argc += strings[i] == 0;
    char **original = malloc(((size_t)argc + 1) * sizeof *original);
    char **argv = malloc(((size_t)argc + 1) * sizeof *argv);
    if (!original || !argv)
        abort();
    char *s = strings;
    for (int i = 0; i < argc; i++) {
        original[i] = s;
        s += strlen(s) + 1;
    }
    original[argc] = NULL;

    check(lindperf_try_parse_args, 1, argc, original, argv, copy, size, why_size);
    check(fuzz_off_try_parse_args, 0, argc, original, argv, copy, size, why_size);

    free(argv);
    free(original);
    free(copy);
    free(strings);
    return 0;
}
