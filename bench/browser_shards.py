"""The lookup page over the sharded index, in Chromium: bytes before the first result, and time to it.

    python bench/browser_shards.py [--records 100000] [--pastes 10] [--index-cache /tmp/idx100k.json]

Writes --records synthetic records (bench/synth.py), makes their lookup index
as the build does (generator.lookup.index_json; records the validator refuses
are left out, as `kb build` would refuse them) and its shards
(generator.shards, the build's own sizes), and puts both in a site built from
signatures/ (the lookup page reads nothing else, so the record pages would
change nothing measured here). Writing and validating 100,000 records takes a
few minutes: --index-cache keeps the index in a file for the next run.

For each paste, a cold tab (a fresh browser context: empty cache, no shard in
memory) opens lookup/ and waits until the page is ready (manifest fetched);
then the paste goes into the text area as one input event, as a paste does.
Figures, median and max over --pastes pastes of each kind:
- bytes of the index fetched before the first result (manifest and shards):
  raw, and gzipped at level 6 (what static hosts such as GitHub Pages send),
  and the number of requests;
- time from the paste's input event to the frame after the results are in the
  page (shards fetched from 127.0.0.1, parsed, matched, rendered);
- agreement of the ranked ids with the Python engine on the whole index.
Kinds: a one-line paste (a record's example, cut at 80% so it needs the fuzzy
stage) and a 40-line log (the example among 39 noise lines).
The whole lookup-index.json's size is printed for comparison.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
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
from generator.shards import SHARDS_DIR, write_shards  # noqa: E402
from generator.validate import validate_folder  # noqa: E402

PASTE = """text => new Promise(resolve => {
    const input = document.getElementById('error-input');
    const results = document.getElementById('lookup-results');
    const before = results.getAttribute('data-lookups');
    let started;
    new MutationObserver((_, observer) => {
        if (results.getAttribute('data-lookups') === before) return;
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - started), 0));
    }).observe(results, {attributes: true, attributeFilter: ['data-lookups']});
    input.value = text;
    started = performance.now();
    input.dispatchEvent(new Event('input', {bubbles: true}));
})"""


def make_index(records: int, cache: Path | None) -> tuple[str, list[tuple[str, str]]]:
    """(index JSON, [(record id, example)]) for a synthetic knowledge base of this size."""
    if cache and cache.exists():
        index_text = cache.read_text(encoding="utf-8")
        examples = json.loads(cache.with_suffix(".examples.json").read_text(encoding="utf-8"))
        return index_text, [tuple(item) for item in examples]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "signatures"
        examples = synth.write_kb(records, folder)
        for path in folder.rglob("*.yaml"):  # the validator refuses dates in the future; these are not about dates
            path.write_text(re.sub(r"(?m)^updated: .*$", "updated: 2026-01-01", path.read_text()))
        result = validate_folder(folder)
        usable = {record.id for record in result.usable}
        index_text = index_json(result.usable)
    examples = [item for item in examples if item[0] in usable]
    if cache:
        cache.write_text(index_text, encoding="utf-8")
        cache.with_suffix(".examples.json").write_text(json.dumps(examples), encoding="utf-8")
    return index_text, examples


def forty_line_log(rng: random.Random, example: str) -> str:
    error = synth.unquote(example)
    noise: list[str] = []
    while len(noise) < 39:
        noise += [line for line in synth.noisy_paste(rng, example).split("\n") if error not in line]
    lines = noise[:39]
    lines.insert(rng.randint(10, 30), error)
    return "\n".join(lines)


def one_line(example: str) -> str:
    text = synth.unquote(example)
    return text[: int(len(text) * 0.8)]


def summary(values, unit, scale=1.0, digits=0):
    return (f"median {statistics.median(values) / scale:.{digits}f} {unit}, "
            f"max {max(values) / scale:.{digits}f} {unit}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100000)
    parser.add_argument("--pastes", type=int, default=10, help="pastes of each kind, each in a cold tab")
    parser.add_argument("--index-cache", type=Path, help="keep the synthetic index in this file between runs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    index_text, examples = make_index(args.records, args.index_cache)
    index = json.loads(index_text)
    python = Matcher(index)
    rng = random.Random(13)
    sample = rng.sample(examples, args.pastes)
    kinds = {"one line": [(rid, one_line(ex)) for rid, ex in sample],
             "40-line log": [(rid, forty_line_log(rng, ex)) for rid, ex in sample]}

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        built = subprocess.run([sys.executable, "-m", "generator", "build", "--site-dir", str(site)], cwd=ROOT,
                               capture_output=True, text=True, env=dict(os.environ, KB_LOOKUP_SHARDS="never"))
        if built.returncode:
            raise SystemExit(built.stderr)
        whole = index_text.encode("utf-8")
        (site / "lookup-index.json").write_bytes(whole)
        manifest = write_shards(index, site / SHARDS_DIR)
        server = serve(site)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        figures = {}
        with sync_playwright() as playwright:
            browser = launch(playwright)
            version = browser.version
            for kind, pastes in kinds.items():
                raw, gz, requests, times, agree = [], [], [], [], 0
                for _, text in pastes:
                    context = browser.new_context()
                    context.route("**/*", _offline)
                    page = context.new_page()
                    bodies = []
                    page.on("response", lambda response: bodies.append(response.body())
                            if "/lookup-index" in response.url and response.ok else None)
                    page.goto(base + "lookup/")
                    page.wait_for_selector("#kb-lookup[data-ready-at]", timeout=60000)
                    times.append(page.evaluate(PASTE, text))
                    raw.append(sum(len(body) for body in bodies))
                    gz.append(sum(len(gzip.compress(body, 6)) for body in bodies))
                    requests.append(len(bodies))
                    got = page.eval_on_selector_all("#lookup-results > li", "items => items.map(i => i.dataset.id)")
                    agree += got == [m.id for m in python.lookup(text)]
                    context.close()
                figures[kind] = (raw, gz, requests, times, agree, len(pastes))
            browser.close()
        server.shutdown()
        server.server_close()

    print(f"Chromium {version}; {len(index['records'])} synthetic records, {manifest['templates']} signatures, "
          f"{manifest['words']} words; {manifest['word_shards']} word shards, {manifest['template_shards']} "
          f"template shards of {manifest['template_shard_size']}")
    print(f"whole lookup-index.json (for comparison): {len(whole) / 1e6:.2f} MB raw, "
          f"{len(gzip.compress(whole, 6)) / 1e6:.2f} MB gzipped")
    for kind, (raw, gz, requests, times, agree, count) in figures.items():
        print(f"{kind}: index bytes before the first result {summary(raw, 'KB', 1e3)} raw, "
              f"{summary(gz, 'KB', 1e3)} gzipped, in {summary(requests, 'requests')}; "
              f"paste to results on a cold tab {summary(times, 'ms')}; "
              f"same ranked ids as the Python engine: {agree}/{count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
