"""Sphinx extension: what the book's HTML pages need beyond the theme.

- One viewport tag per page: docutils writes one into ``metatags`` and Sphinx's layout another
  (the theme's own is dropped by ``book/_templates/layout.html``).
- The single-page HTML build (``make pdf``) with every node the HTML build knows: Sphinx looks
  up a builder's node handlers by its name first, and once an extension has registered one for
  ``singlehtml`` the handlers registered for ``html`` only (MyST-NB's folded cells) are missed.
- The ``environment-versions`` directive: a table of the versions that built this copy of the
  book, read when the book is built (no kernel needed).
"""

from __future__ import annotations

import platform
import re
from importlib.metadata import PackageNotFoundError, version

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

_VIEWPORT = re.compile(r'\s*<meta name="viewport"[^>]*>\s*')
PACKAGES = ("xentbook", "numpy", "matplotlib", "jupyter-book", "sphinx", "myst-nb")


def _page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    context["metatags"] = _VIEWPORT.sub("\n", context.get("metatags", ""))


class EnvironmentVersions(SphinxDirective):
    """A two-column table: Python and each package of PACKAGES with its installed version."""

    def run(self):
        rows = [("Python", f"{platform.python_version()} ({platform.python_implementation()})")]
        for package in PACKAGES:
            try:
                rows.append((package, version(package)))
            except PackageNotFoundError:
                rows.append((package, "not installed"))
        table = nodes.table()
        group = nodes.tgroup(cols=2)
        table += group
        group += [nodes.colspec(colwidth=1), nodes.colspec(colwidth=2)]
        head = nodes.thead()
        group += head
        head += self._row(("Package", "Version"))
        body = nodes.tbody()
        group += body
        for row in rows:
            body += self._row(row)
        return [table]

    @staticmethod
    def _row(cells) -> nodes.row:
        row = nodes.row()
        for text in cells:
            entry = nodes.entry()
            entry += nodes.paragraph(text=text)
            row += entry
        return row


def _singlehtml_handlers(app: Sphinx) -> None:
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, pair in handlers.get("html", {}).items():
        single.setdefault(node, pair)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _singlehtml_handlers)
    app.connect("html-page-context", _page_context)
    app.add_directive("environment-versions", EnvironmentVersions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
