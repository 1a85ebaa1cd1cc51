"""From a pasted error to a record: kb new, redaction, and the checks that teach."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from helpers import FIXTURES, ROOT
from generator import scaffold, signature
from generator.redact import redact
from generator.validate import validate_folder


def kb(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, input=stdin,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), capture_output=True, text=True)


@pytest.mark.parametrize("line, template", [
    ("Error: ENOENT: no such file or directory, open '/home/me/app/package.json'",
     "Error: ENOENT: no such file or directory, open '{path}'"),
    ("connection to server at \"localhost\" (::1), port 5432 failed: Connection refused",
     "connection to server at \"{name}\" (::{number}), port {number_2} failed: Connection refused"),
    ("Could not connect to 127.0.0.1:8080 after 3 tries (v2.1.143)",
     "Could not connect to {host}:{port} after {number} tries ({version})"),
    ("Fetch https://registry.example.org/x failed with id 9f8e7d6c5b4a and {json}",
     "Fetch {url} failed with id {id} and {{json}}"),
    ("Got 'a' then 'a' again", "Got '{name}' then '{name}' again"),
    ("Couldn't register with mcp.example.com's sign-in service: ofid_2850c3d4f199a9c0",
     "Couldn't register with {host}'s sign-in service: {id}"),
    ("Cannot read package.json in github.com/x", "Cannot read package.json in {host}/x"),
    # A URL is one placeholder, whatever it holds: a redacted password, an IPv6 host.
    ("connect to https://admin:[REDACTED]@db.example.com:5432/x failed", "connect to {url} failed"),
    ("GET http://[::1]:8080/api?token=[REDACTED] failed.", "GET {url} failed."),
])
def test_variable_parts_become_placeholders_and_the_rest_stays(line, template):
    assert scaffold.propose_template(line) == template
    assert signature.parse(template).search(line) is not None


def test_the_error_line_is_found_in_a_log_without_its_timestamp_and_level():
    log = "starting\n2026-01-02T03:04:05.678Z [error] Cannot find module 'x'\nat foo (bar.js:1:2)"
    assert scaffold.error_line(log) == "Cannot find module 'x'"
    assert scaffold.error_line("just one line") == "just one line"


def test_secrets_are_redacted():
    text, found = redact("token=ghp_abcdefghijklmnopqrstuvwxyz0123 https://bob:hunter2@host/x "
                         "mail me@example.com git@github.com: Permission denied "
                         "Authorization: Bearer abcdefghijklmnop sk-ant-api03-abcdefghijklmnopqrstuv")
    for secret in ("ghp_", "hunter2", "me@example.com", "abcdefghijklmnop", "sk-ant"):
        assert secret not in text
    assert "git@github.com: Permission denied" in text  # an SSH user is not an e-mail address
    assert len(found) == 5


@pytest.fixture
def kb_copy(tmp_path):
    target = tmp_path / "signatures"
    shutil.copytree(ROOT / "signatures", target)
    return target


def test_new_names_the_record_that_already_covers_a_paste(kb_copy):
    done = kb("new", "--signatures", str(kb_copy), "--tool", "Claude Code",
              "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first, then retry with the "
              "callback URL.")
    assert done.returncode == 1
    assert "Already covered: claude-code-mcp-no-oauth-flow-in-progress (exact, score 100)" in done.stdout
    assert "errors/claude-code-mcp-no-oauth-flow-in-progress/" in done.stdout


def test_new_writes_a_skeleton_whose_signature_matches_the_paste(kb_copy):
    paste = ("2026-11-02T10:11:12Z [error] Widget 'alpha' exploded at /srv/app/main.py "
             "(token ghp_abcdefghijklmnopqrstuvwxyz0123)")
    done = kb("new", "--signatures", str(kb_copy), "--tool", "Demo Widget", "-", stdin=paste)
    assert done.returncode == 0, done.stderr
    assert "Redacted before writing: 1 GitHub token" in done.stdout
    written = next((kb_copy / "demo-widget").glob("*.yaml"))
    text = written.read_text()
    assert "ghp_" not in text and text.startswith("# yaml-language-server: $schema=")
    problems = validate_folder(kb_copy).problems
    assert problems and {p.code for p in problems} == {"EA022"}  # only the TODOs are left to write
    # Completing the TODOs yields a valid record whose signature finds the paste.
    finished = text.replace("https://github.com/TODO", "https://example.org/report")
    finished = finished.replace("TODO: the category, e.g. AI Coding Tools", "Test Fixtures")
    finished = finished.replace('"TODO: open, fixed, workaround or wontfix"', "open")
    finished = "\n".join(line.replace("TODO", "Filled") for line in finished.split("\n"))
    written.write_text(finished)
    assert [p.text() for p in validate_folder(kb_copy).problems] == []
    found = json.loads(kb("lookup", "--signatures", str(kb_copy), "--json", paste).stdout)
    assert found[0]["id"] == written.stem and found[0]["confidence"] == "exact"


def test_new_never_overwrites(kb_copy):
    paste = "Gadget 'beta' melted down"
    first = kb("new", "--signatures", str(kb_copy), "--tool", "Demo Widget", paste)
    second = kb("new", "--signatures", str(kb_copy), "--tool", "Demo Widget", "--force", paste)
    assert first.returncode == 0 and second.returncode == 0
    files = sorted(p.name for p in (kb_copy / "demo-widget").glob("*.yaml"))
    assert files == ["demo-widget-gadget-melted-down-2.yaml", "demo-widget-gadget-melted-down.yaml"]


def test_validate_paths_reports_only_those_files_and_github_format():
    broken = FIXTURES / "broken"
    done = kb("validate", "--signatures", str(broken), "--format", "github",
              str(broken / "demo" / "ea022-todo-marker.yaml"), str(broken / "collide" / "ea023-collide-second.yaml"))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 4  # EA023 and EA024 in the collide fixture, two TODOs (meaning, status)
    assert lines[0].startswith("::error file=tests/fixtures/broken/collide/ea023-collide-second.yaml,line=6,col=5,"
                               "title=EA023::ea023-collide-second and ea023-collide-first cannot be told apart")
    assert sum("title=EA022::" in line for line in lines) == 2
    clean = kb("validate", str(ROOT / "signatures" / "aider" / "aider-model-hit-token-limit.yaml"))
    assert clean.returncode == 0


def test_renamed_record_keeps_its_old_url(tmp_path, valid_records):
    path = valid_records / "demo-tool" / "demo-tool-widget-refused.yaml"
    path.write_text(path.read_text() + "aliases: [widget-refused-old-name]\n")
    site = tmp_path / "site"
    done = kb("build", "--signatures", str(valid_records), "--site-dir", str(site))
    assert done.returncode == 0, done.stderr
    page = (site / "errors" / "widget-refused-old-name" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../demo-tool-widget-refused/">' in page
    path.write_text(path.read_text().replace("widget-refused-old-name", "demo-tool-widget-timeout"))
    codes = [p.code for p in validate_folder(valid_records).problems]
    assert codes == ["EA007"]  # an alias may not take a live record's id
