"""The lookup index, cached on disk so a lookup does not parse every YAML file.

The cache holds the index, the matcher's prepared state and a fingerprint of
the signatures folder: the path, size and modification time of every record.
A lookup only stats the files; it re-validates and rebuilds the cache when any
of them changed. The cache is written with marshal: plain lists and dicts,
fast to load, and unlike pickle it cannot run code.
"""
from __future__ import annotations

import hashlib
import marshal
from pathlib import Path

from .lookup import INDEX_VERSION, Matcher, build_index, prepare
from .files import cache_root, fingerprint


class RecordsInvalidError(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"{len(problems)} problems in the records")


def cache_path(folder: Path) -> Path:
    name = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return cache_root(folder) / f"lookup-{name}.marshal"


def load_index(folder: Path) -> dict:
    """The index for `folder`, from the cache when it is current, else rebuilt (and cached)."""
    return _load(Path(folder))[0]


def load_matcher(folder: Path) -> Matcher:
    index, state = _load(Path(folder))
    return Matcher(index, state)


def _load(folder: Path) -> tuple[dict, dict]:
    current = fingerprint(folder)
    path = cache_path(folder)
    try:
        cached = marshal.loads(path.read_bytes())
        if cached.get("fingerprint") == current:
            return cached["index"], cached["state"]
    except (OSError, ValueError, EOFError, TypeError, KeyError, AttributeError):
        pass  # no cache yet, or unreadable: rebuild it
    from .validate import validate_folder  # only on a cache miss: a lookup should not import it

    result = validate_folder(folder)
    if result.problems:
        raise RecordsInvalidError(result.problems)
    index = build_index(result.records)
    state = prepare(index)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(marshal.dumps({"fingerprint": current, "index": index, "state": state}))
        temporary.replace(path)
    except OSError:
        pass  # a read-only checkout still works, just without the cache
    return index, state
