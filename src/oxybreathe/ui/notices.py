"""Notifications that show text exactly as written."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widget import Widget

from oxybreathe.core.safe_text import clean


def notify_literally(node: Widget | App[Any], message: str, **options: Any) -> None:
    """Show a notification exactly as written: never as markup, never with control characters.

    Messages carry file names, paths and user text (`pip install 'oxybreathe[audio]'` must keep
    its brackets), so Textual's markup parsing is always off here.
    """
    node.notify(clean(message), markup=False, **options)


def notify_lines(node: Widget | App[Any], lines: list[str], **options: Any) -> None:
    """Like notify_literally, keeping each of `lines` on a line of its own."""
    node.notify("\n".join(clean(line) for line in lines), markup=False, **options)
