"""Sphinx extension: a "Used in" line under each API entry, linking the chapters that use it.

The chapters are the notebooks listed in the table of contents; a chapter uses a name when one
of its code cells imports it from ``xentbook``, ``xentbook.book`` or ``xentbook.plots``.
Reading the imports keeps the API page and the chapters in step with no list to maintain by
hand.
"""

from __future__ import annotations

import ast
import json
from collections import defaultdict
from pathlib import Path

from sphinx.application import Sphinx

MODULES = ("xentbook", "xentbook.book", "xentbook.plots")


def _imports(notebook: Path) -> set[str]:
    """Fully qualified names a notebook imports from the package."""
    names: set[str] = set()
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        # IPython magics (the install cell) are not Python: drop those lines before parsing.
        lines = [line for line in source.splitlines() if not line.lstrip().startswith("%")]
        source = "\n".join(lines)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in MODULES:
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _collect(app: Sphinx, env, docnames) -> None:
    usage: dict[str, list[str]] = defaultdict(list)
    for docname in sorted(env.found_docs):  # the pages of the table of contents
        path = Path(app.srcdir) / f"{docname}.ipynb"
        if path.is_file():
            for name in _imports(path):
                usage[name].append(docname)
    env.xentbook_usage = dict(usage)


def _add_used_in(app, what, name, obj, options, lines) -> None:
    chapters = getattr(app.env, "xentbook_usage", {}).get(name)
    if what != "function" or not chapters:
        return
    links = ", ".join(f":doc:`/{docname}`" for docname in chapters)
    lines.extend(["", f"**Used in:** {links}", ""])


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("env-before-read-docs", _collect)
    app.connect("autodoc-process-docstring", _add_used_in)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
