"""The JSON Schema (for editors) and the validator agree on the same good and bad records."""
import json
import re

import jsonschema
import pytest

from helpers import FIXTURES, ROOT, as_json
from generator import fields, yamlsafe

SCHEMA = json.loads((ROOT / "schema" / "record.schema.json").read_text())
# Rules the schema can express (the others need the whole knowledge base or Markdown parsing).
STRUCTURAL = ["EA008", "EA009", "EA010", "EA011", "EA012", "EA014", "EA015", "EA025"]


def load(path):
    return as_json(yamlsafe.load_file(path, str(path)).data)


def test_committed_schema_is_generated_from_the_declarations():
    assert SCHEMA == fields.json_schema()


@pytest.mark.parametrize("path", sorted((FIXTURES / "valid").rglob("*.yaml")) + sorted(
    (ROOT / "signatures").rglob("*.yaml"))[:10], ids=lambda p: p.name)
def test_good_records_pass_the_schema(path):
    jsonschema.validate(load(path), SCHEMA, cls=jsonschema.Draft202012Validator)


def structurally_broken():
    """The broken fixtures whose every marked problem is one the schema can express."""
    for path in sorted((FIXTURES / "broken" / "demo").glob("*.yaml")):
        codes = set(re.findall(r"# <- (EA\d{3})", path.read_text(encoding="utf-8", errors="replace")))
        if codes and codes <= set(STRUCTURAL):
            yield path


def test_every_structural_rule_has_a_fixture_for_the_schema():
    covered = {code for path in structurally_broken() for code in re.findall(r"# <- (EA\d{3})", path.read_text())}
    assert covered == set(STRUCTURAL)


@pytest.mark.parametrize("path", list(structurally_broken()), ids=lambda p: p.name)
def test_structurally_broken_records_fail_the_schema_too(path):
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(load(path)))
    assert errors, f"{path.name} passes the schema but the validator reports a problem in it"


def test_both_forms_of_a_signature_pass_the_schema():
    record = load(FIXTURES / "valid" / "demo-tool" / "demo-tool-widget-timeout.yaml")
    assert isinstance(record["signatures"][0], dict) and isinstance(record["signatures"][1], str)
    jsonschema.validate(record, SCHEMA, cls=jsonschema.Draft202012Validator)
