/* runner_int.h: the run stage's state, shared by runner.c (the schedule) and runmeta.c
 * (metadata.json). Not for other modules. */
#ifndef GILBENCH_RUNNER_INT_H
#define GILBENCH_RUNNER_INT_H

#include <jansson.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include "build.h"
#include "canary.h"
#include "interp.h"
#include "log.h"
#include "results.h"
#include "runner.h"
#include "sysinfo.h"

struct vstate {
	bool wanted;            /* selected by runopts.variants */
	bool run;               /* wanted, and its build is ok */
	struct strlist env;     /* the trial environment, NAME=VALUE */
	struct interp ip;       /* the probe's answer, when probed */
	bool probed;
};

struct cellstate {
	const struct trial **byround; /* recorded trials by round - 1 (from --resume), or NULL */
	size_t nround;
	double *clean;          /* metrics of clean measured trials so far (ok, not contaminated, not slow) */
	size_t nclean;
	size_t nspoiled;        /* measured trials that finished ok but were contaminated or in a slow round */
	bool converged;
};

struct runner {
	char *rundir;           /* absolute */
	char *outdir;           /* where results.jsonl, rounds.jsonl and metadata.json go: rundir, or a shard's folder */
	char *node;             /* run by Slurm: $SLURMD_NODENAME, else NULL */
	long slurmjob, slurmtask; /* ... and the job (an array's id) and task (-1: no array) */
	const struct config *cfg;
	const struct plan *plan;
	const struct runopts *o;
	struct runsummary *sum;
	struct buildrec *builds;
	struct vstate *vars;
	size_t *active;         /* indices of runnable variants, config order */
	size_t nactive;
	struct cellstate *cells;
	struct trial *loaded;   /* results.jsonl as found (--resume) */
	size_t nloaded;
	struct roundrec *oldrounds; /* rounds.jsonl as found (--resume) */
	size_t noldrounds;
	int fd, roundsfd;
	const char *cpus;
	cpu_set_t cpuset;       /* cpus parsed, when pinned */
	int mintrials, maxtrials;
	double target;
	struct progress *prog;
	size_t done;            /* trials run or found, for the progress line */
	json_t *noise, *nonconv, *shortcells;
	struct cpusample first;
	double others_start;    /* cores other processes kept busy just before the first trial */
	json_t *loadend;
	double selfcpu;         /* gilbench's own CPU seconds during the run (without trials) */
	char *started, *ended;
	json_t *resumes;        /* times of --resume, oldest first (kept from metadata.json) */
	const char *status;
	bool busystart;
	/* the speed canary */
	struct canary_store *store; /* the machine's reference, or NULL when it cannot be opened */
	double canaryref;       /* the stored reference of the C canary (NAN: none yet) */
	size_t canaryruns;      /* the runs it was made from */
	double *csamples;       /* this run's C canary samples (seconds) */
	size_t ncsamples;
	json_t *pycanary;       /* [{experiment, point, wall}] of the Python canary on the baseline */
	bool selfjudged;        /* rounds are judged by this run's own canary: it has been slow against the
	                           stored reference all along (see canary_reference in runner.c) */
	size_t rounds;          /* rounds finished by this call */
};

json_t *runmeta(struct runner *R);  /* metadata.json's document (new reference) */
int runmeta_write(struct runner *R); /* metadata.json, atomically; -1 with the error */
int runmeta_keepstart(struct runner *R); /* --resume: the first start and the earlier resumes from metadata.json; -1 on a corrupt one */

#endif
