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
 *            "lindperf:" (as far as the buffer holds it). */
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

static void check(parse_fn *parse, int removes, int argc, char **original, char **argv,
                  const char *copy, size_t copy_size, size_t why_size)
{
    char why_buffer[512];
    char *why = why_size ? why_buffer : NULL;
    lindperf_timer timer = LINDPERF_OFF;
    int new_argc = argc;
    memset(why_buffer, 'x', sizeof why_buffer);
    memcpy(argv, original, ((size_t)argc + 1) * sizeof *argv);

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
