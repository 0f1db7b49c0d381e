/* extract.h: safe extraction of tarballs (any compression libarchive reads).
 *
 * The archive is extracted into DEST.tmp-PID and renamed to DEST only when every member
 * is on disk; on any error the partial tree is removed. Hostile members are refused with
 * an error naming them: absolute paths, `..` components, symlinks that are absolute or
 * climb out of the tree, paths through a symlink, hard links to anything but a regular
 * file already extracted, devices, FIFOs and sockets, and archives over the entry or byte
 * limits. libarchive's own ARCHIVE_EXTRACT_SECURE_* checks run as well. */
#ifndef GILBENCH_EXTRACT_H
#define GILBENCH_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>

struct extract_limits {
	uint64_t max_entries;   /* refuse archives with more members (default 100000) */
	uint64_t max_bytes;     /* refuse archives with more uncompressed file data (default 2 GiB) */
	bool strip;             /* drop the single top-level folder (Python-3.13.5/) every member is in */
	const char *label;      /* progress label ("extracting"); NULL: "extracting NAME" */
};

int extract_defaults(struct extract_limits *lim); /* defaults, overridden by $GILBENCH_MAX_ENTRIES and $GILBENCH_MAX_BYTES; strip off; -1 on a bad value (named) */

/* The rules every member must follow, for extraction and for verify alike (one function,
 * so that verify never passes what extraction refuses). They see the members in archive
 * order and remember what they accepted. */
struct archive_entry;
struct member_rules;
struct member_rules *mkmember_rules(const struct extract_limits *lim); /* NULL lim: extract_defaults (NULL when it fails); lim's strip and limits apply */
void delmember_rules(struct member_rules *r);
int extract_member_check(struct member_rules *r, struct archive_entry *e, char **rel, char **hardrel);
                        /* 0: may be extracted, as *rel (and a hard link to *hardrel; both
                         * allocated, NULL when not asked or not one); 1: the top folder
                         * itself; -1: "MEMBER: why" (absolute, '..', outside the top folder,
                         * through or replacing a symlink, a symlink leaving the tree, a hard
                         * link to anything but a file accepted before, a device, FIFO or
                         * socket, over the entry or byte limits, each limit said once) */
int extract_archive(const char *archive, const char *dest, const struct extract_limits *lim); /* dest must not exist; NULL lim: defaults; -1: "MEMBER: why" or the library's message (the caller names the archive) */

#endif
