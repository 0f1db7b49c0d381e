/* cmd_measure.c: placeholder until the measure command lands. */
#include "cmd.h"
#include "util.h"

static int measure_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	errorf("measure: not implemented yet");
	return cmd_fail();
}

const struct cmd cmd_measure = { "measure", "", "(not implemented yet)", "", measure_main };
