"""Records in, Markdown pages out (plain Python and Jinja; no MkDocs objects).

`render_site` returns {path inside the docs folder: Markdown}. Any static site
engine that reads Markdown with YAML front matter can publish the result.
"""
from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

import jinja2

from . import jsonld, upstream
from .markdown_text import code_block, escape_outside_code, shorten, to_plain
from .listings import listing_pages
from .parallel import map_chunks
from .records import Record, slugify

DESCRIPTION_LIMIT = 160
RECENT_ON_HOME = 10
TOOLS_ON_HOME = 8  # per category: the home page stays the same size as the KB grows
# How much a word of a signature counts in the site search, against 1 for body text (Pagefind's
# data-pagefind-weight: the effect grows with its square; headings weigh 2 to 7). Tuned on the dev
# split of bench/symptoms/queries.yaml (bench/symptom_search.py).
SIGNATURE_WEIGHT = 3


@dataclass(frozen=True)
class SiteOptions:
    site_url: str = ""  # absolute base URL ending in "/", or "" for site-relative links
    edit_base: str = ""  # URL that a record's path inside signatures/ is appended to
    # What GitHub said about the cited issues (data/upstream.json), or None: pages then show nothing of it.
    upstream: upstream.Snapshot | None = field(default=None, compare=False)

    def url(self, page_path: str) -> str:
        """Public URL of a page from its docs path: errors/x.md -> <site_url>errors/x/."""
        path = re.sub(r"(^|/)index\.md$", r"\1", page_path)
        path = re.sub(r"\.md$", "/", path)
        return (self.site_url or "/") + path


def signature_block(text: str) -> str:
    """A signature's code block: it wraps long lines on screen (atlas.css) and still copies as one line."""
    return code_block(text, "text", "kb-signature")


_GITHUB_THREAD = re.compile(r"https://github\.com/([\w.-]+/[\w.-]+)/(?:issues|pull|discussions)/(\d+)")
_GITHUB_RELEASE = re.compile(r"https://github\.com/([\w.-]+/[\w.-]+)/releases/tag/([^/?#]+)")


def source_label(url: str) -> str:
    """A short name for a source link: owner/repo#123 for a GitHub thread, else host and path."""
    thread = _GITHUB_THREAD.match(url)
    if thread:
        return f"{thread.group(1)}#{thread.group(2)}"
    release = _GITHUB_RELEASE.match(url)
    if release:
        return f"{release.group(1)} {release.group(2)}"
    return shorten(re.sub(r"^https://(www\.)?", "", url).rstrip("/"), 60)


def seen_note(origin: dict | None) -> str:
    """The line under a signature that says where its wording was seen: escaped HTML, https link only."""
    if not origin:
        return ""
    url = origin["source"]
    link = f'<a href="{html.escape(url, quote=True)}">{html.escape(source_label(url))}</a>'
    seen = f" ({html.escape(to_plain(origin['seen']))})" if origin.get("seen") else ""
    return f'<p class="kb-seen" data-pagefind-ignore="all">Wording from {link}{seen}</p>'


def link_text(text: str) -> str:
    return re.sub(r"([\[\]\\])", r"\\\1", text)


def table_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def indent_after_first(text: str, width: int = 4) -> str:
    """Continuation lines of a list item, indented so Markdown keeps them inside it."""
    first, _, rest = text.strip().partition("\n")
    if not rest:
        return first
    return first + "\n" + "\n".join((" " * width + line) if line.strip() else "" for line in rest.split("\n"))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        autoescape=False,  # the output is Markdown; record prose is checked and escaped below
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        code_block=code_block,
        signature_block=signature_block,
        seen_note=seen_note,
        link_text=link_text,
        cell=table_cell,
        item=indent_after_first,
        prose=escape_outside_code,
        plain=to_plain,
        slug=slugify,
    )
    return env


ENV = _environment()


def front_matter(values: dict) -> str:
    """YAML front matter, each value written as a JSON string (JSON strings are valid YAML)."""
    lines = [f"{key}: {json.dumps(value)}" for key, value in values.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def description(record: Record) -> str:
    return shorten(to_plain(record.meaning), DESCRIPTION_LIMIT)


def status_faq(record: Record) -> list[dict]:
    """The one standard question whose answer is the record's own: is it fixed, and since which version.

    Generic questions ("Can I ignore this error?") are not generated: their answers said nothing a
    reader could not guess, so a record's FAQ holds the questions users asked in its threads.
    """
    if not record.status:
        return []
    verified = record.verified
    checked = f"as of {verified['date'].isoformat()} (checked against {verified['version']})" if verified else "yet"
    if record.status == "fixed" and record.fixed_in:
        answer = (f"Yes: the fix shipped in {record.fixed_in} (see the sources below). Update {record.tool} to "
                  f"{record.fixed_in} or later.")
    elif record.status == "fixed":
        answer = (f"Upstream marks it fixed (see the sources below), but no release note names the version: "
                  f"update {record.tool} to its newest release.")
    elif record.status == "open":
        answer = f"Not {checked}: the reports are still open upstream. Until a fix ships, use the fixes above."
    elif record.status == "wontfix":
        answer = f"No: upstream does not plan to change this, {checked}. The fixes above are the lasting answer."
    else:
        answer = f"There is no upstream fix to wait for, {checked}: the fixes above are the way past it."
    return [{"q": "Is this fixed?", "a": answer}]


def boilerplate_questions(record: Record) -> set[str]:
    """The generated status question, which says the record's facts in the same words on every page:
    the site search skips it (a record that asks it in its own words keeps it searchable)."""
    asked = {entry["q"].strip().lower() for entry in record.faq}
    return {entry["q"] for entry in status_faq(record) if entry["q"].lower() not in asked}


def faq(record: Record) -> list[dict]:
    """The record's own questions, then the status question unless the record asks it itself."""
    own = list(record.faq)
    asked = {entry["q"].strip().lower() for entry in own}
    return own + [entry for entry in status_faq(record) if entry["q"].lower() not in asked]


def render_record(record: Record, by_id: dict[str, Record], options: SiteOptions) -> str:
    questions = faq(record)
    summary = description(record)
    urls = {
        "page": options.url(record.page_path),
        "home": options.url("index.md"),
        "category": options.url(f"categories/{record.category_slug}.md"),
        "tool": options.url(f"tools/{record.tool_slug}.md"),
    }
    edit_url = options.edit_base + record.rel_path if options.edit_base else ""
    meta = {
        "title": to_plain(record.title),
        "description": summary,
        "kb_record": record.id,
        "kb_tool": record.tool,  # the site search's filters (site_overrides/main.html)
        "kb_category": record.category,
        "kb_edit_url": edit_url,
        "kb_jsonld": jsonld.script_text(jsonld.record_graph(record, questions, summary, urls)),
    }
    body = ENV.get_template("record.md.j2").render(
        record=record,
        faq=questions,
        related=[by_id[related] for related in record.related],
        edit_url=edit_url,
        upstream_row=upstream.facts_row(record.sources, options.upstream),
        upstream_notes=upstream.source_notes(record.sources, options.upstream),
        signature_weight=SIGNATURE_WEIGHT,
        derived_questions=boilerplate_questions(record),
    )
    return front_matter(meta) + body


def _render_records(by_id: dict, options: SiteOptions, records: list[Record]) -> list[tuple[str, str]]:
    return [(record.page_path, render_record(record, by_id, options)) for record in records]


def group(records: list[Record], key) -> dict[str, list[Record]]:
    groups = defaultdict(list)
    for record in sorted(records, key=lambda r: r.title.lower()):
        groups[key(record)].append(record)
    return dict(sorted(groups.items(), key=lambda item: item[0].lower()))


def render_site(records: list[Record], options: SiteOptions = SiteOptions()) -> dict[str, str]:
    """Every generated page: {docs-relative path: Markdown}."""
    by_id = {record.id: record for record in records}
    pages = dict(map_chunks(partial(_render_records, by_id, options), records))
    pages.update(listing_pages(records, front_matter))
    return pages


def redirect_pages(records: list[Record]) -> dict[str, str]:
    """An HTML page at each former id's URL that sends readers (and search engines) to the record.

    Its text is in a <main> landmark under a heading, for the screen reader that reads it before it moves on.
    """
    pages = {}
    for record in records:
        title = html.escape(to_plain(record.title))
        target = f"../{record.id}/"
        for alias in record.aliases:
            pages[f"errors/{alias}/index.html"] = (
                '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f"<title>Moved: {title}</title>\n"
                f'<link rel="canonical" href="{target}">\n<meta name="robots" content="noindex">\n'
                f'<meta http-equiv="refresh" content="0; url={target}">\n</head>\n<body>\n<main>\n'
                f"<h1>Moved: {title}</h1>\n"
                f'<p>This record moved to <a href="{target}">{title}</a>.</p>\n</main>\n</body>\n</html>\n'
            )
    return pages


def recently_updated(records: list[Record], count: int) -> list[Record]:
    return sorted(records, key=lambda r: (r.updated, r.id), reverse=True)[:count]


def browse_markdown(records: list[Record], prefix: str = "") -> str:
    """The home page's browse section; links are relative to a page `prefix` levels up ('' or '../')."""
    by_category = group(records, lambda r: r.category)
    categories = {}
    for name, items in by_category.items():
        tools = sorted(group(items, lambda r: r.tool).items(), key=lambda item: (-len(item[1]), item[0].lower()))
        categories[name] = (items[0].category_slug, len(items), tools[:TOOLS_ON_HOME], len(tools))
    return ENV.get_template("browse.md.j2").render(
        prefix=prefix,
        total=len(records),
        categories=categories,
        recent=recently_updated(records, RECENT_ON_HOME),
    )


def json_feed(records: list[Record], options: SiteOptions, count: int = 50) -> str:
    """A JSON Feed 1.1 of the most recently updated records (feed.json)."""
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Error Atlas: new and updated records",
        "home_page_url": options.url("index.md"),
        "feed_url": (options.site_url or "/") + "feed.json",
        "items": [
            {
                "id": options.url(record.page_path),
                "url": options.url(record.page_path),
                "title": to_plain(record.title),
                "summary": description(record),
                "date_modified": record.updated.isoformat() + "T00:00:00Z",
                "tags": [record.tool, record.category, *record.tags],
            }
            for record in recently_updated(records, count)
        ],
    }
    return json.dumps(feed, ensure_ascii=False, indent=1)
