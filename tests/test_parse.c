/* lindperf_parse_args and lindperf_try_parse_args: which timer each flag selects, which
 * arguments are the host's and which the program's, how argv is left, and every bad use,
 * which must end the program with status 2 and one "lindperf:" line on stderr (checked in
 * a forked child). */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lindperf.h"

/* For --perf-only to match. */
LINDPERF_COUNTER(parse, alpha);
LINDPERF_COUNTER(parse, beta);

#define MAX_ARGS 32

/* A mutable argv, as main gets it: argv[argc] == NULL, and a copy of the original
 * pointers to tell whether the parser rewrote it. */
typedef struct args {
    int argc;
    char *argv[MAX_ARGS + 1];
    char *original[MAX_ARGS + 1];
} args;

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static args make_args(const char *const *list)
{
    args a;
    memset(&a, 0, sizeof a);
    while (list[a.argc] && a.argc < MAX_ARGS) {
        a.argv[a.argc] = (char *)list[a.argc];
        a.argc++;
    }
    a.argv[a.argc] = NULL;
    memcpy(a.original, a.argv, sizeof a.argv);
    return a;
}

static void assert_argv_is(const args *a, const char *const *expected)
{
    int n = 0;
    while (expected[n])
        n++;
    assert_int_equal(a->argc, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(a->argv[i], expected[i]);
    assert_null(a->argv[n]);
}

static void assert_argv_untouched(const args *a)
{
    int n = 0;
    while (a->original[n])
        n++;
    assert_int_equal(a->argc, n);
    assert_memory_equal(a->argv, a->original, sizeof a->argv);
}

static lindperf_timer parse_ok(args *a)
{
    char why[512] = "";
    lindperf_timer t = LINDPERF_OFF;
    if (lindperf_try_parse_args(&a->argc, a->argv, &t, why, sizeof why) != 0)
        fail_msg("lindperf_try_parse_args refused %s: %s", a->original[1], why);
    return t;
}

/* try_parse refuses the arguments: -1, a "lindperf:" reason naming `culprit`, argv as it was. */
static void assert_refused(const char *const *list, const char *culprit)
{
    args a = make_args(list);
    char why[512] = "";
    lindperf_timer t = LINDPERF_CLOCK;
    int status = lindperf_try_parse_args(&a.argc, a.argv, &t, why, sizeof why);
    if (status != -1)
        fail_msg("lindperf_try_parse_args accepted the arguments with %s", culprit);
    if (strncmp(why, "lindperf: ", 10) != 0)
        fail_msg("the reason does not start with \"lindperf: \": %s", why);
    if (!strstr(why, culprit))
        fail_msg("the reason does not name %s: %s", culprit, why);
    assert_null(strchr(why, '\n'));
    assert_argv_untouched(&a);
}

/* lindperf_parse_args ends the program with status 2 and exactly one stderr line that
 * starts with "lindperf:" and names `culprit`. Run in a child, since it exits. */
static void assert_exits_2(const char *const *list, const char *culprit)
{
    int pipe_fds[2];
    assert_int_equal(pipe(pipe_fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pipe_fds[1], STDERR_FILENO);
        close(pipe_fds[0]);
        args a = make_args(list);
        lindperf_parse_args(&a.argc, a.argv);
        _exit(0);   /* parse_args returned: the arguments were accepted */
    }
    close(pipe_fds[1]);
    char err[2048];
    size_t len = 0;
    ssize_t got;
    while ((got = read(pipe_fds[0], err + len, sizeof err - 1 - len)) > 0)
        len += (size_t)got;
    err[len] = 0;
    close(pipe_fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 2)
        fail_msg("with %s: expected exit status 2, got %s %d (stderr: %s)", culprit,
                 WIFEXITED(status) ? "exit" : "signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), err);
    if (strncmp(err, "lindperf: ", 10) != 0)
        fail_msg("with %s: stderr does not start with \"lindperf: \": %s", culprit, err);
    if (len == 0 || err[len - 1] != '\n' || strchr(err, '\n') != err + len - 1)
        fail_msg("with %s: stderr is not exactly one line: %s", culprit, err);
    if (!strstr(err, culprit))
        fail_msg("with %s: stderr does not name it: %s", culprit, err);
}

/* Both checks on one bad command line. */
static void assert_bad(const char *const *list, const char *culprit)
{
    assert_refused(list, culprit);
    assert_exits_2(list, culprit);
}

static int no_tsc_override(void **state)
{
    (void)state;
    unsetenv("LINDPERF_NO_TSC");
    return 0;
}

/* --- the timers */

static void perf_selects_the_clock(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "--perf", "prog"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
    assert_argv_is(&a, ARGS("host", "prog"));
}

static void perf_equals_clock_selects_the_clock(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "--perf=clock", "prog"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
    assert_argv_is(&a, ARGS("host", "prog"));
}

static void perftsc_selects_the_timestamp_counter(void **state)
{
    (void)state;
    if (!lindperf__tsc_available())
        skip();
    args a = make_args(ARGS("host", "--perftsc", "prog"));
    assert_int_equal(parse_ok(&a), LINDPERF_TSC);
    assert_argv_is(&a, ARGS("host", "prog"));
}

static void perf_equals_tsc_selects_the_timestamp_counter(void **state)
{
    (void)state;
    if (!lindperf__tsc_available())
        skip();
    args a = make_args(ARGS("host", "--perf=tsc", "prog"));
    assert_int_equal(parse_ok(&a), LINDPERF_TSC);
    assert_argv_is(&a, ARGS("host", "prog"));
}

static void no_perf_flag_selects_no_timer_and_keeps_argv(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "-v", "prog", "x"));
    assert_int_equal(parse_ok(&a), LINDPERF_OFF);
    assert_argv_is(&a, ARGS("host", "-v", "prog", "x"));
    assert_argv_untouched(&a);
}

static void parse_args_returns_the_timer_without_exiting(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "--perf", "prog"));
    assert_int_equal(lindperf_parse_args(&a.argc, a.argv), LINDPERF_CLOCK);
    assert_argv_is(&a, ARGS("host", "prog"));
}

/* --- what is the host's and what is the program's */

static void parse_stops_at_the_first_non_option(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "-v", "--perf", "prog", "--perftsc", "--perf=bad", "--perf-x"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
    assert_argv_is(&a, ARGS("host", "-v", "prog", "--perftsc", "--perf=bad", "--perf-x"));
}

static void perf_flag_after_the_program_is_the_programs(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "prog", "--perf"));
    assert_int_equal(parse_ok(&a), LINDPERF_OFF);
    assert_argv_is(&a, ARGS("host", "prog", "--perf"));
}

static void double_dash_ends_the_hosts_options(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "--perf", "--", "--perftsc", "prog"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
    assert_argv_is(&a, ARGS("host", "--", "--perftsc", "prog"));
}

static void taken_flags_are_removed_and_the_rest_keep_their_order(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "-a", "--perf-net", "-b", "--perf", "--perf-detail", "-c",
                            "--perf-tree", "--perf-json=/tmp/lindperf-test.json",
                            "--perf-csv=/tmp/lindperf-test.csv", "--perf-only=parse::*",
                            "--perf-only=*::beta", "prog", "--perf-net", "arg"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
    assert_argv_is(&a, ARGS("host", "-a", "-b", "-c", "prog", "--perf-net", "arg"));
}

static void modifiers_may_come_before_the_timer(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "--perf-detail", "--perf-net", "--perf=clock"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
    assert_argv_is(&a, ARGS("host"));
}

static void perf_only_matching_a_counter_is_accepted(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "--perf", "--perf-only=parse::alpha", "--perf-only=p*::b?ta"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
    assert_argv_is(&a, ARGS("host"));
}

static void only_the_program_name_parses_to_no_timer(void **state)
{
    (void)state;
    args a = make_args(ARGS("host"));
    assert_int_equal(parse_ok(&a), LINDPERF_OFF);
    assert_argv_is(&a, ARGS("host"));
}

static void empty_argv_parses_to_no_timer(void **state)
{
    (void)state;
    char *argv[] = {NULL};
    int argc = 0;
    lindperf_timer t = LINDPERF_CLOCK;
    assert_int_equal(lindperf_try_parse_args(&argc, argv, &t, NULL, 0), 0);
    assert_int_equal(t, LINDPERF_OFF);
    assert_int_equal(argc, 0);
    assert_null(argv[0]);
}

static void try_parse_refuses_null_argc_or_argv(void **state)
{
    (void)state;
    char *argv[] = {(char *)"host", NULL};
    int argc = 1;
    lindperf_timer t = LINDPERF_OFF;
    char why[256] = "";
    assert_int_equal(lindperf_try_parse_args(NULL, argv, &t, why, sizeof why), -1);
    assert_int_equal(strncmp(why, "lindperf: ", 10), 0);
    assert_int_equal(lindperf_try_parse_args(&argc, NULL, &t, why, sizeof why), -1);
}

static void try_parse_accepts_no_reason_buffer(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "--perf=sundial"));
    lindperf_timer t = LINDPERF_OFF;
    assert_int_equal(lindperf_try_parse_args(&a.argc, a.argv, &t, NULL, 0), -1);
    assert_argv_untouched(&a);
}

/* --- bad use: status 2 and one line */

static void exit_2_when_perf_names_another_timer(void **state)
{
    (void)state;
    assert_bad(ARGS("host", "--perf=sundial", "prog"), "--perf=sundial");
    assert_bad(ARGS("host", "--perf=", "prog"), "--perf=");
    assert_bad(ARGS("host", "--perf=CLOCK", "prog"), "--perf=CLOCK");
}

static void exit_2_when_two_timers_are_given(void **state)
{
    (void)state;
    assert_bad(ARGS("host", "--perf", "--perftsc", "prog"), "--perftsc");
    assert_bad(ARGS("host", "--perf=tsc", "--perf=clock", "prog"), "--perf=clock");
}

static void exit_2_when_a_flag_is_given_twice(void **state)
{
    (void)state;
    assert_bad(ARGS("host", "--perf", "--perf", "prog"), "--perf");
    assert_bad(ARGS("host", "--perf", "--perf-net", "--perf-net"), "--perf-net");
    assert_bad(ARGS("host", "--perf", "--perf-detail", "--perf-detail"), "--perf-detail");
    assert_bad(ARGS("host", "--perf", "--perf-tree", "--perf-tree"), "--perf-tree");
    assert_bad(ARGS("host", "--perf", "--perf-json=a.json", "--perf-json=b.json"),
               "--perf-json=b.json");
    assert_bad(ARGS("host", "--perf", "--perf-csv=a.csv", "--perf-csv=b.csv"), "--perf-csv=b.csv");
}

static void exit_2_on_an_unknown_perf_flag(void **state)
{
    (void)state;
    assert_bad(ARGS("host", "--perf", "--perf-foo", "prog"), "--perf-foo");
    assert_bad(ARGS("host", "--perfx", "prog"), "--perfx");
    assert_bad(ARGS("host", "--perf", "--perf-jsonx=a", "prog"), "--perf-jsonx=a");
}

static void exit_2_when_a_modifier_has_no_timer(void **state)
{
    (void)state;
    assert_bad(ARGS("host", "--perf-net", "prog"), "--perf-net");
    assert_bad(ARGS("host", "--perf-detail"), "--perf-detail");
    assert_bad(ARGS("host", "--perf-json=out.json", "prog"), "--perf-json=out.json");
    assert_bad(ARGS("host", "--perf-only=parse::*", "prog"), "--perf-only=parse::*");
    /* the timer after the program is the program's, so it does not count */
    assert_bad(ARGS("host", "--perf-tree", "prog", "--perf"), "--perf-tree");
}

static void exit_2_when_an_output_flag_has_no_file(void **state)
{
    (void)state;
    assert_bad(ARGS("host", "--perf", "--perf-json", "prog"), "--perf-json");
    assert_bad(ARGS("host", "--perf", "--perf-json=", "prog"), "--perf-json=");
    assert_bad(ARGS("host", "--perf", "--perf-csv", "prog"), "--perf-csv");
    assert_bad(ARGS("host", "--perf", "--perf-only=", "prog"), "--perf-only=");
}

static void exit_2_when_perf_only_matches_no_counter(void **state)
{
    (void)state;
    assert_bad(ARGS("host", "--perf", "--perf-only=threei::*", "prog"), "threei::*");
    assert_bad(ARGS("host", "--perf", "--perf-only=parse::alpha", "--perf-only=parse::gamma"),
               "parse::gamma");
}

static void perftsc_is_an_error_when_lindperf_no_tsc_is_set(void **state)
{
    (void)state;
    assert_int_equal(setenv("LINDPERF_NO_TSC", "1", 1), 0);
    assert_bad(ARGS("host", "--perftsc", "prog"), "--perftsc");
    assert_bad(ARGS("host", "--perf=tsc", "prog"), "--perf=tsc");
    /* the message names the timer flag, not the first perf flag of the line */
    assert_bad(ARGS("host", "--perf-detail", "--perftsc", "prog"), "--perftsc");
    /* the clock does not need the counter */
    args a = make_args(ARGS("host", "--perf", "prog"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
}

/* --- the flags of repetition, batching and the other output files */

static void repeat_solo_gbench_and_tree_csv_reach_their_settings(void **state)
{
    (void)state;
    lindperf_set_repeat(1);
    lindperf_set_batching(1);
    args a = make_args(ARGS("host", "--perf", "--perf-repeat=7", "--perf-solo",
                            "--perf-gbench=/tmp/lindperf-test-gbench.json",
                            "--perf-tree-csv=/tmp/lindperf-test-tree.csv", "prog"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
    assert_argv_is(&a, ARGS("host", "prog"));
    assert_int_equal(lindperf__g.repeat, 7);
    assert_int_equal(lindperf__g.solo, 1);
    assert_string_equal(lindperf__g.gbench_path, "/tmp/lindperf-test-gbench.json");
    assert_string_equal(lindperf__g.tree_csv_path, "/tmp/lindperf-test-tree.csv");
}

static void repeat_takes_1_to_1000(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "--perf", "--perf-repeat=1"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
    assert_int_equal(lindperf__g.repeat, 1);
    a = make_args(ARGS("host", "--perf", "--perf-repeat=1000"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
    assert_int_equal(lindperf__g.repeat, 1000);
}

static void exit_2_on_a_repeat_count_out_of_range_or_not_a_number(void **state)
{
    (void)state;
    const char *const bad[] = {"--perf-repeat=0", "--perf-repeat=abc", "--perf-repeat=99999",
                               "--perf-repeat=1001", "--perf-repeat=-1", "--perf-repeat= 5",
                               "--perf-repeat=5x", "--perf-repeat=", "--perf-repeat"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_bad(ARGS("host", "--perf", bad[i], "prog"), bad[i]);
}

static void exit_2_when_a_new_flag_is_given_twice(void **state)
{
    (void)state;
    assert_bad(ARGS("host", "--perf", "--perf-solo", "--perf-solo"), "--perf-solo");
    assert_bad(ARGS("host", "--perf", "--perf-repeat=2", "--perf-repeat=3"), "--perf-repeat=3");
    assert_bad(ARGS("host", "--perf", "--perf-gbench=/tmp/a", "--perf-gbench=/tmp/b"),
               "--perf-gbench=/tmp/b");
    assert_bad(ARGS("host", "--perf", "--perf-tree-csv=/tmp/a", "--perf-tree-csv=/tmp/b"),
               "--perf-tree-csv=/tmp/b");
}

static void exit_2_when_a_new_flag_has_no_timer_or_no_file(void **state)
{
    (void)state;
    assert_bad(ARGS("host", "--perf-solo", "prog"), "--perf-solo");
    assert_bad(ARGS("host", "--perf-repeat=3", "prog"), "--perf-repeat=3");
    assert_bad(ARGS("host", "--perf-gbench=/tmp/g.json", "prog"), "--perf-gbench=/tmp/g.json");
    assert_bad(ARGS("host", "--perf", "--perf-gbench", "prog"), "--perf-gbench");
    assert_bad(ARGS("host", "--perf", "--perf-tree-csv=", "prog"), "--perf-tree-csv=");
    assert_bad(ARGS("host", "--perf", "--perf-solo=1", "prog"), "--perf-solo=1");
}

/* --- output paths, checked before any run */

static void exit_2_when_an_output_path_cannot_be_written(void **state)
{
    (void)state;
    char not_a_folder[] = "/tmp/lindperf-parse-XXXXXX";
    int fd = mkstemp(not_a_folder);
    assert_true(fd >= 0);
    close(fd);
    char under_a_file[64];
    snprintf(under_a_file, sizeof under_a_file, "--perf-csv=%s/x.csv", not_a_folder);
    const char *const flags[] = {"--perf-json", "--perf-csv", "--perf-gbench", "--perf-tree-csv"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        char arg[64];
        snprintf(arg, sizeof arg, "%s=/nonexistent/dir/x", flags[i]);
        assert_bad(ARGS("host", "--perf", arg, "prog"), arg);
    }
    assert_bad(ARGS("host", "--perf", "--perf-json=/tmp", "prog"), "--perf-json=/tmp");
    assert_bad(ARGS("host", "--perf", under_a_file, "prog"), under_a_file);
    unlink(not_a_folder);
}

static void checking_an_output_path_leaves_the_file_as_it_was(void **state)
{
    (void)state;
    char path[] = "/tmp/lindperf-parse-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "old results\n", 12), 12);
    close(fd);
    char arg[64];
    snprintf(arg, sizeof arg, "--perf-json=%s", path);
    args a = make_args(ARGS("host", "--perf", arg, "prog"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 12);
    unlink(path);
}

static void output_paths_in_the_current_folder_and_devices_are_accepted(void **state)
{
    (void)state;
    args a = make_args(ARGS("host", "--perf", "--perf-json=lindperf-test-not-written.json",
                            "--perf-csv=/dev/null", "prog"));
    assert_int_equal(parse_ok(&a), LINDPERF_CLOCK);
    assert_int_equal(access("lindperf-test-not-written.json", F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(perf_selects_the_clock),
        cmocka_unit_test(perf_equals_clock_selects_the_clock),
        cmocka_unit_test(perftsc_selects_the_timestamp_counter),
        cmocka_unit_test(perf_equals_tsc_selects_the_timestamp_counter),
        cmocka_unit_test(no_perf_flag_selects_no_timer_and_keeps_argv),
        cmocka_unit_test(parse_args_returns_the_timer_without_exiting),
        cmocka_unit_test(parse_stops_at_the_first_non_option),
        cmocka_unit_test(perf_flag_after_the_program_is_the_programs),
        cmocka_unit_test(double_dash_ends_the_hosts_options),
        cmocka_unit_test(taken_flags_are_removed_and_the_rest_keep_their_order),
        cmocka_unit_test(modifiers_may_come_before_the_timer),
        cmocka_unit_test(perf_only_matching_a_counter_is_accepted),
        cmocka_unit_test(only_the_program_name_parses_to_no_timer),
        cmocka_unit_test(empty_argv_parses_to_no_timer),
        cmocka_unit_test(try_parse_refuses_null_argc_or_argv),
        cmocka_unit_test(try_parse_accepts_no_reason_buffer),
        cmocka_unit_test(exit_2_when_perf_names_another_timer),
        cmocka_unit_test(exit_2_when_two_timers_are_given),
        cmocka_unit_test(exit_2_when_a_flag_is_given_twice),
        cmocka_unit_test(exit_2_on_an_unknown_perf_flag),
        cmocka_unit_test(exit_2_when_a_modifier_has_no_timer),
        cmocka_unit_test(exit_2_when_an_output_flag_has_no_file),
        cmocka_unit_test(exit_2_when_perf_only_matches_no_counter),
        cmocka_unit_test_teardown(perftsc_is_an_error_when_lindperf_no_tsc_is_set, no_tsc_override),
        cmocka_unit_test(repeat_solo_gbench_and_tree_csv_reach_their_settings),
        cmocka_unit_test(repeat_takes_1_to_1000),
        cmocka_unit_test(exit_2_on_a_repeat_count_out_of_range_or_not_a_number),
        cmocka_unit_test(exit_2_when_a_new_flag_is_given_twice),
        cmocka_unit_test(exit_2_when_a_new_flag_has_no_timer_or_no_file),
        cmocka_unit_test(exit_2_when_an_output_path_cannot_be_written),
        cmocka_unit_test(checking_an_output_path_leaves_the_file_as_it_was),
        cmocka_unit_test(output_paths_in_the_current_folder_and_devices_are_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
