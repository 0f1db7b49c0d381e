/* extract.c: safe tarball extraction with libarchive (see extract.h).
 *
 * Every member's name is normalised here first (empty and "." components dropped; absolute
 * names and ".." components refused; the top folder stripped when asked), then checked:
 * only folders, regular files, symlinks and hard links pass; a symlink's target must be
 * relative, with ".." only as leading components and never more of them than the link's
 * own depth, so it resolves inside the tree (and, by induction, so does any chain of
 * them); no member may lie under, or replace, a symlink already extracted; a hard link must
 * name a regular file already extracted in the tree. Counts and
 * uncompressed bytes are checked against the limits as we go.
 *
 * Those rules are extract_member_check(), with what they have seen in a struct
 * member_rules (a tsearch map of the accepted names and their types), so that verify
 * (archive.c) applies exactly the same ones; extraction adds only an lstat of a hard
 * link's target on disk.
 *
 * Writing is libarchive's archive_write_disk with the SECURE_* options, permissions masked
 * to 0755 (no setuid, no group or world write), no owners, mtimes kept. It works on
 * relative names with the process's working folder set to DEST.tmp-PID (so the SECURE_*
 * checks and ours see the same names), and goes back to the original folder afterwards.
 * No fsync per file; large read blocks.
 *
 * The archive is opened once with openreg() (a FIFO or a device is refused, never read)
 * and that descriptor is what the second thread reads.
 *
 * Decompression runs in a second thread, as tar runs xz beside itself: that thread reads
 * the file with libarchive's raw format (any filter) and writes the plain tar stream into a
 * pipe that the extracting reader consumes. gzip goes through zlib's gzread instead,
 * because libarchive does not check gzip's CRC-32 and length trailer. The thread keeps its own error text (the error slot is
 * not shared across threads) and reads to the end even after the tar's end marker, so a
 * bad checksum in a gzip or xz trailer is still reported. */
#include "extract.h"
#include "log.h"
#include "spawn.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define BLOCK (1 << 20)

/* what the rules have seen of one archive so far (see extract.h) */
struct member_rules {
	struct extract_limits lim;
	char *top;          /* the stripped top folder, once seen */
	void *seen;         /* tsearch map of the members accepted, by relative name: struct seen */
	uint64_t entries;   /* members */
	uint64_t declared;  /* file bytes their headers declare */
	bool overbytes;     /* declared went over the limit (said once) */
};

struct seen {
	char *name;         /* relative */
	mode_t type;        /* AE_IFREG (hard links too), AE_IFDIR or AE_IFLNK: the last member of that name */
};

struct ex {
	struct member_rules *rules;
	uint64_t bytes;     /* file bytes actually written */
};

struct unpack {                 /* the decompressing thread */
	int in;                 /* the archive, opened by the caller (a regular file) */
	int fd;                 /* write end of the pipe; the thread closes it */
	_Atomic uint64_t raw;   /* compressed bytes read so far */
	bool failed;
	char err[512];
};

/* gzip with zlib, which checks every member's CRC-32 and length */
static void gunzip(struct unpack *u, char *buf)
{
	int fd = lseek(u->in, 0, SEEK_SET) == 0 ? dup(u->in) : -1;
	gzFile g = fd >= 0 ? gzdopen(fd, "rb") : NULL;
	const char *msg;
	int n, zerr = Z_OK;

	if (!g) {
		snprintf(u->err, sizeof(u->err), "gzopen: %s", strerror(errno));
		u->failed = true;
		if (fd >= 0)
			close(fd);
		return;
	}
	gzbuffer(g, BLOCK);
	while ((n = gzread(g, buf, BLOCK)) > 0) {
		if (writefull(u->fd, buf, (size_t)n) < 0)
			break;
		u->raw = (uint64_t)gzoffset(g);
	}
	msg = gzerror(g, &zerr); /* at the end: Z_BUF_ERROR for a truncated file */
	if (n < 0 || (n == 0 && zerr != Z_OK)) {
		if (msg && strncmp(msg, "<fd:", 4) == 0 && strstr(msg, ">: ")) /* gzdopen's name for the file */
			msg = strstr(msg, ">: ") + 3;
		snprintf(u->err, sizeof(u->err), "gzip: %s", msg && *msg ? msg : "unreadable");
		u->failed = true;
	}
	gzclose_r(g);
}

static void *unpack(void *arg)
{
	struct unpack *u = arg;
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *buf = xmalloc(BLOCK);
	la_ssize_t n;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_fd(a, u->in, BLOCK) != ARCHIVE_OK || archive_read_next_header(a, &e) != ARCHIVE_OK)
		goto fail;
	if (archive_filter_code(a, 0) == ARCHIVE_FILTER_GZIP) {
		gunzip(u, buf);
		goto cleanup;
	}
	while ((n = archive_read_data(a, buf, BLOCK)) > 0) {
		if (writefull(u->fd, buf, (size_t)n) < 0)
			goto cleanup; /* the reader stopped: its error is the one that counts */
		u->raw = (uint64_t)archive_filter_bytes(a, -1);
	}
	if (n < 0)
		goto fail;
	goto cleanup;
fail:
	u->failed = true;
	snprintf(u->err, sizeof(u->err), "%s", archive_error_string(a) ? archive_error_string(a) : "unreadable");
cleanup:
	close(u->fd);
	archive_read_free(a);
	free(buf);
	return NULL;
}

int extract_defaults(struct extract_limits *lim)
{
	unsigned long long entries, bytes;

	lim->strip = false;
	lim->label = NULL;
	if (envuint("GILBENCH_MAX_ENTRIES", 100000, &entries) < 0 ||
	    envuint("GILBENCH_MAX_BYTES", (unsigned long long)2 << 30, &bytes) < 0)
		return -1;
	lim->max_entries = entries;
	lim->max_bytes = bytes;
	return 0;
}

/* name normalised into *out (xmalloc'd): "" for the tree's root; -1 with the error */
static int normalise(const char *name, char **out)
{
	struct buf b = { 0 };
	const char *s = name, *e;
	size_t n;

	*out = NULL;
	if (!name || !*name)
		return errorf("member with an empty name");
	if (*name == '/')
		return errorf("%s: absolute path", name);
	while (*s) {
		e = strchrnul(s, '/');
		n = (size_t)(e - s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			buffree(&b);
			return errorf("%s: path has a '..' component", name);
		}
		if (n && !(n == 1 && s[0] == '.')) {
			if (b.len)
				bufadd(&b, "/", 1);
			bufadd(&b, s, n);
		}
		s = *e ? e + 1 : e;
	}
	*out = b.s ? b.s : xstrdup("");
	return 0;
}

/* name normalised and stripped of the top folder: *rel "" for the top folder itself */
static int relname(struct member_rules *x, const char *name, char **rel)
{
	char *norm, *slash;
	size_t n;

	if (normalise(name, &norm) < 0)
		return -1;
	if (!x->lim.strip) {
		*rel = norm;
		return 0;
	}
	slash = strchr(norm, '/');
	n = slash ? (size_t)(slash - norm) : strlen(norm);
	if (!n) {
		free(norm);
		return errorf("%s: member outside the top-level folder", name);
	}
	if (!x->top)
		x->top = xstrndup(norm, n);
	if (strlen(x->top) != n || memcmp(x->top, norm, n) != 0) {
		errorf("%s: member outside the single top-level folder %s/", name, x->top);
		free(norm);
		return -1;
	}
	*rel = xstrdup(slash ? slash + 1 : "");
	free(norm);
	return 0;
}

static int cmpseen(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->name, ((const struct seen *)b)->name);
}

/* the type of the last member accepted at rel, or 0 */
static mode_t seentype(struct member_rules *x, const char *rel)
{
	struct seen key = { .name = (char *)rel }, **f = x->seen ? tfind(&key, &x->seen, cmpseen) : NULL;

	return f ? (*f)->type : 0;
}

static void remember(struct member_rules *x, const char *rel, mode_t type)
{
	struct seen *s = xmalloc(sizeof(*s)), **f;

	s->name = xstrdup(rel);
	s->type = type;
	f = tsearch(s, &x->seen, cmpseen);
	if (*f != s) {
		(*f)->type = type;
		free(s->name);
		free(s);
	}
}

static void freeseen(void *p)
{
	struct seen *s = p;

	free(s->name);
	free(s);
}

/* -1 when rel or a folder above it is a symlink accepted before */
static int notthroughlink(struct member_rules *x, const char *name, const char *rel)
{
	char *p = xstrdup(rel), *s;
	int rc = 0;

	if (seentype(x, p) == AE_IFLNK) {
		rc = errorf("%s: replaces a symlink", name);
		goto cleanup;
	}
	while ((s = strrchr(p, '/'))) {
		*s = 0;
		if (seentype(x, p) == AE_IFLNK) {
			rc = errorf("%s: path goes through the symlink %s", name, p);
			break;
		}
	}
cleanup:
	free(p);
	return rc;
}

/* a symlink at rel with this target stays inside the tree */
static int checklink(const char *name, const char *rel, const char *target)
{
	int depth = 0, up = 0;
	bool down = false;
	const char *s, *e;
	size_t n;

	if (!target || !*target)
		return errorf("%s: symlink with an empty target", name);
	if (*target == '/')
		return errorf("%s: symlink to an absolute path (%s)", name, target);
	for (s = rel; (s = strchr(s, '/')); s++)
		depth++;
	for (s = target; *s; s = *e ? e + 1 : e) {
		e = strchrnul(s, '/');
		n = (size_t)(e - s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (down)
				return errorf("%s: symlink target %s has '..' after a folder name", name, target);
			if (++up > depth)
				return errorf("%s: symlink points outside the tree (%s)", name, target);
		} else if (n && !(n == 1 && s[0] == '.')) {
			down = true;
		}
	}
	return 0;
}

/* the member's own type may be extracted: folders, files, symlinks staying in the tree */
static int checktype(const char *name, const char *rel, struct archive_entry *e)
{
	mode_t type = archive_entry_filetype(e);

	switch (type) {
	case AE_IFREG:
	case AE_IFDIR:
		return 0;
	case AE_IFLNK:
		return checklink(name, rel, archive_entry_symlink(e));
	case AE_IFCHR:
	case AE_IFBLK:
		return errorf("%s: device node", name);
	case AE_IFIFO:
		return errorf("%s: FIFO", name);
	case AE_IFSOCK:
		return errorf("%s: socket", name);
	default:
		return errorf("%s: unsupported member type 0%o", name, (unsigned)type);
	}
}

struct member_rules *mkmember_rules(const struct extract_limits *lim)
{
	struct member_rules *x = xcalloc(1, sizeof(*x));

	if (lim)
		x->lim = *lim;
	else if (extract_defaults(&x->lim) < 0) {
		free(x);
		return NULL;
	}
	x->lim.label = NULL;
	return x;
}

void delmember_rules(struct member_rules *x)
{
	if (!x)
		return;
	tdestroy(x->seen, freeseen);
	free(x->top);
	free(x);
}

int extract_member_check(struct member_rules *x, struct archive_entry *e, char **relp, char **hrelp)
{
	const char *name = archive_entry_pathname(e), *hl = archive_entry_hardlink(e);
	char *rel = NULL, *hrel = NULL;
	mode_t type = archive_entry_filetype(e);
	int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
	int rc = -1;

	if (relp)
		*relp = NULL;
	if (hrelp)
		*hrelp = NULL;
	if (!name)
		return errorf("member with no name");
	if (++x->entries == x->lim.max_entries + 1) /* once: the walk may go on (verify) */
		return errorf("%s: more than %" PRIu64 " members (GILBENCH_MAX_ENTRIES)", name, x->lim.max_entries);
	if (relname(x, name, &rel) < 0)
		goto cleanup;
	if (!*rel) {
		if (hl || (type && type != AE_IFDIR))
			errorf("%s: not a folder where the tree's root is", name);
		else
			rc = 1;
		goto cleanup;
	}
	if (notthroughlink(x, name, rel) < 0)
		goto cleanup;
	if (size > 0 && !x->overbytes && (uint64_t)size > x->lim.max_bytes - x->declared) {
		x->overbytes = true; /* said once */
		errorf("%s: more than %" PRIu64 " bytes uncompressed (GILBENCH_MAX_BYTES)", name, x->lim.max_bytes);
		goto cleanup;
	}
	if (hl) {
		if (relname(x, hl, &hrel) < 0) {
			errwrap("%s: hard link", name);
			goto cleanup;
		}
		if (!*hrel || notthroughlink(x, name, hrel) < 0 || seentype(x, hrel) != AE_IFREG) {
			errorf("%s: hard link to %s, which is not a file already extracted in the tree", name, hl);
			goto cleanup;
		}
		type = AE_IFREG;
	} else if (checktype(name, rel, e) < 0) {
		goto cleanup;
	}
	if (size > 0 && !x->overbytes)
		x->declared += (uint64_t)size;
	remember(x, rel, type);
	rc = 0;
cleanup:
	if (rc == 0 && relp) {
		*relp = rel;
		rel = NULL;
	}
	if (rc == 0 && hrelp) {
		*hrelp = hrel;
		hrel = NULL;
	}
	free(rel);
	free(hrel);
	return rc;
}

/* check one member with the rules and rewrite its names to the relative, stripped ones,
 * its permissions to 0755 at most; 1: skip it */
static int check(struct ex *x, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	char *rel = NULL, *hrel = NULL;
	struct stat st;
	int rc = extract_member_check(x->rules, e, &rel, &hrel);

	if (rc != 0)
		return rc;
	if (hrel) { /* what the rules saw is also what is on disk */
		if (lstat(hrel, &st) < 0 || !S_ISREG(st.st_mode)) {
			rc = errorf("%s: hard link to %s, which is not a file already extracted in the tree", name,
			            archive_entry_hardlink(e));
			goto cleanup;
		}
		archive_entry_set_hardlink(e, hrel);
		archive_entry_set_perm(e, (archive_entry_perm(e) & 0755) | 0600);
	} else if (archive_entry_filetype(e) == AE_IFREG) {
		archive_entry_set_perm(e, (archive_entry_perm(e) & 0755) | 0600);
	} else if (archive_entry_filetype(e) == AE_IFDIR) {
		archive_entry_set_perm(e, (archive_entry_perm(e) & 0755) | 0700);
	}
	archive_entry_set_pathname(e, rel);
cleanup:
	free(rel);
	free(hrel);
	return rc;
}

static int copydata(struct ex *x, struct archive *in, struct archive *out, const char *name)
{
	const void *p;
	size_t n;
	la_int64_t off;
	int r;

	for (;;) {
		r = archive_read_data_block(in, &p, &n, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return errorf("%s: %s", name, archive_error_string(in));
		if (n > x->rules->lim.max_bytes - x->bytes)
			return errorf("%s: more than %" PRIu64 " bytes uncompressed (GILBENCH_MAX_BYTES)", name,
			              x->rules->lim.max_bytes);
		x->bytes += n;
		if (archive_write_data_block(out, p, n, off) < ARCHIVE_WARN)
			return errorf("%s: %s", name, archive_error_string(out));
	}
}

/* one extraction: what extract_archive() holds and releases */
struct job {
	struct ex x;
	char *adest;            /* DEST, absolute */
	char *tmp;              /* DEST.tmp-PID, renamed to DEST at the end */
	bool moved;             /* tmp is DEST now */
	struct unpack u;        /* the decompressing thread's side */
	pthread_t th;
	bool started;           /* th runs, not joined yet */
	int pfd[2];             /* the plain tar stream: pfd[0] is read here */
	struct archive *in;     /* the tar reader on pfd[0] */
	struct archive *out;    /* the disk writer, relative to tmp */
	int cwd;                /* the original working folder, while in tmp */
	char *label, *name;     /* the progress label; the member being extracted */
	struct progress *prog;
};

/* the thread's error, with a hint when its input ended early */
static int unpackerror(const struct unpack *u)
{
	return errorf("%s%s", u->err, strstr(u->err, "No progress is possible") ? " (truncated input)" : "");
}

/* the rules, DEST's absolute name (it must not exist), the archive opened, DEST's folder
 * made, and DEST.tmp-PID made empty */
static int prepare(struct job *j, const char *archive, const char *dest, const struct extract_limits *lim)
{
	char *parent = NULL;
	int rc = -1;

	if (!(j->x.rules = mkmember_rules(lim)))
		goto cleanup;
	if (!(j->adest = abspath(dest)))
		goto cleanup;
	if (exists(j->adest)) {
		errorf("%s already exists", j->adest);
		goto cleanup;
	}
	if ((j->u.in = openreg(archive, O_RDONLY)) < 0) /* a FIFO would block every read */
		goto cleanup;
	parent = xstrdup(j->adest);
	*strrchr(parent, '/') = 0;
	if (*parent && mkdirp(parent, 0755) < 0)
		goto cleanup;
	j->tmp = xasprintf("%s.tmp-%ld", j->adest, (long)getpid());
	if (rmtree(j->tmp) < 0 || mkdir(j->tmp, 0755) < 0) {
		errorf("mkdir %s:", j->tmp);
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(parent);
	return rc;
}

/* the pipe, and the thread that decompresses the archive into it */
static int startunpack(struct job *j)
{
	if (pipe2(j->pfd, O_CLOEXEC) < 0)
		return errorf("pipe:");
	(void)fcntl(j->pfd[1], F_SETPIPE_SZ, BLOCK); /* fewer switches between the threads; a hint */
	j->u.fd = j->pfd[1];
	j->pfd[1] = -1;
	if ((errno = pthread_create(&j->th, NULL, unpack, &j->u)) != 0) {
		close(j->u.fd);
		return errorf("pthread_create:");
	}
	j->started = true;
	return 0;
}

/* the tar reader on the pipe, the disk writer, the working folder moved into tmp, and the
 * progress over the archive's size */
static int openstreams(struct job *j, const char *archive, const struct extract_limits *lim)
{
	const char *base;
	struct stat st;

	j->in = archive_read_new();
	archive_read_support_format_tar(j->in);
	if (archive_read_open_fd(j->in, j->pfd[0], BLOCK) != ARCHIVE_OK)
		return errorf("%s", archive_error_string(j->in));
	j->out = archive_write_disk_new();
	archive_write_disk_set_options(j->out, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
	                                           ARCHIVE_EXTRACT_SECURE_SYMLINKS |
	                                           ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	if ((j->cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errorf("open the current folder:");
	if (chdir(j->tmp) < 0)
		return errorf("chdir %s:", j->tmp);
	base = strrchr(archive, '/') ? strrchr(archive, '/') + 1 : archive;
	j->label = lim && lim->label ? xstrdup(lim->label) : xasprintf("extracting %s", base);
	j->prog = mkprogress(j->label, PROGRESS_BYTES);
	if (fstat(j->u.in, &st) == 0)
		progress_total(j->prog, (uint64_t)st.st_size);
	return 0;
}

/* every member, checked by the rules, onto the disk under tmp */
static int copyall(struct job *j)
{
	struct archive_entry *e;
	int r, skip;

	for (;;) {
		r = archive_read_next_header(j->in, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return errorf("%s", archive_error_string(j->in));
		if (spawn_interrupted)
			return errorf("interrupted");
		free(j->name);
		j->name = xstrdup(archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
		if ((skip = check(&j->x, e)) < 0)
			return -1;
		if (skip)
			continue;
		if (archive_write_header(j->out, e) < ARCHIVE_WARN)
			return errorf("%s: %s", j->name, archive_error_string(j->out));
		if (archive_entry_size(e) > 0 && copydata(&j->x, j->in, j->out, j->name) < 0)
			return -1;
		if (archive_write_finish_entry(j->out) < ARCHIVE_WARN)
			return errorf("%s: %s", j->name, archive_error_string(j->out));
		if ((j->x.rules->entries & 255) == 0) {
			progress_note(j->prog, "%" PRIu64 " members", j->x.rules->entries);
			progress_set(j->prog, j->u.raw);
		}
	}
}

/* after the last member: the thread's word on the whole stream (its trailer too), the
 * folders' times and modes, and tmp renamed to DEST */
static int finish(struct job *j)
{
	char drain[4096];
	ssize_t got;

	while ((got = read(j->pfd[0], drain, sizeof(drain))) > 0 || (got < 0 && errno == EINTR))
		; /* past the tar's end marker: let the thread check the trailer */
	close(j->pfd[0]);
	j->pfd[0] = -1;
	pthread_join(j->th, NULL);
	j->started = false;
	if (j->u.failed)
		return unpackerror(&j->u);
	if (j->x.rules->entries == 0)
		return errorf("no members");
	if (archive_write_close(j->out) != ARCHIVE_OK) /* folder times and modes, still relative to tmp */
		return errorf("%s", archive_error_string(j->out));
	if (fchdir(j->cwd) < 0)
		return errorf("fchdir back:");
	close(j->cwd);
	j->cwd = -1;
	if (rename(j->tmp, j->adest) < 0)
		return errorf("rename %s to %s:", j->tmp, j->adest);
	j->moved = true;
	progress_set(j->prog, j->u.raw);
	progress_done(j->prog, "%" PRIu64 " members, %.1f MiB", j->x.rules->entries, (double)j->x.bytes / (1 << 20));
	j->prog = NULL;
	return 0;
}

/* after a failure: a broken stream often shows up in the reader first, so let the
 * decompressor reach its checksum (within reason) and, when it failed, say why */
static void blameunpack(struct job *j)
{
	char drain[4096];
	ssize_t got;

	if (j->pfd[0] >= 0) {
		for (size_t left = 16 << 20; left && (got = read(j->pfd[0], drain, sizeof(drain))) != 0;)
			if (got > 0)
				left = (size_t)got < left ? left - (size_t)got : 0;
			else if (errno != EINTR)
				break;
		close(j->pfd[0]);
		j->pfd[0] = -1;
	}
	if (j->started) {
		pthread_join(j->th, NULL);
		j->started = false;
		if (j->u.failed)
			unpackerror(&j->u);
	}
}

int extract_archive(const char *archive, const char *dest, const struct extract_limits *lim)
{
	struct job j = { .u = { .in = -1, .fd = -1 }, .pfd = { -1, -1 }, .cwd = -1 };
	int rc = -1;

	if (prepare(&j, archive, dest, lim) < 0 || startunpack(&j) < 0 || openstreams(&j, archive, lim) < 0 ||
	    copyall(&j) < 0 || finish(&j) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	if (rc < 0)
		blameunpack(&j);
	if (j.pfd[0] >= 0)
		close(j.pfd[0]);
	if (j.pfd[1] >= 0)
		close(j.pfd[1]);
	if (j.started)
		pthread_join(j.th, NULL);
	if (j.u.in >= 0)
		close(j.u.in);
	if (j.out)
		archive_write_free(j.out); /* before leaving tmp: it may still fix up folders by relative name */
	if (j.cwd >= 0) {
		if (fchdir(j.cwd) < 0)
			warn("cannot go back to the original folder");
		close(j.cwd);
	}
	if (j.prog)
		progress_done(j.prog, "failed");
	if (j.in)
		archive_read_free(j.in);
	if (rc < 0 && j.tmp && !j.moved)
		rmtree(j.tmp);
	delmember_rules(j.x.rules);
	free(j.name);
	free(j.label);
	free(j.tmp);
	free(j.adest);
	return rc;
}
