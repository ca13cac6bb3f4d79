"""Choosing a session to delete from the history: a list, newest first (-> its id or None)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from oxybreathe.core import report
from oxybreathe.core.history.rows import Row


def entry_text(row: Row) -> str:
    """A session in one line: when, what, how long, the ratings (cleaned by report.cells)."""
    when, name, spent, _ended, stress, craving, _note = report.cells(row, "→")
    return f"{when}  {name}  {spent}  stress {stress}  craving {craving}"


class ChooseEntry(ModalScreen["int | None"]):
    """The recorded sessions, newest first; Enter picks one (its row id), Escape picks none."""

    CSS = """
    ChooseEntry {
        align: center middle;
        background: $background 60%;
    }

    #choose {
        width: 90%;
        max-width: 100;
        height: 80%;
        border: round $warning;
        background: $surface;
        padding: 0 1;
    }

    #choose #ask {
        color: $text;
    }

    #choose OptionList {
        height: 1fr;
    }
    """

    BINDINGS = [Binding("escape", "none", "Back", id="oxybreathe.back")]

    def __init__(self, rows: list[Row]) -> None:
        super().__init__()
        self.rows = list(reversed(rows))

    def compose(self) -> ComposeResult:
        with Vertical(id="choose"):
            yield Static(
                "Which session should be deleted? Enter chooses, escape goes back.",
                id="ask",
                markup=False,
            )
            yield OptionList(*(Option(Text(entry_text(row)), id=str(row.id)) for row in self.rows))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.is_current and event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_none(self) -> None:
        if self.is_current:
            self.dismiss(None)
