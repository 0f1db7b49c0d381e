/* test_stats.c: stats.c against values computed independently.
 *
 * Expected medians, means and standard deviations come from Python's statistics module;
 * the t quantile t(0.975, 4) = 2.7764451051977987 from tables; the Welch p-values from a
 * numerical integration of Student's t density in Python (t = 2, df = 8 gives 0.0805162;
 * a = 1..5, b = 2,4,..,10 gives t = 1.89737, df = 5.88235, p = 0.1075312). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stats.h"

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

static void summary_known(void **state)
{
	double x[] = { 5, 1, 4, 2, 3 };
	double y[] = { 0.31, 0.29, 0.35, 0.30 };
	struct summary s;
	double hw = 2.7764451051977987 * 1.5811388300841898 / sqrt(5);

	(void)state;
	stats_summary(x, 5, &s);
	assert_int_equal(s.n, 5);
	NEAR(s.median, 3, 1e-12);
	NEAR(s.mean, 3, 1e-12);
	NEAR(s.sd, 1.5811388300841898, 1e-12);
	NEAR(s.cv, 0.5270462766947299, 1e-12);
	NEAR(s.min, 1, 0);
	NEAR(s.max, 5, 0);
	NEAR(s.ci_lo, 3 - hw, 1e-9);
	NEAR(s.ci_hi, 3 + hw, 1e-9);
	NEAR(s.halfwidth, hw / 3, 1e-9);
	/* the input is not reordered */
	assert_true(x[0] == 5 && x[4] == 3);

	stats_summary(y, 4, &s);
	NEAR(s.median, 0.305, 1e-12);
	NEAR(s.mean, 0.3125, 1e-12);
	NEAR(s.sd, 0.02629955639676583, 1e-12);
	NEAR(s.cv, 0.08415858046965066, 1e-12);
}

static void summary_small(void **state)
{
	double one = 0.25;
	struct summary s;

	(void)state;
	stats_summary(&one, 1, &s);
	assert_int_equal(s.n, 1);
	NEAR(s.median, 0.25, 0);
	NEAR(s.mean, 0.25, 0);
	NEAR(s.min, 0.25, 0);
	assert_true(isnan(s.sd) && isnan(s.cv) && isnan(s.ci_lo) && isnan(s.ci_hi) && isnan(s.halfwidth));

	stats_summary(NULL, 0, &s);
	assert_int_equal(s.n, 0);
	assert_true(isnan(s.median) && isnan(s.mean) && isnan(s.min) && isnan(s.max));
}

static void welch_known(void **state)
{
	double a[] = { 1, 2, 3, 4, 5 };
	double b[] = { 3, 4, 5, 6, 7 };
	double c[] = { 2, 4, 6, 8, 10 };

	(void)state;
	NEAR(stats_welch_p(a, 5, b, 5), 0.08051623795728913, 1e-7);
	NEAR(stats_welch_p(b, 5, a, 5), 0.08051623795728913, 1e-7);
	NEAR(stats_welch_p(a, 5, c, 5), 0.10753119493063157, 1e-6);
	assert_true(isnan(stats_welch_p(a, 1, c, 5)));
}

static void compare_identical(void **state)
{
	double a[] = { 1.00, 1.02, 0.98, 1.01, 0.99, 1.00 };
	struct comparison c;

	(void)state;
	stats_compare(a, 6, a, 6, &c);
	NEAR(c.ratio, 1, 1e-12);
	NEAR(c.p, 1, 1e-12);
	assert_false(c.significant);
	assert_true(c.ratio_lo <= 1 && c.ratio_hi >= 1);
}

static void compare_different(void **state)
{
	double a[] = { 1.00, 1.02, 0.98, 1.01, 0.99, 1.00 };
	double b[] = { 2.01, 1.98, 2.00, 2.03, 1.99, 2.00 };
	struct comparison c, again;

	(void)state;
	stats_compare(a, 6, b, 6, &c);
	NEAR(c.ratio, 2, 1e-12);
	assert_true(c.p < 1e-6);
	assert_true(c.significant);
	assert_true(c.ratio_lo > 1.9 && c.ratio_hi < 2.1 && c.ratio_lo <= c.ratio && c.ratio <= c.ratio_hi);
	/* fixed seed: the same data gives the same interval */
	stats_compare(a, 6, b, 6, &again);
	assert_true(again.ratio_lo == c.ratio_lo && again.ratio_hi == c.ratio_hi);
	/* the other way round */
	stats_compare(b, 6, a, 6, &c);
	NEAR(c.ratio, 0.5, 1e-12);
	assert_true(c.significant && c.ratio_hi < 1);
}

static void compare_small(void **state)
{
	double a = 1.0, b = 2.0;
	double v[] = { 1, 2, 3 };
	struct comparison c;

	(void)state;
	stats_compare(&a, 1, &b, 1, &c);
	NEAR(c.ratio, 2, 1e-12);
	assert_true(isnan(c.p));
	assert_false(c.significant);
	NEAR(c.ratio_lo, 2, 1e-12);
	NEAR(c.ratio_hi, 2, 1e-12);

	stats_compare(v, 3, NULL, 0, &c);
	assert_true(isnan(c.ratio) && isnan(c.p) && isnan(c.ratio_lo));
	assert_false(c.significant);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(summary_known),
		cmocka_unit_test(summary_small),
		cmocka_unit_test(welch_known),
		cmocka_unit_test(compare_identical),
		cmocka_unit_test(compare_different),
		cmocka_unit_test(compare_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
