"""Normalisation shared by the lookup index and the pastes it is matched against.

Pastes differ from signatures in everything that varies between two runs of the
same failure: colours, timestamps, paths, URLs, ids, numbers, quoting, case and
line wrapping. Both sides are reduced to the same word tokens, with each
variable thing replaced by the name of its kind, so that only the words that
identify an error are compared. The browser's matcher (lookup.js) ports these
same rules; tests/vectors keep the two in step.
"""
from __future__ import annotations

import re

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# Order matters: a URL contains a path, a path may contain numbers. re.ASCII keeps \w and \b
# the same as in JavaScript, where lookup.js applies these same expressions.
VARIABLE_KINDS = [
    ("url", re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>()\[\]{}]+", re.ASCII)),
    ("uuid", re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.ASCII)),
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b", re.ASCII)),
    ("path", re.compile(r"(?:\b[a-z]:|~|\.{1,2})?(?:[\\/][\w.@+-]+){2,}[\\/]?", re.ASCII)),
    ("hex", re.compile(r"\b(?:0x[0-9a-f]+|(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,})\b", re.ASCII)),
    # Status and error codes (404, 529, 32000) identify errors; other numbers vary.
    ("num", re.compile(r"\b(?:\d+(?:[.:_-]\d+)+|\d{1,2}|\d{6,})\b", re.ASCII)),
]
WORD = re.compile(r"[a-z0-9]+")

# Error codes name one error whatever the wording around them: ERR_REQUIRE_ESM, ETARGET, EADDRINUSE,
# E404, NU1101, CS0246, NETSDK1045, INSTALL_FAILED_UPDATE_INCOMPATIBLE. Found in the case they are
# printed in; a few capitalised words that look like codes are not.
CODE = re.compile(r"(?<![A-Za-z0-9_])(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|E[A-Z]{4,}|E[0-9]{3}|[A-Z]{1,10}-?[0-9]{4,6})"
                  r"(?![A-Za-z0-9_])")
NOT_CODES = frozenset({"ERROR", "ERRORS", "EXCEPTION", "EXPECTED", "EXITED", "EMPTY", "ENABLED", "EXPIRED",
                       "ENTRY", "EVENT", "EXPORT", "EXTERNAL"})


def clean(text: str) -> str:
    """The paste without colour codes and control characters; line breaks kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub(" ", ANSI.sub("", text))


def tokens(text: str) -> list[str]:
    """Lowercase word tokens, with variable parts replaced by their kind (url, path, num...)."""
    text = text.lower()
    for kind, pattern in VARIABLE_KINDS:
        text = pattern.sub(f" {kind} ", text)
    return WORD.findall(text)


def codes(text: str) -> set[str]:
    """The error codes in a text, lowercased (see CODE)."""
    return {code.lower() for code in CODE.findall(text) if code not in NOT_CODES}
