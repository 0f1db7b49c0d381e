/* fetch.h: source tarballs into the content-addressed download cache.
 *
 * CACHE/downloads/SHA256 holds a tarball whose sha256 is its name; it is written as
 * SHA256.part under the lock SHA256.lock, verified and renamed, so it is complete and
 * right whenever it exists. SHA256.origin remembers where it came from. The places of a
 * config's `from:` list are tried in order: http(s):// and file:// through libcurl
 * (timeouts, retries with back-off, resumed partial downloads), and
 * debian-source:PKG=VERSION through apt-get with a private state folder (CACHE/apt). */
#ifndef GILBENCH_FETCH_H
#define GILBENCH_FETCH_H

#include "config.h"
#include "paths.h"

int fetch_tarball(const struct srcconf *s, const struct paths *p, char **path, char **origin); /* cached or downloaded and verified; path of the file and the place it came from; -1 lists every place and why it failed */
int fetch_url(const char *url, const char *dest, const char *what); /* one http(s):// or file:// download to dest (resumed when dest exists), with retries; no verification */
int fetch_place_check(const char *place); /* a place fetch_tarball can use, well formed (the config's check at load, and fetch's); -1: "PLACE: why" */

#endif
