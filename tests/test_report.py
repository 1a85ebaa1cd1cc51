"""`kb report`: each kind of finding, the three formats, and the escaping of values from GitHub."""
from __future__ import annotations

import datetime as dt
import io
import json
import re

import markdown

from helpers import FIXTURES
from generator import cli, report, upstream
from generator.validate import validate_folder

RECORDS = FIXTURES / "upstream"
TODAY = dt.date(2026, 12, 1)
WIDGET = "https://github.com/demo-org/widget"


def records():
    return validate_folder(RECORDS).records


def the_snapshot() -> upstream.Snapshot:
    """What the fake GitHub API (tests/fake_github/recorded.json) answers for the fixture records."""
    closed = {"kind": "issue", "state": "closed", "state_reason": "completed"}
    return upstream.Snapshot("2026-12-01", {
        f"{WIDGET}/issues/1": {"kind": "issue", "state": "open", "title": "Widget times out on first call"},
        f"{WIDGET}/issues/2": dict(closed, closed_at="2026-11-30T09:12:44Z",
                                   title="Timeout is too short for cold starts"),
        f"{WIDGET}/issues/3": {"kind": "issue", "state": "closed", "state_reason": "not_planned",
                               "closed_at": "2026-08-14T16:03:10Z", "title": "Retry automatically after a timeout"},
        f"{WIDGET}/pull/4": {"kind": "pull", "state": "merged", "merged_at": "2026-11-29T18:40:00Z",
                             "title": "Raise the default timeout to 30 s"},
        f"{WIDGET}/pull/5": {"kind": "pull", "state": "closed", "closed_at": "2026-09-02T07:00:00Z",
                             "title": "Retry on timeout"},
        f"{WIDGET}/issues/6": dict(closed, closed_at="2026-11-02T08:30:00Z", title="Widget CLI prints the wrong port",
                                   moved_to="https://github.com/demo-org/widget-tools/issues/9"),
        "https://github.com/demo-org/gone/issues/1": {"unavailable": 404},
        "https://github.com/demo-org/gadget/issues/7": {"kind": "issue", "state": "open", "state_reason": "reopened",
                                                         "title": "Gadget refuses connections after sleep"},
    }, {
        "demo-org/widget": {"latest_release": "v1.5.0", "released_at": "2026-11-30T12:00:00Z"},
        "demo-org/gadget": {"latest_release": None, "latest_tag": "0.9.3"},
    })


def findings(result, section):
    return [(f.record, f.url, f.message.format(*(f"<{v}>" for v in f.quoted))) for f in result.sections[section]]


def test_cited_issues_that_changed_after_the_record_was_verified_or_updated():
    result = report.build(records(), the_snapshot(), TODAY)
    assert findings(result, "changed") == [
        ("demo-widget-first-call-timeout", f"{WIDGET}/issues/2",
         "closed as completed on 2026-11-30; the record was verified on 2026-10-01"),
        ("demo-widget-first-call-timeout", f"{WIDGET}/pull/4", "merged on 2026-11-29; the record was verified on 2026-10-01"),
        # issue 3 closed on 2026-08-14, before the record was verified: not listed
        ("demo-widget-wrong-port", f"{WIDGET}/issues/6",
         "moved to <https://github.com/demo-org/widget-tools/issues/9>, closed as completed on 2026-11-02; "
         "the record was verified on 2026-06-01"),
        ("demo-widget-wrong-port", f"{WIDGET}/pull/5",
         "closed without merging on 2026-09-02; the record was verified on 2026-06-01"),
    ]


def test_a_status_the_cited_issues_contradict():
    result = report.build(records(), the_snapshot(), TODAY)
    assert findings(result, "status") == [
        ("demo-gadget-refused-after-sleep", None, "says fixed, but every cited issue is still open (1)")]
    snapshot = the_snapshot()
    snapshot.issues[f"{WIDGET}/issues/1"].update(state="closed", state_reason="completed",
                                                  closed_at="2026-11-30T10:00:00Z")
    result = report.build(records(), snapshot, TODAY)
    assert ("demo-widget-first-call-timeout", None,
            "says open, but every cited issue is closed: 2 closed as completed, 1 merged, 1 closed as not planned") \
        in findings(result, "status")


def test_sources_that_are_gone_or_moved():
    result = report.build(records(), the_snapshot(), TODAY)
    assert findings(result, "gone") == [
        ("demo-widget-wrong-port", f"{WIDGET}/issues/6", "moved to <https://github.com/demo-org/widget-tools/issues/9>"),
        ("demo-widget-wrong-port", "https://github.com/demo-org/gone/issues/1", "not found (404 when last checked)"),
    ]


def test_a_release_repository_that_moved_or_went_away():
    snapshot = the_snapshot()
    snapshot.repositories["demo-org/widget"]["moved_to"] = "demo-org/widget-next"
    snapshot.repositories["demo-org/gadget"] = {"unavailable": 404}
    gone = findings(report.build(records(), snapshot, TODAY), "gone")
    assert ("demo-widget-first-call-timeout", None, "repository demo-org/widget moved to <demo-org/widget-next>") in gone
    assert ("demo-gadget-refused-after-sleep", None, "repository demo-org/gadget answered 404") in gone


def test_releases_newer_than_the_verified_version():
    result = report.build(records(), the_snapshot(), TODAY)
    assert findings(result, "releases") == [
        ("demo-gadget-refused-after-sleep", None,
         "demo-org/gadget tagged (no GitHub release) <0.9.3>; the record was verified with <0.9.0> on 2026-11-25"),
        ("demo-widget-first-call-timeout", None,
         "demo-org/widget released <v1.5.0>; the record was verified with <1.4.0> on 2026-10-01"),
        ("demo-widget-wrong-port", None,
         "demo-org/widget released <v1.5.0>; the record was verified with <1.0.0> on 2026-06-01"),
    ]
    snapshot = the_snapshot()
    snapshot.repositories["demo-org/widget"]["latest_release"] = "v1.4.0"
    assert [f.record for f in report.build(records(), snapshot, TODAY).sections["releases"]] == [
        "demo-gadget-refused-after-sleep", "demo-widget-wrong-port"]  # 1.4.0 is not newer than 1.4.0


def test_version_keys():
    assert report.version_key("v2.1.231") == (2, 1, 231)
    assert report.version_key("Claude Code 2.1.190 (macOS)") == (2, 1, 190)
    assert report.version_key("v2.1.231") > report.version_key("2.1.190")
    assert report.version_key("0.10.0") > report.version_key("0.9.3")
    assert report.version_key("no digits") is None


def test_titles_that_differ_from_github():
    result = report.build(records(), the_snapshot(), TODAY)
    assert findings(result, "titles") == [
        ("demo-widget-first-call-timeout", f"{WIDGET}/issues/2",
         "GitHub's title is <Timeout is too short for cold starts>; the record says <Timeout is too short>")]


def test_records_not_verified_for_90_days():
    result = report.build(records(), None, TODAY)
    assert findings(result, "stale") == [("demo-widget-wrong-port", None, "verified 183 days ago, on 2026-06-01")]
    later = report.build(records(), None, dt.date(2026, 12, 30))  # 90 days after 2026-10-01
    assert findings(later, "stale")[0] == ("demo-widget-first-call-timeout", None,
                                           "verified 90 days ago, on 2026-10-01")
    assert [f.record for f in report.build(records(), None, dt.date(2026, 12, 29)).sections["stale"]] == [
        "demo-widget-wrong-port"]  # 89 days: not yet


def test_without_a_snapshot_only_verification_dates_are_checked():
    result = report.build(records(), None, TODAY)
    assert [name for name, items in result.sections.items() if items] == ["stale"]
    assert "without an upstream snapshot" in report.as_text(result)


def test_text_report():
    text = report.as_text(report.build(records(), the_snapshot(), TODAY))
    assert text.startswith("Error Atlas maintainers' report\nAs of 2026-12-01: 12 findings in 3 records, "
                           "compared with the upstream snapshot of 2026-12-01.\n")
    assert ("Cited issues that changed since the record was verified: 4 in 2 records\n"
            "  demo-widget-first-call-timeout\n"
            f"    {WIDGET}/issues/2: closed as completed on 2026-11-30; the record was verified on 2026-10-01\n") in text
    assert 'GitHub\'s title is "Timeout is too short for cold starts"; the record says "Timeout is too short"' in text


def test_markdown_for_a_pull_request_names_upstream_threads_only_in_code():
    text = report.as_markdown(report.build(records(), the_snapshot(), TODAY),
                              record_link=lambda f: "https://github.com/o/r/blob/main/signatures/" + f.path)
    assert "- [demo-widget-wrong-port](https://github.com/o/r/blob/main/signatures/demo-widget/" \
           "demo-widget-wrong-port.yaml):" in text
    # A bare issue URL or owner/repo#N in a pull request body would notify that thread: code spans only.
    prose = re.sub(r"`[^`]*`", "", text)
    prose = re.sub(r"\]\(https://github\.com/o/r/blob/[^)]*\)", "]", prose)
    assert "github.com/demo-org" not in prose and "#" not in prose.replace("## ", "").replace("# ", "")


def test_values_from_github_cannot_inject_markup():
    snapshot = the_snapshot()
    evil = "</code><script>alert(1)</script> ``[x](javascript:alert(1)) | **bold** @someone"
    snapshot.issues[f"{WIDGET}/issues/2"]["title"] = evil
    snapshot.repositories["demo-org/widget"]["latest_release"] = "v9`<img src=x onerror=alert(1)>`"
    result = report.build(records(), snapshot, TODAY)
    for text in (report.as_markdown(result, link_upstream=True), report.as_markdown(result)):
        html = markdown.markdown(text)
        assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
        assert "<strong>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, inside code
    assert "alert(1)" in report.as_json(result)  # JSON carries the value; its readers escape it


def test_json_report():
    data = json.loads(report.as_json(report.build(records(), the_snapshot(), TODAY)))
    assert data["today"] == "2026-12-01" and data["snapshot_date"] == "2026-12-01" and data["records"] == 3
    assert list(data["sections"]) == ["changed", "status", "gone", "releases", "titles", "stale"]
    gone = data["sections"]["gone"]["findings"][0]
    assert gone == {"record": "demo-widget-wrong-port", "path": "demo-widget/demo-widget-wrong-port.yaml",
                    "url": f"{WIDGET}/issues/6",
                    "message": 'moved to "https://github.com/demo-org/widget-tools/issues/9"',
                    "values": ["https://github.com/demo-org/widget-tools/issues/9"]}


def test_the_command(tmp_path):
    path = tmp_path / "upstream.json"
    upstream.save(the_snapshot(), path)

    def run(*args):
        out, err = io.StringIO(), io.StringIO()
        parsed = cli.build_parser().parse_args(["report", "--today", "2026-12-01", *args])
        return report.command(parsed, RECORDS, out, err), out.getvalue(), err.getvalue()

    code, out, _ = run("--snapshot", str(path), "--format", "markdown", "--link-base", "https://x.example/")
    assert code == 0 and out.startswith("# Maintainers' report\n")
    assert "[demo-gadget-refused-after-sleep](https://x.example/demo-widget/demo-gadget-refused-after-sleep.yaml)" \
        in out
    code, out, err = run("--snapshot", str(tmp_path / "none.json"))
    assert code == 0 and "Not verified for 90 days, or never: 1 in 1 record" in out
    assert "No snapshot at" in err and "kb sources check" in err
    path.write_text("[]")
    code, _, err = run("--snapshot", str(path))
    assert code == 2 and "not an upstream snapshot" in err
    code, _, err = run("--today", "someday")
    assert code == 2 and "--today must be a date" in err


def test_the_maintainers_page_is_kept_out_of_search():
    pages = report.maintainers_page(records(), the_snapshot(), TODAY)
    text = pages["maintainers/report.md"]
    meta = text.split("---\n")[1]
    assert 'search: {"exclude": true}' in meta and "kb_noindex: true" in meta
    assert "[demo-widget-wrong-port](../errors/demo-widget-wrong-port.md)" in text
    assert f"[demo-org/widget#2]({WIDGET}/issues/2)" in text  # on the site, upstream threads are links
