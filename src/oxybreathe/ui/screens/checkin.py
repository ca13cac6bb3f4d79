"""The check-in: "Stress now?" and "Craving now?", one key press per answer."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from oxybreathe.core import checkin
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.safe_text import clean

SCALE_LINE = " ".join(str(n) for n in range(checkin.LOW, checkin.HIGH + 1))


class CheckinScreen(Screen["Ratings | None"]):
    """Ask each question in turn; returns the answers (None for a skipped one).

    Escape skips both questions; or, with `cancel` (what that does, e.g. "back to the list"),
    returns None, and the session does not start.
    """

    CSS = """
    CheckinScreen {
        align: center middle;
    }

    #checkin {
        width: 72;
        max-width: 100%;
        height: auto;
        padding: 1 3;
        border: round $primary 50%;
    }

    CheckinScreen.-small #checkin {
        padding: 0 1;
    }

    #checkin #title {
        text-style: bold;
        color: $text-muted;
        margin-bottom: 1;
    }

    #question {
        text-style: bold;
        color: $accent;
    }

    #scale {
        margin: 1 0;
        color: $text;
    }

    #hint, #step, #choices {
        color: $text-muted;
    }

    CheckinScreen.-small #choices {
        display: none;
    }
    """

    BINDINGS = [
        Binding("s", "skip", "Skip", id="oxybreathe.skip"),
        Binding("escape", "leave", "Back", id="oxybreathe.back"),
    ]

    def __init__(
        self,
        title: str,
        *,
        cancel: str | None = None,
        questions: tuple[tuple[str, str], ...] = checkin.QUESTIONS,
    ) -> None:
        """`questions` are the ones to ask (the `checkin_questions` setting), at least one."""
        super().__init__()
        self.title_text = title
        self.cancel = cancel
        self.questions = questions or checkin.QUESTIONS
        self.answers: dict[str, int | None] = {}
        self._finished = False

    @property
    def question(self) -> tuple[str, str]:
        """The key and text of the question being asked."""
        return self.questions[len(self.answers)]

    def compose(self) -> ComposeResult:
        with Vertical(id="checkin"):
            yield Static(clean(self.title_text), id="title", markup=False)
            yield Static(self.question[1], id="question", markup=False)
            yield Static(checkin.SCALE, id="step", markup=False)
            yield Static(SCALE_LINE, id="scale", markup=False)
            skip_all = "skip both" if len(self.questions) > 1 else "skip it"
            yield Static(
                f"Press 0-9, or {checkin.TEN_KEY} for 10.  s: skip this question.  "
                f"escape: {self.cancel or skip_all}.",
                id="hint",
                markup=False,
            )
            yield Static("k on the list chooses which questions.", id="choices", markup=False)

    def on_resize(self) -> None:
        self.set_class(self.size.width < 60 or self.size.height < 16, "-small")

    def on_key(self, event: events.Key) -> None:
        rating = checkin.rating_for_key(event.key) if event.character else None
        if rating is not None:
            event.stop()
            self._answer(rating)

    def action_skip(self) -> None:
        self._answer(None)

    def action_leave(self) -> None:
        if self._finished:
            return
        if self.cancel is not None:
            self._finished = True
            self.dismiss(None)
            return
        while len(self.answers) < len(self.questions):
            self.answers[self.question[0]] = None
        self._finish()

    def _answer(self, rating: int | None) -> None:
        if len(self.answers) >= len(self.questions):
            return  # a key typed while the next screen opens
        self.answers[self.question[0]] = rating
        if len(self.answers) == len(self.questions):
            self._finish()
            return
        self.query_one("#question", Static).update(self.question[1])

    def _finish(self) -> None:
        if not self._finished:
            self._finished = True
            self.dismiss(Ratings(**self.answers))
