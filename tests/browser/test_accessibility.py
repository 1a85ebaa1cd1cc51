"""axe-core in Chromium on every kind of page, in the light and the dark scheme (issue 14).

axe-core comes from npm, pinned exactly in package.json and package-lock.json (./scripts/setup runs
`npm ci`), and goes into each page from node_modules/axe-core/axe.min.js: never from a CDN (these tests
run offline anyway). Every rule axe runs by default is checked (WCAG 2.0, 2.1 and 2.2 A and AA, and
axe's best practices), and target-size too (WCAG 2.2 AA, 2.5.8: controls of at least 24 by 24 pixels),
which axe 4.14 leaves off by default. A serious or critical violation fails the test, which names the
rule, the page, the scheme and each element. Moderate and minor violations do not fail it: the test
prints them (pytest -rP), and README.md ("Accessibility") says which remain and why.

The pages come from the site built once for the browser tests (the real records), one browser, one tab
per scheme. A redirect page needs a record with a former id, which no real record has yet: that one
page comes from a copy of the fixture knowledge base with an alias added.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from typing import Callable

import pytest

from browser_support import ROOT, PREFIX, Page, _offline, build_site, paste, serve, unsure_paste, varied_paste
from generator.records import slugify

FAILING = ("serious", "critical")
EXACT = "No OAuth flow is in progress for asana. Call mcp__asana__authenticate first"
PASTED_IN_SEARCH = "npx mcp-remote: Error: listen EADDRINUSE: address already in use :::3334"
ALIAS = "widget-refused-old-name"
RENAMED = "demo-tool-widget-refused"


# -- what the pages need ---------------------------------------------------------------

@pytest.fixture(scope="module")
def pastes(records, python_matcher):
    """The lookup's two states: matches of every confidence, and no match with "not sure" leads."""
    return {"varied": varied_paste(records, python_matcher, EXACT)[0],
            "unsure": unsure_paste(records, python_matcher)[0]}


@pytest.fixture(scope="module")
def record(records):
    """The record page with the most links: the one where links in running text matter most."""
    return max(records, key=lambda r: (len(r.sources) + len(r.signature_sources), r.id))


@pytest.fixture(scope="module")
def renamed_site(tmp_path_factory):
    """The fixture knowledge base, one record renamed (its former id in aliases), built and served."""
    folder = tmp_path_factory.mktemp("renamed") / "signatures"
    shutil.copytree(ROOT / "tests" / "fixtures" / "valid", folder)
    path = folder / "demo-tool" / f"{RENAMED}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"aliases: [{ALIAS}]\n", encoding="utf-8")
    site = build_site(folder.parent / "site", folder)
    assert (site / "errors" / ALIAS / "index.html").is_file()
    running = serve(site)
    yield f"http://127.0.0.1:{running.server_address[1]}{PREFIX}/"
    running.shutdown()
    running.server_close()


# -- the pages --------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    path: str  # relative to the site root; may name the record's tool, category or first tag
    prepare: Callable | None = None  # (page, pastes) -> None: brings the page to the state to check
    material: bool = True  # a page of the theme (a redirect page is plain HTML)


def lookup_with_results(page, pastes):
    page.wait_for_selector('#kb-lookup:not([data-state="loading"])', timeout=15000)
    paste(page, pastes["varied"])
    assert page.get_attribute("#kb-lookup", "data-state") == "results"
    badges = set(page.eval_on_selector_all("#lookup-results .kb-confidence", "b => b.map(x => x.textContent)"))
    assert {"exact", "likely", "possible"} <= badges


def lookup_without_match(page, pastes):
    page.wait_for_selector('#kb-lookup:not([data-state="loading"])', timeout=15000)
    paste(page, pastes["unsure"])
    assert page.get_attribute("#kb-lookup", "data-state") == "no-match"
    assert page.is_visible("#lookup-unsure") and page.is_visible("#lookup-nomatch")
    page.click("#lookup-nomatch summary")  # the preview of what the contribute link sends, open


def open_search(page):
    """The site's search box, opened from the keyboard as a reader would ("/"), whichever search UI is in use."""
    page.keyboard.press("/")
    page.wait_for_selector('[data-md-component="search-query"]:focus', timeout=5000)


def wait_for_search_results(page):
    page.wait_for_function("""() => {
        const results = document.querySelector('[data-md-component="search-result"]');
        return results && results.querySelector('li') !== null;
    }""", timeout=15000)


def search_with_a_pasted_error(page, pastes):
    open_search(page)
    page.keyboard.insert_text(PASTED_IN_SEARCH)
    wait_for_search_results(page)


def search_with_words(page, pastes):
    open_search(page)
    page.keyboard.type("oauth")
    wait_for_search_results(page)


def search_results_page(page, pastes):
    page.wait_for_selector('#kb-search-page[data-state="results"] #kb-search-page-results li', timeout=15000)


CASES = {
    "home": Case(""),
    "home, search box open with a pasted error": Case("", search_with_a_pasted_error),
    "home, search box open with words": Case("", search_with_words),
    "search results page": Case("search/?q=oauth", search_results_page),
    "lookup with results": Case("lookup/", lookup_with_results),
    "lookup with no match": Case("lookup/", lookup_without_match),
    "record": Case("errors/{record}/"),
    "tool": Case("tools/{tool}/"),
    "tool index": Case("tools/"),
    "category": Case("categories/{category}/"),
    "category index": Case("categories/"),
    "tag": Case("tags/{tag}/"),
    "tag index": Case("tags/"),
    "contributing": Case("contributing/"),
    "about": Case("about/"),
    "how lookup works": Case("how-lookup-works/"),
    "api": Case("api/"),
    "maintainers' report": Case("maintainers/report/"),
    "404": Case("no-such-page/"),
    "redirect": Case(f"errors/{ALIAS}/", material=False),
}

SCHEMES = {"light": "default", "dark": "slate"}


@pytest.fixture(scope="module", params=list(SCHEMES))
def scheme_page(request, browser):
    """One tab per scheme, reused by every page: the reader's system asks for light or dark."""
    context = browser.new_context(color_scheme=request.param)
    context.route("**/*", _offline)
    yield request.param, Page(context.new_page())
    context.close()


def settle(page):
    """Waits for running CSS transitions and animations (the header and tabs fade on scroll): axe then
    sees the colours a reader sees, not a frame halfway through a fade."""
    page.evaluate("""() => Promise.all(document.getAnimations()
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
        .map(a => a.finished.catch(() => null)))""")


def run_axe(page, source: str) -> list[dict]:
    page.add_script_tag(content=source)
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations'],
                                                rules: {'target-size': {enabled: true}}});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,
                                      why: (n.failureSummary || '').replace(/\\s+/g, ' ')}))}));
    }""")


def describe(violations: list[dict], where: str) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}) on {where}: {violation['help']} <{violation['url']}>")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node['html'][:160]}\n      {node['why'][:400]}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(CASES))
def test_no_serious_or_critical_axe_violation(name, scheme_page, server, renamed_site, axe_source, pastes, record):
    scheme, page = scheme_page
    page.errors.clear()  # the tab is shared: only this page's script errors count
    case = CASES[name]
    root = renamed_site if name == "redirect" else server + PREFIX + "/"
    url = root + case.path.format(record=record.id, tool=record.tool_slug, category=record.category_slug,
                                  tag=slugify(record.tags[0]))
    target = f"**/errors/{RENAMED}/"
    if name == "redirect":  # stay on the redirect page long enough to check it (test_a_former_id_redirects)
        page.route(target, lambda route: route.abort("aborted"))
    try:
        response = page.goto(url)
        assert response.status == (404 if name == "404" else 200), url
        assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
        if case.material:
            assert page.get_attribute("body", "data-md-color-scheme") == SCHEMES[scheme]
        if case.prepare:
            case.prepare(page, pastes)
        settle(page)
        violations = run_axe(page, axe_source)
    finally:
        if name == "redirect":
            page.unroute(target)
    where = f"{name} [{scheme}] {url}"
    failing = [v for v in violations if v["impact"] in FAILING]
    others = [v for v in violations if v["impact"] not in FAILING]
    if others:
        print(describe(others, where))  # shown with pytest -rP; they do not fail the test
    assert not failing, "\n" + describe(failing, where)
    assert not page.errors, page.errors


def test_a_former_id_redirects_to_the_record(page, renamed_site):
    page.goto(renamed_site + f"errors/{ALIAS}/")
    page.wait_for_url(renamed_site + f"errors/{RENAMED}/")
    assert page.locator("h1").first.text_content().startswith("Widget refused the connection")


# axe-core does not check the example text in empty fields (placeholders); WCAG's 4.5:1 holds for it too.
PLACEHOLDER_CONTRAST = """() => {
    const rgba = text => {  // rgb(0, 0, 0), rgba(0, 0, 0, 0.5) or, from color-mix(), color(srgb 0 0 0 / 0.5)
        const [r, g, b, a = 1] = text.replace(/^color\\(srgb/, '').match(/[\\d.]+/g).map(Number);
        const scale = text.startsWith('color(srgb') ? 255 : 1;
        return {r: r * scale, g: g * scale, b: b * scale, a};
    };
    const over = (top, below) => ({r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a),
                                   b: top.b * top.a + below.b * (1 - top.a), a: 1});
    const luminance = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
    const channel = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    const background = element => {  // the backgrounds from the page up to the field, laid one over another
        const layers = [];
        for (let node = element; node; node = node.parentElement) {
            layers.push(rgba(getComputedStyle(node).backgroundColor));
        }
        return layers.reverse().reduce((below, top) => over(top, below), {r: 255, g: 255, b: 255, a: 1});
    };
    return [...document.querySelectorAll('[placeholder]')].filter(e => e.checkVisibility()).map(element => {
        const back = background(element);
        const text = over(rgba(getComputedStyle(element, '::placeholder').color), back);
        const [light, dark] = [luminance(text), luminance(back)].sort((a, b) => b - a);
        return {field: element.id || element.className, ratio: (light + 0.05) / (dark + 0.05)};
    });
}"""


@pytest.mark.parametrize("name", ["home", "lookup with no match"])
def test_example_text_in_empty_fields_reaches_4_5_to_1(name, scheme_page, server, pastes):
    scheme, page = scheme_page
    page.goto(server + PREFIX + "/" + CASES[name].path)
    if CASES[name].prepare:
        CASES[name].prepare(page, pastes)
    fields = page.evaluate(PLACEHOLDER_CONTRAST)
    assert len(fields) >= 2  # the search box and the page's own paste box (and the tool field)
    low = [f"{field['field']}: {field['ratio']:.2f}:1" for field in fields if field["ratio"] < 4.5]
    assert not low, f"placeholder text under 4.5:1 on {name} [{scheme}]: {low}"
