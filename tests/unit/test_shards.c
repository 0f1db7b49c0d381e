/* test_shards.c: a run split into shards (shards.c) and the runner's shard selection, in-process
 * on the system python3.
 *
 * A temporary run directory gets a config of two variants on one build record pointing at
 * /usr/bin/python3 and a tiny script; runner_run() measures it whole once, and then again in
 * three shards in a second directory. The tests check the round-robin assignment, that each
 * shard's files hold exactly its points, that shards_merge() gives the whole run's trials
 * in the whole run's order, refuses an incomplete shard by number, keeps one line per
 * (cell, round) when shards repeat one, and sums the shards' metadata into one with
 * "shards" and "nodes". Under valgrind it covers the merge's memory handling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "plan.h"
#include "results.h"
#include "runner.h"
#include "shards.h"
#include "util.h"

struct fixture {
	char *dir;
	struct config *cfg;
	struct plan *plan;
};

static void writestr(const char *dir, const char *name, const char *text)
{
	char *p = pathjoin(dir, name);

	assert_int_equal(writefile(p, text, strlen(text)), 0);
	free(p);
}

/* a run directory with builds/gil, ok.py and config.yaml: 4 points (a 3-point matrix and one plain) x 2 variants */
static char *mkrun(void)
{
	char tmpl[] = "/tmp/test_shards.XXXXXX", *b;

	assert_non_null(mkdtemp(tmpl));
	writestr(tmpl, "ok.py", "import json, sys\nprint(json.dumps({'seconds': 0.5, 'argv': sys.argv[1:]}))\n");
	b = xasprintf("%s/builds/gil", tmpl);
	assert_int_equal(mkdirp(b, 0755), 0);
	free(b);
	writestr(tmpl, "builds/gil/build.json",
	         "{\"name\": \"gil\", \"key\": \"unit-test-key\", \"ok\": true, \"python\": \"/usr/bin/python3\","
	         " \"inputs\": {\"source\": \"unit-test\"}}\n");
	writestr(tmpl, "config.yaml",
	         "version: 1\nname: shards\nsource:\n  tarball:\n"
	         "    sha256: 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640\n"
	         "    from: [file:///nonexistent.tar.xz]\n"
	         "builds:\n  - {name: gil, configure: []}\n"
	         "variants:\n  - {name: a, build: gil}\n  - {name: b, build: gil}\n"
	         "run: {interference: 0, canary: 0}\n"
	         "experiments:\n"
	         "  - {name: m, script: ok.py, matrix: {n: [1, 2, 3]}, trials: 2, warmup: 1}\n"
	         "  - {name: plain, script: ok.py, trials: 3}\n");
	return xstrdup(tmpl);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	char *cfgpath;

	f->dir = mkrun();
	cfgpath = pathjoin(f->dir, "config.yaml");
	if (config_load(cfgpath, &f->cfg) < 0)
		fail_msg("config: %s", errmsg());
	assert_int_equal(plan_make(f->cfg, &f->plan), 0);
	assert_int_equal(f->plan->npoints, 4);
	free(cfgpath);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	delplan(f->plan);
	delconfig(f->cfg);
	rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void runshard(const struct fixture *f, const char *dir, int shard, int n)
{
	struct runopts o = { .shard = shard, .nshards = n, .resume = true };
	struct runsummary sum;

	if (runner_run(dir, f->cfg, f->plan, &o, &sum) < 0)
		fail_msg("shard %d: %s", shard, errmsg());
}

static char *slurp(const char *dir, const char *name)
{
	char *p = pathjoin(dir, name), *data = NULL;
	size_t len;

	if (readfile(p, &data, &len) < 0)
		fail_msg("%s", errmsg());
	free(p);
	return data;
}

/* "cell/round/variant" of every line of DIR/results.jsonl, space-separated */
static char *trialkeys(const char *dir)
{
	char *p = pathjoin(dir, "results.jsonl");
	struct trial *t = NULL;
	size_t n = 0;
	struct buf b = {0};

	assert_int_equal(results_load(p, &t, &n, NULL), 0);
	bufadd(&b, "", 0);
	for (size_t i = 0; i < n; i++)
		bufaddf(&b, "%s/%d/%s ", t[i].cell, t[i].round, t[i].variant);
	results_free(t, n);
	free(p);
	return b.s;
}

static void test_round_robin(void **state)
{
	struct fixture *f = *state;
	char *s;

	(void)f;
	assert_int_equal(shard_of(0, 3), 0);
	assert_int_equal(shard_of(4, 3), 1);
	assert_int_equal(shard_of(5, 1), 0);
	s = shard_points(f->plan, 0, 3);
	assert_string_equal(s, "m n=1, plain");
	free(s);
	s = shard_dir("/r", 12);
	assert_string_equal(s, "/r/shards/12");
	free(s);
}

static void test_shards_merge_as_whole(void **state)
{
	struct fixture *f = *state;
	char *whole = f->dir, *split = mkrun(), *a, *b, *pa, *pb, *meta;
	struct runopts o = {0};
	struct runsummary sum;
	struct shardinfo si;
	json_t *m;

	assert_int_equal(runner_run(whole, f->cfg, f->plan, &o, &sum), 0);
	/* an incomplete shard is named, and nothing is merged */
	runshard(f, split, 0, 3);
	runshard(f, split, 2, 3);
	assert_int_equal(shard_read(split, f->plan, 1, 3, &si), 0);
	assert_null(si.status);
	assert_int_equal(si.points, 1);
	shardinfo_free(&si);
	assert_int_equal(shards_merge(split, f->plan, 3, &sum), -1);
	assert_non_null(strstr(errmsg(), "shard 1 is not complete (never started, 0 trials)"));
	pa = pathjoin(split, "results.jsonl");
	assert_false(exists(pa));
	free(pa);
	/* shard 0 holds points 0 and 3 only, and no plan.json was written */
	assert_int_equal(shard_read(split, f->plan, 0, 3, &si), 0);
	assert_string_equal(si.status, "complete");
	assert_int_equal(si.trials, 2 * 3 + 2 * 3);
	shardinfo_free(&si);
	pa = pathjoin(split, "plan.json");
	assert_false(exists(pa));
	free(pa);
	runshard(f, split, 1, 3);
	assert_int_equal(shards_merge(split, f->plan, 3, &sum), 0);
	assert_int_equal(sum.ran, 2 * (3 * 3 + 3));
	a = trialkeys(whole);
	b = trialkeys(split);
	assert_string_equal(a, b);
	pa = slurp(whole, "rounds.jsonl");
	pb = slurp(split, "rounds.jsonl");
	assert_int_equal(strlen(pa) > 0, 1);
	/* the same rounds in the same order (the canary is off: their lines are alike) */
	assert_string_equal(pa, pb);
	meta = pathjoin(split, "metadata.json");
	assert_int_equal(readjson(meta, false, &m), 0);
	assert_string_equal(json_string_value(json_object_get(m, "status")), "complete");
	assert_int_equal(json_integer_value(json_object_get(m, "shards")), 3);
	assert_int_equal(json_array_size(json_object_get(m, "nodes")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "trials"), "ran")), 24);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(m, "nodes"), 1), "trials")), 6);
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(m, "nodes"), 1), "node")));
	assert_null(json_object_get(m, "slurm"));
	json_decref(m);
	free(meta);
	free(a);
	free(b);
	free(pa);
	free(pb);
	rmtree(split);
	free(split);
}

static void test_merge_counts_each_trial_once(void **state)
{
	struct fixture *f = *state;
	char *dir = f->dir, *line, *p, *k, *before;
	struct runsummary sum;

	for (int s = 0; s < 2; s++)
		runshard(f, dir, s, 2);
	assert_int_equal(shards_merge(dir, f->plan, 2, &sum), 0);
	before = trialkeys(dir);
	/* shard 1 gets a copy of shard 0's first line (a trial of a (cell, round) already taken) and a line of
	   a cell no plan has */
	p = xasprintf("%s/shards/0/results.jsonl", dir);
	line = slurp(dir, "shards/0/results.jsonl");
	*strchr(line, '\n') = '\0';
	free(p);
	p = xasprintf("%s/shards/1/results.jsonl", dir);
	{
		char *old = slurp(dir, "shards/1/results.jsonl");
		char *stray = xasprintf("%s%s\n{\"cell\": \"0000000000000000\", \"experiment\": \"gone\", \"variant\": \"a\","
		                        " \"point\": \"\", \"round\": 1, \"status\": \"failed\"}\n", old, line);
		assert_int_equal(writefile(p, stray, strlen(stray)), 0);
		free(old);
		free(stray);
	}
	assert_int_equal(shards_merge(dir, f->plan, 2, &sum), 0);
	k = trialkeys(dir);
	/* the same trials, once each, and the stray line last */
	assert_int_equal(strncmp(k, before, strlen(before)), 0);
	assert_string_equal(k + strlen(before), "0000000000000000/1/a ");
	free(k);
	free(before);
	free(line);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_robin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shards_merge_as_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_counts_each_trial_once, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
