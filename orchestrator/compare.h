/* compare.h: comparing two sets of trials, cell by cell, with a verdict per cell.
 *
 * compare_runs() loads RUN_A/results.jsonl and RUN_B/results.jsonl (results_load), keeps
 * the measured trials that finished ok, and matches cells by (experiment, variant, point).
 * For each cell on both sides: each side's median and 95% CI (stats_summary), the ratio of
 * medians B/A with its bootstrap interval and Welch's p (stats_compare), and a verdict:
 * "faster" or "slower" when the difference is significant and |ratio - 1| is above the
 * noise threshold, else "no significant change" ("no data" when a side has no ok trial).
 * Whether a higher metric is better is read from the experiment in RUN_B's (else RUN_A's)
 * config.yaml; lower is better when neither loads. A side may be restricted to variants
 * ending in a suffix (NAME@A), which is stripped before matching: that is how the two
 * revisions of one run directory are compared with each other. The result is a Markdown
 * table and a JSON document (jansson); docs/compare.md describes both. */
#ifndef GILBENCH_COMPARE_H
#define GILBENCH_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define COMPARE_NOISE 0.02      /* default noise threshold: changes under 2% are not reported */

struct compareopts {
	double noise;           /* |ratio - 1| at or under this is "no significant change"; <0: COMPARE_NOISE */
	const char *label_a;    /* column heading of side A ("A", "archived", a revision); NULL: "A" */
	const char *label_b;    /* the same for B; NULL: "B" */
	const char *suffix_a;   /* only variants of RUN_A ending in this, matched without it; NULL: all */
	const char *suffix_b;   /* the same for RUN_B */
	const char *title;      /* first heading of the Markdown; NULL: "Comparison: A vs B" */
	const char *where_a;    /* what to name as side A's origin (an archive's path); NULL: RUN_A */
	const char *where_b;    /* the same for B */
};

struct comparesummary {
	size_t cells;           /* cells present on both sides */
	size_t faster, slower, same, nodata; /* verdicts, summing to cells */
	size_t only_a, only_b;  /* cells present on one side only */
	double worst;           /* the largest significant slowdown as a share (0.12: 12% slower), or 0 */
	char *worst_cell;       /* "experiment point variant" of that slowdown, or NULL */
	char *markdown;         /* the whole Markdown text */
	json_t *json;           /* the JSON document */
};

int compare_runs(const char *dir_a, const char *dir_b, const struct compareopts *o,
                 const char *out_md, const char *out_json, struct comparesummary *s);
	/* compare; write the Markdown and JSON to out_md / out_json when not NULL; -1 with the error */
size_t compare_regressions(const struct comparesummary *s, double pct); /* cells significantly slower by more than pct (a share: 0.05) */
void comparesummary_free(struct comparesummary *s);     /* free the fields and zero it */
bool compare_isarchive(const char *path);                /* PATH names a .tar.gz or .tgz */
int compare_rundir(const char *arg, const char *tmp, const char *what, char **dir);
	/* *dir: ARG's absolute path when it is a run directory, or TMP/WHAT when ARG is a .tar.gz,
	   verified then extracted there; 0, 1 when the archive fails verification (the error lists
	   each problem), -1 with the error */

#endif
