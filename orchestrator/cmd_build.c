/* cmd_build.c: `gilbench build CONFIG [--out RUN_DIR] [--work DIR] [--ref REF] [--only NAME]`.
 *
 * The source and build stages alone: loads the config, takes the run directory's lock,
 * seeds it when new (the config, the experiments' scripts and the patches, as `gilbench
 * run` does, so that `gilbench measure RUN_DIR` can follow), prepares the patched source tree
 * (source.h), then builds or reuses every build (or only --only NAME) with build.h, which
 * writes RUN_DIR/builds/NAME/{build.json,*.log}. Prints one line per build: name, reused
 * or built in N s, the python path and its GIL state; a failed build's error (the failing
 * step and its log's tail) goes to stderr. Exit: 0, 3 when an interpreter's GIL state does
 * not match its flags, 4 when a build failed, 130 when interrupted. */
#include "build.h"
#include "cmd.h"
#include "compare.h"
#include "config.h"
#include "lock.h"
#include "log.h"
#include "paths.h"
#include "rundir.h"
#include "source.h"
#include "spawn.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct option opts[] = {
	{"out", required_argument, NULL, 'o'},
	{"work", required_argument, NULL, 'w'},
	{"ref", required_argument, NULL, 'r'},
	{"only", required_argument, NULL, 'n'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static void printrec(const struct buildrec *r, int width)
{
	double total = r->seconds[STEP_CONFIGURE] + r->seconds[STEP_MAKE] + r->seconds[STEP_INSTALL];

	if (r->ok) {
		if (r->reused)
			printf("%-*s  reused           %s  GIL %s\n", width, r->name, r->python,
			       r->interp.gil_enabled ? "enabled" : "disabled");
		else
			printf("%-*s  built in %5.0fs  %s  GIL %s\n", width, r->name, total, r->python,
			       r->interp.gil_enabled ? "enabled" : "disabled");
		return;
	}
	printf("%-*s  FAILED at %s\n", width, r->name, r->failed_step ? r->failed_step : "?");
	fflush(stdout);
	fprintf(stderr, "gilbench: build %s failed at %s: %s\n", r->name, r->failed_step ? r->failed_step : "?",
	        r->error ? r->error : "unknown error");
}

static int build_main(int argc, char **argv)
{
	const char *out = NULL, *work = NULL, *ref = NULL, *only = NULL;
	struct config *cfg = NULL;
	struct paths p = {0};
	struct source src = {0};
	struct buildrec *recs = NULL;
	struct lock *lk = NULL;
	char *rundir = NULL, *stamp = NULL, *lockpath = NULL, *cfgcopy = NULL;
	size_t n = 0, only_idx = 0;
	int c, rc = EXIT_OK, width = 4;
	bool verify_failed = false, interrupted = false, failed = false;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:w:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'w':
			work = optarg;
			break;
		case 'r':
			ref = optarg;
			break;
		case 'n':
			only = optarg;
			break;
		case 'h':
			cmd_usage(&cmd_build, 0);
			return EXIT_OK;
		default:
			return cmd_error(&cmd_build, "unknown option");
		}
	}
	if (optind != argc - 1)
		return cmd_error(&cmd_build, optind >= argc ? "missing CONFIG" : "too many arguments");
	if (config_load(argv[optind], &cfg) < 0)
		goto fail;
	if (only) {
		for (only_idx = 0; only_idx < cfg->nbuilds; only_idx++)
			if (strcmp(cfg->builds[only_idx].name, only) == 0)
				break;
		if (only_idx == cfg->nbuilds) {
			struct buf names = {0};
			for (size_t i = 0; i < cfg->nbuilds; i++)
				bufaddf(&names, "%s%s", i ? ", " : "", cfg->builds[i].name);
			errorf("%s: no build named '%s' (builds: %s)", cfg->path, only, names.s ? names.s : "none");
			buffree(&names);
			goto fail;
		}
	}
	if (paths_init(&p, work) < 0)
		goto fail;
	if (out) {
		rundir = xstrdup(out);
	} else {
		stamp = utcstamp(true);
		rundir = xasprintf("reports/%s-build-%s", cfg->name, stamp);
	}
	if (mkdirp(rundir, 0755) < 0) {
		errwrap("run directory");
		goto fail;
	}
	lockpath = pathjoin(rundir, RUN_LOCK);
	if (lock_take(lockpath, false, rundir, &lk) < 0)
		goto fail;
	cfgcopy = pathjoin(rundir, RUN_CONFIG);
	if (!exists(cfgcopy)) {
		if (copyfile(cfg->path, cfgcopy) < 0) {
			errwrap("run directory");
			goto fail;
		}
		if (rundir_copy_inputs(cfg, rundir) < 0)
			warn("%s (`gilbench measure %s` will not find it)", errmsg(), rundir);
	}
	if (source_prepare(cfg, &p, ref, &src) < 0)
		goto fail;
	if (only) {
		recs = xcalloc(1, sizeof(*recs));
		n = 1;
		if (build_one(cfg, only_idx, &src, &p, rundir, &recs[0]) < 0)
			goto fail;
	} else if (build_all(cfg, &src, &p, rundir, &recs, &n) < 0) {
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(recs[i].name) > width)
			width = (int)strlen(recs[i].name);
	for (size_t i = 0; i < n; i++) {
		printrec(&recs[i], width);
		failed |= !recs[i].ok;
		verify_failed |= recs[i].verify_failed;
		interrupted |= recs[i].interrupted;
	}
	fflush(stdout);
	logmsg("build records in %s/%s", rundir, RUN_BUILDS);
	if (interrupted || spawn_interrupted)
		rc = EXIT_INTERRUPTED;
	else if (verify_failed)
		rc = EXIT_VERIFY;
	else if (failed)
		rc = EXIT_PARTIAL;
	goto cleanup;
fail:
	rc = cmd_fail();
cleanup:
	buildrecs_free(recs, n);
	lock_release(lk);
	source_free(&src);
	paths_free(&p);
	delconfig(cfg);
	free(rundir);
	free(stamp);
	free(lockpath);
	free(cfgcopy);
	return rc;
}

const struct cmd cmd_build = {
	"build",
	"CONFIG [--out RUN_DIR] [--work DIR] [--ref REF] [--only NAME]",
	"build (or reuse) and verify the config's interpreters",
	"  -o, --out RUN_DIR  where the build records and logs go (default reports/NAME-build-STAMP)\n"
	"  -w, --work DIR     work area for sources, build folders and prefixes\n"
	"                     (default $GILBENCH_WORK, else ./builds)\n"
	"  -r, --ref REF      for a git source: build this branch, tag or commit instead\n"
	"      --only NAME    only the build called NAME\n"
	"  -h, --help         this help\n\n"
	"A build whose key (source, patches, configure flags, make variables, environment,\n"
	"compiler) is already installed in the work area is reused without running anything.\n"
	"Each build's interpreter must report the GIL state its flags ask for.\n"
	"Writes RUN_DIR/builds/NAME/build.json and configure.log, make.log, install.log,\n"
	"verify.log. Exit: 0 all built, 3 a GIL state does not match, 4 a build failed,\n"
	"130 interrupted.\n",
	build_main,
};
