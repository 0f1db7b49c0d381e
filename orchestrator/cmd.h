/* cmd.h: the subcommands, one file each (cmd_NAME.c), each exporting a descriptor that
 * cmd.c lists in its command table; and the exit codes, which only the commands decide.
 * A command's options come from the one table in opts.c: the descriptor lists which it
 * accepts, and its `--help` (usage, summary, options, about) is printed from the
 * descriptor, which README.md quotes. */
#ifndef GILBENCH_CMD_H
#define GILBENCH_CMD_H

#include "opts.h"

enum {
	EXIT_OK = 0,           /* done */
	EXIT_FAIL = 1,         /* an error, printed as one line naming what and where */
	EXIT_USAGE = 2,        /* bad command line */
	EXIT_VERIFY = 3,       /* verification failed: an archive changed, a build's GIL state is wrong */
	EXIT_PARTIAL = 4,      /* finished, but some builds or trials failed (the report says which) */
	EXIT_REGRESSION = 5,   /* a regression: compare --fail-on-regression, a new nightly alert */
	EXIT_INCONCLUSIVE = 6, /* compare --fail-on-inconclusive: some cell could not be decided */
	EXIT_INTERRUPTED = 130 /* stopped by SIGINT or SIGTERM; what finished is on disk */
};

struct cmdopt {
	enum optid id;          /* NOPTS ends the list */
	const char *help;       /* this command's own line for it, or NULL for the table's */
};

struct cmd {
	const char *name;
	const char *usage;     /* "CONFIG [--out RUN_DIR]": operands and options */
	const char *summary;   /* one line for `gilbench --help` */
	const char *about;     /* what follows the options in `gilbench NAME --help`, or NULL */
	const struct cmdopt *opts; /* the options it accepts (--help always) */
	int (*main)(struct opts *o); /* the parsed command line; returns an exit code */
};

extern const struct cmd cmd_run, cmd_plan, cmd_fetch, cmd_build, cmd_measure, cmd_report, cmd_archive, cmd_verify;
extern const struct cmd cmd_compare, cmd_reproduce;
extern const struct cmd cmd_canary;
extern const struct cmd cmd_status, cmd_slurm_task;
extern const struct cmd cmd_nightly, cmd_history;
extern const struct cmd cmd_bisect;

int cmd_main(int argc, char **argv);                /* gilbench ARGS: look the command up, parse, run it */
void cmd_usage(const struct cmd *c, int tostderr);  /* print "usage: gilbench NAME USAGE", the options, the about */
int cmd_error(const struct cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3))); /* usage error: print, return EXIT_USAGE */
int cmd_operands(const struct cmd *c, const struct opts *o, int min, int max, const char *what); /* 0, or EXIT_USAGE naming WHAT */
int cmd_fail(void);                                 /* print errmsg(); return EXIT_INTERRUPTED if interrupted, else EXIT_FAIL */

struct pipeline;
struct pipeopts;
void cmd_pipeopts(const struct opts *o, struct pipeopts *po); /* the pipeline's options from the command line */
void cmd_summary(const struct pipeline *p);           /* print what the run says (its summary) and where it is */
int cmd_end(struct pipeline *p, int rc, const char *out);
	/* the exit code of a pipeline that returned RC; on failure print the error, where what finished
	   is and, when interrupted (or OUT already holds a run), the command that continues it */

#endif
