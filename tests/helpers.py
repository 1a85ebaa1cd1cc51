"""Paths shared by the tests (a plain module: two conftest.py files cannot both be imported as `conftest`)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
