/* test_spawn.c: spawn.c's signal handling, output capture and CPU lists.
 *
 * cpulist_strict: cpulist_parse() takes ascending CPU numbers and ranges only, and names
 * what is wrong with anything else (issue 9: "1,0" and "0,0" passed, "" said no CPU was
 * available).
 *
 * capture_keeps_the_last_bytes: a child printing 20 MiB and then a last line (and a NUL
 * in between) leaves the last SPAWN_CAPTURE_MAX bytes in res.out, that last line
 * included, and the count of bytes dropped from the front.
 *
 * sigterm_interrupts_a_blocked_read: after spawn_init(), a SIGTERM that arrives while
 * gilbench is blocked in a system call must make that call fail with EINTR (and set
 * spawn_interrupted), so that every wait can notice it and gilbench exits 130; a handler
 * installed with SA_RESTART would restart the read and block for ever. A forked child sends
 * the signal while the parent reads an empty pipe; alarm() turns a regression into a failed
 * test rather than a hung one.
 *
 * a_child_killed_just_before_the_interrupt: scancel and Ctrl-C signal a whole job or group,
 * and the child may die of it before gilbench's own handler runs; spawn() counts that
 * child's failure as the interrupt (res.interrupted: "interrupted at make", not "failed at
 * make"), waiting a moment for the signal. Here the child ends itself with SIGTERM and
 * leaves a process that sends gilbench its SIGTERM 30 ms later; then, as make does when its
 * recipe is killed, a child whose own child dies of SIGTERM and which exits 2. A child that
 * fails on its own, with nothing sent, is a plain failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "spawn.h"
#include "util.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sigterm_interrupts_a_blocked_read(void **state)
{
	int p[2], status;
	char c;
	ssize_t n;
	pid_t child;

	(void)state;
	spawn_init();
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
		kill(getppid(), SIGTERM);
		_exit(0);
	}
	alarm(10);
	n = read(p[0], &c, 1); /* nobody writes: only the signal ends it */
	alarm(0);
	assert_int_equal(n, -1);
	assert_int_equal(errno, EINTR);
	assert_int_equal(spawn_interrupted, SIGTERM);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	close(p[0]);
	close(p[1]);
	spawn_interrupted = 0;
}

static void a_child_killed_just_before_the_interrupt(void **state)
{
	char pid[32], *argv[] = { "sh", "-c", "(sleep 0.03; kill -TERM $0) & kill -TERM $$", pid, NULL };
	char *make[] = { "sh", "-c", "(sleep 0.03; kill -TERM $0) & sh -c 'kill -TERM $$'; exit 2", pid, NULL };
	char *fails[] = { "sh", "-c", "kill -TERM $$", NULL };
	struct spawnopts o = { .argv = argv, .newgroup = true, .timeout = 60 };
	struct spawnres r;

	(void)state;
	spawn_init();
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	assert_int_equal(spawn(&o, &r), 0);
	assert_int_equal(r.sig, SIGTERM);
	assert_true(r.interrupted);
	assert_int_equal(spawn_interrupted, SIGTERM);
	assert_string_equal(spawn_status(&r), "interrupted");
	spawn_free(&r);
	spawn_interrupted = 0;
	o.argv = make;
	assert_int_equal(spawn(&o, &r), 0);
	assert_true(r.exited);
	assert_int_equal(r.code, 2);
	assert_true(r.interrupted);
	assert_int_equal(spawn_interrupted, SIGTERM);
	spawn_free(&r);
	spawn_interrupted = 0;
	o.argv = fails;
	assert_int_equal(spawn(&o, &r), 0);
	assert_int_equal(r.sig, SIGTERM);
	assert_false(r.interrupted);
	assert_int_equal(spawn_interrupted, 0);
	spawn_free(&r);
}

static void capture_keeps_the_last_bytes(void **state)
{
	char *argv[] = { "sh", "-c", "head -c 20971520 /dev/zero; printf 'a\\000b\\n{\"seconds\": 1}\\n'; "
	                 "head -c 17000000 /dev/zero >&2; echo err >&2", NULL };
	struct spawnopts o = { .argv = argv, .capture = true, .newgroup = true, .timeout = 60 };
	struct spawnres r;
	const char *last = "a\0b\n{\"seconds\": 1}\n";
	size_t nlast = 19;

	(void)state;
	assert_int_equal(spawn(&o, &r), 0);
	assert_true(spawn_ok(&r));
	assert_int_equal(r.outlen, SPAWN_CAPTURE_MAX);
	assert_int_equal(r.outdropped, 20971520 + nlast - SPAWN_CAPTURE_MAX);
	assert_memory_equal(r.out + r.outlen - nlast, last, nlast);
	assert_int_equal(r.out[r.outlen], '\0');
	assert_int_equal(r.errlen, SPAWN_CAPTURE_MAX);
	assert_int_equal(r.errdropped, 17000000 + 4 - SPAWN_CAPTURE_MAX);
	assert_memory_equal(r.err + r.errlen - 4, "err\n", 4);
	spawn_free(&r);
	/* little output: all of it, nothing dropped */
	argv[2] = "echo hi";
	assert_int_equal(spawn(&o, &r), 0);
	assert_int_equal(r.outlen, 3);
	assert_int_equal(r.outdropped, 0);
	assert_string_equal(r.out, "hi\n");
	spawn_free(&r);
}

static void bad_cpus(const char *list, const char *why)
{
	cpu_set_t set;

	if (cpulist_parse(list, &set) != -1 || !strstr(errmsg(), why))
		fail_msg("cpulist_parse(\"%s\"): want an error with \"%s\", got \"%s\"", list, why, errmsg());
}

static void cpulist_strict(void **state)
{
	cpu_set_t set;

	(void)state;
	assert_int_equal(cpulist_parse("0,2-3", &set), 0);
	assert_int_equal(CPU_COUNT(&set), 3);
	assert_true(CPU_ISSET(0, &set) && !CPU_ISSET(1, &set) && CPU_ISSET(2, &set) && CPU_ISSET(3, &set));
	assert_int_equal(cpulist_parse("5", &set), 0);
	assert_int_equal(cpulist_parse("1-1,3-4,7", &set), 0);
	assert_int_equal(CPU_COUNT(&set), 4);
	assert_int_equal(cpulist_parse("1023", &set), 0);
	bad_cpus("1,0", "CPU 0 comes after 1; the list must be ascending, without duplicates");
	bad_cpus("0,0", "CPU 0 comes after 0");
	bad_cpus("0-3,3", "CPU 3 comes after 3");
	bad_cpus("", "empty CPU list");
	bad_cpus("-1", "expected a CPU number at \"-1\"");
	bad_cpus("0,-1", "expected a CPU number at \"-1\"");
	bad_cpus("2-1", "the range 2-1 goes down");
	bad_cpus("0-", "expected a CPU number at \"\"");
	bad_cpus("0,", "expected a CPU number at \"\"");
	bad_cpus("0,,1", "expected a CPU number at \",1\"");
	bad_cpus("1024", "CPU 1024 is not below 1024");
	bad_cpus("0-99999999999999999999", "is not below 1024");
	bad_cpus("0 ", "unexpected ' '");
	bad_cpus("+1", "expected a CPU number");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpulist_strict),
		cmocka_unit_test(capture_keeps_the_last_bytes),
		cmocka_unit_test(sigterm_interrupts_a_blocked_read),
		cmocka_unit_test(a_child_killed_just_before_the_interrupt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
