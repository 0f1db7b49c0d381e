/* test_gitsrc.c: mirrors, ref resolution and checkouts through libgit2 (gitsrc.c).
 *
 * The group set-up makes a small repository with tests/lib/mkrepo.sh (fixed dates, so its
 * ids are stable; it prints them) and mirrors it from its plain path into a private cache
 * under /tmp. The tests resolve every kind of ref against that mirror, mirror it again
 * from a file:// url, fetch a new commit (and a deleted branch, a new tag) into a second
 * mirror, check out two commits and compare their files (also a subfolder into a relative
 * path), point the mirror at urls that do not exist, and clone with SIGINT pending
 * (spawn_interrupted), which must leave nothing behind. Last, a merge is added (mkrepo.sh
 * merge) and fetched, and the first-parent line between two commits is walked: it lists
 * the main line only, refuses a commit of the merged branch and a non-ancestor, and a
 * commit's summary, author and date are read back. The teardown
 * removes the folder and releases libgit2, so valgrind sees no leaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gitsrc.h"
#include "log.h"
#include "paths.h"
#include "spawn.h"
#include "util.h"

static char *tmp, *repo, *mirror;
static struct paths P;
static char C1[41], C2[41], C3[41], F[41], B[41], V2TAG[41], BLOB[41], AMBIG[8];

static char *mkrepo_sh(void)
{
	const char *root = getenv("ROOT");

	return pathjoin(root && *root ? root : ".", "tests/lib/mkrepo.sh");
}

/* Run mkrepo.sh with up to three arguments; its stdout, or NULL (the test fails). */
static char *mkrepo(const char *a, const char *b, const char *c)
{
	char *script = mkrepo_sh(), *out = NULL;
	char *argv[] = { "sh", script, (char *)a, (char *)b, (char *)c, NULL };

	if (spawn_capture(argv, &out) < 0)
		print_error("mkrepo.sh: %s\n", errmsg());
	free(script);
	return out;
}

static void fact(const char *out, const char *key, char *dst, size_t n)
{
	char *want = xasprintf("\n%s=", key), *s = xasprintf("\n%s", out), *p = strstr(s, want);

	dst[0] = '\0';
	if (p) {
		p += strlen(want);
		size_t len = strcspn(p, "\n");
		if (len < n) {
			memcpy(dst, p, len);
			dst[len] = '\0';
		}
	}
	free(want);
	free(s);
}

static int group_setup(void **state)
{
	char tmpl[] = "/tmp/git/unit-XXXXXX", *out;

	(void)state;
	log_quiet = true;
	if (mkdirp("/tmp/git", 0755) < 0 || !mkdtemp(tmpl))
		return -1;
	tmp = xstrdup(tmpl);
	repo = pathjoin(tmp, "repo");
	out = mkrepo(repo, NULL, NULL);
	if (!out)
		return -1;
	fact(out, "C1", C1, sizeof(C1));
	fact(out, "C2", C2, sizeof(C2));
	fact(out, "C3", C3, sizeof(C3));
	fact(out, "F", F, sizeof(F));
	fact(out, "B", B, sizeof(B));
	fact(out, "V2TAG", V2TAG, sizeof(V2TAG));
	fact(out, "BLOB", BLOB, sizeof(BLOB));
	fact(out, "AMBIG", AMBIG, sizeof(AMBIG));
	free(out);
	if (strlen(C1) != 40 || strlen(AMBIG) != 4)
		return -1;
	setenv("GILBENCH_CACHE", tmp, 1);
	if (paths_init(&P, tmp) < 0)
		return -1;
	/* every test below works on this mirror of the plain path */
	if (gitsrc_mirror(repo, &P, &mirror) < 0) {
		print_error("gitsrc_mirror: %s\n", errmsg());
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (tmp)
		rmtree(tmp);
	free(tmp);
	free(repo);
	free(mirror);
	paths_free(&P);
	gitsrc_shutdown();
	return 0;
}

static void resolves(const char *ref, const char *want)
{
	char got[41] = "";

	if (gitsrc_resolve(mirror, ref, got) < 0)
		fail_msg("resolve %s: %s", ref, errmsg());
	assert_string_equal(got, want);
}

static void fails(const char *ref, const char *msg)
{
	char got[41] = "";

	assert_int_equal(gitsrc_resolve(mirror, ref, got), -1);
	if (!strstr(errmsg(), msg))
		fail_msg("resolve %s: error \"%s\" lacks \"%s\"", ref, errmsg(), msg);
}

static void test_mirror_plain_path(void **state)
{
	char *want = gitsrc_mirror_path(repo, &P), *dir = xasprintf("%s/git/", P.cache);
	char *tmpdir = xasprintf("%s.tmp", mirror), *head = pathjoin(mirror, "HEAD"), *s = NULL;

	(void)state;
	assert_string_equal(mirror, want);
	assert_int_equal(strncmp(mirror, dir, strlen(dir)), 0);
	assert_int_equal(strlen(mirror + strlen(dir)), 16 + 4); /* HASH.git */
	assert_true(isdir(mirror));
	assert_false(exists(tmpdir));
	/* HEAD follows the remote's default branch */
	assert_int_equal(readfile(head, &s, NULL), 0);
	assert_string_equal(s, "ref: refs/heads/main\n");
	resolves("HEAD", C3);
	free(s);
	free(want);
	free(dir);
	free(tmpdir);
	free(head);
}

static void test_resolve_branch(void **state)
{
	(void)state;
	resolves("main", C3);
	resolves("feature", F);
	resolves("refs/heads/feature", F);
}

static void test_resolve_lightweight_tag(void **state)
{
	(void)state;
	resolves("v1", C1);
	resolves("refs/tags/v1", C1);
}

static void test_resolve_annotated_tag(void **state)
{
	(void)state;
	resolves("v2", C2); /* the commit, not the tag object */
	resolves(V2TAG, C2);
	assert_string_not_equal(V2TAG, C2);
}

static void test_resolve_full_id(void **state)
{
	(void)state;
	resolves(C1, C1);
	resolves(F, F);
}

static void test_resolve_short_id(void **state)
{
	char s[9];

	(void)state;
	snprintf(s, sizeof(s), "%.8s", C2);
	resolves(s, C2);
	snprintf(s, sizeof(s), "%.7s", F);
	resolves(s, F);
}

static void test_resolve_unknown(void **state)
{
	char *msg = xasprintf("unknown ref 'nope' in %s", repo);

	(void)state;
	fails("nope", msg);
	fails("0000000000000000000000000000000000000001", "unknown ref '0000000000000000000000000000000000000001'");
	fails("abc", "unknown ref 'abc'");
	fails("", "empty git ref");
	free(msg);
}

static void test_resolve_ambiguous(void **state)
{
	char *msg = xasprintf("ambiguous short id '%s' in %s (matches several objects)", AMBIG, repo);

	(void)state;
	fails(AMBIG, msg);
	free(msg);
}

static int git(const char *dir, const char *a, const char *b, const char *c, const char *d, const char *e);

static void test_resolve_not_a_commit(void **state)
{
	char *gitdir = pathjoin(repo, ".git"), got[41];

	(void)state;
	fails(BLOB, "names a blob, not a commit");
	fails("main^{tree}", "names a tree, not a commit");
	fails("main:README", "names a blob, not a commit");
	/* an annotated tag on a blob, in the source repository (see mkrepo.sh for why) */
	assert_int_equal(git(repo, "tag", "-m", "blobtag", "blobtag", BLOB), 0);
	assert_int_equal(gitsrc_resolve(gitdir, "blobtag", got), -1);
	assert_non_null(strstr(errmsg(), "ref 'blobtag' in"));
	assert_non_null(strstr(errmsg(), "names a blob, not a commit"));
	assert_int_equal(git(repo, "tag", "-d", "blobtag", NULL, NULL), 0);
	free(gitdir);
}

static void test_mirror_file_url(void **state)
{
	char *url = xasprintf("file://%s", repo), *m = NULL, *want = gitsrc_mirror_path(url, &P), got[41];

	(void)state;
	if (gitsrc_mirror(url, &P, &m) < 0)
		fail_msg("mirror %s: %s", url, errmsg());
	assert_string_equal(m, want);
	assert_string_not_equal(m, mirror); /* one mirror per url */
	assert_int_equal(gitsrc_resolve(m, "v2", got), 0);
	assert_string_equal(got, C2);
	assert_int_equal(gitsrc_resolve(m, "feature", got), 0);
	assert_string_equal(got, F);
	free(url);
	free(m);
	free(want);
}

/* git -C DIR and up to five arguments; -1 with the error unless it exits 0 */
static int git(const char *dir, const char *a, const char *b, const char *c, const char *d, const char *e)
{
	char *argv[] = { "git", "-C", (char *)dir, (char *)a, (char *)b, (char *)c, (char *)d, (char *)e, NULL };
	char *out = NULL;
	int rc = spawn_capture(argv, &out);

	if (rc < 0)
		print_error("git %s: %s\n", a, errmsg());

	free(out);
	return rc;
}

static void test_fetch_new_commit(void **state)
{
	char *r2 = pathjoin(tmp, "repo2"), *out = mkrepo(r2, NULL, NULL), *m = NULL, *m2 = NULL;
	char *adv = NULL, got[41];

	(void)state;
	assert_non_null(out);
	assert_int_equal(gitsrc_mirror(r2, &P, &m), 0);
	assert_int_equal(gitsrc_resolve(m, "main", got), 0);
	assert_string_equal(got, C3);
	/* a new commit on main, a branch deleted, a new tag */
	adv = mkrepo("advance", r2, NULL);
	assert_non_null(adv);
	adv[strcspn(adv, "\n")] = '\0';
	assert_int_equal(strlen(adv), 40);
	assert_int_equal(git(r2, "branch", "-D", "feature", NULL, NULL), 0);
	assert_int_equal(git(r2, "tag", "v3", "main", NULL, NULL), 0);
	assert_int_equal(gitsrc_resolve(m, "main", got), 0);
	assert_string_equal(got, C3); /* not fetched yet */
	if (gitsrc_mirror(r2, &P, &m2) < 0)
		fail_msg("fetch: %s", errmsg());
	assert_string_equal(m2, m);
	assert_int_equal(gitsrc_resolve(m, "main", got), 0);
	assert_string_equal(got, adv);
	assert_int_equal(gitsrc_resolve(m, "v3", got), 0);
	assert_string_equal(got, adv);
	assert_int_equal(gitsrc_resolve(m, "feature", got), -1); /* pruned */
	assert_non_null(strstr(errmsg(), "unknown ref 'feature'"));
	assert_int_equal(gitsrc_resolve(m, C3, got), 0); /* old commits stay */
	free(r2);
	free(out);
	free(adv);
	free(m);
	free(m2);
}

static char *slurp(const char *dir, const char *name)
{
	char *path = pathjoin(dir, name), *s = NULL;

	if (readfile(path, &s, NULL) < 0)
		s = NULL;
	free(path);
	return s;
}

static void test_checkout(void **state)
{
	char *d1 = pathjoin(tmp, "co/one"), *d2 = pathjoin(tmp, "co/two"), *s;
	char *git1 = pathjoin(d1, ".git"), *b1 = pathjoin(d1, "b.txt");

	(void)state;
	if (gitsrc_checkout(mirror, C1, d1) < 0)
		fail_msg("checkout: %s", errmsg());
	assert_int_equal(gitsrc_checkout(mirror, C2, d2), 0);
	s = slurp(d1, "README");
	assert_non_null(s);
	assert_string_equal(s, "one\n");
	free(s);
	s = slurp(d1, "a.txt");
	assert_non_null(s);
	assert_string_equal(s, "a\n");
	free(s);
	assert_false(exists(b1));   /* b.txt came with C2 */
	assert_false(exists(git1)); /* detached: files only */
	s = slurp(d2, "README");
	assert_non_null(s);
	assert_string_equal(s, "two\n");
	free(s);
	s = slurp(d2, "b.txt");
	assert_non_null(s);
	assert_string_equal(s, "b\n");
	free(s);
	/* again into the same folder: the files are rewritten where they differ */
	assert_int_equal(writefile(b1, "x\n", 2), 0);
	assert_int_equal(gitsrc_checkout(mirror, C2, d1), 0);
	s = slurp(d1, "README");
	assert_string_equal(s, "two\n");
	free(s);
	s = slurp(d1, "b.txt");
	assert_string_equal(s, "b\n");
	free(s);
	/* the mirror's index is not touched */
	s = pathjoin(mirror, "index");
	assert_false(exists(s));
	free(s);
	free(d1);
	free(d2);
	free(git1);
	free(b1);
}

/* a tree with a subfolder, into a relative path (libgit2 needs an absolute one) */
static void test_checkout_subfolder_relative(void **state)
{
	char *cwd = getcwd(NULL, 0), *d = pathjoin(tmp, "co/blobs"), *s;

	(void)state;
	assert_non_null(cwd);
	assert_int_equal(mkdirp(d, 0755), 0);
	assert_int_equal(chdir(d), 0);
	if (gitsrc_checkout(mirror, B, "tree") < 0)
		fail_msg("checkout: %s", errmsg());
	assert_int_equal(chdir(cwd), 0);
	s = slurp(d, "tree/blobs/999");
	assert_non_null(s);
	assert_string_equal(s, "blob 999\n");
	free(s);
	s = slurp(d, "tree/README");
	assert_non_null(s);
	assert_string_equal(s, "three\n");
	free(s);
	free(cwd);
	free(d);
}

static void test_checkout_errors(void **state)
{
	char *d = pathjoin(tmp, "co/bad");

	(void)state;
	assert_int_equal(gitsrc_checkout(mirror, "0000000000000000000000000000000000000001", d), -1);
	assert_non_null(strstr(errmsg(), "commit 0000000000000000000000000000000000000001"));
	assert_int_equal(gitsrc_checkout(mirror, "main", d), -1);
	assert_non_null(strstr(errmsg(), "not a full commit id"));
	assert_int_equal(gitsrc_checkout(mirror, BLOB, d), -1);
	free(d);
}

static void unreachable(const char *url)
{
	char *m = (char *)"unset", *path = gitsrc_mirror_path(url, &P), *t = xasprintf("%s.tmp", path);
	char *msg = xasprintf("cannot fetch %s: ", url);

	assert_int_equal(gitsrc_mirror(url, &P, &m), -1);
	assert_null(m);
	if (strncmp(errmsg(), msg, strlen(msg)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", errmsg(), msg);
	assert_int_equal((int)strlen(errmsg()), (int)strcspn(errmsg(), "\n")); /* one line */
	assert_false(exists(path));
	assert_false(exists(t));
	free(path);
	free(t);
	free(msg);
}

static void test_unreachable(void **state)
{
	char *notrepo = pathjoin(tmp, "co");

	(void)state;
	unreachable("/nonexistent/gilbench/repo");
	unreachable("file:///nonexistent/gilbench/repo.git");
	unreachable(notrepo); /* a folder, but no repository */
	free(notrepo);
	assert_int_equal(gitsrc_mirror("", &P, &notrepo), -1);
	assert_string_equal(errmsg(), "empty git url");
	assert_null(notrepo);
}

/* SIGINT during a first clone: the fetch stops, and no mirror or temporary is left */
static void test_interrupted_clone(void **state)
{
	char *url = xasprintf("file://%s/.git", repo), *m = NULL;
	char *path = gitsrc_mirror_path(url, &P), *t = xasprintf("%s.tmp", path);

	(void)state;
	spawn_interrupted = SIGINT;
	assert_int_equal(gitsrc_mirror(url, &P, &m), -1);
	spawn_interrupted = 0;
	assert_null(m);
	assert_non_null(strstr(errmsg(), "interrupted"));
	assert_false(exists(path));
	assert_false(exists(t));
	/* and without the signal the same url clones */
	assert_int_equal(gitsrc_mirror(url, &P, &m), 0);
	assert_string_equal(m, path);
	free(url);
	free(m);
	free(path);
	free(t);
}

static void test_between(void **state)
{
	struct strlist l = {0};
	char *out = NULL, *script = mkrepo_sh(), M[41] = "";
	char *argv[] = { "sh", script, "merge", repo, NULL };

	(void)state;
	assert_int_equal(spawn_capture(argv, &out), 0);
	assert_int_equal(strlen(out), 41);
	memcpy(M, out, 40);
	free(out);
	out = NULL;
	assert_int_equal(gitsrc_mirror(repo, &P, &out), 0);
	free(out);
	/* the main line only: C1 C2 C3 M, never F of the merged branch */
	assert_int_equal(gitsrc_between(mirror, C1, M, &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0], C1);
	assert_string_equal(l.v[1], C2);
	assert_string_equal(l.v[2], C3);
	assert_string_equal(l.v[3], M);
	strlist_free(&l);
	assert_int_equal(gitsrc_between(mirror, C2, C2, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], C2);
	strlist_free(&l);
	/* F is an ancestor of M through the merge's second parent */
	assert_int_equal(gitsrc_between(mirror, F, M, &l), -1);
	assert_non_null(strstr(errmsg(), "not on its first-parent line"));
	assert_int_equal(l.n, 0);
	/* backwards, and across branches */
	assert_int_equal(gitsrc_between(mirror, C3, C1, &l), -1);
	assert_non_null(strstr(errmsg(), "is not an ancestor of"));
	assert_int_equal(gitsrc_between(mirror, F, C3, &l), -1);
	assert_non_null(strstr(errmsg(), "is not an ancestor of"));
	assert_int_equal(gitsrc_between(mirror, "main", C3, &l), -1);
	assert_non_null(strstr(errmsg(), "not a full commit id"));
	free(script);
}

static void test_info(void **state)
{
	struct gitinfo c;

	(void)state;
	assert_int_equal(gitsrc_info(mirror, C2, &c), 0);
	assert_string_equal(c.id, C2);
	assert_string_equal(c.summary, "two");
	assert_string_equal(c.author, "gilbench <gilbench@example.invalid>");
	assert_string_equal(c.date, "2026-01-01T00:00:02+00:00");
	gitinfo_free(&c);
	assert_null(c.summary);
	assert_int_equal(gitsrc_info(mirror, "0000000000000000000000000000000000000000", &c), -1);
	assert_non_null(strstr(errmsg(), "commit 0000000000000000000000000000000000000000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mirror_plain_path),
		cmocka_unit_test(test_resolve_branch),
		cmocka_unit_test(test_resolve_lightweight_tag),
		cmocka_unit_test(test_resolve_annotated_tag),
		cmocka_unit_test(test_resolve_full_id),
		cmocka_unit_test(test_resolve_short_id),
		cmocka_unit_test(test_resolve_unknown),
		cmocka_unit_test(test_resolve_ambiguous),
		cmocka_unit_test(test_resolve_not_a_commit),
		cmocka_unit_test(test_mirror_file_url),
		cmocka_unit_test(test_fetch_new_commit),
		cmocka_unit_test(test_checkout),
		cmocka_unit_test(test_checkout_subfolder_relative),
		cmocka_unit_test(test_checkout_errors),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_interrupted_clone),
		cmocka_unit_test(test_between),
		cmocka_unit_test(test_info),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
