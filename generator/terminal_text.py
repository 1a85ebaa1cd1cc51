"""`kb show`: a record in the terminal, like `rustc --explain`: colour and a pager on a terminal, plain when piped.

Works on the JSON form of a record (api.record_json). Paragraphs are wrapped
to the terminal's width; inline code keeps its backticks in plain text and
is coloured instead on a terminal; links become "text (url)". Colour
follows --color, NO_COLOR (https://no-color.org) and TERM=dumb. The pager is
$PAGER, else `less -R` (with LESS=FRX unless LESS is set, so a short record
is printed and not paged).
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap

from .record_text import signature_text

BOLD, DIM, CODE, HEADING, LINK, RESET = "\x1b[1m", "\x1b[2m", "\x1b[36m", "\x1b[1;33m", "\x1b[4m", "\x1b[0m"
MAX_WIDTH = 100
PIPED_WIDTH = 80

_LINK = re.compile(r"\[([^\]]*)\]\((https://[^)\s]*)\)")
_EMPHASIS = re.compile(r"(?<![\w*])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


def use_colour(choice: str, stream=sys.stdout) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def width(stream=sys.stdout) -> int:
    if not stream.isatty():
        return PIPED_WIDTH
    return max(40, min(MAX_WIDTH, shutil.get_terminal_size((PIPED_WIDTH, 24)).columns - 1))


class Writer:
    def __init__(self, colour: bool, columns: int):
        self.colour, self.columns, self.lines = colour, columns, []

    def style(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.colour else text

    def heading(self, text: str) -> None:
        self.lines += ["", self.style(text, HEADING)]

    def blank(self) -> None:
        self.lines.append("")

    def raw(self, text: str) -> None:
        self.lines.append(text)

    def markdown(self, text: str, indent: int = 2, first: str = "") -> None:
        """Markdown prose, wrapped; fenced blocks are kept as they are, indented."""
        lead = " " * indent
        first_lead = (lead[:-len(first)] + first) if first and len(first) <= indent else lead + first
        paragraphs, fence = [], None
        for line in text.strip("\n").split("\n"):
            if fence is None and _FENCE.match(line):
                fence = _FENCE.match(line).group(1)
                paragraphs.append(["\x00code"])
                continue
            if fence is not None:
                if line.strip().startswith(fence):
                    fence = None
                    paragraphs.append([])
                else:
                    paragraphs[-1].append(line)
                continue
            if not line.strip():
                paragraphs.append([])
            elif paragraphs and paragraphs[-1] and paragraphs[-1][0] != "\x00code":
                paragraphs[-1].append(line.strip())
            else:
                paragraphs.append([line.strip()])
        started = False
        for paragraph in paragraphs:
            if not paragraph:
                continue
            if started:
                self.lines.append("")
            if paragraph[0] == "\x00code":
                self.lines += [lead + "    " + self.style(line, CODE) for line in paragraph[1:]]
            else:
                plain = _inline_plain(" ".join(paragraph))
                wrapped = textwrap.wrap(plain, width=self.columns, initial_indent=first_lead if not started else lead,
                                        subsequent_indent=lead, break_long_words=False, break_on_hyphens=False)
                self.lines += self._colour_spans(wrapped)
            started = True

    def _colour_spans(self, lines: list[str]) -> list[str]:
        """Inline code (`...`) and strong text (\x01...\x01) coloured, even when wrapping split them."""
        if not self.colour:
            return [line.replace("\x01", "") for line in lines]
        out, code, strong = [], False, False
        for line in lines:
            pieces = []
            if code:
                pieces.append(CODE)
            if strong:
                pieces.append(BOLD)
            for char in line:
                if char == "`":
                    code = not code
                    pieces.append(CODE if code else RESET + (BOLD if strong else ""))
                elif char == "\x01":
                    strong = not strong
                    pieces.append(BOLD if strong else RESET + (CODE if code else ""))
                else:
                    pieces.append(char)
            out.append("".join(pieces) + (RESET if code or strong else ""))
        return out

    def text(self) -> str:
        return "\n".join(self.lines).strip("\n") + "\n"


def _inline_plain(text: str) -> str:
    """Links as 'text (url)', strong emphasis marked with \\x01 for colouring; code spans keep their backticks."""
    pieces = re.split(r"(`+[^`]*`+)", text)
    for index in range(0, len(pieces), 2):
        prose = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", pieces[index])
        pieces[index] = _EMPHASIS.sub(lambda m: f"\x01{m.group(2)}\x01", prose)
    return "".join(pieces)


def render(record: dict, colour: bool = False, columns: int = PIPED_WIDTH) -> str:
    out = Writer(colour, columns)
    out.raw(out.style(record["title"], BOLD))
    facts = [record["id"], record["tool"], record["category"]]
    if record.get("status"):
        facts.append(f"status: {record['status']}")
    if record.get("fixed_in"):
        facts.append(f"fixed in {record['fixed_in']}")
    facts.append(f"updated {record['updated']}")
    for line in textwrap.wrap(" · ".join(facts), width=columns, break_long_words=False, break_on_hyphens=False):
        out.raw(out.style(line, DIM))
    out.blank()
    for signature in record["signatures"]:
        out.raw("    " + out.style(signature_text(signature), CODE))
    out.heading("What it means")
    out.markdown(record["meaning"])
    out.heading("Causes, most common first")
    for number, cause in enumerate(record["causes"], start=1):
        out.markdown(f"**{cause['title']}**", indent=6, first=f"{number}. ")
        out.markdown(cause["detail"], indent=6)
        out.blank()
    out.lines.pop()
    out.heading("How to fix it")
    for number, fix in enumerate(record["fixes"], start=1):
        out.markdown(f"**{fix['title']}**", indent=6, first=f"{number}. ")
        for letter, step in zip("abcdefghijklmnopqrstuvwxyz", fix["steps"]):
            out.markdown(step, indent=9, first=f"{letter}) ")
        out.blank()
    out.lines.pop()
    if record.get("prevention"):
        out.heading("How to prevent it")
        for tip in record["prevention"]:
            out.markdown(tip, indent=6, first="- ")
    if record.get("checks"):
        out.heading("Checks by platform")
        for check in record["checks"]:
            out.markdown(f"**{check['platform']}**: {check['check']}", indent=6, first="- ")
    affects = record.get("affects") or {}
    if affects.get("versions") or affects.get("platforms"):
        out.heading("Affects")
        if affects.get("versions"):
            out.markdown(f"Versions: {affects['versions']}")
        if affects.get("platforms"):
            out.markdown(f"Platforms: {', '.join(affects['platforms'])}")
    out.heading("Sources")
    for number, source in enumerate(record["sources"], start=1):
        out.markdown(source["title"], indent=6, first=f"[{number}] ")
        out.raw("      " + out.style(source["url"], LINK))
        if source.get("note"):
            out.markdown(source["note"], indent=6)
    if record.get("related"):
        out.heading("Related")
        out.markdown(", ".join(record["related"]) + " (kb show ID)")
    out.blank()
    out.raw(f"Page: {out.style(record['url'], LINK)}")
    return out.text()


def page(text: str, stream=sys.stdout, use_pager: bool = True) -> None:
    """Through $PAGER (or less -R) on a terminal, straight out otherwise."""
    command = os.environ.get("PAGER", "less -R")
    if not (use_pager and stream.isatty()) or command.strip() in ("", "cat"):
        stream.write(text)
        return
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # quit at once when it fits one screen, keep colours, leave it on the screen
    try:
        pager = subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, env=env)
    except (OSError, ValueError):
        stream.write(text)
        return
    try:
        pager.stdin.write(text.encode("utf-8"))
        pager.stdin.close()
    except BrokenPipeError:
        pass  # the reader quit the pager early
    pager.wait()
