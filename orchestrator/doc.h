/* doc.h: a small document model rendered as Markdown and as self-contained HTML.
 *
 * The report, compare and reproduce build their pages as a list of blocks (headings,
 * paragraphs, bullet lists, tables, plots) and render that one list twice, so the Markdown
 * and the HTML always say the same and text is escaped for each in one place. Table cells
 * and list items are plain text, optionally a link; a plot block names an SVG that the
 * caller drew. */
#ifndef GILBENCH_DOC_H
#define GILBENCH_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum blkkind { BLK_HEADING, BLK_PARA, BLK_LIST, BLK_TABLE, BLK_PLOT };

struct blk {
	enum blkkind kind;
	int level;              /* heading level */
	char *text;             /* heading, paragraph, plot title */
	char *lead;             /* paragraph: a bold lead-in before TEXT, or NULL */
	char *plot;             /* plot file name without .svg */
	size_t ncol;            /* table: cells in row-major order, the first row is the header */
	struct strlist cells;   /* table cells, or list items */
	struct strlist links;   /* per cell or item, where it links to ("" for none); may be shorter than cells */
};

struct doc {
	struct blk *v;
	size_t n;
};

void doc_heading(struct doc *d, int level, const char *text);
void doc_para(struct doc *d, char *text);                 /* takes text */
void doc_para_lead(struct doc *d, const char *lead, char *text); /* a paragraph opening with LEAD in bold; takes text */
struct blk *doc_list(struct doc *d);                      /* add items with doc_cell/doc_cells */
struct blk *doc_table(struct doc *d, size_t ncol);        /* the first ncol cells are the header */
void doc_cell(struct blk *t, char *s);                    /* takes s */
void doc_cells(struct blk *t, const char *s);             /* copies s */
void doc_link(struct blk *t, const char *s, const char *href); /* a cell or item that links to href; copies both */
void doc_plot(struct doc *d, const char *name, const char *title); /* plots/NAME.svg */
void doc_md(const struct doc *d, const bool *plotted, struct buf *o); /* plotted[i]: block i's SVG exists (NULL: none) */
void doc_html(const struct doc *d, const char *title, char *const *svgs, struct buf *o); /* svgs[i]: block i's SVG text (NULL: none) */
void deldoc(struct doc *d);

#endif
