/* fdtables: each cage's table of virtual file descriptors.
 *
 * A sandboxed program never sees a real fd. It holds virtual fds, small numbers private to
 * its cage, and this table maps them to the real fds of the host process. Like the
 * reference, a virtual fd beyond the table's bound is rejected with EBADF here, before the
 * kernel is ever asked: that is what makes close(-1) cheap. */
#ifndef LIND_BOOT_FDTABLES_H
#define LIND_BOOT_FDTABLES_H

#include <stdint.h>

#define FDTABLES_MAX_CAGES   16
#define FDTABLES_MAX_FDS     1024   /* per cage, the reference's FD_PER_PROCESS_MAX */

/* Forgets every entry of the cage's table (the real fds are not closed). */
void fdtables_init_cage(uint64_t cage);

/* Maps the lowest free virtual fd to realfd. Returns it, -EMFILE when the table is
 * full, or -EBADF for a cage outside the tables. */
int fdtables_get_unused_virtualfd(uint64_t cage, int realfd);

/* Returns the real fd behind vfd, or -EBADF. vfd is unsigned, as in the reference:
 * a program's -1 arrives as a huge number and fails the bound check. */
int fdtables_translate_virtualfd(uint64_t cage, uint64_t vfd);

/* Removes vfd from the table and returns the real fd it held, for the caller to close;
 * -EBADF when vfd is out of range or not open. */
int fdtables_close_virtualfd(uint64_t cage, uint64_t vfd);

#endif
