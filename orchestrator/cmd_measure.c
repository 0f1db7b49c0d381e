/* cmd_measure.c: `gilbench measure RUN_DIR`, the run stage alone.
 *
 * Opens the run directory (locked, so two gilbench processes never append to one
 * results.jsonl) and runs the pipeline's measure step: the plan of its own config.yaml,
 * trials interleaved across variants, appended to results.jsonl. `--resume RUN_DIR`
 * continues a results.jsonl that already holds trials. Exit codes: 0 every trial ran and
 * succeeded, 4 some trials failed or some builds' variants were skipped, 3 a variant's GIL
 * state was not the expected one, 130 interrupted (continue with --resume), 1 other errors. */
#include "cmd.h"
#include "log.h"
#include "pipeline.h"
#include "util.h"

static int measure_main(struct opts *o)
{
	struct pipeopts po;
	struct pipeline p = {0};
	const char *dir = opt_text(o, OPT_RESUME);
	int rc;

	if ((rc = cmd_operands(&cmd_measure, o, dir ? 0 : 1, dir ? 0 : 1, dir ? "no RUN_DIR besides --resume's" : "RUN_DIR")) != 0)
		return rc;
	cmd_pipeopts(o, &po);
	rc = pipeline_resume(&p, &po, dir ? dir : o->args[0], NKINDS);
	if (rc == 0) {
		p.run.resumed = dir != NULL; /* without --resume, trials already there are refused */
		rc = pipeline_measure(&p);
	}
	if (rc == 0)
		logmsg("measured: %zu trials run (%zu ok, %zu failed, %zu timed out, %zu bad output), %zu resumed",
		       p.sum.ran, p.sum.ok, p.sum.failed, p.sum.timedout, p.sum.badoutput, p.sum.resumed);
	rc = cmd_end(&p, rc, NULL);
	pipeline_free(&p);
	return rc;
}

static const struct cmdopt opts[] = {
	{ OPT_RESUME, "continue RUN_DIR/results.jsonl: trials already recorded are skipped" },
	{ OPT_CPUS, NULL }, { OPT_MIN_TRIALS, NULL }, { OPT_MAX_TRIALS, NULL }, { OPT_TARGET, NULL }, { OPT_QUIET, NULL },
	{ NOPTS, NULL },
};

const struct cmd cmd_measure = {
	"measure",
	"RUN_DIR [--cpus LIST] [--min-trials N] [--max-trials N] [--target PCT]\n"
	"       gilbench measure --resume RUN_DIR [options]",
	"run the trials of a run directory whose builds are done",
	"Reads RUN_DIR/config.yaml and RUN_DIR/builds/*/build.json; writes plan.json, results.jsonl\n"
	"(one line per trial, fsync'd) and metadata.json. Trials of a point are interleaved across\n"
	"variants, the order rotated each round. Exit codes: 0 done, 3 a variant's GIL state is\n"
	"wrong, 4 some trials failed or builds were skipped, 130 interrupted (use --resume).\n",
	opts,
	measure_main,
};
