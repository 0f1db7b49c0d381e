/* gitsrc.h: git sources through libgit2.
 *
 * One bare mirror per repository url under CACHE/git/, fetched with tags; a ref (branch,
 * tag, annotated tag, full or short commit id) resolved to a full commit id; a detached
 * checkout of that commit into a folder. Transfer and checkout progress go through log.h. */
#ifndef GILBENCH_GITSRC_H
#define GILBENCH_GITSRC_H

#include <stdbool.h>

#include "paths.h"

int gitsrc_mirror(const char *url, const struct paths *p, char **mirror); /* clone or fetch; path of the mirror */
int gitsrc_resolve(const char *mirror, const char *ref, char commit[41]); /* -1: unknown or ambiguous ref */
int gitsrc_checkout(const char *mirror, const char *commit, const char *dir); /* files of commit into dir (created) */
char *gitsrc_mirror_path(const char *url, const struct paths *p); /* CACHE/git/HASH.git for url (not created); NULL with the error */
void gitsrc_shutdown(void); /* release libgit2 if a gitsrc call started it (tests, for valgrind) */

#endif
