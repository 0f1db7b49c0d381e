/* runmeta.c: the run stage's metadata.json (see runner.h for its fields): provenance (the
 * config, source, patches, builds, variants and their probed GIL state, the machine), how
 * quiet the machine was (load, other processes, noisy points, interference, the canary),
 * the options and the trial counts. Written before the first trial and rewritten at the end
 * or on interruption, atomically, so it is always whole; --resume keeps the first start. */
#include "runner_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "fmt.h"
#include "hash.h"
#include "rundir.h"
#include "util.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

/* the canary's summary: this run's C samples against the machine's reference */
static json_t *canaryjson(struct runner *R)
{
	struct canary_verdict v;
	double thr = R->cfg->run.canary;

	if (!(thr > 0))
		return json_null();
	canary_judge(R->csamples, R->ncsamples, R->canaryref, thr, &v);
	return json_pack("{s:f, s:o, s:I, s:o, s:o, s:I, s:I, s:b, s:b, s:o, s:O}", "threshold", thr,
	                 "reference", fmt_jnum(R->canaryref), "reference_runs", (json_int_t)R->canaryruns,
	                 "median", fmt_jnum(v.median), "slowdown", fmt_jnum(v.median_slowdown),
	                 "slow_rounds", (json_int_t)R->sum->slow_rounds, "rounds", (json_int_t)R->rounds,
	                 "slow_run", v.slow_run, "self_judged", R->selfjudged, "store", R->store ? json_string(canary_store_path(R->store)) : json_null(),
	                 "python", R->pycanary);
}

static json_t *strornull(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *getor(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v ? json_incref(v) : json_null();
}

static json_t *kvjson(const struct kvlist *l)
{
	json_t *o = json_object();

	for (size_t i = 0; i < l->n; i++)
		json_object_set_new(o, l->v[i].key, json_string(l->v[i].value));
	return o;
}

json_t *runmeta(struct runner *R)
{
	const struct config *cfg = R->cfg;
	json_t *m = json_object(), *a, *o, *src = NULL;

	json_object_set_new(m, "gilbench", json_string(VERSION));
	json_object_set_new(m, "status", json_string(R->status));
	json_object_set_new(m, "config", json_pack("{s:s,s:s}", "name", cfg->name, "sha256", cfg->hash));
	for (size_t b = 0; b < cfg->nbuilds && !src; b++) {
		json_t *s = json_object_get(R->builds[b].inputs, "source");
		if (json_is_string(s))
			src = json_incref(s);
	}
	json_object_set_new(m, "source", src ? src : json_null());
	a = json_array();
	for (size_t i = 0; i < cfg->npatches; i++) {
		char hex[HEXLEN];
		int ok = sha256_file(cfg->patches[i].path, hex);
		json_array_append_new(a, json_pack("{s:s,s:o}", "name", cfg->patches[i].name,
		                                   "sha256", ok == 0 ? json_string(hex) : json_null()));
	}
	json_object_set_new(m, "patches", a);
	o = json_object();
	for (size_t b = 0; b < cfg->nbuilds; b++) {
		const struct buildrec *br = &R->builds[b];
		json_object_set_new(o, cfg->builds[b].name, json_pack("{s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}",
			"ok", br->ok, "error", strornull(br->error), "key", strornull(br->key),
			"python", strornull(br->python), "configure", getor(br->inputs, "configure"),
			"compiler", getor(br->inputs, "compiler"), "version", strornull(br->interp.version),
			"config_args", strornull(br->interp.config_args), "gil_disabled", br->interp.gil_disabled));
	}
	json_object_set_new(m, "builds", o);
	o = json_object();
	for (size_t v = 0; v < cfg->nvariants; v++) {
		const struct variantconf *vc = &cfg->variants[v];
		const struct vstate *vs = R->vars ? &R->vars[v] : NULL;
		json_object_set_new(o, vc->name, json_pack("{s:s,s:o,s:b,s:o,s:o,s:b}",
			"build", cfg->builds[vc->build].name, "env", kvjson(&vc->env), "expect_gil", vc->expect_gil,
			"gil_enabled", vs && vs->probed ? json_boolean(vs->ip.gil_enabled) : json_null(),
			"python_version", vs && vs->probed ? json_string(vs->ip.version) : json_null(),
			"skipped", vs ? !vs->run : false));
	}
	json_object_set_new(m, "variants", o);
	json_object_set_new(m, "machine", sysinfo_machine());
	if (R->node)
		json_object_set_new(m, "slurm", json_pack("{s:s, s:I, s:I}", "node", R->node, "job", (json_int_t)R->slurmjob,
		                                          "task", (json_int_t)R->slurmtask));
	json_object_set_new(m, "load_start", sysinfo_load_json(&R->first));
	json_object_set_new(m, "others_at_start", isnan(R->others_start) ? json_null() : json_real(R->others_start));
	json_object_set_new(m, "busy_at_start", json_boolean(R->busystart));
	json_object_set_new(m, "load_end", R->loadend ? json_incref(R->loadend) : json_null());
	json_object_set_new(m, "started", json_string(R->started));
	json_object_set_new(m, "resumed", json_incref(R->resumes));
	json_object_set_new(m, "ended", R->ended ? json_string(R->ended) : json_null());
	json_object_set_new(m, "gilbench_cpu", R->ended ? json_real(R->selfcpu) : json_null());
	{
		/* for comparison with the trials' maxrss_kb, which are their own (exactrss) */
		struct rusage ru;
		json_object_set_new(m, "gilbench_maxrss_kb",
		                    getrusage(RUSAGE_SELF, &ru) == 0 ? json_integer(ru.ru_maxrss) : json_null());
	}
	json_object_set_new(m, "noise", json_incref(R->noise));
	json_object_set_new(m, "nonconverged", json_incref(R->nonconv));
	json_object_set_new(m, "interference", json_pack("{s:f, s:I, s:I, s:I, s:O}", "threshold", cfg->run.interference,
		"contaminated", (json_int_t)R->sum->contaminated, "slow_rounds", (json_int_t)R->sum->slow_rounds,
		"repeated_rounds", (json_int_t)R->sum->repeated_rounds, "short", R->shortcells));
	json_object_set_new(m, "canary", canaryjson(R));
	json_object_set_new(m, "runopts", json_pack("{s:b,s:o,s:i,s:i,s:f}", "resume", R->o->resume,
		"cpus", R->cpus ? json_string(R->cpus) : json_null(), "min_trials", R->mintrials,
		"max_trials", R->maxtrials, "target", R->target));
	json_object_set_new(m, "trials", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"planned", (json_int_t)R->sum->planned, "ran", (json_int_t)R->sum->ran,
		"resumed", (json_int_t)R->sum->resumed, "ok", (json_int_t)R->sum->ok,
		"failed", (json_int_t)R->sum->failed, "timeout", (json_int_t)R->sum->timedout,
		"bad_output", (json_int_t)R->sum->badoutput, "contaminated", (json_int_t)R->sum->contaminated));
	return m;
}

int runmeta_write(struct runner *R)
{
	json_t *m = runmeta(R);
	char *path = pathjoin(R->outdir, RUN_METADATA);
	int rc = writejson(path, m, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));

	free(path);
	json_decref(m);
	return rc;
}

/* --resume: the run started when the first metadata.json says; this is one more resume.
 * A metadata.json that is there but does not parse is an error, not a fresh start. */
int runmeta_keepstart(struct runner *R)
{
	char *path = pathjoin(R->outdir, RUN_METADATA);
	json_t *old = NULL, *v;
	char *now_s;

	if (readjson(path, true, &old) < 0) {
		free(path);
		return -1;
	}
	if (json_is_object(old)) {
		v = json_object_get(old, "started");
		if (json_is_string(v)) {
			free(R->started);
			R->started = xstrdup(json_string_value(v));
		}
		v = json_object_get(old, "resumed");
		if (json_is_array(v)) {
			json_decref(R->resumes);
			R->resumes = json_deep_copy(v);
		}
	}
	now_s = utcstamp(false);
	json_array_append_new(R->resumes, json_string(now_s));
	free(now_s);
	json_decref(old);
	free(path);
	return 0;
}
