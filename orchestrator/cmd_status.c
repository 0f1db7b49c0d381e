/* cmd_status.c: `gilbench status RUN_DIR [--json]`, where a run on Slurm stands.
 *
 * Reads the run directory without locking it (the merge job may hold it): the jobs its
 * last submission made (run.json), what squeue still lists of them, and each shard's
 * files, and prints one line per build job, per shard (its points, state, trials, node,
 * attempts, and the end of its log when it failed) and for the merge job (its state, and
 * its exit code and report once it ended); --json prints the same as one JSON document
 * (slurmrun_status, docs/slurm.md). Without a reachable Slurm, the states come from the
 * files alone. Exit: 0, 1 when RUN_DIR is no run directory or was not run on Slurm. */
#include "cmd.h"
#include "slurmrun.h"
#include "util.h"

static int status_main(struct opts *o)
{
	int rc;

	if ((rc = cmd_operands(&cmd_status, o, 1, 1, "RUN_DIR")) != 0)
		return rc;
	if (slurmrun_status(o->args[0], opt_set(o, OPT_JSON)) < 0)
		return cmd_fail();
	return EXIT_OK;
}

static const struct cmdopt opts[] = {
	{ OPT_JSON, "print the state as one JSON document" },
	{ NOPTS, NULL },
};

const struct cmd cmd_status = {
	"status",
	"RUN_DIR [--json]",
	"where a run on Slurm stands: its build jobs, shards and merge job",
	"States: a build job is pending, running, built, failed or ended without a record; a shard\n"
	"is complete, pending, running, failed (not listed by squeue and not complete: its log's\n"
	"last lines follow) or not submitted; the merge job is pending, running or ended (with its\n"
	"exit code and report). Continue a run with failed shards: gilbench run --resume RUN_DIR --slurm\n",
	opts,
	status_main,
};
