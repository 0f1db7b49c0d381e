/* test_stats.c: stats.c against values computed independently.
 *
 * Expected medians, means and standard deviations come from Python's statistics module;
 * the t quantile t(0.975, 4) = 2.7764451051977987 from tables; the Welch p-values from a
 * numerical integration of Student's t density in Python (t = 2, df = 8 gives 0.0805162;
 * a = 1..5, b = 2,4,..,10 gives t = 1.89737, df = 5.88235, p = 0.1075312).
 *
 * The hostile values of issue 9 (huge, tiny, infinite, NaN, all equal, one value) must give
 * numbers or NaN, never abort the process through GSL's error handler: scaled samples must
 * give the same answers as the plain ones (every statistic here scales with its data, or
 * not at all), and what is not a number must come back as NaN. */
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

/* relative closeness, for values far from 1 */
#define RNEAR(a, b, eps) assert_true(fabs((a) - (b)) <= (eps) * fabs(b))

static void scaled(double *out, const double *x, size_t n, double k)
{
	for (size_t i = 0; i < n; i++)
		out[i] = x[i] * k;
}

static void huge_and_tiny(void **state)
{
	double a[] = { 1, 2, 3, 4, 5 }, b[] = { 2, 4, 6, 8, 10 }, sa[5], sb[5];
	double scales[] = { 1e80, 1e-155, 1e300, 1e-300 };
	double p0 = stats_welch_p(a, 5, b, 5);
	struct summary s0, s;
	struct comparison c0, c;

	(void)state;
	stats_summary(a, 5, &s0);
	stats_compare(a, 5, b, 5, &c0);
	for (size_t i = 0; i < sizeof(scales) / sizeof(scales[0]); i++) {
		double k = scales[i];
		scaled(sa, a, 5, k);
		scaled(sb, b, 5, k);
		stats_summary(sa, 5, &s);
		RNEAR(s.median, 3 * k, 1e-12);
		RNEAR(s.mean, 3 * k, 1e-12);
		RNEAR(s.sd, s0.sd * k, 1e-12);
		RNEAR(s.cv, s0.cv, 1e-12);
		RNEAR(s.ci_hi, s0.ci_hi * k, 1e-9);
		RNEAR(s.halfwidth, s0.halfwidth, 1e-9);
		RNEAR(stats_welch_p(sa, 5, sb, 5), p0, 1e-9);
		stats_compare(sa, 5, sb, 5, &c);
		RNEAR(c.ratio, c0.ratio, 1e-12);
		RNEAR(c.ratio_lo, c0.ratio_lo, 1e-12);
		RNEAR(c.ratio_hi, c0.ratio_hi, 1e-12);
		assert_true(c.significant == c0.significant);
	}
	/* one sample huge, the other tiny: wildly different, and no abort */
	scaled(sa, a, 5, 1e80);
	scaled(sb, b, 5, 1e-155);
	assert_true(stats_welch_p(sa, 5, sb, 5) < 0.05); /* t = 3 / sqrt(2.5 / 5), df about 4 */
	stats_compare(sb, 5, sa, 5, &c);
	assert_true(isfinite(c.ratio) && c.ratio > 1e200);
	/* the same value 1e80 apart from a spread of 1: t is huge, p tiny or 0 */
	{
		double h1[] = { 1e80, 1e80 + 1e65, 1e80 - 1e65 }, h2[] = { 3e80, 3e80 + 1e65, 3e80 - 1e65 };
		double p = stats_welch_p(h1, 3, h2, 3);
		assert_true(p >= 0 && p < 1e-6);
	}
}

static void infinite_and_nan(void **state)
{
	double inf[] = { 1, INFINITY, 2 }, both[] = { -INFINITY, 1, INFINITY }, nan[] = { 1, NAN, 2 };
	double ok[] = { 1, 2, 3 };
	struct summary s;
	struct comparison c;

	(void)state;
	stats_summary(inf, 3, &s);
	assert_int_equal(s.n, 3);
	NEAR(s.median, 2, 0);
	NEAR(s.min, 1, 0);
	assert_true(isinf(s.max) && isinf(s.mean) && s.mean > 0);
	assert_true(isnan(s.sd) && isnan(s.cv) && isnan(s.ci_lo) && isnan(s.ci_hi) && isnan(s.halfwidth));
	stats_summary(both, 3, &s);
	assert_true(isnan(s.mean) && isnan(s.sd));
	NEAR(s.median, 1, 0);
	stats_summary(nan, 3, &s);
	assert_int_equal(s.n, 3);
	assert_true(isnan(s.median) && isnan(s.mean) && isnan(s.sd) && isnan(s.min) && isnan(s.max));

	assert_true(isnan(stats_welch_p(inf, 3, ok, 3)));
	assert_true(isnan(stats_welch_p(ok, 3, nan, 3)));
	stats_compare(ok, 3, inf, 3, &c);
	assert_true(isfinite(c.ratio) && isnan(c.p));
	assert_false(c.significant);
	stats_compare(nan, 3, ok, 3, &c);
	assert_true(isnan(c.ratio) && isnan(c.ratio_lo) && isnan(c.ratio_hi) && isnan(c.p));
	assert_false(c.significant);
}

static void all_equal_and_one(void **state)
{
	double e[] = { 0.5, 0.5, 0.5, 0.5 }, f[] = { 0.7, 0.7, 0.7 }, z[] = { 0, 0, 0 };
	double one = 1e80, tiny = 1e-155;
	struct summary s;
	struct comparison c;

	(void)state;
	stats_summary(e, 4, &s);
	NEAR(s.mean, 0.5, 0);
	NEAR(s.sd, 0, 0);
	NEAR(s.cv, 0, 0);
	NEAR(s.ci_lo, 0.5, 0);
	NEAR(s.ci_hi, 0.5, 0);
	NEAR(s.halfwidth, 0, 0);
	NEAR(stats_welch_p(e, 4, e, 4), 1, 0);
	NEAR(stats_welch_p(e, 4, f, 3), 0, 0);
	stats_compare(e, 4, f, 3, &c);
	NEAR(c.ratio, 1.4, 1e-12);
	assert_true(c.significant);
	/* zeros: no relative spread, a ratio over zero is not finite */
	stats_summary(z, 3, &s);
	NEAR(s.mean, 0, 0);
	NEAR(s.sd, 0, 0);
	assert_true(isnan(s.cv) && isnan(s.halfwidth));
	stats_compare(z, 3, e, 4, &c);
	assert_false(isfinite(c.ratio));
	assert_true(isnan(c.ratio_lo));
	assert_false(c.significant);
	/* one value each, huge and tiny */
	stats_summary(&one, 1, &s);
	NEAR(s.mean, 1e80, 0);
	assert_true(isnan(s.sd) && isnan(s.ci_lo));
	stats_compare(&one, 1, &tiny, 1, &c);
	RNEAR(c.ratio, 1e-235, 1e-12);
	assert_true(isnan(c.p));
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
		cmocka_unit_test(huge_and_tiny),
		cmocka_unit_test(infinite_and_nan),
		cmocka_unit_test(all_equal_and_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
