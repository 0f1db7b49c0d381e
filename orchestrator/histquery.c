/* histquery.c: reading the history back (see history.h): a config's series for detection,
 * the alerts, and the views behind `gilbench history list` and `show`.
 *
 * history_load() reads one machine at a time: its nights (the runs of the config in
 * first-parent order, runs at one commit merged into one night), its series in plan order,
 * then every ok trial in one ordered query, each filed under its series and night by
 * binary search over the row ids. */
#include "histdb.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- loading a config's series ---- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* the index of id in the sorted ids[0..n), or n */
static size_t find_id(const int64_t *ids, size_t n, int64_t id)
{
	const int64_t *p = bsearch(&id, ids, n, sizeof(*ids), cmp_i64);

	return p ? (size_t)(p - ids) : n;
}

/* the nights of machine m; runs[] (sorted) and nightof[] map every run row to its night */
static int load_nights(struct history *h, const char *config, struct hmachine *m, int64_t **runs, size_t **nightof,
                       size_t *nruns)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0, i, j;
	int e;
	struct { int64_t id; size_t night; } *pairs = NULL;

	if (hdb_prepare(h, "SELECT commit_id, parent, subject, commit_time, position, run_dir, archive, id, kernel, "
	                   "canary_median FROM runs WHERE config = ? AND machine = ? ORDER BY position, commit_id, id",
	                &st) < 0)
		return -1;
	hdb_bind_text(st, 1, config);
	hdb_bind_text(st, 2, m->id);
	*nruns = 0;
	while ((e = sqlite3_step(st)) == SQLITE_ROW) {
		const char *commit = (const char *)sqlite3_column_text(st, 0);
		struct hnight *n;
		double canary = hdb_real(st, 9);
		if (!m->nn || strcmp(m->nights[m->nn - 1].commit, commit) != 0) {
			m->nights = xreallocarray(m->nights, m->nn + 1, sizeof(*m->nights));
			n = &m->nights[m->nn++];
			memset(n, 0, sizeof(*n));
			n->commit = xstrdup(commit);
			n->canary = NAN;
		}
		n = &m->nights[m->nn - 1];
		free(n->parent), free(n->subject), free(n->rundir), free(n->archive), free(n->kernel);
		n->parent = hdb_text(st, 1);
		n->subject = hdb_text(st, 2);
		n->time = sqlite3_column_int64(st, 3);
		n->position = sqlite3_column_int64(st, 4);
		n->rundir = hdb_text(st, 5);
		n->archive = hdb_text(st, 6);
		n->run = sqlite3_column_int64(st, 7);
		n->kernel = hdb_text(st, 8);
		n->nruns++;
		if (isfinite(canary))
			n->canary = canary;
		if (*nruns == cap) {
			cap = cap ? 2 * cap : 64;
			pairs = xreallocarray(pairs, cap, sizeof(*pairs));
		}
		pairs[*nruns].id = n->run;
		pairs[(*nruns)++].night = m->nn - 1;
	}
	sqlite3_finalize(st);
	if (e != SQLITE_DONE) {
		free(pairs);
		return hdb_err(h, "reading the runs");
	}
	qsort(pairs, *nruns, sizeof(*pairs), cmp_i64); /* id is the first member */
	*runs = xmalloc((*nruns + 1) * sizeof(**runs));
	*nightof = xmalloc((*nruns + 1) * sizeof(**nightof));
	for (i = j = 0; i < *nruns; i++, j++) {
		(*runs)[j] = pairs[i].id;
		(*nightof)[j] = pairs[i].night;
	}
	free(pairs);
	return 0;
}

static int load_series(struct history *h, const char *config, struct hmachine *m, int64_t **ids)
{
	sqlite3_stmt *st = NULL;
	int e;

	if (hdb_prepare(h, "SELECT id, cell, experiment, point, variant, metric, lower_is_better, gil, nogil_build, "
	                   "scaling, x, grp, threshold, ord FROM series WHERE config = ? AND machine = ? ORDER BY id",
	                &st) < 0)
		return -1;
	hdb_bind_text(st, 1, config);
	hdb_bind_text(st, 2, m->id);
	*ids = NULL;
	while ((e = sqlite3_step(st)) == SQLITE_ROW) {
		struct hseries *s;
		m->s = xreallocarray(m->s, m->ns + 1, sizeof(*m->s));
		*ids = xreallocarray(*ids, m->ns + 1, sizeof(**ids));
		(*ids)[m->ns] = sqlite3_column_int64(st, 0);
		s = &m->s[m->ns++];
		memset(s, 0, sizeof(*s));
		s->cell = hdb_text(st, 1);
		s->experiment = hdb_text(st, 2);
		s->point = hdb_text(st, 3);
		s->variant = hdb_text(st, 4);
		s->metric = hdb_text(st, 5);
		s->lower_is_better = sqlite3_column_int(st, 6);
		s->gil = sqlite3_column_int(st, 7);
		s->nogil_build = sqlite3_column_int(st, 8);
		s->scaling = sqlite3_column_int(st, 9);
		s->x = hdb_real(st, 10);
		s->group = hdb_text(st, 11);
		s->threshold = sqlite3_column_double(st, 12);
		s->order = sqlite3_column_int(st, 13);
		s->at = xcalloc(m->nn ? m->nn : 1, sizeof(*s->at));
	}
	sqlite3_finalize(st);
	return e == SQLITE_DONE ? 0 : hdb_err(h, "reading the series");
}

static void addpoint(struct hpoint *p, double v, int64_t run, int round)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->run = xreallocarray(p->run, p->n + 1, sizeof(*p->run));
	p->round = xreallocarray(p->round, p->n + 1, sizeof(*p->round));
	p->v[p->n] = v;
	p->run[p->n] = run;
	p->round[p->n++] = round;
}

static int load_trials(struct history *h, const char *config, struct hmachine *m, const int64_t *sids,
                       const int64_t *runs, const size_t *nightof, size_t nruns)
{
	sqlite3_stmt *st = NULL;
	int e;

	if (hdb_prepare(h, "SELECT t.series, t.run, t.round, t.value FROM trials t JOIN runs r ON r.id = t.run "
	                   "WHERE r.config = ? AND r.machine = ? AND t.ok = 1 ORDER BY t.series, t.run, t.round", &st) < 0)
		return -1;
	hdb_bind_text(st, 1, config);
	hdb_bind_text(st, 2, m->id);
	while ((e = sqlite3_step(st)) == SQLITE_ROW) {
		size_t s = find_id(sids, m->ns, sqlite3_column_int64(st, 0));
		int64_t run = sqlite3_column_int64(st, 1);
		size_t r = find_id(runs, nruns, run);
		if (s < m->ns && r < nruns)
			addpoint(&m->s[s].at[nightof[r]], sqlite3_column_double(st, 3), run, sqlite3_column_int(st, 2));
	}
	sqlite3_finalize(st);
	return e == SQLITE_DONE ? 0 : hdb_err(h, "reading the trials");
}

static int cmp_order(const void *a, const void *b)
{
	const struct hseries *x = a, *y = b;

	return x->order != y->order ? (x->order < y->order ? -1 : 1) : strcmp(x->cell, y->cell);
}

static int load_machine(struct history *h, const char *config, struct hmachine *m)
{
	int64_t *runs = NULL, *sids = NULL;
	size_t *nightof = NULL, nruns = 0;
	int rc = -1;

	if (load_nights(h, config, m, &runs, &nightof, &nruns) == 0 && load_series(h, config, m, &sids) == 0 &&
	    load_trials(h, config, m, sids, runs, nightof, nruns) == 0)
		rc = 0;
	if (rc == 0)
		qsort(m->s, m->ns, sizeof(*m->s), cmp_order); /* sids are no longer needed */
	free(runs);
	free(nightof);
	free(sids);
	return rc;
}

int history_load(struct history *h, const char *config, struct hmachine **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	int e, rc = 0;

	*out = NULL;
	*n = 0;
	if (hdb_prepare(h, "SELECT DISTINCT r.machine, m.description FROM runs r JOIN machines m ON m.id = r.machine "
	                   "WHERE r.config = ? ORDER BY r.machine", &st) < 0)
		return -1;
	hdb_bind_text(st, 1, config);
	while ((e = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		memset(&(*out)[*n], 0, sizeof(**out));
		(*out)[*n].id = hdb_text(st, 0);
		(*out)[(*n)++].desc = hdb_text(st, 1);
	}
	sqlite3_finalize(st);
	if (e != SQLITE_DONE)
		rc = hdb_err(h, "reading the machines");
	for (size_t i = 0; rc == 0 && i < *n; i++)
		rc = load_machine(h, config, &(*out)[i]);
	if (rc < 0) {
		hmachines_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

void hmachines_free(struct hmachine *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t s = 0; s < m[i].ns; s++) {
			struct hseries *x = &m[i].s[s];
			for (size_t k = 0; k < m[i].nn; k++) {
				free(x->at[k].v);
				free(x->at[k].run);
				free(x->at[k].round);
			}
			free(x->at);
			free(x->cell), free(x->experiment), free(x->point), free(x->variant), free(x->metric), free(x->group);
		}
		for (size_t k = 0; k < m[i].nn; k++) {
			struct hnight *t = &m[i].nights[k];
			free(t->commit), free(t->parent), free(t->subject), free(t->rundir), free(t->archive), free(t->kernel);
		}
		free(m[i].s);
		free(m[i].nights);
		free(m[i].id);
		free(m[i].desc);
	}
	free(m);
}

/* ---- alerts ---- */

static void read_alert(sqlite3_stmt *st, struct halert *a)
{
	char *ev = hdb_text(st, 13);

	a->id = sqlite3_column_int64(st, 0);
	a->machine = hdb_text(st, 1);
	a->config = hdb_text(st, 2);
	a->series = hdb_text(st, 3);
	a->label = hdb_text(st, 4);
	a->experiment = hdb_text(st, 5);
	a->last_good = hdb_text(st, 6);
	a->first_bad = hdb_text(st, 7);
	a->ratio = hdb_real(st, 8);
	a->lo = hdb_real(st, 9);
	a->hi = hdb_real(st, 10);
	a->p = hdb_real(st, 11);
	a->p_confirm = hdb_real(st, 12);
	a->evidence = ev ? json_loads(ev, 0, NULL) : NULL;
	a->raised = hdb_text(st, 14);
	a->acked = hdb_text(st, 15);
	a->note = hdb_text(st, 16);
	free(ev);
}

int history_alerts(struct history *h, const char *config, struct halert **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	int e;

	*out = NULL;
	*n = 0;
	if (hdb_prepare(h, "SELECT id, machine, config, series, label, experiment, last_good, first_bad, ratio, lo, hi, "
	                   "p, p_confirm, evidence, raised, acked, note FROM alerts WHERE ?1 IS NULL OR config = ?1 "
	                   "ORDER BY id DESC", &st) < 0)
		return -1;
	hdb_bind_text(st, 1, config);
	while ((e = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		memset(&(*out)[*n], 0, sizeof(**out));
		read_alert(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	if (e == SQLITE_DONE)
		return 0;
	halerts_free(*out, *n);
	*out = NULL;
	*n = 0;
	return hdb_err(h, "reading the alerts");
}

int history_raise(struct history *h, const struct halert *a, int64_t *id)
{
	static const char sql[] = "INSERT INTO alerts(machine, config, series, label, experiment, last_good, first_bad, "
	                          "ratio, lo, hi, p, p_confirm, evidence, raised) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
	                          "ON CONFLICT(machine, config, series, first_bad) DO NOTHING";
	const char *text[] = { a->machine, a->config, a->series, a->label, a->experiment, a->last_good, a->first_bad };
	sqlite3_stmt *st = NULL;
	char *ev = json_dumps(a->evidence, JSON_COMPACT | JSON_SORT_KEYS), *stamp = utcstamp(false);
	int rc = -1;
	long long old;

	if (hdb_prepare(h, sql, &st) < 0)
		goto cleanup;
	for (int i = 0; i < (int)LEN(text); i++)
		hdb_bind_text(st, i + 1, text[i]);
	sqlite3_bind_double(st, 8, a->ratio);
	sqlite3_bind_double(st, 9, a->lo);
	sqlite3_bind_double(st, 10, a->hi);
	hdb_bind_real(st, 11, a->p);
	hdb_bind_real(st, 12, a->p_confirm);
	hdb_bind_text(st, 13, ev ? ev : "{}");
	hdb_bind_text(st, 14, stamp);
	if (sqlite3_step(st) != SQLITE_DONE) {
		hdb_err(h, "recording an alert");
		goto cleanup;
	}
	if (sqlite3_changes(h->db) == 1) {
		*id = sqlite3_last_insert_rowid(h->db);
		rc = 0;
		goto cleanup;
	}
	sqlite3_finalize(st);
	if (hdb_prepare(h, "SELECT id FROM alerts WHERE machine = ? AND config = ? AND series = ? AND first_bad = ?",
	                &st) < 0)
		goto cleanup;
	for (int i = 0; i < 3; i++)
		hdb_bind_text(st, i + 1, text[i]);
	hdb_bind_text(st, 4, a->first_bad);
	old = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	*id = old;
	rc = 1;
cleanup:
	sqlite3_finalize(st);
	free(ev);
	free(stamp);
	return rc;
}

int history_ack(struct history *h, int64_t id, const char *note)
{
	sqlite3_stmt *st = NULL;
	char *stamp = utcstamp(false);
	int rc = -1;

	if (hdb_prepare(h, "UPDATE alerts SET acked = coalesce(acked, ?), note = coalesce(?, note) WHERE id = ?", &st) == 0) {
		hdb_bind_text(st, 1, stamp);
		hdb_bind_text(st, 2, note);
		sqlite3_bind_int64(st, 3, id);
		if (sqlite3_step(st) != SQLITE_DONE)
			hdb_err(h, "acknowledging the alert");
		else
			rc = sqlite3_changes(h->db) == 1 ? 0 : 1;
	}
	sqlite3_finalize(st);
	free(stamp);
	return rc;
}

void halerts_free(struct halert *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].machine), free(a[i].config), free(a[i].series), free(a[i].label), free(a[i].experiment);
		free(a[i].last_good), free(a[i].first_bad), free(a[i].raised), free(a[i].acked), free(a[i].note);
		json_decref(a[i].evidence);
	}
	free(a);
}

/* ---- views ---- */

static json_t *col_json(sqlite3_stmt *st, int c)
{
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, c));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, c));
	case SQLITE_TEXT:
		return json_string((const char *)sqlite3_column_text(st, c));
	default:
		return json_null();
	}
}

int history_runs_json(struct history *h, const char *commit, json_t **out)
{
	sqlite3_stmt *st = NULL;
	char *like = commit ? xasprintf("%s%%", commit) : NULL;
	int e;

	*out = json_array();
	if (hdb_prepare(h, "SELECT r.id, r.config, r.machine, r.commit_id, r.parent, r.commit_time, r.position, r.subject, "
	                   "r.ref, r.kind, r.gilbench, r.kernel, r.run_dir, r.archive, r.archive_sha256, r.started, r.ended, "
	                   "r.imported, r.status, r.canary_median, r.canary_reference, r.canary_slowdown, r.canary_slow_run, "
	                   "(SELECT count(*) FROM trials t WHERE t.run = r.id) AS trials, "
	                   "(SELECT count(*) FROM trials t WHERE t.run = r.id AND t.ok = 0) AS failed "
	                   "FROM runs r WHERE ?1 IS NULL OR r.commit_id LIKE ?1 "
	                   "ORDER BY r.config, r.machine, r.position, r.commit_id, r.id", &st) < 0) {
		free(like);
		return -1;
	}
	hdb_bind_text(st, 1, like);
	while ((e = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		for (int c = 0; c < sqlite3_column_count(st); c++)
			json_object_set_new(o, sqlite3_column_name(st, c), col_json(st, c));
		json_array_append_new(*out, o);
	}
	sqlite3_finalize(st);
	free(like);
	return e == SQLITE_DONE ? 0 : hdb_err(h, "reading the runs");
}

struct cellacc {                 /* one series' trials while history_cells_json reads them */
	char *label[4];         /* experiment, point, variant, metric */
	double *v;
	size_t n;
};

static void cell_flush(json_t *arr, struct cellacc *c)
{
	struct summary s;

	if (c->n) {
		stats_summary(c->v, c->n, &s);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o}", "experiment", c->label[0],
		                                     "point", c->label[1], "variant", c->label[2], "metric", c->label[3],
		                                     "n", (json_int_t)c->n, "median", json_real(s.median), "ci_lo",
		                                     isfinite(s.ci_lo) ? json_real(s.ci_lo) : json_null(), "ci_hi",
		                                     isfinite(s.ci_hi) ? json_real(s.ci_hi) : json_null()));
	}
	for (int i = 0; i < 4; i++) {
		free(c->label[i]);
		c->label[i] = NULL;
	}
	c->n = 0;
}

int history_cells_json(struct history *h, int64_t run, json_t **out)
{
	sqlite3_stmt *st = NULL;
	struct cellacc c;
	int64_t cur = -1;
	int e;

	memset(&c, 0, sizeof(c));
	*out = json_array();
	if (hdb_prepare(h, "SELECT s.experiment, s.point, s.variant, s.metric, t.value, s.id FROM trials t "
	                   "JOIN series s ON s.id = t.series WHERE t.run = ? AND t.ok = 1 ORDER BY s.ord, s.id, t.round",
	                &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while ((e = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 5) != cur) {
			cell_flush(*out, &c);
			cur = sqlite3_column_int64(st, 5);
			for (int i = 0; i < 4; i++)
				c.label[i] = hdb_text(st, i);
		}
		c.v = xreallocarray(c.v, c.n + 1, sizeof(*c.v));
		c.v[c.n++] = sqlite3_column_double(st, 4);
	}
	cell_flush(*out, &c);
	sqlite3_finalize(st);
	free(c.v);
	return e == SQLITE_DONE ? 0 : hdb_err(h, "reading the trials");
}
