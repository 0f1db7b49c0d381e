/* paths.c: resolving the work area and the cache (see paths.h).
 *
 * --work, $GILBENCH_WORK and $GILBENCH_CACHE may be relative: they are taken from the
 * current folder and made absolute at once. $XDG_CACHE_HOME must be absolute, as the XDG
 * Base Directory specification says; a relative one is ignored (with a warning) and
 * ~/.cache used instead. */
#include "paths.h"
#include "util.h"

#include <stdlib.h>

int paths_cache(char **out)
{
	const char *c = getenv("GILBENCH_CACHE"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
	char *cache;

	*out = NULL;
	if (x && *x && *x != '/') {
		if (!(c && *c))
			warn("XDG_CACHE_HOME=%s is not an absolute path: ignored, as the XDG specification says", x);
		x = NULL;
	}
	if (c && *c)
		cache = xstrdup(c);
	else if (x && *x)
		cache = xasprintf("%s/gilbench", x);
	else if (h && *h)
		cache = xasprintf("%s/.cache/gilbench", h);
	else
		return errorf("no cache folder: set GILBENCH_CACHE, XDG_CACHE_HOME or HOME");
	*out = abspath(cache);
	free(cache);
	if (!*out)
		return -1;
	if (mkdirp(*out, 0755) < 0) {
		free(*out);
		*out = NULL;
		return errwrap("cache");
	}
	return 0;
}

int paths_init(struct paths *p, const char *workopt)
{
	const char *w = workopt;

	p->work = p->cache = NULL;
	if (!w || !*w)
		w = getenv("GILBENCH_WORK");
	if (!w || !*w)
		w = "builds";
	p->work = abspath(w);
	if (!p->work)
		return -1;
	if (mkdirp(p->work, 0755) < 0)
		return errwrap("work area");
	return paths_cache(&p->cache);
}

void paths_free(struct paths *p)
{
	free(p->work);
	free(p->cache);
	p->work = p->cache = NULL;
}
