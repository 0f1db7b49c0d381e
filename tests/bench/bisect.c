/* tests/bench/bisect.c: the noisy-search table of bisect.c (make bench; tests/bench/bisect.sh).
 *
 *   bench_bisect [SEEDS]    SEEDS searches per cell (default 20)
 *
 * A 10% slowdown planted at every position of a 16-commit range (GOOD and 16 commits, the
 * last BAD), with trials at CV 1%, 2%, 5% and 8% (tests/unit/bisectsim.h, seeded), searched
 * with the command's defaults (threshold 5%, 5 rounds first, at most 30). Each cell counts
 * the searches that named the right commit, answered a range (or "no change"), or named a
 * wrong commit, as found/undecided/wrong; then the builds per search and rounds per
 * measurement. Then two half steps (5% at commit 4 and 5% more at 12): range (or no change),
 * one of the two named as "not the whole change", one of them named alone, another commit
 * named (wrong). Figures, never asserted. */
#include <stdio.h>
#include <stdlib.h>

#include "../unit/bisectsim.h"

#define RANGE 17
#define NCV 4

static const double cvs[NCV] = { 0.01, 0.02, 0.05, 0.08 };

struct tally {
	size_t found, undecided, wrong, searches, builds, rounds, measurements;
};

static void count(struct tally *t, const struct sim *s, const struct bisect_result *r, bool right)
{
	t->searches++;
	t->builds += s->builds;
	if (r->outcome == BISECT_FOUND && right)
		t->found++;
	else if (r->outcome == BISECT_FOUND)
		t->wrong++;
	else
		t->undecided++;
	t->rounds += r->confirm.rounds + r->check.rounds;
	t->measurements += 1 + (r->check.kind == BISECT_CHECK);
	for (size_t i = 0; i < r->nsteps; i++, t->measurements++)
		t->rounds += r->steps[i].rounds;
}

static void row(const char *label, const struct tally *t)
{
	printf("| %s |", label);
	for (int c = 0; c < NCV; c++)
		printf(" %zu/%zu/%zu |", t[c].found, t[c].undecided, t[c].wrong);
	printf("\n");
}

int main(int argc, char **argv)
{
	unsigned long seeds = argc > 1 ? strtoul(argv[1], NULL, 10) : 20;
	struct tally all[NCV] = { { 0 } };
	size_t two[NCV][4] = { { 0 } };

	printf("bisect, a 10%% step at each position of 16 commits, %lu searches per cell: found/undecided/wrong\n\n", seeds);
	printf("| position |");
	for (int c = 0; c < NCV; c++)
		printf(" CV %.0f%% |", 100 * cvs[c]);
	printf("\n| --- |");
	for (int c = 0; c < NCV; c++)
		printf(" --- |");
	printf("\n");
	for (size_t at = 1; at < RANGE; at++) {
		struct tally t[NCV] = { { 0 } };
		char label[16];
		for (int c = 0; c < NCV; c++)
			for (unsigned long seed = 1; seed <= seeds; seed++) {
				struct sim s;
				struct bisect_result r;
				sim_init(&s, RANGE, at, 1.10, cvs[c], seed * 1000 + at);
				if (sim_search(&s, 0.05, 5, 30, &r) == 0) {
					count(&t[c], &s, &r, r.hi == at);
					count(&all[c], &s, &r, r.hi == at);
				}
				bisect_result_free(&r);
				sim_free(&s);
			}
		snprintf(label, sizeof(label), "%zu", at);
		row(label, t);
	}
	row("all", all);
	for (int c = 0; c < NCV; c++)
		for (unsigned long seed = 1; seed <= seeds; seed++) {
			struct sim s;
			struct bisect_result r;
			sim_init(&s, RANGE, 4, 1.05, cvs[c], seed);
			for (size_t i = 12; i < RANGE; i++)
				s.level[i] = 1.05 * 1.05;
			if (sim_search(&s, 0.05, 5, 30, &r) == 0)
				two[c][r.outcome != BISECT_FOUND ? 0 : r.hi != 4 && r.hi != 12 ? 3 : r.other_changes ? 1 : 2]++;
			bisect_result_free(&r);
			sim_free(&s);
		}
	printf("\ntwo half steps (4 and 12), %lu searches per cell: range / a step named with \"more than one "
	       "change\" / a step named alone / another commit named\n\n| |", seeds);
	for (int c = 0; c < NCV; c++)
		printf(" CV %.0f%% |", 100 * cvs[c]);
	printf("\n| --- |");
	for (int c = 0; c < NCV; c++)
		printf(" --- |");
	printf("\n| two half steps |");
	for (int c = 0; c < NCV; c++)
		printf(" %zu/%zu/%zu/%zu |", two[c][0], two[c][1], two[c][2], two[c][3]);
	printf("\n");
	printf("\n| cost per search |");
	for (int c = 0; c < NCV; c++)
		printf(" %.1f builds, %.1f rounds per measurement |", (double)all[c].builds / (double)all[c].searches,
		       (double)all[c].rounds / (double)all[c].measurements);
	printf("\n");
	return 0;
}
