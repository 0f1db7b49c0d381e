/* canarycheck.h: one check of this machine's speed (`gilbench canary`): N samples of the C
 * canary, and of the Python canary alternating with them, each workload judged against the
 * reference its canary store keeps (canary.h). */
#ifndef GILBENCH_CANARYCHECK_H
#define GILBENCH_CANARYCHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "canary.h"

struct canarycheck {            /* one workload's samples and what they say */
	struct canary_sample *s;
	size_t n;
	double *walls;          /* each sample's wall time */
	double reference, after; /* the reference before and after this check's record (NAN: none) */
	size_t runs, runsafter; /* the runs behind each */
	struct canary_verdict v;
	double oncpu, cost;     /* medians of cpu/wall and of the cost of a sample */
};

int canarycheck_take(const char *cpus, const char *python, int samples, struct canarycheck *c, struct canarycheck *py);
	/* samples of the C canary into c and, with python (else NULL), of the Python one into py,
	   alternating, with a progress counter; -1 with the error (interrupted, or a canary that
	   failed), the samples taken so far kept */
void canarycheck_judge(const struct canary_store *st, double threshold, struct canarycheck *r);
	/* r's verdict, medians and reference from st (r->after = r->reference until recorded) */
int canarycheck_record(struct canary_store *st, struct canarycheck *r);
	/* add r's samples to st as one run, and read back the new reference into r->after */
const char *canarycheck_verdict(const struct canarycheck *r, double threshold);
	/* "no reference", "slow", "faster" (faster than the threshold) or "normal" */
json_t *canarycheck_json(const struct canarycheck *r, double threshold);
	/* new {series, label, median, cv, reference, slowdown, ..., samples} */
void canarycheck_free(struct canarycheck *r); /* its samples; zeroes it */

#endif
