/* cmd_archive.c: `gilbench archive RUN_DIR [-o FILE]`, the archive stage on its own.
 *
 * Hands the run directory to archive_run_info() (archive.h) and prints one line about what
 * it made: the path, the members listed in its manifest, its size and its sha256. */
#include "archive.h"
#include "cmd.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>

static int archive_main(struct opts *o)
{
	struct archive_info info;
	int rc;

	if ((rc = cmd_operands(&cmd_archive, o, 1, 1, "RUN_DIR")) != 0)
		return rc;
	if (archive_run_info(o->args[0], opt_text(o, OPT_OUT), &info) < 0)
		return cmd_fail();
	printf("%s: %zu members, %" PRIu64 " bytes, sha256 %s\n", info.path, info.members, info.size, info.sha256);
	archive_info_free(&info);
	return EXIT_OK;
}

static const struct cmdopt opts[] = {
	{ OPT_OUT, "where to write the archive (default: RUN_DIR.tar.gz beside it)" },
	{ NOPTS, NULL },
};

const struct cmd cmd_archive = {
	"archive", "RUN_DIR [--out FILE]",
	"archive a run directory as a reproducible .tar.gz with a manifest.json of sha256s",
	"Prints \"FILE: N members, SIZE bytes, sha256 HEX\". Archiving the same run directory\n"
	"twice gives the same bytes; set SOURCE_DATE_EPOCH to stamp members with that time\n"
	"instead of 0. manifest.json is also written into RUN_DIR. See docs/archive.md.\n",
	opts,
	archive_main,
};
