"""Browser tests: Debian's Chromium, driven by Playwright, against the built site on localhost.

The site is built once per session from the real signatures/ folder and served
by a thread on 127.0.0.1, at the root and under /error-atlas/ (the path of the
published site), so that no URL can be right by accident. Requests to any
other host (Material's web fonts, the GitHub API for the repository's stars)
are aborted: the tests run offline and see every request the page makes.

These tests never skip: without Chromium or Playwright they fail, loudly.
"""
from __future__ import annotations

import json

import pytest

from browser_support import ROOT, PREFIX, Page, _offline, build_site, launch, serve
from generator.lookup import Matcher, build_index
from generator.validate import validate_folder


@pytest.fixture(scope="session")
def records():
    """The real records the site is built from, in id order."""
    result = validate_folder(ROOT / "signatures")
    assert not result.problems
    return sorted(result.records, key=lambda r: r.id)


@pytest.fixture(scope="session")
def python_matcher(records):
    """The Python engine over the same records: what the browser must answer too."""
    return Matcher(build_index(records))


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("browser") / "site", ROOT / "signatures")


@pytest.fixture(scope="session")
def server(site):
    running = serve(site)
    yield f"http://127.0.0.1:{running.server_address[1]}"
    running.shutdown()
    running.server_close()


@pytest.fixture(scope="session", params=["root", "prefixed"])
def base_url(request, server) -> str:
    """The site's root URL: at / and, like the published site, under /error-atlas/."""
    return server + ("/" if request.param == "root" else PREFIX + "/")


@pytest.fixture(scope="session")
def root_url(server) -> str:
    return server + PREFIX + "/"


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: ./scripts/setup installs it (the test extras).", pytrace=False)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context()
    context.route("**/*", _offline)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return Page(context.new_page())


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js from node_modules, after checking that it is the version package.json pins."""
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: install Node.js 20+ with npm, then run ./scripts/setup "
                    "(npm ci, from package-lock.json). The accessibility tests must run, not skip.", pytrace=False)
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]["axe-core"]
    installed = json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))["version"]
    if installed != pinned:
        pytest.fail(f"node_modules has axe-core {installed}, package.json pins {pinned}: run ./scripts/setup.",
                    pytrace=False)
    return AXE.read_text(encoding="utf-8")
