/* runner.c: the run stage's schedule (see runner.h).
 *
 * How it works:
 *  1. Each selected variant's build record (builds/NAME/build.json) is read; a record with
 *     ok=false takes the variant out of the run (reported, not fatal). Each remaining
 *     variant's interpreter is probed (interp_probe) with the variant's trial environment,
 *     and sys._is_gil_enabled() must equal the variant's expect_gil.
 *  2. results.jsonl and rounds.jsonl: without --resume results.jsonl must be absent or
 *     empty; with --resume both are loaded and cut at the end of their last whole line, and
 *     every (cell, round) already recorded is remembered per cell, by round number.
 *  3. Points run in plan order (only the selected experiment and point, when asked; a
 *     shard's points only, its files in RUN_DIR/shards/K/, shards.h). For
 *     each point, rounds 1..W are warm-ups and the rest measured (with more_rounds they
 *     follow the highest round recorded); a round runs every active variant once, the
 *     order rotated by one per round. Before a round the runner may wait for quiet
 *     (run.quiet); around it the C canary is timed, and the round is slow when both its
 *     samples are slower than the reference by more than run.canary (the reference is this
 *     run's own median while 80% of the run's samples so far are slow against the stored
 *     one: a slowness every round shares spoils no comparison). Its line goes to
 *     rounds.jsonl. The clean metrics of the round (ok, not contaminated, the round not
 *     slow) feed the decisions: after the planned rounds, another round is added while a
 *     cell has fewer clean trials than asked (up to run.repeats extra rounds), or, with
 *     adaptive trials, while a cell is short of the target or a comparison with the first
 *     variant is inconclusive (up to max_trials measured rounds). A recorded (cell, round)
 *     is skipped but feeds the decisions alike, so a resumed run decides the same.
 *  4. A trial is trial_run() (trial.c): captured, pinned, timed out, judged, its
 *     interference measured; its line is appended to results.jsonl at once.
 *  5. Noise per point (other processes' share of the CPUs while it ran) and the machine's
 *     state go to metadata.json (runmeta.c), written before the first trial and rewritten
 *     at the end (and on interruption); the C canary's samples are recorded in the
 *     machine's reference (canary.h) when the run ends. */
#include "runner_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "paths.h"
#include "rundir.h"
#include "shards.h"
#include "spawn.h"
#include "stats.h"
#include "trial.h"
#include "util.h"
#include "verdict.h"

#define NOISY_SHARE 0.10      /* other processes' share of the CPUs that flags a point */
#define DEFAULT_MAX_TRIALS 20 /* adaptive trials without a maximum */
#define QUIET_WINDOW 0.5      /* seconds of each look at the machine while waiting for quiet */

/* ---- variants ---- */

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

static bool wanted(const struct runner *R, const char *variant)
{
	if (!R->o->variants)
		return true;
	for (size_t i = 0; R->o->variants[i]; i++)
		if (strcmp(R->o->variants[i], variant) == 0)
			return true;
	return false;
}

/* the build records of the selected variants' builds */
static int loadbuilds(struct runner *R)
{
	const struct config *cfg = R->cfg;

	R->builds = xcalloc(cfg->nbuilds ? cfg->nbuilds : 1, sizeof(*R->builds));
	for (size_t v = 0; v < cfg->nvariants; v++) {
		struct buildrec *br = &R->builds[cfg->variants[v].build];
		const char *name = cfg->builds[cfg->variants[v].build].name;
		char *py;

		if (!wanted(R, cfg->variants[v].name) || br->name)
			continue;
		if (buildrec_read(R->rundir, name, br) < 0)
			return errwrap("build %s", name);
		if (br->ok && !br->python)
			return errorf("builds/%s/%s: ok but no \"python\"", name, RUN_BUILDREC);
		if (br->python) { /* trials run in RUN_DIR */
			py = abspath(br->python);
			free(br->python);
			br->python = py;
		}
	}
	return 0;
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

		if (!(vs->wanted = wanted(R, vc->name)))
			continue;
		mkenv(R, vc, &vs->env);
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

/* ---- results.jsonl and rounds.jsonl ---- */

/* open PATH for appending; with resume, cut a torn last line (GOOD bytes are whole) first */
static int openappend(const char *path, size_t good, int *fd)
{
	struct stat st;

	if (stat(path, &st) == 0 && (off_t)good < st.st_size) {
		logmsg("resume: cutting %lld bytes of a torn last line off %s", (long long)(st.st_size - (off_t)good), path);
		if (truncate(path, (off_t)good) < 0)
			return errorf("truncate %s:", path);
	}
	*fd = openreg(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW); /* readable: see jsonl_append */
	if (*fd < 0)
		return -1;
	return fsyncdir(path);
}

/* every recorded trial, by cell and round */
static int fileloaded(struct runner *R, const char *path)
{
	for (size_t i = 0; i < R->nloaded; i++) {
		const struct trial *t = &R->loaded[i];
		const struct cell *c = plan_find(R->plan, t->cell);
		struct cellstate *cs;

		if (!c)
			return errorf("%s:%zu: cell %s (%s %s %s) is not in this run's plan; was config.yaml changed?",
			              path, i + 1, t->cell, t->experiment, t->variant, t->point);
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
	return 0;
}

static int openresults(struct runner *R)
{
	char *path = pathjoin(R->outdir, RUN_RESULTS), *rpath = pathjoin(R->outdir, RUN_ROUNDS);
	struct stat st;
	size_t good = 0, rgood = 0;
	int rc = -1;

	if (stat(path, &st) == 0 && st.st_size > 0) {
		if (!R->o->resume) {
			errorf("%s already holds trials; use --resume to continue it, or start a new run directory", path);
			goto cleanup;
		}
		if (results_load(path, &R->loaded, &R->nloaded, &good) < 0 || fileloaded(R, path) < 0)
			goto cleanup;
		logmsg("resume: %zu trials already in %s", R->nloaded, RUN_RESULTS);
	}
	if (R->o->resume && rounds_load(rpath, &R->oldrounds, &R->noldrounds, &rgood) < 0)
		goto cleanup;
	if (openappend(path, R->nloaded ? good : 0, &R->fd) < 0 || openappend(rpath, rgood, &R->roundsfd) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	free(path);
	free(rpath);
	return rc;
}

/* ---- one trial ---- */

static int interrupted(struct runner *R)
{
	int sig = spawn_interrupted;
	const char *abbrev = sig ? sigabbrev_np(sig) : NULL;

	R->status = "interrupted";
	return errorf("interrupted by SIG%s after %zu trials", abbrev ? abbrev : "INT", R->sum->ran);
}

static void count(struct runner *R, const struct trial *t, const char *variant)
{
	R->sum->ran++;
	R->sum->contaminated += t->contaminated;
	switch (t->status) {
	case TRIAL_OK: R->sum->ok++; break;
	case TRIAL_FAILED: R->sum->failed++; break;
	case TRIAL_TIMEOUT: R->sum->timedout++; break;
	case TRIAL_BAD_OUTPUT: R->sum->badoutput++; break;
	}
	if (t->status != TRIAL_OK) {
		const char *why = t->error ? strrchr(t->error, '\n') : NULL; /* the last line says most */
		warn("%s %s round %d: %s: %s", t->experiment, variant, t->round, trialstatus_name(t->status),
		     why ? why + 1 : t->error ? t->error : "?");
	} else if (t->contaminated) {
		logmsg("%s%s%s %s round %d: other processes took %.0f%% of its CPUs: left out, to be repeated",
		       t->experiment, *t->point ? " " : "", t->point, variant, t->round, 100 * t->inter.share);
	}
}

/* what a trial is worth to the statistics: its metric when clean, NAN otherwise; and
 * whether it was a measured ok trial that interference spoiled */
static double worth(const struct trial *t, bool *spoiled)
{
	bool ok = t->status == TRIAL_OK && !t->warmup;

	*spoiled = ok && t->contaminated;
	return ok && !t->contaminated ? t->metric : NAN;
}

/* a trial that SIGTERM, SIGINT or SIGHUP ended was most likely signalled together with gilbench (a Slurm job
 * cancelled or out of time, a service stopped): gilbench's own signal gets a moment to arrive, so that such a
 * trial is interrupted with the run (not recorded) instead of recorded as failed, never to be run again */
static bool signalled_with_us(const struct trial *t)
{
	struct timespec ms10 = { 0, 10000000 };

	if (t->signal != SIGTERM && t->signal != SIGINT && t->signal != SIGHUP)
		return false;
	for (int i = 0; i < 50 && !spawn_interrupted; i++)
		nanosleep(&ms10, NULL);
	return spawn_interrupted;
}

/* run one trial of cell c at round and record it; *metric and *spoiled as worth(); 0 or -1 */
static int runtrial(struct runner *R, const struct cell *c, int round, bool warmup, double *metric, bool *spoiled)
{
	const struct config *cfg = R->cfg;
	const struct expconf *e = &cfg->exps[c->exp];
	const struct variantconf *vc = &cfg->variants[c->variant];
	struct strlist argv = {0};
	struct trial t = {0};
	struct trialspec ts = {
		.e = e, .envp = R->vars[c->variant].env.v, .cwd = R->rundir, .cpus = R->cpus,
		.cpuset = R->cpus ? &R->cpuset : NULL, .interference = cfg->run.interference,
		.timeout = e->timeout > 0 ? e->timeout : cfg->run.timeout > 0 ? cfg->run.timeout : 600,
	};
	bool intr;
	int rc = -1;

	strlist_add(&argv, R->builds[vc->build].python);
	strlist_add(&argv, e->scriptpath);
	for (size_t i = 0; i < c->argv_tail.n; i++)
		strlist_add(&argv, c->argv_tail.v[i]);
	ts.argv = argv.v;
	progress_note(R->prog, "%s%s%s %s round %d%s", e->name, *R->plan->points[c->point].label ? " " : "",
	              R->plan->points[c->point].label, vc->name, round, warmup ? " (warm-up)" : "");
	t.cell = (char *)c->id;
	t.experiment = e->name;
	t.variant = vc->name;
	t.point = R->plan->points[c->point].label;
	t.round = round;
	t.warmup = warmup;
	t.cpus = (char *)R->cpus;
	t.node = R->node;
	t.slurm_job = R->slurmjob;
	t.slurm_task = R->slurmtask;
	if (trial_run(&ts, &t, &intr) < 0) {
		errwrap("%s %s round %d", e->name, vc->name, round);
		goto cleanup;
	}
	if (intr || signalled_with_us(&t)) {
		interrupted(R);
		goto cleanup;
	}
	if (results_append(R->fd, &t) < 0) {
		errwrap("%s/%s: trial %s %s round %d not recorded", R->outdir, RUN_RESULTS, e->name, vc->name, round);
		goto cleanup;
	}
	count(R, &t, vc->name);
	*metric = worth(&t, spoiled);
	rc = 0;
cleanup:
	trial_clear(&t);
	strlist_free(&argv);
	return rc;
}

/* ---- the machine around a round: quiet, and the canary ---- */

/* wait, before a round, until other processes keep at most run.quiet.load cores busy, or the
 * wait runs out; *waited the seconds waited; false when it ran out */
static bool quietwait(struct runner *R, double *waited)
{
	const struct runconf *rc = &R->cfg->run;
	double t0 = now(), others;

	*waited = NAN;
	if (!(rc->quiet_wait > 0))
		return true;
	for (;;) {
		others = sysinfo_others_now(QUIET_WINDOW);
		*waited = now() - t0;
		if (isnan(others) || others <= rc->quiet_load || spawn_interrupted)
			return true;
		if (*waited >= rc->quiet_wait) {
			warn("the machine did not get quiet in %.0f s (other processes keep %.1f cores busy, at most %.1f "
			     "wanted): going on, the next round is marked", rc->quiet_wait, others, rc->quiet_load);
			return false;
		}
		progress_note(R->prog, "waiting for quiet: other processes keep %.1f cores busy (at most %.1f), %.0f s of %.0f s",
		              others, rc->quiet_load, *waited, rc->quiet_wait);
	}
}

/* one sample of the C canary, pinned like the trials (seconds; NAN when it is off or fails) */
static double canary_now(struct runner *R)
{
	struct canary_sample s;
	double w;

	if (!(R->cfg->run.canary > 0))
		return NAN;
	if (canary_c(R->cpus, CANARY_REPS, &s) < 0) {
		warn("canary: %s", errmsg());
		return NAN;
	}
	w = s.wall;
	canary_sample_free(&s);
	R->csamples = xreallocarray(R->csamples, R->ncsamples + 1, sizeof(*R->csamples));
	R->csamples[R->ncsamples++] = w;
	return w;
}

/* the reference a round is judged by: the machine's stored one, else (a first run) this run's
 * own, once it has a few samples. A machine slower than its reference for the whole run (a
 * busy neighbour core, a slower host) would have every round called slow and left out, though
 * a slowness that every round shares spoils no comparison between builds measured interleaved:
 * so while SELF_SHARE of this run's samples so far (at least five) are slow against the stored
 * reference, rounds are judged against the run's own median, and only a round slower than the
 * rest of the run is left out (a throttle over part of the run still is: its samples are the
 * smaller share). The run is then a slow run, its absolute times marked as not this machine's
 * usual speed. */
#define SELF_SHARE 0.8
static double canary_reference(struct runner *R)
{
	struct canary_verdict v;
	bool self;

	if (R->ncsamples < 5)
		return R->canaryref;
	if (isnan(R->canaryref))
		return canary_rule(R->csamples, R->ncsamples);
	canary_judge(R->csamples, R->ncsamples, R->canaryref, R->cfg->run.canary, &v);
	self = v.slow_share >= SELF_SHARE;
	if (self != R->selfjudged)
		logmsg(self ? "%.0f%% of the canary's samples so far are slower than the machine's reference (median %+.0f%%): "
		              "rounds are judged against this run's own canary, slower than the rest of the run is slow"
		            : "%.0f%% of the canary's samples are slow now (median %+.0f%%): rounds are judged against the "
		              "machine's reference again",
		       100 * v.slow_share, 100 * v.median_slowdown);
	R->selfjudged = self;
	return self ? v.median : R->canaryref;
}

/* the Python canary on the baseline's interpreter at the start of a point */
static void pycanary(struct runner *R, size_t p)
{
	const struct point *pt = &R->plan->points[p];
	size_t v = R->active[0];
	struct canary_sample s;

	if (!(R->cfg->run.canary > 0))
		return;
	if (canary_python(R->builds[R->cfg->variants[v].build].python, R->vars[v].env.v, R->cpus, CANARY_REPS, &s) < 0) {
		warn("canary: %s", errmsg());
		return;
	}
	json_array_append_new(R->pycanary, json_pack("{s:s, s:s, s:s, s:f}", "experiment", R->cfg->exps[pt->exp].name,
	                                             "point", pt->label, "series", s.series, "wall", s.wall));
	canary_sample_free(&s);
}

/* ---- rounds and points ---- */

static struct cellstate *cellstate(struct runner *R, size_t p, size_t v)
{
	return &R->cells[plan_cell(R->plan, p, v) - R->plan->cells];
}

static const struct trial *recorded(const struct cellstate *cs, int round)
{
	return (size_t)round <= cs->nround ? cs->byround[round - 1] : NULL;
}

/* the round's trials, each run or found recorded; m[k] and spoiled[k] as worth() for active variant k */
static int runround(struct runner *R, size_t p, int round, bool warm, double *m, bool *spoiled, bool *allrecorded)
{
	*allrecorded = true;
	for (size_t i = 0; i < R->nactive; i++) {
		size_t k = (i + (size_t)round - 1) % R->nactive;
		const struct cell *c = plan_cell(R->plan, p, R->active[k]);
		const struct trial *t = recorded(cellstate(R, p, R->active[k]), round);

		if (spawn_interrupted)
			return interrupted(R);
		if (t) {
			R->sum->resumed++;
			m[k] = worth(t, &spoiled[k]);
		} else {
			*allrecorded = false;
			if (runtrial(R, c, round, warm, &m[k], &spoiled[k]) < 0)
				return -1;
		}
		progress_set(R->prog, ++R->done);
	}
	return 0;
}

/* a round with the machine watched around it: quiet wait, canary, trials, rounds.jsonl */
static int watchround(struct runner *R, size_t p, int round, bool warm, double *before)
{
	const struct point *pt = &R->plan->points[p];
	const struct expconf *e = &R->cfg->exps[pt->exp];
	const struct roundrec *old = rounds_find(R->oldrounds, R->noldrounds, e->name, pt->label, round);
	struct roundrec rec = { .experiment = e->name, .point = pt->label, .round = round, .quiet = true };
	double *m = xcalloc(R->nactive, sizeof(*m)), ref;
	bool *spoiled = xcalloc(R->nactive, sizeof(*spoiled)), allrec;
	int rc = -1;

	if (!old || !recorded(cellstate(R, p, R->active[0]), round))
		rec.quiet = quietwait(R, &rec.waited);
	if (runround(R, p, round, warm, m, spoiled, &allrec) < 0)
		goto cleanup;
	if (allrec && old) {
		rec = *old; /* as it was decided */
	} else {
		rec.before = *before;
		rec.after = canary_now(R);
		ref = canary_reference(R);
		rec.slowdown = canary_slowdown((rec.before + rec.after) / 2, ref);
		rec.slow = canary_is_slow(rec.before, ref, R->cfg->run.canary) &&
		           canary_is_slow(rec.after, ref, R->cfg->run.canary);
		json_t *o = round_to_json(&rec);
		int w = jsonl_append(R->roundsfd, o, RUN_ROUNDS);
		json_decref(o);
		if (w < 0)
			goto cleanup;
		*before = rec.after;
		R->rounds++;
	}
	if (rec.slow) {
		R->sum->slow_rounds++;
		logmsg("%s%s%s round %d: the machine ran %.0f%% slower than %s: the round is left out", e->name,
		       *pt->label ? " " : "", pt->label, round, 100 * rec.slowdown,
		       R->selfjudged ? "the rest of this run" : "its reference");
	}
	for (size_t k = 0; k < R->nactive; k++) {
		struct cellstate *cs = cellstate(R, p, R->active[k]);
		if (spoiled[k] || (rec.slow && !isnan(m[k])))
			cs->nspoiled++;
		if (rec.slow || isnan(m[k]))
			continue;
		cs->clean = xreallocarray(cs->clean, cs->nclean + 1, sizeof(*cs->clean));
		cs->clean[cs->nclean++] = m[k];
	}
	rc = 0;
cleanup:
	free(m);
	free(spoiled);
	return rc;
}

/* measured rounds of experiment e before repeats and the adaptive rule */
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

/* adaptive trials: every cell of point p within the target and every comparison with the
 * first variant decided */
static bool decided(struct runner *R, size_t p)
{
	const struct expconf *e = &R->cfg->exps[R->plan->points[p].exp];
	struct cellstate *base = cellstate(R, p, R->active[0]);
	bool all = true;

	for (size_t k = 0; k < R->nactive; k++) {
		struct cellstate *cs = cellstate(R, p, R->active[k]);
		struct summary s;
		struct judgement j;

		stats_summary(cs->clean, cs->nclean, &s);
		cs->converged = !isnan(s.halfwidth) && s.halfwidth <= R->target;
		if (k > 0) {
			judge(base->clean, base->nclean, cs->clean, cs->nclean, R->cfg->run.tie, e->lower_is_better, &j);
			cs->converged = cs->converged && j.verdict != VERDICT_INCONCLUSIVE;
		}
		all = all && cs->converged;
	}
	return all;
}

/* after the planned rounds: one more? (repeats while a cell lacks trials that interference
 * spoiled, then the adaptive rule); failed trials are not repeated */
static bool more(struct runner *R, size_t p, int n, int measured, int *extra)
{
	int limit = R->cfg->run.repeats >= 0 ? R->cfg->run.repeats : n;
	bool shortof = false;

	for (size_t k = 0; k < R->nactive; k++) {
		const struct cellstate *cs = cellstate(R, p, R->active[k]);
		shortof = shortof || ((int)cs->nclean < n && cs->nspoiled > 0);
	}
	if (shortof && *extra < limit) {
		++*extra;
		R->sum->repeated_rounds++;
		return true;
	}
	return R->target > 0 && measured < R->maxtrials && !decided(R, p);
}

static void note(struct runner *R, size_t p, int n)
{
	const struct point *pt = &R->plan->points[p];
	const struct expconf *e = &R->cfg->exps[pt->exp];

	for (size_t k = 0; k < R->nactive; k++) {
		const struct cell *c = plan_cell(R->plan, p, R->active[k]);
		struct cellstate *cs = cellstate(R, p, R->active[k]);
		const char *vn = R->cfg->variants[c->variant].name;
		struct summary s;

		if ((int)cs->nclean < n && cs->nspoiled > 0) {
			R->sum->short_cells++;
			warn("%s%s%s %s: %zu clean trials of %d (the rest were contaminated or on a slow machine)", e->name,
			     *pt->label ? " " : "", pt->label, vn, cs->nclean, n);
			json_array_append_new(R->shortcells, json_pack("{s:s,s:s,s:s,s:s,s:i,s:i}", "cell", c->id,
				"experiment", e->name, "variant", vn, "point", pt->label, "clean", (int)cs->nclean, "wanted", n));
		}
		if (!(R->target > 0) || cs->converged)
			continue;
		stats_summary(cs->clean, cs->nclean, &s);
		R->sum->nonconverged++;
		warn("%s%s%s %s: not decided after %zu trials (95%% CI half-width %.1f%%, target %.1f%%)", e->name,
		     *pt->label ? " " : "", pt->label, vn, cs->nclean, 100 * s.halfwidth, 100 * R->target);
		json_array_append_new(R->nonconv, json_pack("{s:s,s:s,s:s,s:s,s:i,s:o}", "cell", c->id, "experiment", e->name,
			"variant", vn, "point", pt->label, "trials", (int)cs->nclean,
			"halfwidth", isnan(s.halfwidth) ? json_null() : json_real(s.halfwidth)));
	}
}

static bool selected(const struct runner *R, size_t p)
{
	const struct point *pt = &R->plan->points[p];

	return (!R->o->experiment || strcmp(R->cfg->exps[pt->exp].name, R->o->experiment) == 0) &&
	       (!R->o->point || strcmp(pt->label, R->o->point) == 0) &&
	       (R->o->nshards <= 0 || shard_of(p, R->o->nshards) == (size_t)R->o->shard);
}

/* the highest round recorded for the point's active cells (more_rounds starts after it) */
static int lastround(struct runner *R, size_t p)
{
	size_t last = 0;

	for (size_t k = 0; k < R->nactive; k++)
		if (cellstate(R, p, R->active[k])->nround > last)
			last = cellstate(R, p, R->active[k])->nround;
	return (int)last;
}

/* how busy the machine was while point p ran, into metadata.json's noise */
static void pointnoise(struct runner *R, size_t p, const struct cpusample *a, size_t ranbefore)
{
	const struct point *pt = &R->plan->points[p];
	const char *name = R->cfg->exps[pt->exp].name;
	struct cpusample b;
	double share;
	bool noisy;

	if (R->sum->ran == ranbefore)
		return; /* all of it was resumed: nothing measured here now */
	sysinfo_sample(&b);
	share = sysinfo_other_share(a, &b, 0); /* the trials' time is in b's selfcpu */
	noisy = !isnan(share) && share > NOISY_SHARE;
	if (noisy) {
		R->sum->noisy_points++;
		warn("%s%s%s: other processes used %.0f%% of the CPUs while it ran", name, *pt->label ? " " : "", pt->label,
		     100 * share);
	}
	json_array_append_new(R->noise, json_pack("{s:s,s:s,s:o,s:o,s:o,s:b}", "experiment", name, "point", pt->label,
		"other_cpu_share", isnan(share) ? json_null() : json_real(share), "load_before", sysinfo_load_json(a),
		"load_after", sysinfo_load_json(&b), "noisy", noisy));
}

static int runpoint(struct runner *R, size_t p)
{
	const struct expconf *e = &R->cfg->exps[R->plan->points[p].exp];
	int base = R->o->more_rounds ? lastround(R, p) : 0, warm = e->warmup > 0 ? e->warmup : 0;
	int n = basetrials(R, e), measured = 0, extra = 0;
	size_t ranbefore = R->sum->ran;
	struct cpusample a;
	double before;

	sysinfo_sample(&a);
	pycanary(R, p);
	before = canary_now(R);
	for (int round = base + 1;; round++) {
		bool warmround = round - base <= warm;
		if (!warmround && measured >= n && !more(R, p, n, measured, &extra))
			break;
		if (!warmround && measured >= n) {
			R->sum->planned += R->nactive;
			progress_total(R->prog, R->sum->planned);
		}
		measured += !warmround;
		if (watchround(R, p, round, warmround, &before) < 0)
			return -1;
	}
	note(R, p, n);
	pointnoise(R, p, &a, ranbefore);
	return 0;
}

bool runsummary_partial(const struct runsummary *sum)
{
	return sum->failed || sum->timedout || sum->badoutput || sum->skipped_variants;
}

/* ---- setting up and finishing ---- */

/* where this call's files go (RUN_DIR, or its shard's folder), and the Slurm job it runs in */
static int place(struct runner *R)
{
	const char *job = getenv("SLURM_JOB_ID"), *array = getenv("SLURM_ARRAY_JOB_ID");
	const char *task = getenv("SLURM_ARRAY_TASK_ID"), *node = getenv("SLURMD_NODENAME");

	if (R->o->nshards > 0) {
		if (R->o->shard < 0 || R->o->shard >= R->o->nshards)
			return errorf("shard %d is not one of the run's %d shards (0 to %d)", R->o->shard, R->o->nshards,
			              R->o->nshards - 1);
		R->outdir = shard_dir(R->rundir, R->o->shard);
		if (mkdirp(R->outdir, 0755) < 0)
			return -1;
	} else {
		R->outdir = xstrdup(R->rundir);
	}
	R->slurmtask = -1;
	if (job && *job) {
		R->node = xstrdup(node && *node ? node : "?");
		R->slurmjob = strtol(array && *array ? array : job, NULL, 10);
		R->slurmtask = task && *task ? strtol(task, NULL, 10) : -1;
	}
	return 0;
}

static int setup(struct runner *R)
{
	const struct config *cfg = R->cfg;
	const struct runopts *o = R->o;
	char *cache = NULL;

	R->cpus = o->cpus ? o->cpus : cfg->run.cpus;
	if (R->cpus && (cpulist_usable(R->cpus) < 0 || cpulist_parse(R->cpus, &R->cpuset) < 0))
		return errwrap("%s", o->cpus ? "--cpus" : "run.cpus");
	R->mintrials = o->min_trials > 0 ? o->min_trials : cfg->run.min_trials;
	R->maxtrials = o->max_trials > 0 ? o->max_trials : cfg->run.max_trials;
	R->target = o->target > 0 ? o->target : cfg->run.target;
	if (R->target > 0 && R->maxtrials <= 0)
		R->maxtrials = DEFAULT_MAX_TRIALS;
	if (R->target > 0 && R->mintrials > R->maxtrials)
		R->maxtrials = R->mintrials;
	R->canaryref = NAN;
	if (cfg->run.canary > 0) {
		if (!o->cache && paths_cache(&cache) < 0)
			warn("canary: %s (rounds are judged against this run's own canary)", errmsg());
		else if (canary_store_open(o->cache ? o->cache : cache, &R->store) < 0)
			warn("canary: %s (rounds are judged against this run's own canary)", errmsg());
		else
			R->canaryref = canary_store_reference(R->store, CANARY_SERIES_C, &R->canaryruns);
	}
	free(cache);
	return 0;
}

/* what other processes did from the run stage's start to just before the first trial (at
 * least 0.1 s), not the load average, which counts this run's own earlier trials */
static void busyatstart(struct runner *R)
{
	struct cpusample b;
	struct interference in;
	double share, left = 0.1 - (now() - R->first.at);
	struct timespec ts = { 0, left > 0 ? (long)(left * 1e9) : 0 };

	while (left > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR && !spawn_interrupted)
		;
	sysinfo_sample(&b);
	sysinfo_interference(&R->first, &b, 0, &in);
	R->others_start = isnan(in.others) ? NAN : in.others / (b.at - R->first.at);
	share = R->others_start / (R->cpus ? CPU_COUNT(&R->cpuset) : ncpus());
	R->busystart = !isnan(share) && share > (R->cfg->run.interference > 0 ? R->cfg->run.interference : NOISY_SHARE);
	if (R->busystart)
		warn("the machine is busy before the run (other processes keep %.1f cores busy); trials they spoil are "
		     "repeated", R->others_start);
}

/* --resume continues something: always a whole run (as before shards); a shard only once it has its metadata.json */
static bool resumed(const struct runner *R)
{
	char *path;
	bool there;

	if (!R->o->nshards)
		return true;
	path = pathjoin(R->outdir, RUN_METADATA);
	there = exists(path);
	free(path);
	return there;
}

static int schedule(struct runner *R)
{
	char *planpath = pathjoin(R->rundir, RUN_PLAN);
	int rc = -1;

	if (loadbuilds(R) < 0 || probevariants(R) < 0 || (!R->o->nshards && plan_write(R->plan, planpath) < 0) ||
	    openresults(R) < 0)
		goto cleanup;
	busyatstart(R);
	for (size_t p = 0; p < R->plan->npoints; p++)
		if (selected(R, p))
			R->sum->planned += (size_t)(R->cfg->exps[R->plan->points[p].exp].warmup +
			                            basetrials(R, &R->cfg->exps[R->plan->points[p].exp])) * R->nactive;
	if (runmeta_write(R) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	free(planpath);
	return rc;
}

/* metadata.json rewritten at the end (or on an error), and the canary's samples kept */
static int finish(struct runner *R, int rc)
{
	char *msg = rc < 0 ? xstrdup(errmsg()) : NULL;
	struct cpusample end;

	if (rc < 0 && strcmp(R->status, "interrupted") != 0)
		R->status = "error";
	sysinfo_sample(&end);
	R->loadend = sysinfo_load_json(&end);
	R->selfcpu = end.selfcpu - R->first.selfcpu;
	R->ended = utcstamp(false);
	if (rc == 0 && R->store && R->ncsamples &&
	    canary_store_record(R->store, CANARY_SERIES_C, "C", R->csamples, R->ncsamples) < 0)
		warn("canary: %s", errmsg());
	if (runmeta_write(R) < 0 && rc == 0)
		rc = -1;
	else if (msg)
		errorf("%s", msg);
	free(msg);
	return rc;
}

static void freerunner(struct runner *R)
{
	if (R->fd >= 0)
		close(R->fd);
	if (R->roundsfd >= 0)
		close(R->roundsfd);
	for (size_t i = 0; R->cells && i < R->plan->ncells; i++) {
		free(R->cells[i].byround);
		free(R->cells[i].clean);
	}
	free(R->cells);
	results_free(R->loaded, R->nloaded);
	rounds_free(R->oldrounds, R->noldrounds);
	for (size_t v = 0; R->vars && v < R->cfg->nvariants; v++) {
		strlist_free(&R->vars[v].env);
		if (R->vars[v].probed)
			interp_free(&R->vars[v].ip);
	}
	free(R->vars);
	free(R->active);
	if (R->builds)
		buildrecs_free(R->builds, R->cfg->nbuilds);
	delcanarystore(R->store);
	free(R->csamples);
	json_decref(R->pycanary);
	json_decref(R->noise);
	json_decref(R->nonconv);
	json_decref(R->shortcells);
	json_decref(R->loadend);
	json_decref(R->resumes);
	free(R->started);
	free(R->ended);
	free(R->rundir);
	free(R->outdir);
	free(R->node);
}

int runner_run(const char *rundir, const struct config *cfg, const struct plan *plan,
               const struct runopts *o, struct runsummary *sum)
{
	struct runner R = { .cfg = cfg, .plan = plan, .o = o, .sum = sum, .fd = -1, .roundsfd = -1, .status = "running" };
	bool metawritten = false;
	int rc = -1;

	memset(sum, 0, sizeof(*sum));
	R.noise = json_array();
	R.nonconv = json_array();
	R.shortcells = json_array();
	R.pycanary = json_array();
	R.resumes = json_array();
	R.started = utcstamp(false);
	R.others_start = NAN;
	R.cells = xcalloc(plan->ncells ? plan->ncells : 1, sizeof(*R.cells));
	if (!(R.rundir = abspath(rundir)) || place(&R) < 0 || setup(&R) < 0 || (o->resume && resumed(&R) &&
	    runmeta_keepstart(&R) < 0))
		goto cleanup;
	sysinfo_sample(&R.first);
	if (schedule(&R) < 0)
		goto cleanup;
	metawritten = true;
	R.prog = mkprogress("trials", PROGRESS_COUNT);
	progress_total(R.prog, sum->planned);
	for (size_t p = 0; p < plan->npoints; p++)
		if (selected(&R, p) && runpoint(&R, p) < 0)
			goto cleanup;
	R.status = "complete";
	rc = 0;
cleanup:
	if (R.prog)
		progress_done(R.prog, "%zu run, %zu resumed, %zu failed, %zu timed out, %zu bad output, %zu contaminated",
		              sum->ran, sum->resumed, sum->failed, sum->timedout, sum->badoutput, sum->contaminated);
	if (metawritten)
		rc = finish(&R, rc);
	if (rc == 0 && sum->noisy_points)
		warn("%zu of %zu points ran while other processes used the machine (metadata.json: noise)", sum->noisy_points,
		     plan->npoints);
	if (rc == 0 && sum->nonconverged)
		warn("%zu cells were not decided (the %.1f%% target, or a comparison still inconclusive) in %d trials",
		     sum->nonconverged, 100 * R.target, R.maxtrials);
	freerunner(&R);
	return rc;
}
