"""Remembered choices: a real file in a tmp dir; anything wrong means nothing remembered."""

from __future__ import annotations

import pytest

from oxybreathe.core import state


def test_round_trip(tmp_path):
    assert state.save(state.Remembered("box", 3.5, False), tmp_path)
    assert state.load(tmp_path) == state.Remembered("box", 3.5, False)


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        "[1, 2]",
        '{"session": 3, "minutes": -1, "chimes": "yes"}',
        '{"minutes": true}',
        '{"minutes": NaN}',
    ],
)
def test_a_corrupt_file_gives_the_defaults(tmp_path, content):
    (tmp_path / state.FILENAME).write_text(content)
    assert state.load(tmp_path) == state.Remembered()


def test_an_unwritable_location_is_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")  # a file where the folder should be: mkdir fails even for root
    assert state.save(state.Remembered("box"), blocker / "sub") is False
    assert state.load(blocker / "sub") == state.Remembered()
