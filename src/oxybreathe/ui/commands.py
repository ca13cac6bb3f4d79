"""The command palette's oxybreathe commands (ctrl+p): start a session by name, open history
(and help, when the app has it), turn a setting on or off, and switch the theme.

Commands only send what a key would: a StartSession from home, a PreferenceChanged for a
setting or the theme, so that a change made here applies and is remembered exactly like one
made with a key. Session names are the user's text: shown as literal Content, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from oxybreathe.core import themes
from oxybreathe.core.preferences import SETTINGS, Flag
from oxybreathe.core.safe_text import clean
from oxybreathe.ui.messages import PreferenceChanged
from oxybreathe.ui.screens.closing import ClosingScreen
from oxybreathe.ui.screens.home import HomeScreen
from oxybreathe.ui.screens.session import SessionScreen

# The app's help screen, when it has one: the palette offers "Open help" if the app has an
# action of this name (`action_<name>`). Another change adds the help screen.
HELP_ACTION = "show_help"

# What each on/off setting is called here (a setting not named here is not offered).
TOGGLES = {
    "chimes": "Chimes",
    "reduce_motion": "Reduced motion",
    "streak": "Day streak",
    "voice": "Spoken guidance",
    "voice_phases": "Spoken phase words",
}


@dataclass(frozen=True, slots=True)
class Command:
    title: str
    run: Callable[[], object]
    help: str


class OxybreatheCommands(Provider):
    """Every command that makes sense on the screen the palette was opened from."""

    def _commands(self) -> Iterator[Command]:
        app = self.app
        screen = self.screen
        if isinstance(screen, HomeScreen):  # no session is running
            for entry in screen.entries:
                if entry.shown is not None:
                    yield Command(
                        f"Start {clean(entry.shown.name)}",
                        partial(screen.start_by_id, entry.id),
                        escape(f"start the session `{clean(entry.id)}`"),  # help is markup
                    )
        # History opens over home or the closing, never over a session that is running.
        if isinstance(screen, HomeScreen | ClosingScreen) and hasattr(app, "action_show_history"):
            yield Command("Open history", app.action_show_history, "sessions, totals and trend")
        if hasattr(app, f"action_{HELP_ACTION}"):
            yield Command("Open help", getattr(app, f"action_{HELP_ACTION}"), "keys and help lines")
        prefs = getattr(app, "prefs", None)
        in_session = isinstance(screen, SessionScreen)
        if isinstance(screen, SessionScreen) and screen.player is not None:  # as `c` does here
            muted = screen.player.muted
            yield Command(
                f"Chimes {'on' if muted else 'off'} for this session",
                screen.action_mute,
                "the chimes of this session (home's setting is for every session)",
            )
        for setting in SETTINGS:
            title = TOGGLES.get(setting.key)
            if title is None or not isinstance(setting.kind, Flag) or not setting.remembered:
                continue
            if in_session and setting.key == "chimes":
                continue
            now = bool(getattr(prefs, setting.key, setting.default))
            yield Command(
                f"{title} {'off' if now else 'on'}",
                partial(app.post_message, PreferenceChanged(setting.key, not now)),
                f"{setting.help} (now {'on' if now else 'off'})",
            )
        for name in themes.NAMES:
            if name != app.theme:
                yield Command(
                    f"Theme: {name}",
                    partial(app.post_message, PreferenceChanged("theme", name)),
                    "amber on black, for the dark"
                    if name == themes.LOW_LIGHT
                    else "a colour theme",
                )

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(
                Content(command.title), command.run, text=command.title, help=command.help
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score,
                    Content(command.title),
                    command.run,
                    text=command.title,
                    help=command.help,
                )
