"""Whole-KB self check: every example of every record looks up to that record first.

A new signature that is ambiguous with an existing one fails here, naming both.
"""
from helpers import ROOT
from generator.lookup import Matcher, build_index
from generator.validate import validate_folder


def test_every_example_looks_up_to_its_own_record_first():
    records = validate_folder(ROOT / "signatures").records
    assert records, "the knowledge base has no valid records"
    matcher = Matcher(build_index(records))
    failures = []
    for record in records:
        for example in record.examples:
            matches = matcher.lookup(example, limit=3)
            if not matches or matches[0].id != record.id:
                found = ", ".join(f"{m.id} ({m.confidence} {m.score})" for m in matches) or "nothing"
                failures.append(f"{record.rel_path}: example {example[:80]!r} finds {found} first, "
                                f"not {record.id}")
    assert failures == []


def test_related_records_link_both_ways():
    records = {r.id: r for r in validate_folder(ROOT / "signatures").records}
    one_way = [f"{r.id} -> {other}" for r in records.values() for other in r.related
               if r.id not in records[other].related]
    assert one_way == []
