"""The benchmark corpora stay honest: well-formed, split, and (bench/own) test threads never cited.

bench/own measures the lookup on pastes of the knowledge base's own errors
from threads that no record cited when they were collected. A dev thread may
become a record's source (that is tuning, which is what dev is for); a
record that cites a test thread (a wording added from it, say) would turn a
held-out paste into a tuned-on one, so that is an error here, not a silent
change of the figure.
"""
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import ROOT

KINDS = {"log", "version", "wrapper", "fragment", "reformatted", "status", "multi"}
SPLIT_CORPORA = ["wild", "own"]


def _items(corpus: Path, name: str) -> list[dict]:
    items = []
    for path in sorted(corpus.glob(f"{name}-*.yaml")):
        items.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return items


def _known_ids(corpus: Path) -> set[str]:
    signatures = _items(corpus, "signatures")
    if signatures:
        return {entry["id"] for entry in signatures}
    return {path.stem for path in (ROOT / "signatures").rglob("*.yaml")}


@pytest.mark.parametrize("name", SPLIT_CORPORA)
def test_every_paste_names_a_known_error_a_kind_and_a_thread(name):
    corpus = ROOT / "bench" / name
    known = _known_ids(corpus)
    pastes = _items(corpus, "pastes")
    assert pastes, f"bench/{name} has no pastes"
    for paste in pastes:
        where = f"bench/{name}: paste from {paste.get('source')}"
        assert paste["id_expected"] in known, f"{where}: unknown id {paste['id_expected']}"
        assert set(paste.get("also") or []) <= known, f"{where}: unknown id in also"
        assert paste["kind"] in KINDS, f"{where}: kind {paste['kind']!r}"
        assert paste["source"].startswith("https://github.com/"), where
        assert paste["text"].strip(), where
    for negative in _items(corpus, "negatives"):
        assert negative["source"].startswith("https://github.com/") and negative["text"].strip()


@pytest.mark.parametrize("name", SPLIT_CORPORA)
def test_every_thread_is_in_the_frozen_split(name):
    result = subprocess.run([sys.executable, "bench/split.py", f"bench/{name}", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_record_cites_a_test_thread_of_bench_own():
    split = yaml.safe_load((ROOT / "bench" / "own" / "split.yaml").read_text(encoding="utf-8"))
    threads = {thread.split("#")[0].rstrip("/") for thread in split["test"]}
    assert threads
    cited = []
    for path in sorted((ROOT / "signatures").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        cited += [f"{path.relative_to(ROOT)} cites {thread}" for thread in sorted(threads)
                  if any(_cites(text, form) for form in _forms(thread))]
    assert not cited, ("records cite test threads of bench/own, which are held out to measure the lookup "
                       "(bench/own/README.md); cite another thread or release that shows the same wording:\n"
                       + "\n".join(cited))


def _forms(thread: str) -> set[str]:
    """An issue and a pull request share their numbers: /issues/N and /pull/N are the same thread."""
    return {thread, thread.replace("/pull/", "/issues/"), thread.replace("/issues/", "/pull/")}


def _cites(text: str, thread: str) -> bool:
    """`thread` appears as a whole URL (issues/12 is not issues/123)."""
    start = text.find(thread)
    while start != -1:
        end = start + len(thread)
        if end == len(text) or not text[end].isdigit():
            return True
        start = text.find(thread, end)
    return False
