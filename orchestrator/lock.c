/* lock.c: flock(2)-based locks between gilbench processes (see lock.h).
 *
 * lock_take opens (creating) the lock file and tries LOCK_EX|LOCK_NB. When that fails
 * with EWOULDBLOCK, the file's content names the holder; we either fail naming it or log
 * once and try again every 0.1 s until we get it or gilbench is interrupted. Once we hold it we replace the content with our pid.
 * The file is never deleted: deleting a lock file while another process waits on the old
 * inode would let two processes hold "the" lock at once. */
#include "lock.h"
#include "log.h"
#include "spawn.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

struct lock {
	int fd;
	char *path;
};

/* the pid written in the lock file, or 0 when unreadable */
static long holder(int fd)
{
	char b[32];
	ssize_t n = pread(fd, b, sizeof(b) - 1, 0);

	if (n <= 0)
		return 0;
	b[n] = 0;
	return strtol(b, NULL, 10);
}

int lock_take(const char *path, bool wait, const char *what, struct lock **out)
{
	struct lock *l = NULL;
	char pid[32];
	int fd = -1, n;
	long h;

	*out = NULL;
	fd = openreg(path, O_RDWR | O_CREAT | O_NOFOLLOW); /* it is truncated: never through a symlink */
	if (fd < 0)
		return errwrap("lock %s", what);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			errorf("lock %s: flock %s:", what, path);
			goto fail;
		}
		h = holder(fd);
		if (!wait) {
			if (h)
				errorf("%s is busy (held by pid %ld; lock %s)", what, h, path);
			else
				errorf("%s is busy (lock %s)", what, path);
			goto fail;
		}
		if (h)
			logmsg("waiting for %s (held by pid %ld)", what, h);
		else
			logmsg("waiting for %s", what);
		/* poll rather than block: a signal that came just before a blocking flock
		 * would not interrupt it */
		while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno != EWOULDBLOCK && errno != EINTR) {
				errorf("lock %s: flock %s:", what, path);
				goto fail;
			}
			if (spawn_interrupted) {
				errorf("interrupted while waiting for %s", what);
				goto fail;
			}
			nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
		}
		break;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, n, 0) != n) {
		errorf("lock %s: write %s:", what, path);
		goto fail;
	}
	l = xmalloc(sizeof(*l));
	l->fd = fd;
	l->path = xstrdup(path);
	*out = l;
	return 0;
fail:
	close(fd);
	return -1;
}

void lock_release(struct lock *l)
{
	if (!l)
		return;
	/* leave the file; an empty one says nobody holds it */
	if (ftruncate(l->fd, 0) < 0) {
		/* nothing to do: the flock is what counts */
	}
	flock(l->fd, LOCK_UN);
	close(l->fd);
	free(l->path);
	free(l);
}
