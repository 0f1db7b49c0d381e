/* cmd_bisect.c: `gilbench bisect`, the commit that made a change, never a guess.
 *
 *   gilbench bisect CONFIG GOOD BAD --experiment NAME [--point P] [--variant V [--variant V2]] ...
 *   gilbench bisect CONFIG --alert ID [--db FILE] ...    the range, series and size of a nightly alert
 *   gilbench bisect --resume RUN_DIR                     continue an interrupted bisect
 *
 * A thin driver of the pipeline: a new bisect seeds a run directory of kind bisect
 * (bisectrun_new: the selection, the first-parent range, GOOD and BAD as sides), then the
 * pipeline builds GOOD and BAD, measures (for this kind: the search, which builds each
 * commit it steps to), reports (the kind's finish writes bisect.md, .html, .json) and
 * archives; with --slurm all of that runs as one exclusive Slurm job (slurmrun_whole), waited
 * for. An alert gives GOOD (its last good commit), BAD (its first bad), the series
 * and, unless --threshold says otherwise, half its step as the threshold. */
#include "bisectalert.h"
#include "bisectrun.h"
#include "cmd.h"
#include "config.h"
#include "pipeline.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_THRESHOLD 0.05

static int check_operands(const struct opts *o)
{
	static const enum optid resume_ok[] = { OPT_RESUME, OPT_JSON, OPT_WORK, OPT_CPUS, OPT_NO_ARCHIVE, OPT_QUIET,
	                                        OPT_SLURM, OPT_PARTITION, OPT_SBATCH, NOPTS };

	if (opt_set(o, OPT_RESUME)) {
		if (o->nargs)
			return cmd_error(&cmd_bisect, "--resume RUN_DIR takes no other operand");
		return opts_only(&cmd_bisect, o, resume_ok, "--resume (it continues with what the bisect recorded)");
	}
	if (opt_set(o, OPT_ALERT)) {
		if (opt_set(o, OPT_EXPERIMENT) || opt_set(o, OPT_POINT) || opt_set(o, OPT_VARIANT))
			return cmd_error(&cmd_bisect, "--alert gives the series: no --experiment, --point or --variant");
		return cmd_operands(&cmd_bisect, o, 1, 1, "CONFIG (the alert gives GOOD and BAD)");
	}
	if (opt_set(o, OPT_DB))
		return cmd_error(&cmd_bisect, "--db is where --alert is read from");
	if (o->nargs != 3)
		return cmd_error(&cmd_bisect, "expected CONFIG GOOD BAD, CONFIG --alert ID, or --resume RUN_DIR");
	if (!opt_set(o, OPT_EXPERIMENT))
		return cmd_error(&cmd_bisect, "--experiment NAME is needed: the series to bisect");
	return 0;
}

/* the spec of a new bisect from the command line, or from alert a */
static int spec(const struct opts *o, struct bisectspec *b, struct bisectalert *a, const char *vars[3])
{
	memset(b, 0, sizeof(*b));
	b->config = o->args[0];
	b->min_rounds = opt_count(o, OPT_MIN_TRIALS, 0);
	b->max_rounds = opt_count(o, OPT_MAX_TRIALS, 0);
	b->threshold = opt_share(o, OPT_THRESHOLD, DEFAULT_THRESHOLD);
	if (!opt_set(o, OPT_ALERT)) {
		const struct strlist *v = &o->list[OPT_VARIANT];
		b->good = o->args[1];
		b->bad = o->args[2];
		b->experiment = opt_text(o, OPT_EXPERIMENT);
		b->point = opt_text(o, OPT_POINT);
		b->variants = v->n ? (const char *const *)v->v : NULL;
		return 0;
	}
	if (bisectalert_read(opt_text(o, OPT_DB), opt_count(o, OPT_ALERT, 0), a) < 0)
		return errwrap("--alert %d", opt_count(o, OPT_ALERT, 0));
	b->good = a->last_good;
	b->bad = a->first_bad;
	b->experiment = a->experiment;
	b->point = a->point;
	vars[0] = a->variants[0];
	vars[1] = a->variants[1];
	vars[2] = NULL;
	b->variants = vars;
	if (!opt_set(o, OPT_THRESHOLD))
		b->threshold = fabs(a->ratio - 1) / 2;
	b->alert = bisectalert_json(a);
	return 0;
}

static int bisect_main(struct opts *o)
{
	struct pipeopts po;
	struct pipeline p = {0};
	struct bisectspec b;
	struct bisectalert a = {0};
	const char *resume = opt_text(o, OPT_RESUME), *vars[3];
	char *js;
	int rc;

	if ((rc = check_operands(o)) != 0)
		return rc;
	cmd_pipeopts(o, &po);
	if (resume) {
		rc = pipeline_resume(&p, &po, resume, KIND_BISECT);
	} else {
		rc = spec(o, &b, &a, vars);
		if (rc == 0)
			rc = bisectrun_new(&p, &po, &b, opt_text(o, OPT_OUT));
		json_decref(b.alert);
	}
	if (rc == 0)
		rc = pipeline_all(&p);
	if (rc == 0 && opt_set(o, OPT_JSON)) {
		if ((js = bisectrun_json(&p)))
			fputs(js, stdout);
		fflush(stdout);
		free(js);
	} else if (rc == 0) {
		cmd_summary(&p);
	}
	if (rc == 0 && p.out.nochange)
		fprintf(stderr, "gilbench bisect: GOOD and BAD do not differ by the threshold here: nothing to bisect "
		                "(%s)\n", p.summary_path);
	rc = cmd_end(&p, rc, opt_text(o, OPT_OUT));
	pipeline_free(&p);
	bisectalert_free(&a);
	return rc;
}

static const struct cmdopt opts[] = {
	{ OPT_EXPERIMENT, "the experiment whose series is bisected" },
	{ OPT_POINT, "its point, when it has several (e.g. threads=4)" },
	{ OPT_VARIANT, "the variant (default: the config's only one); twice: the ratio of the first to the second, "
	               "e.g. --variant nogil --variant gil for the free-threading overhead" },
	{ OPT_THRESHOLD, "the least change from GOOD to BAD that counts (default 5; with --alert, half its step)" },
	{ OPT_MIN_TRIALS, "interleaved rounds each commit gets first (default: the experiment's trials, at least 3)" },
	{ OPT_MAX_TRIALS, "rounds a commit may get while undecided (default: run.max_trials, else 30)" },
	{ OPT_ALERT, "start from the nightly history's alert ID: its range, series and size" },
	{ OPT_DB, "the history database --alert reads (default $GILBENCH_DB, else reports/history.sqlite)" },
	{ OPT_OUT, "the run directory to make (default reports/NAME-bisect-STAMP)" },
	{ OPT_RESUME, "continue an interrupted bisect: nothing done is built or measured again" },
	{ OPT_JSON, "print bisect.json instead of the report" },
	{ OPT_WORK, NULL }, { OPT_CPUS, NULL }, { OPT_NO_ARCHIVE, NULL },
	{ OPT_SLURM, "the whole bisect as one Slurm job on a node of its own, waited for (its steps depend on each "
	             "other: docs/slurm.md)" },
	{ OPT_PARTITION, NULL }, { OPT_SBATCH, NULL }, { OPT_QUIET, NULL },
	{ NOPTS, NULL },
};

const struct cmd cmd_bisect = {
	"bisect",
	"CONFIG GOOD BAD --experiment NAME [--point LABEL] [--variant NAME [--variant NAME]] [--threshold PCT]\n"
	"                       [--min-trials N] [--max-trials N] [--out RUN_DIR] [--json] [--work DIR] [--cpus LIST]\n"
	"                       [--slurm [--partition P] [--sbatch ARG]...]\n"
	"       gilbench bisect CONFIG --alert ID [--db FILE] [options]\n"
	"       gilbench bisect --resume RUN_DIR [--json] [--slurm ...]",
	"find the commit that changed a measurement, with evidence, or say what is left",
	"Walks BAD's first-parent line back to GOOD (a git source). First GOOD and BAD are measured\n"
	"side by side: they must differ by the threshold here, or there is nothing to bisect. Each step\n"
	"builds the commit in the middle of what is left and measures it interleaved with fresh trials\n"
	"of GOOD and BAD: \"like GOOD\" when shown the same as GOOD within half the change and different\n"
	"from BAD, \"like BAD\" the other way round, else \"undecided\" (rounds are added up to\n"
	"--max-trials first). A commit that fails to build or stays undecided is set aside. The answer's\n"
	"ends are checked side by side. RUN_DIR/bisect.md (and .html, .json) names the commit, its own\n"
	"change and the whole change with their intervals, and every step (docs/bisect.md). With\n"
	"--slurm the whole bisect runs as one exclusive Slurm job, waited for (docs/slurm.md).\n"
	"\nexit codes: 0 one commit found, 1 error or GOOD and BAD do not differ here, 2 usage,\n"
	"            3 a build's GIL state is wrong, 4 the answer is a range (or the commit is not the\n"
	"            whole change), 130 interrupted (continue with --resume RUN_DIR)\n",
	opts,
	bisect_main,
};
