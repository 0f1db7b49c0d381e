/* tests/bench/history.c: a synthetic nightly history, written through history_insert() (the
 * code every import uses), for tests/bench/nightly.sh to time `gilbench history report` on.
 *
 *   bench_history DB NIGHTS POINTS TRIALS
 *
 * One config ("synthetic"), one machine, NIGHTS commits in first-parent order, each a run
 * with POINTS experiments x 2 variants (gil, nogil) = 2 x POINTS measured series of TRIALS
 * trials, level 1 (1.2 for nogil) x (1 + 2% N(0, 1)), and a 10% step of the first series at
 * the middle night. Prints the seconds the inserts took and the database's size. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "history.h"
#include "util.h"

static void cell(struct hcell *c, size_t point, bool gil, size_t trials, double level, gsl_rng *r)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->cell, sizeof(c->cell), "%015zx%c", point, gil ? 'a' : 'b');
	c->experiment = xasprintf("exp%02zu", point);
	c->point = xstrdup("");
	c->variant = xstrdup(gil ? "gil" : "nogil");
	c->metric = xstrdup("seconds");
	c->lower_is_better = true;
	c->gil = gil;
	c->nogil_build = !gil;
	c->x = NAN;
	c->group = xstrdup("");
	c->threshold = 0.05;
	c->order = (int)(2 * point + !gil);
	c->n = trials;
	c->t = xcalloc(trials, sizeof(*c->t));
	for (size_t k = 0; k < trials; k++)
		c->t[k] = (struct htrial){ (int)k + 1, level * (1 + 0.02 * gsl_ran_gaussian(r, 1)), true };
}

static void night(size_t i, size_t nights, size_t points, size_t trials, gsl_rng *r, struct hrun *run)
{
	memset(run, 0, sizeof(*run));
	run->uid = xasprintf("synthetic-%zu", i);
	run->machine = xstrdup("0000000000000000000000000000000000000000000000000000000000000001");
	run->machine_desc = json_pack("{s:s}", "name", "bench");
	run->config = xstrdup("synthetic");
	run->config_sha256 = xstrdup("0");
	run->commit = xasprintf("%040zx", i + 1);
	run->parent = i ? xasprintf("%040zx", i) : xstrdup("");
	run->subject = xasprintf("commit %zu", i + 1);
	run->commit_time = 1767225600 + (long long)i * 86400;
	run->position = (long long)i;
	run->kind = xstrdup("nightly");
	run->status = xstrdup("complete");
	run->results_sha256 = xasprintf("r%zu", i);
	run->ncells = 2 * points;
	run->cells = xcalloc(run->ncells, sizeof(*run->cells));
	for (size_t p = 0; p < points; p++) {
		cell(&run->cells[2 * p], p, true, trials, p == 0 && i >= nights / 2 ? 1.1 : 1.0, r);
		cell(&run->cells[2 * p + 1], p, false, trials, 1.2, r);
	}
}

int main(int argc, char **argv)
{
	struct history *h;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t nights, points, trials;
	struct stat sb;
	double t0;

	if (argc != 5) {
		fprintf(stderr, "usage: bench_history DB NIGHTS POINTS TRIALS\n");
		return 2;
	}
	nights = strtoul(argv[2], NULL, 10), points = strtoul(argv[3], NULL, 10), trials = strtoul(argv[4], NULL, 10);
	if (history_open(argv[1], true, &h) < 0) {
		fprintf(stderr, "bench_history: %s\n", errmsg());
		return 1;
	}
	t0 = now();
	for (size_t i = 0; i < nights; i++) {
		struct hrun run;
		enum hinsert what;
		night(i, nights, points, trials, r, &run);
		if (history_insert(h, &run, &what) < 0) {
			fprintf(stderr, "bench_history: %s\n", errmsg());
			return 1;
		}
		hrun_free(&run);
	}
	history_close(h);
	gsl_rng_free(r);
	stat(argv[1], &sb);
	printf("%.2f seconds for %zu inserts; %lld bytes\n", now() - t0, nights, (long long)sb.st_size);
	return 0;
}
