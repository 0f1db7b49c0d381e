/* test_build.c: unit tests for the build stage (build.h).
 *
 * Build keys: the same inputs give the same key, each input (source id, a patch's content,
 * a configure flag, a make variable, CFLAGS in the environment, the build's env, the
 * compiler version) changes it, configure flag order matters and make variable order does
 * not. The compiler is a fake script in a temporary folder whose --version we rewrite.
 * Then build_one() end to end on the fake CPython tree (tests/lib/fakecpython): a build, its
 * reuse, the record read back, and a verify failure (run from the checkout's root, or set
 * ROOT). And interp_probe() against fake interpreters: a good answer (with PYTHON_GIL from
 * the given environment), a crash, output that is not JSON, a missing field. The config is
 * built by hand: nothing here needs config.c's loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build.h"
#include "util.h"

static char *tmp;

static void kvadd(struct kvlist *l, const char *k, const char *v)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = (struct kv){ .key = xstrdup(k), .value = xstrdup(v) };
}

static void kvfree(struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void setcc(const char *version)
{
	char *cc = pathjoin(tmp, "fakecc"), *text = xasprintf("#!/bin/sh\necho '%s'\necho 'Copyright'\n", version);

	assert_int_equal(writefile(cc, text, strlen(text)), 0);
	assert_int_equal(chmod(cc, 0755), 0);
	setenv("CC", cc, 1);
	free(text);
	free(cc);
}

static void writepatch(const char *content)
{
	char *path = pathjoin(tmp, "a.patch");

	assert_int_equal(writefile(path, content, strlen(content)), 0);
	free(path);
}

/* a config with one build: configure [--disable-gil, --with-lto], make {A: 1, B: 2}, one patch */
static struct config *mkcfg(void)
{
	struct config *c = xcalloc(1, sizeof(*c));
	struct buildconf *b;

	c->name = xstrdup("t");
	c->npatches = 1;
	c->patches = xcalloc(1, sizeof(*c->patches));
	c->patches[0].name = xstrdup("a.patch");
	c->patches[0].path = pathjoin(tmp, "a.patch");
	c->nbuilds = 1;
	c->builds = b = xcalloc(1, sizeof(*b));
	b->name = xstrdup("nogil");
	strlist_add(&b->configure, "--disable-gil");
	strlist_add(&b->configure, "--with-lto");
	kvadd(&b->make, "A", "1");
	kvadd(&b->make, "B", "2");
	b->gil_disabled = true;
	return c;
}

static struct source src = { .kind = "tarball", .id = "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640" };

static void key(const struct config *c, char out[HEXLEN])
{
	if (build_key(c, 0, &src, out, NULL) < 0)
		fail_msg("build_key: %s", errmsg());
	assert_true(ishex64(out));
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/test_build.XXXXXX";
	const char *t = getenv("TMPDIR");
	char *dir = t && *t ? xasprintf("%s/test_build.XXXXXX", t) : xstrdup(tmpl);

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	tmp = dir;
	setcc("fakecc (Fake) 1.0");
	writepatch("--- a\n+++ b\n");
	unsetenv("CFLAGS");
	unsetenv("CXX");
	unsetenv("CPPFLAGS");
	unsetenv("LDFLAGS");
	unsetenv("LIBS");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rmtree(tmp);
	free(tmp);
	unsetenv("CC");
	return 0;
}

static void test_same_inputs_same_key(void **state)
{
	struct config *a = mkcfg(), *b = mkcfg();
	char k1[HEXLEN], k2[HEXLEN], k3[HEXLEN];

	(void)state;
	key(a, k1);
	key(a, k2);
	key(b, k3);
	assert_string_equal(k1, k2);
	assert_string_equal(k1, k3);
	delconfig(a);
	delconfig(b);
}

static void test_inputs_recorded(void **state)
{
	struct config *c = mkcfg();
	char k[HEXLEN];
	json_t *in = NULL;

	(void)state;
	assert_int_equal(build_key(c, 0, &src, k, &in), 0);
	assert_string_equal(json_string_value(json_object_get(in, "source")), src.id);
	assert_string_equal(json_string_value(json_object_get(in, "compiler")), "fakecc (Fake) 1.0");
	assert_int_equal(json_integer_value(json_object_get(in, "recipe")), BUILD_RECIPE);
	assert_int_equal(json_array_size(json_object_get(in, "configure")), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(in, "make"), "B")), "2");
	assert_int_equal(json_array_size(json_object_get(in, "patches")), 1);
	assert_true(ishex64(json_string_value(json_object_get(json_array_get(json_object_get(in, "patches"), 0), "sha256"))));
	assert_non_null(json_object_get(json_object_get(in, "env"), "CC"));
	json_decref(in);
	delconfig(c);
}

static void test_each_input_changes_key(void **state)
{
	struct config *c = mkcfg();
	char base[HEXLEN], k[HEXLEN];
	struct source other = src;

	(void)state;
	key(c, base);

	other.id = "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(build_key(c, 0, &other, k, NULL), 0);
	assert_string_not_equal(base, k);

	writepatch("--- a\n+++ b\n@@ changed @@\n");
	key(c, k);
	assert_string_not_equal(base, k);
	writepatch("--- a\n+++ b\n");
	key(c, k);
	assert_string_equal(base, k);

	strlist_add(&c->builds[0].configure, "--enable-optimizations");
	key(c, k);
	assert_string_not_equal(base, k);
	strlist_free(&c->builds[0].configure);
	strlist_add(&c->builds[0].configure, "--disable-gil");
	strlist_add(&c->builds[0].configure, "--with-lto");
	key(c, k);
	assert_string_equal(base, k);

	free(c->builds[0].make.v[1].value);
	c->builds[0].make.v[1].value = xstrdup("3");
	key(c, k);
	assert_string_not_equal(base, k);
	free(c->builds[0].make.v[1].value);
	c->builds[0].make.v[1].value = xstrdup("2");

	setenv("CFLAGS", "-O3 -march=native", 1);
	key(c, k);
	assert_string_not_equal(base, k);
	unsetenv("CFLAGS");

	kvadd(&c->builds[0].env, "CFLAGS", "-O1");
	key(c, k);
	assert_string_not_equal(base, k);
	kvfree(&c->builds[0].env);

	setcc("fakecc (Fake) 2.0");
	key(c, k);
	assert_string_not_equal(base, k);
	setcc("fakecc (Fake) 1.0");
	key(c, k);
	assert_string_equal(base, k);
	delconfig(c);
}

static void test_configure_order_matters(void **state)
{
	struct config *c = mkcfg();
	char base[HEXLEN], k[HEXLEN];

	(void)state;
	key(c, base);
	strlist_free(&c->builds[0].configure);
	strlist_add(&c->builds[0].configure, "--with-lto");
	strlist_add(&c->builds[0].configure, "--disable-gil");
	key(c, k);
	assert_string_not_equal(base, k);
	delconfig(c);
}

static void test_make_order_does_not_matter(void **state)
{
	struct config *c = mkcfg();
	char base[HEXLEN], k[HEXLEN];

	(void)state;
	key(c, base);
	kvfree(&c->builds[0].make);
	kvadd(&c->builds[0].make, "B", "2");
	kvadd(&c->builds[0].make, "A", "1");
	key(c, k);
	assert_string_equal(base, k);
	delconfig(c);
}

static void test_bad_compiler_is_an_error(void **state)
{
	struct config *c = mkcfg();
	char k[HEXLEN];

	(void)state;
	kvadd(&c->builds[0].env, "CC", "/nonexistent/cc");
	assert_int_equal(build_key(c, 0, &src, k, NULL), -1);
	assert_non_null(strstr(errmsg(), "nogil"));
	assert_non_null(strstr(errmsg(), "/nonexistent/cc"));
	delconfig(c);
}

/* build_one on the fake tree: build, reuse, read back; then a lying interpreter */
static void test_build_one_fake(void **state)
{
	const char *root = getenv("ROOT");
	struct config *c = mkcfg();
	struct paths p = {0};
	struct buildrec r, again, back;
	char *rundir = pathjoin(tmp, "run"), *marker, *log;
	struct source fake = src;

	(void)state;
	log = xasprintf("%s/tests/lib/fakecpython", root && *root ? root : ".");
	fake.tree = abspath(log);
	free(log);
	p.work = pathjoin(tmp, "work");
	p.cache = pathjoin(tmp, "cache");
	assert_int_equal(mkdirp(p.work, 0755), 0);
	if (build_one(c, 0, &fake, &p, rundir, &r) < 0)
		fail_msg("build_one: %s", errmsg());
	if (!r.ok)
		fail_msg("build failed at %s: %s", r.failed_step, r.error);
	assert_false(r.reused);
	assert_non_null(strstr(r.python, "/bin/python3.13t"));
	assert_true(r.interp.gil_disabled);
	assert_false(r.interp.gil_enabled);
	marker = pathjoin(r.prefix, BUILD_MARKER);
	assert_true(exists(marker));
	log = xasprintf("%s/builds/nogil/make.log", rundir);
	assert_true(exists(log));

	assert_int_equal(build_one(c, 0, &fake, &p, rundir, &again), 0);
	assert_true(again.ok);
	assert_true(again.reused);
	assert_string_equal(again.key, r.key);
	assert_string_equal(again.python, r.python);

	assert_int_equal(buildrec_read(rundir, "nogil", &back), 0);
	assert_string_equal(back.key, r.key);
	assert_string_equal(back.python, r.python);
	assert_true(back.reused);
	assert_true(back.ok);
	assert_true(back.interp.gil_disabled);
	assert_null(back.failed_step);
	buildrec_free(&back);
	buildrec_free(&again);
	buildrec_free(&r);

	kvadd(&c->builds[0].env, "FAKECPY_LIE", "1");
	assert_int_equal(build_one(c, 0, &fake, &p, rundir, &r), 0);
	assert_false(r.ok);
	assert_true(r.verify_failed);
	assert_string_equal(r.failed_step, "verify");
	assert_non_null(strstr(r.error, "Py_GIL_DISABLED=0"));
	buildrec_free(&r);

	free(log);
	free(marker);
	free(fake.tree);
	free(rundir);
	paths_free(&p);
	delconfig(c);
}

/* a fake interpreter: a shell script with the given body */
static char *fakepython(const char *name, const char *body)
{
	char *path = pathjoin(tmp, name), *text = xasprintf("#!/bin/sh\n%s\n", body);

	assert_int_equal(writefile(path, text, strlen(text)), 0);
	assert_int_equal(chmod(path, 0755), 0);
	free(text);
	return path;
}

static void test_interp_probe(void **state)
{
	char *good = fakepython("good", "echo 'noise from sitecustomize'\n"
	                        "echo '{\"version\": \"Python 3.13.5 x\", \"number\": \"3.13.5\", \"executable\": \"/p\", "
	                        "\"gil_disabled\": true, \"gil_enabled\": '\"$([ \"$PYTHON_GIL\" = 1 ] && echo true || echo false)\"', "
	                        "\"config_args\": \"--disable-gil\", \"cc\": \"gcc\"}'");
	char *crash = fakepython("crash", "echo 'Fatal Python error: boom' >&2; exit 1");
	char *notjson = fakepython("notjson", "echo 'Python 2.7'");
	char *missing = fakepython("missing", "echo '{\"version\": \"x\", \"number\": \"1\", \"executable\": \"/p\"}'");
	char *env1[] = { "PATH=/usr/bin:/bin", "PYTHON_GIL=1", NULL }, *env0[] = { "PATH=/usr/bin:/bin", NULL };
	struct interp i;

	(void)state;
	if (interp_probe(good, env0, &i) < 0)
		fail_msg("probe: %s", errmsg());
	assert_string_equal(i.number, "3.13.5");
	assert_string_equal(i.version, "Python 3.13.5 x");
	assert_true(i.gil_disabled);
	assert_false(i.gil_enabled);
	assert_string_equal(i.config_args, "--disable-gil");
	interp_free(&i);
	assert_int_equal(interp_probe(good, env1, &i), 0);
	assert_true(i.gil_enabled);
	interp_free(&i);

	assert_int_equal(interp_probe(crash, env0, &i), -1);
	assert_non_null(strstr(errmsg(), crash));
	assert_non_null(strstr(errmsg(), "exited with 1: Fatal Python error: boom"));
	assert_int_equal(interp_probe(notjson, env0, &i), -1);
	assert_non_null(strstr(errmsg(), notjson));
	assert_non_null(strstr(errmsg(), "not JSON"));
	assert_int_equal(interp_probe(missing, env0, &i), -1);
	assert_non_null(strstr(errmsg(), "'gil_disabled' is missing"));
	assert_null(i.version);
	assert_int_equal(interp_probe("/nonexistent/python3", env0, &i), -1);
	assert_non_null(strstr(errmsg(), "/nonexistent/python3"));
	free(good);
	free(crash);
	free(notjson);
	free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_inputs_same_key),
		cmocka_unit_test(test_inputs_recorded),
		cmocka_unit_test(test_each_input_changes_key),
		cmocka_unit_test(test_configure_order_matters),
		cmocka_unit_test(test_make_order_does_not_matter),
		cmocka_unit_test(test_bad_compiler_is_an_error),
		cmocka_unit_test(test_interp_probe),
		cmocka_unit_test(test_build_one_fake),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
