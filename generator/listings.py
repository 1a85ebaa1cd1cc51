"""The browsing pages: tools, categories and tags, each listed in pages of PER_PAGE rows.

Pages stay small whatever the size of the knowledge base: a tool with 2,000
records gets 40 pages of 50 rows, not one page of 2,000. Page 1 of a listing
lives at <base>.md, page N at <base>/page-N.md.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

from .records import Record, slugify

PER_PAGE = 50


def _link(text: str, target: str) -> str:
    label = " ".join(text.split()).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"[{label.replace('|', '&#124;')}]({target})"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def paged(base: str, title: str, intro: str, header: list[str], items: list,
          row: Callable[[object, str], list[str]], front: Callable[[dict], str], description: str) -> dict[str, str]:
    """Pages for a listing. `row(item, root)` gives a row's cells; root leads back to the docs root,
    and "{root}" in the intro is replaced by it."""
    depth = base.count("/")
    chunks = [items[start:start + PER_PAGE] for start in range(0, len(items), PER_PAGE)] or [[]]
    name = base.rsplit("/", 1)[-1]
    pages = {}
    for number, chunk in enumerate(chunks, start=1):
        first = number == 1
        root = "../" * (depth if first else depth + 1)
        lines = [f"# {title}" + ("" if first else f" (page {number})"), "", intro.replace("{root}", root), ""]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row(item, root)) + " |" for item in chunk]
        if len(chunks) > 1:
            def href(target: int) -> str:
                if target == 1:
                    return f"../{name}.md"
                return f"{name}/page-{target}.md" if first else f"page-{target}.md"
            pager = [f"Page {number} of {len(chunks)}"]
            if number > 1:
                pager.append(f"[previous]({href(number - 1)})")
            if number < len(chunks):
                pager.append(f"[next]({href(number + 1)})")
            lines += ["", " · ".join(pager)]
        path = f"{base}.md" if first else f"{base}/page-{number}.md"
        pages[path] = front({"title": title if first else f"{title} (page {number})",
                             "description": description}) + "\n".join(lines) + "\n"
    return pages


def _by(records: list[Record], key: Callable[[Record], str]) -> dict[str, list[Record]]:
    groups = defaultdict(list)
    for record in sorted(records, key=lambda r: r.title.lower()):
        groups[key(record)].append(record)
    return dict(sorted(groups.items(), key=lambda item: item[0].lower()))


def _record_row(record: Record, root: str) -> list[str]:
    return [_link(record.title, f"{root}errors/{record.id}.md"), _cell((record.status or "").capitalize()),
            record.updated.isoformat()]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def listing_pages(records: list[Record], front: Callable[[dict], str]) -> dict[str, str]:
    pages: dict[str, str] = {}
    by_tool = _by(records, lambda r: r.tool)
    by_category = _by(records, lambda r: r.category)
    by_tag = defaultdict(list)
    for record in sorted(records, key=lambda r: r.title.lower()):
        for tag in record.tags:
            by_tag[tag].append(record)

    for tool, items in by_tool.items():
        first = items[0]
        pages.update(paged(
            f"tools/{first.tool_slug}", f"{tool} errors",
            f"{_plural(len(items), 'error')} in {_link(first.category, '{root}categories/' + first.category_slug + '.md')}.",
            ["Error", "Status", "Updated"], items, _record_row, front,
            f"{_plural(len(items), tool + ' error')} explained, with fixes."))
    for category, items in by_category.items():
        tools = list(_by(items, lambda r: r.tool).items())
        pages.update(paged(
            f"categories/{items[0].category_slug}", category,
            f"{_plural(len(items), 'error')} of {_plural(len(tools), 'tool')}.", ["Tool", "Errors"], tools,
            lambda tool, root: [_link(tool[0], f"{root}tools/{tool[1][0].tool_slug}.md"), str(len(tool[1]))],
            front, f"{_plural(len(items), category + ' error')}, by tool."))
    for tag, items in by_tag.items():
        pages.update(paged(
            f"tags/{slugify(tag)}", f"Tag: {tag}",
            f"{_plural(len(items), 'error')} tagged `{tag}`. See [all tags]({{root}}tags/index.md).",
            ["Error", "Status", "Updated"], items, _record_row, front, f"{_plural(len(items), 'error')} tagged {tag}."))
    pages.update(paged(
        "tools/index", "Tools", f"{_plural(len(by_tool), 'tool')}, {_plural(len(records), 'error')}.",
        ["Tool", "Category", "Errors"], list(by_tool.items()),
        lambda tool, root: [_link(tool[0], f"{root}tools/{tool[1][0].tool_slug}.md"),
                            _link(tool[1][0].category, f"{root}categories/{tool[1][0].category_slug}.md"),
                            str(len(tool[1]))], front, "Every tool with errors in Error Atlas."))
    pages.update(paged(
        "categories/index", "Categories", f"{_plural(len(by_category), 'category')}.",
        ["Category", "Tools", "Errors"], list(by_category.items()),
        lambda category, root: [_link(category[0], f"{root}categories/{category[1][0].category_slug}.md"),
                                str(len({r.tool for r in category[1]})), str(len(category[1]))],
        front, "Errors by category of tool."))
    tags = sorted(by_tag.items(), key=lambda item: (-len(item[1]), item[0]))
    pages.update(paged(
        "tags/index", "Tags", f"{_plural(len(tags), 'tag')}, most used first.", ["Tag", "Errors"], tags,
        lambda tag, root: [_link(tag[0], f"{root}tags/{slugify(tag[0])}.md"), str(len(tag[1]))],
        front, "Every tag, most used first."))
    return pages
