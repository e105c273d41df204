"""Helpers for tests that look at how a call behaves rather than at its value: where a warning
points, and what a fresh interpreter sees."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def assert_warned_at(record: Any, filename: str) -> None:
    """The first warning of ``record`` points at ``filename``, the caller of the package.

    Under mutation testing (``MUTANT_UNDER_TEST`` set) every package function is wrapped in a
    trampoline, one frame more: the warning then points at the trampoline, and still never
    into the package.
    """
    if "MUTANT_UNDER_TEST" not in os.environ:
        assert record[0].filename == filename
    else:
        assert os.path.basename(os.path.dirname(record[0].filename)) != "xentbook"


def run_fresh_python(script: str, *flags: str) -> str:
    """Run ``script`` in a new interpreter (with ``flags``) that imports this checkout's package;
    return its standard output, after checking that it exited cleanly."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run(
        [sys.executable, *flags, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
