"""How every cost grows with the knowledge base: 1,000, 10,000 (and 100,000) records.

    python bench/run.py [--sizes 1000 10000 100000] [--skip-browser]

For each size, a synthetic knowledge base (bench/synth.py) is written to a
temporary folder and measured:

- validate: `kb validate`, cold (no cache);
- own work: what the build's MkDocs hook does before MkDocs renders HTML,
  cold: validate, render every page to Markdown in memory, the lookup
  index (a fresh process, no cache); and `kb render`, which also writes the
  13,000 Markdown files to disk;
- kb build: after that (records cached): its mkdocs part as MkDocs reports
  it, its Pagefind part (the site search's index) and that part's share of
  the whole, and the peak RSS of the whole build (GNU time);
- the site: total size, page count, the largest page, lookup-index.json raw
  and gzipped, and Pagefind's index (pagefind/: all of it, the word index,
  its chunks, the per-page fragments, the metadata every search loads);
- Python lookup: median and p95 in process over 200 noisy pastes, and the
  whole `kb lookup` process with the index cached (median of 5);
- in Chromium (unless --skip-browser), on cold loads (bench/site_search.py):
  the time from typing a query into the site search box to its first
  results, the bytes fetched for that first query (all, and Pagefind's), and
  the page's JavaScript heap with its workers; for a few words, for a
  sentence describing a problem, and for words that are all common.

Then a table, and the growth from each size to the next (a ratio near 10
for 10x the records is linear).
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
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
import synth  # noqa: E402


def timed(command: list[str], env: dict) -> tuple[float, int, str]:
    """(seconds, peak RSS in MB, output) of a command, measured by GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *command], env=env, cwd=ROOT,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        rss_kb = int(report.read().strip().splitlines()[-1])
    return seconds, rss_kb // 1024, done.stdout + done.stderr


# The hook's work, timed inside one process: validate, render every page, write the index.
OWN_WORK = """
import sys, time
started = time.perf_counter()
from generator.lookup import index_json
from generator.render import SiteOptions, render_site
from generator.validate import validate_folder
records = validate_folder(sys.argv[1]).records
pages = render_site(records, SiteOptions(site_url="https://example.org/"))
index = index_json(records)
assert len(records) and len(pages) > len(records)
print(time.perf_counter() - started)
"""


def sizes_of(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, 6))


def step(size: int, text: str, started: float = time.perf_counter()) -> None:
    print(f"  [{time.perf_counter() - started:6.0f} s] {size:,} records: {text}", file=sys.stderr, flush=True)


def measure(size: int, tmp: Path, browser: bool) -> dict:
    folder = tmp / "signatures"
    step(size, "writing the synthetic records")
    examples = synth.write_kb(size, folder)
    env = dict(os.environ, KB_SIGNATURES=str(folder), NO_MKDOCS_2_WARNING="1")
    kb = [sys.executable, "-m", "generator"]
    row = {"records": size}

    step(size, "kb validate, the hook's own work, kb render")
    cold = dict(env, KB_CACHE_DIR=str(tmp / "cache-validate"))
    row["validate_s"], _, _ = timed(kb + ["validate"], cold)
    own = dict(env, KB_CACHE_DIR=str(tmp / "cache-own"))
    _, row["own_work_rss_mb"], output = timed([sys.executable, "-c", OWN_WORK, str(folder)], own)
    row["own_work_s"] = float(output.split()[-1])
    work = dict(env, KB_CACHE_DIR=str(tmp / "cache"))
    row["render_to_disk_s"], _, _ = timed(kb + ["render", "--out", str(tmp / "markdown")], work)
    step(size, "kb build (mkdocs, then Pagefind): the longest step")
    row["build_s"], row["build_rss_mb"], log = timed(kb + ["build", "--site-dir", str(tmp / "site")], work)
    found = re.search(r"Documentation built in ([\d.]+) seconds", log)
    row["mkdocs_s"] = float(found.group(1)) if found else float("nan")
    found = re.search(r"with Pagefind in ([\d.]+) s", log)
    row["pagefind_s"] = float(found.group(1)) if found else float("nan")
    row["pagefind_share"] = 100 * row["pagefind_s"] / row["build_s"]

    site = tmp / "site"
    pages = list(site.rglob("*.html"))
    row["site_mb"] = sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6
    row["pages"] = len(pages)
    largest = max(pages, key=lambda p: p.stat().st_size)
    row["largest_page_kb"] = largest.stat().st_size / 1e3
    row["largest_page"] = str(largest.relative_to(site))
    row["lookup_index_mb"], row["lookup_index_gz_mb"] = (n / 1e6 for n in sizes_of(site / "lookup-index.json"))

    step(size, "the Python lookup")
    # Python lookup, in process, with the cached index the CLI uses.
    os.environ["KB_CACHE_DIR"] = work["KB_CACHE_DIR"]
    from generator.index_cache import load_matcher
    matcher = load_matcher(folder)
    rng = random.Random(3)
    pastes = [synth.noisy_paste(rng, example) for _, example in rng.sample(examples, min(200, size))]
    latencies = []
    for paste in pastes:
        started = time.perf_counter()
        matcher.lookup(paste)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    row["lookup_median_ms"] = statistics.median(latencies)
    row["lookup_p95_ms"] = latencies[int(0.95 * len(latencies)) - 1]
    process = []
    for paste in pastes[:5]:
        started = time.perf_counter()
        subprocess.run(kb + ["lookup", paste], env=work, cwd=ROOT, capture_output=True)
        process.append(time.perf_counter() - started)
    row["kb_lookup_process_s"] = statistics.median(process)

    import site_search
    row.update(site_search.index_sizes(site))
    if browser:
        step(size, "the site search in Chromium, cold loads")
        row.update(site_search.measure(site))
    step(size, "done")
    return row


COLUMNS = [
    ("records", "records", "{:.0f}"),
    ("validate_s", "validate (s)", "{:.1f}"),
    ("own_work_s", "own work: validate+render+index (s)", "{:.1f}"),
    ("render_to_disk_s", "kb render, writing the pages (s)", "{:.1f}"),
    ("mkdocs_s", "mkdocs build (s)", "{:.1f}"),
    ("pagefind_s", "Pagefind index (s)", "{:.1f}"),
    ("build_s", "kb build total (s)", "{:.1f}"),
    ("pagefind_share", "  Pagefind's share of kb build (%)", "{:.0f}"),
    ("build_rss_mb", "build peak RSS (MB)", "{:.0f}"),
    ("pages", "HTML pages", "{:.0f}"),
    ("site_mb", "site size (MB)", "{:.1f}"),
    ("largest_page_kb", "largest page (KB)", "{:.1f}"),
    ("lookup_index_mb", "lookup-index.json (MB)", "{:.2f}"),
    ("lookup_index_gz_mb", "  gzipped (MB)", "{:.2f}"),
    ("lookup_median_ms", "Python lookup median (ms)", "{:.1f}"),
    ("lookup_p95_ms", "Python lookup p95 (ms)", "{:.1f}"),
    ("kb_lookup_process_s", "kb lookup process (s)", "{:.2f}"),
    ("pagefind_mb", "Pagefind index, all files (MB)", "{:.1f}"),
    ("pagefind_index_mb", "  word index (MB)", "{:.2f}"),
    ("pagefind_chunks", "  word index chunks", "{:.0f}"),
    ("pagefind_largest_chunk_kb", "  largest chunk (KB)", "{:.0f}"),
    ("pagefind_fragments_mb", "  page fragments (MB)", "{:.1f}"),
    ("pagefind_meta_kb", "  metadata, loaded by every search (KB)", "{:.0f}"),
    ("search_query_first_results_s", "search, 4 words: first results, typed at once (s)", "{:.2f}"),
    ("search_query_typed_1s_first_results_s", "  typed 1 s after the click (s)", "{:.2f}"),
    ("search_query_download_kb", "  download, all (KB)", "{:.0f}"),
    ("search_query_pagefind_download_kb", "  download, Pagefind's (KB)", "{:.0f}"),
    ("search_query_heap_mb", "  JS heap, page and workers (MB)", "{:.0f}"),
    ("search_description_first_results_s", "search, a sentence: first results, at once (s)", "{:.2f}"),
    ("search_description_typed_1s_first_results_s", "  typed 1 s after the click (s)", "{:.2f}"),
    ("search_description_download_kb", "  download, all (KB)", "{:.0f}"),
    ("search_description_pagefind_download_kb", "  download, Pagefind's (KB)", "{:.0f}"),
    ("search_description_heap_mb", "  JS heap, page and workers (MB)", "{:.0f}"),
    ("search_common_first_results_s", "search, 3 common words: answer, at once (s)", "{:.2f}"),
    ("search_common_results", "  results shown", "{:.0f}"),
    ("search_common_pagefind_download_kb", "  download, Pagefind's (KB)", "{:.0f}"),
]


def print_table(rows: list[dict]) -> None:
    width = max(len(label) for _, label, _ in COLUMNS)
    header = f"{'':{width}}" + "".join(f"{row['records']:>12,}" for row in rows)
    header += "".join(f"{'growth':>10}" for _ in rows[1:])
    print(header)
    for key, label, form in COLUMNS[1:]:
        if not any(key in row for row in rows):
            continue
        line = f"{label:{width}}" + "".join(f"{form.format(row.get(key, float('nan'))):>12}" for row in rows)
        for before, after in zip(rows, rows[1:]):  # growth from each size to the next
            line += f"{after.get(key, float('nan')) / before[key]:>9.1f}x" if before.get(key) else f"{'':>10}"
        print(line)
    for row in rows:
        print(f"largest page at {row['records']:,}: {row['largest_page']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--skip-browser", action="store_true", help="skip the Chromium measurements")
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        print(f"measuring {size:,} records...", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            rows.append(measure(size, Path(tmp), browser=not args.skip_browser))
        # Each size's figures as soon as they are known: a later, larger size may take hours, or fail.
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
