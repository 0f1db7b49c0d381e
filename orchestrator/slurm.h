/* slurm.h: gilbench's thin layer over Slurm's command-line tools.
 *
 * sbatch submits, squeue says what is still queued or running, scancel cancels, sinfo lists
 * the nodes and `scontrol ping` asks whether the controller answers. Each runs through
 * spawn() with an argv array, captured output and a timeout; there is no shell anywhere. A
 * job's command goes into a small batch script, each argument single-quoted, written where
 * the caller says (the run directory keeps it as a record). Clusters without slurmdbd have no
 * sacct, so nothing here reports how a job ended: a job or array task that squeue no longer
 * lists has finished, and the caller judges success by the files its tasks wrote. */
#ifndef GILBENCH_SLURM_H
#define GILBENCH_SLURM_H

#include <stdbool.h>
#include <stddef.h>

#define SLURM_NOTASK (-1L) /* slurmtask.task of a job that is no array */

struct slurmjob {
	const char *name;           /* --job-name */
	const char *script;         /* where the batch script is written (replaced if there) */
	char *const *argv;          /* the command every task runs, NULL-terminated */
	char *const *env;           /* NAME=VALUE items the script exports first; NULL: none */
	const char *cwd;            /* --chdir; NULL: the current folder */
	const char *output, *error; /* --output, --error (%A array's id, %a task, %j job id); NULL: Slurm's slurm-%j.out */
	const char *array;          /* --array ("0-7", "0-7%2"); NULL: one job */
	const char *dependency;     /* --dependency ("afterok:123", "afterany:124"); NULL: none */
	const char *partition;      /* --partition; NULL: the cluster's default */
	const char *timelimit;      /* --time ("30:00", "1-00:00:00"); NULL: the partition's */
	bool exclusive;             /* --exclusive: no other job on the node */
	bool nomultithread;         /* --hint=nomultithread: one task per core */
	char *const *extra;         /* more sbatch options, one argv item each, after all the above (so they win); NULL: none */
};

struct slurmtask {
	long job;       /* the job's id; an array task's is the array's id (squeue's %F) */
	long task;      /* the array task's index (%K), or SLURM_NOTASK */
	char *state;    /* as squeue prints it: PENDING, CONFIGURING, RUNNING, COMPLETING, SUSPENDED, ... */
	char *reason;   /* why it waits (%r): None, Dependency, Resources, JobArrayTaskLimit, ... */
};

struct slurmqueue {
	struct slurmtask *v;
	size_t n;
};

struct slurmnode {
	char *name;     /* NodeName */
	int cpus;       /* CPUs */
	char *state;    /* as sinfo %t prints it: idle, mix, alloc, comp, down*, drain, ... */
};

struct slurmnodes {
	struct slurmnode *v;
	size_t n;
};

extern double slurm_retry_wait; /* seconds before the first retry of a failing squeue, doubling after (default 1) */

int slurm_check(void);  /* sbatch, squeue, scancel and scontrol in PATH, and `scontrol ping` finds the controller up; else -1 saying which tool is missing or what scontrol said */
char *slurm_quote(const char *arg); /* arg as one single-quoted shell word ("it's" gives 'it'\''s'); caller frees */
int slurm_submit(const struct slurmjob *j, long *id); /* write j->script, run `sbatch --parsable` with j's options; the job id (of "123" or "123;cluster") in *id; -1 with sbatch's own message */
int slurm_poll(const long *ids, size_t n, struct slurmqueue *q); /* what squeue still lists of these jobs, one entry per array task (none: all finished); a failing squeue is tried 3 times before -1 */
const struct slurmtask *slurmqueue_find(const struct slurmqueue *q, long job, long task); /* the entry of one job or array task, or NULL: not listed, so finished */
void slurmqueue_free(struct slurmqueue *q); /* free the entries and zero q */
int slurm_cancel(long job, long task); /* scancel a job (task SLURM_NOTASK: with all its array tasks) or one array task; one that already finished is not an error */
int slurm_nodes(struct slurmnodes *out); /* sinfo's nodes with CPUs and state, each once, sorted by name */
void slurmnodes_free(struct slurmnodes *ns); /* free the entries and zero ns */

#endif
