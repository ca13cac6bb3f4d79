"""The history screen: totals, which sessions help, the weeks' trend, and the recent sessions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from oxybreathe.core import report, stats
from oxybreathe.core.history.rows import Read, Row
from oxybreathe.core.preferences import DEFAULTS, Preferences
from oxybreathe.core.safe_text import shorten
from oxybreathe.core.wording import count
from oxybreathe.ui.messages import PreferenceChanged
from oxybreathe.ui.notices import notify_literally
from oxybreathe.ui.screens.confirm import Confirm
from oxybreathe.ui.screens.forget import ChooseEntry, entry_text

TREND_LABEL = 16  # the width of "Craving  before "
RECENT_ROWS = 100  # the sessions the table lists
NAME_COLUMN = report.COLUMNS.index("Session")
NOTE_COLUMN = report.COLUMNS.index("Note")  # last: it runs off to the right before the rest
NAME_MIN = 12  # narrower than this, the table scrolls sideways instead
WEEKS_CHART_FROM = 4  # weeks of history before the chart shows weeks rather than sessions
KIND_NAME_WIDTH = 24  # the session's name in "which sessions help"


class HistoryScreen(Screen[None]):
    """Everything `oxybreathe history` prints, with a trend you can see."""

    CSS = """
    #history {
        padding: 0 1;
    }

    #history #title {
        text-style: bold;
        color: $text-muted;
    }

    #totals {
        color: $text;
        margin: 1 0;
    }

    #trend-title, #kinds-title {
        text-style: bold;
        color: $accent;
    }

    #kinds {
        color: $text;
        margin-bottom: 1;
        width: auto;
    }

    #trend {
        color: $text;
        margin-bottom: 1;
    }

    #sideways {
        color: $text-muted;
        display: none;
    }

    /* One scroller for the whole screen, both ways: ↑/↓ and ←/→ always move what you see. */
    #history {
        overflow-x: auto;
        overflow-y: auto;
    }

    /* All of it (RECENT_ROWS and the header): the screen scrolls, not a table inside it. */
    #recent {
        height: auto;
        width: auto;
        max-height: 101;
    }
    """

    BINDINGS = [
        Binding("d", "toggle_streak", "Show/hide streak", id="oxybreathe.streak"),
        Binding("x,delete", "delete", "Delete entry", id="oxybreathe.delete"),
        Binding("escape", "app.pop_screen", "Back", id="oxybreathe.back"),
        Binding("h", "app.pop_screen", "Close history", show=False, id="oxybreathe.history"),
        Binding("q", "app.quit", "Quit", id="oxybreathe.quit"),
    ]

    prefs: var[Preferences] = var(DEFAULTS)

    def __init__(
        self,
        read: Callable[[], Future[Read]],
        delete: Callable[[int], Future[str | None]] | None = None,
    ) -> None:
        """`read` asks for every recorded session (the answer comes from the history thread);
        `delete` removes one by its id (None when done, or the line that says why not)."""
        super().__init__()
        self._read = read
        self._delete = delete
        self.rows: list[Row] | None = None
        self.problems: list[str] = []  # one line each: rows left out, a history not read

    def compose(self) -> ComposeResult:
        with ScrollableContainer(id="history", can_focus=True):
            yield Static("History", id="title", markup=False)
            yield Static("Reading your history...", id="totals", markup=False)
            yield Static("", id="kinds-title", markup=False)
            yield Static("", id="kinds", markup=False)
            yield Static("", id="trend-title", markup=False)
            yield Static("", id="trend", markup=False)
            yield Static("(←/→ scroll sideways)", id="sideways", markup=False)
            yield DataTable(id="recent", cursor_type="none", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).can_focus = False  # the keys scroll the screen, table and all
        self.query_one("#history").focus()
        self.run_worker(self._load(), exclusive=True)

    async def _load(self) -> None:
        # Read on the history thread, so a slow disk never freezes the screen.
        read = await asyncio.wrap_future(self._read())
        self.rows, self.problems = read.rows, read.notices()
        self._show()

    def on_resize(self) -> None:
        if self.rows:
            self._show_trend(self.rows)
            self._show_table(self.rows)

    def _show(self) -> None:
        rows = self.rows or []
        totals = self.query_one("#totals", Static)
        if not rows:
            totals.update(
                "\n".join(self.problems)
                or "No sessions yet. Each session you start is kept here, on this computer."
            )
            return
        summary = report.summarize(rows)
        lines = report.totals(summary, show_streak=self.prefs.streak)
        totals.update("\n".join([*lines, *self.problems]))
        self._show_kinds(rows)
        self._show_trend(rows)
        self._show_table(rows)

    def _show_table(self, rows: list[Row]) -> None:
        """The recent sessions, newest first, fitted to the width: the session's name gives way
        first, so the ratings show at 80 columns; narrower, ←/→ scroll the screen sideways."""
        table = self.query_one("#recent", DataTable)
        recent = list(reversed(rows[-RECENT_ROWS:]))
        columns = report.COLUMNS if any(row.journal for row in recent) else report.COLUMNS[:-1]
        lines = [list(report.cells(row, "→"))[: len(columns)] for row in recent]
        widths = [
            max(len(heading), *(len(line[i]) for line in lines))
            for i, heading in enumerate(columns)
        ]
        fitted = NOTE_COLUMN  # every column but the note (the last) is fitted to the width
        others = sum(widths[:fitted]) - widths[NAME_COLUMN] + 2 * table.cell_padding * fitted
        room = self.size.width - 2 - 2 - others  # the screen's padding and its scroll bar
        name_width = max(NAME_MIN, min(widths[NAME_COLUMN], room))
        for row, line in zip(recent, lines, strict=True):
            line[NAME_COLUMN] = shorten(row.name, name_width)
        table.clear(columns=True)
        table.add_columns(*columns)
        for line in lines:
            table.add_row(*(Text(cell) for cell in line))
        self.query_one("#sideways", Static).display = room < name_width

    def _show_kinds(self, rows: list[Row]) -> None:
        """Which sessions changed the ratings most, each figure with the count it rests on."""
        lines = stats.kinds_table(rows, name_width=KIND_NAME_WIDTH)
        self.query_one("#kinds-title", Static).update(stats.KINDS_TITLE if lines else "")
        self.query_one("#kinds", Static).update("\n".join(lines))
        self.query_one("#kinds", Static).display = bool(lines)

    def _show_trend(self, rows: list[Row]) -> None:
        """The weekly averages, before and after, on one fixed 0-10 scale.

        Drawn here rather than with Textual's Sparkline, which scales each line to its own
        lowest and highest value: an "after" line that is lower throughout would look the same
        height as its "before" line, which is the one comparison the chart is for.
        """
        rated = report.rated(report.counted(rows))
        title = self.query_one("#trend-title", Static)
        trend = self.query_one("#trend", Static)
        if not rated:
            title.update("")
            trend.update("Rate stress and craving before and after a session to see a trend here.")
            return
        width = max(4, self.size.width - TREND_LABEL - 4)
        weeks = stats.weekly(rows)[-width:]
        if len(weeks) >= WEEKS_CHART_FROM:
            title.update(f"Week by week, {count(len(weeks), 'week')}, oldest first (average, 0-10)")
            points: list[stats.Week | Row] = list(weeks)
        else:  # a few weeks are a few bars: show each rated session until there are more
            shown = min(width, len(rated))
            which = "your rated session" if shown == 1 else f"your last {shown} rated sessions"
            title.update(f"Before and after {which}, oldest first (0-10)")
            points = list(rated[-width:])

        def line(label: str, values: list[float | None]) -> str:
            return f"{label:<{TREND_LABEL}}{report.trend(values, width)}"

        trend.update(
            "\n".join(
                (
                    line("Stress   before", [p.stress_before for p in points]),
                    line("         after", [p.stress_after for p in points]),
                    line("Craving  before", [p.craving_before for p in points]),
                    line("         after", [p.craving_after for p in points]),
                )
            )
        )

    def watch_prefs(self) -> None:
        if self.rows is not None:
            self._show()

    def action_toggle_streak(self) -> None:
        self.post_message(PreferenceChanged("streak", not self.prefs.streak))

    def action_delete(self) -> None:
        if self.rows and self._delete is not None:
            self.run_worker(self._choose_and_delete(self._delete), exclusive=True)

    async def _choose_and_delete(self, delete: Callable[[int], Future[str | None]]) -> None:
        """Choose an entry, confirm, delete it, and read the history again."""
        rows = self.rows or []
        chosen = await self.app.push_screen_wait(ChooseEntry(rows))
        row = next((r for r in rows if r.id == chosen), None)
        if row is None:
            return
        question = f"Delete this session for good?\n{entry_text(row)}"
        if not await self.app.push_screen_wait(Confirm(question, yes="Delete", no="Keep it")):
            return
        problem = await asyncio.wrap_future(delete(row.id))
        if problem is not None:
            notify_literally(self.app, problem, severity="warning")
        await self._load()
