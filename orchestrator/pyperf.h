/* pyperf.h: results in pyperf's JSON format (version "1.0"), one file per variant.
 *
 * Each point of each experiment is one benchmark named "EXPERIMENT" or
 * "EXPERIMENT[POINT]" ("thread-scaling[threads=4]"), the same in every variant's file, so
 * that `python3 -m pyperf compare_to pyperf/gil.json pyperf/nogil.json` pairs them. Each
 * measured ok trial is one run with one value; the cell's warm-up trials are the first
 * run's warmups, as (1, value) pairs. */
#ifndef GILBENCH_PYPERF_H
#define GILBENCH_PYPERF_H

#include <jansson.h>
#include <stddef.h>

#include "config.h"
#include "plan.h"
#include "results.h"

json_t *pyperf_suite(const struct config *cfg, const struct plan *plan, size_t variant,
                     const struct trial *t, size_t n, json_t *buildrec); /* new suite object; NULL when it has no value */
int pyperf_write(const char *dir, const struct config *cfg, const struct plan *plan,
                 const struct trial *t, size_t n, json_t *const *buildrecs); /* DIR/VARIANT.json per variant with values */

#endif
