"""The GitHub issues, pull requests and releases that a record cites.

`kb sources check` asks GitHub about them, a record page shows their state and
`kb report` compares that state with what the record says. A record cites an
issue or pull request through a `sources[].url`, or through a link inside its
Markdown text (a cause that points at the thread which confirmed it). It cites
a repository's releases through a source that links to a release, the releases
page or a changelog file.

Only github.com URLs count: other trackers have no API here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import fields
from .records import Record

# GitHub user and organisation names: letters, digits and single hyphens, at most 39 characters.
# Repository names: letters, digits, '.', '-' and '_'.
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
_REPO = r"[A-Za-z0-9._-]{1,100}"
ISSUE_URL = re.compile(rf"https://github\.com/({_OWNER})/({_REPO})/(issues|pull)/([1-9][0-9]{{0,8}})\b")
RELEASES_URL = re.compile(rf"https://github\.com/({_OWNER})/({_REPO})/(?:releases|tags)(?:[/?#]|$)")
BLOB_URL = re.compile(rf"https://github\.com/({_OWNER})/({_REPO})/blob/[^/\s]+/(\S+)")
CHANGELOG_NAME = re.compile(r"(?i)^(changelog|changes|history|news|release[-_]?notes)(\.[a-z]+)?$")


@dataclass(frozen=True, order=True)
class IssueRef:
    """One cited issue or pull request, as cited (GitHub redirects /issues/N to /pull/N and back)."""
    owner: str
    repo: str
    number: int
    cited_kind: str  # "issues" or "pull", the path segment of the cited URL

    @property
    def url(self) -> str:
        return f"https://github.com/{self.owner}/{self.repo}/{self.cited_kind}/{self.number}"

    @property
    def short(self) -> str:
        return f"{self.owner}/{self.repo}#{self.number}"


def parse_issue_url(url: str) -> IssueRef | None:
    """The issue or pull request a URL points at (its comment anchors and tabs dropped), else None."""
    match = ISSUE_URL.match(url)
    if not match:
        return None
    owner, repo, kind, number = match.groups()
    if repo.endswith(".git") or repo in (".", ".."):
        return None
    return IssueRef(owner, repo, int(number), kind)


def same_issue(a: str, b: str) -> bool:
    """Whether two URLs name the same issue: GitHub names are case-insensitive, and an issue URL
    of a pull request (or the reverse) is the same thread."""
    first, second = parse_issue_url(a), parse_issue_url(b)
    return bool(first and second) and (
        (first.owner.lower(), first.repo.lower(), first.number)
        == (second.owner.lower(), second.repo.lower(), second.number))


def release_repository(url: str) -> str | None:
    """'owner/repo' when the URL is a release, the releases or tags page, or a changelog file."""
    match = RELEASES_URL.match(url)
    if match:
        return f"{match.group(1)}/{match.group(2)}"
    match = BLOB_URL.match(url)
    if match:
        name = match.group(3).split("?")[0].split("#")[0].rsplit("/", 1)[-1]
        if CHANGELOG_NAME.match(name):
            return f"{match.group(1)}/{match.group(2)}"
    return None


def _markdown_texts(value, kind: fields.Kind):
    """Every Markdown string inside a record value, found by walking the format's declaration."""
    if value is None:
        return
    if isinstance(kind, fields.Obj) and isinstance(value, dict):
        for key, spec in kind.fields.items():
            yield from _markdown_texts(value.get(key), spec.kind)
    elif isinstance(kind, fields.ListOf) and isinstance(value, list):
        for item in value:
            yield from _markdown_texts(item, kind.item)
    elif type(kind) is fields.Text and kind.markdown and isinstance(value, str):
        yield value


def cited_urls(record: Record) -> list[str]:
    """The URLs of every issue and pull request the record cites: its sources first, then the
    links in its text, each once, in the order they appear."""
    found: dict[str, None] = {}
    for source in record.sources:
        ref = parse_issue_url(source["url"])
        if ref:
            found.setdefault(ref.url)
    texts = _markdown_texts({key: getattr(record, key, None) for key in fields.RECORD.fields}, fields.RECORD)
    for text in texts:
        for match in ISSUE_URL.finditer(text):
            ref = parse_issue_url(match.group(0))
            if ref:
                found.setdefault(ref.url)
    return list(found)


def source_issue_url(source: dict) -> str | None:
    """The snapshot key of a source that is an issue or pull request."""
    ref = parse_issue_url(source.get("url", ""))
    return ref.url if ref else None


def release_repositories(record: Record) -> list[str]:
    """'owner/repo' of every repository whose releases or changelog the record's sources cite."""
    found: dict[str, None] = {}
    for source in record.sources:
        repository = release_repository(source["url"])
        if repository:
            found.setdefault(repository)
    return list(found)


def tool_repositories(records: list[Record]) -> dict[str, list[str]]:
    """For each tool, the repositories whose releases or changelogs any of its records cite."""
    by_tool: dict[str, dict[str, None]] = {}
    for record in records:
        for repository in release_repositories(record):
            by_tool.setdefault(record.tool, {}).setdefault(repository)
    return {tool: sorted(repositories) for tool, repositories in by_tool.items()}
