/* histview.c: the history as `gilbench history list | show | alerts` and `nightly` print it
 * (see histview.h). Text is plain aligned lines; JSON keeps the database's field names. */
#include "histview.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static char *date_of(json_int_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];

	gmtime_r(&tt, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M", &tm);
	return xstrdup(s);
}

static char *step(double r, double lo, double hi)
{
	return xasprintf("%+.1f%% [%+.1f%%, %+.1f%%]", 100 * (r - 1), 100 * (lo - 1), 100 * (hi - 1));
}

char *histview_runs(json_t *runs)
{
	struct buf b = { 0 };
	size_t i;
	json_t *r;

	if (!json_array_size(runs))
		return xstrdup("The history holds no run.\n");
	bufaddf(&b, "%-12s  %-16s  %-20s  %-8s  %6s  %6s  %-8s  %s\n", "commit", "date", "config", "machine", "trials",
	        "failed", "canary", "run directory (or archive)");
	json_array_foreach(runs, i, r) {
		char *d = date_of(json_integer_value(json_object_get(r, "commit_time")));
		json_t *c = json_object_get(r, "canary_median");
		char canary[32] = "-";
		const char *where = *str(r, "run_dir") ? str(r, "run_dir") : str(r, "archive");
		if (json_is_number(c))
			snprintf(canary, sizeof(canary), "%.2fms", 1000 * json_number_value(c));
		bufaddf(&b, "%-12.12s  %-16s  %-20s  %-8.8s  %6lld  %6lld  %-8s  %s\n", str(r, "commit_id"), d,
		        str(r, "config"), str(r, "machine"), (long long)json_integer_value(json_object_get(r, "trials")),
		        (long long)json_integer_value(json_object_get(r, "failed")), canary, where);
		free(d);
	}
	return b.s;
}

static void show_run(struct buf *b, json_t *r, json_t *cells)
{
	char *d = date_of(json_integer_value(json_object_get(r, "commit_time")));
	size_t i;
	json_t *c;

	bufaddf(b, "commit %s (%s)  %s\n", str(r, "commit_id"), d, str(r, "subject"));
	bufaddf(b, "  config %s, ref %s, machine %.16s, kernel %s\n", str(r, "config"), str(r, "ref"),
	        str(r, "machine"), str(r, "kernel"));
	bufaddf(b, "  run %s%s%s, %s to %s, status %s, gilbench %s\n", str(r, "run_dir"),
	        *str(r, "archive") ? ", archive " : "", str(r, "archive"), str(r, "started"), str(r, "ended"),
	        str(r, "status"), str(r, "gilbench"));
	if (json_is_number(json_object_get(r, "canary_median")))
		bufaddf(b, "  canary %.3f ms%s\n", 1000 * json_number_value(json_object_get(r, "canary_median")),
		        json_is_true(json_object_get(r, "canary_slow_run")) ? " (a slow machine during the whole run)" : "");
	json_array_foreach(cells, i, c) {
		json_t *lo = json_object_get(c, "ci_lo"), *hi = json_object_get(c, "ci_hi");
		bufaddf(b, "  %-20s %-12s %-12s n=%-3lld median %.6g", str(c, "experiment"), str(c, "point"),
		        str(c, "variant"), (long long)json_integer_value(json_object_get(c, "n")),
		        json_number_value(json_object_get(c, "median")));
		if (json_is_number(lo) && json_is_number(hi))
			bufaddf(b, " [%.6g, %.6g]", json_number_value(lo), json_number_value(hi));
		bufaddf(b, " %s\n", str(c, "metric"));
	}
	free(d);
}

static bool about(const struct halert *a, const char *commit)
{
	size_t k = strlen(commit);

	return strncmp(a->first_bad, commit, k) == 0 || strncmp(a->last_good, commit, k) == 0;
}

int histview_show(struct history *h, const char *commit, bool json, char **out)
{
	json_t *runs = NULL, *r, *cells, *doc = json_object(), *arr = json_array();
	struct halert *a = NULL;
	struct buf b = { 0 };
	size_t i, na = 0;
	int rc = -1;

	*out = NULL;
	if (history_runs_json(h, commit, &runs) < 0 || history_alerts(h, NULL, &a, &na) < 0)
		goto cleanup;
	json_array_foreach(runs, i, r) {
		if (history_cells_json(h, json_integer_value(json_object_get(r, "id")), &cells) < 0)
			goto cleanup;
		show_run(&b, r, cells);
		json_object_set_new(r, "cells", cells);
		bufadds(&b, "\n");
	}
	for (i = 0; i < na; i++)
		if (about(&a[i], commit)) {
			char *s = histview_alerts(&a[i], 1);
			bufadds(&b, s);
			free(s);
			json_t *one = histview_alerts_json(&a[i], 1);
			json_array_extend(arr, one);
			json_decref(one);
		}
	rc = json_array_size(runs) ? 0 : 1;
	json_object_set(doc, "runs", runs);
	json_object_set(doc, "alerts", arr);
	*out = json ? json_dumps(doc, JSON_DOC) : b.s ? xstrdup(b.s) : xstrdup("");
	if (json && *out) {
		char *t = xasprintf("%s\n", *out);
		free(*out);
		*out = t;
	}
cleanup:
	buffree(&b);
	json_decref(runs);
	json_decref(doc);
	json_decref(arr);
	halerts_free(a, na);
	return rc;
}

char *histview_alerts(const struct halert *a, size_t n)
{
	struct buf b = { 0 };

	if (!n)
		return xstrdup("No alert.\n");
	for (size_t i = 0; i < n; i++) {
		char *s = step(a[i].ratio, a[i].lo, a[i].hi);
		json_t *bf = json_object_get(a[i].evidence, "before"), *af = json_object_get(a[i].evidence, "after");
		bufaddf(&b, "alert %lld%s: %s: %s on machine %.8s (config %s)\n", (long long)a[i].id,
		        a[i].acked ? " (acknowledged)" : "", a[i].label, s, a[i].machine, a[i].config);
		bufaddf(&b, "  first bad %s, last good %s\n", a[i].first_bad, a[i].last_good);
		bufaddf(&b, "  evidence: %lld nights (%lld trials) before, %lld nights (%lld trials) after; raised %s\n",
		        (long long)json_integer_value(json_object_get(bf, "nights")),
		        (long long)json_integer_value(json_object_get(bf, "trials")),
		        (long long)json_integer_value(json_object_get(af, "nights")),
		        (long long)json_integer_value(json_object_get(af, "trials")), a[i].raised);
		if (a[i].note)
			bufaddf(&b, "  note: %s\n", a[i].note);
		free(s);
	}
	return b.s;
}

json_t *histview_alerts_json(const struct halert *a, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:o, s:o, "
		                                     "s:O?, s:s, s:s?, s:s?}", "id", (json_int_t)a[i].id, "machine",
		                                     a[i].machine, "config", a[i].config, "series", a[i].series, "label",
		                                     a[i].label, "experiment", a[i].experiment, "last_good", a[i].last_good,
		                                     "first_bad", a[i].first_bad, "ratio", a[i].ratio, "lo", a[i].lo, "hi",
		                                     a[i].hi, "p", isfinite(a[i].p) ? json_real(a[i].p) : json_null(),
		                                     "p_confirm", isfinite(a[i].p_confirm) ? json_real(a[i].p_confirm)
		                                                                           : json_null(),
		                                     "evidence", a[i].evidence, "raised", a[i].raised, "acked", a[i].acked,
		                                     "note", a[i].note));
	return arr;
}

int histview_new(struct history *h, const char *config, size_t raised, const char *dir, char **out)
{
	struct halert *a = NULL;
	struct buf b = { 0 };
	size_t na = 0;

	*out = NULL;
	if (history_alerts(h, config, &a, &na) < 0)
		return -1;
	if (raised) {
		char *s = histview_alerts(a, raised < na ? raised : na);
		bufaddf(&b, "%zu new regression alert%s in %s:\n%s", raised, raised == 1 ? "" : "s", config, s);
		free(s);
	} else {
		bufaddf(&b, "No new regression alert in %s.\n", config);
	}
	bufaddf(&b, "%s/index.html\n", dir);
	halerts_free(a, na);
	*out = b.s;
	return 0;
}
