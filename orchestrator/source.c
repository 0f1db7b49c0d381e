/* source.c: the source stage, a complete and patched tree for a config (see source.h).
 *
 * The tree's KEY is the first 16 hex digits of sha256("ID\n" + "PATCHSHA\n" per patch),
 * so a changed patch gives a new tree. WORK/src/KEY exists only when complete: it is
 * prepared in WORK/src/KEY.tmp-PID (tarball: fetch_tarball, extract_archive with the top
 * folder stripped; git: gitsrc_mirror, gitsrc_resolve, gitsrc_checkout), patched, and
 * renamed into place, all under the lock WORK/src/KEY.lock, which also lets a second
 * gilbench wait and then reuse the first one's tree. Leftover KEY.tmp-* folders (from a
 * process that died) are removed under that lock. WORK/src/KEY.origin remembers where the
 * source came from, for records made when the tree is reused. */
#include "source.h"
#include "extract.h"
#include "fetch.h"
#include "gitsrc.h"
#include "hash.h"
#include "lock.h"
#include "log.h"
#include "patch.h"
#include "util.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void source_free(struct source *s)
{
	free(s->kind);
	free(s->id);
	free(s->origin);
	free(s->ref);
	free(s->tree);
	free(s->key);
	memset(s, 0, sizeof(*s));
}

static int mkkey(const char *id, const struct config *cfg, char **key)
{
	struct sha256 *h = mksha256();
	char hex[HEXLEN];

	sha256_update(h, id, strlen(id));
	sha256_update(h, "\n", 1);
	for (size_t i = 0; i < cfg->npatches; i++) {
		if (sha256_file(cfg->patches[i].path, hex) < 0) {
			sha256_final(h, hex);
			return errwrap("patch %s", cfg->patches[i].name);
		}
		sha256_update(h, hex, strlen(hex));
		sha256_update(h, "\n", 1);
	}
	sha256_final(h, hex);
	*key = xstrndup(hex, 16);
	return 0;
}

/* remove KEY.tmp-* left by processes that died (we hold the lock) */
static void sweep(const char *tree)
{
	char *pat = xasprintf("%s.tmp*", tree);
	glob_t g;

	if (glob(pat, GLOB_NOSORT, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			rmtree(g.gl_pathv[i]);
		globfree(&g);
	}
	free(pat);
}

static char *readline1(const char *path)
{
	char *data = NULL;
	size_t len;

	if (readfile(path, &data, &len) < 0) {
		free(data);
		return NULL;
	}
	data[strcspn(data, "\n")] = 0;
	return data;
}

int source_prepare(const struct config *cfg, const struct paths *p, const char *ref, struct source *out)
{
	const struct srcconf *sc = &cfg->source;
	char *srcdir = NULL, *lockpath = NULL, *tmp = NULL, *opath = NULL, *logpath = NULL, *what = NULL;
	char *mirror = NULL, *tarball = NULL, *origin = NULL, *label = NULL;
	char commit[41];
	struct extract_limits lim;
	struct lock *lk = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (sc->kind == SRC_GIT) {
		out->kind = xstrdup("git");
		out->ref = xstrdup(ref ? ref : sc->ref);
		out->origin = xstrdup(sc->url);
		if (gitsrc_mirror(sc->url, p, &mirror) < 0 || gitsrc_resolve(mirror, out->ref, commit) < 0)
			goto cleanup;
		out->id = xstrdup(commit);
	} else {
		out->kind = xstrdup("tarball");
		out->id = xstrdup(sc->sha256);
	}
	if (mkkey(out->id, cfg, &out->key) < 0)
		goto cleanup;
	srcdir = pathjoin(p->work, "src");
	if (mkdirp(srcdir, 0755) < 0)
		goto cleanup;
	out->tree = pathjoin(srcdir, out->key);
	lockpath = xasprintf("%s.lock", out->tree);
	opath = xasprintf("%s.origin", out->tree);
	logpath = xasprintf("%s.patch.log", out->tree);
	what = xasprintf("the source tree %s", out->tree);
	if (lock_take(lockpath, true, what, &lk) < 0)
		goto cleanup;
	if (isdir(out->tree)) {
		if (sc->kind == SRC_TARBALL) {
			free(out->origin);
			out->origin = readline1(opath);
			if (!out->origin)
				out->origin = xstrdup("(reused tree)");
		}
		logmsg("source %.12s: reusing %s", out->id, out->tree);
		rc = 0;
		goto cleanup;
	}
	sweep(out->tree);
	tmp = xasprintf("%s.tmp-%ld", out->tree, (long)getpid());
	if (sc->kind == SRC_GIT) {
		if (gitsrc_checkout(mirror, out->id, tmp) < 0)
			goto fail;
	} else {
		if (fetch_tarball(sc, p, &tarball, &origin) < 0)
			goto fail;
		free(out->origin);
		out->origin = origin;
		origin = NULL;
		if (extract_defaults(&lim) < 0)
			goto fail;
		lim.strip = true;
		label = xasprintf("extracting %.12s", out->id);
		lim.label = label;
		if (extract_archive(tarball, tmp, &lim) < 0) {
			errwrap("extract %s", tarball);
			goto fail;
		}
	}
	unlink(logpath);
	if (patch_apply(cfg->patches, cfg->npatches, tmp, logpath) < 0) {
		errwrap("patches (log: %s)", logpath);
		goto fail;
	}
	if (writefile(opath, out->origin, strlen(out->origin)) < 0)
		goto fail;
	if (rename(tmp, out->tree) < 0) {
		errorf("rename %s to %s:", tmp, out->tree);
		goto fail;
	}
	if (fsyncdir(out->tree) < 0)
		goto cleanup; /* the tree is whole; only its name may not be on disk yet */
	logmsg("source %.12s: prepared %s", out->id, out->tree);
	rc = 0;
	goto cleanup;
fail:
	if (tmp)
		rmtree(tmp);
cleanup:
	lock_release(lk);
	if (rc < 0) {
		errwrap("source");
		source_free(out);
	}
	free(srcdir);
	free(lockpath);
	free(tmp);
	free(opath);
	free(logpath);
	free(what);
	free(mirror);
	free(tarball);
	free(origin);
	free(label);
	return rc;
}
