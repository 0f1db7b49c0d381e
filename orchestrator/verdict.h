/* verdict.h: the one judgement of two samples, used by the report, compare and reproduce.
 *
 * Every comparison of B against A has one of these outcomes:
 *   different  B is better or worse than A: Welch's p < 0.05, the 95% bootstrap interval of
 *              the ratio of medians excludes 1, and the ratio is more than TIE away from 1;
 *   same       B is shown equivalent to A within TIE: two one-sided Welch t-tests (TOST) at
 *              the 5% level, i.e. the 90% interval of (mean B - mean A) lies inside
 *              +-TIE x mean A;
 *   inconclusive  neither: the data cannot tell. `need` estimates the trials per side that
 *              would likely decide it (the interval shrinking as 1/sqrt(n)), or -1 when the
 *              difference sits on the threshold and no number of trials would;
 *   no data    a side has no value.
 * TIE is run.tie (default 5%), or --tie. docs/report.md explains the rule. */
#ifndef GILBENCH_VERDICT_H
#define GILBENCH_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"

enum verdict { VERDICT_NODATA, VERDICT_SAME, VERDICT_BETTER, VERDICT_WORSE, VERDICT_INCONCLUSIVE };

struct judgement {
	enum verdict verdict;
	struct comparison c;    /* ratio of medians B/A, its 95% bootstrap interval, Welch's p */
	double tie;             /* the threshold used, as a share */
	double eq_lo, eq_hi;    /* the equivalence bounds of the ratio: 1 - tie, 1 + tie */
	double rel_lo, rel_hi;  /* 90% interval of (mean B - mean A) / mean A; NAN when n < 2 */
	double tost_p;          /* the larger one-sided p of TOST; NAN when n < 2 */
	long need;              /* inconclusive: trials per side likely to decide it; -1: none would; 0 otherwise */
};

void judge(const double *a, size_t na, const double *b, size_t nb, double tie, bool lower_is_better,
           struct judgement *j);        /* B against A; the samples' non-finite values are ignored */
const char *verdict_word(enum verdict v, bool lower_is_better);
	/* "faster"/"slower" (lower is better) or "higher"/"lower", "same", "inconclusive", "no data" */
bool verdict_decided(enum verdict v);   /* same, better or worse */

#endif
