"""The lookup engine: exact templates first, then fuzzy matching, or honestly nothing."""
import json
import os
import subprocess
import sys

import pytest

from helpers import FIXTURES, ROOT
from generator import index_cache
from generator.lookup import Matcher, build_index, scan
from generator.records import Record
import datetime as dt


def record(record_id, *signatures, title=None):
    return Record(id=record_id, rel_path=f"t/{record_id}.yaml", title=title or record_id, tool="T", category="C",
                  signatures=list(signatures), examples=[], meaning="m", causes=[], fixes=[], sources=[],
                  updated=dt.date(2026, 1, 1))


MATCHER = Matcher(build_index([
    record("oauth-no-flow", "No OAuth flow is in progress for {provider}. Call mcp__{provider}__authenticate first"),
    record("npm-eresolve", "npm ERR! code ERESOLVE", "ERESOLVE unable to resolve dependency tree"),
    record("npm-enoent", "npm ERR! code ENOENT", "npm ERR! enoent ENOENT: no such file or directory, open '{path}'"),
    record("pip-no-version", "ERROR: Could not find a version that satisfies the requirement {requirement} "
                             "(from versions: {versions})"),
    record("git-unrelated", "fatal: refusing to merge unrelated histories"),
    record("docker-daemon", "Cannot connect to the Docker daemon at {socket}. Is the docker daemon running?"),
]))


def ids(text, limit=5):
    return [match.id for match in MATCHER.lookup(text, limit=limit)]


def test_exact_match_in_a_noisy_log_gives_values_and_line():
    paste = ("\x1b[31m2026-11-02T10:11:12.345Z [error]\x1b[0m starting\n"
             "  at Object.<anonymous> (/home/me/app/index.js:10:5)\n"
             "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first, then retry\n")
    match = MATCHER.lookup(paste)[0]
    assert (match.id, match.confidence, match.score) == ("oauth-no-flow", "exact", 100)
    assert match.variables == {"provider": "asana"}
    assert match.line == 3
    assert match.line_text.startswith("No OAuth flow is in progress for asana")


def test_a_message_wrapped_over_two_lines_still_matches_exactly():
    match = MATCHER.lookup("ERROR: Could not find a version that satisfies the\nrequirement foo==1.0 "
                           "(from versions: none)")[0]
    assert match.confidence == "exact" and match.variables["requirement"] == "foo==1.0"


def test_near_identical_signatures_are_told_apart():
    assert ids("npm ERR! code ENOENT\nnpm ERR! syscall open")[0] == "npm-enoent"
    assert ids("npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE could not resolve")[0] == "npm-eresolve"


def test_truncated_and_mistyped_pastes_find_their_record_with_less_confidence():
    truncated = MATCHER.lookup("fatal: refusing to merge unrel")[0]
    assert truncated.id == "git-unrelated" and truncated.confidence in ("likely", "possible")
    mistyped = MATCHER.lookup("Cannot conect to the Docker daemon at unix:///var/run/docker.sock. "
                              "Is the docker daemon running?")[0]
    assert mistyped.id == "docker-daemon" and mistyped.confidence != "exact"


def test_an_unknown_error_gets_no_answer_rather_than_a_wrong_one():
    assert ids("fatal: unable to access 'https://github.com/x/y.git/': Could not resolve host: github.com") == []
    assert ids("npm ERR! code ELIFECYCLE\nnpm ERR! errno 1") == []
    assert ids("") == [] and ids("   \n\n") == []


def test_two_errors_in_one_paste_come_in_paste_order():
    paste = "npm ERR! code ENOENT\nsomething\nfatal: refusing to merge unrelated histories"
    assert ids(paste)[:2] == ["npm-enoent", "git-unrelated"]


def test_huge_and_pathological_pastes_are_handled():
    line = "No OAuth flow is in progress for " + "x" * 3000 + " Call mcp__y__authenticate first"
    assert MATCHER.lookup(line * 300) == [] or MATCHER.lookup(line * 300)[0].id == "oauth-no-flow"
    megabyte = ("npm ERR! " + "a " * 50 + "\n") * 10_000
    assert len(megabyte) > 1_000_000
    assert ids(megabyte) == []


def test_scan_reports_each_error_once_with_its_first_line_and_count():
    log = ["ok\n"] * 5 + ["npm ERR! code ENOENT\n"] + ["ok\n"] * 3 + ["npm ERR! code ENOENT\n",
                                                                     "fatal: refusing to merge unrelated histories\n"]
    findings = scan(MATCHER, log)
    assert [(f.id, f.line, f.count) for f in findings] == [("npm-enoent", 6, 2), ("git-unrelated", 11, 1)]


def kb(*args, stdin=None, env=None):
    environment = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, input=stdin, env=environment,
                          capture_output=True, text=True)


def test_cli_lookup_json_and_exit_codes(tmp_path):
    cache = {"KB_CACHE_DIR": str(tmp_path)}
    folder = str(FIXTURES / "valid")
    found = kb("lookup", "--signatures", folder, "--json", "-", stdin="Error: widget 'zeta' refused the connection",
               env=cache)
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert result[0]["id"] == "demo-tool-widget-refused"
    assert set(result[0]) >= {"id", "score", "confidence", "signature", "variables", "line"}
    assert result[0]["variables"] == {"widget": "'zeta'"}
    none = kb("lookup", "--signatures", folder, "--json", "completely unrelated words here", env=cache)
    assert (none.returncode, json.loads(none.stdout)) == (1, [])
    assert kb("lookup", "--signatures", folder, env=cache).returncode == 2
    assert kb("lookup", "--signatures", folder, "--limit", "0", "x", env=cache).returncode == 2
    human = kb("lookup", "--signatures", folder, "Error: widget 'zeta' refused the connection", env=cache)
    assert "1. demo-tool-widget-refused  [exact, score 100]" in human.stdout


def test_cli_scan(tmp_path):
    log = tmp_path / "ci.log"
    log.write_text("start\n" * 1000 + "Error: widget 'alpha' timed out after 30000 ms\n" + "end\n")
    done = kb("scan", "--signatures", str(FIXTURES / "valid"), "--json", str(log),
              env={"KB_CACHE_DIR": str(tmp_path)})
    assert done.returncode == 0
    assert [(f["id"], f["line"]) for f in json.loads(done.stdout)] == [("demo-tool-widget-timeout", 1001)]
    missing = kb("scan", "--signatures", str(FIXTURES / "valid"), str(tmp_path / "nope.log"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_index_is_cached_and_rebuilt_when_a_record_changes(valid_records, tmp_path, monkeypatch):
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    first = index_cache.load_index(valid_records)
    calls = []
    import generator.validate

    real = generator.validate.validate_folder
    monkeypatch.setattr(generator.validate, "validate_folder", lambda folder: calls.append(folder) or real(folder))
    assert index_cache.load_index(valid_records) == first
    assert calls == []  # served from the cache: no YAML parsed
    path = valid_records / "demo-tool" / "demo-tool-widget-refused.yaml"
    path.write_text(path.read_text().replace("refused the connection\"", "refused the connection now\""))
    rebuilt = index_cache.load_index(valid_records)
    assert len(calls) == 1
    assert rebuilt != first


def test_lookup_with_invalid_records_says_so(valid_records, tmp_path):
    path = valid_records / "demo-tool" / "demo-tool-widget-refused.yaml"
    path.write_text(path.read_text().replace("causes:", "casues:"))
    done = kb("lookup", "--signatures", str(valid_records), "x y z", env={"KB_CACHE_DIR": str(tmp_path)})
    assert done.returncode == 2 and "casues" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("bad", [{"format": "other", "version": 1, "records": []},
                                 {"format": "error-atlas-lookup-index", "version": 99, "records": []}])
def test_matcher_refuses_an_unknown_index_format(bad):
    with pytest.raises(ValueError):
        Matcher(bad)
