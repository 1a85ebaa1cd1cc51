"""Write the test vectors that keep the browser's matcher (lookup.js) equal to the Python engine.

    .venv/bin/python tests/vectors/make_vectors.py          # rewrite tests/vectors/*.json
    .venv/bin/python tests/vectors/make_vectors.py --check  # exit 1 if a file would change

Each file holds inputs and what the Python engine answers for them:

- wild.json: bench/wild (dev and test pastes, negatives), a paste longer than
  lookup reads and a line longer than one piece, with the credible matches,
  the "not sure" ones and the lines skipped.
- corpus.json: the labelled set of the lookup engine (bench/corpus): every paste,
  the derived truncated and typo variants of bench/lookup_accuracy.py, and the
  negatives, with the full ranked results (id, score, confidence, signature,
  variables, line, line_text; in order).
- records.json: the records of signatures/ (a snapshot of their index, so that
  adding a record does not invalidate the vectors) with their examples and
  variants of them (cut, mistyped, wrapped, recased, buried in a noisy log).
- synthetic.json: 400 synthetic records (bench/synth.py) and noisy pastes, for
  the many-candidates paths that a small knowledge base never takes.
- primitives.json: the pieces, one by one: the logarithm, math.fsum, round,
  fuzz.ratio, LCSseq matching blocks, normalisation, template search
  (case-insensitive matching included), redaction and `kb new` proposals.
- unicode.json: the tables Python's re.IGNORECASE uses (simple lowercase,
  extra cases), which lookup.js embeds.

tests/test_vectors.py regenerates all of this in memory and compares it with the
committed files, so a change in the Python engine forces regenerating them;
tests/js/ runs lookup.js on the same inputs and expects the same answers.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _sre  # noqa: E402
from re import _casefix  # noqa: E402

from rapidfuzz import fuzz  # noqa: E402
from rapidfuzz.distance import LCSseq  # noqa: E402

import lookup_accuracy  # noqa: E402
import synth  # noqa: E402
from generator import normalize, portable_math, redact, scaffold, signature  # noqa: E402
from generator.lookup import Matcher, build_index  # noqa: E402

HERE = Path(__file__).resolve().parent
LIMIT = 5


WEAK = 3  # "not sure" matches asked for, as kb lookup shows them


def answer(matcher: Matcher, text: str) -> dict:
    """The engine's whole answer: the credible matches (`expected`), the weak ones, what was not read."""
    found = matcher.search(text, limit=LIMIT, weak=WEAK)
    return {"expected": [match.as_json() for match in found.matches],
            "weak": [match.as_json() for match in found.weak],
            "lines": found.lines, "skipped": list(found.skipped) if found.skipped else None}


def cases(index: dict, pastes: list[dict]) -> list[dict]:
    """Each paste with the engine's answer for it."""
    matcher = Matcher(index)
    return [dict(paste, **answer(matcher, paste["text"])) for paste in pastes]


def prepared(index: dict) -> dict:
    """What the matcher derives from the index, floats to the last bit: word weights, template weights."""
    matcher = Matcher(index)
    state = matcher.state
    return {"idf": dict(sorted(state["idf"].items())), "weights": state["weights"],
            "unknown_idf": matcher.unknown_idf, "anchors": dict(sorted(state["anchors"].items())),
            "postings": dict(sorted(state["postings"].items())), "starts": state["starts"],
            "codes": dict(sorted(state["codes"].items()))}


def case_file(index: dict, items: list[dict]) -> dict:
    return {"limit": LIMIT, "index": index, "prepared": prepared(index), "cases": cases(index, items)}


# -- corpus ------------------------------------------------------------------------------

def corpus_inputs() -> tuple[dict, list[dict]]:
    signatures, pastes, negatives = lookup_accuracy.load(ROOT / "bench" / "corpus")
    index = lookup_accuracy.corpus_index(signatures)
    items = [{"kind": p["kind"], "id_expected": p["id_expected"], "text": p["text"]} for p in pastes]
    items += [{"kind": d["kind"], "id_expected": d["id_expected"], "text": d["text"]}
              for d in lookup_accuracy.derived_hard_cases(pastes, signatures)]
    items += [{"kind": "negative", "id_expected": None, "text": n["text"]} for n in negatives]
    return index, items


def wild_inputs() -> tuple[dict, list[dict]]:
    """bench/wild, dev and test: parity is checked everywhere, whatever the split is used for."""
    signatures, pastes, negatives = lookup_accuracy.load(ROOT / "bench" / "wild")
    index = lookup_accuracy.corpus_index(signatures)
    items = [{"kind": p["kind"], "id_expected": p["id_expected"], "text": p["text"]} for p in pastes]
    items += [{"kind": "negative", "id_expected": None, "text": n["text"]} for n in negatives]
    # A paste longer than lookup reads, with the error at its end, and a line longer than a piece.
    error = pastes[0]["text"].strip().split("\n")[-1]
    items.append({"kind": "long", "id_expected": pastes[0]["id_expected"],
                  "text": "\n".join(f"step {n} ok" for n in range(5400)) + "\n" + error + "\n"})
    items.append({"kind": "long line", "id_expected": pastes[0]["id_expected"],
                  "text": ("word " * 450 + "x" * 2500 + " ") * 2 + error})
    return index, items


# -- records -----------------------------------------------------------------------------

def variants(rng: random.Random, example: str) -> list[dict]:
    """An example as it is pasted: whole, cut, mistyped, wrapped, recased, inside a log."""
    out = [{"kind": "example", "text": example}]
    lines = example.split("\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    line = lines[longest]
    if len(line) > 30:
        for share in (0.5, 0.7, 0.85):
            out.append({"kind": f"cut {share}", "text": "\n".join(lines[:longest] + [line[: int(len(line) * share)]])})
    words = sorted(re.findall(r"[A-Za-z]{5,}", line), key=len)
    if words:
        word = words[-1]
        typo = word[:2] + word[3] + word[2] + word[4:]
        out.append({"kind": "typo", "text": example.replace(word, typo, 1)})
    if " " in line:
        cut = line.find(" ", len(line) // 2)
        if cut > 0:
            wrapped = line[:cut] + "\n" + line[cut + 1:]
            out.append({"kind": "wrapped", "text": "\n".join(lines[:longest] + [wrapped] + lines[longest + 1:])})
    out.append({"kind": "upper", "text": example.upper()})
    out.append({"kind": "log", "text": synth.noisy_paste(rng, json.dumps(example))})
    return out


def records_inputs() -> tuple[dict, list[dict]]:
    from generator.validate import validate_folder
    result = validate_folder(ROOT / "signatures")
    if result.problems:
        raise SystemExit("signatures/ has invalid records; fix them before making vectors")
    index = build_index(result.records)
    rng = random.Random(5)
    items = []
    for record in sorted(result.records, key=lambda r: r.id):
        for example in record.examples:
            for variant in variants(rng, example):
                items.append(dict(variant, id_expected=record.id))
    return index, items


# -- synthetic ---------------------------------------------------------------------------

def synthetic_inputs(size: int = 400) -> tuple[dict, list[dict]]:
    from generator.validate import validate_folder
    rng = random.Random(23)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "signatures"
        examples = synth.write_kb(size, folder)
        for path in folder.rglob("*.yaml"):  # dates in the future are refused; these are not about dates
            path.write_text(re.sub(r"(?m)^updated: .*$", "updated: 2026-01-01", path.read_text()))
        result = validate_folder(folder)
        if result.problems:
            raise SystemExit(f"synthetic records are invalid: {result.problems[0]}")
        index = build_index(result.records)
    items = []
    for record_id, example in rng.sample(examples, 120):
        paste = synth.noisy_paste(rng, example)
        items.append({"kind": "noisy", "id_expected": record_id, "text": paste})
        text = synth.unquote(example)
        items.append({"kind": "cut", "id_expected": record_id, "text": text[: int(len(text) * 0.6)]})
        words = text.split()
        if len(words) > 3:
            drop = rng.randrange(len(words))
            items.append({"kind": "reworded", "id_expected": record_id,
                          "text": " ".join(words[:drop] + ["unexpectedly"] + words[drop + 1:])})
    # Long logs that hold several errors, and generic words that many templates share.
    for _ in range(10):
        chosen = rng.sample(examples, 4)
        lines = []
        for _, example in chosen:
            lines += synth.noisy_paste(rng, example).split("\n")
        items.append({"kind": "multi", "id_expected": chosen[0][0], "text": "\n".join(lines)})
    for text in ["error: failed to resolve package", "permission denied while trying to open config file",
                 "could not connect to database: connection refused (exit code 1)", "not found"]:
        items.append({"kind": "generic", "id_expected": None, "text": text})
    return index, items


# -- primitives --------------------------------------------------------------------------

def primitive_inputs() -> dict:
    rng = random.Random(17)
    logs = [1 + t / c for t in (1, 2, 3, 7, 50, 51, 100, 437, 1000, 17470) for c in range(1, min(t, 60) + 1)]
    logs += [rng.uniform(1, 50000) for _ in range(400)] + [rng.uniform(0, 2) for _ in range(200)]
    logs += [1.0, 2.0, 0.5, 1 + 2 ** -30, 1 - 2 ** -30, 5e-324, 2.2250738585072014e-308, 1e300]
    fsums = [[rng.uniform(0, 12) for _ in range(rng.randint(0, 30))] for _ in range(200)]
    fsums += [[0.1] * 10, [1e16, 1.0, 1e-16], [1e-16, 1.0, 1e16], [0.2 * x for x in (1.5, 2.25, 7.125)]]
    rounds = [0.5, 1.5, 2.5, 64.5, 65.5, 79.5, 80.5, 98.5, 99.5, 64.49999999999999, 72.50000000000001, 3.0]
    rounds += [rng.uniform(60, 100) for _ in range(50)]
    alphabet = ["err", "npm", "code", "eresolve", "num", "path", "\x00", "could", "not", "resolve", "the"]
    blocks = []
    for _ in range(600):
        a = [rng.choice(alphabet[: rng.randint(2, len(alphabet))]) for _ in range(rng.randint(0, 14))]
        b = [rng.choice(alphabet[: rng.randint(2, len(alphabet))]) for _ in range(rng.randint(0, 40))]
        if rng.random() < 0.3 and a:
            start = rng.randint(0, len(a))
            b = a[:start] + b + a[start:]
        blocks.append([a, b])
    letters = "abcdeeeinorstu"
    ratios = []
    for _ in range(600):
        word = "".join(rng.choice(letters) for _ in range(rng.randint(1, 12)))
        other = list(word)
        for _ in range(rng.randint(0, 3)):
            action = rng.random()
            position = rng.randint(0, len(other))
            if action < 0.4 and other:
                other.pop(min(position, len(other) - 1))
            elif action < 0.7:
                other.insert(position, rng.choice(letters))
            elif len(other) > 1:
                i = min(position, len(other) - 2)
                other[i], other[i + 1] = other[i + 1], other[i]
        ratios.append([word, "".join(other)])
    texts = [
        "\x1b[31m2026-11-02T10:11:12.345Z [error]\x1b[0m Cannot connect to https://api.example.com/v1/x?y=1 (ECONNREFUSED)",
        "Error at C:\\Users\\me\\app\\index.js:10:5 and ~/proj/src/a.ts or ./x/y/z or ../a/b",
        "uuid 123e4567-e89b-12d3-a456-426614174000 hex 0xDEADBEEF deadbeef12 cafe1234 abcdefa 1234567",
        "codes 404 529 32000 1 12 123456 1.2.3 10:11:12 a_b-c 99_99",
        "mail me@example.org or x.y+z@sub.example.co.uk; git@github.com:org/repo.git",
        "tab\there\x0bvt\x0cff\r\ncrlf\rcr\x00nul\x7fdel\x1b]8;;https://x.y\x07link\x1b]8;;\x07 \x1b(B",
        "Ünïcödé İstanbul ſtraße KELVIN \u212a 𝔘𝔫𝔦 emoji 😀 in /tmp/😀/x.txt and https://ex.com/😀",
        "\u00a0nbsp\u2003em\u3000ideographic \x85nel \ufeffbom word",
        "",
        "   \n\n  \t ",
    ]
    templates = [
        ["No OAuth flow is in progress for {server}. Call mcp__{server}__authenticate first",
         ["No OAuth flow is in progress for asana. Call mcp__asana__authenticate first",
          "no oauth flow IS IN progress for Asana. call MCP__ASANA__authenticate first",
          "No OAuth flow is in progress for asana. Call mcp__jira__authenticate first",
          "No OAuth flow is in\nprogress for a b. Call mcp__a b__authenticate first"]],
        ["Straße {x} ſecret", ["STRASSE 1 SECRET", "straße 1 secret", "STRAẞE 1 Secret", "Straße 1 ſecret"]],
        ["Kelvin {t} İ ı i", ["kelvin 3 i i i", "\u212aELVIN 3 İ I İ", "KELVIN 3 ı ı ı"]],
        ["Σ {a} σ ς", ["σ x ς σ", "Σ x Σ Σ", "ς x σ ς"]],
        ["value {v} then {v}", ["value Ab then aB", "value ſ then S", "value x then y"]],
        ["literal {{braces}} and {name}", ["literal {braces} and thing", "literal braces and thing"]],
        ["ends with {value}", ["ends with  some trailing value   \nnext", "ends with x", "ends with 😀😀"]],
        ["a.b*c+d?e(f)[g]{{h}}|i^j$k\\l/m {x}", ["a.b*c+d?e(f)[g]{h}|i^j$k\\l/m yes", "aXb*c+d?e(f)[g]{h}|i^j$k\\l/m no"]],
        ["wrapped   words {x} here", ["wrapped\n\u00a0words 1\u3000here", "wrapped words 1\x85here", "wrappedwords 1 here"]],
        ["{lead} leads", ["x leads", " leads", "a b c leads"]],
    ]
    secrets = [
        "token=abcdef123456 Authorization: Bearer abcdefghijklmnopqrstuvwxyz",
        "git clone https://user:hunter2secret@github.com/o/r.git and ssh git@github.com:o/r.git",
        "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123 github_pat_11ABCDEFG_abcdefghijklmnopqrstuvwxyz",
        "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuv and sk-ant-api03-abcdefghijklmnopqrst",
        "xoxb-1234567890-abcdefghij AKIAABCDEFGHIJKLMNOP AIzaSyA1234567890abcdefghijklmnopqrstuv",
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----",
        "contact: jane.doe+ci@example.co.uk, password: 'p4ssw0rd!' client_secret=\"s3cr3tvalue\"",
        "api-key: [REDACTED] pwd=short passwd = longenough1",
        "éghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123 _sk-abcdefghijklmnopqrstuv",
    ]
    proposals = [
        "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree",
        "2026-01-02T03:04:05Z [error] Widget beta: no answer in 30s",
        "12:01:02 ERROR: Could not connect to 10.0.0.1:5432 (timeout after 30000 ms)",
        "Error: ENOENT: no such file or directory, open '/home/me/app/package.json'",
        "fatal: unable to access 'https://github.com/x/y.git/': Could not resolve host: github.com",
        "Traceback (most recent call last):\n  File \"/x/y.py\", line 3, in <module>\nModuleNotFoundError: No module named 'foo'",
        "WARN something odd\nINFO all fine",
        "uuid 123e4567-e89b-12d3-a456-426614174000 failed with id deadbeef12 at v1.2.3-beta.1 {braces}",
        "token=[REDACTED] rejected by https://api.example.com/v1/auth.",
        "failed to connect to https://admin:[REDACTED]@db.example.com:5432/app?sslmode=[REDACTED e-mail] now",
        "GET http://[::1]:8080/api?token=[REDACTED] failed.",
        "   ",
    ]
    return {"logs": logs, "fsums": fsums, "rounds": rounds, "blocks": blocks, "ratios": ratios, "texts": texts,
            "templates": templates, "secrets": secrets, "proposals": proposals,
            "ids": [["Claude Code", "No OAuth flow is in progress for {server}"], ["", "fatal: {x}"],
                    ["Ünïcödé Tool", "the a an {x}"], ["npm", ""]]}


def primitives(inputs: dict) -> dict:
    out = {"inputs": inputs}
    out["logs"] = [portable_math.log(x) for x in inputs["logs"]]
    out["fsums"] = [math.fsum(values) for values in inputs["fsums"]]
    out["rounds"] = [int(round(x)) for x in inputs["rounds"]]
    out["blocks"] = [[[b.a, b.b, b.size] for b in LCSseq.editops(a, b).as_matching_blocks()]
                     for a, b in inputs["blocks"]]
    out["ratios"] = [fuzz.ratio(a, b) for a, b in inputs["ratios"]]
    out["clean"] = [normalize.clean(text) for text in inputs["texts"]]
    out["tokens"] = [normalize.tokens(text) for text in inputs["texts"]]
    out["templates"] = [[signature.parse(template).search(text) for text in texts]
                        for template, texts in inputs["templates"]]
    out["redact"] = [list(redact.redact(text)) for text in inputs["secrets"]]
    out["error_lines"] = [scaffold.error_line(text) for text in inputs["proposals"]]
    out["proposals"] = [scaffold.propose_template(scaffold.error_line(text)) for text in inputs["proposals"]]
    out["ids"] = [scaffold.propose_id(tool, template, {"npm-error-2"} if not template else set())
                  for tool, template in inputs["ids"]]
    return out


def unicode_tables() -> dict:
    pairs = {}
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        lower = _sre.unicode_tolower(cp)
        if lower != cp:
            pairs[cp] = lower
    runs: list[list[int]] = []
    for cp, lower in sorted(pairs.items()):
        delta = lower - cp
        if runs:
            start, count, last_delta, step = runs[-1]
            if last_delta == delta and ((count == 1 and cp - start in (1, 2)) or (count > 1 and cp == start + count * step)):
                runs[-1] = [start, count + 1, delta, cp - start if count == 1 else step]
                continue
        runs.append([cp, 1, delta, 1])
    return {"unicode": unicodedata.unidata_version, "lower_runs": [x for run in runs for x in run],
            "extra_cases": {str(k): list(v) for k, v in sorted(_casefix._EXTRA_CASES.items())}}


# -- all of it ---------------------------------------------------------------------------

def build(records_snapshot: dict | None = None) -> dict[str, dict]:
    """Every vector file as a dict. records_snapshot: reuse the stored inputs of records.json."""
    corpus_index, corpus_items = corpus_inputs()
    if records_snapshot is None:
        records_index, records_items = records_inputs()
    else:
        records_index, records_items = records_snapshot["index"], [
            {k: v for k, v in case.items() if k in ("kind", "id_expected", "text")}
            for case in records_snapshot["cases"]]
    synthetic_index, synthetic_items = synthetic_inputs()
    wild_index, wild_items = wild_inputs()
    return {
        "corpus.json": case_file(corpus_index, corpus_items),
        "wild.json": case_file(wild_index, wild_items),
        "records.json": case_file(records_index, records_items),
        "synthetic.json": case_file(synthetic_index, synthetic_items),
        "primitives.json": primitives(primitive_inputs()),
        "unicode.json": unicode_tables(),
    }


def dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":")) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only compare with the committed files")
    parser.add_argument("--refresh-records", action="store_true",
                        help="take a new snapshot of signatures/ (else records.json keeps its inputs)")
    args = parser.parse_args()
    stored = HERE / "records.json"
    snapshot = None if args.refresh_records or not stored.exists() else json.loads(stored.read_text())
    files = build(snapshot)
    stale = []
    for name, data in files.items():
        path = HERE / name
        text = dump(data)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if args.check:
        print("stale: " + ", ".join(stale) if stale else "vectors are current")
        return 1 if stale else 0
    print(f"wrote {', '.join(stale) or 'nothing (all current)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
