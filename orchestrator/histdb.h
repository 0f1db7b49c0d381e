/* histdb.h: what history.c shares with histquery.c, the two halves of the history database
 * (history.h is the interface; this is only the open handle and the statement helpers). */
#ifndef GILBENCH_HISTDB_H
#define GILBENCH_HISTDB_H

#include <sqlite3.h>

#include "history.h"

struct history {
	sqlite3 *db;
	char *path;
};

int hdb_err(struct history *h, const char *what);                       /* "PATH: WHAT: sqlite's message"; -1 */
int hdb_prepare(struct history *h, const char *sql, sqlite3_stmt **st); /* -1 with the error */
int hdb_exec(struct history *h, const char *sql);                       /* statements without results; -1 */
int hdb_begin(struct history *h);                                       /* BEGIN IMMEDIATE (waits for a writer) */
int hdb_commit(struct history *h);                                      /* COMMIT; -1 after rolling back */
void hdb_rollback(struct history *h);
char *hdb_text(sqlite3_stmt *st, int col);                              /* a copy of a text column, or NULL */
double hdb_real(sqlite3_stmt *st, int col);                             /* a REAL column, NAN when NULL */
void hdb_bind_text(sqlite3_stmt *st, int i, const char *s);             /* NULL binds NULL */
void hdb_bind_real(sqlite3_stmt *st, int i, double v);                  /* NAN binds NULL */

#endif
