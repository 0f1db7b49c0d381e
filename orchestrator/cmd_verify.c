/* cmd_verify.c: placeholder until the verify command lands. */
#include "cmd.h"
#include "util.h"

static int verify_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	errorf("verify: not implemented yet");
	return cmd_fail();
}

const struct cmd cmd_verify = { "verify", "", "(not implemented yet)", "", verify_main };
