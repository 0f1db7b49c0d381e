/* verdict.c: same, different or can't tell (see verdict.h).
 *
 * "Different" keeps the rule the report always used (stats_compare's significance plus
 * the threshold). "Same" is an equivalence test: with Welch's standard error se and
 * degrees of freedom df of the difference of means d = mean B - mean A, and the margin
 * m = tie x |mean A|, the two one-sided tests reject d <= -m and d >= m at 5% each when
 * d - t(0.95, df) se > -m and d + t(0.95, df) se < m; tost_p is the larger of their p-values
 * (gsl_cdf_tdist_Q). A sample with no spread at all (se = 0) is the same when |d| < m.
 * The trials needed to decide an inconclusive cell scale the present sample by
 * (t se / gap)^2, where gap is what the interval must shrink past: m - |d| on the way to
 * "same", |d| on the way to "different". */
#include "verdict.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "util.h"

#define NEED_MAX 100000L

/* the finite values of x, in a new array; *n set to their count */
static double *finites(const double *x, size_t nx, size_t *n)
{
	double *v = xcalloc(nx + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < nx; i++)
		if (isfinite(x[i]))
			v[(*n)++] = x[i];
	return v;
}

static long need(size_t n, double t, double se, double gap)
{
	double k;

	if (!(gap > 0) || !isfinite(t * se))
		return -1;
	k = ceil((double)n * (t * se / gap) * (t * se / gap));
	if (!isfinite(k) || k > NEED_MAX)
		return NEED_MAX;
	return k <= (double)n ? (long)n + 1 : (long)k;
}

/* TOST and the interval; fills rel_lo/hi, tost_p; returns whether B is shown the same */
static bool equivalent(const double *a, size_t na, const double *b, size_t nb, struct judgement *j, double *df_out,
                       double *se_out, double *d_out)
{
	double ma = gsl_stats_mean(a, 1, na), mb = gsl_stats_mean(b, 1, nb);
	double va = gsl_stats_variance_m(a, 1, na, ma) / (double)na, vb = gsl_stats_variance_m(b, 1, nb, mb) / (double)nb;
	double se = sqrt(va + vb), d = mb - ma, m = j->tie * fabs(ma), df, t;

	*se_out = se;
	*d_out = d;
	*df_out = NAN;
	if (!isfinite(se) || !isfinite(d) || ma == 0)
		return false;
	if (se == 0) {
		j->rel_lo = j->rel_hi = d / fabs(ma);
		j->tost_p = fabs(d) < m ? 0 : 1;
		return fabs(d) < m;
	}
	df = (va + vb) * (va + vb) / (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
	if (!isfinite(df) || df < 1)
		df = (double)(na < nb ? na : nb) - 1;
	t = gsl_cdf_tdist_Pinv(0.95, df);
	*df_out = df;
	j->rel_lo = (d - t * se) / fabs(ma);
	j->rel_hi = (d + t * se) / fabs(ma);
	j->tost_p = fmax(gsl_cdf_tdist_Q((d + m) / se, df), gsl_cdf_tdist_Q((m - d) / se, df));
	return j->tost_p < 0.05;
}

void judge(const double *a0, size_t na0, const double *b0, size_t nb0, double tie, bool lower_is_better,
           struct judgement *j)
{
	size_t na, nb;
	double *a = finites(a0, na0, &na), *b = finites(b0, nb0, &nb), df = NAN, se = NAN, d = NAN;
	bool same = false, beyond;

	j->verdict = VERDICT_NODATA;
	j->tie = tie;
	j->eq_lo = 1 - tie;
	j->eq_hi = 1 + tie;
	j->rel_lo = j->rel_hi = j->tost_p = NAN;
	j->need = 0;
	stats_compare(a, na, b, nb, &j->c);
	if (na == 0 || nb == 0 || !isfinite(j->c.ratio))
		goto cleanup;
	beyond = fabs(j->c.ratio - 1) > tie;
	if (na >= 2 && nb >= 2)
		same = equivalent(a, na, b, nb, j, &df, &se, &d);
	if (j->c.significant && beyond)
		j->verdict = (j->c.ratio < 1) == lower_is_better ? VERDICT_BETTER : VERDICT_WORSE;
	else if (same)
		j->verdict = VERDICT_SAME;
	else {
		size_t n = na < nb ? na : nb;
		double m = tie * fabs(gsl_stats_mean(a, 1, na));
		j->verdict = VERDICT_INCONCLUSIVE;
		if (n < 2 || !isfinite(df))
			j->need = n < 2 ? 3 : -1; /* one value has no spread to estimate from */
		else if (beyond) /* towards "different": the 95% interval must clear 0 */
			j->need = need(n, gsl_cdf_tdist_Pinv(0.975, df), se, fabs(d));
		else            /* towards "same": the 90% interval must fit inside the margin */
			j->need = need(n, gsl_cdf_tdist_Pinv(0.95, df), se, m - fabs(d));
	}
cleanup:
	free(a);
	free(b);
}

const char *verdict_word(enum verdict v, bool lower_is_better)
{
	switch (v) {
	case VERDICT_SAME: return "same";
	case VERDICT_BETTER: return lower_is_better ? "faster" : "higher";
	case VERDICT_WORSE: return lower_is_better ? "slower" : "lower";
	case VERDICT_INCONCLUSIVE: return "inconclusive";
	default: return "no data";
	}
}

bool verdict_decided(enum verdict v)
{
	return v == VERDICT_SAME || v == VERDICT_BETTER || v == VERDICT_WORSE;
}
