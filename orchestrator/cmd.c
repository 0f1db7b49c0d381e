/* cmd.c: the command table and what every command shares: finding the command, parsing
 * its options (opts.c), printing its usage and help, usage errors and the final error line.
 *
 * `gilbench COMMAND ARGS...` looks COMMAND up in cmds[], parses ARGS against the options
 * the command accepts and hands it the result; the command returns the exit code. This
 * lives in the library (main.c only calls cmd_main), so tests can run any command. */
#include "cmd.h"
#include "log.h"
#include "pipeline.h"
#include "spawn.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifndef VERSION
#define VERSION "0.1.0"
#endif

static const struct cmd *cmds[] = {
	&cmd_run, &cmd_plan, &cmd_fetch, &cmd_build, &cmd_measure, &cmd_report, &cmd_archive, &cmd_verify,
	&cmd_compare, &cmd_reproduce, &cmd_canary, &cmd_status, &cmd_slurm_task, &cmd_nightly, &cmd_history,
	&cmd_bisect,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: gilbench COMMAND [ARGS...]\n"
	           "       gilbench --version | --help | help COMMAND\n\n"
	           "Builds CPython with and without the GIL from one YAML file, runs experiments\n"
	           "on both, reports and archives the results.\n\ncommands:\n");
	for (size_t i = 0; i < LEN(cmds); i++)
		fprintf(f, "  %-10s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f, "\nexit codes: 0 done, 1 error, 2 usage, 3 verification failed,\n"
	           "            4 some builds or trials failed, 5 regression found,\n"
	           "            6 inconclusive (compare --fail-on-inconclusive), 130 interrupted\n"
	           "environment: GILBENCH_WORK (work area), GILBENCH_CACHE (download cache),\n"
	           "             GILBENCH_PLAIN (plain log lines even on a terminal),\n"
	           "             GILBENCH_DB (the nightly history), GILBENCH_MACHINE (this machine's name in it)\n");
}

static const struct cmd *lookup(const char *name)
{
	for (size_t i = 0; i < LEN(cmds); i++)
		if (strcmp(cmds[i]->name, name) == 0)
			return cmds[i];
	return NULL;
}

void cmd_usage(const struct cmd *c, int tostderr)
{
	FILE *f = tostderr ? stderr : stdout;

	fprintf(f, "usage: gilbench %s %s\n%s\n\n", c->name, c->usage, c->summary);
	opts_help(c, f);
	if (c->about && *c->about)
		fprintf(f, "\n%s", c->about);
}

int cmd_error(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gilbench %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: gilbench %s %s\n", c->name, c->usage);
	return EXIT_USAGE;
}

int cmd_operands(const struct cmd *c, const struct opts *o, int min, int max, const char *what)
{
	if (o->nargs < min)
		return cmd_error(c, "missing %s", what);
	if (o->nargs > max)
		return cmd_error(c, "too many operands: expected %s, got '%s' too", what, o->args[max]);
	return 0;
}

int cmd_fail(void)
{
	fflush(stdout);
	fprintf(stderr, "gilbench: %s\n", errmsg());
	return spawn_interrupted ? EXIT_INTERRUPTED : EXIT_FAIL;
}

void cmd_pipeopts(const struct opts *o, struct pipeopts *po)
{
	memset(po, 0, sizeof(*po));
	po->work = opt_text(o, OPT_WORK);
	po->only = opt_text(o, OPT_ONLY);
	po->trials.cpus = opt_text(o, OPT_CPUS);
	po->trials.min_trials = opt_count(o, OPT_MIN_TRIALS, 0);
	po->trials.max_trials = opt_count(o, OPT_MAX_TRIALS, 0);
	po->trials.target = opt_share(o, OPT_TARGET, 0);
	po->archive = !opt_set(o, OPT_NO_ARCHIVE);
	po->tie = opt_share(o, OPT_TIE, -1);
	po->fail_regression = opt_share(o, OPT_FAIL_ON_REGRESSION, -1);
	po->fail_inconclusive = opt_set(o, OPT_FAIL_ON_INCONCLUSIVE);
	po->slurm.on = opt_set(o, OPT_SLURM);
	po->slurm.partition = opt_text(o, OPT_PARTITION);
	po->slurm.shards = opt_count(o, OPT_SHARDS, 0);
	po->slurm.array_limit = opt_count(o, OPT_ARRAY_LIMIT, 0);
	po->slurm.sbatch = o->list[OPT_SBATCH].n ? &o->list[OPT_SBATCH] : NULL;
	po->slurm.nowait = opt_set(o, OPT_NO_WAIT);
}

void cmd_summary(const struct pipeline *p)
{
	if (p->summary)
		printf("%s\n", p->summary);
	printf("%s\n", p->summary_path);
	fflush(stdout);
}

int cmd_end(struct pipeline *p, int rc, const char *out)
{
	int code = pipeline_exit(p, rc);
	enum runkind k;

	if (rc == 0)
		return code;
	fflush(stdout);
	fprintf(stderr, "gilbench: %s\n", errmsg());
	if (p->cfg) {
		fprintf(stderr, "gilbench: what finished is in %s\n", p->run.dir);
		if (code == EXIT_INTERRUPTED)
			fprintf(stderr, "gilbench: continue it with %s %s\n", pipeline_resume_hint(p->run.kind), p->run.dir);
	} else if (!p->run.dir && out && (k = rundir_kindof(out)) != NKINDS) {
		fprintf(stderr, "gilbench: continue it with %s %s, or give another --out\n", pipeline_resume_hint(k), out);
	}
	return code;
}

int cmd_main(int argc, char **argv)
{
	const struct cmd *c;
	struct opts o;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("gilbench %s\n", VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc < 3)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (!(c = lookup(argv[2]))) {
			fprintf(stderr, "gilbench: unknown command '%s'\n", argv[2]);
			return EXIT_USAGE;
		}
		cmd_usage(c, 0);
		return EXIT_OK;
	}
	if (!(c = lookup(argv[1]))) {
		fprintf(stderr, "gilbench: unknown command '%s' (see gilbench --help)\n", argv[1]);
		return EXIT_USAGE;
	}
	rc = opts_parse(c, argc - 1, argv + 1, &o);
	if (rc == 0) {
		log_quiet = opt_set(&o, OPT_QUIET);
		spawn_init();
		rc = c->main(&o);
	} else if (rc == 1) {
		rc = EXIT_OK; /* --help */
	}
	opts_free(&o);
	return rc;
}
