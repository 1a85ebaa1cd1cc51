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


# -- the forms people paste errors in (issue: fragments, wrappers, other wordings, JSON) ----------

FORMS = Matcher(build_index([
    record("pkix", "javax.net.ssl.SSLHandshakeException: PKIX path building failed: "
                   "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid "
                   "certification path to requested target"),
    record("java-heap", "java.lang.OutOfMemoryError: Java heap space"),
    record("tf-lock", "Error: Error acquiring the state lock\n\nError message: {message}\nLock Info:\n"
                      "  ID:        {id}\n  Path:      {path}\n  Operation: {operation}"),
    record("overloaded", 'API Error: 529 {{"type":"error","error":{{"type":"overloaded_error","message":'
                         '"Overloaded"}}}}'),
    record("nuget-nu1101", "error NU1101: Unable to find package {package}. No packages exist with this id in "
                           "source(s): {sources}"),
    record("cc-timeout", 'MCP server "{server}": Connection failed after {ms}ms: MCP error -32001: Request timed out'),
    record("mcp-timeout", "McpError: MCP error -32001: Request timed out"),
    record("esm", "Error [ERR_REQUIRE_ESM]: require() of ES Module {path} from {importer} not supported."),
    # Others, so that words common to many messages weigh little, as in a real knowledge base.
    record("npm-eresolve", "npm ERR! code ERESOLVE", "npm ERR! ERESOLVE unable to resolve dependency tree"),
    record("git-unrelated", "fatal: refusing to merge unrelated histories"),
    record("docker-daemon", "Cannot connect to the Docker daemon at {socket}. Is the docker daemon running?"),
    record("pip-no-version", "ERROR: Could not find a version that satisfies the requirement {requirement}"),
    record("port", "Error: listen EADDRINUSE: address already in use {address}"),
    record("enoent", "Error: ENOENT: no such file or directory, open '{path}'"),
    record("module", "Error: Cannot find module '{module}'"),
    record("refused", "connect ECONNREFUSED {address}"),
]))


def forms(text, weak=0):
    return FORMS.search(text, limit=3, weak=weak)


def test_a_wrapper_around_the_same_message_finds_it():
    # Maven prints the cause under its own exception, without javax.net.ssl.SSLHandshakeException.
    found = forms("org.apache.maven.wagon.TransferFailedException: Could not transfer artifact x:y:pom:1.0 from/to "
                  "central (https://repo.maven.apache.org/maven2): PKIX path building failed: sun.security.provider."
                  "certpath.SunCertPathBuilderException: unable to find valid certification path to requested target")
    assert found.matches[0].id == "pkix" and found.matches[0].confidence == "likely"


def test_the_first_line_of_a_long_message_alone_finds_it():
    found = forms("Error: Error acquiring the state lock")
    assert found.matches and found.matches[0].id == "tf-lock" and found.matches[0].confidence != "exact"


def test_the_same_context_with_another_cause_is_another_error():
    assert forms("java.lang.OutOfMemoryError: Metaspace").matches == []
    assert forms("java.lang.OutOfMemoryError: GC overhead limit exceeded").matches == []


def test_a_json_body_printed_over_many_lines_finds_its_record():
    pretty = ('API Error: 529 {\n  "type": "error",\n  "error": {\n    "type": "overloaded_error",\n'
              '    "message": "Overloaded"\n  }\n}')
    assert [m.id for m in forms(pretty).matches][:1] == ["overloaded"]


def test_an_error_code_that_one_record_has_names_it_whatever_the_wording():
    older = ("Error [ERR_REQUIRE_ESM]: Must use import to load ES Module: /app/node_modules/x/index.js\n"
             "require() of ES modules is not supported.")
    found = forms(older).matches
    assert found and found[0].id == "esm" and found[0].score >= 65


def test_a_code_that_differs_by_a_digit_is_not_a_typo():
    assert forms("error NU1102: Unable to find package Foo with version (>= 2.0.3)").matches == []
    assert forms("error NU1101: Unable to find package Foo. No packages exist with this id in source(s): "
                 "nuget.org").matches[0].id == "nuget-nu1101"


def test_words_glued_to_a_value_still_allow_an_exact_match():
    found = forms('[DEBUG] MCP server "sleep": Connection failed after 60031ms: MCP error -32001: Request timed out')
    assert (found.matches[0].id, found.matches[0].confidence) == ("cc-timeout", "exact")
    assert found.matches[0].variables == {"server": "sleep", "ms": "60031"}


def test_a_close_record_that_is_not_an_answer_is_only_a_weak_lead():
    close = "Cannot connect to the daemon at unix:///var/run/docker.sock"  # which daemon? not said
    found = forms(close, weak=3)
    assert found.matches == []
    assert [m.id for m in found.weak] == ["docker-daemon"] and found.weak[0].confidence == "weak"
    assert 40 <= found.weak[0].score < 65
    assert forms(close).weak == []  # only when asked for


def test_a_long_log_is_read_at_its_start_and_end():
    error = "fatal: refusing to merge unrelated histories"
    log = "".join(f"step {n} ok\n" for n in range(20159)) + error + "\n"
    found = forms(log)
    assert [(m.id, m.line) for m in found.matches] == [("git-unrelated", 20160)]
    assert (found.lines, found.skipped) == (20160, (1001, 16160))
    early = error + "\n" + "".join(f"step {n} ok\n" for n in range(20159))
    assert forms(early).matches[0].line == 1  # the first 1,000 lines are read too
    middle = "".join(f"step {n} ok\n" for n in range(2000)) + error + "\n" + "".join(
        f"step {n} ok\n" for n in range(5000))
    assert forms(middle).matches == [] and forms(middle).skipped == (1001, 3001)  # line 2,001 is not read


def test_a_line_longer_than_lookup_reads_at_once_is_read_in_pieces():
    line = "noise " * 600 + "fatal: refusing to merge unrelated histories " + "noise " * 600
    found = forms(line)
    assert found.matches[0].id == "git-unrelated" and found.matches[0].line == 1 and found.skipped is None


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


def test_cli_lookup_shows_weak_leads_apart_and_in_json_only_when_asked(tmp_path):
    cache = {"KB_CACHE_DIR": str(tmp_path)}
    folder = str(FIXTURES / "valid")
    close = "widget zeta refused connection"  # close to a record, not an answer
    human = kb("lookup", "--signatures", folder, close, env=cache)
    assert human.returncode == 1
    assert human.stdout.startswith("No record matches this text with confidence.")
    assert "Not sure:" in human.stdout and "demo-tool-widget-refused  [weak, score" in human.stdout
    assert "kb new" in human.stdout
    assert json.loads(kb("lookup", "--signatures", folder, "--json", close, env=cache).stdout) == []
    weak = json.loads(kb("lookup", "--signatures", folder, "--json", "--weak", close, env=cache).stdout)
    assert [(m["id"], m["confidence"]) for m in weak] == [("demo-tool-widget-refused", "weak")]


def test_cli_lookup_says_which_lines_of_a_long_paste_it_skipped(tmp_path):
    log = "".join(f"step {n}\n" for n in range(7000)) + "Error: widget 'zeta' refused the connection\n"
    done = kb("lookup", "--signatures", str(FIXTURES / "valid"), "-", stdin=log, env={"KB_CACHE_DIR": str(tmp_path)})
    assert done.returncode == 0 and "demo-tool-widget-refused" in done.stdout
    assert "this paste has 7,001 lines; lines 1,001 to 3,001 were not read" in done.stdout
    assert "kb scan" in done.stdout


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
