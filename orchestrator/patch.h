/* patch.h: a config's patches applied to a source tree, in order, with GNU patch.
 *
 * Each patch is first tried with --dry-run, so a patch that does not apply changes
 * nothing and the error names the patch, each failing hunk and its file; then it is
 * applied for real. patch's output is appended to a log file. */
#ifndef GILBENCH_PATCH_H
#define GILBENCH_PATCH_H

#include <stddef.h>

#include "config.h"

int patch_apply(const struct patchconf *v, size_t n, const char *tree, const char *logpath); /* apply v[0..n) to tree; -1: "NAME: hunk #2 FAILED at 123 (FILE)" */

#endif
