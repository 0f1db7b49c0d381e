/* tests/bench/verdicts.c: the A/A table of the three-way verdict (orchestrator/verdict.c).
 *
 * For 3, 5, 10 and 20 trials per side and noise (CV) of 3%, both sides drawn from one normal
 * distribution (GSL, fixed seeds), over 1,000 comparisons each: the share called same,
 * different and inconclusive at the default tie of 5%. A good verdict calls A/A different
 * about 5% of the time at most, and says "same" more often as trials grow. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>

#include "verdict.h"

int main(int argc, char **argv)
{
	static const size_t trials[] = { 3, 5, 10, 20 };
	static const double cvs[] = { 0.02, 0.03, 0.05 };
	int reps = argc > 1 ? atoi(argv[1]) : 1000;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	printf("A/A: both sides from one distribution, tie 5%%, %d comparisons per row\n", reps);
	printf("| trials | CV | same | different | inconclusive |\n| --- | --- | --- | --- | --- |\n");
	for (size_t c = 0; c < sizeof(cvs) / sizeof(cvs[0]); c++)
		for (size_t k = 0; k < sizeof(trials) / sizeof(trials[0]); k++) {
			size_t n = trials[k], same = 0, diff = 0, inc = 0;
			double a[20], b[20];
			gsl_rng_set(r, 1000 * (c + 1) + n);
			for (int i = 0; i < reps; i++) {
				struct judgement j;
				for (size_t t = 0; t < n; t++) {
					a[t] = 1 + gsl_ran_gaussian(r, cvs[c]);
					b[t] = 1 + gsl_ran_gaussian(r, cvs[c]);
				}
				judge(a, n, b, n, 0.05, true, &j);
				same += j.verdict == VERDICT_SAME;
				diff += j.verdict == VERDICT_BETTER || j.verdict == VERDICT_WORSE;
				inc += j.verdict == VERDICT_INCONCLUSIVE;
			}
			printf("| %zu | %.0f%% | %.1f%% | %.1f%% | %.1f%% |\n", n, 100 * cvs[c], 100.0 * same / reps,
			       100.0 * diff / reps, 100.0 * inc / reps);
		}
	gsl_rng_free(r);
	return 0;
}
