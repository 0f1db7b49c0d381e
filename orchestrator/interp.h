/* interp.h: asking an installed interpreter what it is.
 *
 * interp_probe() runs PYTHON -c with a short script that prints one JSON object: the
 * `python -VV` text, sys.executable, sys._is_gil_enabled() (true where it does not exist),
 * sysconfig's Py_GIL_DISABLED, CONFIG_ARGS and CC, and the version number. The given
 * environment is used, so a variant's PYTHON_GIL=1 shows in gil_enabled. */
#ifndef GILBENCH_INTERP_H
#define GILBENCH_INTERP_H

#include <stdbool.h>

struct interp {
	char *version;       /* "Python 3.13.5 experimental free-threading build (main, ...) [GCC ...]" */
	char *number;        /* "3.13.5" */
	char *executable;    /* sys.executable */
	bool gil_disabled;   /* sysconfig Py_GIL_DISABLED: a free-threaded build */
	bool gil_enabled;    /* sys._is_gil_enabled() in this environment */
	char *config_args;   /* sysconfig CONFIG_ARGS */
	char *cc;            /* sysconfig CC */
};

int interp_probe(const char *python, char *const *envp, struct interp *out); /* -1 with the error */
void interp_free(struct interp *i);

#endif
