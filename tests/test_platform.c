/* The platform layer, on whatever machine runs it (make check-cross runs it on aarch64
 * under qemu, on i686 and under musl too): the counter is named for what is read, its
 * frequency comes from where the timer line says, LINDPERF_TSC_HZ overrides it and warns
 * when a tick outlasts an empty scope, and every 64-bit figure that threads share is 8-byte
 * aligned and never seen half-written. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lindperf.h"

#if defined(__aarch64__)
#define TSC_JSON "\"timer\": \"cntvct\",\n  \"unit\": \"ticks\",\n"
#define TICK "tick"
#define HZ 62.5e6
#define SOURCE "cntfrq_el0"
#define TIMER_LINE \
    "timer: generic timer cntvct_el0 62.500 MHz (cntfrq_el0); empty scope 2.0 ticks " \
    "= 32.0 ns; figures gross\n"
#else
#define TSC_JSON "\"timer\": \"tsc\",\n  \"unit\": \"cycles\",\n"
#define TICK "cyc"
#define HZ 3e9
#define SOURCE "cpuid 0x15"
#define TIMER_LINE \
    "timer: tsc 3.000 GHz (cpuid 0x15); empty scope 2.0 cycles = 0.7 ns; figures gross\n"
#endif

/* What `write` prints to a FILE, as a string the caller frees. */
static char *printed(void (*write)(FILE *, const lindperf__snapshot *), const lindperf__snapshot *s)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    write(f, s);
    fclose(f);
    return text;
}

static void timer_line(FILE *f, const lindperf__snapshot *s) { lindperf__put_timer_line(f, s); }
static void json(FILE *f, const lindperf__snapshot *s) { lindperf__json_snapshot(f, s); }

static lindperf__snapshot tsc_snapshot(void)
{
    lindperf__snapshot s;
    memset(&s, 0, sizeof s);
    s.timer = LINDPERF_TSC;
    s.floor = s.floor_low = s.floor_high = 2;
    s.tsc_hz = HZ;
    s.tsc_hz_source = SOURCE;
    return s;
}

static void the_timer_line_names_the_counter_its_rate_and_its_unit(void **state)
{
    (void)state;
    lindperf__snapshot s = tsc_snapshot();
    char *text = printed(timer_line, &s);
    assert_string_equal(text, TIMER_LINE);
    free(text);
}

static void the_json_names_the_counter_and_its_unit(void **state)
{
    (void)state;
    lindperf__snapshot s = tsc_snapshot();
    char *text = printed(json, &s);
    if (!strstr(text, TSC_JSON))
        fail_msg("the JSON header does not hold %s:\n%s", TSC_JSON, text);
    free(text);
}

static void table_values_under_the_counter_are_in_its_unit(void **state)
{
    (void)state;
    const struct { double value; const char *text; } cases[] = {
        {0, "0.000" TICK},           {999, "999.000" TICK},     {1000, "1.000K" TICK},
        {2500000, "2.500M" TICK},    {3e9, "3.000G" TICK},      {4e12, "4.000T" TICK},
        {999999.5, "1.000M" TICK},   {999.9994, "999.999" TICK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        lindperf__format_value(buf, sizeof buf, cases[i].value, LINDPERF_TSC);
        assert_string_equal(buf, cases[i].text);
    }
}

/* lindperf_tsc_hz measured afresh, with what it printed on stderr (the caller frees it). */
static char *tsc_hz_afresh(double *hz, const char **source)
{
    FILE *capture = tmpfile();
    assert_non_null(capture);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fileno(capture), STDERR_FILENO);
    lindperf__g.tsc_hz = 0;
    *hz = lindperf_tsc_hz();
    *source = lindperf__g.tsc_hz_source;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    long size = ftell(capture);
    char *text = (char *)calloc(1, (size_t)(size > 0 ? size : 0) + 1);
    assert_non_null(text);
    rewind(capture);
    if (size > 0 && fread(text, 1, (size_t)size, capture) != (size_t)size)
        fail_msg("could not read back stderr");
    fclose(capture);
    return text;
}

static int reset_environment(void **state)
{
    (void)state;
    unsetenv("LINDPERF_TSC_HZ");
    unsetenv("LINDPERF_NO_TSC");
    return 0;
}

/* Only a sanity range: under emulation the rate is whatever the emulator says. */
static void the_hardware_rate_is_plausible_and_says_where_it_came_from(void **state)
{
    (void)state;
    double hz;
    const char *source;
    free(tsc_hz_afresh(&hz, &source));
    print_message("counter: %.0f Hz (%s)\n", hz, source ? source : "no source");
    assert_true(hz >= 1e6 && hz <= 1e11);
    assert_non_null(source);
#if defined(__aarch64__)
    assert_string_equal(source, "cntfrq_el0");
#endif
}

static void lindperf_tsc_hz_overrides_the_rate_and_a_coarse_tick_warns(void **state)
{
    (void)state;
    double hz;
    const char *source;
    setenv("LINDPERF_TSC_HZ", "1000000", 1);   /* a 1000 ns tick outlasts any empty scope */
    char *err = tsc_hz_afresh(&hz, &source);
    assert_true(hz == 1e6);
    assert_string_equal(source, "LINDPERF_TSC_HZ");
    if (!strstr(err, "lindperf: one tick of the ") || !strstr(err, "(1.000 MHz) lasts 1000.0 ns") ||
        !strstr(err, "use --perf"))
        fail_msg("no warning of a coarse tick on stderr, which held: '%s'", err);
    free(err);
}

static void a_fine_tick_does_not_warn(void **state)
{
    (void)state;
    double hz;
    const char *source;
    setenv("LINDPERF_TSC_HZ", "1e12", 1);   /* a tick of 1 ps: no timer read is that fast */
    char *err = tsc_hz_afresh(&hz, &source);
    assert_true(hz == 1e12);
    assert_string_equal(err, "");
    free(err);
}

static void a_rate_that_is_not_one_is_refused_with_perftsc_and_ignored_by_the_api(void **state)
{
    (void)state;
    const char *bad[] = {"abc", "", "0", "-5", "25MHz", "1e13", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char why[256] = "", arg0[] = "host", arg1[] = "--perftsc", arg2[] = "prog";
        char *argv[] = {arg0, arg1, arg2, NULL};
        int argc = 3;
        lindperf_timer t = LINDPERF_OFF;
        setenv("LINDPERF_TSC_HZ", bad[i], 1);
        assert_int_equal(lindperf_try_parse_args(&argc, argv, &t, why, sizeof why), -1);
        assert_int_equal(argc, 3);
        if (strncmp(why, "lindperf: LINDPERF_TSC_HZ=", 26) != 0 || !strstr(why, "unset it"))
            fail_msg("LINDPERF_TSC_HZ='%s' was refused with '%s'", bad[i], why);

        double hz;
        const char *source;
        char *err = tsc_hz_afresh(&hz, &source);
        assert_true(hz >= 1e6 && hz <= 1e11);
        assert_true(strcmp(source, "LINDPERF_TSC_HZ") != 0);
        if (strncmp(err, "lindperf: LINDPERF_TSC_HZ=", 26) != 0)
            fail_msg("LINDPERF_TSC_HZ='%s' was ignored without a word: '%s'", bad[i], err);
        free(err);
    }
}

#define IS_8_ALIGNED(type, field) (offsetof(type, field) % 8 == 0)

/* i386 aligns uint64_t to 4 inside a struct; these would fail there without lindperf__u64. */
static void every_shared_64_bit_figure_is_8_byte_aligned(void **state)
{
    (void)state;
    assert_int_equal(__alignof__(lindperf__u64), 8);
    assert_int_equal(__alignof__(lindperf__slot), 8);
    assert_true(IS_8_ALIGNED(lindperf__slot, calls) && IS_8_ALIGNED(lindperf__slot, total));
    assert_true(IS_8_ALIGNED(lindperf__histogram, count) &&
                IS_8_ALIGNED(lindperf__histogram, min) &&
                IS_8_ALIGNED(lindperf__histogram, max) &&
                IS_8_ALIGNED(lindperf__histogram, buckets));
    assert_true(IS_8_ALIGNED(lindperf__stats, retired) && IS_8_ALIGNED(lindperf__stats, overflow) &&
                IS_8_ALIGNED(lindperf__stats, baseline));
    assert_int_equal((uintptr_t)&lindperf__net_floor % 8, 0);
    assert_int_equal(LINDPERF__SLOTS_OFFSET % 8, 0);
}

/* Two values that differ in both halves: a store or load made of two 32-bit halves would
 * sooner or later be seen as one of the mixed values 0 or 0x1ffffffff. */
#define LOW_HALF_FULL 0x00000000ffffffffull
#define HIGH_HALF_ONE 0x0000000100000000ull
#define FLIPS 200000

static lindperf__u64 flipped = LOW_HALF_FULL;
static lindperf__slot shared_slot;
static int reading, flipping_done;

/* The writer starts once the reader reads, and the reader reads until the writer is done,
 * so the two overlap whatever the scheduler does. */
static void *flip(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&reading, __ATOMIC_ACQUIRE))
        ;
    for (int i = 0; i < FLIPS; i++)
        lindperf__store(&flipped, i % 2 ? LOW_HALF_FULL : HIGH_HALF_ONE);
    __atomic_store_n(&flipping_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void a_shared_figure_is_never_seen_half_written(void **state)
{
    (void)state;
    pthread_t writer;
    assert_int_equal(pthread_create(&writer, NULL, flip, NULL), 0);
    uint64_t torn = 0, reads = 0;
    __atomic_store_n(&reading, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&flipping_done, __ATOMIC_ACQUIRE)) {
        uint64_t v = lindperf__load(&flipped);
        torn += v != LOW_HALF_FULL && v != HIGH_HALF_ONE;
        reads++;
    }
    pthread_join(writer, NULL);
    print_message("%llu reads during %d stores\n", (unsigned long long)reads, FLIPS);
    assert_int_equal(torn, 0);
}

/* Each add carries into the high half, so a lost carry or a torn add shows in the total. */
#define ADDS 50000
#define CARRYING 0x80000001ull

static void *add_to_the_overflow_slot(void *arg)
{
    (void)arg;
    for (int i = 0; i < ADDS; i++)
        lindperf__overflow_add(&shared_slot, CARRYING);
    return NULL;
}

static void atomic_adds_to_a_shared_slot_lose_no_carry(void **state)
{
    (void)state;
    pthread_t a, b;
    assert_int_equal(pthread_create(&a, NULL, add_to_the_overflow_slot, NULL), 0);
    assert_int_equal(pthread_create(&b, NULL, add_to_the_overflow_slot, NULL), 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    assert_int_equal(lindperf__load(&shared_slot.calls), 2 * ADDS);
    assert_true(lindperf__load(&shared_slot.total) == 2 * ADDS * CARRYING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_timer_line_names_the_counter_its_rate_and_its_unit),
        cmocka_unit_test(the_json_names_the_counter_and_its_unit),
        cmocka_unit_test(table_values_under_the_counter_are_in_its_unit),
        cmocka_unit_test_setup(the_hardware_rate_is_plausible_and_says_where_it_came_from,
                               reset_environment),
        cmocka_unit_test_setup(lindperf_tsc_hz_overrides_the_rate_and_a_coarse_tick_warns,
                               reset_environment),
        cmocka_unit_test_setup(a_fine_tick_does_not_warn, reset_environment),
        cmocka_unit_test_setup(
            a_rate_that_is_not_one_is_refused_with_perftsc_and_ignored_by_the_api,
            reset_environment),
        cmocka_unit_test(every_shared_64_bit_figure_is_8_byte_aligned),
        cmocka_unit_test(a_shared_figure_is_never_seen_half_written),
        cmocka_unit_test(atomic_adds_to_a_shared_slot_lose_no_carry),
    };
    int failed = cmocka_run_group_tests(tests, reset_environment, NULL);
    unsetenv("LINDPERF_TSC_HZ");
    return failed;
}
