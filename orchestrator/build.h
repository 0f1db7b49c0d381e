/* build.h: the build stage, from a patched source tree to a verified, installed interpreter.
 *
 * A build is keyed by a hash of everything that can change the binary (source id, patch
 * contents, configure flags, make variables, the environment configure reads, compiler
 * version, recipe number). WORK/prefix/KEY holding .gilbench-build.json is a finished
 * build and is reused as it is (only verified); otherwise configure, make and make install
 * run out of tree in WORK/slot/SLOT/obj (the same folder for every revision built with the
 * same flags, so ccache reuses neighbouring commits' objects) under a lock on
 * WORK/prefix/KEY.lock and then one on the slot, install goes to a
 * temporary DESTDIR renamed into place, and the marker is written last. Every step's log
 * lands in RUN_DIR/builds/NAME/, and the record in RUN_DIR/builds/NAME/build.json. */
#ifndef GILBENCH_BUILD_H
#define GILBENCH_BUILD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "hash.h"
#include "interp.h"
#include "paths.h"
#include "source.h"

#define BUILD_RECIPE 1                     /* bump when the way builds are made changes */
#define BUILD_MARKER ".gilbench-build.json" /* in a prefix: the build is complete */

enum { STEP_CONFIGURE, STEP_MAKE, STEP_INSTALL, NSTEPS };

struct buildrec {
	char *name;             /* the build's name in the config */
	char *key;              /* 64 hex digits */
	json_t *inputs;         /* what the key hashes (source, patches, configure, make, env, compiler, recipe) */
	char *prefix;           /* WORK/prefix/KEY */
	char *python;           /* PREFIX/bin/python3.X or python3.Xt, or NULL when none was installed */
	bool reused;            /* found installed: nothing was built */
	bool ok;                /* built (or reused) and verified */
	bool interrupted;       /* stopped by SIGINT or SIGTERM */
	bool verify_failed;     /* installed, but the GIL state does not match the flags */
	char *error;            /* what went wrong (may span lines: a log's tail), or NULL */
	char *failed_step;      /* "configure", "make", "install", "verify", or NULL */
	double seconds[NSTEPS]; /* each step's wall time (those of the original build when reused) */
	struct interp interp;   /* what the installed python says it is (when probed) */
	long ccache_hits, ccache_misses; /* during this build; 0 when reused or without ccache */
};

int build_key(const struct config *cfg, size_t b, const struct source *src, char key[HEXLEN], json_t **inputs); /* key of cfg->builds[b]; inputs (may be NULL) gets the hashed object; -1 with the error */
int build_one(const struct config *cfg, size_t b, const struct source *src, const struct paths *p,
              const char *rundir, struct buildrec *out); /* build or reuse, verify, write the record; a failing build is out->ok false; -1 only for errors outside the build itself */
int buildrec_write(const char *rundir, const struct buildrec *r); /* RUN_DIR/builds/NAME/build.json (docs/rundir.md); -1 with the error */
int buildrec_read(const char *rundir, const char *name, struct buildrec *r); /* the reverse; -1 with the error */
void buildrec_free(struct buildrec *r);    /* free the fields and zero it */
void buildrecs_free(struct buildrec *v, size_t n); /* free an array of records */

#endif
