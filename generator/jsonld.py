"""Structured data (schema.org JSON-LD) for a record page, safe inside <script>."""
from __future__ import annotations

import json

from .markdown_text import to_plain
from .records import Record

# Characters that could end the <script> element or open a comment inside it.
_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_text(data) -> str:
    """JSON for a <script type="application/ld+json"> element: record text cannot break out."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_SCRIPT_ESCAPES)


def record_graph(record: Record, faq: list[dict], description: str, urls: dict) -> list[dict]:
    """TechArticle, FAQPage and BreadcrumbList for one record.

    `urls` maps "page", "home", "category" and "tool" to absolute (or site-relative) URLs.
    """
    article = {
        "@context": "https://schema.org",
        "@type": "TechArticle",
        "headline": to_plain(record.title),
        "description": description,
        "dateModified": record.updated.isoformat(),
        "url": urls["page"],
        "about": {"@type": "SoftwareApplication", "name": record.tool, "applicationCategory": record.category},
    }
    if record.tags:
        article["keywords"] = ", ".join(record.tags)
    faq_page = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": to_plain(entry["q"]),
                "acceptedAnswer": {"@type": "Answer", "text": to_plain(entry["a"])},
            }
            for entry in faq
        ],
    }
    crumbs = [("Home", urls["home"]), (record.category, urls["category"]), (record.tool, urls["tool"]),
              (to_plain(record.title), urls["page"])]
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(crumbs, start=1)
        ],
    }
    return [article, faq_page, breadcrumbs]
