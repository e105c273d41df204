"""The notebooks are checked for real: nbval must fail when a stored number changes.

``make test`` runs every chapter under strict nbval, which compares each stored output with a
fresh execution. This test proves the comparison has teeth: it copies a chapter, changes one
digit of one stored output, and runs nbval on the copy and on an unchanged copy side by side.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTER = BOOK / "01_information_content.ipynb"


def _mutate_first_number(notebook: dict) -> int:
    """Change the first digit of the first printed number; return that code cell's index."""
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    for index, cell in enumerate(code_cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") != "stream":
                continue
            text = "".join(output["text"])
            match = re.search(r"\d", text)
            if match:
                old = match.group(0)
                new = "7" if old != "7" else "3"
                output["text"] = text[: match.start()] + new + text[match.end() :]
                return index
    raise AssertionError("the chapter prints no number to mutate")


def test_nbval_fails_on_a_changed_stored_number(tmp_path):
    pytest.importorskip("nbval", reason="nbval is a test dependency")
    original = json.loads(CHAPTER.read_text(encoding="utf-8"))
    mutated = json.loads(CHAPTER.read_text(encoding="utf-8"))
    index = _mutate_first_number(mutated)
    shutil.copy(CHAPTER, tmp_path / "unchanged.ipynb")
    (tmp_path / "mutated.ipynb").write_text(json.dumps(mutated), encoding="utf-8")
    assert mutated != original

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rf",
            "unchanged.ipynb",
            "mutated.ipynb",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    failed = re.findall(r"^FAILED (\S+)", report, flags=re.MULTILINE)
    # Exactly one cell fails, the mutated one; the unchanged copy passes in full.
    assert len(failed) == 1, report
    assert report.count(f"mutated.ipynb::Cell {index}") >= 1, report
    assert "unchanged.ipynb" not in "".join(failed)
    assert re.search(r"\b1 failed\b", report), report
