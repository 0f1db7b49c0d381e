/* cells.c: trials filed under their cells by id (see cells.h).
 *
 * One pass over the trials: plan_find() gives each trial's cell, a per-cell list of the
 * rounds already seen catches duplicates, and measured trials that finished ok with a
 * finite metric become the cell's values. Plans are small (at most 100,000 cells) and
 * plan_find is a linear scan, so ids are looked up through a sorted index instead. */
#include "cells.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct ref {
	const char *id;
	size_t cell;
};

static int cmpref(const void *a, const void *b)
{
	return strcmp(((const struct ref *)a)->id, ((const struct ref *)b)->id);
}

static bool seen(int **rounds, size_t *nrounds, int round)
{
	for (size_t i = 0; i < *nrounds; i++)
		if ((*rounds)[i] == round)
			return true;
	*rounds = xreallocarray(*rounds, *nrounds + 1, sizeof(**rounds));
	(*rounds)[(*nrounds)++] = round;
	return false;
}

/* the round of trial t (in cell c) ran while the machine was slow */
static bool slowround(const struct plan *p, const struct cell *c, const struct trial *t, const struct roundrec *rounds,
                      size_t nrounds)
{
	const struct roundrec *r = nrounds ? rounds_find(rounds, nrounds, p->cfg->exps[c->exp].name,
	                                                 p->points[c->point].label, t->round) : NULL;

	return r && r->slow;
}

void cells_file(struct cellfile *cf, const struct plan *p, const struct trial *t, size_t n,
                const struct roundrec *rounds, size_t nrounds)
{
	struct ref *index = xcalloc(p->ncells + 1, sizeof(*index));
	int **seenr = xcalloc(p->ncells + 1, sizeof(*seenr));
	size_t *nseen = xcalloc(p->ncells + 1, sizeof(*nseen));

	memset(cf, 0, sizeof(*cf));
	cf->plan = p;
	cf->cells = xcalloc(p->ncells + 1, sizeof(*cf->cells));
	for (size_t i = 0; i < p->ncells; i++)
		index[i] = (struct ref){ p->cells[i].id, i };
	qsort(index, p->ncells, sizeof(*index), cmpref);
	for (size_t i = 0; i < n; i++) {
		struct ref key = { t[i].cell ? t[i].cell : "", 0 }, *hit;
		struct cellvals *cv;

		hit = bsearch(&key, index, p->ncells, sizeof(*index), cmpref);
		if (!hit) {
			cf->unmatched++;
			continue;
		}
		if (seen(&seenr[hit->cell], &nseen[hit->cell], t[i].round)) {
			cf->duplicates++;
			continue;
		}
		cv = &cf->cells[hit->cell];
		cv->ntrials++;
		if (t[i].warmup) {
			cv->nwarm++;
			continue;
		}
		if (t[i].status != TRIAL_OK || !isfinite(t[i].metric)) {
			cv->nfailed++;
			continue;
		}
		if (t[i].contaminated) {
			cv->ncontaminated++;
			continue;
		}
		if (slowround(p, &p->cells[hit->cell], &t[i], rounds, nrounds)) {
			cv->nslow++;
			continue;
		}
		cv->vals = xreallocarray(cv->vals, cv->n + 1, sizeof(*cv->vals));
		cv->idx = xreallocarray(cv->idx, cv->n + 1, sizeof(*cv->idx));
		cv->vals[cv->n] = t[i].metric;
		cv->idx[cv->n++] = i;
		if (t[i].has_expect) {
			cv->nchecked++;
			cv->ncorrect += t[i].correct;
		}
	}
	for (size_t i = 0; i < p->ncells; i++)
		free(seenr[i]);
	free(seenr);
	free(nseen);
	free(index);
}

struct cellvals *cells_at(const struct cellfile *cf, size_t point, size_t variant)
{
	const struct cell *c = plan_cell(cf->plan, point, variant);

	return c ? &cf->cells[c - cf->plan->cells] : NULL;
}

void cells_free(struct cellfile *cf)
{
	for (size_t i = 0; cf->cells && i < cf->plan->ncells; i++) {
		free(cf->cells[i].vals);
		free(cf->cells[i].idx);
	}
	free(cf->cells);
	memset(cf, 0, sizeof(*cf));
}
