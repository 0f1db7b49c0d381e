/* test_config.c: unit tests for the config loader (config.h).
 *
 * The shipped configs (configs/lab.yaml, configs/quick.yaml) load with the fields they
 * say; a config using every key gives the values and defaults docs/config.md promises;
 * and each bad config fails with exactly one line whose "FILE:LINE:COL: KEY: " prefix and
 * one word of the problem are asserted. Bad configs are written into a temporary folder
 * (cfg/ for the files, cfg/experiments/x.py for the script, patches/p.patch beside cfg/
 * for the default patch folder). Run from the checkout's root (or set ROOT). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hash.h"
#include "util.h"

static char *tmp, *cfgdir, *root;

#define SHA "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"
/* 9 lines; the experiment's keys are at column 5, and a line appended is line 10 */
#define BASE "version: 1\n"                      \
             "name: n\n"                         \
             "source:\n"                         \
             "  git: {url: https://x/y.git}\n"   \
             "builds:\n"                         \
             "  - name: b\n"                     \
             "experiments:\n"                    \
             "  - name: x\n"                     \
             "    script: experiments/x.py\n"

static int setup(void **state)
{
	char templ[] = "/tmp/gilbench-config-test.XXXXXX";
	char *p;
	const char *r = getenv("ROOT");

	(void)state;
	if (!mkdtemp(templ))
		return -1;
	tmp = xstrdup(templ);
	cfgdir = pathjoin(tmp, "cfg");
	p = pathjoin(tmp, "cfg/experiments");
	if (mkdirp(p, 0755) < 0)
		return -1;
	free(p);
	p = pathjoin(tmp, "patches");
	if (mkdirp(p, 0755) < 0)
		return -1;
	free(p);
	p = pathjoin(tmp, "cfg/experiments/x.py");
	writefile(p, "print('{\"seconds\": 1}')\n", 25);
	free(p);
	p = pathjoin(tmp, "patches/p.patch");
	writefile(p, "", 0);
	free(p);
	p = pathjoin(tmp, "cfg/local.patch");
	writefile(p, "", 0);
	free(p);
	root = xstrdup(r ? r : ".");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rmtree(tmp);
	free(tmp);
	free(cfgdir);
	free(root);
	return 0;
}

/* Write text as cfg/NAME and load it. */
static int loadtext(const char *name, const char *text, size_t len, struct config **c, char **path)
{
	*path = pathjoin(cfgdir, name);
	assert_int_equal(writefile(*path, text, len), 0);
	return config_load(*path, c);
}

/* The config must fail with "PATH:where" at the start of the error and word in it. */
static void bad_n(const char *text, size_t len, const char *where, const char *word)
{
	struct config *c = NULL;
	char *path, *prefix;
	int rc = loadtext("bad.yaml", text, len, &c, &path);

	prefix = xasprintf("%s:%s", path, where);
	if (rc != -1 || strncmp(errmsg(), prefix, strlen(prefix)) != 0 || !strstr(errmsg(), word) ||
	    strchr(errmsg(), '\n'))
		fail_msg("want \"%s...%s...\"\n got rc %d: %s", prefix, word, rc, rc < 0 ? errmsg() : "(loaded)");
	assert_null(c);
	free(prefix);
	free(path);
}

static void bad(const char *text, const char *where, const char *word)
{
	bad_n(text, strlen(text), where, word);
}

static struct config *good(const char *text)
{
	struct config *c = NULL;
	char *path;

	if (loadtext("good.yaml", text, strlen(text), &c, &path) < 0)
		fail_msg("%s", errmsg());
	free(path);
	return c;
}

static struct config *loadshipped(const char *name)
{
	struct config *c = NULL;
	char *path = xasprintf("%s/configs/%s", root, name);

	if (config_load(path, &c) < 0)
		fail_msg("%s", errmsg());
	free(path);
	return c;
}

/* ---------- good configs ---------- */

static void test_lab(void **state)
{
	struct config *c = loadshipped("lab.yaml");
	const struct expconf *e;

	(void)state;
	assert_int_equal(c->version, 1);
	assert_string_equal(c->name, "free-threading-lab");
	assert_non_null(c->description);
	assert_string_equal(c->reference, "The original write-up: CPython 3.15.0a8+, 8 logical cores, WSL2");
	assert_int_equal(c->source.kind, SRC_TARBALL);
	assert_string_equal(c->source.sha256, SHA);
	assert_int_equal(c->source.from.n, 2);
	assert_string_equal(c->source.from.v[1], "debian-source:python3.13=3.13.5-2+deb13u5");
	assert_int_equal(c->npatches, 0);
	assert_int_equal(c->nbuilds, 2);
	assert_string_equal(c->builds[1].name, "nogil");
	assert_false(c->builds[0].gil_disabled);
	assert_true(c->builds[1].gil_disabled);
	assert_string_equal(kv_get(&c->builds[0].make, "PROFILE_TASK"), "-m test --pgo --timeout= --ignore test_generators");
	assert_int_equal(c->nvariants, 2);
	assert_string_equal(c->variants[0].name, "gil");
	assert_true(c->variants[0].expect_gil);
	assert_false(c->variants[1].expect_gil);
	assert_int_equal(c->variants[1].build, 1);
	assert_int_equal(c->run.warmup, 1);
	assert_true(c->run.timeout == 600);
	assert_string_equal(c->run.hashseed, "0");
	assert_int_equal(c->nexps, 6);
	e = &c->exps[2];
	assert_string_equal(e->name, "race");
	assert_int_equal(e->table, TABLE_LOST_UPDATES);
	assert_string_equal(e->expect_key, "value");
	assert_true(e->expect_value == 1600000);
	assert_int_equal(e->trials, 3);
	assert_int_equal(e->warmup, 1);
	assert_int_equal(e->nrefs, 2);
	assert_string_equal(e->refs[1].variant, "nogil");
	assert_true(e->refs[1].n == 1 && e->refs[1].values[0] == 0.71);
	e = &c->exps[4];
	assert_string_equal(e->name, "thread-scaling");
	assert_string_equal(e->title, "Thread scaling");
	assert_int_equal(e->table, TABLE_SCALING);
	assert_int_equal(e->nmatrix, 1);
	assert_string_equal(e->matrix[0].name, "threads");
	assert_int_equal(e->matrix[0].values.n, 4);
	assert_string_equal(e->matrix[0].values.v[3], "8");
	assert_string_equal(kv_get(&e->args, "iterations"), "10000000");
	assert_string_equal(e->metric, "seconds");
	assert_true(e->lower_is_better);
	assert_int_equal(e->refs[0].n, 4);
	assert_true(e->refs[0].values[3] == 1.3706);
	assert_true(e->refs[1].values[0] == 0.1848);
	assert_non_null(strstr(e->scriptpath, "/configs/experiments/thread_scaling.py"));
	assert_true(e->scriptpath[0] == '/');
	assert_int_equal(c->exps[0].table, TABLE_TIMES);
	assert_string_equal(kv_get(&c->exps[1].args, "sleep"), "0.1");
	delconfig(c);
}

static void test_quick(void **state)
{
	struct config *c = loadshipped("quick.yaml");
	char hex[HEXLEN], *path = xasprintf("%s/configs/quick.yaml", root);

	(void)state;
	assert_string_equal(c->name, "quick");
	assert_int_equal(c->builds[0].configure.n, 0);
	assert_int_equal(c->builds[1].configure.n, 1);
	assert_true(c->builds[1].gil_disabled);
	assert_int_equal(c->run.warmup, 0);
	assert_true(c->run.timeout == 120);
	assert_int_equal(c->nexps, 6);
	assert_true(c->exps[0].timeout == 120);
	assert_int_equal(c->exps[4].matrix[0].values.n, 2);
	assert_null(c->reference);
	assert_int_equal(sha256_file(path, hex), 0);
	assert_string_equal(c->hash, hex);
	assert_true(c->dir[0] == '/');
	assert_non_null(strstr(c->dir, "configs"));
	assert_string_equal(c->path, path);
	free(path);
	delconfig(c);
}

static void test_full(void **state)
{
	struct config *c;
	char *abs = xasprintf("%s/cfg/local.patch", tmp), *text;
	const struct expconf *e;

	(void)state;
	text = xasprintf("version: 1\n"
	                 "name: full-1.0_x\n"
	                 "source:\n"
	                 "  git: {url: /srv/cpython}\n"
	                 "patches: [p.patch, ./local.patch, %s]\n"
	                 "builds:\n"
	                 "  - name: gil\n"
	                 "    env: {CC: clang}\n"
	                 "    jobs: 3\n"
	                 "  - name: nogil\n"
	                 "    configure: [--disable-gil, --with-lto]\n"
	                 "variants:\n"
	                 "  - {name: gil, build: gil}\n"
	                 "  - {name: nogil, build: nogil}\n"
	                 "  - {name: nogil-gil1, build: nogil, env: {PYTHON_GIL: \"1\"}}\n"
	                 "  - {name: nogil-gil0, build: nogil, env: {PYTHON_GIL: \"0\"}}\n"
	                 "run:\n"
	                 "  warmup: 2\n"
	                 "  timeout: 30.5\n"
	                 "  min_trials: 3\n"
	                 "  max_trials: 9\n"
	                 "  target: 0.02\n"
	                 "  cpus: 0,2-3\n"
	                 "  hashseed: random\n"
	                 "  pass_env: [HOME]\n"
	                 "  cv_threshold: 0.2\n"
	                 "  tie: 0.01\n"
	                 "experiments:\n"
	                 "  - name: s\n"
	                 "    script: experiments/x.py\n"
	                 "    args: {mode: \"0010\", ratio: 1.50}\n"
	                 "    matrix: {threads: [1, 2], size: [small, big]}\n"
	                 "    metric: {name: ops, better: higher}\n"
	                 "    reference: {nogil-gil1: [1, 2, 3, 4]}\n"
	                 "  - name: t\n"
	                 "    script: ./experiments/x.py\n"
	                 "    warmup: 0\n"
	                 "    timeout: 5\n"
	                 "    trials: 100000\n"
	                 "    expect: {equals: 4}\n",
	                 abs);
	c = good(text);
	assert_int_equal(c->source.kind, SRC_GIT);
	assert_string_equal(c->source.url, "/srv/cpython");
	assert_string_equal(c->source.ref, "main");
	assert_int_equal(c->npatches, 3);
	assert_string_equal(c->patches[0].name, "p.patch");
	assert_non_null(strstr(c->patches[0].path, "/cfg/../patches/p.patch"));
	assert_non_null(strstr(c->patches[1].path, "/cfg/./local.patch"));
	assert_string_equal(c->patches[2].path, abs);
	assert_int_equal(c->patches[1].pos.line, 5);
	assert_int_equal(c->builds[0].jobs, 3);
	assert_int_equal(c->builds[1].jobs, 0);
	assert_string_equal(kv_get(&c->builds[0].env, "CC"), "clang");
	assert_int_equal(c->nvariants, 4);
	assert_true(c->variants[0].expect_gil);
	assert_false(c->variants[1].expect_gil);
	assert_true(c->variants[2].expect_gil);
	assert_false(c->variants[3].expect_gil);
	assert_int_equal(c->variants[2].build, 1);
	assert_int_equal(c->run.min_trials, 3);
	assert_int_equal(c->run.max_trials, 9);
	assert_true(c->run.target == 0.02 && c->run.cv_threshold == 0.2 && c->run.tie == 0.01);
	assert_true(c->run.timeout == 30.5);
	assert_string_equal(c->run.cpus, "0,2-3");
	assert_string_equal(c->run.hashseed, "random");
	assert_string_equal(c->run.pass_env.v[0], "HOME");
	e = &c->exps[0];
	assert_string_equal(kv_get(&e->args, "mode"), "0010");
	assert_string_equal(kv_get(&e->args, "ratio"), "1.50");
	assert_int_equal(e->nmatrix, 2);
	assert_string_equal(e->matrix[1].values.v[1], "big");
	assert_int_equal(e->table, TABLE_SCALING);
	assert_string_equal(e->metric, "ops");
	assert_false(e->lower_is_better);
	assert_int_equal(e->trials, 5);
	assert_int_equal(e->warmup, 2);
	assert_true(e->timeout == 30.5);
	assert_null(e->expect_key);
	assert_int_equal(e->refs[0].n, 4);
	assert_int_equal(e->pos.line, 29);
	e = &c->exps[1];
	assert_int_equal(e->table, TABLE_TIMES);
	assert_int_equal(e->warmup, 0);
	assert_true(e->timeout == 5);
	assert_int_equal(e->trials, 100000);
	assert_string_equal(e->expect_key, "value");
	assert_true(e->expect_value == 4);
	assert_string_equal(e->title, "t");
	delconfig(c);
	free(text);
	free(abs);
}

static void test_parse_memory(void **state)
{
	struct config *c = NULL;
	char *path = pathjoin(cfgdir, "nowhere.yaml"), hex[HEXLEN];

	(void)state;
	assert_int_equal(config_parse(BASE, strlen(BASE), path, &c), 0);
	sha256_str(BASE, hex);
	assert_string_equal(c->hash, hex);
	assert_string_equal(c->dir, cfgdir);
	assert_int_equal(c->nvariants, 1);
	assert_string_equal(c->variants[0].name, "b");
	assert_true(c->variants[0].expect_gil);
	delconfig(c);
	assert_int_equal(config_parse("version: 1\n", 11, path, &c), -1);
	assert_null(c);
	free(path);
}

/* ---------- bad configs: structure and YAML ---------- */

static void test_unknown_key(void **state)
{
	(void)state;
	bad(BASE "    trails: 3\n", "10:5: experiments[0].trails: ", "unknown key (allowed: name, title, script");
	bad(BASE "colour: red\n", "10:1: colour: ", "unknown key");
	bad(BASE "\"\": 1\n", "10:1: ", "keys must be non-empty strings, got \"\"");
	bad(BASE "? [a]\n: 1\n", "10:3: ", "keys must be non-empty strings, got a list");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	bad(BASE "name: again\n", "10:1: name: ", "duplicate key (first at line 2)");
}

static void test_alias_anchor(void **state)
{
	(void)state;
	bad("version: 1\nname: &n n\n", "2:7: name: ", "anchors and aliases are not allowed");
	bad("version: 1\nname: n\ndescription: *n\n", "3:14: description: ", "anchors and aliases are not allowed");
	bad("version: 1\nbuilds:\n  - &b {name: b}\n  - <<: *b\n", "3:5: builds[0]: ", "anchor");
}

static void test_tag(void **state)
{
	(void)state;
	bad("version: !!int 1\n", "1:10: version: ", "tags are not allowed");
	bad(BASE "description: !shout hello\n", "10:14: description: ", "tags are not allowed");
}

static void test_two_documents(void **state)
{
	(void)state;
	bad(BASE "---\nversion: 1\n", "10:1: ", "second document");
}

static void test_tab(void **state)
{
	(void)state;
	bad("version: 1\nsource:\n\tgit: {url: u}\n", "3:1: source: ", "found character that cannot start any token");
}

static void test_yaml_syntax(void **state)
{
	(void)state;
	bad(BASE "description: [a, b\n", "11:1: description[2]: ", "did not find expected ',' or ']'");
	bad(BASE "description: \"open\n", "11:1: description: ", "unexpected end of stream");
}

static void test_utf8(void **state)
{
	(void)state;
	bad(BASE "description: caf\xc3\n", "10:18: description: ", "invalid trailing UTF-8 octet");
	bad(BASE "description: \xff\n", "10:14: description: ", "invalid leading UTF-8 octet");
}

static void test_deep(void **state)
{
	struct buf b = {0};

	(void)state;
	bufadds(&b, BASE "run: ");
	for (int i = 0; i < 40; i++)
		bufadds(&b, "[");
	for (int i = 0; i < 40; i++)
		bufadds(&b, "]");
	bufadds(&b, "\n");
	bad(b.s, "10:37: run[0][0][0]", "nested deeper than 32 levels");
	buffree(&b);
}

static void test_huge(void **state)
{
	size_t n = 1024 * 1024 + 1;
	char *text = xmalloc(n);

	(void)state;
	memset(text, '#', n);
	text[n - 1] = '\n';
	bad_n(text, n, "1:1: ", "over the limit of 1 MiB");
	free(text);
}

static void test_not_a_mapping(void **state)
{
	(void)state;
	bad("", "1:1: ", "empty");
	bad("- version: 1\n", "1:1: ", "expected a mapping");
	bad("hello\n", "1:1: ", "got \"hello\"");
}

static void test_nul(void **state)
{
	(void)state;
	bad(BASE "description: \"a\\0b\"\n", "10:14: description: ", "NUL");
}

/* ---------- bad configs: values ---------- */

static void test_wrong_type(void **state)
{
	(void)state;
	bad(BASE "    trials: three\n", "10:13: experiments[0].trials: ",
	    "expected an integer from 1 to 100000, got \"three\"");
	bad(BASE "    trials: \"5\"\n", "10:13: experiments[0].trials: ", "expected an integer");
	bad(BASE "    args: [1, 2]\n", "10:11: experiments[0].args: ", "expected a mapping, got a list");
	bad(BASE "description: [a]\n", "10:14: description: ", "expected a string, got a list");
	bad(BASE "    args: {n: [1]}\n", "10:15: experiments[0].args.n: ", "expected a single value");
}

static void test_range(void **state)
{
	(void)state;
	bad(BASE "    trials: 0\n", "10:13: experiments[0].trials: ", "from 1 to 100000, got \"0\"");
	bad(BASE "    trials: 100001\n", "10:13: experiments[0].trials: ", "from 1 to 100000");
	bad(BASE "    timeout: 0\n", "10:14: experiments[0].timeout: ", "expected a number above 0");
	bad(BASE "run: {target: 1.5}\n", "10:15: run.target: ", "at most 1");
	bad(BASE "run: {tie: nan}\n", "10:12: run.tie: ", "expected a number");
	bad(BASE "run: {min_trials: 5, max_trials: 3}\n", "10:34: run.max_trials: ", "at least min_trials");
}

static void test_version(void **state)
{
	(void)state;
	bad("version: 2\nfuture: yes\n", "1:10: version: ", "unsupported version 2");
	bad("name: n\n", "1:1: version: ", "required key is missing");
}

static void test_missing_required(void **state)
{
	(void)state;
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\nbuilds: [{name: b}]\nexperiments:\n  - name: x\n",
	    "7:5: experiments[0].script: ", "required key is missing");
	bad("version: 1\nname: n\nbuilds: [{name: b}]\n", "1:1: source: ", "required key is missing");
	bad("version: 1\nname:\n", "2:6: name: ", "expected a string, got nothing");
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\nbuilds: []\n", "5:9: builds: ", "non-empty list");
	bad("version: 1\nname: n\nsource:\n  git: {ref: v1}\n", "4:8: source.git.url: ", "required key is missing");
}

static void test_names(void **state)
{
	(void)state;
	bad("version: 1\nname: my lab\n", "2:7: name: ", "letters, digits");
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\nbuilds: [{name: b}, {name: b}]\n",
	    "5:28: builds[1].name: ", "duplicate name \"b\" (first at line 5)");
	bad(BASE "  - name: x\n    script: experiments/x.py\n", "10:11: experiments[1].name: ", "duplicate name");
}

static void test_source(void **state)
{
	(void)state;
	bad("version: 1\nname: n\nsource:\n  tarball: {sha256: 93E5, from: [https://x/y]}\n",
	    "4:21: source.tarball.sha256: ", "expected 64 lowercase hex digits");
	bad("version: 1\nname: n\nsource:\n  tarball:\n    sha256: " SHA "\n    from: [ftp://x/y.tar.xz]\n",
	    "6:12: source.tarball.from[0]: ", "unsupported kind of place (https://, http://, file:// or debian-source:PACKAGE=VERSION)");
	/* issue 9: what fetch refuses is refused here, by the same function */
	bad("version: 1\nname: n\nsource:\n  tarball:\n    sha256: " SHA "\n    from: [file://relative/x.tar.xz]\n",
	    "6:12: source.tarball.from[0]: file://relative/x.tar.xz: ", "a file:// place is an absolute path");
	bad("version: 1\nname: n\nsource:\n  tarball:\n    sha256: " SHA "\n    from: [\"https://x/a b.tar.xz\"]\n",
	    "6:12: source.tarball.from[0]: https://x/a b.tar.xz: ", "Bad");
	bad("version: 1\nname: n\nsource:\n  tarball:\n    sha256: " SHA "\n    from: [\"debian-source:p=1`id`\"]\n",
	    "6:12: source.tarball.from[0]: debian-source:p=1`id`: ", "bad version");
	bad("version: 1\nname: n\nsource:\n  tarball:\n    sha256: " SHA "\n    from: [debian-source:python3.13]\n",
	    "6:12: source.tarball.from[0]: ", "debian-source");
	bad("version: 1\nname: n\nsource:\n  tarball:\n    sha256: " SHA "\n    from: []\n",
	    "6:11: source.tarball.from: ", "non-empty list");
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\n  tarball: {sha256: " SHA "}\n",
	    "5:12: source: ", "exactly one of tarball or git, got both");
}

static void test_builds(void **state)
{
	(void)state;
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\nbuilds:\n  - name: b\n    configure: [--prefix=/x]\n",
	    "7:16: builds[0].configure: ", "must not contain --prefix");
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\nbuilds:\n  - name: b\n    make: {PROFILE-TASK: x}\n",
	    "7:12: builds[0].make.PROFILE-TASK: ", "expected a name");
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\nbuilds:\n  - name: b\n    jobs: -1\n",
	    "7:11: builds[0].jobs: ", "from 0 to 4096");
	/* issue 9: a name becomes builds/NAME: never "." or ".." */
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\nbuilds:\n  - name: ..\n",
	    "6:11: builds[0].name: ", "not starting with '.', got \"..\"");
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\nbuilds:\n  - name: .\n",
	    "6:11: builds[0].name: ", "not starting with '.', got \".\"");
}

static void test_variants(void **state)
{
	(void)state;
	bad(BASE "variants:\n  - {name: v, build: zz}\n", "11:22: variants[0].build: ",
	    "unknown build \"zz\" (builds: b)");
	bad(BASE "variants:\n  - {name: v, build: b, env: {PYTHON_GIL: \"0\"}}\n",
	    "11:31: variants[0].env.PYTHON_GIL: ", "needs a build configured with --disable-gil");
	bad(BASE "variants:\n  - {name: v, build: b, env: {PYTHON_GIL: yes}}\n",
	    "11:31: variants[0].env.PYTHON_GIL: ", "expected \"0\" or \"1\"");
	bad(BASE "variants: []\n", "10:11: variants: ", "non-empty list");
}

static void test_files(void **state)
{
	(void)state;
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\nbuilds: [{name: b}]\nexperiments:\n"
	    "  - name: x\n    script: experiments/nope.py\n",
	    "8:13: experiments[0].script: ", "script \"experiments/nope.py\" not found");
	bad(BASE "patches: [p.patch, nope.patch]\n", "10:20: patches[1]: ", "patch \"nope.patch\" not found");
	bad(BASE "patches: [./p.patch]\n", "10:11: patches[0]: ", "not found");
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\nbuilds: [{name: b}]\nexperiments:\n"
	    "  - name: x\n    script: ../experiments/x.py\n",
	    "8:13: experiments[0].script: ", "must be a relative path inside the config's folder");
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\nbuilds: [{name: b}]\nexperiments:\n"
	    "  - name: x\n    script: /tmp/x.py\n",
	    "8:13: experiments[0].script: ", "must be a relative path inside the config's folder");
}

static void test_matrix(void **state)
{
	(void)state;
	bad(BASE "    matrix: {threads: []}\n", "10:23: experiments[0].matrix.threads: ", "non-empty list");
	bad(BASE "    matrix: {}\n", "10:13: experiments[0].matrix: ", "at least one dimension");
	bad(BASE "    args: {threads: 1}\n    matrix: {threads: [1, 2]}\n", "11:14: experiments[0].matrix.threads: ",
	    "also in args");
	bad(BASE "    matrix: {threads: [1, 2, 1]}\n", "10:30: experiments[0].matrix.threads[2]: ", "duplicate value");
	bad(BASE "    matrix: {threads: [1, ~]}\n", "10:27: experiments[0].matrix.threads[1]: ", "got nothing");
#define TEN "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"
	bad(BASE "    matrix: {a: " TEN ", b: " TEN ", c: " TEN ", d: " TEN ", e: " TEN ", f: " TEN "}\n",
	    "10:13: experiments[0].matrix: ", "more than 100000 points");
	bad("version: 1\nname: n\nsource:\n  git: {url: u}\nbuilds: [{name: b}, {name: c}]\nexperiments:\n"
	    "  - name: x\n    script: experiments/x.py\n"
	    "    matrix: {a: " TEN ", b: " TEN ", c: " TEN ", d: " TEN ", e: " TEN "}\n",
	    "7:5: experiments[0]: ", "more than 100000 cells");
}

static void test_table_expect(void **state)
{
	(void)state;
	bad(BASE "    table: lost-updates\n", "10:12: experiments[0].table: ", "needs expect");
	bad(BASE "    table: bars\n", "10:12: experiments[0].table: ", "expected times or lost-updates or scaling");
	bad(BASE "    table: scaling\n", "10:12: experiments[0].table: ", "needs a matrix");
	bad(BASE "    expect: {name: value}\n", "10:13: experiments[0].expect.equals: ", "required key is missing");
	bad(BASE "    metric: {better: less}\n", "10:22: experiments[0].metric.better: ", "expected lower or higher");
}

static void test_reference(void **state)
{
	(void)state;
	bad(BASE "    reference: {nogil: 1}\n", "10:17: experiments[0].reference.nogil: ", "unknown variant \"nogil\"");
	bad(BASE "    matrix: {threads: [1, 2]}\n    reference: {b: [1]}\n", "11:20: experiments[0].reference.b: ",
	    "expected 2 numbers (one per point), got 1");
	bad(BASE "    matrix: {threads: [1, 2]}\n    reference: {b: 1}\n", "11:20: experiments[0].reference.b: ",
	    "expected a list of 2 numbers");
	bad(BASE "    reference: {b: fast}\n", "10:20: experiments[0].reference.b: ", "expected a number");
}

static void test_run(void **state)
{
	(void)state;
	bad(BASE "run: {cpus: \"3-1\"}\n", "10:13: run.cpus: ", "the range 3-1 goes down");
	bad(BASE "run: {cpus: \"0,,1\"}\n", "10:13: run.cpus: ", "expected a CPU number at");
	bad(BASE "run: {cpus: \"1,0\"}\n", "10:13: run.cpus: ", "the list must be ascending, without duplicates");
	bad(BASE "run: {cpus: \"\"}\n", "10:13: run.cpus: ", "empty CPU list");
	bad(BASE "run: {hashseed: abc}\n", "10:17: run.hashseed: ", "expected \"random\" or an integer");
	bad(BASE "run: {pass_env: [HOME, 1X]}\n", "10:24: run.pass_env[1]: ", "a variable name");
	bad(BASE "run: {warmups: 1}\n", "10:7: run.warmups: ", "unknown key");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab),
		cmocka_unit_test(test_quick),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_parse_memory),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_alias_anchor),
		cmocka_unit_test(test_tag),
		cmocka_unit_test(test_two_documents),
		cmocka_unit_test(test_tab),
		cmocka_unit_test(test_yaml_syntax),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_not_a_mapping),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_source),
		cmocka_unit_test(test_builds),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_table_expect),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_run),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
