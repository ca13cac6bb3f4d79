"""The home screen's details pane: one widget that shows a few parts of literal text."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

PARTS = ("name", "description", "length", "chimes", "problems")


class Details(Widget):
    """The highlighted session's name, description, length, chimes and problems.

    One widget rather than a Static per part: every widget costs style and layout work, and the
    home screen's first paint has little to spare. Each part is literal text (never markup),
    styled by its component class; an empty part takes no room. In compact mode (a small
    terminal) the description gives way, so the length and chimes always show.
    """

    COMPONENT_CLASSES = {f"details--{part}" for part in PARTS}

    DEFAULT_CSS = """
    Details {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._parts = dict.fromkeys(PARTS, "")
        self._compact = False

    def part(self, name: str) -> str:
        """The text of one part."""
        return self._parts[name]

    def show(self, **parts: str) -> None:
        """Set the given parts (the others stay), repainting only if something changed."""
        unknown = set(parts) - set(PARTS)
        if unknown:
            raise ValueError(f"no such part: {', '.join(sorted(unknown))}")
        if any(self._parts[name] != text for name, text in parts.items()):
            self._parts.update(parts)
            self.refresh(layout=True)

    @property
    def compact(self) -> bool:
        """True when the description is left out."""
        return self._compact

    @compact.setter
    def compact(self, value: bool) -> None:
        if value != self._compact:
            self._compact = value
            self.refresh(layout=True)

    def render(self) -> Text:
        shown = [
            name
            for name in PARTS
            if self._parts[name] and not (self._compact and name == "description")
        ]
        result = Text()
        for index, name in enumerate(shown):
            if index:  # a blank line between parts; the chimes go right under the length
                result.append("\n" if (shown[index - 1], name) == ("length", "chimes") else "\n\n")
            result.append(
                self._parts[name], style=self.get_component_rich_style(f"details--{name}")
            )
        return result
