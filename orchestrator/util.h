/* util.h: allocation, strings, files and the one error slot all modules report through.
 *
 * Library wrappers never exit: they call errorf() to describe what went wrong and return
 * -1; a caller may add context with errwrap(). Only main prints the message and decides
 * the exit code. A format ending in ':' appends strerror(errno), as in samurai. */
#ifndef GILBENCH_UTIL_H
#define GILBENCH_UTIL_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* errors */
int errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* set the message; returns -1 */
int errwrap(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* prefix "context: "; returns -1 */
const char *errmsg(void);                                                 /* the current message */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));    /* "gilbench: warning: ..." on stderr */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* print and exit 1 (main, out of memory) */

/* allocation: these never return NULL */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* a growable byte string, always NUL-terminated */
struct buf {
	char *s;
	size_t len, cap;
};
void bufadd(struct buf *b, const void *p, size_t n);        /* append n bytes */
void bufadds(struct buf *b, const char *s);                 /* append a string */
void bufaddf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buffree(struct buf *b);                                /* free and zero */

/* string lists, NULL-terminated so that .v is an argv */
struct strlist {
	char **v;
	size_t n;
};
void strlist_add(struct strlist *l, const char *s);         /* append a copy */
void strlist_addown(struct strlist *l, char *s);            /* append, taking ownership */
void strlist_free(struct strlist *l);

/* files and paths */
char *pathjoin(const char *a, const char *b);               /* "a/b" */
int mkdirp(const char *path, mode_t mode);                  /* mkdir -p */
int rmtree(const char *path);                               /* rm -rf; missing is not an error */
bool exists(const char *path);
bool isdir(const char *path);
bool isregular(const char *path);                           /* a regular file, following links */
char *findexec(const char *name);                           /* NAME's path when an executable file in $PATH holds it, else NULL */
int openreg(const char *path, int flags);                   /* open (never blocking on a FIFO) a regular file only (O_NOFOLLOW: not through a symlink); fd, or -1: "PATH: not a regular file (a FIFO)" */
int readfile(const char *path, char **data, size_t *len);   /* whole file, NUL-terminated; regular files only */
int writefile(const char *path, const void *data, size_t len); /* write a temporary, fsync, rename; refuses a path that is not a regular file */
const char *filekind(mode_t mode);                          /* "a regular file", "a folder", "a symlink", "a FIFO", ... */
int canreplace(const char *path, bool folder);              /* 0: absent, or a regular file (a folder when folder) a rename may replace; -1: "PATH: exists and is KIND, not ...; not replaced" */
int copyfile(const char *from, const char *to);             /* copy contents and mode bits */
int fsyncdir(const char *path);                             /* fsync the folder holding path */
int writefull(int fd, const void *data, size_t len);       /* every byte, retrying short writes; -1 with errno only (safe in threads) */
int writeall(int fd, const void *data, size_t len, const char *what); /* writefull; -1 with "write WHAT:" */
char *mktmpdir(const char *what);                           /* a new private folder $TMPDIR/gilbench-WHAT-XXXXXX; NULL with the error */
void envset(struct strlist *env, const char *key, const char *value); /* set KEY=VALUE in an environment list, replacing KEY's entry */
char *abspath(const char *path);                            /* absolute, not resolving links; NULL on error */
int listdir_suffix(const char *dir, const char *suffix, struct strlist *out); /* names ending in suffix, sorted */

/* JSON documents: the one way gilbench reads and writes them */
#define JSON_DOC (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))
int writejson(const char *path, json_t *doc, size_t flags); /* encode with FLAGS, a final newline, writefile; -1 with the error */
char *jstrdup(json_t *o, const char *key);                  /* a copy of the string member KEY of O, or NULL when it is not a string */
int readjson(const char *path, bool optional, json_t **out);/* parse a whole file; absent and OPTIONAL: 0 and NULL;
                                                               else -1 with "PATH:LINE:COL: problem" */
/* environment */
int envuint(const char *name, unsigned long long def, unsigned long long *out); /* $NAME as a whole number above 0, def when unset or empty; -1: "NAME=VALUE: expected ..." */

/* time */
double now(void);                                           /* monotonic seconds */
char *utcstamp(bool compact);                               /* "2026-11-25T09:30:00Z" or "20261125T093000Z" */
int ncpus(void);                                            /* online processors */

#endif
