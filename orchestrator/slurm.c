/* slurm.c: submitting, watching and cancelling Slurm jobs through Slurm's tools (see slurm.h).
 *
 * Every tool runs through run(): spawn() with captured output, its own process group and
 * a timeout, so a hung controller cannot hang gilbench and Ctrl-C ends the tool too.
 * Failures become one line: the tool, how it ended, and its stderr with newlines folded.
 *
 * The batch script is `#!/bin/sh`, one `export NAME='VALUE'` per environment item, then
 * `exec 'ARG' 'ARG' ...`: inside single quotes the shell changes nothing (no $, `, \ or
 * newline is special), and a quote itself is written '\'' (close, escaped quote, reopen), so
 * every argument reaches the command exactly. sbatch gets every option as its own
 * --name=value argv item; the script's absolute path comes last.
 *
 * Polling runs `squeue -h -r -j IDS -o %F|%K|%T|%r`: one line per array task (-r expands
 * pending ones too), fields the array's id, the task's index (N/A for a plain job), the
 * state and the reason (last, as it may hold spaces). When every id has been purged from
 * the controller (MinJobAge after it ended), squeue fails with "Invalid job id specified":
 * that is an empty queue, not an error. Other failures (a controller restarting, a
 * timeout) are retried twice, after slurm_retry_wait seconds and then twice that. */
#include "slurm.h"
#include "spawn.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TOOL_TIMEOUT 60   /* seconds for sbatch, squeue, scancel, sinfo */
#define PING_TIMEOUT 15   /* scontrol retries a missing config for 60 s; do not wait that long */
#define POLL_TRIES 3

double slurm_retry_wait = 1;

/* s with surrounding blanks trimmed and inner newlines folded to "; " (a new string) */
static char *oneline(const char *s)
{
	struct buf b = {0};
	size_t n;

	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	for (n = strlen(s); n && strchr(" \n\t\r", s[n - 1]); n--)
		;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			bufadds(&b, "; ");
			while (i + 1 < n && strchr(" \n\t\r", s[i + 1]))
				i++;
		} else if (s[i] != '\r') {
			bufadd(&b, &s[i], 1);
		}
	}
	bufadd(&b, "", 0);
	return b.s;
}

/* run a tool with captured output; 0 when it ran (whatever its exit), -1 when it could not
 * start; *r holds the result either way */
static int run(char *const *argv, double timeout, struct spawnres *r)
{
	struct spawnopts o = { .argv = argv, .capture = true, .newgroup = true, .timeout = timeout };

	if (spawn(&o, r) < 0) {
		memset(r, 0, sizeof(*r));
		return -1;
	}
	return 0;
}

/* the error of a tool that ran and failed: "TOOL exited with 1: its stderr" */
static int toolerr(const char *what, const char *tool, const struct spawnres *r)
{
	char *msg = oneline(r->err && *r->err ? r->err : r->out ? r->out : "");

	errorf("%s: %s %s%s%s", what, tool, spawn_status(r), *msg ? ": " : "", msg);
	free(msg);
	return -1;
}

int slurm_check(void)
{
	static const char *tools[] = { "sbatch", "squeue", "scancel", "scontrol" };
	char *argv[] = { "scontrol", "ping", NULL };
	struct spawnres r;
	char *msg = NULL, *down;
	int rc = -1;

	for (size_t i = 0; i < LEN(tools); i++) {
		char *p = findexec(tools[i]);
		if (!p)
			return errorf("%s not found in PATH (is Slurm installed? Debian's slurm-client has it; PATH=%s)",
			              tools[i], getenv("PATH") ? getenv("PATH") : "");
		free(p);
	}
	if (run(argv, PING_TIMEOUT, &r) < 0)
		return errwrap("the Slurm controller does not answer");
	/* "Slurmctld(primary) at HOST is UP"; with a backup, one line per controller */
	if (!r.timedout && !r.interrupted && r.out && strstr(r.out, " is UP")) {
		rc = 0;
		goto cleanup;
	}
	if (r.timedout || r.interrupted || !r.out || !(down = strstr(r.out, "Slurmctld"))) {
		msg = oneline(r.err && *r.err ? r.err : "no answer");
		errorf("the Slurm controller does not answer: scontrol ping %s: %s", spawn_status(&r), msg);
		goto cleanup;
	}
	msg = xstrndup(down, strcspn(down, "\n")); /* the line, not root's RESTORE banner */
	errorf("the Slurm controller does not answer: %s", msg);
cleanup:
	free(msg);
	spawn_free(&r);
	return rc;
}

char *slurm_quote(const char *arg)
{
	struct buf b = {0};

	bufadds(&b, "'");
	for (const char *p = arg; *p; p++) {
		if (*p == '\'')
			bufadds(&b, "'\\''");
		else
			bufadd(&b, p, 1);
	}
	bufadds(&b, "'");
	return b.s;
}

static bool envname(const char *s, size_t n)
{
	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* the batch script's text, or NULL with the error (a bad environment item) */
static char *script_text(const struct slurmjob *j)
{
	struct buf b = {0};

	bufadds(&b, "#!/bin/sh\n# batch script written by gilbench; sbatch runs it once per task\n");
	for (char *const *e = j->env; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		char *q;
		if (!eq || !envname(*e, (size_t)(eq - *e))) {
			errorf("environment item '%s' is not NAME=VALUE with a shell variable name", *e);
			buffree(&b);
			return NULL;
		}
		q = slurm_quote(eq + 1);
		bufaddf(&b, "export %.*s=%s\n", (int)(eq - *e), *e, q);
		free(q);
	}
	bufadds(&b, "exec");
	for (char *const *a = j->argv; *a; a++) {
		char *q = slurm_quote(*a);
		bufaddf(&b, " %s", q);
		free(q);
	}
	bufadds(&b, "\n");
	return b.s;
}

/* sbatch's argv for j, the script (absolute) last */
static void sbatch_argv(const struct slurmjob *j, const char *script, struct strlist *a)
{
	strlist_add(a, "sbatch");
	strlist_add(a, "--parsable");
	strlist_addown(a, xasprintf("--job-name=%s", j->name));
	if (j->cwd)
		strlist_addown(a, xasprintf("--chdir=%s", j->cwd));
	if (j->output)
		strlist_addown(a, xasprintf("--output=%s", j->output));
	if (j->error)
		strlist_addown(a, xasprintf("--error=%s", j->error));
	if (j->array)
		strlist_addown(a, xasprintf("--array=%s", j->array));
	if (j->dependency)
		strlist_addown(a, xasprintf("--dependency=%s", j->dependency));
	if (j->partition)
		strlist_addown(a, xasprintf("--partition=%s", j->partition));
	if (j->timelimit)
		strlist_addown(a, xasprintf("--time=%s", j->timelimit));
	if (j->exclusive)
		strlist_add(a, "--exclusive");
	if (j->nomultithread)
		strlist_add(a, "--hint=nomultithread");
	for (char *const *e = j->extra; e && *e; e++)
		strlist_add(a, *e);
	strlist_add(a, script);
}

/* "123" or "123;cluster" (and a newline) into *id */
static int parse_jobid(const char *s, long *id)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno || v <= 0 || (*end && *end != ';' && *end != '\n'))
		return -1;
	if (*end == ';')
		end += strcspn(end, "\n");
	while (*end == '\n' || *end == ' ')
		end++;
	if (*end)
		return -1;
	*id = v;
	return 0;
}

int slurm_submit(const struct slurmjob *j, long *id)
{
	struct strlist argv = {0};
	struct spawnres r = {0};
	char *text = NULL, *script = NULL, *what = xasprintf("submit job %s", j->name ? j->name : "(no name)");
	int rc = -1;

	*id = 0;
	if (!j->name || !*j->name || !j->script || !j->argv || !j->argv[0]) {
		errorf("%s: a job needs a name, a script path and a command", what);
		goto cleanup;
	}
	if (!(text = script_text(j))) {
		errwrap("%s", what);
		goto cleanup;
	}
	if (!(script = abspath(j->script)) || writefile(script, text, strlen(text)) < 0) {
		errwrap("%s: batch script", what);
		goto cleanup;
	}
	sbatch_argv(j, script, &argv);
	if (run(argv.v, TOOL_TIMEOUT, &r) < 0) {
		errwrap("%s", what);
		goto cleanup;
	}
	if (!spawn_ok(&r)) {
		toolerr(what, "sbatch", &r);
		goto cleanup;
	}
	if (parse_jobid(r.out, id) < 0) {
		char *o = oneline(r.out);
		errorf("%s: sbatch --parsable printed '%s', not a job id", what, o);
		free(o);
		goto cleanup;
	}
	rc = 0;
cleanup:
	spawn_free(&r);
	strlist_free(&argv);
	free(text);
	free(script);
	free(what);
	return rc;
}

/* one line of `squeue -o %F|%K|%T|%r` into t */
static int parse_task(char *line, struct slurmtask *t)
{
	char *f[4], *end;
	size_t nf = 0;

	f[nf++] = line;
	for (char *p = line; *p && nf < 4; p++)
		if (*p == '|') {
			*p = '\0';
			f[nf++] = p + 1;
		}
	if (nf != 4)
		return -1;
	t->job = strtol(f[0], &end, 10);
	if (end == f[0] || *end || t->job <= 0)
		return -1;
	if (strcmp(f[1], "N/A") == 0) {
		t->task = SLURM_NOTASK;
	} else {
		t->task = strtol(f[1], &end, 10);
		if (end == f[1] || *end || t->task < 0)
			return -1;
	}
	if (!*f[2])
		return -1;
	t->state = xstrdup(f[2]);
	t->reason = xstrdup(f[3]);
	return 0;
}

static int parse_queue(char *out, struct slurmqueue *q)
{
	char *save = NULL;

	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct slurmtask t;
		if (parse_task(line, &t) < 0) {
			slurmqueue_free(q);
			return errorf("squeue printed '%s', not JOB|TASK|STATE|REASON", line);
		}
		q->v = xreallocarray(q->v, q->n + 1, sizeof(*q->v));
		q->v[q->n++] = t;
	}
	return 0;
}

/* sleep s seconds unless gilbench is asked to stop; -1 when it is */
static int pause_for(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (!spawn_interrupted && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return spawn_interrupted ? -1 : 0;
}

int slurm_poll(const long *ids, size_t n, struct slurmqueue *q)
{
	struct buf list = {0};
	struct spawnres r = {0};
	char *argv[] = { "squeue", "-h", "-r", "-j", NULL, "-o", "%F|%K|%T|%r", NULL }, *what;
	double wait = slurm_retry_wait;
	int rc = -1;

	memset(q, 0, sizeof(*q));
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		bufaddf(&list, "%s%ld", i ? "," : "", ids[i]);
	argv[4] = list.s;
	what = xasprintf("poll jobs %s", list.s);
	for (int attempt = 1;; attempt++) {
		if (run(argv, TOOL_TIMEOUT, &r) < 0) {
			errwrap("%s", what);
			goto cleanup;
		}
		if (spawn_ok(&r)) {
			if (parse_queue(r.out, q) < 0)
				errwrap("%s", what);
			else
				rc = 0;
			goto cleanup;
		}
		if (r.exited && strstr(r.err, "Invalid job id specified")) {
			rc = 0; /* every one of them finished long enough ago to be forgotten */
			goto cleanup;
		}
		if (r.interrupted || attempt == POLL_TRIES) {
			char *w = xasprintf("%s (tried %d times)", what, attempt);
			toolerr(w, "squeue", &r);
			free(w);
			goto cleanup;
		}
		spawn_free(&r);
		if (pause_for(wait) < 0) {
			errorf("%s: interrupted", what);
			goto cleanup;
		}
		wait *= 2;
	}
cleanup:
	spawn_free(&r);
	buffree(&list);
	free(what);
	return rc;
}

const struct slurmtask *slurmqueue_find(const struct slurmqueue *q, long job, long task)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->v[i].job == job && q->v[i].task == task)
			return &q->v[i];
	return NULL;
}

void slurmqueue_free(struct slurmqueue *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->v[i].state);
		free(q->v[i].reason);
	}
	free(q->v);
	memset(q, 0, sizeof(*q));
}

int slurm_cancel(long job, long task)
{
	char *id = task == SLURM_NOTASK ? xasprintf("%ld", job) : xasprintf("%ld_%ld", job, task);
	char *argv[] = { "scancel", id, NULL }, *what = xasprintf("cancel job %s", id);
	struct spawnres r = {0};
	int rc = -1;

	if (run(argv, TOOL_TIMEOUT, &r) < 0) {
		errwrap("%s", what);
		goto cleanup;
	}
	/* Slurm 22.05 says nothing about a finished job; others name it */
	if (spawn_ok(&r) || (r.exited && (strstr(r.err, "Invalid job id specified") ||
	                                   strstr(r.err, "already completing or completed"))))
		rc = 0;
	else
		toolerr(what, "scancel", &r);
cleanup:
	spawn_free(&r);
	free(id);
	free(what);
	return rc;
}

static int cmpnode(const void *a, const void *b)
{
	return strcmp(((const struct slurmnode *)a)->name, ((const struct slurmnode *)b)->name);
}

int slurm_nodes(struct slurmnodes *out)
{
	char *argv[] = { "sinfo", "-h", "-N", "-o", "%N %c %t", NULL };
	struct spawnres r = {0};
	char *save = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (run(argv, TOOL_TIMEOUT, &r) < 0) {
		errwrap("list nodes");
		goto cleanup;
	}
	if (!spawn_ok(&r)) {
		toolerr("list nodes", "sinfo", &r);
		goto cleanup;
	}
	for (char *line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], state[64];
		int cpus;
		bool seen = false;
		if (sscanf(line, "%255s %d %63s", name, &cpus, state) != 3) {
			errorf("list nodes: sinfo printed '%s', not NODE CPUS STATE", line);
			slurmnodes_free(out);
			goto cleanup;
		}
		/* a node in several partitions has a line in each */
		for (size_t i = 0; i < out->n && !seen; i++)
			seen = strcmp(out->v[i].name, name) == 0;
		if (seen)
			continue;
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = (struct slurmnode){ xstrdup(name), cpus, xstrdup(state) };
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmpnode);
	rc = 0;
cleanup:
	spawn_free(&r);
	return rc;
}

void slurmnodes_free(struct slurmnodes *ns)
{
	for (size_t i = 0; i < ns->n; i++) {
		free(ns->v[i].name);
		free(ns->v[i].state);
	}
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}
