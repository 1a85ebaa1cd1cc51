"""Remember the last validation of a signatures folder, so an unchanged folder is not parsed twice.

`kb build` validates, then MkDocs loads the records again through the hook;
`mkdocs serve` reloads them on every change. The cache key is the folder's
fingerprint (every record file's path, size and modification time, and a
hash of the generator's own source), so a changed record or a changed rule
always means a fresh validation. Stored beside the lookup cache.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .files import cache_file, read_cache, write_cache
from .problems import Problem


def _plain(value):
    """Dates become ISO strings (marshal knows no dates; Record.from_data reads either)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def load(folder: Path, current_key: str):
    """(records as (id, rel_path, data), problems, usable ids) when the cache is current, else None."""
    cached = read_cache(cache_file(folder, "validation"))
    if not cached or cached.get("key") != current_key:
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
    write_cache(cache_file(folder, "validation"), data)
