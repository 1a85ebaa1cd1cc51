"""Which files are records, and where caches about them live."""
from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path

from .lookup import INDEX_VERSION


def record_files(root: Path) -> list[Path]:
    """Every file under root that is, or looks meant to be, a record (.yaml, or a misnamed .yml)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                found.append(Path(dirpath) / name)
    return found


def engine_hash() -> str:
    """Changes whenever the code that caches depend on changes (a new rule, a new weight)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(folder: Path) -> str:
    """Changes whenever a record file is added, removed, resized or touched, or the code changes."""
    digest = hashlib.sha256(f"v{INDEX_VERSION}\0{os.getcwd()}\0{_ENGINE}".encode())
    for path in record_files(folder):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


_ENGINE = engine_hash()


def cache_root(folder: Path) -> Path:
    base = os.environ.get("KB_CACHE_DIR")
    return Path(base) if base else Path(folder).resolve().parent / ".kb-cache"


def cache_file(folder: Path, kind: str) -> Path:
    """Where the `kind` cache (lookup, validation) of a signatures folder lives."""
    name = hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:16]
    return cache_root(folder) / f"{kind}-{name}.marshal"


def read_cache(path: Path) -> dict | None:
    """A cache written by write_cache, or None when there is none or it cannot be read.

    Caches are marshal files: plain lists and dicts, fast to load, and unlike
    pickle, loading one cannot run code."""
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def write_cache(path: Path, data: dict) -> None:
    """Write atomically (a reader never sees half a file); a read-only checkout just goes without."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(marshal.dumps(data))
        temporary.replace(path)
    except OSError:
        pass
