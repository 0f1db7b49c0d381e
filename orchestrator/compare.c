/* compare.c: two sets of trials side by side, cell by cell (see compare.h).
 *
 * Each side is loaded as a run directory: its own config.yaml (config_load_rundir), the
 * plan of that config, and results.jsonl filed by cell id (cells_file). Cells are matched
 * by key (plan_cellkey with the side's suffix), A's cells first in plan order, then B's
 * own. A cell is present on a side when any trial was filed under it there, even a failed
 * one; only measured trials that finished ok count as data. For cells on both sides,
 * judge() gives the verdict of B against A at the tie, in the direction of the metric as
 * B's config says. One pass builds the document (doc.h) and the JSON from the same numbers. */
#include "compare.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cells.h"
#include "config.h"
#include "doc.h"
#include "fmt.h"
#include "results.h"
#include "rundir.h"
#include "stats.h"
#include "util.h"
#include "verdict.h"

struct cside {
	const char *dir, *suffix;
	struct config *cfg;
	struct plan *plan;
	struct trial *t;
	size_t nt;
	struct roundrec *rounds;
	size_t nrounds;
	struct cellfile cf;
};

struct ccell {
	char key[CELLIDLEN];
	const struct cell *c[2]; /* the cell in each side's plan, or NULL */
};

struct cctx {
	const struct compareopts *o;
	double tie;             /* o->tie, else B's run.tie */
	struct cside s[2];
	struct ccell *v;
	size_t n;
	struct doc *doc;
	struct blk *table;
	json_t *root, *cells;
	struct comparesummary *sum;
};

static int load_side(struct cside *sd)
{
	char *path = pathjoin(sd->dir, RUN_RESULTS);
	size_t good;
	int rc = -1;

	if (!isdir(sd->dir) || rundir_is(sd->dir) != 1) {
		errorf("not a run directory (no %s)", RUN_STATE);
		goto cleanup;
	}
	if (config_load_rundir(sd->dir, &sd->cfg) < 0 || plan_make(sd->cfg, &sd->plan) < 0)
		goto cleanup;
	if (!exists(path)) {
		errorf("%s: not a finished run (no %s)", sd->dir, RUN_RESULTS);
		goto cleanup;
	}
	if (results_load(path, &sd->t, &sd->nt, &good) < 0)
		goto cleanup;
	free(path);
	path = pathjoin(sd->dir, RUN_ROUNDS);
	if (rounds_load(path, &sd->rounds, &sd->nrounds, &good) < 0)
		goto cleanup;
	cells_file(&sd->cf, sd->plan, sd->t, sd->nt, sd->rounds, sd->nrounds);
	rc = 0;
cleanup:
	if (rc < 0)
		errwrap("%s", sd->dir);
	free(path);
	return rc;
}

static void match(struct cctx *x)
{
	for (int k = 0; k < 2; k++) {
		const struct plan *p = x->s[k].plan;
		for (size_t i = 0; i < p->ncells; i++) {
			char key[CELLIDLEN];
			size_t m;
			if (plan_cellkey(p, &p->cells[i], x->s[k].suffix, key) < 0)
				continue;
			for (m = 0; m < x->n && strcmp(x->v[m].key, key) != 0; m++)
				;
			if (m == x->n) {
				x->v = xreallocarray(x->v, x->n + 1, sizeof(*x->v));
				memset(&x->v[x->n], 0, sizeof(*x->v));
				memcpy(x->v[x->n++].key, key, CELLIDLEN);
			}
			x->v[m].c[k] = &p->cells[i];
		}
	}
}

static const struct cellvals *vals(const struct cctx *x, const struct ccell *c, int k)
{
	return c->c[k] ? &x->s[k].cf.cells[c->c[k] - x->s[k].plan->cells] : NULL;
}

static bool present(const struct cctx *x, const struct ccell *c, int k)
{
	const struct cellvals *cv = vals(x, c, k);

	return cv && cv->ntrials > 0;
}

/* experiment, point and variant (without the suffix) of a matched cell */
static void names(const struct cctx *x, const struct ccell *c, const char **exp, const char **point, char **variant)
{
	int k = c->c[1] ? 1 : 0;
	const struct plan *p = x->s[k].plan;
	const char *v = p->cfg->variants[c->c[k]->variant].name, *suf = x->s[k].suffix ? x->s[k].suffix : "";

	*exp = p->cfg->exps[c->c[k]->exp].name;
	*point = p->points[c->c[k]->point].label;
	*variant = xstrndup(v, strlen(v) - strlen(suf));
}

static json_t *summary_json(const struct summary *m)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "n", (json_int_t)m->n,
	                 "median", fmt_jnum(m->median), "mean", fmt_jnum(m->mean), "sd", fmt_jnum(m->sd),
	                 "cv", fmt_jnum(m->cv), "min", fmt_jnum(m->min), "max", fmt_jnum(m->max),
	                 "ci_lo", fmt_jnum(m->ci_lo), "ci_hi", fmt_jnum(m->ci_hi));
}

static char *side_text(const struct summary *m)
{
	if (m->n == 0)
		return xstrdup(DASH);
	if (m->n < 2)
		return xasprintf("%.4g (n=1)", m->median);
	return xasprintf("%.4g [%.4g, %.4g] n=%zu", m->median, m->ci_lo, m->ci_hi, m->n);
}

static const char *word(const struct cctx *x, enum verdict v, bool lower)
{
	return v == VERDICT_SAME && x->o->same_word ? x->o->same_word : verdict_word(v, lower);
}

static char *verdict_text(const struct cctx *x, const struct judgement *j, bool lower)
{
	if (j->verdict == VERDICT_BETTER || j->verdict == VERDICT_WORSE)
		return xasprintf("%s (%+.1f%%)", word(x, j->verdict, lower), (j->c.ratio - 1) * 100);
	if (j->verdict == VERDICT_INCONCLUSIVE && j->need > 0)
		return xasprintf("inconclusive (~%ld trials would decide)", j->need);
	return xstrdup(word(x, j->verdict, lower));
}

static void count(struct comparesummary *s, const struct judgement *j, double slowdown, const char *cellname)
{
	switch (j->verdict) {
	case VERDICT_BETTER: s->faster++; break;
	case VERDICT_SAME: s->same++; break;
	case VERDICT_INCONCLUSIVE: s->inconclusive++; break;
	case VERDICT_NODATA: s->nodata++; break;
	case VERDICT_WORSE:
		s->slower++;
		if (slowdown > s->worst) {
			s->worst = slowdown;
			free(s->worst_cell);
			s->worst_cell = xstrdup(cellname);
		}
		break;
	}
}

/* one cell present on both sides: a table row and a JSON object */
static void compare_cell(struct cctx *x, const struct ccell *c)
{
	const char *exp, *point;
	char *variant, *cellname;
	const struct cellvals *a = vals(x, c, 0), *b = vals(x, c, 1);
	bool lower = x->s[1].cfg->exps[c->c[1]->exp].lower_is_better;
	struct summary sa, sb;
	struct judgement j;
	double slowdown = 0;

	names(x, c, &exp, &point, &variant);
	stats_summary(a->vals, a->n, &sa);
	stats_summary(b->vals, b->n, &sb);
	judge(a->vals, a->n, b->vals, b->n, x->tie, lower, &j);
	if (j.verdict == VERDICT_WORSE)
		slowdown = lower ? j.c.ratio - 1 : 1 / j.c.ratio - 1;
	cellname = xasprintf("%s%s%s %s", exp, *point ? " " : "", point, variant);
	x->sum->cells++;
	count(x->sum, &j, slowdown, cellname);

	doc_cells(x->table, exp);
	doc_cells(x->table, *point ? point : DASH);
	doc_cells(x->table, variant);
	doc_cell(x->table, side_text(&sa));
	doc_cell(x->table, side_text(&sb));
	doc_cell(x->table, !isfinite(j.c.ratio) ? xstrdup(DASH)
	                   : isfinite(j.c.ratio_lo) ? xasprintf("%.3f [%.3f, %.3f]", j.c.ratio, j.c.ratio_lo, j.c.ratio_hi)
	                                            : xasprintf("%.3f", j.c.ratio));
	doc_cell(x->table, !isfinite(j.c.p) ? xstrdup(DASH) : j.c.p < 0.001 ? xstrdup("<0.001") : xasprintf("%.3f", j.c.p));
	doc_cell(x->table, verdict_text(x, &j, lower));

	json_array_append_new(x->cells, json_pack(
		"{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o}",
		"key", c->key, "experiment", exp, "variant", variant, "point", point,
		"a", summary_json(&sa), "b", summary_json(&sb), "ratio", fmt_jnum(j.c.ratio), "ratio_lo", fmt_jnum(j.c.ratio_lo),
		"ratio_hi", fmt_jnum(j.c.ratio_hi), "p", fmt_jnum(j.c.p), "significant", j.c.significant, "lower_is_better", lower,
		"change", fmt_jnum(j.c.ratio - 1), "verdict", word(x, j.verdict, lower), "worse", j.verdict == VERDICT_WORSE,
		"slowdown", fmt_jnum(slowdown), "equivalence", json_pack("[o, o]", fmt_jnum(j.eq_lo), fmt_jnum(j.eq_hi)),
		"rel_lo", fmt_jnum(j.rel_lo), "rel_hi", fmt_jnum(j.rel_hi), "tost_p", fmt_jnum(j.tost_p),
		"need", j.need ? json_integer(j.need) : json_null()));
	free(cellname);
	free(variant);
}

/* the cells present on side k only: a list and a JSON array */
static size_t one_side(struct cctx *x, int k, const char *label, json_t *arr)
{
	struct blk *list = NULL;
	size_t n = 0;

	for (size_t i = 0; i < x->n; i++) {
		const char *exp, *point;
		char *variant;
		if (!present(x, &x->v[i], k) || present(x, &x->v[i], !k))
			continue;
		if (!list) {
			doc_para(x->doc, xasprintf("Only in %s:", label));
			list = doc_list(x->doc);
		}
		names(x, &x->v[i], &exp, &point, &variant);
		doc_cell(list, xasprintf("%s %s %s", exp, *point ? point : DASH, variant));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "experiment", exp, "variant", variant, "point", point));
		free(variant);
		n++;
	}
	return n;
}

static void head(struct cctx *x, const char *la, const char *lb)
{
	struct blk *l;

	if (x->o->title)
		doc_heading(x->doc, 1, x->o->title);
	else
		doc_heading(x->doc, 1, "Comparison");
	l = doc_list(x->doc);
	doc_cell(l, xasprintf("%s: %s", la, x->o->where_a ? x->o->where_a : x->s[0].dir));
	doc_cell(l, xasprintf("%s: %s", lb, x->o->where_b ? x->o->where_b : x->s[1].dir));
	doc_cell(l, xasprintf("Each side: median of the measured trials, [95%% CI of the mean], n trials. %s/%s: ratio "
	                      "of medians with its 95%% bootstrap interval; p: Welch's t-test.", lb, la));
	doc_cell(l, xasprintf("Verdicts: faster or slower when p < 0.05, the interval excludes 1 and the change is over "
	                      "%.3g%%; %s when an equivalence test shows the two within %.3g%%; inconclusive otherwise, "
	                      "with the trials per side likely to decide it.", x->tie * 100,
	                      x->o->same_word ? x->o->same_word : "same", x->tie * 100));
	x->table = doc_table(x->doc, 8);
	doc_cells(x->table, "Experiment");
	doc_cells(x->table, "Point");
	doc_cells(x->table, "Variant");
	doc_cells(x->table, la);
	doc_cells(x->table, lb);
	doc_cell(x->table, xasprintf("%s/%s [95%% CI]", lb, la));
	doc_cells(x->table, "p");
	doc_cells(x->table, "Verdict");
}

static void tail(struct cctx *x, const char *la, const char *lb)
{
	struct comparesummary *s = x->sum;
	struct buf b = {0};

	bufaddf(&b, "Summary: %zu cells compared: %zu slower, %zu faster, %zu %s, %zu inconclusive", s->cells, s->slower,
	        s->faster, s->same, x->o->same_word ? x->o->same_word : "same", s->inconclusive);
	if (s->nodata)
		bufaddf(&b, ", %zu without data", s->nodata);
	if (s->only_a || s->only_b)
		bufaddf(&b, "; %zu only in %s, %zu only in %s", s->only_a, la, s->only_b, lb);
	if (s->worst_cell)
		bufaddf(&b, ". Worst slowdown: %+.1f%% (%s)", s->worst * 100, s->worst_cell);
	if (s->unmatched || s->duplicates)
		bufaddf(&b, ". Left out: %zu trials of no cell of their run's config, %zu repeated rounds", s->unmatched,
		        s->duplicates);
	bufadds(&b, ".");
	doc_para(x->doc, b.s);
	json_object_set_new(x->root, "summary", json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:o}", "cells", (json_int_t)s->cells,
		"slower", (json_int_t)s->slower, "faster", (json_int_t)s->faster, "same", (json_int_t)s->same,
		"inconclusive", (json_int_t)s->inconclusive, "no_data", (json_int_t)s->nodata,
		"only_a", (json_int_t)s->only_a, "only_b", (json_int_t)s->only_b, "unmatched", (json_int_t)s->unmatched,
		"duplicates", (json_int_t)s->duplicates, "worst_slowdown", s->worst,
		"worst_cell", s->worst_cell ? json_string(s->worst_cell) : json_null()));
}

/* compare.md -> compare.html */
static char *html_twin(const char *md)
{
	size_t n = strlen(md);

	if (n > 3 && strcmp(md + n - 3, ".md") == 0)
		n -= 3;
	return xasprintf("%.*s.html", (int)n, md);
}

int compare_doc(const char *dir_a, const char *dir_b, const struct compareopts *o, struct doc *d,
                struct comparesummary *s)
{
	struct cctx x = { .o = o, .sum = s, .doc = d };
	const char *la = o->label_a ? o->label_a : "A", *lb = o->label_b ? o->label_b : "B";
	json_t *onlya, *onlyb;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	x.s[0] = (struct cside){ .dir = dir_a, .suffix = o->suffix_a };
	x.s[1] = (struct cside){ .dir = dir_b, .suffix = o->suffix_b };
	if (load_side(&x.s[0]) < 0 || load_side(&x.s[1]) < 0)
		goto cleanup;
	match(&x);
	x.tie = o->tie >= 0 ? o->tie : x.s[1].cfg->run.tie;
	x.root = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:f, s:[], s:[], s:[]}",
	                   "a", "dir", o->where_a ? o->where_a : dir_a, "label", la,
	                   "b", "dir", o->where_b ? o->where_b : dir_b, "label", lb,
	                   "tie", x.tie, "cells", "only_a", "only_b");
	x.cells = json_object_get(x.root, "cells");
	onlya = json_object_get(x.root, "only_a");
	onlyb = json_object_get(x.root, "only_b");
	head(&x, la, lb);
	for (size_t i = 0; i < x.n; i++)
		if (present(&x, &x.v[i], 0) && present(&x, &x.v[i], 1))
			compare_cell(&x, &x.v[i]);
	if (s->cells == 0)
		for (int k = 0; k < 8; k++)
			doc_cells(x.table, k ? "" : "(no cell on both sides)");
	s->only_a = one_side(&x, 0, la, onlya);
	s->only_b = one_side(&x, 1, lb, onlyb);
	s->unmatched = x.s[0].cf.unmatched + x.s[1].cf.unmatched;
	s->duplicates = x.s[0].cf.duplicates + x.s[1].cf.duplicates;
	tail(&x, la, lb);
	s->json = x.root;
	x.root = NULL;
	rc = 0;
cleanup:
	for (int k = 0; k < 2; k++) {
		if (x.s[k].plan)
			cells_free(&x.s[k].cf);
		results_free(x.s[k].t, x.s[k].nt);
		rounds_free(x.s[k].rounds, x.s[k].nrounds);
		delplan(x.s[k].plan);
		delconfig(x.s[k].cfg);
	}
	free(x.v);
	json_decref(x.root);
	if (rc < 0)
		comparesummary_free(s);
	return rc;
}

int compare_render(const struct doc *d, const char *title, const char *out_md, struct comparesummary *s)
{
	struct buf md = {0}, html = {0};
	int rc = -1;

	doc_md(d, NULL, &md);
	doc_html(d, title, NULL, &html);
	if (out_md) {
		char *h = html_twin(out_md);
		int w = writefile(out_md, md.s, md.len) < 0 || writefile(h, html.s, html.len) < 0 ? -1 : 0;
		free(h);
		if (w < 0)
			goto cleanup;
	}
	free(s->markdown);
	free(s->html);
	s->markdown = md.s;
	s->html = html.s;
	md.s = html.s = NULL;
	rc = 0;
cleanup:
	buffree(&md);
	buffree(&html);
	return rc;
}

int compare_runs(const char *dir_a, const char *dir_b, const struct compareopts *o,
                 const char *out_md, const char *out_json, struct comparesummary *s)
{
	struct doc d = {0};
	int rc = -1;

	if (compare_doc(dir_a, dir_b, o, &d, s) < 0)
		goto cleanup;
	if (compare_render(&d, o->title ? o->title : "Comparison", out_md, s) < 0 ||
	    (out_json && writejson(out_json, s->json, JSON_DOC) < 0)) {
		comparesummary_free(s);
		goto cleanup;
	}
	rc = 0;
cleanup:
	deldoc(&d);
	return rc;
}

size_t compare_regressions(const struct comparesummary *s, double pct)
{
	json_t *cells = json_object_get(s->json, "cells"), *c;
	size_t i, n = 0;

	json_array_foreach(cells, i, c)
		if (json_is_true(json_object_get(c, "worse")) && json_number_value(json_object_get(c, "slowdown")) > pct)
			n++;
	return n;
}

void comparesummary_free(struct comparesummary *s)
{
	free(s->worst_cell);
	free(s->markdown);
	free(s->html);
	json_decref(s->json);
	memset(s, 0, sizeof(*s));
}
