"""Load one YAML record strictly, keeping the line and column of every key and value.

PyYAML's safe_load silently keeps the last of two duplicate keys and happily
expands alias bombs, and it forgets where each value came from. We compose the
node graph ourselves instead: anchors and aliases are refused at the first one
(before anything is expanded), duplicate keys are reported, and each value's
position is kept so that problems can name the exact line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import Problem

MAX_BYTES = 512 * 1024

# Path of a value inside a record: ("causes", 2, "title").
Location = tuple


class _AliasFound(Exception):
    def __init__(self, mark):
        self.mark = mark


class _StrictPyLoader(yaml.SafeLoader):
    """Pure-Python fallback: refuses the first alias before composing it."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _AliasFound(event.start_mark)
        return super().compose_node(parent, index)


class _Refused(Exception):
    """The fast path saw something only the careful path can report (an alias, a duplicate key)."""


if hasattr(yaml, "CSafeLoader"):
    class _FastLoader(yaml.CSafeLoader):
        """libyaml all the way to Python values, refusing aliases and duplicate keys."""

        def construct_object(self, node, deep=False):
            if node in self.constructed_objects:
                raise _Refused  # the same node twice: an alias
            return super().construct_object(node, deep)

        def construct_mapping(self, node, deep=False):
            keys = [key.value for key, _ in node.value]
            if len(keys) != len(set(keys)):
                raise _Refused
            return super().construct_mapping(node, deep)
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = None


# libyaml composes about ten times faster. It links an alias to the node it names
# (no copy, no expansion), and _to_python refuses any node reached twice, so an alias
# bomb is still refused at its first alias, in time linear in the file.
_Loader = getattr(yaml, "CSafeLoader", None) or _StrictPyLoader


@dataclass
class LoadedYaml:
    data: object = None
    # Path -> (line, column), 1-based, of the value; keys live under ("key",) + path.
    positions: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    # Paths of values written as block scalars (| or >): their text starts on the next line.
    block_paths: set = field(default_factory=set)
    lines: list = field(default_factory=list)
    text: str = ""
    shown_path: str = ""

    def _ensure_positions(self) -> None:
        """A file read by the fast path has no positions until a problem needs one."""
        if not self.positions and self.text:
            careful = _load_carefully(self.text, self.shown_path, LoadedYaml())
            self.positions, self.block_paths = careful.positions, careful.block_paths

    def where_inside(self, path: Location, text: str, offset: int) -> tuple[int, int]:
        """Position of character `offset` of the text value at `path`."""
        self._ensure_positions()
        line, column = self.where(path)
        inner_line = text.count("\n", 0, offset)
        inner_column = offset - (text.rfind("\n", 0, offset) + 1)
        if tuple(path) in self.block_paths:
            first = line  # 1-based line of the indicator; content starts below it
            content = self.lines[first] if first < len(self.lines) else ""
            indent = len(content) - len(content.lstrip(" "))
            return first + 1 + inner_line, indent + inner_column + 1
        if inner_line == 0:
            source = self.lines[line - 1] if line - 1 < len(self.lines) else ""
            quoted = column - 1 < len(source) and source[column - 1] in "\"'"
            return line, column + inner_column + (1 if quoted else 0)
        return line + inner_line, inner_column + 1

    def where(self, path: Location, key: bool = False) -> tuple[int, int]:
        """Position of the value at `path` (or of its key), else of its nearest parent."""
        self._ensure_positions()
        if key and ("key",) + tuple(path) in self.positions:
            return self.positions[("key",) + tuple(path)]
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))


def load_file(path: Path, shown_path: str) -> LoadedYaml:
    result = LoadedYaml()

    def problem(line, column, code, message):
        result.problems.append(Problem(shown_path, line, column, code, message))
        return result

    size = path.stat().st_size
    if size > MAX_BYTES:
        return problem(1, 1, "EA020", f"file is {size} bytes; a record must stay under {MAX_BYTES} bytes")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        return problem(line, column, "EA001", "file is not valid UTF-8: save it as UTF-8")
    return load_text(text, shown_path, result)


def load_text(text: str, shown_path: str, result: LoadedYaml | None = None) -> LoadedYaml:
    result = result or LoadedYaml()
    result.lines = text.splitlines()
    result.text, result.shown_path = text, shown_path
    if _FastLoader is not None:
        # Most records are fine: read them at libyaml speed and find positions only when needed.
        try:
            data = yaml.load(text, Loader=_FastLoader)
        except Exception:  # noqa: BLE001 - anything odd is reported precisely by the careful path
            data = None
        if isinstance(data, dict) and all(isinstance(key, str) for key in data):
            result.data = data
            return result
    return _load_carefully(text, shown_path, result)


def _load_carefully(text: str, shown_path: str, result: LoadedYaml) -> LoadedYaml:
    """Compose node by node, keeping every position and reporting every problem."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and isinstance(node, yaml.MappingNode):
            result.data = _to_python(node, (), result, shown_path, loader, set())
    except _AliasFound as err:
        result.problems.append(
            Problem(shown_path, err.mark.line + 1, err.mark.column + 1, "EA004",
                    "YAML anchors and aliases (& and *) are not allowed: write the value out in full")
        )
        return result
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = err.problem or str(err)
        result.problems.append(
            Problem(shown_path, line, column, "EA002", f"YAML syntax error: {reason}")
        )
        return result
    except yaml.YAMLError as err:
        result.problems.append(Problem(shown_path, 1, 1, "EA002", f"YAML syntax error: {err}"))
        return result
    if node is None:
        result.problems.append(Problem(shown_path, 1, 1, "EA005", "file is empty: a record is a YAML mapping of fields"))
        return result
    if not isinstance(node, yaml.MappingNode):
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        result.problems.append(
            Problem(shown_path, line, column, "EA005",
                    "a record must be a YAML mapping of fields (title: ..., tool: ...)")
        )
        return result
    loader.dispose()
    return result


def _mark(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _to_python(node, path, result: LoadedYaml, shown_path: str, loader, seen: set):
    if id(node) in seen:
        raise _AliasFound(node.start_mark)
    seen.add(id(node))
    result.positions[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        mapping = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, path, result, shown_path, loader)
            if not isinstance(key, str):
                line, column = _mark(key_node)
                result.problems.append(
                    Problem(shown_path, line, column, "EA011", f"field names must be text, not {key!r}")
                )
                continue
            if key in mapping:
                line, column = _mark(key_node)
                first_line = result.positions[("key",) + path + (key,)][0]
                result.problems.append(
                    Problem(shown_path, line, column, "EA003",
                            f"duplicate key '{key}' (first defined on line {first_line}): keep only one")
                )
                continue
            result.positions[("key",) + path + (key,)] = _mark(key_node)
            mapping[key] = _to_python(value_node, path + (key,), result, shown_path, loader, seen)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_python(item, path + (index,), result, shown_path, loader, seen)
            for index, item in enumerate(node.value)
        ]
    return _scalar(node, path, result, shown_path, loader)


def _scalar(node, path, result, shown_path, loader):
    if not isinstance(node, yaml.ScalarNode):
        line, column = _mark(node)
        result.problems.append(Problem(shown_path, line, column, "EA011", "expected a plain value here"))
        return None
    if node.style in ("|", ">"):
        result.block_paths.add(path)
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:
        # Looks like a timestamp but is not a real date (2026-13-40): keep the text,
        # so the field's own check can say what is wrong with it.
        return node.value
    except yaml.YAMLError as err:
        line, column = _mark(node)
        result.problems.append(Problem(shown_path, line, column, "EA011", f"cannot read this value: {err}"))
        return None
