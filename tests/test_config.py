"""The settings file: real YAML in the isolated config folder, located errors, never a crash."""

from __future__ import annotations

import pytest

from oxybreathe.core import config
from oxybreathe.core.config import Config
from oxybreathe.core.preferences import resolve
from tests.conftest import run_cli


@pytest.fixture
def settings_file(isolated_home):
    path = isolated_home / "config" / "oxybreathe" / config.FILENAME
    path.parent.mkdir(parents=True)
    return path


def test_no_file_means_the_defaults():
    assert config.load() == Config()
    assert not config.load().problems


def test_the_example_is_valid_and_sets_every_key(settings_file):
    settings_file.write_text(config.EXAMPLE)
    settings = config.load()
    assert settings == Config(
        {
            "chimes": True,
            "volume": 80,
            "reduce_motion": False,
            "checkin": True,
            "streak": True,
            "checkin_questions": "both",
            "journal": True,
            "voice": False,
            "voice_phases": False,
            "voice_volume": 70,
            "terminal_bell": False,
        }
    )
    assert not settings.problems


def test_a_piper_model_is_a_file_relative_to_the_settings(settings_file):
    model = settings_file.parent / "voices" / "calm.onnx"
    model.parent.mkdir()
    model.write_bytes(b"model")
    settings_file.write_text("piper_model: voices/calm.onnx\nvoice: true\n")
    assert config.load() == Config({"piper_model": str(model), "voice": True})
    settings_file.write_text("piper_model: voices/none.onnx\n")
    [problem] = config.load().problems
    assert str(problem).startswith(f"{settings_file}:1:14: `piper_model`: there is no file ")


def test_every_wrong_value_is_located_and_only_that_key_falls_back(settings_file):
    settings_file.write_text(
        "chimes: no\nvolume: 140\nreduce_motion: yes please\nchekin: false\nstreak: false\n"
    )
    settings = config.load()
    assert settings == Config({"chimes": False, "streak": False})
    assert [str(p) for p in settings.problems] == [
        f"{settings_file}:2:9: `volume` must be a whole number from 0 to 100, got `140`",
        f"{settings_file}:3:16: `reduce_motion` must be true or false, got `yes please`",
        f"{settings_file}:4:1: unknown key `chekin` in the settings; did you mean `checkin`? "
        "(allowed: chimes, volume, reduce_motion, checkin, streak, checkin_questions, journal, "
        "theme, keys, country, voice, voice_phases, voice_volume, terminal_bell, piper_model)",
    ]


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("chimes: [true\n", ":2:1:"),
        ("- a list\n", ":1:1:"),
        ("volume: !!python/object:os.system 1\n", ":1:9:"),
        ("\tchimes: false\n", ":1:1:"),
    ],
)
def test_a_broken_file_gives_one_located_problem_and_the_defaults(settings_file, content, where):
    settings_file.write_text(content)
    settings = config.load()
    assert settings == Config()
    assert settings.problems and where in str(settings.problems[0])


def test_a_file_that_is_not_utf8_or_is_a_folder_is_a_problem_not_a_crash(settings_file):
    settings_file.write_bytes(b"volume: \xff\n")
    assert "not UTF-8" in str(config.load().problems[0])
    settings_file.unlink()
    settings_file.mkdir()
    assert "directory" in str(config.load().problems[0])


def test_the_file_sets_the_preferences_and_the_command_line_wins(settings_file):
    settings_file.write_text("chimes: false\nvolume: 30\nreduce_motion: true\ncheckin: false\n")
    file = config.load().values
    prefs = resolve(file=file, remembered={"chimes": True, "volume": 55})
    assert (prefs.chimes, prefs.volume, prefs.reduce_motion, prefs.checkin) == (
        False,
        30,
        True,
        False,
    )
    prefs = resolve(flags={"chimes": True, "volume": 90, "checkin": True}, file=file)
    assert (prefs.chimes, prefs.volume, prefs.checkin) == (True, 90, True)


def test_oxybreathe_config_shows_the_file_and_its_problems(settings_file):
    missing = run_cli("config")
    assert missing.returncode == 0 and "No settings file" in missing.stdout
    assert config.EXAMPLE in missing.stdout
    settings_file.write_text("volume: loud\n")
    broken = run_cli("config")
    assert broken.returncode == 1
    assert f"{settings_file}:1:9: `volume` must be a whole number" in broken.stdout
    assert "Traceback" not in broken.stdout + broken.stderr


def test_a_bad_settings_file_never_stops_a_session(settings_file, write):
    settings_file.write_text("volume: loud\nchimes: false\n")
    short = write("name: Short\nsteps:\n  - say: Hello.\n    seconds: 1\n")
    result = run_cli("run", str(short), "--plain")
    assert result.returncode == 0, result.stderr
    assert f"{settings_file}:1:9: `volume` must be a whole number" in result.stderr
    assert "(using the default)" in result.stderr
    assert "Finished" in result.stdout


def test_history_hides_the_streak_when_the_settings_say_so(settings_file, write):
    short = write("name: Short\nsteps:\n  - say: Hello.\n    seconds: 1\n")
    assert run_cli("run", str(short), "--plain", "--no-chimes").returncode == 0
    assert "streak: 0 days" in run_cli("history").stdout  # a day counts from one minute
    settings_file.write_text("streak: false\n")
    shown = run_cli("history").stdout
    assert "Sessions: 0" in shown and "streak" not in shown.lower()  # 1 s: listed, not counted
