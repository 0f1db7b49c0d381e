/* test_report.c: report_run() on a run directory written here, in C, so that the whole
 * report path (loading, statistics, tables, results.json, pyperf JSON) also runs under
 * valgrind and ASan with leak checking.
 *
 * The run has two builds (nogil's build failed), a timed experiment, a race and a scaling
 * experiment; trials are written with results_append() so the line format is the real one.
 * Expected numbers are worked out by hand in the comments. */
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "doc.h"
#include "plan.h"
#include "pyperf.h"
#include "report.h"
#include "results.h"
#include "rundir.h"
#include "util.h"

static const char config_yaml[] =
	"version: 1\n"
	"name: unit\n"
	"source:\n"
	"  tarball:\n"
	"    sha256: 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640\n"
	"    from: [file:///nonexistent.tar.xz]\n"
	"builds:\n"
	"  - {name: gil, configure: []}\n"
	"  - {name: nogil, configure: [--disable-gil]}\n"
	"experiments:\n"
	"  - name: loop\n"
	"    script: exp.py\n"
	"    trials: 3\n"
	"  - name: race\n"
	"    script: exp.py\n"
	"    trials: 2\n"
	"    expect: {name: value, equals: 1000}\n"
	"    table: lost-updates\n"
	"  - name: scale\n"
	"    script: exp.py\n"
	"    matrix: {threads: [1, 4]}\n"
	"    trials: 3\n";

static char *dir;
static struct config *cfg;
static struct plan *plan;

/* the plan's id of a cell, or a made-up one for a cell the plan does not have */
static const char *idof(const char *exp, const char *variant, const char *point)
{
	for (size_t i = 0; i < plan->ncells; i++) {
		const struct cell *c = &plan->cells[i];
		if (strcmp(cfg->exps[c->exp].name, exp) == 0 && strcmp(cfg->variants[c->variant].name, variant) == 0 &&
		    strcmp(plan->points[c->point].label, point) == 0)
			return c->id;
	}
	return "0123456789abcdef";
}

static void put(const char *name, const char *text)
{
	char *p = pathjoin(dir, name);

	assert_int_equal(writefile(p, text, strlen(text)), 0);
	free(p);
}

static bool dirty; /* the next trial is contaminated */

static void trial(int fd, const char *exp, const char *variant, const char *point, int round,
                  enum trialstatus st, double metric, double value)
{
	struct trial t = { 0 };

	t.contaminated = dirty;
	dirty = false;

	t.cell = (char *)idof(exp, variant, point);
	t.experiment = (char *)exp;
	t.variant = (char *)variant;
	t.point = (char *)point;
	t.round = round;
	t.status = st;
	t.metric = metric;
	t.started = "2026-11-25T09:30:00Z";
	t.wall = metric + 0.01;
	if (st != TRIAL_OK)
		t.error = "Traceback (most recent call last):\nValueError: boom";
	if (!isnan(value)) {
		t.result = json_pack("{s:f, s:f}", "seconds", metric, "value", value);
		t.has_expect = true;
		t.correct = value == 1000;
	}
	assert_int_equal(results_append(fd, &t), 0);
	json_decref(t.result);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/gilbench-test-report-XXXXXX";
	char *p;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	dir = xstrdup(tmpl);
	put("config.yaml", config_yaml);
	put("exp.py", "print('{\"seconds\": 1}')\n");
	p = pathjoin(dir, "builds/gil");
	assert_int_equal(mkdirp(p, 0755), 0);
	free(p);
	p = pathjoin(dir, "builds/nogil");
	assert_int_equal(mkdirp(p, 0755), 0);
	free(p);
	put("builds/gil/build.json", "{\"name\": \"gil\", \"ok\": true, \"version\": \"Python 3.13.5\"}");
	put("builds/nogil/build.json", "{\"name\": \"nogil\", \"ok\": false, \"failed_step\": \"make\","
	                               " \"error\": \"make: *** [all] Error 2\"}");
	put("metadata.json", "{\"gilbench\": \"0.1.0\", \"machine\": {\"cores\": 2}}");
	assert_int_equal(config_load_rundir(dir, &cfg), 0);
	assert_int_equal(plan_make(cfg, &plan), 0);
	p = pathjoin(dir, "results.jsonl");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	free(p);
	assert_true(fd >= 0);
	trial(fd, "loop", "gil", "", 1, TRIAL_OK, 0.30, NAN);
	trial(fd, "loop", "gil", "", 2, TRIAL_OK, 0.10, NAN);
	trial(fd, "loop", "gil", "", 3, TRIAL_OK, 0.20, NAN);
	trial(fd, "loop", "gil", "", 4, TRIAL_TIMEOUT, NAN, NAN);
	trial(fd, "race", "gil", "", 1, TRIAL_OK, 0.1, 1000);
	trial(fd, "race", "gil", "", 2, TRIAL_OK, 0.1, 250);   /* 75% lost */
	dirty = true; /* interference: its time is left out, its count is kept */
	trial(fd, "race", "gil", "", 3, TRIAL_OK, 9.9, 500);   /* 50% lost */
	trial(fd, "scale", "gil", "threads=1", 1, TRIAL_OK, 0.1, NAN);
	trial(fd, "scale", "gil", "threads=4", 1, TRIAL_OK, 0.2, NAN); /* speedup 4 * 0.1 / 0.2 = 2 */
	trial(fd, "nothing", "gil", "", 1, TRIAL_OK, 0.1, NAN); /* belongs to no cell */
	close(fd);
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	delplan(plan);
	delconfig(cfg);
	rmtree(dir);
	free(dir);
	return 0;
}

static json_t *load(const char *name)
{
	char *p = pathjoin(dir, name);
	json_error_t err;
	json_t *j = json_load_file(p, 0, &err);

	free(p);
	assert_non_null(j);
	return j;
}

static json_t *find(json_t *arr, const char *k1, const char *v1, const char *k2, const char *v2)
{
	size_t i;
	json_t *it;

	json_array_foreach(arr, i, it) {
		if (strcmp(json_string_value(json_object_get(it, k1)), v1) == 0 &&
		    (!k2 || strcmp(json_string_value(json_object_get(it, k2)), v2) == 0))
			return it;
	}
	fail_msg("no %s=%s", k1, v1);
	return NULL;
}

static void report_partial(void **state)
{
	struct reportopts o = { .plots = false, .quiet = true };
	json_t *r, *c, *x;
	char *md = NULL, *p;
	size_t len;

	(void)state;
	/* a failed build and a timed-out trial: written, and says so */
	assert_int_equal(report_run_opts(dir, &o), 1);
	r = load("results.json");
	assert_true(json_is_true(json_object_get(r, "partial")));
	assert_int_equal(json_integer_value(json_object_get(r, "unmatched_trials")), 1);

	c = find(json_object_get(r, "cells"), "experiment", "loop", "variant", "gil");
	assert_int_equal(json_integer_value(json_object_get(c, "n")), 3);
	assert_true(fabs(json_real_value(json_object_get(c, "median")) - 0.2) < 1e-12);
	assert_int_equal(json_integer_value(json_object_get(c, "failed")), 1);
	c = find(json_object_get(r, "cells"), "experiment", "loop", "variant", "nogil");
	assert_int_equal(json_integer_value(json_object_get(c, "n")), 0);
	assert_true(json_is_null(json_object_get(c, "median")));
	assert_true(json_is_true(json_object_get(c, "build_failed")));

	x = find(json_object_get(r, "race"), "variant", "gil", NULL, NULL);
	assert_true(fabs(json_real_value(json_object_get(x, "avg_lost")) - 1.25 / 3) < 1e-12);
	assert_int_equal(json_array_size(json_object_get(x, "trials")), 3);
	c = find(json_object_get(r, "cells"), "experiment", "race", "variant", "gil");
	assert_int_equal(json_integer_value(json_object_get(c, "n")), 2);
	assert_int_equal(json_integer_value(json_object_get(c, "contaminated")), 1);
	assert_true(fabs(json_real_value(json_object_get(c, "median")) - 0.1) < 1e-12);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "correct"), "checked")), 3);

	x = find(json_object_get(r, "scaling"), "kind", "self", "point", "threads=4");
	assert_true(fabs(json_real_value(json_object_get(x, "speedup")) - 2) < 1e-12);
	assert_true(fabs(json_real_value(json_object_get(x, "efficiency")) - 0.5) < 1e-12);

	x = json_object_get(json_object_get(r, "failures"), "builds");
	assert_int_equal(json_array_size(x), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(x, 0), "step")), "make");
	x = json_object_get(json_object_get(r, "failures"), "trials");
	assert_int_equal(json_array_size(x), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(x, 0), "status")), "timeout");
	json_decref(r);

	p = pathjoin(dir, "report.md");
	assert_int_equal(readfile(p, &md, &len), 0);
	free(p);
	assert_non_null(strstr(md, "| Build | Time | 95% CI | CV | n |"));
	assert_non_null(strstr(md, "| GIL | 0.2000 s |"));
	assert_non_null(strstr(md, "| GIL | 1,000 (0.0% lost) | 250 (75.0% lost) | 500 (50.0% lost) | 41.7% |"));
	assert_non_null(strstr(md, "| nogil | make | make: *** [all] Error 2 |"));
	assert_non_null(strstr(md, "| loop | \xe2\x80\x94 | GIL | 4 | timeout | ValueError: boom |"));
	assert_null(strstr(md, "plots/"));
	free(md);

	/* pyperf: gil has values, nogil none (so no file) */
	r = load("pyperf/gil.json");
	assert_string_equal(json_string_value(json_object_get(r, "version")), "1.0");
	assert_int_equal(json_array_size(json_object_get(r, "benchmarks")), 4);
	json_decref(r);
	p = pathjoin(dir, "pyperf/nogil.json");
	assert_false(exists(p));
	free(p);
}

static void report_broken(void **state)
{
	char *p = pathjoin(dir, "results.jsonl"), *text = NULL, *bad;
	size_t len;

	(void)state;
	assert_int_equal(readfile(p, &text, &len), 0);
	bad = xasprintf("{\"cell\": 1\n%s", text);
	assert_int_equal(writefile(p, bad, strlen(bad)), 0);
	assert_int_equal(report_run(dir), -1);
	assert_non_null(strstr(errmsg(), "results.jsonl"));
	assert_int_equal(writefile(p, text, len), 0);
	free(bad);
	free(text);
	free(p);
	p = xasprintf("%s/missing", dir);
	assert_int_equal(report_run(p), -1);
	assert_non_null(strstr(errmsg(), "not a run directory"));
	free(p);
}

static void report_plots(void **state)
{
	struct reportopts o = { .plots = true, .quiet = true };
	char *p = pathjoin(dir, "report.html"), *html = NULL, *svg;
	size_t len;

	(void)state;
	assert_int_equal(report_run_opts(dir, &o), 1);
	assert_int_equal(readfile(p, &html, &len), 0);
	/* gnuplot is a dependency (make deps): both plots are drawn, kept and inlined */
	svg = pathjoin(dir, "plots/scaling-scale.svg");
	assert_true(exists(svg));
	free(svg);
	svg = pathjoin(dir, "plots/bars-loop.svg");
	assert_true(exists(svg));
	assert_non_null(strstr(html, "<svg"));
	assert_null(strstr(html, "<?xml"));
	assert_non_null(strstr(html, "<table>"));
	free(svg);
	free(html);
	free(p);
}

static void labels(void **state)
{
	(void)state;
	assert_string_equal(report_variant_label("gil"), "GIL");
	assert_string_equal(report_variant_label("nogil"), "no-GIL");
	assert_string_equal(report_variant_label("a"), "a");
}

/* a bold lead-in is Markdown's ** in report.md and <strong> in report.html, never literal stars */
static void para_lead(void **state)
{
	struct doc d = { 0 };
	struct buf md = { 0 }, html = { 0 };

	(void)state;
	doc_para_lead(&d, "This run was on a slow machine:", xstrdup("The canary ran <40%> slower."));
	doc_para(&d, xstrdup("Plain **text** stays as written."));
	doc_md(&d, NULL, &md);
	doc_html(&d, "t", NULL, &html);
	assert_non_null(strstr(md.s, "**This run was on a slow machine:** The canary ran <40%> slower.\n"));
	assert_non_null(strstr(html.s, "<p><strong>This run was on a slow machine:</strong> The canary ran &lt;40%&gt; slower.</p>"));
	assert_null(strstr(html.s, "**This"));
	buffree(&md);
	buffree(&html);
	deldoc(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(report_partial),
		cmocka_unit_test(report_broken),
		cmocka_unit_test(report_plots),
		cmocka_unit_test(labels),
		cmocka_unit_test(para_lead),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
