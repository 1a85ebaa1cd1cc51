"""Assign each thread of bench/wild to the dev or the test split, and freeze the result in split.yaml.

    python bench/wild/split.py            # add the threads not yet in split.yaml; never moves one
    python bench/wild/split.py --check    # exit 1 when a paste's or negative's thread is in neither split

A thread's split is the parity of the first byte of the SHA-256 of its URL,
so all pastes from one thread land in the same half and nobody chooses
which. Threads already in split.yaml keep their split: once a thread is in
the test half, it stays there, and it is never tuned on.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def sources() -> set[str]:
    found = set()
    for path in sorted(HERE.glob("pastes-*.yaml")) + sorted(HERE.glob("negatives-*.yaml")):
        found.update(item["source"] for item in yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return found


def half(source: str) -> str:
    return "test" if hashlib.sha256(source.encode()).digest()[0] % 2 else "dev"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    path = HERE / "split.yaml"
    split = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {"dev": [], "test": [],
                                                                                      "frozen": []}
    known = set(split["dev"]) | set(split["test"])
    new = sorted(sources() - known)
    if args.check:
        for source in new:
            print(f"not in split.yaml: {source}")
        return 1 if new else 0
    for source in new:
        split[half(source)].append(source)
    if new:
        split["frozen"].append({"date": dt.date.today().isoformat(), "threads": len(new)})
    split["dev"].sort()
    split["test"].sort()
    header = ("# Which threads of bench/wild are dev (tune on them) and which are test (report only).\n"
              "# Written by bench/wild/split.py; a thread never moves. `frozen`: when threads were added.\n")
    path.write_text(header + yaml.safe_dump(split, sort_keys=True, allow_unicode=True, width=200),
                    encoding="utf-8")
    print(f"{len(new)} threads added: {sum(half(s) == 'dev' for s in new)} dev, "
          f"{sum(half(s) == 'test' for s in new)} test")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
