/* cmd_slurm_task.c: `gilbench slurm-task build|measure|merge|run RUN_DIR`, what the Slurm jobs
 * of a --slurm run execute on the nodes (slurmrun.h writes their batch scripts). Each is a
 * thin driver of the pipeline on the run directory the submitter made:
 *
 *   build RUN_DIR --only NAME [--work DIR]   the pipeline's build step for one build, run
 *       directory not locked (each build job writes only RUN_DIR/builds/NAME/). A build
 *       that fails is recorded (build.json ok=false) and exits 0, as a failed build lets a
 *       run go on here; only an error outside the build fails the job.
 *   measure RUN_DIR [trial options]   the measure step for the shard numbered
 *       $SLURM_ARRAY_TASK_ID, run directory not locked (the shard writes only
 *       RUN_DIR/shards/K/), continuing the shard's own files when an earlier attempt left any.
 *   merge RUN_DIR [--no-archive]   locks the run directory (waiting for the submitter to let
 *       go), merges the shards (slurmrun_merge), writes the report and the archive, and
 *       records the outcome in RUN_DIR/slurm/merge.json for the submitter.
 *   run RUN_DIR [trial options] [--no-archive]   the whole run in this one job (a bisect,
 *       whose steps depend on each other): build, measure, report and archive, the outcome
 *       recorded as the merge job's.
 *
 * Exit codes as every command's. Not meant to be typed; docs/slurm.md documents them. */
#include "cmd.h"
#include "pipeline.h"
#include "slurmrun.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int task_build(const struct opts *o, struct pipeopts *po, struct pipeline *p)
{
	if (!po->only)
		return cmd_error(&cmd_slurm_task, "build wants --only NAME");
	po->lock = RUNDIR_NOLOCK;
	if (pipeline_resume(p, po, o->args[1], NKINDS) < 0 || pipeline_build(p) < 0)
		return cmd_end(p, -1, NULL);
	return EXIT_OK; /* a failed build is in its record: the shards skip its variants */
}

static int task_measure(const struct opts *o, struct pipeopts *po, struct pipeline *p)
{
	const char *task = getenv("SLURM_ARRAY_TASK_ID");
	char *end;
	long k;
	int rc;

	if (!task || !*task)
		return cmd_error(&cmd_slurm_task, "measure runs as a Slurm array task ($SLURM_ARRAY_TASK_ID is not set)");
	k = strtol(task, &end, 10);
	if (*end || k < 0 || k > 100000)
		return cmd_error(&cmd_slurm_task, "$SLURM_ARRAY_TASK_ID is '%s', not a shard number", task);
	po->lock = RUNDIR_NOLOCK;
	rc = pipeline_resume(p, po, o->args[1], NKINDS);
	if (rc == 0 && (p->o.trials.nshards = slurmrun_shards(p)) < 1)
		rc = errorf("%s is not split into shards (run.json records none)", p->run.dir);
	if (rc == 0) {
		p->o.trials.shard = (int)k;
		rc = pipeline_measure(p);
	}
	return cmd_end(p, rc, NULL);
}

/* the end of a job whose outcome the submitter takes (merge, run): merge.json, then the exit code */
static int outcome(struct pipeline *p, int rc)
{
	int code = cmd_end(p, rc, NULL);

	if (slurmrun_outcome(p, rc, code) < 0)
		return cmd_fail();
	if (rc == 0)
		cmd_summary(p);
	return code;
}

static int task_merge(const struct opts *o, struct pipeopts *po, struct pipeline *p)
{
	int rc;

	po->lock = RUNDIR_LOCK_WAIT;
	if (pipeline_resume(p, po, o->args[1], NKINDS) < 0)
		return cmd_end(p, -1, NULL); /* no run directory to record an outcome in */
	rc = slurmrun_merge(p);
	if (rc == 0)
		rc = pipeline_report(p);
	if (rc == 0)
		rc = pipeline_archive(p);
	return outcome(p, rc);
}

/* a whole run in this one job (slurmrun_whole: a bisect): build, measure, report, archive */
static int task_run(const struct opts *o, struct pipeopts *po, struct pipeline *p)
{
	po->lock = RUNDIR_LOCK_WAIT; /* the submitter lets go once the job is recorded */
	if (pipeline_resume(p, po, o->args[1], NKINDS) < 0)
		return cmd_end(p, -1, NULL);
	return outcome(p, pipeline_all(p));
}

static int task_main(struct opts *o)
{
	struct pipeopts po;
	struct pipeline p = {0};
	int rc;

	if ((rc = cmd_operands(&cmd_slurm_task, o, 2, 2, "build, measure, merge or run, and RUN_DIR")) != 0)
		return rc;
	cmd_pipeopts(o, &po);
	if (strcmp(o->args[0], "build") == 0)
		rc = task_build(o, &po, &p);
	else if (strcmp(o->args[0], "measure") == 0)
		rc = task_measure(o, &po, &p);
	else if (strcmp(o->args[0], "merge") == 0)
		rc = task_merge(o, &po, &p);
	else if (strcmp(o->args[0], "run") == 0)
		rc = task_run(o, &po, &p);
	else
		rc = cmd_error(&cmd_slurm_task, "unknown task '%s' (build, measure, merge or run)", o->args[0]);
	pipeline_free(&p);
	return rc;
}

static const struct cmdopt opts[] = {
	{ OPT_ONLY, "build: the build this job builds" }, { OPT_WORK, NULL }, { OPT_CPUS, NULL },
	{ OPT_MIN_TRIALS, NULL }, { OPT_MAX_TRIALS, NULL }, { OPT_TARGET, NULL },
	{ OPT_NO_ARCHIVE, "merge, run: write no archive" }, { OPT_QUIET, NULL },
	{ NOPTS, NULL },
};

const struct cmd cmd_slurm_task = {
	"slurm-task",
	"build RUN_DIR --only NAME [--work DIR] | measure RUN_DIR [trial options] | merge RUN_DIR [--no-archive]\n"
	"       | run RUN_DIR [trial options] [--no-archive]",
	"what the Slurm jobs of a --slurm run execute (not meant to be typed; docs/slurm.md)",
	"build: one build of RUN_DIR (a failed build is recorded and exits 0). measure: the shard\n"
	"$SLURM_ARRAY_TASK_ID of RUN_DIR into RUN_DIR/shards/K/. merge: the shards merged into\n"
	"RUN_DIR, the report and the archive written, the outcome in RUN_DIR/slurm/merge.json.\n"
	"run: the whole of RUN_DIR's run in this job (a bisect), its outcome recorded as merge's.\n",
	opts,
	task_main,
};
