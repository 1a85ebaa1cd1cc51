"""The JSON Schema (for editors) and the validator agree on the same good and bad records."""
import datetime as dt
import json

import jsonschema
import pytest

from helpers import FIXTURES, ROOT
from generator import fields, yamlsafe

SCHEMA = json.loads((ROOT / "schema" / "record.schema.json").read_text())
# Rules the schema can express (the others need the whole knowledge base or Markdown parsing).
STRUCTURAL = ["EA008", "EA009", "EA010", "EA011", "EA012", "EA014", "EA015"]


def as_json(value):
    """What an editor's YAML 1.2 parser sees: dates are strings."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def load(path):
    return as_json(yamlsafe.load_file(path, str(path)).data)


def test_committed_schema_is_generated_from_the_declarations():
    assert SCHEMA == fields.json_schema()


@pytest.mark.parametrize("path", sorted((FIXTURES / "valid").rglob("*.yaml")) + sorted(
    (ROOT / "signatures").rglob("*.yaml"))[:10], ids=lambda p: p.name)
def test_good_records_pass_the_schema(path):
    jsonschema.validate(load(path), SCHEMA, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("code", STRUCTURAL)
def test_structurally_broken_records_fail_the_schema_too(code):
    path = FIXTURES / "broken" / "demo" / next(
        p.name for p in (FIXTURES / "broken" / "demo").glob(f"{code.lower()}-*.yaml"))
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(load(path)))
    assert errors, f"{path.name} passes the schema but the validator reports {code}"
