/* pipeline.c: the one sequence every command drives (see pipeline.h).
 *
 * Read it top to bottom: opening a run directory (new or resumed), the build step (each
 * side's source prepared at its recorded commit when known, else at its ref, and then the
 * builds whose names end in the side's suffix), measuring, reporting with the kind's own
 * finish, archiving, and the exit code. The kinds table says, per kind of run, which
 * command continues it and what its report adds. */
#include "pipeline.h"
#include "archive.h"
#include "bisectrun.h"
#include "cmd.h"
#include "histrun.h"
#include "log.h"
#include "report.h"
#include "reproduce.h"
#include "slurm.h"
#include "slurmrun.h"
#include "spawn.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int finish_compare(struct pipeline *p);
static int finish_reproduce(struct pipeline *p);

static const struct {
	const char *resume;                 /* the command that continues it */
	int (*finish)(struct pipeline *p);  /* after the report; NULL: nothing more */
	size_t prebuilt;                    /* sides pipeline_build builds (0: all); its measure builds the rest */
	int (*measure)(struct pipeline *p); /* what measuring is for it; NULL: the plan's trials */
} kinds[NKINDS] = {
	[KIND_RUN] = { "gilbench run --resume", NULL, 0, NULL },
	[KIND_COMPARE] = { "gilbench compare --resume", finish_compare, 0, NULL },
	[KIND_REPRODUCE] = { "gilbench reproduce --resume", finish_reproduce, 0, NULL },
	/* the nightly's finish records the commit's place and the machine */
	[KIND_NIGHTLY] = { "gilbench nightly --resume", histrun_stamp, 0, NULL },
	[KIND_BISECT] = { "gilbench bisect --resume", bisectrun_finish, 2, bisectrun_measure },
};

const char *pipeline_resume_hint(enum runkind k)
{
	return k < NKINDS ? kinds[k].resume : "gilbench run --resume";
}

/* ---- opening the run directory ---- */

/* the options that decide the outcome, kept in run.json so that a resumed run judges alike */
static void keepopts(struct pipeline *p)
{
	json_t *k = json_pack("{s:f, s:f, s:b}", "tie", p->o.tie, "fail_on_regression", p->o.fail_regression,
	                      "fail_on_inconclusive", p->o.fail_inconclusive);

	json_object_set_new(p->run.extra, "options", k);
}

static void takeopts(struct pipeline *p, const struct pipeopts *given)
{
	json_t *k = json_object_get(p->run.extra, "options");

	if (given->tie < 0 && json_is_number(json_object_get(k, "tie")))
		p->o.tie = json_number_value(json_object_get(k, "tie"));
	if (given->fail_regression < 0 && json_is_number(json_object_get(k, "fail_on_regression")))
		p->o.fail_regression = json_number_value(json_object_get(k, "fail_on_regression"));
	if (!given->fail_inconclusive)
		p->o.fail_inconclusive = json_is_true(json_object_get(k, "fail_on_inconclusive"));
}

/* options that need the config: every check before any work starts */
static int checkopts(struct pipeline *p)
{
	const struct runconf *rc = &p->cfg->run;
	int max = p->o.trials.max_trials ? p->o.trials.max_trials : rc->max_trials;

	if (p->o.trials.min_trials && max && p->o.trials.min_trials > max) {
		p->out.usage = true;
		return errorf("--min-trials %d is above the %d trials at most of %s", p->o.trials.min_trials, max,
		              p->o.trials.max_trials ? "--max-trials" : "run.max_trials");
	}
	if (!p->o.trials.cpus && rc->cpus && cpulist_usable(rc->cpus) < 0)
		return errwrap("%s: run.cpus", p->cfg->path);
	if (p->o.only) {
		size_t b;
		for (b = 0; b < p->cfg->nbuilds && strcmp(p->cfg->builds[b].name, p->o.only) != 0; b++)
			;
		if (b == p->cfg->nbuilds) {
			struct buf names = {0};
			for (b = 0; b < p->cfg->nbuilds; b++)
				bufaddf(&names, "%s%s", b ? ", " : "", p->cfg->builds[b].name);
			p->out.usage = true;
			errorf("--only %s: the config has no build of that name (builds: %s)", p->o.only, names.s);
			buffree(&names);
			return -1;
		}
	}
	return 0;
}

int pipeline_create(struct pipeline *p, const struct pipeopts *o, enum runkind kind, const char *name, const char *out)
{
	memset(p, 0, sizeof(*p));
	p->o = *o;
	if (o->slurm.on && slurm_check() < 0) /* before anything is made or submitted */
		return -1;
	if (rundir_create(&p->run, out, name, kind) < 0)
		return -1;
	keepopts(p);
	return 0;
}

int pipeline_start(struct pipeline *p)
{
	if (rundir_save(&p->run) < 0 || config_load_rundir(p->run.dir, &p->cfg) < 0 || checkopts(p) < 0)
		return -1;
	logmsg("%s %s: %s", runkind_name(p->run.kind), p->cfg->name, p->run.dir);
	return 0;
}

int pipeline_new(struct pipeline *p, const struct pipeopts *o, const char *config, const char *out, const char *ref)
{
	struct config *cfg = NULL;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	p->o = *o;
	if (config_load(config, &cfg) < 0)
		return -1;
	if (ref && cfg->source.kind != SRC_GIT) {
		p->out.usage = true;
		errorf("--ref: %s has a tarball source, not a git one", config);
		goto cleanup;
	}
	if (pipeline_create(p, o, KIND_RUN, cfg->name, out) < 0 || rundir_seed(cfg, p->run.dir) < 0)
		goto cleanup;
	rundir_addside(&p->run, "", ref);
	rc = pipeline_start(p);
cleanup:
	delconfig(cfg);
	return rc;
}

int pipeline_resume(struct pipeline *p, const struct pipeopts *o, const char *dir, enum runkind want)
{
	memset(p, 0, sizeof(*p));
	p->o = *o;
	if (o->slurm.on && slurm_check() < 0)
		return -1;
	if (rundir_open_with(&p->run, dir, o->lock) < 0)
		return -1;
	takeopts(p, o);
	if (want != NKINDS && p->run.kind != want)
		return errorf("%s is a %s run; continue it with %s %s", p->run.dir, runkind_name(p->run.kind),
		              pipeline_resume_hint(p->run.kind), p->run.dir);
	if (config_load_rundir(p->run.dir, &p->cfg) < 0 || checkopts(p) < 0)
		return -1;
	logmsg("%s %s: %s", runkind_name(p->run.kind), p->cfg->name, p->run.dir);
	return 0;
}

/* ---- sources and builds ---- */

/* the side build b belongs to: the one whose suffix its name ends in (the longest), else the
 * side without a suffix; (size_t)-1 when none */
static size_t side_of(const struct pipeline *p, const char *build)
{
	size_t best = (size_t)-1, n = strlen(build), bestlen = 0;

	for (size_t s = 0; s < p->run.nsides; s++) {
		const char *suf = p->run.sides[s].suffix;
		size_t k = strlen(suf);
		if (k == 0 && best == (size_t)-1)
			best = s;
		else if (k > bestlen && n > k && strcmp(build + n - k, suf) == 0)
			best = s, bestlen = k;
	}
	return best;
}

static int prepare_side(struct pipeline *p, size_t s)
{
	struct side *sd = &p->run.sides[s];
	const char *ref = sd->commit ? sd->commit : sd->ref;

	if (p->cfg->source.kind != SRC_GIT)
		ref = NULL; /* a tarball is its sha256 */
	if (source_prepare(p->cfg, &p->paths, ref, &p->srcs[s]) < 0)
		return *sd->name ? errwrap("side %s (%s)", sd->name, ref ? ref : p->cfg->source.ref) : -1;
	if ((!sd->commit || strcmp(sd->commit, p->srcs[s].id) != 0) && !p->run.lk)
		/* a Slurm build job: run.json is the submitter's, which records each side's commit
		 * before it submits the side's builds (a second writer would lose its updates) */
		return errorf("%s: run.json records %s%s for %s, not %s (the run directory is not locked: nothing is "
		              "written)", p->run.dir, sd->commit ? "commit " : "no commit", sd->commit ? sd->commit : "",
		              *sd->name ? sd->name : "the source", p->srcs[s].id);
	if (!sd->commit || strcmp(sd->commit, p->srcs[s].id) != 0) {
		free(sd->commit);
		sd->commit = xstrdup(p->srcs[s].id);
		if (rundir_save(&p->run) < 0)
			return -1;
	}
	if (*sd->name)
		logmsg("%s: %s is commit %s", sd->name, sd->ref ? sd->ref : "the config's ref", sd->commit);
	return 0;
}

/* build every build of side s (or only p->o.only); 0, or -1 on an error outside the builds */
static int build_side(struct pipeline *p, size_t s)
{
	const struct config *cfg = p->cfg;

	for (size_t b = 0; b < cfg->nbuilds; b++) {
		struct buildrec *r;
		int k;

		if (side_of(p, cfg->builds[b].name) != s || (p->o.only && strcmp(p->o.only, cfg->builds[b].name) != 0))
			continue;
		if (p->o.slurm.on && (k = slurmrun_build(p, b, &p->srcs[s])) != 0) {
			if (k < 0)
				return -1;
			continue; /* a Slurm job builds it; installed ones are reused here */
		}
		p->recs = xreallocarray(p->recs, p->nrecs + 1, sizeof(*p->recs));
		r = &p->recs[p->nrecs++];
		if (build_one(cfg, b, &p->srcs[s], &p->paths, p->run.dir, r) < 0)
			return -1;
		if (!r->ok) {
			p->out.failed_builds++;
			p->out.verify_failed |= r->verify_failed;
			warn("build %s failed at %s (logs in %s/%s/%s/): %s", r->name, r->failed_step ? r->failed_step : "?",
			     p->run.dir, RUN_BUILDS, r->name, r->error ? r->error : "no error recorded");
		}
		if (r->interrupted || spawn_interrupted)
			return errorf("interrupted during the builds");
	}
	return 0;
}

int pipeline_build_side(struct pipeline *p, size_t s)
{
	if (!p->paths.work && paths_init(&p->paths, p->o.work) < 0)
		return -1;
	if (p->nsrcs < p->run.nsides) { /* sides added since */
		p->srcs = xreallocarray(p->srcs, p->run.nsides, sizeof(*p->srcs));
		memset(p->srcs + p->nsrcs, 0, (p->run.nsides - p->nsrcs) * sizeof(*p->srcs));
		p->nsrcs = p->run.nsides;
	}
	source_free(&p->srcs[s]);
	return prepare_side(p, s) < 0 || build_side(p, s) < 0 ? -1 : 0;
}

int pipeline_build(struct pipeline *p)
{
	size_t n = kinds[p->run.kind].prebuilt;

	if (p->o.only) /* one build: its side alone (checkopts: the build exists) */
		return side_of(p, p->o.only) == (size_t)-1 ? 0 : pipeline_build_side(p, side_of(p, p->o.only));
	for (size_t s = 0; s < p->run.nsides && (!n || s < n); s++)
		if (pipeline_build_side(p, s) < 0)
			return -1;
	return 0;
}

/* ---- trials, report, archive ---- */

int pipeline_trials(struct pipeline *p, const struct runopts *o)
{
	struct runopts ro = *o;

	ro.resume = ro.resume || p->run.resumed;
	delplan(p->plan);
	p->plan = NULL;
	if (plan_make(p->cfg, &p->plan) < 0)
		return -1;
	if (runner_run(p->run.dir, p->cfg, p->plan, &ro, &p->sum) < 0) {
		p->out.verify_failed |= p->sum.gil_mismatch;
		return -1;
	}
	return 0;
}

int pipeline_measure(struct pipeline *p)
{
	if (kinds[p->run.kind].measure)
		return kinds[p->run.kind].measure(p);
	if (p->o.slurm.on)
		return slurmrun_measure(p);
	if (!p->o.trials.nshards && slurmrun_shards(p) > 0)
		return slurmrun_here(p);
	return pipeline_trials(p, &p->o.trials);
}

int pipeline_report(struct pipeline *p)
{
	int r;

	if (p->o.slurm.on)
		return 0; /* the merge job reported; slurmrun_measure took its outcome */
	if ((r = report_run(p->run.dir)) < 0)
		return errwrap("report");
	p->out.report_partial = r > 0;
	if (kinds[p->run.kind].finish && kinds[p->run.kind].finish(p) < 0)
		return -1;
	if (!p->summary_path)
		p->summary_path = pathjoin(p->run.dir, RUN_REPORT_MD);
	return 0;
}

int pipeline_archive(struct pipeline *p)
{
	return p->o.archive && !p->o.slurm.on ? archive_stage(p->run.dir) : 0;
}

int pipeline_all(struct pipeline *p)
{
	/* a kind that measures in its own way builds as it goes: on Slurm, the whole run is one job */
	if (p->o.slurm.on && kinds[p->run.kind].measure)
		return slurmrun_whole(p);
	if (pipeline_build(p) < 0 || pipeline_measure(p) < 0 || pipeline_report(p) < 0 || pipeline_archive(p) < 0)
		return -1;
	return 0;
}

/* ---- the kinds' own finish ---- */

static double tie_of(const struct pipeline *p)
{
	return p->o.tie >= 0 ? p->o.tie : p->cfg->run.tie;
}

/* what the comparison means for the exit code */
static void judge_outcome(struct pipeline *p)
{
	if (p->o.fail_regression >= 0)
		p->out.regressions = compare_regressions(&p->cmp, p->o.fail_regression);
	p->out.inconclusive = p->cmp.inconclusive;
}

static json_t *sidejson(const struct side *sd)
{
	return json_pack("{s:s?, s:s?}", "ref", sd->ref, "commit", sd->commit);
}

static int finish_compare(struct pipeline *p)
{
	struct compareopts co = { .tie = tie_of(p), .label_a = "A", .label_b = "B" };
	const struct side *a = &p->run.sides[0], *b = &p->run.sides[p->run.nsides > 1];
	char *where[2], *title, *md = pathjoin(p->run.dir, "compare.md"), *js = pathjoin(p->run.dir, "compare.json");
	json_t *doc = NULL;
	int rc;

	where[0] = xasprintf("%s at commit %s", a->ref ? a->ref : "?", a->commit ? a->commit : "?");
	where[1] = xasprintf("%s at commit %s", b->ref ? b->ref : "?", b->commit ? b->commit : "?");
	title = xasprintf("Comparison of %s: %s vs %s", p->cfg->name, a->ref ? a->ref : "A", b->ref ? b->ref : "B");
	co.suffix_a = a->suffix;
	co.suffix_b = b->suffix;
	co.where_a = where[0];
	co.where_b = where[1];
	co.title = title;
	rc = compare_runs(p->run.dir, p->run.dir, &co, md, NULL, &p->cmp);
	if (rc == 0) {
		doc = json_pack("{s:s?, s:o, s:o, s:f, s:O}", "url", p->cfg->source.url, "a", sidejson(a), "b", sidejson(b),
		                "tie", co.tie, "comparison", p->cmp.json);
		rc = writejson(js, doc, JSON_DOC);
	}
	if (rc == 0) {
		judge_outcome(p);
		p->summary = xstrdup(p->cmp.markdown);
		p->summary_path = md;
		md = NULL;
	}
	json_decref(doc);
	free(where[0]);
	free(where[1]);
	free(title);
	free(md);
	free(js);
	return rc;
}

static int finish_reproduce(struct pipeline *p)
{
	const char *archive = json_string_value(json_object_get(json_object_get(p->run.extra, "archive"), "path"));

	if (reproduce_write(p->run.dir, archive, p->run.sides[0].commit, tie_of(p), &p->cmp, &p->summary,
	                    &p->summary_path) < 0)
		return -1;
	judge_outcome(p);
	return 0;
}

/* ---- the outcome ---- */

int pipeline_exit(const struct pipeline *p, int rc)
{
	if (rc < 0) {
		if (spawn_interrupted)
			return EXIT_INTERRUPTED;
		if (p->out.usage)
			return EXIT_USAGE;
		return p->out.verify_failed ? EXIT_VERIFY : EXIT_FAIL;
	}
	if (p->out.verify_failed)
		return EXIT_VERIFY;
	if (p->out.nochange)
		return EXIT_FAIL;
	if (p->out.regressions)
		return EXIT_REGRESSION;
	if (p->o.fail_inconclusive && p->out.inconclusive)
		return EXIT_INCONCLUSIVE;
	if (p->out.failed_builds || p->out.report_partial || p->out.range || runsummary_partial(&p->sum))
		return EXIT_PARTIAL;
	return EXIT_OK;
}

void pipeline_free(struct pipeline *p)
{
	for (size_t s = 0; s < p->nsrcs; s++)
		source_free(&p->srcs[s]);
	free(p->srcs);
	buildrecs_free(p->recs, p->nrecs);
	slurmrun_free(p->slurm);
	comparesummary_free(&p->cmp);
	delplan(p->plan);
	delconfig(p->cfg);
	paths_free(&p->paths);
	rundir_close(&p->run);
	free(p->summary);
	free(p->summary_path);
	memset(p, 0, sizeof(*p));
}
