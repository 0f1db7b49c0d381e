/* histview.h: what `gilbench history` and `gilbench nightly` print about the history, as
 * text (for people) or JSON (for programs). Built from history.h's queries; nothing here
 * writes to the database. */
#ifndef GILBENCH_HISTVIEW_H
#define GILBENCH_HISTVIEW_H

#include <jansson.h>
#include <stddef.h>

#include "history.h"

char *histview_runs(json_t *runs);                            /* one line per run of history_runs_json() */
int histview_show(struct history *h, const char *commit, bool json, char **out);
	/* every run of commits starting with COMMIT (>= 4 hex digits) with its series' medians and intervals,
	   and the alerts whose suspect range ends or starts there; 1 when none matches; -1 with the error */
char *histview_alerts(const struct halert *a, size_t n);      /* one paragraph per alert */
json_t *histview_alerts_json(const struct halert *a, size_t n); /* new array, fields as alerts.json's */
int histview_new(struct history *h, const char *config, size_t raised, const char *dir, char **out);
	/* after a detection: the alerts it raised (the config's newest RAISED) and where the page is; -1 */

#endif
