/* slurm_probe.c: slurm.c's functions as a command, for tests/cli/slurm.bats on a real Slurm.
 *
 *   slurm_probe check                       slurm_check()
 *   slurm_probe submit [OPTIONS] -- CMD...  slurm_submit(); prints the job id
 *       --name N --script PATH --chdir D --output PAT --error PAT --array SPEC
 *       --dependency DEP --partition P --time T --exclusive --nomultithread
 *       --env NAME=VALUE (repeatable) --sbatch ARG (repeatable)
 *   slurm_probe poll ID...                  slurm_poll(): "JOB TASK STATE REASON" per entry
 *                                           (TASK "-" for a job that is no array)
 *   slurm_probe wait [--timeout S] ID...    slurm_poll() every 0.2 s until none is listed,
 *                                           printing each change as "SECONDS ID STATE REASON"
 *                                           and "SECONDS ID gone" (ID is JOB or JOB_TASK);
 *                                           exits 1 at the timeout (default 60 s)
 *   slurm_probe cancel JOB [TASK]           slurm_cancel()
 *   slurm_probe nodes                       slurm_nodes(): "NAME CPUS STATE" per node
 *
 * Errors go to stderr as "slurm_probe: MESSAGE" with exit 1; bad usage exits 2. */
#include "slurm.h"
#include "spawn.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(void)
{
	fprintf(stderr, "usage: slurm_probe check | submit [OPTIONS] -- CMD... | poll ID... | "
	                "wait [--timeout S] ID... | cancel JOB [TASK] | nodes\n");
	return 2;
}

static int failed(void)
{
	fprintf(stderr, "slurm_probe: %s\n", errmsg());
	return 1;
}

static int cmd_submit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, 0, 'n' },      { "script", required_argument, 0, 's' },
		{ "chdir", required_argument, 0, 'D' },     { "output", required_argument, 0, 'o' },
		{ "error", required_argument, 0, 'e' },     { "array", required_argument, 0, 'a' },
		{ "dependency", required_argument, 0, 'd' }, { "partition", required_argument, 0, 'p' },
		{ "time", required_argument, 0, 't' },      { "exclusive", no_argument, 0, 'x' },
		{ "nomultithread", no_argument, 0, 'm' },   { "env", required_argument, 0, 'E' },
		{ "sbatch", required_argument, 0, 'S' },    { 0, 0, 0, 0 },
	};
	struct strlist env = {0}, extra = {0};
	struct slurmjob j = {0};
	long id;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'n': j.name = optarg; break;
		case 's': j.script = optarg; break;
		case 'D': j.cwd = optarg; break;
		case 'o': j.output = optarg; break;
		case 'e': j.error = optarg; break;
		case 'a': j.array = optarg; break;
		case 'd': j.dependency = optarg; break;
		case 'p': j.partition = optarg; break;
		case 't': j.timelimit = optarg; break;
		case 'x': j.exclusive = true; break;
		case 'm': j.nomultithread = true; break;
		case 'E': strlist_add(&env, optarg); break;
		case 'S': strlist_add(&extra, optarg); break;
		default: rc = usage(); goto cleanup;
		}
	}
	if (optind >= argc) {
		rc = usage();
		goto cleanup;
	}
	j.argv = argv + optind;
	j.env = env.v;
	j.extra = extra.v;
	if (slurm_submit(&j, &id) < 0) {
		rc = failed();
		goto cleanup;
	}
	printf("%ld\n", id);
	rc = 0;
cleanup:
	strlist_free(&env);
	strlist_free(&extra);
	return rc;
}

static int parse_ids(int argc, char **argv, long **ids)
{
	*ids = xcalloc((size_t)argc + 1, sizeof(**ids));
	for (int i = 0; i < argc; i++) {
		char *end;
		(*ids)[i] = strtol(argv[i], &end, 10);
		if (end == argv[i] || *end)
			return errorf("'%s' is not a job id", argv[i]);
	}
	return 0;
}

static char *taskid(const struct slurmtask *t)
{
	return t->task == SLURM_NOTASK ? xasprintf("%ld", t->job) : xasprintf("%ld_%ld", t->job, t->task);
}

static int cmd_poll(int argc, char **argv)
{
	struct slurmqueue q;
	long *ids = NULL;
	int rc = 1;

	if (parse_ids(argc, argv, &ids) < 0 || slurm_poll(ids, (size_t)argc, &q) < 0) {
		free(ids);
		return failed();
	}
	for (size_t i = 0; i < q.n; i++) {
		if (q.v[i].task == SLURM_NOTASK)
			printf("%ld - %s %s\n", q.v[i].job, q.v[i].state, q.v[i].reason);
		else
			printf("%ld %ld %s %s\n", q.v[i].job, q.v[i].task, q.v[i].state, q.v[i].reason);
	}
	rc = 0;
	slurmqueue_free(&q);
	free(ids);
	return rc;
}

/* print what changed since the last poll: names holds each ID seen, states its last
 * "STATE REASON" (or "gone") */
static void changes(struct strlist *names, struct strlist *states, const struct slurmqueue *q, double t)
{
	for (size_t i = 0; i < q->n; i++) {
		char *id = taskid(&q->v[i]), *st = xasprintf("%s %s", q->v[i].state, q->v[i].reason);
		size_t k;
		for (k = 0; k < names->n && strcmp(names->v[k], id) != 0; k++)
			;
		if (k == names->n) {
			strlist_add(names, id);
			strlist_add(states, "");
		}
		if (strcmp(states->v[k], st) != 0) {
			printf("%.1f %s %s\n", t, id, st);
			free(states->v[k]);
			states->v[k] = xstrdup(st);
		}
		free(id);
		free(st);
	}
	for (size_t k = 0; k < names->n; k++) {
		const char *id = names->v[k];
		long job = strtol(id, NULL, 10), task = strchr(id, '_') ? strtol(strchr(id, '_') + 1, NULL, 10) : SLURM_NOTASK;
		if (strcmp(states->v[k], "gone") != 0 && !slurmqueue_find(q, job, task)) {
			printf("%.1f %s gone\n", t, id);
			free(states->v[k]);
			states->v[k] = xstrdup("gone");
		}
	}
	fflush(stdout);
}

static int cmd_wait(int argc, char **argv)
{
	struct strlist names = {0}, states = {0};
	double timeout = 60, start = now();
	long *ids = NULL;
	int rc = 1;

	if (argc >= 2 && strcmp(argv[0], "--timeout") == 0) {
		timeout = atof(argv[1]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 1)
		return usage();
	if (parse_ids(argc, argv, &ids) < 0) {
		rc = failed();
		goto cleanup;
	}
	for (;;) {
		struct slurmqueue q;
		size_t listed;
		if (slurm_poll(ids, (size_t)argc, &q) < 0) {
			rc = failed();
			goto cleanup;
		}
		changes(&names, &states, &q, now() - start);
		listed = q.n;
		slurmqueue_free(&q);
		if (!listed && !names.n)
			printf("%.1f none listed\n", now() - start);
		if (!listed)
			break;
		if (now() - start > timeout) {
			fprintf(stderr, "slurm_probe: still queued after %.0f s\n", timeout);
			goto cleanup;
		}
		nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
	}
	rc = 0;
cleanup:
	strlist_free(&names);
	strlist_free(&states);
	free(ids);
	return rc;
}

static int cmd_nodes(void)
{
	struct slurmnodes ns;

	if (slurm_nodes(&ns) < 0)
		return failed();
	for (size_t i = 0; i < ns.n; i++)
		printf("%s %d %s\n", ns.v[i].name, ns.v[i].cpus, ns.v[i].state);
	slurmnodes_free(&ns);
	return 0;
}

int main(int argc, char **argv)
{
	long job, task = SLURM_NOTASK;

	spawn_init();
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "check") == 0 && argc == 2)
		return slurm_check() < 0 ? failed() : 0;
	if (strcmp(argv[1], "submit") == 0)
		return cmd_submit(argc - 1, argv + 1);
	if (strcmp(argv[1], "poll") == 0 && argc > 2)
		return cmd_poll(argc - 2, argv + 2);
	if (strcmp(argv[1], "wait") == 0)
		return cmd_wait(argc - 2, argv + 2);
	if (strcmp(argv[1], "cancel") == 0 && (argc == 3 || argc == 4)) {
		job = strtol(argv[2], NULL, 10);
		if (argc == 4)
			task = strtol(argv[3], NULL, 10);
		return slurm_cancel(job, task) < 0 ? failed() : 0;
	}
	if (strcmp(argv[1], "nodes") == 0 && argc == 2)
		return cmd_nodes();
	return usage();
}
