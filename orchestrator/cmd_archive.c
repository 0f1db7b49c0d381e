/* cmd_archive.c: `gilbench archive RUN_DIR [-o FILE]`, the archive stage on its own.
 *
 * Hands the run directory to archive_run_info() (archive.h) and prints one line about what
 * it made: the path, the members listed in its manifest, its size and its sha256. */
#include "archive.h"
#include "cmd.h"
#include "util.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int archive_main(int argc, char **argv)
{
	struct archive_info info;
	const char *out = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			cmd_usage(&cmd_archive, 0);
			return EXIT_OK;
		default:
			return cmd_error(&cmd_archive, "bad option");
		}
	}
	if (optind + 1 != argc)
		return cmd_error(&cmd_archive, optind == argc ? "no run directory given" : "one run directory only");
	if (archive_run_info(argv[optind], out, &info) < 0)
		return cmd_fail();
	printf("%s: %zu members, %" PRIu64 " bytes, sha256 %s\n", info.path, info.members, info.size, info.sha256);
	archive_info_free(&info);
	return EXIT_OK;
}

const struct cmd cmd_archive = {
	"archive", "RUN_DIR [-o FILE]",
	"archive a run directory as a reproducible .tar.gz with a manifest.json of sha256s",
	"  -o, --output FILE  where to write the archive (default: RUN_DIR.tar.gz beside it)\n"
	"  -h, --help         this help\n"
	"\nPrints \"FILE: N members, SIZE bytes, sha256 HEX\". Archiving the same run directory\n"
	"twice gives the same bytes; set SOURCE_DATE_EPOCH to stamp members with that time\n"
	"instead of 0. manifest.json is also written into RUN_DIR. See docs/archive.md.\n",
	archive_main,
};
