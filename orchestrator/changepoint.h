/* changepoint.h: regressions and improvements in one series of nightly measurements.
 *
 * A series is one machine x config x experiment x point x variant (or a derived series such
 * as the no-GIL/GIL ratio), as N commits in first-parent order, each with the raw trials
 * measured at it (none: the night was skipped). Trials that are not finite and positive are
 * ignored. Pure computation: no I/O, no global state; the same input and options give the
 * same output (every random draw comes from a GSL mt19937 seeded with cpopts.seed).
 *
 * How (docs/nightly.md, "How regressions are detected"): each night is its trials' median;
 * binary segmentation on the log nightly medians places candidate steps, each split kept
 * only when a permutation test of the largest two-sample t over all positions of its
 * segment says p < alpha (this corrects for the many positions tried); each candidate is
 * then confirmed on the raw trials of up to `window` nights before and after it: the ratio
 * of the pooled trials' medians, with a 95% interval from a two-level bootstrap (nights,
 * then trials within them) of its log and Student's t over the nights (Welch-Satterthwaite).
 * A step is reported when its interval excludes 1; it is CONFIRMED when it also measures at
 * least the threshold and its interval clears 1 +- threshold/2 (steps are measured in log
 * space: "5%" means a ratio of 1.05 or 1/1.05), else SMALL. A step with fewer than min_after
 * nights at or after it is PENDING: never alerted until enough nights follow. A step that
 * would be CONFIRMED but whose nights on one side are far noisier than on the other (their
 * trials' CV `noisier` times the other side's, and threshold/2 more) is NOISY while fewer
 * than `window` nights follow it: a disturbed machine looks like that, a change of code
 * rarely; should the noise last, the full window judges it as usual. */
#ifndef GILBENCH_CHANGEPOINT_H
#define GILBENCH_CHANGEPOINT_H

#include <stdbool.h>
#include <stddef.h>

#define CP_THRESHOLD 0.05       /* minimum effect: steps under 5% are never alerted */
#define CP_WINDOW 10            /* nights compared on each side of a step, at most */
#define CP_MIN_AFTER 3          /* nights at and after a step before it can be confirmed */
#define CP_ALPHA 0.01           /* the position-corrected significance of the scan */
#define CP_PERMUTATIONS 999     /* permutations of the scan's test */
#define CP_RESAMPLES 2000       /* bootstrap resamples of a confirmation */
#define CP_SEED 20250601UL      /* fixed seed: the same series gives the same answer */
#define CP_KNOWN_SLACK 2        /* a step this many commits from a known one is that one */
#define CP_NOISIER 2.0          /* one window's trial CV this many times the other's: NOISY */

struct cptrials {               /* one commit's raw trials */
	const double *x;        /* may be NULL when n is 0 */
	size_t n;               /* 0: no measurement at this commit */
};

struct cpopts {
	double threshold;       /* minimum effect as a share (0.05); 0 alerts on any significant step */
	bool lower_is_better;   /* true for times: a rise is a regression */
	size_t window;          /* W: nights compared on each side, at most (>= min_after) */
	size_t min_after;       /* K >= 2: nights needed on each side of a step (scan and confirmation) */
	double alpha;           /* scan significance, in (0, 1) */
	size_t permutations;    /* scan permutations (>= 99) */
	size_t resamples;       /* bootstrap resamples (>= 100) */
	unsigned long seed;     /* seed of every random draw */
	const size_t *known;    /* first-bad commit indices alerted before; may be NULL */
	size_t nknown;
	size_t known_slack;     /* a step within this many commits of a known one is that one */
	double noisier;         /* the CV ratio that makes a step NOISY (> 1); 0: never */
};

enum cpdirection { CP_REGRESSION, CP_IMPROVEMENT };
enum cpstatus {
	CP_CONFIRMED,           /* beyond the noise and the threshold */
	CP_SMALL,               /* beyond the noise, under the threshold: reported, never alerted */
	CP_PENDING,             /* fewer than min_after nights follow: not confirmable yet */
	CP_NOISY,               /* would be confirmed, but one side is far noisier: held back */
};

struct cpverdict {              /* the comparison of two windows of raw trials */
	double ratio;           /* median(after) / median(before) over the pooled trials; NAN: no data */
	double lo, hi;          /* its 95% interval: exp(log ratio +- t(0.975, df) se) */
	double p;               /* two-sided p of ratio = 1 from the same t */
	bool significant;       /* the interval excludes 1 */
	bool beyond;            /* the ratio is 1 +- threshold or further, the interval clear of 1 +- threshold/2 */
	bool confirmed;         /* significant and beyond */
};

struct cpchange {
	size_t first_bad;       /* commit index of the first night at the new level */
	size_t last_good;       /* the previous commit with trials: the suspect range is (last_good, first_bad] */
	enum cpdirection direction;
	enum cpstatus status;
	bool known;             /* within known_slack commits of a known index */
	bool alert;             /* a CONFIRMED regression that is not known */
	double ratio, lo, hi;   /* after/before with its 95% interval (cpverdict) */
	double p;               /* the scan's permutation p (corrected for positions); NAN when PENDING */
	double p_confirm;       /* the confirmation's p (cpverdict.p) */
	size_t before_from, before_to; /* commit indices [from, to) of the nights before */
	size_t after_from, after_to;   /* commit indices [from, to) of the nights after */
	size_t nights_before, nights_after, trials_before, trials_after;
	double min_step;        /* the smallest step these windows find 80% of the time (share) */
	double cv_before, cv_after; /* each window's median over nights of the trials' CV; NAN: no night of 2 */
};

struct cpresult {
	struct cpchange *changes;  /* in commit order */
	size_t n;
	size_t nights;          /* commits with at least one valid trial */
	double noise;           /* sd of a night's log median: a night's CV, trial noise included; NAN under 2 nights */
	double trial_cv;        /* median over nights of the trials' CV; NAN when no night has 2 trials */
	double min_step;        /* cp_minstep() of the series: steps under it can pass silently */
};

void cp_defaults(struct cpopts *o);  /* the defaults above, lower is better, nothing known */
int cp_detect(const struct cptrials *series, size_t n, const struct cpopts *o, struct cpresult *r);
	/* the changes of series[0..n) in r (free with cpresult_free); -1 with the error on bad options */
void cp_confirm(const struct cptrials *before, size_t nb, const struct cptrials *after, size_t na,
                const struct cpopts *o, struct cpverdict *v);
	/* compare two windows of nights (one element each: two plain samples); uses o's threshold,
	   resamples (under 100: CP_RESAMPLES) and seed; no valid trial on a side: ratio NAN,
	   nothing significant */
double cp_minstep(const struct cptrials *series, size_t n, const struct cpopts *o);
	/* the smallest step (share) the series would confirm 80% of the time with window nights on
	   each side, given its noise; INFINITY when it has under 2 x min_after nights */
size_t cp_ratiotrials(const double *num, size_t nnum, const double *den, size_t nden, double scale,
                      double *out);
	/* derived trials out[i] = scale * num[i] / den[i], pairing trials by order (interleaved
	   trials at one commit); pairs with an invalid value are left out; out holds
	   min(nnum, nden); returns how many were written */
void cpresult_free(struct cpresult *r);  /* free the changes and zero r */

#endif
