"""Shared by the experiment scripts: argument parsing and the one-line JSON result.

Every experiment takes its parameters as --name value options, times only the work it
measures with time.perf_counter(), and prints one JSON object as its last line of output.
gilbench reads that line; anything printed before it is kept in the trial's record only
when the trial fails.
"""
import argparse
import json
import sys


def parse(description, **params):
    """Parse --key value options; params maps each key to (type, default)."""
    p = argparse.ArgumentParser(description=description)
    for key, (kind, default) in params.items():
        p.add_argument("--" + key.replace("_", "-"), dest=key, type=kind, default=default)
    return p.parse_args()


def result(**fields):
    """Print the result object as the last line and flush it."""
    fields.setdefault("gil_enabled", gil_enabled())
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
    sys.stdout.flush()


def gil_enabled():
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())
