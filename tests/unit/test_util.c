/* test_util.c: util.c's file helpers against what a careless or hostile folder holds.
 *
 * Each test works in a fresh /tmp folder with FIFOs, symlinks and regular files made
 * there, and checks that writefile() never replaces anything but a regular file and that
 * openreg(), readfile() and readjson() refuse anything but one at once. Every
 * call that could block on a FIFO runs under alarm(), so a regression fails the test (by
 * SIGALRM) instead of hanging it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int setup(void **state)
{
	char tmpl[] = "/tmp/gilbench-test-util.XXXXXX";

	if (!mkdtemp(tmpl))
		return -1;
	*state = xstrdup(tmpl);
	return 0;
}

static int teardown(void **state)
{
	alarm(0);
	rmtree(*state);
	free(*state);
	return 0;
}

static void writefile_refuses_fifo_and_symlink(void **state)
{
	const char *top = *state;
	char *fifo = pathjoin(top, "fifo"), *link = pathjoin(top, "link"), *target = pathjoin(top, "target");
	char *reg = pathjoin(top, "reg"), *data = NULL;
	struct stat st;
	size_t len;

	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(writefile(target, "keep\n", 5), 0);
	assert_int_equal(symlink("target", link), 0);
	alarm(10);
	assert_int_equal(writefile(fifo, "x", 1), -1);
	assert_non_null(strstr(errmsg(), "exists and is a FIFO, not a regular file; not replaced"));
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(writefile(link, "x", 1), -1);
	assert_non_null(strstr(errmsg(), "exists and is a symlink"));
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(readfile(target, &data, &len), 0);
	assert_string_equal(data, "keep\n");
	free(data);
	/* a regular file is replaced, as before; nothing temporary is left */
	assert_int_equal(writefile(reg, "one", 3), 0);
	assert_int_equal(writefile(reg, "two", 3), 0);
	assert_int_equal(readfile(reg, &data, &len), 0);
	assert_string_equal(data, "two");
	free(data);
	{
		struct strlist l = { 0 };
		assert_int_equal(listdir_suffix(top, "", &l), 0);
		assert_int_equal(l.n, 4); /* fifo, link, reg, target */
		strlist_free(&l);
	}
	free(fifo);
	free(link);
	free(target);
	free(reg);
}

static void openreg_refuses_fifo_and_folder(void **state)
{
	const char *top = *state;
	char *fifo = pathjoin(top, "fifo"), *reg = pathjoin(top, "reg.json"), *data = NULL;
	json_t *j;
	size_t len;
	int fd;

	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(writefile(reg, "{\"a\": 1}", 8), 0);
	alarm(10); /* the unfixed open() blocks here for ever */
	assert_int_equal(openreg(fifo, O_RDONLY), -1);
	assert_non_null(strstr(errmsg(), fifo));
	assert_non_null(strstr(errmsg(), ": not a regular file (a FIFO)"));
	assert_int_equal(openreg(fifo, O_WRONLY | O_CREAT | O_APPEND), -1); /* no reader: ENXIO */
	assert_non_null(strstr(errmsg(), ": not a regular file (a FIFO)"));
	assert_int_equal(readfile(fifo, &data, &len), -1);
	assert_non_null(strstr(errmsg(), "not a regular file (a FIFO)"));
	assert_int_equal(readjson(fifo, false, &j), -1);
	assert_null(j);
	assert_non_null(strstr(errmsg(), "not a regular file (a FIFO)"));
	assert_int_equal(openreg(top, O_RDONLY), -1);
	assert_non_null(strstr(errmsg(), "not a regular file (a folder)"));
	/* a regular file opens, blocking as asked */
	fd = openreg(reg, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	/* O_NOFOLLOW: a symlink is refused by name, and its target left alone */
	{
		char *link = pathjoin(top, "lnk");
		assert_int_equal(symlink("reg.json", link), 0);
		assert_int_equal(openreg(link, O_WRONLY | O_CREAT | O_NOFOLLOW), -1);
		assert_non_null(strstr(errmsg(), "lnk: not a regular file (a symlink, not followed)"));
		fd = openreg(link, O_RDONLY); /* followed when not asked otherwise */
		assert_true(fd >= 0);
		close(fd);
		free(link);
	}
	assert_int_equal(readjson(reg, false, &j), 0);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
	json_decref(j);
	free(fifo);
	free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(writefile_refuses_fifo_and_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(openreg_refuses_fifo_and_folder, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
