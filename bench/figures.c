/* Prints what bench/stability.sh reads from a lindperf results file, one fact a line,
 * through the tools' own reader (scripts/lindperf-run.h) so that the script never parses
 * JSON itself:
 *
 *     runs N                 the timed runs of the invocation ("?" when the file does not say)
 *     counter NAME CALLS AVG the per-call figure the report shows, in the file's unit
 *
 * Exit status 2 when the file cannot be read (the reader's message is on stderr).
 */
#include <stdio.h>

#include "lindperf-run.h"

int main(int argc, char **argv)
{
    lindperf_run run;
    if (argc != 2) {
        fprintf(stderr, "lindperf: usage: figures RESULTS.json\n");
        return 2;
    }
    if (lindperf_run_load(argv[1], &run) != 0)
        return 2;
    if (run.runs > 0)
        printf("runs %.0f\n", run.runs);
    else
        printf("runs ?\n");
    for (size_t i = 0; i < run.count; i++) {
        const lindperf_run_counter *c = &run.counters[i];
        printf("counter %.*s %.0f %.6f\n", (int)c->name_length, c->name, c->calls, c->avg);
    }
    lindperf_run_free(&run);
    return 0;
}
