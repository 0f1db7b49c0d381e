/* bisect.h: the search of `gilbench bisect`, apart from how commits are built and measured.
 *
 * The range is a first-parent line of N commits: 0 is GOOD, N - 1 is BAD. The search asks
 * a measure callback for interleaved rounds (the same code runs with real builds,
 * bisectrun.c, and with simulated trials, the unit test and the bench), and never names a
 * commit its evidence does not support. Every verdict comes from judge() (verdict.h):
 *
 *  1. confirmation: GOOD and BAD alone; judge(GOOD, BAD, threshold) must be "different",
 *     with rounds added up to max_rounds while inconclusive. Otherwise the search stops:
 *     GOOD and BAD do not differ by the threshold here (BISECT_NOCHANGE).
 *  2. steps: the untested commit nearest the middle of (lo, hi), lo the last commit known
 *     to behave like GOOD (at first GOOD), hi the first known to behave like BAD (at first
 *     BAD), measured with fresh GOOD and BAD trials interleaved. With the change's size c
 *     (r = median BAD / median GOOD over every GOOD and BAD trial so far), the margins are
 *     half the change: tie_good = |r - 1| / 2 and tie_bad = |1/r - 1| / 2, and
 *       like GOOD  judge(GOOD, S, tie_good) is "same" and judge(BAD, S, tie_bad) is
 *                  "different" with S on GOOD's side of BAD;
 *       like BAD   the mirror image;
 *       undecided  neither. While a judgement is inconclusive, rounds are added (to the
 *                  trials it says would likely decide it, at most doubling, at most
 *                  max_rounds). When both are decided and still neither (from twice the
 *                  first rounds on: one chance "different" in a few rounds does not set a
 *                  commit aside), or at max_rounds, the commit is undecided and set aside;
 *                  its reason says which.
 *     A commit the callback could not build or measure is skipped and set aside.
 *  3. when no untested commit is left in (lo, hi), the check: hi against lo, side by side;
 *     judge(lo, hi, tie_good) must be "different" in the change's direction. Then the
 *     answer is commit hi when hi = lo + 1 (BISECT_FOUND), else the range (lo, hi] with
 *     the commits set aside in it (BISECT_RANGE): never a guess. Should a step have been
 *     found different from both GOOD and BAD, between them, GOOD..BAD holds more than one
 *     change, and a found commit is not the whole answer (`other_changes`). Should the check fail, the verdicts contradict each other (a
 *     commit half-way between two changes sits on both margins) and the answer is the
 *     whole range (BISECT_RANGE).
 * The search is deterministic in its data, so replaying it over recorded trials (resume)
 * takes the same path. */
#ifndef GILBENCH_BISECT_H
#define GILBENCH_BISECT_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"
#include "verdict.h"

enum bisect_ask { BISECT_CONFIRM, BISECT_STEP, BISECT_CHECK };
enum bisect_verdict { BISECT_UNTESTED, BISECT_LIKE_GOOD, BISECT_LIKE_BAD, BISECT_UNDECIDED, BISECT_SKIPPED };
enum bisect_outcome { BISECT_FOUND, BISECT_RANGE, BISECT_NOCHANGE };

struct bisect_samples {     /* what one measurement gave; arrays from xmalloc, freed by the search */
	double *good, *bad, *step; /* values of the same interleaved rounds (see bisect_ops.measure) */
	size_t ngood, nbad, nstep;
	bool failed;            /* the commit could not be built or measured: it is skipped */
	char *why;              /* what failed (taken by the search), or NULL */
};

struct bisect_step {
	enum bisect_ask kind;
	size_t commit;          /* index into the range (the confirmation: BAD's) */
	enum bisect_verdict verdict; /* the confirmation and the check: LIKE_BAD when they show the change, else UNDECIDED */
	size_t rounds;          /* values of the commit judged */
	struct summary s;       /* the commit's values (the confirmation: BAD's) */
	size_t base;            /* the check: the commit it was set against */
	struct summary good, bad; /* GOOD's and BAD's values of the same rounds (the check: base's in good) */
	struct judgement vs_good, vs_bad; /* the commit against GOOD and against BAD (the confirmation: BAD against
	                           GOOD; the check: the commit against base, in vs_good) */
	char *why;              /* skipped, undecided or a failed check: why, else NULL */
};

struct bisect_req {          /* one measurement the search asks for */
	enum bisect_ask ask;    /* CONFIRM: GOOD and BAD; STEP: commit k with GOOD and BAD; CHECK: k with base */
	size_t k;               /* the commit measured (CONFIRM: BAD, n - 1) */
	size_t base;            /* CHECK: the commit it is set against (lo); else GOOD, 0 */
	size_t rounds;          /* at least this many interleaved rounds */
};

struct bisect_ops {
	int (*measure)(void *ctx, const struct bisect_req *q, struct bisect_samples *out);
		/* at least q->rounds interleaved rounds, measuring what is missing, and every value of them (more
		   than asked is fine). CONFIRM: GOOD in good, BAD in bad. STEP: commit k in step, GOOD and BAD
		   in good and bad. CHECK: commit k in step, commit base in good. -1 with the error stops the search */
	int (*decided)(void *ctx, const struct bisect_step *st); /* after each verdict, the confirmation's and the
	                                                            check's included; NULL: none; -1 stops */
	void *ctx;
};

struct bisect_params {
	size_t n;               /* commits in the range, GOOD (0) and BAD (n - 1) included; >= 2 */
	double threshold;       /* the least change from GOOD to BAD that counts, as a share (0.05) */
	size_t min_rounds, max_rounds; /* rounds per measurement: first asked, at most */
	bool lower_is_better;   /* the metric's direction (words only: the search is symmetric) */
};

struct bisect_result {
	enum bisect_outcome outcome;
	struct bisect_step confirm, check; /* check.kind is BISECT_CHECK once it ran */
	struct judgement change; /* BAD against GOOD over every GOOD and BAD trial: the size of the change */
	double tie_good, tie_bad; /* the margins of the last step */
	size_t lo, hi;          /* the change lies in (lo, hi]: lo behaves like GOOD, hi like BAD */
	bool other_changes;     /* FOUND, but a step lay between GOOD and BAD: more than one change */
	struct bisect_step *steps; /* in the order measured */
	size_t nsteps;
	char *why;              /* NOCHANGE, a failed check, other changes: why, else NULL */
};

int bisect_run(const struct bisect_params *bp, const struct bisect_ops *ops, struct bisect_result *r);
	/* the whole search; 0 with R filled (any outcome), -1 with the error (R holds what was done) */
void bisect_result_free(struct bisect_result *r);
const char *bisect_verdict_word(enum bisect_verdict v); /* "like GOOD", "like BAD", "undecided", "skipped", "untested" */
const char *bisect_outcome_word(enum bisect_outcome o); /* "found", "range", "no-change" */

#endif
