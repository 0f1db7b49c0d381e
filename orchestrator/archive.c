/* archive.c: reproducible .tar.gz archives of run directories, and their verification
 * (see archive.h and docs/archive.md).
 *
 * Writing: the run directory is walked without following symlinks into a list of members
 * (files, folders, symlinks), sorted by path in byte order. Each file is then read once:
 * its bytes go through SHA-256 (hash.h) and into an unlinked spool file beside the output,
 * and the bytes actually read fix the member's size (a log still growing cannot tear the
 * archive). manifest.json must be the first member but needs every hash, so the archive is
 * written after that pass: manifest first, then each member with its bytes copied back
 * from the spool, all through libarchive (pax restricted, gzip without time stamp) into
 * OUT.tmp-PID, which is fsync'd and renamed to OUT once manifest.json is also in the run
 * directory. An OUT that exists and is not a regular file (a device, a FIFO, a symlink, a
 * folder) is refused before any work and again before the rename, never replaced. Entries
 * are built from scratch, so nothing but path, type, mode, size, link target and the fixed
 * mtime and owner ever reaches the archive.
 *
 * Before writing, every member goes through extraction's rules (extract_member_check), so
 * that gilbench never writes an archive its own verify and extraction refuse.
 *
 * Verifying: libarchive reads the archive once (a gzip file through zlib, so that its
 * header, trailer and tail are checked too: see "the gzip container" below); every member
 * first goes through extraction's rules (a refusal is a VERIFY_UNSAFE problem), then is
 * hashed as it streams by and remembered (path, type, mode, sha256), manifest.json is
 * kept in memory; at the end the two lists are compared and every difference becomes one
 * verify_problem. A read error stops the walk and is reported with the member being read. */
#include "archive.h"
#include "extract.h"
#include "hash.h"
#include "log.h"
#include "rundir.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#ifndef VERSION
#define VERSION "0.1.0"
#endif

#define CHUNK (1 << 20)
#define MAX_MANIFEST (64 << 20)

enum mtype { M_FILE, M_DIR, M_LINK, M_OTHER };

static const char *const mtypename[] = { "file", "dir", "symlink", "other" };

struct member {
	char *rel;              /* path under the top folder, no trailing slash */
	enum mtype type;
	unsigned mode;          /* normalised: 0644 or 0755 (symlinks 0777) */
	uint64_t size;          /* file bytes as read; 0 for folders and symlinks */
	char *target;           /* symlink target, or NULL */
	char sha256[HEXLEN];    /* file content or symlink target; "" for folders */
	bool seen;              /* verify: matched against the manifest */
	bool unsafe;            /* verify: extraction's rules refuse it (never counted intact) */
};

struct mlist {
	struct member *v;
	size_t n;
};

static struct member *mlist_add(struct mlist *l)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	return &l->v[l->n++];
}

static void mlist_free(struct mlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].rel);
		free(l->v[i].target);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int membercmp(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->rel, ((const struct member *)b)->rel);
}

static void mlist_sort(struct mlist *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), membercmp);
}

static unsigned normmode(enum mtype type, mode_t mode)
{
	if (type == M_LINK)
		return 0777;
	if (type == M_DIR || (mode & 0111))
		return 0755;
	return 0644;
}

static char *readlinkdup(const char *path)
{
	size_t cap = 256;

	for (;;) {
		char *s = xmalloc(cap);
		ssize_t n = readlink(path, s, cap);
		if (n < 0) {
			free(s);
			errorf("readlink %s:", path);
			return NULL;
		}
		if ((size_t)n < cap) {
			s[n] = '\0';
			return s;
		}
		free(s);
		cap *= 2;
	}
}

/* Adds the members under TOP/REL (REL NULL: TOP itself) to L, recursively. The previous
 * manifest.json and the run lock at the top are not members. */
static int walk(const char *top, const char *rel, struct mlist *l, uint64_t *bytes)
{
	char *dir = rel ? pathjoin(top, rel) : xstrdup(top);
	struct dirent *e;
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d) {
		rc = errorf("open folder %s:", dir);
		goto cleanup;
	}
	while (rc == 0 && (errno = 0, e = readdir(d))) {
		struct stat st;
		struct member *m;
		char *r, *full;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (!rel && (strcmp(e->d_name, RUN_MANIFEST) == 0 || strcmp(e->d_name, RUN_LOCK) == 0))
			continue;
		r = rel ? pathjoin(rel, e->d_name) : xstrdup(e->d_name);
		full = pathjoin(top, r);
		if (lstat(full, &st) < 0) {
			rc = errorf("stat %s:", full);
			free(r);
			free(full);
			break;
		}
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
			rc = errorf("%s: not a file, folder or symlink; it cannot be archived", full);
			free(r);
			free(full);
			break;
		}
		m = mlist_add(l);
		m->rel = r;
		m->type = S_ISDIR(st.st_mode) ? M_DIR : S_ISLNK(st.st_mode) ? M_LINK : M_FILE;
		m->mode = normmode(m->type, st.st_mode);
		if (m->type == M_FILE)
			*bytes += (uint64_t)st.st_size;
		if (m->type == M_LINK && !(m->target = readlinkdup(full)))
			rc = -1;
		if (m->type == M_DIR)
			rc = walk(top, r, l, bytes);
		free(full);
	}
	if (rc == 0 && errno)
		rc = errorf("read folder %s:", dir);
cleanup:
	if (d)
		closedir(d);
	free(dir);
	return rc;
}

/* Reads each file member once: hashes it and appends its bytes to the spool. Symlinks
 * are hashed by their target. */
static int spool_members(const char *top, struct mlist *l, int spool, char *chunk,
                         struct progress *p, uint64_t *done)
{
	for (size_t i = 0; i < l->n; i++) {
		struct member *m = &l->v[i];
		struct sha256 *h;
		char *full;
		ssize_t n;
		int fd;

		if (m->type == M_LINK)
			sha256_str(m->target, m->sha256);
		if (m->type != M_FILE)
			continue;
		full = pathjoin(top, m->rel);
		fd = openreg(full, O_RDONLY | O_NOFOLLOW);
		if (fd < 0) {
			free(full);
			return -1;
		}
		h = mksha256();
		m->size = 0;
		while ((n = read(fd, chunk, CHUNK)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 || writefull(spool, chunk, (size_t)n) < 0) {
				if (n < 0)
					errorf("read %s:", full);
				else
					errorf("write the spool file for %s:", full);
				sha256_final(h, m->sha256);
				close(fd);
				free(full);
				return -1;
			}
			sha256_update(h, chunk, (size_t)n);
			m->size += (uint64_t)n;
			*done += (uint64_t)n;
			progress_set(p, *done);
		}
		sha256_final(h, m->sha256);
		close(fd);
		free(full);
	}
	return 0;
}

static json_t *manifest_json(const struct mlist *l)
{
	json_t *root = json_object(), *members = json_array();

	json_object_set_new(root, "version", json_integer(ARCHIVE_MANIFEST_VERSION));
	json_object_set_new(root, "created_by", json_string("gilbench " VERSION));
	for (size_t i = 0; i < l->n; i++) {
		const struct member *m = &l->v[i];
		json_t *o = json_object();
		char mode[8];

		snprintf(mode, sizeof(mode), "%04o", m->mode);
		json_object_set_new(o, "path", json_string(m->rel));
		json_object_set_new(o, "type", json_string(mtypename[m->type]));
		json_object_set_new(o, "size", json_integer((json_int_t)m->size));
		json_object_set_new(o, "sha256", m->type == M_DIR ? json_null() : json_string(m->sha256));
		json_object_set_new(o, "mode", json_string(mode));
		if (m->type == M_LINK)
			json_object_set_new(o, "target", json_string(m->target));
		json_array_append_new(members, o);
	}
	json_object_set_new(root, "members", members);
	return root;
}

/* the manifest as bytes, or NULL with the error (a name that is not UTF-8) */
static char *manifest_dump(const struct mlist *l, size_t *len)
{
	json_t *j;
	char *s;
	struct buf b = {0};

	for (size_t i = 0; i < l->n; i++) {
		json_t *t = json_string(l->v[i].rel);
		json_t *u = l->v[i].target ? json_string(l->v[i].target) : json_null();
		bool bad = !t || !u;
		json_decref(t);
		json_decref(u);
		if (bad) {
			errorf("%s: the name or link target is not valid UTF-8; manifest.json cannot list it", l->v[i].rel);
			return NULL;
		}
	}
	j = manifest_json(l);
	s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s)
		fatal("json_dumps: out of memory");
	bufadds(&b, s);
	bufadds(&b, "\n");
	free(s);
	*len = b.len;
	return b.s;
}

/* where libarchive's output goes: the temporary file, hashed and counted on the way */
struct outctx {
	int fd;
	const char *path;
	struct sha256 *h;
	uint64_t n;
};

static la_ssize_t outwrite(struct archive *a, void *arg, const void *p, size_t n)
{
	struct outctx *o = arg;

	if (writefull(o->fd, p, n) < 0) {
		archive_set_error(a, errno, "write %s: %s", o->path, strerror(errno));
		return -1;
	}
	sha256_update(o->h, p, n);
	o->n += n;
	return (la_ssize_t)n;
}

static int mtime_epoch(time_t *t)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	*t = 0;
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0)
		return errorf("SOURCE_DATE_EPOCH=%s: not a number of seconds since 1970", s);
	*t = (time_t)v;
	return 0;
}

/* one header: only what the member says, with the fixed mtime and owner */
static int put_header(struct archive *a, struct archive_entry *e, const char *root,
                      const char *rel, enum mtype type, unsigned mode, uint64_t size,
                      const char *target, time_t mtime)
{
	char *path = xasprintf("%s/%s", root, rel);
	int r;

	archive_entry_clear(e);
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type == M_DIR ? AE_IFDIR : type == M_LINK ? AE_IFLNK : AE_IFREG);
	archive_entry_set_perm(e, mode);
	archive_entry_set_size(e, type == M_FILE ? (la_int64_t)size : 0);
	if (type == M_LINK)
		archive_entry_set_symlink(e, target);
	archive_entry_set_mtime(e, mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	r = archive_write_header(a, e);
	if (r < ARCHIVE_WARN)
		errorf("%s: %s", path, archive_error_string(a));
	free(path);
	return r < ARCHIVE_WARN ? -1 : 0;
}

static int put_data(struct archive *a, const char *rel, const void *p, size_t n)
{
	if (n && archive_write_data(a, p, n) < 0)
		return errorf("%s: %s", rel, archive_error_string(a));
	return 0;
}

/* Writes the archive to the temporary file behind O: manifest first, then each member,
 * file bytes copied back from the spool in order. */
static int write_archive(struct outctx *o, const char *root, const struct mlist *l,
                         const char *manifest, size_t mlen, int spool, time_t mtime,
                         char *chunk, struct progress *p, uint64_t *done)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	int rc = -1;

	if (!a || !e)
		fatal("libarchive: out of memory");
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, o, NULL, outwrite, NULL) != ARCHIVE_OK) {
		errorf("%s", archive_error_string(a));
		goto cleanup;
	}
	if (lseek(spool, 0, SEEK_SET) < 0) {
		errorf("rewind the spool file:");
		goto cleanup;
	}
	if (put_header(a, e, root, RUN_MANIFEST, M_FILE, 0644, mlen, NULL, mtime) < 0 ||
	    put_data(a, RUN_MANIFEST, manifest, mlen) < 0)
		goto cleanup;
	for (size_t i = 0; i < l->n; i++) {
		const struct member *m = &l->v[i];
		uint64_t left = m->size;

		if (put_header(a, e, root, m->rel, m->type, m->mode, m->size, m->target, mtime) < 0)
			goto cleanup;
		while (left) {
			size_t want = left < CHUNK ? (size_t)left : CHUNK;
			ssize_t n = read(spool, chunk, want);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				if (n < 0)
					errorf("%s: read the spool file:", m->rel);
				else
					errorf("%s: the spool file ended early", m->rel);
				goto cleanup;
			}
			if (put_data(a, m->rel, chunk, (size_t)n) < 0)
				goto cleanup;
			left -= (uint64_t)n;
			*done += (uint64_t)n;
			progress_set(p, *done);
		}
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		errorf("%s", archive_error_string(a));
		goto cleanup;
	}
	rc = 0;
cleanup:
	archive_entry_free(e);
	archive_write_free(a);
	return rc;
}

static void strip_slashes(char *s)
{
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
}

/* The members (manifest.json first, of mlen bytes) must pass the rules verify and
 * extraction apply (extract_member_check: symlinks that leave the run directory, the entry
 * and byte limits): what they would refuse is refused here, not written. */
static int check_rules(const char *root, const struct mlist *l, size_t mlen)
{
	struct extract_limits lim;
	struct member_rules *rules;
	struct archive_entry *e = archive_entry_new();
	int rc = 0;

	if (!e)
		fatal("libarchive: out of memory");
	if (extract_defaults(&lim) < 0) {
		archive_entry_free(e);
		return -1;
	}
	lim.strip = true;
	rules = mkmember_rules(&lim);
	for (size_t i = 0; rc == 0 && i <= l->n; i++) {
		const struct member *m = i ? &l->v[i - 1] : NULL;
		char *path = xasprintf("%s/%s", root, m ? m->rel : RUN_MANIFEST);
		enum mtype t = m ? m->type : M_FILE;

		archive_entry_clear(e);
		archive_entry_set_pathname(e, path);
		archive_entry_set_filetype(e, t == M_DIR ? AE_IFDIR : t == M_LINK ? AE_IFLNK : AE_IFREG);
		archive_entry_set_size(e, t != M_FILE ? 0 : m ? (la_int64_t)m->size : (la_int64_t)mlen);
		if (t == M_LINK)
			archive_entry_set_symlink(e, m->target);
		if (extract_member_check(rules, e, NULL, NULL) < 0) {
			char *why = xstrdup(errmsg());
			rc = errorf("%s; verify and extraction refuse such a member, so it is not archived", why);
			free(why);
		}
		free(path);
	}
	delmember_rules(rules);
	archive_entry_free(e);
	return rc;
}

/* The default output: RUN_DIR.tar.gz beside it ("." and ".." by their real name). */
static char *default_out(const char *rundir, const char *real)
{
	char *given = xstrdup(rundir), *base, *out;

	strip_slashes(given);
	base = strrchr(given, '/') ? strrchr(given, '/') + 1 : given;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		out = xasprintf("%s.tar.gz", real);
	else
		out = xasprintf("%s.tar.gz", given);
	free(given);
	return out;
}

/* The output's folder must exist, outside the run directory (or the archive would hold
 * the previous archive next time). */
static int check_outdir(const char *real, const char *out)
{
	char *dir = xstrdup(out), *slash, *rdir;
	size_t n = strlen(real);
	int rc = 0;

	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	rdir = realpath(dir, NULL);
	if (!rdir)
		rc = errorf("%s: cannot write the archive in folder %s:", out, dir);
	else if (strncmp(rdir, real, n) == 0 && (rdir[n] == '\0' || rdir[n] == '/'))
		rc = errorf("%s: the archive cannot be written inside the run directory it archives", out);
	free(rdir);
	free(dir);
	return rc;
}

/* rundir's real path when it is a run directory that may be archived; NULL with the error */
static char *archivable(const char *rundir)
{
	char *real;

	if (!isdir(rundir)) {
		errorf(exists(rundir) ? "%s: not a folder" : "%s: no such run directory", rundir);
		return NULL;
	}
	if (rundir_is(rundir) != 1) { /* never a folder of someone else's files */
		errorf("%s is not a gilbench run directory (no %s); only run directories are archived", rundir, RUN_STATE);
		return NULL;
	}
	if (!(real = realpath(rundir, NULL))) {
		errorf("%s:", rundir);
		return NULL;
	}
	if (!*(strrchr(real, '/') + 1)) {
		errorf("%s: the root folder cannot be archived", rundir);
		free(real);
		return NULL;
	}
	return real;
}

/* the archive's temporary file beside DEST (o->fd, o->path = *tmp) and the spool of member
 * data (*spool, already unlinked); -1 with the error */
static int opentemps(const char *dest, char **tmp, struct outctx *o, int *spool)
{
	char *spoolpath;

	*tmp = xasprintf("%s.tmp-%ld", dest, (long)getpid());
	unlink(*tmp); /* a leftover of a process with our pid; never opened, whatever it is */
	o->fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (o->fd < 0)
		return errorf("create %s:", *tmp);
	o->path = *tmp;
	o->h = mksha256();
	spoolpath = xasprintf("%s.spool-%ld", dest, (long)getpid());
	*spool = open(spoolpath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (*spool < 0) {
		errorf("create %s:", spoolpath);
		free(spoolpath);
		return -1;
	}
	unlink(spoolpath);
	free(spoolpath);
	return 0;
}

/* the temporary file TMP on disk and closed (o->fd -1 after); -1 with the error */
static int closeout(struct outctx *o, const char *tmp)
{
	int c;

	if (fsync(o->fd) < 0)
		return errorf("write %s:", tmp);
	c = close(o->fd);
	o->fd = -1;
	if (c < 0)
		return errorf("write %s:", tmp);
	return 0;
}

int archive_run_info(const char *rundir, const char *out, struct archive_info *info)
{
	struct mlist l = {0};
	struct outctx o = { .fd = -1 };
	struct progress *p = NULL;
	char *real = NULL, *root, *dest = NULL, *tmp = NULL, *manifest = NULL;
	char *mpath = NULL, *chunk = NULL, *label = NULL;
	uint64_t bytes = 0, done = 0;
	size_t mlen = 0;
	time_t mtime;
	int spool = -1, rc = -1;

	if (info)
		memset(info, 0, sizeof(*info));
	if (!(real = archivable(rundir)))
		goto cleanup;
	root = strrchr(real, '/') + 1;
	dest = out ? xstrdup(out) : default_out(rundir, real);
	if (mtime_epoch(&mtime) < 0 || check_outdir(real, dest) < 0 || canreplace(dest, false) < 0)
		goto cleanup;
	if (walk(real, NULL, &l, &bytes) < 0)
		goto cleanup;
	mlist_sort(&l);
	if (opentemps(dest, &tmp, &o, &spool) < 0)
		goto cleanup;

	chunk = xmalloc(CHUNK);
	label = xasprintf("archiving %s", root);
	p = mkprogress(label, PROGRESS_BYTES);
	progress_total(p, 2 * bytes);
	if (spool_members(real, &l, spool, chunk, p, &done) < 0)
		goto cleanup;
	progress_total(p, 2 * done);
	if (!(manifest = manifest_dump(&l, &mlen)) || check_rules(root, &l, mlen) < 0)
		goto cleanup;
	if (write_archive(&o, root, &l, manifest, mlen, spool, mtime, chunk, p, &done) < 0)
		goto cleanup;
	if (closeout(&o, tmp) < 0)
		goto cleanup;
	mpath = pathjoin(real, RUN_MANIFEST);
	if (writefile(mpath, manifest, mlen) < 0)
		goto cleanup;
	if (canreplace(dest, false) < 0) /* again: it may have appeared meanwhile */
		goto cleanup;
	if (rename(tmp, dest) < 0) {
		errorf("rename %s to %s:", tmp, dest);
		goto cleanup;
	}
	free(tmp);
	tmp = NULL;
	if (fsyncdir(dest) < 0)
		goto cleanup;
	if (info) {
		info->path = xstrdup(dest);
		info->members = l.n;
		info->size = o.n;
		sha256_final(o.h, info->sha256);
		o.h = NULL;
	}
	rc = 0;
cleanup:
	if (p) {
		if (rc == 0)
			progress_done(p, "%zu members", l.n);
		else
			progress_done(p, "failed");
	}
	if (o.h) {
		char scratch[HEXLEN];
		sha256_final(o.h, scratch);
	}
	if (o.fd >= 0)
		close(o.fd);
	if (tmp)
		unlink(tmp);
	if (spool >= 0)
		close(spool);
	if (rc < 0)
		errwrap("archive %s", rundir);
	mlist_free(&l);
	free(real);
	free(dest);
	free(tmp);
	free(manifest);
	free(mpath);
	free(chunk);
	free(label);
	return rc;
}

int archive_run(const char *rundir, const char *out)
{
	return archive_run_info(rundir, out, NULL);
}

int archive_stage(const char *rundir)
{
	struct archive_info info = {0};
	int rc = archive_run_info(rundir, NULL, &info);

	if (rc == 0)
		logmsg("archive: %s", info.path);
	archive_info_free(&info);
	return rc;
}

void archive_info_free(struct archive_info *info)
{
	free(info->path);
	info->path = NULL;
}

/* ---- verification ---- */

static void problem(struct verify_report *r, enum verify_kind kind, const char *path,
                    const char *expected, const char *actual, const char *detail)
{
	struct verify_problem *p;

	r->problems = xreallocarray(r->problems, r->nproblems + 1, sizeof(*r->problems));
	p = &r->problems[r->nproblems++];
	p->kind = kind;
	p->path = path ? xstrdup(path) : NULL;
	p->expected = expected ? xstrdup(expected) : NULL;
	p->actual = actual ? xstrdup(actual) : NULL;
	p->detail = detail ? xstrdup(detail) : NULL;
}

char *verify_problem_str(const struct verify_problem *p)
{
	const char *path = p->path ? p->path : "?";

	switch (p->kind) {
	case VERIFY_CORRUPT:
		if (p->path)
			return xasprintf("corrupt or truncated archive at member %s: %s", path, p->detail);
		return xasprintf("corrupt or truncated archive, or not a tar archive at all: %s", p->detail);
	case VERIFY_NO_MANIFEST:
		return xasprintf("%s: missing: no manifest.json in the archive's top folder "
		                 "(not a gilbench archive, or its manifest was removed)", RUN_MANIFEST);
	case VERIFY_BAD_MANIFEST:
		return xasprintf("%s: malformed: %s", RUN_MANIFEST, p->detail);
	case VERIFY_CHANGED:
		return xasprintf("%s: content changed: sha256 expected %s, actual %s", path, p->expected, p->actual);
	case VERIFY_TYPE:
		return xasprintf("%s: type changed: expected %s, actual %s", path, p->expected, p->actual);
	case VERIFY_MODE:
		return xasprintf("%s: mode changed: expected %s, actual %s", path, p->expected, p->actual);
	case VERIFY_MISSING:
		return xasprintf("%s: missing: listed in manifest.json, not in the archive", path);
	case VERIFY_UNREAD:
		return xasprintf("%s members listed in manifest.json were not reached (the archive ends early)", p->detail);
	case VERIFY_EXTRA:
		return xasprintf("%s: extra member, not listed in manifest.json", path);
	case VERIFY_DUPLICATE:
		return xasprintf("%s: appears more than once in the archive", path);
	case VERIFY_CONTAINER:
		return xasprintf("the file changed outside its members: %s", p->detail);
	case VERIFY_UNSAFE:
		return xasprintf("%s: unsafe member, extraction refuses it: %s", path, p->detail);
	}
	return xasprintf("%s: unknown problem", path);
}

void verify_report_free(struct verify_report *r)
{
	for (size_t i = 0; i < r->nproblems; i++) {
		free(r->problems[i].path);
		free(r->problems[i].expected);
		free(r->problems[i].actual);
		free(r->problems[i].detail);
	}
	free(r->problems);
	free(r->root);
	memset(r, 0, sizeof(*r));
}

/* the member path without "./" prefixes and trailing slashes */
static char *clean_name(const char *name)
{
	char *s;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	s = xstrdup(name);
	strip_slashes(s);
	return s;
}

/* Applies extraction's rules to the member e, recording a VERIFY_UNSAFE problem when they
 * refuse it; true then. */
static bool unsafe(struct member_rules *rules, struct archive_entry *e, struct verify_report *r)
{
	const char *name = archive_entry_pathname(e), *why;
	size_t n = name ? strlen(name) : 0;

	if (extract_member_check(rules, e, NULL, NULL) >= 0)
		return false;
	why = errmsg();
	if (n && strncmp(why, name, n) == 0 && why[n] == ':' && why[n + 1] == ' ')
		why += n + 2; /* the problem names the member already */
	problem(r, VERIFY_UNSAFE, name ? name : "", NULL, NULL, why);
	return true;
}

/* Reads every member of A, hashing as it streams: members under the top folder go to
 * SEEN, manifest.json's bytes to MANIFEST; extraction's rules see each one first (RULES).
 * A read error is recorded as VERIFY_CORRUPT and ends the walk; returns 1 then, else 0. */
static int read_members(struct archive *a, struct verify_report *r, struct mlist *seen,
                        struct buf *manifest, bool *has_manifest, char *chunk,
                        struct member_rules *rules)
{
	struct archive_entry *e;
	char *last = NULL;
	int rc = 0;

	for (;;) {
		const char *name, *rel;
		char *clean, *slash;
		struct member *m;
		struct sha256 *h = NULL;
		bool ismanifest, under, refused;
		int st = archive_read_next_header(a, &e);

		if (st == ARCHIVE_EOF)
			break;
		if (st < ARCHIVE_WARN || st == ARCHIVE_RETRY) { /* RETRY: a damaged header, skipped */
			problem(r, VERIFY_CORRUPT, last, NULL, NULL, archive_error_string(a));
			rc = 1;
			break;
		}
		refused = unsafe(rules, e, r);
		name = archive_entry_pathname(e);
		clean = clean_name(name ? name : "");
		if (!*clean) { /* "./" */
			free(clean);
			continue;
		}
		if (!r->root) {
			slash = strchr(clean, '/');
			r->root = slash ? xstrndup(clean, (size_t)(slash - clean)) : xstrdup(clean);
		}
		{
			size_t n = strlen(r->root);
			under = strncmp(clean, r->root, n) == 0 && (clean[n] == '/' || clean[n] == '\0');
			rel = under ? clean + n + (clean[n] == '/') : clean;
		}
		free(last);
		last = xstrdup(clean);
		if (under && !*rel && archive_entry_filetype(e) == AE_IFDIR) {
			free(clean); /* the top folder itself (tar adds it) is not a member */
			continue;
		}
		if (!under || !*rel) {
			/* outside the top folder: never a member the manifest can list */
			if (!refused) /* else already said */
				problem(r, VERIFY_EXTRA, clean, NULL, NULL, NULL);
			free(clean);
			continue;
		}
		ismanifest = strcmp(rel, RUN_MANIFEST) == 0 && archive_entry_filetype(e) == AE_IFREG
		             && !archive_entry_hardlink(e) && !*has_manifest;
		m = mlist_add(seen);
		m->rel = xstrdup(rel);
		m->unsafe = refused;
		switch (archive_entry_filetype(e)) {
		case AE_IFREG:
			m->type = M_FILE;
			break;
		case AE_IFDIR:
			m->type = M_DIR;
			break;
		case AE_IFLNK:
			m->type = M_LINK;
			m->target = xstrdup(archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
			sha256_str(m->target, m->sha256);
			break;
		default:
			m->type = M_OTHER;
		}
		if (archive_entry_hardlink(e))
			m->type = M_OTHER;
		m->mode = normmode(m->type, archive_entry_perm(e));
		free(clean);
		if (m->type != M_FILE)
			continue;
		if (ismanifest)
			bufadd(manifest, "", 0); /* present, even when empty */
		h = mksha256();
		for (;;) {
			la_ssize_t n = archive_read_data(a, chunk, CHUNK);
			if (n == 0)
				break;
			if (n < 0) {
				problem(r, VERIFY_CORRUPT, last, NULL, NULL, archive_error_string(a));
				rc = 1;
				break;
			}
			sha256_update(h, chunk, (size_t)n);
			m->size += (uint64_t)n;
			if (ismanifest && manifest->len + (size_t)n <= MAX_MANIFEST)
				bufadd(manifest, chunk, (size_t)n);
		}
		sha256_final(h, m->sha256);
		if (rc || ismanifest) {
			/* a member cut short was not read; the manifest is not one it lists */
			seen->n--;
			free(m->rel);
			free(m->target);
		}
		if (rc)
			break;
		if (ismanifest) {
			*has_manifest = true;
			if (m->size > MAX_MANIFEST) {
				problem(r, VERIFY_BAD_MANIFEST, NULL, NULL, NULL, "larger than 64 MiB");
				buffree(manifest);
			}
		}
	}
	free(last);
	return rc;
}

/* Parses the manifest into L; a problem (VERIFY_BAD_MANIFEST) and -1 when it is not one. */
static int parse_manifest(const struct buf *b, struct verify_report *r, struct mlist *l)
{
	json_error_t err;
	json_t *j = json_loadb(b->s, b->len, JSON_REJECT_DUPLICATES, &err), *members, *o;
	json_int_t version;
	size_t i;
	int rc = -1;

	if (!j) {
		char *d = xasprintf("line %d column %d: %s", err.line, err.column, err.text);
		problem(r, VERIFY_BAD_MANIFEST, NULL, NULL, NULL, d);
		free(d);
		return -1;
	}
	if (json_unpack_ex(j, &err, 0, "{s:I, s:o}", "version", &version, "members", &members) < 0) {
		problem(r, VERIFY_BAD_MANIFEST, NULL, NULL, NULL, err.text);
		goto cleanup;
	}
	if (version != ARCHIVE_MANIFEST_VERSION) {
		char *d = xasprintf("version %lld, this gilbench reads version %d", (long long)version,
		                    ARCHIVE_MANIFEST_VERSION);
		problem(r, VERIFY_BAD_MANIFEST, NULL, NULL, NULL, d);
		free(d);
		goto cleanup;
	}
	if (!json_is_array(members)) {
		problem(r, VERIFY_BAD_MANIFEST, NULL, NULL, NULL, "\"members\" is not an array");
		goto cleanup;
	}
	json_array_foreach(members, i, o) {
		const char *path, *type, *mode, *target = NULL;
		json_t *sha;
		json_int_t size;
		struct member *m;
		char *bad = NULL;
		int t = M_OTHER;

		if (json_unpack_ex(o, &err, 0, "{s:s, s:s, s:I, s:o, s:s, s?:s}", "path", &path,
		                   "type", &type, "size", &size, "sha256", &sha, "mode", &mode,
		                   "target", &target) < 0) {
			bad = xasprintf("members[%zu]: %s", i, err.text);
		} else {
			for (t = 0; t < M_OTHER && strcmp(type, mtypename[t]) != 0; t++)
				;
			if (t == M_OTHER)
				bad = xasprintf("members[%zu] (%s): unknown type \"%s\"", i, path, type);
			else if (t != M_DIR && (!json_is_string(sha) || !ishex64(json_string_value(sha))))
				bad = xasprintf("members[%zu] (%s): \"sha256\" is not 64 hex digits", i, path);
			else if (size < 0 || !*path)
				bad = xasprintf("members[%zu]: bad path or size", i);
		}
		if (bad) {
			problem(r, VERIFY_BAD_MANIFEST, NULL, NULL, NULL, bad);
			free(bad);
			goto cleanup;
		}
		m = mlist_add(l);
		m->rel = xstrdup(path);
		m->type = (enum mtype)t;
		m->size = (uint64_t)size;
		m->mode = (unsigned)strtoul(mode, NULL, 8);
		if (t != M_DIR)
			snprintf(m->sha256, sizeof(m->sha256), "%s", json_string_value(sha));
		if (target)
			m->target = xstrdup(target);
	}
	mlist_sort(l);
	for (i = 1; i < l->n; i++)
		if (strcmp(l->v[i - 1].rel, l->v[i].rel) == 0) {
			char *d = xasprintf("%s is listed twice", l->v[i].rel);
			problem(r, VERIFY_BAD_MANIFEST, NULL, NULL, NULL, d);
			free(d);
			goto cleanup;
		}
	rc = 0;
cleanup:
	json_decref(j);
	return rc;
}

/* Compares the listed members with those seen; both sorted. */
static void compare(struct verify_report *r, struct mlist *listed, struct mlist *seen, bool corrupt)
{
	size_t unread = 0;

	for (size_t i = 0; i < listed->n; i++) {
		const struct member *want = &listed->v[i];
		struct member key = { .rel = want->rel }, *got;
		char em[8], am[8];
		bool ok = true;

		got = seen->n ? bsearch(&key, seen->v, seen->n, sizeof(*seen->v), membercmp) : NULL;
		while (got && got > seen->v && strcmp(got[-1].rel, want->rel) == 0)
			got--;
		if (!got || got->seen) {
			if (corrupt)
				unread++;
			else
				problem(r, VERIFY_MISSING, want->rel, NULL, NULL, NULL);
			continue;
		}
		got->seen = true;
		if (got->type != want->type) {
			problem(r, VERIFY_TYPE, want->rel, mtypename[want->type], mtypename[got->type], NULL);
			continue;
		}
		if (want->type != M_DIR && (strcmp(got->sha256, want->sha256) != 0 ||
		                            (want->type == M_FILE && got->size != want->size))) {
			problem(r, VERIFY_CHANGED, want->rel, want->sha256, got->sha256, NULL);
			ok = false;
		}
		if (want->type == M_FILE && got->mode != normmode(M_FILE, want->mode)) {
			snprintf(em, sizeof(em), "%04o", want->mode);
			snprintf(am, sizeof(am), "%04o", got->mode);
			problem(r, VERIFY_MODE, want->rel, em, am, NULL);
			ok = false;
		}
		if (ok && !got->unsafe)
			r->verified++;
	}
	for (size_t i = 0; i < seen->n; i++) {
		if (i > 0 && strcmp(seen->v[i - 1].rel, seen->v[i].rel) == 0)
			problem(r, VERIFY_DUPLICATE, seen->v[i].rel, NULL, NULL, NULL);
		else if (!seen->v[i].seen)
			problem(r, VERIFY_EXTRA, seen->v[i].rel, NULL, NULL, NULL);
	}
	if (unread) {
		char *d = xasprintf("%zu", unread);
		problem(r, VERIFY_UNREAD, NULL, NULL, NULL, d);
		free(d);
	}
}

/* ---- the gzip container, read with zlib ----
 *
 * libarchive does not check gzip's trailer (CRC-32 and length) and stops at the tar's end,
 * so bytes changed outside the compressed members would go unseen. A gzip archive is
 * therefore inflated here (one gzip member, as archive_run writes it) and libarchive reads
 * the tar inside from gz_read. Afterwards gz_finish checks what nothing else covers: the
 * 10-byte header is the one gilbench writes (no time stamp, name or comment), the trailer
 * matches the data, no byte follows the gzip member, and everything after the tar's end
 * marker is zero. */

static const unsigned char gzheader[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };

struct gzsrc {
	int fd;
	z_stream z;
	bool ended;            /* Z_STREAM_END seen: the trailer matched */
	bool failed;           /* err holds why */
	unsigned char *in;
	unsigned char *out[2]; /* alternating, so the chunk before the last one is still there */
	size_t len[2];
	int cur;
	uint64_t total;        /* uncompressed bytes handed out */
	char err[256];
};

static void gz_fail(struct gzsrc *g, const char *what)
{
	g->failed = true;
	snprintf(g->err, sizeof(g->err), "gzip: %s", what);
}

/* the next uncompressed bytes into g->out[g->cur]; 0 at the stream's end, -1 on error */
static ssize_t gz_fill(struct gzsrc *g)
{
	unsigned char *o;
	ssize_t n;
	int zr;

	if (g->failed)
		return -1;
	if (g->ended)
		return 0;
	g->cur ^= 1;
	o = g->out[g->cur];
	g->z.next_out = o;
	g->z.avail_out = CHUNK;
	while (g->z.avail_out == CHUNK && !g->ended) {
		if (g->z.avail_in == 0) {
			n = read(g->fd, g->in, CHUNK);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				gz_fail(g, strerror(errno));
				return -1;
			}
			if (n == 0) {
				gz_fail(g, "truncated gzip input (the file ends inside the compressed stream)");
				return -1;
			}
			g->z.next_in = g->in;
			g->z.avail_in = (uInt)n;
		}
		zr = inflate(&g->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			g->ended = true;
		else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			gz_fail(g, g->z.msg ? g->z.msg : "inflate failed");
			if (g->z.avail_out == CHUNK)
				return -1;
			break; /* hand out what came before the damage; the next call fails */
		}
	}
	g->len[g->cur] = CHUNK - g->z.avail_out;
	g->total += g->len[g->cur];
	return (ssize_t)g->len[g->cur];
}

static la_ssize_t gz_read(struct archive *a, void *data, const void **buf)
{
	struct gzsrc *g = data;
	ssize_t n = gz_fill(g);

	if (n < 0) {
		archive_set_error(a, EILSEQ, "%s", g->err);
		return -1;
	}
	*buf = g->out[g->cur];
	return n;
}

/* the header's fields that differ from gzheader, as words, into out */
static void gz_header_diff(const unsigned char *h, char *out, size_t size)
{
	unsigned long mtime = h[4] | (unsigned long)h[5] << 8 | (unsigned long)h[6] << 16 | (unsigned long)h[7] << 24;
	size_t len = 0;

	out[0] = '\0';
#define ADD(...) (len += (size_t)snprintf(out + len, len < size ? size - len : 0, __VA_ARGS__))
	if (h[2] != gzheader[2])
		ADD("%scompression method %u", len ? ", " : "", h[2]);
	if (h[3] != gzheader[3])
		ADD("%sflags 0x%02x (%s%s%s%s)", len ? ", " : "", h[3], h[3] & 4 ? "extra field " : "",
		    h[3] & 8 ? "file name " : "", h[3] & 16 ? "comment " : "", h[3] & 2 ? "header CRC" : "");
	if (mtime)
		ADD("%stime stamp %lu", len ? ", " : "", mtime);
	if (h[8] != gzheader[8])
		ADD("%sextra flags %u", len ? ", " : "", h[8]);
	if (h[9] != gzheader[9])
		ADD("%soperating system %u", len ? ", " : "", h[9]);
#undef ADD
}

/* After the tar's end (libarchive consumed USED uncompressed bytes): the rest of the
 * stream is zeros, its trailer matches, nothing follows it, and the header is ours. */
static void gz_finish(struct gzsrc *g, uint64_t used, struct verify_report *r)
{
	unsigned char h[10];
	char d[300], what[200];
	uint64_t tail = g->total - used, nonzero = 0;
	ssize_t n;

	/* the unconsumed end of what libarchive was given: in the last one or two chunks */
	if (tail > g->len[g->cur] + g->len[g->cur ^ 1])
		tail = g->len[g->cur] + g->len[g->cur ^ 1];
	for (int k = 0; k < 2 && tail; k++) {
		int c = k ? g->cur ^ 1 : g->cur;
		size_t take = tail < g->len[c] ? (size_t)tail : g->len[c];
		for (size_t i = g->len[c] - take; i < g->len[c]; i++)
			nonzero += g->out[c][i] != 0;
		tail -= take;
	}
	while ((n = gz_fill(g)) > 0)
		for (ssize_t i = 0; i < n; i++)
			nonzero += g->out[g->cur][i] != 0;
	if (n < 0) {
		problem(r, VERIFY_CONTAINER, NULL, NULL, NULL, g->err);
		return;
	}
	if (nonzero) {
		snprintf(d, sizeof(d), "%llu non-zero byte%s after the tar archive's end marker", (unsigned long long)nonzero,
		         nonzero == 1 ? "" : "s");
		problem(r, VERIFY_CONTAINER, NULL, NULL, NULL, d);
	}
	if (g->z.avail_in > 0 || (n = read(g->fd, g->in, 1)) > 0) {
		off_t end = lseek(g->fd, 0, SEEK_END), at = (off_t)g->z.total_in; /* header and trailer included */
		long long extra = end > at ? (long long)(end - at) : 1;
		snprintf(d, sizeof(d), "%lld byte%s after the end of the gzip stream", extra, extra == 1 ? "" : "s");
		problem(r, VERIFY_CONTAINER, NULL, NULL, NULL, d);
	}
	if (pread(g->fd, h, sizeof(h), 0) == (ssize_t)sizeof(h) && memcmp(h, gzheader, sizeof(h)) != 0) {
		gz_header_diff(h, what, sizeof(what));
		snprintf(d, sizeof(d), "gzip header differs from the one gilbench writes: %s", what);
		problem(r, VERIFY_CONTAINER, NULL, NULL, NULL, d);
	}
}

int archive_verify(const char *path, struct verify_report *r)
{
	struct archive *a = NULL;
	struct mlist seen = {0}, listed = {0};
	struct buf manifest = {0};
	struct gzsrc *g = NULL;
	unsigned char magic[2];
	struct extract_limits lim;
	struct member_rules *rules = NULL;
	bool has_manifest = false, corrupt = false, zinit = false;
	char *chunk = NULL;
	int fd = -1, rc = -1, opened;

	memset(r, 0, sizeof(*r));
	if (access(path, F_OK) < 0) {
		errorf("%s:", path);
		goto cleanup;
	}
	fd = openreg(path, O_RDONLY); /* a FIFO would block */
	if (fd < 0)
		goto cleanup;
	if (extract_defaults(&lim) < 0)
		goto cleanup;
	lim.strip = true; /* as archive_extract_run extracts it */
	rules = mkmember_rules(&lim);
	a = archive_read_new();
	if (!a)
		fatal("libarchive: out of memory");
	archive_read_support_format_tar(a);
	chunk = xmalloc(CHUNK);
	if (pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		/* gzip, as archive_run writes it: inflated here, trailer and tail checked */
		g = xcalloc(1, sizeof(*g));
		g->fd = fd;
		if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK)
			fatal("zlib: out of memory");
		zinit = true;
		g->in = xmalloc(CHUNK);
		g->out[0] = xmalloc(CHUNK);
		g->out[1] = xmalloc(CHUNK);
		opened = archive_read_open(a, g, NULL, gz_read, NULL);
	} else {
		archive_read_support_filter_all(a);
		opened = archive_read_open_fd(a, fd, 65536);
	}
	if (opened != ARCHIVE_OK) {
		problem(r, VERIFY_CORRUPT, NULL, NULL, NULL, archive_error_string(a));
		corrupt = true;
	} else {
		corrupt = read_members(a, r, &seen, &manifest, &has_manifest, chunk, rules) != 0;
	}
	if (g && corrupt && g->failed && r->nproblems && r->problems[r->nproblems - 1].kind == VERIFY_CORRUPT) {
		/* libarchive words a failed read as its own "truncated input": say what zlib found */
		free(r->problems[r->nproblems - 1].detail);
		r->problems[r->nproblems - 1].detail = xstrdup(g->err);
	}
	if (g && !corrupt) {
		la_int64_t used = archive_filter_bytes(a, 0);
		gz_finish(g, used >= 0 && (uint64_t)used <= g->total ? (uint64_t)used : g->total, r);
	}
	mlist_sort(&seen);
	if (!has_manifest) {
		if (!corrupt) /* else it may lie beyond the damage */
			problem(r, VERIFY_NO_MANIFEST, NULL, NULL, NULL, NULL);
	} else if (manifest.s && parse_manifest(&manifest, r, &listed) == 0) {
		r->listed = listed.n;
		compare(r, &listed, &seen, corrupt);
	}
	rc = r->nproblems ? 1 : 0;
cleanup:
	if (a)
		archive_read_free(a);
	if (fd >= 0)
		close(fd);
	if (g) {
		if (zinit)
			inflateEnd(&g->z);
		free(g->in);
		free(g->out[0]);
		free(g->out[1]);
		free(g);
	}
	mlist_free(&seen);
	mlist_free(&listed);
	buffree(&manifest);
	free(chunk);
	delmember_rules(rules);
	return rc;
}

bool archive_isarchive(const char *path)
{
	size_t n = strlen(path);

	return (n > 7 && strcmp(path + n - 7, ".tar.gz") == 0) || (n > 4 && strcmp(path + n - 4, ".tgz") == 0);
}

/* every problem of a failed verification, one per line, as the error */
static void verify_error(const char *archive, const struct verify_report *r)
{
	struct buf msg = {0};

	bufaddf(&msg, "%s: the archive failed verification (%zu problem%s)", archive, r->nproblems,
	        r->nproblems == 1 ? "" : "s");
	for (size_t i = 0; i < r->nproblems; i++) {
		char *line = verify_problem_str(&r->problems[i]);
		bufaddf(&msg, "\n  %s", line);
		free(line);
	}
	errorf("%s", msg.s);
	buffree(&msg);
}

int archive_extract_run(const char *archive, const char *dest)
{
	struct verify_report r;
	struct extract_limits lim;
	int rc = archive_verify(archive, &r);

	if (rc > 0)
		verify_error(archive, &r);
	verify_report_free(&r);
	if (rc != 0)
		return rc;
	if (extract_defaults(&lim) < 0)
		return -1;
	lim.strip = true;
	if (extract_archive(archive, dest, &lim) < 0)
		return errwrap("extract %s", archive);
	return 0;
}

int archive_open_run(const char *arg, const char *tmp, const char *what, char **dir)
{
	char *dest;
	int rc;

	*dir = NULL;
	if (!archive_isarchive(arg) || isdir(arg)) {
		if (!isdir(arg))
			return errorf("%s: no such run directory or .tar.gz archive", arg);
		*dir = abspath(arg);
		return *dir ? 0 : -1;
	}
	dest = pathjoin(tmp, what);
	rc = archive_extract_run(arg, dest);
	if (rc == 0)
		*dir = dest;
	else
		free(dest);
	return rc;
}
