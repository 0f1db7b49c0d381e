/* interp.c: asking an installed interpreter what it is (see interp.h).
 *
 * The probe is a short Python script passed with -c: it prints one JSON object on stdout
 * (version text, executable, GIL state, a few sysconfig variables). The interpreter runs
 * through spawn() with the caller's environment and a timeout, its output is captured and
 * parsed with jansson, and each field is checked for its type. Any failure (cannot start,
 * non-zero exit, output that is not the expected object) is one error naming the
 * interpreter, with the last line of its stderr or jansson's message. */
#include "interp.h"
#include "spawn.h"
#include "util.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char probe[] =
	"import json, sys, sysconfig\n"
	"g = getattr(sys, '_is_gil_enabled', None)\n"
	"v = sysconfig.get_config_var\n"
	"print(json.dumps({\n"
	" 'version': 'Python ' + sys.version.replace('\\n', ' '),\n"
	" 'number': sys.version.split()[0],\n"
	" 'executable': sys.executable,\n"
	" 'gil_disabled': bool(v('Py_GIL_DISABLED')),\n"
	" 'gil_enabled': True if g is None else bool(g()),\n"
	" 'config_args': v('CONFIG_ARGS') or '',\n"
	" 'cc': v('CC') or '',\n"
	"}))\n";

static int getstr(json_t *o, const char *key, char **out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return errorf("probe output: '%s' is missing or not a string", key);
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int getbool(json_t *o, const char *key, bool *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v))
		return errorf("probe output: '%s' is missing or not a boolean", key);
	*out = json_is_true(v);
	return 0;
}

int interp_probe(const char *python, char *const *envp, struct interp *out)
{
	char *argv[] = { (char *)python, "-c", (char *)probe, NULL };
	struct spawnopts o = { .argv = argv, .envp = envp, .capture = true, .newgroup = true, .timeout = 60 };
	struct spawnres r = {0};
	json_error_t jerr;
	json_t *root = NULL;
	char *line = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (spawn(&o, &r) < 0) {
		errwrap("probe %s", python);
		goto cleanup;
	}
	if (!spawn_ok(&r)) {
		line = lastline(r.err, 300);
		errorf("probe %s: %s%s%s", python, spawn_status(&r), *line ? ": " : "", line);
		goto cleanup;
	}
	free(line);
	line = lastline(r.out, SIZE_MAX);
	root = json_loads(line, 0, &jerr);
	if (!root) {
		errorf("probe %s: output is not JSON (%s at column %d): '%.80s'", python, jerr.text, jerr.column, line);
		goto cleanup;
	}
	if (!json_is_object(root)) {
		errorf("probe %s: output is not a JSON object", python);
		goto cleanup;
	}
	if (getstr(root, "version", &out->version) < 0 || getstr(root, "number", &out->number) < 0 ||
	    getstr(root, "executable", &out->executable) < 0 || getbool(root, "gil_disabled", &out->gil_disabled) < 0 ||
	    getbool(root, "gil_enabled", &out->gil_enabled) < 0 || getstr(root, "config_args", &out->config_args) < 0 ||
	    getstr(root, "cc", &out->cc) < 0) {
		errwrap("probe %s", python);
		interp_free(out);
		goto cleanup;
	}
	rc = 0;
cleanup:
	json_decref(root);
	free(line);
	spawn_free(&r);
	return rc;
}

void interp_free(struct interp *i)
{
	free(i->version);
	free(i->number);
	free(i->executable);
	free(i->config_args);
	free(i->cc);
	memset(i, 0, sizeof(*i));
}
