/* report_tables.c: the report's tables: one per experiment in the write-up's form (times,
 * lost updates, thread scaling with speedups and efficiencies), the comparisons of every
 * variant with the baseline, the summary with its Winner column, and the published
 * reference figures beside ours. Each table is added to the document and its numbers to
 * results.json in the same pass. */
#include "report_int.h"

#include <gsl/gsl_statistics_double.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyperf.h"
#include "rundir.h"
#include "spawn.h"
#include "util.h"

static char *dim_title(const char *name) /* "threads" -> "Threads" */
{
	char *s = xstrdup(name);

	if (*s >= 'a' && *s <= 'z')
		*s = (char)(*s - 'a' + 'A');
	return s;
}

static char *correct_text(const struct cellres *cr)
{
	if (cr->nchecked == 0)
		return xstrdup(DASH);
	return xasprintf("%zu/%zu %s", cr->ncorrect, cr->nchecked,
	                 cr->ncorrect == cr->nchecked ? "\xe2\x9c\x93" : "\xe2\x9c\x97");
}

static char *n_text(const struct cellres *cr)
{
	if (cr->buildfailed && cr->ntrials == 0)
		return xstrdup("build failed");
	if (cr->nfailed)
		return xasprintf("%zu (%zu failed)", cr->nidx, cr->nfailed);
	return xasprintf("%zu", cr->nidx);
}

size_t report_exp_points(const struct report *r, size_t e, size_t *out)
{
	size_t n = 0;

	for (size_t p = 0; p < r->plan->npoints; p++)
		if (r->plan->points[p].exp == e)
			out[n++] = p;
	return n;
}

void report_section_times(struct report *r, size_t e, const size_t *pts, size_t npts)
{
	const struct expconf *ex = &r->cfg->exps[e];
	bool haspoint = ex->nmatrix > 0, expect = ex->expect_key != NULL;
	struct blk *t = doc_table(&r->doc, 5 + haspoint + expect);

	if (haspoint)
		doc_cells(t, "Point");
	doc_cells(t, "Build");
	doc_cells(t, strcmp(ex->metric, "seconds") == 0 ? "Time" : ex->metric);
	doc_cells(t, "95% CI");
	doc_cells(t, "CV");
	doc_cells(t, "n");
	if (expect)
		doc_cells(t, "Correct");
	for (size_t k = 0; k < npts; k++)
		for (size_t v = 0; v < r->nv; v++) {
			struct cellres *cr = CELL(r, pts[k], v);
			if (haspoint)
				doc_cells(t, r->plan->points[pts[k]].label);
			doc_cells(t, vlabel(r, v));
			doc_cell(t, fmt_metric(ex, cr->sum.median));
			doc_cell(t, fmt_range(ex, cr->sum.ci_lo, cr->sum.ci_hi));
			doc_cell(t, fmt_pct(cr->sum.cv));
			doc_cell(t, n_text(cr));
			if (expect)
				doc_cell(t, correct_text(cr));
		}
}

void report_section_race(struct report *r, size_t e, const size_t *pts, size_t npts)
{
	const struct expconf *ex = &r->cfg->exps[e];
	bool haspoint = ex->nmatrix > 0;
	size_t ntr = 0;
	struct blk *t;
	json_t *jrace = json_object_get(r->out, "race");

	for (size_t k = 0; k < npts; k++)
		for (size_t v = 0; v < r->nv; v++)
			if (CELL(r, pts[k], v)->nidx > ntr)
				ntr = CELL(r, pts[k], v)->nidx;
	if (ntr == 0)
		ntr = (size_t)(ex->trials > 0 ? ex->trials : 1);
	t = doc_table(&r->doc, 2 + ntr + haspoint);
	if (haspoint)
		doc_cells(t, "Point");
	doc_cells(t, "Build");
	for (size_t i = 0; i < ntr; i++)
		doc_cell(t, xasprintf("Trial %zu", i + 1));
	doc_cells(t, "Avg lost");
	for (size_t k = 0; k < npts; k++)
		for (size_t v = 0; v < r->nv; v++) {
			struct cellres *cr = CELL(r, pts[k], v);
			json_t *jt = json_array();
			double avg = report_avg_lost(r, cr, ex);

			if (haspoint)
				doc_cells(t, r->plan->points[pts[k]].label);
			doc_cells(t, vlabel(r, v));
			for (size_t i = 0; i < ntr; i++) {
				double val, lost;
				char *a, *b;

				if (i >= cr->nidx) {
					doc_cells(t, DASH);
					continue;
				}
				val = report_trial_value(r, &r->trials[cr->idx[i]], ex);
				lost = report_lost_share(ex, val);
				a = fmt_int(val);
				b = fmt_pct(lost);
				doc_cell(t, isfinite(val) ? xasprintf("%s (%s lost)", a, b) : xstrdup(DASH));
				free(a);
				free(b);
				json_array_append_new(jt, json_pack("{s:i, s:o, s:o}", "round", r->trials[cr->idx[i]].round,
				                                    "value", fmt_jnum(val), "lost", fmt_jnum(lost)));
			}
			doc_cell(t, fmt_pct(avg));
			json_array_append_new(jrace, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "experiment", ex->name,
			                                       "variant", vname(r, v), "point", r->plan->points[pts[k]].label,
			                                       "expected", fmt_jnum(ex->expect_key ? ex->expect_value : NAN),
			                                       "trials", jt, "avg_lost", fmt_jnum(avg)));
		}
}

/* the point's numeric value of the first dimension ("threads=4" -> 4), or NAN */
double report_point_x(const struct report *r, size_t p)
{
	const struct point *pt = &r->plan->points[p];
	char *end;
	double x;

	if (pt->values.n == 0)
		return NAN;
	x = strtod(pt->values.v[0].value, &end);
	return end != pt->values.v[0].value && *end == 0 ? x : NAN;
}

/* the values of every dimension but the first ("size=10"), which group a scaling
 * experiment's points into series; "" with one dimension */
char *report_rest_key(const struct report *r, size_t p)
{
	const struct point *pt = &r->plan->points[p];
	struct buf b = { 0 };

	for (size_t d = 1; d < pt->values.n; d++)
		bufaddf(&b, "%s%s=%s", d > 1 ? "," : "", pt->values.v[d].key, pt->values.v[d].value);
	return b.s ? b.s : xstrdup("");
}

/* the index in pts of the first point of pts[k]'s series: its speedups' T(1) */
size_t report_series_base(const struct report *r, const size_t *pts, size_t k)
{
	char *key = report_rest_key(r, pts[k]);
	size_t j;

	for (j = 0; j < k; j++) {
		char *o = report_rest_key(r, pts[j]);
		bool same = strcmp(o, key) == 0;
		free(o);
		if (same)
			break;
	}
	free(key);
	return j;
}

/* a scaling table's row label: the first dimension's value, or the whole label */
static char *scaling_row(const struct report *r, size_t p)
{
	const struct point *pt = &r->plan->points[p];

	return xstrdup(pt->values.n == 1 ? pt->values.v[0].value : pt->label);
}

void report_section_scaling(struct report *r, size_t e, const size_t *pts, size_t npts)
{
	const struct expconf *ex = &r->cfg->exps[e];
	char *dim = dim_title(ex->nmatrix ? ex->matrix[0].name : "point");
	json_t *jsc = json_object_get(r->out, "scaling");
	struct blk *t;

	if (ex->nmatrix > 1) {
		free(dim);
		dim = xstrdup("Point");
	}
	t = doc_table(&r->doc, 1 + r->nv + (r->nv - 1));
	doc_cells(t, dim);
	for (size_t v = 0; v < r->nv; v++)
		doc_cells(t, vlabel(r, v));
	for (size_t v = 1; v < r->nv; v++)
		doc_cell(t, xasprintf("%s speedup", vlabel(r, v)));
	for (size_t k = 0; k < npts; k++) {
		doc_cell(t, scaling_row(r, pts[k]));
		for (size_t v = 0; v < r->nv; v++)
			doc_cell(t, fmt_metric(ex, CELL(r, pts[k], v)->sum.median));
		for (size_t v = 1; v < r->nv; v++) {
			const struct comparison *c = &CMP(r, pts[k], v)->c;
			/* speedup of v over the baseline: T_base / T_v = 1 / ratio */
			double s = 1 / c->ratio;
			doc_cell(t, fmt_ratio(s));
			json_array_append_new(jsc, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "kind", "relative",
			                      "experiment", ex->name, "point", r->plan->points[pts[k]].label,
			                      "baseline", vname(r, 0), "other", vname(r, v), "speedup", fmt_jnum(s),
			                      "speedup_lo", fmt_jnum(1 / c->ratio_hi), "speedup_hi", fmt_jnum(1 / c->ratio_lo)));
		}
	}

	/* per variant: speedup n*T(1)/T(n) and efficiency T(1)/T(n), with intervals */
	t = doc_table(&r->doc, 1 + 2 * r->nv);
	doc_cells(t, dim);
	for (size_t v = 0; v < r->nv; v++) {
		doc_cell(t, xasprintf("%s speedup", vlabel(r, v)));
		doc_cell(t, xasprintf("%s efficiency", vlabel(r, v)));
	}
	for (size_t k = 0; k < npts; k++) {
		size_t b0 = report_series_base(r, pts, k);
		double x = report_point_x(r, pts[k]), x0 = report_point_x(r, pts[b0]);
		double scale = isfinite(x) && isfinite(x0) && x0 > 0 ? x / x0 : NAN;

		doc_cell(t, scaling_row(r, pts[k]));
		for (size_t v = 0; v < r->nv; v++) {
			struct cellres *base = CELL(r, pts[b0], v), *cur = CELL(r, pts[k], v);
			struct comparison c;
			char *a, *b;

			/* ratio = median(T(1)) / median(T(n)): the efficiency */
			stats_compare(cur->vals, cur->nidx, base->vals, base->nidx, &c);
			a = fmt_ratio_ci(scale * c.ratio, scale * c.ratio_lo, scale * c.ratio_hi);
			if (isfinite(c.ratio_lo))
				b = xasprintf("%.1f%% (%.1f" NDASH "%.1f%%)", 100 * c.ratio, 100 * c.ratio_lo, 100 * c.ratio_hi);
			else
				b = fmt_pct(c.ratio);
			doc_cell(t, a);
			doc_cell(t, b);
			json_array_append_new(jsc, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			                      "kind", "self", "experiment", ex->name, "point", r->plan->points[pts[k]].label,
			                      "variant", vname(r, v), "x", fmt_jnum(x), "speedup", fmt_jnum(scale * c.ratio),
			                      "speedup_lo", fmt_jnum(scale * c.ratio_lo), "speedup_hi", fmt_jnum(scale * c.ratio_hi),
			                      "efficiency", fmt_jnum(c.ratio), "efficiency_lo", fmt_jnum(c.ratio_lo),
			                      "efficiency_hi", fmt_jnum(c.ratio_hi)));
		}
	}
	free(dim);
}

/* the comparison of variant a against variant b at point p (ratio = median a / median b) */
/* the summary's winner of a timed point: "GIL (+8%)", "no-GIL (4x)", "Tie" (shown the same
 * within run.tie), "Can't tell (~N trials)", or a dash */
static char *winner_times(struct report *r, const struct expconf *e, size_t p, json_t *js)
{
	size_t best = (size_t)-1, second = (size_t)-1;
	struct judgement j;
	double f;
	char *fs, *w;

	for (size_t v = 0; v < r->nv; v++) {
		double m = CELL(r, p, v)->sum.median;
		if (!isfinite(m))
			continue;
		if (best == (size_t)-1 || (e->lower_is_better ? m < CELL(r, p, best)->sum.median
		                                              : m > CELL(r, p, best)->sum.median)) {
			second = best;
			best = v;
		} else if (second == (size_t)-1 || (e->lower_is_better ? m < CELL(r, p, second)->sum.median
		                                                       : m > CELL(r, p, second)->sum.median)) {
			second = v;
		}
	}
	if (best == (size_t)-1 || second == (size_t)-1)
		return xstrdup(DASH);
	/* best against second: ratio = median best / median second */
	judge(CELL(r, p, second)->vals, CELL(r, p, second)->nidx, CELL(r, p, best)->vals, CELL(r, p, best)->nidx,
	      r->cfg->run.tie, e->lower_is_better, &j);
	f = e->lower_is_better ? 1 / j.c.ratio : j.c.ratio;
	json_object_set_new(js, "factor", fmt_jnum(f));
	json_object_set_new(js, "p", fmt_jnum(j.c.p));
	json_object_set_new(js, "verdict", json_string(verdict_word(j.verdict, e->lower_is_better)));
	json_object_set_new(js, "need", j.need ? json_integer(j.need) : json_null());
	if (j.verdict != VERDICT_BETTER) {
		json_object_set_new(js, "winner", json_null());
		if (j.verdict == VERDICT_SAME)
			return xstrdup("Tie");
		return j.need > 0 ? xasprintf("Can't tell (~%ld trials)", j.need) : xstrdup("Can't tell");
	}
	json_object_set_new(js, "winner", json_string(vname(r, best)));
	fs = fmt_factor(f);
	w = xasprintf("%s (%s)", vlabel(r, best), fs);
	free(fs);
	return w;
}

static char *winner_race(struct report *r, const struct expconf *e, size_t p, json_t *js)
{
	size_t best = (size_t)-1, second = (size_t)-1;
	double lb, ls;

	for (size_t v = 0; v < r->nv; v++) {
		double l = report_avg_lost(r, CELL(r, p, v), e);
		if (!isfinite(l))
			continue;
		if (best == (size_t)-1 || l < report_avg_lost(r, CELL(r, p, best), e)) {
			second = best;
			best = v;
		} else if (second == (size_t)-1 || l < report_avg_lost(r, CELL(r, p, second), e)) {
			second = v;
		}
	}
	if (best == (size_t)-1 || second == (size_t)-1)
		return xstrdup(DASH);
	lb = report_avg_lost(r, CELL(r, p, best), e);
	ls = report_avg_lost(r, CELL(r, p, second), e);
	if (ls - lb < 0.0005) {
		json_object_set_new(js, "winner", json_null());
		return xstrdup("Tie");
	}
	json_object_set_new(js, "winner", json_string(vname(r, best)));
	return xasprintf("%s (safer)", vlabel(r, best));
}

/* a short cell's entry in metadata.json's interference.short, or NULL */
static json_t *shortcell(const struct report *r, const char *id)
{
	json_t *list = json_object_get(json_object_get(r->meta, "interference"), "short"), *it;
	size_t i;

	json_array_foreach(list, i, it)
		if (json_is_string(json_object_get(it, "cell")) && strcmp(json_string_value(json_object_get(it, "cell")), id) == 0)
			return it;
	return NULL;
}

/* the summary row's Notes: what its cells lost to interference or a slow machine, and noise;
 * the row says so itself rather than only the Noise section below */
static char *row_notes(struct report *r, size_t p, json_t *js)
{
	struct buf b = {0};
	size_t contaminated = 0, slow = 0;
	json_t *jn = json_array();

	for (size_t v = 0; v < r->nv; v++) {
		const struct cellres *cr = CELL(r, p, v);
		const struct cell *c = plan_cell(r->plan, p, v);
		json_t *sh = c ? shortcell(r, c->id) : NULL;

		contaminated += cr->ncontaminated;
		slow += cr->nslow;
		if (sh) {
			bufaddf(&b, "%s%s: %lld clean trials of %lld", b.len ? "; " : "", vlabel(r, v),
			        (long long)json_integer_value(json_object_get(sh, "clean")),
			        (long long)json_integer_value(json_object_get(sh, "wanted")));
			json_array_append_new(jn, json_pack("{s:s, s:s}", "kind", "short", "variant", vname(r, v)));
		}
		if (isfinite(cr->sum.cv) && cr->sum.cv > r->cfg->run.cv_threshold) {
			bufaddf(&b, "%s%s noisy (CV %.0f%%)", b.len ? "; " : "", vlabel(r, v), 100 * cr->sum.cv);
			json_array_append_new(jn, json_pack("{s:s, s:s, s:f}", "kind", "noisy", "variant", vname(r, v), "cv", cr->sum.cv));
		}
	}
	if (contaminated || slow) {
		char *pre = xasprintf("%zu trial%s left out (%zu interfered with, %zu on a slow machine) and repeated%s",
		                      contaminated + slow, contaminated + slow == 1 ? "" : "s", contaminated, slow,
		                      b.len ? "; " : "");
		struct buf n = {0};
		bufadds(&n, pre);
		if (b.len)
			bufadds(&n, b.s);
		buffree(&b);
		b = n;
		free(pre);
		json_array_append_new(jn, json_pack("{s:s, s:I, s:I}", "kind", "left_out", "contaminated",
		                                    (json_int_t)contaminated, "slow", (json_int_t)slow));
	}
	json_object_set_new(js, "notes", jn);
	return b.len ? b.s : xstrdup(DASH);
}

void report_section_summary(struct report *r)
{
	struct blk *t = doc_table(&r->doc, 3 + r->nv);
	json_t *jsum = json_object_get(r->out, "summary");
	size_t *pts = xcalloc(r->plan->npoints + 1, sizeof(*pts));

	doc_cells(t, "Experiment");
	for (size_t v = 0; v < r->nv; v++)
		doc_cells(t, vlabel(r, v));
	doc_cells(t, "Winner");
	doc_cells(t, "Notes");
	for (size_t e = 0; e < r->cfg->nexps; e++) {
		const struct expconf *ex = &r->cfg->exps[e];
		size_t npts = report_exp_points(r, e, pts), p;
		json_t *js, *jm = json_object();
		const struct point *pt;

		if (npts == 0)
			continue;
		p = pts[npts - 1];
		pt = &r->plan->points[p];
		js = json_pack("{s:s, s:s}", "experiment", ex->name, "point", pt->label);
		if (ex->nmatrix == 1)
			doc_cell(t, xasprintf("%s (%s %s)", ex->title ? ex->title : ex->name, pt->values.v[0].value,
			                  ex->matrix[0].name));
		else if (ex->nmatrix > 1)
			doc_cell(t, xasprintf("%s (%s)", ex->title ? ex->title : ex->name, pt->label));
		else
			doc_cells(t, ex->title ? ex->title : ex->name);
		for (size_t v = 0; v < r->nv; v++) {
			if (ex->table == TABLE_LOST_UPDATES) {
				double l = report_avg_lost(r, CELL(r, p, v), ex);
				char *s = fmt_pct(l);
				doc_cell(t, isfinite(l) ? xasprintf("%s lost", s) : xstrdup(DASH));
				free(s);
				json_object_set_new(jm, vname(r, v), fmt_jnum(l));
			} else {
				doc_cell(t, fmt_metric(ex, CELL(r, p, v)->sum.median));
				json_object_set_new(jm, vname(r, v), fmt_jnum(CELL(r, p, v)->sum.median));
			}
		}
		json_object_set_new(js, ex->table == TABLE_LOST_UPDATES ? "avg_lost" : "median", jm);
		if (ex->table == TABLE_LOST_UPDATES)
			doc_cell(t, winner_race(r, ex, p, js));
		else
			doc_cell(t, winner_times(r, ex, p, js));
		json_object_set_new(js, "text", json_string(t->cells.v[t->cells.n - 1]));
		doc_cell(t, row_notes(r, p, js));
		json_array_append_new(jsum, js);
	}
	free(pts);
}

void report_section_comparisons(struct report *r)
{
	struct blk *t;

	if (r->nv < 2) {
		doc_para(&r->doc, xstrdup("Only one variant: nothing to compare."));
		return;
	}
	doc_para(&r->doc, xasprintf("Each variant against the baseline, %s: ratio of medians (other / baseline) "
	                        "with its 95%% bootstrap interval, Welch's t-test p-value, and the verdict: "
	                        "faster or slower (significant and more than %.0f%% apart), same (shown within "
	                        "%.0f%% by an equivalence test) or inconclusive.", vlabel(r, 0), 100 * r->cfg->run.tie,
	                        100 * r->cfg->run.tie));
	t = doc_table(&r->doc, 8);
	doc_cells(t, "Experiment");
	doc_cells(t, "Point");
	doc_cells(t, "Baseline");
	doc_cells(t, "Other");
	doc_cells(t, "Ratio");
	doc_cells(t, "95% CI");
	doc_cells(t, "p");
	doc_cells(t, "Verdict");
	for (size_t p = 0; p < r->plan->npoints; p++) {
		const struct point *pt = &r->plan->points[p];
		const struct expconf *e = &r->cfg->exps[pt->exp];

		for (size_t v = 1; v < r->nv; v++) {
			const struct judgement *j = CMP(r, p, v);
			const struct comparison *c = &j->c;
			char *a = fmt_metric(e, CELL(r, p, 0)->sum.median), *b = fmt_metric(e, CELL(r, p, v)->sum.median);

			doc_cells(t, e->name);
			doc_cells(t, *pt->label ? pt->label : DASH);
			doc_cell(t, xasprintf("%s %s", vlabel(r, 0), a));
			doc_cell(t, xasprintf("%s %s", vlabel(r, v), b));
			doc_cell(t, isfinite(c->ratio) ? xasprintf("%.3f", c->ratio) : xstrdup(DASH));
			doc_cell(t, isfinite(c->ratio_lo) ? xasprintf("%.3f" NDASH "%.3f", c->ratio_lo, c->ratio_hi)
			                              : xstrdup(DASH));
			doc_cell(t, fmt_p(c->p));
			doc_cell(t, report_verdict_text(e, j));
			free(a);
			free(b);
		}
	}
}

static size_t variant_index(const struct report *r, const char *name)
{
	for (size_t v = 0; v < r->nv; v++)
		if (strcmp(vname(r, v), name) == 0)
			return v;
	return (size_t)-1;
}

void report_section_reference(struct report *r)
{
	struct blk *t = NULL;
	size_t *pts = xcalloc(r->plan->npoints + 1, sizeof(*pts));
	json_t *jref = json_object_get(r->out, "reference");

	for (size_t e = 0; e < r->cfg->nexps; e++) {
		const struct expconf *ex = &r->cfg->exps[e];
		size_t npts = report_exp_points(r, e, pts);

		for (size_t k = 0; k < ex->nrefs; k++) {
			const struct refconf *rf = &ex->refs[k];
			size_t v = variant_index(r, rf->variant);

			for (size_t i = 0; i < rf->n && i < npts; i++) {
				bool lost = ex->table == TABLE_LOST_UPDATES;
				double ours = v == (size_t)-1 ? NAN
				            : lost ? report_avg_lost(r, CELL(r, pts[i], v), ex) : CELL(r, pts[i], v)->sum.median;
				double ref = rf->values[i];

				if (!t) {
					doc_heading(&r->doc, 2, "Reference");
					if (r->cfg->reference)
						doc_para(&r->doc, xasprintf("Reference figures: %s.", r->cfg->reference));
					t = doc_table(&r->doc, 6);
					doc_cells(t, "Experiment");
					doc_cells(t, "Point");
					doc_cells(t, "Build");
					doc_cells(t, "Reference");
					doc_cells(t, "Ours");
					doc_cells(t, "Ours / reference");
				}
				doc_cells(t, ex->title ? ex->title : ex->name);
				doc_cells(t, *r->plan->points[pts[i]].label ? r->plan->points[pts[i]].label : DASH);
				doc_cells(t, report_variant_label(rf->variant));
				doc_cell(t, lost ? fmt_pct(ref) : fmt_metric(ex, ref));
				doc_cell(t, lost ? fmt_pct(ours) : fmt_metric(ex, ours));
				doc_cell(t, !lost && isfinite(ours) && ref > 0 ? xasprintf("%.2f", ours / ref) : xstrdup(DASH));
				json_array_append_new(jref, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "experiment", ex->name,
				                      "point", r->plan->points[pts[i]].label, "variant", rf->variant,
				                      "unit", lost ? "lost share" : ex->metric, "reference", fmt_jnum(ref),
				                      "ours", fmt_jnum(ours)));
			}
		}
	}
	free(pts);
}
