/* cmd.h: the subcommands, one file each (cmd_NAME.c), each exporting a descriptor that
 * main.c lists in its command table; and the exit codes, which only main and the
 * commands decide. The usage and help strings are what `gilbench CMD --help` prints, and
 * README.md quotes them. */
#ifndef GILBENCH_CMD_H
#define GILBENCH_CMD_H

enum {
	EXIT_OK = 0,           /* done */
	EXIT_FAIL = 1,         /* an error, printed as one line naming what and where */
	EXIT_USAGE = 2,        /* bad command line */
	EXIT_VERIFY = 3,       /* verification failed: an archive changed, a build's GIL state is wrong */
	EXIT_PARTIAL = 4,      /* finished, but some builds or trials failed (the report says which) */
	EXIT_REGRESSION = 5,   /* compare --fail-on-regression found a regression */
	EXIT_INTERRUPTED = 130 /* stopped by SIGINT or SIGTERM; what finished is on disk */
};

struct cmd {
	const char *name;
	const char *usage;     /* "CONFIG [--out RUN_DIR]" */
	const char *summary;   /* one line for `gilbench --help` */
	const char *help;      /* the options, for `gilbench NAME --help` */
	int (*main)(int argc, char **argv); /* argv[0] is the command name; returns an exit code */
};

extern const struct cmd cmd_run, cmd_plan, cmd_fetch, cmd_build, cmd_measure, cmd_report, cmd_archive, cmd_verify;
extern const struct cmd cmd_compare, cmd_reproduce;
extern const struct cmd cmd_canary;

void cmd_usage(const struct cmd *c, int tostderr);  /* print "usage: gilbench NAME USAGE" and the help */
int cmd_error(const struct cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3))); /* usage error: print, return EXIT_USAGE */
int cmd_fail(void);                                 /* print errmsg(); return EXIT_INTERRUPTED if interrupted, else EXIT_FAIL */

#endif
