"""The preferences in force for one run: every layer read and resolved, once, for any front end.

The command line gives the flags; this reads the settings file and the app's memory, and
core.preferences resolves the three. The CLI calls it once per command, and hands the result to
plain mode or to the app.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from oxybreathe.core import locations
from oxybreathe.core import memory as memories
from oxybreathe.core.memory import Memory
from oxybreathe.core.preferences import Preferences, resolve


@dataclass(frozen=True, slots=True)
class Loaded:
    """The preferences in force, the memory they came from, and a line for each problem in the
    settings file (each such key has fallen back)."""

    prefs: Preferences
    memory: Memory = field(default_factory=Memory)
    problems: tuple[str, ...] = ()


def load(
    flags: Mapping[str, object] | None = None,
    *,
    settings_file: Path | None = None,
    state_dir: Path | None = None,
    data_dir: Path | None = None,
) -> Loaded:
    """Read the settings file and the memory, and resolve them with `flags`. Never raises.

    The settings file is only parsed when there is one (most people have none), so the app's
    first paint does not wait for the YAML reader.
    """
    file = settings_file or locations.settings_file()
    values: Mapping[str, object] = {}
    problems: tuple[str, ...] = ()
    if _exists(file):
        from oxybreathe.core import config  # the YAML reader: only with a file to read

        settings = config.load(file)
        values = settings.values
        problems = tuple(f"{problem} (using the default)" for problem in settings.problems)
    memory = memories.load(state_dir, data_dir)
    prefs = resolve(
        flags=flags or {}, file=values, remembered=memory.preferences, environment=environment()
    )
    return Loaded(prefs, memory, problems)


def environment() -> dict[str, object]:
    """What the system asks for: TEXTUAL_ANIMATIONS=none (Textual's own switch) is reduced
    motion, unless a flag, the settings file or a change made in the app says otherwise."""
    if os.environ.get("TEXTUAL_ANIMATIONS", "").strip().lower() == "none":
        return {"reduce_motion": True}
    return {}


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long, a folder that cannot be entered: config.load says why
        return True
