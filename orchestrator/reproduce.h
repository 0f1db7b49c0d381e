/* reproduce.h: an archived run set beside the same run made here.
 *
 * reproduce_open() turns an archive from anywhere into a run directory gilbench can trust:
 * verified once against its manifest, extracted safely, its config loaded self-contained
 * (nothing it names may lie outside the archive). reproduce_seed() makes the new run
 * directory from it: the archived config.yaml byte for byte with the scripts and patches
 * the archive holds, and under RUN_DIR/archived/ the archived run's own results, metadata
 * and build records, so that the comparison survives an interruption and the new run
 * directory is as self-contained as any other. reproduce_write() is the kind's finish:
 * the archived figures beside the new ones (compare.h, "reproduced" for cells shown the
 * same) and how the two machines differ, as reproduce.md, reproduce.html, reproduce.json. */
#ifndef GILBENCH_REPRODUCE_H
#define GILBENCH_REPRODUCE_H

#include "compare.h"
#include "config.h"

#define RUN_ARCHIVED "archived"  /* the archived run, inside the new run directory */

int reproduce_open(const char *archive, const char *tmp, char **adir, struct config **acfg);
	/* verify and extract ARCHIVE into TMP/archived and load its config: 0; 1 when the archive
	   failed verification (the error lists every problem); -1 with the error */
int reproduce_seed(const char *adir, const struct config *acfg, const char *rundir, char **ref);
	/* seed RUN_DIR from the extracted archive; *ref: the commit the archived builds were made from
	   (git sources), or NULL for a tarball; -1 with the error */
int reproduce_write(const char *rundir, const char *archive, const char *source, double tie, struct comparesummary *s,
                    char **md, char **mdpath);
	/* the reproduction's report (SOURCE: the source id both sides were built from); *md its Markdown,
	   *mdpath where it is; -1 with the error */

#endif
