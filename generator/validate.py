"""Load every record of a signatures folder and report every problem in every file.

Per-file rules come from the declarations in fields.py; the rules that need
the whole knowledge base (unique ids, related ids, one spelling per tool) run
afterwards. Nothing here raises for bad input: problems are returned.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import fields, validation_cache, yamlsafe
from .files import fingerprint, record_files
from .parallel import map_chunks
from .signature import TemplateError, parse
from .problems import Problem
from .records import Record, slugify

RECORD_SUFFIX = ".yaml"


@dataclass
class Result:
    records: list[Record] = field(default_factory=list)  # all of them, when none has a problem
    problems: list[Problem] = field(default_factory=list)
    usable: list[Record] = field(default_factory=list)  # the records valid on their own, always


def shown(path: Path) -> str:
    """The path as a contributor's editor wants it: relative to here when possible."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def validate_folder(root: Path, use_cache: bool = True) -> Result:
    root = Path(root)
    result = Result()
    if not root.is_dir():
        result.problems.append(Problem(shown(root), 1, 1, "EA006",
                                       f"signatures folder {shown(root)} does not exist"))
        return result
    cache_key = fingerprint(root) if use_cache else None
    cached = validation_cache.load(root, cache_key) if cache_key else None
    if cached:
        stored, result.problems, usable_ids = cached
        result.usable = [Record.from_data(*entry) for entry in stored if entry[0] in usable_ids]
        result.records = [] if result.problems else result.usable
        return result
    loaded: list[tuple[Path, str, dict, _Positions]] = []
    for path, (record_id, data, document, problems) in map_chunks(partial(_check_files, root), record_files(root)):
        result.problems.extend(problems)
        if data is not None:
            loaded.append((path, record_id, data, document))
    result.problems.extend(check_knowledge_base(loaded))
    # The lookup rules run on every record that is valid on its own, even when others are not.
    broken = {problem.path for problem in result.problems}
    sound = [(path, record_id, data, document) for path, record_id, data, document in loaded
             if shown(path) not in broken]
    records = [Record.from_data(record_id, path.relative_to(root).as_posix(), data)
               for path, record_id, data, _ in sound]
    documents = {record_id: (path, document) for path, record_id, _, document in sound}
    result.problems.extend(check_lookups(records, documents))
    result.usable = records
    if not result.problems:
        result.records = records
    if cache_key:
        sound_data = [(record.id, record.rel_path, data) for record, (_, _, data, _) in zip(records, sound)]
        validation_cache.store(root, cache_key, sound_data, result.problems, {r.id for r in records})
    return result


def _check_files(root: Path, paths: list[Path]) -> list:
    """check_file for each path, without the loaded documents: they only matter for positions,
    and a file's positions are read again, by _Positions, only if a whole-KB rule needs one."""
    results = []
    for path in paths:
        record_id, data, document, problems = check_file(root, path)
        results.append((path, (record_id, data, _Positions(path), problems)))
    return results


class _Positions:
    """Where values are in a record file, loaded on first use."""

    def __init__(self, path: Path):
        self.path = path
        self._document = None

    def where(self, at, key: bool = False):
        if self._document is None:
            self._document = yamlsafe.load_file(self.path, shown(self.path))
        return self._document.where(at, key=key)


def check_file(root: Path, path: Path):
    """(id, data or None, loaded document, problems) for one file."""
    name = shown(path)
    problems: list[Problem] = []
    record_id = path.stem
    relative = path.relative_to(root)
    if path.suffix != RECORD_SUFFIX:
        problems.append(Problem(name, 1, 1, "EA006", f"records end in .yaml: rename it to {record_id}.yaml"))
    if len(relative.parts) != 2:
        problems.append(Problem(name, 1, 1, "EA006",
                                "a record lives at signatures/<tool-folder>/<id>.yaml: move it into one tool folder"))
    elif not fields.ID.match(relative.parts[0]):
        problems.append(Problem(name, 1, 1, "EA006", f"folder name '{relative.parts[0]}' must use lowercase "
                                                     "letters, digits and hyphens"))
    if not fields.ID.match(record_id):
        suggestion = slugify(record_id)
        problems.append(Problem(name, 1, 1, "EA006", f"file name '{record_id}' is not a valid id: use lowercase "
                                                     f"letters, digits and hyphens, like '{suggestion}'"))
    document = yamlsafe.load_file(path, name)
    problems.extend(document.problems)
    if document.data is None:
        return record_id, None, document, problems

    def report(at, code, message, at_key=False, offset=None):
        if offset is not None:
            line, column = document.where_inside(at, *offset)
        else:
            line, column = document.where(at, key=at_key)
        problems.append(Problem(name, line, column, code, message))

    fields.RECORD.check(document.data, (), report)
    _check_examples(document.data, report)
    return record_id, document.data, document, problems


def _check_examples(data: dict, report) -> None:
    signatures = data.get("signatures")
    examples = data.get("examples")
    if not isinstance(signatures, list) or not isinstance(examples, list):
        return
    templates = []
    for item in signatures:
        try:
            templates.append(parse(fields.signature_text(item)))
        except (TemplateError, TypeError):
            return  # already reported; examples cannot be checked against a broken template
    for index, example in enumerate(examples):
        if isinstance(example, str) and example.strip():
            if all(template.first_match(example) is None for template in templates):
                report(("examples", index), "EA016",
                       "this example matches none of the record's signatures: copy the literal words of a "
                       "signature verbatim, or add a signature that covers it")


def check_lookups(records: list[Record], documents: dict) -> list[Problem]:
    """Each signature and example must find its own record first among the exact matches.

    Only exact matches can outrank a record on its own example (its signature
    matches exactly, and exact beats fuzzy), so these checks run the exact
    stage alone. A signature is tried as a paste with every placeholder filled.
    """
    from .lookup import Matcher, build_index  # rapidfuzz is only needed for the whole-KB rules

    matcher = Matcher(build_index(records))
    problems = []

    def report(record, field, index, message):
        path, document = documents[record.id]
        # A signature written as a mapping is reported at its `text` (where() falls back to the item).
        line, column = document.where((field, index, "text") if field == "signatures" else (field, index))
        problems.append(Problem(shown(path), line, column, "EA023" if field == "signatures" else "EA024", message))

    for record in records:
        for index, template in enumerate(record.templates):
            paste = template.fill({name: f"x{number}" for number, name in enumerate(template.placeholders)})
            first = matcher.first_exact(paste)
            if first and first[0] != record.id:
                report(record, "signatures", index,
                       f"{record.id} and {first[0]} cannot be told apart: the paste {paste[:120]!r} finds "
                       f"{first[0]} first (its signature {first[1]!r}); make one of them more specific")
        for index, example in enumerate(record.examples):
            first = matcher.first_exact(example)
            if first and first[0] != record.id:
                report(record, "examples", index,
                       f"this example of {record.id} finds {first[0]} first (its signature "
                       f"{first[1]!r} matches on line {first[2]}): make the signatures more specific")
    return problems


def check_knowledge_base(loaded) -> list[Problem]:
    problems = []
    by_id: dict[str, Path] = {}
    for path, record_id, _, _ in loaded:
        if record_id in by_id:
            problems.append(Problem(shown(path), 1, 1, "EA007",
                                    f"id '{record_id}' is already used by {shown(by_id[record_id])}: "
                                    "ids are unique across all folders"))
        else:
            by_id[record_id] = path
    for path, record_id, data, document in loaded:
        aliases = data.get("aliases")
        for index, alias in enumerate(aliases if isinstance(aliases, list) else []):
            if not isinstance(alias, str):
                continue
            if alias in by_id:
                line, column = document.where(("aliases", index))
                problems.append(Problem(shown(path), line, column, "EA007",
                                        f"alias '{alias}' is the id of {shown(by_id[alias])}: an alias is a "
                                        "former id that no record uses any more"))
            else:
                by_id[alias] = path
    spellings: dict[tuple[str, str], tuple[str, Path]] = {}
    for path, record_id, data, document in loaded:
        related_ids = data.get("related")
        for index, related in enumerate(related_ids if isinstance(related_ids, list) else []):
            if not isinstance(related, str):
                continue
            if related == record_id:
                line, column = document.where(("related", index))
                problems.append(Problem(shown(path), line, column, "EA017", "a record cannot be related to itself"))
            elif related not in by_id:
                line, column = document.where(("related", index))
                problems.append(Problem(shown(path), line, column, "EA017",
                                        f"related id '{related}' does not exist: use the file name (without "
                                        ".yaml) of another record"))
        for key in ("tool", "category"):
            value = data.get(key)
            if not isinstance(value, str):
                continue
            first = spellings.setdefault((key, slugify(value)), (value, path))
            if first[0] != value:
                line, column = document.where((key,))
                problems.append(Problem(shown(path), line, column, "EA021",
                                        f"{key} '{value}' is spelled '{first[0]}' in {shown(first[1])}: "
                                        "use one spelling"))
    return problems
