/* cmd_reproduce.c: `gilbench reproduce ARCHIVE`, an archived run re-run on this machine.
 *
 * The archive is verified (archive_verify: any problem is exit 3, each problem on its own
 * line) and extracted into a temporary folder (compare_rundir), where its config.yaml is
 * loaded as it stands (patches named plainly resolve to <config dir>/../patches, so a
 * link TMP/patches -> archived/patches is made first). The same source is prepared: a
 * tarball by its sha256, a git source at the commit recorded in the archived
 * builds/NAME/build.json inputs.source (else metadata.json's source), passed as the ref.
 * Then, as in `gilbench run`, into a new run directory (the config copied byte for byte,
 * with the scripts and patches beside it): build_all with the same patches and flags,
 * plan_make, runner_run and report_run. Last, compare_runs() sets the archived results
 * beside the new ones, and RUN_DIR/reproduce.md gets that table plus "How the machines
 * differ": both metadata.json files flattened to dotted fields (machine, builds, variants,
 * load, versions, options), the fields that differ in a table and the ones that agree
 * named below it. The new run directory is archived as RUN_DIR.tar.gz, as `run` does.
 *
 * Exit codes: 0 done, 1 error, 2 usage, 3 the archive failed verification (or a build's
 * GIL state is wrong), 4 some builds or trials failed, 130 interrupted. */
#include "archive.h"
#include "build.h"
#include "cmd.h"
#include "compare.h"
#include "config.h"
#include "lock.h"
#include "log.h"
#include "paths.h"
#include "plan.h"
#include "report.h"
#include "rundir.h"
#include "runner.h"
#include "source.h"
#include "spawn.h"
#include "util.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"Verifies the archive, re-runs its config here (same source id, patches and flags) into a\n"
	"new run directory and writes RUN_DIR/reproduce.md: the archived and the new figures side\n"
	"by side, and how the two machines differ.\n\n"
	"options:\n"
	"  -o, --out RUN_DIR     run directory (default reports/NAME-reproduce-STAMP)\n"
	"      --work DIR        work area for sources, build trees and prefixes (default $GILBENCH_WORK or ./builds)\n"
	"      --cpus LIST       pin trials to these CPUs, e.g. 0 or 0,2-3\n"
	"      --noise PCT       changes of at most PCT% are \"no significant change\" (default 2)\n"
	"      --no-archive      do not archive the new run directory as RUN_DIR.tar.gz\n"
	"  -q, --quiet           only warnings and errors\n"
	"  -h, --help            this help\n"
	"\nexit codes: 0 done, 1 error, 2 usage, 3 the archive failed verification or a build's GIL\n"
	"            state is wrong, 4 some builds or trials failed, 130 interrupted\n";

enum { OPT_WORK = 256, OPT_CPUS, OPT_NOISE, OPT_NOARCHIVE };

static const struct option options[] = {
	{ "out", required_argument, NULL, 'o' },
	{ "work", required_argument, NULL, OPT_WORK },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "noise", required_argument, NULL, OPT_NOISE },
	{ "no-archive", no_argument, NULL, OPT_NOARCHIVE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* --- metadata.json, flattened --- */

/* the parts of metadata.json that describe the machine and the software, in this order */
static const char *const metakeys[] = {
	"machine", "builds", "variants", "load_start", "load_end", "busy_at_start", "gilbench",
	"source", "config", "patches", "runopts", "started", "ended",
};

#define MAXARRAY 8 /* longer arrays are shown by their length */

static char *scalar_text(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return xstrdup(json_string_value(v));
	case JSON_INTEGER: return xasprintf("%lld", (long long)json_integer_value(v));
	case JSON_REAL: return xasprintf("%.4g", json_real_value(v));
	case JSON_TRUE: return xstrdup("true");
	case JSON_FALSE: return xstrdup("false");
	case JSON_NULL: return xstrdup("—");
	case JSON_ARRAY: return xasprintf("[%zu items]", json_array_size(v));
	default: return xstrdup("{...}");
	}
}

/* Every leaf of v as "path" -> text, in document order. */
static void flatten(const char *path, json_t *v, struct strlist *keys, struct strlist *vals)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_object(v) && json_object_size(v) > 0) {
		json_object_foreach(v, k, x) {
			char *p = xasprintf("%s.%s", path, k);
			flatten(p, x, keys, vals);
			free(p);
		}
	} else if (json_is_array(v) && json_array_size(v) > 0 && json_array_size(v) <= MAXARRAY) {
		json_array_foreach(v, i, x) {
			char *p = xasprintf("%s[%zu]", path, i);
			flatten(p, x, keys, vals);
			free(p);
		}
	} else {
		strlist_add(keys, path);
		strlist_addown(vals, scalar_text(v));
	}
}

static json_t *load_json(const char *dir, const char *name)
{
	char *path = pathjoin(dir, name);
	json_t *o = exists(path) ? json_loadreg(path, 0, NULL) : NULL;

	free(path);
	return o;
}

static void flatten_meta(json_t *m, struct strlist *keys, struct strlist *vals)
{
	for (size_t i = 0; i < LEN(metakeys); i++) {
		json_t *v = json_object_get(m, metakeys[i]);
		if (v)
			flatten(metakeys[i], v, keys, vals);
	}
}

static const char *lookup(const struct strlist *keys, const struct strlist *vals, const char *key)
{
	for (size_t i = 0; i < keys->n; i++)
		if (strcmp(keys->v[i], key) == 0)
			return vals->v[i];
	return NULL;
}

static void md_cell(struct buf *b, const char *s)
{
	bufadds(b, " ");
	if (!s) {
		bufadds(b, "(absent)");
	} else {
		for (; *s; s++) {
			if (*s == '|')
				bufadds(b, "\\|");
			else if (*s == '\n')
				bufadds(b, " ");
			else
				bufadd(b, s, 1);
		}
	}
	bufadds(b, " |");
}

static void machines(struct buf *md, const char *archived, const char *here)
{
	json_t *ma = load_json(archived, RUN_METADATA), *mb = load_json(here, RUN_METADATA);
	struct strlist ka = {0}, va = {0}, kb = {0}, vb = {0}, all = {0}, same = {0};
	size_t ndiff = 0;

	bufadds(md, "\n## How the machines differ\n\n");
	if (!ma || !mb) {
		bufaddf(md, "No %s %s, so the machines cannot be compared.\n", RUN_METADATA,
		        !ma && !mb ? "on either side" : !ma ? "in the archive" : "here");
		goto cleanup;
	}
	flatten_meta(ma, &ka, &va);
	flatten_meta(mb, &kb, &vb);
	for (size_t i = 0; i < ka.n; i++)
		strlist_add(&all, ka.v[i]);
	for (size_t i = 0; i < kb.n; i++)
		if (!lookup(&ka, &va, kb.v[i]))
			strlist_add(&all, kb.v[i]);
	bufadds(md, "From both runs' metadata.json (machine, builds, variants, load, versions, options):\n\n");
	bufadds(md, "| Field | Archived | Here |\n| --- | --- | --- |\n");
	for (size_t i = 0; i < all.n; i++) {
		const char *a = lookup(&ka, &va, all.v[i]), *b = lookup(&kb, &vb, all.v[i]);
		if (a && b && strcmp(a, b) == 0) {
			strlist_add(&same, all.v[i]);
			continue;
		}
		ndiff++;
		bufadds(md, "|");
		md_cell(md, all.v[i]);
		md_cell(md, a);
		md_cell(md, b);
		bufadds(md, "\n");
	}
	if (ndiff == 0)
		bufadds(md, "| (none) | | |\n");
	bufaddf(md, "\n%zu fields differ; %zu are the same on both", ndiff, same.n);
	for (size_t i = 0; i < same.n; i++)
		bufaddf(md, "%s`%s`", i ? ", " : ": ", same.v[i]);
	bufadds(md, ".\n");
cleanup:
	json_decref(ma);
	json_decref(mb);
	strlist_free(&ka);
	strlist_free(&va);
	strlist_free(&kb);
	strlist_free(&vb);
	strlist_free(&all);
	strlist_free(&same);
}

/* --- the source id the archive was measured on --- */

static char *archived_source(const char *dir)
{
	char *bdir = pathjoin(dir, RUN_BUILDS), *id = NULL;
	struct strlist names = {0};
	json_t *m;

	if (listdir_suffix(bdir, "", &names) == 0)
		for (size_t i = 0; i < names.n && !id; i++) {
			char *rel = xasprintf("%s/%s/%s", RUN_BUILDS, names.v[i], RUN_BUILDREC);
			json_t *b = load_json(dir, rel);
			const char *s = json_string_value(json_object_get(json_object_get(b, "inputs"), "source"));
			if (s && *s)
				id = xstrdup(s);
			json_decref(b);
			free(rel);
		}
	if (!id && (m = load_json(dir, RUN_METADATA))) {
		const char *s = json_string_value(json_object_get(m, "source"));
		if (s && *s)
			id = xstrdup(s);
		json_decref(m);
	}
	strlist_free(&names);
	free(bdir);
	return id;
}

static int reproduce_main(int argc, char **argv)
{
	const char *out = NULL, *work = NULL, *archive;
	struct runopts ro = {0};
	struct runsummary sum = {0};
	struct compareopts co = { .noise = COMPARE_NOISE, .label_a = "archived", .label_b = "here" };
	struct comparesummary s = {0};
	struct config *cfg = NULL;
	struct plan *plan = NULL;
	struct paths paths = {0};
	struct source src = {0};
	struct buildrec *recs = NULL;
	struct lock *lk = NULL;
	struct buf md = {0};
	char *tmp = NULL, *adir = NULL, *srcid = NULL, *rundir = NULL, *cfgpath = NULL;
	char *mdpath = NULL, *title = NULL, *apatches = NULL, *link = NULL, *cmpmd = NULL;
	const char *ref = NULL, *t;
	size_t nrecs = 0;
	int c, v, failed = 0, rc = EXIT_FAIL, verify = 0;
	bool noarchive = false;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", options, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case OPT_WORK: work = optarg; break;
		case OPT_CPUS: ro.cpus = optarg; break;
		case OPT_NOISE: {
			char *end;
			co.noise = strtod(optarg, &end) / 100;
			if (end == optarg || (*end && strcmp(end, "%") != 0) || !(co.noise >= 0 && co.noise <= 10))
				return cmd_error(&cmd_reproduce, "--noise wants a percentage, got '%s'", optarg);
			break;
		}
		case OPT_NOARCHIVE: noarchive = true; break;
		case 'q': log_quiet = true; break;
		case 'h': cmd_usage(&cmd_reproduce, 0); return EXIT_OK;
		default: return cmd_error(&cmd_reproduce, "unknown option");
		}
	}
	if (optind != argc - 1)
		return cmd_error(&cmd_reproduce, "expected one ARCHIVE (.tar.gz)");
	archive = argv[optind];
	if (isdir(archive))
		return cmd_error(&cmd_reproduce, "%s is a folder; reproduce takes an archive (.tar.gz) made by gilbench run or archive",
		                 archive);

	/* the archive: verified, extracted, its config loaded */
	t = getenv("TMPDIR");
	tmp = xasprintf("%s/gilbench-reproduce-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmp)) {
		errorf("%s:", tmp);
		free(tmp);
		tmp = NULL;
		goto fail;
	}
	logmsg("verifying %s", archive);
	if ((v = compare_rundir(archive, tmp, "archived", &adir)) != 0) {
		if (v > 0) {
			fprintf(stderr, "gilbench: %s\n", errmsg());
			rc = EXIT_VERIFY;
			goto cleanup;
		}
		goto fail;
	}
	apatches = pathjoin(adir, "patches");
	link = pathjoin(tmp, "patches");
	if (isdir(apatches) && symlink("archived/patches", link) < 0) {
		errorf("%s:", link);
		goto fail;
	}
	cfgpath = pathjoin(adir, RUN_CONFIG);
	if (!exists(cfgpath)) {
		errorf("%s: the archive holds no %s", archive, RUN_CONFIG);
		goto fail;
	}
	if (config_load(cfgpath, &cfg) < 0) {
		errwrap("%s", archive);
		goto fail;
	}
	free(cfgpath);
	cfgpath = NULL;
	srcid = archived_source(adir);
	if (cfg->source.kind == SRC_GIT) {
		if (!srcid) {
			errorf("%s: no build record or metadata names the commit the run was built from", archive);
			goto fail;
		}
		ref = srcid;
	} else if (srcid && strcmp(srcid, cfg->source.sha256) != 0) {
		warn("%s: the builds were made from %s, but the config names %s; using the config's", archive, srcid,
		     cfg->source.sha256);
	}

	/* a new run directory */
	if (rundir_create(out, cfg->name, "reproduce", "give another --out", &rundir, &lk) < 0)
		goto fail;
	cfgpath = pathjoin(rundir, RUN_CONFIG);
	if (rundir_seed(cfg, rundir) < 0)
		goto fail;
	logmsg("reproduce %s: %s", cfg->name, rundir);

	/* source, builds, trials, report: as gilbench run does */
	if (paths_init(&paths, work) < 0)
		goto fail;
	failed = build_stage(cfg, &paths, ref, rundir, &src, &recs, &nrecs);
	for (size_t i = 0; i < nrecs; i++)
		if (recs[i].verify_failed)
			verify = 1;
	if (failed < 0)
		goto fail;
	if (plan_make(cfg, &plan) < 0)
		goto fail;
	if (runner_run(rundir, cfg, plan, &ro, &sum) < 0) {
		if (sum.gil_mismatch)
			verify = 1;
		goto fail;
	}
	if (report_run(rundir) < 0)
		warn("report: %s", errmsg());

	/* archived vs here */
	title = xasprintf("Reproduction of %s", cfg->name);
	co.title = title;
	co.where_a = archive;
	co.where_b = rundir;
	if (compare_runs(adir, rundir, &co, NULL, NULL, &s) < 0)
		goto fail;
	cmpmd = pathjoin(rundir, "reproduce.json");
	{
		json_t *o = json_pack("{s:s, s:s, s:O}", "archive", archive, "source", src.id, "comparison", s.json);
		char *enc = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		int w = enc ? writefile(cmpmd, enc, strlen(enc)) : errorf("%s: cannot encode JSON", cmpmd);
		free(enc);
		json_decref(o);
		if (w < 0)
			goto fail;
	}
	bufadds(&md, s.markdown);
	bufaddf(&md, "\nSource: %s %s (the same on both sides).\n", cfg->source.kind == SRC_GIT ? "commit" : "tarball sha256",
	        src.id);
	machines(&md, adir, rundir);
	mdpath = pathjoin(rundir, "reproduce.md");
	if (writefile(mdpath, md.s, md.len) < 0)
		goto fail;
	if (!noarchive && archive_stage(rundir) < 0)
		goto fail;
	fputs(md.s, stdout);
	printf("\n%s\n", mdpath);
	fflush(stdout);
	rc = verify ? EXIT_VERIFY : failed || runsummary_partial(&sum) ? EXIT_PARTIAL : EXIT_OK;
	goto cleanup;
fail:
	rc = cmd_fail();
	if (verify && rc == EXIT_FAIL)
		rc = EXIT_VERIFY;
	if (rundir && cfgpath && exists(cfgpath))
		fprintf(stderr, "gilbench: what finished is in %s\n", rundir);
cleanup:
	comparesummary_free(&s);
	buffree(&md);
	buildrecs_free(recs, nrecs);
	source_free(&src);
	delplan(plan);
	delconfig(cfg);
	paths_free(&paths);
	lock_release(lk);
	if (tmp)
		rmtree(tmp);
	free(tmp);
	free(adir);
	free(srcid);
	free(rundir);
	free(cfgpath);
	free(mdpath);
	free(title);
	free(apatches);
	free(link);
	free(cmpmd);
	return rc;
}

const struct cmd cmd_reproduce = {
	"reproduce",
	"ARCHIVE [--out RUN_DIR] [--work DIR] [--cpus LIST] [--noise PCT] [--no-archive]",
	"re-run an archived run here and set its figures beside the archive's",
	help,
	reproduce_main,
};
