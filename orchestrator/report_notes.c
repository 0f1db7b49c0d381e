/* report_notes.c: the report's sections around the tables: the header (what was run, on
 * which builds and machine, and how trustworthy it was), the noise found (noisy cells,
 * busy points, cells that did not converge), the failures (builds and trials, with the
 * last line of their error), the provenance (versions, flags, compiler, machine) and the
 * note on the statistics used. */
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

void report_section_noise(struct report *r)
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
			                      "cv", fmt_jnum(s->cv), "threshold", fmt_jnum(r->cfg->run.cv_threshold)));
		}
	}
	/* flags the run stage recorded in metadata.json */
	if (r->meta)
		meta_noise(r, jn);
	doc_heading(&r->doc, 2, "Noise");
	if (r->warnings.n == 0) {
		doc_para(&r->doc, xasprintf("No cell has a coefficient of variation above %.1f%%, and the run recorded "
		                        "no noise flags.", 100 * r->cfg->run.cv_threshold));
		return;
	}
	t = doc_table(&r->doc, 1);
	doc_cells(t, "Warning");
	for (size_t i = 0; i < r->warnings.n; i++)
		doc_cells(t, r->warnings.v[i]);
}

/* the last non-empty line of s, at most max bytes: errors (a traceback, make's output)
 * end with the line that says what went wrong */
bool report_section_failures(struct report *r)
{
	json_t *jt = json_array(), *jb = json_array();
	struct blk *t = NULL;
	bool any = false;

	for (size_t b = 0; b < r->cfg->nbuilds; b++) {
		json_t *rec = r->builds[b];
		const char *step, *err;
		char *e1;

		if (!report_build_failed(r, b))
			continue;
		step = json_string_value(json_object_get(rec, "failed_step"));
		err = json_string_value(json_object_get(rec, "error"));
		if (!any) {
			doc_heading(&r->doc, 2, "Failures");
			any = true;
		}
		if (!t) {
			t = doc_table(&r->doc, 3);
			doc_cells(t, "Build");
			doc_cells(t, "Step");
			doc_cells(t, "Error");
		}
		e1 = lastline(err ? err : "(no error recorded)", 300);
		doc_cells(t, r->cfg->builds[b].name);
		doc_cells(t, step ? step : DASH);
		doc_cell(t, e1);
		json_array_append_new(jb, json_pack("{s:s, s:s?, s:s?}", "build", r->cfg->builds[b].name,
		                                    "step", step, "error", err));
	}
	t = NULL;
	for (size_t i = 0; i < r->ntrials; i++) {
		const struct trial *tr = &r->trials[i];

		if (tr->status == TRIAL_OK)
			continue;
		if (!any) {
			doc_heading(&r->doc, 2, "Failures");
			any = true;
		}
		if (!t) {
			t = doc_table(&r->doc, 6);
			doc_cells(t, "Experiment");
			doc_cells(t, "Point");
			doc_cells(t, "Build");
			doc_cells(t, "Round");
			doc_cells(t, "Status");
			doc_cells(t, "Error");
		}
		doc_cells(t, tr->experiment ? tr->experiment : "?");
		doc_cells(t, tr->point && *tr->point ? tr->point : DASH);
		doc_cells(t, tr->variant ? report_variant_label(tr->variant) : "?");
		doc_cell(t, xasprintf("%d%s", tr->round, tr->warmup ? " (warm-up)" : ""));
		doc_cells(t, trialstatus_name(tr->status));
		doc_cell(t, tr->error ? lastline(tr->error, 300) : xstrdup(DASH));
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
	doc_cells(t, k);
	doc_cell(t, v);
}

static void prov_json(struct blk *t, const char *prefix, json_t *o)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		char *name;
		const char *dot;

		if (!*prefix && (strcmp(k, "noise") == 0 || strcmp(k, "nonconverged") == 0 || strcmp(k, "nodes") == 0))
			continue; /* in the Noise section; nodes in their own table */
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

void report_section_provenance(struct report *r)
{
	struct blk *t;

	doc_heading(&r->doc, 2, "Provenance");
	t = doc_table(&r->doc, 2);
	doc_cells(t, "Field");
	doc_cells(t, "Value");
	prov_row(t, "gilbench (report)", xstrdup(VERSION));
	prov_row(t, "config", xasprintf("%s (sha256 %s)", r->cfg->name, r->cfg->hash ? r->cfg->hash : "?"));
	if (r->meta)
		prov_json(t, "", r->meta);
	else
		prov_row(t, "metadata.json", xstrdup("missing"));
	/* the builds side by side: a column per build */
	t = doc_table(&r->doc, 1 + r->cfg->nbuilds);
	doc_cells(t, "Build");
	for (size_t b = 0; b < r->cfg->nbuilds; b++)
		doc_cells(t, r->cfg->builds[b].name);
	for (size_t i = 0; i < LEN(fields); i++) {
		bool any = false;
		for (size_t b = 0; b < r->cfg->nbuilds; b++)
			any = any || build_field(r->builds[b], fields[i][0]);
		if (!any)
			continue;
		doc_cells(t, fields[i][1]);
		for (size_t b = 0; b < r->cfg->nbuilds; b++)
			doc_cell(t, json_text(build_field(r->builds[b], fields[i][0])));
	}
	report_section_nodes(r);
}

void report_section_header(struct report *r)
{
	const struct config *c = r->cfg;
	struct blk *t;
	char *first = NULL, *last = NULL;

	doc_heading(&r->doc, 2, "The run");
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
	t = doc_table(&r->doc, 2);
	doc_cells(t, "Field");
	doc_cells(t, "Value");
	doc_cells(t, "Config");
	doc_cell(t, xasprintf("%s (%s)", c->name, c->path));
	if (json_is_string(json_object_get(r->meta, "started"))) {
		const char *st = json_string_value(json_object_get(r->meta, "started"));
		const char *en = json_string_value(json_object_get(r->meta, "ended"));
		doc_cells(t, "Run");
		doc_cell(t, xasprintf("%s to %s", st, en ? en : "(not finished)"));
	}
	doc_cells(t, "Trials");
	doc_cell(t, first ? xasprintf("%zu, from %s to %s", r->ntrials, first, last) : xasprintf("%zu", r->ntrials));
	doc_cells(t, "Source");
	if (c->source.kind == SRC_TARBALL)
		doc_cell(t, xasprintf("tarball sha256 %s", c->source.sha256 ? c->source.sha256 : "?"));
	else {
		const char *commit = NULL;
		for (size_t b = 0; b < c->nbuilds && !commit; b++)
			commit = json_string_value(json_object_get(json_object_get(r->builds[b], "inputs"), "source"));
		doc_cell(t, xasprintf("git %s %s%s%s", c->source.url, c->source.ref, commit ? " = " : "", commit ? commit : ""));
	}
	doc_cells(t, "Baseline");
	doc_cells(t, vlabel(r, 0));
	free(first);
	free(last);

	doc_para(&r->doc, xstrdup("Builds:"));
	t = doc_table(&r->doc, 4);
	doc_cells(t, "Build");
	doc_cells(t, "Configure flags");
	doc_cells(t, "Python (-VV)");
	doc_cells(t, "Status");
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
		doc_cells(t, c->builds[b].name);
		doc_cell(t, f.len ? f.s : xstrdup("(none)"));
		doc_cells(t, ver ? ver : DASH);
		if (!rec)
			doc_cells(t, "no build record");
		else if (report_build_failed(r, b))
			doc_cells(t, "failed");
		else
			doc_cells(t, json_is_true(json_object_get(rec, "reused")) ? "ok (reused)" : "ok");
	}
	{
		bool extra = c->nvariants != c->nbuilds;
		for (size_t v = 0; v < c->nvariants; v++)
			if (c->variants[v].env.n || strcmp(c->variants[v].name, c->builds[c->variants[v].build].name))
				extra = true;
		if (extra) {
			t = doc_table(&r->doc, 3);
			doc_cells(t, "Variant");
			doc_cells(t, "Build");
			doc_cells(t, "Environment");
			for (size_t v = 0; v < c->nvariants; v++) {
				struct buf f = { 0 };
				for (size_t i = 0; i < c->variants[v].env.n; i++)
					bufaddf(&f, "%s%s=%s", i ? " " : "", c->variants[v].env.v[i].key,
					        c->variants[v].env.v[i].value);
				doc_cells(t, c->variants[v].name);
				doc_cells(t, c->builds[c->variants[v].build].name);
				doc_cell(t, f.len ? f.s : xstrdup(DASH));
			}
		}
	}
}

/* the machine's speed during the run (the canary against this machine's reference); true when
 * the whole run was on a slow machine, which the paragraph then opens with in bold */
static bool trust_canary(struct report *r, struct buf *b)
{
	json_t *c = json_object_get(r->meta, "canary");
	double med = json_number_value(json_object_get(c, "median")), ref = json_number_value(json_object_get(c, "reference"));
	json_int_t runs = json_integer_value(json_object_get(c, "reference_runs"));
	json_int_t slow = json_integer_value(json_object_get(c, "slow_rounds")), rounds = json_integer_value(json_object_get(c, "rounds"));

	if (!json_is_object(c) || !(med > 0))
		return false;
	if (!(ref > 0)) {
		bufaddf(b, "Machine speed: the canary took %.1f ms; this machine had no reference yet (this run sets it). ", med * 1e3);
		return false;
	}
	if (json_is_true(json_object_get(c, "slow_run")))
		bufaddf(b, "The speed canary ran %.0f%% slower than this machine's reference "
		           "(%.1f ms against %.1f ms, from %lld earlier runs). Its times are not this machine's usual speed and "
		           "should not be set beside published figures; ratios between builds, measured interleaved, still hold. ",
		        100 * (med / ref - 1), med * 1e3, ref * 1e3, (long long)runs);
	else
		bufaddf(b, "Machine speed: the canary ran at %.1f ms against this machine's reference of %.1f ms (%+.0f%%). ",
		        med * 1e3, ref * 1e3, 100 * (med / ref - 1));
	if (json_is_true(json_object_get(c, "self_judged")))
		bufadds(b, "At least 80% of the canary's samples were slow against the reference, so rounds were judged "
		           "against this run's own canary: a round is slow when it ran slower than the rest of the run. ");
	if (slow)
		bufaddf(b, "In %lld of %lld rounds the machine was slow (the canary before and after the round more than "
		           "%.0f%% slower): those rounds' trials are left out. ", (long long)slow, (long long)rounds,
		        100 * json_number_value(json_object_get(c, "threshold")));
	return json_is_true(json_object_get(c, "slow_run"));
}

void report_section_trust(struct report *r)
{
	json_t *in = json_object_get(r->meta, "interference");
	json_int_t cont = json_integer_value(json_object_get(in, "contaminated"));
	json_int_t rep = json_integer_value(json_object_get(in, "repeated_rounds"));
	size_t nshort = json_array_size(json_object_get(in, "short"));
	struct buf b = {0};
	bool slowrun;

	if (!r->meta)
		return;
	slowrun = trust_canary(r, &b);
	if (json_is_object(in) && (cont || rep || nshort))
		bufaddf(&b, "Interference: other processes spoiled %lld trial%s (they took more than %.0f%% of the trial's "
		            "CPUs); spoiled trials are left out of every statistic and %lld round%s were added to replace "
		            "them%s. ", (long long)cont, cont == 1 ? "" : "s",
		        100 * json_number_value(json_object_get(in, "threshold")), (long long)rep, rep == 1 ? "" : "s",
		        nshort ? "; the summary's Notes name the cells still short of clean trials" : "");
	else if (json_is_object(in))
		bufadds(&b, "Interference: no trial was spoiled by other processes. ");
	if (json_is_true(json_object_get(r->meta, "busy_at_start")))
		bufaddf(&b, "Other processes kept %.1f cores busy when the run started. ",
		        json_number_value(json_object_get(r->meta, "others_at_start")));
	if (b.len) {
		b.s[b.len - 1] = '\0'; /* the last space */
		doc_para_lead(&r->doc, slowrun ? "This run was on a slow machine:" : NULL, b.s);
	} else {
		buffree(&b);
	}
}

void report_section_stats_note(struct report *r)
{
	doc_heading(&r->doc, 2, "Statistics");
	doc_para(&r->doc, xasprintf(
		"Warm-up trials and failed trials are left out of every statistic. Time is the median of a "
		"cell's trials; the 95%% CI is the interval of the mean by Student's t (mean %s t(0.975, n-1) "
		"sd/sqrt(n)); CV is the standard deviation over the mean. Comparisons use the ratio of medians "
		"with a 95%% bootstrap percentile interval (%d resamples of each sample, fixed seed) and Welch's "
		"two-sided t-test. Every comparison has one of three verdicts: different (faster or slower) when "
		"p < 0.05, the interval excludes 1 and the ratio is more than %.0f%% (run.tie) from 1; same when "
		"an equivalence test (two one-sided Welch t-tests at 5%%) shows the means within %.0f%% of each "
		"other; otherwise inconclusive, with an estimate of the trials that would decide it. The summary "
		"says Tie only for same. Speedups with threads are n" TIMES "T(1)/T(n), efficiency T(1)/T(n), "
		"each thread doing the same work. docs/report.md explains each table and the A/A check.",
		"\xc2\xb1", STATS_BOOT, 100 * r->cfg->run.tie, 100 * r->cfg->run.tie));
}
