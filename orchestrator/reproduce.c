/* reproduce.c: an archived run set beside the same run made here (see reproduce.h).
 *
 * The archive is verified once and extracted (archive_open_run); its config is loaded
 * with config_load_rundir, so a config.yaml naming /etc/passwd as a patch or a script
 * outside the archive is refused before anything is read. The new run directory gets the
 * archived config byte for byte, with the scripts and patches copied from the extracted
 * archive (rundir_seed), and RUN_DIR/archived/ gets the archived run's config, inputs,
 * results.jsonl, metadata.json and builds/NAME/build.json: a run directory of its own that
 * compare_doc() can read at the end, after any number of interruptions.
 *
 * How the machines differ: both metadata.json files are flattened to dotted fields
 * (machine, builds, variants, load, versions, options); fields that differ go in a table,
 * the ones that agree are named below it. */
#include "reproduce.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "doc.h"
#include "fmt.h"
#include "hash.h"
#include "rundir.h"
#include "util.h"

int reproduce_open(const char *archive, const char *tmp, char **adir, struct config **acfg)
{
	int v;

	*acfg = NULL;
	if (isdir(archive))
		return errorf("%s is a folder; reproduce takes an archive (.tar.gz) made by gilbench", archive);
	if (!archive_isarchive(archive))
		return errorf("%s: not a .tar.gz archive", archive);
	if ((v = archive_open_run(archive, tmp, RUN_ARCHIVED, adir)) != 0)
		return v;
	if (config_load_rundir(*adir, acfg) < 0)
		return errwrap("%s", archive);
	return 0;
}

/* the source id the archived builds were made from: a build record's inputs.source, else
 * metadata.json's source; NULL when neither says */
static char *archived_source(const char *dir)
{
	char *bdir = pathjoin(dir, RUN_BUILDS), *id = NULL;
	struct strlist names = {0};
	json_t *m = NULL;

	if (listdir_suffix(bdir, "", &names) == 0)
		for (size_t i = 0; i < names.n && !id; i++) {
			char *path = xasprintf("%s/%s/%s", bdir, names.v[i], RUN_BUILDREC);
			json_t *b = NULL;
			const char *s;
			if (isregular(path) && readjson(path, false, &b) == 0) {
				s = json_string_value(json_object_get(json_object_get(b, "inputs"), "source"));
				if (s && *s)
					id = xstrdup(s);
			}
			json_decref(b);
			free(path);
		}
	if (!id) {
		char *path = pathjoin(dir, RUN_METADATA);
		if (isregular(path) && readjson(path, false, &m) == 0) {
			const char *s = json_string_value(json_object_get(m, "source"));
			if (s && *s)
				id = xstrdup(s);
		}
		json_decref(m);
		free(path);
	}
	strlist_free(&names);
	free(bdir);
	return id;
}

/* ADIR's results, metadata and build records (regular files only) into DEST */
static int copy_results(const char *adir, const struct config *acfg, const char *dest)
{
	static const char *const files[] = { RUN_CONFIG, RUN_RESULTS, RUN_METADATA };
	int rc = mkdirp(dest, 0755);

	for (size_t i = 0; rc == 0 && i < LEN(files); i++) {
		char *from = pathjoin(adir, files[i]), *to = pathjoin(dest, files[i]);
		if (isregular(from))
			rc = copyfile(from, to);
		free(from);
		free(to);
	}
	for (size_t b = 0; rc == 0 && b < acfg->nbuilds; b++) {
		char *from = xasprintf("%s/%s/%s/%s", adir, RUN_BUILDS, acfg->builds[b].name, RUN_BUILDREC);
		char *dir = xasprintf("%s/%s/%s", dest, RUN_BUILDS, acfg->builds[b].name);
		char *to = pathjoin(dir, RUN_BUILDREC);
		if (isregular(from))
			rc = mkdirp(dir, 0755) < 0 || copyfile(from, to) < 0 ? -1 : 0;
		free(from);
		free(dir);
		free(to);
	}
	if (rc == 0)
		rc = rundir_copy_inputs(acfg, dest);
	return rc;
}

int reproduce_seed(const char *adir, const struct config *acfg, const char *rundir, char **ref)
{
	char *dest = pathjoin(rundir, RUN_ARCHIVED), *srcid = archived_source(adir);
	int rc = -1;

	*ref = NULL;
	if (rundir_seed(acfg, rundir) < 0 || copy_results(adir, acfg, dest) < 0)
		goto cleanup;
	if (acfg->source.kind == SRC_GIT) {
		if (!srcid) {
			errorf("the archive names no commit its builds were made from (no build record or metadata says)");
			goto cleanup;
		}
		*ref = srcid;
		srcid = NULL;
	} else if (srcid && strcmp(srcid, acfg->source.sha256) != 0) {
		warn("the archived builds were made from %s, but its config names %s; using the config's", srcid,
		     acfg->source.sha256);
	}
	rc = 0;
cleanup:
	free(srcid);
	free(dest);
	return rc;
}

/* --- how the machines differ --- */

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
	case JSON_NULL: return xstrdup(DASH);
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

static json_t *load_meta(const char *dir)
{
	char *path = pathjoin(dir, RUN_METADATA);
	json_t *o = NULL;

	if (readjson(path, true, &o) < 0)
		warn("%s", errmsg());
	free(path);
	return o;
}

static const char *lookup(const struct strlist *keys, const struct strlist *vals, const char *key)
{
	for (size_t i = 0; i < keys->n; i++)
		if (strcmp(keys->v[i], key) == 0)
			return vals->v[i];
	return NULL;
}

static void machines(struct doc *d, const char *archived, const char *here)
{
	json_t *m[2] = { load_meta(archived), load_meta(here) };
	struct strlist k[2] = { {0}, {0} }, v[2] = { {0}, {0} }, all = {0}, same = {0};
	struct blk *t;
	struct buf b = {0};
	size_t ndiff = 0;

	doc_heading(d, 2, "How the machines differ");
	if (!m[0] || !m[1]) {
		doc_para(d, xasprintf("No %s %s, so the machines cannot be compared.", RUN_METADATA,
		                      !m[0] && !m[1] ? "on either side" : !m[0] ? "in the archive" : "here"));
		goto cleanup;
	}
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < LEN(metakeys); i++)
			if (json_object_get(m[s], metakeys[i]))
				flatten(metakeys[i], json_object_get(m[s], metakeys[i]), &k[s], &v[s]);
	for (size_t i = 0; i < k[0].n; i++)
		strlist_add(&all, k[0].v[i]);
	for (size_t i = 0; i < k[1].n; i++)
		if (!lookup(&k[0], &v[0], k[1].v[i]))
			strlist_add(&all, k[1].v[i]);
	doc_para(d, xstrdup("From both runs' metadata.json (machine, builds, variants, load, versions, options):"));
	t = doc_table(d, 3);
	doc_cells(t, "Field");
	doc_cells(t, "Archived");
	doc_cells(t, "Here");
	for (size_t i = 0; i < all.n; i++) {
		const char *a = lookup(&k[0], &v[0], all.v[i]), *h = lookup(&k[1], &v[1], all.v[i]);
		if (a && h && strcmp(a, h) == 0) {
			strlist_add(&same, all.v[i]);
			continue;
		}
		doc_cells(t, all.v[i]);
		doc_cells(t, a ? a : "(absent)");
		doc_cells(t, h ? h : "(absent)");
		ndiff++;
	}
	if (ndiff == 0) {
		doc_cells(t, "(none)");
		doc_cells(t, "");
		doc_cells(t, "");
	}
	bufaddf(&b, "%zu fields differ; %zu are the same on both", ndiff, same.n);
	for (size_t i = 0; i < same.n; i++)
		bufaddf(&b, "%s%s", i ? ", " : ": ", same.v[i]);
	bufadds(&b, ".");
	doc_para(d, b.s);
cleanup:
	for (int s = 0; s < 2; s++) {
		json_decref(m[s]);
		strlist_free(&k[s]);
		strlist_free(&v[s]);
	}
	strlist_free(&all);
	strlist_free(&same);
}

int reproduce_write(const char *rundir, const char *archive, const char *source, double tie, struct comparesummary *s,
                    char **md, char **mdpath)
{
	struct compareopts co = { .tie = tie, .label_a = "archived", .label_b = "here", .same_word = "reproduced" };
	char *adir = pathjoin(rundir, RUN_ARCHIVED), *jpath = pathjoin(rundir, "reproduce.json"), *title = NULL;
	struct config *cfg = NULL;
	struct doc d = {0};
	json_t *o = NULL;
	int rc = -1;

	*md = *mdpath = NULL;
	if (config_load_rundir(rundir, &cfg) < 0)
		goto cleanup;
	title = xasprintf("Reproduction of %s", cfg->name);
	co.title = title;
	co.where_a = archive ? archive : adir;
	co.where_b = rundir;
	if (compare_doc(adir, rundir, &co, &d, s) < 0)
		goto cleanup;
	doc_para(&d, xasprintf("%zu of %zu cells reproduced (shown the same within %.3g%%), %zu different, %zu inconclusive.",
	                       s->same, s->cells, tie * 100, s->faster + s->slower, s->inconclusive));
	if (source)
		doc_para(&d, xasprintf("Source: %s %s (the same on both sides).",
		                       cfg->source.kind == SRC_GIT ? "commit" : "tarball sha256", source));
	machines(&d, adir, rundir);
	*mdpath = pathjoin(rundir, "reproduce.md");
	if (compare_render(&d, title, *mdpath, s) < 0)
		goto cleanup;
	o = json_pack("{s:o, s:O}", "archive", archive ? json_string(archive) : json_null(), "comparison", s->json);
	if (writejson(jpath, o, JSON_DOC) < 0)
		goto cleanup;
	*md = xstrdup(s->markdown);
	rc = 0;
cleanup:
	if (rc < 0) {
		free(*mdpath);
		*mdpath = NULL;
	}
	json_decref(o);
	deldoc(&d);
	delconfig(cfg);
	free(title);
	free(adir);
	free(jpath);
	return rc;
}
