/* nightly.h: what `gilbench nightly` does around the pipeline (docs/nightly.md).
 *
 * A nightly of config NAME works in its folder (reports/nightly/NAME, or --out), under the
 * lock FOLDER/.lock: a second nightly of the config waits for the first (and then usually
 * finds nothing new). It resolves the config's ref in the git mirror (fetched), and plans:
 *   - run directories of the folder that a killed nightly left unfinished: continued;
 *   - finished ones missing from the history (killed between the archive and the import):
 *     imported;
 *   - with --backfill N [--every K], the first-parent ancestors K, 2K, ... NK commits back
 *     that this machine has not measured with this config, oldest first;
 *   - the ref's commit itself, unless this machine measured it already (--force: again).
 * Each commit gets an ordinary run directory FOLDER/YYYYMMDD-COMMIT12 (the night's UTC date)
 * and its archive beside it, is measured by the pipeline and imported into the history.
 * Then detection runs over the config's history, the pages are written (histpage.h) and the
 * runs are marked as covered, in one transaction: a kill before the end leaves the runs
 * uncovered, and the next nightly detects again even when it has nothing new to measure.
 *
 * Disk: FOLDER/builds.json lists the installed prefixes and source trees that nightly runs
 * made (built, not reused from before the run directory was made) with the commit and when
 * they were last used; after each run, those of all but the last --keep-builds commits are
 * removed, each under its own lock (a locked one is in use and stays), never one of the
 * current commit. The slot's build folders (obj/) are shared by every commit and stay. */
#ifndef GILBENCH_NIGHTLY_H
#define GILBENCH_NIGHTLY_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "hash.h"
#include "history.h"
#include "paths.h"
#include "util.h"

#define NIGHTLY_KEEP_BUILDS 3   /* --keep-builds default */

struct lock;
struct pipeline;

struct nightly {
	struct config *cfg;     /* the config as given */
	struct paths paths;
	char *dir;              /* the nightly's folder, absolute */
	struct lock *lk;        /* held from nightly_open to nightly_close */
	struct history *h;
	char *mirror;
	char head[41];          /* the ref's commit */
	char machine[HEXLEN];   /* this machine's id (histrun.h) */
	struct strlist todo;    /* commits to measure, oldest first */
	struct strlist resume;  /* unfinished run directories, oldest first */
	struct strlist pending; /* finished run directories missing from the history */
	bool undetected;        /* the history has runs of the config that detection has not covered */
};

int nightly_open(struct nightly *n, const char *config, const char *db, const char *work, const char *out);
	/* load CONFIG (a git source), take the folder's lock (waiting), open (or make) the history, fetch the
	   mirror and resolve the ref; -1 with the error */
int nightly_plan(struct nightly *n, int backfill, int every, bool force); /* fill todo, resume, pending; -1 */
bool nightly_idle(const struct nightly *n);  /* nothing to measure, import or detect */
char *nightly_rundir(const struct nightly *n, const char *commit); /* a new FOLDER/YYYYMMDD-COMMIT12[-N] */
int nightly_import(struct nightly *n, const char *rundir); /* the run and its archive into the history; -1 */
int nightly_detect(struct nightly *n, size_t *raised);
	/* detection, pages, runs marked covered: one transaction; *raised: new alerts; -1 */
int nightly_prune(struct nightly *n, const struct pipeline *p, int keep);
	/* record what p's run made, then remove what older commits made beyond keep; -1 only on a broken ledger */
void nightly_close(struct nightly *n);

#endif
