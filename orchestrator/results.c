/* results.c: results.jsonl, one JSON object per finished trial (see results.h).
 *
 * A trial becomes a jansson object (trial_to_json) whose fields docs/rundir.md documents;
 * results_append() serialises it compactly with keys in a fixed order, adds the newline and
 * writes the whole line with one write loop before fsync, so a reader sees either the whole
 * line or a torn tail. results_load() reads the file, parses each newline-terminated line
 * with json_loads and stops at the first line that is not whole (no newline, or not a JSON
 * object): everything before it is good, and *good_bytes says where it ends so that
 * --resume can truncate the file there. A bad line in the middle (followed by good ones) is
 * an error: that is damage, not a kill during a write. */
#include "results.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *statusnames[] = {
	[TRIAL_OK] = "ok",
	[TRIAL_FAILED] = "failed",
	[TRIAL_TIMEOUT] = "timeout",
	[TRIAL_BAD_OUTPUT] = "bad-output",
};

const char *trialstatus_name(enum trialstatus s)
{
	if ((size_t)s >= LEN(statusnames))
		return "unknown";
	return statusnames[s];
}

int trialstatus_parse(const char *s, enum trialstatus *out)
{
	for (size_t i = 0; i < LEN(statusnames); i++)
		if (strcmp(s, statusnames[i]) == 0) {
			*out = (enum trialstatus)i;
			return 0;
		}
	return errorf("unknown trial status '%s'", s);
}

static json_t *strornull(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *number(double x)
{
	/* JSON has no NaN or infinity */
	return isfinite(x) ? json_real(x) : json_null();
}

json_t *trial_to_json(const struct trial *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "cell", json_string(t->cell ? t->cell : ""));
	json_object_set_new(o, "experiment", json_string(t->experiment ? t->experiment : ""));
	json_object_set_new(o, "variant", json_string(t->variant ? t->variant : ""));
	json_object_set_new(o, "point", json_string(t->point ? t->point : ""));
	json_object_set_new(o, "round", json_integer(t->round));
	json_object_set_new(o, "warmup", json_boolean(t->warmup));
	json_object_set_new(o, "status", json_string(trialstatus_name(t->status)));
	json_object_set_new(o, "metric", t->status == TRIAL_OK ? number(t->metric) : json_null());
	json_object_set_new(o, "result", t->result ? json_incref(t->result) : json_null());
	if (t->has_expect)
		json_object_set_new(o, "correct", json_boolean(t->correct));
	json_object_set_new(o, "wall", number(t->wall));
	json_object_set_new(o, "utime", number(t->utime));
	json_object_set_new(o, "stime", number(t->stime));
	json_object_set_new(o, "maxrss_kb", json_integer(t->maxrss_kb));
	json_object_set_new(o, "exit_code", json_integer(t->exit_code));
	json_object_set_new(o, "signal", json_integer(t->signal));
	json_object_set_new(o, "error", strornull(t->error));
	json_object_set_new(o, "started", strornull(t->started));
	json_object_set_new(o, "cpus", strornull(t->cpus));
	return o;
}

static int getstr(json_t *o, const char *key, bool nullable, char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v && json_is_string(v)) {
		*out = xstrdup(json_string_value(v));
		return 0;
	}
	if (nullable && (!v || json_is_null(v)))
		return 0;
	return errorf("%s: %s", key, v ? "not a string" : "missing");
}

static double getnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

int trial_from_json(json_t *o, struct trial *t)
{
	json_t *v;
	const char *st;

	memset(t, 0, sizeof(*t));
	if (!json_is_object(o))
		return errorf("a trial is not a JSON object");
	if (getstr(o, "cell", false, &t->cell) || getstr(o, "experiment", false, &t->experiment) ||
	    getstr(o, "variant", false, &t->variant) || getstr(o, "point", false, &t->point) ||
	    getstr(o, "error", true, &t->error) || getstr(o, "started", true, &t->started) ||
	    getstr(o, "cpus", true, &t->cpus))
		goto fail;
	v = json_object_get(o, "round");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		errorf("round: %s", v ? "not a positive integer" : "missing");
		goto fail;
	}
	t->round = (int)json_integer_value(v);
	v = json_object_get(o, "warmup");
	t->warmup = json_is_true(v);
	v = json_object_get(o, "status");
	if (!json_is_string(v)) {
		errorf("status: %s", v ? "not a string" : "missing");
		goto fail;
	}
	st = json_string_value(v);
	if (trialstatus_parse(st, &t->status) < 0) {
		errwrap("status");
		goto fail;
	}
	t->metric = getnum(o, "metric");
	if (t->status == TRIAL_OK && isnan(t->metric)) {
		errorf("metric: missing for an ok trial");
		goto fail;
	}
	v = json_object_get(o, "result");
	if (v && !json_is_null(v))
		t->result = json_incref(v);
	v = json_object_get(o, "correct");
	t->has_expect = json_is_boolean(v);
	t->correct = json_is_true(v);
	t->wall = getnum(o, "wall");
	t->utime = getnum(o, "utime");
	t->stime = getnum(o, "stime");
	v = json_object_get(o, "maxrss_kb");
	t->maxrss_kb = json_is_integer(v) ? (long)json_integer_value(v) : 0;
	v = json_object_get(o, "exit_code");
	t->exit_code = json_is_integer(v) ? (int)json_integer_value(v) : -1;
	v = json_object_get(o, "signal");
	t->signal = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	return 0;
fail:
	trial_free(t);
	return -1;
}

void trial_free(struct trial *t)
{
	if (!t)
		return;
	free(t->cell);
	free(t->experiment);
	free(t->variant);
	free(t->point);
	json_decref(t->result);
	free(t->error);
	free(t->started);
	free(t->cpus);
	memset(t, 0, sizeof(*t));
}

int results_append(int fd, const struct trial *t)
{
	json_t *o = trial_to_json(t);
	char *line = NULL, *p;
	size_t len, off = 0;
	int rc = -1;
	struct stat st;

	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	if (!line) {
		errorf("results: cannot serialise a trial");
		goto cleanup;
	}
	len = strlen(line);
	p = xmalloc(len + 2);
	memcpy(p, line, len);
	p[len++] = '\n';
	p[len] = '\0';
	free(line);
	line = p;
	if (fstat(fd, &st) < 0) {
		errorf("results: stat:");
		goto cleanup;
	}
	while (off < len) {
		ssize_t w = write(fd, line + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			errorf("results: write:");
			goto undo;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		errorf("results: fsync:");
		goto undo;
	}
	rc = 0;
	goto cleanup;
undo:
	/* a line that could not be written whole is not left half-written (disk full) */
	if (ftruncate(fd, st.st_size) < 0)
		errwrap("cannot remove a half-written line (resume will)");
cleanup:
	free(line);
	json_decref(o);
	return rc;
}

int results_load(const char *path, struct trial **out, size_t *n, size_t *good_bytes)
{
	char *data = NULL;
	size_t len = 0, pos = 0, lineno = 0, good = 0;
	struct trial *v = NULL;
	size_t nv = 0;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (good_bytes)
		*good_bytes = 0;
	if (readfile(path, &data, &len) < 0)
		goto cleanup;
	while (pos < len) {
		char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		json_error_t jerr;
		json_t *o;
		struct trial t;

		lineno++;
		if (!nl)
			break; /* torn last line: no newline */
		o = json_loadb(data + pos, end - pos, 0, &jerr);
		if (!o || !json_is_object(o)) {
			bool last = true;
			/* a bad line is a torn tail only when nothing but blanks follows it */
			for (size_t i = end + 1; i < len; i++)
				if (data[i] != '\n' && data[i] != ' ') {
					last = false;
					break;
				}
			json_decref(o);
			if (last)
				break;
			errorf("%s:%zu: %s", path, lineno, o ? "not a JSON object" : jerr.text);
			goto cleanup;
		}
		if (trial_from_json(o, &t) < 0) {
			json_decref(o);
			errwrap("%s:%zu", path, lineno);
			goto cleanup;
		}
		json_decref(o);
		if ((nv & (nv - 1)) == 0) /* capacity doubles at powers of two: a long file is not quadratic */
			v = xreallocarray(v, nv ? 2 * nv : 1, sizeof(*v));
		v[nv++] = t;
		pos = end + 1;
		good = pos;
	}
	*out = v;
	*n = nv;
	v = NULL;
	nv = 0;
	if (good_bytes)
		*good_bytes = good;
	rc = 0;
cleanup:
	results_free(v, nv);
	free(data);
	return rc;
}

void results_free(struct trial *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		trial_free(&v[i]);
	free(v);
}
