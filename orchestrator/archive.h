/* archive.h: a run directory as one reproducible .tar.gz with a manifest, and its check.
 *
 * The archive holds every member of the run directory under one top folder named after it,
 * manifest.json first, then the rest sorted by path (byte order), with fixed mtime
 * (0 or $SOURCE_DATE_EPOCH), owner 0:0 and no names, modes 0644/0755, and a gzip header
 * without time stamp or file name: the same folder always gives the same bytes.
 * manifest.json ({"version": 1, "created_by", "members": [{"path", "type", "size",
 * "sha256", "mode", "target"}]}) lists every other member; it is also written into the
 * run directory. docs/archive.md describes the format and what verify checks. */
#ifndef GILBENCH_ARCHIVE_H
#define GILBENCH_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"

#define ARCHIVE_MANIFEST_VERSION 1

/* what archive_run_info() made */
struct archive_info {
	char *path;          /* the archive written (OUT, or RUN_DIR.tar.gz) */
	size_t members;      /* members listed in manifest.json (the manifest not counted) */
	uint64_t size;       /* bytes of the .tar.gz */
	char sha256[HEXLEN]; /* of the .tar.gz */
};

/* one thing archive_verify() found wrong */
enum verify_kind {
	VERIFY_CORRUPT,      /* the archive could not be read to its end: detail says why */
	VERIFY_NO_MANIFEST,  /* no manifest.json in the top folder */
	VERIFY_BAD_MANIFEST, /* manifest.json is not a valid manifest: detail says why */
	VERIFY_CHANGED,      /* content differs: expected and actual sha256 */
	VERIFY_TYPE,         /* file, folder or symlink differs: expected and actual type */
	VERIFY_MODE,         /* mode differs: expected and actual mode ("0755") */
	VERIFY_MISSING,      /* listed in the manifest, not in the archive */
	VERIFY_UNREAD,       /* listed, not reached because the archive is corrupt (path NULL, detail: count) */
	VERIFY_EXTRA,        /* in the archive, not listed in the manifest */
	VERIFY_DUPLICATE,    /* the same path twice in the archive */
	VERIFY_CONTAINER,    /* gzip header, trailer or tail not as written: detail says what */
	VERIFY_UNSAFE,       /* a member extraction refuses (extract_member_check): path as stored, detail why */
};

struct verify_problem {
	enum verify_kind kind;
	char *path;          /* member path under the top folder, or NULL */
	char *expected;      /* as the manifest says, or NULL */
	char *actual;        /* as the archive holds, or NULL */
	char *detail;        /* library message or count, or NULL */
};

struct verify_report {
	char *root;          /* the top folder, or NULL when not found */
	size_t listed;       /* members listed in the manifest */
	size_t verified;     /* listed members found intact */
	struct verify_problem *problems;
	size_t nproblems;
};

int archive_run(const char *rundir, const char *out);  /* archive RUN_DIR to OUT (NULL: RUN_DIR.tar.gz); -1 with the error */
int archive_run_info(const char *rundir, const char *out, struct archive_info *info); /* the same, telling what it made */
int archive_stage(const char *rundir);                 /* the last stage of run, compare and reproduce: RUN_DIR.tar.gz beside it, its path logged; -1 with the error */
void archive_info_free(struct archive_info *info);
int archive_verify(const char *archive, struct verify_report *r); /* 0 intact, 1 problems in r, -1 unreadable (error set) */
char *verify_problem_str(const struct verify_problem *p);  /* one line naming the member, allocated */
void verify_report_free(struct verify_report *r);
int archive_extract_run(const char *archive, const char *dest); /* verify (once), then extract safely, top folder stripped, to DEST
                                                                   (must not exist): 0; 1 when verification failed (the error lists
                                                                   every problem, one per line); -1 with the error */
bool archive_isarchive(const char *path);                      /* PATH names a .tar.gz or .tgz */
int archive_open_run(const char *arg, const char *tmp, const char *what, char **dir);
	/* ARG a run directory: *dir is its absolute path; ARG an archive: extracted by archive_extract_run to TMP/WHAT,
	   which *dir names; 0, 1 (verification failed) or -1 as archive_extract_run */

#endif
