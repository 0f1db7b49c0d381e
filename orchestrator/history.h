/* history.h: the nightly history, a SQLite index of measured runs (docs/nightly.md).
 *
 * The run directories and their archives are the truth; the database is an index of them
 * that `gilbench history import` rebuilds from any set of them. It holds one row per
 * machine, per run (the machine, the config's name and sha256, the commit with its date,
 * first parent and first-parent depth, the ref, gilbench's version, the run directory and
 * the archive with its sha256, the times, the speed canary), per series (machine x config x
 * plan cell: one experiment, point and variant), per measured trial, and per alert, plus
 * the schema version. docs/nightly.md lists the tables.
 *
 * Every change is one transaction (BEGIN IMMEDIATE ... COMMIT), so a process killed at any
 * moment leaves the database as it was before or after the change, never between. A file
 * that is not a SQLite database, is not a gilbench history, or was made by a newer schema
 * is refused with an error naming it, before anything is written. Several processes may
 * use one database: a writer waits up to a minute for another's transaction. */
#ifndef GILBENCH_HISTORY_H
#define GILBENCH_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

#define HISTORY_SCHEMA 1                        /* the schema this gilbench writes and reads */
#define HISTORY_DEFAULT "reports/history.sqlite" /* without --db or $GILBENCH_DB */

struct history;

struct htrial {
	int round;              /* the trial's measured round */
	double value;           /* its metric; NAN when it failed */
	bool ok;                /* finished with a metric */
};

struct hcell {                  /* one plan cell's measured trials in one run */
	char cell[CELLIDLEN];   /* the plan's cell id: with machine and config, the series */
	char *experiment, *point, *variant, *metric;
	bool lower_is_better;
	bool gil;               /* the variant runs with the GIL */
	bool nogil_build;       /* its build is free-threaded (--disable-gil) */
	bool scaling;           /* the experiment's table is a scaling one */
	double x;               /* the point's first matrix value as a number; NAN: none */
	char *group;            /* the point's other matrix values ("" when none) */
	double threshold;       /* the experiment's alert threshold (share) */
	int order;              /* the cell's place in the plan */
	struct htrial *t;
	size_t n;
};

struct hcanary {
	bool present;           /* metadata.json had a canary */
	double reference, median, slowdown; /* seconds, seconds, share; NAN when unknown */
	long slow_rounds, rounds;
	bool slow_run;
};

struct hrun {                   /* one run as the history records it */
	char *uid;              /* the same run (directory or archive) always has the same uid */
	char *machine;          /* machine id, 64 hex digits */
	json_t *machine_desc;   /* what identifies it ({cpu, cores, memory_mib, hostname} or {name}) */
	char *kernel;           /* the kernel it ran on, or NULL */
	char *config, *config_sha256;
	char *commit, *parent, *subject; /* parent "" for a root commit */
	long long commit_time;  /* committer time, seconds since the epoch */
	long long position;     /* first-parent depth: the commit's place in the series */
	char *ref, *url, *kind, *version;
	char *rundir;           /* absolute, or NULL (imported from an archive alone) */
	char *archive, *archive_sha256; /* or NULL */
	char *created, *started, *ended, *status;
	char *results_sha256;   /* of results.jsonl: a run that changed is updated */
	struct hcanary canary;
	struct hcell *cells;
	size_t ncells;
};

enum hinsert { HIST_ADDED, HIST_SAME, HIST_UPDATED };

int history_open(const char *path, bool create, struct history **out);
	/* PATH (NULL: $GILBENCH_DB, else HISTORY_DEFAULT); create: make it (and its folder) when absent, else
	   absent is an error; a corrupt, foreign or newer file is refused naming it; -1 with the error */
void history_close(struct history *h);          /* NULL is fine */
const char *history_path(const struct history *h);
int history_insert(struct history *h, const struct hrun *r, enum hinsert *what);
	/* one transaction: a new run and its trials (ADDED), nothing when its uid and results are there (SAME;
	   a missing archive is filled in), or its trials replaced when its results changed (UPDATED) */
int history_has(struct history *h, const char *machine, const char *config, const char *commit);
	/* 1: a run of commit on machine with config is recorded; 0: none; -1 with the error */
int history_has_rundir(struct history *h, const char *dir); /* 1: a run recorded from run directory DIR (absolute); 0; -1 */
int history_undetected(struct history *h, const char *config);
	/* 1: runs of config recorded since the last history_detected(); 0: none; -1 */
int history_detected(struct history *h, const char *config); /* mark every run of config as covered by detection */
int history_configs(struct history *h, struct strlist *out); /* the configs recorded, by name; -1 */
int history_begin(struct history *h);           /* make the next calls one transaction (waits for another writer); -1 */
int history_commit(struct history *h);          /* end it, keeping its changes; -1 after rolling back */
void history_rollback(struct history *h);       /* end it, undoing its changes (nothing when none is open) */
void hrun_free(struct hrun *r);

/* the series of one config, as detection reads them */
struct hnight {                 /* one commit of a machine's history */
	char *commit, *parent, *subject;
	long long time, position;
	char *rundir, *archive; /* of the newest run at it (either may be NULL) */
	int64_t run;            /* that run's row id */
	size_t nruns;
	char *kernel;
	double canary;          /* the canary's median in the newest run that has one; NAN: none */
};

struct hpoint {                 /* a series' trials at one night */
	double *v;              /* ok trials' values, by run and round */
	int64_t *run;
	int *round;
	size_t n;
};

struct hseries {
	char *cell, *experiment, *point, *variant, *metric, *group;
	bool lower_is_better, gil, nogil_build, scaling;
	double x, threshold;
	int order;
	struct hpoint *at;      /* one per night of its machine */
};

struct hmachine {
	char *id;
	char *desc;             /* the machine's description (JSON text) */
	struct hnight *nights;  /* first-parent order */
	size_t nn;
	struct hseries *s;      /* in plan order */
	size_t ns;
};

struct halert {                 /* one stored alert */
	int64_t id;
	char *machine, *config, *series, *label, *experiment, *last_good, *first_bad, *raised, *acked, *note;
	double ratio, lo, hi, p, p_confirm;
	json_t *evidence;
};

int history_load(struct history *h, const char *config, struct hmachine **out, size_t *n);
	/* every machine's nights and series of config; -1 with the error */
void hmachines_free(struct hmachine *m, size_t n);
int history_alerts(struct history *h, const char *config, struct halert **out, size_t *n);
	/* the alerts of config (NULL: all), newest first; -1 */
int history_raise(struct history *h, const struct halert *a, int64_t *id);
	/* store a new alert (id and raised are set here); 1 when one for its series and first bad commit
	   was there already (*id is that one); 0; -1 */
int history_ack(struct history *h, int64_t id, const char *note); /* 0, 1 when there is no such alert, -1 */
void halerts_free(struct halert *a, size_t n);

/* views */
int history_runs_json(struct history *h, const char *commit, json_t **out);
	/* the runs (commit: those whose id starts with it), oldest commit first, each with its machine,
	   config, commit, archive, times, canary and trial counts; -1 */
int history_cells_json(struct history *h, int64_t run, json_t **out);
	/* per series of a run: experiment, point, variant, n, median, 95% interval of the mean; -1 */

#endif
