/* trial.h: one trial: an interpreter runs an experiment script once, measured.
 *
 * trial_run() starts PYTHON SCRIPT ARGS through spawn() (captured, in its own process
 * group, with a timeout, pinned when asked, in a fixed environment, fork+exec so that the
 * peak RSS is the trial's own), reads /proc/stat for the CPUs the trial may use just before
 * and just after it, and fills a struct trial: status (ok, failed, timeout, bad-output),
 * the metric from the last line of output, the check of an expected value, wall, user and
 * system time and peak memory from wait4, and what other processes took of those CPUs
 * while it ran (contaminated when over the threshold). */
#ifndef GILBENCH_TRIAL_H
#define GILBENCH_TRIAL_H

#include <sched.h>
#include <stdbool.h>

#include "config.h"
#include "results.h"

struct trialspec {
	const struct expconf *e;
	char *const *argv;      /* PYTHON SCRIPT ARGS... */
	char *const *envp;      /* the trial environment */
	const char *cwd;        /* the run directory */
	const char *cpus;       /* pin to these CPUs ("0,2-3"), or NULL */
	const cpu_set_t *cpuset; /* the same set parsed, or NULL: all CPUs are the trial's */
	double timeout;         /* seconds */
	double interference;    /* contaminated above this share of its CPUs (0: never) */
};

int trial_run(const struct trialspec *s, struct trial *t, bool *interrupted);
	/* fill t's measured fields (the caller sets cell, names and round); *interrupted when gilbench was
	   asked to stop meanwhile (t is then not a result); -1 with the error when it could not start */
void trial_clear(struct trial *t); /* free what trial_run allocated in t (result, error, started) */

#endif
