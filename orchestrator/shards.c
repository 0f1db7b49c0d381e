/* shards.c: a run split into shards, and the merge of their files (see shards.h).
 *
 * The merge reads every shard's results.jsonl and rounds.jsonl as JSON objects (so that
 * every field a line holds reaches the merged file unchanged), gives each line the plan
 * index of its point (a trial through its cell id, a round through its experiment and
 * point label, both looked up in sorted indexes) and the order it was read in (shard by
 * shard, each in file order), and sorts by the two: the merged files run point by point in
 * plan order and, within a point, in the order its shard ran it. A trial whose (cell, round)
 * was already taken is left out, so each trial is counted once whatever the shards hold; a
 * line whose cell is not in the plan goes last (the report counts it as unmatched, as it
 * would in a run measured in one piece). Lines are written back with the flags the runner
 * writes them with, each file in one atomic replace.
 *
 * metadata.json is shard 0's, then: status complete; started the earliest, ended the
 * latest, resumed every shard's; the trial counts, interference counts and gilbench's CPU
 * time summed, its peak memory the largest; the noise, nonconverged and short lists joined;
 * busy_at_start when any shard was; the canary of the shard whose node ran slowest against
 * its reference (its slow_run, median and reference), with the slow rounds and rounds
 * summed; "shards" the number of shards and "nodes" one entry per shard: shard, node,
 * slurm_job, slurm_task, machine, started, ended, trials, canary (its median). */
#include "shards.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "rundir.h"
#include "util.h"

#define LINEFLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

size_t shard_of(size_t point, int nshards)
{
	return nshards > 0 ? point % (size_t)nshards : 0;
}

char *shard_dir(const char *rundir, int shard)
{
	return xasprintf("%s/" RUN_SHARDS "/%d", rundir, shard);
}

char *shard_points(const struct plan *plan, int shard, int nshards)
{
	struct buf b = {0};

	for (size_t p = 0; p < plan->npoints; p++) {
		const struct point *pt = &plan->points[p];
		if (shard_of(p, nshards) != (size_t)shard)
			continue;
		bufaddf(&b, "%s%s%s%s", b.len ? ", " : "", plan->cfg->exps[pt->exp].name, *pt->label ? " " : "", pt->label);
	}
	bufadd(&b, "", 0);
	return b.s;
}

static int countline(json_t *o, void *arg)
{
	(void)o;
	++*(size_t *)arg;
	return 0;
}

int shard_read(const char *rundir, const struct plan *plan, int shard, int nshards, struct shardinfo *si)
{
	char *dir = shard_dir(rundir, shard), *meta = pathjoin(dir, RUN_METADATA), *res = pathjoin(dir, RUN_RESULTS);
	json_t *m = NULL, *s;
	int rc = -1;

	memset(si, 0, sizeof(*si));
	si->shard = shard;
	si->task = -1;
	for (size_t p = 0; p < plan->npoints; p++)
		si->points += shard_of(p, nshards) == (size_t)shard;
	if (readjson(meta, true, &m) < 0 || (exists(res) && jsonl_load(res, countline, &si->trials, NULL) < 0)) {
		errwrap("shard %d", shard);
		goto cleanup;
	}
	si->status = jstrdup(m, "status");
	s = json_object_get(m, "slurm");
	si->node = jstrdup(s, "node");
	if (json_is_integer(json_object_get(s, "job")))
		si->job = (long)json_integer_value(json_object_get(s, "job"));
	if (json_is_integer(json_object_get(s, "task")))
		si->task = (long)json_integer_value(json_object_get(s, "task"));
	rc = 0;
cleanup:
	json_decref(m);
	free(dir);
	free(meta);
	free(res);
	return rc;
}

bool shard_complete(const struct shardinfo *si)
{
	return si->status && strcmp(si->status, "complete") == 0;
}

void shardinfo_free(struct shardinfo *si)
{
	free(si->status);
	free(si->node);
	memset(si, 0, sizeof(*si));
}

/* ---- lines, ordered by point ---- */

struct line {
	json_t *o;
	size_t point;           /* plan index of its point; npoints: not in the plan */
	size_t seq;             /* the order it was read in */
	const char *cell;       /* trials: its cell id */
	json_int_t round;
};

struct lines {
	struct line *v;
	size_t n;
};

static int addline(json_t *o, void *arg)
{
	struct lines *ls = arg;

	ls->v = xreallocarray(ls->v, ls->n + 1, sizeof(*ls->v));
	ls->v[ls->n] = (struct line){ .o = json_incref(o), .seq = ls->n };
	ls->n++;
	return 0;
}

static void freelines(struct lines *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		json_decref(ls->v[i].o);
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}

struct key {
	char *k;
	size_t point;
};

static int cmpkey(const void *a, const void *b)
{
	return strcmp(((const struct key *)a)->k, ((const struct key *)b)->k);
}

/* sorted indexes: cell id -> point, and "experiment\npoint" -> point */
static void mkindex(const struct plan *plan, struct key **cells, struct key **points)
{
	*cells = xcalloc(plan->ncells + 1, sizeof(**cells));
	*points = xcalloc(plan->npoints + 1, sizeof(**points));
	for (size_t i = 0; i < plan->ncells; i++)
		(*cells)[i] = (struct key){ xstrdup(plan->cells[i].id), plan->cells[i].point };
	for (size_t p = 0; p < plan->npoints; p++)
		(*points)[p] = (struct key){ xasprintf("%s\n%s", plan->cfg->exps[plan->points[p].exp].name,
		                                       plan->points[p].label), p };
	qsort(*cells, plan->ncells, sizeof(**cells), cmpkey);
	qsort(*points, plan->npoints, sizeof(**points), cmpkey);
}

static void freeindex(struct key *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].k);
	free(v);
}

static size_t lookup(const struct key *idx, size_t n, const char *k)
{
	struct key want = { (char *)k, 0 }, *hit = bsearch(&want, idx, n, sizeof(*idx), cmpkey);

	return hit ? hit->point : (size_t)-1;
}

static int cmppoint(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	if (x->point != y->point)
		return x->point < y->point ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmptrial(const void *a, const void *b)
{
	const struct line *x = *(const struct line *const *)a, *y = *(const struct line *const *)b;
	int c = strcmp(x->cell, y->cell);

	if (c)
		return c;
	if (x->round != y->round)
		return x->round < y->round ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* give each line its point; trials: also its cell and round */
static void placelines(struct lines *ls, const struct plan *plan, const struct key *cells, const struct key *points,
                       bool trials)
{
	for (size_t i = 0; i < ls->n; i++) {
		struct line *l = &ls->v[i];
		const char *c = json_string_value(json_object_get(l->o, "cell"));
		size_t p;

		if (trials) {
			l->cell = c ? c : "";
			l->round = json_integer_value(json_object_get(l->o, "round"));
			p = lookup(cells, plan->ncells, l->cell);
		} else {
			const char *e = json_string_value(json_object_get(l->o, "experiment"));
			const char *pt = json_string_value(json_object_get(l->o, "point"));
			char *k = xasprintf("%s\n%s", e ? e : "", pt ? pt : "");
			p = lookup(points, plan->npoints, k);
			free(k);
		}
		l->point = p == (size_t)-1 ? plan->npoints : p;
	}
}

/* the trials of a (cell, round) already taken are dropped (o set to NULL); the number dropped */
static size_t dedupe(struct lines *ls)
{
	struct line **byk = xcalloc(ls->n + 1, sizeof(*byk));
	size_t dropped = 0;

	for (size_t i = 0; i < ls->n; i++)
		byk[i] = &ls->v[i];
	qsort(byk, ls->n, sizeof(*byk), cmptrial);
	for (size_t i = ls->n; i-- > 1;) /* from the end: a line's cell string lives as long as its object */
		if (strcmp(byk[i]->cell, byk[i - 1]->cell) == 0 && byk[i]->round == byk[i - 1]->round) {
			json_decref(byk[i]->o);
			byk[i]->o = NULL;
			dropped++;
		}
	free(byk);
	return dropped;
}

static int writelines(const char *rundir, const char *name, const struct lines *ls)
{
	char *path = pathjoin(rundir, name);
	struct buf b = {0};
	int rc;

	bufadd(&b, "", 0);
	for (size_t i = 0; i < ls->n; i++) {
		char *t;
		if (!ls->v[i].o)
			continue;
		if (!(t = json_dumps(ls->v[i].o, LINEFLAGS))) {
			buffree(&b);
			free(path);
			return errorf("%s: cannot encode a line", name);
		}
		bufaddf(&b, "%s\n", t);
		free(t);
	}
	rc = writefile(path, b.s, b.len);
	buffree(&b);
	free(path);
	return rc;
}

/* ---- metadata.json ---- */

static void sumints(json_t *into, json_t *from, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_object_get(into, keys[i]), *b = json_object_get(from, keys[i]);
		if (json_is_integer(a) && json_is_integer(b))
			json_object_set_new(into, keys[i], json_integer(json_integer_value(a) + json_integer_value(b)));
	}
}

static void joinarray(json_t *into, json_t *from, const char *key)
{
	json_t *a = json_object_get(into, key), *b = json_object_get(from, key);

	if (json_is_array(a) && json_is_array(b))
		json_array_extend(a, b);
}

/* the earlier (first) or later time stamp of KEY; UTC stamps compare as text */
static void keeptime(json_t *into, json_t *from, const char *key, bool first)
{
	const char *a = json_string_value(json_object_get(into, key)), *b = json_string_value(json_object_get(from, key));

	if (b && (!a || (first ? strcmp(b, a) < 0 : strcmp(b, a) > 0)))
		json_object_set_new(into, key, json_string(b));
}

static double slowdown_of(json_t *meta)
{
	json_t *v = json_object_get(json_object_get(meta, "canary"), "slowdown");

	return json_is_number(v) ? json_number_value(v) : -INFINITY;
}

/* the canary of the slowest node, with every shard's rounds counted */
static void mergecanary(json_t *m, json_t *const *metas, int n)
{
	static const char *const counts[] = { "slow_rounds", "rounds" }, *const flags[] = { "slow_run", "self_judged" };
	int worst = 0;
	json_t *c;

	for (int k = 1; k < n; k++)
		if (slowdown_of(metas[k]) > slowdown_of(metas[worst]))
			worst = k;
	if (!json_is_object(json_object_get(metas[worst], "canary")))
		return;
	c = json_deep_copy(json_object_get(metas[worst], "canary"));
	json_object_set_new(c, "slow_rounds", json_integer(0));
	json_object_set_new(c, "rounds", json_integer(0));
	json_object_set_new(c, "python", json_array());
	for (int k = 0; k < n; k++) {
		json_t *o = json_object_get(metas[k], "canary");
		sumints(c, o, counts, LEN(counts));
		joinarray(c, o, "python");
		for (size_t f = 0; f < LEN(flags); f++) /* any node's */
			if (json_is_true(json_object_get(o, flags[f])))
				json_object_set_new(c, flags[f], json_true());
	}
	json_object_set_new(m, "canary", c);
}

static json_t *nodeentry(json_t *meta, int k, size_t trials)
{
	json_t *s = json_object_get(meta, "slurm"), *c = json_object_get(json_object_get(meta, "canary"), "median");

	return json_pack("{s:i, s:O, s:O, s:O, s:O, s:O, s:O, s:I, s:O}", "shard", k,
	                 "node", json_object_get(s, "node") ? json_object_get(s, "node") : json_null(),
	                 "slurm_job", json_object_get(s, "job") ? json_object_get(s, "job") : json_null(),
	                 "slurm_task", json_object_get(s, "task") ? json_object_get(s, "task") : json_null(),
	                 "machine", json_object_get(meta, "machine") ? json_object_get(meta, "machine") : json_null(),
	                 "started", json_object_get(meta, "started") ? json_object_get(meta, "started") : json_null(),
	                 "ended", json_object_get(meta, "ended") ? json_object_get(meta, "ended") : json_null(),
	                 "trials", (json_int_t)trials, "canary", c ? c : json_null());
}

static json_t *mergemeta(json_t *const *metas, const size_t *trials, int n)
{
	static const char *const tcounts[] = { "planned", "ran", "resumed", "ok", "failed", "timeout", "bad_output",
	                                       "contaminated" };
	static const char *const icounts[] = { "contaminated", "slow_rounds", "repeated_rounds" };
	json_t *m = json_deep_copy(metas[0]), *nodes = json_array();
	double cpu = 0, rss = 0, others = -INFINITY;

	json_object_set_new(m, "status", json_string("complete"));
	for (int k = 0; k < n; k++) {
		json_t *o = metas[k];
		if (k > 0) {
			keeptime(m, o, "started", true);
			keeptime(m, o, "ended", false);
			joinarray(m, o, "resumed");
			joinarray(m, o, "noise");
			joinarray(m, o, "nonconverged");
			sumints(json_object_get(m, "trials"), json_object_get(o, "trials"), tcounts, LEN(tcounts));
			sumints(json_object_get(m, "interference"), json_object_get(o, "interference"), icounts, LEN(icounts));
			joinarray(json_object_get(m, "interference"), json_object_get(o, "interference"), "short");
			if (json_is_true(json_object_get(o, "busy_at_start")))
				json_object_set_new(m, "busy_at_start", json_true());
		}
		cpu += json_number_value(json_object_get(o, "gilbench_cpu"));
		rss = fmax(rss, json_number_value(json_object_get(o, "gilbench_maxrss_kb")));
		if (json_is_number(json_object_get(o, "others_at_start")))
			others = fmax(others, json_number_value(json_object_get(o, "others_at_start")));
		json_array_append_new(nodes, nodeentry(o, k, trials[k]));
	}
	json_object_set_new(m, "gilbench_cpu", json_real(cpu));
	json_object_set_new(m, "gilbench_maxrss_kb", json_integer((json_int_t)rss));
	if (isfinite(others))
		json_object_set_new(m, "others_at_start", json_real(others));
	mergecanary(m, metas, n);
	json_object_del(m, "slurm"); /* shard 0's own: every shard's is in nodes */
	json_object_set_new(m, "shards", json_integer(n));
	json_object_set_new(m, "nodes", nodes);
	return m;
}

static void fillsum(json_t *meta, struct runsummary *sum)
{
	json_t *t = json_object_get(meta, "trials");

	memset(sum, 0, sizeof(*sum));
	sum->planned = (size_t)json_integer_value(json_object_get(t, "planned"));
	sum->ran = (size_t)json_integer_value(json_object_get(t, "ran"));
	sum->resumed = (size_t)json_integer_value(json_object_get(t, "resumed"));
	sum->ok = (size_t)json_integer_value(json_object_get(t, "ok"));
	sum->failed = (size_t)json_integer_value(json_object_get(t, "failed"));
	sum->timedout = (size_t)json_integer_value(json_object_get(t, "timeout"));
	sum->badoutput = (size_t)json_integer_value(json_object_get(t, "bad_output"));
	sum->contaminated = (size_t)json_integer_value(json_object_get(t, "contaminated"));
}

/* ---- the merge ---- */

/* shard k's files, appended to trials and rounds; its metadata.json into *meta */
static int loadshard(const char *rundir, const struct plan *plan, int k, int n, struct lines *trials,
                     struct lines *rounds, json_t **meta)
{
	struct shardinfo si;
	char *dir = shard_dir(rundir, k), *path = NULL;
	int rc = -1;

	if (shard_read(rundir, plan, k, n, &si) < 0)
		goto cleanup;
	if (!shard_complete(&si)) {
		errorf("shard %d is not complete (%s, %zu trials)", k, si.status ? si.status : "never started", si.trials);
		goto cleanup;
	}
	path = pathjoin(dir, RUN_METADATA);
	if (readjson(path, false, meta) < 0 || !json_is_object(*meta)) {
		if (*meta)
			errorf("%s: not a JSON object", path);
		goto cleanup;
	}
	free(path);
	path = pathjoin(dir, RUN_RESULTS);
	if (exists(path) && jsonl_load(path, addline, trials, NULL) < 0)
		goto cleanup;
	free(path);
	path = pathjoin(dir, RUN_ROUNDS);
	if (exists(path) && jsonl_load(path, addline, rounds, NULL) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	shardinfo_free(&si);
	free(dir);
	free(path);
	return rc;
}

int shards_merge(const char *rundir, const struct plan *plan, int nshards, struct runsummary *sum)
{
	struct lines trials = {0}, rounds = {0};
	json_t **metas = xcalloc((size_t)nshards + 1, sizeof(*metas)), *m = NULL;
	size_t *per = xcalloc((size_t)nshards + 1, sizeof(*per)), dropped;
	struct key *cells = NULL, *points = NULL;
	char *path = pathjoin(rundir, RUN_METADATA);
	int rc = -1;

	if (nshards < 1) {
		errorf("%s: no shards to merge", rundir);
		goto cleanup;
	}
	for (int k = 0; k < nshards; k++) {
		size_t before = trials.n;
		if (loadshard(rundir, plan, k, nshards, &trials, &rounds, &metas[k]) < 0)
			goto cleanup;
		per[k] = trials.n - before;
	}
	mkindex(plan, &cells, &points);
	placelines(&trials, plan, cells, points, true);
	placelines(&rounds, plan, cells, points, false);
	if ((dropped = dedupe(&trials)))
		warn("merge: %zu trial line%s repeated a (cell, round) already taken and %s left out", dropped,
		     dropped == 1 ? "" : "s", dropped == 1 ? "was" : "were");
	qsort(trials.v, trials.n, sizeof(*trials.v), cmppoint);
	qsort(rounds.v, rounds.n, sizeof(*rounds.v), cmppoint);
	m = mergemeta(metas, per, nshards);
	if (writelines(rundir, RUN_RESULTS, &trials) < 0 || writelines(rundir, RUN_ROUNDS, &rounds) < 0 ||
	    writejson(path, m, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) < 0) {
		errwrap("merge");
		goto cleanup;
	}
	fillsum(m, sum);
	rc = 0;
cleanup:
	freelines(&trials);
	freelines(&rounds);
	for (int k = 0; k < nshards; k++)
		json_decref(metas[k]);
	free(metas);
	free(per);
	freeindex(cells, cells ? plan->ncells : 0);
	freeindex(points, points ? plan->npoints : 0);
	json_decref(m);
	free(path);
	return rc;
}
