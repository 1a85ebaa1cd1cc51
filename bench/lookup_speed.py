"""Speed and memory of the lookup against a synthetic knowledge base.

    python bench/lookup_speed.py [--records 10000] [--pastes 300] [--log-lines 100000]

Measures, against --records synthetic records (bench/synth.py):
- in-process lookup latency (median and p95) over varied noisy pastes;
- the whole `kb lookup` process, once to build the cached index and then
  with the cache (median of 5 runs);
- `kb scan` of a --log-lines line log holding some known errors;
- the peak RSS of a `kb lookup` process.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import synth  # noqa: E402
from generator.index_cache import load_matcher  # noqa: E402


def run(command, env, stdin=None):
    started = time.perf_counter()
    done = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True)
    return time.perf_counter() - started, done


def peak_rss_mb(command, env, stdin) -> float:
    """Peak RSS of one child process, via GNU time when present, else getrusage of children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(command, env=env, input=stdin, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(before, after) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--pastes", type=int, default=300)
    parser.add_argument("--log-lines", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "signatures"
        examples = synth.write_kb(args.records, folder)
        os.environ["KB_CACHE_DIR"] = str(Path(tmp) / "cache")
        env = dict(os.environ, KB_SIGNATURES=str(folder))
        kb = [sys.executable, "-m", "generator"]

        sample = rng.sample(examples, min(args.pastes, len(examples)))
        pastes = [(record_id, synth.noisy_paste(rng, example)) for record_id, example in sample]

        first, done = run(kb + ["lookup", "-"], env, stdin=pastes[0][1])
        assert done.returncode in (0, 1), done.stderr
        started = time.perf_counter()
        matcher = load_matcher(folder)
        load_seconds = time.perf_counter() - started

        latencies, hits = [], 0
        for record_id, paste in pastes:
            started = time.perf_counter()
            found = matcher.lookup(paste)
            latencies.append((time.perf_counter() - started) * 1000)
            hits += bool(found) and found[0].id == record_id
        latencies.sort()

        process_times = []
        for record_id, paste in pastes[:5]:
            seconds, done = run(kb + ["lookup", "-"], env, stdin=paste)
            process_times.append(seconds)
        rss = peak_rss_mb(kb + ["lookup", "-"], env, pastes[1][1])

        log = Path(tmp) / "ci.log"
        with log.open("w") as out:
            noise = synth.noisy_paste(rng, '"nothing to see"').splitlines() or ["ok"]
            for number in range(args.log_lines):
                if number % 5000 == 2500:
                    out.write(synth.unquote(rng.choice(examples)[1]) + "\n")
                out.write(f"{number} {rng.choice(noise)}\n")
        scan_seconds, done = run(kb + ["scan", str(log)], env)
        found_in_log = sum(1 for line in done.stdout.splitlines() if line.startswith("line "))

    print(f"records: {args.records}, pastes: {len(pastes)} (1-40 noisy lines each)")
    print(f"top-1 on synthetic pastes:         {100 * hits / len(pastes):.1f}%")
    print(f"cached index load + matcher:       {load_seconds * 1000:.0f} ms (once per process)")
    print(f"in-process lookup:                  median {statistics.median(latencies):.2f} ms, "
          f"p95 {latencies[int(0.95 * len(latencies))]:.2f} ms")
    print(f"kb lookup process, first (no cache): {first:.2f} s (validates and caches the index)")
    print(f"kb lookup process, cached:          median {statistics.median(process_times):.2f} s of 5")
    print(f"kb lookup peak RSS:                 {rss:.0f} MB")
    print(f"kb scan of {args.log_lines} lines:        {scan_seconds:.2f} s ({found_in_log} errors reported)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
