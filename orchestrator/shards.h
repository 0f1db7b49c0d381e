/* shards.h: a run split into shards, each measured on its own and merged into the run
 * directory's own files.
 *
 * A shard is a set of points of the plan, each with every variant: the runner interleaves a
 * point's variants within its shard, so every comparison between variants is measured in
 * one process on one machine (one Slurm array task, one node). Point p (plan order, every
 * point of the plan) belongs to shard p mod N: round-robin, so that the points of one
 * experiment (a thread-scaling series, from cheap to dear) spread over the shards instead
 * of one shard getting a whole expensive experiment. N is at most the number of points.
 *
 * RUN_DIR/shards/K/ holds shard K's results.jsonl, rounds.jsonl and metadata.json, written
 * by the runner (runopts.shard) and by nothing else: no two tasks ever append to one file.
 * A shard is complete when its metadata.json says "complete" (the runner writes that only
 * after its last point). shards_merge() then writes RUN_DIR/results.jsonl, rounds.jsonl and
 * metadata.json as a run measured in one piece would have them (see shards.c), so that the
 * report, compare and the archive read a merged run like any other. */
#ifndef GILBENCH_SHARDS_H
#define GILBENCH_SHARDS_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "runner.h"

#define RUN_SHARDS "shards"

struct shardinfo {
	int shard;
	char *status;           /* its metadata.json's status (running, complete, interrupted, error), or NULL: none yet */
	size_t trials;          /* whole lines in its results.jsonl */
	size_t points;          /* points of the plan it holds */
	char *node;             /* the Slurm node it last ran on (metadata.json's slurm.node), or NULL */
	long job, task;         /* its Slurm array job and task, or 0 and -1 */
};

size_t shard_of(size_t point, int nshards);        /* the shard point POINT belongs to: point mod nshards */
char *shard_dir(const char *rundir, int shard);    /* RUN_DIR/shards/SHARD */
char *shard_points(const struct plan *plan, int shard, int nshards); /* its points as text: "race, thread-scaling threads=4" */
int shard_read(const char *rundir, const struct plan *plan, int shard, int nshards, struct shardinfo *si);
	/* what shard SHARD's files say (none yet is no error); -1 with the error on a damaged file */
bool shard_complete(const struct shardinfo *si);   /* its metadata.json says "complete" */
void shardinfo_free(struct shardinfo *si);         /* free the fields and zero it */
int shards_merge(const char *rundir, const struct plan *plan, int nshards, struct runsummary *sum);
	/* every shard complete: RUN_DIR/results.jsonl (each (cell, round) once, by point in plan order, within a
	   point as its shard ran them), rounds.jsonl and metadata.json ("shards", "nodes"), each replaced whole;
	   sum gets the trials' counts; -1 with the error (naming the first shard that is not complete) */

#endif
