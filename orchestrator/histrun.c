/* histrun.c: a finished run as the history records it (see histrun.h).
 *
 * hrun_load() reads run.json (kind, the one side's ref and commit, "extra": the commit's
 * place and the machine, when a nightly's finish recorded them), config.yaml (loaded
 * self-contained, for the plan and the experiments' directions and alert thresholds),
 * metadata.json (status, times, machine, speed canary) and results.jsonl, filed by cell
 * with cells_file() like every other reader (failed measured trials are kept too, one row
 * per measured trial). A run's uid hashes what makes it itself: run.json's created stamp,
 * the run stage's start, the commit, the config's sha256 and the machine; the directory
 * and its archive give the same uid, so importing both, or either twice, adds one run. */
#include "histrun.h"
#include "archive.h"
#include "canary.h"
#include "cells.h"
#include "changepoint.h"
#include "gitsrc.h"
#include "log.h"
#include "pipeline.h"
#include "results.h"
#include "rundir.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *jdup(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

void hist_machine(json_t **desc, char id[HEXLEN])
{
	const char *name = getenv("GILBENCH_MACHINE");

	if (name && *name) {
		*desc = json_pack("{s:s}", "name", name);
	} else {
		*desc = canary_machine();
		json_object_del(*desc, "kernel");
	}
	canary_machine_id(*desc, id);
}

/* the machine a run without a recorded one ran on, from metadata.json's description */
static json_t *machine_of_metadata(json_t *m)
{
	json_t *mem = json_object_get(m, "memory_kb");

	return json_pack("{s:O, s:O, s:o, s:n}", "cpu", json_object_get(m, "cpu") ? json_object_get(m, "cpu") : json_null(),
	                 "cores", json_object_get(m, "cores") ? json_object_get(m, "cores") : json_null(), "memory_mib",
	                 json_is_integer(mem) ? json_integer(json_integer_value(mem) / 1024) : json_null(), "hostname");
}

/* run.json: kind, the side, created, version, what extra recorded */
static int read_state(const char *dir, struct hrun *r, json_t **extra)
{
	char *path = pathjoin(dir, RUN_STATE);
	json_t *o = NULL, *sides, *side;
	int rc = -1;

	*extra = NULL;
	if (!isregular(path)) { /* a run made before run.json: one side, the config's source */
		r->kind = xstrdup("run");
		free(path);
		return 0;
	}
	if (readjson(path, false, &o) < 0)
		goto cleanup;
	r->kind = jdup(o, "kind");
	sides = json_object_get(o, "sides");
	if (!r->kind || !json_is_array(sides)) {
		errorf("%s: not a run state (no kind or sides)", path);
		goto cleanup;
	}
	if (json_array_size(sides) != 1) {
		errorf("%s is a %s of %zu revisions; the history records runs of one revision (run, nightly, reproduce)", dir,
		       r->kind, json_array_size(sides));
		goto cleanup;
	}
	side = json_array_get(sides, 0);
	r->ref = jdup(side, "ref");
	r->commit = jdup(side, "commit");
	r->created = jdup(o, "created");
	r->version = jdup(o, "gilbench");
	*extra = json_incref(json_object_get(o, "extra"));
	rc = 0;
cleanup:
	json_decref(o);
	free(path);
	return rc;
}

/* metadata.json: a finished run stage, its times, machine and canary */
static int read_metadata(const char *dir, struct hrun *r, json_t **machine)
{
	char *path = pathjoin(dir, RUN_METADATA);
	json_t *o = NULL, *c, *m;
	int rc = -1;

	if (readjson(path, false, &o) < 0)
		goto cleanup;
	r->status = jdup(o, "status");
	if (!r->status || strcmp(r->status, "complete") != 0) {
		errorf("%s: the run is not finished (status %s); finish it with gilbench run --resume %s", path,
		       r->status ? r->status : "missing", dir);
		goto cleanup;
	}
	r->started = jdup(o, "started");
	r->ended = jdup(o, "ended");
	if (!r->version)
		r->version = jdup(o, "gilbench");
	if (!r->commit)
		r->commit = jdup(o, "source");
	m = json_object_get(o, "machine");
	r->kernel = jdup(m, "kernel");
	*machine = json_incref(m);
	c = json_object_get(o, "canary");
	if (json_is_object(c) && json_is_number(json_object_get(c, "median"))) {
		json_t *ref = json_object_get(c, "reference"), *sd = json_object_get(c, "slowdown");
		r->canary.present = true;
		r->canary.median = json_number_value(json_object_get(c, "median"));
		r->canary.reference = json_is_number(ref) ? json_number_value(ref) : NAN;
		r->canary.slowdown = json_is_number(sd) ? json_number_value(sd) : NAN;
		r->canary.slow_rounds = (long)json_integer_value(json_object_get(c, "slow_rounds"));
		r->canary.rounds = (long)json_integer_value(json_object_get(c, "rounds"));
		r->canary.slow_run = json_is_true(json_object_get(c, "slow_run"));
	}
	rc = 0;
cleanup:
	json_decref(o);
	free(path);
	return rc;
}

/* the commit's place: from extra.commit when it is this commit's, else from the local mirror */
static int place_commit(const char *dir, const struct config *cfg, const struct paths *p, json_t *extra,
                        struct hrun *r)
{
	json_t *c = json_object_get(extra, "commit");
	struct gitcommit gc;
	char *mirror;
	int rc;

	if (json_is_object(c) && json_is_string(json_object_get(c, "id")) &&
	    strcmp(json_string_value(json_object_get(c, "id")), r->commit) == 0 &&
	    json_is_integer(json_object_get(c, "depth")) && json_is_integer(json_object_get(c, "time"))) {
		r->parent = jdup(c, "parent");
		r->subject = jdup(c, "subject");
		r->commit_time = json_integer_value(json_object_get(c, "time"));
		r->position = json_integer_value(json_object_get(c, "depth"));
		if (!r->parent)
			r->parent = xstrdup("");
		return 0;
	}
	mirror = gitsrc_mirror_path(cfg->source.url, p);
	if (!mirror)
		return -1;
	if (!isdir(mirror)) {
		errorf("%s: commit %.12s cannot be placed in first-parent order: run.json does not record its place and "
		       "there is no git mirror of %s here (gilbench fetch %s/%s makes one)", dir, r->commit,
		       cfg->source.url, dir, RUN_CONFIG);
		free(mirror);
		return -1;
	}
	rc = gitsrc_commit(mirror, r->commit, &gc);
	free(mirror);
	if (rc < 0)
		return errwrap("%s", dir);
	r->parent = xstrdup(gc.parent);
	r->subject = xstrdup(gc.subject);
	r->commit_time = gc.time;
	r->position = gc.depth;
	gitcommit_free(&gc);
	return 0;
}

/* the point's first matrix value as a number, and the others as "k=v,..." */
static void point_axes(const struct point *pt, double *x, char **group)
{
	struct buf g = { 0 };
	char *end;

	*x = NAN;
	if (pt->values.n) {
		double v = strtod(pt->values.v[0].value, &end);
		if (end != pt->values.v[0].value && !*end && isfinite(v))
			*x = v;
	}
	for (size_t i = 1; i < pt->values.n; i++)
		bufaddf(&g, "%s%s=%s", i > 1 ? "," : "", pt->values.v[i].key, pt->values.v[i].value);
	*group = g.s ? g.s : xstrdup("");
}

/* one trial more; a failed one only when its round is not filed yet (the first line of a round
 * counts, cells.h: cells_file has already kept the ok trials so) */
static void add_trial(struct hcell *c, int round, double v, bool ok)
{
	for (size_t k = 0; !ok && k < c->n; k++)
		if (c->t[k].round == round)
			return;
	if ((c->n & (c->n - 1)) == 0) /* capacity doubles at powers of two */
		c->t = xreallocarray(c->t, c->n ? 2 * c->n : 1, sizeof(*c->t));
	c->t[c->n++] = (struct htrial){ round, ok ? v : NAN, ok };
}

static void file_cells(const struct config *cfg, const struct plan *pl, const struct trial *t, size_t nt,
                       const struct roundrec *rounds, size_t nrounds, struct hrun *r)
{
	struct cellfile cf;

	cells_file(&cf, pl, t, nt, rounds, nrounds);
	r->cells = xcalloc(pl->ncells + 1, sizeof(*r->cells));
	r->ncells = pl->ncells;
	for (size_t i = 0; i < pl->ncells; i++) {
		const struct cell *ce = &pl->cells[i];
		const struct expconf *e = &cfg->exps[ce->exp];
		const struct variantconf *v = &cfg->variants[ce->variant];
		struct hcell *c = &r->cells[i];
		memcpy(c->cell, ce->id, CELLIDLEN);
		c->experiment = xstrdup(e->name);
		c->point = xstrdup(pl->points[ce->point].label);
		c->variant = xstrdup(v->name);
		c->metric = xstrdup(e->metric);
		c->lower_is_better = e->lower_is_better;
		c->gil = v->expect_gil;
		c->nogil_build = cfg->builds[v->build].gil_disabled;
		c->scaling = e->table == TABLE_SCALING;
		c->threshold = e->alert_threshold > 0 ? e->alert_threshold : CP_THRESHOLD;
		c->order = (int)i;
		point_axes(&pl->points[ce->point], &c->x, &c->group);
		for (size_t k = 0; k < cf.cells[i].n; k++)
			add_trial(c, t[cf.cells[i].idx[k]].round, cf.cells[i].vals[k], true);
	}
	for (size_t k = 0; k < nt; k++) { /* failed measured trials: one row each too */
		const struct cell *ce = t[k].cell ? plan_find(pl, t[k].cell) : NULL;
		if (ce && !t[k].warmup && (t[k].status != TRIAL_OK || !isfinite(t[k].metric)))
			add_trial(&r->cells[ce - pl->cells], t[k].round, NAN, false);
	}
	cells_free(&cf);
}

static int read_results(const char *dir, const struct config *cfg, struct hrun *r)
{
	char *path = pathjoin(dir, RUN_RESULTS), *rpath = pathjoin(dir, RUN_ROUNDS), hex[HEXLEN];
	struct plan *pl = NULL;
	struct trial *t = NULL;
	struct roundrec *rounds = NULL;
	size_t nt = 0, nrounds = 0, good;
	int rc = -1;

	/* rounds.jsonl says which rounds the speed canary found slow: their trials are left out */
	if (plan_make(cfg, &pl) < 0 || results_load(path, &t, &nt, &good) < 0 || sha256_file(path, hex) < 0 ||
	    rounds_load(rpath, &rounds, &nrounds, &good) < 0)
		goto cleanup;
	r->results_sha256 = xstrdup(hex);
	file_cells(cfg, pl, t, nt, rounds, nrounds, r);
	rc = 0;
cleanup:
	results_free(t, nt);
	rounds_free(rounds, nrounds);
	free(rpath);
	delplan(pl);
	free(path);
	return rc;
}

static void make_uid(struct hrun *r)
{
	char *s = xasprintf("%s\n%s\n%s\n%s\n%s", r->created ? r->created : "", r->started ? r->started : "", r->commit,
	                    r->config_sha256, r->machine);
	char hex[HEXLEN];

	sha256_str(s, hex);
	r->uid = xstrdup(hex);
	free(s);
}

int hrun_load(const char *dir, const struct paths *p, struct hrun *r)
{
	json_t *extra = NULL, *meta_machine = NULL, *m;
	struct config *cfg = NULL;
	char id[HEXLEN];
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (rundir_is(dir) != 1) {
		errorf("%s: not a run directory (no %s)", dir, RUN_STATE);
		goto cleanup;
	}
	if (read_state(dir, r, &extra) < 0 || config_load_rundir(dir, &cfg) < 0 || read_metadata(dir, r, &meta_machine) < 0)
		goto cleanup;
	if (cfg->source.kind != SRC_GIT || !r->commit) {
		errorf("%s: the history orders runs by commit, and this run's source is %s", dir,
		       cfg->source.kind != SRC_GIT ? "a tarball" : "not resolved to a commit");
		goto cleanup;
	}
	r->config = xstrdup(cfg->name);
	r->config_sha256 = xstrdup(cfg->hash);
	r->url = xstrdup(cfg->source.url);
	if (!r->ref)
		r->ref = xstrdup(cfg->source.ref);
	if (place_commit(dir, cfg, p, extra, r) < 0)
		goto cleanup;
	m = json_object_get(extra, "machine");
	r->machine_desc = json_is_object(m) ? json_incref(m) : machine_of_metadata(meta_machine);
	canary_machine_id(r->machine_desc, id);
	r->machine = xstrdup(id);
	if (read_results(dir, cfg, r) < 0)
		goto cleanup;
	make_uid(r);
	rc = 0;
cleanup:
	if (rc < 0)
		hrun_free(r);
	json_decref(extra);
	json_decref(meta_machine);
	delconfig(cfg);
	return rc;
}

/* ---- importing ---- */

/* DIR.tar.gz beside DIR, or DIR for ARCHIVE: the other half of a run, when it is there */
static char *sibling(const char *path, bool archive)
{
	size_t n = strlen(path);

	if (!archive)
		return xasprintf("%s.tar.gz", path);
	if (n > 7 && strcmp(path + n - 7, ".tar.gz") == 0)
		return xstrndup(path, n - 7);
	if (n > 4 && strcmp(path + n - 4, ".tgz") == 0)
		return xstrndup(path, n - 4);
	return NULL;
}

static int set_archive(struct hrun *r, const char *archive)
{
	char hex[HEXLEN];

	r->archive = abspath(archive);
	if (!r->archive || sha256_file(archive, hex) < 0)
		return -1;
	r->archive_sha256 = xstrdup(hex);
	return 0;
}

int hist_import(struct history *h, const char *given, const struct paths *p, enum hinsert *what, char **commit)
{
	char *arg = xstrdup(given), *tmp = NULL, *dir = NULL, *other;
	size_t len = strlen(arg);
	bool isarc;
	struct hrun r;
	int rc = -1, v;

	while (len > 1 && arg[len - 1] == '/') /* DIR/ is DIR, whose archive is DIR.tar.gz */
		arg[--len] = '\0';
	isarc = archive_isarchive(arg) && !isdir(arg);
	other = sibling(arg, isarc);
	memset(&r, 0, sizeof(r));
	if (isarc && !(tmp = mktmpdir("import")))
		goto cleanup;
	if ((v = archive_open_run(arg, tmp, "run", &dir)) != 0) {
		rc = v;
		goto cleanup;
	}
	if (hrun_load(dir, p, &r) < 0)
		goto cleanup;
	if (isarc) {
		if (set_archive(&r, arg) < 0)
			goto cleanup;
		if (other && rundir_is(other) == 1)
			r.rundir = abspath(other);
	} else {
		r.rundir = xstrdup(dir);
		if (other && isregular(other) && set_archive(&r, other) < 0)
			goto cleanup;
	}
	if (history_insert(h, &r, what) < 0)
		goto cleanup;
	if (commit)
		*commit = xstrdup(r.commit);
	rc = 0;
cleanup:
	if (rc < 0 && dir && isarc)
		errwrap("import %s", arg);
	hrun_free(&r);
	if (tmp)
		rmtree(tmp);
	free(tmp);
	free(dir);
	free(other);
	free(arg);
	return rc;
}

/* ---- a nightly's finish ---- */

int histrun_stamp(struct pipeline *p)
{
	const char *commit = p->run.sides[0].commit;
	struct gitcommit gc;
	json_t *desc;
	char id[HEXLEN], *mirror = NULL;
	int rc = -1;

	if (p->cfg->source.kind != SRC_GIT || !commit)
		return errorf("%s: a nightly measures one commit of a git source", p->run.dir);
	/* the paths are set by the build stage; a Slurm merge job builds nothing */
	if (!p->paths.work && paths_init(&p->paths, p->o.work) < 0)
		return errwrap("nightly %s", p->run.dir);
	if (!(mirror = gitsrc_mirror_path(p->cfg->source.url, &p->paths)) || gitsrc_commit(mirror, commit, &gc) < 0) {
		free(mirror);
		return errwrap("nightly %s", p->run.dir);
	}
	hist_machine(&desc, id);
	json_object_set_new(p->run.extra, "commit", json_pack("{s:s, s:s, s:I, s:I, s:s}", "id", gc.id, "parent",
	                                                        gc.parent, "time", (json_int_t)gc.time, "depth",
	                                                        (json_int_t)gc.depth, "subject", gc.subject));
	json_object_set_new(p->run.extra, "machine", desc);
	json_object_set_new(p->run.extra, "machine_id", json_string(id));
	rc = rundir_save(&p->run);
	gitcommit_free(&gc);
	free(mirror);
	return rc;
}
