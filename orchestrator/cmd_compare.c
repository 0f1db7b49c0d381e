/* cmd_compare.c: `gilbench compare`, two sets of trials side by side.
 *
 *   gilbench compare RUN_A RUN_B          two finished runs (directories or .tar.gz archives)
 *   gilbench compare CONFIG REV_A REV_B   two revisions of a git source, built and measured
 *
 * With two runs nothing is built: archives are verified and extracted into a temporary
 * folder (compare_rundir), then compare_runs() matches their cells.
 *
 * With a config and two revisions, both revisions' sources are prepared (source_prepare
 * with each ref; the commit ids are what gets recorded) and a derived config is written to
 * RUN_DIR/config.yaml with libyaml's emitter: the config's YAML document, loaded with
 * yaml_parser_load, is copied node by node into a new document in which each build NAME
 * becomes NAME.A and NAME.B (same flags; '@' is not allowed in build names), each explicit
 * variant likewise, the source pins REV_A's commit, patches are named as the copies in
 * RUN_DIR/patches are found (as written when the name is plain, so that the build keys
 * are those of `gilbench run`), and published reference figures are dropped (their
 * variants are gone).
 * Each NAME.A is built from REV_A's tree and NAME.B from REV_B's (build_one; the build key
 * does not contain the build's name, so a second compare of the same commits reuses the
 * installed interpreters), the runner interleaves the trials of all variants of a point
 * (A B A B, rotated), the usual report is written, and compare_runs() compares each
 * VARIANT.A with VARIANT.B. RUN_DIR/compare.json records both refs and commits (written
 * before the builds, completed with the comparison at the end), RUN_DIR/compare.md the table,
 * and the whole run directory is archived as RUN_DIR.tar.gz (archive_stage), as `run` does.
 *
 * Exit codes: 0 done, 1 error, 2 usage, 3 an archive failed verification or a build's GIL
 * state is wrong, 4 some trials failed, 5 --fail-on-regression found a regression. */
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

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define SIDE_A ".A"
#define SIDE_B ".B"

static const char help[] =
	"Compares two finished runs (run directories or .tar.gz archives; nothing is built), or\n"
	"builds two revisions of a config's git source and measures them interleaved.\n\n"
	"options:\n"
	"  -o, --out DIR                 two runs: write compare.md and compare.json into DIR;\n"
	"                                two revisions: the run directory (default reports/NAME-compare-STAMP)\n"
	"      --noise PCT               changes of at most PCT% are \"no significant change\" (default 2)\n"
	"      --fail-on-regression PCT  exit 5 when a cell is significantly slower by more than PCT%\n"
	"      --work DIR                two revisions: work area for sources, build trees and prefixes\n"
	"      --cpus LIST               two revisions: pin trials to these CPUs, e.g. 0 or 0,2-3\n"
	"      --no-archive              two revisions: do not archive the run directory as RUN_DIR.tar.gz\n"
	"  -q, --quiet                   only warnings and errors\n"
	"  -h, --help                    this help\n"
	"\nBuilds become NAME.A and NAME.B in the run directory's config.yaml; cells are matched by\n"
	"experiment, variant and point. A cell is faster or slower when Welch's p < 0.05, the 95%\n"
	"bootstrap interval of the ratio of medians excludes 1 and the change is over the noise.\n"
	"\nexit codes: 0 done, 1 error, 2 usage, 3 an archive failed verification or a build's GIL\n"
	"            state is wrong, 4 some trials failed, 5 regression found\n";

enum { OPT_NOISE = 256, OPT_FAIL, OPT_WORK, OPT_CPUS, OPT_NOARCHIVE };

static const struct option options[] = {
	{ "out", required_argument, NULL, 'o' },
	{ "noise", required_argument, NULL, OPT_NOISE },
	{ "fail-on-regression", required_argument, NULL, OPT_FAIL },
	{ "work", required_argument, NULL, OPT_WORK },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "no-archive", no_argument, NULL, OPT_NOARCHIVE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

struct copts {
	const char *out, *work, *cpus;
	double noise;           /* a share */
	double fail;            /* a share; < 0: off */
	bool noarchive;         /* two revisions: no RUN_DIR.tar.gz */
};

/* "2" or "2%" as a share (0.02); -1 when not a number from 0 to 1000 */
static double percent(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && *end == '%')
		end++;
	if (errno || end == s || *end || !(v >= 0 && v <= 1000))
		return -1;
	return v / 100;
}

static int regression_exit(const struct comparesummary *s, const struct copts *op)
{
	size_t n;

	if (op->fail < 0)
		return EXIT_OK;
	n = compare_regressions(s, op->fail);
	if (n == 0)
		return EXIT_OK;
	fprintf(stderr, "gilbench compare: %zu cell%s significantly slower by more than %.3g%% (worst %+.1f%%: %s)\n",
	        n, n == 1 ? "" : "s", op->fail * 100, s->worst * 100, s->worst_cell ? s->worst_cell : "?");
	return EXIT_REGRESSION;
}

/* --- two finished runs --- */

static int runs_main(const char *a, const char *b, const struct copts *op)
{
	struct compareopts co = { .noise = op->noise };
	struct comparesummary s = {0};
	char *tmp = NULL, *da = NULL, *db = NULL, *md = NULL, *js = NULL;
	int v, rc = EXIT_FAIL;

	if (compare_isarchive(a) || compare_isarchive(b)) {
		const char *t = getenv("TMPDIR");
		tmp = xasprintf("%s/gilbench-compare-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(tmp)) {
			errorf("%s:", tmp);
			free(tmp);
			tmp = NULL;
			goto fail;
		}
	}
	if ((v = compare_rundir(a, tmp, "a", &da)) != 0 || (v = compare_rundir(b, tmp, "b", &db)) != 0) {
		if (v > 0) {
			fprintf(stderr, "gilbench: %s\n", errmsg());
			rc = EXIT_VERIFY;
			goto cleanup;
		}
		goto fail;
	}
	co.where_a = compare_isarchive(a) ? a : da;
	co.where_b = compare_isarchive(b) ? b : db;
	if (op->out) {
		if (mkdirp(op->out, 0755) < 0)
			goto fail;
		md = pathjoin(op->out, "compare.md");
		js = pathjoin(op->out, "compare.json");
	}
	if (compare_runs(da, db, &co, md, js, &s) < 0)
		goto fail;
	fputs(s.markdown, stdout);
	fflush(stdout);
	rc = regression_exit(&s, op);
	goto cleanup;
fail:
	rc = cmd_fail();
cleanup:
	comparesummary_free(&s);
	if (tmp)
		rmtree(tmp);
	free(tmp);
	free(da);
	free(db);
	free(md);
	free(js);
	return rc;
}

/* --- two revisions: the derived config --- */

struct derive {
	yaml_document_t *in, *out;
	const struct config *cfg;
	const char *commit_a;
	const char *desc;
};

static int scalar(yaml_document_t *out, const char *text)
{
	return yaml_document_add_scalar(out, NULL, (yaml_char_t *)text, -1, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static const char *keytext(yaml_document_t *in, yaml_node_pair_t *p)
{
	yaml_node_t *k = yaml_document_get_node(in, p->key);

	return k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
}

/* Copy node n of IN into OUT. In a mapping, drop the key DROP, and give the keys in
 * RENAME[] (NULL-terminated) their value with SUFFIX appended. Returns the new node's id,
 * 0 on failure. */
static int copynode(struct derive *d, yaml_node_t *n, const char *drop, const char *const *rename, const char *suffix)
{
	int id = 0;

	switch (n->type) {
	case YAML_SCALAR_NODE:
		return yaml_document_add_scalar(d->out, n->tag, n->data.scalar.value, (int)n->data.scalar.length,
		                                n->data.scalar.style);
	case YAML_SEQUENCE_NODE:
		id = yaml_document_add_sequence(d->out, n->tag, n->data.sequence.style);
		for (yaml_node_item_t *it = n->data.sequence.items.start; id && it < n->data.sequence.items.top; it++) {
			int k = copynode(d, yaml_document_get_node(d->in, *it), NULL, NULL, NULL);
			if (!k || !yaml_document_append_sequence_item(d->out, id, k))
				return 0;
		}
		return id;
	case YAML_MAPPING_NODE:
		id = yaml_document_add_mapping(d->out, n->tag, n->data.mapping.style);
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; id && p < n->data.mapping.pairs.top; p++) {
			const char *key = keytext(d->in, p);
			yaml_node_t *val = yaml_document_get_node(d->in, p->value);
			int k, v = 0;
			if (drop && strcmp(key, drop) == 0)
				continue;
			for (size_t i = 0; rename && rename[i]; i++)
				if (strcmp(key, rename[i]) == 0 && val->type == YAML_SCALAR_NODE) {
					char *t = xasprintf("%s%s", (const char *)val->data.scalar.value, suffix);
					v = scalar(d->out, t);
					free(t);
					if (!v)
						return 0;
				}
			k = copynode(d, yaml_document_get_node(d->in, p->key), NULL, NULL, NULL);
			if (!v)
				v = copynode(d, val, NULL, NULL, NULL);
			if (!k || !v || !yaml_document_append_mapping_pair(d->out, id, k, v))
				return 0;
		}
		return id;
	default:
		return 0;
	}
}

/* A list whose every item is copied once per side, with the names (and builds) suffixed. */
static int sided(struct derive *d, yaml_node_t *seq, const char *const *rename)
{
	int id;

	if (seq->type != YAML_SEQUENCE_NODE)
		return copynode(d, seq, NULL, NULL, NULL);
	id = yaml_document_add_sequence(d->out, NULL, YAML_BLOCK_SEQUENCE_STYLE);
	for (yaml_node_item_t *it = seq->data.sequence.items.start; id && it < seq->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(d->in, *it);
		int a = copynode(d, item, NULL, rename, SIDE_A), b = copynode(d, item, NULL, rename, SIDE_B);
		if (!a || !b || !yaml_document_append_sequence_item(d->out, id, a) ||
		    !yaml_document_append_sequence_item(d->out, id, b))
			return 0;
	}
	return id;
}

static int pair(yaml_document_t *out, int map, const char *key, int value)
{
	int k = yaml_document_add_scalar(out, NULL, (yaml_char_t *)key, -1, YAML_PLAIN_SCALAR_STYLE);

	return k && value && yaml_document_append_mapping_pair(out, map, k, value) ? 0 : -1;
}

static int derive_root(struct derive *d, yaml_node_t *root)
{
	static const char *const build_keys[] = { "name", NULL };
	static const char *const variant_keys[] = { "name", "build", NULL };
	int id = yaml_document_add_mapping(d->out, NULL, YAML_BLOCK_MAPPING_STYLE);

	if (!id || root->type != YAML_MAPPING_NODE)
		return -1;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *key = keytext(d->in, p);
		yaml_node_t *val = yaml_document_get_node(d->in, p->value);
		int v = 0;

		if (strcmp(key, "description") == 0)
			continue;
		if (strcmp(key, "source") == 0) {
			int git = yaml_document_add_mapping(d->out, NULL, YAML_BLOCK_MAPPING_STYLE);
			v = yaml_document_add_mapping(d->out, NULL, YAML_BLOCK_MAPPING_STYLE);
			if (!git || !v || pair(d->out, git, "url", scalar(d->out, d->cfg->source.url)) < 0 ||
			    pair(d->out, git, "ref", scalar(d->out, d->commit_a)) < 0 || pair(d->out, v, "git", git) < 0)
				return -1;
		} else if (strcmp(key, "patches") == 0) {
			v = yaml_document_add_sequence(d->out, NULL, YAML_BLOCK_SEQUENCE_STYLE);
			for (size_t i = 0; v && i < d->cfg->npatches; i++) {
				char *rel = rundir_patch_name(&d->cfg->patches[i]);
				int s = scalar(d->out, rel);
				free(rel);
				if (!s || !yaml_document_append_sequence_item(d->out, v, s))
					return -1;
			}
		} else if (strcmp(key, "builds") == 0) {
			v = sided(d, val, build_keys);
		} else if (strcmp(key, "variants") == 0) {
			v = sided(d, val, variant_keys);
		} else if (strcmp(key, "experiments") == 0 && val->type == YAML_SEQUENCE_NODE) {
			v = yaml_document_add_sequence(d->out, NULL, YAML_BLOCK_SEQUENCE_STYLE);
			for (yaml_node_item_t *it = val->data.sequence.items.start; v && it < val->data.sequence.items.top; it++) {
				int e = copynode(d, yaml_document_get_node(d->in, *it), "reference", NULL, NULL);
				if (!e || !yaml_document_append_sequence_item(d->out, v, e))
					return -1;
			}
		} else {
			v = copynode(d, val, NULL, NULL, NULL);
		}
		if (pair(d->out, id, key, v) < 0)
			return -1;
		if (strcmp(key, "name") == 0 && pair(d->out, id, "description", scalar(d->out, d->desc)) < 0)
			return -1;
	}
	return 0;
}

static int yaml_out(void *data, unsigned char *buffer, size_t size)
{
	bufadd(data, buffer, size);
	return 1;
}

/* RUN_DIR/config.yaml: the config with every build and variant once per revision. */
static int write_derived(const struct config *cfg, const char *path, const char *commit_a, const char *desc)
{
	yaml_parser_t parser;
	yaml_emitter_t emitter;
	yaml_document_t in, out;
	struct derive d = { &in, &out, cfg, commit_a, desc };
	struct buf text = {0};
	char *data = NULL;
	size_t len;
	bool pinit = false, din = false, dout = false, einit = false;
	int rc = -1;

	if (readfile(cfg->path, &data, &len) < 0)
		goto cleanup;
	if (!yaml_parser_initialize(&parser)) {
		errorf("%s: cannot start the YAML parser", cfg->path);
		goto cleanup;
	}
	pinit = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &in)) {
		errorf("%s:%zu:%zu: %s", cfg->path, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
		       parser.problem ? parser.problem : "cannot parse");
		goto cleanup;
	}
	din = true;
	if (!yaml_document_get_root_node(&in)) {
		errorf("%s: empty document", cfg->path);
		goto cleanup;
	}
	if (!yaml_document_initialize(&out, NULL, NULL, NULL, 1, 1)) {
		errorf("%s: cannot make a YAML document", path);
		goto cleanup;
	}
	dout = true;
	if (derive_root(&d, yaml_document_get_root_node(&in)) < 0) {
		errorf("%s: cannot derive the compare config from %s", path, cfg->path);
		goto cleanup;
	}
	if (!yaml_emitter_initialize(&emitter)) {
		errorf("%s: cannot start the YAML emitter", path);
		goto cleanup;
	}
	einit = true;
	yaml_emitter_set_output(&emitter, yaml_out, &text);
	yaml_emitter_set_unicode(&emitter, 1);
	yaml_emitter_set_width(&emitter, 100);
	dout = false; /* yaml_emitter_dump takes the document, even when it fails */
	if (!yaml_emitter_open(&emitter) || !yaml_emitter_dump(&emitter, &out) || !yaml_emitter_close(&emitter) ||
	    !yaml_emitter_flush(&emitter)) {
		errorf("%s: YAML emitter: %s", path, emitter.problem ? emitter.problem : "failed");
		goto cleanup;
	}
	rc = writefile(path, text.s, text.len);
cleanup:
	if (einit)
		yaml_emitter_delete(&emitter);
	if (dout)
		yaml_document_delete(&out);
	if (din)
		yaml_document_delete(&in);
	if (pinit)
		yaml_parser_delete(&parser);
	buffree(&text);
	free(data);
	return rc;
}

static json_t *revjson(const char *ref, const struct source *s)
{
	return json_pack("{s:s, s:s, s:s}", "ref", ref, "commit", s->id, "tree", s->key);
}

static int write_json(const char *path, json_t *o)
{
	char *enc = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)), *text;
	int rc;

	if (!enc)
		return errorf("%s: cannot encode JSON", path);
	text = xasprintf("%s\n", enc);
	rc = writefile(path, text, strlen(text));
	free(enc);
	free(text);
	return rc;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static int revs_main(const char *cfgarg, const char *revs[2], const struct copts *op)
{
	struct config *cfg = NULL, *dcfg = NULL;
	struct plan *plan = NULL;
	struct paths paths = {0};
	struct source src[2] = { {0}, {0} };
	struct buildrec *recs = NULL;
	struct lock *lk = NULL;
	struct runopts ro = { .cpus = op->cpus };
	struct runsummary sum = {0};
	struct compareopts co = { .noise = op->noise, .label_a = "A", .label_b = "B",
	                          .suffix_a = SIDE_A, .suffix_b = SIDE_B };
	struct comparesummary s = {0};
	json_t *cj = NULL;
	char *rundir = NULL, *cfgpath = NULL, *cjpath = NULL, *mdpath = NULL;
	char *desc = NULL, *where[2] = { NULL, NULL }, *title = NULL, *cfgabs = NULL;
	size_t nrecs = 0;
	int rc = EXIT_FAIL, verify = 0;

	if (config_load(cfgarg, &cfg) < 0)
		goto fail;
	if (cfg->source.kind != SRC_GIT) {
		errorf("%s: compare needs a git source (source: git: {url, ref}); this config builds a tarball", cfgarg);
		goto fail;
	}
	if (rundir_create(op->out, cfg->name, "compare", "give another --out", &rundir, &lk) < 0)
		goto fail;
	cfgpath = pathjoin(rundir, RUN_CONFIG);
	if (paths_init(&paths, op->work) < 0)
		goto fail;

	/* both sources; the commit ids are what is recorded */
	for (int i = 0; i < 2; i++) {
		if (source_prepare(cfg, &paths, revs[i], &src[i]) < 0) {
			errwrap("revision %s (%s)", i ? "B" : "A", revs[i]);
			goto fail;
		}
		logmsg("%s: %s is commit %s", i ? "B" : "A", revs[i], src[i].id);
	}
	cjpath = pathjoin(rundir, "compare.json");
	cfgabs = pathjoin(cfg->dir, strrchr(cfg->path, '/') ? strrchr(cfg->path, '/') + 1 : cfg->path);
	cj = json_pack("{s:s, s:s, s:o, s:o, s:f}", "config", cfgabs, "url", cfg->source.url,
	               "a", revjson(revs[0], &src[0]), "b", revjson(revs[1], &src[1]), "noise", op->noise);
	if (write_json(cjpath, cj) < 0)
		goto fail;

	/* the derived config and the files it names */
	desc = xasprintf("gilbench compare of %s (A: %s at %s, B: %s at %s)%s%s", cfg->name, revs[0], src[0].id,
	                 revs[1], src[1].id, cfg->description ? ": " : "", cfg->description ? cfg->description : "");
	if (rundir_copy_inputs(cfg, rundir) < 0 || write_derived(cfg, cfgpath, src[0].id, desc) < 0)
		goto fail;
	if (config_load(cfgpath, &dcfg) < 0) {
		errwrap("the derived config");
		goto fail;
	}

	/* builds: every NAME.A from A's tree, every NAME.B from B's */
	recs = xcalloc(dcfg->nbuilds, sizeof(*recs));
	for (int side = 0; side < 2; side++)
		for (size_t b = 0; b < dcfg->nbuilds; b++) {
			if (!has_suffix(dcfg->builds[b].name, side ? SIDE_B : SIDE_A))
				continue;
			if (build_one(dcfg, b, &src[side], &paths, rundir, &recs[nrecs]) < 0) {
				nrecs++;
				goto fail;
			}
			nrecs++;
			if (spawn_interrupted) {
				errorf("interrupted during the builds");
				goto fail;
			}
		}
	for (size_t i = 0; i < nrecs; i++) {
		if (recs[i].ok)
			continue;
		if (recs[i].verify_failed)
			verify = 1;
		errorf("build %s failed%s%s: %s (logs in %s/%s/%s/)", recs[i].name,
		       recs[i].failed_step ? " at " : "", recs[i].failed_step ? recs[i].failed_step : "",
		       recs[i].error ? recs[i].error : "no detail", rundir, RUN_BUILDS, recs[i].name);
		goto fail;
	}

	/* trials, both revisions interleaved */
	if (plan_make(dcfg, &plan) < 0)
		goto fail;
	if (runner_run(rundir, dcfg, plan, &ro, &sum) < 0) {
		if (sum.gil_mismatch)
			verify = 1;
		goto fail;
	}
	if (report_run(rundir) < 0)
		warn("report: %s", errmsg());

	/* the comparison */
	for (int i = 0; i < 2; i++)
		where[i] = xasprintf("%s at commit %s", revs[i], src[i].id);
	title = xasprintf("Comparison of %s: %s vs %s", cfg->name, revs[0], revs[1]);
	co.where_a = where[0];
	co.where_b = where[1];
	co.title = title;
	mdpath = pathjoin(rundir, "compare.md");
	if (compare_runs(rundir, rundir, &co, mdpath, NULL, &s) < 0)
		goto fail;
	json_object_set(cj, "comparison", s.json);
	if (write_json(cjpath, cj) < 0)
		goto fail;
	if (!op->noarchive && archive_stage(rundir) < 0)
		goto fail;
	fputs(s.markdown, stdout);
	printf("\n%s\n", mdpath);
	fflush(stdout);
	rc = regression_exit(&s, op);
	if (rc == EXIT_OK && runsummary_partial(&sum))
		rc = EXIT_PARTIAL;
	goto cleanup;
fail:
	rc = cmd_fail();
	if (verify && rc == EXIT_FAIL)
		rc = EXIT_VERIFY;
	if (rundir && exists(cfgpath ? cfgpath : ""))
		fprintf(stderr, "gilbench: what finished is in %s\n", rundir);
cleanup:
	comparesummary_free(&s);
	json_decref(cj);
	buildrecs_free(recs, nrecs);
	source_free(&src[0]);
	source_free(&src[1]);
	delplan(plan);
	delconfig(dcfg);
	delconfig(cfg);
	paths_free(&paths);
	lock_release(lk);
	free(cfgpath);
	free(cjpath);
	free(mdpath);
	free(rundir);
	free(desc);
	free(where[0]);
	free(where[1]);
	free(title);
	free(cfgabs);
	return rc;
}

static int compare_main(int argc, char **argv)
{
	struct copts op = { .noise = COMPARE_NOISE, .fail = -1 };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", options, NULL)) != -1) {
		switch (c) {
		case 'o': op.out = optarg; break;
		case OPT_NOISE:
			if ((op.noise = percent(optarg)) < 0)
				return cmd_error(&cmd_compare, "--noise wants a percentage, got '%s'", optarg);
			break;
		case OPT_FAIL:
			if ((op.fail = percent(optarg)) < 0)
				return cmd_error(&cmd_compare, "--fail-on-regression wants a percentage, got '%s'", optarg);
			break;
		case OPT_WORK: op.work = optarg; break;
		case OPT_CPUS: op.cpus = optarg; break;
		case OPT_NOARCHIVE: op.noarchive = true; break;
		case 'q': log_quiet = true; break;
		case 'h': cmd_usage(&cmd_compare, 0); return EXIT_OK;
		default: return cmd_error(&cmd_compare, "unknown option");
		}
	}
	if (argc - optind == 2) {
		if (op.work || op.cpus || op.noarchive)
			return cmd_error(&cmd_compare,
			                 "--work, --cpus and --no-archive are for CONFIG REV_A REV_B (two runs build nothing)");
		return runs_main(argv[optind], argv[optind + 1], &op);
	}
	if (argc - optind == 3) {
		const char *revs[2] = { argv[optind + 1], argv[optind + 2] };
		return revs_main(argv[optind], revs, &op);
	}
	return cmd_error(&cmd_compare, "expected RUN_A RUN_B, or CONFIG REV_A REV_B");
}

const struct cmd cmd_compare = {
	"compare",
	"RUN_A RUN_B [--out DIR] [--noise PCT] [--fail-on-regression PCT]\n"
	"       gilbench compare CONFIG REV_A REV_B [--out RUN_DIR] [--work DIR] [--noise PCT] [--fail-on-regression PCT] [--cpus LIST] [--no-archive]",
	"compare two runs or archives, or build and measure two git revisions interleaved",
	help,
	compare_main,
};
