"""Error Atlas: YAML error records in, Markdown pages and a lookup index out.

This package never imports MkDocs, except in `mkdocs_hooks`, the thin glue
that mkdocs.yml loads, so the site could move to another engine.
"""
__version__ = "0.1.0"
