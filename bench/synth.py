"""Synthetic knowledge bases for benchmarks: valid records with varied signatures, and pastes.

    python bench/synth.py --records 10000 --out /tmp/kb10k

Records vary in tool, category, wording, length, number and kind of
placeholders; each carries a few identifying words (an error code, an
exception name) the way real errors do. Pastes wrap a record's example in a
log of 1 to 40 noisy lines (timestamps, levels, stack frames, paths).
Everything is seeded, so a size always gives the same knowledge base.
"""
from __future__ import annotations

import argparse
import random
import string
from pathlib import Path

TOOLS = ["npm", "pip", "cargo", "docker", "kubectl", "terraform", "git", "gradle", "maven", "webpack", "vite",
         "jest", "pytest", "go", "rustc", "node", "deno", "bun", "yarn", "pnpm", "helm", "ansible", "poetry",
         "conda", "bazel", "cmake", "clang", "gcc", "dotnet", "swift", "xcodebuild", "flutter", "expo", "next",
         "nuxt", "django", "rails", "composer", "mix", "sbt"]
CATEGORIES = ["Package Managers", "Build Tools", "Containers", "Cloud Infrastructure", "Version Control",
              "Languages", "Test Runners", "Web Frameworks", "Mobile", "Databases", "AI Coding Tools", "Editors"]
VERBS = ["resolve", "fetch", "open", "connect to", "parse", "load", "compile", "link", "install", "download",
         "authenticate with", "read", "write", "start", "bind", "lock", "verify", "decode", "spawn", "mount",
         "register", "initialize", "upload", "sign", "extract", "migrate", "refresh", "validate", "allocate"]
NOUNS = ["dependency tree", "package", "module", "manifest", "lock file", "registry", "certificate", "socket",
         "config file", "workspace", "cache", "token", "credentials", "plugin", "container", "volume", "image",
         "schema", "index", "session", "checksum", "archive", "toolchain", "runtime", "target", "profile",
         "repository", "remote", "branch", "service account", "cluster", "namespace", "port", "database"]
REASONS = ["permission denied", "no such file or directory", "connection refused", "operation timed out",
           "invalid argument", "resource busy", "not found", "already exists", "unexpected end of input",
           "signature mismatch", "quota exceeded", "unsupported version", "read-only file system",
           "too many open files", "host unreachable", "bad gateway", "conflict detected"]
SYLLABLES = ["ka", "lo", "mi", "tru", "vex", "zor", "pen", "dal", "qui", "rox", "fen", "gar", "hul", "jin",
             "mor", "nex", "pol", "rin", "sta", "tor", "ulm", "var", "wex", "yol", "zen", "bri", "cra", "dro"]
PATTERNS = [
    "{tool} ERR! code {code}",
    "{tool} ERR! {code} unable to {verb} {noun}",
    "error[{code}]: failed to {verb} {noun} `{name}`",
    "{exception}: could not {verb} {noun} '{name}': {reason}",
    "{exception}: {reason} while trying to {verb} {noun} at {path}",
    "fatal: cannot {verb} {noun} '{name}' ({code})",
    "Error: {code}: {reason}, {verb} '{path}'",
    "{tool}: {noun} {name} failed to {verb}: {reason} ({code}, exit code {status})",
    "FAILED to {verb} {noun} {name} after {count} attempts: {exception}",
    "{exception} raised in {name}: {noun} is {reason}",
    "Unable to {verb} {noun} from {url}: HTTP {status} {code}",
    "[{code}] The {noun} '{name}' could not be used because it is {reason}.",
    "{tool} {code}: expected {noun} version {version}, found {version2}",
    "warning {code}: {noun} {name} is deprecated and will stop working soon; {reason}",
    "Caused by: {exception}: {reason} (while trying to {verb} {noun} {name} on port {port})",
]


def pseudo_word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.used_codes: set[str] = set()

    def code(self) -> str:
        while True:
            code = "E" + "".join(self.rng.choice(string.ascii_uppercase) for _ in range(self.rng.choice([4, 5, 6])))
            if code not in self.used_codes and "TODO" not in code:  # the validator refuses TODO markers
                self.used_codes.add(code)
                return code

    def exception(self) -> str:
        return pseudo_word(self.rng, 2).capitalize() + pseudo_word(self.rng, 2).capitalize() + self.rng.choice(
            ["Error", "Exception", "Failure", "Fault"])

    def signature(self, tool: str) -> tuple[str, str]:
        """(template, example): the example fills each placeholder with a realistic value."""
        rng = self.rng
        pattern = rng.choice(PATTERNS)
        fixed = {"tool": tool, "code": self.code(), "verb": rng.choice(VERBS),
                 "noun": rng.choice(NOUNS), "reason": rng.choice(REASONS), "exception": self.exception()}
        values = {
            "name": rng.choice(["'@scope/pkg-%d'", "lib%d", "svc-%d", "%d-widget"]) % rng.randint(1, 999),
            "path": "/home/%s/%s/%s.json" % (pseudo_word(rng, 2), pseudo_word(rng, 1), pseudo_word(rng, 2)),
            "url": "https://%s.example.com/v%d/%s" % (pseudo_word(rng, 2), rng.randint(1, 3), pseudo_word(rng, 2)),
            "status": str(rng.choice([400, 401, 403, 404, 409, 429, 500, 502, 503])),
            "count": str(rng.randint(2, 9)), "port": str(rng.randint(1024, 65000)),
            "version": "%d.%d.%d" % (rng.randint(0, 9), rng.randint(0, 30), rng.randint(0, 99)),
            "version2": "%d.%d" % (rng.randint(0, 9), rng.randint(0, 30)),
        }
        template = pattern.format(**fixed, **{k: "{" + k + "}" for k in values})
        example = pattern.format(**fixed, **values)
        return template, example

    def record(self, number: int) -> tuple[str, str, str]:
        """(folder, id, YAML text) of one synthetic record."""
        rng = self.rng
        tool = rng.choice(TOOLS) if rng.random() < 0.7 else f"{pseudo_word(rng, 2)}-{rng.choice(TOOLS)}"
        category = CATEGORIES[sum(map(ord, tool)) % len(CATEGORIES)]  # one category per tool
        pairs = [self.signature(tool) for _ in range(rng.choice([1, 1, 2, 3]))]
        record_id = f"{tool}-{number:06d}-{pseudo_word(rng, 2)}"
        meaning = " ".join(f"{rng.choice(['The', 'A', 'This'])} {rng.choice(NOUNS)} failed to {rng.choice(VERBS)} "
                           f"because of {rng.choice(REASONS)}." for _ in range(rng.randint(2, 6)))
        lines = [
            f'title: "{tool}: {pairs[0][1][:60].replace(chr(34), "")}"',
            f"tool: {tool}",
            f"category: {category}",
            "signatures:",
            *[f"  - {quote(template)}" for template, _ in pairs],
            "examples:",
            *[f"  - {quote(example)}" for _, example in pairs],
            f"meaning: {quote(meaning)}",
            "causes:",
            *[f"  - title: {quote('The ' + rng.choice(NOUNS) + ' is ' + rng.choice(REASONS))}\n"
              f"    detail: {quote('Reported by users. ' + meaning)}" for _ in range(rng.randint(1, 3))],
            "fixes:",
            *[f"  - title: {quote('Re-' + rng.choice(VERBS).split()[0] + ' the ' + rng.choice(NOUNS))}\n"
              f"    steps:\n" + "\n".join(f"      - {quote('Run `' + tool + ' ' + rng.choice(VERBS).split()[0] + '`.')}"
                                         for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 3))],
            "sources:",
            f"  - url: https://example.org/{tool}/issues/{number}",
            f"    title: {quote('Report ' + str(number))}",
            # Fixed text, no random draws: the rest of the knowledge base stays as it was for a given seed.
            "faq:",
            f"  - q: \"Is the {tool} error reported upstream?\"",
            f"    a: \"Yes, in [report {number}](https://example.org/{tool}/issues/{number}).\"",
            "  - q: \"Does a restart help?\"",
            f"    a: \"Not in [report {number}](https://example.org/{tool}/issues/{number}).\"",
            "status: open",
            "verified:",
            "  date: 2026-01-01",
            "  version: \"1.0\"",
            f"updated: 2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}",
        ]
        return tool, record_id, "\n".join(lines) + "\n"


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_kb(size: int, out: Path, seed: int = 7) -> list[str]:
    """Write `size` records under out/<tool>/<id>.yaml; returns each record's first example."""
    generator = Generator(seed)
    examples = []
    for number in range(size):
        folder, record_id, text = generator.record(number)
        target = out / folder / f"{record_id}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        examples.append((record_id, text.split("examples:\n  - ", 1)[1].split("\n", 1)[0]))
    return examples


def unquote(example: str) -> str:
    """The text of a double-quoted YAML scalar as quote() wrote it."""
    return example[1:-1].replace('\\"', '"').replace("\\\\", "\\")


def noisy_paste(rng: random.Random, example: str) -> str:
    """An example as users paste it: inside a log of 1-40 lines, sometimes coloured."""
    noise = ["2026-11-%02d 10:%02d:%02d.%03dZ INFO starting worker %d" % (rng.randint(1, 28), rng.randint(0, 59),
                                                                         rng.randint(0, 59), rng.randint(0, 999),
                                                                         rng.randint(1, 9)),
             "    at Object.<anonymous> (/app/src/index.js:%d:%d)" % (rng.randint(1, 300), rng.randint(1, 80)),
             "  File \"/usr/lib/python3.11/site-packages/x/core.py\", line %d, in run" % rng.randint(1, 900),
             "[debug] cache hit for key %08x" % rng.getrandbits(32),
             "Downloading https://registry.example.org/pkg/-/pkg-1.%d.0.tgz" % rng.randint(0, 40)]
    size = rng.randint(0, 39)
    lines = [rng.choice(noise) for _ in range(size)]
    line = unquote(example)
    if rng.random() < 0.3:
        line = f"\x1b[31m{line}\x1b[0m"
    lines.insert(rng.randint(0, size), line)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    write_kb(args.records, args.out)
    print(f"wrote {args.records} records to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
