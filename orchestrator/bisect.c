/* bisect.c: the search of a bisect over any measure callback (see bisect.h).
 *
 * One pattern serves the confirmation, every step and the check: ask the callback for
 * `want` rounds, judge what came back, and while the verdict is not final ask for more, to
 * the trials the inconclusive judgements say would likely decide them (verdict.h's
 * `need`), at least one round more and at most twice as many, never past max_rounds.
 * `want` grows from what was asked or what came back, whichever is more, so a commit whose
 * trials keep failing cannot hold the loop, and a resumed run's recorded rounds (more than
 * asked) are simply judged.
 *
 * Every GOOD and BAD value the callback returns is pooled; before each step the ratio of
 * their medians sets the step's margins, so they sharpen as the search goes on, and at the
 * end judge(pooled GOOD, pooled BAD) is the size of the change the answer reports. "Same
 * as GOOD" and "same as BAD" each take half the change, so both cannot hold while GOOD and
 * BAD differ as confirmed; a commit exactly half-way sits on both margins, which is why
 * the answer's ends are checked against each other side by side before it is given. The
 * next commit is the untested one nearest the middle of the open range (the lower on a
 * tie); commits set aside (skipped, undecided) are passed over like `git bisect skip`. */
#include "bisect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct search {
	const struct bisect_params *bp;
	const struct bisect_ops *ops;
	struct bisect_result *r;
	double *pg, *pb;        /* every GOOD and BAD value so far */
	size_t npg, npb;
	int dir;                /* +1: BAD's values are above GOOD's, -1: below */
};

const char *bisect_verdict_word(enum bisect_verdict v)
{
	switch (v) {
	case BISECT_LIKE_GOOD: return "like GOOD";
	case BISECT_LIKE_BAD: return "like BAD";
	case BISECT_UNDECIDED: return "undecided";
	case BISECT_SKIPPED: return "skipped";
	default: return "untested";
	}
}

const char *bisect_outcome_word(enum bisect_outcome o)
{
	switch (o) {
	case BISECT_FOUND: return "found";
	case BISECT_RANGE: return "range";
	default: return "no-change";
	}
}

static void samples_free(struct bisect_samples *m)
{
	free(m->good);
	free(m->bad);
	free(m->step);
	free(m->why);
	memset(m, 0, sizeof(*m));
}

static bool differs(enum verdict v)
{
	return v == VERDICT_BETTER || v == VERDICT_WORSE;
}

static int sign(double ratio)
{
	return ratio > 1 ? 1 : ratio < 1 ? -1 : 0;
}

static int measure(struct search *S, enum bisect_ask a, size_t k, size_t base, size_t want, struct bisect_samples *m)
{
	struct bisect_req q = { a, k, base, want };

	samples_free(m);
	return S->ops->measure(S->ops->ctx, &q, m);
}

static void append(double **to, size_t *n, const double *v, size_t k)
{
	if (!k)
		return;
	*to = xreallocarray(*to, *n + k + 1, sizeof(**to));
	memcpy(*to + *n, v, k * sizeof(*v));
	*n += k;
}

/* the rounds to ask for next, from the judgements still inconclusive */
static size_t nextwant(const struct bisect_params *bp, size_t want, size_t got, const struct judgement *a,
                       const struct judgement *b)
{
	size_t base = got > want ? got : want, need = base + 1;
	const struct judgement *j[2] = { a, b };

	for (int i = 0; i < 2; i++) {
		if (!j[i] || j[i]->verdict != VERDICT_INCONCLUSIVE)
			continue;
		if (j[i]->need < 0)
			need = bp->max_rounds;
		else if ((size_t)j[i]->need > need)
			need = (size_t)j[i]->need;
	}
	if (need > 2 * base)
		need = 2 * base;
	if (need > bp->max_rounds)
		need = bp->max_rounds;
	return need > base ? need : base + 1;
}

/* the margins from the size of the change over every GOOD and BAD value so far (a ratio
 * of medians); with `whole`, also its judgement, interval included, for the answer */
static void margins(struct search *S, bool whole)
{
	struct bisect_result *r = S->r;
	struct summary g, b;
	double q;

	stats_summary(S->pg, S->npg, &g);
	stats_summary(S->pb, S->npb, &b);
	q = b.median / g.median;
	r->tie_good = fabs(q - 1) / 2;
	r->tie_bad = fabs(1 / q - 1) / 2;
	if (whole)
		judge(S->pg, S->npg, S->pb, S->npb, S->bp->threshold, S->bp->lower_is_better, &r->change);
}

/* the verdict of step st from its judgements; true when final (no more rounds would help) */
static bool verdict_of(const struct search *S, struct bisect_step *st)
{
	enum verdict g = st->vs_good.verdict, b = st->vs_bad.verdict;

	free(st->why);
	st->why = NULL;
	if (g == VERDICT_SAME && differs(b) && sign(st->vs_bad.c.ratio) == -S->dir) {
		st->verdict = BISECT_LIKE_GOOD;
		return true;
	}
	if (b == VERDICT_SAME && differs(g) && sign(st->vs_good.c.ratio) == S->dir) {
		st->verdict = BISECT_LIKE_BAD;
		return true;
	}
	st->verdict = BISECT_UNDECIDED;
	if (differs(g) && differs(b))
		st->why = xasprintf("differs from both GOOD (ratio %.3f) and BAD (ratio %.3f): more than one change, or "
		                    "a change of another size", st->vs_good.c.ratio, st->vs_bad.c.ratio);
	else if (g == VERDICT_SAME && b == VERDICT_SAME)
		st->why = xstrdup("the same as both GOOD and BAD within half the change: they did not differ in its rounds");
	else if (verdict_decided(g) && verdict_decided(b))
		st->why = xasprintf("against GOOD %s, against BAD %s: on neither side of the change", verdict_word(g, true),
		                    verdict_word(b, true));
	else
		st->why = xasprintf("the trials could not tell (against GOOD %s, against BAD %s)", verdict_word(g, true),
		                    verdict_word(b, true));
	return verdict_decided(g) && verdict_decided(b);
}

static int decided(struct search *S, const struct bisect_step *st)
{
	return S->ops->decided ? S->ops->decided(S->ops->ctx, st) : 0;
}

static void nochange(struct search *S)
{
	const struct bisect_step *st = &S->r->confirm;
	const struct comparison *c = &st->vs_good.c;

	S->r->outcome = BISECT_NOCHANGE;
	if (st->vs_good.verdict == VERDICT_NODATA)
		S->r->why = xstrdup("GOOD or BAD has no value to judge (every trial failed, or was left out: interfered with, "
		                    "or in a slow round)");
	else if (st->vs_good.verdict == VERDICT_SAME)
		S->r->why = xasprintf("GOOD and BAD are the same within %.3g%% here (BAD/GOOD %.3f, 95%% interval "
		                      "%.3f-%.3f): no change of at least the threshold to bisect",
		                      100 * S->bp->threshold, c->ratio, c->ratio_lo, c->ratio_hi);
	else
		S->r->why = xasprintf("GOOD and BAD could not be shown to differ by at least %.3g%% here in %zu rounds "
		                      "(BAD/GOOD %.3f, 95%% interval %.3f-%.3f, %s)", 100 * S->bp->threshold, st->rounds,
		                      c->ratio, c->ratio_lo, c->ratio_hi, verdict_word(st->vs_good.verdict,
		                      S->bp->lower_is_better));
}

/* the confirmation: BAD against GOOD at the threshold */
static int confirm(struct search *S)
{
	struct bisect_step *st = &S->r->confirm;
	struct bisect_samples m = {0};
	size_t want = S->bp->min_rounds;
	int rc = -1;

	st->kind = BISECT_CONFIRM;
	st->commit = S->bp->n - 1;
	for (;;) {
		if (measure(S, BISECT_CONFIRM, S->bp->n - 1, 0, want, &m) < 0) {
			errwrap("GOOD against BAD");
			goto cleanup;
		}
		if (m.failed) {
			errorf("GOOD against BAD: %s", m.why ? m.why : "could not be measured");
			goto cleanup;
		}
		judge(m.good, m.ngood, m.bad, m.nbad, S->bp->threshold, S->bp->lower_is_better, &st->vs_good);
		st->rounds = m.nbad;
		if (verdict_decided(st->vs_good.verdict) || want >= S->bp->max_rounds)
			break;
		want = nextwant(S->bp, want, m.nbad < m.ngood ? m.nbad : m.ngood, &st->vs_good, NULL);
	}
	stats_summary(m.good, m.ngood, &st->good);
	stats_summary(m.bad, m.nbad, &st->bad);
	st->s = st->bad;
	append(&S->pg, &S->npg, m.good, m.ngood);
	append(&S->pb, &S->npb, m.bad, m.nbad);
	S->dir = sign(st->vs_good.c.ratio);
	st->verdict = differs(st->vs_good.verdict) ? BISECT_LIKE_BAD : BISECT_UNDECIDED;
	if (st->verdict == BISECT_UNDECIDED)
		nochange(S);
	else
		margins(S, true);
	rc = decided(S, st);
cleanup:
	samples_free(&m);
	return rc;
}

/* one step: commit k against GOOD and BAD until its verdict is final or max_rounds */
static int step(struct search *S, size_t k)
{
	struct bisect_result *r = S->r;
	struct bisect_step *st;
	struct bisect_samples m = {0};
	size_t want = S->bp->min_rounds, again = 2 * want < S->bp->max_rounds ? 2 * want : S->bp->max_rounds;
	bool final;
	int rc = -1;

	r->steps = xreallocarray(r->steps, r->nsteps + 1, sizeof(*r->steps));
	st = &r->steps[r->nsteps++];
	memset(st, 0, sizeof(*st));
	st->kind = BISECT_STEP;
	st->commit = k;
	for (;;) {
		if (measure(S, BISECT_STEP, k, 0, want, &m) < 0)
			goto cleanup;
		if (m.failed || m.nstep == 0) {
			free(st->why);
			st->verdict = BISECT_SKIPPED;
			st->why = m.why ? m.why : xstrdup("no value of it to judge (its trials failed, or were left out)");
			m.why = NULL;
			break;
		}
		judge(m.good, m.ngood, m.step, m.nstep, r->tie_good, S->bp->lower_is_better, &st->vs_good);
		judge(m.bad, m.nbad, m.step, m.nstep, r->tie_bad, S->bp->lower_is_better, &st->vs_bad);
		st->rounds = m.nstep;
		stats_summary(m.step, m.nstep, &st->s);
		stats_summary(m.good, m.ngood, &st->good);
		stats_summary(m.bad, m.nbad, &st->bad);
		final = verdict_of(S, st);
		/* undecided with both judgements decided is final only from twice the first rounds:
		 * one chance "different" in a few rounds must not set a commit aside */
		if (final && st->verdict == BISECT_UNDECIDED && st->rounds < again && want < again) {
			want = again;
			continue;
		}
		if (final || want >= S->bp->max_rounds)
			break;
		want = nextwant(S->bp, want, m.nstep, &st->vs_good, &st->vs_bad);
	}
	append(&S->pg, &S->npg, m.good, m.ngood);
	append(&S->pb, &S->npb, m.bad, m.nbad);
	rc = decided(S, st);
cleanup:
	samples_free(&m);
	return rc;
}

/* the check of the answer: hi against lo, side by side */
static int check(struct search *S)
{
	struct bisect_result *r = S->r;
	struct bisect_step *st = &r->check;
	struct bisect_samples m = {0};
	const struct comparison *own = &st->vs_good.c;
	size_t want = S->bp->min_rounds;
	int rc = -1;

	st->kind = BISECT_CHECK;
	st->commit = r->hi;
	st->base = r->lo;
	for (;;) {
		if (measure(S, BISECT_CHECK, r->hi, r->lo, want, &m) < 0)
			goto cleanup;
		if (m.failed || m.nstep == 0 || m.ngood == 0) {
			errorf("the check of commit %zu against commit %zu: %s", r->hi, r->lo, m.why ? m.why : "no trial finished");
			goto cleanup;
		}
		judge(m.good, m.ngood, m.step, m.nstep, r->tie_good, S->bp->lower_is_better, &st->vs_good);
		st->rounds = m.nstep;
		if (verdict_decided(st->vs_good.verdict) || want >= S->bp->max_rounds)
			break;
		want = nextwant(S->bp, want, m.nstep, &st->vs_good, NULL);
	}
	stats_summary(m.step, m.nstep, &st->s);
	stats_summary(m.good, m.ngood, &st->good);
	if (differs(st->vs_good.verdict) && sign(own->ratio) == S->dir) {
		st->verdict = BISECT_LIKE_BAD;
		r->outcome = r->hi == r->lo + 1 ? BISECT_FOUND : BISECT_RANGE;
	} else {
		st->verdict = BISECT_UNDECIDED;
		r->outcome = BISECT_RANGE;
		st->why = xasprintf("against commit %zu %s (ratio %.3f, 95%% interval %.3f-%.3f)", r->lo,
		                    verdict_word(st->vs_good.verdict, S->bp->lower_is_better), own->ratio, own->ratio_lo,
		                    own->ratio_hi);
		r->why = xasprintf("the steps point at (%zu, %zu], but commit %zu %s: the verdicts contradict each other "
		                   "(a commit half-way between two changes looks like either end), so the change is "
		                   "somewhere in the whole range", r->lo, r->hi, r->hi, st->why);
		r->lo = 0;
		r->hi = S->bp->n - 1;
	}
	rc = decided(S, st);
cleanup:
	samples_free(&m);
	return rc;
}

/* a step found between GOOD and BAD, different from both (toward each other): part of a
 * change. With one, naming one commit would hide the rest of the change. */
static void between(struct search *S)
{
	struct bisect_result *r = S->r;

	for (size_t i = 0; i < r->nsteps && !r->other_changes; i++) {
		const struct bisect_step *st = &r->steps[i];
		if (st->verdict == BISECT_UNDECIDED && differs(st->vs_good.verdict) && differs(st->vs_bad.verdict) &&
		    sign(st->vs_good.c.ratio) == S->dir && sign(st->vs_bad.c.ratio) == -S->dir) {
			r->other_changes = true;
			free(r->why);
			r->why = xasprintf("commit %zu lies between GOOD and BAD (ratio to GOOD %.3f, to BAD %.3f): the range "
			                   "holds more than one change", st->commit, st->vs_good.c.ratio, st->vs_bad.c.ratio);
		}
	}
}

/* the untested commit nearest the middle of (lo, hi), or 0 when none is left */
static size_t pick(const enum bisect_verdict *v, size_t lo, size_t hi)
{
	double mid = ((double)lo + (double)hi) / 2, best = INFINITY;
	size_t k = 0;

	for (size_t i = lo + 1; i < hi; i++)
		if (v[i] == BISECT_UNTESTED && fabs((double)i - mid) < best) {
			best = fabs((double)i - mid);
			k = i;
		}
	return k;
}

int bisect_run(const struct bisect_params *bp, const struct bisect_ops *ops, struct bisect_result *r)
{
	struct search S = { bp, ops, r, NULL, NULL, 0, 0, 0 };
	enum bisect_verdict *v = NULL;
	size_t k;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->hi = bp->n ? bp->n - 1 : 0;
	if (bp->n < 2 || bp->min_rounds < 1 || bp->max_rounds < bp->min_rounds || !(bp->threshold > 0))
		return errorf("bisect: a range of %zu commits, rounds %zu to %zu, threshold %g: nothing to search", bp->n,
		              bp->min_rounds, bp->max_rounds, bp->threshold);
	if (confirm(&S) < 0)
		goto cleanup;
	if (r->outcome == BISECT_NOCHANGE) {
		rc = 0;
		goto cleanup;
	}
	v = xcalloc(bp->n, sizeof(*v));
	while ((k = pick(v, r->lo, r->hi)) != 0) {
		margins(&S, false);
		if (step(&S, k) < 0)
			goto cleanup;
		v[k] = r->steps[r->nsteps - 1].verdict;
		if (v[k] == BISECT_LIKE_GOOD)
			r->lo = k;
		else if (v[k] == BISECT_LIKE_BAD)
			r->hi = k;
	}
	margins(&S, true);
	r->outcome = BISECT_RANGE;
	if (check(&S) < 0)
		goto cleanup;
	if (!r->other_changes && r->outcome == BISECT_FOUND)
		between(&S);
	rc = 0;
cleanup:
	free(v);
	free(S.pg);
	free(S.pb);
	return rc;
}

void bisect_result_free(struct bisect_result *r)
{
	for (size_t i = 0; i < r->nsteps; i++)
		free(r->steps[i].why);
	free(r->steps);
	free(r->confirm.why);
	free(r->check.why);
	free(r->why);
	memset(r, 0, sizeof(*r));
}
