"""The lookup index in shards, so a large knowledge base's lookup page downloads only what a paste needs.

At 100,000 records lookup-index.json is about 26 MB (5 MB gzipped), and the
browser would prepare every template before answering. Sharded, the page
fetches the manifest, then the word shards of the paste's words, then the
template shards of the candidates those words propose: a few hundred KB for
one line. The answers are exactly those of the whole index, because the
matcher (lookup.py) depends on the knowledge base as a whole only through
what the shards carry:

- each word's document frequency (its IDF is log(1 + total / df), computed
  by the reader with portable_math.log), the number of templates (total) and
  the "common" cut-off: words in more than `common` templates propose no
  fuzzy candidates, so they have no postings;
- the postings (word -> templates) and the anchors (word -> templates whose rarest word it is, with the
  other words an exact match requires, so the reader checks "every word of the template is in the paste"
  before fetching anything else);
- the error codes that only one record prints (ETARGET, CS0246), under "!" + code in the word shards,
  with their templates: a paste that prints one gets that record as a possible match;
- the template weights, since the fuzzy candidates are ranked by covered
  weight / template weight over every template a paste's words reach (tens
  of thousands for a paste of common words). A posting carries its template's
  weight rounded down to 1/WEIGHT_SCALE: the reader bounds each template's
  rank with it, keeps only the templates that could be among the best
  CANDIDATES, and ranks those with their exact weights (from their template
  shards). Division is monotonic, so the bounds are exact, and the answers
  are those of the whole index; the postings are a quarter of the size;
- for each candidate template: its text (the reader tokenises it as
  `prepare` does), its owner record, its weight and the df of its words.

The format is documented in content/how-lookup-works.md ("The sharded
index"). Nothing here imports MkDocs: the build hook and `kb render` only
write the files this module returns.

    python -m generator.shards INDEX.json OUT_DIR [--word-shards N] [--template-shard-size N]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
from collections import defaultdict
from pathlib import Path

from .lookup import INDEX_FORMAT, INDEX_VERSION, SLOT, build_index, prepare, required_words

SHARDS_FORMAT = "error-atlas-lookup-shards"
SHARDS_VERSION = 2  # 2: anchors list the words an exact match requires; error codes under "!" + code
CODE_KEY = "!"
SHARDS_DIR = "lookup-index"  # next to lookup-index.json: lookup-index/manifest.json, lookup-index/<build>/...
# Above this many signatures the build writes the sharded index too (and the page uses it). Below it the
# whole index is small enough (about 0.5 MB gzipped at 10,000 records) that one file is simpler and faster.
SHARD_ABOVE = 20_000
# KB_LOOKUP_SHARDS=always forces the shards on any knowledge base (tests), =never turns them off.
SHARDS_ENV = "KB_LOOKUP_SHARDS"
# Sizes: about this many words per word shard and templates per template shard. A one-line paste has
# 10-20 words and proposes up to ~45 templates, so it fetches about as many shards of each kind; smaller
# shards mean fewer useless bytes per fetch but more requests (and files) per build.
WORDS_PER_SHARD = 64
TEMPLATE_SHARD_SIZE = 16
WEIGHT_SCALE = 64  # postings carry floor(weight * 64): exact in binary floating point, 2-4 digits
FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193


def fnv1a(word: str) -> int:
    """32-bit FNV-1a over the word's UTF-8 bytes: the word shard is fnv1a(word) % word_shards.

    Simple enough to compute identically in the browser (lookup-shards.js).
    """
    value = FNV_OFFSET
    for byte in word.encode("utf-8"):
        value = ((value ^ byte) * FNV_PRIME) & 0xFFFFFFFF
    return value


def wants_shards(signature_count: int) -> bool:
    setting = os.environ.get(SHARDS_ENV, "").strip().lower()
    if setting == "always":
        return True
    if setting == "never":
        return False
    return signature_count > SHARD_ABOVE


def shard_counts(words: int, templates: int) -> tuple[int, int]:
    """(word shards, templates per template shard): a power of two of word shards, so the hash spreads."""
    word_shards = 1
    while word_shards * WORDS_PER_SHARD < words:
        word_shards *= 2
    return word_shards, TEMPLATE_SHARD_SIZE


def build_shards(index: dict, word_shards: int | None = None, template_shard_size: int | None = None,
                 weight_scale: int = WEIGHT_SCALE, state: dict | None = None) -> dict[str, object]:
    """Every file of the sharded index, as {path under lookup-index/: JSON-ready object}."""
    if weight_scale < 1 or weight_scale & (weight_scale - 1):
        raise ValueError("weight_scale must be a power of two (so that weight * scale is exact)")
    state = state or prepare(index)
    sequences = state["sequences"]
    word_sets = [sorted(set(sequence) - {SLOT}) for sequence in sequences]
    df: dict[str, int] = defaultdict(int)
    for words in word_sets:
        for word in words:
            df[word] += 1
    total = max(len(sequences), 1)
    common = max(50, total // 10)  # as prepare() computes it
    default_words, default_size = shard_counts(len(df), len(sequences))
    word_shards = word_shards or default_words
    template_shard_size = template_shard_size or default_size
    template_shards = max(1, -(-len(sequences) // template_shard_size))

    # Word shards: word -> [df, postings as gaps (the first is the template number), their templates'
    # weights rounded down to 1/WEIGHT_SCALE, anchors as [template, its other words]].
    words_out: list[dict] = [{} for _ in range(word_shards)]
    for word in sorted(df):
        postings = state["postings"].get(word, [])
        gaps = [number - previous for previous, number in zip([0] + postings, postings)]
        coarse = [math.floor(state["weights"][number] * weight_scale) for number in postings]
        anchors = [[number, sorted(w for w in (required_words(state["texts"][number]) or word_sets[number])
                                   if w != word)]
                   for number in state["anchors"].get(word, [])]
        words_out[fnv1a(word) % word_shards][word] = [df[word], gaps, coarse, anchors]
    # Error codes that name one record's error, under "!" + code (no word starts with "!"): their templates.
    for code, numbers in sorted(state["codes"].items()):
        words_out[fnv1a(CODE_KEY + code) % word_shards][CODE_KEY + code] = numbers

    # Template shards: templates [first, first + size), each [record, text, weight, df of its sorted words],
    # and the records they belong to (id, title, tool).
    records = index["records"]
    templates_out = []
    for shard in range(template_shards):
        numbers = range(shard * template_shard_size, min(len(sequences), (shard + 1) * template_shard_size))
        owners = sorted({state["owners"][n] for n in numbers})
        templates_out.append({
            "first": numbers.start,
            "records": {str(owner): [records[owner]["id"], records[owner]["title"], records[owner]["tool"]]
                        for owner in owners},
            "templates": [[state["owners"][n], state["texts"][n], state["weights"][n],
                           [df[w] for w in word_sets[n]]] for n in numbers],
        })

    files: dict[str, object] = {}
    for number, content in enumerate(words_out):
        files[f"words/{number}.json"] = content
    for number, content in enumerate(templates_out):
        files[f"templates/{number}.json"] = content
    # The build's own folder, named by a hash of its content: a tab that read an older manifest fetches
    # shards that no longer exist (and says so) rather than mixing two builds' shards into wrong answers.
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + _dump(files[path]).encode() + b"\0")
    build = digest.hexdigest()[:12]
    manifest = {
        "format": SHARDS_FORMAT, "version": SHARDS_VERSION,
        "index_format": INDEX_FORMAT, "index_version": INDEX_VERSION,
        "build": build,
        "records": len(records), "templates": len(sequences), "words": len(df),
        "total": total, "common": common,
        "hash": "fnv1a32-utf8",  # word shard = fnv1a32(UTF-8 bytes of the word) % word_shards
        "word_shards": word_shards,
        "template_shards": template_shards, "template_shard_size": template_shard_size,
        "weight_scale": weight_scale,
    }
    out: dict[str, object] = {"manifest.json": manifest}
    out.update({f"{build}/{path}": content for path, content in files.items()})
    return out


def _dump(content) -> str:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


def shard_files(records, force: bool = False) -> dict[str, str]:
    """{site path: text} of the sharded index, or {} when the knowledge base is small (see SHARD_ABOVE)."""
    index = build_index(records)
    count = sum(len(record["signatures"]) for record in index["records"])
    if not (force or wants_shards(count)):
        return {}
    return {f"{SHARDS_DIR}/{path}": _dump(content) for path, content in build_shards(index).items()}


def write_shards(index: dict, out: Path, **sizes) -> dict:
    """Write the shards of an index into out/ (tests and benchmarks); returns the manifest."""
    files = build_shards(index, **sizes)
    for path, content in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_dump(content), encoding="utf-8")
    return files["manifest.json"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write the sharded form of a lookup-index.json.")
    parser.add_argument("index", help="a lookup-index.json (or a JSON file with the index under 'index')")
    parser.add_argument("out", help="the folder to write manifest.json and the shards into")
    parser.add_argument("--word-shards", type=int)
    parser.add_argument("--template-shard-size", type=int)
    parser.add_argument("--weight-scale", type=int, default=WEIGHT_SCALE, help="a power of two")
    args = parser.parse_args(argv)
    data = json.loads(Path(args.index).read_text(encoding="utf-8"))
    index = data["index"] if "index" in data and "records" not in data else data
    manifest = write_shards(index, Path(args.out), word_shards=args.word_shards,
                            template_shard_size=args.template_shard_size, weight_scale=args.weight_scale)
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
