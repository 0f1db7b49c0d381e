/* cmd_verify.c: `gilbench verify ARCHIVE`, checking an archive against its manifest.
 *
 * archive_verify() (archive.h) reads the archive once and lists what differs from its
 * manifest.json; this prints one line per problem, each naming the member, and exits 3
 * (EXIT_VERIFY), or "ARCHIVE: OK, N members verified" and 0. A file that cannot be opened
 * at all is an ordinary error (exit 1). */
#include "archive.h"
#include "cmd.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

static int verify_main(struct opts *o)
{
	struct verify_report r;
	const char *path;
	int rc;

	if ((rc = cmd_operands(&cmd_verify, o, 1, 1, "ARCHIVE")) != 0)
		return rc;
	path = o->args[0];
	rc = archive_verify(path, &r);
	if (rc < 0)
		return cmd_fail();
	if (rc == 0) {
		printf("%s: OK, %zu members verified\n", path, r.verified);
	} else {
		for (size_t i = 0; i < r.nproblems; i++) {
			char *line = verify_problem_str(&r.problems[i]);
			printf("%s: %s\n", path, line);
			free(line);
		}
		printf("%s: FAILED, %zu problem%s", path, r.nproblems, r.nproblems == 1 ? "" : "s");
		if (r.listed)
			printf(" (%zu of %zu listed members intact)", r.verified, r.listed);
		printf("\n");
	}
	verify_report_free(&r);
	return rc == 0 ? EXIT_OK : EXIT_VERIFY;
}

const struct cmd cmd_verify = {
	"verify", "ARCHIVE",
	"check an archive's members against its manifest.json",
	"Prints \"ARCHIVE: OK, N members verified\" and exits 0, or one line per problem (a\n"
	"changed, missing or extra member, a missing or malformed manifest, a corrupt or\n"
	"truncated archive, each naming the member; a gzip header, trailer or tail that is not\n"
	"as gilbench wrote it) and exits 3. See docs/archive.md.\n",
	NULL,
	verify_main,
};
