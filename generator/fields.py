"""The record format, declared once.

The validator walks these declarations, and `kb schema` turns the same
declarations into the JSON Schema that editors use, so the two cannot drift.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Callable

from . import markdown_text, signature

ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

# report(path, code, message, at_key=False)
Report = Callable[..., None]


def _type_name(value) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"a yes/no value ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, dt.date):
        return f"a date ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"


TODO_MARK = "TODO"


def _check_todo(value: str, path, report) -> None:
    offset = value.find(TODO_MARK)
    if offset >= 0:
        report(path, "EA022", "replace the TODO marker with the real text (from a source you cite)",
               offset=(value, offset))


class Kind:
    description = ""

    def check(self, value, path: tuple, report: Report) -> None:
        raise NotImplementedError

    def json_schema(self) -> dict:
        raise NotImplementedError


class Text(Kind):
    """Plain text or Markdown. Never raw HTML, and Markdown links must be https."""

    def __init__(self, markdown: bool = False):
        self.markdown = markdown

    def check(self, value, path, report):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            report(path, "EA011", f"expected text, got {_type_name(value)}: put it in quotes, like \"{value}\"")
            return
        if not isinstance(value, str):
            report(path, "EA011", f"expected text, got {_type_name(value)}")
            return
        if not value.strip():
            report(path, "EA010", "must not be empty")
            return
        _check_todo(value, path, report)
        if not self.markdown:
            # Names and titles end up in <title> and attributes: no angle brackets at all.
            for offset, char in enumerate(value):
                if char in "<>":
                    report(path, "EA018", f"'{char}' is not allowed in a title or name: describe it in words",
                           offset=(value, offset))
            return
        for offset, message in markdown_text.html_problems(value):
            report(path, "EA018", message, offset=(value, offset))
        for offset, message in markdown_text.link_problems(value):
            report(path, "EA019", message, offset=(value, offset))

    def json_schema(self):
        if self.markdown:
            return {"type": "string", "minLength": 1, "pattern": r"\S"}
        return {"type": "string", "minLength": 1, "pattern": r"^[^<>]*\S[^<>]*$"}


class Label(Text):
    """Short text shown inside a page (a heading, a link's text). The renderer escapes `<`,
    so it may quote messages like "A -> B"; links inside must still be https."""

    def check(self, value, path, report):
        if not isinstance(value, str):
            hint = ": put it in quotes" if isinstance(value, (int, float, bool, dt.date)) else ""
            report(path, "EA011", f"expected text, got {_type_name(value)}{hint}")
        elif not value.strip():
            report(path, "EA010", "must not be empty")
        else:
            _check_todo(value, path, report)
            for offset, message in markdown_text.link_problems(value):
                report(path, "EA019", message, offset=(value, offset))

    def json_schema(self):
        return {"type": "string", "minLength": 1, "pattern": r"\S"}


class Verbatim(Text):
    """An error message as the tool prints it: shown in a code block, so any character is fine."""

    def check(self, value, path, report):
        if not isinstance(value, str):
            hint = ": put it in quotes" if isinstance(value, (int, float, bool, dt.date)) else ""
            report(path, "EA011", f"expected text, got {_type_name(value)}{hint}")
        elif not value.strip():
            report(path, "EA010", "must not be empty")

    def json_schema(self):
        return {"type": "string", "minLength": 1, "pattern": r"\S"}


class SignatureText(Verbatim):
    def check(self, value, path, report):
        super().check(value, path, report)
        if isinstance(value, str) and value.strip():
            try:
                signature.parse(value)
            except signature.TemplateError as err:
                report(path, "EA015", str(err))

    def json_schema(self):
        return {
            "type": "string",
            "pattern": r"^([^{}]|\{\{|\}\}|\{[a-z_][a-z0-9_]*\})*$",
            "minLength": 1,
        }


def signature_text(item) -> str | None:
    """The template of a signature item, written either as a plain string or as a mapping with `text`."""
    if isinstance(item, dict):
        item = item.get("text")
    return item if isinstance(item, str) else None


class Signature(Kind):
    """A signature: a plain template, or a mapping that also names where this wording was seen."""

    def __init__(self, text: Kind, mapping: "Obj"):
        self.text, self.mapping = text, mapping

    def check(self, value, path, report):
        if isinstance(value, dict):
            self.mapping.check(value, path, report)
        else:
            self.text.check(value, path, report)

    def json_schema(self):
        return {"anyOf": [self.text.json_schema(), self.mapping.json_schema()]}


class Date(Kind):
    def check(self, value, path, report):
        if isinstance(value, dt.datetime):
            report(path, "EA013", "expected a date like 2026-11-22, without a time")
            return
        if isinstance(value, str):
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    raise ValueError
                value = dt.date.fromisoformat(value)
            except ValueError:
                report(path, "EA013", f"'{value}' is not a date: write YYYY-MM-DD, like 2026-11-22")
                return
        if not isinstance(value, dt.date):
            report(path, "EA013", f"expected a date like 2026-11-22, got {_type_name(value)}")
        elif value > dt.date.today():
            report(path, "EA013", f"{value.isoformat()} is in the future: use the date of the change")

    def json_schema(self):
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"}


class Url(Kind):
    def check(self, value, path, report):
        if not isinstance(value, str):
            report(path, "EA011", f"expected a URL, got {_type_name(value)}")
        elif TODO_MARK in value:
            report(path, "EA022", "replace the TODO in this URL with the real source")
        elif not value.startswith("https://"):
            report(path, "EA012", f"'{value}' is not an https:// URL: only https links are allowed")
        elif not markdown_text.is_https_url(value):
            report(path, "EA012", f"'{value}' is not a valid URL (no spaces, quotes or unbalanced parentheses; "
                                  "percent-encode them)")

    def json_schema(self):
        return {"type": "string", "pattern": r"^https://[A-Za-z0-9]", "format": "uri"}


class Choice(Kind):
    def __init__(self, *choices: str):
        self.choices = choices

    def check(self, value, path, report):
        if isinstance(value, str) and TODO_MARK in value:
            report(path, "EA022", f"replace the TODO with one of {', '.join(self.choices)}")
        elif value not in self.choices:
            shown = _type_name(value) if not isinstance(value, str) else f"'{value}'"
            report(path, "EA014", f"{shown} is not allowed here: use one of {', '.join(self.choices)}")

    def json_schema(self):
        return {"enum": list(self.choices)}


class RecordId(Kind):
    def check(self, value, path, report):
        if not isinstance(value, str) or not ID.match(value):
            report(path, "EA006", f"{value!r} is not a record id (lowercase letters, digits and hyphens)")

    def json_schema(self):
        return {"type": "string", "pattern": ID_PATTERN}


class ListOf(Kind):
    """A list of items of one kind; `unique_key` says what must not repeat (the text of a string item).
    `too_few` = (code, message) reports a list shorter than min_items under a rule of its own."""

    def __init__(self, item: Kind, min_items: int = 1, unique: bool = False,
                 unique_key: Callable = lambda item: item if isinstance(item, str) else None,
                 too_few: tuple[str, str] | None = None):
        self.item, self.min_items, self.unique, self.unique_key = item, min_items, unique, unique_key
        self.too_few = too_few

    def check(self, value, path, report):
        if not isinstance(value, list):
            hint = ": start each item on its own line with '- '" if isinstance(value, str) else ""
            report(path, "EA011", f"expected a list, got {_type_name(value)}{hint}")
            return
        if len(value) < self.min_items:
            if self.too_few:
                report(path, self.too_few[0], self.too_few[1], at_key=True)
            else:
                report(path, "EA010", f"needs at least {self.min_items} item{'s' if self.min_items > 1 else ''}")
        seen = set()
        for index, item in enumerate(value):
            self.item.check(item, path + (index,), report)
            key = self.unique_key(item) if self.unique else None
            if isinstance(key, str):
                if key in seen:
                    report(path + (index,), "EA014", f"'{key}' is listed twice")
                seen.add(key)

    def json_schema(self):
        schema = {"type": "array", "items": self.item.json_schema(), "minItems": self.min_items}
        if self.unique:
            schema["uniqueItems"] = True
        return schema


@dataclass
class Field:
    kind: Kind
    required: bool = False
    description: str = ""


class Obj(Kind):
    def __init__(self, fields: dict[str, Field]):
        self.fields = fields

    def check(self, value, path, report):
        if not isinstance(value, dict):
            names = ", ".join(self.fields)
            report(path, "EA011", f"expected a mapping with the fields {names}, got {_type_name(value)}")
            return
        for key, item in value.items():
            spec = self.fields.get(key)
            if spec is None:
                close = difflib.get_close_matches(key, self.fields, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                report(path + (key,), "EA008",
                       f"unknown field '{key}'{hint}; allowed here: {', '.join(self.fields)}", at_key=True)
                continue
            if item is None or item == "" or item == []:
                report(path + (key,), "EA010", f"'{key}' is empty: {spec.description}")
                continue
            spec.kind.check(item, path + (key,), report)
        for key, spec in self.fields.items():
            if spec.required and key not in value:
                where = ".".join(str(p) for p in path)
                inside = f" in {where}" if where else ""
                report(path, "EA009", f"missing required field '{key}'{inside}: {spec.description}")

    def json_schema(self):
        return {
            "type": "object",
            "properties": {
                key: dict(spec.kind.json_schema(), description=spec.description)
                for key, spec in self.fields.items()
            },
            "required": [key for key, spec in self.fields.items() if spec.required],
            "additionalProperties": False,
        }


STATUSES = ("open", "fixed", "workaround", "wontfix")

RECORD = Obj({
    "title": Field(Text(), True, "Short plain-text name of the error, shown as the page title."),
    "tool": Field(Text(), True, "The tool that prints the error, e.g. \"Claude Code\"."),
    "category": Field(Text(), True, "The group of tools, e.g. \"AI Coding Tools\"."),
    "signatures": Field(ListOf(Signature(SignatureText(), Obj({
        "text": Field(SignatureText(), True,
                      "The message as the tool prints it, {name} for each variable part; {{ and }} for braces."),
        "source": Field(Url(), True, "https URL of the thread or release where this wording appears."),
        "seen": Field(Label(), False, "Where or when this wording is printed, e.g. \"2.1.128 and later\" or \"Cursor\"."),
    })), unique=True, unique_key=signature_text), True,
                        "The message as the tool prints it, {name} for each variable part; {{ and }} for braces. "
                        "Either the template alone, or {text, source, seen} to name where the wording appears."),
    "examples": Field(ListOf(Verbatim()), True,
                      "Real messages as users saw them; each must match one of the signatures."),
    "meaning": Field(Text(markdown=True), True, "Markdown: what the error means."),
    "causes": Field(ListOf(Obj({
        "title": Field(Label(), True, "The cause in a few words."),
        "detail": Field(Text(markdown=True), True, "Markdown: how it happens, and who confirmed it."),
    })), True, "Why it happens, most common first."),
    "fixes": Field(ListOf(Obj({
        "title": Field(Label(), True, "The fix in a few words."),
        "steps": Field(ListOf(Text(markdown=True)), True, "Markdown steps, in order; commands in backticks."),
    })), True, "How to fix it, each with numbered steps."),
    "sources": Field(ListOf(Obj({
        "url": Field(Url(), True, "https URL of the issue, changelog or page."),
        "title": Field(Label(), True, "The source's own title."),
        "note": Field(Text(markdown=True), False, "What this source supports."),
    })), True, "Where every statement in the record comes from."),
    "updated": Field(Date(), True, "Date of the last change to this record, YYYY-MM-DD."),
    "prevention": Field(ListOf(Text(markdown=True)), False, "Markdown: how to avoid the error."),
    "checks": Field(ListOf(Obj({
        "platform": Field(Label(), True, "Where the check applies, e.g. macOS."),
        "check": Field(Text(markdown=True), True, "Markdown: what to look at."),
    })), False, "Platform-specific things to check."),
    "faq": Field(ListOf(Obj({
        "q": Field(Label(), True, "A question users asked in a thread the record cites."),
        "a": Field(Text(markdown=True), True, "Markdown: the answer, from the sources, with the source linked."),
    }), min_items=2, too_few=("EA025", "a record needs at least two FAQ entries of its own: questions users asked "
                                       "in the threads it cites, answered from the sources with a link")), True,
        "At least two questions users asked in the cited threads, answered from the sources."),
    "related": Field(ListOf(RecordId(), unique=True), False, "Ids of related records (they must exist)."),
    "status": Field(Choice(*STATUSES), True, "Upstream status, from the thread or changelog that shows it: "
                    + " | ".join(STATUSES) + "."),
    "affects": Field(Obj({
        "versions": Field(Label(), False, "Affected versions, as text."),
        "platforms": Field(ListOf(Label(), unique=True), False, "Affected platforms."),
    }), False, "Affected versions and platforms."),
    "fixed_in": Field(Label(), False, "The version whose changelog says it is fixed."),
    "verified": Field(Obj({
        "date": Field(Date(), True, "When the record's claims were last checked against the sources."),
        "version": Field(Label(), True, "The newest version of the tool the claims were checked against."),
    }), True, "When, and against which version of the tool, the record's claims were last checked."),
    "tags": Field(ListOf(Label(), unique=True), False, "Lowercase keywords."),
    "aliases": Field(ListOf(RecordId(), unique=True), False,
                     "Former ids of this record (after a rename or merge): their URLs redirect here."),
})


def json_schema() -> dict:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://error-atlas.github.io/error-atlas/schema/record.schema.json",
        "title": "Error Atlas record",
        "description": "One error of one tool. Documented in CONTRIBUTING.md; checked by `kb validate`.",
    }
    schema.update(RECORD.json_schema())
    return schema
