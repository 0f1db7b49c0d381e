/* patch.c: patches applied with GNU patch through spawn.h (see patch.h).
 *
 * `patch -p1 -N --batch --dry-run -i FILE -d TREE` first, in the C locale so that its
 * messages can be read: on failure the output is scanned for "patching file F" / "checking
 * file F" (the file the next hunks belong to), "Hunk #N FAILED at L", a reversed
 * (already applied) patch and a missing file, and those make the error. Then the same
 * command without --dry-run (no backups, no .rej files). Both outputs go to the log. */
#include "patch.h"
#include "spawn.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

/* our environment with LC_ALL=C (patch's messages in English) */
static void cenv(struct strlist *env)
{
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "LC_ALL=", 7) != 0 && strncmp(*e, "LANGUAGE=", 9) != 0)
			strlist_add(env, *e);
	strlist_add(env, "LC_ALL=C");
}

/* append patch's output to the log; -1 with the error when it cannot be written whole */
static int logout(const char *logpath, const char *head, const struct spawnres *r)
{
	FILE *f;
	int bad;

	if (!logpath)
		return 0;
	if (!(f = fopen(logpath, "a")))
		return errorf("open %s:", logpath);
	fprintf(f, "== %s: %s\n", head, spawn_status(r));
	if (r->out)
		fwrite(r->out, 1, r->outlen, f);
	if (r->err)
		fwrite(r->err, 1, r->errlen, f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return errorf("write %s:", logpath);
	return 0;
}

/* what went wrong, from patch's output, into b */
static void why(const char *out, struct buf *b)
{
	char *copy = xstrdup(out ? out : ""), *line, *save = NULL, *file = NULL, *last = NULL;
	int hunk, at;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!*line)
			continue;
		last = line;
		if (strncmp(line, "patching file ", 14) == 0 || strncmp(line, "checking file ", 14) == 0) {
			free(file);
			file = xstrdup(line + 14);
		} else if (sscanf(line, "Hunk #%d FAILED at %d", &hunk, &at) == 2) {
			bufaddf(b, "%shunk #%d FAILED at %d (%s)", b->len ? "; " : "", hunk, at, file ? file : "?");
		} else if (strstr(line, "Reversed (or previously applied) patch detected")) {
			bufaddf(b, "%salready applied or reversed (%s)", b->len ? "; " : "", file ? file : "?");
		} else if (strstr(line, "can't find file to patch") || strncmp(line, "No file to patch", 16) == 0) {
			bufaddf(b, "%sfile to patch not found%s%s", b->len ? "; " : "", file ? " after " : "", file ? file : "");
		} else if (strstr(line, "malformed patch") || strstr(line, "Only garbage")) {
			bufaddf(b, "%s%s", b->len ? "; " : "", line);
		}
	}
	if (!b->len)
		bufadds(b, last ? last : "patch failed with no message");
	free(file);
	free(copy);
}

static int runpatch(const struct patchconf *pc, const char *tree, const char *logpath, bool dry, char **envp)
{
	char *const argv[] = {
		"patch", "-p1", "-N", "--batch", "--no-backup-if-mismatch", dry ? "--dry-run" : "--reject-file=-",
		"-i", pc->path, "-d", (char *)tree, NULL,
	};
	struct spawnopts o = { .argv = argv, .envp = envp, .capture = true, .newgroup = true, .timeout = 300 };
	struct spawnres r = { 0 };
	struct buf b = { 0 };
	char *head;
	int rc = -1;

	if (spawn(&o, &r) < 0)
		return errwrap("%s", pc->name);
	head = xasprintf("%s%s", pc->name, dry ? " (dry run)" : "");
	if (logout(logpath, head, &r) < 0) {
		free(head);
		goto cleanup;
	}
	free(head);
	if (!spawn_ok(&r)) {
		if (r.exited) {
			why(r.out, &b);
			errorf("%s: %s", pc->name, b.s);
		} else {
			errorf("%s: patch %s", pc->name, spawn_status(&r));
		}
		goto cleanup;
	}
	rc = 0;
cleanup:
	buffree(&b);
	spawn_free(&r);
	return rc;
}

int patch_apply(const struct patchconf *v, size_t n, const char *tree, const char *logpath)
{
	struct strlist env = { 0 };
	int rc = -1;

	if (!n)
		return 0;
	cenv(&env);
	for (size_t i = 0; i < n; i++)
		if (runpatch(&v[i], tree, logpath, true, env.v) < 0 || runpatch(&v[i], tree, logpath, false, env.v) < 0)
			goto cleanup;
	rc = 0;
cleanup:
	strlist_free(&env);
	return rc;
}
