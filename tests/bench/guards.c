/* tests/bench/guards.c: what watching the machine costs (orchestrator/sysinfo.c, canary.c).
 *
 * The interference figure of one trial is two readings of /proc/stat (and
 * /proc/pressure/cpu) around it and one subtraction; the speed canary is one C sample (the
 * median of three repetitions of the fixed workload) between rounds. Both are timed here
 * over many repetitions and printed per trial and per round. */
#include <stdio.h>
#include <stdlib.h>

#include "canary.h"
#include "sysinfo.h"
#include "util.h"

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000, k = 50;
	struct cpusample a, b;
	struct interference in;
	double t0 = now(), per;

	for (int i = 0; i < n; i++) {
		sysinfo_sample_set(&a, NULL);
		sysinfo_sample_set(&b, NULL);
		sysinfo_interference(&a, &b, 0, &in);
	}
	per = (now() - t0) / n;
	printf("interference figure: %.1f us per trial (two readings of /proc/stat and /proc/pressure/cpu)\n", per * 1e6);
	t0 = now();
	for (int i = 0; i < k; i++) {
		struct canary_sample s;
		if (canary_c(NULL, CANARY_REPS, &s) < 0) {
			fprintf(stderr, "canary: %s\n", errmsg());
			return 1;
		}
		canary_sample_free(&s);
	}
	per = (now() - t0) / k;
	printf("speed canary: %.1f ms per round (one C sample of %d repetitions between rounds)\n", per * 1e3, CANARY_REPS);
	return 0;
}
