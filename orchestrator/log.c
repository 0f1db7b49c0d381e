/* log.c: progress lines and timestamped log lines (see log.h).
 *
 * A struct progress holds only numbers and a short note; draw() is the single renderer.
 * It is rate-limited by wall time: 0.1 s between redraws on a terminal, progress_interval
 * seconds between lines elsewhere. */
#include "log.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

bool log_quiet;
double progress_interval = 30;

struct progress {
	char *label;
	enum progress_unit unit;
	uint64_t done, total;
	char note[160];
	double start, lastdraw;
	bool drawn;
};

bool log_isatty(void)
{
	static int tty = -1;

	if (tty < 0)
		tty = isatty(2) && !getenv("GILBENCH_PLAIN");
	return tty;
}

static void stamp(FILE *f)
{
	char *s = utcstamp(false);

	fprintf(f, "%s ", s);
	free(s);
}

void logmsg(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	fflush(stdout);
	if (!log_isatty())
		stamp(stderr);
	fputs("gilbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct progress *mkprogress(const char *label, enum progress_unit unit)
{
	struct progress *p = xcalloc(1, sizeof(*p));

	p->label = xstrdup(label);
	p->unit = unit;
	p->start = now();
	p->lastdraw = p->start;
	return p;
}

static void fmtamount(char *s, size_t n, enum progress_unit unit, uint64_t v)
{
	if (unit == PROGRESS_BYTES) {
		if (v >= 1 << 20)
			snprintf(s, n, "%.1f MiB", (double)v / (1 << 20));
		else
			snprintf(s, n, "%.0f KiB", (double)v / 1024);
	} else {
		snprintf(s, n, "%llu", (unsigned long long)v);
	}
}

static void draw(struct progress *p, bool final)
{
	char done[32], total[32], line[512];
	double t = now(), el = t - p->start;
	int len;

	if (log_quiet)
		return;
	if (!final) {
		if (log_isatty() && t - p->lastdraw < 0.1 && p->drawn)
			return;
		if (!log_isatty() && t - p->lastdraw < progress_interval)
			return;
	}
	p->lastdraw = t;
	fmtamount(done, sizeof(done), p->unit, p->done);
	len = snprintf(line, sizeof(line), "%s", p->label);
	if (p->total) {
		fmtamount(total, sizeof(total), p->unit, p->total);
		len += snprintf(line + len, sizeof(line) - (size_t)len, " %s/%s (%.0f%%)", done, total,
		                100.0 * (double)p->done / (double)p->total);
	} else if (p->done) {
		len += snprintf(line + len, sizeof(line) - (size_t)len, " %s", done);
	}
	if (p->unit == PROGRESS_BYTES && el > 0.5 && p->done)
		len += snprintf(line + len, sizeof(line) - (size_t)len, " %.1f MiB/s", (double)p->done / el / (1 << 20));
	len += snprintf(line + len, sizeof(line) - (size_t)len, " %dm%02ds", (int)el / 60, (int)el % 60);
	if (p->note[0] && len > 0 && (size_t)len < sizeof(line))
		snprintf(line + len, sizeof(line) - (size_t)len, "  %s", p->note);
	if (log_isatty()) {
		struct winsize ws;
		int cols = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 ? ws.ws_col : 100;
		fprintf(stderr, "\r\033[K%.*s", cols - 1, line);
		if (final)
			fputc('\n', stderr);
		fflush(stderr);
	} else {
		stamp(stderr);
		fprintf(stderr, "gilbench: %s\n", line);
	}
	p->drawn = true;
}

void progress_total(struct progress *p, uint64_t total)
{
	p->total = total;
}

void progress_set(struct progress *p, uint64_t done)
{
	p->done = done;
	draw(p, false);
}

void progress_note(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->note, sizeof(p->note), fmt, ap);
	va_end(ap);
	for (char *s = p->note; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
	draw(p, false);
}

void progress_done(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	if (!p)
		return;
	va_start(ap, fmt);
	vsnprintf(p->note, sizeof(p->note), fmt, ap);
	va_end(ap);
	draw(p, true);
	free(p->label);
	free(p);
}
