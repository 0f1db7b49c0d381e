/* test_canary.c: the speed canary and its per-machine reference (canary.c).
 *
 * The C workload gives fixed results (a change to it would make every stored reference
 * meaningless, so its results are pinned here) and its samples have sane times, with the
 * thread's CPU affinity restored after pinning. The Python canary runs on /usr/bin/python3
 * (skipped where there is none) and its output is checked, including a fake interpreter
 * that computes a wrong result. The reference rule is tried on synthetic histories, the
 * reference file in a temporary cache: first run sets it, one slow run does not move it, a
 * permanently faster machine lowers it, concurrent writers lose no run, and a corrupt,
 * foreign or non-regular file is an error naming the file. Then the slowdown judgment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "canary.h"
#include "util.h"

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/test_canary.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void putfile(const char *path, const char *text)
{
	assert_int_equal(writefile(path, text, strlen(text)), 0);
}

static void test_work_fixed(void **state)
{
	(void)state;
	/* the workload's results, pinned: changing the workload invalidates every reference */
	assert_int_equal(canary_work(1000), 0xcd1614fee2db3005u);
	assert_int_equal(canary_work(CANARY_C_ITERS), 0xd9d24b73d402f472u);
	assert_int_equal(canary_work(CANARY_C_ITERS), canary_work(CANARY_C_ITERS));
	assert_true(canary_work(1001) != canary_work(1000));
	/* the Python loop's result, as `python3 -c` computes it */
	assert_int_equal(canary_py_expected(CANARY_PY_ITERS), 2222728016u);
}

static void test_c_sample(void **state)
{
	(void)state;
	struct canary_sample s;
	double sum = 0, w[3];

	assert_int_equal(canary_c(NULL, 3, &s), 0);
	assert_string_equal(s.series, CANARY_SERIES_C);
	assert_string_equal(s.label, "C");
	assert_int_equal(s.nreps, 3);
	assert_int_equal(s.result, canary_work(CANARY_C_ITERS));
	for (int i = 0; i < 3; i++) {
		assert_true(s.reps[i].wall > 1e-4 && s.reps[i].wall < 5.0);
		/* the CPU clock is read inside the wall clock's interval */
		assert_true(s.reps[i].cpu > 0 && s.reps[i].cpu <= s.reps[i].wall * 1.01 + 1e-4);
		sum += s.reps[i].wall;
		w[i] = s.reps[i].wall;
	}
	/* the sample is the median repetition */
	assert_true(s.wall == w[0] + w[1] + w[2] - fmin(fmin(w[0], w[1]), w[2]) - fmax(fmax(w[0], w[1]), w[2]));
	assert_true(s.cost >= sum && s.cost < sum + 1.0);
	assert_true(s.at > 0);
	canary_sample_free(&s);
	assert_null(s.series);
}

static void test_c_pinned(void **state)
{
	(void)state;
	struct canary_sample s;
	cpu_set_t before, after;
	int cpu;

	assert_int_equal(sched_getaffinity(0, sizeof(before), &before), 0);
	for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &before); cpu++)
		;
	{
		char list[16];
		snprintf(list, sizeof(list), "%d", cpu);
		assert_int_equal(canary_c(list, 1, &s), 0);
	}
	assert_int_equal(s.nreps, 1);
	assert_int_equal(sched_getaffinity(0, sizeof(after), &after), 0);
	assert_true(CPU_EQUAL(&before, &after));
	canary_sample_free(&s);

	assert_int_equal(canary_c("0-x", 3, &s), -1);
	assert_non_null(strstr(errmsg(), "CPU"));
	assert_int_equal(canary_c(NULL, 0, &s), -1);
	assert_non_null(strstr(errmsg(), "repetitions"));
	assert_int_equal(canary_c(NULL, CANARY_MAXREPS + 1, &s), -1);
	assert_int_equal(sched_getaffinity(0, sizeof(after), &after), 0);
	assert_true(CPU_EQUAL(&before, &after));
}

static void test_python_sample(void **state)
{
	(void)state;
	struct canary_sample s, s2;

	if (access("/usr/bin/python3", X_OK) != 0)
		skip();
	assert_int_equal(canary_python("/usr/bin/python3", NULL, NULL, 3, &s), 0);
	assert_int_equal(strncmp(s.series, "python:", 7), 0);
	assert_int_equal(strlen(s.series), 7 + 16);
	assert_non_null(strstr(s.label, "Python 3"));
	assert_non_null(strstr(s.label, "/usr/bin/python3"));
	assert_int_equal(s.nreps, 3);
	assert_int_equal(s.result, canary_py_expected(CANARY_PY_ITERS));
	assert_true(s.wall > 1e-4 && s.wall < 10);
	assert_true(s.cost > s.reps[0].wall + s.reps[1].wall + s.reps[2].wall);
	/* the same interpreter is the same series */
	assert_int_equal(canary_python("/usr/bin/python3", NULL, NULL, 1, &s2), 0);
	assert_string_equal(s.series, s2.series);
	canary_sample_free(&s);
	canary_sample_free(&s2);
}

static void test_python_bad(void **state)
{
	(void)state;
	char *dir = tmpdir(), *fake = pathjoin(dir, "python"), *text;
	struct canary_sample s;

	assert_int_equal(canary_python("/nonexistent/python", NULL, NULL, 3, &s), -1);
	assert_non_null(strstr(errmsg(), "/nonexistent/python"));
	/* an interpreter whose loop computes something else */
	text = xasprintf("#!/bin/sh\necho '{\"result\": 7, \"reps\": [[0.01, 0.01]], \"version\": \"3\", \"number\": \"3\"}'\n");
	putfile(fake, text);
	assert_int_equal(chmod(fake, 0755), 0);
	assert_int_equal(canary_python(fake, NULL, NULL, 1, &s), -1);
	assert_non_null(strstr(errmsg(), fake));
	assert_non_null(strstr(errmsg(), "instead of 2222728016"));
	free(text);
	/* one that fails */
	putfile(fake, "#!/bin/sh\necho 'SyntaxError: boom' >&2\nexit 1\n");
	assert_int_equal(chmod(fake, 0755), 0);
	assert_int_equal(canary_python(fake, NULL, NULL, 1, &s), -1);
	assert_non_null(strstr(errmsg(), "SyntaxError: boom"));
	rmtree(dir);
	free(fake);
	free(dir);
}

static void test_sample_json(void **state)
{
	(void)state;
	struct canary_sample s, back;
	json_t *j;

	assert_int_equal(canary_c(NULL, 2, &s), 0);
	j = canary_sample_json(&s);
	assert_int_equal(canary_sample_parse(j, &back), 0);
	assert_string_equal(back.series, s.series);
	assert_string_equal(back.label, s.label);
	assert_int_equal(back.at, s.at);
	assert_int_equal(back.result, s.result);
	assert_int_equal(back.nreps, 2);
	assert_true(fabs(back.wall - s.wall) < 1e-12 && fabs(back.reps[1].cpu - s.reps[1].cpu) < 1e-12);
	canary_sample_free(&back);
	json_object_set_new(j, "wall", json_real(-1));
	assert_int_equal(canary_sample_parse(j, &back), -1);
	assert_non_null(strstr(errmsg(), "'wall'"));
	json_decref(j);
	canary_sample_free(&s);
}

static void test_rule(void **state)
{
	(void)state;
	double h[40] = {0}, before;
	size_t n = 0;

	assert_true(isnan(canary_rule(h, 0)));
	/* the first run sets it */
	h[n++] = 0.010;
	assert_true(canary_rule(h, n) == 0.010);
	/* one slow run does not move it beyond the spread of the normal ones */
	for (int i = 0; i < 5; i++)
		h[n++] = 0.0100 + 0.0001 * i;
	before = canary_rule(h, n);
	assert_true(before >= 0.0100 && before <= 0.0104);
	h[n++] = 0.020;
	assert_true(canary_rule(h, n) >= 0.0100 && canary_rule(h, n) <= 0.0104);
	/* nor does it when the normal runs agree exactly */
	for (int i = 0; i < 6; i++)
		h[i] = 0.010;
	assert_true(fabs(canary_rule(h, n) - 0.010) < 1e-15);
	/* a permanently faster machine lowers it after 11 runs of 20 (the median), to the new speed */
	for (int i = 0; i < 20; i++)
		h[i] = 0.010;
	n = 20;
	for (int i = 0; i < 10; i++)
		h[n++] = 0.008;
	assert_true(canary_rule(h, n) > 0.0089 && canary_rule(h, n) < 0.0091);
	h[n++] = 0.008;
	assert_true(fabs(canary_rule(h, n) - 0.008) < 1e-15);
	/* a permanently slower machine is flagged for 10 runs, then the new normal */
	for (int i = 0; i < 20; i++)
		h[i] = 0.010;
	n = 20;
	for (int i = 0; i < 9; i++)
		h[n++] = 0.012;
	assert_true(fabs(canary_rule(h, n) - 0.010) < 1e-15);
	h[n++] = 0.012;
	assert_true(canary_rule(h, n) > 0.0109);
	h[n++] = 0.012;
	assert_true(fabs(canary_rule(h, n) - 0.012) < 1e-15);
	/* the reference is the typical run, not the fastest: half the runs are slower than it */
	for (int i = 0; i < 20; i++)
		h[i] = 0.010 * (1 + 0.01 * (i % 10));
	n = 20;
	assert_true(canary_rule(h, n) > 0.0104 && canary_rule(h, n) < 0.0105);
}

static double record(struct canary_store *st, double v)
{
	double x[3] = { v * 1.01, v, v * 0.99 };

	assert_int_equal(canary_store_record(st, CANARY_SERIES_C, "C", x, 3), 0);
	return canary_store_reference(st, CANARY_SERIES_C, NULL);
}

static void test_store(void **state)
{
	(void)state;
	char *cache = tmpdir();
	struct canary_store *st = NULL, *again = NULL;
	size_t runs;
	json_t *j;

	assert_int_equal(canary_store_open(cache, &st), 0);
	assert_true(isnan(canary_store_reference(st, CANARY_SERIES_C, &runs)));
	assert_int_equal(runs, 0);
	assert_false(exists(canary_store_path(st)));
	assert_true(ishex64(canary_store_id(st)));
	assert_non_null(strstr(canary_store_path(st), canary_store_id(st)));
	/* the first run sets it, to its median */
	assert_true(record(st, 0.020) == 0.020);
	assert_true(exists(canary_store_path(st)));
	for (int i = 0; i < 4; i++)
		record(st, 0.020);
	/* one slow run does not move it; the file keeps it across opens */
	assert_true(fabs(record(st, 0.030) - 0.020) < 1e-15);
	assert_int_equal(canary_store_open(cache, &again), 0);
	assert_true(fabs(canary_store_reference(again, CANARY_SERIES_C, &runs) - 0.020) < 1e-15);
	assert_int_equal(runs, 6);
	/* a permanently faster machine lowers it, once it is most of the runs kept */
	for (int i = 0; i < 7; i++)
		record(st, 0.015);
	assert_true(fabs(canary_store_reference(st, CANARY_SERIES_C, NULL) - 0.015) < 1e-12);
	/* only the last CANARY_HISTORY runs are kept */
	for (int i = 0; i < 30; i++)
		record(st, 0.015);
	canary_store_reference(st, CANARY_SERIES_C, &runs);
	assert_int_equal(runs, CANARY_HISTORY);
	j = canary_store_json(st);
	assert_string_equal(json_string_value(json_object_get(j, "machine_id")), canary_store_id(st));
	assert_non_null(json_object_get(json_object_get(j, "series"), CANARY_SERIES_C));
	json_decref(j);
	delcanarystore(again);
	delcanarystore(st);
	rmtree(cache);
	free(cache);
}

static void test_store_bad(void **state)
{
	(void)state;
	char *cache = tmpdir(), *path, *text;
	struct canary_store *st = NULL, *bad = (struct canary_store *)1;

	assert_int_equal(canary_store_open(cache, &st), 0);
	record(st, 0.02);
	path = xstrdup(canary_store_path(st));
	/* not JSON */
	putfile(path, "{\"format\": ");
	assert_int_equal(canary_store_open(cache, &bad), -1);
	assert_null(bad);
	assert_non_null(strstr(errmsg(), path));
	/* a member with a wrong value is named */
	text = xasprintf("{\"format\": \"gilbench canary reference\", \"version\": 1, \"machine_id\": \"%s\", "
	                 "\"series\": {\"c\": {\"label\": \"C\", \"reference\": 0.02, \"updated\": \"x\", "
	                 "\"runs\": [{\"at\": \"x\", \"median\": -1, \"samples\": 3}]}}}", canary_store_id(st));
	putfile(path, text);
	free(text);
	assert_int_equal(canary_store_open(cache, &bad), -1);
	assert_non_null(strstr(errmsg(), path));
	assert_non_null(strstr(errmsg(), "series 'c': runs[0]: 'median'"));
	/* a file from another machine */
	putfile(path, "{\"format\": \"gilbench canary reference\", \"version\": 1, \"machine_id\": \"0123\", \"series\": {}}");
	assert_int_equal(canary_store_open(cache, &bad), -1);
	assert_non_null(strstr(errmsg(), path));
	assert_non_null(strstr(errmsg(), "another machine"));
	/* a folder where the file should be */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(canary_store_open(cache, &bad), -1);
	assert_non_null(strstr(errmsg(), "not a regular file"));
	/* recording re-reads the file and fails on it too, rather than overwriting it */
	{
		double x = 0.02;
		assert_int_equal(canary_store_record(st, CANARY_SERIES_C, "C", &x, 1), -1);
		assert_true(isdir(path));
		x = 0;
		assert_int_equal(canary_store_record(st, CANARY_SERIES_C, "C", &x, 1), -1);
	}
	delcanarystore(st);
	rmtree(cache);
	free(path);
	free(cache);
}

/* writers in several processes at once: every run lands in the file */
static void test_store_concurrent(void **state)
{
	(void)state;
	char *cache = tmpdir();
	struct canary_store *st = NULL;
	pid_t pids[4];
	size_t runs;

	for (int p = 0; p < 4; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			struct canary_store *mine = NULL;
			int ok = canary_store_open(cache, &mine) == 0;
			for (int i = 0; ok && i < 4; i++) {
				double x = 0.01 + 0.001 * p;
				ok = canary_store_record(mine, CANARY_SERIES_C, "C", &x, 1) == 0;
			}
			delcanarystore(mine);
			_exit(ok ? 0 : 1);
		}
	}
	for (int p = 0; p < 4; p++) {
		int status;
		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(canary_store_open(cache, &st), 0);
	canary_store_reference(st, CANARY_SERIES_C, &runs);
	assert_int_equal(runs, 16);
	delcanarystore(st);
	rmtree(cache);
	free(cache);
}

/* at most CANARY_MAXSERIES series; the least recently updated goes */
static void test_store_series(void **state)
{
	(void)state;
	char *cache = tmpdir();
	struct canary_store *st = NULL;
	double x = 0.01;
	char name[32];

	assert_int_equal(canary_store_open(cache, &st), 0);
	for (int i = 0; i <= CANARY_MAXSERIES; i++) {
		snprintf(name, sizeof(name), "python:%016d", i);
		assert_int_equal(canary_store_record(st, name, "Python", &x, 1), 0);
	}
	assert_true(isnan(canary_store_reference(st, "python:0000000000000000", NULL)));
	assert_true(canary_store_reference(st, "python:0000000000000001", NULL) == 0.01);
	snprintf(name, sizeof(name), "python:%016d", CANARY_MAXSERIES);
	assert_true(canary_store_reference(st, name, NULL) == 0.01);
	delcanarystore(st);
	rmtree(cache);
	free(cache);
}

static void test_machine(void **state)
{
	(void)state;
	json_t *m = canary_machine();
	char a[HEXLEN], b[HEXLEN];

	assert_non_null(json_object_get(m, "cpu"));
	assert_true(json_integer_value(json_object_get(m, "cores")) >= 1);
	assert_true(json_is_string(json_object_get(m, "kernel")));
	assert_true(json_is_string(json_object_get(m, "hostname")));
	assert_non_null(json_object_get(m, "memory_mib"));
	canary_machine_id(m, a);
	canary_machine_id(m, b);
	assert_string_equal(a, b);
	json_object_set_new(m, "hostname", json_string("elsewhere"));
	canary_machine_id(m, b);
	assert_string_not_equal(a, b);
	json_decref(m);
}

static void test_judge(void **state)
{
	(void)state;
	double x[] = { 0.0100, 0.0102, 0.0120, 0.0130, 0.0140 };
	struct canary_verdict v;

	assert_true(fabs(canary_slowdown(0.0105, 0.0100) - 0.05) < 1e-12);
	assert_true(canary_slowdown(0.009, 0.010) < 0);
	assert_true(isnan(canary_slowdown(0.01, NAN)));
	assert_true(isnan(canary_slowdown(0.01, 0)));
	assert_true(canary_is_slow(0.0106, 0.0100, CANARY_THRESHOLD));
	assert_false(canary_is_slow(0.0104, 0.0100, CANARY_THRESHOLD));
	assert_false(canary_is_slow(0.0200, NAN, CANARY_THRESHOLD));
	assert_true(canary_is_slow(0.0104, 0.0100, 0.03));

	canary_judge(x, 5, 0.010, CANARY_THRESHOLD, &v);
	assert_int_equal(v.n, 5);
	assert_int_equal(v.nslow, 3);
	assert_true(fabs(v.median - 0.012) < 1e-12);
	assert_true(fabs(v.median_slowdown - 0.2) < 1e-9);
	assert_true(fabs(v.slow_share - 0.6) < 1e-12);
	assert_true(v.slow_run);
	assert_true(v.cv > 0);
	/* two slow samples of five: flagged, but the run as a whole was not slow */
	canary_judge(x, 5, 0.0118, CANARY_THRESHOLD, &v);
	assert_int_equal(v.nslow, 2);
	assert_false(v.slow_run);
	/* no reference: nothing is slow */
	canary_judge(x, 5, NAN, CANARY_THRESHOLD, &v);
	assert_int_equal(v.nslow, 0);
	assert_true(isnan(v.median_slowdown) && isnan(v.slow_share));
	assert_false(v.slow_run);
	canary_judge(x, 0, 0.01, CANARY_THRESHOLD, &v);
	assert_int_equal(v.n, 0);
	assert_false(v.slow_run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_work_fixed),
		cmocka_unit_test(test_c_sample),
		cmocka_unit_test(test_c_pinned),
		cmocka_unit_test(test_python_sample),
		cmocka_unit_test(test_python_bad),
		cmocka_unit_test(test_sample_json),
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_store_bad),
		cmocka_unit_test(test_store_concurrent),
		cmocka_unit_test(test_store_series),
		cmocka_unit_test(test_machine),
		cmocka_unit_test(test_judge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
