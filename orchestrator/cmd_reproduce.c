/* cmd_reproduce.c: `gilbench reproduce ARCHIVE`, an archived run re-run on this machine.
 *
 * The archive is verified once and extracted into a temporary folder, its config loaded
 * self-contained (reproduce.h); a new run directory is seeded from it with one side at the
 * source the archive was built from (the recorded commit for a git source), and the
 * pipeline builds, measures, reports and archives as `run` does; its reproduce finish sets
 * the archived figures beside the new ones in reproduce.md. `--resume RUN_DIR` continues
 * an interrupted reproduction from its own copy of the archived run. */
#include "cmd.h"
#include "hash.h"
#include "log.h"
#include "pipeline.h"
#include "reproduce.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

static int seed(const char *archive, const struct opts *o, const struct pipeopts *po, struct pipeline *p,
                bool *verify)
{
	struct config *acfg = NULL;
	char *tmp = mktmpdir("reproduce"), *adir = NULL, *ref = NULL, *abs = NULL, hex[HEXLEN];
	int v, rc = -1;

	if (!tmp)
		return -1;
	logmsg("verifying %s", archive);
	if ((v = reproduce_open(archive, tmp, &adir, &acfg)) != 0) {
		*verify = v > 0;
		goto cleanup;
	}
	if (pipeline_create(p, po, KIND_REPRODUCE, acfg->name, opt_text(o, OPT_OUT)) < 0 ||
	    reproduce_seed(adir, acfg, p->run.dir, &ref) < 0 || !(abs = abspath(archive)) || sha256_file(archive, hex) < 0)
		goto cleanup;
	rundir_addside(&p->run, "", ref);
	json_object_set_new(p->run.extra, "archive", json_pack("{s:s, s:s}", "path", abs, "sha256", hex));
	rc = pipeline_start(p);
cleanup:
	rmtree(tmp);
	free(tmp);
	free(adir);
	free(ref);
	free(abs);
	delconfig(acfg);
	return rc;
}

static int reproduce_main(struct opts *o)
{
	struct pipeopts po;
	struct pipeline p = {0};
	const char *resume = opt_text(o, OPT_RESUME);
	bool verify = false;
	int rc;

	if (resume && (o->nargs || opt_set(o, OPT_OUT)))
		return cmd_error(&cmd_reproduce, "--resume RUN_DIR takes no ARCHIVE and no --out");
	if (!resume && (rc = cmd_operands(&cmd_reproduce, o, 1, 1, "ARCHIVE (.tar.gz)")) != 0)
		return rc;
	if (!resume && isdir(o->args[0]))
		return cmd_error(&cmd_reproduce, "%s is a folder; reproduce takes an archive (.tar.gz) made by gilbench, "
		                 "or --resume RUN_DIR", o->args[0]);
	cmd_pipeopts(o, &po);
	rc = resume ? pipeline_resume(&p, &po, resume, KIND_REPRODUCE) : seed(o->args[0], o, &po, &p, &verify);
	if (rc == 0)
		rc = pipeline_all(&p);
	if (rc == 0)
		cmd_summary(&p);
	p.out.verify_failed |= verify;
	rc = cmd_end(&p, rc, opt_text(o, OPT_OUT));
	pipeline_free(&p);
	return rc;
}

static const struct cmdopt opts[] = {
	{ OPT_OUT, "the run directory to make (default reports/NAME-reproduce-STAMP)" },
	{ OPT_RESUME, "continue an interrupted reproduction" },
	{ OPT_WORK, NULL }, { OPT_CPUS, NULL }, { OPT_TIE, NULL }, { OPT_MIN_TRIALS, NULL }, { OPT_MAX_TRIALS, NULL },
	{ OPT_TARGET, NULL }, { OPT_NO_ARCHIVE, NULL }, { OPT_QUIET, NULL },
	{ NOPTS, NULL },
};

const struct cmd cmd_reproduce = {
	"reproduce",
	"ARCHIVE [--out RUN_DIR] [--work DIR] [--cpus LIST] [--tie PCT] [trial options] [--no-archive]\n"
	"       gilbench reproduce --resume RUN_DIR [options]",
	"re-run an archived run here and set its figures beside the archive's",
	"Verifies the archive, re-runs its config here (same source id, patches and flags) into a\n"
	"new run directory and writes RUN_DIR/reproduce.md: the archived and the new figures side\n"
	"by side, each cell \"reproduced\" only when shown the same within the tie, and how the two\n"
	"machines differ. Nothing the archive names outside itself is read.\n"
	"\nexit codes: 0 done, 1 error, 2 usage, 3 the archive failed verification or a build's GIL\n"
	"            state is wrong, 4 some builds or trials failed, 130 interrupted\n",
	opts,
	reproduce_main,
};
