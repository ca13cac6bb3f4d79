"""A bounded, safe YAML reader that keeps every value's line and column.

PyYAML's own composer recurses once per nesting level and expands aliases without limit when the
result is walked. This module builds the node tree from PyYAML's event stream in a loop instead, so
that deep nesting, alias bombs and foreign tags are refused early, cheaply and with a position.

Scalars keep their source text. `number()` and `flag()` read a scalar's value with this module's
own code, never PyYAML's constructors, which raise on `!!float abc` or `!!bool maybe`, on an
integer of more than 4,300 digits, and on converting a huge integer to a float.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from oxybreathe.core.safe_text import shorten

MAX_DEPTH = 64
# How many nodes a document may hold once every alias is expanded. A real session has a few hundred.
MAX_EXPANDED_NODES = 100_000

_CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
MAP, SEQ = _CORE + "map", _CORE + "seq"
_ALLOWED_SCALAR_TAGS = {STR, INT, FLOAT, BOOL, NULL}
# libyaml's parser gives the same events and positions about 15 times faster; PyYAML's own
# parser is the fallback where PyYAML was built without it.
_Loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
# An opening bracket or brace: the only way one line can nest more deeply than MAX_DEPTH.
_FLOW_OPENERS = re.compile(r"[\[{]")

# YAML 1.1's numbers, as PyYAML's resolver spells them (ASCII only: `\d` would take any digit).
_INT = re.compile(
    r"[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
    r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+",
    re.ASCII,
)
_FLOAT = re.compile(
    r"[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    # `!!float 1e5`: a tagged float may also have an exponent without a point or a sign.
    r"|[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+",
    re.ASCII,
)
_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}


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
    tagged: bool = False  # the tag was written in the file (`!!float 5`), not resolved

    @property
    def written(self) -> str:
        """A scalar as the file writes it, with its tag when it has one: `!!float abc`."""
        text = str(self.value)
        return f"{show_tag(self.tag)} {text}".rstrip() if self.tagged else text


def show_tag(tag: str) -> str:
    """Write a tag the way a user would type it."""
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def number(node: Node) -> float | None:
    """The number a scalar tagged int or float holds, or None when it holds none. Never raises.

    Reads every YAML 1.1 form (`1_000`, `0x10`, `0b101`, octal `017`, sexagesimal `1:30`,
    `.inf`, `.nan`) in time linear in its length. A finite number too large for a float comes
    back as the largest float of its sign, so only `.inf` and `.nan` are not finite, and every
    range check simply fails.
    """
    if node.kind != "scalar" or node.tag not in (INT, FLOAT):
        return None
    text = str(node.value)
    whole = _INT.fullmatch(text) is not None
    if not (whole or (node.tag == FLOAT and _FLOAT.fullmatch(text))):
        return None  # `!!float abc`, `!!int 1.5`
    text = text.replace("_", "")
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("+-")
    if text.lower() == ".nan":
        return math.nan
    if text.lower() == ".inf":
        return sign * math.inf
    if ":" in text:  # base 60: 1:30 is 90
        value = 0.0
        for part in text.split(":"):
            value = value * 60 + float(part)
            if math.isinf(value):
                break
    elif whole and len(text) > 1 and text[0] == "0":  # 0b101, 0x1F, 017 (octal)
        base = {"b": 2, "x": 16}.get(text[1], 8)
        digits = text if base == 8 else text[2:]
        if not digits:  # `0x_`
            return None
        value = _as_float(int(digits, base))  # power-of-two bases: linear, no digit limit
    else:
        value = float(text)  # decimal text of any length; too large comes back as inf
    return sign * min(value, sys.float_info.max)


def _as_float(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return sys.float_info.max


def flag(node: Node) -> bool | None:
    """The true or false a scalar tagged bool holds (`yes`, `off`...), or None. Never raises."""
    if node.kind != "scalar" or node.tag != BOOL:
        return None
    return _BOOLS.get(str(node.value).lower())


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


def compose(text: str, kind: str = "session file") -> Node | None:
    """Build the node tree of a single-document YAML text; `kind` names the file in messages.

    Returns None for a document with no content. Raises YamlProblem for syntax errors, foreign
    tags, more than one document, nesting deeper than MAX_DEPTH, and more than
    MAX_EXPANDED_NODES values once aliases are expanded.
    """
    try:
        return _compose_with(_Loader, text, kind)
    except YamlProblem as problem:
        if _Loader is yaml.SafeLoader:
            raise
        prefix = _deep_prefix(text, problem.line)
        if prefix is None:
            raise
        # libyaml looks ahead up to a thousand characters on a line and refuses deep nesting on
        # its own, in its own words, before our depth check sees the events. The text up to just
        # past the level our check refuses holds fewer levels than libyaml's limit, so reading
        # it gives our message at its place, at any depth, for little more than that prefix.
        try:
            _compose_with(_Loader, prefix, kind)
        except YamlProblem as ours:
            if ours.message == _too_deep():
                raise ours from None
        raise problem from None


def _compose_with(loader_class: Any, text: str, kind: str) -> Node | None:
    try:
        loader = loader_class(text)  # the pure-Python loader checks every character up front
    except yaml.reader.ReaderError as error:
        raise _reader_problem(text, error) from None
    try:
        return _build(loader, text, kind)
    finally:
        loader.dispose()


def _deep_prefix(text: str, line: int) -> str | None:
    """The text up to just past the (MAX_DEPTH + 1)th bracket or brace opened on line `line`
    (1-based), or None when that line opens no more than MAX_DEPTH of them."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    end = text.find("\n", start)
    openers = _FLOW_OPENERS.finditer(text, start, end if end >= 0 else len(text))
    for count, opener in enumerate(openers, 1):
        if count > MAX_DEPTH:
            return text[: opener.end()]
    return None


def _too_deep() -> str:
    return f"nesting is deeper than {MAX_DEPTH} levels"


def _reader_problem(text: str, error: yaml.reader.ReaderError) -> YamlProblem:
    line, col = _position_in(text, error.position)
    return YamlProblem(
        line, col, f"character U+{error.character:04X} is not allowed in a YAML file"
    )


def _build(loader: Any, text: str, kind: str) -> Node | None:
    root: Node | None = None
    documents = 0
    written = 0  # values written out in the file, not counting what aliases repeat
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
                raise YamlProblem(line, col, f"a {kind} holds one YAML document, found a second")
            continue
        if isinstance(event, yaml.AliasEvent):
            target = anchors.get(event.anchor or "")
            if target is None:
                raise YamlProblem(
                    line, col, f"alias `*{shorten(event.anchor or '')}` names no anchor"
                )
            if any(open_node is target for open_node in stack):
                raise YamlProblem(
                    line,
                    col,
                    f"alias `*{shorten(event.anchor or '')}` refers to a node that holds it",
                )
            attach(target)
            _grow(stack, target.size, line, col, written)
            continue
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            tagged = tag not in (None, "!")
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            elif tag not in _ALLOWED_SCALAR_TAGS:
                raise _foreign_tag(line, col, tag, kind)
            if tag not in _ALLOWED_SCALAR_TAGS:
                tag = STR  # timestamps, merge keys and the like stay plain text
            node = Node("scalar", tag, line, col, event.value, tagged=tagged)
        elif isinstance(event, yaml.CollectionStartEvent):
            shape = "map" if isinstance(event, yaml.MappingStartEvent) else "seq"
            expected = MAP if shape == "map" else SEQ
            if event.tag not in (None, "!", expected):
                raise _foreign_tag(line, col, event.tag, kind)
            if len(stack) >= MAX_DEPTH:
                raise YamlProblem(line, col, _too_deep())
            node = Node(shape, expected, line, col)
        elif isinstance(event, yaml.CollectionEndEvent):
            closed = stack.pop()
            pending_keys.pop()
            if stack:
                _grow(stack, closed.size, closed.line, closed.col, written)
            continue
        else:  # stream and document ends
            continue
        attach(node)
        written += 1
        if event.anchor is not None:
            anchors[event.anchor] = node
        if node.kind == "scalar":
            _grow(stack, 1, line, col, written)
        else:
            stack.append(node)
            pending_keys.append(None)
    return root


def _grow(stack: list[Node], added: int, line: int, col: int, written: int) -> None:
    """Count `added` nodes into the innermost open collection and refuse runaway expansion.

    `written` is how many values the file itself has written so far: when that alone is past
    the limit, the file is simply too big; otherwise its aliases made it so.
    """
    if not stack:
        return
    parent = stack[-1]
    parent.size += added
    total = sum(node.size for node in stack)
    if total > MAX_EXPANDED_NODES:
        raise YamlProblem(
            line,
            col,
            f"aliases expand this file past {MAX_EXPANDED_NODES:,} values; refused"
            if written <= MAX_EXPANDED_NODES
            else f"this file holds more than {MAX_EXPANDED_NODES:,} values; refused",
        )


def _foreign_tag(line: int, col: int, tag: str, kind: str) -> YamlProblem:
    return YamlProblem(
        line,
        col,
        f"tag `{show_tag(tag)}` is not allowed in a {kind}, which takes plain YAML only "
        "(text, numbers, true/false, lists and mappings)",
    )
