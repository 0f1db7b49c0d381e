/* runner.h: the run stage: every trial of a plan, interleaved, recorded as it finishes.
 *
 * runner_run() reads RUN_DIR/builds/NAME/build.json for each build, probes each runnable
 * variant's interpreter (its GIL state must match the config), writes plan.json and
 * metadata.json, then runs the points in plan order: per point, warm-up rounds and then
 * measured rounds, each round running every variant once with the order rotated by one per
 * round. Each trial is appended to results.jsonl (whole line, fsync'd) as it ends.
 * Adaptive trials (a target relative 95% CI half-width) add rounds to a point until every
 * cell meets the target or max_trials is reached. Between points it reads how busy the
 * machine is and flags noisy points. --resume skips (cell, round) pairs already recorded.
 * SIGINT/SIGTERM (spawn_interrupted) kill the trial in flight, which is not recorded.
 *
 * metadata.json (written before the first trial, rewritten at the end or on interruption):
 *   gilbench, status (running|complete|interrupted|error), config {name, sha256}, source,
 *   patches [{name, sha256}], builds {NAME: {ok, error, key, python, configure, compiler,
 *   version, config_args, gil_disabled}}, variants {NAME: {build, env, expect_gil,
 *   gil_enabled, python_version, skipped}}, machine {kernel, machine, cpu, cores,
 *   memory_kb, governor, turbo, aslr}, load_start, busy_at_start, load_end ({1m, 5m, 15m}),
 *   started, resumed [times], ended, gilbench_cpu, gilbench_maxrss_kb,
 *   noise [{experiment, point, other_cpu_share, load_before, load_after, noisy}],
 *   nonconverged [{cell, experiment, variant, point, trials, halfwidth}],
 *   runopts {resume, cpus, min_trials, max_trials, target}, trials {planned, ran, resumed,
 *   ok, failed, timeout, bad_output}. */
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
	const char *const *variants; /* NULL-terminated names of the variants to run; NULL: all */
	const char *experiment; /* run only this experiment; NULL: all */
	const char *point;      /* only the point with this label; NULL: every point */
	bool more_rounds;       /* append fresh interleaved rounds after the highest recorded for the selected cells */
};

struct runsummary {
	size_t planned;         /* trials the schedule holds (adaptive: as finally decided) */
	size_t ran;             /* trials run by this call */
	size_t resumed;         /* trials found in results.jsonl and skipped */
	size_t ok, failed, timedout, badoutput; /* of the trials run by this call */
	size_t skipped_variants; /* variants whose build failed (ok=false) and were not run */
	size_t noisy_points;    /* points run while the machine was busy */
	size_t nonconverged;    /* cells that did not reach the target at max_trials */
	bool gil_mismatch;      /* -1 because a variant's GIL state was not the expected one */
};

int runner_run(const char *rundir, const struct config *cfg, const struct plan *plan,
               const struct runopts *o, struct runsummary *sum);
	/* 0: every scheduled trial ran (sum says how many failed); -1: error (errmsg), interrupted
	   (spawn_interrupted set) or a GIL mismatch (sum->gil_mismatch) */
bool runsummary_partial(const struct runsummary *sum); /* some trials failed or variants were skipped */

#endif
