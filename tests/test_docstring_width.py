"""The examples of every function on the API page fit its code box.

The API page (book/api.md) renders each docstring's Examples as a code box; at a 1366-px window
a line of more than 86 characters scrolls sideways, which the browser tests reject (late: after
the book is built). This finds such a line from the docstring itself.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 86  # characters of the API page's code box at 1366 px, its widest line that fits

DOCUMENTED = re.findall(
    r"^\.\. autofunction:: ([\w.]+)$", (ROOT / "book" / "api.md").read_text(), re.M
)


def _resolve(dotted: str) -> object:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _example_lines(doc: str) -> list[str]:
    # Doctest lines (prompt, continuation and output) of the numpydoc Examples section.
    section = doc.partition("\nExamples\n--------\n")[2]
    lines, in_block = [], False
    for line in section.splitlines():
        if line.startswith((">>> ", "... ")) or line in (">>>", "..."):
            in_block = True
        elif not line.strip():
            in_block = False
        if in_block:
            lines.append(line)
    return lines


def test_the_api_page_documents_functions():
    assert len(DOCUMENTED) > 30


@pytest.mark.parametrize("dotted", DOCUMENTED)
def test_examples_fit_the_code_box(dotted):
    doc = inspect.getdoc(_resolve(dotted)) or ""
    too_long = [line for line in _example_lines(doc) if len(line) > WIDTH]
    assert not too_long, f"{dotted}: example lines longer than {WIDTH} characters: {too_long}"


def test_a_long_example_line_is_found():
    doc = "Summary.\n\nExamples\n--------\n>>> f(" + "1, " * 40 + ")\n" + "x" * 90 + "\n"
    assert len(_example_lines(doc)) == 2
