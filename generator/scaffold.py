"""`kb new`: turn a pasted error into a record skeleton that a contributor completes.

The paste's error line becomes the proposed signature: the parts that vary
between occurrences (URLs, paths, hosts and ports, quoted names, versions,
hex ids, UUIDs, numbers) become named placeholders, the rest stays verbatim.
Every field the contributor must write holds a TODO marker, which `kb
validate` refuses, so a skeleton cannot be merged unfinished.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import yaml

from . import signature
from .records import slugify

TODO = "TODO"
_ERROR_WORDS = re.compile(
    r"(?i)\b(?:error|err!|fatal|exception|failed|failure|cannot|can't|could not|couldn't|unable|denied|refused|"
    r"not found|invalid|missing|timed? ?out|panic|traceback|abort|no such|rejected|unauthori[sz]ed|forbidden)")
_LOG_PREFIX = re.compile(
    r"^\s*(?:\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?(?: UTC)?\]?\s*"
    r"|\[?\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\]?\s*)?"
    r"(?:\[(?:error|err|warn|warning|info|debug|trace|fatal|critical)\]:?\s*"
    r"|(?:ERROR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL|CRITICAL):?\s+)?")
# (placeholder name, pattern). The first pattern that matches at a position wins.
_VARIABLES = [
    ("secret", re.compile(r"\[REDACTED[^\]\n]*\]")),  # what redact() left: real pastes hold real values here
    # A URL is one value whatever it holds: a [REDACTED] password, an IPv6 host in brackets.
    ("url", re.compile(r"\b[a-z][a-z0-9+.-]*://(?:[^\s'\"<>()\[\]{}]|\[(?:REDACTED[^\]\n]*|[^\s\[\]'\"<>]*)\])*"
                       r"(?:[^\s'\"<>()\[\]{}.,;:]|\[(?:REDACTED[^\]\n]*|[^\s\[\]'\"<>]*)\])", re.I)),
    ("uuid", re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)),
    ("path", re.compile(r"(?:\b[A-Za-z]:|~|\.{1,2})?(?:[\\/][\w.@+-]+){2,}[\\/]?")),
    ("host", re.compile(r"\b(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|[a-z0-9-]+(?:\.[a-z0-9-]+)+\.[a-z]{2,})(?=:\d)",
                        re.I)),
    # A domain name: known top-level domains only, so file names like package.json stay literal.
    ("host", re.compile(r"\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|ai|app|co|cloud|sh|me|us|uk|de|fr|jp|cn|edu|"
                        r"gov|info|xyz|tech|site|run|so|gg|tv|ly|to|in)\b(?!\.\w)", re.I)),
    # Quotes open and close at word edges: the apostrophe in "couldn't" opens nothing.
    ("name", re.compile(r"(?<!\w)(?:'[^'\n]{1,120}'|\"[^\"\n]{1,120}\"|`[^`\n]{1,120}`)(?!\w)")),
    ("version", re.compile(r"\bv?\d+\.\d+(?:\.\d+)*(?:[-+][\w.]+)?\b")),
    ("id", re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b", re.I)),
    # Generated identifiers such as ofid_2850c3d4f199a9c0 or req_8f3a... (letters and digits, long).
    ("id", re.compile(r"\b(?=\w*\d)(?=\w*[a-z])\w{12,}\b", re.I)),
    ("port", re.compile(r"(?<=:)\d{2,5}\b")),
    ("number", re.compile(r"\b\d+\b")),
]
_STOP = {"the", "a", "an", "to", "of", "in", "for", "is", "at", "on", "and", "or", "with", "by", "from", "be"}


def error_line(paste: str) -> str:
    """The line of a paste most likely to be the error, without its timestamp and log level."""
    lines = [_LOG_PREFIX.sub("", line).strip() for line in paste.splitlines()]
    lines = [line for line in lines if line]
    for line in lines:
        if _ERROR_WORDS.search(line):
            return line
    return lines[0] if lines else ""


def propose_template(line: str) -> str:
    """The line as a signature template: variable parts become {placeholders}."""
    pieces = []  # literal text, or (name, value)
    position = 0
    values: dict[str, str] = {}  # value -> placeholder name, so a repeated value repeats its name
    counts: dict[str, int] = {}
    while position < len(line):
        found = None
        for name, pattern in _VARIABLES:
            match = pattern.match(line, position)
            if match and len(match.group(0)) <= signature.MAX_VALUE:
                found = (name, match)
                break
        if found is None:
            pieces.append(line[position])
            position += 1
            continue
        name, match = found
        value = match.group(0)
        if name == "name":  # keep the quotes literal, and name the value by what it holds: '{path}'
            quote, inner = value[0], value[1:-1]
            kind = next((kind for kind, pattern in _VARIABLES if kind != "name" and pattern.fullmatch(inner)), name)
            pieces.extend([quote, _placeholder(inner, kind, values, counts), quote])
        else:
            pieces.append(_placeholder(value, name, values, counts))
        position = match.end()
    parts = []
    for piece in pieces:
        if isinstance(piece, tuple):
            # Two placeholders may not touch: merge a placeholder into the one before it.
            if parts and isinstance(parts[-1], tuple):
                continue
            parts.append(piece)
        else:
            parts.append(piece.replace("{", "{{").replace("}", "}}"))
    return "".join(part if isinstance(part, str) else "{" + part[0] + "}" for part in parts)


def _placeholder(value: str, kind: str, values: dict, counts: dict) -> tuple:
    if value not in values:
        counts[kind] = counts.get(kind, 0) + 1
        values[value] = kind if counts[kind] == 1 else f"{kind}_{counts[kind]}"
    return (values[value],)


def propose_id(tool: str, template: str, taken: set[str], limit: int = 60) -> str:
    literal = signature.parse(template).literal_text if template else ""
    words = [w for w in re.findall(r"[a-z0-9]+", literal.lower().replace("'", "")) if w not in _STOP][:6]
    base = slugify(tool) if tool else ""
    for word in words:  # whole words only, up to the limit
        if len(base) + len(word) + 1 > limit:
            break
        base = f"{base}-{word}" if base else word
    base = base or "new-error"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


def example_block(paste: str) -> str:
    """The paste as a YAML block scalar under `examples:`, or quoted when a block cannot hold it."""
    block = "  - |-\n" + "\n".join(("    " + line) if line else "" for line in paste.split("\n"))
    try:
        if yaml.safe_load("examples:\n" + block)["examples"][0] == paste:
            return block
    except yaml.YAMLError:
        pass
    return "  - " + quoted(paste)


def skeleton(paste: str, template: str, tool: str, category: str, today: dt.date) -> str:
    title = TODO
    if template:
        parsed = signature.parse(template)
        title = " ".join(parsed.fill({name: "…" for name in parsed.placeholders}).split())
        title = re.sub(r"[<>]", "", title)
        if len(title) > 90:
            title = title[:89].rsplit(" ", 1)[0] + " …"
    lines = [
        "# yaml-language-server: $schema=../../schema/record.schema.json",
        f"# Written by `kb new` on {today.isoformat()}. Replace every TODO (kb validate refuses them),",
        "# check the signature against the real output, and cite a source for every statement.",
        f"title: {quoted(title)}",
        f"tool: {quoted(tool or 'TODO: the tool that prints this error')}",
        f"category: {quoted(category or 'TODO: the category, e.g. AI Coding Tools')}",
        "signatures:",
        f"  - text: {quoted(template)}",
        "    source: https://github.com/TODO",
        "examples:",
        example_block(paste),
        "meaning: |",
        "  TODO: what the error means, in your own words, from the sources below.",
        "causes:",
        "  - title: \"TODO: the most common cause\"",
        "    detail: |",
        "      TODO: how it happens, and who says so: reported by users, or confirmed by a maintainer,",
        "      with a link to the thread.",
        "fixes:",
        "  - title: \"TODO: the fix\"",
        "    steps:",
        "      - \"TODO: the first step, with the exact command in backticks.\"",
        "faq:",
        "  - q: \"TODO: a question users asked in a thread you cite\"",
        "    a: \"TODO: the answer from the sources, with the link\"",
        "  - q: \"TODO: a second question from the threads\"",
        "    a: \"TODO: its answer, with the link\"",
        "sources:",
        "  - url: https://github.com/TODO",
        "    title: \"TODO: the source's own title\"",
        "    note: \"TODO: what this source supports\"",
        "status: \"TODO: open, fixed, workaround or wontfix\"",
        "verified:",
        f"  date: {today.isoformat()}",
        "  version: \"TODO: the newest version of the tool you checked the record against\"",
        f"updated: {today.isoformat()}",
    ]
    return "\n".join(lines) + "\n"
