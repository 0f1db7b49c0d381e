/* slurmrun.h: the Slurm engine, the other place the pipeline's build and measure steps run.
 *
 * With --slurm the pipeline (pipeline.h) runs as usual on the submitting machine, but:
 *   build    each build not installed yet (its build key has no WORK/prefix/KEY) becomes one
 *            Slurm job, `gilbench slurm-task build RUN_DIR --only NAME`; installed builds
 *            are reused and verified here, as they would be without --slurm;
 *   measure  the plan's points are split into shards (shards.h); the shards whose trials
 *            are missing become one job array (task K measures shard K, `gilbench
 *            slurm-task measure RUN_DIR`), after the build jobs (afterok), each task
 *            --exclusive --hint=nomultithread, at most --array-limit at once; then one merge
 *            job after the array and the builds (afterany), `gilbench slurm-task merge
 *            RUN_DIR`, merges the shards, writes the report and the archive exactly as a run
 *            here does, and
 *            records its outcome in RUN_DIR/slurm/merge.json. The submitting gilbench prints
 *            the job ids, lets go of the run directory, waits (polling squeue and the
 *            shards' files) with progress, and takes the merge's outcome as its own (exit
 *            code, summary); with --no-wait it returns once everything is submitted.
 * Every job runs gilbench itself (this binary's absolute path) in RUN_DIR, with the
 * submitter's environment (sbatch's default), so the run directory and the work area must
 * be on a filesystem every node sees. Batch scripts and logs go to RUN_DIR/slurm/. What a
 * run needs to continue (the number of shards, the options, each submission's job ids) is
 * kept in run.json ("extra": {"slurm": ...}), so `run --resume RUN_DIR --slurm` submits
 * only the shards that are not complete, and `run --resume RUN_DIR` without --slurm
 * finishes them here. docs/slurm.md has the user's side. */
#ifndef GILBENCH_SLURMRUN_H
#define GILBENCH_SLURMRUN_H

#include <stdbool.h>
#include <stddef.h>

#include "source.h"

#define RUN_SLURM "slurm"              /* RUN_DIR/slurm: batch scripts, job logs, merge.json */
#define RUN_SLURM_OUTCOME "merge.json" /* the merge job's outcome, in RUN_DIR/slurm */

struct pipeline;
struct slurmrun;

int slurmrun_build(struct pipeline *p, size_t b, const struct source *src);
	/* --slurm, build b of side src: 0 when installed (build_one reuses it here), 1 when a Slurm job was
	   submitted to build it; -1 with the error (jobs of this run still queued, sbatch refused, ...) */
int slurmrun_measure(struct pipeline *p);
	/* --slurm: submit the shards left and the merge job, then wait for the merge and take its outcome
	   into p (out, summary, summary_path); --no-wait: return once submitted; -1 with the error */
int slurmrun_whole(struct pipeline *p);
	/* --slurm for a kind that measures in its own way (bisect: steps one after the other): the whole run
	   (build, measure, report, archive) as one exclusive job, `slurm-task run`, waited for; its outcome
	   taken into p as a merge job's; -1 with the error */
int slurmrun_shards(const struct pipeline *p);  /* the number of shards run.json records; 0: not split */
int slurmrun_here(struct pipeline *p);          /* a run split into shards, continued here: each shard not complete, then the merge */
int slurmrun_merge(struct pipeline *p);
	/* every shard complete: their files merged into RUN_DIR's (shards_merge), failed builds counted in p->out;
	   else -1 naming each shard that is not, with its attempts and its log's last lines */
int slurmrun_outcome(struct pipeline *p, int rc, int code);
	/* the merge job's end: RUN_DIR/slurm/merge.json with its exit CODE, the error (errmsg() when RC < 0), p->out
	   and the summary, for the submitter to take; -1 with the error */
int slurmrun_status(const char *dir, bool json);
	/* gilbench status: where a run stands (builds, shards, merge), from its files and squeue, on stdout */
void slurmrun_free(struct slurmrun *s);         /* jobs submitted but not recorded in run.json (a submission that failed
                                                   half-way) are cancelled first */

#endif
