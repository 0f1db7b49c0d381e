/* cmd_plan.c: placeholder until the plan command lands. */
#include "cmd.h"
#include "util.h"

static int plan_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	errorf("plan: not implemented yet");
	return cmd_fail();
}

const struct cmd cmd_plan = { "plan", "", "(not implemented yet)", "", plan_main };
