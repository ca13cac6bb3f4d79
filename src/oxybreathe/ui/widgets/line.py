"""A one-line text that redraws only itself, and only when its text changes."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget


class Line(Widget):
    """Literal text (never markup) on one line.

    `Static.update` asks for a new layout of the whole screen; a countdown that changes every
    second does not need one, so this widget only repaints itself.
    """

    DEFAULT_CSS = """
    Line {
        width: 1fr;
        height: 1;
    }
    """

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = text

    @property
    def text(self) -> str:
        """The text shown."""
        return self._text

    def show(self, text: str) -> None:
        """Show `text`, repainting only if it changed."""
        if text != self._text:
            self._text = text
            self.refresh()

    def render(self) -> Content:
        return Content(self._text)
