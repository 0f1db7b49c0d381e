# Makefile: gilbench's build, the lab, the tests and the benchmarks.
#
#   make               ./gilbench (and ./gilbench-asan on demand)
#   make deps          the Debian packages gilbench, CPython builds and the tests need
#   make lab           deps, gilbench, then `./gilbench run configs/lab.yaml`
#   make check         deps, then every test suite; the last line reads "N passed, N failed"
#   make bench         figures: per-trial overhead, extraction speed, cached start-up
#   make fuzz          the config loader under libFuzzer for FUZZ_SECONDS (default 60)
#   make install       PREFIX=/usr/local
#
# Objects go to obj/rel and obj/asan; every orchestrator/*.c but main.c goes into a static
# library that the tool, the unit tests and the fuzzer link against.

VERSION = 0.1.0
PREFIX ?= /usr/local
CC ?= cc
CFLAGS ?= -O2 -g
PKGS = libgit2 libcurl libarchive yaml-0.1 jansson libcrypto gsl sqlite3 zlib
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lm
XCFLAGS = -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wshadow $(PKG_CFLAGS) -DVERSION='"$(VERSION)"' -MMD -MP
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRC = $(wildcard orchestrator/*.c)
LIBSRC = $(filter-out orchestrator/main.c,$(SRC))
REL_OBJ = $(LIBSRC:orchestrator/%.c=obj/rel/%.o)
ASAN_OBJ = $(LIBSRC:orchestrator/%.c=obj/asan/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_REL = $(UNIT_SRC:tests/unit/%.c=obj/rel/%)
UNIT_ASAN = $(UNIT_SRC:tests/unit/%.c=obj/asan/%)

# Packages: building gilbench, building CPython, running the tests.
DEPS_TOOL = build-essential pkg-config libgit2-dev libcurl4-openssl-dev libarchive-dev \
	libyaml-dev libjansson-dev libssl-dev libgsl-dev libsqlite3-dev gnuplot-nox ccache \
	patch xz-utils ca-certificates git zlib1g-dev
DEPS_CPYTHON = zlib1g-dev libbz2-dev libreadline-dev libffi-dev liblzma-dev libncurses-dev \
	libgdbm-dev uuid-dev
DEPS_TEST = libcmocka-dev bats valgrind clang libclang-rt-14-dev python3 curl slurm-wlm chromium sqlite3
SUDO = $(if $(filter 0,$(shell id -u)),,sudo)

all: gilbench

gilbench: obj/rel/main.o obj/rel/libgilbench.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

gilbench-asan: obj/asan/main.o obj/asan/libgilbench.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS)

obj/rel/%.o: orchestrator/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XCFLAGS) -c -o $@ $<

obj/asan/%.o: orchestrator/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) $(XCFLAGS) -c -o $@ $<

obj/rel/libgilbench.a: $(REL_OBJ)
	rm -f $@ && ar rcs $@ $^

obj/asan/libgilbench.a: $(ASAN_OBJ)
	rm -f $@ && ar rcs $@ $^

obj/rel/test_%: tests/unit/test_%.c obj/rel/libgilbench.a
	$(CC) $(CFLAGS) $(XCFLAGS) -iquote orchestrator -o $@ $< obj/rel/libgilbench.a -lcmocka $(PKG_LIBS)

obj/asan/test_%: tests/unit/test_%.c obj/asan/libgilbench.a
	$(CC) $(CFLAGS) $(SAN) $(XCFLAGS) -iquote orchestrator -o $@ $< obj/asan/libgilbench.a -lcmocka $(PKG_LIBS)

# slurm.c as a command, for tests/cli/slurm.bats on the test cluster (tests/lib/slurm.sh)
obj/rel/slurm_probe: tests/unit/slurm_probe.c obj/rel/libgilbench.a
	$(CC) $(CFLAGS) $(XCFLAGS) -iquote orchestrator -o $@ $< obj/rel/libgilbench.a $(PKG_LIBS)

obj/asan/slurm_probe: tests/unit/slurm_probe.c obj/asan/libgilbench.a
	$(CC) $(CFLAGS) $(SAN) $(XCFLAGS) -iquote orchestrator -o $@ $< obj/asan/libgilbench.a $(PKG_LIBS)

unit: $(UNIT_REL) $(UNIT_ASAN) obj/rel/slurm_probe obj/asan/slurm_probe

# benchmark programs that measure the library itself (tests/bench/*.c)
obj/rel/bench_%: tests/bench/%.c obj/rel/libgilbench.a
	$(CC) $(CFLAGS) $(XCFLAGS) -iquote orchestrator -o $@ $< obj/rel/libgilbench.a $(PKG_LIBS)

# the fuzzer links only the loader and what it uses (the commands need main.c): config.c
# checks places with fetch.c and CPU lists with spawn.c, which bring lock.c and log.c
FUZZ_SRC = $(addprefix orchestrator/,config.c plan.c util.c hash.c fetch.c spawn.c lock.c log.c)
obj/fuzz_config: tests/fuzz/fuzz_config.c $(FUZZ_SRC)
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined $(XCFLAGS) -iquote orchestrator -o $@ $^ $(PKG_LIBS)

deps:
	@need=; for p in $(DEPS_TOOL) $(DEPS_CPYTHON) $(DEPS_TEST); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || need="$$need $$p"; \
	done; \
	if [ -n "$$need" ]; then \
		echo "make deps: installing$$need"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$need; \
	fi

lab: deps
	$(MAKE) gilbench
	./gilbench run configs/lab.yaml

check: deps
	$(MAKE) gilbench gilbench-asan unit obj/fuzz_config
	sh tests/run.sh

bench: deps
	$(MAKE) gilbench obj/rel/slurm_probe obj/rel/bench_detect obj/rel/bench_verdicts obj/rel/bench_guards obj/rel/bench_history obj/rel/bench_bisect
	sh tests/bench.sh

FUZZ_SECONDS ?= 60
fuzz: obj/fuzz_config
	mkdir -p tests/fuzz/work
	./obj/fuzz_config -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
		-artifact_prefix=tests/fuzz/ tests/fuzz/work tests/fuzz/corpus

install: gilbench
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 gilbench $(DESTDIR)$(PREFIX)/bin/gilbench

clean:
	rm -rf obj gilbench gilbench-asan

.PHONY: all deps lab check bench fuzz install clean unit
-include $(wildcard obj/rel/*.d obj/asan/*.d)
