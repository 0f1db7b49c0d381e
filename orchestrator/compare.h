/* compare.h: two sets of trials, cell by cell, with a three-way verdict per cell.
 *
 * compare_runs() loads each side's run directory (config.yaml self-contained, its plan and
 * results.jsonl), files the trials by cell id (cells.h: trials of no cell and repeated
 * rounds are counted and left out) and matches the cells of the two sides by what they
 * run: a cell's key is its id computed with the side's suffix taken off the variant's name
 * (plan_cellkey), so NAME.A of one run directory meets NAME.B of the same or NAME of
 * another, and a cell whose arguments differ between the sides does not match. For cells
 * on both sides: each side's median and 95% CI (stats_summary) and the judgement of B
 * against A (verdict.h): faster, slower, same within the tie, inconclusive (with the
 * trials likely to decide it) or no data; the direction of each metric comes from B's
 * config. The result is one document (doc.h) rendered as Markdown and HTML, and a JSON
 * document; docs/compare.md describes both. */
#ifndef GILBENCH_COMPARE_H
#define GILBENCH_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct compareopts {
	double tie;             /* the verdict's threshold as a share; < 0: run.tie of B's config */
	const char *label_a;    /* column heading of side A ("A", "archived", a revision); NULL: "A" */
	const char *label_b;    /* the same for B; NULL: "B" */
	const char *suffix_a;   /* only variants of RUN_A ending in this, matched without it; NULL or "": all */
	const char *suffix_b;   /* the same for RUN_B */
	const char *title;      /* first heading; NULL: "Comparison: A vs B" */
	const char *where_a;    /* what to name as side A's origin (an archive's path); NULL: RUN_A */
	const char *where_b;    /* the same for B */
	const char *same_word;  /* what "same" is called in the tables ("reproduced"); NULL: "same" */
};

struct comparesummary {
	size_t cells;           /* cells present on both sides */
	size_t faster, slower, same, inconclusive, nodata; /* verdicts, summing to cells */
	size_t only_a, only_b;  /* cells present on one side only */
	size_t unmatched, duplicates; /* trials of either side left out (no cell of its plan; a repeated round) */
	double worst;           /* the largest significant slowdown as a share (0.12: 12% slower), or 0 */
	char *worst_cell;       /* "experiment point variant" of that slowdown, or NULL */
	char *markdown;         /* the whole Markdown text */
	char *html;             /* the same as a self-contained page */
	json_t *json;           /* the JSON document */
};

struct doc;
int compare_doc(const char *dir_a, const char *dir_b, const struct compareopts *o, struct doc *d,
                struct comparesummary *s); /* the comparison appended to D; s->json set (not markdown); -1 with the error */
int compare_render(const struct doc *d, const char *title, const char *out_md, struct comparesummary *s);
	/* D as s->markdown and s->html, written to OUT_MD and its .html twin when not NULL; -1 with the error */
int compare_runs(const char *dir_a, const char *dir_b, const struct compareopts *o,
                 const char *out_md, const char *out_json, struct comparesummary *s);
	/* compare; write the Markdown (and its .html twin beside it) and the JSON when not NULL; -1 with the error */
size_t compare_regressions(const struct comparesummary *s, double pct); /* cells significantly worse by more than pct (a share: 0.05) */
void comparesummary_free(struct comparesummary *s);     /* free the fields and zero it */

#endif
