/* bisectrun.c: a new bisect run directory and the pipeline's measure step for it (see
 * bisectrun.h; the report is bisectreport.c).
 *
 * New: the config is loaded and the selection checked against it (the experiment, its point
 * when it has several, one or two variants); the refs are resolved in the git mirror and
 * the first-parent line from GOOD to BAD listed (gitsrc_between); the run directory gets
 * the config as given (bisect.yaml), its scripts and patches, sides "good" and "bad" at
 * their commits, the state, and config.yaml derived for those two sides.
 *
 * Measure: bisect.c's search runs with two callbacks. measure() finds the measurement's
 * record in the state (confirm, step k, or check k against base), or makes it: a step adds
 * a side named after its commit, rewrites config.yaml for every side so far and reloads
 * it, and builds that side alone (pipeline_build_side); a failed build, or a source that
 * cannot be prepared at that commit, is recorded and the commit skipped. The first time a
 * measurement runs trials it records its first round: one past the highest round its cells
 * hold. Its rounds are counted from results.jsonl (its measured cell's measured trials in
 * its range), and when fewer than asked the runner adds the missing ones, interleaved,
 * for its cells alone (runopts: variants, experiment, point, more_rounds). The values
 * handed back are the clean values of its cells in its range (cells_file: no trial another
 * process interfered with, none of a round the canary found slow): for one variant
 * the metric, for two the ratio of the first to the second in each round both finished.
 * decided() records each verdict in the state and logs it. Every record is saved in
 * run.json before the work it describes, so a killed bisect resumes where it stood. */
#include "bisectrun.h"
#include "bisect.h"
#include "cells.h"
#include "derive.h"
#include "gitsrc.h"
#include "log.h"
#include "pipeline.h"
#include "results.h"
#include "spawn.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_ROUNDS 30
#define SIDE_ID_LEN 12

static const char *const asknames[] = { "confirm", "step", "check" };

struct brun {                   /* a bisect being driven */
	struct pipeline *p;
	json_t *st;             /* run.json's extra "bisect" (borrowed) */
	json_t *meas;           /* st's measurements (borrowed) */
	struct config *orig;    /* RUN_DIR/bisect.yaml */
	const char *experiment, *point;
	const char *vars[3];    /* the variants, as the config names them */
	size_t nvars;
	struct strlist commits; /* the range, GOOD first */
	size_t nsteps;          /* verdicts so far */
};

/* ---- state ---- */

static const char *sget(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long iget(json_t *o, const char *key, long long dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* the side of commit k: "good", "bad", or its first 12 hex digits */
static char *sidename(const struct brun *B, size_t k)
{
	if (k == 0)
		return xstrdup("good");
	if (k + 1 == B->commits.n)
		return xstrdup("bad");
	return xstrndup(B->commits.v[k], SIDE_ID_LEN);
}

static size_t sideindex(const struct pipeline *p, const char *name)
{
	for (size_t s = 0; s < p->run.nsides; s++)
		if (strcmp(p->run.sides[s].name, name) == 0)
			return s;
	return (size_t)-1;
}

/* config.yaml for every side so far, reloaded into p->cfg */
static int rederive(struct brun *B)
{
	struct pipeline *p = B->p;
	struct strlist suffixes = {0};
	char *path = pathjoin(p->run.dir, RUN_CONFIG), *desc;
	struct derivesel sel;
	int rc;

	for (size_t s = 0; s < p->run.nsides; s++)
		strlist_add(&suffixes, p->run.sides[s].suffix);
	sel = (struct derivesel){ (const char *const *)suffixes.v, B->vars, B->experiment };
	desc = xasprintf("gilbench bisect of %s: %s%s%s between %s and %s", B->orig->name, B->experiment,
	                 *B->point ? " " : "", B->point, p->run.sides[0].ref, p->run.sides[1].ref);
	rc = derive_sides(B->orig, path, B->commits.v[0], desc, &sel);
	if (rc == 0) {
		delconfig(p->cfg);
		p->cfg = NULL;
		rc = config_load_rundir(p->run.dir, &p->cfg);
	}
	strlist_free(&suffixes);
	free(path);
	free(desc);
	return rc;
}

static int loadstate(struct brun *B, struct pipeline *p)
{
	json_t *v, *c;
	size_t i;
	char *path;
	int rc;

	memset(B, 0, sizeof(*B));
	B->p = p;
	B->st = json_object_get(p->run.extra, BISECT_STATE);
	B->meas = json_object_get(B->st, "measurements");
	B->experiment = sget(B->st, "experiment");
	B->point = sget(B->st, "point");
	v = json_object_get(B->st, "variants");
	json_array_foreach(json_object_get(B->st, "commits"), i, c)
		if (json_is_string(c))
			strlist_add(&B->commits, json_string_value(c));
	for (i = 0; i < json_array_size(v) && i < 2; i++)
		B->vars[B->nvars++] = json_string_value(json_array_get(v, i));
	if (!json_is_object(B->st) || !json_is_array(B->meas) || !B->experiment || !B->point || B->nvars == 0 ||
	    !B->vars[B->nvars - 1] || B->commits.n < 2 || p->run.nsides < 2)
		return errorf("%s/%s: extra.%s is not a bisect's state", p->run.dir, RUN_STATE, BISECT_STATE);
	path = pathjoin(p->run.dir, BISECT_CONFIG);
	rc = config_load_inrun(path, &B->orig);
	free(path);
	return rc;
}

static void freestate(struct brun *B)
{
	delconfig(B->orig);
	strlist_free(&B->commits);
}

/* ---- measurements ---- */

/* the sides a measurement sets side by side (GOOD, BAD, the step; or base, the commit); n set */
static void sidesof(const struct brun *B, const struct bisect_req *q, char *sides[3], size_t *n)
{
	*n = 0;
	if (q->ask == BISECT_CHECK) {
		sides[(*n)++] = sidename(B, q->base);
		sides[(*n)++] = sidename(B, q->k);
		return;
	}
	sides[(*n)++] = xstrdup("good");
	sides[(*n)++] = xstrdup("bad");
	if (q->ask == BISECT_STEP)
		sides[(*n)++] = sidename(B, q->k);
}

static void reqof(json_t *m, struct bisect_req *q)
{
	const char *a = sget(m, "ask");

	q->ask = a && strcmp(a, "step") == 0 ? BISECT_STEP : a && strcmp(a, "check") == 0 ? BISECT_CHECK : BISECT_CONFIRM;
	q->k = (size_t)iget(m, "k", 0);
	q->base = (size_t)iget(m, "base", 0);
}

/* the record of measurement q, its index in *mi; NULL when there is none yet */
static json_t *findmeas(const struct brun *B, const struct bisect_req *q, size_t *mi)
{
	json_t *m;
	size_t i;

	json_array_foreach(B->meas, i, m) {
		struct bisect_req r;
		reqof(m, &r);
		if (r.ask == q->ask && r.k == q->k && r.base == q->base) {
			*mi = i;
			return m;
		}
	}
	return NULL;
}

/* a new record for q; a step's side is added and config.yaml derived for it */
static json_t *addmeas(struct brun *B, const struct bisect_req *q, size_t *mi)
{
	struct pipeline *p = B->p;
	json_t *m = json_pack("{s:s, s:I, s:I, s:n, s:n}", "ask", asknames[q->ask], "k", (json_int_t)q->k, "base",
	                      (json_int_t)q->base, "first_round", "build");

	if (q->ask == BISECT_STEP) {
		char *side = sidename(B, q->k);
		if (sideindex(p, side) == (size_t)-1) {
			rundir_addside(&p->run, side, B->commits.v[q->k]);
			p->run.sides[p->run.nsides - 1].commit = xstrdup(B->commits.v[q->k]);
		}
		json_object_set_new(m, "side", json_string(side));
		json_object_set_new(m, "build", json_string("pending"));
		free(side);
	}
	json_array_append_new(B->meas, m);
	*mi = json_array_size(B->meas) - 1;
	if (rundir_save(&p->run) < 0 || (q->ask == BISECT_STEP && rederive(B) < 0))
		return NULL;
	return m;
}

/* build a step's side; a failure is recorded in M ("failed", why), not returned */
static int stepbuild(struct brun *B, json_t *m)
{
	struct pipeline *p = B->p;
	size_t s = sideindex(p, sget(m, "side")), before = p->nrecs;
	int failed = p->out.failed_builds, rc;
	bool verify = p->out.verify_failed, reused = true;
	double secs = 0;
	struct buf why = {0};

	if (s == (size_t)-1)
		return errorf("%s: side %s of a step is not in run.json", p->run.dir, sget(m, "side"));
	rc = pipeline_build_side(p, s);
	if (rc < 0 && spawn_interrupted)
		return -1;
	if (rc < 0)
		bufaddf(&why, "%s", errmsg()); /* a source that cannot be prepared there: skipped like a failed build */
	for (size_t i = before; i < p->nrecs; i++) {
		const struct buildrec *r = &p->recs[i];
		reused = reused && r->reused;
		for (int k = 0; k < NSTEPS; k++)
			secs += r->reused ? 0 : r->seconds[k];
		if (!r->ok)
			bufaddf(&why, "%sbuild %s failed at %s: %.*s", why.len ? "; " : "", r->name,
			        r->failed_step ? r->failed_step : "?", (int)strcspn(r->error ? r->error : "", "\n"),
			        r->error ? r->error : "");
	}
	p->out.failed_builds = failed; /* a step that does not build is skipped, not a failed run */
	p->out.verify_failed = verify;
	json_object_set_new(m, "build", json_string(why.len ? "failed" : reused ? "reused" : "built"));
	json_object_set_new(m, "build_seconds", json_real(secs));
	if (why.len)
		json_object_set_new(m, "why", json_string(why.s));
	buffree(&why);
	return rundir_save(&p->run);
}

/* the cell id of SIDE's variant v at the bisected point */
static const char *cellid(const struct brun *B, const struct plan *pl, const char *side, size_t v)
{
	const struct config *cfg = B->p->cfg;
	char *name = xasprintf("%s.%s", B->vars[v], side);
	size_t vi, pi;

	for (vi = 0; vi < cfg->nvariants && strcmp(cfg->variants[vi].name, name) != 0; vi++)
		;
	free(name);
	for (pi = 0; pi < pl->npoints; pi++)
		if (strcmp(cfg->exps[pl->points[pi].exp].name, B->experiment) == 0 && strcmp(pl->points[pi].label, B->point) == 0)
			break;
	if (vi == cfg->nvariants || pi == pl->npoints)
		return NULL;
	return plan_cell(pl, pi, vi)->id;
}

struct filing {                 /* one measurement's trials, filed */
	struct trial *all;      /* results.jsonl */
	size_t nall;
	struct roundrec *rounds; /* rounds.jsonl: which rounds were slow */
	size_t nrounds;
	struct trial *sub;      /* shallow copies of the measurement's own */
	size_t nsub;
	struct plan *plan;
	struct cellfile cf;
	int high;               /* the highest round its cells hold, anywhere */
};

static void filing_free(struct filing *f)
{
	if (f->plan)
		cells_free(&f->cf);
	delplan(f->plan);
	free(f->sub);
	results_free(f->all, f->nall);
	rounds_free(f->rounds, f->nrounds);
	memset(f, 0, sizeof(*f));
}

/* is side SIDE in the measurement record m? */
static bool hasside(const struct brun *B, json_t *m, const char *side)
{
	struct bisect_req q;
	char *sides[3];
	size_t n;
	bool has = false;

	reqof(m, &q);
	sidesof(B, &q, sides, &n);
	for (size_t i = 0; i < n; i++) {
		has = has || strcmp(sides[i], side) == 0;
		free(sides[i]);
	}
	return has;
}

/* measurement mi's trials of its sides from its first round, each side up to the first round of a
 * later measurement of it */
static int file_meas(struct brun *B, size_t mi, char *const *sides, size_t nsides, struct filing *f)
{
	struct pipeline *p = B->p;
	json_t *m = json_array_get(B->meas, mi);
	char *path = pathjoin(p->run.dir, RUN_RESULTS), *rpath = pathjoin(p->run.dir, RUN_ROUNDS);
	int first = (int)iget(m, "first_round", 0), rc = -1;

	memset(f, 0, sizeof(*f));
	if (isregular(path) && results_load(path, &f->all, &f->nall, NULL) < 0)
		goto cleanup;
	if (rounds_load(rpath, &f->rounds, &f->nrounds, NULL) < 0)
		goto cleanup;
	if (plan_make(p->cfg, &f->plan) < 0)
		goto cleanup;
	f->sub = xcalloc(f->nall + 1, sizeof(*f->sub));
	for (size_t s = 0; s < nsides; s++) {
		int end = 0;
		for (size_t j = mi + 1; j < json_array_size(B->meas); j++) {
			json_t *later = json_array_get(B->meas, j);
			int fr = (int)iget(later, "first_round", 0);
			if (fr > 0 && hasside(B, later, sides[s]) && (!end || fr < end))
				end = fr;
		}
		for (size_t v = 0; v < B->nvars; v++) {
			const char *id = cellid(B, f->plan, sides[s], v);
			for (size_t t = 0; id && t < f->nall; t++) {
				if (!f->all[t].cell || strcmp(f->all[t].cell, id) != 0)
					continue;
				f->high = f->all[t].round > f->high ? f->all[t].round : f->high;
				if (first > 0 && f->all[t].round >= first && (!end || f->all[t].round < end))
					f->sub[f->nsub++] = f->all[t];
			}
		}
	}
	cells_file(&f->cf, f->plan, f->sub, f->nsub, f->rounds, f->nrounds);
	rc = 0;
cleanup:
	free(path);
	free(rpath);
	return rc;
}

static struct cellvals *valsof(const struct brun *B, const struct filing *f, const char *side, size_t v)
{
	const char *id = cellid(B, f->plan, side, v);
	const struct cell *c = id ? plan_find(f->plan, id) : NULL;

	return c ? &f->cf.cells[c - f->plan->cells] : NULL;
}

/* a side's values: the metric, or with two variants the ratio of the first to the second in
 * each round both have a value */
static double *values(const struct brun *B, const struct filing *f, const char *side, size_t *n)
{
	struct cellvals *a = valsof(B, f, side, 0), *b = B->nvars > 1 ? valsof(B, f, side, 1) : NULL;
	double *v = xcalloc((a ? a->n : 0) + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; a && i < a->n; i++) {
		if (B->nvars == 1) {
			v[(*n)++] = a->vals[i];
			continue;
		}
		for (size_t j = 0; b && j < b->n; j++)
			if (f->sub[b->idx[j]].round == f->sub[a->idx[i]].round && b->vals[j] != 0)
				v[(*n)++] = a->vals[i] / b->vals[j];
	}
	return v;
}

/* rounds measured so far of the measurement's last side (the commit it is about) */
static size_t attempted(const struct brun *B, const struct filing *f, const char *side)
{
	const struct cellvals *c = valsof(B, f, side, 0);

	return c ? c->ntrials - c->nwarm : 0;
}

/* fresh interleaved rounds of the measurement's cells */
static int more(struct brun *B, char *const *sides, size_t nsides, size_t rounds)
{
	struct pipeline *p = B->p;
	struct runopts ro = p->o.trials;
	struct strlist names = {0};
	int rc;

	for (size_t s = 0; s < nsides; s++)
		for (size_t v = 0; v < B->nvars; v++)
			strlist_addown(&names, xasprintf("%s.%s", B->vars[v], sides[s]));
	ro.resume = true;
	ro.more_rounds = true;
	ro.variants = (const char *const *)names.v;
	ro.experiment = B->experiment;
	ro.point = B->point;
	ro.min_trials = ro.max_trials = (int)rounds;
	ro.target = 0;
	rc = pipeline_trials(p, &ro);
	strlist_free(&names);
	return rc;
}

static int measure(void *ctx, const struct bisect_req *q, struct bisect_samples *out)
{
	struct brun *B = ctx;
	struct pipeline *p = B->p;
	char *sides[3] = { NULL, NULL, NULL };
	struct filing f = {0};
	size_t mi, ns, have;
	json_t *m = findmeas(B, q, &mi);
	int rc = -1;

	if (!m && !(m = addmeas(B, q, &mi)))
		return -1;
	if (q->ask == BISECT_STEP && strcmp(sget(m, "build"), "pending") == 0) {
		logmsg("bisect: building commit %.12s (%zu of %zu in the range)", B->commits.v[q->k], q->k,
		       B->commits.n - 1);
		if (stepbuild(B, m) < 0)
			return -1;
	}
	if (q->ask == BISECT_STEP && strcmp(sget(m, "build"), "failed") == 0) {
		out->failed = true;
		out->why = xstrdup(sget(m, "why") ? sget(m, "why") : "the build failed");
		return 0;
	}
	sidesof(B, q, sides, &ns);
	if (file_meas(B, mi, sides, ns, &f) < 0)
		goto cleanup;
	if (iget(m, "first_round", 0) <= 0) {
		json_object_set_new(m, "first_round", json_integer(f.high + 1));
		if (rundir_save(&p->run) < 0)
			goto cleanup;
	}
	have = attempted(B, &f, sides[ns - 1]);
	if (have < q->rounds) {
		filing_free(&f);
		if (more(B, sides, ns, q->rounds - have) < 0 || file_meas(B, mi, sides, ns, &f) < 0)
			goto cleanup;
	}
	if (q->ask == BISECT_CHECK) {
		out->good = values(B, &f, sides[0], &out->ngood);
		out->step = values(B, &f, sides[1], &out->nstep);
	} else {
		out->good = values(B, &f, sides[0], &out->ngood);
		out->bad = values(B, &f, sides[1], &out->nbad);
		if (q->ask == BISECT_STEP)
			out->step = values(B, &f, sides[2], &out->nstep);
	}
	rc = 0;
cleanup:
	filing_free(&f);
	for (size_t i = 0; i < 3; i++)
		free(sides[i]);
	return rc;
}

/* ---- verdicts ---- */

static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *judgement_json(const struct judgement *j, bool lower_is_better)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:f}", "verdict", verdict_word(j->verdict, lower_is_better),
	                 "ratio", num(j->c.ratio), "lo", num(j->c.ratio_lo), "hi", num(j->c.ratio_hi), "p", num(j->c.p),
	                 "tie", j->tie);
}

static json_t *summary_json(const struct summary *s)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o}", "n", (json_int_t)s->n, "median", num(s->median), "ci_lo",
	                 num(s->ci_lo), "ci_hi", num(s->ci_hi), "cv", num(s->cv));
}

static int decided(void *ctx, const struct bisect_step *st)
{
	struct brun *B = ctx;
	bool lib = json_is_true(json_object_get(B->st, "lower_is_better"));
	json_t *steps = json_object_get(B->st, "steps"), *o;
	const char *what = bisect_verdict_word(st->verdict);

	o = json_pack("{s:s, s:I, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "ask", asknames[st->kind], "k",
	              (json_int_t)st->commit, "commit", B->commits.v[st->commit], "verdict", what, "rounds",
	              (json_int_t)st->rounds, "values", summary_json(&st->s), "good", summary_json(&st->good), "bad",
	              summary_json(&st->bad), "vs_good", judgement_json(&st->vs_good, lib), "vs_bad",
	              st->kind == BISECT_STEP ? judgement_json(&st->vs_bad, lib) : json_null(), "why",
	              st->why ? json_string(st->why) : json_null());
	if (st->kind == BISECT_CHECK) {
		json_object_set_new(o, "base", json_integer((json_int_t)st->base));
		json_object_set_new(o, "base_commit", json_string(B->commits.v[st->base]));
	}
	json_array_append_new(steps, o);
	if (st->kind == BISECT_CONFIRM)
		logmsg("bisect: GOOD against BAD: BAD/GOOD %.3f (95%% interval %.3f-%.3f), %s in %zu rounds",
		       st->vs_good.c.ratio, st->vs_good.c.ratio_lo, st->vs_good.c.ratio_hi,
		       verdict_word(st->vs_good.verdict, lib), st->rounds);
	else if (st->kind == BISECT_CHECK)
		logmsg("bisect: check: commit %.12s against %.12s: ratio %.3f (95%% interval %.3f-%.3f), %s in %zu rounds",
		       B->commits.v[st->commit], B->commits.v[st->base], st->vs_good.c.ratio, st->vs_good.c.ratio_lo,
		       st->vs_good.c.ratio_hi, verdict_word(st->vs_good.verdict, lib), st->rounds);
	else if (st->verdict == BISECT_SKIPPED)
		logmsg("bisect: step %zu: commit %.12s (%zu of %zu): skipped: %s", ++B->nsteps, B->commits.v[st->commit],
		       st->commit, B->commits.n - 1, st->why ? st->why : "?");
	else
		logmsg("bisect: step %zu: commit %.12s (%zu of %zu): %s%s%s (to GOOD %.3f, to BAD %.3f, %zu rounds)",
		       ++B->nsteps, B->commits.v[st->commit], st->commit, B->commits.n - 1, what, st->why ? ": " : "",
		       st->why ? st->why : "", st->vs_good.c.ratio, st->vs_bad.c.ratio, st->rounds);
	return rundir_save(&B->p->run);
}

/* ---- the measure step ---- */

static void result_json(struct brun *B, const struct bisect_result *r)
{
	bool lib = json_is_true(json_object_get(B->st, "lower_is_better"));
	size_t built = 0, reused = 0, failed = 0;
	json_t *m, *o;
	size_t i;

	json_array_foreach(B->meas, i, m) {
		const char *b = sget(m, "build");
		built += b && strcmp(b, "built") == 0;
		reused += b && strcmp(b, "reused") == 0;
		failed += b && strcmp(b, "failed") == 0;
	}
	json_array_foreach(json_object_get(B->st, "ends"), i, m) {
		built += json_is_true(json_object_get(m, "built"));
		reused += !json_is_true(json_object_get(m, "built"));
	}
	o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:b, s:o, s:f, s:f, s:o, s:{s:I, s:I, s:I, s:I}}", "outcome",
	              bisect_outcome_word(r->outcome), "lo", (json_int_t)r->lo, "hi", (json_int_t)r->hi, "last_good",
	              B->commits.v[r->lo], "first_bad", B->commits.v[r->hi], "other_changes", r->other_changes,
	              "change", r->outcome == BISECT_NOCHANGE ? judgement_json(&r->confirm.vs_good, lib)
	                                                      : judgement_json(&r->change, lib),
	              "tie_good", r->tie_good, "tie_bad", r->tie_bad, "why", r->why ? json_string(r->why) : json_null(),
	              "builds", "sides", (json_int_t)(built + reused + failed), "built", (json_int_t)built, "reused",
	              (json_int_t)reused, "failed", (json_int_t)failed);
	json_object_set_new(B->st, "result", o);
	logmsg("bisect: %s%s%.12s; %zu builds (%zu built, %zu reused, %zu failed), %zu measurements",
	       bisect_outcome_word(r->outcome), r->outcome == BISECT_FOUND ? " " : "",
	       r->outcome == BISECT_FOUND ? B->commits.v[r->hi] : "", built + reused + failed, built, reused, failed,
	       json_array_size(json_object_get(B->st, "steps")));
}

/* GOOD's and BAD's builds must be there: nothing can be bisected against a failed one. The
 * first time, whether each was built or reused is recorded (a resume reuses them all). */
static int ends_built(struct brun *B)
{
	const struct pipeline *p = B->p;
	json_t *ends = json_object_get(B->st, "ends");

	for (size_t i = 0; i < p->nrecs; i++)
		if (!p->recs[i].ok)
			return errorf("build %s failed: GOOD and BAD must both build to bisect between them", p->recs[i].name);
	if (!json_is_array(ends) && p->nrecs) {
		ends = json_array();
		for (size_t i = 0; i < p->nrecs; i++)
			json_array_append_new(ends, json_pack("{s:s, s:b}", "build", p->recs[i].name, "built", !p->recs[i].reused));
		json_object_set_new(B->st, "ends", ends);
	}
	return 0;
}

int bisectrun_measure(struct pipeline *p)
{
	struct brun B;
	struct bisect_params bp;
	struct bisect_ops ops = { measure, decided, &B };
	struct bisect_result r;
	double t0 = now();
	int rc = -1;

	memset(&r, 0, sizeof(r));
	/* config.yaml again for every side run.json names: a kill between the two saves loses nothing */
	if (loadstate(&B, p) < 0 || ends_built(&B) < 0 || rederive(&B) < 0)
		goto cleanup;
	bp = (struct bisect_params){ B.commits.n, json_number_value(json_object_get(B.st, "threshold")),
	                             (size_t)iget(B.st, "min_rounds", 3), (size_t)iget(B.st, "max_rounds", 30),
	                             json_is_true(json_object_get(B.st, "lower_is_better")) };
	json_object_set_new(B.st, "steps", json_array()); /* the search replays every verdict */
	json_object_del(B.st, "result");
	logmsg("bisect: %zu commits from %.12s to %.12s, %s%s%s %s%s%s, threshold %.3g%%", B.commits.n - 1,
	       B.commits.v[0], B.commits.v[B.commits.n - 1], B.experiment, *B.point ? " " : "", B.point, B.vars[0],
	       B.nvars > 1 ? "/" : "", B.nvars > 1 ? B.vars[1] : "", 100 * bp.threshold);
	if (bisect_run(&bp, &ops, &r) < 0)
		goto cleanup;
	result_json(&B, &r);
	rc = 0;
cleanup:
	if (B.st)
		json_object_set_new(B.st, "seconds", json_real(json_number_value(json_object_get(B.st, "seconds")) + now() - t0));
	if (p->run.dir && B.st && rundir_save(&p->run) < 0)
		rc = -1;
	bisect_result_free(&r);
	freestate(&B);
	return rc;
}

/* ---- a new bisect ---- */

/* the experiment, point and variants of spec b in cfg; -1 with the error (a usage error) */
static int select_in(const struct config *cfg, const struct bisectspec *b, json_t *st)
{
	struct plan *pl = NULL;
	struct buf labels = {0};
	const struct expconf *e = NULL;
	const char *point = NULL;
	json_t *vars = json_array();
	size_t n = 0;
	int rc = -1;

	for (size_t i = 0; i < cfg->nexps && !e; i++)
		if (strcmp(cfg->exps[i].name, b->experiment) == 0)
			e = &cfg->exps[i];
	if (!e) {
		errorf("--experiment %s: %s has no experiment of that name", b->experiment, cfg->path);
		goto cleanup;
	}
	if (plan_make(cfg, &pl) < 0)
		goto cleanup;
	for (size_t i = 0; i < pl->npoints; i++)
		if (&cfg->exps[pl->points[i].exp] == e) {
			bufaddf(&labels, "%s%s", n++ ? ", " : "", pl->points[i].label);
			if (b->point ? strcmp(pl->points[i].label, b->point) == 0 : n == 1)
				point = pl->points[i].label;
		}
	if (!point || (!b->point && n > 1)) {
		errorf("%s %s: experiment %s has the points %s; choose one with --point", b->point ? "--point" : "no --point",
		       b->point ? b->point : "given", e->name, labels.s);
		goto cleanup;
	}
	for (size_t k = 0; b->variants && b->variants[k]; k++) {
		size_t v;
		for (v = 0; v < cfg->nvariants && strcmp(cfg->variants[v].name, b->variants[k]) != 0; v++)
			;
		if (v == cfg->nvariants || k >= 2 || (k == 1 && strcmp(b->variants[0], b->variants[1]) == 0)) {
			errorf("--variant %s: %s", b->variants[k], k >= 2 ? "at most two (a ratio: the first over the second)"
			       : v == cfg->nvariants ? "the config has no variant of that name" : "a ratio needs two variants");
			goto cleanup;
		}
		json_array_append_new(vars, json_string(b->variants[k]));
	}
	if (!b->variants) {
		if (cfg->nvariants != 1) {
			struct buf names = {0};
			for (size_t v = 0; v < cfg->nvariants; v++)
				bufaddf(&names, "%s%s", v ? ", " : "", cfg->variants[v].name);
			errorf("the config has the variants %s; choose one with --variant (or two: their ratio)", names.s);
			buffree(&names);
			goto cleanup;
		}
		json_array_append_new(vars, json_string(cfg->variants[0].name));
	}
	json_object_set_new(st, "experiment", json_string(e->name));
	json_object_set_new(st, "point", json_string(point));
	json_object_set_new(st, "variants", json_incref(vars));
	json_object_set_new(st, "metric", json_string(e->metric));
	json_object_set_new(st, "lower_is_better", json_boolean(e->lower_is_better));
	json_object_set_new(st, "min_rounds", json_integer(b->min_rounds > 0 ? b->min_rounds : e->trials < 3 ? 3 : e->trials));
	rc = 0;
cleanup:
	json_decref(vars);
	buffree(&labels);
	delplan(pl);
	return rc;
}

/* GOOD's and BAD's commits and the first-parent line between them, into the state */
static int range_of(const struct config *cfg, const struct pipeopts *o, const struct bisectspec *b, json_t *st,
                    char good[41], char bad[41])
{
	struct paths paths = {0};
	struct strlist line = {0};
	char *mirror = NULL;
	json_t *commits = json_array();
	int rc = -1;

	if (paths_init(&paths, o->work) < 0 || gitsrc_mirror(cfg->source.url, &paths, &mirror) < 0)
		goto cleanup;
	if (gitsrc_resolve(mirror, b->good, good) < 0)
		errwrap("GOOD (%s)", b->good);
	else if (gitsrc_resolve(mirror, b->bad, bad) < 0)
		errwrap("BAD (%s)", b->bad);
	else if (strcmp(good, bad) == 0)
		errorf("GOOD (%s) and BAD (%s) are one commit, %.12s: nothing to bisect", b->good, b->bad, good);
	else if (gitsrc_between(mirror, good, bad, &line) < 0)
		errwrap("GOOD (%s) to BAD (%s)", b->good, b->bad);
	else
		rc = 0;
	for (size_t i = 0; i < line.n; i++)
		json_array_append_new(commits, json_string(line.v[i]));
	json_object_set(st, "commits", commits);
cleanup:
	json_decref(commits);
	strlist_free(&line);
	free(mirror);
	paths_free(&paths);
	return rc;
}

int bisectrun_new(struct pipeline *p, const struct pipeopts *o, const struct bisectspec *b, const char *out)
{
	struct config *cfg = NULL;
	json_t *st = json_object();
	char good[41], bad[41], *copy = NULL;
	int rc = -1, max;
	struct brun B;

	memset(p, 0, sizeof(*p));
	memset(&B, 0, sizeof(B));
	if (config_load(b->config, &cfg) < 0)
		goto cleanup;
	if (cfg->source.kind != SRC_GIT) {
		errorf("%s: bisect needs a git source (source: git: {url, ref}); this config builds a tarball", b->config);
		goto cleanup;
	}
	if (b->alert && strcmp(json_string_value(json_object_get(b->alert, "config")), cfg->name) != 0) {
		errorf("alert %lld is of config %s, and %s is config %s", (long long)json_integer_value(json_object_get(b->alert,
		       "id")), json_string_value(json_object_get(b->alert, "config")), b->config, cfg->name);
		goto cleanup;
	}
	if (select_in(cfg, b, st) < 0) {
		p->out.usage = true;
		goto cleanup;
	}
	max = b->max_rounds > 0 ? b->max_rounds : cfg->run.max_trials > 0 ? cfg->run.max_trials : DEFAULT_MAX_ROUNDS;
	if (max < json_integer_value(json_object_get(st, "min_rounds")))
		max = (int)json_integer_value(json_object_get(st, "min_rounds"));
	json_object_set_new(st, "threshold", json_real(b->threshold));
	json_object_set_new(st, "max_rounds", json_integer(max));
	json_object_set_new(st, "config", json_string(BISECT_CONFIG));
	json_object_set_new(st, "alert", b->alert ? json_incref(b->alert) : json_null());
	json_object_set_new(st, "measurements", json_array());
	json_object_set_new(st, "steps", json_array());
	json_object_set_new(st, "seconds", json_real(0));
	if (range_of(cfg, o, b, st, good, bad) < 0)
		goto cleanup;
	if (pipeline_create(p, o, KIND_BISECT, cfg->name, out) < 0 || rundir_copy_inputs(cfg, p->run.dir) < 0)
		goto cleanup;
	copy = pathjoin(p->run.dir, BISECT_CONFIG);
	if (copyfile(cfg->path, copy) < 0)
		goto cleanup;
	rundir_addside(&p->run, "good", b->good);
	rundir_addside(&p->run, "bad", b->bad);
	p->run.sides[0].commit = xstrdup(good);
	p->run.sides[1].commit = xstrdup(bad);
	json_object_set(p->run.extra, BISECT_STATE, st);
	if (loadstate(&B, p) < 0 || rederive(&B) < 0)
		goto cleanup;
	delconfig(p->cfg); /* pipeline_start loads it again */
	p->cfg = NULL;
	rc = pipeline_start(p);
cleanup:
	freestate(&B);
	json_decref(st);
	delconfig(cfg);
	free(copy);
	return rc;
}
