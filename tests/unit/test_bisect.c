/* test_bisect.c: the search of bisect.c against simulated commits (bisectsim.h).
 *
 * A planted 10% step at every position of a 16-commit range (GOOD and 16 commits after
 * it, the last one BAD) is found each time in at most ceil(log2 16) + 2 = 6 builds and
 * checked against its parent; 200 seeded searches with trials at 5% CV around a 10% step
 * never name a wrong commit (and most name the right one); an improvement is found like a
 * slowdown; two half steps are never a wrong commit: a range holding one of them, or one
 * of the two named, nearly always with "more than one change" (a step seen between GOOD
 * and BAD); a 3% + 7% pair names the 7% commit or a range holding it; a commit that fails to build is skipped (a range
 * when it must be); a commit too noisy to judge is undecided and the answer a range; GOOD
 * and BAD alike (or too close) stop the search before any step; a replay over recorded
 * trials takes the same path; an error of the callback stops the search.
 * Under valgrind the two statistical tests run a tenth of their searches (every code
 * path is still taken; valgrind checks memory, the plain and ASan runs the counts). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <valgrind/valgrind.h>

#include "bisectsim.h"

#define RANGE 17 /* GOOD and 16 commits after it */

/* n, or a tenth of it under valgrind */
static unsigned long searches(unsigned long n)
{
	return RUNNING_ON_VALGRIND ? (n + 9) / 10 : n;
}

static size_t count(const struct bisect_result *r, enum bisect_verdict v)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nsteps; i++)
		n += r->steps[i].verdict == v;
	return n;
}

static void test_every_position(void **state)
{
	(void)state;
	for (size_t at = 1; at < RANGE; at++) {
		struct sim s;
		struct bisect_result r;

		sim_init(&s, RANGE, at, 1.10, 0.01, 1000 + at);
		assert_int_equal(sim_search(&s, 0.05, 5, 30, &r), 0);
		if (r.outcome != BISECT_FOUND || r.hi != at)
			fail_msg("step at %zu: %s (%zu, %zu]", at, bisect_outcome_word(r.outcome), r.lo, r.hi);
		assert_int_equal(r.lo, at - 1);
		/* ceil(log2 16) steps and the two ends */
		if (s.builds > 4 + 2)
			fail_msg("step at %zu: %zu builds", at, s.builds);
		assert_int_equal(r.nsteps, 4);
		assert_true(fabs(r.change.c.ratio - 1.10) < 0.02);
		assert_true(fabs(r.tie_good - 0.05) < 0.01);
		assert_true(r.confirm.vs_good.verdict == VERDICT_WORSE);
		/* checked against its parent side by side: the whole change */
		assert_int_equal(r.check.kind, BISECT_CHECK);
		assert_int_equal(r.check.commit, at);
		assert_int_equal(r.check.vs_good.verdict, VERDICT_WORSE);
		assert_false(r.other_changes);
		assert_null(r.why);
		for (size_t i = 0; i < r.nsteps; i++) {
			const struct bisect_step *st = &r.steps[i];
			assert_int_equal(st->verdict, st->commit < at ? BISECT_LIKE_GOOD : BISECT_LIKE_BAD);
			assert_null(st->why);
			assert_true(st->rounds >= 5);
		}
		bisect_result_free(&r);
		sim_free(&s);
	}
}

static void test_noisy_never_wrong(void **state)
{
	size_t found = 0, range = 0, wrong = 0, nochange = 0, spurious = 0, n = searches(200);

	(void)state;
	for (unsigned long seed = 1; seed <= n; seed++) {
		struct sim s;
		struct bisect_result r;
		size_t at = 1 + seed % (RANGE - 1);

		sim_init(&s, RANGE, at, 1.10, 0.05, seed);
		assert_int_equal(sim_search(&s, 0.05, 5, 30, &r), 0);
		if (r.outcome == BISECT_FOUND && r.hi == at)
			found++, spurious += r.other_changes;
		else if (r.outcome == BISECT_RANGE && r.lo < at && at <= r.hi)
			range++;
		else if (r.outcome == BISECT_NOCHANGE)
			nochange++;
		else
			wrong++, print_message("seed %lu: step at %zu, answer %s (%zu, %zu]\n", seed, at,
			                       bisect_outcome_word(r.outcome), r.lo, r.hi);
		bisect_result_free(&r);
		sim_free(&s);
	}
	print_message("# %zu searches at 5%% CV: %zu found (%zu saying \"more than one change\"), %zu range, %zu no "
	              "change, %zu wrong\n", n, found, spurious, range, nochange, wrong);
	assert_int_equal(wrong, 0);
	/* a search that always said "undecided" would never be wrong either */
	assert_true(found >= n * 3 / 4);
	assert_true(spurious <= 1 + n / 100);
}

static void test_improvement(void **state)
{
	struct sim s;
	struct bisect_result r;

	(void)state;
	sim_init(&s, RANGE, 11, 0.85, 0.02, 7);
	assert_int_equal(sim_search(&s, 0.05, 5, 30, &r), 0);
	assert_int_equal(r.outcome, BISECT_FOUND);
	assert_int_equal(r.hi, 11);
	assert_true(r.change.c.ratio < 0.9);
	assert_int_equal(r.check.vs_good.verdict, VERDICT_BETTER);
	assert_int_equal(r.confirm.vs_good.verdict, VERDICT_BETTER);
	bisect_result_free(&r);
	sim_free(&s);
}

static void test_two_half_steps(void **state)
{
	size_t alone = 0, n = searches(20);

	(void)state;
	for (unsigned long seed = 1; seed <= n; seed++) {
		struct sim s;
		struct bisect_result r;

		sim_init(&s, RANGE, 4, 1.05, 0.02, seed);
		for (size_t i = 12; i < RANGE; i++)
			s.level[i] = 1.05 * 1.05;
		assert_int_equal(sim_search(&s, 0.05, 5, 30, &r), 0);
		/* never a wrong commit: one of the two steps (nearly always with "more than one
		 * change"), or a range holding a step (with the commits set aside in it) */
		if (r.outcome == BISECT_FOUND) {
			if (r.hi != 4 && r.hi != 12)
				fail_msg("seed %lu: found %zu", seed, r.hi);
			if (r.other_changes)
				assert_non_null(strstr(r.why, "more than one change"));
			else
				alone++;
		} else if (r.outcome != BISECT_RANGE || !((r.lo < 4 && 4 <= r.hi) || (r.lo < 12 && 12 <= r.hi))) {
			fail_msg("seed %lu: %s (%zu, %zu]", seed, bisect_outcome_word(r.outcome), r.lo, r.hi);
		}
		bisect_result_free(&r);
		sim_free(&s);
	}
	assert_true(alone <= 1 + n / 10);
}

static void test_small_and_large_step(void **state)
{
	(void)state;
	for (unsigned long seed = 1; seed <= 5; seed++) {
		struct sim s;
		struct bisect_result r;

		/* 3% at commit 5, then 7% more at commit 9: the 7% commit, or a range holding it */
		sim_init(&s, RANGE, 5, 1.03, 0.01, seed);
		for (size_t i = 9; i < RANGE; i++)
			s.level[i] = 1.03 * 1.07;
		assert_int_equal(sim_search(&s, 0.05, 5, 30, &r), 0);
		if (r.outcome == BISECT_FOUND) {
			assert_int_equal(r.hi, 9);
			/* its own change is shown beside the whole one */
			assert_true(fabs(r.check.vs_good.c.ratio - 1.07) < 0.03);
			assert_true(fabs(r.change.c.ratio - 1.03 * 1.07) < 0.03);
		} else if (r.outcome != BISECT_RANGE || r.lo >= 9 || r.hi < 9) {
			fail_msg("seed %lu: %s (%zu, %zu]", seed, bisect_outcome_word(r.outcome), r.lo, r.hi);
		}
		bisect_result_free(&r);
		sim_free(&s);
	}
}

static void test_build_failure(void **state)
{
	struct sim s;
	struct bisect_result r;

	(void)state;
	/* the middle commit does not build: skipped, the step at 12 still found */
	sim_init(&s, RANGE, 12, 1.10, 0.01, 3);
	s.broken[8] = true;
	assert_int_equal(sim_search(&s, 0.05, 5, 30, &r), 0);
	assert_int_equal(r.outcome, BISECT_FOUND);
	assert_int_equal(r.hi, 12);
	assert_int_equal(r.steps[0].commit, 8);
	assert_int_equal(r.steps[0].verdict, BISECT_SKIPPED);
	assert_string_equal(r.steps[0].why, "build of commit 8 failed");
	assert_int_equal(count(&r, BISECT_SKIPPED), 1);
	bisect_result_free(&r);
	sim_free(&s);
	/* the first slow commit does not build: the answer is the range (7, 9] */
	sim_init(&s, RANGE, 8, 1.10, 0.01, 4);
	s.broken[8] = true;
	assert_int_equal(sim_search(&s, 0.05, 5, 30, &r), 0);
	assert_int_equal(r.outcome, BISECT_RANGE);
	assert_int_equal(r.lo, 7);
	assert_int_equal(r.hi, 9);
	/* the ends of the range were checked side by side */
	assert_int_equal(r.check.base, 7);
	assert_int_equal(r.check.commit, 9);
	assert_int_equal(r.check.verdict, BISECT_LIKE_BAD);
	bisect_result_free(&r);
	sim_free(&s);
}

static void test_undecided_is_a_range(void **state)
{
	struct sim s;
	struct bisect_result r;

	(void)state;
	/* the first slow commit's trials are far too noisy to judge in 12 rounds */
	sim_init(&s, RANGE, 6, 1.10, 0.01, 5);
	s.cv[6] = 0.6;
	assert_int_equal(sim_search(&s, 0.05, 4, 12, &r), 0);
	assert_int_equal(r.outcome, BISECT_RANGE);
	assert_int_equal(r.lo, 5);
	assert_int_equal(r.hi, 7);
	for (size_t i = 0; i < r.nsteps; i++)
		if (r.steps[i].commit == 6) {
			assert_int_equal(r.steps[i].verdict, BISECT_UNDECIDED);
			assert_int_equal(r.steps[i].rounds, 12); /* it got every round it could */
			assert_non_null(strstr(r.steps[i].why, "could not tell"));
		}
	bisect_result_free(&r);
	sim_free(&s);
}

static void test_no_change(void **state)
{
	struct sim s;
	struct bisect_result r;

	(void)state;
	/* GOOD and BAD alike: the same, no step measured */
	sim_init(&s, RANGE, 8, 1.0, 0.01, 6);
	assert_int_equal(sim_search(&s, 0.05, 5, 30, &r), 0);
	assert_int_equal(r.outcome, BISECT_NOCHANGE);
	assert_int_equal(r.nsteps, 0);
	assert_int_equal(s.builds, 2);
	assert_non_null(strstr(r.why, "the same within 5%"));
	bisect_result_free(&r);
	sim_free(&s);
	/* a 2% change is under a 5% threshold */
	sim_init(&s, RANGE, 8, 1.02, 0.01, 6);
	assert_int_equal(sim_search(&s, 0.05, 5, 30, &r), 0);
	assert_int_equal(r.outcome, BISECT_NOCHANGE);
	assert_int_equal(r.nsteps, 0);
	bisect_result_free(&r);
	sim_free(&s);
	/* too noisy to show 10%: more rounds, then "could not be shown" */
	sim_init(&s, RANGE, 8, 1.10, 0.5, 6);
	assert_int_equal(sim_search(&s, 0.05, 3, 6, &r), 0);
	assert_int_equal(r.outcome, BISECT_NOCHANGE);
	assert_int_equal(r.confirm.rounds, 6);
	assert_non_null(strstr(r.why, "could not be shown to differ"));
	bisect_result_free(&r);
	sim_free(&s);
}

static void test_replay_same_path(void **state)
{
	struct sim s;
	struct bisect_result a, b;
	size_t builds;

	(void)state;
	sim_init(&s, RANGE, 10, 1.10, 0.04, 11);
	s.broken[4] = true;
	assert_int_equal(sim_search(&s, 0.05, 3, 20, &a), 0);
	builds = s.builds;
	/* the same search over what was recorded: nothing new measured, the same steps */
	s.replay = true;
	assert_int_equal(sim_search(&s, 0.05, 3, 20, &b), 0);
	assert_int_equal(s.builds, builds);
	assert_int_equal(a.outcome, b.outcome);
	assert_int_equal(a.hi, b.hi);
	assert_int_equal(a.check.verdict, b.check.verdict);
	assert_int_equal(a.check.rounds, b.check.rounds);
	assert_int_equal(a.nsteps, b.nsteps);
	for (size_t i = 0; i < a.nsteps; i++) {
		assert_int_equal(a.steps[i].commit, b.steps[i].commit);
		assert_int_equal(a.steps[i].verdict, b.steps[i].verdict);
		assert_int_equal(a.steps[i].rounds, b.steps[i].rounds);
	}
	bisect_result_free(&a);
	bisect_result_free(&b);
	sim_free(&s);
}

static void test_callback_error(void **state)
{
	struct sim s;
	struct bisect_result r;

	(void)state;
	sim_init(&s, RANGE, 10, 1.10, 0.01, 12);
	s.fail_at_call = 3;
	assert_int_equal(sim_search(&s, 0.05, 5, 30, &r), -1);
	assert_non_null(strstr(errmsg(), "simulated error at call 3"));
	assert_int_equal(r.nsteps, 2); /* the step in progress is there, undecided */
	bisect_result_free(&r);
	sim_free(&s);
	sim_init(&s, 1, 0, 1, 0.01, 12);
	assert_int_equal(sim_search(&s, 0.05, 5, 30, &r), -1);
	assert_non_null(strstr(errmsg(), "nothing to search"));
	bisect_result_free(&r);
	sim_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_position),
		cmocka_unit_test(test_noisy_never_wrong),
		cmocka_unit_test(test_improvement),
		cmocka_unit_test(test_two_half_steps),
		cmocka_unit_test(test_small_and_large_step),
		cmocka_unit_test(test_build_failure),
		cmocka_unit_test(test_undecided_is_a_range),
		cmocka_unit_test(test_no_change),
		cmocka_unit_test(test_replay_same_path),
		cmocka_unit_test(test_callback_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
