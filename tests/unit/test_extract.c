/* test_extract.c: extract.c's refusals and limits, and lock.c, in-process.
 *
 * Each test writes a small tar (or tar.gz) with libarchive's writer under a fresh /tmp
 * folder, with members named as a hostile archive would, and checks extract_archive():
 * the error names the member, DEST and DEST.tmp-PID are both absent afterwards, and a
 * sibling canary folder stays empty. The lock tests open the same lock file twice in one
 * process (flock conflicts between open file descriptions) to see a busy lock.
 * test_member_rules calls extract_member_check(), the rules verify shares, on entries
 * made in memory: nothing is written, so it sees only what the rules say. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "extract.h"
#include "lock.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct member {
	const char *name;
	mode_t type;            /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR...; 0 with link: a hard link */
	const char *data;       /* file content, or the symlink / hard link target */
	mode_t perm;
};

struct fx {
	char *top, *tar, *dest, *canary;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char tmpl[] = "/tmp/test_extract.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	f->top = xstrdup(tmpl);
	f->tar = pathjoin(f->top, "a.tar.gz");
	f->dest = pathjoin(f->top, "out");
	f->canary = pathjoin(f->top, "canary");
	assert_int_equal(mkdirp(f->canary, 0755), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	rmtree(f->top);
	free(f->top);
	free(f->tar);
	free(f->dest);
	free(f->canary);
	free(f);
	return 0;
}

static void mktar(const char *path, const struct member *m, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e;

	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_mtime(e, 1700000000, 0);
		if (m[i].type == 0) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, m[i].data);
			archive_entry_set_size(e, 0);
		} else {
			archive_entry_set_filetype(e, m[i].type);
			if (m[i].type == AE_IFLNK)
				archive_entry_set_symlink(e, m[i].data);
			if (m[i].type == AE_IFCHR)
				archive_entry_set_rdev(e, makedev(1, 3));
			archive_entry_set_size(e, m[i].type == AE_IFREG && m[i].data ? (la_int64_t)strlen(m[i].data) : 0);
		}
		archive_entry_set_perm(e, m[i].perm ? m[i].perm : m[i].type == AE_IFDIR ? 0755 : 0644);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (m[i].type == AE_IFREG && m[i].data)
			archive_write_data(a, m[i].data, strlen(m[i].data));
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static struct extract_limits strip(void)
{
	struct extract_limits l;

	assert_int_equal(extract_defaults(&l), 0);
	l.strip = true;
	l.label = "test";
	return l;
}

/* extraction fails with an error containing want; nothing left behind or outside */
static void refused(struct fx *f, const struct member *m, size_t n, const struct extract_limits *lim, const char *want)
{
	char *tmp;

	mktar(f->tar, m, n);
	assert_int_equal(extract_archive(f->tar, f->dest, lim), -1);
	if (!strstr(errmsg(), want))
		fail_msg("error \"%s\" lacks \"%s\"", errmsg(), want);
	assert_false(exists(f->dest));
	tmp = xasprintf("%s.tmp-%ld", f->dest, (long)getpid());
	assert_false(exists(tmp));
	free(tmp);
	assert_int_equal(rmdir(f->canary), 0); /* still empty */
	assert_int_equal(mkdir(f->canary, 0755), 0);
}

static void test_good(void **state)
{
	struct fx *f = *state;
	struct member m[] = {
		{ "Python-9/", AE_IFDIR, NULL, 0 },
		{ "Python-9/configure", AE_IFREG, "#!/bin/sh\n", 04755 },
		{ "Python-9/Lib/", AE_IFDIR, NULL, 0 },
		{ "Python-9/Lib/os.py", AE_IFREG, "import sys\n", 0666 },
		{ "./Python-9/Lib/link.py", AE_IFLNK, "os.py", 0 },
		{ "Python-9/hard.py", 0, "Python-9/Lib/os.py", 0 },
	};
	struct extract_limits l = strip();
	char *p, *data = NULL;
	size_t len;
	struct stat st;

	mktar(f->tar, m, LEN(m));
	if (extract_archive(f->tar, f->dest, &l) < 0)
		fail_msg("%s", errmsg());
	p = pathjoin(f->dest, "Lib/link.py");
	assert_int_equal(readfile(p, &data, &len), 0);
	assert_string_equal(data, "import sys\n");
	free(data);
	free(p);
	p = pathjoin(f->dest, "configure");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755); /* no setuid */
	free(p);
	p = pathjoin(f->dest, "Lib/os.py");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644); /* no world write */
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(st.st_mtime, 1700000000);
	free(p);
	/* dest exists now: a second extraction is refused */
	assert_int_equal(extract_archive(f->tar, f->dest, &l), -1);
	assert_non_null(strstr(errmsg(), "already exists"));
}

static void test_refusals(void **state)
{
	struct fx *f = *state;
	struct extract_limits l = strip();
	char *abs = pathjoin(f->canary, "x");
	struct member dotdot[] = { { "top/", AE_IFDIR, NULL, 0 }, { "top/a/../../x", AE_IFREG, "x", 0 } };
	struct member absm[] = { { "top/", AE_IFDIR, NULL, 0 }, { abs, AE_IFREG, "x", 0 } };
	struct member lnabs[] = { { "top/", AE_IFDIR, NULL, 0 }, { "top/l", AE_IFLNK, f->canary, 0 },
	                          { "top/l/x", AE_IFREG, "x", 0 } };
	struct member lnup[] = { { "top/", AE_IFDIR, NULL, 0 }, { "top/d/l", AE_IFLNK, "../../x", 0 } };
	struct member lnmid[] = { { "top/", AE_IFDIR, NULL, 0 }, { "top/d/l", AE_IFLNK, "e/../../x", 0 } };
	struct member hard[] = { { "top/", AE_IFDIR, NULL, 0 }, { "top/h", 0, "top/../canary/x", 0 } };
	struct member dev[] = { { "top/", AE_IFDIR, NULL, 0 }, { "top/null", AE_IFCHR, NULL, 0 } };
	struct member fifo[] = { { "top/", AE_IFDIR, NULL, 0 }, { "top/p", AE_IFIFO, NULL, 0 } };
	struct member two[] = { { "top/", AE_IFDIR, NULL, 0 }, { "other/x", AE_IFREG, "x", 0 } };

	refused(f, dotdot, LEN(dotdot), &l, "top/a/../../x: path has a '..' component");
	refused(f, absm, LEN(absm), &l, "absolute path");
	refused(f, lnabs, LEN(lnabs), &l, "top/l: symlink to an absolute path");
	refused(f, lnup, LEN(lnup), &l, "top/d/l: symlink points outside the tree (../../x)");
	refused(f, lnmid, LEN(lnmid), &l, "top/d/l: symlink target e/../../x has '..' after a folder name");
	refused(f, hard, LEN(hard), &l, "top/h: hard link");
	refused(f, dev, LEN(dev), &l, "top/null: device node");
	refused(f, fifo, LEN(fifo), &l, "top/p: FIFO");
	refused(f, two, LEN(two), &l, "other/x: member outside the single top-level folder top/");
	free(abs);
}

static void test_limits(void **state)
{
	struct fx *f = *state;
	struct extract_limits l = strip();
	struct member m[] = {
		{ "top/", AE_IFDIR, NULL, 0 },
		{ "top/a", AE_IFREG, "0123456789", 0 },
		{ "top/b", AE_IFREG, "0123456789", 0 },
	};

	l.max_entries = 2;
	refused(f, m, LEN(m), &l, "top/b: more than 2 members");
	l.max_entries = 100;
	l.max_bytes = 15;
	refused(f, m, LEN(m), &l, "top/b: more than 15 bytes uncompressed");
	setenv("GILBENCH_MAX_ENTRIES", "7", 1);
	setenv("GILBENCH_MAX_BYTES", "1234", 1);
	assert_int_equal(extract_defaults(&l), 0);
	assert_int_equal(l.max_entries, 7);
	assert_int_equal(l.max_bytes, 1234);
	unsetenv("GILBENCH_MAX_ENTRIES");
	unsetenv("GILBENCH_MAX_BYTES");
	assert_int_equal(extract_defaults(&l), 0);
	assert_int_equal(l.max_entries, 100000);
	assert_int_equal(l.max_bytes, (uint64_t)2 << 30);
}

static void test_corrupt(void **state)
{
	struct fx *f = *state;
	struct member m[] = { { "top/", AE_IFDIR, NULL, 0 }, { "top/a", AE_IFREG, "hello, hello, hello\n", 0 } };
	char *data = NULL;
	size_t len;

	mktar(f->tar, m, LEN(m));
	assert_int_equal(readfile(f->tar, &data, &len), 0);
	assert_int_equal(writefile(f->tar, data, len / 2), 0);
	assert_int_equal(extract_archive(f->tar, f->dest, NULL), -1);
	if (!strstr(errmsg(), "gzip: unexpected end of file") && !strstr(errmsg(), "truncated gzip input"))
		fail_msg("%s", errmsg());
	data[len - 6] ^= 0x55; /* in the CRC-32 */
	assert_int_equal(writefile(f->tar, data, len), 0);
	assert_int_equal(extract_archive(f->tar, f->dest, NULL), -1);
	assert_non_null(strstr(errmsg(), "gzip: incorrect data check"));
	assert_false(exists(f->dest));
	free(data);
	assert_int_equal(writefile(f->tar, "not a tarball", 13), 0);
	assert_int_equal(extract_archive(f->tar, f->dest, NULL), -1);
	assert_false(exists(f->dest));
}

static void test_lock(void **state)
{
	struct fx *f = *state;
	char *path = pathjoin(f->top, "x.lock"), *want = xasprintf("the thing is busy (held by pid %ld;", (long)getpid());
	struct lock *a = NULL, *b = NULL;

	assert_int_equal(lock_take(path, false, "the thing", &a), 0);
	assert_non_null(a);
	assert_int_equal(lock_take(path, false, "the thing", &b), -1);
	assert_null(b);
	if (!strstr(errmsg(), want))
		fail_msg("error \"%s\" lacks \"%s\"", errmsg(), want);
	lock_release(a);
	assert_int_equal(lock_take(path, false, "the thing", &b), 0);
	lock_release(b);
	lock_release(NULL);
	free(want);
	free(path);
}

/* one entry through the rules: its verdict, with the error kept in *why */
static int rule(struct member_rules *r, const char *name, mode_t type, const char *target,
                const char *hardlink, int64_t size)
{
	struct archive_entry *e = archive_entry_new();
	char *rel = NULL;
	int rc;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_size(e, size);
	if (target)
		archive_entry_set_symlink(e, target);
	if (hardlink)
		archive_entry_set_hardlink(e, hardlink);
	rc = extract_member_check(r, e, &rel, NULL);
	if (rc == 0)
		assert_non_null(rel);
	free(rel);
	archive_entry_free(e);
	return rc;
}

#define REFUSED(r, why, ...) do { \
		assert_int_equal(rule(r, __VA_ARGS__), -1); \
		assert_non_null(strstr(errmsg(), why)); \
	} while (0)

static void test_member_rules(void **state)
{
	struct extract_limits lim = { .max_entries = 20, .max_bytes = 100, .strip = true };
	struct member_rules *r = mkmember_rules(&lim);

	(void)state;
	assert_int_equal(rule(r, "top/", AE_IFDIR, NULL, NULL, 0), 1);
	assert_int_equal(rule(r, "top/a.txt", AE_IFREG, NULL, NULL, 10), 0);
	assert_int_equal(rule(r, "top/sub", AE_IFDIR, NULL, NULL, 0), 0);
	assert_int_equal(rule(r, "top/sub/in", AE_IFLNK, "../a.txt", NULL, 0), 0);
	assert_int_equal(rule(r, "top/h", AE_IFREG, NULL, "top/a.txt", 0), 0);
	REFUSED(r, "top/../evil.txt: path has a '..' component", "top/../evil.txt", AE_IFREG, NULL, NULL, 1);
	REFUSED(r, "/etc/x: absolute path", "/etc/x", AE_IFREG, NULL, NULL, 1);
	REFUSED(r, "other/x: member outside the single top-level folder top/", "other/x", AE_IFREG, NULL, NULL, 1);
	REFUSED(r, "symlink to an absolute path (/etc/passwd)", "top/abs", AE_IFLNK, "/etc/passwd", NULL, 0);
	REFUSED(r, "symlink points outside the tree (../../x)", "top/sub/up", AE_IFLNK, "../../x", NULL, 0);
	REFUSED(r, "path goes through the symlink sub/in", "top/sub/in/x", AE_IFREG, NULL, NULL, 1);
	REFUSED(r, "hard link to top/later, which is not a file", "top/h2", AE_IFREG, NULL, "top/later", 0);
	REFUSED(r, "hard link to top/sub, which is not a file", "top/h3", AE_IFREG, NULL, "top/sub", 0);
	REFUSED(r, "top/null: device node", "top/null", AE_IFCHR, NULL, NULL, 0);
	REFUSED(r, "top/pipe: FIFO", "top/pipe", AE_IFIFO, NULL, NULL, 0);
	REFUSED(r, "top/sock: socket", "top/sock", AE_IFSOCK, NULL, NULL, 0);
	/* the byte limit is said once, and the walk may go on */
	REFUSED(r, "top/big: more than 100 bytes uncompressed (GILBENCH_MAX_BYTES)", "top/big", AE_IFREG, NULL, NULL, 91);
	assert_int_equal(rule(r, "top/big2", AE_IFREG, NULL, NULL, 91), 0);
	/* so is the entry limit (20): this is the 19th, 20th, 21st */
	assert_int_equal(rule(r, "top/f19", AE_IFREG, NULL, NULL, 0), 0);
	assert_int_equal(rule(r, "top/f20", AE_IFREG, NULL, NULL, 0), 0);
	REFUSED(r, "top/f21: more than 20 members (GILBENCH_MAX_ENTRIES)", "top/f21", AE_IFREG, NULL, NULL, 0);
	assert_int_equal(rule(r, "top/f22", AE_IFREG, NULL, NULL, 0), 0);
	delmember_rules(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
		cmocka_unit_test(test_member_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
