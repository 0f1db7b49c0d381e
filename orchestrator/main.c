/* main.c: gilbench's entry point. Everything else, the command table included, is in the
 * library (cmd.c), so that the tests link all of it. */
#include "cmd.h"

int main(int argc, char **argv)
{
	return cmd_main(argc, argv);
}
