"""The format's safety keys (`caution`, `acute`, `min_minutes`): loaded with located errors,
and `oxybreathe validate` warns about a hold with no caution and prompts with too little time."""

from __future__ import annotations

import subprocess

import pytest

from oxybreathe.core.loader import parse_session
from oxybreathe.core.plan import LengthError, bounds, lay_out
from oxybreathe.core.problems import LoadError
from tests.conftest import run_cli, start_cli

HOLD = "name: Hold\nsteps:\n  - breathe: [inhale: 4, hold: 4, exhale: 4]\n"
SCAN = "name: Scan\nminutes: 5\nsteps:\n" + "".join(f"  - say: Area {n}.\n" for n in range(8))


def test_a_hold_without_a_caution_is_warned_about_and_still_valid(write):
    path = write(HOLD, "hold.yaml")
    result = run_cli("validate", str(path))
    assert result.returncode == 0
    ok, warning = result.stdout.splitlines()
    assert ok.startswith(f"{path}: ok")
    assert warning.startswith(f"{path}:3:5: warning: this pattern holds the breath")
    cautious = write(HOLD.replace("steps:", "caution: Stop if dizzy.\nsteps:"), "cautious.yaml")
    assert len(run_cli("validate", str(cautious)).stdout.splitlines()) == 1


def test_prompts_squeezed_at_the_shortest_length_are_warned_about_until_min_minutes(write):
    path = write(SCAN, "scan.yaml")
    lines = run_cli("validate", str(path)).stdout.splitlines()
    assert len(lines) == 1 + 8
    assert lines[1] == (
        f"{path}:4:5: warning: at the session's shortest length this prompt shows for only "
        "1 s; set `min_minutes` so that each prompt has at least 10 s"
    )
    fixed = write(SCAN.replace("minutes: 5", "minutes: 5\nmin_minutes: 2"), "fixed.yaml")
    assert run_cli("validate", str(fixed)).stdout.splitlines() == [
        f"{fixed}: ok (Scan, default length 5 min)"
    ]


def test_min_minutes_is_the_shortest_length():
    session = parse_session(SCAN.replace("minutes: 5", "minutes: 5\nmin_minutes: 2"))
    assert bounds(session).shortest == 120
    with pytest.raises(LengthError, match="the shortest length is 2 min"):
        lay_out(session, 1.5)
    assert lay_out(session, 2).total == 120


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("caution: [x]", "2:10: `caution` must be text, got a list"),
        ("caution: ''", "2:10: `caution` must not be empty"),
        ("acute: " + "x" * 81, "2:8: `acute` is 81 characters long"),
        ("min_minutes: -1", "2:14: `min_minutes` must be a number above 0"),
        ("cauton: x", "2:1: unknown key `cauton`"),
    ],
)
def test_the_new_keys_are_checked_with_located_messages(line, message):
    with pytest.raises(LoadError) as error:
        parse_session(f"name: X\n{line}\nsteps:\n  - say: hi\n", "x.yaml")
    assert str(error.value.problems[0]).startswith(f"x.yaml:{message}")


def test_the_default_length_is_never_below_min_minutes():
    session = parse_session("name: x\nmin_minutes: 30\nsteps:\n  - say: a\n  - say: b\n")
    assert lay_out(session).total == 30 * 60  # not 2 min a filling step


def test_oxybreathe_now_runs_even_when_your_own_sober_file_is_broken(user_sessions):
    user_sessions.mkdir(parents=True)
    (user_sessions / "sober.yaml").write_text("name: [broken\n")
    process = start_cli(["now", "--plain", "--no-chimes"], stdin=subprocess.DEVNULL)
    assert process.stdout is not None
    first = process.stdout.readline()
    process.terminate()
    _, err = process.communicate(timeout=30)
    assert first.startswith("SOBER breathing space")  # the built-in, at once
    assert "Traceback" not in err
