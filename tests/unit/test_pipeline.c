/* test_pipeline.c: the pipeline's run directories and its one exit-code policy, without
 * building anything.
 *
 * run_state: a run made with pipeline_create and started records its kind and sides in
 * run.json; resuming it as its own kind (or any kind) gives them back, the options that
 * decide the outcome come back from run.json unless given again, and resuming it as
 * another kind is refused naming the command that continues it.
 *
 * new_folder_rules: a run directory is made only in a new or empty folder; a folder
 * holding files that are not gilbench's is refused, and one holding a run says so.
 *
 * exit_policy: interrupted > usage > verify > error; then verify, regression, inconclusive
 * (when asked), partial (failed builds, failed trials, a partial report) and 0.
 *
 * self_contained: a run directory's config finds its patches in RUN_DIR/patches by file
 * name, whatever path the config names, and refuses a script that is a link out of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "pipeline.h"
#include "util.h"

static const char cfgtext[] =
	"version: 1\nname: unit\nsource:\n  git: {url: /nonexistent, ref: main}\n"
	"builds:\n  - {name: gil.A, configure: []}\n  - {name: gil.B, configure: []}\n"
	"experiments:\n  - {name: e, script: e.py, trials: 2}\n";

static char *tmp;

static int setup(void **state)
{
	(void)state;
	tmp = mktmpdir("test-pipeline");
	return tmp ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rmtree(tmp);
	free(tmp);
	return 0;
}

static void put(const char *dir, const char *name, const char *text)
{
	char *p = pathjoin(dir, name);

	assert_int_equal(writefile(p, text, strlen(text)), 0);
	free(p);
}

static void defaults(struct pipeopts *po)
{
	memset(po, 0, sizeof(*po));
	po->tie = po->fail_regression = -1;
}

static void run_state(void **state)
{
	struct pipeopts po, again;
	struct pipeline p;
	char *dir = pathjoin(tmp, "run");

	(void)state;
	defaults(&po);
	po.tie = 0.1;
	po.fail_regression = 0.2;
	assert_int_equal(pipeline_create(&p, &po, KIND_COMPARE, "unit", dir), 0);
	put(p.run.dir, "config.yaml", cfgtext);
	put(p.run.dir, "e.py", "print('{}')\n");
	rundir_addside(&p.run, "A", "v1");
	rundir_addside(&p.run, "B", "v2");
	assert_int_equal(pipeline_start(&p), 0);
	assert_string_equal(p.run.sides[1].suffix, ".B");
	pipeline_free(&p);
	assert_int_equal(rundir_kindof(dir), KIND_COMPARE);

	defaults(&again);
	assert_int_equal(pipeline_resume(&p, &again, dir, KIND_COMPARE), 0);
	assert_int_equal(p.run.nsides, 2);
	assert_string_equal(p.run.sides[0].ref, "v1");
	assert_string_equal(p.run.sides[1].name, "B");
	assert_null(p.run.sides[1].commit);
	assert_true(p.o.tie == 0.1 && p.o.fail_regression == 0.2); /* from run.json */
	pipeline_free(&p);

	again.tie = 0.03; /* given again: the command line wins */
	assert_int_equal(pipeline_resume(&p, &again, dir, NKINDS), 0);
	assert_true(p.o.tie == 0.03 && p.o.fail_regression == 0.2);
	pipeline_free(&p);

	assert_int_equal(pipeline_resume(&p, &again, dir, KIND_REPRODUCE), -1);
	assert_non_null(strstr(errmsg(), "is a compare run; continue it with gilbench compare --resume"));
	pipeline_free(&p);
	free(dir);
}

static void new_folder_rules(void **state)
{
	struct pipeopts po;
	struct pipeline p;
	char *full = pathjoin(tmp, "full"), *empty = pathjoin(tmp, "empty"), *run = pathjoin(tmp, "run2");

	(void)state;
	defaults(&po);
	assert_int_equal(mkdirp(full, 0755), 0);
	put(full, "notes.txt", "mine\n");
	assert_int_equal(pipeline_create(&p, &po, KIND_RUN, "unit", full), -1);
	assert_non_null(strstr(errmsg(), "is not empty and is not a gilbench run directory"));
	pipeline_free(&p);
	assert_int_equal(mkdirp(empty, 0755), 0);
	assert_int_equal(pipeline_create(&p, &po, KIND_RUN, "unit", empty), 0);
	pipeline_free(&p);
	assert_int_equal(pipeline_create(&p, &po, KIND_RUN, "unit", run), 0);
	put(p.run.dir, "config.yaml", cfgtext);
	put(p.run.dir, "e.py", "print('{}')\n");
	rundir_addside(&p.run, "", NULL);
	assert_int_equal(pipeline_start(&p), 0);
	pipeline_free(&p);
	assert_int_equal(pipeline_create(&p, &po, KIND_RUN, "unit", run), -1);
	assert_non_null(strstr(errmsg(), "already holds a run"));
	pipeline_free(&p);
	assert_int_equal(access(full, F_OK), 0); /* nothing of it touched */
	free(full);
	free(empty);
	free(run);
}

static int code(struct outcome out, struct runsummary sum, int rc, bool inconc)
{
	struct pipeline p;

	memset(&p, 0, sizeof(p));
	defaults(&p.o);
	p.o.fail_inconclusive = inconc;
	p.out = out;
	p.sum = sum;
	return pipeline_exit(&p, rc);
}

static void exit_policy(void **state)
{
	struct outcome none = {0}, o;
	struct runsummary clean = {0}, failed = { .failed = 1 };

	(void)state;
	assert_int_equal(code(none, clean, 0, false), EXIT_OK);
	assert_int_equal(code(none, clean, -1, false), EXIT_FAIL);
	o = none, o.usage = true;
	assert_int_equal(code(o, clean, -1, false), EXIT_USAGE);
	o = none, o.verify_failed = true;
	assert_int_equal(code(o, clean, -1, false), EXIT_VERIFY);
	assert_int_equal(code(o, clean, 0, false), EXIT_VERIFY);
	o = none, o.regressions = 2, o.failed_builds = 1;
	assert_int_equal(code(o, clean, 0, false), EXIT_REGRESSION);
	o = none, o.inconclusive = 1;
	assert_int_equal(code(o, clean, 0, false), EXIT_OK);
	assert_int_equal(code(o, clean, 0, true), EXIT_INCONCLUSIVE);
	o = none, o.failed_builds = 1;
	assert_int_equal(code(o, clean, 0, false), EXIT_PARTIAL);
	o = none, o.report_partial = true;
	assert_int_equal(code(o, clean, 0, false), EXIT_PARTIAL);
	assert_int_equal(code(none, failed, 0, false), EXIT_PARTIAL);
}

static void self_contained(void **state)
{
	char *dir = pathjoin(tmp, "sc"), *outside = pathjoin(tmp, "outside.py"), *link;
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(mkdirp(dir, 0755), 0);
	put(tmp, "outside.py", "print('{}')\n");
	put(dir, "e.py", "print('{}')\n");
	put(dir, "config.yaml",
	    "version: 1\nname: sc\nsource: {tarball: {sha256: 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640,"
	    " from: [file:///x.tar.xz]}}\npatches: [/etc/passwd, ../up.patch]\nbuilds: [{name: gil, configure: []}]\n"
	    "experiments: [{name: e, script: e.py}]\n");
	/* the patches are looked for in RUN_DIR/patches only */
	assert_int_equal(config_load_rundir(dir, &cfg), -1);
	assert_non_null(strstr(errmsg(), "patches/passwd"));
	assert_non_null(strstr(errmsg(), "inside the run directory"));
	link = pathjoin(dir, "patches");
	assert_int_equal(mkdirp(link, 0755), 0);
	free(link);
	put(dir, "patches/passwd", "--- a\n");
	put(dir, "patches/up.patch", "--- a\n");
	assert_int_equal(config_load_rundir(dir, &cfg), 0);
	assert_non_null(strstr(cfg->patches[0].path, "/sc/patches/passwd"));
	delconfig(cfg);
	/* a script that is a link out of the run directory is refused */
	link = pathjoin(dir, "e.py");
	unlink(link);
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(config_load_rundir(dir, &cfg), -1);
	assert_non_null(strstr(errmsg(), "not a regular file inside the run directory"));
	free(link);
	free(dir);
	free(outside);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_state),
		cmocka_unit_test(new_folder_rules),
		cmocka_unit_test(exit_policy),
		cmocka_unit_test(self_contained),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
