"""`kb report`: which records need a maintainer's eyes, from the records and the upstream snapshot.

Claims age: an issue a record calls open gets fixed, a default moves in a new
release. The report lists, per record:
- cited issues whose state changed after the record was last verified (or
  updated, when it never was);
- a `status` that the cited issues contradict (open while every one is closed,
  fixed while every one is open);
- sources that GitHub answers 404 for, or that moved elsewhere;
- releases of the tool newer than the version the record was verified on;
- source titles that differ from the thread's title on GitHub;
- records not verified for STALE_DAYS days, or never.

The same report is printed (text, Markdown for a pull request, JSON) and becomes
the maintainers' page of the site (maintainers/report/, kept out of the
navigation and of search engines). Values that come from GitHub or from a record
(titles, tags, versions) are never pasted into Markdown as they are: they go
into code spans, which show any character as text.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from . import upstream
from .citations import cited_urls, parse_issue_url, release_repository, source_issue_url, tool_repositories
from .records import Record

STALE_DAYS = 90
PAGE_PATH = "maintainers/report.md"

SECTIONS = {
    "changed": "Cited issues that changed since the record was verified",
    "status": "Status that disagrees with upstream",
    "gone": "Sources that are gone or moved",
    "releases": "Releases newer than the verified version",
    "titles": "Source titles that differ from GitHub's",
    "stale": f"Not verified for {STALE_DAYS} days, or never",
}


@dataclass
class Finding:
    record: str
    path: str  # the record file, relative to the signatures folder
    message: str  # words and dates built here; {0}, {1}... stand for the quoted values
    quoted: list[str] = field(default_factory=list)  # values from GitHub or a record, shown as code
    url: str | None = None  # the cited issue or pull request concerned


@dataclass
class Report:
    today: dt.date
    snapshot_date: str | None
    has_snapshot: bool
    records: int
    sections: dict[str, list[Finding]]

    @property
    def total(self) -> int:
        return sum(len(findings) for findings in self.sections.values())


def version_key(text) -> tuple[int, ...] | None:
    """The first version number in a text: "v2.1.231" -> (2, 1, 231); "Claude Code 2.1.190" -> (2, 1, 190)."""
    match = re.search(r"\d+(?:\.\d+)*", str(text or ""))
    return tuple(int(part) for part in match.group(0).split(".")) if match else None


def _comparable_title(text: str) -> str:
    return re.sub(r"[\W_]+", "", str(text).casefold())


def build(records: list[Record], snapshot: upstream.Snapshot | None, today: dt.date) -> Report:
    sections: dict[str, list[Finding]] = {name: [] for name in SECTIONS}
    repositories_of_tool = tool_repositories(records)
    issues = snapshot.issues if snapshot else {}
    releases = snapshot.repositories if snapshot else {}
    for record in sorted(records, key=lambda r: r.id):
        def add(section: str, message: str, quoted=(), url=None) -> None:
            sections[section].append(Finding(record.id, record.rel_path, message, list(quoted), url))

        verified = record.verified or {}
        basis, since = ("verified", verified["date"]) if verified else ("updated", record.updated)
        entries = {url: issues[url] for url in cited_urls(record) if url in issues}

        for url, entry in entries.items():
            when = upstream.event_date(entry)
            moved = upstream.moved_to(entry)
            if not entry.get("unavailable") and when and when > since.isoformat():
                # A new location is quoted, not written out: in a pull request body a bare
                # issue reference would notify that thread.
                add("changed", ("moved to {0}, " if moved else "") + upstream.describe(entry)
                    + f"; the record was {basis} on {since}", [moved] if moved else [], url)
            if entry.get("unavailable"):
                add("gone", upstream.describe(entry), url=url)
            elif moved:
                add("gone", "moved to {0}", [moved], url)

        _status(record, entries, add)

        for source in record.sources:
            url = source_issue_url(source)
            entry = issues.get(url) if url else None
            if entry and entry.get("title") and not entry.get("unavailable") and (
                    _comparable_title(entry["title"]) != _comparable_title(source["title"])):
                add("titles", "GitHub's title is {0}; the record says {1}", [entry["title"], source["title"]], url)
            repository = release_repository(source["url"])
            release = releases.get(repository, {}) if repository else {}
            if release.get("unavailable"):
                add("gone", f"repository {repository} answered {release['unavailable']}")
            elif release.get("moved_to"):
                add("gone", f"repository {repository} moved to {{0}}", [release["moved_to"]])

        if verified:
            verified_key = version_key(verified.get("version"))
            for repository in repositories_of_tool.get(record.tool, []):
                release = releases.get(repository) or {}
                tag = release.get("latest_release") or release.get("latest_tag")
                done = "released" if release.get("latest_release") else "tagged (no GitHub release)"
                if verified_key and tag and (version_key(tag) or ()) > verified_key:
                    add("releases", f"{repository} {done} {{0}}; the record was verified with {{1}} on {since}",
                        [tag, str(verified.get("version"))])

        if not verified:
            add("stale", f"never verified (last updated {record.updated})")
        elif (today - verified["date"]).days >= STALE_DAYS:
            add("stale", f"verified {(today - verified['date']).days} days ago, on {verified['date']}")
    return Report(today, snapshot.date if snapshot else None, snapshot is not None, len(records), sections)


def _status(record: Record, entries: dict[str, dict], add) -> None:
    known = [entry for entry in entries.values() if entry.get("state") and not entry.get("unavailable")]
    if not record.status or not known:
        return
    buckets = [upstream.bucket(entry) for entry in known]
    if record.status == "open" and all(b in ("closed", "merged") for b in buckets):
        states = _tally(upstream.describe(entry).split(" on ")[0] for entry in known)
        add("status", f"says open, but every cited issue is closed: {states}")
    elif record.status == "fixed" and all(b == "open" for b in buckets):
        add("status", f"says fixed, but every cited issue is still open ({len(known)})")


def _tally(words) -> str:
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    return ", ".join(f"{count} {word}" for word, count in counts.items())


# Output

def code_span(text: str) -> str:
    """Any text as an inline code span: Markdown and HTML inside are shown, never interpreted."""
    text = upstream.clean_text(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _heading(report: Report) -> str:
    snapshot = (f"compared with the upstream snapshot of {report.snapshot_date}" if report.snapshot_date
                else "without an upstream snapshot (run `kb sources check`; the weekly workflow does)")
    return (f"As of {report.today}: {report.total} finding{'s' if report.total != 1 else ''} "
            f"in {report.records} records, {snapshot}")


def as_text(report: Report) -> str:
    lines = ["Error Atlas maintainers' report", _heading(report) + ".", ""]
    for name, title in SECTIONS.items():
        findings = report.sections[name]
        lines.append(f"{title}: {_count(findings)}")
        for record, items in _by_record(findings):
            lines.append(f"  {record}")
            for finding in items:
                values = [f"\"{upstream.clean_text(value)}\"" for value in finding.quoted]
                where = f"{finding.url}: " if finding.url else ""
                lines.append(f"    {where}{finding.message.format(*values)}")
        lines.append("")
    return "\n".join(lines)


def as_markdown(report: Report, record_link=None, link_upstream: bool = False, heading: str = "#") -> str:
    """Markdown: record_link(finding) gives the URL of a record's page or file (or None);
    upstream issues are links when link_upstream, else code, so that a pull request body
    does not ping the upstream threads with cross-references."""
    lines = [f"{heading} Maintainers' report", "", f"{_heading(report)}.", ""]
    for name, title in SECTIONS.items():
        findings = report.sections[name]
        lines += [f"{heading}# {title} ({len(findings)})", ""]
        if not findings:
            lines += ["Nothing to do.", ""]
            continue
        for record, items in _by_record(findings):
            target = record_link(items[0]) if record_link else None
            name_md = f"[{record}]({target})" if target else f"`{record}`"
            details = []
            for finding in items:
                ref = parse_issue_url(finding.url) if finding.url else None
                where = ""
                if ref:
                    where = f"[{ref.short}]({ref.url}): " if link_upstream else f"`{ref.short}`: "
                message = _markdown_words(finding.message).format(*(code_span(v) for v in finding.quoted))
                details.append(where + message)
            if len(details) == 1:
                lines.append(f"- {name_md}: {details[0]}")
            else:
                lines.append(f"- {name_md}:")
                lines += [f"    - {detail}" for detail in details]
        lines.append("")
    return "\n".join(lines)


def _markdown_words(message: str) -> str:
    """The report's own words, with the few characters Markdown would act on escaped."""
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", message)


def as_json(report: Report) -> str:
    data = {
        "today": report.today.isoformat(),
        "snapshot_date": report.snapshot_date,
        "records": report.records,
        "stale_after_days": STALE_DAYS,
        "sections": {
            name: {
                "title": SECTIONS[name],
                "findings": [
                    {"record": f.record, "path": f.path, "url": f.url,
                     "message": f.message.format(*(f"\"{upstream.clean_text(v)}\"" for v in f.quoted)),
                     "values": [upstream.clean_text(v) for v in f.quoted]}
                    for f in report.sections[name]
                ],
            }
            for name in SECTIONS
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _count(findings: list[Finding]) -> str:
    records = len({finding.record for finding in findings})
    if not findings:
        return "none"
    return f"{len(findings)} in {records} record{'s' if records != 1 else ''}"


def _by_record(findings: list[Finding]):
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.record, []).append(finding)
    return grouped.items()


def maintainers_page(records: list[Record], snapshot: upstream.Snapshot | None, today: dt.date) -> dict[str, str]:
    """{PAGE_PATH: Markdown}: the report as a site page, out of the navigation, search and search engines."""
    from .render import front_matter

    report = build(records, snapshot, today)
    meta = {
        "title": "Maintainers' report",
        "description": "Records to re-check: upstream changes, disagreeing status, gone sources, new releases.",
        "search": {"exclude": True},
        "kb_noindex": True,
    }
    body = as_markdown(report, record_link=lambda finding: f"../errors/{finding.record}.md", link_upstream=True)
    return {PAGE_PATH: front_matter(meta) + body}


# The command

def command(args, folder, out, err) -> int:
    from pathlib import Path

    from .problems import summary
    from .validate import validate_folder

    try:
        today = dt.date.fromisoformat(args.today) if args.today else upstream.today_utc()
    except ValueError:
        print("kb report: --today must be a date like 2026-12-01.", file=err)
        return 2
    try:
        snapshot = upstream.load(Path(args.snapshot))
    except upstream.SnapshotError as error:
        print(f"kb report: {error}", file=err)
        return 2
    result = validate_folder(folder)
    if result.problems:
        print(summary(result.problems), file=err)
        print("The records have problems (above): fix them, then report again.", file=err)
        return 2
    report = build(result.records, snapshot, today)
    if args.format == "json":
        out.write(as_json(report))
    elif args.format == "markdown":
        base = args.link_base
        out.write(as_markdown(report, record_link=(lambda f: base + f.path) if base else None))
    else:
        out.write(as_text(report))
    if snapshot is None:
        print(f"No snapshot at {args.snapshot}: only the verification dates were checked. "
              "Run `kb sources check` to compare the records with GitHub.", file=err)
    return 0
