"""Assign each thread of a corpus to the dev or the test split, and freeze the result in its split.yaml.

    python bench/split.py [CORPUS]            # add the threads not yet in split.yaml; never moves one
    python bench/split.py [CORPUS] --check    # exit 1 when a paste's or negative's thread is in neither split

CORPUS is a folder of pastes-*.yaml and negatives-*.yaml (default bench/wild;
bench/own is the other one).

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


def sources(corpus: Path) -> set[str]:
    found = set()
    for path in sorted(corpus.glob("pastes-*.yaml")) + sorted(corpus.glob("negatives-*.yaml")):
        found.update(item["source"] for item in yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return found


def half(source: str) -> str:
    return "test" if hashlib.sha256(source.encode()).digest()[0] % 2 else "dev"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=HERE / "wild",
                        help="the corpus folder (default: bench/wild)")
    parser.add_argument("--check", action="store_true", help="only check that every thread has a split")
    args = parser.parse_args()
    if not any(args.corpus.glob("pastes-*.yaml")):
        print(f"{args.corpus}: no pastes-*.yaml here; give a corpus folder such as bench/wild", file=sys.stderr)
        return 2
    path = args.corpus / "split.yaml"
    split = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {"dev": [], "test": [],
                                                                                      "frozen": []}
    known = set(split["dev"]) | set(split["test"])
    new = sorted(sources(args.corpus) - known)
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
    header = (f"# Which threads of bench/{args.corpus.resolve().name} are dev (tune on them) and which are test "
              "(report only).\n# Written by bench/split.py; a thread never moves. `frozen`: when threads were added.\n")
    path.write_text(header + yaml.safe_dump(split, sort_keys=True, allow_unicode=True, width=200),
                    encoding="utf-8")
    print(f"{len(new)} threads added: {sum(half(s) == 'dev' for s in new)} dev, "
          f"{sum(half(s) == 'test' for s in new)} test")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
