/* cmd_run.c: `gilbench run`, the whole pipeline in one command.
 *
 * config -> run directory (config, scripts and patches copied in, so the directory is
 * self-contained) -> source -> builds -> measure -> report -> archive. Each stage reads
 * and writes the run directory (rundir.h); this file only sequences them and turns their
 * outcomes into one exit code. `--resume RUN_DIR` takes the config from the run directory,
 * reuses the cached builds and continues the trials where they stopped. */
#include "archive.h"
#include "build.h"
#include "cmd.h"
#include "config.h"
#include "lock.h"
#include "log.h"
#include "paths.h"
#include "plan.h"
#include "report.h"
#include "rundir.h"
#include "runner.h"
#include "source.h"
#include "spawn.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"options:\n"
	"  -o, --out RUN_DIR     run directory (default reports/NAME-STAMP); the archive is RUN_DIR.tar.gz\n"
	"      --resume RUN_DIR  continue an interrupted run: its own config, cached builds, missing trials\n"
	"      --work DIR        work area for sources, build trees and prefixes (default $GILBENCH_WORK or ./builds)\n"
	"      --ref REF         git sources: build this branch, tag or commit instead of the config's ref\n"
	"      --cpus LIST       pin trials to these CPUs, e.g. 0 or 0,2-3 (overrides run.cpus)\n"
	"      --min-trials N    adaptive trials: at least N measured rounds per point\n"
	"      --max-trials N    adaptive trials: at most N measured rounds per point\n"
	"      --target PCT      adaptive trials: stop a point once every cell's 95% CI half-width is under PCT% of its mean\n"
	"      --no-archive      skip the archive stage\n"
	"  -q, --quiet           only warnings and errors\n"
	"  -h, --help            this help\n"
	"\nexit codes: 0 done, 1 error, 3 a build's GIL state is wrong, 4 some builds or trials failed,\n"
	"            130 interrupted (resume with --resume RUN_DIR)\n";

enum { OPT_RESUME = 256, OPT_WORK, OPT_REF, OPT_CPUS, OPT_MIN, OPT_MAX, OPT_TARGET, OPT_NOARCHIVE };

static const struct option options[] = {
	{ "out", required_argument, NULL, 'o' },
	{ "resume", required_argument, NULL, OPT_RESUME },
	{ "work", required_argument, NULL, OPT_WORK },
	{ "ref", required_argument, NULL, OPT_REF },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "min-trials", required_argument, NULL, OPT_MIN },
	{ "max-trials", required_argument, NULL, OPT_MAX },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "no-archive", no_argument, NULL, OPT_NOARCHIVE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static int intarg(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 0 || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

static int run_main(int argc, char **argv)
{
	const char *out = NULL, *resume = NULL, *work = NULL, *ref = NULL;
	struct runopts ro = {0};
	struct runsummary sum = {0};
	struct config *cfg = NULL;
	struct plan *plan = NULL;
	struct paths paths = {0};
	struct source src = {0};
	struct buildrec *recs = NULL;
	struct lock *lk = NULL;
	char *rundir = NULL, *cfgpath = NULL, *lockpath = NULL;
	size_t nrecs = 0;
	bool archive = true;
	int c, failed_builds = 0, partial = 0, rc = EXIT_FAIL;
	double t0 = now();

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", options, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case OPT_RESUME: resume = optarg; break;
		case OPT_WORK: work = optarg; break;
		case OPT_REF: ref = optarg; break;
		case OPT_CPUS: ro.cpus = optarg; break;
		case OPT_MIN:
			if (intarg(optarg, &ro.min_trials) < 0)
				return cmd_error(&cmd_run, "--min-trials wants a whole number, got '%s'", optarg);
			break;
		case OPT_MAX:
			if (intarg(optarg, &ro.max_trials) < 0)
				return cmd_error(&cmd_run, "--max-trials wants a whole number, got '%s'", optarg);
			break;
		case OPT_TARGET: {
			char *end;
			ro.target = strtod(optarg, &end) / 100;
			if (end == optarg || *end || ro.target <= 0 || ro.target >= 1)
				return cmd_error(&cmd_run, "--target wants a percentage between 0 and 100, got '%s'", optarg);
			break;
		}
		case OPT_NOARCHIVE: archive = false; break;
		case 'q': log_quiet = true; break;
		case 'h': cmd_usage(&cmd_run, 0); return EXIT_OK;
		default: return cmd_error(&cmd_run, "unknown option");
		}
	}
	if (resume && (optind != argc || out))
		return cmd_error(&cmd_run, "--resume RUN_DIR takes no CONFIG and no --out");
	if (!resume && optind != argc - 1)
		return cmd_error(&cmd_run, "expected one CONFIG");
	if (ro.min_trials && ro.max_trials && ro.max_trials < ro.min_trials)
		return cmd_error(&cmd_run, "--max-trials is below --min-trials");

	/* config and run directory */
	if (resume) {
		ro.resume = true;
		rundir = abspath(resume);
		if (!rundir)
			goto fail;
		cfgpath = pathjoin(rundir, RUN_CONFIG);
		if (!exists(cfgpath)) {
			errorf("%s: not a run directory (no %s)", resume, RUN_CONFIG);
			goto fail;
		}
		if (config_load(cfgpath, &cfg) < 0)
			goto fail;
		lockpath = pathjoin(rundir, RUN_LOCK);
		if (lock_take(lockpath, false, "the run directory", &lk) < 0)
			goto fail;
	} else {
		if (config_load(argv[optind], &cfg) < 0)
			goto fail;
		if (rundir_create(out, cfg->name, NULL, "continue it with gilbench run --resume", &rundir, &lk) < 0)
			goto fail;
		if (rundir_seed(cfg, rundir) < 0)
			goto fail;
	}
	logmsg("run %s: %s", cfg->name, rundir);

	/* source and builds */
	if (paths_init(&paths, work) < 0)
		goto fail;
	failed_builds = build_stage(cfg, &paths, ref, rundir, &src, &recs, &nrecs);
	for (size_t i = 0; i < nrecs; i++)
		if (recs[i].verify_failed)
			rc = EXIT_VERIFY;
	if (failed_builds < 0)
		goto fail;

	/* trials */
	if (plan_make(cfg, &plan) < 0)
		goto fail;
	logmsg("%.2f s from start to the first trial", now() - t0);
	if (runner_run(rundir, cfg, plan, &ro, &sum) < 0) {
		if (sum.gil_mismatch)
			rc = EXIT_VERIFY;
		goto fail;
	}

	/* report and archive */
	partial = report_run(rundir);
	if (partial < 0)
		goto fail;
	if (archive && archive_stage(rundir) < 0)
		goto fail;
	printf("%s/%s\n", rundir, RUN_REPORT_MD);
	if (rc == EXIT_VERIFY)
		goto cleanup;
	rc = failed_builds || partial || runsummary_partial(&sum) ? EXIT_PARTIAL : EXIT_OK;
	goto cleanup;
fail:
	rc = cmd_fail() == EXIT_INTERRUPTED ? EXIT_INTERRUPTED : (rc == EXIT_VERIFY ? EXIT_VERIFY : EXIT_FAIL);
	if (rundir) {
		char *started = pathjoin(rundir, RUN_CONFIG);
		if (exists(started))
			fprintf(stderr, "gilbench: what finished is in %s\n", rundir);
		free(started);
	}
cleanup:
	buildrecs_free(recs, nrecs);
	source_free(&src);
	delplan(plan);
	delconfig(cfg);
	paths_free(&paths);
	lock_release(lk);
	free(lockpath);
	free(cfgpath);
	free(rundir);
	return rc;
}

const struct cmd cmd_run = {
	"run",
	"CONFIG [--out RUN_DIR] [options]\n       gilbench run --resume RUN_DIR [options]",
	"fetch, build, verify, measure, report and archive: the whole lab in one command",
	help,
	run_main,
};
