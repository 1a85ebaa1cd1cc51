"""Problem descriptions in the site's search box: is the right record in the first three results?

    python bench/symptom_search.py [--split dev|test|all] [--before REF] [--no-before] [--site DIR]

The queries are bench/symptoms/queries.yaml: descriptions of problems that the knowledge base explains,
written in our own words after public issue threads that the records do not cite, each labelled with
the record a careful reader would point to (`expected`, or any of `also`) and whether the text alone
is enough to point to one (`answerable`). The labels are data: they are never edited to suit results.

They are split by thread into a dev split, used to tune the search, and a test split, frozen on
2026-12-01 (bench/symptoms/test-sources.txt lists its threads; see bench/symptoms/README.md), reported
but never tuned on. A query whose thread is not listed there (added later) is dev.

Every query is typed into the header's search box of a built site in Chromium (headless, Debian's
Chromium through Playwright), exactly as a reader would, and the results are read in the order the box
shows them: the error lookup's matches first (for queries that read like an error), then the full-text
results. A query counts as found when its record is among the first three distinct records shown.

- after: this checkout's site (`kb build`, or --site DIR): Pagefind ranked by search-rank.js.
- before: the same records built by another revision with its own search (--before REF; by default
  where this branch left main, or on main the last revision before Pagefind, so that both searches see
  the same records): Material's lunr search
  over one title-only entry per record, below the lookup's block.

Prints the share found for answerable queries and for all, per split and per style, for both, and the
dev queries that the after search misses (with --misses; the test split's are never listed, so that
nobody tunes on them).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

QUERIES = HERE / "symptoms" / "queries.yaml"
TEST_SOURCES = HERE / "symptoms" / "test-sources.txt"
STYLES = ("title", "sentence", "keywords")
TOP = 3


def load_queries(path: Path = QUERIES) -> list[dict]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    for number, entry in enumerate(entries, start=1):
        missing = {"query", "expected", "source", "style", "answerable"} - set(entry)
        if missing:
            raise SystemExit(f"{path}: entry {number} lacks {', '.join(sorted(missing))}")
        if entry["style"] not in STYLES:
            raise SystemExit(f"{path}: entry {number} has style {entry['style']!r}, not one of {STYLES}")
    return entries


def hashed_test(source: str) -> bool:
    """The first assignment (before the split was frozen): two threads in five go to test, by a hash."""
    return int(hashlib.sha256(source.encode("utf-8")).hexdigest(), 16) % 5 < 2


def frozen_test_sources() -> set[str]:
    if not TEST_SOURCES.exists():
        raise SystemExit(f"{TEST_SOURCES} is missing: the test split is frozen there (see bench/symptoms/README.md)")
    return {line.strip() for line in TEST_SOURCES.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


def split_of(entry: dict, test_sources: set[str]) -> str:
    return "test" if entry["source"] in test_sources else "dev"


# -- building the two sites --------------------------------------------------------------

def build(checkout: Path, target: Path) -> Path:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(checkout),
               KB_CACHE_DIR=str(target.parent / "cache"))
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--signatures", str(checkout / "signatures"),
                           "--site-dir", str(target)], cwd=checkout, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"kb build failed in {checkout}:\n{done.stderr[-3000:]}")
    print(f"built {checkout.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return target


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout.strip()


def default_before() -> str:
    """Where a branch left main; on main itself, the last revision before Pagefind replaced lunr (the parent
    of the first-parent commit that took the `search` plugin out of mkdocs.yml), with the same records."""
    base = git("merge-base", "HEAD", "main")
    if base != git("rev-parse", "HEAD"):
        return base[:12]
    change = git("log", "--first-parent", "--format=%H", "-1", "-S  - search", "--", "mkdocs.yml")
    return git("rev-parse", change + "^1")[:12] if change else base[:12]


def checkout_of(ref: str, folder: Path) -> Path:
    """The files of a git revision of this repository (no .git), to build its site as it was."""
    archive = folder / "checkout.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), ref], check=True)
    target = folder / "checkout"
    target.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


# -- the search box in Chromium ------------------------------------------------------------

RECORD = re.compile(r"/errors/([^/]+)/")


def _open_box(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.click(".md-search__input") if page.is_visible(".md-search__input") else page.click("label[for=__search]")
    page.wait_for_selector(".md-search__input:focus")


def results_after(page, query: str) -> list[str]:
    """This branch's box: fill the query as a reader types it, wait until every answer is in."""
    page.fill(".md-search__input", query)
    page.wait_for_function("""() => {
        const box = document.querySelector('[data-md-component=search-result]');
        return box.dataset.busy === 'no' && ['results', 'local', 'missing', 'error'].includes(box.dataset.state);
    }""", timeout=30_000)
    return page.evaluate("""() => Array.from(document.querySelectorAll(
            '[data-md-component=search-result] .kb-search-lookup__item, .md-search-result__list > li'))
        .map(item => item.dataset.id || ('page:' + (item.querySelector('a') || {}).href))""")


def results_before(page, query: str) -> list[str]:
    """Material's box (lunr): it reads the query on keyup; its meta line changes when the answer is drawn."""
    page.evaluate("() => { document.querySelector('.md-search-result__meta').textContent = ''; }")
    page.fill(".md-search__input", query)
    page.keyboard.press("End")
    page.wait_for_function("""() => /matching document/i.test(
        document.querySelector('.md-search-result__meta').textContent)""", timeout=30_000)
    page.wait_for_timeout(100)  # the lookup's block (main's lookup-page.js) is drawn on the same input
    lookup = page.eval_on_selector_all(".kb-search-lookup li[data-id]", "items => items.map(i => i.dataset.id)")
    hrefs = page.eval_on_selector_all(".md-search-result__list > li > a", "links => links.map(a => a.href)")
    found = [RECORD.search(href) for href in hrefs]
    return lookup + [match.group(1) if match else "page:" + href for match, href in zip(found, hrefs)]


def run_box(site: Path, entries: list[dict], reader, label: str) -> list[list[str]]:
    from playwright.sync_api import sync_playwright
    from browser_support import CHROMIUM, ARGS, PREFIX, serve

    server = serve(site)
    url = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}/"
    answers = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            context = browser.new_context()
            context.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url
                          else route.abort())
            page = context.new_page()
            _open_box(page, url)
            started = time.perf_counter()
            for number, entry in enumerate(entries, start=1):
                answers.append(reader(page, entry["query"]))
                if number % 25 == 0 or number == len(entries):
                    print(f"{label}: {number}/{len(entries)} queries ({time.perf_counter() - started:.0f} s)",
                          file=sys.stderr)
            browser.close()
    finally:
        server.shutdown()
    return answers


# -- scoring -------------------------------------------------------------------------------

def first_records(shown: list[str], top: int = TOP) -> list[str]:
    distinct = []
    for item in shown:
        if item not in distinct:
            distinct.append(item)
    return distinct[:top]


def found(entry: dict, shown: list[str]) -> bool:
    right = {entry["expected"], *(entry.get("also") or [])}
    return bool(right & set(first_records(shown)))


def shares(entries: list[dict], answers: list[list[str]], test_sources: set[str]) -> dict:
    """{(split, subset): (found, total)} for split in dev/test/all and subset answerable/all/<style>."""
    counts: dict = defaultdict(lambda: [0, 0])
    for entry, shown in zip(entries, answers):
        hit = found(entry, shown)
        for split in (split_of(entry, test_sources), "all"):
            subsets = ["all"]
            if entry["answerable"]:
                subsets += ["answerable", "answerable " + entry["style"]]
            for subset in subsets:
                counts[(split, subset)][0] += hit
                counts[(split, subset)][1] += 1
    return counts


def print_table(rows: list[tuple[str, dict]], splits: list[str]) -> None:
    subsets = ["answerable", "all"] + ["answerable " + style for style in STYLES]
    width = max(len(label) for label, _ in rows) + 2
    print(f"{'':{width}}" + "".join(f"{split + ': ' + subset:>26}" for split in splits for subset in subsets[:2]))
    for label, counts in rows:
        cells = []
        for split in splits:
            for subset in subsets[:2]:
                hit, total = counts.get((split, subset), (0, 0))
                cells.append(f"{(100 * hit / total if total else float('nan')):6.1f}% ({hit:>3}/{total:<3})")
        print(f"{label:{width}}" + "".join(f"{cell:>26}" for cell in cells))
    print()
    print("answerable queries by style (top 3):")
    print(f"{'':{width}}" + "".join(f"{split + ': ' + style:>26}" for split in splits for style in STYLES))
    for label, counts in rows:
        cells = []
        for split in splits:
            for style in STYLES:
                hit, total = counts.get((split, "answerable " + style), (0, 0))
                cells.append(f"{(100 * hit / total if total else float('nan')):6.1f}% ({hit:>3}/{total:<3})")
        print(f"{label:{width}}" + "".join(f"{cell:>26}" for cell in cells))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all",
                        help="which queries to run (default all; tune on dev only)")
    parser.add_argument("--site", type=Path, help="a site this checkout already built (default: build one)")
    parser.add_argument("--before", help="the revision whose search is 'before' "
                                             "(default: the merge base of HEAD and main)")
    parser.add_argument("--no-before", action="store_true", help="run this checkout's search only")
    parser.add_argument("--misses", action="store_true",
                        help="list the answerable dev queries the search misses (never the test split's)")
    parser.add_argument("--json", type=Path, help="write every query's shown results to this file")
    args = parser.parse_args()

    if args.before is None:
        args.before = default_before()
    test_sources = frozen_test_sources()
    entries = load_queries()
    if args.split != "all":
        entries = [entry for entry in entries if split_of(entry, test_sources) == args.split]
    splits = ["dev", "test", "all"] if args.split == "all" else [args.split]
    print(f"{len(entries)} queries ({args.split}); {len(test_sources)} threads frozen in the test split",
          file=sys.stderr)

    rows = []
    record = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if not args.no_before:
            before_site = build(checkout_of(args.before, tmp_path), tmp_path / "before-site")
            before = run_box(before_site, entries, results_before, f"before ({args.before})")
            rows.append((f"before: {args.before}, lookup + lunr (titles)", shares(entries, before, test_sources)))
            record["before"] = before
        site = args.site or build(ROOT, tmp_path / "after-site")
        after = run_box(site, entries, results_after, "after")
        rows.append(("after: lookup + Pagefind (search-rank.js)", shares(entries, after, test_sources)))
        record["after"] = after

    print()
    print(f"Share of queries whose record is among the first {TOP} results of the search box:")
    print_table(rows, splits)
    if args.misses:
        print("\nanswerable dev queries whose record is not in the first three (after):")
        for entry, shown in zip(entries, after):
            if entry["answerable"] and not found(entry, shown) and split_of(entry, test_sources) == "dev":
                print(f"- [{split_of(entry, test_sources)}] {entry['query']}\n    expected {entry['expected']}; "
                      f"shown {', '.join(first_records(shown)) or '(nothing)'}")
    if args.json:
        args.json.write_text(json.dumps([dict(entry, split=split_of(entry, test_sources),
                                              **{name: shown[i] for name, shown in record.items()})
                                         for i, entry in enumerate(entries)], indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
