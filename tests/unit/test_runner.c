/* test_runner.c: the run stage in-process (runner.c, sysinfo.c), on the system python3.
 *
 * A temporary run directory gets a config (parsed with config_parse), a build record
 * pointing at /usr/bin/python3 (which has no sys._is_gil_enabled, so the probe reads it as
 * a GIL build) and tiny scripts. runner_run() then runs for real; the tests check the
 * schedule in results.jsonl (rotation, warm-ups), resume after a torn last line, the
 * refusal to append without --resume, adaptive trials and the noise arithmetic. Running
 * it under valgrind covers the runner's memory handling, which the bats tests cannot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "plan.h"
#include "results.h"
#include "runner.h"
#include "sysinfo.h"
#include "util.h"

struct fixture {
	char *dir;
	struct config *cfg;
	struct plan *plan;
};

static const char okpy[] = "import json\nprint(json.dumps({'seconds': 0.5}))\n";
static const char noisypy[] = "import json, random\nprint(json.dumps({'seconds': random.uniform(0.5, 1.5)}))\n";

static void writestr(const char *dir, const char *name, const char *text)
{
	char *p = pathjoin(dir, name);

	assert_int_equal(writefile(p, text, strlen(text)), 0);
	free(p);
}

static void setup_run(struct fixture *f, const char *experiments)
{
	char tmpl[] = "/tmp/test_runner.XXXXXX";
	char *text, *cfgpath, *bdir;

	assert_non_null(mkdtemp(tmpl));
	f->dir = xstrdup(tmpl);
	writestr(f->dir, "ok.py", okpy);
	writestr(f->dir, "noisy.py", noisypy);
	bdir = xasprintf("%s/builds/gil", f->dir);
	assert_int_equal(mkdirp(bdir, 0755), 0);
	free(bdir);
	writestr(f->dir, "builds/gil/build.json",
	         "{\"name\": \"gil\", \"key\": \"unit-test-key\", \"ok\": true, \"python\": \"/usr/bin/python3\","
	         " \"inputs\": {\"source\": \"unit-test\"}}\n");
	text = xasprintf("version: 1\nname: unit\nsource:\n  tarball:\n"
	                 "    sha256: 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640\n"
	                 "    from: [file:///nonexistent.tar.xz]\n"
	                 "builds:\n  - {name: gil, configure: []}\n"
	                 "variants:\n  - {name: a, build: gil}\n  - {name: b, build: gil}\n"
	                 "run: {interference: 0, canary: 0}\n"
	                 "experiments:\n%s", experiments);
	cfgpath = pathjoin(f->dir, "config.yaml");
	assert_int_equal(writefile(cfgpath, text, strlen(text)), 0);
	if (config_load(cfgpath, &f->cfg) < 0)
		fail_msg("config: %s", errmsg());
	assert_int_equal(plan_make(f->cfg, &f->plan), 0);
	free(cfgpath);
	free(text);
}

static void teardown_run(struct fixture *f)
{
	delplan(f->plan);
	delconfig(f->cfg);
	rmtree(f->dir);
	free(f->dir);
}

static void load(struct fixture *f, struct trial **v, size_t *n)
{
	char *p = pathjoin(f->dir, "results.jsonl");
	size_t good;

	assert_int_equal(results_load(p, v, n, &good), 0);
	free(p);
}

static void test_schedule(void **state)
{
	(void)state;
	struct fixture f = {0};
	struct runopts o = {0};
	struct runsummary sum;
	struct trial *v = NULL;
	size_t n = 0;
	const char *want[] = {"a1w", "b1w", "b2", "a2", "a3", "b3"};

	setup_run(&f, "  - {name: ok, script: ok.py, warmup: 1, trials: 2}\n");
	if (runner_run(f.dir, f.cfg, f.plan, &o, &sum) < 0)
		fail_msg("runner: %s", errmsg());
	assert_int_equal(sum.ran, 6);
	assert_int_equal(sum.ok, 6);
	assert_false(runsummary_partial(&sum));
	load(&f, &v, &n);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++) {
		char got[16];
		snprintf(got, sizeof(got), "%s%d%s", v[i].variant, v[i].round, v[i].warmup ? "w" : "");
		assert_string_equal(got, want[i]);
		assert_true(v[i].metric == 0.5);
	}
	results_free(v, n);
	/* again without --resume: refused, nothing appended */
	assert_int_equal(runner_run(f.dir, f.cfg, f.plan, &o, &sum), -1);
	assert_non_null(strstr(errmsg(), "use --resume"));
	teardown_run(&f);
}

static void test_resume_torn(void **state)
{
	(void)state;
	struct fixture f = {0};
	struct runopts o = {0};
	struct runsummary sum;
	struct trial *v = NULL;
	size_t n = 0, len = 0;
	char *p, *data = NULL, *cut;

	setup_run(&f, "  - {name: ok, script: ok.py, trials: 3}\n");
	assert_int_equal(runner_run(f.dir, f.cfg, f.plan, &o, &sum), 0);
	/* keep two whole lines and half of the third */
	p = pathjoin(f.dir, "results.jsonl");
	assert_int_equal(readfile(p, &data, &len), 0);
	cut = strchr(strchr(data, '\n') + 1, '\n') + 20;
	assert_int_equal(truncate(p, cut - data), 0);
	o.resume = true;
	assert_int_equal(runner_run(f.dir, f.cfg, f.plan, &o, &sum), 0);
	assert_int_equal(sum.resumed, 2);
	assert_int_equal(sum.ran, 4);
	load(&f, &v, &n);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			assert_false(strcmp(v[i].cell, v[k].cell) == 0 && v[i].round == v[k].round);
	results_free(v, n);
	free(data);
	free(p);
	teardown_run(&f);
}

static void test_adaptive(void **state)
{
	(void)state;
	struct fixture f = {0};
	struct runopts o = { .min_trials = 2, .max_trials = 4, .target = 0.001 };
	struct runsummary sum;
	struct trial *v = NULL;
	size_t n = 0;

	setup_run(&f, "  - {name: steady, script: ok.py, trials: 3}\n"
	              "  - {name: noisy, script: noisy.py, trials: 3}\n");
	assert_int_equal(runner_run(f.dir, f.cfg, f.plan, &o, &sum), 0);
	assert_int_equal(sum.nonconverged, 2);
	assert_int_equal(sum.ran, 2 * 2 + 2 * 4); /* steady stops at min, noisy runs to max */
	load(&f, &v, &n);
	assert_int_equal(n, 12);
	assert_string_equal(v[3].experiment, "steady");
	assert_string_equal(v[4].experiment, "noisy");
	results_free(v, n);
	teardown_run(&f);
}

static void test_noise_arithmetic(void **state)
{
	(void)state;
	long hz = sysconf(_SC_CLK_TCK);
	struct cpusample a = { .busy = 1000, .total = 10000, .selfcpu = 1.0, .ncpu = 4, .at = 10 };
	struct cpusample b = { .busy = 1000 + (unsigned long long)hz, .total = 10000 + 4 * (unsigned long long)hz, .selfcpu = 1.1,
	                       .ncpu = 4, .at = 11 };
	json_t *m;

	/* 1 s busy of 4 CPU-seconds; trials 0.4 s, gilbench 0.1 s: 0.5 s others = 12.5% */
	assert_true(fabs(sysinfo_other_share(&a, &b, 0.4) - 0.125) < 1e-9);
	assert_true(sysinfo_other_share(&a, &b, 5.0) == 0);
	assert_true(isnan(sysinfo_other_share(&b, &a, 0)));
	assert_false(sysinfo_load_busy(0.9, 2));
	assert_true(sysinfo_load_busy(1.1, 2));
	assert_false(sysinfo_load_busy(-1, 2));
	m = sysinfo_machine();
	assert_true(json_is_integer(json_object_get(m, "cores")));
	assert_true(json_is_string(json_object_get(m, "kernel")));
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_resume_torn),
		cmocka_unit_test(test_adaptive),
		cmocka_unit_test(test_noise_arithmetic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
