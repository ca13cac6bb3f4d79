"""The messages screens send up to the App: "attributes down, messages up"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:  # not imported before home's first paint
    from oxybreathe.core.plan import Plan


@dataclass
class StartSession(Message):
    """Start `plan`, chosen on home at `minutes` (None for a fixed-length session)."""

    plan: Plan
    minutes: float | None


@dataclass
class PreferenceChanged(Message):
    """The user changed setting `key` to `value` in the app: it applies now, and is remembered."""

    key: str
    value: Any
