/* histrun.h: a finished run directory or archive as the history records it, and the
 * identity of a machine.
 *
 * A run can go into the history when it measured one revision of a git source (kinds run,
 * nightly and reproduce) and its run stage completed. Its commit is placed in first-parent
 * order by what run.json's "extra" recorded (a nightly's finish writes it: histrun_stamp)
 * or, failing that, by this machine's git mirror of the config's url. Its machine is the
 * one run.json recorded, else the one metadata.json describes. An archive is verified and
 * extracted to a temporary folder first; a tampered one is refused.
 *
 * A machine is identified by the sha256 (canary_machine_id) of its description: the speed
 * canary's machine (CPU model, cores, memory, hostname) without the kernel release, so that
 * a kernel update keeps a machine's series (each run records its kernel); or, when the
 * environment sets GILBENCH_MACHINE, {"name": that}, for containers whose hostname changes
 * and for naming the machines of a pool. */
#ifndef GILBENCH_HISTRUN_H
#define GILBENCH_HISTRUN_H

#include <jansson.h>

#include "hash.h"
#include "history.h"
#include "paths.h"

struct pipeline;

void hist_machine(json_t **desc, char id[HEXLEN]);  /* this machine's description (new reference) and id */
int hrun_load(const char *dir, const struct paths *p, struct hrun *out);
	/* DIR's run as the history records it (rundir, archive unset); -1 with the error naming DIR */
int hist_import(struct history *h, const char *arg, const struct paths *p, enum hinsert *what, char **commit);
	/* import a run directory (with DIR.tar.gz beside it as its archive, when there) or an archive (verified
	   first); *commit (may be NULL) gets its commit id; 0, 1 when the archive failed verification (nothing
	   imported; the error lists the problems), -1 with the error */
int histrun_stamp(struct pipeline *p);
	/* a nightly's finish: record in run.json's extra the measured commit (id, parent, time, depth, subject,
	   from the mirror) and this machine, so that the run directory places itself; -1 with the error */

#endif
