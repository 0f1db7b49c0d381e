/* test_compare.c: compare_runs() on run directories written here.
 *
 * Two sides of one experiment with a two-point matrix and two variants, trials written with
 * results_append under the ids of the side's own plan. Checked: identical data is "same"
 * everywhere; a cell 20% slower on B is "slower" and counted as a regression above 10%
 * (not above 30%); cells are matched by what they run (a changed argument on B is no match:
 * each side lists it alone); the sides of one run directory are matched by their suffix
 * (gil.A against gil.B); a trial under an id the plan does not have is counted and left
 * out; a repeated (cell, round) counts once; contaminated trials are left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"
#include "plan.h"
#include "results.h"
#include "rundir.h"
#include "util.h"

static char *tmp;

static int setup(void **state)
{
	(void)state;
	tmp = mktmpdir("test-compare");
	return tmp ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rmtree(tmp);
	free(tmp);
	return 0;
}

/* a run directory NAME with the builds (one side: "gil", "nogil"; two: NAME.A, NAME.B) and
 * iterations ITER; returns its path */
static char *mkrun(const char *name, bool sides, int iter)
{
	char *dir = pathjoin(tmp, name), *p, *cfg;

	assert_int_equal(mkdirp(dir, 0755), 0);
	cfg = xasprintf("version: 1\nname: u\nsource: {tarball: {sha256: "
	                "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640, from: [file:///x.tar.xz]}}\n"
	                "builds:\n%s"
	                "experiments:\n  - {name: e, script: e.py, matrix: {threads: [1, 2]}, args: {n: %d}}\n",
	                sides ? "  - {name: gil.A, configure: []}\n  - {name: gil.B, configure: []}\n"
	                      : "  - {name: gil, configure: []}\n  - {name: nogil, configure: [--disable-gil]}\n",
	                iter);
	p = pathjoin(dir, "config.yaml");
	assert_int_equal(writefile(p, cfg, strlen(cfg)), 0);
	free(p);
	p = pathjoin(dir, "e.py");
	assert_int_equal(writefile(p, "print('{}')\n", 12), 0);
	free(p);
	p = pathjoin(dir, "run.json");
	{
		static const char state[] = "{\"version\": 1, \"kind\": \"run\", \"sides\": [{\"name\": \"\"}]}\n";
		assert_int_equal(writefile(p, state, strlen(state)), 0);
	}
	free(p);
	free(cfg);
	return dir;
}

/* trials of every cell: value BASE (x SCALE for the variant SLOWV at point SLOWP), 6 rounds */
static void fill(const char *dir, const char *slowv, const char *slowp, double scale, const char *extra_id)
{
	struct config *cfg = NULL;
	struct plan *plan = NULL;
	char *path = pathjoin(dir, RUN_RESULTS);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(config_load_rundir(dir, &cfg), 0);
	assert_int_equal(plan_make(cfg, &plan), 0);
	for (size_t i = 0; i < plan->ncells; i++) {
		const struct cell *c = &plan->cells[i];
		const char *v = cfg->variants[c->variant].name, *pt = plan->points[c->point].label;
		for (int r = 1; r <= 6; r++) {
			struct trial t = { .cell = (char *)c->id, .experiment = "e", .variant = (char *)v, .point = (char *)pt,
			                   .round = r, .status = TRIAL_OK, .started = "2026-12-01T00:00:00Z" };
			t.metric = (0.1 + 0.001 * (r % 3)) * (slowv && !strcmp(v, slowv) && !strcmp(pt, slowp) ? scale : 1);
			assert_int_equal(results_append(fd, &t), 0);
			if (r == 2) /* the same (cell, round) twice: counted once */
				assert_int_equal(results_append(fd, &t), 0);
			if (r == 3) { /* a contaminated trial of a wild value: left out */
				t.round = 7;
				t.metric = 100;
				t.contaminated = true;
				assert_int_equal(results_append(fd, &t), 0);
			}
		}
	}
	if (extra_id) {
		struct trial t = { .cell = (char *)extra_id, .experiment = "e", .variant = "gil", .point = "threads=1",
		                   .round = 1, .status = TRIAL_OK, .metric = 50 };
		assert_int_equal(results_append(fd, &t), 0);
	}
	close(fd);
	delplan(plan);
	delconfig(cfg);
	free(path);
}

static json_t *cellof(const struct comparesummary *s, const char *variant, const char *point)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(s->json, "cells"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "variant")), variant) &&
		    !strcmp(json_string_value(json_object_get(c, "point")), point))
			return c;
	fail_msg("no cell %s %s", variant, point);
	return NULL;
}

static void same_and_slower(void **state)
{
	char *a = mkrun("a", false, 1000), *b = mkrun("b", false, 1000);
	struct compareopts o = { .tie = -1 };
	struct comparesummary s;

	(void)state;
	fill(a, NULL, NULL, 1, "ffffffffffffffff");
	fill(b, NULL, NULL, 1, NULL);
	assert_int_equal(compare_runs(a, b, &o, NULL, NULL, &s), 0);
	assert_int_equal(s.cells, 4);
	assert_int_equal(s.same, 4);
	assert_int_equal(s.unmatched, 1);
	assert_int_equal(s.duplicates, 8);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(cellof(&s, "gil", "threads=1"), "a"), "n")), 6);
	assert_non_null(strstr(s.markdown, "| e | threads=1 | gil |"));
	assert_non_null(strstr(s.html, "<table>"));
	comparesummary_free(&s);

	fill(b, "nogil", "threads=2", 1.2, NULL);
	assert_int_equal(compare_runs(a, b, &o, NULL, NULL, &s), 0);
	assert_string_equal(json_string_value(json_object_get(cellof(&s, "nogil", "threads=2"), "verdict")), "slower");
	assert_int_equal(s.slower, 1);
	assert_int_equal(s.same, 3);
	assert_int_equal(compare_regressions(&s, 0.10), 1);
	assert_int_equal(compare_regressions(&s, 0.30), 0);
	assert_non_null(strstr(s.worst_cell, "e threads=2 nogil"));
	comparesummary_free(&s);
	free(a);
	free(b);
}

static void matched_by_what_runs(void **state)
{
	char *a = mkrun("c", false, 1000), *b = mkrun("d", false, 2000);
	struct compareopts o = { .tie = 0.05 };
	struct comparesummary s;

	(void)state;
	fill(a, NULL, NULL, 1, NULL);
	fill(b, NULL, NULL, 1, NULL);
	assert_int_equal(compare_runs(a, b, &o, NULL, NULL, &s), 0);
	assert_int_equal(s.cells, 0); /* another argument: other cells */
	assert_int_equal(s.only_a, 4);
	assert_int_equal(s.only_b, 4);
	comparesummary_free(&s);
	free(a);
	free(b);
}

static void sides_by_suffix(void **state)
{
	char *d = mkrun("sides", true, 1000);
	struct compareopts o = { .tie = 0.05, .suffix_a = ".A", .suffix_b = ".B" };
	struct comparesummary s;

	(void)state;
	fill(d, "gil.B", "threads=1", 0.7, NULL);
	assert_int_equal(compare_runs(d, d, &o, NULL, NULL, &s), 0);
	assert_int_equal(s.cells, 2);
	assert_string_equal(json_string_value(json_object_get(cellof(&s, "gil", "threads=1"), "verdict")), "faster");
	assert_string_equal(json_string_value(json_object_get(cellof(&s, "gil", "threads=2"), "verdict")), "same");
	comparesummary_free(&s);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_and_slower),
		cmocka_unit_test(matched_by_what_runs),
		cmocka_unit_test(sides_by_suffix),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
