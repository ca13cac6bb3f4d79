"""Preferences: every setting, its one default, and the one place the layers are resolved.

A setting can come from four layers. The strongest that sets it wins:

1. the command line, which lasts for one run;
2. the settings file (config.yaml), which is read, never copied anywhere;
3. what the user last changed in the app (remembered.json), which is memory, not configuration;
4. the setting's default, defined once here.

A change the user makes in the app (a key, the palette) is the exception that proves the rule:
it applies at once, whatever the other layers say, and it is what the app remembers. Nothing
else is ever remembered: not a flag, not a line of the settings file. So deleting a line of the
settings file brings back the remembered value, or else the default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

VOLUME_MIN, VOLUME_MAX = 0, 100

# The kinds and the settings are named tuples: a frozen dataclass costs about seven times as much
# to create, and this module is imported before the app's first paint.


class Flag(NamedTuple):
    """A setting that is true or false."""


class Whole(NamedTuple):
    """A setting that is a whole number from `low` to `high`."""

    low: int
    high: int


class Name(NamedTuple):
    """A setting that is a short name (a theme); the app checks that it exists."""


class Choice(NamedTuple):
    """A setting that is one of a few words."""

    options: tuple[str, ...]


class Keys(NamedTuple):
    """The `keys:` section: binding id -> keys (core/keys.py), kept as sorted (id, keys) pairs."""


class CountryCode(NamedTuple):
    """A setting that is a two-letter country code (core.helplines knows which)."""


class File(NamedTuple):
    """A setting that is the path of an existing file (relative to the settings file)."""


Kind = Flag | Whole | Name | Choice | Keys | CountryCode | File


class Setting(NamedTuple):
    """One setting: its key (in the settings file and in memory), its default and its kind.

    `in_file` is False for a setting only the app changes; `remembered` is False for one the
    app never changes (so there is nothing to remember).
    """

    key: str
    default: Any
    kind: Kind
    help: str
    in_file: bool = True
    remembered: bool = True


SETTINGS: tuple[Setting, ...] = (
    Setting("chimes", True, Flag(), "sounds at the start, at each phase change and at the end"),
    Setting(
        "volume", 80, Whole(VOLUME_MIN, VOLUME_MAX), f"chime volume, {VOLUME_MIN}-{VOLUME_MAX}"
    ),
    Setting("reduce_motion", False, Flag(), "a calm text countdown instead of the animated pacer"),
    Setting(
        "checkin",
        True,
        Flag(),
        'ask "Stress now?" and "Craving now?" before and after each session',
        remembered=False,
    ),
    Setting("streak", True, Flag(), "show the day streak on the history screen"),
    Setting(
        "checkin_questions",
        "both",
        Choice(("both", "stress", "craving", "none")),
        "which check-in questions: both, stress, craving or none",
    ),
    Setting(
        "journal",
        True,
        Flag(),
        'ask "Anything to note?" after each session',
        remembered=False,
    ),
    Setting("theme", None, Name(), "the colour theme (this one is amber on black)"),
    Setting("keys", (), Keys(), "your own keys (the ids: docs/keys.md)", remembered=False),
    # Issue 16: the help lines' country (None: from the locale).
    Setting(
        "country",
        None,
        CountryCode(),
        "the help lines' country, e.g. GB, US, AU (default: from the locale)",
        remembered=False,
    ),
    # Issue 17: spoken guidance.
    Setting("voice", False, Flag(), "speak each prompt aloud (espeak-ng, macOS say, or Piper)"),
    Setting("voice_phases", False, Flag(), 'speak the phases too: "in", "hold", "out"'),
    Setting(
        "voice_volume",
        70,
        Whole(VOLUME_MIN, VOLUME_MAX),
        "the voice's volume, as a percentage of the chimes' volume",
    ),
    Setting(
        "terminal_bell",
        False,
        Flag(),
        "with no sound library or device: ring the terminal's bell at each chime instead",
        remembered=False,
    ),
    Setting(
        "piper_model",
        None,
        File(),
        "a Piper voice model (.onnx) to speak with, instead of the system's voice",
        remembered=False,
    ),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}
FILE_KEYS = tuple(setting.key for setting in SETTINGS if setting.in_file)
REMEMBERED_KEYS = tuple(setting.key for setting in SETTINGS if setting.remembered)


@dataclass(frozen=True, slots=True)
class Preferences:
    """The settings in force. Build them with `resolve`, change them with `dataclasses.replace`."""

    chimes: bool = BY_KEY["chimes"].default
    volume: int = BY_KEY["volume"].default
    reduce_motion: bool = BY_KEY["reduce_motion"].default
    checkin: bool = BY_KEY["checkin"].default
    streak: bool = BY_KEY["streak"].default
    checkin_questions: str = BY_KEY["checkin_questions"].default
    journal: bool = BY_KEY["journal"].default
    theme: str | None = BY_KEY["theme"].default
    keys: tuple[tuple[str, str], ...] = BY_KEY["keys"].default
    country: str | None = BY_KEY["country"].default
    voice: bool = BY_KEY["voice"].default
    voice_phases: bool = BY_KEY["voice_phases"].default
    voice_volume: int = BY_KEY["voice_volume"].default
    terminal_bell: bool = BY_KEY["terminal_bell"].default
    piper_model: str | None = BY_KEY["piper_model"].default


DEFAULTS = Preferences()
assert tuple(field.name for field in dataclasses.fields(Preferences)) == tuple(BY_KEY)


Layer = Mapping[str, Any]


def resolve(
    *,
    flags: Layer = {},  # noqa: B006 - read only
    file: Layer = {},  # noqa: B006
    remembered: Layer = {},  # noqa: B006
    environment: Layer = {},  # noqa: B006
) -> Preferences:
    """The preferences in force: for each setting, the first layer that sets it.

    `environment` is what the system asks for (TEXTUAL_ANIMATIONS=none: reduced motion): it
    comes after the others, in place of the default.

    Each layer maps a setting's key to its value and leaves out what it does not set (a value
    of None also counts as not set). Keys a layer may not hold are ignored: a flag cannot set
    the theme's memory, and memory cannot set `checkin`.
    """
    values = {}
    for setting in SETTINGS:
        for layer, allowed in (
            (flags, True),
            (file, setting.in_file),
            (remembered, setting.remembered),
            (environment, True),
        ):
            value = layer.get(setting.key)
            if allowed and value is not None:
                values[setting.key] = value
                break
    return dataclasses.replace(DEFAULTS, **values)


_EXAMPLES: dict[type, str] = {
    Keys: "{oxybreathe.motion: w}",
    Name: "oxybreathe-night",
    CountryCode: "GB",  # issue 16
    File: "~/voices/en_GB-alba-medium.onnx",  # issue 17
}


def settings_example() -> str:
    """The settings file `oxybreathe config` offers when there is none: every key, as default."""
    lines = ["# oxybreathe settings. Every key is optional; delete a line to get the default back."]
    for setting in SETTINGS:
        if setting.in_file:
            example = _EXAMPLES.get(type(setting.kind))
            if example is not None:  # no default to write: an example instead
                lines.append(f"# {setting.key}: {example}  # {setting.help}")
                continue
            value = (
                str(setting.default).lower() if isinstance(setting.kind, Flag) else setting.default
            )
            lines.append(f"{setting.key + ': ' + str(value):<21} # {setting.help}")
    return "\n".join(lines) + "\n"
