/* cmd_report.c: placeholder until the report command lands. */
#include "cmd.h"
#include "util.h"

static int report_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	errorf("report: not implemented yet");
	return cmd_fail();
}

const struct cmd cmd_report = { "report", "", "(not implemented yet)", "", report_main };
