/* canary.h: the speed canary, a small fixed CPU-bound workload whose time says how fast
 * this machine is right now, and the machine's reference speed for it (docs/canary.md).
 *
 * Two workloads: one in C inside gilbench (the machine) and a short Python loop run by an
 * interpreter (the machine and the interpreter path). A sample is the median of CANARY_REPS
 * repetitions of one workload, each timed with CLOCK_MONOTONIC (wall) and the thread's CPU
 * clock; under a CPU quota or a busy host the wall time grows while the CPU time does not.
 *
 * The reference lives in CACHE/canary/MACHINE.json, MACHINE being the sha256 of the
 * machine's identity (CPU model, cores, memory, kernel release, hostname). It keeps, per
 * series ("c", or "python:ID" per interpreter), the medians of the last CANARY_HISTORY runs
 * and the reference: their CANARY_QUANTILE quantile. slowdown = sample / reference - 1; a
 * sample is slow above a threshold (CANARY_THRESHOLD unless told). */
#ifndef GILBENCH_CANARY_H
#define GILBENCH_CANARY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hash.h"

#define CANARY_REPS 3            /* repetitions per sample; the sample is their median */
#define CANARY_MAXREPS 16        /* the most repetitions a sample holds */
#define CANARY_C_ITERS 2500000u  /* iterations of the C workload: about 5 ms on a 2020s x86 core */
#define CANARY_PY_ITERS 100000u  /* iterations of the Python loop: about 8 ms on CPython 3.11 */
#define CANARY_PY_TIMEOUT 60.0   /* seconds the Python canary may take, start-up included */
#define CANARY_THRESHOLD 0.05    /* a sample more than 5% slower than the reference is slow */
#define CANARY_HISTORY 20        /* runs kept per series */
#define CANARY_QUANTILE 0.50     /* the reference: this quantile of the kept runs' medians (their median:
                                    the typical speed; a faster quantile would call a normal run slow) */
#define CANARY_MAXSERIES 32      /* series kept per machine; the least recently updated goes first */
#define CANARY_SERIES_C "c"      /* the C workload's series */

struct canary_rep {
	double wall;            /* seconds, CLOCK_MONOTONIC (Python: time.perf_counter) */
	double cpu;             /* seconds of the thread's CPU time (Python: time.thread_time) */
};

struct canary_sample {
	char *series;           /* "c" or "python:" and 16 hex digits of sha256(version, path) */
	char *label;            /* "C", or "Python 3.13.5 at /path/to/python" */
	time_t at;              /* when it was taken (wall clock) */
	double wall;            /* the sample: the median of the repetitions' wall times, seconds */
	double cpu;             /* the median of the repetitions' CPU times, seconds */
	double cost;            /* seconds the whole sample took: pinning, repetitions, the interpreter's start */
	uint64_t result;        /* the workload's result, the same on every run */
	int nreps;
	struct canary_rep reps[CANARY_MAXREPS];
};

struct canary_verdict {
	size_t n;               /* samples judged */
	size_t nslow;           /* samples slower than reference * (1 + threshold) */
	double median;          /* the samples' median, seconds */
	double cv;              /* their coefficient of variation; NAN when n < 2 */
	double median_slowdown; /* median / reference - 1; NAN without a reference */
	double slow_share;      /* nslow / n; NAN without a reference or samples */
	bool slow_run;          /* median_slowdown above the threshold: the whole run was on a slow machine */
};

/* the workloads */
uint64_t canary_work(uint32_t iters);                  /* the C workload: a xorshift chain, deterministic, no memory traffic */
uint64_t canary_py_expected(uint32_t iters);           /* what the Python loop must print for iters */
int canary_c(const char *cpus, int reps, struct canary_sample *out);
                                                       /* one C sample of reps (1..CANARY_MAXREPS) repetitions, the thread
                                                          pinned to cpus ("0,2-3"; NULL: not pinned) and its affinity restored;
                                                          -1 with the error */
int canary_python(const char *python, char *const *envp, const char *cpus, int reps, struct canary_sample *out);
                                                       /* one Python sample: PYTHON -S -c CODE through spawn() (own process group,
                                                          timeout, envp or a minimal fixed one when NULL, pinned to cpus); its
                                                          output checked (result, repetitions); -1 with the error naming PYTHON */
void canary_sample_free(struct canary_sample *s);      /* free series and label; zero it */
json_t *canary_sample_json(const struct canary_sample *s); /* new {series, label, at, wall, cpu, cost, result (16 hex digits),
                                                          reps: [[wall, cpu], ...]}, times in seconds */
int canary_sample_parse(json_t *j, struct canary_sample *out); /* the reverse; -1 with the error naming the member */

/* judging */
double canary_slowdown(double sample, double reference); /* sample / reference - 1; NAN when either is unknown or not positive */
bool canary_is_slow(double sample, double reference, double threshold); /* slowdown above threshold; false when unknown */
void canary_judge(const double *samples, size_t n, double reference, double threshold, struct canary_verdict *v);
                                                       /* a run's samples (seconds) against the reference (NAN: none) */

/* the machine and its reference */
json_t *canary_machine(void);                          /* new {cpu, cores, memory_mib, kernel, hostname}; unknown ones null */
void canary_machine_id(const json_t *machine, char hex[HEXLEN]); /* sha256 of its compact JSON, keys sorted */
double canary_rule(const double *medians, size_t n);   /* the reference from runs' medians, oldest first: the CANARY_QUANTILE
                                                          quantile of the last CANARY_HISTORY; NAN when n == 0 */

struct canary_store;
int canary_store_open(const char *cache, struct canary_store **out);
                                                       /* CACHE/canary/MACHINE.json, created later by record; missing is empty;
                                                          a corrupt, foreign or non-regular file is -1 with an error naming it */
double canary_store_reference(const struct canary_store *s, const char *series, size_t *nruns);
                                                       /* the series' reference in seconds and its run count; NAN and 0 when none */
int canary_store_record(struct canary_store *s, const char *series, const char *label, const double *samples, size_t n);
                                                       /* add one run (the median of its n samples) under the file's lock: re-read,
                                                          append, keep the last CANARY_HISTORY, recompute the reference, write
                                                          atomically; -1 with the error */
const char *canary_store_path(const struct canary_store *s);  /* the file */
const char *canary_store_id(const struct canary_store *s);    /* MACHINE, 64 hex digits */
json_t *canary_store_json(const struct canary_store *s); /* new, for a run's provenance: {file, machine_id, machine, rule, series} */
void delcanarystore(struct canary_store *s);           /* NULL is fine */

#endif
