"""The journal line: "Anything to note?", one optional line after the after-check-in."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from oxybreathe.core import checkin


class JournalScreen(Screen["str | None"]):
    """Ask for one line; returns what was typed (the flow cleans and bounds it), or None.

    Enter on an empty line, or Escape, skips.
    """

    CSS = """
    JournalScreen {
        align: center middle;
    }

    #journal {
        width: 72;
        max-width: 100%;
        height: auto;
        padding: 1 3;
        border: round $primary 50%;
    }

    JournalScreen.-small #journal {
        padding: 0 1;
    }

    #journal #question {
        text-style: bold;
        color: $accent;
    }

    #journal #hint {
        color: $text-muted;
        margin-bottom: 1;
    }
    """

    BINDINGS = [Binding("escape", "skip", "Skip", id="oxybreathe.back")]

    def compose(self) -> ComposeResult:
        with Vertical(id="journal"):
            yield Static(checkin.JOURNAL_QUESTION, id="question", markup=False)
            yield Static(checkin.JOURNAL_HINT, id="hint", markup=False)
            yield Input(
                placeholder="A few words, then Enter",
                id="line",
                max_length=checkin.JOURNAL_MAX_CHARS,
                compact=True,
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 60 or self.size.height < 16, "-small")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._done(event.value)

    def action_skip(self) -> None:
        self._done(None)

    def _done(self, text: str | None) -> None:
        if not self.is_current:
            return  # a second Enter while the closing opens
        self.dismiss(text if text and text.strip() else None)
