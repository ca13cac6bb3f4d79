"""Checking a YAML file, value by value: the building blocks every file check shares.

Reading the file (bounded, typed, UTF-8), quoting a value in a message, and reading mappings,
texts, numbers and lists with a located problem for each thing wrong. The session format
(core/loader.py) and the settings file (core/config.py) are each written on top of these.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from oxybreathe.core import paths, yamlnodes
from oxybreathe.core.model import FILE_MAX_BYTES, TEXT_MAX_CHARS
from oxybreathe.core.problems import LoadError, Problem
from oxybreathe.core.safe_text import shorten
from oxybreathe.core.yamlnodes import Node

T = TypeVar("T")


def read_text(path: Path, shown: str, *, kind: str = "session file") -> str:
    """The text of the `kind` of file at `path`, bounded, decoded from UTF-8; else LoadError."""

    def fail(message: str, line: int = 1, col: int = 1) -> LoadError:
        return LoadError([Problem(shown, line, col, message)])

    try:
        data = paths.read_file(path, FILE_MAX_BYTES)  # bounded; never opens a FIFO or device
    except paths.NotAFile as problem:
        raise fail(f"this is {problem.kind}, not a {kind}") from None
    except paths.PathProblem as problem:
        raise fail(str(problem)) from None
    if len(data) > FILE_MAX_BYTES:
        raise fail(
            f"the file is larger than {FILE_MAX_BYTES // 1024} KiB, the most a {kind} may be"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start]
        raise fail(
            f"byte 0x{byte:02X} is not UTF-8: save the file as UTF-8 text", line, col
        ) from None


def suggest(word: str, choices: Iterable[str]) -> str:
    import difflib  # only for a word not known: not at start-up

    matches = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f"; did you mean `{matches[0]}`?" if matches else ""


def show(node: Node) -> str:
    """A node as a message quotes it: `a list`, `nothing`, or its text (with its tag, if any)."""
    if node.kind == "map":
        return "a mapping"
    if node.kind == "seq":
        return "a list"
    if node.tag == yamlnodes.NULL and not node.tagged:
        return "nothing"
    return f"`{shorten(node.written)}`"


# Numbers as people write them that YAML reads as text, each with how to write it instead.
_COMMA_DECIMAL = re.compile(r"[-+]?[0-9]+,[0-9]+", re.ASCII)
_EXPONENT = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+", re.ASCII)


def _read_as_text(node: Node) -> str:
    """Why YAML read a plain value that looks like a number as text, or ""."""
    if node.kind != "scalar" or node.tag != yamlnodes.STR or node.tagged:
        return ""
    text = str(node.value)
    if _COMMA_DECIMAL.fullmatch(text):
        return f" (write decimals with a point: `{shorten(text.replace(',', '.'))}`)"
    if _EXPONENT.fullmatch(text):  # YAML 1.1 wants both a point and a signed exponent
        return " (YAML reads this as text: write it in digits, or as in 1.0e+3)"
    return ""


class Checker:
    """Walks a node tree once, collecting every problem rather than stopping at the first.

    The building blocks every file check shares; SessionValidator (core/loader.py) and the
    settings file (core/config.py) each add what their format allows.
    """

    def __init__(self, shown: str, base_dir: Path) -> None:
        self.shown = shown
        self.base_dir = base_dir
        self.problems: list[Problem] = []

    def error(self, node: Node, message: str) -> None:
        self.problems.append(Problem(self.shown, node.line, node.col, message))

    # Building blocks -----------------------------------------------------------------------

    def path(self, node: Node, value: str, what: str) -> Path | None:
        """`value` as a path: `~` and `~user` expanded, a relative one taken from the file's
        folder; None after reporting why it cannot be a path."""
        try:
            path = paths.expand(value)
        except paths.PathProblem as problem:
            self.error(node, f"{what}: {problem}")
            return None
        return path if path.is_absolute() else self.base_dir / path

    def mapping(
        self, node: Node, what: str, allowed: tuple[str, ...], *, where: str | None = None
    ) -> dict[str, Node] | None:
        """Return a mapping's values by key, reporting unknown, duplicate and non-text keys.

        An unknown key's message lists the allowed ones, or says `where` they are listed."""
        if node.kind != "map":
            self.error(node, f"{what} must be a mapping of `key: value` lines, got {show(node)}")
            return None
        found: dict[str, Node] = {}
        first_line: dict[str, int] = {}
        for key_node, value in node.value:
            if key_node.kind != "scalar":
                self.error(key_node, f"a key in {what} must be a plain word, got {show(key_node)}")
                continue
            key = str(key_node.value)
            if key in first_line:
                self.error(
                    key_node,
                    f"duplicate key `{shorten(key)}` in {what} "
                    f"(first given on line {first_line[key]})",
                )
                continue
            first_line[key] = key_node.line
            if key not in allowed:
                self.error(
                    key_node,
                    f"unknown key `{shorten(key)}` in {what}"
                    f"{suggest(key, allowed)} ({where or 'allowed: ' + ', '.join(allowed)})",
                )
                continue
            found[key] = value
        return found

    def text(self, node: Node, what: str, *, limit: int = TEXT_MAX_CHARS) -> str | None:
        """Return a scalar's text exactly as written (so `say: no` stays "no")."""
        if node.kind != "scalar" or node.tag == yamlnodes.NULL:
            self.error(node, f"{what} must be text, got {show(node)}")
            return None
        value = str(node.value)
        if not value.strip():
            self.error(node, f"{what} must not be empty")
            return None
        if len(value) > limit:
            self.error(node, f"{what} is {len(value)} characters long; at most {limit} are allowed")
            return None
        return value

    def number(self, node: Node, what: str, low: float, high: float, unit: str) -> float | None:
        """Return a finite number from `low` (exclusive when 0) to `high`."""
        allowed = (
            f"a number from {low:g} to {high:g} {unit}"
            if low
            else f"a number above 0 and at most {high:g} {unit}"
        )
        value = yamlnodes.number(node)
        if value is None:
            self.error(node, f"{what} must be {allowed}, got {show(node)}{_read_as_text(node)}")
            return None
        if not math.isfinite(value):
            self.error(node, f"{what} must be a finite number ({allowed}), got {show(node)}")
            return None
        if value <= 0 or value < low or value > high:
            self.error(node, f"{what} must be {allowed}, got {show(node)}")
            return None
        return value

    def each(self, node: Node, what: str, read: Callable[[Node], T | None]) -> list[T] | None:
        """Read every item of a non-empty list."""
        if node.kind != "seq":
            self.error(node, f"{what} must be a list of `- ` items, got {show(node)}")
            return None
        if not node.value:
            self.error(node, f"{what} must have at least one item")
            return None
        items = [read(item) for item in node.value]
        kept = [item for item in items if item is not None]
        return kept if len(kept) == len(items) else None
