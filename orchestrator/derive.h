/* derive.h: the config a two-revision compare measures.
 *
 * `gilbench compare CONFIG REV_A REV_B` measures one run directory whose config.yaml is
 * CONFIG with every build and variant twice, NAME.A and NAME.B, so that the runner
 * interleaves both revisions' trials as it interleaves any variants. */
#ifndef GILBENCH_DERIVE_H
#define GILBENCH_DERIVE_H

#include "config.h"

int derive_compare(const struct config *cfg, const char *path, const char *commit_a, const char *desc);
	/* write PATH: CFG's text with builds and variants per side, the source at COMMIT_A, DESC as its
	   description; -1 with the error */

#endif
