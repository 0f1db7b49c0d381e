/* trial.c: one trial, run and judged (see trial.h).
 *
 * The output is judged by length, not as a C string, so a NUL byte printed before the
 * result line does not hide it: the result is the last non-blank line of stdout, parsed
 * with json_loadb; it must be a JSON object holding the experiment's metric as a number.
 * Error text (a failed trial's last lines of stderr) has NUL bytes shown as '?'.
 *
 * Interference: /proc/stat's jiffies of the trial's CPUs (its pinned set, else every CPU)
 * are read just before the spawn and just after the wait; what those CPUs were busy with,
 * less the trial's own CPU time (wait4, its children included) and gilbench's own, is what
 * other processes took (sysinfo_interference). A trial is contaminated when that is more
 * than the threshold share of the CPUs' capacity over its wall time and more than two
 * jiffies (so that the clock's 10 ms steps alone cannot mark a short trial), and tasks were
 * kept waiting for a CPU (the kernel's pressure stall information, /proc/pressure/cpu)
 * for more than the threshold share of the time: other processes running beside a trial
 * on CPUs it did not need do not spoil it, competing with it for them does. Where the
 * kernel has no pressure information the first test alone decides. A hypervisor stealing
 * more than the threshold share also contaminates. */
#include "trial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spawn.h"
#include "sysinfo.h"
#include "util.h"

#define ERROR_LINES 10     /* lines of stderr kept for a failed trial */
#define MIN_OTHERS 0.02    /* seconds: less than this taken by others never contaminates */

/* the last n lines of s (len bytes; trailing blank lines dropped), at most cap bytes (0: no
 * cap), as a new string with NUL bytes shown as '?', or NULL when empty */
static char *tail(const char *s, size_t len, int n, size_t cap)
{
	const char *end, *start;
	char *out;

	if (!s)
		return NULL;
	end = s + len;
	while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == s)
		return NULL;
	start = end;
	while (start > s) {
		if (start[-1] == '\n' && --n == 0)
			break;
		start--;
	}
	if (cap && (size_t)(end - start) > cap)
		start = end - cap;
	out = xmalloc((size_t)(end - start) + 1);
	for (size_t i = 0; i < (size_t)(end - start); i++)
		out[i] = start[i] ? start[i] : '?';
	out[end - start] = '\0';
	return out;
}

/* the last non-blank line of stdout as a JSON value, or NULL */
static json_t *lastjson(const struct spawnres *r)
{
	const char *s = r->out, *end, *start;

	if (!s)
		return NULL;
	end = s + r->outlen;
	while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (start = end; start > s && start[-1] != '\n'; start--)
		;
	return end > start ? json_loadb(start, (size_t)(end - start), 0, NULL) : NULL;
}

/* t's status, metric, result and expect fields from a finished trial */
static void judge(const struct expconf *e, const struct spawnres *r, double timeout, struct trial *t)
{
	char *err = NULL;
	json_t *o = NULL, *m;

	t->exit_code = r->exited ? r->code : -1;
	t->signal = r->exited ? 0 : r->sig;
	if (r->timedout) {
		t->status = TRIAL_TIMEOUT;
		err = tail(r->err, r->errlen, ERROR_LINES, 4000);
		t->error = xasprintf("timed out after %g s%s%s", timeout, err ? "; stderr:\n" : "", err ? err : "");
		goto cleanup;
	}
	if (!r->exited || r->code != 0) {
		t->status = TRIAL_FAILED;
		err = tail(r->err, r->errlen, ERROR_LINES, 4000);
		t->error = err ? xstrdup(err) : xstrdup(spawn_status(r));
		goto cleanup;
	}
	o = lastjson(r);
	m = json_is_object(o) ? json_object_get(o, e->metric) : NULL;
	if (!json_is_number(m)) {
		char *out = tail(r->out, r->outlen, 5, 400);
		t->status = TRIAL_BAD_OUTPUT;
		t->error = xasprintf("the last line of output is not a JSON object with a number \"%s\": %s",
		                     e->metric, out ? out : "(no output)");
		free(out);
		goto cleanup;
	}
	t->status = TRIAL_OK;
	t->metric = json_number_value(m);
	t->result = json_incref(o);
	if (e->expect_key) {
		json_t *x = json_object_get(o, e->expect_key);
		t->has_expect = true;
		t->correct = json_is_number(x) && json_number_value(x) == e->expect_value;
	}
cleanup:
	json_decref(o);
	free(err);
}

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int trial_run(const struct trialspec *s, struct trial *t, bool *interrupted)
{
	struct spawnopts so = {
		.argv = s->argv, .envp = s->envp, .cwd = s->cwd, .capture = true, .newgroup = true,
		.timeout = s->timeout, .cpus = s->cpus, .exactrss = true,
	};
	struct spawnres r = {0};
	struct cpusample a, b;

	*interrupted = false;
	t->started = utcstamp(false);
	sysinfo_sample_set(&a, s->cpuset);
	if (spawn(&so, &r) < 0)
		return -1;
	sysinfo_sample_set(&b, s->cpuset);
	*interrupted = r.interrupted;
	t->wall = r.wall;
	t->utime = tv(r.ru.ru_utime);
	t->stime = tv(r.ru.ru_stime);
	t->maxrss_kb = r.ru.ru_maxrss;
	t->load = a.load1;
	sysinfo_interference(&a, &b, t->utime + t->stime, &t->inter);
	t->has_interference = !isnan(t->inter.share);
	t->contaminated = s->interference > 0 && t->has_interference &&
	                  ((t->inter.share > s->interference && t->inter.others > MIN_OTHERS &&
	                    (isnan(t->inter.stall) || t->inter.stall > s->interference)) ||
	                   t->inter.steal > s->interference);
	judge(s->e, &r, s->timeout, t);
	spawn_free(&r);
	return 0;
}

void trial_clear(struct trial *t)
{
	json_decref(t->result);
	free(t->error);
	free(t->started);
	t->result = NULL;
	t->error = t->started = NULL;
}
