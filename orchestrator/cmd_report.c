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

#include <getopt.h>
#include <stdio.h>

enum { OPT_NO_PLOTS = 256 };

static const struct option opts[] = {
	{"no-plots", no_argument, NULL, OPT_NO_PLOTS},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int report_main(int argc, char **argv)
{
	struct reportopts o = { .plots = true };
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_NO_PLOTS:
			o.plots = false;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			cmd_usage(&cmd_report, 0);
			return EXIT_OK;
		default:
			return cmd_error(&cmd_report, "unknown option");
		}
	}
	if (optind != argc - 1)
		return cmd_error(&cmd_report, optind >= argc ? "missing RUN_DIR" : "too many arguments");
	r = report_run_opts(argv[optind], &o);
	if (r < 0)
		return cmd_fail();
	return r > 0 ? EXIT_PARTIAL : EXIT_OK;
}

const struct cmd cmd_report = {
	"report",
	"RUN_DIR [--no-plots] [--quiet]",
	"write the report of a run directory (Markdown, HTML, plots, results.json, pyperf JSON)",
	"  --no-plots   do not run gnuplot: no plots/ and no plots in the HTML\n"
	"  -q, --quiet  no noise warnings on stderr\n"
	"  -h, --help   this help\n\n"
	"Reads RUN_DIR/config.yaml, results.jsonl, builds/*/build.json and metadata.json; writes\n"
	"results.json, report.md, report.html, plots/*.svg and pyperf/VARIANT.json into RUN_DIR.\n"
	"Exit codes: 0 written, 4 written but some builds or trials failed (see its Failures\n"
	"section), 1 the run directory could not be read. docs/report.md explains the report.\n",
	report_main,
};
