"""The lookup page over the sharded index (generator/shards.py), in Chromium.

The site is built from the real records with sharding forced (KB_LOOKUP_SHARDS=always),
so the page fetches the manifest, then only the shards a paste needs. Its answers must
be the Python engine's, and no request may carry any word of the paste.
"""
from __future__ import annotations

import re

import pytest

from browser_support import ROOT, PREFIX, build_site, open_lookup, paste, result_ids, serve
from generator.lookup import Matcher, build_index
from generator.shards import SHARDS_ENV
from generator.validate import validate_folder

UNKNOWN = "frobnicate: the widget exploded while reticulating splines (code ZZTOP42)"


@pytest.fixture(scope="module")
def sharded_url(tmp_path_factory):
    site = build_site(tmp_path_factory.mktemp("sharded") / "site", ROOT / "signatures", **{SHARDS_ENV: "always"})
    assert (site / "lookup-index" / "manifest.json").is_file()
    running = serve(site)
    yield f"http://127.0.0.1:{running.server_address[1]}{PREFIX}/"
    running.shutdown()
    running.server_close()


@pytest.fixture(scope="module")
def records():
    result = validate_folder(ROOT / "signatures")
    assert not result.problems
    return sorted(result.records, key=lambda r: r.id)


@pytest.fixture
def recorded(context):
    """A page that also records each request's body (a shard fetch has none)."""
    page = context.new_page()
    seen = []
    page.on("request", lambda request: seen.append((request.url, request.post_data or "")))
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page, seen


def words_of(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z0-9]+", text.lower()) if len(word) >= 3}


def check_requests(seen, text: str):
    for url, body in seen:
        path = url.split("/lookup-index/", 1)[-1] if "/lookup-index/" in url else None
        if path is not None and path != "manifest.json":
            assert re.fullmatch(r"[0-9a-f]{12}/(words|templates)/\d+\.json", path), url
        haystack = (url.split("?", 1)[-1] if "?" in url else "") + body
        for word in words_of(text):
            assert word not in haystack.lower(), (word, url)
        # No word of the paste in a path either (the site's own page names aside).
        if path is not None:
            assert not words_of(path) & words_of(text) - {"json", "words", "templates"}, url


def test_real_examples_find_their_record_first_and_requests_carry_no_paste(recorded, sharded_url, records):
    page, seen = recorded
    open_lookup(page, sharded_url)
    python = Matcher(build_index(records))
    assert page.get_attribute("#kb-lookup", "data-records") == str(len(records))
    checked = 0
    for record in records[::3]:  # a third of the records: each paste costs a few shard fetches
        example = record.examples[0]
        seen.clear()
        paste(page, example)
        expected = [m.id for m in python.lookup(example)]
        assert expected[0] == record.id
        assert result_ids(page) == expected, example
        assert any("/lookup-index/" in url for url, _ in seen) or checked, "the first paste fetches shards"
        check_requests(seen, example)
        checked += 1
    assert checked >= 10
    assert not page.errors


def test_the_page_fetches_the_manifest_not_the_whole_index(recorded, sharded_url):
    page, seen = recorded
    open_lookup(page, sharded_url)
    paste(page, "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first")
    assert result_ids(page)[0] == "claude-code-mcp-no-oauth-flow-in-progress"
    urls = [url for url, _ in seen]
    assert any(url.endswith("/lookup-index/manifest.json") for url in urls)
    assert not any(url.endswith("/lookup-index.json") for url in urls)
    assert any("/words/" in url for url in urls) and any("/templates/" in url for url in urls)
    check_requests(seen, "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first")


def test_no_match_and_empty_states(recorded, sharded_url):
    page, seen = recorded
    open_lookup(page, sharded_url)
    paste(page, UNKNOWN)
    assert page.get_attribute("#kb-lookup", "data-state") == "no-match"
    assert result_ids(page) == [] and page.is_visible("#lookup-nomatch")
    assert "No match" in page.text_content("#lookup-status")
    check_requests(seen, UNKNOWN)
    paste(page, "")
    assert page.get_attribute("#kb-lookup", "data-state") == "empty"


def test_enter_opens_the_best_match_while_shards_load(recorded, sharded_url):
    page, _ = recorded
    open_lookup(page, sharded_url)
    page.click("#error-input")
    page.keyboard.insert_text("No OAuth flow is in progress for asana. Call mcp__asana__authenticate first")
    page.keyboard.press("Enter")
    page.wait_for_url(sharded_url + "errors/claude-code-mcp-no-oauth-flow-in-progress/")


def test_the_search_box_uses_the_shards(recorded, sharded_url):
    page, seen = recorded
    page.goto(sharded_url)
    page.wait_for_load_state("networkidle")
    page.click(".md-search__input") if page.is_visible(".md-search__input") else page.click("label[for=__search]")
    page.wait_for_selector(".md-search__input:focus")
    text = "npx mcp-remote: Error: listen EADDRINUSE: address already in use :::3334"
    page.keyboard.insert_text(text)
    page.wait_for_selector(".kb-search-lookup li[data-id]", timeout=10000)
    first = page.get_attribute(".kb-search-lookup li[data-id]", "data-id")
    assert first.startswith("mcp-") or "eaddrinuse" in first
    assert not any(url.endswith("/lookup-index.json") for url, _ in seen)
    check_requests(seen, text)
