"""Helpers for the browser tests: launching Chromium, serving the site, driving the lookup page."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
PREFIX = "/error-atlas"


def launch(playwright):
    """Debian's Chromium, headless; never a downloaded browser."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install it (apt-get install chromium, as .ci/run does). "
                    "The browser tests must run, not skip.", pytrace=False)
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site at / and at /error-atlas/; a missing page gets the site's 404.html, as on GitHub Pages."""

    def translate_path(self, path):
        parts = urlsplit(path)
        if parts.path == PREFIX or parts.path.startswith(PREFIX + "/"):
            path = parts.path[len(PREFIX):] or "/"
        return super().translate_path(path)

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def serve(directory: Path):
    handler = functools.partial(SiteHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def build_site(target: Path, signatures: Path, **env: str) -> Path:
    completed = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--signatures", str(signatures), "--site-dir", str(target)],
        cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1", **env))
    assert completed.returncode == 0, completed.stderr
    return target


class Page:
    """A page with what every test wants to know: requests made, dialogs opened, script errors."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def __getattr__(self, name):
        return getattr(self.page, name)


def _offline(route):
    host = urlsplit(route.request.url).hostname
    if host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def open_lookup(page: Page, base: str):
    """The lookup page, with its index loaded and the matcher ready."""
    page.goto(base + "lookup/")
    page.wait_for_selector('#kb-lookup:not([data-state="loading"])', timeout=15000)
    assert page.get_attribute("#kb-lookup", "data-state") != "error", page.text_content("#lookup-status")
    return page


def paste(page: Page, text: str):
    """Put text in the lookup's text area as a paste does (one input event), and wait for the answer."""
    before = page.get_attribute("#lookup-results", "data-lookups") or "0"
    page.fill("#error-input", text)
    page.wait_for_function(
        "before => (document.getElementById('lookup-results').getAttribute('data-lookups') || '0') !== before",
        arg=before, timeout=10000)


def result_ids(page: Page) -> list[str]:
    return page.eval_on_selector_all("#lookup-results > li", "items => items.map(item => item.dataset.id)")


def unsure_paste(records, matcher):
    """(text, answer): a paste that no record explains with confidence but one comes close to, for the records
    of the day: a real example with more and more of its words replaced, until Python answers only "not sure"."""
    for record in records:
        for example in record.examples:
            words = example.split()
            for replaced in range(1, len(words)):
                text = " ".join("frobnicated" if i % 2 and i < 2 * replaced else word for i, word in enumerate(words))
                answer = matcher.search(text, limit=5, weak=3)
                if not answer.matches and answer.weak:
                    return text, answer
                if not answer.matches:
                    break
    pytest.fail("no example of any record degrades into a 'not sure' paste")


def varied_paste(records, matcher, first_line: str):
    """(text, answer): first_line (an exact match) and a real example cut short, so that the lookup answers with
    every confidence, exact, likely and possible, for the records of the day."""
    for record in records:
        for example in record.examples:
            words = example.split()
            for cut in range(1, len(words) - 3):
                text = first_line + "\n" + " ".join(words[:-cut])
                answer = matcher.search(text, limit=5, weak=3)
                if {"exact", "likely", "possible"} <= {match.confidence for match in answer.matches}:
                    return text, answer
    pytest.fail("no example cut short gives an answer with every confidence")
