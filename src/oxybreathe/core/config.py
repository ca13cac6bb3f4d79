"""The user's settings file, `config.yaml` in the user config folder.

Every key is optional. A wrong value is reported as `path:line:col: what is wrong`, like a session
file, and that key alone falls back to its default: a typo never stops a session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from oxybreathe.core import locations, yamlnodes
from oxybreathe.core.preferences import BY_KEY, FILE_KEYS, CountryCode, Whole, settings_example
from oxybreathe.core.problems import LoadError, Problem
from oxybreathe.core.validation import Checker, read_text, show
from oxybreathe.core.yamlnodes import INT, Node, YamlProblem, flag, number

FILENAME = locations.SETTINGS_FILENAME
KIND = "settings file"  # what messages call it
EXAMPLE = settings_example()


@dataclass(frozen=True, slots=True)
class Config:
    """The settings file: the value of each key it sets (core.preferences resolves them with the
    other layers), and each problem in it. A key with a wrong value is left out."""

    values: Mapping[str, object] = field(default_factory=dict)
    problems: tuple[Problem, ...] = field(default=(), compare=False)


KEYS = FILE_KEYS


def load(file: Path | None = None) -> Config:
    """Read the settings; a missing file is all defaults. Never raises."""
    file = file or locations.settings_file()
    try:
        if not file.exists():
            return Config()
    except OSError:  # a folder on the way that cannot be entered: read_text says so, located
        pass
    shown = str(file)
    try:
        text = read_text(file, shown, kind=KIND)
        root = yamlnodes.compose(text, KIND)
    except LoadError as error:
        return Config(problems=tuple(error.problems))
    except YamlProblem as problem:
        return Config(problems=(Problem(shown, problem.line, problem.col, problem.message),))
    if root is None:  # an empty file, or only comments
        return Config()
    check = Checker(shown, file.parent)
    found = check.mapping(root, "the settings", KEYS) or {}
    values: dict[str, object] = {}
    for key, node in found.items():
        kind = BY_KEY[key].kind
        if isinstance(kind, Whole):
            value: object = _whole(check, node, key, kind, show)
        elif isinstance(kind, CountryCode):
            value = _country(check, node, key, show)
        else:
            value = _flag(check, node, key, show)
        if value is not None:
            values[key] = value
    problems = tuple(sorted(check.problems, key=lambda p: (p.line, p.col)))
    return Config(values, problems=problems)


def _flag(check: Checker, node: Node, key: str, show: Callable[[Node], str]) -> bool | None:
    value = flag(node)
    if value is None:
        check.error(node, f"`{key}` must be true or false, got {show(node)}")
    return value


def _whole(
    check: Checker, node: Node, key: str, kind: Whole, show: Callable[[Node], str]
) -> int | None:
    value = number(node) if node.tag == INT else None
    if value is not None and kind.low <= value <= kind.high:
        return int(value)
    check.error(
        node, f"`{key}` must be a whole number from {kind.low} to {kind.high}, got {show(node)}"
    )
    return None


def _country(check: Checker, node: Node, key: str, show: Callable[[Node], str]) -> str | None:
    from oxybreathe.core import helplines

    text = node.value if node.kind == "scalar" and node.tag == yamlnodes.STR else None
    code = helplines.normal(text) if text is not None and len(text) <= 8 else None
    if code is None:
        check.error(
            node,
            f"`{key}` must be a two-letter country code such as GB, US or AU, got {show(node)}",
        )
    return code
