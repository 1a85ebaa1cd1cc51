"""Trim the site search's index (Material's search_index.json) so it stays small as the KB grows.

Material's search builds a lunr index in the reader's browser from every
section of every page. At 10,000 records that meant 36 MB to download and
about 20,000 sections to index before the first answer. Records are found
by their titles here, so each record keeps one entry with its title only:
with the signatures too, the first answer at 10,000 records came 0.7 s
later (2.5 s instead of 1.8 s, bench/site_search.py). Signatures are what
the lookup matches: error-like queries in the search box are answered by
lookup.js, not by lunr. Paging and per-section entries of listings go too.
"""
from __future__ import annotations

from .records import Record


def trim(index: dict, records: list[Record]) -> dict:
    record_pages = {f"errors/{record.id}/" for record in records}
    docs = []
    for doc in index.get("docs", []):
        location = doc.get("location", "")
        page, _, section = location.partition("#")
        if page in record_pages:
            if not section:
                docs.append(dict(doc, text=""))
        elif page.startswith(("tools/", "categories/", "tags/")):
            if not section and "/page-" not in page and not page.startswith("tags/"):
                docs.append(doc)
        else:
            docs.append(doc)
    return dict(index, docs=docs)
