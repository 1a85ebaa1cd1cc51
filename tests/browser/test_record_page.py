"""A record page in Chromium: long signatures wrap on screen but copy as one line; the facts table
has a real header row."""
from __future__ import annotations

import pytest

from browser_support import ROOT
from generator.validate import validate_folder


@pytest.fixture(scope="module")
def longest():
    """The record with the longest signature: the one most likely to overflow its block."""
    records = validate_folder(ROOT / "signatures").records
    return max(records, key=lambda record: max(len(text) for text in record.signatures))


def test_a_long_signature_wraps_inside_its_block_and_copies_as_one_line(page, root_url, longest):
    page.set_viewport_size({"width": 420, "height": 900})
    page.goto(f"{root_url}errors/{longest.id}/")
    blocks = page.evaluate("""() => [...document.querySelectorAll('pre > code.kb-signature')].map(code => ({
        text: code.textContent, scroll: code.scrollWidth, width: code.clientWidth,
        lines: Math.round(code.getBoundingClientRect().height / parseFloat(getComputedStyle(code).lineHeight)),
        copy: [...code.parentElement.querySelectorAll('button[data-clipboard-target]')]
            .some(button => document.querySelector(button.dataset.clipboardTarget) === code)}))""")
    assert [block["text"] for block in blocks] == longest.signatures
    for block in blocks:
        assert block["scroll"] <= block["width"] + 1, f"overflows sideways: {block}"
        assert "\n" not in block["text"].strip()
    assert max(block["lines"] for block in blocks) > 1  # the longest one did wrap at this width
    assert all(block["copy"] for block in blocks)  # each block keeps its copy button, which copies the code


def test_the_facts_table_has_no_empty_header_cell(page, root_url, longest):
    page.goto(f"{root_url}errors/{longest.id}/")
    headers = page.evaluate("() => [...document.querySelector('article table').querySelectorAll('th')]"
                            ".map(th => th.textContent.trim())")
    assert headers == ["Fact", "Details"]


def test_each_signature_links_to_where_its_wording_was_seen(page, root_url):
    records = validate_folder(ROOT / "signatures").records
    record = next(r for r in records if r.id == "gemini-cli-pro-quota-fallback-to-flash")
    page.goto(f"{root_url}errors/{record.id}/")
    notes = page.evaluate("""() => [...document.querySelectorAll('pre > code.kb-signature')].map(code => {
        const next = code.closest('pre').nextElementSibling;
        const link = next && next.matches('p.kb-seen') ? next.querySelector('a') : null;
        return link ? {href: link.getAttribute('href'), text: next.textContent} : null;
    })""")
    assert [note["href"] for note in notes] == [origin["source"] for origin in record.signature_sources]
    assert notes[2]["text"] == "Wording from google-gemini/gemini-cli#15880 (0.16.0 and later)"
