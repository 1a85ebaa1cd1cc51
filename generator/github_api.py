"""A small, polite GitHub API client (standard library only): GraphQL and REST GETs.

Politeness, as GitHub's documentation asks of integrations:
- a token from GITHUB_TOKEN when present, sent only to the API's own origin and
  only over https (a redirect elsewhere is refused, never followed with the token);
- rate limits waited out, not hammered: a 403/429 (or a GraphQL 200 carrying a
  RATE_LIMITED error) waits until `x-ratelimit-reset` when `x-ratelimit-remaining`
  is 0, or `retry-after` seconds when given, else a minute, longer each time;
  every thread waits, not only the one that was told;
- a wait longer than `max_wait` is not attempted: the run stops and says when to
  come back;
- timeouts, dropped connections, 5xx and malformed JSON are retried with
  exponential backoff and jitter, a bounded number of times.

Redirects are followed by hand for REST (a transferred issue answers 301 with the
new location), so the caller learns the final URL.
"""
from __future__ import annotations

import http.client
import json
import random
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable

from . import __version__
from .upstream import clean_text

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
RATE_LIMITED_TYPES = {"RATE_LIMITED", "RATE_LIMIT"}  # GitHub has answered with both spellings
RETRYABLE_STATUS = {500, 502, 503, 504}
MAX_REDIRECTS = 3
NO_RESET = "no reset time given"


class ApiError(Exception):
    """A request that failed for good, after its retries. `fatal` errors stop the whole run
    (the token is refused, the API is not there, the rate limit resets too late).
    `splittable` errors may come from the size or content of a query (a timeout, a 5xx,
    a broken answer), so asking about fewer things can succeed; a refused connection or
    a 403 cannot be helped that way."""

    def __init__(self, reason: str, status: int | None = None, fatal: bool = False, splittable: bool = True,
                 attempts: int | None = None):
        tries = f" ({attempts} attempt{'s' if attempts != 1 else ''})" if attempts else ""
        super().__init__(reason + tries)
        self.reason = reason + tries  # what to tell the user
        self.cause = reason  # the same, without the count of attempts
        self.status, self.fatal, self.splittable = status, fatal, splittable


class _Retry(Exception):
    def __init__(self, reason: str, splittable: bool = True):
        super().__init__(reason)
        self.reason, self.splittable = reason, splittable


@dataclass(frozen=True)
class Policy:
    timeout: float = 30.0  # seconds per request
    attempts: int = 3  # tries per request for timeouts, 5xx and malformed JSON
    backoff: float = 1.0  # first retry after about this many seconds, doubling each time
    max_wait: float = 900.0  # the longest rate-limit wait accepted; longer stops the run
    rate_wait: float = 60.0  # wait when rate limited without a reset or retry-after header
    reset_margin: float = 1.0  # added to the reset time: clocks differ, and the reset is whole seconds
    max_rate_waits: int = 6  # rate-limit waits per request before giving up


@dataclass
class Response:
    status: int
    data: object  # the decoded JSON; for a redirect, the Location header


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # answered as an HTTPError, handled below


def graphql_endpoint(api_url: str) -> str:
    """GitHub.com: https://api.github.com/graphql; GitHub Enterprise Server:
    https://HOST/api/v3 -> https://HOST/api/graphql."""
    base = api_url.rstrip("/")
    if base.endswith("/api/v3"):
        return base[: -len("/v3")] + "/graphql"
    return base + "/graphql"


def _origin(url: str) -> tuple:
    parts = urllib.parse.urlsplit(url)
    return (parts.scheme, parts.hostname, parts.port)


def token_allowed(url: str, api_url: str) -> bool:
    """The token goes only to the API's own origin, and only over https (or to this machine,
    where a test's fake API listens)."""
    parts = urllib.parse.urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    return _origin(url) == _origin(api_url) and (parts.scheme == "https" or loopback)


class Client:
    def __init__(self, api_url: str = DEFAULT_API, token: str | None = None, policy: Policy = Policy(),
                 on_wait: Callable[[str], None] = lambda message: None):
        self.api_url = api_url.rstrip("/")
        self.token = token or None
        self.policy = policy
        self.on_wait = on_wait
        self.requests = 0  # HTTP requests sent, for the summary
        self._lock = threading.Lock()
        self._paused_until = 0.0  # monotonic time before which no thread sends a request
        self._opener = urllib.request.build_opener(_NoRedirects())

    # Public calls

    def graphql(self, query: str, variables: dict, attempts: int | None = None) -> tuple[dict, list]:
        """(data, errors) of a GraphQL query; per-field errors (NOT_FOUND) come back in errors."""
        body = json.dumps({"query": query, "variables": variables}).encode()
        response = self._send("POST", graphql_endpoint(self.api_url), body, graphql=True, attempts=attempts)
        if not isinstance(response.data, dict):
            raise ApiError("the GraphQL answer is not a JSON object")
        errors = response.data.get("errors") or []
        data = response.data.get("data")
        if data is None and errors:
            messages = "; ".join(str(error.get("message", error))[:200] for error in errors[:3]
                                 if isinstance(error, dict))
            raise ApiError(f"GraphQL error: {messages or 'no data'}")
        return (data if isinstance(data, dict) else {}), [e for e in errors if isinstance(e, dict)]

    def get(self, path: str) -> Response:
        """GET a REST path (/repos/o/r/issues/1), following same-origin redirects. A 404 or 410
        is an answer (status set, data None), not an error."""
        url = self.api_url + path
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send("GET", url, None)
            if response.status not in (301, 302, 307, 308):
                return response
            location = response.data
            target = urllib.parse.urljoin(url, location) if isinstance(location, str) else ""
            if not target or _origin(target) != _origin(self.api_url):
                raise ApiError(f"redirected to another site ({urllib.parse.urlsplit(target).hostname}); "
                               "not followed", status=response.status)
            url = target
        raise ApiError(f"more than {MAX_REDIRECTS} redirects", status=301)

    # One request, with retries and rate-limit waits

    def _send(self, method: str, url: str, body: bytes | None, graphql: bool = False,
              attempts: int | None = None) -> Response:
        attempts = attempts or self.policy.attempts
        failures, rate_waits = 0, 0
        while True:
            self._wait_if_paused()
            try:
                return self._attempt(method, url, body, graphql)
            except _Retry as retry:
                failures += 1
                if failures >= attempts:
                    raise ApiError(retry.reason, splittable=retry.splittable, attempts=failures) from None
                delay = self.policy.backoff * (2 ** (failures - 1)) * (1 + random.random() / 4)
                self.on_wait(f"{retry.reason}; retrying in {delay:.1f} s (attempt {failures + 1} of {attempts})")
                time.sleep(delay)
            except _RateLimited as limited:
                rate_waits += 1
                if rate_waits > self.policy.max_rate_waits:
                    raise ApiError(f"still rate limited after {rate_waits - 1} waits", fatal=True) from None
                seconds = limited.seconds
                if limited.why == NO_RESET:  # GitHub: wait a minute, then exponentially longer
                    seconds *= 2 ** (rate_waits - 1)
                self._pause(seconds, limited.why, rate_waits)

    def _attempt(self, method: str, url: str, body: bytes | None, graphql: bool) -> Response:
        headers = {
            "Accept": "application/vnd.github+json",
            "User-Agent": f"error-atlas-kb/{__version__}",
            "X-GitHub-Api-Version": API_VERSION,
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.token and token_allowed(url, self.api_url):
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        with self._lock:
            self.requests += 1
        try:
            with self._opener.open(request, timeout=self.policy.timeout) as answer:
                status, header, raw = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as err:
            status, header = err.code, err.headers
            try:
                raw = err.read()
            except (OSError, http.client.HTTPException):
                raw = b""
        except (TimeoutError, socket.timeout):
            raise _Retry(f"timed out after {self.policy.timeout:g} s") from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, (TimeoutError, socket.timeout)):
                raise _Retry(f"timed out after {self.policy.timeout:g} s") from None
            raise _Retry(f"cannot connect: {err.reason}", splittable=False) from None
        except (ConnectionError, http.client.HTTPException, OSError) as err:
            raise _Retry(f"connection failed: {err.__class__.__name__}", splittable=False) from None
        return self._interpret(status, header, raw, graphql)

    def _interpret(self, status, header, raw: bytes, graphql: bool) -> Response:
        if status in (301, 302, 307, 308) and not graphql:
            return Response(status, header.get("Location"))
        if status in (403, 429):
            limited = self._rate_limit(status, header, _json_or_none(raw))
            if limited:
                raise limited
            raise ApiError(f"HTTP {status}: {_message(raw)}", status=status, splittable=False)
        if status == 401:
            hint = "set GITHUB_TOKEN to a GitHub token" if not self.token else "check GITHUB_TOKEN"
            raise ApiError(f"HTTP 401, the API refused the request without valid credentials: {hint}",
                           status=401, fatal=True)
        if status in RETRYABLE_STATUS:
            raise _Retry(f"HTTP {status}")
        if status in (404, 410) and not graphql:
            return Response(status, None)
        if status != 200:
            raise ApiError(f"HTTP {status}: {_message(raw)}", status=status, fatal=graphql and status == 404,
                           splittable=False)
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise _Retry("malformed JSON in the answer") from None
        if graphql and isinstance(data, dict):
            types = {error.get("type") for error in data.get("errors") or [] if isinstance(error, dict)}
            if types & RATE_LIMITED_TYPES:
                raise self._rate_limit(status, header, data, force=True)
        return Response(status, data)

    # Rate limits

    def _rate_limit(self, status: int, header, data, force: bool = False) -> "_RateLimited | None":
        """The wait GitHub asks for, or None when a 403 is not about rate limits."""
        retry_after = _number(header.get("retry-after"))
        reset = _number(header.get("x-ratelimit-reset"))
        if retry_after is not None:
            return _RateLimited(max(retry_after, 0.0), "retry-after")
        if header.get("x-ratelimit-remaining") == "0" and reset is not None:
            return _RateLimited(max(reset - time.time(), 0.0) + self.policy.reset_margin, "x-ratelimit-reset")
        if force or status == 429 or "rate limit" in _message_of(data).lower():
            return _RateLimited(self.policy.rate_wait, NO_RESET)
        return None

    def _wait_if_paused(self) -> None:
        while True:
            with self._lock:
                remaining = self._paused_until - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(remaining, 5.0))

    def _pause(self, seconds: float, why: str, count: int) -> None:
        if seconds > self.policy.max_wait:
            resume = time.strftime("%H:%M:%S UTC", time.gmtime(time.time() + seconds))
            raise ApiError(f"rate limited ({why}) until {resume}, {seconds:.0f} s away, longer than "
                           f"--max-wait {self.policy.max_wait:g} s: run again after that", fatal=True)
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self.on_wait(f"rate limited ({why}): waiting {seconds:.1f} s (wait {count})")


class _RateLimited(Exception):
    def __init__(self, seconds: float, why: str):
        super().__init__(why)
        self.seconds, self.why = seconds, why


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _json_or_none(raw: bytes):
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _message_of(data) -> str:
    if isinstance(data, dict):
        if isinstance(data.get("message"), str):
            return data["message"]
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message", ""))
    return ""


def _message(raw: bytes) -> str:
    return clean_text(_message_of(_json_or_none(raw)) or "no message", 200)
