/* cmd_report.c: `gilbench report RUN_DIR [--no-plots] [--quiet]`, the report stage alone.
 *
 * Hands the run directory to report_run_opts() (report.c), which reads config.yaml,
 * results.jsonl, the build records and metadata.json and writes results.json, report.md,
 * report.html, plots/ and pyperf/. Exit codes: 0 written, 4 written but some builds or
 * trials failed (the report's Failures section lists them), 1 the run directory could not
 * be read (a missing config, a damaged results line...), 2 bad command line. */
#include "cmd.h"
#include "report.h"
#include "util.h"

#include <stdio.h>

static int report_main(struct opts *op)
{
	struct reportopts o = { .plots = !opt_set(op, OPT_NO_PLOTS), .quiet = opt_set(op, OPT_QUIET) };
	int r;

	if ((r = cmd_operands(&cmd_report, op, 1, 1, "RUN_DIR")) != 0)
		return r;
	r = report_run_opts(op->args[0], &o);
	if (r < 0)
		return cmd_fail();
	return r > 0 ? EXIT_PARTIAL : EXIT_OK;
}

static const struct cmdopt opts[] = {
	{ OPT_NO_PLOTS, NULL },
	{ OPT_QUIET, "no noise warnings on stderr" },
	{ NOPTS, NULL },
};

const struct cmd cmd_report = {
	"report",
	"RUN_DIR [--no-plots] [--quiet]",
	"write the report of a run directory (Markdown, HTML, plots, results.json, pyperf JSON)",
	"Reads RUN_DIR/config.yaml, results.jsonl, builds/*/build.json and metadata.json; writes\n"
	"results.json, report.md, report.html, plots/*.svg and pyperf/VARIANT.json into RUN_DIR.\n"
	"Exit codes: 0 written, 4 written but some builds or trials failed (see its Failures\n"
	"section), 1 the run directory could not be read. docs/report.md explains the report.\n",
	opts,
	report_main,
};
