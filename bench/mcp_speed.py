"""kb mcp as an agent meets it: start-up, lookup latency and answer sizes, at 44 and 10,000 records.

    python bench/mcp_speed.py [--sizes 10000] [--pastes 50] [--starts 5]

Speaks raw JSON-RPC to `python -m generator mcp` over stdio (the same bytes a
client sends), so the figures include the process, the SDK and the pipe,
and no client library's own cost.

- ready: from starting the process to the answer to `initialize`, median of
  --starts runs, with the record caches already on disk (as after a first
  `kb lookup`); the first run of a cold cache is printed too.
- lookup_error: round trip of tools/call, median, p95 and max over the
  pastes (the real records' examples; noisy synthetic pastes at 10,000),
  after the first call (printed apart: it may wait for the background load).
- --site: the knowledge base written by `kb render` and served on
  127.0.0.1, first with an empty cache (downloads), then again with the
  cache (conditional requests answered 304).
- answer sizes (44 real records): every tool result, its text plus its
  structured content as JSON, in tokens estimated as characters / 4; the
  target is 4,000.

Timings on a shared 2-core machine are noisy: compare medians, run twice.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
import synth  # noqa: E402

TOKEN_TARGET = 4000


class Server:
    """`kb mcp ARGS` as a subprocess, spoken to in JSON-RPC lines."""

    def __init__(self, args: list[str], cache: Path):
        self.started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "-m", "generator", "mcp", *args], cwd=ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        env=dict(os.environ, KB_CACHE_DIR=str(cache)))
        self.next_id = 0

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        self.process.stdin.flush()
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise SystemExit(f"kb mcp exited while answering {method}")
            answer = json.loads(line)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise SystemExit(f"{method} failed: {answer['error']}")
                return answer["result"]

    def initialize(self) -> float:
        """Seconds from process start to the initialize answer."""
        self.request("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                    "clientInfo": {"name": "bench", "version": "1"}})
        ready = time.perf_counter() - self.started
        self.process.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        self.process.stdin.flush()
        return ready

    def call(self, tool: str, arguments: dict) -> tuple[float, dict]:
        started = time.perf_counter()
        result = self.request("tools/call", {"name": tool, "arguments": arguments})
        return (time.perf_counter() - started) * 1000, result

    def close(self):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def ready_times(args: list[str], cache: Path, starts: int) -> list[float]:
    times = []
    for _ in range(starts):
        server = Server(args, cache)
        times.append(server.initialize())
        server.close()
    return times


def lookups(args: list[str], cache: Path, pastes: list[str]) -> dict:
    server = Server(args, cache)
    row = {"ready_s": server.initialize()}
    first, result = server.call("lookup_error", {"text": pastes[0]})
    if result.get("isError"):
        raise SystemExit(f"lookup_error failed: {result['content'][0]['text']}")
    row["first_ms"] = first
    latencies, found = [], 0
    for paste in pastes[1:]:
        elapsed, result = server.call("lookup_error", {"text": paste})
        latencies.append(elapsed)
        found += bool(result["structuredContent"]["matches"])
    server.close()
    latencies.sort()
    row.update(median_ms=statistics.median(latencies), p95_ms=latencies[max(0, int(0.95 * len(latencies)) - 1)],
               max_ms=latencies[-1], found=f"{found}/{len(latencies)}")
    return row


def serve(folder: Path):
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def warm_disk_caches(folder: Path, cache: Path) -> None:
    """What a first `kb lookup` leaves behind: the lookup and validation caches."""
    env = dict(os.environ, KB_CACHE_DIR=str(cache))
    for command in (["validate", "--signatures", str(folder)], ["lookup", "--signatures", str(folder), "x"]):
        subprocess.run([sys.executable, "-m", "generator", *command], cwd=ROOT, env=env, capture_output=True)


def measure(label: str, folder: Path, pastes: list[str], tmp: Path, starts: int) -> list[tuple[str, dict]]:
    rows = []
    cache = tmp / f"cache-{label}"
    cold = Server(["--signatures", str(folder)], cache)
    cold_ready = cold.initialize()
    cold.close()
    warm_disk_caches(folder, cache)
    args = ["--signatures", str(folder)]
    row = lookups(args, cache, pastes)
    row["ready_s"] = statistics.median(ready_times(args, cache, starts))
    row["cold_ready_s"] = cold_ready
    rows.append((f"{label}, --signatures", row))

    rendered = tmp / f"site-{label}"
    done = subprocess.run([sys.executable, "-m", "generator", "render", "--signatures", str(folder), "--out",
                           str(rendered)], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, KB_CACHE_DIR=str(cache)))
    if done.returncode:
        raise SystemExit(done.stderr)
    http_server = serve(rendered)
    try:
        url = f"http://127.0.0.1:{http_server.server_address[1]}/"
        site_cache = tmp / f"site-cache-{label}"
        rows.append((f"{label}, --site, empty cache", lookups(["--site", url], site_cache, pastes)))
        row = lookups(["--site", url], site_cache, pastes)
        row["ready_s"] = statistics.median(ready_times(["--site", url], site_cache, starts))
        rows.append((f"{label}, --site, cached", row))
    finally:
        http_server.shutdown()
        http_server.server_close()
    return rows


def answer_sizes(tmp: Path) -> dict:
    """Every tool result for the real records, in characters and estimated tokens (characters / 4)."""
    import yaml

    cache = tmp / "cache-sizes"
    server = Server(["--signatures", str(ROOT / "signatures")], cache)
    server.initialize()
    sizes = {"lookup_error": [], "get_error": [], "list_errors": []}
    for path in sorted((ROOT / "signatures").rglob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        for tool, arguments in (("lookup_error", {"text": record["examples"][0]}), ("get_error", {"id": path.stem})):
            _, result = server.call(tool, arguments)
            sizes[tool].append((tokens(result), path.stem))
    _, result = server.call("list_errors", {})
    sizes["list_errors"].append((tokens(result), "(all records)"))
    server.close()
    return sizes


def tokens(result: dict) -> int:
    characters = sum(len(block.get("text", "")) for block in result["content"])
    characters += len(json.dumps(result.get("structuredContent") or {}, ensure_ascii=False))
    return characters // 4


COLUMNS = [("ready_s", "ready: initialize answered (s, median)", "{:.2f}"),
           ("cold_ready_s", "ready, first start with no cache (s)", "{:.2f}"),
           ("first_ms", "first lookup_error after start (ms)", "{:.0f}"),
           ("median_ms", "lookup_error round trip, median (ms)", "{:.1f}"),
           ("p95_ms", "lookup_error round trip, p95 (ms)", "{:.1f}"),
           ("max_ms", "lookup_error round trip, max (ms)", "{:.1f}"),
           ("found", "pastes with a match", "{}")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000], help="synthetic sizes (default 10000)")
    parser.add_argument("--pastes", type=int, default=50, help="lookups per measurement (default 50)")
    parser.add_argument("--starts", type=int, default=5, help="process starts for the ready median (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        import yaml

        real = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "signatures").rglob("*.yaml"))]
        real_pastes = [example for record in real for example in record["examples"]]
        shutil.copytree(ROOT / "signatures", tmp / "real")
        print(f"measuring {len(real)} real records...", file=sys.stderr)
        rows = measure(f"{len(real)} records", tmp / "real", real_pastes, tmp, args.starts)
        for size in args.sizes:
            print(f"measuring {size:,} synthetic records...", file=sys.stderr)
            folder = tmp / f"synthetic-{size}"
            examples = synth.write_kb(size, folder)
            rng = random.Random(3)
            pastes = [synth.noisy_paste(rng, example) for _, example in rng.sample(examples, min(args.pastes, size))]
            rows += measure(f"{size:,} records", folder, pastes, tmp, args.starts)
        sizes = answer_sizes(tmp)

    width = max(len(label) for _, label, _ in COLUMNS)
    for name, row in rows:
        print(f"\n{name}")
        for key, label, form in COLUMNS:
            if key in row:
                print(f"  {label:{width}}  {form.format(row[key])}")
    print(f"\nanswer sizes for the {len(real)} real records (tokens = characters / 4, text + structured content):")
    for tool, values in sizes.items():
        values.sort()
        over = sum(1 for count, _ in values if count > TOKEN_TARGET)
        print(f"  {tool:13} max {values[-1][0]:5,} ({values[-1][1]}), median {statistics.median(v for v, _ in values):5,.0f}"
              f", over {TOKEN_TARGET:,}: {over}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
