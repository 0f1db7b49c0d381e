/* main.c: gilbench's entry point and command table.
 *
 * `gilbench COMMAND ARGS...` looks COMMAND up in cmds[] and hands it argv; the command
 * returns the exit code. Only here and in the commands is an exit code decided. */
#include "cmd.h"
#include "log.h"
#include "spawn.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifndef VERSION
#define VERSION "0.1.0"
#endif

static const struct cmd *cmds[] = {
	&cmd_run, &cmd_plan, &cmd_fetch, &cmd_build, &cmd_measure, &cmd_report, &cmd_archive, &cmd_verify,
	&cmd_compare, &cmd_reproduce, &cmd_canary,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: gilbench COMMAND [ARGS...]\n"
	           "       gilbench --version | --help | help COMMAND\n\n"
	           "Builds CPython with and without the GIL from one YAML file, runs experiments\n"
	           "on both, reports and archives the results.\n\ncommands:\n");
	for (size_t i = 0; i < LEN(cmds); i++)
		fprintf(f, "  %-10s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f, "\nexit codes: 0 done, 1 error, 2 usage, 3 verification failed,\n"
	           "            4 some builds or trials failed, 5 regression found, 130 interrupted\n"
	           "environment: GILBENCH_WORK (work area), GILBENCH_CACHE (download cache),\n"
	           "             GILBENCH_PLAIN (plain log lines even on a terminal)\n");
}

void cmd_usage(const struct cmd *c, int tostderr)
{
	FILE *f = tostderr ? stderr : stdout;

	fprintf(f, "usage: gilbench %s %s\n%s\n", c->name, c->usage, c->summary);
	if (c->help && *c->help)
		fprintf(f, "\n%s", c->help);
}

int cmd_error(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gilbench %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: gilbench %s %s\n", c->name, c->usage);
	return EXIT_USAGE;
}

int cmd_fail(void)
{
	fflush(stdout);
	fprintf(stderr, "gilbench: %s\n", errmsg());
	return spawn_interrupted ? EXIT_INTERRUPTED : EXIT_FAIL;
}

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("gilbench %s\n", VERSION);
		return EXIT_OK;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		name = argv[2];
		for (size_t i = 0; i < LEN(cmds); i++)
			if (strcmp(cmds[i]->name, name) == 0) {
				cmd_usage(cmds[i], 0);
				return EXIT_OK;
			}
		fprintf(stderr, "gilbench: unknown command '%s'\n", name);
		return EXIT_USAGE;
	}
	spawn_init();
	for (size_t i = 0; i < LEN(cmds); i++)
		if (strcmp(cmds[i]->name, name) == 0)
			return cmds[i]->main(argc - 1, argv + 1);
	fprintf(stderr, "gilbench: unknown command '%s' (see gilbench --help)\n", name);
	return EXIT_USAGE;
}
