/* gitsrc.c: git sources through libgit2 (see gitsrc.h).
 *
 * Mirror: one bare repository per url at CACHE/git/HASH.git, HASH the first 16 hex digits
 * of the url's sha256 (a plain relative path is made absolute first). Every fetch maps each
 * branch (refs/heads/) and tag (refs/tags/) of the url onto the same name, with prune, so
 * the mirror follows the remote exactly. The mirror's config names the url as remote
 * "origin" (with the branch refspec and tagOpt --tags, so `git fetch` there does the same);
 * the fetch itself runs on an anonymous remote with explicit refspecs, because libgit2
 * 1.5's git_remote_lookup leaks pcre2 match data for each config entry that does not
 * match url.*.insteadOf, and the tests run under valgrind. A first clone is made in
 * HASH.git.tmp and renamed into place only when the fetch completed, so a failed or
 * interrupted clone never leaves a mirror behind; clone and fetch both run under a lock
 * on CACHE/git/HASH.lock.
 *
 * Resolve: git_revparse_single understands branch and tag names, full and short ids (and
 * git's revision syntax); the object found is peeled through tags to a commit, whose full
 * id is the answer. GIT_EAMBIGUOUS on 4 or more hex digits is an ambiguous short id.
 *
 * Checkout: git_checkout_tree with target_directory (made absolute: libgit2 1.5 puts a
 * relative target's subfolders elsewhere) writes the commit's files into a folder without
 * a .git; an empty in-memory index is the baseline and the mirror's index is never
 * written, so every file of the commit is written or verified.
 *
 * History: a commit's first parent, committer time and subject come from git_commit_*; its
 * depth (the number of first-parent ancestors, which orders the commits of one branch) and
 * the list of first-parent ancestors from a revwalk with git_revwalk_simplify_first_parent.
 *
 * First-parent line (bisect): from BAD, git_commit_parent(c, 0) until GOOD, so only the
 * commits of BAD's own line are listed, never those of a merged side branch; when GOOD is
 * not met, git_graph_descendant_of tells "not an ancestor" from "merged from a side branch".
 * A commit's summary, author and date come from git_commit_summary and git_commit_author.
 *
 * The libgit2 callbacks only record numbers into a log.h progress, and stop a fetch when
 * SIGINT or SIGTERM arrived (spawn_interrupted). */
#include "gitsrc.h"
#include "hash.h"
#include "lock.h"
#include "log.h"
#include "spawn.h"
#include "util.h"

#include <git2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool ginit;

static void gitinit(void)
{
	if (!ginit) {
		git_libgit2_init();
		ginit = true;
	}
}

void gitsrc_shutdown(void)
{
	if (ginit) {
		git_libgit2_shutdown();
		ginit = false;
	}
}

/* The library's last error after our context: "CONTEXT: MESSAGE". Returns -1. */
static int giterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int giterr(const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char ctx[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	return errorf("%s: %s", ctx, e && e->message ? e->message : "unknown libgit2 error");
}

static bool isurl(const char *url)
{
	return strstr(url, "://") != NULL;
}

/* The url as the mirror records it: a plain path made absolute, anything else as given. */
static char *normurl(const char *url)
{
	if (isurl(url) || url[0] == '/')
		return xstrdup(url);
	return abspath(url);
}

/* CACHE/git/HASH + suffix for a normalised url. */
static char *cachename(const struct paths *p, const char *u, const char *suffix)
{
	char hex[HEXLEN];

	sha256_str(u, hex);
	return xasprintf("%s/git/%.16s%s", p->cache, hex, suffix);
}

char *gitsrc_mirror_path(const char *url, const struct paths *p)
{
	char *u = normurl(url), *path;

	if (!u)
		return NULL;
	path = cachename(p, u, ".git");
	free(u);
	return path;
}

struct fetchstate {
	struct progress *prog;
	git_indexer_progress last;
	size_t mib;
	bool deltas;
};

/* The remote's text ("Counting objects...") and the local transport's pack building:
 * nothing to record, but the only chance to stop early on SIGINT. */
static int onsideband(const char *s, int n, void *arg)
{
	(void)s;
	(void)n;
	(void)arg;
	return spawn_interrupted ? -1 : 0;
}

static int onpack(int stage, uint32_t cur, uint32_t total, void *arg)
{
	(void)stage;
	(void)cur;
	(void)total;
	(void)arg;
	return spawn_interrupted ? -1 : 0;
}

static int onxfer(const git_indexer_progress *st, void *arg)
{
	struct fetchstate *f = arg;

	if (spawn_interrupted)
		return -1;
	f->last = *st;
	if (st->total_deltas && st->received_objects == st->total_objects) {
		if (!f->deltas) {
			f->deltas = true;
			progress_note(f->prog, "resolving deltas");
		}
		progress_total(f->prog, st->total_deltas);
		progress_set(f->prog, st->indexed_deltas);
	} else {
		if (st->received_bytes >> 20 != f->mib) {
			f->mib = st->received_bytes >> 20;
			progress_note(f->prog, "%zu MiB", f->mib);
		}
		progress_total(f->prog, st->total_objects);
		progress_set(f->prog, st->received_objects);
	}
	return 0;
}

#define HEADS "+refs/heads/*:refs/heads/*"
#define TAGS "+refs/tags/*:refs/tags/*"

/* Fetch every branch and tag of url into repo, pruning; point HEAD at the remote's default
 * branch. */
static int fetch(git_repository *repo, const char *url)
{
	char *specs[] = { HEADS, TAGS };
	git_strarray refspecs = { specs, 2 };
	git_remote_create_options ro;
	git_fetch_options fo;
	git_remote *remote = NULL;
	git_buf head = {0};
	struct fetchstate f = {0};
	char *label = xasprintf("fetching %s", url);
	char size[32];
	int rc = -1, e;

	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if (git_remote_create_with_opts(&remote, url, &ro) < 0) {
		giterr("cannot fetch %s", url);
		goto cleanup;
	}
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	fo.prune = GIT_FETCH_PRUNE;
	fo.update_fetchhead = 0;
	fo.proxy_opts.type = GIT_PROXY_AUTO;
	fo.callbacks.transfer_progress = onxfer;
	fo.callbacks.sideband_progress = onsideband;
	fo.callbacks.pack_progress = onpack;
	fo.callbacks.payload = &f;
	f.prog = mkprogress(label, PROGRESS_COUNT);
	e = git_remote_fetch(remote, &refspecs, &fo, "gilbench: fetch");
	if (e < 0) {
		if (spawn_interrupted)
			errorf("fetch of %s interrupted", url);
		else
			giterr("cannot fetch %s", url);
		progress_done(f.prog, "failed");
		goto cleanup;
	}
	if (f.last.received_bytes >= 1 << 20)
		snprintf(size, sizeof(size), "%.1f MiB", (double)f.last.received_bytes / (1 << 20));
	else
		snprintf(size, sizeof(size), "%.0f KiB", (double)f.last.received_bytes / 1024);
	progress_total(f.prog, 0); /* the final line says it in words */
	progress_set(f.prog, 0);
	if (f.last.received_objects)
		progress_done(f.prog, "%u objects, %s", f.last.received_objects, size);
	else
		progress_done(f.prog, "up to date");
	/* The remote's list of refs outlives the connection; an empty remote has no default. */
	e = git_remote_default_branch(&head, remote);
	if (e == 0 && git_repository_set_head(repo, head.ptr) < 0) {
		giterr("mirror of %s: cannot set HEAD to %s", url, head.ptr);
		goto cleanup;
	}
	if (e < 0 && e != GIT_ENOTFOUND) {
		giterr("mirror of %s: default branch", url);
		goto cleanup;
	}
	rc = 0;
cleanup:
	git_buf_dispose(&head);
	git_remote_free(remote);
	free(label);
	return rc;
}

/* A new bare mirror of url at tmp, fetched completely. */
static int clone(const char *url, const char *tmp)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	int rc = -1;

	if (git_repository_init(&repo, tmp, 1) < 0) {
		giterr("cannot create a mirror at %s", tmp);
		goto cleanup;
	}
	if (git_repository_config(&cfg, repo) < 0 ||
	    git_config_set_string(cfg, "remote.origin.url", url) < 0 ||
	    git_config_set_multivar(cfg, "remote.origin.fetch", "^$", HEADS) < 0 ||
	    git_config_set_string(cfg, "remote.origin.tagOpt", "--tags") < 0) {
		giterr("mirror of %s: cannot write its config", url);
		goto cleanup;
	}
	rc = fetch(repo, url);
cleanup:
	git_config_free(cfg);
	git_repository_free(repo);
	return rc;
}

int gitsrc_mirror(const char *url, const struct paths *p, char **mirror)
{
	git_repository *repo = NULL;
	struct lock *lk = NULL;
	char *u = NULL, *path = NULL, *tmp = NULL, *lockpath = NULL, *dir = NULL, *what = NULL;
	int rc = -1;

	*mirror = NULL;
	if (!*url)
		return errorf("empty git url");
	gitinit();
	u = normurl(url);
	if (!u)
		return errwrap("git url %s", url);
	if (!isurl(u) || strncmp(u, "file://", 7) == 0) {
		/* libgit2 calls a missing local folder an "unsupported URL protocol" */
		const char *local = isurl(u) ? u + 7 : u;
		if (!isdir(local)) {
			errorf("cannot fetch %s: no such folder", u);
			free(u);
			return -1;
		}
	}
	path = cachename(p, u, ".git");
	tmp = cachename(p, u, ".git.tmp");
	lockpath = cachename(p, u, ".lock");
	dir = pathjoin(p->cache, "git");
	if (mkdirp(dir, 0755) < 0) {
		errwrap("git cache");
		goto cleanup;
	}
	what = xasprintf("the git mirror of %s", u);
	if (lock_take(lockpath, true, what, &lk) < 0)
		goto cleanup;
	if (isdir(path)) {
		if (git_repository_open_bare(&repo, path) < 0) {
			giterr("cannot open the mirror of %s at %s (remove it to clone again)", u, path);
			goto cleanup;
		}
		if (fetch(repo, u) < 0)
			goto cleanup;
	} else {
		/* A leftover from a clone that was killed: we hold the lock, so nobody uses it. */
		if (rmtree(tmp) < 0) {
			errwrap("removing %s", tmp);
			goto cleanup;
		}
		logmsg("mirroring %s into %s", u, path);
		if (clone(u, tmp) < 0) {
			rmtree(tmp);
			goto cleanup;
		}
		if (rename(tmp, path) < 0) {
			errorf("rename %s:", tmp);
			rmtree(tmp);
			goto cleanup;
		}
		if (fsyncdir(path) < 0)
			goto cleanup;
	}
	*mirror = path;
	path = NULL;
	rc = 0;
cleanup:
	git_repository_free(repo);
	lock_release(lk);
	free(u);
	free(path);
	free(tmp);
	free(lockpath);
	free(dir);
	free(what);
	return rc;
}

/* The url of the mirror's origin, for messages (the mirror's path if it has none). */
static char *originurl(git_repository *repo, const char *mirror)
{
	git_config *cfg = NULL;
	const char *u = NULL;
	char *s;

	if (git_repository_config_snapshot(&cfg, repo) < 0 || git_config_get_string(&u, cfg, "remote.origin.url") < 0)
		u = NULL;
	s = xstrdup(u ? u : mirror);
	git_config_free(cfg);
	return s;
}

static bool ishexn(const char *s, size_t min)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return s[n] == '\0' && n >= min;
}

int gitsrc_resolve(const char *mirror, const char *ref, char commit[41])
{
	git_repository *repo = NULL;
	git_object *obj = NULL, *peeled = NULL;
	char *url = NULL;
	int rc = -1, e;

	gitinit();
	if (git_repository_open_bare(&repo, mirror) < 0)
		return giterr("cannot open git mirror %s", mirror);
	url = originurl(repo, mirror);
	if (!*ref) {
		errorf("empty git ref for %s", url);
		goto cleanup;
	}
	e = git_revparse_single(&obj, repo, ref);
	if (e == GIT_EAMBIGUOUS && ishexn(ref, 4)) {
		errorf("ambiguous short id '%s' in %s (matches several objects)", ref, url);
		goto cleanup;
	}
	if (e == GIT_ENOTFOUND || e == GIT_EINVALIDSPEC || e == GIT_EAMBIGUOUS) {
		errorf("unknown ref '%s' in %s%s", ref, url,
		       ishexn(ref, 1) && strlen(ref) < 4 ? " (a short id needs at least 4 hex digits)" : "");
		goto cleanup;
	}
	if (e < 0) {
		giterr("cannot resolve '%s' in %s", ref, url);
		goto cleanup;
	}
	if (git_object_type(obj) == GIT_OBJECT_TAG && git_object_peel(&peeled, obj, GIT_OBJECT_ANY) < 0) {
		giterr("cannot peel tag '%s' in %s", ref, url);
		goto cleanup;
	}
	if (peeled) {
		git_object_free(obj);
		obj = peeled;
		peeled = NULL;
	}
	if (git_object_type(obj) != GIT_OBJECT_COMMIT) {
		errorf("ref '%s' in %s names a %s, not a commit", ref, url, git_object_type2string(git_object_type(obj)));
		goto cleanup;
	}
	git_oid_tostr(commit, 41, git_object_id(obj));
	rc = 0;
cleanup:
	git_object_free(peeled);
	git_object_free(obj);
	git_repository_free(repo);
	free(url);
	return rc;
}

struct costate {
	struct progress *prog;
	size_t total;
};

static void oncheckout(const char *path, size_t done, size_t total, void *arg)
{
	struct costate *c = arg;

	(void)path;
	c->total = total;
	progress_total(c->prog, total);
	progress_set(c->prog, done);
}

int gitsrc_checkout(const char *mirror, const char *commit, const char *dir)
{
	git_checkout_options co;
	git_repository *repo = NULL;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_index *empty = NULL;
	git_oid oid;
	struct costate cs = {0};
	char *label = NULL, *adir = NULL;
	int rc = -1;

	gitinit();
	if (!ishexn(commit, 40) || strlen(commit) != 40)
		return errorf("checkout: '%s' is not a full commit id", commit);
	if (git_repository_open_bare(&repo, mirror) < 0)
		return giterr("cannot open git mirror %s", mirror);
	if (git_oid_fromstr(&oid, commit) < 0 || git_commit_lookup(&c, repo, &oid) < 0) {
		giterr("commit %s in %s", commit, mirror);
		goto cleanup;
	}
	if (git_commit_tree(&tree, c) < 0) {
		giterr("tree of commit %s in %s", commit, mirror);
		goto cleanup;
	}
	/* libgit2 1.5 makes a relative target's subfolders in the wrong place: absolute it is */
	adir = abspath(dir);
	if (!adir || mkdirp(adir, 0755) < 0) {
		errwrap("checkout of %.12s", commit);
		goto cleanup;
	}
	if (git_index_new(&empty) < 0) {
		giterr("checkout of %.12s", commit);
		goto cleanup;
	}
	label = xasprintf("checking out %.12s", commit);
	cs.prog = mkprogress(label, PROGRESS_COUNT);
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_WRITE_INDEX;
	co.target_directory = adir;
	co.baseline_index = empty;
	co.progress_cb = oncheckout;
	co.progress_payload = &cs;
	if (git_checkout_tree(repo, (const git_object *)tree, &co) < 0) {
		giterr("cannot check out %.12s into %s", commit, dir);
		progress_done(cs.prog, "failed");
		goto cleanup;
	}
	progress_done(cs.prog, "%zu files", cs.total);
	if (spawn_interrupted) {
		errorf("checkout of %.12s interrupted", commit);
		goto cleanup;
	}
	rc = 0;
cleanup:
	git_index_free(empty);
	git_tree_free(tree);
	git_commit_free(c);
	git_repository_free(repo);
	free(label);
	free(adir);
	return rc;
}

/* ---- history: first-parent order ---- */

static int lookup_commit(git_repository *repo, const char *mirror, const char *commit, git_commit **c)
{
	git_oid oid;

	if (!ishexn(commit, 40) || strlen(commit) != 40)
		return errorf("'%s' is not a full commit id", commit);
	if (git_oid_fromstr(&oid, commit) < 0 || git_commit_lookup(c, repo, &oid) < 0)
		return giterr("commit %s in %s", commit, mirror);
	return 0;
}

/* walk the first parents from commit: each id appended to out (when not NULL, at most max),
 * *count the commits seen (all of them when out is NULL) */
static int walk_first(git_repository *repo, const char *mirror, const git_oid *from, size_t max,
                      struct strlist *out, long long *count)
{
	git_revwalk *w = NULL;
	git_oid oid;
	char hex[41];
	int rc = -1, e = 0;

	*count = 0;
	if (git_revwalk_new(&w, repo) < 0 || git_revwalk_push(w, from) < 0 ||
	    git_revwalk_simplify_first_parent(w) < 0) {
		giterr("first-parent history in %s", mirror);
		goto cleanup;
	}
	while ((!out || (size_t)*count < max) && (e = git_revwalk_next(&oid, w)) == 0) {
		if (out) {
			git_oid_tostr(hex, sizeof(hex), &oid);
			strlist_add(out, hex);
		}
		++*count;
	}
	if (e < 0 && e != GIT_ITEROVER) {
		giterr("first-parent history in %s", mirror);
		goto cleanup;
	}
	rc = 0;
cleanup:
	git_revwalk_free(w);
	return rc;
}

int gitsrc_commit(const char *mirror, const char *commit, struct gitcommit *out)
{
	git_repository *repo = NULL;
	git_commit *c = NULL;
	const char *summary;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	gitinit();
	if (git_repository_open_bare(&repo, mirror) < 0)
		return giterr("cannot open git mirror %s", mirror);
	if (lookup_commit(repo, mirror, commit, &c) < 0)
		goto cleanup;
	git_oid_tostr(out->id, sizeof(out->id), git_commit_id(c));
	if (git_commit_parentcount(c) > 0)
		git_oid_tostr(out->parent, sizeof(out->parent), git_commit_parent_id(c, 0));
	out->time = (long long)git_commit_time(c);
	summary = git_commit_summary(c);
	out->subject = xstrdup(summary ? summary : "");
	if (walk_first(repo, mirror, git_commit_id(c), 0, NULL, &out->depth) < 0)
		goto cleanup;
	out->depth--;
	rc = 0;
cleanup:
	if (rc < 0)
		gitcommit_free(out);
	git_commit_free(c);
	git_repository_free(repo);
	return rc;
}

int gitsrc_firstparents(const char *mirror, const char *commit, size_t max, struct strlist *out)
{
	git_repository *repo = NULL;
	git_commit *c = NULL;
	long long n;
	int rc = -1;

	gitinit();
	if (git_repository_open_bare(&repo, mirror) < 0)
		return giterr("cannot open git mirror %s", mirror);
	if (lookup_commit(repo, mirror, commit, &c) == 0 && walk_first(repo, mirror, git_commit_id(c), max, out, &n) == 0)
		rc = 0;
	git_commit_free(c);
	git_repository_free(repo);
	return rc;
}

void gitcommit_free(struct gitcommit *c)
{
	free(c->subject);
	memset(c, 0, sizeof(*c));
}

/* ---- first-parent line and commit facts (bisect) ---- */

/* why GOOD was not met on BAD's first-parent line */
static int notonline(git_repository *repo, const char *good, const char *bad)
{
	git_oid g, b;
	int anc;

	if (git_oid_fromstr(&g, good) < 0 || git_oid_fromstr(&b, bad) < 0)
		return errorf("'%s' or '%s' is not a commit id", good, bad);
	anc = git_graph_descendant_of(repo, &b, &g);
	if (anc < 0)
		return giterr("is %.12s an ancestor of %.12s", good, bad);
	if (anc)
		return errorf("%.12s is an ancestor of %.12s but not on its first-parent line (it came in with a merge "
		              "from a side branch); give a commit of the first-parent line", good, bad);
	return errorf("%.12s is not an ancestor of %.12s", good, bad);
}

int gitsrc_between(const char *mirror, const char *good, const char *bad, struct strlist *commits)
{
	git_repository *repo = NULL;
	git_commit *c = NULL, *parent = NULL;
	struct strlist back = {0};
	char id[41];
	int rc = -1;

	gitinit();
	memset(commits, 0, sizeof(*commits));
	if (git_repository_open_bare(&repo, mirror) < 0)
		return giterr("cannot open git mirror %s", mirror);
	if (lookup_commit(repo, mirror, good, &parent) < 0)
		goto cleanup;
	git_commit_free(parent);
	parent = NULL;
	if (lookup_commit(repo, mirror, bad, &c) < 0)
		goto cleanup;
	for (;;) {
		git_oid_tostr(id, sizeof(id), git_commit_id(c));
		strlist_add(&back, id);
		if (strcmp(id, good) == 0)
			break;
		if (git_commit_parentcount(c) == 0) {
			notonline(repo, good, bad);
			goto cleanup;
		}
		if (git_commit_parent(&parent, c, 0) < 0) {
			giterr("first parent of %s in %s", id, mirror);
			goto cleanup;
		}
		git_commit_free(c);
		c = parent;
		parent = NULL;
		if (spawn_interrupted) {
			errorf("interrupted while walking from %.12s to %.12s", bad, good);
			goto cleanup;
		}
	}
	for (size_t i = back.n; i-- > 0;)
		strlist_add(commits, back.v[i]);
	rc = 0;
cleanup:
	strlist_free(&back);
	git_commit_free(parent);
	git_commit_free(c);
	git_repository_free(repo);
	return rc;
}

int gitsrc_info(const char *mirror, const char *commit, struct gitinfo *out)
{
	git_repository *repo = NULL;
	git_commit *c = NULL;
	const git_signature *a;
	const char *sum;
	char when[32];
	struct tm tm;
	time_t t;
	int rc = -1, off;

	gitinit();
	memset(out, 0, sizeof(*out));
	if (git_repository_open_bare(&repo, mirror) < 0)
		return giterr("cannot open git mirror %s", mirror);
	if (lookup_commit(repo, mirror, commit, &c) < 0)
		goto cleanup;
	git_oid_tostr(out->id, sizeof(out->id), git_commit_id(c));
	sum = git_commit_summary(c);
	a = git_commit_author(c);
	off = a->when.offset;
	t = (time_t)a->when.time + (time_t)off * 60;
	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm)) {
		errorf("commit %s: cannot format its date", commit);
		goto cleanup;
	}
	out->summary = xstrdup(sum ? sum : "");
	out->author = xasprintf("%s <%s>", a->name ? a->name : "", a->email ? a->email : "");
	out->date = xasprintf("%s%c%02d:%02d", when, off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
	rc = 0;
cleanup:
	if (rc < 0)
		gitinfo_free(out);
	git_commit_free(c);
	git_repository_free(repo);
	return rc;
}

void gitinfo_free(struct gitinfo *c)
{
	free(c->summary);
	free(c->author);
	free(c->date);
	memset(c, 0, sizeof(*c));
}
