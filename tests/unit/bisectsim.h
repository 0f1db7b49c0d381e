/* bisectsim.h: a simulated range of commits for bisect.c, shared by tests/unit/test_bisect.c
 * and tests/bench/bisect.c.
 *
 * Commit i has a true level (1 unless set) and a noise (the CV of its trials); a trial is
 * level * (1 + cv * N(0, 1)) from a GSL mt19937 seeded per search, so every run sees the
 * same numbers. Like the real driver, every step (and the confirmation) measures fresh
 * trials of GOOD and BAD interleaved with its commit, keeps them, and answers a second
 * call for the same commit with every value recorded so far, more than asked included.
 * The check measures two commits alone. A commit marked broken "fails to
 * build". Builds are counted as the real driver makes them: GOOD and BAD for the
 * confirmation, then one per commit measured (the check builds nothing new). */
#ifndef GILBENCH_BISECTSIM_H
#define GILBENCH_BISECTSIM_H

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "bisect.h"
#include "util.h"

#define SIM_MAX 64

struct simvals {
	double *good, *bad, *step;
	size_t n;               /* rounds recorded */
};

struct sim {
	size_t n;               /* commits, GOOD (0) to BAD (n - 1) */
	double level[SIM_MAX];  /* true level of each commit (0: 1) */
	double cv[SIM_MAX];     /* noise of each commit's trials (0: the sim's cv) */
	bool broken[SIM_MAX];   /* fails to build */
	double cvall;           /* the noise of every commit without its own */
	gsl_rng *rng;
	struct simvals vals[SIM_MAX + 2]; /* per commit; [SIM_MAX]: the confirmation, [SIM_MAX + 1]: the check */
	size_t builds;          /* builds the search made */
	size_t calls;           /* measure calls */
	size_t fail_at_call;    /* the measure call that fails with an error (0: none) */
	bool replay;            /* never add rounds: answer with what is recorded (a resume's replay) */
};

static double sim_level(const struct sim *s, size_t i)
{
	return s->level[i] ? s->level[i] : 1;
}

static double sim_trial(struct sim *s, size_t i)
{
	double cv = s->cv[i] ? s->cv[i] : s->cvall;

	return sim_level(s, i) * (1 + cv * gsl_ran_gaussian(s->rng, 1));
}

static double *sim_copy(const double *v, size_t n)
{
	double *c = xmalloc((n ? n : 1) * sizeof(*c));

	memcpy(c, v, n * sizeof(*c));
	return c;
}

static int sim_measure(void *ctx, const struct bisect_req *q, struct bisect_samples *out)
{
	struct sim *s = ctx;
	enum bisect_ask a = q->ask;
	size_t k = q->k, rounds = q->rounds, first = a == BISECT_CHECK ? q->base : 0;
	struct simvals *v = &s->vals[a == BISECT_CONFIRM ? SIM_MAX : a == BISECT_CHECK ? SIM_MAX + 1 : k];

	s->calls++;
	if (s->fail_at_call && s->calls == s->fail_at_call)
		return errorf("simulated error at call %zu", s->calls);
	if (a == BISECT_STEP && s->broken[k]) {
		if (!v->n && !s->replay)
			s->builds++;
		v->n = 1; /* built once (and failed) */
		out->failed = true;
		out->why = xasprintf("build of commit %zu failed", k);
		return 0;
	}
	if (v->n == 0 && !s->replay)
		s->builds += a == BISECT_CONFIRM ? 2 : a == BISECT_STEP ? 1 : 0;
	while (v->n < rounds && !s->replay) {
		v->good = xreallocarray(v->good, v->n + 1, sizeof(double));
		v->bad = xreallocarray(v->bad, v->n + 1, sizeof(double));
		v->step = xreallocarray(v->step, v->n + 1, sizeof(double));
		/* one interleaved round: GOOD (the check: its base), BAD, the commit */
		v->good[v->n] = sim_trial(s, first);
		v->bad[v->n] = a == BISECT_CHECK ? 0 : sim_trial(s, s->n - 1);
		v->step[v->n] = a == BISECT_CONFIRM ? 0 : sim_trial(s, k);
		v->n++;
	}
	out->good = sim_copy(v->good, v->n);
	out->ngood = v->n;
	if (a != BISECT_CHECK) {
		out->bad = sim_copy(v->bad, v->n);
		out->nbad = v->n;
	}
	if (a != BISECT_CONFIRM) {
		out->step = sim_copy(v->step, v->n);
		out->nstep = v->n;
	}
	return 0;
}

/* a range of n commits whose level steps from 1 to `to` at commit `at` (first at the new level) */
static void sim_init(struct sim *s, size_t n, size_t at, double to, double cv, unsigned long seed)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->cvall = cv;
	for (size_t i = at; i < n; i++)
		s->level[i] = to;
	s->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(s->rng, seed);
}

static void sim_free(struct sim *s)
{
	for (size_t i = 0; i < SIM_MAX + 2; i++) {
		free(s->vals[i].good);
		free(s->vals[i].bad);
		free(s->vals[i].step);
	}
	gsl_rng_free(s->rng);
	memset(s, 0, sizeof(*s));
}

static int sim_search(struct sim *s, double threshold, size_t min_rounds, size_t max_rounds, struct bisect_result *r)
{
	struct bisect_params bp = { s->n, threshold, min_rounds, max_rounds, true };
	struct bisect_ops ops = { sim_measure, NULL, s };

	return bisect_run(&bp, &ops, r);
}

#endif
