/* test_history.c: the nightly history on synthetic runs: the database (schema, refusals,
 * idempotent inserts), detection over it (A/A histories stay quiet, steps are found at their
 * commit or reported as under the detectable size, a recovery is an improvement, an outlier
 * night is nothing, an alert is raised once, the canary explains a machine change, the
 * no-GIL/GIL ratio is a series of its own, machines are never mixed, short series) and the
 * pages.
 *
 * Runs are made here as struct hrun and recorded with history_insert(), the code every import
 * goes through: night i is commit "%040x" of i at first-parent depth i, with T trials per cell,
 * each level * (1 + cv * N(0, 1)) from a GSL mt19937 with a fixed seed. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "hash.h"
#include "histdetect.h"
#include "histpage.h"
#include "history.h"
#include "util.h"

#define T 10
#define MAXN 80

struct spec {                   /* a synthetic history of one config */
	const char *machine;
	size_t nights;
	double cv;
	double gil[MAXN], nogil[MAXN]; /* the level of each cell per night */
	double canary[MAXN];           /* 0: no canary */
	double cvn[MAXN];              /* a night's own trial CV; 0: cv */
	unsigned long seed;
};

static char *tmpdb(char **dir)
{
	*dir = mktmpdir("test-history");
	assert_non_null(*dir);
	return pathjoin(*dir, "h.sqlite");
}

static void commit_of(size_t i, char out[41])
{
	snprintf(out, 41, "%040zx", i + 1);
}

static void fill_cell(struct hcell *c, const char *cell, const char *variant, bool gil, double level, double cv,
                      gsl_rng *r)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->cell, sizeof(c->cell), "%s", cell);
	c->experiment = xstrdup("work");
	c->point = xstrdup("");
	c->variant = xstrdup(variant);
	c->metric = xstrdup("seconds");
	c->lower_is_better = true;
	c->gil = gil;
	c->nogil_build = !gil;
	c->x = NAN;
	c->group = xstrdup("");
	c->threshold = 0.05;
	c->order = gil ? 0 : 1;
	c->n = T;
	c->t = xcalloc(T, sizeof(*c->t));
	for (size_t k = 0; k < T; k++)
		c->t[k] = (struct htrial){ (int)k + 1, level * (1 + cv * gsl_ran_gaussian(r, 1)), true };
}

static void make_run(const struct spec *s, size_t i, gsl_rng *r, struct hrun *run)
{
	char c[41], *uid;

	memset(run, 0, sizeof(*run));
	commit_of(i, c);
	uid = xasprintf("%s-%s", s->machine, c);
	run->uid = uid;
	run->machine = xstrdup(s->machine);
	run->machine_desc = json_pack("{s:s}", "name", s->machine);
	run->config = xstrdup("cfg");
	run->config_sha256 = xstrdup("0000");
	run->commit = xstrdup(c);
	commit_of(i ? i - 1 : 0, c);
	run->parent = xstrdup(i ? c : "");
	run->commit_time = 1767225600 + (long long)i * 86400;
	run->position = (long long)i;
	run->kind = xstrdup("nightly");
	run->status = xstrdup("complete");
	run->results_sha256 = xasprintf("results-%zu", i);
	if (s->canary[i] > 0) {
		run->canary.present = true;
		run->canary.median = s->canary[i] * (1 + 0.002 * gsl_ran_gaussian(r, 1));
		run->canary.reference = run->canary.slowdown = NAN;
	}
	run->ncells = 2;
	run->cells = xcalloc(2, sizeof(*run->cells));
	fill_cell(&run->cells[0], "aaaaaaaaaaaaaaaa", "gil", true, s->gil[i], s->cvn[i] ? s->cvn[i] : s->cv, r);
	fill_cell(&run->cells[1], "bbbbbbbbbbbbbbbb", "nogil", false, s->nogil[i], s->cvn[i] ? s->cvn[i] : s->cv, r);
}

static void record(struct history *h, const struct spec *s, size_t from, size_t to)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, s->seed);
	for (size_t i = 0; i < to; i++) {
		struct hrun run;
		enum hinsert what;
		make_run(s, i, r, &run); /* the same draws for night i whatever `from` is */
		if (i >= from) {
			assert_int_equal(history_insert(h, &run, &what), 0);
			assert_int_equal(what, HIST_ADDED);
		}
		hrun_free(&run);
	}
	gsl_rng_free(r);
}

static void levels(struct spec *s, size_t n, double cv, unsigned long seed)
{
	memset(s, 0, sizeof(*s));
	s->machine = "m1";
	s->nights = n;
	s->cv = cv;
	s->seed = seed;
	for (size_t i = 0; i < n; i++)
		s->gil[i] = s->nogil[i] = 1.0;
}

static void step(double *v, size_t from, size_t n, double factor)
{
	for (size_t i = from; i < n; i++)
		v[i] *= factor;
}

/* detection over s recorded in a fresh database; returns the alerts raised */
static size_t detect(const struct spec *s, struct hdetect *d)
{
	char *dir, *path = tmpdb(&dir);
	struct history *h;

	assert_int_equal(history_open(path, true, &h), 0);
	record(h, s, 0, s->nights);
	assert_int_equal(hdetect_run(h, "cfg", d), 0);
	history_close(h);
	rmtree(dir);
	free(dir);
	free(path);
	return d->raised;
}

static const struct hdseries *series(const struct hdetect *d, const char *key)
{
	for (size_t i = 0; i < d->d[0].ns; i++)
		if (strcmp(d->d[0].s[i].key, key) == 0)
			return &d->d[0].s[i];
	fail_msg("no series %s", key);
	return NULL;
}

/* ---- the database ---- */

/* SQL run on PATH by a connection of its own, as another program would */
static int sqlite_exec_for_test(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open(path, &db) == SQLITE_OK && sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;

	sqlite3_close(db);
	return rc;
}

static void schema_and_refusals(void **state)
{
	char *dir, *path = tmpdb(&dir), *other = pathjoin(dir, "other.sqlite"), *data = NULL, *after = NULL;
	struct history *h;
	size_t len, len2;

	(void)state;
	assert_int_equal(history_open(path, false, &h), -1); /* absent, not to be made */
	assert_non_null(strstr(errmsg(), path));
	assert_false(exists(path));
	assert_int_equal(history_open(path, true, &h), 0);
	history_close(h);
	assert_int_equal(history_open(path, false, &h), 0);
	assert_int_equal(sqlite_exec_for_test(path, "UPDATE schema_version SET version = 99"), 0);
	history_close(h);
	assert_int_equal(readfile(path, &data, &len), 0);
	assert_int_equal(history_open(path, true, &h), -1);
	assert_non_null(strstr(errmsg(), path));
	assert_non_null(strstr(errmsg(), "newer gilbench (history schema 99"));
	assert_int_equal(readfile(path, &after, &len2), 0);
	assert_true(len == len2 && memcmp(data, after, len) == 0); /* nothing changed */
	free(data);
	free(after);
	/* not a database: refused, naming the file */
	assert_int_equal(writefile(other, "this is not sqlite, not at all, no header here....", 50), 0);
	assert_int_equal(history_open(other, true, &h), -1);
	assert_non_null(strstr(errmsg(), other));
	assert_non_null(strstr(errmsg(), "not a gilbench history"));
	/* an empty file (a creation killed before its first commit) becomes a history */
	assert_int_equal(writefile(other, "", 0), 0);
	assert_int_equal(history_open(other, true, &h), 0);
	history_close(h);
	rmtree(dir);
	free(dir);
	free(path);
	free(other);
}

static long long count(struct history *h, const char *what)
{
	json_t *runs;
	long long n = 0;
	size_t i;
	json_t *r;

	assert_int_equal(history_runs_json(h, NULL, &runs), 0);
	json_array_foreach(runs, i, r)
		n += strcmp(what, "runs") == 0 ? 1 : json_integer_value(json_object_get(r, "trials"));
	json_decref(runs);
	return n;
}

static void insert_idempotent(void **state)
{
	char *dir, *path = tmpdb(&dir);
	struct history *h;
	struct spec s;
	struct hrun run;
	enum hinsert what;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	(void)state;
	levels(&s, 3, 0.02, 7);
	assert_int_equal(history_open(path, true, &h), 0);
	record(h, &s, 0, 3);
	assert_int_equal(count(h, "runs"), 3);
	assert_int_equal(count(h, "trials"), 3 * 2 * T);
	make_run(&s, 1, r, &run);
	assert_int_equal(history_insert(h, &run, &what), 0);
	assert_int_equal(what, HIST_SAME);
	assert_int_equal(count(h, "runs"), 3);
	assert_int_equal(count(h, "trials"), 3 * 2 * T);
	/* the same run with other results (resumed, more trials): its trials replaced, not added */
	free(run.results_sha256);
	run.results_sha256 = xstrdup("changed");
	run.cells[0].n = 4;
	assert_int_equal(history_insert(h, &run, &what), 0);
	assert_int_equal(what, HIST_UPDATED);
	assert_int_equal(count(h, "runs"), 3);
	assert_int_equal(count(h, "trials"), 3 * 2 * T - (T - 4));
	assert_int_equal(history_has(h, "m1", "cfg", run.commit), 1);
	assert_int_equal(history_has(h, "m2", "cfg", run.commit), 0);
	hrun_free(&run);
	gsl_rng_free(r);
	history_close(h);
	rmtree(dir);
	free(dir);
	free(path);
}

/* ---- detection ---- */

static void aa_quiet(void **state)
{
	static const double cvs[] = { 0.02, 0.08 };
	struct spec s;
	struct hdetect d;

	(void)state;
	for (size_t c = 0; c < 2; c++)
		for (unsigned long seed = 1; seed <= 3; seed++) {
			levels(&s, 60, cvs[c], seed);
			assert_int_equal(detect(&s, &d), 0);
			for (size_t i = 0; i < d.d[0].ns; i++)
				for (size_t k = 0; k < d.d[0].s[i].r.n; k++)
					assert_false(d.d[0].s[i].ch[k].c.alert);
			hdetect_free(&d);
		}
}

/* a step of factor at night 30: an alert at that commit, or (small steps) a report under the
 * threshold at it, or nothing where the series says it cannot see that size */
static void one_step(double factor, unsigned long seed, bool must_alert)
{
	struct spec s;
	struct hdetect d;
	const struct hdseries *g;
	char c[41];
	size_t raised;

	levels(&s, 60, 0.02, seed);
	step(s.gil, 30, 60, factor);
	raised = detect(&s, &d);
	g = series(&d, "cell:aaaaaaaaaaaaaaaa");
	commit_of(30, c);
	if (raised) {
		assert_int_equal(raised, 1); /* the GIL series; the ratio steps the other way: an improvement */
		assert_int_equal(d.na, 1);
		assert_string_equal(d.alerts[0].first_bad, c);
		assert_string_equal(d.alerts[0].series, "cell:aaaaaaaaaaaaaaaa");
		assert_true(d.alerts[0].lo > 1 && fabs(d.alerts[0].ratio - factor) < 0.02);
	} else {
		assert_false(must_alert);
		for (size_t k = 0; k < g->r.n; k++)
			assert_true(g->ch[k].c.first_bad == 30 && g->ch[k].c.status != CP_CONFIRMED);
		assert_true(g->r.n == 1 || g->r.min_step > factor - 1);
	}
	for (size_t k = 0; k < d.d[0].ns; k++) /* nothing anywhere else (the ratio's own step may sit a night off) */
		for (size_t j = 0; j < d.d[0].s[k].r.n; j++)
			assert_true(d.d[0].s[k].ch[j].c.first_bad >= 28 && d.d[0].s[k].ch[j].c.first_bad <= 32);
	hdetect_free(&d);
}

static void steps_found(void **state)
{
	(void)state;
	one_step(1.10, 11, true);
	one_step(1.05, 12, false);
	one_step(1.03, 13, false);
	one_step(1.03, 14, false);
}

static void recovers(void **state)
{
	struct spec s;
	struct hdetect d;
	const struct hdseries *g;

	(void)state;
	levels(&s, 60, 0.02, 21);
	step(s.gil, 20, 40, 1.10);
	/* the GIL series' regression; and at 40, with the GIL build faster again, the no-GIL/GIL
	   ratio's: the free-threading overhead grew back */
	assert_int_equal(detect(&s, &d), 2);
	assert_int_equal(series(&d, "ratio:bbbbbbbbbbbbbbbb/aaaaaaaaaaaaaaaa")->ch[1].c.first_bad, 40);
	assert_true(series(&d, "ratio:bbbbbbbbbbbbbbbb/aaaaaaaaaaaaaaaa")->ch[1].c.alert);
	g = series(&d, "cell:aaaaaaaaaaaaaaaa");
	assert_int_equal(g->r.n, 2);
	assert_int_equal(g->ch[0].c.first_bad, 20);
	assert_true(g->ch[0].c.alert && g->ch[0].raised);
	assert_int_equal(g->ch[1].c.first_bad, 40);
	assert_int_equal(g->ch[1].c.direction, CP_IMPROVEMENT);
	assert_false(g->ch[1].c.alert);
	hdetect_free(&d);
}

static void outlier_night(void **state)
{
	struct spec s;
	struct hdetect d;

	(void)state;
	levels(&s, 60, 0.02, 31);
	s.gil[33] *= 1.30;
	assert_int_equal(detect(&s, &d), 0);
	assert_int_equal(series(&d, "cell:aaaaaaaaaaaaaaaa")->r.n, 0);
	hdetect_free(&d);
}

static void alerted_once(void **state)
{
	char *dir, *path = tmpdb(&dir);
	struct history *h;
	struct hdetect d;
	struct spec s;
	char c[41];

	(void)state;
	levels(&s, 50, 0.02, 41);
	step(s.gil, 30, 50, 1.10);
	assert_int_equal(history_open(path, true, &h), 0);
	record(h, &s, 0, 40);
	assert_int_equal(hdetect_run(h, "cfg", &d), 0);
	assert_int_equal(d.raised, 1);
	hdetect_free(&d);
	assert_int_equal(hdetect_run(h, "cfg", &d), 0); /* the same nights again: the step is the known alert */
	assert_int_equal(d.raised, 0);
	assert_true(series(&d, "cell:aaaaaaaaaaaaaaaa")->ch[0].c.known);
	assert_false(series(&d, "cell:aaaaaaaaaaaaaaaa")->ch[0].c.alert);
	hdetect_free(&d);
	record(h, &s, 40, 50); /* ten more nights: the step may move, it is the same one */
	assert_int_equal(hdetect_run(h, "cfg", &d), 0);
	assert_int_equal(d.raised, 0);
	assert_int_equal(d.na, 1);
	commit_of(30, c);
	assert_string_equal(d.alerts[0].first_bad, c);
	assert_int_equal(series(&d, "cell:aaaaaaaaaaaaaaaa")->ch[0].alert, d.alerts[0].id);
	assert_int_equal(history_ack(h, d.alerts[0].id, "known: a test"), 0);
	assert_int_equal(history_ack(h, 999, NULL), 1);
	hdetect_free(&d);
	assert_int_equal(hdetect_run(h, "cfg", &d), 0);
	assert_non_null(d.alerts[0].acked);
	assert_string_equal(d.alerts[0].note, "known: a test");
	assert_int_equal(d.raised, 0);
	hdetect_free(&d);
	history_close(h);
	rmtree(dir);
	free(dir);
	free(path);
}

static void machine_changed(void **state)
{
	struct spec s;
	struct hdetect d;
	const struct hdseries *g;

	(void)state;
	/* the GIL cell and the canary step by 10% at night 30: the machine, not CPython */
	levels(&s, 60, 0.02, 51);
	for (size_t i = 0; i < 60; i++)
		s.canary[i] = 0.005;
	step(s.gil, 30, 60, 1.10);
	step(s.canary, 30, 60, 1.10);
	assert_int_equal(detect(&s, &d), 0);
	g = series(&d, "cell:aaaaaaaaaaaaaaaa");
	assert_int_equal(g->r.n, 1);
	assert_true(g->ch[0].machine_changed && g->ch[0].c.status == CP_CONFIRMED);
	assert_true(fabs(g->ch[0].canary_ratio - 1.10) < 0.01);
	hdetect_free(&d);
	/* the canary steady: the same step is an alert */
	levels(&s, 60, 0.02, 51);
	for (size_t i = 0; i < 60; i++)
		s.canary[i] = 0.005;
	step(s.gil, 30, 60, 1.10);
	assert_int_equal(detect(&s, &d), 1);
	assert_false(series(&d, "cell:aaaaaaaaaaaaaaaa")->ch[0].machine_changed);
	hdetect_free(&d);
}

static void ratio_series(void **state)
{
	struct spec s;
	struct hdetect d;
	char c[41];
	bool ratio = false, nogil = false;

	(void)state;
	levels(&s, 60, 0.02, 61);
	step(s.nogil, 25, 60, 1.12);
	assert_int_equal(detect(&s, &d), 2);
	commit_of(25, c);
	for (size_t i = 0; i < d.na; i++) {
		assert_string_equal(d.alerts[i].first_bad, c);
		ratio |= strcmp(d.alerts[i].series, "ratio:bbbbbbbbbbbbbbbb/aaaaaaaaaaaaaaaa") == 0;
		nogil |= strcmp(d.alerts[i].series, "cell:bbbbbbbbbbbbbbbb") == 0;
	}
	assert_true(ratio && nogil);
	assert_string_equal(series(&d, "ratio:bbbbbbbbbbbbbbbb/aaaaaaaaaaaaaaaa")->label, "work no-GIL/GIL");
	assert_int_equal(series(&d, "cell:aaaaaaaaaaaaaaaa")->r.n, 0);
	hdetect_free(&d);
}

static void machines_apart(void **state)
{
	char *dir, *path = tmpdb(&dir);
	struct history *h;
	struct hdetect d;
	struct spec a, b;

	(void)state;
	/* two machines 20% apart on every night: mixed, every night would be a step */
	levels(&a, 40, 0.02, 71);
	levels(&b, 40, 0.02, 72);
	b.machine = "m2";
	for (size_t i = 0; i < 40; i++)
		b.gil[i] = b.nogil[i] = 1.2;
	assert_int_equal(history_open(path, true, &h), 0);
	record(h, &a, 0, 20);
	record(h, &b, 0, 40);
	record(h, &a, 20, 40);
	assert_int_equal(hdetect_run(h, "cfg", &d), 0);
	assert_int_equal(d.nm, 2);
	assert_int_equal(d.raised, 0);
	for (size_t m = 0; m < 2; m++) {
		assert_int_equal(d.m[m].nn, 40);
		for (size_t i = 0; i < d.d[m].ns; i++)
			assert_int_equal(d.d[m].s[i].r.n, 0);
	}
	hdetect_free(&d);
	history_close(h);
	rmtree(dir);
	free(dir);
	free(path);
}

static void short_series(void **state)
{
	struct spec s;
	struct hdetect d;
	char c[41];

	(void)state;
	/* eight nights, the fourth slower: found (the scan's alpha follows what 8 nights can show) */
	levels(&s, 8, 0.03, 81);
	step(s.gil, 3, 8, 1.5);
	assert_int_equal(detect(&s, &d), 1);
	commit_of(3, c);
	assert_string_equal(d.alerts[0].first_bad, c);
	hdetect_free(&d);
	/* eight A/A nights: quiet, seed after seed */
	for (unsigned long seed = 100; seed < 130; seed++) {
		levels(&s, 8, seed % 2 ? 0.02 : 0.08, seed);
		assert_int_equal(detect(&s, &d), 0);
		hdetect_free(&d);
	}
}

/* six quiet nights, then three slow and scattered ones (x1.7, trials' CV 25%: a disturbed
 * machine): no alert; the page's alerts.json lists the step as "noisy" with each side's CV */
static void noisy_nights(void **state)
{
	char *dir = mktmpdir("test-history"), *out = pathjoin(dir, "pages"), *f = pathjoin(out, "alerts.json");
	struct spec s;
	struct hdetect d;
	size_t noisy = 0;
	json_t *js, *ch;

	(void)state;
	assert_non_null(dir);
	for (unsigned long seed = 200; seed < 210; seed++) {
		levels(&s, 9, 0.03, seed);
		step(s.gil, 6, 9, 1.7);
		for (size_t i = 6; i < 9; i++)
			s.cvn[i] = 0.25;
		assert_int_equal(detect(&s, &d), 0);
		assert_int_equal(histpage_write(&d, out), 0);
		assert_int_equal(readjson(f, false, &js), 0);
		assert_int_equal(json_array_size(json_object_get(js, "alerts")), 0);
		for (size_t i = 0; i < json_array_size(json_object_get(js, "changes")); i++) {
			ch = json_array_get(json_object_get(js, "changes"), i);
			if (strcmp(json_string_value(json_object_get(ch, "status")), "noisy") != 0)
				continue;
			noisy++;
			assert_true(json_real_value(json_object_get(ch, "cv_after")) > 0.15);
			assert_true(json_real_value(json_object_get(ch, "cv_before")) < 0.05);
		}
		json_decref(js);
		hdetect_free(&d);
	}
	assert_true(noisy >= 3); /* held back, not missed: most seeds find the step */
	rmtree(dir);
	free(f);
	free(out);
	free(dir);
}

static void pages(void **state)
{
	char *dir, *path = tmpdb(&dir), *out = pathjoin(dir, "pages"), *html = NULL, *f;
	struct history *h;
	struct spec s;
	size_t raised, len, svgs = 0;
	json_t *js;

	(void)state;
	levels(&s, 30, 0.02, 91);
	step(s.gil, 15, 30, 1.2);
	assert_int_equal(history_open(path, true, &h), 0);
	record(h, &s, 0, 30);
	assert_int_equal(history_undetected(h, "cfg"), 1);
	assert_int_equal(histpage_update(h, "cfg", out, &raised), 0);
	assert_int_equal(raised, 1);
	assert_int_equal(history_undetected(h, "cfg"), 0);
	f = pathjoin(out, "index.html");
	assert_int_equal(readfile(f, &html, &len), 0);
	for (const char *p = html; (p = strstr(p, "<svg")); p++)
		svgs++;
	assert_int_equal(svgs, 1); /* one experiment, one plot */
	assert_null(strstr(html, "<script"));
	free(f);
	f = pathjoin(out, "alerts.json");
	assert_int_equal(readjson(f, false, &js), 0);
	assert_int_equal(json_array_size(json_object_get(js, "alerts")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(js, "alerts"), 0), "status")),
	                    "new");
	json_decref(js);
	free(f);
	f = pathjoin(out, "alerts.md");
	assert_true(isregular(f));
	free(f);
	free(html);
	history_close(h);
	rmtree(dir);
	free(dir);
	free(path);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(schema_and_refusals),
		cmocka_unit_test(insert_idempotent),
		cmocka_unit_test(aa_quiet),
		cmocka_unit_test(steps_found),
		cmocka_unit_test(recovers),
		cmocka_unit_test(outlier_night),
		cmocka_unit_test(alerted_once),
		cmocka_unit_test(machine_changed),
		cmocka_unit_test(ratio_series),
		cmocka_unit_test(machines_apart),
		cmocka_unit_test(short_series),
		cmocka_unit_test(noisy_nights),
		cmocka_unit_test(pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
