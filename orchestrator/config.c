/* config.c: the YAML config loader (see config.h and docs/config.md).
 *
 * Two passes. The first runs libyaml's event parser and builds a small tree of nodes
 * (scalar, list, mapping), each with its 1-based line and column; while doing so it refuses
 * what the tree could not represent faithfully: anchors, aliases, explicit tags, a second
 * document, nesting deeper than MAXDEPTH. libyaml itself refuses invalid UTF-8, tabs used as
 * indentation and malformed YAML; its problem and context become our one error line. The
 * second pass walks the tree against the schema, one section at a time, and fills struct
 * config; it stops at the first problem, which is reported as
 * "FILE:LINE:COL: KEY: problem", KEY being the dotted path of the offending entry
 * (experiments[2].trials). A problem outside any key leaves the KEY part out. */
#include "config.h"
#include "fetch.h"
#include "hash.h"
#include "spawn.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define MAXDEPTH 32
#define MAXSIZE (1024 * 1024)
#define MAXCELLS 100000  /* points times variants, over all experiments (the plan's size) */

enum nkind { N_SCALAR, N_SEQ, N_MAP };

struct node {
	enum nkind kind;
	struct pos pos;
	char *text;             /* scalars: the value, NUL-terminated (may hold NULs) */
	size_t len;
	bool plain;             /* scalars: written without quotes or block style */
	struct node **kids;     /* lists: items; mappings: key, value, key, value... */
	size_t n;
};

struct ctx {
	const char *file;       /* the path errors name */
	const char *dir;        /* absolute folder of the config */
	bool inrun;             /* a run directory's config: every path resolves inside dir */
};

/* ---------- errors ---------- */

/* Control characters (a newline in a quoted key or value) become '?': one problem, one line. */
static void oneline(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int vfail(struct ctx *x, struct pos pos, const char *key, const char *fmt, va_list ap)
{
	char msg[2048], k[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	oneline(msg);
	if (key && *key) {
		snprintf(k, sizeof(k), "%s", key);
		oneline(k);
		return errorf("%s:%d:%d: %s: %s", x->file, pos.line, pos.col, k, msg);
	}
	return errorf("%s:%d:%d: %s", x->file, pos.line, pos.col, msg);
}

__attribute__((format(printf, 4, 5)))
static int fail(struct ctx *x, const struct node *n, const char *key, const char *fmt, ...)
{
	struct pos pos = n ? n->pos : (struct pos){1, 1};
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(x, pos, key, fmt, ap);
	va_end(ap);
	return rc;
}

/* Absent, or a YAML null: nothing written, ~, null. */
static bool isnull(const struct node *n)
{
	return !n || (n->kind == N_SCALAR && n->plain &&
	              (n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
	               strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0));
}

/* What a node is, for "expected X, got Y": a quoted, shortened scalar or the node's kind. */
static const char *describe(const struct node *n, char *buf, size_t size)
{
	size_t i, o = 0;

	if (!n)
		return "nothing";
	if (n->kind == N_SEQ)
		return "a list";
	if (n->kind == N_MAP)
		return "a mapping";
	if (isnull(n))
		return "nothing (null)";
	buf[o++] = '"';
	for (i = 0; i < n->len && o + 6 < size; i++) {
		unsigned char c = (unsigned char)n->text[i];
		if (i >= 40 && (c & 0xc0) != 0x80) { /* cut between characters */
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		buf[o++] = c < 0x20 || c == 0x7f || c == '"' ? '?' : (char)c;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* ---------- pass 1: events to a tree ---------- */

static void delnode(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		delnode(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

static void addkid(struct node *parent, struct node *kid)
{
	parent->kids = xreallocarray(parent->kids, parent->n + 1, sizeof(*parent->kids));
	parent->kids[parent->n++] = kid;
}

struct frame {
	struct node *n;
	char *path;
};

/* The dotted path of the next child of the container at the top of the stack. */
static char *childpath(struct frame *stack, size_t depth)
{
	struct frame *f;

	if (depth == 0)
		return xstrdup("");
	f = &stack[depth - 1];
	if (f->n->kind == N_SEQ)
		return xasprintf("%s[%zu]", f->path, f->n->n);
	if (f->n->n % 2 == 0) /* a key comes next: name the mapping */
		return xstrdup(f->path);
	const struct node *k = f->n->kids[f->n->n - 1];
	const char *name = k->kind == N_SCALAR ? k->text : "?";
	return *f->path ? xasprintf("%s.%s", f->path, name) : xstrdup(name);
}

static struct pos markpos(yaml_mark_t m)
{
	return (struct pos){(int)m.line + 1, (int)m.column + 1};
}

/* Line and column of a byte offset, for libyaml's reader errors (which give an offset). */
static struct pos offsetpos(const char *text, size_t len, size_t off)
{
	struct pos p = {1, 1};

	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			p.line++;
			p.col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			p.col++;
		}
	}
	return p;
}

static int yamlerror(struct ctx *x, yaml_parser_t *y, const char *text, size_t len, const char *path)
{
	struct pos pos;
	const char *problem = y->problem ? y->problem : "cannot parse the YAML";

	if (y->error == YAML_MEMORY_ERROR)
		return errorf("%s: out of memory while parsing", x->file);
	if (y->error == YAML_READER_ERROR) {
		pos = offsetpos(text, len, y->problem_offset);
		if (y->problem_value != -1)
			return fail(x, &(struct node){.pos = pos}, path, "%s (byte 0x%02x)", problem,
			            (unsigned)y->problem_value & 0xff);
		return fail(x, &(struct node){.pos = pos}, path, "%s", problem);
	}
	pos = markpos(y->problem_mark);
	if (y->context && y->context_mark.index == y->problem_mark.index)
		return fail(x, &(struct node){.pos = pos}, path, "%s %s", problem, y->context);
	if (y->context)
		return fail(x, &(struct node){.pos = pos}, path, "%s %s (from line %d, column %d)", problem,
		            y->context, (int)y->context_mark.line + 1, (int)y->context_mark.column + 1);
	return fail(x, &(struct node){.pos = pos}, path, "%s", problem);
}

/* pass 1's state while libyaml's events are read */
struct tree {
	struct ctx *x;
	yaml_parser_t y;
	yaml_event_t ev;
	bool live;                      /* ev holds an event to delete */
	struct frame stack[MAXDEPTH + 1]; /* the open lists and mappings, outermost first */
	size_t depth;
	int ndocs;                      /* documents ended */
	bool done;                      /* the stream ended */
	struct node **root;
	char *path;                     /* the path of the node being placed (or of the error) */
	char *last;                     /* the path of the last node read */
};

static int loadtree(struct ctx *x, const char *text, size_t len, struct node **root, char **where);

/* libyaml stopped on an error. With where, only the path it stopped at; else the error,
 * naming the key it was in: for invalid UTF-8, the last key of the valid text before it */
static int parsefailed(struct tree *t, const char *text, size_t len, char **where)
{
	if (where) {
		*where = childpath(t->stack, t->depth);
		return -1;
	}
	if (t->y.error == YAML_READER_ERROR && t->y.problem_offset <= len) {
		struct node *prefix = NULL;
		size_t end = t->y.problem_offset;
		while (end > 0 && (unsigned char)text[end - 1] >= 0x80) /* whole characters only */
			end--;
		loadtree(t->x, text, end, &prefix, &t->path);
		delnode(prefix);
	} else {
		t->path = childpath(t->stack, t->depth);
	}
	return yamlerror(t->x, &t->y, text, len, t->path);
}

/* the events that start no node: the stream's end, documents, aliases (refused, as is a
 * second document) and the end of a list or mapping */
static int structure(struct tree *t)
{
	struct node at = {.pos = markpos(t->ev.start_mark)};

	switch (t->ev.type) {
	case YAML_STREAM_END_EVENT:
		t->done = true;
		break;
	case YAML_DOCUMENT_START_EVENT:
		if (t->ndocs > 0)
			return fail(t->x, &at, NULL, "a second document: a config is one YAML document");
		break;
	case YAML_DOCUMENT_END_EVENT:
		t->ndocs++;
		break;
	case YAML_ALIAS_EVENT:
		t->path = childpath(t->stack, t->depth);
		return fail(t->x, &at, t->path, "anchors and aliases are not allowed (alias *%s)",
		            t->ev.data.alias.anchor);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (t->depth > 0) {
			t->depth--;
			free(t->stack[t->depth].path);
		}
		break;
	default:
		break;
	}
	return 0;
}

/* the node an event starts (a scalar, a list or a mapping) with its anchor and tag, or
 * NULL for any other event */
static struct node *eventnode(const yaml_event_t *ev, const char **anchor, const char **tag)
{
	struct node *n;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		*anchor = (const char *)ev->data.scalar.anchor;
		*tag = (const char *)ev->data.scalar.tag;
		n = xcalloc(1, sizeof(*n));
		n->kind = N_SCALAR;
		n->text = xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		n->len = ev->data.scalar.length;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		break;
	case YAML_SEQUENCE_START_EVENT:
		*anchor = (const char *)ev->data.sequence_start.anchor;
		*tag = (const char *)ev->data.sequence_start.tag;
		n = xcalloc(1, sizeof(*n));
		n->kind = N_SEQ;
		break;
	case YAML_MAPPING_START_EVENT:
		*anchor = (const char *)ev->data.mapping_start.anchor;
		*tag = (const char *)ev->data.mapping_start.tag;
		n = xcalloc(1, sizeof(*n));
		n->kind = N_MAP;
		break;
	default:
		return NULL;
	}
	n->pos = markpos(ev->start_mark);
	return n;
}

/* n placed in the tree (the root, or the next child of the open container), and opened
 * when it is a list or a mapping; -1 on an anchor or a tag (n freed) or nesting deeper
 * than MAXDEPTH */
static int place(struct tree *t, struct node *n, const char *anchor, const char *tag)
{
	t->path = childpath(t->stack, t->depth);
	free(t->last);
	t->last = xstrdup(t->path);
	if (anchor) {
		fail(t->x, n, t->path, "anchors and aliases are not allowed (anchor &%s)", anchor);
		delnode(n);
		return -1;
	}
	if (tag) {
		fail(t->x, n, t->path, "tags are not allowed (tag %s)", tag);
		delnode(n);
		return -1;
	}
	if (t->depth == 0)
		*t->root = n;
	else
		addkid(t->stack[t->depth - 1].n, n);
	if (n->kind != N_SCALAR) {
		if (t->depth == MAXDEPTH)
			return fail(t->x, n, t->path, "nested deeper than %d levels", MAXDEPTH);
		t->stack[t->depth].n = n;
		t->stack[t->depth++].path = t->path;
		t->path = NULL;
	}
	free(t->path);
	t->path = NULL;
	return 0;
}

/* Parse text into a tree of nodes; *root is NULL for an empty stream. With where, only
 * find the path of the last node read (or of the place it stopped at): libyaml reports
 * invalid UTF-8 before any event of the input, so the key it was in is found by parsing
 * the valid text before it again. */
static int loadtree(struct ctx *x, const char *text, size_t len, struct node **root, char **where)
{
	struct tree t = {.x = x, .root = root};
	int rc = -1;

	*root = NULL;
	if (where)
		*where = NULL;
	if (!yaml_parser_initialize(&t.y))
		return errorf("%s: cannot start the YAML parser", x->file);
	yaml_parser_set_input_string(&t.y, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&t.y, YAML_UTF8_ENCODING);
	while (!t.done) {
		const char *anchor = NULL, *tag = NULL;
		struct node *n;

		if (!yaml_parser_parse(&t.y, &t.ev)) {
			parsefailed(&t, text, len, where);
			goto cleanup;
		}
		t.live = true;
		if (structure(&t) < 0)
			goto cleanup;
		if ((n = eventnode(&t.ev, &anchor, &tag)) && place(&t, n, anchor, tag) < 0)
			goto cleanup;
		yaml_event_delete(&t.ev);
		t.live = false;
	}
	rc = 0;
	if (where) {
		*where = t.last;
		t.last = NULL;
	}
cleanup:
	if (t.live)
		yaml_event_delete(&t.ev);
	if (where && rc < 0 && !*where) {
		*where = t.path;
		t.path = NULL;
	}
	free(t.last);
	free(t.path);
	while (t.depth > 0)
		free(t.stack[--t.depth].path);
	yaml_parser_delete(&t.y);
	if (rc < 0) {
		delnode(*root);
		*root = NULL;
	}
	return rc;
}

/* ---------- pass 2: helpers over the tree ---------- */

static char *sub(const char *path, const char *key)
{
	return *path ? xasprintf("%s.%s", path, key) : xstrdup(key);
}

static char *item(const char *path, size_t i)
{
	return xasprintf("%s[%zu]", path, i);
}

static struct node *mapget(const struct node *map, const char *key)
{
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == N_SCALAR && strcmp(map->kids[i]->text, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

static bool matches(const char *s, const char *first, const char *rest)
{
	if (!*s || !strchr(first, *s))
		return false;
	for (s++; *s; s++)
		if (!strchr(rest, *s))
			return false;
	return true;
}

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define NAMECHARS ALNUM "._-"
#define IDENTFIRST "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
#define IDENTCHARS IDENTFIRST "0123456789"

/* names become file and folder names (builds/NAME, pyperf/NAME.json): no "." or "..",
 * nothing hidden */
static bool isname(const char *s) { return matches(s, ALNUM "_-", NAMECHARS); }
static bool isident(const char *s) { return matches(s, IDENTFIRST, IDENTCHARS); }

/* A mapping whose keys are unique strings from allowed (NULL-terminated), or any keys when
 * allowed is NULL. */
static int checkmap(struct ctx *x, const struct node *n, const char *path, const char *const *allowed)
{
	char buf[64];
	int rc = 0;

	if (n->kind != N_MAP)
		return fail(x, n, path, "expected a mapping, got %s", describe(n, buf, sizeof(buf)));
	for (size_t i = 0; rc == 0 && i + 1 < n->n; i += 2) {
		const struct node *k = n->kids[i];
		char *kp;

		if (k->kind != N_SCALAR || isnull(k) || k->len == 0 || memchr(k->text, '\0', k->len))
			return fail(x, k, path, "keys must be non-empty strings, got %s", describe(k, buf, sizeof(buf)));
		kp = sub(path, k->text);
		for (size_t j = 0; j < i; j += 2)
			if (strcmp(n->kids[j]->text, k->text) == 0) {
				rc = fail(x, k, kp, "duplicate key (first at line %d)", n->kids[j]->pos.line);
				break;
			}
		if (rc == 0 && allowed) {
			size_t a;
			for (a = 0; allowed[a]; a++)
				if (strcmp(allowed[a], k->text) == 0)
					break;
			if (!allowed[a]) {
				struct buf list = {0};
				for (a = 0; allowed[a]; a++)
					bufaddf(&list, "%s%s", a ? ", " : "", allowed[a]);
				rc = fail(x, k, kp, "unknown key (allowed: %s)", list.s);
				buffree(&list);
			}
		}
		free(kp);
	}
	return rc;
}

static int missing(struct ctx *x, const struct node *map, const char *path, const char *key)
{
	char *kp = sub(path, key);
	int rc = fail(x, map, kp, "required key is missing");

	free(kp);
	return rc;
}

/* A string scalar (any style), copied; null is "nothing" and fails. */
static int strof(struct ctx *x, const struct node *n, const char *path, char **out)
{
	char buf[64];

	if (n->kind != N_SCALAR || isnull(n))
		return fail(x, n, path, "expected a string, got %s", describe(n, buf, sizeof(buf)));
	if (memchr(n->text, '\0', n->len))
		return fail(x, n, path, "the string contains a NUL character");
	free(*out);
	*out = xstrdup(n->text);
	return 0;
}

/* map[key] as a string: absent or null leaves *out alone unless required. */
static int getstr(struct ctx *x, const struct node *map, const char *path, const char *key,
                  bool required, char **out)
{
	struct node *v = mapget(map, key);
	char *kp;
	int rc;

	if (!v || (isnull(v) && !required))
		return required ? missing(x, map, path, key) : 0;
	kp = sub(path, key);
	rc = strof(x, v, kp, out);
	free(kp);
	return rc;
}

static int intof(struct ctx *x, const struct node *n, const char *path, long lo, long hi, int *out)
{
	char buf[64], *end;
	long v;

	if (n->kind == N_SCALAR && n->plain && n->len > 0 && !memchr(n->text, '\0', n->len) &&
	    (n->text[0] == '-' || n->text[0] == '+' || (n->text[0] >= '0' && n->text[0] <= '9'))) {
		errno = 0;
		v = strtol(n->text, &end, 10);
		if (*end == '\0' && errno == 0 && v >= lo && v <= hi) {
			*out = (int)v;
			return 0;
		}
	}
	return fail(x, n, path, "expected an integer from %ld to %ld, got %s", lo, hi,
	            describe(n, buf, sizeof(buf)));
}

static int getint(struct ctx *x, const struct node *map, const char *path, const char *key,
                  long lo, long hi, bool required, int *out)
{
	struct node *v = mapget(map, key);
	char *kp;
	int rc;

	if (!v || (isnull(v) && !required))
		return required ? missing(x, map, path, key) : 0;
	kp = sub(path, key);
	rc = intof(x, v, kp, lo, hi, out);
	free(kp);
	return rc;
}

/* A finite decimal number in [lo, hi] (lo excluded when lo_open). */
static int numof(struct ctx *x, const struct node *n, const char *path, double lo, bool lo_open,
                 double hi, double *out)
{
	char buf[64], *end;
	double v;

	if (n->kind == N_SCALAR && n->plain && n->len > 0 && !memchr(n->text, '\0', n->len) &&
	    strspn(n->text, "+-.0123456789eE") == n->len && strpbrk(n->text, "0123456789")) {
		errno = 0;
		v = strtod(n->text, &end);
		if (*end == '\0' && errno == 0 && isfinite(v) && (lo_open ? v > lo : v >= lo) && v <= hi) {
			*out = v;
			return 0;
		}
	}
	return fail(x, n, path, "expected a number %s %g and at most %g, got %s", lo_open ? "above" : "from",
	            lo, hi, describe(n, buf, sizeof(buf)));
}

static int getnum(struct ctx *x, const struct node *map, const char *path, const char *key,
                  double lo, bool lo_open, double hi, bool required, double *out)
{
	struct node *v = mapget(map, key);
	char *kp;
	int rc;

	if (!v || (isnull(v) && !required))
		return required ? missing(x, map, path, key) : 0;
	kp = sub(path, key);
	rc = numof(x, v, kp, lo, lo_open, hi, out);
	free(kp);
	return rc;
}

/* map[key] as a list of strings, each checked by ok (when given, with what it expects). */
static int getstrlist(struct ctx *x, const struct node *map, const char *path, const char *key,
                      bool required, bool (*ok)(const char *), const char *what, struct strlist *out)
{
	struct node *v = mapget(map, key);
	char buf[64], *kp;
	int rc = 0;

	if (!v || (isnull(v) && !required))
		return required ? missing(x, map, path, key) : 0;
	kp = sub(path, key);
	if (v->kind != N_SEQ)
		rc = fail(x, v, kp, "expected a list of strings, got %s", describe(v, buf, sizeof(buf)));
	else if (required && v->n == 0)
		rc = fail(x, v, kp, "expected a non-empty list, got an empty one");
	for (size_t i = 0; rc == 0 && v->kind == N_SEQ && i < v->n; i++) {
		char *s = NULL, *ip = item(kp, i);
		rc = strof(x, v->kids[i], ip, &s);
		if (rc == 0 && ok && !ok(s))
			rc = fail(x, v->kids[i], ip, "expected %s, got %s", what, describe(v->kids[i], buf, sizeof(buf)));
		if (rc == 0)
			strlist_addown(out, s);
		else
			free(s);
		free(ip);
	}
	free(kp);
	return rc;
}

/* map[key] as NAME: scalar pairs in order; names checked by ok when given. */
static int getkvlist(struct ctx *x, const struct node *map, const char *path, const char *key,
                     bool (*ok)(const char *), const char *what, struct kvlist *out)
{
	struct node *v = mapget(map, key);
	char buf[64], *kp;
	int rc;

	if (isnull(v))
		return 0;
	kp = sub(path, key);
	rc = checkmap(x, v, kp, NULL);
	if (rc == 0) {
		out->v = xcalloc(v->n / 2, sizeof(*out->v));
		out->n = 0;
	}
	for (size_t i = 0; rc == 0 && i + 1 < v->n; i += 2) {
		const struct node *k = v->kids[i], *val = v->kids[i + 1];
		char *ip = sub(kp, k->text);
		if (ok && !ok(k->text))
			rc = fail(x, k, ip, "expected a name of %s", what);
		else if (val->kind != N_SCALAR)
			rc = fail(x, val, ip, "expected a single value, got %s", describe(val, buf, sizeof(buf)));
		if (rc == 0) {
			struct kv *e = &out->v[out->n++];
			e->key = xstrdup(k->text);
			e->pos = k->pos;
			rc = strof(x, val, ip, &e->value);
		}
		free(ip);
	}
	free(kp);
	return rc;
}

/* One of words (NULL-terminated); *out is its index. */
static int getword(struct ctx *x, const struct node *map, const char *path, const char *key,
                   const char *const *words, int *out)
{
	char *s = NULL, *kp;
	int rc = getstr(x, map, path, key, false, &s);

	if (rc < 0 || !s)
		return rc;
	for (int i = 0; words[i]; i++)
		if (strcmp(words[i], s) == 0) {
			*out = i;
			free(s);
			return 0;
		}
	struct buf list = {0};
	for (int i = 0; words[i]; i++)
		bufaddf(&list, "%s%s", i ? " or " : "", words[i]);
	kp = sub(path, key);
	rc = fail(x, mapget(map, key), kp, "expected %s, got \"%s\"", list.s, s);
	free(kp);
	buffree(&list);
	free(s);
	return rc;
}

static int listof(struct ctx *x, const struct node *n, const char *path, bool nonempty)
{
	char buf[64];

	if (n->kind != N_SEQ)
		return fail(x, n, path, "expected a list, got %s", describe(n, buf, sizeof(buf)));
	if (nonempty && n->n == 0)
		return fail(x, n, path, "expected a non-empty list, got an empty one");
	return 0;
}

/* 1 when PATH, with every link resolved, is a regular file inside ROOT; 0 when not */
static int inside(const char *root, const char *path)
{
	char *r = realpath(root, NULL), *p = realpath(path, NULL);
	size_t n = r ? strlen(r) : 0;
	int in = r && p && strncmp(p, r, n) == 0 && (p[n] == '/' || (n == 1 && r[0] == '/')) && isregular(p);

	free(r);
	free(p);
	return in;
}

/* WHAT "NAME" at full must be a regular file: "not found", or what it is instead */
static int regfile(struct ctx *x, const struct node *n, const char *path, const char *what,
                   const char *name, const char *full)
{
	struct stat st;

	if (stat(full, &st) < 0)
		return fail(x, n, path, "%s \"%s\" not found (looked for %s)", what, name, full);
	if (!S_ISREG(st.st_mode))
		return fail(x, n, path, "%s \"%s\" is not a regular file (%s): %s", what, name, filekind(st.st_mode), full);
	return 0;
}

/* ---------- pass 2: the sections ---------- */

static int loadsource(struct ctx *x, const struct node *root, struct srcconf *src)
{
	static const char *const keys[] = {"tarball", "git", NULL};
	static const char *const tkeys[] = {"sha256", "from", NULL};
	static const char *const gkeys[] = {"url", "ref", NULL};
	struct node *s = mapget(root, "source"), *t, *g;
	char buf[64];

	if (isnull(s))
		return missing(x, root, "", "source");
	if (checkmap(x, s, "source", keys) < 0)
		return -1;
	src->pos = s->pos;
	t = mapget(s, "tarball");
	g = mapget(s, "git");
	if (t && g) /* name the one written second */
		return fail(x, t->pos.line > g->pos.line || (t->pos.line == g->pos.line && t->pos.col > g->pos.col) ? t : g,
		            "source", "expected exactly one of tarball or git, got both");
	if (!t && !g)
		return fail(x, s, "source", "expected exactly one of tarball or git");
	if (t) {
		src->kind = SRC_TARBALL;
		if (isnull(t))
			return fail(x, t, "source.tarball", "expected a mapping with sha256 and from, got nothing");
		if (checkmap(x, t, "source.tarball", tkeys) < 0 ||
		    getstr(x, t, "source.tarball", "sha256", true, &src->sha256) < 0)
			return -1;
		if (!ishex64(src->sha256))
			return fail(x, mapget(t, "sha256"), "source.tarball.sha256",
			            "expected 64 lowercase hex digits, got %s", describe(mapget(t, "sha256"), buf, sizeof(buf)));
		if (getstrlist(x, t, "source.tarball", "from", true, NULL, NULL, &src->from) < 0)
			return -1;
		for (size_t i = 0; i < src->from.n; i++) /* fetch's own check, so nothing fails later */
			if (fetch_place_check(src->from.v[i]) < 0) {
				char *ip = xasprintf("source.tarball.from[%zu]", i), *why = xstrdup(errmsg());
				int rc = fail(x, mapget(t, "from")->kids[i], ip, "%s", why);
				free(ip);
				free(why);
				return rc;
			}
		return 0;
	}
	src->kind = SRC_GIT;
	if (isnull(g))
		return fail(x, g, "source.git", "expected a mapping with url and ref, got nothing");
	if (checkmap(x, g, "source.git", gkeys) < 0 || getstr(x, g, "source.git", "url", true, &src->url) < 0 ||
	    getstr(x, g, "source.git", "ref", false, &src->ref) < 0)
		return -1;
	if (!src->ref)
		src->ref = xstrdup("main");
	return 0;
}

static int loadpatches(struct ctx *x, const struct node *root, struct config *c)
{
	struct node *p = mapget(root, "patches");

	if (isnull(p))
		return 0;
	if (listof(x, p, "patches", false) < 0)
		return -1;
	c->patches = xcalloc(p->n, sizeof(*c->patches));
	for (size_t i = 0; i < p->n; i++) {
		struct patchconf *pc = &c->patches[c->npatches++];
		char *ip = item("patches", i);
		int rc = strof(x, p->kids[i], ip, &pc->name);
		pc->pos = p->kids[i]->pos;
		if (rc == 0 && x->inrun) {
			/* a run directory holds its own copy of every patch, by file name */
			const char *base = strrchr(pc->name, '/');
			pc->path = xasprintf("%s/patches/%s", x->dir, base ? base + 1 : pc->name);
			if (!base ? !*pc->name : !base[1])
				rc = fail(x, p->kids[i], ip, "patch \"%s\" names no file", pc->name);
			else if (inside(x->dir, pc->path) <= 0)
				rc = fail(x, p->kids[i], ip, "patch \"%s\": %s is missing or not a regular file inside the run directory",
				          pc->name, pc->path);
		} else if (rc == 0) {
			const char *n = pc->name;
			if (n[0] == '/')
				pc->path = xstrdup(n);
			else if (strncmp(n, "./", 2) == 0 || strncmp(n, "../", 3) == 0)
				pc->path = pathjoin(x->dir, n);
			else {
				/* a run directory keeps its patches in its own patches/ */
				pc->path = xasprintf("%s/patches/%s", x->dir, n);
				if (!exists(pc->path)) {
					free(pc->path);
					pc->path = xasprintf("%s/../patches/%s", x->dir, n);
				}
			}
			rc = regfile(x, p->kids[i], ip, "patch", n, pc->path);
		}
		free(ip);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static bool hasprefix(const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], "--prefix") == 0 || strncmp(l->v[i], "--prefix=", 9) == 0)
			return true;
	return false;
}

static bool hasflag(const struct strlist *l, const char *flag)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], flag) == 0)
			return true;
	return false;
}

/* The name of list item i (at key "name") must be new among the first i. */
static int uniquename(struct ctx *x, const struct node *list, size_t i, const char *path)
{
	const struct node *mine = mapget(list->kids[i], "name");

	for (size_t j = 0; j < i; j++) {
		const struct node *other = mapget(list->kids[j], "name");
		if (other && strcmp(other->text, mine->text) == 0)
			return fail(x, mine, path, "duplicate name \"%s\" (first at line %d)", mine->text, other->pos.line);
	}
	return 0;
}

static int loadname(struct ctx *x, const struct node *map, const char *path, char **out)
{
	char *kp;
	int rc;

	if (getstr(x, map, path, "name", true, out) < 0)
		return -1;
	if (isname(*out))
		return 0;
	kp = sub(path, "name");
	rc = fail(x, mapget(map, "name"), kp,
	          "expected a name of letters, digits, '.', '_' and '-', not starting with '.', got \"%s\"", *out);
	free(kp);
	return rc;
}

static int loadbuilds(struct ctx *x, const struct node *root, struct config *c)
{
	static const char *const keys[] = {"name", "configure", "make", "env", "jobs", NULL};
	struct node *b = mapget(root, "builds");

	if (isnull(b))
		return missing(x, root, "", "builds");
	if (listof(x, b, "builds", true) < 0)
		return -1;
	c->builds = xcalloc(b->n, sizeof(*c->builds));
	for (size_t i = 0; i < b->n; i++) {
		struct buildconf *bc = &c->builds[c->nbuilds++];
		const struct node *m = b->kids[i];
		char *ip = item("builds", i), *np = sub(ip, "name"), *cp = sub(ip, "configure");
		int rc = 0;

		bc->pos = m->pos;
		if (checkmap(x, m, ip, keys) < 0 || loadname(x, m, ip, &bc->name) < 0 ||
		    uniquename(x, b, i, np) < 0 ||
		    getstrlist(x, m, ip, "configure", false, NULL, NULL, &bc->configure) < 0 ||
		    getkvlist(x, m, ip, "make", isident, "letters, digits and '_' ([A-Za-z_][A-Za-z0-9_]*)", &bc->make) < 0 ||
		    getkvlist(x, m, ip, "env", isident, "letters, digits and '_' ([A-Za-z_][A-Za-z0-9_]*)", &bc->env) < 0 ||
		    getint(x, m, ip, "jobs", 0, 4096, false, &bc->jobs) < 0)
			rc = -1;
		else if (hasprefix(&bc->configure))
			rc = fail(x, mapget(m, "configure"), cp, "must not contain --prefix: gilbench sets it");
		bc->gil_disabled = hasflag(&bc->configure, "--disable-gil");
		free(ip);
		free(np);
		free(cp);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int findbuild(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nbuilds; i++)
		if (strcmp(c->builds[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* expect_gil from PYTHON_GIL, refusing what CPython would refuse at start-up. */
static int setgil(struct ctx *x, struct config *c, struct variantconf *v, const char *path)
{
	const struct buildconf *b = &c->builds[v->build];
	const char *gil = NULL;
	struct pos pos = v->pos;
	char *kp;
	int rc = 0;

	for (size_t i = 0; i < v->env.n; i++)
		if (strcmp(v->env.v[i].key, "PYTHON_GIL") == 0) {
			gil = v->env.v[i].value;
			pos = v->env.v[i].pos;
		}
	v->expect_gil = !b->gil_disabled;
	if (!gil)
		return 0;
	kp = xasprintf("%s.env.PYTHON_GIL", path);
	if (strcmp(gil, "1") == 0)
		v->expect_gil = true;
	else if (strcmp(gil, "0") != 0)
		rc = fail(x, &(struct node){.pos = pos}, kp, "expected \"0\" or \"1\", got \"%s\"", gil);
	else if (!b->gil_disabled)
		rc = fail(x, &(struct node){.pos = pos}, kp,
		          "PYTHON_GIL=0 needs a build configured with --disable-gil, and build \"%s\" is not "
		          "(CPython refuses to start)", b->name);
	else
		v->expect_gil = false;
	free(kp);
	return rc;
}

static int loadvariants(struct ctx *x, const struct node *root, struct config *c)
{
	static const char *const keys[] = {"name", "build", "env", NULL};
	struct node *l = mapget(root, "variants");

	if (isnull(l)) { /* one variant per build */
		c->variants = xcalloc(c->nbuilds, sizeof(*c->variants));
		for (size_t i = 0; i < c->nbuilds; i++) {
			struct variantconf *v = &c->variants[c->nvariants++];
			v->name = xstrdup(c->builds[i].name);
			v->build = i;
			v->expect_gil = !c->builds[i].gil_disabled;
			v->pos = c->builds[i].pos;
		}
		return 0;
	}
	if (listof(x, l, "variants", true) < 0)
		return -1;
	c->variants = xcalloc(l->n, sizeof(*c->variants));
	for (size_t i = 0; i < l->n; i++) {
		struct variantconf *v = &c->variants[c->nvariants++];
		const struct node *m = l->kids[i];
		char *ip = item("variants", i), *np = sub(ip, "name"), *bp = sub(ip, "build"), *build = NULL;
		int rc = 0;

		v->pos = m->pos;
		if (checkmap(x, m, ip, keys) < 0 || loadname(x, m, ip, &v->name) < 0 || uniquename(x, l, i, np) < 0 ||
		    getstr(x, m, ip, "build", true, &build) < 0 ||
		    getkvlist(x, m, ip, "env", isident, "letters, digits and '_' ([A-Za-z_][A-Za-z0-9_]*)", &v->env) < 0) {
			rc = -1;
		} else if (findbuild(c, build) < 0) {
			struct buf names = {0};
			for (size_t j = 0; j < c->nbuilds; j++)
				bufaddf(&names, "%s%s", j ? ", " : "", c->builds[j].name);
			rc = fail(x, mapget(m, "build"), bp, "unknown build \"%s\" (builds: %s)", build, names.s);
			buffree(&names);
		} else {
			v->build = (size_t)findbuild(c, build);
			rc = setgil(x, c, v, ip);
		}
		free(build);
		free(ip);
		free(np);
		free(bp);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static bool ishashseed(const char *s)
{
	char *end;
	unsigned long long v;

	if (strcmp(s, "random") == 0)
		return true;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	return *end == '\0' && errno == 0 && v <= 4294967295ULL;
}

/* run.interference, run.repeats, run.canary and run.quiet: how the run guards against a busy machine */
static int loadguards(struct ctx *x, const struct node *m, struct runconf *r)
{
	static const char *const qkeys[] = {"load", "wait", NULL};
	struct node *q = mapget(m, "quiet");

	if (getnum(x, m, "run", "interference", 0, false, 1, false, &r->interference) < 0 ||
	    getint(x, m, "run", "repeats", 0, 100000, false, &r->repeats) < 0 ||
	    getnum(x, m, "run", "canary", 0, false, 10, false, &r->canary) < 0)
		return -1;
	if (isnull(q))
		return 0;
	if (checkmap(x, q, "run.quiet", qkeys) < 0 || getnum(x, q, "run.quiet", "load", 0, false, 4096, false, &r->quiet_load) < 0 ||
	    getnum(x, q, "run.quiet", "wait", 0, true, 1e6, false, &r->quiet_wait) < 0)
		return -1;
	if (!mapget(q, "load") || !mapget(q, "wait"))
		return fail(x, q, "run.quiet", "wants both load (the other processes' busy cores allowed) and wait (seconds)");
	return 0;
}

static int loadrun(struct ctx *x, const struct node *root, struct runconf *r)
{
	static const char *const keys[] = {"warmup", "timeout", "min_trials", "max_trials", "target", "cpus",
	                                   "hashseed", "pass_env", "cv_threshold", "tie", "interference", "repeats",
	                                   "canary", "quiet", NULL};
	struct node *m = mapget(root, "run");

	r->warmup = 0;
	r->timeout = 600;
	r->hashseed = xstrdup("0");
	r->cv_threshold = 0.10;
	r->tie = 0.05;
	r->interference = 0.10;
	r->repeats = -1;
	r->canary = 0.05;
	if (isnull(m))
		return 0;
	if (loadguards(x, m, r) < 0)
		return -1;
	if (checkmap(x, m, "run", keys) < 0 || getint(x, m, "run", "warmup", 0, 100000, false, &r->warmup) < 0 ||
	    getnum(x, m, "run", "timeout", 0, true, 1e7, false, &r->timeout) < 0 ||
	    getint(x, m, "run", "min_trials", 1, 100000, false, &r->min_trials) < 0 ||
	    getint(x, m, "run", "max_trials", 1, 100000, false, &r->max_trials) < 0 ||
	    getnum(x, m, "run", "target", 0, false, 1, false, &r->target) < 0 ||
	    getstr(x, m, "run", "cpus", false, &r->cpus) < 0 ||
	    getstr(x, m, "run", "hashseed", false, &r->hashseed) < 0 ||
	    getstrlist(x, m, "run", "pass_env", false, isident, "a variable name ([A-Za-z_][A-Za-z0-9_]*)", &r->pass_env) < 0 ||
	    getnum(x, m, "run", "cv_threshold", 0, false, 100, false, &r->cv_threshold) < 0 ||
	    getnum(x, m, "run", "tie", 0, false, 1, false, &r->tie) < 0)
		return -1;
	if (r->min_trials && r->max_trials && r->max_trials < r->min_trials)
		return fail(x, mapget(m, "max_trials"), "run.max_trials", "must be at least min_trials (%d), got %d",
		            r->min_trials, r->max_trials);
	if (r->cpus) { /* the parser the runner pins with */
		cpu_set_t set;
		if (cpulist_parse(r->cpus, &set) < 0) {
			char *why = xstrdup(errmsg());
			int rc = fail(x, mapget(m, "cpus"), "run.cpus", "%s", why);
			free(why);
			return rc;
		}
	}
	if (!ishashseed(r->hashseed))
		return fail(x, mapget(m, "hashseed"), "run.hashseed",
		            "expected \"random\" or an integer from 0 to 4294967295, got \"%s\"", r->hashseed);
	return 0;
}

static int loadmatrix(struct ctx *x, const struct node *m, const char *path, struct expconf *e)
{
	struct node *mx = mapget(m, "matrix");
	char *mp;
	size_t points = 1;
	int rc;

	if (isnull(mx))
		return 0;
	mp = sub(path, "matrix");
	rc = checkmap(x, mx, mp, NULL);
	if (rc == 0 && mx->n == 0)
		rc = fail(x, mx, mp, "expected at least one dimension, got an empty mapping");
	if (rc == 0)
		e->matrix = xcalloc(mx->n / 2, sizeof(*e->matrix));
	for (size_t i = 0; rc == 0 && i + 1 < mx->n; i += 2) {
		const struct node *k = mx->kids[i], *vals = mx->kids[i + 1];
		struct dimconf *d = &e->matrix[e->nmatrix++];
		char *dp = sub(mp, k->text), buf[64];

		d->name = xstrdup(k->text);
		if (!matches(d->name, ALNUM, ALNUM "_-"))
			rc = fail(x, k, dp, "expected a name of letters, digits, '_' and '-'");
		else if (kv_get(&e->args, d->name))
			rc = fail(x, k, dp, "\"%s\" is also in args: a name is either fixed or a dimension", d->name);
		else if (vals->kind != N_SEQ || vals->n == 0)
			rc = fail(x, vals, dp, "expected a non-empty list of values, got %s",
			          vals->kind == N_SEQ ? "an empty list" : describe(vals, buf, sizeof(buf)));
		for (size_t j = 0; rc == 0 && j < vals->n; j++) {
			char *s = NULL, *ip = item(dp, j);
			if (vals->kids[j]->kind != N_SCALAR)
				rc = fail(x, vals->kids[j], ip, "expected a single value, got %s",
				          describe(vals->kids[j], buf, sizeof(buf)));
			else
				rc = strof(x, vals->kids[j], ip, &s);
			for (size_t k2 = 0; rc == 0 && k2 < d->values.n; k2++)
				if (strcmp(d->values.v[k2], s) == 0)
					rc = fail(x, vals->kids[j], ip, "duplicate value \"%s\"", s);
			if (rc == 0)
				strlist_addown(&d->values, s);
			else
				free(s);
			free(ip);
		}
		if (rc == 0) {
			points *= d->values.n;
			if (points > MAXCELLS) /* stops the product early, too */
				rc = fail(x, mx, mp, "more than %d points: the plan is limited to %d cells "
				          "(points times variants, over all experiments)", MAXCELLS, MAXCELLS);
		}
		free(dp);
	}
	free(mp);
	return rc;
}

static size_t npoints(const struct expconf *e)
{
	size_t n = 1;

	for (size_t i = 0; i < e->nmatrix; i++)
		n *= e->matrix[i].values.n;
	return n;
}

static int findvariant(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nvariants; i++)
		if (strcmp(c->variants[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int loadrefs(struct ctx *x, const struct config *c, const struct node *m, const char *path, struct expconf *e)
{
	struct node *r = mapget(m, "reference");
	size_t want = npoints(e);
	char *rp;
	int rc;

	if (isnull(r))
		return 0;
	rp = sub(path, "reference");
	rc = checkmap(x, r, rp, NULL);
	if (rc == 0)
		e->refs = xcalloc(r->n / 2, sizeof(*e->refs));
	for (size_t i = 0; rc == 0 && i + 1 < r->n; i += 2) {
		const struct node *k = r->kids[i], *v = r->kids[i + 1];
		struct refconf *rf = &e->refs[e->nrefs++];
		char *vp = sub(rp, k->text);

		rf->variant = xstrdup(k->text);
		if (findvariant(c, k->text) < 0) {
			struct buf names = {0};
			for (size_t j = 0; j < c->nvariants; j++)
				bufaddf(&names, "%s%s", j ? ", " : "", c->variants[j].name);
			rc = fail(x, k, vp, "unknown variant \"%s\" (variants: %s)", k->text, names.s);
			buffree(&names);
		} else if (v->kind == N_SEQ) {
			if (v->n != want)
				rc = fail(x, v, vp, "expected %zu numbers (one per point), got %zu", want, v->n);
			rf->values = xcalloc(v->n, sizeof(*rf->values));
			for (size_t j = 0; rc == 0 && j < v->n; j++) {
				char *ip = item(vp, j);
				rc = numof(x, v->kids[j], ip, -1e300, false, 1e300, &rf->values[j]);
				rf->n += rc == 0;
				free(ip);
			}
		} else if (want != 1) {
			rc = fail(x, v, vp, "expected a list of %zu numbers (one per point)", want);
		} else {
			rf->values = xcalloc(1, sizeof(*rf->values));
			rc = numof(x, v, vp, -1e300, false, 1e300, &rf->values[0]);
			rf->n = rc == 0;
		}
		free(vp);
	}
	free(rp);
	return rc;
}

static bool isargname(const char *s)
{
	return matches(s, ALNUM, ALNUM "_-");
}

/* alert: {threshold: PCT}, the smallest step the nightly history alerts on (percent) */
static int loadalert(struct ctx *x, const struct node *m, const char *ip, struct expconf *e)
{
	static const char *const akeys[] = {"threshold", NULL};
	const struct node *a = mapget(m, "alert");
	char *ap = sub(ip, "alert");
	double pct = -1;
	int rc = 0;

	e->alert_threshold = -1;
	if (!isnull(a) && (checkmap(x, a, ap, akeys) < 0 || getnum(x, a, ap, "threshold", 0, true, 99, true, &pct) < 0))
		rc = -1;
	else if (pct > 0)
		e->alert_threshold = pct / 100;
	free(ap);
	return rc;
}

static int loadexp(struct ctx *x, struct config *c, const struct node *list, size_t i, const char *ip)
{
	static const char *const keys[] = {"name", "title", "script", "args", "matrix", "trials", "warmup", "timeout",
	                                   "metric", "expect", "table", "reference", "alert", NULL};
	static const char *const mkeys[] = {"name", "better", NULL};
	static const char *const xkeys[] = {"name", "equals", NULL};
	static const char *const better[] = {"lower", "higher", NULL};
	static const char *const tables[] = {"times", "lost-updates", "scaling", NULL};
	struct expconf *e = &c->exps[i];
	const struct node *m = list->kids[i], *metric, *expect;
	char *np = sub(ip, "name"), *sp = sub(ip, "script"), *mp = sub(ip, "metric"), *xp = sub(ip, "expect"),
	     *tp = sub(ip, "table");
	int lower = 0, table = -1, rc = -1;

	e->pos = m->pos;
	e->trials = 5;
	e->warmup = c->run.warmup;
	e->timeout = c->run.timeout;
	if (checkmap(x, m, ip, keys) < 0 || loadname(x, m, ip, &e->name) < 0 || uniquename(x, list, i, np) < 0 ||
	    getstr(x, m, ip, "title", false, &e->title) < 0 || getstr(x, m, ip, "script", true, &e->script) < 0 ||
	    getkvlist(x, m, ip, "args", isargname, "letters, digits, '_' and '-'", &e->args) < 0 ||
	    loadmatrix(x, m, ip, e) < 0 || getint(x, m, ip, "trials", 1, 100000, false, &e->trials) < 0 ||
	    getint(x, m, ip, "warmup", 0, 100000, false, &e->warmup) < 0 ||
	    getnum(x, m, ip, "timeout", 0, true, 1e7, false, &e->timeout) < 0)
		goto cleanup;
	if (!e->title)
		e->title = xstrdup(e->name);
	if (e->script[0] == '/' || strcmp(e->script, "..") == 0 || strncmp(e->script, "../", 3) == 0 ||
	    strstr(e->script, "/../") || (strlen(e->script) >= 3 && strcmp(e->script + strlen(e->script) - 3, "/..") == 0)) {
		/* run directories copy scripts to the same relative place */
		fail(x, mapget(m, "script"), sp, "script \"%s\" must be a relative path inside the config's folder", e->script);
		goto cleanup;
	}
	e->scriptpath = pathjoin(x->dir, e->script);
	if (x->inrun && inside(x->dir, e->scriptpath) <= 0) {
		fail(x, mapget(m, "script"), sp, "script \"%s\": %s is missing or not a regular file inside the run directory",
		     e->script, e->scriptpath);
		goto cleanup;
	}
	if (regfile(x, mapget(m, "script"), sp, "script", e->script, e->scriptpath) < 0)
		goto cleanup;
	metric = mapget(m, "metric");
	if (!isnull(metric) && (checkmap(x, metric, mp, mkeys) < 0 || getstr(x, metric, mp, "name", false, &e->metric) < 0 ||
	                        getword(x, metric, mp, "better", better, &lower) < 0))
		goto cleanup;
	if (!e->metric)
		e->metric = xstrdup("seconds");
	e->lower_is_better = lower == 0;
	expect = mapget(m, "expect");
	if (!isnull(expect)) {
		if (checkmap(x, expect, xp, xkeys) < 0 || getstr(x, expect, xp, "name", false, &e->expect_key) < 0 ||
		    getnum(x, expect, xp, "equals", -1e300, false, 1e300, true, &e->expect_value) < 0)
			goto cleanup;
		if (!e->expect_key)
			e->expect_key = xstrdup("value");
	}
	if (getword(x, m, ip, "table", tables, &table) < 0)
		goto cleanup;
	if (table < 0)
		e->table = e->nmatrix ? TABLE_SCALING : TABLE_TIMES;
	else
		e->table = (enum tablekind)table;
	if (e->table == TABLE_LOST_UPDATES && !e->expect_key) {
		fail(x, mapget(m, "table"), tp, "lost-updates needs expect: {name: ..., equals: N}");
		goto cleanup;
	}
	if (e->table == TABLE_SCALING && !e->nmatrix) {
		fail(x, mapget(m, "table"), tp, "scaling needs a matrix");
		goto cleanup;
	}
	rc = loadrefs(x, c, m, ip, e);
	if (rc == 0)
		rc = loadalert(x, m, ip, e);
cleanup:
	free(np);
	free(sp);
	free(mp);
	free(xp);
	free(tp);
	return rc;
}

static int loadexps(struct ctx *x, const struct node *root, struct config *c)
{
	struct node *l = mapget(root, "experiments");

	if (isnull(l))
		return missing(x, root, "", "experiments");
	if (listof(x, l, "experiments", true) < 0)
		return -1;
	c->exps = xcalloc(l->n, sizeof(*c->exps));
	for (size_t i = 0, cells = 0; i < l->n; i++) {
		char *ip = item("experiments", i);
		int rc;

		c->nexps++;
		rc = loadexp(x, c, l, i, ip);
		if (rc == 0) {
			cells += npoints(&c->exps[i]) * c->nvariants;
			if (cells > MAXCELLS)
				rc = fail(x, l->kids[i], ip, "the plan would have more than %d cells "
				          "(points times variants, over all experiments)", MAXCELLS);
		}
		free(ip);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int loadroot(struct ctx *x, const struct node *root, struct config *c)
{
	static const char *const keys[] = {"version", "name", "description", "reference", "source", "patches",
	                                   "builds", "variants", "run", "experiments", NULL};
	struct node *v;
	char buf[64];

	if (root->kind != N_MAP)
		return fail(x, root, NULL, "expected a mapping of version, name, source, builds and experiments, got %s",
		            describe(root, buf, sizeof(buf)));
	/* the version first, so that a newer file says so before its new keys are refused */
	v = mapget(root, "version");
	if (isnull(v))
		return missing(x, root, "", "version");
	if (intof(x, v, "version", 0, INT_MAX, &c->version) < 0)
		return -1;
	if (c->version != 1)
		return fail(x, v, "version", "unsupported version %d (this gilbench reads version 1)", c->version);
	if (checkmap(x, root, "", keys) < 0 || loadname(x, root, "", &c->name) < 0 ||
	    getstr(x, root, "", "description", false, &c->description) < 0 ||
	    getstr(x, root, "", "reference", false, &c->reference) < 0 || loadsource(x, root, &c->source) < 0 ||
	    loadpatches(x, root, c) < 0 || loadbuilds(x, root, c) < 0 || loadvariants(x, root, c) < 0 ||
	    loadrun(x, root, &c->run) < 0 || loadexps(x, root, c) < 0)
		return -1;
	return 0;
}

/* ---------- entry points ---------- */

static int parse(const char *text, size_t len, const char *path, bool inrun, struct config **out)
{
	struct config *c = xcalloc(1, sizeof(*c));
	struct node *root = NULL;
	struct ctx x = {.file = path, .inrun = inrun};
	char hex[HEXLEN], *abs = NULL, *slash;
	int rc = -1;

	*out = NULL;
	c->path = xstrdup(path);
	abs = abspath(path);
	if (!abs) {
		errwrap("%s", path);
		goto cleanup;
	}
	slash = strrchr(abs, '/');
	c->dir = slash == abs ? xstrdup("/") : xstrndup(abs, (size_t)(slash - abs));
	x.dir = c->dir;
	sha256_buf(text, len, hex);
	c->hash = xstrdup(hex);
	if (len > MAXSIZE) {
		errorf("%s:1:1: the file is %zu bytes, over the limit of 1 MiB", path, len);
		goto cleanup;
	}
	if (loadtree(&x, text, len, &root, NULL) < 0)
		goto cleanup;
	if (!root) {
		errorf("%s:1:1: the file is empty: expected a mapping of version, name, source, builds and experiments",
		       path);
		goto cleanup;
	}
	if (loadroot(&x, root, c) < 0)
		goto cleanup;
	*out = c;
	c = NULL;
	rc = 0;
cleanup:
	delnode(root);
	delconfig(c);
	free(abs);
	return rc;
}

int config_parse(const char *text, size_t len, const char *path, struct config **out)
{
	return parse(text, len, path, false, out);
}

static int load(const char *path, bool inrun, struct config **out)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (stat(path, &st) < 0)
		return errorf("%s:", path);
	if (!S_ISREG(st.st_mode))
		return errorf("%s: not a regular file", path);
	if (st.st_size > MAXSIZE)
		return errorf("%s:1:1: the file is %lld bytes, over the limit of 1 MiB", path, (long long)st.st_size);
	if (readfile(path, &text, &len) < 0)
		return -1;
	rc = parse(text, len, path, inrun, out);
	free(text);
	return rc;
}

int config_load(const char *path, struct config **out)
{
	return load(path, false, out);
}

int config_load_inrun(const char *path, struct config **out)
{
	return load(path, true, out);
}

static void kvfree(struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
}

void delconfig(struct config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->dir);
	free(c->hash);
	free(c->name);
	free(c->description);
	free(c->reference);
	free(c->source.sha256);
	strlist_free(&c->source.from);
	free(c->source.url);
	free(c->source.ref);
	for (size_t i = 0; i < c->npatches; i++) {
		free(c->patches[i].name);
		free(c->patches[i].path);
	}
	free(c->patches);
	for (size_t i = 0; i < c->nbuilds; i++) {
		free(c->builds[i].name);
		strlist_free(&c->builds[i].configure);
		kvfree(&c->builds[i].make);
		kvfree(&c->builds[i].env);
	}
	free(c->builds);
	for (size_t i = 0; i < c->nvariants; i++) {
		free(c->variants[i].name);
		kvfree(&c->variants[i].env);
	}
	free(c->variants);
	for (size_t i = 0; i < c->nexps; i++) {
		struct expconf *e = &c->exps[i];
		free(e->name);
		free(e->title);
		free(e->script);
		free(e->scriptpath);
		kvfree(&e->args);
		for (size_t j = 0; j < e->nmatrix; j++) {
			free(e->matrix[j].name);
			strlist_free(&e->matrix[j].values);
		}
		free(e->matrix);
		free(e->metric);
		free(e->expect_key);
		for (size_t j = 0; j < e->nrefs; j++) {
			free(e->refs[j].variant);
			free(e->refs[j].values);
		}
		free(e->refs);
	}
	free(c->exps);
	free(c->run.cpus);
	free(c->run.hashseed);
	strlist_free(&c->run.pass_env);
	free(c);
}

const char *kv_get(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].value;
	return NULL;
}
