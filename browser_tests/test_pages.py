"""Open every page of the built book in headless Chromium, with the network blocked.

Run after ``make book`` (``make browser-test`` does both). Each page must: load with no console
error and no request to any host but the local server; show every image (natural width > 0);
have its math typeset by the book's own MathJax, with no raw ``$$`` left; and the search page
must find "entropy", and a solution dropdown must open on click. A screenshot of each page goes
to ``_build/screenshots/`` for review.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = (
    sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not p.relative_to(HTML).as_posix().startswith(("_static/", "_sources/"))
    )
    if HTML.is_dir()
    else []
)


def chromium_path() -> str:
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail("Chromium not found: install the Debian package 'chromium' (or set CHROMIUM)")
    return path


@pytest.fixture(scope="session")
def server():
    if not (HTML / "index.html").is_file():
        pytest.fail("no built book in _build/html: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    """A page whose requests may reach the local server only; the rest are recorded and refused."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.outside_requests = []
    page.console_errors = []
    local = urlparse(server).netloc

    def route(route):
        parsed = urlparse(route.request.url)
        if parsed.scheme in ("data", "blob") or parsed.netloc == local:
            route.continue_()
        else:
            page.outside_requests.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


def _wait_for_math(page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.math') || (window.MathJax && MathJax.startup && MathJax.startup.promise)",
        timeout=20_000,
    )
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")


def test_the_book_was_built():
    assert len(PAGES) >= 5, f"expected the book's pages in {HTML}, found {PAGES}"


@pytest.mark.parametrize("name", PAGES)
def test_page(page, server, name):
    response = page.goto(f"{server}/{name}", wait_until="load")
    assert response is not None and response.ok, f"{name}: HTTP {response and response.status}"
    _wait_for_math(page)
    page.wait_for_load_state("networkidle")

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SHOTS / (name.replace("/", "__").removesuffix(".html") + ".png")), full_page=True
    )

    assert page.outside_requests == [], f"{name} asked other hosts for {page.outside_requests}"
    assert page.console_errors == [], f"{name} logged console errors: {page.console_errors}"

    broken = page.evaluate(
        "() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert broken == [], f"{name}: images that did not load: {broken}"

    math_sources = page.locator(".math").count()
    if math_sources:
        typeset = page.locator("mjx-container").count()
        assert typeset >= math_sources, f"{name}: {math_sources} math blocks but {typeset} typeset"
    text = page.evaluate(
        "() => document.querySelector('main') ? document.querySelector('main').innerText : ''"
    )
    assert "$$" not in text, f"{name}: raw $$ left in the rendered text"


def test_search_finds_entropy(page, server):
    page.goto(f"{server}/search.html?q=entropy", wait_until="load")
    results = page.locator("#search-results li, ul.search li")
    results.first.wait_for(timeout=20_000)
    assert results.count() > 0
    assert page.console_errors == [] and page.outside_requests == []


def test_solution_dropdown_opens_on_click(page, server):
    chapters = [p for p in PAGES if "/" in p and Path(p).stem[:2].isdigit()]
    assert chapters, "no chapter pages"
    page.goto(f"{server}/{chapters[0]}", wait_until="load")
    solution = page.locator(".solution.dropdown").first
    body = solution.locator("> :not(.admonition-title)").first
    body.wait_for(state="attached")
    assert not body.is_visible(), "solutions must be collapsed until the reader asks"
    solution.locator(".admonition-title").first.click()
    body.wait_for(state="visible", timeout=5_000)
    assert body.is_visible()
