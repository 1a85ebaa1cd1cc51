"""The site search's index: Pagefind, run over the HTML that MkDocs built.

Pagefind reads every page that has a `data-pagefind-body` element (record pages and the hand-written
guides, see site_overrides/main.html) and writes `pagefind/` into the site: a small entry file, the
WebAssembly search engine, and the index split into chunks by word prefix, fetched by the browser only
for the words it searches (site_overrides/assets/site-search.js). The binary comes from PyPI's
`pagefind-bin` wheel, pinned in pyproject.toml: nothing is downloaded at install or build time.

`kb build` calls `index_site` after `mkdocs build`, on the temporary folder, before swapping it in;
`mkdocs serve` calls it from the MkDocs hook after each build (generator/mkdocs_hooks.py).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

BUNDLE_DIR = "pagefind"
# Underscores stay inside words, so that `startup_timeout_sec` is one word to search for (Pagefind also
# indexes its parts). Other punctuation splits words, as Pagefind does by default.
INCLUDE_CHARACTERS = "_"
# Parts of an indexed page that are not its text: heading permalinks (¶) and the edit button.
EXCLUDE_SELECTORS = ".headerlink, .md-content__button"
# Pagefind writes ready-made search interfaces too; the site has its own, so these are removed.
UNUSED_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


class SiteIndexError(RuntimeError):
    """Pagefind is missing or failed; the message says what to do."""


@dataclass(frozen=True)
class IndexSummary:
    pages: int
    words: int
    filters: int
    seconds: float

    def text(self) -> str:
        return (f"Site search: indexed {self.pages:,} pages, {self.words:,} words and {self.filters} filters "
                f"with Pagefind in {self.seconds:.1f} s.")


def pagefind_binary() -> Path:
    # The variable Pagefind's own Python wrapper reads, for a binary installed some other way.
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override:
        return Path(override)
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise SiteIndexError("Pagefind is not installed: run ./scripts/setup (or pip install -e '.[site]'), "
                             "which installs the pinned pagefind[bin] wheel with its binary.") from None
    return get_executable()


def _count(label: str, output: str) -> int:
    found = re.search(rf"Indexed ([\d,]+) {label}", output)
    return int(found.group(1).replace(",", "")) if found else 0


def index_site(site: Path, echo: Callable[[str], None] | None = None) -> IndexSummary:
    """Write the Pagefind index into site/pagefind/. `echo` receives Pagefind's progress lines as they come."""
    command = [str(pagefind_binary()), "--site", str(site), "--output-subdir", BUNDLE_DIR,
               "--include-characters", INCLUDE_CHARACTERS, "--exclude-selectors", EXCLUDE_SELECTORS]
    started = time.perf_counter()
    lines: list[str] = []
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   encoding="utf-8", errors="replace")
    except OSError as err:
        raise SiteIndexError(f"Pagefind could not be started ({command[0]}: {err.strerror}): run ./scripts/setup, "
                             "which installs the pinned pagefind[bin] wheel with its binary.") from None
    with process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if echo and line.strip():
                echo(line.rstrip())
    output = "".join(lines)
    if process.returncode != 0:
        raise SiteIndexError(f"Pagefind failed (exit status {process.returncode}):\n{output[-3000:]}")
    pages = _count("pages", output)
    if pages == 0:
        raise SiteIndexError("Pagefind indexed no page: the templates mark record pages with data-pagefind-body "
                             "(site_overrides/main.html); check that the build used them.\n" + output[-3000:])
    for name in UNUSED_FILES:
        (site / BUNDLE_DIR / name).unlink(missing_ok=True)
    return IndexSummary(pages=pages, words=_count("words", output), filters=_count("filters", output),
                        seconds=time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    """python -m generator.site_index SITE_DIR: index a site that `mkdocs build` wrote."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_dir():
        print("usage: python -m generator.site_index SITE_DIR", file=sys.stderr)
        return 2
    try:
        print(index_site(Path(args[0]), echo=lambda line: print(line, file=sys.stderr)).text(), file=sys.stderr)
    except SiteIndexError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
