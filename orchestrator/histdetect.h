/* histdetect.h: regression detection over a config's history (docs/nightly.md).
 *
 * For every machine of the config (its series are never mixed with another's), every
 * series is judged by changepoint.h over the machine's nights in first-parent order: each
 * measured series (experiment x point x variant), and two kinds derived per commit from
 * the interleaved trials of one run (paired by round): the no-GIL/GIL ratio of each point
 * (each free-threaded variant over the variant of the GIL build), and each scaling point's
 * efficiency against the smallest point of its experiment, T(smallest) / T(N) (higher is
 * better: the scaling experiment gives every thread the same work).
 *
 * A confirmed regression that is not a stored alert is raised (stored); one within
 * CP_KNOWN_SLACK commits of a stored alert of its series is that alert and is not raised
 * again. A step of a measured series whose windows show the speed canary stepping the
 * same way, with its ratio inside the step's 95% interval (verdict.h's judge() on the
 * canary's nightly medians), is "the machine changed": reported, never alerted. */
#ifndef GILBENCH_HISTDETECT_H
#define GILBENCH_HISTDETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "changepoint.h"
#include "history.h"
#include "stats.h"

enum hskind { HS_MEASURED, HS_RATIO, HS_EFFICIENCY };

struct hchange {
	struct cpchange c;      /* the step (commit indices are nights of the machine) */
	bool machine_changed;   /* the canary stepped alike: the machine changed, not CPython */
	double canary_ratio;    /* the canary's after/before ratio over the same windows; NAN: unknown */
	int64_t alert;          /* the stored alert it is, or 0 */
	bool raised;            /* that alert was raised by this detection */
};

struct hdseries {
	enum hskind kind;
	char *key;              /* "cell:ID", "ratio:ID/ID" or "eff:ID/ID": the alerts' series */
	char *label;            /* "io-threads no-GIL", "thread-scaling threads=4 no-GIL/GIL", ... */
	const struct hseries *s, *base; /* measured: s; ratio: no-GIL s over GIL base; efficiency: base over s */
	bool lower_is_better;
	double threshold;
	struct cptrials *t;     /* per night */
	struct summary *night;  /* per night: median and 95% interval of the mean of t */
	struct cpresult r;      /* noise, trial CV, smallest detectable step, changes */
	struct hchange *ch;     /* one per r.changes */
};

struct hdmachine {
	const struct hmachine *m;
	struct hdseries *s;
	size_t ns;
};

struct hdetect {
	char *config;
	struct hmachine *m;
	size_t nm;
	struct hdmachine *d;    /* one per machine */
	struct halert *alerts;  /* the config's stored alerts after detection, newest first */
	size_t na;
	size_t raised;          /* alerts raised by this detection */
};

int hdetect_run(struct history *h, const char *config, struct hdetect *out);
	/* load and judge every series of config, storing the alerts it raises (inside the caller's transaction,
	   when one is open); -1 with the error */
const struct halert *hdetect_alert(const struct hdetect *d, int64_t id); /* a stored alert by id, or NULL */
void hdetect_free(struct hdetect *d);

#endif
