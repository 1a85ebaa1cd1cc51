"""Remove secrets from a pasted error before anything is written or shared.

Pasted logs carry tokens, keys, passwords in URLs and e-mail addresses. Each
is replaced by a marker naming what was removed, so a reviewer can see that
something was there.
"""
from __future__ import annotations

import re

# (what, pattern, replacement). Order matters: specific token formats before generic rules.
_RULES = [
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
     "[REDACTED private key]"),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), "[REDACTED token]"),
    ("API key", re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}"), "[REDACTED key]"),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), "[REDACTED token]"),
    ("AWS key", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), "[REDACTED key]"),
    ("Google key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), "[REDACTED key]"),
    ("JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), "[REDACTED token]"),
    ("bearer token", re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{12,}"), r"\1 [REDACTED]"),
    ("password in URL", re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]+):[^\s@/]+@"), r"\1:[REDACTED]@"),
    ("secret value", re.compile(
        r"(?i)\b((?:api[_-]?key|access[_-]?token|auth[_-]?token|token|secret|client[_-]?secret|password|passwd|pwd)"
        r"[\"']?\s*[:=]\s*[\"']?)(?!\[REDACTED)[^\s\"',;&]{6,}"), r"\1[REDACTED]"),
    ("e-mail address", re.compile(r"\b(?!git@)[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
     "[REDACTED e-mail]"),
]


def redact(text: str) -> tuple[str, list[str]]:
    """The text with secrets replaced, and what kinds of secret were found (for the notice)."""
    found = []
    for what, pattern, replacement in _RULES:
        text, count = pattern.subn(replacement, text)
        if count:
            found.append(f"{count} {what}{'s' if count > 1 else ''}")
    return text, found
