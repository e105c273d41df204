"""Print the single-page HTML build of the book to one PDF with headless Chromium.

Usage: ``python tools/print_pdf.py _build/singlehtml book/intro.html _build/html/xentbook.pdf``
(``make pdf``): the site, its one page (the root document of ``_toc.yml``), the PDF.
The page is served over a local HTTP server, every formula is typeset by the book's own
MathJax, and the book's print styles apply: chapter numbers stay in the titles and every
solution prints open. Chromium comes from the system (the Debian package ``chromium``, or the
path in the CHROMIUM environment variable).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def main(site: Path, page_path: str, pdf: Path) -> int:
    chromium = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not chromium:
        sys.exit("Chromium not found: install the Debian package 'chromium' (or set CHROMIUM)")
    # Sphinx writes the single page at the root document's path (book/intro.html) with links
    # relative to the site's root (_static/, _images/): serve a copy from the root.
    printed = site / "print.html"
    printed.write_text((site / page_path).read_text(encoding="utf-8"), encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page()
            page.emulate_media(media="print", color_scheme="light")
            url = f"http://127.0.0.1:{httpd.server_address[1]}/print.html"
            page.goto(url, wait_until="load", timeout=300_000)
            mathjax = "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
            page.wait_for_function(mathjax, timeout=300_000)
            page.evaluate("() => MathJax.startup.promise")  # the whole book: a minute or two
            page.wait_for_load_state("networkidle")
            pdf.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(pdf),
                format="A4",
                print_background=True,
                margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=(
                    '<div style="font-size:8px;width:100%;text-align:center">'
                    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
                ),
            )
            browser.close()
    finally:
        httpd.shutdown()
    print(f"wrote {pdf} ({pdf.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])))
