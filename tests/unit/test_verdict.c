/* test_verdict.c: the three-way verdict (verdict.c) on synthetic samples.
 *
 * Samples are drawn with GSL's generator from a fixed seed: normal noise at a given
 * coefficient of variation around a mean. Identical distributions with enough trials must
 * be "same"; a 10% shift "different" (slower or faster by the metric's direction); three
 * noisy trials with a 1.4 ratio "inconclusive", never "same"; and an A/A history of 40
 * seeds at 3% noise and 10 trials "same" for at least 90% of cells and "different" for at
 * most 5%. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include "verdict.h"

static gsl_rng *rng;

static int setup(void **state)
{
	(void)state;
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	return rng ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	gsl_rng_free(rng);
	return 0;
}

static void draw(double *x, size_t n, double mean, double cv)
{
	for (size_t i = 0; i < n; i++)
		x[i] = mean * (1 + gsl_ran_gaussian(rng, cv));
}

static void test_same(void **state)
{
	double a[20], b[20];
	struct judgement j;

	(void)state;
	gsl_rng_set(rng, 1);
	draw(a, 20, 1.0, 0.01);
	draw(b, 20, 1.0, 0.01);
	judge(a, 20, b, 20, 0.05, true, &j);
	assert_int_equal(j.verdict, VERDICT_SAME);
	assert_true(j.tost_p < 0.05);
	assert_true(j.rel_lo > -0.05 && j.rel_hi < 0.05);
	assert_true(j.eq_lo == 0.95 && j.eq_hi == 1.05);
	assert_int_equal(j.need, 0);
	assert_string_equal(verdict_word(j.verdict, true), "same");
}

static void test_different(void **state)
{
	double a[10], b[10];
	struct judgement j;

	(void)state;
	gsl_rng_set(rng, 2);
	draw(a, 10, 1.0, 0.02);
	draw(b, 10, 1.1, 0.02);
	judge(a, 10, b, 10, 0.05, true, &j);
	assert_int_equal(j.verdict, VERDICT_WORSE); /* 10% more seconds: slower */
	assert_string_equal(verdict_word(j.verdict, true), "slower");
	judge(b, 10, a, 10, 0.05, true, &j);
	assert_int_equal(j.verdict, VERDICT_BETTER);
	assert_string_equal(verdict_word(j.verdict, true), "faster");
	judge(a, 10, b, 10, 0.05, false, &j); /* higher is better: B is higher, so better */
	assert_int_equal(j.verdict, VERDICT_BETTER);
	assert_string_equal(verdict_word(j.verdict, false), "higher");
}

static void test_inconclusive(void **state)
{
	/* three noisy trials each, medians 1.0 and 1.4: nothing shows them the same */
	double a[3] = { 0.7, 1.0, 1.3 }, b[3] = { 0.9, 1.4, 2.0 };
	struct judgement j;

	(void)state;
	judge(a, 3, b, 3, 0.05, true, &j);
	assert_true(fabs(j.c.ratio - 1.4) < 1e-12);
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	assert_true(j.need > 3); /* more trials would decide it */
	/* a significant 3% difference with a 5% tie: neither beyond the tie nor shown within it */
	gsl_rng_set(rng, 3);
	{
		double x[6], y[6];
		draw(x, 6, 1.0, 0.03);
		draw(y, 6, 1.03, 0.03);
		judge(x, 6, y, 6, 0.05, true, &j);
		assert_int_not_equal(j.verdict, VERDICT_WORSE);
		assert_int_not_equal(j.verdict, VERDICT_BETTER);
	}
}

static void test_nodata_and_odd(void **state)
{
	double a[3] = { 1, 1, 1 }, b[3] = { NAN, INFINITY, 1 };
	struct judgement j;

	(void)state;
	judge(a, 3, b, 0, 0.05, true, &j);
	assert_int_equal(j.verdict, VERDICT_NODATA);
	assert_string_equal(verdict_word(j.verdict, true), "no data");
	judge(a, 3, b, 3, 0.05, true, &j); /* one finite value: nothing to show equivalence with */
	assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
	judge(a, 3, a, 3, 0.05, true, &j); /* no spread and equal: the same */
	assert_int_equal(j.verdict, VERDICT_SAME);
	assert_false(verdict_decided(VERDICT_INCONCLUSIVE));
	assert_true(verdict_decided(VERDICT_SAME));
}

static void test_aa_history(void **state)
{
	size_t same = 0, diff = 0, cells = 0;

	(void)state;
	for (unsigned long seed = 1; seed <= 40; seed++) {
		gsl_rng_set(rng, 100 + seed);
		for (int cell = 0; cell < 7; cell++) { /* the seven cells of an A/A run */
			double a[10], b[10];
			struct judgement j;
			draw(a, 10, 0.1 * (cell + 1), 0.03);
			draw(b, 10, 0.1 * (cell + 1), 0.03);
			judge(a, 10, b, 10, 0.05, true, &j);
			same += j.verdict == VERDICT_SAME;
			diff += j.verdict == VERDICT_BETTER || j.verdict == VERDICT_WORSE;
			cells++;
		}
	}
	print_message("A/A, 3%% noise, 10 trials: %zu of %zu same, %zu different\n", same, cells, diff);
	assert_true(same * 10 >= cells * 9);
	assert_true(diff * 20 <= cells);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_different),
		cmocka_unit_test(test_inconclusive),
		cmocka_unit_test(test_nodata_and_odd),
		cmocka_unit_test(test_aa_history),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
