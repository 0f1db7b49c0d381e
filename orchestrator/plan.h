/* plan.h: the config expanded into cells.
 *
 * A point is one experiment at one value of each matrix dimension (threads=4). A cell is
 * one variant at one point. Cell ids are the first 16 hex digits of the SHA-256 of the
 * cell's content (experiment name, script, fixed args, point values, variant name and
 * runtime env), so they stay the same across runs of the same config, and a resumed or
 * sharded run finds its place. The run stage runs points in config order; within a point
 * trials are interleaved across variants. */
#ifndef GILBENCH_PLAN_H
#define GILBENCH_PLAN_H

#include <jansson.h>

#include "config.h"

#define CELLIDLEN 17

struct point {
	size_t exp;             /* index into config.exps */
	struct kvlist values;   /* one pair per matrix dimension, in dimension order */
	char *label;            /* "threads=4", or "" without a matrix */
};

struct cell {
	char id[CELLIDLEN];
	size_t point;           /* index into plan.points */
	size_t exp;             /* index into config.exps */
	size_t variant;         /* index into config.variants */
	struct strlist argv_tail; /* script arguments: --key value for args then point values */
};

struct plan {
	const struct config *cfg;
	struct point *points;
	size_t npoints;
	struct cell *cells;     /* point-major: all variants of point 0, then point 1, ... */
	size_t ncells;
};

int plan_make(const struct config *cfg, struct plan **out);      /* expand; -1 on an empty matrix */
void delplan(struct plan *p);
const struct cell *plan_cell(const struct plan *p, size_t point, size_t variant);
const struct cell *plan_find(const struct plan *p, const char *id); /* NULL when absent */
int plan_cellkey(const struct plan *p, const struct cell *c, const char *suffix, char key[CELLIDLEN]);
	/* the id c would have if its variant's name did not end in SUFFIX ("" or NULL: c's own id), so that
	   the cells of two sides (NAME.A, NAME.B) or two runs match; -1 when the name does not end in it */
json_t *plan_doc(const struct plan *p);                           /* plan.json's document (new reference) */
char *plan_json(const struct plan *p);                            /* plan.json's text (free it) */
int plan_write(const struct plan *p, const char *path);           /* plan.json */

#endif
