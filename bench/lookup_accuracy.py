"""Accuracy of the lookup engine on real pastes, beside plain rapidfuzz baselines.

    python bench/lookup_accuracy.py [--corpus bench/corpus] [--show-misses]

The corpus (bench/corpus/) holds signatures from several ecosystems, pastes
copied verbatim from public issue threads (each with its source URL and the
id it should find) and negatives: real errors that none of the signatures
describes. Prints top-1 and top-3 accuracy (overall and by kind of paste) and
the share of negatives that get no match, for the engine and for two
baselines that score the whole paste against each raw signature with
rapidfuzz (WRatio, token_set_ratio), each at the no-match cut-off that suits
it best.
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
from generator.lookup import INDEX_FORMAT, INDEX_VERSION, Matcher  # noqa: E402

HERE = Path(__file__).resolve().parent


def load(corpus: Path):
    signatures = yaml.safe_load((corpus / "signatures.yaml").read_text())
    pastes = yaml.safe_load((corpus / "pastes.yaml").read_text())
    negatives = yaml.safe_load((corpus / "negatives.yaml").read_text())
    return signatures, pastes, negatives


def corpus_index(signatures) -> dict:
    return {
        "format": INDEX_FORMAT, "version": INDEX_VERSION,
        "records": [{"id": s["id"], "title": s["id"], "tool": s.get("tool", ""), "signatures": s["signatures"]}
                    for s in signatures],
    }


def engine_ranker(signatures):
    matcher = Matcher(corpus_index(signatures))
    return lambda text: [m.id for m in matcher.lookup(text, limit=3)]


def baseline_scores(signatures, scorer):
    """For each paste: every id with its best score against the raw signature texts."""
    def score(text):
        best = defaultdict(float)
        for entry in signatures:
            for signature in entry["signatures"]:
                best[entry["id"]] = max(best[entry["id"]], scorer(text, signature))
        return sorted(best.items(), key=lambda item: -item[1])
    return score


def evaluate(rank, pastes, negatives):
    by_kind = defaultdict(lambda: [0, 0, 0])  # top1, top3, total
    misses = []
    for paste in pastes:
        ranked = rank(paste["text"])
        kind = by_kind[paste["kind"]]
        kind[2] += 1
        if ranked[:1] == [paste["id_expected"]]:
            kind[0] += 1
        else:
            misses.append((paste, ranked[:3]))
        if paste["id_expected"] in ranked[:3]:
            kind[1] += 1
    rejected = sum(1 for negative in negatives if not rank(negative["text"]))
    top1 = sum(k[0] for k in by_kind.values())
    top3 = sum(k[1] for k in by_kind.values())
    return {"top1": top1, "top3": top3, "total": len(pastes), "rejected": rejected,
            "negatives": len(negatives), "by_kind": dict(by_kind), "misses": misses}


def best_cutoff_ranker(score, pastes, negatives):
    """The baseline at the no-match cut-off that maximises top-1 hits plus rejected negatives."""
    paste_scores = [score(p["text"]) for p in pastes]
    negative_scores = [score(n["text"]) for n in negatives]
    best = None
    for cutoff in range(0, 101, 2):
        hits = sum(1 for p, s in zip(pastes, paste_scores) if s and s[0][1] >= cutoff and s[0][0] == p["id_expected"])
        rejected = sum(1 for s in negative_scores if not s or s[0][1] < cutoff)
        value = hits / len(pastes) + rejected / len(negatives)
        if best is None or value > best[0]:
            best = (value, cutoff)
    cutoff = best[1]
    cache = {p["text"]: s for p, s in zip(pastes, paste_scores)}
    cache.update({n["text"]: s for n, s in zip(negatives, negative_scores)})
    return (lambda text: [i for i, v in cache[text] if v >= cutoff][:3]), cutoff


def derived_hard_cases(pastes, signatures):
    """Harder variants of each verbatim paste, made here and labelled as such.

    truncated-message: the paste cut off inside its error line, at 70% of it (only
    lines of 50 characters or more, so that the cut leaves something to find);
    typo: two letters swapped in the longest word of that line.
    """
    matcher = Matcher(corpus_index(signatures))
    derived = []
    for paste in pastes:
        found = matcher.lookup(paste["text"], limit=1)
        if not found or found[0].id != paste["id_expected"] or found[0].confidence != "exact":
            continue
        lines = paste["text"].split("\n")
        index = found[0].line - 1
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--show-misses", action="store_true", help="print each paste the engine ranks wrong")
    parser.add_argument("--no-derived", action="store_true",
                        help="only the verbatim pastes, without the derived truncated and typo variants")
    args = parser.parse_args()
    signatures, pastes, negatives = load(args.corpus)
    ecosystems = sorted({s.get("tool", "?") for s in signatures})
    print(f"corpus: {len(signatures)} signatures ({len(ecosystems)} tools), {len(pastes)} pastes, "
          f"{len(negatives)} negatives")
    if not args.no_derived:
        pastes = pastes + derived_hard_cases(pastes, signatures)
    started = time.perf_counter()
    results = {"engine": evaluate(engine_ranker(signatures), pastes, negatives)}
    engine_seconds = time.perf_counter() - started
    cutoffs = {}
    for name, scorer in (("WRatio", fuzz.WRatio), ("token_set_ratio", fuzz.token_set_ratio)):
        ranker, cutoffs[name] = best_cutoff_ranker(baseline_scores(signatures, scorer), pastes, negatives)
        results[name] = evaluate(ranker, pastes, negatives)
    kinds = sorted({p["kind"] for p in pastes})
    widths = {kind: max(16, len(kind) + 2) for kind in kinds}
    header = f"{'':30}{'top-1':>8}{'top-3':>8}{'no match on negatives':>24}" + "".join(
        f"{kind:>{widths[kind]}}" for kind in kinds)
    print(header)
    for name, result in results.items():
        label = name if name == "engine" else f"{name} (cut-off {cutoffs[name]})"
        row = f"{label:30}{percent(result['top1'], result['total']):>8}{percent(result['top3'], result['total']):>8}"
        row += f"{percent(result['rejected'], result['negatives']):>24}"
        for kind in kinds:
            top1, _, total = result["by_kind"].get(kind, [0, 0, 0])
            row += f"{f'{top1}/{total}':>{widths[kind]}}"
        print(row)
    print(f"(kinds: top-1 hits / pastes of that kind; engine ran {len(pastes) + len(negatives)} lookups in "
          f"{engine_seconds:.2f} s)")
    if args.show_misses:
        for paste, ranked in results["engine"]["misses"]:
            first = paste["text"].strip().splitlines()[-1][:100]
            print(f"MISS [{paste['kind']}] expected {paste['id_expected']}, got {ranked}: {first}")
        matcher_rank = engine_ranker(signatures)
        for negative in negatives:
            ranked = matcher_rank(negative["text"])
            if ranked:
                print(f"FALSE MATCH {ranked}: {negative['text'].strip().splitlines()[0][:100]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
