/* test_results.c: results.jsonl round trips (results.c).
 *
 * Appends trials to a temporary file, loads them back and compares every field; then cuts
 * the file in the middle of its last line, as a SIGKILL during a write would, and checks
 * that the torn line is skipped and good_bytes points at the end of the last whole line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results.h"
#include "util.h"

static char *tmpfile_path(void)
{
	char tmpl[] = "/tmp/test_results.XXXXXX";
	int fd = mkstemp(tmpl);

	assert_true(fd >= 0);
	close(fd);
	return xstrdup(tmpl);
}

static void filltrial(struct trial *t, int round, enum trialstatus st)
{
	memset(t, 0, sizeof(*t));
	t->cell = "3f2a9c0e1b7d4a55";
	t->experiment = "race";
	t->variant = "nogil";
	t->point = "threads=4";
	t->round = round;
	t->warmup = round == 1;
	t->status = st;
	t->metric = 0.1141 * round;
	t->has_expect = true;
	t->correct = round % 2 == 0;
	t->wall = 0.162;
	t->utime = 0.29;
	t->stime = 0.01;
	t->maxrss_kb = 10240;
	t->exit_code = st == TRIAL_OK ? 0 : 1;
	t->signal = 0;
	t->error = st == TRIAL_OK ? NULL : "Traceback: boom\nValueError: x";
	t->started = "2026-11-25T09:30:00Z";
	t->cpus = round == 2 ? "0" : NULL;
}

static void test_roundtrip(void **state)
{
	(void)state;
	char *path = tmpfile_path();
	int fd = open(path, O_WRONLY | O_APPEND);
	struct trial t, *v = NULL;
	size_t n = 0, good = 0;
	json_t *res = json_pack("{s:f,s:i}", "seconds", 0.1141, "value", 461312);

	assert_true(fd >= 0);
	for (int r = 1; r <= 3; r++) {
		filltrial(&t, r, r == 3 ? TRIAL_FAILED : TRIAL_OK);
		t.result = r == 3 ? NULL : res;
		assert_int_equal(results_append(fd, &t), 0);
	}
	close(fd);
	assert_int_equal(results_load(path, &v, &n, &good), 0);
	assert_int_equal(n, 3);
	for (int r = 1; r <= 3; r++) {
		struct trial *g = &v[r - 1];
		assert_string_equal(g->cell, "3f2a9c0e1b7d4a55");
		assert_string_equal(g->experiment, "race");
		assert_string_equal(g->variant, "nogil");
		assert_string_equal(g->point, "threads=4");
		assert_int_equal(g->round, r);
		assert_int_equal(g->warmup, r == 1);
		assert_int_equal(g->status, r == 3 ? TRIAL_FAILED : TRIAL_OK);
		if (r == 3) {
			assert_true(isnan(g->metric));
			assert_null(g->result);
			assert_string_equal(g->error, "Traceback: boom\nValueError: x");
		} else {
			assert_true(fabs(g->metric - 0.1141 * r) < 1e-9);
			assert_non_null(g->result);
			assert_int_equal(json_integer_value(json_object_get(g->result, "value")), 461312);
			assert_null(g->error);
		}
		assert_true(g->has_expect);
		assert_int_equal(g->correct, r % 2 == 0);
		assert_true(fabs(g->wall - 0.162) < 1e-9);
		assert_true(fabs(g->utime - 0.29) < 1e-9);
		assert_int_equal(g->maxrss_kb, 10240);
		assert_int_equal(g->exit_code, r == 3 ? 1 : 0);
		assert_string_equal(g->started, "2026-11-25T09:30:00Z");
		if (r == 2)
			assert_string_equal(g->cpus, "0");
		else
			assert_null(g->cpus);
	}
	results_free(v, n);
	json_decref(res);
	unlink(path);
	free(path);
}

static void test_torn_last_line(void **state)
{
	(void)state;
	char *path = tmpfile_path();
	int fd = open(path, O_WRONLY | O_APPEND);
	struct trial t, *v = NULL;
	size_t n = 0, good = 0, len2 = 0, len3 = 0;
	char *data = NULL;

	for (int r = 1; r <= 3; r++) {
		filltrial(&t, r, TRIAL_OK);
		assert_int_equal(results_append(fd, &t), 0);
		if (r == 2)
			len2 = (size_t)lseek(fd, 0, SEEK_END);
	}
	close(fd);
	assert_int_equal(readfile(path, &data, &len3), 0);
	free(data);
	/* cut the third line short, at every possible place but the last (its newline only) */
	for (size_t cut = len2; cut < len3 - 1; cut++) {
		assert_int_equal(truncate(path, (off_t)cut), 0);
		assert_int_equal(results_load(path, &v, &n, &good), 0);
		assert_int_equal(n, 2);
		assert_int_equal(good, len2);
		assert_int_equal(v[1].round, 2);
		results_free(v, n);
	}
	unlink(path);
	free(path);
}

/* issue 9: a whole last line without its newline is a trial, not a torn tail; the next
 * append adds the newline first */
static void test_last_line_without_newline(void **state)
{
	(void)state;
	char *path = tmpfile_path();
	int fd = open(path, O_WRONLY | O_APPEND);
	struct trial t, *v = NULL;
	size_t n = 0, good = 0, len = 0;
	char *data = NULL;

	for (int r = 1; r <= 2; r++) {
		filltrial(&t, r, TRIAL_OK);
		assert_int_equal(results_append(fd, &t), 0);
	}
	close(fd);
	assert_int_equal(readfile(path, &data, &len), 0);
	free(data);
	assert_int_equal(truncate(path, (off_t)len - 1), 0);
	assert_int_equal(results_load(path, &v, &n, &good), 0);
	assert_int_equal(n, 2);
	assert_int_equal(good, len - 1);
	assert_int_equal(v[1].round, 2);
	results_free(v, n);
	/* --resume appends after it */
	fd = open(path, O_RDWR | O_APPEND);
	filltrial(&t, 3, TRIAL_OK);
	assert_int_equal(results_append(fd, &t), 0);
	close(fd);
	assert_int_equal(readfile(path, &data, &len), 0);
	assert_int_equal(data[len - 1], '\n');
	assert_null(strstr(data, "}{"));
	free(data);
	assert_int_equal(results_load(path, &v, &n, &good), 0);
	assert_int_equal(n, 3);
	assert_int_equal(good, len);
	assert_int_equal(v[2].round, 3);
	results_free(v, n);
	unlink(path);
	free(path);
}

static void test_damage_in_middle(void **state)
{
	(void)state;
	char *path = tmpfile_path();
	const char *text = "{\"cell\":\"a\"\n{\"cell\":\"b\"}\n";
	struct trial *v = NULL;
	size_t n = 0, good = 0;

	assert_int_equal(writefile(path, text, strlen(text)), 0);
	assert_int_equal(results_load(path, &v, &n, &good), -1);
	assert_non_null(strstr(errmsg(), ":1:"));
	unlink(path);
	free(path);
}

static void test_missing_field(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "cell", "a", "experiment", "e", "variant", "v",
	                      "point", "", "status", "ok");
	struct trial t;

	assert_int_equal(trial_from_json(o, &t), -1);
	assert_non_null(strstr(errmsg(), "round"));
	json_decref(o);
}

static void test_status_names(void **state)
{
	(void)state;
	enum trialstatus s;

	assert_string_equal(trialstatus_name(TRIAL_BAD_OUTPUT), "bad-output");
	assert_int_equal(trialstatus_parse("timeout", &s), 0);
	assert_int_equal(s, TRIAL_TIMEOUT);
	assert_int_equal(trialstatus_parse("nope", &s), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_torn_last_line),
		cmocka_unit_test(test_last_line_without_newline),
		cmocka_unit_test(test_damage_in_middle),
		cmocka_unit_test(test_missing_field),
		cmocka_unit_test(test_status_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
