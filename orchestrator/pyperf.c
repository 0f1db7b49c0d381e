/* pyperf.c: results in pyperf's JSON format, version "1.0" (see pyperf.h).
 *
 * The layout follows pyperf's documented format (pyperf/_bench.py, BenchmarkSuite and
 * Run): {"version": "1.0", "metadata": {...}, "benchmarks": [{"metadata": {"name": ...,
 * "unit": "second", "loops": 1}, "runs": [{"metadata": {...}, "warmups": [[1, v]],
 * "values": [v]}]}]}. pyperf's rules are kept: values are numbers > 0, warmups are
 * (loops >= 1, value >= 0) pairs, metadata values are non-empty strings without newlines
 * or numbers, "date" is "YYYY-MM-DD HH:MM:SS", a benchmark without any value is left out,
 * and a variant without any benchmark gets no file (pyperf refuses an empty suite).
 * jansson builds and writes the JSON. */
#include "pyperf.h"

#include <math.h>
#include <string.h>

#include "util.h"

/* a metadata string as pyperf accepts it: trimmed, no newlines, not empty; or NULL */
static json_t *mdstring(const char *s)
{
	char *v, *p;
	size_t n;
	json_t *j;

	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	v = xstrdup(s);
	for (p = v; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		v[--n] = 0;
	j = n ? json_string(v) : NULL;
	free(v);
	return j;
}

static void setmd(json_t *o, const char *key, json_t *v)
{
	if (v)
		json_object_set_new(o, key, v);
}

/* "2026-11-25T09:30:00Z" -> "2026-11-25 09:30:00" (pyperf's date form) */
static json_t *mddate(const char *stamp)
{
	char buf[32];
	size_t n;

	if (!stamp || strlen(stamp) < 19)
		return NULL;
	n = strlen(stamp) < sizeof(buf) - 1 ? strlen(stamp) : sizeof(buf) - 1;
	memcpy(buf, stamp, n);
	buf[n] = 0;
	if (buf[10] == 'T')
		buf[10] = ' ';
	if (n && buf[n - 1] == 'Z')
		buf[n - 1] = 0;
	return json_string(buf);
}

static bool trial_in(const struct trial *t, const struct config *cfg, const struct plan *plan,
                     size_t point, size_t variant)
{
	const struct point *pt = &plan->points[point];

	return t->experiment && t->variant && t->point &&
	       strcmp(t->experiment, cfg->exps[pt->exp].name) == 0 &&
	       strcmp(t->variant, cfg->variants[variant].name) == 0 &&
	       strcmp(t->point, pt->label) == 0;
}

static json_t *benchmark(const struct config *cfg, const struct plan *plan, size_t point,
                         size_t variant, const struct trial *t, size_t n)
{
	const struct point *pt = &plan->points[point];
	const struct expconf *e = &cfg->exps[pt->exp];
	json_t *b, *md, *runs, *warm;
	size_t i;
	bool first = true;

	warm = json_array();
	for (i = 0; i < n; i++)
		if (t[i].warmup && t[i].status == TRIAL_OK && isfinite(t[i].metric) && t[i].metric >= 0 &&
		    trial_in(&t[i], cfg, plan, point, variant))
			json_array_append_new(warm, json_pack("[i f]", 1, t[i].metric));
	runs = json_array();
	for (i = 0; i < n; i++) {
		json_t *run, *rmd;

		if (t[i].warmup || t[i].status != TRIAL_OK || !isfinite(t[i].metric) || t[i].metric <= 0 ||
		    !trial_in(&t[i], cfg, plan, point, variant))
			continue;
		run = json_object();
		rmd = json_object();
		setmd(rmd, "date", mddate(t[i].started));
		if (isfinite(t[i].wall) && t[i].wall >= 0)
			json_object_set_new(rmd, "duration", json_real(t[i].wall));
		if (t[i].maxrss_kb > 0)
			json_object_set_new(rmd, "mem_max_rss", json_integer((json_int_t)t[i].maxrss_kb * 1024));
		json_object_set_new(rmd, "gilbench_round", json_integer(t[i].round));
		json_object_set_new(run, "metadata", rmd);
		if (first && json_array_size(warm) > 0)
			json_object_set(run, "warmups", warm);
		json_object_set_new(run, "values", json_pack("[f]", t[i].metric));
		json_array_append_new(runs, run);
		first = false;
	}
	json_decref(warm);
	if (json_array_size(runs) == 0) {
		json_decref(runs);
		return NULL;
	}
	md = json_object();
	if (*pt->label)
		json_object_set_new(md, "name", json_sprintf("%s[%s]", e->name, pt->label));
	else
		json_object_set_new(md, "name", json_string(e->name));
	json_object_set_new(md, "unit", json_string(strcmp(e->metric, "seconds") == 0 ? "second" : "integer"));
	json_object_set_new(md, "loops", json_integer(1));
	setmd(md, "description", mdstring(e->title));
	setmd(md, "gilbench_experiment", mdstring(e->name));
	setmd(md, "gilbench_point", mdstring(pt->label));
	b = json_object();
	json_object_set_new(b, "metadata", md);
	json_object_set_new(b, "runs", runs);
	return b;
}

json_t *pyperf_suite(const struct config *cfg, const struct plan *plan, size_t variant,
                     const struct trial *t, size_t n, json_t *buildrec)
{
	json_t *suite, *md, *benches;
	size_t p;

	benches = json_array();
	for (p = 0; p < plan->npoints; p++) {
		json_t *b = benchmark(cfg, plan, p, variant, t, n);
		if (b)
			json_array_append_new(benches, b);
	}
	if (json_array_size(benches) == 0) {
		json_decref(benches);
		return NULL;
	}
	md = json_object();
	setmd(md, "gilbench_version", mdstring(VERSION));
	setmd(md, "gilbench_config", mdstring(cfg->name));
	setmd(md, "gilbench_variant", mdstring(cfg->variants[variant].name));
	setmd(md, "python_implementation", json_string("cpython"));
	if (buildrec) {
		setmd(md, "python_version", mdstring(json_string_value(json_object_get(buildrec, "version"))));
		setmd(md, "python_executable", mdstring(json_string_value(json_object_get(buildrec, "python"))));
	}
	suite = json_object();
	json_object_set_new(suite, "version", json_string("1.0"));
	json_object_set_new(suite, "metadata", md);
	json_object_set_new(suite, "benchmarks", benches);
	return suite;
}

int pyperf_write(const char *dir, const struct config *cfg, const struct plan *plan,
                 const struct trial *t, size_t n, json_t *const *buildrecs)
{
	json_t *suite = NULL;
	char *path = NULL;
	int rc = -1;

	if (mkdirp(dir, 0755) < 0)
		return errwrap("pyperf");
	for (size_t v = 0; v < cfg->nvariants; v++) {
		suite = pyperf_suite(cfg, plan, v, t, n, buildrecs ? buildrecs[cfg->variants[v].build] : NULL);
		if (!suite)
			continue;
		path = xasprintf("%s/%s.json", dir, cfg->variants[v].name);
		if (writejson(path, suite, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)) < 0) {
			errwrap("pyperf");
			goto cleanup;
		}
		json_decref(suite);
		free(path);
		suite = NULL;
		path = NULL;
	}
	rc = 0;
cleanup:
	json_decref(suite);
	free(path);
	return rc;
}
