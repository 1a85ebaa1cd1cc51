"""kb show and kb lookup --show: a record in the terminal; and how record_text.py writes and cuts records."""
import os
import pty
import re
import subprocess
import sys

import yaml

from helpers import ROOT
from generator import api, record_text
from generator.validate import validate_folder

RECORD = "claude-code-mcp-no-oauth-flow-in-progress"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def kb(*args, env=None):
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PAGER")}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**environment, **(env or {})})


def yaml_record(record_id):
    path = next((ROOT / "signatures").rglob(f"{record_id}.yaml"))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_show_prints_plain_text_when_piped():
    done = kb("show", RECORD)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    data = yaml_record(RECORD)
    assert not ANSI.search(out)
    assert out.splitlines()[0] == data["title"]
    headings = [line for line in out.split("\n\n", 1)[1].splitlines() if line and not line.startswith((" ", "Page: "))]
    assert headings == ["What it means", "Causes, most common first", "How to fix it", "Checks by platform",
                            "Affects", "Sources", "Related"]
    for cause in data["causes"]:
        assert cause["title"] in out
    for source in data["sources"]:
        assert source["url"] in out
    assert "`mcp__{server}__complete_authentication`" in out  # code keeps its backticks in plain text
    assert "(https://github.com/anthropics/claude-code/issues/49043)" in out  # links as text (url)
    assert "**" not in out
    signatures = {"    " + (s if isinstance(s, str) else s["text"]) for s in data["signatures"]}  # never wrapped
    assert max(len(line) for line in out.splitlines() if "https://" not in line and line not in signatures) <= 80
    assert out.rstrip().endswith(f"Page: https://error-atlas.github.io/error-atlas/errors/{RECORD}/")


def test_show_colours_when_asked_and_never_splits_a_code_span_badly():
    out = kb("show", RECORD, "--color", "always").stdout
    assert "\x1b[1m" in out and "\x1b[36m" in out
    plain = ANSI.sub("", out)
    assert "`" not in plain.split("What it means", 1)[1].split("Causes")[0]  # colour replaces the backticks
    assert out.count("\x1b[36m") >= 10


def run_on_a_terminal(args, env):
    """kb with its standard output on a pseudo-terminal, as a person runs it; returns what the terminal showed."""
    main, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=ROOT, stdout=secondary,
                               stderr=subprocess.PIPE, env=env)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    with process.stderr:
        errors = process.stderr.read()
    assert process.wait(timeout=30) == 0, errors
    return shown.decode("utf-8", "replace")


def test_show_on_a_terminal_goes_through_PAGER_with_colour(tmp_path):
    captured = tmp_path / "paged.txt"
    pager = tmp_path / "pager.py"
    pager.write_text("import sys\nopen(sys.argv[1], 'wb').write(sys.stdin.buffer.read())\n")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", PAGER=f"{sys.executable} {pager} {captured}")
    shown = run_on_a_terminal(["show", RECORD], env)
    paged = captured.read_text(encoding="utf-8")
    assert "What it means" in paged and "\x1b[1m" in paged
    assert "What it means" not in shown  # it went to the pager, not around it
    env["NO_COLOR"] = "1"
    run_on_a_terminal(["show", RECORD], env)
    assert not ANSI.search(captured.read_text(encoding="utf-8"))
    env["PAGER"] = "cat"
    shown = run_on_a_terminal(["show", "--no-pager", RECORD], env)
    assert "What it means" in shown


def test_an_unknown_id_gets_the_closest_ids():
    done = kb("show", "claude-code-mcp-no-oauth-flow")
    assert done.returncode == 1
    assert "no record has the id 'claude-code-mcp-no-oauth-flow'" in done.stderr
    assert f"Did you mean: {RECORD}" in done.stderr
    assert "kb lookup" in done.stderr and done.stdout == ""


def test_a_former_id_shows_the_record_it_was_renamed_to(valid_records):
    path = valid_records / "demo-tool" / "demo-tool-widget-timeout.yaml"
    path.write_text(path.read_text() + "aliases: [demo-widget-slow]\n")
    done = kb("show", "--signatures", str(valid_records), "demo-widget-slow")
    assert done.returncode == 0, done.stderr
    assert "demo-widget-slow was renamed to demo-tool-widget-timeout" in done.stderr
    assert done.stdout.startswith("Widget request timed out\n")


def test_lookup_show_prints_the_best_match_in_full():
    done = kb("lookup", "--show", "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first")
    assert done.returncode == 0, done.stderr
    assert f"Best match: {RECORD} (exact, score 100)" in done.stderr
    assert done.stdout.startswith(yaml_record(RECORD)["title"] + "\n")
    assert "How to fix it" in done.stdout
    none = kb("lookup", "--show", "completely unrelated words with nothing in common")
    assert none.returncode == 1 and "No record matches" in none.stdout


# -- record_text.py -----------------------------------------------------------------------

def real_records():
    return [api.record_json(record, "https://kb.example/") for record in validate_folder(ROOT / "signatures").records]


def test_full_markdown_holds_every_part_of_the_record():
    for record in real_records():
        text = record_text.full_markdown(record)
        assert text.startswith(f"# {record['title']}\n")
        for part in ([c["title"] for c in record["causes"]] + [s for f in record["fixes"] for s in f["steps"]] +
                     [s["url"] for s in record["sources"]] +
                     [record_text.signature_text(s) for s in record["signatures"]]):
            assert part.strip().split("\n")[0] in text, (record["id"], part)


def test_clip_cuts_at_boundaries_and_never_leaves_code_or_links_open():
    text = ("First sentence with `some code` here. Second one has a [link](https://example.org/a-long-path) "
            "and `more code that goes on and on` until the end of it. Third.")
    for limit in range(20, len(text) + 5, 3):
        cut = record_text.clip(text, limit)
        assert len(cut) <= limit + 1
        assert cut.count("`") % 2 == 0, cut
        assert cut.count("[") == cut.count("]") and cut.count("](") == cut.count(")"), cut
    assert record_text.clip(text, len(text)) == text
    fenced = "Intro.\n\n```text\nline one\n\nline two\n```\n\nAfter the block."
    assert record_text.clip(fenced, 25) in ("Intro. …", "Intro.")
    assert record_text.clip(fenced, 500) == fenced


def test_lookup_answers_fit_their_budget_and_keep_every_header():
    records = real_records()[:3]
    matches = [({"id": r["id"], "title": r["title"], "confidence": "likely", "score": 90, "line": 1,
                 "line_text": "x", "variables": {"a": "b"}, "url": r["url"]}, r) for r in records]
    for budget in (20_000, 8000, 4000, 2000):
        text, levels = record_text.lookup_markdown("# header", matches, budget)
        for record in records:
            assert f"`{record['id']}`" in text and f'get_error(id="{record["id"]}")' in text
        assert levels == sorted(levels, reverse=True)  # the best match keeps the most detail
        if levels[0] > 0:
            assert len(text) <= budget
    assert record_text.lookup_markdown("# header", matches, 20_000)[1][0] == 3
    assert record_text.lookup_markdown("# header", matches, 2000)[1][0] < 3
