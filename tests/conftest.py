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


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The site built once (kb build) from the real records, for the API and MCP tests."""
    from browser.browser_support import build_site

    return build_site(tmp_path_factory.mktemp("real-site") / "site", ROOT / "signatures")


@pytest.fixture(scope="session")
def served_site(real_site) -> str:
    """real_site over HTTP on 127.0.0.1, at its root; yields the root URL."""
    from browser.browser_support import serve

    running = serve(real_site)
    yield f"http://127.0.0.1:{running.server_address[1]}/"
    running.shutdown()
    running.server_close()
