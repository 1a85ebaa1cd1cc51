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
from .lookup import LIKELY, POSSIBLE
from .problems import RULES, summary

# Modules that only some commands need (Jinja, the validator, the renderer) are imported
# inside those commands, so that `kb lookup` starts fast.

SCHEMA_PATH = Path("schema/record.schema.json")

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
    for relative, text in pages.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    print(f"Wrote {len(pages)} files (pages, redirects, lookup-index.json, feed.json) for "
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
    matches = matcher.lookup(text, limit=args.limit)
    if args.json:
        print(json.dumps([match.as_json() for match in matches], indent=2, ensure_ascii=False))
    elif not matches:
        print("No record matches this text. If it is a real error, add it: see CONTRIBUTING.md.")
    else:
        for rank, match in enumerate(matches, start=1):
            print(f"{rank}. {match.id}  [{match.confidence}, score {match.score}]")
            print(f"   {match.title}")
            print(f"   signature: {match.signature}")
            for name, value in match.variables.items():
                print(f"   {name} = {value}")
            print(f"   line {match.line}: {match.line_text[:160]}")
    return 0 if matches else 1


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


def cmd_rules(args) -> int:
    for code, text in RULES.items():
        print(f"{code}  {text}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kb", description=DESCRIPTION, epilog=EXIT_CODES,
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
                  "with YAML front matter, the lookup index (lookup-index.json) and the JSON feed\n"
                  "of recently updated records (feed.json) into OUT.\n"
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
                  f"{LIKELY} or more) or possible ({POSSIBLE} or more). Weaker matches are not shown.\n\n"
                  "examples:\n"
                  "  kb lookup \"No OAuth flow is in progress for asana\"\n"
                  "  pbpaste | kb lookup -\n"
                  "  kb lookup --json - < error.log")
    add_signatures(sub)
    sub.add_argument("text", nargs="?", metavar="TEXT", help="the error text, or - for standard input")
    sub.add_argument("--limit", type=int, default=5, help="how many matches at most (default 5)")
    sub.add_argument("--json", action="store_true",
                     help="print a JSON array of {id, title, score, confidence, signature, variables, line, "
                          "line_text}")

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

    command("rules", cmd_rules, "list the validation rules and their codes")
    return parser


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
