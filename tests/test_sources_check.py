"""`kb sources check` against a fake GitHub API served over HTTP (tests/fake_github.py).

The fake answers from recorded responses in GitHub's documented formats; each test
switches on one way the real API misbehaves (a rate limit, a 404, a transfer, a
timeout, malformed JSON) and checks what the run says and what the snapshot keeps.
"""
from __future__ import annotations

import io
import json
import math
import re
import shutil

import pytest
import yaml

from fake_github import FakeGitHub
from helpers import FIXTURES
from generator import cli, github_api, report, sources_check, upstream
from generator.github_api import Policy

RECORDS = FIXTURES / "upstream"
TODAY = "2026-12-01"
# Tiny timeouts and backoff so that the failure tests take a second, not minutes.
FAST = Policy(timeout=0.25, attempts=2, backoff=0.01, max_wait=10, rate_wait=0.05, reset_margin=0.05)


@pytest.fixture
def fake():
    with FakeGitHub() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_token(monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)


def check(fake, snapshot, *extra, today=TODAY, policy=FAST, records=RECORDS):
    """Run the command as `kb sources check` would; returns (exit code, stdout, stderr)."""
    args = cli.build_parser().parse_args(["sources", "check", "--api-url", fake.url, "--snapshot", str(snapshot),
                                          "--today", today, *extra])
    out, err = io.StringIO(), io.StringIO()
    code = sources_check.command(args, records, out, err, policy=policy)
    return code, out.getvalue(), err.getvalue()


def entries(snapshot):
    return json.loads(snapshot.read_text())


EXPECTED_ISSUES = {
    "https://github.com/demo-org/gadget/issues/7": {
        "kind": "issue", "labels": ["bug"], "state": "open", "state_reason": "reopened",
        "title": "Gadget refuses connections after sleep"},
    "https://github.com/demo-org/gone/issues/1": {"unavailable": 404},
    "https://github.com/demo-org/widget/issues/1": {
        "kind": "issue", "labels": ["area: network", "bug"], "state": "open",
        "title": "Widget times out on first call"},
    "https://github.com/demo-org/widget/issues/2": {
        "closed_at": "2026-11-30T09:12:44Z", "kind": "issue", "labels": ["bug"], "state": "closed",
        "state_reason": "completed", "title": "Timeout is too short for cold starts"},
    "https://github.com/demo-org/widget/issues/3": {
        "closed_at": "2026-08-14T16:03:10Z", "kind": "issue", "labels": ["enhancement"], "state": "closed",
        "state_reason": "not_planned", "title": "Retry automatically after a timeout"},
    "https://github.com/demo-org/widget/issues/6": {
        "closed_at": "2026-11-02T08:30:00Z", "kind": "issue", "labels": ["bug"],
        "moved_to": "https://github.com/demo-org/widget-tools/issues/9", "state": "closed",
        "state_reason": "completed", "title": "Widget CLI prints the wrong port"},
    "https://github.com/demo-org/widget/pull/4": {
        "closed_at": "2026-11-29T18:40:00Z", "kind": "pull", "labels": [], "merged_at": "2026-11-29T18:40:00Z",
        "state": "merged", "title": "Raise the default timeout to 30 s"},
    "https://github.com/demo-org/widget/pull/5": {
        "closed_at": "2026-09-02T07:00:00Z", "kind": "pull", "labels": [], "state": "closed",
        "title": "Retry on timeout"},
}
EXPECTED_REPOSITORIES = {
    "demo-org/gadget": {"latest_release": None, "latest_tag": "0.9.3"},
    "demo-org/widget": {"latest_release": "v1.5.0", "released_at": "2026-11-30T12:00:00Z"},
}


def test_a_normal_run_records_every_answer(fake, tmp_path):
    snapshot = tmp_path / "upstream.json"
    code, out, err = check(fake, snapshot)
    assert code == 0, out + err
    assert entries(snapshot) == {"format": 1, "date": TODAY, "issues": EXPECTED_ISSUES,
                                 "repositories": EXPECTED_REPOSITORIES}
    # One GraphQL query for all ten; REST only for what GraphQL could not resolve.
    assert len(fake.requests("POST")) == 1
    assert [r["path"] for r in fake.requests("GET")] == [
        "/repos/demo-org/gone/issues/1", "/repos/demo-org/widget/issues/6", "/repositories/4242/issues/9"]
    assert "not found  https://github.com/demo-org/gone/issues/1" in out
    assert "moved      https://github.com/demo-org/widget/issues/6" in out
    assert "Checked 8 cited issue and pull request URLs and 2 release repositories in 4 requests" in out
    assert "1 not found, 1 moved, 8 new" in out
    assert f"Wrote {snapshot} (snapshot of {TODAY})." in out
    assert "10/10 checked" in err  # progress


def test_the_snapshot_is_sorted_with_one_line_per_entry(fake, tmp_path):
    snapshot = tmp_path / "upstream.json"
    check(fake, snapshot)
    lines = snapshot.read_text().splitlines()
    issue_lines = [line for line in lines if line.startswith('    "https://')]
    assert len(issue_lines) == len(EXPECTED_ISSUES)
    assert issue_lines == sorted(issue_lines)
    for line in issue_lines:
        key, _, value = line.strip().rstrip(",").partition(": ")
        assert json.loads(value) == EXPECTED_ISSUES[json.loads(key)]


def test_a_second_run_without_upstream_change_writes_the_same_bytes(fake, tmp_path):
    snapshot = tmp_path / "upstream.json"
    check(fake, snapshot)
    first = snapshot.read_bytes()
    code, out, _ = check(fake, snapshot, today="2026-12-08")
    assert code == 0
    assert snapshot.read_bytes() == first  # the date stays: nothing changed upstream
    assert f"{snapshot} is unchanged (snapshot of {TODAY})." in out
    assert "10 unchanged" in out


def test_a_change_upstream_is_reported_and_dated(fake, tmp_path):
    snapshot = tmp_path / "upstream.json"
    check(fake, snapshot)
    fake.threads["demo-org/widget#1"].update(state="CLOSED", stateReason="COMPLETED", closedAt="2026-12-05T10:00:00Z")
    code, out, _ = check(fake, snapshot, today="2026-12-08")
    assert code == 0
    assert ("changed    https://github.com/demo-org/widget/issues/1  "
            "open -> closed as completed on 2026-12-05") in out
    data = entries(snapshot)
    assert data["date"] == "2026-12-08"
    assert data["issues"]["https://github.com/demo-org/widget/issues/1"]["changed_on"] == "2026-12-08"
    assert "changed_on" not in data["issues"]["https://github.com/demo-org/widget/issues/2"]


@pytest.mark.parametrize("kind, why", [
    ("primary", "x-ratelimit-reset"),  # 403, x-ratelimit-remaining: 0
    ("graphql", "x-ratelimit-reset"),  # 200 with a RATE_LIMITED error
    ("secondary", "retry-after"),  # 429 with retry-after
])
def test_a_rate_limit_is_waited_out_then_the_run_succeeds(fake, tmp_path, kind, why):
    fake.rate_limits, fake.reset_in, fake.retry_after = [kind], 1, "1"
    snapshot = tmp_path / "upstream.json"
    code, out, err = check(fake, snapshot)
    assert code == 0, out + err
    assert f"rate limited ({why}): waiting" in err
    first, second = fake.requests("POST")[:2]
    # The retry came only after the time GitHub named (reset epoch seconds, or retry-after).
    earliest = math.floor(first["time"] + 1) if why == "x-ratelimit-reset" else first["time"] + 1
    assert second["time"] >= earliest
    assert entries(snapshot)["issues"] == EXPECTED_ISSUES


def test_a_rate_limit_without_a_wait_is_waited_out_longer_each_time(fake, tmp_path):
    fake.rate_limits = ["bare", "bare"]  # 403 "exceeded a secondary rate limit", no retry-after or reset
    code, out, err = check(fake, tmp_path / "upstream.json")
    assert code == 0, out
    assert "rate limited (no reset time given): waiting 0.1 s (wait 1)" in err  # FAST.rate_wait is 0.05 s
    assert "rate limited (no reset time given): waiting 0.1 s (wait 2)" in err
    first, second, third = [request["time"] for request in fake.requests("POST")[:3]]
    assert second - first >= 0.05 and third - second >= 0.1


def test_a_rate_limit_that_resets_too_late_stops_at_once_and_keeps_the_snapshot(fake, tmp_path):
    snapshot = tmp_path / "upstream.json"
    check(fake, snapshot)
    before = snapshot.read_bytes()
    fake.rate_limits, fake.reset_in = ["primary"] * 20, 3600
    code, out, _ = check(fake, snapshot, today="2026-12-08")
    assert code == 3
    assert "longer than --max-wait 10 s: run again after that" in out
    assert "Nothing could be checked" in out
    assert snapshot.read_bytes() == before
    assert len(fake.requests("POST")) == 2  # the first run's query, then one: no hammering


def test_a_404_keeps_what_was_known_about_the_source(fake, tmp_path):
    snapshot = tmp_path / "upstream.json"
    check(fake, snapshot)
    fake.threads.pop("demo-org/widget#1")  # deleted, or made private
    code, out, _ = check(fake, snapshot, today="2026-12-08")
    assert code == 0  # a 404 is an answer
    assert "not found  https://github.com/demo-org/widget/issues/1  not found (404 when last checked)" in out
    entry = entries(snapshot)["issues"]["https://github.com/demo-org/widget/issues/1"]
    assert entry == dict(EXPECTED_ISSUES["https://github.com/demo-org/widget/issues/1"], unavailable=404,
                         changed_on="2026-12-08")


def test_a_transferred_issue_is_followed_to_its_new_location(fake, tmp_path):
    snapshot = tmp_path / "upstream.json"
    check(fake, snapshot)
    moved = entries(snapshot)["issues"]["https://github.com/demo-org/widget/issues/6"]
    assert moved["moved_to"] == "https://github.com/demo-org/widget-tools/issues/9"
    assert moved["state"] == "closed" and moved["title"] == "Widget CLI prints the wrong port"


def test_a_redirect_to_another_site_is_not_followed_and_gets_no_token(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "test-token-1234")
    fake.redirect_base = "http://127.0.0.2:9"
    snapshot = tmp_path / "upstream.json"
    code, out, err = check(fake, snapshot)
    assert code == 1
    assert ("failed     https://github.com/demo-org/widget/issues/6  "
            "redirected to another site (127.0.0.2); not followed") in out
    assert {r["authorization"] for r in fake.requests()} == {"Bearer test-token-1234"}
    assert "test-token-1234" not in out + err


def test_a_timeout_is_reported_for_its_url_and_every_old_entry_is_kept(fake, tmp_path):
    snapshot = tmp_path / "upstream.json"
    check(fake, snapshot)
    before = entries(snapshot)
    fake.threads["demo-org/widget#2"]["title"] = "A new title nobody saw"  # an answer that must not land
    fake.threads["demo-org/widget#3"]["title"] = "Retried automatically"  # an answer that must land
    fake.hang_on, fake.hang_seconds = {"demo-org/widget#2"}, 1.0
    quick = Policy(timeout=0.1, attempts=2, backoff=0.01)
    code, out, err = check(fake, snapshot, today="2026-12-08", policy=quick)
    assert code == 1
    assert ("failed     https://github.com/demo-org/widget/issues/2  "
            "timed out after 0.1 s (in its batch, then asked alone)") in out
    assert "1 could not be checked and kept their previous entries" in out
    assert "asking in two halves" in err
    after = entries(snapshot)
    assert set(after["issues"]) == set(before["issues"])
    assert after["issues"]["https://github.com/demo-org/widget/issues/2"] == \
        before["issues"]["https://github.com/demo-org/widget/issues/2"]
    assert after["issues"]["https://github.com/demo-org/widget/issues/3"]["title"] == "Retried automatically"


def test_a_timeout_once_is_retried(fake, tmp_path):
    fake.hang_on, fake.hang_seconds, fake.hang_times = {"demo-org/widget#2"}, 1.0, 1
    code, out, err = check(fake, tmp_path / "upstream.json")
    assert code == 0, out
    assert "timed out after 0.25 s; retrying in" in err
    assert len(fake.requests("POST")) == 2


def test_malformed_json_is_reported_for_its_url_and_every_old_entry_is_kept(fake, tmp_path):
    snapshot = tmp_path / "upstream.json"
    check(fake, snapshot)
    before = entries(snapshot)
    fake.malformed_on = {"demo-org/gadget#7"}
    code, out, _ = check(fake, snapshot, today="2026-12-08")
    assert code == 1
    assert ("failed     https://github.com/demo-org/gadget/issues/7  "
            "malformed JSON in the answer (in its batch, then asked alone)") in out
    assert entries(snapshot) == before


def test_a_server_error_is_retried(fake, tmp_path):
    fake.errors_next = [502]
    code, out, err = check(fake, tmp_path / "upstream.json")
    assert code == 0, out
    assert "HTTP 502; retrying" in err


def test_github_unreachable_leaves_the_snapshot_as_it_was(fake, tmp_path):
    snapshot = tmp_path / "upstream.json"
    check(fake, snapshot)
    before = snapshot.read_bytes()
    fake.stop()
    code, out, _ = check(fake, snapshot, today="2026-12-08")
    assert code == 3
    assert "Nothing could be checked: cannot connect: [Errno 111] Connection refused (2 attempts)." in out
    assert snapshot.read_bytes() == before
    # Asked one by one, it gives up after five failures in a row instead of trying every URL.
    code, out, _ = check(fake, snapshot, "--batch-size", "1", today="2026-12-08")
    assert code == 3
    details = [line.split(None, 2)[2] for line in out.splitlines() if line.startswith("failed")]
    assert sum(detail.startswith("cannot connect") for detail in details) == 5
    assert sum(detail.startswith("not checked: 5 requests failed in a row (last: cannot connect")
               for detail in details) == 5
    assert "10 failed" in out


def many_threads(fake, tmp_path, count=40):
    """A records folder with one record citing `count` threads of demo-org/many, which the fake knows."""
    folder = tmp_path / "signatures" / "demo"
    folder.mkdir(parents=True)
    record = yaml.safe_load((RECORDS / "demo-widget" / "demo-widget-wrong-port.yaml").read_text())
    record["sources"] = [{"url": f"https://github.com/demo-org/many/issues/{n}", "title": f"Thread {n}"}
                         for n in range(100, 100 + count)]
    (folder / "demo-widget-wrong-port.yaml").write_text(yaml.safe_dump(record, sort_keys=False))
    for n in range(100, 100 + count):
        fake.threads[f"demo-org/many#{n}"] = dict(fake.threads["demo-org/widget#1"],
                                                   url=f"https://github.com/demo-org/many/issues/{n}")
    return folder.parent


def test_many_failures_for_one_reason_are_listed_ten_at_a_time(fake, tmp_path):
    records = many_threads(fake, tmp_path)
    fake.stop()
    code, out, _ = check(fake, tmp_path / "upstream.json", records=records)
    failed = [line for line in out.splitlines() if line.startswith("failed")]
    assert code == 3
    assert len(failed) == 11
    assert re.fullmatch(r"failed +\.\.\. and 30 more +cannot connect: \[Errno 111\] Connection refused "
                        r"\(2 attempts\)", failed[-1])
    code, out, _ = check(fake, tmp_path / "upstream.json", "--verbose", records=records)
    assert len([line for line in out.splitlines() if line.startswith("failed")]) == 40
    assert "... and" not in out


def test_one_broken_answer_in_a_full_batch_costs_only_its_own_url(fake, tmp_path):
    # 40 threads in one batch, the first of them breaking every answer that includes it:
    # halving pins it down (40, 20, 10, 5, 2, 1) without giving up on the run.
    records = many_threads(fake, tmp_path)
    fake.malformed_on = {"demo-org/many#100"}
    code, out, _ = check(fake, tmp_path / "upstream.json", records=records)
    assert code == 1, out
    assert [line.split()[1] for line in out.splitlines() if line.startswith("failed")] == [
        "https://github.com/demo-org/many/issues/100"]
    assert "39 new" in out


def test_batches_and_concurrency_give_the_same_snapshot(fake, tmp_path):
    one, many = tmp_path / "one.json", tmp_path / "many.json"
    check(fake, one)
    posts = len(fake.requests("POST"))
    check(fake, many, "--batch-size", "2", "--concurrency", "3")
    assert one.read_bytes() == many.read_bytes()
    assert len(fake.requests("POST")) - posts == 5  # ten items, two per query


def test_entries_no_record_cites_any_more_are_dropped(fake, tmp_path):
    snapshot = tmp_path / "upstream.json"
    check(fake, snapshot)
    data = entries(snapshot)
    data["issues"]["https://github.com/demo-org/widget/issues/99"] = {"kind": "issue", "state": "open", "title": "x"}
    snapshot.write_text(json.dumps(data))
    code, out, _ = check(fake, snapshot)
    assert code == 0
    assert "dropped    https://github.com/demo-org/widget/issues/99  no record cites it any more" in out
    assert "https://github.com/demo-org/widget/issues/99" not in entries(snapshot)["issues"]


def test_owners_and_names_travel_as_variables_not_in_the_query():
    items = sources_check.items_for([], ["demo-org/widget"])
    query, variables, _ = sources_check.build_query(items)
    assert variables == {"o0": "demo-org", "n0": "widget"}
    assert "demo-org" not in query and "widget" not in query


def test_usage_errors(fake, tmp_path):
    bad = tmp_path / "upstream.json"
    bad.write_text("{not json")
    code, _, err = check(fake, bad)
    assert code == 2 and "is not valid JSON (line 1)" in err and "git checkout --" in err
    code, _, err = check(fake, tmp_path / "u.json", "--batch-size", "500")
    assert code == 2 and "--batch-size must be between 1 and 100" in err
    args = cli.build_parser().parse_args(["sources", "check", "--snapshot", str(tmp_path / "u.json")])
    out, err = io.StringIO(), io.StringIO()
    assert sources_check.command(args, RECORDS, out, err) == 2  # github.com without a token: no request made
    assert "GITHUB_TOKEN is not set" in err.getvalue() and "gh auth token" in err.getvalue()


def test_the_help_documents_the_exit_codes_and_the_cli_copies_agree():
    assert cli.DEFAULT_API == github_api.DEFAULT_API
    assert cli.MAX_CONCURRENCY == sources_check.MAX_CONCURRENCY
    assert cli.STALE_DAYS == report.STALE_DAYS
    help_text = cli.build_parser()._subparsers._group_actions[0].choices["sources"] \
        ._subparsers._group_actions[0].choices["check"].format_help()
    for line in ("0  every cited URL", "1  some could not be checked", "2  usage error", "3  nothing could be"):
        assert line in help_text
    assert "--api-url URL" in help_text and "GITHUB_TOKEN" in help_text


def test_the_token_goes_only_to_the_api_over_https_or_to_this_machine():
    assert github_api.token_allowed("https://api.github.com/graphql", "https://api.github.com")
    assert github_api.token_allowed("http://127.0.0.1:8765/graphql", "http://127.0.0.1:8765")
    assert not github_api.token_allowed("http://ghe.example/api/graphql", "http://ghe.example/api/v3")
    assert not github_api.token_allowed("https://evil.example/x", "https://api.github.com")
    assert not github_api.token_allowed("https://api.github.com:444/x", "https://api.github.com")


def test_an_api_url_that_is_not_http_is_refused(fake, tmp_path):
    args = cli.build_parser().parse_args(["sources", "check", "--api-url", "api.github.com",
                                          "--snapshot", str(tmp_path / "u.json")])
    err = io.StringIO()
    assert sources_check.command(args, RECORDS, io.StringIO(), err) == 2
    assert "--api-url must be an http(s) URL" in err.getvalue()


def test_graphql_endpoint_for_github_enterprise():
    assert github_api.graphql_endpoint("https://api.github.com") == "https://api.github.com/graphql"
    assert github_api.graphql_endpoint("https://ghe.example/api/v3/") == "https://ghe.example/api/graphql"


def test_text_from_github_is_cleaned_before_it_is_stored(fake, tmp_path):
    fake.threads["demo-org/widget#1"]["title"] = "Evil \x1b[31mred\x1b[0m title\u202e with\nnewline"
    snapshot = tmp_path / "upstream.json"
    check(fake, snapshot)
    title = entries(snapshot)["issues"]["https://github.com/demo-org/widget/issues/1"]["title"]
    assert title == "Evil [31mred [0m title with newline"
    assert upstream.load(snapshot).issues  # and it loads back


def test_one_thread_cited_two_ways_is_asked_once_and_answers_both(fake, tmp_path):
    folder = tmp_path / "signatures"
    shutil.copytree(RECORDS, folder)
    path = folder / "demo-widget" / "demo-widget-wrong-port.yaml"
    path.write_text(path.read_text().replace(
        "sources:\n", "sources:\n  - url: https://github.com/demo-org/widget/issues/4\n    title: \"The PR, cited as an issue\"\n"))
    snapshot = tmp_path / "upstream.json"
    code, out, _ = check(fake, snapshot, records=folder)
    assert code == 0, out
    issues = entries(snapshot)["issues"]
    assert issues["https://github.com/demo-org/widget/issues/4"] == issues["https://github.com/demo-org/widget/pull/4"]
    assert issues["https://github.com/demo-org/widget/issues/4"]["kind"] == "pull"  # not "moved": the same thread
    [query] = [request for request in fake.requests("POST")]
    assert query["keys"].count("demo-org/widget#4") == 1


def test_a_renamed_release_repository_is_followed(fake, tmp_path):
    folder = tmp_path / "signatures"
    shutil.copytree(RECORDS, folder)
    path = folder / "demo-widget" / "demo-widget-wrong-port.yaml"
    path.write_text(path.read_text().replace("sources:\n", (
        "sources:\n  - url: https://github.com/demo-org/old-tools/blob/main/CHANGELOG.md\n"
        "    title: \"Old tools changelog\"\n")))
    snapshot = tmp_path / "upstream.json"
    code, out, _ = check(fake, snapshot, records=folder)
    assert code == 0, out
    assert entries(snapshot)["repositories"]["demo-org/old-tools"] == {
        "latest_release": None, "moved_to": "demo-org/widget-tools"}
    assert "moved      demo-org/old-tools" in out
    assert [r["path"] for r in fake.requests("GET") if "/issues/" not in r["path"]] == [
        "/repos/demo-org/old-tools", "/repositories/4242", "/repos/demo-org/widget-tools/releases/latest"]
