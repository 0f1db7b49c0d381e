/* gnuplot.c: quoting for gnuplot scripts and running gnuplot (see gnuplot.h).
 *
 * gnuplot runs as `gnuplot SCRIPT` through spawn() with its output captured and a 120 s
 * timeout; a non-zero exit or a signal is a warning carrying the last line of its stderr. */
#include "gnuplot.h"

#include <stdlib.h>

#include "log.h"
#include "spawn.h"

#define GNUPLOT_TIMEOUT 120 /* seconds a plot may take */

void gp_quote(struct buf *o, const char *s)
{
	bufadds(o, "'");
	for (; *s; s++) {
		if (*s == '\'')
			bufadds(o, "''");
		else if (*s != '\n')
			bufadd(o, s, 1);
	}
	bufadds(o, "'");
}

int gnuplot_run(const char *script, const char *what)
{
	char *argv[] = { "gnuplot", (char *)script, NULL };
	struct spawnopts o = { .argv = argv, .capture = true, .timeout = GNUPLOT_TIMEOUT };
	struct spawnres res = { 0 };
	int rc;

	if (spawn(&o, &res) < 0) {
		warn("gnuplot could not run (%s): writing %s without plots", errmsg(), what);
		return -1;
	}
	if (spawn_ok(&res)) {
		rc = 1;
	} else {
		char *l = lastline(res.err ? res.err : "", 300);
		warn("gnuplot %s: %s", spawn_status(&res), l);
		free(l);
		rc = 0;
	}
	spawn_free(&res);
	return rc;
}
