"""How long `kb sources check` takes for 1,000 cited URLs, against the fake GitHub API
(tests/fake_github.py) answering each request after a fixed delay.

    python bench/sources_check.py [--urls 1000] [--repositories 25] [--delay 0.05]

Target (issue 13): 1,000 URLs in under 60 s with a 50 ms delay per request.
Prints, for the default settings (GraphQL batches of 50, one request at a time,
as GitHub advises) and a few others: requests sent, seconds, URLs per second;
then a second run with nothing changed upstream, which must write the same bytes.
The last row asks one URL per request, eight at a time: what checking without
batches (REST-style) would cost; against GitHub that pace (over 900 requests a
minute) would also break its documented secondary rate limit for REST.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))
from fake_github import FakeGitHub, invented  # noqa: E402
from generator import upstream  # noqa: E402
from generator.citations import parse_issue_url  # noqa: E402
from generator.github_api import Client, Policy  # noqa: E402
from generator.sources_check import Options, check, items_for  # noqa: E402

SETTINGS = [  # (batch size, concurrency)
    (50, 1),
    (100, 1),
    (50, 4),
    (1, 8),
]


def synthetic(count: int, repositories: int, seed: int = 7) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    names = [f"org{index % 40}/project{index}" for index in range(max(1, count // 8))]
    urls: set[str] = set()
    while len(urls) < count:
        kind = "pull" if rng.random() < 0.15 else "issues"
        urls.add(f"https://github.com/{rng.choice(names)}/{kind}/{rng.randint(1, 60000)}")
    return sorted(urls), names[:repositories]


def run_once(fake: FakeGitHub, items, previous, batch: int, concurrency: int):
    client = Client(fake.url, None, Policy())
    started = time.perf_counter()
    result = check(items, previous, client, Options(batch, concurrency, "2026-12-01"))
    return result, client.requests, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--repositories", type=int, default=25, help="release repositories checked as well")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds the fake waits before each answer")
    args = parser.parse_args()

    urls, repositories = synthetic(args.urls, args.repositories)
    items = items_for([parse_issue_url(url) for url in urls], repositories)
    print(f"{len(urls)} cited URLs and {len(repositories)} release repositories; the fake API answers each "
          f"request after {args.delay * 1000:.0f} ms.")
    print(f"{'batch':>6} {'concurrency':>12} {'requests':>9} {'seconds':>8} {'URLs/s':>8}  answered")
    with FakeGitHub(invented(urls, repositories), delay=args.delay) as fake:
        baseline, default_seconds = None, None
        for batch, concurrency in SETTINGS:
            result, requests, seconds = run_once(fake, items, None, batch, concurrency)
            answered = sum(1 for outcome in result.outcomes.values() if outcome.entry is not None)
            print(f"{batch:>6} {concurrency:>12} {requests:>9} {seconds:>8.2f} {len(items) / seconds:>8.0f}  "
                  f"{answered}/{len(items)}")
            if baseline is None:
                baseline, default_seconds = result, seconds
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upstream.json"
            upstream.save(baseline.snapshot, path)
            first = path.read_bytes()
            again, requests, seconds = run_once(fake, items, upstream.load(path), *SETTINGS[0])
            same = upstream.dumps(again.snapshot).encode() == first
            print(f"Second run, nothing changed upstream: {requests} requests, {seconds:.2f} s, "
                  f"snapshot {'identical' if same else 'DIFFERENT'} ({len(first):,} bytes).")
    status = "met" if default_seconds < 60 and same else "NOT met"
    print(f"Target (1,000 URLs under 60 s at 50 ms per request with the default settings, identical second "
          f"snapshot): {status} ({default_seconds:.2f} s).")


if __name__ == "__main__":
    main()
