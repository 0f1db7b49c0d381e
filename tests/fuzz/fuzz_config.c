/* fuzz_config.c: the config loader under libFuzzer (`make fuzz`, `make obj/fuzz_config`).
 *
 * Each input is handed to config_parse() as the text of /tmp/gilbench-fuzz/fuzz.yaml; a
 * parse either succeeds (and the config is freed) or sets one error line. Initialisation
 * creates that folder with experiments/x.py and patches/p.patch, so that inputs naming
 * them can pass the existence checks and reach the later stages of validation. Crashes,
 * leaks, sanitizer reports and broken promises (a valid config that does not expand, an
 * error that is not one line starting with the file's name) are the findings; each one found is kept in
 * tests/fuzz/regressions/, which `make check` replays. */
#include "config.h"
#include "plan.h"
#include "util.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZDIR "/tmp/gilbench-fuzz"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (mkdirp(FUZZDIR "/experiments", 0755) < 0 || mkdirp(FUZZDIR "/patches", 0755) < 0 ||
	    writefile(FUZZDIR "/experiments/x.py", "print('{\"seconds\": 1}')\n", 25) < 0 ||
	    writefile(FUZZDIR "/patches/p.patch", "", 0) < 0) {
		fprintf(stderr, "fuzz_config: %s\n", errmsg());
		return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c = NULL;
	struct plan *p = NULL;

	if (config_parse((const char *)data, size, FUZZDIR "/fuzz.yaml", &c) == 0) {
		/* a valid config must also expand */
		if (plan_make(c, &p) < 0) {
			fprintf(stderr, "fuzz_config: a valid config does not expand: %s\n", errmsg());
			abort();
		}
		delplan(p);
		delconfig(c);
		return 0;
	}
	/* a bad one is one line naming the file */
	if (strchr(errmsg(), '\n') || strncmp(errmsg(), FUZZDIR "/fuzz.yaml:", strlen(FUZZDIR "/fuzz.yaml:")) != 0) {
		fprintf(stderr, "fuzz_config: not one line naming the file: %s\n", errmsg());
		abort();
	}
	return 0;
}
