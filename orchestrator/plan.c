/* plan.c: the config expanded into points and cells (see plan.h).
 *
 * Points are enumerated like an odometer: for each experiment in config order, the
 * cartesian product of its matrix dimensions, the first dimension turning slowest. Each
 * point gets one cell per variant, in config order. A cell's id hashes a canonical JSON
 * array (built with jansson, so strings are escaped unambiguously) of everything that
 * defines what the cell runs: experiment name, script as written, fixed args, point values,
 * variant name and the variant's runtime environment. Nothing else (trials, timeouts, the
 * order of experiments) goes in, so those can change without orphaning results. */
#include "plan.h"
#include "hash.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *pairs(const struct kvlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_pack("[ss]", l->v[i].key, l->v[i].value));
	return a;
}

/* the id of variant VNAME (its first vlen bytes) with ENV at point pt */
static void cellhash(const struct config *cfg, const struct point *pt, const char *vname, size_t vlen,
                     const struct kvlist *env, char id[CELLIDLEN])
{
	const struct expconf *e = &cfg->exps[pt->exp];
	char hex[HEXLEN], *text, *name = xstrndup(vname, vlen);
	json_t *canon;

	canon = json_pack("[s s s o o s o]", "gilbench-cell-1", e->name, e->script, pairs(&e->args),
	                  pairs(&pt->values), name, pairs(env));
	if (!canon)
		fatal("plan: cannot build a cell's canonical text");
	text = json_dumps(canon, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (!text)
		fatal("plan: cannot serialise a cell's canonical text");
	sha256_str(text, hex);
	memcpy(id, hex, CELLIDLEN - 1);
	id[CELLIDLEN - 1] = '\0';
	free(text);
	free(name);
	json_decref(canon);
}

static void cellid(const struct config *cfg, const struct point *pt, size_t variant, char id[CELLIDLEN])
{
	const struct variantconf *v = &cfg->variants[variant];

	cellhash(cfg, pt, v->name, strlen(v->name), &v->env, id);
}

int plan_cellkey(const struct plan *p, const struct cell *c, const char *suffix, char key[CELLIDLEN])
{
	const struct variantconf *v = &p->cfg->variants[c->variant];
	size_t n = strlen(v->name), k = suffix ? strlen(suffix) : 0;

	if (k && (n <= k || strcmp(v->name + n - k, suffix) != 0))
		return -1;
	cellhash(p->cfg, &p->points[c->point], v->name, n - k, &v->env, key);
	return 0;
}

static void addpoint(struct plan *p, size_t exp, const size_t *at)
{
	const struct expconf *e = &p->cfg->exps[exp];
	struct point *pt;
	struct buf label = {0};

	p->points = xreallocarray(p->points, p->npoints + 1, sizeof(*p->points));
	pt = &p->points[p->npoints++];
	memset(pt, 0, sizeof(*pt));
	pt->exp = exp;
	pt->values.v = xcalloc(e->nmatrix, sizeof(*pt->values.v));
	for (size_t d = 0; d < e->nmatrix; d++) {
		struct kv *kv = &pt->values.v[pt->values.n++];
		kv->key = xstrdup(e->matrix[d].name);
		kv->value = xstrdup(e->matrix[d].values.v[at[d]]);
		bufaddf(&label, "%s%s=%s", d ? "," : "", kv->key, kv->value);
	}
	if (!label.s)
		bufadds(&label, "");
	pt->label = label.s;
}

static void addcells(struct plan *p, size_t point)
{
	const struct config *cfg = p->cfg;
	const struct point *pt = &p->points[point];
	const struct expconf *e = &cfg->exps[pt->exp];

	p->cells = xreallocarray(p->cells, p->ncells + cfg->nvariants, sizeof(*p->cells));
	for (size_t v = 0; v < cfg->nvariants; v++) {
		struct cell *c = &p->cells[p->ncells++];
		memset(c, 0, sizeof(*c));
		c->point = point;
		c->exp = pt->exp;
		c->variant = v;
		cellid(cfg, pt, v, c->id);
		for (size_t i = 0; i < e->args.n; i++) {
			strlist_addown(&c->argv_tail, xasprintf("--%s", e->args.v[i].key));
			strlist_add(&c->argv_tail, e->args.v[i].value);
		}
		for (size_t i = 0; i < pt->values.n; i++) {
			strlist_addown(&c->argv_tail, xasprintf("--%s", pt->values.v[i].key));
			strlist_add(&c->argv_tail, pt->values.v[i].value);
		}
		if (!c->argv_tail.v) /* an empty argv tail is still a NULL-terminated array */
			c->argv_tail.v = xcalloc(1, sizeof(*c->argv_tail.v));
	}
}

int plan_make(const struct config *cfg, struct plan **out)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	size_t *at = NULL;

	*out = NULL;
	p->cfg = cfg;
	for (size_t x = 0; x < cfg->nexps; x++) {
		const struct expconf *e = &cfg->exps[x];
		size_t d;

		for (d = 0; d < e->nmatrix; d++)
			if (e->matrix[d].values.n == 0) {
				errorf("%s: experiment %s: matrix dimension %s has no values", cfg->path, e->name,
				       e->matrix[d].name);
				free(at);
				delplan(p);
				return -1;
			}
		at = xreallocarray(at, e->nmatrix + 1, sizeof(*at));
		memset(at, 0, (e->nmatrix + 1) * sizeof(*at));
		for (;;) {
			size_t first = p->npoints;
			addpoint(p, x, at);
			addcells(p, first);
			/* odometer: the last dimension turns fastest */
			for (d = e->nmatrix; d > 0; d--) {
				if (++at[d - 1] < e->matrix[d - 1].values.n)
					break;
				at[d - 1] = 0;
			}
			if (d == 0)
				break;
		}
	}
	free(at);
	*out = p;
	return 0;
}

void delplan(struct plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->npoints; i++) {
		for (size_t j = 0; j < p->points[i].values.n; j++) {
			free(p->points[i].values.v[j].key);
			free(p->points[i].values.v[j].value);
		}
		free(p->points[i].values.v);
		free(p->points[i].label);
	}
	free(p->points);
	for (size_t i = 0; i < p->ncells; i++)
		strlist_free(&p->cells[i].argv_tail);
	free(p->cells);
	free(p);
}

const struct cell *plan_cell(const struct plan *p, size_t point, size_t variant)
{
	size_t nv = p->cfg->nvariants;

	if (point >= p->npoints || variant >= nv)
		return NULL;
	return &p->cells[point * nv + variant];
}

const struct cell *plan_find(const struct plan *p, const char *id)
{
	for (size_t i = 0; i < p->ncells; i++)
		if (strcmp(p->cells[i].id, id) == 0)
			return &p->cells[i];
	return NULL;
}

json_t *plan_doc(const struct plan *p)
{
	const struct config *cfg = p->cfg;
	json_t *root, *cells = json_array();

	for (size_t i = 0; i < p->ncells; i++) {
		const struct cell *c = &p->cells[i];
		const struct expconf *e = &cfg->exps[c->exp];
		const struct variantconf *v = &cfg->variants[c->variant];
		json_t *argv = json_array(), *point = json_object();

		for (size_t j = 0; j < c->argv_tail.n; j++)
			json_array_append_new(argv, json_string(c->argv_tail.v[j]));
		for (size_t j = 0; j < p->points[c->point].values.n; j++)
			json_object_set_new(point, p->points[c->point].values.v[j].key,
			                    json_string(p->points[c->point].values.v[j].value));
		json_array_append_new(cells, json_pack("{s:s s:s s:s s:s s:s s:o s:o s:i s:i}", "id", c->id,
		                                       "experiment", e->name, "variant", v->name, "build",
		                                       cfg->builds[v->build].name, "point",
		                                       p->points[c->point].label, "values", point, "argv", argv,
		                                       "trials", e->trials, "warmup", e->warmup));
	}
	root = json_pack("{s:i s:s s:s s:o}", "version", 1, "config", cfg->name, "config_sha256", cfg->hash,
	                 "cells", cells);
	if (!root)
		fatal("plan: cannot build plan.json");
	return root;
}

char *plan_json(const struct plan *p)
{
	json_t *root = plan_doc(p);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (!text)
		fatal("plan: cannot serialise plan.json");
	json_decref(root);
	return text;
}

int plan_write(const struct plan *p, const char *path)
{
	json_t *root = plan_doc(p);
	int rc = writejson(path, root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(root);
	return rc;
}
