"""The sharded lookup index (generator/shards.py): every word and template once, the manifest's counts right.

That the browser's sharded lookup answers exactly as the whole index is checked
by tests/js/shards.test.js (node) and tests/browser/test_lookup_shards.py.
"""
import json
import math

import pytest

from helpers import ROOT
from generator import portable_math
from generator.lookup import required_words, SLOT, Matcher, prepare
from generator.shards import (CODE_KEY, SHARD_ABOVE, SHARDS_DIR, SHARDS_ENV, SHARDS_FORMAT, SHARDS_VERSION, build_shards,
                              fnv1a, shard_files, wants_shards)
from generator.validate import validate_folder


@pytest.fixture(scope="module")
def index():
    return json.loads((ROOT / "tests" / "vectors" / "synthetic.json").read_text(encoding="utf-8"))["index"]


def split(files):
    manifest = files["manifest.json"]
    prefix = manifest["build"] + "/"
    assert all(path == "manifest.json" or path.startswith(prefix) for path in files)
    words = {int(p[len(prefix) + 6:-5]): c for p, c in files.items() if p.startswith(prefix + "words/")}
    templates = {int(p[len(prefix) + 10:-5]): c for p, c in files.items() if p.startswith(prefix + "templates/")}
    return manifest, words, templates


@pytest.mark.parametrize("sizes", [{}, {"word_shards": 7, "template_shard_size": 5}, {"word_shards": 1}])
def test_every_word_and_template_is_in_exactly_one_shard(index, sizes):
    state = prepare(index)
    manifest, words, templates = split(build_shards(index, **sizes))
    assert (manifest["format"], manifest["version"]) == (SHARDS_FORMAT, SHARDS_VERSION)
    assert sorted(words) == list(range(manifest["word_shards"]))
    assert sorted(templates) == list(range(manifest["template_shards"]))
    seen_words = [word for shard in words.values() for word in shard if not word.startswith(CODE_KEY)]
    assert len(seen_words) == len(set(seen_words)) == manifest["words"] == len(state["idf"])
    assert set(seen_words) == set(state["idf"])
    seen_codes = {key[len(CODE_KEY):]: shard[key] for shard in words.values() for key in shard
                  if key.startswith(CODE_KEY)}
    assert seen_codes == state["codes"]  # each error code that names one record, with its templates
    for number, shard in words.items():
        assert all(fnv1a(word) % manifest["word_shards"] == number for word in shard)
    numbers = [shard["first"] + i for shard in templates.values() for i in range(len(shard["templates"]))]
    assert sorted(numbers) == list(range(len(state["texts"]))) == list(range(manifest["templates"]))
    assert manifest["records"] == len(index["records"])
    assert manifest["total"] == max(len(state["texts"]), 1)
    assert manifest["common"] == max(50, manifest["total"] // 10)
    size = manifest["template_shard_size"]
    assert manifest["template_shards"] == math.ceil(len(state["texts"]) / size)
    assert all(shard["first"] == number * size for number, shard in templates.items())


def test_the_shards_carry_what_the_matcher_derives(index):
    state = prepare(index)
    manifest, words, templates = split(build_shards(index, word_shards=16, template_shard_size=8))
    scale = manifest["weight_scale"]
    for shard in words.values():
        for word, entry in shard.items():
            if word.startswith(CODE_KEY):
                continue  # an error code's templates (checked above)
            df, gaps, coarse, anchors = entry
            assert portable_math.log(1 + manifest["total"] / df) == state["idf"][word]
            postings = [sum(gaps[:i + 1]) for i in range(len(gaps))]
            assert postings == state["postings"].get(word, [])
            assert (df > manifest["common"]) == (not postings)
            for number, q in zip(postings, coarse):
                assert q / scale <= state["weights"][number] < (q + 1) / scale
            assert [a[0] for a in anchors] == state["anchors"].get(word, [])
            for number, others in anchors:  # the other words an exact match requires
                assert set(others) | {word} == (required_words(state["texts"][number]) or
                                               set(state["sequences"][number]) - {SLOT})
    for shard in templates.values():
        for i, (owner, text, weight, dfs) in enumerate(shard["templates"]):
            number = shard["first"] + i
            assert (owner, text, weight) == (state["owners"][number], state["texts"][number], state["weights"][number])
            record = index["records"][owner]
            assert shard["records"][str(owner)] == [record["id"], record["title"], record["tool"]]
            distinct = sorted(set(state["sequences"][number]) - {SLOT})
            assert [portable_math.log(1 + manifest["total"] / df) for df in dfs] == [state["idf"][w] for w in distinct]


def test_fnv1a_is_the_published_32_bit_function():
    assert fnv1a("") == 0x811C9DC5
    assert fnv1a("a") == 0xE40C292C
    assert fnv1a("foobar") == 0xBF9CF968


def test_the_build_writes_shards_only_for_a_large_knowledge_base(monkeypatch):
    records = validate_folder(ROOT / "signatures").records
    monkeypatch.delenv(SHARDS_ENV, raising=False)
    assert SHARD_ABOVE >= 10_000 and not wants_shards(len(records)) and wants_shards(SHARD_ABOVE + 1)
    assert shard_files(records) == {}
    monkeypatch.setenv(SHARDS_ENV, "always")
    files = shard_files(records)
    manifest = json.loads(files[f"{SHARDS_DIR}/manifest.json"])
    assert manifest["records"] == len(records)
    assert all(path.startswith(f"{SHARDS_DIR}/") for path in files)
    assert len(files) == 1 + manifest["word_shards"] + manifest["template_shards"]
    monkeypatch.setenv(SHARDS_ENV, "never")
    assert shard_files(records) == {} and not wants_shards(10 ** 9)


def test_a_build_is_named_by_its_content(index):
    first = build_shards(index)["manifest.json"]["build"]
    assert build_shards(index)["manifest.json"]["build"] == first
    changed = dict(index, records=index["records"][1:])
    assert build_shards(changed)["manifest.json"]["build"] != first


def test_the_weight_scale_must_keep_the_bounds_exact(index):
    with pytest.raises(ValueError):
        build_shards(index, weight_scale=100)
    assert Matcher(index)  # the index itself is untouched
