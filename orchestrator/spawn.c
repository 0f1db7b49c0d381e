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

#define LATE_INTERRUPT 0.1 /* seconds a failed child waits for gilbench's own interrupt (lateinterrupt) */

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

/* one child, from its start to its result: what spawn() holds and closes */
struct child {
	const struct spawnopts *o;
	struct spawnres *r;
	int infd, outfd;        /* stdin; stdout and stderr (outpath) */
	int opipe[2], epipe[2]; /* the capture pipes */
	struct buf ob, eb;      /* captured stdout and stderr */
	pid_t pid;
	int status;             /* from wait4, once it exited */
	int unpinerr;           /* errno of restoring gilbench's own CPU affinity, said at the end */
	double start;           /* now() at the start */
	int killstage;          /* 0 none, 1 to SIGTERM, 2 SIGTERM sent, 3 SIGKILL sent */
	double killat;          /* when stage 2 sends SIGKILL */
};

/* the child's stdin, stdout and stderr into fa as o asks: the input file or /dev/null,
 * the capture pipes or the output file; and its working folder */
static int plumb(struct child *c, posix_spawn_file_actions_t *fa)
{
	const struct spawnopts *o = c->o;

	c->infd = o->inpath ? openreg(o->inpath, O_RDONLY) : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (c->infd < 0)
		return o->inpath ? -1 : errorf("open /dev/null:");
	posix_spawn_file_actions_adddup2(fa, c->infd, 0);
	if (o->capture) {
		if (pipe2(c->opipe, O_CLOEXEC) < 0 || pipe2(c->epipe, O_CLOEXEC) < 0)
			return errorf("pipe:");
		posix_spawn_file_actions_adddup2(fa, c->opipe[1], 1);
		posix_spawn_file_actions_adddup2(fa, c->epipe[1], 2);
	} else if (o->outpath) {
		c->outfd = openreg(o->outpath, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW);
		if (c->outfd < 0)
			return -1;
		posix_spawn_file_actions_adddup2(fa, c->outfd, 1);
		posix_spawn_file_actions_adddup2(fa, c->outfd, 2);
	}
	if (o->cwd)
		posix_spawn_file_actions_addchdir_np(fa, o->cwd);
	return 0;
}

/* the child's signals into at: none blocked, the ones gilbench handles back to their
 * defaults; and its own process group when asked */
static void sigattrs(const struct spawnopts *o, posix_spawnattr_t *at)
{
	sigset_t none, deflt;

	sigemptyset(&none);
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGINT);
	sigaddset(&deflt, SIGTERM);
	sigaddset(&deflt, SIGCHLD);
	sigaddset(&deflt, SIGPIPE);
	posix_spawnattr_setsigmask(at, &none);
	posix_spawnattr_setsigdefault(at, &deflt);
	posix_spawnattr_setflags(at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
	                         (o->newgroup ? POSIX_SPAWN_SETPGROUP : 0));
	posix_spawnattr_setpgroup(at, 0);
}

/* start the child (pinned to o->cpus when asked: gilbench pins itself for the start and
 * restores its affinity after), then keep only the read ends of the capture pipes,
 * non-blocking */
static int launch(struct child *c, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *at)
{
	const struct spawnopts *o = c->o;
	cpu_set_t saved, want;
	bool pinned = false;
	int err;

	if (o->cpus) {
		if (cpulist_parse(o->cpus, &want) < 0)
			return -1;
		if (sched_getaffinity(0, sizeof(saved), &saved) < 0 || sched_setaffinity(0, sizeof(want), &want) < 0)
			return errorf("pin to CPUs %s:", o->cpus);
		pinned = true;
	}
	c->start = now();
	if (o->exactrss)
		err = forkexec(o, c->infd, o->capture ? c->opipe[1] : c->outfd, o->capture ? c->epipe[1] : c->outfd,
		               &c->pid);
	else
		err = posix_spawnp(&c->pid, o->argv[0], fa, at, o->argv, o->envp ? o->envp : environ);
	if (pinned && sched_setaffinity(0, sizeof(saved), &saved) < 0)
		c->unpinerr = errno; /* said once the child is waited for */
	if (err) {
		errno = err;
		return errorf("cannot run %s%s%s:", o->argv[0], o->cwd ? " in " : "", o->cwd ? o->cwd : "");
	}
	if (o->capture) {
		close(c->opipe[1]);
		close(c->epipe[1]);
		c->opipe[1] = c->epipe[1] = -1;
		fcntl(c->opipe[0], F_SETFL, O_NONBLOCK);
		fcntl(c->epipe[0], F_SETFL, O_NONBLOCK);
	}
	return 0;
}

/* t seconds after the start: at the timeout or on an interrupt, SIGTERM to the child (its
 * group), and SIGKILL two seconds later */
static void escalate(struct child *c, double t)
{
	const struct spawnopts *o = c->o;

	if (!c->killstage && o->timeout > 0 && t >= o->timeout) {
		c->r->timedout = true;
		c->killstage = 1;
	}
	if (!c->killstage && spawn_interrupted) {
		c->r->interrupted = true;
		c->killstage = 1;
	}
	if (c->killstage == 1) {
		killgroup(c->pid, o->newgroup, SIGTERM);
		c->killat = now() + 2;
		c->killstage = 2;
	} else if (c->killstage == 2 && now() >= c->killat) {
		killgroup(c->pid, o->newgroup, SIGKILL);
		c->killstage = 3;
	}
}

/* sleep until a signal, output, or wait_ms, then read what the pipes have */
static void pollonce(struct child *c, int wait_ms)
{
	struct pollfd pf[3];
	int nf = 0;

	pf[nf++] = (struct pollfd){ .fd = wakepipe[0], .events = POLLIN };
	if (c->opipe[0] >= 0)
		pf[nf++] = (struct pollfd){ .fd = c->opipe[0], .events = POLLIN };
	if (c->epipe[0] >= 0)
		pf[nf++] = (struct pollfd){ .fd = c->epipe[0], .events = POLLIN };
	if (poll(pf, (nfds_t)nf, wait_ms) > 0) {
		char junk[64];
		while (read(wakepipe[0], junk, sizeof(junk)) > 0)
			;
	}
	drain(&c->opipe[0], &c->ob, &c->r->outdropped);
	drain(&c->epipe[0], &c->eb, &c->r->errdropped);
}

/* a child that failed around an interrupt failed because of it: Ctrl-C, scancel and a service
 * manager signal a whole group, job or cgroup, so the child may die of it, or fail because a
 * process under it did (make exits 2 when its recipe is killed), before this process's own
 * handler ran. So a child that failed (any status but exit 0) and that gilbench did not kill
 * itself (a timeout) waits up to LATE_INTERRUPT seconds for that signal here; a failure on its
 * own costs that wait, once. */
static void lateinterrupt(struct child *c)
{
	int st = c->status;

	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	if (!spawn_interrupted && !c->killstage) {
		double until = now() + LATE_INTERRUPT;
		while (!spawn_interrupted && now() < until)
			poll(NULL, 0, 10);
	}
	if (spawn_interrupted)
		c->r->interrupted = true;
}

/* wait for the child's exit (c->status, its rusage in r->ru), reading its output, killing
 * it at the timeout or on an interrupt, calling o->tick */
static int waitexit(struct child *c)
{
	const struct spawnopts *o = c->o;

	for (;;) {
		int wait_ms = 200;
		double t = now() - c->start;
		pid_t w = wait4(c->pid, &c->status, WNOHANG, &c->r->ru);

		if (w == c->pid) {
			lateinterrupt(c);
			return 0;
		}
		if (w < 0 && errno != EINTR)
			return errorf("wait for %s:", o->argv[0]);
		escalate(c, t);
		if (o->timeout > 0 && !c->killstage) {
			double left = o->timeout - t;
			if (left * 1000 < wait_ms)
				wait_ms = (int)(left * 1000) + 1;
		}
		pollonce(c, wait_ms);
		if (o->tick)
			o->tick(o->arg, now() - c->start);
	}
}

/* read what is left in the pipes; the writers are gone (or killed) */
static void drainrest(struct child *c)
{
	for (int i = 0; i < 50 && (c->opipe[0] >= 0 || c->epipe[0] >= 0); i++) {
		struct pollfd pf[2];
		int nf = 0;
		if (c->opipe[0] >= 0)
			pf[nf++] = (struct pollfd){ .fd = c->opipe[0], .events = POLLIN };
		if (c->epipe[0] >= 0)
			pf[nf++] = (struct pollfd){ .fd = c->epipe[0], .events = POLLIN };
		poll(pf, (nfds_t)nf, 20);
		drain(&c->opipe[0], &c->ob, &c->r->outdropped);
		drain(&c->epipe[0], &c->eb, &c->r->errdropped);
	}
}

/* how the child ended, and its captured output (the last SPAWN_CAPTURE_MAX bytes of each
 * stream, never NULL), into r */
static void collect(struct child *c)
{
	struct spawnres *r = c->r;

	if (WIFEXITED(c->status)) {
		r->exited = true;
		r->code = WEXITSTATUS(c->status);
	} else if (WIFSIGNALED(c->status)) {
		r->sig = WTERMSIG(c->status);
	}
	if (c->o->capture) {
		keeplast(&c->ob, SPAWN_CAPTURE_MAX, &r->outdropped);
		keeplast(&c->eb, SPAWN_CAPTURE_MAX, &r->errdropped);
		if (!c->ob.s)
			bufadd(&c->ob, "", 0);
		if (!c->eb.s)
			bufadd(&c->eb, "", 0);
		r->out = c->ob.s;
		r->outlen = c->ob.len;
		r->err = c->eb.s;
		r->errlen = c->eb.len;
		c->ob.s = c->eb.s = NULL;
	}
}

int spawn(const struct spawnopts *o, struct spawnres *r)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	struct child c = { .o = o, .r = r, .infd = -1, .outfd = -1, .opipe = {-1, -1}, .epipe = {-1, -1} };
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (wakepipe[0] < 0)
		spawn_init();
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	if (plumb(&c, &fa) < 0)
		goto cleanup;
	sigattrs(o, &at);
	if (launch(&c, &fa, &at) < 0 || waitexit(&c) < 0)
		goto cleanup;
	r->wall = now() - c.start;
	if (o->newgroup)
		kill(-c.pid, SIGKILL); /* whatever it left behind */
	drainrest(&c);
	collect(&c);
	rc = 0;
	if (c.unpinerr) {
		errno = c.unpinerr;
		rc = errorf("restore gilbench's own CPU affinity after starting %s pinned to %s:", o->argv[0], o->cpus);
	}
cleanup:
	for (int i = 0; i < 2; i++) {
		if (c.opipe[i] >= 0)
			close(c.opipe[i]);
		if (c.epipe[i] >= 0)
			close(c.epipe[i]);
	}
	if (c.outfd >= 0)
		close(c.outfd);
	if (c.infd >= 0)
		close(c.infd);
	buffree(&c.ob);
	buffree(&c.eb);
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
