"""Every launch path installs the package from the one repository of ``_config.yml``.

``repository.url`` in ``_config.yml`` is the only place the repository is set. The hidden
install cell of every chapter, the README and the intro must install
``xentbook @ git+<repository.url>@v<xentbook.__version__>``: the repository the book is
published from, at the release the chapters were executed with. ``make launch-links``
rewrites them after the setting or the version changes.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

import xentbook

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    not (ROOT / "book").is_dir() or not (ROOT / "_config.yml").is_file(),
    reason="the book (book/, _config.yml) is not part of the source distribution",
)


@pytest.fixture(scope="module")
def links():
    spec = importlib.util.spec_from_file_location(
        "launch_links", ROOT / "tools" / "launch_links.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_pin_names_the_configured_repository_and_the_package_version(links):
    url = links.repository_url()
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    assert links.package_version() == xentbook.__version__
    assert links.pinned_requirement() == f"xentbook @ git+{url}@v{xentbook.__version__}"


def test_every_chapter_installs_the_pinned_release_when_the_package_is_missing(links):
    pin = links.pinned_requirement()
    chapters = links.chapters()
    assert len(chapters) >= 10, chapters
    for path in chapters:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first = next(c for c in cells if c["cell_type"] == "code")
        source = "".join(first["source"])
        name = path.name
        assert "remove-cell" in first["metadata"].get("tags", []), f"{name}: install cell is shown"
        assert 'find_spec("xentbook") is None' in source, (
            f"{name}: first code cell is not the install cell"
        )
        assert f'PACKAGE = "{pin}"' in source, f"{name}: install cell does not pin {pin!r}"
        assert '"-m", "pip", "install"' in source, f"{name}: install cell does not call pip"
        # %pip prints "you may need to restart the kernel", which is not needed here.
        assert "%pip" not in source and "!pip" not in source, f"{name}: install cell uses a magic"
        assert links.PIN.findall(source) == [pin], f"{name}: another pin in the install cell"


@pytest.mark.parametrize("name", ["README.md", "book/intro.md"])
def test_the_readme_and_the_intro_install_the_pinned_release(links, name):
    text = (ROOT / name).read_text(encoding="utf-8")
    pin = links.pinned_requirement()
    assert f'pip install "{pin}"' in text, f'{name} does not show pip install "{pin}"'
    assert set(links.PIN.findall(text)) == {pin}, f"{name}: {links.PIN.findall(text)}"
    owner_repo = links.repository_url().removeprefix("https://github.com/")
    owner = owner_repo.split("/")[0]
    for found in re.findall(rf"github\.com/{re.escape(owner)}/[\w.-]+", text):
        assert found == f"github.com/{owner_repo}", f"{name} names {found}"


def test_nothing_else_names_another_repository_of_the_book(links):
    """The citation file and the Binder files name the same repository, or none."""
    url = links.repository_url()
    for name in ["CITATION.cff", "binder/requirements.txt", "binder/postBuild"]:
        path = ROOT / name
        if not path.is_file():
            continue
        for found in re.findall(
            r"https://github\.com/[\w.-]+/[\w.-]+", path.read_text(encoding="utf-8")
        ):
            assert found.removesuffix(".git") == url, f"{name} names {found}, not {url}"


def test_the_citation_names_the_package_version_and_the_repository(links):
    path = ROOT / "CITATION.cff"
    if not path.is_file():
        pytest.skip("CITATION.cff is not part of the source distribution")
    text = path.read_text(encoding="utf-8")
    assert re.search(rf"^version: {re.escape(xentbook.__version__)}$", text, flags=re.MULTILINE), (
        text
    )
    assert f'repository-code: "{links.repository_url()}"' in text
