"""Binding ids and keymaps: the table in core/keys.py is the real BINDINGS, the settings file's
`keys:` is checked with located lines, and a remapped key works in the real app (Pilot)."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.screen import Screen

from oxybreathe.core import config, keys
from oxybreathe.ui import app as app_module
from oxybreathe.ui.screens import checkin, closing, confirm, forget, history, home, journal, session
from tests.conftest import app_with, box_app, text_of, top

ROOT = Path(__file__).resolve().parents[1]
SCREENS: dict[str, type[Screen[Any]]] = {
    keys.HOME: home.HomeScreen,
    keys.SESSION: session.SessionScreen,
    keys.CHECKIN: checkin.CheckinScreen,
    keys.CLOSING: closing.ClosingScreen,
    keys.HISTORY: history.HistoryScreen,
    keys.CONFIRM: confirm.Confirm,
    keys.JOURNAL: journal.JournalScreen,
    keys.CHOOSE: forget.ChooseEntry,
}


def our_bindings() -> dict[str, list[Binding]]:
    """Each screen's own BINDINGS (and the app's), as Textual reads them."""
    found = {name: list(Binding.make_bindings(kind.BINDINGS)) for name, kind in SCREENS.items()}
    found[keys.ANYWHERE] = list(Binding.make_bindings(app_module.OxybreatheApp.BINDINGS))
    return found


def test_every_screen_of_ours_is_in_the_table():
    ours = {
        kind
        for module in (checkin, closing, confirm, forget, history, home, journal, session)
        for _, kind in inspect.getmembers(module, inspect.isclass)
        if issubclass(kind, Screen) and kind.__module__ == module.__name__ and kind.BINDINGS
    }
    assert ours == set(SCREENS.values())


def test_every_binding_has_an_id_and_the_table_is_the_real_bindings():
    seen: dict[str, set[str]] = {}
    for screen, bindings in our_bindings().items():
        for binding in bindings:
            if screen == keys.ANYWHERE and binding.id is None:
                continue  # Textual's own (ctrl+q, ctrl+c...), not ours
            assert binding.id, f"{screen}: `{binding.key}` has no id"
            seen.setdefault(binding.id, set()).add(screen)
            action = keys.BY_ID.get(binding.id)
            assert action is not None, f"{binding.id} is not in core/keys.py"
            # Textual spells single characters by name (`+` is `plus`), as the table does.
            assert binding.key in keys.split(action.keys), (binding.id, binding.key)
    for action in keys.ACTIONS:
        assert set(action.screens) == seen.get(action.id, set()), action.id


def test_one_key_means_one_thing_on_every_screen():
    meaning: dict[str, set[str]] = {}
    for screen, bindings in our_bindings().items():
        if screen in (keys.CONFIRM, keys.ANYWHERE):
            continue  # a yes/no question: `n` is No, and its footer says so
        for binding in bindings:
            meaning.setdefault(binding.key, set()).add(str(binding.id))
    # q quits, or ends a session (which asks first); escape goes back, or ends a session.
    allowed = {
        "q": {"oxybreathe.quit", "oxybreathe.end"},
        "escape": {"oxybreathe.back", "oxybreathe.end"},
        "enter": {"oxybreathe.start", "oxybreathe.home"},
        "minus": {"oxybreathe.shorter", "oxybreathe.softer"},
        "plus": {"oxybreathe.longer", "oxybreathe.louder"},
    }
    for key, ids in meaning.items():
        assert len(ids) == 1 or ids == allowed.get(key), (key, ids)


def test_the_docs_table_is_the_real_one():
    doc = (ROOT / "docs" / "keys.md").read_text(encoding="utf-8")
    assert keys.table() in doc
    assert keys.DOCS_URL.endswith("/blob/main/docs/keys.md")  # where the messages send you


@pytest.mark.parametrize(
    "key",
    ["v", "?", "ctrl+x", "ctrl+shift+f5", "space", "pageup", "question_mark", "plus", "ctrl++"],
)
def test_keys_textual_can_bind_are_accepted(key):
    assert keys.key_problem(key) is None


@pytest.mark.parametrize("key", ["", "vv", "control+x", "ctrl+", "ctrl+enterr", "f25", " "])
def test_keys_that_are_not_keys_are_refused(key):
    assert keys.key_problem(key) is not None


def test_our_named_keys_are_keys_textual_knows():
    from textual.keys import Keys

    names = {key.value for key in Keys} | {"space", "plus", "minus", "slash", "backslash", "at"}
    names |= {"underscore", *keys.CHARACTER_NAMES}
    assert names >= keys.NAMED, keys.NAMED - names


@pytest.fixture
def settings_file(isolated_home):
    path = isolated_home / "config" / "oxybreathe" / config.FILENAME
    path.parent.mkdir(parents=True)
    return path


def test_the_keys_section_is_read_and_each_mistake_located(settings_file):
    settings_file.write_text(
        "keys:\n"
        "  oxybreathe.motion: w\n"
        "  oxybreathe.history: [h, ctrl+h]\n"
        "  oxybreathe.mootion: x\n"
        "  oxybreathe.edit: controll+e\n"
        "  oxybreathe.reload: n\n"
        "  oxybreathe.pause: p,ctrl+p\n"
    )
    settings = config.load()
    assert settings.values == {
        "keys": (
            ("oxybreathe.history", "h,ctrl+h"),
            ("oxybreathe.motion", "w"),
            ("oxybreathe.pause", "p,ctrl+p"),
        )
    }
    shown = [str(problem) for problem in settings.problems]
    assert shown == [
        f"{settings_file}:4:3: unknown key `oxybreathe.mootion` in `keys`; "
        f"did you mean `oxybreathe.motion`? (the ids: {keys.DOCS_URL})",
        f"{settings_file}:5:20: `controll+e` in the keys of `oxybreathe.edit`: `controll` is not "
        "a modifier (use ctrl, shift, alt, meta, super, hyper)",
        f"{settings_file}:6:22: `n` for `oxybreathe.reload` is also the key of `oxybreathe.new` "
        "on the same screen",
    ]


def test_keys_must_be_a_mapping(settings_file):
    settings_file.write_text("keys: v\n")
    settings = config.load()
    assert settings.values == {}
    assert [str(p) for p in settings.problems] == [
        f"{settings_file}:1:7: `keys` must be a mapping of `key: value` lines, got `v`"
    ]


async def test_a_remapped_key_works_and_home_names_it(clock, settings_file):
    settings_file.write_text("keys:\n  oxybreathe.motion: w\n  oxybreathe.history: ctrl+y\n")
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        hints = text_of(app.screen, "keys")
        assert "w motion" in hints and "^y history" in hints and "m motion" not in hints
        assert "Motion: animated  (w)" in text_of(app.screen, "chimes")
        await pilot.press("m")  # the old key does nothing now
        assert not app.prefs.reduce_motion
        await pilot.press("w")
        assert app.prefs.reduce_motion
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, home.HomeScreen)
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert isinstance(app.screen, history.HistoryScreen)
        await pilot.press("ctrl+y")  # the same key closes it again
        await pilot.pause()
        assert isinstance(app.screen, home.HomeScreen)


async def test_a_remapped_key_works_in_a_session(clock, settings_file):
    settings_file.write_text("keys:\n  oxybreathe.skip: ctrl+n\n")
    app = box_app(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = top(app, session.SessionScreen)
        await pilot.press("s")
        assert screen.engine.current is not None and screen.engine.current.step == 0
        await pilot.press("ctrl+n")
        assert screen.engine.current is not None and screen.engine.current.step == 1


async def test_the_closing_screens_h_opens_history(clock):
    app = box_app(clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("s", "s", "s")
        await pilot.pause()
        assert isinstance(app.screen, closing.ClosingScreen)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, history.HistoryScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, closing.ClosingScreen)


async def test_ctrl_c_names_the_users_own_quit_key(clock, settings_file):
    settings_file.write_text("keys:\n  oxybreathe.quit: z\n")
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["Press z to quit."]
        await pilot.press("z")
        await pilot.pause()
        assert not app.is_running
