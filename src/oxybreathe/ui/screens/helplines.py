"""The help lines screen: opened by F1 (or ?) on every screen; Esc returns to where you were."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from oxybreathe.core import helplines, lapse
from oxybreathe.core.helplines import Helplines


class HelpLinesScreen(ModalScreen[None]):
    """The help lines for the user's country, then the note after a lapse. Returns nothing."""

    # Parsed when this screen first opens, not at start-up.
    CSS = """
    HelpLinesScreen {
        align: center middle;
        background: $background 70%;
    }

    #help-lines {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }

    #help-lines #back {
        color: $text-muted;
    }

    #help-lines #lines {
        color: $text;
        text-style: bold;
    }

    #help-lines #lapse {
        color: $text;
        margin-top: 1;
    }
    """

    BINDINGS = [Binding("escape,q,f1", "dismiss", "Back")]

    def __init__(self, lines: Helplines) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-lines"):
            yield Static("Esc to go back. Scroll for more.", id="back", markup=False)
            yield Static("\n".join(helplines.full_text(self.lines)), id="lines", markup=False)
            yield Static(
                "\n".join([*lapse.lines(), "", helplines.NOT_FOR_EMERGENCIES]),
                id="lapse",
                markup=False,
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
