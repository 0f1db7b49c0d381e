/* cmd_run.c: placeholder until the run command lands. */
#include "cmd.h"
#include "util.h"

static int run_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	errorf("run: not implemented yet");
	return cmd_fail();
}

const struct cmd cmd_run = { "run", "", "(not implemented yet)", "", run_main };
