/* cells.h: a run's trials filed under the cells of its plan, by cell id.
 *
 * Every consumer of results.jsonl (the report, compare, reproduce) files trials the same
 * way: by the cell id each line carries, looked up in the plan of the run directory's own
 * config.yaml. A trial whose id is not in the plan (config.yaml edited after the run, a
 * line from another run) is counted as unmatched and left out, never shown under another
 * cell's arguments; a second line for a (cell, round) already seen is counted as a
 * duplicate and left out, so each round counts once. A measured trial that other processes
 * interfered with (contaminated), or that ran in a round the speed canary found slow
 * (rounds.jsonl), is counted and left out of the values: only clean trials are measured. */
#ifndef GILBENCH_CELLS_H
#define GILBENCH_CELLS_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "results.h"

struct cellvals {
	double *vals;           /* metrics of the measured trials that finished ok, in file order */
	size_t *idx;            /* their indices into the trials */
	size_t n;
	size_t nwarm, nfailed, ntrials; /* warm-ups, failed measured trials, all trials filed here */
	size_t ncontaminated, nslow;   /* measured trials left out: interference, a slow round */
	size_t nchecked, ncorrect;     /* trials with an expected value, and those that had it */
};

struct cellfile {
	const struct plan *plan;
	struct cellvals *cells; /* one per plan cell, in plan order */
	size_t unmatched;       /* trials whose cell id is not in the plan */
	size_t duplicates;      /* trials of a (cell, round) already filed */
};

void cells_file(struct cellfile *cf, const struct plan *p, const struct trial *t, size_t n,
                const struct roundrec *rounds, size_t nrounds); /* file every trial; ROUNDS (may be NULL) say which were slow */
struct cellvals *cells_at(const struct cellfile *cf, size_t point, size_t variant);       /* a cell's values */
void cells_free(struct cellfile *cf);

#endif
