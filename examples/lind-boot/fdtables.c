#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fdtables.h"
#include "lindperf.h"

LINDPERF_COUNTER(fdtables, get_unused_virtualfd);
LINDPERF_COUNTER(fdtables, translate_virtualfd);
LINDPERF_COUNTER(fdtables, close_virtualfd);

struct fd_entry {
    bool open;
    int realfd;
};

/* Zero-initialized: every cage starts with an empty table. */
static struct fd_entry fd_table[FDTABLES_MAX_CAGES][FDTABLES_MAX_FDS];

static struct fd_entry *entry_of(uint64_t cage, uint64_t vfd)
{
    if (cage >= FDTABLES_MAX_CAGES || vfd >= FDTABLES_MAX_FDS)
        return NULL;
    return &fd_table[cage][vfd];
}

void fdtables_init_cage(uint64_t cage)
{
    if (cage < FDTABLES_MAX_CAGES)
        memset(fd_table[cage], 0, sizeof fd_table[cage]);
}

int fdtables_get_unused_virtualfd(uint64_t cage, int realfd)
{
    LINDPERF_SCOPE(fdtables, get_unused_virtualfd);
    if (cage >= FDTABLES_MAX_CAGES)
        return -EBADF;
    for (int vfd = 0; vfd < FDTABLES_MAX_FDS; vfd++) {
        struct fd_entry *e = &fd_table[cage][vfd];
        if (!e->open) {
            e->open = true;
            e->realfd = realfd;
            return vfd;
        }
    }
    return -EMFILE;
}

int fdtables_translate_virtualfd(uint64_t cage, uint64_t vfd)
{
    LINDPERF_SCOPE(fdtables, translate_virtualfd);
    struct fd_entry *e = entry_of(cage, vfd);
    if (!e || !e->open)
        return -EBADF;
    return e->realfd;
}

int fdtables_close_virtualfd(uint64_t cage, uint64_t vfd)
{
    LINDPERF_SCOPE(fdtables, close_virtualfd);
    struct fd_entry *e = entry_of(cage, vfd);
    if (!e || !e->open)
        return -EBADF;
    e->open = false;
    return e->realfd;
}
