"""The header's search box and the results page, in Chromium: Pagefind's full-text results, ranked for
descriptions of problems, beside the lookup; filters, keys, the sub-path, and pastes that stay in the tab."""
from __future__ import annotations

import re
import shutil
from urllib.parse import parse_qs, urlsplit

import pytest

from browser_support import ROOT, PREFIX, serve
from generator.validate import validate_folder

BOX = "[data-md-component=search-result]"
RESULTS = ".md-search-result__list > li"
PASTE = ("2026-11-02 10:00:00 starting mcp servers\n"
         "Error: MCP client for `context7` timed out after 10 seconds. Add or adjust `startup_timeout_sec` "
         "in your config.toml:\n  at /home/jane/projects/secret-plan/.codex/config.toml")
TYPED = '{"level":"error","message":"MCP error -32001: Request timed out","server":"secret-plan-db"}'


@pytest.fixture(scope="module")
def records():
    result = validate_folder(ROOT / "signatures")
    assert not result.problems
    return {record.id: record for record in result.records}


def searchable_text(record) -> str:
    """What the site search indexes of a record (not its sources): see generator/templates/record.md.j2."""
    parts = [record.title, record.tool, record.category, record.meaning, *record.signatures, *record.examples,
             *(c["title"] + " " + c["detail"] for c in record.causes),
             *(f["title"] + " " + " ".join(f["steps"]) for f in record.fixes),
             *record.prevention, *(q["q"] + " " + q["a"] for q in record.faq)]
    return "\n".join(parts)


def open_box(page, base):
    page.goto(base)
    page.wait_for_load_state("networkidle")
    page.click(".md-search__input") if page.is_visible(".md-search__input") else page.click("label[for=__search]")
    page.wait_for_selector(".md-search__input:focus")


def search(page, text):
    """Type a query as a reader does, and wait until every answer (lookup and full text) is in the box."""
    page.fill(".md-search__input", text)
    page.wait_for_function(f"""() => {{
        const box = document.querySelector('{BOX}');
        return box.dataset.busy === 'no' && ['results', 'local', 'missing', 'error'].includes(box.dataset.state);
    }}""", timeout=15000)
    return page.get_attribute(BOX, "data-state")


def result_ids(page):
    return page.eval_on_selector_all(RESULTS, "items => items.map(item => item.dataset.id || item.dataset.kind)")


def record_ids(page):
    return [item for item in result_ids(page) if item != "guide"]


# -- full-text results ----------------------------------------------------------------------

def test_a_config_key_finds_the_record_whose_fix_names_it(page, base_url):
    open_box(page, base_url)
    assert search(page, "startup_timeout_sec") == "results"
    assert result_ids(page)[0] == "codex-cli-mcp-client-failed-to-start"
    first = page.locator(RESULTS).first
    assert first.locator("a").get_attribute("href") == base_url + "errors/codex-cli-mcp-client-failed-to-start/"
    assert first.locator("h1").text_content().startswith("MCP client failed to start")
    assert first.locator(".kb-search-result__where").text_content().startswith("OpenAI Codex CLI · AI Coding Tools")
    marks = first.locator(".kb-search-result__excerpt mark").all_text_contents()
    assert marks and all("startup_timeout_sec" in mark for mark in marks)
    assert page.locator(".kb-search-lookup").count() == 0  # words, not an error: no lookup block
    assert not page.errors


def test_a_file_name_finds_every_record_that_mentions_it(page, base_url, records):
    mentioning = {rid for rid, record in records.items() if "mcp-needs-auth-cache.json" in searchable_text(record)}
    assert len(mentioning) >= 2
    open_box(page, base_url)
    search(page, "mcp-needs-auth-cache.json")
    shown = result_ids(page)
    records_shown = [item for item in shown if item != "guide"]
    assert set(records_shown) == mentioning  # also where the page names it inside a path (~/.claude/...)
    assert shown[:len(records_shown)] == records_shown  # a guide that names it (How lookup works) comes after
    for item in page.locator(RESULTS).all():
        assert "mcp-needs-auth-cache.json" in " ".join(item.locator("mark").all_text_contents())


@pytest.mark.parametrize("query,expected", [
    ("codex mcp server times out at startup", "codex-cli-mcp-client-failed-to-start"),
    ("Bearer token never sent", "claude-code-mcp-needs-authentication-after-oauth"),
    ("gemini keeps switching me from pro to flash", "gemini-cli-pro-quota-fallback-to-flash"),
    ("copilot agent mode complains I have too many tools enabled", "github-copilot-more-than-128-tools"),
])
def test_a_description_in_plain_words_finds_its_record(page, root_url, query, expected):
    """Descriptions (written for this test, not from the bench) whose words no page holds all of."""
    open_box(page, root_url)
    assert search(page, query) == "results"
    assert expected in result_ids(page)[:3], result_ids(page)


def test_a_word_no_page_holds_does_not_empty_the_results(page, root_url):
    open_box(page, root_url)
    search(page, "gemini pro quota zzqxv")
    assert "gemini-cli-pro-quota-fallback-to-flash" in result_ids(page)[:3]
    search(page, "zzqxv qqzzk")
    assert result_ids(page) == [] and "No page holds these words" in page.text_content(".md-search-result__meta")


def test_guides_are_found_but_rank_below_records(page, root_url):
    open_box(page, root_url)
    search(page, "lookup shards manifest")
    kinds = page.eval_on_selector_all(RESULTS, "items => items.map(item => item.dataset.kind)")
    assert "guide" in kinds  # How lookup works explains the shards
    search(page, "oauth")
    kinds = page.eval_on_selector_all(RESULTS, "items => items.map(item => item.dataset.kind)")
    assert kinds[0] == "record"
    assert "tools/" not in " ".join(page.eval_on_selector_all(f"{RESULTS} a", "links => links.map(a => a.href)"))


def test_an_error_typed_by_hand_shows_the_lookup_first_then_full_text(page, root_url):
    open_box(page, root_url)
    search(page, "codex mcp startup failed with a timeout")  # reads like an error, but is a person's words
    assert page.evaluate(f"document.querySelector('{BOX}').firstElementChild.className") == "kb-search-lookup"
    assert page.get_attribute(BOX, "data-state") == "results"
    assert "codex-cli-mcp-client-failed-to-start" in result_ids(page)[:3]


# -- filters ----------------------------------------------------------------------------------

def test_results_can_be_filtered_by_tool_and_category(page, base_url, records):
    open_box(page, base_url)
    search(page, "timeout")
    assert len({records[rid].tool for rid in record_ids(page)}) > 1
    tool = page.locator("select[data-filter=tool]")
    tool.focus()  # the filter values load when the filters are first used
    page.wait_for_selector(".kb-search-filters[data-ready=yes]")
    options = tool.locator("option").all_text_contents()
    claude = sum(1 for record in records.values() if record.tool == "Claude Code")
    assert options[0] == "All tools" and f"Claude Code ({claude})" in options
    choose(page, "tool", "Claude Code")
    shown = record_ids(page)
    assert shown and all(records[rid].tool == "Claude Code" for rid in shown)
    assert "(filtered)" in page.text_content(".md-search-result__meta")
    # The filter stays for the next query, and the select still shows it.
    search(page, "oauth token")
    assert record_ids(page) and all(records[rid].tool == "Claude Code" for rid in record_ids(page))
    assert page.locator("select[data-filter=tool]").input_value() == "Claude Code"
    choose(page, "tool", "")
    choose(page, "category", "MCP")
    search(page, "timeout")
    shown = record_ids(page)
    assert shown and all(records[rid].category == "MCP" for rid in shown)
    assert len(shown) < len([r for r in records.values() if "timeout" in searchable_text(r).lower()])


def choose(page, name, value):
    before = page.get_attribute(BOX, "data-ticket")
    select = page.locator(f"select[data-filter={name}]")
    select.focus()
    page.wait_for_selector(".kb-search-filters[data-ready=yes]")
    select.select_option(value)
    page.wait_for_function(f"document.querySelector('{BOX}').dataset.ticket !== '{before}'")
    search_done(page)


def search_done(page):
    page.wait_for_function(f"""() => {{
        const box = document.querySelector('{BOX}');
        return box.dataset.busy === 'no' && box.dataset.state !== 'waiting' && box.dataset.state !== 'searching';
    }}""", timeout=15000)


# -- keys -------------------------------------------------------------------------------------

def test_keyboard_slash_s_arrows_enter_escape(page, base_url):
    page.goto(base_url + "about/")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.matches('.md-search__input')")
    assert page.evaluate("document.getElementById('__search').checked")
    page.keyboard.type("startup_timeout_sec")
    search_done(page)
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.matches('.md-search-result__list a')")
    assert page.evaluate("document.activeElement.href") == base_url + "errors/codex-cli-mcp-client-failed-to-start/"
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.matches('.md-search__input')")
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('__search').checked")
    assert not page.evaluate("document.activeElement.matches('.md-search__input')")
    page.keyboard.press("s")  # `s` focuses the box too, and is not typed into it
    assert page.evaluate("document.activeElement.matches('.md-search__input')")
    assert page.input_value(".md-search__input") == "startup_timeout_sec"
    page.keyboard.press("Enter")  # the best result
    page.wait_for_url(base_url + "errors/codex-cli-mcp-client-failed-to-start/")
    assert "startup_timeout_sec" not in page.url
    # Typing `s` or `/` inside a form field types it.
    page.goto(base_url + "lookup/")
    page.click("#error-input")
    page.keyboard.type("s/")
    assert page.input_value("#error-input") == "s/"


def test_enter_right_after_typing_waits_for_the_results(page, root_url):
    open_box(page, root_url)
    page.keyboard.type("startup_timeout_sec")
    page.keyboard.press("Enter")  # within the typing pause: the search runs now, then opens the best result
    page.wait_for_url(root_url + "errors/codex-cli-mcp-client-failed-to-start/", timeout=15000)


# -- the results page ----------------------------------------------------------------------------

def test_the_box_offers_a_results_page_to_share_and_it_shows_the_same_results(page, base_url):
    open_box(page, base_url)
    search(page, "startup_timeout_sec")
    link = page.get_attribute(".kb-search-more", "href")
    assert urlsplit(link).path.endswith("/search/") and parse_qs(urlsplit(link).query)["q"] == ["startup_timeout_sec"]
    page.click(".kb-search-more")
    page.wait_for_selector('#kb-search-page[data-state="results"]', timeout=15000)
    assert page.url.startswith(base_url + "search/?q=startup_timeout_sec")
    first = page.locator("#kb-search-page-results > li").first
    assert first.get_attribute("data-id") == "codex-cli-mcp-client-failed-to-start"
    assert first.locator("a").get_attribute("href") == base_url + "errors/codex-cli-mcp-client-failed-to-start/"
    assert page.input_value("#kb-search-page-input") == "startup_timeout_sec"


def test_a_shared_link_with_filters_and_a_new_query_on_the_results_page(page, base_url, records):
    page.goto(base_url + "search/?q=oauth+token&tool=Claude+Code")
    page.wait_for_selector('#kb-search-page[data-state="results"]', timeout=15000)
    shown = page.eval_on_selector_all("#kb-search-page-results > li", "items => items.map(i => i.dataset.id)")
    assert len(shown) > 3 and all(records[rid].tool == "Claude Code" for rid in shown)
    page.wait_for_selector("#kb-search-page .kb-search-filters[data-ready=yes]")
    assert page.locator("#kb-search-page select[data-filter=tool]").input_value() == "Claude Code"
    page.fill("#kb-search-page-input", "gemini quota")
    page.click("#kb-search-page button[type=submit]")
    page.wait_for_function("document.querySelector('#kb-search-page-status').textContent.includes('hold')")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["gemini quota"], "tool": ["Claude Code"]}


def test_a_results_link_holding_a_paste_is_not_searched_and_leaves_the_address(page, base_url):
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    page.requests.clear()
    page.goto(base_url + "search/?q=Error%3A+listen+EADDRINUSE%3A+address+already+in+use+%3A%3A%3A3334")
    page.wait_for_selector('#kb-search-page[data-state="local"]', timeout=15000)
    assert "not searched" in page.text_content("#kb-search-page-status")
    assert page.url == base_url + "search/"  # the paste is gone from the address (and the history entry)
    assert not [url for url in page.requests if "/pagefind/index/" in url or "/pagefind/fragment/" in url]
    assert page.locator("#kb-search-page-results > li").count() == 0


# -- pastes stay in the tab --------------------------------------------------------------------

def words_of(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z0-9_]+", text.lower()) if len(word) >= 4}


@pytest.fixture
def watched(context):
    """A page that records every request with its body, from the first one."""
    page = context.new_page()
    seen = []
    page.on("request", lambda request: seen.append((request.url, request.post_data or "")))
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page, seen


def test_a_paste_never_reaches_pagefind_or_any_request(watched, base_url):
    page, seen = watched
    open_box(page, base_url)
    page.wait_for_timeout(300)
    page.wait_for_load_state("networkidle")  # the click loaded Pagefind and the lookup's index: no query in them
    assert not [url for url, _ in seen if "/pagefind/index/" in url or "/pagefind/fragment/" in url]
    seen.clear()
    # A real paste: a clipboard event, then the text in the box (an <input> drops the line breaks).
    page.evaluate("""text => {
        const input = document.querySelector('.md-search__input');
        const data = new DataTransfer();
        data.setData('text/plain', text);
        input.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        input.value = text.replace(/[\\r\\n]/g, '');
        input.dispatchEvent(new Event('input', {bubbles: true}));
    }""", PASTE)
    page.wait_for_selector(".kb-search-lookup li[data-id]", timeout=10000)
    page.wait_for_timeout(600)  # longer than the typing pause: a search would have started by now
    assert page.get_attribute(BOX, "data-state") == "local"
    assert page.get_attribute(".kb-search-lookup li[data-id]", "data-id") == "codex-cli-mcp-client-failed-to-start"
    assert "stay in this tab" in page.text_content(".md-search-result__meta")
    assert page.locator(RESULTS).count() == 0 and page.locator(".kb-search-more").count() == 0
    # Typed by hand, key by key, an error's JSON is kept in the tab too (from its first key, `{`).
    page.fill(".md-search__input", "")
    page.keyboard.type(TYPED, delay=5)
    page.wait_for_selector(".kb-search-lookup li[data-id]", timeout=10000)
    page.wait_for_timeout(600)
    assert page.get_attribute(BOX, "data-state") == "local"
    assert seen == []  # not one request while pasting and typing
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/errors/[^/]+/$"))
    assert page.url.endswith("/errors/mcp-request-timed-out-32001/") and "secret-plan" not in page.url
    for url, body in seen:  # opening the page fetched that page, nothing that names the paste
        assert "/pagefind/index/" not in url and "/pagefind/fragment/" not in url, url
        assert not words_of(PASTE + TYPED) & words_of(urlsplit(url).query + body), url
    stored = page.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    assert "secret-plan" not in stored and "EADDRINUSE" not in stored
    assert not page.errors


def test_typed_words_do_reach_pagefind_and_no_request_names_them(watched, root_url):
    """The other side of the line: a query of words fetches Pagefind's chunks, named by hashes, not words."""
    page, seen = watched
    open_box(page, root_url)
    page.wait_for_load_state("networkidle")
    seen.clear()
    page.keyboard.type("codex sandbox landlock", delay=20)
    search_done(page)
    fetched = [url for url, _ in seen]
    assert any("/pagefind/index/" in url for url in fetched) and any("/pagefind/fragment/" in url for url in fetched)
    for url, body in seen:
        assert not {"codex", "sandbox", "landlock"} & words_of(url + body), url


# -- safety, themes, a missing index -------------------------------------------------------------

def test_record_text_in_results_is_text_not_html(page, root_url):
    open_box(page, root_url)
    page.evaluate("() => { window.__pwned = 0; window.alert = () => { window.__pwned++; }; }")
    search(page, "claude mcp login name")  # several records write `claude mcp login <name>`
    excerpts = " ".join(page.locator(".kb-search-result__excerpt").all_text_contents())
    assert "<name>" in excerpts
    assert page.locator(".md-search__output name, .md-search__output img, .md-search__output script").count() == 0
    search(page, "<img src=x onerror=alert(1)> oauth")
    assert page.locator(".md-search__output img").count() == 0 and page.evaluate("window.__pwned") == 0
    assert not page.errors and not page.dialogs


@pytest.mark.parametrize("scheme,material", [("light", "default"), ("dark", "slate")])
def test_the_search_box_in_light_and_dark(browser, root_url, scheme, material):
    context = browser.new_context(color_scheme=scheme)
    context.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    try:
        page = context.new_page()
        open_box(page, root_url)
        assert page.get_attribute("body", "data-md-color-scheme") == material
        search(page, "startup_timeout_sec")
        colours = page.evaluate(f"""() => {{
            const style = (s) => getComputedStyle(document.querySelector(s));
            const background = (s) => {{
                for (let node = document.querySelector(s); node; node = node.parentElement) {{
                    const colour = getComputedStyle(node).backgroundColor;
                    if (colour !== 'rgba(0, 0, 0, 0)') return colour;
                }}
                return 'rgb(255, 255, 255)';
            }};
            return {{title: style('{RESULTS} h1').color, excerpt: style('.kb-search-result__excerpt').color,
                     mark: style('.kb-search-result__excerpt mark').backgroundColor,
                     output: background('{RESULTS}'),
                     select: style('select[data-filter=tool]').color,
                     selectBg: style('select[data-filter=tool]').backgroundColor}};
        }}""")
        assert colours["title"] != colours["output"] and colours["excerpt"] != colours["output"]
        assert colours["mark"] not in ("rgba(0, 0, 0, 0)", colours["output"])
        assert colours["select"] != colours["selectBg"]
        dark_output = colours["output"] != "rgb(255, 255, 255)"
        assert dark_output == (scheme == "dark")
    finally:
        context.close()


@pytest.fixture(scope="module")
def unindexed_url(site, tmp_path_factory):
    """The site as a plain `mkdocs build` leaves it: no pagefind/."""
    copy = tmp_path_factory.mktemp("unindexed") / "site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("pagefind"))
    running = serve(copy)
    yield f"http://127.0.0.1:{running.server_address[1]}{PREFIX}/"
    running.shutdown()
    running.server_close()


def test_a_site_without_its_index_says_so_and_the_lookup_still_answers(page, unindexed_url):
    open_box(page, unindexed_url)
    page.wait_for_function("document.querySelector('.md-search-result__meta').textContent.includes('missing')")
    assert search(page, "startup_timeout_sec") == "missing"
    assert "kb build" in page.text_content(".md-search-result__meta")
    search(page, "npx mcp-remote: Error: listen EADDRINUSE: address already in use :::3334")
    assert page.get_attribute(".kb-search-lookup li[data-id]", "data-id") == "mcp-remote-oauth-callback-eaddrinuse"
