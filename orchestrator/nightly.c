/* nightly.c: planning a nightly, recording it, and keeping its disk use bounded (see
 * nightly.h). The command (cmd_nightly.c) drives the pipeline for each commit; this file
 * decides which commits, finds what a killed nightly left, imports, detects and prunes. */
#include "nightly.h"
#include "archive.h"
#include "build.h"
#include "gitsrc.h"
#include "histpage.h"
#include "histrun.h"
#include "lock.h"
#include "log.h"
#include "pipeline.h"
#include "rundir.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LEDGER "builds.json"

int nightly_open(struct nightly *n, const char *config, const char *db, const char *work, const char *out)
{
	char *lockpath = NULL, *what = NULL, *rel = NULL;
	json_t *desc = NULL;
	int rc = -1;

	memset(n, 0, sizeof(*n));
	if (config_load(config, &n->cfg) < 0)
		return -1;
	if (n->cfg->source.kind != SRC_GIT)
		return errorf("%s: a nightly follows a git ref (source: git: {url, ref}); this config builds a tarball",
		              config);
	rel = out ? xstrdup(out) : xasprintf("reports/nightly/%s", n->cfg->name);
	if (!(n->dir = abspath(rel)) || mkdirp(n->dir, 0755) < 0)
		goto cleanup;
	lockpath = pathjoin(n->dir, RUN_LOCK);
	what = xasprintf("the nightly of %s (%s)", n->cfg->name, n->dir);
	if (lock_take(lockpath, true, what, &n->lk) < 0 || paths_init(&n->paths, work) < 0 ||
	    history_open(db, true, &n->h) < 0)
		goto cleanup;
	if (gitsrc_mirror(n->cfg->source.url, &n->paths, &n->mirror) < 0 ||
	    gitsrc_resolve(n->mirror, n->cfg->source.ref, n->head) < 0) {
		errwrap("%s", config);
		goto cleanup;
	}
	hist_machine(&desc, n->machine);
	rc = 0;
cleanup:
	json_decref(desc);
	free(rel);
	free(lockpath);
	free(what);
	return rc;
}

void nightly_close(struct nightly *n)
{
	history_close(n->h);
	lock_release(n->lk);
	delconfig(n->cfg);
	paths_free(&n->paths);
	free(n->dir);
	free(n->mirror);
	strlist_free(&n->todo);
	strlist_free(&n->resume);
	strlist_free(&n->pending);
	memset(n, 0, sizeof(*n));
}

/* ---- planning ---- */

static bool listed(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* the commit a run directory measures, or NULL */
static char *commit_of(const char *dir)
{
	char *state = pathjoin(dir, RUN_STATE), *c = NULL;
	json_t *o = NULL, *v;

	if (readjson(state, false, &o) == 0) {
		v = json_object_get(json_array_get(json_object_get(o, "sides"), 0), "commit");
		if (json_is_string(v))
			c = xstrdup(json_string_value(v));
	}
	json_decref(o);
	free(state);
	return c;
}

/* the folder's nightly run directories not in the history: finished (archived) or not */
static int leftovers(struct nightly *n, struct strlist *busy)
{
	struct strlist names = { 0 };
	int rc = listdir_suffix(n->dir, "", &names);

	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		char *dir = pathjoin(n->dir, names.v[i]), *arc = xasprintf("%s.tar.gz", dir), *c;
		if (strstr(names.v[i], ".tar.gz.tmp-") && isregular(dir))
			unlink(dir); /* an archive a killed nightly was writing (we hold the folder's lock) */
		int has = isdir(dir) && rundir_kindof(dir) == KIND_NIGHTLY ? history_has_rundir(n->h, dir) : 1;
		if (has < 0)
			rc = -1;
		if (has == 0) {
			strlist_add(isregular(arc) ? &n->pending : &n->resume, dir);
			if ((c = commit_of(dir)))
				strlist_addown(busy, c);
		}
		if (has == 0 && !isregular(arc))
			logmsg("nightly: %s was left unfinished; continuing it", dir);
		free(dir);
		free(arc);
	}
	strlist_free(&names);
	return rc;
}

/* measured already on this machine, or about to be */
static int skip(struct nightly *n, const struct strlist *busy, const char *commit)
{
	return listed(busy, commit) || listed(&n->todo, commit) ? 1 : history_has(n->h, n->machine, n->cfg->name, commit);
}

int nightly_plan(struct nightly *n, int backfill, int every, bool force)
{
	struct strlist busy = { 0 }, line = { 0 };
	int rc = -1, s;

	if (leftovers(n, &busy) < 0)
		goto cleanup;
	if (backfill > 0 && gitsrc_firstparents(n->mirror, n->head, (size_t)backfill * every + 1, &line) < 0)
		goto cleanup;
	for (size_t k = (size_t)backfill; k >= 1; k--) { /* oldest first */
		if (k * every >= line.n)
			continue;
		if ((s = skip(n, &busy, line.v[k * every])) < 0)
			goto cleanup;
		if (!s)
			strlist_add(&n->todo, line.v[k * every]);
	}
	if ((s = skip(n, &busy, n->head)) < 0)
		goto cleanup;
	if (!s || (force && !listed(&busy, n->head)))
		strlist_add(&n->todo, n->head);
	if ((s = history_undetected(n->h, n->cfg->name)) < 0)
		goto cleanup;
	n->undetected = s;
	rc = 0;
cleanup:
	strlist_free(&busy);
	strlist_free(&line);
	return rc;
}

bool nightly_idle(const struct nightly *n)
{
	return !n->todo.n && !n->resume.n && !n->pending.n && !n->undetected;
}

char *nightly_rundir(const struct nightly *n, const char *commit)
{
	time_t t = time(NULL);
	struct tm tm;
	char date[16], *base, *dir;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y%m%d", &tm);
	base = xasprintf("%s/%s-%.12s", n->dir, date, commit);
	dir = xstrdup(base);
	for (int k = 2; exists(dir); k++) {
		free(dir);
		dir = xasprintf("%s-%d", base, k);
	}
	free(base);
	return dir;
}

/* ---- recording ---- */

int nightly_import(struct nightly *n, const char *rundir)
{
	enum hinsert what;
	int rc = hist_import(n->h, rundir, &n->paths, &what, NULL);

	if (rc > 0)
		return -1; /* a directory is not verified: this does not happen */
	if (rc == 0)
		logmsg("history %s: %s %s", history_path(n->h), what == HIST_ADDED ? "recorded" : "already had", rundir);
	return rc;
}

int nightly_detect(struct nightly *n, size_t *raised)
{
	return histpage_update(n->h, n->cfg->name, n->dir, raised);
}

/* ---- keeping disk use bounded ---- */

static long long stamp_time(const char *stamp)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!stamp || !strptime(stamp, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return 0;
	return (long long)timegm(&tm);
}

/* PATH made since T (its change time, which a rename into place sets) */
static bool made_since(const char *path, long long t)
{
	struct stat sb;

	return stat(path, &sb) == 0 && (long long)sb.st_ctime >= t;
}

/* an entry of the ledger: the path must be WORK/prefix/KEY or WORK/src/KEY */
static bool ours(const struct nightly *n, const char *path)
{
	size_t k = strlen(n->paths.work);
	const char *rest = path + k, *name;

	if (strncmp(path, n->paths.work, k) != 0 || (strncmp(rest, "/prefix/", 8) != 0 && strncmp(rest, "/src/", 5) != 0))
		return false;
	name = strrchr(path, '/') + 1;
	return name > rest + 1 && *name && *name != '.' && strspn(name, "0123456789abcdef") == strlen(name);
}

static void note(json_t *made, const char *commit, const char *path, long long now_t, bool add)
{
	size_t i;
	json_t *e;

	json_array_foreach(made, i, e)
		if (strcmp(json_string_value(json_object_get(e, "path")), path) == 0) {
			json_object_set_new(e, "used", json_integer(now_t));
			return;
		}
	if (add)
		json_array_append_new(made, json_pack("{s:s, s:s, s:I}", "commit", commit, "path", path, "used",
		                                      (json_int_t)now_t));
}

static int read_ledger(const char *path, json_t **made)
{
	json_t *o = NULL;
	size_t i;
	json_t *e;

	*made = NULL;
	if (readjson(path, true, &o) < 0)
		return -1;
	*made = json_incref(json_object_get(o, "made"));
	json_decref(o);
	if (!*made)
		*made = json_array();
	if (!json_is_array(*made))
		return errorf("%s: \"made\" is not a list", path);
	json_array_foreach(*made, i, e)
		if (!json_is_string(json_object_get(e, "path")) || !json_is_string(json_object_get(e, "commit")) ||
		    !json_is_integer(json_object_get(e, "used")))
			return errorf("%s: made[%zu] needs path, commit and used", path, i);
	return 0;
}

/* remove one prefix or tree under its lock; false when it is in use (locked) */
static bool remove_made(const char *path)
{
	char *lockpath = xasprintf("%s.lock", path), *marker = pathjoin(path, BUILD_MARKER);
	char *trash = xasprintf("%s.trash-%ld", path, (long)getpid());
	struct lock *lk = NULL;
	bool ok = false;

	if (lock_take(lockpath, false, path, &lk) < 0) {
		logmsg("nightly: keeping %s: in use (%s)", path, errmsg());
		goto cleanup;
	}
	unlink(marker); /* no longer a finished build, whatever happens next */
	if (!exists(path) || (rename(path, trash) == 0 && rmtree(trash) == 0))
		ok = true;
	if (ok)
		logmsg("nightly: removed %s", path);
	else
		warn("nightly: could not remove %s: %s", path, errmsg());
cleanup:
	lock_release(lk);
	free(lockpath);
	free(marker);
	free(trash);
	return ok;
}

/* the commits of made[], most recently used first */
static void by_use(json_t *made, struct strlist *out)
{
	size_t i, n = json_array_size(made);
	json_t **v = xcalloc(n + 1, sizeof(*v)), *e;

	json_array_foreach(made, i, e)
		v[i] = e;
	for (i = 1; i < n; i++) /* insertion sort by used, newest first */
		for (size_t k = i; k > 0 && json_integer_value(json_object_get(v[k - 1], "used")) <
		                              json_integer_value(json_object_get(v[k], "used")); k--) {
			json_t *t = v[k];
			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	for (i = 0; i < n; i++)
		if (!listed(out, json_string_value(json_object_get(v[i], "commit"))))
			strlist_add(out, json_string_value(json_object_get(v[i], "commit")));
	free(v);
}

static void record_made(const struct nightly *n, const struct pipeline *p, json_t *made, long long now_t)
{
	const char *commit = p->run.sides[0].commit;
	long long since = stamp_time(p->run.created);

	for (size_t i = 0; i < p->nrecs; i++) {
		char *marker = p->recs[i].prefix ? pathjoin(p->recs[i].prefix, BUILD_MARKER) : NULL;
		if (marker && ours(n, p->recs[i].prefix))
			note(made, commit, p->recs[i].prefix, now_t, !p->recs[i].reused || made_since(marker, since));
		free(marker);
	}
	for (size_t s = 0; p->srcs && s < p->run.nsides; s++)
		if (p->srcs[s].tree && ours(n, p->srcs[s].tree))
			note(made, commit, p->srcs[s].tree, now_t, !p->srcs[s].reused || made_since(p->srcs[s].tree, since));
}

int nightly_prune(struct nightly *n, const struct pipeline *p, int keep)
{
	char *path = pathjoin(n->dir, LEDGER);
	struct strlist order = { 0 }, kept = { 0 };
	json_t *made = NULL, *left = json_array(), *e;
	long long now_t = (long long)time(NULL);
	size_t i;
	int rc = -1;

	if (read_ledger(path, &made) < 0)
		goto cleanup;
	record_made(n, p, made, now_t);
	by_use(made, &order);
	for (i = 0; i < order.n && (int)i < keep; i++)
		strlist_add(&kept, order.v[i]);
	if (p->run.sides[0].commit)
		strlist_add(&kept, p->run.sides[0].commit);
	json_array_foreach(made, i, e) {
		const char *c = json_string_value(json_object_get(e, "commit")), *x = json_string_value(json_object_get(e, "path"));
		if (listed(&kept, c) || !ours(n, x) || !remove_made(x))
			json_array_append(left, e);
	}
	e = json_pack("{s:i, s:O}", "version", 1, "made", left);
	rc = writejson(path, e, JSON_DOC);
	json_decref(e);
cleanup:
	if (rc < 0)
		errwrap("nightly: the ledger of builds %s", path);
	json_decref(made);
	json_decref(left);
	strlist_free(&order);
	strlist_free(&kept);
	free(path);
	return rc;
}
