/* pipeline.h: the one sequence every command drives.
 *
 *   open a run directory (new: made, seeded, run.json written; or resumed as the kind it records)
 *   -> for each side: prepare its source, build and verify its builds
 *   -> plan and measure (trials interleaved across every variant of a point)
 *   -> report, then the kind's own finish (compare.md, reproduce.md)
 *   -> archive
 *   -> one exit code from the outcome, with one policy for every command.
 *
 * A command differs only in how the run directory is seeded (the config as given, a
 * compare's derived config, an archived run) and in which of the steps it asks for
 * (`build` stops after the builds, `measure` only measures). Stages never tell the user
 * what to type next: the command does, from pipeline_resume_hint().
 *
 * Where the build and measure steps run is an option: here, or with --slurm as Slurm jobs
 * (slurmrun.h), whose merge job then runs the report and archive steps of this same
 * sequence on the cluster. */
#ifndef GILBENCH_PIPELINE_H
#define GILBENCH_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "build.h"
#include "compare.h"
#include "config.h"
#include "paths.h"
#include "plan.h"
#include "rundir.h"
#include "runner.h"
#include "source.h"

struct slurmopts {              /* where the build and measure steps run (slurmrun.h) */
	bool on;                /* --slurm: as Slurm jobs; false: here */
	const char *partition;  /* --partition P; NULL: the cluster's default */
	int shards;             /* --shards N; 0: as the run records, else one per node (at most one per point) */
	int array_limit;        /* --array-limit K: at most K shards running at once; 0: no limit */
	const struct strlist *sbatch; /* --sbatch ARG...: more sbatch options for every job; NULL: none */
	bool nowait;            /* --no-wait: submit, print the job ids, return */
};

struct pipeopts {
	const char *work;       /* --work: the work area (NULL: $GILBENCH_WORK, else ./builds) */
	struct runopts trials;  /* --cpus, --min-trials, --max-trials, --target (resume is set by the pipeline) */
	const char *only;       /* build only the build of this name (gilbench build --only) */
	bool archive;           /* archive RUN_DIR as RUN_DIR.tar.gz at the end */
	double tie;             /* the "same" threshold as a share; < 0: the config's run.tie */
	double fail_regression; /* exit 5 past this share of slowdown; < 0: off */
	bool fail_inconclusive; /* exit 6 when a comparison is inconclusive */
	struct slurmopts slurm; /* --slurm and its options */
	enum rundirlock lock;   /* how pipeline_resume locks the run directory (a Slurm task: not at all) */
};

struct outcome {
	bool usage;             /* an option conflicts with the config (exit 2) */
	int failed_builds;      /* builds that failed (their variants are skipped) */
	bool verify_failed;     /* a build's or variant's GIL state is not what the config says */
	bool report_partial;    /* the report lists failed builds or trials */
	size_t regressions;     /* cells worse by more than fail_regression */
	size_t inconclusive;    /* cells whose verdict is inconclusive */
	bool range;             /* bisect: the answer is a range, or a commit that is not the whole change (exit 4) */
	bool nochange;          /* bisect: GOOD and BAD do not differ by the threshold here (exit 1) */
};

struct pipeline {
	struct rundir run;      /* the run directory, locked while open */
	struct pipeopts o;      /* the options: the command line's, else what run.json recorded */
	struct config *cfg;     /* RUN_DIR/config.yaml, loaded self-contained */
	struct paths paths;
	struct source *srcs;    /* one per side (nsrcs of them), once prepared */
	size_t nsrcs;
	struct buildrec *recs;  /* one per build made or reused */
	size_t nrecs;
	struct plan *plan;
	struct runsummary sum;
	struct outcome out;
	struct comparesummary cmp; /* the kind's comparison (compare, reproduce), once finished */
	char *summary;          /* what the command prints at the end (Markdown), or NULL */
	char *summary_path;     /* the file holding it */
	struct slurmrun *slurm; /* the Slurm engine's jobs (--slurm), or NULL */
};

int pipeline_create(struct pipeline *p, const struct pipeopts *o, enum runkind kind, const char *name, const char *out);
	/* a new run directory, locked; the caller seeds it and calls pipeline_start; -1 with the error */
int pipeline_start(struct pipeline *p); /* write run.json and load the seeded config; the run can be resumed from here on */
int pipeline_new(struct pipeline *p, const struct pipeopts *o, const char *config, const char *out, const char *ref);
	/* a new plain run of CONFIG: created, seeded with the config as given, one side at REF (NULL: the
	   config's), started; -1 with the error */
int pipeline_resume(struct pipeline *p, const struct pipeopts *o, const char *dir, enum runkind want);
	/* open DIR as the kind it records (want NKINDS: any; else a different kind is refused); -1 with the error */
int pipeline_build(struct pipeline *p);   /* every side's source, then its builds (--slurm: those not installed as
                                             Slurm jobs; a kind that adds sides as it goes: the first ones; --only:
                                             that build's side alone); failures recorded in p->out; run.json is
                                             written only when the run directory is locked */
int pipeline_build_side(struct pipeline *p, size_t s); /* side s's source and builds alone; failures recorded in p->out */
int pipeline_measure(struct pipeline *p); /* plan and run the trials (--slurm: as a job array whose merge job reports
                                             and archives, waited for; a run split into shards: the shards left, here),
                                             or what measuring is for the kind (bisect: the search) */
int pipeline_trials(struct pipeline *p, const struct runopts *o); /* plan p->cfg and run its trials with O */
int pipeline_report(struct pipeline *p);  /* the report, then the kind's finish (--slurm: done by the merge job) */
int pipeline_archive(struct pipeline *p); /* RUN_DIR.tar.gz, when asked for (--slurm: done by the merge job) */
int pipeline_all(struct pipeline *p);     /* build, measure, report, archive: stops at the first error */
int pipeline_exit(const struct pipeline *p, int rc); /* the exit code for RC (0 or -1) and the outcome */
const char *pipeline_resume_hint(enum runkind k); /* the command that continues a run of kind K */
void pipeline_free(struct pipeline *p);

#endif
