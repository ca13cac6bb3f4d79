"""The home screen: the sessions, a length chooser, chimes on or off, and Enter to start."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from oxybreathe.core import catalog, keys, locations, paths
from oxybreathe.core.catalog import Entry
from oxybreathe.core.catalog_cache import Shown
from oxybreathe.core.preferences import DEFAULTS, Preferences
from oxybreathe.core.problems import LoadError
from oxybreathe.core.safe_text import clean
from oxybreathe.core.wording import count, duration
from oxybreathe.ui.messages import PreferenceChanged, StartSession
from oxybreathe.ui.notices import notify_literally
from oxybreathe.ui.widgets.details import Details

# The session model and the plan are imported once the list is painted: the first paint shows
# the list and the highlighted session's name and description from the catalog cache, and its
# length line a frame later (`reload`).
if TYPE_CHECKING:
    from oxybreathe.core.model import Session


def _editor() -> list[str] | None:
    """The user's editor command, or a common one that exists, or None."""

    for variable in ("VISUAL", "EDITOR"):
        command = os.environ.get(variable, "").strip()
        if command:
            import shlex  # only to edit: not before the first paint

            return shlex.split(command)
    for fallback in ("nano", "vi"):
        if shutil.which(fallback):
            return [fallback]
    return None


def _minutes_label(minutes: float) -> str:
    return duration(minutes * 60)


# The length chooser's last choice for a session that can fill: no length, until you stop.
OPEN_ENDED = math.inf


class HomeScreen(Screen[None]):
    """Pick a session and a length, then press Enter."""

    BINDINGS = [
        Binding("enter", "start", "Start", priority=True, id="oxybreathe.start"),
        Binding("left,minus", "length(-1)", "Shorter", key_display="←/-", id="oxybreathe.shorter"),
        Binding("right,plus", "length(1)", "Longer", key_display="→/+", id="oxybreathe.longer"),
        Binding("c", "toggle_chimes", "Chimes", id="oxybreathe.chimes"),
        Binding("m", "toggle_motion", "Motion", id="oxybreathe.motion"),
        Binding("v", "toggle_voice", "Voice", id="oxybreathe.voice"),
        Binding(
            "k", "checkin_questions", "Check-in questions", show=False, id="oxybreathe.questions"
        ),
        Binding("h", "app.show_history", "History", id="oxybreathe.history"),
        Binding("n", "new", "New", id="oxybreathe.new"),
        Binding("e", "edit", "Edit", id="oxybreathe.edit"),
        Binding("r", "reload", "Reload", id="oxybreathe.reload"),
        Binding("q", "app.quit", "Quit", id="oxybreathe.quit"),
        Binding("u", "app.now", "Urge now", id="oxybreathe.now"),  # issue 16: `oxybreathe now`
    ]

    prefs: var[Preferences] = var(DEFAULTS)

    def __init__(
        self,
        *,
        first_choice: str | None = None,
        remembered: tuple[str | None, float | None] = (None, None),
        user_dir: Path | None = None,
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        """`first_choice` is highlighted when the list is first read; `remembered` is the last
        session started and its length, which that session's chooser starts at."""
        super().__init__()
        self.first_choice = first_choice
        self.remembered = remembered
        self.user_dir = user_dir
        self.keymap = dict(keymap or {})
        self.entries: list[Entry] = []
        self.choices: list[float] = []
        self.choice = 0
        self._choices_for: tuple[str, Session] | None = None
        self._listed = False  # the session files are read once home is first in view
        self._told_folder: str | None = None  # the sessions folder's problem, once said

    def compose(self) -> ComposeResult:
        with Horizontal(id="home"):
            yield OptionList(id="sessions")
            yield Details(id="details")
        # One line of key hints: the stock Footer builds a widget per key, which costs more at
        # start-up than this whole screen's first paint can spare.
        # Most needed first: a narrow terminal cuts the line from the right.
        yield Static(keys.home_hints(self.keymap), id="keys", markup=False)

    def on_screen_resume(self) -> None:
        # List before the first paint: from the catalog cache it reads no YAML and costs a few
        # ms, less than painting an empty list first. Only once home is in view, though:
        # `oxybreathe run` opens a session over it at once, whose first cues must not wait.
        if not self._listed:
            self._list_once()

    def _list_once(self) -> None:
        if self.is_active and not self._listed:  # still on top (not under a session)
            self._listed = True
            self.reload(self.first_choice, length_later=True)

    def on_resize(self) -> None:
        compact = self.size.height < 20 or self.size.width < 70
        self.set_class(compact, "-compact")
        self.query_one(Details).compact = compact

    # The list ----------------------------------------------------------------------------

    def reload(self, select: str | None = None, *, length_later: bool = False) -> None:
        """Read the sessions again and select `select` (or keep the current one).

        `length_later`: the first listing, before the first paint, leaves the length line to
        just after it (it needs the session's plan: the model and plan modules, ~13 ms).
        """

        current = select or (self.selected.id if self.selected else None)
        self.entries = catalog.entries(self.user_dir)
        unusable = catalog.user_folder_problem(self.user_dir)
        if unusable is not None and unusable != self._told_folder:  # said once, not per reload
            folder = paths.shown(self.user_dir or locations.user_sessions_dir())
            notify_literally(
                self,
                f"Your sessions folder {folder}: {unusable}. The built-in sessions are listed.",
                severity="warning",
                timeout=12,
            )
        self._told_folder = unusable
        options = self.query_one("#sessions", OptionList)
        options.clear_options()
        for entry in self.entries:
            options.add_option(Option(self._prompt(entry), id=entry.id))
        ids = [entry.id for entry in self.entries]
        if ids:
            options.highlighted = ids.index(current) if current in ids else 0
        options.focus()
        self._show_selected(length_later=length_later)

    @staticmethod
    def _prompt(entry: Entry) -> Text:
        if entry.shown is None:
            return Text.assemble((clean(entry.id), "bold"), "  (broken)")
        text = Text(clean(entry.shown.name), style="bold")
        if entry.shown.acute:  # for the moment of need: say when
            text.append(f"  {clean(entry.shown.acute)}", style="italic")
        if not entry.builtin:
            text.append("  yours", style="italic")
        return text

    @property
    def selected(self) -> Entry | None:
        """The highlighted entry."""
        index = self.query_one("#sessions", OptionList).highlighted
        return self.entries[index] if index is not None and index < len(self.entries) else None

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._show_selected()

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_start()

    def _show_selected(self, *, length_later: bool = False) -> None:
        entry = self.selected
        details = self.query_one(Details)
        self._show_preferences()
        if entry is None:
            details.show(name="", description="", length="", problems="")
            return
        if entry.shown is None:
            details.show(
                name=clean(entry.id),
                description="This file has problems. Press e to edit it.",
                length="",
                problems="\n".join(clean(str(p)) for p in entry.problems[:8]),
            )
            return
        shown = entry.shown
        details.show(name=clean(shown.name), description=clean(shown.description), problems="")
        if length_later:
            details.show(length="")
            self.call_after_refresh(self._show_choices)
        else:
            self._show_choices()

    def _show_choices(self) -> None:
        """The highlighted session's lengths: the one remembered (or its default) chosen."""
        from oxybreathe.core.plan import bounds, default_minutes, length_choices

        entry = self.selected
        if entry is None:
            return
        session = entry.session  # read now: from the cache, or from the file if it changed
        details = self.query_one(Details)
        if session is None:  # broken since it was listed
            self.choices, self._choices_for = [], None
            again = self._key("reload", "r")
            details.show(
                length="", problems=f"This file has changed: press {again} to read it again."
            )
            return
        if entry.shown != Shown.of(session):  # changed since it was listed: what it says now
            details.show(name=clean(session.name), description=clean(session.description))
        if self._choices_for == (entry.id, session):
            self._show_length()  # the same session: keep the length the user chose
            return
        self._choices_for = (entry.id, session)
        self.choices = length_choices(session)
        if not bounds(session).fixed:
            self.choices.append(OPEN_ENDED)  # the last choice, after the longest length
        last, last_minutes = self.remembered
        wanted = last_minutes if last == entry.id else None
        if wanted is None:
            wanted = OPEN_ENDED if session.open_ended else default_minutes(session)
        self.choice = min(range(len(self.choices)), key=lambda i: abs(self.choices[i] - wanted))
        self._show_length()

    def _show_length(self) -> None:
        from oxybreathe.core.plan import bounds, lay_out

        entry = self.selected
        if entry is None or entry.session is None:
            return
        minutes = self.choices[self.choice]
        if minutes == OPEN_ENDED:
            text = "Length: ◀ open-ended ▶  (until you stop)"
        elif bounds(entry.session).fixed:
            text = f"Length: {_minutes_label(minutes)} (fixed)"
        else:
            real = lay_out(entry.session, minutes).total
            shown = _minutes_label(minutes)
            runs = "" if duration(real) == shown else f"  (runs {duration(real)})"
            text = f"Length: ◀ {shown} ▶{runs}"
        self.query_one(Details).show(length=text)

    # Actions ------------------------------------------------------------------------------

    def action_length(self, step: int) -> None:
        entry = self.selected
        if (
            entry is not None
            and entry.session is not None
            and self._choices_for != (entry.id, entry.session)
        ):
            # Keys typed fast can arrive before the message that the highlight moved.
            self._show_selected()
        if self.choices:
            self.choice = max(0, min(len(self.choices) - 1, self.choice + step))
            self._show_length()

    def watch_prefs(self) -> None:
        if self.is_mounted:
            self._show_preferences()

    def _show_preferences(self) -> None:
        motion = "calm countdown" if self.prefs.reduce_motion else "animated"
        self.query_one(Details).show(
            chimes=f"Chimes: {'on' if self.prefs.chimes else 'off'}  ({self._key('chimes', 'c')})\n"
            f"Motion: {motion}  ({self._key('motion', 'm')})\n"
            f"Voice: {'on' if self.prefs.voice else 'off'}  ({self._key('voice', 'v')})"
        )

    def _key(self, action: str, default: str) -> str:
        """The key the user gave `action` (its first), or its default."""
        given = self.keymap.get(keys.PREFIX + action)
        return keys.shown(keys.split(given)[0]) if given else default

    def action_toggle_chimes(self) -> None:
        self.post_message(PreferenceChanged("chimes", not self.prefs.chimes))

    def action_toggle_voice(self) -> None:
        self.post_message(PreferenceChanged("voice", not self.prefs.voice))

    def action_toggle_motion(self) -> None:
        self.post_message(PreferenceChanged("reduce_motion", not self.prefs.reduce_motion))

    def action_checkin_questions(self) -> None:
        """Go on to the next choice of check-in questions, and say which it is."""
        from oxybreathe.core import checkin  # not needed for the first paint

        choice = checkin.next_choice(self.prefs.checkin_questions)
        self.post_message(PreferenceChanged("checkin_questions", choice))
        notify_literally(
            self,
            f"From now on: {checkin.CHOICE_WORDS[choice]}. k changes it again.",
            title="Check-in questions",
        )

    def action_start(self) -> None:

        entry = self.selected
        if entry is None:
            return
        if entry.session is None:
            notify_literally(
                self, "This session has problems; press e to fix them.", severity="error"
            )
            return
        from oxybreathe.core.plan import LengthError, bounds, lay_out

        try:  # the list may come from the catalog cache: run what the file says now
            session = catalog.load_file(entry.path, builtin=entry.builtin)
        except LoadError:
            self.reload()
            notify_literally(self, "This session's file has changed; see the details.")
            return
        minutes = self.choices[self.choice] if self.choices else None
        fixed = bounds(session).fixed
        open_ended = minutes == OPEN_ENDED and not fixed
        if open_ended:
            minutes = None  # nothing to remember as a length; the session's default comes back
        try:
            session_plan = lay_out(session, None if fixed else minutes, open_ended=open_ended)
        except LengthError as error:
            notify_literally(self, str(error), severity="error")
            return
        self.remembered = (entry.id, None if fixed else minutes)
        self.post_message(StartSession(session_plan, None if fixed else minutes))

    def start_by_id(self, session_id: str) -> None:
        """Highlight `session_id` and start it, as Enter would (the command palette)."""
        ids = [entry.id for entry in self.entries]
        if session_id in ids:
            self.query_one("#sessions", OptionList).highlighted = ids.index(session_id)
            self._show_selected()
            self.action_start()

    def action_reload(self) -> None:
        self.reload()
        notify_literally(self, f"Reloaded {len(self.entries)} sessions.")

    def action_new(self) -> None:

        try:
            path = catalog.create_user_session(
                catalog.free_id("my-session", self.user_dir), user_dir=self.user_dir
            )
        except catalog.CannotCreate as error:
            notify_literally(self, str(error), severity="error")
            return
        self._edit(path)

    def action_edit(self) -> None:

        entry = self.selected
        if entry is None:
            return
        path = entry.path
        if entry.builtin:  # never edit a built-in in place: edit a copy of it
            try:
                source = entry.session or catalog.load_file(entry.path)
                path = catalog.create_user_session(  # your copy replaces the built-in
                    catalog.free_id(entry.id, self.user_dir),
                    source,
                    self.user_dir,
                    replace_builtin=True,
                )
            except (catalog.CannotCreate, LoadError) as error:
                notify_literally(self, str(error), severity="error")
                return
            notify_literally(
                self, f"Built-ins stay as they are; editing your copy, {paths.shown(path.name)}."
            )
        self._edit(path)

    def _edit(self, path: Path) -> None:
        command = _editor()
        if command is None:
            notify_literally(
                self,
                f"Set $EDITOR to edit sessions here. Your file is {paths.shown(path)}",
                severity="warning",
                timeout=10,
            )
            self.reload(select=path.stem)
            return
        try:
            with self.app.suspend():
                subprocess.run([*command, str(path)], check=False)
        except (OSError, subprocess.SubprocessError) as error:
            notify_literally(self, f"Could not start {command[0]}: {error}", severity="error")
        except SuspendNotSupported:  # a web or headless driver
            notify_literally(
                self,
                f"Cannot open an editor here. Your file is {paths.shown(path)}",
                severity="warning",
            )
        self.reload(select=path.stem)
        entry = self.selected
        if entry is not None and entry.problems:
            problems = count(len(entry.problems), "problem")
            notify_literally(
                self,
                f"{paths.shown(path.name)} has {problems}; see the details.",
                severity="error",
            )
