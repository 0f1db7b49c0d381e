/* fetch.c: tarballs into the content-addressed download cache (see fetch.h).
 *
 * fetch_tarball: a cached CACHE/downloads/SHA256 is re-hashed (cheap next to a build) and
 * used; otherwise, under CACHE/locks/download-SHA256.lock (a second gilbench waits, then
 * finds the file), each place is tried in order into SHA256.part, which is verified and
 * renamed into place, or deleted, with the reason kept for the final error.
 *
 * fetch_url: one libcurl easy transfer per attempt, writing to the .part with our own
 * write callback. Up to 4 attempts on transient failures (connect, timeouts, partial
 * transfers, receive errors, 5xx) with back-off 1, 2, 4 s; a later attempt resumes from
 * the bytes already there (CURLOPT_RESUME_FROM_LARGE); when the server ignores the range
 * (curl's CURLE_RANGE_ERROR) the file is emptied and the download starts over, once. The progress
 * callback only hands numbers to log.h, and aborts the transfer when gilbench is asked to
 * stop. A file:// place must name a regular file (checked with openreg() first: curl would
 * block for ever opening a FIFO), and the .part is opened the same way.
 *
 * debian-source:PKG=VERSION runs apt-get (through spawn.h) with its own sources.list,
 * lists and cache under CACHE/apt, so the machine's apt configuration is neither needed
 * nor touched; `apt-get update` runs only when the lists are missing or over a day old
 * (CACHE/apt/updated is touched after each successful update). */
#include "fetch.h"
#include "hash.h"
#include "lock.h"
#include "log.h"
#include "spawn.h"
#include "util.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef VERSION
#define VERSION "0.1.0"
#endif

#define ATTEMPTS 4

static const char *suites[] = {
	"http://deb.debian.org/debian trixie",
	"http://deb.debian.org/debian trixie-updates",
	"http://deb.debian.org/debian-security trixie-security",
	"http://deb.debian.org/debian bookworm",
	"http://deb.debian.org/debian bookworm-updates",
	"http://deb.debian.org/debian-security bookworm-security",
};

struct xfer {
	int fd;
	curl_off_t from;        /* resumed from this offset */
	int werr;               /* errno of a failed write */
	struct progress *prog;
	CURL *c;
};

/* A file:// url must name a regular file: curl would block opening a FIFO. Other urls pass. */
static int fileurl_check(const char *url)
{
	CURLU *u;
	char *path = NULL;
	int fd, rc = 0;

	if (strncmp(url, "file://", 7) != 0)
		return 0;
	if (!(u = curl_url()))
		fatal("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) != CURLUE_OK)
		rc = errorf("%s: not a valid file:// url", url);
	else if ((fd = openreg(path, O_RDONLY)) < 0)
		rc = errwrap("%s", url);
	else
		close(fd);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

static size_t onwrite(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	if (writefull(x->fd, p, size * n) < 0) {
		x->werr = errno;
		return 0;
	}
	return size * n;
}

static int onprogress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;

	(void)ultotal;
	(void)ulnow;
	if (spawn_interrupted)
		return 1;
	if (dltotal > 0)
		progress_total(x->prog, (uint64_t)(dltotal + x->from));
	progress_set(x->prog, (uint64_t)(dlnow + x->from));
	return 0;
}

static bool transient(CURLcode r, long code)
{
	switch (r) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		return true;
	case CURLE_HTTP_RETURNED_ERROR:
		return code >= 500;
	default:
		return false;
	}
}

/* sleep s seconds unless interrupted */
static void backoff(int s)
{
	struct timespec ts = { s, 0 };

	while (!spawn_interrupted && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int fetch_url(const char *url, const char *dest, const char *what)
{
	static bool inited;
	struct xfer x = { .fd = -1 };
	char errbuf[CURL_ERROR_SIZE];
	struct stat st;
	CURLcode r = CURLE_OK;
	unsigned long long connect, lowspeed;
	long code = 0;
	int rc = -1;
	bool restarted = false;

	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return errorf("%s: curl_global_init failed", url);
		inited = true;
	}
	if (envuint("GILBENCH_CONNECT_TIMEOUT", 15, &connect) < 0 || envuint("GILBENCH_LOW_SPEED_TIME", 30, &lowspeed) < 0 ||
	    fileurl_check(url) < 0 || (x.fd = openreg(dest, O_WRONLY | O_CREAT | O_NOFOLLOW)) < 0)
		return -1;
	x.prog = mkprogress(what, PROGRESS_BYTES);
	for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
		if (fstat(x.fd, &st) < 0 || lseek(x.fd, st.st_size, SEEK_SET) < 0) {
			errorf("%s:", dest);
			goto cleanup;
		}
		x.from = st.st_size;
		x.werr = 0;
		errbuf[0] = 0;
		if (!(x.c = curl_easy_init())) {
			errorf("%s: curl_easy_init failed", url);
			goto cleanup;
		}
		curl_easy_setopt(x.c, CURLOPT_URL, url);
		curl_easy_setopt(x.c, CURLOPT_PROTOCOLS_STR, "http,https,file");
		curl_easy_setopt(x.c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(x.c, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(x.c, CURLOPT_MAXREDIRS, 10L);
		curl_easy_setopt(x.c, CURLOPT_FAILONERROR, 1L);
		curl_easy_setopt(x.c, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(x.c, CURLOPT_USERAGENT, "gilbench/" VERSION);
		curl_easy_setopt(x.c, CURLOPT_CONNECTTIMEOUT, (long)(connect > LONG_MAX ? LONG_MAX : connect));
		curl_easy_setopt(x.c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
		curl_easy_setopt(x.c, CURLOPT_LOW_SPEED_TIME, (long)(lowspeed > LONG_MAX ? LONG_MAX : lowspeed));
		curl_easy_setopt(x.c, CURLOPT_WRITEFUNCTION, onwrite);
		curl_easy_setopt(x.c, CURLOPT_WRITEDATA, &x);
		curl_easy_setopt(x.c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(x.c, CURLOPT_XFERINFOFUNCTION, onprogress);
		curl_easy_setopt(x.c, CURLOPT_XFERINFODATA, &x);
		curl_easy_setopt(x.c, CURLOPT_NOSIGNAL, 1L);
		if (x.from > 0)
			curl_easy_setopt(x.c, CURLOPT_RESUME_FROM_LARGE, x.from);
		r = curl_easy_perform(x.c);
		code = 0;
		curl_easy_getinfo(x.c, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_cleanup(x.c);
		x.c = NULL;
		if (r == CURLE_OK || (r == CURLE_HTTP_RETURNED_ERROR && code == 416 && x.from > 0)) {
			rc = 0; /* 416: all of it was already there; the hash decides */
			goto cleanup;
		}
		if (r == CURLE_RANGE_ERROR && x.from > 0 && !restarted) {
			logmsg("%s: the server ignores ranges; starting over", url);
			if (ftruncate(x.fd, 0) < 0) {
				errorf("truncate %s:", dest);
				goto cleanup;
			}
			restarted = true;
			attempt--;
			continue;
		}
		if (r == CURLE_WRITE_ERROR && x.werr) {
			errno = x.werr;
			errorf("%s: write %s:", url, dest);
			goto cleanup;
		}
		if (r == CURLE_ABORTED_BY_CALLBACK && spawn_interrupted) {
			errorf("%s: interrupted", url);
			goto cleanup;
		}
		errorf("%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(r));
		if (!transient(r, code) || attempt == ATTEMPTS) {
			if (attempt > 1)
				errorf("%s: %s (after %d attempts)", url, errbuf[0] ? errbuf : curl_easy_strerror(r), attempt);
			goto cleanup;
		}
		logmsg("%s; retrying in %d s (attempt %d of %d)", errmsg(), 1 << (attempt - 1), attempt + 1, ATTEMPTS);
		progress_note(x.prog, "attempt %d of %d", attempt + 1, ATTEMPTS);
		backoff(1 << (attempt - 1));
		if (spawn_interrupted) {
			errorf("%s: interrupted", url);
			goto cleanup;
		}
	}
cleanup:
	if (x.c)
		curl_easy_cleanup(x.c);
	if (x.fd >= 0 && close(x.fd) < 0 && rc == 0)
		rc = errorf("close %s:", dest);
	progress_done(x.prog, rc == 0 ? "done" : "failed");
	return rc;
}

/* PKG=VERSION checked: both from Debian's character sets, nothing that reads as an option
 * or means something to a shell; pkg and ver may be NULL */
static int debspec(const char *spec, char **pkg, char **ver)
{
	const char *eq = strchr(spec, '=');

	if (pkg)
		*pkg = NULL;
	if (ver)
		*ver = NULL;
	if (!eq || eq == spec || !eq[1])
		return errorf("expected debian-source:PACKAGE=VERSION");
	for (const char *s = spec; s < eq; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || (s > spec && strchr("+-.", *s))))
			return errorf("bad package name (Debian's: a-z, 0-9, then also + - .)");
	for (const char *s = eq + 1; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      (s > eq + 1 && strchr("+-.~:", *s))))
			return errorf("bad version (Debian's: A-Z, a-z, 0-9, then also + - . ~ :)");
	if (pkg)
		*pkg = xstrndup(spec, (size_t)(eq - spec));
	if (ver)
		*ver = xstrdup(eq + 1);
	return 0;
}

static bool hasprefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

int fetch_place_check(const char *place)
{
	CURLU *u;
	CURLUcode r;

	if (hasprefix(place, "debian-source:"))
		return debspec(place + strlen("debian-source:"), NULL, NULL) < 0 ? errwrap("%s", place) : 0;
	if (!hasprefix(place, "https://") && !hasprefix(place, "http://") && !hasprefix(place, "file://"))
		return errorf("%s: unsupported kind of place (https://, http://, file:// or debian-source:PACKAGE=VERSION)",
		              place);
	if (!(u = curl_url()))
		fatal("curl_url: out of memory");
	r = curl_url_set(u, CURLUPART_URL, place, 0); /* refuses spaces, control characters, ... */
	curl_url_cleanup(u);
	if (r == CURLUE_OK)
		return 0;
	if (hasprefix(place, "file://"))
		return errorf("%s: %s (a file:// place is an absolute path: file:///PATH)", place, curl_url_strerror(r));
	return errorf("%s: %s", place, curl_url_strerror(r));
}

/* run apt-get with the private state; the last line of its stderr in the error */
static int aptget(const struct strlist *base, const char *cwd, const char *const *args)
{
	struct strlist argv = { 0 };
	struct spawnres res = { 0 };
	struct spawnopts o = { 0 };
	const char *what = args[0];
	char *last = NULL;
	size_t n;
	int rc = -1;

	for (size_t i = 0; i < base->n; i++)
		strlist_add(&argv, base->v[i]);
	for (; *args; args++)
		strlist_add(&argv, *args);
	o.argv = argv.v;
	o.cwd = cwd;
	o.capture = true;
	o.newgroup = true;
	o.timeout = 900;
	if (spawn(&o, &res) < 0) {
		errwrap("apt-get");
		goto cleanup;
	}
	if (!spawn_ok(&res)) {
		if (res.err) { /* the last non-empty line */
			for (n = res.errlen; n && (res.err[n - 1] == '\n' || res.err[n - 1] == ' '); n--)
				res.err[n - 1] = 0;
			last = strrchr(res.err, '\n');
			last = last ? last + 1 : res.err;
		}
		errorf("apt-get %s %s: %s", what, spawn_status(&res), last && *last ? last : "(no message)");
		goto cleanup;
	}
	rc = 0;
cleanup:
	spawn_free(&res);
	strlist_free(&argv);
	return rc;
}

/* the lists folder holds at least one Sources index */
static bool haslists(const char *lists)
{
	struct strlist l = { 0 };
	bool found = false;

	if (listdir_suffix(lists, "", &l) == 0)
		for (size_t i = 0; i < l.n && !found; i++)
			found = strstr(l.v[i], "_Sources") != NULL;
	strlist_free(&l);
	return found;
}

/* debian-source:PKG=VERSION: the upstream tarball moved to part */
static int debsource(const char *spec, const struct paths *p, const char *part)
{
	char *pkg = NULL, *ver = NULL, *apt = NULL, *list = NULL, *lists = NULL, *cache = NULL, *dl = NULL;
	char *stamp = NULL, *old = NULL, *prefix = NULL, *found = NULL, *lockpath = NULL, *up, *dash;
	struct strlist base = { 0 }, names = { 0 };
	struct buf sl = { 0 };
	struct lock *lk = NULL;
	struct stat st;
	size_t oldlen;
	int rc = -1;

	if (debspec(spec, &pkg, &ver) < 0)
		goto cleanup;
	apt = pathjoin(p->cache, "apt");
	list = pathjoin(apt, "sources.list");
	lists = pathjoin(apt, "lists");
	cache = pathjoin(apt, "cache");
	dl = pathjoin(apt, "dl");
	stamp = pathjoin(apt, "updated");
	lockpath = xasprintf("%s/locks/apt.lock", p->cache);
	if (mkdirp(lists, 0755) < 0 || mkdirp(cache, 0755) < 0 || mkdirp(dl, 0755) < 0)
		goto cleanup;
	{
		char *lp = pathjoin(lists, "partial"), *ap = pathjoin(cache, "archives/partial");
		int r = mkdirp(lp, 0755) < 0 || mkdirp(ap, 0755) < 0 ? -1 : 0;
		free(lp);
		free(ap);
		if (r < 0)
			goto cleanup;
	}
	if (lock_take(lockpath, true, "Debian's source archive (CACHE/apt)", &lk) < 0)
		goto cleanup;
	for (size_t i = 0; i < LEN(suites); i++)
		bufaddf(&sl, "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s main\n", suites[i]);
	if (readfile(list, &old, &oldlen) < 0 || oldlen != sl.len || memcmp(old, sl.s, sl.len) != 0) {
		if (writefile(list, sl.s, sl.len) < 0)
			goto cleanup;
		unlink(stamp); /* new sources: update the lists */
	}
	strlist_add(&base, "apt-get");
	strlist_add(&base, "-q");
	strlist_addown(&base, xasprintf("-oDir::Etc::SourceList=%s", list));
	strlist_add(&base, "-oDir::Etc::SourceParts=-");
	strlist_addown(&base, xasprintf("-oDir::State::Lists=%s", lists));
	strlist_addown(&base, xasprintf("-oDir::Cache=%s", cache));
	if (geteuid() == 0)
		strlist_add(&base, "-oAPT::Sandbox::User=root");
	if (stat(stamp, &st) < 0 || time(NULL) - st.st_mtime > 86400 || !haslists(lists)) {
		logmsg("updating Debian's source lists in %s", apt);
		if (aptget(&base, apt, (const char *const[]){ "update", NULL }) < 0 || writefile(stamp, "", 0) < 0)
			goto cleanup;
	}
	logmsg("downloading %s=%s from Debian's source archive", pkg, ver);
	{
		char *what = xasprintf("%s=%s", pkg, ver);
		int r = aptget(&base, dl, (const char *const[]){ "source", "--download-only", "--tar-only", what, NULL });
		free(what);
		if (r < 0)
			goto cleanup;
	}
	up = strchr(ver, ':') ? strchr(ver, ':') + 1 : ver; /* no epoch */
	if ((dash = strrchr(up, '-')))
		*dash = 0; /* no Debian revision */
	prefix = xasprintf("%s_%s.orig.tar.", pkg, up);
	if (listdir_suffix(dl, "", &names) < 0)
		goto cleanup;
	for (size_t i = 0; i < names.n; i++) {
		char *path = pathjoin(dl, names.v[i]);
		if (!found && strncmp(names.v[i], prefix, strlen(prefix)) == 0 && !strstr(names.v[i], ".asc"))
			found = xstrdup(path);
		else if (strncmp(names.v[i], pkg, strlen(pkg)) == 0 && names.v[i][strlen(pkg)] == '_')
			unlink(path); /* the Debian parts we did not ask to keep */
		free(path);
	}
	if (!found) {
		errorf("apt-get source gave no %s* in %s", prefix, dl);
		goto cleanup;
	}
	if (canreplace(part, false) < 0) {
		unlink(found);
		goto cleanup;
	}
	if (rename(found, part) < 0) {
		errorf("rename %s to %s:", found, part);
		unlink(found);
		goto cleanup;
	}
	rc = 0;
cleanup:
	lock_release(lk);
	strlist_free(&names);
	strlist_free(&base);
	buffree(&sl);
	free(pkg);
	free(ver);
	free(apt);
	free(list);
	free(lists);
	free(cache);
	free(dl);
	free(stamp);
	free(old);
	free(prefix);
	free(found);
	free(lockpath);
	return rc;
}

/* *origin from SHA.origin, else the file's path */
static char *readorigin(const char *file)
{
	char *o = xasprintf("%s.origin", file), *data = NULL;
	size_t len;

	if (readfile(o, &data, &len) == 0 && len) {
		data[strcspn(data, "\n")] = 0;
		free(o);
		return data;
	}
	free(data);
	free(o);
	return xstrdup(file);
}

int fetch_tarball(const struct srcconf *s, const struct paths *p, char **path, char **origin)
{
	char *dir = NULL, *file = NULL, *part = NULL, *lockpath = NULL, *what = NULL, *opath = NULL;
	char got[HEXLEN];
	struct buf why = { 0 };
	struct lock *lk = NULL;
	int rc = -1;

	*path = *origin = NULL;
	if (s->kind != SRC_TARBALL || !s->sha256 || !ishex64(s->sha256))
		return errorf("fetch: not a tarball source with a sha256");
	dir = pathjoin(p->cache, "downloads");
	file = pathjoin(dir, s->sha256);
	part = xasprintf("%s.part", file);
	opath = xasprintf("%s.origin", file);
	lockpath = xasprintf("%s/locks/download-%s.lock", p->cache, s->sha256);
	{
		char *locks = pathjoin(p->cache, "locks");
		int r = mkdirp(dir, 0755) < 0 || mkdirp(locks, 0755) < 0 ? -1 : 0;
		free(locks);
		if (r < 0)
			goto cleanup;
	}
	what = xasprintf("the download of %.12s", s->sha256);
	if (lock_take(lockpath, true, what, &lk) < 0)
		goto cleanup;
	if (exists(file)) {
		if (sha256_file(file, got) < 0)
			goto cleanup;
		if (strcmp(got, s->sha256) == 0) {
			*path = xstrdup(file);
			*origin = readorigin(file);
			rc = 0;
			goto cleanup;
		}
		warn("%s: cached file has sha256 %s; fetching it again", file, got);
		unlink(file);
	}
	for (size_t i = 0; i < s->from.n; i++) {
		const char *place = s->from.v[i];
		char *label;
		int r;

		unlink(part);
		r = fetch_place_check(place);
		if (r == 0 && hasprefix(place, "debian-source:")) {
			r = debsource(place + strlen("debian-source:"), p, part);
		} else if (r == 0) {
			label = xasprintf("downloading %s", place);
			r = fetch_url(place, part, label);
			free(label);
		}
		if (r == 0 && sha256_file(part, got) == 0 && strcmp(got, s->sha256) != 0)
			r = errorf("sha256 mismatch (got %s)", got);
		if (r < 0) { /* fetch_url's errors already start with the place */
			if (strncmp(errmsg(), place, strlen(place)) == 0 && errmsg()[strlen(place)] == ':')
				bufaddf(&why, "%s%s", why.len ? "; " : "", errmsg());
			else
				bufaddf(&why, "%s%s: %s", why.len ? "; " : "", place, errmsg());
			unlink(part);
			if (spawn_interrupted)
				break;
			continue;
		}
		if (canreplace(file, false) < 0) {
			unlink(part);
			goto cleanup;
		}
		if (rename(part, file) < 0) {
			errorf("rename %s to %s:", part, file);
			unlink(part);
			goto cleanup;
		}
		if (fsyncdir(file) < 0)
			goto cleanup;
		if (writefile(opath, place, strlen(place)) < 0)
			warn("%s", errmsg());
		*path = xstrdup(file);
		*origin = xstrdup(place);
		rc = 0;
		goto cleanup;
	}
	if (!s->from.n)
		errorf("no tarball with sha256 %s: the source has no from: places", s->sha256);
	else
		errorf("no place gave the tarball with sha256 %.12s...: %s", s->sha256, why.s);
cleanup:
	lock_release(lk);
	buffree(&why);
	free(dir);
	free(file);
	free(part);
	free(opath);
	free(lockpath);
	free(what);
	return rc;
}
