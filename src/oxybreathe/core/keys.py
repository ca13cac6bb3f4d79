"""Every key binding's id, its default keys and the screens it works on: the table a `keys:`
section of the settings file is checked against, and the one docs/keys.md is made from.

The screens' BINDINGS carry these ids (tests/test_keys.py checks that the two agree), and the app
hands the user's `keys:` to Textual's `App.set_keymap`. One key means one thing on every screen:
`c` is chimes, `m` motion, `h` history, `s` skip. The one exception is the yes/no question,
whose `n` is "No" (its footer says so).

Key names are Textual's: a character (`x`, `?`), a named key (`f5`, `space`, `pageup`) or a
character's name (`question_mark`), after modifiers (`ctrl+`, `shift+`, `alt+`).
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PREFIX = "oxybreathe."
DOCS_URL = "https://github.com/oxybreathe/oxybreathe/blob/main/docs/keys.md"


@dataclass(frozen=True, slots=True)
class Action:
    """One binding: its id, its default keys (as BINDINGS write them), what it does, where."""

    id: str
    keys: str
    does: str
    screens: tuple[str, ...]


# ANYWHERE is an App-level binding (the App's BINDINGS): it shares every screen.
ANYWHERE = "anywhere"
HOME, SESSION, CHECKIN, CLOSING, HISTORY, CONFIRM = (
    "home",
    "session",
    "check-in",
    "closing",
    "history",
    "yes/no question",
)
JOURNAL, CHOOSE = "journal line", "choosing an entry to delete"  # issue 19

ACTIONS: tuple[Action, ...] = (
    Action(PREFIX + "start", "enter", "start the highlighted session", (HOME,)),
    Action(PREFIX + "shorter", "left,minus", "a shorter session", (HOME,)),
    Action(PREFIX + "longer", "right,plus", "a longer session", (HOME,)),
    Action(
        PREFIX + "chimes",
        "c",
        "chimes on or off (in a session: for this session only)",
        (HOME, SESSION),
    ),
    Action(PREFIX + "motion", "m", "the animated pacer or a calm countdown", (HOME,)),
    Action(PREFIX + "voice", "v", "spoken guidance on or off", (HOME,)),
    Action(
        PREFIX + "history", "h", "open history (on history: close it)", (HOME, CLOSING, HISTORY)
    ),
    Action(PREFIX + "new", "n", "write a new session file and edit it", (HOME,)),
    Action(PREFIX + "edit", "e", "edit the highlighted session's file", (HOME,)),
    Action(PREFIX + "reload", "r", "read the session files again", (HOME,)),
    Action(PREFIX + "quit", "q", "quit the app", (HOME, CLOSING, HISTORY)),
    Action(PREFIX + "pause", "space", "pause or resume", (SESSION,)),
    Action(PREFIX + "skip", "s", "skip this step, or this question", (SESSION, CHECKIN)),
    Action(PREFIX + "louder", "plus,equals_sign", "chimes louder", (SESSION,)),
    Action(PREFIX + "softer", "minus", "chimes softer", (SESSION,)),
    Action(PREFIX + "end", "q,escape", "end the session (after asking)", (SESSION,)),
    Action(
        PREFIX + "back",
        "escape",
        "go back (on the journal line: skip it)",
        (CHECKIN, HISTORY, JOURNAL, CHOOSE),
    ),
    Action(PREFIX + "home", "enter", "back to the list of sessions", (CLOSING,)),
    Action(PREFIX + "streak", "d", "show or hide the day streak", (HISTORY,)),
    # Issue 19: practice across days.
    Action(
        PREFIX + "questions",
        "k",
        "which check-in questions: both, stress, craving or none",
        (HOME,),
    ),
    Action(
        PREFIX + "delete", "x,delete", "delete one entry (after choosing and asking)", (HISTORY,)
    ),
    Action(PREFIX + "yes", "y", "answer yes", (CONFIRM,)),
    Action(PREFIX + "no", "n,escape", "answer no", (CONFIRM,)),
    # Issue 16: help at the moment of need.
    Action(PREFIX + "help", "f1,question_mark", "the help lines for your country", (ANYWHERE,)),
    Action(
        PREFIX + "now",
        "u",
        "a short session for an urge, at once, no questions (closing: surf again)",
        (HOME, CLOSING),
    ),
)
BY_ID = {action.id: action for action in ACTIONS}

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
_NAMED = "enter escape space tab backspace delete insert home end pageup pagedown up down left"
NAMED = frozenset(
    [*_NAMED.split(), "right", "slash", "backslash", "at", "minus", "plus", "underscore"]
    + [f"f{n}" for n in range(1, 25)]
)
KEYS_MAX = 5  # keys for one action
IDS_MAX = 100  # entries in `keys:` (more are not read)


def _character_name(character: str) -> str:
    return unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")


CHARACTER_NAMES = frozenset(_character_name(c) for c in string.punctuation)


def key_problem(key: str) -> str | None:
    """Why `key` is not a key Textual can bind, or None when it is one."""
    if key == "+" or key.endswith("++"):  # `+` itself, or `ctrl++`: the plus character
        modifiers, base = [m for m in key[:-1].split("+") if m], "+"
    else:
        *modifiers, base = key.split("+")
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            return f"`{modifier}` is not a modifier (use {', '.join(MODIFIERS)})"
    if len(base) == 1 and base.isprintable() and not base.isspace():
        return None
    if base in NAMED or base in CHARACTER_NAMES:
        return None
    return "not a key name (a character such as `x`, or a name such as `f5`, `space`, `pageup`)"


def split(keys: str) -> list[str]:
    """The keys of a comma-separated list, as Textual splits it."""
    return [key.strip() for key in keys.split(",")]


def clashes(keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(id, key, other id) for each key the keymap gives `id` that `other` also has on one of
    its screens, with the keymap applied: the one pressed would hide the other."""
    keys_of = {action.id: keymap.get(action.id, action.keys) for action in ACTIONS}
    found = []
    for action_id in keymap:
        action = BY_ID[action_id]
        for key in split(keymap[action_id]):
            for other in ACTIONS:
                shared = set(other.screens) & set(action.screens)
                if other.id == action_id or not (
                    shared or ANYWHERE in (*other.screens, *action.screens)
                ):
                    continue
                if key in split(keys_of[other.id]):
                    found.append((action_id, key, other.id))
    return found


def shown(key: str) -> str:
    """A key as the hints show it: `^x` for ctrl+x."""
    return "^" + key[5:] if key.startswith("ctrl+") else key


# Home's one line of hints: (id or None, the default's display, the word). Most needed first.
_HOME_HINTS: tuple[tuple[str | None, str, str], ...] = (
    (PREFIX + "start", "⏎", "start"),
    (PREFIX + "now", "u", "urge now"),  # issue 16: the moment of need, first
    (PREFIX + "help", "F1", "help"),
    (None, "←/→", "length"),
    (PREFIX + "history", "h", "history"),
    (PREFIX + "chimes", "c", "chimes"),
    (PREFIX + "motion", "m", "motion"),
    (PREFIX + "voice", "v", "voice"),
    (PREFIX + "new", "n", "new"),
    (PREFIX + "edit", "e", "edit"),
    (PREFIX + "quit", "q", "quit"),
    (PREFIX + "reload", "r", "reload"),
    (None, "^p", "palette"),
)


def home_hints(keymap: Mapping[str, str] = {}) -> str:  # noqa: B006 - read only
    """Home's line of key hints, naming the user's own keys where the keymap moves them."""
    parts = []
    for action_id, default, word in _HOME_HINTS:
        given = keymap.get(action_id) if action_id is not None else None
        key = shown(split(given)[0]) if given else default
        parts.append(f"{key} {word}")
    return "  ".join(parts)


def table(actions: Iterable[Action] = ACTIONS) -> str:
    """The Markdown table of docs/keys.md."""
    lines = ["| id | keys | what it does | screens |", "|---|---|---|---|"]
    for action in actions:
        keys = ", ".join(f"`{key}`" for key in split(action.keys))
        lines.append(f"| `{action.id}` | {keys} | {action.does} | {', '.join(action.screens)} |")
    return "\n".join(lines) + "\n"
