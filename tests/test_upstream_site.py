"""The built site with and without an upstream snapshot: record pages, and the maintainers' report
kept out of the navigation, the site search, the sitemap and search engines."""
from __future__ import annotations

import gzip
import os
import subprocess
import sys

import pytest

from helpers import FIXTURES, ROOT, read
from generator import upstream

RECORDS = FIXTURES / "upstream"
REPORT = "maintainers/report/index.html"
NOINDEX = '<meta name="robots" content="noindex">'


def build(site, snapshot=None):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", KB_UPSTREAM=str(snapshot or site.parent / "no-snapshot.json"))
    return subprocess.run([sys.executable, "-m", "generator", "build", "--signatures", str(RECORDS),
                           "--site-dir", str(site)], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def with_snapshot(tmp_path_factory):
    folder = tmp_path_factory.mktemp("with")
    path = folder / "upstream.json"
    upstream.save(upstream.Snapshot("2026-12-01", {
        "https://github.com/demo-org/widget/issues/2": {
            "kind": "issue", "state": "closed", "state_reason": "completed", "closed_at": "2026-11-30T09:12:44Z",
            "title": "<script>alert('title')</script>"},
        "https://github.com/demo-org/widget/pull/4": {"kind": "pull", "state": "merged",
                                                       "merged_at": "2026-11-29T18:40:00Z", "title": "x"},
        "https://github.com/demo-org/widget/issues/1": {"kind": "issue", "state": "open", "title": "y"},
    }, {}), path)
    completed = build(folder / "site", path)
    assert completed.returncode == 0, completed.stderr
    return folder / "site"


@pytest.fixture(scope="module")
def without_snapshot(tmp_path_factory):
    site = tmp_path_factory.mktemp("without") / "site"
    completed = build(site)
    assert completed.returncode == 0, completed.stderr
    return site


def test_a_record_page_shows_the_state_of_each_cited_issue(with_snapshot):
    page = read(with_snapshot, "errors/demo-widget-first-call-timeout/index.html")
    assert "<td><strong data-pagefind-ignore=\"all\">Upstream</strong></td>" in page
    assert "1 open, 1 closed, 1 merged (GitHub, as of the snapshot of 2026-12-01)" in page
    assert ('<a href="https://github.com/demo-org/widget/issues/2">Timeout is too short</a>'
            '<span data-pagefind-ignore="all"> (upstream: closed as completed on 2026-11-30)') in page
    assert "(upstream: merged on 2026-11-29)" in page
    assert "alert('title')" not in page  # titles from GitHub are not shown on record pages


def test_without_a_snapshot_record_pages_show_nothing_extra(without_snapshot):
    page = read(without_snapshot, "errors/demo-widget-first-call-timeout/index.html")
    assert ">Upstream<" not in page and "upstream:" not in page


@pytest.mark.parametrize("site_fixture", ["with_snapshot", "without_snapshot"])
def test_the_maintainers_report_is_built_but_kept_out_of_sight(site_fixture, request):
    site = request.getfixturevalue(site_fixture)
    page = read(site, REPORT)
    assert NOINDEX in page.split("</head>")[0]
    assert "Maintainers&#39; report" in page or "Maintainers' report" in page
    assert 'href="../../errors/demo-widget-wrong-port/"' in page  # never verified: listed either way
    for other in ("index.html", "about/index.html", "errors/demo-widget-wrong-port/index.html"):
        assert "maintainers/report" not in read(site, other)  # not in the navigation, not linked
        assert NOINDEX not in read(site, other)
    sitemap = read(site, "sitemap.xml")
    assert "/errors/demo-widget-wrong-port/</loc>" in sitemap  # pages out of the nav are listed...
    assert "maintainers/report" not in sitemap  # ...but not the report
    assert "maintainers/report" not in gzip.decompress((site / "sitemap.xml.gz").read_bytes()).decode()
    # Pagefind indexes only pages marked data-pagefind-body (record pages and guides): not the report.
    assert "data-pagefind-body" not in page
    assert "data-pagefind-body" in read(site, "errors/demo-widget-wrong-port/index.html")


def test_the_report_page_links_upstream_and_lists_changes(with_snapshot):
    page = read(with_snapshot, REPORT)
    assert '<a href="https://github.com/demo-org/widget/issues/2">demo-org/widget#2</a>: ' \
           "closed as completed on 2026-11-30; the record was verified on 2026-10-01" in page
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page or \
           "&lt;script&gt;alert('title')&lt;/script&gt;" in page  # the differing title, as text
    assert "<script>alert(" not in page


def test_a_broken_snapshot_fails_the_build_and_says_why(tmp_path):
    broken = tmp_path / "upstream.json"
    broken.write_text("{")
    completed = build(tmp_path / "site", broken)
    assert completed.returncode == 1
    assert "The upstream snapshot cannot be used" in completed.stderr and "is not valid JSON" in completed.stderr
    assert not (tmp_path / "site").exists()
