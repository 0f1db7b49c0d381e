/* opts.h: every command-line option gilbench knows, in one table, and the one parser.
 *
 * An option is one row of the table in opts.c: its long name, short letter, the kind of
 * value it takes with the range allowed, and the line `--help` prints for it. A command
 * lists the options it accepts (struct cmd's opts); opts_parse() checks each value the same
 * way in every command (a percentage is "5" or "5%" everywhere, a count is a whole number
 * in its range, a CPU list must name CPUs this machine has), so that a bad command line is
 * refused with exit 2 before any work starts. Values are read back with the opt_*()
 * accessors, which take the default when the option was not given. */
#ifndef GILBENCH_OPTS_H
#define GILBENCH_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "util.h"

enum optid {
	OPT_OUT, OPT_RESUME, OPT_WORK, OPT_REF, OPT_ONLY, OPT_CPUS, OPT_MIN_TRIALS, OPT_MAX_TRIALS,
	OPT_TARGET, OPT_TIE, OPT_FAIL_ON_REGRESSION, OPT_FAIL_ON_INCONCLUSIVE, OPT_NO_ARCHIVE,
	OPT_NO_PLOTS, OPT_JSON, OPT_SAMPLES, OPT_PYTHON, OPT_THRESHOLD, OPT_NO_UPDATE, OPT_QUIET, OPT_HELP,
	OPT_SLURM, OPT_PARTITION, OPT_SHARDS, OPT_ARRAY_LIMIT, OPT_SBATCH, OPT_NO_WAIT,
	OPT_DB, OPT_BACKFILL, OPT_EVERY, OPT_FORCE, OPT_KEEP_BUILDS, OPT_NOTE,
	OPT_EXPERIMENT, OPT_POINT, OPT_VARIANT, OPT_ALERT,
	NOPTS
};

enum argkind {
	ARG_NONE,    /* a switch */
	ARG_TEXT,    /* any non-empty text (a path, a ref, a name) */
	ARG_COUNT,   /* a whole number from min to max */
	ARG_PERCENT, /* "5" or "5%" from min to max percent; read back as a share (0.05) */
	ARG_CPUS,    /* a CPU list ("0,2-3") naming only CPUs gilbench may run on */
	ARG_LIST,    /* text, repeatable: every value is kept in order */
};

struct optdef {
	enum optid id;
	const char *name;       /* long name without "--" */
	char letter;            /* short option, or 0 */
	enum argkind kind;
	const char *argname;    /* "RUN_DIR", "PCT", ... */
	double min, max;        /* ARG_COUNT and ARG_PERCENT: the allowed range */
	const char *help;       /* one line for --help */
};

struct opts {
	bool set[NOPTS];
	const char *text[NOPTS];  /* the value as given */
	double num[NOPTS];        /* ARG_COUNT: the number; ARG_PERCENT: the share */
	struct strlist list[NOPTS]; /* ARG_LIST: every value */
	char **args;              /* the operands, in order (argv's own strings) */
	int nargs;
};

struct cmd;

int opts_parse(const struct cmd *c, int argc, char **argv, struct opts *o);
	/* parse argv[1..] against c->opts: 0 parsed, 1 --help was printed, or an exit code (2) after
	   printing the problem and the usage line */
void opts_free(struct opts *o);                                  /* free the lists */
void opts_help(const struct cmd *c, FILE *f);                    /* the "options:" block of c */
const struct optdef *opt_def(enum optid id);                      /* the table row of id */
bool opt_set(const struct opts *o, enum optid id);                /* given on the command line */
const char *opt_text(const struct opts *o, enum optid id);        /* the value, or NULL */
int opt_count(const struct opts *o, enum optid id, int dflt);     /* ARG_COUNT value, or dflt */
double opt_share(const struct opts *o, enum optid id, double dflt); /* ARG_PERCENT value as a share, or dflt */
int opts_only(const struct cmd *c, const struct opts *o, const enum optid *allowed, const char *what);
	/* options outside ALLOWED (terminated by NOPTS) are refused: "--X is not for WHAT"; 0 or EXIT_USAGE */

#endif
