"""The loader on real files: every rule of format version 1, and every way to break a file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from oxybreathe.core.loader import load_session
from oxybreathe.core.model import BreatheStep, Phase, SayStep, Sound
from oxybreathe.core.problems import LoadError
from tests.conftest import SESSIONS, write_wav

GOOD = """\
name: Box breathing
description: Four equal sides.
chimes:
  start: bell
  phase: none
  end: bowl
closing: cravings
steps:
  - say: Sit comfortably.
    seconds: 8
  - breathe:
      - inhale: 4
      - hold: 4
      - exhale: 4
      - {phase: hold, seconds: 4, cue: Rest at the bottom}
    cycles: 10
    say: Follow the square.
"""


def problems_of(path: Path) -> list[str]:
    with pytest.raises(LoadError) as caught:
        load_session(path)
    return [f"{p.line}:{p.col}: {p.message}" for p in caught.value.problems]


def test_a_good_file_becomes_a_session(write):
    session = load_session(write(GOOD, "box.yaml"))
    assert session.id == "box"
    assert session.name == "Box breathing"
    assert session.minutes is None
    assert session.closing_topic == "cravings"
    assert session.chimes.start == Sound(builtin="bell")
    assert session.chimes.phase is None
    say, breathe = session.steps
    assert say == SayStep("Sit comfortably.", 8.0, say.position)
    assert isinstance(breathe, BreatheStep)
    assert breathe.cycles == 10 and breathe.text == "Follow the square."
    assert breathe.phases[3] == Phase("hold", 4.0, "Rest at the bottom")
    assert breathe.position.line == 11


@pytest.mark.parametrize("path", sorted(SESSIONS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_builtin_is_valid_and_cautious(path):
    session = load_session(path, builtin=True)
    assert session.description
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=./oxybreathe-session.schema.json"
    has_hold = any(
        isinstance(step, BreatheStep) and any(p.name == "hold" for p in step.phases)
        for step in session.steps
    )
    if has_hold:  # said in the session, before the first hold (not only in the description)
        assert session.caution and "water" in session.caution and "dizzy" in session.caution
    from oxybreathe.core import advice

    assert advice.warnings(session, path.name) == []


def test_the_builtin_library_has_the_promised_sessions():
    ids = {path.stem for path in SESSIONS.glob("*.yaml")}
    assert {
        "box",
        "4-7-8",
        "resonant",
        "sigh",
        "urge-surfing",
        "body-scan",
        "breathing-space",
        "grounding",
        "connection",
    } <= ids


def test_text_values_are_kept_as_written(write):
    session = load_session(
        write("""
        name: 4-7-8
        steps:
          - say: no
          - say: "[red]x[/red] and [/]"
            seconds: 3
    """)
    )
    assert session.name == "4-7-8"
    assert [step.text for step in session.steps] == ["no", "[red]x[/red] and [/]"]


def test_a_custom_closing_text_is_kept(write):
    session = load_session(
        write("""
        name: x
        closing: Well done for taking this time.
        steps: [{say: hi}]
    """)
    )
    assert session.closing_topic is None
    assert session.closing_text == "Well done for taking this time."


# Twenty-odd ways to break a file: each gets a precise, located line.
BROKEN = [
    pytest.param(
        "name: x\nsteps:\n  - breathe: [inhale: 4, exhale: 4]\n    cycels: 3\n",
        "4:5: unknown key `cycels` in a breathe step; did you mean `cycles`?",
        id="unknown-key-suggestion",
    ),
    pytest.param(
        "name: x\nname: y\nsteps: [{say: hi}]\n",
        "2:1: duplicate key `name` in a session file (first given on line 1)",
        id="duplicate-key",
    ),
    pytest.param(
        "name: x\nsteps:\n  - say: hi\n    seconds: ten\n",
        "4:14: `seconds` must be a number above 0 and at most 10800 seconds, got `ten`",
        id="wrong-type",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: [inhale: .nan, exhale: 4]\n",
        "3:23: `inhale` must be a finite number",
        id="nan",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: [inhale: .inf, exhale: 4]\n",
        "3:23: `inhale` must be a finite number",
        id="infinite",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: [inhale: -4, exhale: 4]\n",
        "3:23: `inhale` must be a number from 0.5 to 120 seconds, got `-4`",
        id="negative",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: [inhale: 0.2, exhale: 4]\n",
        "got `0.2`",
        id="phase-too-short",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: [inhale: 4, exhale: 121]\n",
        "3:34: `exhale` must be a number from 0.5 to 120 seconds, got `121`",
        id="phase-too-long",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: [inhale: 4, exhale: 4]\n    cycles: 3\n    minutes: 2\n",
        "5:14: give `cycles` or `minutes` for a breathe step, not both",
        id="cycles-and-minutes",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: [inhal: 4, exhale: 4]\n",
        "3:15: unknown phase `inhal`; did you mean `inhale`?",
        id="unknown-phase",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: []\n",
        "3:14: `breathe` must have at least one item",
        id="empty-cycle",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: [inhale: 4, hold: 4]\n",
        "3:14: a breathing cycle needs at least one inhale and one exhale; this one has no exhale",
        id="no-exhale",
    ),
    pytest.param(
        "name: x\nchimes:\n  start: missing.wav\nsteps: [{say: hi}]\n",
        "3:10: sound file not found for `chimes.start`",
        id="missing-sound",
    ),
    pytest.param(
        "name: x\nchimes:\n  end: gonggg\nsteps: [{say: hi}]\n",
        "3:8: unknown sound `gonggg` for `chimes.end`",
        id="unknown-sound",
    ),
    pytest.param(
        "name: [x\nsteps: []\n",
        "YAML syntax error: while parsing a flow sequence",
        id="yaml-syntax",
    ),
    pytest.param("- name: x\n", "1:1: a session file must be a mapping", id="top-level-list"),
    pytest.param("just text\n", "1:1: a session file must be a mapping", id="top-level-text"),
    pytest.param("steps: [{say: hi}]\n", "1:1: missing required key `name`", id="no-name"),
    pytest.param("name: x\n", "1:1: missing required key `steps`", id="no-steps"),
    pytest.param("name: x\nsteps: []\n", "2:8: `steps` must have at least one item", id="no-step"),
    pytest.param(
        "name: " + "n" * 81 + "\nsteps: [{say: hi}]\n",
        "1:7: `name` is 81 characters long; at most 80 are allowed",
        id="long-name",
    ),
    pytest.param(
        "name: ''\nsteps: [{say: hi}]\n", "1:7: `name` must not be empty", id="empty-name"
    ),
    pytest.param(
        "name: x\nsteps:\n  - sy: hi\n",
        "3:5: a step needs `say:` (a prompt) or `breathe:` (a breathing cycle); "
        "did you mean `say`?",
        id="step-kind",
    ),
    pytest.param(
        "name: x\nclosing: craving\nsteps: [{say: hi}]\n",
        "2:10: unknown closing topic `craving`; did you mean `cravings`?",
        id="closing-topic",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: [inhale: 4, exhale: 4]\n    cycles: 2.5\n",
        "4:13: `cycles` must be a whole number from 1 to 10000, got `2.5`",
        id="fractional-cycles",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: [{inhale: 4, exhale: 4}]\n",
        "3:15: a phase is one `name: seconds` pair",
        id="two-phases-in-one",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: [{phase: inhale, cue: hi}, exhale: 4]\n",
        "3:15: missing required key `seconds` in a phase",
        id="long-form-no-seconds",
    ),
    pytest.param(
        "name: x\nminutes: 0\nsteps: [{say: hi}]\n",
        "2:10: `minutes` must be a number above 0",
        id="zero-minutes",
    ),
    pytest.param(
        "name: x\nsteps:\n  - say: hi\n    seconds: 20000\n", "got `20000`", id="say-too-long"
    ),
    pytest.param(
        "version: 2\nname: x\nsteps: [{say: hi}]\n",
        "1:10: `version` must be 1",
        id="future-version",
    ),
    pytest.param(
        "name: x\nsteps:\n  - breathe: [inhale: 60, exhale: 60]\n    cycles: 100\n",
        "this session would last 3 h 20 min, longer than the 3 h a session can last",
        id="over-three-hours",
    ),
    pytest.param(
        "name: x\nminutes: 5\nsteps: [{say: hi, seconds: 60}]\n",
        "2:10: this session has a fixed length of 1 min; it cannot run for 5 min",
        id="minutes-on-fixed-session",
    ),
    pytest.param(
        "name: x\nminutes: 0.1\nsteps:\n  - say: hi\n    seconds: 30\n  - say: fill\n",
        "2:10: 6 s is shorter than this session can be; the shortest length is 31 s",
        id="minutes-below-shortest",
    ),
    pytest.param(
        "a: &a [1]\nb: !!python/object/apply:os.system ['echo hi']\n",
        "2:4: tag `!!python/object/apply:os.system` is not allowed",
        id="python-tag",
    ),
    pytest.param(
        "name: !custom x\nsteps: [{say: hi}]\n",
        "1:7: tag `!custom` is not allowed",
        id="custom-tag",
    ),
    pytest.param(
        "name: x\nsteps: [{say: hi}]\n---\nname: y\n",
        "3:1: a session file holds one YAML document",
        id="two-documents",
    ),
    pytest.param(
        "name: x\nsteps: [*nothing]\n",
        "2:9: alias `*nothing` names no anchor",
        id="undefined-alias",
    ),
    pytest.param("", "1:1: the file is empty", id="empty-file"),
    pytest.param(
        "name: x\nsteps:\n\t- say: hi\n", "3:1: a tab: YAML indents with spaces", id="tab-indent"
    ),
    pytest.param(
        'name: x\nsteps:\n  - breathe: [{phase: inhale, seconds: 4, cue: "é—ü"}, exhal: 4]\n',
        "3:56: unknown phase `exhal`",
        id="column-counts-characters",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_each_mistake_gets_a_located_line(write, text, expected):
    problems = problems_of(write(text))
    assert any(expected in problem for problem in problems), problems


def test_every_problem_in_a_file_is_reported_in_line_order(write):
    path = write("""
        name: x
        minuts: 3
        steps:
          - say: hi
            seconds: -1
          - breathe: [inhale: 4, hold: 4]
            cycles: 0
    """)
    problems = problems_of(path)
    assert [p.split(":")[0] for p in problems] == ["2", "5", "6", "7"]
    assert "did you mean `minutes`" in problems[0]


def test_a_relative_wav_path_is_found_beside_the_file(tmp_path, write):
    (tmp_path / "sounds").mkdir()
    write_wav(tmp_path / "sounds" / "ding.wav")
    session = load_session(
        write("""
        name: x
        chimes: {start: sounds/ding.wav, end: none}
        steps: [{say: hi}]
    """)
    )
    assert session.chimes.start == Sound(path=tmp_path / "sounds" / "ding.wav")
    assert session.chimes.end is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"RIFF....WAVEjunk"), "not a PCM WAV file the player can read"),
        (lambda p: write_wav(p, channels=6), "it has 6 channels; use mono or stereo"),
        (lambda p: write_wav(p, rate=12345), "its sample rate is 12345 Hz"),
        (lambda p: write_wav(p, frames=0), "it holds no sound"),
        (lambda p: write_wav(p, rate=8000, frames=8000 * 61), "it lasts 61 s"),
    ],
    ids=["garbage", "channels", "rate", "empty", "too-long"],
)
def test_an_unplayable_wav_is_a_located_error(tmp_path, write, make, message):
    make(tmp_path / "bad.wav")
    problems = problems_of(write("name: x\nchimes:\n  end: bad.wav\nsteps: [{say: hi}]\n"))
    assert len(problems) == 1
    assert problems[0].startswith("3:8: `chimes.end` cannot be played: ")
    assert message in problems[0]


def test_a_python_tag_is_never_executed(tmp_path, write):
    marker = tmp_path / "executed"
    path = write(
        f"name: !!python/object/apply:os.system ['touch {marker}']\nsteps: [{{say: hi}}]\n"
    )
    problems_of(path)
    assert not marker.exists()


def test_non_utf8_bytes_are_located(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: x\nsteps:\n  - say: caf\xe9\n")
    assert problems_of(path) == ["3:13: byte 0xE9 is not UTF-8: save the file as UTF-8 text"]


def test_binary_content_is_refused_with_a_position(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"name: x\x00\x01\x02")
    assert problems_of(path) == ["1:8: character U+0000 is not allowed in a YAML file"]


def test_an_oversized_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"name: x\nsteps:\n" + b"  - say: hi\n" * 2_000_000)  # about 24 MB
    assert problems_of(path) == [
        "1:1: the file is larger than 1024 KiB, the most a session file may be"
    ]


def test_a_billion_laughs_file_is_refused(write):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        refs = ",".join([f"*{chr(96 + level)}"] * 9)
        lines.append(f"{chr(97 + level)}: &{chr(97 + level)} [{refs}]")
    problems = problems_of(write("\n".join(lines) + "\n"))
    assert len(problems) == 1 and "aliases expand this file past 100,000 values" in problems[0]


def nested(brackets: str, depth: int) -> str:
    """`name:` holding `depth` nested flow lists (`[]`) or mappings (`{}`) on one line."""
    if brackets == "[]":
        return "name: " + "[" * depth + "]" * depth + "\n"
    return "name: " + "{a: " * depth + "1" + "}" * depth + "\n"


@pytest.mark.parametrize("depth", [100, 999, 1_001, 2_000, 50_000])
@pytest.mark.parametrize("brackets", ["[]", "{}"])
def test_deep_nesting_gets_one_message_at_any_depth(write, depth, brackets):
    # libyaml refuses about 1,000 levels on one line by itself, in its own words; the user
    # gets the same sentence, at the same place, whichever parser refuses first.
    shallowest = problems_of(write(nested(brackets, 64), "shallow.yaml"))
    assert len(shallowest) == 1 and shallowest[0].endswith(": nesting is deeper than 64 levels")
    assert problems_of(write(nested(brackets, depth))) == shallowest


def test_deep_nesting_over_several_lines_gets_the_same_message(write):
    text = "name: x\nsteps:\n" + "".join("  " * i + "- \n" for i in range(1, 200))
    problems = problems_of(write(text))
    assert len(problems) == 1 and problems[0].endswith(": nesting is deeper than 64 levels")


def test_a_self_referencing_alias_is_refused(write):
    problems = problems_of(write("name: x\nsteps: &s [*s]\n"))
    assert problems == ["2:12: alias `*s` refers to a node that holds it"]


@pytest.mark.parametrize("name", ["missing.yaml", "folder"])
def test_unreadable_paths_get_a_message(tmp_path, name):
    (tmp_path / "folder").mkdir()
    problems = problems_of(tmp_path / name)
    assert problems in (["1:1: no such file"], ["1:1: this is a directory, not a session file"])


def test_the_starter_keeps_its_comments_valid(write):
    from oxybreathe.core.catalog import STARTER

    text = STARTER.format(schema="s.json", path="p", name="Mine", id="mine")
    session = load_session(write(textwrap.dedent(text)))
    assert session.name == "Mine"
