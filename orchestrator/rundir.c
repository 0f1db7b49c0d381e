/* rundir.c: making a run directory self-contained (see rundir.h).
 *
 * The stages after `run` (measure, report, --resume, reproduce, compare) load the run
 * directory's own config.yaml, so everything it names has to be inside the directory at
 * the place the config's text expects: each experiment script at its relative path, with
 * the other .py files of its folder (scripts import their helpers), and the patches where
 * the config loader looks for them (a plain name in RUN_DIR/patches/, "./x" at RUN_DIR/x).
 * A patch named by an absolute or "../" path is copied to RUN_DIR/patches/ under its file
 * name, which is the name a config written for the run directory (compare's) uses. */
#include "rundir.h"
#include "lock.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

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

static bool outside(const char *name)
{
	return name[0] == '/' || strncmp(name, "../", 3) == 0 || strstr(name, "/../") != NULL;
}

char *rundir_patch_name(const struct patchconf *pc)
{
	const char *base;

	if (!outside(pc->name))
		return xstrdup(pc->name);
	base = strrchr(pc->path, '/');
	return xstrdup(base ? base + 1 : pc->path);
}

int rundir_copy_inputs(const struct config *cfg, const char *rundir)
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
				rc = copyto(from, rundir, rel);
				free(from);
				free(rel);
			}
		strlist_free(&files);
		free(abs);
		free(dir);
	}
	for (size_t i = 0; rc == 0 && i < cfg->npatches; i++) {
		const struct patchconf *pc = &cfg->patches[i];
		char *name = rundir_patch_name(pc), *rel;

		if (strncmp(name, "./", 2) == 0)
			rel = xstrdup(name + 2);
		else
			rel = xasprintf("patches/%s", name);
		rc = copyto(pc->path, rundir, rel);
		free(rel);
		free(name);
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

int rundir_create(const char *out, const char *name, const char *kind, const char *hint, char **rundir,
                  struct lock **lk)
{
	char *dir = NULL, *cfgpath = NULL, *lockpath = NULL;
	int rc = -1;

	if (out) {
		dir = abspath(out);
	} else {
		char *stamp = utcstamp(true);
		char *rel = xasprintf("reports/%s%s%s-%s", name, kind ? "-" : "", kind ? kind : "", stamp);
		dir = abspath(rel);
		free(rel);
		free(stamp);
	}
	if (!dir)
		goto cleanup;
	cfgpath = pathjoin(dir, RUN_CONFIG);
	if (exists(cfgpath)) {
		errorf("%s already holds a run; %s", dir, hint);
		goto cleanup;
	}
	if (mkdirp(dir, 0755) < 0)
		goto cleanup;
	lockpath = pathjoin(dir, RUN_LOCK);
	if (lock_take(lockpath, false, "the run directory", lk) < 0)
		goto cleanup;
	*rundir = dir;
	dir = NULL;
	rc = 0;
cleanup:
	free(dir);
	free(cfgpath);
	free(lockpath);
	return rc;
}
