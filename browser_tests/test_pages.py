"""Open every page of the built book in headless Chromium as a reader would, network blocked.

Run after ``make book`` (``make browser-test`` does both). Every page is opened at 390 px (a
phone) and 1366 px (a laptop), in the light and the dark theme, and must:

- load with no console error and no request to any host but the local server, every image
  loaded, every formula typeset by the book's own MathJax (no raw TeX left in the prose) and
  every Markdown table rendered as a table;
- not pan sideways; show no inline formula cut off; give a display equation that scrolls a
  visible cue (a shadow at the edge);
- keep every solution, code included, inside its folded dropdown;
- draw every figure from at least twice its displayed pixels, with alt text that says what it
  shows;
- at 1366 px: no displayed code, output or inline formula that scrolls sideways, no table wider
  than its column;
- carry no text meant for the authors, link chapters as "chapter N", have one viewport tag, a
  favicon, a logo and a tab title that names the book once;
- pass axe-core's WCAG 2 A and AA rules with no serious or critical violation, in both themes;
- at 390 px: the menu button shows the chapter list and the contents button the page's
  sections;
- at 320 px, the narrowest phones: not pan sideways.

Each failure names the page, the width (and theme), the rule and the element. The layout
checks run once per width, since the theme changes only colours; the screenshots (every page,
both widths, in ``_build/screenshots/<width>-<theme>/``: the whole page in the light theme,
its top in the dark one) and axe-core run per theme, axe-core at desktop width, where every
part of the page shows.
The search page and the print layout (solutions and chapter numbers kept) are tested too.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHECKS_JS = Path(__file__).with_name("checks.js")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BOOK_TITLE = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = (390, 1366)
THEMES = ("light", "dark")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = (
    sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not p.relative_to(HTML).as_posix().startswith(("_static/", "_sources/"))
        # index.html only redirects to the intro
        and p.name != "index.html"
    )
    if HTML.is_dir()
    else []
)
CHAPTERS = [p for p in PAGES if re.fullmatch(r"book/\d\d_\w+\.html", p)]


def chromium_path() -> str:
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail("Chromium not found: install the Debian package 'chromium' (or set CHROMIUM)")
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output readable
        pass


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


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


def _open(browser, server, width=1366, theme="light"):
    """A page whose requests may reach the local server only; the rest are recorded and refused."""
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 992 else 900},
        color_scheme=theme,
        has_touch=width < 992,
        is_mobile=width < 992,
        device_scale_factor=1,
    )
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
    return context, page


@pytest.fixture
def page(browser, server):
    context, page = _open(browser, server)
    yield page
    context.close()


def _load(page, url) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    page.wait_for_function(
        "() => !document.querySelector('.math') || (window.MathJax && MathJax.startup && MathJax.startup.promise)",
        timeout=20_000,
    )
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    page.wait_for_load_state("networkidle")


def _axe(page) -> list[str]:
    if not AXE_JS.is_file():
        pytest.fail("axe-core is missing: run `npm ci` (make browser-test does)")
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}): ${v.nodes.length} element(s), first ${v.nodes[0].target.join(' ')}: ${v.nodes[0].failureSummary.replace(/\\s+/g, ' ').slice(0, 160)}`);
        }""",
        AXE_TAGS,
    )
    return [f"axe-core {v}" for v in result]


def _menus(page) -> list[str]:
    """At phone width the menu button shows the chapters and the contents button the sections."""
    problems = []
    chapter_link = page.locator(
        "#pst-primary-sidebar a.reference.internal, dialog a.reference.internal",
        has_text=re.compile(r"Information content"),
    )
    toggle = page.locator("button.primary-toggle:visible")
    if toggle.count() != 1:
        return [f"{toggle.count()} visible menu buttons (one expected)"]
    if chapter_link.locator("visible=true").count():
        problems.append("the chapter list shows before the menu button is tapped")
    toggle.first.tap()
    try:
        chapter_link.locator("visible=true").first.wait_for(timeout=3_000)
    except Exception:
        problems.append("tapping the menu button does not show the chapter list")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)

    sections = page.locator(".bd-toc-nav a, nav.page-toc a")
    if sections.count():
        toggle = page.locator("button.secondary-toggle:visible")
        if toggle.count() != 1:
            problems.append(f"{toggle.count()} visible contents buttons (one expected)")
        else:
            toggle.first.tap()
            try:
                sections.locator("visible=true").first.wait_for(timeout=3_000)
            except Exception:
                problems.append('tapping the "On this page" button does not show the sections')
            page.keyboard.press("Escape")
    return problems


def test_the_book_was_built():
    assert len(PAGES) >= 5, f"expected the book's pages in {HTML}, found {PAGES}"
    assert CHAPTERS, "no chapter pages"


def _switch_theme(page, theme) -> None:
    """The theme's own switch: the colour mode is an attribute of <html>, kept in localStorage."""
    page.evaluate(
        """(t) => { localStorage.setItem('mode', t); localStorage.setItem('theme', t);
                   document.documentElement.dataset.mode = t; document.documentElement.dataset.theme = t; }""",
        theme,
    )
    page.wait_for_timeout(200)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page(browser, server, name, width):
    """One page at one width, in the light theme and then the dark one.

    The layout does not depend on the theme, so the layout checks run once; the colours do,
    so each theme gets its screenshot and (at desktop width, where every part of the page
    shows) its axe-core run.
    """
    context, page = _open(browser, server, width, "light")
    problems = []
    try:
        _load(page, f"{server}/{name}")
        if page.evaluate("() => document.documentElement.dataset.theme") != "light":
            problems.append("the light theme did not apply")
        problems += [f"request to another host: {u}" for u in page.outside_requests]
        problems += [f"console error: {e}" for e in page.console_errors]
        problems += [
            f"image did not load: {src}"
            for src in page.evaluate(
                "() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
            )
        ]
        sources, typeset = page.locator(".math").count(), page.locator("mjx-container").count()
        if typeset < sources:
            problems.append(f"{sources} math blocks but {typeset} typeset")
        if "$$" in page.evaluate("() => document.querySelector('main')?.innerText ?? ''"):
            problems.append("raw $$ left in the rendered text")
        problems += [
            f"a Markdown table left as text: {text[:60]!r}"
            for text in page.evaluate(
                "() => [...document.querySelectorAll('main p')].map(p => p.innerText)"
                ".filter(t => /^\\s*\\|.*\\|\\s*$/m.test(t))"
            )
        ]

        page.add_script_tag(path=str(CHECKS_JS))
        checks = ["sidewaysPan", "clippedInlineMath", "displayMathWithoutCue", "rawTex"]
        checks += ["solutionsOutsideDropdowns", "figureProblems", "authorText"]
        if width >= 992:
            checks.append("wideCodeAndTables")
        for check in checks:
            problems += page.evaluate(f"() => window.xentbookChecks.{check}()")
        problems += page.evaluate("(t) => window.xentbookChecks.furniture(t)", BOOK_TITLE)

        for theme in THEMES:
            if theme != "light":
                _switch_theme(page, theme)
            shot = (
                SHOTS
                / f"{width}-{theme}"
                / (name.replace("/", "__").removesuffix(".html") + ".png")
            )
            shot.parent.mkdir(parents=True, exist_ok=True)
            # the whole page in the light theme; the dark one shows its top (it differs in colour only)
            page.screenshot(path=str(shot), full_page=theme == "light")
            if width >= 992:
                problems += [f"{theme} theme: {v}" for v in _axe(page)]
        if width < 992:
            _switch_theme(page, "light")
            problems += _menus(page)
    finally:
        context.close()
    report = "\n".join(f"  - {p}" for p in problems)
    assert not problems, f"{name} at {width} px:\n{report}"


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_small_phone(browser, server, name):
    """At 320 px (the narrowest phones in use) nothing pans the page sideways."""
    context, page = _open(browser, server, 320, "light")
    try:
        _load(page, f"{server}/{name}")
        page.add_script_tag(path=str(CHECKS_JS))
        problems = page.evaluate("() => window.xentbookChecks.sidewaysPan()")
    finally:
        context.close()
    assert not problems, f"{name} at 320 px: {problems}"


def test_desktop_has_one_search_box_and_no_empty_header(page, server):
    _load(page, f"{server}/{CHAPTERS[0]}")
    boxes = page.locator(".search-button-field:visible, form.bd-search:visible").count()
    assert boxes == 1, f"{boxes} search boxes on a desktop page (one expected)"
    band = page.evaluate(
        "() => [...document.querySelectorAll('header.bd-header')].map(h => h.getBoundingClientRect().height)"
    )
    assert all(h == 0 for h in band), f"an empty header band {band} px high above the page"


def test_search_ranks_the_chapter_first_and_shows_no_tex(page, server):
    _load(page, f"{server}/search.html?q=entropy")
    results = page.locator("#search-results li, ul.search li")
    results.first.wait_for(timeout=20_000)
    page.wait_for_function(
        "() => document.querySelectorAll('#search-results li p.context, ul.search li p.context').length > 0",
        timeout=20_000,
    )
    first = results.first.locator("a").first.get_attribute("href")
    assert first.startswith("book/02_entropy.html"), f"'entropy' ranks {first} first"
    snippets = page.locator("ul.search li p.context").all_inner_texts()
    tex = [s for s in snippets if re.search(r"\\[a-zA-Z(\[]|\$", s)]
    assert tex == [], f"search snippets show raw TeX: {tex[:3]}"
    assert page.console_errors == [] and page.outside_requests == []


def test_solution_dropdown_opens_on_click(page, server):
    _load(page, f"{server}/{CHAPTERS[0]}")
    solution = page.locator(".solution.dropdown").first
    body = solution.locator("> :not(.admonition-title)").first
    body.wait_for(state="attached")
    assert not body.is_visible(), "solutions must be collapsed until the reader asks"
    solution.locator(".admonition-title").first.click()
    body.wait_for(state="visible", timeout=5_000)
    assert body.is_visible()


@pytest.mark.parametrize("name", CHAPTERS)
def test_print_keeps_solutions_and_chapter_number(page, server, name):
    _load(page, f"{server}/{name}")
    page.emulate_media(media="print")
    number = int(Path(name).name[:2])
    title = page.locator("main h1:visible").first.inner_text()
    assert title.startswith(f"{number}."), f"{name}: printed title {title!r} has no chapter number"
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('.solution')].filter(s =>
            [...s.children].some(c => !c.classList.contains('admonition-title') && c.getBoundingClientRect().height === 0)
        ).map(s => s.querySelector('.admonition-title')?.innerText)"""
    )
    assert hidden == [], f"{name}: solutions left folded in print: {hidden}"
