"""MkDocs glue: the only module of the package that imports MkDocs.

mkdocs.yml loads this file as a hook. It validates the records before MkDocs
touches the site folder (an invalid record fails the build with the
validator's messages and leaves the previous site as it was), adds the
generated pages as in-memory files, and watches the records in `mkdocs serve`. Under `mkdocs serve`
it also indexes each build for the site search (generator/site_index.py), as `kb build` does after
MkDocs; a plain `mkdocs build` has no search index until `python -m generator.site_index SITE_DIR`.

With an upstream snapshot (data/upstream.json, or $KB_UPSTREAM), record pages show
what GitHub said about their cited issues; without one they show nothing of it.
The maintainers' report (maintainers/report/) is built either way, kept out of
the navigation, the site search, the sitemap and search engines.
"""
from __future__ import annotations

import gzip
import html
import logging
import os
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, InclusionLevel

from generator.api import api_files
from generator.lookup import index_json
from generator import upstream
from generator.problems import summary
from generator.report import PAGE_PATH as REPORT_PATH, maintainers_page
from generator.shards import shard_files
from generator.render import SiteOptions, browse_markdown, json_feed, redirect_pages, render_site
from generator.site_index import SiteIndexError, index_site
from generator.validate import validate_folder

BROWSE_MARKER = "<!-- kb:browse -->"
INDEX_PATH = "lookup-index.json"
FEED_PATH = "feed.json"
_records: list = []
_snapshot: list = [None]
NOINDEX = '<meta name="robots" content="noindex">'
_command = {"name": "build"}
log = logging.getLogger("mkdocs.hooks.error_atlas")


def signatures_folder(config) -> Path:
    override = os.environ.get("KB_SIGNATURES")
    return Path(override) if override else Path(config.config_file_path).parent / "signatures"


def snapshot_path(config) -> Path:
    override = os.environ.get("KB_UPSTREAM")
    return Path(override) if override else Path(config.config_file_path).parent / upstream.DEFAULT_PATH
def on_startup(command, dirty):
    _command["name"] = command


def on_config(config):
    result = validate_folder(signatures_folder(config))
    if result.problems:
        raise PluginError("Invalid records, so nothing was built:\n" + summary(result.problems))
    _records[:] = result.records
    try:
        _snapshot[0] = upstream.load(snapshot_path(config))
    except upstream.SnapshotError as err:
        raise PluginError(f"The upstream snapshot cannot be used: {err}") from err
    return config


def on_files(files, config):
    options = SiteOptions(site_url=config.site_url or "", edit_base=config.extra.get("records_edit_base", ""),
                          upstream=_snapshot[0])
    generated = render_site(_records, options)
    generated[INDEX_PATH] = index_json(_records)
    generated.update(shard_files(_records))  # lookup-index/..., on a large knowledge base (generator/shards.py)
    generated[FEED_PATH] = json_feed(_records, options)
    generated.update(redirect_pages(_records))
    generated.update(api_files(_records, options.site_url))  # api/v1/...: the JSON API (generator/api.py)
    for path, content in generated.items():
        if files.get_file_from_path(path) is not None:
            raise PluginError(f"content/{path} clashes with a generated file: rename or remove it")
        files.append(File.generated(config, path, content=content))
    for path, content in maintainers_page(_records, _snapshot[0], upstream.today_utc()).items():
        files.append(File.generated(config, path, content=content, inclusion=InclusionLevel.NOT_IN_NAV))
    return files


def on_page_markdown(markdown, page, config, files):
    if BROWSE_MARKER in markdown:
        prefix = "../" * page.file.src_uri.count("/")
        markdown = markdown.replace(BROWSE_MARKER, browse_markdown(_records, prefix))
    # Material writes the description into an attribute without escaping it.
    if isinstance(page.meta.get("description"), str):
        page.meta["description"] = html.escape(page.meta["description"], quote=True)
    return markdown


def on_post_page(output, page, config):
    # The maintainers' report is for maintainers: search engines are asked not to index it.
    if page.meta.get("kb_noindex") and NOINDEX not in output:
        output = output.replace("<head>", "<head>\n" + NOINDEX, 1)
    return output


def on_page_context(context, page, config, nav):
    if page.meta.get("kb_edit_url"):
        page.edit_url = page.meta["kb_edit_url"]
    return context


def on_post_build(config):
    """Keep the maintainers' report out of the sitemap; under `mkdocs serve`, index every build for the site
    search, so the search box works there too (`kb build` indexes the finished build itself)."""
    _leave_report_out_of_the_sitemap(Path(config.site_dir) / "sitemap.xml")
    if _command["name"] != "serve":
        return
    try:
        log.info(index_site(Path(config.site_dir)).text())
    except SiteIndexError as err:
        # The pages still serve; the search box says that its index is missing.
        log.warning(f"{err}\nThe site search will say that its index is missing.")


def _leave_report_out_of_the_sitemap(path: Path) -> None:
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    page = REPORT_PATH.removesuffix(".md") + "/"
    kept = re.sub(r"\s*<url>\s*<loc>[^<]*/" + re.escape(page) + r"</loc>.*?</url>", "", text, flags=re.S)
    if kept != text:
        path.write_text(kept, encoding="utf-8")
        gzipped = path.with_name("sitemap.xml.gz")
        if gzipped.exists():
            gzipped.write_bytes(gzip.compress(kept.encode("utf-8"), mtime=0))


def on_serve(server, config, builder):
    server.watch(str(signatures_folder(config)))
    return server
