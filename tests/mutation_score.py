"""The mutation score of `make mutation`, from the results mutmut leaves in mutants/.

Score = killed / (mutants tried - equivalent mutants), where a mutant is killed when a test fails
or times out on it, and the equivalent mutants (changes no input can observe) are those listed,
each with its reason, in tests/mutation_equivalent.toml. Mutants that mutmut cannot switch on
where their code runs (at import, or in a fresh interpreter a test starts) are listed with the
tests that kill them in tests/mutation_outside.toml; this script runs those tests on each of them
itself, with the mutant switched on from the start, and counts the ones they kill. Prints the score of each module and the
surviving mutants (see one with `mutmut show NAME`); exits 1 below ``--min-score`` or, unless
``--partial`` is given, when a mutant has not been run (``--partial`` scores a subset, such as one
module run with `mutmut run "xentbook.focal.*"`, or a sample of mutants named on the command line).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ["primitives", "cross_entropy", "binary", "information", "scale", "focal", "regression"]
# mutmut's exit codes: 1 and 3 a failing test, 36, 24, -24, 152 and 255 a timeout.
KILLED = {1, 3, 24, -24, 36, 152, 255}
SURVIVED = {0, 5, 33}  # no failing test, or no test calls the function at all


def _pytest(tests: list[str], mutant: str | None) -> int:
    """Exit code of the tests in mutants/, with ``mutant`` switched on from the start."""
    env = {k: v for k, v in os.environ.items() if k != "MUTANT_UNDER_TEST"}
    if mutant is not None:
        env["MUTANT_UNDER_TEST"] = mutant
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests]
    done = subprocess.run(cmd, cwd=ROOT / "mutants", env=env, capture_output=True, check=False)
    return done.returncode


def killed_outside(codes: dict[str, int | None]) -> set[str]:
    """The mutants of tests/mutation_outside.toml that mutmut saw survive and their tests kill."""
    entries = tomllib.loads((ROOT / "tests" / "mutation_outside.toml").read_text())["mutant"]
    killed = set()
    for entry in entries:
        todo = [name for name in entry["names"] if codes.get(name) in SURVIVED]
        if not todo:
            continue
        if _pytest(entry["tests"], None) != 0:
            raise SystemExit(f"{entry['tests']} fail without a mutant: fix them first")
        # 1: a test failed; 2: collection failed (a mutant can make the import itself raise).
        killed.update(name for name in todo if _pytest(entry["tests"], name) in (1, 2))
    return killed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-score", type=float, default=0.0, help="percent")
    parser.add_argument("--partial", action="store_true", help="score the mutants that were run")
    args = parser.parse_args()
    equivalent = tomllib.loads((ROOT / "tests" / "mutation_equivalent.toml").read_text())
    excluded = {name for entry in equivalent["mutant"] for name in entry["names"]}
    total_killed = total_counted = 0
    survivors, missing = [], []
    codes_by_module = {}
    for module in MODULES:
        meta = ROOT / "mutants" / "xentbook" / f"{module}.py.meta"
        if meta.exists():
            codes_by_module[module] = json.loads(meta.read_text())["exit_code_by_key"]
    outside = killed_outside({k: v for c in codes_by_module.values() for k, v in c.items()})
    for module in MODULES:
        if module not in codes_by_module:
            missing.append(module)
            continue
        codes = codes_by_module[module]
        killed = counted = unknown = 0
        for name, code in sorted(codes.items()):
            if name in excluded:
                continue
            if code is None:
                unknown += 1
                continue
            counted += 1
            if code in KILLED or name in outside:
                killed += 1
            elif code in SURVIVED:
                survivors.append(name)
            else:  # suspicious or crashed: a test noticed something, but not cleanly
                survivors.append(f"{name} (exit code {code})")
        if unknown:
            missing.append(f"{module} ({unknown} mutants not run)")
        excluded_here = sum(name in excluded and code is not None for name, code in codes.items())
        outside_here = sum(name in outside for name in codes)
        print(
            f"{module:14} {killed:5} of {counted:5} killed ({100 * killed / max(counted, 1):5.1f}%), "
            f"{outside_here} of them outside mutmut, {excluded_here} equivalent excluded"
        )
        total_killed += killed
        total_counted += counted
    score = 100 * total_killed / max(total_counted, 1)
    print(f"{'all':14} {total_killed:5} of {total_counted:5} killed: mutation score {score:.1f}%")
    for name in survivors:
        print(f"survived: {name}")
    if missing:
        print(f"not run: {', '.join(missing)}", file=sys.stderr)
        if not args.partial:
            return 1
    return 0 if score >= args.min_score else 1


if __name__ == "__main__":
    sys.exit(main())
