"""The site search's index: `kb build` runs Pagefind over the built pages, and the templates say what it reads."""
import difflib
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import FIXTURES, ROOT
from test_site import _free_port, _poll, kb, read

MATERIAL = Path(__import__("material").__file__).parent / "templates"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    target = tmp_path_factory.mktemp("search-site") / "site"
    completed = kb("build", "--signatures", str(FIXTURES / "valid"), "--site-dir", str(target))
    assert completed.returncode == 0, completed.stderr
    assert "[2/2] Indexing the pages for the site search with Pagefind" in completed.stderr
    assert "Site search: indexed 5 pages" in completed.stderr  # two records and three guides
    return target


def test_kb_build_writes_the_pagefind_index_and_no_lunr_index(site):
    entry = json.loads(read(site, "pagefind/pagefind-entry.json"))
    assert entry["version"] == "1.5.2"  # the pinned pagefind[bin]; site-search.js is written against its API
    assert sum(language["page_count"] for language in entry["languages"].values()) == 5
    assert (site / "pagefind" / "pagefind.js").is_file() and list((site / "pagefind" / "index").iterdir())
    assert len(list((site / "pagefind" / "filter").iterdir())) == 2  # tool and category
    assert not (site / "search" / "search_index.json").exists()  # Material's lunr search is gone
    assert not (site / "pagefind" / "pagefind-ui.js").exists()  # Pagefind's own interfaces are not shipped
    page = read(site, "index.html")
    assert "assets/javascripts/workers/search" not in page.split('<script id="__config"')[0]
    assert 'data-md-component="search"' not in page  # Material's search would start if it found this


def test_record_pages_tell_pagefind_what_to_index(site):
    page = read(site, "errors/demo-tool-widget-timeout/index.html")
    body = re.search(r"<div data-pagefind-body([^>]*)>", page)
    assert body, "the record's content is marked for indexing"
    attributes = body.group(1)
    assert 'data-kb-tool="Demo Tool"' in attributes and 'data-kb-category="Test Fixtures"' in attributes
    assert 'data-pagefind-filter="tool[data-kb-tool], category[data-kb-category]"' in attributes
    assert "kind:record" in attributes
    signatures = page.split('<div class="kb-signatures" data-pagefind-weight="3">', 1)[1].split("</div>", 1)[0]
    assert "Error: widget {widget} timed out after {ms} ms" in signatures
    # The sources' titles are indexed (how reporters described the problem); their notes, the related
    # records and the edit link are not.
    sources = page.split('<div class="kb-sources">', 1)[1].split('<div class="kb-related" data-pagefind-ignore="all">')
    assert '<a href="https://example.org/issues/1">Widget times out on first call -&gt; retry works</a>' \
        '<span data-pagefind-ignore="all">: The first report.</span>' in sources[0]
    assert '<h2 id="related-errors">' in sources[1] and "Edit this record" in sources[1]
    # The header, navigation and footer are outside the marked element.
    assert page.index("data-pagefind-body") > page.index('class="md-header')
    assert page.index("data-pagefind-body") < page.index('class="md-footer')


def test_guides_are_indexed_and_listings_redirects_and_the_home_page_are_not(site):
    for guide in ("about", "contributing", "how-lookup-works"):
        assert 'data-pagefind-body data-pagefind-meta="kind:guide"' in read(site, f"{guide}/index.html"), guide
    for listing in ("index.html", "lookup/index.html", "search/index.html", "tools/demo-tool/index.html",
                    "categories/test-fixtures/index.html", "tags/widgets/index.html", "tools/index.html"):
        assert "data-pagefind-body" not in read(site, listing), listing


def test_a_failed_pagefind_leaves_the_previous_site(tmp_path):
    site = tmp_path / "site"
    assert kb("build", "--signatures", str(FIXTURES / "valid"), "--site-dir", str(site)).returncode == 0
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'Error: something broke while indexing' >&2\nexit 3\n")
    failing.chmod(failing.stat().st_mode | stat.S_IEXEC)
    completed = kb("build", "--signatures", str(FIXTURES / "valid"), "--site-dir", str(site),
                   env={"PAGEFIND_BINARY_PATH": str(failing)})
    assert completed.returncode == 1
    assert "Pagefind failed (exit status 3)" in completed.stderr
    assert "something broke while indexing" in completed.stderr
    assert f"The site search could not be indexed; {site} was left as it was." in completed.stderr
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    assert not list(tmp_path.glob(".site-*"))  # no half-built staging folder left behind
    missing = kb("build", "--signatures", str(FIXTURES / "valid"), "--site-dir", str(site),
                 env={"PAGEFIND_BINARY_PATH": str(tmp_path / "nowhere")})
    assert missing.returncode == 1 and "run ./scripts/setup" in missing.stderr and "Traceback" not in missing.stderr


def test_kb_build_help_explains_both_steps():
    completed = kb("build", "--help")
    assert completed.returncode == 0
    text = " ".join(completed.stdout.split())
    assert "mkdocs build --strict" in text and "Pagefind" in text and "pagefind/" in text
    assert "replaced only when both steps succeeded" in text


def test_the_header_is_materials_except_for_the_search_box():
    """site_overrides/partials/header.html copies Material's; a Material upgrade that changes it shows up here."""
    ours = (ROOT / "site_overrides" / "partials" / "header.html").read_text().splitlines()
    theirs = (MATERIAL / "partials" / "header.html").read_text().splitlines()
    changed = [line for line in difflib.unified_diff(theirs, ours, lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    removed = [line[1:].strip() for line in changed if line.startswith("-")]
    added = [line[1:].strip() for line in changed if line.startswith("+")]
    assert removed == [
        "This file was automatically generated - do not edit",
        '{% if "material/search" in config.plugins %}',
        '{% set search = config.plugins["material/search"] | attr("config") %}',
        "{% if search.enabled %}",
        '<label class="md-header__button md-icon" for="__search">',
        '{% set icon = config.theme.icon.search or "material/magnify" %}',
        '{% include ".icons/" ~ icon ~ ".svg" %}',
        "</label>",
        '{% include "partials/search.html" %}',
        "{% endif %}",
        "{% endif %}",
    ]
    assert '{% include "partials/search.html" %}' in added and len(added) <= 10


def test_mkdocs_serve_indexes_its_build_for_the_search(tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=ROOT, env=dict(os.environ, KB_SIGNATURES=str(FIXTURES / "valid"), NO_MKDOCS_2_WARNING="1"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        entry = _poll(f"http://127.0.0.1:{port}/error-atlas/pagefind/pagefind-entry.json",
                      lambda text: '"page_count":5' in text.replace(" ", ""))
        assert entry, "mkdocs serve serves a Pagefind index of its own build"
    finally:
        server.terminate()
        server.wait(timeout=10)
