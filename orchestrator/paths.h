/* paths.h: where gilbench keeps what outlives one run directory.
 *
 *   work area   --work DIR, else $GILBENCH_WORK, else ./builds
 *               src/KEY/     extracted (and patched) source trees
 *               slot/SLOT/   out-of-tree build folders (obj/) and a link to the tree
 *                            being built (src/), one per set of build flags
 *               prefix/KEY/  installed interpreters, renamed into place when complete
 *   cache       $GILBENCH_CACHE, else $XDG_CACHE_HOME/gilbench (when absolute), else ~/.cache/gilbench
 *               downloads/SHA256   verified tarballs, content-addressed
 *               git/HASH.git       one full mirror per repository url
 *               apt/               apt's private state for debian-source: downloads
 *               canary/MACHINE.json this machine's canary reference (canary.h)
 *
 * Several clones on one machine (CI's fresh clone included) point --work or
 * $GILBENCH_WORK at one folder and share finished builds. */
#ifndef GILBENCH_PATHS_H
#define GILBENCH_PATHS_H

struct paths {
	char *work;   /* absolute */
	char *cache;  /* absolute */
};

int paths_init(struct paths *p, const char *workopt); /* resolve and create both; -1 with the error */
int paths_cache(char **out);                          /* the cache alone, resolved and created; -1 with the error */
void paths_free(struct paths *p);

#endif
