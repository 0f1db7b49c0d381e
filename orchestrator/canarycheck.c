/* canarycheck.c: one check of this machine's speed (see canarycheck.h).
 *
 * The samples are taken one after the other (C, then Python, N times), each a median of
 * CANARY_REPS repetitions (canary.c); a check is judged by canary_judge() on the samples'
 * wall times against the store's reference for that workload, and summarised by the median
 * share of the wall time spent on the CPU (low: throttled or preempted) and the median
 * cost of a sample. */
#include "canarycheck.h"
#include "log.h"
#include "spawn.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int canarycheck_take(const char *cpus, const char *python, int samples, struct canarycheck *c, struct canarycheck *py)
{
	struct progress *p = mkprogress("canary", PROGRESS_COUNT);
	int rc = -1;

	c->s = xcalloc((size_t)samples + 1, sizeof(*c->s));
	py->s = xcalloc((size_t)samples + 1, sizeof(*py->s));
	progress_total(p, (uint64_t)samples);
	for (int i = 0; i < samples; i++) {
		if (spawn_interrupted) {
			errorf("canary: interrupted");
			goto done;
		}
		if (canary_c(cpus, CANARY_REPS, &c->s[i]) < 0)
			goto done;
		c->n++;
		if (python) {
			if (canary_python(python, NULL, cpus, CANARY_REPS, &py->s[i]) < 0)
				goto done;
			py->n++;
		}
		progress_set(p, (uint64_t)i + 1);
	}
	rc = 0;
done:
	progress_done(p, rc == 0 ? "%d samples" : "failed", samples);
	return rc;
}

void canarycheck_judge(const struct canary_store *st, double threshold, struct canarycheck *r)
{
	double *oncpu = xcalloc(r->n + 1, sizeof(double)), *cost = xcalloc(r->n + 1, sizeof(double));
	struct summary s;

	r->walls = xcalloc(r->n + 1, sizeof(double));
	for (size_t i = 0; i < r->n; i++) {
		r->walls[i] = r->s[i].wall;
		oncpu[i] = r->s[i].cpu / r->s[i].wall;
		cost[i] = r->s[i].cost;
	}
	r->reference = r->after = canary_store_reference(st, r->s[0].series, &r->runs);
	r->runsafter = r->runs;
	canary_judge(r->walls, r->n, r->reference, threshold, &r->v);
	stats_summary(oncpu, r->n, &s);
	r->oncpu = s.median;
	stats_summary(cost, r->n, &s);
	r->cost = s.median;
	free(oncpu);
	free(cost);
}

int canarycheck_record(struct canary_store *st, struct canarycheck *r)
{
	if (canary_store_record(st, r->s[0].series, r->s[0].label, r->walls, r->n) < 0)
		return -1;
	r->after = canary_store_reference(st, r->s[0].series, &r->runsafter);
	return 0;
}

const char *canarycheck_verdict(const struct canarycheck *r, double threshold)
{
	if (isnan(r->v.median_slowdown))
		return "no reference";
	if (r->v.slow_run)
		return "slow";
	if (r->v.median_slowdown < -threshold)
		return "faster";
	return "normal";
}

static json_t *num(double x)
{
	return isnan(x) ? json_null() : json_real(x);
}

json_t *canarycheck_json(const struct canarycheck *r, double threshold)
{
	json_t *samples = json_array();
	const struct canary_verdict *v = &r->v;

	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(samples, canary_sample_json(&r->s[i]));
	return json_pack("{s:s,s:s,s:f,s:o,s:o,s:o,s:o,s:I,s:I,s:b,s:s,s:f,s:f,s:o,s:I,s:o}", "series", r->s[0].series,
	                 "label", r->s[0].label, "median", v->median, "cv", num(v->cv), "reference", num(r->reference),
	                 "slowdown", num(v->median_slowdown), "slow_share", num(v->slow_share), "slow",
	                 (json_int_t)v->nslow, "runs", (json_int_t)r->runs, "slow_run", v->slow_run, "verdict",
	                 canarycheck_verdict(r, threshold), "oncpu", r->oncpu, "cost", r->cost, "reference_after",
	                 num(r->after), "runs_after", (json_int_t)r->runsafter, "samples", samples);
}

void canarycheck_free(struct canarycheck *r)
{
	for (size_t i = 0; i < r->n; i++)
		canary_sample_free(&r->s[i]);
	free(r->s);
	free(r->walls);
	memset(r, 0, sizeof(*r));
}
