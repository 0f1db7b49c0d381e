/* rundir.h: the run directory, the contract between stages.
 *
 * A stage reads files from it and writes files to it; no stage reaches into another's
 * memory. Its layout (docs/rundir.md describes each file's fields):
 *
 *   config.yaml              the config as given, byte for byte
 *   plan.json                cells with their ids
 *   metadata.json            provenance: versions, machine, times, noise readings
 *   builds/NAME/build.json   one built interpreter: build key, prefix, python, GIL state
 *   builds/NAME/STEP.log     configure.log, make.log, install.log, verify.log
 *   results.jsonl            one line per finished trial, appended and fsync'd
 *   results.json             per-cell statistics and comparisons (report stage)
 *   report.md, report.html   the report; plots/NAME.svg its plots
 *   pyperf/VARIANT.json      the results in pyperf's JSON format
 *   manifest.json            written by the archive stage: every member's sha256
 *
 * The archive of a run directory DIR is DIR.tar.gz beside it. A run directory is
 * self-contained: rundir_seed() copies in what its config.yaml names (rundir.c). */
#ifndef GILBENCH_RUNDIR_H
#define GILBENCH_RUNDIR_H

#define RUN_CONFIG "config.yaml"
#define RUN_PLAN "plan.json"
#define RUN_METADATA "metadata.json"
#define RUN_BUILDS "builds"
#define RUN_BUILDREC "build.json"
#define RUN_RESULTS "results.jsonl"
#define RUN_STATS "results.json"
#define RUN_REPORT_MD "report.md"
#define RUN_REPORT_HTML "report.html"
#define RUN_PLOTS "plots"
#define RUN_PYPERF "pyperf"
#define RUN_MANIFEST "manifest.json"
#define RUN_LOCK ".lock"

#include "config.h"

struct lock;

int rundir_create(const char *out, const char *name, const char *kind, const char *hint, char **rundir,
                  struct lock **lk); /* OUT, else reports/NAME[-KIND]-STAMP: made and locked; one that holds a run is refused, the error ending with HINT */

int rundir_seed(const struct config *cfg, const char *rundir);        /* config.yaml byte for byte, then rundir_copy_inputs */
int rundir_copy_inputs(const struct config *cfg, const char *rundir); /* scripts (with the .py files beside them) and patches where RUN_DIR's config finds them */
char *rundir_patch_name(const struct patchconf *pc);                   /* the patch's name in a config written for a run directory: as written, or its file name when outside the config's folder */

#endif
