"""A record as Markdown for a reader that is a program or a model: whole, or cut to a size.

Works on the JSON form of a record (api.record_json, or api/v1/errors/<id>.json
from a published site), so a record read from disk and one fetched from a
site read the same. Used by the MCP server (generator/mcp_server.py) and,
through terminal_text.py, by `kb show`.

Cutting keeps Markdown whole: a paragraph is cut at a sentence or a word,
never inside inline code or a link, and a fenced block is kept whole or
left out.
"""
from __future__ import annotations

import re

from .markdown_text import code_block

# How much of a record one lookup answer shows, from most to least (see lookup_markdown):
# (characters of meaning, causes, characters per cause detail, fixes, steps per fix, characters per step).
# A count of None means all of them; a detail length of 0 shows titles only.
DETAIL_LEVELS = {
    3: (1200, None, 400, None, None, 300),
    2: (600, 3, 200, 3, 3, 200),
    1: (300, 3, 0, 3, 0, 0),
    0: (0, 0, 0, 0, 0, 0),
}
STATUS_WORDS = {"open": "open upstream", "fixed": "fixed upstream", "workaround": "workaround known",
                "wontfix": "upstream will not fix"}

_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


# -- cutting ------------------------------------------------------------------------------

def _blocks(text: str) -> list[str]:
    """Paragraphs and fenced blocks, in order (a fenced block may hold blank lines)."""
    blocks, current, fence = [], [], None
    for line in text.strip("\n").split("\n"):
        opening = _FENCE_LINE.match(line)
        if fence is None and opening:
            if current:
                blocks.append("\n".join(current))
            current, fence = [line], opening.group(1)
            continue
        if fence is not None:
            current.append(line)
            if line.strip().startswith(fence) and len(current) > 1:
                blocks.append("\n".join(current))
                current, fence = [], None
            continue
        if not line.strip():
            if current:
                blocks.append("\n".join(current))
            current = []
        else:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _cut_paragraph(text: str, limit: int) -> str:
    """At most `limit` characters of one paragraph, ending at a sentence if one ends late enough."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    sentences = [m.end() for m in _SENTENCE_END.finditer(head)]
    if sentences and sentences[-1] >= limit // 2:
        return head[:sentences[-1]]
    head = head[:max(1, limit - 1)]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    # Never leave inline code or a link open: back off to before it.
    if head.count("`") % 2:
        head = head[:head.rfind("`")]
    if head.rfind("[") > head.rfind("]") or head.rfind("](") > head.rfind(")"):
        head = head[:head.rfind("[")]
    return head.rstrip(" ,;:([") + "…"


def clip(text: str, limit: int) -> str:
    """Markdown cut to about `limit` characters at block, sentence or word boundaries; '' when limit is 0."""
    text = text.strip()
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    kept, used = [], 0
    for block in _blocks(text):
        room = limit - used - (2 if kept else 0)
        if len(block) <= room:
            kept.append(block)
            used += len(block) + (2 if len(kept) > 1 else 0)
            continue
        if not _FENCE_LINE.match(block) and room > 40:
            kept.append(_cut_paragraph(block, room))
        elif kept and not kept[-1].endswith("…"):
            kept[-1] += " …"
        break
    return "\n\n".join(kept) if kept else _cut_paragraph(text.split("\n\n")[0], limit)


def one_line(text: str, limit: int) -> str:
    """Markdown folded onto one line and clipped: for list items."""
    folded = " ".join(line.strip() for line in text.strip().splitlines() if not _FENCE_LINE.match(line))
    return _cut_paragraph(" ".join(folded.split()), limit)


# -- whole records ------------------------------------------------------------------------

def signature_text(signature) -> str:
    """A signature's template, whether the record gives it as a string or as {text, source, seen}."""
    return signature if isinstance(signature, str) else signature["text"]


def _status_line(record: dict) -> str:
    parts = [f"`{record['id']}`", record["tool"], record["category"]]
    if record.get("status"):
        parts.append(f"status: {record['status']}")
    if record.get("fixed_in"):
        parts.append(f"fixed in {record['fixed_in']}")
    parts.append(f"updated {record['updated']}")
    return " · ".join(parts)


def full_markdown(record: dict) -> str:
    """The whole record, in the order of its page: what a reader needs first comes first."""
    out = [f"# {record['title']}", "", _status_line(record), f"Page: {record['url']}", ""]
    out += ["The message as the tool prints it ({placeholders} stand for the parts that vary):", ""]
    out += [code_block(signature_text(signature)) for signature in record["signatures"]]
    out += ["", "## What this error means", "", record["meaning"].strip(), "", "## Common causes (most common first)", ""]
    for number, cause in enumerate(record["causes"], start=1):
        out += [f"### {number}. {cause['title']}", "", cause["detail"].strip(), ""]
    out += ["## How to fix it", ""]
    for number, fix in enumerate(record["fixes"], start=1):
        out += [f"### {number}. {fix['title']}", ""]
        out += [f"{step_number}. {_indented(step)}" for step_number, step in enumerate(fix["steps"], start=1)]
        out.append("")
    if record.get("prevention"):
        out += ["## How to prevent it", ""] + [f"- {_indented(tip)}" for tip in record["prevention"]] + [""]
    if record.get("checks"):
        out += ["## Checks by platform", ""]
        out += [f"- **{check['platform']}**: {_indented(check['check'])}" for check in record["checks"]] + [""]
    if record.get("faq"):
        out += ["## FAQ", ""]
        for entry in record["faq"]:
            out += [f"### {entry['q']}", "", entry["a"].strip(), ""]
    facts = _facts(record)
    if facts:
        out += ["## Status", ""] + facts + [""]
    out += ["## Sources", ""]
    for number, source in enumerate(record["sources"], start=1):
        note = f": {_indented(source['note'])}" if source.get("note") else ""
        out.append(f"{number}. [{source['title']}]({source['url']}){note}")
    out.append("")
    if record.get("related"):
        out += ["## Related records", "", ", ".join(f"`{other}`" for other in record["related"]), ""]
    if record.get("examples"):
        out += ["## Examples of the message", ""] + [code_block(example) for example in record["examples"]] + [""]
    return "\n".join(out).rstrip() + "\n"


def _indented(text: str) -> str:
    first, _, rest = text.strip().partition("\n")
    return first if not rest else first + "\n" + "\n".join(("   " + line) if line.strip() else "" for line in
                                                         rest.split("\n"))


def _facts(record: dict) -> list[str]:
    facts = []
    if record.get("status"):
        facts.append(f"- Upstream status: {STATUS_WORDS.get(record['status'], record['status'])}")
    if record.get("fixed_in"):
        facts.append(f"- Fixed in: {record['fixed_in']}")
    affects = record.get("affects") or {}
    if affects.get("versions"):
        facts.append(f"- Affected versions: {affects['versions']}")
    if affects.get("platforms"):
        facts.append(f"- Platforms: {', '.join(affects['platforms'])}")
    if record.get("verified"):
        facts.append(f"- Last verified: {record['verified']['date']} on {record['verified']['version']}")
    if record.get("tags"):
        facts.append(f"- Tags: {', '.join(record['tags'])}")
    return facts


# -- lookup answers -----------------------------------------------------------------------

def match_markdown(rank: int, match: dict, record: dict | None, level: int) -> str:
    """One ranked match: what the lookup found, then as much of the record as `level` allows."""
    out = [f"## {rank}. {match['title']}", ""]
    facts = [f"`{match['id']}`", f"{match['confidence']} match (score {match['score']})"]
    if record:
        facts.append(record["tool"])
        if record.get("status"):
            facts.append(f"status: {record['status']}")
    out.append(" · ".join(facts))
    out.append(f"Matched line {match['line']} of the text: {_inline_code(one_line(match['line_text'], 200))}")
    if match["variables"]:
        values = ", ".join(f"{name} = {_inline_code(str(value))}" for name, value in match["variables"].items())
        out.append(f"Placeholder values: {values}")
    out.append(f"Page: {match['url']}")
    meaning_chars, causes, detail_chars, fixes, steps, step_chars = DETAIL_LEVELS[level]
    if record and meaning_chars:
        out += ["", "**What it means.** " + clip(record["meaning"], meaning_chars)]
    if record and causes != 0:
        out += ["", "**Causes**, most common first:"]
        for number, cause in enumerate(record["causes"][:causes], start=1):
            detail = f": {one_line(cause['detail'], detail_chars)}" if detail_chars else ""
            out.append(f"{number}. **{cause['title']}**{detail}")
        if causes is not None and len(record["causes"]) > causes:
            out.append(f"   (and {len(record['causes']) - causes} more)")
    if record and fixes != 0:
        out += ["", "**Fixes:**"]
        for number, fix in enumerate(record["fixes"][:fixes], start=1):
            out.append(f"{number}. **{fix['title']}**")
            shown = fix["steps"] if steps is None else fix["steps"][:steps]
            for step in shown if step_chars else []:
                out.append(f"   - {one_line(step, step_chars)}")
            if step_chars and len(shown) < len(fix["steps"]):
                out.append(f"   - (and {len(fix['steps']) - len(shown)} more steps)")
        if fixes is not None and len(record["fixes"]) > fixes:
            out.append(f"   (and {len(record['fixes']) - fixes} more)")
    out += ["", f"Whole record (every cause and fix in full, checks, FAQ, sources): "
                f"get_error(id=\"{match['id']}\")."]
    return "\n".join(out)


def _inline_code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def detail_plans(count: int):
    """Levels for `count` matches, most detailed first: the best match keeps its detail longest."""
    plans = [(3, 2), (3, 1), (2, 1), (2, 0), (1, 0), (0, 0)]
    for best, others in plans:
        yield [best] + [others] * (count - 1)


def lookup_markdown(header: str, matches: list[tuple[dict, dict | None]], budget: int) -> tuple[str, list[int]]:
    """The answer to a lookup within `budget` characters, and the detail level each match got.

    Every match keeps its header (id, confidence, score, matched line,
    placeholder values, page) whatever the budget; the record's meaning,
    causes and fixes shrink, the lower matches' first, until it fits.
    """
    levels: list[int] = []
    text = header
    for levels in detail_plans(len(matches)):
        parts = [header] + [match_markdown(rank, match, record, level)
                            for rank, ((match, record), level) in enumerate(zip(matches, levels), start=1)]
        text = "\n\n".join(parts) + "\n"
        if len(text) <= budget:
            break
    return text, levels
