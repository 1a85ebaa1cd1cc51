"""Where the project lives on the web: the published site, the repository, the issue form for a new error.

The MCP server and `kb show` point people here when nothing matches. Kept in
one place, and checked against mkdocs.yml and .github/ by the tests, so a
moved site or repository cannot leave stale links behind.
"""
from __future__ import annotations

PUBLISHED_SITE = "https://error-atlas.github.io/error-atlas/"  # mkdocs.yml: site_url
REPOSITORY = "https://github.com/error-atlas/error-atlas"  # mkdocs.yml: repo_url
NEW_ERROR_ISSUE = REPOSITORY + "/issues/new?template=add-error.yml"  # .github/ISSUE_TEMPLATE/add-error.yml


def contribute_page(site_url: str) -> str:
    """The site's contributing page (content/contributing.md) under a site's root URL."""
    return site_url.rstrip("/") + "/contributing/"
