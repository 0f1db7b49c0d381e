/* histpage.c: index.html, alerts.md and alerts.json of a config's history (see histpage.h).
 *
 * The pages are one document (doc.h) rendered twice: alerts.md holds its first part (the
 * alerts, the other changes, the series), index.html all of it with the plots and the
 * commits. A plot is a gnuplot script and data files in a temporary folder, run through
 * gnuplot.h (as the report does), with two panels: the medians of the experiment's measured
 * series with their 95% intervals of the mean, and the no-GIL/GIL ratios; x is the night's
 * place in first-parent order, labelled with the commit's short id and date. */
#include "histpage.h"
#include "doc.h"
#include "fmt.h"
#include "gnuplot.h"
#include "log.h"
#include "rundir.h"
#include "report.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHORT 10                /* hex digits of a commit shown */
#define MAXTICS 40              /* commit labels on a plot's axis, at most */
#define MAXBARS 60              /* up to this many nights a plot shows error bars, beyond it a band */

struct page {
	const struct hdetect *d;
	const char *dir;
	struct doc doc;
	char **svgs;            /* per block of doc, or NULL */
	size_t md_blocks;       /* alerts.md holds the first md_blocks blocks */
	char *tmp;              /* gnuplot's folder */
	struct buf gp;          /* one gnuplot script drawing every plot, run once */
	size_t *plotblk;        /* per plot: its block in doc */
	size_t nplots;
	json_t *js;
};

static char *date_of(long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];

	gmtime_r(&tt, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d", &tm);
	return xstrdup(s);
}

static char *pct(double ratio)
{
	return isfinite(ratio) ? xasprintf("%+.1f%%", 100 * (ratio - 1)) : xstrdup("—");
}

static char *step_text(double ratio, double lo, double hi)
{
	char *a = pct(ratio), *b = pct(lo), *c = pct(hi), *s = xasprintf("%s [%s, %s]", a, b, c);

	free(a);
	free(b);
	free(c);
	return s;
}

static char *share(double x)
{
	return isfinite(x) ? xasprintf("%.1f%%", 100 * x) : xstrdup("—");
}

static char *range_text(const struct hmachine *m, size_t last_good, size_t first_bad)
{
	return xasprintf("%.*s .. %.*s", SHORT, m->nights[last_good].commit, SHORT, m->nights[first_bad].commit);
}

static bool is_raised(const struct hdetect *d, int64_t id)
{
	for (size_t i = 0; i < d->nm; i++)
		for (size_t k = 0; k < d->d[i].ns; k++)
			for (size_t c = 0; c < d->d[i].s[k].r.n; c++)
				if (d->d[i].s[k].ch[c].raised && d->d[i].s[k].ch[c].alert == id)
					return true;
	return false;
}

static const char *alert_status(const struct hdetect *d, const struct halert *a)
{
	return is_raised(d, a->id) ? "new" : a->acked ? "acked" : "open";
}

/* ---- the alerts ---- */

static char *evidence_text(json_t *ev)
{
	json_t *b = json_object_get(ev, "before"), *a = json_object_get(ev, "after");
	char *noise = share(json_is_number(json_object_get(ev, "noise")) ? json_number_value(json_object_get(ev, "noise")) : NAN);
	char *s = xasprintf("%lld nights (%lld trials) before, %lld nights (%lld trials) after; night noise %s",
	                    (long long)json_integer_value(json_object_get(b, "nights")),
	                    (long long)json_integer_value(json_object_get(b, "trials")),
	                    (long long)json_integer_value(json_object_get(a, "nights")),
	                    (long long)json_integer_value(json_object_get(a, "trials")), noise);

	free(noise);
	return s;
}

static void alerts_section(struct page *pg)
{
	const struct hdetect *d = pg->d;
	struct blk *t = NULL;
	json_t *arr = json_array();

	doc_heading(&pg->doc, 2, "Alerts");
	if (!d->na) {
		doc_para(&pg->doc, xstrdup("No regression has been alerted."));
	} else {
		t = doc_table(&pg->doc, 8);
		for (const char *h = "ID\0status\0series\0machine\0last good .. first bad\0step [95% interval]\0evidence\0note\0";
		     *h; h += strlen(h) + 1)
			doc_cells(t, h);
	}
	for (size_t i = 0; i < d->na; i++) {
		const struct halert *a = &d->alerts[i];
		json_t *ev = json_deep_copy(a->evidence);
		doc_cell(t, xasprintf("%lld", (long long)a->id));
		doc_cells(t, alert_status(d, a));
		doc_cells(t, a->label);
		doc_cell(t, xasprintf("%.8s", a->machine));
		doc_cell(t, xasprintf("%.*s .. %.*s", SHORT, a->last_good, SHORT, a->first_bad));
		doc_cell(t, step_text(a->ratio, a->lo, a->hi));
		doc_cell(t, evidence_text(a->evidence));
		doc_cells(t, a->note ? a->note : "");
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:o, s:o, s:o, "
		                                     "s:s, s:s?, s:s?}", "id", (json_int_t)a->id, "status",
		                                     alert_status(d, a), "machine", a->machine, "series", a->series,
		                                     "label", a->label, "last_good", a->last_good, "first_bad",
		                                     a->first_bad, "ratio", a->ratio, "lo", a->lo, "hi", a->hi, "p",
		                                     fmt_jnum(a->p), "p_confirm",
		                                     fmt_jnum(a->p_confirm),
		                                     "evidence", ev ? ev : json_object(), "raised", a->raised, "acked",
		                                     a->acked, "note", a->note));
	}
	json_object_set_new(pg->js, "alerts", arr);
}

static const char *status_word(const struct hchange *h)
{
	if (h->machine_changed)
		return "the machine changed";
	if (h->c.status == CP_PENDING)
		return "pending";
	if (h->c.status == CP_SMALL)
		return "under the threshold";
	if (h->c.status == CP_NOISY)
		return "noisy";
	return "confirmed";
}

static char *change_kind(const struct hchange *h)
{
	const char *dir = h->c.direction == CP_REGRESSION ? "regression" : "improvement";

	if (h->machine_changed)
		return xasprintf("the machine changed (canary %+.1f%%): not a %s", 100 * (h->canary_ratio - 1), dir);
	if (h->alert)
		return xasprintf("%s, alert %lld", dir, (long long)h->alert);
	if (h->c.status == CP_PENDING)
		return xasprintf("%s, pending: %zu night%s at the new level so far", dir, h->c.nights_after,
		                 h->c.nights_after == 1 ? "" : "s");
	if (h->c.status == CP_SMALL)
		return xasprintf("%s under the threshold", dir);
	if (h->c.status == CP_NOISY)
		return xasprintf("%s held back: the nights %s it are far noisier (trials' CV %.0f%% against %.0f%%)", dir,
		                 h->c.cv_after > h->c.cv_before ? "after" : "before",
		                 100 * fmax(h->c.cv_after, h->c.cv_before), 100 * fmin(h->c.cv_after, h->c.cv_before));
	return xstrdup(dir);
}

static json_t *change_json(const struct hmachine *m, const struct hdseries *s, const struct hchange *h)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:o, s:o, s:b, s:o, s:I, s:I, s:I, s:I, s:o, s:o}", "machine", m->id,
	                 "series", s->key, "label", s->label, "direction",
	                 h->c.direction == CP_REGRESSION ? "regression" : "improvement", "status", status_word(h),
	                 "last_good", m->nights[h->c.last_good].commit, "ratio", h->c.ratio, "lo",
	                 fmt_jnum(h->c.lo), "hi",
	                 fmt_jnum(h->c.hi), "machine_changed", h->machine_changed,
	                 "alert", h->alert ? json_integer(h->alert) : json_null(), "nights_before",
	                 (json_int_t)h->c.nights_before, "nights_after", (json_int_t)h->c.nights_after, "trials_before",
	                 (json_int_t)h->c.trials_before, "trials_after", (json_int_t)h->c.trials_after, "cv_before",
	                 fmt_jnum(h->c.cv_before), "cv_after",
	                 fmt_jnum(h->c.cv_after));
}

static void changes_section(struct page *pg)
{
	const struct hdetect *d = pg->d;
	struct blk *t = NULL;
	json_t *arr = json_array();

	doc_heading(&pg->doc, 2, "Changes found");
	for (size_t i = 0; i < d->nm; i++)
		for (size_t k = 0; k < d->d[i].ns; k++)
			for (size_t c = 0; c < d->d[i].s[k].r.n; c++) {
				const struct hdseries *s = &d->d[i].s[k];
				const struct hchange *h = &s->ch[c];
				json_t *o = change_json(d->d[i].m, s, h);
				json_object_set_new(o, "first_bad", json_string(d->d[i].m->nights[h->c.first_bad].commit));
				json_array_append_new(arr, o);
				if (!t) {
					t = doc_table(&pg->doc, 5);
					doc_cells(t, "series"), doc_cells(t, "machine"), doc_cells(t, "last good .. first bad");
					doc_cells(t, "step [95% interval]"), doc_cells(t, "what it is");
				}
				doc_cells(t, s->label);
				doc_cell(t, xasprintf("%.8s", d->d[i].m->id));
				doc_cell(t, range_text(d->d[i].m, h->c.last_good, h->c.first_bad));
				doc_cell(t, step_text(h->c.ratio, h->c.lo, h->c.hi));
				doc_cell(t, change_kind(h));
			}
	if (!t)
		doc_para(&pg->doc, xstrdup("No step was found in any series."));
	json_object_set_new(pg->js, "changes", arr);
}

static void series_section(struct page *pg)
{
	const struct hdetect *d = pg->d;
	struct blk *t;
	json_t *arr = json_array();

	doc_heading(&pg->doc, 2, "What a silent night means");
	doc_para(&pg->doc, xstrdup("Per series: its nights, the noise of a night's median (as a share), the median CV "
	                           "of the trials within a night, and the smallest step it would find 80% of the time "
	                           "(docs/nightly.md); a regression smaller than that can pass silently."));
	t = doc_table(&pg->doc, 6);
	doc_cells(t, "series"), doc_cells(t, "machine"), doc_cells(t, "nights"), doc_cells(t, "night noise");
	doc_cells(t, "trial CV"), doc_cells(t, "smallest detectable step");
	for (size_t i = 0; i < d->nm; i++)
		for (size_t k = 0; k < d->d[i].ns; k++) {
			const struct hdseries *s = &d->d[i].s[k];
			doc_cells(t, s->label);
			doc_cell(t, xasprintf("%.8s", d->d[i].m->id));
			doc_cell(t, xasprintf("%zu", s->r.nights));
			doc_cell(t, share(s->r.noise));
			doc_cell(t, share(s->r.trial_cv));
			doc_cell(t, isfinite(s->r.min_step) ? share(s->r.min_step) : xstrdup("needs 6 nights"));
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:f, s:b}", "machine",
			                                     d->d[i].m->id, "series", s->key, "label", s->label, "kind",
			                                     s->kind == HS_MEASURED ? "measured" : s->kind == HS_RATIO ? "ratio"
			                                                                                           : "efficiency",
			                                     "nights", (json_int_t)s->r.nights, "noise",
			                                     fmt_jnum(s->r.noise),
			                                     "trial_cv", fmt_jnum(s->r.trial_cv),
			                                     "min_step", fmt_jnum(s->r.min_step),
			                                     "threshold", s->threshold, "lower_is_better", s->lower_is_better));
		}
	json_object_set_new(pg->js, "series", arr);
}

/* ---- plots ---- */

/* one data file per series: night, median, interval; 0 when it has no night, -1 on error */
static int write_data(const char *path, const struct hdseries *s, size_t nn)
{
	struct buf b = { 0 };
	int rc;

	for (size_t j = 0; j < nn; j++) {
		const struct summary *m = &s->night[j];
		if (!s->t[j].n || !isfinite(m->median))
			continue;
		bufaddf(&b, "%zu %.17g %.17g %.17g\n", j, m->median, isfinite(m->ci_lo) ? m->ci_lo : m->median,
		        isfinite(m->ci_hi) ? m->ci_hi : m->median);
	}
	if (!b.len)
		return 0;
	rc = writefile(path, b.s, b.len);
	buffree(&b);
	return rc < 0 ? -1 : 1;
}

/* the commits on the x axis: labelled (short id and date) or bare ticks */
static void xtics(struct buf *s, const struct hmachine *m, bool labels)
{
	size_t step = m->nn > MAXTICS ? (m->nn + MAXTICS - 1) / MAXTICS : 1;

	bufaddf(s, "set xrange [-0.5:%zu.5]\nset xtics %s (", m->nn ? m->nn - 1 : 0,
	        labels ? "rotate by -60 font ',9'" : "format ''");
	for (size_t j = 0; j < m->nn; j += step) {
		char *date = date_of(m->nights[j].time);
		if (labels)
			bufaddf(s, "%s\"%.7s %s\" %zu", j ? ", " : "", m->nights[j].commit, date, j);
		else
			bufaddf(s, "%s%zu", j ? ", " : "", j);
		free(date);
	}
	bufadds(s, ")\n");
}

/* vertical lines at the changes of exp's series of kind k: alerts red (drawn last, on top),
 * other regressions orange, improvements green, machine changes grey; dashed unless confirmed */
static void markers(struct buf *s, const struct hdmachine *dm, const char *exp, enum hskind k)
{
	bufadds(s, "unset arrow\nunset label\n");
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < dm->ns; i++) {
			const struct hdseries *x = &dm->s[i];
			if (x->kind != k || strcmp(x->s->experiment, exp) != 0)
				continue;
			for (size_t c = 0; c < x->r.n; c++) {
				const struct hchange *h = &x->ch[c];
				const char *color = h->machine_changed ? "#888888" : h->c.direction == CP_IMPROVEMENT ? "#2a9d3a"
				                    : h->alert ? "#d62728" : "#ff8c00";
				if ((h->alert != 0) != (pass == 1))
					continue;
				bufaddf(s, "set arrow from %.1f, graph 0 to %.1f, graph 1 nohead lw 2 dt %d lc rgb '%s' front\n",
				        h->c.first_bad - 0.5, h->c.first_bad - 0.5, h->c.status == CP_CONFIRMED ? 1 : 2, color);
				if (h->alert)
					bufaddf(s, "set label 'alert %lld' at %.1f, graph 0.95 right offset -0.5,0 front "
					           "textcolor rgb '%s'\n", (long long)h->alert, h->c.first_bad - 0.5, color);
			}
		}
}

/* the plot lines of the series of exp of kind k into s; false when none */
static int plot_lines(struct page *pg, struct buf *s, const struct hdmachine *dm, const char *exp, enum hskind k)
{
	int any = 0, lt = 1;

	for (size_t i = 0; i < dm->ns; i++) {
		const struct hdseries *x = &dm->s[i];
		char *path;
		int w;
		if (x->kind != k || strcmp(x->s->experiment, exp) != 0)
			continue;
		path = xasprintf("%s/s%zu.dat", pg->tmp, i);
		w = write_data(path, x, dm->m->nn);
		if (w < 0) {
			free(path);
			return -1;
		}
		if (w > 0) {
			bufadds(s, any ? ", " : "plot ");
			gp_quote(s, path);
			if (dm->m->nn <= MAXBARS) {
				bufaddf(s, " using 1:2:3:4 with yerrorlines lt %d lw 2 pt 7 ps 0.6 title ", lt);
			} else { /* many nights: the interval as a band under the line */
				bufaddf(s, " using 1:3:4 with filledcurves lt %d fs transparent solid 0.25 noborder notitle, ", lt);
				gp_quote(s, path);
				bufaddf(s, " using 1:2 with lines lt %d lw 1.5 title ", lt);
			}
			gp_quote(s, x->label + strlen(exp) + (x->label[strlen(exp)] == ' '));
			any = 1;
		}
		lt++;
		free(path);
	}
	if (any)
		bufadds(s, "\n");
	return any;
}

static const char gp_head[] = "set terminal svg size 960,620 dynamic noenhanced font 'sans,11' background rgb 'white'\n";

/* experiment exp on machine dm added to the page's gnuplot script, drawing PLOT.svg in the
 * temporary folder; 1 added, 0 when it has nothing to draw, -1 on error */
static int plot_experiment(struct page *pg, const struct hdmachine *dm, const char *exp, size_t plot)
{
	struct buf s = { 0 };
	char *out = xasprintf("%s/%zu.svg", pg->tmp, plot);
	int top, bottom, rc = -1;

	bufadds(&s, "reset\nset output ");
	gp_quote(&s, out);
	bufadds(&s, "\nset multiplot\nset grid\nset key outside right top\nset lmargin 12\nset rmargin 30\n"
	            "set size 1,0.58\nset origin 0,0.42\nset bmargin 1\nset tmargin 1\n"
	            "set ylabel 'median seconds (95% CI of the mean)'\n");
	xtics(&s, dm->m, false);
	markers(&s, dm, exp, HS_MEASURED);
	if ((top = plot_lines(pg, &s, dm, exp, HS_MEASURED)) <= 0) {
		rc = top;
		goto cleanup;
	}
	bufadds(&s, "set size 1,0.42\nset origin 0,0\nset tmargin 0.5\nset bmargin 8\nset ylabel 'no-GIL / GIL'\n");
	xtics(&s, dm->m, true);
	markers(&s, dm, exp, HS_RATIO);
	bufadds(&s, "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb 'black'\n");
	if ((bottom = plot_lines(pg, &s, dm, exp, HS_RATIO)) < 0)
		goto cleanup;
	if (!bottom)
		bufadds(&s, "set yrange [0:2]\nplot 1/0 title 'one build: no ratio'\n");
	bufadds(&s, "unset multiplot\nunset output\n");
	bufadd(&pg->gp, s.s, s.len);
	rc = 1;
cleanup:
	buffree(&s);
	free(out);
	return rc;
}

/* run the page's script and read each plot's SVG into its block */
static void draw(struct page *pg)
{
	char *script = pathjoin(pg->tmp, "plots.gp");
	struct buf s = { 0 };

	bufadds(&s, gp_head);
	bufadd(&s, pg->gp.s, pg->gp.len);
	if (pg->nplots && writefile(script, s.s, s.len) == 0 && gnuplot_run(script, "the history page") == 1)
		for (size_t i = 0; i < pg->nplots; i++) {
			char *out = xasprintf("%s/%zu.svg", pg->tmp, i);
			size_t len;
			if (readfile(out, &pg->svgs[pg->plotblk[i]], &len) < 0) {
				free(pg->svgs[pg->plotblk[i]]);
				pg->svgs[pg->plotblk[i]] = NULL;
			}
			free(out);
		}
	buffree(&s);
	free(script);
}

/* ---- the commits ---- */

/* where a night's report is, as a link from the page: relative inside DIR, else a file:// url */
static char *report_link(const char *dir, const struct hnight *n)
{
	size_t k = strlen(dir);

	if (n->rundir && strncmp(n->rundir, dir, k) == 0 && n->rundir[k] == '/')
		return xasprintf("%s/%s", n->rundir + k + 1, RUN_REPORT_HTML);
	if (n->rundir)
		return xasprintf("file://%s/%s", n->rundir, RUN_REPORT_HTML);
	return n->archive ? xasprintf("file://%s", n->archive) : xstrdup("");
}

static void commits_section(struct page *pg, const struct hdmachine *dm)
{
	struct blk *t = doc_table(&pg->doc, 6);
	char *dir = abspath(pg->dir);

	doc_cells(t, "night"), doc_cells(t, "commit (its report)"), doc_cells(t, "date"), doc_cells(t, "subject");
	doc_cells(t, "runs"), doc_cells(t, "canary");
	for (size_t j = dm->m->nn; j-- > 0;) {
		const struct hnight *n = &dm->m->nights[j];
		char *link = report_link(dir ? dir : pg->dir, n), *id = xasprintf("%.*s", SHORT, n->commit);
		doc_cell(t, xasprintf("%zu", j));
		doc_link(t, id, link);
		doc_cell(t, date_of(n->time));
		doc_cells(t, n->subject ? n->subject : "");
		doc_cell(t, xasprintf("%zu", n->nruns));
		doc_cell(t, isfinite(n->canary) ? xasprintf("%.2f ms", 1000 * n->canary) : xstrdup("—"));
		free(link);
		free(id);
	}
	free(dir);
}

static int machine_section(struct page *pg, const struct hdmachine *dm)
{
	const char *last = "";

	if (pg->d->nm > 1) {
		char *h = xasprintf("Machine %.8s: %s", dm->m->id, dm->m->desc ? dm->m->desc : "");
		doc_heading(&pg->doc, 2, h);
		free(h);
	}
	for (size_t k = 0; k < dm->ns; k++) {
		const char *exp = dm->s[k].s->experiment;
		char *title;
		int drawn;
		if (dm->s[k].kind != HS_MEASURED || strcmp(exp, last) == 0)
			continue;
		last = exp;
		title = pg->d->nm > 1 ? xasprintf("%s (machine %.8s)", exp, dm->m->id) : xstrdup(exp);
		doc_heading(&pg->doc, pg->d->nm > 1 ? 3 : 2, title);
		free(title);
		if ((drawn = plot_experiment(pg, dm, exp, pg->nplots)) < 0)
			return -1;
		doc_plot(&pg->doc, exp, "the medians per commit with their 95% intervals (top) and the no-GIL/GIL ratio "
		                        "(below); red: an alert, orange: another regression, green: an improvement, grey: "
		                        "the machine changed");
		if (drawn) {
			pg->plotblk = xreallocarray(pg->plotblk, pg->nplots + 1, sizeof(*pg->plotblk));
			pg->plotblk[pg->nplots++] = pg->doc.n - 1;
		}
	}
	doc_heading(&pg->doc, pg->d->nm > 1 ? 3 : 2, "Commits, newest first");
	commits_section(pg, dm);
	return 0;
}

/* ---- putting it together ---- */

static void header(struct page *pg)
{
	const struct hdetect *d = pg->d;
	size_t nights = 0, open = 0;
	char *h = xasprintf("Nightly history of %s", d->config), *stamp = utcstamp(false);
	json_t *ms = json_array();

	for (size_t i = 0; i < d->nm; i++) {
		nights += d->m[i].nn;
		json_array_append_new(ms, json_pack("{s:s, s:s, s:I}", "id", d->m[i].id, "description",
		                                    d->m[i].desc ? d->m[i].desc : "{}", "nights", (json_int_t)d->m[i].nn));
	}
	for (size_t i = 0; i < d->na; i++)
		open += !d->alerts[i].acked;
	doc_heading(&pg->doc, 1, h);
	doc_para(&pg->doc, xasprintf("%zu commit%s measured on %zu machine%s; %zu alert%s open (%zu new now). "
	                             "Written %s.", nights, nights == 1 ? "" : "s", d->nm, d->nm == 1 ? "" : "s", open,
	                             open == 1 ? "" : "s", d->raised, stamp));
	json_object_set_new(pg->js, "config", json_string(d->config));
	json_object_set_new(pg->js, "written", json_string(stamp));
	json_object_set_new(pg->js, "machines", ms);
	json_object_set_new(pg->js, "new_alerts", json_integer((json_int_t)d->raised));
	free(h);
	free(stamp);
}

static int write_files(struct page *pg)
{
	struct doc md = { pg->doc.v, pg->md_blocks };
	struct buf m = { 0 }, h = { 0 };
	char *title = xasprintf("Nightly history of %s", pg->d->config);
	char *pm = pathjoin(pg->dir, "alerts.md"), *ph = pathjoin(pg->dir, "index.html"), *pj = pathjoin(pg->dir, "alerts.json");
	int rc;

	doc_md(&md, NULL, &m);
	bufadds(&m, "\n");
	doc_html(&pg->doc, title, pg->svgs, &h);
	rc = writefile(pm, m.s, m.len) < 0 || writefile(ph, h.s, h.len) < 0 || writejson(pj, pg->js, JSON_DOC) < 0 ? -1 : 0;
	buffree(&m);
	buffree(&h);
	free(title);
	free(pm);
	free(ph);
	free(pj);
	return rc;
}

int histpage_write(const struct hdetect *d, const char *dir)
{
	struct page pg = { .d = d, .dir = dir, .js = json_object() };
	int rc = -1;

	if (mkdirp(dir, 0755) < 0 || !(pg.tmp = mktmpdir("history")))
		goto cleanup;
	header(&pg);
	alerts_section(&pg);
	changes_section(&pg);
	series_section(&pg);
	pg.md_blocks = pg.doc.n;
	for (size_t i = 0; i < d->nm; i++)
		if (machine_section(&pg, &d->d[i]) < 0)
			goto cleanup;
	pg.svgs = xcalloc(pg.doc.n + 1, sizeof(*pg.svgs));
	draw(&pg);
	rc = write_files(&pg);
cleanup:
	if (rc < 0)
		errwrap("history pages in %s", dir);
	for (size_t i = 0; pg.svgs && i < pg.doc.n; i++)
		free(pg.svgs[i]);
	free(pg.svgs);
	free(pg.plotblk);
	buffree(&pg.gp);
	deldoc(&pg.doc);
	json_decref(pg.js);
	if (pg.tmp)
		rmtree(pg.tmp);
	free(pg.tmp);
	return rc;
}

int histpage_update(struct history *h, const char *config, const char *dir, size_t *raised)
{
	struct hdetect d;
	int rc = -1;

	*raised = 0;
	memset(&d, 0, sizeof(d));
	if (history_begin(h) < 0)
		return -1;
	if (hdetect_run(h, config, &d) == 0 && histpage_write(&d, dir) == 0 && history_detected(h, config) == 0)
		rc = 0;
	if (rc == 0)
		rc = history_commit(h);
	else
		history_rollback(h);
	if (rc == 0)
		*raised = d.raised;
	hdetect_free(&d);
	return rc;
}
