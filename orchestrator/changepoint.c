/* changepoint.c: steps in a nightly series, found on the nights and judged on the raw trials
 * (see changepoint.h; docs/nightly.md explains the method and its defaults).
 *
 * Loading keeps each commit's finite, positive trials, sorted (gsl_sort); a commit with
 * none is skipped. A night's level y is the log of its trials' median (gsl_stats_median).
 *
 * Locating: binary segmentation. For a segment of m nights (m >= 2K, K = min_after) the
 * statistic of a split after k nights is B(k) = S(k)^2 (1/k + 1/(m-k)), S(k) the sum of the
 * first k centred y; the pooled two-sample t of the split is a rising function of B(k)
 * alone, since the total sum of squares does not depend on the split. The best split
 * (K <= k <= m-K) is kept when a permutation test of max_k B(k) (the nights shuffled by
 * gsl_ran_shuffle) gives p < alpha; taking the maximum over positions in every permutation
 * is what corrects for the positions tried. The test stops early once p >= alpha is
 * certain (it then returns that lower bound). Then both halves are searched again.
 *
 * Confirming: each step is compared on the raw trials of the nights before and after it,
 * up to W nights each side and never past a neighbouring step. The ratio is the median of
 * the pooled after-trials over the median of the pooled before-trials. Its standard error
 * (of the log) comes from a two-level bootstrap: each resample draws the window's nights
 * with replacement, then each drawn night's trials with replacement, so both the
 * trial-to-trial and the night-to-night noise count. The 95% interval is log ratio +-
 * t(0.975, df) se, df by Welch-Satterthwaite from each window's nights less one (its trials
 * less one when it is a single night): with three nights after a step, t(0.975, 2) = 4.3
 * keeps a few lucky nights from passing for a change, which a percentile interval over
 * three nights would not. A step whose interval holds 1 is dropped (the least significant
 * first, then the windows of its neighbours are widened and judged again). The steps kept
 * are CONFIRMED when beyond the threshold, else SMALL.
 *
 * Noisy: each window's noise is the median over its nights of the trials' CV. A step that
 * would be CONFIRMED with one window's noise over `noisier` times the other's (and over it by
 * threshold/2) is NOISY until W nights follow it: a few disturbed nights (a busy or throttled
 * machine that the run's guards did not catch) make a level and a spread that no code change
 * needs. When they pass, the quiet nights after them make a step back, which bounds the
 * window, so such a block is never alerted; noise that lasts fills the window, and the step
 * is then judged as any other.
 *
 * Pending: the last K-1 nights cannot hold a confirmable step; the best split among them
 * (the largest standardized difference of mean y against the nights before) is judged the
 * same way and reported as PENDING when it would be confirmed.
 *
 * Noise: sigma, the sd of y, is estimated from the successive differences of y as
 * median|y[j+1] - y[j]| / (z(0.75) sqrt 2), which a few steps or outlier nights barely move.
 * The smallest detectable step is in minstep_of() below.
 *
 * GSL's error handler is never reached: every sort, median, variance and shuffle gets n >= 1
 * (n >= 2 for variances), the normal quantiles get probabilities inside (0, 1), and Student's
 * t gets df >= 1 (a window with spread has two nights or two trials). */
#include "changepoint.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

#include "util.h"

struct night {
	size_t commit;          /* index in the caller's series */
	const double *x;        /* valid trials, sorted */
	size_t n;
	double y;               /* log median */
};

struct series {
	struct night *nt;
	size_t m;               /* nights */
	size_t maxn;            /* the most trials of one night */
	double *pool;           /* the trials nt[].x point into */
	double *y;              /* nt[].y in one array, for the scan */
};

struct cuts {                   /* candidate steps as night positions, with their scan p */
	size_t *at;
	double *p;
	size_t n, cap;
};

static bool valid(double v)
{
	return isfinite(v) && v > 0;
}

void cp_defaults(struct cpopts *o)
{
	memset(o, 0, sizeof(*o));
	o->threshold = CP_THRESHOLD;
	o->lower_is_better = true;
	o->window = CP_WINDOW;
	o->min_after = CP_MIN_AFTER;
	o->alpha = CP_ALPHA;
	o->permutations = CP_PERMUTATIONS;
	o->resamples = CP_RESAMPLES;
	o->seed = CP_SEED;
	o->known_slack = CP_KNOWN_SLACK;
	o->noisier = CP_NOISIER;
}

static int checkopts(const struct cpopts *o)
{
	if (!isfinite(o->threshold) || o->threshold < 0 || o->threshold >= 1)
		return errorf("changepoint: threshold %g is not a share in [0, 1)", o->threshold);
	if (o->min_after < 2)
		return errorf("changepoint: min_after %zu is under 2 nights", o->min_after);
	if (o->window < o->min_after)
		return errorf("changepoint: window %zu is under min_after %zu", o->window, o->min_after);
	if (!(o->alpha > 0 && o->alpha < 1))
		return errorf("changepoint: alpha %g is not in (0, 1)", o->alpha);
	if (o->permutations < 99)
		return errorf("changepoint: %zu permutations are under 99", o->permutations);
	if (o->resamples < 100)
		return errorf("changepoint: %zu resamples are under 100", o->resamples);
	if (o->noisier != 0 && !(o->noisier > 1))
		return errorf("changepoint: noisier %g is not above 1 (or 0: never)", o->noisier);
	if (o->nknown && !o->known)
		return errorf("changepoint: %zu known changes but no list", o->nknown);
	return 0;
}

static void series_load(struct series *s, const struct cptrials *t, size_t n)
{
	size_t i, j, k, total = 0;
	double *p;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++)
		total += t[i].n;
	s->pool = xmalloc(total * sizeof(*s->pool));
	s->nt = xmalloc(n * sizeof(*s->nt));
	s->y = xmalloc(n * sizeof(*s->y));
	p = s->pool;
	for (i = 0; i < n; i++) {
		for (j = k = 0; j < t[i].n; j++)
			if (valid(t[i].x[j]))
				p[k++] = t[i].x[j];
		if (k == 0)
			continue;
		gsl_sort(p, 1, k);
		s->nt[s->m] = (struct night){ i, p, k, log(gsl_stats_median_from_sorted_data(p, 1, k)) };
		s->y[s->m] = s->nt[s->m].y;
		s->m++;
		if (k > s->maxn)
			s->maxn = k;
		p += k;
	}
}

static void series_free(struct series *s)
{
	free(s->pool);
	free(s->nt);
	free(s->y);
	memset(s, 0, sizeof(*s));
}

/* sigma: the sd of a night's y, from the median absolute successive difference */
static double night_noise(const struct series *s)
{
	double *d, med;
	size_t j;

	if (s->m < 2)
		return NAN;
	d = xmalloc((s->m - 1) * sizeof(*d));
	for (j = 0; j + 1 < s->m; j++)
		d[j] = fabs(s->y[j + 1] - s->y[j]);
	gsl_sort(d, 1, s->m - 1);
	med = gsl_stats_median_from_sorted_data(d, 1, s->m - 1);
	free(d);
	return med / (gsl_cdf_ugaussian_Pinv(0.75) * M_SQRT2);
}

/* the median over nights nt[0..m) with 2 trials or more of the trials' coefficient of
 * variation; NAN when none has 2 */
static double trial_cv(const struct night *nt, size_t m)
{
	double *cv, mean, r = NAN;
	size_t j, k = 0;

	cv = xmalloc((m + 1) * sizeof(*cv));
	for (j = 0; j < m; j++) {
		if (nt[j].n < 2)
			continue;
		mean = gsl_stats_mean(nt[j].x, 1, nt[j].n);
		cv[k++] = gsl_stats_sd_m(nt[j].x, 1, nt[j].n, mean) / mean;
	}
	if (k > 0) {
		gsl_sort(cv, 1, k);
		r = gsl_stats_median_from_sorted_data(cv, 1, k);
	}
	free(cv);
	return r;
}

/* max over kmin <= k <= m-kmin of B(k) = S(k)^2 (1/k + 1/(m-k)), S(k) the sum of the first k
 * values less the mean; *at (when not NULL) gets the first k reaching it. m >= 2 kmin. */
static double maxsplit(const double *y, size_t m, size_t kmin, size_t *at)
{
	double mean = gsl_stats_mean(y, 1, m), s = 0, b, best = -1;
	size_t k, bk = kmin;

	for (k = 1; k <= m - kmin; k++) {
		s += y[k - 1] - mean;
		if (k < kmin)
			continue;
		b = s * s * (1.0 / k + 1.0 / (m - k));
		if (b > best) {
			best = b;
			bk = k;
		}
	}
	if (at)
		*at = bk;
	return best;
}

/* the permutation p of the best split of y[0..m), whose position goes to *at; a lower bound
 * (>= alpha) when the test stopped early. scratch: m doubles. */
static double scan(const double *y, size_t m, const struct cpopts *o, gsl_rng *r, double *scratch,
                   size_t *at)
{
	double b = maxsplit(y, m, o->min_after, at);
	double tie = b * (1 - 1e-9), total = (double)o->permutations + 1;
	size_t i, exceed = 0;

	gsl_rng_set(r, o->seed);
	memcpy(scratch, y, m * sizeof(*y));
	for (i = 0; i < o->permutations; i++) {
		gsl_ran_shuffle(r, scratch, m, sizeof(*scratch));
		if (maxsplit(scratch, m, o->min_after, NULL) < tie)
			continue;
		if ((++exceed + 1) / total >= o->alpha)
			break;
	}
	return (exceed + 1) / total;
}

static void cuts_add(struct cuts *c, size_t at, double p)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->at = xreallocarray(c->at, c->cap, sizeof(*c->at));
		c->p = xreallocarray(c->p, c->cap, sizeof(*c->p));
	}
	c->at[c->n] = at;
	c->p[c->n++] = p;
}

static void cuts_remove(struct cuts *c, size_t i)
{
	memmove(c->at + i, c->at + i + 1, (c->n - i - 1) * sizeof(*c->at));
	memmove(c->p + i, c->p + i + 1, (c->n - i - 1) * sizeof(*c->p));
	c->n--;
}

/* binary segmentation of y[lo..hi) into c, unsorted */
static void segment(const struct series *s, size_t lo, size_t hi, const struct cpopts *o, gsl_rng *r,
                    double *scratch, struct cuts *c)
{
	size_t at;
	double p;

	if (hi - lo < 2 * o->min_after)
		return;
	p = scan(s->y + lo, hi - lo, o, r, scratch, &at);
	if (p >= o->alpha)
		return;
	cuts_add(c, lo + at, p);
	segment(s, lo, lo + at, o, r, scratch, c);
	segment(s, lo + at, hi, o, r, scratch, c);
}

static void cuts_sort(struct cuts *c)
{
	size_t i, j;

	for (i = 1; i < c->n; i++)      /* a handful of cuts: insertion sort keeps p paired */
		for (j = i; j > 0 && c->at[j - 1] > c->at[j]; j--) {
			size_t a = c->at[j];
			double p = c->p[j];
			c->at[j] = c->at[j - 1];
			c->p[j] = c->p[j - 1];
			c->at[j - 1] = a;
			c->p[j - 1] = p;
		}
}

/* the median of the pooled trials of nights w[0..k); scratch holds them all */
static double pooled_median(const struct night *w, size_t k, double *scratch)
{
	size_t j, len = 0;

	for (j = 0; j < k; j++) {
		memcpy(scratch + len, w[j].x, w[j].n * sizeof(*scratch));
		len += w[j].n;
	}
	return gsl_stats_median(scratch, 1, len);
}

static size_t trials_of(const struct night *w, size_t k)
{
	size_t j, n = 0;

	for (j = 0; j < k; j++)
		n += w[j].n;
	return n;
}

/* a window of nights ready to resample: its pooled trials sorted, and for each night's
 * trials their ranks among them, so that a resample is a count per rank and its median a
 * walk over the counts (no sort or selection per resample) */
struct bootwin {
	const struct night *nt;
	size_t k, len;          /* nights, trials */
	double *v;              /* the pooled trials, sorted */
	size_t *off;            /* night j's trials are ranked in rank[off[j] ..] */
	size_t *rank;
	size_t *count;          /* per rank, how often the resample drew it */
};

static void bootwin_make(struct bootwin *w, const struct night *nt, size_t k)
{
	size_t j, i, pos = 0, *order;

	w->nt = nt;
	w->k = k;
	w->len = trials_of(nt, k);
	w->v = xmalloc(w->len * sizeof(*w->v));
	w->off = xmalloc(k * sizeof(*w->off));
	w->rank = xmalloc(w->len * sizeof(*w->rank));
	w->count = xmalloc(w->len * sizeof(*w->count));
	order = xmalloc(w->len * sizeof(*order));
	for (j = 0; j < k; j++) {
		w->off[j] = pos;
		memcpy(w->v + pos, nt[j].x, nt[j].n * sizeof(*w->v));
		pos += nt[j].n;
	}
	gsl_sort_index(order, w->v, 1, w->len);
	for (i = 0; i < w->len; i++)
		w->rank[order[i]] = i;
	gsl_sort(w->v, 1, w->len);
	free(order);
}

static void bootwin_free(struct bootwin *w)
{
	free(w->v);
	free(w->off);
	free(w->rank);
	free(w->count);
}

/* the median of one two-level resample: nights with replacement, then each drawn night's
 * trials with replacement; the same value gsl_stats_median would give on the drawn trials */
static double bootwin_median(const struct bootwin *w, const gsl_rng *r)
{
	size_t j, t, d, len = 0, seen = 0, i;
	double low = 0;
	bool have = false;

	memset(w->count, 0, w->len * sizeof(*w->count));
	for (j = 0; j < w->k; j++) {
		d = gsl_rng_uniform_int(r, w->k);
		for (t = 0; t < w->nt[d].n; t++)
			w->count[w->rank[w->off[d] + gsl_rng_uniform_int(r, w->nt[d].n)]]++;
		len += w->nt[d].n;
	}
	for (i = 0;; i++) {
		seen += w->count[i];
		if (!have && seen > (len - 1) / 2) {
			low = w->v[i];
			have = true;
		}
		if (seen > len / 2)
			return (low + w->v[i]) / 2;
	}
}

/* is a step beyond the threshold t: the log ratio lr at least log(1 + t) away from 0, and its
 * interval [lo, hi] clear of +-log(1 + t/2) on the same side? (a hair of slack for steps
 * that are exactly the threshold) */
static bool beyond(double lr, double lo, double hi, double t)
{
	double h = log1p(t) * (1 - 1e-9), h2 = log1p(t / 2) * (1 - 1e-9);

	return (lr >= h && lo >= h2) || (lr <= -h && hi <= -h2);
}

/* the verdict of after-nights a[0..na) against before-nights b[0..nb) */
/* the degrees of freedom of a window's median: its nights less one, or with one night its
 * trials less one */
static double window_df(const struct bootwin *w)
{
	return w->k > 1 ? (double)(w->k - 1) : (double)w->len - 1;
}

/* the verdict of after-nights a[0..na) against before-nights b[0..nb) */
static void verdict(const struct night *b, size_t nb, const struct night *a, size_t na,
                    const struct cpopts *o, struct cpverdict *v)
{
	size_t i, nres = o->resamples >= 100 ? o->resamples : CP_RESAMPLES;
	struct bootwin wb, wa;
	double *lb, *la, vb, va, se, df, t, lr;
	gsl_rng *r;

	v->ratio = v->lo = v->hi = v->p = NAN;
	v->significant = v->beyond = v->confirmed = false;
	if (nb == 0 || na == 0)
		return;
	bootwin_make(&wb, b, nb);
	bootwin_make(&wa, a, na);
	v->ratio = gsl_stats_median_from_sorted_data(wa.v, 1, wa.len) /
	           gsl_stats_median_from_sorted_data(wb.v, 1, wb.len);
	lr = log(v->ratio);
	lb = xmalloc(nres * sizeof(*lb));
	la = xmalloc(nres * sizeof(*la));
	if (!(r = gsl_rng_alloc(gsl_rng_mt19937)))
		fatal("out of memory");
	gsl_rng_set(r, o->seed);
	for (i = 0; i < nres; i++) {
		lb[i] = log(bootwin_median(&wb, r));
		la[i] = log(bootwin_median(&wa, r));
	}
	vb = gsl_stats_variance(lb, 1, nres);
	va = gsl_stats_variance(la, 1, nres);
	se = sqrt(va + vb);
	if (se > 0) {
		/* Welch-Satterthwaite, on shares of the variance so that nothing underflows; a
		   window with no spread adds nothing (and may have df 0) */
		double fb = vb / (va + vb), fa = va / (va + vb);
		df = 1 / ((fb > 0 ? fb * fb / window_df(&wb) : 0) + (fa > 0 ? fa * fa / window_df(&wa) : 0));
		t = gsl_cdf_tdist_Pinv(0.975, df);
		v->lo = exp(lr - t * se);
		v->hi = exp(lr + t * se);
		v->p = 2 * gsl_cdf_tdist_Q(fabs(lr) / se, df);
	} else {                /* no spread at all: the ratio is what it is */
		v->lo = v->hi = v->ratio;
		v->p = lr == 0 ? 1 : 0;
	}
	v->significant = v->lo > 1 || v->hi < 1;
	v->beyond = beyond(lr, log(v->lo), log(v->hi), o->threshold);
	v->confirmed = v->significant && v->beyond;
	gsl_rng_free(r);
	free(la);
	free(lb);
	bootwin_free(&wa);
	bootwin_free(&wb);
}

void cp_confirm(const struct cptrials *before, size_t nb, const struct cptrials *after, size_t na,
                const struct cpopts *o, struct cpverdict *v)
{
	struct series b, a;

	series_load(&b, before, nb);
	series_load(&a, after, na);
	verdict(b.nt, b.m, a.nt, a.m, o, v);
	series_free(&a);
	series_free(&b);
}

/* the smallest step (a share) that windows of nb and na nights find 80% of the time in a
 * series of m nights with night noise sigma: the largest of
 *   log(1 + t) + z.8 se                         the measured step reaches the threshold t
 *   log(1 + t/2) + (t.975(nb + na - 2) + z.8) se  its interval clears 1 +- t/2
 *   (z(1 - alpha / 2P) + z.8) se                the scan finds it among P = m - 2K + 1 positions
 * with se = sigma sqrt(1/nb + 1/na), as exp(d) - 1 */
static double minstep_of(double sigma, size_t nb, size_t na, size_t m, const struct cpopts *o)
{
	double zp = gsl_cdf_ugaussian_Pinv(0.8), tq, zs, se, d;
	double positions;

	if (!isfinite(sigma) || nb + na < 3 || nb == 0 || na == 0 || m < 2 * o->min_after)
		return INFINITY;
	positions = (double)(m - 2 * o->min_after + 1);
	zs = gsl_cdf_ugaussian_Qinv(o->alpha / (2 * positions));
	tq = gsl_cdf_tdist_Pinv(0.975, (double)(nb + na - 2));
	se = sigma * sqrt(1.0 / nb + 1.0 / na);
	d = fmax(log1p(o->threshold) + zp * se, log1p(o->threshold / 2) + (tq + zp) * se);
	d = fmax(d, (zs + zp) * se);
	return expm1(d);
}

/* the series' smallest detectable step: windows of W nights each side, or half its nights
 * when fewer (at least K) */
static double series_minstep(const struct series *s, double sigma, const struct cpopts *o)
{
	size_t w = s->m / 2 < o->window ? s->m / 2 : o->window;

	return minstep_of(sigma, w < o->min_after ? o->min_after : w, w < o->min_after ? o->min_after : w,
	                  s->m, o);
}

/* the nights compared for a step at night j: [*bf, j) and [j, *at), at most W each side,
 * never past the neighbouring steps prev and next */
static void windows(size_t j, size_t prev, size_t next, size_t w, size_t *bf, size_t *at)
{
	*bf = j - prev > w ? j - w : prev;
	*at = next - j > w ? j + w : next;
}

/* judge every cut; drop the least significant one that holds 1 until none does. v: c->n verdicts */
static void confirm_cuts(const struct series *s, struct cuts *c, const struct cpopts *o, struct cpverdict *v)
{
	size_t i, bf, at, worst;

	for (;;) {
		worst = c->n;
		for (i = 0; i < c->n; i++) {
			windows(c->at[i], i ? c->at[i - 1] : 0, i + 1 < c->n ? c->at[i + 1] : s->m,
			        o->window, &bf, &at);
			verdict(s->nt + bf, c->at[i] - bf, s->nt + c->at[i], at - c->at[i], o, &v[i]);
			if (!v[i].significant && (worst == c->n || v[i].p > v[worst].p))
				worst = i;
		}
		if (worst == c->n)
			return;
		cuts_remove(c, worst);
	}
}

/* a window's trial CV a is far above the other's, b: over o->noisier times, and by threshold/2 */
static bool noisier(double a, double b, const struct cpopts *o)
{
	return o->noisier > 0 && isfinite(a) && isfinite(b) && a > o->noisier * b && a - b > o->threshold / 2;
}

static void fill(struct cpchange *ch, const struct series *s, size_t bf, size_t j, size_t at,
                 const struct cpverdict *v, double p, enum cpstatus status, double sigma,
                 const struct cpopts *o)
{
	bool up = v->ratio > 1;
	size_t k;

	memset(ch, 0, sizeof(*ch));
	ch->first_bad = s->nt[j].commit;
	ch->last_good = s->nt[j - 1].commit;
	ch->direction = up == o->lower_is_better ? CP_REGRESSION : CP_IMPROVEMENT;
	ch->status = status;
	ch->ratio = v->ratio;
	ch->lo = v->lo;
	ch->hi = v->hi;
	ch->p = p;
	ch->p_confirm = v->p;
	ch->before_from = s->nt[bf].commit;
	ch->before_to = s->nt[j - 1].commit + 1;
	ch->after_from = s->nt[j].commit;
	ch->after_to = s->nt[at - 1].commit + 1;
	ch->nights_before = j - bf;
	ch->nights_after = at - j;
	ch->trials_before = trials_of(s->nt + bf, j - bf);
	ch->trials_after = trials_of(s->nt + j, at - j);
	ch->min_step = minstep_of(sigma, j - bf, at - j, s->m, o);
	ch->cv_before = trial_cv(s->nt + bf, j - bf);
	ch->cv_after = trial_cv(s->nt + j, at - j);
	if (status == CP_CONFIRMED && at - j < o->window &&
	    (noisier(ch->cv_after, ch->cv_before, o) || noisier(ch->cv_before, ch->cv_after, o)))
		ch->status = CP_NOISY;
	for (k = 0; k < o->nknown; k++)
		if ((o->known[k] > ch->first_bad ? o->known[k] - ch->first_bad : ch->first_bad - o->known[k]) <=
		    o->known_slack)
			ch->known = true;
	ch->alert = ch->status == CP_CONFIRMED && ch->direction == CP_REGRESSION && !ch->known;
}

/* a step among the last K-1 nights, after night prev (the last step, or 0): the split with the
 * largest standardized difference of mean y, judged into *v; true (its night in *j) when it
 * would be confirmed */
static bool pending(const struct series *s, size_t prev, const struct cpopts *o, struct cpverdict *v,
                    size_t *j)
{
	size_t k, from, best = 0, lo, bf, at;
	double d, bestd = -1, *scratch;

	from = s->m + 1 > o->min_after ? s->m + 1 - o->min_after : 0;
	if (from < prev + o->min_after)
		from = prev + o->min_after;
	for (k = from; k < s->m; k++) {
		lo = k - prev > o->window ? k - o->window : prev;
		d = gsl_stats_mean(s->y + k, 1, s->m - k) - gsl_stats_mean(s->y + lo, 1, k - lo);
		d = d * d / (1.0 / (s->m - k) + 1.0 / (k - lo));
		if (d > bestd) {
			bestd = d;
			best = k;
		}
	}
	if (bestd < 0)
		return false;
	windows(best, prev, s->m, o->window, &bf, &at);
	/* a step under the threshold cannot be confirmed: spare the bootstrap */
	scratch = xmalloc((best - bf > at - best ? best - bf : at - best) * s->maxn * sizeof(*scratch));
	d = log(pooled_median(s->nt + best, at - best, scratch) / pooled_median(s->nt + bf, best - bf, scratch));
	free(scratch);
	if (fabs(d) < log1p(o->threshold) * (1 - 1e-9))
		return false;
	verdict(s->nt + bf, best - bf, s->nt + best, at - best, o, v);
	*j = best;
	return v->confirmed;
}

static struct cpchange *addchange(struct cpresult *r, size_t *cap)
{
	if (r->n == *cap) {
		*cap = *cap ? 2 * *cap : 4;
		r->changes = xreallocarray(r->changes, *cap, sizeof(*r->changes));
	}
	return &r->changes[r->n++];
}

/* the steps of s (>= 2K nights) found, confirmed and added to r; returns the night of the
 * last one, 0 when none */
static size_t steps_of(const struct series *s, const struct cpopts *o, struct cpresult *r, size_t *cap)
{
	struct cuts c = { 0 };
	struct cpverdict *v = NULL;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double *scratch = xmalloc(s->m * sizeof(*scratch));
	size_t i, bf, at, last = 0;

	if (!rng)
		fatal("out of memory");
	segment(s, 0, s->m, o, rng, scratch, &c);
	cuts_sort(&c);
	v = xmalloc(c.n * sizeof(*v));
	confirm_cuts(s, &c, o, v);
	for (i = 0; i < c.n; i++) {
		windows(c.at[i], i ? c.at[i - 1] : 0, i + 1 < c.n ? c.at[i + 1] : s->m, o->window, &bf, &at);
		fill(addchange(r, cap), s, bf, c.at[i], at, &v[i], c.p[i],
		     v[i].confirmed ? CP_CONFIRMED : CP_SMALL, r->noise, o);
		last = c.at[i];
	}
	gsl_rng_free(rng);
	free(scratch);
	free(v);
	free(c.at);
	free(c.p);
	return last;
}

int cp_detect(const struct cptrials *series, size_t n, const struct cpopts *o, struct cpresult *r)
{
	struct series s;
	struct cpverdict pv;
	size_t bf, at, j, last = 0, cap = 0;

	memset(r, 0, sizeof(*r));
	if (checkopts(o) < 0)
		return -1;
	series_load(&s, series, n);
	r->nights = s.m;
	r->noise = night_noise(&s);
	r->trial_cv = trial_cv(s.nt, s.m);
	r->min_step = series_minstep(&s, r->noise, o);
	if (s.m >= 2 * o->min_after)
		last = steps_of(&s, o, r, &cap);
	if (s.m > o->min_after && pending(&s, last, o, &pv, &j)) {
		windows(j, last, s.m, o->window, &bf, &at);
		fill(addchange(r, &cap), &s, bf, j, at, &pv, NAN, CP_PENDING, r->noise, o);
	}
	series_free(&s);
	return 0;
}

double cp_minstep(const struct cptrials *series, size_t n, const struct cpopts *o)
{
	struct series s;
	double d;

	series_load(&s, series, n);
	d = series_minstep(&s, night_noise(&s), o);
	series_free(&s);
	return d;
}

size_t cp_ratiotrials(const double *num, size_t nnum, const double *den, size_t nden, double scale,
                      double *out)
{
	size_t i, k = 0;
	double q;

	for (i = 0; i < nnum && i < nden; i++) {
		if (!valid(num[i]) || !valid(den[i]))
			continue;
		q = scale * num[i] / den[i];
		if (valid(q))
			out[k++] = q;
	}
	return k;
}

void cpresult_free(struct cpresult *r)
{
	free(r->changes);
	memset(r, 0, sizeof(*r));
}
