"""`kb sources check`: ask GitHub what became of every cited issue, pull request and
release repository, and update the snapshot (data/upstream.json, see upstream.py).

How it asks, to stay well inside GitHub's limits:
- GraphQL, in batches: one query asks about up to --batch-size (50) issues and
  repositories, grouped by repository, so 1,000 citations cost about 20 requests
  and a few points of the 5,000-point hourly budget (1,000 with Actions' token).
- One request at a time by default: GitHub asks integrations to avoid concurrent
  requests; --concurrency allows a few (capped at 8, far below the documented
  limit of 100 concurrent requests).
- What GraphQL cannot resolve (a transferred issue, a renamed or deleted
  repository) is asked again over REST, one GET each, which answers 301 with the
  new location, or 404/410.
- A batch that keeps failing (timeouts, 5xx, malformed JSON) is split in halves
  until the failure is pinned to the URLs that cause it, so one bad answer does
  not cost the rest of the batch. After several failed requests in a row the run
  stops asking: GitHub is down or refusing, and hammering it helps nobody.

A failure is reported per URL and the URL keeps its previous entry: a partial run
never loses what the snapshot knew.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import upstream
from .citations import IssueRef, cited_urls, parse_issue_url, release_repositories, same_issue
from .github_api import DEFAULT_API, ApiError, Client, Policy

MAX_CONCURRENCY = 8
FAILURES_IN_A_ROW = 5  # failed requests in a row before the run stops asking
LABELS = 20

THREAD_FIELDS = f"""\
fragment Thread on IssueOrPullRequest {{
  __typename
  ... on Issue {{ url title state stateReason closedAt labels(first: {LABELS}) {{ nodes {{ name }} }} }}
  ... on PullRequest {{ url title state closedAt mergedAt labels(first: {LABELS}) {{ nodes {{ name }} }} }}
}}"""
RELEASE_FIELDS = ("latestRelease { tagName publishedAt } "
                  'tags: refs(refPrefix: "refs/tags/", first: 1, '
                  "orderBy: {field: TAG_COMMIT_DATE, direction: DESC}) { nodes { name } }")


@dataclass(frozen=True)
class Item:
    """One thing to ask about: an issue or pull request (number set), or a repository's latest release."""
    key: str  # the snapshot key: the cited issue URL, or "owner/repo"
    owner: str
    repo: str
    number: int | None = None

    @property
    def is_release(self) -> bool:
        return self.number is None


@dataclass
class Outcome:
    entry: dict | None = None  # what GitHub said, as a snapshot entry
    error: str | None = None  # why it could not be checked


@dataclass
class Result:
    snapshot: upstream.Snapshot
    outcomes: dict[str, Outcome]
    changes: list[tuple[str, str, str]]  # (what, key, detail) for the summary, sorted
    requests: int
    cost: int  # GraphQL points spent, as GitHub reported them
    seconds: float
    stopped: str | None = None  # why the run stopped early, if it did


def items_for(issue_refs: list[IssueRef], repositories: list[str]) -> list[Item]:
    items = [Item(ref.url, ref.owner, ref.repo, ref.number) for ref in issue_refs]
    for name in repositories:
        owner, _, repo = name.partition("/")
        items.append(Item(name, owner, repo))
    return items


def plan(items: list[Item], batch_size: int) -> list[list[Item]]:
    """Batches of at most batch_size items; a repository's items stay together where they fit."""
    ordered = sorted(items, key=lambda i: (i.owner.lower(), i.repo.lower(), i.number or 0, i.key))
    return [ordered[start:start + batch_size] for start in range(0, len(ordered), batch_size)]


def build_query(batch: list[Item]) -> tuple[str, dict, dict]:
    """(query, variables, {(repo alias, field alias): [items]}). Owners and names travel as variables,
    never pasted into the query text. Items that name the same thing (an issue cited both as
    /issues/4 and /pull/4, a repository spelt in two cases) share one field."""
    repositories: dict[tuple[str, str], list[Item]] = {}
    for item in batch:
        repositories.setdefault((item.owner.lower(), item.repo.lower()), []).append(item)
    declarations, blocks, variables, aliases = [], [], {}, {}
    for index, members in enumerate(repositories.values()):
        alias = f"r{index}"
        variables[f"o{index}"], variables[f"n{index}"] = members[0].owner, members[0].repo
        declarations.append(f"$o{index}: String!, $n{index}: String!")
        lines = [f"  {alias}: repository(owner: $o{index}, name: $n{index}) {{", "    nameWithOwner"]
        for item in members:
            field_alias = None if item.is_release else f"i{item.number}"
            if (alias, field_alias) not in aliases:
                lines.append(f"    {RELEASE_FIELDS}" if item.is_release else
                             f"    {field_alias}: issueOrPullRequest(number: {int(item.number)}) {{ ...Thread }}")
            aliases.setdefault((alias, field_alias), []).append(item)
        lines.append("  }")
        blocks.append("\n".join(lines))
    uses_thread = any(not item.is_release for item in batch)
    query = (f"query UpstreamCheck({', '.join(declarations)}) {{\n  rateLimit {{ cost remaining resetAt }}\n"
             + "\n".join(blocks) + "\n}\n" + (THREAD_FIELDS + "\n" if uses_thread else ""))
    return query, variables, aliases


# Turning GitHub's answers into snapshot entries

def _labels(names) -> list[str]:
    return sorted({upstream.clean_text(name, 100) for name in names if isinstance(name, str) and name.strip()})


def _thread_entry(item: Item, kind: str, url, title, state: str, reason, closed_at, merged_at, labels) -> dict:
    entry = {"kind": kind, "title": upstream.clean_text(title or ""), "state": state, "labels": _labels(labels)}
    if kind == "issue" and reason in upstream.REASONS:
        entry["state_reason"] = reason
    if state != "open" and upstream.timestamp(closed_at):
        entry["closed_at"] = closed_at
    if state == "merged" and upstream.timestamp(merged_at):
        entry["merged_at"] = merged_at
    ref = parse_issue_url(url) if isinstance(url, str) else None
    if ref and not same_issue(ref.url, item.key):
        entry["moved_to"] = ref.url
    return entry


def graphql_thread(item: Item, node: dict) -> dict:
    kind = "pull" if node.get("__typename") == "PullRequest" else "issue"
    state = str(node.get("state", "")).lower()
    if state not in upstream.STATES:
        raise ValueError(f"unexpected state {upstream.clean_text(state, 40)!r}")
    labels = [label.get("name") for label in ((node.get("labels") or {}).get("nodes") or [])
              if isinstance(label, dict)]
    reason = str(node.get("stateReason") or "").lower() or None
    return _thread_entry(item, kind, node.get("url"), node.get("title"), state, reason,
                         node.get("closedAt"), node.get("mergedAt"), labels)


def rest_thread(item: Item, issue: dict) -> dict:
    """An entry from the REST issues endpoint, which answers for pull requests too."""
    pull = issue.get("pull_request") if isinstance(issue.get("pull_request"), dict) else None
    state = str(issue.get("state", "")).lower()
    if state not in ("open", "closed"):
        raise ValueError(f"unexpected state {upstream.clean_text(state, 40)!r}")
    merged_at = pull.get("merged_at") if pull else None
    if pull and state == "closed" and merged_at:
        state = "merged"
    labels = [label.get("name") if isinstance(label, dict) else label for label in issue.get("labels") or []]
    return _thread_entry(item, "pull" if pull else "issue", issue.get("html_url"), issue.get("title"), state,
                         issue.get("state_reason"), issue.get("closed_at"), merged_at, labels)


def release_entry(item: Item, name_with_owner, tag, published_at, latest_tag=None) -> dict:
    entry: dict = {}
    if isinstance(tag, str) and tag.strip():
        entry["latest_release"] = upstream.clean_text(tag, 100)
        if upstream.timestamp(published_at):
            entry["released_at"] = published_at
    else:
        entry["latest_release"] = None
        if isinstance(latest_tag, str) and latest_tag.strip():
            entry["latest_tag"] = upstream.clean_text(latest_tag, 100)
    if isinstance(name_with_owner, str) and name_with_owner.lower() != item.key.lower():
        entry["moved_to"] = upstream.clean_text(name_with_owner, 140)
    return entry


class Checker:
    def __init__(self, client: Client, batch_size: int = 50, concurrency: int = 1,
                 progress: "Progress | None" = None):
        self.client = client
        self.batch_size = max(1, batch_size)
        self.concurrency = max(1, min(concurrency, MAX_CONCURRENCY))
        self.progress = progress or Progress(stream=None)
        self.outcomes: dict[str, Outcome] = {}
        self.cost = 0
        self.stopped: str | None = None
        self._lock = threading.Lock()
        self._failures_in_a_row = 0

    def run(self, items: list[Item]) -> dict[str, Outcome]:
        batches = plan(items, self.batch_size)
        self.progress.start(len(items), len(batches))
        if self.concurrency == 1:
            for batch in batches:
                self._batch(batch)
        else:
            with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                list(pool.map(self._batch, batches))
        self.progress.finish()
        return self.outcomes

    # One batch

    def _batch(self, batch: list[Item], split: bool = False) -> None:
        """Ask about a batch. When the answer keeps failing (a timeout, a 5xx, malformed JSON),
        ask about each half: GitHub's advice for queries that time out, and the way to pin a
        broken answer on the URLs that cause it. Halves are tried once: the whole was retried."""
        if self.stopped:
            self._record({item.key: Outcome(error=f"not checked: {self.stopped}") for item in batch})
            return
        query, variables, aliases = build_query(batch)
        try:
            data, errors = self.client.graphql(query, variables, attempts=1 if split else None)
        except ApiError as err:
            if len(batch) > 1 and err.splittable and not err.fatal:
                middle = len(batch) // 2
                self.progress.note(f"a batch of {len(batch)} failed ({err.reason}); asking in two halves")
                self._batch(batch[:middle], split=True)
                self._batch(batch[middle:], split=True)
                return
            # Only failures that halving cannot explain count towards giving up.
            self._failed_request(err)
            reason = f"{err.cause} (in its batch, then asked alone)" if split else err.reason
            self._record({item.key: Outcome(error=reason) for item in batch})
            return
        self._succeeded_request()
        cost = (data.get("rateLimit") or {}).get("cost") if isinstance(data.get("rateLimit"), dict) else None
        with self._lock:
            self.cost += cost if isinstance(cost, int) else 0
        self._record(self._read_batch(batch, data, errors, aliases))

    def _read_batch(self, batch, data: dict, errors: list, aliases: dict) -> dict[str, Outcome]:
        problems = {}
        for error in errors:
            path = error.get("path") if isinstance(error.get("path"), list) else []
            problems[tuple(path[:2])] = error
        outcomes = {}
        for (repo_alias, field_alias), items in aliases.items():
            for item in items:
                outcomes[item.key] = self._read_item(item, data.get(repo_alias), field_alias,
                                                     problems.get((repo_alias,)) or {},
                                                     problems.get((repo_alias, field_alias)) or {})
        return outcomes

    def _read_item(self, item: Item, repository, field_alias, repository_error: dict, field_error: dict) -> Outcome:
        if not isinstance(repository, dict):
            return self._unresolved(item, repository_error)
        try:
            if item.is_release:
                release = repository.get("latestRelease") or {}
                tags = (repository.get("tags") or {}).get("nodes") or [{}]
                return Outcome(release_entry(
                    item, repository.get("nameWithOwner"), release.get("tagName"), release.get("publishedAt"),
                    tags[0].get("name") if isinstance(tags[0], dict) else None))
            node = repository.get(field_alias)
            if not isinstance(node, dict) or not node.get("__typename"):
                return self._unresolved(item, field_error)
            return Outcome(graphql_thread(item, node))
        except (ValueError, AttributeError, TypeError) as err:
            return Outcome(error=f"unexpected answer: {upstream.clean_text(err, 200)}")

    def _unresolved(self, item: Item, error: dict) -> Outcome:
        """GraphQL could not resolve it: NOT_FOUND is asked again over REST (a transfer or a
        rename answers 301 there); other errors are reported as they are."""
        if error and error.get("type") != "NOT_FOUND":
            return Outcome(error=f"GraphQL {upstream.clean_text(error.get('type') or 'error', 40)}: "
                                 f"{upstream.clean_text(error.get('message', ''), 200)}")
        if self.stopped:
            return Outcome(error=f"not checked: {self.stopped}")
        try:
            outcome = self._release_over_rest(item) if item.is_release else self._thread_over_rest(item)
        except ApiError as err:
            self._failed_request(err)
            return Outcome(error=err.reason)
        except (ValueError, AttributeError, TypeError) as err:
            return Outcome(error=f"unexpected answer: {err}")
        self._succeeded_request()
        return outcome

    def _thread_over_rest(self, item: Item) -> Outcome:
        response = self.client.get(f"/repos/{item.owner}/{item.repo}/issues/{item.number}")
        if response.status in (404, 410):
            return Outcome({"unavailable": response.status})
        if not isinstance(response.data, dict):
            raise ValueError("the issue is not a JSON object")
        return Outcome(rest_thread(item, response.data))

    def _release_over_rest(self, item: Item) -> Outcome:
        response = self.client.get(f"/repos/{item.owner}/{item.repo}")
        if response.status in (404, 410):
            return Outcome({"unavailable": response.status})
        name = response.data.get("full_name") if isinstance(response.data, dict) else None
        if not isinstance(name, str) or name.count("/") != 1:
            raise ValueError("the repository has no full_name")
        release = self.client.get(f"/repos/{name}/releases/latest")
        data = release.data if release.status == 200 and isinstance(release.data, dict) else {}
        return Outcome(release_entry(item, name, data.get("tag_name"), data.get("published_at")))

    # Bookkeeping

    def _record(self, outcomes: dict[str, Outcome]) -> None:
        with self._lock:
            self.outcomes.update(outcomes)
            done = len(self.outcomes)
        self.progress.update(done, self.client.requests)

    def _failed_request(self, err: ApiError) -> None:
        with self._lock:
            self._failures_in_a_row += 1
            if err.fatal:
                self.stopped = self.stopped or err.reason
            elif self._failures_in_a_row >= FAILURES_IN_A_ROW and not self.stopped:
                self.stopped = f"{FAILURES_IN_A_ROW} requests failed in a row (last: {err.reason})"
        if self.stopped:
            self.progress.note(f"stopping: {self.stopped}")

    def _succeeded_request(self) -> None:
        with self._lock:
            self._failures_in_a_row = 0


# Merging into the previous snapshot

def merge(previous: upstream.Snapshot | None, items: list[Item], outcomes: dict[str, Outcome],
          today: str) -> tuple[upstream.Snapshot, list[tuple[str, str, str]]]:
    """The new snapshot: answers replace entries, failures keep them, entries no record cites go.
    Returns it with the changes to report: (what, key, detail)."""
    previous = previous or upstream.Snapshot()
    issues, repositories, changes = {}, {}, []
    for item in items:
        old = (previous.repositories if item.is_release else previous.issues).get(item.key)
        outcome = outcomes.get(item.key) or Outcome(error="not checked")
        target = repositories if item.is_release else issues
        if outcome.entry is None:
            if old is not None:
                target[item.key] = old
            changes.append(("failed", item.key, outcome.error or "no answer"))
            continue
        entry = dict(outcome.entry)
        if entry.get("unavailable") and old:
            # Keep what was known (the title, the last state) next to the 404.
            entry = {**{k: v for k, v in old.items() if k != "unavailable"}, "unavailable": entry["unavailable"]}
        if item.is_release:
            target[item.key] = entry
            changes.append(_release_change(item.key, old, entry))
            continue
        if old is not None and upstream.state_key(old) != upstream.state_key(entry):
            entry["changed_on"] = today
        elif old is not None and old.get("changed_on"):
            entry["changed_on"] = old["changed_on"]
        target[item.key] = entry
        changes.append(_thread_change(item.key, old, entry))
    snapshot = upstream.Snapshot(previous.date, issues, repositories)
    if snapshot.content() != previous.content() or previous.date is None:
        snapshot.date = today
    dropped = (set(previous.issues) - set(issues)) | (set(previous.repositories) - set(repositories))
    changes.extend(("dropped", key, "no record cites it any more") for key in sorted(dropped))
    return snapshot, sorted(changes, key=lambda change: (ORDER.index(change[0]), change[1]))


ORDER = ["failed", "not found", "moved", "changed", "release", "new", "updated", "dropped", "unchanged"]


def _thread_change(key: str, old: dict | None, new: dict) -> tuple[str, str, str]:
    now = upstream.describe(new)
    if new.get("unavailable"):
        return ("not found", key, now) if not (old and old.get("unavailable") == new["unavailable"]) \
            else ("unchanged", key, now)
    if upstream.moved_to(new) and not (old and old.get("moved_to") == new["moved_to"]):
        return ("moved", key, f"now {new['moved_to']}, {now}")
    if old is None:
        return ("new", key, now)
    if upstream.state_key(old) != upstream.state_key(new):
        return ("changed", key, f"{upstream.describe(old)} -> {now}")
    if old != new:
        return ("updated", key, "title or labels changed")
    return ("unchanged", key, now)


def _release_change(key: str, old: dict | None, new: dict) -> tuple[str, str, str]:
    if new.get("unavailable"):
        return ("not found", key, f"repository answered {new['unavailable']}")
    now = new.get("latest_release") or (f"no release (latest tag {new['latest_tag']})" if new.get("latest_tag")
                                        else "no release")
    if new.get("moved_to") and not (old and old.get("moved_to") == new["moved_to"]):
        return ("moved", key, f"now {new['moved_to']}, latest release {now}")
    if old is None:
        return ("new", key, f"latest release {now}")
    if old.get("latest_release") != new.get("latest_release"):
        return ("release", key, f"{old.get('latest_release') or 'none'} -> {now}")
    if old != new:
        return ("updated", key, "release details changed")
    return ("unchanged", key, f"latest release {now}")


# Progress on the terminal

class Progress:
    """A line that updates in place on a terminal; in a log (CI), a line per tenth of the work."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = bool(stream) and stream.isatty()
        self.total = self.batches = 0
        self.started = time.monotonic()
        self._last_tenth = -1
        self._lock = threading.Lock()

    def start(self, total: int, batches: int) -> None:
        self.total, self.batches, self.started = total, batches, time.monotonic()
        self._write(f"Checking {total} cited URLs and repositories in {batches} "
                    f"batch{'es' if batches != 1 else ''}...", newline=True)

    def update(self, done: int, requests: int) -> None:
        if not self.stream or not self.total:
            return
        text = (f"  {done}/{self.total} checked, {requests} request{'s' if requests != 1 else ''}, "
                f"{time.monotonic() - self.started:.1f} s")
        tenth = done * 10 // self.total
        with self._lock:
            if self.tty:
                self._write("\r" + text.ljust(60), newline=False)
            elif tenth != self._last_tenth:
                self._last_tenth = tenth
                self._write(text, newline=True)

    def note(self, message: str) -> None:
        self._write(("\n" if self.tty else "") + f"  {message}", newline=True)

    def finish(self) -> None:
        if self.tty:
            self._write("", newline=True)

    def _write(self, text: str, newline: bool) -> None:
        if self.stream:
            self.stream.write(text + ("\n" if newline else ""))
            self.stream.flush()


@dataclass
class Options:
    batch_size: int = 50
    concurrency: int = 1
    today: str = field(default_factory=lambda: upstream.today_utc().isoformat())


def check(items: list[Item], previous: upstream.Snapshot | None, client: Client, options: Options | None = None,
          progress: Progress | None = None) -> Result:
    """Ask about every item, then merge the answers into the previous snapshot."""
    options = options or Options()
    started = time.monotonic()
    checker = Checker(client, options.batch_size, options.concurrency, progress)
    outcomes = checker.run(items)
    snapshot, changes = merge(previous, items, outcomes, options.today)
    return Result(snapshot, outcomes, changes, client.requests, checker.cost, time.monotonic() - started,
                  checker.stopped)


# The command

def targets(records) -> list[Item]:
    urls = sorted({url for record in records for url in cited_urls(record)})
    repositories = sorted({name for record in records for name in release_repositories(record)})
    return items_for([parse_issue_url(url) for url in urls], repositories)


def command(args, folder, out=sys.stdout, err=sys.stderr, policy=None) -> int:
    """`kb sources check` (the exit codes are in cli.CHECK_EXIT_CODES). Tests pass a policy
    with tiny timeouts and backoff."""
    from .problems import summary
    from .validate import validate_folder

    if not 1 <= args.batch_size <= 100:
        print("kb sources check: --batch-size must be between 1 and 100.", file=err)
        return 2
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        print(f"kb sources check: --concurrency must be between 1 and {MAX_CONCURRENCY}.", file=err)
        return 2
    if not args.api_url.startswith(("https://", "http://")):
        print(f"kb sources check: --api-url must be an http(s) URL, like {DEFAULT_API}.", file=err)
        return 2
    if args.today and not upstream.is_date(args.today):
        print("kb sources check: --today must be a date like 2026-12-01.", file=err)
        return 2
    token = os.environ.get("GITHUB_TOKEN", "").strip() or None
    if token is None and args.api_url.rstrip("/") == DEFAULT_API:
        print("kb sources check: GITHUB_TOKEN is not set. GitHub's GraphQL API needs a token; any token "
              "works, it needs no scopes: export GITHUB_TOKEN=\"$(gh auth token)\"", file=err)
        return 2
    snapshot_path = Path(args.snapshot)
    try:
        previous = upstream.load(snapshot_path)
    except upstream.SnapshotError as error:
        print(f"kb sources check: {error}", file=err)
        return 2
    result = validate_folder(folder)
    if result.problems:
        print(summary(result.problems), file=err)
        print("The records have problems (above): fix them, then check again.", file=err)
        return 2
    items = targets(result.records)
    progress = Progress(err)
    policy = policy or Policy(timeout=args.timeout, max_wait=args.max_wait, attempts=args.attempts)
    client = Client(args.api_url, token, policy, on_wait=progress.note)
    outcome = check(items, previous, client, Options(args.batch_size, args.concurrency,
                                                     args.today or upstream.today_utc().isoformat()), progress)
    return report_outcome(outcome, items, snapshot_path, args.verbose, out)


FAILURES_SHOWN = 10  # per reason, unless --verbose: a whole outage is one reason, not 300 lines


def report_outcome(result: Result, items: list[Item], path, verbose: bool, out) -> int:
    counts: dict[str, int] = {}
    shown: dict[str, int] = {}
    width = max((len(key) for _, key, _ in result.changes), default=0)
    for what, key, detail in result.changes:
        counts[what] = counts.get(what, 0) + 1
        if what == "failed" and not verbose:
            shown[detail] = shown.get(detail, 0) + 1
            if shown[detail] > FAILURES_SHOWN:
                continue
        if verbose or what not in ("unchanged", "new"):
            print(f"{what:<10} {key:<{width}}  {detail}", file=out)
    for detail, count in shown.items():
        if count > FAILURES_SHOWN:
            print(f"{'failed':<10} {f'... and {count - FAILURES_SHOWN} more':<{width}}  {detail}", file=out)
    answered = len(items) - counts.get("failed", 0)
    issues = sum(1 for item in items if not item.is_release)
    print(f"Checked {issues} cited issue and pull request URLs and {len(items) - issues} release "
          f"repositories in {result.requests} request{'s' if result.requests != 1 else ''}, "
          f"{result.seconds:.1f} s (GraphQL cost: {result.cost} point{'s' if result.cost != 1 else ''}).", file=out)
    if counts:
        print("  " + ", ".join(f"{counts[what]} {what}" for what in ORDER if counts.get(what)), file=out)
    if items and answered == 0:
        why = result.stopped or next((detail for what, _, detail in result.changes if what == "failed"), "")
        print(f"Nothing could be checked: {why}. {path} was left as it was.", file=out)
        return 3
    current = Path(path).read_text(encoding="utf-8") if Path(path).is_file() else None
    if current != upstream.dumps(result.snapshot):
        upstream.save(result.snapshot, path)
        print(f"Wrote {path} (snapshot of {result.snapshot.date}).", file=out)
    else:
        print(f"{path} is unchanged (snapshot of {result.snapshot.date}).", file=out)
    if counts.get("failed"):
        print(f"{counts['failed']} could not be checked and kept their previous entries "
              "(listed as failed above): run `kb sources check` again later.", file=out)
        return 1
    return 0
