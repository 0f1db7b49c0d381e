/* gnuplot.h: drawing with gnuplot, for the report's plots and the nightly history's page.
 *
 * Scripts are written by their callers (data files beside them); this module quotes the
 * strings that go into a script and runs gnuplot on it through spawn(), with a timeout.
 * gnuplot missing or failing is a warning, never an error: the page is written without the
 * plot, and the warning says which page. */
#ifndef GILBENCH_GNUPLOT_H
#define GILBENCH_GNUPLOT_H

#include "util.h"

void gp_quote(struct buf *o, const char *s);   /* s as a gnuplot single-quoted string ('' for ', newlines dropped) */
int gnuplot_run(const char *script, const char *what);
	/* run gnuplot on script: 1 drawn, 0 not (warned with gnuplot's last line of stderr), -1 gnuplot could
	   not run (warned "... writing WHAT without plots") */

#endif
