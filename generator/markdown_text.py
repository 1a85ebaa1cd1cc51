"""Checks and conversions for the Markdown that contributors write in records.

Record text comes from strangers' pull requests, so prose may use Markdown but
never raw HTML, and links may only point to https URLs. Code (inline or
fenced) is exempt: `<` inside backticks is shown as text, never parsed.
"""
from __future__ import annotations

import re

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
_INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_HTML = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*|/[A-Za-z]|!|\?)")
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:[^>\s]*>")
_LINK_TARGET = re.compile(r"\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)")
_REFERENCE_DEF = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:[ \t]*<?([^\s>]+)>?[ \t]*(?:[\"'(].*)?$", re.M)
_ATTR_LIST = re.compile(r"\{\s*[:.#]")
_URL = re.compile(r"https://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?(?:[/?#][^\s<>\"'`\\^{}|]*)?\Z")


def without_code(text: str) -> str:
    """The text with fenced blocks and inline code blanked out (offsets kept)."""
    blank = lambda match: re.sub(r"[^\n]", " ", match.group(0))  # noqa: E731
    return _INLINE_CODE.sub(blank, _FENCE.sub(blank, text))


def offset_position(text: str, offset: int) -> tuple[int, int]:
    """0-based line and column of an offset inside a multi-line value."""
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return line, column


def html_problems(text: str) -> list[tuple[int, str]]:
    """(offset, message) for each piece of raw HTML outside code."""
    prose = without_code(text)
    found = []
    for match in _AUTOLINK.finditer(prose):
        found.append((match.start(), f"angle-bracket link {match.group(0)!r}: write [text](https://...) instead"))
    autolinks = {m.start() for m in _AUTOLINK.finditer(prose)}
    for match in _HTML.finditer(prose):
        if match.start() not in autolinks:
            snippet = prose[match.start():match.start() + 20].split("\n")[0]
            found.append((match.start(), f"raw HTML {snippet!r}: put it in backticks to show it as code"))
    for match in _ATTR_LIST.finditer(prose):
        found.append((match.start(), "attribute lists ({: ...}) are not allowed in record text"))
    return found


def link_problems(text: str) -> list[tuple[int, str]]:
    """(offset, message) for each Markdown link or image whose target is not a valid https URL."""
    prose = without_code(text)
    found = []
    for match in list(_LINK_TARGET.finditer(prose)) + list(_REFERENCE_DEF.finditer(prose)):
        url = match.group(1)
        if not is_https_url(url):
            found.append((match.start(1), f"link target {url!r} must be a full https:// URL"))
    for match in re.finditer(r"!\[", prose):
        found.append((match.start(), "images are not allowed in record text: link to the page instead"))
    return found


def is_https_url(url: str) -> bool:
    return bool(_URL.match(url)) and _balanced_parentheses(url)


def _balanced_parentheses(url: str) -> bool:
    return url.count("(") == url.count(")")


def to_plain(text: str) -> str:
    """A one-line plain-text version of Markdown, for meta descriptions and JSON-LD."""
    text = re.sub(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", r"\2", text, flags=re.M | re.S)
    # Code keeps its characters; only the prose around it loses its Markdown.
    pieces = re.split(r"(`+)(.+?)\1", text, flags=re.S)
    plain = []
    for index in range(0, len(pieces), 3):
        prose = pieces[index]
        prose = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", prose)
        prose = re.sub(r"(?<!\w)(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?!\w)", r"\2", prose)
        prose = re.sub(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])", r"\2", prose)
        prose = re.sub(r"^\s{0,3}(?:#+|[-*+]|\d+\.|>)\s+", "", prose, flags=re.M)
        plain.append(prose)
        if index + 2 < len(pieces):
            plain.append(pieces[index + 2])
    return " ".join("".join(plain).split())


def first_sentence(text: str, limit: int = 300) -> str:
    plain = to_plain(text)
    match = re.match(r"(.+?[.!?])(?:\s|$)", plain)
    sentence = match.group(1) if match else plain
    return shorten(sentence, limit)


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def escape_outside_code(text: str) -> str:
    """Defence in depth for rendering: `<` outside code becomes an entity."""
    prose = without_code(text)
    return "".join(
        "&lt;" if char == "<" and prose[index] == "<" else char
        for index, char in enumerate(text)
    )
