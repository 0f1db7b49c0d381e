/* test_slurm.c: unit tests for the Slurm layer (slurm.h) against fake Slurm tools.
 *
 * Each test gets a temporary folder whose bin/ holds one fake tool script under the names
 * sbatch, squeue, scancel, scontrol and sinfo, and PATH is that folder alone (the real
 * tools may be installed on this machine). A fake records its arguments, NUL-separated, in
 * NAME.args, counts its calls in NAME.calls, and answers from NAME.N.out/.err/.rc for its
 * Nth call, else NAME.out/.err/.rc, which the test writes. Covered: quoting (the batch
 * script run by sh hands every awkward argument and exported value over unchanged), the
 * sbatch argv for every job field, job id parsing, sbatch's errors, squeue parsing (array
 * tasks, plain jobs, reasons with spaces, garbage), "Invalid job id" as an empty queue,
 * retries of a failing squeue, scancel of a job and of one task, sinfo parsing, and
 * slurm_check's messages for a missing tool, a controller that is down, and one that
 * answers. The same module runs against a real Slurm in tests/cli/slurm.bats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "slurm.h"
#include "spawn.h"
#include "util.h"

static const char fake[] =
	"#!/bin/sh\n"
	"d=${0%/bin/*}\n"
	"name=${0##*/}\n"
	"n=$(($(/bin/cat \"$d/$name.calls\" 2>/dev/null || echo 0) + 1))\n"
	"echo $n >\"$d/$name.calls\"\n"
	": >\"$d/$name.args\"\n"
	"for a; do printf '%s\\0' \"$a\" >>\"$d/$name.args\"; done\n"
	"for f in out err rc; do\n"
	"	if [ -f \"$d/$name.$n.$f\" ]; then eval \"$f=\\$d/\\$name.\\$n.$f\"; else eval \"$f=\\$d/\\$name.$f\"; fi\n"
	"done\n"
	"[ -f \"$out\" ] && /bin/cat \"$out\"\n"
	"[ -f \"$err\" ] && /bin/cat \"$err\" >&2\n"
	"[ -f \"$rc\" ] && exit \"$(/bin/cat \"$rc\")\"\n"
	"exit 0\n";

static const char *tools[] = { "sbatch", "squeue", "scancel", "scontrol", "sinfo" };
static char *tmp, *oldpath;

static int setup(void **state)
{
	char tmpl[] = "/tmp/test_slurm.XXXXXX", *bin, *f;

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	tmp = xstrdup(tmpl);
	bin = pathjoin(tmp, "bin");
	mkdirp(bin, 0755);
	for (size_t i = 0; i < LEN(tools); i++) {
		f = pathjoin(bin, tools[i]);
		if (writefile(f, fake, strlen(fake)) < 0 || chmod(f, 0755) < 0)
			return -1;
		free(f);
	}
	oldpath = xstrdup(getenv("PATH"));
	setenv("PATH", bin, 1);
	free(bin);
	slurm_retry_wait = 0.01;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	setenv("PATH", oldpath, 1);
	free(oldpath);
	rmtree(tmp);
	free(tmp);
	return 0;
}

/* answer TOOL's next calls (call 0: every call without its own answer) */
static void answer(const char *tool, int call, const char *out, const char *err, int rc)
{
	char *base = call ? xasprintf("%s/%s.%d", tmp, tool, call) : xasprintf("%s/%s", tmp, tool);
	char *p, *code = xasprintf("%d\n", rc);

	p = xasprintf("%s.out", base);
	assert_int_equal(writefile(p, out, strlen(out)), 0);
	free(p);
	p = xasprintf("%s.err", base);
	assert_int_equal(writefile(p, err, strlen(err)), 0);
	free(p);
	p = xasprintf("%s.rc", base);
	assert_int_equal(writefile(p, code, strlen(code)), 0);
	free(p);
	free(code);
	free(base);
}

/* the arguments of TOOL's last call, joined with " | " */
static char *args(const char *tool)
{
	char *p = xasprintf("%s/%s.args", tmp, tool), *data;
	struct buf b = {0};
	size_t len;

	if (readfile(p, &data, &len) < 0)
		fail_msg("%s was not called: %s", tool, errmsg());
	for (size_t i = 0; i < len; i += strlen(data + i) + 1)
		bufaddf(&b, "%s%s", i ? " | " : "", data + i);
	bufadd(&b, "", 0);
	free(data);
	free(p);
	return b.s;
}

static int calls(const char *tool)
{
	char *p = xasprintf("%s/%s.calls", tmp, tool), *data;
	size_t len;
	int n = 0;

	if (readfile(p, &data, &len) == 0) {
		n = atoi(data);
		free(data);
	}
	free(p);
	return n;
}

static void test_quote(void **state)
{
	(void)state;
	const char *in[] = { "abc", "it's", "", "'", "a b" }, *want[] = { "'abc'", "'it'\\''s'", "''", "''\\'''", "'a b'" };

	for (size_t i = 0; i < LEN(in); i++) {
		char *q = slurm_quote(in[i]);
		assert_string_equal(q, want[i]);
		free(q);
	}
}

/* the script, run by sh, hands each argument and exported value over exactly */
static void test_script_roundtrip(void **state)
{
	(void)state;
	char *script = pathjoin(tmp, "job.sbatch"), *out = NULL;
	char *argv[] = { "/bin/sh", "-c", "printf '[%s]' \"$@\"; printf '{%s}' \"$GB_ONE\" \"$GB_TWO\"", "sh",
	                 "a b", "it's", "\"dq\"", "new\nline", "$HOME", "`id`", "back\\slash", "", "*", "-x", "tail'", NULL };
	char *env[] = { "GB_ONE=x 'y' $z", "GB_TWO=", NULL };
	char *run[] = { "/bin/sh", script, NULL };
	struct slurmjob j = { .name = "rt", .script = script, .argv = argv, .env = env };
	struct buf want = {0};
	long id;

	answer("sbatch", 0, "42\n", "", 0);
	assert_int_equal(slurm_submit(&j, &id), 0);
	assert_int_equal(id, 42);
	if (spawn_capture(run, &out) < 0)
		fail_msg("the script failed: %s", errmsg());
	for (char **a = argv + 4; *a; a++)
		bufaddf(&want, "[%s]", *a);
	bufaddf(&want, "{x 'y' $z}{}");
	assert_string_equal(out, want.s);
	buffree(&want);
	free(out);
	free(script);
}

static void test_submit_argv(void **state)
{
	(void)state;
	char *argv[] = { "true", NULL }, *extra[] = { "--mem=1G", "--comment=a b", NULL };
	char *script = pathjoin(tmp, "s.sbatch"), *got, *want;
	struct slurmjob j = {
		.name = "shards", .script = script, .argv = argv, .cwd = "/work dir", .output = "out/%A_%a.out",
		.error = "out/%A_%a.err", .array = "0-7%2", .dependency = "afterok:12", .partition = "batch",
		.timelimit = "1:00:00", .exclusive = true, .nomultithread = true, .extra = extra,
	};
	long id;

	answer("sbatch", 0, "123;cluster1\n", "", 0);
	assert_int_equal(slurm_submit(&j, &id), 0);
	assert_int_equal(id, 123);
	got = args("sbatch");
	want = xasprintf("--parsable | --job-name=shards | --chdir=/work dir | --output=out/%%A_%%a.out | "
	                 "--error=out/%%A_%%a.err | --array=0-7%%2 | --dependency=afterok:12 | --partition=batch | "
	                 "--time=1:00:00 | --exclusive | --hint=nomultithread | --mem=1G | --comment=a b | %s", script);
	assert_string_equal(got, want);
	free(got);
	free(want);

	/* the least a job needs; a relative script path reaches sbatch absolute */
	struct slurmjob min = { .name = "m", .script = "rel.sbatch", .argv = argv };
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmp), 0);
	answer("sbatch", 0, "7\n", "", 0);
	assert_int_equal(slurm_submit(&min, &id), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(id, 7);
	got = args("sbatch");
	want = xasprintf("--parsable | --job-name=m | %s/rel.sbatch", tmp);
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(script);
}

static void test_submit_errors(void **state)
{
	(void)state;
	char *argv[] = { "true", NULL }, *badenv[] = { "1X=3", NULL }, *noeq[] = { "X", NULL };
	char *script = pathjoin(tmp, "e.sbatch");
	struct slurmjob j = { .name = "e", .script = script, .argv = argv };
	long id;

	answer("sbatch", 0, "", "sbatch: error: invalid partition specified: nope\n"
	                        "sbatch: error: Batch job submission failed: Invalid partition name specified\n", 1);
	assert_int_equal(slurm_submit(&j, &id), -1);
	assert_string_equal(errmsg(), "submit job e: sbatch exited with 1: sbatch: error: invalid partition specified: nope; "
	                              "sbatch: error: Batch job submission failed: Invalid partition name specified");
	answer("sbatch", 0, "Submitted batch job 5\n", "", 0);
	assert_int_equal(slurm_submit(&j, &id), -1);
	assert_string_equal(errmsg(), "submit job e: sbatch --parsable printed 'Submitted batch job 5', not a job id");
	answer("sbatch", 0, "12x\n", "", 0);
	assert_int_equal(slurm_submit(&j, &id), -1);
	assert_int_equal(calls("sbatch"), 3);

	/* bad environment items and a job without a command never reach sbatch */
	j.env = badenv;
	assert_int_equal(slurm_submit(&j, &id), -1);
	assert_non_null(strstr(errmsg(), "environment item '1X=3' is not NAME=VALUE"));
	j.env = noeq;
	assert_int_equal(slurm_submit(&j, &id), -1);
	j.env = NULL;
	j.argv = (char *[]){ NULL };
	assert_int_equal(slurm_submit(&j, &id), -1);
	assert_non_null(strstr(errmsg(), "needs a name, a script path and a command"));
	assert_int_equal(calls("sbatch"), 3);

	/* sbatch missing from PATH ("cannot run sbatch: No such file or directory"; under
	 * valgrind, whose posix_spawn cannot report a failed exec, "sbatch exited with 127") */
	char *sb = pathjoin(tmp, "bin/sbatch");
	assert_int_equal(unlink(sb), 0);
	j.argv = argv;
	assert_int_equal(slurm_submit(&j, &id), -1);
	assert_true(strncmp(errmsg(), "submit job e: ", 14) == 0 && strstr(errmsg(), "sbatch"));
	free(sb);
	free(script);
}

static void test_poll(void **state)
{
	(void)state;
	struct slurmqueue q;
	const struct slurmtask *t;
	long ids[] = { 7, 8, 9 };
	char *got;

	answer("squeue", 0, "7|0|RUNNING|None\n7|1|PENDING|JobArrayTaskLimit\n8|N/A|PENDING|Dependency\n"
	                    "9|N/A|PENDING|launch failed requeued held\n", "", 0);
	assert_int_equal(slurm_poll(ids, 3, &q), 0);
	got = args("squeue");
	assert_string_equal(got, "-h | -r | -j | 7,8,9 | -o | %F|%K|%T|%r");
	free(got);
	assert_int_equal(q.n, 4);
	assert_non_null(t = slurmqueue_find(&q, 7, 0));
	assert_string_equal(t->state, "RUNNING");
	assert_non_null(t = slurmqueue_find(&q, 7, 1));
	assert_string_equal(t->state, "PENDING");
	assert_string_equal(t->reason, "JobArrayTaskLimit");
	assert_non_null(t = slurmqueue_find(&q, 8, SLURM_NOTASK));
	assert_string_equal(t->reason, "Dependency");
	assert_non_null(t = slurmqueue_find(&q, 9, SLURM_NOTASK));
	assert_string_equal(t->reason, "launch failed requeued held");
	assert_null(slurmqueue_find(&q, 7, 2));
	assert_null(slurmqueue_find(&q, 8, 0));
	slurmqueue_free(&q);
	assert_null(q.v);

	/* nothing listed: all finished */
	answer("squeue", 0, "", "", 0);
	assert_int_equal(slurm_poll(ids, 1, &q), 0);
	assert_int_equal(q.n, 0);
	/* every id already purged: squeue fails, and that is an empty queue too */
	answer("squeue", 0, "", "slurm_load_jobs error: Invalid job id specified\n", 1);
	assert_int_equal(slurm_poll(ids, 2, &q), 0);
	assert_int_equal(q.n, 0);
	/* output that is no queue */
	answer("squeue", 0, "7|0|RUNNING|None\nhello\n", "", 0);
	assert_int_equal(slurm_poll(ids, 1, &q), -1);
	assert_string_equal(errmsg(), "poll jobs 7: squeue printed 'hello', not JOB|TASK|STATE|REASON");
	assert_null(q.v);
	answer("squeue", 0, "x|0|RUNNING|None\n", "", 0);
	assert_int_equal(slurm_poll(ids, 1, &q), -1);
	answer("squeue", 0, "7|-3|RUNNING|None\n", "", 0);
	assert_int_equal(slurm_poll(ids, 1, &q), -1);
}

static void test_poll_retries(void **state)
{
	(void)state;
	struct slurmqueue q;
	long id = 5;

	/* two transient failures, then an answer */
	answer("squeue", 1, "", "slurm_load_jobs error: Socket timed out on send/recv operation\n", 1);
	answer("squeue", 2, "", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n", 1);
	answer("squeue", 0, "5|N/A|RUNNING|None\n", "", 0);
	assert_int_equal(slurm_poll(&id, 1, &q), 0);
	assert_int_equal(calls("squeue"), 3);
	assert_int_equal(q.n, 1);
	slurmqueue_free(&q);

	/* three in a row: an error naming the last one */
	answer("squeue", 0, "", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n", 1);
	assert_int_equal(slurm_poll(&id, 1, &q), -1);
	assert_int_equal(calls("squeue"), 6);
	assert_string_equal(errmsg(), "poll jobs 5 (tried 3 times): squeue exited with 1: "
	                              "slurm_load_jobs error: Unable to contact slurm controller (connect failure)");
}

static void test_cancel(void **state)
{
	(void)state;
	char *got;

	answer("scancel", 0, "", "", 0);
	assert_int_equal(slurm_cancel(5, SLURM_NOTASK), 0);
	got = args("scancel");
	assert_string_equal(got, "5");
	free(got);
	assert_int_equal(slurm_cancel(5, 3), 0);
	got = args("scancel");
	assert_string_equal(got, "5_3");
	free(got);
	/* already finished: fine */
	answer("scancel", 0, "", "scancel: error: Kill job error on job id 5: Invalid job id specified\n", 1);
	assert_int_equal(slurm_cancel(5, SLURM_NOTASK), 0);
	answer("scancel", 0, "", "scancel: error: Kill job error on job id 5: Access/permission denied\n", 1);
	assert_int_equal(slurm_cancel(5, SLURM_NOTASK), -1);
	assert_string_equal(errmsg(), "cancel job 5: scancel exited with 1: scancel: error: Kill job error on job id 5: "
	                              "Access/permission denied");
}

static void test_nodes(void **state)
{
	(void)state;
	struct slurmnodes ns;
	char *got;

	answer("sinfo", 0, "n2 4 idle\nn1 8 mixed\nn2 4 idle\nn3 16 down*\n", "", 0);
	assert_int_equal(slurm_nodes(&ns), 0);
	got = args("sinfo");
	assert_string_equal(got, "-h | -N | -o | %N %c %t");
	free(got);
	assert_int_equal(ns.n, 3);
	assert_string_equal(ns.v[0].name, "n1");
	assert_int_equal(ns.v[0].cpus, 8);
	assert_string_equal(ns.v[0].state, "mixed");
	assert_string_equal(ns.v[1].name, "n2");
	assert_string_equal(ns.v[2].state, "down*");
	slurmnodes_free(&ns);
	answer("sinfo", 0, "n1 many idle\n", "", 0);
	assert_int_equal(slurm_nodes(&ns), -1);
	assert_string_equal(errmsg(), "list nodes: sinfo printed 'n1 many idle', not NODE CPUS STATE");
	answer("sinfo", 0, "", "slurm_load_partitions: Unable to contact slurm controller (connect failure)\n", 1);
	assert_int_equal(slurm_nodes(&ns), -1);
	assert_non_null(strstr(errmsg(), "sinfo exited with 1: slurm_load_partitions: Unable to contact"));
}

static void test_check(void **state)
{
	(void)state;

	answer("scontrol", 0, "Slurmctld(primary) at head is UP\n", "", 0);
	assert_int_equal(slurm_check(), 0);
	{
		char *got = args("scontrol");
		assert_string_equal(got, "ping");
		free(got);
	}
	/* a backup that is down while the primary answers: fine */
	answer("scontrol", 0, "Slurmctld(primary) at head is UP\nSlurmctld(backup) at b is DOWN\n", "", 1);
	assert_int_equal(slurm_check(), 0);
	answer("scontrol", 0, "Slurmctld(primary) at head is DOWN\n*****************************************\n"
	                      "** RESTORE SLURMCTLD DAEMON TO SERVICE **\n*****************************************\n", "", 1);
	assert_int_equal(slurm_check(), -1);
	assert_string_equal(errmsg(), "the Slurm controller does not answer: Slurmctld(primary) at head is DOWN");
	answer("scontrol", 0, "", "scontrol: error: s_p_parse_file: cannot stat file /x/slurm.conf: No such file or directory\n"
	                          "scontrol: fatal: Unable to process configuration file\n", 1);
	assert_int_equal(slurm_check(), -1);
	assert_string_equal(errmsg(), "the Slurm controller does not answer: scontrol ping exited with 1: scontrol: error: "
	                              "s_p_parse_file: cannot stat file /x/slurm.conf: No such file or directory; "
	                              "scontrol: fatal: Unable to process configuration file");

	/* each tool missing in turn, named, before anything runs */
	answer("scontrol", 0, "Slurmctld(primary) at head is UP\n", "", 0);
	for (size_t i = 0; i < 4; i++) {
		char *p = xasprintf("%s/bin/%s", tmp, tools[i]), *moved = xasprintf("%s.away", p), *want;
		int before = calls("scontrol");
		assert_int_equal(rename(p, moved), 0);
		assert_int_equal(slurm_check(), -1);
		want = xasprintf("%s not found in PATH (is Slurm installed?", tools[i]);
		assert_non_null(strstr(errmsg(), want));
		assert_int_equal(calls("scontrol"), before);
		assert_int_equal(rename(moved, p), 0);
		free(want);
		free(moved);
		free(p);
	}
	assert_int_equal(slurm_check(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test_setup_teardown(test_script_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_argv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
