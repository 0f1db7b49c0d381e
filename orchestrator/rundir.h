/* rundir.h: the run directory, the contract between stages.
 *
 * A stage reads files from it and writes files to it; no stage reaches into another's
 * memory. Its layout (docs/rundir.md describes each file's fields):
 *
 *   run.json                 what kind of run this is and what continuing it needs (sides)
 *   config.yaml              the config as given, byte for byte (compare: the derived one)
 *   experiments/..., patches/  the scripts and patches config.yaml names, copied in
 *   plan.json                cells with their ids
 *   metadata.json            provenance: versions, machine, times, noise readings
 *   builds/NAME/build.json   one built interpreter: build key, prefix, python, GIL state
 *   builds/NAME/STEP.log     configure.log, make.log, install.log, verify.log
 *   results.jsonl            one line per finished trial, appended and fsync'd
 *   rounds.jsonl             one line per finished round: the canary around it, the wait for quiet
 *   results.json             per-cell statistics and comparisons (report stage)
 *   report.md, report.html   the report; plots/NAME.svg its plots
 *   pyperf/VARIANT.json      the results in pyperf's JSON format
 *   manifest.json            written by the archive stage: every member's sha256
 *
 * The archive of a run directory DIR is DIR.tar.gz beside it. A run directory is
 * self-contained: its config.yaml is always loaded with config_load_rundir(), which finds
 * each script and patch inside the directory and nowhere else.
 *
 * A side is one revision of the source that the run measures: a run has one (the config's
 * source, or --ref), a compare two (A and B, whose builds and variants are NAME.A and
 * NAME.B). Each side records the ref asked for and, once the source is prepared, the
 * commit (or tarball sha256) it resolved to, so that continuing a run builds exactly that. */
#ifndef GILBENCH_RUNDIR_H
#define GILBENCH_RUNDIR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define RUN_STATE "run.json"
#define RUN_CONFIG "config.yaml"
#define RUN_PLAN "plan.json"
#define RUN_METADATA "metadata.json"
#define RUN_BUILDS "builds"
#define RUN_BUILDREC "build.json"
#define RUN_RESULTS "results.jsonl"
#define RUN_ROUNDS "rounds.jsonl"
#define RUN_STATS "results.json"
#define RUN_REPORT_MD "report.md"
#define RUN_REPORT_HTML "report.html"
#define RUN_PLOTS "plots"
#define RUN_PYPERF "pyperf"
#define RUN_PATCHES "patches"
#define RUN_MANIFEST "manifest.json"
#define RUN_LOCK ".lock"
#define RUNSTATE_VERSION 1

#include "config.h"

struct lock;

enum runkind { KIND_RUN, KIND_COMPARE, KIND_REPRODUCE, KIND_NIGHTLY, KIND_BISECT, NKINDS };

struct side {
	char *name;             /* "" for a run's one side; "A", "B" for compare */
	char *suffix;           /* what its builds' and variants' names end in: "" or ".A" */
	char *ref;              /* the ref asked for, or NULL for the config's */
	char *commit;           /* the source id it resolved to, or NULL until the source is prepared */
};

struct rundir {
	char *dir;              /* absolute */
	struct lock *lk;        /* held while open */
	enum runkind kind;
	struct side *sides;
	size_t nsides;
	json_t *extra;          /* the kind's own fields of run.json (compare's tie, reproduce's archive) */
	char *created;          /* UTC time stamp */
	bool resumed;           /* opened with rundir_open */
};

const char *runkind_name(enum runkind k);                      /* "run", "compare", "reproduce", "nightly", "bisect" */
int rundir_is(const char *dir);                                /* 1: a run directory made by gilbench (run.json, or config.yaml and
                                                                  metadata.json from before run.json); 0: not; -1 with the error */
int rundir_create(struct rundir *r, const char *out, const char *name, enum runkind kind);
	/* OUT, else reports/NAME[-KIND]-STAMP: made (or empty) and locked; a folder holding anything is refused
	   (a run: "already holds a run"); -1 with the error */
enum runkind rundir_kindof(const char *dir);                    /* the kind DIR's run.json records (KIND_RUN before run.json), NKINDS when not a run */
int rundir_open(struct rundir *r, const char *dir);            /* an existing run directory, locked, run.json read; -1 with the error */
void rundir_addside(struct rundir *r, const char *name, const char *ref); /* a side named NAME (suffix ".NAME", none when "") */
int rundir_save(const struct rundir *r);                       /* write run.json; -1 with the error */
void rundir_close(struct rundir *r);                           /* unlock and free; zeroes it */

int rundir_seed(const struct config *cfg, const char *rundir);        /* config.yaml byte for byte, then rundir_copy_inputs */
int rundir_copy_inputs(const struct config *cfg, const char *rundir); /* scripts (with the .py files beside them) and patches (RUN_DIR/patches/NAME) */
int config_load_rundir(const char *rundir, struct config **out);      /* RUN_DIR/config.yaml, every path found inside RUN_DIR; -1 with the error */

#endif
