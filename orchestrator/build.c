/* build.c: the build stage (see build.h).
 *
 * build_key() hashes a canonical JSON object (jansson, sorted keys, compact) of the build's
 * inputs; make variables are an object, so their order does not matter, configure flags an
 * array, so theirs does. build_one() reuses WORK/prefix/KEY when its marker is there;
 * otherwise it takes the prefix's lock, looks again (another gilbench may have built it
 * meanwhile), takes the lock of the build's slot, WORK/slot/SLOT (SLOT hashes the key's
 * inputs but the source and patches, so every revision with the same flags is compiled at
 * the same paths: configure runs as SLOT/src/configure, SLOT/src being a link to the tree,
 * in SLOT/obj, and ccache reuses what a neighbouring commit compiled), and runs configure,
 * make and make install through spawn() in their own process group, each into
 * RUN_DIR/builds/NAME/STEP.log (copied to SLOT/obj). While a
 * step runs, the tick callback reads the log's tail and records a short note (the PGO
 * profile task's "[N/M] test_x" counter, else the last line); log.h draws it. A failing step
 * leaves the log's last lines in the record, and for the profile task the failing tests and
 * the PROFILE_TASK fix. make install goes to WORK/prefix/.tmp-KEY and is renamed into place;
 * the marker is written last. Then the interpreter is probed (interp.h) and its GIL state
 * must match the configure flags. When ccache is in PATH (and GILBENCH_CCACHE is not 0),
 * CC becomes "ccache CC" with CCACHE_DIR=CACHE/ccache; ccache does not change the binary,
 * so it is not part of the key. configure keeps autoconf's cache of its tests' results in
 * SLOT/configure-HASH.cache, HASH being the sha256 of the configure script: a neighbouring
 * commit with the same configure (and, being in the same slot, the same flags, environment
 * and compiler) skips the tests, which are most of a build's time once ccache has compiled
 * the rest. The cache is chosen by a site file (CONFIG_SITE), so that the flags the
 * interpreter records (CONFIG_ARGS) stay as given; a configure that fails with a cache is
 * run again without it. Not when the build's environment sets CONFIG_SITE itself, or
 * GILBENCH_CONFIGURE_CACHE is 0. */
#include "build.h"
#include "lock.h"
#include "log.h"
#include "rundir.h"
#include "spawn.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>
#include <unistd.h>

extern char **environ;

static const char *const stepnames[NSTEPS] = { "configure", "make", "install" };

/* gilbench's environment variables that configure reads, and so are build inputs */
static const char *const cfgvars[] = { "CC", "CXX", "CFLAGS", "CPPFLAGS", "LDFLAGS", "LIBS" };

#define TAIL_LINES 20

static const char *kvfind(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].value;
	return NULL;
}

/* the value a build sees for NAME: its own env: first, then gilbench's environment */
static const char *buildvar(const struct buildconf *bc, const char *name)
{
	const char *v = kvfind(&bc->env, name);

	return v ? v : getenv(name);
}

static bool has_disable_gil(const struct buildconf *bc)
{
	for (size_t i = 0; i < bc->configure.n; i++)
		if (strcmp(bc->configure.v[i], "--disable-gil") == 0)
			return true;
	return bc->gil_disabled;
}

/* split a command like "ccache gcc -m64" on blanks into l */
static void splitwords(const char *s, struct strlist *l)
{
	while (*s) {
		size_t n;
		while (*s == ' ' || *s == '\t')
			s++;
		n = strcspn(s, " \t");
		if (n)
			strlist_addown(l, xstrndup(s, n));
		s += n;
	}
}

/* the first line of `CC --version` */
static int compiler_version(const char *cc, char **out)
{
	struct strlist argv = {0};
	char *text = NULL;
	int rc = -1;

	*out = NULL;
	splitwords(cc, &argv);
	if (!argv.n) {
		errorf("compiler: CC is empty");
		goto cleanup;
	}
	strlist_add(&argv, "--version");
	if (spawn_capture(argv.v, &text) < 0) {
		errwrap("compiler version (%s --version)", cc);
		goto cleanup;
	}
	*out = xstrndup(text, strcspn(text, "\n"));
	rc = 0;
cleanup:
	free(text);
	strlist_free(&argv);
	return rc;
}

/* a JSON string, or an error naming what when s is not valid UTF-8 */
static int jset(json_t *o, const char *key, const char *s, const char *what)
{
	json_t *v = json_string(s);

	if (!v)
		return errorf("%s is not valid UTF-8", what);
	json_object_set_new(o, key, v);
	return 0;
}

int build_key(const struct config *cfg, size_t b, const struct source *src, char key[HEXLEN], json_t **inputs)
{
	const struct buildconf *bc = &cfg->builds[b];
	json_t *in = json_object(), *patches = json_array(), *conf = json_array(), *make = json_object(), *env = json_object();
	char *cv = NULL, *text = NULL, hex[HEXLEN];
	const char *cc;
	int rc = -1;

	if (inputs)
		*inputs = NULL;
	json_object_set_new(in, "source", json_string(src->id ? src->id : ""));
	json_object_set(in, "patches", patches);
	for (size_t i = 0; i < cfg->npatches; i++) {
		json_t *o = json_object();
		json_array_append_new(patches, o);
		if (sha256_file(cfg->patches[i].path, hex) < 0) {
			errwrap("patch %s", cfg->patches[i].name);
			goto cleanup;
		}
		if (jset(o, "name", cfg->patches[i].name, "patch name") < 0)
			goto cleanup;
		json_object_set_new(o, "sha256", json_string(hex));
	}
	json_object_set(in, "configure", conf);
	for (size_t i = 0; i < bc->configure.n; i++) {
		json_t *v = json_string(bc->configure.v[i]);
		if (!v) {
			errorf("configure flag %zu is not valid UTF-8", i + 1);
			goto cleanup;
		}
		json_array_append_new(conf, v);
	}
	json_object_set(in, "make", make);
	for (size_t i = 0; i < bc->make.n; i++)
		if (jset(make, bc->make.v[i].key, bc->make.v[i].value, "make variable") < 0)
			goto cleanup;
	json_object_set(in, "env", env);
	for (size_t i = 0; i < bc->env.n; i++)
		if (jset(env, bc->env.v[i].key, bc->env.v[i].value, "env value") < 0)
			goto cleanup;
	for (size_t i = 0; i < LEN(cfgvars); i++) {
		const char *v = getenv(cfgvars[i]);
		if (v && !kvfind(&bc->env, cfgvars[i]) && jset(env, cfgvars[i], v, cfgvars[i]) < 0)
			goto cleanup;
	}
	cc = buildvar(bc, "CC");
	if (compiler_version(cc && *cc ? cc : "cc", &cv) < 0)
		goto cleanup;
	if (jset(in, "compiler", cv, "compiler version") < 0)
		goto cleanup;
	json_object_set_new(in, "recipe", json_integer(BUILD_RECIPE));
	text = json_dumps(in, JSON_SORT_KEYS | JSON_COMPACT);
	if (!text) {
		errorf("build key: cannot encode the inputs");
		goto cleanup;
	}
	sha256_str(text, key);
	if (inputs) {
		*inputs = in;
		in = NULL;
	}
	rc = 0;
cleanup:
	if (rc < 0)
		errwrap("build %s: key", bc->name);
	free(text);
	free(cv);
	json_decref(patches);
	json_decref(conf);
	json_decref(make);
	json_decref(env);
	json_decref(in);
	return rc;
}

/* gilbench's environment, for a build (without an outer make's MAKEFLAGS, MFLAGS and
 * MAKELEVEL, whose jobserver is not ours) or for a probe (without PYTHON* variables) */
static void envcopy(struct strlist *e, bool probe)
{
	for (char **v = environ; *v; v++) {
		if (probe && strncmp(*v, "PYTHON", 6) == 0)
			continue;
		if (!probe && (strncmp(*v, "MAKEFLAGS=", 10) == 0 || strncmp(*v, "MFLAGS=", 7) == 0 ||
		               strncmp(*v, "MAKELEVEL=", 10) == 0))
			continue;
		strlist_add(e, *v);
	}
}

/* ccache's hit and miss counters in the cache the build uses; false when unreadable */
static bool ccache_stats(const char *ccache, char *const *envp, long *hits, long *misses)
{
	char *argv[] = { (char *)ccache, "--print-stats", NULL };
	struct spawnopts o = { .argv = argv, .envp = envp, .capture = true, .newgroup = true, .timeout = 60 };
	struct spawnres r;
	char *line, *save = NULL;

	*hits = *misses = 0;
	if (spawn(&o, &r) < 0)
		return false;
	if (!spawn_ok(&r)) {
		spawn_free(&r);
		return false;
	}
	for (line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		long v;
		if (sscanf(line, "%63s %ld", name, &v) != 2)
			continue;
		if (strcmp(name, "direct_cache_hit") == 0 || strcmp(name, "preprocessed_cache_hit") == 0)
			*hits += v;
		else if (strcmp(name, "cache_miss") == 0)
			*misses += v;
	}
	spawn_free(&r);
	return true;
}

/* the last n lines of a file's last 64 KiB, or "" */
static char *logtail(const char *path, int n, size_t max)
{
	struct stat st;
	char *s = NULL, *start, *end;
	ssize_t got;
	off_t off;
	int fd = openreg(path, O_RDONLY);

	if (fd < 0)
		return xstrdup("");
	if (fstat(fd, &st) < 0 || st.st_size == 0) {
		close(fd);
		return xstrdup("");
	}
	off = st.st_size > (off_t)max ? st.st_size - (off_t)max : 0;
	s = xmalloc((size_t)(st.st_size - off) + 1);
	got = pread(fd, s, (size_t)(st.st_size - off), off);
	close(fd);
	if (got < 0)
		got = 0;
	s[got] = '\0';
	end = s + got;
	while (end > s && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
		end--;
	*end = '\0';
	start = end;
	for (int i = 0; i < n && start > s; i++) {
		start--;
		while (start > s && start[-1] != '\n')
			start--;
	}
	memmove(s, start, (size_t)(end - start) + 1);
	return s;
}

/* the profile task's counter in a line like "0:00:10 load avg: 1.2 [ 12/44/1] test_os" */
static bool pgocounter(const char *line, unsigned long *done, unsigned long *total, char *test, size_t testlen)
{
	const char *p = strchr(line, '[');
	char *end;
	size_t n;

	if (!p)
		return false;
	*done = strtoul(p + 1, &end, 10);
	if (end == p + 1 || *end != '/')
		return false;
	*total = strtoul(end + 1, &end, 10);
	while (*end == '/' || isdigit((unsigned char)*end))
		end++;
	if (*end != ']')
		return false;
	end++;
	while (*end == ' ')
		end++;
	if (strncmp(end, "test", 4) != 0)
		return false;
	n = strcspn(end, " \n");
	snprintf(test, testlen, "%.*s", (int)n, end);
	return *total > 0;
}

/* for a compiler command line ("cc -c ... -o x.o /src/Objects/x.c"), the last .c file it
 * names, as its last two path components ("Objects/x.c") */
static char *compiling(const char *line)
{
	const char *w = line, *best = NULL;
	size_t bestn = 0;

	if (!strstr(line, " -c ") || strchr(line, '\n'))
		return NULL;
	while (*w) {
		size_t n = strcspn(w, " ");
		if (n > 2 && strncmp(w + n - 2, ".c", 2) == 0) {
			best = w;
			bestn = n;
		}
		w += n;
		w += strspn(w, " ");
	}
	if (!best)
		return NULL;
	for (int slashes = 0, i = (int)bestn - 1; i > 0; i--)
		if (best[i - 1] == '/' && ++slashes == 2) {
			bestn -= (size_t)i;
			best += i;
			break;
		}
	return xstrndup(best, bestn);
}

struct stepctx {
	struct progress *pr;
	const char *log;
	double lastread;
};

/* spawn's tick: record what the step's log says it is doing */
static void steptick(void *arg, double elapsed)
{
	struct stepctx *c = arg;
	char *tail, *line, test[64];
	unsigned long done, total;
	bool counted = false;

	if (elapsed - c->lastread < 0.5)
		return;
	c->lastread = elapsed;
	tail = logtail(c->log, 30, 8192);
	for (line = tail + strlen(tail); line > tail;) {
		char *eol;
		line--;
		while (line > tail && line[-1] != '\n')
			line--;
		eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		if (pgocounter(line, &done, &total, test, sizeof(test))) {
			progress_total(c->pr, total);
			progress_note(c->pr, "profile task %lu/%lu %s", done, total, test);
			progress_set(c->pr, done);
			counted = true;
			break;
		}
	}
	if (!counted) {
		char *src;
		free(tail);
		tail = logtail(c->log, 1, 4096);
		if ((src = compiling(tail)))
			progress_note(c->pr, "compiling %s", src);
		else
			progress_note(c->pr, "%.70s", tail);
		free(src);
	}
	free(tail);
}

/* add the n-character test name to " test_a test_b" unless it is there */
static void addtest(struct buf *tests, const char *name, size_t n)
{
	char *word = xasprintf(" %.*s ", (int)n, name), *have = xasprintf("%s ", tests->s ? tests->s : "");

	if (!strstr(have, word))
		bufaddf(tests, " %.*s", (int)n, name);
	free(word);
	free(have);
}

/* the failing tests a make log names, as " test_a test_b"; true when the PGO profile task
 * failed and named them. regrtest says "test_x failed (1 failure)" as it goes and ends
 * with "N tests failed:" above the indented names; make says "*** [...profile-run-stamp]". */
static bool pgofailures(const char *log, struct buf *tests)
{
	char *text = NULL, *line, *save = NULL;
	size_t len;
	bool pgo = false, inlist = false;

	if (readfile(log, &text, &len) < 0)
		return false;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *w, *p;

		if (strstr(line, "profile-run-stamp") && strstr(line, "***"))
			pgo = true;
		if (inlist) {
			w = line + strspn(line, " ");
			if (w > line && strncmp(w, "test", 4) == 0) {
				while (*w) {
					size_t n = strcspn(w, " ");
					if (strncmp(w, "test", 4) == 0)
						addtest(tests, w, n);
					w += n;
					w += strspn(w, " ");
				}
				continue;
			}
			inlist = false;
		}
		if (isdigit((unsigned char)line[0]) && (strstr(line, " test failed:") || strstr(line, " tests failed:"))) {
			inlist = true;
			continue;
		}
		p = strstr(line, " failed");
		if (!p)
			continue;
		for (w = p; w > line && w[-1] != ' ' && w[-1] != ']';)
			w--;
		if (strncmp(w, "test_", 5) == 0)
			addtest(tests, w, (size_t)(p - w));
	}
	free(text);
	return pgo && tests->len;
}

static void setfail(struct buildrec *r, const char *step, char *error)
{
	free(r->failed_step);
	free(r->error);
	r->failed_step = xstrdup(step);
	r->error = error;
}

struct job {
	const struct buildconf *bc;
	const struct source *src;
	const struct paths *p;
	char *logdir, *obj, *tmp;
	char *srclink;          /* SLOT/src: a link to the source tree, the path configure is run by */
	struct strlist env;
	struct buildrec *r;
};

/* one step; 0 when it succeeded, 1 when it failed (recorded in the record) */
static int runstep(struct job *j, int step, struct strlist *argv)
{
	char *log = xasprintf("%s/%s.log", j->logdir, stepnames[step]), *copy = NULL, *label = NULL;
	struct buf cmd = {0};
	struct stepctx ctx = {0};
	struct spawnres res = {0};
	struct spawnopts o = { .argv = argv->v, .envp = j->env.v, .cwd = j->obj, .outpath = log,
	                       .newgroup = true, .tick = steptick, .arg = &ctx };
	int rc = 1;

	bufaddf(&cmd, "# gilbench build %s: in %s\n$", j->bc->name, j->obj);
	for (size_t i = 0; i < argv->n; i++)
		bufaddf(&cmd, " %s", argv->v[i]);
	bufadds(&cmd, "\n");
	if (writefile(log, cmd.s, cmd.len) < 0) {
		setfail(j->r, stepnames[step], xstrdup(errmsg()));
		goto cleanup;
	}
	label = xasprintf("build %s: %s", j->bc->name, stepnames[step]);
	ctx.pr = mkprogress(label, PROGRESS_COUNT);
	ctx.log = log;
	if (spawn(&o, &res) < 0) {
		progress_done(ctx.pr, "could not start");
		setfail(j->r, stepnames[step], xstrdup(errmsg()));
		goto cleanup;
	}
	j->r->seconds[step] = res.wall;
	progress_done(ctx.pr, "%s in %.0fs", spawn_ok(&res) ? "done" : spawn_status(&res), res.wall);
	copy = xasprintf("%s/gilbench-%s.log", j->obj, stepnames[step]);
	copyfile(log, copy);
	if (res.interrupted) {
		j->r->interrupted = true;
		setfail(j->r, stepnames[step], xasprintf("%s interrupted", stepnames[step]));
		goto cleanup;
	}
	if (!spawn_ok(&res)) {
		struct buf msg = {0}, tests = {0};
		char *tail = logtail(log, TAIL_LINES, 65536);
		bufaddf(&msg, "%s %s (log: %s)", stepnames[step], spawn_status(&res), log);
		if (step == STEP_MAKE && pgofailures(log, &tests)) {
			bool many = strchr(tests.s + 1, ' ') != NULL;
			bufaddf(&msg, "\nthe PGO profile task failed: test%s%s failed. To skip %s, add to build %s:\n"
			        "  make: {PROFILE_TASK: \"-m test --pgo --timeout=", many ? "s" : "", tests.s,
			        many ? "them" : "it", j->bc->name);
			for (char *t = strtok(tests.s, " "); t; t = strtok(NULL, " "))
				bufaddf(&msg, " --ignore %s", t);
			bufadds(&msg, "\"}");
		}
		if (*tail)
			bufaddf(&msg, "\nlast lines of %s.log:\n%s", stepnames[step], tail);
		setfail(j->r, stepnames[step], msg.s);
		free(tail);
		buffree(&tests);
		goto cleanup;
	}
	rc = 0;
cleanup:
	spawn_free(&res);
	buffree(&cmd);
	free(label);
	free(copy);
	free(log);
	return rc;
}

/* PREFIX/bin/python3.X (python3.Xt for a free-threaded build), or NULL */
static char *findpython(const char *prefix, bool ft)
{
	char *bin = pathjoin(prefix, "bin"), *best = NULL;
	DIR *d = opendir(bin);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		const char *s = e->d_name;
		size_t n;
		bool t;
		if (strncmp(s, "python3.", 8) != 0)
			continue;
		n = strspn(s + 8, "0123456789");
		if (!n)
			continue;
		t = s[8 + n] == 't';
		if (s[8 + n + t] != '\0')
			continue;
		if (!best || t == ft) {
			free(best);
			best = pathjoin(bin, s);
			if (t == ft)
				break;
		}
	}
	if (d)
		closedir(d);
	free(bin);
	return best;
}

/* the marker: what was built, written last into the prefix */
static int writemarker(const struct buildrec *r)
{
	json_t *o = json_object(), *steps = json_object();
	char *path = pathjoin(r->prefix, BUILD_MARKER), *stamp = utcstamp(false);
	int rc;

	json_object_set_new(o, "key", json_string(r->key));
	json_object_set(o, "inputs", r->inputs);
	json_object_set_new(o, "python", json_string(r->python));
	for (int i = 0; i < NSTEPS; i++)
		json_object_set_new(steps, stepnames[i], json_real(r->seconds[i]));
	json_object_set_new(o, "steps", steps);
	json_object_set_new(o, "built", json_string(stamp));
	rc = writejson(path, o, JSON_DOC);
	free(stamp);
	free(path);
	json_decref(o);
	return rc;
}

/* the original build's step times from the marker (best effort) */
static void readmarker(struct buildrec *r)
{
	char *path = pathjoin(r->prefix, BUILD_MARKER);
	json_t *o = NULL, *steps;

	if (readjson(path, false, &o) < 0) /* the marker was checked when the build was found */
		warn("%s", errmsg());
	steps = json_object_get(o, "steps");
	for (int i = 0; i < NSTEPS; i++)
		if (json_is_number(json_object_get(steps, stepnames[i])))
			r->seconds[i] = json_number_value(json_object_get(steps, stepnames[i]));
	json_decref(o);
	free(path);
}

/* the site file that gives configure its cache (see the top), written beside the slot's
 * obj folder, into *site; *cache the cache's path. 0 without them (turned off, or CONFIG_SITE
 * set by the user), -1 with the error */
static int configure_cache(struct job *j, char **site, char **cache)
{
	const char *off = getenv("GILBENCH_CONFIGURE_CACHE");
	char hex[HEXLEN], *script = pathjoin(j->srclink, "configure"), *slot = xstrdup(j->obj), *q;
	struct buf b = {0};
	int rc = -1;

	*site = *cache = NULL;
	if ((off && strcmp(off, "0") == 0) || buildvar(j->bc, "CONFIG_SITE")) {
		rc = 0;
		goto cleanup;
	}
	if (sha256_file(script, hex) < 0)
		goto cleanup;
	*strrchr(slot, '/') = '\0'; /* WORK/slot/SLOT */
	*cache = xasprintf("%s/configure-%.16s.cache", slot, hex);
	*site = xasprintf("%s/configure-%.16s.site", slot, hex);
	bufadds(&b, "# gilbench: autoconf's cache for this slot and configure script\ncache_file='");
	for (q = *cache; *q; q++)
		*q == '\'' ? bufadds(&b, "'\\''") : bufadd(&b, q, 1);
	bufadds(&b, "'\n");
	rc = writefile(*site, b.s, b.len);
cleanup:
	if (rc < 0) {
		free(*site);
		free(*cache);
		*site = *cache = NULL;
	}
	free(b.s);
	free(script);
	free(slot);
	return rc;
}

/* configure (again without its cache when it failed with one); 0 done, 1 failed (recorded) */
static int configure(struct job *j, struct strlist *argv)
{
	char *site = NULL, *cache = NULL;
	int rc;

	if (configure_cache(j, &site, &cache) < 0) {
		errwrap("build %s: configure's cache", j->bc->name);
		setfail(j->r, "configure", xstrdup(errmsg()));
		return 1;
	}
	if (site)
		envset(&j->env, "CONFIG_SITE", site);
	rc = runstep(j, STEP_CONFIGURE, argv);
	if (rc && cache && exists(cache) && !spawn_interrupted) {
		logmsg("build %s: configure failed with its cache %s: again without it", j->bc->name, cache);
		unlink(cache);
		if (rmtree(j->obj) == 0 && mkdirp(j->obj, 0755) == 0) {
			free(j->r->failed_step);
			free(j->r->error);
			j->r->failed_step = j->r->error = NULL;
			rc = runstep(j, STEP_CONFIGURE, argv);
		}
	}
	free(site);
	free(cache);
	return rc;
}

/* configure, make, make install, rename into place, marker; -1 only for errors outside the build */
static int dobuild(struct job *j)
{
	const struct buildconf *bc = j->bc;
	struct strlist argv = {0};
	char *ccache = NULL, *ccdir = NULL, *cc = NULL, *from = NULL, *s;
	long h0 = 0, m0 = 0, h1, m1;
	bool stats = false;
	int rc = -1;

	if (rmtree(j->obj) < 0 || mkdirp(j->obj, 0755) < 0 || rmtree(j->tmp) < 0) {
		errwrap("build %s", bc->name);
		goto cleanup;
	}
	envcopy(&j->env, false);
	for (size_t i = 0; i < bc->env.n; i++)
		envset(&j->env, bc->env.v[i].key, bc->env.v[i].value);
	if ((ccache = findexec("ccache")) && (!getenv("GILBENCH_CCACHE") || strcmp(getenv("GILBENCH_CCACHE"), "0") != 0)) {
		const char *c = buildvar(bc, "CC");
		ccdir = pathjoin(j->p->cache, "ccache");
		envset(&j->env, "CCACHE_DIR", ccdir);
		if (!c || !*c)
			c = "cc";
		if (strncmp(c, "ccache ", 7) != 0) {
			cc = xasprintf("ccache %s", c);
			envset(&j->env, "CC", cc);
		}
		stats = ccache_stats(ccache, j->env.v, &h0, &m0);
	}

	/* configure and the compiler see the source at SLOT/src and build in SLOT/obj: the same
	 * paths for every revision built under this build's name, so ccache finds what a
	 * neighbouring commit already compiled */
	if ((unlink(j->srclink) < 0 && errno != ENOENT) || symlink(j->src->tree, j->srclink) < 0) {
		errorf("build %s: link %s:", bc->name, j->srclink);
		goto cleanup;
	}
	s = pathjoin(j->srclink, "configure");
	strlist_addown(&argv, s);
	for (size_t i = 0; i < bc->configure.n; i++)
		strlist_add(&argv, bc->configure.v[i]);
	strlist_addown(&argv, xasprintf("--prefix=%s", j->r->prefix));
	if (configure(j, &argv))
		goto done;
	strlist_free(&argv);

	strlist_add(&argv, "make");
	strlist_addown(&argv, xasprintf("-j%d", bc->jobs > 0 ? bc->jobs : ncpus()));
	for (size_t i = 0; i < bc->make.n; i++)
		strlist_addown(&argv, xasprintf("%s=%s", bc->make.v[i].key, bc->make.v[i].value));
	if (runstep(j, STEP_MAKE, &argv))
		goto done;
	strlist_free(&argv);

	strlist_add(&argv, "make");
	strlist_add(&argv, "install");
	strlist_addown(&argv, xasprintf("DESTDIR=%s", j->tmp));
	if (runstep(j, STEP_INSTALL, &argv))
		goto done;

	from = xasprintf("%s%s", j->tmp, j->r->prefix);
	if (!isdir(from)) {
		setfail(j->r, "install", xasprintf("make install put nothing in %s", from));
		goto done;
	}
	if (canreplace(j->r->prefix, true) < 0 || rmtree(j->r->prefix) < 0 || rename(from, j->r->prefix) < 0) {
		if (!errmsg()[0] || exists(from))
			errorf("rename %s to %s:", from, j->r->prefix);
		setfail(j->r, "install", xstrdup(errmsg()));
		goto done;
	}
	j->r->python = findpython(j->r->prefix, has_disable_gil(bc));
	if (!j->r->python) {
		setfail(j->r, "install", xasprintf("make install left no python3.X in %s/bin", j->r->prefix));
		rmtree(j->r->prefix);
		goto done;
	}
	if (writemarker(j->r) < 0) {
		errwrap("build %s: marker", bc->name);
		goto cleanup;
	}
done:
	if (stats && !spawn_interrupted && ccache_stats(ccache, j->env.v, &h1, &m1)) {
		j->r->ccache_hits = h1 - h0;
		j->r->ccache_misses = m1 - m0;
	}
	rc = 0;
cleanup:
	rmtree(j->tmp);
	strlist_free(&argv);
	free(from);
	free(cc);
	free(ccdir);
	free(ccache);
	return rc;
}

/* ask the interpreter for its GIL state and compare it with the flags */
static int verify(struct job *j)
{
	struct strlist env = {0};
	struct buf log = {0};
	char *logpath = xasprintf("%s/verify.log", j->logdir);
	bool want_disabled = has_disable_gil(j->bc);
	int rc = 0;

	envcopy(&env, true);
	bufaddf(&log, "# gilbench build %s: probe %s\n", j->bc->name, j->r->python);
	if (interp_probe(j->r->python, env.v, &j->r->interp) < 0) {
		bufaddf(&log, "%s\n", errmsg());
		setfail(j->r, "verify", xstrdup(errmsg()));
		j->r->verify_failed = true;
	} else {
		struct interp *i = &j->r->interp;
		bufaddf(&log, "version: %s\nPy_GIL_DISABLED: %d\nsys._is_gil_enabled(): %s\nCONFIG_ARGS: %s\n",
		        i->version, i->gil_disabled, i->gil_enabled ? "True" : "False", i->config_args);
		if (i->gil_disabled != want_disabled || i->gil_enabled == want_disabled) {
			setfail(j->r, "verify", xasprintf("GIL state does not match the flags: configured %s --disable-gil, "
			        "but %s reports Py_GIL_DISABLED=%d and sys._is_gil_enabled()=%s",
			        want_disabled ? "with" : "without", j->r->python, i->gil_disabled,
			        i->gil_enabled ? "True" : "False"));
			j->r->verify_failed = true;
		}
		bufaddf(&log, "%s\n", j->r->verify_failed ? j->r->error : "ok");
	}
	if (writefile(logpath, log.s, log.len) < 0)
		rc = errwrap("build %s", j->bc->name);
	buffree(&log);
	free(logpath);
	strlist_free(&env);
	return rc;
}

/* The build slot: everything in the key but the source and the patches, so that every
 * revision built with the same flags, environment and compiler is compiled at the same
 * paths (and ccache can reuse what a neighbouring commit compiled). */
static char *slotname(json_t *inputs)
{
	json_t *c = json_deep_copy(inputs);
	char hex[HEXLEN], *text;

	json_object_del(c, "source");
	json_object_del(c, "patches");
	text = json_dumps(c, JSON_SORT_KEYS | JSON_COMPACT);
	if (!text)
		fatal("json_dumps: out of memory");
	sha256_str(text, hex);
	free(text);
	json_decref(c);
	return xasprintf("%.16s", hex);
}

int build_one(const struct config *cfg, size_t b, const struct source *src, const struct paths *p,
              const char *rundir, struct buildrec *out)
{
	struct job j = { .bc = &cfg->builds[b], .src = src, .p = p, .r = out };
	char key[HEXLEN], *prefixes = NULL, *marker = NULL, *lockpath = NULL, *what = NULL, *slot = NULL;
	struct lock *lk = NULL, *slotlk = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->name = xstrdup(j.bc->name);
	if (build_key(cfg, b, src, key, &out->inputs) < 0)
		goto cleanup;
	out->key = xstrdup(key);
	prefixes = pathjoin(p->work, "prefix");
	out->prefix = pathjoin(prefixes, key);
	slot = slotname(out->inputs);
	j.obj = xasprintf("%s/slot/%s/obj", p->work, slot);
	j.srclink = xasprintf("%s/slot/%s/src", p->work, slot);
	j.tmp = xasprintf("%s/.tmp-%s", prefixes, key);
	j.logdir = xasprintf("%s/%s/%s", rundir, RUN_BUILDS, j.bc->name);
	marker = pathjoin(out->prefix, BUILD_MARKER);
	if (mkdirp(j.logdir, 0755) < 0 || mkdirp(prefixes, 0755) < 0) {
		errwrap("build %s", j.bc->name);
		goto cleanup;
	}
	out->reused = exists(marker);
	if (!out->reused) {
		lockpath = xasprintf("%s.lock", out->prefix);
		what = xasprintf("build %s (%.12s)", j.bc->name, key);
		if (lock_take(lockpath, true, what, &lk) < 0)
			goto cleanup;
		out->reused = exists(marker);
		if (!out->reused) {
			/* then the slot: builds of other revisions with the same flags take turns in
			 * it (always prefix first, then slot, so two of them cannot deadlock) */
			free(lockpath);
			free(what);
			lockpath = xasprintf("%s/slot/%s.lock", p->work, slot);
			what = xasprintf("the build folder %s/slot/%s", p->work, slot);
			if (mkdirp(j.obj, 0755) < 0 || lock_take(lockpath, true, what, &slotlk) < 0)
				goto cleanup;
			logmsg("build %s: building %.12s in %s", j.bc->name, key, j.obj);
			if (dobuild(&j) < 0)
				goto cleanup;
		}
	}
	if (out->reused) {
		readmarker(out);
		out->python = findpython(out->prefix, has_disable_gil(j.bc));
		if (!out->python)
			setfail(out, "install", xasprintf("no python3.X in %s/bin (remove %s to rebuild)", out->prefix, out->prefix));
		else
			logmsg("build %s: reusing %.12s (%s)", j.bc->name, key, out->python);
	}
	if (!out->failed_step && verify(&j) < 0)
		goto cleanup;
	out->ok = !out->failed_step;
	if (buildrec_write(rundir, out) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	lock_release(slotlk);
	lock_release(lk);
	strlist_free(&j.env);
	free(j.obj);
	free(j.srclink);
	free(slot);
	free(j.tmp);
	free(j.logdir);
	free(prefixes);
	free(marker);
	free(lockpath);
	free(what);
	return rc;
}

static json_t *jstrornull(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;

	return v ? v : json_null();
}

int buildrec_write(const char *rundir, const struct buildrec *r)
{
	json_t *o = json_object(), *steps = json_object(), *cc = json_object();
	char *path = xasprintf("%s/%s/%s/%s", rundir, RUN_BUILDS, r->name, RUN_BUILDREC);
	bool probed = r->interp.version != NULL;
	int rc;

	json_object_set_new(o, "name", json_string(r->name));
	json_object_set_new(o, "key", jstrornull(r->key));
	json_object_set(o, "inputs", r->inputs ? r->inputs : json_null());
	json_object_set_new(o, "prefix", jstrornull(r->prefix));
	json_object_set_new(o, "python", jstrornull(r->python));
	json_object_set_new(o, "reused", json_boolean(r->reused));
	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "interrupted", json_boolean(r->interrupted));
	json_object_set_new(o, "error", jstrornull(r->error));
	json_object_set_new(o, "failed_step", jstrornull(r->failed_step));
	for (int i = 0; i < NSTEPS; i++)
		json_object_set_new(steps, stepnames[i], json_real(r->seconds[i]));
	json_object_set_new(o, "steps", steps);
	json_object_set_new(o, "gil_disabled", probed ? json_boolean(r->interp.gil_disabled) : json_null());
	json_object_set_new(o, "gil_enabled_at_runtime", probed ? json_boolean(r->interp.gil_enabled) : json_null());
	json_object_set_new(o, "version", jstrornull(r->interp.version));
	json_object_set_new(o, "number", jstrornull(r->interp.number));
	json_object_set_new(o, "executable", jstrornull(r->interp.executable));
	json_object_set_new(o, "config_args", jstrornull(r->interp.config_args));
	json_object_set_new(o, "cc", jstrornull(r->interp.cc));
	json_object_set_new(cc, "hits", json_integer(r->ccache_hits));
	json_object_set_new(cc, "misses", json_integer(r->ccache_misses));
	json_object_set_new(o, "ccache", cc);
	rc = writejson(path, o, JSON_DOC);
	if (rc < 0)
		errwrap("build %s: record", r->name);
	free(path);
	json_decref(o);
	return rc;
}

int buildrec_read(const char *rundir, const char *name, struct buildrec *r)
{
	char *path = xasprintf("%s/%s/%s/%s", rundir, RUN_BUILDS, name, RUN_BUILDREC);
	json_t *o = NULL, *steps, *cc;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (readjson(path, false, &o) < 0)
		goto cleanup;
	if (!json_is_object(o) || !json_is_string(json_object_get(o, "name")) || !json_is_string(json_object_get(o, "key"))) {
		errorf("%s: not a build record (no name or key)", path);
		goto cleanup;
	}
	r->name = jstrdup(o, "name");
	r->key = jstrdup(o, "key");
	r->inputs = json_incref(json_object_get(o, "inputs"));
	r->prefix = jstrdup(o, "prefix");
	r->python = jstrdup(o, "python");
	r->reused = json_is_true(json_object_get(o, "reused"));
	r->ok = json_is_true(json_object_get(o, "ok"));
	r->interrupted = json_is_true(json_object_get(o, "interrupted"));
	r->error = jstrdup(o, "error");
	r->failed_step = jstrdup(o, "failed_step");
	r->verify_failed = r->failed_step && strcmp(r->failed_step, "verify") == 0;
	steps = json_object_get(o, "steps");
	for (int i = 0; i < NSTEPS; i++)
		r->seconds[i] = json_number_value(json_object_get(steps, stepnames[i]));
	r->interp.gil_disabled = json_is_true(json_object_get(o, "gil_disabled"));
	r->interp.gil_enabled = json_is_true(json_object_get(o, "gil_enabled_at_runtime"));
	r->interp.version = jstrdup(o, "version");
	r->interp.number = jstrdup(o, "number");
	r->interp.executable = jstrdup(o, "executable");
	r->interp.config_args = jstrdup(o, "config_args");
	r->interp.cc = jstrdup(o, "cc");
	cc = json_object_get(o, "ccache");
	r->ccache_hits = (long)json_integer_value(json_object_get(cc, "hits"));
	r->ccache_misses = (long)json_integer_value(json_object_get(cc, "misses"));
	rc = 0;
cleanup:
	json_decref(o);
	free(path);
	return rc;
}

void buildrec_free(struct buildrec *r)
{
	free(r->name);
	free(r->key);
	json_decref(r->inputs);
	free(r->prefix);
	free(r->python);
	free(r->error);
	free(r->failed_step);
	interp_free(&r->interp);
	memset(r, 0, sizeof(*r));
}

void buildrecs_free(struct buildrec *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buildrec_free(&v[i]);
	free(v);
}
