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

#include "sysinfo.h"

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
	bool has_interference;  /* inter and load were measured */
	struct interference inter; /* what other processes took of its CPUs while it ran */
	double load;            /* the 1-minute load average at its start */
	bool contaminated;      /* inter is over run.interference: kept here, left out of the statistics */
};

struct roundrec {               /* rounds.jsonl: one line per finished round of a point */
	char *experiment, *point;
	int round;
	double before, after;   /* the C canary's time before and after the round (seconds; NAN: not timed) */
	double slowdown;        /* their slowdown against the machine's reference (NAN: unknown) */
	bool slow;              /* both were slower than run.canary allows: the round's trials are left out */
	double waited;          /* seconds waited for the machine to be quiet first (NAN: no wait asked) */
	bool quiet;             /* it was quiet, or no wait was asked; false: the wait ran out */
};

const char *trialstatus_name(enum trialstatus s);         /* "ok", "failed", "timeout", "bad-output" */
int trialstatus_parse(const char *s, enum trialstatus *out);
json_t *trial_to_json(const struct trial *t);             /* new reference */
int trial_from_json(json_t *o, struct trial *t);          /* -1 with the error on a missing field */
void trial_free(struct trial *t);

int jsonl_append(int fd, json_t *o, const char *what);   /* one compact line, written whole, then fsync; a half-written one is
                                                             removed; fd O_RDWR|O_APPEND, so that a last line without its
                                                             newline gets one first */
int jsonl_load(const char *path, int (*each)(json_t *o, void *arg), void *arg, size_t *good_bytes);
                                                          /* each whole line's object to EACH; a torn last line is skipped
                                                             and *good_bytes ends before it (a last line that lost only its
                                                             newline is whole); -1 with "PATH:LINE: problem" */
int results_append(int fd, const struct trial *t);        /* one line, written whole, then fsync */
int results_load(const char *path, struct trial **out, size_t *n, size_t *good_bytes);
                                                          /* all complete lines (a last one without its newline too); a torn last line is skipped */
void results_free(struct trial *v, size_t n);

json_t *round_to_json(const struct roundrec *r);          /* rounds.jsonl's line of a round (new reference) */
int rounds_load(const char *path, struct roundrec **out, size_t *n, size_t *good_bytes); /* a missing file is no rounds */
const struct roundrec *rounds_find(const struct roundrec *v, size_t n, const char *experiment, const char *point,
                                   int round);            /* the last record of that round, or NULL */
void rounds_free(struct roundrec *v, size_t n);

#endif
