"""Signature templates: an error message with `{name}` for each part that varies.

`{{` and `}}` stand for literal braces. A template compiles to a regular
expression whose placeholders are bounded (at most MAX_VALUE characters, never
across a line break), so matching stays linear in the input even for adjacent
placeholders and very long pastes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

MAX_VALUE = 200
NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_SPACE = re.compile(r"\s+")


class TemplateError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Placeholder:
    name: str


@dataclass(frozen=True)
class Template:
    text: str
    parts: tuple  # str (literal text) or Placeholder, in order

    @property
    def literal_text(self) -> str:
        """The template with its placeholders dropped: the words every match shares."""
        return " ".join(part for part in self.parts if isinstance(part, str)).strip()

    @property
    def placeholders(self) -> list[str]:
        return [part.name for part in self.parts if isinstance(part, Placeholder)]

    @cached_property
    def regex(self) -> re.Pattern:
        # Compiling is the costly part (about 0.2 ms), so each template compiles once per process:
        # parse() is cached, and the validator and the matcher share its Template objects.
        return compile_parts(self.parts, re.IGNORECASE)

    def search(self, text: str) -> dict | None:
        """The placeholder values where the template occurs in `text`, else None."""
        found = self.regex.search(text)
        return None if found is None else found.groupdict()

    def first_match(self, text: str) -> int | None:
        """Where the leftmost match of `regex` starts in `text`, without compiling it.

        The validator checks every template once, and compiling costs about
        0.2 ms a template (several seconds for a large knowledge base), so it
        walks the template instead. Same semantics as `regex`: whitespace in
        the literal text is one or more whitespace characters, a placeholder
        is 1 to MAX_VALUE characters of one line, a trailing one starts with a
        non-space, and letters match regardless of case. Templates that repeat
        a placeholder (a back-reference) use the compiled expression.
        """
        if self._elements is None or len(text.lower()) != len(text):
            found = self.regex.search(text)
            return None if found is None else found.start()
        lowered = text.lower()
        elements = self._elements
        first = elements[0]
        start = 0
        while start <= len(text):
            if first[0] == "text":
                start = lowered.find(first[1], start)
                if start < 0:
                    return None
            if _match_at(elements, 0, lowered, start):
                return start
            start += 1
        return None

    @cached_property
    def _elements(self) -> tuple | None:
        names = self.placeholders
        if len(names) != len(set(names)):
            return None
        elements = []
        last = len(self.parts) - 1
        for index, part in enumerate(self.parts):
            if isinstance(part, Placeholder):
                elements.append(("tail",) if index == last else ("var",))
                continue
            for number, piece in enumerate(_SPACE.split(part)):
                if number:
                    elements.append(("space",))
                if piece:
                    elements.append(("text", piece.lower()))
        return tuple(elements)

    def fill(self, values: dict) -> str:
        return "".join(
            values.get(part.name, "{" + part.name + "}") if isinstance(part, Placeholder) else part
            for part in self.parts
        )


@lru_cache(maxsize=None)
def parse(text: str) -> Template:
    """Split a template into literal text and placeholders, or raise TemplateError."""
    parts: list = []
    literal = []
    position = 0
    for token in _TOKEN.finditer(text):
        literal.append(text[position:token.start()])
        position = token.end()
        value = token.group(0)
        if value == "{{":
            literal.append("{")
        elif value == "}}":
            literal.append("}")
        elif value in "{}":
            raise TemplateError(
                f"unbalanced '{value}' at character {token.start() + 1}: "
                "write {{ or }} for a literal brace, {name} for a variable part",
                token.start(),
            )
        else:
            name = token.group(1)
            if not NAME.match(name):
                raise TemplateError(
                    f"placeholder {{{name}}} at character {token.start() + 1} must be a lowercase "
                    "name (letters, digits, _), like {server}",
                    token.start(),
                )
            if parts and isinstance(parts[-1], Placeholder) and not "".join(literal):
                raise TemplateError(
                    f"placeholders {{{parts[-1].name}}} and {{{name}}} touch: put the literal "
                    "text between them, or merge them into one",
                    token.start(),
                )
            if "".join(literal):
                parts.append("".join(literal))
            literal = []
            parts.append(Placeholder(name))
    literal.append(text[position:])
    if "".join(literal):
        parts.append("".join(literal))
    if not any(isinstance(part, str) and part.strip() for part in parts):
        raise TemplateError("a template needs some literal text, not only placeholders", 0)
    return Template(text, tuple(parts))


def _match_at(elements: tuple, index: int, text: str, position: int) -> bool:
    """Whether elements[index:] match text at position (the regex's semantics, by backtracking)."""
    if index == len(elements):
        return True
    kind = elements[index][0]
    following = elements[index + 1] if index + 1 < len(elements) else None
    if kind == "text":
        chunk = elements[index][1]
        return text.startswith(chunk, position) and _match_at(elements, index + 1, text, position + len(chunk))
    if kind == "space":
        end = position
        while end < len(text) and text[end].isspace():
            end += 1
        if end == position:
            return False
        if following is not None and following[0] == "text":
            # Literal text never starts with a space, so only the end of the run can be followed by it.
            return _match_at(elements, index + 1, text, end)
        return any(_match_at(elements, index + 1, text, stop) for stop in range(position + 1, end + 1))
    if kind == "tail":
        return position < len(text) and not text[position].isspace()
    limit = min(len(text), position + MAX_VALUE)
    newline = text.find("\n", position, limit)
    if newline >= 0:
        limit = newline
    if following is not None and following[0] == "text":
        end = text.find(following[1], position + 1, limit + len(following[1]))
        while end >= 0:
            if _match_at(elements, index + 1, text, end):
                return True
            end = text.find(following[1], end + 1, limit + len(following[1]))
        return False
    if following is not None and following[0] == "space":
        return any(_match_at(elements, index + 1, text, end)
                   for end in range(position + 1, limit + 1) if end < len(text) and text[end].isspace())
    return any(_match_at(elements, index + 1, text, end) for end in range(position + 1, limit + 1))


def compile_parts(parts: tuple, flags: int) -> re.Pattern:
    pattern = []
    seen = set()
    last = len(parts) - 1
    for index, part in enumerate(parts):
        if isinstance(part, str):
            pieces = _SPACE.split(part)
            pattern.append(r"\s+".join(re.escape(piece) for piece in pieces))
        elif part.name in seen:
            pattern.append(f"(?P={part.name})")
        else:
            seen.add(part.name)
            if index == last:
                # A trailing value runs to the end of its line (bounded), not one character.
                pattern.append(f"(?P<{part.name}>\\S(?:[^\\n]{{0,{MAX_VALUE - 2}}}\\S)?)")
            else:
                pattern.append(f"(?P<{part.name}>[^\\n]{{1,{MAX_VALUE}}}?)")
    return re.compile("".join(pattern), flags)
