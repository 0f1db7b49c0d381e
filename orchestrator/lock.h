/* lock.h: advisory locks between gilbench processes, with flock(2) on a lock file.
 *
 * The lock file holds the holder's pid (for the "held by pid N" message); the lock itself
 * is the flock, so it goes away with the process that held it, even when it crashes. Used
 * for the download cache, source trees, build prefixes and run directories. The lock file
 * must be a regular file, never reached through a symlink: it is truncated and written. */
#ifndef GILBENCH_LOCK_H
#define GILBENCH_LOCK_H

#include <stdbool.h>

struct lock;

int lock_take(const char *path, bool wait, const char *what, struct lock **out); /* create path, lock it, write our pid; busy: wait (logging "waiting for WHAT (held by pid N)" once; -1 if interrupted) or fail naming WHAT and the pid */
void lock_release(struct lock *l);  /* unlock, close and free; NULL is fine (the file stays) */

#endif
