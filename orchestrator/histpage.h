/* histpage.h: the pages of a config's nightly history (docs/nightly.md, "Reading the page").
 *
 * Into a folder (reports/nightly/NAME/ by default):
 *   index.html   one self-contained page: the alerts, the other changes, per machine and
 *                experiment a plot (inline SVG drawn by gnuplot: the median per commit with
 *                its 95% interval for each variant and point, the no-GIL/GIL ratio below,
 *                changes marked: alerts red, other regressions orange, improvements green,
 *                machine changes grey; commits labelled by short id and date), the commits
 *                linked to their nights' reports, and per series its noise and the smallest
 *                step it can detect. No script, no network.
 *   alerts.md    the alerts, the other changes and the series' noise, in Markdown
 *   alerts.json  the same for programs (fields in docs/nightly.md)
 * Each file is written whole (writefile). Without gnuplot the page has no plots (a warning). */
#ifndef GILBENCH_HISTPAGE_H
#define GILBENCH_HISTPAGE_H

#include "histdetect.h"

int histpage_write(const struct hdetect *d, const char *dir); /* the three files in DIR (made); -1 with the error */
int histpage_update(struct history *h, const char *config, const char *dir, size_t *raised);
	/* in one transaction: detection over config (hdetect_run), the pages in DIR, every run of config marked
	   covered; *raised: the alerts it raised; -1 with the error (nothing raised or marked) */

#endif
