"""The shared test vectors are what the Python engine answers today.

tests/vectors/*.json hold the Python engine's answers, and node's test runner
(tests/js/) checks that the browser's matcher gives the same. This test
regenerates them in memory: when the Python engine changes, it fails until
`python tests/vectors/make_vectors.py` is run again (and then node's tests
say whether lookup.js must follow).
"""
import json
import sys

import pytest

from helpers import ROOT

sys.path.insert(0, str(ROOT / "tests" / "vectors"))
import make_vectors  # noqa: E402

HINT = "the Python engine's answers changed: run .venv/bin/python tests/vectors/make_vectors.py, then node --test tests/js/"


@pytest.fixture(scope="module")
def regenerated():
    stored = json.loads((make_vectors.HERE / "records.json").read_text(encoding="utf-8"))
    return make_vectors.build(records_snapshot=stored)


@pytest.mark.parametrize("name", ["corpus.json", "wild.json", "records.json", "synthetic.json", "primitives.json",
                                  "unicode.json"])
def test_committed_vectors_are_current(regenerated, name):
    committed = (make_vectors.HERE / name).read_text(encoding="utf-8")
    assert make_vectors.dump(regenerated[name]) == committed, f"{name}: {HINT}"


def test_vectors_cover_the_labelled_corpus_and_every_kind_of_paste(regenerated):
    kinds = {case["kind"] for case in regenerated["corpus.json"]["cases"]}
    assert {"exact", "log", "truncated", "reworded", "near-identical", "two-errors", "derived: truncated",
            "derived: typo", "negative"} <= kinds
    records = regenerated["records.json"]["cases"]
    assert {"example", "typo", "upper", "log"} <= {case["kind"] for case in records}
    # The vectors exercise both stages and the no-match answer.
    confidences = {m["confidence"] for case in regenerated["corpus.json"]["cases"] for m in case["expected"]}
    assert confidences == {"exact", "likely", "possible"}
    assert any(not case["expected"] for case in regenerated["corpus.json"]["cases"])


def test_the_engine_is_deterministic_whatever_the_hash_seed(tmp_path):
    """Set iteration order changes with PYTHONHASHSEED; the answers must not."""
    import os
    import subprocess
    script = ("import sys, json; sys.path.insert(0, 'tests/vectors'); import make_vectors as m; "
              "i, items = m.corpus_inputs(); print(json.dumps(m.cases(i, items[:150])))")
    outputs = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                              env=dict(os.environ, PYTHONHASHSEED=seed))
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1
