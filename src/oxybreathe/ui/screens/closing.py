"""The closing screen: how long you breathed, and a short note with its source."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from oxybreathe.core.closing import Closing
from oxybreathe.core.safe_text import clean

SURF_AGAIN = "Press u to surf the urge again now."


AGAIN = "again"  # what the screen returns when the user asks to surf the urge again


class ClosingScreen(Screen[str | None]):
    """Shown when a session finishes or is ended early; returns AGAIN to surf again."""

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

    #first {
        color: $text;
        text-style: bold;
        margin-bottom: 1;
    }

    #offers {
        color: $text;
        margin-bottom: 1;
    }
    """

    BINDINGS = [
        Binding("enter", "home", "Home", id="oxybreathe.home"),
        Binding("h", "app.show_history", "History", id="oxybreathe.history"),
        Binding("q", "app.quit", "Quit", id="oxybreathe.quit"),
        Binding("u", "again", "Surf again", id="oxybreathe.now"),  # issue 16
    ]

    def __init__(self, name: str, closing: Closing) -> None:
        super().__init__()
        self.session_name = name
        self.closing = closing

    def compose(self) -> ComposeResult:
        closing = self.closing
        with VerticalScroll(id="closing"):
            yield Static(clean(self.session_name), id="title", markup=False)
            yield Static(closing.headline, id="headline", markup=False)
            if changes := closing.changes():
                yield Static("   ".join(changes), id="changes", markup=False)
            if closing.first:  # support first: the help lines
                yield Static("\n".join(closing.first), id="first", markup=False)
            yield Static(clean(closing.note.text), id="note", markup=False)
            if closing.note.source:
                yield Static(f"Source: {clean(closing.note.source)}", id="source", markup=False)
            offers = [SURF_AGAIN] if closing.kind == "support" else []
            if offers or closing.offers:
                yield Static("\n".join([*offers, *closing.offers]), id="offers", markup=False)
            yield Static(closing.footer, id="footer-note", markup=False)
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "again":  # only offered by the support closing
            return self.closing.kind == "support"
        return True

    def action_home(self) -> None:
        self.dismiss(None)

    def action_again(self) -> None:
        self.dismiss(AGAIN)
