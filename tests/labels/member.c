/* An archive member that nothing in the host calls: the linker takes it only when told to
 * (--whole-archive), and only then does its counter exist. */
#include "lindperf.h"

LINDPERF_COUNTER(labels, in_archive);

int labels_member_work(int x);
int labels_member_work(int x)
{
    LINDPERF_SCOPE(labels, in_archive);
    return x + 1;
}
