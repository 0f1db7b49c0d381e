/* canary.c: the speed canary and this machine's reference speed (see canary.h).
 *
 * The C workload is a xorshift64 chain folded into an accumulator with a multiply: every
 * step depends on the one before, it touches no memory, and its length is read through a
 * volatile, so the compiler can neither fold nor vectorise it and it measures the core's
 * integer speed alone. Its result goes to a volatile sink. The Python workload is a short
 * loop of integer arithmetic in a function, run with `PYTHON -S -c CODE ITERS REPS` through
 * spawn(); it times each repetition with time.perf_counter and time.thread_time and prints
 * one JSON object, whose result is checked against the same loop computed here.
 *
 * A sample is the median of its repetitions: interruptions only ever add time, and the
 * median of three ignores one interrupted repetition as the minimum would, while one
 * repetition that happens to fall between a throttled host's bursts cannot make a slow
 * machine look normal, as it would with the minimum.
 *
 * The reference file is JSON (jansson): format, version, machine_id, machine, rule and
 * series {NAME: {label, reference, updated, runs: [{at, median, samples}]}}, times in
 * seconds. It is read
 * whole and checked member by member (a bad one is an error naming the file and member,
 * never a silent reset), and rewritten with writefile() (temporary, fsync, rename) under a
 * flock on MACHINE.lock beside it, after re-reading it, so concurrent runs each add their
 * run. The reference is gsl_stats_quantile_from_sorted_data at CANARY_QUANTILE of the
 * kept runs' medians: their median, the machine's typical speed. (A fast quantile, the
 * 20th percentile once, sits below most normal runs: on a machine whose speed drifts by 5
 * to 10% it called most rounds of an idle run slow.) */
#include "canary.h"
#include "lock.h"
#include "spawn.h"
#include "stats.h"
#include "sysinfo.h"
#include "util.h"

#include <errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#define FORMAT "gilbench canary reference"
#define RULE "the median of the medians of the last 20 runs"

struct canary_store {
	char *dir, *path, *lockpath;
	char id[HEXLEN];
	json_t *machine;
	json_t *doc;            /* the file's content, or an empty document */
};

static volatile uint64_t sink; /* the C workload's result goes here, so it must be computed */

static const char pycode[] =
	"import json, sys, time\n"
	"def loop(n):\n"
	"    x = 0\n"
	"    for i in range(n):\n"
	"        x = (x * 31 + i) & 0xFFFFFFFF\n"
	"    return x\n"
	"n, k = int(sys.argv[1]), int(sys.argv[2])\n"
	"reps = []\n"
	"for _ in range(k):\n"
	"    w = time.perf_counter(); c = time.thread_time()\n"
	"    x = loop(n)\n"
	"    c = time.thread_time() - c; w = time.perf_counter() - w\n"
	"    reps.append([w, c])\n"
	"print(json.dumps({'result': x, 'reps': reps, 'version': sys.version,\n"
	"                  'number': sys.version.split()[0]}))\n";

static char *const minenv[] = {
	"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1", NULL,
};

uint64_t canary_work(uint32_t iters)
{
	volatile uint32_t vn = iters; /* read at run time: the loop's length is unknown to the compiler */
	uint32_t n = vn;
	uint64_t x = 0x9e3779b97f4a7c15u, acc = 0;

	for (uint32_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc = (acc ^ (x * 0xff51afd7ed558ccdu)) + (acc >> 29);
	}
	return acc ^ x;
}

uint64_t canary_py_expected(uint32_t iters)
{
	uint64_t x = 0;

	for (uint32_t i = 0; i < iters; i++)
		x = (x * 31 + i) & 0xffffffffu;
	return x;
}

static double clocksec(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* the median of the repetitions' wall and CPU times into the sample */
static void medians(struct canary_sample *s)
{
	double w[CANARY_MAXREPS], c[CANARY_MAXREPS];

	for (int i = 0; i < s->nreps; i++) {
		w[i] = s->reps[i].wall;
		c[i] = s->reps[i].cpu;
	}
	s->wall = gsl_stats_median(w, 1, (size_t)s->nreps);
	s->cpu = gsl_stats_median(c, 1, (size_t)s->nreps);
}

static int checkreps(int reps)
{
	if (reps < 1 || reps > CANARY_MAXREPS)
		return errorf("canary: %d repetitions (1 to %d)", reps, CANARY_MAXREPS);
	return 0;
}

int canary_c(const char *cpus, int reps, struct canary_sample *out)
{
	cpu_set_t saved, want;
	double start = now();

	memset(out, 0, sizeof(*out));
	if (checkreps(reps) < 0)
		return -1;
	if (cpus) {
		if (cpulist_parse(cpus, &want) < 0)
			return errwrap("canary");
		if (sched_getaffinity(0, sizeof(saved), &saved) < 0)
			return errorf("canary: read the CPU affinity:");
		if (sched_setaffinity(0, sizeof(want), &want) < 0)
			return errorf("canary: pin to CPUs %s:", cpus);
	}
	out->at = time(NULL);
	for (int i = 0; i < reps; i++) {
		double w = clocksec(CLOCK_MONOTONIC), c = clocksec(CLOCK_THREAD_CPUTIME_ID);
		uint64_t r = canary_work(CANARY_C_ITERS);
		c = clocksec(CLOCK_THREAD_CPUTIME_ID) - c;
		w = clocksec(CLOCK_MONOTONIC) - w;
		sink = r;
		out->reps[i] = (struct canary_rep){ w, c };
		out->result = r;
	}
	if (cpus && sched_setaffinity(0, sizeof(saved), &saved) < 0)
		return errorf("canary: restore the CPU affinity after pinning to %s:", cpus);
	out->nreps = reps;
	medians(out);
	out->series = xstrdup(CANARY_SERIES_C);
	out->label = xstrdup("C");
	out->cost = now() - start;
	return 0;
}

/* a positive (nonneg: non-negative) number member of o, or -1 with the error naming key */
static int getnum(json_t *o, const char *key, bool nonneg, double *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < 0 ||
	    (!nonneg && json_number_value(v) == 0))
		return errorf("'%s' is missing or not a %s number", key, nonneg ? "non-negative" : "positive");
	*out = json_number_value(v);
	return 0;
}

static int getrep(json_t *a, size_t i, struct canary_rep *r)
{
	json_t *e = json_array_get(a, i), *w = json_array_get(e, 0), *c = json_array_get(e, 1);

	if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_number(w) || !json_is_number(c) ||
	    !(json_number_value(w) > 0) || !(json_number_value(c) >= 0) || !isfinite(json_number_value(w)) ||
	    !isfinite(json_number_value(c)))
		return errorf("'reps[%zu]' is not [wall, cpu] with wall > 0 and cpu >= 0", i);
	r->wall = json_number_value(w);
	r->cpu = json_number_value(c);
	return 0;
}

/* the Python canary's output object into out (reps repetitions of iters), checked */
static int pyparse(json_t *root, const char *python, int reps, struct canary_sample *out)
{
	json_t *res = json_object_get(root, "result"), *a = json_object_get(root, "reps");
	json_t *ver = json_object_get(root, "version"), *num = json_object_get(root, "number");
	uint64_t want = canary_py_expected(CANARY_PY_ITERS);
	char hex[HEXLEN], *key;

	if (!json_is_integer(res))
		return errorf("'result' is missing or not an integer");
	if ((uint64_t)json_integer_value(res) != want)
		return errorf("the loop computed %" JSON_INTEGER_FORMAT " instead of %llu", json_integer_value(res),
		              (unsigned long long)want);
	if (!json_is_array(a) || json_array_size(a) != (size_t)reps)
		return errorf("'reps' is not an array of %d repetitions", reps);
	if (!json_is_string(ver) || !json_is_string(num))
		return errorf("'version' or 'number' is missing or not a string");
	for (int i = 0; i < reps; i++)
		if (getrep(a, (size_t)i, &out->reps[i]) < 0)
			return -1;
	out->nreps = reps;
	out->result = want;
	medians(out);
	key = xasprintf("%s\n%s", json_string_value(ver), python);
	sha256_str(key, hex);
	free(key);
	out->series = xasprintf("python:%.16s", hex);
	out->label = xasprintf("Python %s at %s", json_string_value(num), python);
	return 0;
}

int canary_python(const char *python, char *const *envp, const char *cpus, int reps, struct canary_sample *out)
{
	char nbuf[16], kbuf[16];
	char *argv[] = { (char *)python, "-S", "-c", (char *)pycode, nbuf, kbuf, NULL };
	struct spawnopts o = { .argv = argv, .envp = envp ? envp : minenv, .capture = true, .newgroup = true,
	                       .timeout = CANARY_PY_TIMEOUT, .cpus = cpus };
	struct spawnres r = {0};
	json_error_t jerr;
	json_t *root = NULL;
	char *line = NULL;
	double start = now();
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (checkreps(reps) < 0)
		return -1;
	snprintf(nbuf, sizeof(nbuf), "%u", CANARY_PY_ITERS);
	snprintf(kbuf, sizeof(kbuf), "%d", reps);
	out->at = time(NULL);
	if (spawn(&o, &r) < 0) {
		errwrap("canary %s", python);
		goto cleanup;
	}
	if (!spawn_ok(&r)) {
		line = lastline(r.err, 300);
		errorf("canary %s: %s%s%s", python, spawn_status(&r), *line ? ": " : "", line);
		goto cleanup;
	}
	line = lastline(r.out, 65536);
	root = json_loads(line, 0, &jerr);
	if (!json_is_object(root)) {
		errorf("canary %s: output is not a JSON object (%s): '%.80s'", python, root ? "not an object" : jerr.text, line);
		goto cleanup;
	}
	if (pyparse(root, python, reps, out) < 0) {
		errwrap("canary %s: output", python);
		canary_sample_free(out);
		goto cleanup;
	}
	out->cost = now() - start;
	rc = 0;
cleanup:
	json_decref(root);
	free(line);
	spawn_free(&r);
	return rc;
}

void canary_sample_free(struct canary_sample *s)
{
	free(s->series);
	free(s->label);
	memset(s, 0, sizeof(*s));
}

static json_t *stampjson(time_t t)
{
	struct tm tm;
	char b[32];

	gmtime_r(&t, &tm);
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(b);
}

json_t *canary_sample_json(const struct canary_sample *s)
{
	json_t *reps = json_array();
	char result[17];

	for (int i = 0; i < s->nreps; i++)
		json_array_append_new(reps, json_pack("[f,f]", s->reps[i].wall, s->reps[i].cpu));
	snprintf(result, sizeof(result), "%016llx", (unsigned long long)s->result);
	return json_pack("{s:s,s:s,s:o,s:f,s:f,s:f,s:s,s:o}", "series", s->series ? s->series : "",
	                 "label", s->label ? s->label : "", "at", stampjson(s->at), "wall", s->wall, "cpu", s->cpu,
	                 "cost", s->cost, "result", result, "reps", reps);
}

int canary_sample_parse(json_t *j, struct canary_sample *out)
{
	json_t *series = json_object_get(j, "series"), *label = json_object_get(j, "label");
	json_t *at = json_object_get(j, "at"), *res = json_object_get(j, "result"), *a = json_object_get(j, "reps");
	struct tm tm = {0};
	const char *end;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j))
		return errorf("canary sample: not an object");
	if (!json_is_string(series) || !json_is_string(label))
		return errorf("canary sample: 'series' or 'label' is missing or not a string");
	if (!json_is_string(at) || !(end = strptime(json_string_value(at), "%Y-%m-%dT%H:%M:%SZ", &tm)) || *end)
		return errorf("canary sample: 'at' is missing or not a UTC time stamp");
	if (!json_is_string(res) || strlen(json_string_value(res)) != 16 ||
	    strspn(json_string_value(res), "0123456789abcdef") != 16)
		return errorf("canary sample: 'result' is missing or not 16 hex digits");
	if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > CANARY_MAXREPS)
		return errorf("canary sample: 'reps' is not an array of 1 to %d repetitions", CANARY_MAXREPS);
	if (getnum(j, "wall", false, &out->wall) < 0 || getnum(j, "cpu", true, &out->cpu) < 0 ||
	    getnum(j, "cost", true, &out->cost) < 0)
		return errwrap("canary sample");
	for (size_t i = 0; i < json_array_size(a); i++)
		if (getrep(a, i, &out->reps[i]) < 0)
			return errwrap("canary sample");
	out->nreps = (int)json_array_size(a);
	out->at = timegm(&tm);
	out->result = strtoull(json_string_value(res), NULL, 16);
	out->series = xstrdup(json_string_value(series));
	out->label = xstrdup(json_string_value(label));
	return 0;
}

double canary_slowdown(double sample, double reference)
{
	if (!(sample > 0) || !(reference > 0) || !isfinite(sample) || !isfinite(reference))
		return NAN;
	return sample / reference - 1;
}

bool canary_is_slow(double sample, double reference, double threshold)
{
	double d = canary_slowdown(sample, reference);

	return !isnan(d) && d > threshold;
}

void canary_judge(const double *samples, size_t n, double reference, double threshold, struct canary_verdict *v)
{
	struct summary s;

	memset(v, 0, sizeof(*v));
	stats_summary(samples, n, &s);
	v->n = n;
	v->median = s.median;
	v->cv = s.cv;
	v->median_slowdown = canary_slowdown(s.median, reference);
	v->slow_share = NAN;
	if (isnan(v->median_slowdown))
		return;
	for (size_t i = 0; i < n; i++)
		v->nslow += canary_is_slow(samples[i], reference, threshold);
	v->slow_share = (double)v->nslow / (double)n;
	v->slow_run = v->median_slowdown > threshold;
}

/* the machine */

static json_t *member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v ? json_incref(v) : json_null();
}

json_t *canary_machine(void)
{
	json_t *m = sysinfo_machine(), *mem = json_object_get(m, "memory_kb"), *out;
	struct utsname u;
	bool un = uname(&u) == 0;

	out = json_object();
	json_object_set_new(out, "cpu", member(m, "cpu"));
	json_object_set_new(out, "cores", member(m, "cores"));
	json_object_set_new(out, "memory_mib", json_is_integer(mem) ? json_integer(json_integer_value(mem) / 1024)
	                                                            : json_null());
	json_object_set_new(out, "kernel", un ? json_string(u.release) : json_null());
	json_object_set_new(out, "hostname", un ? json_string(u.nodename) : json_null());
	json_decref(m);
	return out;
}

void canary_machine_id(const json_t *machine, char hex[HEXLEN])
{
	char *s = json_dumps(machine, JSON_COMPACT | JSON_SORT_KEYS);

	sha256_str(s ? s : "", hex);
	free(s);
}

double canary_rule(const double *medians_, size_t n)
{
	size_t k = n > CANARY_HISTORY ? CANARY_HISTORY : n;
	double v[CANARY_HISTORY];

	if (k == 0)
		return NAN;
	memcpy(v, medians_ + (n - k), k * sizeof(*v));
	gsl_sort(v, 1, k);
	return gsl_stats_quantile_from_sorted_data(v, 1, k, CANARY_QUANTILE);
}

/* the reference file */

static json_t *newdoc(const struct canary_store *s)
{
	return json_pack("{s:s,s:i,s:s,s:O,s:s,s:{}}", "format", FORMAT, "version", 1, "machine_id", s->id,
	                 "machine", s->machine, "rule", RULE, "series");
}

static int checkrun(json_t *run, size_t i)
{
	json_t *n = json_object_get(run, "samples");
	double d;

	if (!json_is_object(run))
		return errorf("runs[%zu] is not an object", i);
	if (!json_is_string(json_object_get(run, "at")))
		return errorf("runs[%zu]: 'at' is missing or not a string", i);
	if (getnum(run, "median", false, &d) < 0)
		return errwrap("runs[%zu]", i);
	if (!json_is_integer(n) || json_integer_value(n) < 1)
		return errorf("runs[%zu]: 'samples' is missing or not a positive integer", i);
	return 0;
}

static int checkseries(json_t *o)
{
	json_t *runs = json_object_get(o, "runs");
	double d;

	if (!json_is_object(o))
		return errorf("not an object");
	if (!json_is_string(json_object_get(o, "label")) || !json_is_string(json_object_get(o, "updated")))
		return errorf("'label' or 'updated' is missing or not a string");
	if (getnum(o, "reference", false, &d) < 0)
		return -1;
	if (!json_is_array(runs) || json_array_size(runs) == 0)
		return errorf("'runs' is missing, empty or not an array");
	for (size_t i = 0; i < json_array_size(runs); i++)
		if (checkrun(json_array_get(runs, i), i) < 0)
			return -1;
	return 0;
}

static int checkdoc(const struct canary_store *s, json_t *doc)
{
	json_t *fmt = json_object_get(doc, "format"), *id = json_object_get(doc, "machine_id");
	json_t *series = json_object_get(doc, "series"), *v;
	const char *name;

	if (!json_is_object(doc))
		return errorf("not a JSON object");
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), FORMAT) != 0)
		return errorf("'format' is not \"%s\"", FORMAT);
	if (json_integer_value(json_object_get(doc, "version")) != 1)
		return errorf("'version' is not 1");
	if (!json_is_string(id))
		return errorf("'machine_id' is missing or not a string");
	if (strcmp(json_string_value(id), s->id) != 0)
		return errorf("made on another machine (%.12s), not this one (%.12s)", json_string_value(id), s->id);
	if (!json_is_object(series))
		return errorf("'series' is missing or not an object");
	json_object_foreach(series, name, v)
		if (checkseries(v) < 0)
			return errwrap("series '%s'", name);
	return 0;
}

/* the file's document into *out: a new empty one when the file does not exist */
static int readdoc(const struct canary_store *s, json_t **out)
{
	struct stat st;
	json_error_t jerr;
	char *data = NULL;
	size_t len;
	json_t *doc;

	*out = NULL;
	if (lstat(s->path, &st) < 0) {
		if (errno != ENOENT)
			return errorf("canary reference %s:", s->path);
		*out = newdoc(s);
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return errorf("canary reference %s: not a regular file", s->path);
	if (readfile(s->path, &data, &len) < 0)
		return errwrap("canary reference");
	doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	free(data);
	if (!doc)
		return errorf("canary reference %s:%d:%d: %s (remove the file to start a new reference)", s->path,
		              jerr.line, jerr.column, jerr.text);
	if (checkdoc(s, doc) < 0) {
		json_decref(doc);
		return errwrap("canary reference %s (remove the file to start a new reference)", s->path);
	}
	*out = doc;
	return 0;
}

int canary_store_open(const char *cache, struct canary_store **out)
{
	struct canary_store *s = xcalloc(1, sizeof(*s));

	*out = NULL;
	s->machine = canary_machine();
	canary_machine_id(s->machine, s->id);
	s->dir = pathjoin(cache, "canary");
	s->path = xasprintf("%s/%s.json", s->dir, s->id);
	s->lockpath = xasprintf("%s/%s.lock", s->dir, s->id);
	if (readdoc(s, &s->doc) < 0) {
		delcanarystore(s);
		return -1;
	}
	*out = s;
	return 0;
}

double canary_store_reference(const struct canary_store *s, const char *series, size_t *nruns)
{
	json_t *o = json_object_get(json_object_get(s->doc, "series"), series);

	if (nruns)
		*nruns = json_array_size(json_object_get(o, "runs"));
	return o ? json_number_value(json_object_get(o, "reference")) : NAN;
}

/* drop the least recently updated series other than keep while there are too many */
static void prune(json_t *series, const char *keep)
{
	while (json_object_size(series) > CANARY_MAXSERIES) {
		const char *name, *oldest = NULL, *ou = NULL;
		json_t *v;
		json_object_foreach(series, name, v) {
			const char *u = json_string_value(json_object_get(v, "updated"));
			if (strcmp(name, keep) != 0 && (!oldest || strcmp(u, ou) < 0)) {
				oldest = name;
				ou = u;
			}
		}
		json_object_del(series, oldest);
	}
}

/* add a run with this median to the series of doc, recomputing its reference */
static void addrun(json_t *doc, const char *series, const char *label, double median, size_t n)
{
	json_t *all = json_object_get(doc, "series"), *o = json_object_get(all, series), *runs, *stamp;
	double v[CANARY_HISTORY];
	size_t k;

	if (!o) {
		o = json_pack("{s:s,s:f,s:s,s:[]}", "label", label, "reference", median, "updated", "", "runs");
		json_object_set_new(all, series, o);
	}
	runs = json_object_get(o, "runs");
	stamp = stampjson(time(NULL));
	json_array_append_new(runs, json_pack("{s:O,s:f,s:I}", "at", stamp, "median", median, "samples", (json_int_t)n));
	while (json_array_size(runs) > CANARY_HISTORY)
		json_array_remove(runs, 0);
	k = json_array_size(runs);
	for (size_t i = 0; i < k; i++)
		v[i] = json_number_value(json_object_get(json_array_get(runs, i), "median"));
	json_object_set_new(o, "label", json_string(label));
	json_object_set_new(o, "reference", json_real(canary_rule(v, k)));
	json_object_set_new(o, "updated", stamp);
	prune(all, series);
}

int canary_store_record(struct canary_store *s, const char *series, const char *label, const double *samples, size_t n)
{
	struct lock *l = NULL;
	json_t *doc = NULL;
	char *dump = NULL, *text = NULL;
	double median;
	struct summary sum;
	int rc = -1;

	if (n == 0)
		return errorf("canary reference: no samples to record");
	for (size_t i = 0; i < n; i++)
		if (!(samples[i] > 0) || !isfinite(samples[i]))
			return errorf("canary reference: sample %zu is not a positive time (%g)", i, samples[i]);
	stats_summary(samples, n, &sum);
	median = sum.median;
	if (mkdirp(s->dir, 0755) < 0) {
		errwrap("canary reference");
		goto cleanup;
	}
	if (lock_take(s->lockpath, true, "the canary reference", &l) < 0 || readdoc(s, &doc) < 0)
		goto cleanup;
	addrun(doc, series, label, median, n);
	dump = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	text = xasprintf("%s\n", dump ? dump : "");
	if (!dump || writefile(s->path, text, strlen(text)) < 0) {
		errwrap("canary reference %s", s->path);
		goto cleanup;
	}
	json_decref(s->doc);
	s->doc = doc;
	doc = NULL;
	rc = 0;
cleanup:
	lock_release(l);
	json_decref(doc);
	free(dump);
	free(text);
	return rc;
}

const char *canary_store_path(const struct canary_store *s)
{
	return s->path;
}

const char *canary_store_id(const struct canary_store *s)
{
	return s->id;
}

json_t *canary_store_json(const struct canary_store *s)
{
	return json_pack("{s:s,s:s,s:O,s:s,s:o}", "file", s->path, "machine_id", s->id, "machine", s->machine, "rule",
	                 RULE, "series", json_deep_copy(json_object_get(s->doc, "series")));
}

void delcanarystore(struct canary_store *s)
{
	if (!s)
		return;
	free(s->dir);
	free(s->path);
	free(s->lockpath);
	json_decref(s->machine);
	json_decref(s->doc);
	free(s);
}
