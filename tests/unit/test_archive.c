/* test_archive.c: archive.c's manifest, reproducibility and verification.
 *
 * Each test builds a small run directory under a fresh /tmp folder with known content
 * (so the sha256s are known), archives it with archive_run(), and checks the manifest in
 * the run directory, the archive's bytes (compared between two runs, and read back with
 * libarchive for the member order, owners and times) and archive_verify()'s report. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "archive.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* sha256 of "hello\n" and of nothing */
#define SHA_HELLO "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct fx {
	char *top;  /* the test's /tmp folder */
	char *run;  /* TOP/run-1 */
};

static void put(const char *dir, const char *rel, const char *content)
{
	char *p = pathjoin(dir, rel);

	assert_int_equal(writefile(p, content, strlen(content)), 0);
	free(p);
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char tmpl[] = "/tmp/gilbench-test-archive.XXXXXX";
	char *p;

	if (!mkdtemp(tmpl))
		return -1;
	f->top = xstrdup(tmpl);
	f->run = pathjoin(f->top, "run-1");
	p = pathjoin(f->run, "builds/gil");
	if (mkdirp(p, 0755) < 0)
		return -1;
	free(p);
	p = pathjoin(f->run, "plots");
	if (mkdirp(p, 0700) < 0) /* an empty folder, with an odd mode */
		return -1;
	free(p);
	put(f->run, "config.yaml", "hello\n");
	put(f->run, "run.json", "{\"version\": 1, \"kind\": \"run\", \"sides\": [{\"name\": \"\"}]}\n");
	put(f->run, "results.jsonl", "");
	put(f->run, "builds/gil/make.log", "hello\n");
	put(f->run, "builds-x", "sorts between builds and builds/gil\n");
	put(f->run, ".lock", "");
	p = pathjoin(f->run, "latest");
	if (symlink("config.yaml", p) < 0)
		return -1;
	free(p);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	unsetenv("SOURCE_DATE_EPOCH");
	rmtree(f->top);
	free(f->top);
	free(f->run);
	free(f);
	return 0;
}

static char *readall(const char *path, size_t *len)
{
	char *data = NULL;

	assert_int_equal(readfile(path, &data, len), 0);
	return data;
}

static void test_manifest(void **state)
{
	struct fx *f = *state;
	static const char *const paths[] = { "builds", "builds-x", "builds/gil", "builds/gil/make.log",
	                                     "config.yaml", "latest", "plots", "results.jsonl", "run.json" };
	char *out = pathjoin(f->top, "a.tar.gz"), *mpath = pathjoin(f->run, "manifest.json");
	json_error_t err;
	json_t *m, *members, *o;
	size_t i;

	assert_int_equal(archive_run(f->run, out), 0);
	m = json_load_file(mpath, 0, &err);
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "version")), 1);
	assert_string_equal(json_string_value(json_object_get(m, "created_by")), "gilbench " VERSION);
	members = json_object_get(m, "members");
	assert_int_equal(json_array_size(members), LEN(paths)); /* not itself, not .lock */
	json_array_foreach(members, i, o) {
		const char *path = json_string_value(json_object_get(o, "path"));
		const char *type = json_string_value(json_object_get(o, "type"));
		const char *mode = json_string_value(json_object_get(o, "mode"));
		json_int_t size = json_integer_value(json_object_get(o, "size"));
		json_t *sha = json_object_get(o, "sha256");

		assert_string_equal(path, paths[i]);
		if (strcmp(path, "config.yaml") == 0 || strcmp(path, "builds/gil/make.log") == 0) {
			assert_string_equal(type, "file");
			assert_int_equal(size, 6);
			assert_string_equal(json_string_value(sha), SHA_HELLO);
			assert_string_equal(mode, "0644");
		} else if (strcmp(path, "results.jsonl") == 0) {
			assert_int_equal(size, 0);
			assert_string_equal(json_string_value(sha), SHA_EMPTY);
		} else if (strcmp(path, "latest") == 0) {
			assert_string_equal(type, "symlink");
			assert_string_equal(json_string_value(json_object_get(o, "target")), "config.yaml");
		} else if (strcmp(path, "plots") == 0) {
			assert_string_equal(type, "dir");
			assert_string_equal(mode, "0755");
			assert_true(json_is_null(sha));
		}
	}
	json_decref(m);
	free(out);
	free(mpath);
}

static void test_members_in_archive(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = { "run-1/manifest.json", "run-1/builds/", "run-1/builds-x",
	                                     "run-1/builds/gil/", "run-1/builds/gil/make.log",
	                                     "run-1/config.yaml", "run-1/latest", "run-1/plots/",
	                                     "run-1/results.jsonl", "run-1/run.json" };
	char *out = pathjoin(f->top, "a.tar.gz"), *mpath = pathjoin(f->run, "manifest.json");
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char buf[65536];
	size_t i = 0, mlen;
	char *mdata;

	assert_int_equal(archive_run(f->run, out), 0);
	mdata = readall(mpath, &mlen);
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_filename(a, out, 65536), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		assert_true(i < LEN(names));
		assert_string_equal(archive_entry_pathname(e), names[i]);
		assert_int_equal(archive_entry_mtime(e), 0);
		assert_int_equal(archive_entry_uid(e), 0);
		assert_int_equal(archive_entry_gid(e), 0);
		assert_true(!archive_entry_uname(e) || !*archive_entry_uname(e));
		assert_true(!archive_entry_gname(e) || !*archive_entry_gname(e));
		assert_false(archive_entry_atime_is_set(e));
		if (archive_entry_filetype(e) == AE_IFDIR)
			assert_int_equal(archive_entry_perm(e), 0755);
		if (i == 0) { /* the manifest first, the same bytes as in the run directory */
			la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
			assert_int_equal((size_t)n, mlen);
			assert_memory_equal(buf, mdata, mlen);
		}
		if (strcmp(names[i], "run-1/latest") == 0) {
			assert_int_equal(archive_entry_filetype(e), AE_IFLNK);
			assert_string_equal(archive_entry_symlink(e), "config.yaml");
		}
		i++;
	}
	assert_int_equal(i, LEN(names));
	archive_read_free(a);
	free(mdata);
	free(out);
	free(mpath);
}

static void test_reproducible(void **state)
{
	struct fx *f = *state;
	char *a = pathjoin(f->top, "a.tar.gz"), *b = pathjoin(f->top, "b.tar.gz"), *c = pathjoin(f->top, "c.tar.gz");
	char *p = pathjoin(f->run, "config.yaml"), *da, *db, *dc;
	struct timespec ts[2] = { { 1000000000, 5 }, { 1200000000, 7 } };
	size_t la, lb, lc;

	assert_int_equal(archive_run(f->run, a), 0);
	assert_int_equal(archive_run(f->run, b), 0);
	/* new times and a stricter mode change nothing */
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	assert_int_equal(utimensat(AT_FDCWD, f->run, ts, 0), 0);
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(archive_run(f->run, c), 0);
	da = readall(a, &la);
	db = readall(b, &lb);
	dc = readall(c, &lc);
	assert_int_equal(la, lb);
	assert_memory_equal(da, db, la);
	assert_int_equal(la, lc);
	assert_memory_equal(da, dc, la);
	/* gzip header: no file name flag, no time stamp */
	assert_int_equal((unsigned char)da[0], 0x1f);
	assert_int_equal((unsigned char)da[1], 0x8b);
	assert_int_equal(da[3] & 0x08, 0);
	assert_int_equal(da[4] | da[5] | da[6] | da[7], 0);
	free(da);
	free(db);
	free(dc);
	free(a);
	free(b);
	free(c);
	free(p);
}

static void test_source_date_epoch(void **state)
{
	struct fx *f = *state;
	char *out = pathjoin(f->top, "e.tar.gz");
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int n = 0;

	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	assert_int_equal(archive_run(f->run, out), 0);
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_filename(a, out, 65536), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		assert_int_equal(archive_entry_mtime(e), 1700000000);
		n++;
	}
	assert_int_equal(n, 10);
	archive_read_free(a);
	setenv("SOURCE_DATE_EPOCH", "soon", 1);
	assert_int_equal(archive_run(f->run, out), -1);
	assert_non_null(strstr(errmsg(), "SOURCE_DATE_EPOCH"));
	free(out);
}

static void test_verify_ok(void **state)
{
	struct fx *f = *state;
	char *out = pathjoin(f->top, "a.tar.gz");
	struct archive_info info;
	struct verify_report r;
	char hex[HEXLEN];

	assert_int_equal(archive_run_info(f->run, out, &info), 0);
	assert_string_equal(info.path, out);
	assert_int_equal(info.members, 9);
	assert_int_equal(sha256_file(out, hex), 0);
	assert_string_equal(info.sha256, hex);
	archive_info_free(&info);
	assert_int_equal(archive_verify(out, &r), 0);
	assert_int_equal(r.nproblems, 0);
	assert_int_equal(r.listed, 9);
	assert_int_equal(r.verified, 9);
	assert_string_equal(r.root, "run-1");
	verify_report_free(&r);
	free(out);
}

static void test_verify_problems(void **state)
{
	struct fx *f = *state;
	char *out = pathjoin(f->top, "a.tar.gz"), *bad = pathjoin(f->top, "bad.tar.gz"), *data, *line;
	struct verify_report r;
	size_t len;

	/* not there at all: an error, not a report */
	assert_int_equal(archive_verify(bad, &r), -1);
	verify_report_free(&r);
	/* not an archive */
	put(f->top, "bad.tar.gz", "hello\n");
	assert_int_equal(archive_verify(bad, &r), 1);
	assert_int_equal(r.nproblems, 1);
	assert_int_equal(r.problems[0].kind, VERIFY_CORRUPT);
	verify_report_free(&r);
	/* cut in half */
	assert_int_equal(archive_run(f->run, out), 0);
	data = readall(out, &len);
	assert_int_equal(writefile(bad, data, len / 2), 0);
	assert_int_equal(archive_verify(bad, &r), 1);
	assert_int_equal(r.problems[0].kind, VERIFY_CORRUPT);
	line = verify_problem_str(&r.problems[0]);
	assert_non_null(strstr(line, "truncated"));
	free(line);
	verify_report_free(&r);
	free(data);
	free(out);
	free(bad);
}

static void test_empty_and_errors(void **state)
{
	struct fx *f = *state;
	char *empty = pathjoin(f->top, "empty"), *out = pathjoin(f->top, "empty.tar.gz");
	char *nowhere = pathjoin(f->top, "no/such/folder/x.tar.gz"), *inside = pathjoin(f->run, "x.tar.gz");
	struct verify_report r;

	assert_int_equal(mkdirp(empty, 0755), 0);
	assert_int_equal(archive_run(empty, NULL), -1); /* not a run directory: nothing written */
	assert_non_null(strstr(errmsg(), "is not a gilbench run directory"));
	assert_false(exists(out));
	put(empty, "run.json", "{}\n");
	assert_int_equal(archive_run(empty, NULL), 0); /* default: beside it */
	assert_true(exists(out));
	assert_int_equal(archive_verify(out, &r), 0);
	assert_int_equal(r.listed, 1);
	verify_report_free(&r);
	assert_int_equal(archive_run(f->run, nowhere), -1);
	assert_non_null(strstr(errmsg(), "no/such/folder"));
	assert_int_equal(archive_run(f->run, inside), -1);
	assert_false(exists(inside));
	assert_int_equal(archive_run(nowhere, NULL), -1);
	free(empty);
	free(out);
	free(nowhere);
	free(inside);
}

static void test_extract_run(void **state)
{
	struct fx *f = *state;
	char *out = pathjoin(f->top, "a.tar.gz"), *dest = pathjoin(f->top, "copy"), *p, *data;
	size_t len;

	assert_int_equal(archive_run(f->run, out), 0);
	assert_int_equal(archive_extract_run(out, dest), 0);
	p = pathjoin(dest, "builds/gil/make.log");
	data = readall(p, &len);
	assert_string_equal(data, "hello\n");
	free(data);
	free(p);
	p = pathjoin(dest, "manifest.json");
	assert_true(exists(p));
	free(p);
	free(out);
	free(dest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_manifest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_members_in_archive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reproducible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_date_epoch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_problems, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extract_run, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
