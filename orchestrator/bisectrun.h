/* bisectrun.h: `gilbench bisect` on real builds, as a kind of run the pipeline drives.
 *
 * A bisect run directory holds the config as given (bisect.yaml), a derived config.yaml
 * with the chosen experiment's chosen variants once per side (NAME.good, NAME.bad and
 * NAME.ID for each commit stepped to, ID its first 12 hex digits), and in run.json's extra
 * "bisect" the search's state: the selection, the range of first-parent commits, each
 * measurement (which commits, its side and build, the first round it owns) and each
 * verdict. The pipeline builds GOOD and BAD (the kind's first two sides); its measure step
 * is bisectrun_measure, which runs bisect.c's search with a callback that adds a side per
 * step, rewrites config.yaml (cell ids are content-derived, so earlier cells keep their
 * trials), builds that side alone and runs fresh interleaved rounds of the measurement's
 * cells (runner.h: a selection of variants, one experiment and point, more rounds). A
 * measurement owns its cells' trials from its first round up to the first round of the next
 * measurement sharing a cell, so a resumed bisect replays the search over what
 * results.jsonl holds and measures only what is missing. Its finish writes bisect.md,
 * bisect.html and bisect.json (docs/bisect.md), and sets the outcome: a range or a commit
 * that is not the whole change exits 4, GOOD and BAD alike exits 1. */
#ifndef GILBENCH_BISECTRUN_H
#define GILBENCH_BISECTRUN_H

#include <jansson.h>

#define BISECT_CONFIG "bisect.yaml" /* the config as given, in the run directory */
#define BISECT_STATE "bisect"       /* its key in run.json's extra */

struct pipeline;
struct pipeopts;

struct bisectspec {             /* what a new bisect searches */
	const char *config;     /* the config's path */
	const char *good, *bad; /* refs: BAD's first-parent line must hold GOOD */
	const char *experiment; /* the experiment measured */
	const char *point;      /* its point's label; NULL: its only point */
	const char *const *variants; /* one, or two (the ratio of the first to the second); NULL: the only variant */
	double threshold;       /* the least change that counts, as a share */
	int min_rounds, max_rounds; /* 0: the experiment's trials (at least 3); run.max_trials, else 30 */
	json_t *alert;          /* the nightly alert it starts from (recorded), or NULL */
};

int bisectrun_new(struct pipeline *p, const struct pipeopts *o, const struct bisectspec *b, const char *out);
	/* a new bisect run directory, started: the selection checked against the config (p->out.usage when it
	   does not fit), the refs resolved, the first-parent range listed, config.yaml derived for GOOD and BAD;
	   -1 with the error */
int bisectrun_measure(struct pipeline *p); /* the kind's measure step: the search, continued from what is recorded */
int bisectrun_finish(struct pipeline *p);  /* the kind's finish: bisect.md, .html, .json; p->summary and the outcome */
char *bisectrun_json(const struct pipeline *p); /* bisect.json's text, once finished; NULL with the error */

#endif
