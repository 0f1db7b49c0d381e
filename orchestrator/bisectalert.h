/* bisectalert.h: a nightly alert, as `gilbench bisect --alert ID` starts from it.
 *
 * The one thing bisect needs from the nightly history: an alert's row by id, with its
 * series (experiment, point, variant; for the no-GIL/GIL ratio series its two variants),
 * its last good and first bad commits and the size of its step. It reads the history
 * database (SQLite, the nightly history's schema version 1: tables schema_version, alerts
 * and series, docs/nightly.md) directly and read-only, so it works on a copy from another
 * machine and never changes it. */
#ifndef GILBENCH_BISECTALERT_H
#define GILBENCH_BISECTALERT_H

#include <jansson.h>

#define BISECTALERT_SCHEMA 1    /* the history schema this reads */

struct bisectalert {
	long long id;
	char *config;           /* the config's name */
	char *label;            /* the history's name of the series */
	char *experiment, *point;
	char *variants[2];      /* the series' variant; a ratio series: its numerator and denominator */
	char *last_good, *first_bad; /* full commit ids */
	double ratio;           /* the step's size: after / before */
};

int bisectalert_read(const char *db, long long id, struct bisectalert *out);
	/* alert ID of DB (NULL: $GILBENCH_DB, else reports/history.sqlite); -1 with the error naming the file */
json_t *bisectalert_json(const struct bisectalert *a); /* what run.json records of it (new reference) */
void bisectalert_free(struct bisectalert *a);

#endif
