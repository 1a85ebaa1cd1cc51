"""What a record cites, the snapshot's words for a state, and what a record page shows of it."""
from __future__ import annotations

import json
import re

import markdown
import pytest

from helpers import FIXTURES
from generator import citations, upstream
from generator.render import SiteOptions, render_site
from generator.validate import validate_folder

RECORDS = FIXTURES / "upstream"


def records():
    return {record.id: record for record in validate_folder(RECORDS).records}


def snapshot(**issues) -> upstream.Snapshot:
    return upstream.Snapshot("2026-12-01", {url: entry for url, entry in issues.items()}, {})


# What a record cites

def test_cited_urls_are_the_sources_then_the_links_in_the_text_each_once():
    record = records()["demo-widget-first-call-timeout"]
    assert citations.cited_urls(record) == [
        "https://github.com/demo-org/widget/issues/1",
        "https://github.com/demo-org/widget/issues/2",
        "https://github.com/demo-org/widget/pull/4",
        # from a cause's text, with its comment anchor dropped; pull/4/files in a step is pull/4 again
        "https://github.com/demo-org/widget/issues/3",
    ]


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/o/r/issues/12", "https://github.com/o/r/issues/12"),
    ("https://github.com/o/r/issues/12#issuecomment-99", "https://github.com/o/r/issues/12"),
    ("https://github.com/o/r/pull/7/files", "https://github.com/o/r/pull/7"),
    ("https://github.com/Aider-AI/aider.js/issues/3", "https://github.com/Aider-AI/aider.js/issues/3"),
    ("https://github.com/o/r/issues/12abc", None),
    ("https://github.com/o/r/issues/0", None),
    ("https://github.com/o/r/discussions/12", None),
    ("https://gitlab.com/o/r/issues/12", None),
    ("https://github.com/o/r/blob/main/x.md", None),
])
def test_issue_urls(url, expected):
    ref = citations.parse_issue_url(url)
    assert (ref.url if ref else None) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/anthropics/claude-code/releases/tag/v2.1.119", "anthropics/claude-code"),
    ("https://github.com/o/r/releases", "o/r"),
    ("https://github.com/o/r/releases/latest", "o/r"),
    ("https://github.com/o/r/tags", "o/r"),
    ("https://github.com/anthropics/claude-code/blob/main/CHANGELOG.md", "anthropics/claude-code"),
    ("https://github.com/o/r/blob/0123abc/docs/RELEASE_NOTES.md#v2", "o/r"),
    ("https://github.com/o/r/blob/main/HISTORY.rst", "o/r"),
    ("https://github.com/o/r/blob/main/README.md", None),
    ("https://github.com/o/r/blob/main/src/changelog_parser.py", None),
    ("https://github.com/o/r/issues/1", None),
])
def test_release_repositories(url, expected):
    assert citations.release_repository(url) == expected


def test_tools_own_the_repositories_their_records_cite_for_releases():
    assert citations.tool_repositories(list(records().values())) == {
        "Demo Gadget": ["demo-org/gadget"], "Demo Widget": ["demo-org/widget"]}


# Words for a state

@pytest.mark.parametrize("entry, words", [
    ({"kind": "issue", "state": "open"}, "open"),
    ({"kind": "issue", "state": "open", "state_reason": "reopened"}, "open (reopened)"),
    ({"kind": "issue", "state": "closed", "state_reason": "completed", "closed_at": "2026-11-30T09:12:44Z"},
     "closed as completed on 2026-11-30"),
    ({"kind": "issue", "state": "closed", "state_reason": "not_planned", "closed_at": "2026-08-14T16:03:10Z"},
     "closed as not planned on 2026-08-14"),
    ({"kind": "issue", "state": "closed", "state_reason": "duplicate", "closed_at": "2026-08-14T16:03:10Z"},
     "closed as a duplicate on 2026-08-14"),
    ({"kind": "issue", "state": "closed"}, "closed"),
    ({"kind": "pull", "state": "merged", "merged_at": "2026-11-29T18:40:00Z"}, "merged on 2026-11-29"),
    ({"kind": "pull", "state": "closed", "closed_at": "2026-09-02T07:00:00Z"}, "closed without merging on 2026-09-02"),
    ({"unavailable": 404}, "not found (404 when last checked)"),
    ({"unavailable": 410, "state": "open"}, "deleted (410 when last checked)"),
    ({"state": "<script>", "closed_at": "<img src=x>"}, "unknown"),
    ({"kind": "issue", "state": "closed", "state_reason": "completed", "closed_at": "yesterday <b>"},
     "closed as completed"),
])
def test_describe(entry, words):
    assert upstream.describe(entry) == words


def test_event_dates():
    assert upstream.event_date({"state": "closed", "closed_at": "2026-11-30T09:12:44Z"}) == "2026-11-30"
    assert upstream.event_date({"state": "merged", "merged_at": "2026-11-29T18:40:00Z",
                                "closed_at": "2026-11-29T18:40:00Z"}) == "2026-11-29"
    # Reopened: the old closing date is not when it became open again.
    assert upstream.event_date({"state": "open", "state_reason": "reopened", "closed_at": "2026-10-01T10:00:00Z"}) \
        is None
    assert upstream.event_date({"state": "open", "changed_on": "2026-12-08"}) == "2026-12-08"


def test_clean_text_removes_terminal_escapes_and_direction_overrides():
    assert upstream.clean_text("a\x1b[2Jb\u202ec\u200bd\r\ne") == "a [2Jb c d e"
    assert len(upstream.clean_text("x" * 1000)) == upstream.TITLE_LIMIT


def test_a_missing_snapshot_is_none_and_a_broken_one_says_what_to_do(tmp_path):
    assert upstream.load(tmp_path / "nothing.json") is None
    broken = tmp_path / "upstream.json"
    broken.write_text('{"format": 99}')
    with pytest.raises(upstream.SnapshotError, match="not an upstream snapshot of format 1"):
        upstream.load(broken)
    broken.write_text('{"format": 1, "date": "soon", "issues": {}, "repositories": {}}')
    with pytest.raises(upstream.SnapshotError, match="'date' YYYY-MM-DD"):
        upstream.load(broken)


def test_save_and_load_round_trip(tmp_path):
    original = upstream.Snapshot("2026-12-01", {"https://github.com/o/r/issues/1": {"kind": "issue", "state": "open",
                                                                                  "title": "é \"quoted\""}},
                                 {"o/r": {"latest_release": "v1"}})
    path = tmp_path / "data" / "upstream.json"
    upstream.save(original, path)
    assert upstream.load(path) == original
    assert json.loads(path.read_text())["format"] == 1
    assert list(tmp_path.joinpath("data").iterdir()) == [path]  # no temporary file left behind


# The record page

def page(snapshot_value, record_id="demo-widget-wrong-port"):
    pages = render_site(list(records().values()), SiteOptions(upstream=snapshot_value))
    return pages[f"errors/{record_id}.md"]


def test_without_a_snapshot_a_page_shows_nothing_extra():
    text = page(None)
    assert ">Upstream<" not in text and "upstream:" not in text  # no facts row, no note on a source
    assert text == page(upstream.Snapshot("2026-12-01", {}, {}))  # a snapshot that knows none of its sources


def test_each_cited_issue_shows_its_state_and_the_facts_table_the_snapshot_date():
    known = snapshot(**{
        "https://github.com/demo-org/widget/issues/6": {
            "kind": "issue", "state": "closed", "state_reason": "completed", "closed_at": "2026-11-02T08:30:00Z",
            "moved_to": "https://github.com/demo-org/widget-tools/issues/9", "title": "x"},
        "https://github.com/demo-org/gone/issues/1": {"unavailable": 404},
        "https://github.com/demo-org/widget/pull/5": {"kind": "pull", "state": "closed",
                                                       "closed_at": "2026-09-02T07:00:00Z", "title": "y"},
    })
    text = page(known)
    assert ('| <strong data-pagefind-ignore="all">Upstream</strong> | <span data-pagefind-ignore="all">2 closed, 1 moved, '
            '1 not found (GitHub, as of the snapshot of 2026-12-01)</span> |') in text
    assert ("- [Widget CLI prints the wrong port](https://github.com/demo-org/widget/issues/6)"
            '<span data-pagefind-ignore="all"> (upstream: moved to '
            "[demo-org/widget-tools#9](https://github.com/demo-org/widget-tools/issues/9), "
            "closed as completed on 2026-11-02)") in text
    assert ("- [Port confusion](https://github.com/demo-org/gone/issues/1)<span data-pagefind-ignore=\"all\"> "
            "(upstream: not found (404 when last checked))") in text
    assert "(upstream: closed without merging on 2026-09-02)" in text
    assert text.index(">Status<") < text.index(">Upstream<") < text.index(">Last updated<")


def test_a_hostile_snapshot_cannot_put_markup_or_links_on_a_page():
    evil = snapshot(**{
        "https://github.com/demo-org/widget/issues/6": {
            "kind": "issue", "state": "closed", "state_reason": "completed<script>alert(1)</script>",
            "closed_at": "2026-11-02T08:30:00Z\"><script>", "title": "<script>alert(1)</script>",
            "labels": ["<img src=x onerror=alert(1)>"], "moved_to": "javascript:alert(1)//github.com/o/r/issues/1"},
        "https://github.com/demo-org/widget/pull/5": {"kind": "pull", "state": "merged | injected | cell",
                                                       "merged_at": "[x](javascript:alert(1))"},
    })
    text = page(evil)
    html = markdown.markdown(text.split("---\n", 2)[2], extensions=["tables"])
    assert "<script" not in html and "javascript:" not in html and "<img" not in html
    assert "(upstream: closed)" in text  # unknown reason and a non-timestamp date: plain "closed"
    assert "(upstream: unknown)" in text
    row = re.search(r"^\| <strong[^>]*>Upstream</strong> \| <span[^>]*>(.*)</span> \|$", text, re.M).group(1)
    assert row.count("|") == 0
