/* config.h: a run's YAML description as a typed struct (schema version 1).
 *
 * config_load() reads the file with libyaml and checks it strictly: unknown keys,
 * duplicate keys, anchors and aliases, wrong types, out-of-range numbers and missing
 * required fields are errors of the form "FILE:LINE:COL: KEY: problem". Paths in the
 * config (scripts, patches) are resolved and checked to exist at load time, so nothing
 * starts on a config that would fail later. docs/config.md documents every key. */
#ifndef GILBENCH_CONFIG_H
#define GILBENCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct pos {
	int line, col; /* 1-based place in the file, for later error messages */
};

struct kv {
	char *key, *value;
	struct pos pos;
};

struct kvlist { /* string pairs in the order written */
	struct kv *v;
	size_t n;
};

enum srckind { SRC_TARBALL, SRC_GIT };

struct srcconf {
	enum srckind kind;
	char *sha256;           /* tarball: required, 64 lowercase hex digits */
	struct strlist from;    /* tarball: https://, http://, file://, debian-source:PKG=VERSION, in order */
	char *url, *ref;        /* git: repository url (or path) and branch, tag or commit */
	struct pos pos;
};

struct patchconf {
	char *name;             /* as written */
	char *path;             /* resolved absolute path */
	struct pos pos;
};

struct buildconf {
	char *name;             /* [A-Za-z0-9._-]+, unique */
	struct strlist configure; /* configure flags, in order */
	struct kvlist make;     /* make variables, passed as NAME=VALUE to make */
	struct kvlist env;      /* environment for configure and make (CC, CFLAGS, ...) */
	int jobs;               /* make -jN; 0 means the number of CPUs */
	bool gil_disabled;      /* derived: configure has --disable-gil */
	struct pos pos;
};

struct variantconf {
	char *name;             /* unique among variants */
	size_t build;           /* index into config.builds */
	struct kvlist env;      /* runtime environment added for this variant (PYTHON_GIL=1, ...) */
	bool expect_gil;        /* derived: whether sys._is_gil_enabled() must be true */
	struct pos pos;
};

struct dimconf {                /* one matrix dimension: threads: [1, 2, 4, 8] */
	char *name;
	struct strlist values;
};

enum tablekind { TABLE_TIMES, TABLE_LOST_UPDATES, TABLE_SCALING };

struct refconf {                /* published figures to set beside ours, for one variant */
	char *variant;          /* a variant's name */
	double *values;         /* one per point (one without a matrix), in the table's unit: */
	size_t n;               /* seconds, or the share of updates lost for lost-updates */
};

struct expconf {
	char *name;             /* unique */
	char *title;            /* report heading; defaults to name */
	char *script;           /* as written */
	char *scriptpath;       /* resolved absolute path */
	struct kvlist args;     /* fixed arguments: --key value */
	struct dimconf *matrix; /* dimensions, in order; a point is one value of each */
	size_t nmatrix;
	int trials;             /* measured trials per cell (>= 1) */
	int warmup;             /* discarded trials per cell before the measured ones */
	double timeout;         /* seconds per trial */
	char *metric;           /* key of the result object that is measured ("seconds") */
	bool lower_is_better;
	char *expect_key;       /* correctness: result key that must equal expect_value, or NULL */
	double expect_value;
	enum tablekind table;   /* report form; TABLE_SCALING when it has a matrix and no table: key */
	struct refconf *refs;   /* reference: {VARIANT: number or [numbers per point]} */
	size_t nrefs;
	struct pos pos;
};

struct runconf {
	int warmup;             /* default warm-up trials for experiments that do not say (0) */
	double timeout;         /* default trial timeout in seconds (600) */
	int min_trials, max_trials; /* adaptive trials; 0: use each experiment's trials */
	double target;          /* relative 95% CI half-width to stop at; 0: off */
	char *cpus;             /* pin trials to these CPUs, or NULL */
	char *hashseed;         /* PYTHONHASHSEED for trials ("0" by default) */
	struct strlist pass_env; /* variables passed from gilbench's environment to trials */
	double cv_threshold;    /* flag cells whose coefficient of variation is above this (0.10) */
	double tie;             /* summary calls differences under this share a tie (0.05) */
	double interference;    /* a trial is contaminated when other processes used more than this share of its CPUs (0.10; 0: off) */
	int repeats;            /* extra interleaved rounds per point to replace contaminated or slow-machine trials (-1: as many as its trials) */
	double canary;          /* a round is slow when the canary ran slower than the reference by more than this (0.05; 0: off) */
	double quiet_load, quiet_wait; /* run.quiet: before each round, wait up to quiet_wait seconds until other processes
	                                  keep at most quiet_load cores busy (quiet_wait 0: do not wait) */
};

struct config {
	char *path;             /* as given */
	char *dir;              /* absolute folder holding the file */
	char *hash;             /* sha256 of the file's bytes */
	int version;            /* 1 */
	char *name;             /* [A-Za-z0-9._-]+ */
	char *description;      /* or NULL */
	char *reference;        /* where the experiments' reference figures come from, or NULL */
	struct srcconf source;
	struct patchconf *patches;
	size_t npatches;
	struct buildconf *builds;
	size_t nbuilds;
	struct variantconf *variants; /* one per build when the file has no variants: */
	size_t nvariants;
	struct expconf *exps;
	size_t nexps;
	struct runconf run;
};

int config_load(const char *path, struct config **out);          /* read, parse, check; -1 with "FILE:LINE:COL: ..." */
int config_load_inrun(const char *path, struct config **out);    /* the same for a run directory's config.yaml: every script and
                                                                    patch must be a regular file inside its folder (a patch is
                                                                    found by file name in patches/), nothing outside is read */
int config_parse(const char *text, size_t len, const char *path, /* same, from memory; path names it in errors */
                 struct config **out);                          /* and anchors relative paths */
void delconfig(struct config *c);
const char *kv_get(const struct kvlist *l, const char *key);    /* value or NULL */

#endif
