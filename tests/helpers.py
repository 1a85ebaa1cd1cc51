"""Paths shared by the tests (a plain module: two conftest.py files cannot both be imported as `conftest`)."""
import datetime as dt
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def as_json(value):
    """A YAML value as JSON sees it: dates as ISO strings (as the API writes them, and as an editor's YAML 1.2
    parser reads them)."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def read(site: Path, path: str) -> str:
    """A file of a built site, as text."""
    return (site / path).read_text(encoding="utf-8")
