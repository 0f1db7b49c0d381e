/* bisectalert.c: a nightly alert read from the history database (see bisectalert.h).
 *
 * The file is opened read-only (SQLITE_OPEN_READONLY: a missing file is an error, never
 * created). Its schema_version must be one this reads. The alert's row gives the config,
 * the series key, the commits and the ratio; the key is "cell:ID" for a measured series,
 * "ratio:ID/ID" for the no-GIL/GIL ratio (numerator first) and "eff:..." for a scaling
 * efficiency, which is not one cell's metric and is refused; each cell id is looked up in
 * the series table (same machine and config) for its point and variant. */
#include "bisectalert.h"
#include "util.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DB "reports/history.sqlite"

static char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return xstrdup(s ? (const char *)s : "");
}

static int dberr(sqlite3 *db, const char *path, const char *what)
{
	return errorf("%s: %s: %s", path, what, db ? sqlite3_errmsg(db) : "out of memory");
}

static int schema(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &st, NULL) != SQLITE_OK) {
		dberr(db, path, "not a gilbench history (reading its schema version)");
		goto cleanup;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		errorf("%s: not a gilbench history (no schema version)", path);
		goto cleanup;
	}
	if (sqlite3_column_int(st, 0) > BISECTALERT_SCHEMA) {
		errorf("%s: made by a newer gilbench (history schema %d; this one reads %d)", path,
		       sqlite3_column_int(st, 0), BISECTALERT_SCHEMA);
		goto cleanup;
	}
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

/* the point and variant of a cell of machine and config */
static int cellof(sqlite3 *db, const char *path, const char *machine, const char *config, const char *cell,
                  char **point, char **variant)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT point, variant, experiment FROM series WHERE machine = ? AND config = ? "
	                           "AND cell = ?", -1, &st, NULL) != SQLITE_OK) {
		dberr(db, path, "reading the series");
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, machine, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, config, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, cell, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		errorf("%s: the series of cell %s (config %s) is not in the history", path, cell, config);
		goto cleanup;
	}
	free(*point);
	*point = col(st, 0);
	*variant = col(st, 1);
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

/* the series key's cells into the alert's point and variants */
static int series(sqlite3 *db, const char *path, const char *machine, const char *key, struct bisectalert *a)
{
	char *cells = NULL, *slash;
	int rc = -1;

	if (strncmp(key, "cell:", 5) == 0) {
		rc = cellof(db, path, machine, a->config, key + 5, &a->point, &a->variants[0]);
	} else if (strncmp(key, "ratio:", 6) == 0 && (slash = strchr(key + 6, '/'))) {
		cells = xstrndup(key + 6, (size_t)(slash - key - 6));
		if (cellof(db, path, machine, a->config, cells, &a->point, &a->variants[0]) == 0)
			rc = cellof(db, path, machine, a->config, slash + 1, &a->point, &a->variants[1]);
	} else {
		errorf("%s: alert %lld is on %s (%s), which is not one cell's metric or the no-GIL/GIL ratio; bisect one "
		       "of its points with GOOD BAD --experiment --point --variant", path, a->id, a->label, key);
	}
	free(cells);
	return rc;
}

int bisectalert_read(const char *dbpath, long long id, struct bisectalert *a)
{
	const char *path = dbpath ? dbpath : getenv("GILBENCH_DB") && *getenv("GILBENCH_DB") ? getenv("GILBENCH_DB")
	                                                                                    : DEFAULT_DB;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *machine = NULL, *key = NULL;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	a->id = id;
	if (!isregular(path))
		return errorf("%s: no history database there (--db FILE or $GILBENCH_DB)", path);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		dberr(db, path, "cannot open the history");
		goto cleanup;
	}
	if (schema(db, path) < 0)
		goto cleanup;
	if (sqlite3_prepare_v2(db, "SELECT machine, config, series, label, experiment, last_good, first_bad, ratio "
	                           "FROM alerts WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		dberr(db, path, "reading the alerts");
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		errorf("%s: no alert %lld (gilbench history alerts lists them)", path, id);
		goto cleanup;
	}
	machine = col(st, 0);
	a->config = col(st, 1);
	key = col(st, 2);
	a->label = col(st, 3);
	a->experiment = col(st, 4);
	a->last_good = col(st, 5);
	a->first_bad = col(st, 6);
	a->ratio = sqlite3_column_double(st, 7);
	a->point = xstrdup("");
	rc = series(db, path, machine, key, a);
cleanup:
	if (rc < 0)
		bisectalert_free(a);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(machine);
	free(key);
	return rc;
}

json_t *bisectalert_json(const struct bisectalert *a)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:[s, s?], s:s, s:s, s:f}", "id", (json_int_t)a->id, "config",
	                 a->config, "label", a->label, "experiment", a->experiment, "point", a->point, "variants",
	                 a->variants[0], a->variants[1], "last_good", a->last_good, "first_bad", a->first_bad, "ratio",
	                 a->ratio);
}

void bisectalert_free(struct bisectalert *a)
{
	free(a->config);
	free(a->label);
	free(a->experiment);
	free(a->point);
	free(a->variants[0]);
	free(a->variants[1]);
	free(a->last_good);
	free(a->first_bad);
	memset(a, 0, sizeof(*a));
}
