/* gitsrc.h: git sources through libgit2.
 *
 * One bare mirror per repository url under CACHE/git/, fetched with tags; a ref (branch,
 * tag, annotated tag, full or short commit id) resolved to a full commit id; a detached
 * checkout of that commit into a folder; the first-parent line between two commits, and a
 * commit's summary, author and date (bisect). Transfer and checkout progress go through log.h. */
#ifndef GILBENCH_GITSRC_H
#define GILBENCH_GITSRC_H

#include <stdbool.h>

#include "paths.h"
#include "util.h"

struct gitinfo {                /* what a bisect report says of a commit */
	char id[41];            /* full commit id */
	char *summary;          /* the first paragraph of the message, on one line */
	char *author;           /* "Name <email>" */
	char *date;             /* the author date, "2026-01-01T00:00:04+00:00" */
};

int gitsrc_mirror(const char *url, const struct paths *p, char **mirror); /* clone or fetch; path of the mirror */
int gitsrc_resolve(const char *mirror, const char *ref, char commit[41]); /* -1: unknown or ambiguous ref */
int gitsrc_checkout(const char *mirror, const char *commit, const char *dir); /* files of commit into dir (created) */

struct gitcommit {
	char id[41];            /* full commit id */
	char parent[41];        /* its first parent, "" for a root commit */
	long long time;         /* committer time, seconds since the epoch */
	long long depth;        /* first-parent ancestors (0 for a root): its place in first-parent order */
	char *subject;          /* the message's first line */
};
int gitsrc_commit(const char *mirror, const char *commit, struct gitcommit *out); /* what the history records of a commit; -1 with the error */
int gitsrc_firstparents(const char *mirror, const char *commit, size_t max, struct strlist *out);
	/* commit, its first parent, that one's first parent... newest first, at most max ids appended; -1 with the error */
void gitcommit_free(struct gitcommit *c);
char *gitsrc_mirror_path(const char *url, const struct paths *p); /* CACHE/git/HASH.git for url (not created); NULL with the error */
int gitsrc_between(const char *mirror, const char *good, const char *bad, struct strlist *commits);
	/* full ids from GOOD to BAD (both full ids) along BAD's first parents, oldest first, both included;
	   -1 when GOOD is not on that line (not an ancestor, or merged from a side branch) */
int gitsrc_info(const char *mirror, const char *commit, struct gitinfo *out); /* a commit's id, summary, author, date */
void gitinfo_free(struct gitinfo *c);  /* free the fields and zero it */
void gitsrc_shutdown(void); /* release libgit2 if a gitsrc call started it (tests, for valgrind) */

#endif
