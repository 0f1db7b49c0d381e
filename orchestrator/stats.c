/* stats.c: the statistics gilbench reports, with GSL doing the arithmetic (see stats.h).
 *
 * stats_summary() sorts a copy of the sample (gsl_sort) and takes the median, mean,
 * sample standard deviation (n-1), min and max from gsl_stats_*; the 95% confidence
 * interval of the mean is mean +- t(0.975, n-1) * sd / sqrt(n) with t from
 * gsl_cdf_tdist_Pinv.
 *
 * stats_compare() gives the ratio of medians B/A and its 95% bootstrap percentile
 * interval: STATS_BOOT resamples of each sample with replacement, drawn by a gsl_rng
 * (mt19937) seeded with STATS_SEED, so the same data always gives the same interval; the
 * resampled medians come from gsl_stats_median (quickselect), and the 2.5% and 97.5%
 * quantiles of the resampled ratios from
 * gsl_stats_quantile_from_sorted_data. Welch's t-test: t = (mean B - mean A) /
 * sqrt(vA/nA + vB/nB), Welch-Satterthwaite degrees of freedom, two-sided p from
 * gsl_cdf_tdist_Q. Two samples with no spread at all are equal (p = 1) or different
 * (p = 0) by their means. */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

#include "util.h"

void stats_summary(const double *x, size_t n, struct summary *s)
{
	double *v;
	double t;

	s->n = n;
	s->median = s->mean = s->sd = s->cv = s->min = s->max = NAN;
	s->ci_lo = s->ci_hi = s->halfwidth = NAN;
	if (n == 0)
		return;
	v = xmalloc(n * sizeof(*v));
	memcpy(v, x, n * sizeof(*v));
	gsl_sort(v, 1, n);
	s->median = gsl_stats_median_from_sorted_data(v, 1, n);
	s->mean = gsl_stats_mean(v, 1, n);
	s->min = v[0];
	s->max = v[n - 1];
	if (n >= 2) {
		s->sd = gsl_stats_sd_m(v, 1, n, s->mean);
		s->cv = s->mean != 0 ? s->sd / fabs(s->mean) : NAN;
		t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1));
		s->ci_lo = s->mean - t * s->sd / sqrt((double)n);
		s->ci_hi = s->mean + t * s->sd / sqrt((double)n);
		s->halfwidth = s->mean != 0 ? (s->ci_hi - s->ci_lo) / 2 / fabs(s->mean) : NAN;
	}
	free(v);
}

double stats_welch_p(const double *a, size_t na, const double *b, size_t nb)
{
	double ma, mb, va, vb, se2, t, df;

	if (na < 2 || nb < 2)
		return NAN;
	ma = gsl_stats_mean(a, 1, na);
	mb = gsl_stats_mean(b, 1, nb);
	va = gsl_stats_variance_m(a, 1, na, ma);
	vb = gsl_stats_variance_m(b, 1, nb, mb);
	se2 = va / na + vb / nb;
	if (se2 == 0)
		return ma == mb ? 1.0 : 0.0;
	t = (mb - ma) / sqrt(se2);
	df = se2 * se2 / ((va / na) * (va / na) / (na - 1) + (vb / nb) * (vb / nb) / (nb - 1));
	return 2 * gsl_cdf_tdist_Q(fabs(t), df);
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

	c->ratio = c->ratio_lo = c->ratio_hi = c->p = NAN;
	c->significant = false;
	if (na == 0 || nb == 0)
		return;
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
