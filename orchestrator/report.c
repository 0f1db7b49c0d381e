/* report.c: the report stage (see report.h and docs/report.md).
 *
 * It works in three passes. load: config.yaml (config_load_rundir), the plan (plan_make),
 * results.jsonl (results_load), builds/NAME/build.json and metadata.json (jansson; each may
 * be missing, and any field of them). compute: the trials are filed into cells by cell id
 * (cells.c; warm-ups and failed trials kept apart), and stats.c and verdict.c give each
 * cell's summary and each point's judgement of every variant against the first one (the
 * baseline); every number also goes into results.json as it is computed. write: the
 * sections (report_tables.c, report_notes.c) are built once as a document (doc.h) that is
 * rendered twice, as Markdown and as self-contained HTML, so both always say the same.
 * Plots are drawn by report_plots.c with gnuplot. pyperf.c writes pyperf/VARIANT.json.
 * Noisy cells are also warned about on stderr. */
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

const char *report_variant_label(const char *variant)
{
	if (strcmp(variant, "gil") == 0)
		return "GIL";
	if (strcmp(variant, "nogil") == 0 || strcmp(variant, "no-gil") == 0)
		return "no-GIL";
	return variant;
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
	if (config_load_rundir(r->dir, &r->cfg) < 0)
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
	path = pathjoin(r->dir, RUN_ROUNDS);
	if (rounds_load(path, &r->rounds, &r->nrounds, &good) < 0)
		goto cleanup;
	free(path);
	path = pathjoin(r->dir, RUN_METADATA);
	if (readjson(path, true, &r->meta) < 0)
		goto cleanup;
	r->builds = xcalloc(r->cfg->nbuilds ? r->cfg->nbuilds : 1, sizeof(*r->builds));
	for (size_t b = 0; b < r->cfg->nbuilds; b++) {
		free(path);
		path = xasprintf("%s/" RUN_BUILDS "/%s/" RUN_BUILDREC, r->dir, r->cfg->builds[b].name);
		if (readjson(path, true, &r->builds[b]) < 0)
			goto cleanup;
	}
	rc = 0;
cleanup:
	free(path);
	return rc;
}

bool report_build_failed(const struct report *r, size_t b)
{
	json_t *ok = r->builds[b] ? json_object_get(r->builds[b], "ok") : NULL;

	return ok && json_is_false(ok);
}

static void sort_trials(struct report *r)
{
	r->nv = r->cfg->nvariants;
	r->cells = xcalloc(r->plan->npoints * r->nv + 1, sizeof(*r->cells));
	r->cmp = xcalloc(r->plan->npoints * r->nv + 1, sizeof(*r->cmp));
	cells_file(&r->cf, r->plan, r->trials, r->ntrials, r->rounds, r->nrounds);
	r->unmatched = r->cf.unmatched;
	r->duplicates = r->cf.duplicates;
	for (size_t p = 0; p < r->plan->npoints; p++)
		for (size_t v = 0; v < r->nv; v++) {
			const struct cellvals *cv = cells_at(&r->cf, p, v);
			struct cellres *cr = CELL(r, p, v);
			cr->idx = cv->idx;
			cr->nidx = cv->n;
			cr->vals = cv->vals;
			cr->nwarm = cv->nwarm;
			cr->nfailed = cv->nfailed;
			cr->ntrials = cv->ntrials;
			cr->nchecked = cv->nchecked;
			cr->ncontaminated = cv->ncontaminated;
			cr->nslow = cv->nslow;
			cr->ncorrect = cv->ncorrect;
		}
}

/* the expect value of a trial's result (the race's final count), or NAN */
double report_trial_value(const struct report *r, const struct trial *t, const struct expconf *e)
{
	json_t *v;

	(void)r;
	if (!e->expect_key || !t->result)
		return NAN;
	v = json_object_get(t->result, e->expect_key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

double report_lost_share(const struct expconf *e, double value)
{
	if (!isfinite(value) || e->expect_value == 0)
		return NAN;
	return (e->expect_value - value) / e->expect_value;
}

/* the average lost share of a race cell, or NAN */
double report_avg_lost(const struct report *r, const struct cellres *cr, const struct expconf *e)
{
	double *l = xcalloc(cr->nidx + 1, sizeof(*l)), m;
	size_t n = 0;

	for (size_t k = 0; k < cr->nidx; k++) {
		double x = report_lost_share(e, report_trial_value(r, &r->trials[cr->idx[k]], e));
		if (isfinite(x))
			l[n++] = x;
	}
	m = n ? gsl_stats_mean(l, 1, n) : NAN;
	free(l);
	return m;
}

/* "inconclusive (~N trials)" and the like: the verdict as the tables print it */
char *report_verdict_text(const struct expconf *e, const struct judgement *j)
{
	const char *w = verdict_word(j->verdict, e->lower_is_better);

	if (j->verdict == VERDICT_INCONCLUSIVE && j->need > 0)
		return xasprintf("%s (~%ld trials would decide)", w, j->need);
	return xstrdup(w);
}

static json_t *judgement_json(const struct expconf *e, const struct judgement *j)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:b, s:s, s:o, s:o, s:o, s:o, s:o}", "ratio", fmt_jnum(j->c.ratio),
	                 "ratio_lo", fmt_jnum(j->c.ratio_lo), "ratio_hi", fmt_jnum(j->c.ratio_hi), "p", fmt_jnum(j->c.p),
	                 "significant", j->c.significant, "verdict", verdict_word(j->verdict, e->lower_is_better),
	                 "equivalence", json_pack("[o, o]", fmt_jnum(j->eq_lo), fmt_jnum(j->eq_hi)),
	                 "rel_lo", fmt_jnum(j->rel_lo), "rel_hi", fmt_jnum(j->rel_hi), "tost_p", fmt_jnum(j->tost_p),
	                 "need", j->need ? json_integer(j->need) : json_null());
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
			cr->buildfailed = report_build_failed(r, r->cfg->variants[v].build);
			for (size_t k = 0; k < cr->nidx; k++)
				json_array_append_new(vals, json_real(cr->vals[k]));
			jc = json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
			               " s:I, s:I, s:I, s:b, s:o}",
			               "id", ce ? ce->id : "", "experiment", e->name, "variant", vname(r, v),
			               "point", pt->label, "n", (json_int_t)cr->sum.n,
			               "median", fmt_jnum(cr->sum.median), "mean", fmt_jnum(cr->sum.mean),
			               "sd", fmt_jnum(cr->sum.sd), "cv", fmt_jnum(cr->sum.cv), "min", fmt_jnum(cr->sum.min),
			               "max", fmt_jnum(cr->sum.max), "ci_lo", fmt_jnum(cr->sum.ci_lo), "ci_hi", fmt_jnum(cr->sum.ci_hi),
			               "halfwidth", fmt_jnum(cr->sum.halfwidth), "values", vals,
			               "warmup", (json_int_t)cr->nwarm, "failed", (json_int_t)cr->nfailed,
			               "trials", (json_int_t)cr->ntrials, "build_failed", cr->buildfailed,
			               "metric", json_string(e->metric));
			json_object_set_new(jc, "contaminated", json_integer((json_int_t)cr->ncontaminated));
			json_object_set_new(jc, "slow", json_integer((json_int_t)cr->nslow));
			if (e->expect_key)
				json_object_set_new(jc, "correct", json_pack("{s:I, s:I}", "ok", (json_int_t)cr->ncorrect,
				                                             "checked", (json_int_t)cr->nchecked));
			json_array_append_new(jcells, jc);
		}
		for (size_t v = 1; v < r->nv; v++) {
			struct cellres *a = CELL(r, p, 0), *b = CELL(r, p, v);
			struct judgement *j = CMP(r, p, v);
			json_t *jc;

			judge(a->vals, a->nidx, b->vals, b->nidx, r->cfg->run.tie, e->lower_is_better, j);
			jc = json_pack("{s:s, s:s, s:s, s:s}", "experiment", e->name, "point", pt->label,
			               "baseline", vname(r, 0), "other", vname(r, v));
			json_object_update_new(jc, judgement_json(e, j));
			json_array_append_new(jcmp, jc);
		}
	}
	json_object_set_new(r->out, "cells", jcells);
	json_object_set_new(r->out, "comparisons", jcmp);
}

/* ---- putting it together ---- */

/* the answer first: the thread-scaling and lost-update plots right after the summary */
static void headline_plots(struct report *r)
{
	for (size_t e = 0; e < r->cfg->nexps; e++) {
		const struct expconf *ex = &r->cfg->exps[e];
		char *pname;

		if (ex->table == TABLE_TIMES)
			continue;
		pname = xasprintf("%s-%s", ex->table == TABLE_SCALING ? "scaling" : "lost", ex->name);
		doc_plot(&r->doc, pname, ex->title ? ex->title : ex->name);
		free(pname);
	}
}

static void build_doc(struct report *r, bool *failures)
{
	size_t *pts = xcalloc(r->plan->npoints + 1, sizeof(*pts));

	doc_heading(&r->doc, 1, r->cfg->name);
	if (r->cfg->description)
		doc_para(&r->doc, xstrdup(r->cfg->description));
	report_section_trust(r);
	doc_heading(&r->doc, 2, "Summary");
	report_section_summary(r);
	headline_plots(r);
	report_section_header(r);
	for (size_t e = 0; e < r->cfg->nexps; e++) {
		const struct expconf *ex = &r->cfg->exps[e];
		size_t npts = report_exp_points(r, e, pts);
		char *pname;

		doc_heading(&r->doc, 2, ex->title ? ex->title : ex->name);
		{
			struct buf a = { 0 };
			for (size_t i = 0; i < ex->args.n; i++)
				bufaddf(&a, "%s--%s %s", i ? " " : "", ex->args.v[i].key, ex->args.v[i].value);
			char *eq = ex->expect_key ? fmt_int(ex->expect_value) : NULL;
			doc_para(&r->doc, xasprintf("%s%s%s; %d trial%s per cell%s, metric %s (%s is better)%s%s%s%s.",
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
			report_section_race(r, e, pts, npts);
			break;
		case TABLE_SCALING:
			report_section_scaling(r, e, pts, npts); /* its plot heads the report */
			break;
		case TABLE_TIMES:
			report_section_times(r, e, pts, npts);
			pname = xasprintf("bars-%s", ex->name);
			doc_plot(&r->doc, pname, ex->title ? ex->title : ex->name);
			free(pname);
			break;
		}
	}
	doc_heading(&r->doc, 2, "Comparisons");
	report_section_comparisons(r);
	report_section_reference(r);
	report_section_noise(r);
	*failures = report_section_failures(r);
	report_section_provenance(r);
	report_section_stats_note(r);
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
	json_object_set_new(r.out, "duplicate_trials", json_integer((json_int_t)r.duplicates));

	svgs = xcalloc(r.doc.n + 1, sizeof(*svgs));
	want = xcalloc(r.doc.n + 1, sizeof(*want));
	plotted = xcalloc(r.doc.n + 1, sizeof(*plotted));
	for (size_t i = 0; i < r.doc.n; i++)
		want[i] = r.doc.v[i].kind == BLK_PLOT;
	if (o->plots && report_plots(&r, want, svgs, plotted) < 0)
		goto cleanup;

	text = json_dumps(r.out, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	if (!text) {
		errorf("report: cannot serialise " RUN_STATS);
		goto cleanup;
	}
	if (write_text(rundir, RUN_STATS, text, strlen(text)) < 0)
		goto cleanup;
	doc_md(&r.doc, plotted, &md);
	if (write_text(rundir, RUN_REPORT_MD, md.s, md.len) < 0)
		goto cleanup;
	doc_html(&r.doc, r.cfg->name, svgs, &html);
	if (write_text(rundir, RUN_REPORT_HTML, html.s, html.len) < 0)
		goto cleanup;
	pp = pathjoin(rundir, RUN_PYPERF);
	if (pyperf_write(pp, r.cfg, r.plan, r.trials, r.ntrials, r.builds) < 0)
		goto cleanup;
	if (r.unmatched)
		warn("%zu trial%s in " RUN_RESULTS " belong%s to no cell of the plan and %s left out", r.unmatched,
		     r.unmatched == 1 ? "" : "s", r.unmatched == 1 ? "s" : "", r.unmatched == 1 ? "was" : "were");
	if (r.duplicates)
		warn("%zu line%s of " RUN_RESULTS " repeat%s a (cell, round) already counted and %s left out", r.duplicates,
		     r.duplicates == 1 ? "" : "s", r.duplicates == 1 ? "s" : "", r.duplicates == 1 ? "was" : "were");
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
	if (r.plan)
		cells_free(&r.cf);
	free(r.cells);
	free(r.cmp);
	if (r.builds)
		for (size_t b = 0; b < r.cfg->nbuilds; b++)
			json_decref(r.builds[b]);
	free(r.builds);
	json_decref(r.meta);
	results_free(r.trials, r.ntrials);
	rounds_free(r.rounds, r.nrounds);
	delplan(r.plan);
	delconfig(r.cfg);
	return rc;
}

int report_run(const char *rundir)
{
	struct reportopts o = { .plots = true };

	return report_run_opts(rundir, &o);
}
