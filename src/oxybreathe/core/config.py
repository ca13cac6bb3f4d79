"""The user's settings file, `config.yaml` in the user config folder.

Every key is optional. A wrong value is reported as `path:line:col: what is wrong`, like a session
file, and that key alone falls back to its default: a typo never stops a session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from oxybreathe.core import locations

# The YAML reader is imported only when there is a file to read: the app reads its settings
# before the first paint, and most people never write a settings file.
if TYPE_CHECKING:
    from oxybreathe.core.loader import Validator
    from oxybreathe.core.problems import Problem
    from oxybreathe.core.yamlnodes import Node

FILENAME = locations.SETTINGS_FILENAME
KIND = "settings file"  # what messages call it

EXAMPLE = """\
# oxybreathe settings. Every key is optional; delete a line to get the default back.
chimes: true          # sounds at the start, at each phase change and at the end
volume: 70            # chime volume, 0-100
reduce_motion: false  # a calm text countdown instead of the animated pacer
checkin: true         # ask "Stress now?" and "Craving now?" before and after each session
streak: true          # show the day streak on the history screen
"""


@dataclass(frozen=True, slots=True)
class Config:
    """The settings; None means "not set in the file" (the app's own default or memory applies)."""

    chimes: bool | None = None
    volume: int | None = None
    reduce_motion: bool | None = None
    checkin: bool = True
    streak: bool | None = None
    problems: tuple[Problem, ...] = field(default=(), compare=False)


KEYS = ("chimes", "volume", "reduce_motion", "checkin", "streak")


def load(file: Path | None = None) -> Config:
    """Read the settings; a missing file is all defaults. Never raises."""
    file = file or locations.settings_file()
    try:
        if not file.exists():
            return Config()
    except OSError:  # a folder on the way that cannot be entered: read_text says so, located
        pass
    from oxybreathe.core import yamlnodes
    from oxybreathe.core.loader import Validator, read_text, show
    from oxybreathe.core.problems import LoadError, Problem
    from oxybreathe.core.yamlnodes import YamlProblem

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
    check = Validator(shown, file.parent)
    found = check.mapping(root, "the settings", KEYS) or {}
    values: dict[str, object] = {}
    for key, node in found.items():
        value = _volume(check, node, show) if key == "volume" else _flag(check, node, key, show)
        if value is not None:
            values[key] = value
    problems = tuple(sorted(check.problems, key=lambda p: (p.line, p.col)))
    return Config(**values, problems=problems)  # type: ignore[arg-type]


def _flag(check: Validator, node: Node, key: str, show: Callable[[Node], str]) -> bool | None:
    from oxybreathe.core.yamlnodes import flag

    value = flag(node)
    if value is None:
        check.error(node, f"`{key}` must be true or false, got {show(node)}")
    return value


def _volume(check: Validator, node: Node, show: Callable[[Node], str]) -> int | None:
    from oxybreathe.core.yamlnodes import INT, number

    value = number(node) if node.tag == INT else None
    if value is not None and 0 <= value <= 100:
        return int(value)
    check.error(node, f"`volume` must be a whole number from 0 to 100, got {show(node)}")
    return None
