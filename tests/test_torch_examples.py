"""Every PyTorch example printed in the book runs on the installed PyTorch and prints what the book shows.

The book's environment has no PyTorch, so a chapter shows what PyTorch does as a static pair of
blocks in a markdown cell: a ``{code-block} python`` with ``:class: pytorch-example`` and,
right after it, a ``{code-block} text`` with ``:class: pytorch-output``. This test executes each
example in a fresh namespace and compares its printed output, line by line, with the block the
reader sees, so the book cannot drift from the library it describes.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import warnings
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
PAIR = re.compile(
    r"```\{code-block\} python\n:class: pytorch-example\n(?P<code>.*?)```\s*\n"
    r"```\{code-block\} text\n:class: pytorch-output\n(?P<output>.*?)```",
    re.DOTALL,
)


def _examples() -> list[tuple[str, str, str]]:
    found = []
    for notebook in sorted(BOOK.glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for index, cell in enumerate(cells):
            if cell["cell_type"] != "markdown":
                continue
            for k, match in enumerate(PAIR.finditer("".join(cell["source"]))):
                found.append((f"{notebook.stem}:cell{index}:{k}", match["code"], match["output"]))
    return found


EXAMPLES = _examples()


def test_the_book_has_pytorch_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.torch
@pytest.mark.parametrize(("where", "code", "output"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_pytorch_example_prints_what_the_book_shows(where, code, output):
    torch = pytest.importorskip("torch", reason="the examples run on PyTorch")
    assert torch.__version__.startswith("2.13."), "the book quotes PyTorch 2.13"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an example that shows a warning records it itself
        exec(compile(code, where, "exec"), {"__name__": "__example__"})
    shown = [line.rstrip() for line in output.strip("\n").splitlines()]
    got = [line.rstrip() for line in printed.getvalue().strip("\n").splitlines()]
    assert got == shown, f"{where}: PyTorch printed\n" + "\n".join(got)
