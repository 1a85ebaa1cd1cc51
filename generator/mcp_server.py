"""`kb mcp`: Error Atlas as an MCP server over stdio, on the official MCP Python SDK (mcp 2.x).

Tools (their descriptions below are written for the model that calls them):

- lookup_error(text, limit=3): the ranked matches, as `kb lookup` ranks
  them, with each record's meaning, causes and fixes cut to fit a context
  window (answers.py says how);
- get_error(id): one whole record as Markdown, with its status, versions
  and sources as structured data;
- list_errors(tool?, category?, tag?, limit?): ids and titles.

Resources: error-atlas://errors (every record's id, title, tool, category,
as JSON) and error-atlas://errors/{id} (one record as Markdown).

The tools only read (read-only, idempotent). Pasted text is matched in this
process and never logged; with --site, only the site's index and record
files are requested. This module is imported only by `kb mcp`: the SDK takes
about half a second to import, which no other command should pay.
"""
from __future__ import annotations

import json
import threading
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from typing_extensions import NotRequired, TypedDict

from . import __version__, answers
from .catalog import Catalog, CatalogError, SiteCatalog

INSTRUCTIONS = """\
Error Atlas is a knowledge base of researched error messages from AI coding tools (Claude Code, \
Codex CLI, Gemini CLI, Cursor, GitHub Copilot, aider, Continue) and MCP servers and clients: \
what each error means, why it happens and how to fix it, with the public sources behind every \
statement. When a command, a tool call or an MCP server fails with an error message you cannot \
fix at once, call lookup_error with the message exactly as printed before guessing. Use \
get_error for a whole record (every fix, platform checks, FAQ, sources) and list_errors to \
browse by tool, category or tag."""

LOOKUP_DESCRIPTION = """\
Find what an error message means and how to fix it. Call this when a command, a tool call or an \
MCP server fails with an error you do not recognise or cannot fix at once, before guessing.

Pass `text`: the error exactly as printed: one line, or the log lines around it (timestamps, ANSI \
colours, stack frames and paths are fine; at most 1,000,000 characters). `limit` (1-10, default 3) \
caps the number of matches.

Returns the matching records, best first: id, title, confidence (exact = the known message matched \
and its {placeholders} were filled; likely and possible = close but inexact, so check the message \
really is the same), score 0-100, the placeholder values, the matched line, the page URL, and for \
each record what the error means, its causes (most common first) and its fixes with steps. The \
answer is cut to about %(budget)s characters: the best match keeps the most detail; call \
get_error(id) for the whole record with every step, platform checks, FAQ and sources. When no \
record matches, it says so rather than guessing, and lists up to three "not sure" records that come \
close (`not_sure`): leads to check against the error, not answers. The text is matched on this \
machine%(privacy)s."""

GET_DESCRIPTION = """\
Get one Error Atlas record in full, by the id that lookup_error or list_errors returned: what the \
error means, every cause, every fix with its steps, prevention, platform checks, FAQ, its upstream \
status (open, fixed, workaround, wontfix), the version that fixed it, affected versions and \
platforms, and the sources (issue threads, changelogs, docs) behind each statement. Use it when \
lookup_error's short answer is not enough, or to cite sources. An unknown id gets the closest \
known ids."""

LIST_DESCRIPTION = """\
List Error Atlas records (id, title, tool), optionally only those of one tool (e.g. "Claude Code", \
"Codex"; any part of the tool's name matches), one category (e.g. "AI Coding Tools") or one tag \
(e.g. "oauth"); filters ignore case and combine. `limit` (default 100) caps the list. Use it to see what is known about a tool; to \
identify an error from its message, use lookup_error instead."""


class MatchData(TypedDict):
    id: str
    title: str
    confidence: str
    score: int
    signature: str
    line: int
    line_text: str
    variables: dict[str, str]
    url: str


class LookupData(TypedDict):
    matches: list[MatchData]
    not_sure: NotRequired[list[MatchData]]  # only when nothing matches: close records, not answers
    records_searched: int
    source: str


class SourceData(TypedDict):
    url: str
    title: str
    note: NotRequired[str]


class RecordFacts(TypedDict):
    id: str
    title: str
    tool: str
    category: str
    url: str
    updated: str
    status: NotRequired[str]
    fixed_in: NotRequired[str]
    affects: NotRequired[dict[str, Any]]
    verified: NotRequired[dict[str, str]]
    tags: NotRequired[list[str]]
    related: NotRequired[list[str]]
    sources: list[SourceData]


class ListedRecord(TypedDict):
    id: str
    title: str
    tool: str
    category: str


class ListData(TypedDict):
    total: int
    records: list[ListedRecord]


def _result(answer: answers.Answer) -> CallToolResult:
    if answer.error:
        return CallToolResult(content=[TextContent(text=answer.text)], is_error=True)
    return CallToolResult(content=[TextContent(text=answer.text)], structured_content=answer.data)


def build_server(catalog: Catalog, budget: int = answers.DEFAULT_BUDGET) -> MCPServer:
    server = MCPServer("error-atlas", title="Error Atlas", version=__version__, instructions=INSTRUCTIONS,
                       website_url=catalog.site_url or None, log_level="WARNING")
    remote = isinstance(catalog, SiteCatalog)
    privacy = (f" against an index downloaded from {catalog.site_url}; the text itself is never sent" if remote
               else " and is never sent anywhere")
    reading = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=remote)

    @server.tool(title="Look up an error message", annotations=reading,
                 description=LOOKUP_DESCRIPTION % {"budget": f"{budget:,}", "privacy": privacy})
    def lookup_error(text: str, limit: int = answers.DEFAULT_LIMIT) -> Annotated[CallToolResult, LookupData]:
        return _result(answers.lookup(catalog, text, limit, budget))

    @server.tool(title="Get a whole Error Atlas record", annotations=reading, description=GET_DESCRIPTION)
    def get_error(id: str) -> Annotated[CallToolResult, RecordFacts]:  # noqa: A002 (the tool's argument name)
        return _result(answers.get(catalog, id))

    @server.tool(title="List Error Atlas records", annotations=reading, description=LIST_DESCRIPTION)
    def list_errors(tool: str | None = None, category: str | None = None, tag: str | None = None,
                    limit: int = answers.LIST_LIMIT) -> Annotated[CallToolResult, ListData]:
        return _result(answers.list_records(catalog, tool, category, tag, limit))

    @server.resource("error-atlas://errors", name="errors", title="Every Error Atlas record",
                     description="Every record's id, title, tool and category, as JSON.",
                     mime_type="application/json")
    def all_errors() -> str:
        try:
            entries = catalog.entries()
        except CatalogError as err:
            raise ResourceNotFoundError(str(err)) from None
        return json.dumps([{key: entry[key] for key in ("id", "title", "tool", "category")} for entry in entries],
                          ensure_ascii=False)

    @server.resource("error-atlas://errors/{id}", name="error", title="One Error Atlas record",
                     description="One record as Markdown: meaning, causes, fixes, checks, FAQ, status, sources.",
                     mime_type="text/markdown")
    def one_error(id: str) -> str:  # noqa: A002
        answer = answers.get(catalog, id)
        if answer.error:
            raise ResourceNotFoundError(answer.text)
        return answer.text

    return server


def run(catalog: Catalog, budget: int = answers.DEFAULT_BUDGET) -> None:
    """Serve over stdio until the client closes it. Records load in the background meanwhile."""
    server = build_server(catalog, budget)
    threading.Thread(target=catalog.warm, name="warm-catalog", daemon=True).start()
    server.run("stdio")
