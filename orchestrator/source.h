/* source.h: the source stage, giving a complete, patched CPython tree for the config.
 *
 * A tarball source is downloaded (fetch.h) into the content-addressed cache, verified,
 * and extracted safely (extract.h); a git source is mirrored and checked out (gitsrc.h).
 * The config's patches are then applied in order (patch.h). The result lives in the work
 * area at src/KEY, where KEY hashes the source id and the patches' contents; it is built in
 * a temporary folder and renamed into place only when complete, under a lock, so a
 * half-extracted or half-patched tree is never reused. */
#ifndef GILBENCH_SOURCE_H
#define GILBENCH_SOURCE_H

#include <stdbool.h>

#include "config.h"
#include "paths.h"

struct source {
	char *kind;     /* "tarball" or "git" */
	char *id;       /* tarball sha256 or full commit id: what every record carries */
	char *origin;   /* the url or place it came from */
	char *ref;      /* git: the ref as asked for; tarball: NULL */
	char *tree;     /* absolute path of the complete, patched tree */
	char *key;      /* hash of id and patch contents (names the tree) */
	bool reused;    /* the tree was there already: this call made nothing */
};

int source_prepare(const struct config *cfg, const struct paths *p, const char *ref,
                   struct source *out); /* ref overrides the config's git ref (NULL: keep) */
void source_free(struct source *s);

#endif
