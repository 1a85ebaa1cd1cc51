"""A fake GitHub API on 127.0.0.1, for the tests and the benchmark of `kb sources check`.

It serves answers in the formats GitHub documents: GraphQL nodes for issues,
pull requests and repositories (with NOT_FOUND and RATE_LIMITED errors), and
REST bodies for "Get an issue" (301 for a transferred issue, 404, rate limits).
The recorded answers are in tests/fake_github/recorded.json; the benchmark and
`--from-records` build invented ones in the same shapes.

It understands the shape of the query `kb sources check` sends (aliases r0...
for repositories, `iN: issueOrPullRequest(number: N)`, `latestRelease`), not
GraphQL in general.

A test switches behaviours on: a delay per request; the next requests answered
with a rate limit (primary: 403 with x-ratelimit-remaining 0 and
x-ratelimit-reset; GraphQL: 200 with a RATE_LIMITED error; secondary: 429 with
retry-after, or a 403 without it); queries that ask about given URLs hang past
the client's timeout
or answer malformed JSON; the next requests answer 502.

Run it by hand to try the command without GitHub (the data is invented):

    python tests/fake_github.py --from-records signatures --port 8765
    kb sources check --api-url http://127.0.0.1:8765 --snapshot /tmp/upstream.json
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RECORDED = Path(__file__).resolve().parent / "fake_github" / "recorded.json"
REPO_BLOCK = re.compile(r"(r\d+): repository\(owner: \$(\w+), name: \$(\w+)\) \{(.*?)\n  \}", re.S)
THREAD_FIELD = re.compile(r"(i\d+): issueOrPullRequest\(number: (\d+)\)")


def recorded() -> dict:
    return json.loads(RECORDED.read_text(encoding="utf-8"))


def thread_key(url: str) -> str:
    """https://github.com/o/r/issues/12 -> o/r#12 (lowercase: GitHub names are case-insensitive)."""
    match = re.match(r"https://github\.com/([^/]+)/([^/]+)/(?:issues|pull)/(\d+)", url)
    return f"{match.group(1)}/{match.group(2)}#{match.group(3)}".lower()


class FakeGitHub:
    def __init__(self, data: dict | None = None, delay: float = 0.0):
        data = copy.deepcopy(data if data is not None else recorded())
        graphql, rest = data["graphql"], data["rest"]
        self.threads = {key.lower(): node for key, node in graphql["threads"].items()}
        self.repositories = {key.lower(): repo for key, repo in graphql["repositories"].items()}
        self.graphql_errors = graphql
        self.rest = rest
        self.rest_issues = {key.lower(): issue for key, issue in rest.get("issues", {}).items()}
        self.transfers = {key.lower(): value for key, value in data.get("transfers", {}).items()}
        self.renames = {key.lower(): value for key, value in data.get("renames", {}).items()}
        self.delay = delay
        self.rate_limits: list[str] = []  # "primary", "graphql", "secondary" or "bare", one per coming request
        self.reset_in = 0.0  # seconds from now to x-ratelimit-reset
        self.retry_after = "0"
        self.hang_on: set[str] = set()  # thread keys or repositories whose queries hang
        self.hang_seconds = 2.0
        self.hang_times: int | None = None  # hang this many times, then answer (None: always)
        self.malformed_on: set[str] = set()
        self.errors_next: list[int] = []  # statuses (502...) for the coming requests
        self.redirect_base: str | None = None  # where a transfer's 301 points (default: this server)
        self.log: list[dict] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # Server lifecycle

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port: int = 0) -> "FakeGitHub":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                fake._handle(self, "POST")

            def do_GET(self):
                fake._handle(self, "GET")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a hanging answer must not hold up the test's end
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def requests(self, method: str | None = None) -> list[dict]:
        with self._lock:
            return [entry for entry in self.log if method is None or entry["method"] == method]

    # Answers

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        entry = {"method": method, "path": handler.path, "authorization": handler.headers.get("Authorization"),
                 "keys": [], "time": time.time()}
        with self._lock:
            self.log.append(entry)
            limit = self.rate_limits.pop(0) if self.rate_limits else None
            status = self.errors_next.pop(0) if self.errors_next else None
        if self.delay:
            time.sleep(self.delay)
        if limit:
            return self._rate_limited(handler, limit)
        if status:
            return self._send(handler, status, {"message": "Server Error"})
        if method == "POST" and handler.path == "/graphql":
            request = json.loads(body)
            keys = self._asked(request["query"], request["variables"])
            entry["keys"] = keys
            if self._should_hang(keys):
                time.sleep(self.hang_seconds)
            if self.malformed_on & set(keys):
                return self._send_raw(handler, 200, b'{"data": {"r0": {"nameWithOwner": "demo-org/wid')
            return self._send(handler, 200, self._graphql(request["query"], request["variables"]))
        if method == "GET":
            return self._rest(handler)
        return self._send(handler, 404, self.rest["not_found"])

    def _should_hang(self, keys: list[str]) -> bool:
        with self._lock:
            if not (self.hang_on & set(keys)) or self.hang_times == 0:
                return False
            if self.hang_times is not None:
                self.hang_times -= 1
            return True

    def _rate_limited(self, handler, kind: str) -> None:
        reset = str(int(time.time() + self.reset_in))
        if kind == "primary":
            headers = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-used": "5000",
                       "x-ratelimit-reset": reset, "x-ratelimit-resource": "graphql"}
            return self._send(handler, 403, self.rest["rate_limited"], headers)
        if kind == "graphql":
            headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset, "x-ratelimit-resource": "graphql"}
            return self._send(handler, 200, self.graphql_errors["rate_limited"], headers)
        if kind == "bare":  # a secondary limit without retry-after: the client must pick its own wait
            return self._send(handler, 403, self.rest["secondary_rate_limited"])
        return self._send(handler, 429, self.rest["secondary_rate_limited"], {"retry-after": self.retry_after})

    def _asked(self, query: str, variables: dict) -> list[str]:
        keys = []
        for _, owner_var, name_var, block in REPO_BLOCK.findall(query):
            repository = f"{variables[owner_var]}/{variables[name_var]}".lower()
            if "latestRelease" in block:
                keys.append(repository)
            keys += [f"{repository}#{number}" for _, number in THREAD_FIELD.findall(block)]
        return keys

    def _graphql(self, query: str, variables: dict) -> dict:
        data, errors = {"rateLimit": {"cost": 1, "remaining": 4990, "resetAt": "2026-12-01T13:00:00Z"}}, []
        for alias, owner_var, name_var, block in REPO_BLOCK.findall(query):
            name = f"{variables[owner_var]}/{variables[name_var]}"
            repository = self._repository(name.lower())
            if repository is None:
                data[alias] = None
                error = dict(self.graphql_errors["not_found_repository"], path=[alias])
                error["message"] = error["message"].format(name=name)
                errors.append(error)
                continue
            answer = {"nameWithOwner": repository["nameWithOwner"]}
            if "latestRelease" in block:
                answer["latestRelease"] = repository.get("latestRelease")
                answer["tags"] = repository.get("tags", {"nodes": []})
            for field_alias, number in THREAD_FIELD.findall(block):
                node = self.threads.get(f"{name.lower()}#{number}")
                answer[field_alias] = node
                if node is None:
                    error = dict(self.graphql_errors["not_found_thread"], path=[alias, field_alias])
                    error["message"] = error["message"].format(number=number)
                    errors.append(error)
            data[alias] = answer
        return {"data": data, "errors": errors} if errors else {"data": data}

    def _repository(self, name: str) -> dict | None:
        if name in self.repositories:
            return self.repositories[name]
        for key, node in self.threads.items():
            if key.startswith(name + "#"):
                owner, repo = node["url"].split("/")[3:5]
                return {"nameWithOwner": f"{owner}/{repo}"}
        return None

    def _rest(self, handler) -> None:
        path = handler.path
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/(\d+)", path)
        if match:
            key = f"{match.group(1)}/{match.group(2)}#{match.group(3)}".lower()
            if key in self.transfers:
                transfer = self.transfers[key]
                number = transfer["to"].split("#")[1]
                location = f"{self.redirect_base or self.url}/repositories/{transfer['repository_id']}/issues/{number}"
                body = dict(self.rest["moved"], url=location)
                return self._send(handler, 301, body, {"Location": location})
            if key in self.threads:
                return self._send(handler, 200, rest_issue(self.threads[key]))
            return self._send(handler, 404, self.rest["not_found"])
        match = re.fullmatch(r"/repositories/(\d+)/issues/(\d+)", path)
        if match:
            for target in self.transfers.values():
                if str(target["repository_id"]) == match.group(1) and target["to"].endswith("#" + match.group(2)):
                    return self._send(handler, 200, self.rest_issues[target["to"].lower()])
            return self._send(handler, 404, self.rest["not_found"])
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)", path)
        if match:
            name = f"{match.group(1)}/{match.group(2)}".lower()
            if name in self.renames:
                location = f"{self.redirect_base or self.url}/repositories/{self.renames[name]}"
                return self._send(handler, 301, dict(self.rest["moved"], url=location), {"Location": location})
            repository = self.rest.get("repositories", {}).get(name)
            return self._send(handler, 200, repository) if repository else \
                self._send(handler, 404, self.rest["not_found"])
        match = re.fullmatch(r"/repositories/(\d+)", path)
        if match:
            for repository in self.rest.get("repositories", {}).values():
                if str(repository["id"]) == match.group(1):
                    return self._send(handler, 200, repository)
            return self._send(handler, 404, self.rest["not_found"])
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)/releases/latest", path)
        if match:
            release = (self.repositories.get(f"{match.group(1)}/{match.group(2)}".lower()) or {}).get("latestRelease")
            if release:
                return self._send(handler, 200, {"tag_name": release["tagName"], "published_at": release["publishedAt"]})
            return self._send(handler, 404, self.rest["not_found"])
        return self._send(handler, 404, self.rest["not_found"])

    def _send(self, handler, status: int, body, headers: dict | None = None) -> None:
        self._send_raw(handler, status, json.dumps(body).encode(), headers)

    def _send_raw(self, handler, status: int, raw: bytes, headers: dict | None = None) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(raw)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to answer


def rest_issue(node: dict) -> dict:
    """The REST "Get an issue" shape of a GraphQL Issue or PullRequest node."""
    pull = node["__typename"] == "PullRequest"
    state = "closed" if node["state"] in ("CLOSED", "MERGED") else "open"
    issue = {
        "html_url": node["url"],
        "number": int(node["url"].rsplit("/", 1)[1]),
        "state": state,
        "title": node["title"],
        "labels": [{"name": label["name"]} for label in node["labels"]["nodes"]],
        "closed_at": node.get("closedAt"),
    }
    if pull:
        issue["pull_request"] = {"merged_at": node.get("mergedAt")}
    else:
        issue["state_reason"] = (node.get("stateReason") or "").lower() or None
    return issue


def invented(thread_urls: list[str], repositories: list[str], seed: int = 13, titles: dict | None = None) -> dict:
    """Made-up answers for the given URLs and repositories, in the recorded shapes: mostly open
    and closed issues and merged pull requests, with a few missing ones (GitHub answers 404).
    Titles come from `titles` (a record's own title for its source) where given, a few of them
    edited, as happens upstream."""
    rng = random.Random(seed)
    data = recorded()
    data["graphql"]["threads"], data["graphql"]["repositories"] = {}, {}
    data["rest"]["issues"], data["transfers"] = {}, {}
    for url in thread_urls:
        key = thread_key(url)
        owner_repo, number = key.split("#")
        roll = rng.random()
        if roll < 0.02:
            continue  # not found
        pull = "/pull/" in url
        labels = {"nodes": [{"name": name} for name in rng.sample(["bug", "enhancement", "area: mcp", "platform: windows"],
                                                                  rng.randint(0, 2))]}
        title = (titles or {}).get(url) or f"Invented title {number} for {owner_repo}"
        if rng.random() < 0.03:
            title = f"[edited upstream] {title}"
        when = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z"
        node = {"__typename": "PullRequest" if pull else "Issue", "url": url, "title": title, "labels": labels}
        if pull:
            node.update(state="MERGED" if roll < 0.7 else "OPEN", mergedAt=when if roll < 0.7 else None,
                        closedAt=when if roll < 0.7 else None)
        elif roll < 0.45:
            node.update(state="OPEN", stateReason=None, closedAt=None)
        else:
            reason = "COMPLETED" if roll < 0.8 else "NOT_PLANNED"
            node.update(state="CLOSED", stateReason=reason, closedAt=when)
        data["graphql"]["threads"][key] = node
    for index, name in enumerate(repositories):
        tag = f"v{rng.randint(0, 2)}.{rng.randint(0, 9)}.{rng.randint(0, 240)}"
        data["graphql"]["repositories"][name.lower()] = {
            "nameWithOwner": name, "latestRelease": {"tagName": tag, "publishedAt": "2026-11-28T10:00:00Z"},
            "tags": {"nodes": [{"name": tag}]}}
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a fake GitHub API with INVENTED data (see the docstring).")
    parser.add_argument("--from-records", metavar="DIR", required=True,
                        help="invent an answer for every issue, pull request and release repository these records cite")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--rate-limit-once", action="store_true",
                        help="answer the first request with a primary rate limit resetting in 2 s")
    parser.add_argument("--transfer", metavar="URL", action="append", default=[],
                        help="answer this issue as transferred to demo-org/widget-tools#9")
    args = parser.parse_args()

    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from generator.sources_check import targets
    from generator.validate import validate_folder

    records = validate_folder(Path(args.from_records)).records
    items = targets(records)
    titles = {source["url"]: source["title"] for record in records for source in record.sources}
    data = invented([i.key for i in items if not i.is_release], [i.key for i in items if i.is_release],
                    titles=titles)
    base = recorded()
    for url in args.transfer:
        data["graphql"]["threads"].pop(thread_key(url), None)
        data["transfers"][thread_key(url)] = {"to": "demo-org/widget-tools#9", "repository_id": 4242}
        data["rest"]["issues"].update(base["rest"]["issues"])
    fake = FakeGitHub(data, delay=args.delay)
    if args.rate_limit_once:
        fake.rate_limits, fake.reset_in = ["primary"], 2
    fake.start(args.port)
    print(f"FAKE GitHub API with INVENTED data for {len(items)} items at {fake.url} (Ctrl-C stops it)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
