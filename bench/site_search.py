"""The site search box in Chromium: time to the first answer after a cold page load, and its memory.

    python bench/site_search.py SITE_DIR [--query WORDS]

Serves a built site on 127.0.0.1, opens the home page in Debian's Chromium
(headless, through Playwright), types a word query into Material's search
box as soon as it can, and measures the time from the start of navigation
until the first result is shown. Material builds its lunr index in a web
worker from search/search_index.json, so the heap reported is the worker's
(performance.measureUserAgentSpecificMemory, which cross-origin isolation
allows: the bench server sends COOP and COEP headers), and the download is what the
search fetched, gzipped as a static host would serve it.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--enable-blink-features=ForceEagerMeasureMemory"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def end_headers(self):
        # Cross-origin isolation lets the page measure the memory of its workers too
        # (performance.measureUserAgentSpecificMemory).
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()


def serve(folder: Path):
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure(site: Path, query: str = "failed") -> dict:
    from playwright.sync_api import sync_playwright

    server = serve(site)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    fetched: dict[str, int] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page()

            def on_response(response):
                if "search" in response.url:
                    try:
                        fetched[response.url] = len(gzip.compress(response.body(), 6))
                    except Exception:  # noqa: BLE001 - a redirect or aborted request has no body
                        pass
            page.on("response", on_response)
            started = time.perf_counter()
            page.goto(url, wait_until="commit")
            page.wait_for_selector("input.md-search__input", state="attached")
            page.evaluate("() => { document.querySelector('#__search').checked = true }")
            box = page.locator("input.md-search__input")
            box.fill(query)
            page.wait_for_selector(".md-search-result__item", state="attached", timeout=60_000)
            first_answer = time.perf_counter() - started
            heap = page.evaluate("""async () => {
                const result = await performance.measureUserAgentSpecificMemory();
                return result.breakdown
                    .filter(entry => entry.attribution.some(a => (a.scope || "").includes("Worker")))
                    .reduce((sum, entry) => sum + entry.bytes, 0);
            }""")
            browser.close()
    finally:
        server.shutdown()
    return {
        "search_first_answer_s": first_answer,
        "search_worker_heap_mb": heap / 1e6 if heap else float("nan"),
        "search_download_gz_mb": sum(fetched.values()) / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--query", default="failed")
    args = parser.parse_args()
    for key, value in measure(args.site, args.query).items():
        print(f"{key}: {value:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
