/* stats.c: the statistics gilbench reports, with GSL doing the arithmetic (see stats.h).
 *
 * stats_summary() sorts a copy of the sample (gsl_sort) and takes the median, min and max
 * from it; the mean and the sample standard deviation (n-1) come from gsl_stats_* on the
 * sample scaled by a power of two (exact) that brings its largest magnitude near 1, so that
 * squares neither overflow (1e200) nor underflow (1e-160); the 95% confidence interval of
 * the mean is mean +- t(0.975, n-1) * sd / sqrt(n) with t from gsl_cdf_tdist_Pinv.
 *
 * stats_compare() gives the ratio of medians B/A and its 95% bootstrap percentile
 * interval: STATS_BOOT resamples of each sample with replacement, drawn by a gsl_rng
 * (mt19937) seeded with STATS_SEED, so the same data always gives the same interval; the
 * resampled medians come from gsl_stats_median (quickselect), and the 2.5% and 97.5%
 * quantiles of the resampled ratios from
 * gsl_stats_quantile_from_sorted_data. Welch's t-test: t = (mean B - mean A) /
 * sqrt(vA/nA + vB/nB), Welch-Satterthwaite degrees of freedom, two-sided p from
 * gsl_cdf_tdist_Q. Two samples with no spread at all are equal (p = 1) or different
 * (p = 0) by their means.
 *
 * Values GSL cannot work with never reach it: GSL's default error handler, which aborts
 * the process, is turned off (stats_init, before the first GSL call); a sample holding a
 * NaN has NaN statistics; infinities give an infinite (or NaN) mean and NaN spread, p and
 * interval; the degrees of freedom are computed from the two variance terms divided by the
 * larger one, so neither inf/inf nor 0/0 can occur. Whatever is not a number is reported
 * as such (NaN is null in JSON and a dash in tables), never a crash. */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

#include "util.h"

void stats_init(void)
{
	static bool done;

	if (!done) {
		gsl_set_error_handler_off();
		done = true;
	}
}

/* what x holds: NaNs, +inf, -inf; and 2^k with the largest finite magnitude below it */
struct scan {
	size_t nan, pinf, ninf;
	int exp;
};

static void scan(const double *x, size_t n, struct scan *s)
{
	double big = 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		if (isnan(x[i]))
			s->nan++;
		else if (isinf(x[i]))
			*(x[i] > 0 ? &s->pinf : &s->ninf) += 1;
		else if (fabs(x[i]) > big)
			big = fabs(x[i]);
	}
	if (big > 0)
		frexp(big, &s->exp);
}

/* mean and sample variance (NAN when n < 2) of finite x scaled by 2^-exp: the mean of x
 * is ldexp(*mean, exp), its variance ldexp(*var, 2 * exp) */
static void meanvar(const double *x, size_t n, int exp, double *mean, double *var)
{
	double *v = xmalloc(n * sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = ldexp(x[i], -exp);
	*mean = gsl_stats_mean(v, 1, n);
	*var = n >= 2 ? gsl_stats_variance_m(v, 1, n, *mean) : NAN;
	free(v);
}

void stats_summary(const double *x, size_t n, struct summary *s)
{
	struct scan sc;
	double *v;
	double t, var;

	stats_init();
	s->n = n;
	s->median = s->mean = s->sd = s->cv = s->min = s->max = NAN;
	s->ci_lo = s->ci_hi = s->halfwidth = NAN;
	scan(x, n, &sc);
	if (n == 0 || sc.nan)
		return;
	v = xmalloc(n * sizeof(*v));
	memcpy(v, x, n * sizeof(*v));
	gsl_sort(v, 1, n);
	s->median = gsl_stats_median_from_sorted_data(v, 1, n);
	s->min = v[0];
	s->max = v[n - 1];
	free(v);
	if (sc.pinf || sc.ninf) { /* no spread, interval or precision to speak of */
		s->mean = sc.pinf && sc.ninf ? NAN : sc.pinf ? INFINITY : -INFINITY;
		return;
	}
	meanvar(x, n, sc.exp, &s->mean, &var);
	s->mean = ldexp(s->mean, sc.exp);
	if (n >= 2) {
		s->sd = ldexp(sqrt(var), sc.exp);
		s->cv = s->mean != 0 ? s->sd / fabs(s->mean) : NAN;
		t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1));
		s->ci_lo = s->mean - t * s->sd / sqrt((double)n);
		s->ci_hi = s->mean + t * s->sd / sqrt((double)n);
		s->halfwidth = s->mean != 0 ? t * (s->sd / fabs(s->mean)) / sqrt((double)n) : NAN;
	}
}

double stats_welch_p(const double *a, size_t na, const double *b, size_t nb)
{
	struct scan sa, sb;
	double ma, mb, va, vb, qa, qb, big, ra, rb, t, df, p;
	int exp;

	stats_init();
	if (na < 2 || nb < 2)
		return NAN;
	scan(a, na, &sa);
	scan(b, nb, &sb);
	if (sa.nan || sa.pinf || sa.ninf || sb.nan || sb.pinf || sb.ninf)
		return NAN;
	exp = sa.exp > sb.exp ? sa.exp : sb.exp; /* one scale for both: t is scale-free */
	meanvar(a, na, exp, &ma, &va);
	meanvar(b, nb, exp, &mb, &vb);
	qa = va / (double)na;
	qb = vb / (double)nb;
	if (qa + qb == 0)
		return ma == mb ? 1.0 : 0.0;
	t = (mb - ma) / sqrt(qa + qb);
	big = qa > qb ? qa : qb;
	ra = qa / big;
	rb = qb / big;
	df = (ra + rb) * (ra + rb) / (ra * ra / (double)(na - 1) + rb * rb / (double)(nb - 1));
	if (isnan(t) || !isfinite(df) || df <= 0)
		return NAN;
	if (isinf(t))
		return 0.0;
	p = 2 * gsl_cdf_tdist_Q(fabs(t), df);
	return isfinite(p) ? (p > 1 ? 1.0 : p) : NAN;
}

/* the median of n values drawn with replacement from x, using scratch (n doubles);
 * gsl_stats_median selects in place (no full sort) */
static double resample_median(const gsl_rng *r, const double *x, size_t n, double *scratch)
{
	size_t i;

	for (i = 0; i < n; i++)
		scratch[i] = x[gsl_rng_uniform_int(r, n)];
	return gsl_stats_median(scratch, 1, n);
}

static bool hasnan(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isnan(x[i]))
			return true;
	return false;
}

static double median_of(const double *x, size_t n)
{
	double *v = xmalloc(n * sizeof(*v));
	double m;

	memcpy(v, x, n * sizeof(*v));
	gsl_sort(v, 1, n);
	m = gsl_stats_median_from_sorted_data(v, 1, n);
	free(v);
	return m;
}

void stats_compare(const double *a, size_t na, const double *b, size_t nb, struct comparison *c)
{
	gsl_rng *r = NULL;
	double *ratios = NULL, *sa = NULL, *sb = NULL;
	double ma, mb;
	size_t i, k = 0;

	stats_init();
	c->ratio = c->ratio_lo = c->ratio_hi = c->p = NAN;
	c->significant = false;
	if (na == 0 || nb == 0 || hasnan(a, na) || hasnan(b, nb))
		return; /* NaN has no place in a sort or a selection */
	ma = median_of(a, na);
	mb = median_of(b, nb);
	c->ratio = mb / ma;
	c->p = stats_welch_p(a, na, b, nb);

	r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r)
		fatal("out of memory");
	gsl_rng_set(r, STATS_SEED);
	ratios = xmalloc(STATS_BOOT * sizeof(*ratios));
	sa = xmalloc(na * sizeof(*sa));
	sb = xmalloc(nb * sizeof(*sb));
	for (i = 0; i < STATS_BOOT; i++) {
		double ra = resample_median(r, a, na, sa);
		double rb = resample_median(r, b, nb, sb);
		double q = rb / ra;
		if (isfinite(q))
			ratios[k++] = q;
	}
	if (k > 0) {
		gsl_sort(ratios, 1, k);
		c->ratio_lo = gsl_stats_quantile_from_sorted_data(ratios, 1, k, 0.025);
		c->ratio_hi = gsl_stats_quantile_from_sorted_data(ratios, 1, k, 0.975);
	}
	c->significant = isfinite(c->p) && c->p < 0.05 && isfinite(c->ratio_lo) &&
	                 (c->ratio_lo > 1 || c->ratio_hi < 1);
	free(sb);
	free(sa);
	free(ratios);
	gsl_rng_free(r);
}
