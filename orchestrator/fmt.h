/* fmt.h: numbers as gilbench's reports print them, and as results.json holds them.
 *
 * Every function returns a new string (free it); a value that is not finite prints as a
 * dash and is null in JSON, so a cell without data never shows "nan". */
#ifndef GILBENCH_FMT_H
#define GILBENCH_FMT_H

#include <jansson.h>

#include "config.h"

#define DASH "\xe2\x80\x94"   /* — */
#define TIMES "\xc3\x97"      /* × */
#define NDASH "\xe2\x80\x93"  /* – */

json_t *fmt_jnum(double x);                         /* a JSON number, or null when not finite */
char *fmt_time(double x);                           /* "0.3373 s", "123.4 s" */
char *fmt_num(double x);                            /* a metric that is not seconds: "%.6g" */
char *fmt_metric(const struct expconf *e, double x); /* fmt_time or fmt_num, by the experiment's metric */
char *fmt_range(const struct expconf *e, double lo, double hi); /* "0.1000–0.1200 s" */
char *fmt_pct(double x);                            /* a share as "12.3%" */
char *fmt_int(double x);                            /* 1600000 -> "1,600,000" */
char *fmt_ratio(double x);                          /* "1.74×" */
char *fmt_ratio_ci(double x, double lo, double hi); /* "1.74× (1.60–1.90)" */
char *fmt_p(double p);                              /* "0.0123", "<0.0001" */
char *fmt_factor(double f);                         /* "4×" when 2 or more (rounded down), else "+8%" */

#endif
