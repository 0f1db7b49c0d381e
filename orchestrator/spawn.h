/* spawn.h: the one place gilbench starts other programs.
 *
 * posix_spawn with an argv array (never a shell), an explicit environment, optional
 * working folder, output to a file or captured, an own process group that is killed whole
 * on timeout or interruption, optional CPU pinning, and the child's rusage from wait4. */
#ifndef GILBENCH_SPAWN_H
#define GILBENCH_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

struct spawnopts {
	char *const *argv;      /* argv[0] without a slash is looked up in PATH */
	char *const *envp;      /* NULL: gilbench's own environment */
	const char *cwd;        /* NULL: the current folder */
	const char *outpath;    /* stdout and stderr appended to this file (unless capture) */
	const char *inpath;     /* stdin from this file; NULL: /dev/null */
	bool capture;           /* stdout into res.out, stderr into res.err (each its last SPAWN_CAPTURE_MAX bytes) */
	bool newgroup;          /* own process group, killed whole on timeout, interrupt, and exit */
	double timeout;         /* seconds; 0 means none */
	const char *cpus;       /* pin to these CPUs ("0,2-3"); NULL: no pinning */
	bool exactrss;          /* fork instead of posix_spawn's shared-memory start, so that ru_maxrss is the child's own */
	void (*tick)(void *arg, double elapsed); /* called about 5 times a second while waiting */
	void *arg;
};

struct spawnres {
	bool exited;            /* exited normally, with code */
	int code;               /* exit code, when exited */
	int sig;                /* signal that ended it, when not exited */
	bool timedout;          /* killed at the timeout */
	bool interrupted;       /* killed, or failed, because gilbench got SIGINT or SIGTERM (a failure just before the signal counts) */
	double wall;            /* seconds from spawn to exit */
	struct rusage ru;       /* from wait4: user and system time, peak RSS (KiB) */
	char *out, *err;        /* captured output, NUL-terminated (it may hold NULs too: use the lengths), or NULL */
	size_t outlen, errlen;
	uint64_t outdropped, errdropped; /* bytes dropped from the front to keep the last SPAWN_CAPTURE_MAX */
};

#define SPAWN_CAPTURE_MAX ((size_t)16 << 20) /* bytes kept of each captured stream: the last ones */

extern volatile sig_atomic_t spawn_interrupted; /* the signal number that asked gilbench to stop, or 0 */

void spawn_init(void);                                      /* install SIGINT/SIGTERM/SIGCHLD handlers; call once from main */
int spawn(const struct spawnopts *o, struct spawnres *r);   /* -1 only when it could not start; a failing child is a result */
bool spawn_ok(const struct spawnres *r);                    /* exited with 0 */
const char *spawn_status(const struct spawnres *r);         /* "exited with 2", "killed by signal 9", "timed out", ... (static) */
void spawn_free(struct spawnres *r);                        /* free captured output */
int spawn_capture(char *const *argv, char **out);           /* run, capture stdout; -1 with the error unless it exits 0 */
int cpulist_parse(const char *s, void *cpuset);             /* "0,2-3" into a cpu_set_t: numbers and ranges, ascending, no duplicates, not empty, each below CPU_SETSIZE; -1 naming the problem */
int cpulist_usable(const char *s);                          /* a good list naming only CPUs this process may run on; -1 with the problem */

#endif
