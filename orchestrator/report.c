/* report.c: the report stage (see report.h and docs/report.md).
 *
 * It works in three passes. load: config.yaml (config_load), the plan (plan_make),
 * results.jsonl (results_load), builds/NAME/build.json and metadata.json (jansson; each may
 * be missing, and any field of them). compute: the trials are sorted into cells by
 * experiment, variant and point name (warm-ups and failed trials kept apart), and stats.c
 * gives each cell's summary, each point's comparison of every variant with the first one
 * (the baseline), the thread-scaling speedups and efficiencies, and each experiment's
 * winner; every number also goes into results.json as it is computed. write: the tables are
 * built once as a small document model (headings, paragraphs, tables, plots) that is
 * rendered twice, as Markdown and as self-contained HTML, so both always say the same.
 * Plots are gnuplot scripts and data files in a temporary folder, run through spawn.h;
 * the SVGs land in plots/ and are inlined in the HTML. A missing gnuplot only warns.
 * pyperf.c writes pyperf/VARIANT.json. Noisy cells are also warned about on stderr. */
#include "report.h"

#include <gsl/gsl_statistics_double.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "plan.h"
#include "pyperf.h"
#include "results.h"
#include "rundir.h"
#include "spawn.h"
#include "stats.h"
#include "util.h"

#define DASH "\xe2\x80\x94"   /* — */
#define TIMES "\xc3\x97"      /* × */
#define NDASH "\xe2\x80\x93"  /* – */

/* ---- the document model, rendered as Markdown and as HTML ---- */

enum blkkind { BLK_HEADING, BLK_PARA, BLK_TABLE, BLK_PLOT };

struct blk {
	enum blkkind kind;
	int level;              /* heading level */
	char *text;             /* heading, paragraph, plot title */
	char *plot;             /* plot file name without .svg */
	size_t ncol;            /* table: cells in row-major order, the first row is the header */
	struct strlist cells;
};

struct doc {
	struct blk *v;
	size_t n;
};

static struct blk *addblk(struct doc *d, enum blkkind k)
{
	struct blk *b;

	d->v = xreallocarray(d->v, d->n + 1, sizeof(*d->v));
	b = &d->v[d->n++];
	memset(b, 0, sizeof(*b));
	b->kind = k;
	return b;
}

static void heading(struct doc *d, int level, const char *text)
{
	struct blk *b = addblk(d, BLK_HEADING);

	b->level = level;
	b->text = xstrdup(text);
}

static void para(struct doc *d, char *text) /* takes text */
{
	addblk(d, BLK_PARA)->text = text;
}

static struct blk *table(struct doc *d, size_t ncol)
{
	struct blk *b = addblk(d, BLK_TABLE);

	b->ncol = ncol;
	return b;
}

static void cell(struct blk *t, char *s) /* takes s */
{
	strlist_addown(&t->cells, s);
}

static void cells(struct blk *t, const char *s)
{
	strlist_add(&t->cells, s);
}

static void plotblk(struct doc *d, const char *name, const char *title)
{
	struct blk *b = addblk(d, BLK_PLOT);

	b->plot = xstrdup(name);
	b->text = xstrdup(title);
}

static void deldoc(struct doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].text);
		free(d->v[i].plot);
		strlist_free(&d->v[i].cells);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

static void md_cell(struct buf *o, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			bufadds(o, "\\|");
		else if (*s == '\n')
			bufadds(o, " ");
		else
			bufadd(o, s, 1);
	}
}

static void render_md(const struct doc *d, const bool *plotted, struct buf *o)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct blk *b = &d->v[i];

		switch (b->kind) {
		case BLK_HEADING:
			for (int k = 0; k < b->level; k++)
				bufadds(o, "#");
			bufaddf(o, " %s\n\n", b->text);
			break;
		case BLK_PARA:
			bufaddf(o, "%s\n\n", b->text);
			break;
		case BLK_TABLE:
			for (size_t c = 0; c < b->cells.n; c++) {
				bufadds(o, c % b->ncol == 0 ? "| " : " | ");
				md_cell(o, b->cells.v[c]);
				if (c % b->ncol == b->ncol - 1) {
					bufadds(o, " |\n");
					if (c == b->ncol - 1) {
						for (size_t k = 0; k < b->ncol; k++)
							bufadds(o, "| --- ");
						bufadds(o, "|\n");
					}
				}
			}
			bufadds(o, "\n");
			break;
		case BLK_PLOT:
			if (plotted[i])
				bufaddf(o, "![%s](" RUN_PLOTS "/%s.svg)\n\n", b->text, b->plot);
			break;
		}
	}
}

static void html_esc(struct buf *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': bufadds(o, "&amp;"); break;
		case '<': bufadds(o, "&lt;"); break;
		case '>': bufadds(o, "&gt;"); break;
		case '"': bufadds(o, "&quot;"); break;
		case '\'': bufadds(o, "&#39;"); break;
		default: bufadd(o, s, 1);
		}
	}
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
static const char html_style[] =
	"</title>\n<style>\n"
	"body{font-family:system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}\n"
	"h1,h2,h3{font-weight:600}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}\n"
	"table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}\n"
	"th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}\n"
	"figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{color:#555}\n"
	"</style>\n</head>\n<body>\n";

static void render_html(const struct doc *d, const char *title, char *const *svgs, struct buf *o)
{
	bufadds(o, html_head);
	html_esc(o, title);
	bufadds(o, html_style);
	for (size_t i = 0; i < d->n; i++) {
		const struct blk *b = &d->v[i];

		switch (b->kind) {
		case BLK_HEADING:
			bufaddf(o, "<h%d>", b->level);
			html_esc(o, b->text);
			bufaddf(o, "</h%d>\n", b->level);
			break;
		case BLK_PARA:
			bufadds(o, "<p>");
			html_esc(o, b->text);
			bufadds(o, "</p>\n");
			break;
		case BLK_TABLE:
			bufadds(o, "<table>\n");
			for (size_t c = 0; c < b->cells.n; c++) {
				bool head = c < b->ncol;
				if (c % b->ncol == 0)
					bufadds(o, "<tr>");
				bufadds(o, head ? "<th>" : "<td>");
				html_esc(o, b->cells.v[c]);
				bufadds(o, head ? "</th>" : "</td>");
				if (c % b->ncol == b->ncol - 1)
					bufadds(o, "</tr>\n");
			}
			bufadds(o, "</table>\n");
			break;
		case BLK_PLOT:
			if (svgs[i]) {
				const char *svg = strstr(svgs[i], "<svg");
				bufadds(o, "<figure>\n");
				bufadds(o, svg ? svg : svgs[i]);
				bufadds(o, "\n<figcaption>");
				html_esc(o, b->text);
				bufadds(o, "</figcaption>\n</figure>\n");
			}
			break;
		}
	}
	bufadds(o, "</body>\n</html>\n");
}

/* ---- numbers as the report prints them ---- */

static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static char *fmt_time(double x)
{
	if (!isfinite(x))
		return xstrdup(DASH);
	if (fabs(x) >= 100)
		return xasprintf("%.1f s", x);
	return xasprintf("%.4f s", x);
}

static char *fmt_num(double x) /* a metric that is not seconds */
{
	if (!isfinite(x))
		return xstrdup(DASH);
	return xasprintf("%.6g", x);
}

static char *fmt_metric(const struct expconf *e, double x)
{
	return strcmp(e->metric, "seconds") == 0 ? fmt_time(x) : fmt_num(x);
}

static char *fmt_range(const struct expconf *e, double lo, double hi)
{
	if (!isfinite(lo) || !isfinite(hi))
		return xstrdup(DASH);
	if (strcmp(e->metric, "seconds") == 0)
		return xasprintf("%.4f" NDASH "%.4f s", lo, hi);
	return xasprintf("%.6g" NDASH "%.6g", lo, hi);
}

static char *fmt_pct(double x) /* share to "12.3%" */
{
	if (!isfinite(x))
		return xstrdup(DASH);
	return xasprintf("%.1f%%", 100 * x);
}

static char *fmt_int(double x) /* 1600000 -> "1,600,000" */
{
	char digits[64];
	struct buf b = { 0 };
	size_t n, i;

	if (!isfinite(x))
		return xstrdup(DASH);
	snprintf(digits, sizeof(digits), "%.0f", fabs(x));
	n = strlen(digits);
	if (x < 0 && digits[0] != '0')
		bufadds(&b, "-");
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			bufadds(&b, ",");
		bufadd(&b, &digits[i], 1);
	}
	return b.s;
}

static char *fmt_ratio(double x)
{
	if (!isfinite(x))
		return xstrdup(DASH);
	return xasprintf("%.2f" TIMES, x);
}

static char *fmt_ratio_ci(double x, double lo, double hi)
{
	if (!isfinite(x))
		return xstrdup(DASH);
	if (!isfinite(lo) || !isfinite(hi))
		return xasprintf("%.2f" TIMES, x);
	return xasprintf("%.2f" TIMES " (%.2f" NDASH "%.2f)", x, lo, hi);
}

static char *fmt_p(double p)
{
	if (!isfinite(p))
		return xstrdup(DASH);
	if (p < 0.0001)
		return xstrdup("<0.0001");
	return xasprintf("%.4f", p);
}

const char *report_variant_label(const char *variant)
{
	if (strcmp(variant, "gil") == 0)
		return "GIL";
	if (strcmp(variant, "nogil") == 0 || strcmp(variant, "no-gil") == 0)
		return "no-GIL";
	return variant;
}

/* "4x" when a factor is 2 or more (whole times, rounded down), else "+8%" */
static char *fmt_factor(double f)
{
	if (f >= 2)
		return xasprintf("%.0f" TIMES, floor(f));
	return xasprintf("+%.0f%%", 100 * (f - 1));
}

/* ---- the report's state ---- */

struct cellres {
	size_t *idx;            /* measured ok trials (indices into trials), in file order */
	size_t nidx;
	double *vals;           /* their metric */
	size_t nwarm, nfailed, ntrials; /* warm-ups, failed measured trials, all trials */
	size_t ncorrect, nchecked;
	struct summary sum;
	bool buildfailed;
};

struct report {
	const char *dir;
	const struct reportopts *opts;
	struct config *cfg;
	struct plan *plan;
	struct trial *trials;
	size_t ntrials;
	json_t *meta;           /* metadata.json or NULL */
	json_t **builds;        /* build.json per config build, or NULL */
	struct cellres *cells;  /* npoints * nvariants, point-major */
	struct comparison *cmp; /* the same shape: variant v against variant 0 at the point */
	size_t nv;
	json_t *out;            /* results.json */
	struct doc doc;
	struct strlist warnings;
	size_t unmatched;       /* trials that belong to no cell of the plan */
};

#define CELL(r, p, v) (&(r)->cells[(p) * (r)->nv + (v)])
#define CMP(r, p, v) (&(r)->cmp[(p) * (r)->nv + (v)])

static const char *vname(const struct report *r, size_t v)
{
	return r->cfg->variants[v].name;
}

static const char *vlabel(const struct report *r, size_t v)
{
	return report_variant_label(vname(r, v));
}

static int load_json(const char *path, json_t **out)
{
	json_error_t err;

	*out = NULL;
	if (!exists(path))
		return 0;
	*out = json_loadreg(path, 0, &err);
	if (!*out)
		return errorf("%s:%d:%d: %s", path, err.line, err.column, err.text);
	return 0;
}

static int load(struct report *r)
{
	char *path = NULL;
	size_t good = 0;
	int rc = -1;

	path = pathjoin(r->dir, RUN_CONFIG);
	if (!exists(path)) {
		errorf("%s: no " RUN_CONFIG " (not a run directory?)", r->dir);
		goto cleanup;
	}
	if (config_load(path, &r->cfg) < 0)
		goto cleanup;
	if (plan_make(r->cfg, &r->plan) < 0) {
		errwrap("%s", path);
		goto cleanup;
	}
	free(path);
	path = pathjoin(r->dir, RUN_RESULTS);
	if (exists(path) && results_load(path, &r->trials, &r->ntrials, &good) < 0)
		goto cleanup;
	free(path);
	path = pathjoin(r->dir, RUN_METADATA);
	if (load_json(path, &r->meta) < 0)
		goto cleanup;
	r->builds = xcalloc(r->cfg->nbuilds ? r->cfg->nbuilds : 1, sizeof(*r->builds));
	for (size_t b = 0; b < r->cfg->nbuilds; b++) {
		free(path);
		path = xasprintf("%s/" RUN_BUILDS "/%s/" RUN_BUILDREC, r->dir, r->cfg->builds[b].name);
		if (load_json(path, &r->builds[b]) < 0)
			goto cleanup;
	}
	rc = 0;
cleanup:
	free(path);
	return rc;
}

static bool build_failed(const struct report *r, size_t b)
{
	json_t *ok = r->builds[b] ? json_object_get(r->builds[b], "ok") : NULL;

	return ok && json_is_false(ok);
}

/* the point of experiment e whose label is l, or (size_t)-1 */
static size_t find_point(const struct report *r, size_t e, const char *l)
{
	for (size_t p = 0; p < r->plan->npoints; p++)
		if (r->plan->points[p].exp == e && strcmp(r->plan->points[p].label, l) == 0)
			return p;
	return (size_t)-1;
}

static void sort_trials(struct report *r)
{
	const struct config *c = r->cfg;

	r->nv = c->nvariants;
	r->cells = xcalloc(r->plan->npoints * r->nv + 1, sizeof(*r->cells));
	r->cmp = xcalloc(r->plan->npoints * r->nv + 1, sizeof(*r->cmp));
	for (size_t i = 0; i < r->ntrials; i++) {
		const struct trial *t = &r->trials[i];
		size_t e, v, p;
		struct cellres *cr;

		for (e = 0; e < c->nexps && strcmp(c->exps[e].name, t->experiment ? t->experiment : ""); e++)
			;
		for (v = 0; v < c->nvariants && strcmp(c->variants[v].name, t->variant ? t->variant : ""); v++)
			;
		p = e < c->nexps ? find_point(r, e, t->point ? t->point : "") : (size_t)-1;
		if (v == c->nvariants || p == (size_t)-1) {
			r->unmatched++;
			continue;
		}
		cr = CELL(r, p, v);
		cr->ntrials++;
		if (t->warmup) {
			cr->nwarm++;
			continue;
		}
		if (t->status != TRIAL_OK || !isfinite(t->metric)) {
			cr->nfailed++;
			continue;
		}
		cr->idx = xreallocarray(cr->idx, cr->nidx + 1, sizeof(*cr->idx));
		cr->vals = xreallocarray(cr->vals, cr->nidx + 1, sizeof(*cr->vals));
		cr->idx[cr->nidx] = i;
		cr->vals[cr->nidx] = t->metric;
		cr->nidx++;
		if (t->has_expect) {
			cr->nchecked++;
			cr->ncorrect += t->correct;
		}
	}
}

/* the expect value of a trial's result (the race's final count), or NAN */
static double trial_value(const struct report *r, const struct trial *t, const struct expconf *e)
{
	json_t *v;

	(void)r;
	if (!e->expect_key || !t->result)
		return NAN;
	v = json_object_get(t->result, e->expect_key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static double lost_share(const struct expconf *e, double value)
{
	if (!isfinite(value) || e->expect_value == 0)
		return NAN;
	return (e->expect_value - value) / e->expect_value;
}

/* the average lost share of a race cell, or NAN */
static double avg_lost(const struct report *r, const struct cellres *cr, const struct expconf *e)
{
	double *l = xcalloc(cr->nidx + 1, sizeof(*l)), m;
	size_t n = 0;

	for (size_t k = 0; k < cr->nidx; k++) {
		double x = lost_share(e, trial_value(r, &r->trials[cr->idx[k]], e));
		if (isfinite(x))
			l[n++] = x;
	}
	m = n ? gsl_stats_mean(l, 1, n) : NAN;
	free(l);
	return m;
}

static const char *verdict(const struct report *r, const struct expconf *e, const struct comparison *c)
{
	if (!isfinite(c->ratio))
		return "no data";
	if (!c->significant || fabs(c->ratio - 1) <= r->cfg->run.tie)
		return "no significant difference";
	if (e->lower_is_better)
		return c->ratio < 1 ? "faster" : "slower";
	return c->ratio > 1 ? "higher" : "lower";
}

static void compute(struct report *r)
{
	json_t *jcells = json_array(), *jcmp = json_array();

	for (size_t p = 0; p < r->plan->npoints; p++) {
		const struct point *pt = &r->plan->points[p];
		const struct expconf *e = &r->cfg->exps[pt->exp];

		for (size_t v = 0; v < r->nv; v++) {
			struct cellres *cr = CELL(r, p, v);
			const struct cell *ce = plan_cell(r->plan, p, v);
			json_t *jc, *vals = json_array();

			stats_summary(cr->vals, cr->nidx, &cr->sum);
			cr->buildfailed = build_failed(r, r->cfg->variants[v].build);
			for (size_t k = 0; k < cr->nidx; k++)
				json_array_append_new(vals, json_real(cr->vals[k]));
			jc = json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
			               " s:I, s:I, s:I, s:b, s:o}",
			               "id", ce ? ce->id : "", "experiment", e->name, "variant", vname(r, v),
			               "point", pt->label, "n", (json_int_t)cr->sum.n,
			               "median", jnum(cr->sum.median), "mean", jnum(cr->sum.mean),
			               "sd", jnum(cr->sum.sd), "cv", jnum(cr->sum.cv), "min", jnum(cr->sum.min),
			               "max", jnum(cr->sum.max), "ci_lo", jnum(cr->sum.ci_lo), "ci_hi", jnum(cr->sum.ci_hi),
			               "halfwidth", jnum(cr->sum.halfwidth), "values", vals,
			               "warmup", (json_int_t)cr->nwarm, "failed", (json_int_t)cr->nfailed,
			               "trials", (json_int_t)cr->ntrials, "build_failed", cr->buildfailed,
			               "metric", json_string(e->metric));
			if (e->expect_key)
				json_object_set_new(jc, "correct", json_pack("{s:I, s:I}", "ok", (json_int_t)cr->ncorrect,
				                                             "checked", (json_int_t)cr->nchecked));
			json_array_append_new(jcells, jc);
		}
		for (size_t v = 1; v < r->nv; v++) {
			struct cellres *a = CELL(r, p, 0), *b = CELL(r, p, v);
			struct comparison *c = CMP(r, p, v);

			stats_compare(a->vals, a->nidx, b->vals, b->nidx, c);
			json_array_append_new(jcmp, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:s}",
			                      "experiment", e->name, "point", pt->label, "baseline", vname(r, 0),
			                      "other", vname(r, v), "ratio", jnum(c->ratio), "ratio_lo", jnum(c->ratio_lo),
			                      "ratio_hi", jnum(c->ratio_hi), "p", jnum(c->p), "significant", c->significant,
			                      "verdict", verdict(r, e, c)));
		}
	}
	json_object_set_new(r->out, "cells", jcells);
	json_object_set_new(r->out, "comparisons", jcmp);
}

/* ---- the sections ---- */

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

static size_t exp_points(const struct report *r, size_t e, size_t *out)
{
	size_t n = 0;

	for (size_t p = 0; p < r->plan->npoints; p++)
		if (r->plan->points[p].exp == e)
			out[n++] = p;
	return n;
}

static void section_times(struct report *r, size_t e, const size_t *pts, size_t npts)
{
	const struct expconf *ex = &r->cfg->exps[e];
	bool haspoint = ex->nmatrix > 0, expect = ex->expect_key != NULL;
	struct blk *t = table(&r->doc, 5 + haspoint + expect);

	if (haspoint)
		cells(t, "Point");
	cells(t, "Build");
	cells(t, strcmp(ex->metric, "seconds") == 0 ? "Time" : ex->metric);
	cells(t, "95% CI");
	cells(t, "CV");
	cells(t, "n");
	if (expect)
		cells(t, "Correct");
	for (size_t k = 0; k < npts; k++)
		for (size_t v = 0; v < r->nv; v++) {
			struct cellres *cr = CELL(r, pts[k], v);
			if (haspoint)
				cells(t, r->plan->points[pts[k]].label);
			cells(t, vlabel(r, v));
			cell(t, fmt_metric(ex, cr->sum.median));
			cell(t, fmt_range(ex, cr->sum.ci_lo, cr->sum.ci_hi));
			cell(t, fmt_pct(cr->sum.cv));
			cell(t, n_text(cr));
			if (expect)
				cell(t, correct_text(cr));
		}
}

static void section_race(struct report *r, size_t e, const size_t *pts, size_t npts)
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
	t = table(&r->doc, 2 + ntr + haspoint);
	if (haspoint)
		cells(t, "Point");
	cells(t, "Build");
	for (size_t i = 0; i < ntr; i++)
		cell(t, xasprintf("Trial %zu", i + 1));
	cells(t, "Avg lost");
	for (size_t k = 0; k < npts; k++)
		for (size_t v = 0; v < r->nv; v++) {
			struct cellres *cr = CELL(r, pts[k], v);
			json_t *jt = json_array();
			double avg = avg_lost(r, cr, ex);

			if (haspoint)
				cells(t, r->plan->points[pts[k]].label);
			cells(t, vlabel(r, v));
			for (size_t i = 0; i < ntr; i++) {
				double val, lost;
				char *a, *b;

				if (i >= cr->nidx) {
					cells(t, DASH);
					continue;
				}
				val = trial_value(r, &r->trials[cr->idx[i]], ex);
				lost = lost_share(ex, val);
				a = fmt_int(val);
				b = fmt_pct(lost);
				cell(t, isfinite(val) ? xasprintf("%s (%s lost)", a, b) : xstrdup(DASH));
				free(a);
				free(b);
				json_array_append_new(jt, json_pack("{s:i, s:o, s:o}", "round", r->trials[cr->idx[i]].round,
				                                    "value", jnum(val), "lost", jnum(lost)));
			}
			cell(t, fmt_pct(avg));
			json_array_append_new(jrace, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "experiment", ex->name,
			                                       "variant", vname(r, v), "point", r->plan->points[pts[k]].label,
			                                       "expected", jnum(ex->expect_key ? ex->expect_value : NAN),
			                                       "trials", jt, "avg_lost", jnum(avg)));
		}
}

/* the point's numeric value of the first dimension ("threads=4" -> 4), or NAN */
static double point_x(const struct report *r, size_t p)
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
static char *rest_key(const struct report *r, size_t p)
{
	const struct point *pt = &r->plan->points[p];
	struct buf b = { 0 };

	for (size_t d = 1; d < pt->values.n; d++)
		bufaddf(&b, "%s%s=%s", d > 1 ? "," : "", pt->values.v[d].key, pt->values.v[d].value);
	return b.s ? b.s : xstrdup("");
}

/* the index in pts of the first point of pts[k]'s series: its speedups' T(1) */
static size_t series_base(const struct report *r, const size_t *pts, size_t k)
{
	char *key = rest_key(r, pts[k]);
	size_t j;

	for (j = 0; j < k; j++) {
		char *o = rest_key(r, pts[j]);
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

static void section_scaling(struct report *r, size_t e, const size_t *pts, size_t npts)
{
	const struct expconf *ex = &r->cfg->exps[e];
	char *dim = dim_title(ex->nmatrix ? ex->matrix[0].name : "point");
	json_t *jsc = json_object_get(r->out, "scaling");
	struct blk *t;

	if (ex->nmatrix > 1) {
		free(dim);
		dim = xstrdup("Point");
	}
	t = table(&r->doc, 1 + r->nv + (r->nv - 1));
	cells(t, dim);
	for (size_t v = 0; v < r->nv; v++)
		cells(t, vlabel(r, v));
	for (size_t v = 1; v < r->nv; v++)
		cell(t, xasprintf("%s speedup", vlabel(r, v)));
	for (size_t k = 0; k < npts; k++) {
		cell(t, scaling_row(r, pts[k]));
		for (size_t v = 0; v < r->nv; v++)
			cell(t, fmt_metric(ex, CELL(r, pts[k], v)->sum.median));
		for (size_t v = 1; v < r->nv; v++) {
			const struct comparison *c = CMP(r, pts[k], v);
			/* speedup of v over the baseline: T_base / T_v = 1 / ratio */
			double s = 1 / c->ratio;
			cell(t, fmt_ratio(s));
			json_array_append_new(jsc, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "kind", "relative",
			                      "experiment", ex->name, "point", r->plan->points[pts[k]].label,
			                      "baseline", vname(r, 0), "other", vname(r, v), "speedup", jnum(s),
			                      "speedup_lo", jnum(1 / c->ratio_hi), "speedup_hi", jnum(1 / c->ratio_lo)));
		}
	}

	/* per variant: speedup n*T(1)/T(n) and efficiency T(1)/T(n), with intervals */
	t = table(&r->doc, 1 + 2 * r->nv);
	cells(t, dim);
	for (size_t v = 0; v < r->nv; v++) {
		cell(t, xasprintf("%s speedup", vlabel(r, v)));
		cell(t, xasprintf("%s efficiency", vlabel(r, v)));
	}
	for (size_t k = 0; k < npts; k++) {
		size_t b0 = series_base(r, pts, k);
		double x = point_x(r, pts[k]), x0 = point_x(r, pts[b0]);
		double scale = isfinite(x) && isfinite(x0) && x0 > 0 ? x / x0 : NAN;

		cell(t, scaling_row(r, pts[k]));
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
			cell(t, a);
			cell(t, b);
			json_array_append_new(jsc, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			                      "kind", "self", "experiment", ex->name, "point", r->plan->points[pts[k]].label,
			                      "variant", vname(r, v), "x", jnum(x), "speedup", jnum(scale * c.ratio),
			                      "speedup_lo", jnum(scale * c.ratio_lo), "speedup_hi", jnum(scale * c.ratio_hi),
			                      "efficiency", jnum(c.ratio), "efficiency_lo", jnum(c.ratio_lo),
			                      "efficiency_hi", jnum(c.ratio_hi)));
		}
	}
	free(dim);
}

/* the comparison of variant a against variant b at point p (ratio = median a / median b) */
static void pair(struct report *r, size_t p, size_t a, size_t b, struct comparison *out)
{
	if (b == 0 && a != 0) {
		*out = *CMP(r, p, a);
		return;
	}
	if (a == 0 && b != 0) {
		const struct comparison *c = CMP(r, p, b);
		out->ratio = 1 / c->ratio;
		out->ratio_lo = 1 / c->ratio_hi;
		out->ratio_hi = 1 / c->ratio_lo;
		out->p = c->p;
		out->significant = c->significant;
		return;
	}
	stats_compare(CELL(r, p, b)->vals, CELL(r, p, b)->nidx, CELL(r, p, a)->vals, CELL(r, p, a)->nidx, out);
}

/* the summary's winner of a timed point: "GIL (+8%)", "no-GIL (4x)", "Tie", or a dash */
static char *winner_times(struct report *r, const struct expconf *e, size_t p, json_t *js)
{
	size_t best = (size_t)-1, second = (size_t)-1;
	struct comparison c;
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
	pair(r, p, best, second, &c); /* median best / median second */
	f = e->lower_is_better ? 1 / c.ratio : c.ratio;
	json_object_set_new(js, "factor", jnum(f));
	json_object_set_new(js, "p", jnum(c.p));
	if (!c.significant || fabs(f - 1) <= r->cfg->run.tie) {
		json_object_set_new(js, "winner", json_null());
		return xstrdup("Tie");
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
		double l = avg_lost(r, CELL(r, p, v), e);
		if (!isfinite(l))
			continue;
		if (best == (size_t)-1 || l < avg_lost(r, CELL(r, p, best), e)) {
			second = best;
			best = v;
		} else if (second == (size_t)-1 || l < avg_lost(r, CELL(r, p, second), e)) {
			second = v;
		}
	}
	if (best == (size_t)-1 || second == (size_t)-1)
		return xstrdup(DASH);
	lb = avg_lost(r, CELL(r, p, best), e);
	ls = avg_lost(r, CELL(r, p, second), e);
	if (ls - lb < 0.0005) {
		json_object_set_new(js, "winner", json_null());
		return xstrdup("Tie");
	}
	json_object_set_new(js, "winner", json_string(vname(r, best)));
	return xasprintf("%s (safer)", vlabel(r, best));
}

static void section_summary(struct report *r)
{
	struct blk *t = table(&r->doc, 2 + r->nv);
	json_t *jsum = json_object_get(r->out, "summary");
	size_t *pts = xcalloc(r->plan->npoints + 1, sizeof(*pts));

	cells(t, "Experiment");
	for (size_t v = 0; v < r->nv; v++)
		cells(t, vlabel(r, v));
	cells(t, "Winner");
	for (size_t e = 0; e < r->cfg->nexps; e++) {
		const struct expconf *ex = &r->cfg->exps[e];
		size_t npts = exp_points(r, e, pts), p;
		json_t *js, *jm = json_object();
		const struct point *pt;

		if (npts == 0)
			continue;
		p = pts[npts - 1];
		pt = &r->plan->points[p];
		js = json_pack("{s:s, s:s}", "experiment", ex->name, "point", pt->label);
		if (ex->nmatrix == 1)
			cell(t, xasprintf("%s (%s %s)", ex->title ? ex->title : ex->name, pt->values.v[0].value,
			                  ex->matrix[0].name));
		else if (ex->nmatrix > 1)
			cell(t, xasprintf("%s (%s)", ex->title ? ex->title : ex->name, pt->label));
		else
			cells(t, ex->title ? ex->title : ex->name);
		for (size_t v = 0; v < r->nv; v++) {
			if (ex->table == TABLE_LOST_UPDATES) {
				double l = avg_lost(r, CELL(r, p, v), ex);
				char *s = fmt_pct(l);
				cell(t, isfinite(l) ? xasprintf("%s lost", s) : xstrdup(DASH));
				free(s);
				json_object_set_new(jm, vname(r, v), jnum(l));
			} else {
				cell(t, fmt_metric(ex, CELL(r, p, v)->sum.median));
				json_object_set_new(jm, vname(r, v), jnum(CELL(r, p, v)->sum.median));
			}
		}
		json_object_set_new(js, ex->table == TABLE_LOST_UPDATES ? "avg_lost" : "median", jm);
		if (ex->table == TABLE_LOST_UPDATES)
			cell(t, winner_race(r, ex, p, js));
		else
			cell(t, winner_times(r, ex, p, js));
		json_object_set_new(js, "text", json_string(t->cells.v[t->cells.n - 1]));
		json_array_append_new(jsum, js);
	}
	free(pts);
}

static void section_comparisons(struct report *r)
{
	struct blk *t;

	if (r->nv < 2) {
		para(&r->doc, xstrdup("Only one variant: nothing to compare."));
		return;
	}
	para(&r->doc, xasprintf("Each variant against the baseline, %s: ratio of medians (other / baseline) "
	                        "with its 95%% bootstrap interval, Welch's t-test p-value, and the verdict "
	                        "(significant and more than %.0f%% apart).", vlabel(r, 0), 100 * r->cfg->run.tie));
	t = table(&r->doc, 8);
	cells(t, "Experiment");
	cells(t, "Point");
	cells(t, "Baseline");
	cells(t, "Other");
	cells(t, "Ratio");
	cells(t, "95% CI");
	cells(t, "p");
	cells(t, "Verdict");
	for (size_t p = 0; p < r->plan->npoints; p++) {
		const struct point *pt = &r->plan->points[p];
		const struct expconf *e = &r->cfg->exps[pt->exp];

		for (size_t v = 1; v < r->nv; v++) {
			const struct comparison *c = CMP(r, p, v);
			char *a = fmt_metric(e, CELL(r, p, 0)->sum.median), *b = fmt_metric(e, CELL(r, p, v)->sum.median);

			cells(t, e->name);
			cells(t, *pt->label ? pt->label : DASH);
			cell(t, xasprintf("%s %s", vlabel(r, 0), a));
			cell(t, xasprintf("%s %s", vlabel(r, v), b));
			cell(t, isfinite(c->ratio) ? xasprintf("%.3f", c->ratio) : xstrdup(DASH));
			cell(t, isfinite(c->ratio_lo) ? xasprintf("%.3f" NDASH "%.3f", c->ratio_lo, c->ratio_hi)
			                              : xstrdup(DASH));
			cell(t, fmt_p(c->p));
			cells(t, verdict(r, e, c));
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

static void section_reference(struct report *r)
{
	struct blk *t = NULL;
	size_t *pts = xcalloc(r->plan->npoints + 1, sizeof(*pts));
	json_t *jref = json_object_get(r->out, "reference");

	for (size_t e = 0; e < r->cfg->nexps; e++) {
		const struct expconf *ex = &r->cfg->exps[e];
		size_t npts = exp_points(r, e, pts);

		for (size_t k = 0; k < ex->nrefs; k++) {
			const struct refconf *rf = &ex->refs[k];
			size_t v = variant_index(r, rf->variant);

			for (size_t i = 0; i < rf->n && i < npts; i++) {
				bool lost = ex->table == TABLE_LOST_UPDATES;
				double ours = v == (size_t)-1 ? NAN
				            : lost ? avg_lost(r, CELL(r, pts[i], v), ex) : CELL(r, pts[i], v)->sum.median;
				double ref = rf->values[i];

				if (!t) {
					heading(&r->doc, 2, "Reference");
					if (r->cfg->reference)
						para(&r->doc, xasprintf("Reference figures: %s.", r->cfg->reference));
					t = table(&r->doc, 6);
					cells(t, "Experiment");
					cells(t, "Point");
					cells(t, "Build");
					cells(t, "Reference");
					cells(t, "Ours");
					cells(t, "Ours / reference");
				}
				cells(t, ex->title ? ex->title : ex->name);
				cells(t, *r->plan->points[pts[i]].label ? r->plan->points[pts[i]].label : DASH);
				cells(t, report_variant_label(rf->variant));
				cell(t, lost ? fmt_pct(ref) : fmt_metric(ex, ref));
				cell(t, lost ? fmt_pct(ours) : fmt_metric(ex, ours));
				cell(t, !lost && isfinite(ours) && ref > 0 ? xasprintf("%.2f", ours / ref) : xstrdup(DASH));
				json_array_append_new(jref, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "experiment", ex->name,
				                      "point", r->plan->points[pts[i]].label, "variant", rf->variant,
				                      "unit", lost ? "lost share" : ex->metric, "reference", jnum(ref),
				                      "ours", jnum(ours)));
			}
		}
	}
	free(pts);
}

static char *json_text(json_t *v) /* a scalar or compact JSON as text */
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%g", json_real_value(v));
	if (json_is_true(v))
		return xstrdup("true");
	if (json_is_false(v))
		return xstrdup("false");
	if (!v || json_is_null(v))
		return xstrdup(DASH);
	{
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
		char *c = xstrdup(s ? s : "?");
		free(s);
		return c;
	}
}

/* one line for a noise or non-convergence record of metadata.json */
static char *noise_text(json_t *it, bool conv)
{
	const char *e = json_string_value(json_object_get(it, "experiment"));
	const char *p = json_string_value(json_object_get(it, "point"));
	const char *v = json_string_value(json_object_get(it, "variant"));
	json_t *share = json_object_get(it, "other_cpu_share"), *n = json_object_get(it, "trials"),
	       *hw = json_object_get(it, "halfwidth");
	struct buf b = { 0 };

	if (!json_is_object(it) || !e)
		return json_text(it);
	bufaddf(&b, "%s%s%s%s%s", e, p && *p ? " " : "", p ? p : "", v ? " on " : "", v ? v : "");
	if (conv) {
		bufadds(&b, ": not converged");
		if (json_is_integer(n))
			bufaddf(&b, " after %" JSON_INTEGER_FORMAT " trials", json_integer_value(n));
		if (json_is_number(hw))
			bufaddf(&b, " (95%% CI half-width %.1f%%)", 100 * json_number_value(hw));
	} else if (json_is_number(share)) {
		bufaddf(&b, ": other processes used %.0f%% of the CPUs while it ran", 100 * json_number_value(share));
	} else {
		bufadds(&b, ": noisy");
	}
	return b.s;
}

/* metadata.json's noise readings: "noise" (per point; only those marked noisy count),
 * "nonconverged" (adaptive trials that missed their target) and "busy_at_start" */
static void meta_noise(struct report *r, json_t *jn)
{
	const char *keys[] = { "noise", "nonconverged", "not_converged" };
	json_t *busy = json_object_get(r->meta, "busy_at_start");

	if (json_is_true(busy)) {
		json_t *l = json_object_get(json_object_get(r->meta, "load_start"), "1m");
		strlist_addown(&r->warnings, json_is_number(l)
		               ? xasprintf("the machine was busy when the run started (load %.2f)", json_number_value(l))
		               : xstrdup("the machine was busy when the run started"));
		json_array_append_new(jn, json_pack("{s:s, s:O}", "kind", "busy_at_start", "detail",
		                                    json_object_get(r->meta, "load_start") ? json_object_get(r->meta, "load_start")
		                                                                         : json_null()));
	}
	for (size_t k = 0; k < LEN(keys); k++) {
		json_t *a = json_object_get(r->meta, keys[k]), *it;
		bool conv = k > 0;
		size_t i;

		if (!json_is_array(a))
			continue;
		json_array_foreach(a, i, it) {
			json_t *noisy = json_object_get(it, "noisy");
			if (json_is_object(it) && noisy && !json_is_true(noisy))
				continue; /* a reading, not a flag */
			strlist_addown(&r->warnings, noise_text(it, conv));
			json_array_append_new(jn, json_pack("{s:s, s:O}", "kind", conv ? "nonconverged" : "noise", "detail", it));
		}
	}
}

static void section_noise(struct report *r)
{
	struct blk *t = NULL;
	json_t *jn = json_object_get(r->out, "noise");

	for (size_t p = 0; p < r->plan->npoints; p++) {
		const struct point *pt = &r->plan->points[p];
		const struct expconf *e = &r->cfg->exps[pt->exp];

		for (size_t v = 0; v < r->nv; v++) {
			const struct summary *s = &CELL(r, p, v)->sum;
			char *msg;

			if (!isfinite(s->cv) || s->cv <= r->cfg->run.cv_threshold)
				continue;
			msg = xasprintf("%s%s%s on %s: CV %.1f%% is above %.1f%%", e->name, *pt->label ? " " : "",
			                pt->label, vname(r, v), 100 * s->cv, 100 * r->cfg->run.cv_threshold);
			strlist_addown(&r->warnings, msg);
			json_array_append_new(jn, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "kind", "cv",
			                      "experiment", e->name, "point", pt->label, "variant", vname(r, v),
			                      "cv", jnum(s->cv), "threshold", jnum(r->cfg->run.cv_threshold)));
		}
	}
	/* flags the run stage recorded in metadata.json */
	if (r->meta)
		meta_noise(r, jn);
	heading(&r->doc, 2, "Noise");
	if (r->warnings.n == 0) {
		para(&r->doc, xasprintf("No cell has a coefficient of variation above %.1f%%, and the run recorded "
		                        "no noise flags.", 100 * r->cfg->run.cv_threshold));
		return;
	}
	t = table(&r->doc, 1);
	cells(t, "Warning");
	for (size_t i = 0; i < r->warnings.n; i++)
		cells(t, r->warnings.v[i]);
}

/* the last non-empty line of s, at most max bytes: errors (a traceback, make's output)
 * end with the line that says what went wrong */
static char *last_line(const char *s, size_t max)
{
	size_t n = strcspn(s, "\n");
	const char *last = s;

	for (const char *q = s; *q; q++)
		if (*q == '\n' && q[1] && q[1] != '\n')
			last = q + 1;
	if (last != s)
		n = strcspn(last, "\n");
	if (n > max)
		n = max;
	return xstrndup(last, n);
}

static bool section_failures(struct report *r)
{
	json_t *jt = json_array(), *jb = json_array();
	struct blk *t = NULL;
	bool any = false;

	for (size_t b = 0; b < r->cfg->nbuilds; b++) {
		json_t *rec = r->builds[b];
		const char *step, *err;
		char *e1;

		if (!build_failed(r, b))
			continue;
		step = json_string_value(json_object_get(rec, "failed_step"));
		err = json_string_value(json_object_get(rec, "error"));
		if (!any) {
			heading(&r->doc, 2, "Failures");
			any = true;
		}
		if (!t) {
			t = table(&r->doc, 3);
			cells(t, "Build");
			cells(t, "Step");
			cells(t, "Error");
		}
		e1 = last_line(err ? err : "(no error recorded)", 300);
		cells(t, r->cfg->builds[b].name);
		cells(t, step ? step : DASH);
		cell(t, e1);
		json_array_append_new(jb, json_pack("{s:s, s:s?, s:s?}", "build", r->cfg->builds[b].name,
		                                    "step", step, "error", err));
	}
	t = NULL;
	for (size_t i = 0; i < r->ntrials; i++) {
		const struct trial *tr = &r->trials[i];

		if (tr->status == TRIAL_OK)
			continue;
		if (!any) {
			heading(&r->doc, 2, "Failures");
			any = true;
		}
		if (!t) {
			t = table(&r->doc, 6);
			cells(t, "Experiment");
			cells(t, "Point");
			cells(t, "Build");
			cells(t, "Round");
			cells(t, "Status");
			cells(t, "Error");
		}
		cells(t, tr->experiment ? tr->experiment : "?");
		cells(t, tr->point && *tr->point ? tr->point : DASH);
		cells(t, tr->variant ? report_variant_label(tr->variant) : "?");
		cell(t, xasprintf("%d%s", tr->round, tr->warmup ? " (warm-up)" : ""));
		cells(t, trialstatus_name(tr->status));
		cell(t, tr->error ? last_line(tr->error, 300) : xstrdup(DASH));
		json_array_append_new(jt, json_pack("{s:s?, s:s?, s:s?, s:i, s:b, s:s, s:s?}", "experiment",
		                                    tr->experiment, "variant", tr->variant, "point", tr->point,
		                                    "round", tr->round, "warmup", tr->warmup, "status",
		                                    trialstatus_name(tr->status), "error", tr->error));
	}
	json_object_set_new(r->out, "failures", json_pack("{s:o, s:o}", "builds", jb, "trials", jt));
	return any;
}

static void prov_row(struct blk *t, const char *k, char *v) /* takes v */
{
	cells(t, k);
	cell(t, v);
}

static void prov_json(struct blk *t, const char *prefix, json_t *o)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		char *name;
		const char *dot;

		if (!*prefix && (strcmp(k, "noise") == 0 || strcmp(k, "nonconverged") == 0))
			continue; /* in the Noise section */
		name = *prefix ? xasprintf("%s.%s", prefix, k) : xstrdup(k);
		dot = strchr(name, '.');
		if (json_is_object(v) && json_object_size(v) > 0 && (!dot || !strchr(dot + 1, '.')))
			prov_json(t, name, v); /* two levels: builds.gil.version */
		else
			prov_row(t, name, json_text(v));
		free(name);
	}
}

static const char *const fields[][2] = {
	{ "key", "build key" }, { "inputs.source", "source" }, { "inputs.patches", "patches" },
	{ "inputs.configure", "configure flags" }, { "inputs.make", "make variables" }, { "inputs.env", "environment" },
	{ "inputs.compiler", "compiler" }, { "python", "python" }, { "version", "-VV" },
	{ "config_args", "CONFIG_ARGS" }, { "gil_disabled", "Py_GIL_DISABLED" },
	{ "gil_enabled_at_runtime", "GIL enabled at run time" }, { "reused", "reused" }, { "ok", "ok" },
	{ "failed_step", "failed step" },
};

/* a field of a build record, "inputs.source" reaching into "inputs"; NULL when absent */
static json_t *build_field(json_t *rec, const char *name)
{
	const char *dot = strchr(name, '.');
	char *head;
	json_t *v;

	if (!rec)
		return NULL;
	if (!dot)
		return json_object_get(rec, name);
	head = xstrndup(name, (size_t)(dot - name));
	v = json_object_get(json_object_get(rec, head), dot + 1);
	free(head);
	return v;
}

static void section_provenance(struct report *r)
{
	struct blk *t;

	heading(&r->doc, 2, "Provenance");
	t = table(&r->doc, 2);
	cells(t, "Field");
	cells(t, "Value");
	prov_row(t, "gilbench (report)", xstrdup(VERSION));
	prov_row(t, "config", xasprintf("%s (sha256 %s)", r->cfg->name, r->cfg->hash ? r->cfg->hash : "?"));
	if (r->meta)
		prov_json(t, "", r->meta);
	else
		prov_row(t, "metadata.json", xstrdup("missing"));
	/* the builds side by side: a column per build */
	t = table(&r->doc, 1 + r->cfg->nbuilds);
	cells(t, "Build");
	for (size_t b = 0; b < r->cfg->nbuilds; b++)
		cells(t, r->cfg->builds[b].name);
	for (size_t i = 0; i < LEN(fields); i++) {
		bool any = false;
		for (size_t b = 0; b < r->cfg->nbuilds; b++)
			any = any || build_field(r->builds[b], fields[i][0]);
		if (!any)
			continue;
		cells(t, fields[i][1]);
		for (size_t b = 0; b < r->cfg->nbuilds; b++)
			cell(t, json_text(build_field(r->builds[b], fields[i][0])));
	}
}

static void section_header(struct report *r)
{
	const struct config *c = r->cfg;
	struct blk *t;
	char *first = NULL, *last = NULL;

	heading(&r->doc, 1, c->name);
	if (c->description)
		para(&r->doc, xstrdup(c->description));
	for (size_t i = 0; i < r->ntrials; i++) {
		const char *s = r->trials[i].started;
		if (!s)
			continue;
		if (!first || strcmp(s, first) < 0) {
			free(first);
			first = xstrdup(s);
		}
		if (!last || strcmp(s, last) > 0) {
			free(last);
			last = xstrdup(s);
		}
	}
	t = table(&r->doc, 2);
	cells(t, "Field");
	cells(t, "Value");
	cells(t, "Config");
	cell(t, xasprintf("%s (%s)", c->name, c->path));
	if (json_is_string(json_object_get(r->meta, "started"))) {
		const char *st = json_string_value(json_object_get(r->meta, "started"));
		const char *en = json_string_value(json_object_get(r->meta, "ended"));
		cells(t, "Run");
		cell(t, xasprintf("%s to %s", st, en ? en : "(not finished)"));
	}
	cells(t, "Trials");
	cell(t, first ? xasprintf("%zu, from %s to %s", r->ntrials, first, last) : xasprintf("%zu", r->ntrials));
	cells(t, "Source");
	if (c->source.kind == SRC_TARBALL)
		cell(t, xasprintf("tarball sha256 %s", c->source.sha256 ? c->source.sha256 : "?"));
	else {
		const char *commit = NULL;
		for (size_t b = 0; b < c->nbuilds && !commit; b++)
			commit = json_string_value(json_object_get(json_object_get(r->builds[b], "inputs"), "source"));
		cell(t, xasprintf("git %s %s%s%s", c->source.url, c->source.ref, commit ? " = " : "", commit ? commit : ""));
	}
	cells(t, "Baseline");
	cells(t, vlabel(r, 0));
	free(first);
	free(last);

	heading(&r->doc, 2, "Builds");
	t = table(&r->doc, 4);
	cells(t, "Build");
	cells(t, "Configure flags");
	cells(t, "Python (-VV)");
	cells(t, "Status");
	for (size_t b = 0; b < c->nbuilds; b++) {
		json_t *rec = r->builds[b];
		struct buf f = { 0 };
		const char *ver = json_string_value(json_object_get(rec, "version"));

		for (size_t i = 0; i < c->builds[b].configure.n; i++)
			bufaddf(&f, "%s%s", i ? " " : "", c->builds[b].configure.v[i]);
		for (size_t i = 0; i < c->builds[b].make.n; i++) {
			const char *val = c->builds[b].make.v[i].value;
			bool q = strpbrk(val, " \t'\"") != NULL || !*val;
			bufaddf(&f, "%s%s=%s%s%s", f.len ? " " : "", c->builds[b].make.v[i].key, q ? "\"" : "", val, q ? "\"" : "");
		}
		cells(t, c->builds[b].name);
		cell(t, f.len ? f.s : xstrdup("(none)"));
		cells(t, ver ? ver : DASH);
		if (!rec)
			cells(t, "no build record");
		else if (build_failed(r, b))
			cells(t, "failed");
		else
			cells(t, json_is_true(json_object_get(rec, "reused")) ? "ok (reused)" : "ok");
	}
	{
		bool extra = c->nvariants != c->nbuilds;
		for (size_t v = 0; v < c->nvariants; v++)
			if (c->variants[v].env.n || strcmp(c->variants[v].name, c->builds[c->variants[v].build].name))
				extra = true;
		if (extra) {
			t = table(&r->doc, 3);
			cells(t, "Variant");
			cells(t, "Build");
			cells(t, "Environment");
			for (size_t v = 0; v < c->nvariants; v++) {
				struct buf f = { 0 };
				for (size_t i = 0; i < c->variants[v].env.n; i++)
					bufaddf(&f, "%s%s=%s", i ? " " : "", c->variants[v].env.v[i].key,
					        c->variants[v].env.v[i].value);
				cells(t, c->variants[v].name);
				cells(t, c->builds[c->variants[v].build].name);
				cell(t, f.len ? f.s : xstrdup(DASH));
			}
		}
	}
}

static void section_stats_note(struct report *r)
{
	heading(&r->doc, 2, "Statistics");
	para(&r->doc, xasprintf(
		"Warm-up trials and failed trials are left out of every statistic. Time is the median of a "
		"cell's trials; the 95%% CI is the interval of the mean by Student's t (mean %s t(0.975, n-1) "
		"sd/sqrt(n)); CV is the standard deviation over the mean. Comparisons use the ratio of medians "
		"with a 95%% bootstrap percentile interval (%d resamples of each sample, fixed seed) and Welch's "
		"two-sided t-test; a difference is significant when p < 0.05 and the interval excludes 1, and "
		"it is called a tie when it is not significant or within %.0f%% (run.tie). Speedups with "
		"threads are n" TIMES "T(1)/T(n), efficiency T(1)/T(n), each thread doing the same work. "
		"docs/report.md explains each table and the A/A check.",
		"\xc2\xb1", STATS_BOOT, 100 * r->cfg->run.tie));
}

/* ---- plots ---- */

static void gp_quote(struct buf *o, const char *s) /* a gnuplot single-quoted string */
{
	bufadds(o, "'");
	for (; *s; s++) {
		if (*s == '\'')
			bufadds(o, "''");
		else if (*s != '\n')
			bufadd(o, s, 1);
	}
	bufadds(o, "'");
}

static const char gp_head[] = "set terminal svg size 720,420 dynamic noenhanced font 'sans,12' background rgb 'white'\n";

/* run gnuplot on script; 1 when drawn, 0 when not (warned), -1 when gnuplot is missing */
static int gnuplot(const char *script)
{
	char *argv[] = { "gnuplot", (char *)script, NULL };
	struct spawnopts o = { .argv = argv, .capture = true, .timeout = 120 };
	struct spawnres res = { 0 };
	int rc;

	if (spawn(&o, &res) < 0) {
		warn("gnuplot could not run (%s): writing the report without plots", errmsg());
		return -1;
	}
	if (spawn_ok(&res)) {
		rc = 1;
	} else {
		char *l = last_line(res.err ? res.err : "", 300);
		warn("gnuplot %s: %s", spawn_status(&res), l);
		free(l);
		rc = 0;
	}
	spawn_free(&res);
	return rc;
}

static int plot_scaling(struct report *r, const char *tmp, size_t e, const size_t *pts, size_t npts,
                        const char *out)
{
	const struct expconf *ex = &r->cfg->exps[e];
	struct buf s = { 0 };
	char *script = pathjoin(tmp, "plot.gp");
	bool any = false;
	int rc = -2;

	bufadds(&s, gp_head);
	bufadds(&s, "set output ");
	gp_quote(&s, out);
	bufadds(&s, "\nset title ");
	gp_quote(&s, ex->title ? ex->title : ex->name);
	bufadds(&s, "\nset logscale x 2\nset offsets graph 0.04, graph 0.04, graph 0.06, 0\nset grid\nset key top left\nset xlabel ");
	gp_quote(&s, ex->nmatrix ? ex->matrix[0].name : "point");
	bufadds(&s, "\nset ylabel 'median seconds (95% CI of the mean)'\nset yrange [0:*]\nplot ");
	for (size_t v = 0; v < r->nv; v++)
		for (size_t g = 0; g < npts; g++) {
			struct buf d = { 0 };
			char *dpath, *key, *ti;
			double t1 = CELL(r, pts[g], v)->sum.median;

			if (series_base(r, pts, g) != g)
				continue; /* not the first point of a series */
			dpath = xasprintf("%s/scaling-%zu-%zu.dat", tmp, v, g);
			for (size_t k = g; k < npts; k++) {
				const struct summary *sm = &CELL(r, pts[k], v)->sum;
				double x = point_x(r, pts[k]);
				if (series_base(r, pts, k) != g || !isfinite(x) || !isfinite(sm->median))
					continue;
				bufaddf(&d, "%.17g %.17g %.17g %.17g %.17g\n", x, sm->median,
				        isfinite(sm->ci_lo) ? sm->ci_lo : sm->median,
				        isfinite(sm->ci_hi) ? sm->ci_hi : sm->median, t1);
			}
			if (d.len) {
				if (writefile(dpath, d.s, d.len) < 0) {
					buffree(&d);
					free(dpath);
					rc = -1;
					goto cleanup;
				}
				key = rest_key(r, pts[g]);
				ti = *key ? xasprintf("%s %s", vlabel(r, v), key) : xstrdup(vlabel(r, v));
				bufadds(&s, any ? ", " : "");
				gp_quote(&s, dpath);
				bufaddf(&s, " using 1:2:3:4 with yerrorlines lt %zu lw 2 title ", v + 1);
				gp_quote(&s, ti);
				bufadds(&s, ", ");
				gp_quote(&s, dpath);
				bufaddf(&s, " using 1:5 with lines lt %zu dt 2 lw 1 title ", v + 1);
				free(ti);
				ti = xasprintf("%s%s%s ideal", vlabel(r, v), *key ? " " : "", key);
				gp_quote(&s, ti);
				free(ti);
				free(key);
				any = true;
			}
			buffree(&d);
			free(dpath);
		}
	bufadds(&s, "\n");
	if (!any) {
		rc = 0;
		goto cleanup;
	}
	if (writefile(script, s.s, s.len) < 0) {
		rc = -1;
		goto cleanup;
	}
	rc = gnuplot(script);
	rc = rc < 0 ? -2 : rc;
cleanup:
	buffree(&s);
	free(script);
	return rc;
}

static int plot_bars(struct report *r, const char *tmp, size_t e, const size_t *pts, size_t npts,
                     const char *out)
{
	const struct expconf *ex = &r->cfg->exps[e];
	struct buf s = { 0 }, d = { 0 };
	char *script = pathjoin(tmp, "plot.gp"), *dpath = pathjoin(tmp, "bars.dat");
	size_t i = 0;
	int rc;

	for (size_t k = 0; k < npts; k++)
		for (size_t v = 0; v < r->nv; v++) {
			const struct summary *sm = &CELL(r, pts[k], v)->sum;
			char *label = ex->nmatrix ? xasprintf("%s %s", vlabel(r, v), r->plan->points[pts[k]].label)
			                          : xstrdup(vlabel(r, v));
			for (char *q = label; *q; q++)
				if (*q == '"' || *q == '\\')
					*q = '\'';
			bufaddf(&d, "%zu %.17g %.17g %.17g \"%s\"\n", i++, isfinite(sm->median) ? sm->median : 0,
			        isfinite(sm->ci_lo) ? sm->ci_lo : isfinite(sm->median) ? sm->median : 0,
			        isfinite(sm->ci_hi) ? sm->ci_hi : isfinite(sm->median) ? sm->median : 0, label);
			free(label);
		}
	bufadds(&s, gp_head);
	bufadds(&s, "set output ");
	gp_quote(&s, out);
	bufadds(&s, "\nset title ");
	gp_quote(&s, ex->title ? ex->title : ex->name);
	bufaddf(&s, "\nset style fill solid 0.5 border -1\nset boxwidth 0.6\nset grid ytics\nset yrange [0:*]\n"
	            "set xrange [-0.6:%zu.4]\nset ylabel ", i ? i - 1 : 0);
	gp_quote(&s, strcmp(ex->metric, "seconds") == 0 ? "median seconds (95% CI of the mean)" : ex->metric);
	bufadds(&s, "\nplot ");
	gp_quote(&s, dpath);
	bufadds(&s, " using 1:2:xtic(5) with boxes lc rgb '#4a7ab5' notitle, ");
	gp_quote(&s, dpath);
	bufadds(&s, " using 1:2:3:4 with yerrorbars lc rgb 'black' pt 0 notitle\n");
	if (writefile(dpath, d.s, d.len) < 0 || writefile(script, s.s, s.len) < 0)
		rc = -1;
	else
		rc = gnuplot(script) < 0 ? -2 : 1;
	buffree(&s);
	buffree(&d);
	free(script);
	free(dpath);
	return rc;
}

/* draws every plot block of the document; svgs[i] gets the SVG of block i. -1 on error */
static int plots(struct report *r, const bool *want, char **svgs, bool *plotted)
{
	char *tmp = NULL, *pdir = pathjoin(r->dir, RUN_PLOTS);
	size_t *pts = xcalloc(r->plan->npoints + 1, sizeof(*pts));
	const char *td = getenv("TMPDIR");
	int rc = -1;

	if (mkdirp(pdir, 0755) < 0)
		goto cleanup;
	tmp = xasprintf("%s/gilbench-plot-XXXXXX", td && *td ? td : "/tmp");
	if (!mkdtemp(tmp)) {
		errorf("%s:", tmp);
		free(tmp);
		tmp = NULL;
		goto cleanup;
	}
	for (size_t i = 0; i < r->doc.n; i++) {
		struct blk *b = &r->doc.v[i];
		size_t e, npts;
		char *out;
		int k;

		if (b->kind != BLK_PLOT || !want[i])
			continue;
		for (e = 0; e < r->cfg->nexps && strcmp(b->plot + strcspn(b->plot, "-") + 1, r->cfg->exps[e].name); e++)
			;
		if (e == r->cfg->nexps)
			continue;
		npts = exp_points(r, e, pts);
		out = xasprintf("%s/%s.svg", pdir, b->plot);
		if (strncmp(b->plot, "scaling-", 8) == 0)
			k = plot_scaling(r, tmp, e, pts, npts, out);
		else
			k = plot_bars(r, tmp, e, pts, npts, out);
		if (k == -1) {
			free(out);
			goto cleanup;
		}
		if (k == -2) { /* no gnuplot: stop trying */
			free(out);
			break;
		}
		if (k == 1) {
			size_t len;
			if (readfile(out, &svgs[i], &len) == 0)
				plotted[i] = true;
		}
		free(out);
	}
	rc = 0;
cleanup:
	if (tmp)
		rmtree(tmp);
	free(tmp);
	free(pdir);
	free(pts);
	return rc;
}

/* ---- putting it together ---- */

static void build_doc(struct report *r, bool *failures)
{
	size_t *pts = xcalloc(r->plan->npoints + 1, sizeof(*pts));

	section_header(r);
	for (size_t e = 0; e < r->cfg->nexps; e++) {
		const struct expconf *ex = &r->cfg->exps[e];
		size_t npts = exp_points(r, e, pts);
		char *pname;

		heading(&r->doc, 2, ex->title ? ex->title : ex->name);
		{
			struct buf a = { 0 };
			for (size_t i = 0; i < ex->args.n; i++)
				bufaddf(&a, "%s--%s %s", i ? " " : "", ex->args.v[i].key, ex->args.v[i].value);
			char *eq = ex->expect_key ? fmt_int(ex->expect_value) : NULL;
			para(&r->doc, xasprintf("%s%s%s; %d trial%s per cell%s, metric %s (%s is better)%s%s%s%s.",
			                        ex->script, a.len ? " " : "", a.len ? a.s : "", ex->trials, ex->trials == 1 ? "" : "s",
			                        ex->warmup ? " after warm-up" : "", ex->metric,
			                        ex->lower_is_better ? "lower" : "higher",
			                        eq ? ", correct when " : "", eq ? ex->expect_key : "",
			                        eq ? " is " : "", eq ? eq : ""));
			free(eq);
			buffree(&a);
		}
		switch (ex->table) {
		case TABLE_LOST_UPDATES:
			section_race(r, e, pts, npts);
			break;
		case TABLE_SCALING:
			section_scaling(r, e, pts, npts);
			pname = xasprintf("scaling-%s", ex->name);
			plotblk(&r->doc, pname, ex->title ? ex->title : ex->name);
			free(pname);
			break;
		case TABLE_TIMES:
			section_times(r, e, pts, npts);
			pname = xasprintf("bars-%s", ex->name);
			plotblk(&r->doc, pname, ex->title ? ex->title : ex->name);
			free(pname);
			break;
		}
	}
	heading(&r->doc, 2, "Comparisons");
	section_comparisons(r);
	heading(&r->doc, 2, "Summary");
	section_summary(r);
	section_reference(r);
	section_noise(r);
	*failures = section_failures(r);
	section_provenance(r);
	section_stats_note(r);
	free(pts);
}

static int write_text(const char *dir, const char *name, const char *text, size_t len)
{
	char *path = pathjoin(dir, name);
	int rc = writefile(path, text, len);

	if (rc < 0)
		errwrap("report");
	free(path);
	return rc;
}

int report_run_opts(const char *rundir, const struct reportopts *o)
{
	struct report r = { 0 };
	struct buf md = { 0 }, html = { 0 };
	char **svgs = NULL, *text = NULL, *pp = NULL;
	bool *want = NULL, *plotted = NULL, failures = false;
	int rc = -1;

	r.dir = rundir;
	r.opts = o;
	if (!isdir(rundir)) {
		errorf("%s: not a run directory:", rundir);
		goto cleanup;
	}
	if (load(&r) < 0)
		goto cleanup;
	r.out = json_pack("{s:s, s:s, s:s, s:s, s:o, s:[], s:[], s:[], s:[], s:[]}", "gilbench", VERSION,
	                  "config", r.cfg->name, "config_sha256", r.cfg->hash ? r.cfg->hash : "",
	                  "baseline", r.cfg->nvariants ? r.cfg->variants[0].name : "", "variants", json_array(),
	                  "scaling", "race", "summary", "reference", "noise");
	for (size_t v = 0; v < r.cfg->nvariants; v++)
		json_array_append_new(json_object_get(r.out, "variants"), json_string(r.cfg->variants[v].name));
	json_object_set_new(r.out, "tie", json_real(r.cfg->run.tie));
	json_object_set_new(r.out, "cv_threshold", json_real(r.cfg->run.cv_threshold));
	sort_trials(&r);
	compute(&r);
	build_doc(&r, &failures);
	json_object_set_new(r.out, "partial", json_boolean(failures));
	json_object_set_new(r.out, "unmatched_trials", json_integer((json_int_t)r.unmatched));

	svgs = xcalloc(r.doc.n + 1, sizeof(*svgs));
	want = xcalloc(r.doc.n + 1, sizeof(*want));
	plotted = xcalloc(r.doc.n + 1, sizeof(*plotted));
	for (size_t i = 0; i < r.doc.n; i++)
		want[i] = r.doc.v[i].kind == BLK_PLOT;
	if (o->plots && plots(&r, want, svgs, plotted) < 0)
		goto cleanup;

	text = json_dumps(r.out, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	if (!text) {
		errorf("report: cannot serialise " RUN_STATS);
		goto cleanup;
	}
	if (write_text(rundir, RUN_STATS, text, strlen(text)) < 0)
		goto cleanup;
	render_md(&r.doc, plotted, &md);
	if (write_text(rundir, RUN_REPORT_MD, md.s, md.len) < 0)
		goto cleanup;
	render_html(&r.doc, r.cfg->name, svgs, &html);
	if (write_text(rundir, RUN_REPORT_HTML, html.s, html.len) < 0)
		goto cleanup;
	pp = pathjoin(rundir, RUN_PYPERF);
	if (pyperf_write(pp, r.cfg, r.plan, r.trials, r.ntrials, r.builds) < 0)
		goto cleanup;
	if (r.unmatched)
		warn("%zu trial%s in " RUN_RESULTS " belong%s to no cell of the plan and %s left out", r.unmatched,
		     r.unmatched == 1 ? "" : "s", r.unmatched == 1 ? "s" : "", r.unmatched == 1 ? "was" : "were");
	if (!o->quiet)
		for (size_t i = 0; i < r.warnings.n; i++)
			warn("noise: %s", r.warnings.v[i]);
	rc = failures ? 1 : 0;
cleanup:
	if (svgs)
		for (size_t i = 0; i < r.doc.n; i++)
			free(svgs[i]);
	free(svgs);
	free(want);
	free(plotted);
	free(text);
	free(pp);
	buffree(&md);
	buffree(&html);
	deldoc(&r.doc);
	strlist_free(&r.warnings);
	json_decref(r.out);
	if (r.cells)
		for (size_t i = 0; i < r.plan->npoints * r.nv; i++) {
			free(r.cells[i].idx);
			free(r.cells[i].vals);
		}
	free(r.cells);
	free(r.cmp);
	if (r.builds)
		for (size_t b = 0; b < r.cfg->nbuilds; b++)
			json_decref(r.builds[b]);
	free(r.builds);
	json_decref(r.meta);
	results_free(r.trials, r.ntrials);
	delplan(r.plan);
	delconfig(r.cfg);
	return rc;
}

int report_run(const char *rundir)
{
	struct reportopts o = { .plots = true };

	return report_run_opts(rundir, &o);
}
