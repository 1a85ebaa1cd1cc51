"""Does the browser answer as the Python engine does, on the labelled corpus?

    python bench/browser_parity.py [--corpus bench/corpus]

Runs the site's lookup engine (site_overrides/assets/lookup.js) inside Debian's
Chromium, headless, on every paste of bench/corpus (the verbatim pastes, the
derived truncated and typo variants of bench/lookup_accuracy.py, and the
negatives), against the corpus's signatures, and compares with
generator/lookup.py on the same index. Prints how many pastes get the same
top-1 (and the same full ranked answer: ids, scores, confidence, values,
lines), and the accuracy that each side reaches against the labels.

What it measures: the JavaScript engine as the browser runs it, the same file
the lookup page loads; not the page's user interface, which tests/browser
covers on the real records.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import lookup_accuracy  # noqa: E402
from browser_support import launch  # noqa: E402
from generator.lookup import Matcher  # noqa: E402

ENGINE = ROOT / "site_overrides" / "assets" / "lookup.js"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    signatures, pastes, negatives = lookup_accuracy.load(args.corpus)
    index = lookup_accuracy.corpus_index(signatures)
    items = ([dict(p, label=p["id_expected"]) for p in pastes]
             + [dict(d, label=d["id_expected"]) for d in lookup_accuracy.derived_hard_cases(pastes, signatures)]
             + [{"kind": "negative", "label": None, "text": n["text"]} for n in negatives])
    matcher = Matcher(index)
    started = time.perf_counter()
    answers = [matcher.search(item["text"], limit=5, weak=3) for item in items]
    python = [[m.as_json() for m in answer.matches] for answer in answers]
    python_weak = [[m.as_json() for m in answer.weak] for answer in answers]
    python_seconds = time.perf_counter() - started

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.set_content("<!doctype html><title>parity</title>")
        page.add_script_tag(path=str(ENGINE))
        found = page.evaluate("""([index, texts]) => {
            const started = performance.now();
            const matcher = new ErrorAtlasLookup.Matcher(index);
            const prepared = performance.now();
            const strip = m => { const {specificity, ...rest} = m; return rest; };
            const answers = texts.map(text => matcher.search(text, 5, 3));
            return {results: answers.map(a => a.matches.map(strip)), weak: answers.map(a => a.weak.map(strip)),
                    prepareMs: prepared - started, lookupMs: performance.now() - prepared,
                    agent: navigator.userAgent};
        }""", [index, [item["text"] for item in items]])
        version = browser.version
        browser.close()

    browser_results = found["results"]
    same_top1 = sum(1 for b, p in zip(browser_results, python) if b[:1] and p[:1] and b[0]["id"] == p[0]["id"]
                    or not b and not p)
    same_all = sum(1 for b, p in zip(browser_results, python) if b == p)
    same_weak = sum(1 for b, p in zip(found["weak"], python_weak) if b == p)
    differing = [i for i, (b, p) in enumerate(zip(browser_results, python)) if b[:1] != p[:1]]

    def accuracy(results):
        hits = Counter()
        totals = Counter()
        for item, result in zip(items, results):
            totals[item["kind"]] += 1
            top = result[0]["id"] if result else None
            hits[item["kind"]] += top == item["label"]
        return hits, totals

    browser_hits, totals = accuracy(browser_results)
    python_hits, _ = accuracy(python)
    labelled = [k for k in totals if k != "negative"]
    print(f"Chromium {version}, engine {ENGINE.relative_to(ROOT)}")
    print(f"corpus: {len(signatures)} signatures; {len(items)} pastes "
          f"({len(pastes)} verbatim, {len(items) - len(pastes) - len(negatives)} derived, {len(negatives)} negatives)")
    print(f"same top-1 as Python:             {same_top1}/{len(items)}")
    print(f"same full answer (top 5, scores): {same_all}/{len(items)}")
    print(f"same 'not sure' leads:            {same_weak}/{len(items)}")
    for kind in sorted(totals):
        label = "no match (negatives)" if kind == "negative" else f"top-1 correct, {kind}"
        print(f"  {label:34} browser {browser_hits[kind]:3}/{totals[kind]:<3}  python {python_hits[kind]:3}/{totals[kind]}")
    b_all = sum(browser_hits[k] for k in labelled)
    p_all = sum(python_hits[k] for k in labelled)
    n_all = sum(totals[k] for k in labelled)
    print(f"  {'top-1 correct, all labelled':34} browser {b_all:3}/{n_all:<3}  python {p_all:3}/{n_all}")
    print(f"time: browser prepare {found['prepareMs']:.0f} ms, {len(items)} lookups {found['lookupMs']:.0f} ms; "
          f"python {len(items)} lookups {python_seconds * 1000:.0f} ms")
    if differing or same_all != len(items) or same_weak != len(items):
        print(f"DIFFERENT top-1 on pastes {differing[:10]}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
