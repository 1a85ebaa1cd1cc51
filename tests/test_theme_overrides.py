"""The Material partials that site_overrides/partials/ copies whole (where no block reaches the markup) are
Material's own except for the accessibility fix each one carries. A Material upgrade that changes one of
them fails here, so the copy is brought up to date instead of silently hiding the new version."""
from __future__ import annotations

import re
from pathlib import Path

import material
import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ROOT / "site_overrides" / "partials"
MATERIAL = Path(material.__file__).parent / "templates" / "partials"

# Each copied partial: (Material's text, ours) for every change; nothing else may differ.
FIXES = {
    # The instant-navigation progress bar gets a name and counts as a live region (aria-progressbar-name, region).
    "progress.html": [('role="progressbar">',
                       'role="progressbar" aria-label="Loading the page" aria-live="polite">')],
}
# The other partials: header.html is Material's but for the search box (tests/test_site_search_build.py checks
# it); search.html is the site's own search box (Pagefind and the lookup), not a copy.
CHECKED_ELSEWHERE = {"header.html", "search.html"}


def without_leading_comment(text: str) -> str:
    """The template without its opening {#- ... -#} comment (Material's "generated" note, our explanation)."""
    return re.sub(r"\A\{#-.*?-#\}\n", "", text, count=1, flags=re.S)


def test_every_copied_partial_is_checked():
    assert sorted(path.name for path in OURS.glob("*.html")) == sorted(set(FIXES) | CHECKED_ELSEWHERE)


@pytest.mark.parametrize("name", sorted(FIXES))
def test_a_copied_partial_is_materials_but_for_its_fix(name):
    ours = without_leading_comment((OURS / name).read_text(encoding="utf-8"))
    expected = without_leading_comment((MATERIAL / name).read_text(encoding="utf-8"))
    for before, after in FIXES[name]:
        assert expected.count(before) == 1, f"Material's {name} changed: {before!r} is gone; update the copy"
        expected = expected.replace(before, after)
    assert ours == expected
    assert (OURS / name).read_text(encoding="utf-8").startswith("{#-"), "say why the partial is copied"
