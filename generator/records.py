"""A validated record, as the renderer and the lookup engine see it."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from . import signature


def slugify(text: str) -> str:
    """URL-safe name for a tool or category: "Claude Code" -> "claude-code"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "other"


@dataclass
class Record:
    id: str
    rel_path: str  # e.g. "claude-code/claude-code-mcp-no-oauth-flow-in-progress.yaml"
    title: str
    tool: str
    category: str
    signatures: list[str]
    examples: list[str]
    meaning: str
    causes: list[dict]
    fixes: list[dict]
    sources: list[dict]
    updated: dt.date
    prevention: list[str] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    faq: list[dict] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    status: str | None = None
    affects: dict = field(default_factory=dict)
    fixed_in: str | None = None
    verified: dict | None = None
    tags: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    # Where each signature's wording was seen, in the order of `signatures`: {"source", "seen"} or None.
    # The texts alone stay in `signatures`, so the lookup engine and its index read plain templates.
    signature_sources: list[dict | None] = field(default_factory=list)

    @classmethod
    def from_data(cls, record_id: str, rel_path: str, data: dict) -> "Record":
        values = dict(data)
        values["signatures"], values["signature_sources"] = split_signatures(data["signatures"])
        values["updated"] = as_date(values["updated"])
        if values.get("verified"):
            values["verified"] = dict(values["verified"], date=as_date(values["verified"]["date"]))
        return cls(id=record_id, rel_path=rel_path, **values)

    @cached_property
    def templates(self) -> list[signature.Template]:
        return [signature.parse(text) for text in self.signatures]

    @property
    def tool_slug(self) -> str:
        return slugify(self.tool)

    @property
    def category_slug(self) -> str:
        return slugify(self.category)

    @property
    def page_path(self) -> str:
        """Where the page lives in the site, forever: errors/<id>/ (independent of the folder)."""
        return f"errors/{self.id}.md"


def split_signatures(items: list) -> tuple[list[str], list[dict | None]]:
    """([template texts], [{source, seen} or None]) from the record's `signatures` items."""
    texts, sources = [], []
    for item in items:
        if isinstance(item, dict):
            texts.append(item["text"])
            sources.append({key: item[key] for key in ("source", "seen") if key in item})
        else:
            texts.append(item)
            sources.append(None)
    return texts, sources


def as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
