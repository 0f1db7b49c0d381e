/* cmd_nightly.c: `gilbench nightly`, CPython's main measured commit by commit into a history.
 *
 *   gilbench nightly CONFIG [--db FILE] [--backfill N [--every K]] [--force] [--keep-builds N] ...
 *   gilbench nightly --resume RUN_DIR [--db FILE]    finish what an interrupted nightly left
 *
 * nightly.h plans the night (leftovers of a killed nightly, the backfill, the ref's commit);
 * each commit is one ordinary run directory driven by the pipeline (create, seed with the
 * config, one side at that commit; or resume), whose nightly finish records the commit's
 * place and the machine in run.json; then it is imported into the history and the builds
 * of older commits pruned. Last, detection and the pages. Nothing new to measure, import
 * or detect: it says so and exits 0 without building anything. With --slurm the pipeline
 * builds and measures each commit as Slurm jobs (slurmrun.c) and waits for them, so the
 * history records the run as it does a local one. */
#include "cmd.h"
#include "histview.h"
#include "log.h"
#include "nightly.h"
#include "pipeline.h"
#include "spawn.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int start(struct nightly *n, const struct pipeopts *po, const char *commit, const char *dir, struct pipeline *p)
{
	char *stamp = utcstamp(false);
	int rc = -1;

	if (pipeline_create(p, po, KIND_NIGHTLY, n->cfg->name, dir) < 0 || rundir_seed(n->cfg, p->run.dir) < 0)
		goto cleanup;
	rundir_addside(&p->run, "", n->cfg->source.ref);
	p->run.sides[0].commit = xstrdup(commit); /* exactly this commit, whatever the ref says when resumed */
	json_object_set_new(p->run.extra, "nightly", json_pack("{s:s, s:s, s:s}", "ref", n->cfg->source.ref, "night",
	                                                       stamp, "folder", n->dir));
	rc = pipeline_start(p);
cleanup:
	free(stamp);
	return rc;
}

/* one commit (or one unfinished run directory) measured and recorded: an exit code */
static int night(struct nightly *n, const struct pipeopts *po, const char *commit, const char *resume, int keep)
{
	struct pipeline p = { 0 };
	char *dir = resume ? NULL : nightly_rundir(n, commit);
	int rc, code;

	rc = resume ? pipeline_resume(&p, po, resume, KIND_NIGHTLY) : start(n, po, commit, dir, &p);
	if (rc == 0)
		rc = pipeline_all(&p);
	if (rc == 0)
		rc = nightly_import(n, p.run.dir);
	if (rc == 0 && nightly_prune(n, &p, keep) < 0)
		warn("%s", errmsg());
	code = cmd_end(&p, rc, dir);
	pipeline_free(&p);
	free(dir);
	return code;
}

static int run_nights(struct nightly *n, const struct pipeopts *po, int keep, int *worst)
{
	size_t total = n->resume.n + n->todo.n, done = 0;
	int code;

	for (size_t i = 0; i < n->pending.n; i++)
		if (nightly_import(n, n->pending.v[i]) < 0)
			return cmd_fail();
	for (size_t i = 0; i < total; i++, done++) {
		const char *resume = i < n->resume.n ? n->resume.v[i] : NULL;
		const char *commit = resume ? NULL : n->todo.v[i - n->resume.n];
		if (total > 1)
			logmsg("nightly %s: %zu of %zu: %s", n->cfg->name, i + 1, total, resume ? resume : commit);
		code = night(n, po, commit, resume, keep);
		if (code != EXIT_OK && code != EXIT_PARTIAL)
			return code;
		if (code > *worst)
			*worst = code;
	}
	return EXIT_OK;
}

static int check(const struct opts *o)
{
	if (opt_set(o, OPT_RESUME)) {
		if (o->nargs || opt_set(o, OPT_BACKFILL) || opt_set(o, OPT_FORCE) || opt_set(o, OPT_OUT))
			return cmd_error(&cmd_nightly, "--resume RUN_DIR takes no CONFIG, --out, --backfill or --force");
		return 0;
	}
	if (opt_set(o, OPT_EVERY) && !opt_set(o, OPT_BACKFILL))
		return cmd_error(&cmd_nightly, "--every K goes with --backfill N");
	return cmd_operands(&cmd_nightly, o, 1, 1, "CONFIG");
}

static int nightly_main(struct opts *o)
{
	const char *resume = opt_text(o, OPT_RESUME);
	struct nightly n;
	struct pipeopts po;
	char *cfg = NULL, *out = NULL, *text = NULL;
	size_t raised = 0;
	int rc, worst = EXIT_OK;

	if ((rc = check(o)) != 0)
		return rc;
	cmd_pipeopts(o, &po);
	po.archive = true;
	if (resume) { /* the nightly of the run directory's own config, in its folder */
		char *abs = abspath(resume), *slash = abs ? strrchr(abs, '/') : NULL;
		cfg = pathjoin(resume, RUN_CONFIG);
		out = slash ? xstrndup(abs, (size_t)(slash - abs)) : xstrdup(".");
		free(abs);
	}
	rc = nightly_open(&n, cfg ? cfg : o->args[0], opt_text(o, OPT_DB), opt_text(o, OPT_WORK),
	                  out ? out : opt_text(o, OPT_OUT));
	if (rc == 0)
		rc = nightly_plan(&n, resume ? 0 : opt_count(o, OPT_BACKFILL, 0), opt_count(o, OPT_EVERY, 1),
		                  opt_set(o, OPT_FORCE));
	if (rc < 0) {
		rc = cmd_fail();
		goto cleanup;
	}
	if (resume)
		strlist_free(&n.todo);
	if (nightly_idle(&n)) {
		printf("nothing new: %s of %s is commit %.12s, which this machine has measured already (history %s)\n",
		       n.cfg->source.ref, n.cfg->source.url, n.head, history_path(n.h));
		goto cleanup;
	}
	if ((rc = run_nights(&n, &po, opt_count(o, OPT_KEEP_BUILDS, NIGHTLY_KEEP_BUILDS), &worst)) != EXIT_OK)
		goto cleanup;
	if (nightly_detect(&n, &raised) < 0 || histview_new(n.h, n.cfg->name, raised, n.dir, &text) < 0) {
		rc = cmd_fail();
		goto cleanup;
	}
	fputs(text, stdout);
	rc = raised ? EXIT_REGRESSION : worst;
cleanup:
	nightly_close(&n);
	free(text);
	free(cfg);
	free(out);
	return rc;
}

static const struct cmdopt opts[] = {
	{ OPT_DB, NULL }, { OPT_WORK, NULL }, { OPT_BACKFILL, NULL }, { OPT_EVERY, NULL },
	{ OPT_FORCE, "measure the ref's commit again even when this machine has measured it" },
	{ OPT_KEEP_BUILDS, NULL },
	{ OPT_OUT, "the nightly's folder: run directories, archives, index.html, alerts (default reports/nightly/NAME)" },
	{ OPT_RESUME, "finish an interrupted nightly's run directory (and whatever else its folder left), then detect" },
	{ OPT_CPUS, NULL }, { OPT_MIN_TRIALS, NULL }, { OPT_MAX_TRIALS, NULL }, { OPT_TARGET, NULL },
	{ OPT_SLURM, NULL }, { OPT_PARTITION, NULL }, { OPT_SHARDS, NULL }, { OPT_ARRAY_LIMIT, NULL }, { OPT_SBATCH, NULL },
	{ OPT_QUIET, NULL },
	{ NOPTS, NULL },
};

const struct cmd cmd_nightly = {
	"nightly",
	"CONFIG [--db FILE] [--work DIR] [--backfill N [--every K]] [--force] [--keep-builds N] [--out DIR]\n"
	"                        [trial options] [--slurm [Slurm options]]\n"
	"       gilbench nightly --resume RUN_DIR [--db FILE] [--slurm [Slurm options]]",
	"measure the config's git ref when it moved, record it in the history, flag regressions",
	"CONFIG needs a git source; its ref (e.g. main) is resolved in the mirror. A commit this\n"
	"machine has measured with this config is not measured again: then nothing happens (exit 0).\n"
	"Each commit measured is an ordinary run directory FOLDER/YYYYMMDD-COMMIT and its archive,\n"
	"recorded in the history (--db, $GILBENCH_DB, else reports/history.sqlite); then every series\n"
	"is judged for steps and FOLDER/index.html, alerts.md and alerts.json are written.\n"
	"Two nightlies of one folder never run at once: the second waits. With --slurm each commit's\n"
	"builds and trials are Slurm jobs (docs/slurm.md), waited for before the history records it.\n"
	"docs/nightly.md explains the set-up (cron, systemd), the detection and what an alert means.\n"
	"\nexit codes: 0 done (or nothing new), 1 error, 2 usage, 3 a build's GIL state is wrong,\n"
	"            4 some builds or trials failed, 5 a new regression alert, 130 interrupted\n",
	opts,
	nightly_main,
};
