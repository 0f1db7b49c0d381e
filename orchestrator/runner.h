/* runner.h: the run stage: every trial of a plan, interleaved, recorded as it finishes,
 * with the machine watched so that what other processes or a slow host spoil is repeated.
 *
 * runner_run() reads RUN_DIR/builds/NAME/build.json for each build, probes each runnable
 * variant's interpreter (its GIL state must match the config), writes plan.json and
 * metadata.json, then runs the points in plan order: per point, warm-up rounds and then
 * measured rounds, each round running every variant once with the order rotated by one per
 * round. Each trial is appended to results.jsonl (whole line, fsync'd) as it ends, with
 * what other processes took of its CPUs while it ran; one above run.interference is
 * contaminated. Around each round the speed canary is timed (run.canary); a round during
 * which the machine was slower than its reference is slow; rounds.jsonl records each round.
 * Contaminated and slow trials stay on disk but are left out of the statistics, and the
 * point gets extra interleaved rounds (up to run.repeats) until every cell has its trials
 * clean; a cell that cannot get them is marked. Before each round the runner can wait for
 * the machine to be quiet (run.quiet). Adaptive trials (a target relative 95% CI
 * half-width) add rounds until every cell meets the target and every comparison with the
 * baseline is decided (verdict.h: not inconclusive), or max_trials is reached. --resume
 * skips (cell, round) pairs already recorded and replays the decisions they led to.
 * SIGINT/SIGTERM (spawn_interrupted) kill the trial in flight, which is not recorded.
 *
 * metadata.json (written before the first trial, rewritten at the end or on interruption):
 *   gilbench, status (running|complete|interrupted|error), config {name, sha256}, source,
 *   patches [{name, sha256}], builds {NAME: {ok, error, key, python, configure, compiler,
 *   version, config_args, gil_disabled}}, variants {NAME: {build, env, expect_gil,
 *   gil_enabled, python_version, skipped}}, machine {kernel, machine, cpu, cores,
 *   memory_kb, governor, turbo, aslr}, load_start, others_at_start, busy_at_start, load_end,
 *   started, resumed [times], ended, gilbench_cpu, gilbench_maxrss_kb,
 *   noise [{experiment, point, other_cpu_share, load_before, load_after, noisy}],
 *   nonconverged [{cell, experiment, variant, point, trials, halfwidth}],
 *   interference {threshold, contaminated, slow, repeated_rounds, short [{cell, experiment,
 *   variant, point, clean, wanted}]}, canary {threshold, reference, reference_runs, median,
 *   slowdown, slow_rounds, rounds, slow_run, store, python [{experiment, point, wall}]},
 *   runopts {resume, cpus, min_trials, max_trials, target}, trials {planned, ran, resumed,
 *   ok, failed, timeout, bad_output, contaminated}. */
#ifndef GILBENCH_RUNNER_H
#define GILBENCH_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "plan.h"

struct runopts {
	bool resume;            /* continue an existing results.jsonl */
	const char *cpus;       /* pin trials to these CPUs; NULL: run.cpus from the config */
	int min_trials, max_trials; /* adaptive trials; 0: from the config */
	double target;          /* relative 95% CI half-width to reach; 0: from the config (0 there: off) */
	const char *cache;      /* where the machine's canary reference lives (paths.h); NULL: found by paths_cache() */
	const char *const *variants; /* NULL-terminated names of the variants to run; NULL: all */
	const char *experiment; /* run only this experiment; NULL: all */
	const char *point;      /* only the point with this label; NULL: every point */
	bool more_rounds;       /* append fresh interleaved rounds after the highest recorded for the selected cells */
};

struct runsummary {
	size_t planned;         /* trials the schedule holds (adaptive and repeats: as finally decided) */
	size_t ran;             /* trials run by this call */
	size_t resumed;         /* trials found in results.jsonl and skipped */
	size_t ok, failed, timedout, badoutput; /* of the trials run by this call */
	size_t contaminated;    /* trials run by this call that other processes interfered with */
	size_t slow_rounds;     /* rounds the canary found slow */
	size_t repeated_rounds; /* rounds added to replace contaminated or slow trials */
	size_t short_cells;     /* cells left with fewer clean trials than asked for */
	size_t skipped_variants; /* variants whose build failed (ok=false) and were not run */
	size_t noisy_points;    /* points run while other processes used the machine */
	size_t nonconverged;    /* cells that did not reach the target, or comparisons left inconclusive, at max_trials */
	bool gil_mismatch;      /* -1 because a variant's GIL state was not the expected one */
};

int runner_run(const char *rundir, const struct config *cfg, const struct plan *plan,
               const struct runopts *o, struct runsummary *sum);
	/* 0: every scheduled trial ran (sum says how many failed); -1: error (errmsg), interrupted
	   (spawn_interrupted set) or a GIL mismatch (sum->gil_mismatch) */
bool runsummary_partial(const struct runsummary *sum); /* some trials failed or variants were skipped */

#endif
