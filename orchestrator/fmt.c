/* fmt.c: numbers as the reports print them (see fmt.h). */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

json_t *fmt_jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

char *fmt_time(double x)
{
	if (!isfinite(x))
		return xstrdup(DASH);
	if (fabs(x) >= 100)
		return xasprintf("%.1f s", x);
	return xasprintf("%.4f s", x);
}

char *fmt_num(double x) /* a metric that is not seconds */
{
	if (!isfinite(x))
		return xstrdup(DASH);
	return xasprintf("%.6g", x);
}

char *fmt_metric(const struct expconf *e, double x)
{
	return strcmp(e->metric, "seconds") == 0 ? fmt_time(x) : fmt_num(x);
}

char *fmt_range(const struct expconf *e, double lo, double hi)
{
	if (!isfinite(lo) || !isfinite(hi))
		return xstrdup(DASH);
	if (strcmp(e->metric, "seconds") == 0)
		return xasprintf("%.4f" NDASH "%.4f s", lo, hi);
	return xasprintf("%.6g" NDASH "%.6g", lo, hi);
}

char *fmt_pct(double x) /* share to "12.3%" */
{
	if (!isfinite(x))
		return xstrdup(DASH);
	return xasprintf("%.1f%%", 100 * x);
}

char *fmt_int(double x) /* 1600000 -> "1,600,000" */
{
	char digits[64];
	struct buf b = { 0 };
	size_t n, i;

	if (!isfinite(x))
		return xstrdup(DASH);
	snprintf(digits, sizeof(digits), "%.0f", fabs(x));
	n = strlen(digits);
	if (x < 0 && digits[0] != '0')
		bufadds(&b, "-");
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			bufadds(&b, ",");
		bufadd(&b, &digits[i], 1);
	}
	return b.s;
}

char *fmt_ratio(double x)
{
	if (!isfinite(x))
		return xstrdup(DASH);
	return xasprintf("%.2f" TIMES, x);
}

char *fmt_ratio_ci(double x, double lo, double hi)
{
	if (!isfinite(x))
		return xstrdup(DASH);
	if (!isfinite(lo) || !isfinite(hi))
		return xasprintf("%.2f" TIMES, x);
	return xasprintf("%.2f" TIMES " (%.2f" NDASH "%.2f)", x, lo, hi);
}

char *fmt_p(double p)
{
	if (!isfinite(p))
		return xstrdup(DASH);
	if (p < 0.0001)
		return xstrdup("<0.0001");
	return xasprintf("%.4f", p);
}


/* "4x" when a factor is 2 or more (whole times, rounded down), else "+8%" */
char *fmt_factor(double f)
{
	if (f >= 2)
		return xasprintf("%.0f" TIMES, floor(f));
	return xasprintf("+%.0f%%", 100 * (f - 1));
}
