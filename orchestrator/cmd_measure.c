/* cmd_measure.c: `gilbench measure RUN_DIR [--resume] [--cpus LIST] [--min-trials N]
 * [--max-trials N] [--target PCT]`, the run stage alone.
 *
 * Loads RUN_DIR/config.yaml, expands it into the plan, takes the run directory's lock (so
 * two gilbench processes never append to one results.jsonl) and hands over to
 * runner_run(), which reads the build records the build stage left in RUN_DIR/builds and
 * writes plan.json, results.jsonl and metadata.json. Exit codes: 0 every trial ran and
 * succeeded, 4 some trials failed or some builds' variants were skipped, 3 a variant's GIL
 * state was not the expected one, 130 interrupted (resume with --resume), 1 other errors. */
#include "cmd.h"
#include "config.h"
#include "lock.h"
#include "log.h"
#include "plan.h"
#include "rundir.h"
#include "runner.h"
#include "spawn.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_RESUME = 256, OPT_CPUS, OPT_MIN, OPT_MAX, OPT_TARGET };

static const struct option opts[] = {
	{"resume", no_argument, NULL, OPT_RESUME},
	{"cpus", required_argument, NULL, OPT_CPUS},
	{"min-trials", required_argument, NULL, OPT_MIN},
	{"max-trials", required_argument, NULL, OPT_MAX},
	{"target", required_argument, NULL, OPT_TARGET},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int posint(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 100000)
		return -1;
	*out = (int)v;
	return 0;
}

/* "2" or "2%" (percent) into a fraction */
static int percent(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*end == '%')
		end++;
	if (errno || end == s || *end || !(v > 0) || v > 100)
		return -1;
	*out = v / 100;
	return 0;
}

static int measure_main(int argc, char **argv)
{
	struct runopts o = {0};
	struct runsummary sum = {0};
	struct config *cfg = NULL;
	struct plan *p = NULL;
	struct lock *lk = NULL;
	char *cfgpath = NULL, *lockpath = NULL;
	const char *rundir;
	int c, rc = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_RESUME:
			o.resume = true;
			break;
		case OPT_CPUS:
			o.cpus = optarg;
			break;
		case OPT_MIN:
			if (posint(optarg, &o.min_trials) < 0)
				return cmd_error(&cmd_measure, "--min-trials: expected a whole number from 1, got '%s'", optarg);
			break;
		case OPT_MAX:
			if (posint(optarg, &o.max_trials) < 0)
				return cmd_error(&cmd_measure, "--max-trials: expected a whole number from 1, got '%s'", optarg);
			break;
		case OPT_TARGET:
			if (percent(optarg, &o.target) < 0)
				return cmd_error(&cmd_measure, "--target: expected a percentage above 0, got '%s'", optarg);
			break;
		case 'h':
			cmd_usage(&cmd_measure, 0);
			return EXIT_OK;
		default:
			return cmd_error(&cmd_measure, "unknown option");
		}
	}
	if (optind != argc - 1)
		return cmd_error(&cmd_measure, optind >= argc ? "missing RUN_DIR" : "too many arguments");
	if (o.min_trials && o.max_trials && o.max_trials < o.min_trials)
		return cmd_error(&cmd_measure, "--max-trials (%d) is below --min-trials (%d)", o.max_trials, o.min_trials);
	rundir = argv[optind];
	if (!isdir(rundir)) {
		errorf("%s: not a run directory", rundir);
		return cmd_fail();
	}
	cfgpath = pathjoin(rundir, RUN_CONFIG);
	lockpath = pathjoin(rundir, RUN_LOCK);
	if (config_load(cfgpath, &cfg) < 0 || plan_make(cfg, &p) < 0 ||
	    lock_take(lockpath, false, "the run directory", &lk) < 0) {
		rc = cmd_fail();
		goto cleanup;
	}
	if (runner_run(rundir, cfg, p, &o, &sum) < 0) {
		if (sum.gil_mismatch && !spawn_interrupted) {
			fprintf(stderr, "gilbench: %s\n", errmsg());
			rc = EXIT_VERIFY;
		} else {
			rc = cmd_fail();
		}
		goto cleanup;
	}
	logmsg("measured: %zu trials run (%zu ok, %zu failed, %zu timed out, %zu bad output), %zu resumed",
	       sum.ran, sum.ok, sum.failed, sum.timedout, sum.badoutput, sum.resumed);
	if (runsummary_partial(&sum))
		rc = EXIT_PARTIAL;
cleanup:
	lock_release(lk);
	delplan(p);
	delconfig(cfg);
	free(cfgpath);
	free(lockpath);
	return rc;
}

const struct cmd cmd_measure = {
	"measure",
	"RUN_DIR [--resume] [--cpus LIST] [--min-trials N] [--max-trials N] [--target PCT]",
	"run the trials of a run directory whose builds are done",
	"  --resume          continue RUN_DIR/results.jsonl: trials already recorded are skipped\n"
	"  --cpus LIST       pin every trial to these CPUs (\"0\", \"0,2-3\"); default: run.cpus\n"
	"  --min-trials N    measured trials per cell at least (adaptive: before checking the target)\n"
	"  --max-trials N    measured trials per cell at most\n"
	"  --target PCT      adaptive trials: add rounds until each cell's 95% confidence interval\n"
	"                    half-width is under PCT percent of its mean, or --max-trials (default 20)\n"
	"  -h, --help        this help\n\n"
	"Reads RUN_DIR/config.yaml and RUN_DIR/builds/*/build.json; writes plan.json, results.jsonl\n"
	"(one line per trial, fsync'd) and metadata.json. Trials of a point are interleaved across\n"
	"variants, the order rotated each round. Exit codes: 0 done, 3 a variant's GIL state is\n"
	"wrong, 4 some trials failed or builds were skipped, 130 interrupted (use --resume).\n",
	measure_main,
};
