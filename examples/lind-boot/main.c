/* lind-boot: the example host. See lind_boot.h for the model and README.md for use. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lind_boot.h"
#include "lind_common.h"
#define LINDPERF_IMPLEMENTATION   /* the host: the library's code is compiled here, once */
#include "lindperf.h"
#include "rawposix.h"
#include "threei.h"

LINDPERF_COUNTER(lind_boot, load_main_module);
LINDPERF_COUNTER(lind_boot, invoke_func);

static int unexpected(const char *what, int64_t got, int64_t want)
{
    fprintf(stderr, "lindperf: %s returned %" PRId64 " instead of %" PRId64
            "; a layer of the example runtime is broken\n", what, got, want);
    return 1;
}

static int nothing_to_finish(void)
{
    return 0;
}

/* close: the reference's "FDTABLE Test". fdtables rejects fd -1 as out of range, so the
 * call crosses every layer but never reaches the kernel. */
static int close_prepare(void)
{
    rawposix_attach_cage(LIND_BOOT_PROGRAM_CAGE);
    return 0;
}

static int close_call(void)
{
    int64_t r = lind_common_make_syscall(LIND_BOOT_PROGRAM_CAGE, LIND_SYS_CLOSE,
                                         (uint64_t)-1, 0, 0);
    return r == -EBADF ? 0 : unexpected("close(-1)", r, -EBADF);
}

/* geteuid: the shortest call that reaches the kernel through rawposix. */
static int64_t expected_euid;

static int geteuid_prepare(void)
{
    rawposix_attach_cage(LIND_BOOT_PROGRAM_CAGE);
    expected_euid = geteuid();
    return 0;
}

static int geteuid_call(void)
{
    int64_t r = lind_common_make_syscall(LIND_BOOT_PROGRAM_CAGE, LIND_SYS_GETEUID, 0, 0, 0);
    return r == expected_euid ? 0 : unexpected("geteuid()", r, expected_euid);
}

/* grate: the program's geteuid is answered by a grate, a cage that tells it it runs as
 * root, as fakeroot does. threei sends the call to the grate, so rawposix never sees it. */
static int64_t fakeroot_geteuid(const threei_call *call)
{
    (void)call;
    return 0;
}

static int grate_prepare(void)
{
    rawposix_attach_cage(LIND_BOOT_PROGRAM_CAGE);
    rawposix_attach_cage(LIND_BOOT_GRATE_CAGE);
    return threei_register_handler(LIND_BOOT_PROGRAM_CAGE, LIND_SYS_GETEUID, fakeroot_geteuid);
}

static int grate_call(void)
{
    int64_t r = lind_common_make_syscall(LIND_BOOT_PROGRAM_CAGE, LIND_SYS_GETEUID, 0, 0, 0);
    return r == 0 ? 0 : unexpected("geteuid() under the grate", r, 0);
}

/* pipe: the program writes 4 KiB into a real pipe, reads them back, and hands them to its
 * peer cage with threei's cage-to-cage copy, the way a grate reaches its clients' memory. */
#define PIPE_MESSAGE_SIZE 4096

static struct {
    unsigned char message[PIPE_MESSAGE_SIZE];
    unsigned char received[PIPE_MESSAGE_SIZE];
    int pipe_vfds[2];   /* read end, write end */
} program_memory;

static unsigned char peer_memory[PIPE_MESSAGE_SIZE];

/* The host calls rawposix directly to set the pipe up and tear it down, as a runtime sets
 * up a cage's inherited fds: the trampoline and the dispatcher then count exactly the
 * program's own two calls per iteration. */
static int64_t host_syscall(int64_t (*handler)(const threei_call *), uint64_t arg0)
{
    threei_call call = {
        .self_cage = LIND_BOOT_PROGRAM_CAGE,
        .target_cage = LIND_BOOT_PROGRAM_CAGE,
        .arg = { arg0 },
    };
    return handler(&call);
}

static int pipe_prepare(void)
{
    rawposix_attach_cage(LIND_BOOT_PROGRAM_CAGE);
    rawposix_attach_cage(LIND_BOOT_PEER_CAGE);
    threei_set_cage_memory(LIND_BOOT_PROGRAM_CAGE, &program_memory, sizeof program_memory);
    threei_set_cage_memory(LIND_BOOT_PEER_CAGE, peer_memory, sizeof peer_memory);
    for (size_t i = 0; i < PIPE_MESSAGE_SIZE; i++)
        program_memory.message[i] = (unsigned char)(i * 7 + 1);
    memset(peer_memory, 0, sizeof peer_memory);
    int64_t r = host_syscall(rawposix_pipe_syscall, (uintptr_t)program_memory.pipe_vfds);
    return r == 0 ? 0 : unexpected("pipe()", r, 0);
}

static int pipe_call(void)
{
    int64_t r = lind_common_make_syscall(LIND_BOOT_PROGRAM_CAGE, LIND_SYS_WRITE,
                                         (uint64_t)program_memory.pipe_vfds[1],
                                         (uintptr_t)program_memory.message, PIPE_MESSAGE_SIZE);
    if (r != PIPE_MESSAGE_SIZE)
        return unexpected("write(pipe, 4096)", r, PIPE_MESSAGE_SIZE);
    r = lind_common_make_syscall(LIND_BOOT_PROGRAM_CAGE, LIND_SYS_READ,
                                 (uint64_t)program_memory.pipe_vfds[0],
                                 (uintptr_t)program_memory.received, PIPE_MESSAGE_SIZE);
    if (r != PIPE_MESSAGE_SIZE)
        return unexpected("read(pipe, 4096)", r, PIPE_MESSAGE_SIZE);
    r = threei_copy_data_between_cages(LIND_BOOT_PROGRAM_CAGE, program_memory.received,
                                       LIND_BOOT_PEER_CAGE, peer_memory, PIPE_MESSAGE_SIZE);
    return r == 0 ? 0 : unexpected("copy_data_between_cages", r, 0);
}

static int pipe_finish(void)
{
    int status = 0;
    if (memcmp(peer_memory, program_memory.message, PIPE_MESSAGE_SIZE) != 0) {
        fprintf(stderr, "lindperf: the peer cage did not receive what was written "
                "into the pipe; a layer of the example runtime is broken\n");
        status = 1;
    }
    for (int end = 0; end < 2; end++) {
        int64_t r = host_syscall(rawposix_close_syscall, (uint64_t)program_memory.pipe_vfds[end]);
        if (r != 0)
            status = unexpected("close(pipe end)", r, 0);
    }
    return status;
}

static const struct lind_program programs[] = {
    { "close",   "FDTABLE Test", 1, close_prepare,   close_call,   nothing_to_finish },
    { "geteuid", "GETEUID Test", 1, geteuid_prepare, geteuid_call, nothing_to_finish },
    { "grate",   "GRATE Test",   1, grate_prepare,   grate_call,   nothing_to_finish },
    { "pipe",    "PIPE Test",    2, pipe_prepare,    pipe_call,    pipe_finish },
};

#define PROGRAM_COUNT (sizeof programs / sizeof programs[0])

const struct lind_program *lind_boot_find_program(const char *name)
{
    for (size_t i = 0; i < PROGRAM_COUNT; i++)
        if (strcmp(programs[i].name, name) == 0)
            return &programs[i];
    return NULL;
}

/* ---- the host ---- */

struct job {
    const char *program_name;
    uint64_t iterations;
    int show_dots;
    unsigned runs;      /* one dot each */
};

static const struct lind_program *load_main_module(const char *name)
{
    LINDPERF_SCOPE(lind_boot, load_main_module);
    const struct lind_program *program = lind_boot_find_program(name);
    if (program && program->prepare() != 0)
        return NULL;
    return program;
}

static int invoke_func(const struct lind_program *program, uint64_t iterations)
{
    LINDPERF_SCOPE(lind_boot, invoke_func);
    for (uint64_t i = 0; i < iterations; i++)
        if (program->call() != 0)
            return 1;
    return program->finish();
}

/* One run of the program: what lindperf_run_each repeats once per counter. */
static int run_program(void *arg)
{
    struct job *job = arg;
    const struct lind_program *program = load_main_module(job->program_name);
    if (!program)
        return 1;
    int status = invoke_func(program, job->iterations);
    job->runs++;
    return status;
}

/* The title and a dot per run, written once the runs are over rather than as they go: any
 * line that a run or lindperf prints on stderr then stands on a line of its own. */
static void put_dots(const struct job *job)
{
    if (!job->show_dots)
        return;
    fprintf(stderr, "%-16s", lind_boot_find_program(job->program_name)->title);
    for (unsigned i = 0; i < job->runs; i++)
        fputc('.', stderr);
    fputc('\n', stderr);
}

static int usage(const char *argv0, const char *problem, const char *value)
{
    FILE *out = problem ? stderr : stdout;
    if (problem)
        fprintf(stderr, "lindperf: %s%s%s%s\n", problem, value ? " '" : "", value ? value : "",
                value ? "'" : "");
    fprintf(out,
            "usage: %s [--perf | --perftsc] [--perf-...] [--] PROGRAM [--iterations N]\n"
            "  PROGRAM is one of: close, geteuid, grate, pipe\n"
            "  N is 1..%d calls, %d by default\n"
            "  --perf-net, --perf-detail, --perf-tree, --perf-json=FILE, --perf-csv=FILE,\n"
            "  --perf-gbench=FILE, --perf-tree-csv=FILE, --perf-only=GLOB, --perf-repeat=N and\n"
            "  --perf-solo refine a --perf or --perftsc run (see include/lindperf.h)\n",
            argv0, LIND_BOOT_MAX_ITERATIONS, LIND_BOOT_DEFAULT_ITERATIONS);
    return problem ? 2 : 0;
}

/* Digits only, no sign, no spaces, no overflow: "1e6", "-1" and "10x" are mistakes. */
static int parse_iterations(const char *s, uint64_t *out)
{
    uint64_t n = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        n = n * 10 + (uint64_t)(*s - '0');
        if (n > LIND_BOOT_MAX_ITERATIONS)
            return -1;
    }
    if (n == 0)
        return -1;
    *out = n;
    return 0;
}

static int write_out(const char *text, size_t size, const char *what)
{
    if (fwrite(text, 1, size, stdout) == size && fflush(stdout) == 0)
        return 0;
    fprintf(stderr, "lindperf: could not write the %s to stdout: %s; check the disk or the pipe "
            "it goes to\n", what, strerror(errno));
    return -1;
}

/* With a perf flag: one run per counter, then the report. The report is held back until
 * the line of dots is out, so that the two come out in order even when stdout and stderr
 * go to one file (lindperf_report flushes its stream as soon as it is done). */
static int run_with_report(lindperf_timer timer, struct job *job)
{
    char *text = NULL;
    size_t size = 0;
    FILE *report = job->show_dots ? open_memstream(&text, &size) : NULL;
    if (!report)
        return lindperf_run_each(timer, run_program, job, stdout);
    int status = lindperf_run_each(timer, run_program, job, report);
    fclose(report);
    put_dots(job);
    if (write_out(text, size, "report") != 0 && status == 0)
        status = -1;
    free(text);
    return status;
}

/* Without one: a single run and a one-line summary. */
static int run_with_summary(const struct lind_program *program, struct job *job)
{
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = run_program(job);
    clock_gettime(CLOCK_MONOTONIC, &end);
    put_dots(job);

    double ns = (double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec);
    uint64_t syscalls = job->iterations * program->syscalls_per_call;
    char line[200];
    int n = snprintf(line, sizeof line, "%s: %" PRIu64 " iterations, %" PRIu64 " syscalls in "
                     "%.3f ms wall (%.1f ns per syscall)\n", program->name, job->iterations,
                     syscalls, ns / 1e6, ns / (double)syscalls);
    if (write_out(line, (size_t)n, "summary") != 0 && status == 0)
        status = -1;
    return status;
}

int main(int argc, char **argv)
{
    static const char *const module_order[] = {
        "lind_boot", "lind_common", "threei", "rawposix", "fdtables",
    };
    const char *argv0 = argc > 0 ? argv[0] : "lind-boot";
    lindperf_timer timer = lindperf_parse_args(&argc, argv);
    lindperf_set_module_order(module_order, sizeof module_order / sizeof module_order[0]);

    struct job job = { NULL, LIND_BOOT_DEFAULT_ITERATIONS, 1, 0 };
    int iterations_given = 0, separated = 0;
    for (int i = 1; i < argc; i++) {
        /* "--" ends lindperf's flags (lindperf_parse_args leaves it here); before the program
         * name it separates them from the program and means nothing more to this host. */
        int option = argv[i][0] == '-';
        if (option && strcmp(argv[i], "--") == 0 && !job.program_name && !separated++) {
            continue;
        } else if (option && strcmp(argv[i], "--iterations") == 0) {
            if (iterations_given++)
                return usage(argv0, "--iterations is given twice", NULL);
            if (i + 1 == argc)
                return usage(argv0, "--iterations needs a number", NULL);
            if (parse_iterations(argv[++i], &job.iterations) != 0)
                return usage(argv0, "--iterations needs a whole number from 1 to 10^9, not",
                             argv[i]);
        } else if (option && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
            return usage(argv0, NULL, NULL);
        } else if (option && strncmp(argv[i], "--perf", 6) == 0) {
            return usage(argv0, "perf flags go before the program name, and this one is after it:",
                         argv[i]);
        } else if (option) {
            return usage(argv0, "unknown option", argv[i]);
        } else if (job.program_name) {
            return usage(argv0, "only one program can run, and this is a second one:", argv[i]);
        } else if (!lind_boot_find_program(argv[i])) {
            return usage(argv0, "no such program:", argv[i]);
        } else {
            job.program_name = argv[i];
        }
    }
    if (!job.program_name)
        return usage(argv0, "name the program to run", NULL);

    /* The title and the dots go to stderr, so that stdout holds the report and nothing else,
     * ready to diff or parse. On a terminal, lindperf_run_each draws its own progress line
     * on stderr, which the dots would garble. */
    const struct lind_program *program = lind_boot_find_program(job.program_name);
    job.show_dots = timer == LINDPERF_OFF || !isatty(STDERR_FILENO);
    int status = timer != LINDPERF_OFF ? run_with_report(timer, &job)
                                       : run_with_summary(program, &job);
    return status == 0 ? 0 : 1;
}
