/* opts.c: the table of every option and the one parser (see opts.h).
 *
 * opts_parse() builds getopt_long's arrays from the rows the command accepts, so an
 * option a command does not take is "unknown" there, and checks each value by its kind
 * as it is read: the same option accepts the same values in every command. A CPU list is
 * parsed with cpulist_parse() and must name at least one CPU this process may run on, so
 * that `--cpus 99` fails at once, not after a 15-minute build. */
#include "opts.h"
#include "cmd.h"
#include "spawn.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct optdef table[] = {
	{ OPT_OUT, "out", 'o', ARG_TEXT, "RUN_DIR", 0, 0,
	  "the run directory to make (default reports/NAME-STAMP)" },
	{ OPT_RESUME, "resume", 0, ARG_TEXT, "RUN_DIR", 0, 0,
	  "continue an interrupted run directory as the kind of run it records" },
	{ OPT_WORK, "work", 0, ARG_TEXT, "DIR", 0, 0,
	  "work area for sources, build trees and prefixes (default $GILBENCH_WORK, else ./builds)" },
	{ OPT_REF, "ref", 0, ARG_TEXT, "REF", 0, 0,
	  "git sources: build this branch, tag or commit instead of the config's ref" },
	{ OPT_ONLY, "only", 0, ARG_TEXT, "NAME", 0, 0, "only the build called NAME" },
	{ OPT_CPUS, "cpus", 0, ARG_CPUS, "LIST", 0, 0,
	  "pin trials to these CPUs, ascending, e.g. 0 or 0,2-3 (overrides run.cpus)" },
	{ OPT_MIN_TRIALS, "min-trials", 0, ARG_COUNT, "N", 1, 100000,
	  "at least N measured rounds per point (overrides run.min_trials)" },
	{ OPT_MAX_TRIALS, "max-trials", 0, ARG_COUNT, "N", 1, 100000,
	  "at most N measured rounds per point (overrides run.max_trials)" },
	{ OPT_TARGET, "target", 0, ARG_PERCENT, "PCT", 0.001, 100,
	  "adaptive trials: add rounds until every cell's 95% CI half-width is under PCT% of its mean" },
	{ OPT_TIE, "tie", 0, ARG_PERCENT, "PCT", 0, 100,
	  "differences within PCT% are \"same\" when shown so (default: run.tie of the config, 5)" },
	{ OPT_FAIL_ON_REGRESSION, "fail-on-regression", 0, ARG_PERCENT, "PCT", 0, 1000,
	  "exit 5 when a cell is significantly worse by more than PCT%" },
	{ OPT_FAIL_ON_INCONCLUSIVE, "fail-on-inconclusive", 0, ARG_NONE, NULL, 0, 0,
	  "exit 6 when a cell's verdict is \"inconclusive\"" },
	{ OPT_NO_ARCHIVE, "no-archive", 0, ARG_NONE, NULL, 0, 0, "skip the archive stage (no RUN_DIR.tar.gz)" },
	{ OPT_NO_PLOTS, "no-plots", 0, ARG_NONE, NULL, 0, 0, "do not run gnuplot: no plots/ and no plots in the HTML" },
	{ OPT_JSON, "json", 0, ARG_NONE, NULL, 0, 0, "print JSON instead of text" },
	{ OPT_SAMPLES, "samples", 0, ARG_COUNT, "N", 1, 10000, "samples to take" },
	{ OPT_PYTHON, "python", 0, ARG_TEXT, "PATH", 0, 0, "the Python interpreter to use" },
	{ OPT_THRESHOLD, "threshold", 0, ARG_PERCENT, "PCT", 0.001, 1000, "the size of change that matters, in percent" },
	{ OPT_NO_UPDATE, "no-update", 0, ARG_NONE, NULL, 0, 0, "change nothing stored" },
	{ OPT_DB, "db", 0, ARG_TEXT, "FILE", 0, 0,
	  "the history database (default $GILBENCH_DB, else reports/history.sqlite)" },
	{ OPT_BACKFILL, "backfill", 0, ARG_COUNT, "N", 1, 100000,
	  "first measure up to N earlier first-parent commits not in the history, oldest first" },
	{ OPT_EVERY, "every", 0, ARG_COUNT, "K", 1, 100000, "with --backfill: every Kth first-parent commit (default 1)" },
	{ OPT_FORCE, "force", 0, ARG_NONE, NULL, 0, 0, "do it even when it was done: measure a commit measured already" },
	{ OPT_KEEP_BUILDS, "keep-builds", 0, ARG_COUNT, "N", 0, 100000,
	  "keep the builds and source trees made for the last N commits measured (default 3); older ones are removed" },
	{ OPT_NOTE, "note", 0, ARG_TEXT, "TEXT", 0, 0, "a note to keep with it" },
	{ OPT_EXPERIMENT, "experiment", 0, ARG_TEXT, "NAME", 0, 0, "only the experiment called NAME" },
	{ OPT_POINT, "point", 0, ARG_TEXT, "LABEL", 0, 0, "only the point with this label, e.g. threads=4" },
	{ OPT_VARIANT, "variant", 0, ARG_LIST, "NAME", 0, 0,
	  "the variant called NAME; twice: the ratio of the first to the second (--variant nogil --variant gil)" },
	{ OPT_ALERT, "alert", 0, ARG_COUNT, "ID", 1, 2147483647, "the nightly history's alert number ID" },
	{ OPT_QUIET, "quiet", 'q', ARG_NONE, NULL, 0, 0, "only warnings and errors" },
	{ OPT_HELP, "help", 'h', ARG_NONE, NULL, 0, 0, "this help" },
	{ OPT_SLURM, "slurm", 0, ARG_NONE, NULL, 0, 0,
	  "build and measure as Slurm jobs (run directory and work area on a filesystem every node sees; docs/slurm.md)" },
	{ OPT_PARTITION, "partition", 0, ARG_TEXT, "P", 0, 0, "--slurm: submit to partition P (default: the cluster's)" },
	{ OPT_SHARDS, "shards", 0, ARG_COUNT, "N", 1, 10000,
	  "--slurm: split the points into N array tasks (default: one per node, at most one per point)" },
	{ OPT_ARRAY_LIMIT, "array-limit", 0, ARG_COUNT, "K", 1, 10000, "--slurm: run at most K shards at once" },
	{ OPT_SBATCH, "sbatch", 0, ARG_LIST, "ARG", 0, 0,
	  "--slurm: pass ARG to every sbatch (repeatable), e.g. --sbatch=--time=1:00:00 --sbatch=--account=lab" },
	{ OPT_NO_WAIT, "no-wait", 0, ARG_NONE, NULL, 0, 0,
	  "--slurm: submit, print the job ids and return (follow with gilbench status RUN_DIR)" },
};

const struct optdef *opt_def(enum optid id)
{
	for (size_t i = 0; i < LEN(table); i++)
		if (table[i].id == id)
			return &table[i];
	return NULL;
}

/* the rows command c accepts, --help always last; n set to their number */
static const struct cmdopt *accepted(const struct cmd *c, size_t *n)
{
	size_t k = 0;

	while (c->opts && c->opts[k].id != NOPTS)
		k++;
	*n = k;
	return c->opts;
}

static const char *helpline(const struct cmdopt *co)
{
	return co->help ? co->help : opt_def(co->id)->help;
}

/* "  NAME  HELP", the help wrapped at 100 columns under itself */
static void wrap(FILE *f, size_t indent, const char *name, const char *help)
{
	size_t col = indent;

	fprintf(f, "  %-*s", (int)(indent - 2), name);
	while (*help) {
		size_t w = strcspn(help, " ");
		if (col > indent && col + 1 + w > 100) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)w, help);
		col += w;
		help += w;
		help += strspn(help, " ");
	}
	fputc('\n', f);
}

void opts_help(const struct cmd *c, FILE *f)
{
	size_t n, width = 0;
	const struct cmdopt *co = accepted(c, &n);
	char buf[128];

	fprintf(f, "options:\n");
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i <= n; i++) {
			const struct optdef *d = opt_def(i < n ? co[i].id : OPT_HELP);
			snprintf(buf, sizeof(buf), "%c%c%c --%s%s%s", d->letter ? '-' : ' ', d->letter ? d->letter : ' ',
			         d->letter ? ',' : ' ', d->name, d->argname ? " " : "", d->argname ? d->argname : "");
			if (pass == 0) {
				if (strlen(buf) > width)
					width = strlen(buf);
				continue;
			}
			wrap(f, width + 4, buf, i < n ? helpline(&co[i]) : d->help);
		}
}

static bool whole(const char *s, double *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return false;
	*out = (double)v;
	return true;
}

static bool percent(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && *end == '%')
		end++;
	if (errno || end == s || *end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* check one value; 0, or EXIT_USAGE after printing the problem */
static int value(const struct cmd *c, const struct optdef *d, const char *v, struct opts *o)
{
	double x = 0;

	switch (d->kind) {
	case ARG_NONE:
		break;
	case ARG_TEXT:
	case ARG_LIST:
		if (!*v)
			return cmd_error(c, "--%s wants a value, got an empty one", d->name);
		if (d->kind == ARG_LIST)
			strlist_add(&o->list[d->id], v);
		break;
	case ARG_COUNT:
		if (!whole(v, &x) || x < d->min || x > d->max)
			return cmd_error(c, "--%s wants a whole number from %.0f to %.0f, got '%s'", d->name, d->min,
			                 d->max, v);
		break;
	case ARG_PERCENT:
		if (!percent(v, &x) || x < d->min || x > d->max)
			return cmd_error(c, "--%s wants a percentage from %g to %g (\"5\" or \"5%%\"), got '%s'", d->name,
			                 d->min, d->max, v);
		x /= 100;
		break;
	case ARG_CPUS:
		if (cpulist_usable(v) < 0)
			return cmd_error(c, "--%s: %s", d->name, errmsg());
		break;
	}
	o->set[d->id] = true;
	o->text[d->id] = v;
	o->num[d->id] = x;
	return 0;
}

int opts_parse(const struct cmd *c, int argc, char **argv, struct opts *o)
{
	size_t n;
	const struct cmdopt *co = accepted(c, &n);
	struct option *lo = xcalloc(n + 2, sizeof(*lo));
	struct buf shorts = {0};
	int ch, idx, rc = 0;

	memset(o, 0, sizeof(*o));
	bufadds(&shorts, ":"); /* a missing value is reported as ':' */
	for (size_t i = 0; i <= n; i++) {
		const struct optdef *d = opt_def(i < n ? co[i].id : OPT_HELP);
		lo[i] = (struct option){ d->name, d->kind == ARG_NONE ? no_argument : required_argument, NULL, 256 + (int)d->id };
		if (d->letter) {
			bufadd(&shorts, &d->letter, 1);
			if (d->kind != ARG_NONE)
				bufadds(&shorts, ":");
		}
	}
	optind = 1;
	opterr = 0;
	while (rc == 0 && (ch = getopt_long(argc, argv, shorts.s, lo, &idx)) != -1) {
		const struct optdef *d = NULL;

		if (ch >= 256) {
			d = opt_def((enum optid)(ch - 256));
		} else if (ch == '?' || ch == ':') {
			const char *what = argv[optind - 1];
			if (ch == ':')
				rc = cmd_error(c, "%s wants a value", what);
			else if (optopt)
				rc = cmd_error(c, "unknown option -%c", optopt);
			else
				rc = cmd_error(c, "unknown option %s", what);
			break;
		} else {
			for (size_t i = 0; i <= n && !d; i++) {
				const struct optdef *x = opt_def(i < n ? co[i].id : OPT_HELP);
				if (x->letter == ch)
					d = x;
			}
		}
		if (d->id == OPT_HELP) {
			cmd_usage(c, 0);
			rc = 1;
			break;
		}
		if (o->set[d->id] && d->kind != ARG_LIST) {
			rc = cmd_error(c, "--%s given twice", d->name);
			break;
		}
		rc = value(c, d, d->kind == ARG_NONE ? "" : optarg, o);
	}
	if (rc == 0 && o->set[OPT_MIN_TRIALS] && o->set[OPT_MAX_TRIALS] && o->num[OPT_MAX_TRIALS] < o->num[OPT_MIN_TRIALS])
		rc = cmd_error(c, "--max-trials (%.0f) is below --min-trials (%.0f)", o->num[OPT_MAX_TRIALS],
		               o->num[OPT_MIN_TRIALS]);
	for (enum optid i = OPT_PARTITION; rc == 0 && i <= OPT_NO_WAIT; i++)
		if (o->set[i] && !o->set[OPT_SLURM])
			rc = cmd_error(c, "--%s is an option of --slurm", opt_def(i)->name);
	if (rc == 0) {
		o->args = argv + optind;
		o->nargs = argc - optind;
	}
	buffree(&shorts);
	free(lo);
	return rc;
}

void opts_free(struct opts *o)
{
	for (size_t i = 0; i < NOPTS; i++)
		strlist_free(&o->list[i]);
}

bool opt_set(const struct opts *o, enum optid id)
{
	return o->set[id];
}

const char *opt_text(const struct opts *o, enum optid id)
{
	return o->set[id] ? o->text[id] : NULL;
}

int opt_count(const struct opts *o, enum optid id, int dflt)
{
	return o->set[id] ? (int)o->num[id] : dflt;
}

double opt_share(const struct opts *o, enum optid id, double dflt)
{
	return o->set[id] ? o->num[id] : dflt;
}

int opts_only(const struct cmd *c, const struct opts *o, const enum optid *allowed, const char *what)
{
	for (size_t i = 0; i < NOPTS; i++) {
		bool ok = false;
		if (!o->set[i])
			continue;
		for (size_t k = 0; allowed[k] != NOPTS && !ok; k++)
			ok = allowed[k] == (enum optid)i;
		if (!ok)
			return cmd_error(c, "--%s is not for %s", opt_def((enum optid)i)->name, what);
	}
	return 0;
}
