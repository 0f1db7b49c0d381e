/* spawn.c: starting and waiting for child processes (see spawn.h).
 *
 * Captured output keeps the last SPAWN_CAPTURE_MAX bytes of each stream (a trial's result
 * is its last line, however much it printed before), with the count of bytes dropped.
 *
 * The wait is a poll() over the capture pipes and a self-pipe that the SIGCHLD, SIGINT
 * and SIGTERM handlers write to, so a child's exit wakes gilbench at once (no sleeping
 * poll), and a timeout or a Ctrl-C kills the child's whole process group: SIGTERM, then
 * SIGKILL two seconds later. After the child exits its group is killed too, so a
 * grandchild it left behind cannot hold a pipe open or keep burning CPU.
 *
 * SIGINT and SIGTERM are installed without SA_RESTART: a system call blocked when they
 * arrive fails with EINTR rather than blocking on, and every wait (this one, lock_take,
 * downloads, git fetches, extraction) checks spawn_interrupted, so Ctrl-C and SIGTERM
 * always end gilbench with exit 130. SIGCHLD keeps SA_RESTART: it only wakes the poll. */
#include "spawn.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

volatile sig_atomic_t spawn_interrupted;
static int wakepipe[2] = {-1, -1};

static void onsignal(int sig)
{
	int saved = errno;

	if (sig != SIGCHLD && !spawn_interrupted)
		spawn_interrupted = sig;
	if (wakepipe[1] >= 0) {
		ssize_t n = write(wakepipe[1], "x", 1);
		(void)n;
	}
	errno = saved;
}

void spawn_init(void)
{
	struct sigaction sa;

	if (wakepipe[0] >= 0)
		return;
	if (pipe2(wakepipe, O_CLOEXEC | O_NONBLOCK) < 0)
		fatal("pipe:");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsignal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART; /* a child's exit only wakes the wait */
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_flags = 0; /* a call blocked when asked to stop fails with EINTR instead of going on */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* one CPU number at *p (digits only), below CPU_SETSIZE; *p moves past it */
static int cpunum(const char *list, const char **p, long *out)
{
	char *end;

	if (**p < '0' || **p > '9')
		return errorf("CPU list \"%s\": expected a CPU number at \"%s\"", list, *p);
	errno = 0;
	*out = strtol(*p, &end, 10);
	if (errno || *out >= CPU_SETSIZE)
		return errorf("CPU list \"%s\": CPU %.*s is not below %d", list, (int)(end - *p), *p, CPU_SETSIZE);
	*p = end;
	return 0;
}

int cpulist_parse(const char *s, void *set)
{
	cpu_set_t *cs = set;
	const char *p = s;
	long a, b, last = -1;

	CPU_ZERO(cs);
	if (!*s)
		return errorf("empty CPU list: expected CPU numbers and ascending ranges such as \"0,2-3\"");
	for (;;) {
		if (cpunum(s, &p, &a) < 0)
			return -1;
		b = a;
		if (*p == '-') {
			p++;
			if (cpunum(s, &p, &b) < 0)
				return -1;
			if (b < a)
				return errorf("CPU list \"%s\": the range %ld-%ld goes down", s, a, b);
		}
		if (a <= last)
			return errorf("CPU list \"%s\": CPU %ld comes after %ld; the list must be ascending, "
			              "without duplicates", s, a, last);
		for (long i = a; i <= b; i++)
			CPU_SET(i, cs);
		last = b;
		if (!*p)
			return 0;
		if (*p != ',')
			return errorf("CPU list \"%s\": unexpected '%c'", s, *p);
		p++;
	}
}

int cpulist_usable(const char *s)
{
	cpu_set_t set, avail, both;

	if (cpulist_parse(s, &set) < 0)
		return -1;
	if (sched_getaffinity(0, sizeof(avail), &avail) == 0) {
		CPU_AND(&both, &set, &avail);
		if (!CPU_EQUAL(&both, &set))
			return errorf("'%s' names CPUs this process cannot run on (it may use %d of the %d online)", s,
			              CPU_COUNT(&avail), ncpus());
	}
	return 0;
}

/* once b holds more than max bytes, keep only its last SPAWN_CAPTURE_MAX, adding what
 * goes to *dropped */
static void keeplast(struct buf *b, size_t max, uint64_t *dropped)
{
	size_t cut;

	if (b->len <= max)
		return;
	cut = b->len - SPAWN_CAPTURE_MAX;
	memmove(b->s, b->s + cut, SPAWN_CAPTURE_MAX + 1); /* with the NUL */
	b->len = SPAWN_CAPTURE_MAX;
	*dropped += cut;
}

/* Reads what fd has into b. The buffer slides: it grows to almost twice SPAWN_CAPTURE_MAX
 * (its allocation never beyond 32 MiB) before its front is dropped, so each byte is moved
 * at most once (linear, however much a child prints) and the last SPAWN_CAPTURE_MAX bytes
 * are always there; spawn() trims it to those at the end. */
static void drain(int *fd, struct buf *b, uint64_t *dropped)
{
	char chunk[65536];
	ssize_t n;

	if (*fd < 0)
		return;
	for (;;) {
		n = read(*fd, chunk, sizeof(chunk));
		if (n > 0) {
			bufadd(b, chunk, (size_t)n);
			keeplast(b, 2 * SPAWN_CAPTURE_MAX - sizeof(chunk) - 1, dropped);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		close(*fd);
		*fd = -1;
		return;
	}
}

/* The exactrss start: fork and exec. posix_spawn's child shares gilbench's memory until it
 * execs, and exec carries the old memory's high-water mark into the child's ru_maxrss, so
 * every child would report at least gilbench's whole size. A forked child starts with
 * only gilbench's anonymous pages (about 2 MB), below any interpreter's own peak. An exec
 * failure comes back through a close-on-exec pipe, as posix_spawn reports it. Returns 0
 * or an errno value. */
static int forkexec(const struct spawnopts *o, int infd, int out, int err, pid_t *pidp)
{
	int pfd[2], e = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return errno;
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return e;
	}
	if (pid == 0) {
		sigset_t none;
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if ((o->newgroup && setpgid(0, 0) < 0) || dup2(infd, 0) < 0 || (out >= 0 && dup2(out, 1) < 0) ||
		    (err >= 0 && dup2(err, 2) < 0) || (o->cwd && chdir(o->cwd) < 0))
			e = errno;
		else
			execvpe(o->argv[0], o->argv, o->envp ? o->envp : environ);
		if (!e)
			e = errno;
		n = write(pfd[1], &e, sizeof(e));
		_exit(127);
	}
	if (o->newgroup)
		setpgid(pid, pid); /* also here, so that a kill of the group cannot come first */
	close(pfd[1]);
	while ((n = read(pfd[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(pfd[0]);
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return e;
	}
	*pidp = pid;
	return 0;
}

static void killgroup(pid_t pid, bool group, int sig)
{
	if (group)
		kill(-pid, sig);
	else
		kill(pid, sig);
}

int spawn(const struct spawnopts *o, struct spawnres *r)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, deflt;
	int opipe[2] = {-1, -1}, epipe[2] = {-1, -1}, outfd = -1, infd = -1, err, unpinerr = 0;
	struct buf ob = {0}, eb = {0};
	cpu_set_t saved, want;
	bool pinned = false;
	double start, killat = 0;
	pid_t pid;
	int status, rc = -1, killstage = 0;

	memset(r, 0, sizeof(*r));
	if (wakepipe[0] < 0)
		spawn_init();
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);

	infd = o->inpath ? openreg(o->inpath, O_RDONLY) : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (infd < 0) {
		if (!o->inpath)
			errorf("open /dev/null:");
		goto cleanup;
	}
	posix_spawn_file_actions_adddup2(&fa, infd, 0);
	if (o->capture) {
		if (pipe2(opipe, O_CLOEXEC) < 0 || pipe2(epipe, O_CLOEXEC) < 0) {
			errorf("pipe:");
			goto cleanup;
		}
		posix_spawn_file_actions_adddup2(&fa, opipe[1], 1);
		posix_spawn_file_actions_adddup2(&fa, epipe[1], 2);
	} else if (o->outpath) {
		outfd = openreg(o->outpath, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW);
		if (outfd < 0)
			goto cleanup;
		posix_spawn_file_actions_adddup2(&fa, outfd, 1);
		posix_spawn_file_actions_adddup2(&fa, outfd, 2);
	}
	if (o->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, o->cwd);

	sigemptyset(&none);
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGINT);
	sigaddset(&deflt, SIGTERM);
	sigaddset(&deflt, SIGCHLD);
	sigaddset(&deflt, SIGPIPE);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &deflt);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
	                         (o->newgroup ? POSIX_SPAWN_SETPGROUP : 0));
	posix_spawnattr_setpgroup(&at, 0);

	if (o->cpus) {
		if (cpulist_parse(o->cpus, &want) < 0)
			goto cleanup;
		if (sched_getaffinity(0, sizeof(saved), &saved) < 0 || sched_setaffinity(0, sizeof(want), &want) < 0) {
			errorf("pin to CPUs %s:", o->cpus);
			goto cleanup;
		}
		pinned = true;
	}
	start = now();
	if (o->exactrss)
		err = forkexec(o, infd, o->capture ? opipe[1] : outfd, o->capture ? epipe[1] : outfd, &pid);
	else
		err = posix_spawnp(&pid, o->argv[0], &fa, &at, o->argv, o->envp ? o->envp : environ);
	if (pinned && sched_setaffinity(0, sizeof(saved), &saved) < 0)
		unpinerr = errno; /* said once the child is waited for */
	if (err) {
		errno = err;
		errorf("cannot run %s%s%s:", o->argv[0], o->cwd ? " in " : "", o->cwd ? o->cwd : "");
		goto cleanup;
	}
	if (o->capture) {
		close(opipe[1]);
		close(epipe[1]);
		opipe[1] = epipe[1] = -1;
		fcntl(opipe[0], F_SETFL, O_NONBLOCK);
		fcntl(epipe[0], F_SETFL, O_NONBLOCK);
	}

	for (;;) {
		struct pollfd pf[3];
		int nf = 0, wait_ms = 200;
		double t = now() - start;
		pid_t w = wait4(pid, &status, WNOHANG, &r->ru);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			errorf("wait for %s:", o->argv[0]);
			goto cleanup;
		}
		if (!killstage && o->timeout > 0 && t >= o->timeout) {
			r->timedout = true;
			killstage = 1;
		}
		if (!killstage && spawn_interrupted) {
			r->interrupted = true;
			killstage = 1;
		}
		if (killstage == 1) {
			killgroup(pid, o->newgroup, SIGTERM);
			killat = now() + 2;
			killstage = 2;
		} else if (killstage == 2 && now() >= killat) {
			killgroup(pid, o->newgroup, SIGKILL);
			killstage = 3;
		}
		if (o->timeout > 0 && !killstage) {
			double left = o->timeout - t;
			if (left * 1000 < wait_ms)
				wait_ms = (int)(left * 1000) + 1;
		}
		pf[nf++] = (struct pollfd){ .fd = wakepipe[0], .events = POLLIN };
		if (opipe[0] >= 0)
			pf[nf++] = (struct pollfd){ .fd = opipe[0], .events = POLLIN };
		if (epipe[0] >= 0)
			pf[nf++] = (struct pollfd){ .fd = epipe[0], .events = POLLIN };
		if (poll(pf, (nfds_t)nf, wait_ms) > 0) {
			char junk[64];
			while (read(wakepipe[0], junk, sizeof(junk)) > 0)
				;
		}
		drain(&opipe[0], &ob, &r->outdropped);
		drain(&epipe[0], &eb, &r->errdropped);
		if (o->tick)
			o->tick(o->arg, now() - start);
	}
	r->wall = now() - start;
	if (o->newgroup)
		kill(-pid, SIGKILL); /* whatever it left behind */
	/* read what is left; the writers are gone (or killed) */
	for (int i = 0; i < 50 && (opipe[0] >= 0 || epipe[0] >= 0); i++) {
		struct pollfd pf[2];
		int nf = 0;
		if (opipe[0] >= 0)
			pf[nf++] = (struct pollfd){ .fd = opipe[0], .events = POLLIN };
		if (epipe[0] >= 0)
			pf[nf++] = (struct pollfd){ .fd = epipe[0], .events = POLLIN };
		poll(pf, (nfds_t)nf, 20);
		drain(&opipe[0], &ob, &r->outdropped);
		drain(&epipe[0], &eb, &r->errdropped);
	}
	if (WIFEXITED(status)) {
		r->exited = true;
		r->code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		r->sig = WTERMSIG(status);
	}
	if (o->capture) {
		keeplast(&ob, SPAWN_CAPTURE_MAX, &r->outdropped);
		keeplast(&eb, SPAWN_CAPTURE_MAX, &r->errdropped);
		if (!ob.s)
			bufadd(&ob, "", 0);
		if (!eb.s)
			bufadd(&eb, "", 0);
		r->out = ob.s;
		r->outlen = ob.len;
		r->err = eb.s;
		r->errlen = eb.len;
		ob.s = eb.s = NULL;
	}
	rc = 0;
	if (unpinerr) {
		errno = unpinerr;
		rc = errorf("restore gilbench's own CPU affinity after starting %s pinned to %s:", o->argv[0], o->cpus);
	}
cleanup:
	for (int i = 0; i < 2; i++) {
		if (opipe[i] >= 0)
			close(opipe[i]);
		if (epipe[i] >= 0)
			close(epipe[i]);
	}
	if (outfd >= 0)
		close(outfd);
	if (infd >= 0)
		close(infd);
	buffree(&ob);
	buffree(&eb);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return rc;
}

bool spawn_ok(const struct spawnres *r)
{
	return r->exited && r->code == 0 && !r->timedout && !r->interrupted;
}

const char *spawn_status(const struct spawnres *r)
{
	static char s[64];

	if (r->timedout)
		return "timed out";
	if (r->interrupted)
		return "interrupted";
	if (r->exited)
		snprintf(s, sizeof(s), "exited with %d", r->code);
	else
		snprintf(s, sizeof(s), "killed by signal %d (%s)", r->sig, strsignal(r->sig));
	return s;
}

void spawn_free(struct spawnres *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

int spawn_capture(char *const *argv, char **out)
{
	struct spawnopts o = { .argv = argv, .capture = true, .newgroup = true, .timeout = 600 };
	struct spawnres r;

	*out = NULL;
	if (spawn(&o, &r) < 0)
		return -1;
	if (!spawn_ok(&r)) {
		size_t n = r.errlen;
		while (n && (r.err[n - 1] == '\n' || r.err[n - 1] == ' '))
			r.err[--n] = '\0';
		errorf("%s %s%s%s", argv[0], spawn_status(&r), n ? ": " : "", n ? r.err : "");
		spawn_free(&r);
		return -1;
	}
	*out = r.out;
	r.out = NULL;
	spawn_free(&r);
	return 0;
}
