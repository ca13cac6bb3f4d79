"""The closing screen: how long you breathed, and a short note with its source."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from oxybreathe.core import checkin, notes
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.text import clean, time_spent
from oxybreathe.ui.screens.session import Outcome


class ClosingScreen(Screen[None]):
    """Shown when a session finishes or is ended early."""

    # Parsed when this screen first opens, not at start-up.
    CSS = """
    #closing {
        padding: 1 2;
    }

    #closing #title {
        text-style: bold;
        color: $text-muted;
    }

    #headline {
        text-style: bold;
        color: $accent;
        margin: 1 0;
    }

    #changes {
        text-style: bold;
        color: $text;
        margin-bottom: 1;
    }

    #note {
        color: $text;
    }

    #source {
        color: $text-muted;
        text-style: italic;
        margin-bottom: 1;
    }

    #footer-note {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("enter,h", "home", "Home"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(
        self,
        outcome: Outcome,
        note: notes.Note | None = None,
        before: Ratings | None = None,
        after: Ratings | None = None,
    ) -> None:
        super().__init__()
        self.outcome = outcome
        self.note = note or notes.pick(outcome.plan.session)
        self.changes = checkin.changes(before or Ratings(), after or Ratings())

    def compose(self) -> ComposeResult:
        ran = time_spent(self.outcome.ran)
        headline = (
            f"Well done. You breathed for {ran}."
            if self.outcome.completed
            else f"Session ended early, after {ran}. That still counts."
        )
        with VerticalScroll(id="closing"):
            yield Static(clean(self.outcome.plan.session.name), id="title", markup=False)
            yield Static(headline, id="headline", markup=False)
            if self.changes:
                yield Static("   ".join(self.changes), id="changes", markup=False)
            yield Static(clean(self.note.text), id="note", markup=False)
            if self.note.source:
                yield Static(f"Source: {clean(self.note.source)}", id="source", markup=False)
            yield Static(notes.FOOTER, id="footer-note", markup=False)
        yield Footer()

    def action_home(self) -> None:
        self.app.pop_screen()
