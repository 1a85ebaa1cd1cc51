"""The site's static JSON API: records in, versioned JSON files out (no MkDocs involved).

    api/v1/index.json          every record: id, title, tool, category, tags, updated, page URL
    api/v1/errors/<id>.json    one record: its fields as validated, plus its page URL
    api/v1/*.schema.json       the JSON Schemas of both (also in schema/, for the tests and editors)

Scripts and the MCP server (`kb mcp --site URL`) read these files instead of
scraping HTML. The version is in the path: a change that breaks readers
gets a new folder (api/v2/), and v1 stays as long as it can be built.

The schemas are generated from the record format's own declarations
(fields.py), like schema/record.schema.json, so the API cannot drift from
the validator. `python -m generator.api --write` updates the copies in
schema/; the tests fail when they are out of date.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from . import fields
from .project import PUBLISHED_SITE
from .records import Record

API_VERSION = 1
API_DIR = f"api/v{API_VERSION}"
INDEX_FORMAT = "error-atlas-api-index"
INDEX_PATH = f"{API_DIR}/index.json"
SCHEMA_DIR = Path("schema")
SCHEMA_FILES = {"index": "api-index.schema.json", "error": "api-error.schema.json"}
INDEX_FIELDS = ("id", "title", "tool", "category", "tags", "updated", "url", "path")


def record_path(record_id: str) -> str:
    """The API file of one record, relative to the site root."""
    return f"{API_DIR}/errors/{record_id}.json"


def page_path(record_id: str) -> str:
    """The record's page relative to the site root (the site may live under a sub-path)."""
    return f"errors/{record_id}/"


def page_url(site_url: str, record_id: str) -> str:
    """The page's URL as render.SiteOptions.url gives it: under site_url, else site-relative."""
    return (site_url or "/") + page_path(record_id)


def _plain(value):
    """The JSON form of a validated value: dates as YYYY-MM-DD, everything else as is."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def record_json(record: Record, site_url: str = "") -> dict:
    """One record as api/v1/errors/<id>.json holds it: the fields the YAML file set, in the format's order."""
    data = {"id": record.id, "url": page_url(site_url, record.id), "path": page_path(record.id)}
    for name in fields.RECORD.fields:
        value = getattr(record, name)
        if value is None or value == [] or value == {}:
            continue  # an optional field the record does not set
        data[name] = _plain(value)
    # Signatures as the record writes them: with the thread or release each wording comes from.
    data["signatures"] = [dict(origin, text=text) if origin else text
                          for text, origin in zip(record.signatures, record.signature_sources or
                                                  [None] * len(record.signatures))]
    return data


def index_entry(record: Record, site_url: str = "") -> dict:
    return {
        "id": record.id, "title": record.title, "tool": record.tool, "category": record.category,
        "tags": list(record.tags), "updated": record.updated.isoformat(),
        "url": page_url(site_url, record.id), "path": page_path(record.id),
    }


def index_json(records: list[Record], site_url: str = "") -> dict:
    return {
        "format": INDEX_FORMAT,
        "version": API_VERSION,
        "count": len(records),
        "records": [index_entry(record, site_url) for record in sorted(records, key=lambda r: r.id)],
    }


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def api_files(records: list[Record], site_url: str = "") -> dict[str, str]:
    """Every file of the API: {path relative to the site root: JSON text}."""
    files = {INDEX_PATH: _dump(index_json(records, site_url))}
    for record in records:
        files[record_path(record.id)] = _dump(record_json(record, site_url))
    for kind, schema in schemas().items():
        files[f"{API_DIR}/{kind}.schema.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return files


# -- JSON Schemas -------------------------------------------------------------------------

_URL = {"type": "string", "minLength": 1,
        "description": "The page's address as the build knew it: absolute when the site was built with a "
                       "site_url (the published site is), else relative to the site's root."}
_PATH = {"type": "string", "pattern": r"^errors/[a-z0-9]+(-[a-z0-9]+)*/$",
         "description": "The page relative to the site's root: join it with the URL you fetched the API from."}
_ID = {"type": "string", "pattern": fields.ID_PATTERN,
       "description": "The record's id: its file name in signatures/, and the last part of its page URL."}


def _schema_header(kind: str, title: str) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{PUBLISHED_SITE}{API_DIR}/{kind}.schema.json",
        "title": title,
    }


def error_schema() -> dict:
    """api/v1/errors/<id>.json: the record format (as in schema/record.schema.json) plus id, url and path."""
    record = fields.RECORD.json_schema()
    return {
        **_schema_header("error", f"Error Atlas API v{API_VERSION}: one record"),
        "type": "object",
        "properties": {"id": _ID, "url": _URL, "path": _PATH, **record["properties"]},
        "required": ["id", "url", "path", *record["required"]],
        "additionalProperties": False,
    }


def index_schema() -> dict:
    record = fields.RECORD.json_schema()["properties"]
    entry = {
        "type": "object",
        "properties": {
            "id": _ID,
            "title": record["title"],
            "tool": record["tool"],
            "category": record["category"],
            "tags": {**record["tags"], "minItems": 0},
            "updated": record["updated"],
            "url": _URL,
            "path": _PATH,
        },
        "required": list(INDEX_FIELDS),
        "additionalProperties": False,
    }
    return {
        **_schema_header("index", f"Error Atlas API v{API_VERSION}: every record"),
        "type": "object",
        "properties": {
            "format": {"const": INDEX_FORMAT},
            "version": {"const": API_VERSION},
            "count": {"type": "integer", "minimum": 0, "description": "How many records the list holds."},
            "records": {"type": "array", "items": entry, "description": "Every record, sorted by id."},
        },
        "required": ["format", "version", "count", "records"],
        "additionalProperties": False,
    }


def schemas() -> dict[str, dict]:
    return {"index": index_schema(), "error": error_schema()}


def schema_texts() -> dict[Path, str]:
    return {SCHEMA_DIR / SCHEMA_FILES[kind]: json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
            for kind, schema in schemas().items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator.api",
        description="Print, write or check the JSON Schemas of the site's API (schema/api-*.schema.json).")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the schemas into schema/")
    mode.add_argument("--check", action="store_true", help="exit 1 when a schema in schema/ is out of date")
    args = parser.parse_args(argv)
    texts = schema_texts()
    if args.check:
        stale = [str(path) for path, text in texts.items()
                 if not path.exists() or path.read_text(encoding="utf-8") != text]
        if stale:
            print(f"Out of date: {', '.join(stale)}. Run `python -m generator.api --write`.", file=sys.stderr)
            return 1
        print("The API schemas in schema/ are up to date.", file=sys.stderr)
    elif args.write:
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"Wrote {path}.", file=sys.stderr)
    else:
        sys.stdout.write(json.dumps(schemas(), indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
