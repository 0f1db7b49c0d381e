/* rundir.c: making, opening and describing run directories (see rundir.h).
 *
 * A new run directory is made empty (or an existing empty folder is used) and locked
 * before anything is written; a folder holding anything else is refused, so gilbench never
 * writes over, and later archives, files that are not its own. run.json is written once
 * the config is in place and rewritten whenever a side's commit becomes known; it is what
 * `--resume` reads to continue the run as its own kind.
 *
 * Self-contained: the stages after the first (measure, report, --resume, reproduce,
 * compare) load the run directory's own config.yaml with config_load_inrun(), which finds
 * each experiment script at its relative path inside the directory and each patch by its
 * file name in RUN_DIR/patches/, and refuses anything that resolves outside. So the seed
 * copies each script (with the other .py files of its folder: scripts import their
 * helpers) and each patch to exactly those places, and refuses two patches with one name. */
#include "rundir.h"
#include "lock.h"
#include "util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#ifndef VERSION
#define VERSION "0.1.0"
#endif

static const char *const kindnames[NKINDS] = { "run", "compare", "reproduce", "nightly", "bisect" };

const char *runkind_name(enum runkind k)
{
	return k < NKINDS ? kindnames[k] : "?";
}

/* copy FROM to RUN_DIR/REL, making the folders on the way */
static int copyto(const char *from, const char *rundir, const char *rel)
{
	char *to = pathjoin(rundir, rel), *slash;
	int rc = 0;

	if ((slash = strrchr(to, '/'))) {
		*slash = '\0';
		rc = mkdirp(to, 0755);
		*slash = '/';
	}
	if (rc == 0 && strcmp(from, to) != 0)
		rc = copyfile(from, to);
	free(to);
	return rc;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int copy_scripts(const struct config *cfg, const char *rundir)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < cfg->nexps; i++) {
		const char *script = cfg->exps[i].script, *slash = strrchr(script, '/');
		char *dir = slash ? xstrndup(script, (size_t)(slash - script)) : xstrdup("");
		char *abs = pathjoin(cfg->dir, *dir ? dir : ".");
		struct strlist files = {0};

		/* the loader accepts only scripts inside the config's folder */
		rc = copyto(cfg->exps[i].scriptpath, rundir, script);
		if (rc == 0 && listdir_suffix(abs, ".py", &files) == 0)
			for (size_t j = 0; rc == 0 && j < files.n; j++) {
				char *rel = *dir ? xasprintf("%s/%s", dir, files.v[j]) : xstrdup(files.v[j]);
				char *from = pathjoin(abs, files.v[j]);
				if (isregular(from)) /* a helper that is not a plain file is not copied */
					rc = copyto(from, rundir, rel);
				free(from);
				free(rel);
			}
		strlist_free(&files);
		free(abs);
		free(dir);
	}
	return rc;
}

int rundir_copy_inputs(const struct config *cfg, const char *rundir)
{
	int rc = copy_scripts(cfg, rundir);

	for (size_t i = 0; rc == 0 && i < cfg->npatches; i++) {
		const struct patchconf *pc = &cfg->patches[i];
		char *rel = xasprintf("%s/%s", RUN_PATCHES, basename_of(pc->name));

		for (size_t k = 0; k < i && rc == 0; k++)
			if (strcmp(basename_of(cfg->patches[k].name), basename_of(pc->name)) == 0 &&
			    strcmp(cfg->patches[k].path, pc->path) != 0)
				rc = errorf("%s:%d:%d: patches: \"%s\" and \"%s\" have one file name; a run directory keeps its "
				            "patches by file name, so rename one", cfg->path, pc->pos.line, pc->pos.col,
				            cfg->patches[k].name, pc->name);
		if (rc == 0)
			rc = copyto(pc->path, rundir, rel);
		free(rel);
	}
	return rc < 0 ? errwrap("run directory %s", rundir) : 0;
}

int rundir_seed(const struct config *cfg, const char *rundir)
{
	char *dst = pathjoin(rundir, RUN_CONFIG);
	int rc = copyfile(cfg->path, dst);

	free(dst);
	if (rc < 0)
		return errwrap("run directory %s", rundir);
	return rundir_copy_inputs(cfg, rundir);
}

int config_load_rundir(const char *rundir, struct config **out)
{
	char *path = pathjoin(rundir, RUN_CONFIG);
	int rc = config_load_inrun(path, out);

	free(path);
	return rc;
}

/* ---- run.json ---- */

int rundir_is(const char *dir)
{
	char *state = pathjoin(dir, RUN_STATE), *cfg = pathjoin(dir, RUN_CONFIG), *meta = pathjoin(dir, RUN_METADATA);
	int rc = isregular(state) || (isregular(cfg) && isregular(meta));

	free(state);
	free(cfg);
	free(meta);
	return rc;
}

/* 1 when DIR holds nothing but our own lock file, 0 when it holds something, -1 on error */
static int isempty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return errorf("open folder %s:", dir);
	while (empty && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && strcmp(e->d_name, RUN_LOCK) != 0)
			empty = 0;
	closedir(d);
	return empty;
}

static void side_free(struct side *s)
{
	free(s->name);
	free(s->suffix);
	free(s->ref);
	free(s->commit);
}

void rundir_addside(struct rundir *r, const char *name, const char *ref)
{
	struct side *s;

	r->sides = xreallocarray(r->sides, r->nsides + 1, sizeof(*r->sides));
	s = &r->sides[r->nsides++];
	s->name = xstrdup(name);
	s->suffix = *name ? xasprintf(".%s", name) : xstrdup("");
	s->ref = ref ? xstrdup(ref) : NULL;
	s->commit = NULL;
}

int rundir_create(struct rundir *r, const char *out, const char *name, enum runkind kind)
{
	char *dir = NULL, *lockpath = NULL;
	int rc = -1, e;

	memset(r, 0, sizeof(*r));
	if (out) {
		dir = abspath(out);
	} else {
		char *stamp = utcstamp(true);
		char *rel = kind == KIND_RUN ? xasprintf("reports/%s-%s", name, stamp)
		                             : xasprintf("reports/%s-%s-%s", name, runkind_name(kind), stamp);
		dir = abspath(rel);
		free(rel);
		free(stamp);
	}
	if (!dir)
		goto cleanup;
	if (exists(dir) && rundir_is(dir)) {
		errorf("%s already holds a run", dir);
		goto cleanup;
	}
	if (mkdirp(dir, 0755) < 0)
		goto cleanup;
	if ((e = isempty(dir)) <= 0) {
		if (e == 0)
			errorf("%s is not empty and is not a gilbench run directory; give a new or empty folder", dir);
		goto cleanup;
	}
	lockpath = pathjoin(dir, RUN_LOCK);
	if (lock_take(lockpath, false, "the run directory", &r->lk) < 0)
		goto cleanup;
	r->dir = dir;
	dir = NULL;
	r->kind = kind;
	r->created = utcstamp(false);
	r->extra = json_object();
	rc = 0;
cleanup:
	free(dir);
	free(lockpath);
	return rc;
}

/* run.json into r; -1 naming the file and the field */
static int readstate(struct rundir *r, const char *path)
{
	json_t *o = NULL, *v, *sides;
	const char *k;
	size_t i;
	int rc = -1;

	if (readjson(path, false, &o) < 0)
		return -1;
	if (!json_is_object(o) || !json_is_integer(json_object_get(o, "version"))) {
		errorf("%s: not a run state (no \"version\")", path);
		goto cleanup;
	}
	if (json_integer_value(json_object_get(o, "version")) > RUNSTATE_VERSION) {
		errorf("%s: made by a newer gilbench (run.json version %lld; this one reads %d)", path,
		       (long long)json_integer_value(json_object_get(o, "version")), RUNSTATE_VERSION);
		goto cleanup;
	}
	k = json_string_value(json_object_get(o, "kind"));
	for (r->kind = 0; k && r->kind < NKINDS && strcmp(k, kindnames[r->kind]) != 0; r->kind++)
		;
	if (!k || r->kind == NKINDS) {
		errorf("%s: unknown kind of run \"%s\"", path, k ? k : "(none)");
		goto cleanup;
	}
	sides = json_object_get(o, "sides");
	if (!json_is_array(sides) || json_array_size(sides) == 0) {
		errorf("%s: \"sides\" must be a non-empty list", path);
		goto cleanup;
	}
	json_array_foreach(sides, i, v) {
		struct side *s;
		if (!json_is_object(v) || !json_is_string(json_object_get(v, "name"))) {
			errorf("%s: sides[%zu] has no \"name\"", path, i);
			goto cleanup;
		}
		rundir_addside(r, json_string_value(json_object_get(v, "name")), NULL);
		s = &r->sides[r->nsides - 1];
		s->ref = jstrdup(v, "ref");
		s->commit = jstrdup(v, "commit");
	}
	r->created = jstrdup(o, "created");
	r->extra = json_deep_copy(json_object_get(o, "extra"));
	if (!json_is_object(r->extra)) {
		json_decref(r->extra);
		r->extra = json_object();
	}
	rc = 0;
cleanup:
	json_decref(o);
	return rc;
}

enum runkind rundir_kindof(const char *dir)
{
	char *state = pathjoin(dir, RUN_STATE);
	json_t *o = NULL;
	enum runkind k = NKINDS;
	const char *name;

	if (rundir_is(dir) == 1) {
		k = KIND_RUN;
		if (isregular(state) && readjson(state, false, &o) == 0 && (name = json_string_value(json_object_get(o, "kind"))))
			for (k = 0; k < NKINDS && strcmp(name, kindnames[k]) != 0; k++)
				;
	}
	json_decref(o);
	free(state);
	return k;
}

int rundir_open(struct rundir *r, const char *dir)
{
	char *state = NULL, *lockpath = NULL;
	int rc = -1, is;

	memset(r, 0, sizeof(*r));
	r->dir = abspath(dir);
	if (!r->dir)
		goto cleanup;
	if (!isdir(r->dir) || (is = rundir_is(r->dir)) == 0) {
		errorf("%s: not a run directory (no %s)", dir, RUN_STATE);
		goto cleanup;
	}
	if (is < 0)
		goto cleanup;
	lockpath = pathjoin(r->dir, RUN_LOCK);
	if (lock_take(lockpath, false, "the run directory", &r->lk) < 0)
		goto cleanup;
	state = pathjoin(r->dir, RUN_STATE);
	if (exists(state)) {
		if (readstate(r, state) < 0)
			goto cleanup;
	} else { /* made before run.json: a plain run of the config's source */
		r->kind = KIND_RUN;
		rundir_addside(r, "", NULL);
		r->extra = json_object();
	}
	r->resumed = true;
	rc = 0;
cleanup:
	if (rc < 0)
		rundir_close(r);
	free(state);
	free(lockpath);
	return rc;
}

static json_t *strornull(const char *s)
{
	return s ? json_string(s) : json_null();
}

int rundir_save(const struct rundir *r)
{
	json_t *o, *sides = json_array();
	char *path = pathjoin(r->dir, RUN_STATE);
	int rc;

	for (size_t i = 0; i < r->nsides; i++)
		json_array_append_new(sides, json_pack("{s:s, s:o, s:o}", "name", r->sides[i].name,
		                                       "ref", strornull(r->sides[i].ref), "commit",
		                                       strornull(r->sides[i].commit)));
	o = json_pack("{s:i, s:s, s:s, s:o, s:o, s:o}", "version", RUNSTATE_VERSION, "kind", runkind_name(r->kind),
	              "gilbench", VERSION, "created", strornull(r->created), "sides", sides, "extra",
	              r->extra ? json_incref(r->extra) : json_object());
	rc = o ? writejson(path, o, JSON_DOC) : errorf("%s: cannot build the run state", path);
	json_decref(o);
	free(path);
	return rc;
}

void rundir_close(struct rundir *r)
{
	lock_release(r->lk);
	for (size_t i = 0; i < r->nsides; i++)
		side_free(&r->sides[i]);
	free(r->sides);
	json_decref(r->extra);
	free(r->created);
	free(r->dir);
	memset(r, 0, sizeof(*r));
}
