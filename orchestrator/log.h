/* log.h: what a long job tells the person waiting for it.
 *
 * On a terminal, one progress line redrawn in place (at most 10 times a second); elsewhere
 * (CI, cron, a pipe) plain timestamped lines, one every progress_interval seconds, so a log
 * shows the job is alive without being flooded. Callers only record numbers; one renderer
 * here draws them. */
#ifndef GILBENCH_LOG_H
#define GILBENCH_LOG_H

#include <stdbool.h>
#include <stdint.h>

extern bool log_quiet;          /* --quiet: only warnings and errors */
extern double progress_interval; /* seconds between plain lines off a terminal (default 30) */

void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* one line on stderr, timestamped off a terminal */
bool log_isatty(void);          /* stderr is a terminal and GILBENCH_PLAIN is unset */

enum progress_unit { PROGRESS_COUNT, PROGRESS_BYTES };

struct progress;
struct progress *mkprogress(const char *label, enum progress_unit unit); /* starts the clock */
void progress_total(struct progress *p, uint64_t total);                  /* 0: unknown */
void progress_set(struct progress *p, uint64_t done);                     /* record; may draw */
void progress_note(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3))); /* short status text */
void progress_done(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));  /* final line; frees p */

#endif
