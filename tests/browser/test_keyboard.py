"""Keyboard and screen reader paths, in Chromium (issue 14): the lookup's live region says how many records
match; Tab reaches every control of a page, each one visibly focused, on screen, and with its text at 4.5:1
or more while focused (axe-core's color-contrast on the focused element), in the light and the dark
scheme; the skip link takes focus past the header and navigation to the page's content.

axe-core (test_accessibility.py) checks what a page is; these tests check what a reader does with it.
"""
from __future__ import annotations

import pytest

from browser_support import Page, _offline, open_lookup, paste, result_ids, unsure_paste, varied_paste

EXACT = "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first"


# -- the lookup's live region ----------------------------------------------------------------

def test_the_lookup_status_announces_how_many_records_match(page, root_url, records, python_matcher):
    open_lookup(page, root_url)
    # A status live region (by its role in the accessibility tree), there before anything is pasted, so that
    # screen readers read out what changes in it.
    assert page.get_by_role("status").and_(page.locator("#lookup-status")).count() == 1
    assert page.get_attribute("#lookup-status", "aria-live") == "polite"
    assert page.get_attribute("#lookup-status", "aria-atomic") == "true"
    assert page.is_visible("#lookup-status")

    text, answer = varied_paste(records, python_matcher, EXACT)
    paste(page, text)
    count = len(result_ids(page))
    assert count == len(answer.matches) >= 3
    said = page.text_content("#lookup-status")
    assert said.startswith(f"{count} matches. Best: {answer.matches[0].title} (exact). Press Enter to open it."), said

    paste(page, EXACT)
    assert page.text_content("#lookup-status").startswith("1 match. Best: ")

    text, answer = unsure_paste(records, python_matcher)
    paste(page, text)
    said = page.text_content("#lookup-status")
    weak = len(answer.weak)
    assert said.startswith("No match: ") and \
        f"Not sure: {weak} record{' comes' if weak == 1 else 's come'} close" in said, said


# -- Tab through a page ---------------------------------------------------------------------

# What the focused element shows: an outline or a shadow on it or, for a radio button of no size drawn by
# a label (Material's light/dark switch: one label shows, for one button of the pair), on the label of its
# group that shows; and whether it is in the window.
FOCUSED = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    element.dataset.kbTabbed = 'yes';
    let shown = element;
    if (element.matches('input[type=radio], input[type=checkbox]') && element.getBoundingClientRect().width < 2) {
        const group = element.type === 'radio' && element.name
            ? [...document.querySelectorAll('input[type=radio]')].filter(radio => radio.name === element.name)
            : [element];
        shown = [...document.querySelectorAll('label')]
            .find(label => group.includes(label.control) && label.checkVisibility()) || element;
    }
    const style = getComputedStyle(shown);
    const box = shown.getBoundingClientRect();
    return {
        name: element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') +
              (typeof element.className === 'string' && element.className.trim()
                  ? '.' + element.className.trim().split(/\\s+/).join('.') : '') +
              ' "' + (element.textContent || element.getAttribute('aria-label') || '').trim().slice(0, 40) + '"',
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1,
        shadow: style.boxShadow !== 'none',
        onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 &&
                  box.top < innerHeight && box.left < innerWidth,
    };
}"""

# Every control a reader could want to reach: shown on the page, enabled, in the tab order. Of a group of
# radio buttons Tab stops once (arrows move within it): the group counts once.
UNREACHED = """() => {
    const selector = 'a[href], button, input:not([type=hidden]), textarea, select, summary, [tabindex]';
    const groups = new Set();
    return [...document.querySelectorAll(selector)].filter(element => {
        if (element.disabled || element.tabIndex < 0 || element.closest('[inert]')) return false;
        if (element.matches('details:not([open]) > :not(summary), details:not([open]) > * *')) return false;
        if (!element.checkVisibility({visibilityProperty: true}) || !element.getClientRects().length) return false;
        // A radio button or checkbox of no size is drawn by its label: it counts when that label shows.
        if (element.matches('input[type=radio], input[type=checkbox]') && element.getBoundingClientRect().width < 2 &&
            ![...element.labels].some(label => label.checkVisibility({visibilityProperty: true}))) return false;
        if (element.matches('input[type=radio]')) {
            if (groups.has(element.name)) return false;
            groups.add(element.name);
            const group = document.querySelectorAll(`input[type=radio][name="${element.name}"]`);
            return ![...group].some(radio => radio.dataset.kbTabbed === 'yes');
        }
        return element.dataset.kbTabbed !== 'yes';
    }).map(element => element.outerHTML.slice(0, 160));
}"""


# The colour contrast of the focused element's text, by axe-core: focus (and hover) change a link's colour.
FOCUSED_CONTRAST = """async () => {
    const result = await axe.run(document.activeElement, {runOnly: {type: 'rule', values: ['color-contrast']},
                                                          resultTypes: ['violations']});
    return result.violations.flatMap(v => v.nodes.map(n => n.target.join(' ') + ': ' +
                                                            n.failureSummary.replace(/\\s+/g, ' ')));
}"""
# Colours are measured where they end, not halfway through a fade.
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; animation: none !important; }"


def tab_through(page, axe_source: str, limit: int = 400) -> list[dict]:
    """Tab from the top of the page until focus leaves the document: what each stop showed, and the text
    contrast problems (axe-core) of each focused element."""
    page.add_style_tag(content=NO_TRANSITIONS)
    page.add_script_tag(content=axe_source)
    # Tab starts after the focused element, or after the last one: start from a mark at the top of the page.
    page.evaluate("""() => {
        const start = document.createElement('span');
        start.tabIndex = -1;
        document.body.prepend(start);
        start.focus();
        window.scrollTo(0, 0);
    }""")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None:
            return stops
        stop["contrast"] = page.evaluate(FOCUSED_CONTRAST)
        stops.append(stop)
    pytest.fail(f"Tab went on for {limit} stops without leaving the page: a keyboard trap? Last: {stops[-3:]}")


def lookup_showing_no_match(page, root_url, records, python_matcher):
    open_lookup(page, root_url)
    paste(page, unsure_paste(records, python_matcher)[0])  # the contribute form (a text field, a link, a preview)


def lookup_showing_results(page, root_url, records, python_matcher):
    open_lookup(page, root_url)
    paste(page, varied_paste(records, python_matcher, EXACT)[0])


def record_page(page, root_url, records, python_matcher):
    record = max(records, key=lambda r: (len(r.sources) + len(r.signature_sources), r.id))
    page.goto(f"{root_url}errors/{record.id}/")


def home(page, root_url, records, python_matcher):
    page.goto(root_url)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("open_page", [home, lookup_showing_results, lookup_showing_no_match, record_page],
                         ids=lambda f: f.__name__)
def test_tab_reaches_every_control_and_shows_where_focus_is(browser, root_url, records, python_matcher, axe_source,
                                                           open_page, scheme):
    context = browser.new_context(color_scheme=scheme)
    context.route("**/*", _offline)
    try:
        page = Page(context.new_page())
        open_page(page, root_url, records, python_matcher)
        page.wait_for_load_state("load")
        check_tab_order(page, axe_source)
        assert not page.errors, page.errors
    finally:
        context.close()


def check_tab_order(page, axe_source):
    stops = tab_through(page, axe_source)
    assert len(stops) > 10
    assert stops[0]["name"].startswith("a.md-skip"), stops[0]  # the skip link comes first
    unseen = [stop["name"] for stop in stops if not (stop["outline"] or stop["shadow"])]
    assert not unseen, f"focused without an outline or shadow: {unseen}"
    off = [stop["name"] for stop in stops if not stop["onScreen"]]
    assert not off, f"focused while not on screen (a focus stop on nothing): {off}"
    unreached = page.evaluate(UNREACHED)
    assert not unreached, f"Tab never reaches: {unreached}"
    low = [problem for stop in stops for problem in stop["contrast"]]
    assert not low, f"text under 4.5:1 while focused: {low}"


# -- the skip link ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["lookup/", "about/"])
def test_the_skip_link_takes_focus_to_the_content(page, root_url, path):
    page.goto(root_url + path)
    page.keyboard.press("Tab")
    skip = page.locator("a.md-skip")
    assert page.evaluate("document.activeElement.classList.contains('md-skip')")
    assert skip.is_visible() and skip.text_content().strip() == "Skip to content"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["x"] >= 0  # shown on screen once focused
    target = skip.get_attribute("href").split("#", 1)[1]
    # Material's instant navigation takes the click, updates the history, then follows the link itself and
    # records the scroll position 100 ms later: a reader's next key comes after that, so the test waits
    # until the page has been quiet (no scroll, history or focus event) for 300 ms.
    page.evaluate("""() => {
        window.__kbLastEvent = performance.now();
        for (const type of ['scroll', 'popstate', 'hashchange', 'focusin', 'focusout'])
            window.addEventListener(type, () => { window.__kbLastEvent = performance.now(); }, true);
    }""")
    page.keyboard.press("Enter")
    # Focus moves to the heading the link points to (assets/a11y.js), and stays there once the page is quiet.
    page.wait_for_function("id => location.hash === '#' + id && document.activeElement.id === id && "
                           "performance.now() - window.__kbLastEvent > 300", arg=target)
    page.keyboard.press("Tab")
    # The next stop is in the page's content: past the header, the tabs and the navigation.
    assert page.evaluate("""() => {
        const focused = document.activeElement;
        return focused.closest('.md-content') !== null && focused.closest('header, nav, .md-sidebar') === null;
    }"""), page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
