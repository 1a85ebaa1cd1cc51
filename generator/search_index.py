"""Trim the site search's index (Material's search_index.json) so it stays small as the KB grows.

Material's search builds a lunr index in the reader's browser from every
section of every page. At 10,000 records that meant 36 MB to download and
about 20,000 sections to index before the first answer. Records are found
by what identifies them, so each record keeps one entry: its title and its
signatures. Paging and per-section entries of the listing pages go too.
Error-like queries are answered by the lookup (lookup.js), not by lunr.
"""
from __future__ import annotations

from .records import Record


def trim(index: dict, records: list[Record]) -> dict:
    signatures = {f"errors/{record.id}/": " ".join(record.signatures) for record in records}
    docs = []
    for doc in index.get("docs", []):
        location = doc.get("location", "")
        page, _, section = location.partition("#")
        if page in signatures:
            if not section:
                docs.append(dict(doc, text=signatures[page]))
        elif page.startswith(("tools/", "categories/", "tags/")):
            if not section and "/page-" not in page and not page.startswith("tags/"):
                docs.append(doc)
        else:
            docs.append(doc)
    return dict(index, docs=docs)
