/* report.h: the report stage: statistics and tables from a run directory.
 *
 * report_run() reads RUN_DIR/config.yaml, expands the plan, reads results.jsonl, every
 * builds/NAME/build.json and metadata.json (missing build records and metadata are
 * tolerated), and writes results.json, report.md, report.html, plots/NAME.svg and
 * pyperf/VARIANT.json into the run directory. docs/report.md describes the tables, the
 * statistics and results.json's fields. */
#ifndef GILBENCH_REPORT_H
#define GILBENCH_REPORT_H

#include <stdbool.h>

struct reportopts {
	bool plots;             /* draw plots with gnuplot (a missing gnuplot only warns) */
	bool quiet;             /* no noise warnings on stderr */
};

int report_run(const char *rundir);                                   /* all outputs, with plots: 0 written, 1 written but
                                                                         some builds or trials failed, -1 with the error */
int report_run_opts(const char *rundir, const struct reportopts *o); /* the same, with options */
const char *report_variant_label(const char *variant);               /* "gil" -> "GIL", "nogil" -> "no-GIL", else as is */

#endif
