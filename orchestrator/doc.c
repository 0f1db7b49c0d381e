/* doc.c: the document model and its two renderers (see doc.h).
 *
 * Markdown: "#" headings, paragraphs as they are, "- " items, pipe tables whose cells have
 * '|' escaped and newlines folded, links as [text](href), plots as image links to
 * plots/NAME.svg when drawn.
 * HTML: one page with an inline style sheet, every text escaped, plots inlined as their
 * <svg> element, so the page needs no other file and no network. */
#include "doc.h"
#include "rundir.h"

#include <stdlib.h>
#include <string.h>

static struct blk *addblk(struct doc *d, enum blkkind k)
{
	struct blk *b;

	d->v = xreallocarray(d->v, d->n + 1, sizeof(*d->v));
	b = &d->v[d->n++];
	memset(b, 0, sizeof(*b));
	b->kind = k;
	return b;
}

void doc_heading(struct doc *d, int level, const char *text)
{
	struct blk *b = addblk(d, BLK_HEADING);

	b->level = level;
	b->text = xstrdup(text);
}

void doc_para(struct doc *d, char *text)
{
	addblk(d, BLK_PARA)->text = text;
}

void doc_para_lead(struct doc *d, const char *lead, char *text)
{
	doc_para(d, text);
	d->v[d->n - 1].lead = lead ? xstrdup(lead) : NULL;
}

struct blk *doc_table(struct doc *d, size_t ncol)
{
	struct blk *b = addblk(d, BLK_TABLE);

	b->ncol = ncol;
	return b;
}

void doc_cell(struct blk *t, char *s)
{
	strlist_addown(&t->cells, s);
}

void doc_cells(struct blk *t, const char *s)
{
	strlist_add(&t->cells, s);
}

void doc_link(struct blk *t, const char *s, const char *href)
{
	while (t->links.n < t->cells.n)
		strlist_add(&t->links, "");
	strlist_add(&t->cells, s);
	strlist_add(&t->links, href);
}

/* cell c's link, or NULL */
static const char *linkof(const struct blk *b, size_t c)
{
	return c < b->links.n && *b->links.v[c] ? b->links.v[c] : NULL;
}

struct blk *doc_list(struct doc *d)
{
	return addblk(d, BLK_LIST);
}

void doc_plot(struct doc *d, const char *name, const char *title)
{
	struct blk *b = addblk(d, BLK_PLOT);

	b->plot = xstrdup(name);
	b->text = xstrdup(title);
}

void deldoc(struct doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].text);
		free(d->v[i].lead);
		free(d->v[i].plot);
		strlist_free(&d->v[i].cells);
		strlist_free(&d->v[i].links);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

static void md_text(struct buf *o, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			bufadds(o, "\\|");
		else if (*s == '\n')
			bufadds(o, " ");
		else
			bufadd(o, s, 1);
	}
}

static void md_cell(struct buf *o, const struct blk *b, size_t c)
{
	const char *href = linkof(b, c);

	if (!href) {
		md_text(o, b->cells.v[c]);
		return;
	}
	bufadds(o, "[");
	for (const char *s = b->cells.v[c]; *s; s++) {
		if (*s == '[' || *s == ']' || *s == '|')
			bufadd(o, "\\", 1);
		bufadd(o, *s == '\n' ? " " : s, 1);
	}
	bufadds(o, "](");
	for (const char *s = href; *s; s++) {
		if (*s == ' ' || *s == '(' || *s == ')' || *s == '|')
			bufaddf(o, "%%%02X", (unsigned char)*s);
		else
			bufadd(o, s, 1);
	}
	bufadds(o, ")");
}

void doc_md(const struct doc *d, const bool *plotted, struct buf *o)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct blk *b = &d->v[i];

		switch (b->kind) {
		case BLK_HEADING:
			for (int k = 0; k < b->level; k++)
				bufadds(o, "#");
			bufaddf(o, " %s\n\n", b->text);
			break;
		case BLK_PARA:
			if (b->lead)
				bufaddf(o, "**%s** ", b->lead);
			bufaddf(o, "%s\n\n", b->text);
			break;
		case BLK_TABLE:
			for (size_t c = 0; c < b->cells.n; c++) {
				bufadds(o, c % b->ncol == 0 ? "| " : " | ");
				md_cell(o, b, c);
				if (c % b->ncol == b->ncol - 1) {
					bufadds(o, " |\n");
					if (c == b->ncol - 1) {
						for (size_t k = 0; k < b->ncol; k++)
							bufadds(o, "| --- ");
						bufadds(o, "|\n");
					}
				}
			}
			bufadds(o, "\n");
			break;
		case BLK_LIST:
			for (size_t c = 0; c < b->cells.n; c++) {
				bufadds(o, "- ");
				md_cell(o, b, c);
				bufadds(o, "\n");
			}
			bufadds(o, "\n");
			break;
		case BLK_PLOT:
			if (plotted && plotted[i])
				bufaddf(o, "![%s](" RUN_PLOTS "/%s.svg)\n\n", b->text, b->plot);
			break;
		}
	}
	while (o->len >= 2 && o->s[o->len - 1] == '\n' && o->s[o->len - 2] == '\n')
		o->s[--o->len] = '\0'; /* one newline ends the text */
}

static void html_esc(struct buf *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': bufadds(o, "&amp;"); break;
		case '<': bufadds(o, "&lt;"); break;
		case '>': bufadds(o, "&gt;"); break;
		case '"': bufadds(o, "&quot;"); break;
		case '\'': bufadds(o, "&#39;"); break;
		default: bufadd(o, s, 1);
		}
	}
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
static const char html_style[] =
	"</title>\n<style>\n"
	"body{font-family:system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}\n"
	"h1,h2,h3{font-weight:600}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}\n"
	"table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}\n"
	"th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}\n"
	"figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{color:#555}\n"
	"</style>\n</head>\n<body>\n";

static void html_cell(struct buf *o, const struct blk *b, size_t c)
{
	const char *href = linkof(b, c);

	if (href) {
		bufadds(o, "<a href=\"");
		html_esc(o, href);
		bufadds(o, "\">");
	}
	html_esc(o, b->cells.v[c]);
	if (href)
		bufadds(o, "</a>");
}

void doc_html(const struct doc *d, const char *title, char *const *svgs, struct buf *o)
{
	bufadds(o, html_head);
	html_esc(o, title);
	bufadds(o, html_style);
	for (size_t i = 0; i < d->n; i++) {
		const struct blk *b = &d->v[i];

		switch (b->kind) {
		case BLK_HEADING:
			bufaddf(o, "<h%d>", b->level);
			html_esc(o, b->text);
			bufaddf(o, "</h%d>\n", b->level);
			break;
		case BLK_PARA:
			bufadds(o, "<p>");
			if (b->lead) {
				bufadds(o, "<strong>");
				html_esc(o, b->lead);
				bufadds(o, "</strong> ");
			}
			html_esc(o, b->text);
			bufadds(o, "</p>\n");
			break;
		case BLK_TABLE:
			bufadds(o, "<table>\n");
			for (size_t c = 0; c < b->cells.n; c++) {
				bool head = c < b->ncol;
				if (c % b->ncol == 0)
					bufadds(o, "<tr>");
				bufadds(o, head ? "<th>" : "<td>");
				html_cell(o, b, c);
				bufadds(o, head ? "</th>" : "</td>");
				if (c % b->ncol == b->ncol - 1)
					bufadds(o, "</tr>\n");
			}
			bufadds(o, "</table>\n");
			break;
		case BLK_LIST:
			bufadds(o, "<ul>\n");
			for (size_t c = 0; c < b->cells.n; c++) {
				bufadds(o, "<li>");
				html_cell(o, b, c);
				bufadds(o, "</li>\n");
			}
			bufadds(o, "</ul>\n");
			break;
		case BLK_PLOT:
			if (svgs && svgs[i]) {
				const char *svg = strstr(svgs[i], "<svg");
				bufadds(o, "<figure>\n");
				bufadds(o, svg ? svg : svgs[i]);
				bufadds(o, "\n<figcaption>");
				html_esc(o, b->text);
				bufadds(o, "</figcaption>\n</figure>\n");
			}
			break;
		}
	}
	bufadds(o, "</body>\n</html>\n");
}
