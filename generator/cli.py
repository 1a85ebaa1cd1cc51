"""The `kb` command line (also `python -m generator`)."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import __version__
from .lookup import HEAD_LINES, LIKELY, MAX_LINES, POSSIBLE, WEAK
from .problems import RULES, summary
from .project import PUBLISHED_SITE

WEAK_SHOWN = 3  # "not sure" records that kb lookup shows below the credible ones

# Modules that only some commands need (Jinja, the validator, the renderer) are imported
# inside those commands, so that `kb lookup` starts fast.

SCHEMA_PATH = Path("schema/record.schema.json")
# Installed as `kb` and as `error-atlas` (so that `uvx error-atlas mcp` and `pipx run error-atlas mcp` work).
PROG = "error-atlas" if Path(sys.argv[0]).stem == "error-atlas" else "kb"

DESCRIPTION = """\
Error Atlas: YAML error records in, a searchable static site out.

Records live in signatures/<tool-folder>/<id>.yaml (see CONTRIBUTING.md).
Every command reads them from --signatures DIR, else from $KB_SIGNATURES,
else from ./signatures.
"""

EXIT_CODES = """\
exit status: 0 success, 1 records have problems (or nothing found),
2 usage error.
"""


def signatures_dir(value: str | None) -> Path:
    return Path(value or os.environ.get("KB_SIGNATURES") or "signatures")


def cmd_validate(args) -> int:
    from .validate import validate_folder

    result = validate_folder(signatures_dir(args.signatures))
    problems = result.problems
    if args.paths:
        # Only these files' problems, including the whole-KB rules' problems that land on them.
        wanted = {Path(path).resolve() for path in args.paths}
        missing = [path for path in args.paths if not Path(path).is_file()]
        if missing:
            print(f"kb validate: no such file: {', '.join(missing)}", file=sys.stderr)
            return 2
        problems = [p for p in problems if Path(p.path).resolve() in wanted]
    if problems:
        for problem in sorted(problems):
            print(problem.github() if args.format == "github" else problem.text())
        print(summary(problems).splitlines()[-1], file=sys.stderr)
        print("Each code is explained in CONTRIBUTING.md under 'Validation rules'.", file=sys.stderr)
        return 1
    if args.paths:
        print(f"{len(args.paths)} file{'s' if len(args.paths) != 1 else ''} valid.", file=sys.stderr)
    else:
        count = len(result.records)
        print(f"{count} record{'s' if count != 1 else ''} valid.", file=sys.stderr)
    return 0


def cmd_render(args) -> int:
    from .api import api_files
    from .lookup import index_json
    from .render import SiteOptions, json_feed, redirect_pages, render_site
    from .shards import shard_files
    from .validate import validate_folder

    result = validate_folder(signatures_dir(args.signatures))
    if result.problems:
        print(summary(result.problems), file=sys.stderr)
        return 1
    out = Path(args.out)
    options = SiteOptions(site_url=args.site_url, edit_base=args.edit_base)
    pages = render_site(result.records, options)
    pages["lookup-index.json"] = index_json(result.records)
    pages.update(shard_files(result.records))  # lookup-index/..., on a large knowledge base
    pages["feed.json"] = json_feed(result.records, options)
    pages.update(redirect_pages(result.records))
    pages.update(api_files(result.records, args.site_url))  # api/v1/...: the JSON API (generator/api.py)
    for relative, text in pages.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    print(f"Wrote {len(pages)} files (pages, redirects, lookup-index.json, feed.json, api/v1/) for "
          f"{len(result.records)} records to {out}.",
          file=sys.stderr)
    return 0


def cmd_schema(args) -> int:
    from . import fields

    text = json.dumps(fields.json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.check:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != text:
            print(f"{SCHEMA_PATH} is out of date: run `kb schema --write`.", file=sys.stderr)
            return 1
        print(f"{SCHEMA_PATH} is up to date.", file=sys.stderr)
    elif args.write:
        SCHEMA_PATH.parent.mkdir(parents=True, exist_ok=True)
        SCHEMA_PATH.write_text(text, encoding="utf-8")
        print(f"Wrote {SCHEMA_PATH}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_build(args) -> int:
    """Validate, build the site and its search index into a temporary folder, swap it in only on success."""
    import time

    from .site_index import SiteIndexError, index_site
    from .validate import validate_folder

    folder = signatures_dir(args.signatures)
    result = validate_folder(folder)
    if result.problems:
        print(summary(result.problems), file=sys.stderr)
        print("Nothing was built: fix the records above, then build again.", file=sys.stderr)
        return 1
    site = Path(args.site_dir).resolve()
    site.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=site.parent))
    env = dict(os.environ, KB_SIGNATURES=str(folder.resolve()))
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(staging),
               "--config-file", args.config]
    print(f"[1/2] Building {len(result.records):,} records with: mkdocs build --strict", file=sys.stderr)
    started = time.perf_counter()
    completed = subprocess.run(command, env=env)
    if completed.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"The build failed; {site} was left as it was.", file=sys.stderr)
        return 1
    mkdocs_seconds = time.perf_counter() - started
    print("[2/2] Indexing the pages for the site search with Pagefind", file=sys.stderr)
    try:
        indexed = index_site(staging, echo=lambda line: print(f"      {line}", file=sys.stderr))
    except SiteIndexError as err:
        shutil.rmtree(staging, ignore_errors=True)
        print(err, file=sys.stderr)
        print(f"The site search could not be indexed; {site} was left as it was.", file=sys.stderr)
        return 1
    print(indexed.text(), file=sys.stderr)
    old = site.with_name(site.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if site.exists():
        site.rename(old)
    staging.rename(site)
    shutil.rmtree(old, ignore_errors=True)
    print(f"Site written to {site} (mkdocs {mkdocs_seconds:.1f} s, Pagefind {indexed.seconds:.1f} s).",
          file=sys.stderr)
    return 0


def _read_paste(value: str | None) -> str | None:
    if value is None:
        return None
    if value == "-":
        return sys.stdin.read()
    return value


def _matcher(folder: Path):
    from .index_cache import RecordsInvalidError, load_matcher

    try:
        return load_matcher(folder)
    except RecordsInvalidError as err:
        print(summary(err.problems), file=sys.stderr)
        print("The records have problems (above): fix them, then look up again.", file=sys.stderr)
        return None


def cmd_lookup(args) -> int:
    text = _read_paste(args.text)
    if text is None or not text.strip():
        print("kb lookup: give the error text as an argument, or - to read it from standard input.",
              file=sys.stderr)
        return 2
    if args.limit < 1:
        print("kb lookup: --limit must be at least 1.", file=sys.stderr)
        return 2
    matcher = _matcher(signatures_dir(args.signatures))
    if matcher is None:
        return 2
    answer = matcher.search(text, limit=args.limit, weak=WEAK_SHOWN)
    matches = answer.matches
    if args.show:
        return _show_best(args, matches)
    if args.json:
        shown = matches + (answer.weak if args.weak else [])
        print(json.dumps([match.as_json() for match in shown], indent=2, ensure_ascii=False))
    else:
        if not matches:
            print("No record matches this text with confidence.")
        for rank, match in enumerate(matches, start=1):
            _print_match(rank, match)
        if answer.weak:
            print("\nNot sure: the closest records, below the confidence threshold. Check the signature "
                  "against your error before you trust one:")
            for rank, match in enumerate(answer.weak, start=1):
                _print_match(rank, match)
        if not matches:
            print("\nIf this is a real error that no record covers, add it: `kb new` starts a record from "
                  "your paste (see CONTRIBUTING.md).")
    if answer.skipped:
        first, last = answer.skipped
        print(f"Note: this paste has {answer.lines:,} lines; lines {first:,} to {last:,} were not read (lookup "
              f"reads the first {HEAD_LINES:,} and the last {MAX_LINES - HEAD_LINES:,}). `kb scan FILE` reads "
              "every line.", file=sys.stderr if args.json else sys.stdout)
    return 0 if matches else 1


def _print_match(rank, match) -> None:
    print(f"{rank}. {match.id}  [{match.confidence}, score {match.score}]")
    print(f"   {match.title}")
    print(f"   signature: {match.signature}")
    for name, value in match.variables.items():
        print(f"   {name} = {value}")
    print(f"   line {match.line}: {match.line_text[:160]}")


def cmd_scan(args) -> int:
    from .lookup import scan

    matcher = _matcher(signatures_dir(args.signatures))
    if matcher is None:
        return 2
    try:
        stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8", errors="replace")
    except OSError as err:
        print(f"kb scan: cannot read {args.file}: {err.strerror}", file=sys.stderr)
        return 2
    with stream:
        findings = scan(matcher, stream)
    if args.json:
        print(json.dumps([finding.as_json() for finding in findings], indent=2, ensure_ascii=False))
    elif not findings:
        print("No known error found in this log.")
    else:
        for finding in findings:
            times = f" ({finding.count} lines)" if finding.count > 1 else ""
            print(f"line {finding.line}: {finding.id}{times}")
            print(f"   {finding.title}")
            print(f"   {finding.line_text[:160]}")
    return 0 if findings else 1


def cmd_new(args) -> int:
    import datetime as dt

    from . import scaffold
    from .redact import redact
    from .files import record_files

    text = _read_paste(args.text)
    if text is None or not text.strip():
        print("kb new: give the error text as an argument, or - to read it from standard input.", file=sys.stderr)
        return 2
    from .lookup import Matcher, build_index
    from .records import slugify
    from .validate import validate_folder

    folder = signatures_dir(args.signatures)
    paste, redacted = redact(text.strip("\n"))
    # Unfinished records (a skeleton still full of TODOs) must not stop the next `kb new`:
    # look the paste up among the records that are valid on their own.
    matcher = Matcher(build_index(validate_folder(folder).usable))
    matches = matcher.lookup(paste, limit=5)
    covering = [m for m in matches if m.confidence in ("exact", "likely")]
    if covering and not args.force:
        best = covering[0]
        print(f"Already covered: {best.id} ({best.confidence}, score {best.score})")
        print(f"   {best.title}")
        print(f"   record: {_record_path(folder, best.id)}")
        print(f"   page:   errors/{best.id}/")
        print("Improve that record instead (add your paste to its examples), or run again with --force "
              "if this is a different error.")
        return 1
    for near in matches:
        print(f"Near miss: {near.id} ({near.confidence}, score {near.score}): {near.title}")
    line = scaffold.error_line(paste)
    template = scaffold.propose_template(line)
    tool, category = args.tool or "", ""
    for record in matcher.records:
        if tool and record["tool"].lower() == tool.lower():
            tool = record["tool"]  # the spelling the knowledge base already uses
            category = _category_of(folder, record["id"]) or ""
            break
    taken = {path.stem for path in record_files(folder)}
    record_id = scaffold.propose_id(tool, template, taken)
    target = folder / (slugify(tool) if tool else "unsorted") / f"{record_id}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8") as out:
            out.write(scaffold.skeleton(paste, template, tool, category, dt.date.today()))
    except FileExistsError:
        print(f"kb new: {target} already exists; nothing was written.", file=sys.stderr)
        return 1
    if redacted:
        print(f"Redacted before writing: {', '.join(redacted)}. Check the example still shows the error.")
    print(f"Wrote {target}")
    print(f"   signature: {template}")
    print("Next: replace every TODO, then run `kb validate` and `kb lookup` with your paste.")
    if not tool:
        print("No --tool given: set `tool:` and move the file into signatures/<tool-folder>/.")
    return 0


def _record_path(folder: Path, record_id: str) -> str:
    from .files import record_files

    for path in record_files(folder):
        if path.stem == record_id:
            return str(path)
    return f"{record_id}.yaml"


def _category_of(folder: Path, record_id: str) -> str | None:
    from .yamlsafe import load_file

    path = _record_path(folder, record_id)
    data = load_file(Path(path), path).data
    return data.get("category") if isinstance(data, dict) else None


def _show_best(args, matches) -> int:
    """kb lookup --show: the best credible match in full, as `kb show` prints it."""
    best = next((m for m in matches if m.confidence in ("exact", "likely", "possible")), None)
    if best is None:
        print("No record matches this text. If it is a real error, add it: see CONTRIBUTING.md.")
        return 1
    others = len(matches) - 1
    more = f"; {others} other match{'es' if others != 1 else ''}: kb lookup without --show" if others else ""
    print(f"Best match: {best.id} ({best.confidence}, score {best.score}){more}\n", file=sys.stderr)
    return _show_record(args, best.id)


def _show_record(args, record_id: str) -> int:
    import difflib

    from .api import record_json
    from .terminal_text import page, render, use_colour, width
    from .validate import validate_folder

    folder = signatures_dir(args.signatures)
    records = validate_folder(folder).usable  # a broken record elsewhere must not hide this one
    by_id = {record.id: record for record in records}
    renamed = {alias: record.id for record in records for alias in record.aliases}
    if record_id not in by_id and record_id in renamed:
        print(f"{record_id} was renamed to {renamed[record_id]}.", file=sys.stderr)
        record_id = renamed[record_id]
    record = by_id.get(record_id)
    if record is None:
        close = difflib.get_close_matches(record_id, list(by_id) + list(renamed), n=3, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        print(f"kb show: no record has the id {record_id!r} in {folder}.{hint}\n"
              "To find a record from an error message: kb lookup \"<the error text>\"", file=sys.stderr)
        return 1
    # kb lookup --show has neither option: colour and pager as on auto.
    colour = use_colour(getattr(args, "color", "auto"))
    text = render(record_json(record, PUBLISHED_SITE), colour=colour, columns=width())
    page(text, use_pager=not getattr(args, "no_pager", False))
    return 0


def cmd_show(args) -> int:
    return _show_record(args, args.id.strip())


def cmd_mcp(args) -> int:
    from .catalog import CatalogError, DiskCatalog, SiteCatalog

    if args.max_chars < 2000:
        print("kb mcp: --max-chars must be at least 2000.", file=sys.stderr)
        return 2
    if args.site:
        try:
            catalog = SiteCatalog(args.site, timeout=args.timeout)
        except CatalogError as err:
            print(f"kb mcp: {err}", file=sys.stderr)
            return 2
    else:
        folder = signatures_dir(args.signatures)
        if not folder.is_dir():
            print(f"kb mcp: there is no signatures folder at {folder}. Pass --signatures DIR (the signatures/ "
                  "folder of a clone), or --site URL to read a published site, for example\n"
                  "  kb mcp --site https://error-atlas.github.io/error-atlas/", file=sys.stderr)
            return 2
        catalog = DiskCatalog(folder, site_url=args.site_url)
    from . import mcp_server

    if sys.stdin.isatty():
        print("kb mcp speaks the Model Context Protocol on standard input and output: start it from an MCP\n"
              "client (README.md shows Claude Code, Codex, Cursor and VS Code). Waiting for a client; Ctrl-C stops.",
              file=sys.stderr)
    mcp_server.run(catalog, budget=args.max_chars)
    return 0
def cmd_sources_check(args) -> int:
    from . import sources_check

    return sources_check.command(args, signatures_dir(args.signatures), sys.stdout, sys.stderr)


def cmd_report(args) -> int:
    from . import report

    return report.command(args, signatures_dir(args.signatures), sys.stdout, sys.stderr)


def cmd_rules(args) -> int:
    for code, text in RULES.items():
        print(f"{code}  {text}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description=DESCRIPTION, epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name, function, help_text, description=None):
        sub = commands.add_parser(name, help=help_text, description=description or help_text,
                                  formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXIT_CODES)
        sub.set_defaults(function=function)
        return sub

    def add_signatures(sub):
        sub.add_argument("--signatures", metavar="DIR",
                         help="folder of records (default: $KB_SIGNATURES, else ./signatures)")

    sub = command("validate", cmd_validate, "check every record and list every problem",
                  "Check every record and print each problem as path:line:column: CODE message.\n"
                  "Exits 1 when any record has a problem. `kb rules` lists the codes.\n\n"
                  "With PATH arguments (a pre-commit hook passes the changed files), only problems in\n"
                  "those files are reported, including the whole-knowledge-base rules (unique ids,\n"
                  "related ids, colliding signatures) that concern them.")
    add_signatures(sub)
    sub.add_argument("paths", nargs="*", metavar="PATH", help="record files to report on (default: all)")
    sub.add_argument("--format", choices=("text", "github"), default="text",
                     help="text (default) or github: GitHub Actions annotations for pull requests")

    sub = command("render", cmd_render, "write the generated Markdown pages to a folder",
                  "Validate, then write every generated page (records, tools, categories) as Markdown\n"
                  "with YAML front matter, the lookup index (lookup-index.json), the JSON feed\n"
                  "of recently updated records (feed.json) and the JSON API (api/v1/) into OUT.\n"
                  "Engine-independent: no MkDocs involved.")
    add_signatures(sub)
    sub.add_argument("--out", required=True, metavar="OUT", help="folder to write into")
    sub.add_argument("--site-url", default="", help="absolute site URL used in structured data")
    sub.add_argument("--edit-base", default="", help="URL that a record's path is appended to for edit links")

    sub = command("build", cmd_build, "validate, then build the site (mkdocs --strict) and its search index",
                  "Validate the records, then, in a temporary folder:\n"
                  "  1. run `mkdocs build --strict` (the pages, the lookup index, the feed);\n"
                  "  2. run Pagefind over the built pages, which writes the site search's index to\n"
                  "     pagefind/ (the binary comes with the pinned pagefind[bin] package).\n"
                  "SITE_DIR is replaced only when both steps succeeded: a failed build or index never\n"
                  "leaves a half-built site, and the previous site stays as it was.")
    add_signatures(sub)
    sub.add_argument("--site-dir", default="site", help="where the site goes (default: site)")
    sub.add_argument("--config", default="mkdocs.yml", help="MkDocs configuration (default: mkdocs.yml)")

    sub = command("schema", cmd_schema, "print the JSON Schema of the record format",
                  "Print the JSON Schema that editors use, generated from the same declarations\n"
                  "as the validator. --write updates schema/record.schema.json; --check fails when\n"
                  "it is out of date.")
    mode = sub.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help=f"write {SCHEMA_PATH}")
    mode.add_argument("--check", action="store_true", help=f"exit 1 when {SCHEMA_PATH} is out of date")

    sub = command("lookup", cmd_lookup, "find the record that explains an error message or log",
                  "Find the records that explain a pasted error: one line, or a whole log with\n"
                  "timestamps, colours and stack frames. Prints ranked matches, best first, with a\n"
                  "score (0-100) and a confidence: exact (the signature matched), likely (score\n"
                  f"{LIKELY} or more) or possible ({POSSIBLE} or more). Below them, under \"Not sure\",\n"
                  f"up to {WEAK_SHOWN} of the closest records that score {WEAK}-{POSSIBLE - 1} (confidence weak): "
                  "not answers,\nleads to check. A paste of more than "
                  f"{MAX_LINES:,} lines is read at its first {HEAD_LINES:,} and\n"
                  f"last {MAX_LINES - HEAD_LINES:,} lines, and says which lines it skipped (`kb scan` reads them all).\n"
                  "Exit status: 0 when a credible match was found, 1 when none, 2 on bad input.\n\n"
                  "examples:\n"
                  "  kb lookup \"No OAuth flow is in progress for asana\"\n"
                  "  pbpaste | kb lookup -\n"
                  "  kb lookup --json - < error.log")
    add_signatures(sub)
    sub.add_argument("text", nargs="?", metavar="TEXT", help="the error text, or - for standard input")
    sub.add_argument("--limit", type=int, default=5, help="how many matches at most (default 5)")
    sub.add_argument("--json", action="store_true",
                     help="print a JSON array of the credible matches: {id, title, score, confidence, signature, "
                          "variables, line, line_text}")
    sub.add_argument("--weak", action="store_true",
                     help=f"with --json, add the \"not sure\" records after the credible ones (confidence weak, "
                          f"score {WEAK}-{POSSIBLE - 1})")
    sub.add_argument("--show", action="store_true",
                     help="show the best match in full, as `kb show` does (the other matches are only counted)")

    sub = command("scan", cmd_scan, "list every known error in a long log, with line numbers",
                  "Read a log (a file, or - for standard input) line by line and list each record\n"
                  "whose signature appears in it, once, at its first line, with how many lines\n"
                  "matched. Only exact signature matches are reported.")
    add_signatures(sub)
    sub.add_argument("file", metavar="FILE", help="the log file, or - for standard input")
    sub.add_argument("--json", action="store_true", help="print a JSON array of findings")

    sub = command("new", cmd_new, "start a record from a pasted error",
                  "Start a record from a pasted error. Looks the paste up first: when a record\n"
                  "already covers it, names that record and stops (unless --force). Otherwise writes\n"
                  "signatures/<tool-folder>/<id>.yaml with a proposed signature (variable parts as\n"
                  "{placeholders}), the paste as the first example, and a TODO marker in every\n"
                  "field you must write. Secrets (tokens, keys, passwords in URLs, e-mail addresses)\n"
                  "are redacted before anything is written. Never overwrites a file.\n\n"
                  "example:\n"
                  "  kb new --tool \"Claude Code\" \"Error: something failed for server asana\"")
    add_signatures(sub)
    sub.add_argument("text", nargs="?", metavar="TEXT", help="the error text, or - for standard input")
    sub.add_argument("--tool", help="the tool that prints the error, e.g. \"Claude Code\"")
    sub.add_argument("--force", action="store_true", help="write a new record even when one seems to cover it")

    sub = command("show", cmd_show, "show a record in the terminal: meaning, causes, fixes, sources",
                  "Show one record in full, like `rustc --explain`: title, what it means, its causes and\n"
                  "fixes, and the sources behind them. On a terminal: colour, and a pager ($PAGER, else\n"
                  "less -R); piped: plain text. A former id (listed in a record's aliases) shows the record\n"
                  "it was renamed to; an unknown id gets the closest ids.\n\n"
                  "examples:\n"
                  "  kb show claude-code-mcp-connection-closed\n"
                  "  kb lookup --show \"No OAuth flow is in progress for asana\"")
    add_signatures(sub)
    sub.add_argument("id", metavar="ID", help="the record's id (its file name without .yaml)")
    sub.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="auto (default): colour on a terminal unless NO_COLOR is set")
    sub.add_argument("--no-pager", action="store_true", help="print straight to the terminal")

    sub = command("mcp", cmd_mcp, "serve the records to AI agents over MCP (stdio)",
                  "Run an MCP server on standard input and output, for AI coding agents (Claude Code, Codex,\n"
                  "Cursor, VS Code...). Tools: lookup_error(text, limit), get_error(id),\n"
                  "list_errors(tool, category, tag); resources error-atlas://errors/{id}.\n\n"
                  "Records come from a signatures folder (--signatures, as every command) or from a\n"
                  "published site (--site URL), whose api/v1/index.json and lookup-index.json are downloaded\n"
                  "and cached (in $KB_CACHE_DIR, else the user cache folder) and checked for changes every\n"
                  "ten minutes. Pasted text is matched locally: it is never logged or sent anywhere.\n\n"
                  "Setting it up in Claude Code, Codex, Cursor and VS Code: README.md.\n\n"
                  "examples:\n"
                  "  claude mcp add error-atlas -- kb mcp --signatures /path/to/error-atlas/signatures\n"
                  "  kb mcp --site https://error-atlas.github.io/error-atlas/")
    source = sub.add_mutually_exclusive_group()
    source.add_argument("--signatures", metavar="DIR",
                        help="folder of records (default: $KB_SIGNATURES, else ./signatures)")
    source.add_argument("--site", metavar="URL", help="read the records of a published site instead")
    sub.add_argument("--site-url", default=PUBLISHED_SITE, metavar="URL",
                     help=f"with --signatures: the site that page links point to (default {PUBLISHED_SITE})")
    sub.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                     help="with --site: the longest wait for one request (default 10)")
    sub.add_argument("--max-chars", type=int, default=10_000, metavar="N",
                     help="the longest lookup_error answer, in characters (default 10000, about 2500 tokens)")

    command("rules", cmd_rules, "list the validation rules and their codes")
    add_upstream_commands(commands, add_signatures)
    return parser


# `kb sources check` and `kb report`. Their modules load urllib and threads, so the parser
# does not import them (kb lookup must start fast); tests/test_sources_check.py checks that
# these copies agree with the modules.
SNAPSHOT_HELP = "the upstream snapshot (default: data/upstream.json)"
DEFAULT_API = "https://api.github.com"
MAX_CONCURRENCY = 8
STALE_DAYS = 90
CHECK_EXIT_CODES = """\
exit status:
  0  every cited URL and repository answered (a 404 or a move is an answer too);
     the snapshot was written, or was already up to date
  1  some could not be checked (each is listed with the reason); the snapshot was
     written, and those kept their previous entries
  2  usage error: invalid records, an unreadable snapshot, no token for github.com
  3  nothing could be checked (GitHub unreachable, the token refused, a rate limit
     resetting later than --max-wait); the snapshot was left as it was
"""
REPORT_EXIT_CODES = """\
exit status: 0 the report was printed (with or without findings),
2 usage error (invalid records, an unreadable snapshot).
"""


def add_upstream_commands(commands, add_signatures) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    sources = commands.add_parser("sources", help="check the cited GitHub issues, pull requests and releases",
                                  description="Commands about the sources records cite.", formatter_class=raw)
    def sources_without_command(args) -> int:
        sources.print_help()
        return 2

    sources.set_defaults(function=sources_without_command)
    sub = sources.add_subparsers(dest="sources_command", metavar="COMMAND").add_parser(
        "check", formatter_class=raw, epilog=CHECK_EXIT_CODES,
        help="ask GitHub for the state of every cited issue, pull request and release",
        description=(
            "Ask GitHub about every issue and pull request the records cite (in sources, or\n"
            "linked from their text): state, state reason, closing and merge dates, title,\n"
            "labels, and where it moved. For every repository whose releases or changelog a\n"
            "record cites: its latest release. Writes the answers to the snapshot, sorted, one\n"
            "entry per URL, and prints what changed since the last check.\n\n"
            "Uses GitHub's GraphQL API in batches (about 20 requests for 1,000 URLs), one\n"
            "request at a time, with the token in $GITHUB_TOKEN (any token; no scopes needed).\n"
            "Rate limits are waited out (up to --max-wait); timeouts, 5xx and malformed answers\n"
            "are retried with backoff. A URL that cannot be checked is listed with the reason\n"
            "and keeps its previous entry. A run that changes nothing upstream writes nothing.\n\n"
            "examples:\n"
            "  GITHUB_TOKEN=\"$(gh auth token)\" kb sources check\n"
            "  kb sources check --api-url https://github.example.com/api/v3   # GitHub Enterprise Server"))
    sub.set_defaults(function=cmd_sources_check)
    add_signatures(sub)
    sub.add_argument("--snapshot", default="data/upstream.json", metavar="PATH", help=SNAPSHOT_HELP)
    sub.add_argument("--api-url", default=DEFAULT_API, metavar="URL",
                     help=f"the GitHub API (default: {DEFAULT_API}; tests point it at a fake)")
    sub.add_argument("--batch-size", type=int, default=50, metavar="N",
                     help="issues and repositories per GraphQL query, 1-100 (default 50)")
    sub.add_argument("--concurrency", type=int, default=1, metavar="N",
                     help=f"requests in flight, 1-{MAX_CONCURRENCY} (default 1, as GitHub advises)")
    sub.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                     help="give up on a request after this long (default 30); retried with backoff")
    sub.add_argument("--attempts", type=int, default=3, metavar="N",
                     help="tries per request for timeouts, 5xx and malformed answers (default 3)")
    sub.add_argument("--max-wait", type=float, default=900.0, metavar="SECONDS",
                     help="the longest rate-limit wait to sit out (default 900); longer stops the run")
    sub.add_argument("--today", metavar="DATE", help="the date written into the snapshot (default: today, UTC)")
    sub.add_argument("--verbose", action="store_true",
                     help="also list new and unchanged URLs, and every failed one (not 10 per reason)")

    sub = commands.add_parser(
        "report", formatter_class=raw, epilog=REPORT_EXIT_CODES,
        help="list the records a maintainer should re-check",
        description=(
            "List the records that need a maintainer, from the records and the upstream snapshot:\n"
            "- cited issues that changed state after the record's `verified` date (or `updated`);\n"
            "- a `status` the cited issues contradict (open while all are closed, fixed while\n"
            "  all are open);\n"
            "- sources GitHub answers 404 for, or that moved;\n"
            "- releases of the tool newer than the record's `verified.version`;\n"
            "- source titles that differ from the thread's title on GitHub;\n"
            f"- records not verified for {STALE_DAYS} days, or never.\n\n"
            "The site shows the same report at maintainers/report/ (not in the navigation).\n\n"
            "examples:\n"
            "  kb report\n"
            "  kb report --format markdown --link-base https://github.com/OWNER/REPO/blob/main/signatures/"))
    sub.set_defaults(function=cmd_report)
    add_signatures(sub)
    sub.add_argument("--snapshot", default="data/upstream.json", metavar="PATH", help=SNAPSHOT_HELP)
    sub.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                     help="text (default), markdown (for a pull request or an issue) or json")
    sub.add_argument("--link-base", default="", metavar="URL",
                     help="with --format markdown: URL that a record's path is appended to, for links")
    sub.add_argument("--today", metavar="DATE", help=f"count the {STALE_DAYS} days from this date (default: today)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "function", None):
        parser.print_help()
        return 2
    try:
        return args.function(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
