"""A bounded, safe YAML reader that keeps every value's line and column.

PyYAML's own composer recurses once per nesting level and expands aliases without limit when the
result is walked. This module builds the node tree from PyYAML's event stream in a loop instead, so
that deep nesting, alias bombs and foreign tags are refused early, cheaply and with a position.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_DEPTH = 64
# How many nodes a document may hold once every alias is expanded. A real session has a few hundred.
MAX_EXPANDED_NODES = 100_000

_CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
MAP, SEQ = _CORE + "map", _CORE + "seq"
_ALLOWED_SCALAR_TAGS = {STR, INT, FLOAT, BOOL, NULL}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# libyaml's parser gives the same events and positions about 15 times faster; PyYAML's own
# parser is the fallback where PyYAML was built without it.
_Loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
# An opening bracket or brace: the only way one line can nest more deeply than MAX_DEPTH.
_FLOW_OPENERS = re.compile(r"[\[{]")


class YamlProblem(Exception):
    """A YAML-level problem at a 1-based line and column."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.col = col
        self.message = message


@dataclass(eq=False)
class Node:
    """A YAML node with its position.

    `value` is the source text for a scalar, a list of nodes for a sequence and a list of
    (key, value) pairs for a mapping.
    """

    kind: str  # "scalar", "seq" or "map"
    tag: str
    line: int
    col: int
    value: Any = field(default_factory=list)
    size: int = 1

    def data(self) -> Any:
        """Return a scalar's Python value (str, int, float, bool or None)."""
        if self.tag in (INT, FLOAT, BOOL, NULL):
            node = yaml.ScalarNode(self.tag, self.value)
            constructor = getattr(_CONSTRUCTOR, "construct_yaml_" + self.tag.rsplit(":", 1)[1])
            return constructor(node)
        return self.value


def show_tag(tag: str) -> str:
    """Write a tag the way a user would type it."""
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _position(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _position_in(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _events(loader: Any, text: str) -> Iterator[yaml.Event]:
    try:
        while loader.check_event():
            yield loader.get_event()
    except yaml.MarkedYAMLError as error:
        line, col = _position(error.problem_mark)
        index = getattr(error.problem_mark, "index", -1)
        if 0 <= index < len(text) and text[index] == "\t":
            raise YamlProblem(
                line, col, "a tab: YAML indents with spaces, never tabs; replace it with spaces"
            ) from None
        problem = (error.problem or "invalid YAML").strip()
        if error.context:
            problem = f"{error.context.strip()}, {problem}"
            start_line, start_col = _position(error.context_mark)
            if error.context_mark is not None and start_line != line:
                problem += f" (it starts at line {start_line}, column {start_col})"
        raise YamlProblem(line, col, f"YAML syntax error: {problem}") from None
    except yaml.reader.ReaderError as error:
        raise _reader_problem(text, error) from None


def compose(text: str) -> Node | None:
    """Build the node tree of a single-document YAML text.

    Returns None for a document with no content. Raises YamlProblem for syntax errors, foreign
    tags, more than one document, nesting deeper than MAX_DEPTH, and alias expansion past
    MAX_EXPANDED_NODES.
    """
    try:
        return _compose_with(_Loader, text)
    except YamlProblem as problem:
        if _Loader is yaml.SafeLoader or not _nests_deeply(text, problem.line):
            raise
    # libyaml looks ahead up to a thousand characters on a line and refuses deep nesting on its
    # own, in its own words, before our depth check sees the events. PyYAML's own parser has no
    # such limit, so it reaches MAX_DEPTH and gives our message at its place, at any depth.
    return _compose_with(yaml.SafeLoader, text)


def _compose_with(loader_class: Any, text: str) -> Node | None:
    try:
        loader = loader_class(text)  # the pure-Python loader checks every character up front
    except yaml.reader.ReaderError as error:
        raise _reader_problem(text, error) from None
    try:
        return _build(loader, text)
    finally:
        loader.dispose()


def _nests_deeply(text: str, line: int) -> bool:
    """True when line `line` (1-based) opens more than MAX_DEPTH brackets or braces."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return False
    end = text.find("\n", start)
    return len(_FLOW_OPENERS.findall(text, start, end if end >= 0 else len(text))) > MAX_DEPTH


def _reader_problem(text: str, error: yaml.reader.ReaderError) -> YamlProblem:
    line, col = _position_in(text, error.position)
    return YamlProblem(
        line, col, f"character U+{error.character:04X} is not allowed in a YAML file"
    )


def _build(loader: Any, text: str) -> Node | None:
    root: Node | None = None
    documents = 0
    stack: list[Node] = []
    pending_keys: list[Node | None] = []
    anchors: dict[str, Node] = {}

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        if parent.kind == "seq":
            parent.value.append(node)
        elif pending_keys[-1] is None:
            pending_keys[-1] = node
        else:
            parent.value.append((pending_keys[-1], node))
            pending_keys[-1] = None

    for event in _events(loader, text):
        line, col = _position(event.start_mark)
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise YamlProblem(
                    line, col, "a session file holds one YAML document, found a second"
                )
            continue
        if isinstance(event, yaml.AliasEvent):
            target = anchors.get(event.anchor or "")
            if target is None:
                raise YamlProblem(line, col, f"alias `*{event.anchor}` names no anchor")
            if any(open_node is target for open_node in stack):
                raise YamlProblem(
                    line, col, f"alias `*{event.anchor}` refers to a node that holds it"
                )
            attach(target)
            _grow(stack, target.size, line, col)
            continue
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            elif tag not in _ALLOWED_SCALAR_TAGS:
                raise _foreign_tag(line, col, tag)
            if tag not in _ALLOWED_SCALAR_TAGS:
                tag = STR  # timestamps, merge keys and the like stay plain text
            node = Node("scalar", tag, line, col, event.value)
        elif isinstance(event, yaml.CollectionStartEvent):
            kind = "map" if isinstance(event, yaml.MappingStartEvent) else "seq"
            expected = MAP if kind == "map" else SEQ
            if event.tag not in (None, "!", expected):
                raise _foreign_tag(line, col, event.tag)
            if len(stack) >= MAX_DEPTH:
                raise YamlProblem(line, col, f"nesting is deeper than {MAX_DEPTH} levels")
            node = Node(kind, expected, line, col)
        elif isinstance(event, yaml.CollectionEndEvent):
            closed = stack.pop()
            pending_keys.pop()
            if stack:
                _grow(stack, closed.size, closed.line, closed.col)
            continue
        else:  # stream and document ends
            continue
        attach(node)
        if event.anchor is not None:
            anchors[event.anchor] = node
        if node.kind == "scalar":
            _grow(stack, 1, line, col)
        else:
            stack.append(node)
            pending_keys.append(None)
    return root


def _grow(stack: list[Node], added: int, line: int, col: int) -> None:
    """Count `added` nodes into the innermost open collection and refuse runaway expansion."""
    if not stack:
        return
    parent = stack[-1]
    parent.size += added
    total = sum(node.size for node in stack)
    if total > MAX_EXPANDED_NODES:
        raise YamlProblem(
            line, col, f"aliases expand this file past {MAX_EXPANDED_NODES:,} values; refused"
        )


def _foreign_tag(line: int, col: int, tag: str) -> YamlProblem:
    return YamlProblem(
        line,
        col,
        f"tag `{show_tag(tag)}` is not allowed: session files use plain YAML "
        "(text, numbers, true/false, lists and mappings)",
    )
