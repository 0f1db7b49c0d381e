/* derive.h: the config a run of several revisions measures.
 *
 * `gilbench compare CONFIG REV_A REV_B` measures one run directory whose config.yaml is
 * CONFIG with every build and variant twice, NAME.A and NAME.B, so that the runner
 * interleaves both revisions' trials as it interleaves any variants. `gilbench bisect`
 * measures one experiment's variants once per side (NAME.good, NAME.bad, NAME.ID for each
 * commit it steps to), the builds those variants need and nothing else. */
#ifndef GILBENCH_DERIVE_H
#define GILBENCH_DERIVE_H

#include "config.h"

struct derivesel {
	const char *const *suffixes; /* one copy of each build and variant per suffix (".A", ".good"); NULL-terminated */
	const char *const *variants; /* keep only these variants and the builds they run on; NULL: all */
	const char *experiment;      /* keep only this experiment; NULL: all */
};

int derive_sides(const struct config *cfg, const char *path, const char *commit0, const char *desc,
                 const struct derivesel *sel);
	/* write PATH: CFG's text with builds and variants per suffix as SEL says, the source at COMMIT0,
	   DESC as its description; -1 with the error */
int derive_compare(const struct config *cfg, const char *path, const char *commit_a, const char *desc);
	/* write PATH: CFG's text with builds and variants per side, the source at COMMIT_A, DESC as its
	   description; -1 with the error */

#endif
