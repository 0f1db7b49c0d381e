/* report_plots.c: the report's plots, drawn with gnuplot: thread scaling (time per thread
 * count, one line per variant, with error bars) and bars per experiment. Each plot is a
 * gnuplot script and data files in a temporary folder, run through gnuplot.h; the SVGs land
 * in RUN_DIR/plots/ and are inlined in the HTML. A missing gnuplot only warns. */
#include "report_int.h"

#include <gsl/gsl_statistics_double.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnuplot.h"
#include "pyperf.h"
#include "rundir.h"
#include "util.h"

static const char gp_head[] = "set terminal svg size 720,420 dynamic noenhanced font 'sans,12' background rgb 'white'\n";

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

			if (report_series_base(r, pts, g) != g)
				continue; /* not the first point of a series */
			dpath = xasprintf("%s/scaling-%zu-%zu.dat", tmp, v, g);
			for (size_t k = g; k < npts; k++) {
				const struct summary *sm = &CELL(r, pts[k], v)->sum;
				double x = report_point_x(r, pts[k]);
				if (report_series_base(r, pts, k) != g || !isfinite(x) || !isfinite(sm->median))
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
				key = report_rest_key(r, pts[g]);
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
	rc = gnuplot_run(script, "the report");
	rc = rc < 0 ? -2 : rc;
cleanup:
	buffree(&s);
	free(script);
	return rc;
}

/* bars per variant (and point): medians with their 95% CI, or with LOST the share of updates lost */
static int plot_bars(struct report *r, const char *tmp, size_t e, const size_t *pts, size_t npts,
                     const char *out, bool lost)
{
	const struct expconf *ex = &r->cfg->exps[e];
	struct buf s = { 0 }, d = { 0 };
	char *script = pathjoin(tmp, "plot.gp"), *dpath = pathjoin(tmp, "bars.dat");
	size_t i = 0;
	int rc;

	for (size_t k = 0; k < npts; k++)
		for (size_t v = 0; v < r->nv; v++) {
			const struct summary *sm = &CELL(r, pts[k], v)->sum;
			double l = lost ? 100 * report_avg_lost(r, CELL(r, pts[k], v), ex) : NAN;
			char *label = ex->nmatrix ? xasprintf("%s %s", vlabel(r, v), r->plan->points[pts[k]].label)
			                          : xstrdup(vlabel(r, v));
			for (char *q = label; *q; q++)
				if (*q == '"' || *q == '\\')
					*q = '\'';
			if (lost)
				bufaddf(&d, "%zu %.17g %.17g %.17g \"%s\"\n", i++, isfinite(l) ? l : 0, isfinite(l) ? l : 0,
				        isfinite(l) ? l : 0, label);
			else
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
	gp_quote(&s, lost ? "updates lost (% of the expected count)"
	              : strcmp(ex->metric, "seconds") == 0 ? "median seconds (95% CI of the mean)" : ex->metric);
	bufadds(&s, "\nplot ");
	gp_quote(&s, dpath);
	bufadds(&s, " using 1:2:xtic(5) with boxes lc rgb '#4a7ab5' notitle, ");
	gp_quote(&s, dpath);
	bufadds(&s, " using 1:2:3:4 with yerrorbars lc rgb 'black' pt 0 notitle\n");
	if (writefile(dpath, d.s, d.len) < 0 || writefile(script, s.s, s.len) < 0)
		rc = -1;
	else
		rc = gnuplot_run(script, "the report") < 0 ? -2 : 1;
	buffree(&s);
	buffree(&d);
	free(script);
	free(dpath);
	return rc;
}

/* draws every plot block of the document; svgs[i] gets the SVG of block i. -1 on error */
int report_plots(struct report *r, const bool *want, char **svgs, bool *plotted)
{
	char *tmp = NULL, *pdir = pathjoin(r->dir, RUN_PLOTS);
	size_t *pts = xcalloc(r->plan->npoints + 1, sizeof(*pts));
	int rc = -1;

	if (mkdirp(pdir, 0755) < 0 || !(tmp = mktmpdir("plot")))
		goto cleanup;
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
		npts = report_exp_points(r, e, pts);
		out = xasprintf("%s/%s.svg", pdir, b->plot);
		if (strncmp(b->plot, "scaling-", 8) == 0)
			k = plot_scaling(r, tmp, e, pts, npts, out);
		else
			k = plot_bars(r, tmp, e, pts, npts, out, strncmp(b->plot, "lost-", 5) == 0);
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
