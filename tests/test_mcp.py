"""kb mcp, driven as an agent drives it: the MCP SDK's own client, over stdio, against a real subprocess.

Records from a signatures folder, and from the built site served on
127.0.0.1 (--site). Then what goes wrong: unknown errors and ids, empty and
huge text, a site that is down, answers garbage, or never answers. Every
failure must be a tool error (isError) that says what to do, within seconds.
"""
from __future__ import annotations

import asyncio
import functools
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError

from helpers import ROOT
from browser.browser_support import SiteHandler

RECORD = "claude-code-mcp-no-oauth-flow-in-progress"
TOOLS = {"lookup_error", "get_error", "list_errors"}


def yaml_records() -> dict[str, dict]:
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in (ROOT / "signatures").rglob("*.yaml")}


def example(record_id: str) -> str:
    return yaml_records()[record_id]["examples"][0]


def cli_lookup(text: str, cache: Path) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "generator", "lookup", "--json", "--limit", "3", "-"], input=text,
                          cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, KB_CACHE_DIR=str(cache)))
    return json.loads(done.stdout)


def session(args: list[str], body, cache: Path, mode: str = "legacy", seconds: float = 60):
    """Start `kb mcp ARGS` and run `body(client)` against it; the answer of body."""
    async def main():
        params = StdioServerParameters(command=sys.executable, args=["-m", "generator", "mcp", *args], cwd=str(ROOT),
                                       env=dict(os.environ, KB_CACHE_DIR=str(cache)))
        async with Client(params, mode=mode, read_timeout_seconds=seconds) as client:
            return await body(client)

    # In a thread of its own: Playwright's sync API (the browser tests) keeps an event loop running in this one.
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = asyncio.run(asyncio.wait_for(main(), seconds))
        except BaseException as err:  # handed to the test below
            outcome["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(seconds + 10)
    assert not thread.is_alive(), "the MCP session did not finish"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def text_of(result) -> str:
    assert len(result.content) == 1 and result.content[0].type == "text"
    return result.content[0].text


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


# -- from a signatures folder -------------------------------------------------------------

def test_an_agent_initializes_lists_and_calls_every_tool(cache):
    paste = "2026-11-30T10:00:00Z [error] " + example(RECORD)

    async def body(client):
        init = (client.protocol_version, client.server_info, client.instructions)
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        resources = (await client.list_resources()).resources
        templates = (await client.list_resource_templates()).resource_templates
        found = await client.call_tool("lookup_error", {"text": paste})
        record = await client.call_tool("get_error", {"id": RECORD})
        listed = await client.call_tool("list_errors", {"tool": "Claude Code"})
        everything = await client.call_tool("list_errors", {})
        read = await client.read_resource(f"error-atlas://errors/{RECORD}")
        index = await client.read_resource("error-atlas://errors")
        return init, tools, resources, templates, found, record, listed, everything, read, index

    init, tools, resources, templates, found, record, listed, everything, read, index = session(
        ["--signatures", "signatures"], body, cache)
    protocol, info, instructions = init
    assert protocol == "2025-11-25"  # the initialize handshake, as today's clients do it
    assert info.name == "error-atlas" and "lookup_error" in instructions
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.annotations.read_only_hint and tool.output_schema["type"] == "object"
        assert len(tool.description) > 200  # written for a model: when to call it, what comes back
    assert set(tools["lookup_error"].input_schema["properties"]) == {"text", "limit"}
    assert [r.uri for r in resources] == ["error-atlas://errors"]
    assert [t.uri_template for t in templates] == ["error-atlas://errors/{id}"]

    # lookup_error answers what `kb lookup` ranks, with the record's meaning, causes and fixes.
    assert not found.is_error
    expected = cli_lookup(paste, cache)
    matches = found.structured_content["matches"]
    assert [(m["id"], m["score"], m["confidence"], m["variables"], m["line"]) for m in matches] == [
        (m["id"], m["score"], m["confidence"], m["variables"], m["line"]) for m in expected]
    assert matches[0]["id"] == RECORD and matches[0]["confidence"] == "exact"
    assert matches[0]["url"] == f"https://error-atlas.github.io/error-atlas/errors/{RECORD}/"
    answer = text_of(found)
    data = yaml_records()[RECORD]
    assert f"`{RECORD}` · exact match (score 100)" in answer
    assert "**What it means.**" in answer and data["causes"][0]["title"] in answer and data["fixes"][0]["title"] in answer
    assert f'get_error(id="{RECORD}")' in answer
    assert len(answer) <= 10_000

    # get_error: the whole record as Markdown, its facts as data.
    assert not record.is_error
    whole = text_of(record)
    assert whole.startswith(f"# {data['title']}\n")
    assert all(source["url"] in whole for source in data["sources"])
    assert all(step.split("\n")[0] in whole for fix in data["fixes"] for step in fix["steps"])
    assert record.structured_content["status"] == data["status"]
    assert [s["url"] for s in record.structured_content["sources"]] == [s["url"] for s in data["sources"]]
    assert read.contents[0].text == text_of(record) and read.contents[0].mime_type == "text/markdown"

    claude = sorted(record_id for record_id, r in yaml_records().items() if r["tool"] == "Claude Code")
    assert [r["id"] for r in listed.structured_content["records"]] == claude
    assert everything.structured_content["total"] == len(yaml_records())
    assert len(json.loads(index.contents[0].text)) == len(yaml_records())


def test_an_unknown_error_is_said_plainly_with_the_way_to_add_it(cache):
    async def body(client):
        return await client.call_tool("lookup_error", {"text": "frobnicator exploded: quux overflow in zorblax"})

    result = session([], body, cache)
    assert not result.is_error and result.structured_content["matches"] == []
    text = text_of(result)
    assert "no record matches this text" in text and "kb new" in text
    assert "https://github.com/error-atlas/error-atlas/issues/new?template=add-error.yml" in text
    assert "https://error-atlas.github.io/error-atlas/contributing/" in text


def test_a_close_record_comes_back_as_a_not_sure_lead_when_nothing_matches(cache):
    from generator.lookup import Matcher, build_index
    from generator.validate import validate_folder

    records = sorted(validate_folder(ROOT / "signatures").records, key=lambda r: r.id)
    matcher = Matcher(build_index(records))
    close = None
    for record in records:  # a real example with more and more words replaced, until only "not sure" is left
        for example in record.examples:
            words = example.split()
            for replaced in range(1, len(words)):
                text = " ".join("frobnicated" if i % 2 and i < 2 * replaced else w for i, w in enumerate(words))
                answer = matcher.search(text, limit=3, weak=3)
                if not answer.matches:
                    close = (text, answer) if answer.weak else None
                    break
            if close:
                break
        if close:
            break
    assert close, "no example degrades into a 'not sure' paste"
    text, expected = close

    async def body(client):
        return await client.call_tool("lookup_error", {"text": text})

    result = session([], body, cache)
    assert not result.is_error and result.structured_content["matches"] == []
    assert [m["id"] for m in result.structured_content["not_sure"]] == [m.id for m in expected.weak]
    assert "Not sure:" in text_of(result) and f'get_error(id="{expected.weak[0].id}")' in text_of(result)


def test_bad_input_gets_tool_errors_that_say_what_to_do(cache):
    calls = [
        ("lookup_error", {"text": ""}, "The text is empty"),
        ("lookup_error", {"text": "   \n\t "}, "The text is empty"),
        ("lookup_error", {"text": "Error: " + "x" * 5_000_000}, "lookup_error takes at most 1,000,000"),
        ("lookup_error", {"text": "npm ERR!", "limit": 0}, "limit must be a whole number from 1 to 10"),
        ("lookup_error", {"text": "npm ERR!", "limit": "many"}, "limit"),
        ("lookup_error", {}, "text"),
        ("get_error", {"id": "claude-code-mcp-no-oauth-flow"}, f"Close ids: {RECORD}"),
        ("get_error", {"id": "../../etc/passwd"}, "No record has the id"),
        ("get_error", {"id": "x" * 100_000}, "That is not a record id"),
        ("list_errors", {"tool": "No Such Tool"}, "Tools: "),
    ]

    async def body(client):
        results = [await client.call_tool(name, arguments) for name, arguments, _ in calls]
        missing = None
        try:
            await client.read_resource("error-atlas://errors/no-such-record")
        except MCPError as err:
            missing = str(err)
        after = await client.call_tool("lookup_error", {"text": example(RECORD)})  # still serving
        return results, missing, after

    started = time.monotonic()
    results, missing, after = session([], body, cache)
    assert time.monotonic() - started < 30
    for (name, arguments, expected), result in zip(calls, results):
        if name == "list_errors":
            assert not result.is_error and expected in text_of(result)
        else:
            assert result.is_error, (name, arguments)
            assert expected in text_of(result), text_of(result)
    assert "No record has the id 'no-such-record'" in missing
    assert not after.is_error and after.structured_content["matches"][0]["id"] == RECORD


def test_a_modern_client_without_the_initialize_handshake_works_too(cache):
    async def body(client):
        return await client.call_tool("lookup_error", {"text": example(RECORD)})

    result = session([], body, cache, mode="auto")
    assert result.structured_content["matches"][0]["id"] == RECORD


def test_kb_mcp_refuses_to_start_without_records(tmp_path, cache):
    done = subprocess.run([sys.executable, "-m", "generator", "mcp", "--signatures", str(tmp_path / "none")],
                          cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert done.returncode == 2 and "--site URL" in done.stderr
    bad = subprocess.run([sys.executable, "-m", "generator", "mcp", "--site", "ftp://example.org/"],
                         cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert bad.returncode == 2 and "http(s) address" in bad.stderr


def test_broken_records_give_a_tool_error_that_names_the_fix(valid_records, cache):
    path = valid_records / "demo-tool" / "demo-tool-widget-refused.yaml"
    path.write_text(path.read_text().replace("causes:", "casues:"))

    async def body(client):
        return await client.call_tool("lookup_error", {"text": "Error: widget 'a' refused the connection"})

    result = session(["--signatures", str(valid_records)], body, cache)
    assert result.is_error and f"kb validate --signatures {valid_records}" in text_of(result)


# -- from a published site -----------------------------------------------------------------

class RecordingHandler(SiteHandler):
    """The site, plus a log of every request: its path and its conditional headers."""

    log: list

    def do_GET(self):
        self.log.append((self.path, self.headers.get("If-Modified-Since"), self.headers.get("If-None-Match")))
        super().do_GET()


@pytest.fixture
def recorded_site(real_site):
    log: list = []
    handler = functools.partial(type("Handler", (RecordingHandler,), {"log": log}), directory=str(real_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/error-atlas/", log, server
    server.shutdown()
    server.server_close()


def test_the_same_tools_answer_from_a_published_site(recorded_site, cache):
    site, log, server = recorded_site
    paste = "fatal: " + example(RECORD)

    async def body(client):
        found = await client.call_tool("lookup_error", {"text": paste})
        record = await client.call_tool("get_error", {"id": RECORD})
        listed = await client.call_tool("list_errors", {"tag": "oauth"})
        unknown = await client.call_tool("get_error", {"id": "nope-never"})
        return found, record, listed, unknown

    found, record, listed, unknown = session(["--site", site], body, cache)
    assert not found.is_error, text_of(found)
    expected = cli_lookup(paste, cache)
    assert [(m["id"], m["score"]) for m in found.structured_content["matches"]] == [
        (m["id"], m["score"]) for m in expected]
    assert found.structured_content["matches"][0]["url"] == f"{site}errors/{RECORD}/"
    assert f"site {site}" in text_of(found) and "**Causes**" in text_of(found)
    data = yaml_records()[RECORD]
    assert text_of(record).startswith(f"# {data['title']}\n") and f"Page: {site}errors/{RECORD}/" in text_of(record)
    oauth = sorted(record_id for record_id, r in yaml_records().items() if "oauth" in r.get("tags", []))
    assert [r["id"] for r in listed.structured_content["records"]] == oauth
    assert unknown.is_error

    # Only the indexes and the record files of shown records were requested; never the pasted text.
    paths = [path for path, _, _ in log]
    allowed = {"/error-atlas/api/v1/index.json", "/error-atlas/lookup-index.json"} | {
        f"/error-atlas/api/v1/errors/{record_id}.json" for record_id in yaml_records()}
    assert set(paths) <= allowed and {"/error-atlas/api/v1/index.json", "/error-atlas/lookup-index.json"} <= set(paths)
    assert "/error-atlas/api/v1/errors/nope-never.json" not in paths
    assert not any("?" in path or "fatal" in path or "OAuth" in path for path in paths)

    # A second start asks whether the cached indexes changed (304), and still answers.
    log.clear()
    again = session(["--site", site], lambda client: client.call_tool("get_error", {"id": RECORD}), cache)
    assert not again.is_error
    conditional = [(path, since) for path, since, _ in log if path.endswith("index.json")]
    assert conditional and all(since for _, since in conditional)
    assert not any(path.endswith(f"{RECORD}.json") for path, _, _ in log)  # unchanged record: from the cache

    # The site goes away: answers come from the cached copy, and say so.
    server.shutdown()
    server.server_close()
    offline = session(["--site", site], lambda client: client.call_tool("lookup_error", {"text": paste}), cache)
    assert not offline.is_error
    assert "Answering from the copy downloaded on" in text_of(offline)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_site_is_a_tool_error_not_a_crash(cache):
    site = f"http://127.0.0.1:{free_port()}/"  # nothing listens there

    async def body(client):
        first = await client.call_tool("lookup_error", {"text": example(RECORD)})
        second = await client.call_tool("list_errors", {})
        return first, second

    started = time.monotonic()
    first, second = session(["--site", site], body, cache)
    assert time.monotonic() - started < 20
    for result in (first, second):
        assert result.is_error
        assert f"Could not reach {site}" in text_of(result) and "--signatures DIR" in text_of(result)


class GarbageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!doctype html><title>Welcome to nginx</title>" if self.path.endswith("index.json") else b"{\"broken"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class SilentHandler(http.server.BaseHTTPRequestHandler):
    """Accepts the connection and never answers."""

    def do_GET(self):
        time.sleep(30)

    def log_message(self, *args):
        pass


def serve_with(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_site_that_answers_garbage_is_a_tool_error(cache):
    server = serve_with(GarbageHandler)
    try:
        site = f"http://127.0.0.1:{server.server_address[1]}/"
        result = session(["--site", site], lambda c: c.call_tool("lookup_error", {"text": example(RECORD)}), cache)
    finally:
        server.shutdown()
        server.server_close()
    assert result.is_error
    assert "is not JSON (it starts with '<!doctype html>" in text_of(result)
    assert "root address of an Error Atlas site" in text_of(result)


def test_a_site_that_hangs_is_a_tool_error_after_the_timeout(cache):
    server = serve_with(SilentHandler)
    try:
        site = f"http://127.0.0.1:{server.server_address[1]}/"
        started = time.monotonic()
        result = session(["--site", site, "--timeout", "1"],
                         lambda c: c.call_tool("lookup_error", {"text": example(RECORD)}), cache)
        elapsed = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
    assert result.is_error and "did not answer within 1 s" in text_of(result)
    assert elapsed < 15
