"""A yes/no question as a modal screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class Confirm(ModalScreen[bool]):
    """Ask a question; dismiss with True (y, Enter on Yes) or False (n, Escape)."""

    # Parsed when this screen first opens, not at start-up.
    CSS = """
    Confirm {
        align: center middle;
        background: $background 60%;
    }

    #dialog {
        width: 60;
        max-width: 100%;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 1 2;
    }

    #buttons {
        height: auto;
        align: center middle;
        margin-top: 1;
    }

    #buttons Button {
        margin: 0 1;
    }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="oxybreathe.yes"),
        Binding("n,escape", "answer(False)", "No", id="oxybreathe.no"),
    ]

    def __init__(self, question: str, *, yes: str = "End", no: str = "Keep going") -> None:
        """`yes` and `no` name the buttons (their keys are added)."""
        super().__init__()
        self.question = question
        self.labels = (yes, no)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question", markup=False)
            with Horizontal(id="buttons"):
                yield Button(f"{self.labels[0]} (y)", id="yes", variant="warning")
                yield Button(f"{self.labels[1]} (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
