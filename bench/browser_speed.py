"""The lookup page against a large knowledge base, in Chromium: index size, latency, cold load.

    python bench/browser_speed.py [--records 10000] [--keystrokes 200] [--loads 5]

Writes --records synthetic records (bench/synth.py), builds their
lookup-index.json exactly as the site build does (generator.lookup.index_json),
and puts it in a site built from signatures/ (the lookup page reads only that
file, so the other 10,000 record pages would change nothing measured here). The
site is served from 127.0.0.1 by a Python thread; requests to other hosts
(Material's web fonts, the GitHub API) are aborted, as offline. Debian's
Chromium runs headless.

Figures:
- index size: lookup-index.json raw, and gzipped (level 6, what static hosts
  such as GitHub Pages serve, and level 9).
- cold load: a fresh browser context (empty cache) opens lookup/; time from
  the start of navigation until the lookup can answer (index fetched, parsed
  and prepared: the page's data-ready-at), with the browser's own
  domInteractive and load for comparison. Median of --loads.
- keystroke to results: with a noisy paste (1-40 log lines, bench/synth.py)
  in the text area but for its last character, a real key press types that
  character; time from the keydown event to the frame after the new results
  are in the page (the lookup, the rendering, and the next animation frame).
  Median and p95 over --keystrokes pastes, each for a different record.
- top-1 of those pastes in the browser, and agreement with the Python engine
  on the same index.
"""
from __future__ import annotations

import argparse
import gzip
import random
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import synth  # noqa: E402
from browser_support import _offline, launch, serve  # noqa: E402
from generator.lookup import Matcher, index_json  # noqa: E402
from generator.validate import validate_folder  # noqa: E402

MEASURE = """() => {
    window.__kb = {};
    const results = document.getElementById('lookup-results');
    document.getElementById('error-input').addEventListener('keydown', () => {
        window.__kb = {down: performance.now()};
    }, true);
    new MutationObserver(() => {
        const kb = window.__kb;
        if (kb.down === undefined || kb.dom !== undefined) return;
        kb.dom = performance.now();
        requestAnimationFrame(() => setTimeout(() => { kb.frame = performance.now(); }, 0));
    }).observe(results, {attributes: true, attributeFilter: ['data-lookups']});
}"""


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--keystrokes", type=int, default=200)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "signatures"
        examples = synth.write_kb(args.records, folder)
        for path in folder.rglob("*.yaml"):  # the validator refuses dates in the future; these are not about dates
            path.write_text(re.sub(r"(?m)^updated: .*$", "updated: 2026-01-01", path.read_text()))
        result = validate_folder(folder)
        if result.problems:
            raise SystemExit(f"synthetic records are invalid: {result.problems[0]}")
        index_text = index_json(result.records)
        raw = index_text.encode("utf-8")
        site = Path(tmp) / "site"
        built = subprocess.run([sys.executable, "-m", "generator", "build", "--site-dir", str(site)], cwd=ROOT,
                               capture_output=True, text=True)
        if built.returncode:
            raise SystemExit(built.stderr)
        (site / "lookup-index.json").write_bytes(raw)

        sample = rng.sample(examples, min(args.keystrokes, len(examples)))
        pastes = []
        for record_id, example in sample:
            text = synth.noisy_paste(rng, example).rstrip()
            if text[-1:].isalnum() or text[-1:] in ".:;,)'\"`]}>-_/":
                pastes.append((record_id, text))
        python = Matcher(__import__("json").loads(index_text))

        server = serve(site)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        loads, interactive, load_events, prepare = [], [], [], []
        latencies, dom_latencies = [], []
        hits = agree = 0
        with sync_playwright() as playwright:
            browser = launch(playwright)
            version = browser.version
            for _ in range(args.loads):
                context = browser.new_context()
                context.route("**/*", _offline)
                page = context.new_page()
                page.goto(base + "lookup/")
                page.wait_for_selector("#kb-lookup[data-ready-at]", timeout=60000)
                loads.append(float(page.get_attribute("#kb-lookup", "data-ready-at")))
                prepare.append(float(page.get_attribute("#kb-lookup", "data-load-ms")))
                timing = page.evaluate("() => { const t = performance.getEntriesByType('navigation')[0];"
                                       " return [t.domInteractive, t.loadEventEnd]; }")
                interactive.append(timing[0])
                load_events.append(timing[1])
                context.close()

            context = browser.new_context()
            context.route("**/*", _offline)
            page = context.new_page()
            page.goto(base + "lookup/")
            page.wait_for_selector("#kb-lookup[data-ready-at]", timeout=60000)
            page.evaluate(MEASURE)
            for record_id, text in pastes:
                before = page.get_attribute("#lookup-results", "data-lookups")
                page.fill("#error-input", text[:-1])
                page.wait_for_function("b => document.getElementById('lookup-results')"
                                       ".getAttribute('data-lookups') !== b", arg=before)
                page.wait_for_timeout(20)
                page.focus("#error-input")
                page.evaluate("() => { const e = document.getElementById('error-input');"
                              " e.selectionStart = e.selectionEnd = e.value.length; }")
                page.keyboard.type(text[-1])
                page.wait_for_function("window.__kb.frame !== undefined", timeout=10000)
                measured = page.evaluate("window.__kb")
                latencies.append(measured["frame"] - measured["down"])
                dom_latencies.append(measured["dom"] - measured["down"])
                top = page.eval_on_selector_all("#lookup-results > li", "items => items.map(i => i.dataset.id)")
                expected = [m.id for m in python.lookup(text)]
                hits += bool(top) and top[0] == record_id
                agree += top == expected
            browser.close()
        server.shutdown()
        server.server_close()

    print(f"Chromium {version}; {args.records} synthetic records, {len(python.state['texts'])} signatures")
    print(f"lookup-index.json:                  {len(raw) / 1e6:.2f} MB raw, "
          f"{len(gzip.compress(raw, 6)) / 1e3:.0f} KB gzipped (level 6), "
          f"{len(gzip.compress(raw, 9)) / 1e3:.0f} KB (level 9)")
    print(f"cold load, navigation to ready:     median {statistics.median(loads):.0f} ms of {len(loads)} "
          f"(min {min(loads):.0f}, max {max(loads):.0f}); index fetch + parse + prepare "
          f"{statistics.median(prepare):.0f} ms; domInteractive {statistics.median(interactive):.0f} ms, "
          f"load event {statistics.median(load_events):.0f} ms")
    print(f"keystroke to results (next frame):  median {statistics.median(latencies):.1f} ms, "
          f"p95 {percentile(latencies, 0.95):.1f} ms, max {max(latencies):.1f} ms over {len(latencies)} keystrokes")
    print(f"keystroke to results in the DOM:    median {statistics.median(dom_latencies):.1f} ms, "
          f"p95 {percentile(dom_latencies, 0.95):.1f} ms")
    print(f"top-1 correct on those pastes:      {hits}/{len(pastes)}; "
          f"same ranked ids as the Python engine: {agree}/{len(pastes)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
