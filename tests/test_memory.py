"""What the app remembers: a real file in a tmp dir; anything wrong means nothing remembered."""

from __future__ import annotations

import json

import pytest

from oxybreathe.core import memory
from oxybreathe.core.memory import Memory


def test_round_trip(tmp_path):
    remembered = Memory("box", 3.5, {"chimes": False, "volume": 0, "theme": "nord"})
    assert memory.save(remembered, tmp_path)
    assert memory.load(tmp_path) == remembered


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{",
        "[]",
        "null",
        '"text"',
        "[" * 100_000 + "]" * 100_000,  # deeper than json can go: RecursionError, not ValueError
        '{"minutes": ' + "9" * 5000 + "}",  # more digits than int() takes
        "\xff\xfe",
    ],
)
def test_a_corrupt_file_gives_nothing_remembered(tmp_path, content):
    (tmp_path / memory.FILENAME).write_text(content, encoding="latin-1")
    assert memory.load(tmp_path, tmp_path) == Memory()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("chimes", "yes"),
        ("chimes", 1),
        ("volume", True),
        ("volume", 101),
        ("volume", -1),
        ("volume", 2.5),
        ("volume", 10**400),
        ("theme", ""),
        ("theme", 7),
        ("theme", "x" * 65),
        ("checkin", False),  # never remembered: only the settings file or a flag sets it
    ],
)
def test_a_wrong_value_is_forgotten_on_its_own(tmp_path, key, value):
    content = json.dumps({"session": "box", "preferences": {key: value, "streak": False}})
    (tmp_path / memory.FILENAME).write_text(content)
    assert memory.load(tmp_path, tmp_path) == Memory("box", None, {"streak": False})


@pytest.mark.parametrize("minutes", [0, -1, float("inf"), float("nan"), True, "3", 10**400])
def test_a_length_that_is_not_a_positive_number_is_forgotten(tmp_path, minutes):
    content = json.dumps({"session": "box", "minutes": minutes}, allow_nan=True)
    (tmp_path / memory.FILENAME).write_text(content)
    assert memory.load(tmp_path, tmp_path) == Memory("box")


def test_a_huge_file_is_not_read(tmp_path):
    (tmp_path / memory.FILENAME).write_text('{"session": "box", "x": "' + "a" * 100_000 + '"}')
    assert memory.load(tmp_path, tmp_path) == Memory()


def test_the_old_state_file_is_read_when_there_is_no_memory_yet(tmp_path):
    old = tmp_path / "data"
    old.mkdir()
    (old / memory.OLD_FILENAME).write_text(
        json.dumps({"session": "sigh", "minutes": 4, "chimes": False, "show_streak": False})
    )
    assert memory.load(tmp_path / "state", old) == Memory(
        "sigh", 4.0, {"chimes": False, "streak": False}
    )


def test_an_unwritable_location_is_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert memory.save(Memory("box"), blocker / "sub") is False
    assert memory.load(blocker / "sub", blocker / "sub") == Memory()
    assert [path.name for path in tmp_path.iterdir()] == ["file"]  # no temporary file left


def test_only_settings_the_app_changes_can_be_remembered():
    with pytest.raises(KeyError):
        Memory().changed("checkin", False)
    assert Memory().changed("volume", 0).preferences == {"volume": 0}
