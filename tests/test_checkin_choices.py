"""Which check-in questions are asked: both, stress only, craving only or none."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from oxybreathe.core import checkin, config
from oxybreathe.core import memory as memories
from oxybreathe.core.checkin import Ratings
from oxybreathe.core.flow import SessionFlow
from oxybreathe.core.loader import parse_session
from oxybreathe.core.plan import lay_out
from oxybreathe.plain import run_plain
from oxybreathe.ui.screens.checkin import CheckinScreen
from oxybreathe.ui.screens.home import HomeScreen
from oxybreathe.ui.screens.session import SessionScreen
from tests.conftest import FakeClock, app_with, history_rows, run_cli, select, text_of, top


def settings(isolated_home, text):
    path = isolated_home / "config" / "oxybreathe" / config.FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_settings_file_takes_one_of_the_four_words_and_says_so_otherwise(isolated_home):
    path = settings(isolated_home, "checkin_questions: Stress\n")
    assert config.load().values == {"checkin_questions": "stress"}
    path.write_text("checkin_questions: [both]\nchimes: false\n")
    loaded = config.load()
    assert loaded.values == {"chimes": False}
    assert [str(problem) for problem in loaded.problems] == [
        f"{path}:1:20: `checkin_questions` must be one of both, stress, craving, none, got a list"
    ]


def test_each_choice_asks_its_questions_in_order():
    assert [key for key, _ in checkin.asked("both")] == ["stress", "craving"]
    assert [key for key, _ in checkin.asked("craving")] == ["craving"]
    assert checkin.asked("none") == ()
    assert [checkin.next_choice(c) for c in checkin.CHOICES] == [*checkin.CHOICES[1:], "both"]


def test_plain_mode_asks_only_stress_when_told(tmp_path):
    plan = lay_out(parse_session("name: Quick\nsteps: [{say: hi, seconds: 1}]\n", "q.yaml"))
    clock = FakeClock()
    asked: list[str] = []
    answers = iter(["6", "3"])

    def ask(prompt: str) -> str | None:
        asked.append(prompt)
        return next(answers, None)

    flow = SessionFlow(plan, clock=clock)
    out = io.StringIO()
    status = run_plain(
        flow, out=out, sleep=clock.advance, ask=ask, questions=checkin.asked("stress")
    )
    assert status == 0
    assert asked == ["Stress now? 0-10, Enter to skip: "] * 2
    assert flow.before == Ratings(stress=6) and "Stress 6 to 3." in out.getvalue()


def test_the_real_cli_on_a_terminal_asks_only_craving_from_the_settings_file(isolated_home, write):
    settings(isolated_home, "checkin_questions: craving\njournal: false\n")
    path = write("name: Quick\nsteps:\n  - breathe: [inhale: 0.5, exhale: 0.5]\n    cycles: 1\n")
    master, slave = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "oxybreathe", "run", str(path), "--plain", "--no-chimes"],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for answer in ("8", "5"):
            os.write(master, answer.encode() + b"\n")
        out, err = process.communicate(timeout=30)
    finally:
        os.close(master)
        os.close(slave)
    assert process.returncode == 0, err
    assert "Stress" not in out and "Craving 8 to 5." in out
    [row] = run_cli("history", "--csv").stdout.splitlines()[1:]
    assert row.split(",")[5:9] == ["", "", "8", "5"]


async def test_k_on_home_changes_the_questions_at_once_and_it_is_remembered(clock):
    app = app_with(clock, chimes=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await select(pilot, "box")
        await pilot.press("k", "k")  # both -> stress -> craving
        await pilot.pause()
        assert app.prefs.checkin_questions == "craving"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        assert text_of(app.screen, "question") == "Craving now?"
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(top(app, SessionScreen), SessionScreen)
    app.wrap_up()
    [row] = history_rows()
    assert (row.stress_before, row.craving_before) == (None, 4)
    assert memories.load().preferences["checkin_questions"] == "craving"
    again = app_with(clock, chimes=False)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("k")  # craving -> none: no check-in at all
        await pilot.pause()
        await select(pilot, "box")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(top(again, SessionScreen), SessionScreen)
        assert not any(isinstance(s, CheckinScreen) for s in again.screen_stack)
        assert not isinstance(again.screen, HomeScreen)
    again.wrap_up()
