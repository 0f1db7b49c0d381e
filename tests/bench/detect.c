/* detect.c: the detection table of changepoint.c on synthetic nightly series.
 *
 * Every series has 60 nights of 10 trials, each trial level * (1 + cv * N(0, 1)) from a GSL
 * mt19937 seeded with the series' number, so the table is the same on every machine. The
 * detector runs night by night, as `gilbench nightly` would: after night t it sees nights
 * 0..t and the steps it alerted before (cpopts.known), and a new alert is counted once.
 *
 *   steps: 3%, 5% and 10% slowdowns (lower is better) at night 30, at CV 2%, 5% and 10%.
 *     detected   share of series with an alert within 2 commits of night 30 by night 60
 *     exact      share whose first such alert names night 30 itself
 *     delay      median number of nights seen at and after night 30 when it is first
 *                alerted (3: on the third night of the new level)
 *     other      alerts elsewhere in those series, per 1,000 series-nights
 *   A/A: no step at all, at each CV, and twice with night-to-night noise as well (each
 *     night's level moved by night_cv * N(0, 1), as builds and machine states do): alerts
 *     per 1,000 series-nights and the number of series with any alert.
 *   Each row also gives the median smallest detectable step (cp_minstep) at night 60.
 *
 * Usage: bench_detect [SERIES] (default 100 per row). Prints the table, then one
 * "name: value unit" line per figure for tests/bench.sh. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "changepoint.h"
#include "log.h"
#include "util.h"

#define NIGHTS 60
#define TRIALS 10
#define STEP_AT 30

struct row {
	double step, cv, night_cv;      /* what the series are */
	size_t series;
	size_t detected, exact, other;  /* series, series, alerts */
	size_t alerted;                 /* series with any alert elsewhere */
	double *delay;                  /* one per detected series */
	double *minstep;                /* one per series */
};

static void make_series(unsigned long seed, const struct row *w, double *x, struct cptrials *t)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t i, j;

	if (!r)
		fatal("out of memory");
	gsl_rng_set(r, seed);
	for (i = 0; i < NIGHTS; i++) {
		double level = (i >= STEP_AT ? 1 + w->step : 1) * (1 + w->night_cv * gsl_ran_gaussian(r, 1));
		for (j = 0; j < TRIALS; j++)
			x[i * TRIALS + j] = level * (1 + w->cv * gsl_ran_gaussian(r, 1));
		t[i] = (struct cptrials){ x + i * TRIALS, TRIALS };
	}
	gsl_rng_free(r);
}

/* run series k night by night into w; with no step every alert is "other" */
static void night_by_night(const struct cptrials *t, struct row *w, size_t k)
{
	struct cpopts o;
	struct cpresult res;
	size_t known[NIGHTS], nknown = 0, night, i, other = w->other;
	bool found = false;

	cp_defaults(&o);
	o.known = known;
	for (night = 1; night <= NIGHTS; night++) {
		o.nknown = nknown;
		if (cp_detect(t, night, &o, &res) < 0)
			fatal("%s", errmsg());
		for (i = 0; i < res.n; i++) {
			const struct cpchange *c = &res.changes[i];
			size_t d = c->first_bad > STEP_AT ? c->first_bad - STEP_AT : STEP_AT - c->first_bad;
			if (!c->alert)
				continue;
			known[nknown++] = c->first_bad;
			if (w->step > 0 && d <= CP_KNOWN_SLACK && !found) {
				found = true;
				w->delay[w->detected++] = (double)(night - STEP_AT);
				w->exact += c->first_bad == STEP_AT;
			} else {
				w->other++;
			}
		}
		cpresult_free(&res);
	}
	w->alerted += w->other > other;
	cp_defaults(&o);
	w->minstep[k] = cp_minstep(t, NIGHTS, &o);
}

static double median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	gsl_sort(v, 1, n);
	return gsl_stats_median_from_sorted_data(v, 1, n);
}

static void run_row(struct row *w, unsigned long seed0, struct progress *p, size_t *done)
{
	double *x = xmalloc(NIGHTS * TRIALS * sizeof(*x));
	struct cptrials t[NIGHTS];
	size_t k;

	w->detected = w->exact = w->other = w->alerted = 0;
	for (k = 0; k < w->series; k++) {
		make_series(seed0 + k, w, x, t);
		night_by_night(t, w, k);
		progress_set(p, ++*done);
	}
	free(x);
}

static void step_rows(size_t nseries, struct progress *p, size_t *done, struct buf *figs)
{
	static const double cvs[] = { 0.02, 0.05, 0.10 }, steps[] = { 0.03, 0.05, 0.10 };
	struct row w = { .series = nseries };
	size_t si, ci;

	w.delay = xmalloc(nseries * sizeof(double));
	w.minstep = xmalloc(nseries * sizeof(double));
	printf("Steps at night 30 of 60, %d trials a night, %zu series a row, run night by night:\n\n",
	       TRIALS, nseries);
	printf("| step | CV | detected | at the exact commit | median nights to detect | "
	       "other alerts /1000 series-nights | smallest detectable step |\n");
	printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (si = 0; si < LEN(steps); si++)
		for (ci = 0; ci < LEN(cvs); ci++) {
			double delay, ms;
			char d[32];
			w.step = steps[si];
			w.cv = cvs[ci];
			w.night_cv = 0;
			run_row(&w, 1000000 * (si + 1) + 10000 * ci, p, done);
			delay = median(w.delay, w.detected);
			ms = median(w.minstep, nseries);
			snprintf(d, sizeof(d), w.detected ? "%.0f" : "-", delay);
			printf("| %.0f%% | %.0f%% | %.0f%% | %.0f%% | %s | %.2f | %.1f%% |\n", 100 * w.step,
			       100 * w.cv, 100.0 * w.detected / nseries, 100.0 * w.exact / nseries, d,
			       1000.0 * w.other / (nseries * NIGHTS), 100 * ms);
			bufaddf(figs, "detect-step%.0f-cv%.0f: %.0f%% detected, %.0f%% at the exact commit, "
			        "median %s nights\n", 100 * w.step, 100 * w.cv, 100.0 * w.detected / nseries,
			        100.0 * w.exact / nseries, d);
		}
	free(w.delay);
	free(w.minstep);
}

static void aa_rows(size_t nseries, struct progress *p, size_t *done, struct buf *figs)
{
	static const double aa[][2] = { { 0.02, 0 }, { 0.05, 0 }, { 0.10, 0 }, { 0.02, 0.02 }, { 0.05, 0.05 } };
	struct row w = { .series = nseries };
	size_t ci;

	w.delay = xmalloc(nseries * sizeof(double));
	w.minstep = xmalloc(nseries * sizeof(double));
	printf("\nA/A histories (no step), %d nights of %d trials, %zu series a row, run night by night:\n\n",
	       NIGHTS, TRIALS, nseries);
	printf("| trial CV | night-to-night CV | alerts /1000 series-nights | series with an alert | "
	       "smallest detectable step |\n");
	printf("| ---: | ---: | ---: | ---: | ---: |\n");
	for (ci = 0; ci < LEN(aa); ci++) {
		double rate;
		w.step = 0;
		w.cv = aa[ci][0];
		w.night_cv = aa[ci][1];
		run_row(&w, 9000000 + 10000 * ci, p, done);
		rate = 1000.0 * w.other / (nseries * NIGHTS);
		printf("| %.0f%% | %.0f%% | %.2f | %zu of %zu | %.1f%% |\n", 100 * w.cv, 100 * w.night_cv, rate,
		       w.alerted, nseries, 100 * median(w.minstep, nseries));
		bufaddf(figs, "detect-aa-cv%.0f-night%.0f: %.2f false alerts per 1000 series-nights (target 0)\n",
		        100 * w.cv, 100 * w.night_cv, rate);
	}
	free(w.delay);
	free(w.minstep);
}

int main(int argc, char **argv)
{
	size_t nseries = argc > 1 ? strtoul(argv[1], NULL, 10) : 100, done = 0;
	struct buf figs = { 0 };
	struct progress *p;

	if (argc > 2 || nseries == 0)
		fatal("usage: bench_detect [SERIES]");
	p = mkprogress("detection table", PROGRESS_COUNT);
	progress_total(p, 14 * nseries);
	step_rows(nseries, p, &done, &figs);
	aa_rows(nseries, p, &done, &figs);
	progress_done(p, "detection table: %zu series a row", nseries);
	printf("\n%s", figs.s ? figs.s : "");
	buffree(&figs);
	return 0;
}
