import os
import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, ROOT


@pytest.fixture
def valid_records(tmp_path) -> Path:
    """A private copy of the valid fixture records, safe to edit."""
    target = tmp_path / "signatures"
    shutil.copytree(FIXTURES / "valid", target)
    return target


@pytest.fixture(autouse=True)
def _run_from_root(monkeypatch):
    # Paths in messages are relative to the working directory; make it the repository.
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("KB_SIGNATURES", raising=False)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
