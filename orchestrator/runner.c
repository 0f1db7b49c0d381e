/* runner.c: the run stage (see runner.h).
 *
 * How it works:
 *  1. Each build's record (builds/NAME/build.json) is read with jansson; a record with
 *     ok=false takes its variants out of the run (reported, not fatal). Each remaining
 *     variant's interpreter is probed (interp_probe) with the variant's trial environment,
 *     and sys._is_gil_enabled() must equal the variant's expect_gil.
 *  2. results.jsonl: without --resume it must be absent or empty; with --resume it is
 *     loaded, cut at the end of its last whole line (a SIGKILL can tear the last one), and
 *     every (cell, round) already in it is remembered per cell, by round number.
 *  3. Points run in plan order. For each point, rounds 1..W are warm-ups (warmup: true) and
 *     rounds W+1.. are measured; a round runs every runnable variant once, the order rotated
 *     by one per round (A B C, B C A, C A B). Round numbers count warm-ups too, as
 *     results.h says. A (cell, round) already recorded is skipped, but its metric still
 *     feeds the adaptive decision at that round, so a resumed run makes the same decisions.
 *     Adaptive trials: after min measured rounds, rounds are added until every cell's
 *     relative 95% CI half-width (stats_summary) is under the target or max is reached.
 *  4. A trial is PYTHON SCRIPT ARGS through spawn(): captured, in its own process group,
 *     with the experiment's timeout, in RUN_DIR, pinned when asked, with a minimal fixed
 *     environment. Its line is appended to results.jsonl (written whole, fsync'd) at once.
 *     A trial killed because gilbench got SIGINT/SIGTERM is not recorded.
 *  5. Noise: /proc readings before the run, around each point and after the run
 *     (sysinfo.c); busy points are warned about and flagged in metadata.json, which is
 *     written before the first trial and rewritten at the end (and on interruption). */
#include "runner.h"
#include "build.h"
#include "hash.h"
#include "interp.h"
#include "log.h"
#include "results.h"
#include "rundir.h"
#include "spawn.h"
#include "stats.h"
#include "sysinfo.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef VERSION
#define VERSION "0.1.0"
#endif

#define NOISY_SHARE 0.10   /* other processes' share of the CPUs that flags a point */
#define ERROR_LINES 10     /* lines of stderr kept for a failed trial */
#define DEFAULT_MAX_TRIALS 20 /* adaptive trials without a maximum */

struct vstate {
	bool run;               /* runnable: its build is ok */
	struct strlist env;     /* the trial environment, NAME=VALUE */
	struct interp ip;       /* the probe's answer, when probed */
	bool probed;
};

struct cellstate {
	const struct trial **byround; /* recorded trials by round - 1 (from --resume), or NULL */
	size_t nround;
	double *metrics;        /* measured metrics of ok trials so far, in round order */
	size_t nmetrics;
	bool converged;
};

struct runner {
	char *rundir;           /* absolute */
	const struct config *cfg;
	const struct plan *plan;
	const struct runopts *o;
	struct runsummary *sum;
	struct buildrec *builds;
	struct vstate *vars;
	size_t *active;         /* indices of runnable variants, config order */
	size_t nactive;
	struct cellstate *cells;
	struct trial *loaded;
	size_t nloaded;
	int fd;
	const char *cpus;
	int mintrials, maxtrials;
	double target;
	struct progress *prog;
	size_t done;            /* trials run or found, for the progress line */
	double childcpu;        /* CPU seconds of the trials of the current point */
	json_t *noise, *nonconv;
	struct cpusample first;
	json_t *loadend;
	double selfcpu;         /* gilbench's own CPU seconds during the run (without trials) */
	char *started, *ended;
	json_t *resumes;        /* times of --resume, oldest first (kept from metadata.json) */
	const char *status;
	bool busystart;
};

/* environment */

static void mkenv(const struct runner *R, const struct variantconf *v, struct strlist *env)
{
	const struct runconf *rc = &R->cfg->run;

	envset(env, "PATH", "/usr/local/bin:/usr/bin:/bin");
	envset(env, "LANG", "C.UTF-8");
	envset(env, "PYTHONHASHSEED", rc->hashseed ? rc->hashseed : "0");
	envset(env, "PYTHONDONTWRITEBYTECODE", "1");
	envset(env, "HOME", R->rundir);
	for (size_t i = 0; i < rc->pass_env.n; i++) {
		const char *val = getenv(rc->pass_env.v[i]);
		if (val)
			envset(env, rc->pass_env.v[i], val);
	}
	for (size_t i = 0; i < v->env.n; i++)
		envset(env, v->env.v[i].key, v->env.v[i].value);
}

/* build records and probes */

static int loadbuilds(struct runner *R)
{
	const struct config *cfg = R->cfg;

	R->builds = xcalloc(cfg->nbuilds ? cfg->nbuilds : 1, sizeof(*R->builds));
	for (size_t b = 0; b < cfg->nbuilds; b++) {
		struct buildrec *br = &R->builds[b];
		char *py;

		if (buildrec_read(R->rundir, cfg->builds[b].name, br) < 0)
			return errwrap("build %s", cfg->builds[b].name);
		if (br->ok && !br->python)
			return errorf("builds/%s/%s: ok but no \"python\"", cfg->builds[b].name, RUN_BUILDREC);
		if (br->python) { /* trials run in RUN_DIR */
			py = abspath(br->python);
			free(br->python);
			br->python = py;
		}
	}
	return 0;
}

/* the selection of runopts: variants, experiment, point (a stand-in until the runner's own) */
static bool varselected(const struct runner *R, const char *name)
{
	if (!R->o->variants)
		return true;
	for (size_t i = 0; R->o->variants[i]; i++)
		if (strcmp(R->o->variants[i], name) == 0)
			return true;
	return false;
}

static bool pointselected(const struct runner *R, size_t p)
{
	const struct point *pt = &R->plan->points[p];

	return (!R->o->experiment || strcmp(R->cfg->exps[pt->exp].name, R->o->experiment) == 0) &&
	       (!R->o->point || strcmp(pt->label, R->o->point) == 0);
}

/* more_rounds: the highest round recorded for the runnable cells of point p */
static int highround(const struct runner *R, size_t p)
{
	size_t high = 0;

	for (size_t k = 0; R->o->more_rounds && k < R->nactive; k++) {
		const struct cell *c = plan_cell(R->plan, p, R->active[k]);
		size_t n = R->cells[c - R->plan->cells].nround;
		high = n > high ? n : high;
	}
	return (int)high;
}

static int probevariants(struct runner *R)
{
	const struct config *cfg = R->cfg;

	R->vars = xcalloc(cfg->nvariants ? cfg->nvariants : 1, sizeof(*R->vars));
	R->active = xcalloc(cfg->nvariants ? cfg->nvariants : 1, sizeof(*R->active));
	for (size_t v = 0; v < cfg->nvariants; v++) {
		const struct variantconf *vc = &cfg->variants[v];
		const struct buildrec *br = &R->builds[vc->build];
		struct vstate *vs = &R->vars[v];

		mkenv(R, vc, &vs->env);
		if (!varselected(R, vc->name))
			continue;
		if (!br->ok) {
			const char *e = br->error ? br->error : "no error recorded";
			warn("build %s failed (%.*s): variant %s is skipped", cfg->builds[vc->build].name,
			     (int)strcspn(e, "\n"), e, vc->name);
			R->sum->skipped_variants++;
			continue;
		}
		if (interp_probe(br->python, vs->env.v, &vs->ip) < 0)
			return errwrap("variant %s", vc->name);
		vs->probed = true;
		if (vs->ip.gil_enabled != vc->expect_gil) {
			R->sum->gil_mismatch = true;
			return errorf("variant %s: %s says sys._is_gil_enabled() is %s, but the config expects %s",
			              vc->name, br->python, vs->ip.gil_enabled ? "True" : "False",
			              vc->expect_gil ? "True" : "False");
		}
		vs->run = true;
		R->active[R->nactive++] = v;
	}
	if (!R->nactive)
		return errorf("no variant can run: every build failed");
	return 0;
}

/* results.jsonl */

static int openresults(struct runner *R)
{
	char *path = pathjoin(R->rundir, RUN_RESULTS);
	struct stat st;
	size_t good = 0;
	int rc = -1;

	if (stat(path, &st) == 0 && st.st_size > 0) {
		if (!R->o->resume) {
			errorf("%s already holds trials; use --resume to continue it, or start a new run directory", path);
			goto cleanup;
		}
		if (results_load(path, &R->loaded, &R->nloaded, &good) < 0)
			goto cleanup;
		if ((off_t)good < st.st_size) {
			logmsg("resume: cutting %lld bytes of a torn last line off %s",
			       (long long)(st.st_size - (off_t)good), RUN_RESULTS);
			if (truncate(path, (off_t)good) < 0) {
				errorf("truncate %s:", path);
				goto cleanup;
			}
		}
		for (size_t i = 0; i < R->nloaded; i++) {
			const struct trial *t = &R->loaded[i];
			const struct cell *c = plan_find(R->plan, t->cell);
			struct cellstate *cs;

			if (!c) {
				errorf("%s:%zu: cell %s (%s %s %s) is not in this run's plan; was config.yaml changed?",
				       path, i + 1, t->cell, t->experiment, t->variant, t->point);
				goto cleanup;
			}
			cs = &R->cells[c - R->plan->cells];
			if ((size_t)t->round > cs->nround) {
				cs->byround = xreallocarray(cs->byround, (size_t)t->round, sizeof(*cs->byround));
				for (size_t k = cs->nround; k < (size_t)t->round; k++)
					cs->byround[k] = NULL;
				cs->nround = (size_t)t->round;
			}
			if (!cs->byround[t->round - 1])
				cs->byround[t->round - 1] = t;
		}
		logmsg("resume: %zu trials already in %s", R->nloaded, RUN_RESULTS);
	}
	R->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (R->fd < 0) {
		errorf("open %s:", path);
		goto cleanup;
	}
	if (fsyncdir(path) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	free(path);
	return rc;
}

/* trial output */

/* the last n lines of s (trailing blank lines dropped), at most cap bytes (0: no cap), as a
 * new string, or NULL when empty */
static char *tail(const char *s, int n, size_t cap)
{
	const char *end, *start;

	if (!s)
		return NULL;
	end = s + strlen(s);
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
	return xstrndup(start, (size_t)(end - start));
}

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

/* fill t's status, metric, result, expect fields from a finished trial */
static void judge(const struct expconf *e, const struct spawnres *r, double timeout, struct trial *t)
{
	char *last = NULL, *err = NULL;
	json_t *o = NULL, *m;
	json_error_t jerr;

	t->exit_code = r->exited ? r->code : -1;
	t->signal = r->exited ? 0 : r->sig;
	if (r->timedout) {
		t->status = TRIAL_TIMEOUT;
		err = tail(r->err, ERROR_LINES, 4000);
		t->error = xasprintf("timed out after %g s%s%s", timeout, err ? "; stderr:\n" : "", err ? err : "");
		goto cleanup;
	}
	if (!r->exited || r->code != 0) {
		t->status = TRIAL_FAILED;
		err = tail(r->err, ERROR_LINES, 4000);
		t->error = err ? xstrdup(err) : xstrdup(spawn_status(r));
		goto cleanup;
	}
	last = tail(r->out, 1, 0); /* the result object, whatever its size */
	o = last ? json_loads(last, 0, &jerr) : NULL;
	m = json_is_object(o) ? json_object_get(o, e->metric) : NULL;
	if (!json_is_number(m)) {
		char *out = tail(r->out, 5, 400);
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
	free(last);
	free(err);
}

static int interrupted(struct runner *R)
{
	int sig = spawn_interrupted;
	const char *abbrev = sig ? sigabbrev_np(sig) : NULL;

	R->status = "interrupted";
	return errorf("interrupted by SIG%s after %zu trials", abbrev ? abbrev : "INT", R->sum->ran);
}

/* run one trial of cell c at round; 0 when recorded, -1 on an error or an interruption */
static int runtrial(struct runner *R, const struct cell *c, int round, bool warmup)
{
	const struct config *cfg = R->cfg;
	const struct expconf *e = &cfg->exps[c->exp];
	const struct variantconf *vc = &cfg->variants[c->variant];
	struct vstate *vs = &R->vars[c->variant];
	struct cellstate *cs = &R->cells[c - R->plan->cells];
	struct strlist argv = {0};
	struct spawnres r = {0};
	struct trial t = {0};
	double timeout = e->timeout > 0 ? e->timeout : cfg->run.timeout > 0 ? cfg->run.timeout : 600;
	int rc = -1;

	strlist_add(&argv, R->builds[vc->build].python);
	strlist_add(&argv, e->scriptpath);
	for (size_t i = 0; i < c->argv_tail.n; i++)
		strlist_add(&argv, c->argv_tail.v[i]);
	progress_note(R->prog, "%s%s%s %s round %d%s", e->name, *R->plan->points[c->point].label ? " " : "",
	              R->plan->points[c->point].label, vc->name, round, warmup ? " (warm-up)" : "");
	t.started = utcstamp(false);
	{
		struct spawnopts so = {
			.argv = argv.v, .envp = vs->env.v, .cwd = R->rundir, .capture = true,
			.newgroup = true, .timeout = timeout, .cpus = R->cpus, .exactrss = true,
		};
		if (spawn(&so, &r) < 0) {
			errwrap("%s %s round %d", e->name, vc->name, round);
			goto cleanup;
		}
	}
	if (r.interrupted) {
		interrupted(R);
		goto cleanup;
	}
	t.cell = (char *)c->id;
	t.experiment = e->name;
	t.variant = vc->name;
	t.point = R->plan->points[c->point].label;
	t.round = round;
	t.warmup = warmup;
	t.wall = r.wall;
	t.utime = tv(r.ru.ru_utime);
	t.stime = tv(r.ru.ru_stime);
	t.maxrss_kb = r.ru.ru_maxrss;
	t.cpus = (char *)R->cpus;
	judge(e, &r, timeout, &t);
	if (results_append(R->fd, &t) < 0) {
		errwrap("%s/%s: trial %s %s round %d not recorded", R->rundir, RUN_RESULTS, e->name,
		        R->cfg->variants[c->variant].name, round);
		goto cleanup;
	}
	R->childcpu += t.utime + t.stime;
	R->sum->ran++;
	switch (t.status) {
	case TRIAL_OK: R->sum->ok++; break;
	case TRIAL_FAILED: R->sum->failed++; break;
	case TRIAL_TIMEOUT: R->sum->timedout++; break;
	case TRIAL_BAD_OUTPUT: R->sum->badoutput++; break;
	}
	if (t.status != TRIAL_OK) {
		const char *why = t.error ? strrchr(t.error, '\n') : NULL; /* the last line says most */
		warn("%s %s round %d: %s: %s", e->name, vc->name, round, trialstatus_name(t.status),
		     why ? why + 1 : t.error ? t.error : spawn_status(&r));
	}
	if (t.status == TRIAL_OK && !warmup) {
		cs->metrics = xreallocarray(cs->metrics, cs->nmetrics + 1, sizeof(*cs->metrics));
		cs->metrics[cs->nmetrics++] = t.metric;
	}
	rc = 0;
cleanup:
	json_decref(t.result);
	free(t.error);
	free(t.started);
	spawn_free(&r);
	strlist_free(&argv);
	return rc;
}

/* metadata.json */

static json_t *strornull(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *getor(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v ? json_incref(v) : json_null();
}

static json_t *kvjson(const struct kvlist *l)
{
	json_t *o = json_object();

	for (size_t i = 0; i < l->n; i++)
		json_object_set_new(o, l->v[i].key, json_string(l->v[i].value));
	return o;
}

static json_t *metadata(struct runner *R)
{
	const struct config *cfg = R->cfg;
	json_t *m = json_object(), *a, *o, *src = NULL;

	json_object_set_new(m, "gilbench", json_string(VERSION));
	json_object_set_new(m, "status", json_string(R->status));
	json_object_set_new(m, "config", json_pack("{s:s,s:s}", "name", cfg->name, "sha256", cfg->hash));
	for (size_t b = 0; b < cfg->nbuilds && !src; b++) {
		json_t *s = json_object_get(R->builds[b].inputs, "source");
		if (json_is_string(s))
			src = json_incref(s);
	}
	json_object_set_new(m, "source", src ? src : json_null());
	a = json_array();
	for (size_t i = 0; i < cfg->npatches; i++) {
		char hex[HEXLEN];
		int ok = sha256_file(cfg->patches[i].path, hex);
		json_array_append_new(a, json_pack("{s:s,s:o}", "name", cfg->patches[i].name,
		                                   "sha256", ok == 0 ? json_string(hex) : json_null()));
	}
	json_object_set_new(m, "patches", a);
	o = json_object();
	for (size_t b = 0; b < cfg->nbuilds; b++) {
		const struct buildrec *br = &R->builds[b];
		json_object_set_new(o, cfg->builds[b].name, json_pack("{s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}",
			"ok", br->ok, "error", strornull(br->error), "key", strornull(br->key),
			"python", strornull(br->python), "configure", getor(br->inputs, "configure"),
			"compiler", getor(br->inputs, "compiler"), "version", strornull(br->interp.version),
			"config_args", strornull(br->interp.config_args), "gil_disabled", br->interp.gil_disabled));
	}
	json_object_set_new(m, "builds", o);
	o = json_object();
	for (size_t v = 0; v < cfg->nvariants; v++) {
		const struct variantconf *vc = &cfg->variants[v];
		const struct vstate *vs = R->vars ? &R->vars[v] : NULL;
		json_object_set_new(o, vc->name, json_pack("{s:s,s:o,s:b,s:o,s:o,s:b}",
			"build", cfg->builds[vc->build].name, "env", kvjson(&vc->env), "expect_gil", vc->expect_gil,
			"gil_enabled", vs && vs->probed ? json_boolean(vs->ip.gil_enabled) : json_null(),
			"python_version", vs && vs->probed ? json_string(vs->ip.version) : json_null(),
			"skipped", vs ? !vs->run : false));
	}
	json_object_set_new(m, "variants", o);
	json_object_set_new(m, "machine", sysinfo_machine());
	json_object_set_new(m, "load_start", sysinfo_load_json(&R->first));
	json_object_set_new(m, "busy_at_start", json_boolean(R->busystart));
	json_object_set_new(m, "load_end", R->loadend ? json_incref(R->loadend) : json_null());
	json_object_set_new(m, "started", json_string(R->started));
	json_object_set_new(m, "resumed", json_incref(R->resumes));
	json_object_set_new(m, "ended", R->ended ? json_string(R->ended) : json_null());
	json_object_set_new(m, "gilbench_cpu", R->ended ? json_real(R->selfcpu) : json_null());
	{
		/* for comparison with the trials' maxrss_kb, which are their own (exactrss) */
		struct rusage ru;
		json_object_set_new(m, "gilbench_maxrss_kb",
		                    getrusage(RUSAGE_SELF, &ru) == 0 ? json_integer(ru.ru_maxrss) : json_null());
	}
	json_object_set_new(m, "noise", json_incref(R->noise));
	json_object_set_new(m, "nonconverged", json_incref(R->nonconv));
	json_object_set_new(m, "runopts", json_pack("{s:b,s:o,s:i,s:i,s:f}", "resume", R->o->resume,
		"cpus", R->cpus ? json_string(R->cpus) : json_null(), "min_trials", R->mintrials,
		"max_trials", R->maxtrials, "target", R->target));
	json_object_set_new(m, "trials", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"planned", (json_int_t)R->sum->planned, "ran", (json_int_t)R->sum->ran,
		"resumed", (json_int_t)R->sum->resumed, "ok", (json_int_t)R->sum->ok,
		"failed", (json_int_t)R->sum->failed, "timeout", (json_int_t)R->sum->timedout,
		"bad_output", (json_int_t)R->sum->badoutput));
	return m;
}

static int writemeta(struct runner *R)
{
	json_t *m = metadata(R);
	char *path = pathjoin(R->rundir, RUN_METADATA);
	int rc = writejson(path, m, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));

	free(path);
	json_decref(m);
	return rc;
}

/* --resume: the run started when the first metadata.json says; this is one more resume.
 * A metadata.json that is there but does not parse is an error, not a fresh start. */
static int keepstart(struct runner *R)
{
	char *path = pathjoin(R->rundir, RUN_METADATA);
	json_t *old = NULL, *v;
	char *now_s;

	if (readjson(path, true, &old) < 0) {
		free(path);
		return -1;
	}
	if (json_is_object(old)) {
		v = json_object_get(old, "started");
		if (json_is_string(v)) {
			free(R->started);
			R->started = xstrdup(json_string_value(v));
		}
		v = json_object_get(old, "resumed");
		if (json_is_array(v)) {
			json_decref(R->resumes);
			R->resumes = json_deep_copy(v);
		}
	}
	now_s = utcstamp(false);
	json_array_append_new(R->resumes, json_string(now_s));
	free(now_s);
	json_decref(old);
	free(path);
	return 0;
}

/* the schedule */

/* measured rounds of experiment e before the adaptive rule, if any, takes over */
static int basetrials(const struct runner *R, const struct expconf *e)
{
	int n = e->trials;

	if (R->target > 0)
		return R->mintrials > 0 ? R->mintrials : n;
	if (R->mintrials > n)
		n = R->mintrials;
	if (R->maxtrials > 0 && n > R->maxtrials)
		n = R->maxtrials;
	return n;
}

static bool cellconverged(const struct runner *R, struct cellstate *cs)
{
	struct summary s;

	stats_summary(cs->metrics, cs->nmetrics, &s);
	return !isnan(s.halfwidth) && s.halfwidth <= R->target;
}

static int runpoint(struct runner *R, size_t p)
{
	const struct point *pt = &R->plan->points[p];
	const struct expconf *e = &R->cfg->exps[pt->exp];
	int warm = e->warmup > 0 ? e->warmup : 0, n = basetrials(R, e), base = highround(R, p);
	struct cpusample a, b;
	size_t ranbefore = R->sum->ran;
	double share;

	sysinfo_sample(&a);
	R->childcpu = 0;
	for (int round = base + 1; round <= base + warm + n; round++) {
		for (size_t k = 0; k < R->nactive; k++) {
			size_t v = R->active[(k + (size_t)round - 1) % R->nactive];
			const struct cell *c = plan_cell(R->plan, p, v);
			struct cellstate *cs = &R->cells[c - R->plan->cells];
			const struct trial *t = (size_t)round <= cs->nround ? cs->byround[round - 1] : NULL;

			if (spawn_interrupted)
				return interrupted(R);
			if (t) {
				R->sum->resumed++;
				if (t->status == TRIAL_OK && !t->warmup) {
					cs->metrics = xreallocarray(cs->metrics, cs->nmetrics + 1, sizeof(*cs->metrics));
					cs->metrics[cs->nmetrics++] = t->metric;
				}
			} else if (runtrial(R, c, round, round <= base + warm) < 0) {
				return -1;
			}
			progress_set(R->prog, ++R->done);
		}
		if (R->target > 0 && round == base + warm + n) {
			bool all = true;
			for (size_t k = 0; k < R->nactive; k++) {
				const struct cell *c = plan_cell(R->plan, p, R->active[k]);
				struct cellstate *cs = &R->cells[c - R->plan->cells];
				cs->converged = cellconverged(R, cs);
				all = all && cs->converged;
			}
			if (!all && n < R->maxtrials) {
				n++;
				R->sum->planned += R->nactive;
				progress_total(R->prog, R->sum->planned);
			}
		}
	}
	if (R->target > 0)
		for (size_t k = 0; k < R->nactive; k++) {
			const struct cell *c = plan_cell(R->plan, p, R->active[k]);
			struct cellstate *cs = &R->cells[c - R->plan->cells];
			struct summary s;
			if (cs->converged)
				continue;
			stats_summary(cs->metrics, cs->nmetrics, &s);
			R->sum->nonconverged++;
			warn("%s%s%s %s: not converged after %d trials (95%% CI half-width %.1f%%, target %.1f%%)",
			     e->name, *pt->label ? " " : "", pt->label, R->cfg->variants[c->variant].name, n,
			     100 * s.halfwidth, 100 * R->target);
			json_array_append_new(R->nonconv, json_pack("{s:s,s:s,s:s,s:s,s:i,s:o}", "cell", c->id,
				"experiment", e->name, "variant", R->cfg->variants[c->variant].name, "point", pt->label,
				"trials", (int)cs->nmetrics, "halfwidth", isnan(s.halfwidth) ? json_null() : json_real(s.halfwidth)));
		}
	sysinfo_sample(&b);
	if (R->sum->ran == ranbefore)
		return 0; /* all of it was resumed: nothing measured here now */
	share = sysinfo_other_share(&a, &b, R->childcpu);
	{
		bool noisy = !isnan(share) && share > NOISY_SHARE;
		if (noisy) {
			R->sum->noisy_points++;
			warn("%s%s%s: other processes used %.0f%% of the CPUs while it ran; its timings may be noisy",
			     e->name, *pt->label ? " " : "", pt->label, 100 * share);
		}
		/* the load average is recorded, not judged, between points: it counts our own
		 * trials (a thread-scaling point alone makes it 8); the CPU share does not */
		json_array_append_new(R->noise, json_pack("{s:s,s:s,s:o,s:o,s:o,s:b}", "experiment", e->name,
			"point", pt->label, "other_cpu_share", isnan(share) ? json_null() : json_real(share),
			"load_before", sysinfo_load_json(&a), "load_after", sysinfo_load_json(&b), "noisy", noisy));
	}
	return 0;
}

static int countcpus(const char *list)
{
	cpu_set_t set;

	if (!list || cpulist_parse(list, &set) < 0)
		return 0;
	return CPU_COUNT(&set);
}

bool runsummary_partial(const struct runsummary *sum)
{
	return sum->failed || sum->timedout || sum->badoutput || sum->skipped_variants;
}

int runner_run(const char *rundir, const struct config *cfg, const struct plan *plan,
               const struct runopts *o, struct runsummary *sum)
{
	struct runner R = { .cfg = cfg, .plan = plan, .o = o, .sum = sum, .fd = -1, .status = "running" };
	char *planpath = NULL;
	int rc = -1, spare;
	bool metawritten = false;

	memset(sum, 0, sizeof(*sum));
	R.noise = json_array();
	R.nonconv = json_array();
	R.rundir = abspath(rundir);
	if (!R.rundir)
		goto cleanup;
	R.cpus = o->cpus ? o->cpus : cfg->run.cpus;
	if (R.cpus && cpulist_usable(R.cpus) < 0) {
		errwrap("%s", o->cpus ? "--cpus" : "run.cpus");
		goto cleanup;
	}
	R.mintrials = o->min_trials > 0 ? o->min_trials : cfg->run.min_trials;
	R.maxtrials = o->max_trials > 0 ? o->max_trials : cfg->run.max_trials;
	R.target = o->target > 0 ? o->target : cfg->run.target;
	if (R.target > 0 && R.maxtrials <= 0)
		R.maxtrials = DEFAULT_MAX_TRIALS;
	if (R.target > 0 && R.mintrials > R.maxtrials)
		R.maxtrials = R.mintrials;
	R.cells = xcalloc(plan->ncells ? plan->ncells : 1, sizeof(*R.cells));
	R.started = utcstamp(false);
	R.resumes = json_array();
	if (o->resume && keepstart(&R) < 0)
		goto cleanup;
	sysinfo_sample(&R.first);

	if (loadbuilds(&R) < 0 || probevariants(&R) < 0)
		goto cleanup;
	planpath = pathjoin(R.rundir, RUN_PLAN);
	if (plan_write(plan, planpath) < 0 || openresults(&R) < 0)
		goto cleanup;
	spare = ncpus() - countcpus(R.cpus);
	if (spare < 1 || !R.cpus)
		spare = R.cpus ? 1 : ncpus();
	R.busystart = sysinfo_load_busy(R.first.load1, spare);
	if (R.busystart)
		warn("the machine is busy before the run (load %.2f on %d spare cores); timings may be noisy",
		     R.first.load1, spare);
	for (size_t p = 0; p < plan->npoints; p++)
		if (pointselected(&R, p))
			sum->planned += (size_t)(cfg->exps[plan->points[p].exp].warmup +
		                          basetrials(&R, &cfg->exps[plan->points[p].exp])) * R.nactive;
	if (writemeta(&R) < 0)
		goto cleanup;
	metawritten = true;
	R.prog = mkprogress("trials", PROGRESS_COUNT);
	progress_total(R.prog, sum->planned);
	for (size_t p = 0; p < plan->npoints; p++)
		if (pointselected(&R, p) && runpoint(&R, p) < 0)
			goto cleanup;
	R.status = "complete";
	rc = 0;
cleanup:
	if (R.prog)
		progress_done(R.prog, "%zu run, %zu resumed, %zu failed, %zu timed out, %zu bad output",
		              sum->ran, sum->resumed, sum->failed, sum->timedout, sum->badoutput);
	if (metawritten) {
		char *msg = rc < 0 ? xstrdup(errmsg()) : NULL;
		struct cpusample end;

		if (rc < 0 && strcmp(R.status, "interrupted") != 0)
			R.status = "error";
		sysinfo_sample(&end);
		R.loadend = sysinfo_load_json(&end);
		R.selfcpu = end.selfcpu - R.first.selfcpu;
		R.ended = utcstamp(false);
		if (writemeta(&R) < 0 && rc == 0)
			rc = -1;
		else if (msg)
			errorf("%s", msg);
		free(msg);
	}
	if (rc == 0 && sum->noisy_points)
		warn("%zu of %zu points ran on a busy machine (metadata.json: noise)", sum->noisy_points, plan->npoints);
	if (rc == 0 && sum->nonconverged)
		warn("%zu cells did not reach the %.1f%% target in %d trials (metadata.json: nonconverged)",
		     sum->nonconverged, 100 * R.target, R.maxtrials);
	if (R.fd >= 0)
		close(R.fd);
	for (size_t i = 0; R.cells && i < plan->ncells; i++) {
		free(R.cells[i].byround);
		free(R.cells[i].metrics);
	}
	free(R.cells);
	results_free(R.loaded, R.nloaded);
	for (size_t v = 0; R.vars && v < cfg->nvariants; v++) {
		strlist_free(&R.vars[v].env);
		if (R.vars[v].probed)
			interp_free(&R.vars[v].ip);
	}
	free(R.vars);
	free(R.active);
	if (R.builds)
		buildrecs_free(R.builds, cfg->nbuilds);
	json_decref(R.noise);
	json_decref(R.nonconv);
	json_decref(R.loadend);
	json_decref(R.resumes);
	free(R.started);
	free(R.ended);
	free(R.rundir);
	free(planpath);
	return rc;
}
