"""The lookup index, cached on disk so a lookup does not parse every YAML file.

The cache holds the index, the matcher's prepared state and a fingerprint of
the signatures folder: the path, size and modification time of every record.
A lookup only stats the files; it re-validates and rebuilds the cache when any
of them changed.
"""
from __future__ import annotations

from pathlib import Path

from .files import cache_file, fingerprint, read_cache, write_cache
from .lookup import Matcher, build_index, prepare


class RecordsInvalidError(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"{len(problems)} problems in the records")


def load_index(folder: Path) -> dict:
    """The index for `folder`, from the cache when it is current, else rebuilt (and cached)."""
    return _load(Path(folder))[0]


def load_matcher(folder: Path) -> Matcher:
    index, state = _load(Path(folder))
    return Matcher(index, state)


def _load(folder: Path) -> tuple[dict, dict]:
    current = fingerprint(folder)
    path = cache_file(folder, "lookup")
    cached = read_cache(path)
    if cached and cached.get("fingerprint") == current and "index" in cached and "state" in cached:
        return cached["index"], cached["state"]
    from .validate import validate_folder  # only on a cache miss: a lookup should not import it

    result = validate_folder(folder)
    if result.problems:
        raise RecordsInvalidError(result.problems)
    index = build_index(result.records)
    state = prepare(index)
    write_cache(path, {"fingerprint": current, "index": index, "state": state})
    return index, state
