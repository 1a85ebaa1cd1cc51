"""Remember the last validation of a signatures folder, so an unchanged folder is not parsed twice.

`kb build` validates, then MkDocs loads the records again through the hook;
`mkdocs serve` reloads them on every change. The cache key is the folder's
fingerprint (every record file's path, size and modification time, and a
hash of the generator's own source), so a changed record or a changed rule
always means a fresh validation. Stored with marshal (plain data; it cannot
run code), beside the lookup cache.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import marshal
from pathlib import Path

from .files import cache_root, fingerprint
from .problems import Problem

def _path(folder: Path) -> Path:
    name = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return cache_root(folder) / f"validation-{name}.marshal"


def _plain(value):
    """Dates become ISO strings (marshal knows no dates; Record.from_data reads either)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def key(folder: Path) -> str:
    return fingerprint(folder)  # covers the records and the validator's own code


def load(folder: Path, current_key: str):
    """(records as (id, rel_path, data), problems, usable ids) when the cache is current, else None."""
    try:
        cached = marshal.loads(_path(folder).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(cached, dict) or cached.get("key") != current_key:
        return None
    problems = [Problem(*fields) for fields in cached["problems"]]
    return cached["records"], problems, set(cached["usable"])


def store(folder: Path, current_key: str, records, problems, usable_ids) -> None:
    data = {
        "key": current_key,
        "records": [(record_id, rel_path, _plain(values)) for record_id, rel_path, values in records],
        "problems": [(p.path, p.line, p.column, p.code, p.message) for p in problems],
        "usable": sorted(usable_ids),
    }
    path = _path(folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(marshal.dumps(data))
        temporary.replace(path)
    except OSError:
        pass  # a read-only checkout still validates, just every time
