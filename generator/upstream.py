"""The upstream snapshot (data/upstream.json): what GitHub said about every cited issue,
pull request and release repository when `kb sources check` last saw a change.

The file is written so that a diff shows only what moved upstream: one entry per
URL, keys sorted, nothing volatile inside entries, and one top-level `date` that
changes only when the content changes. A check that finds nothing new writes the
same bytes.

    {
      "format": 1,
      "date": "2026-12-01",
      "issues": {
        "https://github.com/o/r/issues/12": {"closed_at": "2026-11-30T09:12:00Z", "kind": "issue", ...}
      },
      "repositories": {
        "o/r": {"latest_release": "v2.1.0", "released_at": "2026-11-28T10:00:00Z"}
      }
    }

An issue entry holds kind (issue or pull), title, state (open, closed, merged),
state_reason (completed, not_planned, duplicate, reopened), closed_at, merged_at,
labels, and when they apply: moved_to (GitHub answered from another repository),
unavailable (404 or 410 when last asked) and changed_on (the date of the check
that saw the state change; absent for a state seen on the first check).

Everything in it came from GitHub, so it is untrusted: `clean_text` strips control
characters when it is written, and whoever shows it escapes it again. This module
also turns an entry into the words a page shows ("closed as completed on 2026-11-30").
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .citations import ISSUE_URL, parse_issue_url, source_issue_url

FORMAT = 1
DEFAULT_PATH = Path("data/upstream.json")
TITLE_LIMIT = 300

STATES = ("open", "closed", "merged")
REASONS = ("completed", "not_planned", "duplicate", "reopened")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_TAG = re.compile(r"[^\s]{1,100}\Z")


class SnapshotError(Exception):
    """The snapshot file exists but cannot be used; the message says what to do."""


@dataclass
class Snapshot:
    date: str | None = None  # YYYY-MM-DD of the check that last changed the content
    issues: dict[str, dict] = field(default_factory=dict)
    repositories: dict[str, dict] = field(default_factory=dict)

    def content(self) -> tuple:
        return (self.issues, self.repositories)


def clean_text(value, limit: int = TITLE_LIMIT) -> str:
    """Text from GitHub made safe to store and print: no control or format characters
    (terminal escapes, bidirectional overrides), whitespace collapsed, length capped."""
    text = "".join(" " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char
                   for char in str(value))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timestamp(value) -> str | None:
    """A GitHub timestamp (2026-11-30T09:12:00Z) if the value is one, else None."""
    return value if isinstance(value, str) and _TIMESTAMP.match(value) else None


def is_date(value) -> bool:
    return isinstance(value, str) and bool(_DATE.match(value))


# Loading and saving

def load(path: Path) -> Snapshot | None:
    """The snapshot at path, or None when there is none (a site built without one shows nothing extra)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as err:
        raise SnapshotError(f"cannot read {path}: {err.strerror}") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SnapshotError(f"{path} is not valid JSON (line {err.lineno}): restore it with "
                            f"`git checkout -- {path}` or run `kb sources check` again") from err
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SnapshotError(f"{path} is not an upstream snapshot of format {FORMAT}")
    issues, repositories = data.get("issues", {}), data.get("repositories", {})
    if not isinstance(issues, dict) or not isinstance(repositories, dict) or not (
            data.get("date") is None or is_date(data.get("date"))):
        raise SnapshotError(f"{path}: 'issues' and 'repositories' must be objects and 'date' YYYY-MM-DD")
    return Snapshot(
        date=data.get("date"),
        issues={url: entry for url, entry in issues.items() if isinstance(entry, dict)},
        repositories={name: entry for name, entry in repositories.items() if isinstance(entry, dict)},
    )


def dumps(snapshot: Snapshot) -> str:
    """JSON with one line per entry, sorted by URL: a diff line is one URL whose answer changed."""
    def section(entries: dict) -> str:
        if not entries:
            return "{}"
        lines = [f"    {json.dumps(key, ensure_ascii=False)}: "
                 f"{json.dumps(entries[key], sort_keys=True, ensure_ascii=False)}" for key in sorted(entries)]
        return "{\n" + ",\n".join(lines) + "\n  }"

    return (f'{{\n  "format": {FORMAT},\n  "date": {json.dumps(snapshot.date)},\n'
            f'  "issues": {section(snapshot.issues)},\n  "repositories": {section(snapshot.repositories)}\n}}\n')


def save(snapshot: Snapshot, path: Path) -> None:
    """Write atomically: a crash half-way leaves the previous snapshot, never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(dumps(snapshot))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# Entries

def state_key(entry: dict) -> tuple:
    """What counts as a change of state: a closed issue reopened, a move, a 404."""
    return (entry.get("state"), entry.get("state_reason"), entry.get("moved_to"), entry.get("unavailable"))


def event_date(entry: dict) -> str | None:
    """The date of the entry's latest known change of state (YYYY-MM-DD), if any."""
    dates = [value[:10] for value in (entry.get("closed_at"), entry.get("merged_at")) if timestamp(value)]
    if is_date(entry.get("changed_on")):
        dates.append(entry["changed_on"])
    if entry.get("state") == "open" and not is_date(entry.get("changed_on")):
        return None  # reopened at an unknown date: closed_at belongs to the earlier closing
    return max(dates) if dates else None


def moved_to(entry: dict) -> str | None:
    """The entry's new location, only if it is a well-formed GitHub issue or pull request URL."""
    url = entry.get("moved_to")
    return url if isinstance(url, str) and ISSUE_URL.fullmatch(url) else None


_REASON_WORDS = {
    "completed": "closed as completed",
    "not_planned": "closed as not planned",
    "duplicate": "closed as a duplicate",
}


def describe(entry: dict) -> str:
    """The entry's state in words: "open", "closed as completed on 2026-11-30", "merged on 2026-11-02".
    Built only from known values, so it never carries text from GitHub."""
    unavailable = entry.get("unavailable")
    if unavailable == 410:
        return "deleted (410 when last checked)"
    if unavailable:
        return "not found (404 when last checked)"
    state = entry.get("state")
    if state == "open":
        return "open (reopened)" if entry.get("state_reason") == "reopened" else "open"
    if state == "merged":
        when = timestamp(entry.get("merged_at"))
        return f"merged on {when[:10]}" if when else "merged"
    if state == "closed":
        if entry.get("kind") == "pull":
            words = "closed without merging"
        else:
            words = _REASON_WORDS.get(entry.get("state_reason"), "closed")
        when = timestamp(entry.get("closed_at"))
        return f"{words} on {when[:10]}" if when else words
    return "unknown"


def bucket(entry: dict) -> str:
    """A short word for counting: open, closed, merged, not found, moved."""
    if entry.get("unavailable"):
        return "not found"
    return entry.get("state") if entry.get("state") in STATES else "unknown"


# What a record page shows

def _markdown_link(url: str) -> str:
    ref = parse_issue_url(url)
    return f"[{ref.short}]({ref.url})"


def source_notes(sources: list[dict], snapshot: Snapshot | None) -> list[str]:
    """For each source, Markdown to put after its link (" (upstream: open)"), or ""."""
    notes = []
    for source in sources:
        url = source_issue_url(source)
        entry = snapshot.issues.get(url) if snapshot and url else None
        if not entry:
            notes.append("")
            continue
        target = moved_to(entry)
        moved = f"moved to {_markdown_link(target)}, " if target else ""
        notes.append(f" (upstream: {moved}{describe(entry)})")
    return notes


def facts_row(sources: list[dict], snapshot: Snapshot | None) -> str:
    """The facts table's "Upstream" cell: counts of the cited issues' states and the snapshot date,
    or "" when the snapshot knows none of them."""
    if not snapshot:
        return ""
    counts: dict[str, int] = {}
    for source in sources:
        url = source_issue_url(source)
        entry = snapshot.issues.get(url) if url else None
        if entry:
            word = bucket(entry)
            counts[word] = counts.get(word, 0) + 1
            if moved_to(entry):
                counts["moved"] = counts.get("moved", 0) + 1
    if not counts:
        return ""
    order = ("open", "closed", "merged", "moved", "not found", "unknown")
    parts = [f"{counts[word]} {word}" for word in order if counts.get(word)]
    when = f" (GitHub, as of the snapshot of {snapshot.date})" if is_date(snapshot.date) else " (GitHub)"
    return ", ".join(parts) + when


def today_utc() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()
