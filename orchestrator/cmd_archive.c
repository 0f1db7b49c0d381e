/* cmd_archive.c: placeholder until the archive command lands. */
#include "cmd.h"
#include "util.h"

static int archive_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	errorf("archive: not implemented yet");
	return cmd_fail();
}

const struct cmd cmd_archive = { "archive", "", "(not implemented yet)", "", archive_main };
