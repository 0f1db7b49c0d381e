/* histdetect.c: detection over a config's history (see histdetect.h).
 *
 * Per machine: the series are listed (measured ones in plan order, then the derived ones),
 * each night's trials gathered (a derived series pairs two measured series' trials of the
 * same run and round: both are ordered by run, then round, and merged), summarised for the
 * page (stats_summary) and judged with cp_detect(), the stored alerts of the series passed
 * as known first-bad nights. Each change then gets the canary check and, when it is an
 * alert, is raised with its evidence (the windows' commits, nights and trials, the noise). */
#include "histdetect.h"
#include "report.h"
#include "util.h"
#include "verdict.h"

#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *point_label(const struct hseries *s)
{
	return *s->point ? xasprintf("%s %s", s->experiment, s->point) : xstrdup(s->experiment);
}

static struct hdseries *add_series(struct hdmachine *dm, enum hskind k, const struct hseries *s,
                                   const struct hseries *base)
{
	struct hdseries *d;
	char *pl = point_label(s);

	dm->s = xreallocarray(dm->s, dm->ns + 1, sizeof(*dm->s));
	d = &dm->s[dm->ns++];
	memset(d, 0, sizeof(*d));
	d->kind = k;
	d->s = s;
	d->base = base;
	d->threshold = s->threshold;
	d->lower_is_better = k == HS_EFFICIENCY ? false : s->lower_is_better;
	switch (k) {
	case HS_MEASURED:
		d->key = xasprintf("cell:%s", s->cell);
		d->label = xasprintf("%s %s", pl, report_variant_label(s->variant));
		break;
	case HS_RATIO:
		d->key = xasprintf("ratio:%s/%s", s->cell, base->cell);
		d->label = xasprintf("%s %s/%s", pl, report_variant_label(s->variant), report_variant_label(base->variant));
		break;
	case HS_EFFICIENCY:
		d->key = xasprintf("eff:%s/%s", s->cell, base->cell);
		d->label = xasprintf("%s %s efficiency", pl, report_variant_label(s->variant));
		break;
	}
	free(pl);
	return d;
}

/* the variant of the GIL build at s's point: the GIL-on series whose build is not free-threaded */
static const struct hseries *gil_of(const struct hmachine *m, const struct hseries *s)
{
	for (size_t i = 0; i < m->ns; i++)
		if (m->s[i].gil && !m->s[i].nogil_build && strcmp(m->s[i].experiment, s->experiment) == 0 &&
		    strcmp(m->s[i].point, s->point) == 0)
			return &m->s[i];
	return NULL;
}

/* the smallest point of s's scaling experiment with its variant and other matrix values */
static const struct hseries *scaling_base(const struct hmachine *m, const struct hseries *s)
{
	const struct hseries *b = NULL;

	for (size_t i = 0; i < m->ns; i++) {
		const struct hseries *c = &m->s[i];
		if (c->scaling && isfinite(c->x) && c->x < s->x && strcmp(c->experiment, s->experiment) == 0 &&
		    strcmp(c->variant, s->variant) == 0 && strcmp(c->group, s->group) == 0 && (!b || c->x < b->x))
			b = c;
	}
	return b;
}

static void list_series(struct hdmachine *dm)
{
	const struct hmachine *m = dm->m;
	const struct hseries *b;

	for (size_t i = 0; i < m->ns; i++)
		add_series(dm, HS_MEASURED, &m->s[i], NULL);
	for (size_t i = 0; i < m->ns; i++)
		if (!m->s[i].gil && (b = gil_of(m, &m->s[i])))
			add_series(dm, HS_RATIO, &m->s[i], b);
	for (size_t i = 0; i < m->ns; i++)
		if (m->s[i].scaling && isfinite(m->s[i].x) && (b = scaling_base(m, &m->s[i])))
			add_series(dm, HS_EFFICIENCY, &m->s[i], b);
}

/* num[i] / den[i] for the trials of one run and round in both (each ordered by run, round) */
static size_t pair(const struct hpoint *num, const struct hpoint *den, double *out)
{
	size_t i = 0, k = 0, n = 0;

	while (i < num->n && k < den->n) {
		if (num->run[i] == den->run[k] && num->round[i] == den->round[k]) {
			n += cp_ratiotrials(&num->v[i], 1, &den->v[k], 1, 1.0, out + n);
			i++, k++;
		} else if (num->run[i] < den->run[k] || (num->run[i] == den->run[k] && num->round[i] < den->round[k])) {
			i++;
		} else {
			k++;
		}
	}
	return n;
}

static void gather(struct hdseries *d, size_t nn)
{
	d->t = xcalloc(nn ? nn : 1, sizeof(*d->t));
	d->night = xcalloc(nn ? nn : 1, sizeof(*d->night));
	for (size_t j = 0; j < nn; j++) {
		const struct hpoint *a = &d->s->at[j];
		double *v;
		size_t n;
		if (d->kind == HS_MEASURED) {
			d->t[j] = (struct cptrials){ a->v, a->n };
		} else {
			const struct hpoint *b = &d->base->at[j];
			v = xmalloc((a->n < b->n ? a->n : b->n) * sizeof(*v) + sizeof(*v));
			n = d->kind == HS_RATIO ? pair(a, b, v) : pair(b, a, v);
			d->t[j] = (struct cptrials){ v, n };
		}
		stats_summary(d->t[j].x, d->t[j].n, &d->night[j]);
	}
}

/* the night of a commit, or nn */
static size_t night_of(const struct hmachine *m, const char *commit)
{
	for (size_t j = 0; j < m->nn; j++)
		if (strcmp(m->nights[j].commit, commit) == 0)
			return j;
	return m->nn;
}

/* the stored alerts of d's series: their first bad nights, and the alerts */
static size_t known_of(const struct hdetect *det, const struct hmachine *m, const struct hdseries *d, size_t *at,
                       int64_t *ids)
{
	size_t n = 0, j;

	for (size_t i = 0; i < det->na; i++) {
		const struct halert *a = &det->alerts[i];
		if (strcmp(a->machine, m->id) == 0 && strcmp(a->series, d->key) == 0 &&
		    (j = night_of(m, a->first_bad)) < m->nn) {
			at[n] = j;
			ids[n++] = a->id;
		}
	}
	return n;
}

static void canary_check(const struct hmachine *m, const struct hdseries *d, struct hchange *h)
{
	double *b = xmalloc((m->nn + 1) * sizeof(*b)), *a = xmalloc((m->nn + 1) * sizeof(*a));
	size_t nb = 0, na = 0, j;
	struct judgement jd;
	bool up = h->c.ratio > 1;

	h->canary_ratio = NAN;
	for (j = h->c.before_from; j < h->c.before_to; j++)
		if (isfinite(m->nights[j].canary))
			b[nb++] = m->nights[j].canary;
	for (j = h->c.after_from; j < h->c.after_to; j++)
		if (isfinite(m->nights[j].canary))
			a[na++] = m->nights[j].canary;
	if (d->kind == HS_MEASURED && nb >= 2 && na >= 2) {
		judge(b, nb, a, na, d->threshold / 2, true, &jd);
		h->canary_ratio = jd.c.ratio;
		h->machine_changed = (up ? jd.verdict == VERDICT_WORSE : jd.verdict == VERDICT_BETTER) &&
		                     jd.c.ratio >= h->c.lo && jd.c.ratio <= h->c.hi;
	}
	free(a);
	free(b);
}

static json_t *jreal(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *window_json(const struct hmachine *m, size_t from, size_t to, size_t nights, size_t trials)
{
	return json_pack("{s:s, s:s, s:I, s:I}", "from", m->nights[from].commit, "to", m->nights[to - 1].commit, "nights",
	                 (json_int_t)nights, "trials", (json_int_t)trials);
}

static int raise_alert(struct history *h, struct hdetect *det, const struct hmachine *m, const struct hdseries *d,
                       struct hchange *ch)
{
	const struct cpchange *c = &ch->c;
	struct halert a = { 0 };
	int rc;

	a.machine = m->id;
	a.config = det->config;
	a.series = d->key;
	a.label = d->label;
	a.experiment = d->s->experiment;
	a.last_good = m->nights[c->last_good].commit;
	a.first_bad = m->nights[c->first_bad].commit;
	a.ratio = c->ratio, a.lo = c->lo, a.hi = c->hi, a.p = c->p, a.p_confirm = c->p_confirm;
	a.evidence = json_pack("{s:o, s:o, s:o, s:o, s:o, s:f, s:o, s:s?, s:s?}", "before",
	                       window_json(m, c->before_from, c->before_to, c->nights_before, c->trials_before), "after",
	                       window_json(m, c->after_from, c->after_to, c->nights_after, c->trials_after), "noise",
	                       jreal(d->r.noise), "trial_cv", jreal(d->r.trial_cv), "min_step", jreal(c->min_step),
	                       "threshold", d->threshold, "canary_ratio",
	                       jreal(ch->canary_ratio), "kernel_before",
	                       m->nights[c->last_good].kernel, "kernel_after", m->nights[c->first_bad].kernel);
	rc = history_raise(h, &a, &ch->alert);
	json_decref(a.evidence);
	if (rc < 0)
		return -1;
	ch->raised = rc == 0;
	det->raised += ch->raised;
	return 0;
}

/* the scan's significance for a series of m nights: CP_ALPHA, or for a short series twice the
 * smallest p its permutations can give a step K nights from an end, 2 / C(m, K) (at most
 * 0.2): with 8 nights no split can reach p < 0.036, so CP_ALPHA would hide every step;
 * the confirmation on the raw trials, which every step must pass, keeps false alerts rare */
static double scan_alpha(const struct hdseries *d, size_t nn, size_t k)
{
	size_t m = 0;
	double a;

	for (size_t j = 0; j < nn; j++)
		m += d->t[j].n > 0;
	if (m < 2 * k)
		return CP_ALPHA;
	a = 4 / gsl_sf_choose((unsigned)m, (unsigned)k);
	return a < CP_ALPHA ? CP_ALPHA : a > 0.2 ? 0.2 : a;
}

static int judge_series(struct history *h, struct hdetect *det, const struct hmachine *m, struct hdseries *d)
{
	size_t *at = xmalloc((det->na + 1) * sizeof(*at)), nk;
	int64_t *ids = xmalloc((det->na + 1) * sizeof(*ids));
	struct cpopts o;
	int rc = -1;

	gather(d, m->nn);
	nk = known_of(det, m, d, at, ids);
	cp_defaults(&o);
	o.threshold = d->threshold;
	o.lower_is_better = d->lower_is_better;
	o.alpha = scan_alpha(d, m->nn, o.min_after);
	o.known = at;
	o.nknown = nk;
	if (cp_detect(d->t, m->nn, &o, &d->r) < 0) {
		errwrap("series %s", d->label);
		goto cleanup;
	}
	d->ch = xcalloc(d->r.n + 1, sizeof(*d->ch));
	for (size_t i = 0; i < d->r.n; i++) {
		struct hchange *ch = &d->ch[i];
		ch->c = d->r.changes[i];
		canary_check(m, d, ch);
		for (size_t k = 0; k < nk && ch->c.known; k++)
			if ((at[k] > ch->c.first_bad ? at[k] - ch->c.first_bad : ch->c.first_bad - at[k]) <= o.known_slack)
				ch->alert = ids[k];
		if (ch->c.alert && !ch->machine_changed && raise_alert(h, det, m, d, ch) < 0)
			goto cleanup;
	}
	rc = 0;
cleanup:
	free(at);
	free(ids);
	return rc;
}

int hdetect_run(struct history *h, const char *config, struct hdetect *out)
{
	memset(out, 0, sizeof(*out));
	out->config = xstrdup(config);
	if (history_load(h, config, &out->m, &out->nm) < 0 || history_alerts(h, config, &out->alerts, &out->na) < 0)
		return -1;
	out->d = xcalloc(out->nm + 1, sizeof(*out->d));
	for (size_t i = 0; i < out->nm; i++) {
		out->d[i].m = &out->m[i];
		list_series(&out->d[i]);
		for (size_t k = 0; k < out->d[i].ns; k++)
			if (judge_series(h, out, &out->m[i], &out->d[i].s[k]) < 0)
				return -1;
	}
	if (out->raised) { /* the page lists the new ones too */
		halerts_free(out->alerts, out->na);
		if (history_alerts(h, config, &out->alerts, &out->na) < 0)
			return -1;
	}
	return 0;
}

const struct halert *hdetect_alert(const struct hdetect *d, int64_t id)
{
	for (size_t i = 0; i < d->na; i++)
		if (d->alerts[i].id == id)
			return &d->alerts[i];
	return NULL;
}

void hdetect_free(struct hdetect *d)
{
	for (size_t i = 0; d->d && i < d->nm; i++) {
		for (size_t k = 0; k < d->d[i].ns; k++) {
			struct hdseries *s = &d->d[i].s[k];
			for (size_t j = 0; s->kind != HS_MEASURED && s->t && j < d->m[i].nn; j++)
				free((double *)s->t[j].x);
			free(s->t);
			free(s->night);
			free(s->ch);
			free(s->key);
			free(s->label);
			cpresult_free(&s->r);
		}
		free(d->d[i].s);
	}
	free(d->d);
	hmachines_free(d->m, d->nm);
	halerts_free(d->alerts, d->na);
	free(d->config);
	memset(d, 0, sizeof(*d));
}
