/* history.c: opening the history database, its schema, and recording runs (see history.h).
 *
 * Opening: an existing file must be a regular file; it is opened read-write without
 * SQLITE_OPEN_CREATE and its schema_version read before anything is written. SQLite's
 * own "file is not a database" (or any error reading it) is reported with the file's
 * name; a database without gilbench's tables is refused unless it holds no table at all
 * (a file left empty by a process killed while creating it), which then gets the schema;
 * a schema_version above HISTORY_SCHEMA is refused. The schema is created in one
 * transaction. Foreign keys are on; a busy database is waited for up to a minute.
 *
 * Recording: history_insert() runs in one BEGIN IMMEDIATE transaction: the machine
 * (INSERT OR IGNORE), the run (by its uid), its series (an upsert by machine, config and
 * cell that keeps the newest run's labels and threshold) and one row per measured trial.
 * A run already there with the same results changes nothing (a missing archive path is
 * filled in); with other results its trials are replaced. */
#include "histdb.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char schema[] =
	"CREATE TABLE schema_version(version INTEGER NOT NULL);\n"
	"CREATE TABLE machines(\n"
	"  id TEXT PRIMARY KEY,              -- sha256 of the description\n"
	"  description TEXT NOT NULL);       -- JSON\n"
	"CREATE TABLE runs(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  uid TEXT NOT NULL UNIQUE,\n"
	"  machine TEXT NOT NULL REFERENCES machines(id),\n"
	"  kernel TEXT,\n"
	"  config TEXT NOT NULL, config_sha256 TEXT NOT NULL,\n"
	"  commit_id TEXT NOT NULL, parent TEXT NOT NULL, commit_time INTEGER NOT NULL,\n"
	"  position INTEGER NOT NULL, subject TEXT,\n"
	"  ref TEXT, url TEXT, kind TEXT NOT NULL, gilbench TEXT,\n"
	"  run_dir TEXT, archive TEXT, archive_sha256 TEXT,\n"
	"  created TEXT, started TEXT, ended TEXT, imported TEXT NOT NULL, status TEXT NOT NULL,\n"
	"  results_sha256 TEXT NOT NULL,\n"
	"  canary_reference REAL, canary_median REAL, canary_slowdown REAL,\n"
	"  canary_slow_rounds INTEGER, canary_rounds INTEGER, canary_slow_run INTEGER,\n"
	"  detected INTEGER NOT NULL DEFAULT 0);\n"
	"CREATE INDEX runs_by_commit ON runs(config, machine, commit_id);\n"
	"CREATE TABLE series(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  machine TEXT NOT NULL REFERENCES machines(id), config TEXT NOT NULL, cell TEXT NOT NULL,\n"
	"  experiment TEXT NOT NULL, point TEXT NOT NULL, variant TEXT NOT NULL, metric TEXT NOT NULL,\n"
	"  lower_is_better INTEGER NOT NULL, gil INTEGER NOT NULL, nogil_build INTEGER NOT NULL,\n"
	"  scaling INTEGER NOT NULL, x REAL, grp TEXT NOT NULL, threshold REAL NOT NULL, ord INTEGER NOT NULL,\n"
	"  UNIQUE(machine, config, cell));\n"
	"CREATE TABLE trials(\n"
	"  series INTEGER NOT NULL REFERENCES series(id),\n"
	"  run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
	"  round INTEGER NOT NULL, value REAL, ok INTEGER NOT NULL,\n"
	"  PRIMARY KEY(series, run, round)) WITHOUT ROWID;\n"
	"CREATE INDEX trials_by_run ON trials(run);\n"
	"CREATE TABLE alerts(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  machine TEXT NOT NULL, config TEXT NOT NULL, series TEXT NOT NULL, label TEXT NOT NULL,\n"
	"  experiment TEXT NOT NULL, last_good TEXT NOT NULL, first_bad TEXT NOT NULL,\n"
	"  ratio REAL NOT NULL, lo REAL NOT NULL, hi REAL NOT NULL, p REAL, p_confirm REAL,\n"
	"  evidence TEXT NOT NULL, raised TEXT NOT NULL, acked TEXT, note TEXT,\n"
	"  UNIQUE(machine, config, series, first_bad));\n";

/* ---- helpers ---- */

int hdb_err(struct history *h, const char *what)
{
	return errorf("%s: %s: %s", h->path, what, sqlite3_errmsg(h->db));
}

int hdb_prepare(struct history *h, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(h->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return hdb_err(h, "reading the history");
	}
	return 0;
}

int hdb_exec(struct history *h, const char *sql)
{
	return sqlite3_exec(h->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : hdb_err(h, "writing the history");
}

int hdb_begin(struct history *h)
{
	return hdb_exec(h, "BEGIN IMMEDIATE");
}

int hdb_commit(struct history *h)
{
	if (sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	hdb_err(h, "committing");
	hdb_rollback(h);
	return -1;
}

void hdb_rollback(struct history *h)
{
	if (!sqlite3_get_autocommit(h->db))
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
}

char *hdb_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? xstrdup((const char *)s) : NULL;
}

double hdb_real(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

void hdb_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void hdb_bind_real(sqlite3_stmt *st, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* ---- opening ---- */

/* the schema version; 0 when the file holds no table at all; -1 with the error */
static int schema_of(struct history *h, int *version)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, tables = 0, e;

	*version = 0;
	if (sqlite3_prepare_v2(h->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		errorf("%s: not a gilbench history: %s", h->path, sqlite3_errmsg(h->db));
		goto cleanup;
	}
	tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (tables == 0)
		return 0;
	if (sqlite3_prepare_v2(h->db, "SELECT version FROM schema_version", -1, &st, NULL) != SQLITE_OK) {
		errorf("%s: not a gilbench history (no schema_version table: %s)", h->path, sqlite3_errmsg(h->db));
		goto cleanup;
	}
	e = sqlite3_step(st);
	if (e != SQLITE_ROW && e != SQLITE_DONE) {
		errorf("%s: cannot read the history: %s", h->path, sqlite3_errmsg(h->db));
		goto cleanup;
	}
	if (e != SQLITE_ROW || sqlite3_column_type(st, 0) != SQLITE_INTEGER) {
		errorf("%s: not a gilbench history (schema_version holds no version)", h->path);
		goto cleanup;
	}
	*version = sqlite3_column_int(st, 0);
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

static int create_schema(struct history *h)
{
	char *v = xasprintf("INSERT INTO schema_version VALUES (%d)", HISTORY_SCHEMA);
	int rc = -1;

	if (hdb_begin(h) < 0)
		goto cleanup;
	if (hdb_exec(h, schema) < 0 || hdb_exec(h, v) < 0) {
		hdb_rollback(h);
		goto cleanup;
	}
	rc = hdb_commit(h);
cleanup:
	free(v);
	return rc < 0 ? errwrap("creating the history") : 0;
}

/* what PATH is: 1 a regular file, 0 absent, -1 (error set) something else */
static int file_state(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) < 0)
		return errno == ENOENT ? 0 : errorf("history %s:", path);
	if (!S_ISREG(sb.st_mode))
		return errorf("history %s: not a regular file", path);
	return 1;
}

static int open_file(struct history *h, bool exists)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (exists ? 0 : SQLITE_OPEN_CREATE);
	char *dir, *slash;
	int rc = 0;

	if (!exists) {
		dir = xstrdup(h->path);
		if ((slash = strrchr(dir, '/')) && slash != dir) {
			*slash = '\0';
			rc = mkdirp(dir, 0755);
		}
		free(dir);
		if (rc < 0)
			return errwrap("history %s", h->path);
	}
	if (sqlite3_open_v2(h->path, &h->db, flags, NULL) != SQLITE_OK)
		return errorf("history %s: %s", h->path, h->db ? sqlite3_errmsg(h->db) : "cannot open");
	sqlite3_busy_timeout(h->db, 60000);
	sqlite3_extended_result_codes(h->db, 1);
	return 0;
}

int history_open(const char *path, bool create, struct history **out)
{
	struct history *h = xcalloc(1, sizeof(*h));
	const char *env = getenv("GILBENCH_DB");
	int state, version;

	*out = NULL;
	h->path = abspath(path ? path : env && *env ? env : HISTORY_DEFAULT);
	if (!h->path)
		goto fail;
	if ((state = file_state(h->path)) < 0)
		goto fail;
	if (state == 0 && !create) {
		errorf("no history at %s (gilbench nightly or gilbench history import makes one; --db or GILBENCH_DB "
		       "names another)", h->path);
		goto fail;
	}
	if (open_file(h, state == 1) < 0 || schema_of(h, &version) < 0)
		goto fail;
	if (version > HISTORY_SCHEMA) {
		errorf("%s: made by a newer gilbench (history schema %d; this one reads %d); nothing was changed", h->path,
		       version, HISTORY_SCHEMA);
		goto fail;
	}
	if (hdb_exec(h, "PRAGMA foreign_keys = ON") < 0 || (version == 0 && create_schema(h) < 0))
		goto fail;
	*out = h;
	return 0;
fail:
	history_close(h);
	return -1;
}

void history_close(struct history *h)
{
	if (!h)
		return;
	sqlite3_close(h->db);
	free(h->path);
	free(h);
}

const char *history_path(const struct history *h)
{
	return h->path;
}

/* ---- recording ---- */

static int put_machine(struct history *h, const struct hrun *r)
{
	sqlite3_stmt *st = NULL;
	char *desc = json_dumps(r->machine_desc, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = hdb_prepare(h, "INSERT OR IGNORE INTO machines(id, description) VALUES (?, ?)", &st);

	if (rc == 0) {
		hdb_bind_text(st, 1, r->machine);
		hdb_bind_text(st, 2, desc ? desc : "{}");
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : hdb_err(h, "recording the machine");
	}
	sqlite3_finalize(st);
	free(desc);
	return rc;
}

static int put_run(struct history *h, const struct hrun *r, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO runs(uid, machine, kernel, config, config_sha256, commit_id, parent, commit_time, position, "
		"subject, ref, url, kind, gilbench, run_dir, archive, archive_sha256, created, started, ended, imported, "
		"status, results_sha256, canary_reference, canary_median, canary_slowdown, canary_slow_rounds, "
		"canary_rounds, canary_slow_run) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	const char *text[] = { r->uid, r->machine, r->kernel, r->config, r->config_sha256, r->commit, r->parent };
	const char *text2[] = { r->subject, r->ref, r->url, r->kind, r->version, r->rundir, r->archive,
		                r->archive_sha256, r->created, r->started, r->ended, NULL, r->status, r->results_sha256 };
	sqlite3_stmt *st = NULL;
	char *stamp = utcstamp(false);
	int i, rc;

	if ((rc = hdb_prepare(h, sql, &st)) == 0) {
		for (i = 0; i < (int)LEN(text); i++)
			hdb_bind_text(st, i + 1, text[i]);
		sqlite3_bind_int64(st, 8, r->commit_time);
		sqlite3_bind_int64(st, 9, r->position);
		for (i = 0; i < (int)LEN(text2); i++)
			hdb_bind_text(st, i + 10, text2[i] ? text2[i] : i == 11 ? stamp : NULL);
		if (r->canary.present) {
			hdb_bind_real(st, 24, r->canary.reference);
			hdb_bind_real(st, 25, r->canary.median);
			hdb_bind_real(st, 26, r->canary.slowdown);
			sqlite3_bind_int64(st, 27, r->canary.slow_rounds);
			sqlite3_bind_int64(st, 28, r->canary.rounds);
			sqlite3_bind_int(st, 29, r->canary.slow_run);
		}
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : hdb_err(h, "recording the run");
	}
	*id = sqlite3_last_insert_rowid(h->db);
	sqlite3_finalize(st);
	free(stamp);
	return rc;
}

static int put_series(struct history *h, const struct hrun *r, const struct hcell *c, sqlite3_stmt *st, int64_t *id)
{
	sqlite3_reset(st);
	hdb_bind_text(st, 1, r->machine);
	hdb_bind_text(st, 2, r->config);
	hdb_bind_text(st, 3, c->cell);
	hdb_bind_text(st, 4, c->experiment);
	hdb_bind_text(st, 5, c->point);
	hdb_bind_text(st, 6, c->variant);
	hdb_bind_text(st, 7, c->metric);
	sqlite3_bind_int(st, 8, c->lower_is_better);
	sqlite3_bind_int(st, 9, c->gil);
	sqlite3_bind_int(st, 10, c->nogil_build);
	sqlite3_bind_int(st, 11, c->scaling);
	hdb_bind_real(st, 12, c->x);
	hdb_bind_text(st, 13, c->group ? c->group : "");
	sqlite3_bind_double(st, 14, c->threshold);
	sqlite3_bind_int(st, 15, c->order);
	if (sqlite3_step(st) != SQLITE_ROW)
		return hdb_err(h, "recording a series");
	*id = sqlite3_column_int64(st, 0);
	return 0;
}

static int put_trials(struct history *h, const struct hrun *r, int64_t run)
{
	sqlite3_stmt *ss = NULL, *ts = NULL;
	int64_t sid = 0;
	int rc = -1;

	if (hdb_prepare(h, "INSERT INTO series(machine, config, cell, experiment, point, variant, metric, "
	                   "lower_is_better, gil, nogil_build, scaling, x, grp, threshold, ord) "
	                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(machine, config, cell) DO UPDATE SET "
	                   "experiment = excluded.experiment, point = excluded.point, variant = excluded.variant, "
	                   "threshold = excluded.threshold, ord = excluded.ord RETURNING id", &ss) < 0 ||
	    hdb_prepare(h, "INSERT OR IGNORE INTO trials(series, run, round, value, ok) VALUES (?,?,?,?,?)", &ts) < 0)
		goto cleanup;
	for (size_t i = 0; i < r->ncells; i++) {
		const struct hcell *c = &r->cells[i];
		if (put_series(h, r, c, ss, &sid) < 0)
			goto cleanup;
		sqlite3_reset(ss);
		for (size_t k = 0; k < c->n; k++) {
			sqlite3_reset(ts);
			sqlite3_bind_int64(ts, 1, sid);
			sqlite3_bind_int64(ts, 2, run);
			sqlite3_bind_int(ts, 3, c->t[k].round);
			hdb_bind_real(ts, 4, c->t[k].ok ? c->t[k].value : NAN);
			sqlite3_bind_int(ts, 5, c->t[k].ok);
			if (sqlite3_step(ts) != SQLITE_DONE) {
				hdb_err(h, "recording a trial");
				goto cleanup;
			}
		}
	}
	rc = 0;
cleanup:
	sqlite3_finalize(ss);
	sqlite3_finalize(ts);
	return rc;
}

/* the run with r's uid: *id and whether its results are r's; *id 0 when absent */
static int find_run(struct history *h, const struct hrun *r, int64_t *id, bool *same, bool *has_archive)
{
	sqlite3_stmt *st = NULL;
	int rc = hdb_prepare(h, "SELECT id, results_sha256, archive FROM runs WHERE uid = ?", &st), e;

	*id = 0;
	if (rc < 0)
		return -1;
	hdb_bind_text(st, 1, r->uid);
	e = sqlite3_step(st);
	if (e == SQLITE_ROW) {
		const unsigned char *s = sqlite3_column_text(st, 1);
		*id = sqlite3_column_int64(st, 0);
		*same = s && strcmp((const char *)s, r->results_sha256) == 0;
		*has_archive = sqlite3_column_type(st, 2) != SQLITE_NULL;
	} else if (e != SQLITE_DONE) {
		rc = hdb_err(h, "looking the run up");
	}
	sqlite3_finalize(st);
	return rc;
}

static int set_archive(struct history *h, const struct hrun *r, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc = hdb_prepare(h, "UPDATE runs SET archive = ?, archive_sha256 = ? WHERE id = ?", &st);

	if (rc == 0) {
		hdb_bind_text(st, 1, r->archive);
		hdb_bind_text(st, 2, r->archive_sha256);
		sqlite3_bind_int64(st, 3, id);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : hdb_err(h, "recording the archive");
	}
	sqlite3_finalize(st);
	return rc;
}

static int drop_run(struct history *h, int64_t id)
{
	char *sql = xasprintf("DELETE FROM trials WHERE run = %lld; DELETE FROM runs WHERE id = %lld", (long long)id,
	                      (long long)id);
	int rc = hdb_exec(h, sql);

	free(sql);
	return rc;
}

int history_insert(struct history *h, const struct hrun *r, enum hinsert *what)
{
	int64_t id = 0;
	bool same = false, has_archive = false;

	if (hdb_begin(h) < 0)
		return -1;
	if (find_run(h, r, &id, &same, &has_archive) < 0)
		goto fail;
	if (id && same) {
		*what = HIST_SAME;
		if (!has_archive && r->archive && set_archive(h, r, id) < 0)
			goto fail;
		return hdb_commit(h);
	}
	*what = id ? HIST_UPDATED : HIST_ADDED;
	if ((id && drop_run(h, id) < 0) || put_machine(h, r) < 0 || put_run(h, r, &id) < 0 || put_trials(h, r, id) < 0)
		goto fail;
	return hdb_commit(h);
fail:
	hdb_rollback(h);
	return -1;
}

/* ---- small questions ---- */

/* the integer the statement answers, after binding texts a[0..n) */
static int ask(struct history *h, const char *sql, const char *const *a, int n, long long *out)
{
	sqlite3_stmt *st = NULL;
	int rc = hdb_prepare(h, sql, &st), e;

	*out = 0;
	if (rc < 0)
		return -1;
	for (int i = 0; i < n; i++)
		hdb_bind_text(st, i + 1, a[i]);
	e = sqlite3_step(st);
	if (e == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (e != SQLITE_DONE)
		rc = hdb_err(h, "reading the history");
	sqlite3_finalize(st);
	return rc;
}

int history_has(struct history *h, const char *machine, const char *config, const char *commit)
{
	const char *a[] = { config, machine, commit };
	long long n;

	if (ask(h, "SELECT count(*) FROM runs WHERE config = ? AND machine = ? AND commit_id = ?", a, 3, &n) < 0)
		return -1;
	return n > 0;
}

int history_has_rundir(struct history *h, const char *dir)
{
	const char *a[] = { dir };
	long long n;

	if (ask(h, "SELECT count(*) FROM runs WHERE run_dir = ?", a, 1, &n) < 0)
		return -1;
	return n > 0;
}

int history_undetected(struct history *h, const char *config)
{
	const char *a[] = { config };
	long long n;

	if (ask(h, "SELECT count(*) FROM runs WHERE config = ? AND detected = 0", a, 1, &n) < 0)
		return -1;
	return n > 0;
}

int history_detected(struct history *h, const char *config)
{
	sqlite3_stmt *st = NULL;
	int rc = hdb_prepare(h, "UPDATE runs SET detected = 1 WHERE config = ? AND detected = 0", &st);

	if (rc == 0) {
		hdb_bind_text(st, 1, config);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : hdb_err(h, "recording the detection");
	}
	sqlite3_finalize(st);
	return rc;
}

int history_configs(struct history *h, struct strlist *out)
{
	sqlite3_stmt *st = NULL;
	int e;

	if (hdb_prepare(h, "SELECT DISTINCT config FROM runs ORDER BY config", &st) < 0)
		return -1;
	while ((e = sqlite3_step(st)) == SQLITE_ROW)
		strlist_add(out, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return e == SQLITE_DONE ? 0 : hdb_err(h, "reading the configs");
}

int history_begin(struct history *h)
{
	return hdb_begin(h);
}

int history_commit(struct history *h)
{
	return hdb_commit(h);
}

void history_rollback(struct history *h)
{
	hdb_rollback(h);
}

void hrun_free(struct hrun *r)
{
	char **s[] = { &r->uid, &r->machine, &r->kernel, &r->config, &r->config_sha256, &r->commit, &r->parent,
		       &r->subject, &r->ref, &r->url, &r->kind, &r->version, &r->rundir, &r->archive,
		       &r->archive_sha256, &r->created, &r->started, &r->ended, &r->status, &r->results_sha256 };

	for (size_t i = 0; i < LEN(s); i++)
		free(*s[i]);
	json_decref(r->machine_desc);
	for (size_t i = 0; i < r->ncells; i++) {
		free(r->cells[i].experiment);
		free(r->cells[i].point);
		free(r->cells[i].variant);
		free(r->cells[i].metric);
		free(r->cells[i].group);
		free(r->cells[i].t);
	}
	free(r->cells);
	memset(r, 0, sizeof(*r));
}
