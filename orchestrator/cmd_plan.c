/* cmd_plan.c: `gilbench plan CONFIG [--json]`, the cells a config expands into.
 *
 * Loads and checks the config (a bad one is one error line and exit 1), expands it with
 * plan_make() and prints either a table (id, experiment, point, variant, trials) or, with
 * --json, what plan.json would hold. Nothing is built or run. */
#include "cmd.h"
#include "config.h"
#include "plan.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void printtable(const struct plan *p)
{
	const struct config *cfg = p->cfg;
	int we = (int)strlen("experiment"), wp = (int)strlen("point"), wv = (int)strlen("variant");

	for (size_t i = 0; i < p->ncells; i++) {
		const struct cell *c = &p->cells[i];
		int n;
		if ((n = (int)strlen(cfg->exps[c->exp].name)) > we)
			we = n;
		if ((n = (int)strlen(p->points[c->point].label)) > wp)
			wp = n;
		if ((n = (int)strlen(cfg->variants[c->variant].name)) > wv)
			wv = n;
	}
	printf("%-16s  %-*s  %-*s  %-*s  %s\n", "id", we, "experiment", wp, "point", wv, "variant", "trials");
	for (size_t i = 0; i < p->ncells; i++) {
		const struct cell *c = &p->cells[i];
		const char *label = p->points[c->point].label;
		printf("%-16s  %-*s  %-*s  %-*s  %d\n", c->id, we, cfg->exps[c->exp].name, wp, *label ? label : "-", wv,
		       cfg->variants[c->variant].name, cfg->exps[c->exp].trials);
	}
	printf("%zu cells: %zu experiments, %zu points, %zu variants\n", p->ncells, cfg->nexps, p->npoints,
	       cfg->nvariants);
}

static int plan_main(struct opts *o)
{
	struct config *cfg = NULL;
	struct plan *p = NULL;
	char *text = NULL;
	int rc;

	if ((rc = cmd_operands(&cmd_plan, o, 1, 1, "CONFIG")) != 0)
		return rc;
	if (config_load(o->args[0], &cfg) < 0 || plan_make(cfg, &p) < 0) {
		rc = cmd_fail();
		goto cleanup;
	}
	if (opt_set(o, OPT_JSON)) {
		text = plan_json(p);
		printf("%s\n", text);
	} else {
		printtable(p);
	}
	if (fflush(stdout) != 0) {
		errorf("plan: writing the output:");
		rc = cmd_fail();
	}
cleanup:
	free(text);
	delplan(p);
	delconfig(cfg);
	return rc;
}

static const struct cmdopt opts[] = {
	{ OPT_JSON, "print the plan as JSON (what a run directory's plan.json holds)" },
	{ NOPTS, NULL },
};

const struct cmd cmd_plan = {
	"plan",
	"CONFIG [--json]",
	"check a config and list the cells it expands into",
	"Each cell is one variant at one point of an experiment's matrix; its id is stable\n"
	"across runs of the same config. A bad config prints one line, FILE:LINE:COL: KEY: problem,\n"
	"and exits with 1.\n",
	opts,
	plan_main,
};
