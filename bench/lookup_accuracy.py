"""Accuracy of the lookup engine on real pastes, beside plain rapidfuzz baselines.

    python bench/lookup_accuracy.py [--corpus DIR ...] [--split dev|test|all] [--show-misses] [--examples]

Three corpora, each a folder of signatures (or the knowledge base's records),
pastes copied verbatim from public issue threads (each with its source URL,
its kind and the id it should find) and negatives (real errors that none of
the signatures describes):

- bench/wild: pastes the engine was never built on, in the forms people
  paste errors (fragments, other wrappers, other versions' wordings,
  reformatted JSON, status words, logs with several errors). Split by
  thread into a dev half, to tune on, and a test half, frozen on the date in
  bench/wild/split.yaml and only ever reported (see bench/wild/README.md).
- bench/own: pastes of the knowledge base's own records (signatures/), from
  threads no record cites, split the same way (see bench/own/README.md): how
  the lookup does on what the site holds, wordings and all.
- bench/corpus: the corpus the first engine was tuned on: another dev set.

For each corpus and split it prints top-1 and top-3 accuracy (overall and
by kind of paste) and the share of negatives that get no match, for the
engine and for baselines that score the whole paste against each raw
signature with rapidfuzz's token_set_ratio: with no cut-off, and at the
no-match cut-off that suits it best on the dev split. A paste of kind
`multi` also counts as found when the first answer is another error it
holds (its `also` list). Harder variants of bench/corpus's verbatim pastes
(cut at 70%, a typo) are derived and reported as kinds of their own.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml
from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generator.index_cache import load_index  # noqa: E402
from generator.lookup import INDEX_FORMAT, INDEX_VERSION, Matcher  # noqa: E402

HERE = Path(__file__).resolve().parent
CORPORA = [HERE / "wild", HERE / "own", HERE / "corpus"]


def _load_parts(folder: Path, name: str) -> list:
    """name.yaml, or every name-<part>.yaml, concatenated."""
    items = []
    for path in sorted(folder.glob(f"{name}.yaml")) + sorted(folder.glob(f"{name}-*.yaml")):
        items.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return items


def load(corpus: Path):
    """(signatures, pastes, negatives); a corpus without signatures*.yaml is about the knowledge base's records."""
    signatures = _load_parts(corpus, "signatures")
    if not signatures:
        signatures = load_index(HERE.parent / "signatures")["records"]
    return signatures, _load_parts(corpus, "pastes"), _load_parts(corpus, "negatives")


def split_of(corpus: Path):
    """source URL -> "dev" or "test" from the corpus's frozen split.yaml; without one, everything is dev."""
    path = corpus / "split.yaml"
    if not path.exists():
        return lambda source: "dev"
    split = yaml.safe_load(path.read_text(encoding="utf-8"))
    test = set(split["test"])
    dev = set(split["dev"])
    return lambda source: "test" if source in test else "dev" if source in dev else "new"


def corpus_index(signatures) -> dict:
    return {
        "format": INDEX_FORMAT, "version": INDEX_VERSION,
        "records": [{"id": s["id"], "title": s["id"], "tool": s.get("tool", ""), "signatures": s["signatures"]}
                    for s in signatures],
    }


def engine_ranker(signatures):
    matcher = Matcher(corpus_index(signatures))
    return lambda text: [m.id for m in matcher.lookup(text, limit=3)]


def baseline_scores(signatures, scorer=fuzz.token_set_ratio):
    """For each paste: every id with its best score against the raw signature texts, best first."""
    def score(text):
        best = defaultdict(float)
        for entry in signatures:
            for signature in entry["signatures"]:
                best[entry["id"]] = max(best[entry["id"]], scorer(text, signature))
        return sorted(best.items(), key=lambda item: -item[1])
    return score


def found(paste, ranked, depth):
    right = {paste["id_expected"], *(paste.get("also") or [])} if paste["kind"] == "multi" \
        else {paste["id_expected"]}
    return bool(right.intersection(ranked[:depth]))


def evaluate(rank, pastes, negatives):
    by_kind = defaultdict(lambda: [0, 0, 0])  # top1, top3, total
    misses = []
    for paste in pastes:
        ranked = rank(paste["text"])
        kind = by_kind[paste["kind"]]
        kind[2] += 1
        if found(paste, ranked, 1):
            kind[0] += 1
        else:
            misses.append((paste, ranked[:3]))
        if found(paste, ranked, 3):
            kind[1] += 1
    false_matches = [(negative, ranked) for negative in negatives if (ranked := rank(negative["text"]))]
    top1 = sum(k[0] for k in by_kind.values())
    top3 = sum(k[1] for k in by_kind.values())
    return {"top1": top1, "top3": top3, "total": len(pastes), "rejected": len(negatives) - len(false_matches),
            "negatives": len(negatives), "by_kind": dict(by_kind), "misses": misses,
            "false_matches": false_matches}


def best_cutoff(score, pastes, negatives) -> int:
    """The no-match cut-off that maximises top-1 hits plus rejected negatives (on the pastes given)."""
    paste_scores = [score(p["text"]) for p in pastes]
    negative_scores = [score(n["text"]) for n in negatives]
    best = None
    for cutoff in range(0, 101, 2):
        hits = sum(1 for p, s in zip(pastes, paste_scores) if s and s[0][1] >= cutoff and found(p, [s[0][0]], 1))
        rejected = sum(1 for s in negative_scores if not s or s[0][1] < cutoff)
        value = hits / max(len(pastes), 1) + rejected / max(len(negatives), 1)
        if best is None or value > best[0]:
            best = (value, cutoff)
    return best[1]


def cutoff_ranker(score, cutoff):
    cache = {}

    def rank(text):
        if text not in cache:
            cache[text] = score(text)
        return [i for i, v in cache[text] if v >= cutoff][:3]
    return rank


def derived_hard_cases(pastes, signatures):
    """Harder variants of each verbatim paste, made here and labelled as such.

    derived: truncated: the paste cut off inside its error line, at 70% of it (only
    lines of 50 characters or more, so that the cut leaves something to find);
    derived: typo: two letters swapped in the longest word of that line.
    """
    matcher = Matcher(corpus_index(signatures))
    derived = []
    for paste in pastes:
        hits = matcher.lookup(paste["text"], limit=1)
        if not hits or hits[0].id != paste["id_expected"] or hits[0].confidence != "exact":
            continue
        lines = paste["text"].split("\n")
        index = hits[0].line - 1
        line = lines[index]
        if len(line.strip()) >= 50:
            keep = "\n".join(lines[:index] + [line[: int(len(line) * 0.7)]])
            derived.append(dict(paste, kind="derived: truncated", text=keep))
        words = sorted(re.findall(r"[A-Za-z]{5,}", line), key=len)
        if words:
            word = words[-1]
            typo = word[:2] + word[3] + word[2] + word[4:]
            lines_typo = list(lines)
            lines_typo[index] = line.replace(word, typo, 1)
            derived.append(dict(paste, kind="derived: typo", text="\n".join(lines_typo)))
    return derived


def percent(part, whole):
    return f"{100 * part / whole:5.1f}%" if whole else "  n/a"


def table(title, results, kinds):
    widths = {kind: max(11, len(kind) + 2) for kind in kinds}
    print(f"\n{title}")
    print(f"{'':34}{'top-1':>8}{'top-3':>8}{'no match on negatives':>24}"
          + "".join(f"{kind:>{widths[kind]}}" for kind in kinds))
    for label, result in results:
        row = f"{label:34}{percent(result['top1'], result['total']):>8}{percent(result['top3'], result['total']):>8}"
        row += f"{percent(result['rejected'], result['negatives']):>24}"
        for kind in kinds:
            top1, _, total = result["by_kind"].get(kind, [0, 0, 0])
            row += f"{f'{top1}/{total}':>{widths[kind]}}"
        print(row)


def run_corpus(corpus: Path, splits: list[str], show_misses: bool, derived: bool) -> dict:
    signatures, pastes, negatives = load(corpus)
    which = split_of(corpus)
    ecosystems = sorted({s.get("ecosystem") or s.get("tool", "?") for s in signatures})
    print(f"\n== {corpus.resolve().relative_to(HERE.parent)}: {len(signatures)} signatures ({len(ecosystems)} ecosystems), "
          f"{len(pastes)} pastes, {len(negatives)} negatives")
    if derived:
        pastes = pastes + derived_hard_cases(pastes, signatures)
    engine = engine_ranker(signatures)
    score = baseline_scores(signatures)
    dev_pastes = [p for p in pastes if which(p["source"]) == "dev"]
    dev_negatives = [n for n in negatives if which(n["source"]) == "dev"]
    cutoff = best_cutoff(score, dev_pastes, dev_negatives)
    summary = {}
    for split in splits:
        chosen = [p for p in pastes if split == "all" or which(p["source"]) == split]
        chosen_negatives = [n for n in negatives if split == "all" or which(n["source"]) == split]
        if not chosen:
            continue
        started = time.perf_counter()
        result = evaluate(engine, chosen, chosen_negatives)
        seconds = time.perf_counter() - started
        results = [("engine", result),
                   ("token_set_ratio, no cut-off", evaluate(cutoff_ranker(score, 0), chosen, chosen_negatives)),
                   (f"token_set_ratio, cut-off {cutoff} (dev)",
                    evaluate(cutoff_ranker(score, cutoff), chosen, chosen_negatives))]
        kinds = sorted({p["kind"] for p in chosen})
        table(f"[{split}] {len(chosen)} pastes, {len(chosen_negatives)} negatives "
              f"(kinds: top-1 hits / pastes of that kind; engine: {len(chosen) + len(chosen_negatives)} lookups "
              f"in {seconds:.2f} s)", results, kinds)
        summary[split] = result
        if show_misses:
            for paste, ranked in result["misses"]:
                first = " | ".join(line.strip() for line in paste["text"].strip().splitlines()[-3:])[:160]
                print(f"  MISS [{paste['kind']}] expected {paste['id_expected']}, got {ranked}: {first}")
            for negative, ranked in result["false_matches"]:
                print(f"  FALSE MATCH {ranked}: {negative['text'].strip().splitlines()[-1][:140]}")
    return summary


def examples(corpus: Path) -> None:
    """One dev paste of each kind with what the engine answers (dev only: test stays unread)."""
    signatures, pastes, _ = load(corpus)
    which = split_of(corpus)
    matcher = Matcher(corpus_index(signatures))
    shown = set()
    for paste in pastes:
        if which(paste["source"]) != "dev" or paste["kind"] in shown:
            continue
        shown.add(paste["kind"])
        answer = matcher.search(paste["text"], limit=3, weak=3)
        lines = paste["text"].strip().splitlines()
        excerpt = "\n    ".join(lines[:6] + (["    ..."] if len(lines) > 6 else []))
        print(f"\n[{paste['kind']}] {paste['source']}\n    {excerpt}")
        print(f"  expected {paste['id_expected']}; signature {next(s for s in signatures if s['id'] == paste['id_expected'])['signatures'][0]!r}")
        for match in answer.matches + answer.weak:
            print(f"  -> {match.id} [{match.confidence}, score {match.score}] line {match.line}")
        if not answer.matches and not answer.weak:
            print("  -> no match")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, action="append",
                        help="a corpus folder (repeatable; default: bench/wild, bench/own and bench/corpus)")
    parser.add_argument("--split", choices=["dev", "test", "all"], action="append",
                        help="which split to report (repeatable; default: dev and test)")
    parser.add_argument("--show-misses", action="store_true",
                        help="print each paste the engine ranks wrong and each false match (never use on test "
                             "to tune)")
    parser.add_argument("--examples", action="store_true",
                        help="print one dev paste of each kind with the engine's answer, and stop")
    parser.add_argument("--no-derived", action="store_true",
                        help="leave out the derived truncated and typo variants of bench/corpus's pastes")
    args = parser.parse_args()
    if args.examples:
        examples((args.corpus or CORPORA)[0])
        return 0
    for corpus in args.corpus or CORPORA:
        if not (corpus / "split.yaml").exists() and not any(corpus.glob("pastes*.yaml")):
            print(f"{corpus}: no corpus here", file=sys.stderr)
            continue
        splits = args.split or (["dev", "test"] if (corpus / "split.yaml").exists() else ["dev"])
        run_corpus(corpus, splits, args.show_misses, derived=not args.no_derived and corpus.name == "corpus")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
