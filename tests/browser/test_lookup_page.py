"""The lookup page and the search box, in Chromium, against the built site."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from browser_support import ROOT, open_lookup, paste, result_ids, unsure_paste

SECRETS = {
    "token": "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "password": "hunter2-very-secret",
    "email": "jane.doe@example.org",
}
UNKNOWN = ("frobnicate: the widget exploded while reticulating splines (code ZZTOP42)\n"
           f"  while fetching https://jane:{SECRETS['password']}@git.example.com/o/r.git\n"
           f"  token={SECRETS['token']} reported by {SECRETS['email']}")


# -- the page -------------------------------------------------------------------------

def test_lookup_page_is_linked_from_the_header_and_the_home_page(page, base_url):
    page.goto(base_url)
    resolve = "selector => new URL(document.querySelector(selector).getAttribute('%s'), location.href).href"
    assert page.evaluate(resolve % "href", ".md-tabs a[href$='lookup/']") == base_url + "lookup/"
    assert page.evaluate(resolve % "action", "#home-paste") == base_url + "lookup/"
    page.click(".md-tabs a:text('Lookup')")
    page.wait_for_selector("#error-input")
    assert page.url == base_url + "lookup/"
    label = page.locator("label[for=error-input]")
    assert label.is_visible() and label.text_content().strip()
    assert page.get_attribute("#lookup-status", "role") == "status"
    assert page.get_attribute("#lookup-status", "aria-live") == "polite"
    assert "never sent" in page.text_content("#lookup-privacy")
    # Reached by instant navigation (no reload), the page still answers.
    page.wait_for_selector('#kb-lookup[data-state="empty"]', timeout=15000)
    paste(page, "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first")
    assert result_ids(page)[0] == "claude-code-mcp-no-oauth-flow-in-progress"


def test_every_real_example_finds_its_record_first_as_python_does(page, base_url, records, python_matcher):
    open_lookup(page, base_url)
    checked = 0
    for record in records:
        for example in record.examples:
            paste(page, example)
            expected = [m.id for m in python_matcher.lookup(example)]
            assert expected[0] == record.id
            assert result_ids(page) == expected, example
            checked += 1
    assert checked >= len(records)
    assert not page.errors


def test_a_result_shows_title_confidence_values_line_and_link(page, base_url):
    open_lookup(page, base_url)
    paste(page, "2026-11-02T10:11:12Z starting\n\x1b[31mNo OAuth flow is in progress for asana. "
                "Call mcp__asana__authenticate first\x1b[0m\nbye")
    first = page.locator("#lookup-results > li").first
    assert first.get_attribute("data-id") == "claude-code-mcp-no-oauth-flow-in-progress"
    assert first.locator(".kb-confidence").text_content() == "exact"
    assert first.locator(".kb-result__title").text_content().startswith("MCP OAuth")
    signature = first.locator(".kb-result__signature")
    assert signature.locator("mark.kb-value").all_text_contents()[:2] == ["asana", "asana"]
    assert "{" not in signature.text_content()  # the values stand in place of the placeholders
    assert first.locator(".kb-result__row").nth(1).text_content().startswith("Line 2")
    assert first.locator(".kb-result__line").text_content().startswith("No OAuth flow is in progress for asana")
    href = first.locator("a.kb-result__title").get_attribute("href")
    assert href == base_url + "errors/claude-code-mcp-no-oauth-flow-in-progress/"
    assert "1 match" in page.text_content("#lookup-status")


def test_fuzzy_matches_say_likely_or_possible(page, base_url):
    open_lookup(page, base_url)
    paste(page, "No OAuth flow is in progress for asana. Call mcp__asana__authenticat")  # cut off
    first = page.locator("#lookup-results > li").first
    assert first.get_attribute("data-id") == "claude-code-mcp-no-oauth-flow-in-progress"
    assert first.locator(".kb-confidence").text_content() in ("exact", "likely", "possible")


@pytest.fixture(scope="module")
def unsure(records, python_matcher):
    return unsure_paste(records, python_matcher)


def test_a_close_record_shows_under_not_sure_as_python_ranks_it(page, base_url, unsure):
    text, expected = unsure
    open_lookup(page, base_url)
    paste(page, text)
    assert result_ids(page) == []
    assert page.is_visible("#lookup-unsure")
    weak = page.eval_on_selector_all("#lookup-weak > li", "items => items.map(item => item.dataset.id)")
    assert weak == [m.id for m in expected.weak]
    assert page.locator("#lookup-weak .kb-confidence").first.text_content() == "not sure"
    assert "Not sure" in page.text_content("#lookup-status")
    assert page.is_visible("#lookup-nomatch")  # still offered as a new error to contribute
    paste(page, "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first")
    assert not page.is_visible("#lookup-unsure")  # a confident answer alone hides the section


def test_a_long_log_is_read_at_its_start_and_end_and_says_what_it_skipped(page, base_url):
    error = "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first"
    log = "".join(f"2026-11-02 10:00:{n % 60:02d} step {n} ok\n" for n in range(6000)) + error
    open_lookup(page, base_url)
    # A paste is one input event; page.fill would type-check 200 KB for half a minute.
    before = page.get_attribute("#lookup-results", "data-lookups") or "0"
    page.evaluate("""text => {
        const input = document.getElementById('error-input');
        input.value = text;
        input.dispatchEvent(new Event('input', {bubbles: true}));
    }""", log)
    page.wait_for_function(
        "before => (document.getElementById('lookup-results').getAttribute('data-lookups') || '0') !== before",
        arg=before, timeout=15000)
    assert result_ids(page)[0] == "claude-code-mcp-no-oauth-flow-in-progress"  # on line 6,001
    assert page.locator("#lookup-results > li").first.locator(".kb-result__row").nth(1).text_content() \
        .startswith("Line 6001")
    note = page.text_content("#lookup-skipped")
    assert page.is_visible("#lookup-skipped")
    assert "6,001 lines: lines 1,001 to 2,001 were not read" in note and "kb scan" in note
    paste(page, error)
    assert not page.is_visible("#lookup-skipped")


def test_results_follow_typing(page, base_url):
    open_lookup(page, base_url)
    page.click("#error-input")
    page.keyboard.type("No OAuth flow is in progress for asana. Call mcp__asana__authenticate first", delay=5)
    page.wait_for_function("document.querySelector('#lookup-results > li') !== null")
    page.wait_for_function(
        "document.querySelector('#lookup-results > li').dataset.id === 'claude-code-mcp-no-oauth-flow-in-progress'")
    page.fill("#error-input", "")
    page.wait_for_function("document.querySelectorAll('#lookup-results > li').length === 0")
    assert page.get_attribute("#kb-lookup", "data-state") == "empty"


def test_home_page_hands_the_paste_over_once(page, base_url):
    page.goto(base_url)
    text = "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first"
    page.fill("#home-paste-input", text)
    page.click("#home-paste button[type=submit]")
    page.wait_for_selector("#lookup-results > li", timeout=15000)
    assert page.input_value("#error-input") == text
    assert result_ids(page)[0] == "claude-code-mcp-no-oauth-flow-in-progress"
    assert page.evaluate("sessionStorage.getItem('kb-paste')") is None  # read and removed at once
    assert text not in page.url


# -- no match and the contribute link ---------------------------------------------------

def test_no_match_offers_a_redacted_contribute_link(page, base_url):
    open_lookup(page, base_url)
    paste(page, UNKNOWN)
    assert page.get_attribute("#kb-lookup", "data-state") == "no-match"
    assert result_ids(page) == []
    assert "No match" in page.text_content("#lookup-status")
    assert page.is_visible("#lookup-nomatch")
    link = page.get_attribute("#contribute-link", "href")
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == \
        "https://github.com/error-atlas/error-atlas/new/main/signatures"
    query = parse_qs(parts.query)
    assert re.fullmatch(r"TODO-tool-folder/[a-z0-9-]+\.yaml", query["filename"][0])
    skeleton = query["value"][0]
    for secret in SECRETS.values():
        assert secret not in link and secret not in unquote(link) and secret not in skeleton
    assert "[REDACTED token]" in skeleton and "[REDACTED e-mail]" in skeleton and ":[REDACTED]@" in skeleton
    for field in ("title", "tool", "category", "signatures", "examples", "meaning", "causes", "fixes", "faq",
                  "sources", "status", "verified", "updated"):
        assert re.search(rf"^{field}:", skeleton, re.M), field
    assert "TODO" in skeleton and "frobnicate" in skeleton
    note = page.text_content("#contribute-note")
    assert "removed" in note and "GitHub token" in note and "e-mail address" in note and "password in URL" in note
    assert page.is_visible("#contribute-note")
    assert page.get_attribute("#contribute-link", "target") == "_blank"
    # The preview shows exactly what the link sends.
    assert page.text_content("#contribute-preview") == skeleton


def test_the_tool_names_the_folder_of_the_new_record(page, base_url):
    open_lookup(page, base_url)
    paste(page, UNKNOWN)
    page.fill("#contribute-tool", "Widget CLI")
    page.wait_for_function("document.getElementById('contribute-link').href.includes('filename=widget-cli%2F')")
    value = parse_qs(urlsplit(page.get_attribute("#contribute-link", "href")).query)["value"][0]
    assert 'tool: "Widget CLI"' in value


# -- keyboard -------------------------------------------------------------------------

def test_enter_opens_the_best_match_and_shift_enter_adds_a_line(page, base_url):
    open_lookup(page, base_url)
    page.click("#error-input")
    page.keyboard.type("npm error: weird")
    page.keyboard.press("Shift+Enter")
    assert page.input_value("#error-input") == "npm error: weird\n"
    page.fill("#error-input", "")
    page.keyboard.type("No OAuth flow is in progress for asana. Call mcp__asana__authenticate first")
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + "errors/claude-code-mcp-no-oauth-flow-in-progress/")
    assert page.locator("h1").first.text_content().startswith("MCP OAuth")


def test_tab_reaches_the_results(page, base_url):
    open_lookup(page, base_url)
    paste(page, "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first")
    page.focus("#error-input")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('kb-result__title')")
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + "errors/claude-code-mcp-no-oauth-flow-in-progress/")


# -- themes ---------------------------------------------------------------------------

@pytest.mark.parametrize("scheme,material", [("light", "default"), ("dark", "slate")])
def test_light_and_dark_themes(browser, root_url, scheme, material):
    context = browser.new_context(color_scheme=scheme)
    context.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    try:
        page = context.new_page()
        page.goto(root_url + "lookup/")
        page.wait_for_selector('#kb-lookup[data-state="empty"]', timeout=15000)
        assert page.get_attribute("body", "data-md-color-scheme") == material
        paste(page, "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first")
        colours = page.evaluate("""() => {
            const style = (s) => getComputedStyle(document.querySelector(s));
            return {text: style('.kb-result__title').color, page: style('body').backgroundColor,
                    input: style('#error-input').color, inputBg: style('#error-input').backgroundColor};
        }""")
        assert colours["text"] != colours["page"] and colours["input"] != colours["inputBg"]
        dark_page = colours["page"] != "rgb(255, 255, 255)"
        assert dark_page == (scheme == "dark")
    finally:
        context.close()


# -- the search box -------------------------------------------------------------------

def open_search(page, base):
    page.goto(base)
    page.wait_for_load_state("networkidle")
    page.click(".md-search__input") if page.is_visible(".md-search__input") else page.click("label[for=__search]")
    page.wait_for_selector(".md-search__input:focus")


def test_a_pasted_error_in_the_search_box_shows_the_lookups_match_first(page, base_url):
    open_search(page, base_url)
    page.keyboard.insert_text("npx mcp-remote: Error: listen EADDRINUSE: address already in use :::3334")
    page.wait_for_selector(".kb-search-lookup li[data-id]", timeout=10000)
    assert page.evaluate("document.querySelector('[data-md-component=search-result]').firstElementChild.className") \
        == "kb-search-lookup"
    first = page.get_attribute(".kb-search-lookup li[data-id]", "data-id")
    assert first.startswith("mcp-") or "eaddrinuse" in first
    # One keypress away: Enter opens it (and the query never becomes part of a URL).
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + f"errors/{first}/")
    assert "EADDRINUSE" not in page.url


def test_the_search_box_lists_close_records_under_not_sure(page, base_url, unsure):
    text, expected = unsure
    open_search(page, base_url)
    page.keyboard.insert_text(text)
    page.wait_for_selector(".kb-search-lookup .kb-search-lookup__item--weak", timeout=10000)
    assert page.eval_on_selector_all(".kb-search-lookup__item--weak", "items => items.map(i => i.dataset.id)") == \
        [m.id for m in expected.weak]
    assert "Not sure" in page.text_content(".kb-search-lookup__unsure")
    assert page.locator(".kb-search-lookup__list:not(.kb-search-lookup__list--weak) li").count() == 0


def test_the_search_form_is_never_submitted_with_the_paste(page, base_url):
    open_search(page, base_url)
    page.keyboard.insert_text("zzqx unknown wording that matches nothing at all in this atlas")
    page.wait_for_selector(".kb-search-lookup", timeout=10000)
    page.evaluate("() => document.querySelector('form[name=search]').requestSubmit()")
    page.wait_for_timeout(300)
    assert "zzqx" not in page.url and page.url == base_url


def test_a_multi_line_paste_keeps_its_lines_for_the_lookup(page, base_url, python_matcher):
    text = ("2026-11-02 10:00:00 starting\nNo OAuth flow is in progress for asana.\n"
            "Call mcp__asana__authenticate first")
    open_search(page, base_url)
    page.evaluate("""text => {
        const input = document.querySelector('.md-search__input');
        const data = new DataTransfer();
        data.setData('text/plain', text);
        input.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        input.value = text.replace(/[\\r\\n]/g, '');
        input.dispatchEvent(new Event('input', {bubbles: true}));
    }""", text)
    page.wait_for_selector(".kb-search-lookup li[data-id]", timeout=10000)
    assert page.get_attribute(".kb-search-lookup li[data-id]", "data-id") == python_matcher.lookup(text)[0].id


def test_short_word_queries_keep_materials_search(page, base_url):
    open_search(page, base_url)
    page.keyboard.type("oauth")
    page.wait_for_selector(".md-search-result__item", timeout=10000)
    assert page.locator(".kb-search-lookup").count() == 0


# -- safety ---------------------------------------------------------------------------

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    "Error: <svg onload=alert(3)> No OAuth flow is in progress for <img src=x onerror=alert(4)>. "
    "Call mcp__<img src=x onerror=alert(4)>__authenticate first",
    "\"><script>alert(5)</script><a href=\"javascript:alert(6)\">x</a>",
]


def test_pasted_html_and_scripts_run_nothing(page, base_url):
    open_lookup(page, base_url)
    page.evaluate("() => { window.__pwned = 0; window.alert = () => { window.__pwned++; }; }")
    for text in HOSTILE:
        paste(page, text)
        page.wait_for_timeout(50)
        assert page.locator("#kb-lookup img, #kb-lookup script, #kb-lookup svg").count() == 0
    assert page.evaluate("window.__pwned") == 0
    # The hostile value shows, as text, inside an exact match.
    paste(page, HOSTILE[2])
    assert result_ids(page)[0] == "claude-code-mcp-no-oauth-flow-in-progress"
    assert "<img src=x onerror=alert(4)>" in page.text_content("#lookup-results mark")
    assert page.dialogs == [] and page.errors == []


def test_a_hostile_paste_in_the_search_box_runs_nothing(page, base_url):
    open_search(page, base_url)
    page.keyboard.insert_text(HOSTILE[2])
    page.wait_for_selector(".kb-search-lookup li[data-id]", timeout=10000)
    page.wait_for_timeout(200)
    assert page.locator(".md-search__output img, .md-search__output script, .md-search__output svg[onload]").count() == 0
    assert page.dialogs == [] and page.errors == []


def test_no_request_leaves_the_page_while_typing_or_pasting(page, base_url):
    open_lookup(page, base_url)
    page.wait_for_load_state("networkidle")
    page.requests.clear()
    page.click("#error-input")
    page.keyboard.type("Error: No OAuth flow is in progress for asana. Call mcp__asana", delay=2)
    paste(page, UNKNOWN)  # a no-match: the contribute link is built, but nothing is fetched
    page.fill("#contribute-tool", "Widget CLI")
    paste(page, "npx mcp-remote: Error: listen EADDRINUSE: address already in use :::3334")
    page.wait_for_timeout(300)
    assert page.requests == []
    # The paste is in no URL and in no storage that outlives the tab.
    assert page.url == base_url + "lookup/"
    stored = page.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    for fragment in ("OAuth", "frobnicate", "EADDRINUSE", SECRETS["email"]):
        assert fragment not in stored  # Material keeps its own settings there, never the paste
    assert page.evaluate("sessionStorage.getItem('kb-paste')") is None
    assert page.context.cookies() == []


def test_no_request_leaves_the_page_while_typing_in_the_search_box(page, base_url):
    open_search(page, base_url)
    page.wait_for_function("document.querySelector('.md-search-result__meta').textContent.trim() !== "
                           "'Initializing search'", timeout=10000)
    page.wait_for_timeout(300)  # the focus fetched the lookup index; let it land
    page.wait_for_load_state("networkidle")
    page.requests.clear()
    page.keyboard.type("No OAuth flow is in progress for asana. Call mcp__asana__authenticate first", delay=2)
    page.wait_for_selector(".kb-search-lookup li[data-id]", timeout=10000)
    page.wait_for_timeout(300)
    assert page.requests == []


def test_the_browser_engine_gives_pythons_answers_on_the_shared_vectors(page, root_url):
    """lookup.js in Chromium's JavaScript engine, on every vector (node's test runner does the same in node)."""
    page.goto(root_url + "lookup/")
    page.wait_for_function("window.ErrorAtlasLookup !== undefined")
    for name in ("corpus.json", "records.json", "synthetic.json"):
        data = json.loads((ROOT / "tests" / "vectors" / name).read_text(encoding="utf-8"))
        got = page.evaluate("""data => {
            const matcher = new ErrorAtlasLookup.Matcher(data.index);
            return data.cases.map(c => matcher.lookup(c.text, data.limit).map(m => {
                const {specificity, ...rest} = m; return rest; }));
        }""", data)
        expected = [case["expected"] for case in data["cases"]]
        differing = [i for i, (a, b) in enumerate(zip(got, expected)) if a != b]
        assert not differing, f"{name}: {len(differing)} cases differ, first {differing[:5]}"
