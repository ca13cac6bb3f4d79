"""The user's settings file, `config.yaml` in the user config folder.

Every key is optional. A wrong value is reported as `path:line:col: what is wrong`, like a session
file, and that key alone falls back to its default: a typo never stops a session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from oxybreathe.core import keys, locations, themes, yamlnodes
from oxybreathe.core.preferences import (
    BY_KEY,
    FILE_KEYS,
    Choice,
    CountryCode,
    File,
    Keys,
    Name,
    Whole,
    settings_example,
)
from oxybreathe.core.problems import LoadError, Problem
from oxybreathe.core.safe_text import shorten
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
        elif isinstance(kind, Choice):
            value = _choice(check, node, key, kind, show)
        elif isinstance(kind, Name):
            value = _theme(check, node)
        elif isinstance(kind, Keys):
            value = _keys(check, node)
        elif isinstance(kind, CountryCode):
            value = _country(check, node, key, show)
        elif isinstance(kind, File):
            value = _file(check, node, key)
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


def _choice(
    check: Checker, node: Node, key: str, kind: Choice, show: Callable[[Node], str]
) -> str | None:
    text = node.value if node.kind == "scalar" and isinstance(node.value, str) else None
    if text is not None and text.strip().lower() in kind.options:
        return text.strip().lower()
    check.error(node, f"`{key}` must be one of {', '.join(kind.options)}, got {show(node)}")
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


def _file(check: Checker, node: Node, key: str) -> str | None:
    """The path of an existing file: absolute, ~/..., or relative to the settings file."""
    text = check.text(node, f"`{key}`", limit=1000)
    if text is None:
        return None
    path = check.path(node, text.strip(), f"`{key}`")
    if path is None:
        return None
    if not path.is_file():
        check.error(node, f"`{key}`: there is no file {shorten(str(path), 200)}")
        return None
    return str(path)


def _theme(check: Checker, node: Node) -> str | None:
    name = check.text(node, "`theme`", limit=60)
    if name is None:
        return None
    why = themes.problem(name)
    if why is not None:
        check.error(node, f"`theme`: {why}")
        return None
    return name


def _keys(check: Checker, node: Node) -> tuple[tuple[str, str], ...] | None:
    """`keys:`, a mapping of binding id -> a key, a comma-separated list, or a list of keys.

    Each wrong entry is reported and left out; the rest apply. Two actions of one screen given
    one key are reported too (the one pressed would hide the other), and both left out.
    """
    if node.kind == "map" and not node.value:
        return ()
    found = check.mapping(node, "`keys`", tuple(keys.BY_ID), where=f"the ids: {keys.DOCS_URL}")
    if found is None:
        return None
    keymap: dict[str, str] = {}
    where: dict[str, Node] = {}
    for action_id, value in list(found.items())[: keys.IDS_MAX]:
        given = _key_list(check, value, action_id)
        if given is not None:
            keymap[action_id] = ",".join(given)
            where[action_id] = value
    clashing = set()
    for action_id, key, other in keys.clashes(keymap):
        check.error(
            where[action_id],
            f"`{key}` for `{action_id}` is also the key of `{other}` on the same screen",
        )
        clashing.add(action_id)
    return tuple(sorted((k, v) for k, v in keymap.items() if k not in clashing))


def _key_list(check: Checker, node: Node, action_id: str) -> list[str] | None:
    what = f"the keys of `{action_id}`"
    items = node.value if node.kind == "seq" else [node]
    if not items:
        check.error(node, f"{what} must be a key or a list of keys, got an empty list")
        return None
    given: list[str] = []
    for item in items[: keys.KEYS_MAX]:
        text = check.text(item, what, limit=40)
        if text is None:
            return None
        for key in keys.split(text):
            why = keys.key_problem(key)
            if why is not None:
                check.error(item, f"`{key}` in {what}: {why}")
                return None
            given.append(key)
    return given
