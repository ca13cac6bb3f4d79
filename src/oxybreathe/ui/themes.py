"""oxybreathe's own theme, registered with Textual: amber on black, for practice at night.

Its colours are data in core/themes.py (the settings file checks names without Textual).
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.theme import Theme

from oxybreathe.core import themes


def low_light() -> Theme:
    colours = dict(themes.LOW_LIGHT_COLOURS)
    return Theme(
        name=themes.LOW_LIGHT,
        primary=colours.pop("primary"),
        secondary=colours.pop("secondary"),
        accent=colours.pop("accent"),
        warning=colours.pop("warning"),
        error=colours.pop("error"),
        success=colours.pop("success"),
        foreground=colours.pop("foreground"),
        background=colours.pop("background"),
        surface=colours.pop("surface"),
        panel=colours.pop("panel"),
        dark=True,
        variables=colours,  # the rest: text colours, so that nothing turns white
    )


def register(app: App[Any]) -> None:
    app.register_theme(low_light())
