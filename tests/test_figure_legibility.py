"""Every figure of the book stays legible when a phone shrinks it to the width of its screen.

A figure is displayed ``width`` CSS pixels wide (its metadata) on a desktop; on a phone it
shrinks to the content column, 358 CSS pixels at a 390-pixel viewport (what the browser tests
measure). :func:`xentbook.plots.show` records, with each image, the font size in CSS pixels of
the smallest text drawn at the desktop width. This test scales it to the phone column and asks
for at least ``MIN_PHONE_TEXT_PX``: tick labels of a two-panel figure 11 inches wide with
matplotlib's default 10-point text come out at about 4.4 px and fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xentbook.plots._style import DISPLAY_DPI

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
PHONE_COLUMN_PX = 358
MIN_PHONE_TEXT_PX = 8.0
# A panel narrower than this on a phone is squeezed: stack panels instead (one panel spans
# about 300 px of the phone column, two side by side about 135 px each).
MIN_PHONE_PANEL_PX = 200.0


def _images(notebook: Path):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for number, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                yield number, output.get("metadata", {}).get("image/png", {})


def on_phone(css_px: float, width: float) -> float:
    """A length drawn ``css_px`` CSS pixels on a figure ``width`` wide, scaled to the phone."""
    return css_px * min(1.0, PHONE_COLUMN_PX / width)


def test_two_panel_figure_at_default_fonts_would_fail():
    # 10-point text on a figure 11.2 inches wide (two panels side by side)
    desktop_px = 10 * DISPLAY_DPI / 72
    assert on_phone(desktop_px, 11.2 * DISPLAY_DPI) < MIN_PHONE_TEXT_PX
    # the same text on a single 6-inch panel passes
    assert on_phone(desktop_px, 6.0 * DISPLAY_DPI) >= MIN_PHONE_TEXT_PX


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda p: p.stem)
def test_figure_text_is_legible_on_a_phone(notebook):
    problems = []
    for cell, meta in _images(notebook):
        if not {"smallest_text_px", "narrowest_panel_px", "width"} <= meta.keys():
            problems.append(f"cell {cell}: image not displayed with xentbook.plots.show")
            continue
        text = on_phone(meta["smallest_text_px"], meta["width"])
        if text < MIN_PHONE_TEXT_PX:
            problems.append(
                f"cell {cell}: smallest text {text:.1f} px on a phone "
                f"({meta['smallest_text_px']} px at {meta['width']} px wide)"
            )
        panel = on_phone(meta["narrowest_panel_px"], meta["width"])
        if panel < MIN_PHONE_PANEL_PX:
            problems.append(
                f"cell {cell}: a panel {panel:.0f} px wide on a phone; stack panels rather "
                "than place them side by side"
            )
    assert not problems, "\n".join(problems)
