"""Every scalar is hostile: tags, numbers of any size or notation, everywhere a number is read.

Session files and the settings file are real YAML files; `remembered.json` is a real file in the
isolated data folder; the command line runs in a real subprocess. Each case ends in a located
message (or the defaults, for remembered.json, which is memory), never a traceback.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from oxybreathe.core import config
from oxybreathe.core import memory as memories
from oxybreathe.core.loader import load_session
from oxybreathe.core.memory import Memory
from oxybreathe.core.model import SayStep
from oxybreathe.core.problems import LoadError
from tests.conftest import run_cli

DIGITS_5000 = "9" * 5000  # past Python's 4,300-digit limit for int(str)
DIGITS_400 = "9" * 400  # an int that float() cannot hold (OverflowError)


def short(value: object) -> str:
    """A test id that a 5,000-digit value does not fill the screen with."""
    text = str(value)
    return text if len(text) <= 30 else f"{text[:20]}...({len(text)} chars)"


def say_for(seconds: str) -> str:
    return f"name: x\nsteps:\n  - say: hi\n    seconds: {seconds}\n"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(LoadError) as caught:
        load_session(path)
    return [f"{p.line}:{p.col}: {p.message}" for p in caught.value.problems]


# Session files -----------------------------------------------------------------------------

RANGE = "`seconds` must be a number above 0 and at most 10800 seconds, got "


@pytest.mark.parametrize(
    ("value", "got"),
    [
        ("!!float abc", "`!!float abc`"),
        ("!!int xyz", "`!!int xyz`"),
        ("!!int 1.5", "`!!int 1.5`"),
        ("!!int 0x_", "`!!int 0x_`"),
        ("!!bool maybe", "`!!bool maybe`"),
        ("!!str 5", "`!!str 5`"),
        ("!!null x", "`!!null x`"),
        ("!!float 1e309", "`!!float 1e309`"),  # finite, only too large for a float
        ("1.0e+400", "`1.0e+400`"),
        pytest.param(DIGITS_5000, f"`{'9' * 39}…`", id="5000-digits"),
        pytest.param(DIGITS_400, f"`{'9' * 39}…`", id="400-digits"),
        pytest.param("0x" + "f" * 5000, f"`0x{'f' * 37}…`", id="5000-hex-digits"),
        # base 60, far past any float, as an int and as a float
        pytest.param("1" + ":00" * 300, f"`{('1' + ':00' * 13)[:39]}…`", id="base-60"),
        pytest.param("1" + ":00" * 300 + ".5", f"`{('1' + ':00' * 13)[:39]}…`", id="base-60.5"),
        ("-0", "`-0`"),
        ("-1:30", "`-1:30`"),
    ],
)
def test_a_hostile_number_is_one_located_problem(write, value, got):
    assert problems_of(write(say_for(value))) == [f"4:14: {RANGE}{got}"]


@pytest.mark.parametrize("value", [".inf", "-.inf", ".NaN", "!!float .inf"])
def test_only_infinity_and_nan_are_not_finite(write, value):
    (problem,) = problems_of(write(say_for(value)))
    assert problem.startswith("4:14: `seconds` must be a finite number")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0x10", 16),
        ("0b101", 5),
        ("017", 15),  # YAML 1.1 octal
        ("1:30", 90),
        ("1:30.5", 90.5),
        ("1_000", 1000),
        ("!!float 5", 5),
        ("!!float 1e2", 100),
        ("!!int 0x10", 16),
        ("!!int 1:00", 60),
        ("+12.5", 12.5),
        (".5", 0.5),
    ],
)
def test_every_yaml_number_notation_is_read(write, value, seconds):
    (step,) = load_session(write(say_for(value))).steps
    assert isinstance(step, SayStep)
    assert step.seconds == seconds


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("2,5", "(write decimals with a point: `2.5`)"),
        ("1e3", "(YAML reads this as text: write it in digits, or as in 1.0e+3)"),
        ("1.5e3", "(YAML reads this as text: write it in digits, or as in 1.0e+3)"),
    ],
)
def test_a_number_yaml_reads_as_text_says_why(write, value, hint):
    assert problems_of(write(say_for(value))) == [f"4:14: {RANGE}`{value}` {hint}"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            f"name: x\nsteps:\n  - breathe: [inhale: 4, exhale: 4]\n    cycles: {DIGITS_5000}\n",
            f"4:13: `cycles` must be a whole number from 1 to 10000, got `{'9' * 39}…`",
        ),
        (
            "name: x\nsteps:\n  - breathe: [inhale: 4, exhale: 4]\n    cycles: !!int abc\n",
            "4:13: `cycles` must be a whole number from 1 to 10000, got `!!int abc`",
        ),
        (
            f"version: {DIGITS_5000}\nname: x\nsteps: [{{say: hi, seconds: 1}}]\n",
            f"1:10: `version` must be 1, got `{'9' * 39}…`",
        ),
        (
            "version: !!int one\nname: x\nsteps: [{say: hi, seconds: 1}]\n",
            "1:10: `version` must be 1, got `!!int one`",
        ),
        (
            f"name: x\nminutes: {DIGITS_400}\nsteps: [{{say: hi}}]\n",
            f"2:10: `minutes` must be a number above 0 and at most 180 minutes, got `{'9' * 39}…`",
        ),
        (
            "name: x\nchimes: {interval: chime, every: !!float x}\nsteps: [{say: hi}]\n",
            "2:34: `chimes.every` must be a number from 5 to 10800 seconds, got `!!float x`",
        ),
        (
            "name: x\nsteps:\n  - breathe: [inhale: !!float 1e999, exhale: 4]\n",
            "3:23: `inhale` must be a number from 0.5 to 120 seconds, got `!!float 1e999`",
        ),
    ],
    ids=[
        "cycles-digits",
        "cycles-tag",
        "version-digits",
        "version-tag",
        "minutes",
        "every",
        "phase",
    ],
)
def test_every_number_field_takes_hostile_scalars(write, text, problem):
    assert problems_of(write(text)) == [problem]


def test_a_file_with_many_values_and_no_alias_does_not_blame_aliases(write):
    path = write("name: x\nsteps: [{say: hi}]\npadding:\n" + "- 1\n" * 120_000)
    (problem,) = problems_of(path)
    assert "this file holds more than 100,000 values; refused" in problem
    assert "alias" not in problem


# The settings file ---------------------------------------------------------------------------


@pytest.fixture
def settings_file(isolated_home: Path) -> Path:
    path = isolated_home / "config" / "oxybreathe" / config.FILENAME
    path.parent.mkdir(parents=True)
    return path


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("chimes: !!bool maybe\n", "1:9: `chimes` must be true or false, got `!!bool maybe`"),
        ("chimes: !!str true\n", "1:9: `chimes` must be true or false, got `!!str true`"),
        ("streak: !!null x\n", "1:9: `streak` must be true or false, got `!!null x`"),
        (
            "volume: !!int xyz\n",
            "1:9: `volume` must be a whole number from 0 to 100, got `!!int xyz`",
        ),
        (
            f"volume: {DIGITS_5000}\n",
            f"1:9: `volume` must be a whole number from 0 to 100, got `{'9' * 39}…`",
        ),
        (
            "volume: !!float 50\n",
            "1:9: `volume` must be a whole number from 0 to 100, got `!!float 50`",
        ),
        ("volume: .nan\n", "1:9: `volume` must be a whole number from 0 to 100, got `.nan`"),
    ],
    ids=short,
)
def test_a_hostile_setting_is_located_and_falls_back(settings_file, content, problem):
    settings_file.write_text(content, encoding="utf-8")
    settings = config.load()
    assert settings == config.Config()
    assert [str(p) for p in settings.problems] == [f"{settings_file}:{problem}"]


def test_settings_read_numbers_and_flags_in_every_yaml_notation(settings_file):
    settings_file.write_text("volume: 0x40\nchimes: !!bool off\nstreak: Yes\n", encoding="utf-8")
    assert config.load() == config.Config({"volume": 64, "chimes": False, "streak": True})


@pytest.mark.parametrize(
    "make",
    [
        lambda path: path.write_text("chimes: true\n---\nvolume: 3\n"),
        lambda path: path.write_text("volume: !!binary aGk=\n"),
        lambda path: path.write_text("volume: !!timestamp 2001-12-14\n"),
        lambda path: path.write_text("volume: !custom 3\n"),
        lambda path: path.write_text("- a list\n"),
        lambda path: path.write_text("#" * (1024 * 1024 + 1)),
        lambda path: path.mkdir(),
    ],
    ids=["second-document", "binary", "timestamp", "local-tag", "list", "oversize", "folder"],
)
def test_no_settings_message_calls_it_a_session_file(settings_file, make):
    make(settings_file)
    result = run_cli("config")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (problem,) = [
        line for line in result.stdout.splitlines() if line.startswith(str(settings_file))
    ]
    assert "session" not in problem
    assert "settings" in problem or problem.endswith("got a list")


# remembered.json ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        '{"minutes": ' + DIGITS_400 + "}",  # math.isfinite() raised OverflowError
        '{"volume": ' + DIGITS_400 + "}",
        '{"minutes": 1e400}',
        '{"minutes": -Infinity}',
        '{"minutes": 1e300}',  # finite, but no session lasts that long
        '{"minutes": ' + DIGITS_5000 + "}",
        "[" * 100_000,  # RecursionError, not a ValueError
        '{"a": ' * 50_000 + "1" + "}" * 50_000,
        '{"session": "box", "padding": "' + "x" * (memories.MAX_BYTES + 1) + '"}',
        '{"minutes": {"nested": [1, 2]}, "volume": "70", "chimes": 1}',
    ],
    ids=[
        "400-digits",
        "volume-400-digits",
        "1e400",
        "-inf",
        "1e300",
        "5000-digits",
        "deep-list",
        "deep-object",
        "oversize",
        "wrong-types",
    ],
)
def test_a_hostile_memory_file_means_nothing_remembered(content):
    path = memories.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    assert memories.load() == Memory()


def test_a_remembered_length_within_three_hours_is_kept():
    path = memories.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"session": "box", "minutes": 180, "preferences": {"volume": 100}}))
    assert memories.load() == Memory("box", 180.0, {"volume": 100})


def test_a_fifo_in_place_of_the_memory_file_never_blocks():
    path = memories.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    found: list[Memory] = []
    reader = threading.Thread(target=lambda: found.append(memories.load()), daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # let the blocked reader go before failing
        with open(path, "w") as writer:
            writer.write("{}")
    assert found == [Memory()]


def test_a_session_runs_whatever_the_memory_file_holds(write):
    path = memories.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"minutes": ' + DIGITS_400 + ', "x": ' + "[" * 100_000, encoding="utf-8")
    short = write("name: Short\nsteps:\n  - say: Hello.\n    seconds: 0.5\n")
    result = run_cli("run", str(short), "--plain", "--no-chimes")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


# The command line ----------------------------------------------------------------------------


def usage_error(*args: str) -> str:
    """The one line a bad argument gets (exit status 2)."""
    result = run_cli(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("usage: ")
    assert len(lines[-1]) < 200
    return lines[-1]


@pytest.mark.parametrize("minutes", ["inf", "nan", "Infinity", "-inf", "NaN"])
def test_minutes_that_are_not_finite_say_so(minutes):
    line = usage_error("run", "box", "--plain", f"--minutes={minutes}")
    assert (
        line
        == f"oxybreathe run: error: argument --minutes: not a finite number of minutes: {minutes!r}"
    )


@pytest.mark.parametrize(
    "minutes", ["1e309", "1e308", "181", "1_000", pytest.param(DIGITS_5000, id="5000-digits")]
)
def test_minutes_past_three_hours_say_the_limit(minutes):
    line = usage_error("run", "box", "--plain", "--minutes", minutes)
    assert "argument --minutes: a session lasts at most 180 minutes (3 hours), got " in line


@pytest.mark.parametrize("minutes", ["½", "0x10", "five", "\x1b[2J"])
def test_minutes_that_are_not_numbers_say_so(minutes):
    line = usage_error("run", "box", "--plain", "--minutes", minutes)
    assert (
        line == f"oxybreathe run: error: argument --minutes: not a number of minutes: {minutes!r}"
    )
    assert "\x1b" not in line


def test_minutes_in_other_scripts_digits_are_read(write):
    short = write("name: Short\nsteps:\n  - say: Hello.\n    seconds: 0.5\n  - say: Fill.\n")
    result = run_cli("run", str(short), "--plain", "--no-chimes", "--minutes", "٠.٥")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Short (30 s)"


@pytest.mark.parametrize(
    "limit", ["²", "0", "-5", "0x10", "1.5", pytest.param("-" + DIGITS_5000, id="-5000-digits")]
)
def test_a_bad_limit_is_a_usage_error(limit):
    line = usage_error("history", f"--limit={limit}")
    assert line.startswith(
        "oxybreathe history: error: argument --limit: a whole number above 0, got "
    )


@pytest.mark.parametrize("limit", [pytest.param(DIGITS_5000, id="5000-digits"), "١٢"])
def test_a_huge_or_other_script_limit_is_a_limit(limit):
    result = run_cli("history", "--limit", limit)
    assert result.returncode == 0 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "volume", ["²", "101", "-1", "50.5", "nan", pytest.param(DIGITS_5000, id="5000-digits")]
)
def test_a_bad_volume_is_a_usage_error(volume):
    line = usage_error("run", "box", "--plain", f"--volume={volume}")
    assert line.startswith(
        "oxybreathe run: error: argument --volume: volume is a whole number 0-100"
    )
