/* cmd_build.c: placeholder until the build command lands. */
#include "cmd.h"
#include "util.h"

static int build_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	errorf("build: not implemented yet");
	return cmd_fail();
}

const struct cmd cmd_build = { "build", "", "(not implemented yet)", "", build_main };
