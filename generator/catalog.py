"""Where `kb mcp` gets its records: a signatures folder, or a published site.

Both catalogs answer the same questions (the matcher, the list of records, one
record by id) with records in the JSON form of the site's API
(api.record_json), so the MCP server neither knows nor cares where they came
from.

- DiskCatalog reads a signatures folder through the caches `kb lookup` uses
  (index_cache.py, validation_cache.py).
- SiteCatalog reads a published site's api/v1/index.json and
  lookup-index.json, keeps them in the user's cache folder, and asks the
  site again (a conditional request) at most every REFRESH seconds. Record
  files are fetched by id when a record is shown, and only for ids the
  site's own index lists. Pasted text never leaves this process.

Loading is lazy and retried: a folder with a broken record or an unreachable
site gives an error that says what to do, and the next call tries again.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from urllib.parse import urljoin

from . import api
from .fields import ID
from .project import PUBLISHED_SITE
from .site_fetch import SiteError, SiteFetcher, age_text

REFRESH = 600.0  # seconds between two checks of a site's indexes for changes


class CatalogError(Exception):
    """The records cannot be read. The message says what happened and what to do."""


class Catalog:
    """What every catalog offers. Thread-safe: the MCP server calls it from worker threads."""

    site_url = PUBLISHED_SITE  # the site that page links and the contributing link point to
    description = ""  # for tool descriptions: where the records come from

    def __init__(self):
        self._lock = threading.RLock()

    def _load(self) -> None:
        """Make `_matcher` and `_entries` current (each catalog reads them from its own source)."""
        raise NotImplementedError

    def matcher(self):
        self._load()
        return self._matcher

    def entries(self) -> list[dict]:
        """Every record as api/v1/index.json lists it, sorted by id."""
        self._load()
        return self._entries

    def record(self, record_id: str) -> dict | None:
        """One record as api/v1/errors/<id>.json holds it; None when no record has this id."""
        raise NotImplementedError

    def note(self) -> str:
        """Anything a reader of an answer should know about where it came from (e.g. an offline copy)."""
        return ""

    def warm(self) -> None:
        """Load what a lookup needs, so that the first call is as fast as the next (errors are kept for later)."""
        try:
            self.matcher()
            self.entries()
        except CatalogError:
            pass


class DiskCatalog(Catalog):
    def __init__(self, folder: Path, site_url: str = PUBLISHED_SITE):
        super().__init__()
        self.folder = Path(folder)
        self.site_url = site_url.rstrip("/") + "/" if site_url else ""
        self.description = f"signatures folder {self.folder}"
        self._matcher = None
        self._records: dict | None = None
        self._entries: list[dict] = []
        self._json: dict[str, dict] = {}

    def _load(self):
        from .index_cache import RecordsInvalidError, load_matcher
        from .problems import summary
        from .validate import validate_folder

        with self._lock:
            if self._matcher is not None:
                return
            if not self.folder.is_dir():
                raise CatalogError(f"There is no signatures folder at {self.folder}. Start `kb mcp` with "
                                   f"--signatures DIR (the signatures/ folder of an Error Atlas clone), or with "
                                   f"--site {PUBLISHED_SITE} to use the published site.")
            try:
                matcher = load_matcher(self.folder)
            except RecordsInvalidError as err:
                last = summary(err.problems).splitlines()[-1]
                raise CatalogError(f"The records in {self.folder} have problems ({last}). Run "
                                   f"`kb validate --signatures {self.folder}`, fix what it lists, then call "
                                   "this tool again.") from None
            self._records = {record.id: record for record in validate_folder(self.folder).records}
            self._entries = [api.index_entry(self._records[record_id], self.site_url)
                             for record_id in sorted(self._records)]
            self._matcher = matcher

    def record(self, record_id: str) -> dict | None:
        self._load()
        record = self._records.get(record_id)
        if record is None:
            return None
        if record_id not in self._json:
            self._json[record_id] = api.record_json(record, self.site_url)
        return self._json[record_id]


class SiteCatalog(Catalog):
    def __init__(self, url: str, cache_dir: Path | None = None, timeout: float = 10.0, refresh: float = REFRESH):
        super().__init__()
        try:
            self.fetcher = SiteFetcher(url, cache_dir, timeout)
        except SiteError as err:
            raise CatalogError(str(err)) from None
        self.site_url = self.fetcher.root
        self.description = f"site {self.site_url}"
        self.refresh = refresh
        self._checked = 0.0  # when the indexes were last checked against the site
        self._generation = ""  # sha256 of the API index in use: record files cached under it need no request
        self._matcher = None
        self._entries: list[dict] = []
        self._by_id: dict[str, dict] = {}
        self._records: dict[str, dict] = {}
        self._stale = ""

    # -- the indexes --------------------------------------------------------------------

    def _load(self):
        with self._lock:
            if self._matcher is not None and time.monotonic() - self._checked < self.refresh:
                return
            try:
                self._refresh()
            except SiteError as err:
                if self._matcher is None:
                    raise CatalogError(str(err)) from None
                self._stale = str(err)  # keep answering from what we have
            self._checked = time.monotonic()

    def _refresh(self):
        index_file, index_meta = self.fetcher.get(api.INDEX_PATH)
        lookup_file, lookup_meta = self.fetcher.get("lookup-index.json")
        generation = index_meta.get("sha256", "")
        unchanged = not (index_file.changed or lookup_file.changed) and generation == self._generation
        if self._matcher is None or not unchanged:
            entries = self._parse_index(index_file.body)
            matcher = self._build_matcher(lookup_file.body, lookup_meta.get("sha256", ""))
            self._entries, self._matcher, self._generation = entries, matcher, generation
            self._by_id = {entry["id"]: entry for entry in entries}
            self._records = {}
        reason = index_file.stale_reason or lookup_file.stale_reason
        self._stale = (f"{reason} Answering from the copy downloaded on {age_text(index_file.fetched_at)}."
                       if reason else "")

    def _json(self, body: bytes, path: str):
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            start = body[:60].decode("utf-8", "replace").strip()
            raise SiteError(f"{self.fetcher.url(path)} is not JSON (it starts with {start!r}). Check that --site "
                            "is the root address of an Error Atlas site.") from None

    def _parse_index(self, body: bytes) -> list[dict]:
        data = self._json(body, api.INDEX_PATH)
        url = self.fetcher.url(api.INDEX_PATH)
        if not isinstance(data, dict) or data.get("format") != api.INDEX_FORMAT:
            raise SiteError(f"{url} is not an Error Atlas API index. Check that --site is the root address of an "
                            "Error Atlas site.")
        if data.get("version") != api.API_VERSION:
            raise SiteError(f"{url} is version {data.get('version')!r} of the API; this kb reads version "
                            f"{api.API_VERSION}. Update Error Atlas (pipx upgrade error-atlas, or pull the clone).")
        entries = data.get("records")
        if not isinstance(entries, list) or not all(_valid_entry(entry) for entry in entries):
            raise SiteError(f"{url} lists records in a form this kb cannot read. Update Error Atlas, or report it: "
                            f"the site may be broken.")
        for entry in entries:
            entry["url"] = urljoin(self.site_url, entry["path"])  # links go to the site we were pointed at
        return sorted(entries, key=lambda entry: entry["id"])

    def _build_matcher(self, body: bytes, digest: str):
        from .files import engine_hash, read_cache, write_cache
        from .lookup import Matcher, prepare

        index = self._json(body, "lookup-index.json")
        state_path = self.fetcher.cache / "lookup-state.marshal"
        key = f"{digest}:{engine_hash()}"  # the prepared state depends on the engine's code too
        cached = read_cache(state_path)
        try:
            if cached and cached.get("key") == key:
                return Matcher(index, cached["state"])
            state = prepare(index)
            matcher = Matcher(index, state)
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise SiteError(f"{self.fetcher.url('lookup-index.json')} is not a lookup index this kb can read "
                            f"({type(err).__name__}). Update Error Atlas, or check the --site address.") from None
        write_cache(state_path, {"key": key, "state": state})
        return matcher

    # -- answers ------------------------------------------------------------------------

    def note(self) -> str:
        return self._stale

    def record(self, record_id: str) -> dict | None:
        self._load()
        with self._lock:
            entry = self._by_id.get(record_id)
            if entry is None or not ID.match(record_id):
                return None  # unknown ids never become requests
            if record_id in self._records:
                return self._records[record_id]
            path = api.record_path(record_id)
            cached = self.fetcher.cached(path)
            current = cached is not None and cached[1].get("generation") == self._generation
            try:
                fetched, meta = self.fetcher.get(path, revalidate=not current)
            except SiteError as err:
                raise CatalogError(str(err)) from None
            try:
                record = self._check_record(self._json(fetched.body, path), record_id)
            except SiteError as err:
                raise CatalogError(str(err)) from None
            if meta.get("generation") != self._generation:
                self.fetcher.touch(path, meta, generation=self._generation)
            record["url"] = entry["url"]
            self._records[record_id] = record
            return record

    def _check_record(self, data, record_id: str) -> dict:
        """A stranger's JSON is checked against the API's schema before anything reads it."""
        errors = sorted(_error_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors or data.get("id") != record_id:
            where = "/".join(str(part) for part in errors[0].absolute_path) if errors else "id"
            raise SiteError(f"{self.fetcher.url(api.record_path(record_id))} is not a valid record (at {where!r}). "
                            "The site may be mid-deploy: try again in a minute, or read the page instead.")
        return data


_VALIDATOR = None


def _error_validator():
    global _VALIDATOR
    if _VALIDATOR is None:
        import jsonschema  # imported on first use: `kb mcp` with --signatures never needs it

        _VALIDATOR = jsonschema.Draft202012Validator(api.error_schema())
    return _VALIDATOR


def _valid_entry(entry) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("id"), str) and bool(ID.match(entry["id"]))
            and all(isinstance(entry.get(key), str) for key in ("title", "tool", "category", "updated", "path"))
            and entry["path"] == api.page_path(entry["id"])
            and isinstance(entry.get("tags"), list) and all(isinstance(tag, str) for tag in entry["tags"]))
