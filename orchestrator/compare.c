/* compare.c: two sets of trials side by side, cell by cell (see compare.h).
 *
 * Both results.jsonl files are loaded with results_load(). Each trial is filed under its
 * cell, keyed by (experiment, variant, point), the variant first checked against and
 * stripped of the side's suffix (NAME@A) when one is given. A cell is "present" on a side
 * when any trial of it was recorded there, even a failed one; only measured trials that
 * finished ok count as data. Cells keep the order in which they first appear in A, then
 * B's own. For cells on both sides, stats_summary() gives each side's median and CI and
 * stats_compare() the ratio B/A, its bootstrap interval and Welch's p; the verdict follows
 * from stats_compare's "significant" and the noise threshold, and from the direction of
 * the experiment's metric (config.yaml; lower is better when no config loads). The
 * Markdown and the JSON (jansson) are built from the same numbers in one pass. */
#include "compare.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "config.h"
#include "results.h"
#include "rundir.h"
#include "stats.h"
#include "util.h"

struct side {
	double *v;
	size_t n, cap;
	bool present;
};

struct ccell {
	char *exp, *variant, *point;
	struct side s[2];
};

struct cellset {
	struct ccell *v;
	size_t n;
};

static void side_add(struct side *sd, double x)
{
	if (sd->n == sd->cap) {
		sd->cap = sd->cap ? sd->cap * 2 : 8;
		sd->v = xreallocarray(sd->v, sd->cap, sizeof(*sd->v));
	}
	sd->v[sd->n++] = x;
}

static struct ccell *cell_get(struct cellset *cs, const char *exp, const char *variant, size_t vlen,
                              const char *point)
{
	struct ccell *c;

	for (size_t i = 0; i < cs->n; i++) {
		c = &cs->v[i];
		if (strcmp(c->exp, exp) == 0 && strlen(c->variant) == vlen &&
		    strncmp(c->variant, variant, vlen) == 0 && strcmp(c->point, point) == 0)
			return c;
	}
	cs->v = xreallocarray(cs->v, cs->n + 1, sizeof(*cs->v));
	c = &cs->v[cs->n++];
	memset(c, 0, sizeof(*c));
	c->exp = xstrdup(exp);
	c->variant = xstrndup(variant, vlen);
	c->point = xstrdup(point);
	return c;
}

static void cellset_free(struct cellset *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->v[i].exp);
		free(cs->v[i].variant);
		free(cs->v[i].point);
		free(cs->v[i].s[0].v);
		free(cs->v[i].s[1].v);
	}
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
}

/* File one side's trials into the cells. */
static int load_side(const char *dir, int which, const char *suffix, struct cellset *cs)
{
	struct trial *t = NULL;
	size_t n = 0, good = 0, slen = suffix ? strlen(suffix) : 0;
	char *path = pathjoin(dir, RUN_RESULTS);
	int rc = -1;

	if (!isdir(dir)) {
		errorf("%s: not a run directory", dir);
		goto cleanup;
	}
	if (!exists(path)) {
		errorf("%s: not a run directory (no %s)", dir, RUN_RESULTS);
		goto cleanup;
	}
	if (results_load(path, &t, &n, &good) < 0) {
		errwrap("%s", dir);
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		size_t vlen = strlen(t[i].variant);
		struct ccell *c;
		if (slen) {
			if (vlen <= slen || strcmp(t[i].variant + vlen - slen, suffix) != 0)
				continue;
			vlen -= slen;
		}
		c = cell_get(cs, t[i].experiment, t[i].variant, vlen, t[i].point);
		c->s[which].present = true;
		if (!t[i].warmup && t[i].status == TRIAL_OK && isfinite(t[i].metric))
			side_add(&c->s[which], t[i].metric);
	}
	rc = 0;
cleanup:
	results_free(t, n);
	free(path);
	return rc;
}

/* The run's config, when it loads: it says which way each metric is better. */
static struct config *load_config(const char *dir)
{
	struct config *cfg = NULL;
	char *path = pathjoin(dir, RUN_CONFIG);

	if (exists(path) && config_load(path, &cfg) < 0) {
		warn("%s (lower is taken as better for every metric of this side)", errmsg());
		cfg = NULL;
	}
	free(path);
	return cfg;
}

static bool lower_better(const struct config *a, const struct config *b, const char *exp)
{
	const struct config *cfgs[] = { b, a };

	for (size_t k = 0; k < LEN(cfgs); k++)
		for (size_t i = 0; cfgs[k] && i < cfgs[k]->nexps; i++)
			if (strcmp(cfgs[k]->exps[i].name, exp) == 0)
				return cfgs[k]->exps[i].lower_is_better;
	return true;
}

static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *summary_json(const struct summary *m)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "n", (json_int_t)m->n,
	                 "median", num(m->median), "mean", num(m->mean), "sd", num(m->sd),
	                 "cv", num(m->cv), "min", num(m->min), "max", num(m->max),
	                 "ci_lo", num(m->ci_lo), "ci_hi", num(m->ci_hi));
}

static void md_side(struct buf *b, const struct summary *m)
{
	if (m->n == 0)
		bufadds(b, " — |");
	else if (m->n < 2)
		bufaddf(b, " %.4g (n=1) |", m->median);
	else
		bufaddf(b, " %.4g [%.4g, %.4g] n=%zu |", m->median, m->ci_lo, m->ci_hi, m->n);
}

static void md_p(struct buf *b, double p)
{
	if (!isfinite(p))
		bufadds(b, " — |");
	else if (p < 0.001)
		bufadds(b, " <0.001 |");
	else
		bufaddf(b, " %.3f |", p);
}

static const char *point_text(const char *p)
{
	return *p ? p : "—";
}

static void md_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			bufadds(b, "\\|");
		else
			bufadd(b, s, 1);
	}
}

/* One line of the cells-on-one-side lists. */
static void onlyside(struct buf *md, json_t *arr, const struct ccell *c)
{
	bufadds(md, "- ");
	md_escape(md, c->exp);
	bufadds(md, " ");
	md_escape(md, point_text(c->point));
	bufadds(md, " ");
	md_escape(md, c->variant);
	bufadds(md, "\n");
	json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "experiment", c->exp, "variant", c->variant,
	                                     "point", c->point));
}

int compare_runs(const char *dir_a, const char *dir_b, const struct compareopts *o,
                 const char *out_md, const char *out_json, struct comparesummary *s)
{
	struct cellset cs = {0};
	struct config *cfga = NULL, *cfgb = NULL;
	struct buf md = {0};
	json_t *root = NULL, *cells, *onlya, *onlyb;
	const char *la = o && o->label_a ? o->label_a : "A", *lb = o && o->label_b ? o->label_b : "B";
	double noise = o && o->noise >= 0 ? o->noise : COMPARE_NOISE;
	char *text = NULL;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (load_side(dir_a, 0, o ? o->suffix_a : NULL, &cs) < 0 ||
	    load_side(dir_b, 1, o ? o->suffix_b : NULL, &cs) < 0)
		goto cleanup;
	cfga = load_config(dir_a);
	cfgb = load_config(dir_b);

	root = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:f, s:[], s:[], s:[]}",
	                 "a", "dir", o && o->where_a ? o->where_a : dir_a, "label", la,
	                 "b", "dir", o && o->where_b ? o->where_b : dir_b, "label", lb,
	                 "noise", noise, "cells", "only_a", "only_b");
	cells = json_object_get(root, "cells");
	onlya = json_object_get(root, "only_a");
	onlyb = json_object_get(root, "only_b");

	if (o && o->title)
		bufaddf(&md, "# %s\n\n", o->title);
	else
		bufaddf(&md, "# Comparison: %s vs %s\n\n", la, lb);
	bufaddf(&md, "- %s: `%s`\n- %s: `%s`\n", la, o && o->where_a ? o->where_a : dir_a,
	        lb, o && o->where_b ? o->where_b : dir_b);
	bufaddf(&md, "- Each side: median of the measured trials, [95%% CI of the mean], n trials. "
	             "%s/%s: ratio of medians with its 95%% bootstrap interval; p: Welch's t-test.\n",
	        lb, la);
	bufaddf(&md, "- A cell is faster or slower when p < 0.05, the interval excludes 1 and the change "
	             "is over the noise threshold of %.3g%%.\n\n", noise * 100);
	bufaddf(&md, "| Experiment | Point | Variant | %s | %s | %s/%s [95%% CI] | p | Verdict |\n", la, lb, lb, la);
	bufadds(&md, "| --- | --- | --- | --- | --- | --- | --- | --- |\n");

	for (size_t i = 0; i < cs.n; i++) {
		struct ccell *c = &cs.v[i];
		struct summary sa, sb;
		struct comparison cmp;
		bool lower, worse;
		const char *verdict;
		double change, slowdown = 0;
		json_t *jc;

		if (!c->s[0].present || !c->s[1].present)
			continue;
		s->cells++;
		lower = lower_better(cfga, cfgb, c->exp);
		stats_summary(c->s[0].v, c->s[0].n, &sa);
		stats_summary(c->s[1].v, c->s[1].n, &sb);
		stats_compare(c->s[0].v, c->s[0].n, c->s[1].v, c->s[1].n, &cmp);
		change = cmp.ratio - 1;
		worse = lower ? change > 0 : change < 0;
		if (sa.n == 0 || sb.n == 0 || !isfinite(cmp.ratio)) {
			verdict = "no data";
			s->nodata++;
		} else if (cmp.significant && fabs(change) > noise) {
			verdict = worse ? "slower" : "faster";
			if (worse) {
				slowdown = lower ? change : 1 / cmp.ratio - 1;
				s->slower++;
				if (slowdown > s->worst) {
					s->worst = slowdown;
					free(s->worst_cell);
					s->worst_cell = xasprintf("%s%s%s %s", c->exp, *c->point ? " " : "", c->point, c->variant);
				}
			} else {
				s->faster++;
			}
		} else {
			verdict = "no significant change";
			s->same++;
		}

		bufadds(&md, "| ");
		md_escape(&md, c->exp);
		bufadds(&md, " | ");
		md_escape(&md, point_text(c->point));
		bufadds(&md, " | ");
		md_escape(&md, c->variant);
		bufadds(&md, " |");
		md_side(&md, &sa);
		md_side(&md, &sb);
		if (isfinite(cmp.ratio) && isfinite(cmp.ratio_lo))
			bufaddf(&md, " %.3f [%.3f, %.3f] |", cmp.ratio, cmp.ratio_lo, cmp.ratio_hi);
		else if (isfinite(cmp.ratio))
			bufaddf(&md, " %.3f |", cmp.ratio);
		else
			bufadds(&md, " — |");
		md_p(&md, cmp.p);
		if (strcmp(verdict, "faster") == 0 || strcmp(verdict, "slower") == 0)
			bufaddf(&md, " %s (%+.1f%%) |\n", verdict, change * 100);
		else
			bufaddf(&md, " %s |\n", verdict);

		jc = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:s, s:o}",
		               "experiment", c->exp, "variant", c->variant, "point", c->point,
		               "a", summary_json(&sa), "b", summary_json(&sb),
		               "ratio", num(cmp.ratio), "ratio_lo", num(cmp.ratio_lo), "ratio_hi", num(cmp.ratio_hi),
		               "p", num(cmp.p), "significant", cmp.significant, "lower_is_better", lower,
		               "change", num(change), "verdict", verdict, "slowdown", num(slowdown));
		json_array_append_new(cells, jc);
	}
	if (s->cells == 0)
		bufadds(&md, "| (no cell on both sides) | | | | | | | |\n");

	for (size_t i = 0; i < cs.n; i++)
		if (cs.v[i].s[0].present && !cs.v[i].s[1].present)
			s->only_a++;
	for (size_t i = 0; i < cs.n; i++)
		if (!cs.v[i].s[0].present && cs.v[i].s[1].present)
			s->only_b++;
	if (s->only_a) {
		bufaddf(&md, "\nOnly in %s (%zu):\n\n", la, s->only_a);
		for (size_t i = 0; i < cs.n; i++)
			if (cs.v[i].s[0].present && !cs.v[i].s[1].present)
				onlyside(&md, onlya, &cs.v[i]);
	}
	if (s->only_b) {
		bufaddf(&md, "\nOnly in %s (%zu):\n\n", lb, s->only_b);
		for (size_t i = 0; i < cs.n; i++)
			if (!cs.v[i].s[0].present && cs.v[i].s[1].present)
				onlyside(&md, onlyb, &cs.v[i]);
	}

	bufaddf(&md, "\nSummary: %zu cells compared: %zu slower, %zu faster, %zu no significant change",
	        s->cells, s->slower, s->faster, s->same);
	if (s->nodata)
		bufaddf(&md, ", %zu without data", s->nodata);
	if (s->only_a || s->only_b)
		bufaddf(&md, "; %zu only in %s, %zu only in %s", s->only_a, la, s->only_b, lb);
	if (s->worst_cell)
		bufaddf(&md, ". Worst slowdown: %+.1f%% (%s)", s->worst * 100, s->worst_cell);
	bufadds(&md, ".\n");

	json_object_set_new(root, "summary",
	                    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:o}",
	                              "cells", (json_int_t)s->cells, "slower", (json_int_t)s->slower,
	                              "faster", (json_int_t)s->faster, "same", (json_int_t)s->same,
	                              "no_data", (json_int_t)s->nodata, "only_a", (json_int_t)s->only_a,
	                              "only_b", (json_int_t)s->only_b, "worst_slowdown", s->worst,
	                              "worst_cell", s->worst_cell ? json_string(s->worst_cell) : json_null()));

	if (out_md && writefile(out_md, md.s, md.len) < 0)
		goto cleanup;
	if (out_json) {
		char *enc = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		if (!enc) {
			errorf("%s: cannot encode the comparison as JSON", out_json);
			goto cleanup;
		}
		text = xasprintf("%s\n", enc);
		free(enc);
		if (writefile(out_json, text, strlen(text)) < 0)
			goto cleanup;
	}
	s->markdown = md.s;
	md.s = NULL;
	s->json = root;
	root = NULL;
	rc = 0;
cleanup:
	free(text);
	buffree(&md);
	json_decref(root);
	delconfig(cfga);
	delconfig(cfgb);
	cellset_free(&cs);
	if (rc < 0)
		comparesummary_free(s);
	return rc;
}

size_t compare_regressions(const struct comparesummary *s, double pct)
{
	json_t *cells = json_object_get(s->json, "cells"), *c;
	size_t i, n = 0;

	json_array_foreach(cells, i, c) {
		const char *v = json_string_value(json_object_get(c, "verdict"));
		double slow = json_number_value(json_object_get(c, "slowdown"));
		if (v && strcmp(v, "slower") == 0 && slow > pct)
			n++;
	}
	return n;
}

void comparesummary_free(struct comparesummary *s)
{
	free(s->worst_cell);
	free(s->markdown);
	json_decref(s->json);
	memset(s, 0, sizeof(*s));
}

bool compare_isarchive(const char *path)
{
	size_t n = strlen(path);

	return (n > 7 && strcmp(path + n - 7, ".tar.gz") == 0) || (n > 4 && strcmp(path + n - 4, ".tgz") == 0);
}

int compare_rundir(const char *arg, const char *tmp, const char *what, char **dir)
{
	struct verify_report vr = {0};
	struct buf msg = {0};
	char *dest = NULL;
	int v, rc = -1;

	*dir = NULL;
	if (!compare_isarchive(arg) || isdir(arg)) {
		if (!isdir(arg)) {
			errorf("%s: no such run directory or .tar.gz archive", arg);
			goto cleanup;
		}
		*dir = abspath(arg);
		rc = *dir ? 0 : -1;
		goto cleanup;
	}
	v = archive_verify(arg, &vr);
	if (v < 0) {
		errwrap("%s", arg);
		goto cleanup;
	}
	if (v > 0) {
		bufaddf(&msg, "%s: the archive failed verification (%zu problems)", arg, vr.nproblems);
		for (size_t i = 0; i < vr.nproblems; i++) {
			char *line = verify_problem_str(&vr.problems[i]);
			bufaddf(&msg, "\n  %s", line);
			free(line);
		}
		errorf("%s", msg.s);
		rc = 1;
		goto cleanup;
	}
	dest = pathjoin(tmp, what);
	if (archive_extract_run(arg, dest) < 0) {
		errwrap("%s", arg);
		goto cleanup;
	}
	*dir = dest;
	dest = NULL;
	rc = 0;
cleanup:
	verify_report_free(&vr);
	buffree(&msg);
	free(dest);
	return rc;
}

