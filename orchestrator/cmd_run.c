/* cmd_run.c: `gilbench run`, the whole pipeline in one command.
 *
 * `run CONFIG` makes a run directory seeded with the config as given (and the scripts and
 * patches it names), records one side (the config's source, or --ref) and drives the
 * pipeline: sources, builds, trials, report, archive (pipeline.h). `run --resume RUN_DIR`
 * continues any run directory as the kind it records: a compare resumed this way still
 * builds each side from its own commit. */
#include "cmd.h"
#include "pipeline.h"
#include "util.h"

#include <stdio.h>

static int run_main(struct opts *o)
{
	struct pipeopts po;
	struct pipeline p = {0};
	const char *resume = opt_text(o, OPT_RESUME);
	int rc;

	if (resume && (o->nargs || opt_set(o, OPT_OUT) || opt_set(o, OPT_REF)))
		return cmd_error(&cmd_run, "--resume RUN_DIR takes no CONFIG, --out or --ref");
	if (!resume && (rc = cmd_operands(&cmd_run, o, 1, 1, "CONFIG")) != 0)
		return rc;
	cmd_pipeopts(o, &po);
	rc = resume ? pipeline_resume(&p, &po, resume, NKINDS)
	            : pipeline_new(&p, &po, o->args[0], opt_text(o, OPT_OUT), opt_text(o, OPT_REF));
	if (rc == 0)
		rc = pipeline_all(&p);
	if (rc == 0)
		cmd_summary(&p);
	rc = cmd_end(&p, rc, opt_text(o, OPT_OUT));
	pipeline_free(&p);
	return rc;
}

static const struct cmdopt opts[] = {
	{ OPT_OUT, "the run directory to make (default reports/NAME-STAMP); the archive is RUN_DIR.tar.gz" },
	{ OPT_RESUME, "continue an interrupted run directory (of any kind: run, compare, reproduce)" },
	{ OPT_WORK, NULL }, { OPT_REF, NULL }, { OPT_CPUS, NULL }, { OPT_MIN_TRIALS, NULL }, { OPT_MAX_TRIALS, NULL },
	{ OPT_TARGET, NULL }, { OPT_NO_ARCHIVE, NULL }, { OPT_QUIET, NULL },
	{ NOPTS, NULL },
};

const struct cmd cmd_run = {
	"run",
	"CONFIG [--out RUN_DIR] [options]\n       gilbench run --resume RUN_DIR [options]",
	"fetch, build, verify, measure, report and archive: the whole lab in one command",
	"exit codes: 0 done, 1 error, 2 usage, 3 a build's GIL state is wrong, 4 some builds or trials\n"
	"            failed, 130 interrupted (continue with --resume RUN_DIR)\n",
	opts,
	run_main,
};
