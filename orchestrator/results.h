/* results.h: results.jsonl, one JSON object per finished trial.
 *
 * The run stage appends a line with results_append() as soon as a trial ends and fsyncs
 * it, so an interrupted run loses at most the trial in flight. results_load() reads the
 * file back; a torn last line (a kill during the write) is not an error: it is reported
 * through *good_bytes so that --resume can cut it off before appending. A complete last
 * line that only lacks its newline is a trial like any other (results_append adds the
 * newline before the next line). The fields are documented in docs/rundir.md. */
#ifndef GILBENCH_RESULTS_H
#define GILBENCH_RESULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum trialstatus {
	TRIAL_OK,          /* exited 0 and printed a result object with the metric */
	TRIAL_FAILED,      /* exited non-zero or was killed by a signal */
	TRIAL_TIMEOUT,     /* killed at the experiment's timeout, with its process group */
	TRIAL_BAD_OUTPUT,  /* exited 0 but the last line was not a JSON object with the metric */
};

struct trial {
	char *cell;             /* cell id (plan.h) */
	char *experiment;       /* experiment name */
	char *variant;          /* variant name */
	char *point;            /* point label, "threads=4" or "" */
	int round;              /* 1-based round of the point: warm-ups first, then measured */
	bool warmup;            /* run and discarded */
	enum trialstatus status;
	double metric;          /* the experiment's metric (seconds), when status is OK */
	json_t *result;         /* the experiment's whole result object, or NULL */
	bool has_expect;        /* the experiment checks a value */
	bool correct;           /* ... and the value matched */
	double wall;            /* seconds from spawn to exit, as gilbench saw it */
	double utime, stime;    /* CPU seconds from wait4 */
	long maxrss_kb;         /* peak resident set from wait4 */
	int exit_code;          /* or -1 when killed */
	int signal;             /* or 0 */
	char *error;            /* why it failed: the last lines of stderr, or NULL */
	char *started;          /* UTC time stamp */
	char *cpus;             /* CPUs it was pinned to, or NULL */
};

const char *trialstatus_name(enum trialstatus s);         /* "ok", "failed", "timeout", "bad-output" */
int trialstatus_parse(const char *s, enum trialstatus *out);
json_t *trial_to_json(const struct trial *t);             /* new reference */
int trial_from_json(json_t *o, struct trial *t);          /* -1 with the error on a missing field */
void trial_free(struct trial *t);

int results_append(int fd, const struct trial *t);        /* one line, written whole, then fsync; fd O_RDWR|O_APPEND, so that a last line without its newline gets one first */
int results_load(const char *path, struct trial **out, size_t *n, size_t *good_bytes);
                                                          /* all complete lines (a last one without its newline too); a torn last line is skipped */
void results_free(struct trial *v, size_t n);

#endif
