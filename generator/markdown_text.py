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


_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank(match: re.Match) -> str:
    return _NOT_NEWLINE.sub(" ", match.group(0))


def without_code(text: str) -> str:
    """The text with fenced blocks and inline code blanked out (offsets kept)."""
    if "`" not in text and "~~~" not in text:
        return text
    return _INLINE_CODE.sub(_blank, _FENCE.sub(_blank, text))


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


_PLAIN_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.M | re.S)
_PLAIN_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_PLAIN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_PLAIN_STRONG = re.compile(r"(?<!\w)(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_PLAIN_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_PLAIN_BLOCK_MARK = re.compile(r"^\s{0,3}(?:#+|[-*+]|\d+\.|>)\s+", re.M)


def to_plain(text: str) -> str:
    """A one-line plain-text version of Markdown, for meta descriptions and JSON-LD."""
    text = _PLAIN_FENCE.sub(r"\2", text)
    # Code keeps its characters; only the prose around it loses its Markdown.
    pieces = _PLAIN_CODE.split(text)
    plain = []
    for index in range(0, len(pieces), 3):
        prose = _PLAIN_LINK.sub(r"\1", pieces[index])
        prose = _PLAIN_STRONG.sub(r"\2", prose)
        prose = _PLAIN_EMPHASIS.sub(r"\2", prose)
        plain.append(_PLAIN_BLOCK_MARK.sub("", prose))
        if index + 2 < len(pieces):
            plain.append(pieces[index + 2])
    return " ".join("".join(plain).split())


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def escape_outside_code(text: str) -> str:
    """Defence in depth for rendering: `<` outside code becomes an entity."""
    if "<" not in text:
        return text
    prose = without_code(text)  # same length as text, code blanked out
    pieces, start = [], 0
    for found in re.finditer("<", prose):
        pieces.append(text[start:found.start()])
        pieces.append("&lt;")
        start = found.end()
    pieces.append(text[start:])
    return "".join(pieces)


def code_block(text: str, language: str = "text", css_class: str = "") -> str:
    """A fenced block that no backticks inside the text can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    info = f"{{.{language} .{css_class}}}" if css_class else language
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"
