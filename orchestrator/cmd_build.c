/* cmd_build.c: `gilbench build CONFIG [--out RUN_DIR] [--work DIR] [--ref REF] [--only NAME]`.
 *
 * The source and build stages alone: a new run directory is made and seeded as `gilbench
 * run` does (so that `gilbench measure RUN_DIR` can follow), or --out names one made
 * before from the same config, which is continued; then the pipeline's build step
 * prepares each side's source and builds or reuses every build (or only --only NAME),
 * writing RUN_DIR/builds/NAME/{build.json,*.log}. Prints one line per build: name, reused
 * or built in N s, the python path and its GIL state; a failed build's error (the failing
 * step and its log's tail) goes to stderr. Exit: 0, 3 when an interpreter's GIL state does
 * not match its flags, 4 when a build failed, 130 when interrupted. */
#include "cmd.h"
#include "hash.h"
#include "log.h"
#include "pipeline.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

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
}

/* a run directory for CONFIG: new, or the one --out names when it was made from the same config */
static int open_run(const struct opts *o, const struct pipeopts *po, struct pipeline *p)
{
	const char *out = opt_text(o, OPT_OUT);
	char hex[HEXLEN];

	if (!out || rundir_is(out) != 1)
		return pipeline_new(p, po, o->args[0], out, opt_text(o, OPT_REF));
	if (sha256_file(o->args[0], hex) < 0 || pipeline_resume(p, po, out, KIND_RUN) < 0)
		return -1;
	if (strcmp(p->cfg->hash, hex) != 0)
		return errorf("%s holds a run of another config than %s (its config.yaml differs)", out, o->args[0]);
	return 0;
}

static int build_main(struct opts *o)
{
	struct pipeopts po;
	struct pipeline p = {0};
	int rc, width = 4;

	if ((rc = cmd_operands(&cmd_build, o, 1, 1, "CONFIG")) != 0)
		return rc;
	cmd_pipeopts(o, &po);
	rc = open_run(o, &po, &p);
	if (rc == 0)
		rc = pipeline_build(&p);
	for (size_t i = 0; i < p.nrecs; i++)
		if ((int)strlen(p.recs[i].name) > width)
			width = (int)strlen(p.recs[i].name);
	for (size_t i = 0; i < p.nrecs; i++)
		printrec(&p.recs[i], width);
	fflush(stdout);
	if (rc == 0)
		logmsg("build records in %s/%s", p.run.dir, RUN_BUILDS);
	rc = cmd_end(&p, rc, opt_text(o, OPT_OUT));
	pipeline_free(&p);
	return rc;
}

static const struct cmdopt opts[] = {
	{ OPT_OUT, "where the build records and logs go: a new run directory (default reports/NAME-STAMP), or one "
	           "made before from the same config" },
	{ OPT_WORK, NULL }, { OPT_REF, NULL }, { OPT_ONLY, NULL }, { OPT_QUIET, NULL },
	{ NOPTS, NULL },
};

const struct cmd cmd_build = {
	"build",
	"CONFIG [--out RUN_DIR] [--work DIR] [--ref REF] [--only NAME]",
	"build (or reuse) and verify the config's interpreters",
	"A build whose key (source, patches, configure flags, make variables, environment,\n"
	"compiler) is already installed in the work area is reused without running anything.\n"
	"Each build's interpreter must report the GIL state its flags ask for.\n"
	"Writes RUN_DIR/builds/NAME/build.json and configure.log, make.log, install.log,\n"
	"verify.log. Exit: 0 all built, 3 a GIL state does not match, 4 a build failed,\n"
	"130 interrupted.\n",
	opts,
	build_main,
};
