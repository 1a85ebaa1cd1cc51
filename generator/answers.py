"""What the MCP tools answer, without the MCP SDK: text for the model, data for the program, or an error.

mcp_server.py wraps these in the SDK's types; the benchmarks and tests call
them directly too. Every failure becomes an Answer with error=True and a
message that says what to do next: nothing here raises for bad input.

Sizes: a lookup answer is cut to fit `budget` characters (DEFAULT_BUDGET,
about 2,500 tokens at four characters a token). Every match keeps its
header; the record's meaning, causes and fixes shrink, the lower matches'
first (record_text.lookup_markdown), and each match ends with the
get_error call that returns the whole record.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .catalog import Catalog, CatalogError
from .project import NEW_ERROR_ISSUE, contribute_page
from .record_text import full_markdown, lookup_markdown

MAX_TEXT = 1_000_000  # characters of pasted text; the matcher reads at most 5,000 lines anyway
MAX_LIMIT = 10
DEFAULT_LIMIT = 3
DEFAULT_BUDGET = 10_000  # characters of a lookup answer's text (~2,500 tokens)
LIST_LIMIT = 100
MAX_VALUE = 200  # characters of a placeholder value or matched line in structured data
CREDIBLE = ("exact", "likely", "possible")  # the confidences a lookup reports as answers
WEAK_LEADS = 3  # "not sure" records listed when nothing is credible (kb lookup lists as many)


@dataclass
class Answer:
    text: str
    data: dict = field(default_factory=dict)
    error: bool = False


def failure(message: str) -> Answer:
    return Answer(message, {}, True)


def _cut(text: str, limit: int = MAX_VALUE) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def lookup(catalog: Catalog, text, limit=DEFAULT_LIMIT, budget: int = DEFAULT_BUDGET) -> Answer:
    if not isinstance(text, str) or not text.strip():
        return failure("The text is empty. Pass the error message exactly as it was printed: one line, or the "
                       "few log lines around it (timestamps, colours and stack frames are fine).")
    if len(text) > MAX_TEXT:
        return failure(f"The text is {len(text):,} characters; lookup_error takes at most {MAX_TEXT:,}. Pass only "
                       "the lines around the error (the failing command's last 50-200 lines are plenty).")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        return failure(f"limit must be a whole number from 1 to {MAX_LIMIT} (got {limit!r}); the default is "
                       f"{DEFAULT_LIMIT}.")
    try:
        matcher = catalog.matcher()
        searched = matcher.search(text, limit=limit, weak=WEAK_LEADS)
        found = [m for m in searched.matches if m.confidence in CREDIBLE]
        pairs = [(_match_data(m, catalog), _record_or_none(catalog, m.id)) for m in found]
        total = len(catalog.entries())
    except CatalogError as err:
        return failure(str(err))
    note = catalog.note()
    if searched.skipped:
        skipped = (f"the text has {searched.lines:,} lines; lines {searched.skipped[0]:,} to {searched.skipped[1]:,} "
                   "were not read (lookup reads the first 1,000 and the last 4,000): pass the lines around the error")
        note = f"{note} {skipped}" if note else skipped
    if not pairs:
        leads = [_match_data(m, catalog) for m in searched.weak]
        return Answer(_no_match_text(total, catalog, note, leads),
                      {"matches": [], "not_sure": leads, "records_searched": total,
                       "source": catalog.site_url or catalog.description})
    count = f"{len(pairs)} record{'s' if len(pairs) != 1 else ''} match{'es' if len(pairs) == 1 else ''}"
    header = (f"# Error Atlas: {count} this error, best first\n\n"
              f"Searched {total:,} records ({catalog.description}). Confidence: exact = the known message "
              f"matched, its placeholders filled; likely and possible = a close but inexact match: check that the "
              f"message really is the same.")
    if note:
        header += f"\n\nNote: {note}"
    body, levels = lookup_markdown(header, pairs, budget)
    data = {"matches": [match for match, _ in pairs], "records_searched": total,
            "source": catalog.site_url or catalog.description}
    return Answer(body, data)


def _record_or_none(catalog: Catalog, record_id: str) -> dict | None:
    try:
        return catalog.record(record_id)
    except CatalogError:
        return None  # the match still stands; its page and get_error remain


def _match_data(match, catalog: Catalog) -> dict:
    """The fields `kb lookup --json` prints, bounded in size, plus the page URL."""
    return {
        "id": match.id, "title": match.title, "confidence": match.confidence, "score": match.score,
        "signature": match.signature, "line": match.line, "line_text": _cut(match.line_text),
        "variables": {name: _cut(str(value)) for name, value in match.variables.items()},
        "url": _page(catalog, match.id),
    }


def _page(catalog: Catalog, record_id: str) -> str:
    return (catalog.site_url or "/") + f"errors/{record_id}/"


def _no_match_text(total: int, catalog: Catalog, note: str, leads: list[dict] = ()) -> str:
    text = (f"# Error Atlas: no record matches this text\n\n"
            f"None of the {total:,} records ({catalog.description}) explains it with confidence (Error Atlas "
            "answers nothing rather than a wrong guess). Check that you passed the error message itself, as "
            "printed, not a summary of it.\n\n")
    if leads:
        text += ("Not sure: these records come closest, below the confidence threshold. They are leads, not "
                 "answers: compare their signature with the error before you use one.\n\n")
        for lead in leads:
            text += (f"- `{lead['id']}` {lead['title']} (score {lead['score']}): signature `{lead['signature']}`; "
                     f"get_error(id=\"{lead['id']}\")\n")
        text += "\n"
    text += (
            "If it is a real error that others will hit, it can be added: in a clone of the repository, "
            "`kb new --tool \"<tool name>\" \"<the error line>\"` starts a record from the message "
            f"({contribute_page(catalog.site_url or 'https://error-atlas.github.io/error-atlas/')} explains the "
            f"rest), or open an issue with the message and a public source: {NEW_ERROR_ISSUE}")
    if note:
        text += f"\n\nNote: {note}"
    return text + "\n"


def get(catalog: Catalog, record_id) -> Answer:
    if not isinstance(record_id, str) or not record_id.strip():
        return failure("Pass a record id, like claude-code-mcp-connection-closed: lookup_error and list_errors "
                       "return them.")
    record_id = record_id.strip()
    if len(record_id) > 200:
        return failure("That is not a record id (ids are short: lowercase words joined by hyphens). Use "
                       "lookup_error to find a record from an error message.")
    try:
        record = catalog.record(record_id)
        if record is None:
            ids = [entry["id"] for entry in catalog.entries()]
            close = difflib.get_close_matches(record_id.lower(), ids, n=3, cutoff=0.6)
            hint = f" Close ids: {', '.join(close)}." if close else ""
            return failure(f"No record has the id {record_id!r}.{hint} Use lookup_error with the error text to "
                           "find the right record, or list_errors to browse.")
    except CatalogError as err:
        return failure(str(err))
    data = {key: record[key] for key in ("id", "title", "tool", "category", "url", "updated", "status", "fixed_in",
                                          "affects", "verified", "tags", "related", "sources") if key in record}
    return Answer(full_markdown(record), data)


def list_records(catalog: Catalog, tool=None, category=None, tag=None, limit=LIST_LIMIT) -> Answer:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        return failure(f"limit must be a whole number from 1 to 1000 (got {limit!r}); the default is {LIST_LIMIT}.")
    filters = {"tool": tool, "category": category, "tag": tag}
    for name, value in filters.items():
        if value is not None and (not isinstance(value, str) or len(value) > 200):
            return failure(f"{name} must be a short text, like \"Claude Code\" (got {type(value).__name__}).")
    try:
        entries = catalog.entries()
    except CatalogError as err:
        return failure(str(err))
    wanted = {name: value.strip().lower() for name, value in filters.items() if value and value.strip()}
    # A tool or category matches by any part of its name ("codex" finds "OpenAI Codex CLI"); a tag only whole.
    chosen = [entry for entry in entries
              if ("tool" not in wanted or wanted["tool"] in entry["tool"].lower())
              and ("category" not in wanted or wanted["category"] in entry["category"].lower())
              and ("tag" not in wanted or wanted["tag"] in (t.lower() for t in entry["tags"]))]
    shown = chosen[:limit]
    rows = [{"id": e["id"], "title": e["title"], "tool": e["tool"], "category": e["category"]} for e in shown]
    data = {"total": len(chosen), "records": rows}
    described = ", ".join(f"{name} {value!r}" for name, value in filters.items() if value and value.strip())
    if not chosen:
        tools = sorted({entry["tool"] for entry in entries})
        categories = sorted({entry["category"] for entry in entries})
        return Answer(f"No record has {described}. Tools: {', '.join(tools)}. Categories: "
                      f"{', '.join(categories)}. Tags are listed with each record (list_errors with no filter).\n",
                      data)
    title = f"{len(chosen):,} record{'s' if len(chosen) != 1 else ''}" + (f" with {described}" if described else "")
    lines = [f"# Error Atlas: {title}", ""]
    lines += [f"- `{row['id']}`: {row['title']} ({row['tool']})" for row in rows]
    if len(chosen) > len(shown):
        lines += ["", f"Showing the first {len(shown)}: narrow the list with tool, category or tag, or raise limit."]
    lines += ["", "get_error(id) returns a whole record; lookup_error(text) finds one from an error message."]
    return Answer("\n".join(lines) + "\n", data)
