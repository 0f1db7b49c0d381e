#!/bin/sh
# fakecpython/fakebuild.sh: the fake CPython Makefile's `make` and `make install` steps.
#
# `make` prints compiler-like lines and a fake PGO profile task ("[ N/M] test_x" lines, as
# regrtest prints them), failing it on FAKECPY_MAKE_FAIL the way CPython 3.13's does.
# `make install` writes DESTDIR/PREFIX/bin/python3.13 (python3.13t when GIL=0): a shell
# script that answers gilbench's probe (-c with a script using _is_gil_enabled) with fixed
# JSON (honouring PYTHON_GIL=1 on a free-threaded build, as the real one does) and runs
# the system python3 for everything else.
set -e
step=$1
case $step in
make)
	echo "gcc -c -O3 -Wall -o Programs/python.o ../Programs/python.c (fake)"
	tests="test_array test_generators test_os test_re"
	n=0
	total=4
	failed=
	for t in $tests; do
		n=$((n + 1))
		echo "0:00:0$n load avg: 0.50 [ $n/$total${failed:+/1}] $t"
		if [ -n "${FAKECPY_SLEEP:-}" ]; then sleep "$FAKECPY_SLEEP"; fi
		if [ -n "${FAKECPY_MAKE_FAIL:-}" ] && [ $t = test_generators ]; then
			echo "test test_generators failed -- Traceback (most recent call last):"
			echo "AssertionError: fake failure"
			echo "0:00:0$n load avg: 0.50 [ $n/$total/1] test_generators failed (1 failure)"
			failed=1
		fi
	done
	if [ -n "$failed" ]; then
		echo
		echo "== Tests result: FAILURE =="
		echo
		echo "1 test failed:"
		echo "    test_generators"
		echo
		echo "3 tests OK."
		echo "make: *** [Makefile:1011: profile-run-stamp] Error 2"
		exit 2
	fi
	echo "Total duration: 4 sec"
	echo "Tests result: SUCCESS"
	;;
install)
	dest=$2$PREFIX
	bin=$dest/bin
	mkdir -p "$bin"
	py=python3.13
	disabled=false
	if [ "$GIL" = 0 ]; then py=python3.13t disabled=true; fi
	if [ -n "$LIE" ]; then
		if [ $disabled = true ]; then disabled=false; else disabled=true; fi
	fi
	if [ -n "${FAKECPY_INSTALL_FAIL:-}" ]; then
		echo "/usr/bin/install -c python $bin/$py (fake, half-way)"
		: >"$bin/$py"
		echo "install: cannot create regular file '$dest/lib/python3.13/os.py': No space left on device"
		exit 2
	fi
	cat >"$bin/$py" <<PY
#!/bin/sh
# fake CPython installed by gilbench's fakecpython (GIL disabled: $disabled)
if [ "\$1" = -c ]; then
	case "\$2" in
	*_is_gil_enabled*)
		enabled=true
		if [ $disabled = true ] && [ "\${PYTHON_GIL:-}" != 1 ]; then enabled=false; fi
		printf '{"version": "Python 3.13.5 (fake, $py)", "number": "3.13.5", "executable": "%s", "gil_disabled": $disabled, "gil_enabled": %s, "config_args": "%s", "cc": "gcc"}\n' "\$0" "\$enabled" "$CONFIG_ARGS"
		exit 0 ;;
	esac
fi
exec python3 "\$@"
PY
	chmod 755 "$bin/$py"
	ln -sf "$py" "$bin/python3"
	mkdir -p "$dest/lib/python3.13"
	echo "# fake" >"$dest/lib/python3.13/os.py"
	echo "installed $bin/$py"
	;;
esac
