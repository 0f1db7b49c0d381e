/* slurmrun.c: the Slurm engine (see slurmrun.h and docs/slurm.md).
 *
 * The submitting side, in the order the pipeline calls it:
 *  1. engine(): once per run, before anything is submitted: gilbench's own path, RUN_DIR/slurm,
 *     run.json's "slurm" state (made on the first --slurm; a run directory measured here
 *     in one piece is refused), no job of the last submission still queued (two
 *     submitters would measure one shard twice), and the options: the command line's, else
 *     those recorded.
 *  2. slurmrun_build(): build_key() says whether the build is installed; if not, one job.
 *  3. slurmrun_measure(): the shards (the recorded number, else --shards, else one per
 *     node, at most one per point; recorded before the tasks can read it), those not
 *     complete as one array (task index = shard number, so a resubmission is "--array=1,3"),
 *     the merge job, the submission appended to run.json; then the run directory's lock is
 *     released (the merge job takes it, waiting) and, unless --no-wait, await() polls
 *     squeue and the shards' files every POLL seconds until the merge job is gone, and
 *     takeoutcome() reads RUN_DIR/slurm/merge.json.
 * Every job gets --kill-on-invalid-dep=yes before the user's --sbatch arguments: a build
 * job that fails (a crash: a failed build is recorded and its job succeeds, as a failed
 * build lets a run go on here) cancels the array at once instead of leaving it pending
 * forever, and the merge job then runs and names what is missing.
 *
 * The tasks' side: slurmrun_merge() (the merge job; also the end of a run continued here)
 * and slurmrun_outcome(); slurmrun_here() runs the shards left one after the other here.
 * slurmrun_status() reads the same files for `gilbench status`. */
#include "slurmrun.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "log.h"
#include "pipeline.h"
#include "shards.h"
#include "slurm.h"
#include "spawn.h"
#include "util.h"

#define POLL 0.5        /* seconds between looks at squeue and the shards' files */
#define TAIL_LINES 8    /* lines of a job's log quoted when it failed */

struct slurmrun {
	char *self;             /* gilbench's absolute path: what every job runs */
	char *dir;              /* RUN_DIR/slurm */
	json_t *state;          /* run.json's extra.slurm (owned by p->run.extra) */
	char *partition;        /* --partition, else as recorded; NULL: the cluster's default */
	int limit;              /* --array-limit, else as recorded; 0: none */
	struct strlist extra;   /* sbatch options of every job: --kill-on-invalid-dep=yes, then --sbatch's */
	long *bjobs;            /* build jobs submitted by this call */
	size_t nbjobs;
	json_t *bjson;          /* [{name, job}] of them, for run.json */
	long array, merge;      /* 0: none; merge: the job whose outcome the submitter takes (the merge, or a
	                           whole run's one job) */
	const char *endname;    /* that job's name: "merge", or "run" (slurmrun_whole) */
	int nshards;
	int *todo;              /* the shards submitted */
	size_t ntodo;
	bool recorded;          /* run.json holds this submission's jobs */
};

/* ---- what run.json records ---- */

static json_t *state_of(const struct rundir *r)
{
	return json_object_get(r->extra, "slurm");
}

static json_t *lastsub(json_t *state)
{
	json_t *subs = json_object_get(state, "submissions");

	return json_array_size(subs) ? json_array_get(subs, json_array_size(subs) - 1) : NULL;
}

static bool hasint(json_t *arr, json_int_t v)
{
	size_t i;
	json_t *it;

	json_array_foreach(arr, i, it)
		if (json_integer_value(it) == v)
			return true;
	return false;
}

/* the submissions that included shard k */
static int attempts(json_t *state, int k)
{
	json_t *subs = json_object_get(state, "submissions"), *s;
	size_t i;
	int n = 0;

	json_array_foreach(subs, i, s)
		n += hasint(json_object_get(s, "shards"), k);
	return n;
}

/* the log of shard k's latest task, or NULL when it was never submitted */
static char *shardlog(const char *rundir, json_t *state, int k)
{
	json_t *subs = json_object_get(state, "submissions");

	for (size_t i = json_array_size(subs); i-- > 0;) {
		json_t *s = json_array_get(subs, i);
		if (hasint(json_object_get(s, "shards"), k))
			return xasprintf("%s/" RUN_SLURM "/shard-%d-%" JSON_INTEGER_FORMAT ".log", rundir, k,
			                 json_integer_value(json_object_get(s, "array")));
	}
	return NULL;
}

/* the last n lines of a log, each as "    | LINE\n"; a note when it cannot be read */
static char *logtail(const char *path, int n)
{
	char *data = NULL, *p;
	size_t len = 0;
	struct buf b = {0};
	int lines = 0;

	if (!path)
		return xstrdup("    (no log: never submitted)\n");
	if (!isregular(path) || readfile(path, &data, &len) < 0) {
		free(data);
		return xasprintf("    (%s: no log yet)\n", path);
	}
	while (len && (data[len - 1] == '\n' || data[len - 1] == ' '))
		data[--len] = '\0';
	for (p = data + len; p > data && lines < n; p--)
		if (p[-1] == '\n' && ++lines == n)
			break;
	bufadd(&b, "", 0);
	for (char *line = p, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		bufaddf(&b, "    | %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
		if (!nl)
			break;
	}
	if (!len)
		bufadds(&b, "    (the log is empty)\n");
	free(data);
	return b.s;
}

int slurmrun_shards(const struct pipeline *p)
{
	return (int)json_integer_value(json_object_get(state_of(&p->run), "shards"));
}

/* ---- the engine, once per run ---- */

/* the job ids of a submission (at most n) */
static size_t subjobs(json_t *sub, long *ids, size_t n)
{
	json_t *b;
	size_t k = 0, i;

	json_array_foreach(json_object_get(sub, "builds"), i, b)
		if (k + 2 < n)
			ids[k++] = (long)json_integer_value(json_object_get(b, "job"));
	if (json_integer_value(json_object_get(sub, "array")))
		ids[k++] = (long)json_integer_value(json_object_get(sub, "array"));
	if (json_integer_value(json_object_get(sub, "merge")))
		ids[k++] = (long)json_integer_value(json_object_get(sub, "merge"));
	return k;
}

/* none of the last submission's jobs is still queued or running: two writers would measure a shard twice */
static int notqueued(const struct pipeline *p, json_t *state)
{
	struct slurmqueue q;
	long ids[66];
	size_t n = subjobs(lastsub(state), ids, LEN(ids));
	int rc = 0;

	if (!n)
		return 0;
	if (slurm_poll(ids, n, &q) < 0)
		return errwrap("%s: its last Slurm jobs", p->run.dir);
	if (q.n)
		rc = errorf("%s: its Slurm jobs from the last submission are still queued or running (job %ld %s); wait for "
		            "them (gilbench status %s) or cancel them with scancel", p->run.dir, q.v[0].job, q.v[0].state,
		            p->run.dir);
	slurmqueue_free(&q);
	return rc;
}

/* refuse a run directory that this gilbench cannot hand to Slurm */
static int checkrun(struct pipeline *p, json_t *state)
{
	char *res = pathjoin(p->run.dir, RUN_RESULTS);
	struct stat st;
	int rc = 0;

	if (!state && stat(res, &st) == 0 && st.st_size > 0)
		rc = errorf("%s was measured here in one piece, not in shards; continue it without --slurm", p->run.dir);
	free(res);
	return rc < 0 ? rc : notqueued(p, state);
}

/* the options: the command line's, else those run.json recorded; recorded back */
static void settle(struct pipeline *p, struct slurmrun *s, json_t *state)
{
	const struct slurmopts *o = &p->o.slurm;
	json_t *sb = json_object_get(state, "sbatch"), *it;
	size_t i;

	s->partition = o->partition ? xstrdup(o->partition) : jstrdup(state, "partition");
	s->limit = o->array_limit ? o->array_limit : (int)json_integer_value(json_object_get(state, "array_limit"));
	if (o->sbatch) {
		sb = json_array();
		for (size_t k = 0; k < o->sbatch->n; k++)
			json_array_append_new(sb, json_string(o->sbatch->v[k]));
		json_object_set_new(state, "sbatch", sb);
	}
	strlist_add(&s->extra, "--kill-on-invalid-dep=yes");
	json_array_foreach(sb, i, it)
		if (json_is_string(it))
			strlist_add(&s->extra, json_string_value(it));
	json_object_set_new(state, "partition", s->partition ? json_string(s->partition) : json_null());
	json_object_set_new(state, "array_limit", s->limit ? json_integer(s->limit) : json_null());
}

static struct slurmrun *engine(struct pipeline *p)
{
	struct slurmrun *s;
	json_t *state = state_of(&p->run);

	if (p->slurm)
		return p->slurm;
	if (checkrun(p, state) < 0)
		return NULL;
	s = p->slurm = xcalloc(1, sizeof(*s));
	s->bjson = json_array();
	if (!(s->self = realpath("/proc/self/exe", NULL))) {
		errorf("cannot find gilbench's own path (/proc/self/exe):");
		return NULL;
	}
	s->dir = pathjoin(p->run.dir, RUN_SLURM);
	s->endname = "merge";
	if (mkdirp(s->dir, 0755) < 0)
		return NULL;
	if (!state) {
		state = json_pack("{s:i, s:o}", "shards", 0, "submissions", json_array());
		json_object_set_new(p->run.extra, "slurm", state);
	}
	s->state = state;
	settle(p, s, state);
	return s;
}

/* ---- submitting ---- */

static int submit(struct pipeline *p, const char *what, const char *log, char *const *argv, const char *array,
                  const char *dep, bool exclusive, long *id)
{
	struct slurmrun *s = p->slurm;
	char *name = xasprintf("gilbench-%s-%s", p->cfg->name, what), *script = xasprintf("%s/%s.sbatch", s->dir, what);
	char *out = pathjoin(s->dir, log);
	struct slurmjob j = {
		.name = name, .script = script, .argv = argv, .cwd = p->run.dir, .output = out, .array = array,
		.dependency = dep, .partition = s->partition, .exclusive = exclusive, .nomultithread = exclusive,
		.extra = s->extra.v,
	};
	int rc = slurm_submit(&j, id);

	free(name);
	free(script);
	free(out);
	return rc;
}

int slurmrun_build(struct pipeline *p, size_t b, const struct source *src)
{
	const char *name = p->cfg->builds[b].name;
	struct slurmrun *s = engine(p);
	struct strlist argv = {0};
	char key[HEXLEN], *marker, *what, *log;
	long id;
	int rc;

	if (!s || build_key(p->cfg, b, src, key, NULL) < 0)
		return -1;
	marker = xasprintf("%s/prefix/%s/%s", p->paths.work, key, BUILD_MARKER);
	rc = isregular(marker) ? 0 : 1;
	free(marker);
	if (rc == 0)
		return 0;
	strlist_add(&argv, s->self);
	strlist_add(&argv, "slurm-task");
	strlist_add(&argv, "build");
	strlist_add(&argv, p->run.dir);
	strlist_add(&argv, "--only");
	strlist_add(&argv, name);
	strlist_add(&argv, "--work");
	strlist_add(&argv, p->paths.work);
	what = xasprintf("build-%s", name);
	log = xasprintf("build-%s-%%j.log", name);
	if (submit(p, what, log, argv.v, NULL, NULL, false, &id) < 0) {
		rc = -1;
	} else {
		s->bjobs = xreallocarray(s->bjobs, s->nbjobs + 1, sizeof(*s->bjobs));
		s->bjobs[s->nbjobs++] = id;
		json_array_append_new(s->bjson, json_pack("{s:s, s:I}", "name", name, "job", (json_int_t)id));
		logmsg("build %s: not installed; Slurm job %ld builds it (log %s/%s-%ld.log)", name, id, s->dir, what, id);
	}
	strlist_free(&argv);
	free(what);
	free(log);
	return rc;
}

/* the shards: as recorded, else --shards, else one per node; at most one per point */
static int nshards(struct pipeline *p, struct slurmrun *s)
{
	int rec = (int)json_integer_value(json_object_get(s->state, "shards")), want = p->o.slurm.shards, n;
	struct slurmnodes ns;

	if (rec > 0 && want && want != rec) {
		p->out.usage = true;
		return errorf("--shards %d: %s is split into %d shards already (its shards' files are by number)", want,
		              p->run.dir, rec);
	}
	if (rec > 0)
		return s->nshards = rec;
	n = want;
	if (!n) {
		n = slurm_nodes(&ns) == 0 && ns.n ? (int)ns.n : 1;
		slurmnodes_free(&ns);
	}
	if ((size_t)n > p->plan->npoints) {
		if (want)
			logmsg("--shards %d: the plan has %zu points, so %zu shards", want, p->plan->npoints, p->plan->npoints);
		n = (int)p->plan->npoints;
	}
	json_object_set_new(s->state, "shards", json_integer(n));
	return s->nshards = n;
}

/* "0-3,5,7-8" (and "%K") of the shards to submit */
static char *arrayspec(const int *v, size_t n, int limit)
{
	struct buf b = {0};

	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && v[j + 1] == v[j] + 1)
			j++;
		bufaddf(&b, "%s%d", b.len ? "," : "", v[i]);
		if (j > i)
			bufaddf(&b, "-%d", v[j]);
		i = j + 1;
	}
	if (limit)
		bufaddf(&b, "%%%d", limit);
	return b.s;
}

/* afterok:1:2 / afterany:3 of some jobs, or NULL */
static char *depend(const char *kind, const long *ids, size_t n)
{
	struct buf b = {0};

	if (!n)
		return NULL;
	bufadds(&b, kind);
	for (size_t i = 0; i < n; i++)
		bufaddf(&b, ":%ld", ids[i]);
	return b.s;
}

/* the shards that are not complete */
static int findtodo(struct pipeline *p, struct slurmrun *s)
{
	for (int k = 0; k < s->nshards; k++) {
		struct shardinfo si;
		if (shard_read(p->run.dir, p->plan, k, s->nshards, &si) < 0)
			return -1;
		if (!shard_complete(&si)) {
			s->todo = xreallocarray(s->todo, s->ntodo + 1, sizeof(*s->todo));
			s->todo[s->ntodo++] = k;
		}
		shardinfo_free(&si);
	}
	return 0;
}

static void trialopts(const struct runopts *o, struct strlist *argv)
{
	if (o->cpus) {
		strlist_add(argv, "--cpus");
		strlist_add(argv, o->cpus);
	}
	if (o->min_trials)
		strlist_addown(argv, xasprintf("--min-trials=%d", o->min_trials));
	if (o->max_trials)
		strlist_addown(argv, xasprintf("--max-trials=%d", o->max_trials));
	if (o->target > 0)
		strlist_addown(argv, xasprintf("--target=%.10g", o->target * 100));
}

/* the array of shards left (after the build jobs) and the merge job (after the array) */
static int submitall(struct pipeline *p, struct slurmrun *s)
{
	struct strlist a = {0}, m = {0};
	char *spec = NULL, *dep = NULL, *mdep = NULL;
	int rc = -1;

	strlist_add(&a, s->self);
	strlist_add(&a, "slurm-task");
	strlist_add(&a, "measure");
	strlist_add(&a, p->run.dir);
	trialopts(&p->o.trials, &a);
	strlist_add(&m, s->self);
	strlist_add(&m, "slurm-task");
	strlist_add(&m, "merge");
	strlist_add(&m, p->run.dir);
	if (!p->o.archive)
		strlist_add(&m, "--no-archive");
	if (s->ntodo) {
		spec = arrayspec(s->todo, s->ntodo, s->limit);
		dep = depend("afterok", s->bjobs, s->nbjobs);
		if (submit(p, "shards", "shard-%a-%A.log", a.v, spec, dep, true, &s->array) < 0)
			goto cleanup;
		logmsg("%zu of %d shards (%s): Slurm job array %ld (logs %s/shard-K-%ld.log)", s->ntodo, s->nshards, spec,
		       s->array, s->dir, s->array);
	} else {
		logmsg("all %d shards are complete: only the merge is left", s->nshards);
	}
	/* after the array and the builds: a build job that failed cancels the array at once, the others go on */
	s->bjobs = xreallocarray(s->bjobs, s->nbjobs + 1, sizeof(*s->bjobs));
	s->bjobs[s->nbjobs] = s->array;
	mdep = depend("afterany", s->bjobs, s->nbjobs + (s->array != 0));
	if (submit(p, "merge", "merge-%j.log", m.v, NULL, mdep, false, &s->merge) < 0)
		goto cleanup;
	logmsg("merge, report%s: Slurm job %ld (log %s/merge-%ld.log)", p->o.archive ? ", archive" : "", s->merge, s->dir,
	       s->merge);
	rc = 0;
cleanup:
	strlist_free(&a);
	strlist_free(&m);
	free(spec);
	free(dep);
	free(mdep);
	return rc;
}

/* the submission, into run.json's list */
static int record(struct pipeline *p, struct slurmrun *s)
{
	json_t *sh = json_array();
	char *at = utcstamp(false);

	for (size_t i = 0; i < s->ntodo; i++)
		json_array_append_new(sh, json_integer(s->todo[i]));
	json_array_append_new(json_object_get(s->state, "submissions"),
	                      json_pack("{s:s, s:O, s:I, s:o, s:I}", "at", at, "builds", s->bjson, "array",
	                                (json_int_t)s->array, "shards", sh, "merge", (json_int_t)s->merge));
	free(at);
	if (rundir_save(&p->run) < 0)
		return -1;
	s->recorded = true;
	return 0;
}

static int await(struct pipeline *p, struct slurmrun *s);
static int takeoutcome(struct pipeline *p, struct slurmrun *s);
static int clearoutcome(const struct slurmrun *s);

int slurmrun_measure(struct pipeline *p)
{
	struct slurmrun *s = engine(p);

	if (!s)
		return -1;
	delplan(p->plan);
	p->plan = NULL;
	if (plan_make(p->cfg, &p->plan) < 0 || nshards(p, s) < 0 || findtodo(p, s) < 0)
		return -1;
	if (clearoutcome(s) < 0) /* an earlier merge's */
		return -1;
	/* the tasks read the number of shards from run.json: it is there before they can start */
	if (rundir_save(&p->run) < 0 || submitall(p, s) < 0 || record(p, s) < 0)
		return -1;
	rundir_unlock(&p->run); /* the merge job takes it */
	if (p->o.slurm.nowait) {
		p->summary = xasprintf("Submitted to Slurm: %zu build job%s, %zu of %d shards%s%ld, the merge as job %ld.\n"
		                       "Follow it with: gilbench status %s", s->nbjobs, s->nbjobs == 1 ? "" : "s", s->ntodo,
		                       s->nshards, s->array ? " as array " : "", s->array, s->merge, p->run.dir);
		p->summary_path = xstrdup(p->run.dir);
		return 0;
	}
	if (await(p, s) < 0)
		return -1;
	return takeoutcome(p, s);
}

static int awaitone(struct pipeline *p, struct slurmrun *s);
static int nap(void);

/* unlink an earlier outcome file, so that only this submission's end is taken */
static int clearoutcome(const struct slurmrun *s)
{
	char *outcome = xasprintf("%s/%s", s->dir, RUN_SLURM_OUTCOME);
	int rc = 0;

	if (unlink(outcome) < 0 && errno != ENOENT)
		rc = errorf("remove %s:", outcome);
	free(outcome);
	return rc;
}

int slurmrun_whole(struct pipeline *p)
{
	struct slurmrun *s = engine(p);
	struct strlist a = {0};
	int rc = -1;

	if (!s || clearoutcome(s) < 0)
		return -1;
	s->endname = "run";
	strlist_add(&a, s->self);
	strlist_add(&a, "slurm-task");
	strlist_add(&a, "run");
	strlist_add(&a, p->run.dir);
	trialopts(&p->o.trials, &a);
	if (!p->o.archive)
		strlist_add(&a, "--no-archive");
	if (rundir_save(&p->run) < 0 || submit(p, "run", "run-%j.log", a.v, NULL, NULL, true, &s->merge) < 0)
		goto cleanup;
	logmsg("the whole %s: Slurm job %ld on one node of its own (log %s/run-%ld.log)", runkind_name(p->run.kind),
	       s->merge, s->dir, s->merge);
	if (record(p, s) < 0)
		goto cleanup;
	rundir_unlock(&p->run); /* the job takes it */
	if (awaitone(p, s) < 0 || takeoutcome(p, s) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	strlist_free(&a);
	return rc;
}

/* ---- waiting ---- */

/* one job (slurmrun_whole's): its state as squeue shows it, until squeue lists it no more */
static int awaitone(struct pipeline *p, struct slurmrun *s)
{
	struct progress *prog = mkprogress(s->endname, PROGRESS_COUNT);
	char *last = NULL;
	int rc = -1;

	for (;;) {
		struct slurmqueue q;
		const struct slurmtask *t;
		char *text;

		if (slurm_poll(&s->merge, 1, &q) < 0)
			goto cleanup;
		t = slurmqueue_find(&q, s->merge, SLURM_NOTASK);
		text = t ? xasprintf("job %ld %s%s%s%s", s->merge, t->state, strcmp(t->reason, "None") ? " (" : "",
		                     strcmp(t->reason, "None") ? t->reason : "", strcmp(t->reason, "None") ? ")" : "")
		         : xasprintf("job %ld ended", s->merge);
		slurmqueue_free(&q);
		if (!log_isatty() && (!last || strcmp(text, last) != 0))
			logmsg("%s", text);
		free(last);
		last = text;
		progress_note(prog, "%s", text);
		if (strstr(text, " ended"))
			break;
		if (nap() < 0) {
			errorf("interrupted while waiting; the Slurm job goes on (job %ld): gilbench status %s shows it",
			       s->merge, p->run.dir);
			goto cleanup;
		}
	}
	rc = 0;
cleanup:
	progress_done(prog, "%s", last ? last : "");
	free(last);
	return rc;
}

struct tally {
	size_t done, running, pending, failed, trials, building;
	bool merging;
};

static bool started(const char *state)
{
	return strcmp(state, "PENDING") != 0 && strcmp(state, "REQUEUED") != 0 && strcmp(state, "SUSPENDED") != 0;
}

/* where every shard stands: listed by squeue (pending or running), else by its files */
static void count(struct pipeline *p, struct slurmrun *s, const struct slurmqueue *q, struct tally *t)
{
	memset(t, 0, sizeof(*t));
	for (int k = 0; k < s->nshards; k++) {
		const struct slurmtask *qt = s->array ? slurmqueue_find(q, s->array, k) : NULL;
		struct shardinfo si;

		if (shard_read(p->run.dir, p->plan, k, s->nshards, &si) == 0)
			t->trials += si.trials;
		if (qt)
			started(qt->state) ? t->running++ : t->pending++;
		else if (shard_complete(&si))
			t->done++;
		else
			t->failed++;
		shardinfo_free(&si);
	}
	for (size_t i = 0; i < s->nbjobs; i++)
		t->building += slurmqueue_find(q, s->bjobs[i], SLURM_NOTASK) != NULL;
	t->merging = slurmqueue_find(q, s->merge, SLURM_NOTASK) != NULL;
}

/* sleep POLL seconds; -1 when gilbench is asked to stop */
static int nap(void)
{
	struct timespec ts = { 0, (long)(POLL * 1e9) };

	while (!spawn_interrupted && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return spawn_interrupted ? -1 : 0;
}

static int await(struct pipeline *p, struct slurmrun *s)
{
	long ids[3 + 64];
	size_t n = 0;
	struct progress *prog = mkprogress("shards", PROGRESS_COUNT);
	char *last = NULL;
	struct tally t = {0};
	int rc = -1;

	for (size_t i = 0; i < s->nbjobs && n < LEN(ids) - 2; i++)
		ids[n++] = s->bjobs[i];
	if (s->array)
		ids[n++] = s->array;
	ids[n++] = s->merge;
	progress_total(prog, (uint64_t)s->nshards);
	for (;;) {
		struct slurmqueue q;
		char *text;

		if (slurm_poll(ids, n, &q) < 0)
			goto cleanup;
		count(p, s, &q, &t);
		slurmqueue_free(&q);
		text = xasprintf("builds %zu running or waiting; shards %zu done, %zu running, %zu pending, %zu failed; "
		                 "merge %s", t.building, t.done, t.running, t.pending, t.failed,
		                 t.merging ? "waiting or running" : "ended");
		if (!log_isatty() && (!last || strcmp(text, last) != 0))
			logmsg("%s", text); /* off a terminal, every change is a line */
		free(last);
		last = text;
		progress_note(prog, "%s (%zu trials)", text, t.trials);
		progress_set(prog, t.done);
		if (!t.merging)
			break;
		if (nap() < 0) {
			errorf("interrupted while waiting; the Slurm jobs go on (merge job %ld): gilbench status %s shows them",
			       s->merge, p->run.dir);
			goto cleanup;
		}
	}
	rc = 0;
cleanup:
	progress_done(prog, "%zu of %d shards done, %zu failed", t.done, s->nshards, t.failed);
	free(last);
	return rc;
}

static int takeoutcome(struct pipeline *p, struct slurmrun *s)
{
	char *path = xasprintf("%s/%s", s->dir, RUN_SLURM_OUTCOME), *log = NULL, *tail = NULL;
	json_t *o = NULL;
	const char *err;
	int rc = -1;

	if (readjson(path, true, &o) < 0)
		goto cleanup;
	if (!json_is_object(o)) {
		log = xasprintf("%s/%s-%ld.log", s->dir, s->endname, s->merge);
		tail = logtail(log, TAIL_LINES);
		errorf("the %s job %ld ended without recording its outcome in %s (cancelled, preempted or out of time?); "
		       "%s ends:\n%s", s->endname, s->merge, path, log, tail);
		goto cleanup;
	}
	p->out.failed_builds = (int)json_integer_value(json_object_get(o, "failed_builds"));
	p->out.verify_failed = json_is_true(json_object_get(o, "verify_failed"));
	p->out.report_partial = json_is_true(json_object_get(o, "report_partial")) || json_is_true(json_object_get(o, "partial"));
	p->out.regressions = (size_t)json_integer_value(json_object_get(o, "regressions"));
	p->out.inconclusive = (size_t)json_integer_value(json_object_get(o, "inconclusive"));
	p->out.range = json_is_true(json_object_get(o, "range"));
	p->out.nochange = json_is_true(json_object_get(o, "nochange"));
	p->cmp.worst = json_number_value(json_object_get(o, "worst"));
	p->cmp.worst_cell = jstrdup(o, "worst_cell");
	p->summary = jstrdup(o, "summary");
	p->summary_path = jstrdup(o, "summary_path");
	if ((err = json_string_value(json_object_get(o, "error")))) {
		errorf("%s", err);
		goto cleanup;
	}
	if (!p->summary_path)
		p->summary_path = pathjoin(p->run.dir, RUN_REPORT_MD);
	rc = 0;
cleanup:
	json_decref(o);
	free(path);
	free(log);
	free(tail);
	return rc;
}

/* ---- the merge, and a run continued here ---- */

/* builds that failed, as a run here counts them (their variants were skipped) */
static void countbuilds(struct pipeline *p)
{
	for (size_t b = 0; b < p->cfg->nbuilds; b++) {
		struct buildrec r;
		if (buildrec_read(p->run.dir, p->cfg->builds[b].name, &r) < 0)
			continue;
		if (!r.ok) {
			p->out.failed_builds++;
			p->out.verify_failed |= r.verify_failed;
		}
		buildrec_free(&r);
	}
}

/* the last submission's builds whose job left no record or a failed one, with the job's log */
static void missingbuilds(const struct pipeline *p, json_t *state, struct buf *b)
{
	json_t *last = lastsub(state), *j;
	size_t i;

	json_array_foreach(json_object_get(last, "builds"), i, j) {
		const char *name = json_string_value(json_object_get(j, "name"));
		struct buildrec r;
		char *log, *tail, *why;
		bool have;
		if (!name)
			continue;
		have = buildrec_read(p->run.dir, name, &r) == 0;
		if (have && r.ok) {
			buildrec_free(&r);
			continue;
		}
		why = have ? xasprintf("%s at %s", r.interrupted ? "interrupted" : "failed", r.failed_step ? r.failed_step : "?")
		           : xstrdup("its job left no record");
		log = xasprintf("%s/" RUN_SLURM "/build-%s-%" JSON_INTEGER_FORMAT ".log", p->run.dir, name,
		                json_integer_value(json_object_get(j, "job")));
		tail = logtail(log, TAIL_LINES);
		bufaddf(b, "\n  build %s: %s; %s ends:\n%.*s", name, why, log, (int)strlen(tail) - 1, tail);
		if (have)
			buildrec_free(&r);
		free(why);
		free(log);
		free(tail);
	}
}

int slurmrun_merge(struct pipeline *p)
{
	int n = slurmrun_shards(p), bad = 0, rc;
	json_t *state = state_of(&p->run);
	struct buf why = {0};
	char *plan;

	if (n < 1)
		return errorf("%s is not split into shards: nothing to merge", p->run.dir);
	delplan(p->plan);
	p->plan = NULL;
	if (plan_make(p->cfg, &p->plan) < 0)
		return -1;
	for (int k = 0; k < n; k++) {
		struct shardinfo si;
		char *pts, *log, *tail;
		int tries = attempts(state, k);
		if (shard_read(p->run.dir, p->plan, k, n, &si) < 0) {
			buffree(&why);
			return -1;
		}
		if (!shard_complete(&si)) {
			pts = shard_points(p->plan, k, n);
			log = shardlog(p->run.dir, state, k);
			tail = logtail(log, TAIL_LINES);
			bufaddf(&why, "\n  shard %d (%s): ", k, pts);
			if (si.status)
				bufaddf(&why, "%s with %zu trials", si.status, si.trials);
			else
				bufadds(&why, "never started");
			bufaddf(&why, ", %s %d attempt%s; %s%s:\n%.*s", tries > 1 ? "failed in each of its" : "after", tries,
			        tries == 1 ? "" : "s", log ? log : "no log", log ? " ends" : "", (int)strlen(tail) - 1, tail);
			bad++;
			free(pts);
			free(log);
			free(tail);
		}
		shardinfo_free(&si);
	}
	if (bad) {
		missingbuilds(p, state, &why);
		errorf("%d of %d shards did not complete; continue with gilbench run --resume %s --slurm (only those are "
		       "submitted again), or without --slurm to finish them here:%s", bad, n, p->run.dir, why.s);
		buffree(&why);
		return -1;
	}
	plan = pathjoin(p->run.dir, RUN_PLAN);
	rc = plan_write(p->plan, plan) < 0 || shards_merge(p->run.dir, p->plan, n, &p->sum) < 0 ? -1 : 0;
	free(plan);
	if (rc < 0)
		return -1;
	countbuilds(p);
	logmsg("merged %d shards: %zu trials", n, p->sum.ran + p->sum.resumed);
	return 0;
}

int slurmrun_here(struct pipeline *p)
{
	int n = slurmrun_shards(p);

	/* where Slurm still answers, its jobs of this run must be gone; where it does not, the cluster is */
	if (slurm_check() == 0 && notqueued(p, state_of(&p->run)) < 0)
		return -1;
	if (plan_make(p->cfg, &p->plan) < 0)
		return -1;
	for (int k = 0; k < n; k++) {
		struct runopts ro = p->o.trials;
		struct shardinfo si;
		bool done;

		if (shard_read(p->run.dir, p->plan, k, n, &si) < 0)
			return -1;
		done = shard_complete(&si);
		shardinfo_free(&si);
		if (done)
			continue;
		logmsg("shard %d of %d: measured here", k, n);
		ro.shard = k;
		ro.nshards = n;
		ro.resume = true;
		if (runner_run(p->run.dir, p->cfg, p->plan, &ro, &p->sum) < 0) {
			p->out.verify_failed |= p->sum.gil_mismatch;
			return errwrap("shard %d", k);
		}
	}
	return slurmrun_merge(p);
}

int slurmrun_outcome(struct pipeline *p, int rc, int code)
{
	char *dir = pathjoin(p->run.dir, RUN_SLURM), *path = pathjoin(dir, RUN_SLURM_OUTCOME), *end = utcstamp(false);
	json_t *o = json_pack("{s:i, s:o, s:i, s:b, s:b, s:b, s:I, s:I, s:b, s:b, s:o, s:o, s:f, s:o, s:s}", "exit", code,
	                      "error", rc < 0 ? json_string(errmsg()) : json_null(), "failed_builds", p->out.failed_builds,
	                      "verify_failed", p->out.verify_failed, "report_partial", p->out.report_partial,
	                      "partial", runsummary_partial(&p->sum), "regressions", (json_int_t)p->out.regressions,
	                      "inconclusive", (json_int_t)p->out.inconclusive, "range", p->out.range,
	                      "nochange", p->out.nochange, "summary", p->summary ? json_string(p->summary) : json_null(),
	                      "summary_path", p->summary_path ? json_string(p->summary_path) : json_null(),
	                      "worst", p->cmp.worst, "worst_cell", p->cmp.worst_cell ? json_string(p->cmp.worst_cell) : json_null(),
	                      "ended", end);
	int w = mkdirp(dir, 0755) < 0 ? -1 : writejson(path, o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(o);
	free(dir);
	free(path);
	free(end);
	return w;
}

void slurmrun_free(struct slurmrun *s)
{
	if (!s)
		return;
	if (!s->recorded) { /* a submission that failed half-way leaves nothing queued that run.json does not name */
		for (size_t i = 0; i < s->nbjobs; i++)
			if (slurm_cancel(s->bjobs[i], SLURM_NOTASK) < 0)
				warn("%s", errmsg());
		if (s->array && slurm_cancel(s->array, SLURM_NOTASK) < 0)
			warn("%s", errmsg());
		if (s->merge && slurm_cancel(s->merge, SLURM_NOTASK) < 0)
			warn("%s", errmsg());
	}
	free(s->self);
	free(s->dir);
	free(s->partition);
	strlist_free(&s->extra);
	free(s->bjobs);
	json_decref(s->bjson);
	free(s->todo);
	free(s);
}

/* ---- gilbench status ---- */

/* the state squeue gives a job or task, else what its files say */
static json_t *jobstate(const struct slurmqueue *q, long job, long task, const char *fallback)
{
	const struct slurmtask *t = job ? slurmqueue_find(q, job, task) : NULL;

	if (!t)
		return json_string(fallback);
	return json_sprintf("%s%s%s%s", started(t->state) ? "running" : "pending", strcmp(t->reason, "None") ? " (" : "",
	                    strcmp(t->reason, "None") ? t->reason : "", strcmp(t->reason, "None") ? ")" : "");
}

static json_t *statusbuilds(const struct rundir *r, json_t *last, const struct slurmqueue *q)
{
	json_t *out = json_array(), *j;
	size_t i;

	json_array_foreach(json_object_get(last, "builds"), i, j) {
		const char *name = json_string_value(json_object_get(j, "name"));
		long job = (long)json_integer_value(json_object_get(j, "job"));
		struct buildrec br;
		const char *st = "ended without a record";
		bool have = name && buildrec_read(r->dir, name, &br) == 0;

		if (have)
			st = br.ok ? "built" : "failed";
		json_array_append_new(out, json_pack("{s:s?, s:I, s:o}", "name", name, "job", (json_int_t)job, "state",
		                                     jobstate(q, job, SLURM_NOTASK, st)));
		if (have)
			buildrec_free(&br);
	}
	return out;
}

static json_t *statusshards(const struct rundir *r, const struct plan *plan, json_t *state, json_t *last,
                            const struct slurmqueue *q, bool queued)
{
	int n = (int)json_integer_value(json_object_get(state, "shards"));
	long array = (long)json_integer_value(json_object_get(last, "array"));
	json_t *out = json_array();

	for (int k = 0; k < n; k++) {
		struct shardinfo si;
		char *log = shardlog(r->dir, state, k), *pts = shard_points(plan, k, n), *tail = NULL;
		const char *st;
		json_t *o;

		if (shard_read(r->dir, plan, k, n, &si) < 0) {
			warn("%s", errmsg());
			memset(&si, 0, sizeof(si));
		}
		st = shard_complete(&si) ? "complete" : !queued ? "not complete" : si.status || log ? "failed" : "not submitted";
		if (!shard_complete(&si) && queued && array && slurmqueue_find(q, array, k))
			o = jobstate(q, array, k, st);
		else
			o = json_string(st);
		if (strcmp(json_string_value(o), "failed") == 0 || strcmp(json_string_value(o), "not complete") == 0)
			tail = logtail(log, TAIL_LINES);
		json_array_append_new(out, json_pack("{s:i, s:s, s:o, s:s?, s:I, s:s?, s:i, s:s?, s:s?}", "shard", k, "points",
		                                     pts, "state", o, "status", si.status, "trials", (json_int_t)si.trials,
		                                     "node", si.node, "attempts", attempts(state, k), "log", log, "log_tail",
		                                     tail));
		shardinfo_free(&si);
		free(log);
		free(pts);
		free(tail);
	}
	return out;
}

static json_t *statusmerge(const struct rundir *r, json_t *last, const struct slurmqueue *q)
{
	long job = (long)json_integer_value(json_object_get(last, "merge"));
	char *path = xasprintf("%s/" RUN_SLURM "/" RUN_SLURM_OUTCOME, r->dir);
	json_t *o = NULL, *out;

	if (readjson(path, true, &o) < 0)
		warn("%s", errmsg());
	out = json_pack("{s:I, s:o, s:O, s:O, s:O}", "job", (json_int_t)job, "state",
	                jobstate(q, job, SLURM_NOTASK, json_is_object(o) ? "ended" : job ? "ended without an outcome" : "-"),
	                "exit", json_object_get(o, "exit") ? json_object_get(o, "exit") : json_null(),
	                "error", json_object_get(o, "error") ? json_object_get(o, "error") : json_null(),
	                "summary_path", json_object_get(o, "summary_path") ? json_object_get(o, "summary_path") : json_null());
	json_decref(o);
	free(path);
	return out;
}

/* where a run stands, as one document */
static json_t *statusdoc(const struct rundir *r, const struct plan *plan)
{
	json_t *state = state_of(r), *last = lastsub(state), *doc;
	struct slurmqueue q = {0};
	long ids[66];
	size_t n = subjobs(last, ids, LEN(ids));
	bool queued = false;
	char *why = NULL;

	if (n && (slurm_check() < 0 || slurm_poll(ids, n, &q) < 0))
		why = xstrdup(errmsg());
	else
		queued = n > 0;
	doc = json_pack("{s:s, s:s, s:s, s:i, s:I, s:s?, s:s?, s:o, s:o, s:o}", "dir", r->dir, "kind", runkind_name(r->kind),
	                "config", plan->cfg->name, "shards", (int)json_integer_value(json_object_get(state, "shards")),
	                "submissions", (json_int_t)json_array_size(json_object_get(state, "submissions")),
	                "last_submitted", json_string_value(json_object_get(last, "at")), "squeue", why,
	                "builds", statusbuilds(r, last, &q), "shard", statusshards(r, plan, state, last, &q, queued),
	                "merge", statusmerge(r, last, &q));
	slurmqueue_free(&q);
	free(why);
	return doc;
}

static void printstatus(json_t *d)
{
	json_t *it, *m = json_object_get(d, "merge");
	size_t i;

	printf("%s: %s %s, %" JSON_INTEGER_FORMAT " shards on Slurm, submitted %" JSON_INTEGER_FORMAT " time%s%s%s\n",
	       json_string_value(json_object_get(d, "dir")), json_string_value(json_object_get(d, "kind")),
	       json_string_value(json_object_get(d, "config")), json_integer_value(json_object_get(d, "shards")),
	       json_integer_value(json_object_get(d, "submissions")), json_integer_value(json_object_get(d, "submissions")) == 1 ? "" : "s",
	       json_is_string(json_object_get(d, "last_submitted")) ? ", last at " : "",
	       json_is_string(json_object_get(d, "last_submitted")) ? json_string_value(json_object_get(d, "last_submitted")) : "");
	if (json_is_string(json_object_get(d, "squeue")))
		printf("squeue: %s (states from the files alone)\n", json_string_value(json_object_get(d, "squeue")));
	json_array_foreach(json_object_get(d, "builds"), i, it)
		printf("build %s: job %" JSON_INTEGER_FORMAT ", %s\n", json_string_value(json_object_get(it, "name")),
		       json_integer_value(json_object_get(it, "job")), json_string_value(json_object_get(it, "state")));
	json_array_foreach(json_object_get(d, "shard"), i, it) {
		printf("shard %" JSON_INTEGER_FORMAT " (%s): %s, %" JSON_INTEGER_FORMAT " trials", json_integer_value(json_object_get(it, "shard")),
		       json_string_value(json_object_get(it, "points")), json_string_value(json_object_get(it, "state")),
		       json_integer_value(json_object_get(it, "trials")));
		if (json_is_string(json_object_get(it, "node")))
			printf(", node %s", json_string_value(json_object_get(it, "node")));
		printf(", %" JSON_INTEGER_FORMAT " attempt%s\n", json_integer_value(json_object_get(it, "attempts")),
		       json_integer_value(json_object_get(it, "attempts")) == 1 ? "" : "s");
		if (json_is_string(json_object_get(it, "log_tail")))
			printf("  %s ends:\n%s", json_is_string(json_object_get(it, "log")) ? json_string_value(json_object_get(it, "log"))
			                                                                   : "(no log)",
			       json_string_value(json_object_get(it, "log_tail")));
	}
	printf("merge: job %" JSON_INTEGER_FORMAT ", %s", json_integer_value(json_object_get(m, "job")),
	       json_string_value(json_object_get(m, "state")));
	if (json_is_integer(json_object_get(m, "exit")))
		printf(", exit %" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(m, "exit")));
	if (json_is_string(json_object_get(m, "summary_path")))
		printf(", %s", json_string_value(json_object_get(m, "summary_path")));
	printf("\n");
	if (json_is_string(json_object_get(m, "error")))
		printf("%s\n", json_string_value(json_object_get(m, "error")));
}

int slurmrun_status(const char *dir, bool json)
{
	struct rundir r;
	struct config *cfg = NULL;
	struct plan *plan = NULL;
	json_t *d = NULL;
	int rc = -1;

	if (rundir_open_with(&r, dir, RUNDIR_NOLOCK) < 0)
		return -1;
	if (config_load_rundir(r.dir, &cfg) < 0 || plan_make(cfg, &plan) < 0)
		goto cleanup;
	if (!state_of(&r)) {
		errorf("%s was not run on Slurm (its run.json records no shards); its report, when done, is %s/%s", r.dir,
		       r.dir, RUN_REPORT_MD);
		goto cleanup;
	}
	d = statusdoc(&r, plan);
	if (json) {
		char *t = json_dumps(d, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", t ? t : "{}");
		free(t);
	} else {
		printstatus(d);
	}
	fflush(stdout);
	rc = 0;
cleanup:
	json_decref(d);
	delplan(plan);
	delconfig(cfg);
	rundir_close(&r);
	return rc;
}
