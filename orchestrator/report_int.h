/* report_int.h: what the report's files share (report.c loads and computes, report_tables.c
 * writes the experiments' tables and the summary, report_notes.c the header, noise,
 * failures, provenance and notes, report_plots.c the gnuplot plots). Not for other modules. */
#ifndef GILBENCH_REPORT_INT_H
#define GILBENCH_REPORT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cells.h"
#include "config.h"
#include "doc.h"
#include "fmt.h"
#include "plan.h"
#include "report.h"
#include "results.h"
#include "stats.h"
#include "verdict.h"

struct cellres {            /* a cell's trials (borrowed from the cellfile) and statistics */
	size_t *idx;            /* measured ok trials (indices into trials), in file order */
	size_t nidx;
	double *vals;           /* their metric */
	size_t nwarm, nfailed, ntrials; /* warm-ups, failed measured trials, all trials */
	size_t ncontaminated, nslow;   /* measured trials left out: interference, a slow round */
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
	struct roundrec *rounds; /* rounds.jsonl: the canary and the quiet wait per round */
	size_t nrounds;
	json_t *meta;           /* metadata.json or NULL */
	json_t **builds;        /* build.json per config build, or NULL */
	struct cellfile cf;     /* the trials filed by cell id */
	struct cellres *cells;  /* npoints * nvariants, point-major */
	struct judgement *cmp;  /* the same shape: variant v against variant 0 at the point */
	size_t nv;
	json_t *out;            /* results.json */
	struct doc doc;
	struct strlist warnings;
	size_t unmatched;       /* trials that belong to no cell of the plan */
	size_t duplicates;      /* second lines of a (cell, round) already counted */
};

#define CELL(r, p, v) (&(r)->cells[(p) * (r)->nv + (v)])
#define CMP(r, p, v) (&(r)->cmp[(p) * (r)->nv + (v)])


static inline const char *vname(const struct report *r, size_t v)
{
	return r->cfg->variants[v].name;
}

static inline const char *vlabel(const struct report *r, size_t v)
{
	return report_variant_label(vname(r, v));
}

/* shared between the report's files: report.c (first five), report_tables.c, report_notes.c, report_plots.c */
double report_avg_lost(const struct report *r, const struct cellres *cr, const struct expconf *e);
bool report_build_failed(const struct report *r, size_t b);
double report_lost_share(const struct expconf *e, double value);
double report_trial_value(const struct report *r, const struct trial *t, const struct expconf *e);
char *report_verdict_text(const struct expconf *e, const struct judgement *j);
size_t report_exp_points(const struct report *r, size_t e, size_t *out);
double report_point_x(const struct report *r, size_t p);
char *report_rest_key(const struct report *r, size_t p);
void report_section_comparisons(struct report *r);
void report_section_race(struct report *r, size_t e, const size_t *pts, size_t npts);
void report_section_reference(struct report *r);
void report_section_scaling(struct report *r, size_t e, const size_t *pts, size_t npts);
void report_section_summary(struct report *r);
void report_section_times(struct report *r, size_t e, const size_t *pts, size_t npts);
size_t report_series_base(const struct report *r, const size_t *pts, size_t k);
char *report_last_line(const char *s, size_t max);
bool report_section_failures(struct report *r);
void report_section_header(struct report *r);
void report_section_trust(struct report *r);   /* the machine's speed (canary) and interference, at the top */
void report_section_noise(struct report *r);
void report_section_provenance(struct report *r);
void report_section_stats_note(struct report *r);
int report_plots(struct report *r, const bool *want, char **svgs, bool *plotted);

#endif
