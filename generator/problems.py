"""Problems found in records, and how they are printed.

Every rule has a code (EA001...) so a contributor can look it up in
CONTRIBUTING.md, and every problem names the file, line and column.
"""
from __future__ import annotations

from dataclasses import dataclass

# One line per rule: the code, and what it guards. CONTRIBUTING.md lists the same table.
RULES = {
    "EA001": "file is not valid UTF-8",
    "EA002": "YAML syntax error",
    "EA003": "duplicate key",
    "EA004": "YAML anchors and aliases are not allowed",
    "EA005": "a record must be a YAML mapping",
    "EA006": "bad file name, id or location",
    "EA007": "duplicate id",
    "EA008": "unknown field",
    "EA009": "missing required field",
    "EA010": "empty value",
    "EA011": "wrong type",
    "EA012": "bad URL",
    "EA013": "bad date (or a date in the future)",
    "EA014": "value not allowed",
    "EA015": "bad signature template",
    "EA016": "example matches none of the record's signatures",
    "EA017": "unknown related id",
    "EA018": "raw HTML is not allowed",
    "EA019": "link is not https",
    "EA020": "file too large",
    "EA021": "inconsistent tool or category spelling",
    "EA022": "TODO marker left in the record",
    "EA023": "signature collides with another record's",
    "EA024": "example looks up to another record first",
    "EA025": "fewer than two FAQ entries of the record's own",
}


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    code: str
    message: str

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"

    def github(self) -> str:
        # GitHub Actions workflow command: shows on the pull request's changed line.
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return (
            f"::error file={self.path},line={self.line},col={self.column},"
            f"title={self.code}::{message}"
        )


def summary(problems: list[Problem]) -> str:
    files = len({p.path for p in problems})
    lines = [p.text() for p in problems]
    noun = "problem" if len(problems) == 1 else "problems"
    lines.append(f"{len(problems)} {noun} in {files} file{'s' if files != 1 else ''}.")
    return "\n".join(lines)
