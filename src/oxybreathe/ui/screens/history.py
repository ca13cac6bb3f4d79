"""The history screen: totals, the trend of stress and craving, and the recent sessions."""

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

from oxybreathe.core import report
from oxybreathe.core.history.rows import Read, Row
from oxybreathe.core.preferences import DEFAULTS, Preferences
from oxybreathe.core.safe_text import shorten
from oxybreathe.ui.messages import PreferenceChanged

TREND_LABEL = 16  # the width of "Craving  before "
RECENT_ROWS = 100  # the sessions the table lists
NAME_COLUMN = report.COLUMNS.index("Session")
NAME_MIN = 12  # narrower than this, the table scrolls sideways instead


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

    #trend-title {
        text-style: bold;
        color: $accent;
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
        Binding("escape", "app.pop_screen", "Back", id="oxybreathe.back"),
        Binding("h", "app.pop_screen", "Close history", show=False, id="oxybreathe.history"),
        Binding("q", "app.quit", "Quit", id="oxybreathe.quit"),
    ]

    prefs: var[Preferences] = var(DEFAULTS)

    def __init__(self, read: Callable[[], Future[Read]]) -> None:
        """`read` asks for every recorded session (the answer comes from the history thread)."""
        super().__init__()
        self._read = read
        self.rows: list[Row] | None = None
        self.problems: list[str] = []  # one line each: rows left out, a history not read

    def compose(self) -> ComposeResult:
        with ScrollableContainer(id="history", can_focus=True):
            yield Static("History", id="title", markup=False)
            yield Static("Reading your history...", id="totals", markup=False)
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
        self._show_trend(rows)
        self._show_table(rows)

    def _show_table(self, rows: list[Row]) -> None:
        """The recent sessions, newest first, fitted to the width: the session's name gives way
        first, so the ratings show at 80 columns; narrower, ←/→ scroll the screen sideways."""
        table = self.query_one("#recent", DataTable)
        recent = list(reversed(rows[-RECENT_ROWS:]))
        lines = [list(report.cells(row, "→")) for row in recent]
        widths = [
            max(len(heading), *(len(line[i]) for line in lines))
            for i, heading in enumerate(report.COLUMNS)
        ]
        others = sum(widths) - widths[NAME_COLUMN] + 2 * table.cell_padding * len(widths)
        room = self.size.width - 2 - 2 - others  # the screen's padding and its scroll bar
        name_width = max(NAME_MIN, min(widths[NAME_COLUMN], room))
        for row, line in zip(recent, lines, strict=True):
            line[NAME_COLUMN] = shorten(row.name, name_width)
        table.clear(columns=True)
        table.add_columns(*report.COLUMNS)
        for line in lines:
            table.add_row(*(Text(cell) for cell in line))
        self.query_one("#sideways", Static).display = room < name_width

    def _show_trend(self, rows: list[Row]) -> None:
        rated = report.rated(rows)
        title = self.query_one("#trend-title", Static)
        trend = self.query_one("#trend", Static)
        if not rated:
            title.update("")
            trend.update("Rate stress and craving before and after a session to see a trend here.")
            return
        width = max(4, self.size.width - TREND_LABEL - 4)
        shown = min(width, len(rated))
        which = "your rated session" if shown == 1 else f"your last {shown} rated sessions"
        title.update(
            f"Before and after {which} (oldest on the left; a taller bar is a higher rating)"
        )

        def line(label: str, values: list[int | None]) -> str:
            return f"{label:<{TREND_LABEL}}{report.trend(values, width)}"

        trend.update(
            "\n".join(
                (
                    line("Stress   before", [r.stress_before for r in rated]),
                    line("         after", [r.stress_after for r in rated]),
                    line("Craving  before", [r.craving_before for r in rated]),
                    line("         after", [r.craving_after for r in rated]),
                )
            )
        )

    def watch_prefs(self) -> None:
        if self.rows is not None:
            self._show()

    def action_toggle_streak(self) -> None:
        self.post_message(PreferenceChanged("streak", not self.prefs.streak))
