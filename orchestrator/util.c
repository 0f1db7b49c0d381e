/* util.c: allocation, strings, files and the error slot (see util.h).
 *
 * The error slot is one static buffer: gilbench is single-threaded, and a message only
 * has to live from the failing call up to main, which prints it. */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char errbuf[8192];

static void verrset(const char *fmt, va_list ap, int saved)
{
	size_t n;

	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	n = strlen(errbuf);
	if (n && errbuf[n - 1] == ':')
		snprintf(errbuf + n, sizeof(errbuf) - n, " %s", strerror(saved));
}

int errorf(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	verrset(fmt, ap, saved);
	va_end(ap);
	errno = saved;
	return -1;
}

int errwrap(const char *fmt, ...)
{
	char prefix[2048];
	size_t np, nold = strlen(errbuf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	strcat(prefix, ": ");
	np = strlen(prefix);
	if (np + nold >= sizeof(errbuf))
		nold = sizeof(errbuf) - np - 1;
	memmove(errbuf + np, errbuf, nold);
	memcpy(errbuf, prefix, np);
	errbuf[np + nold] = '\0';
	return -1;
}

const char *errmsg(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	fflush(stdout);
	fprintf(stderr, "gilbench: %s", kind);
	vfprintf(stderr, fmt, ap);
	if (n && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fatal("malloc:");
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		fatal("calloc:");
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		fatal("reallocarray: overflow");
	p = realloc(p, n && size ? n * size : 1);
	if (!p)
		fatal("realloc:");
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatal("vasprintf:");
	va_end(ap);
	return s;
}

static void bufgrow(struct buf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	b->cap = b->cap ? b->cap : 64;
	while (b->cap < b->len + n + 1)
		b->cap *= 2;
	b->s = xreallocarray(b->s, b->cap, 1);
}

void bufadd(struct buf *b, const void *p, size_t n)
{
	bufgrow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void bufadds(struct buf *b, const char *s)
{
	bufadd(b, s, strlen(s));
}

void bufaddf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("vsnprintf:");
	bufgrow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buffree(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void strlist_addown(struct strlist *l, char *s)
{
	l->v = xreallocarray(l->v, l->n + 2, sizeof(*l->v));
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

void strlist_add(struct strlist *l, const char *s)
{
	strlist_addown(l, xstrdup(s));
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

char *pathjoin(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (b[0] == '/')
		return xstrdup(b);
	return xasprintf("%s%s%s", a, n && a[n - 1] == '/' ? "" : "/", b);
}

int mkdirp(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			rc = errorf("mkdir %s:", p);
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	if (rc == 0 && !isdir(path))
		rc = errorf("%s: exists and is not a folder", path);
	free(p);
	return rc;
}

static int rmat(int dirfd, const char *name)
{
	struct stat st;
	int fd, rc = 0;
	DIR *d;
	struct dirent *e;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : errorf("stat %s:", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return errorf("unlink %s:", name);
		return 0;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errorf("open %s:", name);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return errorf("opendir %s:", name);
	}
	while (rc == 0 && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		rc = rmat(fd, e->d_name);
		if (rc < 0)
			errwrap("%s", name);
	}
	closedir(d);
	if (rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = errorf("rmdir %s:", name);
	return rc;
}

int rmtree(const char *path)
{
	return rmat(AT_FDCWD, path);
}

bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool isdir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool isregular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Opened with O_NONBLOCK, so that a FIFO cannot block the open (nor a FIFO opened for
 * writing with no reader: ENXIO), checked with fstat, then made blocking again. */
int openreg(const char *path, int flags)
{
	struct stat st;
	int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC, 0644), fl;

	if (fd < 0) {
		if (errno == ENXIO && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			return errorf("%s: not a regular file (%s)", path, filekind(st.st_mode));
		if (errno == ELOOP && (flags & O_NOFOLLOW) && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return errorf("%s: not a regular file (a symlink, not followed)", path);
		return errorf("open %s:", path);
	}
	if (fstat(fd, &st) < 0) {
		errorf("stat %s:", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return errorf("%s: not a regular file (%s)", path, filekind(st.st_mode));
	}
	if (!(flags & O_NONBLOCK) && ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)) {
		errorf("fcntl %s:", path);
		close(fd);
		return -1;
	}
	return fd;
}

int readfile(const char *path, char **data, size_t *len)
{
	struct buf b = {0};
	char chunk[65536];
	ssize_t n;
	int fd = openreg(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			buffree(&b);
			return errorf("read %s:", path);
		}
		bufadd(&b, chunk, (size_t)n);
	}
	close(fd);
	if (!b.s)
		bufadd(&b, "", 0);
	*data = b.s;
	if (len)
		*len = b.len;
	return 0;
}

int writefull(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int writeall(int fd, const void *data, size_t len, const char *what)
{
	return writefull(fd, data, len) < 0 ? errorf("write %s:", what) : 0;
}

int fsyncdir(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int fd, rc = 0;

	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		rc = errorf("fsync %s:", dir);
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

const char *filekind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a folder";
	case S_IFLNK: return "a symlink";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	}
	return "not a file";
}

int canreplace(const char *path, bool folder)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : errorf("%s:", path);
	if (folder ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode))
		return 0;
	return errorf("%s: exists and is %s, not %s; not replaced", path, filekind(st.st_mode),
	              folder ? "a folder" : "a regular file");
}

int writefile(const char *path, const void *data, size_t len)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd, rc = -1;

	if (canreplace(path, false) < 0)
		goto cleanup;
	unlink(tmp); /* a leftover of a process with our pid; never opened, whatever it is */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		errorf("create %s:", tmp);
		goto cleanup;
	}
	if (writeall(fd, data, len, tmp) < 0 || (fsync(fd) < 0 && errorf("fsync %s:", tmp) < 0)) {
		close(fd);
		unlink(tmp);
		goto cleanup;
	}
	if (close(fd) < 0) {
		errorf("close %s:", tmp);
		unlink(tmp);
		goto cleanup;
	}
	if (canreplace(path, false) < 0) {
		unlink(tmp);
		goto cleanup;
	}
	if (rename(tmp, path) < 0) {
		errorf("rename %s:", path);
		unlink(tmp);
		goto cleanup;
	}
	rc = fsyncdir(path);
cleanup:
	free(tmp);
	return rc;
}

int copyfile(const char *from, const char *to)
{
	struct stat st;
	char *data = NULL;
	size_t len;
	int rc;

	if (stat(from, &st) < 0)
		return errorf("stat %s:", from);
	if (readfile(from, &data, &len) < 0)
		return -1;
	rc = writefile(to, data, len);
	if (rc == 0 && chmod(to, st.st_mode & 07777) < 0)
		rc = errorf("chmod %s:", to);
	free(data);
	return rc;
}

char *abspath(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return xstrdup(path);
	if (!getcwd(cwd, sizeof(cwd))) {
		errorf("getcwd:");
		return NULL;
	}
	if (strcmp(path, ".") == 0)
		return xstrdup(cwd);
	return pathjoin(cwd, path[0] == '.' && path[1] == '/' ? path + 2 : path);
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int listdir_suffix(const char *dir, const char *suffix, struct strlist *out)
{
	size_t ns = strlen(suffix);
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return errorf("open folder %s:", dir);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] != '.' && n >= ns && strcmp(e->d_name + n - ns, suffix) == 0)
			strlist_add(out, e->d_name);
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmpstr);
	return 0;
}

int envuint(const char *name, unsigned long long def, unsigned long long *out)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	*out = def;
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || errno || *end || v == 0)
		return errorf("%s=%s: expected a whole number above 0", name, s);
	*out = v;
	return 0;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *utcstamp(bool compact)
{
	char s[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), compact ? "%Y%m%dT%H%M%SZ" : "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(s);
}

int ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

char *mktmpdir(const char *what)
{
	const char *t = getenv("TMPDIR");
	char *dir = xasprintf("%s/gilbench-%s-XXXXXX", t && *t == '/' ? t : "/tmp", what);

	if (!mkdtemp(dir)) {
		errorf("%s:", dir);
		free(dir);
		return NULL;
	}
	return dir;
}

void envset(struct strlist *env, const char *key, const char *value)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], key, klen) == 0 && env->v[i][klen] == '=') {
			free(env->v[i]);
			env->v[i] = xasprintf("%s=%s", key, value);
			return;
		}
	strlist_addown(env, xasprintf("%s=%s", key, value));
}

int writejson(const char *path, json_t *doc, size_t flags)
{
	char *text = json_dumps(doc, flags);
	struct buf b = {0};
	int rc;

	if (!text)
		return errorf("%s: cannot encode the JSON document", path);
	bufadds(&b, text);
	bufadds(&b, "\n");
	rc = writefile(path, b.s, b.len);
	buffree(&b);
	free(text);
	return rc;
}

int readjson(const char *path, bool optional, json_t **out)
{
	json_error_t err;
	char *text = NULL;
	size_t len;

	*out = NULL;
	if (optional && !exists(path))
		return 0;
	if (readfile(path, &text, &len) < 0)
		return -1;
	*out = json_loadb(text, len, 0, &err);
	free(text);
	if (!*out)
		return errorf("%s:%d:%d: %s", path, err.line, err.column, err.text);
	return 0;
}

char *findexec(const char *name)
{
	const char *path = getenv("PATH");

	while (path && *path) {
		size_t n = strcspn(path, ":");
		char *dir = n ? xstrndup(path, n) : xstrdup("."), *f = pathjoin(dir, name);
		free(dir);
		if (access(f, X_OK) == 0 && isregular(f))
			return f;
		free(f);
		path += n;
		if (*path == ':')
			path++;
	}
	return NULL;
}

char *jstrdup(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}
