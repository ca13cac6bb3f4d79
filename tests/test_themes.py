"""Themes: the names core knows are the app's, the settings file and --theme check them, and
TEXTUAL_ANIMATIONS=none is reduced motion."""

from __future__ import annotations

import pytest

from oxybreathe.core import config, settings, themes
from oxybreathe.ui.app import OxybreatheApp
from tests.conftest import app_with, run_cli


def test_the_names_core_checks_are_the_apps_themes():
    assert set(OxybreatheApp().available_themes) == set(themes.NAMES)


@pytest.fixture
def settings_file(isolated_home):
    path = isolated_home / "config" / "oxybreathe" / config.FILENAME
    path.parent.mkdir(parents=True)
    return path


def test_a_wrong_theme_is_located_and_names_the_themes(settings_file):
    settings_file.write_text("volume: 50\ntheme: amber\n")
    loaded = config.load()
    assert loaded.values == {"volume": 50}
    [problem] = [str(p) for p in loaded.problems]
    assert problem.startswith(f"{settings_file}:2:8: `theme`: unknown theme `amber` (the themes: ")
    assert themes.LOW_LIGHT in problem and "nord" in problem


async def test_the_theme_from_the_settings_file_is_the_apps(clock, settings_file):
    settings_file.write_text(f"theme: {themes.LOW_LIGHT}\n")
    app = app_with(clock, checkin=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == themes.LOW_LIGHT
        assert app.screen.styles.background.rgb == (0, 0, 0)


async def test_the_flag_wins_over_the_file(clock, settings_file):
    settings_file.write_text(f"theme: {themes.LOW_LIGHT}\n")
    app = app_with(clock, checkin=False, theme="nord")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "nord"


def test_a_wrong_theme_flag_is_a_usage_error_naming_the_themes():
    result = run_cli("--theme", "amber")
    assert result.returncode == 2
    assert "unknown theme `amber` (the themes: oxybreathe-night, textual-dark" in result.stderr
    result = run_cli("run", "box", "--theme", "dark")
    assert result.returncode == 2 and "unknown theme `dark`" in result.stderr


def test_run_takes_the_theme_on_either_side(isolated_home):
    # Plain mode has no colours, but the flag must parse in both places and not be lost.
    from oxybreathe.cli import run as run_command
    from oxybreathe.cli.parser import build_parser

    for argv in (
        ["--theme", "nord", "run", "box"],
        ["run", "box", "--theme", "nord"],
    ):
        args = build_parser().parse_args(argv)
        assert run_command.flags(args)["theme"] == "nord", argv
    args = build_parser().parse_args(["run", "box"])
    assert run_command.flags(args)["theme"] is None


def test_textual_animations_none_is_reduced_motion(isolated_home, monkeypatch, settings_file):
    assert settings.load().prefs.reduce_motion is False
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    assert settings.load().prefs.reduce_motion is True
    settings_file.write_text("reduce_motion: false\n")  # said in so many words: that wins
    assert settings.load().prefs.reduce_motion is False
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "full")
    settings_file.unlink()
    assert settings.load().prefs.reduce_motion is False
