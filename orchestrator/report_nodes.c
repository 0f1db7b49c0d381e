/* report_nodes.c: the report's list of the machines a run split into shards ran on (a run
 * on Slurm), at the end of its provenance.
 *
 * A merged metadata.json (shards.h) has "nodes": one entry per shard with its node, Slurm
 * job and task, trial count, machine (sysinfo: CPU model, cores, kernel, governor, turbo)
 * and canary median. The section is a table of them, one row per shard, and, when the
 * nodes' machines differ in any of those fields, a warning naming each field and its
 * values with the shards that had them: every comparison between variants was measured
 * within one node, but different points may come from different machines. The warning also
 * goes to stderr, and results.json gets "nodes": {shards, names, differ}. A run measured
 * in one piece has no "nodes" and no section. */
#include "report_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const fields[][2] = {
	{ "cpu", "CPU model" }, { "cores", "cores" }, { "kernel", "kernel" }, { "governor", "governor" }, { "turbo", "turbo" },
};

static char *text_of(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (!v || json_is_null(v))
		return xstrdup(DASH);
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	char *c = xstrdup(s ? s : "?");
	free(s);
	return c;
}

/* "VALUE (shards 0, 2); VALUE (shard 1)" of one machine field, or NULL when every node has the same */
static char *difference(json_t *nodes, const char *field)
{
	struct strlist vals = {0};
	struct buf b = {0};
	json_t *n;
	size_t i;

	json_array_foreach(nodes, i, n) {
		char *v = text_of(json_object_get(json_object_get(n, "machine"), field));
		size_t k;
		for (k = 0; k < vals.n && strcmp(vals.v[k], v) != 0; k++)
			;
		if (k == vals.n)
			strlist_addown(&vals, v);
		else
			free(v);
	}
	for (size_t k = 0; vals.n > 1 && k < vals.n; k++) {
		struct buf sh = {0};
		size_t count = 0;
		json_array_foreach(nodes, i, n) {
			char *v = text_of(json_object_get(json_object_get(n, "machine"), field));
			if (strcmp(v, vals.v[k]) == 0) {
				bufaddf(&sh, "%s%" JSON_INTEGER_FORMAT, count ? ", " : "", json_integer_value(json_object_get(n, "shard")));
				count++;
			}
			free(v);
		}
		bufaddf(&b, "%s%s (shard%s %s)", k ? "; " : "", vals.v[k], count == 1 ? "" : "s", sh.s);
		buffree(&sh);
	}
	strlist_free(&vals);
	return b.s;
}

static void nodetable(struct report *r, json_t *nodes)
{
	struct blk *t = doc_table(&r->doc, 8);
	json_t *n;
	size_t i;

	doc_cells(t, "Shard");
	doc_cells(t, "Node");
	doc_cells(t, "Slurm job");
	doc_cells(t, "Trials");
	doc_cells(t, "CPU");
	doc_cells(t, "Kernel");
	doc_cells(t, "Governor");
	doc_cells(t, "Canary");
	json_array_foreach(nodes, i, n) {
		json_t *m = json_object_get(n, "machine"), *job = json_object_get(n, "slurm_job"), *c = json_object_get(n, "canary");
		doc_cell(t, text_of(json_object_get(n, "shard")));
		doc_cell(t, json_is_string(json_object_get(n, "node")) ? text_of(json_object_get(n, "node")) : xstrdup("(here)"));
		doc_cell(t, json_is_integer(job) ? xasprintf("%" JSON_INTEGER_FORMAT "_%" JSON_INTEGER_FORMAT,
		                                              json_integer_value(job),
		                                              json_integer_value(json_object_get(n, "slurm_task")))
		                                 : xstrdup(DASH));
		doc_cell(t, text_of(json_object_get(n, "trials")));
		doc_cell(t, text_of(json_object_get(m, "cpu")));
		doc_cell(t, text_of(json_object_get(m, "kernel")));
		doc_cell(t, text_of(json_object_get(m, "governor")));
		doc_cell(t, json_is_number(c) ? xasprintf("%.1f ms", 1e3 * json_number_value(c)) : xstrdup(DASH));
	}
}

void report_section_nodes(struct report *r)
{
	json_t *nodes = json_object_get(r->meta, "nodes"), *names = json_array(), *differ = json_array(), *n;
	struct buf w = {0};
	size_t i;

	if (!json_is_array(nodes) || json_array_size(nodes) == 0) {
		json_decref(names);
		json_decref(differ);
		return;
	}
	doc_heading(&r->doc, 3, "Nodes");
	doc_para(&r->doc, xasprintf("The run was split into %zu shards (all variants of a point in one shard, so "
	                            "every comparison between variants was measured on one node):", json_array_size(nodes)));
	nodetable(r, nodes);
	json_array_foreach(nodes, i, n)
		json_array_append_new(names, json_is_string(json_object_get(n, "node")) ? json_incref(json_object_get(n, "node"))
		                                                                        : json_null());
	for (size_t f = 0; f < LEN(fields); f++) {
		char *d = difference(nodes, fields[f][0]);
		if (!d)
			continue;
		bufaddf(&w, "%s%s: %s", w.len ? "; " : "", fields[f][1], d);
		json_array_append_new(differ, json_string(fields[f][0]));
		free(d);
	}
	if (w.len) {
		doc_para(&r->doc, xasprintf("Warning: the nodes differ. %s. Comparisons between variants hold (each was "
		                            "measured on one node), but figures of points measured on different nodes (a "
		                            "thread-scaling series, the summary's rows) are not comparable with each other.", w.s));
		warn("the nodes of this run differ: %s", w.s);
	}
	json_object_set_new(r->out, "nodes", json_pack("{s:I, s:o, s:o}", "shards", (json_int_t)json_array_size(nodes),
	                                               "names", names, "differ", differ));
	buffree(&w);
}
