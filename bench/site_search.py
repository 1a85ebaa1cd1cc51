"""The site search box in Chromium, on a cold load: time to the first results, bytes fetched, memory.

    python bench/site_search.py SITE_DIR [--query WORDS] [--description WORDS] [--loads 3]

Serves a site that `kb build` wrote on 127.0.0.1 under /error-atlas/ (as published), opens the home
page in a fresh browser context (empty cache) of Debian's Chromium (headless, through Playwright),
clicks the header's search box and types a query. Figures, each the median of --loads cold loads:

- first results: from the query's input event to the full-text results in the box (the box waits for
  a 200 ms pause in typing, then Pagefind fetches the index chunks and the pages' fragments it needs),
  with the query typed at once after the click (the worst case: Pagefind starts loading on the click)
  and typed 1 s after it (about the time a reader takes to type a few words);
- download: every byte fetched from clicking the box to the first results, counted as a static host
  serves it (text gzipped at level 6; Pagefind's files are compressed already), and the part of it
  that is Pagefind's (pagefind/); clicking the box also starts loading the lookup's index, for pastes;
- heap: the JavaScript memory of the page and its workers (Pagefind searches in a web worker) after
  the results, by performance.measureUserAgentSpecificMemory (the server sends the COOP and COEP
  headers that allow it);
- the index: the size of pagefind/ on disk, and of what a search can fetch from it.

--query is a few words; --description a sentence, searched word by word (search-rank.js); --common
words that are all on many pages (the box searches the pages that hold all of the rarest ones, or says
that the words are too common), measured for the time to its answer and the results shown.
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--enable-blink-features=ForceEagerMeasureMemory"]
# In the vocabulary of bench/synth.py: a few words with a tool's name, a sentence, and words that are
# all common (each on thousands of pages at 100,000 records).
QUERY = "docker volume permission denied"
DESCRIPTION = "docker cannot mount the volume because the socket says permission denied after the update"
COMMON = "volume permission denied"

TIMES = """() => {
    window.__kbSearch = {};
    document.addEventListener('input', (event) => {
        if (event.target.matches('.md-search__input')) window.__kbSearch = {typed: performance.now()};
    }, true);
    document.addEventListener('DOMContentLoaded', () => {
        new MutationObserver(() => {
            const box = document.querySelector('[data-md-component=search-result]');
            const times = window.__kbSearch;
            if (box && box.dataset.state === 'results' && times.typed !== undefined && times.shown === undefined) {
                times.shown = performance.now();
            }
        }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-state']});
    });
}"""


def served_size(body: bytes) -> int:
    """What a static host sends: text gzipped, already-compressed files as they are."""
    return min(len(body), len(gzip.compress(body, 6)))


def serve(site: Path):
    import functools
    import http.server
    import threading

    from browser_support import SiteHandler

    class Isolated(SiteHandler):
        def end_headers(self):
            # Cross-origin isolation lets the page measure its workers' memory too.
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            super().end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Isolated, directory=str(site)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def one_load(browser, url: str, query: str, typing_ms: int = 0) -> dict:
    context = browser.new_context()
    context.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    page = context.new_page()
    page.add_init_script(f"({TIMES})()")
    fetched: list[tuple[str, int]] = []
    counting = {"on": False}

    def on_response(response):
        if not counting["on"]:
            return
        try:
            fetched.append((response.url, served_size(response.body())))
        except Exception:  # noqa: BLE001 - a redirect or an aborted request has no body
            pass

    page.on("response", on_response)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    counting["on"] = True
    page.click(".md-search__input")
    if typing_ms:
        page.wait_for_timeout(typing_ms)  # a reader takes about this long to type a query
    page.fill(".md-search__input", query)
    page.wait_for_function("window.__kbSearch.shown !== undefined", timeout=120_000)
    times = page.evaluate("window.__kbSearch")
    counting["on"] = False
    state = page.evaluate("""() => {
        const box = document.querySelector('[data-md-component=search-result]');
        return {results: box.querySelectorAll('.md-search-result__list > li').length,
                meta: box.querySelector('.md-search-result__meta').textContent};
    }""")
    heap = page.evaluate("""async () => {
        const result = await performance.measureUserAgentSpecificMemory();
        return result.bytes;
    }""")
    context.close()
    return {
        "first_results_s": (times["shown"] - times["typed"]) / 1000,
        "download_kb": sum(size for _, size in fetched) / 1e3,
        "pagefind_download_kb": sum(size for url, size in fetched if "/pagefind/" in url) / 1e3,
        "requests": len(fetched),
        "heap_mb": heap / 1e6,
        "results": state["results"],
        "meta": state["meta"],
    }


def index_sizes(site: Path) -> dict:
    bundle = site / "pagefind"
    files = [path for path in bundle.rglob("*") if path.is_file()]
    chunks = list((bundle / "index").glob("*.pf_index"))
    fragments = list((bundle / "fragment").glob("*.pf_fragment"))
    metas = list(bundle.glob("*.pf_meta"))
    return {
        "pagefind_mb": sum(path.stat().st_size for path in files) / 1e6,
        "pagefind_index_mb": sum(path.stat().st_size for path in chunks) / 1e6,
        "pagefind_chunks": len(chunks),
        "pagefind_largest_chunk_kb": max((path.stat().st_size for path in chunks), default=0) / 1e3,
        "pagefind_fragments_mb": sum(path.stat().st_size for path in fragments) / 1e6,
        "pagefind_meta_kb": sum(path.stat().st_size for path in metas) / 1e3,
    }


def measure(site: Path, query: str = QUERY, description: str = DESCRIPTION, common: str = COMMON,
            loads: int = 3) -> dict:
    from playwright.sync_api import sync_playwright

    from browser_support import CHROMIUM, PREFIX

    server = serve(site)
    url = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}/"
    row = index_sizes(site)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for name, text in (("query", query), ("description", description), ("common", common)):
                runs = [one_load(browser, url, text) for _ in range(loads)]
                for key in ("first_results_s", "download_kb", "pagefind_download_kb", "heap_mb", "requests",
                            "results"):
                    row[f"search_{name}_{key}"] = statistics.median(run[key] for run in runs)
                row[f"search_{name}_meta"] = runs[0]["meta"]
                if name != "common":
                    later = [one_load(browser, url, text, typing_ms=1000) for _ in range(loads)]
                    row[f"search_{name}_typed_1s_first_results_s"] = statistics.median(
                        run["first_results_s"] for run in later)
            browser.close()
    finally:
        server.shutdown()
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--query", default=QUERY)
    parser.add_argument("--description", default=DESCRIPTION)
    parser.add_argument("--common", default=COMMON)
    parser.add_argument("--loads", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    for key, value in measure(args.site, args.query, args.description, args.common, args.loads).items():
        print(f"{key}: {value:.2f}" if isinstance(value, float) else f"{key}: {value}")
    print(f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
