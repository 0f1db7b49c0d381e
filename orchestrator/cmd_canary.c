/* cmd_canary.c: `gilbench canary [--samples N] [--cpus LIST] [--python PATH] [--json]
 * [--no-update] [--threshold PCT]`, this machine's speed now against its reference.
 *
 * Takes N samples of the C canary (and, with --python, of the Python canary, the two
 * alternating), judges each workload's median against the reference kept in
 * CACHE/canary/MACHINE.json (canarycheck.h, canary.h) and prints one line per workload, as
 * "canary: 24.1 ms (C), reference 23.8 ms, 1.3% slower: normal", with a second line of
 * detail (spread, the share of the time spent on the CPU, the cost of a sample). Unless
 * --no-update, the run is then recorded in the reference file; with no reference yet, that
 * sets it. A slow machine is a finding, not an error: the exit code is 0 unless something
 * could not be measured, read or written. */
#include "canarycheck.h"
#include "cmd.h"
#include "log.h"
#include "paths.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SAMPLES 5
#define ONCPU_LOW 0.9   /* below this share of the wall time on the CPU, the canary was kept waiting */

struct canopts {
	int samples;
	const char *cpus, *python;
	bool json, update;
	double threshold;
};

static void canopts(const struct opts *op, struct canopts *o)
{
	o->samples = opt_count(op, OPT_SAMPLES, DEFAULT_SAMPLES);
	o->cpus = opt_text(op, OPT_CPUS);
	o->python = opt_text(op, OPT_PYTHON);
	o->json = opt_set(op, OPT_JSON);
	o->update = !opt_set(op, OPT_NO_UPDATE);
	o->threshold = opt_share(op, OPT_THRESHOLD, CANARY_THRESHOLD);
}

static void printseries(const struct canarycheck *r, const struct canopts *o)
{
	const char *vd = canarycheck_verdict(r, o->threshold);
	double d = r->v.median_slowdown;

	printf("canary: %.1f ms (%s), ", r->v.median * 1e3, r->s[0].label);
	if (isnan(d)) {
		printf("no reference yet for this machine: ");
		if (o->update)
			printf("set to %.1f ms\n", r->after * 1e3);
		else
			printf("none set (--no-update)\n");
	} else {
		printf("reference %.1f ms, %.1f%% %s: %s\n", r->reference * 1e3, fabs(d) * 100, d >= 0 ? "slower" : "faster",
		       strcmp(vd, "slow") == 0 ? "SLOW" : strcmp(vd, "faster") == 0 ? "faster than the reference" : vd);
	}
	printf("  %zu sample%s", r->n, r->n == 1 ? "" : "s");
	if (r->n > 1)
		printf(", CV %.1f%%", r->v.cv * 100);
	printf(", %.0f%% of the time on the CPU, %.1f ms per sample", r->oncpu * 100, r->cost * 1e3);
	if (!isnan(d))
		printf(", %zu of %zu slower than %g%%", r->v.nslow, r->n, o->threshold * 100);
	printf("\n");
	if (r->v.slow_run)
		printf("  %s\n", r->oncpu < ONCPU_LOW ? "the canary waited for the CPU: throttled, preempted or stolen time"
		                                      : "the canary ran on the CPU the whole time: the CPU itself was slower");
	if (o->update && !isnan(d))
		printf("  reference now %.1f ms (%zu run%s)\n", r->after * 1e3, r->runsafter, r->runsafter == 1 ? "" : "s");
}

static int printjson(const struct canary_store *st, struct canarycheck **all, size_t n, const struct canopts *o)
{
	json_t *root = canary_store_json(st), *arr = json_array();
	char *text;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, canarycheck_json(all[i], o->threshold));
	json_object_del(root, "series");
	json_object_set_new(root, "threshold", json_real(o->threshold));
	json_object_set_new(root, "updated", json_boolean(o->update));
	json_object_set_new(root, "canaries", arr);
	text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (!text)
		return errorf("canary: cannot write the JSON output");
	printf("%s\n", text);
	free(text);
	return 0;
}

static void printmachine(const struct canary_store *st)
{
	json_t *j = canary_store_json(st), *m = json_object_get(j, "machine");
	const char *cpu = json_string_value(json_object_get(m, "cpu")), *host = json_string_value(json_object_get(m, "hostname"));

	printf("machine %.12s (%s, %" JSON_INTEGER_FORMAT " cores, host %s): %s\n", canary_store_id(st), cpu ? cpu : "?",
	       json_integer_value(json_object_get(m, "cores")), host ? host : "?", canary_store_path(st));
	json_decref(j);
}

static int canary_main(struct opts *op)
{
	struct canopts o;
	struct canary_store *st = NULL;
	struct canarycheck c = {0}, py = {0}, *all[2] = { &c, &py };
	size_t nall = 1;
	char *cache = NULL;
	int rc;

	if ((rc = cmd_operands(&cmd_canary, op, 0, 0, "no operands")) != 0)
		return rc;
	canopts(op, &o);
	rc = EXIT_FAIL;
	if (paths_cache(&cache) < 0 || canary_store_open(cache, &st) < 0 || canarycheck_take(o.cpus, o.python, o.samples, &c, &py) < 0)
		goto cleanup;
	nall = o.python ? 2 : 1;
	for (size_t i = 0; i < nall; i++) {
		canarycheck_judge(st, o.threshold, all[i]);
		if (o.update && canarycheck_record(st, all[i]) < 0)
			goto cleanup;
	}
	if (o.json) {
		if (printjson(st, all, nall, &o) < 0)
			goto cleanup;
	} else {
		printmachine(st);
		for (size_t i = 0; i < nall; i++)
			printseries(all[i], &o);
	}
	if (fflush(stdout) != 0) {
		errorf("canary: writing the output:");
		goto cleanup;
	}
	rc = EXIT_OK;
cleanup:
	if (rc != EXIT_OK)
		rc = cmd_fail();
	canarycheck_free(&c);
	canarycheck_free(&py);
	delcanarystore(st);
	free(cache);
	return rc;
}

static const struct cmdopt opts[] = {
	{ OPT_SAMPLES, "samples to take (default 5); each is the median of 3 repetitions" },
	{ OPT_CPUS, "pin the canary to these CPUs, as trials are (\"0,2-3\")" },
	{ OPT_PYTHON, "also time the Python canary on this interpreter" },
	{ OPT_THRESHOLD, "slower than the reference by more than this is slow (default 5)" },
	{ OPT_JSON, "print the samples, the verdict and the reference as JSON" },
	{ OPT_NO_UPDATE, "do not record this run in the reference file" },
	{ NOPTS, NULL },
};

const struct cmd cmd_canary = {
	"canary",
	"[--samples N] [--cpus LIST] [--python PATH] [--threshold PCT] [--json] [--no-update]",
	"time the speed canary and print this machine's speed against its reference",
	"Prints one line per workload, such as\n"
	"  canary: 24.1 ms (C), reference 23.8 ms, 1.3% slower: normal\n"
	"and the spread, the share of the time the canary spent on the CPU (low under a CPU\n"
	"quota or a busy host) and the cost of one sample. The reference is kept per machine\n"
	"in CACHE/canary/MACHINE.json; the first run sets it, later runs refresh it (the median\n"
	"of the last 20 runs' medians). A slow machine still exits 0. See\n"
	"docs/canary.md.\n",
	opts,
	canary_main,
};
