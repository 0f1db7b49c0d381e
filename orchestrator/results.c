/* results.c: results.jsonl, one JSON object per finished trial (see results.h).
 *
 * A trial becomes a jansson object (trial_to_json) whose fields docs/rundir.md documents;
 * results_append() serialises it compactly with keys in a fixed order, adds the newline and
 * writes the whole line with one write loop before fsync, so a reader sees either the whole
 * line or a torn tail; when the file does not end in a newline (a complete last line whose
 * newline was lost, or an editor's save) the newline goes first. results_load() reads the
 * file, parses each line with json_loadb and stops at the first line that is not whole:
 * not a JSON object, or a last line without its newline that is not a complete trial
 * (one that is, is kept). Everything before it is good, and *good_bytes says where it ends
 * so that --resume can truncate the file there. A bad line in the middle (followed by good
 * ones) is an error: that is damage, not a kill during a write. */
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
	if (t->has_interference)
		json_object_set_new(o, "interference", json_pack("{s:o, s:o, s:o, s:o, s:i, s:o}", "others",
		                    number(t->inter.others), "share", number(t->inter.share), "stall", number(t->inter.stall),
		                    "steal", number(t->inter.steal), "cpus", t->inter.cpus, "load", number(t->load)));
	json_object_set_new(o, "contaminated", json_boolean(t->contaminated));
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
	v = json_object_get(o, "interference");
	if ((t->has_interference = json_is_object(v))) {
		t->inter.others = getnum(v, "others");
		t->inter.share = getnum(v, "share");
		t->inter.steal = getnum(v, "steal");
		t->inter.stall = getnum(v, "stall");
		t->inter.cpus = (int)json_integer_value(json_object_get(v, "cpus"));
		t->load = getnum(v, "load");
	}
	t->contaminated = json_is_true(json_object_get(o, "contaminated"));
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

int jsonl_append(int fd, json_t *o, const char *what)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)), last;
	struct buf line = {0};
	struct stat st;
	int rc = -1;

	if (!text)
		return errorf("%s: cannot encode a line", what);
	if (fstat(fd, &st) < 0) {
		errorf("stat %s:", what);
		goto cleanup;
	}
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
		bufadds(&line, "\n"); /* the last line is whole but lost its newline (fd not readable: not seen) */
	bufadds(&line, text);
	bufadds(&line, "\n");
	if (writeall(fd, line.s, line.len, what) < 0 || (fsync(fd) < 0 && errorf("fsync %s:", what) < 0)) {
		/* a line that could not be written whole is not left half-written (disk full) */
		if (ftruncate(fd, st.st_size) < 0)
			errwrap("cannot remove a half-written line (resume will)");
		goto cleanup;
	}
	rc = 0;
cleanup:
	buffree(&line);
	free(text);
	return rc;
}

int jsonl_load(const char *path, int (*each)(json_t *o, void *arg), void *arg, size_t *good_bytes)
{
	char *data = NULL;
	size_t len = 0, pos = 0, lineno = 0, good = 0;
	int rc = -1;

	if (good_bytes)
		*good_bytes = 0;
	if (readfile(path, &data, &len) < 0)
		goto cleanup;
	while (pos < len) {
		char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		json_error_t jerr;
		json_t *o;
		int e;

		lineno++;
		o = json_loadb(data + pos, end - pos, 0, &jerr);
		if (!nl) { /* the last line without its newline: kept when it is whole, else torn */
			if (json_is_object(o) && each(o, arg) == 0)
				good = len;
			json_decref(o);
			break;
		}
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
		e = each(o, arg);
		json_decref(o);
		if (e < 0) {
			errwrap("%s:%zu", path, lineno);
			goto cleanup;
		}
		pos = end + 1;
		good = pos;
	}
	if (good_bytes)
		*good_bytes = good;
	rc = 0;
cleanup:
	free(data);
	return rc;
}

int results_append(int fd, const struct trial *t)
{
	json_t *o = trial_to_json(t);
	int rc = jsonl_append(fd, o, "results.jsonl");

	json_decref(o);
	return rc;
}

struct trials {
	struct trial *v;
	size_t n;
};

static int addtrial(json_t *o, void *arg)
{
	struct trials *ts = arg;
	struct trial t;

	if (trial_from_json(o, &t) < 0)
		return -1;
	ts->v = xreallocarray(ts->v, ts->n + 1, sizeof(*ts->v));
	ts->v[ts->n++] = t;
	return 0;
}

int results_load(const char *path, struct trial **out, size_t *n, size_t *good_bytes)
{
	struct trials ts = {0};

	*out = NULL;
	*n = 0;
	if (jsonl_load(path, addtrial, &ts, good_bytes) < 0) {
		results_free(ts.v, ts.n);
		return -1;
	}
	*out = ts.v;
	*n = ts.n;
	return 0;
}

/* ---- rounds.jsonl ---- */

json_t *round_to_json(const struct roundrec *r)
{
	return json_pack("{s:s, s:s, s:i, s:o, s:o, s:b, s:o, s:o, s:b}", "experiment", r->experiment, "point", r->point,
	                 "round", r->round, "canary_before", number(r->before), "canary_after", number(r->after),
	                 "slow", r->slow, "slowdown", number(r->slowdown), "waited", number(r->waited), "quiet", r->quiet);
}

struct rounds {
	struct roundrec *v;
	size_t n;
};

static int addround(json_t *o, void *arg)
{
	struct rounds *rs = arg;
	struct roundrec r = {0};

	if (getstr(o, "experiment", false, &r.experiment) < 0 || getstr(o, "point", false, &r.point) < 0 ||
	    !json_is_integer(json_object_get(o, "round"))) {
		free(r.experiment);
		free(r.point);
		return errorf("not a round record (experiment, point, round)");
	}
	r.round = (int)json_integer_value(json_object_get(o, "round"));
	r.before = getnum(o, "canary_before");
	r.after = getnum(o, "canary_after");
	r.slowdown = getnum(o, "slowdown");
	r.waited = getnum(o, "waited");
	r.slow = json_is_true(json_object_get(o, "slow"));
	r.quiet = !json_is_false(json_object_get(o, "quiet"));
	rs->v = xreallocarray(rs->v, rs->n + 1, sizeof(*rs->v));
	rs->v[rs->n++] = r;
	return 0;
}

int rounds_load(const char *path, struct roundrec **out, size_t *n, size_t *good_bytes)
{
	struct rounds rs = {0};

	*out = NULL;
	*n = 0;
	if (good_bytes)
		*good_bytes = 0;
	if (!exists(path))
		return 0;
	if (jsonl_load(path, addround, &rs, good_bytes) < 0) {
		rounds_free(rs.v, rs.n);
		return -1;
	}
	*out = rs.v;
	*n = rs.n;
	return 0;
}

const struct roundrec *rounds_find(const struct roundrec *v, size_t n, const char *experiment, const char *point,
                                   int round)
{
	for (size_t i = n; i-- > 0;)
		if (v[i].round == round && strcmp(v[i].experiment, experiment) == 0 && strcmp(v[i].point, point) == 0)
			return &v[i];
	return NULL;
}

void rounds_free(struct roundrec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].experiment);
		free(v[i].point);
	}
	free(v);
}

void results_free(struct trial *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		trial_free(&v[i]);
	free(v);
}
