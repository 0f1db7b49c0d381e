/* derive.c: the config a run of several revisions measures (see derive.h).
 *
 * The config's YAML document, loaded with yaml_parser_load, is copied node by node into a
 * new document in which each build NAME becomes NAME.A and NAME.B (bisect: NAME.good,
 * NAME.bad, ...; same flags; a name may not hold '@'), each explicit variant likewise, the
 * source pins the first revision's commit, published reference figures are dropped (their
 * variants are gone) and the description says what is compared. A selection keeps only
 * some variants (explicit ones by name; without a variants: list, the builds of those
 * names), the builds they run on, and one experiment; what it drops is not copied. Patches are kept as written: the run directory holds each by file name, so
 * the build keys are those `gilbench run` gives. The result is emitted with libyaml. */
#include "derive.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"

struct derive {
	yaml_document_t *in, *out;
	const struct config *cfg;
	const char *commit_a;
	const char *desc;
	const struct derivesel *sel;
	struct strlist builds;  /* with a selection of variants: the builds they run on */
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

/* the value of an item's "name" key, or "" */
static const char *itemname(struct derive *d, yaml_node_t *item)
{
	if (item->type != YAML_MAPPING_NODE)
		return "";
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
		yaml_node_t *v = yaml_document_get_node(d->in, p->value);
		if (strcmp(keytext(d->in, p), "name") == 0 && v->type == YAML_SCALAR_NODE)
			return (const char *)v->data.scalar.value;
	}
	return "";
}

static bool listed(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; names && (n ? i < n : names[i] != NULL); i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* A list whose every item is copied once per side, with the names (and builds) suffixed;
 * items KEEP does not list are left out (KEEP NULL: every item). */
static int sided(struct derive *d, yaml_node_t *seq, const char *const *rename, const char *const *keep, size_t nkeep)
{
	int id;

	if (seq->type != YAML_SEQUENCE_NODE)
		return copynode(d, seq, NULL, NULL, NULL);
	id = yaml_document_add_sequence(d->out, NULL, YAML_BLOCK_SEQUENCE_STYLE);
	for (yaml_node_item_t *it = seq->data.sequence.items.start; id && it < seq->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(d->in, *it);
		if (keep && !listed(keep, nkeep, itemname(d, item)))
			continue;
		for (size_t s = 0; d->sel->suffixes[s]; s++) {
			int c = copynode(d, item, NULL, rename, d->sel->suffixes[s]);
			if (!c || !yaml_document_append_sequence_item(d->out, id, c))
				return 0;
		}
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
		} else if (strcmp(key, "builds") == 0) {
			v = sided(d, val, build_keys, d->sel->variants ? (const char *const *)d->builds.v : NULL, d->builds.n);
		} else if (strcmp(key, "variants") == 0) {
			v = sided(d, val, variant_keys, d->sel->variants, 0);
		} else if (strcmp(key, "experiments") == 0 && val->type == YAML_SEQUENCE_NODE) {
			v = yaml_document_add_sequence(d->out, NULL, YAML_BLOCK_SEQUENCE_STYLE);
			for (yaml_node_item_t *it = val->data.sequence.items.start; v && it < val->data.sequence.items.top; it++) {
				yaml_node_t *item = yaml_document_get_node(d->in, *it);
				int e;
				if (d->sel->experiment && strcmp(itemname(d, item), d->sel->experiment) != 0)
					continue;
				e = copynode(d, item, "reference", NULL, NULL);
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

int derive_compare(const struct config *cfg, const char *path, const char *commit_a, const char *desc)
{
	static const char *const ab[] = { ".A", ".B", NULL };
	struct derivesel sel = { ab, NULL, NULL };

	return derive_sides(cfg, path, commit_a, desc, &sel);
}

int derive_sides(const struct config *cfg, const char *path, const char *commit_a, const char *desc,
                 const struct derivesel *sel)
{
	yaml_parser_t parser;
	yaml_emitter_t emitter;
	yaml_document_t in, out;
	struct derive d = { &in, &out, cfg, commit_a, desc, sel, {0} };
	struct buf text = {0};
	char *data = NULL;
	size_t len;
	bool pinit = false, din = false, dout = false, einit = false;
	int rc = -1;

	for (size_t v = 0; sel->variants && v < cfg->nvariants; v++)
		if (listed(sel->variants, 0, cfg->variants[v].name) &&
		    !listed((const char *const *)d.builds.v, d.builds.n, cfg->builds[cfg->variants[v].build].name))
			strlist_add(&d.builds, cfg->builds[cfg->variants[v].build].name);
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
	strlist_free(&d.builds);
	free(data);
	return rc;
}
