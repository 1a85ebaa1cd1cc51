"""Fetch files of a published Error Atlas site, with timeouts, size limits and a cache on disk.

Used by `kb mcp --site URL` (catalog.SiteCatalog). Only fixed paths under the
site's root are ever requested (the API index, the lookup index and record
files by id): nothing a user pastes goes into a request.

Each file is kept in the user's cache folder with its ETag and Last-Modified
date, and asked for again with If-None-Match / If-Modified-Since, so an
unchanged site answers 304 with no body. When the site cannot be reached, a
cached copy is used and the answer says so.

Plain urllib: no HTTP library to import, so `kb mcp` starts fast.
"""
from __future__ import annotations

import email.utils
import hashlib
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import __version__

TIMEOUT = 10.0  # seconds for one request: to connect, between bytes, and for the whole download
MAX_BYTES = 200_000_000  # a lookup index of 100,000 records is about 26 MB; anything far larger is not one
CHUNK = 1 << 16


class SiteError(Exception):
    """A site could not be read. The message says what happened and what to do."""


@dataclass
class Fetched:
    body: bytes
    changed: bool  # downloaded now (not confirmed from the cache)
    stale_reason: str = ""  # set when the site could not be asked and the cached copy was used
    fetched_at: float = 0.0  # when this copy was downloaded (seconds since the epoch)


def user_cache_dir() -> Path:
    """Where Error Atlas keeps downloaded files: $KB_CACHE_DIR, else the platform's user cache folder."""
    if os.environ.get("KB_CACHE_DIR"):
        return Path(os.environ["KB_CACHE_DIR"])
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return base / "error-atlas"


def site_root(url: str) -> str:
    """The site's root URL with one trailing slash; SiteError for anything but http(s)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SiteError(f"--site must be the http(s) address of an Error Atlas site, like "
                        f"https://error-atlas.github.io/error-atlas/ (got {url!r}).")
    if parts.query or parts.fragment:
        raise SiteError(f"--site takes the site's root address, without ?query or #fragment (got {url!r}).")
    return url.rstrip("/") + "/"


class SiteFetcher:
    def __init__(self, root: str, cache_dir: Path | None = None, timeout: float = TIMEOUT):
        self.root = site_root(root)
        self.timeout = timeout
        folder = hashlib.sha256(self.root.encode()).hexdigest()[:16]
        self.cache = (cache_dir or user_cache_dir()) / "sites" / folder

    def url(self, path: str) -> str:
        return self.root + path

    # -- the cache ------------------------------------------------------------------------

    def _paths(self, path: str) -> tuple[Path, Path]:
        body = self.cache / path
        return body, body.with_name(body.name + ".meta.json")

    def cached(self, path: str) -> tuple[bytes, dict] | None:
        body_path, meta_path = self._paths(path)
        try:
            return body_path.read_bytes(), json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _store(self, path: str, body: bytes, meta: dict) -> None:
        """Atomically, and silently without a writable cache folder (then every start downloads again)."""
        body_path, meta_path = self._paths(path)
        try:
            body_path.parent.mkdir(parents=True, exist_ok=True)
            for target, data in ((body_path, body), (meta_path, json.dumps(meta).encode())):
                temporary = target.with_name(target.name + f".{os.getpid()}.tmp")
                temporary.write_bytes(data)
                temporary.replace(target)
        except OSError:
            pass

    def touch(self, path: str, meta: dict, **changes) -> None:
        """Update what the cache knows about a file it still holds (e.g. the index generation it matches)."""
        cached = self.cached(path)
        if cached is not None:
            self._store(path, cached[0], {**meta, **changes})

    # -- requests -------------------------------------------------------------------------

    def get(self, path: str, revalidate: bool = True) -> tuple[Fetched, dict]:
        """The file at `path` under the site's root, and its cache metadata.

        revalidate=False uses a cached copy without asking the site. With it,
        the site is asked whether the copy changed; when the site cannot be
        reached, the cached copy is still used (Fetched.stale_reason says why).
        """
        cached = self.cached(path)
        if cached is not None and not revalidate:
            return Fetched(cached[0], False, fetched_at=cached[1].get("fetched", 0.0)), cached[1]
        headers = {"User-Agent": f"error-atlas/{__version__} (kb mcp)", "Accept": "application/json",
                   "Accept-Encoding": "gzip"}
        if cached is not None:
            if cached[1].get("etag"):
                headers["If-None-Match"] = cached[1]["etag"]
            if cached[1].get("last_modified"):
                headers["If-Modified-Since"] = cached[1]["last_modified"]
        try:
            status, body, response_headers = self._request(self.url(path), headers)
        except SiteError as err:
            if cached is not None:
                return Fetched(cached[0], False, stale_reason=str(err),
                               fetched_at=cached[1].get("fetched", 0.0)), cached[1]
            raise
        if status == 304 and cached is not None:
            meta = {**cached[1], "checked": time.time()}
            self._store(path, cached[0], meta)
            return Fetched(cached[0], False, fetched_at=meta.get("fetched", 0.0)), meta
        meta = {"etag": response_headers.get("ETag", ""), "last_modified": response_headers.get("Last-Modified", ""),
                "fetched": time.time(), "checked": time.time(), "sha256": hashlib.sha256(body).hexdigest()}
        self._store(path, body, meta)
        return Fetched(body, True, fetched_at=meta["fetched"]), meta

    def _request(self, url: str, headers: dict) -> tuple[int, bytes, dict]:
        deadline = time.monotonic() + self.timeout
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = self._read(response, url, deadline)
                response_headers = dict(response.headers.items())
                status = response.status
        except urllib.error.HTTPError as err:
            if err.code == 304:
                return 304, b"", dict(err.headers.items())
            raise SiteError(self._http_message(url, err.code, err.reason)) from None
        except (socket.timeout, TimeoutError):
            raise SiteError(f"{url} did not answer within {self.timeout:g} s. The site may be down or slow: "
                            "try again later, raise the limit with --timeout SECONDS, or use a clone's records "
                            "with --signatures DIR.") from None
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise SiteError(f"{url} did not answer within {self.timeout:g} s. The site may be down or slow: "
                                "try again later, raise the limit with --timeout SECONDS, or use a clone's "
                                "records with --signatures DIR.") from None
            raise SiteError(f"Could not reach {url} ({reason}). Check the --site address and the network "
                            "connection, or use a clone's records with --signatures DIR.") from None
        except (OSError, ValueError) as err:  # connection reset, bad status line, invalid URL
            raise SiteError(f"Could not read {url} ({err}). Check the --site address, or use a clone's records "
                            "with --signatures DIR.") from None
        if response_headers.get("Content-Encoding", "").lower() == "gzip":
            body = _gunzip(body, url)
        return status, body, response_headers

    def _read(self, response, url: str, deadline: float) -> bytes:
        """The body, read in chunks so that a site that trickles bytes cannot hold us past the deadline."""
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError
            chunk = response.read(CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > MAX_BYTES:
                raise SiteError(f"{url} is larger than {MAX_BYTES // 1_000_000} MB: that is not a file of an "
                                "Error Atlas site. Check the --site address.")
            chunks.append(chunk)

    def _http_message(self, url: str, code: int, reason) -> str:
        if code == 404:
            return (f"{url} answered 404 Not Found. Check that --site is the root of an Error Atlas site (the "
                    f"address whose lookup-index.json and api/v1/index.json exist); a site built before the JSON "
                    f"API was added has no api/v1/.")
        return f"{url} answered HTTP {code} {reason}. Try again later, or use a clone's records with --signatures DIR."


def _gunzip(body: bytes, url: str) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(body, MAX_BYTES)
    except zlib.error:
        raise SiteError(f"{url} sent a broken gzip body. Try again later.") from None
    if decompressor.unconsumed_tail:
        raise SiteError(f"{url} unpacks to more than {MAX_BYTES // 1_000_000} MB: that is not a file of an "
                        "Error Atlas site. Check the --site address.")
    return data


def age_text(timestamp: float) -> str:
    """'2026-11-30 14:02 UTC', for saying how old a cached copy is."""
    return email.utils.formatdate(timestamp, usegmt=True) if timestamp else "an unknown date"
