/* stats.h: the statistics gilbench reports, computed with GSL.
 *
 * Per sample: median, mean, standard deviation, coefficient of variation, min, max, and a
 * 95% confidence interval of the mean (Student's t). Between two samples: the ratio of
 * medians B/A with a 95% bootstrap percentile interval (fixed seed, so reports are
 * reproducible) and Welch's t-test p-value. */
#ifndef GILBENCH_STATS_H
#define GILBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct summary {
	size_t n;
	double median, mean, sd, cv, min, max;
	double ci_lo, ci_hi;  /* 95% CI of the mean; NAN when n < 2 */
	double halfwidth;     /* (ci_hi - ci_lo) / 2 / mean: relative precision; NAN when n < 2 */
};

struct comparison {
	double ratio;         /* median(B) / median(A) */
	double ratio_lo, ratio_hi; /* 95% bootstrap interval of the ratio */
	double p;             /* Welch's two-sided t-test; NAN when either n < 2 */
	bool significant;     /* p < 0.05 and the interval excludes 1 */
};

#define STATS_BOOT 2000         /* bootstrap resamples */
#define STATS_SEED 20250601UL   /* fixed bootstrap seed: the same data gives the same interval */

void stats_init(void);                                             /* turn GSL's aborting error handler off; every function here calls it */
void stats_summary(const double *x, size_t n, struct summary *s);  /* n may be 0 (all NAN); NaN in x: all NAN; inf: mean +-inf or NAN, no spread */
void stats_compare(const double *a, size_t na, const double *b, size_t nb, struct comparison *c);
                                                                   /* either n may be 0 (all NAN, not significant) */
double stats_welch_p(const double *a, size_t na, const double *b, size_t nb); /* two-sided; NAN when either n < 2 or a value is not finite */

#endif
