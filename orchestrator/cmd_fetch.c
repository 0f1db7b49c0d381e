/* cmd_fetch.c: `gilbench fetch CONFIG [--work DIR] [--ref REF]`, the source stage alone.
 *
 * Loads the config, resolves the work area and cache, runs source_prepare() (download or
 * cache, safe extraction, patches; or git mirror and checkout) and prints what it got as
 * "key: value" lines on stdout: kind, id (tarball sha256 or commit), origin, ref (git),
 * key and tree. Progress and waiting go to stderr. */
#include "cmd.h"
#include "config.h"
#include "log.h"
#include "paths.h"
#include "source.h"
#include "util.h"

#include <stdio.h>

static int fetch_main(struct opts *o)
{
	const char *ref = opt_text(o, OPT_REF);
	struct config *cfg = NULL;
	struct paths p = { 0 };
	struct source s = { 0 };
	int rc;

	if ((rc = cmd_operands(&cmd_fetch, o, 1, 1, "CONFIG")) != 0)
		return rc;
	if (config_load(o->args[0], &cfg) < 0) {
		rc = cmd_fail();
		goto cleanup;
	}
	if (ref && cfg->source.kind != SRC_GIT) {
		rc = cmd_error(&cmd_fetch, "--ref: %s has a tarball source, not a git one", o->args[0]);
		goto cleanup;
	}
	if (paths_init(&p, opt_text(o, OPT_WORK)) < 0 || source_prepare(cfg, &p, ref, &s) < 0) {
		rc = cmd_fail();
		goto cleanup;
	}
	printf("kind: %s\nid: %s\norigin: %s\n", s.kind, s.id, s.origin);
	if (s.ref)
		printf("ref: %s\n", s.ref);
	printf("key: %s\ntree: %s\n", s.key, s.tree);
cleanup:
	source_free(&s);
	paths_free(&p);
	delconfig(cfg);
	return rc;
}

static const struct cmdopt opts[] = {
	{ OPT_WORK, "work area holding src/KEY (default $GILBENCH_WORK, else ./builds)" },
	{ OPT_REF, NULL },
	{ OPT_QUIET, "no progress lines, only errors" },
	{ NOPTS, NULL },
};

const struct cmd cmd_fetch = {
	"fetch",
	"CONFIG [--work DIR] [--ref REF] [--quiet]",
	"download (or reuse), verify, extract and patch the config's CPython sources",
	"Prints kind, id (tarball sha256 or commit), origin, ref, key and tree, one per line.\n"
	"Downloads are cached by sha256 in $GILBENCH_CACHE/downloads (default\n"
	"~/.cache/gilbench). For tests: GILBENCH_LOW_SPEED_TIME, GILBENCH_CONNECT_TIMEOUT\n"
	"(seconds), GILBENCH_MAX_ENTRIES, GILBENCH_MAX_BYTES (extraction limits).\n",
	opts,
	fetch_main,
};
