"""Preferences: one default each, and the layers resolved in one place."""

from __future__ import annotations

import dataclasses

from oxybreathe.core import config, settings
from oxybreathe.core import memory as memories
from oxybreathe.core.memory import Memory
from oxybreathe.core.preferences import DEFAULTS, SETTINGS, Preferences, resolve, settings_example
from oxybreathe.ui.screens.session import SessionScreen
from tests.conftest import ROOT, app_with, box_app, top


def test_each_layer_wins_over_the_ones_below_it():
    flags = {"volume": 10}
    file = {"volume": 20, "chimes": False}
    remembered = {"volume": 30, "chimes": True, "reduce_motion": True}
    assert resolve(flags=flags, file=file, remembered=remembered) == dataclasses.replace(
        DEFAULTS, volume=10, chimes=False, reduce_motion=True
    )
    assert resolve() == DEFAULTS == Preferences()


def test_zero_and_false_are_values_not_gaps():
    assert resolve(file={"volume": 0}, remembered={"volume": 55}).volume == 0
    assert resolve(flags={"chimes": False}, remembered={"chimes": True}).chimes is False


def test_memory_cannot_set_what_only_the_file_or_a_flag_sets():
    assert resolve(remembered={"checkin": False}).checkin is True
    assert resolve(remembered={"keys": (("oxybreathe.motion", "v"),)}).keys == ()


def test_the_file_sets_the_theme_but_a_change_in_the_app_wins_over_nothing_else():
    assert resolve(file={"theme": "nord"}).theme == "nord"
    assert resolve(file={"theme": "nord"}, remembered={"theme": "dracula"}).theme == "nord"
    assert resolve(remembered={"theme": "dracula"}).theme == "dracula"


def test_the_environment_comes_last_in_place_of_the_default():
    asked = {"reduce_motion": True}
    assert resolve(environment=asked).reduce_motion is True
    assert resolve(environment=asked, remembered={"reduce_motion": False}).reduce_motion is False
    assert resolve(environment=asked, file={"reduce_motion": False}).reduce_motion is False


def test_the_documented_example_is_the_real_defaults():
    example = settings_example()
    assert example == config.EXAMPLE
    for setting in SETTINGS:
        if setting.in_file and setting.default in (None, ()):  # no default: an example, commented
            assert f"\n# {setting.key}: " in example
        elif setting.in_file:
            shown = str(setting.default).lower() if setting.default in (True, False) else ""
            assert f"{setting.key}: {shown or setting.default}" in example
    history_doc = (ROOT / "docs" / "history.md").read_text(encoding="utf-8")
    assert "\n".join(example.splitlines()[1:]) in history_doc


def test_the_settings_file_and_flags_are_never_remembered(isolated_home):
    # config.yaml says chimes off and volume 20; the command line says reduce motion. One run
    # of the app later, the file is deleted: everything is as it was before.
    file = isolated_home / "config" / "oxybreathe" / "config.yaml"
    file.parent.mkdir(parents=True)
    file.write_text("chimes: false\nvolume: 20\n")
    loaded = settings.load({"reduce_motion": True})
    assert (loaded.prefs.chimes, loaded.prefs.volume, loaded.prefs.reduce_motion) == (
        False,
        20,
        True,
    )
    file.unlink()
    assert settings.load().prefs == DEFAULTS


async def test_a_session_run_from_the_app_remembers_only_what_was_changed_there(
    clock, isolated_home
):
    file = isolated_home / "config" / "oxybreathe" / "config.yaml"
    file.parent.mkdir(parents=True)
    file.write_text("chimes: false\nvolume: 20\n")
    app = box_app(clock, reduce_motion=True)  # `oxybreathe run box --reduce-motion`
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("q", "y")
        await pilot.pause()
    app.wrap_up()
    assert memories.load().preferences == {}
    file.unlink()
    assert settings.load().prefs == DEFAULTS


async def test_a_volume_of_zero_in_the_settings_file_reaches_the_chimes(clock, isolated_home):
    file = isolated_home / "config" / "oxybreathe" / "config.yaml"
    file.parent.mkdir(parents=True)
    file.write_text("volume: 0\n")
    app = box_app(clock, chimes=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = top(app, SessionScreen)
        assert screen.player is not None and screen.player.volume == 0


async def test_a_change_made_in_the_app_applies_now_and_is_remembered(clock):
    app = app_with(clock, chimes=False)  # `--no-chimes` would last one run...
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("c")  # ...but the user turned them on here
        await pilot.pause()
        assert app.prefs.chimes is True
    assert memories.load() == Memory(preferences={"chimes": True}, told=True)
