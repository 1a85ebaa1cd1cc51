"""The site's JSON API (api/v1/): its files, their schemas, and the links the project hands out."""
import json
import os
import subprocess
import sys

import jsonschema
import pytest
import yaml

from helpers import FIXTURES, ROOT, as_json
from generator import api, project, yamlsafe
from generator.validate import validate_folder

SITE = "https://kb.example/"


def kb(*args):
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))


def validator(kind):
    schema = json.loads((ROOT / "schema" / api.SCHEMA_FILES[kind]).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_api_schemas_are_generated_from_the_declarations():
    """`python -m generator.api --write` regenerates them; --check says when they are stale."""
    for path, text in api.schema_texts().items():
        assert (ROOT / path).read_text(encoding="utf-8") == text, f"{path} is stale: run python -m generator.api --write"
    done = subprocess.run([sys.executable, "-m", "generator.api", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_error_schema_is_the_record_schema_plus_the_page():
    record = json.loads((ROOT / "schema" / "record.schema.json").read_text())
    error = api.error_schema()
    assert {key: error["properties"][key] for key in record["properties"]} == record["properties"]
    assert set(error["required"]) == set(record["required"]) | {"id", "url", "path"}


def test_a_record_file_holds_the_fields_of_its_yaml_file_plus_its_page():
    records = validate_folder(FIXTURES / "valid").records
    for record in records:
        data = api.record_json(record, SITE)
        path = FIXTURES / "valid" / record.rel_path
        expected = as_json(yamlsafe.load_file(path, str(path)).data)
        assert {k: v for k, v in data.items() if k not in ("id", "url", "path")} == expected
        assert (data["id"], data["url"], data["path"]) == (record.id, f"{SITE}errors/{record.id}/",
                                                           f"errors/{record.id}/")
        assert list(data)[3:] == [name for name in api.fields.RECORD.fields if name in expected]


def test_kb_render_writes_the_api_and_every_file_validates(tmp_path):
    done = kb("render", "--out", str(tmp_path), "--site-url", SITE)
    assert done.returncode == 0, done.stderr
    records = validate_folder(ROOT / "signatures").records
    index = json.loads((tmp_path / "api/v1/index.json").read_text(encoding="utf-8"))
    validator("index").validate(index)
    assert index["count"] == len(records) == len(index["records"])
    assert [entry["id"] for entry in index["records"]] == sorted(record.id for record in records)
    errors = validator("error")
    for record in records:
        data = json.loads((tmp_path / api.record_path(record.id)).read_text(encoding="utf-8"))
        errors.validate(data)
        assert data["url"] == f"{SITE}errors/{record.id}/"
    published = json.loads((tmp_path / "api/v1/error.schema.json").read_text())
    assert published == api.error_schema()


def test_the_schemas_reject_what_the_api_never_writes():
    record = validate_folder(FIXTURES / "valid").records[0]
    good = api.record_json(record, SITE)
    errors = validator("error")
    for broken in ({**good, "surprise": 1}, {k: v for k, v in good.items() if k != "url"},
                   {**good, "path": "../../etc/passwd"}, {**good, "sources": [{"url": "http://x", "title": "t"}]}):
        assert list(errors.iter_errors(broken)), broken
    index = api.index_json([record], SITE)
    assert not list(validator("index").iter_errors(index))
    assert list(validator("index").iter_errors({**index, "version": 2}))


def test_the_built_site_serves_the_api(real_site):
    index = json.loads((real_site / "api/v1/index.json").read_text(encoding="utf-8"))
    validator("index").validate(index)
    site_url = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]
    for entry in index["records"]:
        assert entry["url"] == site_url + entry["path"]
        assert (real_site / entry["path"] / "index.html").is_file()  # the page it points to exists
        validator("error").validate(json.loads((real_site / api.record_path(entry["id"])).read_text()))


def test_project_links_match_the_site_configuration_and_the_issue_forms():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert project.PUBLISHED_SITE == config["site_url"]
    assert project.REPOSITORY == config["repo_url"]
    template = project.NEW_ERROR_ISSUE.split("template=")[1]
    assert (ROOT / ".github" / "ISSUE_TEMPLATE" / template).is_file()
    assert (ROOT / "content" / "contributing.md").is_file()  # project.contribute_page points at it


@pytest.mark.parametrize("path", ["api/v1/index.json", "api/v1/errors/demo-tool-widget-timeout.json"])
def test_the_api_files_are_documented(path):
    page = (ROOT / "content" / "api.md").read_text(encoding="utf-8")
    assert path.replace("demo-tool-widget-timeout", "<id>") in page


def test_the_python_examples_on_the_api_page_run_against_a_built_site(served_site, capsys):
    page = (ROOT / "content" / "api.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in page.split("```python\n")[1:]]
    assert len(blocks) == 2
    for block in blocks:
        assert 'SITE = "https://error-atlas.github.io/error-atlas/"' in block
        exec(compile(block.replace("https://error-atlas.github.io/error-atlas/", served_site), "api.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "claude-code-mcp-connection-closed - " in printed and "\n* " in printed
    assert "claude-code-mcp-no-oauth-flow-in-progress exact 100 {'server': 'asana'}" in printed
