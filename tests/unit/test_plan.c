/* test_plan.c: unit tests for the plan (plan.h).
 *
 * configs/lab.yaml expands into 9 points and 18 cells in the documented order (experiments
 * in config order, the first matrix dimension slowest, variants within a point); argv tails
 * are --KEY VALUE for args then point values; ids are stable across loads, unique, and a
 * changed arg changes only its own experiment's ids; plan.json holds every cell. Variations
 * of lab.yaml are parsed from memory under a made-up name in configs/, so their scripts
 * resolve. Run from the checkout's root (or set ROOT). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "plan.h"
#include "util.h"

static char *root, *labtext, *tmp;

static int setup(void **state)
{
	const char *r = getenv("ROOT");
	char *path, templ[] = "/tmp/gilbench-plan-test.XXXXXX";

	(void)state;
	root = xstrdup(r ? r : ".");
	path = xasprintf("%s/configs/lab.yaml", root);
	if (readfile(path, &labtext, NULL) < 0)
		return -1;
	free(path);
	if (!mkdtemp(templ))
		return -1;
	tmp = xstrdup(templ);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rmtree(tmp);
	free(tmp);
	free(labtext);
	free(root);
	return 0;
}

/* Parse text as if it were configs/NAME and expand it. */
static struct plan *planof(const char *text, struct config **cfg)
{
	struct plan *p = NULL;
	char *path = xasprintf("%s/configs/test-plan.yaml", root);

	if (config_parse(text, strlen(text), path, cfg) < 0)
		fail_msg("%s", errmsg());
	free(path);
	if (plan_make(*cfg, &p) < 0)
		fail_msg("%s", errmsg());
	return p;
}

/* text with the first occurrence of from replaced by to */
static char *replaced(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);

	assert_non_null(at);
	return xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

static char *edited(const char *from, const char *to)
{
	return replaced(labtext, from, to);
}

static void assert_argv(const struct cell *c, const char *const *want, size_t n)
{
	assert_int_equal(c->argv_tail.n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(c->argv_tail.v[i], want[i]);
	assert_null(c->argv_tail.v[n]);
}

static void test_lab_expansion(void **state)
{
	struct config *cfg;
	struct plan *p = planof(labtext, &cfg);
	static const char *const scaling4[] = {"--iterations", "10000000", "--threads", "4"};
	static const char *const race[] = {"--threads", "8", "--iterations", "200000"};
	const char *exps[] = {"single-thread", "io-threads", "race", "multiprocessing", "thread-scaling",
	                      "thread-scaling", "thread-scaling", "thread-scaling", "contended-lock"};
	const char *labels[] = {"", "", "", "", "threads=1", "threads=2", "threads=4", "threads=8", ""};

	(void)state;
	assert_int_equal(cfg->nexps, 6);
	assert_int_equal(p->npoints, 9);
	assert_int_equal(p->ncells, 18);
	for (size_t i = 0; i < p->npoints; i++) {
		assert_string_equal(cfg->exps[p->points[i].exp].name, exps[i]);
		assert_string_equal(p->points[i].label, labels[i]);
		for (size_t v = 0; v < 2; v++) {
			const struct cell *c = &p->cells[i * 2 + v];
			assert_int_equal(c->point, i);
			assert_int_equal(c->variant, v);
			assert_int_equal(c->exp, p->points[i].exp);
			assert_ptr_equal(plan_cell(p, i, v), c);
			assert_ptr_equal(plan_find(p, c->id), c);
			assert_int_equal(strlen(c->id), 16);
			assert_int_equal(strspn(c->id, "0123456789abcdef"), 16);
		}
	}
	assert_int_equal(p->points[6].values.n, 1);
	assert_string_equal(p->points[6].values.v[0].key, "threads");
	assert_string_equal(p->points[6].values.v[0].value, "4");
	assert_argv(plan_cell(p, 6, 1), scaling4, 4);
	assert_argv(plan_cell(p, 2, 0), race, 4);
	assert_null(plan_cell(p, 9, 0));
	assert_null(plan_cell(p, 0, 2));
	assert_null(plan_find(p, "0000000000000000"));
	/* all ids differ */
	for (size_t i = 0; i < p->ncells; i++)
		for (size_t j = i + 1; j < p->ncells; j++)
			assert_string_not_equal(p->cells[i].id, p->cells[j].id);
	delplan(p);
	delconfig(cfg);
}

static void test_two_dimensions(void **state)
{
	struct config *cfg;
	char *t1 = edited("matrix: {threads: [1, 2, 4, 8]}", "matrix: {threads: [1, 2], size: [s, m, l]}");
	char *text = replaced(t1, "    reference:\n      gil: [0.1714, 0.3152, 0.6471, 1.3706]\n"
	                          "      nogil: [0.1848, 0.1842, 0.2100, 0.3373]\n", "");
	struct plan *p = planof(text, &cfg);
	const char *labels[] = {"threads=1,size=s", "threads=1,size=m", "threads=1,size=l",
	                        "threads=2,size=s", "threads=2,size=m", "threads=2,size=l"};
	static const char *const last[] = {"--iterations", "10000000", "--threads", "2", "--size", "l"};

	(void)state;
	assert_int_equal(p->npoints, 4 + 6 + 1);
	assert_int_equal(p->ncells, 22);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(p->points[4 + i].label, labels[i]);
	assert_argv(plan_cell(p, 9, 0), last, 6);
	delplan(p);
	delconfig(cfg);
	free(text);
	free(t1);
}

static void test_ids_stable(void **state)
{
	struct config *c1, *c2, *c3;
	struct plan *p1 = planof(labtext, &c1), *p2 = planof(labtext, &c2), *p3;
	char *text = edited("args: {iterations: 10000000}\n    trials: 5", "args: {iterations: 20000000}\n    trials: 5");

	(void)state;
	for (size_t i = 0; i < p1->ncells; i++)
		assert_string_equal(p1->cells[i].id, p2->cells[i].id);
	/* the edit is thread-scaling's iterations (points 4 to 7): only its ids change */
	p3 = planof(text, &c3);
	assert_int_equal(p3->ncells, p1->ncells);
	for (size_t i = 0; i < p1->ncells; i++) {
		size_t point = p1->cells[i].point;
		if (point >= 4 && point <= 7)
			assert_string_not_equal(p1->cells[i].id, p3->cells[i].id);
		else
			assert_string_equal(p1->cells[i].id, p3->cells[i].id);
	}
	delplan(p1);
	delplan(p2);
	delplan(p3);
	delconfig(c1);
	delconfig(c2);
	delconfig(c3);
	free(text);
}

static void test_ids_ignore_trials(void **state)
{
	struct config *c1, *c2;
	struct plan *p1 = planof(labtext, &c1), *p2;
	char *text = edited("trials: 5", "trials: 7");

	(void)state;
	p2 = planof(text, &c2);
	assert_int_equal(c2->exps[0].trials, 7);
	for (size_t i = 0; i < p1->ncells; i++)
		assert_string_equal(p1->cells[i].id, p2->cells[i].id);
	delplan(p1);
	delplan(p2);
	delconfig(c1);
	delconfig(c2);
	free(text);
}

static void test_variants_env(void **state)
{
	struct config *cfg;
	char *text = edited("\nrun:", "\nvariants:\n  - {name: gil, build: gil}\n  - {name: nogil, build: nogil}\n"
	                                  "  - {name: nogil-gil1, build: nogil, env: {PYTHON_GIL: \"1\"}}\nrun:");
	struct plan *p = planof(text, &cfg), *lab;
	struct config *labcfg;

	(void)state;
	assert_int_equal(p->ncells, 27);
	assert_string_equal(cfg->variants[p->cells[2].variant].name, "nogil-gil1");
	lab = planof(labtext, &labcfg);
	/* same name and env: same id; the third variant differs from the other two */
	assert_string_equal(p->cells[0].id, lab->cells[0].id);
	assert_string_equal(p->cells[4].id, lab->cells[3].id);
	assert_string_not_equal(p->cells[2].id, p->cells[1].id);
	delplan(lab);
	delconfig(labcfg);
	delplan(p);
	delconfig(cfg);
	free(text);
}

static void test_no_args(void **state)
{
	struct config *cfg;
	char *text = edited("    args: {iterations: 80000000}\n", "");
	struct plan *p = planof(text, &cfg);

	(void)state;
	assert_int_equal(p->cells[0].argv_tail.n, 0);
	assert_non_null(p->cells[0].argv_tail.v);
	assert_null(p->cells[0].argv_tail.v[0]);
	delplan(p);
	delconfig(cfg);
	free(text);
}

static void test_empty_dimension(void **state)
{
	struct config *cfg;
	struct plan *p = planof(labtext, &cfg), *q = NULL;
	size_t saved = cfg->exps[4].matrix[0].values.n;

	(void)state;
	cfg->exps[4].matrix[0].values.n = 0;
	assert_int_equal(plan_make(cfg, &q), -1);
	assert_null(q);
	assert_non_null(strstr(errmsg(), "threads"));
	cfg->exps[4].matrix[0].values.n = saved;
	delplan(p);
	delconfig(cfg);
}

static void test_write(void **state)
{
	struct config *cfg;
	struct plan *p = planof(labtext, &cfg);
	char *path = pathjoin(tmp, "plan.json");
	json_error_t jerr;
	json_t *j, *cells, *c;

	(void)state;
	assert_int_equal(plan_write(p, path), 0);
	j = json_load_file(path, 0, &jerr);
	if (!j)
		fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
	assert_string_equal(json_string_value(json_object_get(j, "config")), "free-threading-lab");
	assert_string_equal(json_string_value(json_object_get(j, "config_sha256")), cfg->hash);
	cells = json_object_get(j, "cells");
	assert_int_equal(json_array_size(cells), 18);
	c = json_array_get(cells, 13);
	assert_string_equal(json_string_value(json_object_get(c, "id")), p->cells[13].id);
	assert_string_equal(json_string_value(json_object_get(c, "experiment")), "thread-scaling");
	assert_string_equal(json_string_value(json_object_get(c, "variant")), "nogil");
	assert_string_equal(json_string_value(json_object_get(c, "point")), "threads=4");
	assert_string_equal(json_string_value(json_object_get(json_object_get(c, "values"), "threads")), "4");
	assert_int_equal(json_array_size(json_object_get(c, "argv")), 4);
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "argv"), 3)), "4");
	assert_int_equal(json_integer_value(json_object_get(c, "trials")), 5);
	assert_int_equal(json_integer_value(json_object_get(c, "warmup")), 1);
	json_decref(j);
	assert_int_equal(plan_write(p, "/nonexistent-dir/plan.json"), -1);
	assert_non_null(strstr(errmsg(), "/nonexistent-dir/plan.json"));
	free(path);
	delplan(p);
	delconfig(cfg);
}

/* The ids of a frozen config, pinned in tests/unit/golden/cellids.txt: a change to how ids
 * are made would orphan every run directory made before it (no --resume, compare, report). */
static void test_golden_ids(void **state)
{
	char *cfgpath = xasprintf("%s/tests/unit/golden/cells.yaml", root);
	char *idpath = xasprintf("%s/tests/unit/golden/cellids.txt", root);
	char *text = NULL, *line, *save = NULL;
	struct config *cfg = NULL;
	struct plan *p = NULL;
	size_t i = 0;

	(void)state;
	assert_int_equal(config_load(cfgpath, &cfg), 0);
	assert_int_equal(plan_make(cfg, &p), 0);
	assert_int_equal(readfile(idpath, &text, NULL), 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		const struct cell *c;
		char *want;
		assert_true(i < p->ncells);
		c = &p->cells[i];
		want = xasprintf("%s %s %s %s", c->id, cfg->exps[c->exp].name, cfg->variants[c->variant].name,
		                 *p->points[c->point].label ? p->points[c->point].label : "-");
		assert_string_equal(line, want);
		free(want);
	}
	assert_int_equal(i, p->ncells);
	assert_int_equal(i, 30);
	free(text);
	delplan(p);
	delconfig(cfg);
	free(cfgpath);
	free(idpath);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_ids),
		cmocka_unit_test(test_lab_expansion),
		cmocka_unit_test(test_two_dimensions),
		cmocka_unit_test(test_ids_stable),
		cmocka_unit_test(test_ids_ignore_trials),
		cmocka_unit_test(test_variants_env),
		cmocka_unit_test(test_no_args),
		cmocka_unit_test(test_empty_dimension),
		cmocka_unit_test(test_write),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
