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

#include <getopt.h>
#include <stdio.h>

static const struct option opts[] = {
	{"work", required_argument, NULL, 'w'},
	{"ref", required_argument, NULL, 'r'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int fetch_main(int argc, char **argv)
{
	const char *work = NULL, *ref = NULL;
	struct config *cfg = NULL;
	struct paths p = { 0 };
	struct source s = { 0 };
	int c, rc = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			work = optarg;
			break;
		case 'r':
			ref = optarg;
			break;
		case 'q':
			log_quiet = true;
			break;
		case 'h':
			cmd_usage(&cmd_fetch, 0);
			return EXIT_OK;
		default:
			return cmd_error(&cmd_fetch, "unknown option");
		}
	}
	if (optind != argc - 1)
		return cmd_error(&cmd_fetch, optind >= argc ? "missing CONFIG" : "too many arguments");
	if (config_load(argv[optind], &cfg) < 0) {
		rc = cmd_fail();
		goto cleanup;
	}
	if (ref && cfg->source.kind != SRC_GIT) {
		rc = cmd_error(&cmd_fetch, "--ref: %s has a tarball source, not a git one", argv[optind]);
		goto cleanup;
	}
	if (paths_init(&p, work) < 0 || source_prepare(cfg, &p, ref, &s) < 0) {
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

const struct cmd cmd_fetch = {
	"fetch",
	"CONFIG [--work DIR] [--ref REF] [--quiet]",
	"download (or reuse), verify, extract and patch the config's CPython sources",
	"  --work DIR   work area holding src/KEY (default $GILBENCH_WORK, else ./builds)\n"
	"  --ref REF    git sources: branch, tag or commit instead of the config's ref\n"
	"  --quiet      no progress lines, only errors\n"
	"  --help       this text\n"
	"\n"
	"Prints kind, id (tarball sha256 or commit), origin, ref, key and tree, one per line.\n"
	"Downloads are cached by sha256 in $GILBENCH_CACHE/downloads (default\n"
	"~/.cache/gilbench). For tests: GILBENCH_LOW_SPEED_TIME, GILBENCH_CONNECT_TIMEOUT\n"
	"(seconds), GILBENCH_MAX_ENTRIES, GILBENCH_MAX_BYTES (extraction limits).\n",
	fetch_main,
};
