/* test_changepoint.c: changepoint.c on synthetic nightly series.
 *
 * Series are made here: N nights of T trials, each trial level * (1 + cv * N(0, 1)) drawn
 * from a GSL mt19937 with a fixed seed, so every run sees the same numbers. The levels say
 * where the steps are; the detector must find them at that commit, stay silent on A/A
 * histories and single outlier nights, call improvements improvements, hold back steps too
 * recent to confirm, and survive empty, short, constant and non-finite series. The
 * smallest detectable step is checked against its formula computed independently in
 * Python (statistics.NormalDist; Student's t quantiles by integrating its density):
 * z(0.8) = 0.8416212335729144, z(1 - 0.01/110) = 3.743024930542451, z(1 - 0.01/2) =
 * 2.5758293035489, z(0.75) = 0.6744897501960817, t(0.975, 18) = 2.100922040240982,
 * t(0.975, 4) = 2.7764451051977987. Nights alternating at exp(+-0.01) have sigma =
 * 0.02 / (z(0.75) sqrt 2). 60 of them, 10 nights a side (55 positions): expm1(max(log 1.05
 * + z.8 se, log 1.025 + (t(0.975, 18) + z.8) se, (z(1 - 0.01/110) + z.8) se)) =
 * 0.05831908219265308 with se = sigma sqrt(2/10), and 0.04392673417117491 with no
 * threshold (the scan's term); 6 of them, 3 nights a side (1 position), no threshold:
 * (t(0.975, 4) + z.8) se with se = sigma sqrt(2/3) wins, 0.06389840852940769. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "changepoint.h"
#include "util.h"

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))
#define MAXN 80
#define T 10

struct hist {
	double x[MAXN * T];
	struct cptrials t[MAXN];
	double level[MAXN];
	size_t n;
};

/* n nights of `trials` trials at hist->level[i] (1 where unset), each night moved by
 * night_cv noise and each trial by cv noise, seeded */
static void make_nights(struct hist *h, size_t n, size_t trials, double cv, double night_cv,
                        unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t i, j;

	assert_non_null(r);
	assert_true(n <= MAXN && trials <= T);
	gsl_rng_set(r, seed);
	h->n = n;
	for (i = 0; i < n; i++) {
		double level = (h->level[i] ? h->level[i] : 1) * (1 + night_cv * gsl_ran_gaussian(r, 1));
		for (j = 0; j < trials; j++)
			h->x[i * T + j] = level * (1 + cv * gsl_ran_gaussian(r, 1));
		h->t[i] = (struct cptrials){ h->x + i * T, trials };
	}
	gsl_rng_free(r);
}

static void make(struct hist *h, size_t n, double cv, unsigned long seed)
{
	make_nights(h, n, T, cv, 0, seed);
}

static void steps(struct hist *h, size_t from, size_t to, double level)
{
	size_t i;

	for (i = from; i < to && i < MAXN; i++)
		h->level[i] = level;
}

static struct hist *newhist(void)
{
	struct hist *h = xcalloc(1, sizeof(*h));

	return h;
}

static void detect(const struct hist *h, const struct cpopts *o, struct cpresult *r)
{
	assert_int_equal(cp_detect(h->t, h->n, o, r), 0);
}

static size_t alerts(const struct cpresult *r)
{
	size_t i, k = 0;

	for (i = 0; i < r->n; i++)
		k += r->changes[i].alert;
	return k;
}

static void aa_quiet(void **state)
{
	static const double cvs[] = { 0.02, 0.08 };
	struct hist *h = newhist();
	struct cpopts o;
	struct cpresult r;
	size_t c, seed, i;

	(void)state;
	cp_defaults(&o);
	for (c = 0; c < LEN(cvs); c++)
		for (seed = 1; seed <= 20; seed++) {
			make(h, 60, cvs[c], 100 * c + seed);
			detect(h, &o, &r);
			assert_int_equal(alerts(&r), 0);
			for (i = 0; i < r.n; i++)
				assert_int_not_equal(r.changes[i].status, CP_CONFIRMED);
			assert_int_equal(r.nights, 60);
			/* the night's noise is about 1.25 cv / sqrt(T) (the median's), the trials' cv */
			assert_true(r.noise > 0.5 * 1.25 * cvs[c] / sqrt(T) && r.noise < 2 * 1.25 * cvs[c] / sqrt(T));
			assert_true(r.trial_cv > 0.7 * cvs[c] && r.trial_cv < 1.3 * cvs[c]);
			cpresult_free(&r);
		}
	/* 5 trials a night at CV 8%; trials at 1% on nights that wander by 3% */
	for (seed = 1; seed <= 20; seed++) {
		make_nights(h, 60, 5, 0.08, 0, 300 + seed);
		detect(h, &o, &r);
		assert_int_equal(alerts(&r), 0);
		cpresult_free(&r);
		make_nights(h, 60, T, 0.01, 0.03, 400 + seed);
		detect(h, &o, &r);
		assert_int_equal(alerts(&r), 0);
		assert_true(r.noise > 0.02 && r.trial_cv < 0.02);
		cpresult_free(&r);
	}
	free(h);
}

/* one change expected at first_bad; returns it */
static const struct cpchange *only(const struct cpresult *r, size_t first_bad)
{
	assert_int_equal(r->n, 1);
	assert_int_equal(r->changes[0].first_bad, first_bad);
	return &r->changes[0];
}

static void step_found(void **state)
{
	struct hist *h = newhist();
	struct cpopts o;
	struct cpresult r;
	const struct cpchange *c;
	unsigned long seed;

	(void)state;
	cp_defaults(&o);
	for (seed = 1; seed <= 5; seed++) {
		memset(h->level, 0, sizeof(h->level));
		steps(h, 30, 60, 1.10);
		make(h, 60, 0.02, seed);
		detect(h, &o, &r);
		c = only(&r, 30);
		assert_int_equal(c->last_good, 29);
		assert_int_equal(c->status, CP_CONFIRMED);
		assert_int_equal(c->direction, CP_REGRESSION);
		assert_true(c->alert && !c->known);
		assert_true(c->lo < 1.10 && c->hi > 1.10 && c->lo > 1.05);
		assert_true(c->p < o.alpha && c->p_confirm < 0.05);
		assert_int_equal(c->before_from, 20);
		assert_int_equal(c->before_to, 30);
		assert_int_equal(c->after_from, 30);
		assert_int_equal(c->after_to, 40);
		assert_int_equal(c->nights_before, 10);
		assert_int_equal(c->trials_after, 10 * T);
		assert_true(c->min_step > 0.05 && c->min_step < 0.07);
		cpresult_free(&r);

		/* 5%: at the threshold, found at its commit, alerted once the threshold is under it */
		steps(h, 30, 60, 1.05);
		make(h, 60, 0.02, seed);
		detect(h, &o, &r);
		c = only(&r, 30);
		assert_true(c->status == CP_CONFIRMED || c->status == CP_SMALL);
		assert_true(c->lo < 1.05 && c->hi > 1.05);
		cpresult_free(&r);
		o.threshold = 0.04;
		detect(h, &o, &r);
		assert_true(only(&r, 30)->alert);
		cpresult_free(&r);

		/* 3%: beyond the noise but under the threshold; alerted with a 2% threshold */
		steps(h, 30, 60, 1.03);
		make(h, 60, 0.02, seed);
		o.threshold = CP_THRESHOLD;
		detect(h, &o, &r);
		c = only(&r, 30);
		assert_int_equal(c->status, CP_SMALL);
		assert_false(c->alert);
		assert_true(c->lo > 1 && c->lo < 1.03 && c->hi > 1.03);
		cpresult_free(&r);
		o.threshold = 0.02;
		detect(h, &o, &r);
		c = only(&r, 30);
		assert_int_equal(c->status, CP_CONFIRMED);
		assert_true(c->alert);
		cpresult_free(&r);
		o.threshold = CP_THRESHOLD;

		/* 3% at CV 10%: below what the series can detect, and said so */
		make(h, 60, 0.10, seed);
		detect(h, &o, &r);
		assert_int_equal(alerts(&r), 0);
		assert_true(r.min_step > 0.03);
		NEAR(cp_minstep(h->t, h->n, &o), r.min_step, 0);
		cpresult_free(&r);
	}
	free(h);
}

static void recovers(void **state)
{
	struct hist *h = newhist();
	struct cpopts o;
	struct cpresult r;
	unsigned long seed;

	(void)state;
	cp_defaults(&o);
	steps(h, 20, 40, 1.10);
	for (seed = 1; seed <= 3; seed++) {
		make(h, 60, 0.02, seed);
		detect(h, &o, &r);
		assert_int_equal(r.n, 2);
		assert_int_equal(r.changes[0].first_bad, 20);
		assert_int_equal(r.changes[0].direction, CP_REGRESSION);
		assert_int_equal(r.changes[0].status, CP_CONFIRMED);
		assert_true(r.changes[0].alert);
		assert_int_equal(r.changes[0].before_from, 10);
		assert_int_equal(r.changes[0].after_to, 30);
		assert_int_equal(r.changes[1].first_bad, 40);
		assert_int_equal(r.changes[1].direction, CP_IMPROVEMENT);
		assert_int_equal(r.changes[1].status, CP_CONFIRMED);
		assert_false(r.changes[1].alert);
		assert_true(r.changes[1].lo < 1 / 1.10 && r.changes[1].hi > 1 / 1.10);
		/* the windows stop at the neighbouring step */
		assert_int_equal(r.changes[1].before_from, 30);
		assert_int_equal(r.changes[0].after_to, r.changes[1].before_from);
		cpresult_free(&r);
	}
	free(h);
}

/* nights [from, to) drawn again with their trials at cv (their levels kept), seeded */
static void renoise(struct hist *h, size_t from, size_t to, double cv, unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	assert_non_null(r);
	gsl_rng_set(r, seed);
	for (size_t i = from; i < to && i < h->n; i++)
		for (size_t j = 0; j < h->t[i].n; j++)
			h->x[i * T + j] = (h->level[i] ? h->level[i] : 1) * (1 + cv * gsl_ran_gaussian(r, 1));
	gsl_rng_free(r);
}

/* the scan's alpha that histdetect.c gives a series of m nights (K = 3): 4 / C(m, 3) within
 * [CP_ALPHA, 0.2], so that a short history can find a step at all */
static double short_alpha(size_t m)
{
	double a = 4 * 6.0 / ((double)m * (m - 1) * (m - 2));

	return a < CP_ALPHA ? CP_ALPHA : a > 0.2 ? 0.2 : a;
}

/* the nightly_real.bats false alert: six quiet nights (trials' CV 3%), then three slow and
 * noisy ones (x1.7, CV 25%: a disturbed machine), 5 trials a night, threshold 15%. Judged as
 * usual the step would be an alert for some draws; it is NOISY and held back for every one.
 * Quiet nights back at the old level later bound it: still no alert. Noise that lasts (ten
 * nights after the step) is judged as usual and alerted, and a quiet step of the same size
 * is confirmed at once: the rule holds back only steps whose sides differ in noise. */
static void noisy_nights_held_back(void **state)
{
	struct hist *h = newhist();
	struct cpopts o, plain;
	struct cpresult r;
	const struct cpchange *c;
	unsigned long seed;
	size_t usual = 0;

	(void)state;
	cp_defaults(&o);
	o.threshold = 0.15;
	plain = o;
	plain.noisier = 0;
	for (seed = 1; seed <= 20; seed++) {
		memset(h->level, 0, sizeof(h->level));
		steps(h, 6, 9, 1.7);
		make_nights(h, 9, 5, 0.03, 0, seed);
		renoise(h, 6, 9, 0.25, seed + 100);
		o.alpha = plain.alpha = short_alpha(9);
		detect(h, &plain, &r);
		size_t alerted = alerts(&r);
		cpresult_free(&r);
		detect(h, &o, &r);
		assert_int_equal(alerts(&r), 0);
		if (alerted) { /* the same step, held back */
			usual++;
			c = only(&r, 6);
			assert_int_equal(c->status, CP_NOISY);
			assert_true(c->cv_after > 2 * c->cv_before && c->cv_after > 0.15 && c->cv_before < 0.05);
		}
		cpresult_free(&r);
		/* five quiet nights back at the old level: the block is bounded, never alerted */
		make_nights(h, 14, 5, 0.03, 0, seed);
		renoise(h, 6, 9, 0.25, seed + 100);
		o.alpha = short_alpha(14);
		detect(h, &o, &r);
		assert_int_equal(alerts(&r), 0);
		cpresult_free(&r);
	}
	assert_true(usual >= 5); /* the scenario is real: judged as usual, it alerts */
	/* noise that lasts: ten noisy nights after the step fill the window */
	memset(h->level, 0, sizeof(h->level));
	steps(h, 6, MAXN, 1.7);
	make_nights(h, 16, 5, 0.03, 0, 7);
	renoise(h, 6, 16, 0.25, 107);
	o.alpha = short_alpha(16);
	detect(h, &o, &r);
	c = only(&r, 6);
	assert_int_equal(c->status, CP_CONFIRMED);
	assert_true(c->alert);
	cpresult_free(&r);
	/* the same step on quiet nights: confirmed with three nights after it */
	make_nights(h, 9, 5, 0.03, 0, 7);
	o.alpha = short_alpha(9);
	detect(h, &o, &r);
	c = only(&r, 6);
	assert_int_equal(c->status, CP_CONFIRMED);
	assert_true(c->alert);
	assert_true(c->cv_before < 0.05 && c->cv_after < 0.05);
	cpresult_free(&r);
	free(h);
}

static void outlier_night(void **state)
{
	struct hist *h = newhist();
	struct cpopts o;
	struct cpresult r;
	size_t at, i;

	(void)state;
	cp_defaults(&o);
	for (at = 0; at < 60; at++) {
		memset(h->level, 0, sizeof(h->level));
		h->level[at] = 1.5;
		make(h, 60, 0.02, 7);
		detect(h, &o, &r);
		assert_int_equal(alerts(&r), 0);
		for (i = 0; i < r.n; i++)
			assert_true(r.changes[i].status == CP_PENDING && at >= 58);
		cpresult_free(&r);
	}
	/* the last night alone is held back, not alerted */
	detect(h, &o, &r);
	assert_int_equal(only(&r, 59)->status, CP_PENDING);
	assert_int_equal(r.changes[0].nights_after, 1);
	assert_true(isnan(r.changes[0].p));
	cpresult_free(&r);
	free(h);
}

static void improvement(void **state)
{
	struct hist *h = newhist();
	struct cpopts o;
	struct cpresult r;
	const struct cpchange *c;

	(void)state;
	cp_defaults(&o);
	steps(h, 30, 60, 0.90);
	make(h, 60, 0.02, 3);
	detect(h, &o, &r);
	c = only(&r, 30);
	assert_int_equal(c->direction, CP_IMPROVEMENT);
	assert_int_equal(c->status, CP_CONFIRMED);
	assert_false(c->alert);
	assert_true(c->ratio < 0.92);
	cpresult_free(&r);
	/* the same fall where higher is better is a regression */
	o.lower_is_better = false;
	detect(h, &o, &r);
	c = only(&r, 30);
	assert_int_equal(c->direction, CP_REGRESSION);
	assert_true(c->alert);
	cpresult_free(&r);
	/* a rise where higher is better is an improvement */
	steps(h, 30, 60, 1.10);
	make(h, 60, 0.02, 3);
	detect(h, &o, &r);
	c = only(&r, 30);
	assert_int_equal(c->direction, CP_IMPROVEMENT);
	assert_false(c->alert);
	cpresult_free(&r);
	free(h);
}

static void pending_then_confirmed(void **state)
{
	struct hist *h = newhist();
	struct cpopts o;
	struct cpresult r;
	const struct cpchange *c;

	(void)state;
	cp_defaults(&o);
	steps(h, 58, MAXN, 1.10);
	make(h, 60, 0.02, 5);
	detect(h, &o, &r);
	c = only(&r, 58);
	assert_int_equal(c->status, CP_PENDING);
	assert_int_equal(c->nights_after, 2);
	assert_false(c->alert);
	assert_true(c->ratio > 1.05);
	cpresult_free(&r);
	/* one more night: 3 nights at the new level confirm it */
	make(h, 61, 0.02, 5);
	detect(h, &o, &r);
	c = only(&r, 58);
	assert_int_equal(c->status, CP_CONFIRMED);
	assert_true(c->alert);
	cpresult_free(&r);
	free(h);
}

static void known_not_again(void **state)
{
	struct hist *h = newhist();
	struct cpopts o;
	struct cpresult r;
	size_t known[] = { 31 }, far[] = { 40 };

	(void)state;
	cp_defaults(&o);
	steps(h, 30, 60, 1.10);
	make(h, 60, 0.02, 9);
	o.known = known;
	o.nknown = 1;
	detect(h, &o, &r);
	assert_true(only(&r, 30)->known);
	assert_false(r.changes[0].alert);
	assert_int_equal(r.changes[0].status, CP_CONFIRMED);
	cpresult_free(&r);
	o.known = far;
	detect(h, &o, &r);
	assert_false(only(&r, 30)->known);
	assert_true(r.changes[0].alert);
	cpresult_free(&r);
	free(h);
}

static void skipped_nights(void **state)
{
	struct hist *h = newhist();
	struct cpopts o;
	struct cpresult r;
	const struct cpchange *c;
	double nan = NAN, inf = INFINITY;

	(void)state;
	cp_defaults(&o);
	steps(h, 30, 60, 1.10);
	make(h, 60, 0.02, 11);
	h->t[28].n = 0;                          /* not measured */
	h->t[29] = (struct cptrials){ &nan, 1 }; /* only a NaN */
	h->x[35 * T] = inf;                      /* one bad trial among good ones */
	h->x[36 * T] = -1;
	h->x[37 * T] = 0;
	detect(h, &o, &r);
	c = only(&r, 30);
	assert_int_equal(c->last_good, 27);
	assert_int_equal(c->before_from, 18);
	assert_int_equal(c->nights_before, 10);
	assert_int_equal(c->trials_after, 10 * T - 3);
	assert_true(c->alert);
	assert_int_equal(r.nights, 58);
	cpresult_free(&r);
	free(h);
}

static void degenerate(void **state)
{
	struct hist *h = newhist();
	struct cpopts o;
	struct cpresult r;
	double bad[] = { NAN, INFINITY, -INFINITY, -2, 0 };
	size_t i, j;

	(void)state;
	cp_defaults(&o);
	assert_int_equal(cp_detect(NULL, 0, &o, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.nights, 0);
	assert_true(isnan(r.noise) && isnan(r.trial_cv) && isinf(r.min_step));
	cpresult_free(&r);

	/* every trial invalid */
	for (i = 0; i < 20; i++)
		h->t[i] = (struct cptrials){ bad, LEN(bad) };
	h->n = 20;
	detect(h, &o, &r);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.nights, 0);
	cpresult_free(&r);

	/* shorter than the windows, with a step: at most pending, never alerted */
	for (i = 1; i <= 5; i++) {
		memset(h->level, 0, sizeof(h->level));
		steps(h, i / 2, MAXN, 1.5);
		make(h, i, 0.02, i);
		detect(h, &o, &r);
		assert_int_equal(alerts(&r), 0);
		assert_true(isinf(r.min_step));
		cpresult_free(&r);
	}

	/* shorter than two windows: the windows shrink to the nights there are */
	memset(h->level, 0, sizeof(h->level));
	steps(h, 6, 12, 1.10);
	make(h, 12, 0.02, 13);
	detect(h, &o, &r);
	assert_int_equal(only(&r, 6)->status, CP_CONFIRMED);
	assert_int_equal(r.changes[0].before_from, 0);
	assert_int_equal(r.changes[0].after_to, 12);
	assert_true(isfinite(r.min_step) && r.min_step > 0.05);
	cpresult_free(&r);

	/* all equal: no step, no noise; the threshold is what it can detect */
	for (i = 0; i < 60 * T; i++)
		h->x[i] = 0.25;
	for (i = 0; i < 60; i++)
		h->t[i] = (struct cptrials){ h->x + i * T, T };
	h->n = 60;
	detect(h, &o, &r);
	assert_int_equal(r.n, 0);
	NEAR(r.noise, 0, 0);
	NEAR(r.trial_cv, 0, 0);
	NEAR(r.min_step, 0.05, 1e-12);
	cpresult_free(&r);

	/* a noiseless step: found, with an interval of no width */
	for (i = 30; i < 60; i++)
		for (j = 0; j < T; j++)
			h->x[i * T + j] = 0.275;
	detect(h, &o, &r);
	assert_int_equal(only(&r, 30)->status, CP_CONFIRMED);
	NEAR(r.changes[0].ratio, 1.1, 1e-12);
	NEAR(r.changes[0].lo, 1.1, 1e-12);
	NEAR(r.changes[0].hi, 1.1, 1e-12);
	cpresult_free(&r);
	free(h);
}

static void noise_formula(void **state)
{
	struct hist *h = newhist();
	struct cpopts o;
	struct cpresult r;
	size_t i;

	(void)state;
	cp_defaults(&o);
	for (i = 0; i < 60; i++) {
		h->x[i] = exp(i % 2 ? 0.01 : -0.01);
		h->t[i] = (struct cptrials){ h->x + i, 1 };
	}
	h->n = 60;
	detect(h, &o, &r);
	assert_int_equal(r.n, 0);
	NEAR(r.noise, 0.02 / (0.6744897501960817 * sqrt(2)), 1e-12);
	assert_true(isnan(r.trial_cv));
	NEAR(r.min_step, 0.05831908219265308, 1e-9);
	NEAR(cp_minstep(h->t, h->n, &o), 0.05831908219265308, 1e-9);
	cpresult_free(&r);
	/* with no threshold the scan's corrected significance is what limits it */
	o.threshold = 0;
	NEAR(cp_minstep(h->t, h->n, &o), 0.04392673417117491, 1e-9);
	NEAR(cp_minstep(h->t, 6, &o), 0.06389840852940769, 1e-9);
	free(h);
}

static void confirm_windows(void **state)
{
	double a[] = { 1.00, 1.02, 0.98, 1.01, 0.99, 1.00, 1.01, 0.99 };
	double b[] = { 1.10, 1.12, 1.08, 1.11, 1.09, 1.10, 1.11, 1.09 };
	double c[] = { 1.01, 0.99, 1.00, 1.02, 0.98, 1.00, 0.99, 1.01 };
	double out[] = { 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5 };
	struct cptrials ta = { a, LEN(a) }, tb = { b, LEN(b) }, tc = { c, LEN(c) };
	struct cptrials three[] = { { c, LEN(c) }, { c, LEN(c) }, { out, LEN(out) } };
	struct cpopts o;
	struct cpverdict v, w;

	(void)state;
	cp_defaults(&o);
	cp_confirm(&ta, 1, &tb, 1, &o, &v);
	NEAR(v.ratio, 1.10, 1e-12);
	assert_true(v.lo > 1.05 && v.hi < 1.15 && v.p < 0.01);
	assert_true(v.significant && v.beyond && v.confirmed);
	cp_confirm(&ta, 1, &tb, 1, &o, &w);   /* the same data, the same interval */
	assert_true(v.lo == w.lo && v.hi == w.hi && v.p == w.p);
	/* the same the other way round: a fall beyond the threshold */
	cp_confirm(&tb, 1, &ta, 1, &o, &v);
	assert_true(v.confirmed && v.ratio < 1);
	/* above the threshold only with a smaller one */
	o.threshold = 0.15;
	cp_confirm(&ta, 1, &tb, 1, &o, &v);
	assert_true(v.significant && !v.beyond && !v.confirmed);
	o.threshold = CP_THRESHOLD;
	cp_confirm(&ta, 1, &tc, 1, &o, &v);
	assert_false(v.significant || v.confirmed);
	assert_true(v.lo < 1 && v.hi > 1 && v.p > 0.05);
	/* one outlier night among three after: the pooled median holds */
	cp_confirm(&ta, 1, three, 3, &o, &v);
	assert_false(v.confirmed);
	NEAR(v.ratio, 1.0, 0.011);
	/* nights that differ far more than their trials: the nights' spread widens the interval,
	   so the after-nights (median 1.08 of the pooled trials) are not called different */
	{
		static const double lb[] = { 0.90, 1.10, 0.95, 1.05, 1.00 }, la[] = { 1.08, 0.97, 1.12 };
		double xb[5][4], xa[3][4];
		struct cptrials nb[5], na[3];
		size_t i, j;

		for (i = 0; i < 5; i++) {
			for (j = 0; j < 4; j++)
				xb[i][j] = lb[i] * (1 + 0.001 * j);
			nb[i] = (struct cptrials){ xb[i], 4 };
		}
		for (i = 0; i < 3; i++) {
			for (j = 0; j < 4; j++)
				xa[i][j] = la[i] * (1 + 0.001 * j);
			na[i] = (struct cptrials){ xa[i], 4 };
		}
		cp_confirm(nb, 5, na, 3, &o, &v);
		assert_true(v.ratio > 1.06);
		assert_false(v.significant || v.confirmed);
		assert_true(v.lo < 0.99 && v.hi > 1.11);
	}
	/* no valid data on a side */
	cp_confirm(&ta, 1, NULL, 0, &o, &v);
	assert_true(isnan(v.ratio) && !v.significant && !v.confirmed);
}

static void ratio_trials(void **state)
{
	double gil[] = { 1.0, 2.0, NAN, 4.0, 5.0 }, nogil[] = { 1.5, 2.0, 3.0, 0, 2.5, 9.0 }, out[5];

	(void)state;
	assert_int_equal(cp_ratiotrials(nogil, LEN(nogil), gil, LEN(gil), 1, out), 3);
	NEAR(out[0], 1.5, 1e-15);
	NEAR(out[1], 1.0, 1e-15);
	NEAR(out[2], 0.5, 1e-15);
	/* efficiency of 4 threads: t1 / (4 t4) */
	assert_int_equal(cp_ratiotrials(gil, 2, nogil, 2, 0.25, out), 2);
	NEAR(out[0], 1.0 / 6, 1e-15);
	NEAR(out[1], 0.25, 1e-15);
	assert_int_equal(cp_ratiotrials(gil, 0, nogil, 2, 1, out), 0);
}

static void bad_options(void **state)
{
	struct cpopts o;
	struct cpresult r;

	(void)state;
	cp_defaults(&o);
	o.min_after = 1;
	assert_int_equal(cp_detect(NULL, 0, &o, &r), -1);
	assert_non_null(strstr(errmsg(), "min_after"));
	cp_defaults(&o);
	o.window = 2;
	assert_int_equal(cp_detect(NULL, 0, &o, &r), -1);
	assert_non_null(strstr(errmsg(), "window 2"));
	cp_defaults(&o);
	o.threshold = NAN;
	assert_int_equal(cp_detect(NULL, 0, &o, &r), -1);
	cp_defaults(&o);
	o.alpha = 0;
	assert_int_equal(cp_detect(NULL, 0, &o, &r), -1);
	cp_defaults(&o);
	o.noisier = 1;
	assert_int_equal(cp_detect(NULL, 0, &o, &r), -1);
	assert_non_null(strstr(errmsg(), "noisier 1"));
	cp_defaults(&o);
	o.nknown = 1;
	assert_int_equal(cp_detect(NULL, 0, &o, &r), -1);
	assert_non_null(strstr(errmsg(), "known"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aa_quiet),
		cmocka_unit_test(step_found),
		cmocka_unit_test(recovers),
		cmocka_unit_test(outlier_night),
		cmocka_unit_test(noisy_nights_held_back),
		cmocka_unit_test(improvement),
		cmocka_unit_test(pending_then_confirmed),
		cmocka_unit_test(known_not_again),
		cmocka_unit_test(skipped_nights),
		cmocka_unit_test(degenerate),
		cmocka_unit_test(noise_formula),
		cmocka_unit_test(confirm_windows),
		cmocka_unit_test(ratio_trials),
		cmocka_unit_test(bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
