/* bisectreport.c: the report of a finished bisect, the kind's finish (see bisectrun.h).
 *
 * Everything comes from run.json's bisect state (the selection, the range, every verdict
 * and the result that bisectrun.c recorded) and the git mirror (each named commit's
 * summary, author and date, gitsrc_info); one document (doc.h) is rendered as bisect.md
 * and bisect.html, and the same facts are written as bisect.json (docs/bisect.md lists
 * its fields). The outcome follows the answer: a range, or a commit that is not the whole
 * change, is p->out.range (exit 4); GOOD and BAD alike is p->out.nochange (exit 1). A step
 * whose build or trials failed is a skipped commit the answer already accounts for, so
 * the pipeline's own failed-build and failed-trial marks are cleared. */
#include "bisectrun.h"
#include "doc.h"
#include "gitsrc.h"
#include "pipeline.h"
#include "results.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct brep {
	struct pipeline *p;
	json_t *st, *res;       /* the state and its result (borrowed) */
	const char *const *commits; /* the range */
	size_t n;
	char *mirror;           /* the git mirror, or NULL when it is gone */
	json_t *infos;          /* commit id -> {summary, author, date} */
	bool lib;               /* lower is better */
};

static const char *sget(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static double dget(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* {commit, summary, author, date} of a commit (summary etc. null when the mirror cannot say) */
static json_t *info(struct brep *R, const char *id)
{
	json_t *o = json_object_get(R->infos, id);
	struct gitinfo g;

	if (o)
		return json_incref(o);
	if (R->mirror && gitsrc_info(R->mirror, id, &g) == 0) {
		o = json_pack("{s:s, s:s, s:s, s:s}", "commit", id, "summary", g.summary, "author", g.author, "date", g.date);
		gitinfo_free(&g);
	} else {
		o = json_pack("{s:s, s:n, s:n, s:n}", "commit", id, "summary", "author", "date");
	}
	json_object_set(R->infos, id, o);
	return o;
}

static char *commitline(struct brep *R, const char *id)
{
	json_t *o = info(R, id);
	char *s;

	if (json_is_string(json_object_get(o, "summary")))
		s = xasprintf("%s \"%s\" (%s, %s)", id, sget(o, "summary"), sget(o, "author"), sget(o, "date"));
	else
		s = xstrdup(id);
	json_decref(o);
	return s;
}

static char *ratiotext(json_t *j)
{
	double r = dget(j, "ratio"), lo = dget(j, "lo"), hi = dget(j, "hi");

	if (!isfinite(r))
		return xstrdup("—");
	return isfinite(lo) ? xasprintf("%.3f [%.3f, %.3f]", r, lo, hi) : xasprintf("%.3f", r);
}

static char *mediantext(json_t *s)
{
	double m = dget(s, "median"), lo = dget(s, "ci_lo"), hi = dget(s, "ci_hi");

	if (!isfinite(m))
		return xstrdup("—");
	return isfinite(lo) ? xasprintf("%.4g [%.4g, %.4g]", m, lo, hi) : xasprintf("%.4g", m);
}

static const char *sidelabel(struct brep *R, size_t k)
{
	return k == 0 ? "GOOD" : k + 1 == R->n ? "BAD" : "";
}

static void steps_table(struct brep *R, struct doc *d)
{
	struct blk *t = doc_table(d, 8);
	json_t *s;
	size_t i, no = 0;

	for (const char *const *h = (const char *const[]){ "#", "commit", "place", "median [95% CI]", "to GOOD [95%]",
	                                                   "to BAD [95%]", "verdict", "rounds", NULL }; *h; h++)
		doc_cells(t, *h);
	json_array_foreach(json_object_get(R->st, "steps"), i, s) {
		const char *ask = sget(s, "ask");
		size_t k = (size_t)json_integer_value(json_object_get(s, "k"));
		bool step = strcmp(ask, "step") == 0, check = strcmp(ask, "check") == 0;
		json_t *vg = json_object_get(s, "vs_good");

		doc_cell(t, step ? xasprintf("%zu", ++no) : xstrdup(ask));
		doc_cell(t, check ? xasprintf("%.12s against %.12s", sget(s, "commit"), sget(s, "base_commit"))
		                  : xasprintf("%.12s%s%s", sget(s, "commit"), *sidelabel(R, k) ? " " : "", sidelabel(R, k)));
		doc_cell(t, xasprintf("%zu/%zu", k, R->n - 1));
		doc_cell(t, mediantext(json_object_get(s, "values")));
		doc_cell(t, step || !check ? ratiotext(vg) : xstrdup("—"));
		doc_cell(t, step ? ratiotext(json_object_get(s, "vs_bad")) : check ? ratiotext(vg) : xstrdup("—"));
		/* a step's verdict; the confirmation's and the check's judgement (slower, same, ...) */
		doc_cell(t, xasprintf("%s%s%s", step ? sget(s, "verdict") : sget(vg, "verdict"), *sget(s, "why") ? ": " : "",
		                      sget(s, "why")));
		doc_cell(t, xasprintf("%lld", json_integer_value(json_object_get(s, "rounds"))));
	}
}

/* the verdict recorded for commit k, or NULL when it was not measured */
static json_t *stepof(struct brep *R, size_t k)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(R->st, "steps"), i, s)
		if (strcmp(sget(s, "ask"), "step") == 0 && (size_t)json_integer_value(json_object_get(s, "k")) == k)
			return s;
	return NULL;
}

static void range_list(struct brep *R, struct doc *d, size_t lo, size_t hi)
{
	struct blk *l;

	doc_heading(d, 2, "Commits in the range");
	doc_para(d, xasprintf("The change lies in these %zu commits (after %.12s, which behaves like GOOD):", hi - lo,
	                      R->commits[lo]));
	l = doc_list(d);
	for (size_t k = lo + 1; k <= hi; k++) {
		json_t *s = stepof(R, k);
		char *c = commitline(R, R->commits[k]);
		if (s && *sget(s, "why"))
			doc_cell(l, xasprintf("%s: %s (%s)", c, sget(s, "verdict"), sget(s, "why")));
		else if (s)
			doc_cell(l, xasprintf("%s: %s", c, sget(s, "verdict")));
		else
			doc_cell(l, xasprintf("%s: %s", c, k == hi ? "behaves like BAD" : "not measured"));
		free(c);
	}
}

static char *headline(struct brep *R, size_t lo, size_t hi)
{
	const char *o = sget(R->res, "outcome");

	if (strcmp(o, "no-change") == 0)
		return xasprintf("No change to bisect: %s.", sget(R->res, "why"));
	if (strcmp(o, "found") == 0)
		return xasprintf("Commit %.12s is the first commit that behaves like BAD%s", R->commits[hi],
		                 json_is_true(json_object_get(R->res, "other_changes"))
		                     ? ", but it is not the whole change: the range holds more than one change."
		                     : ".");
	return xasprintf("The change lies in a range of %zu commits, from %.12s (exclusive) to %.12s; no single commit "
	                 "could be named%s%s.", hi - lo, R->commits[lo], R->commits[hi], *sget(R->res, "why") ? ": " : "",
	                 sget(R->res, "why"));
}

static void facts(struct brep *R, struct doc *d, size_t hi)
{
	json_t *b = json_object_get(R->res, "builds"), *chk = NULL, *s;
	struct blk *l = doc_list(d);
	const struct side *g = &R->p->run.sides[0], *bad = &R->p->run.sides[1];
	char *r = ratiotext(json_object_get(R->res, "change"));
	size_t i;

	if (strcmp(sget(R->res, "outcome"), "found") == 0) {
		char *c = commitline(R, R->commits[hi]);
		doc_cell(l, xasprintf("Commit: %s", c));
		free(c);
	}
	json_array_foreach(json_object_get(R->st, "steps"), i, s)
		if (strcmp(sget(s, "ask"), "check") == 0)
			chk = s;
	if (chk) {
		char *own = ratiotext(json_object_get(chk, "vs_good"));
		doc_cell(l, xasprintf("Checked side by side: %.12s against %.12s, ratio %s, %s, %lld rounds",
		                      sget(chk, "commit"), sget(chk, "base_commit"), own,
		                      sget(json_object_get(chk, "vs_good"), "verdict"),
		                      json_integer_value(json_object_get(chk, "rounds"))));
		free(own);
	}
	doc_cell(l, xasprintf("The whole change, BAD/GOOD: %s (%s), threshold %.3g%%", r,
	                      sget(json_object_get(R->res, "change"), "verdict"), 100 * dget(R->st, "threshold")));
	doc_cell(l, xasprintf("Range: GOOD %s (%.12s) to BAD %s (%.12s), %zu commits on the first-parent line", g->ref,
	                      g->commit, bad->ref, bad->commit, R->n - 1));
	doc_cell(l, xasprintf("Builds: %lld (%lld built, %lld reused, %lld failed); %zu measurements; wall time %.0f s",
	                      json_integer_value(json_object_get(b, "sides")),
	                      json_integer_value(json_object_get(b, "built")),
	                      json_integer_value(json_object_get(b, "reused")),
	                      json_integer_value(json_object_get(b, "failed")),
	                      json_array_size(json_object_get(R->st, "steps")), dget(R->st, "seconds")));
	free(r);
}

static void document(struct brep *R, struct doc *d, char **title)
{
	size_t lo = (size_t)json_integer_value(json_object_get(R->res, "lo"));
	size_t hi = (size_t)json_integer_value(json_object_get(R->res, "hi"));
	json_t *v = json_object_get(R->st, "variants");
	const char *point = sget(R->st, "point");

	*title = xasprintf("Bisect of %s: %s%s%s %s%s%s", R->p->cfg->name, sget(R->st, "experiment"), *point ? " " : "",
	                   point, json_string_value(json_array_get(v, 0)), json_array_size(v) > 1 ? "/" : "",
	                   json_array_size(v) > 1 ? json_string_value(json_array_get(v, 1)) : "");
	doc_heading(d, 1, *title);
	doc_para(d, headline(R, lo, hi));
	facts(R, d, hi);
	if (strcmp(sget(R->res, "outcome"), "range") == 0)
		range_list(R, d, lo, hi);
	doc_heading(d, 2, "Steps");
	steps_table(R, d);
	doc_para(d, xstrdup("Each step measures its commit interleaved with fresh trials of GOOD and BAD. It is like "
	                    "GOOD when it is shown the same as GOOD within half the change (an equivalence test) and "
	                    "different from BAD, like BAD the other way round, and undecided otherwise, with rounds "
	                    "added while the trials could still decide it. The answer's ends are then checked side "
	                    "by side. See docs/bisect.md."));
}

static json_t *answer_json(struct brep *R)
{
	size_t lo = (size_t)json_integer_value(json_object_get(R->res, "lo"));
	size_t hi = (size_t)json_integer_value(json_object_get(R->res, "hi"));
	json_t *range = json_array();
	const struct side *g = &R->p->run.sides[0], *b = &R->p->run.sides[1];

	for (size_t k = lo + 1; k <= hi; k++) {
		json_t *i = info(R, R->commits[k]), *o = json_deep_copy(i), *s = stepof(R, k);
		json_object_set_new(o, "verdict", s ? json_string(sget(s, "verdict")) : json_null());
		json_array_append_new(range, o);
		json_decref(i);
	}
	return json_pack("{s:s, s:s?, s:s, s:s, s:O, s:s, s:b, s:f, s:{s:s?, s:s?}, s:{s:s?, s:s?}, s:I, s:s, s:b, "
	                 "s:O?, s:o, s:o, s:o, s:O?, s:O, s:O?, s:O?}",
	                 "config", R->p->cfg->name, "url", R->p->cfg->source.url, "experiment", sget(R->st, "experiment"),
	                 "point", sget(R->st, "point"), "variants", json_object_get(R->st, "variants"), "metric",
	                 sget(R->st, "metric"), "lower_is_better", R->lib, "threshold", dget(R->st, "threshold"), "good",
	                 "ref", g->ref, "commit", g->commit, "bad", "ref", b->ref, "commit", b->commit, "commits",
	                 (json_int_t)(R->n - 1), "outcome", sget(R->res, "outcome"), "other_changes",
	                 json_is_true(json_object_get(R->res, "other_changes")), "why", json_object_get(R->res, "why"),
	                 "first_bad", strcmp(sget(R->res, "outcome"), "found") == 0 ? info(R, R->commits[hi]) : json_null(),
	                 "last_good", info(R, R->commits[lo]), "range", range, "change", json_object_get(R->res, "change"),
	                 "steps", json_object_get(R->st, "steps"), "builds", json_object_get(R->res, "builds"), "alert",
	                 json_object_get(R->st, "alert"));
}

static int write_all(struct brep *R, const struct doc *d, const char *title, json_t *js)
{
	struct buf md = {0}, html = {0};
	char *pmd = pathjoin(R->p->run.dir, "bisect.md"), *phtml = pathjoin(R->p->run.dir, "bisect.html");
	char *pjs = pathjoin(R->p->run.dir, "bisect.json");
	int rc;

	doc_md(d, NULL, &md);
	doc_html(d, title, NULL, &html);
	rc = writefile(pmd, md.s, md.len) < 0 || writefile(phtml, html.s, html.len) < 0 || writejson(pjs, js, JSON_DOC) < 0
	         ? -1 : 0;
	if (rc == 0) {
		free(R->p->summary);
		free(R->p->summary_path);
		R->p->summary = md.s;
		R->p->summary_path = pmd;
		md.s = NULL;
		pmd = NULL;
	}
	buffree(&md);
	buffree(&html);
	free(pmd);
	free(phtml);
	free(pjs);
	return rc;
}

int bisectrun_finish(struct pipeline *p)
{
	struct brep R = { .p = p };
	struct strlist commits = {0};
	struct doc d = {0};
	char *title = NULL;
	json_t *js = NULL, *c;
	size_t i;
	int rc = -1;

	R.st = json_object_get(p->run.extra, BISECT_STATE);
	R.res = json_object_get(R.st, "result");
	if (!json_is_object(R.res))
		return errorf("%s: the bisect has no result yet; continue it with gilbench bisect --resume %s", p->run.dir,
		              p->run.dir);
	json_array_foreach(json_object_get(R.st, "commits"), i, c)
		strlist_add(&commits, json_string_value(c) ? json_string_value(c) : "");
	R.commits = (const char *const *)commits.v;
	R.n = commits.n;
	R.lib = json_is_true(json_object_get(R.st, "lower_is_better"));
	R.infos = json_object();
	if (p->paths.work || paths_init(&p->paths, p->o.work) == 0)
		R.mirror = gitsrc_mirror_path(p->cfg->source.url, &p->paths);
	if (R.mirror && !isdir(R.mirror)) {
		free(R.mirror);
		R.mirror = NULL;
	}
	document(&R, &d, &title);
	js = answer_json(&R);
	if (write_all(&R, &d, title, js) < 0)
		goto cleanup;
	p->out.range = strcmp(sget(R.res, "outcome"), "range") == 0 || json_is_true(json_object_get(R.res, "other_changes"));
	p->out.nochange = strcmp(sget(R.res, "outcome"), "no-change") == 0;
	p->out.failed_builds = 0;
	p->out.report_partial = false;
	memset(&p->sum, 0, sizeof(p->sum));
	rc = 0;
cleanup:
	json_decref(js);
	json_decref(R.infos);
	deldoc(&d);
	free(title);
	free(R.mirror);
	strlist_free(&commits);
	return rc;
}

char *bisectrun_json(const struct pipeline *p)
{
	char *path = pathjoin(p->run.dir, "bisect.json"), *data = NULL;

	if (readfile(path, &data, NULL) < 0)
		data = NULL;
	free(path);
	return data;
}
