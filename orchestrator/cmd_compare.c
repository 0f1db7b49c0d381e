/* cmd_compare.c: `gilbench compare`, two sets of trials side by side.
 *
 *   gilbench compare RUN_A RUN_B          two finished runs (directories or .tar.gz archives)
 *   gilbench compare CONFIG REV_A REV_B   two revisions of a git source, built and measured
 *   gilbench compare --resume RUN_DIR     continue an interrupted two-revision compare
 *
 * With two runs nothing is built: archives are verified and extracted into a temporary
 * folder (archive_open_run), then compare_runs() matches their cells. With two revisions
 * the run directory gets the derived config (derive.h: every build and variant as NAME.A
 * and NAME.B) and two sides, A at REV_A and B at REV_B, each built from its own commit;
 * the pipeline measures them interleaved, reports, and its compare finish writes
 * compare.md, compare.html and compare.json. */
#include "archive.h"
#include "cmd.h"
#include "compare.h"
#include "config.h"
#include "derive.h"
#include "pipeline.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

static void say_regressions(const struct comparesummary *s, size_t n, double pct)
{
	if (n)
		fprintf(stderr, "gilbench compare: %zu cell%s significantly worse by more than %.3g%% (worst %+.1f%%: %s)\n",
		        n, n == 1 ? "" : "s", pct * 100, s->worst * 100, s->worst_cell ? s->worst_cell : "?");
}

/* --- two finished runs --- */

static int runs_main(const struct opts *o)
{
	struct pipeopts po;
	struct compareopts co = { .tie = -1 };
	struct comparesummary s = {0};
	char *tmp = NULL, *dir[2] = { NULL, NULL }, *md = NULL, *js = NULL;
	const char *out = opt_text(o, OPT_OUT);
	int v = 0, rc = EXIT_FAIL;
	size_t n;

	cmd_pipeopts(o, &po);
	co.tie = po.tie;
	if ((archive_isarchive(o->args[0]) || archive_isarchive(o->args[1])) && !(tmp = mktmpdir("compare")))
		goto fail;
	for (int k = 0; k < 2 && v == 0; k++)
		v = archive_open_run(o->args[k], tmp, k ? "b" : "a", &dir[k]);
	if (v != 0) {
		if (v < 0)
			goto fail;
		fprintf(stderr, "gilbench: %s\n", errmsg());
		rc = EXIT_VERIFY;
		goto cleanup;
	}
	co.where_a = archive_isarchive(o->args[0]) ? o->args[0] : dir[0];
	co.where_b = archive_isarchive(o->args[1]) ? o->args[1] : dir[1];
	if (out) {
		if (mkdirp(out, 0755) < 0)
			goto fail;
		md = pathjoin(out, "compare.md");
		js = pathjoin(out, "compare.json");
	}
	if (compare_runs(dir[0], dir[1], &co, md, js, &s) < 0)
		goto fail;
	fputs(s.markdown, stdout);
	fflush(stdout);
	n = po.fail_regression >= 0 ? compare_regressions(&s, po.fail_regression) : 0;
	say_regressions(&s, n, po.fail_regression);
	rc = n ? EXIT_REGRESSION : po.fail_inconclusive && s.inconclusive ? EXIT_INCONCLUSIVE : EXIT_OK;
	goto cleanup;
fail:
	rc = cmd_fail();
cleanup:
	comparesummary_free(&s);
	if (tmp)
		rmtree(tmp);
	free(tmp);
	free(dir[0]);
	free(dir[1]);
	free(md);
	free(js);
	return rc;
}

/* --- two revisions --- */

static int revs_new(const struct opts *o, const struct pipeopts *po, struct pipeline *p)
{
	struct config *cfg = NULL;
	char *cfgpath = NULL, *desc = NULL;
	int rc = -1;

	if (config_load(o->args[0], &cfg) < 0)
		return -1;
	if (cfg->source.kind != SRC_GIT) {
		errorf("%s: compare needs a git source (source: git: {url, ref}); this config builds a tarball", o->args[0]);
		goto cleanup;
	}
	if (pipeline_create(p, po, KIND_COMPARE, cfg->name, opt_text(o, OPT_OUT)) < 0)
		goto cleanup;
	rundir_addside(&p->run, "A", o->args[1]);
	rundir_addside(&p->run, "B", o->args[2]);
	cfgpath = pathjoin(p->run.dir, RUN_CONFIG);
	desc = xasprintf("gilbench compare of %s (A: %s, B: %s)%s%s", cfg->name, o->args[1], o->args[2],
	                 cfg->description ? ": " : "", cfg->description ? cfg->description : "");
	if (rundir_copy_inputs(cfg, p->run.dir) < 0 || derive_compare(cfg, cfgpath, o->args[1], desc) < 0)
		goto cleanup;
	rc = pipeline_start(p);
cleanup:
	free(cfgpath);
	free(desc);
	delconfig(cfg);
	return rc;
}

static int revs_main(const struct opts *o)
{
	struct pipeopts po;
	struct pipeline p = {0};
	const char *resume = opt_text(o, OPT_RESUME);
	int rc;

	cmd_pipeopts(o, &po);
	rc = resume ? pipeline_resume(&p, &po, resume, KIND_COMPARE) : revs_new(o, &po, &p);
	if (rc == 0)
		rc = pipeline_all(&p);
	if (rc == 0) {
		cmd_summary(&p);
		say_regressions(&p.cmp, p.out.regressions, p.o.fail_regression);
	}
	rc = cmd_end(&p, rc, opt_text(o, OPT_OUT));
	pipeline_free(&p);
	return rc;
}

static int compare_main(struct opts *o)
{
	static const enum optid runs_only[] = { OPT_OUT, OPT_TIE, OPT_FAIL_ON_REGRESSION, OPT_FAIL_ON_INCONCLUSIVE,
	                                        OPT_QUIET, NOPTS };

	if (opt_set(o, OPT_RESUME)) {
		if (o->nargs || opt_set(o, OPT_OUT))
			return cmd_error(&cmd_compare, "--resume RUN_DIR takes no other operand and no --out");
		return revs_main(o);
	}
	if (o->nargs == 2) {
		int rc = opts_only(&cmd_compare, o, runs_only, "two finished runs (they build and measure nothing)");
		return rc ? rc : runs_main(o);
	}
	if (o->nargs == 3)
		return revs_main(o);
	return cmd_error(&cmd_compare, "expected RUN_A RUN_B, or CONFIG REV_A REV_B");
}

static const struct cmdopt opts[] = {
	{ OPT_OUT, "two runs: write compare.md, compare.html and compare.json into DIR; two revisions: the run "
	           "directory (default reports/NAME-compare-STAMP)" },
	{ OPT_RESUME, "continue an interrupted two-revision compare" },
	{ OPT_TIE, NULL }, { OPT_FAIL_ON_REGRESSION, NULL }, { OPT_FAIL_ON_INCONCLUSIVE, NULL }, { OPT_WORK, NULL },
	{ OPT_CPUS, NULL }, { OPT_MIN_TRIALS, NULL }, { OPT_MAX_TRIALS, NULL }, { OPT_TARGET, NULL },
	{ OPT_NO_ARCHIVE, NULL }, { OPT_QUIET, NULL },
	{ NOPTS, NULL },
};

const struct cmd cmd_compare = {
	"compare",
	"RUN_A RUN_B [--out DIR] [--tie PCT] [--fail-on-regression PCT] [--fail-on-inconclusive]\n"
	"       gilbench compare CONFIG REV_A REV_B [--out RUN_DIR] [--tie PCT] [--fail-on-regression PCT]\n"
	"                        [--fail-on-inconclusive] [--work DIR] [--cpus LIST] [trial options] [--no-archive]\n"
	"       gilbench compare --resume RUN_DIR [options]",
	"compare two runs or archives, or build and measure two git revisions interleaved",
	"Builds become NAME.A and NAME.B in the run directory's config.yaml, each side built from its\n"
	"own commit; cells are matched by what they run (experiment, arguments, point, variant).\n"
	"Each cell is faster or slower (Welch's p < 0.05, the 95% bootstrap interval of the ratio of\n"
	"medians excludes 1, and the change is over the tie), same (an equivalence test shows it\n"
	"within the tie) or inconclusive (with the trials likely to decide it).\n"
	"\nexit codes: 0 done, 1 error, 2 usage, 3 an archive failed verification or a build's GIL\n"
	"            state is wrong, 4 some trials failed, 5 regression found, 6 inconclusive\n"
	"            (with --fail-on-inconclusive), 130 interrupted\n",
	opts,
	compare_main,
};
