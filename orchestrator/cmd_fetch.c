/* cmd_fetch.c: placeholder until the fetch command lands. */
#include "cmd.h"
#include "util.h"

static int fetch_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	errorf("fetch: not implemented yet");
	return cmd_fail();
}

const struct cmd cmd_fetch = { "fetch", "", "(not implemented yet)", "", fetch_main };
