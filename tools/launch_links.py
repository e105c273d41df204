"""Write the repository of ``_config.yml`` into every place a reader installs the package from.

The repository is one setting, ``repository.url`` in ``_config.yml``. A reader on Colab gets
the package from the hidden first cell of each chapter, and a reader of the README or the
intro from a ``pip install`` line; all of them pin the release tag ``v<xentbook.__version__>``
so that the package is the one the chapters were executed with. After changing the setting
(or releasing a new version), run ``make launch-links`` (this script);
``tests/test_launch_links.py`` fails while any place disagrees.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# `PACKAGE = "xentbook @ git+<url>@<tag>"` in the install cells, `pip install "..."` in text.
PIN = re.compile(r'xentbook @ git\+https://[^"@\s]+@[\w.\-]+')


def repository_url() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"].rstrip("/")


def package_version() -> str:
    text = (ROOT / "xentbook" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, flags=re.MULTILINE).group(1)


def pinned_requirement() -> str:
    return f"xentbook @ git+{repository_url()}@v{package_version()}"


def chapters() -> list[Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [ROOT / f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").is_file()]


def text_files() -> list[Path]:
    return [ROOT / "README.md", ROOT / "book" / "intro.md"]


def main() -> int:
    pin = pinned_requirement()
    for path in chapters():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
        source = "".join(cell["source"])
        new = PIN.sub(pin, source)
        if new != source:
            cell["source"] = new.splitlines(keepends=True)
            path.write_text(
                json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                encoding="utf-8",
            )
            print(f"updated {path.relative_to(ROOT)}")
    for path in text_files():
        text = path.read_text(encoding="utf-8")
        new = PIN.sub(pin, text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
