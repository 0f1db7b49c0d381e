/* test_opts.c: the one option parser (opts.c), on a command descriptor made here.
 *
 * A percentage is "5" or "5%" in range; a count is a whole number in range; a CPU list must
 * parse and name CPUs this process may use; an option the command does not list is unknown;
 * a value-taking option given twice is refused, a list option keeps every value; operands
 * stay in order around the options; --help is answered with 1; every refusal is exit 2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

static int nomain(struct opts *o)
{
	(void)o;
	return 0;
}

static const struct cmdopt accepted[] = {
	{ OPT_OUT, NULL }, { OPT_TARGET, NULL }, { OPT_MIN_TRIALS, NULL }, { OPT_MAX_TRIALS, NULL }, { OPT_CPUS, NULL },
	{ OPT_NO_ARCHIVE, NULL }, { OPT_QUIET, NULL }, { NOPTS, NULL },
};

static const struct cmd fake = { "fake", "[options] ARGS", "a command for the test", NULL, accepted, nomain };

static int parse(struct opts *o, int n, ...)
{
	static char *argv[16]; /* o->args points into it */
	va_list ap;
	int rc;

	argv[0] = "fake";
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		argv[i + 1] = va_arg(ap, char *);
	va_end(ap);
	argv[n + 1] = NULL;
	rc = opts_parse(&fake, n + 1, argv, o);
	return rc;
}

static void values(void **state)
{
	struct opts o;

	(void)state;
	assert_int_equal(parse(&o, 6, "x", "--target", "5%", "-o", "out", "y"), 0);
	assert_true(opt_share(&o, OPT_TARGET, 0) == 0.05);
	assert_string_equal(opt_text(&o, OPT_OUT), "out");
	assert_int_equal(o.nargs, 2);
	assert_string_equal(o.args[0], "x");
	assert_string_equal(o.args[1], "y");
	assert_int_equal(opt_count(&o, OPT_MIN_TRIALS, 7), 7);
	assert_false(opt_set(&o, OPT_NO_ARCHIVE));
	opts_free(&o);
	assert_int_equal(parse(&o, 4, "--target", "2.5", "--min-trials", "3"), 0);
	assert_true(opt_share(&o, OPT_TARGET, 0) == 0.025);
	assert_int_equal(opt_count(&o, OPT_MIN_TRIALS, 0), 3);
	opts_free(&o);
	assert_int_equal(parse(&o, 2, "--cpus", "0"), 0);
	opts_free(&o);
}

static void refusals(void **state)
{
	struct opts o;

	(void)state;
	assert_int_equal(parse(&o, 2, "--target", "abc"), EXIT_USAGE);
	opts_free(&o);
	assert_int_equal(parse(&o, 2, "--target", "0"), EXIT_USAGE);  /* below its minimum */
	opts_free(&o);
	assert_int_equal(parse(&o, 2, "--min-trials", "0"), EXIT_USAGE);
	opts_free(&o);
	assert_int_equal(parse(&o, 2, "--min-trials", "2x"), EXIT_USAGE);
	opts_free(&o);
	assert_int_equal(parse(&o, 4, "--min-trials", "5", "--max-trials", "2"), EXIT_USAGE);
	opts_free(&o);
	assert_int_equal(parse(&o, 2, "--cpus", ""), EXIT_USAGE);
	opts_free(&o);
	assert_int_equal(parse(&o, 2, "--cpus", "1,0"), EXIT_USAGE);
	opts_free(&o);
	assert_int_equal(parse(&o, 2, "--cpus", "1000"), EXIT_USAGE);
	opts_free(&o);
	assert_int_equal(parse(&o, 2, "--tie", "5"), EXIT_USAGE); /* not one of this command's */
	opts_free(&o);
	assert_int_equal(parse(&o, 4, "-o", "a", "--out", "b"), EXIT_USAGE);
	opts_free(&o);
	assert_int_equal(parse(&o, 1, "--out"), EXIT_USAGE); /* no value */
	opts_free(&o);
	assert_int_equal(parse(&o, 1, "--help"), 1);
	opts_free(&o);
}

static void help_lists_them(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	opts_help(&fake, f);
	fclose(f);
	assert_non_null(strstr(text, "-o, --out RUN_DIR"));
	assert_non_null(strstr(text, "--target PCT"));
	assert_non_null(strstr(text, "-h, --help"));
	assert_null(strstr(text, "--tie"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values),
		cmocka_unit_test(refusals),
		cmocka_unit_test(help_lists_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
